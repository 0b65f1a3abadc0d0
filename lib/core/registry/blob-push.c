/* Push primitives for blobs: existence check, cross-repository mount,
 * monolithic and chunked uploads (see registry.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

int reg_blob_exists(struct reg_repo *r, const char *digest, int64_t *size, struct berth_error **err)
{
	struct content_digest d;
	if (content_digest_parse(digest, &d, err) < 0)
		return -1;
	cleanup_free char *path = xasprintf("/v2/%s/blobs/%s", r->path, d.s);
	struct reg_req req = {.method = "HEAD", .path = path};
	struct reg_resp resp = {0};
	int rc = -1;
	if (reg_request(r, &req, &resp, err) < 0)
		goto out;
	if (resp.status == 404) {
		rc = 0;
	} else if (resp.status == 200) {
		const char *cl = reg_resp_header(&resp, "content-length");
		if (size)
			*size = cl ? strtoll(cl, NULL, 10) : -1;
		rc = 1;
	} else {
		reg_status_error(&resp, err);
	}
out:
	reg_resp_free(&resp);
	return rc;
}

/* Cancel an upload session; errors do not matter (it expires). */
static void cancel_upload(struct reg_repo *r, const struct reg_resp *resp, const char *loc)
{
	cleanup_free char *url = reg_location_url(resp, loc);
	struct reg_req req = {.method = "DELETE", .path = url, .no_retry = true};
	struct reg_resp dr = {0};
	struct berth_error *e = NULL;
	reg_request(r, &req, &dr, &e);
	berth_error_free(&e);
	reg_resp_free(&dr);
}

int reg_blob_mount(struct reg_repo *r, const char *digest, const char *from_path,
		   struct berth_error **err)
{
	struct content_digest d;
	if (content_digest_parse(digest, &d, err) < 0)
		return -1;
	if (from_path == NULL || !ref_path_valid(from_path))
		return berth_error_set(err, EINVAL, "mount from \"%.200s\": invalid repository",
				       from_path ? from_path : "");
	cleanup_free char *path =
	    xasprintf("/v2/%s/blobs/uploads/?mount=%s&from=%s", r->path, d.s, from_path);
	struct reg_req req = {.method = "POST", .path = path};
	struct reg_resp resp = {0};
	r->mount_from = from_path;
	int rc = reg_request(r, &req, &resp, err);
	r->mount_from = NULL;
	if (rc < 0)
		goto out;
	rc = -1;
	if (resp.status == 201) {
		rc = 1;
	} else if (resp.status == 202) {
		const char *loc = reg_resp_header(&resp, "location");
		if (loc)
			cancel_upload(r, &resp, loc);
		rc = 0;
	} else {
		reg_status_error(&resp, err);
	}
out:
	reg_resp_free(&resp);
	return rc;
}

/* POST .../blobs/uploads/ -> the session's URL. */
static int start_upload(struct reg_repo *r, char **url, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("/v2/%s/blobs/uploads/", r->path);
	struct reg_req req = {.method = "POST", .path = path};
	struct reg_resp resp = {0};
	int rc = -1;
	if (reg_request(r, &req, &resp, err) < 0)
		goto out;
	const char *loc = reg_resp_header(&resp, "location");
	if (resp.status != 202) {
		reg_status_error(&resp, err);
	} else if (loc == NULL || *loc == '\0') {
		berth_error_set(err, EPROTO, "Post \"%s\": upload started without a Location",
				resp.url);
	} else {
		*url = reg_location_url(&resp, loc);
		rc = 0;
	}
out:
	reg_resp_free(&resp);
	return rc;
}

static char *with_query(const char *url, const char *q)
{
	return xasprintf("%s%c%s", url, strchr(url, '?') ? '&' : '?', q);
}

/* One PATCH of [off, off+n): the next session URL in *url. */
static int patch_chunk(struct reg_repo *r, char **url, int fd, int64_t off, int64_t n,
		       struct berth_error **err)
{
	cleanup_free char *range =
	    xasprintf("Content-Range: %" PRId64 "-%" PRId64, off, off + n - 1);
	const char *headers[] = {"Content-Type: application/octet-stream", range, NULL};
	struct reg_body b = {.fd = fd, .off = off, .len = n};
	struct reg_req req = {
	    .method = "PATCH", .path = *url, .headers = headers, .body = &b, .no_retry = true};
	struct reg_resp resp = {0};
	int rc = -1;
	if (reg_request(r, &req, &resp, err) < 0)
		goto out;
	const char *loc = reg_resp_header(&resp, "location");
	if (resp.status != 202) {
		reg_status_error(&resp, err);
	} else {
		if (loc && *loc) {
			char *next = reg_location_url(&resp, loc);
			free(*url);
			*url = next;
		}
		rc = 0;
	}
out:
	reg_resp_free(&resp);
	return rc;
}

/* PUT <session>?digest= with the rest of the data (monolithic: all of it). */
static int finish_upload(struct reg_repo *r, const char *url, const struct desc *d, int fd,
			 int64_t off, struct berth_error **err)
{
	cleanup_free char *q = xasprintf("digest=%s", d->digest.s);
	cleanup_free char *put = with_query(url, q);
	const char *headers[] = {"Content-Type: application/octet-stream", NULL};
	struct reg_body b = {.fd = fd, .off = off, .len = d->size - off};
	struct reg_req req = {.method = "PUT", .path = put, .headers = headers, .body = &b};
	struct reg_resp resp = {0};
	int rc = -1;
	if (reg_request(r, &req, &resp, err) < 0)
		goto out;
	const char *dh = reg_resp_header(&resp, "docker-content-digest");
	if (resp.status != 201 && resp.status != 204) {
		reg_status_error(&resp, err);
	} else if (dh && strncmp(dh, "sha256:", 7) == 0 && strcmp(dh, d->digest.s) != 0) {
		berth_error_set(err, EBADMSG, "push blob %s: the registry stored %.100s",
				d->digest.s, dh);
	} else {
		rc = 0;
	}
out:
	reg_resp_free(&resp);
	return rc;
}

static void report(const struct reg_progress *p, const struct desc *d, int64_t done)
{
	if (p && p->fn)
		p->fn(p->data, d, done, d->size);
}

int reg_blob_push(struct reg_repo *r, struct content_store *cs, const struct desc *d,
		  int64_t chunk_size, const struct reg_progress *progress, struct berth_error **err)
{
	cleanup_close int fd = -1;
	int64_t size;
	if (chunk_size < 0)
		return berth_error_set(err, EINVAL, "push blob: negative chunk size");
	if (content_open(cs, d->digest.s, 0, &fd, &size, err) < 0)
		return berth_error_wrap(err, "push blob %s", d->digest.s);
	if (size != d->size)
		return berth_error_set(err, EINVAL,
				       "push blob %s: the store has %" PRId64
				       " bytes, the descriptor says %" PRId64,
				       d->digest.s, size, d->size);
	cleanup_free char *url = NULL;
	if (start_upload(r, &url, err) < 0)
		return berth_error_wrap(err, "push blob %s", d->digest.s);
	report(progress, d, 0);
	int64_t off = 0;
	while (chunk_size > 0 && off < size) {
		int64_t n = size - off < chunk_size ? size - off : chunk_size;
		if (patch_chunk(r, &url, fd, off, n, err) < 0)
			return berth_error_wrap(err, "push blob %s", d->digest.s);
		off += n;
		report(progress, d, off);
	}
	if (finish_upload(r, url, d, fd, off, err) < 0)
		return berth_error_wrap(err, "push blob %s", d->digest.s);
	report(progress, d, size);
	return 0;
}
