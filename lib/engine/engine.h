/* The engine layer's state shared by the API handlers: the configuration
 * (replaced as a whole on reload) and the daemon's identity. Later: the core
 * layer's handles (content store, snapshotter, metadata). */
#ifndef BERTH_ENGINE_ENGINE_H
#define BERTH_ENGINE_ENGINE_H

#include "common/error.h"
#include "engine/config.h"

#include <pthread.h>
#include <time.h>

struct content_store;
struct snapshotter;
struct md_db;
struct reg_client;
struct ctr_store;
struct events_bus;
struct exec_table;

struct engine {
	pthread_mutex_t lock; /* guards cfg */
	struct engine_config cfg;
	char *id;	   /* persistent engine ID (<root>/engine-id) */
	char *config_file; /* for messages */
	time_t started;
	/* the core layer (engine-core.c); NULL until engine_core_open */
	struct content_store *cs;
	struct snapshotter *snap;
	struct md_db *md;
	struct reg_client *reg;	      /* the current one (engine_registry) */
	struct reg_client **old_regs; /* replaced on reload, still used by pulls in flight */
	size_t n_old_regs;
	pthread_mutex_t images_lock; /* tag, delete, prune and GC one at a time */
	/* containers (containers/container.h), events (core/events/events.h), exec
	 * processes (api/exec.c); NULL until opened */
	struct ctr_store *containers;
	struct events_bus *events;
	struct exec_table *execs;
};

/* Takes cfg (its contents are moved; *cfg is left zeroed). */
void engine_init(struct engine *e, struct engine_config *cfg, const char *id,
		 const char *config_file);
void engine_destroy(struct engine *e);
/* A copy of the configuration to read without holding the lock. */
void engine_config_snapshot(struct engine *e, struct engine_config *out);
/* Reload: apply what can change at run time from next; returns the change
 * description (see engine_config_reload). */
char *engine_reload(struct engine *e, const struct engine_config *next, char **ignored);

/* Open the core layer under cfg.data_root (engine-core.c): metadata.db,
 * content/, snapshots/<driver>/ (storage-driver; overlayfs falls back to
 * native where overlay cannot be mounted) and the registry client
 * (insecure-registries, registry-mirrors, certs.d next to the config file,
 * /etc/berth/certs.d by default). */
int engine_core_open(struct engine *e, struct berth_error **err);
void engine_core_close(struct engine *e);
/* The registry client for a new operation (a reload may replace it). */
struct reg_client *engine_registry(struct engine *e);
/* After a reload: a new registry client when insecure-registries,
 * registry-mirrors or max-download-attempts changed (the old one stays for
 * the pulls using it until berthd stops). */
int engine_core_reload(struct engine *e, struct berth_error **err);
/* The directory of per-registry certificates for a config file path. */
char *engine_certs_dir(const char *config_file);

/* The engine ID stored in <root>/engine-id (a random UUID made on first
 * start), as dockerd keeps it. */
int engine_id_load(const char *root, char **id, struct berth_error **err);

#endif
