/* OCI hooks: each one run with the container state JSON on stdin, its own
 * args and env, and an optional timeout after which it is killed. */
#ifndef BERTH_RUNTIME_HOOKS_H
#define BERTH_RUNTIME_HOOKS_H

#include "common/error.h"
#include "oci/spec.h"

/* Run the hooks of one kind in order; stop at the first failure. */
int hooks_run(const struct oci_spec *spec, enum oci_hook_kind kind, const char *state_json,
	      struct berth_error **err);
const char *hooks_kind_name(enum oci_hook_kind kind);
/* The state JSON a hook reads on stdin (caller frees). */
char *hooks_state_json(const char *id, const char *status, pid_t pid, const char *bundle,
		       json_t *annotations);

#endif
