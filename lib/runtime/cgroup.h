/* Container cgroups: one interface, a driver per host layout.
 *
 *   v1       every controller on its own cgroup v1 hierarchy
 *   hybrid   v1 hierarchies plus a cgroup2 mount (this machine: hugetlb on
 *            /sys/fs/cgroup/unified, every other controller on v1)
 *   v2       one unified cgroup2 hierarchy at the root
 *
 * The layout is read from a mountinfo file at run time, so tests can point
 * it at a fake cgroupfs tree (a temp dir with the control files) and a fake
 * mountinfo. Drivers sit behind `struct cgroup_ops` (cgroup-v1.c,
 * cgroup-v2.c; systemd later); what both share stays in cgroup.c.
 *
 * Only cgroups the runtime created are ever written or removed. */
#ifndef BERTH_RUNTIME_CGROUP_H
#define BERTH_RUNTIME_CGROUP_H

#include "common/error.h"
#include "oci/resources.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct cgroup_host;
struct cgroup;

/* Where to look; NULLs mean the real host. */
struct cgroup_env {
	const char *mountinfo; /* default /proc/self/mountinfo */
	const char *proc_self_cgroup; /* default /proc/self/cgroup */
	const char *fs_root; /* prefix added to every mount point (fake trees), default "" */
};

/* Detect the layout and the mount point of every controller. */
int cgroup_host_detect(const struct cgroup_env *env, struct cgroup_host **out,
		       struct berth_error **err);
void cgroup_host_free(struct cgroup_host *h);
/* "v1", "hybrid" or "v2" */
const char *cgroup_host_layout(const struct cgroup_host *h);

/* A container's cgroup, from linux.cgroupsPath: absolute paths are taken
 * from each hierarchy's root; relative ones are placed under the runtime's
 * own cgroup (as runc does); NULL means "/berth/<id>" ... see cgroup.c.
 * Nothing is created yet. Validates that resources can be applied on this
 * layout (e.g. "unified" keys on pure v1 is an error naming the key). */
int cgroup_new(struct cgroup_host *h, const char *cgroups_path, const char *id,
	       const struct oci_resources *res, struct cgroup **out, struct berth_error **err);
/* mkdir the cgroup in every hierarchy (remembering which ones it created). */
int cgroup_create(struct cgroup *cg, struct berth_error **err);
/* Write the limits (also used by `update`). */
int cgroup_apply(struct cgroup *cg, const struct oci_resources *res, struct berth_error **err);
/* Move pid into the cgroup (all hierarchies). */
int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct berth_error **err);
/* Pids of every process in the cgroup (recursively). */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct berth_error **err);
/* Freeze (pause) or thaw; waits until the state is reached. */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct berth_error **err);
/* True if frozen (for `state`: paused). */
bool cgroup_is_frozen(struct cgroup *cg);
/* Stats in the shape of runc's `events --stats` "data" object. */
int cgroup_stats(struct cgroup *cg, json_t **out, struct berth_error **err);
/* An fd that becomes readable on an OOM kill in the cgroup (v1: eventfd on
 * memory.oom_control; v2: inotify on memory.events), and a check that
 * consumes the event and says whether the oom_kill count grew. */
int cgroup_oom_fd(struct cgroup *cg, struct berth_error **err);
int cgroup_oom_check(struct cgroup *cg, int fd, bool *oom, struct berth_error **err);
/* Remove what cgroup_create made (retrying while it drains). */
int cgroup_destroy(struct cgroup *cg, struct berth_error **err);

/* Persist in the container state, and find again from it. */
json_t *cgroup_to_json(const struct cgroup *cg);
int cgroup_from_json(struct cgroup_host *h, json_t *j, struct cgroup **out,
		     struct berth_error **err);
/* The cgroup path the container sees (for the state and for inspect). */
const char *cgroup_path(const struct cgroup *cg);
void cgroup_free(struct cgroup *cg);

#endif
