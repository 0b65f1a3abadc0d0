/* Internals of lib/core/metadata shared by its files (and the GC): the handle,
 * cached prepared statements, SQLite error mapping, label JSON. */
#ifndef BERTH_CORE_METADATA_MD_INTERNAL_H
#define BERTH_CORE_METADATA_MD_INTERNAL_H

#include "core/metadata/metadata.h"

#include <pthread.h>
#include <sqlite3.h>

struct md_stmt_slot {
	const char *sql; /* a string literal: the cache key is its address */
	sqlite3_stmt *st;
};

struct md_db {
	sqlite3 *conn;
	char *path;
	pthread_mutex_t lock; /* recursive; held by a transaction until it ends */
	int depth;	      /* transaction nesting */
	long fault;	      /* md_fault_inject countdown */
	struct md_stmt_slot *stmts;
	size_t n_stmts;
	/* GC guard (lib/core/gc): while set and the caller is gc_thread, a
	 * snapshot record is only removed if nothing references it (one statement). */
	bool gc_guard;
	pthread_t gc_thread;
};

void md_lock(struct md_db *db);
void md_unlock(struct md_db *db);

/* The cached statement for sql (prepared on first use), or NULL with *err.
 * Use under the lock; reset it (cleanup_stmt) before unlocking. */
sqlite3_stmt *md_stmt(struct md_db *db, const char *sql, struct berth_error **err);
void md_stmt_reset(sqlite3_stmt **st);
#define cleanup_stmt __attribute__((cleanup(md_stmt_reset)))
/* 1: a row, 0: done, -1: error (*err set). */
int md_step(struct md_db *db, sqlite3_stmt *st, struct berth_error **err);
/* Step to completion, ignoring rows. */
int md_run(struct md_db *db, sqlite3_stmt *st, struct berth_error **err);
/* Constant SQL (no user values). */
int md_exec(struct md_db *db, const char *sql, struct berth_error **err);
/* Fill *err from the connection's last error (rc), prefixed by the
 * formatted context. Returns -1. */
int md_sql_error(struct md_db *db, int rc, struct berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

void md_bind_text(sqlite3_stmt *st, int i, const char *s);
void md_bind_i64(sqlite3_stmt *st, int i, int64_t v);
char *md_col_text(sqlite3_stmt *st, int i); /* copy, NULL for NULL */

/* Labels: a JSON object of strings (NULL: none). */
int md_labels_check(json_t *labels, const char *what, struct berth_error **err);
char *md_labels_dump(json_t *labels); /* "{}" for NULL */
json_t *md_labels_load(const char *text);

/* Run call inside a transaction (md_tx_begin/commit/rollback). */
#define MD_WRITE(db, err, call)                                                                    \
	({                                                                                         \
		int r_ = md_tx_begin((db), (err));                                                 \
		if (r_ == 0) {                                                                     \
			r_ = (call);                                                               \
			if (r_ < 0)                                                                \
				md_tx_rollback(db);                                                \
			else if (md_tx_commit((db), (err)) < 0)                                    \
				r_ = -1;                                                           \
		}                                                                                  \
		r_;                                                                                \
	})
/* Run call under the handle's lock (reads). */
#define MD_READ(db, call)                                                                          \
	({                                                                                         \
		md_lock(db);                                                                       \
		__typeof__(call) r_ = (call);                                                      \
		md_unlock(db);                                                                     \
		r_;                                                                                \
	})

/* Insert namespace `name` (already checked); or_ignore: no EEXIST. */
int md_ns_insert_locked(struct md_db *db, const char *name, bool or_ignore,
			struct berth_error **err);

/* References (edges.c). */
int md_ref_check(enum md_ref_kind kind, const char *snapshotter, const char *name,
		 struct berth_error **err);
/* Rows (kind, snapshotter, name) of st into a list. */
int md_refs_collect(struct md_db *db, sqlite3_stmt *st, struct md_ref **out, size_t *n,
		    struct berth_error **err);
int md_edge_delete_from_locked(struct md_db *db, const char *parent, struct berth_error **err);

int md_lease_expire_locked(struct md_db *db, int64_t now, size_t *n, struct berth_error **err);

/* Schema (schema.c). */
int md_migrate(struct md_db *db, struct berth_error **err);

/* GC guard (snapmeta.c honours it). */
/* EBUSY if another GC holds it. */
int md_gc_guard(struct md_db *db, bool on, struct berth_error **err);
bool md_gc_guarded(struct md_db *db);

#endif
