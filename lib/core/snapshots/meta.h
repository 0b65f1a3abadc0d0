/* Snapshot bookkeeping store: keys, parents, kinds and ids of one
 * snapshotter. Internal to lib/core (the snapshotter and the metadata
 * database). Every change is applied whole or not at all. Two
 * implementations behind struct snap_meta_ops: meta-json.c (an in-memory
 * table persisted to a JSON index file by write-temp + fsync + rename) and
 * lib/core/metadata/snapmeta.c (one SQLite transaction per call, in the
 * metadata database). Not locked: the snapshotter serialises calls. */
#ifndef BERTH_CORE_SNAPSHOTS_META_H
#define BERTH_CORE_SNAPSHOTS_META_H

#include "core/snapshots/snapshots.h"

struct snap_meta;

struct snap_meta_ops {
	/* The record of key, owned by the store and valid until the next change; NULL if absent. */
	const struct snap_info *(*get)(struct snap_meta *m, const char *key);
	/* Number of snapshots whose parent is key. */
	size_t (*children)(struct snap_meta *m, const char *key);
	/* A fresh id, never handed out before (also across restarts). */
	int (*new_id)(struct snap_meta *m, uint64_t *out, struct berth_error **err);
	/* Add a record (key must be new; parent, if any, must exist). */
	int (*add)(struct snap_meta *m, const char *key, const char *parent, enum snap_kind kind,
		   uint64_t id, struct berth_error **err);
	/* Active key -> committed name. */
	int (*commit)(struct snap_meta *m, const char *key, const char *name,
		      struct berth_error **err);
	int (*remove)(struct snap_meta *m, const char *key, struct berth_error **err);
	/* Records in id order; stops at (and returns) the first non-zero fn result. */
	int (*walk)(struct snap_meta *m, snap_walk_fn fn, void *arg);
	void (*close)(struct snap_meta *m);
};

/* Every implementation's handle starts with this. */
struct snap_meta {
	const struct snap_meta_ops *ops;
};

/* Open (or create) the JSON index in dir. */
int snap_meta_json_open(const char *dir, struct snap_meta **out, struct berth_error **err);
/* The records of snapshotter `name` (its driver) in the metadata database. */
struct md_db;
int snap_meta_sqlite_open(struct md_db *db, const char *name, struct snap_meta **out,
			  struct berth_error **err);

static inline void snap_meta_close(struct snap_meta *m)
{
	if (m)
		m->ops->close(m);
}
static inline const struct snap_info *snap_meta_get(struct snap_meta *m, const char *key)
{
	return m->ops->get(m, key);
}
static inline size_t snap_meta_children(struct snap_meta *m, const char *key)
{
	return m->ops->children(m, key);
}
static inline int snap_meta_new_id(struct snap_meta *m, uint64_t *out, struct berth_error **err)
{
	return m->ops->new_id(m, out, err);
}
static inline int snap_meta_add(struct snap_meta *m, const char *key, const char *parent,
				enum snap_kind kind, uint64_t id, struct berth_error **err)
{
	return m->ops->add(m, key, parent, kind, id, err);
}
static inline int snap_meta_commit(struct snap_meta *m, const char *key, const char *name,
				   struct berth_error **err)
{
	return m->ops->commit(m, key, name, err);
}
static inline int snap_meta_remove(struct snap_meta *m, const char *key, struct berth_error **err)
{
	return m->ops->remove(m, key, err);
}
static inline int snap_meta_walk(struct snap_meta *m, snap_walk_fn fn, void *arg)
{
	return m->ops->walk(m, fn, arg);
}

#endif
