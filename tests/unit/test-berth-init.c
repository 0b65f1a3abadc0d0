/* Tests of cmd/berth-init (docker's --init), run for real: exit codes,
 * 128 + signal, signal forwarding (to the child, -g to its group), zombie
 * reaping as a subreaper (-w reports them), exec failures, usage. */
#include "test-util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* fork+exec berth-init with argv; stderr into *err_fd when non-NULL */
static pid_t start(const char *const *args, int *err_fd)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* signals ignored by whoever runs the tests (nohup, a background
		 * job of a script: SIGHUP, SIGINT, SIGQUIT) stay ignored across
		 * exec, and a shell cannot trap them: the defaults, as in a container */
		for (int s = 1; s < NSIG; s++)
			if (s != SIGKILL && s != SIGSTOP)
				signal(s, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (err_fd)
			dup2(p[1], STDERR_FILENO);
		int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
		dup2(devnull, STDIN_FILENO);
		char *argv[16];
		size_t n = 0;
		argv[n++] = (char *)BERTH_INIT_PATH;
		for (; args[n - 1] && n < 15; n++)
			argv[n] = (char *)args[n - 1];
		argv[n] = NULL;
		execv(BERTH_INIT_PATH, argv);
		_exit(99);
	}
	close(p[1]);
	if (err_fd)
		*err_fd = p[0];
	else
		close(p[0]);
	return pid;
}

static int wait_code(pid_t pid)
{
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	if (!WIFEXITED(st))
		fail_msg("berth-init did not exit normally (status %#x)", st);
	return WEXITSTATUS(st);
}

static int run(const char *const *args)
{
	return wait_code(start(args, NULL));
}

static void msleep(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

static void test_exit_codes(void **state)
{
	(void)state;
	assert_int_equal(run((const char *[]){"--", "/bin/sh", "-c", "exit 7", NULL}), 7);
	assert_int_equal(run((const char *[]){"--", "/bin/sh", "-c", "exit 0", NULL}), 0);
	assert_int_equal(run((const char *[]){"/bin/sh", "-c", "exit 3", NULL}), 3);
	/* killed by a signal: 128 + signal */
	assert_int_equal(run((const char *[]){"--", "/bin/sh", "-c", "kill -9 $$", NULL}), 137);
	assert_int_equal(run((const char *[]){"--", "/bin/sh", "-c", "kill -TERM $$", NULL}), 143);
	/* exec failures */
	assert_int_equal(run((const char *[]){"--", "/nonexistent/cmd", NULL}), 127);
	assert_int_equal(run((const char *[]){"--", "/etc/passwd", NULL}), 126);
	/* usage errors */
	assert_int_equal(run((const char *[]){NULL}), 1);
	assert_int_equal(run((const char *[]){"--", NULL}), 1);
	assert_int_equal(run((const char *[]){"-x", "--", "true", NULL}), 1);
	assert_int_equal(run((const char *[]){"--version", NULL}), 0);
}

static void test_signals_forwarded(void **state)
{
	(void)state;
	static const int sigs[] = {SIGTERM, SIGINT, SIGHUP, SIGUSR1, SIGUSR2, SIGQUIT, SIGWINCH};
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++) {
		char script[256];
		snprintf(script, sizeof(script),
			 "trap 'exit %d' %d; echo ready >&2; while :; do sleep 0.02; done",
			 40 + (int)i, sigs[i]);
		int efd;
		pid_t pid = start((const char *[]){"--", "/bin/sh", "-c", script, NULL}, &efd);
		char buf[16];
		assert_true(read(efd, buf, sizeof(buf)) > 0); /* the trap is set */
		close(efd);
		assert_int_equal(kill(pid, sigs[i]), 0);
		assert_int_equal(wait_code(pid), 40 + (int)i);
	}
	/* an untrapped SIGTERM kills the child: 143 */
	int efd;
	pid_t pid = start(
	    (const char *[]){"--", "/bin/sh", "-c", "echo ready >&2; exec sleep 30", NULL}, &efd);
	char buf[16];
	assert_true(read(efd, buf, sizeof(buf)) > 0);
	close(efd);
	msleep(50);
	assert_int_equal(kill(pid, SIGTERM), 0);
	assert_int_equal(wait_code(pid), 143);
}

/* -g: the whole group gets it, so a grandchild that does not trap it dies
 * too and the shell waiting for it exits with 128 + 15 */
static void test_group_signal(void **state)
{
	(void)state;
	const char *script = "sleep 30 & echo ready >&2; wait $!; exit $?";
	int efd;
	pid_t pid = start((const char *[]){"-g", "--", "/bin/sh", "-c", script, NULL}, &efd);
	char buf[16];
	assert_true(read(efd, buf, sizeof(buf)) > 0);
	close(efd);
	msleep(50);
	time_t t0 = time(NULL);
	assert_int_equal(kill(pid, SIGTERM), 0);
	int code = wait_code(pid);
	assert_true(code == 143);
	assert_true(time(NULL) - t0 < 10);
}

/* orphans reparented to berth-init (a subreaper here, PID 1 in a container)
 * are reaped: none is left a zombie while the child still runs */
static void test_reaps_zombies(void **state)
{
	(void)state;
	const char *script =
	    "for i in 1 2 3 4 5; do (sh -c 'exit 0' &); done; sleep 0.5; "
	    "z=0; for s in /proc/[0-9]*/stat; do read -r l < $s 2>/dev/null || continue; "
	    "case \"$l\" in *\") Z $PPID \"*) z=$((z+1));; esac; done; exit $z";
	assert_int_equal(run((const char *[]){"--", "/bin/sh", "-c", script, NULL}), 0);
	/* -w reports each one it reaped */
	int efd;
	pid_t pid = start((const char *[]){"-w", "--", "/bin/sh", "-c", script, NULL}, &efd);
	assert_int_equal(wait_code(pid), 0);
	char out[4096];
	ssize_t n, total = 0;
	while ((n = read(efd, out + total, sizeof(out) - 1 - (size_t)total)) > 0)
		total += n;
	out[total] = '\0';
	close(efd);
	int reaped = 0;
	for (char *p = out; (p = strstr(p, "reaped zombie process")); p++)
		reaped++;
	assert_true(reaped >= 5);
	/* (without reaping, the script counts 5: checked against a subreaper
	 * that never waits) */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_exit_codes),
	    cmocka_unit_test(test_signals_forwarded),
	    cmocka_unit_test(test_group_signal),
	    cmocka_unit_test(test_reaps_zombies),
	};
	return tu_run("berth-init", tests, ARRAY_SIZE(tests));
}
