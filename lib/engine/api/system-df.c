/* GET /system/df: disk usage in docker's shape. Images carry Size, SharedSize
 * (bytes of layers another image uses too) and Containers; LayersSize counts
 * every layer (chain ID) once. Containers, volumes and the build cache are
 * empty lists until berth has them. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/snapshots/snapshots.h"
#include "engine/api/containers-internal.h"
#include "engine/api/images-internal.h"

#include <stdlib.h>
#include <string.h>

struct layer_use {
	const char *chain;
	int64_t size;
	size_t users;
};

static struct layer_use *layer_find(struct layer_use *v, size_t n, const char *chain)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(v[i].chain, chain) == 0)
			return &v[i];
	return NULL;
}

static int system_df(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	if (images_require_core(e, err) < 0)
		return -1;
	struct img *imgs = NULL;
	size_t n = 0;
	if (images_load_all(e, &imgs, &n, err) < 0)
		return -1;
	struct layer_use *layers = NULL;
	size_t nl = 0;
	for (size_t i = 0; i < n; i++) {
		for (size_t j = 0; j < imgs[i].cfg->n_diff_ids; j++) {
			const char *c = imgs[i].chain[j].s;
			struct layer_use *l = layer_find(layers, nl, c);
			if (l == NULL) {
				layers = xrealloc(layers, (nl + 1) * sizeof(*layers));
				l = &layers[nl++];
				l->chain = c;
				l->users = 0;
				struct snap_usage u;
				l->size = snap_usage(e->snap, c, &u, NULL) == 0 ? u.size : 0;
			}
			/* an image with a layer twice counts once */
			bool seen = false;
			for (size_t k = 0; k < j; k++)
				seen = seen || strcmp(imgs[i].chain[k].s, c) == 0;
			if (!seen)
				l->users++;
		}
	}
	int64_t total = 0;
	for (size_t i = 0; i < nl; i++)
		total += layers[i].size;
	json_t *arr = json_array();
	for (size_t i = 0; i < n; i++) {
		struct img *im = &imgs[i];
		int64_t shared = 0;
		for (size_t j = 0; j < im->cfg->n_diff_ids; j++) {
			struct layer_use *l = layer_find(layers, nl, im->chain[j].s);
			if (l && l->users > 1)
				shared += l->size;
		}
		json_t *tags = images_repo_tags(im);
		json_t *digests = images_repo_digests(im);
		json_t *labels =
		    json_object_get(json_object_get(im->config_json, "config"), "Labels");
		json_t *o = json_pack(
		    "{s:I,s:I,s:s,s:O,s:s,s:o,s:o,s:I,s:I,s:I}", "Containers",
		    (json_int_t)images_users(e, im, NULL), "Created", (json_int_t)im->created, "Id",
		    im->id, "Labels", json_is_object(labels) ? labels : json_null(), "ParentId", "",
		    "RepoDigests", json_array_size(digests) ? digests : json_null(), "RepoTags",
		    json_array_size(tags) ? tags : json_null(), "SharedSize", (json_int_t)shared,
		    "Size", (json_int_t)im->size, "VirtualSize", (json_int_t)im->size);
		if (json_array_size(digests) == 0)
			json_decref(digests);
		if (json_array_size(tags) == 0)
			json_decref(tags);
		json_array_append_new(arr, o);
	}
	free(layers);
	img_list_free(imgs, n);
	json_t *out = json_pack("{s:I,s:o,s:o,s:[],s:[],s:I}", "LayersSize", (json_int_t)total,
				"Images", arr, "Containers", ctrapi_list_all_sized(e), "Volumes",
				"BuildCache", "BuilderSize", (json_int_t)0);
	api_reply_json(resp, 200, out);
	return 0;
}

const struct api_route api_system_df_routes[] = {
    {"GET", "/system/df", system_df},
    {NULL, NULL, NULL},
};
