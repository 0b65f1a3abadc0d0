/* `docker save`: images from the content store as one tar, in the layout
 * dockerd 25+ writes, which both old and new readers take:
 *
 *   blobs/sha256/<hex>     configs, layers (uncompressed tars: the digest is
 *                          the diffID) and an OCI manifest per image
 *   index.json, oci-layout an OCI image layout (one entry per tag, with
 *                          io.containerd.image.name / org.opencontainers.image.ref.name)
 *   manifest.json          [{"Config", "RepoTags", "Layers"}] (docker-archive)
 *   repositories           {"repo": {"tag": "<top layer id>"}}
 *   <id>/VERSION, json, layer.tar   the legacy per-layer dirs (layer.tar a
 *                          hard link to its blob)
 *
 * Compressed layers are decompressed on the fly (one pass to learn the
 * size, one to write). */
#ifndef BERTH_CORE_IMAGES_SAVE_H
#define BERTH_CORE_IMAGES_SAVE_H

#include "common/error.h"
#include "core/content/content.h"

#include <stddef.h>
#include <sys/types.h>

struct save_image {
	const char *manifest; /* digest of the image's (platform) manifest */
	char **tags;	      /* NULL-terminated normalised references; may be empty */
};

/* Writes len bytes; -1 with *err set to stop. */
typedef int (*save_write_fn)(void *arg, const void *buf, size_t len, struct berth_error **err);

int image_save(struct content_store *cs, const struct save_image *imgs, size_t n, save_write_fn fn,
	       void *arg, struct berth_error **err);

#endif
