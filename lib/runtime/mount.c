#include "runtime/mount.h"
#include "runtime/lsm.h"
#include "runtime/path.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MS_PROPAGATION (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE)

int mount_at_fd(const char *src, int fd, const char *type, unsigned long flags, const char *data,
		const char *what, struct berth_error **err)
{
	char p[32];
	if (mount(src, path_fd(fd, p), type, flags, data) < 0)
		return berth_error_errno(err, "mount %s%s%s on %s", type ? type : "",
					 type ? " " : "", src ? src : "none", what);
	return 0;
}

static unsigned long locked_flags(int fd)
{
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return 0;
	unsigned long f = 0;
	if (sv.f_flag & ST_NOSUID)
		f |= MS_NOSUID;
	if (sv.f_flag & ST_NODEV)
		f |= MS_NODEV;
	if (sv.f_flag & ST_NOEXEC)
		f |= MS_NOEXEC;
	if (sv.f_flag & ST_RDONLY)
		f |= MS_RDONLY;
	if (sv.f_flag & ST_NOATIME)
		f |= MS_NOATIME;
	if (sv.f_flag & ST_NODIRATIME)
		f |= MS_NODIRATIME;
	if (sv.f_flag & ST_RELATIME)
		f |= MS_RELATIME;
	return f;
}

int mount_remount_bind(int fd, unsigned long flags, const char *what, struct berth_error **err)
{
	char p[32];
	unsigned long f = MS_BIND | MS_REMOUNT | flags;
	if (mount(NULL, path_fd(fd, p), NULL, f, NULL) == 0)
		return 0;
	/* In a user namespace, flags the mount already has are locked: keep them. */
	f |= locked_flags(fd);
	if (mount(NULL, path_fd(fd, p), NULL, f, NULL) < 0)
		return berth_error_errno(err, "remount %s", what);
	return 0;
}

static bool is_dir_source(const struct oci_mount *m)
{
	if (!m->bind)
		return true;
	struct stat st;
	return stat(m->source, &st) < 0 || S_ISDIR(st.st_mode);
}

static int apply_attrs(int fd, const struct oci_mount *m, struct berth_error **err)
{
	if (!m->attr_set && !m->attr_clr)
		return 0;
	struct mount_attr attr = {.attr_set = m->attr_set, .attr_clr = m->attr_clr};
	if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) <
	    0)
		return berth_error_errno(err, "set recursive mount options on %s", m->destination);
	return 0;
}

/* Flags that take a remount to apply on a bind mount. */
#define BIND_FLAGS                                                                                 \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME | MS_SYNCHRONOUS | MS_MANDLOCK | MS_DIRSYNC)

static int wait_placed(const struct mount_ctx *ctx, struct berth_error **err)
{
	return ctx->placed ? ctx->placed(ctx->placed_data, err) : 0;
}

static int mount_one(int rootfd, const struct oci_mount *m, const struct mount_ctx *ctx,
		     struct berth_error **err)
{
	enum path_create mk = is_dir_source(m) ? PATH_CREATE_DIR : PATH_CREATE_FILE;
	cleanup_close int target = path_open_in_root(rootfd, m->destination, mk, err);
	if (target < 0)
		return -1;
	if (m->type && (strcmp(m->type, "cgroup") == 0 || strcmp(m->type, "cgroup2") == 0) &&
	    !m->bind)
		return wait_placed(ctx, err) < 0
			   ? -1
			   : mount_cgroup_fs(rootfd, m, ctx->new_cgroupns, err);
	unsigned long flags = m->flags & ~(MS_REMOUNT | MS_PROPAGATION);
	if (m->bind) {
		unsigned long bf = MS_BIND | (m->recursive_bind ? MS_REC : 0);
		if (mount_at_fd(m->source, target, NULL, bf, NULL, m->destination, err) < 0)
			return -1;
	} else if (m->tmpcopyup && m->type && strcmp(m->type, "tmpfs") == 0) {
		if (mount_tmpfs_copyup(rootfd, target, m, flags, err) < 0)
			return -1;
	} else {
		const char *src = m->source ? m->source : m->type;
		/* linux.mountLabel (only set here when SELinux is enabled) */
		cleanup_free char *data =
		    ctx->spec->mount_label
			? lsm_mount_data(m->type, m->data, ctx->spec->mount_label)
			: NULL;
		if (mount_at_fd(src, target, m->type, flags, data ? data : m->data, m->destination,
				err) < 0)
			return -1;
	}
	/* Reopen: the fd still points at the directory under the new mount. */
	close(target);
	target = path_open_in_root(rootfd, m->destination, PATH_NO_CREATE, err);
	if (target < 0)
		return -1;
	if (m->bind && (flags & BIND_FLAGS) &&
	    mount_remount_bind(target, flags & BIND_FLAGS, m->destination, err) < 0)
		return -1;
	if (m->propagation &&
	    mount_at_fd(NULL, target, NULL, m->propagation, NULL, m->destination, err) < 0)
		return -1;
	return apply_attrs(target, m, err);
}

static bool dev_is_bound(const struct oci_spec *spec)
{
	for (size_t i = 0; i < spec->n_mounts; i++)
		if (strcmp(spec->mounts[i].destination, "/dev") == 0 && spec->mounts[i].bind)
			return true;
	return false;
}

/* The mount point that holds path: the longest mount point in mountinfo that
 * is a prefix of it. */
static char *parent_mount_point(const char *path)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	char *best = xstrdup("/");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) > 0) {
		char mp[4096];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1)
			continue;
		size_t n = strlen(mp);
		bool prefix = strncmp(path, mp, n) == 0 && (path[n] == '/' || n == 1);
		if (prefix && path[n] != '\0' && n > strlen(best)) {
			free(best);
			best = xstrdup(mp);
		}
	}
	return best;
}

int mount_setup_rootfs(const struct mount_ctx *ctx, struct berth_error **err)
{
	const struct oci_spec *spec = ctx->spec;
	/* Nothing we mount may reach the host, unless the config asks for shared
	 * propagation (then it is applied to / from the start, as runc does). */
	unsigned long prop = MS_SLAVE | MS_REC;
	if (spec->rootfs_propagation & MS_SHARED)
		prop = spec->rootfs_propagation;
	if (mount(NULL, "/", NULL, prop, NULL) < 0)
		return berth_error_errno(err, "set propagation of /");
	/* pivot_root refuses a new root whose parent mount is shared */
	cleanup_free char *parent = parent_mount_point(ctx->rootfs);
	if (mount(NULL, parent, NULL, MS_PRIVATE, NULL) < 0)
		return berth_error_errno(err, "make %s (parent mount of the rootfs) private",
					 parent);
	if (mount(ctx->rootfs, ctx->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return berth_error_errno(err, "bind mount rootfs %s", ctx->rootfs);
	cleanup_close int rootfd = open(ctx->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_errno(err, "open rootfs %s", ctx->rootfs);
	for (size_t i = 0; i < spec->n_mounts; i++) {
		if (mount_one(rootfd, &spec->mounts[i], ctx, err) < 0)
			return berth_error_wrap(err, "mounts[%zu]", i);
	}
	if (wait_placed(ctx, err) < 0)
		return -1;
	if (!dev_is_bound(spec) && dev_setup_default(rootfd, ctx->userns, err) < 0)
		return -1;
	return dev_create_config_devices(rootfd, spec, ctx->userns, err);
}

static int pivot(const char *rootfs, struct berth_error **err)
{
	cleanup_close int oldroot = open("/", O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (oldroot < 0)
		return berth_error_errno(err, "open /");
	if (chdir(rootfs) < 0)
		return berth_error_errno(err, "chdir %s", rootfs);
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return berth_error_errno(err, "pivot_root %s", rootfs);
	/* The kernel gives no promise about "." now: go to the old root explicitly. */
	if (fchdir(oldroot) < 0)
		return berth_error_errno(err, "fchdir to the old root");
	/* The old root now sits under the new one: detach it without telling the host. */
	if (mount(NULL, ".", NULL, MS_SLAVE | MS_REC, NULL) < 0)
		return berth_error_errno(err, "make old root slave");
	if (umount2(".", MNT_DETACH) < 0)
		return berth_error_errno(err, "unmount old root");
	if (chdir("/") < 0)
		return berth_error_errno(err, "chdir /");
	return 0;
}

static int move_root(const char *rootfs, struct berth_error **err)
{
	if (chdir(rootfs) < 0)
		return berth_error_errno(err, "chdir %s", rootfs);
	if (mount(rootfs, "/", NULL, MS_MOVE, NULL) < 0)
		return berth_error_errno(err, "move rootfs %s to /", rootfs);
	if (chroot(".") < 0)
		return berth_error_errno(err, "chroot %s", rootfs);
	if (chdir("/") < 0)
		return berth_error_errno(err, "chdir /");
	return 0;
}

int mount_enter_rootfs(const struct mount_ctx *ctx, bool no_pivot, struct berth_error **err)
{
	if ((no_pivot ? move_root(ctx->rootfs, err) : pivot(ctx->rootfs, err)) < 0)
		return -1;
	if (ctx->spec->rootfs_propagation &&
	    mount(NULL, "/", NULL, ctx->spec->rootfs_propagation, NULL) < 0)
		return berth_error_errno(err, "linux.rootfsPropagation: set propagation of /");
	return 0;
}

static int mask_path(const char *p, struct berth_error **err)
{
	struct stat st;
	if (lstat(p, &st) < 0)
		return errno == ENOENT ? 0 : berth_error_errno(err, "linux.maskedPaths: %s", p);
	if (S_ISDIR(st.st_mode)) {
		if (mount("tmpfs", p, "tmpfs", MS_RDONLY, "size=0k") < 0)
			return berth_error_errno(err, "linux.maskedPaths: mask directory %s", p);
	} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
		return berth_error_errno(err, "linux.maskedPaths: mask %s", p);
	}
	return 0;
}

static int readonly_path(const char *p, struct berth_error **err)
{
	if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
		return errno == ENOENT ? 0
				       : berth_error_errno(err, "linux.readonlyPaths: bind %s", p);
	cleanup_close int fd = open(p, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "linux.readonlyPaths: open %s", p);
	cleanup_free char *what = xasprintf("linux.readonlyPaths: %s", p);
	return mount_remount_bind(fd, MS_RDONLY, what, err);
}

int mount_mask_paths(const struct oci_spec *spec, struct berth_error **err)
{
	for (char **p = spec->readonly_paths; p && *p; p++)
		if (readonly_path(*p, err) < 0)
			return -1;
	for (char **p = spec->masked_paths; p && *p; p++)
		if (mask_path(*p, err) < 0)
			return -1;
	return 0;
}

int mount_finalize_root(const struct oci_spec *spec, struct berth_error **err)
{
	if (!spec->root_readonly)
		return 0;
	cleanup_close int fd = open("/", O_PATH | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "open /");
	return mount_remount_bind(fd, MS_RDONLY, "root.readonly: /", err);
}
