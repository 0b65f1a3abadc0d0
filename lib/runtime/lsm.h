/* Linux security modules for the container's processes: AppArmor profiles
 * (process.apparmorProfile), SELinux process labels (process.selinuxLabel)
 * and SELinux mount labels (linux.mountLabel).
 *
 * A label the config asks for is applied when the host runs the LSM, and is
 * an error naming the field when it does not; never silently dropped. */
#ifndef BERTH_RUNTIME_LSM_H
#define BERTH_RUNTIME_LSM_H

#include "common/error.h"
#include "oci/spec.h"

#include <stdbool.h>

/* Where the host's state is read (tests point these at fake trees). */
struct lsm_paths {
	const char *apparmor_enabled; /* /sys/module/apparmor/parameters/enabled */
	const char *selinux_enforce;  /* /sys/fs/selinux/enforce */
};
extern const struct lsm_paths lsm_host_paths;

bool lsm_apparmor_enabled(const struct lsm_paths *paths);
bool lsm_selinux_enabled(const struct lsm_paths *paths);

/* Before any process starts (host view): a profile or label the config asks
 * for needs its LSM. mount_label may be NULL. */
int lsm_check(const struct lsm_paths *paths, const struct oci_process *p, const char *mount_label,
	      struct berth_error **err);

/* In the process, before execve: the AppArmor profile and SELinux label
 * the next execve switches to (/proc/self/attr/...). Checks again from the
 * inside (the container may have no /sys). */
int lsm_apply_exec(const struct oci_process *p, struct berth_error **err);

/* Mount data with context="<mount_label>" added for the file systems that
 * take it (tmpfs, devpts, mqueue, ramfs), or NULL when nothing is to be
 * added (no label, a bind mount, proc, sysfs ...): the caller keeps its data.
 * Call it only when SELinux is enabled (lsm_check refuses a mountLabel
 * otherwise). Caller frees. */
char *lsm_mount_data(const char *fstype, const char *data, const char *mount_label);

#endif
