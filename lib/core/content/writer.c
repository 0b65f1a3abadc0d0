/* Writers: append to an ingest, resume it, verify and commit it. */
#include "core/content/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

struct content_writer {
	struct content_store *cs;
	char *ref;
	int dirfd;
	int datafd;
	EVP_MD_CTX *ctx;
	int64_t offset;
	int64_t total;
	bool has_expected;
	struct content_digest expected;
	int64_t started;
	int64_t updated;
	bool done; /* committed or aborted: the ingest is gone */
};

/* Recompute the running hash from the data on disk (resume, truncate). */
static int rehash(struct content_writer *w, struct berth_error **err)
{
	if (EVP_DigestInit_ex(w->ctx, EVP_sha256(), NULL) != 1)
		abort();
	const size_t cap = 1 << 20;
	cleanup_free unsigned char *buf = xmalloc(cap);
	int64_t off = 0;
	for (;;) {
		ssize_t r = pread(w->datafd, buf, cap, off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berth_error_errno(err, "ingest %s: read data at %lld", w->ref,
						 (long long)off);
		if (r == 0)
			break;
		EVP_DigestUpdate(w->ctx, buf, (size_t)r);
		off += r;
	}
	w->offset = off;
	return 0;
}

static struct content_status status_of(const struct content_writer *w)
{
	return (struct content_status){
	    .ref = w->ref,
	    .offset = w->offset,
	    .total = w->total,
	    .expected = w->has_expected ? (char *)w->expected.s : NULL,
	    .started = w->started,
	    .updated = w->updated,
	};
}

/* Reconcile what the caller expects with what the ingest was started for. */
static int merge_status(struct content_writer *w, const struct content_status *st,
			struct berth_error **err)
{
	if (st->total >= 0 && w->total >= 0 && st->total != w->total)
		return berth_error_set(err, EINVAL,
				       "ingest %s: expected size %lld, but the ingest was started "
				       "for %lld bytes",
				       w->ref, (long long)w->total, (long long)st->total);
	if (st->expected && w->has_expected && strcmp(st->expected, w->expected.s) != 0)
		return berth_error_set(err, EINVAL,
				       "ingest %s: expected digest %s, but the ingest was started "
				       "for %s",
				       w->ref, w->expected.s, st->expected);
	if (w->total < 0)
		w->total = st->total;
	if (!w->has_expected && st->expected) {
		content_digest_parse(st->expected, &w->expected, NULL);
		w->has_expected = true;
	}
	w->started = st->started;
	return 0;
}

static int writer_init(struct content_writer *w, bool fresh, struct berth_error **err)
{
	if (!fresh) {
		struct content_status st;
		if (content_status_read(w->dirfd, w->ref, &st, err) < 0)
			return -1;
		int r = merge_status(w, &st, err);
		content_status_free(&st);
		if (r < 0)
			return -1;
	}
	if (rehash(w, err) < 0)
		return -1;
	w->updated = content_now();
	if (fresh)
		w->started = w->updated;
	struct content_status st = status_of(w);
	return content_status_write(w->dirfd, &st, false, err);
}

int content_writer_open(struct content_store *cs, const char *ref, int64_t total,
			const char *expected, struct content_writer **out, struct berth_error **err)
{
	if (!content_ref_valid(ref))
		return berth_error_set(
		    err, EINVAL,
		    "open ingest: invalid ref \"%.300s\": 1 to 255 characters of "
		    "[A-Za-z0-9_.:@+=-], not starting with '.'",
		    ref ? ref : "");
	if (total < -1)
		return berth_error_set(err, EINVAL, "open ingest %s: invalid size %lld", ref,
				       (long long)total);
	struct content_writer *w = xcalloc(1, sizeof(*w));
	w->cs = cs;
	w->ref = xstrdup(ref);
	w->dirfd = w->datafd = -1;
	w->total = total;
	w->ctx = EVP_MD_CTX_new();
	if (w->ctx == NULL)
		abort();
	if (expected) {
		if (content_digest_parse(expected, &w->expected, err) < 0) {
			berth_error_wrap(err, "open ingest %s", ref);
			goto fail;
		}
		w->has_expected = true;
	}
	if (content_ingest_lock(cs, ref, true, &w->dirfd, &w->datafd, err) < 0)
		goto fail;
	/* A status file means the ingest was started before: resume it. */
	bool fresh = faccessat(w->dirfd, "status", F_OK, AT_SYMLINK_NOFOLLOW) < 0;
	if (fresh && errno != ENOENT) {
		berth_error_errno(err, "ingest %s: status", ref);
		goto fail;
	}
	struct stat sb;
	if (fresh && fstat(w->datafd, &sb) == 0 && sb.st_size > 0)
		fresh = false; /* data but no status: crashed before the first status write */
	if (writer_init(w, fresh, err) < 0)
		goto fail;
	*out = w;
	return 0;
fail:
	w->done = true; /* keep whatever is on disk as it was */
	content_writer_close(w);
	return -1;
}

static int check_open(const struct content_writer *w, const char *op, struct berth_error **err)
{
	if (w->done)
		return berth_error_set(err, EINVAL,
				       "%s %s: the ingest was already committed or "
				       "aborted",
				       op, w->ref);
	return 0;
}

int content_writer_write(struct content_writer *w, const void *buf, size_t len,
			 struct berth_error **err)
{
	if (check_open(w, "write to ingest", err) < 0)
		return -1;
	if (w->total >= 0 && (uint64_t)w->offset + len > (uint64_t)w->total)
		return berth_error_set(
		    err, EFBIG,
		    "write to ingest %s: %zu bytes at offset %lld would pass the "
		    "expected size %lld",
		    w->ref, len, (long long)w->offset, (long long)w->total);
	const char *p = buf;
	size_t done = 0;
	while (done < len) {
		ssize_t r = pwrite(w->datafd, p + done, len - done, w->offset + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			/* Keep hash and offset consistent with the disk. */
			berth_error_errno(err, "write to ingest %s at offset %lld", w->ref,
					  (long long)(w->offset + (off_t)done));
			if (ftruncate(w->datafd, w->offset) < 0)
				rehash(w, NULL);
			return -1;
		}
		done += (size_t)r;
	}
	EVP_DigestUpdate(w->ctx, buf, len);
	w->offset += (int64_t)len;
	w->updated = content_now();
	return 0;
}

int64_t content_writer_offset(const struct content_writer *w)
{
	return w->offset;
}

const char *content_writer_ref(const struct content_writer *w)
{
	return w->ref;
}

void content_writer_digest(const struct content_writer *w, struct content_digest *out)
{
	EVP_MD_CTX *copy = EVP_MD_CTX_new();
	if (copy == NULL || EVP_MD_CTX_copy_ex(copy, w->ctx) != 1)
		abort();
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_DigestFinal_ex(copy, raw, &n);
	EVP_MD_CTX_free(copy);
	content_digest_from_raw(raw, out);
}

int content_writer_truncate(struct content_writer *w, int64_t size, struct berth_error **err)
{
	if (check_open(w, "truncate ingest", err) < 0)
		return -1;
	if (size < 0 || size > w->offset)
		return berth_error_set(err, EINVAL, "truncate ingest %s: size %lld outside 0..%lld",
				       w->ref, (long long)size, (long long)w->offset);
	if (ftruncate(w->datafd, size) < 0)
		return berth_error_errno(err, "truncate ingest %s to %lld", w->ref,
					 (long long)size);
	w->updated = content_now();
	return rehash(w, err);
}

int content_writer_sync(struct content_writer *w, struct berth_error **err)
{
	if (check_open(w, "sync ingest", err) < 0)
		return -1;
	if (fsync(w->datafd) < 0)
		return berth_error_errno(err, "sync ingest %s", w->ref);
	struct content_status st = status_of(w);
	return content_status_write(w->dirfd, &st, true, err);
}

static int verify(struct content_writer *w, int64_t size, const char *expected,
		  struct content_digest *actual, struct berth_error **err)
{
	struct content_digest want;
	bool has_want = false;
	if (expected) {
		if (content_digest_parse(expected, &want, err) < 0)
			return berth_error_wrap(err, "commit %s", w->ref);
		has_want = true;
	} else if (w->has_expected) {
		want = w->expected;
		has_want = true;
	}
	if (size < 0)
		size = w->total;
	struct stat sb;
	if (fstat(w->datafd, &sb) < 0)
		return berth_error_errno(err, "commit %s: stat data", w->ref);
	if (sb.st_size != w->offset)
		return berth_error_set(err, EIO,
				       "commit %s: data has %lld bytes on disk, %lld were written",
				       w->ref, (long long)sb.st_size, (long long)w->offset);
	if (size >= 0 && w->offset != size)
		return berth_error_set(err, EBADMSG,
				       "commit %s: size mismatch: expected %lld bytes, got %lld",
				       w->ref, (long long)size, (long long)w->offset);
	content_writer_digest(w, actual);
	if (has_want && strcmp(want.s, actual->s) != 0)
		return berth_error_set(err, EBADMSG,
				       "commit %s: digest mismatch: expected %s, actual %s", w->ref,
				       want.s, actual->s);
	return 0;
}

/* Move data to blobs/sha256/<hex> unless that exists (1 then). */
static int place(struct content_writer *w, const char *hex, struct berth_error **err)
{
	if (renameat2(w->dirfd, "data", w->cs->blobs_fd, hex, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno == EEXIST)
		return 1;
	if (errno != EINVAL && errno != ENOSYS)
		return berth_error_errno(err, "commit %s: rename to %s/blobs/sha256/%s", w->ref,
					 w->cs->root, hex);
	/* file systems without RENAME_NOREPLACE: link is atomic and never replaces */
	if (linkat(w->dirfd, "data", w->cs->blobs_fd, hex, 0) < 0)
		return errno == EEXIST
			   ? 1
			   : berth_error_errno(err, "commit %s: link to %s/blobs/sha256/%s", w->ref,
					       w->cs->root, hex);
	unlinkat(w->dirfd, "data", 0);
	return 0;
}

int content_writer_commit(struct content_writer *w, int64_t size, const char *expected,
			  struct content_digest *out, struct berth_error **err)
{
	if (check_open(w, "commit", err) < 0)
		return -1;
	struct content_digest actual;
	if (verify(w, size, expected, &actual, err) < 0)
		return -1;
	const char *hex = content_digest_hex(&actual);
	int r = CONTENT_ALREADY_EXISTS;
	if (!content_exists(w->cs, actual.s)) {
		if (fsync(w->datafd) < 0)
			return berth_error_errno(err, "commit %s: sync data", w->ref);
		/* read-only blob; mtime = commit time = created */
		if (fchmod(w->datafd, 0444) < 0 || futimens(w->datafd, NULL) < 0)
			return berth_error_errno(err, "commit %s: chmod data", w->ref);
		r = place(w, hex, err);
		if (r < 0) {
			fchmod(w->datafd, 0600);
			return -1;
		}
		if (r == 0 && fsync(w->cs->blobs_fd) < 0)
			return berth_error_errno(err, "commit %s: sync %s/blobs", w->ref,
						 w->cs->root);
	}
	/* The blob is in place; a leftover ingest directory is harmless. */
	content_ingest_remove(w->cs, w->ref, NULL);
	w->done = true;
	if (out)
		*out = actual;
	return r;
}

int content_writer_abort(struct content_writer *w, struct berth_error **err)
{
	if (check_open(w, "abort ingest", err) < 0)
		return -1;
	if (content_ingest_remove(w->cs, w->ref, err) < 0)
		return -1;
	w->done = true;
	return 0;
}

void content_writer_close(struct content_writer *w)
{
	if (w == NULL)
		return;
	if (!w->done && w->dirfd >= 0) {
		struct content_status st = status_of(w);
		content_status_write(w->dirfd, &st, false, NULL);
	}
	if (w->datafd >= 0)
		close(w->datafd);
	if (w->dirfd >= 0)
		close(w->dirfd); /* releases the flock */
	EVP_MD_CTX_free(w->ctx);
	free(w->ref);
	free(w);
}
