#include "common/signals.h"

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
	const char *name;
	int sig;
} table[] = {
    {"HUP", SIGHUP},	   {"INT", SIGINT},	{"QUIT", SIGQUIT}, {"ILL", SIGILL},
    {"TRAP", SIGTRAP},	   {"ABRT", SIGABRT},	{"IOT", SIGIOT},   {"BUS", SIGBUS},
    {"FPE", SIGFPE},	   {"KILL", SIGKILL},	{"USR1", SIGUSR1}, {"SEGV", SIGSEGV},
    {"USR2", SIGUSR2},	   {"PIPE", SIGPIPE},	{"ALRM", SIGALRM}, {"TERM", SIGTERM},
    {"STKFLT", SIGSTKFLT}, {"CHLD", SIGCHLD},	{"CLD", SIGCHLD},  {"CONT", SIGCONT},
    {"STOP", SIGSTOP},	   {"TSTP", SIGTSTP},	{"TTIN", SIGTTIN}, {"TTOU", SIGTTOU},
    {"URG", SIGURG},	   {"XCPU", SIGXCPU},	{"XFSZ", SIGXFSZ}, {"VTALRM", SIGVTALRM},
    {"PROF", SIGPROF},	   {"WINCH", SIGWINCH}, {"IO", SIGIO},	   {"POLL", SIGPOLL},
    {"PWR", SIGPWR},	   {"SYS", SIGSYS},
};

static int parse_number(const char *s)
{
	if (*s == '\0')
		return -1;
	char *end;
	long v = strtol(s, &end, 10);
	if (*end != '\0' || v < 0 || v > 64)
		return -1;
	return (int)v;
}

int signal_parse(const char *s)
{
	if (s == NULL || *s == '\0')
		return -1;
	if (*s >= '0' && *s <= '9') {
		int v = parse_number(s);
		return v > 0 && v < NSIG ? v : -1;
	}
	const char *n = strncasecmp(s, "SIG", 3) == 0 ? s + 3 : s;
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasecmp(table[i].name, n) == 0)
			return table[i].sig;
	if (strncasecmp(n, "RTMIN", 5) == 0 || strncasecmp(n, "RTMAX", 5) == 0) {
		bool min = strncasecmp(n, "RTMIN", 5) == 0;
		const char *rest = n + 5;
		int off = 0;
		if (*rest == '+' || *rest == '-') {
			off = parse_number(rest + 1);
			if (off < 0)
				return -1;
			if (*rest == '-')
				off = -off;
		} else if (*rest != '\0') {
			return -1;
		}
		int sig = (min ? SIGRTMIN : SIGRTMAX) + off;
		return sig >= SIGRTMIN && sig <= SIGRTMAX ? sig : -1;
	}
	return -1;
}

const char *signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].sig == sig)
			return table[i].name;
	return NULL;
}
