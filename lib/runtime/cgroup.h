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

/* Test seams for fake cgroupfs trees (a temp dir has no kernel behind it).
 * All NULL on a real host. */
struct cgroup_hooks {
	/* after cgroup_create made dir: create the control files a kernel would */
	void (*mkdir)(const char *dir, void *data);
	/* before cgroup_destroy removes dir: delete the control files (a real
	 * cgroup directory can be removed with them in it) */
	void (*rmdir)(const char *dir, void *data);
	/* after each successful write of value to a control file */
	void (*write)(const char *file, const char *value, void *data);
	/* instead of loading the eBPF device program (struct bpf_insn[n]) and
	 * attaching it to dir; returns 0 or -1 */
	int (*bpf_devices)(const char *dir, const void *insns, size_t n, void *data);
	void *data;
};

/* Where to look; NULLs mean the real host. */
struct cgroup_env {
	const char *mountinfo;	      /* default /proc/self/mountinfo */
	const char *proc_self_cgroup; /* default /proc/self/cgroup */
	const char *fs_root; /* prefix added to every mount point (fake trees), default "" */
	const struct cgroup_hooks *hooks; /* NULL on a real host */
};

/* Detect the layout and the mount point of every controller. */
int cgroup_host_detect(const struct cgroup_env *env, struct cgroup_host **out,
		       struct berth_error **err);
void cgroup_host_free(struct cgroup_host *h);
/* "v1", "hybrid" or "v2" */
const char *cgroup_host_layout(const struct cgroup_host *h);

/* A container's cgroup, from linux.cgroupsPath (cleaned like runc does: a
 * ".." cannot climb above the start):
 *   absolute  taken from each hierarchy's root ("/berth-test-1")
 *   relative  under the runtime's own cgroup, as runc does: on v1 the
 *             process's cgroup in each hierarchy, on cgroup2 the parent of
 *             it (a cgroup with processes cannot delegate controllers)
 *   NULL/""   "/berth/<id>": runc would use <own cgroup>/<id>; berth keeps
 *             containers out of the runtime's own (often limited) cgroup.
 * The root cgroup itself is refused. Nothing is created yet. Validates that
 * the resources can be applied on this layout (e.g. "unified" keys on v1
 * are an error naming the key); res may be NULL.
 * The cgroup borrows h: h must outlive it (cgroup_free does not free h). */
int cgroup_new(struct cgroup_host *h, const char *cgroups_path, const char *id,
	       const struct oci_resources *res, struct cgroup **out, struct berth_error **err);
/* mkdir the cgroup in every hierarchy (remembering which directories it
 * created). On cgroup2, refuses "threaded"/"domain threaded"/"domain
 * invalid" cgroups when domain controllers are needed, and enables the
 * controllers the container needs in the ancestors' cgroup.subtree_control
 * (pure v2: every available one, as runc). A path that already exists is
 * joined: never removed by cgroup_destroy. */
int cgroup_create(struct cgroup *cg, struct berth_error **err);
/* Write the limits (also used by `update`: only what res sets is written;
 * memory.checkBeforeUpdate refuses a limit below the current usage). At
 * create, pass what oci_resources_from_spec() gives: it adds runc's default
 * device rules (and linux.devices), without which a config whose rules deny
 * every device (`runc spec`'s) would not even have /dev/null. Unsupported
 * values that runc ignores on this layout (swappiness on v2, kernel memory,
 * net_cls on v2) are logged with log_warn. */
int cgroup_apply(struct cgroup *cg, const struct oci_resources *res, struct berth_error **err);
/* Move pid into the cgroup (every hierarchy, the cgroup2 one of a hybrid
 * host too). */
int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct berth_error **err);
/* Pids of every process in the cgroup (recursively), sorted; *pids to free. */
int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct berth_error **err);
/* Freeze (pause) or thaw; waits until the state is reached (v1 FROZEN in
 * freezer.state, v2 "frozen 1" in cgroup.events; about 10 s at most). */
int cgroup_freeze(struct cgroup *cg, bool frozen, struct berth_error **err);
/* True if frozen (for `state`: paused). */
bool cgroup_is_frozen(struct cgroup *cg);
/* Stats in the shape of runc's `events --stats` "data" object:
 *   {"cpu": {"usage": {"total", "percpu", "kernel", "user"}, "throttling": {...}},
 *    "memory": {"usage": {"usage", "max", "failcnt", "limit"}, "swap", "kernel",
 *               "kernelTCP", "cache", "raw": {memory.stat}},
 *    "pids": {"current", "limit"}, "blkio": {"ioServiceBytesRecursive": [...],
 *    "ioServicedRecursive": [...]}, "hugetlb": {"2MB": {"usage", "max", "failcnt"}}}
 * Zero counters are left out as runc's omitempty does; an unlimited v2
 * limit reads as INT64_MAX. */
int cgroup_stats(struct cgroup *cg, json_t **out, struct berth_error **err);
/* An fd that becomes readable on an OOM kill in the cgroup (v1: eventfd on
 * memory.oom_control; v2: inotify on memory.events), and a check that
 * consumes the event and says whether the oom_kill count grew since the fd
 * was made (or since the last check). The fd is non-blocking and close-on-
 * exec; the caller closes it. A removed cgroup also wakes it (no OOM). */
int cgroup_oom_fd(struct cgroup *cg, struct berth_error **err);
int cgroup_oom_check(struct cgroup *cg, int fd, bool *oom, struct berth_error **err);
/* Remove what cgroup_create made (sub-cgroups the container made inside it
 * first; retrying rmdir on EBUSY for a while as the last tasks exit). A
 * joined cgroup is left alone. */
int cgroup_destroy(struct cgroup *cg, struct berth_error **err);

/* Persist in the container state, and find again from it: the directories
 * as they were made (so a layout change between create and delete, e.g.
 * hugetlb mounted as v1 meanwhile, does not lose them) and which of them
 * cgroup_create made. A directory whose hierarchy is no longer mounted is
 * left alone. h is borrowed as for cgroup_new. */
json_t *cgroup_to_json(const struct cgroup *cg);
int cgroup_from_json(struct cgroup_host *h, json_t *j, struct cgroup **out,
		     struct berth_error **err);
/* The cgroup path the container sees (for the state and for inspect). */
const char *cgroup_path(const struct cgroup *cg);
void cgroup_free(struct cgroup *cg);

#endif
