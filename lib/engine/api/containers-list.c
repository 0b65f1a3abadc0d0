/* GET /containers/json: docker's list shape with all, limit, size and the
 * filters status, name, id, label, ancestor, exited, before, since, network. */
#include "engine/api/containers-internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "engine/api/images-internal.h"
#include "engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct list_ctx {
	json_t *filters;
	bool all;
	long long limit;
	bool size;
	int64_t before;	  /* created (ns) of the "before" container, 0 = none */
	int64_t since;	  /* created (ns) of the "since" container, 0 = none */
	char **ancestors; /* image ids of the ancestor filter (NULL-terminated) */
	int64_t now;
};

static int ref_created(struct engine *e, json_t *f, const char *key, int64_t *out,
		       struct berth_error **err)
{
	json_t *v = ctrapi_filter_values(f, key);
	if (v == NULL)
		return 0;
	struct container *c;
	if (ctr_find(e, json_string_value(json_array_get(v, 0)), &c, err) < 0)
		return -1;
	*out = c->created;
	ctr_unref(c);
	return 0;
}

/* image ids the ancestor values name (a value that names no image matches
 * by its text only, see match_ancestor) */
static char **resolve_ancestors(struct engine *e, json_t *vals)
{
	size_t n = json_array_size(vals), k = 0, i;
	char **out = xmalloc((n + 1) * sizeof(*out));
	json_t *v;
	json_array_foreach(vals, i, v)
	{
		struct img im;
		struct berth_error *err = NULL;
		if (images_lookup(e, json_string_value(v), &im, NULL, &err) == 0) {
			out[k++] = xstrdup(im.id);
			img_free(&im);
		}
		berth_error_free(&err);
	}
	out[k] = NULL;
	return out;
}

static bool match_ancestor(const struct list_ctx *lc, struct container *c)
{
	json_t *vals = ctrapi_filter_values(lc->filters, "ancestor");
	if (vals == NULL)
		return true;
	for (size_t i = 0; lc->ancestors && lc->ancestors[i]; i++)
		if (c->image_id && strcmp(lc->ancestors[i], c->image_id) == 0)
			return true;
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v)
	{
		if (c->image && strcmp(json_string_value(v), c->image) == 0)
			return true;
	}
	return false;
}

static bool match_exited(json_t *vals, const struct ctr_state *st)
{
	if (vals == NULL)
		return true;
	if (st->status != CTR_EXITED || st->started_at == 0)
		return false;
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v)
	{
		if (atoi(json_string_value(v)) == st->exit_code)
			return true;
	}
	return false;
}

static bool match_status(json_t *vals, const struct ctr_state *st)
{
	if (vals == NULL)
		return true;
	const char *name = ctr_status_name(st->status);
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v)
	{
		if (strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

static bool match_network(json_t *vals, struct container *c)
{
	if (vals == NULL)
		return true;
	cleanup_json json_t *nets = ctrapi_networks(c);
	size_t i;
	json_t *v;
	json_array_foreach(vals, i, v)
	{
		if (json_object_get(nets, json_string_value(v)))
			return true;
	}
	return false;
}

/* volume=NAME|PATH: a mount's Name, Source or Destination, as dockerd */
static bool match_volume(json_t *vals, struct container *c)
{
	if (vals == NULL)
		return true;
	cleanup_json json_t *mounts = ctrapi_mounts(c);
	size_t i, j;
	json_t *v, *m;
	json_array_foreach(vals, i, v)
	{
		json_array_foreach(mounts, j, m)
		{
			const char *keys[] = {"Name", "Source", "Destination"};
			for (size_t k = 0; k < 3; k++) {
				const char *s = json_string_value(json_object_get(m, keys[k]));
				if (s && strcmp(s, json_string_value(v)) == 0)
					return true;
			}
		}
	}
	return false;
}

static bool running_like(enum ctr_status s)
{
	return s == CTR_RUNNING || s == CTR_PAUSED || s == CTR_RESTARTING;
}

/* Whether c is listed; st is a copy of its state; c->lock held. */
static bool include(const struct list_ctx *lc, struct container *c, const struct ctr_state *st)
{
	json_t *f = lc->filters;
	if (!lc->all && !running_like(st->status))
		return false;
	if (lc->before && c->created >= lc->before)
		return false;
	if (lc->since && c->created <= lc->since)
		return false;
	/* the name with and without its '/', as dockerd (name=^web$ matches) */
	const char *bare = c->name && c->name[0] == '/' ? c->name + 1 : c->name;
	if (!ctrapi_match_regex(ctrapi_filter_values(f, "name"), c->name) &&
	    !ctrapi_match_regex(ctrapi_filter_values(f, "name"), bare))
		return false;
	if (!ctrapi_match_regex(ctrapi_filter_values(f, "id"), c->id))
		return false;
	if (ctrapi_filter_values(f, "label") &&
	    !ctrapi_match_labels(ctrapi_filter_values(f, "label"),
				 json_object_get(c->config, "Labels")))
		return false;
	if (!match_status(ctrapi_filter_values(f, "status"), st))
		return false;
	if (!match_exited(ctrapi_filter_values(f, "exited"), st))
		return false;
	if (!match_ancestor(lc, c) || !match_network(ctrapi_filter_values(f, "network"), c))
		return false;
	if (!match_volume(ctrapi_filter_values(f, "volume"), c))
		return false;
	/* health: no healthchecks run, every container's is "none"; publish
	 * and expose look at NetworkSettings.Ports, empty before the
	 * networking issue (as dockerd's with --network none) */
	json_t *health = ctrapi_filter_values(f, "health");
	bool none = false;
	size_t hi;
	json_t *hv;
	json_array_foreach(health, hi, hv) none |= strcmp(json_string_value(hv), "none") == 0;
	if ((health && !none) || ctrapi_filter_values(f, "publish") ||
	    ctrapi_filter_values(f, "expose"))
		return false;
	/* is-task=true: berth has no swarm tasks */
	json_t *task = ctrapi_filter_values(f, "is-task");
	if (task && strcmp(json_string_value(json_array_get(task, 0)), "true") == 0)
		return false;
	return true;
}

/* with c->lock held */
static json_t *list_entry(const struct list_ctx *lc, struct container *c,
			  const struct ctr_state *st)
{
	json_t *o = json_object();
	json_object_set_new(o, "Id", json_string(c->id));
	json_object_set_new(o, "Names", json_pack("[s]", c->name ? c->name : ""));
	json_object_set_new(o, "Image", json_string(c->image ? c->image : ""));
	json_object_set_new(o, "ImageID", json_string(c->image_id ? c->image_id : ""));
	char *cmd = ctrapi_command(c->config);
	json_object_set_new(o, "Command", json_string(cmd));
	free(cmd);
	json_object_set_new(o, "Created", json_integer(c->created / 1000000000));
	json_object_set_new(o, "Ports", json_array());
	json_t *labels = json_object_get(c->config, "Labels");
	json_object_set_new(o, "Labels",
			    json_is_object(labels) ? json_deep_copy(labels) : json_object());
	json_object_set_new(o, "State", json_string(ctr_status_name(st->status)));
	char *status = ctrapi_status_text(st, lc->now);
	json_object_set_new(o, "Status", json_string(status));
	free(status);
	json_t *nm = json_object_get(c->host_config, "NetworkMode");
	json_object_set_new(o, "HostConfig",
			    json_pack("{s:s}", "NetworkMode",
				      json_is_string(nm) ? json_string_value(nm) : "default"));
	json_object_set_new(o, "NetworkSettings",
			    json_pack("{s:o}", "Networks", ctrapi_networks(c)));
	json_object_set_new(o, "Mounts", ctrapi_mounts(c));
	return o;
}

static int list_ctx_init(struct api_request *req, struct list_ctx *lc, struct berth_error **err)
{
	struct engine *e = req->ctx;
	*lc = (struct list_ctx){.limit = -1, .now = ctrapi_now_ns()};
	if (ctrapi_filters_parse(api_query(req, "filters"), false, &lc->filters, err) < 0)
		return -1;
	if (api_query_int(req, "limit", -1, 1LL << 40, &lc->limit, err) < 0)
		return -1;
	lc->size = api_query_bool(req, "size", false);
	lc->all = api_query_bool(req, "all", false);
	/* docker: a limit, a status filter, before or since list every state */
	if (lc->limit > 0 || ctrapi_filter_values(lc->filters, "status") ||
	    ctrapi_filter_values(lc->filters, "before") ||
	    ctrapi_filter_values(lc->filters, "since"))
		lc->all = true;
	if (ref_created(e, lc->filters, "before", &lc->before, err) < 0 ||
	    ref_created(e, lc->filters, "since", &lc->since, err) < 0)
		return -1;
	json_t *anc = ctrapi_filter_values(lc->filters, "ancestor");
	if (anc)
		lc->ancestors = resolve_ancestors(e, anc);
	return 0;
}

/* SizeRw and SizeRootFs of an entry; dockerd's list leaves out a size of 0
 * (omitempty). */
static void set_sizes(struct engine *e, struct container *c, json_t *o)
{
	int64_t rw, rootfs;
	ctrapi_sizes(e, c, &rw, &rootfs);
	if (rw > 0)
		json_object_set_new(o, "SizeRw", json_integer(rw));
	if (rootfs > 0)
		json_object_set_new(o, "SizeRootFs", json_integer(rootfs));
}

json_t *ctrapi_list_all_sized(struct engine *e)
{
	struct list_ctx lc = {.limit = -1, .now = ctrapi_now_ns(), .all = true, .size = true};
	struct container **v = NULL;
	size_t n = 0;
	ctr_list(e, &v, &n);
	json_t *out = json_array();
	for (size_t i = n; i-- > 0;) {
		struct ctr_state st;
		ctr_state_get(v[i], &st);
		pthread_mutex_lock(&v[i]->lock);
		json_t *o = list_entry(&lc, v[i], &st);
		pthread_mutex_unlock(&v[i]->lock);
		ctr_state_clear(&st);
		set_sizes(e, v[i], o);
		json_array_append_new(out, o);
	}
	ctr_list_free(v, n);
	return out;
}

int containers_list(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	struct list_ctx lc;
	int rc = list_ctx_init(req, &lc, err);
	if (rc < 0) {
		json_decref(lc.filters);
		strv_free(lc.ancestors);
		return -1;
	}
	struct container **v = NULL;
	size_t n = 0;
	ctr_list(e, &v, &n);
	json_t *out = json_array();
	/* newest first */
	for (size_t i = n; i-- > 0;) {
		if (lc.limit > 0 && (long long)json_array_size(out) >= lc.limit)
			break;
		struct ctr_state st;
		ctr_state_get(v[i], &st);
		pthread_mutex_lock(&v[i]->lock);
		json_t *o = include(&lc, v[i], &st) ? list_entry(&lc, v[i], &st) : NULL;
		pthread_mutex_unlock(&v[i]->lock);
		ctr_state_clear(&st);
		if (o == NULL)
			continue;
		if (lc.size)
			set_sizes(e, v[i], o);
		json_array_append_new(out, o);
	}
	ctr_list_free(v, n);
	json_decref(lc.filters);
	strv_free(lc.ancestors);
	api_reply_json(resp, 200, out);
	return 0;
}
