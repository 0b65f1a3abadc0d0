/* native backend: every snapshot is a full copy of its parent's tree (cp -a
 * semantics, fsutil.c), mounted with a bind mount (read-only for views).
 * Works on any file system, at the cost of a copy per snapshot. */
#include "core/snapshots/fsutil.h"
#include "core/snapshots/mounts.h"
#include "core/snapshots/snapshots.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <sys/stat.h>

static int native_create(const char *dir, enum snap_kind kind, const char *const *parents,
			 size_t n_parents, struct berth_error **err)
{
	(void)kind;
	cleanup_free char *fs = xasprintf("%s/fs", dir);
	if (mkdir(fs, 0755) < 0)
		return berth_error_errno(err, "mkdir %s", fs);
	if (n_parents == 0)
		return 0;
	cleanup_free char *parent = xasprintf("%s/fs", parents[0]);
	return snap_copy_tree(parent, fs, err);
}

static int native_mounts(const char *dir, enum snap_kind kind, const char *const *parents, size_t n,
			 struct snap_mounts *out, struct berth_error **err)
{
	(void)parents;
	(void)n;
	(void)err;
	*out = (struct snap_mounts){0};
	cleanup_free char *fs = xasprintf("%s/fs", dir);
	snap_mounts_add(out, "bind", fs, xstrdup(kind == SNAP_KIND_VIEW ? "ro" : "rw"),
			xstrdup("rbind"), (char *)NULL);
	return 0;
}

static int native_commit(const char *dir, struct berth_error **err)
{
	(void)dir;
	(void)err;
	return 0;
}

const struct snap_ops snap_native_ops = {
    .name = "native",
    .create = native_create,
    .mounts = native_mounts,
    .commit = native_commit,
};
