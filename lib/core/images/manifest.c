/* Image manifests and indexes: parse and validate (see manifest.h). */
#include "core/images/manifest.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

static const char *kind_media_type(enum manifest_kind k)
{
	switch (k) {
	case MANIFEST_OCI:
		return MT_OCI_MANIFEST;
	case MANIFEST_DOCKER:
		return MT_DOCKER_MANIFEST;
	case MANIFEST_OCI_INDEX:
		return MT_OCI_INDEX;
	case MANIFEST_DOCKER_LIST:
		return MT_DOCKER_LIST;
	}
	return MT_OCI_MANIFEST;
}

static int kind_of(const char *mt, enum manifest_kind *k)
{
	if (mt_equal(mt, MT_OCI_MANIFEST))
		*k = MANIFEST_OCI;
	else if (mt_equal(mt, MT_DOCKER_MANIFEST))
		*k = MANIFEST_DOCKER;
	else if (mt_equal(mt, MT_OCI_INDEX))
		*k = MANIFEST_OCI_INDEX;
	else if (mt_equal(mt, MT_DOCKER_LIST))
		*k = MANIFEST_DOCKER_LIST;
	else
		return -1;
	return 0;
}

static int schema1_error(struct berth_error **err)
{
	return berth_error_set(
	    err, ENOTSUP,
	    "manifest: Docker Image manifest version 2, schema 1 is not supported: push the "
	    "image again with a current client (as an OCI image or Docker schema 2)");
}

/* The kind from the content type, the document's mediaType and its fields. */
static int detect_kind(json_t *doc, const char *content_type, enum manifest_kind *kind,
		       struct berth_error **err)
{
	cleanup_free char *body_mt = NULL;
	if (bjson_string(doc, "mediaType", "manifest", false, &body_mt, err) < 0)
		return -1;
	if (mt_is_schema1(content_type) || mt_is_schema1(body_mt))
		return schema1_error(err);
	const char *ct = mt_is_manifest(content_type) ? content_type : NULL;
	if (body_mt) {
		if (kind_of(body_mt, kind) < 0)
			return berth_error_set(
			    err, ENOTSUP, "manifest.mediaType: unsupported media type \"%.100s\"",
			    body_mt);
		if (ct && !mt_equal(ct, body_mt))
			return berth_error_set(err, EINVAL,
					       "manifest.mediaType: \"%.100s\" does not match the "
					       "content type \"%.100s\"",
					       body_mt, ct);
		return 0;
	}
	bool has_manifests = json_object_get(doc, "manifests") != NULL;
	bool has_image =
	    json_object_get(doc, "config") != NULL || json_object_get(doc, "layers") != NULL;
	if (ct) {
		kind_of(ct, kind);
		if (*kind == MANIFEST_DOCKER || *kind == MANIFEST_DOCKER_LIST)
			return berth_error_set(err, EINVAL,
					       "manifest.mediaType: required field is missing (a "
					       "Docker %s must name its media type)",
					       *kind == MANIFEST_DOCKER ? "manifest"
									: "manifest list");
		return 0;
	}
	if (has_manifests && has_image)
		return berth_error_set(err, EINVAL,
				       "manifest: has both manifests and config or layers, and no "
				       "mediaType to tell an index from an image manifest");
	if (has_manifests)
		*kind = MANIFEST_OCI_INDEX;
	else if (has_image)
		*kind = MANIFEST_OCI;
	else
		return berth_error_set(err, EINVAL,
				       "manifest: neither config nor manifests: not an image "
				       "manifest or index");
	return 0;
}

static int parse_desc_array(json_t *doc, const char *key, const char *path, struct desc **out,
			    size_t *n, struct berth_error **err)
{
	json_t *a;
	if (bjson_member(doc, key, path, JSON_ARRAY, true, &a, err) < 0)
		return -1;
	size_t len = json_array_size(a);
	struct desc *d = xcalloc(len ? len : 1, sizeof(*d));
	for (size_t i = 0; i < len; i++) {
		cleanup_free char *p = xasprintf("%s.%s[%zu]", path, key, i);
		if (desc_parse(json_array_get(a, i), p, &d[i], err) < 0) {
			for (size_t j = 0; j < i; j++)
				desc_free(&d[j]);
			free(d);
			return -1;
		}
	}
	*out = d;
	*n = len;
	return 0;
}

static int forbid(json_t *doc, const char *key, const char *path, const char *what,
		  struct berth_error **err)
{
	if (json_object_get(doc, key) == NULL)
		return 0;
	return berth_error_set(err, EINVAL, "%s.%s: not allowed in %s", path, key, what);
}

static int parse_body(json_t *doc, struct manifest *m, struct berth_error **err)
{
	const char *path = manifest_is_index(m) ? "index" : "manifest";
	json_t *sv = json_object_get(doc, "schemaVersion");
	if (sv == NULL)
		return berth_error_set(err, EINVAL, "%s.schemaVersion: required field is missing",
				       path);
	if (!json_is_integer(sv) || json_integer_value(sv) != 2) {
		cleanup_free char *d = bjson_describe(sv);
		return berth_error_set(err, EINVAL, "%s.schemaVersion: expected 2, got %s", path,
				       d);
	}
	if (manifest_is_index(m)) {
		if (forbid(doc, "config", path, "an index", err) < 0 ||
		    forbid(doc, "layers", path, "an index", err) < 0 ||
		    parse_desc_array(doc, "manifests", path, &m->manifests, &m->n_manifests, err) <
			0)
			return -1;
	} else {
		json_t *cfg;
		if (forbid(doc, "manifests", path, "an image manifest", err) < 0 ||
		    bjson_member(doc, "config", path, JSON_OBJECT, true, &cfg, err) < 0 ||
		    desc_parse(cfg, "manifest.config", &m->config, err) < 0 ||
		    parse_desc_array(doc, "layers", path, &m->layers, &m->n_layers, err) < 0)
			return -1;
	}
	json_t *subj, *ann;
	if (bjson_member(doc, "subject", path, JSON_OBJECT, false, &subj, err) < 0)
		return -1;
	if (subj) {
		cleanup_free char *p = xasprintf("%s.subject", path);
		m->subject = xcalloc(1, sizeof(*m->subject));
		if (desc_parse(subj, p, m->subject, err) < 0)
			return -1;
	}
	if (bjson_string(doc, "artifactType", path, false, &m->artifact_type, err) < 0 ||
	    bjson_member(doc, "annotations", path, JSON_OBJECT, false, &ann, err) < 0)
		return -1;
	if (ann) {
		const char *k;
		json_t *v;
		json_object_foreach(ann, k, v)
		{
			if (!json_is_string(v))
				return berth_error_set(
				    err, EINVAL, "%s.annotations[\"%.100s\"]: expected a string",
				    path, k);
		}
		m->annotations = json_incref(ann);
	}
	return 0;
}

int manifest_parse(const void *buf, size_t len, const char *content_type, struct manifest **out,
		   struct berth_error **err)
{
	*out = NULL;
	if (len > MANIFEST_MAX_SIZE)
		return berth_error_set(err, EFBIG,
				       "manifest: %zu bytes, more than the limit of %d bytes", len,
				       MANIFEST_MAX_SIZE);
	if (mt_is_schema1(content_type))
		return schema1_error(err);
	json_error_t je;
	cleanup_json json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		return berth_error_set(err, EINVAL,
				       "manifest: invalid JSON: %s (line %d, column %d)", je.text,
				       je.line, je.column);
	if (!json_is_object(doc))
		return berth_error_set(err, EINVAL, "manifest: expected a JSON object");
	json_t *sv = json_object_get(doc, "schemaVersion");
	if (json_is_integer(sv) && json_integer_value(sv) == 1)
		return schema1_error(err);
	struct manifest *m = xcalloc(1, sizeof(*m));
	if (detect_kind(doc, content_type, &m->kind, err) < 0) {
		free(m);
		return -1;
	}
	m->media_type = kind_media_type(m->kind);
	if (parse_body(doc, m, err) < 0) {
		manifest_free(m);
		return -1;
	}
	*out = m;
	return 0;
}

void manifest_free(struct manifest *m)
{
	if (m == NULL)
		return;
	desc_free(&m->config);
	for (size_t i = 0; i < m->n_layers; i++)
		desc_free(&m->layers[i]);
	free(m->layers);
	for (size_t i = 0; i < m->n_manifests; i++)
		desc_free(&m->manifests[i]);
	free(m->manifests);
	if (m->subject) {
		desc_free(m->subject);
		free(m->subject);
	}
	free(m->artifact_type);
	if (m->annotations)
		json_decref(m->annotations);
	free(m);
}

int manifest_check_image(const struct manifest *m, struct berth_error **err)
{
	if (manifest_is_index(m))
		return berth_error_set(err, EINVAL, "manifest: an index, not an image manifest");
	if (!mt_is_config(m->config.media_type))
		return berth_error_set(err, ENOTSUP,
				       "manifest.config.mediaType: \"%.100s\" is not an image "
				       "config (an artifact, not a container image)",
				       m->config.media_type);
	for (size_t i = 0; i < m->n_layers; i++) {
		if (!mt_is_layer(m->layers[i].media_type))
			return berth_error_set(
			    err, ENOTSUP,
			    "manifest.layers[%zu].mediaType: unsupported layer media "
			    "type \"%.100s\"",
			    i, m->layers[i].media_type);
	}
	return 0;
}
