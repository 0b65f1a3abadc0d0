/* /dev inside the container: the default device nodes, the usual links,
 * linux.devices and /dev/console. */
#include "runtime/mount.h"
#include "runtime/path.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static const struct {
	const char *path;
	unsigned major, minor;
} default_devices[] = {
    {"/dev/null", 1, 3},   {"/dev/zero", 1, 5},	   {"/dev/full", 1, 7},
    {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static const struct {
	const char *target, *link;
} default_links[] = {
    {"/proc/self/fd", "/dev/fd"},
    {"/proc/self/fd/0", "/dev/stdin"},
    {"/proc/self/fd/1", "/dev/stdout"},
    {"/proc/self/fd/2", "/dev/stderr"},
};

/* In a user namespace mknod is refused: bind the host's node instead. */
static int bind_host_node(int rootfd, const char *path, struct berth_error **err)
{
	cleanup_close int fd = path_open_in_root(rootfd, path, PATH_CREATE_FILE, err);
	if (fd < 0)
		return -1;
	return mount_at_fd(path, fd, NULL, MS_BIND, NULL, path, err);
}

static int make_node(int rootfd, const char *path, mode_t mode, dev_t dev, bool userns, uid_t uid,
		     gid_t gid, bool chown_it, struct berth_error **err)
{
	if (userns && !S_ISFIFO(mode))
		return bind_host_node(rootfd, path, err);
	cleanup_free char *name = NULL;
	cleanup_close int dir = path_open_parent_in_root(rootfd, path, &name, err);
	if (dir < 0)
		return -1;
	/* An O_PATH fd cannot be used for mknodat on every kernel: reopen it. */
	char p[32];
	cleanup_close int wdir = open(path_fd(dir, p), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
	if (wdir < 0)
		return berth_error_errno(err, "open parent of %s", path);
	if (unlinkat(wdir, name, 0) < 0 && errno != ENOENT)
		return berth_error_errno(err, "replace %s", path);
	if (mknodat(wdir, name, mode, dev) < 0)
		return berth_error_errno(err, "mknod %s", path);
	/* mknod applies the umask: set the mode exactly */
	if (fchmodat(wdir, name, mode & 07777, 0) < 0)
		return berth_error_errno(err, "chmod %s", path);
	if (chown_it && fchownat(wdir, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "chown %s", path);
	return 0;
}

static int make_link(int rootfd, const char *target, const char *path, struct berth_error **err)
{
	cleanup_free char *name = NULL;
	cleanup_close int dir = path_open_parent_in_root(rootfd, path, &name, err);
	if (dir < 0)
		return -1;
	if (symlinkat(target, dir, name) < 0 && errno != EEXIST)
		return berth_error_errno(err, "symlink %s -> %s", path, target);
	return 0;
}

int dev_setup_default(int rootfd, bool userns, struct berth_error **err)
{
	for (size_t i = 0; i < sizeof(default_devices) / sizeof(default_devices[0]); i++) {
		dev_t d = makedev(default_devices[i].major, default_devices[i].minor);
		if (make_node(rootfd, default_devices[i].path, S_IFCHR | 0666, d, userns, 0, 0,
			      false, err) < 0)
			return -1;
	}
	for (size_t i = 0; i < sizeof(default_links) / sizeof(default_links[0]); i++)
		if (make_link(rootfd, default_links[i].target, default_links[i].link, err) < 0)
			return -1;
	/* /dev/ptmx points into the container's own devpts instance */
	struct stat st;
	if (fstatat(rootfd, "dev/pts/ptmx", &st, AT_SYMLINK_NOFOLLOW) == 0) {
		cleanup_free char *name = NULL;
		cleanup_close int dir = path_open_parent_in_root(rootfd, "/dev/ptmx", &name, err);
		if (dir < 0)
			return -1;
		char p[32];
		cleanup_close int wdir = open(path_fd(dir, p), O_DIRECTORY | O_RDONLY | O_CLOEXEC);
		if (wdir >= 0)
			unlinkat(wdir, name, 0);
		if (make_link(rootfd, "pts/ptmx", "/dev/ptmx", err) < 0)
			return -1;
	}
	return 0;
}

int dev_create_config_devices(int rootfd, const struct oci_spec *spec, bool userns,
			      struct berth_error **err)
{
	for (size_t i = 0; i < spec->n_devices; i++) {
		const struct oci_device *d = &spec->devices[i];
		mode_t type = d->type == 'c' ? S_IFCHR : d->type == 'b' ? S_IFBLK : S_IFIFO;
		mode_t mode = type | (d->has_mode ? (d->mode & 07777) : 0666);
		dev_t dev = makedev((unsigned)d->major, (unsigned)d->minor);
		if (make_node(rootfd, d->path, mode, dev, userns, d->has_uid ? d->uid : 0,
			      d->has_gid ? d->gid : 0, d->has_uid || d->has_gid, err) < 0)
			return berth_error_wrap(err, "linux.devices[%zu]", i);
	}
	return 0;
}

int dev_setup_console(const char *slave_path, struct berth_error **err)
{
	struct stat st;
	if (lstat("/dev/console", &st) < 0) {
		if (errno != ENOENT)
			return berth_error_errno(err, "stat /dev/console");
		int fd = open("/dev/console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
		if (fd < 0)
			return berth_error_errno(err, "create /dev/console");
		close(fd);
	} else if (!S_ISREG(st.st_mode) && !S_ISCHR(st.st_mode)) {
		return berth_error_set(err, EINVAL, "/dev/console exists and is not a file");
	}
	if (mount(slave_path, "/dev/console", NULL, MS_BIND, NULL) < 0)
		return berth_error_errno(err, "bind %s on /dev/console", slave_path);
	return 0;
}
