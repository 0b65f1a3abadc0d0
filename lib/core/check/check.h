/* Consistency check of a berthd root (what tests run after a pull, a failed
 * pull or a crash; also useful by hand on a stopped daemon's root).
 *
 * Reads, never repairs: the metadata database (SQLite integrity and foreign
 * keys), every blob of the content store (its name is its sha256, the bytes
 * hash to it), leftover ingests, every snapshot record (its parent exists and
 * is committed, no cycle, its directory exists; an active snapshot is held by
 * a lease or a container), the snapshotters' directories (no new-*, rm-*,
 * unpack-* leftovers, no directory without a record), every edge (its blobs
 * and snapshots exist) and every image (target, manifests, config and layers
 * present with the sizes their descriptors give, the config's diff_ids and
 * the manifest's layers as many, the top chain ID a committed snapshot).
 * Each problem is one line of text in check_result.problems.
 * See docs/core.md, "Consistency check". */
#ifndef BERTH_CORE_CHECK_CHECK_H
#define BERTH_CORE_CHECK_CHECK_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

struct check_options {
	bool skip_digests;  /* do not hash blobs (sizes and structure only) */
	bool allow_ingests; /* partial downloads are not problems (a pull may resume them) */
};

struct check_result {
	char **problems; /* one line each */
	size_t n_problems;
	size_t blobs, ingests, snapshots, edges, images; /* what was looked at */
};

void check_result_free(struct check_result *res);

/* Check the root `root` (berthd's --root). Fails (-1) only when the root
 * cannot be read at all (no metadata.db, a database that does not open);
 * everything else is a problem in res. */
int check_root(const char *root, const struct check_options *opts, struct check_result *res,
	       struct berth_error **err);

#endif
