/* The container process's identity and limits, applied by init just before
 * execve: rlimits, oom_score_adj, user and groups, capabilities,
 * no_new_privs, umask, cwd, and the lookup of args[0]. */
#ifndef BERTH_RUNTIME_PROCESS_H
#define BERTH_RUNTIME_PROCESS_H

#include "common/error.h"
#include "oci/spec.h"

#include <stdbool.h>

int process_set_rlimits(const struct oci_process *p, struct berth_error **err);
int process_set_oom_score_adj(const struct oci_process *p, struct berth_error **err);
/* setgroups/setgid/setuid keeping capabilities, then the five capability
 * sets. setgroups_allowed is false in a user namespace with setgroups denied. */
int process_set_identity(const struct oci_process *p, bool setgroups_allowed,
			 struct berth_error **err);
int process_set_no_new_privs(const struct oci_process *p, struct berth_error **err);
/* args[0] resolved with PATH from the process env; caller frees. */
int process_find_executable(const struct oci_process *p, char **out, struct berth_error **err);
/* What execve needs once the process is set up. */
struct process_exec {
	char *exe;  /* args[0] resolved */
	char **env; /* env plus HOME when missing, or NULL to use p->env */
};

/* Everything between a ready container and execve, in runc's order:
 * oom_score_adj, rlimits, personality, ioPriority, scheduler, the AppArmor
 * profile and SELinux label of the execve (process-attrs.h, lsm.h), cwd,
 * bounding set, user and groups, capabilities, umask, no_new_privs, and the
 * lookup of args[0] (so a missing program fails before the process is
 * reported ready). */
int process_prepare(const struct oci_process *p, bool in_userns, struct process_exec *out,
		    struct berth_error **err);
/* Reset the signal mask, mark fds past 2+preserve_fds close-on-exec, execve.
 * Returns only on failure (errno set). */
void process_exec(struct process_exec *pe, const struct oci_process *p, int preserve_fds);
/* The value of PATH in env, or the default search path. */
const char *process_env_path(char **env);

#endif
