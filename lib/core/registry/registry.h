/* Registry client: Docker Registry HTTP API v2 / OCI distribution spec on
 * libcurl (see docs/core.md, Registry client).
 *
 *   struct reg_options o;  reg_options_init(&o);  o.insecure = ...;
 *   reg_client_new(&o, &c, &err);
 *   reg_repo_open(c, ref, REG_PULL, NULL, &r, &err);  (credentials from o.auth_file)
 *   reg_resolve(r, NULL, &desc, &err);                (the ref's tag or digest)
 *   reg_fetch_manifest(r, desc.digest.s, &m, &err);   (verified against the digest)
 *   reg_fetch_blob(r, &layer, store, &progress, &err);(resumes, verifies, commits)
 *
 * A client is shared by threads (one connection cache, token cache and
 * per-host state behind locks); a repo is used by one thread at a time or
 * several, it holds no per-request state.
 *
 * Errors (struct berth_error.code): ENOENT not found (manifest, blob,
 * repository, or pull access denied, as docker reports it), EACCES
 * unauthorized, EAGAIN too many requests, EIO server errors, EBADMSG digest
 * or size mismatch, EINVAL bad input or answer, EFBIG over a size limit,
 * ECONNREFUSED / EHOSTUNREACH / ETIMEDOUT / EPROTO (TLS) on the transport.
 * Messages follow docker's: `Head "https://h/v2/x/manifests/1": unauthorized:
 * authentication required`, `manifest for x:1 not found: manifest unknown:
 * manifest unknown`, `pull access denied for x, repository does not exist or
 * may require 'docker login': denied: ...`. */
#ifndef BERTH_CORE_REGISTRY_REGISTRY_H
#define BERTH_CORE_REGISTRY_REGISTRY_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/images/manifest.h"
#include "core/images/reference.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- credentials (docker's config.json) ------------------------------- */

struct reg_auth {
	char *username;
	char *password;
	char *identity_token; /* refresh token (docker login with a token); kept, not used yet */
	char *registry_token; /* a bearer token to send as is */
};
void reg_auth_free(struct reg_auth *a); /* frees the members */
void reg_auth_copy(struct reg_auth *dst, const struct reg_auth *src);
bool reg_auth_empty(const struct reg_auth *a);

struct reg_auth_file;
/* Load a docker config.json ({"auths": {"<key>": {"auth": base64("user:pass")}}}).
 * A missing file is an empty config. Errors name the file and the field. */
int reg_auth_file_load(const char *path, struct reg_auth_file **out, struct berth_error **err);
/* The same from memory; `name` is used in messages. */
int reg_auth_file_parse(const char *json, size_t len, const char *name, struct reg_auth_file **out,
			struct berth_error **err);
void reg_auth_file_free(struct reg_auth_file *f);
/* Credentials for a registry domain ("docker.io", "host:port"): keys are
 * matched as docker does (scheme and path dropped: "https://host:5000/v2/"
 * is host:5000; docker.io also matches "https://index.docker.io/v1/",
 * index.docker.io and registry-1.docker.io). True when found (*out filled). */
bool reg_auth_file_lookup(const struct reg_auth_file *f, const char *domain, struct reg_auth *out);

/* ---- WWW-Authenticate ------------------------------------------------- */

struct reg_param {
	char *name; /* lowercased */
	char *value;
};
struct reg_challenge {
	char *scheme; /* lowercased: "bearer", "basic", ... */
	struct reg_param *params;
	size_t n_params;
};
/* Parse one WWW-Authenticate header value (RFC 7235: one or more
 * challenges, auth-params with tokens or quoted strings). Appends to
 * the list (so several headers can be parsed into one list). EINVAL on
 * malformed input. */
int reg_challenges_parse(const char *header, struct reg_challenge **list, size_t *n,
			 struct berth_error **err);
/* Frees the members and the array. */
void reg_challenges_free(struct reg_challenge *list, size_t n);
/* Parameter value (name compared case-insensitively), NULL if absent. */
const char *reg_challenge_param(const struct reg_challenge *c, const char *name);

/* ---- insecure registries ---------------------------------------------- */

/* Validate an insecure-registries entry: a CIDR ("10.0.0.0/8", "::1/128")
 * or a host with an optional port ("myreg:5000", "myreg"). EINVAL. */
int reg_insecure_validate(const char *entry, struct berth_error **err);
/* Whether host ("name", "name:port", "[v6]:port", an IP) may use plain HTTP
 * (and unverified TLS), docker's rule: localhost, 127.0.0.0/8 and ::1
 * always (unless loopback is false); an entry equal to the host as written (port included: "myreg"
 * does not cover "myreg:5000"); a CIDR containing the host's address (with
 * resolve, a name is resolved for that, as docker does). */
bool reg_insecure_match(const char *const *insecure, const char *host, bool loopback, bool resolve);

/* ---- client ----------------------------------------------------------- */

struct reg_options {
	const char *certs_dir;	     /* <dir>/<host:port>/{*.crt,*.cert,*.key}; NULL: none */
	const char *const *insecure; /* NULL-terminated; NULL: none */
	const char *const *mirrors;  /* docker.io mirrors ("https://m:5000"), tried first */
	const struct reg_auth_file *auth_file; /* borrowed, must outlive the client; NULL: none */
	int max_retries;		       /* retries of one request (5xx, 429, connection) */
	long backoff_ms;		       /* first delay, doubled per retry */
	long backoff_max_ms;		       /* cap of a delay */
	long connect_timeout_ms;
	long low_speed_limit; /* bytes/s; a transfer slower than this ... */
	long low_speed_time;  /* ... for this many seconds is cut (and resumed) */
	const char *user_agent;
	/* Treat localhost and 127.0.0.0/8 like any host (TLS verified, no
	 * HTTP fallback) unless listed: for tests of TLS on loopback. */
	bool secure_loopback;
};
/* Defaults: 3 retries, 500 ms doubling to 10 s, connect 30 s, 1 B/s over
 * 30 s, "berth/<version>". */
void reg_options_init(struct reg_options *o);

struct reg_client;
int reg_client_new(const struct reg_options *o, struct reg_client **out, struct berth_error **err);
void reg_client_free(struct reg_client *c);

/* GET /v2/ on the domain's endpoint. With credentials, authenticate (Basic
 * or a token) and require 200: that is `login`. Without, 200 or 401 mean a
 * v2 registry. */
int reg_ping(struct reg_client *c, const char *domain, const struct reg_auth *auth,
	     struct berth_error **err);

#define REG_PULL 1
#define REG_PUSH 2

struct reg_repo;
/* A repository on a registry (ref's domain and path; its tag or digest is
 * the default for reg_resolve). access: REG_PULL and/or REG_PUSH (the token
 * scope). auth: explicit credentials, else those of the auth file, else
 * anonymous. Pulls from docker.io try the mirrors first. */
int reg_repo_open(struct reg_client *c, const struct ref *ref, int access,
		  const struct reg_auth *auth, struct reg_repo **out, struct berth_error **err);
void reg_repo_close(struct reg_repo *r);

/* ---- pull ------------------------------------------------------------- */

/* A manifest by tag or digest (reference NULL: the ref's digest, else its
 * tag): HEAD with the Accept of the four manifest types; *out gets media
 * type, digest (Docker-Content-Digest, or the body's digest from a GET when
 * the registry sends none) and size. Free with desc_free. */
int reg_resolve(struct reg_repo *r, const char *reference, struct desc *out,
		struct berth_error **err);

struct reg_manifest {
	char *media_type; /* Content-Type */
	struct content_digest digest;
	char *body;
	size_t len;
};
void reg_manifest_free(struct reg_manifest *m); /* frees the members */
/* GET a manifest (at most MANIFEST_MAX_SIZE). Its sha256 must equal the
 * reference when that is a digest, and Docker-Content-Digest when the
 * registry sends it (EBADMSG otherwise). Not parsed: see manifest_parse. */
int reg_fetch_manifest(struct reg_repo *r, const char *reference, struct reg_manifest *out,
		       struct berth_error **err);

/* Progress of one blob: done of total bytes (total = descriptor size). */
typedef void (*reg_progress_fn)(void *data, const struct desc *d, int64_t done, int64_t total);
struct reg_progress {
	reg_progress_fn fn;
	void *data;
};

/* Download a blob into the content store (ingest "fetch-<digest>"),
 * resuming an earlier ingest of it and, after a cut connection, going on
 * with a Range request (a server that ignores Range restarts the ingest).
 * Verified (size and digest) at commit; a mismatch aborts the ingest
 * (EBADMSG). Returns CONTENT_COMMITTED, or CONTENT_ALREADY_EXISTS when the
 * store had it. progress may be NULL. */
int reg_fetch_blob(struct reg_repo *r, const struct desc *d, struct content_store *cs,
		   const struct reg_progress *progress, struct berth_error **err);

/* Tags of the repository (GET /v2/<name>/tags/list, following the Link
 * header's rel="next" pages, at most REG_TAGS_MAX_PAGES of them and
 * REG_TAGS_MAX tags), in the registry's order. Errors as docker's:
 * `repository x not found: name unknown: ...`, `pull access denied for x,
 * ...`. *tags is NULL-terminated; free with reg_tags_free. */
#define REG_TAGS_MAX_PAGES 1000
#define REG_TAGS_MAX 100000
int reg_list_tags(struct reg_repo *r, char ***tags, size_t *n, struct berth_error **err);
void reg_tags_free(char **tags, size_t n);
/* The target of the first link with rel="next" in a Link header value
 * (RFC 8288: `<url>; rel="next", <url2>; rel=prev`), NULL if none or the
 * value is malformed. The caller frees. */
char *reg_link_next(const char *header);

/* ---- push ------------------------------------------------------------- */

/* HEAD the blob: 1 present (*size if non-NULL), 0 absent. */
int reg_blob_exists(struct reg_repo *r, const char *digest, int64_t *size,
		    struct berth_error **err);
/* Cross-repository mount (POST ?mount=<digest>&from=<path>): 1 mounted, 0
 * the registry did not (the upload it opened instead is cancelled). */
int reg_blob_mount(struct reg_repo *r, const char *digest, const char *from_path,
		   struct berth_error **err);
/* Upload a blob of the store: chunk_size 0 is one monolithic PUT, else
 * PATCHes of chunk_size bytes with Content-Range, then the closing PUT
 * ?digest=. The registry's Docker-Content-Digest must match. */
int reg_blob_push(struct reg_repo *r, struct content_store *cs, const struct desc *d,
		  int64_t chunk_size, const struct reg_progress *progress,
		  struct berth_error **err);
/* PUT a manifest under reference (a tag, or NULL for its digest) with its
 * media type; *out (if non-NULL) gets its digest, checked against the
 * registry's Docker-Content-Digest. */
int reg_manifest_push(struct reg_repo *r, const char *reference, const char *media_type,
		      const void *body, size_t len, struct content_digest *out,
		      struct berth_error **err);

#endif
