/* Directory -> tar layer (for commit and push). A tar writer (pax where
 * needed) whose output is hashed (diffID) and fed to a second writer that
 * only compresses (format raw + gzip/zstd filter); what reaches the fd is
 * hashed again (the blob digest). */
#include "core/archive/archive.h"
#include "core/archive/tar-out.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

struct writer {
	const struct arc_write_opts *opts;
	struct archive *tar;
	struct archive *zip; /* NULL: uncompressed */
	int fd;
	EVP_MD_CTX *diff_md, *blob_md;
	uint64_t size, usize;
	struct tarout_links links;
	struct berth_error *io_err;
};

static int write_out(struct writer *w, const void *buf, size_t len)
{
	for (size_t done = 0; done < len;) {
		ssize_t n = write(w->fd, (const char *)buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_errno(&w->io_err, "write layer");
		done += (size_t)n;
	}
	EVP_DigestUpdate(w->blob_md, buf, len);
	w->size += len;
	return 0;
}

static la_ssize_t zip_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	(void)a;
	return write_out(arg, buf, len) < 0 ? -1 : (la_ssize_t)len;
}

static la_ssize_t tar_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	struct writer *w = arg;
	EVP_DigestUpdate(w->diff_md, buf, len);
	w->usize += len;
	if (w->zip == NULL)
		return write_out(w, buf, len) < 0 ? -1 : (la_ssize_t)len;
	if (archive_write_data(w->zip, buf, len) != (la_ssize_t)len) {
		archive_set_error(a, EIO, "compress: %s", archive_error_string(w->zip));
		return -1;
	}
	return (la_ssize_t)len;
}

static int tar_fail(struct writer *w, const char *what, const char *path, struct berth_error **err)
{
	if (w->io_err) {
		*err = w->io_err;
		w->io_err = NULL;
		return berth_error_wrap(err, "%s %s", what, path);
	}
	return berth_error_set(err, EIO, "%s %s: %s", what, path, archive_error_string(w->tar));
}

/* xattrs of dirfd/name into e; *opaque set for trusted.overlay.opaque=y. */
static int add_xattrs(struct writer *w, int dirfd, const char *name, struct archive_entry *e,
		      bool *opaque, struct berth_error **err)
{
	cleanup_free char *p = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
	ssize_t len = llistxattr(p, NULL, 0);
	if (len <= 0)
		return len < 0 && errno != ENOTSUP
			   ? berth_error_errno(err, "list xattrs of %s", name)
			   : 0;
	cleanup_free char *names = xmalloc((size_t)len);
	if ((len = llistxattr(p, names, (size_t)len)) < 0)
		return berth_error_errno(err, "list xattrs of %s", name);
	for (char *n = names; n < names + len; n += strlen(n) + 1) {
		ssize_t vl = lgetxattr(p, n, NULL, 0);
		cleanup_free char *v = vl >= 0 ? xmalloc((size_t)vl + 1) : NULL;
		if (vl < 0 || (vl = lgetxattr(p, n, v, (size_t)vl)) < 0)
			return berth_error_errno(err, "get xattr %s of %s", n, name);
		if (w->opts->overlay_whiteouts && strncmp(n, "trusted.overlay.", 16) == 0) {
			if (strcmp(n, "trusted.overlay.opaque") == 0 && vl == 1 && v[0] == 'y')
				*opaque = true;
			continue;
		}
		archive_entry_xattr_add_entry(e, n, v, (size_t)vl);
	}
	return 0;
}

static int put(struct writer *w, struct archive_entry *e, const char *rel, int datafd,
	       struct berth_error **err)
{
	const char *what;
	int r = tarout_put(w->tar, e, datafd, rel, &what, err);
	return r == -2 ? tar_fail(w, what, rel, err) : r;
}

static int put_empty(struct writer *w, const char *path, const struct stat *st,
		     struct berth_error **err)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0);
	archive_entry_set_uid(e, st->st_uid);
	archive_entry_set_gid(e, st->st_gid);
	archive_entry_set_mtime(e, st->st_mtim.tv_sec, st->st_mtim.tv_nsec);
	int r = put(w, e, path, -1, err);
	archive_entry_free(e);
	return r;
}

static int walk(struct writer *w, int dirfd, const char *rel, struct berth_error **err);

static int one(struct writer *w, int dirfd, const char *name, const char *rel,
	       struct berth_error **err)
{
	struct stat st;
	if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "stat %s", rel);
	if (S_ISSOCK(st.st_mode))
		return 0;
	if (w->opts->overlay_whiteouts && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0)) {
		const char *slash = strrchr(rel, '/');
		cleanup_free char *wh =
		    slash ? xasprintf("%.*s/.wh.%s", (int)(slash - rel), rel, slash + 1)
			  : xasprintf(".wh.%s", rel);
		return put_empty(w, wh, &st, err);
	}
	struct archive_entry *e = tarout_entry(&st, rel);
	bool opaque = false;
	cleanup_close int fd = -1;
	int r = add_xattrs(w, dirfd, name, e, &opaque, err);
	const char *first = r == 0 && !S_ISDIR(st.st_mode) && st.st_nlink > 1
				? tarout_link_seen(&w->links, &st, rel)
				: NULL;
	if (first) {
		archive_entry_set_hardlink(e, first);
		archive_entry_set_size(e, 0);
		r = put(w, e, rel, -1, err);
		archive_entry_free(e);
		return r;
	}
	if (r == 0 && S_ISLNK(st.st_mode)) {
		r = tarout_symlink(e, dirfd, name, st.st_size, rel, err);
	} else if (r == 0 && S_ISREG(st.st_mode)) {
		fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd < 0)
			r = berth_error_errno(err, "open %s", rel);
	}
	if (r == 0)
		r = put(w, e, rel, fd, err);
	archive_entry_free(e);
	if (r == 0 && S_ISDIR(st.st_mode)) {
		cleanup_close int sub =
		    openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			return berth_error_errno(err, "open %s", rel);
		if (opaque) {
			cleanup_free char *o = xasprintf("%s/.wh..wh..opq", rel);
			if (put_empty(w, o, &st, err) < 0)
				return -1;
		}
		r = walk(w, sub, rel, err);
	}
	return r;
}

static int walk(struct writer *w, int dirfd, const char *rel, struct berth_error **err)
{
	cleanup_strv char **names = NULL;
	size_t n;
	if (tarout_sorted_names(dirfd, rel, &names, &n, err) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *sub =
		    rel[0] ? xasprintf("%s/%s", rel, names[i]) : xstrdup(names[i]);
		if (one(w, dirfd, names[i], sub, err) < 0)
			return -1;
	}
	return 0;
}

static int setup(struct writer *w, struct berth_error **err)
{
	w->tar = archive_write_new();
	archive_write_set_format_pax_restricted(w->tar);
	archive_write_set_bytes_in_last_block(w->tar, 1);
	if (w->opts->compression != ARC_COMPRESS_NONE) {
		w->zip = archive_write_new();
		archive_write_set_format_raw(w->zip);
		archive_write_set_bytes_in_last_block(w->zip, 1);
		int r = w->opts->compression == ARC_COMPRESS_ZSTD
			    ? archive_write_add_filter_zstd(w->zip)
			    : archive_write_add_filter_gzip(w->zip);
		if (r != ARCHIVE_OK)
			return berth_error_set(err, ENOTSUP, "compression: %s",
					       archive_error_string(w->zip));
		if (w->opts->compression == ARC_COMPRESS_GZIP)
			archive_write_set_filter_option(w->zip, "gzip", "timestamp", NULL);
		struct archive_entry *e = archive_entry_new();
		archive_entry_set_pathname(e, "layer.tar");
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		r = archive_write_open(w->zip, w, NULL, zip_cb, NULL);
		if (r == ARCHIVE_OK)
			r = archive_write_header(w->zip, e);
		archive_entry_free(e);
		if (r != ARCHIVE_OK)
			return berth_error_set(err, EIO, "start compression: %s",
					       archive_error_string(w->zip));
	}
	if (archive_write_open(w->tar, w, NULL, tar_cb, NULL) != ARCHIVE_OK)
		return tar_fail(w, "start", "tar", err);
	return 0;
}

static void hex(EVP_MD_CTX *md, char out[ARC_DIGEST_LEN])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_DigestFinal_ex(md, d, &n);
	char *p = stpcpy(out, "sha256:");
	for (unsigned int i = 0; i < n && i < 32; i++)
		p += sprintf(p, "%02x", d[i]);
}

int arc_write_dir(const char *dir, int out_fd, const struct arc_write_opts *opts,
		  struct arc_write_result *res, struct berth_error **err)
{
	static const struct arc_write_opts defaults = {0};
	struct writer w = {.opts = opts ? opts : &defaults,
			   .fd = out_fd,
			   .diff_md = EVP_MD_CTX_new(),
			   .blob_md = EVP_MD_CTX_new()};
	if (w.diff_md == NULL || w.blob_md == NULL)
		abort();
	EVP_DigestInit_ex(w.diff_md, EVP_sha256(), NULL);
	EVP_DigestInit_ex(w.blob_md, EVP_sha256(), NULL);
	cleanup_close int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = dfd < 0 ? berth_error_errno(err, "open %s", dir) : setup(&w, err);
	if (r == 0)
		r = walk(&w, dfd, "", err);
	if (r == 0 && archive_write_close(w.tar) != ARCHIVE_OK)
		r = tar_fail(&w, "finish", "tar", err);
	if (r == 0 && w.zip && archive_write_close(w.zip) != ARCHIVE_OK)
		r = berth_error_set(err, EIO, "finish compression: %s",
				    archive_error_string(w.zip));
	archive_write_free(w.tar);
	if (w.zip)
		archive_write_free(w.zip);
	if (r == 0) {
		*res = (struct arc_write_result){.size = w.size, .uncompressed_size = w.usize};
		hex(w.diff_md, res->diff_id);
		hex(w.blob_md, res->digest);
	}
	EVP_MD_CTX_free(w.diff_md);
	EVP_MD_CTX_free(w.blob_md);
	tarout_links_free(&w.links);
	berth_error_free(&w.io_err);
	if (r < 0)
		return berth_error_wrap(err, "write layer of %s", dir);
	return 0;
}
