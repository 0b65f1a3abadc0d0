/* `docker load`: a docker-archive tar (manifest.json; also with the OCI
 * layout dockerd 25+ adds) or an OCI image layout tar (index.json), read
 * once as a stream (possibly compressed). Every member is checked as it
 * comes (relative names that stay inside, regular files, dirs, symlinks and
 * hard links within the archive; blobs/sha256/<hex> must have that digest);
 * large members go to the content store as they arrive (uncompressed),
 * small ones stay in memory until manifest.json or index.json, which may
 * come last, says what they are. Then every image is checked (config parses,
 * one layer per diffID, each layer's diffID the config's) before any
 * snapshot or record is made: a bad archive leaves no image. */
#ifndef BERTH_CORE_IMAGES_LOAD_H
#define BERTH_CORE_IMAGES_LOAD_H

#include "common/error.h"
#include "core/images/local.h"

/* One line per loaded name: "Loaded image: busybox:latest", or "Loaded
 * image ID: sha256:..." for an image without one. */
typedef void (*load_event_fn)(void *arg, const char *line);

int image_load(const struct local_options *o, local_read_fn fn, void *arg, load_event_fn ev,
	       void *ev_arg, struct berth_error **err);

#endif
