/* Containers and tasks of the engine (the dockerd + containerd container
 * layers): the in-memory container objects, their persistence, their shims.
 * This header is the contract between the lifecycle code (container-*.c,
 * api/containers.c) and the API files that use containers (attach, logs,
 * exec, archive, export, changes, top, stats, events).
 *
 * On disk (per container):
 *   <root>/containers/<id>/config.v2.json   Config, State, Name, Image, ... (docker's shape)
 *   <root>/containers/<id>/hostconfig.json  HostConfig
 *   <root>/containers/<id>/<id>-json.log     the json-file log (written by the shim)
 *   <root>/containers/<id>/{hostname,hosts,resolv.conf}
 *   <exec-root>/shims/<ns>/<id>/              the shim's dir = the OCI bundle
 *   metadata.db containers table              id, name, image, spec, snapshot key, runtime, labels
 *
 * Locking: c->lock guards every mutable field; c->cond is broadcast on every
 * state change (status, shim up, exit). Functions below take the lock
 * themselves unless they say otherwise. Objects are reference counted:
 * every ctr_find/ctr_list result must be given back with ctr_unref. */
#ifndef BERTH_ENGINE_CONTAINERS_CONTAINER_H
#define BERTH_ENGINE_CONTAINERS_CONTAINER_H

#include "common/error.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct engine;
struct ctr_private;

enum ctr_status {
	CTR_CREATED = 0,
	CTR_RUNNING,
	CTR_PAUSED,
	CTR_RESTARTING,
	CTR_REMOVING,
	CTR_EXITED,
	CTR_DEAD,
};
/* docker's State.Status words: "created", "running", ... */
const char *ctr_status_name(enum ctr_status s);

struct ctr_state {
	enum ctr_status status;
	pid_t pid;	/* the container's init (host pid), 0 when not running */
	pid_t shim_pid; /* 0 when no shim */
	int exit_code;
	char *error; /* State.Error, e.g. "shim died: ..." (NULL = "") */
	bool oom_killed;
	bool paused;
	int64_t started_at;  /* ns since the epoch, 0 = never */
	int64_t finished_at; /* ns since the epoch, 0 = never */
	int restart_count;
	bool manually_stopped; /* stop/kill by the user: "unless-stopped" and "always" rules */
};

struct container {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int refs; /* atomic */

	char id[65];
	char *name;	     /* with docker's leading "/" */
	char *image;	     /* as the user gave it ("busybox") */
	char *image_id;	     /* "sha256:..." */
	json_t *config;	     /* docker Config, merged with the image's (what inspect shows) */
	json_t *host_config; /* docker HostConfig, defaults filled */
	char *runtime;	     /* runtime name (daemon.json runtimes / built-in) */
	char *snapshot_key;
	char *shim_dir;	 /* <exec-root>/shims/<ns>/<id> (the bundle) */
	char *rootfs;	 /* <shim_dir>/rootfs */
	char *log_path;	 /* NULL with the "none" log driver */
	int64_t created; /* ns since the epoch */
	struct ctr_state state;

	struct ctr_private *priv; /* lifecycle internals */
};

/* ---- lookup ---- */

/* By full id, name (with or without "/") or a unique id prefix, as dockerd.
 * ENOENT "No such container: <ref>"; EINVAL for an ambiguous prefix. */
int ctr_find(struct engine *e, const char *ref, struct container **out, struct berth_error **err);
void ctr_ref(struct container *c);
void ctr_unref(struct container *c);
/* Every container (refs held), in creation order. Free with ctr_list_free. */
void ctr_list(struct engine *e, struct container ***out, size_t *n);
void ctr_list_free(struct container **v, size_t n);
/* A copy of c->state (error duplicated; free with ctr_state_clear). */
void ctr_state_get(struct container *c, struct ctr_state *out);
void ctr_state_clear(struct ctr_state *s);

/* ---- waiting ---- */

enum ctr_wait_cond { CTR_WAIT_NOT_RUNNING, CTR_WAIT_NEXT_EXIT, CTR_WAIT_REMOVED };
/* Block until the condition holds (docker's wait semantics). timeout_ms < 0:
 * forever; *cancel (may be NULL) is polled to give up (a client that went
 * away). Returns 0 with *exit_code, -1 ETIMEDOUT/ECANCELED. */
int ctr_wait(struct container *c, enum ctr_wait_cond cond, int timeout_ms,
	     const volatile bool *cancel, int *exit_code, struct berth_error **err);

/* ---- the shim ---- */

/* One call to the container's shim (ENOTCONN "container <id> is not
 * running" when it has none). For resize, stats, exec, kill of execs. */
int ctr_shim_call(struct container *c, json_t *req, int timeout_ms, json_t **reply,
		  struct berth_error **err);
/* An attach stream of the container's init (exec_id NULL) or of an exec: the
 * raw fd after the shim's attach reply (see shim-proto.h). For a container
 * that is created but not started, this waits (forever, or until *cancel)
 * until a start brings its shim up and the start waits for this attach, so
 * that no output is missed (docker run -a / start -a). */
int ctr_attach_open(struct container *c, const char *exec_id, bool in, bool out, bool err_,
		    bool stdin_once, const volatile bool *cancel, int *fd,
		    struct berth_error **err);

/* ---- the root filesystem for the archive, export and changes endpoints ---- */

/* The container's rootfs mounted (the running one, or a temporary mount of
 * its snapshot for a stopped container); *path until ctr_rootfs_put. */
int ctr_rootfs_get(struct container *c, char **path, struct berth_error **err);
void ctr_rootfs_put(struct container *c);

/* ---- for exec (api/exec.c): exit events of exec processes ---- */

/* Set by the exec module at start; called by the lifecycle code (without
 * c->lock held) for every exec exit the shim reports. */
extern void (*ctr_exec_exit_hook)(struct engine *e, struct container *c, const char *exec_id,
				  int exit_code);

/* ---- lifecycle (container-*.c; used by api/containers.c) ----
 * Every function publishes its docker event (create, start, die, stop, kill,
 * pause, unpause, restart, rename, update, destroy, oom) on e->events and
 * keeps config.v2.json / metadata in step; a failure leaves no partial state
 * (no snapshot, mount, shim, directory or metadata row). */

/* body: the POST /containers/create body (Config fields at the top level,
 * HostConfig, NetworkingConfig); name: NULL for a generated one. Looks up the
 * image (ENOENT "No such image: <ref>" — the CLI pulls on that 404), merges
 * its config, checks HostConfig, prepares the snapshot, writes the
 * container's files. *warnings (strv) for the reply. EEXIST (409) for a name
 * in use: 'Conflict. The container name "/x" is already in use by container
 * "<id>". You have to remove (or rename) that container to be able to reuse
 * that name.' */
int ctr_create(struct engine *e, const char *name, json_t *body, const char *platform,
	       struct container **out, char ***warnings, struct berth_error **err);
/* Generate the spec, mount the rootfs, start the shim, wait for pending
 * attaches, start the process. A running container: 304 in the API
 * (EALREADY here). */
int ctr_start(struct engine *e, struct container *c, struct berth_error **err);
/* StopSignal (or signal >= 0), then SIGKILL after timeout_s (<0: the
 * container's StopTimeout, else 10). Not running: EALREADY (304). */
int ctr_stop(struct engine *e, struct container *c, int signal, int timeout_s,
	     struct berth_error **err);
/* EINVAL for a bad signal; ENOTCONN/409 "Container <id> is not running". */
int ctr_kill(struct engine *e, struct container *c, int signal, struct berth_error **err);
int ctr_restart(struct engine *e, struct container *c, int timeout_s, struct berth_error **err);
int ctr_pause(struct engine *e, struct container *c, struct berth_error **err);
int ctr_unpause(struct engine *e, struct container *c, struct berth_error **err);
/* force: kill a running one first (else 409 "You cannot remove a running
 * container <id>. Stop the container before attempting removal or force
 * remove"); volumes: remove anonymous volumes (when volumes exist). */
int ctr_remove(struct engine *e, struct container *c, bool force, bool volumes,
	       struct berth_error **err);
/* EEXIST for a taken name, EINVAL for an invalid one. */
int ctr_rename(struct engine *e, struct container *c, const char *new_name,
	       struct berth_error **err);
/* POST /containers/{id}/update body (resources + RestartPolicy); applied to
 * the running task through the shim and stored. *warnings for the reply. */
int ctr_update(struct engine *e, struct container *c, json_t *body, char ***warnings,
	       struct berth_error **err);
/* The runtime view for inspect: {"ShimPid","TaskPid","Runtime","RuntimeRoot",
 * "Bundle","CgroupPath","Namespaces":{"pid":inode,...},"RootfsMount":
 * "overlay on ... lowerdir=..."} (empty object when not running), and
 * docker's GraphDriver object. New references. */
json_t *ctr_stack_info(struct engine *e, struct container *c);
json_t *ctr_graph_driver(struct engine *e, struct container *c);

/* ---- engine set-up (berthd) ---- */

/* Load every container (metadata + <root>/containers), reconnect to the live
 * shims, record exits that happened while berthd was down, mark containers
 * whose shim died as exited with a reason, apply restart policies. */
int ctr_store_open(struct engine *e, struct berth_error **err);
/* Close shim connections (the shims keep running) and free the objects. */
void ctr_store_close(struct engine *e);

#endif
