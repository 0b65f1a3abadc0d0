/* Push: image record -> registry (see push.h).
 *
 * Threads: push_run's thread builds the plan of each tag and starts up to
 * max_concurrent workers, which take the layers in plan order (HEAD, mount
 * or upload each); when they are done, the same thread pushes the configs
 * and the manifests in plan order (a manifest after everything it lists). */
#include "core/images/push.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/images/records.h"
#include "core/images/reference.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LEASE_TTL_NS (24LL * 3600 * 1000000000LL)
#define PROGRESS_INTERVAL_NS (100LL * 1000000LL)
#define MAX_MOUNT_SOURCES 3

struct push_tag {
	char *tag;
	struct desc top;
	struct desc fallback; /* the platform's manifest (digest empty: none) */
};

struct source {
	char *digest;
	char *path; /* a repository of the same registry */
};

struct push {
	const struct push_options *o;
	const char *ns;
	struct ref *ref;
	char *name;	/* domain/path */
	char *familiar; /* for messages */
	struct push_tag *tags;
	size_t ntags;
	struct reg_repo *repo;
	struct source *src;
	size_t nsrc;
	char *lease;
	struct image_progress pr; /* the caller's progress events */
	pthread_mutex_t lock;	  /* next, stop, err */
	const struct push_plan *plan;
	size_t next;
	bool stop;
	struct berth_error *werr; /* the first worker error */
};

struct upload {
	struct push *p;
	const struct push_item *it;
	int64_t last_ns;
};

void push_result_free(struct push_result *r)
{
	free(r->tag);
	r->tag = NULL;
}

const char *push_familiar(const struct push *p)
{
	return p->familiar;
}

void push_free(struct push *p)
{
	if (p == NULL)
		return;
	if (p->repo)
		reg_repo_close(p->repo);
	for (size_t i = 0; i < p->ntags; i++) {
		free(p->tags[i].tag);
		desc_free(&p->tags[i].top);
		desc_free(&p->tags[i].fallback);
	}
	free(p->tags);
	for (size_t i = 0; i < p->nsrc; i++) {
		free(p->src[i].digest);
		free(p->src[i].path);
	}
	free(p->src);
	ref_free(p->ref);
	free(p->name);
	free(p->familiar);
	free(p->lease);
	berth_error_free(&p->werr);
	image_progress_destroy(&p->pr);
	pthread_mutex_destroy(&p->lock);
	free(p);
}

/* ---- preparing: the records and the mount sources ----------------------- */

static int add_tag(struct push *p, const struct md_image *img, const char *tag,
		   struct berth_error **err)
{
	p->tags = xrealloc(p->tags, (p->ntags + 1) * sizeof(*p->tags));
	struct push_tag *t = &p->tags[p->ntags++];
	memset(t, 0, sizeof(*t));
	t->tag = xstrdup(tag);
	t->top.media_type = xstrdup(img->target.media_type);
	t->top.size = img->target.size;
	if (content_digest_parse(img->target.digest, &t->top.digest, err) < 0)
		return -1;
	const char *m = img_label(img, IMG_LABEL_MANIFEST);
	if (m == NULL || strcmp(m, img->target.digest) == 0)
		return 0;
	/* The platform's manifest: its media type from the document. */
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct manifest *man = NULL;
	struct berth_error *e = NULL;
	if (content_digest_parse(m, &t->fallback.digest, &e) < 0 ||
	    content_read_all(p->o->cs, m, MANIFEST_MAX_SIZE, &buf, &len, &e) < 0 ||
	    manifest_parse(buf, len, NULL, &man, &e) < 0) {
		log_debug("push %s: platform manifest %s: %s", p->familiar, m, e->msg);
		berth_error_free(&e);
		memset(&t->fallback.digest, 0, sizeof(t->fallback.digest));
		return 0;
	}
	t->fallback.media_type = xstrdup(man->media_type);
	t->fallback.size = (int64_t)len;
	manifest_free(man);
	return 0;
}

static int find_records(struct push *p, struct berth_error **err)
{
	struct md_image *v = NULL;
	size_t n = 0;
	cleanup_free char *glob = NULL;
	struct md_image_filter f = {.dangling = -1};
	cleanup_free char *one = NULL;
	if (p->ref->tag) {
		one = ref_string(p->ref);
		f.name = one;
	} else {
		glob = xasprintf("%s:*", p->name);
		f.name_glob = glob;
	}
	if (md_image_list(p->o->md, p->ns, &f, &v, &n, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		const char *tag = p->ref->tag ? p->ref->tag : v[i].name + strlen(p->name) + 1;
		if (!ref_tag_valid(tag))
			continue; /* name:tag@digest */
		rc = add_tag(p, &v[i], tag, err);
	}
	md_image_list_free(v, n);
	if (rc == 0 && p->ntags == 0)
		rc = berth_error_set(
		    err, ENOENT, "An image does not exist locally with the tag: %s", p->familiar);
	return rc;
}

static void add_source(struct push *p, const char *digest, const char *path)
{
	for (size_t i = 0; i < p->nsrc; i++)
		if (strcmp(p->src[i].digest, digest) == 0 && strcmp(p->src[i].path, path) == 0)
			return;
	p->src = xrealloc(p->src, (p->nsrc + 1) * sizeof(*p->src));
	p->src[p->nsrc].digest = xstrdup(digest);
	p->src[p->nsrc].path = xstrdup(path);
	p->nsrc++;
}

/* Other repositories of the destination's registry named by local records,
 * with the blobs their manifests list (the metadata edges). Best effort. */
static void find_sources(struct push *p)
{
	struct md_image *v = NULL;
	size_t n = 0;
	struct berth_error *e = NULL;
	struct md_image_filter f = {.dangling = 0};
	if (md_image_list(p->o->md, p->ns, &f, &v, &n, &e) < 0) {
		log_warn("push %s: list images: %s", p->familiar, e->msg);
		berth_error_free(&e);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct ref *r = NULL;
		if (ref_parse_normalized(v[i].name, &r, &e) < 0) {
			berth_error_free(&e);
			continue;
		}
		if (r->domain && r->path && strcmp(r->domain, p->ref->domain) == 0 &&
		    strcmp(r->path, p->ref->path) != 0) {
			const char *m = img_label(&v[i], IMG_LABEL_MANIFEST);
			struct md_ref *refs = NULL;
			size_t nr = 0;
			if (md_edge_list(p->o->md, m ? m : v[i].target.digest, &refs, &nr, &e) <
			    0) {
				berth_error_free(&e);
			} else {
				for (size_t k = 0; k < nr; k++)
					if (refs[k].kind == MD_REF_CONTENT)
						add_source(p, refs[k].name, r->path);
				md_ref_list_free(refs, nr);
			}
		}
		ref_free(r);
	}
	md_image_list_free(v, n);
}

int push_prepare(const struct push_options *o, const char *s, struct push **out,
		 struct berth_error **err)
{
	struct ref *ref = NULL;
	if (ref_parse_normalized(s, &ref, err) < 0)
		return -1;
	if (ref->digest) {
		ref_free(ref);
		return berth_error_set(err, EINVAL, "cannot push a digest reference: %s", s);
	}
	struct push *p = xcalloc(1, sizeof(*p));
	p->o = o;
	p->ns = o->ns ? o->ns : MD_DEFAULT_NAMESPACE;
	p->ref = ref;
	p->name = ref_name(ref);
	p->familiar = ref_familiar_name(ref);
	image_progress_init(&p->pr, o->event, o->event_data, o->cancelled);
	pthread_mutex_init(&p->lock, NULL);
	if (find_records(p, err) < 0 ||
	    reg_repo_open(o->reg, ref, REG_PULL | REG_PUSH, o->auth, &p->repo, err) < 0) {
		push_free(p);
		return -1;
	}
	find_sources(p);
	*out = p;
	return 0;
}

/* ---- blobs -------------------------------------------------------------- */

static void on_progress(void *data, const struct desc *d, int64_t done, int64_t total)
{
	(void)d;
	struct upload *u = data;
	int64_t t = image_now_ns();
	if (done < total && t - u->last_ns < PROGRESS_INTERVAL_NS)
		return;
	u->last_ns = t;
	image_progress_emit(&u->p->pr, pull_message(u->it->id, "Pushing", true, done, total));
}

/* 1 mounted (*from the path), 0 not. Failures only fall back to the upload. */
static int try_mount(struct push *p, const struct push_item *it, const char **from)
{
	size_t tried = 0;
	for (size_t i = 0; i < p->nsrc && tried < MAX_MOUNT_SOURCES; i++) {
		if (strcmp(p->src[i].digest, it->d.digest.s) != 0)
			continue;
		tried++;
		struct berth_error *e = NULL;
		int rc = reg_blob_mount(p->repo, it->d.digest.s, p->src[i].path, &e);
		if (rc == 1) {
			*from = p->src[i].path;
			return 1;
		}
		if (rc < 0) {
			log_debug("push %s: mount %s from %s: %s", p->familiar, it->d.digest.s,
				  p->src[i].path, e->msg);
			berth_error_free(&e);
		}
	}
	return 0;
}

static int push_blob(struct push *p, const struct push_item *it, struct berth_error **err)
{
	bool layer = it->kind == PUSH_LAYER;
	if (!content_exists(p->o->cs, it->d.digest.s))
		return berth_error_set(err, ENOENT, "%s %s: missing from the content store",
				       layer ? "layer" : "config", it->d.digest.s);
	int rc = reg_blob_exists(p->repo, it->d.digest.s, NULL, err);
	if (rc < 0)
		return -1;
	if (rc == 1) {
		if (layer)
			image_progress_say(&p->pr, it->id, "Layer already exists");
		return 0;
	}
	const char *from = NULL;
	if (try_mount(p, it, &from) == 1) {
		if (layer) {
			cleanup_free char *msg = xasprintf("Mounted from %s", from);
			image_progress_say(&p->pr, it->id, msg);
		}
		return 0;
	}
	int64_t thr = p->o->chunk_threshold ? p->o->chunk_threshold : PUSH_CHUNK_THRESHOLD_DEFAULT;
	int64_t chunk = p->o->chunk_size > 0 ? p->o->chunk_size : PUSH_CHUNK_SIZE_DEFAULT;
	if (thr < 0 || it->d.size <= thr)
		chunk = 0;
	struct upload u = {p, it, 0};
	struct reg_progress prog = {on_progress, &u};
	if (reg_blob_push(p->repo, p->o->cs, &it->d, chunk, layer ? &prog : NULL, err) < 0)
		return -1;
	if (layer)
		image_progress_say(&p->pr, it->id, "Pushed");
	return 0;
}

static void *worker(void *arg)
{
	struct push *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->next < p->plan->n && p->plan->v[p->next].kind != PUSH_LAYER)
			p->next++;
		if (p->stop || p->next >= p->plan->n) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		const struct push_item *it = &p->plan->v[p->next++];
		pthread_mutex_unlock(&p->lock);
		struct berth_error *err = NULL;
		int rc = image_progress_cancelled(&p->pr)
			     ? berth_error_set(&err, ECANCELED, "push %s: the client went away",
					       p->familiar)
			     : push_blob(p, it, &err);
		if (rc < 0) {
			berth_error_wrap(&err, "%s %s", it->kind == PUSH_LAYER ? "layer" : "blob",
					 it->d.digest.s);
			pthread_mutex_lock(&p->lock);
			p->stop = true;
			if (p->werr == NULL)
				p->werr = err;
			else
				berth_error_free(&err);
			pthread_mutex_unlock(&p->lock);
		}
	}
}

static int push_layers(struct push *p, const struct push_plan *plan, struct berth_error **err)
{
	size_t nl = 0;
	int maxc = p->o->max_concurrent > 0 ? p->o->max_concurrent : 5;
	for (size_t i = 0; i < plan->n; i++)
		if (plan->v[i].kind == PUSH_LAYER) {
			image_progress_say(&p->pr, plan->v[i].id, "Preparing");
			nl++;
		}
	for (size_t i = 0, k = 0; i < plan->n; i++)
		if (plan->v[i].kind == PUSH_LAYER && k++ >= (size_t)maxc)
			image_progress_say(&p->pr, plan->v[i].id, "Waiting");
	p->plan = plan;
	p->next = 0;
	p->stop = false;
	size_t nth = nl < (size_t)maxc ? nl : (size_t)maxc;
	pthread_t *th = xcalloc(nth + 1, sizeof(*th));
	size_t started = 0;
	for (; started < nth; started++)
		if (pthread_create(&th[started], NULL, worker, p) != 0)
			break;
	if (nth > 0 && started == 0)
		worker(p); /* no thread: do it here */
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	p->plan = NULL;
	if (p->werr) {
		*err = p->werr;
		p->werr = NULL;
		return -1;
	}
	return 0;
}

/* ---- the run ------------------------------------------------------------ */

static int load_blob(void *data, const struct content_digest *d, size_t max, char **buf,
		     size_t *len, struct berth_error **err)
{
	struct push *p = data;
	if (!content_exists(p->o->cs, d->s))
		return 0;
	if (md_lease_add(p->o->md, p->ns, p->lease, MD_REF_CONTENT, NULL, d->s, err) < 0 ||
	    content_read_all(p->o->cs, d->s, max, buf, len, err) < 0)
		return -1;
	return 1;
}

static int push_manifest(struct push *p, const struct push_tag *t, const struct push_item *it,
			 struct push_result *res, struct berth_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (content_read_all(p->o->cs, it->d.digest.s, MANIFEST_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	struct content_digest dg;
	if (reg_manifest_push(p->repo, it->by_tag ? t->tag : NULL, it->d.media_type, buf, len, &dg,
			      err) < 0)
		return berth_error_wrap(err, "manifest %s", it->d.digest.s);
	if (strcmp(dg.s, it->d.digest.s) != 0)
		return berth_error_set(err, EBADMSG, "manifest %s: the registry stored it as %s",
				       it->d.digest.s, dg.s);
	if (it->by_tag) {
		free(res->tag);
		res->tag = xstrdup(t->tag);
		res->digest = dg;
		res->size = (int64_t)len;
	}
	return 0;
}

static int push_tag(struct push *p, const struct push_tag *t, struct push_result *res,
		    struct berth_error **err)
{
	struct push_plan plan;
	if (push_plan_build(&t->top, t->fallback.digest.s[0] ? &t->fallback : NULL, load_blob, p,
			    &plan, err) < 0)
		return -1;
	int rc = 0;
	for (size_t i = 0; rc == 0 && i < plan.n; i++)
		rc = md_lease_add(p->o->md, p->ns, p->lease, MD_REF_CONTENT, NULL,
				  plan.v[i].d.digest.s, err);
	if (rc == 0)
		rc = push_layers(p, &plan, err);
	for (size_t i = 0; rc == 0 && i < plan.n; i++) {
		const struct push_item *it = &plan.v[i];
		if (image_progress_cancelled(&p->pr))
			rc = berth_error_set(err, ECANCELED, "push %s: the client went away",
					     p->familiar);
		else if (it->kind == PUSH_CONFIG)
			rc = push_blob(p, it, err) < 0
				 ? berth_error_wrap(err, "config %s", it->d.digest.s)
				 : 0;
		else if (it->kind == PUSH_MANIFEST)
			rc = push_manifest(p, t, it, res, err);
	}
	push_plan_free(&plan);
	if (rc < 0)
		return -1;
	cleanup_free char *msg =
	    xasprintf("%s: digest: %s size: %lld", t->tag, res->digest.s, (long long)res->size);
	image_progress_emit(&p->pr, pull_message(NULL, msg, false, 0, 0));
	image_progress_emit(&p->pr, json_pack("{s:{},s:{s:s,s:s,s:I}}", "progressDetail", "aux",
					      "Tag", t->tag, "Digest", res->digest.s, "Size",
					      (json_int_t)res->size));
	return 0;
}

int push_run(struct push *p, struct push_result *res, struct berth_error **err)
{
	memset(res, 0, sizeof(*res));
	cleanup_free char *hdr = xasprintf("The push refers to repository [%s]", p->name);
	image_progress_emit(&p->pr, pull_message(NULL, hdr, false, 0, 0));
	p->lease = md_lease_new_id();
	json_t *labels = json_pack("{s:s}", PUSH_LEASE_LABEL, p->name);
	int rc = md_lease_create(p->o->md, p->ns, p->lease, md_now() + LEASE_TTL_NS, labels, err);
	json_decref(labels);
	if (rc < 0)
		return -1;
	for (size_t i = 0; rc == 0 && i < p->ntags; i++)
		rc = push_tag(p, &p->tags[i], res, err);
	struct berth_error *lerr = NULL;
	if (md_lease_delete(p->o->md, p->ns, p->lease, &lerr) < 0) {
		log_warn("push %s: delete lease %s: %s", p->name, p->lease, lerr->msg);
		berth_error_free(&lerr);
	}
	if (rc < 0)
		push_result_free(res);
	return rc < 0 ? -1 : 0;
}

int push_drop_stale_leases(struct md_db *md, size_t *n, struct berth_error **err)
{
	*n = 0;
	cleanup_strv char **nss = NULL;
	if (md_namespace_list(md, &nss, err) < 0)
		return -1;
	for (size_t i = 0; nss[i]; i++) {
		struct md_lease *v = NULL;
		size_t len = 0;
		if (md_lease_list(md, nss[i], &v, &len, err) < 0)
			return -1;
		int rc = 0;
		for (size_t j = 0; rc == 0 && j < len; j++) {
			if (v[j].labels == NULL ||
			    json_object_get(v[j].labels, PUSH_LEASE_LABEL) == NULL)
				continue;
			rc = md_lease_delete(md, nss[i], v[j].id, err);
			*n += rc == 0;
		}
		md_lease_list_free(v, len);
		if (rc < 0)
			return -1;
	}
	return 0;
}
