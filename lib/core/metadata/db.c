/* The metadata database handle: open (WAL, busy timeout, foreign keys,
 * migrations), cached prepared statements, SQLite errors as berth_errors. */
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t md_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

const char *md_path(const struct md_db *db)
{
	return db->path;
}

void md_lock(struct md_db *db)
{
	pthread_mutex_lock(&db->lock);
}

void md_unlock(struct md_db *db)
{
	pthread_mutex_unlock(&db->lock);
}

void md_fault_inject(struct md_db *db, long n)
{
	md_lock(db);
	db->fault = n;
	md_unlock(db);
}

static int code_of(sqlite3 *conn, int rc)
{
	switch (rc & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return EBUSY;
	case SQLITE_CONSTRAINT:
		if (rc == SQLITE_CONSTRAINT_PRIMARYKEY || rc == SQLITE_CONSTRAINT_UNIQUE)
			return EEXIST;
		if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
			return EBUSY;
		return EINVAL;
	case SQLITE_NOMEM:
		return ENOMEM;
	case SQLITE_FULL:
		return ENOSPC;
	case SQLITE_READONLY:
		return EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return EACCES;
	case SQLITE_CANTOPEN: {
		int e = conn ? sqlite3_system_errno(conn) : 0;
		return e ? e : EIO;
	}
	default:
		return EIO;
	}
}

int md_sql_error(struct md_db *db, int rc, struct berth_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	const char *msg = db && db->conn && sqlite3_errcode(db->conn) == rc
			      ? sqlite3_errmsg(db->conn)
			      : sqlite3_errstr(rc);
	return berth_error_set(err, code_of(db ? db->conn : NULL, rc), "%s: %s", ctx, msg);
}

sqlite3_stmt *md_stmt(struct md_db *db, const char *sql, struct berth_error **err)
{
	for (size_t i = 0; i < db->n_stmts; i++)
		if (db->stmts[i].sql == sql)
			return db->stmts[i].st;
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
	if (rc != SQLITE_OK) {
		md_sql_error(db, rc, err, "metadata %s: prepare \"%.60s\"", db->path, sql);
		return NULL;
	}
	db->stmts = xrealloc(db->stmts, (db->n_stmts + 1) * sizeof(*db->stmts));
	db->stmts[db->n_stmts++] = (struct md_stmt_slot){sql, st};
	return st;
}

void md_stmt_reset(sqlite3_stmt **st)
{
	if (*st) {
		sqlite3_reset(*st);
		sqlite3_clear_bindings(*st);
	}
}

int md_step(struct md_db *db, sqlite3_stmt *st, struct berth_error **err)
{
	if (db->fault > 0 && --db->fault == 0)
		return berth_error_set(err, EIO, "metadata %s: injected fault", db->path);
	int rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	return md_sql_error(db, rc, err, "metadata %s", db->path);
}

int md_run(struct md_db *db, sqlite3_stmt *st, struct berth_error **err)
{
	int r;
	while ((r = md_step(db, st, err)) == 1)
		;
	return r;
}

int md_exec(struct md_db *db, const char *sql, struct berth_error **err)
{
	char *msg = NULL;
	int rc = sqlite3_exec(db->conn, sql, NULL, NULL, &msg);
	if (rc == SQLITE_OK)
		return 0;
	int r = berth_error_set(err, code_of(db->conn, rc), "metadata %s: %s: %s", db->path, sql,
				msg ? msg : sqlite3_errstr(rc));
	sqlite3_free(msg);
	return r;
}

void md_bind_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_TRANSIENT);
	else
		sqlite3_bind_null(st, i);
}

void md_bind_i64(sqlite3_stmt *st, int i, int64_t v)
{
	sqlite3_bind_int64(st, i, v);
}

char *md_col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);
	return s ? xstrdup((const char *)s) : NULL;
}

static int pragma(struct md_db *db, const char *sql, const char *want, struct berth_error **err)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(db->conn, sql, -1, &st, NULL);
	if (rc != SQLITE_OK)
		return md_sql_error(db, rc, err, "metadata %s: %s", db->path, sql);
	rc = sqlite3_step(st);
	int r = 0;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		r = md_sql_error(db, rc, err, "metadata %s: %s", db->path, sql);
	else if (want &&
		 (rc != SQLITE_ROW || strcmp((const char *)sqlite3_column_text(st, 0), want) != 0))
		r = berth_error_set(err, EIO, "metadata %s: %s: did not give %s", db->path, sql,
				    want);
	sqlite3_finalize(st);
	return r;
}

static int configure(struct md_db *db, int busy_ms, struct berth_error **err)
{
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, busy_ms);
	if (pragma(db, "PRAGMA journal_mode=WAL", "wal", err) < 0 ||
	    pragma(db, "PRAGMA synchronous=FULL", NULL, err) < 0 ||
	    pragma(db, "PRAGMA foreign_keys=ON", NULL, err) < 0)
		return -1;
	return md_migrate(db, err);
}

int md_open(const struct md_config *cfg, struct md_db **out, struct berth_error **err)
{
	struct md_db *db = xcalloc(1, sizeof(*db));
	pthread_mutexattr_t attr;
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&db->lock, &attr);
	pthread_mutexattr_destroy(&attr);
	db->path = xasprintf("%s/%s", cfg->root, MD_DB_NAME);
	/* created here so that its mode is 0600 (SQLite would use 0644) */
	int fd = open(db->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		berth_error_errno(err, "metadata: open %s", db->path);
		md_close(db);
		return -1;
	}
	close(fd);
	int rc = sqlite3_open_v2(db->path, &db->conn, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX,
				 NULL);
	int r = rc == SQLITE_OK ? 0 : md_sql_error(db, rc, err, "metadata: open %s", db->path);
	if (r == 0)
		r = configure(
		    db, cfg->busy_timeout_ms > 0 ? cfg->busy_timeout_ms : MD_BUSY_TIMEOUT_MS, err);
	if (r < 0) {
		md_close(db);
		return -1;
	}
	*out = db;
	return 0;
}

void md_close(struct md_db *db)
{
	if (db == NULL)
		return;
	for (size_t i = 0; i < db->n_stmts; i++)
		sqlite3_finalize(db->stmts[i].st);
	free(db->stmts);
	if (db->conn)
		sqlite3_close(db->conn);
	pthread_mutex_destroy(&db->lock);
	free(db->path);
	free(db);
}

int md_labels_check(json_t *labels, const char *what, struct berth_error **err)
{
	if (labels == NULL)
		return 0;
	if (!json_is_object(labels))
		return berth_error_set(err, EINVAL, "%s: labels: not an object", what);
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v)
	{
		if (k[0] == '\0')
			return berth_error_set(err, EINVAL, "%s: labels: empty key", what);
		if (!json_is_string(v))
			return berth_error_set(err, EINVAL, "%s: label %s: not a string", what, k);
	}
	return 0;
}

char *md_labels_dump(json_t *labels)
{
	if (labels == NULL || json_object_size(labels) == 0)
		return xstrdup("{}");
	char *s = json_dumps(labels, JSON_COMPACT | JSON_SORT_KEYS);
	if (s == NULL)
		abort(); /* out of memory */
	return s;
}

json_t *md_labels_load(const char *text)
{
	json_t *j = text ? json_loads(text, 0, NULL) : NULL;
	if (j && !json_is_object(j)) {
		json_decref(j);
		j = NULL;
	}
	return j ? j : json_object();
}
