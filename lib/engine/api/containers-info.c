/* What runs in a container and what it uses:
 *
 *   GET /containers/{name}/top?ps_args=   docker's: ps (default -ef) runs on
 *       the host, the rows whose PID is in the container's cgroup are kept:
 *       {"Titles":[...],"Processes":[[...], ...]}
 *   GET /containers/{name}/stats?stream=&one-shot=   docker's stats object
 *       from the container's cgroup (v1: cpuacct, cpu, memory, blkio, pids;
 *       v2: cpu.stat, memory.*, io.stat, pids.current). stream=1: one object
 *       a second, each with the previous sample as precpu_stats; stream=0:
 *       two samples a second apart, the second sent; one-shot: one sample.
 *
 * The cgroup is found from the container's init: /proc/<pid>/cgroup; the
 * reading is in containers-stats.c (v1, hybrid and v2 hosts). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "engine/api/containers-internal.h"
#include "engine/api/containers-stats.h"
#include "engine/containers/container.h"
#include "engine/engine.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* Run ps with argv, its stdout in *out; the exit status, -1 if it could not
 * run. */
static int run_ps(char **argv, char **out, char **errout)
{
	int po[2], pe[2];
	if (pipe2(po, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawnattr_t at;
	posix_spawnattr_init(&at);
	sigset_t none;
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&at, &none);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK);
	pid_t pid;
	int rc = posix_spawnp(&pid, "ps", &fa, &at, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	close(po[1]);
	close(pe[1]);
	if (rc != 0) {
		close(po[0]);
		close(pe[0]);
		errno = rc;
		return -1;
	}
	size_t len[2] = {0, 0}, cap[2] = {4096, 1024};
	char *buf[2] = {xmalloc(cap[0]), xmalloc(cap[1])};
	struct pollfd pf[2] = {{po[0], POLLIN, 0}, {pe[0], POLLIN, 0}};
	int open_fds = 2;
	while (open_fds > 0) {
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || pf[i].revents == 0)
				continue;
			if (len[i] + 4096 > cap[i]) {
				cap[i] *= 2;
				buf[i] = xrealloc(buf[i], cap[i]);
			}
			ssize_t r = read(pf[i].fd, buf[i] + len[i], cap[i] - len[i] - 1);
			if (r <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			} else {
				len[i] += (size_t)r;
			}
		}
	}
	for (int i = 0; i < 2; i++)
		if (pf[i].fd >= 0)
			close(pf[i].fd);
	buf[0][len[0]] = '\0';
	buf[1][len[1]] = '\0';
	*out = buf[0];
	*errout = buf[1];
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static char **split_ws(const char *s, size_t *n)
{
	char **v = NULL;
	*n = 0;
	const char *p = s;
	while (*p) {
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		const char *b = p;
		while (*p && *p != ' ' && *p != '\t')
			p++;
		v = xrealloc(v, (*n + 2) * sizeof(char *));
		v[(*n)++] = xasprintf("%.*s", (int)(p - b), b);
		v[*n] = NULL;
	}
	return v;
}

static void strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* docker's parsePSOutput: titles from the first line, rows whose PID is the
 * container's (and the thread lines after them), overhanging fields joined
 * into the last column. */
static int parse_ps(const char *out, const pid_t *pids, size_t npids, json_t **res,
		    struct berth_error **err)
{
	cleanup_free char *copy = xstrdup(out);
	char *save = NULL;
	char *first = strtok_r(copy, "\n", &save);
	size_t nt = 0;
	char **titles = split_ws(first ? first : "", &nt);
	size_t pid_idx = nt;
	for (size_t i = 0; i < nt; i++)
		if (strcmp(titles[i], "PID") == 0) {
			pid_idx = i;
			break;
		}
	if (pid_idx == nt) {
		strv_free(titles);
		return berth_error_set(err, EINVAL, "Couldn't find PID field in ps output");
	}
	json_t *jt = json_array();
	for (size_t i = 0; i < nt; i++)
		json_array_append_new(jt, json_string(titles[i]));
	json_t *procs = json_array();
	bool prev = false;
	for (char *l = strtok_r(NULL, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		size_t nf = 0;
		char **fields = split_ws(l, &nf);
		if (nf <= pid_idx) {
			strv_free(fields);
			continue;
		}
		char *end;
		long p = strtol(fields[pid_idx], &end, 10);
		bool keep = false;
		if (*end != '\0') {
			keep = prev;
		} else {
			prev = false;
			for (size_t i = 0; i < npids && !keep; i++)
				keep = pids[i] == (pid_t)p;
			prev = keep;
		}
		if (keep && nf >= nt) {
			json_t *row = json_array();
			for (size_t i = 0; i + 1 < nt; i++)
				json_array_append_new(row, json_string(fields[i]));
			size_t cap = 1;
			for (size_t i = nt - 1; i < nf; i++)
				cap += strlen(fields[i]) + 1;
			cleanup_free char *last = xcalloc(1, cap);
			for (size_t i = nt - 1; i < nf; i++) {
				if (i > nt - 1)
					strcat(last, " ");
				strcat(last, fields[i]);
			}
			json_array_append_new(row, json_string(last));
			json_array_append_new(procs, row);
		}
		strv_free(fields);
	}
	strv_free(titles);
	*res = json_pack("{s:o,s:o}", "Processes", procs, "Titles", jt);
	return 0;
}

static int running_pid(struct engine *e, const char *ref, struct container **out, pid_t *pid,
		       struct berth_error **err)
{
	if (ctr_find(e, ref, out, err) < 0)
		return -1;
	struct ctr_state st;
	ctr_state_get(*out, &st);
	bool running = (st.status == CTR_RUNNING || st.status == CTR_PAUSED) && st.pid > 0;
	bool restarting = st.status == CTR_RESTARTING;
	*pid = st.pid;
	ctr_state_clear(&st);
	if (restarting || !running) {
		int rc = restarting ? berth_error_set(err, EBUSY,
						      "Container %s is restarting, wait until the "
						      "container is running",
						      (*out)->id)
				    : berth_error_set(err, EBUSY, "Container %s is not running",
						      (*out)->id);
		ctr_unref(*out);
		*out = NULL;
		return rc;
	}
	return 0;
}

static int containers_top(struct api_request *req, struct api_response *resp,
			  struct berth_error **err)
{
	struct engine *e = req->ctx;
	const char *ps_args = api_query(req, "ps_args");
	if (ps_args == NULL || ps_args[0] == '\0')
		ps_args = "-ef";
	struct container *c = NULL;
	pid_t init;
	if (running_pid(e, api_param(req, "name"), &c, &init, err) < 0)
		return -1;
	size_t npids = 0;
	cleanup_free pid_t *pids = ctrstats_pids(NULL, init, &npids);

	size_t na = 0;
	char **args = split_ws(ps_args, &na);
	/* ps ARGS -q PID,PID,... first (only those rows); some options do not
	 * go with -q: then ps ARGS alone */
	size_t qlen = 1;
	for (size_t i = 0; i < npids; i++)
		qlen += 12;
	cleanup_free char *q = xcalloc(1, qlen);
	for (size_t i = 0; i < npids; i++)
		sprintf(q + strlen(q), "%s%d", i ? "," : "", (int)pids[i]);
	char **argv = xcalloc(na + 4, sizeof(char *));
	argv[0] = "ps";
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = args[i];
	argv[na + 1] = "-q";
	argv[na + 2] = q;
	char *out = NULL, *eout = NULL;
	int rc = npids ? run_ps(argv, &out, &eout) : 1;
	if (rc != 0) {
		free(out);
		free(eout);
		out = eout = NULL;
		argv[na + 1] = NULL;
		rc = run_ps(argv, &out, &eout);
	}
	int ps_errno = errno;
	free(argv);
	strv_free(args);
	if (rc != 0) {
		/* dockerd: "ps: " and the first line of ps's stderr */
		if (rc < 0)
			berth_error_set(err, EIO, "ps: %s", strerror(ps_errno));
		else if (eout && eout[0] && eout[0] != '\n')
			berth_error_set(err, EIO, "ps: %.*s", (int)strcspn(eout, "\n"), eout);
		else
			berth_error_set(err, EIO, "ps: exit status %d", rc);
		free(out);
		free(eout);
		ctr_unref(c);
		return -1;
	}
	free(eout);
	json_t *res = NULL;
	int prc = parse_ps(out, pids, npids, &res, err);
	free(out);
	if (prc == 0) {
		ctrapi_event(e, c, "top", NULL); /* dockerd's, after a ps that worked */
		api_reply_json(resp, 200, res);
	}
	ctr_unref(c);
	return prc;
}

/* ---- stats ---- */

static json_t *stats_json(struct container *c, const struct ctrstats_sample *cur,
			  const struct ctrstats_sample *pre)
{
	cleanup_free char *read = ctrapi_time_rfc3339(cur->read_ns);
	cleanup_free char *preread = ctrapi_time_rfc3339(pre ? pre->read_ns : 0);
	const char *name = c->name ? c->name : "";
	return json_pack("{s:s,s:s,s:O,s:O,s:i,s:{},s:O,s:o,s:O,s:s,s:s}", "read", read, "preread",
			 preread, "pids_stats", cur->pids, "blkio_stats", cur->blkio, "num_procs",
			 0, "storage_stats", "cpu_stats", cur->cpu, "precpu_stats",
			 pre && pre->cpu ? json_incref(pre->cpu) : ctrstats_empty_cpu(),
			 "memory_stats", cur->mem, "name", name, "id", c->id);
}

static pid_t current_pid(struct container *c)
{
	struct ctr_state st;
	ctr_state_get(c, &st);
	pid_t pid = (st.status == CTR_RUNNING || st.status == CTR_PAUSED) ? st.pid : 0;
	ctr_state_clear(&st);
	return pid;
}

struct stats_job {
	struct container *c;
};

static void stats_job_free(void *arg)
{
	struct stats_job *j = arg;
	ctr_unref(j->c);
	free(j);
}

static void stats_stream(struct api_stream *s, void *arg)
{
	struct stats_job *j = arg;
	struct ctrstats_sample pre = {0};
	api_stream_follow(s);
	while (!api_stream_cancelled(s)) {
		struct ctrstats_sample cur;
		ctrstats_take(NULL, current_pid(j->c), &cur);
		json_t *o = stats_json(j->c, &cur, pre.read_ns ? &pre : NULL);
		int rc = api_stream_json(s, o, "\n");
		json_decref(o);
		ctrstats_sample_clear(&pre);
		pre = cur;
		if (rc < 0)
			break;
		for (int i = 0; i < 10 && !api_stream_cancelled(s); i++) {
			struct timespec ts = {0, 100000000L};
			nanosleep(&ts, NULL);
		}
	}
	ctrstats_sample_clear(&pre);
}

static int containers_stats(struct api_request *req, struct api_response *resp,
			    struct berth_error **err)
{
	struct engine *e = req->ctx;
	bool stream = api_query_bool(req, "stream", true);
	bool one_shot = api_query_bool(req, "one-shot", false);
	struct container *c = NULL;
	if (ctr_find(e, api_param(req, "name"), &c, err) < 0)
		return -1;
	if (one_shot && stream) {
		ctr_unref(c);
		return berth_error_set(err, EINVAL, "cannot have stream=true and one-shot=true");
	}
	if (stream) {
		struct stats_job *j = xcalloc(1, sizeof(*j));
		j->c = c;
		api_reply_stream(resp, 200, NULL, stats_stream, j, stats_job_free);
		return 0;
	}
	struct ctrstats_sample pre = {0}, cur = {0};
	pid_t pid = current_pid(c);
	if (!one_shot && pid > 0) {
		ctrstats_take(NULL, pid, &pre);
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		pid = current_pid(c);
	}
	ctrstats_take(NULL, pid, &cur);
	json_t *o = stats_json(c, &cur, pre.read_ns && cur.read_ns ? &pre : NULL);
	ctrstats_sample_clear(&pre);
	ctrstats_sample_clear(&cur);
	ctr_unref(c);
	api_reply_json(resp, 200, o);
	return 0;
}

const struct api_route api_containers_info_routes[] = {
    {"GET", "/containers/{name}/top", containers_top},
    {"GET", "/containers/{name}/stats", containers_stats},
    {NULL, NULL, NULL},
};
