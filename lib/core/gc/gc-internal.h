/* Internals of lib/core/gc: a string set and the state of one run. */
#ifndef BERTH_CORE_GC_GC_INTERNAL_H
#define BERTH_CORE_GC_GC_INTERNAL_H

#include "core/gc/gc.h"

/* Open-addressing set of strings (copies). */
struct gc_set {
	char **slots;
	size_t cap, n;
};
/* True if s was not there yet. */
bool gc_set_add(struct gc_set *set, const char *s);
bool gc_set_has(const struct gc_set *set, const char *s);
void gc_set_free(struct gc_set *set);

/* Set keys: "c <digest>", "i <ref>", "s <snapshotter> <key>" (the last field
 * may hold anything but is last). Caller frees. */
char *gc_key_content(const char *digest);
char *gc_key_ingest(const char *ref);
char *gc_key_snapshot(const char *snapshotter, const char *key);

struct gc_edge {
	char *parent;
	int kind; /* MD_REF_CONTENT, MD_REF_SNAPSHOT */
	char *snapshotter;
	char *child;
};

/* One snapshotter's records, sorted by name. */
struct gc_snaps {
	struct snapshotter *s;
	const char *driver;
	struct snap_info *v;
	size_t n;
};

struct gc_run {
	struct md_db *db;
	struct content_store *cs;
	const struct gc_options *o;
	int64_t now;
	struct gc_result *res;
	struct gc_snaps *snaps;
	size_t n_snaps;
	struct content_info *blobs; /* the store's blobs when the run began */
	size_t n_blobs;
	struct gc_edge *edges; /* sorted by parent */
	size_t n_edges;
	struct gc_set live;
};

const struct snap_info *gc_snap_find(const struct gc_snaps *g, const char *key);
/* Mark everything reachable (the metadata locked in a transaction). */
int gc_mark_locked(struct gc_run *run, struct berth_error **err);
/* Remove unmarked blobs and stale ingests, drop edges of what is gone. */
int gc_sweep_content_locked(struct gc_run *run, struct berth_error **err);
/* Remove unmarked snapshots, children first (no lock held). */
void gc_sweep_snapshots(struct gc_run *run);
void gc_report(struct gc_run *run, enum gc_kind kind, const char *snapshotter, const char *name,
	       int64_t size);

#endif
