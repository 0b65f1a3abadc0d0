/* Unit tests of the cgroup v2 driver (lib/runtime/cgroup-v2.c) on fake
 * trees, pure v2 and the cgroup2 part of a hybrid host: controllers enabled
 * in the ancestors, the exact files and values written, runc's conversions,
 * bad inputs, freeze (write side), stats and the OOM inotify watch. */
#include "test-cgroup-util.h"

#include <poll.h>

static void test_conversions(void **state)
{
	(void)state;
	assert_int_equal(cgroup_shares_to_weight(0), 0);
	assert_int_equal(cgroup_shares_to_weight(1), 1);
	assert_int_equal(cgroup_shares_to_weight(2), 1);
	assert_int_equal(cgroup_shares_to_weight(1024), 39);
	assert_int_equal(cgroup_shares_to_weight(262144), 10000);
	assert_int_equal(cgroup_shares_to_weight(1 << 20), 10000);
	assert_int_equal(cgroup_blkio_to_io_weight(0), 0);
	assert_int_equal(cgroup_blkio_to_io_weight(10), 1);
	assert_int_equal(cgroup_blkio_to_io_weight(500), 4950);
	assert_int_equal(cgroup_blkio_to_io_weight(1000), 10000);
}

static void test_apply_all(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	struct cgroup *cg = fake_cgroup(f, "/berth/c1", "{'memory': {'limit': 1}}");
	/* every ancestor delegates every controller (as runc on v2) */
	EXPECT_WRITES(f, "cgroup.subtree_control=+cpu", "cgroup.subtree_control=+cpuset",
		      "cgroup.subtree_control=+memory", "cgroup.subtree_control=+io",
		      "cgroup.subtree_control=+pids", "cgroup.subtree_control=+hugetlb",
		      "cgroup.subtree_control=+rdma", "berth/cgroup.subtree_control=+cpu",
		      "berth/cgroup.subtree_control=+cpuset",
		      "berth/cgroup.subtree_control=+memory", "berth/cgroup.subtree_control=+io",
		      "berth/cgroup.subtree_control=+pids", "berth/cgroup.subtree_control=+hugetlb",
		      "berth/cgroup.subtree_control=+rdma");
	assert_string_equal(cg->dirs[0].created + strlen(f->cgroot), "/berth");
	fake_apply(cg,
		   "{'memory': {'limit': 67108864, 'reservation': 33554432, 'swap': 134217728},"
		   " 'cpu': {'shares': 1024, 'quota': 50000, 'period': 100000, 'burst': 1000,"
		   "  'idle': 1, 'cpus': '0-1', 'mems': '0'},"
		   " 'pids': {'limit': 100},"
		   " 'blockIO': {'weight': 500, 'weightDevice': [{'major': 8, 'minor': 0,"
		   "  'weight': 1000}],"
		   "  'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
		   "  'throttleWriteBpsDevice': [{'major': 8, 'minor': 0, 'rate': 2097152}],"
		   "  'throttleReadIOPSDevice': [{'major': 8, 'minor': 16, 'rate': 100}],"
		   "  'throttleWriteIOPSDevice': [{'major': 8, 'minor': 16, 'rate': 50}]},"
		   " 'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
		   " 'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c',"
		   "  'major': 1, 'minor': 3, 'access': 'rwm'}],"
		   " 'rdma': {'mlx5_1': {'hcaHandles': 3}},"
		   " 'unified': {'memory.high': '60000000'}}");
	EXPECT_WRITES(
	    f, "berth/c1/pids.max=100", "berth/c1/memory.swap.max=67108864",
	    "berth/c1/memory.max=67108864", "berth/c1/memory.low=33554432",
	    "berth/c1/io.weight=4950", "berth/c1/io.weight=8:0 10000",
	    "berth/c1/io.max=8:0 rbps=1048576", "berth/c1/io.max=8:0 wbps=2097152",
	    "berth/c1/io.max=8:16 riops=100", "berth/c1/io.max=8:16 wiops=50",
	    "berth/c1/cpu.idle=1", "berth/c1/cpu.weight=39", "berth/c1/cpu.max.burst=1000",
	    "berth/c1/cpu.max=50000 100000", "berth/c1/cpuset.cpus=0-1", "berth/c1/cpuset.mems=0",
	    "berth/c1/hugetlb.2MB.max=209715200", "berth/c1/hugetlb.2MB.rsvd.max=209715200",
	    "berth/c1/rdma.max=mlx5_1 hca_handle=3", "berth/c1/memory.high=60000000");
	/* the device program went to the container's directory */
	assert_string_equal(f->prog_dir, "/berth/c1");
	assert_true(f->nprog > 8);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	assert_false(fake_exists(f, "berth"));
	cgroup_free(cg);
	fake_free(f);
}

static void test_memory_cpu_variants(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	/* memory == memory+swap: no swap at all */
	fake_apply(cg, "{'memory': {'limit': 67108864, 'swap': 67108864}}");
	EXPECT_WRITES(f, "c1/memory.swap.max=0", "c1/memory.max=67108864");
	/* unlimited memory, swap not given: unlimited swap too */
	fake_apply(cg, "{'memory': {'limit': -1}}");
	EXPECT_WRITES(f, "c1/memory.swap.max=max", "c1/memory.max=max");
	fake_apply(cg, "{'memory': {'limit': 1048576, 'swap': -1}}");
	EXPECT_WRITES(f, "c1/memory.swap.max=max", "c1/memory.max=1048576");
	fake_apply(cg, "{'memory': {'limit': 1048576}}");
	EXPECT_WRITES(f, "c1/memory.max=1048576");
	fake_apply_fails(cg, "{'memory': {'swap': 1048576}}",
			 "linux.resources.memory.swap: a swap limit needs a memory limit");
	/* swappiness and disableOOMKiller have no v2 file: a warning */
	fake_apply(cg, "{'memory': {'swappiness': 0, 'disableOOMKiller': true}}");
	EXPECT_NO_WRITES(f);
	fake_set(f, "c1/memory.current", "100000000\n");
	fake_apply_fails(
	    cg, "{'memory': {'limit': 50000000, 'checkBeforeUpdate': true}}",
	    "linux.resources.memory.limit: 50000000 is below the current usage 100000000");
	/* no swap accounting: "max" and "0" hold anyway, a number does not */
	char *p = fake_path(cg->dirs[0].path, "memory.swap.max");
	assert_int_equal(unlink(p), 0);
	free(p);
	fake_apply(cg, "{'memory': {'limit': -1}}");
	EXPECT_WRITES(f, "c1/memory.max=max");
	fake_apply_fails(cg, "{'memory': {'limit': 1048576, 'swap': 3145728}}",
			 "write 2097152 to ");
	fake_clear_log(f);
	/* cpu.max */
	fake_apply(cg, "{'cpu': {'quota': -1, 'period': 100000}}");
	EXPECT_WRITES(f, "c1/cpu.max=max 100000");
	fake_apply(cg, "{'cpu': {'quota': 25000}}");
	EXPECT_WRITES(f, "c1/cpu.max=25000");
	fake_apply(cg, "{'cpu': {'period': 200000}}");
	EXPECT_WRITES(f, "c1/cpu.max=max 200000");
	fake_apply(cg, "{'cpu': {'shares': 2}}");
	EXPECT_WRITES(f, "c1/cpu.weight=1");
	fake_apply_fails(cg, "{'cpu': {'realtimePeriod': 1000000}}",
			 "linux.resources.cpu.realtimePeriod: realtime scheduling limits are not "
			 "supported on cgroup v2");
	/* pids */
	fake_apply(cg, "{'pids': {'limit': -1}}");
	EXPECT_WRITES(f, "c1/pids.max=max");
	/* blkio leaf weights do not exist on v2 */
	fake_apply(cg, "{'blockIO': {'leafWeight': 100}}");
	EXPECT_NO_WRITES(f);
	/* unified: a file that is not there names the key */
	fake_apply_fails(cg, "{'unified': {'memory.oom.group': '1'}}",
			 "linux.resources.unified.memory.oom.group: no such file in ");
	fake_apply_fails(
	    cg, "{'hugepageLimits': [{'pageSize': '16GB', 'limit': 0}]}",
	    "linux.resources.hugepageLimits[0].pageSize: 16GB pages are not supported");
	EXPECT_NO_WRITES(f);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_bfq(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	f->bfq = true;
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	/* BFQ takes blkio weights unconverted */
	fake_apply(cg, "{'blockIO': {'weight': 500, 'weightDevice': [{'major': 8, 'minor': 0,"
		       " 'weight': 100}]}}");
	EXPECT_WRITES(f, "c1/io.bfq.weight=500", "c1/io.bfq.weight=8:0 100");
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

/* Hybrid (this machine at boot): hugetlb on cgroup2, the rest on v1. */
static void test_hybrid(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_HYBRID, "/");
	/* no v2 controller needed: nothing is enabled on the cgroup2 side */
	struct cgroup *cg = fake_cgroup(f, "/c0", "{'pids': {'limit': 5}}");
	EXPECT_WRITES(f, "cpuset/c0/cpuset.cpus=0-3", "cpuset/c0/cpuset.mems=0");
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	/* hugepage limits: only hugetlb is delegated on the cgroup2 mount */
	const char *res = "{'hugepageLimits': [{'pageSize': '2MB', 'limit': 4194304}],"
			  " 'unified': {'hugetlb.1GB.max': '0'},"
			  " 'devices': [{'allow': false, 'access': 'rwm'}]}";
	cg = fake_cgroup(f, "/c1", res);
	EXPECT_WRITES(f, "cpuset/c1/cpuset.cpus=0-3", "cpuset/c1/cpuset.mems=0",
		      "unified/cgroup.subtree_control=+hugetlb");
	fake_apply(cg, res);
	/* devices stay on v1 here: no eBPF program */
	EXPECT_WRITES(f, "devices/c1/devices.deny=a", "unified/c1/hugetlb.2MB.max=4194304",
		      "unified/c1/hugetlb.2MB.rsvd.max=4194304", "unified/c1/hugetlb.1GB.max=0");
	assert_null(f->prog);
	/* freeze uses the v1 freezer */
	assert_int_equal(cgroup_freeze(cg, true, &err), 0);
	EXPECT_WRITES(f, "freezer/c1/freezer.state=FROZEN");
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	assert_false(fake_exists(f, "unified/c1"));
	cgroup_free(cg);
	fake_free(f);
}

static void test_freeze(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	struct berth_error *err = NULL;
	assert_false(cgroup_is_frozen(cg));
	/* the kernel would report "frozen 1" once every task stopped */
	fake_set(f, "c1/cgroup.events", "populated 1\nfrozen 1\n");
	assert_int_equal(cgroup_freeze(cg, true, &err), 0);
	EXPECT_WRITES(f, "c1/cgroup.freeze=1");
	assert_true(cgroup_is_frozen(cg));
	fake_set(f, "c1/cgroup.events", "populated 1\nfrozen 0\n");
	assert_int_equal(cgroup_freeze(cg, false, &err), 0);
	EXPECT_WRITES(f, "c1/cgroup.freeze=0");
	assert_false(cgroup_is_frozen(cg));
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_stats(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_set(f, "c1/memory.current", "4096\n");
	fake_set(f, "c1/memory.max", "67108864\n");
	fake_set(f, "c1/memory.events", "low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n");
	fake_set(f, "c1/memory.swap.current", "1024\n");
	fake_set(f, "c1/memory.swap.max", "max\n");
	fake_set(f, "c1/memory.stat", "anon 2048\nfile 512\n");
	fake_set(f, "c1/cpu.stat",
		 "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
		 "nr_periods 8\nnr_throttled 2\nthrottled_usec 30\n");
	fake_set(f, "c1/pids.current", "2\n");
	fake_set(f, "c1/io.stat", "8:0 rbytes=4096 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n");
	fake_set(f, "c1/hugetlb.2MB.current", "2097152\n");
	fake_set(f, "c1/hugetlb.2MB.events", "max 3\n");
	json_t *s = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_stats(cg, &s, &err), 0);
	json_t *want = tu_json(
	    "{'memory': {'usage': {'usage': 4096, 'failcnt': 7, 'limit': 67108864},"
	    "  'swap': {'usage': 5120, 'failcnt': 0, 'limit': 9223372036854775807},"
	    "  'cache': 512, 'raw': {'anon': 2048, 'file': 512}},"
	    " 'cpu': {'usage': {'total': 1500000, 'kernel': 500000, 'user': 1000000},"
	    "  'throttling': {'periods': 8, 'throttledPeriods': 2, 'throttledTime': 30000}},"
	    " 'pids': {'current': 2},"
	    " 'blkio': {'ioServiceBytesRecursive': [{'major': 8, 'op': 'Read', 'value': 4096},"
	    "  {'major': 8, 'op': 'Write'}], 'ioServicedRecursive': [{'major': 8, 'op': 'Read',"
	    "  'value': 1}, {'major': 8, 'op': 'Write'}]},"
	    " 'hugetlb': {'2MB': {'usage': 2097152, 'failcnt': 3}}}");
	if (!json_equal(s, want)) {
		char *a = json_dumps(s, JSON_SORT_KEYS), *b = json_dumps(want, JSON_SORT_KEYS);
		fail_msg("stats\n got  %s\n want %s", a, b);
	}
	json_decref(want);
	json_decref(s);
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_oom(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	struct berth_error *err = NULL;
	int fd = cgroup_oom_fd(cg, &err);
	assert_true(fd >= 0);
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 0);
	/* memory.events changes: the fd wakes up, the check compares oom_kill */
	fake_set(f, "c1/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 0\n");
	assert_int_equal(poll(&p, 1, 1000), 1);
	bool oom = true;
	assert_int_equal(cgroup_oom_check(cg, fd, &oom, &err), 0);
	assert_false(oom);
	assert_int_equal(poll(&p, 1, 0), 0);
	fake_set(f, "c1/memory.events", "low 0\nhigh 0\nmax 9\noom 2\noom_kill 1\n");
	assert_int_equal(poll(&p, 1, 1000), 1);
	assert_int_equal(cgroup_oom_check(cg, fd, &oom, &err), 0);
	assert_true(oom);
	close(fd);
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_conversions),
	    cmocka_unit_test(test_apply_all),
	    cmocka_unit_test(test_memory_cpu_variants),
	    cmocka_unit_test(test_bfq),
	    cmocka_unit_test(test_hybrid),
	    cmocka_unit_test(test_freeze),
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_oom),
	};
	return tu_run("cgroup-v2", tests, ARRAY_SIZE(tests));
}
