/* docker's stats pieces (cpu_stats, memory_stats, blkio_stats, pids_stats)
 * and top's pid list from a container's cgroup, on v1, hybrid and v2 hosts
 * (each controller read the way its hierarchy names its files). The cgroup
 * and proc roots are parameters: tests/unit/test-ctr-cgroup.c runs these on
 * fake trees. */
#ifndef BERTH_ENGINE_API_CONTAINERS_STATS_H
#define BERTH_ENGINE_API_CONTAINERS_STATS_H

#include "shim/shim-cgroup.h"

#include <jansson.h>
#include <stdint.h>
#include <sys/types.h>

struct ctrstats_sample {
	int64_t read_ns; /* 0: none (not running) */
	json_t *cpu;	 /* cpu_stats */
	json_t *mem;	 /* memory_stats */
	json_t *blkio;	 /* blkio_stats */
	json_t *pids;	 /* pids_stats */
};

void ctrstats_sample_clear(struct ctrstats_sample *s);

/* A sample of the container whose init is pid (env NULL: the real host), or
 * dockerd's zero one when pid <= 0. */
void ctrstats_take(const struct shim_cgroup_env *env, pid_t pid, struct ctrstats_sample *s);

/* An all-zero cpu_stats (precpu_stats of a first sample). */
json_t *ctrstats_empty_cpu(void);

/* The pids in the cgroup of init and the cgroups below it (pids
 * controller, else memory); just init when the cgroup cannot be read. *n
 * the count; caller frees. */
pid_t *ctrstats_pids(const struct shim_cgroup_env *env, pid_t init, size_t *n);

#endif
