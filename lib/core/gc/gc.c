/* gc_run: collect the snapshotters' records, then in one metadata transaction
 * expire leases, list the blobs, mark, and sweep blobs and ingests; then
 * remove snapshots outside the transaction (snap_remove takes the
 * snapshotter's lock, then the metadata's: never the other way round). */
#include "core/gc/gc-internal.h"
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

void gc_result_free(struct gc_result *res)
{
	if (res == NULL)
		return;
	for (size_t i = 0; i < res->n_items; i++) {
		free(res->items[i].snapshotter);
		free(res->items[i].name);
	}
	free(res->items);
	memset(res, 0, sizeof(*res));
}

static int info_cmp(const void *a, const void *b)
{
	return strcmp(((const struct snap_info *)a)->name, ((const struct snap_info *)b)->name);
}

const struct snap_info *gc_snap_find(const struct gc_snaps *g, const char *key)
{
	if (key == NULL || g->n == 0)
		return NULL;
	struct snap_info k = {.name = (char *)key};
	return bsearch(&k, g->v, g->n, sizeof(k), info_cmp);
}

static int collect_snap(const struct snap_info *info, void *arg)
{
	struct gc_snaps *g = arg;
	g->v = xrealloc(g->v, (g->n + 1) * sizeof(*g->v));
	g->v[g->n++] = (struct snap_info){
	    .name = xstrdup(info->name),
	    .parent = info->parent ? xstrdup(info->parent) : NULL,
	    .kind = info->kind,
	    .id = info->id,
	    .created = info->created,
	    .updated = info->updated,
	};
	return 0;
}

static int collect_blob(const struct content_info *info, void *data, struct berth_error **err)
{
	(void)err;
	struct gc_run *run = data;
	run->blobs = xrealloc(run->blobs, (run->n_blobs + 1) * sizeof(*run->blobs));
	run->blobs[run->n_blobs++] = *info;
	return 0;
}

static int count_expired_locked(struct gc_run *run, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    run->db, "SELECT count(*) FROM leases WHERE expires != 0 AND expires <= ?", err);
	if (st == NULL)
		return -1;
	md_bind_i64(st, 1, run->now);
	if (md_step(run->db, st, err) < 0)
		return -1;
	run->res->leases = (size_t)sqlite3_column_int64(st, 0);
	return 0;
}

static int phase1_locked(struct gc_run *run, struct berth_error **err)
{
	int r = run->o->dry_run ? count_expired_locked(run, err)
				: md_lease_expire_locked(run->db, run->now, &run->res->leases, err);
	if (r < 0)
		return berth_error_wrap(err, "expire leases");
	if (content_walk(run->cs, collect_blob, run, err) < 0)
		return berth_error_wrap(err, "list blobs");
	if (gc_mark_locked(run, err) < 0)
		return berth_error_wrap(err, "mark");
	if (gc_sweep_content_locked(run, err) < 0)
		return berth_error_wrap(err, "sweep content");
	return 0;
}

static void run_free(struct gc_run *run)
{
	for (size_t g = 0; g < run->n_snaps; g++) {
		for (size_t i = 0; i < run->snaps[g].n; i++)
			snap_info_free(&run->snaps[g].v[i]);
		free(run->snaps[g].v);
	}
	free(run->snaps);
	free(run->blobs);
	for (size_t i = 0; i < run->n_edges; i++) {
		free(run->edges[i].parent);
		free(run->edges[i].snapshotter);
		free(run->edges[i].child);
	}
	free(run->edges);
	gc_set_free(&run->live);
}

int gc_run(struct md_db *db, struct content_store *cs, struct snapshotter *const *snaps,
	   size_t n_snaps, const struct gc_options *opts, struct gc_result *res,
	   struct berth_error **err)
{
	memset(res, 0, sizeof(*res));
	struct gc_run run = {
	    .db = db,
	    .cs = cs,
	    .o = opts,
	    .now = opts->now ? opts->now : md_now(),
	    .res = res,
	    .snaps = xcalloc(n_snaps ? n_snaps : 1, sizeof(*run.snaps)),
	    .n_snaps = n_snaps,
	};
	int r = md_gc_guard(db, true, err);
	for (size_t g = 0; r == 0 && g < n_snaps; g++) {
		run.snaps[g].s = snaps[g];
		run.snaps[g].driver = snap_driver(snaps[g]);
		r = snap_walk(snaps[g], collect_snap, &run.snaps[g], err);
		if (run.snaps[g].n)
			qsort(run.snaps[g].v, run.snaps[g].n, sizeof(*run.snaps[g].v), info_cmp);
	}
	bool guarded = r == 0;
	if (r == 0)
		r = MD_WRITE(db, err, phase1_locked(&run, err));
	if (r == 0) {
		gc_sweep_snapshots(&run);
		log_info("gc%s: %zu blobs, %zu snapshots, %zu ingests, %lld bytes, %zu leases "
			 "expired, %zu failed",
			 opts->dry_run ? " (dry run)" : "", res->blobs, res->snapshots,
			 res->ingests, (long long)res->bytes, res->leases, res->failed);
	}
	if (guarded)
		md_gc_guard(db, false, NULL);
	run_free(&run);
	if (r < 0) {
		gc_result_free(res);
		return berth_error_wrap(err, "garbage collection");
	}
	return 0;
}
