/* Images made on this host rather than pulled: `load` (docker-archive and
 * OCI layout tars) and `import` (a rootfs tarball). A session holds a lease
 * so that garbage collection leaves what it stores alone until the image
 * records exist; on failure nothing is recorded and the next GC removes
 * what the session stored.
 *
 * Layers are stored uncompressed (their digest is their diffID, media type
 * application/vnd.oci.image.layer.v1.tar), whatever compression they came
 * with (gzip, zstd, xz, bzip2 or none, detected), then unpacked into
 * chain-ID snapshots as a pull does. The image gets an OCI manifest in the
 * content store, so it can be saved and pushed like a pulled one. */
#ifndef BERTH_CORE_IMAGES_LOCAL_H
#define BERTH_CORE_IMAGES_LOCAL_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/metadata/metadata.h"
#include "core/snapshots/snapshots.h"

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct local_options {
	struct content_store *cs;
	struct snapshotter *snap;
	struct md_db *md;
	const char *ns;
	const char *what; /* "load", "import": lease label and ingest refs */
};

struct local_session;

int local_begin(const struct local_options *o, struct local_session **out,
		struct berth_error **err);
/* Deletes the lease. */
void local_end(struct local_session *s);

/* Reads up to len bytes: >0, 0 at the end, -1 with *err set. */
typedef ssize_t (*local_read_fn)(void *arg, void *buf, size_t len, struct berth_error **err);

struct local_layer {
	struct content_digest diff_id; /* sha256 of the uncompressed tar = its blob */
	int64_t size;		       /* uncompressed bytes */
	struct content_digest raw;     /* sha256 of the bytes read (as compressed) */
};

/* Store a layer read through fn (compression detected) uncompressed. */
int local_put_layer(struct local_session *s, local_read_fn fn, void *arg, struct local_layer *out,
		    struct berth_error **err);
/* The same from memory. */
int local_put_layer_mem(struct local_session *s, const void *buf, size_t len,
			struct local_layer *out, struct berth_error **err);
/* Store bytes as a blob (config, manifest). */
int local_put_blob(struct local_session *s, const void *buf, size_t len, struct content_digest *out,
		   struct berth_error **err);

/* Snapshots for the layers (stored with local_put_layer) in order: the
 * chain IDs of diff_ids; existing ones are kept. Each layer's tar must
 * have the diffID given (EBADMSG otherwise). */
int local_unpack(struct local_session *s, const struct content_digest *diff_ids, size_t n,
		 struct berth_error **err);

/* The image: config (its digest is the image ID) and manifest stored, a
 * record per name (normalised references, the previous holder of a name
 * left dangling), or a dangling record when there is no name. n_layers and
 * diff_ids must be those of the config (local_unpack first). */
int local_record(struct local_session *s, const char *config, size_t config_len,
		 const struct content_digest *diff_ids, const int64_t *sizes, size_t n_layers,
		 char *const *names, size_t n_names, struct content_digest *id,
		 struct berth_error **err);

#endif
