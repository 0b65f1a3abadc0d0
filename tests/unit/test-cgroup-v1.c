/* Unit tests of the cgroup v1 driver (lib/runtime/cgroup-v1.c and the v1
 * side of cgroup-devices.c) on fake trees: the exact files and values
 * written for every resource, runc's write orders, bad inputs, freezer,
 * stats and the OOM eventfd. */
#include "test-cgroup-util.h"

#include <poll.h>

static void test_apply_all(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	EXPECT_WRITES(f, "cpuset/c1/cpuset.cpus=0-3", "cpuset/c1/cpuset.mems=0");
	fake_apply(
	    cg, "{'memory': {'limit': 67108864, 'reservation': 33554432, 'swap': 134217728,"
		"  'swappiness': 10, 'disableOOMKiller': true, 'kernel': 1, 'kernelTCP': 2},"
		" 'cpu': {'shares': 512, 'quota': 50000, 'period': 100000, 'burst': 1000,"
		"  'idle': 0, 'realtimeRuntime': 950000, 'realtimePeriod': 1000000,"
		"  'cpus': '0-1', 'mems': '0'},"
		" 'pids': {'limit': 100},"
		" 'blockIO': {'weight': 300, 'leafWeight': 200, 'weightDevice': [{'major': 8,"
		"  'minor': 0, 'weight': 500, 'leafWeight': 50}],"
		"  'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
		"  'throttleWriteBpsDevice': [{'major': 8, 'minor': 16, 'rate': 2097152}],"
		"  'throttleReadIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 100}],"
		"  'throttleWriteIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 50}]},"
		" 'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200}],"
		" 'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 5},"
		"  {'name': 'lo', 'priority': 1}]},"
		" 'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c',"
		"  'major': 1, 'minor': 3, 'access': 'rwm'}, {'allow': true, 'type': 'c',"
		"  'major': 1, 'minor': 5, 'access': 'r'}],"
		" 'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}}}");
	EXPECT_WRITES(
	    f, "cpu,cpuacct/c1/cpu.shares=512", "cpu,cpuacct/c1/cpu.cfs_period_us=100000",
	    "cpu,cpuacct/c1/cpu.cfs_quota_us=50000", "cpu,cpuacct/c1/cpu.cfs_burst_us=1000",
	    "cpu,cpuacct/c1/cpu.idle=0", "cpu,cpuacct/c1/cpu.rt_period_us=1000000",
	    "cpu,cpuacct/c1/cpu.rt_runtime_us=950000", "cpuset/c1/cpuset.cpus=0-1",
	    "cpuset/c1/cpuset.mems=0", "memory/c1/memory.limit_in_bytes=67108864",
	    "memory/c1/memory.memsw.limit_in_bytes=134217728",
	    "memory/c1/memory.soft_limit_in_bytes=33554432", "memory/c1/memory.oom_control=1",
	    "memory/c1/memory.swappiness=10", "devices/c1/devices.deny=a",
	    "devices/c1/devices.allow=c 1:3 rwm", "devices/c1/devices.allow=c 1:5 r",
	    "blkio/c1/blkio.weight=300", "blkio/c1/blkio.leaf_weight=200",
	    "blkio/c1/blkio.weight_device=8:0 500", "blkio/c1/blkio.leaf_weight_device=8:0 50",
	    "blkio/c1/blkio.throttle.read_bps_device=8:0 1048576",
	    "blkio/c1/blkio.throttle.write_bps_device=8:16 2097152",
	    "blkio/c1/blkio.throttle.read_iops_device=8:0 100",
	    "blkio/c1/blkio.throttle.write_iops_device=8:0 50", "pids/c1/pids.max=100",
	    "net_cls,net_prio/c1/net_cls.classid=1048577",
	    "net_cls,net_prio/c1/net_prio.ifpriomap=eth0 5",
	    "net_cls,net_prio/c1/net_prio.ifpriomap=lo 1",
	    "rdma/c1/rdma.max=mlx5_1 hca_handle=3 hca_object=10000",
	    "hugetlb/c1/hugetlb.2MB.limit_in_bytes=209715200",
	    "hugetlb/c1/hugetlb.2MB.rsvd.limit_in_bytes=209715200");
	/* an update writes only what it sets */
	fake_apply(cg, "{'pids': {'limit': 0}}");
	EXPECT_WRITES(f, "pids/c1/pids.max=max");
	fake_apply(cg, "{'pids': {'limit': -1}, 'cpu': {'quota': -1}}");
	EXPECT_WRITES(f, "cpu,cpuacct/c1/cpu.cfs_quota_us=-1", "pids/c1/pids.max=max");
	fake_apply(cg, "{}");
	EXPECT_NO_WRITES(f);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

/* runc's setMemoryAndSwap orders */
static void test_memory_swap_order(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	fake_set(f, "memory/c1/memory.limit_in_bytes", "67108864\n");
	/* growing: swap (memory+swap) first, or the kernel refuses the limit */
	fake_apply(cg, "{'memory': {'limit': 268435456, 'swap': 536870912}}");
	EXPECT_WRITES(f, "memory/c1/memory.memsw.limit_in_bytes=536870912",
		      "memory/c1/memory.limit_in_bytes=268435456");
	/* shrinking: the limit first */
	fake_apply(cg, "{'memory': {'limit': 33554432, 'swap': 67108864}}");
	EXPECT_WRITES(f, "memory/c1/memory.limit_in_bytes=33554432",
		      "memory/c1/memory.memsw.limit_in_bytes=67108864");
	/* unlimited memory without a swap value: swap unlimited too */
	fake_apply(cg, "{'memory': {'limit': -1}}");
	EXPECT_WRITES(f, "memory/c1/memory.memsw.limit_in_bytes=-1",
		      "memory/c1/memory.limit_in_bytes=-1");
	/* zero is "not set" */
	fake_apply(cg, "{'memory': {'limit': 0, 'reservation': 0}}");
	EXPECT_NO_WRITES(f);
	/* checkBeforeUpdate: not below the current usage */
	fake_set(f, "memory/c1/memory.usage_in_bytes", "100000000\n");
	fake_apply_fails(cg, "{'memory': {'limit': 50000000, 'checkBeforeUpdate': true}}",
			 "linux.resources.memory.limit: 50000000 is below the current usage "
			 "100000000 of ");
	EXPECT_NO_WRITES(f);
	fake_apply(cg, "{'memory': {'limit': 200000000, 'checkBeforeUpdate': true}}");
	EXPECT_WRITES(f, "memory/c1/memory.limit_in_bytes=200000000");
	/* no swap accounting on this host */
	char *p = fake_path(cg->dirs[2].path, "memory.memsw.limit_in_bytes");
	assert_int_equal(unlink(p), 0);
	free(p);
	fake_apply_fails(
	    cg, "{'memory': {'limit': 1048576, 'swap': 2097152}}",
	    "linux.resources.memory.swap: swap accounting is not enabled on this host");
	fake_apply(cg, "{'memory': {'limit': -1}}");
	EXPECT_WRITES(f, "memory/c1/memory.limit_in_bytes=-1");
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_cpu_and_blkio_variants(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	f->max_shares = 262144;
	f->bfq = true;
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	/* the kernel clamps cpu.shares; runc reports it */
	fake_apply_fails(cg, "{'cpu': {'shares': 500000}}",
			 "linux.resources.cpu.shares: 500000 is out of range, the maximum allowed "
			 "is 262144");
	fake_clear_log(f);
	/* only a period: written alone */
	fake_apply(cg, "{'cpu': {'period': 50000}}");
	EXPECT_WRITES(f, "cpu,cpuacct/c1/cpu.cfs_period_us=50000");
	/* BFQ's weight files when the kernel has them */
	fake_apply(cg, "{'blockIO': {'weight': 100, 'weightDevice': [{'major': 8, 'minor': 0,"
		       " 'weight': 10}]}}");
	EXPECT_WRITES(f, "blkio/c1/blkio.bfq.weight=100",
		      "blkio/c1/blkio.bfq.weight_device=8:0 10");
	/* a page size the kernel does not have */
	fake_apply_fails(cg, "{'hugepageLimits': [{'pageSize': '4MB', 'limit': 1}]}",
			 "linux.resources.hugepageLimits[0].pageSize: 4MB pages are not "
			 "supported on this host (no ");
	/* unified is cgroup v2 only */
	fake_apply_fails(cg, "{'unified': {'pids.max': '10'}}",
			 "linux.resources.unified.pids.max: cgroup v2 is not available on this "
			 "host (cgroup v1)");
	EXPECT_NO_WRITES(f);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void devices_case(struct fake *f, struct cgroup *cg, const char *rules,
			 const char *const *want)
{
	char json[1024];
	snprintf(json, sizeof(json), "{'devices': %s}", rules);
	fake_apply(cg, json);
	fake_expect_writes(f, want);
}

static void test_devices_order(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	/* rules are applied in order, a deny-all first */
	devices_case(f, cg, "[]", (const char *const[]){"devices/c1/devices.deny=a", NULL});
	devices_case(f, cg, "[{'allow': true, 'access': 'rwm'}]",
		     (const char *const[]){"devices/c1/devices.allow=a", NULL});
	devices_case(f, cg,
		     "[{'allow': false}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3},"
		     " {'allow': false, 'type': 'c', 'major': 1, 'minor': 3, 'access': 'w'},"
		     " {'allow': true, 'type': 'b', 'major': 8, 'access': 'r'},"
		     " {'allow': true, 'type': 'b', 'major': 8, 'access': 'w'}]",
		     (const char *const[]){"devices/c1/devices.deny=a",
					   "devices/c1/devices.allow=c 1:3 rm",
					   "devices/c1/devices.allow=b 8:* rw", NULL});
	/* a later "a" rule resets what came before it */
	devices_case(f, cg,
		     "[{'allow': false}, {'allow': true, 'type': 'c', 'major': 1, 'minor': 3},"
		     " {'allow': true}, {'allow': false, 'type': 'c', 'major': 5, 'minor': 1}]",
		     (const char *const[]){"devices/c1/devices.allow=a",
					   "devices/c1/devices.deny=c 5:1 rwm", NULL});
	/* punching a hole into a wildcard exception: an error, not a silent no-op */
	fake_apply_fails(cg,
			 "{'devices': [{'allow': false}, {'allow': true, 'type': 'c', 'access': "
			 "'m'}, {'allow': false, 'type': 'c', 'major': 1, 'minor': 3, 'access': "
			 "'m'}]}",
			 "linux.resources.devices[2]: rule \"c 1:3 m\" only partly overlaps the "
			 "earlier wildcard rule \"c *:* m\"");
	EXPECT_NO_WRITES(f);
	/* what create applies for a `runc spec` config */
	struct oci_resources *r = fake_res("{'devices': [{'allow': false, 'access': 'rwm'}]}");
	oci_resources_add_default_devices(r, NULL, 0);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_apply(cg, r, &err), 0);
	oci_resources_free(r);
	EXPECT_WRITES(f, "devices/c1/devices.deny=a", "devices/c1/devices.allow=c *:* m",
		      "devices/c1/devices.allow=b *:* m", "devices/c1/devices.allow=c 1:3 rwm",
		      "devices/c1/devices.allow=c 1:8 rwm", "devices/c1/devices.allow=c 1:7 rwm",
		      "devices/c1/devices.allow=c 5:0 rwm", "devices/c1/devices.allow=c 1:5 rwm",
		      "devices/c1/devices.allow=c 1:9 rwm", "devices/c1/devices.allow=c 136:* rwm",
		      "devices/c1/devices.allow=c 5:2 rwm",
		      "devices/c1/devices.allow=c 10:200 rwm");
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_freeze(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	struct berth_error *err = NULL;
	assert_false(cgroup_is_frozen(cg));
	assert_int_equal(cgroup_freeze(cg, true, &err), 0);
	EXPECT_WRITES(f, "freezer/c1/freezer.state=FROZEN");
	assert_true(cgroup_is_frozen(cg));
	assert_int_equal(cgroup_freeze(cg, false, &err), 0);
	EXPECT_WRITES(f, "freezer/c1/freezer.state=THAWED");
	assert_false(cgroup_is_frozen(cg));
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_stats(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_set(f, "memory/c1/memory.usage_in_bytes", "4096\n");
	fake_set(f, "memory/c1/memory.max_usage_in_bytes", "8192\n");
	fake_set(f, "memory/c1/memory.failcnt", "3\n");
	fake_set(f, "memory/c1/memory.limit_in_bytes", "67108864\n");
	fake_set(f, "memory/c1/memory.stat", "cache 1024\nrss 2048\n");
	fake_set(f, "cpu,cpuacct/c1/cpuacct.usage", "123456789\n");
	fake_set(f, "cpu,cpuacct/c1/cpuacct.usage_percpu", "100 200 \n");
	fake_set(f, "cpu,cpuacct/c1/cpuacct.stat", "user 5\nsystem 2\n");
	fake_set(f, "cpu,cpuacct/c1/cpu.stat",
		 "nr_periods 10\nnr_throttled 4\nthrottled_time 99\n");
	fake_set(f, "pids/c1/pids.current", "3\n");
	fake_set(f, "pids/c1/pids.max", "100\n");
	fake_set(f, "blkio/c1/blkio.throttle.io_service_bytes_recursive",
		 "8:0 Read 4096\n8:0 Write 8192\nTotal 12288\n");
	fake_set(f, "hugetlb/c1/hugetlb.2MB.usage_in_bytes", "2097152\n");
	fake_set(f, "hugetlb/c1/hugetlb.2MB.failcnt", "1\n");
	json_t *s = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_stats(cg, &s, &err), 0);
	json_t *want = tu_json(
	    "{'memory': {'usage': {'usage': 4096, 'max': 8192, 'failcnt': 3, 'limit': 67108864},"
	    "  'cache': 1024, 'raw': {'cache': 1024, 'rss': 2048}},"
	    " 'cpu': {'usage': {'total': 123456789, 'percpu': [100, 200], 'kernel': 20000000,"
	    "  'user': 50000000}, 'throttling': {'periods': 10, 'throttledPeriods': 4,"
	    "  'throttledTime': 99}},"
	    " 'pids': {'current': 3, 'limit': 100},"
	    " 'blkio': {'ioServiceBytesRecursive': [{'major': 8, 'op': 'Read', 'value': 4096},"
	    "  {'major': 8, 'op': 'Write', 'value': 8192}]},"
	    " 'hugetlb': {'2MB': {'usage': 2097152, 'failcnt': 1}}}");
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
	struct fake *f = fake_new(FAKE_V1, "/");
	struct cgroup *cg = fake_cgroup(f, "/c1", NULL);
	fake_clear_log(f);
	struct berth_error *err = NULL;
	int fd = cgroup_oom_fd(cg, &err);
	assert_true(fd >= 0);
	/* "<eventfd> <fd of memory.oom_control>" went to cgroup.event_control */
	assert_int_equal(f->nlog, 1);
	int efd = -1, ofd = -1;
	assert_int_equal(sscanf(f->log[0], "memory/c1/cgroup.event_control=%d %d", &efd, &ofd), 2);
	assert_int_equal(efd, fd);
	fake_clear_log(f);
	bool oom = true;
	assert_int_equal(cgroup_oom_check(cg, fd, &oom, &err), 0);
	assert_false(oom);
	/* the kernel signals the eventfd and counts the kill */
	fake_set(f, "memory/c1/memory.oom_control",
		 "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n");
	uint64_t one = 1;
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 0), 1);
	assert_int_equal(cgroup_oom_check(cg, fd, &oom, &err), 0);
	assert_true(oom);
	assert_int_equal(poll(&p, 1, 0), 0); /* consumed */
	/* an event without a new kill (under_oom, or the cgroup going away) */
	assert_int_equal(write(fd, &one, sizeof(one)), sizeof(one));
	assert_int_equal(cgroup_oom_check(cg, fd, &oom, &err), 0);
	assert_false(oom);
	close(fd);
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	/* gone: no OOM, no error */
	assert_int_equal(cgroup_oom_check(cg, -1, &oom, &err), 0);
	assert_false(oom);
	cgroup_free(cg);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_apply_all),
	    cmocka_unit_test(test_memory_swap_order),
	    cmocka_unit_test(test_cpu_and_blkio_variants),
	    cmocka_unit_test(test_devices_order),
	    cmocka_unit_test(test_freeze),
	    cmocka_unit_test(test_stats),
	    cmocka_unit_test(test_oom),
	};
	return tu_run("cgroup-v1", tests, ARRAY_SIZE(tests));
}
