/* POST /containers/prune: remove every stopped container (created, exited,
 * dead) that the filters until, label and label! select; reply
 * {"ContainersDeleted": [ids] or null, "SpaceReclaimed": bytes}. */
#include "engine/api/containers-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "engine/engine.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static bool prunable(const struct ctr_state *st)
{
	return st->status == CTR_CREATED || st->status == CTR_EXITED || st->status == CTR_DEAD;
}

/* label!=k or k=v: none of them holds */
static bool match_not_labels(json_t *vals, json_t *labels)
{
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v)
	{
		json_t *one = json_pack("[O]", v);
		bool hit = ctrapi_match_labels(one, labels);
		json_decref(one);
		if (hit)
			return false;
	}
	return true;
}

static bool selected(struct container *c, json_t *f, int64_t until)
{
	bool ok = true;
	pthread_mutex_lock(&c->lock);
	json_t *labels = json_object_get(c->config, "Labels");
	if (until && c->created > until)
		ok = false;
	if (ok && ctrapi_filter_values(f, "label") &&
	    !ctrapi_match_labels(ctrapi_filter_values(f, "label"), labels))
		ok = false;
	if (ok && ctrapi_filter_values(f, "label!") &&
	    !match_not_labels(ctrapi_filter_values(f, "label!"), labels))
		ok = false;
	pthread_mutex_unlock(&c->lock);
	return ok;
}

int containers_prune(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	cleanup_json json_t *f = NULL;
	if (ctrapi_filters_parse(api_query(req, "filters"), true, &f, err) < 0)
		return -1;
	int64_t until = 0;
	json_t *u = ctrapi_filter_values(f, "until");
	if (u && ctrapi_parse_time(json_string_value(json_array_get(u, 0)), ctrapi_now_ns(), &until,
				   err) < 0)
		return -1;
	struct container **v = NULL;
	size_t n = 0;
	ctr_list(e, &v, &n);
	json_t *deleted = json_array();
	int64_t reclaimed = 0;
	for (size_t i = 0; i < n; i++) {
		struct ctr_state st;
		ctr_state_get(v[i], &st);
		bool go = prunable(&st);
		ctr_state_clear(&st);
		if (!go || !selected(v[i], f, until))
			continue;
		int64_t rw, rootfs;
		ctrapi_sizes(e, v[i], &rw, &rootfs);
		struct berth_error *rerr = NULL;
		/* not forced: a container started meanwhile stays */
		if (ctr_remove(e, v[i], false, false, &rerr) < 0) {
			berth_error_free(&rerr);
			continue;
		}
		json_array_append_new(deleted, json_string(v[i]->id));
		if (rw > 0)
			reclaimed += rw;
	}
	ctr_list_free(v, n);
	if (e->events) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%" PRId64, reclaimed);
		json_t *attrs = json_pack("{s:s}", "reclaimed", buf);
		events_publish(e->events, "container", "prune", "", attrs);
		json_decref(attrs);
	}
	json_t *o = json_object();
	json_object_set_new(o, "ContainersDeleted",
			    json_array_size(deleted) ? deleted : json_null());
	if (json_array_size(deleted) == 0)
		json_decref(deleted);
	json_object_set_new(o, "SpaceReclaimed", json_integer(reclaimed));
	api_reply_json(resp, 200, o);
	return 0;
}
