/* The metadata database: one SQLite file, <root>/metadata.db, in WAL mode,
 * holding namespaces, images, containers, leases, the references between
 * blobs and snapshots (edges) and the snapshotters' bookkeeping (snapmeta.c).
 *
 * Every function that changes more than one row runs in one transaction, so
 * a crash leaves the old or the new state. Callers group several calls into
 * one transaction with md_tx_begin/commit/rollback (or md_tx_run); they nest
 * (savepoints). A handle may be shared by threads: a transaction holds the
 * handle's (recursive) lock until it ends. Other processes wait up to the busy
 * timeout for the write lock, then fail with EBUSY.
 *
 * Errors: EEXIST (name taken), ENOENT (no such object), EINVAL (bad name or
 * value), ENOTEMPTY (namespace in use), EPERM (namespace default), EBUSY
 * (database locked), EIO (SQLite failed). Times are ns since the epoch.
 * See docs/core.md, "Metadata". */
#ifndef BERTH_CORE_METADATA_METADATA_H
#define BERTH_CORE_METADATA_METADATA_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MD_DB_NAME "metadata.db"
#define MD_DEFAULT_NAMESPACE "default"
#define MD_NAMESPACE_MAX 76
#define MD_BUSY_TIMEOUT_MS 5000
/* Name of the image record that keeps an untagged image (docker's <none>:<none>). */
#define MD_DANGLING_PREFIX "berth-dangling@"

struct md_db;

struct md_config {
	const char *root;    /* the database is root/metadata.db; root must exist */
	int busy_timeout_ms; /* 0: MD_BUSY_TIMEOUT_MS */
};

/* Open or create the database and bring its schema up to date (migrations in
 * one transaction each). ENOTSUP if the file has a newer schema. */
int md_open(const struct md_config *cfg, struct md_db **out, struct berth_error **err);
void md_close(struct md_db *db);
const char *md_path(const struct md_db *db);
/* Schema version of the open database. */
int md_schema_version(struct md_db *db, int *out, struct berth_error **err);
/* The newest schema version this build knows. */
int md_schema_latest(void);
int64_t md_now(void);

/* Transactions. begin takes the write lock (BEGIN IMMEDIATE) or, nested, a
 * savepoint. commit that fails rolls back. rollback never fails. */
int md_tx_begin(struct md_db *db, struct berth_error **err);
int md_tx_commit(struct md_db *db, struct berth_error **err);
void md_tx_rollback(struct md_db *db);
/* begin; fn; commit (fn returned >= 0) or rollback (fn < 0). Returns fn's result. */
typedef int (*md_tx_fn)(struct md_db *db, void *arg, struct berth_error **err);
int md_tx_run(struct md_db *db, md_tx_fn fn, void *arg, struct berth_error **err);

/* Testing: the n-th SQLite step from now fails with EIO (0: off). */
void md_fault_inject(struct md_db *db, long n);

/* ---- namespaces: [a-z0-9]([a-z0-9._-]*[a-z0-9])?, 1..76 characters ---- */
bool md_namespace_valid(const char *name);
int md_namespace_check(const char *name, struct berth_error **err);
int md_namespace_create(struct md_db *db, const char *name, struct berth_error **err);
/* Created if missing (what every write in a namespace does). */
int md_namespace_ensure(struct md_db *db, const char *name, struct berth_error **err);
bool md_namespace_exists(struct md_db *db, const char *name);
/* Sorted names, NULL-terminated; free with strv_free. */
int md_namespace_list(struct md_db *db, char ***out, struct berth_error **err);
/* ENOTEMPTY while it holds images, containers or leases; EPERM for default. */
int md_namespace_delete(struct md_db *db, const char *name, struct berth_error **err);

/* ---- images ---- */
struct md_descriptor {
	char *media_type;
	char *digest; /* sha256:<hex> */
	int64_t size;
};

struct md_image {
	char *name; /* a normalised reference, or MD_DANGLING_PREFIX<digest> */
	struct md_descriptor target;
	int64_t created, updated;
	json_t *labels; /* object of strings, may be NULL (none) */
};

void md_image_free(struct md_image *img); /* the members */
void md_image_list_free(struct md_image *v, size_t n);

/* EEXIST if the name is taken. created/updated are set to now when 0. */
int md_image_create(struct md_db *db, const char *ns, const struct md_image *img,
		    struct berth_error **err);
/* Replace target and labels of an existing image (ENOENT); updated = now. */
int md_image_update(struct md_db *db, const char *ns, const struct md_image *img,
		    struct berth_error **err);
int md_image_get(struct md_db *db, const char *ns, const char *name, struct md_image *out,
		 struct berth_error **err);
int md_image_delete(struct md_db *db, const char *ns, const char *name, struct berth_error **err);

struct md_image_filter {
	const char *name;	   /* exact name */
	const char *name_glob;	   /* SQLite GLOB pattern on the name */
	const char *digest;	   /* target digest */
	const char *const *labels; /* NULL-terminated "key" or "key=value", all must match */
	int dangling;		   /* -1 any, 0 tagged only, 1 dangling only */
};
/* In name order. f may be NULL (all). */
int md_image_list(struct md_db *db, const char *ns, const struct md_image_filter *f,
		  struct md_image **out, size_t *n, struct berth_error **err);

/* ---- references: what GC follows ---- */
enum md_ref_kind { MD_REF_CONTENT = 1, MD_REF_SNAPSHOT = 2, MD_REF_INGEST = 3 };
const char *md_ref_kind_name(enum md_ref_kind k);

struct md_ref {
	enum md_ref_kind kind;
	char *snapshotter; /* snapshots only ("overlayfs", "native"); NULL otherwise */
	char *name;	   /* digest, snapshot key or ingest ref */
};
void md_ref_list_free(struct md_ref *v, size_t n);

/* Edges blob -> blob or blob -> snapshot (a manifest to its config and
 * layers, an index to its manifests, a config to the top snapshot of its
 * layers): a live blob keeps its children alive. Idempotent. */
int md_edge_add(struct md_db *db, const char *parent, enum md_ref_kind kind,
		const char *snapshotter, const char *child, struct berth_error **err);
/* All edges from parent. */
int md_edge_list(struct md_db *db, const char *parent, struct md_ref **out, size_t *n,
		 struct berth_error **err);
int md_edge_delete_from(struct md_db *db, const char *parent, struct berth_error **err);

/* ---- leases: keep in-flight work from GC ---- */
struct md_lease {
	char *id;
	int64_t created;
	int64_t expires; /* 0: never */
	json_t *labels;
};
void md_lease_list_free(struct md_lease *v, size_t n);
/* ids: 1..76 of [A-Za-z0-9._-]. EEXIST if taken. */
int md_lease_create(struct md_db *db, const char *ns, const char *id, int64_t expires,
		    json_t *labels, struct berth_error **err);
/* A fresh random id ("berth-<16 hex>"); caller frees. */
char *md_lease_new_id(void);
int md_lease_add(struct md_db *db, const char *ns, const char *id, enum md_ref_kind kind,
		 const char *snapshotter, const char *name, struct berth_error **err);
int md_lease_remove_resource(struct md_db *db, const char *ns, const char *id,
			     enum md_ref_kind kind, const char *snapshotter, const char *name,
			     struct berth_error **err);
int md_lease_resources(struct md_db *db, const char *ns, const char *id, struct md_ref **out,
		       size_t *n, struct berth_error **err);
int md_lease_delete(struct md_db *db, const char *ns, const char *id, struct berth_error **err);
int md_lease_list(struct md_db *db, const char *ns, struct md_lease **out, size_t *n,
		  struct berth_error **err);
/* Delete every lease (all namespaces) that expired at or before now; *n how many. */
int md_lease_expire(struct md_db *db, int64_t now, size_t *n, struct berth_error **err);

/* ---- containers ---- */
struct md_container {
	char *id;   /* 64 lowercase hex */
	char *name; /* unique per namespace */
	char *image;
	char *spec; /* JSON text (an OCI spec), may be NULL ("{}") */
	char *snapshotter;
	char *snapshot_key;
	char *runtime;
	json_t *labels;
	int64_t created, updated;
};
void md_container_free(struct md_container *c);
void md_container_list_free(struct md_container *v, size_t n);
/* EEXIST (message says whether the id or the name is taken). */
int md_container_create(struct md_db *db, const char *ns, const struct md_container *c,
			struct berth_error **err);
/* Replace every field but id and created (a rename is an update). */
int md_container_update(struct md_db *db, const char *ns, const struct md_container *c,
			struct berth_error **err);
int md_container_get(struct md_db *db, const char *ns, const char *id, struct md_container *out,
		     struct berth_error **err);
int md_container_get_by_name(struct md_db *db, const char *ns, const char *name,
			     struct md_container *out, struct berth_error **err);
int md_container_delete(struct md_db *db, const char *ns, const char *id, struct berth_error **err);
/* In creation order. image: only those of this image (NULL: all). */
int md_container_list(struct md_db *db, const char *ns, const char *image,
		      struct md_container **out, size_t *n, struct berth_error **err);

#endif
