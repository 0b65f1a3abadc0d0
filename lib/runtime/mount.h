/* The container's file system view, set up by its init process inside its
 * new mount namespace: rootfs bind, config mounts, /dev, pivot_root, masked
 * and read-only paths. */
#ifndef BERTH_RUNTIME_MOUNT_H
#define BERTH_RUNTIME_MOUNT_H

#include "common/error.h"
#include "oci/spec.h"

#include <stdbool.h>

struct mount_ctx {
	const struct oci_spec *spec;
	const char *rootfs; /* absolute host path */
	bool userns;	    /* in a new user namespace: mknod is not allowed */
	bool new_cgroupns;
	/* Called once, before the first cgroup mount or at the end of
	 * mount_setup_rootfs: waits until the runtime has placed this process
	 * in the container's cgroup (NULL: already placed). */
	int (*placed)(void *data, struct berth_error **err);
	void *placed_data;
};

/* Propagation of /, rootfs bind, every config mount, /dev and linux.devices. */
int mount_setup_rootfs(const struct mount_ctx *ctx, struct berth_error **err);
/* pivot_root into the rootfs (or MS_MOVE + chroot when no_pivot). */
int mount_enter_rootfs(const struct mount_ctx *ctx, bool no_pivot, struct berth_error **err);
/* After the switch: masked paths, read-only paths. */
int mount_mask_paths(const struct oci_spec *spec, struct berth_error **err);
/* After the switch: remount / read-only if root.readonly. */
int mount_finalize_root(const struct oci_spec *spec, struct berth_error **err);

/* /dev population (dev.c). */
int dev_setup_default(int rootfd, bool userns, struct berth_error **err);
int dev_create_config_devices(int rootfd, const struct oci_spec *spec, bool userns,
			      struct berth_error **err);
/* Bind the terminal's slave over /dev/console (after the switch). */
int dev_setup_console(const char *slave_path, struct berth_error **err);

/* cgroup file system mounts (cgroup-mount.c). */
int mount_cgroup_fs(int rootfd, const struct oci_mount *m, bool new_cgroupns,
		    struct berth_error **err);

/* Mount the tmpfs m on target (an O_PATH fd of its destination inside rootfd)
 * and copy into it what the destination held before ("tmpcopyup"). flags:
 * m's MS_* flags without propagation (mount-copyup.c). */
int mount_tmpfs_copyup(int rootfd, int target, const struct oci_mount *m, unsigned long flags,
		       struct berth_error **err);

/* Mount helpers shared by the files above. */
int mount_at_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data,
		const char *what, struct berth_error **err);
/* Bind remount fd's mount with flags, keeping the locked flags it already has. */
int mount_remount_bind(int fd, unsigned long flags, const char *what, struct berth_error **err);

#endif
