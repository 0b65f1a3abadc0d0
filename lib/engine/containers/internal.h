/* Internals of the container lifecycle (container.h): the store, the private
 * part of a container, and what the files of this directory share.
 *
 * Locks, in the order they may be taken: priv->op (one lifecycle operation
 * at a time per container: start, stop, restart, remove, rename, update,
 * pause, the clean-up after an exit) -> store->lock -> c->lock. The monitor
 * thread takes only c->lock (and the store lock to look containers up). */
#ifndef BERTH_ENGINE_CONTAINERS_INTERNAL_H
#define BERTH_ENGINE_CONTAINERS_INTERNAL_H

#include "engine/containers/container.h"
#include "core/metadata/metadata.h"
#include "engine/engine.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define CTR_NS "default"

struct ctr_pending_exit {
	int exit_code;
	int64_t exited_at;
	bool oom;
};

struct ctr_private {
	pthread_mutex_t op; /* see above */
	bool creating;	    /* reserved by a create in progress: not listed */
	bool removed;	    /* gone from the store (CTR_WAIT_REMOVED) */
	bool task;	    /* a shim (or its leftovers) exists: ctr_task_cleanup to do */
	bool shim_up;	    /* the shim runs: attaches may connect */
	bool exit_seen;	    /* the init's exit was recorded for this task */
	bool oom_published; /* an oom event was published for this task */
	int attach_waiting; /* ctr_attach_open calls waiting for the shim */
	int sub_fd;	    /* subscribe connection (owned by the monitor), -1 */
	uint64_t exit_seq;  /* +1 per recorded exit (CTR_WAIT_NEXT_EXIT) */
	int restart_delay_ms;
	bool restart_wait; /* a restart-policy worker is waiting */
	bool has_started;  /* HasBeenStartedBefore */
	int rootfs_refs;   /* ctr_rootfs_get of a stopped container */
	char *tmp_rootfs;  /* its temporary mount */
	char *cgroup_path; /* from config.json at start */
	bool starting;	   /* between the shim's create and the start op's reply */
	bool pending_exit; /* an exit that came while starting */
	struct ctr_pending_exit pending;
	uint64_t task_gen; /* +1 per start: tells a subscribe connection's task */
	struct engine *engine;
};

struct ctr_sub;

struct ctr_store {
	pthread_mutex_t lock;
	pthread_cond_t cond; /* workers == 0 */
	struct container **v;
	size_t n, cap;
	bool closing;
	int workers; /* detached worker threads running */
	int epfd;
	int wake_fd;	      /* eventfd: ends the monitor */
	struct ctr_sub *subs; /* every subscribe connection (monitor.c) */
	pthread_t monitor;
	bool monitor_started;
	/* fixed at open */
	char *containers_dir; /* <root>/containers */
	char *shims_dir;      /* <exec-root>/shims/default */
	char *runtime_root;   /* <exec-root>/runtime/default */
	char *shim_bin;	      /* berth-shim */
	char *init_bin;	      /* berth-init, NULL when not found */
	char *runtime_bin;    /* berth-runtime */
	char *cgroup_parent;
	char *seccomp_default; /* NULL: specgen's built-in */
};

/* ---- store.c ---- */
struct container *ctr_new(const char *id);
/* Add (a reference is taken); remove (the store's reference is dropped). */
void ctr_store_add(struct ctr_store *s, struct container *c);
void ctr_store_remove(struct ctr_store *s, struct container *c);
/* The container using name (with "/"), creating ones included; NULL. Store lock held. */
struct container *ctr_store_by_name_locked(struct ctr_store *s, const char *name);
/* Publish a container event: attributes labels, image, name + extra (stolen, may be NULL). */
void ctr_event(struct engine *e, struct container *c, const char *action, json_t *extra);
/* Run fn(e, c) in a detached thread holding a reference to c; false when closing. */
bool ctr_spawn(struct engine *e, struct container *c,
	       void (*fn)(struct engine *, struct container *));
/* The container's dir <root>/containers/<id> (caller frees). */
char *ctr_dir(struct engine *e, const struct container *c);
int64_t ctr_now(void);

/* ---- names.c ---- */
bool ctr_name_valid(const char *name);
/* A docker-style "adjective_surname"; with n > 0 a number is appended. */
char *ctr_name_generate(unsigned n);
/* 64 hex random characters. */
void ctr_id_generate(char out[65]);

/* ---- create.c ---- */
/* The runtime binary and its extra args for a runtime name (NULL: default). */
int ctr_runtime_resolve(struct engine *e, const char *name, char **path, char ***args,
			struct berth_error **err);
/* The log driver and json-file options of a HostConfig (daemon defaults). */
int ctr_log_opts(struct engine *e, json_t *host_config, char **driver, long long *max_size,
		 int *max_file, struct berth_error **err);

/* ---- persist.c ---- */
/* RFC 3339 with nanoseconds ("0001-01-01T00:00:00Z" for 0). */
char *ctr_time_format(int64_t ns);
int64_t ctr_time_parse(const char *s);
/* config.v2.json of c (c->lock held by the caller). */
json_t *ctr_config_v2(struct container *c);
/* Write config.v2.json (c->lock held) and hostconfig.json. */
int ctr_persist_locked(struct engine *e, struct container *c, bool host_config,
		       struct berth_error **err);
/* Log a failure instead of returning it (state updates). */
void ctr_persist(struct engine *e, struct container *c);
/* A container from its dir's files (config.v2.json, hostconfig.json). */
int ctr_load_dir(const char *dir, const char *id, struct container **out, struct berth_error **err);
/* The metadata row of c. */
void ctr_md_fill(struct container *c, struct md_container *m);

/* ---- start.c / stop.c ---- */
/* Delete the task left by an exit (shim delete, runtime delete, unmount, shim
 * dir). priv->op held. */
void ctr_task_cleanup(struct engine *e, struct container *c);
/* The start itself (priv->op held; no checks of the status). */
int ctr_start_locked(struct engine *e, struct container *c, bool restart_policy,
		     struct berth_error **err);
/* The OCI spec of c (host_config NULL: c's own). */
int ctr_build_spec(struct engine *e, struct container *c, json_t *host_config, json_t **spec,
		   struct berth_error **err);
/* Stop (priv->op held). */
int ctr_stop_locked(struct engine *e, struct container *c, int signal, int timeout_s,
		    struct berth_error **err);
/* Signal number of "SIGTERM", "TERM", "15" (-1 for a bad one). */
int ctr_signal_parse(const char *s);
/* Run `<runtime> --root R delete --force <id>` (shim gone). */
void ctr_runtime_force_delete(struct engine *e, struct container *c);

/* ---- monitor.c ---- */
int ctr_monitor_start(struct engine *e, struct berth_error **err);
void ctr_monitor_stop(struct engine *e);
/* Subscribe to the shim of c and watch the connection. */
int ctr_monitor_add(struct engine *e, struct container *c, struct berth_error **err);
/* Record an exit of the init (c->lock NOT held): state, die event, hand-off
 * of the clean-up and restart policy to a worker. */
void ctr_record_exit(struct engine *e, struct container *c, int exit_code, int64_t exited_at,
		     bool oom, const char *error);

/* exit.json of a shim dir: 0 when it holds an exit. */
int ctr_read_exit_json(const char *shim_dir, int *code, int64_t *at, bool *oom);

/* ---- restart.c ---- */
struct ctr_restart_policy {
	enum {
		CTR_RESTART_NO,
		CTR_RESTART_ALWAYS,
		CTR_RESTART_UNLESS_STOPPED,
		CTR_RESTART_ON_FAILURE
	} kind;
	int max_retries; /* on-failure: 0 = unlimited */
};
void ctr_restart_policy(json_t *host_config, struct ctr_restart_policy *out);
int ctr_remove_locked(struct engine *e, struct container *c, bool force, bool volumes,
		      struct berth_error **err);
/* Whether an exit should be followed by a restart. */
bool ctr_restart_should(const struct ctr_restart_policy *p, int exit_code, int restart_count,
			bool manually_stopped);
/* docker's backoff: the next delay after one of prev_ms (0: first) for a run of ran_ms. */
int ctr_restart_next_delay(int prev_ms, int64_t ran_ms);
/* Worker: clean-up after the exit, then restart if the policy says so, or
 * remove (AutoRemove). */
void ctr_after_exit(struct engine *e, struct container *c);

#endif
