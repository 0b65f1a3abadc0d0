/* AppArmor and SELinux: detection, checks and the exec-time labels. */
#include "runtime/lsm.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

const struct lsm_paths lsm_host_paths = {
    .apparmor_enabled = "/sys/module/apparmor/parameters/enabled",
    .selinux_enforce = "/sys/fs/selinux/enforce",
};

/* The first byte of a small file, 0 if it cannot be read. */
static char first_byte(const char *path)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	char c = 0;
	if (fd < 0 || read(fd, &c, 1) != 1)
		return 0;
	return c;
}

bool lsm_apparmor_enabled(const struct lsm_paths *paths)
{
	return first_byte(paths->apparmor_enabled) == 'Y';
}

bool lsm_selinux_enabled(const struct lsm_paths *paths)
{
	return access(paths->selinux_enforce, F_OK) == 0;
}

int lsm_check(const struct lsm_paths *paths, const struct oci_process *p, const char *mount_label,
	      struct berth_error **err)
{
	if (p && p->apparmor_profile && !lsm_apparmor_enabled(paths))
		return berth_error_set(err, ENOTSUP,
				       "process.apparmorProfile \"%s\": AppArmor is not enabled on "
				       "this host (%s)",
				       p->apparmor_profile, paths->apparmor_enabled);
	bool selinux = lsm_selinux_enabled(paths);
	if (p && p->selinux_label && !selinux)
		return berth_error_set(
		    err, ENOTSUP,
		    "process.selinuxLabel \"%s\": SELinux is not enabled on this "
		    "host (no %s)",
		    p->selinux_label, paths->selinux_enforce);
	if (mount_label && !selinux)
		return berth_error_set(
		    err, ENOTSUP,
		    "linux.mountLabel \"%s\": SELinux is not enabled on this host "
		    "(no %s)",
		    mount_label, paths->selinux_enforce);
	return 0;
}

/* From inside the container, where /sys may be missing: the attr files of
 * /proc answer too (reading "current" fails with EINVAL when the LSM is off). */
static bool apparmor_here(void)
{
	char c = first_byte(lsm_host_paths.apparmor_enabled);
	if (c)
		return c == 'Y';
	return first_byte("/proc/self/attr/apparmor/current") != 0;
}

static bool selinux_here(void)
{
	if (lsm_selinux_enabled(&lsm_host_paths))
		return true;
	if (apparmor_here())
		return false;
	cleanup_free char *cur = NULL;
	struct berth_error *e = NULL;
	bool ok = fs_read_file("/proc/self/attr/current", &cur, NULL, &e) == 0;
	berth_error_free(&e);
	/* an SELinux context is user:role:type[:level] */
	return ok && strchr(cur, ':') != NULL;
}

static int write_attr(const char *path, const char *value)
{
	cleanup_close int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t n = strlen(value);
	return fs_write_all(fd, value, n) == (ssize_t)n ? 0 : -1;
}

static int apply_apparmor(const char *profile, struct berth_error **err)
{
	if (!apparmor_here())
		return berth_error_set(
		    err, ENOTSUP,
		    "process.apparmorProfile \"%s\": AppArmor is not enabled on this host",
		    profile);
	cleanup_free char *cmd = xasprintf("exec %s", profile);
	/* the per-LSM file first (5.1+), the shared one on older kernels */
	const char *path = "/proc/self/attr/apparmor/exec";
	int r = write_attr(path, cmd);
	if (r < 0 && errno == ENOENT) {
		path = "/proc/self/attr/exec";
		r = write_attr(path, cmd);
	}
	if (r < 0)
		return berth_error_errno(err, "process.apparmorProfile \"%s\": write %s", profile,
					 path);
	return 0;
}

static int apply_selinux(const char *label, struct berth_error **err)
{
	if (!selinux_here())
		return berth_error_set(
		    err, ENOTSUP,
		    "process.selinuxLabel \"%s\": SELinux is not enabled on this host", label);
	if (write_attr("/proc/self/attr/exec", label) < 0)
		return berth_error_errno(
		    err, "process.selinuxLabel \"%s\": write /proc/self/attr/exec", label);
	return 0;
}

int lsm_apply_exec(const struct oci_process *p, struct berth_error **err)
{
	if (p->apparmor_profile && apply_apparmor(p->apparmor_profile, err) < 0)
		return -1;
	if (p->selinux_label && apply_selinux(p->selinux_label, err) < 0)
		return -1;
	return 0;
}

char *lsm_mount_data(const char *fstype, const char *data, const char *mount_label)
{
	static const char *const labelled[] = {"tmpfs", "devpts", "mqueue", "ramfs", NULL};
	if (mount_label == NULL || *mount_label == '\0' || fstype == NULL)
		return NULL;
	bool takes = false;
	for (const char *const *t = labelled; *t; t++)
		takes |= strcmp(fstype, *t) == 0;
	/* a context the config already gives wins */
	if (!takes || (data && strstr(data, "context=")))
		return NULL;
	if (data && *data)
		return xasprintf("%s,context=\"%s\"", data, mount_label);
	return xasprintf("context=\"%s\"", mount_label);
}
