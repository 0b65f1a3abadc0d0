/* Snapshot bookkeeping store: keys, parents, kinds and ids of one
 * snapshotter. Internal to lib/core/snapshots. Every change is applied whole
 * or not at all (today: an in-memory table persisted to a JSON index file by
 * write-temp + fsync + rename; later: one SQLite transaction per call).
 * Not locked: the snapshotter serialises calls. */
#ifndef BERTH_CORE_SNAPSHOTS_META_H
#define BERTH_CORE_SNAPSHOTS_META_H

#include "core/snapshots/snapshots.h"

struct snap_meta;

/* Open (or create) the index in dir. */
int snap_meta_open(const char *dir, struct snap_meta **out, struct berth_error **err);
void snap_meta_close(struct snap_meta *m);
/* The record of key, owned by the store and valid until the next change; NULL if absent. */
const struct snap_info *snap_meta_get(struct snap_meta *m, const char *key);
/* Number of snapshots whose parent is key. */
size_t snap_meta_children(struct snap_meta *m, const char *key);
/* A fresh id, never handed out before (also across restarts). */
int snap_meta_new_id(struct snap_meta *m, uint64_t *out, struct berth_error **err);
/* Add a record (key must be new; parent, if any, must exist). */
int snap_meta_add(struct snap_meta *m, const char *key, const char *parent, enum snap_kind kind,
		  uint64_t id, struct berth_error **err);
/* Active key -> committed name. */
int snap_meta_commit(struct snap_meta *m, const char *key, const char *name,
		     struct berth_error **err);
int snap_meta_remove(struct snap_meta *m, const char *key, struct berth_error **err);
/* Records in id order; stops at (and returns) the first non-zero fn result. */
int snap_meta_walk(struct snap_meta *m, snap_walk_fn fn, void *arg);

#endif
