/* File-tree helpers of the snapshotters (internal). */
#ifndef BERTH_CORE_SNAPSHOTS_FSUTIL_H
#define BERTH_CORE_SNAPSHOTS_FSUTIL_H

#include "core/snapshots/snapshots.h"

/* Copy the tree src into the existing directory dst, like `cp -a`: hardlinks
 * kept as hardlinks, symlinks, device nodes, fifos and sockets recreated,
 * ownership, permissions (setuid included), xattrs and times preserved (dirs'
 * times set after their contents). Symlinks are never followed. */
int snap_copy_tree(const char *src, const char *dst, struct berth_error **err);
/* Disk use of the tree at dir (hardlinked inodes counted once). */
int snap_fs_usage(const char *dir, struct snap_usage *out, struct berth_error **err);

#endif
