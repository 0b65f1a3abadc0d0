/* ps [--format table|json] <container-id> [ps options]: the container's
 * processes; table runs the host's ps (default -ef) and keeps their lines. */
#include "cmd.h"
#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/control.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static bool has_pid(const pid_t *pids, size_t n, long p)
{
	for (size_t i = 0; i < n; i++)
		if (pids[i] == p)
			return true;
	return false;
}

/* Run ps with args, print the header and the lines of our pids. */
static int table(char **ps_args, int n_args, const pid_t *pids, size_t n, struct berth_error **err)
{
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return berth_error_errno(err, "ps: pipe");
	pid_t child = fork();
	if (child < 0)
		return berth_error_errno(err, "ps: fork");
	if (child == 0) {
		dup2(pfd[1], 1);
		char **argv = xcalloc((size_t)n_args + 2, sizeof(char *));
		argv[0] = "ps";
		for (int i = 0; i < n_args; i++)
			argv[i + 1] = ps_args[i];
		if (n_args == 0)
			argv[1] = "-ef";
		execvp("ps", argv);
		_exit(127);
	}
	close(pfd[1]);
	cleanup_fclose FILE *f = fdopen(pfd[0], "r");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	int pid_col = -1;
	while (f && getline(&line, &cap, f) > 0) {
		cleanup_free char *copy = xstrdup(line);
		char *save = NULL;
		int col = 0;
		long pid = -1;
		for (char *t = strtok_r(copy, " \t\n", &save); t;
		     t = strtok_r(NULL, " \t\n", &save), col++) {
			if (pid_col < 0 && strcmp(t, "PID") == 0) {
				pid_col = col;
				break;
			}
			if (col == pid_col) {
				pid = strtol(t, NULL, 10);
				break;
			}
		}
		if (pid_col >= 0 && (pid < 0 ? col == pid_col : has_pid(pids, n, pid)))
			fputs(line, stdout);
	}
	int st;
	waitpid(child, &st, 0);
	if (pid_col < 0)
		return berth_error_set(err, EINVAL, "ps: no PID column in the output of ps");
	return 0;
}

int cmd_ps(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {NULL, 0, NULL, 0}};
	const char *format = "table";
	int opt;
	while ((opt = getopt_long_only(argc, argv, "+f:", opts, NULL)) != -1) {
		if (opt != 'f')
			return berth_error_set(err, EINVAL, "ps: flag provided but not defined: %s",
					       argv[optind - 1]);
		format = optarg;
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return berth_error_set(err, EINVAL, "ps: invalid format \"%s\" (table or json)",
				       format);
	if (optind >= argc)
		return berth_error_set(err, EINVAL, "ps: a container id is required");
	const char *id = argv[optind++];
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	if (rt_ps(&c->g, id, &pids, &n, err) < 0)
		return -1;
	if (strcmp(format, "json") == 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < n; i++)
			json_array_append_new(a, json_integer(pids[i]));
		char *s = json_dumps(a, JSON_COMPACT);
		puts(s ? s : "[]");
		free(s);
		json_decref(a);
		return 0;
	}
	return table(argv + optind, argc - optind, pids, n, err) < 0 ? -1 : 0;
}
