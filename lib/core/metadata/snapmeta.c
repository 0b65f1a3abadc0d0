/* The snapshotters' bookkeeping (lib/core/snapshots/meta.h) in the metadata
 * database: table snapshots (one row per snapshot, keyed by snapshotter and
 * key; the parent a foreign key, so a parent cannot go while it has children)
 * and snapshot_ids (the next id per snapshotter). One transaction per call.
 *
 * meta.h promises that a record from get() stays valid until the next
 * change: records handed out are kept in `given` (one per distinct record
 * read) and freed by the next change and on close. */
#include "core/metadata/md-internal.h"
#include "core/snapshots/meta.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <time.h>

struct sql_meta {
	struct snap_meta base;
	struct md_db *db;
	char *name; /* the snapshotter's driver name */
	struct snap_info **given;
	size_t n_given;
};

static struct sql_meta *of(struct snap_meta *base)
{
	return (struct sql_meta *)base;
}

static void forget(struct sql_meta *m)
{
	for (size_t i = 0; i < m->n_given; i++) {
		snap_info_free(m->given[i]);
		free(m->given[i]);
	}
	free(m->given);
	m->given = NULL;
	m->n_given = 0;
}

#define COLUMNS "key, parent, kind, id, created, updated"

static void from_row(sqlite3_stmt *st, struct snap_info *r)
{
	r->name = md_col_text(st, 0);
	r->parent = md_col_text(st, 1);
	r->kind = (enum snap_kind)sqlite3_column_int(st, 2);
	r->id = (uint64_t)sqlite3_column_int64(st, 3);
	r->created = sqlite3_column_int64(st, 4);
	r->updated = sqlite3_column_int64(st, 5);
}

static bool same(const struct snap_info *a, const struct snap_info *b)
{
	return strcmp(a->name, b->name) == 0 &&
	       ((a->parent == NULL && b->parent == NULL) ||
		(a->parent && b->parent && strcmp(a->parent, b->parent) == 0)) &&
	       a->kind == b->kind && a->id == b->id && a->created == b->created &&
	       a->updated == b->updated;
}

static const struct snap_info *get_locked(struct sql_meta *m, const char *key)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    m->db, "SELECT " COLUMNS " FROM snapshots WHERE snapshotter = ? AND key = ?", NULL);
	if (st == NULL)
		return NULL;
	md_bind_text(st, 1, m->name);
	md_bind_text(st, 2, key);
	if (md_step(m->db, st, NULL) != 1)
		return NULL;
	struct snap_info r = {0};
	from_row(st, &r);
	for (size_t i = 0; i < m->n_given; i++)
		if (same(m->given[i], &r)) {
			snap_info_free(&r);
			return m->given[i];
		}
	struct snap_info *p = xmalloc(sizeof(*p));
	*p = r;
	m->given = xrealloc(m->given, (m->n_given + 1) * sizeof(*m->given));
	m->given[m->n_given++] = p;
	return p;
}

static const struct snap_info *sql_get(struct snap_meta *base, const char *key)
{
	struct sql_meta *m = of(base);
	return MD_READ(m->db, get_locked(m, key));
}

static size_t children_locked(struct sql_meta *m, const char *key)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    m->db, "SELECT count(*) FROM snapshots WHERE snapshotter = ? AND parent = ?", NULL);
	if (st == NULL)
		return 0; /* the foreign key still refuses to remove a parent */
	md_bind_text(st, 1, m->name);
	md_bind_text(st, 2, key);
	if (md_step(m->db, st, NULL) != 1)
		return 0;
	return (size_t)sqlite3_column_int64(st, 0);
}

static size_t sql_children(struct snap_meta *base, const char *key)
{
	struct sql_meta *m = of(base);
	return MD_READ(m->db, children_locked(m, key));
}

static int new_id_locked(struct sql_meta *m, uint64_t *out, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(m->db,
						"UPDATE snapshot_ids SET next_id = next_id + 1 "
						"WHERE snapshotter = ? RETURNING next_id - 1",
						err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, m->name);
	int r = md_step(m->db, st, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, EIO, "snapshotter %s: no id counter", m->name);
	*out = (uint64_t)sqlite3_column_int64(st, 0);
	return md_run(m->db, st, err);
}

static int sql_new_id(struct snap_meta *base, uint64_t *out, struct berth_error **err)
{
	struct sql_meta *m = of(base);
	int r = MD_WRITE(m->db, err, new_id_locked(m, out, err));
	forget(m);
	if (r < 0)
		return berth_error_wrap(err, "new snapshot id");
	return 0;
}

static int exists_locked(struct sql_meta *m, const char *key, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(m->db, "SELECT 1 FROM snapshots WHERE snapshotter = ? AND key = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, m->name);
	md_bind_text(st, 2, key);
	return md_step(m->db, st, err);
}

static int add_locked(struct sql_meta *m, const char *key, const char *parent, enum snap_kind kind,
		      uint64_t id, struct berth_error **err)
{
	int r = exists_locked(m, key, err);
	if (r != 0)
		return r < 0 ? -1
			     : berth_error_set(err, EEXIST, "snapshot %s: already exists", key);
	if (parent && (r = exists_locked(m, parent, err)) != 1)
		return r < 0
			   ? -1
			   : berth_error_set(err, ENOENT, "parent snapshot %s: not found", parent);
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    m->db, "INSERT INTO snapshots (snapshotter, " COLUMNS ") VALUES (?, ?, ?, ?, ?, ?, ?)",
	    err);
	if (st == NULL)
		return -1;
	int64_t now = (int64_t)time(NULL);
	md_bind_text(st, 1, m->name);
	md_bind_text(st, 2, key);
	md_bind_text(st, 3, parent);
	sqlite3_bind_int(st, 4, (int)kind);
	md_bind_i64(st, 5, (int64_t)id);
	md_bind_i64(st, 6, now);
	md_bind_i64(st, 7, now);
	return md_run(m->db, st, err);
}

static int sql_add(struct snap_meta *base, const char *key, const char *parent, enum snap_kind kind,
		   uint64_t id, struct berth_error **err)
{
	struct sql_meta *m = of(base);
	int r = MD_WRITE(m->db, err, add_locked(m, key, parent, kind, id, err));
	forget(m);
	return r;
}

static int commit_locked(struct sql_meta *m, const char *key, const char *name,
			 struct berth_error **err)
{
	int r = exists_locked(m, key, err);
	if (r != 1)
		return r < 0 ? -1 : berth_error_set(err, ENOENT, "snapshot %s: not found", key);
	if ((r = exists_locked(m, name, err)) != 0)
		return r < 0 ? -1
			     : berth_error_set(err, EEXIST, "snapshot %s: already exists", name);
	cleanup_stmt sqlite3_stmt *st = md_stmt(m->db,
						"UPDATE snapshots SET key = ?, kind = ?, "
						"updated = ? WHERE snapshotter = ? AND key = ?",
						err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, name);
	sqlite3_bind_int(st, 2, SNAP_KIND_COMMITTED);
	md_bind_i64(st, 3, (int64_t)time(NULL));
	md_bind_text(st, 4, m->name);
	md_bind_text(st, 5, key);
	return md_run(m->db, st, err);
}

static int sql_commit(struct snap_meta *base, const char *key, const char *name,
		      struct berth_error **err)
{
	struct sql_meta *m = of(base);
	int r = MD_WRITE(m->db, err, commit_locked(m, key, name, err));
	forget(m);
	return r;
}

/* Under the GC guard, the record only goes if nothing references it: the
 * check and the delete are one statement, so a lease or container taking the
 * snapshot after GC's mark either comes first (and keeps it) or finds it gone. */
static const char delete_sql[] = "DELETE FROM snapshots WHERE snapshotter = ?1 AND key = ?2";
static const char delete_guarded_sql[] =
    "DELETE FROM snapshots WHERE snapshotter = ?1 AND key = ?2"
    " AND NOT EXISTS (SELECT 1 FROM lease_resources r JOIN leases l"
    "  ON l.namespace = r.namespace AND l.id = r.lease"
    "  WHERE r.kind = 2 AND r.snapshotter = ?1 AND r.name = ?2"
    "  AND (l.expires = 0 OR l.expires > ?3))"
    " AND NOT EXISTS (SELECT 1 FROM containers WHERE snapshotter = ?1 AND snapshot_key = ?2)"
    " AND NOT EXISTS (SELECT 1 FROM edges WHERE kind = 2 AND snapshotter = ?1 AND child = ?2)";

static int remove_locked(struct sql_meta *m, const char *key, struct berth_error **err)
{
	int r = exists_locked(m, key, err);
	if (r != 1)
		return r < 0 ? -1 : berth_error_set(err, ENOENT, "snapshot %s: not found", key);
	bool guarded = md_gc_guarded(m->db);
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(m->db, guarded ? delete_guarded_sql : delete_sql, err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, m->name);
	md_bind_text(st, 2, key);
	if (guarded)
		md_bind_i64(st, 3, md_now());
	if (md_run(m->db, st, err) < 0)
		return -1;
	if (sqlite3_changes(m->db->conn) == 0)
		return berth_error_set(err, EBUSY, "snapshot %s: referenced again", key);
	return 0;
}

static int sql_remove(struct snap_meta *base, const char *key, struct berth_error **err)
{
	struct sql_meta *m = of(base);
	int r = MD_WRITE(m->db, err, remove_locked(m, key, err));
	forget(m);
	return r;
}

static int all_locked(struct sql_meta *m, struct snap_info **out, size_t *n)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    m->db, "SELECT " COLUMNS " FROM snapshots WHERE snapshotter = ? ORDER BY id", NULL);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, m->name);
	int r;
	while ((r = md_step(m->db, st, NULL)) == 1) {
		*out = xrealloc(*out, (*n + 1) * sizeof(**out));
		from_row(st, &(*out)[(*n)++]);
	}
	return r;
}

static int sql_walk(struct snap_meta *base, snap_walk_fn fn, void *arg)
{
	struct sql_meta *m = of(base);
	struct snap_info *v = NULL;
	size_t n = 0;
	int r = MD_READ(m->db, all_locked(m, &v, &n));
	if (r < 0) /* meta.h's walk has no error: walk nothing, say why */
		log_warn("snapshotter %s: walk: reading %s failed", m->name, md_path(m->db));
	for (size_t i = 0; r == 0 && i < n; i++)
		r = fn(&v[i], arg);
	for (size_t i = 0; i < n; i++)
		snap_info_free(&v[i]);
	free(v);
	return r < 0 ? 0 : r;
}

static void sql_close(struct snap_meta *base)
{
	struct sql_meta *m = of(base);
	forget(m);
	free(m->name);
	free(m);
}

static const struct snap_meta_ops sql_ops = {
    .get = sql_get,
    .children = sql_children,
    .new_id = sql_new_id,
    .add = sql_add,
    .commit = sql_commit,
    .remove = sql_remove,
    .walk = sql_walk,
    .close = sql_close,
};

static int init_locked(struct md_db *db, const char *name, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    db, "INSERT OR IGNORE INTO snapshot_ids (snapshotter, next_id) VALUES (?, 1)", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, name);
	return md_run(db, st, err);
}

int snap_meta_sqlite_open(struct md_db *db, const char *name, struct snap_meta **out,
			  struct berth_error **err)
{
	if (MD_WRITE(db, err, init_locked(db, name, err)) < 0)
		return berth_error_wrap(err, "snapshot records of %s", name);
	struct sql_meta *m = xcalloc(1, sizeof(*m));
	m->base.ops = &sql_ops;
	m->db = db;
	m->name = xstrdup(name);
	*out = &m->base;
	return 0;
}

int md_gc_guard(struct md_db *db, bool on, struct berth_error **err)
{
	md_lock(db);
	int r = 0;
	if (on && db->gc_guard)
		r = berth_error_set(err, EBUSY, "garbage collection: already running");
	else {
		db->gc_guard = on;
		db->gc_thread = pthread_self();
	}
	md_unlock(db);
	return r;
}

bool md_gc_guarded(struct md_db *db)
{
	return db->gc_guard && pthread_equal(db->gc_thread, pthread_self());
}
