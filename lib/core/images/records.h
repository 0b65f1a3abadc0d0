/* Image records as the Docker API sees them: a record (md_image) is a name
 * -> target descriptor; its labels (IMG_LABEL_*, pull.h) hold the image ID
 * (config digest), the platform's manifest, the repo digest and the size.
 * Several names may share an image ID; an image whose last name goes away
 * is kept as a dangling record (MD_DANGLING_PREFIX<image ID>, docker's
 * <none>:<none>) until it is removed or pruned. */
#ifndef BERTH_CORE_IMAGES_RECORDS_H
#define BERTH_CORE_IMAGES_RECORDS_H

#include "common/error.h"
#include "core/metadata/metadata.h"

#include <stdbool.h>

/* A label's value, NULL if absent. */
const char *img_label(const struct md_image *img, const char *key);
/* The image ID (config digest); NULL for a record berth did not write. */
const char *img_id(const struct md_image *img);
bool img_is_dangling(const struct md_image *img);
/* Call inside a transaction after `old` lost its name: when no record has
 * its image ID any more, keep it as a dangling record (repo digest dropped). */
int img_keep_dangling(struct md_db *db, const char *ns, const struct md_image *old,
		      struct berth_error **err);
/* Remove the dangling record of an image ID (none is fine). */
int img_drop_dangling(struct md_db *db, const char *ns, const char *id, struct berth_error **err);
/* Records with this image ID (md_image_list_free). */
int img_list_by_id(struct md_db *db, const char *ns, const char *id, struct md_image **out,
		   size_t *n, struct berth_error **err);

#endif
