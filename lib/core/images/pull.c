/* Pull: registry -> content store -> snapshots -> image record (see pull.h).
 *
 * Threads: pull_run's thread resolves the manifest and config and starts up
 * to max_concurrent workers; each takes the next layer not yet taken (in
 * order) and downloads it. With overlayfs a layer's directory does not depend
 * on its parents (no mount while unpacking), so the worker also unpacks it at
 * once into a directory of its own under the snapshotter's root, and several
 * layers unpack in parallel; pull_run's thread then, in layer order, prepares
 * each snapshot on its committed parent, moves the unpacked tree in and
 * commits it. With the native snapshotter (a layer is unpacked over a copy
 * of its parent) pull_run's thread unpacks layer i as soon as it is
 * downloaded and layer i-1 is committed. Downloads and unpacking overlap
 * either way. */
#include "core/images/pull.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/archive/archive.h"
#include "core/images/imageconfig.h"
#include "core/images/manifest.h"
#include "core/images/pull-internal.h"
#include "core/images/reference.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEASE_TTL_NS (24LL * 3600 * 1000000000LL)
#define PROGRESS_INTERVAL_NS (100LL * 1000000LL)

enum lstate { L_PENDING, L_FETCHING, L_FETCHED, L_UNPACKED, L_FAILED };

struct layer {
	const struct desc *d;
	char id[13]; /* short blob digest, docker's progress id */
	struct content_digest chain;
	enum lstate state;
	bool exists; /* its snapshot was already there */
	bool fetch;  /* to download */
	int64_t last_ns;
	struct berth_error *err;
	char *tmpdir; /* unpacked ahead of its parent (overlayfs) */
};

struct pull {
	const struct pull_options *o;
	const char *ns;
	struct ref *ref;
	char *name;	/* normalised, the record's name */
	char *familiar; /* busybox:latest */
	char *path;	/* library/busybox */
	struct reg_repo *repo;
	struct desc top; /* what the reference resolved to */
	char *lease;
	struct image_progress pr; /* the caller's progress events */
	pthread_mutex_t lock;	  /* layers' states, next, stop */
	pthread_cond_t cond;
	struct layer *layers;
	size_t n;
	size_t next;
	bool stop;
	bool parallel; /* workers unpack too (overlayfs) */
	const struct image_config *cfg;
};

int pull_prepare(const struct pull_options *o, const char *s, struct pull **out,
		 struct berth_error **err)
{
	struct ref *ref = NULL;
	if (ref_parse_docker(s, &ref, err) < 0)
		return -1;
	struct pull *p = xcalloc(1, sizeof(*p));
	p->o = o;
	p->ns = o->ns ? o->ns : MD_DEFAULT_NAMESPACE;
	p->ref = ref;
	p->name = ref_string(ref);
	p->familiar = ref_familiar_string(ref);
	p->path = xstrdup(ref->path);
	image_progress_init(&p->pr, o->event, o->event_data, o->cancelled);
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->cond, NULL);
	if (reg_repo_open(o->reg, ref, REG_PULL, o->auth, &p->repo, err) < 0 ||
	    reg_resolve(p->repo, NULL, &p->top, err) < 0) {
		pull_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int pull_list_tags(const struct pull_options *o, const char *s, char ***tags, size_t *n,
		   struct berth_error **err)
{
	struct ref *ref = NULL;
	if (ref_parse_normalized(s, &ref, err) < 0)
		return -1;
	struct reg_repo *repo = NULL;
	int rc = reg_repo_open(o->reg, ref, REG_PULL, o->auth, &repo, err);
	if (rc == 0)
		rc = reg_list_tags(repo, tags, n, err);
	if (repo)
		reg_repo_close(repo);
	ref_free(ref);
	return rc;
}

const char *pull_familiar(const struct pull *p)
{
	return p->familiar;
}

int pull_drop_stale_leases(struct md_db *md, size_t *n, struct berth_error **err)
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
			    json_object_get(v[j].labels, PULL_LEASE_LABEL) == NULL)
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

int pull_remove_stale_dirs(struct snapshotter *snap, size_t *n, struct berth_error **err)
{
	*n = 0;
	cleanup_closedir DIR *d = opendir(snap_root(snap));
	if (d == NULL)
		return berth_error_errno(err, "open %s", snap_root(snap));
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "unpack-", 7) != 0)
			continue;
		cleanup_free char *path = xasprintf("%s/%s", snap_root(snap), de->d_name);
		if (fs_rm_rf(path, err) < 0)
			return -1;
		(*n)++;
	}
	return 0;
}

void pull_free(struct pull *p)
{
	if (p == NULL)
		return;
	if (p->repo)
		reg_repo_close(p->repo);
	desc_free(&p->top);
	ref_free(p->ref);
	free(p->name);
	free(p->familiar);
	free(p->path);
	free(p->lease);
	for (size_t i = 0; i < p->n; i++) {
		berth_error_free(&p->layers[i].err);
		if (p->layers[i].tmpdir) {
			struct berth_error *rerr = NULL;
			if (fs_rm_rf(p->layers[i].tmpdir, &rerr) < 0) {
				log_warn("pull: remove %s: %s", p->layers[i].tmpdir, rerr->msg);
				berth_error_free(&rerr);
			}
			free(p->layers[i].tmpdir);
		}
	}
	free(p->layers);
	image_progress_destroy(&p->pr);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->cond);
	free(p);
}

static int lease_add(struct pull *p, enum md_ref_kind kind, const char *snapshotter,
		     const char *name, struct berth_error **err)
{
	return md_lease_add(p->o->md, p->ns, p->lease, kind, snapshotter, name, err);
}

/* Put bytes we already verified (a manifest) into the store. */
static int store_bytes(struct content_store *cs, const struct content_digest *dg, const char *buf,
		       size_t len, struct berth_error **err)
{
	if (content_exists(cs, dg->s))
		return 0;
	cleanup_free char *ref = xasprintf("manifest-%s", content_digest_hex(dg));
	struct content_writer *w = NULL;
	if (content_writer_open(cs, ref, (int64_t)len, dg->s, &w, err) < 0)
		return -1;
	int rc = content_writer_truncate(w, 0, err);
	if (rc == 0)
		rc = content_writer_write(w, buf, len, err);
	if (rc == 0)
		rc = content_writer_commit(w, (int64_t)len, dg->s, NULL, err);
	if (rc < 0) {
		struct berth_error *e2 = NULL;
		content_writer_abort(w, &e2);
		berth_error_free(&e2);
	}
	content_writer_close(w);
	return rc < 0 ? -1 : 0;
}

/* A manifest or index: from the store when it is there, else the registry. */
static int get_manifest(struct pull *p, const struct desc *d, struct manifest **out,
			struct berth_error **err)
{
	if (lease_add(p, MD_REF_CONTENT, NULL, d->digest.s, err) < 0)
		return -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct berth_error *lerr = NULL;
	if (content_read_all(p->o->cs, d->digest.s, MANIFEST_MAX_SIZE, &buf, &len, &lerr) == 0)
		return manifest_parse(buf, len, d->media_type, out, err);
	berth_error_free(&lerr);
	struct reg_manifest rm = {0};
	if (reg_fetch_manifest(p->repo, d->digest.s, &rm, err) < 0)
		return -1;
	int rc = manifest_parse(rm.body, rm.len, rm.media_type, out, err);
	if (rc == 0 && store_bytes(p->o->cs, &d->digest, rm.body, rm.len, err) < 0) {
		manifest_free(*out);
		*out = NULL;
		rc = -1;
	}
	reg_manifest_free(&rm);
	return rc;
}

static void on_progress(void *data, const struct desc *d, int64_t done, int64_t total)
{
	struct layer *l = NULL;
	struct pull *p = data;
	for (size_t i = 0; i < p->n; i++)
		if (p->layers[i].d == d)
			l = &p->layers[i];
	if (l == NULL)
		return;
	int64_t t = image_now_ns();
	if (done < total && t - l->last_ns < PROGRESS_INTERVAL_NS)
		return;
	l->last_ns = t;
	image_progress_emit(&p->pr, pull_message(l->id, "Downloading", true, done, total));
}

static int fetch_layer(struct pull *p, struct layer *l, struct berth_error **err)
{
	cleanup_free char *ingest = xasprintf("fetch-%s", l->d->digest.s);
	if (lease_add(p, MD_REF_CONTENT, NULL, l->d->digest.s, err) < 0 ||
	    lease_add(p, MD_REF_INGEST, NULL, ingest, err) < 0)
		return -1;
	struct reg_progress prog = {on_progress, p};
	int rc;
	/* EBUSY: another download of the same blob (the same layer twice in this
	 * image, or a concurrent pull) holds the ingest; wait for it to end, then
	 * the blob is there (or this download takes over the ingest). */
	while ((rc = reg_fetch_blob(p->repo, l->d, p->o->cs, &prog, err)) < 0 &&
	       (*err)->code == EBUSY) {
		pthread_mutex_lock(&p->lock);
		bool stop = p->stop;
		pthread_mutex_unlock(&p->lock);
		if (stop)
			break;
		berth_error_free(err);
		nanosleep(&(struct timespec){.tv_nsec = 50000000}, NULL);
	}
	if (rc < 0)
		return berth_error_wrap(err, "layer %s", l->d->digest.s);
	if (rc == CONTENT_COMMITTED)
		image_progress_say(&p->pr, l->id, "Verifying Checksum");
	image_progress_say(&p->pr, l->id, "Download complete");
	return 0;
}

/* Unpack layer l into a directory of its own (overlayfs: independent of the
 * parents), its diffID checked. */
static int unpack_ahead(struct pull *p, struct layer *l, size_t i, struct berth_error **err)
{
	char *dir = xasprintf("%s/unpack-%s-%zu", snap_root(p->o->snap), p->lease, i);
	if (mkdir(dir, 0755) < 0) {
		berth_error_errno(err, "mkdir %s", dir);
		free(dir);
		return -1;
	}
	l->tmpdir = dir;
	cleanup_close int fd = -1;
	int64_t size = 0;
	if (content_open(p->o->cs, l->d->digest.s, 0, &fd, &size, err) < 0)
		return -1;
	image_progress_emit(&p->pr, pull_message(l->id, "Extracting", true, 0, size));
	struct arc_unpack_opts uo = {.whiteouts = ARC_WHITEOUT_OVERLAY};
	struct arc_unpack_result res;
	if (arc_unpack_fd(fd, dir, &uo, &res, err) < 0)
		return berth_error_wrap(err, "failed to register layer %s", l->d->digest.s);
	if (strcmp(res.diff_id, p->cfg->diff_ids[i].s) != 0)
		return berth_error_set(
		    err, EBADMSG,
		    "failed to register layer %s: diffID mismatch: the config says "
		    "%s, the layer is %s",
		    l->d->digest.s, p->cfg->diff_ids[i].s, res.diff_id);
	image_progress_emit(&p->pr, pull_message(l->id, "Extracting", true, size, size));
	return 0;
}

static void *downloader(void *arg)
{
	struct pull *p = arg;
	for (;;) {
		pthread_mutex_lock(&p->lock);
		while (p->next < p->n && !p->layers[p->next].fetch)
			p->next++;
		if (p->stop || p->next >= p->n) {
			pthread_mutex_unlock(&p->lock);
			return NULL;
		}
		struct layer *l = &p->layers[p->next++];
		l->state = L_FETCHING;
		pthread_mutex_unlock(&p->lock);
		struct berth_error *err = NULL;
		int rc = fetch_layer(p, l, &err);
		if (rc == 0 && p->parallel) {
			pthread_mutex_lock(&p->lock);
			l->state = L_FETCHED;
			bool stop = p->stop;
			pthread_mutex_unlock(&p->lock);
			if (!stop)
				rc = unpack_ahead(p, l, (size_t)(l - p->layers), &err);
		}
		pthread_mutex_lock(&p->lock);
		l->state = rc < 0 ? L_FAILED : p->parallel ? L_UNPACKED : L_FETCHED;
		l->err = err;
		if (rc < 0)
			p->stop = true;
		pthread_cond_broadcast(&p->cond);
		pthread_mutex_unlock(&p->lock);
	}
}

/* Replace the empty layer directory of a new snapshot by the tree unpacked
 * ahead (same file system: both under the snapshotter's root). */
static int move_in(struct layer *l, const char *dir, struct berth_error **err)
{
	struct stat st;
	if (stat(dir, &st) < 0)
		return berth_error_errno(err, "stat %s", dir);
	if (rmdir(dir) < 0)
		return berth_error_errno(err, "rmdir %s", dir);
	if (rename(l->tmpdir, dir) < 0) {
		berth_error_errno(err, "rename %s to %s", l->tmpdir, dir);
		mkdir(dir, st.st_mode & 07777);
		return -1;
	}
	free(l->tmpdir);
	l->tmpdir = NULL;
	return 0;
}

static int unpack_layer(struct pull *p, size_t i, const struct image_config *cfg,
			struct berth_error **err)
{
	struct layer *l = &p->layers[i];
	struct snapshotter *snap = p->o->snap;
	const char *driver = snap_driver(snap);
	const char *parent = i > 0 ? p->layers[i - 1].chain.s : NULL;
	struct snap_info si;
	if (snap_stat(snap, l->chain.s, &si, NULL) == 0) { /* a concurrent pull made it */
		snap_info_free(&si);
		image_progress_say(&p->pr, l->id, "Pull complete");
		return lease_add(p, MD_REF_SNAPSHOT, driver, l->chain.s, err);
	}
	cleanup_free char *key =
	    xasprintf("extract-%s-%.12s", p->lease, content_digest_hex(&l->chain));
	if (lease_add(p, MD_REF_SNAPSHOT, driver, key, err) < 0 ||
	    snap_prepare(snap, key, parent, NULL, err) < 0)
		return -1;
	cleanup_free char *dir = NULL;
	cleanup_close int fd = -1;
	int64_t size = 0;
	struct arc_unpack_result res;
	struct arc_unpack_opts uo = {
	    .whiteouts = strcmp(driver, "native") == 0 ? ARC_WHITEOUT_APPLY : ARC_WHITEOUT_OVERLAY};
	if (snap_layer_dir(snap, key, &dir, err) < 0)
		goto fail;
	if (l->tmpdir) {
		if (move_in(l, dir, err) < 0)
			goto fail;
		goto commit;
	}
	if (content_open(p->o->cs, l->d->digest.s, 0, &fd, &size, err) < 0)
		goto fail;
	image_progress_emit(&p->pr, pull_message(l->id, "Extracting", true, 0, size));
	if (arc_unpack_fd(fd, dir, &uo, &res, err) < 0) {
		berth_error_wrap(err, "failed to register layer %s", l->d->digest.s);
		goto fail;
	}
	if (strcmp(res.diff_id, cfg->diff_ids[i].s) != 0) {
		berth_error_set(err, EBADMSG,
				"failed to register layer %s: diffID mismatch: the config says "
				"%s, the layer is %s",
				l->d->digest.s, cfg->diff_ids[i].s, res.diff_id);
		goto fail;
	}
	image_progress_emit(&p->pr, pull_message(l->id, "Extracting", true, size, size));
commit:
	if (lease_add(p, MD_REF_SNAPSHOT, driver, l->chain.s, err) < 0)
		goto fail;
	struct berth_error *cerr = NULL;
	if (snap_commit(snap, l->chain.s, key, &cerr) < 0) {
		if (cerr->code != EEXIST) {
			*err = cerr;
			goto fail;
		}
		berth_error_free(&cerr); /* committed by a concurrent pull */
		snap_remove(snap, key, NULL);
	}
	image_progress_say(&p->pr, l->id, "Pull complete");
	return 0;
fail : {
	struct berth_error *rerr = NULL;
	if (snap_remove(snap, key, &rerr) < 0) {
		log_warn("pull %s: remove snapshot %s: %s", p->name, key, rerr->msg);
		berth_error_free(&rerr);
	}
}
	return -1;
}

/* Wait for layer i to be downloaded; -1 with the first download error. */
static int wait_layer(struct pull *p, size_t i, struct berth_error **err)
{
	enum lstate want = p->parallel ? L_UNPACKED : L_FETCHED;
	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->layers[i].state != want)
		pthread_cond_wait(&p->cond, &p->lock);
	int rc = 0;
	if (p->layers[i].state != want) {
		rc = -1;
		for (size_t j = 0; j < p->n; j++)
			if (p->layers[j].err) {
				*err = p->layers[j].err;
				p->layers[j].err = NULL;
				break;
			}
		if (*err == NULL)
			berth_error_set(err, ECANCELED, "pull %s: cancelled", p->familiar);
	}
	pthread_mutex_unlock(&p->lock);
	return rc;
}

/* Downloads and unpacks every layer that is not there yet. */
static int get_layers(struct pull *p, const struct manifest *m, const struct image_config *cfg,
		      struct berth_error **err)
{
	struct snapshotter *snap = p->o->snap;
	p->cfg = cfg;
	p->parallel = strcmp(snap_driver(snap), "native") != 0;
	p->n = m->n_layers;
	p->layers = xcalloc(p->n + 1, sizeof(*p->layers));
	struct content_digest *chain = xcalloc(p->n + 1, sizeof(*chain));
	image_chain_ids(cfg->diff_ids, p->n, chain);
	size_t have = 0; /* layers [0, have) exist as snapshots */
	for (size_t i = 0; i < p->n; i++) {
		struct layer *l = &p->layers[i];
		l->d = &m->layers[i];
		l->chain = chain[i];
		snprintf(l->id, sizeof(l->id), "%.12s", content_digest_hex(&l->d->digest));
		struct snap_info si;
		if (snap_stat(snap, l->chain.s, &si, NULL) == 0) {
			if (si.kind == SNAP_KIND_COMMITTED)
				have = i + 1;
			snap_info_free(&si);
		}
	}
	free(chain);
	if (have > 0 &&
	    lease_add(p, MD_REF_SNAPSHOT, snap_driver(snap), p->layers[have - 1].chain.s, err) < 0)
		return -1;
	size_t nfetch = 0;
	int maxc = p->o->max_concurrent > 0 ? p->o->max_concurrent : 3;
	for (size_t i = 0; i < p->n; i++) {
		struct layer *l = &p->layers[i];
		l->exists = i < have;
		l->fetch = !l->exists;
		if (l->exists) {
			l->state = p->parallel ? L_UNPACKED : L_FETCHED;
			image_progress_say(&p->pr, l->id, "Already exists");
		} else {
			image_progress_say(&p->pr, l->id, "Pulling fs layer");
			nfetch++;
		}
	}
	for (size_t i = 0, k = 0; i < p->n; i++)
		if (p->layers[i].fetch && k++ >= (size_t)maxc)
			image_progress_say(&p->pr, p->layers[i].id, "Waiting");
	size_t nthreads = nfetch < (size_t)maxc ? nfetch : (size_t)maxc;
	pthread_t *th = xcalloc(nthreads + 1, sizeof(*th));
	size_t started = 0;
	for (; started < nthreads; started++)
		if (pthread_create(&th[started], NULL, downloader, p) != 0)
			break;
	int rc = 0;
	if (nfetch > 0 && started == 0)
		rc = berth_error_set(err, EAGAIN, "pull %s: cannot start a download thread",
				     p->familiar);
	for (size_t i = have; rc == 0 && i < p->n; i++) {
		if (image_progress_cancelled(&p->pr)) {
			rc = berth_error_set(err, ECANCELED, "pull %s: the client went away",
					     p->familiar);
			break;
		}
		if (wait_layer(p, i, err) < 0 || unpack_layer(p, i, cfg, err) < 0)
			rc = -1;
	}
	pthread_mutex_lock(&p->lock);
	p->stop = true;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->lock);
	for (size_t i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	free(th);
	return rc;
}

/* The manifest for our platform, with its digest in *md. */
static int get_image_manifest(struct pull *p, struct manifest **out, struct desc *md,
			      struct berth_error **err)
{
	struct manifest *top = NULL;
	if (get_manifest(p, &p->top, &top, err) < 0)
		return -1;
	if (!manifest_is_index(top)) {
		*out = top;
		desc_copy(md, &p->top);
		return 0;
	}
	size_t idx = 0;
	if (manifest_select(top, p->o->platform, &idx, err) < 0) {
		manifest_free(top);
		return -1;
	}
	desc_copy(md, &top->manifests[idx]);
	manifest_free(top);
	if (get_manifest(p, md, out, err) < 0)
		return -1;
	if (manifest_is_index(*out)) {
		manifest_free(*out);
		*out = NULL;
		return berth_error_set(
		    err, ENOTSUP, "%s: an index inside an index is not supported", md->digest.s);
	}
	return 0;
}

static int get_config(struct pull *p, const struct manifest *m, struct image_config **out,
		      struct berth_error **err)
{
	if (lease_add(p, MD_REF_CONTENT, NULL, m->config.digest.s, err) < 0 ||
	    reg_fetch_blob(p->repo, &m->config, p->o->cs, NULL, err) < 0)
		return -1;
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (content_read_all(p->o->cs, m->config.digest.s, IMAGE_CONFIG_MAX_SIZE, &buf, &len, err) <
		0 ||
	    image_config_parse(buf, len, out, err) < 0)
		return -1;
	if (image_config_check_layers(*out, m, err) < 0) {
		image_config_free(*out);
		*out = NULL;
		return -1;
	}
	if (p->o->platform && platform_rank(p->o->platform, &(*out)->platform) < 0) {
		cleanup_free char *want = platform_format(p->o->platform);
		cleanup_free char *have = platform_format(&(*out)->platform);
		image_config_free(*out);
		*out = NULL;
		return berth_error_set(err, ENOENT,
				       "image with reference %s was found but does not match the "
				       "specified platform: wanted %s, actual: %s",
				       p->familiar, want, have);
	}
	return 0;
}

static int64_t layers_size(struct pull *p)
{
	int64_t total = 0;
	for (size_t i = 0; i < p->n; i++) {
		struct snap_usage u;
		if (snap_usage(p->o->snap, p->layers[i].chain.s, &u, NULL) == 0)
			total += u.size;
	}
	return total;
}

/* The image record and the closing messages. */
static int finish(struct pull *p, const struct manifest *m, const struct desc *md,
		  struct pull_result *res, struct berth_error **err)
{
	cleanup_free char *fname = ref_familiar_name(p->ref);
	struct pull_record rec = {
	    .ns = p->ns,
	    .name = p->name,
	    .familiar_name = fname,
	    .top = &p->top,
	    .manifest = md,
	    .m = m,
	    .snapshotter = snap_driver(p->o->snap),
	    .top_chain = p->n ? p->layers[p->n - 1].chain.s : NULL,
	    .size = layers_size(p),
	};
	if (pull_write_record(p->o->md, &rec, err) < 0)
		return -1;
	res->name = xstrdup(p->name);
	res->target = p->top.digest;
	res->config = m->config.digest;
	res->updated = rec.updated;
	cleanup_free char *dmsg = xasprintf("Digest: %s", p->top.digest.s);
	image_progress_emit(&p->pr, pull_message(NULL, dmsg, false, 0, 0));
	cleanup_free char *smsg =
	    xasprintf("Status: %s for %s",
		      rec.updated ? "Downloaded newer image" : "Image is up to date", p->familiar);
	if (!p->o->no_status)
		image_progress_emit(&p->pr, pull_message(NULL, smsg, false, 0, 0));
	return 0;
}

int pull_run(struct pull *p, struct pull_result *res, struct berth_error **err)
{
	memset(res, 0, sizeof(*res));
	struct manifest *m = NULL;
	struct image_config *cfg = NULL;
	struct desc md = {0};
	cleanup_free char *from = xasprintf("Pulling from %s", p->path);
	image_progress_emit(
	    &p->pr, pull_message(p->ref->digest ? p->ref->digest : p->ref->tag, from, false, 0, 0));
	p->lease = md_lease_new_id();
	json_t *labels = json_pack("{s:s}", PULL_LEASE_LABEL, p->name);
	int lrc = md_lease_create(p->o->md, p->ns, p->lease, md_now() + LEASE_TTL_NS, labels, err);
	json_decref(labels);
	if (lrc < 0)
		return -1;
	int rc = -1;
	if (get_image_manifest(p, &m, &md, err) == 0 && manifest_check_image(m, err) == 0 &&
	    get_config(p, m, &cfg, err) == 0 && get_layers(p, m, cfg, err) == 0 &&
	    finish(p, m, &md, res, err) == 0)
		rc = 0;
	struct berth_error *lerr = NULL;
	if (md_lease_delete(p->o->md, p->ns, p->lease, &lerr) < 0) {
		log_warn("pull %s: delete lease %s: %s", p->name, p->lease, lerr->msg);
		berth_error_free(&lerr);
	}
	desc_free(&md);
	manifest_free(m);
	image_config_free(cfg);
	return rc;
}
