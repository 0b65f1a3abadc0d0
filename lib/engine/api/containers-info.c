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
 * The cgroup is found from the container's init: /proc/<pid>/cgroup. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "engine/api/containers-internal.h"
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

/* ---- cgroups ---- */

static bool is_dir(const char *p)
{
	return access(p, F_OK) == 0;
}

/* The host directory of the cgroup of pid for a v1 controller, or the
 * unified one (v2) when controller is NULL or the host is on v2. */
static char *cgroup_dir(pid_t pid, const char *controller, bool *v2)
{
	cleanup_free char *pf = xasprintf("/proc/%d/cgroup", (int)pid);
	cleanup_fclose FILE *f = fopen(pf, "re");
	if (f == NULL)
		return NULL;
	*v2 = is_dir("/sys/fs/cgroup/cgroup.controllers");
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		if (*v2) {
			if (ctrls[0] == '\0')
				return xasprintf("/sys/fs/cgroup%s", path);
			continue;
		}
		/* v1: "cpu,cpuacct" holds cpuacct */
		cleanup_free char *list = xstrdup(ctrls);
		bool has = false;
		char *save = NULL;
		for (char *t = strtok_r(list, ",", &save); t; t = strtok_r(NULL, ",", &save))
			has = has || strcmp(t, controller) == 0;
		if (!has)
			continue;
		char *d = xasprintf("/sys/fs/cgroup/%s%s", ctrls, path);
		if (is_dir(d))
			return d;
		free(d);
		d = xasprintf("/sys/fs/cgroup/%s%s", controller, path);
		if (is_dir(d))
			return d;
		free(d);
	}
	return NULL;
}

static char *read_small(const char *dir, const char *file)
{
	if (dir == NULL)
		return NULL;
	cleanup_free char *p = xasprintf("%s/%s", dir, file);
	cleanup_fclose FILE *f = fopen(p, "re");
	if (f == NULL)
		return NULL;
	char *buf = NULL;
	size_t cap = 0;
	ssize_t total = getdelim(&buf, &cap, '\0', f);
	if (total < 0) {
		free(buf);
		return xstrdup("");
	}
	return buf;
}

/* An unsigned number file (-1 when missing; "max" -> -2). */
static long long read_num(const char *dir, const char *file)
{
	cleanup_free char *s = read_small(dir, file);
	if (s == NULL)
		return -1;
	if (strncmp(s, "max", 3) == 0)
		return -2;
	return strtoll(s, NULL, 10);
}

/* "key value" lines into an object of integers. */
static json_t *read_kv(const char *dir, const char *file)
{
	cleanup_free char *s = read_small(dir, file);
	json_t *o = json_object();
	if (s == NULL)
		return o;
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		if (sp == NULL)
			continue;
		*sp = '\0';
		json_object_set_new(o, l, json_integer(strtoll(sp + 1, NULL, 10)));
	}
	return o;
}

static json_int_t kv(json_t *o, const char *k)
{
	return json_integer_value(json_object_get(o, k));
}

/* ---- top ---- */

/* The pids of the container's cgroup. */
static pid_t *cgroup_pids(pid_t init, size_t *n)
{
	bool v2 = false;
	cleanup_free char *dir = cgroup_dir(init, "pids", &v2);
	if (dir == NULL) {
		free(dir);
		dir = cgroup_dir(init, "memory", &v2);
	}
	*n = 0;
	pid_t *v = NULL;
	cleanup_free char *s = read_small(dir, "cgroup.procs");
	if (s == NULL) {
		v = xcalloc(1, sizeof(pid_t));
		v[(*n)++] = init;
		return v;
	}
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		v = xrealloc(v, (*n + 1) * sizeof(pid_t));
		v[(*n)++] = (pid_t)strtol(l, NULL, 10);
	}
	return v;
}

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
	cleanup_free pid_t *pids = cgroup_pids(init, &npids);

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

struct sample {
	int64_t read_ns; /* 0: none */
	json_t *cpu;	 /* cpu_stats */
	json_t *mem;
	json_t *blkio;
	json_t *pids;
};

static void sample_clear(struct sample *s)
{
	json_decref(s->cpu);
	json_decref(s->mem);
	json_decref(s->blkio);
	json_decref(s->pids);
	*s = (struct sample){0};
}

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* The host's CPU time (all CPUs, all states) in ns: /proc/stat's cpu line. */
static json_int_t system_cpu_ns(void)
{
	cleanup_fclose FILE *f = fopen("/proc/stat", "re");
	if (f == NULL)
		return 0;
	unsigned long long v[8] = {0};
	if (fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
		   &v[4], &v[5], &v[6], &v[7]) < 4)
		return 0;
	unsigned long long sum = 0;
	for (int i = 0; i < 8; i++)
		sum += v[i];
	long hz = sysconf(_SC_CLK_TCK);
	return (json_int_t)(sum * (1000000000ULL / (unsigned long long)(hz > 0 ? hz : 100)));
}

static json_int_t host_mem(void)
{
	cleanup_fclose FILE *f = fopen("/proc/meminfo", "re");
	unsigned long long kb = 0;
	if (f && fscanf(f, "MemTotal: %llu kB", &kb) == 1)
		return (json_int_t)kb * 1024;
	return 0;
}

static json_t *empty_cpu(void)
{
	return json_pack("{s:{s:i,s:i,s:i},s:{s:i,s:i,s:i}}", "cpu_usage", "total_usage", 0,
			 "usage_in_kernelmode", 0, "usage_in_usermode", 0, "throttling_data",
			 "periods", 0, "throttled_periods", 0, "throttled_time", 0);
}

static json_t *empty_blkio(void)
{
	return json_pack("{s:[],s:[],s:[],s:[],s:[],s:[],s:[],s:[]}", "io_service_bytes_recursive",
			 "io_serviced_recursive", "io_queue_recursive", "io_service_time_recursive",
			 "io_wait_time_recursive", "io_merged_recursive", "io_time_recursive",
			 "sectors_recursive");
}

/* blkio "MAJ:MIN Op value" lines -> [{"major","minor","op","value"}] */
static json_t *blkio_list(const char *dir, const char *file)
{
	json_t *a = json_array();
	cleanup_free char *s = read_small(dir, file);
	if (s == NULL)
		return a;
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		char op[32];
		unsigned long long v;
		if (sscanf(l, "%u:%u %31s %llu", &maj, &min, op, &v) == 4)
			json_array_append_new(a,
					      json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor",
							min, "op", op, "value", (json_int_t)v));
	}
	return a;
}

/* v2 io.stat "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.." -> docker's lists */
static void io_stat_v2(const char *dir, json_t *blkio)
{
	cleanup_free char *s = read_small(dir, "io.stat");
	if (s == NULL)
		return;
	json_t *bytes = json_object_get(blkio, "io_service_bytes_recursive");
	json_t *ios = json_object_get(blkio, "io_serviced_recursive");
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		unsigned long long rb = 0, wb = 0, ri = 0, wi = 0;
		if (sscanf(l, "%u:%u", &maj, &min) != 2)
			continue;
		char *p;
		if ((p = strstr(l, "rbytes=")))
			rb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(l, "wbytes=")))
			wb = strtoull(p + 7, NULL, 10);
		if ((p = strstr(l, "rios=")))
			ri = strtoull(p + 5, NULL, 10);
		if ((p = strstr(l, "wios=")))
			wi = strtoull(p + 5, NULL, 10);
		json_array_append_new(bytes, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor",
						       min, "op", "read", "value", (json_int_t)rb));
		json_array_append_new(bytes,
				      json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min,
						"op", "write", "value", (json_int_t)wb));
		json_array_append_new(ios, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor",
						     min, "op", "read", "value", (json_int_t)ri));
		json_array_append_new(ios, json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor",
						     min, "op", "write", "value", (json_int_t)wi));
	}
}

static void sample_v1(pid_t pid, struct sample *s)
{
	bool v2 = false;
	cleanup_free char *acct = cgroup_dir(pid, "cpuacct", &v2);
	cleanup_free char *cpu = cgroup_dir(pid, "cpu", &v2);
	cleanup_free char *mem = cgroup_dir(pid, "memory", &v2);
	cleanup_free char *blk = cgroup_dir(pid, "blkio", &v2);
	cleanup_free char *pids = cgroup_dir(pid, "pids", &v2);
	long hz = sysconf(_SC_CLK_TCK);
	json_int_t tick = 1000000000 / (hz > 0 ? hz : 100);
	/* cpu */
	json_t *percpu = json_array();
	cleanup_free char *pc = read_small(acct, "cpuacct.usage_percpu");
	char *save = NULL;
	for (char *t = pc ? strtok_r(pc, " \n", &save) : NULL; t; t = strtok_r(NULL, " \n", &save))
		json_array_append_new(percpu, json_integer(strtoll(t, NULL, 10)));
	cleanup_json json_t *st = read_kv(acct, "cpuacct.stat");
	cleanup_json json_t *thr = read_kv(cpu, "cpu.stat");
	long long total = read_num(acct, "cpuacct.usage");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	s->cpu = json_pack("{s:{s:I,s:o,s:I,s:I},s:I,s:i,s:{s:I,s:I,s:I}}", "cpu_usage",
			   "total_usage", (json_int_t)(total > 0 ? total : 0), "percpu_usage",
			   percpu, "usage_in_kernelmode", kv(st, "system") * tick,
			   "usage_in_usermode", kv(st, "user") * tick, "system_cpu_usage",
			   system_cpu_ns(), "online_cpus", (int)(online > 0 ? online : 1),
			   "throttling_data", "periods", kv(thr, "nr_periods"), "throttled_periods",
			   kv(thr, "nr_throttled"), "throttled_time", kv(thr, "throttled_time"));
	/* memory */
	json_t *ms = read_kv(mem, "memory.stat");
	long long usage = read_num(mem, "memory.usage_in_bytes");
	long long max = read_num(mem, "memory.max_usage_in_bytes");
	long long limit = read_num(mem, "memory.limit_in_bytes");
	json_int_t hm = host_mem();
	if (limit < 0 || (hm > 0 && limit > hm))
		limit = hm;
	s->mem = json_pack("{s:I,s:I,s:o,s:I}", "usage", (json_int_t)(usage > 0 ? usage : 0),
			   "max_usage", (json_int_t)(max > 0 ? max : 0), "stats", ms, "limit",
			   (json_int_t)limit);
	/* blkio: the throttle counters (every I/O scheduler has them) */
	s->blkio = empty_blkio();
	const char *bf = "blkio.io_service_bytes_recursive";
	cleanup_free char *probe = read_small(blk, bf);
	if (probe == NULL || probe[0] == '\0' || strncmp(probe, "Total", 5) == 0)
		bf = "blkio.throttle.io_service_bytes_recursive";
	json_object_set_new(s->blkio, "io_service_bytes_recursive", blkio_list(blk, bf));
	json_object_set_new(s->blkio, "io_serviced_recursive",
			    blkio_list(blk, strstr(bf, "throttle")
						? "blkio.throttle.io_serviced_recursive"
						: "blkio.io_serviced_recursive"));
	/* pids */
	long long cur = read_num(pids, "pids.current");
	long long plim = read_num(pids, "pids.max");
	s->pids = json_pack("{s:I}", "current", (json_int_t)(cur > 0 ? cur : 0));
	if (plim > 0)
		json_object_set_new(s->pids, "limit", json_integer(plim));
}

static void sample_v2(const char *dir, struct sample *s)
{
	cleanup_json json_t *cs = read_kv(dir, "cpu.stat");
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	s->cpu = json_pack(
	    "{s:{s:I,s:I,s:I},s:I,s:i,s:{s:I,s:I,s:I}}", "cpu_usage", "total_usage",
	    kv(cs, "usage_usec") * 1000, "usage_in_kernelmode", kv(cs, "system_usec") * 1000,
	    "usage_in_usermode", kv(cs, "user_usec") * 1000, "system_cpu_usage", system_cpu_ns(),
	    "online_cpus", (int)(online > 0 ? online : 1), "throttling_data", "periods",
	    kv(cs, "nr_periods"), "throttled_periods", kv(cs, "nr_throttled"), "throttled_time",
	    kv(cs, "throttled_usec") * 1000);
	json_t *ms = read_kv(dir, "memory.stat");
	long long usage = read_num(dir, "memory.current");
	long long limit = read_num(dir, "memory.max");
	json_int_t hm = host_mem();
	if (limit < 0 || (hm > 0 && limit > hm))
		limit = hm;
	s->mem = json_pack("{s:I,s:o,s:I}", "usage", (json_int_t)(usage > 0 ? usage : 0), "stats",
			   ms, "limit", (json_int_t)limit);
	s->blkio = empty_blkio();
	io_stat_v2(dir, s->blkio);
	long long cur = read_num(dir, "pids.current");
	long long plim = read_num(dir, "pids.max");
	s->pids = json_pack("{s:I}", "current", (json_int_t)(cur > 0 ? cur : 0));
	if (plim > 0)
		json_object_set_new(s->pids, "limit", json_integer(plim));
}

/* A sample of the running container (pid its init), or an empty one. */
static void take_sample(pid_t pid, struct sample *s)
{
	*s = (struct sample){0};
	if (pid <= 0) {
		/* dockerd's zero StatsJSON: null lists, empty objects */
		s->cpu = empty_cpu();
		s->mem = json_object();
		s->blkio = empty_blkio();
		const char *k;
		json_t *v;
		json_object_foreach(s->blkio, k, v) json_object_set_new(s->blkio, k, json_null());
		s->pids = json_object();
		return;
	}
	s->read_ns = now_ns();
	bool v2 = false;
	cleanup_free char *dir = cgroup_dir(pid, "memory", &v2);
	if (v2)
		sample_v2(dir, s);
	else
		sample_v1(pid, s);
}

static json_t *stats_json(struct container *c, const struct sample *cur, const struct sample *pre)
{
	cleanup_free char *read = ctrapi_time_rfc3339(cur->read_ns);
	cleanup_free char *preread = ctrapi_time_rfc3339(pre ? pre->read_ns : 0);
	const char *name = c->name ? c->name : "";
	return json_pack("{s:s,s:s,s:O,s:O,s:i,s:{},s:O,s:o,s:O,s:s,s:s}", "read", read, "preread",
			 preread, "pids_stats", cur->pids, "blkio_stats", cur->blkio, "num_procs",
			 0, "storage_stats", "cpu_stats", cur->cpu, "precpu_stats",
			 pre && pre->cpu ? json_incref(pre->cpu) : empty_cpu(), "memory_stats",
			 cur->mem, "name", name, "id", c->id);
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
	struct sample pre = {0};
	api_stream_follow(s);
	while (!api_stream_cancelled(s)) {
		struct sample cur;
		take_sample(current_pid(j->c), &cur);
		json_t *o = stats_json(j->c, &cur, pre.read_ns ? &pre : NULL);
		int rc = api_stream_json(s, o, "\n");
		json_decref(o);
		sample_clear(&pre);
		pre = cur;
		if (rc < 0)
			break;
		for (int i = 0; i < 10 && !api_stream_cancelled(s); i++) {
			struct timespec ts = {0, 100000000L};
			nanosleep(&ts, NULL);
		}
	}
	sample_clear(&pre);
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
	struct sample pre = {0}, cur = {0};
	pid_t pid = current_pid(c);
	if (!one_shot && pid > 0) {
		take_sample(pid, &pre);
		struct timespec ts = {1, 0};
		nanosleep(&ts, NULL);
		pid = current_pid(c);
	}
	take_sample(pid, &cur);
	json_t *o = stats_json(c, &cur, pre.read_ns && cur.read_ns ? &pre : NULL);
	sample_clear(&pre);
	sample_clear(&cur);
	ctr_unref(c);
	api_reply_json(resp, 200, o);
	return 0;
}

const struct api_route api_containers_info_routes[] = {
    {"GET", "/containers/{name}/top", containers_top},
    {"GET", "/containers/{name}/stats", containers_stats},
    {NULL, NULL, NULL},
};
