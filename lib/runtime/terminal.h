/* process.terminal: the pty of the container and the --console-socket
 * through which the caller receives its master side (SCM_RIGHTS). */
#ifndef BERTH_RUNTIME_TERMINAL_H
#define BERTH_RUNTIME_TERMINAL_H

#include "common/error.h"
#include "oci/spec.h"

/* Open a new pty from /dev/ptmx (the container's, once inside its rootfs).
 * Returns the master fd and the slave's path; sets consoleSize. */
int terminal_open(const struct oci_process *p, int *master, char **slave_path,
		  struct berth_error **err);
/* New session, slave as controlling terminal and as fds 0, 1 and 2. */
int terminal_become_controlled(const char *slave_path, struct berth_error **err);
/* Connect to a unix socket at path (for --console-socket). */
int terminal_connect_socket(const char *path, struct berth_error **err);

#endif
