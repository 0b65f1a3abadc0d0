/* POST /images/create?fromImage=&tag=&platform=: pull, with docker's JSON
 * progress stream. The reference is resolved before the stream starts, so
 * an unknown manifest or an unreachable registry is a plain JSON error
 * (404/500); later errors go into the stream as errorDetail. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/pull.h"
#include "core/images/reference.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int images_create(struct api_request *req, struct api_response *resp, struct berth_error **err);

struct pull_job {
	struct engine *e;
	struct pull_options o;
	struct platform plat;
	bool has_plat;
	struct reg_auth auth;
	struct pull *p;
	struct api_stream *s;
	char **tags; /* a pull of all tags: the repository's, in order */
	size_t n_tags;
	char *repo; /* and its name */
};

static void job_free(void *arg)
{
	struct pull_job *j = arg;
	pull_free(j->p);
	if (j->has_plat)
		platform_free(&j->plat);
	reg_auth_free(&j->auth);
	reg_tags_free(j->tags, j->n_tags);
	free(j->repo);
	free(j);
}

static void on_event(void *data, json_t *msg)
{
	struct pull_job *j = data;
	if (j->s)
		api_stream_json(j->s, msg, "\r\n");
}

static bool on_cancelled(void *data)
{
	struct pull_job *j = data;
	return j->s && api_stream_cancelled(j->s);
}

static void stream_error(struct api_stream *s, const char *what, struct berth_error **err)
{
	log_info("pull %s: %s", what, (*err)->msg);
	json_t *m = pull_error_message((*err)->msg);
	api_stream_json(s, m, "\r\n");
	json_decref(m);
	berth_error_free(err);
}

/* docker's pull event: the familiar reference as the ID, its repository as
 * the name ("busybox:latest", "busybox"). */
static void pull_event(struct engine *e, const char *name)
{
	struct ref *r = NULL;
	if (ref_parse_normalized(name, &r, NULL) < 0)
		return;
	cleanup_free char *fam = ref_familiar_string(r);
	cleanup_free char *repo = ref_familiar_name(r);
	ref_free(r);
	images_event(e, "pull", fam, repo);
}

/* docker's pull of all tags: each tag in turn into the one stream (its
 * "Pulling from", progress and "Digest:"), then one "Status:" for the
 * repository. The first failure ends it. */
static void pull_all_stream(struct pull_job *j)
{
	struct berth_error *err = NULL;
	bool updated = false;
	j->o.no_status = true;
	for (size_t i = 0; i < j->n_tags; i++) {
		if (api_stream_cancelled(j->s))
			return;
		cleanup_free char *ref = xasprintf("%s:%s", j->repo, j->tags[i]);
		struct pull *p = NULL;
		struct pull_result res;
		if (pull_prepare(&j->o, ref, &p, &err) < 0) {
			stream_error(j->s, ref, &err);
			return;
		}
		int rc = pull_run(p, &res, &err);
		pull_free(p);
		if (rc < 0) {
			stream_error(j->s, ref, &err);
			return;
		}
		log_info("pulled %s (%s)", res.name, res.config.s);
		pull_event(j->e, res.name);
		updated = updated || res.updated;
		pull_result_free(&res);
	}
	struct ref *r = NULL;
	cleanup_free char *fname = NULL;
	if (ref_parse_normalized(j->repo, &r, NULL) == 0)
		fname = ref_familiar_name(r);
	ref_free(r);
	cleanup_free char *smsg = xasprintf(
	    "Status: %s for %s", updated ? "Downloaded newer image" : "Image is up to date",
	    fname ? fname : j->repo);
	json_t *m = pull_message(NULL, smsg, false, 0, 0);
	api_stream_json(j->s, m, "\r\n");
	json_decref(m);
}

static void pull_stream(struct api_stream *s, void *arg)
{
	struct pull_job *j = arg;
	j->s = s;
	if (j->tags) {
		pull_all_stream(j);
		return;
	}
	struct pull_result res;
	struct berth_error *err = NULL;
	if (pull_run(j->p, &res, &err) < 0) {
		log_info("pull %s: %s", pull_familiar(j->p), err->msg);
		json_t *m = pull_error_message(err->msg);
		api_stream_json(s, m, "\r\n");
		json_decref(m);
		berth_error_free(&err);
		return;
	}
	log_info("pulled %s (%s)", res.name, res.config.s);
	pull_event(j->e, res.name);
	pull_result_free(&res);
}

/* docker: fromImage parsed, then tag (a digest or a tag) replaces its tag. */
static int pull_ref(const char *image, const char *tag, char **out, struct berth_error **err)
{
	struct ref *r = NULL;
	if (ref_parse_normalized(image, &r, err) < 0)
		return -1;
	int rc = 0;
	if (tag && *tag) {
		if (strncmp(tag, "sha256:", 7) == 0) {
			if (!content_digest_valid(tag)) {
				rc = berth_error_set(err, EINVAL, "invalid checksum digest format");
			} else {
				free(r->tag);
				r->tag = NULL;
				free(r->digest);
				r->digest = xstrdup(tag);
			}
		} else {
			rc = ref_set_tag(r, tag, err);
		}
	}
	if (rc == 0)
		*out = ref_string(r);
	ref_free(r);
	return rc;
}

int images_create(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	const char *image = api_query(req, "fromImage");
	if (api_query(req, "fromSrc"))
		return berth_error_set(err, ENOTSUP, "import (fromSrc) is not supported yet");
	if (image == NULL || image[0] == '\0')
		return berth_error_set(err, EINVAL, "fromImage: missing");
	if (images_require_core(e, err) < 0)
		return -1;
	cleanup_free char *refstr = NULL;
	if (pull_ref(image, api_query(req, "tag"), &refstr, err) < 0)
		return -1;
	/* docker: no tag in fromImage and none (or "") in tag is a pull of all
	 * tags; the CLI sends tag=latest for a plain `pull NAME` */
	bool all = false;
	{
		const char *tag = api_query(req, "tag");
		struct ref *r = NULL;
		if (ref_parse_normalized(image, &r, NULL) == 0)
			all = (tag == NULL || *tag == '\0') && !r->tag && !r->digest;
		ref_free(r);
	}
	struct pull_job *j = xcalloc(1, sizeof(*j));
	j->e = e;
	const char *plat = api_query(req, "platform");
	if (plat && *plat) {
		if (platform_parse(plat, &j->plat, err) < 0) {
			job_free(j);
			return -1;
		}
		j->has_plat = true;
	}
	if (images_decode_auth(api_header(req, "X-Registry-Auth"), &j->auth, err) < 0) {
		job_free(j);
		return -1;
	}
	struct engine_config c;
	engine_config_snapshot(e, &c);
	j->o = (struct pull_options){
	    .cs = e->cs,
	    .snap = e->snap,
	    .md = e->md,
	    .reg = engine_registry(e),
	    .ns = IMAGES_NS,
	    .platform = j->has_plat ? &j->plat : NULL,
	    .auth = reg_auth_empty(&j->auth) ? NULL : &j->auth,
	    .max_concurrent = (int)c.max_concurrent_downloads,
	    .event = on_event,
	    .event_data = j,
	    .cancelled = on_cancelled,
	};
	engine_config_free(&c);
	if (all) {
		/* the tags are listed before the stream: an unknown repository is
		 * a plain JSON error */
		j->repo = xstrdup(refstr);
		if (pull_list_tags(&j->o, refstr, &j->tags, &j->n_tags, err) < 0) {
			job_free(j);
			return -1;
		}
		if (j->tags == NULL)
			j->tags = xcalloc(1, sizeof(*j->tags));
	} else if (pull_prepare(&j->o, refstr, &j->p, err) < 0) {
		job_free(j);
		return -1;
	}
	api_reply_stream(resp, 200, "application/json", pull_stream, j, job_free);
	return 0;
}
