/* POST /images/load?quiet=: the request body is a tar as `docker save`
 * writes it (docker-archive, with or without the OCI layout) or an OCI image
 * layout tar, read as it arrives (a body_tables route) and loaded by
 * lib/core/images/load.c. The reply, once everything is in, is a stream of
 * {"stream":"Loaded image: busybox:latest\n"} messages as dockerd sends;
 * a bad archive is an error message and leaves no image (what was stored is
 * garbage-collected). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/load.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static ssize_t body_read(void *arg, void *buf, size_t len, struct berth_error **err)
{
	ssize_t n = api_body_read(arg, buf, len);
	if (n < 0)
		berth_error_errno(err, "read the request body");
	return n;
}

static void on_loaded(void *arg, const char *line)
{
	cleanup_free char *s = xasprintf("%s\n", line);
	json_array_append_new(arg, json_pack("{s:s}", "stream", s));
	log_info("load: %s", line);
}

static void reply_stream(struct api_stream *s, void *arg)
{
	size_t i;
	json_t *v;
	json_array_foreach(arg, i, v) if (api_stream_json(s, v, "\r\n") < 0) break;
}

static void free_json(void *arg)
{
	json_decref(arg);
}

/* docker's "load" event per image loaded: "Loaded image: busybox:latest"
 * or "Loaded image ID: sha256:..." lines name them. */
static void load_events(struct engine *e, json_t *msgs)
{
	size_t i;
	json_t *v;
	json_array_foreach(msgs, i, v)
	{
		const char *line = json_string_value(json_object_get(v, "stream"));
		const char *p = line ? strstr(line, ": ") : NULL;
		if (p == NULL)
			continue;
		cleanup_free char *what = xstrdup(p + 2);
		what[strcspn(what, "\n")] = '\0';
		struct img im;
		struct berth_error *lerr = NULL;
		if (images_lookup(e, what, &im, NULL, &lerr) == 0) {
			images_event(e, "load", im.id, im.id);
			img_free(&im);
		} else {
			berth_error_free(&lerr);
		}
	}
}

static int images_load(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	if (images_require_core(e, err) < 0)
		return -1;
	struct local_options o = {
	    .cs = e->cs, .snap = e->snap, .md = e->md, .ns = IMAGES_NS, .what = "load"};
	json_t *msgs = json_array();
	if (image_load(&o, body_read, req, on_loaded, msgs, err) < 0) {
		json_decref(msgs);
		pthread_mutex_lock(&e->images_lock); /* GC of what the load stored */
		images_gc(e);
		pthread_mutex_unlock(&e->images_lock);
		return -1;
	}
	load_events(e, msgs);
	api_reply_stream(resp, 200, "application/json", reply_stream, msgs, free_json);
	return 0;
}

const struct api_route api_images_load_routes[] = {
    {"POST", "/images/load", images_load},
    {NULL, NULL, NULL},
};
