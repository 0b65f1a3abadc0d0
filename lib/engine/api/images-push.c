/* POST /images/{name}/push?tag=: push, with docker's JSON progress stream.
 * The name is looked up before the stream starts, so a bad reference, bad
 * X-Registry-Auth or an image that does not exist locally is a plain JSON
 * error (400/404); registry errors go into the stream as errorDetail, as
 * dockerd sends them. No tag: every tag of the repository (push -a). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/push.h"
#include "core/images/reference.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct push_job {
	struct engine *e;
	struct push_options o;
	struct reg_auth auth;
	struct push *p;
	struct api_stream *s;
};

static void job_free(void *arg)
{
	struct push_job *j = arg;
	push_free(j->p);
	reg_auth_free(&j->auth);
	free(j);
}

static void on_event(void *data, json_t *msg)
{
	struct push_job *j = data;
	if (j->s)
		api_stream_json(j->s, msg, "\r\n");
}

static bool on_cancelled(void *data)
{
	struct push_job *j = data;
	return j->s && api_stream_cancelled(j->s);
}

static void push_stream(struct api_stream *s, void *arg)
{
	struct push_job *j = arg;
	j->s = s;
	struct push_result res;
	struct berth_error *err = NULL;
	if (push_run(j->p, &res, &err) < 0) {
		log_info("push %s: %s", push_familiar(j->p), err->msg);
		json_t *m = pull_error_message(err->msg);
		api_stream_json(s, m, "\r\n");
		json_decref(m);
		berth_error_free(&err);
		return;
	}
	log_info("pushed %s:%s (%s)", push_familiar(j->p), res.tag, res.digest.s);
	/* docker's push event: "name:tag" as the ID, the repository as the name */
	cleanup_free char *id = xasprintf("%s:%s", push_familiar(j->p), res.tag);
	images_event(j->e, "push", id, push_familiar(j->p));
	push_result_free(&res);
}

/* docker: the name is a repository (a tag in it is used when ?tag= is
 * absent); ?tag= names the tag. */
static int push_ref(const char *name, const char *tag, char **out, struct berth_error **err)
{
	struct ref *r = NULL;
	if (ref_parse_normalized(name, &r, err) < 0)
		return -1;
	int rc = 0;
	if (r->digest)
		rc = berth_error_set(err, EINVAL, "cannot push a digest reference: %s", name);
	else if (tag && *tag)
		rc = ref_set_tag(r, tag, err);
	if (rc == 0)
		*out = ref_string(r);
	ref_free(r);
	return rc;
}

static int images_push(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	if (images_require_core(e, err) < 0)
		return -1;
	cleanup_free char *refstr = NULL;
	if (push_ref(api_param(req, "name"), api_query(req, "tag"), &refstr, err) < 0)
		return -1;
	struct push_job *j = xcalloc(1, sizeof(*j));
	j->e = e;
	if (images_decode_auth(api_header(req, "X-Registry-Auth"), &j->auth, err) < 0) {
		job_free(j);
		return -1;
	}
	struct engine_config c;
	engine_config_snapshot(e, &c);
	j->o = (struct push_options){
	    .cs = e->cs,
	    .md = e->md,
	    .reg = engine_registry(e),
	    .ns = IMAGES_NS,
	    .auth = reg_auth_empty(&j->auth) ? NULL : &j->auth,
	    .max_concurrent = (int)c.max_concurrent_uploads,
	    .event = on_event,
	    .event_data = j,
	    .cancelled = on_cancelled,
	};
	engine_config_free(&c);
	if (push_prepare(&j->o, refstr, &j->p, err) < 0) {
		job_free(j);
		return -1;
	}
	api_reply_stream(resp, 200, "application/json", push_stream, j, job_free);
	return 0;
}

const struct api_route api_images_push_routes[] = {
    {"POST", "/images/{name*}/push", images_push},
    {NULL, NULL, NULL},
};
