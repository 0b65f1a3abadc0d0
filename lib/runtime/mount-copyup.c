/* "tmpcopyup": fill a fresh tmpfs with a copy of the directory it covers.
 *
 * Every lookup is one component with O_NOFOLLOW (or AT_SYMLINK_NOFOLLOW)
 * relative to a directory fd, names come from readdir (never "." or ".."),
 * and symbolic links are recreated, never followed: nothing outside the
 * covered directory is read or written. Regular files, directories, symlinks,
 * fifos, sockets and device nodes are copied with their mode, ownership,
 * extended attributes and times; hard links inside the tree stay hard links.
 * Ownership, xattrs and device nodes the kernel refuses (user namespaces,
 * unmapped ids, xattr namespaces tmpfs does not take) are skipped. */
#include "runtime/mount.h"
#include "runtime/path.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* Deeper trees than this are refused (each level holds two fds). */
#define MAX_DEPTH 128

struct link_seen {
	dev_t dev;
	ino_t ino;
	char *path; /* relative to the tmpfs root */
};

struct copy_ctx {
	int dst_root;
	const char *what; /* the mount destination, for messages */
	struct link_seen *links;
	size_t n_links, cap_links;
};

static void ctx_free(struct copy_ctx *c)
{
	for (size_t i = 0; i < c->n_links; i++)
		free(c->links[i].path);
	free(c->links);
}

static bool ignorable(int e)
{
	return e == EPERM || e == EINVAL || e == ENOTSUP || e == EOPNOTSUPP || e == EACCES;
}

static int copy_xattrs(int src, int dst, const char *rel, struct copy_ctx *c,
		       struct berth_error **err)
{
	ssize_t n = flistxattr(src, NULL, 0);
	if (n < 0)
		return ignorable(errno) ? 0 : berth_error_errno(err, "list xattrs of %s", rel);
	if (n == 0)
		return 0;
	cleanup_free char *names = xmalloc((size_t)n + 1);
	n = flistxattr(src, names, (size_t)n);
	if (n < 0)
		return berth_error_errno(err, "list xattrs of %s", rel);
	for (char *name = names; name < names + n; name += strlen(name) + 1) {
		ssize_t len = fgetxattr(src, name, NULL, 0);
		if (len < 0)
			continue;
		cleanup_free char *val = xmalloc((size_t)len + 1);
		len = fgetxattr(src, name, val, (size_t)len);
		if (len < 0)
			continue;
		if (fsetxattr(dst, name, val, (size_t)len, 0) < 0)
			log_debug("tmpcopyup %s: %s: xattr %s not copied: %s", c->what, rel, name,
				  strerror(errno));
	}
	return 0;
}

/* Ownership, mode (after chown, which clears set-id bits), xattrs, times. */
static int copy_meta_fd(int src, int dst, const struct stat *st, const char *rel,
			struct copy_ctx *c, struct berth_error **err)
{
	if (fchown(dst, st->st_uid, st->st_gid) < 0) {
		if (!ignorable(errno))
			return berth_error_errno(err, "chown %s", rel);
		log_debug("tmpcopyup %s: %s: owner %u:%u not kept: %s", c->what, rel,
			  (unsigned)st->st_uid, (unsigned)st->st_gid, strerror(errno));
	}
	if (fchmod(dst, st->st_mode & 07777) < 0)
		return berth_error_errno(err, "chmod %s", rel);
	if (copy_xattrs(src, dst, rel, c, err) < 0)
		return -1;
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (futimens(dst, ts) < 0)
		return berth_error_errno(err, "set times of %s", rel);
	return 0;
}

static int copy_data(int src, int dst, const char *rel, struct berth_error **err)
{
	for (;;) {
		ssize_t n = copy_file_range(src, NULL, dst, NULL, 1 << 30, 0);
		if (n == 0)
			return 0;
		if (n > 0)
			continue;
		if (errno == EINTR)
			continue;
		if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
			return berth_error_errno(err, "copy %s", rel);
		break;
	}
	/* Fallback for file systems copy_file_range does not take. */
	char buf[65536];
	for (;;) {
		ssize_t n = read(src, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_errno(err, "read %s", rel);
		if (n == 0)
			return 0;
		if (fs_write_all(dst, buf, (size_t)n) < 0)
			return berth_error_errno(err, "write %s", rel);
	}
}

/* A second name of an inode copied before: link to the first copy. */
static int try_hardlink(const struct stat *st, int dstdir, const char *name, const char *rel,
			struct copy_ctx *c, bool *done, struct berth_error **err)
{
	*done = false;
	if (S_ISDIR(st->st_mode) || st->st_nlink < 2)
		return 0;
	for (size_t i = 0; i < c->n_links; i++) {
		struct link_seen *l = &c->links[i];
		if (l->dev != st->st_dev || l->ino != st->st_ino)
			continue;
		if (linkat(c->dst_root, l->path, dstdir, name, 0) < 0)
			return berth_error_errno(err, "link %s to %s", rel, l->path);
		*done = true;
		return 0;
	}
	if (c->n_links == c->cap_links) {
		c->cap_links = c->cap_links ? 2 * c->cap_links : 16;
		c->links = xrealloc(c->links, c->cap_links * sizeof(*c->links));
	}
	c->links[c->n_links++] =
	    (struct link_seen){.dev = st->st_dev, .ino = st->st_ino, .path = xstrdup(rel)};
	return 0;
}

static int copy_file(int srcdir, int dstdir, const char *name, const struct stat *st,
		     const char *rel, struct copy_ctx *c, struct berth_error **err)
{
	cleanup_close int src = openat(srcdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
	if (src < 0)
		return berth_error_errno(err, "open %s", rel);
	cleanup_close int dst =
	    openat(dstdir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (dst < 0)
		return berth_error_errno(err, "create %s", rel);
	if (copy_data(src, dst, rel, err) < 0)
		return -1;
	return copy_meta_fd(src, dst, st, rel, c, err);
}

static int copy_symlink(int srcdir, int dstdir, const char *name, const struct stat *st,
			const char *rel, struct copy_ctx *c, struct berth_error **err)
{
	size_t cap = st->st_size > 0 ? (size_t)st->st_size + 1 : 256;
	cleanup_free char *target = NULL;
	for (;;) {
		target = xrealloc(target, cap);
		ssize_t n = readlinkat(srcdir, name, target, cap);
		if (n < 0)
			return berth_error_errno(err, "read link %s", rel);
		if ((size_t)n < cap) {
			target[n] = '\0';
			break;
		}
		cap *= 2;
	}
	if (symlinkat(target, dstdir, name) < 0)
		return berth_error_errno(err, "create symlink %s", rel);
	if (fchownat(dstdir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    !ignorable(errno))
		return berth_error_errno(err, "chown %s", rel);
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(dstdir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		log_debug("tmpcopyup %s: %s: times not kept: %s", c->what, rel, strerror(errno));
	return 0;
}

/* fifos, sockets, device nodes */
static int copy_special(int dstdir, const char *name, const struct stat *st, const char *rel,
			struct copy_ctx *c, struct berth_error **err)
{
	if (mknodat(dstdir, name, st->st_mode & (S_IFMT | 0777), st->st_rdev) < 0) {
		if (errno == EPERM) {
			log_debug("tmpcopyup %s: %s: node not created: %s", c->what, rel,
				  strerror(errno));
			return 0;
		}
		return berth_error_errno(err, "create node %s", rel);
	}
	/* A node cannot be opened safely for its metadata: use the *at calls. */
	if (fchownat(dstdir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    !ignorable(errno))
		return berth_error_errno(err, "chown %s", rel);
	if (fchmodat(dstdir, name, st->st_mode & 07777, 0) < 0)
		return berth_error_errno(err, "chmod %s", rel);
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(dstdir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		log_debug("tmpcopyup %s: %s: times not kept: %s", c->what, rel, strerror(errno));
	return 0;
}

static int copy_dir_contents(int src, int dst, const char *rel, int depth, struct copy_ctx *c,
			     struct berth_error **err);

static int copy_subdir(int srcdir, int dstdir, const char *name, const struct stat *st,
		       const char *rel, int depth, struct copy_ctx *c, struct berth_error **err)
{
	if (depth >= MAX_DEPTH)
		return berth_error_set(err, ELOOP, "%s: more than %d directory levels", rel,
				       MAX_DEPTH);
	cleanup_close int src =
	    openat(srcdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (src < 0)
		return berth_error_errno(err, "open directory %s", rel);
	if (mkdirat(dstdir, name, 0700) < 0)
		return berth_error_errno(err, "create directory %s", rel);
	cleanup_close int dst =
	    openat(dstdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (dst < 0)
		return berth_error_errno(err, "open directory %s", rel);
	if (copy_dir_contents(src, dst, rel, depth + 1, c, err) < 0)
		return -1;
	/* After the contents, so that their creation does not change the times. */
	return copy_meta_fd(src, dst, st, rel, c, err);
}

static int copy_entry(int src, int dst, const char *name, const char *rel, int depth,
		      struct copy_ctx *c, struct berth_error **err)
{
	struct stat st;
	if (fstatat(src, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "stat %s", rel);
	bool linked;
	if (try_hardlink(&st, dst, name, rel, c, &linked, err) < 0)
		return -1;
	if (linked)
		return 0;
	switch (st.st_mode & S_IFMT) {
	case S_IFDIR:
		return copy_subdir(src, dst, name, &st, rel, depth, c, err);
	case S_IFREG:
		return copy_file(src, dst, name, &st, rel, c, err);
	case S_IFLNK:
		return copy_symlink(src, dst, name, &st, rel, c, err);
	default:
		return copy_special(dst, name, &st, rel, c, err);
	}
}

static int copy_dir_contents(int src, int dst, const char *rel, int depth, struct copy_ctx *c,
			     struct berth_error **err)
{
	int dfd = fcntl(src, F_DUPFD_CLOEXEC, 0);
	if (dfd < 0)
		return berth_error_errno(err, "read directory %s: dup", rel);
	cleanup_closedir DIR *d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return berth_error_errno(err, "read directory %s", rel);
	}
	for (;;) {
		errno = 0;
		struct dirent *e = readdir(d);
		if (!e) {
			if (errno)
				return berth_error_errno(err, "read directory %s", rel);
			return 0;
		}
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		cleanup_free char *sub =
		    *rel ? xasprintf("%s/%s", rel, e->d_name) : xstrdup(e->d_name);
		if (copy_entry(src, dst, e->d_name, sub, depth, c, err) < 0)
			return -1;
	}
}

/* data has the tmpfs option key (as "key=...") */
static bool has_option(const char *data, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = data; p && *p;) {
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return true;
		p = strchr(p, ',');
		if (p)
			p++;
	}
	return false;
}

/* The tmpfs root takes the covered directory's mode and owner, as with runc,
 * unless the mount options chose them. */
static int copy_root_meta(int src, int dst, const char *data, struct copy_ctx *c,
			  struct berth_error **err)
{
	struct stat st;
	if (fstat(src, &st) < 0)
		return berth_error_errno(err, "stat %s", c->what);
	uid_t uid = has_option(data, "uid") ? (uid_t)-1 : st.st_uid;
	gid_t gid = has_option(data, "gid") ? (gid_t)-1 : st.st_gid;
	if ((uid != (uid_t)-1 || gid != (gid_t)-1) && fchown(dst, uid, gid) < 0 &&
	    !ignorable(errno))
		return berth_error_errno(err, "chown %s", c->what);
	if (!has_option(data, "mode") && fchmod(dst, st.st_mode & 07777) < 0)
		return berth_error_errno(err, "chmod %s", c->what);
	return 0;
}

static int copy_tree(int src, int dst, const char *what, const char *data, struct berth_error **err)
{
	struct copy_ctx c = {.dst_root = dst, .what = what};
	int r = copy_dir_contents(src, dst, "", 0, &c, err);
	if (r == 0)
		r = copy_root_meta(src, dst, data, &c, err);
	ctx_free(&c);
	return r;
}

/* Per-mount flags a bind remount sets again. */
#define MNT_FLAGS                                                                                  \
	(MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_NOATIME | MS_NODIRATIME | MS_RELATIME | \
	 MS_STRICTATIME)

int mount_tmpfs_copyup(int rootfd, int target, const struct oci_mount *m, unsigned long flags,
		       struct berth_error **err)
{
	const char *what = m->destination;
	/* The directory the tmpfs will cover: after the mount this fd still
	 * reaches it (and only it). */
	cleanup_close int under = openat(target, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (under < 0)
		return berth_error_errno(err, "tmpcopyup: open %s", what);
	/* Read-only only once it is filled. */
	const char *src = m->source ? m->source : m->type;
	if (mount_at_fd(src, target, m->type, flags & ~MS_RDONLY, m->data, what, err) < 0)
		return -1;
	cleanup_close int top_path = path_open_in_root(rootfd, what, PATH_NO_CREATE, err);
	if (top_path < 0)
		return -1;
	cleanup_close int top = openat(top_path, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (top < 0)
		return berth_error_errno(err, "tmpcopyup: open the tmpfs on %s", what);
	if (copy_tree(under, top, what, m->data, err) < 0)
		return berth_error_wrap(err, "tmpcopyup %s", what);
	if ((flags & MS_RDONLY) && mount_remount_bind(top_path, flags & MNT_FLAGS, what, err) < 0)
		return -1;
	return 0;
}
