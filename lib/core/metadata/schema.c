/* Schema and migrations. Each migration runs in its own transaction together
 * with its row in schema_migrations, so a database is always at a version. A
 * new version is a new entry at the end of `migrations`; entries are never
 * edited once released. */
#include "core/metadata/md-internal.h"

#include <errno.h>

static const char schema_v1[] =
    "CREATE TABLE namespaces ("
    " name TEXT PRIMARY KEY,"
    " created INTEGER NOT NULL,"
    " labels TEXT NOT NULL DEFAULT '{}');"
    "INSERT INTO namespaces (name, created) VALUES ('default', 0);"
    "CREATE TABLE images ("
    " namespace TEXT NOT NULL REFERENCES namespaces(name),"
    " name TEXT NOT NULL,"
    " media_type TEXT NOT NULL,"
    " digest TEXT NOT NULL,"
    " size INTEGER NOT NULL CHECK (size >= 0),"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " labels TEXT NOT NULL DEFAULT '{}',"
    " PRIMARY KEY (namespace, name));"
    "CREATE INDEX images_digest ON images (digest);"
    /* blob -> blob / snapshot references (containerd's gc.ref labels) */
    "CREATE TABLE edges ("
    " parent TEXT NOT NULL,"
    " kind INTEGER NOT NULL CHECK (kind IN (1, 2)),"
    " snapshotter TEXT NOT NULL DEFAULT '',"
    " child TEXT NOT NULL,"
    " PRIMARY KEY (parent, kind, snapshotter, child));"
    "CREATE TABLE leases ("
    " namespace TEXT NOT NULL REFERENCES namespaces(name),"
    " id TEXT NOT NULL,"
    " created INTEGER NOT NULL,"
    " expires INTEGER NOT NULL DEFAULT 0,"
    " labels TEXT NOT NULL DEFAULT '{}',"
    " PRIMARY KEY (namespace, id));"
    "CREATE TABLE lease_resources ("
    " namespace TEXT NOT NULL,"
    " lease TEXT NOT NULL,"
    " kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),"
    " snapshotter TEXT NOT NULL DEFAULT '',"
    " name TEXT NOT NULL,"
    " PRIMARY KEY (namespace, lease, kind, snapshotter, name),"
    " FOREIGN KEY (namespace, lease) REFERENCES leases (namespace, id) ON DELETE CASCADE);"
    "CREATE INDEX lease_resources_name ON lease_resources (kind, snapshotter, name);"
    "CREATE TABLE containers ("
    " namespace TEXT NOT NULL REFERENCES namespaces(name),"
    " id TEXT NOT NULL CHECK (length(id) = 64),"
    " name TEXT NOT NULL,"
    " image TEXT NOT NULL DEFAULT '',"
    " spec TEXT NOT NULL DEFAULT '{}',"
    " snapshotter TEXT NOT NULL DEFAULT '',"
    " snapshot_key TEXT NOT NULL DEFAULT '',"
    " runtime TEXT NOT NULL DEFAULT '',"
    " labels TEXT NOT NULL DEFAULT '{}',"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " PRIMARY KEY (namespace, id),"
    " UNIQUE (namespace, name));"
    /* the snapshotters' bookkeeping (snapmeta.c) */
    "CREATE TABLE snapshots ("
    " snapshotter TEXT NOT NULL,"
    " key TEXT NOT NULL,"
    " parent TEXT,"
    " kind INTEGER NOT NULL CHECK (kind IN (1, 2, 3)),"
    " id INTEGER NOT NULL,"
    " created INTEGER NOT NULL,"
    " updated INTEGER NOT NULL,"
    " PRIMARY KEY (snapshotter, key),"
    " UNIQUE (snapshotter, id),"
    " FOREIGN KEY (snapshotter, parent) REFERENCES snapshots (snapshotter, key));"
    "CREATE INDEX snapshots_parent ON snapshots (snapshotter, parent);"
    "CREATE TABLE snapshot_ids ("
    " snapshotter TEXT PRIMARY KEY,"
    " next_id INTEGER NOT NULL);";

static const char *const migrations[] = {
    NULL, /* version 0: the empty database */
    schema_v1,
};

#define LATEST ((int)(sizeof(migrations) / sizeof(migrations[0])) - 1)

int md_schema_latest(void)
{
	return LATEST;
}

static int version_locked(struct md_db *db, int *out, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "SELECT coalesce(max(version), 0) FROM schema_migrations", err);
	if (st == NULL)
		return -1;
	int r = md_step(db, st, err);
	if (r < 0)
		return -1;
	*out = r == 1 ? sqlite3_column_int(st, 0) : 0;
	return 0;
}

int md_schema_version(struct md_db *db, int *out, struct berth_error **err)
{
	return MD_READ(db, version_locked(db, out, err));
}

static int apply(struct md_db *db, int v, struct berth_error **err)
{
	if (md_exec(db, migrations[v], err) < 0)
		return -1;
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "INSERT INTO schema_migrations (version, applied) VALUES (?, ?)", err);
	if (st == NULL)
		return -1;
	sqlite3_bind_int(st, 1, v);
	md_bind_i64(st, 2, md_now());
	return md_run(db, st, err);
}

static int migrate_one(struct md_db *db, int *cur, struct berth_error **err)
{
	if (version_locked(db, cur, err) < 0)
		return -1;
	if (*cur > LATEST)
		return berth_error_set(err, ENOTSUP,
				       "metadata %s: schema version %d is newer than this berth "
				       "knows (%d)",
				       db->path, *cur, LATEST);
	if (*cur == LATEST)
		return 0;
	if (apply(db, *cur + 1, err) < 0)
		return berth_error_wrap(err, "metadata %s: migrate to schema version %d", db->path,
					*cur + 1);
	(*cur)++;
	return 0;
}

int md_migrate(struct md_db *db, struct berth_error **err)
{
	/* up to date: no write lock needed (opening must not wait for writers) */
	int cur = 0;
	if (md_schema_version(db, &cur, NULL) == 0 && cur == LATEST)
		return 0;
	if (md_exec(db,
		    "CREATE TABLE IF NOT EXISTS schema_migrations ("
		    " version INTEGER PRIMARY KEY, applied INTEGER NOT NULL)",
		    err) < 0)
		return -1;
	for (;;) {
		if (MD_WRITE(db, err, migrate_one(db, &cur, err)) < 0)
			return -1;
		if (cur >= LATEST)
			return 0;
	}
}
