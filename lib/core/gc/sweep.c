/* Sweep: blobs and ingests inside GC's transaction (so that a lease taken
 * meanwhile waits for it, then sees the blob gone), snapshots after it,
 * children first, each removal checked again under the GC guard. */
#include "core/gc/gc-internal.h"
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void gc_report(struct gc_run *run, enum gc_kind kind, const char *snapshotter, const char *name,
	       int64_t size)
{
	struct gc_result *res = run->res;
	res->items = xrealloc(res->items, (res->n_items + 1) * sizeof(*res->items));
	res->items[res->n_items++] = (struct gc_item){
	    .kind = kind,
	    .snapshotter = snapshotter ? xstrdup(snapshotter) : NULL,
	    .name = xstrdup(name),
	    .size = size,
	};
	res->bytes += size;
	if (kind == GC_BLOB)
		res->blobs++;
	else if (kind == GC_SNAPSHOT)
		res->snapshots++;
	else
		res->ingests++;
}

static void fail(struct gc_run *run, const char *what, struct berth_error **e)
{
	log_warn("gc: %s: %s", what, *e && (*e)->msg ? (*e)->msg : "failed");
	berth_error_free(e);
	run->res->failed++;
}

static int sweep_blobs(struct gc_run *run, struct gc_set *present, struct berth_error **err)
{
	for (size_t i = 0; i < run->n_blobs; i++) {
		const char *d = run->blobs[i].digest.s;
		cleanup_free char *k = gc_key_content(d);
		gc_set_add(present, k);
		if (gc_set_has(&run->live, k))
			continue;
		if (!run->o->dry_run) {
			struct berth_error *e = NULL;
			if (content_delete(run->cs, d, &e) < 0 && e->code != ENOENT) {
				fail(run, d, &e);
				continue;
			}
			berth_error_free(&e);
			if (md_edge_delete_from_locked(run->db, d, err) < 0)
				return -1;
		}
		gc_report(run, GC_BLOB, NULL, d, run->blobs[i].size);
	}
	return 0;
}

/* Edges from blobs that are neither in the store nor live lead nowhere. */
static int drop_orphan_edges(struct gc_run *run, const struct gc_set *present,
			     struct berth_error **err)
{
	for (size_t i = 0; i < run->n_edges; i++) {
		const char *p = run->edges[i].parent;
		if (i > 0 && strcmp(run->edges[i - 1].parent, p) == 0)
			continue;
		cleanup_free char *k = gc_key_content(p);
		if (gc_set_has(present, k) || gc_set_has(&run->live, k))
			continue;
		if (md_edge_delete_from_locked(run->db, p, err) < 0)
			return -1;
	}
	return 0;
}

struct ingests {
	struct content_status *v;
	size_t n;
};

static int collect_ingest(const struct content_status *st, void *data, struct berth_error **err)
{
	(void)err;
	struct ingests *in = data;
	in->v = xrealloc(in->v, (in->n + 1) * sizeof(*in->v));
	in->v[in->n++] = (struct content_status){
	    .ref = xstrdup(st->ref), .offset = st->offset, .updated = st->updated};
	return 0;
}

static void sweep_ingests(struct gc_run *run)
{
	struct ingests in = {0};
	struct berth_error *e = NULL;
	if (content_ingest_walk(run->cs, collect_ingest, &in, &e) < 0)
		fail(run, "walk ingests", &e);
	int64_t cut = run->now - run->o->ingest_max_age;
	for (size_t i = 0; i < in.n; i++) {
		const struct content_status *st = &in.v[i];
		cleanup_free char *k = gc_key_ingest(st->ref);
		if (gc_set_has(&run->live, k) || st->updated > cut)
			continue;
		if (!run->o->dry_run && content_abort(run->cs, st->ref, &e) < 0) {
			if (e->code == EBUSY || e->code == ENOENT) /* a writer is on it, or done */
				berth_error_free(&e);
			else
				fail(run, st->ref, &e);
			continue;
		}
		gc_report(run, GC_INGEST, NULL, st->ref, st->offset);
	}
	for (size_t i = 0; i < in.n; i++)
		free(in.v[i].ref);
	free(in.v);
}

int gc_sweep_content_locked(struct gc_run *run, struct berth_error **err)
{
	struct gc_set present = {0};
	int r = sweep_blobs(run, &present, err);
	if (r == 0 && !run->o->dry_run)
		r = drop_orphan_edges(run, &present, err);
	gc_set_free(&present);
	if (r == 0 && run->o->ingest_max_age > 0)
		sweep_ingests(run);
	return r;
}

struct cand {
	const struct snap_info *info;
	size_t depth;
};

static int deeper_first(const void *a, const void *b)
{
	size_t da = ((const struct cand *)a)->depth, db = ((const struct cand *)b)->depth;
	return da < db ? 1 : da > db ? -1 : 0;
}

static void sweep_one(struct gc_run *run, struct gc_snaps *g)
{
	struct cand *c = xcalloc(g->n ? g->n : 1, sizeof(*c));
	size_t n = 0;
	for (size_t i = 0; i < g->n; i++) {
		cleanup_free char *k = gc_key_snapshot(g->driver, g->v[i].name);
		if (gc_set_has(&run->live, k))
			continue;
		size_t depth = 0;
		for (const struct snap_info *p = gc_snap_find(g, g->v[i].parent); p && depth < g->n;
		     p = gc_snap_find(g, p->parent))
			depth++;
		c[n++] = (struct cand){&g->v[i], depth};
	}
	qsort(c, n, sizeof(*c), deeper_first);
	for (size_t i = 0; i < n; i++) {
		const char *key = c[i].info->name;
		struct snap_usage u = {0};
		struct berth_error *e = NULL;
		if (snap_usage(g->s, key, &u, &e) < 0)
			berth_error_free(&e);
		if (!run->o->dry_run && snap_remove(g->s, key, &e) < 0) {
			cleanup_free char *what =
			    xasprintf("remove snapshot %s/%s", g->driver, key);
			fail(run, what, &e);
			continue;
		}
		gc_report(run, GC_SNAPSHOT, g->driver, key, u.size);
	}
	free(c);
}

void gc_sweep_snapshots(struct gc_run *run)
{
	for (size_t g = 0; g < run->n_snaps; g++)
		sweep_one(run, &run->snaps[g]);
}
