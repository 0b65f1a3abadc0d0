/* POST /images/{name}/tag, DELETE /images/{name}, POST /images/prune.
 * Changes to records run under the engine's images lock, each in one
 * metadata transaction; garbage collection follows a delete. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "core/images/pull.h"
#include "core/images/records.h"
#include "core/images/reference.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

int images_tag(struct api_request *req, struct api_response *resp, struct berth_error **err);
int images_delete(struct api_request *req, struct api_response *resp, struct berth_error **err);
int images_prune(struct api_request *req, struct api_response *resp, struct berth_error **err);

struct tag_args {
	const struct img *im;
	const char *name;
	const char *matched; /* the record the source name found, or NULL (by id) */
};

static int tag_tx(struct md_db *db, void *arg, struct berth_error **err)
{
	struct tag_args *a = arg;
	/* names of one image id may differ in target (index vs manifest): copy
	 * the one the source name designates */
	const struct md_image *src = &a->im->recs[0];
	for (size_t i = 0; a->matched && i < a->im->nrecs; i++)
		if (strcmp(a->im->recs[i].name, a->matched) == 0)
			src = &a->im->recs[i];
	struct md_image img = {.name = (char *)a->name, .target = src->target};
	img.labels = src->labels ? json_deep_copy(src->labels) : json_object();
	json_object_del(img.labels, IMG_LABEL_REPO_DIGEST);
	struct md_image old = {0};
	struct berth_error *gerr = NULL;
	int rc;
	if (md_image_get(db, IMAGES_NS, a->name, &old, &gerr) == 0) {
		const char *oid = img_id(&old);
		if (oid && strcmp(oid, a->im->id) == 0) {
			rc = md_image_update(db, IMAGES_NS, &old, err); /* LastTagTime */
		} else {
			rc = md_image_update(db, IMAGES_NS, &img, err);
			if (rc == 0)
				rc = img_keep_dangling(db, IMAGES_NS, &old, err);
		}
		md_image_free(&old);
	} else if (gerr->code == ENOENT) {
		berth_error_free(&gerr);
		rc = md_image_create(db, IMAGES_NS, &img, err);
	} else {
		*err = gerr;
		rc = -1;
	}
	if (rc == 0)
		rc = img_drop_dangling(db, IMAGES_NS, a->im->id, err);
	json_decref(img.labels);
	return rc;
}

int images_tag(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	const char *repo = api_query(req, "repo");
	const char *tag = api_query(req, "tag");
	if (repo == NULL || repo[0] == '\0')
		return berth_error_set(err, EINVAL,
				       "repository name must have at least one component");
	struct ref *r = NULL;
	if (ref_parse_normalized(repo, &r, err) < 0)
		return -1;
	if (r->digest) {
		ref_free(r);
		return berth_error_set(err, EINVAL,
				       "refusing to create a tag with a digest reference");
	}
	if (tag && *tag && ref_set_tag(r, tag, err) < 0) {
		ref_free(r);
		return -1;
	}
	ref_tag_name_only(r);
	cleanup_free char *name = ref_string(r);
	ref_free(r);
	pthread_mutex_lock(&e->images_lock);
	struct img im;
	cleanup_free char *matched = NULL;
	int rc = images_lookup(e, api_param(req, "name"), &im, &matched, err);
	if (rc == 0) {
		struct tag_args a = {&im, name, matched};
		rc = md_tx_run(e->md, tag_tx, &a, err);
		if (rc == 0) {
			cleanup_free char *f = images_familiar(name);
			images_event(e, "tag", im.id, f);
		}
		img_free(&im);
	}
	pthread_mutex_unlock(&e->images_lock);
	if (rc < 0)
		return -1;
	api_reply_empty(resp, 201);
	return 0;
}

/* ---- delete ---- */

struct del_args {
	const struct img *im;
	const char *only; /* untag just this record; NULL: every record */
	bool remove;	  /* the image goes (no names left) */
	json_t *out;	  /* [{"Untagged"}, {"Deleted"}] */
};

static int del_tx(struct md_db *db, void *arg, struct berth_error **err)
{
	struct del_args *a = arg;
	const struct img *im = a->im;
	size_t left = 0;
	for (size_t i = 0; i < im->nrecs; i++) {
		const struct md_image *r = &im->recs[i];
		if (a->only && strcmp(r->name, a->only) != 0) {
			if (!img_is_dangling(r))
				left++;
			continue;
		}
		if (md_image_delete(db, IMAGES_NS, r->name, err) < 0)
			return -1;
		if (!img_is_dangling(r)) {
			cleanup_free char *f = images_familiar(r->name);
			json_array_append_new(a->out, json_pack("{s:s}", "Untagged", f));
		}
	}
	a->remove = left == 0;
	if (!a->remove)
		return 0;
	json_t *digests = images_repo_digests(im);
	size_t i;
	json_t *d;
	json_array_foreach(digests, i, d)
	    json_array_append_new(a->out, json_pack("{s:O}", "Untagged", d));
	json_decref(digests);
	/* drop what the records left behind: dangling record of the ID */
	if (img_drop_dangling(db, IMAGES_NS, im->id, err) < 0)
		return -1;
	json_array_append_new(a->out, json_pack("{s:s}", "Deleted", im->id));
	return 0;
}

/* docker's events of a delete: "untag" per name, "delete" when the image
 * went (both name the image by its ID). */
static void del_events(struct engine *e, const struct img *im, json_t *out)
{
	size_t i;
	json_t *v;
	json_array_foreach(out, i, v)
	{
		if (json_object_get(v, "Untagged"))
			images_event(e, "untag", im->id, im->id);
		else if (json_object_get(v, "Deleted"))
			images_event(e, "delete", im->id, im->id);
	}
}

static int delete_one(struct engine *e, const char *name, bool force, json_t *out,
		      struct berth_error **err)
{
	struct img im;
	cleanup_free char *matched = NULL;
	if (images_lookup(e, name, &im, &matched, err) < 0)
		return -1;
	char sid[13], cid[13];
	images_short_id(im.id, sid);
	cleanup_free char *user = NULL;
	size_t users = images_users(e, &im, &user);
	size_t tagged = 0;
	for (size_t i = 0; i < im.nrecs; i++)
		tagged += !img_is_dangling(&im.recs[i]);
	int rc = 0;
	if (matched == NULL && tagged > 1 && !force)
		rc = berth_error_set(err, EBUSY,
				     "conflict: unable to delete %s (must be forced) - image is "
				     "referenced in multiple repositories",
				     sid);
	else if (users > 0 && !force && (matched == NULL || tagged <= 1))
		rc = matched ? berth_error_set(err, EBUSY,
					       "conflict: unable to remove repository reference "
					       "\"%s\" (must force) - container %s is using its "
					       "referenced image %s",
					       name, images_short_id(user, cid), sid)
			     : berth_error_set(err, EBUSY,
					       "conflict: unable to delete %s (must be forced) - "
					       "image is being used by stopped container %s",
					       sid, images_short_id(user, cid));
	if (rc == 0) {
		struct del_args a = {.im = &im, .only = matched, .out = json_array()};
		rc = md_tx_run(e->md, del_tx, &a, err);
		if (rc == 0 && a.remove && users > 0) {
			/* forced while a container uses it: keep it, untagged */
			json_array_remove(a.out, json_array_size(a.out) - 1);
			struct berth_error *kerr = NULL;
			if (md_tx_begin(e->md, &kerr) == 0 &&
			    img_keep_dangling(e->md, IMAGES_NS, &im.recs[0], &kerr) == 0)
				md_tx_commit(e->md, &kerr);
			else
				md_tx_rollback(e->md);
			berth_error_free(&kerr);
		}
		if (rc == 0) {
			json_array_extend(out, a.out);
			del_events(e, &im, a.out);
		}
		json_decref(a.out);
	}
	img_free(&im);
	return rc;
}

int images_delete(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	bool force = api_query_bool(req, "force", false);
	json_t *out = json_array();
	pthread_mutex_lock(&e->images_lock);
	int rc = delete_one(e, api_param(req, "name"), force, out, err);
	if (rc == 0)
		images_gc(e);
	pthread_mutex_unlock(&e->images_lock);
	if (rc < 0) {
		json_decref(out);
		return -1;
	}
	api_reply_json(resp, 200, out);
	return 0;
}

/* ---- prune: dangling images (all unused ones with dangling=false) ---- */

static int prune_filters(struct api_request *req, bool *all, struct berth_error **err)
{
	const char *f = api_query(req, "filters");
	*all = false;
	if (f == NULL || f[0] == '\0')
		return 0;
	cleanup_json json_t *o = json_loads(f, 0, NULL);
	if (!json_is_object(o))
		return berth_error_set(err, EINVAL, "invalid filter: %s", f);
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (strcmp(k, "dangling") != 0)
			return berth_error_set(err, EINVAL, "invalid filter '%s'", k);
		const char *val = NULL;
		if (json_is_object(v))
			val = json_object_iter_key(json_object_iter(v));
		else if (json_is_array(v))
			val = json_string_value(json_array_get(v, 0));
		if (val && (strcmp(val, "false") == 0 || strcmp(val, "0") == 0))
			*all = true;
		else if (val && strcmp(val, "true") != 0 && strcmp(val, "1") != 0)
			return berth_error_set(err, EINVAL, "Invalid filter 'dangling=%s'", val);
	}
	return 0;
}

int images_prune(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	bool all = false;
	if (prune_filters(req, &all, err) < 0)
		return -1;
	pthread_mutex_lock(&e->images_lock);
	struct img *v = NULL;
	size_t n = 0;
	if (images_load_all(e, &v, &n, err) < 0) {
		pthread_mutex_unlock(&e->images_lock);
		return -1;
	}
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++) {
		json_t *tags = images_repo_tags(&v[i]);
		bool dangling = json_array_size(tags) == 0;
		json_decref(tags);
		if ((!all && !dangling) || images_users(e, &v[i], NULL) > 0)
			continue;
		struct del_args a = {.im = &v[i], .out = json_array()};
		struct berth_error *derr = NULL;
		if (md_tx_run(e->md, del_tx, &a, &derr) < 0) {
			log_warn("prune %s: %s", v[i].id, derr->msg);
			berth_error_free(&derr);
		} else {
			json_array_extend(out, a.out);
			del_events(e, &v[i], a.out);
		}
		json_decref(a.out);
	}
	img_list_free(v, n);
	int64_t bytes = images_gc(e);
	pthread_mutex_unlock(&e->images_lock);
	if (e->events) { /* docker's: {"Type":"image","Action":"prune","Actor":{"ID":"",
			  * "Attributes":{"reclaimed":"<bytes>"}}} */
		json_t *attrs = json_pack("{s:I}", "reclaimed", (json_int_t)bytes);
		events_publish(e->events, "image", "prune", "", attrs);
		json_decref(attrs);
	}
	json_t *r =
	    json_pack("{s:o,s:I}", "ImagesDeleted", json_array_size(out) ? out : json_null(),
		      "SpaceReclaimed", (json_int_t)bytes);
	if (json_array_size(out) == 0)
		json_decref(out);
	api_reply_json(resp, 200, r);
	return 0;
}
