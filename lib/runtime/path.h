/* Resolution of container paths inside the rootfs without ever leaving it.
 *
 * Walks one component at a time with O_PATH|O_NOFOLLOW. Absolute symlinks are
 * taken relative to the rootfs (as they will be once it is /); a ".." that
 * would climb above the rootfs (literally or through a symlink) is an error,
 * so a hostile image cannot aim a mount at a host path. */
#ifndef BERTH_RUNTIME_PATH_H
#define BERTH_RUNTIME_PATH_H

#include "common/error.h"

#include <sys/types.h>

enum path_create {
	PATH_NO_CREATE = 0,
	PATH_CREATE_DIR,  /* create missing components as directories */
	PATH_CREATE_FILE, /* missing parents as directories, the last one as a file */
};

/* Returns an O_PATH fd for `path` inside rootfd, or -1 with *err. */
int path_open_in_root(int rootfd, const char *path, enum path_create mk, struct berth_error **err);
/* Returns an O_PATH fd of the parent directory and the last component in *name. */
int path_open_parent_in_root(int rootfd, const char *path, char **name, struct berth_error **err);
/* "/proc/self/fd/N" for mount(2) and friends; buf must hold 32 bytes. */
const char *path_fd(int fd, char buf[32]);

#endif
