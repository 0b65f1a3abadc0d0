/* Pull: a reference from a registry into the content store, the snapshotter
 * and the metadata database (see docs/core.md, "Pull").
 *
 *   pull_prepare(&opts, "127.0.0.1:5000/busybox:latest", &p, &err);  resolves
 *   pull_run(p, &res, &err);       manifests, config, layers, unpack, record
 *   pull_free(p);
 *
 * pull_prepare parses the reference and resolves it on the registry, so a
 * missing manifest or an unreachable registry fails before any progress is
 * reported (the API answers those with a plain JSON error). pull_run then
 * fetches the manifest (an index: the child for the platform), the config
 * and the layers: downloads run in parallel (max_concurrent), each layer is
 * unpacked into an overlay snapshot as soon as it and its parent are there,
 * its diffID checked against the config; snapshots are committed under their
 * chain IDs; the image record and the edges GC follows are written in one
 * metadata transaction. Everything is done under a lease, deleted at the end,
 * so GC never takes in-flight content; on failure there is no image record,
 * no half-unpacked snapshot, and partial downloads stay as resumable ingests.
 *
 * Progress goes to opts.event as docker's jsonmessage objects ({"status",
 * "progressDetail", "progress", "id"}), from several threads one at a time. */
#ifndef BERTH_CORE_IMAGES_PULL_H
#define BERTH_CORE_IMAGES_PULL_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/images/platform.h"
#include "core/metadata/metadata.h"
#include "core/registry/registry.h"
#include "core/snapshots/snapshots.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

/* Labels of an image record (md_image.labels) that the Docker API reads. */
#define IMG_LABEL_CONFIG "io.berth.image.config"	   /* config digest = image ID */
#define IMG_LABEL_MANIFEST "io.berth.image.manifest"	   /* the platform's manifest */
#define IMG_LABEL_REPO_DIGEST "io.berth.image.repo-digest" /* repo@digest as pulled */
#define IMG_LABEL_SIZE "io.berth.image.size"		   /* bytes of its layers */

/* containerd's chain IDs: chain[0] = diff_ids[0], chain[i] = sha256 of
 * "<chain[i-1]> <diff_ids[i]>". */
void image_chain_ids(const struct content_digest *diff_ids, size_t n, struct content_digest *out);

/* docker's units.HumanSize: 4 significant digits, decimal units ("32.77kB"). */
void pull_human_size(double size, char *buf, size_t len);
/* jsonmessage's progress text: "[=>      ]  32.77kB/1.089MB" (width 200). */
char *pull_progress_text(int64_t current, int64_t total);
/* A progress message: {"status", "progressDetail": {} or {current,total},
 * "progress", "id"}; detail false leaves progressDetail out (top-level
 * messages), current < 0 gives an empty progressDetail. id may be NULL. */
json_t *pull_message(const char *id, const char *status, bool detail, int64_t current,
		     int64_t total);
/* {"errorDetail": {"message": m}, "error": m} */
json_t *pull_error_message(const char *msg);

typedef void (*pull_event_fn)(void *data, json_t *msg); /* msg borrowed */

/* Where a pull's or a push's progress goes: the caller's event function,
 * called under one lock (the workers report from their own threads), and its
 * cancellation check (pull-progress.c). */
struct image_progress {
	pull_event_fn event; /* may be NULL */
	void *data;
	bool (*cancelled)(void *data); /* may be NULL */
	pthread_mutex_t lock;
};
void image_progress_init(struct image_progress *pr, pull_event_fn event, void *data,
			 bool (*cancelled)(void *data));
void image_progress_destroy(struct image_progress *pr);
/* Send m (stolen) to the event function. */
void image_progress_emit(struct image_progress *pr, json_t *m);
/* A per-layer status without progress ("Pull complete", "Pushed"). */
void image_progress_say(struct image_progress *pr, const char *id, const char *status);
bool image_progress_cancelled(struct image_progress *pr);
/* CLOCK_MONOTONIC in ns, for rate-limiting progress messages. */
int64_t image_now_ns(void);

struct pull_options {
	struct content_store *cs;
	struct snapshotter *snap;
	struct md_db *md;
	struct reg_client *reg;
	const char *ns;			 /* NULL: MD_DEFAULT_NAMESPACE */
	const struct platform *platform; /* NULL: platform_default() */
	const struct reg_auth *auth;	 /* NULL: the client's auth file */
	int max_concurrent;		 /* downloads at once; <= 0: 3 */
	pull_event_fn event;		 /* may be NULL */
	void *event_data;
	bool (*cancelled)(void *event_data); /* may be NULL */
	/* Leave out the closing "Status: ..." message (a pull of all tags says it
	 * once, after the last tag). */
	bool no_status;
};

struct pull_result {
	char *name; /* the image record's name (normalised reference) */
	struct content_digest target;
	struct content_digest config; /* image ID */
	bool updated;		      /* false: it was up to date */
};
void pull_result_free(struct pull_result *r);

struct pull;
/* Parse (docker's normalisation, :latest added) and resolve the reference.
 * Errors are the registry's (ENOENT manifest unknown, ECONNREFUSED, ...) or
 * EINVAL for a bad reference. o must outlive the pull. */
int pull_prepare(const struct pull_options *o, const char *ref, struct pull **out,
		 struct berth_error **err);
/* The familiar form ("busybox:latest", "127.0.0.1:5000/x:1"). */
const char *pull_familiar(const struct pull *p);
int pull_run(struct pull *p, struct pull_result *res, struct berth_error **err);
void pull_free(struct pull *p);

/* The tags of a repository (ref: a name, its tag or digest if any ignored),
 * for a pull of all tags, as reg_list_tags. Free with reg_tags_free. */
int pull_list_tags(const struct pull_options *o, const char *ref, char ***tags, size_t *n,
		   struct berth_error **err);

/* Leases of pulls carry this label (value: the reference). */
#define PULL_LEASE_LABEL "io.berth.pull"
/* At start, before any pull: delete the leases of pulls a previous run left
 * (killed in the middle), so GC may take what they held; their ingests stay
 * and are resumed by the next pull. *n gets how many. */
int pull_drop_stale_leases(struct md_db *md, size_t *n, struct berth_error **err);
/* Same time: remove the layer trees an interrupted pull unpacked ahead of
 * their snapshots (<snapshotter root>/unpack-*). */
int pull_remove_stale_dirs(struct snapshotter *snap, size_t *n, struct berth_error **err);

#endif
