/* Writing one tar entry under the root: files, directories, symlinks,
 * hardlinks, device nodes and fifos, with owner, mode (setuid included),
 * xattrs and times. Directories get their mode and times at the end
 * (unpack.c), once their contents are in. */
#include "core/archive/unpack-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

static int set_xattrs(int dirfd, const char *base, struct archive_entry *e,
		      struct berth_error **err)
{
	const char *name;
	const void *val;
	size_t len;
	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &val, &len) == ARCHIVE_OK) {
		/* overlay's own attributes (opaque, redirect, metacopy) come only
		 * from whiteout conversion, never from a layer's headers. */
		if (strncmp(name, "trusted.overlay.", 16) == 0)
			continue;
		if (unpack_setxattr_at(dirfd, base, name, val, len) < 0 && errno != ENOTSUP)
			return berth_error_errno(err, "set xattr %s", name);
	}
	return 0;
}

static void entry_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1] = (struct timespec){archive_entry_mtime(e), archive_entry_mtime_nsec(e)};
	ts[0] = archive_entry_atime_is_set(e)
		    ? (struct timespec){archive_entry_atime(e), archive_entry_atime_nsec(e)}
		    : ts[1];
}

/* chown (first: it clears setuid and capabilities), chmod, xattrs, times. */
static int set_meta(struct unpack *u, int dirfd, const char *base, struct archive_entry *e,
		    bool is_link, struct berth_error **err)
{
	if (u->chown && fchownat(dirfd, base, (uid_t)archive_entry_uid(e),
				 (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "chown to %lld:%lld", (long long)archive_entry_uid(e),
					 (long long)archive_entry_gid(e));
	if (!is_link && fchmodat(dirfd, base, archive_entry_perm(e) & 07777, 0) < 0)
		return berth_error_errno(err, "chmod %o", archive_entry_perm(e) & 07777);
	if (set_xattrs(dirfd, base, e, err) < 0)
		return -1;
	struct timespec ts[2];
	entry_times(e, ts);
	if (utimensat(dirfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "set times");
	return 0;
}

static int write_data(struct archive *a, int fd, int64_t size, struct berth_error **err)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	int64_t end = 0;
	int r;
	while ((r = archive_read_data_block(a, &buf, &len, &off)) == ARCHIVE_OK) {
		if (len > 0 && off + (int64_t)len > end)
			end = off + (int64_t)len;
		for (size_t done = 0; done < len;) {
			ssize_t w = pwrite(fd, (const char *)buf + done, len - done,
					   (off_t)off + (off_t)done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return berth_error_errno(err, "write");
			done += (size_t)w;
		}
	}
	if (r != ARCHIVE_EOF)
		return berth_error_set(err, archive_errno(a) > 0 ? archive_errno(a) : EIO,
				       "read data: %s", archive_error_string(a));
	/* a sparse file may end in a hole (skipped otherwise: it costs an inode update) */
	if (size > end && ftruncate(fd, (off_t)size) < 0)
		return berth_error_errno(err, "truncate to %lld", (long long)size);
	return 0;
}

static int make_file(struct unpack *u, struct archive *a, struct archive_entry *e, int dirfd,
		     const char *base, struct berth_error **err)
{
	cleanup_close int fd =
	    openat(dirfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return berth_error_errno(err, "create");
	if (write_data(a, fd, archive_entry_size(e), err) < 0)
		return -1;
	return set_meta(u, dirfd, base, e, false, err);
}

static int make_hardlink(struct unpack *u, struct archive_entry *e, int dirfd, const char *base,
			 const char *path, struct berth_error **err)
{
	cleanup_free char *target = NULL;
	if (unpack_clean_name(archive_entry_hardlink(e), &target, err) < 0)
		return berth_error_wrap(err, "hardlink target");
	if (target[0] == '\0' || strcmp(target, path) == 0)
		return berth_error_set(err, EINVAL, "hardlink to %s: invalid target",
				       archive_entry_hardlink(e));
	const char *tbase;
	cleanup_close int tdir = unpack_open_parent(u, target, false, &tbase, err);
	if (tdir < 0)
		return berth_error_wrap(err, "hardlink target %s", target);
	struct stat st;
	if (fstatat(tdir, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "hardlink target %s", target);
	if (S_ISDIR(st.st_mode))
		return berth_error_set(err, EPERM, "hardlink target %s: is a directory", target);
	if (linkat(tdir, tbase, dirfd, base, 0) < 0)
		return berth_error_errno(err, "link to %s", target);
	return 0;
}

static int make_dir(struct unpack *u, struct archive_entry *e, int dirfd, const char *base,
		    const char *path, bool exists, struct berth_error **err)
{
	if (!exists && mkdirat(dirfd, base, 0700) < 0)
		return berth_error_errno(err, "mkdir");
	if (u->chown && fchownat(dirfd, base, (uid_t)archive_entry_uid(e),
				 (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "chown to %lld:%lld", (long long)archive_entry_uid(e),
					 (long long)archive_entry_gid(e));
	if (set_xattrs(dirfd, base, e, err) < 0)
		return -1;
	if (u->n_dirs == u->cap_dirs) {
		u->cap_dirs = u->cap_dirs ? u->cap_dirs * 2 : 64;
		u->dirs = xrealloc(u->dirs, u->cap_dirs * sizeof(*u->dirs));
	}
	struct dir_meta *d = &u->dirs[u->n_dirs++];
	d->path = xstrdup(path);
	d->mode = archive_entry_perm(e) & 07777;
	entry_times(e, d->times);
	return 0;
}

/* Make room for the entry: an existing directory stays if a directory
 * comes, anything else is removed (never followed). *exists tells which. */
static int clear_target(struct unpack *u, int dirfd, const char *base, bool want_dir,
			const char *path, bool *exists, struct berth_error **err)
{
	struct stat st;
	*exists = false;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return berth_error_errno(err, "stat");
	}
	if (want_dir && S_ISDIR(st.st_mode)) {
		*exists = true;
		return 0;
	}
	unpack_parent_forget(u);
	return unpack_remove_at(dirfd, base, path, err);
}

static int make_node(struct unpack *u, struct archive_entry *e, int dirfd, const char *base,
		     struct berth_error **err)
{
	mode_t type = archive_entry_filetype(e);
	dev_t dev = 0;
	if (type == AE_IFCHR || type == AE_IFBLK)
		dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	if (mknodat(dirfd, base, type | 0600, dev) < 0)
		return berth_error_errno(err, "mknod %s %u:%u",
					 type == AE_IFIFO ? "fifo" : "device", major(dev),
					 minor(dev));
	return set_meta(u, dirfd, base, e, false, err);
}

int unpack_entry(struct unpack *u, struct archive *a, struct archive_entry *e, const char *path,
		 struct berth_error **err)
{
	mode_t type = archive_entry_filetype(e);
	bool hardlink = archive_entry_hardlink(e) != NULL;
	if (type == AE_IFSOCK)
		return 0; /* tar does not restore sockets either */
	if (path[0] == '\0') {
		/* "./": the root itself */
		if (type != AE_IFDIR)
			return berth_error_set(err, EINVAL, "the root must be a directory");
		return make_dir(u, e, u->root, ".", "", true, err);
	}
	const char *base;
	int dirfd = unpack_parent_cached(u, path, &base, err); /* borrowed */
	if (dirfd < 0)
		return -1;
	bool exists;
	if (clear_target(u, dirfd, base, !hardlink && type == AE_IFDIR, path, &exists, err) < 0)
		return -1;
	if (u->opts->whiteouts == ARC_WHITEOUT_APPLY)
		pathset_add(&u->created, path);
	if (hardlink)
		return make_hardlink(u, e, dirfd, base, path, err);
	switch (type) {
	case AE_IFREG:
		return make_file(u, a, e, dirfd, base, err);
	case AE_IFDIR:
		return make_dir(u, e, dirfd, base, path, exists, err);
	case AE_IFLNK: {
		const char *target = archive_entry_symlink(e);
		if (target == NULL || target[0] == '\0')
			return berth_error_set(err, EINVAL, "symlink without a target");
		if (symlinkat(target, dirfd, base) < 0)
			return berth_error_errno(err, "symlink to %s", target);
		return set_meta(u, dirfd, base, e, true, err);
	}
	case AE_IFCHR:
	case AE_IFBLK:
	case AE_IFIFO:
		return make_node(u, e, dirfd, base, err);
	default:
		return berth_error_set(err, EINVAL, "unsupported entry type 0%o", (unsigned)type);
	}
}

int unpack_finish_dirs(struct unpack *u, struct berth_error **err)
{
	for (size_t i = u->n_dirs; i-- > 0;) {
		struct dir_meta *d = &u->dirs[i];
		const char *base;
		cleanup_close int dirfd = unpack_open_parent(u, d->path, false, &base, NULL);
		struct stat st;
		if (dirfd < 0 || fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode))
			continue; /* replaced or whited out later in the stream */
		if (fchmodat(dirfd, base, d->mode, 0) < 0)
			return berth_error_errno(err, "chmod directory %s",
						 d->path[0] ? d->path : ".");
		if (utimensat(dirfd, base, d->times, AT_SYMLINK_NOFOLLOW) < 0)
			return berth_error_errno(err, "set times of directory %s",
						 d->path[0] ? d->path : ".");
	}
	return 0;
}

void unpack_release(struct unpack *u)
{
	unpack_parent_close(u);
	for (size_t i = 0; i < u->n_dirs; i++)
		free(u->dirs[i].path);
	free(u->dirs);
	u->dirs = NULL;
	u->n_dirs = u->cap_dirs = 0;
	pathset_free(&u->created);
}
