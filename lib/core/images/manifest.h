/* Descriptors, image manifests and indexes: OCI image manifest, OCI index,
 * Docker schema 2 manifest and manifest list (see docs/core.md, Manifests).
 *
 * Everything here comes from outside (a registry, an archive), so the
 * parsers validate all they keep and name the field that is wrong:
 *   manifest.layers[2].digest: invalid digest "sha256:xyz"
 * Errors: EINVAL malformed, ENOTSUP a well-formed document berth does not
 * handle (schema 1, another digest algorithm), EFBIG over MANIFEST_MAX_SIZE. */
#ifndef BERTH_CORE_IMAGES_MANIFEST_H
#define BERTH_CORE_IMAGES_MANIFEST_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/images/mediatype.h"
#include "core/images/platform.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct desc {
	char *media_type;
	struct content_digest digest;
	int64_t size;
	struct platform *platform; /* NULL if none */
	char **urls;		   /* NULL-terminated, NULL if none (http/https only) */
	json_t *annotations;	   /* object of strings, NULL if none (a reference held) */
	char *artifact_type;	   /* NULL if none */
};

/* Parse a descriptor object; `path` names it in messages ("manifest.config"). */
int desc_parse(json_t *obj, const char *path, struct desc *out, struct berth_error **err);
void desc_free(struct desc *d); /* frees the members */
void desc_copy(struct desc *dst, const struct desc *src);
/* The descriptor as JSON (for manifests written by berth). */
json_t *desc_to_json(const struct desc *d);
/* Annotation value, NULL if absent. */
const char *desc_annotation(const struct desc *d, const char *key);

enum manifest_kind {
	MANIFEST_OCI,	      /* application/vnd.oci.image.manifest.v1+json */
	MANIFEST_DOCKER,      /* application/vnd.docker.distribution.manifest.v2+json */
	MANIFEST_OCI_INDEX,   /* application/vnd.oci.image.index.v1+json */
	MANIFEST_DOCKER_LIST, /* application/vnd.docker.distribution.manifest.list.v2+json */
};

struct manifest {
	enum manifest_kind kind;
	const char *media_type; /* the MT_ constant of kind */
	/* image manifests */
	struct desc config;
	struct desc *layers;
	size_t n_layers;
	/* indexes */
	struct desc *manifests;
	size_t n_manifests;
	/* both (OCI 1.1) */
	struct desc *subject; /* NULL if none */
	char *artifact_type;  /* NULL if none */
	json_t *annotations;  /* NULL if none */
};

static inline bool manifest_is_index(const struct manifest *m)
{
	return m->kind == MANIFEST_OCI_INDEX || m->kind == MANIFEST_DOCKER_LIST;
}

/* Parse and validate a manifest or index of len bytes. content_type (the
 * HTTP Content-Type, or the descriptor's mediaType; NULL or a generic type
 * such as application/json when unknown) and the document's own mediaType
 * must agree when both are given; with neither, the kind is told from the
 * fields (an OCI document may omit mediaType). Schema 1 is refused (ENOTSUP)
 * with a message saying so. Duplicate keys are refused. */
int manifest_parse(const void *buf, size_t len, const char *content_type, struct manifest **out,
		   struct berth_error **err);
void manifest_free(struct manifest *m);

/* For a pull: the config is an image config and every layer one berth can
 * unpack (or a non-distributable one); error names the field. */
int manifest_check_image(const struct manifest *m, struct berth_error **err);

/* Platform selection in an index: the child manifest that `want` runs best
 * (platform_rank; ties go to the first in the index). Children without a
 * platform are taken only when nothing else matches; children that are not
 * manifests (attestations have unknown/unknown) are skipped. want NULL:
 * platform_default(). ENOENT with docker's message when nothing matches:
 * "no matching manifest for linux/amd64 in the manifest list entries". */
int manifest_select(const struct manifest *index, const struct platform *want, size_t *idx,
		    struct berth_error **err);

#endif
