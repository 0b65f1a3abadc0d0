/* Image endpoints: GET /images/json, /images/{name}/json, /images/{name}/history;
 * the route table of every image endpoint (pull in images-pull.c, tag,
 * delete and prune in images-delete.c). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "core/images/records.h"
#include "core/images/reference.h"
#include "core/snapshots/snapshots.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int images_create(struct api_request *req, struct api_response *resp, struct berth_error **err);
int images_tag(struct api_request *req, struct api_response *resp, struct berth_error **err);
int images_delete(struct api_request *req, struct api_response *resp, struct berth_error **err);
int images_prune(struct api_request *req, struct api_response *resp, struct berth_error **err);

static json_t *config_labels(const struct img *im)
{
	json_t *c = json_object_get(im->config_json, "config");
	json_t *l = json_object_get(c, "Labels");
	return json_is_object(l) && json_object_size(l) ? json_incref(l) : json_null();
}

/* ---- filters: {"key": {"value": true}} or {"key": ["value"]} ---- */

static json_t *parse_filters(struct api_request *req, struct berth_error **err)
{
	const char *f = api_query(req, "filters");
	if (f == NULL || f[0] == '\0')
		return json_object();
	json_t *o = json_loads(f, 0, NULL);
	if (!json_is_object(o)) {
		if (o)
			json_decref(o);
		berth_error_set(err, EINVAL, "invalid filter: %s", f);
		return NULL;
	}
	json_t *out = json_object();
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		json_t *vals = json_array();
		if (json_is_object(v)) {
			const char *vk;
			json_t *vv;
			json_object_foreach(v, vk, vv) json_array_append_new(vals, json_string(vk));
		} else if (json_is_array(v)) {
			size_t i;
			json_t *vv;
			json_array_foreach(v, i, vv) if (json_is_string(vv))
			    json_array_append(vals, vv);
		}
		json_object_set_new(out, k, vals);
	}
	json_decref(o);
	return out;
}

static bool has_dangling_filter(json_t *f, bool *want, struct berth_error **err)
{
	json_t *d = json_object_get(f, "dangling");
	if (d == NULL || json_array_size(d) == 0)
		return false;
	const char *s = json_string_value(json_array_get(d, 0));
	if (strcmp(s, "true") == 0 || strcmp(s, "1") == 0)
		*want = true;
	else if (strcmp(s, "false") == 0 || strcmp(s, "0") == 0)
		*want = false;
	else
		berth_error_set(err, EINVAL, "Invalid filter 'dangling=%s'", s);
	return true;
}

/* docker keeps only the tags that match a reference filter */
static json_t *match_reference(json_t *tags, json_t *pats)
{
	json_t *out = json_array();
	size_t i, j;
	json_t *p, *t;
	json_array_foreach(tags, j, t)
	{
		const char *tag = json_string_value(t);
		cleanup_free char *name = xstrdup(tag);
		char *at = strchr(name, '@');
		char *colon = strrchr(name, ':');
		if (at)
			*at = '\0';
		else if (colon && !strchr(colon, '/'))
			*colon = '\0';
		json_array_foreach(pats, i, p)
		{
			if (fnmatch(json_string_value(p), tag, 0) == 0 ||
			    fnmatch(json_string_value(p), name, 0) == 0) {
				json_array_append(out, t);
				break;
			}
		}
	}
	json_decref(tags);
	return out;
}

static bool match_labels(const struct img *im, json_t *pats)
{
	json_t *labels = config_labels(im);
	bool ok = bjson_match_kvlist(pats, labels);
	json_decref(labels);
	return ok;
}

static int filter_time(struct engine *e, json_t *f, const char *key, int64_t *out,
		       struct berth_error **err)
{
	json_t *v = json_object_get(f, key);
	if (v == NULL || json_array_size(v) == 0)
		return 0;
	struct img im;
	if (images_lookup(e, json_string_value(json_array_get(v, 0)), &im, NULL, err) < 0)
		return -1;
	*out = im.created;
	img_free(&im);
	return 1;
}

static int images_list(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	cleanup_json json_t *f = parse_filters(req, err);
	if (f == NULL)
		return -1;
	const char *k;
	json_t *v;
	json_object_foreach(f, k, v)
	{
		if (strcmp(k, "dangling") && strcmp(k, "reference") && strcmp(k, "label") &&
		    strcmp(k, "before") && strcmp(k, "since"))
			return berth_error_set(err, EINVAL, "Invalid filter '%s'", k);
	}
	bool dangling = false;
	bool by_dangling = has_dangling_filter(f, &dangling, err);
	if (*err)
		return -1;
	int64_t before = 0, since = 0;
	int hb = filter_time(e, f, "before", &before, err);
	int hs = hb < 0 ? -1 : filter_time(e, f, "since", &since, err);
	if (hb < 0 || hs < 0)
		return -1;
	struct img *imgs = NULL;
	size_t n = 0;
	if (images_load_all(e, &imgs, &n, err) < 0)
		return -1;
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		struct img *im = &imgs[i];
		json_t *tags = images_repo_tags(im);
		json_t *digests = images_repo_digests(im);
		bool is_dangling = json_array_size(tags) == 0;
		json_t *refs = json_object_get(f, "reference");
		if (refs) {
			tags = match_reference(tags, refs);
			digests = match_reference(digests, refs);
		}
		if ((by_dangling && is_dangling != dangling) ||
		    (refs && json_array_size(tags) == 0) ||
		    (json_object_get(f, "label") &&
		     !match_labels(im, json_object_get(f, "label"))) ||
		    (hb > 0 && im->created >= before) || (hs > 0 && im->created <= since)) {
			json_decref(tags);
			json_decref(digests);
			continue;
		}
		if (is_dangling) {
			json_array_append_new(tags, json_string("<none>:<none>"));
			if (json_array_size(digests) == 0)
				json_array_append_new(digests, json_string("<none>@<none>"));
		}
		json_t *o =
		    json_pack("{s:i,s:I,s:s,s:o,s:s,s:o,s:o,s:i,s:I}", "Containers", -1, "Created",
			      (json_int_t)im->created, "Id", im->id, "Labels", config_labels(im),
			      "ParentId", "", "RepoDigests", digests, "RepoTags", tags,
			      "SharedSize", -1, "Size", (json_int_t)im->size);
		if (api_version_cmp_str(req->version, "1.43") < 0)
			json_object_set_new(o, "VirtualSize", json_integer(im->size));
		json_array_append_new(out, o);
	}
	img_list_free(imgs, n);
	api_reply_json(resp, 200, out);
	return 0;
}

static char *rfc3339_ns(int64_t ns)
{
	time_t s = (time_t)(ns / 1000000000LL);
	struct tm tm;
	gmtime_r(&s, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%09lldZ", (long long)(ns % 1000000000LL));
	return xstrdup(buf);
}

static json_t *graph_driver(struct engine *e, const struct img *im)
{
	json_t *data = json_object();
	size_t n = im->cfg->n_diff_ids;
	if (n > 0) {
		cleanup_free char *top = NULL;
		struct berth_error *err = NULL;
		if (snap_layer_dir(e->snap, im->chain[n - 1].s, &top, &err) == 0) {
			cleanup_free char *base = xstrdup(top);
			char *slash = strrchr(base, '/');
			if (slash)
				*slash = '\0';
			cleanup_free char *merged = xasprintf("%s/merged", base);
			cleanup_free char *work = xasprintf("%s/work", base);
			json_t *lower = NULL;
			for (size_t i = n - 1; i-- > 0;) {
				cleanup_free char *d = NULL;
				if (snap_layer_dir(e->snap, im->chain[i].s, &d, NULL) < 0)
					continue;
				if (lower == NULL) {
					lower = json_string(d);
				} else {
					cleanup_free char *j =
					    xasprintf("%s:%s", json_string_value(lower), d);
					json_string_set(lower, j);
				}
			}
			if (lower)
				json_object_set_new(data, "LowerDir", lower);
			json_object_set_new(data, "MergedDir", json_string(merged));
			json_object_set_new(data, "UpperDir", json_string(top));
			json_object_set_new(data, "WorkDir", json_string(work));
		} else {
			berth_error_free(&err);
		}
	}
	const char *name = strcmp(snap_driver(e->snap), "native") == 0 ? "vfs" : "overlay2";
	return json_pack("{s:o,s:s}", "Data", data, "Name", name);
}

static json_t *copy_member(json_t *o, const char *key, json_t *def)
{
	json_t *v = json_object_get(o, key);
	if (v) {
		json_decref(def);
		return json_incref(v);
	}
	return def;
}

static json_t *inspect_json(struct engine *e, const struct img *im)
{
	json_t *c = im->config_json;
	json_t *layers = json_array();
	for (size_t i = 0; i < im->cfg->n_diff_ids; i++)
		json_array_append_new(layers, json_string(im->cfg->diff_ids[i].s));
	cleanup_free char *tagtime = rfc3339_ns(im->updated);
	json_t *o = json_object();
	json_object_set_new(o, "Id", json_string(im->id));
	json_object_set_new(o, "RepoTags", images_repo_tags(im));
	json_object_set_new(o, "RepoDigests", images_repo_digests(im));
	json_object_set_new(o, "Parent", json_string(""));
	json_object_set_new(o, "Comment", copy_member(c, "comment", json_string("")));
	json_object_set_new(o, "Created", copy_member(c, "created", json_string("")));
	json_object_set_new(o, "Container", copy_member(c, "container", json_string("")));
	json_object_set_new(o, "ContainerConfig",
			    copy_member(c, "container_config", json_object()));
	json_object_set_new(o, "DockerVersion", copy_member(c, "docker_version", json_string("")));
	json_object_set_new(o, "Author", copy_member(c, "author", json_string("")));
	json_object_set_new(o, "Config", copy_member(c, "config", json_null()));
	json_object_set_new(o, "Architecture", json_string(im->cfg->platform.arch));
	if (im->cfg->platform.variant)
		json_object_set_new(o, "Variant", json_string(im->cfg->platform.variant));
	json_object_set_new(o, "Os", json_string(im->cfg->platform.os));
	if (im->cfg->platform.os_version)
		json_object_set_new(o, "OsVersion", json_string(im->cfg->platform.os_version));
	json_object_set_new(o, "Size", json_integer(im->size));
	json_object_set_new(o, "VirtualSize", json_integer(im->size));
	json_object_set_new(o, "GraphDriver", graph_driver(e, im));
	json_object_set_new(o, "RootFS",
			    json_pack("{s:s,s:o}", "Type", "layers", "Layers", layers));
	json_object_set_new(o, "Metadata", json_pack("{s:s}", "LastTagTime", tagtime));
	return o;
}

static int images_inspect(struct api_request *req, struct api_response *resp,
			  struct berth_error **err)
{
	struct engine *e = req->ctx;
	const char *name = api_param(req, "name");
	struct img im;
	if (images_lookup(e, name, &im, NULL, err) < 0) {
		if ((*err)->code == ENOENT)
			berth_error_wrap(err, "no such image: %s", name);
		return -1;
	}
	json_t *o = inspect_json(e, &im);
	img_free(&im);
	api_reply_json(resp, 200, o);
	return 0;
}

static int images_history(struct api_request *req, struct api_response *resp,
			  struct berth_error **err)
{
	struct engine *e = req->ctx;
	struct img im;
	if (images_lookup(e, api_param(req, "name"), &im, NULL, err) < 0)
		return -1;
	json_t *out = json_array();
	size_t layer = 0;
	for (size_t i = 0; i < im.cfg->n_history; i++) {
		const struct image_history *h = &im.cfg->history[i];
		int64_t size = 0;
		if (!h->empty_layer && layer < im.cfg->n_diff_ids) {
			struct snap_usage u;
			if (snap_usage(e->snap, im.chain[layer].s, &u, NULL) == 0)
				size = u.size;
			layer++;
		}
		json_t *o =
		    json_pack("{s:s,s:I,s:s,s:s,s:I,s:n}", "Comment", h->comment ? h->comment : "",
			      "Created", (json_int_t)images_parse_time(h->created), "CreatedBy",
			      h->created_by ? h->created_by : "", "Id", "<missing>", "Size",
			      (json_int_t)size, "Tags");
		json_array_insert_new(out, 0, o);
	}
	if (json_array_size(out) == 0)
		json_array_append_new(out, json_pack("{s:s,s:I,s:s,s:s,s:I,s:n}", "Comment", "",
						     "Created", (json_int_t)im.created, "CreatedBy",
						     "", "Id", "<missing>", "Size",
						     (json_int_t)im.size, "Tags"));
	json_t *top = json_array_get(out, 0);
	json_object_set_new(top, "Id", json_string(im.id));
	json_t *tags = images_repo_tags(&im);
	json_object_set_new(top, "Tags", json_array_size(tags) ? tags : json_null());
	if (json_array_size(tags) == 0)
		json_decref(tags);
	img_free(&im);
	api_reply_json(resp, 200, out);
	return 0;
}

const struct api_route api_images_routes[] = {
    {"GET", "/images/json", images_list},
    {"POST", "/images/create", images_create},
    {"POST", "/images/prune", images_prune},
    {"GET", "/images/{name*}/json", images_inspect},
    {"GET", "/images/{name*}/history", images_history},
    {"POST", "/images/{name*}/tag", images_tag},
    {"DELETE", "/images/{name*}", images_delete},
    {NULL, NULL, NULL},
};
