/* Shared between the parent side of create (create.c) and the container's
 * init process (init.c). */
#ifndef BERTH_RUNTIME_CREATE_INTERNAL_H
#define BERTH_RUNTIME_CREATE_INTERNAL_H

#include "oci/spec.h"
#include "runtime/runtime.h"
#include "runtime/seccomp.h"

struct init_ctx {
	const struct oci_spec *spec;
	const struct rt_create_opts *opts;
	const char *rootfs;		       /* absolute */
	const char *bundle;		       /* absolute */
	int sync;			       /* our end of the sync socketpair */
	int fifo;			       /* exec.fifo, read side, O_NONBLOCK */
	const int *ns_fds;		       /* fds of namespaces to join, per spec->namespaces */
	const struct seccomp_program *seccomp; /* NULL: no filter */
	pid_t host_pid;
	bool placed; /* init: SYNC_PLACED received */ /* init's pid in the runtime's pid namespace
							 (set in init) */
};

/* The container's init: set up the container, report READY, wait for start
 * and exec the user process. Never returns. */
__attribute__((noreturn)) void init_main(struct init_ctx *ctx);
/* Load the seccomp filter into this process (init or exec) and send the
 * listener fd, if any, over sync for the parent to pass on. */
int init_load_seccomp(const struct seccomp_program *p, int sync, struct berth_error **err);
/* The compiled linux.seccomp of spec (cached under the runtime root); *out
 * NULL when the config has none. */
int rt_seccomp_for_spec(const struct rt_globals *g, const struct oci_spec *spec,
			struct seccomp_program **out, struct berth_error **err);
/* Report an error to the parent and exit. */
__attribute__((noreturn)) void init_fail(const struct init_ctx *ctx, struct berth_error *err);

#endif
