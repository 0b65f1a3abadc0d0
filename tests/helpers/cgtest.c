/* cgtest: drive lib/runtime/cgroup.h on the real host, for
 * tests/integration/cgroups.bats. Not installed.
 *
 *   cgtest layout                          print the detected layout
 *   cgtest create PATH RES.json STATE      cgroup_new + create + apply; STATE = cgroup_to_json
 *   cgtest apply STATE RES.json            cgroup_apply (update)
 *   cgtest spawn STATE CMD...              fork CMD (stdout/stderr to /dev/null), placed
 *                                          in the cgroup before it runs; prints its
 *                                          pid; does not wait
 *   cgtest pids STATE | stats STATE | frozen STATE
 *   cgtest freeze STATE | thaw STATE
 *   cgtest oom STATE CMD...                run CMD in the cgroup, wait, then report
 *                                          {"oom":bool,"status":N,"signal":N}
 *   cgtest destroy STATE
 *   cgtest eat MB                          allocate and touch MB MiB, then sleep
 *   cgtest open [w:]PATH...                open each path (w: for writing): "PATH ok" or
 *                                          "PATH EPERM"
 *   cgtest bpf DIR RES.json CMD...         mkdir DIR on a cgroup2 mount, attach the eBPF
 *                                          device program for RES.devices, run CMD in
 *                                          DIR, rmdir DIR; exit with CMD's status
 * Every error goes to stderr with exit status 1. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(struct berth_error *err)
{
	fprintf(stderr, "cgtest: %s\n", err ? err->msg : "failed");
	berth_error_free(&err);
	return 1;
}

static int load_resources(const char *file, struct oci_resources **out, struct berth_error **err)
{
	json_error_t je;
	cleanup_json json_t *j = json_load_file(file, 0, &je);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "%s: %s", file, je.text);
	return oci_resources_parse(j, out, err);
}

/* The cgroup saved in STATE, and its host (both to free). */
static int load_state(const char *file, struct cgroup_host **h, struct cgroup **cg,
		      struct berth_error **err)
{
	json_error_t je;
	cleanup_json json_t *j = json_load_file(file, 0, &je);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "%s: %s", file, je.text);
	if (cgroup_host_detect(NULL, h, err) < 0)
		return -1;
	if (cgroup_from_json(*h, j, cg, err) < 0) {
		cgroup_host_free(*h);
		return -1;
	}
	return 0;
}

static int save_state(const char *file, struct cgroup *cg, struct berth_error **err)
{
	cleanup_json json_t *j = cgroup_to_json(cg);
	if (json_dump_file(j, file, JSON_INDENT(2)) < 0)
		return berth_error_set(err, EIO, "write %s", file);
	return 0;
}

static int cmd_create(char **argv, struct berth_error **err)
{
	struct oci_resources *res = NULL;
	struct cgroup_host *h = NULL;
	struct cgroup *cg = NULL;
	int ret = -1;
	if (load_resources(argv[1], &res, err) < 0 || cgroup_host_detect(NULL, &h, err) < 0 ||
	    cgroup_new(h, argv[0], "cgtest", res, &cg, err) < 0 || cgroup_create(cg, err) < 0)
		goto out;
	if (cgroup_apply(cg, res, err) < 0 || save_state(argv[2], cg, err) < 0) {
		struct berth_error *e = NULL;
		cgroup_destroy(cg, &e);
		berth_error_free(&e);
		goto out;
	}
	printf("%s\n", cgroup_path(cg));
	ret = 0;
out:
	cgroup_free(cg);
	cgroup_host_free(h);
	oci_resources_free(res);
	return ret;
}

/* fork CMD; the child waits on a pipe until the parent placed it. */
static pid_t spawn(struct cgroup *cg, char **cmd, bool detach, struct berth_error **err)
{
	int p[2];
	if (pipe2(p, O_CLOEXEC) < 0)
		return berth_error_errno(err, "pipe");
	pid_t pid = fork();
	if (pid < 0)
		return berth_error_errno(err, "fork");
	if (pid == 0) {
		char c;
		close(p[1]);
		/* detached: do not hold the caller's stdout/stderr (a $(...) or
		 * bats `run` pipe) open */
		int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (detach && null >= 0) {
			dup2(null, 1);
			dup2(null, 2);
		}
		if (read(p[0], &c, 1) != 1)
			_exit(126);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	close(p[0]);
	if (cgroup_add_pid(cg, pid, err) < 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		close(p[1]);
		return -1;
	}
	if (write(p[1], "x", 1) != 1)
		return berth_error_errno(err, "start child");
	close(p[1]);
	return pid;
}

static int cmd_oom(struct cgroup *cg, char **cmd, struct berth_error **err)
{
	cleanup_close int fd = cgroup_oom_fd(cg, err);
	if (fd < 0)
		return -1;
	pid_t pid = spawn(cg, cmd, false, err);
	if (pid < 0)
		return -1;
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* the notification may trail the exit a little */
	struct pollfd pfd = {.fd = fd, .events = POLLIN};
	poll(&pfd, 1, 2000);
	bool oom;
	if (cgroup_oom_check(cg, fd, &oom, err) < 0)
		return -1;
	printf("{\"oom\":%s,\"status\":%d,\"signal\":%d}\n", oom ? "true" : "false",
	       WIFEXITED(status) ? WEXITSTATUS(status) : -1,
	       WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return 0;
}

static int cmd_simple(const char *what, struct cgroup *cg, struct berth_error **err)
{
	if (strcmp(what, "freeze") == 0 || strcmp(what, "thaw") == 0)
		return cgroup_freeze(cg, what[0] == 'f', err);
	if (strcmp(what, "frozen") == 0) {
		printf("%s\n", cgroup_is_frozen(cg) ? "frozen" : "thawed");
		return 0;
	}
	if (strcmp(what, "destroy") == 0)
		return cgroup_destroy(cg, err);
	if (strcmp(what, "pids") == 0) {
		cleanup_free pid_t *pids = NULL;
		size_t n;
		if (cgroup_pids(cg, &pids, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			printf("%d\n", (int)pids[i]);
		return 0;
	}
	if (strcmp(what, "stats") == 0) {
		cleanup_json json_t *s = NULL;
		if (cgroup_stats(cg, &s, err) < 0)
			return -1;
		cleanup_free char *d = json_dumps(s, JSON_SORT_KEYS);
		printf("%s\n", d);
		return 0;
	}
	return berth_error_set(err, EINVAL, "unknown command %s", what);
}

static int cmd_state(int argc, char **argv, struct berth_error **err)
{
	struct cgroup_host *h = NULL;
	struct cgroup *cg = NULL;
	if (argc < 3)
		return berth_error_set(err, EINVAL, "usage: cgtest %s STATE ...", argv[1]);
	if (load_state(argv[2], &h, &cg, err) < 0)
		return -1;
	int ret;
	if (strcmp(argv[1], "spawn") == 0 || strcmp(argv[1], "oom") == 0) {
		if (argc < 4) {
			ret =
			    berth_error_set(err, EINVAL, "usage: cgtest %s STATE CMD...", argv[1]);
		} else if (argv[1][0] == 'o') {
			ret = cmd_oom(cg, argv + 3, err);
		} else {
			pid_t pid = spawn(cg, argv + 3, true, err);
			ret = pid < 0 ? -1 : 0;
			if (pid > 0)
				printf("%d\n", (int)pid);
		}
	} else if (strcmp(argv[1], "apply") == 0) {
		struct oci_resources *res = NULL;
		ret = argc < 4 ? berth_error_set(err, EINVAL, "usage: cgtest apply STATE RES.json")
			       : load_resources(argv[3], &res, err);
		if (ret == 0)
			ret = cgroup_apply(cg, res, err);
		oci_resources_free(res);
	} else {
		ret = cmd_simple(argv[1], cg, err);
	}
	cgroup_free(cg);
	cgroup_host_free(h);
	return ret;
}

static int cmd_eat(const char *mb)
{
	size_t n = strtoul(mb, NULL, 10) << 20;
	char *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return 1;
	for (size_t i = 0; i < n; i += 4096)
		p[i] = 1;
	printf("ate %s MiB\n", mb);
	fflush(stdout);
	pause();
	return 0;
}

static int cmd_open(int argc, char **argv)
{
	for (int i = 2; i < argc; i++) {
		/* "w:PATH" opens for writing */
		bool w = strncmp(argv[i], "w:", 2) == 0;
		int fd = open(argv[i] + (w ? 2 : 0), (w ? O_WRONLY : O_RDONLY) | O_CLOEXEC);
		printf("%s %s\n", argv[i], fd >= 0 ? "ok" : strerrorname_np(errno));
		if (fd >= 0)
			close(fd);
	}
	return 0;
}

/* mkdir DIR, attach the device program, run CMD inside, rmdir DIR. */
static int cmd_bpf(char **argv, char **cmd, struct berth_error **err)
{
	const char *dir = argv[0];
	struct oci_resources *res = NULL;
	if (load_resources(argv[1], &res, err) < 0)
		return -1;
	struct cgroup_dev_state st;
	int r = cgroup_devices_emulate(res->devices, res->n_devices, &st, err);
	oci_resources_free(res);
	if (r < 0)
		return -1;
	size_t n;
	cleanup_free struct bpf_insn *prog = cgroup_bpf_devices_program(&st, &n);
	cgroup_dev_state_release(&st);
	if (mkdir(dir, 0755) < 0)
		return berth_error_errno(err, "mkdir %s", dir);
	int status = -1;
	if (cgroup_bpf_devices_install(NULL, dir, prog, n, true, err) == 0) {
		pid_t pid = fork();
		if (pid == 0) {
			cleanup_free char *procs = xasprintf("%s/cgroup.procs", dir);
			struct berth_error *e = NULL;
			if (fs_write_string(procs, "0", &e) < 0)
				_exit(fail(e) + 125);
			execvp(cmd[0], cmd);
			_exit(127);
		}
		while (pid > 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
	}
	for (int i = 0; i < 100 && rmdir(dir) < 0 && errno == EBUSY; i++)
		usleep(20000);
	if (status < 0)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(int argc, char **argv)
{
	struct berth_error *err = NULL;
	if (argc < 2) {
		fprintf(stderr, "usage: cgtest COMMAND ... (see tests/helpers/cgtest.c)\n");
		return 2;
	}
	const char *c = argv[1];
	if (strcmp(c, "layout") == 0) {
		struct cgroup_host *h = NULL;
		if (cgroup_host_detect(NULL, &h, &err) < 0)
			return fail(err);
		printf("%s\n", cgroup_host_layout(h));
		cgroup_host_free(h);
		return 0;
	}
	if (strcmp(c, "eat") == 0 && argc == 3)
		return cmd_eat(argv[2]);
	if (strcmp(c, "open") == 0)
		return cmd_open(argc, argv);
	if (strcmp(c, "create") == 0)
		return argc == 5 && cmd_create(argv + 2, &err) == 0 ? 0 : fail(err);
	if (strcmp(c, "bpf") == 0) {
		if (argc < 5)
			return fail(err);
		int r = cmd_bpf(argv + 2, argv + 4, &err);
		return r < 0 ? fail(err) : r;
	}
	if (cmd_state(argc, argv, &err) < 0)
		return fail(err);
	return 0;
}
