/* Image records for the Docker API (records.h) and the record a pull
 * writes (pull-internal.h). */
#include "core/images/records.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/pull-internal.h"
#include "core/images/pull.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *img_label(const struct md_image *img, const char *key)
{
	if (img->labels == NULL)
		return NULL;
	return json_string_value(json_object_get(img->labels, key));
}

const char *img_id(const struct md_image *img)
{
	return img_label(img, IMG_LABEL_CONFIG);
}

bool img_is_dangling(const struct md_image *img)
{
	return strncmp(img->name, MD_DANGLING_PREFIX, strlen(MD_DANGLING_PREFIX)) == 0;
}

int img_list_by_id(struct md_db *db, const char *ns, const char *id, struct md_image **out,
		   size_t *n, struct berth_error **err)
{
	cleanup_free char *lab = xasprintf("%s=%s", IMG_LABEL_CONFIG, id);
	const char *labels[] = {lab, NULL};
	struct md_image_filter f = {.labels = labels, .dangling = -1};
	return md_image_list(db, ns, &f, out, n, err);
}

int img_keep_dangling(struct md_db *db, const char *ns, const struct md_image *old,
		      struct berth_error **err)
{
	const char *id = img_id(old);
	if (id == NULL || img_is_dangling(old))
		return 0;
	struct md_image *v = NULL;
	size_t n = 0;
	if (img_list_by_id(db, ns, id, &v, &n, err) < 0)
		return -1;
	md_image_list_free(v, n);
	if (n > 0)
		return 0;
	cleanup_free char *name = xasprintf("%s%s", MD_DANGLING_PREFIX, id);
	struct md_image d = {.name = name, .target = old->target};
	d.labels = old->labels ? json_deep_copy(old->labels) : json_object();
	json_object_del(d.labels, IMG_LABEL_REPO_DIGEST);
	int rc = md_image_create(db, ns, &d, err);
	json_decref(d.labels);
	return rc;
}

int img_drop_dangling(struct md_db *db, const char *ns, const char *id, struct berth_error **err)
{
	cleanup_free char *name = xasprintf("%s%s", MD_DANGLING_PREFIX, id);
	struct berth_error *e = NULL;
	if (md_image_delete(db, ns, name, &e) < 0) {
		if (e->code == ENOENT) {
			berth_error_free(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	return 0;
}

static int write_edges(struct md_db *db, const struct pull_record *r, struct berth_error **err)
{
	const char *mdg = r->manifest->digest.s;
	if (strcmp(r->top->digest.s, mdg) != 0 &&
	    md_edge_add(db, r->top->digest.s, MD_REF_CONTENT, NULL, mdg, err) < 0)
		return -1;
	if (md_edge_add(db, mdg, MD_REF_CONTENT, NULL, r->m->config.digest.s, err) < 0)
		return -1;
	for (size_t i = 0; i < r->m->n_layers; i++)
		if (md_edge_add(db, mdg, MD_REF_CONTENT, NULL, r->m->layers[i].digest.s, err) < 0)
			return -1;
	if (r->top_chain && md_edge_add(db, r->m->config.digest.s, MD_REF_SNAPSHOT, r->snapshotter,
					r->top_chain, err) < 0)
		return -1;
	return 0;
}

static int record_tx(struct md_db *db, void *arg, struct berth_error **err)
{
	struct pull_record *r = arg;
	const char *id = r->m->config.digest.s;
	if (md_namespace_ensure(db, r->ns, err) < 0 || write_edges(db, r, err) < 0)
		return -1;
	char size[32];
	snprintf(size, sizeof(size), "%lld", (long long)r->size);
	cleanup_free char *repo_digest = xasprintf("%s@%s", r->familiar_name, r->top->digest.s);
	json_t *labels = json_pack("{s:s,s:s,s:s,s:s}", IMG_LABEL_CONFIG, id, IMG_LABEL_MANIFEST,
				   r->manifest->digest.s, IMG_LABEL_REPO_DIGEST, repo_digest,
				   IMG_LABEL_SIZE, size);
	if (r->no_repo_digest)
		json_object_del(labels, IMG_LABEL_REPO_DIGEST);
	struct md_image img = {.name = (char *)r->name,
			       .target = {.media_type = r->top->media_type,
					  .digest = (char *)r->top->digest.s,
					  .size = r->top->size},
			       .labels = labels};
	struct md_image old = {0};
	struct berth_error *gerr = NULL;
	int rc;
	if (md_image_get(db, r->ns, r->name, &old, &gerr) == 0) {
		const char *old_id = img_id(&old);
		r->updated = old_id == NULL || strcmp(old_id, id) != 0 ||
			     strcmp(old.target.digest, r->top->digest.s) != 0;
		rc = md_image_update(db, r->ns, &img, err);
		if (rc == 0 && old_id && strcmp(old_id, id) != 0)
			rc = img_keep_dangling(db, r->ns, &old, err);
		md_image_free(&old);
	} else if (gerr->code == ENOENT) {
		berth_error_free(&gerr);
		r->updated = true;
		rc = md_image_create(db, r->ns, &img, err);
	} else {
		*err = gerr;
		rc = -1;
	}
	if (rc == 0 && !img_is_dangling(&img))
		rc = img_drop_dangling(db, r->ns, id, err);
	json_decref(labels);
	return rc;
}

int pull_write_record(struct md_db *db, struct pull_record *rec, struct berth_error **err)
{
	if (md_tx_run(db, record_tx, rec, err) < 0)
		return berth_error_wrap(err, "record image %s", rec->name);
	return 0;
}
