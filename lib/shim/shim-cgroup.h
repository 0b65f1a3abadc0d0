/* Where a container's cgroup is, for the readers outside the runtime: the
 * shim's OOM watch, berthd's stats and top. One locator for the three host
 * layouts:
 *
 *   v2       /proc/<pid>/cgroup "0::<path>", everything under <root><path>
 *   v1       "N:<ctrl,...>:<path>", the controller under <root>/<ctrls><path>
 *            (or <root>/<ctrl><path> where a co-mount has per-name links)
 *   hybrid   v1 plus a cgroup2 mount at <root>/unified: a controller that no
 *            v1 hierarchy holds and that <root>/unified/cgroup.controllers
 *            lists is read there, the v2 way (e.g. hugetlb)
 *
 * The roots are parameters so that tests run on fake trees. */
#ifndef BERTH_SHIM_CGROUP_H
#define BERTH_SHIM_CGROUP_H

#include <stdbool.h>
#include <sys/types.h>

struct shim_cgroup_env {
	const char *root; /* the cgroupfs mount point; NULL: /sys/fs/cgroup */
	const char *proc; /* procfs; NULL: /proc */
};

/* Whether the host is pure cgroup v2 (<root>/cgroup.controllers exists). */
bool shim_cgroup_is_v2(const struct shim_cgroup_env *env);

/* The directory of pid's cgroup holding controller ("memory", "cpu",
 * "cpuacct", "blkio", "pids", "hugetlb"...; on v2 "io" for "blkio" is the
 * same directory), NULL if pid is gone or no hierarchy holds it. *v2 tells
 * which file names apply there (v2 on a pure v2 host or the hybrid unified
 * mount). Caller frees. */
char *shim_cgroup_dir(const struct shim_cgroup_env *env, pid_t pid, const char *controller,
		      bool *v2);

/* The file whose changes tell of OOM kills in pid's cgroup: memory.events
 * (v2: inotify IN_MODIFY, the "oom_kill" counter) or memory.oom_control (v1:
 * an eventfd in cgroup.event_control); NULL if not found. *cgroup (may be
 * NULL) gets the cgroup's path as /proc/<pid>/cgroup names it. */
char *shim_cgroup_oom_file(const struct shim_cgroup_env *env, pid_t pid, char **cgroup, bool *v2);

/* A non-blocking, close-on-exec fd that polls readable when the OOM state
 * of oom_file's cgroup changes: v2 (a memory.events path) an inotify watch
 * for IN_MODIFY; v1 an eventfd registered in the cgroup's
 * cgroup.event_control for memory.oom_control (a kernel feature: fake trees
 * cannot signal it). -1 with errno on failure. */
int shim_cgroup_oom_fd(const char *oom_file);

/* The "oom_kill" count of memory.events / memory.oom_control; -1 if the file
 * cannot be read or has none. */
long long shim_cgroup_oom_kills(const char *oom_file);

#endif
