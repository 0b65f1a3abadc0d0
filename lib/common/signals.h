/* Signal names and numbers, as `kill` takes them: "KILL", "SIGKILL", "9",
 * "RTMIN+3". */
#ifndef BERTH_COMMON_SIGNALS_H
#define BERTH_COMMON_SIGNALS_H

/* Returns the signal number, or -1 if the name is not a signal. */
int signal_parse(const char *s);
/* "KILL" for 9, NULL if unknown. */
const char *signal_name(int sig);

#endif
