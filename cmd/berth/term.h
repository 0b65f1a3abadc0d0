/* The terminal of `run -it`, `attach`, `exec -it`: raw mode on stdin
 * (cfmakeraw, as docker's MakeRaw) restored on every exit path: term_restore()
 * from the caller, an atexit handler, and the handlers of SIGHUP, SIGINT,
 * SIGQUIT and SIGTERM that restore and die of the signal again. Signals for
 * the streaming loop (SIGWINCH, the proxied ones) arrive through a self-pipe
 * (term_signals_fd()). */
#ifndef BERTH_CLI_TERM_H
#define BERTH_CLI_TERM_H

#include <stdbool.h>

/* Put fd (a terminal) in raw mode; 0, or -1 with errno. */
int term_raw(int fd);
/* Restore the mode saved by term_raw(); idempotent, async-signal-safe. */
void term_restore(void);
/* The size of the terminal on fd: 0 and rows/cols, or -1. */
int term_size(int fd, int *rows, int *cols);

/* Catch these signals (0-terminated list) into the self-pipe instead of
 * their default action; returns the pipe's read end (one byte per signal,
 * the signal number). Calling it again adds signals. */
int term_signals_catch(const int *sigs);
/* Back to the default action for these signals. */
void term_signals_release(const int *sigs);
/* The signal's name without SIG ("WINCH", "INT"), for POST kill?signal=. */
const char *term_signal_name(int sig);

#endif
