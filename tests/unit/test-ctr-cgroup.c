/* The engine-side cgroup readers on fake cgroupfs trees (v1, hybrid, v2): the
 * shim's cgroup locator and OOM file (lib/shim/shim-cgroup.c), docker's stats
 * objects and top's pids (lib/engine/api/containers-stats.c), and specgen's
 * host-dependent HostConfig defaults (specgen_check_hostconfig_on). The file
 * contents are what the kernels write. */
#include "test-util.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/api/containers-stats.h"
#include "engine/spec/specgen.h"
#include "shim/shim-cgroup.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#define PID 4242

struct tree {
	char root[64]; /* the temp dir: <root>/proc, <root>/sys */
	char *sys, *proc;
	struct shim_cgroup_env env;
};

static void mkdir_p(const char *path)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = strchr(p + 1, '/'); s; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			fail_msg("mkdir %s: %s", p, strerror(errno));
		*s = '/';
	}
	if (mkdir(p, 0755) < 0 && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

/* <base>/<rel> with content, its directories made. */
static void put(const char *base, const char *rel, const char *content)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel);
	cleanup_free char *dir = xstrdup(p);
	*strrchr(dir, '/') = '\0';
	mkdir_p(dir);
	FILE *f = fopen(p, "w");
	if (f == NULL)
		fail_msg("create %s: %s", p, strerror(errno));
	fputs(content, f);
	fclose(f);
}

static void dir_in(const char *base, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", base, rel);
	mkdir_p(p);
}

static int tree_setup(void **state)
{
	struct tree *t = xcalloc(1, sizeof(*t));
	snprintf(t->root, sizeof(t->root), "/tmp/berth-ctrcg-XXXXXX");
	if (mkdtemp(t->root) == NULL)
		fail_msg("mkdtemp: %s", strerror(errno));
	t->sys = xasprintf("%s/sys", t->root);
	t->proc = xasprintf("%s/proc", t->root);
	mkdir_p(t->sys);
	mkdir_p(t->proc);
	t->env = (struct shim_cgroup_env){t->sys, t->proc};
	*state = t;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(p);
}

static int tree_teardown(void **state)
{
	struct tree *t = *state;
	nftw(t->root, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(t->sys);
	free(t->proc);
	free(t);
	return 0;
}

/* ---- layouts ---- */

static void layout_v2(struct tree *t)
{
	put(t->sys, "cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put(t->proc, "4242/cgroup", "0::/berth/abc\n");
	dir_in(t->sys, "berth/abc");
}

static const char v1_lines[] = "12:hugetlb:/berth/abc\n"
			       "11:memory:/berth/abc\n"
			       "10:cpu,cpuacct:/berth/abc\n"
			       "9:blkio:/berth/abc\n"
			       "8:pids:/berth/abc\n"
			       "1:name=systemd:/user.slice/session-1.scope\n";

static void layout_v1(struct tree *t)
{
	put(t->proc, "4242/cgroup", v1_lines);
	const char *h[] = {"hugetlb", "memory", "cpu,cpuacct", "blkio", "pids", "systemd"};
	for (size_t i = 0; i < ARRAY_SIZE(h); i++) {
		cleanup_free char *d = xasprintf("%s/berth/abc", h[i]);
		dir_in(t->sys, d);
	}
}

/* This machine's: hugetlb on the cgroup2 mount at unified/, the rest v1. */
static void layout_hybrid(struct tree *t, const char *unified_ctrls)
{
	put(t->proc, "4242/cgroup",
	    "11:memory:/berth/abc\n10:cpu,cpuacct:/berth/abc\n9:blkio:/berth/abc\n"
	    "8:pids:/berth/abc\n1:name=systemd:/user.slice\n0::/berth/abc\n");
	const char *h[] = {"memory", "cpu,cpuacct", "blkio", "pids", "systemd"};
	for (size_t i = 0; i < ARRAY_SIZE(h); i++) {
		cleanup_free char *d = xasprintf("%s/berth/abc", h[i]);
		dir_in(t->sys, d);
	}
	put(t->sys, "unified/cgroup.controllers", unified_ctrls);
	dir_in(t->sys, "unified/berth/abc");
}

static void assert_dir(struct tree *t, const char *ctrl, const char *want_rel, bool want_v2)
{
	bool v2 = !want_v2;
	cleanup_free char *d = shim_cgroup_dir(&t->env, PID, ctrl, &v2);
	if (want_rel == NULL) {
		if (d != NULL)
			fail_msg("%s: expected no directory, got %s", ctrl, d);
		return;
	}
	cleanup_free char *want = xasprintf("%s/%s", t->sys, want_rel);
	if (d == NULL)
		fail_msg("%s: no directory, expected %s", ctrl, want);
	assert_string_equal(d, want);
	assert_int_equal(v2, want_v2);
}

static void test_locate_v2(void **state)
{
	struct tree *t = *state;
	layout_v2(t);
	assert_true(shim_cgroup_is_v2(&t->env));
	assert_dir(t, "memory", "berth/abc", true);
	assert_dir(t, "blkio", "berth/abc", true);
	assert_dir(t, "pids", "berth/abc", true);
	put(t->sys, "berth/abc/memory.events",
	    "low 0\nhigh 0\nmax 17\noom 2\noom_kill 1\noom_group_kill 0\n");
	cleanup_free char *cg = NULL;
	bool v2 = false;
	cleanup_free char *f = shim_cgroup_oom_file(&t->env, PID, &cg, &v2);
	cleanup_free char *want = xasprintf("%s/berth/abc/memory.events", t->sys);
	assert_non_null(f);
	assert_string_equal(f, want);
	assert_string_equal(cg, "/berth/abc");
	assert_true(v2);
	assert_int_equal(shim_cgroup_oom_kills(f), 1);
	/* a gone process: nothing */
	bool x;
	assert_null(shim_cgroup_dir(&t->env, 999999, "memory", &x));
	assert_null(shim_cgroup_oom_file(&t->env, 999999, NULL, NULL));
}

static void test_locate_v1(void **state)
{
	struct tree *t = *state;
	layout_v1(t);
	assert_false(shim_cgroup_is_v2(&t->env));
	assert_dir(t, "memory", "memory/berth/abc", false);
	assert_dir(t, "cpuacct", "cpu,cpuacct/berth/abc", false);
	assert_dir(t, "cpu", "cpu,cpuacct/berth/abc", false);
	assert_dir(t, "hugetlb", "hugetlb/berth/abc", false);
	assert_dir(t, "rdma", NULL, false);
	/* "cpu" is not "cpuset", "name=systemd" not "systemd" */
	assert_dir(t, "cpuset", NULL, false);
	put(t->sys, "memory/berth/abc/memory.oom_control",
	    "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n");
	cleanup_free char *cg = NULL;
	bool v2 = true;
	cleanup_free char *f = shim_cgroup_oom_file(&t->env, PID, &cg, &v2);
	cleanup_free char *want = xasprintf("%s/memory/berth/abc/memory.oom_control", t->sys);
	assert_non_null(f);
	assert_string_equal(f, want);
	assert_string_equal(cg, "/berth/abc");
	assert_false(v2);
	assert_int_equal(shim_cgroup_oom_kills(f), 3);
	/* a kernel without the counter (< 4.13) */
	put(t->sys, "memory/berth/abc/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	assert_int_equal(shim_cgroup_oom_kills(f), -1);
}

static void test_locate_hybrid(void **state)
{
	struct tree *t = *state;
	layout_hybrid(t, "hugetlb\n");
	assert_false(shim_cgroup_is_v2(&t->env));
	/* hugetlb is on the cgroup2 mount, the rest on v1 */
	assert_dir(t, "hugetlb", "unified/berth/abc", true);
	assert_dir(t, "memory", "memory/berth/abc", false);
	assert_dir(t, "pids", "pids/berth/abc", false);
	/* a controller neither holds */
	assert_dir(t, "rdma", NULL, false);
	/* OOM: memory is v1 */
	cleanup_free char *f = shim_cgroup_oom_file(&t->env, PID, NULL, NULL);
	assert_non_null(strstr(f, "/memory/berth/abc/memory.oom_control"));
}

static bool readable(int fd)
{
	struct pollfd p = {fd, POLLIN, 0};
	return poll(&p, 1, 100) == 1 && (p.revents & POLLIN);
}

/* v2: the watch fires when the kernel rewrites memory.events */
static void test_oom_watch_v2(void **state)
{
	struct tree *t = *state;
	layout_v2(t);
	put(t->sys, "berth/abc/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
	cleanup_free char *f = shim_cgroup_oom_file(&t->env, PID, NULL, NULL);
	cleanup_close int fd = shim_cgroup_oom_fd(f);
	assert_true(fd >= 0);
	assert_false(readable(fd));
	assert_int_equal(shim_cgroup_oom_kills(f), 0);
	put(t->sys, "berth/abc/memory.events", "low 0\nhigh 0\nmax 4\noom 1\noom_kill 1\n");
	assert_true(readable(fd));
	assert_int_equal(shim_cgroup_oom_kills(f), 1);
	/* gone cgroup: no watch */
	cleanup_free char *gone = xasprintf("%s/berth/gone/memory.events", t->sys);
	assert_int_equal(shim_cgroup_oom_fd(gone), -1);
}

/* v1: "<eventfd> <fd of memory.oom_control>" goes to cgroup.event_control
 * (that the kernel then signals cannot be faked) */
static void test_oom_watch_v1(void **state)
{
	struct tree *t = *state;
	layout_v1(t);
	put(t->sys, "memory/berth/abc/memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n");
	put(t->sys, "memory/berth/abc/cgroup.event_control", "");
	cleanup_free char *f = shim_cgroup_oom_file(&t->env, PID, NULL, NULL);
	cleanup_close int fd = shim_cgroup_oom_fd(f);
	assert_true(fd >= 0);
	cleanup_free char *ctl = xasprintf("%s/memory/berth/abc/cgroup.event_control", t->sys);
	FILE *c = fopen(ctl, "re");
	assert_non_null(c);
	int efd = -1, ofd = -1;
	assert_int_equal(fscanf(c, "%d %d", &efd, &ofd), 2);
	fclose(c);
	assert_int_equal(efd, fd);
	assert_true(ofd > 2 && ofd != fd);
	assert_false(readable(fd));
}

/* The real host (whatever its layout): this process's cgroups are found and
 * hold it. */
static void test_real_host(void **state)
{
	(void)state;
	if (access("/proc/self/cgroup", R_OK) != 0 || access("/sys/fs/cgroup", F_OK) != 0)
		skip();
	const char *ctrls[] = {"memory", "pids", "cpu"};
	for (size_t i = 0; i < ARRAY_SIZE(ctrls); i++) {
		bool v2 = false;
		cleanup_free char *d = shim_cgroup_dir(NULL, getpid(), ctrls[i], &v2);
		if (d == NULL)
			fail_msg("%s: no cgroup directory for this process", ctrls[i]);
		assert_int_equal(access(d, F_OK), 0);
		assert_int_equal(v2, shim_cgroup_is_v2(NULL) || strstr(d, "/unified/") != NULL);
		size_t n = 0;
		struct shim_cgroup_env env = {NULL, NULL};
		cleanup_free pid_t *pids = ctrstats_pids(&env, getpid(), &n);
		bool found = false;
		for (size_t j = 0; j < n; j++)
			found = found || pids[j] == getpid();
		assert_true(found);
	}
}

/* ---- stats ---- */

static json_int_t jint(json_t *o, const char *path)
{
	cleanup_free char *p = xstrdup(path);
	json_t *cur = o;
	char *save = NULL;
	for (char *k = strtok_r(p, ".", &save); k; k = strtok_r(NULL, ".", &save))
		cur = json_object_get(cur, k);
	if (!json_is_integer(cur))
		fail_msg("%s: not an integer", path);
	return json_integer_value(cur);
}

static void v2_files(struct tree *t)
{
	put(t->sys, "berth/abc/cpu.stat",
	    "usage_usec 5000\nuser_usec 3000\nsystem_usec 2000\nnr_periods 10\n"
	    "nr_throttled 2\nthrottled_usec 700\n");
	put(t->sys, "berth/abc/memory.current", "1048576\n");
	put(t->sys, "berth/abc/memory.max", "67108864\n");
	put(t->sys, "berth/abc/memory.stat",
	    "anon 4096\nfile 8192\nkernel_stack 16384\npagetables 0\npercpu 240\nsock 0\n"
	    "shmem 0\nfile_mapped 0\nfile_dirty 0\nfile_writeback 0\nswapcached 0\n"
	    "anon_thp 0\ninactive_anon 4096\nactive_anon 0\ninactive_file 8192\n"
	    "active_file 0\nunevictable 0\nslab_reclaimable 100\nslab_unreclaimable 200\n"
	    "slab 300\npgfault 55\npgmajfault 1\n");
	put(t->sys, "berth/abc/memory.events",
	    "low 0\nhigh 0\nmax 0\noom 2\noom_kill 2\noom_group_kill 0\n");
	put(t->sys, "berth/abc/io.stat",
	    "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n"
	    "253:1 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=512 dios=1\n");
	put(t->sys, "berth/abc/pids.current", "3\n");
	put(t->sys, "berth/abc/pids.max", "max\n");
	put(t->sys, "berth/abc/cgroup.procs", "4242\n4250\n4251\n");
}

static void test_stats_v2(void **state)
{
	struct tree *t = *state;
	layout_v2(t);
	v2_files(t);
	struct ctrstats_sample s;
	ctrstats_take(&t->env, PID, &s);
	assert_true(s.read_ns > 0);
	assert_int_equal(jint(s.cpu, "cpu_usage.total_usage"), 5000000);
	assert_int_equal(jint(s.cpu, "cpu_usage.usage_in_usermode"), 3000000);
	assert_int_equal(jint(s.cpu, "cpu_usage.usage_in_kernelmode"), 2000000);
	assert_null(json_object_get(json_object_get(s.cpu, "cpu_usage"), "percpu_usage"));
	assert_int_equal(jint(s.cpu, "throttling_data.periods"), 10);
	assert_int_equal(jint(s.cpu, "throttling_data.throttled_periods"), 2);
	assert_int_equal(jint(s.cpu, "throttling_data.throttled_time"), 700000);
	assert_int_equal(jint(s.mem, "usage"), 1048576);
	assert_int_equal(jint(s.mem, "limit"), 67108864);
	assert_null(json_object_get(s.mem, "max_usage"));
	assert_int_equal(jint(s.mem, "failcnt"), 2);
	/* the CLI subtracts stats.inactive_file on v2 */
	assert_int_equal(jint(s.mem, "stats.inactive_file"), 8192);
	assert_int_equal(jint(s.mem, "stats.anon"), 4096);
	assert_int_equal(jint(s.mem, "stats.slab"), 300);
	/* dockerd's fixed key set: missing ones 0, others not there */
	assert_int_equal(jint(s.mem, "stats.thp_collapse_alloc"), 0);
	assert_null(json_object_get(json_object_get(s.mem, "stats"), "percpu"));
	assert_null(json_object_get(json_object_get(s.mem, "stats"), "total_inactive_file"));
	json_t *b = json_object_get(s.blkio, "io_service_bytes_recursive");
	assert_int_equal(json_array_size(b), 4);
	cleanup_free char *b0 = json_dumps(json_array_get(b, 1), JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(b0, "{\"major\":8,\"minor\":0,\"op\":\"write\",\"value\":8192}");
	cleanup_free char *b2 = json_dumps(json_array_get(b, 2), JSON_SORT_KEYS | JSON_COMPACT);
	assert_string_equal(b2, "{\"major\":253,\"minor\":1,\"op\":\"read\",\"value\":1}");
	assert_true(json_is_null(json_object_get(s.blkio, "io_serviced_recursive")));
	assert_int_equal(jint(s.pids, "current"), 3);
	assert_null(json_object_get(s.pids, "limit"));
	ctrstats_sample_clear(&s);

	/* unlimited memory: the host's; limited pids; no io, no OOM */
	put(t->sys, "berth/abc/memory.max", "max\n");
	put(t->sys, "berth/abc/pids.max", "100\n");
	put(t->sys, "berth/abc/io.stat", "");
	put(t->sys, "berth/abc/memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n");
	ctrstats_take(&t->env, PID, &s);
	assert_true(jint(s.mem, "limit") > 67108864);
	assert_null(json_object_get(s.mem, "failcnt"));
	assert_true(json_is_null(json_object_get(s.blkio, "io_service_bytes_recursive")));
	assert_int_equal(jint(s.pids, "limit"), 100);
	ctrstats_sample_clear(&s);

	/* a nested cgroup (systemd in the container) counts too */
	put(t->sys, "berth/abc/init.scope/cgroup.procs", "4260\n");
	put(t->sys, "berth/abc/init.scope/cgroup.controllers", "");
	size_t n = 0;
	cleanup_free pid_t *pids = ctrstats_pids(&t->env, PID, &n);
	assert_int_equal(n, 4);
	assert_int_equal(pids[0], 4242);
	assert_int_equal(pids[2], 4251);
	assert_int_equal(pids[3], 4260);
	/* a gone cgroup: just init */
	cleanup_free pid_t *one = ctrstats_pids(&t->env, 999999, &n);
	assert_int_equal(n, 1);
	assert_int_equal(one[0], 999999);
}

static void test_stats_v1(void **state)
{
	struct tree *t = *state;
	layout_v1(t);
	put(t->sys, "cpu,cpuacct/berth/abc/cpuacct.usage", "123456\n");
	put(t->sys, "cpu,cpuacct/berth/abc/cpuacct.usage_percpu", "100000 23456 \n");
	put(t->sys, "cpu,cpuacct/berth/abc/cpuacct.stat", "user 10\nsystem 5\n");
	put(t->sys, "cpu,cpuacct/berth/abc/cpu.stat",
	    "nr_periods 4\nnr_throttled 1\nthrottled_time 999\n");
	put(t->sys, "memory/berth/abc/memory.usage_in_bytes", "2097152\n");
	put(t->sys, "memory/berth/abc/memory.max_usage_in_bytes", "4194304\n");
	put(t->sys, "memory/berth/abc/memory.limit_in_bytes", "33554432\n");
	put(t->sys, "memory/berth/abc/memory.failcnt", "0\n");
	put(t->sys, "memory/berth/abc/memory.stat",
	    "cache 8192\nrss 4096\ninactive_file 8192\ntotal_inactive_file 8192\n"
	    "total_rss 4096\n");
	put(t->sys, "blkio/berth/abc/blkio.io_service_bytes_recursive", "Total 0\n");
	put(t->sys, "blkio/berth/abc/blkio.throttle.io_service_bytes_recursive",
	    "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 12288\n8:0 Discard 0\n"
	    "8:0 Total 12288\nTotal 12288\n");
	put(t->sys, "blkio/berth/abc/blkio.throttle.io_serviced_recursive",
	    "8:0 Read 1\n8:0 Write 2\nTotal 3\n");
	put(t->sys, "pids/berth/abc/pids.current", "2\n");
	put(t->sys, "pids/berth/abc/pids.max", "max\n");
	put(t->sys, "pids/berth/abc/cgroup.procs", "4242\n4243\n");
	struct ctrstats_sample s;
	ctrstats_take(&t->env, PID, &s);
	assert_int_equal(jint(s.cpu, "cpu_usage.total_usage"), 123456);
	assert_int_equal(
	    json_array_size(json_object_get(json_object_get(s.cpu, "cpu_usage"), "percpu_usage")),
	    2);
	long hz = sysconf(_SC_CLK_TCK);
	assert_int_equal(jint(s.cpu, "cpu_usage.usage_in_usermode"), 10 * (1000000000 / hz));
	assert_int_equal(jint(s.cpu, "throttling_data.throttled_time"), 999);
	assert_int_equal(jint(s.mem, "usage"), 2097152);
	assert_int_equal(jint(s.mem, "max_usage"), 4194304);
	assert_int_equal(jint(s.mem, "limit"), 33554432);
	assert_null(json_object_get(s.mem, "failcnt"));
	/* the CLI subtracts stats.total_inactive_file on v1 */
	assert_int_equal(jint(s.mem, "stats.total_inactive_file"), 8192);
	json_t *b = json_object_get(s.blkio, "io_service_bytes_recursive");
	assert_int_equal(json_array_size(b), 6);
	assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "op")), "Read");
	assert_int_equal(json_array_size(json_object_get(s.blkio, "io_serviced_recursive")), 2);
	assert_true(json_is_array(json_object_get(s.blkio, "sectors_recursive")));
	assert_int_equal(jint(s.pids, "current"), 2);
	ctrstats_sample_clear(&s);
	size_t n = 0;
	cleanup_free pid_t *pids = ctrstats_pids(&t->env, PID, &n);
	assert_int_equal(n, 2);
	assert_int_equal(pids[1], 4243);
}

/* hybrid with pids on the cgroup2 mount (no v1 pids line): top and
 * pids_stats read it there; memory stays v1 */
static void test_stats_hybrid(void **state)
{
	struct tree *t = *state;
	put(t->proc, "4242/cgroup",
	    "11:memory:/berth/abc\n10:cpu,cpuacct:/berth/abc\n1:name=systemd:/user.slice\n"
	    "0::/berth/abc\n");
	dir_in(t->sys, "memory/berth/abc");
	dir_in(t->sys, "cpu,cpuacct/berth/abc");
	put(t->sys, "unified/cgroup.controllers", "hugetlb pids io\n");
	put(t->sys, "unified/berth/abc/pids.current", "5\n");
	put(t->sys, "unified/berth/abc/pids.max", "64\n");
	put(t->sys, "unified/berth/abc/cgroup.procs", "4242\n4243\n4244\n");
	put(t->sys, "unified/berth/abc/io.stat", "8:16 rbytes=512 wbytes=1024 rios=1 wios=1\n");
	put(t->sys, "memory/berth/abc/memory.usage_in_bytes", "7\n");
	put(t->sys, "memory/berth/abc/memory.limit_in_bytes", "33554432\n");
	struct ctrstats_sample s;
	ctrstats_take(&t->env, PID, &s);
	assert_int_equal(jint(s.pids, "current"), 5);
	assert_int_equal(jint(s.pids, "limit"), 64);
	assert_int_equal(jint(s.mem, "usage"), 7);
	assert_int_equal(jint(s.mem, "max_usage"), 0);
	json_t *b = json_object_get(s.blkio, "io_service_bytes_recursive");
	assert_int_equal(json_array_size(b), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 1), "value")), 1024);
	ctrstats_sample_clear(&s);
	size_t n = 0;
	cleanup_free pid_t *pids = ctrstats_pids(&t->env, PID, &n);
	assert_int_equal(n, 3);
}

/* not running: dockerd's zero object */
static void test_stats_none(void **state)
{
	(void)state;
	struct ctrstats_sample s;
	ctrstats_take(NULL, 0, &s);
	assert_int_equal(s.read_ns, 0);
	assert_true(json_is_null(json_object_get(s.blkio, "io_service_bytes_recursive")));
	assert_int_equal(json_object_size(s.mem), 0);
	ctrstats_sample_clear(&s);
}

/* ---- specgen ---- */

static void check_on(struct tree *t, const char *hc_text, json_t **hc, char ***warnings,
		     int want_rc)
{
	cleanup_free char *self = xasprintf("%s/self-cgroup", t->proc);
	struct specgen_host host = {t->sys, self};
	*hc = tu_json(hc_text);
	struct berth_error *err = NULL;
	int rc = specgen_check_hostconfig_on(*hc, &host, warnings, &err);
	if (rc != want_rc)
		fail_msg("%s: rc %d, want %d (%s)", hc_text, rc, want_rc,
			 err && err->msg ? err->msg : "");
	berth_error_free(&err);
}

static bool has_warning(char **w, const char *part)
{
	for (size_t i = 0; w && w[i]; i++)
		if (strstr(w[i], part))
			return true;
	return false;
}

static void test_specgen_v2(void **state)
{
	struct tree *t = *state;
	layout_v2(t);
	put(t->proc, "self-cgroup", "0::/system.slice/berthd.service\n");
	put(t->sys, "system.slice/berthd.service/memory.swap.max", "max\n");
	cleanup_json json_t *hc = NULL;
	cleanup_strv char **w = NULL;
	check_on(t, "{'Memory':67108864}", &hc, &w, 0);
	assert_string_equal(json_string_value(json_object_get(hc, "CgroupnsMode")), "private");
	/* docker's default swap (twice Memory): memory.swap.max exists */
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")), 134217728);
	assert_null(w);
	json_decref(hc);

	check_on(t,
		 "{'MemorySwappiness':10,'OomKillDisable':true,'KernelMemory':8388608,"
		 "'CgroupnsMode':'host'}",
		 &hc, &w, 0);
	assert_true(json_is_null(json_object_get(hc, "MemorySwappiness")));
	assert_true(json_is_null(json_object_get(hc, "OomKillDisable")));
	assert_int_equal(json_integer_value(json_object_get(hc, "KernelMemory")), 0);
	assert_string_equal(json_string_value(json_object_get(hc, "CgroupnsMode")), "host");
	assert_true(has_warning(w, "Memory swappiness discarded"));
	assert_true(has_warning(w, "OomKillDisable discarded"));
	assert_true(has_warning(w, "kernel memory limit capabilities"));
	json_decref(hc);
	cleanup_strv_fn(&w);
	w = NULL;

	/* the CLI's OomKillDisable:false and swappiness -1: no warnings */
	check_on(t, "{'MemorySwappiness':-1,'OomKillDisable':false}", &hc, &w, 0);
	assert_null(w);
	json_decref(hc);

	check_on(t, "{'CpuRealtimePeriod':1000000}", &hc, &w, -1);
	json_decref(hc);

	/* no swap accounting (swapaccount=0): docker's warning, no swap limit */
	put(t->proc, "self-cgroup", "0::/\n");
	check_on(t, "{'Memory':67108864,'MemorySwap':134217728}", &hc, &w, 0);
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")), -1);
	assert_true(has_warning(w, "does not support swap limit"));
	json_decref(hc);
	hc = NULL;
}

static void test_specgen_v1_hybrid(void **state)
{
	struct tree *t = *state;
	layout_hybrid(t, "hugetlb\n");
	put(t->proc, "self-cgroup", v1_lines);
	put(t->sys, "memory/memory.memsw.limit_in_bytes", "9223372036854771712\n");
	cleanup_json json_t *hc = NULL;
	cleanup_strv char **w = NULL;
	check_on(t, "{'Memory':67108864,'MemorySwappiness':10,'OomKillDisable':true}", &hc, &w, 0);
	assert_string_equal(json_string_value(json_object_get(hc, "CgroupnsMode")), "host");
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwappiness")), 10);
	assert_true(json_is_true(json_object_get(hc, "OomKillDisable")));
	assert_int_equal(json_integer_value(json_object_get(hc, "MemorySwap")), 134217728);
	assert_null(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_locate_v2, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_locate_v1, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_locate_hybrid, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_oom_watch_v2, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_oom_watch_v1, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_stats_v2, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_stats_v1, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_stats_hybrid, tree_setup, tree_teardown),
	    cmocka_unit_test(test_stats_none),
	    cmocka_unit_test(test_real_host),
	    cmocka_unit_test_setup_teardown(test_specgen_v2, tree_setup, tree_teardown),
	    cmocka_unit_test_setup_teardown(test_specgen_v1_hybrid, tree_setup, tree_teardown),
	};
	return tu_run("ctr-cgroup", tests, ARRAY_SIZE(tests));
}
