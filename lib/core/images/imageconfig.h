/* Image config (application/vnd.oci.image.config.v1+json and Docker's
 * application/vnd.docker.container.image.v1+json), validated: os and
 * architecture, rootfs.diff_ids, history; "config" is kept as JSON for the
 * engine (Env, Cmd, Entrypoint, ...), checked only to be an object. */
#ifndef BERTH_CORE_IMAGES_IMAGECONFIG_H
#define BERTH_CORE_IMAGES_IMAGECONFIG_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/images/manifest.h"
#include "core/images/platform.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct image_history {
	char *created; /* RFC 3339, NULL if none */
	char *created_by;
	char *author;
	char *comment;
	bool empty_layer;
};

struct image_config {
	struct platform platform; /* os, architecture, variant, os.version (normalised) */
	char *created;		  /* NULL if none */
	char *author;		  /* NULL if none */
	json_t *config;		  /* the "config" object, NULL if none (a reference held) */
	struct content_digest *diff_ids;
	size_t n_diff_ids;
	struct image_history *history;
	size_t n_history;
};

/* Parse and validate (EINVAL naming the field: `config.rootfs.diff_ids[1]:
 * invalid digest "x"`; EFBIG over IMAGE_CONFIG_MAX_SIZE). */
int image_config_parse(const void *buf, size_t len, struct image_config **out,
		       struct berth_error **err);
void image_config_free(struct image_config *c);
/* The manifest's layers and the config's diff_ids must be as many
 * (non-distributable layers included), else EINVAL. */
int image_config_check_layers(const struct image_config *c, const struct manifest *m,
			      struct berth_error **err);

#endif
