/* docker's stats objects and top's pids from a container's cgroup (see
 * containers-stats.h). v1 files: cpuacct.*, cpu.stat, memory.usage_in_bytes,
 * memory.stat (total_*), blkio.*; v2 files: cpu.stat (usec), memory.current,
 * memory.max, memory.stat, memory.events, io.stat, pids.*. On v2 dockerd
 * 20.10 sends no percpu_usage, no max_usage, a fixed set of memory.stat keys,
 * failcnt from memory.events' oom, and only io_service_bytes_recursive. */
#include "engine/api/containers-stats.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
	if (getdelim(&buf, &cap, '\0', f) < 0) {
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

void ctrstats_sample_clear(struct ctrstats_sample *s)
{
	json_decref(s->cpu);
	json_decref(s->mem);
	json_decref(s->blkio);
	json_decref(s->pids);
	*s = (struct ctrstats_sample){0};
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

/* A limit file's value, the host's memory when unlimited or above it. */
static json_int_t mem_limit(long long limit)
{
	json_int_t hm = host_mem();
	if (limit < 0 || (hm > 0 && limit > hm))
		return hm;
	return (json_int_t)limit;
}

json_t *ctrstats_empty_cpu(void)
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

static json_t *null_blkio(void)
{
	json_t *b = empty_blkio();
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v) json_object_set_new(b, k, json_null());
	return b;
}

static json_t *blkio_entry(unsigned maj, unsigned min, const char *op, unsigned long long v)
{
	return json_pack("{s:i,s:i,s:s,s:I}", "major", maj, "minor", min, "op", op, "value",
			 (json_int_t)v);
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
			json_array_append_new(a, blkio_entry(maj, min, op, v));
	}
	return a;
}

/* The value of " key=N" in an io.stat line (0 if absent). */
static unsigned long long io_field(const char *line, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = strchr(line, ' '); p; p = strchr(p + 1, ' '))
		if (strncmp(p + 1, key, n) == 0 && p[1 + n] == '=')
			return strtoull(p + 2 + n, NULL, 10);
	return 0;
}

/* v2 io.stat "MAJ:MIN rbytes=.. wbytes=.. rios=.. wios=.. dbytes=.. dios=.."
 * -> io_service_bytes_recursive (read, write per device; null when none) */
static json_t *blkio_v2(const char *dir)
{
	json_t *b = null_blkio();
	cleanup_free char *s = read_small(dir, "io.stat");
	if (s == NULL)
		return b;
	json_t *bytes = json_array();
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		if (sscanf(l, "%u:%u", &maj, &min) != 2)
			continue;
		json_array_append_new(bytes, blkio_entry(maj, min, "read", io_field(l, "rbytes")));
		json_array_append_new(bytes, blkio_entry(maj, min, "write", io_field(l, "wbytes")));
	}
	json_object_set_new(b, "io_service_bytes_recursive",
			    json_array_size(bytes) ? bytes : json_null());
	if (!json_array_size(bytes))
		json_decref(bytes);
	return b;
}

static json_t *blkio_v1(const char *dir)
{
	json_t *b = empty_blkio();
	/* the CFQ counters, else the throttle ones (every I/O scheduler has
	 * them) */
	const char *bf = "blkio.io_service_bytes_recursive";
	cleanup_free char *probe = read_small(dir, bf);
	bool throttle = probe == NULL || probe[0] == '\0' || strncmp(probe, "Total", 5) == 0;
	json_object_set_new(
	    b, "io_service_bytes_recursive",
	    blkio_list(dir, throttle ? "blkio.throttle.io_service_bytes_recursive" : bf));
	json_object_set_new(b, "io_serviced_recursive",
			    blkio_list(dir, throttle ? "blkio.throttle.io_serviced_recursive"
						     : "blkio.io_serviced_recursive"));
	return b;
}

static int online_cpus(void)
{
	long online = sysconf(_SC_NPROCESSORS_ONLN);
	return (int)(online > 0 ? online : 1);
}

static json_t *cpu_v1(const char *acct, const char *cpu)
{
	long hz = sysconf(_SC_CLK_TCK);
	json_int_t tick = 1000000000 / (hz > 0 ? hz : 100);
	json_t *percpu = json_array();
	cleanup_free char *pc = read_small(acct, "cpuacct.usage_percpu");
	char *save = NULL;
	for (char *t = pc ? strtok_r(pc, " \n", &save) : NULL; t; t = strtok_r(NULL, " \n", &save))
		json_array_append_new(percpu, json_integer(strtoll(t, NULL, 10)));
	cleanup_json json_t *st = read_kv(acct, "cpuacct.stat");
	cleanup_json json_t *thr = read_kv(cpu, "cpu.stat");
	long long total = read_num(acct, "cpuacct.usage");
	return json_pack("{s:{s:I,s:o,s:I,s:I},s:I,s:i,s:{s:I,s:I,s:I}}", "cpu_usage",
			 "total_usage", (json_int_t)(total > 0 ? total : 0), "percpu_usage", percpu,
			 "usage_in_kernelmode", kv(st, "system") * tick, "usage_in_usermode",
			 kv(st, "user") * tick, "system_cpu_usage", system_cpu_ns(), "online_cpus",
			 online_cpus(), "throttling_data", "periods", kv(thr, "nr_periods"),
			 "throttled_periods", kv(thr, "nr_throttled"), "throttled_time",
			 kv(thr, "throttled_time"));
}

/* v2 cpu.stat: usage_usec, user_usec, system_usec, nr_periods,
 * nr_throttled, throttled_usec (the last three with the cpu controller) */
static json_t *cpu_v2(const char *dir)
{
	cleanup_json json_t *cs = read_kv(dir, "cpu.stat");
	return json_pack("{s:{s:I,s:I,s:I},s:I,s:i,s:{s:I,s:I,s:I}}", "cpu_usage", "total_usage",
			 kv(cs, "usage_usec") * 1000, "usage_in_kernelmode",
			 kv(cs, "system_usec") * 1000, "usage_in_usermode",
			 kv(cs, "user_usec") * 1000, "system_cpu_usage", system_cpu_ns(),
			 "online_cpus", online_cpus(), "throttling_data", "periods",
			 kv(cs, "nr_periods"), "throttled_periods", kv(cs, "nr_throttled"),
			 "throttled_time", kv(cs, "throttled_usec") * 1000);
}

static json_t *mem_v1(const char *dir)
{
	json_t *ms = read_kv(dir, "memory.stat");
	long long usage = read_num(dir, "memory.usage_in_bytes");
	long long max = read_num(dir, "memory.max_usage_in_bytes");
	long long fail = read_num(dir, "memory.failcnt");
	json_t *m = json_pack("{s:I,s:I,s:o,s:I}", "usage", (json_int_t)(usage > 0 ? usage : 0),
			      "max_usage", (json_int_t)(max > 0 ? max : 0), "stats", ms, "limit",
			      mem_limit(read_num(dir, "memory.limit_in_bytes")));
	if (fail > 0)
		json_object_set_new(m, "failcnt", json_integer(fail));
	return m;
}

/* The memory.stat keys dockerd 20.10 reports on v2 (all of them, 0 when the
 * kernel has no such line). */
static const char *const v2_mem_keys[] = {"anon",
					  "file",
					  "kernel_stack",
					  "slab",
					  "sock",
					  "shmem",
					  "file_mapped",
					  "file_dirty",
					  "file_writeback",
					  "anon_thp",
					  "inactive_anon",
					  "active_anon",
					  "inactive_file",
					  "active_file",
					  "unevictable",
					  "slab_reclaimable",
					  "slab_unreclaimable",
					  "pgfault",
					  "pgmajfault",
					  "workingset_refault",
					  "workingset_activate",
					  "workingset_nodereclaim",
					  "pgrefill",
					  "pgscan",
					  "pgsteal",
					  "pgactivate",
					  "pgdeactivate",
					  "pglazyfree",
					  "pglazyfreed",
					  "thp_fault_alloc",
					  "thp_collapse_alloc",
					  NULL};

static json_t *mem_v2(const char *dir)
{
	cleanup_json json_t *all = read_kv(dir, "memory.stat");
	json_t *ms = json_object();
	for (size_t i = 0; v2_mem_keys[i]; i++)
		json_object_set_new(ms, v2_mem_keys[i], json_integer(kv(all, v2_mem_keys[i])));
	long long usage = read_num(dir, "memory.current");
	cleanup_json json_t *ev = read_kv(dir, "memory.events");
	json_t *m = json_pack("{s:I,s:o,s:I}", "usage", (json_int_t)(usage > 0 ? usage : 0),
			      "stats", ms, "limit", mem_limit(read_num(dir, "memory.max")));
	if (kv(ev, "oom") > 0)
		json_object_set_new(m, "failcnt", json_integer(kv(ev, "oom")));
	return m;
}

/* pids.current / pids.max: the same files on v1 and v2 */
static json_t *pids_stats(const char *dir)
{
	long long cur = read_num(dir, "pids.current");
	long long lim = read_num(dir, "pids.max");
	json_t *p = json_pack("{s:I}", "current", (json_int_t)(cur > 0 ? cur : 0));
	if (lim > 0)
		json_object_set_new(p, "limit", json_integer(lim));
	return p;
}

void ctrstats_take(const struct shim_cgroup_env *env, pid_t pid, struct ctrstats_sample *s)
{
	*s = (struct ctrstats_sample){0};
	if (pid <= 0) {
		/* dockerd's zero StatsJSON: null lists, empty objects */
		s->cpu = ctrstats_empty_cpu();
		s->mem = json_object();
		s->blkio = null_blkio();
		s->pids = json_object();
		return;
	}
	s->read_ns = now_ns();
	bool v2 = false;
	cleanup_free char *cpu = shim_cgroup_dir(env, pid, "cpu", &v2);
	if (v2) {
		s->cpu = cpu_v2(cpu);
	} else {
		cleanup_free char *acct = shim_cgroup_dir(env, pid, "cpuacct", &v2);
		s->cpu = cpu_v1(acct, cpu);
	}
	cleanup_free char *mem = shim_cgroup_dir(env, pid, "memory", &v2);
	s->mem = v2 ? mem_v2(mem) : mem_v1(mem);
	cleanup_free char *blk = shim_cgroup_dir(env, pid, "blkio", &v2);
	s->blkio = v2 ? blkio_v2(blk) : blkio_v1(blk);
	cleanup_free char *pids = shim_cgroup_dir(env, pid, "pids", &v2);
	s->pids = pids_stats(pids);
}

/* Append the pids of dir's cgroup.procs and of every cgroup below it (runc's
 * GetAllPids: a systemd or nested cgroup inside the container counts too). */
static bool collect_pids(const char *dir, int depth, pid_t **v, size_t *n)
{
	cleanup_free char *s = read_small(dir, "cgroup.procs");
	if (s == NULL)
		return false;
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		*v = xrealloc(*v, (*n + 1) * sizeof(pid_t));
		(*v)[(*n)++] = (pid_t)strtol(l, NULL, 10);
	}
	cleanup_closedir DIR *d = depth < 32 ? opendir(dir) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || de->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, de->d_name);
		collect_pids(sub, depth + 1, v, n);
	}
	return true;
}

pid_t *ctrstats_pids(const struct shim_cgroup_env *env, pid_t init, size_t *n)
{
	bool v2 = false;
	cleanup_free char *dir = shim_cgroup_dir(env, init, "pids", &v2);
	if (dir == NULL)
		dir = shim_cgroup_dir(env, init, "memory", &v2);
	*n = 0;
	pid_t *v = NULL;
	if (dir == NULL || !collect_pids(dir, 0, &v, n)) {
		free(v);
		v = xcalloc(1, sizeof(pid_t));
		*n = 0;
		v[(*n)++] = init;
	}
	return v;
}
