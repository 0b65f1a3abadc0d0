/* Transactions: BEGIN IMMEDIATE at the outermost level (the write lock is
 * taken up front, so the busy timeout applies and no deferred upgrade can
 * deadlock), savepoints inside. The handle's lock is held from begin to
 * commit/rollback, so threads sharing a handle do not mix transactions. */
#include "core/metadata/md-internal.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>

/* Savepoint md_<n> belongs to the transaction begun at depth n. */
static int savepoint(struct md_db *db, const char *verb, int n, struct berth_error **err)
{
	char sql[64];
	snprintf(sql, sizeof(sql), "%s md_%d", verb, n);
	return md_exec(db, sql, err);
}

int md_tx_begin(struct md_db *db, struct berth_error **err)
{
	md_lock(db);
	int r = db->depth == 0 ? md_exec(db, "BEGIN IMMEDIATE", err)
			       : savepoint(db, "SAVEPOINT", db->depth, err);
	if (r < 0) {
		md_unlock(db);
		return berth_error_wrap(err, "begin transaction");
	}
	db->depth++;
	return 0;
}

/* SQLite rolls the whole transaction back by itself on some errors (disk
 * full, I/O, out of memory): then the connection is in autocommit mode. */
static bool vanished(struct md_db *db)
{
	return sqlite3_get_autocommit(db->conn) != 0;
}

void md_tx_rollback(struct md_db *db)
{
	if (db->depth <= 0)
		return;
	db->depth--;
	if (!vanished(db)) {
		if (db->depth == 0) {
			md_exec(db, "ROLLBACK", NULL);
		} else {
			savepoint(db, "ROLLBACK TO", db->depth, NULL);
			savepoint(db, "RELEASE", db->depth, NULL);
		}
	}
	md_unlock(db);
}

int md_tx_commit(struct md_db *db, struct berth_error **err)
{
	if (db->depth <= 0)
		return berth_error_set(err, EINVAL, "commit: no transaction");
	if (vanished(db)) {
		db->depth--;
		md_unlock(db);
		return berth_error_set(err, EIO,
				       "metadata %s: commit: the transaction was "
				       "rolled back after an error",
				       db->path);
	}
	int r = db->depth == 1 ? md_exec(db, "COMMIT", err)
			       : savepoint(db, "RELEASE", db->depth - 1, err);
	if (r < 0) {
		md_tx_rollback(db);
		return berth_error_wrap(err, "commit transaction");
	}
	db->depth--;
	md_unlock(db);
	return 0;
}

int md_tx_run(struct md_db *db, md_tx_fn fn, void *arg, struct berth_error **err)
{
	return MD_WRITE(db, err, fn(db, arg, err));
}
