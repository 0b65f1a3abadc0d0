/* POST /images/create?fromSrc=-&repo=&tag=&changes=&message=&platform=
 * (import): the request body is a rootfs tarball (plain, gzip, zstd, xz or
 * bzip2), read as it arrives; it becomes the one layer of a new image with
 * a generated config (os/arch of `platform` or the host, `changes` applied
 * as docker's --change, history "Imported from -" or the message). The
 * reply is {"status":"sha256:<id>"} as dockerd sends it.
 *
 * This is a body_tables route: without fromSrc the request is a pull and
 * goes to images_create (images-pull.c). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/changes.h"
#include "core/images/local.h"
#include "core/images/platform.h"
#include "core/images/reference.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int images_create(struct api_request *req, struct api_response *resp, struct berth_error **err);

/* "repo[:tag]" plus an optional tag -> a normalised name with a tag. */
char *images_import_name(const char *repo, const char *tag, struct berth_error **err)
{
	cleanup_free char *s = tag && *tag ? xasprintf("%s:%s", repo, tag) : xstrdup(repo);
	struct ref *r = NULL;
	if (ref_parse_normalized(s, &r, err) < 0)
		return NULL;
	if (r->digest) {
		ref_free(r);
		berth_error_set(err, EINVAL, "cannot import digest reference");
		return NULL;
	}
	if (r->tag == NULL && ref_set_tag(r, "latest", err) < 0) {
		ref_free(r);
		return NULL;
	}
	char *out = ref_string(r);
	ref_free(r);
	return out;
}

static ssize_t body_read(void *arg, void *buf, size_t len, struct berth_error **err)
{
	ssize_t n = api_body_read(arg, buf, len);
	if (n < 0)
		berth_error_errno(err, "read the request body");
	return n;
}

static char *now_rfc3339(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	struct tm tm;
	gmtime_r(&ts.tv_sec, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}

static void reply_stream(struct api_stream *s, void *arg)
{
	api_stream_json(s, arg, "\r\n");
}

static void free_json(void *arg)
{
	json_decref(arg);
}

static int import_image(struct api_request *req, struct api_response *resp,
			struct berth_error **err)
{
	struct engine *e = req->ctx;
	const char *src = api_query(req, "fromSrc");
	if (strcmp(src, "-") != 0)
		return berth_error_set(err, ENOTSUP,
				       "import from a URL (%s) is not supported: send the tarball "
				       "as the request body (fromSrc=-)",
				       src);
	if (images_require_core(e, err) < 0)
		return -1;
	const char *repo = api_query(req, "repo");
	const char *tag = api_query(req, "tag");
	const char *msg = api_query(req, "message");
	const char *plat = api_query(req, "platform");
	cleanup_free char *name = NULL;
	if (repo && *repo && (name = images_import_name(repo, tag, err)) == NULL)
		return -1;
	struct platform p = {0};
	if (plat && *plat) {
		if (platform_parse(plat, &p, err) < 0)
			return -1;
	} else {
		platform_default(&p);
	}
	cleanup_json json_t *config = json_object();
	cleanup_strv char **changes = api_query_all(req, "changes");
	for (size_t i = 0; changes[i]; i++)
		if (image_change_apply(config, changes[i], err) < 0)
			return -1;

	struct local_options o = {
	    .cs = e->cs, .snap = e->snap, .md = e->md, .ns = IMAGES_NS, .what = "import"};
	struct local_session *s = NULL;
	if (local_begin(&o, &s, err) < 0) {
		platform_free(&p);
		return -1;
	}
	struct local_layer l;
	struct content_digest id;
	int rc = local_put_layer(s, body_read, req, &l, err);
	if (rc == 0)
		rc = local_unpack(s, &l.diff_id, 1, err);
	if (rc == 0) {
		cleanup_free char *created = now_rfc3339();
		json_t *hist = json_pack("{s:s,s:s}", "created", created, "comment",
					 msg && *msg ? msg : "Imported from -");
		json_t *cfg =
		    json_pack("{s:s,s:O,s:s,s:[o],s:s,s:{s:s,s:[s]}}", "architecture", p.arch,
			      "config", config, "created", created, "history", hist, "os", p.os,
			      "rootfs", "type", "layers", "diff_ids", l.diff_id.s);
		if (p.variant)
			json_object_set_new(cfg, "variant", json_string(p.variant));
		if (msg && *msg)
			json_object_set_new(cfg, "comment", json_string(msg));
		cleanup_free char *buf = json_dumps(cfg, JSON_COMPACT | JSON_SORT_KEYS);
		json_decref(cfg);
		char *names[] = {name};
		rc = local_record(s, buf, strlen(buf), &l.diff_id, &l.size, 1, names, name ? 1 : 0,
				  &id, err);
	}
	local_end(s);
	platform_free(&p);
	if (rc < 0) {
		pthread_mutex_lock(&e->images_lock); /* GC of what the import stored */
		images_gc(e);
		pthread_mutex_unlock(&e->images_lock);
		return -1;
	}
	log_info("import: %s as %s", id.s, name ? name : "<none>");
	images_event(e, "import", id.s, id.s);
	api_reply_stream(resp, 200, "application/json", reply_stream,
			 json_pack("{s:s}", "status", id.s), free_json);
	return 0;
}

static int images_create_body(struct api_request *req, struct api_response *resp,
			      struct berth_error **err)
{
	if (api_query(req, "fromSrc") == NULL)
		return images_create(req, resp, err);
	return import_image(req, resp, err);
}

const struct api_route api_images_import_routes[] = {
    {"POST", "/images/create", images_create_body},
    {NULL, NULL, NULL},
};
