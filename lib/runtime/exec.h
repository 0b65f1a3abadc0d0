/* `exec` of a new process in an existing container. */
#ifndef BERTH_RUNTIME_EXEC_H
#define BERTH_RUNTIME_EXEC_H

#include "oci/spec.h"
#include "runtime/runtime.h"
#include "runtime/state.h"

struct rt_exec_opts {
	const char *id;
	const struct oci_process *process; /* fully built by the caller */
	const char *pid_file;		   /* may be NULL */
	const char *console_socket;	   /* needed with a terminal and detach */
	bool detach;
	bool ignore_paused;
	int preserve_fds;
};

/* Run the process; unless detached, wait and return its exit code. */
int rt_exec(const struct rt_globals *g, const struct rt_exec_opts *o, int *exit_code,
	    struct berth_error **err);
/* The container's configured process: the base that exec flags modify. */
int rt_exec_base_process(const struct rt_globals *g, const char *id, struct oci_process **out,
			 struct berth_error **err);
/* Put pid into the container's cgroup (no-op while cgroups are not set up). */
int rt_exec_join_cgroup(struct rt_container *c, pid_t pid, struct berth_error **err);

#endif
