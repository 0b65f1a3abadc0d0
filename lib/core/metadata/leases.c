/* Leases: a lease holds resources (blobs, snapshots, ingests) that GC must
 * keep while work is in flight (a pull, an unpack, a build). Deleting the
 * lease releases them; an expired lease is deleted by md_lease_expire (GC). */
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

static int check_id(const char *id, struct berth_error **err)
{
	size_t n = id ? strlen(id) : 0;
	bool ok = n > 0 && n <= 76;
	for (size_t i = 0; ok && i < n; i++)
		ok = (id[i] >= 'a' && id[i] <= 'z') || (id[i] >= 'A' && id[i] <= 'Z') ||
		     (id[i] >= '0' && id[i] <= '9') || strchr("._-", id[i]);
	if (ok)
		return 0;
	return berth_error_set(err, EINVAL, "lease id \"%s\": invalid (1 to 76 of [A-Za-z0-9._-])",
			       id ? id : "");
}

char *md_lease_new_id(void)
{
	unsigned char b[8] = {0};
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b)) {
		int64_t t = md_now();
		memcpy(b, &t, sizeof(b));
	}
	return xasprintf("berth-%02x%02x%02x%02x%02x%02x%02x%02x", b[0], b[1], b[2], b[3], b[4],
			 b[5], b[6], b[7]);
}

void md_lease_list_free(struct md_lease *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].id);
		if (v[i].labels)
			json_decref(v[i].labels);
	}
	free(v);
}

static int create_locked(struct md_db *db, const char *ns, const char *id, int64_t expires,
			 json_t *labels, struct berth_error **err)
{
	if (md_ns_insert_locked(db, ns, true, err) < 0)
		return -1;
	cleanup_stmt sqlite3_stmt *st = md_stmt(db,
						"INSERT INTO leases (namespace, id, created, "
						"expires, labels) VALUES (?, ?, ?, ?, ?)",
						err);
	if (st == NULL)
		return -1;
	cleanup_free char *text = md_labels_dump(labels);
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, id);
	md_bind_i64(st, 3, md_now());
	md_bind_i64(st, 4, expires);
	md_bind_text(st, 5, text);
	return md_run(db, st, err);
}

int md_lease_create(struct md_db *db, const char *ns, const char *id, int64_t expires,
		    json_t *labels, struct berth_error **err)
{
	if (md_namespace_check(ns, err) < 0 || check_id(id, err) < 0 ||
	    md_labels_check(labels, id, err) < 0)
		return berth_error_wrap(err, "create lease");
	if (expires < 0)
		return berth_error_set(err, EINVAL, "create lease %s: negative expiry", id);
	if (MD_WRITE(db, err, create_locked(db, ns, id, expires, labels, err)) < 0) {
		if (*err && (*err)->code == EEXIST) {
			berth_error_free(err);
			return berth_error_set(err, EEXIST,
					       "lease %s: already exists in namespace %s", id, ns);
		}
		return berth_error_wrap(err, "create lease %s in namespace %s", id, ns);
	}
	return 0;
}

static int exists_locked(struct md_db *db, const char *ns, const char *id, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "SELECT 1 FROM leases WHERE namespace = ? AND id = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, id);
	int r = md_step(db, st, err);
	if (r == 0)
		return berth_error_set(err, ENOENT, "lease %s: not found in namespace %s", id, ns);
	return r < 0 ? -1 : 0;
}

static int resource_locked(struct md_db *db, bool add, const char *ns, const char *id,
			   enum md_ref_kind kind, const char *snapshotter, const char *name,
			   struct berth_error **err)
{
	if (exists_locked(db, ns, id, err) < 0)
		return -1;
	cleanup_stmt sqlite3_stmt *st =
	    add ? md_stmt(db,
			  "INSERT OR IGNORE INTO lease_resources (namespace, lease, kind, "
			  "snapshotter, name) VALUES (?, ?, ?, ?, ?)",
			  err)
		: md_stmt(db,
			  "DELETE FROM lease_resources WHERE namespace = ? AND lease = ? AND "
			  "kind = ? AND snapshotter = ? AND name = ?",
			  err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, id);
	sqlite3_bind_int(st, 3, (int)kind);
	md_bind_text(st, 4, kind == MD_REF_SNAPSHOT ? snapshotter : "");
	md_bind_text(st, 5, name);
	return md_run(db, st, err);
}

int md_lease_add(struct md_db *db, const char *ns, const char *id, enum md_ref_kind kind,
		 const char *snapshotter, const char *name, struct berth_error **err)
{
	if (md_ref_check(kind, snapshotter, name, err) < 0 ||
	    MD_WRITE(db, err, resource_locked(db, true, ns, id, kind, snapshotter, name, err)) < 0)
		return berth_error_wrap(err, "add %s to lease %s", md_ref_kind_name(kind), id);
	return 0;
}

int md_lease_remove_resource(struct md_db *db, const char *ns, const char *id,
			     enum md_ref_kind kind, const char *snapshotter, const char *name,
			     struct berth_error **err)
{
	if (MD_WRITE(db, err, resource_locked(db, false, ns, id, kind, snapshotter, name, err)) < 0)
		return berth_error_wrap(err, "remove %s %s from lease %s", md_ref_kind_name(kind),
					name ? name : "", id);
	return 0;
}

static int resources_locked(struct md_db *db, const char *ns, const char *id, struct md_ref **out,
			    size_t *n, struct berth_error **err)
{
	if (exists_locked(db, ns, id, err) < 0)
		return -1;
	cleanup_stmt sqlite3_stmt *st = md_stmt(db,
						"SELECT kind, snapshotter, name FROM "
						"lease_resources WHERE namespace = ? AND lease = ? "
						"ORDER BY kind, snapshotter, name",
						err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, id);
	return md_refs_collect(db, st, out, n, err);
}

int md_lease_resources(struct md_db *db, const char *ns, const char *id, struct md_ref **out,
		       size_t *n, struct berth_error **err)
{
	*out = NULL;
	*n = 0;
	if (MD_READ(db, resources_locked(db, ns, id, out, n, err)) < 0)
		return berth_error_wrap(err, "resources of lease %s", id);
	return 0;
}

static int delete_locked(struct md_db *db, const char *ns, const char *id, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "DELETE FROM leases WHERE namespace = ? AND id = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, id);
	if (md_run(db, st, err) < 0)
		return -1;
	if (sqlite3_changes(db->conn) == 0)
		return berth_error_set(err, ENOENT, "lease %s: not found in namespace %s", id, ns);
	return 0;
}

int md_lease_delete(struct md_db *db, const char *ns, const char *id, struct berth_error **err)
{
	if (MD_WRITE(db, err, delete_locked(db, ns, id, err)) < 0)
		return berth_error_wrap(err, "delete lease");
	return 0;
}

static int list_locked(struct md_db *db, const char *ns, struct md_lease **out, size_t *n,
		       struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(db,
						"SELECT id, created, expires, labels FROM leases "
						"WHERE namespace = ? ORDER BY created, id",
						err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	struct md_lease *v = NULL;
	size_t len = 0;
	int r;
	while ((r = md_step(db, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof(*v));
		v[len++] = (struct md_lease){
		    .id = md_col_text(st, 0),
		    .created = sqlite3_column_int64(st, 1),
		    .expires = sqlite3_column_int64(st, 2),
		    .labels = md_labels_load((const char *)sqlite3_column_text(st, 3)),
		};
	}
	if (r < 0) {
		md_lease_list_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

int md_lease_list(struct md_db *db, const char *ns, struct md_lease **out, size_t *n,
		  struct berth_error **err)
{
	*out = NULL;
	*n = 0;
	if (MD_READ(db, list_locked(db, ns, out, n, err)) < 0)
		return berth_error_wrap(err, "list leases in namespace %s", ns);
	return 0;
}

int md_lease_expire_locked(struct md_db *db, int64_t now, size_t *n, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "DELETE FROM leases WHERE expires != 0 AND expires <= ?", err);
	if (st == NULL)
		return -1;
	md_bind_i64(st, 1, now);
	if (md_run(db, st, err) < 0)
		return -1;
	if (n)
		*n = (size_t)sqlite3_changes(db->conn);
	return 0;
}

int md_lease_expire(struct md_db *db, int64_t now, size_t *n, struct berth_error **err)
{
	if (MD_WRITE(db, err, md_lease_expire_locked(db, now, n, err)) < 0)
		return berth_error_wrap(err, "expire leases");
	return 0;
}
