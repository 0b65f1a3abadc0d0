/* Waiting in the foreground for a container process that is our child
 * (run, exec): signals forwarded, pty relayed, exit code returned. */
#ifndef BERTH_RUNTIME_FOREGROUND_H
#define BERTH_RUNTIME_FOREGROUND_H

#include "common/error.h"

#include <signal.h>
#include <sys/types.h>

/* Block every signal we forward (before the child exists, so none is lost). */
void fg_block_signals(sigset_t *all, sigset_t *old);
/* Receive a pty master sent over sock (SCM_RIGHTS). */
int fg_recv_master(int sock, struct berth_error **err);
/* Wait for pid, forwarding the signals of sigs and relaying master (if >= 0)
 * with stdin/stdout; *code = exit status, or 128+signal. */
int fg_wait(pid_t pid, int master, const sigset_t *sigs, int *code, struct berth_error **err);

#endif
