/* Manifests on a registry: resolve (HEAD), fetch (GET, verified), push
 * (PUT); pull errors worded as docker's (see registry.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const accept_headers[] = {"Accept: " MT_MANIFEST_ACCEPT, NULL};

static int reference_of(struct reg_repo *r, const char *reference, const char **out,
			struct berth_error **err)
{
	if (reference == NULL)
		reference = r->ref && r->ref->digest ? r->ref->digest
			    : r->ref && r->ref->tag  ? r->ref->tag
						     : REF_DEFAULT_TAG;
	if (strchr(reference, ':')) {
		struct content_digest d;
		if (content_digest_parse(reference, &d, err) < 0)
			return berth_error_wrap(err, "manifest reference");
	} else if (!ref_tag_valid(reference)) {
		return berth_error_set(
		    err, EINVAL, "manifest reference \"%.200s\": invalid tag format", reference);
	}
	*out = reference;
	return 0;
}

static char *manifest_path(const struct reg_repo *r, const char *reference)
{
	return xasprintf("/v2/%s/manifests/%s", r->path, reference);
}

/* name:tag or name@digest, as docker prints it */
static char *familiar(const struct reg_repo *r, const char *reference)
{
	cleanup_free char *name = r->ref ? ref_familiar_name(r->ref) : xstrdup(r->path);
	return xasprintf("%s%s%s", name, strchr(reference, ':') ? "@" : ":", reference);
}

/* docker's TranslatePullError for a manifest request that failed. */
static int pull_error(struct reg_repo *r, const char *reference, const struct reg_resp *resp,
		      struct berth_error **err)
{
	const char *msg;
	cleanup_json json_t *keep = NULL;
	const char *code = reg_resp_error_code(resp, &msg, &keep);
	if (!(r->access == REG_PULL) || resp->no_basic_creds)
		return reg_status_error(resp, err);
	int ec;
	cleanup_free char *cause = reg_status_message(resp, &ec);
	cleanup_free char *name = r->ref ? ref_familiar_name(r->ref) : xstrdup(r->path);
	if (code == NULL && resp->status == 404)
		code = "MANIFEST_UNKNOWN";
	if (code && (strcmp(code, "DENIED") == 0 || strcmp(code, "UNAUTHORIZED") == 0))
		return berth_error_set(
		    err, strcmp(code, "DENIED") == 0 ? ENOENT : EACCES,
		    "pull access denied for %s, repository does not exist or may "
		    "require 'docker login': %s",
		    name, cause);
	if (code && strcmp(code, "MANIFEST_UNKNOWN") == 0) {
		cleanup_free char *f = familiar(r, reference);
		if (resp->len == 0) /* a HEAD: no body */
			return berth_error_set(
			    err, ENOENT,
			    "manifest for %s not found: manifest unknown: manifest "
			    "unknown",
			    f);
		return berth_error_set(err, ENOENT, "manifest for %s not found: %s", f, cause);
	}
	if (code && strcmp(code, "NAME_UNKNOWN") == 0)
		return berth_error_set(err, ENOENT, "repository %s not found: %s", name, cause);
	return reg_status_error(resp, err);
}

static int check_digest_header(const struct reg_resp *resp, const struct content_digest *have,
			       const char *what, struct berth_error **err)
{
	const char *h = reg_resp_header(resp, "docker-content-digest");
	if (h == NULL || strncmp(h, "sha256:", 7) != 0)
		return 0; /* absent, or another algorithm: the body's digest stands */
	if (strcmp(h, have->s) != 0)
		return berth_error_set(err, EBADMSG,
				       "%s: digest mismatch: the registry says %.100s, the content "
				       "is %s",
				       what, h, have->s);
	return 0;
}

int reg_fetch_manifest(struct reg_repo *r, const char *reference, struct reg_manifest *out,
		       struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	if (reference_of(r, reference, &reference, err) < 0)
		return -1;
	cleanup_free char *path = manifest_path(r, reference);
	struct reg_req req = {.method = "GET",
			      .path = path,
			      .headers = accept_headers,
			      .max_body = MANIFEST_MAX_SIZE,
			      .use_mirrors = true};
	struct reg_resp resp = {0};
	int rc = -1;
	cleanup_free char *what = familiar(r, reference);
	cleanup_free char *ctx = xasprintf("manifest %s", what);
	if (reg_request(r, &req, &resp, err) < 0) {
		if (*err && (*err)->code == EFBIG)
			berth_error_wrap(err, "manifest %s", what);
		goto out;
	}
	if (resp.status != 200) {
		pull_error(r, reference, &resp, err);
		goto out;
	}
	content_digest_buf(resp.body ? resp.body : "", resp.len, &out->digest);
	if (strchr(reference, ':') && strcmp(reference, out->digest.s) != 0) {
		berth_error_set(err, EBADMSG, "%s: digest mismatch: the content is %s", ctx,
				out->digest.s);
		goto out;
	}
	if (check_digest_header(&resp, &out->digest, ctx, err) < 0)
		goto out;
	const char *ct = reg_resp_header(&resp, "content-type");
	out->media_type = xstrdup(ct ? ct : "");
	out->body = resp.body ? steal_ptr(resp.body) : xstrdup("");
	out->len = resp.len;
	rc = 0;
out:
	reg_resp_free(&resp);
	return rc;
}

void reg_manifest_free(struct reg_manifest *m)
{
	free(m->media_type);
	free(m->body);
	memset(m, 0, sizeof(*m));
}

/* Media type and size from a GET, for registries whose HEAD says too little. */
static int resolve_by_get(struct reg_repo *r, const char *reference, struct desc *out,
			  struct berth_error **err)
{
	struct reg_manifest m;
	if (reg_fetch_manifest(r, reference, &m, err) < 0)
		return -1;
	struct manifest *parsed;
	if (manifest_parse(m.body, m.len, m.media_type, &parsed, err) < 0) {
		reg_manifest_free(&m);
		return -1;
	}
	out->media_type = xstrdup(parsed->media_type);
	out->digest = m.digest;
	out->size = (int64_t)m.len;
	manifest_free(parsed);
	reg_manifest_free(&m);
	return 0;
}

int reg_resolve(struct reg_repo *r, const char *reference, struct desc *out,
		struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	if (reference_of(r, reference, &reference, err) < 0)
		return -1;
	cleanup_free char *path = manifest_path(r, reference);
	struct reg_req req = {
	    .method = "HEAD", .path = path, .headers = accept_headers, .use_mirrors = true};
	struct reg_resp resp = {0};
	int rc = -1;
	if (reg_request(r, &req, &resp, err) < 0)
		goto out;
	if (resp.status != 200) {
		if (resp.status == 401 || resp.no_basic_creds) {
			pull_error(r, reference, &resp, err);
			goto out;
		}
		/* the error is in the body, which a HEAD has not */
		reg_resp_free(&resp);
		req.method = "GET";
		req.max_body = MANIFEST_MAX_SIZE;
		if (reg_request(r, &req, &resp, err) < 0)
			goto out;
		if (resp.status != 200) {
			pull_error(r, reference, &resp, err);
			goto out;
		}
	}
	const char *dh = reg_resp_header(&resp, "docker-content-digest");
	const char *ct = reg_resp_header(&resp, "content-type");
	const char *cl = reg_resp_header(&resp, "content-length");
	char *end = NULL;
	long long size = cl ? strtoll(cl, &end, 10) : -1;
	bool size_ok = cl && *end == '\0' && size >= 0 && size <= MANIFEST_MAX_SIZE;
	struct content_digest d = {0};
	bool is_digest = strchr(reference, ':') != NULL;
	if (is_digest)
		content_digest_parse(reference, &d, NULL);
	if (dh && is_digest && strncmp(dh, "sha256:", 7) == 0 && strcmp(dh, reference) != 0) {
		berth_error_set(err, EBADMSG,
				"manifest %s: the registry answered with digest %.100s", reference,
				dh);
		goto out;
	}
	bool have_digest = is_digest || (dh && content_digest_parse(dh, &d, NULL) == 0);
	if (!have_digest || !mt_is_manifest(ct) || !size_ok) {
		rc = resolve_by_get(r, reference, out, err);
		goto out;
	}
	out->media_type = xasprintf("%.*s", (int)strcspn(ct, ";"), ct);
	out->digest = d;
	out->size = size;
	rc = 0;
out:
	reg_resp_free(&resp);
	return rc;
}

int reg_manifest_push(struct reg_repo *r, const char *reference, const char *media_type,
		      const void *body, size_t len, struct content_digest *out,
		      struct berth_error **err)
{
	struct content_digest d;
	content_digest_buf(body, len, &d);
	if (reference == NULL)
		reference = d.s;
	else if (reference_of(r, reference, &reference, err) < 0)
		return -1;
	if (len > MANIFEST_MAX_SIZE)
		return berth_error_set(err, EFBIG, "manifest: %zu bytes, more than the limit of %d",
				       len, MANIFEST_MAX_SIZE);
	cleanup_free char *path = manifest_path(r, reference);
	cleanup_free char *ct = xasprintf("Content-Type: %s", media_type);
	const char *headers[] = {ct, NULL};
	struct reg_body b = {.buf = body, .fd = -1, .len = (int64_t)len};
	struct reg_req req = {.method = "PUT", .path = path, .headers = headers, .body = &b};
	struct reg_resp resp = {0};
	int rc = -1;
	cleanup_free char *what = xasprintf("push manifest %s", reference);
	if (reg_request(r, &req, &resp, err) < 0)
		goto out;
	if (resp.status < 200 || resp.status > 299) {
		reg_status_error(&resp, err);
		goto out;
	}
	if (check_digest_header(&resp, &d, what, err) < 0)
		goto out;
	if (out)
		*out = d;
	rc = 0;
out:
	reg_resp_free(&resp);
	return rc;
}
