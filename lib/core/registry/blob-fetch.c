/* Blob download into the content store with resume (see registry.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Cuts of a transfer in a row that made no progress before giving up is
 * max_retries; with progress the count starts again, up to this many. */
#define FETCH_MAX_ROUNDS 1000

struct fetch {
	struct content_writer *w;
	const struct desc *d;
	const struct reg_progress *progress;
	bool started;
};

static void report(const struct fetch *f)
{
	if (f->progress && f->progress->fn)
		f->progress->fn(f->progress->data, f->d, content_writer_offset(f->w), f->d->size);
}

/* First bytes of an answer: where does it start? */
static int start_answer(struct fetch *f, struct reg_resp *resp, struct berth_error **err)
{
	int64_t off = content_writer_offset(f->w);
	if (resp->status == 206) {
		const char *cr = reg_resp_header(resp, "content-range");
		long long start = -1;
		if (cr == NULL || sscanf(cr, "bytes %lld-", &start) != 1 || start < 0 ||
		    start > off)
			return berth_error_set(err, EPROTO,
					       "%s: Content-Range \"%.100s\" does not continue at "
					       "byte %" PRId64,
					       resp->url, cr ? cr : "", off);
		if (start < off)
			return content_writer_truncate(f->w, start, err);
		return 0;
	}
	if (off > 0) /* the server ignored Range: start again */
		return content_writer_truncate(f->w, 0, err);
	return 0;
}

static int sink(const char *p, size_t n, struct reg_resp *resp, void *data,
		struct berth_error **err)
{
	struct fetch *f = data;
	if (!f->started) {
		f->started = true;
		if (start_answer(f, resp, err) < 0)
			return -1;
	}
	if (content_writer_write(f->w, p, n, err) < 0) {
		if ((*err)->code == EFBIG)
			berth_error_wrap(err, "blob %s is larger than its size %" PRId64,
					 f->d->digest.s, f->d->size);
		return -1;
	}
	report(f);
	return 0;
}

/* Transfer until the ingest holds size bytes. */
static int download(struct reg_repo *r, struct fetch *f, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", r->path, f->d->digest.s);
	bool restarted = false;
	int stalls = 0;
	for (int round = 0; round < FETCH_MAX_ROUNDS; round++) {
		int64_t before = content_writer_offset(f->w);
		if (before >= f->d->size)
			return 0;
		cleanup_free char *range = xasprintf("Range: bytes=%" PRId64 "-", before);
		const char *headers[] = {range, NULL};
		struct reg_req req = {.method = "GET",
				      .path = path,
				      .headers = before > 0 ? headers : NULL,
				      .sink = sink,
				      .sink_data = f,
				      .use_mirrors = true,
				      .no_retry_after_data = true};
		struct reg_resp resp = {0};
		struct berth_error *e = NULL;
		f->started = false;
		int rc = reg_request(r, &req, &resp, &e);
		int64_t after = content_writer_offset(f->w);
		if (rc < 0) {
			bool transport = resp.curl != CURLE_OK && resp.curl != CURLE_WRITE_ERROR;
			if (transport && reg_curl_retryable(resp.curl)) {
				stalls = after > before ? 0 : stalls + 1;
				if (stalls <= r->c->o.max_retries) {
					berth_error_free(&e);
					reg_resp_free(&resp);
					if (stalls > 0)
						reg_backoff(r->c, stalls - 1, NULL);
					continue; /* resume with Range */
				}
			}
			*err = e;
			reg_resp_free(&resp);
			return -1;
		}
		if (resp.status == 416 && before > 0 && !restarted) {
			/* the ingest is longer than the blob: start again */
			restarted = true;
			reg_resp_free(&resp);
			if (content_writer_truncate(f->w, 0, err) < 0)
				return -1;
			continue;
		}
		if (resp.status != 200 && resp.status != 206) {
			reg_status_error(&resp, err);
			reg_resp_free(&resp);
			return -1;
		}
		reg_resp_free(&resp);
		if (after < f->d->size && after <= before && ++stalls > r->c->o.max_retries)
			return berth_error_set(
			    err, EIO, "blob %s: the registry sent %" PRId64 " of %" PRId64 " bytes",
			    f->d->digest.s, after, f->d->size);
	}
	return berth_error_set(err, EIO, "blob %s: too many interrupted transfers", f->d->digest.s);
}

int reg_fetch_blob(struct reg_repo *r, const struct desc *d, struct content_store *cs,
		   const struct reg_progress *progress, struct berth_error **err)
{
	struct content_info have;
	struct berth_error *ierr = NULL;
	if (content_info(cs, d->digest.s, &have, &ierr) == 0) {
		/* the same digest cannot have another size: the descriptor is wrong */
		if (have.size != d->size)
			return berth_error_set(
			    err, EBADMSG,
			    "blob %s: size mismatch: the descriptor says %" PRId64
			    " bytes, the blob has %" PRId64,
			    d->digest.s, d->size, have.size);
		if (progress && progress->fn)
			progress->fn(progress->data, d, d->size, d->size);
		return CONTENT_ALREADY_EXISTS;
	}
	berth_error_free(&ierr);
	cleanup_free char *ref = xasprintf("fetch-%s", d->digest.s);
	struct content_writer *w;
	int orc = content_writer_open(cs, ref, d->size, d->digest.s, &w, err);
	if (orc < 0 && (*err)->code == EINVAL) {
		/* an ingest started for another size (a descriptor that was wrong,
		 * this one or the earlier): the digest decides, start afresh */
		berth_error_free(err);
		if (content_abort(cs, ref, err) < 0)
			return berth_error_wrap(err, "fetch blob %s", d->digest.s);
		orc = content_writer_open(cs, ref, d->size, d->digest.s, &w, err);
	}
	if (orc < 0)
		return berth_error_wrap(err, "fetch blob %s", d->digest.s);
	struct fetch f = {.w = w, .d = d, .progress = progress};
	report(&f);
	int rc = download(r, &f, err);
	if (rc == 0) {
		rc = content_writer_commit(w, d->size, d->digest.s, NULL, err);
		if (rc < 0 && (*err)->code == EBADMSG) {
			/* bad data: the next try starts afresh */
			struct berth_error *e2 = NULL;
			content_writer_abort(w, &e2);
			berth_error_free(&e2);
		}
	} else if ((*err)->code == EFBIG) {
		struct berth_error *e2 = NULL;
		content_writer_abort(w, &e2);
		berth_error_free(&e2);
	}
	content_writer_close(w);
	if (rc < 0)
		return berth_error_wrap(err, "fetch blob %s", d->digest.s);
	return rc;
}
