/* Mount-spec builders for the snapshot backends (internal). */
#ifndef BERTH_CORE_SNAPSHOTS_MOUNTS_H
#define BERTH_CORE_SNAPSHOTS_MOUNTS_H

#include "core/snapshots/snapshots.h"

/* Append a mount; the options are malloc'ed strings (taken over), NULL-terminated. */
void snap_mounts_add(struct snap_mounts *m, const char *type, const char *source, ...)
    __attribute__((sentinel));
/* "lowerdir=<p0>/fs:<p1>/fs:..." */
char *snap_lowerdir_option(const char *const *parents, size_t n);

#endif
