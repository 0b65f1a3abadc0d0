/* Push: an image record from the content store to a registry (see
 * docs/core.md, "Push").
 *
 *   push_prepare(&opts, "127.0.0.1:5000/x:1", &p, &err);  finds the record(s)
 *   push_run(p, &res, &err);     blobs (HEAD, mount, upload), manifests last
 *   push_free(p);
 *
 * The walk (push_plan_build): the record's target; an index whose child
 * manifests are all in the store is pushed whole (children by digest, the
 * index under the tag); an index of which only the platform's manifest was
 * pulled is pushed as that manifest (docker's classic store does the same).
 * For each manifest: its layers top first (docker's order), then its config,
 * then the manifest itself with the exact bytes of the store (its digest does
 * not change); blobs shared by several manifests are pushed once.
 * Non-distributable (foreign) layers are skipped, as docker does.
 *
 * Each blob: HEAD in the destination ("Layer already exists"); else a
 * cross-repository mount from another repository of the same registry that
 * the blob is known to come from ("Mounted from <path>"); else an upload,
 * monolithic up to chunk_threshold bytes, chunked above. Sources of a mount:
 * the other local names on the same registry whose manifest references the
 * blob (metadata edges manifest -> blob), i.e. where it was pulled from or
 * pushed to under another name; a mount the registry refuses falls back to
 * the upload.
 *
 * Everything is held by a lease (label PUSH_LEASE_LABEL) while it runs.
 * Progress goes to opts.event as docker's jsonmessage objects. */
#ifndef BERTH_CORE_IMAGES_PUSH_H
#define BERTH_CORE_IMAGES_PUSH_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/images/manifest.h"
#include "core/images/pull.h"
#include "core/metadata/metadata.h"
#include "core/registry/registry.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define PUSH_LEASE_LABEL "io.berth.push"
#define PUSH_CHUNK_THRESHOLD_DEFAULT (16LL << 20) /* bytes */
#define PUSH_CHUNK_SIZE_DEFAULT (8LL << 20)

/* ---- the walk (pure: the store is reached through a callback) ---------- */

enum push_kind { PUSH_LAYER, PUSH_CONFIG, PUSH_MANIFEST };

struct push_item {
	enum push_kind kind;
	struct desc d;
	char id[13]; /* progress id: the layer's short diffID (docker's), else blob digest */
	bool by_tag; /* the top manifest: pushed under the tag */
};

struct push_plan {
	struct push_item *v;
	size_t n;
};

/* Read a blob: 1 with *buf (malloc'd) and *len, 0 when the store does not
 * have it, -1 on error. */
typedef int (*push_load_fn)(void *data, const struct content_digest *d, size_t max, char **buf,
			    size_t *len, struct berth_error **err);

/* The ordered list of what to push for top; fallback (may be NULL) is the
 * platform's manifest to push instead of an index with children missing.
 * Errors: ENOENT a manifest or config missing from the store, EINVAL/ENOTSUP
 * a document that does not parse. */
int push_plan_build(const struct desc *top, const struct desc *fallback, push_load_fn load,
		    void *data, struct push_plan *out, struct berth_error **err);
void push_plan_free(struct push_plan *p);

/* ---- the push ----------------------------------------------------------- */

struct push_options {
	struct content_store *cs;
	struct md_db *md;
	struct reg_client *reg;
	const char *ns;		     /* NULL: MD_DEFAULT_NAMESPACE */
	const struct reg_auth *auth; /* NULL: the client's auth file */
	int max_concurrent;	     /* uploads at once; <= 0: 5 */
	int64_t chunk_threshold;     /* larger blobs are chunked; 0: default, < 0: never */
	int64_t chunk_size;	     /* 0: default */
	pull_event_fn event;	     /* may be NULL */
	void *event_data;
	bool (*cancelled)(void *event_data); /* may be NULL */
};

struct push_result {
	char *tag; /* the last tag pushed */
	struct content_digest digest;
	int64_t size;
};
void push_result_free(struct push_result *r);

struct push;
/* Parse the reference (docker's normalisation); with a tag, the record of
 * that name; without (docker push -a), every tag of the repository. A digest
 * reference is EINVAL. No record: ENOENT "An image does not exist locally
 * with the tag: <familiar name>". Nothing is sent to the registry yet. */
int push_prepare(const struct push_options *o, const char *ref, struct push **out,
		 struct berth_error **err);
/* "The push refers to repository [host/repo]" then each tag's push. */
int push_run(struct push *p, struct push_result *res, struct berth_error **err);
const char *push_familiar(const struct push *p);
void push_free(struct push *p);

/* At start, before any push: delete the leases of pushes a previous run
 * left (killed in the middle), so GC may take what they held. *n: how many. */
int push_drop_stale_leases(struct md_db *md, size_t *n, struct berth_error **err);

#endif
