/* Pull internals shared by pull.c and pull-record.c. */
#ifndef BERTH_CORE_IMAGES_PULL_INTERNAL_H
#define BERTH_CORE_IMAGES_PULL_INTERNAL_H

#include "core/images/manifest.h"
#include "core/metadata/metadata.h"

#include <stdbool.h>
#include <stdint.h>

struct pull_record {
	const char *ns;
	const char *name;	   /* normalised reference */
	const char *familiar_name; /* for the repo digest: "busybox", "127.0.0.1:5000/x" */
	const struct desc *top;	   /* what the reference resolved to */
	const struct desc *manifest;
	const struct manifest *m;
	const char *snapshotter;
	const char *top_chain; /* NULL without layers */
	int64_t size;
	bool updated;	     /* out: the name now names another image */
	bool no_repo_digest; /* loaded or imported: no RepoDigests */
};

/* Edges and the image record in one transaction. */
int pull_write_record(struct md_db *db, struct pull_record *rec, struct berth_error **err);

#endif
