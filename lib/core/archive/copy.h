/* Tar streams of container files for `docker cp` and `docker export`
 * (lib/engine/api/containers-fs.c): a file or a tree as a tar with its
 * members renamed, and a tar extracted into a directory with every entry
 * confined to it (the layer unpacker's rules: no absolute names, no "..",
 * symlinks resolved as if the directory were "/", the last component never
 * followed). Unlike a layer, .wh. names are plain files here. */
#ifndef BERTH_CORE_ARCHIVE_COPY_H
#define BERTH_CORE_ARCHIVE_COPY_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Write len bytes; -1 with *err to stop. */
typedef int (*arc_out_fn)(void *arg, const void *buf, size_t len, struct berth_error **err);
/* Read up to len bytes: the count, 0 at the end, -1 with *err. */
typedef ssize_t (*arc_in_fn)(void *arg, void *buf, size_t len, struct berth_error **err);

/* A tar (pax where ustar is not enough) of the entry `name` of the
 * directory dirfd, not followed if a symlink; "." is dirfd itself. Its
 * members are named `prefix` and, for a directory, prefix/<relative path>
 * (prefix "" or NULL: only the contents, named by their relative paths,
 * as docker export). Hardlinks inside the tree stay hardlinks; sockets are
 * left out; directories of kernel filesystems (proc, sysfs, devpts, cgroup,
 * ...) are listed empty. */
int arc_copy_out(int dirfd, const char *name, const char *prefix, arc_out_fn out, void *arg,
		 struct berth_error **err);

/* fd is on a kernel filesystem (proc, sysfs, devpts, cgroup, mqueue, ...). */
bool arc_kernel_fs(int fd);

struct arc_copy_in_opts {
	/* docker's noOverwriteDirNonDir: an existing directory is not replaced
	 * by a non-directory nor an existing non-directory by a directory (the
	 * entry fails with EISDIR/ENOTDIR). */
	bool no_overwrite_dir_nondir;
	/* Owner of every entry (docker's copyUIDGID); -1: as in the tar. */
	long long uid, gid;
	/* Names (cleaned, relative to root; NULL-terminated; may be NULL) of
	 * files mounted over in the container (dockerd's /etc/hostname, hosts,
	 * resolv.conf): an entry of that name fails with EBUSY, "unlinkat
	 * <busy_base>/<name>: device or resource busy", as dockerd's untar. */
	const char *const *busy;
	const char *busy_base;
};

/* Extract the tar read from `in` (plain, gzip, bzip2 or xz) into the
 * existing directory root. *entries (may be NULL) gets the count. */
int arc_copy_in(arc_in_fn in, void *arg, const char *root, const struct arc_copy_in_opts *opts,
		size_t *entries, struct berth_error **err);

#endif
