/* Internals of the layer unpacker (unpack.c drives, entry.c writes entries,
 * whiteout.c handles .wh. files, resolve.c confines paths to the root). */
#ifndef BERTH_CORE_ARCHIVE_UNPACK_INTERNAL_H
#define BERTH_CORE_ARCHIVE_UNPACK_INTERNAL_H

#include "core/archive/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

struct dir_meta {
	char *path; /* clean, relative; "" for the root */
	mode_t mode;
	struct timespec times[2];
};

/* A set of clean paths (open addressing). */
struct pathset {
	char **v;
	size_t n, cap;
};

struct unpack {
	int root; /* O_PATH fd of the root */
	const struct arc_unpack_opts *opts;
	bool chown;
	struct dir_meta *dirs; /* dirs' mode and times, applied at the end */
	size_t n_dirs, cap_dirs;
	struct pathset created; /* paths this layer made (ARC_WHITEOUT_APPLY) */
	/* The directory of the last entry, resolved: a layer lists a directory's
	 * files one after the other, so most entries skip the openat2. Dropped
	 * whenever the layer removes or replaces anything (unpack_parent_forget). */
	char *parent_path;
	int parent_fd; /* -1: none */
	bool parent_stale;
};

void pathset_add(struct pathset *s, const char *path);
bool pathset_has(const struct pathset *s, const char *path);
void pathset_free(struct pathset *s);

/* Lexically clean a tar name: "./a//b/" -> "a/b", "." -> "". Absolute names
 * and names that climb above the root fail. Caller frees *out. */
int unpack_clean_name(const char *name, char **out, struct berth_error **err);
/* Open (O_PATH) the directory holding clean path `path`, resolved inside the
 * root; missing directories are made (0755) if create. *base points into
 * path (its last component, "." for the root). Returns the fd. */
int unpack_open_parent(struct unpack *u, const char *path, bool create, const char **base,
		       struct berth_error **err);
/* As unpack_open_parent with create, but the fd is borrowed (owned by u,
 * valid until the next call): do not close it. */
int unpack_parent_cached(struct unpack *u, const char *path, const char **base,
			 struct berth_error **err);
/* Forget the cached parent: something in the tree was removed or replaced, so
 * a path may now resolve elsewhere. */
void unpack_parent_forget(struct unpack *u);
void unpack_parent_close(struct unpack *u); /* at the end */
/* Remove dirfd/name whatever it is (a directory with its contents), never
 * following symlinks. ENOENT is not an error. */
int unpack_remove_at(int dirfd, const char *name, const char *what, struct berth_error **err);
/* Set an xattr on dirfd/name without following name. */
int unpack_setxattr_at(int dirfd, const char *name, const char *key, const void *val, size_t len);

/* Apply the directories' modes and times (last, once their contents are in:
 * a directory replaced or removed since is skipped). */
int unpack_finish_dirs(struct unpack *u, struct berth_error **err);
/* Free what u holds (the cached parent, the directory list, the path set). */
void unpack_release(struct unpack *u);

int unpack_entry(struct unpack *u, struct archive *a, struct archive_entry *e, const char *path,
		 struct berth_error **err);
/* If path is a whiteout (.wh.*), handle it and return 1; 0 if not one. */
int unpack_whiteout(struct unpack *u, struct archive_entry *e, const char *path,
		    struct berth_error **err);

#endif
