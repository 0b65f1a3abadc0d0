/* Layer unpack: two libarchive readers in a chain. The outer one decompresses
 * (format "raw", filters detected); its output is hashed (the diffID) and fed
 * to the inner one, which parses the tar. Entries are written by entry.c and
 * whiteout.c; directories get their mode and times last. */
#include "core/archive/unpack-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <unistd.h>

struct stream {
	struct archive *raw; /* decompressing reader */
	EVP_MD_CTX *md;
	uint64_t size;
	bool eof;
};

static la_ssize_t stream_read(struct archive *a, void *arg, const void **buf)
{
	struct stream *s = arg;
	if (s->eof)
		return 0;
	size_t len;
	la_int64_t off;
	int r = archive_read_data_block(s->raw, buf, &len, &off);
	if (r == ARCHIVE_EOF) {
		s->eof = true;
		return 0;
	}
	if (r != ARCHIVE_OK) {
		archive_set_error(a, archive_errno(s->raw) > 0 ? archive_errno(s->raw) : EIO, "%s",
				  archive_error_string(s->raw));
		return -1;
	}
	EVP_DigestUpdate(s->md, *buf, len);
	s->size += len;
	return (la_ssize_t)len;
}

static void hex_digest(EVP_MD_CTX *md, char out[ARC_DIGEST_LEN])
{
	unsigned char d[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_DigestFinal_ex(md, d, &n);
	char *p = stpcpy(out, "sha256:");
	for (unsigned int i = 0; i < n && i < 32; i++)
		p += sprintf(p, "%02x", d[i]);
}

static int archive_fail(struct archive *a, const char *what, struct berth_error **err)
{
	int code = archive_errno(a) > 0 ? archive_errno(a) : EINVAL;
	const char *msg = archive_error_string(a);
	return berth_error_set(err, code, "%s: %s", what, msg ? msg : "unknown libarchive error");
}

static int entries(struct unpack *u, struct archive *tar, struct arc_unpack_result *res,
		   struct berth_error **err)
{
	struct archive_entry *e;
	int r;
	while ((r = archive_read_next_header(tar, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *name = archive_entry_pathname(e);
		cleanup_free char *path = NULL;
		if (unpack_clean_name(name, &path, err) < 0)
			return berth_error_wrap(err, "layer entry \"%s\"", name ? name : "");
		int w = unpack_whiteout(u, e, path, err);
		if (w == 0)
			w = unpack_entry(u, tar, e, path, err);
		if (w < 0)
			return berth_error_wrap(err, "layer entry \"%s\"", name);
		res->entries++;
	}
	if (r != ARCHIVE_EOF)
		return archive_fail(tar, "read layer", err);
	return 0;
}

typedef int (*open_fn)(struct archive *a, const void *src, size_t len);

static int open_fd(struct archive *a, const void *src, size_t len)
{
	(void)len;
	return archive_read_open_fd(a, *(const int *)src, 1 << 20);
}

static int open_mem(struct archive *a, const void *src, size_t len)
{
	return archive_read_open_memory(a, src, len);
}

static int unpack(open_fn open_src, const void *src, size_t len, const char *root,
		  const struct arc_unpack_opts *opts, struct arc_unpack_result *res,
		  struct berth_error **err)
{
	static const struct arc_unpack_opts defaults = {0};
	opts = opts ? opts : &defaults;
	*res = (struct arc_unpack_result){0};
	cleanup_close int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return berth_error_errno(err, "unpack into %s", root);
	struct unpack u = {.root = rootfd, .opts = opts, .chown = !opts->no_chown, .parent_fd = -1};
	struct stream s = {.raw = archive_read_new(), .md = EVP_MD_CTX_new()};
	struct archive *tar = archive_read_new();
	if (s.raw == NULL || s.md == NULL || tar == NULL)
		abort();
	EVP_DigestInit_ex(s.md, EVP_sha256(), NULL);
	archive_read_support_filter_gzip(s.raw);
	archive_read_support_filter_zstd(s.raw);
	archive_read_support_filter_xz(s.raw);
	archive_read_support_filter_bzip2(s.raw);
	archive_read_support_format_raw(s.raw);
	archive_read_support_format_tar(tar);
	int ret = -1;
	struct archive_entry *raw_entry;
	if (open_src(s.raw, src, len) != ARCHIVE_OK ||
	    archive_read_next_header(s.raw, &raw_entry) != ARCHIVE_OK)
		archive_fail(s.raw, "open layer", err);
	else if (archive_read_open(tar, &s, NULL, stream_read, NULL) != ARCHIVE_OK)
		archive_fail(tar, "open layer", err);
	else if (entries(&u, tar, res, err) == 0 && unpack_finish_dirs(&u, err) == 0)
		ret = 0;
	/* the diffID covers the whole stream, padding after the tar's end included */
	const void *buf;
	while (ret == 0 && stream_read(tar, &s, &buf) > 0)
		;
	if (ret == 0 && !s.eof)
		ret = archive_fail(tar, "read layer", err);
	if (ret == 0) {
		hex_digest(s.md, res->diff_id);
		res->uncompressed_size = s.size;
	}
	unpack_release(&u);
	archive_read_free(tar);
	archive_read_free(s.raw);
	EVP_MD_CTX_free(s.md);
	if (ret < 0)
		return berth_error_wrap(err, "unpack layer into %s", root);
	return 0;
}

int arc_unpack_fd(int fd, const char *root, const struct arc_unpack_opts *opts,
		  struct arc_unpack_result *res, struct berth_error **err)
{
	return unpack(open_fd, &fd, 0, root, opts, res, err);
}

int arc_unpack_mem(const void *buf, size_t len, const char *root,
		   const struct arc_unpack_opts *opts, struct arc_unpack_result *res,
		   struct berth_error **err)
{
	return unpack(open_mem, buf, len, root, opts, res, err);
}
