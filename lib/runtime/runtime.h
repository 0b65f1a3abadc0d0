/* berth-runtime's library API: one container from one OCI bundle, runc's
 * verbs. Callable in-process (the shim may use it instead of exec'ing the
 * binary). Nothing here prints or exits; errors follow common/error.h. */
#ifndef BERTH_RUNTIME_RUNTIME_H
#define BERTH_RUNTIME_RUNTIME_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct rt_globals {
	const char *root; /* state directory, e.g. /run/berth-runtime */
	bool systemd_cgroup;
};

struct rt_create_opts {
	const char *id;
	const char *bundle;
	const char *pid_file;	    /* may be NULL */
	const char *console_socket; /* may be NULL */
	int console_fd;		    /* already connected console socket, or -1 */
	bool no_pivot;
	bool no_new_keyring;
	int preserve_fds;
};

int rt_create(const struct rt_globals *g, const struct rt_create_opts *o, pid_t *pid,
	      struct berth_error **err);
int rt_start(const struct rt_globals *g, const char *id, struct berth_error **err);
int rt_state(const struct rt_globals *g, const char *id, json_t **out, struct berth_error **err);
/* Array of state objects, sorted by id. */
int rt_list(const struct rt_globals *g, json_t **out, struct berth_error **err);
int rt_kill(const struct rt_globals *g, const char *id, int sig, bool all,
	    struct berth_error **err);
int rt_delete(const struct rt_globals *g, const char *id, bool force, struct berth_error **err);

struct rt_run_opts {
	struct rt_create_opts create;
	bool detach;
};
/* create + start; unless detached, wait forwarding signals, delete, and
 * return the exit code (128+signal if killed) in *exit_code. */
int rt_run(const struct rt_globals *g, const struct rt_run_opts *o, int *exit_code,
	   struct berth_error **err);

/* CVE-2019-5736: make sure the running binary is a sealed memfd copy, so no
 * process in a container can write the runtime on the host through
 * /proc/<pid>/exe. Re-executes itself if needed (returns only on error). */
int rt_ensure_sealed_exe(char **argv, struct berth_error **err);

#endif
