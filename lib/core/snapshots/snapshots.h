/* Snapshotter: directories for container root file systems, built as chains
 * of layers (containerd's Snapshotter interface).
 *
 * A snapshot has a key and a kind: *active* (writable, made by prepare),
 * *view* (read-only, made by view) or *committed* (an immutable layer, made by
 * commit from an active snapshot, then known by its name). Active snapshots and
 * views have a parent that must be committed; committed snapshots may be the
 * parent of others. mounts() returns what to mount to see a snapshot; berth
 * mounts it with snap_mount().
 *
 * The bookkeeping (keys, parents, kinds, ids) is shared by every backend
 * (snapshotter.c over meta.h); a backend only lays out directories and builds
 * mount specs (struct snap_ops). Thread-safe: one lock per snapshotter.
 * See docs/core.md. */
#ifndef BERTH_CORE_SNAPSHOTS_SNAPSHOTS_H
#define BERTH_CORE_SNAPSHOTS_SNAPSHOTS_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum snap_kind { SNAP_KIND_VIEW = 1, SNAP_KIND_ACTIVE = 2, SNAP_KIND_COMMITTED = 3 };

const char *snap_kind_name(enum snap_kind k);

struct snap_info {
	char *name;   /* key (active, view) or name (committed) */
	char *parent; /* name of the parent, NULL for a base snapshot */
	enum snap_kind kind;
	uint64_t id;	 /* directory snapshots/<id> */
	int64_t created; /* unix seconds */
	int64_t updated;
};

void snap_info_free(struct snap_info *info);

struct snap_usage {
	int64_t size;	/* bytes of disk used (st_blocks * 512, hardlinks once) */
	int64_t inodes; /* number of inodes */
};

/* One mount, as in an OCI spec's mounts[]: type "overlay" or "bind". */
struct snap_mount {
	char *type;
	char *source;
	char **options; /* NULL-terminated: "ro", "rbind", "lowerdir=...", ... */
};

struct snap_mounts {
	struct snap_mount *v;
	size_t n;
};

void snap_mounts_free(struct snap_mounts *m);

/* A backend. `dir` is snapshots/<id> of the snapshot being worked on;
 * `parents` are the directories of its parent chain, nearest first. */
struct snap_ops {
	const char *name; /* "overlayfs", "native": also the directory under <root>/snapshots */
	/* Populate the new, empty `dir` (the backend's files go under it). */
	int (*create)(const char *dir, enum snap_kind kind, const char *const *parents,
		      size_t n_parents, struct berth_error **err);
	int (*mounts)(const char *dir, enum snap_kind kind, const char *const *parents,
		      size_t n_parents, struct snap_mounts *out, struct berth_error **err);
	/* The active snapshot in `dir` becomes an immutable layer. */
	int (*commit)(const char *dir, struct berth_error **err);
};

extern const struct snap_ops snap_overlay_ops;
extern const struct snap_ops snap_native_ops;

struct md_db;

struct snap_config {
	const char *root;   /* berth's --root; the snapshotter lives in root/snapshots/<driver> */
	const char *driver; /* "overlayfs", "native", or NULL/"" to probe (overlay if it works) */
	/* Optional: keep the bookkeeping in this metadata database (lib/core/metadata,
	 * not owned; must outlive the snapshotter) instead of metadata.json. */
	struct md_db *md;
};

struct snapshotter;

int snap_open(const struct snap_config *cfg, struct snapshotter **out, struct berth_error **err);
void snap_close(struct snapshotter *s);
/* "overlayfs" or "native" */
const char *snap_driver(const struct snapshotter *s);
/* The snapshotter's directory, root/snapshots/<driver>. */
const char *snap_root(const struct snapshotter *s);

/* New active snapshot `key` on committed `parent` (NULL: empty). Fills *out
 * with its mounts if out is non-NULL. EEXIST if key is taken, ENOENT if the
 * parent does not exist, EINVAL if it is not committed. */
int snap_prepare(struct snapshotter *s, const char *key, const char *parent,
		 struct snap_mounts *out, struct berth_error **err);
/* Same, for a read-only view. */
int snap_view(struct snapshotter *s, const char *key, const char *parent, struct snap_mounts *out,
	      struct berth_error **err);
int snap_mounts(struct snapshotter *s, const char *key, struct snap_mounts *out,
		struct berth_error **err);
/* Active `key` becomes committed `name` (the key is gone afterwards). */
int snap_commit(struct snapshotter *s, const char *name, const char *key, struct berth_error **err);
/* EBUSY if other snapshots have it as parent. */
int snap_remove(struct snapshotter *s, const char *key, struct berth_error **err);
int snap_stat(struct snapshotter *s, const char *key, struct snap_info *out,
	      struct berth_error **err);
/* Calls fn for every snapshot (in id order) until it returns non-zero, which is returned. */
typedef int (*snap_walk_fn)(const struct snap_info *info, void *arg);
int snap_walk(struct snapshotter *s, snap_walk_fn fn, void *arg, struct berth_error **err);
/* Disk use of the snapshot's own layer (not its parents). */
int snap_usage(struct snapshotter *s, const char *key, struct snap_usage *out,
	       struct berth_error **err);
/* The directory a layer is unpacked into without mounting: the upper dir of an
 * active overlay snapshot, the tree of a native one. Caller frees. */
int snap_layer_dir(struct snapshotter *s, const char *key, char **out, struct berth_error **err);

/* Mount every spec of m on target in order (the first on target, as
 * containerd does). An overlay whose options exceed a page (the kernel's limit
 * on mount data) is mounted from the lowerdirs' common parent with relative
 * paths; if that is still too long, the error says so. */
int snap_mount(const struct snap_mounts *m, const char *target, struct berth_error **err);
/* Unmount target (lazily if busy). */
int snap_unmount(const char *target, struct berth_error **err);
/* True if an overlay mount works on the file system holding `dir` (a test
 * overlay is mounted in a temp dir there, then removed). */
bool snap_overlay_supported(const char *dir);

#endif
