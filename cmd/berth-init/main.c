/* berth-init: docker's --init (mounted at /sbin/docker-init, run as the
 * container's PID 1 as "docker-init -- cmd args...").
 *
 * Starts the command as its child in a process group of its own (the
 * terminal's foreground group when stdin is a tty), forwards every signal
 * it can catch to the child (-g: to the child's process group), reaps every
 * zombie (orphans are reparented to PID 1, or to us as a subreaper when we
 * are not PID 1), and exits with the child's exit code, or 128 + the signal
 * that killed it. Statically linked, no allocation after start, no busy
 * loop: sigtimedwait on every signal. Same options as tini for the part
 * docker uses: -g, -s, -v, -w. */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define VERSION "0.1.0"

struct opts {
	bool group;	/* -g: signal the child's process group */
	bool subreaper; /* -s: be a subreaper (implied when not PID 1) */
	int verbose;	/* -v (repeatable) */
	bool warn_reap; /* -w: warn when reaping zombies that were not the child */
	char **argv;
};

static int verbose;

#define LOG(level, ...)                                                                            \
	do {                                                                                       \
		if (verbose >= (level)) {                                                          \
			fprintf(stderr, "[berth-init] " __VA_ARGS__);                              \
			fputc('\n', stderr);                                                       \
		}                                                                                  \
	} while (0)

static void usage(FILE *f)
{
	fprintf(f, "Usage: berth-init [-g] [-s] [-v] [-w] [--] PROGRAM [ARGS...]\n"
		   "Runs PROGRAM as its child, forwards signals to it, reaps zombies and exits\n"
		   "with its exit code (128 + signal when a signal killed it).\n"
		   "  -g  send signals to the child's process group\n"
		   "  -s  register as a process subreaper (automatic when not PID 1)\n"
		   "  -v  more verbose (repeat for more)\n"
		   "  -w  print a warning when reaping zombies other than the child\n"
		   "  -h  this help; --version: the version\n");
}

static int parse(int argc, char **argv, struct opts *o)
{
	int i = 1;
	for (; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "--version") == 0) {
			printf("berth-init version %s\n", VERSION);
			exit(0);
		}
		if (a[0] != '-' || a[1] == '\0')
			break;
		for (const char *c = a + 1; *c; c++) {
			switch (*c) {
			case 'g':
				o->group = true;
				break;
			case 's':
				o->subreaper = true;
				break;
			case 'v':
				o->verbose++;
				break;
			case 'w':
				o->warn_reap = true;
				break;
			case 'h':
				usage(stdout);
				exit(0);
			case 'l': /* tini's license flag: nothing to show */
				exit(0);
			default:
				fprintf(stderr, "berth-init: unknown option -%c\n", *c);
				usage(stderr);
				return -1;
			}
		}
	}
	if (i >= argc) {
		usage(stderr);
		return -1;
	}
	o->argv = argv + i;
	return 0;
}

/* signals we leave alone: the synchronous ones (a fault in berth-init
 * itself must not be swallowed) and the ones that cannot be caught */
static bool synchronous(int sig)
{
	return sig == SIGFPE || sig == SIGILL || sig == SIGSEGV || sig == SIGBUS ||
	       sig == SIGABRT || sig == SIGTRAP || sig == SIGSYS || sig == SIGKILL ||
	       sig == SIGSTOP;
}

static pid_t spawn(char **argv, const sigset_t *parent_mask, const struct sigaction *ttin,
		   const struct sigaction *ttou)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	/* its own process group, the terminal's foreground one when there is one */
	if (setpgid(0, 0) < 0)
		fprintf(stderr, "berth-init: setpgid: %s\n", strerror(errno));
	if (isatty(STDIN_FILENO) && tcsetpgrp(STDIN_FILENO, getpgrp()) < 0 && errno != ENOTTY)
		LOG(1, "tcsetpgrp: %s", strerror(errno));
	sigaction(SIGTTIN, ttin, NULL);
	sigaction(SIGTTOU, ttou, NULL);
	sigprocmask(SIG_SETMASK, parent_mask, NULL);
	execvp(argv[0], argv);
	int e = errno;
	fprintf(stderr, "berth-init: exec %s failed: %s\n", argv[0], strerror(e));
	_exit(e == ENOENT ? 127 : 126);
}

/* Reap everything that has exited; returns true once the child has. */
static bool reap(pid_t child, int *code, bool warn)
{
	bool done = false;
	for (;;) {
		int st;
		pid_t p = waitpid(-1, &st, WNOHANG);
		if (p <= 0)
			break;
		if (p != child) {
			if (warn)
				fprintf(stderr, "[berth-init] reaped zombie process %d\n", (int)p);
			else
				LOG(2, "reaped zombie process %d", (int)p);
			continue;
		}
		if (WIFEXITED(st))
			*code = WEXITSTATUS(st);
		else if (WIFSIGNALED(st))
			*code = 128 + WTERMSIG(st);
		else
			continue;
		LOG(1, "main child %d exited with %d", (int)p, *code);
		done = true;
	}
	return done;
}

int main(int argc, char **argv)
{
	struct opts o = {0};
	if (parse(argc, argv, &o) < 0)
		return 1;
	verbose = o.verbose;
	if (o.subreaper || getpid() != 1) {
		if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
			fprintf(stderr,
				"berth-init: PR_SET_CHILD_SUBREAPER: %s: zombies may not be "
				"reaped\n",
				strerror(errno));
	}
	/* every catchable asynchronous signal is blocked and taken with sigtimedwait */
	sigset_t all, old;
	sigfillset(&all);
	for (int s = 1; s < NSIG; s++)
		if (synchronous(s))
			sigdelset(&all, s);
	if (sigprocmask(SIG_SETMASK, &all, &old) < 0) {
		fprintf(stderr, "berth-init: sigprocmask: %s\n", strerror(errno));
		return 1;
	}
	/* background process-group reads/writes of the terminal must not stop us */
	struct sigaction ign = {.sa_handler = SIG_IGN}, ttin, ttou;
	sigaction(SIGTTIN, &ign, &ttin);
	sigaction(SIGTTOU, &ign, &ttou);
	pid_t child = spawn(o.argv, &old, &ttin, &ttou);
	if (child < 0) {
		fprintf(stderr, "berth-init: fork: %s\n", strerror(errno));
		return 1;
	}
	/* also here: no window where the group does not exist yet for -g */
	setpgid(child, child);
	LOG(1, "spawned %s as %d", o.argv[0], (int)child);
	int code = 0;
	for (;;) {
		siginfo_t si;
		struct timespec ts = {.tv_sec = 1};
		int sig = sigtimedwait(&all, &si, &ts);
		if (sig < 0 && errno != EAGAIN && errno != EINTR) {
			fprintf(stderr, "berth-init: sigtimedwait: %s\n", strerror(errno));
			return 1;
		}
		if (sig > 0 && sig != SIGCHLD) {
			LOG(1, "passing signal %d (%s) to %s%d", sig, strsignal(sig),
			    o.group ? "group " : "", (int)child);
			if (kill(o.group ? -child : child, sig) < 0 && errno != ESRCH)
				fprintf(stderr, "berth-init: kill %d: %s\n", (int)child,
					strerror(errno));
		}
		/* reap on SIGCHLD and on every wake-up (a coalesced SIGCHLD is not lost) */
		if (reap(child, &code, o.warn_reap))
			return code;
	}
}
