/* Garbage collection of content and snapshots (containerd's tri-colour GC,
 * simplified: one mark from the roots, one sweep).
 *
 * Roots: every image's target (all namespaces), every resource of a lease
 * that has not expired, every container's snapshot; and, so that work in
 * flight without a lease survives, every blob and snapshot younger than the
 * grace period. From a blob, edges (md_edge_add) lead to blobs and snapshots;
 * from a snapshot, its parent chain. Everything else is removed: blobs with
 * content_delete, snapshots with snap_remove (children first), ingests not
 * written for ingest_max_age (and not leased) with content_abort. Expired
 * leases are deleted first. See docs/core.md, "Garbage collection". */
#ifndef BERTH_CORE_GC_GC_H
#define BERTH_CORE_GC_GC_H

#include "core/content/content.h"
#include "core/metadata/metadata.h"
#include "core/snapshots/snapshots.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gc_options {
	bool dry_run;		/* report what would go, change nothing */
	int64_t grace;		/* ns: unreferenced objects younger than this are kept */
	int64_t ingest_max_age; /* ns: abort ingests idle this long; <= 0: keep ingests */
	int64_t now;		/* ns since the epoch; 0: the current time */
};

enum gc_kind { GC_BLOB = 1, GC_SNAPSHOT = 2, GC_INGEST = 3 };

struct gc_item {
	enum gc_kind kind;
	char *snapshotter; /* snapshots only */
	char *name;	   /* digest, snapshot key, ingest ref */
	int64_t size;	   /* bytes reclaimed (a snapshot's own layer) */
};

struct gc_result {
	size_t blobs, snapshots, ingests; /* removed (dry run: would be) */
	size_t leases;			  /* expired leases deleted (dry run: expired) */
	int64_t bytes;			  /* reclaimed */
	size_t young;			  /* unreferenced, kept by the grace period */
	size_t failed;			  /* removals that failed (logged), or refused late */
	struct gc_item *items;		  /* what was (would be) removed, in order */
	size_t n_items;
};

void gc_result_free(struct gc_result *res);

/* snaps: the snapshotters whose snapshots are collected (may be 0). Fails only
 * when the metadata cannot be read or written; a blob or snapshot that cannot
 * be removed is logged and counted in failed. */
int gc_run(struct md_db *db, struct content_store *cs, struct snapshotter *const *snaps,
	   size_t n_snaps, const struct gc_options *opts, struct gc_result *res,
	   struct berth_error **err);

#endif
