/* Mark: roots from the metadata, then edges (blob -> blob/snapshot) and
 * snapshot parent chains, into run->live. Runs inside GC's transaction. */
#include "core/gc/gc-internal.h"
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct work {
	char **v;
	size_t n;
};

static void mark_content(struct gc_run *run, struct work *w, const char *digest)
{
	cleanup_free char *k = gc_key_content(digest);
	if (gc_set_add(&run->live, k)) {
		w->v = xrealloc(w->v, (w->n + 1) * sizeof(*w->v));
		w->v[w->n++] = xstrdup(digest);
	}
}

static void mark_snapshot(struct gc_run *run, const char *snapshotter, const char *key)
{
	cleanup_free char *k = gc_key_snapshot(snapshotter, key);
	gc_set_add(&run->live, k);
}

static void mark_ingest(struct gc_run *run, const char *ref)
{
	cleanup_free char *k = gc_key_ingest(ref);
	gc_set_add(&run->live, k);
}

static int edge_cmp(const void *a, const void *b)
{
	return strcmp(((const struct gc_edge *)a)->parent, ((const struct gc_edge *)b)->parent);
}

static int load_edges(struct gc_run *run, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(run->db, "SELECT parent, kind, snapshotter, child FROM edges", err);
	if (st == NULL)
		return -1;
	int r;
	while ((r = md_step(run->db, st, err)) == 1) {
		run->edges = xrealloc(run->edges, (run->n_edges + 1) * sizeof(*run->edges));
		run->edges[run->n_edges++] = (struct gc_edge){
		    .parent = md_col_text(st, 0),
		    .kind = sqlite3_column_int(st, 1),
		    .snapshotter = md_col_text(st, 2),
		    .child = md_col_text(st, 3),
		};
	}
	if (run->n_edges)
		qsort(run->edges, run->n_edges, sizeof(*run->edges), edge_cmp);
	return r;
}

static const char roots_sql[] =
    "SELECT 1, '', digest FROM images"
    " UNION SELECT r.kind, r.snapshotter, r.name FROM lease_resources r JOIN leases l"
    "  ON l.namespace = r.namespace AND l.id = r.lease WHERE l.expires = 0 OR l.expires > ?1"
    " UNION SELECT 2, snapshotter, snapshot_key FROM containers WHERE snapshot_key != ''";

static int mark_roots(struct gc_run *run, struct work *w, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(run->db, roots_sql, err);
	if (st == NULL)
		return -1;
	md_bind_i64(st, 1, run->now);
	int r;
	while ((r = md_step(run->db, st, err)) == 1) {
		const char *snapshotter = (const char *)sqlite3_column_text(st, 1);
		const char *name = (const char *)sqlite3_column_text(st, 2);
		switch (sqlite3_column_int(st, 0)) {
		case MD_REF_CONTENT:
			mark_content(run, w, name);
			break;
		case MD_REF_SNAPSHOT:
			mark_snapshot(run, snapshotter, name);
			break;
		case MD_REF_INGEST:
			mark_ingest(run, name);
			break;
		}
	}
	return r;
}

/* Unreferenced but young: kept (counted in res->young), and what they
 * reference with them. */
static void mark_young(struct gc_run *run, struct work *w)
{
	int64_t cut = run->now - run->o->grace;
	for (size_t i = 0; run->o->grace > 0 && i < run->n_blobs; i++) {
		cleanup_free char *k = gc_key_content(run->blobs[i].digest.s);
		if (run->blobs[i].created > cut && !gc_set_has(&run->live, k)) {
			run->res->young++;
			mark_content(run, w, run->blobs[i].digest.s);
		}
	}
	int64_t cut_s = cut / 1000000000;
	for (size_t g = 0; run->o->grace > 0 && g < run->n_snaps; g++)
		for (size_t i = 0; i < run->snaps[g].n; i++) {
			const char *name = run->snaps[g].v[i].name;
			cleanup_free char *k = gc_key_snapshot(run->snaps[g].driver, name);
			if (run->snaps[g].v[i].created >= cut_s && !gc_set_has(&run->live, k)) {
				run->res->young++;
				mark_snapshot(run, run->snaps[g].driver, name);
			}
		}
}

static void follow_edges(struct gc_run *run, struct work *w)
{
	while (w->n) {
		char *d = w->v[--w->n];
		struct gc_edge key = {.parent = d};
		struct gc_edge *e =
		    run->n_edges ? bsearch(&key, run->edges, run->n_edges, sizeof(key), edge_cmp)
				 : NULL;
		if (e) {
			while (e > run->edges && strcmp(e[-1].parent, d) == 0)
				e--;
			for (; e < run->edges + run->n_edges && strcmp(e->parent, d) == 0; e++) {
				if (e->kind == MD_REF_CONTENT)
					mark_content(run, w, e->child);
				else
					mark_snapshot(run, e->snapshotter, e->child);
			}
		}
		free(d);
	}
}

static void mark_chains(struct gc_run *run)
{
	for (size_t g = 0; g < run->n_snaps; g++) {
		struct gc_snaps *s = &run->snaps[g];
		for (size_t i = 0; i < s->n; i++) {
			cleanup_free char *k = gc_key_snapshot(s->driver, s->v[i].name);
			if (!gc_set_has(&run->live, k))
				continue;
			for (const struct snap_info *p = gc_snap_find(s, s->v[i].parent); p;
			     p = gc_snap_find(s, p->parent))
				mark_snapshot(run, s->driver, p->name);
		}
	}
}

int gc_mark_locked(struct gc_run *run, struct berth_error **err)
{
	struct work w = {0};
	int r = load_edges(run, err);
	if (r == 0)
		r = mark_roots(run, &w, err);
	if (r == 0) {
		follow_edges(run, &w);
		mark_chains(run);
		mark_young(run, &w);
		follow_edges(run, &w);
		mark_chains(run);
	}
	for (size_t i = 0; i < w.n; i++)
		free(w.v[i]);
	free(w.v);
	return r;
}
