/* The docker-archive format (`docker save`): manifest.json, a list of
 * {"Config": path, "RepoTags": [...], "Layers": [paths]}, with paths of
 * members of the same tar. Parsing and member-name checks, shared by load
 * (which reads such tars) and tests. */
#ifndef BERTH_CORE_IMAGES_DOCKER_ARCHIVE_H
#define BERTH_CORE_IMAGES_DOCKER_ARCHIVE_H

#include "common/error.h"

#include <stddef.h>

struct darc_image {
	char *config;  /* member path */
	char **tags;   /* NULL-terminated, normalised references */
	char **layers; /* NULL-terminated member paths */
	size_t n_layers;
};

/* manifest.json: EINVAL "invalid manifest.json: ..." for anything but a
 * non-empty array of such objects (paths checked with darc_path_clean,
 * tags with the reference grammar). */
int darc_manifest_parse(const char *buf, size_t len, struct darc_image **out, size_t *n,
			struct berth_error **err);
void darc_images_free(struct darc_image *v, size_t n);

/* A member name as a relative path without "." components or repeated
 * slashes ("./a//b/" -> "a/b"); EINVAL for absolute names, ".." anywhere
 * and empty names. */
int darc_path_clean(const char *name, char **out, struct berth_error **err);

#endif
