/* Edges: a blob keeps other blobs and snapshots alive (a manifest its config
 * and layers, an index its manifests, a config the top snapshot of its
 * layers). Global, like the content store: blobs are shared by namespaces. */
#include "core/content/content.h"
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

const char *md_ref_kind_name(enum md_ref_kind k)
{
	switch (k) {
	case MD_REF_CONTENT:
		return "content";
	case MD_REF_SNAPSHOT:
		return "snapshot";
	case MD_REF_INGEST:
		return "ingest";
	}
	return "unknown";
}

void md_ref_list_free(struct md_ref *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].snapshotter);
		free(v[i].name);
	}
	free(v);
}

/* Checks a resource: a digest, a snapshot key with its snapshotter, an ingest ref. */
int md_ref_check(enum md_ref_kind kind, const char *snapshotter, const char *name,
		 struct berth_error **err)
{
	switch (kind) {
	case MD_REF_CONTENT:
		if (name && content_digest_valid(name))
			return 0;
		return berth_error_set(err, EINVAL, "content digest \"%s\": invalid",
				       name ? name : "");
	case MD_REF_SNAPSHOT:
		if (snapshotter == NULL || snapshotter[0] == '\0')
			return berth_error_set(err, EINVAL, "snapshot %s: no snapshotter",
					       name ? name : "");
		if (name && name[0])
			return 0;
		return berth_error_set(err, EINVAL, "snapshot key: empty");
	case MD_REF_INGEST:
		if (name && content_ref_valid(name))
			return 0;
		return berth_error_set(err, EINVAL, "ingest ref \"%s\": invalid", name ? name : "");
	}
	return berth_error_set(err, EINVAL, "reference kind %d: unknown", (int)kind);
}

static int add_locked(struct md_db *db, const char *parent, enum md_ref_kind kind,
		      const char *snapshotter, const char *child, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(db,
						"INSERT OR IGNORE INTO edges (parent, kind, "
						"snapshotter, child) VALUES (?, ?, ?, ?)",
						err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, parent);
	sqlite3_bind_int(st, 2, (int)kind);
	md_bind_text(st, 3, kind == MD_REF_SNAPSHOT ? snapshotter : "");
	md_bind_text(st, 4, child);
	return md_run(db, st, err);
}

int md_edge_add(struct md_db *db, const char *parent, enum md_ref_kind kind,
		const char *snapshotter, const char *child, struct berth_error **err)
{
	if (md_ref_check(MD_REF_CONTENT, NULL, parent, err) < 0)
		return berth_error_wrap(err, "add reference");
	if (kind == MD_REF_INGEST)
		return berth_error_set(err, EINVAL, "add reference from %s: to an ingest", parent);
	if (md_ref_check(kind, snapshotter, child, err) < 0 ||
	    MD_WRITE(db, err, add_locked(db, parent, kind, snapshotter, child, err)) < 0)
		return berth_error_wrap(err, "add reference from %s", parent);
	return 0;
}

/* Rows (kind, snapshotter, name) of st into a md_ref list. */
int md_refs_collect(struct md_db *db, sqlite3_stmt *st, struct md_ref **out, size_t *n,
		    struct berth_error **err)
{
	struct md_ref *v = NULL;
	size_t len = 0;
	int r;
	while ((r = md_step(db, st, err)) == 1) {
		v = xrealloc(v, (len + 1) * sizeof(*v));
		struct md_ref *ref = &v[len++];
		ref->kind = (enum md_ref_kind)sqlite3_column_int(st, 0);
		ref->snapshotter = ref->kind == MD_REF_SNAPSHOT ? md_col_text(st, 1) : NULL;
		ref->name = md_col_text(st, 2);
	}
	if (r < 0) {
		md_ref_list_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

static int list_locked(struct md_db *db, const char *parent, struct md_ref **out, size_t *n,
		       struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    db, "SELECT kind, snapshotter, child FROM edges WHERE parent = ? ORDER BY kind, child",
	    err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, parent);
	return md_refs_collect(db, st, out, n, err);
}

int md_edge_list(struct md_db *db, const char *parent, struct md_ref **out, size_t *n,
		 struct berth_error **err)
{
	*out = NULL;
	*n = 0;
	if (MD_READ(db, list_locked(db, parent, out, n, err)) < 0)
		return berth_error_wrap(err, "references of %s", parent);
	return 0;
}

int md_edge_delete_from_locked(struct md_db *db, const char *parent, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(db, "DELETE FROM edges WHERE parent = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, parent);
	return md_run(db, st, err);
}

int md_edge_delete_from(struct md_db *db, const char *parent, struct berth_error **err)
{
	if (MD_WRITE(db, err, md_edge_delete_from_locked(db, parent, err)) < 0)
		return berth_error_wrap(err, "delete references of %s", parent);
	return 0;
}
