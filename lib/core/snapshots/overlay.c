/* overlayfs backend: a committed snapshot's fs/ is a read-only layer; an
 * active one has fs/ (upperdir) and work/ (workdir) and mounts its parents'
 * fs/ as lowerdirs (nearest parent leftmost, i.e. on top). A view of one
 * layer is a read-only bind mount of it; of several, an overlay of lowerdirs
 * only (read-only by construction). */
#include "core/snapshots/mounts.h"
#include "core/snapshots/snapshots.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <sys/stat.h>

static int overlay_create(const char *dir, enum snap_kind kind, const char *const *parents,
			  size_t n_parents, struct berth_error **err)
{
	(void)parents;
	(void)n_parents;
	cleanup_free char *fs = xasprintf("%s/fs", dir);
	if (mkdir(fs, 0755) < 0)
		return berth_error_errno(err, "mkdir %s", fs);
	if (kind == SNAP_KIND_ACTIVE) {
		cleanup_free char *work = xasprintf("%s/work", dir);
		if (mkdir(work, 0711) < 0)
			return berth_error_errno(err, "mkdir %s", work);
	}
	return 0;
}

static int overlay_mounts(const char *dir, enum snap_kind kind, const char *const *parents,
			  size_t n, struct snap_mounts *out, struct berth_error **err)
{
	(void)err;
	*out = (struct snap_mounts){0};
	cleanup_free char *fs = xasprintf("%s/fs", dir);
	if (n == 0) {
		snap_mounts_add(out, "bind", fs, xstrdup(kind == SNAP_KIND_VIEW ? "ro" : "rw"),
				xstrdup("rbind"), (char *)NULL);
		return 0;
	}
	if (kind == SNAP_KIND_VIEW) {
		if (n == 1) {
			cleanup_free char *lower = xasprintf("%s/fs", parents[0]);
			snap_mounts_add(out, "bind", lower, xstrdup("ro"), xstrdup("rbind"),
					(char *)NULL);
		} else {
			snap_mounts_add(out, "overlay", "overlay", snap_lowerdir_option(parents, n),
					(char *)NULL);
		}
		return 0;
	}
	snap_mounts_add(out, "overlay", "overlay", xasprintf("workdir=%s/work", dir),
			xasprintf("upperdir=%s", fs), snap_lowerdir_option(parents, n),
			(char *)NULL);
	return 0;
}

static int overlay_commit(const char *dir, struct berth_error **err)
{
	/* The work dir is only needed while the snapshot is an upper dir. */
	cleanup_free char *work = xasprintf("%s/work", dir);
	if (fs_rm_rf(work, err) < 0)
		return -1;
	return 0;
}

const struct snap_ops snap_overlay_ops = {
    .name = "overlayfs",
    .create = overlay_create,
    .mounts = overlay_mounts,
    .commit = overlay_commit,
};
