/* Container records: id (64 hex), name (unique per namespace), image, OCI
 * spec (JSON text), snapshot, runtime, labels. The containers module (a later
 * issue) builds on these; GC treats their snapshots as roots. */
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

void md_container_free(struct md_container *c)
{
	if (c == NULL)
		return;
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->spec);
	free(c->snapshotter);
	free(c->snapshot_key);
	free(c->runtime);
	if (c->labels)
		json_decref(c->labels);
	memset(c, 0, sizeof(*c));
}

void md_container_list_free(struct md_container *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		md_container_free(&v[i]);
	free(v);
}

static bool hex64(const char *s)
{
	if (s == NULL || strlen(s) != 64)
		return false;
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return false;
	return true;
}

static int check(const char *ns, const struct md_container *c, struct berth_error **err)
{
	if (md_namespace_check(ns, err) < 0)
		return -1;
	if (!hex64(c->id))
		return berth_error_set(err, EINVAL,
				       "container id \"%s\": not 64 lowercase hex digits",
				       c->id ? c->id : "");
	if (c->name == NULL || c->name[0] == '\0')
		return berth_error_set(err, EINVAL, "container %s: empty name", c->id);
	if (c->spec) {
		json_error_t je;
		json_t *j = json_loads(c->spec, 0, &je);
		bool ok = json_is_object(j);
		if (j)
			json_decref(j);
		if (!ok)
			return berth_error_set(err, EINVAL, "container %s: spec: not a JSON object",
					       c->id);
	}
	if (c->snapshot_key && c->snapshot_key[0] && (c->snapshotter == NULL || !c->snapshotter[0]))
		return berth_error_set(err, EINVAL,
				       "container %s: snapshot %s without a snapshotter", c->id,
				       c->snapshot_key);
	return md_labels_check(c->labels, c->id, err);
}

static const char *or_empty(const char *s)
{
	return s ? s : "";
}

/* Binds ?1 namespace, ?2 id, ?3 name, ?4 image, ?5 spec, ?6 snapshotter,
 * ?7 snapshot_key, ?8 runtime, ?9 labels, ?10 time. */
static void bind_all(sqlite3_stmt *st, const char *ns, const struct md_container *c,
		     const char *labels, int64_t time)
{
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, c->id);
	md_bind_text(st, 3, c->name);
	md_bind_text(st, 4, or_empty(c->image));
	md_bind_text(st, 5, c->spec ? c->spec : "{}");
	md_bind_text(st, 6, or_empty(c->snapshotter));
	md_bind_text(st, 7, or_empty(c->snapshot_key));
	md_bind_text(st, 8, or_empty(c->runtime));
	md_bind_text(st, 9, labels);
	md_bind_i64(st, 10, time);
}

static int name_owner_locked(struct md_db *db, const char *ns, const char *name, char **id,
			     struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "SELECT id FROM containers WHERE namespace = ? AND name = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, name);
	int r = md_step(db, st, err);
	*id = r == 1 ? md_col_text(st, 0) : NULL;
	return r < 0 ? -1 : 0;
}

static int create_locked(struct md_db *db, const char *ns, const struct md_container *c,
			 struct berth_error **err)
{
	if (md_ns_insert_locked(db, ns, true, err) < 0)
		return -1;
	cleanup_free char *owner = NULL;
	if (name_owner_locked(db, ns, c->name, &owner, err) < 0)
		return -1;
	if (owner)
		return berth_error_set(err, EEXIST, "name %s: already in use by container %s",
				       c->name, owner);
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db,
		    "INSERT INTO containers (namespace, id, name, image, spec, snapshotter, "
		    "snapshot_key, runtime, labels, created, updated) "
		    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10)",
		    err);
	if (st == NULL)
		return -1;
	cleanup_free char *labels = md_labels_dump(c->labels);
	bind_all(st, ns, c, labels, c->created ? c->created : md_now());
	if (md_run(db, st, err) < 0) {
		if (*err && (*err)->code == EEXIST) {
			berth_error_free(err);
			return berth_error_set(err, EEXIST, "container id %s: already exists",
					       c->id);
		}
		return -1;
	}
	return 0;
}

int md_container_create(struct md_db *db, const char *ns, const struct md_container *c,
			struct berth_error **err)
{
	if (check(ns, c, err) < 0)
		return berth_error_wrap(err, "create container");
	if (MD_WRITE(db, err, create_locked(db, ns, c, err)) < 0)
		return berth_error_wrap(err, "create container %s in namespace %s", c->name, ns);
	return 0;
}

static int update_locked(struct md_db *db, const char *ns, const struct md_container *c,
			 struct berth_error **err)
{
	cleanup_free char *owner = NULL;
	if (name_owner_locked(db, ns, c->name, &owner, err) < 0)
		return -1;
	if (owner && strcmp(owner, c->id) != 0)
		return berth_error_set(err, EEXIST, "name %s: already in use by container %s",
				       c->name, owner);
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db,
		    "UPDATE containers SET name = ?3, image = ?4, spec = ?5, snapshotter = ?6, "
		    "snapshot_key = ?7, runtime = ?8, labels = ?9, updated = ?10 "
		    "WHERE namespace = ?1 AND id = ?2",
		    err);
	if (st == NULL)
		return -1;
	cleanup_free char *labels = md_labels_dump(c->labels);
	bind_all(st, ns, c, labels, md_now());
	if (md_run(db, st, err) < 0)
		return -1;
	if (sqlite3_changes(db->conn) == 0)
		return berth_error_set(err, ENOENT, "not found");
	return 0;
}

int md_container_update(struct md_db *db, const char *ns, const struct md_container *c,
			struct berth_error **err)
{
	if (check(ns, c, err) < 0)
		return berth_error_wrap(err, "update container");
	if (MD_WRITE(db, err, update_locked(db, ns, c, err)) < 0)
		return berth_error_wrap(err, "update container %s in namespace %s", c->id, ns);
	return 0;
}

#define COLUMNS                                                                                    \
	"id, name, image, spec, snapshotter, snapshot_key, runtime, labels, created, updated"

static void from_row(sqlite3_stmt *st, struct md_container *c)
{
	c->id = md_col_text(st, 0);
	c->name = md_col_text(st, 1);
	c->image = md_col_text(st, 2);
	c->spec = md_col_text(st, 3);
	c->snapshotter = md_col_text(st, 4);
	c->snapshot_key = md_col_text(st, 5);
	c->runtime = md_col_text(st, 6);
	c->labels = md_labels_load((const char *)sqlite3_column_text(st, 7));
	c->created = sqlite3_column_int64(st, 8);
	c->updated = sqlite3_column_int64(st, 9);
}

static int get_locked(struct md_db *db, const char *ns, const char *key, bool by_name,
		      struct md_container *out, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    by_name
		? md_stmt(db, "SELECT " COLUMNS " FROM containers WHERE namespace = ? AND name = ?",
			  err)
		: md_stmt(db, "SELECT " COLUMNS " FROM containers WHERE namespace = ? AND id = ?",
			  err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, key);
	int r = md_step(db, st, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, ENOENT, "container %s: not found in namespace %s", key,
				       ns);
	from_row(st, out);
	return 0;
}

int md_container_get(struct md_db *db, const char *ns, const char *id, struct md_container *out,
		     struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	return MD_READ(db, get_locked(db, ns, id, false, out, err));
}

int md_container_get_by_name(struct md_db *db, const char *ns, const char *name,
			     struct md_container *out, struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	return MD_READ(db, get_locked(db, ns, name, true, out, err));
}

static int delete_locked(struct md_db *db, const char *ns, const char *id, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "DELETE FROM containers WHERE namespace = ? AND id = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, id);
	if (md_run(db, st, err) < 0)
		return -1;
	if (sqlite3_changes(db->conn) == 0)
		return berth_error_set(err, ENOENT, "container %s: not found in namespace %s", id,
				       ns);
	return 0;
}

int md_container_delete(struct md_db *db, const char *ns, const char *id, struct berth_error **err)
{
	if (MD_WRITE(db, err, delete_locked(db, ns, id, err)) < 0)
		return berth_error_wrap(err, "delete container");
	return 0;
}

static int list_locked(struct md_db *db, const char *ns, const char *image,
		       struct md_container **out, size_t *n, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(db,
						"SELECT " COLUMNS " FROM containers WHERE "
						"namespace = ?1 AND (?2 IS NULL OR image = ?2) "
						"ORDER BY created, id",
						err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, image);
	struct md_container *v = NULL;
	size_t len = 0;
	int r;
	while ((r = md_step(db, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof(*v));
		memset(&v[len], 0, sizeof(*v));
		from_row(st, &v[len++]);
	}
	if (r < 0) {
		md_container_list_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

int md_container_list(struct md_db *db, const char *ns, const char *image,
		      struct md_container **out, size_t *n, struct berth_error **err)
{
	*out = NULL;
	*n = 0;
	if (MD_READ(db, list_locked(db, ns, image, out, n, err)) < 0)
		return berth_error_wrap(err, "list containers in namespace %s", ns);
	return 0;
}
