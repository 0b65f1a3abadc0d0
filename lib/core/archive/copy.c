/* Tar streams for docker cp and export (copy.h). Out: a walk with *at()
 * calls that never follow a symlink, members renamed under a prefix. In:
 * the layer unpacker's entry writer (entry.c, resolve.c) without whiteouts,
 * plus docker's noOverwriteDirNonDir check and an owner override. */
#include "core/archive/copy.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/archive/tar-out.h"
#include "core/archive/unpack-internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

/* ---- out ---- */

struct out {
	struct archive *tar;
	arc_out_fn fn;
	void *arg;
	struct berth_error *io_err;
	struct tarout_links links;
};

static la_ssize_t out_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	(void)a;
	struct out *o = arg;
	if (o->fn(o->arg, buf, len, &o->io_err) < 0)
		return -1;
	return (la_ssize_t)len;
}

static int out_fail(struct out *o, const char *what, const char *name, struct berth_error **err)
{
	if (o->io_err) {
		*err = o->io_err;
		o->io_err = NULL;
		return -1;
	}
	return berth_error_set(err, EIO, "%s %s: %s", what, name, archive_error_string(o->tar));
}

static int put_data(struct out *o, struct archive_entry *e, const char *name, int fd,
		    struct berth_error **err)
{
	const char *what;
	int r = tarout_put(o->tar, e, fd, name, &what, err);
	return r == -2 ? out_fail(o, what, name, err) : r;
}

static int out_walk(struct out *o, int dirfd, const char *prefix, struct berth_error **err);

/* Kernel filesystems (a running container's /proc, /sys, /dev/pts, ...
 * seen through its mount namespace): their directory is listed, not what
 * is in them, as docker (whose view of the rootfs has nothing mounted
 * there) does. */
bool arc_kernel_fs(int fd)
{
	static const unsigned long types[] = {
	    0x9fa0,	/* proc */
	    0x62656572, /* sysfs */
	    0x1cd1,	/* devpts */
	    0x27e0eb,	/* cgroup */
	    0x63677270, /* cgroup2 */
	    0x19800202, /* mqueue */
	    0x73636673, /* securityfs */
	    0x64626720, /* debugfs */
	    0x74726163, /* tracefs */
	    0xcafe4a11, /* bpf */
	};
	struct statfs sf;
	if (fstatfs(fd, &sf) < 0)
		return false;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if ((unsigned long)sf.f_type == types[i])
			return true;
	return false;
}

/* dirfd/name as the member `member` (a directory: with a trailing "/"). */
static int out_one(struct out *o, int dirfd, const char *name, const char *member,
		   struct berth_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "stat %s", member);
	if (S_ISSOCK(st.st_mode))
		return 0;
	cleanup_free char *mname = S_ISDIR(st.st_mode) ? xasprintf("%s/", member) : NULL;
	struct archive_entry *e = tarout_entry(&st, mname ? mname : member);
	int r = 0;
	cleanup_close int fd = -1;
	const char *first = !S_ISDIR(st.st_mode) && st.st_nlink > 1
				? tarout_link_seen(&o->links, &st, member)
				: NULL;
	if (first) {
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
		r = put_data(o, e, member, -1, err);
		archive_entry_free(e);
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		r = tarout_symlink(e, dirfd, name, st.st_size, member, err);
	} else if (S_ISREG(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = berth_error_errno(err, "open %s", member);
	}
	if (r == 0)
		r = put_data(o, e, member, fd, err);
	archive_entry_free(e);
	if (r == 0 && S_ISDIR(st.st_mode)) {
		cleanup_close int sub =
		    openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return berth_error_errno(err, "open %s", member);
		if (!arc_kernel_fs(sub))
			r = out_walk(o, sub, member, err);
	}
	return r;
}

/* The entries of dirfd, sorted, as prefix/<name> (or <name>). */
static int out_walk(struct out *o, int dirfd, const char *prefix, struct berth_error **err)
{
	cleanup_strv char **names = NULL;
	size_t n;
	if (tarout_sorted_names(dirfd, prefix, &names, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *m =
		    prefix[0] ? xasprintf("%s/%s", prefix, names[i]) : xstrdup(names[i]);
		if (out_one(o, dirfd, names[i], m, err) < 0)
			return -1;
	}
	return 0;
}

int arc_copy_out(int dirfd, const char *name, const char *prefix, arc_out_fn out, void *arg,
		 struct berth_error **err)
{
	struct out o = {.tar = archive_write_new(), .fn = out, .arg = arg};
	if (o.tar == NULL)
		abort();
	archive_write_set_format_pax_restricted(o.tar);
	archive_write_set_bytes_in_last_block(o.tar, 1);
	int r = 0;
	if (archive_write_open(o.tar, &o, NULL, out_cb, NULL) != ARCHIVE_OK)
		r = out_fail(&o, "start", "tar", err);
	if (r == 0 && (prefix == NULL || prefix[0] == '\0')) {
		cleanup_close int sub =
		    openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		r = sub < 0 ? berth_error_errno(err, "open directory %s", name)
			    : out_walk(&o, sub, "", err);
	} else if (r == 0) {
		r = out_one(&o, dirfd, name, prefix, err);
	}
	if (r == 0 && archive_write_close(o.tar) != ARCHIVE_OK)
		r = out_fail(&o, "finish", "tar", err);
	archive_write_free(o.tar);
	tarout_links_free(&o.links);
	berth_error_free(&o.io_err);
	return r;
}

/* ---- in ---- */

struct in {
	arc_in_fn fn;
	void *arg;
	char buf[65536];
	size_t total; /* bytes read */
	struct berth_error *io_err;
};

static la_ssize_t in_cb(struct archive *a, void *arg, const void **buf)
{
	(void)a;
	struct in *i = arg;
	ssize_t n = i->fn(i->arg, i->buf, sizeof(i->buf), &i->io_err);
	*buf = i->buf;
	if (n > 0)
		i->total += (size_t)n;
	return n < 0 ? -1 : (la_ssize_t)n;
}

/* docker's noOverwriteDirNonDir on one entry. */
static int check_overwrite(struct unpack *u, struct archive_entry *e, const char *path,
			   struct berth_error **err)
{
	if (path[0] == '\0')
		return 0;
	const char *base;
	int dirfd = unpack_parent_cached(u, path, &base, err); /* borrowed */
	if (dirfd < 0)
		return -1;
	struct stat st;
	if (fstatat(dirfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	bool want_dir = archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e);
	if (S_ISDIR(st.st_mode) && !want_dir)
		return berth_error_set(
		    err, EISDIR, "cannot overwrite directory \"/%s\" with non-directory", path);
	if (!S_ISDIR(st.st_mode) && want_dir)
		return berth_error_set(
		    err, ENOTDIR, "cannot overwrite non-directory \"/%s\" with directory", path);
	return 0;
}

static int in_entries(struct unpack *u, struct archive *tar, const struct arc_copy_in_opts *opts,
		      size_t *count, struct berth_error **err)
{
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		cleanup_free char *path = NULL;
		if (unpack_clean_name(name, &path, err) < 0)
			return berth_error_wrap(err, "tar entry \"%s\"", name ? name : "");
		for (size_t b = 0; opts->busy && opts->busy[b]; b++)
			if (strcmp(path, opts->busy[b]) == 0)
				return berth_error_set(
				    err, EBUSY, "unlinkat %s/%s: device or resource busy",
				    opts->busy_base ? opts->busy_base : "", path);
		if (opts->no_overwrite_dir_nondir && check_overwrite(u, e, path, err) < 0)
			return -1;
		if (opts->uid >= 0)
			archive_entry_set_uid(e, opts->uid);
		if (opts->gid >= 0)
			archive_entry_set_gid(e, opts->gid);
		if (unpack_entry(u, tar, e, path, err) < 0)
			return berth_error_wrap(err, "tar entry \"%s\"", name);
		(*count)++;
	}
	if (r != ARCHIVE_EOF)
		return -2;
	return 0;
}

int arc_copy_in(arc_in_fn in, void *arg, const char *root, const struct arc_copy_in_opts *opts,
		size_t *entries, struct berth_error **err)
{
	static const struct arc_copy_in_opts defaults = {.uid = -1, .gid = -1};
	static const struct arc_unpack_opts uopts = {.whiteouts = ARC_WHITEOUT_OVERLAY};
	opts = opts ? opts : &defaults;
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_errno(err, "extract into %s", root);
	struct unpack u = {.root = rootfd, .opts = &uopts, .chown = true, .parent_fd = -1};
	struct in src = {.fn = in, .arg = arg};
	struct archive *tar = archive_read_new();
	if (tar == NULL)
		abort();
	archive_read_support_filter_gzip(tar);
	archive_read_support_filter_bzip2(tar);
	archive_read_support_filter_xz(tar);
	archive_read_support_format_tar(tar);
	archive_read_support_format_gnutar(tar);
	size_t count = 0;
	int ret = 0;
	if (archive_read_open(tar, &src, NULL, in_cb, NULL) != ARCHIVE_OK)
		ret = -2;
	else
		ret = in_entries(&u, tar, opts, &count, err);
	/* an empty stream is an archive of no entries, as dockerd's untar
	 * (`docker cp - c:/dir </dev/null` succeeds) */
	if (ret == -2 && src.io_err == NULL && src.total == 0)
		ret = 0;
	if (ret == 0)
		ret = unpack_finish_dirs(&u, err);
	if (ret == -2) {
		if (src.io_err) {
			*err = src.io_err;
			src.io_err = NULL;
		} else {
			berth_error_set(err, EINVAL, "read tar: %s",
					archive_error_string(tar) ? archive_error_string(tar)
								  : "not a tar archive");
		}
		ret = -1;
	}
	unpack_release(&u);
	archive_read_free(tar);
	berth_error_free(&src.io_err);
	if (entries)
		*entries = count;
	return ret;
}
