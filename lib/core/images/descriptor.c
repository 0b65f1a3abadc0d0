/* Descriptors: parse, validate, copy, serialise (see manifest.h). */
#include "core/images/manifest.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

static int parse_platform(json_t *obj, const char *path, struct platform **out,
			  struct berth_error **err)
{
	cleanup_free char *os = NULL, *arch = NULL, *variant = NULL, *osv = NULL;
	cleanup_strv char **feat = NULL, **osfeat = NULL;
	if (bjson_string(obj, "os", path, true, &os, err) < 0 ||
	    bjson_string(obj, "architecture", path, true, &arch, err) < 0 ||
	    bjson_string(obj, "variant", path, false, &variant, err) < 0 ||
	    bjson_string(obj, "os.version", path, false, &osv, err) < 0 ||
	    bjson_strv(obj, "os.features", path, false, &osfeat, err) < 0 ||
	    bjson_strv(obj, "features", path, false, &feat, err) < 0)
		return -1;
	if (*os == '\0')
		return berth_error_set(err, EINVAL, "%s.os: empty", path);
	if (*arch == '\0')
		return berth_error_set(err, EINVAL, "%s.architecture: empty", path);
	struct platform *p = xcalloc(1, sizeof(*p));
	platform_init(p, os, arch, variant);
	if (osv && *osv)
		p->os_version = steal_ptr(osv);
	*out = p;
	return 0;
}

static int parse_urls(json_t *obj, const char *path, char ***out, struct berth_error **err)
{
	cleanup_strv char **urls = NULL;
	if (bjson_strv(obj, "urls", path, false, &urls, err) < 0)
		return -1;
	for (size_t i = 0; urls && urls[i]; i++) {
		if (strncmp(urls[i], "http://", 7) != 0 && strncmp(urls[i], "https://", 8) != 0)
			return berth_error_set(
			    err, EINVAL, "%s.urls[%zu]: \"%.100s\" is not an http or https URL",
			    path, i, urls[i]);
	}
	*out = steal_ptr(urls);
	return 0;
}

static int parse_annotations(json_t *obj, const char *path, json_t **out, struct berth_error **err)
{
	json_t *a;
	if (bjson_member(obj, "annotations", path, JSON_OBJECT, false, &a, err) < 0)
		return -1;
	if (a == NULL)
		return 0;
	const char *k;
	json_t *v;
	json_object_foreach(a, k, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(
			    err, EINVAL, "%s.annotations[\"%.100s\"]: expected a string, got %s",
			    path, k, d);
		}
	}
	*out = json_incref(a);
	return 0;
}

int desc_parse(json_t *obj, const char *path, struct desc *out, struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj)) {
		cleanup_free char *d = bjson_describe(obj);
		return berth_error_set(err, EINVAL, "%s: expected an object, got %s", path, d);
	}
	struct desc d = {0};
	cleanup_free char *digest = NULL;
	json_t *size, *plat;
	if (bjson_string(obj, "mediaType", path, true, &d.media_type, err) < 0)
		goto fail;
	if (*d.media_type == '\0') {
		berth_error_set(err, EINVAL, "%s.mediaType: empty", path);
		goto fail;
	}
	if (bjson_string(obj, "digest", path, true, &digest, err) < 0)
		goto fail;
	if (content_digest_parse(digest, &d.digest, err) < 0) {
		berth_error_wrap(err, "%s.digest", path);
		goto fail;
	}
	if (bjson_member(obj, "size", path, JSON_INTEGER, true, &size, err) < 0)
		goto fail;
	d.size = json_integer_value(size);
	if (d.size < 0) {
		berth_error_set(err, EINVAL, "%s.size: %lld is negative", path,
				(long long)json_integer_value(size));
		goto fail;
	}
	if (bjson_member(obj, "platform", path, JSON_OBJECT, false, &plat, err) < 0)
		goto fail;
	if (plat) {
		cleanup_free char *pp = xasprintf("%s.platform", path);
		if (parse_platform(plat, pp, &d.platform, err) < 0)
			goto fail;
	}
	if (parse_urls(obj, path, &d.urls, err) < 0 ||
	    parse_annotations(obj, path, &d.annotations, err) < 0 ||
	    bjson_string(obj, "artifactType", path, false, &d.artifact_type, err) < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	desc_free(&d);
	return -1;
}

void desc_free(struct desc *d)
{
	if (d == NULL)
		return;
	free(d->media_type);
	if (d->platform) {
		platform_free(d->platform);
		free(d->platform);
	}
	strv_free(d->urls);
	if (d->annotations)
		json_decref(d->annotations);
	free(d->artifact_type);
	memset(d, 0, sizeof(*d));
}

void desc_copy(struct desc *dst, const struct desc *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->media_type = src->media_type ? xstrdup(src->media_type) : NULL;
	dst->digest = src->digest;
	dst->size = src->size;
	if (src->platform) {
		dst->platform = xcalloc(1, sizeof(*dst->platform));
		platform_init(dst->platform, src->platform->os, src->platform->arch,
			      src->platform->variant);
		if (src->platform->os_version)
			dst->platform->os_version = xstrdup(src->platform->os_version);
	}
	if (src->urls) {
		size_t n = strv_len(src->urls);
		dst->urls = xcalloc(n + 1, sizeof(char *));
		for (size_t i = 0; i < n; i++)
			dst->urls[i] = xstrdup(src->urls[i]);
	}
	if (src->annotations)
		dst->annotations = json_incref(src->annotations);
	dst->artifact_type = src->artifact_type ? xstrdup(src->artifact_type) : NULL;
}

json_t *desc_to_json(const struct desc *d)
{
	json_t *o = json_object();
	json_object_set_new(o, "mediaType", json_string(d->media_type ? d->media_type : ""));
	json_object_set_new(o, "digest", json_string(d->digest.s));
	json_object_set_new(o, "size", json_integer(d->size));
	if (d->urls) {
		json_t *a = json_array();
		for (char **u = d->urls; *u; u++)
			json_array_append_new(a, json_string(*u));
		json_object_set_new(o, "urls", a);
	}
	if (d->annotations)
		json_object_set(o, "annotations", d->annotations);
	if (d->artifact_type)
		json_object_set_new(o, "artifactType", json_string(d->artifact_type));
	if (d->platform) {
		json_t *p = json_object();
		json_object_set_new(p, "architecture", json_string(d->platform->arch));
		json_object_set_new(p, "os", json_string(d->platform->os));
		if (d->platform->os_version)
			json_object_set_new(p, "os.version", json_string(d->platform->os_version));
		if (d->platform->variant)
			json_object_set_new(p, "variant", json_string(d->platform->variant));
		json_object_set_new(o, "platform", p);
	}
	return o;
}

const char *desc_annotation(const struct desc *d, const char *key)
{
	if (d->annotations == NULL)
		return NULL;
	return json_string_value(json_object_get(d->annotations, key));
}
