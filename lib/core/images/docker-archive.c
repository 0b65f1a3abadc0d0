/* docker-archive manifest.json and member names (docker-archive.h). */
#include "core/images/docker-archive.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

int darc_path_clean(const char *name, char **out, struct berth_error **err)
{
	if (name == NULL || name[0] == '\0')
		return berth_error_set(err, EINVAL, "empty member name");
	if (name[0] == '/')
		return berth_error_set(err, EINVAL, "member name \"%.200s\" is absolute", name);
	size_t n = strlen(name);
	char *o = xmalloc(n + 1);
	size_t len = 0;
	const char *p = name;
	while (*p) {
		size_t c = strcspn(p, "/");
		if (c == 2 && p[0] == '.' && p[1] == '.') {
			free(o);
			return berth_error_set(err, EINVAL,
					       "member name \"%.200s\" climbs out with ..", name);
		}
		if (c > 0 && !(c == 1 && p[0] == '.')) {
			if (len)
				o[len++] = '/';
			memcpy(o + len, p, c);
			len += c;
		}
		p += c;
		while (*p == '/')
			p++;
	}
	o[len] = '\0';
	if (len == 0) {
		free(o);
		return berth_error_set(err, EINVAL, "member name \"%.200s\" is empty", name);
	}
	*out = o;
	return 0;
}

void darc_images_free(struct darc_image *v, size_t n)
{
	for (size_t i = 0; v && i < n; i++) {
		free(v[i].config);
		for (size_t j = 0; v[i].tags && v[i].tags[j]; j++)
			free(v[i].tags[j]);
		free(v[i].tags);
		for (size_t j = 0; v[i].layers && v[i].layers[j]; j++)
			free(v[i].layers[j]);
		free(v[i].layers);
	}
	free(v);
}

static int bad(struct berth_error **err, const char *fmt, const char *a)
{
	cleanup_free char *m = xasprintf(fmt, a);
	return berth_error_set(err, EINVAL, "invalid manifest.json: %s", m);
}

static int parse_one(json_t *o, size_t idx, struct darc_image *im, struct berth_error **err)
{
	char where[32];
	snprintf(where, sizeof(where), "[%zu]", idx);
	if (!json_is_object(o))
		return bad(err, "%s: expected an object", where);
	json_t *c = json_object_get(o, "Config");
	if (!json_is_string(c))
		return bad(err, "%s.Config: expected a string", where);
	struct berth_error *perr = NULL;
	if (darc_path_clean(json_string_value(c), &im->config, &perr) < 0) {
		berth_error_wrap(&perr, "invalid manifest.json: %s.Config", where);
		*err = perr;
		return -1;
	}
	json_t *tags = json_object_get(o, "RepoTags");
	if (tags != NULL && !json_is_null(tags) && !json_is_array(tags))
		return bad(err, "%s.RepoTags: expected an array", where);
	im->tags = xcalloc(json_array_size(tags) + 1, sizeof(char *));
	size_t nt = 0;
	for (size_t i = 0; i < json_array_size(tags); i++) {
		const char *t = json_string_value(json_array_get(tags, i));
		if (t == NULL)
			return bad(err, "%s.RepoTags: expected strings", where);
		struct ref *r = NULL;
		if (ref_parse_normalized(t, &r, &perr) < 0) {
			berth_error_wrap(&perr, "invalid manifest.json: %s.RepoTags", where);
			*err = perr;
			return -1;
		}
		if (r->digest || (r->tag == NULL && ref_set_tag(r, "latest", &perr) < 0)) {
			ref_free(r);
			berth_error_free(&perr);
			return bad(err, "%s.RepoTags: not a tagged reference", where);
		}
		im->tags[nt++] = ref_string(r);
		ref_free(r);
	}
	json_t *layers = json_object_get(o, "Layers");
	if (!json_is_array(layers))
		return bad(err, "%s.Layers: expected an array", where);
	im->layers = xcalloc(json_array_size(layers) + 1, sizeof(char *));
	for (size_t i = 0; i < json_array_size(layers); i++) {
		const char *l = json_string_value(json_array_get(layers, i));
		if (l == NULL)
			return bad(err, "%s.Layers: expected strings", where);
		if (darc_path_clean(l, &im->layers[i], &perr) < 0) {
			berth_error_wrap(&perr, "invalid manifest.json: %s.Layers", where);
			*err = perr;
			return -1;
		}
		im->n_layers++;
	}
	return 0;
}

int darc_manifest_parse(const char *buf, size_t len, struct darc_image **out, size_t *n,
			struct berth_error **err)
{
	json_error_t je;
	cleanup_json json_t *j = json_loadb(buf, len, 0, &je);
	if (j == NULL)
		return berth_error_set(err, EINVAL,
				       "invalid manifest.json: %s at line %d column %d", je.text,
				       je.line, je.column);
	if (!json_is_array(j) || json_array_size(j) == 0)
		return berth_error_set(err, EINVAL,
				       "invalid manifest.json: expected a non-empty array");
	size_t cnt = json_array_size(j);
	struct darc_image *v = xcalloc(cnt, sizeof(*v));
	for (size_t i = 0; i < cnt; i++) {
		if (parse_one(json_array_get(j, i), i, &v[i], err) < 0) {
			darc_images_free(v, cnt);
			return -1;
		}
	}
	*out = v;
	*n = cnt;
	return 0;
}
