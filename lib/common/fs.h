/* File-system helpers. */
#ifndef BERTH_COMMON_FS_H
#define BERTH_COMMON_FS_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Read a whole file (NUL-terminated); *len gets the size if non-NULL. */
int fs_read_file(const char *path, char **out, size_t *len, struct berth_error **err);
int fs_read_file_at(int dirfd, const char *path, char **out, size_t *len, struct berth_error **err);
/* Write data to dir/name via a temp file and a rename, so readers see the
 * old or the new content. durable: fsync before the rename (for state that
 * must survive a power loss; not needed for files under /run). */
int fs_write_file_atomic(int dirfd, const char *name, const char *data, size_t len, mode_t mode,
			 bool durable, struct berth_error **err);
/* Write a string to an existing file (proc/sys knobs). */
int fs_write_string(const char *path, const char *s, struct berth_error **err);
int fs_mkdir_p(const char *path, mode_t mode, struct berth_error **err);
/* Remove a directory tree (no crossing of mount points is attempted). */
int fs_rm_rf(const char *path, struct berth_error **err);
bool fs_exists(const char *path);
/* write()/read() retried on EINTR and short counts. */
ssize_t fs_write_all(int fd, const void *buf, size_t len);
ssize_t fs_read_all(int fd, void *buf, size_t len);

#endif
