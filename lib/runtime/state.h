/* Per-container state directory under the runtime's --root:
 *   <root>/<id>/state.json   what `state` reports, plus private fields
 *   <root>/<id>/config.json  the config as it was at create time
 *   <root>/<id>/exec.fifo    exists while the container is "created"
 * Files are replaced atomically (temp + rename) without fsync: like the
 * directory itself they live under /run and do not outlive a reboot.
 * Every command that touches a container holds an exclusive flock on the
 * directory, so two commands on one id never interleave. */
#ifndef BERTH_RUNTIME_STATE_H
#define BERTH_RUNTIME_STATE_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum rt_status { RT_CREATING, RT_CREATED, RT_RUNNING, RT_PAUSED, RT_STOPPED };

struct rt_state {
	char *id;
	char *bundle;
	char *rootfs;
	char *created; /* RFC 3339 */
	char *owner;
	pid_t pid;
	uint64_t pid_start;	     /* /proc/<pid>/stat starttime, guards against pid reuse */
	enum rt_status saved_status; /* as written: creating or created */
	json_t *annotations;
	json_t *extra; /* private fields (namespaces joined, cgroup path ...) */
};

struct rt_container {
	char *id;
	char *dir; /* <root>/<id> */
	int dirfd; /* O_DIRECTORY, flock'ed */
	struct rt_state state;
};

const char *rt_status_name(enum rt_status s);

/* Validates an id: 1-1024 chars of [A-Za-z0-9_+.-], not "." or "..". */
int rt_id_validate(const char *id, struct berth_error **err);

/* Create <root>/<id> exclusively and lock it. Fails with EEXIST if present. */
int rt_container_new(const char *root, const char *id, struct rt_container **out,
		     struct berth_error **err);
/* Open and lock an existing container, loading its state. ENOENT if absent. */
int rt_container_open(const char *root, const char *id, struct rt_container **out,
		      struct berth_error **err);
/* Drop the lock early (long-running readers such as `events`). */
void rt_container_unlock(struct rt_container *c);
/* Write state.json (atomically, fsynced). */
int rt_container_save(struct rt_container *c, struct berth_error **err);
/* Remove the state directory (while still holding the lock). */
int rt_container_destroy(struct rt_container *c, struct berth_error **err);
void rt_container_free(struct rt_container *c);

/* Current status derived from the saved one, the pid and the exec fifo. */
enum rt_status rt_container_status(struct rt_container *c);
/* The public state JSON (runtime-spec plus runc's rootfs/created/owner). */
json_t *rt_container_state_json(struct rt_container *c);

/* starttime (field 22) of /proc/<pid>/stat; 0 if the process is gone. */
uint64_t rt_proc_start_time(pid_t pid);
/* True if pid is alive (not a zombie) and has the given start time. */
bool rt_proc_alive(pid_t pid, uint64_t start);

/* Current time as RFC 3339 with nanoseconds (caller frees). */
char *rt_now_rfc3339(void);

#endif
