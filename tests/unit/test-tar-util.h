/* Tarballs built in memory with libarchive, for the archive and snapshot
 * tests, and small temp-dir helpers. Header-only. */
#ifndef BERTH_TESTS_UNIT_TEST_TAR_UTIL_H
#define BERTH_TESTS_UNIT_TEST_TAR_UTIL_H

#include "test-util.h"

#include "common/fs.h"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

struct tb {
	struct archive *a;
	char *buf;
	size_t len, cap;
};

static la_ssize_t tb_write_cb(struct archive *a, void *arg, const void *buf, size_t len)
{
	(void)a;
	struct tb *t = arg;
	if (t->len + len > t->cap) {
		t->cap = (t->len + len) * 2;
		t->buf = realloc(t->buf, t->cap);
		assert_non_null(t->buf);
	}
	memcpy(t->buf + t->len, buf, len);
	t->len += len;
	return (la_ssize_t)len;
}

/* filter: "none", "gzip", "zstd" */
static inline struct tb *tb_new(const char *filter)
{
	struct tb *t = calloc(1, sizeof(*t));
	t->a = archive_write_new();
	assert_int_equal(archive_write_set_format_pax_restricted(t->a), ARCHIVE_OK);
	/* no padding to 10 KiB blocks: the same tar whatever the compression */
	archive_write_set_bytes_in_last_block(t->a, 1);
	if (strcmp(filter, "gzip") == 0)
		assert_int_equal(archive_write_add_filter_gzip(t->a), ARCHIVE_OK);
	else if (strcmp(filter, "zstd") == 0)
		assert_int_equal(archive_write_add_filter_zstd(t->a), ARCHIVE_OK);
	assert_int_equal(archive_write_open(t->a, t, NULL, tb_write_cb, NULL), ARCHIVE_OK);
	return t;
}

struct tb_attr {
	unsigned mode; /* permission bits; 0 = 0644 (0755 for dirs) */
	int uid, gid;
	time_t mtime; /* 0 = 1600000000 */
	const char *xattr_name, *xattr_value;
};

static inline void tb_add(struct tb *t, const char *path, unsigned type, const char *data,
			  const char *link, const struct tb_attr *attr)
{
	struct tb_attr none = {0};
	if (attr == NULL)
		attr = &none;
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, attr->mode ? attr->mode : type == AE_IFDIR ? 0755 : 0644);
	archive_entry_set_uid(e, attr->uid);
	archive_entry_set_gid(e, attr->gid);
	archive_entry_set_mtime(e, attr->mtime ? attr->mtime : 1600000000, 0);
	if (attr->xattr_name)
		archive_entry_xattr_add_entry(e, attr->xattr_name, attr->xattr_value,
					      strlen(attr->xattr_value));
	if (type == AE_IFLNK)
		archive_entry_set_symlink(e, link);
	if (type == AE_IFREG && link)
		archive_entry_set_hardlink(e, link);
	size_t n = data && !link ? strlen(data) : 0;
	archive_entry_set_size(e, (la_int64_t)n);
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	if (n)
		assert_int_equal(archive_write_data(t->a, data, n), (la_ssize_t)n);
	archive_entry_free(e);
}

static inline void tb_file(struct tb *t, const char *path, const char *data)
{
	tb_add(t, path, AE_IFREG, data, NULL, NULL);
}

static inline void tb_dir(struct tb *t, const char *path)
{
	tb_add(t, path, AE_IFDIR, NULL, NULL, NULL);
}

static inline void tb_symlink(struct tb *t, const char *path, const char *target)
{
	tb_add(t, path, AE_IFLNK, NULL, target, NULL);
}

static inline void tb_hardlink(struct tb *t, const char *path, const char *target)
{
	tb_add(t, path, AE_IFREG, NULL, target, NULL);
}

static inline void tb_dev(struct tb *t, const char *path, unsigned type, unsigned maj, unsigned min)
{
	struct archive_entry *e = archive_entry_new();
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, type);
	archive_entry_set_perm(e, 0620);
	archive_entry_set_rdevmajor(e, maj);
	archive_entry_set_rdevminor(e, min);
	archive_entry_set_mtime(e, 1600000000, 0);
	assert_int_equal(archive_write_header(t->a, e), ARCHIVE_OK);
	archive_entry_free(e);
}

/* Close the archive; the caller owns *buf. */
static inline void tb_finish(struct tb *t, char **buf, size_t *len)
{
	assert_int_equal(archive_write_close(t->a), ARCHIVE_OK);
	archive_write_free(t->a);
	*buf = t->buf;
	*len = t->len;
	free(t);
}

static inline void tu_sha256(const void *buf, size_t len, char out[72])
{
	unsigned char d[32];
	unsigned int n;
	EVP_Digest(buf, len, d, &n, EVP_sha256(), NULL);
	char *p = out + sprintf(out, "sha256:");
	for (int i = 0; i < 32; i++)
		p += sprintf(p, "%02x", d[i]);
}

/* A fresh temp dir; tu_rmdir removes it with everything in it. */
static inline char *tu_mkdtemp(void)
{
	char *d = strdup("/tmp/berth-test-XXXXXX");
	assert_non_null(mkdtemp(d));
	return d;
}

static inline void tu_rmdir(char *d)
{
	struct berth_error *err = NULL;
	if (fs_rm_rf(d, &err) < 0)
		fail_msg("cleanup: %s", err->msg);
	free(d);
}

static inline void tu_write(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(data, f);
	fclose(f);
}

static inline char *tu_read(const char *path)
{
	char *out = NULL;
	struct berth_error *err = NULL;
	if (fs_read_file(path, &out, NULL, &err) < 0) {
		berth_error_free(&err);
		return NULL;
	}
	return out;
}

#define SKIP_UNLESS_ROOT()                                                                         \
	do {                                                                                       \
		if (geteuid() != 0) {                                                              \
			print_message("skip: needs root (chown, mknod, mount)\n");                 \
			skip();                                                                    \
		}                                                                                  \
	} while (0)

#endif
