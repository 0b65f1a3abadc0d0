/* Shared by the image endpoints (images.c, images-pull.c, images-delete.c):
 * images grouped by image ID, name lookup as dockerd does, JSON shapes. */
#ifndef BERTH_ENGINE_API_IMAGES_INTERNAL_H
#define BERTH_ENGINE_API_IMAGES_INTERNAL_H

#include "common/error.h"
#include "core/content/content.h"
#include "core/images/imageconfig.h"
#include "core/metadata/metadata.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define IMAGES_NS MD_DEFAULT_NAMESPACE

/* One image (ID) and the records that name it. */
struct img {
	char *id;	       /* sha256:<config hex> */
	struct md_image *recs; /* owned */
	size_t nrecs;
	json_t *config_json; /* the config document */
	struct image_config *cfg;
	struct content_digest *chain; /* cfg->n_diff_ids chain IDs */
	int64_t size;
	int64_t created; /* unix seconds */
	int64_t updated; /* ns: latest record update (LastTagTime) */
};

void img_free(struct img *im); /* the members */
void img_list_free(struct img *v, size_t n);

/* Every image of the namespace, newest first. */
int images_load_all(struct engine *e, struct img **out, size_t *n, struct berth_error **err);
/* dockerd's lookup: a reference (":latest" added), an image ID (sha256:...
 * or 64 hex), a unique ID prefix. *matched (if non-NULL) gets the name of
 * the record a reference matched, NULL when found by ID. ENOENT with
 * "No such image: <ref>". */
int images_lookup(struct engine *e, const char *name, struct img *out, char **matched,
		  struct berth_error **err);
/* 503-like error when berthd runs without its core layer. */
int images_require_core(struct engine *e, struct berth_error **err);

/* RepoTags / RepoDigests as docker lists them (familiar forms, sorted). */
json_t *images_repo_tags(const struct img *im);
json_t *images_repo_digests(const struct img *im);
/* The familiar form of a record name ("busybox:latest"). */
char *images_familiar(const char *name);
/* The short ID ("ff41d169493d"). */
const char *images_short_id(const char *id, char buf[13]);
/* RFC 3339 -> unix seconds (0 when it does not parse). */
int64_t images_parse_time(const char *s);
/* Containers (of the namespace) using the image: count and the first one's id. */
size_t images_users(struct engine *e, const struct img *im, char **first);
/* Garbage collection after a delete; bytes reclaimed. */
int64_t images_gc(struct engine *e);
/* Number of images (for /info). */
size_t api_images_count(struct engine *e);

/* X-Registry-Auth (base64url JSON; "" or "e30=" mean none) into *out
 * (the caller frees it with reg_auth_free). */
struct reg_auth;
int images_decode_auth(const char *h, struct reg_auth *out, struct berth_error **err);

/* An image event on e->events (if any): docker's {"Type":"image","Action":
 * action,"Actor":{"ID":id,"Attributes":{"name":name or id}}}. */
void images_event(struct engine *e, const char *action, const char *id, const char *name);

#endif
