/* cp -a in C (the native snapshotter's copy) and the usage walk. Everything
 * works on directory fds with *at() calls and never follows a symlink. */
#include "core/snapshots/fsutil.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

/* (dev, ino) -> destination path relative to the copy's root, for inodes
 * with more than one link. Open addressing, grown at half full. */
struct link_entry {
	dev_t dev;
	ino_t ino;
	char *path; /* NULL: empty slot */
};

struct copy_ctx {
	int dst_root;
	struct link_entry *links;
	size_t n_links, cap_links;
};

static size_t link_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ULL ^ (uint64_t)dev;
	return (size_t)(h ^ (h >> 29));
}

static struct link_entry *link_slot(struct copy_ctx *c, dev_t dev, ino_t ino)
{
	size_t mask = c->cap_links - 1;
	for (size_t i = link_hash(dev, ino) & mask;; i = (i + 1) & mask) {
		struct link_entry *e = &c->links[i];
		if (e->path == NULL || (e->dev == dev && e->ino == ino))
			return e;
	}
}

static void link_add(struct copy_ctx *c, dev_t dev, ino_t ino, const char *path)
{
	if (2 * (c->n_links + 1) > c->cap_links) {
		struct link_entry *old = c->links;
		size_t old_cap = c->cap_links;
		c->cap_links = old_cap ? old_cap * 2 : 64;
		c->links = xcalloc(c->cap_links, sizeof(*c->links));
		for (size_t i = 0; i < old_cap; i++)
			if (old[i].path)
				*link_slot(c, old[i].dev, old[i].ino) = old[i];
		free(old);
	}
	struct link_entry *e = link_slot(c, dev, ino);
	*e = (struct link_entry){dev, ino, xstrdup(path)};
	c->n_links++;
}

static const char *link_find(struct copy_ctx *c, dev_t dev, ino_t ino)
{
	if (c->cap_links == 0)
		return NULL;
	return link_slot(c, dev, ino)->path;
}

static char *fd_path(int dirfd, const char *name)
{
	return xasprintf("/proc/self/fd/%d/%s", dirfd, name);
}

/* Copy the xattrs of sdir/name to ddir/name (name ".": the directories themselves). */
static int copy_xattrs(int sdir, int ddir, const char *name, const char *rel,
		       struct berth_error **err)
{
	cleanup_free char *sp = fd_path(sdir, name);
	cleanup_free char *dp = fd_path(ddir, name);
	ssize_t len = llistxattr(sp, NULL, 0);
	if (len < 0 && (errno == ENOTSUP || errno == ENODATA))
		return 0;
	if (len < 0)
		return berth_error_errno(err, "list xattrs of %s", rel);
	if (len == 0)
		return 0;
	cleanup_free char *names = xmalloc((size_t)len);
	if ((len = llistxattr(sp, names, (size_t)len)) < 0)
		return berth_error_errno(err, "list xattrs of %s", rel);
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vlen = lgetxattr(sp, n, NULL, 0);
		if (vlen < 0)
			return berth_error_errno(err, "get xattr %s of %s", n, rel);
		cleanup_free char *val = xmalloc((size_t)vlen + 1);
		if ((vlen = lgetxattr(sp, n, val, (size_t)vlen)) < 0)
			return berth_error_errno(err, "get xattr %s of %s", n, rel);
		if (lsetxattr(dp, n, val, (size_t)vlen, 0) < 0)
			return berth_error_errno(err, "set xattr %s on %s", n, rel);
	}
	return 0;
}

/* Owner, mode, xattrs, times of ddir/name from st (chown first: it clears setuid). */
static int copy_meta(int sdir, int ddir, const char *name, const char *rel, const struct stat *st,
		     struct berth_error **err)
{
	if (fchownat(ddir, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "chown %s", rel);
	if (!S_ISLNK(st->st_mode) && fchmodat(ddir, name, st->st_mode & 07777, 0) < 0)
		return berth_error_errno(err, "chmod %s", rel);
	if (copy_xattrs(sdir, ddir, name, rel, err) < 0)
		return -1;
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	if (utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "set times of %s", rel);
	return 0;
}

static int copy_data(int sfd, int dfd, const char *rel, struct berth_error **err)
{
	bool use_cfr = true;
	char buf[65536];
	for (;;) {
		ssize_t n;
		if (use_cfr) {
			n = copy_file_range(sfd, NULL, dfd, NULL, 1 << 30, 0);
			if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS ||
				      errno == EOPNOTSUPP)) {
				use_cfr = false;
				continue;
			}
		} else {
			n = read(sfd, buf, sizeof(buf));
			if (n > 0 && write(dfd, buf, (size_t)n) != n)
				return berth_error_errno(err, "write %s", rel);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_errno(err, "copy %s", rel);
		if (n == 0)
			return 0;
	}
}

static int copy_dir(struct copy_ctx *c, int sfd, int dfd, const char *rel,
		    struct berth_error **err);

static int copy_entry(struct copy_ctx *c, int sfd, int dfd, const char *name, const char *rel,
		      struct berth_error **err)
{
	struct stat st;
	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "stat %s", rel);
	if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
		const char *first = link_find(c, st.st_dev, st.st_ino);
		if (first) {
			if (linkat(c->dst_root, first, dfd, name, 0) < 0)
				return berth_error_errno(err, "link %s to %s", rel, first);
			return 0;
		}
		link_add(c, st.st_dev, st.st_ino, rel);
	}
	if (S_ISREG(st.st_mode)) {
		cleanup_close int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (in < 0)
			return berth_error_errno(err, "open %s", rel);
		cleanup_close int out =
		    openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (out < 0)
			return berth_error_errno(err, "create %s", rel);
		if (copy_data(in, out, rel, err) < 0)
			return -1;
	} else if (S_ISDIR(st.st_mode)) {
		if (mkdirat(dfd, name, 0700) < 0)
			return berth_error_errno(err, "mkdir %s", rel);
		cleanup_close int sub =
		    openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		cleanup_close int dsub =
		    openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0 || dsub < 0)
			return berth_error_errno(err, "open %s", rel);
		if (copy_dir(c, sub, dsub, rel, err) < 0)
			return -1;
	} else if (S_ISLNK(st.st_mode)) {
		cleanup_free char *target = xmalloc((size_t)st.st_size + 1);
		ssize_t n = readlinkat(sfd, name, target, (size_t)st.st_size + 1);
		if (n < 0 || n > st.st_size)
			return berth_error_errno(err, "readlink %s", rel);
		target[n] = '\0';
		if (symlinkat(target, dfd, name) < 0)
			return berth_error_errno(err, "symlink %s", rel);
	} else {
		if (mknodat(dfd, name, st.st_mode & S_IFMT, st.st_rdev) < 0)
			return berth_error_errno(err, "mknod %s (%u:%u)", rel, major(st.st_rdev),
						 minor(st.st_rdev));
	}
	return copy_meta(sfd, dfd, name, rel, &st, err);
}

static int copy_dir(struct copy_ctx *c, int sfd, int dfd, const char *rel, struct berth_error **err)
{
	int dup_fd = fcntl(sfd, F_DUPFD_CLOEXEC, 0);
	cleanup_closedir DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return berth_error_errno(err, "read directory %s", rel[0] ? rel : ".");
	}
	struct dirent *de;
	errno = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *sub =
		    rel[0] ? xasprintf("%s/%s", rel, de->d_name) : xstrdup(de->d_name);
		if (copy_entry(c, sfd, dfd, de->d_name, sub, err) < 0)
			return -1;
		errno = 0;
	}
	if (errno)
		return berth_error_errno(err, "read directory %s", rel[0] ? rel : ".");
	return 0;
}

int snap_copy_tree(const char *src, const char *dst, struct berth_error **err)
{
	cleanup_close int sfd = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sfd < 0)
		return berth_error_errno(err, "open %s", src);
	cleanup_close int dfd = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", dst);
	struct copy_ctx c = {.dst_root = dfd};
	int r = copy_dir(&c, sfd, dfd, "", err);
	struct stat st;
	if (r == 0 && fstat(sfd, &st) < 0)
		r = berth_error_errno(err, "stat %s", src);
	if (r == 0)
		r = copy_meta(sfd, dfd, ".", ".", &st, err);
	for (size_t i = 0; i < c.cap_links; i++)
		free(c.links[i].path);
	free(c.links);
	if (r < 0)
		return berth_error_wrap(err, "copy %s to %s", src, dst);
	return 0;
}

struct inode {
	dev_t dev;
	ino_t ino;
	blkcnt_t blocks;
};

struct usage_ctx {
	struct snap_usage u;
	struct inode *shared; /* inodes with several links, counted at the end */
	size_t n, cap;
};

static int usage_dir(struct usage_ctx *c, int fd, const char *rel, struct berth_error **err)
{
	int dup_fd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	cleanup_closedir DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
	if (d == NULL) {
		if (dup_fd >= 0)
			close(dup_fd);
		return berth_error_errno(err, "read directory %s", rel);
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		struct stat st;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return berth_error_errno(err, "stat %s/%s", rel, de->d_name);
		if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
			if (c->n == c->cap) {
				c->cap = c->cap ? c->cap * 2 : 64;
				c->shared = xrealloc(c->shared, c->cap * sizeof(*c->shared));
			}
			c->shared[c->n++] = (struct inode){st.st_dev, st.st_ino, st.st_blocks};
			continue;
		}
		c->u.inodes++;
		c->u.size += (int64_t)st.st_blocks * 512;
		if (S_ISDIR(st.st_mode)) {
			cleanup_close int sub =
			    openat(fd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			cleanup_free char *p = xasprintf("%s/%s", rel, de->d_name);
			if (sub < 0)
				return berth_error_errno(err, "open %s", p);
			if (usage_dir(c, sub, p, err) < 0)
				return -1;
		}
	}
	return 0;
}

static int inode_cmp(const void *a, const void *b)
{
	const struct inode *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

int snap_fs_usage(const char *dir, struct snap_usage *out, struct berth_error **err)
{
	cleanup_close int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "open %s", dir);
	struct usage_ctx c = {0};
	int r = usage_dir(&c, fd, dir, err);
	qsort(c.shared, c.n, sizeof(*c.shared), inode_cmp);
	for (size_t i = 0; i < c.n; i++) {
		if (i > 0 && inode_cmp(&c.shared[i], &c.shared[i - 1]) == 0)
			continue;
		c.u.inodes++;
		c.u.size += (int64_t)c.shared[i].blocks * 512;
	}
	free(c.shared);
	if (r == 0)
		*out = c.u;
	return r;
}
