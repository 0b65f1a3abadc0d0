/* Unit tests of the cgroup core (lib/runtime/cgroup.c, cgroup-host.c) on
 * fake cgroupfs trees: layout detection, paths, create/join/destroy, pids,
 * the state JSON, validation of the resources against the layout. */
#include "test-cgroup-util.h"

static const struct cgroup_hier *hier(const struct cgroup_host *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcmp(h->h[i].name, name) == 0)
			return &h->h[i];
	fail_msg("no hierarchy %s", name);
	return NULL;
}

static void test_detect(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/user.slice");
	assert_string_equal(cgroup_host_layout(f->h), "v1");
	assert_int_equal(f->h->n, 11);
	assert_int_equal(f->h->unified, -1);
	const struct cgroup_hier *cpu = hier(f->h, "cpu,cpuacct");
	assert_int_equal(cpu->mask, CG_BIT(CG_CPU) | CG_BIT(CG_CPUACCT));
	assert_string_equal(cpu->own, "/user.slice");
	assert_int_equal(hier(f->h, "name=systemd")->mask, 0);
	assert_ptr_equal(&f->h->h[f->h->ctrl[CG_HUGETLB]], hier(f->h, "hugetlb"));
	assert_ptr_equal(&f->h->h[f->h->ctrl[CG_NET_PRIO]], hier(f->h, "net_cls,net_prio"));
	char want[256];
	snprintf(want, sizeof(want), "%s/memory", f->cgroot);
	assert_string_equal(hier(f->h, "memory")->mountpoint, want);
	fake_free(f);

	/* this machine at boot: hugetlb on cgroup2, the rest on v1 */
	f = fake_new(FAKE_HYBRID, "/");
	assert_string_equal(cgroup_host_layout(f->h), "hybrid");
	const struct cgroup_hier *u = &f->h->h[f->h->unified];
	assert_true(u->v2);
	assert_int_equal(u->mask, CG_BIT(CG_HUGETLB));
	assert_int_equal(f->h->ctrl[CG_HUGETLB], f->h->unified);
	assert_false(f->h->h[f->h->ctrl[CG_MEMORY]].v2);
	assert_false(f->h->h[f->h->ctrl[CG_DEVICES]].v2);
	assert_false(f->h->h[f->h->ctrl[CG_FREEZER]].v2);
	assert_string_equal(u->own, "/");
	fake_free(f);

	f = fake_new(FAKE_V2, "/init.scope");
	assert_string_equal(cgroup_host_layout(f->h), "v2");
	assert_int_equal(f->h->n, 1);
	unsigned want_mask = CG_BIT(CG_CPU) | CG_BIT(CG_CPUACCT) | CG_BIT(CG_CPUSET) |
			     CG_BIT(CG_MEMORY) | CG_BIT(CG_BLKIO) | CG_BIT(CG_PIDS) |
			     CG_BIT(CG_HUGETLB) | CG_BIT(CG_RDMA) | CG_BIT(CG_DEVICES) |
			     CG_BIT(CG_FREEZER);
	assert_int_equal(f->h->h[0].mask, want_mask);
	assert_int_equal(f->h->ctrl[CG_NET_CLS], -1);
	fake_free(f);
}

/* hugetlb also mounted as v1 (a benchmark does it): v1 wins, whatever the
 * cgroup2 root still lists */
static void test_detect_hugetlb_both(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_HYBRID, "/");
	FILE *mi = fopen(f->mountinfo, "a");
	fake_mount(mi, f, 70, "hugetlb", false, "rw,hugetlb");
	/* a second mount of the same memory hierarchy, of a sub-directory */
	fprintf(mi, "71 31 0:42 /sub /mnt/mem\\040x rw - cgroup cgroup rw,memory\n");
	fclose(mi);
	FILE *self = fopen(f->self, "a");
	fprintf(self, "13:hugetlb:/\n");
	fclose(self);
	cgroup_host_free(f->h);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_host_detect(&f->env, &f->h, &err), 0);
	assert_string_equal(cgroup_host_layout(f->h), "hybrid");
	assert_false(f->h->h[f->h->ctrl[CG_HUGETLB]].v2);
	assert_string_equal(f->h->h[f->h->ctrl[CG_HUGETLB]].name, "hugetlb");
	assert_int_equal(f->h->h[f->h->unified].mask, 0);
	/* the duplicate memory mount (same device 0:42) is not a new hierarchy */
	size_t mem = 0;
	for (size_t i = 0; i < f->h->n; i++)
		mem += strcmp(f->h->h[i].name, "memory") == 0;
	assert_int_equal(mem, 1);
	fake_free(f);
}

static void test_detect_errors(void **state)
{
	(void)state;
	struct cgroup_env env = {.mountinfo = "/nonexistent/mountinfo"};
	struct cgroup_host *h;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_host_detect(&env, &h, &err), -1);
	tu_assert_msg(err, "open /nonexistent/mountinfo");
	berth_error_free(&err);
	char mi[] = "/tmp/berth-cgmi.XXXXXX";
	int fd = mkstemp(mi);
	assert_true(fd >= 0);
	dprintf(fd, "22 1 0:21 / /sys rw - sysfs sysfs rw\ngarbage line\n");
	close(fd);
	env.mountinfo = mi;
	assert_int_equal(cgroup_host_detect(&env, &h, &err), -1);
	tu_assert_msg(err, "no cgroup file system is mounted");
	berth_error_free(&err);
	unlink(mi);
}

static struct cgroup *new_ok(struct fake *f, const char *path, const char *res)
{
	struct oci_resources *r = res ? fake_res(res) : NULL;
	struct cgroup *cg = NULL;
	struct berth_error *err = NULL;
	if (cgroup_new(f->h, path, "c1", r, &cg, &err) < 0)
		fail_msg("%s: %s", path ? path : "(null)", err->msg);
	oci_resources_free(r);
	return cg;
}

static void new_fails(struct fake *f, const char *path, const char *res, const char *want)
{
	struct oci_resources *r = res ? fake_res(res) : NULL;
	struct cgroup *cg = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_new(f->h, path, "c1", r, &cg, &err), -1);
	tu_assert_msg(err, want);
	berth_error_free(&err);
	oci_resources_free(r);
}

static const char *dir_of(struct fake *f, struct cgroup *cg, const char *hier)
{
	for (size_t i = 0; i < cg->n; i++)
		if (strcmp(cg->dirs[i].name, hier) == 0)
			return cg->dirs[i].path + strlen(f->cgroot);
	fail_msg("no dir in %s", hier);
	return NULL;
}

static void test_paths(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/user.slice/s1");
	struct cgroup *cg = new_ok(f, "/a/b/../c", NULL);
	assert_string_equal(cgroup_path(cg), "/a/c");
	assert_string_equal(dir_of(f, cg, "memory"), "/memory/a/c");
	assert_string_equal(dir_of(f, cg, "cpu,cpuacct"), "/cpu,cpuacct/a/c");
	assert_string_equal(dir_of(f, cg, "name=systemd"), "/systemd/a/c");
	cgroup_free(cg);
	/* relative: under our own cgroup in each v1 hierarchy; ".." cannot climb */
	cg = new_ok(f, "../../x/./y", NULL);
	assert_string_equal(cgroup_path(cg), "/user.slice/s1/x/y");
	assert_string_equal(dir_of(f, cg, "pids"), "/pids/user.slice/s1/x/y");
	cgroup_free(cg);
	/* none given: /berth/<id> */
	cg = new_ok(f, NULL, NULL);
	assert_string_equal(cgroup_path(cg), "/berth/c1");
	cgroup_free(cg);
	cg = new_ok(f, "", NULL);
	assert_string_equal(dir_of(f, cg, "devices"), "/devices/berth/c1");
	cgroup_free(cg);
	new_fails(f, "/", NULL, "linux.cgroupsPath: \"/\" is the root cgroup");
	new_fails(f, "/a/..", NULL, "\"/a/..\" is the root cgroup");
	new_fails(f, ".", NULL, "\".\" is the runtime's own cgroup");
	fake_free(f);

	/* v2: relative to the parent of our own cgroup (it has processes) */
	f = fake_new(FAKE_V2, "/system.slice/berth.service");
	cg = new_ok(f, "ctr/c1", NULL);
	assert_string_equal(cgroup_path(cg), "/system.slice/ctr/c1");
	assert_string_equal(dir_of(f, cg, "unified"), "/system.slice/ctr/c1");
	cgroup_free(cg);
	cg = new_ok(f, "/abs", NULL);
	assert_int_equal(cg->n, 1);
	assert_string_equal(dir_of(f, cg, "unified"), "/abs");
	cgroup_free(cg);
	fake_free(f);

	/* hybrid: every v1 hierarchy plus the cgroup2 mount */
	f = fake_new(FAKE_HYBRID, "/");
	cg = new_ok(f, "/x", NULL);
	assert_int_equal(cg->n, 11);
	assert_string_equal(dir_of(f, cg, "unified"), "/unified/x");
	cgroup_free(cg);
	fake_free(f);
}

static void test_validate_layout(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	new_fails(f, "/x", "{'unified': {'memory.high': '1G'}}",
		  "linux.resources.unified.memory.high: cgroup v2 is not available on this host");
	cgroup_free(new_ok(f, "/x", "{'network': {'classID': 1}, 'rdma': {'mlx': {}}}"));
	fake_free(f);

	f = fake_new(FAKE_HYBRID, "/");
	/* unified keys only for what cgroup2 holds here */
	new_fails(f, "/x", "{'unified': {'memory.high': '1G'}}",
		  "linux.resources.unified.memory.high: the memory controller is on a cgroup v1 "
		  "hierarchy on this host");
	new_fails(f, "/x", "{'unified': {'io.max': '1'}}",
		  "linux.resources.unified.io.max: the io controller is on a cgroup v1");
	new_fails(f, "/x", "{'unified': {'max': '1'}}",
		  "linux.resources.unified.max: must be in the form CONTROLLER.PARAMETER");
	cgroup_free(
	    new_ok(f, "/x", "{'unified': {'hugetlb.2MB.max': '0', 'cgroup.max.depth': '3'}}"));
	fake_free(f);

	f = fake_new(FAKE_V2, "/");
	new_fails(f, "/x", "{'cpu': {'realtimeRuntime': 1000}}",
		  "linux.resources.cpu.realtimeRuntime: realtime scheduling limits are not "
		  "supported on cgroup v2");
	new_fails(f, "/x", "{'unified': {'misc.max': '1'}}",
		  "linux.resources.unified.misc.max: controller \"misc\" is not available");
	/* net_cls/net_prio on v2: a warning, as runc */
	cgroup_free(new_ok(f, "/x", "{'network': {'classID': 1}}"));
	/* zero values are "unset": no controller needed */
	cgroup_free(new_ok(f, "/x", "{'cpu': {'realtimeRuntime': 0, 'shares': 0}}"));
	fake_free(f);
}

static void test_create_destroy(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	fake_mkdir(f, "memory/shared");
	fake_mkdir(f, "cpuset/shared");
	fake_set(f, "cpuset/shared/cpuset.cpus", "1\n");
	fake_set(f, "cpuset/shared/cpuset.mems", "0\n");
	struct cgroup *cg = fake_cgroup(f, "/shared/c1", NULL);
	/* a new cpuset cgroup gets its parent's cpus and mems; for the new
	 * "shared" level too in the hierarchies where it did not exist */
	EXPECT_WRITES(f, "cpuset/shared/c1/cpuset.cpus=1", "cpuset/shared/c1/cpuset.mems=0");
	for (size_t i = 0; i < cg->n; i++) {
		const char *created = cg->dirs[i].created + strlen(f->cgroot);
		bool pre = strcmp(cg->dirs[i].name, "memory") == 0 ||
			   strcmp(cg->dirs[i].name, "cpuset") == 0;
		char want[64];
		snprintf(want, sizeof(want), "/%s/shared%s",
			 strcmp(cg->dirs[i].name, "name=systemd") == 0 ? "systemd"
								       : cg->dirs[i].name,
			 pre ? "/c1" : "");
		assert_string_equal(created, want);
	}
	assert_true(fake_exists(f, "pids/shared/c1/pids.max"));
	/* the container made a sub-cgroup of its own */
	fake_mkdir(f, "memory/shared/c1/inner");
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	assert_false(fake_exists(f, "memory/shared/c1"));
	assert_true(fake_exists(f, "memory/shared")); /* not ours */
	assert_true(fake_exists(f, "cpuset/shared"));
	assert_false(fake_exists(f, "pids/shared")); /* ours */
	assert_false(fake_exists(f, "systemd/shared"));
	/* twice is fine */
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	cgroup_free(cg);
	fake_free(f);
}

static void test_join_existing(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	fake_mkdir(f, "pod/c1");
	fake_populate(f, strcat(strcpy((char[256]){0}, f->cgroot), "/pod/c1"));
	fake_set(f, "pod/c1/cgroup.procs", "4242\n");
	struct cgroup *cg = fake_cgroup(f, "/pod/c1", NULL);
	assert_null(cg->dirs[0].created);
	/* pure v2: the ancestors delegate every controller */
	EXPECT_WRITES(f, "cgroup.subtree_control=+cpu", "cgroup.subtree_control=+cpuset",
		      "cgroup.subtree_control=+memory", "cgroup.subtree_control=+io",
		      "cgroup.subtree_control=+pids", "cgroup.subtree_control=+hugetlb",
		      "cgroup.subtree_control=+rdma");
	pid_t *pids;
	size_t n;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pids[0], 4242);
	free(pids);
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	assert_true(fake_exists(f, "pod/c1")); /* joined, not ours */
	cgroup_free(cg);
	fake_free(f);
}

static void test_threaded(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V2, "/");
	char dir[256];
	snprintf(dir, sizeof(dir), "%s/t", f->cgroot);
	fake_mkdir(f, "t");
	fake_populate(f, dir);
	fake_set(f, "t/cgroup.type", "domain threaded\n");
	struct oci_resources *r = fake_res("{'memory': {'limit': 1048576}}");
	struct cgroup *cg;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_new(f->h, "/t/c1", "c1", r, &cg, &err), 0);
	assert_int_equal(cgroup_create(cg, &err), -1);
	tu_assert_msg(err, "/t is of type \"domain threaded\": threaded cgroups cannot use");
	berth_error_free(&err);
	assert_false(fake_exists(f, "t/c1"));
	cgroup_free(cg);
	/* joining a "domain invalid" one is refused whatever the limits */
	fake_set(f, "t/cgroup.type", "domain invalid\n");
	assert_int_equal(cgroup_new(f->h, "/t", "c1", NULL, &cg, &err), 0);
	assert_int_equal(cgroup_create(cg, &err), -1);
	tu_assert_msg(err, "is of type \"domain invalid\"");
	berth_error_free(&err);
	cgroup_free(cg);
	/* threaded without domain controllers (pids only) is accepted */
	fake_set(f, "t/cgroup.type", "threaded\n");
	oci_resources_free(r);
	r = fake_res("{'pids': {'limit': 10}}");
	assert_int_equal(cgroup_new(f->h, "/t", "c1", r, &cg, &err), 0);
	assert_int_equal(cgroup_create(cg, &err), 0);
	cgroup_free(cg);
	oci_resources_free(r);
	fake_free(f);
}

static void test_add_pid_and_pids(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_HYBRID, "/");
	struct cgroup *cg = fake_cgroup(f, "/c", NULL);
	fake_clear_log(f);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_add_pid(cg, 77, &err), 0);
	assert_int_equal(f->nlog, cg->n);
	EXPECT_WRITES(f, "cpu,cpuacct/c/cgroup.procs=77", "cpuset/c/cgroup.procs=77",
		      "memory/c/cgroup.procs=77", "devices/c/cgroup.procs=77",
		      "freezer/c/cgroup.procs=77", "blkio/c/cgroup.procs=77",
		      "pids/c/cgroup.procs=77", "net_cls,net_prio/c/cgroup.procs=77",
		      "rdma/c/cgroup.procs=77", "systemd/c/cgroup.procs=77",
		      "unified/c/cgroup.procs=77");
	/* pids come from the freezer hierarchy, sub-cgroups included, sorted */
	fake_set(f, "freezer/c/cgroup.procs", "12\n5\n");
	fake_mkdir(f, "freezer/c/sub");
	fake_set(f, "freezer/c/sub/cgroup.procs", "9\n");
	pid_t *pids;
	size_t n;
	assert_int_equal(cgroup_pids(cg, &pids, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(pids[0], 5);
	assert_int_equal(pids[1], 9);
	assert_int_equal(pids[2], 12);
	free(pids);
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	assert_false(fake_exists(f, "freezer/c"));
	cgroup_free(cg);
	fake_free(f);
}

static void test_state_json(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_HYBRID, "/");
	fake_mkdir(f, "memory/pre");
	struct cgroup *cg = fake_cgroup(f, "/pre/c", NULL);
	json_t *j = cgroup_to_json(cg);
	cgroup_free(cg);
	assert_string_equal(json_string_value(json_object_get(j, "path")), "/pre/c");
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), 0);
	assert_int_equal(cg->n, 11);
	assert_string_equal(dir_of(f, cg, "memory"), "/memory/pre/c");
	assert_true(cg->dirs[f->h->unified].v2);
	assert_int_equal(cg->dirs[f->h->unified].mask, CG_BIT(CG_HUGETLB));
	assert_int_equal(cgroup_destroy(cg, &err), 0);
	assert_false(fake_exists(f, "memory/pre/c"));
	assert_true(fake_exists(f, "memory/pre"));
	assert_false(fake_exists(f, "unified/pre"));
	cgroup_free(cg);

	/* a hierarchy that is no longer mounted is left alone */
	json_t *d0 = json_array_get(json_object_get(j, "dirs"), 0);
	json_object_set_new(d0, "mount", json_string("/nonexistent"));
	json_object_set_new(d0, "path", json_string("/nonexistent/x"));
	json_object_set_new(d0, "created", json_string("/nonexistent/x"));
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), 0);
	assert_true(cg->dirs[0].gone);
	cgroup_free(cg);
	/* paths outside their mount or with ".." are refused */
	json_object_set_new(d0, "path", json_string("/nonexistent/../etc"));
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), -1);
	tu_assert_msg(err, "cgroup state: dirs[0]: bad path /nonexistent/../etc");
	berth_error_free(&err);
	json_object_set_new(d0, "path", json_string("/etc/x"));
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), -1);
	berth_error_free(&err);
	json_object_set_new(d0, "path", json_string("/nonexistent/x"));
	json_object_set_new(d0, "created", json_string("/nonexistent/y"));
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), -1);
	berth_error_free(&err);
	json_object_del(d0, "v2");
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), -1);
	tu_assert_msg(err, "cgroup state: dirs[0] is malformed");
	berth_error_free(&err);
	json_decref(j);
	j = tu_json("{'id': 'x'}");
	assert_int_equal(cgroup_from_json(f->h, j, &cg, &err), -1);
	tu_assert_msg(err, "cgroup state: malformed");
	berth_error_free(&err);
	json_decref(j);
	fake_free(f);
}

static void test_create_failure_cleans_up(void **state)
{
	(void)state;
	struct fake *f = fake_new(FAKE_V1, "/");
	/* the pids hierarchy cannot take a new directory */
	char p[256];
	snprintf(p, sizeof(p), "%s/pids", f->cgroot);
	assert_int_equal(chmod(p, 0555), 0);
	struct cgroup *cg = new_ok(f, "/c", NULL);
	struct berth_error *err = NULL;
	int r = cgroup_create(cg, &err);
	chmod(p, 0755);
	if (geteuid() == 0) { /* root ignores the mode bits: nothing to test */
		assert_int_equal(r, 0);
		cgroup_destroy(cg, &err);
	} else {
		assert_int_equal(r, -1);
		tu_assert_msg(err, "/pids/c");
		berth_error_free(&err);
		assert_false(fake_exists(f, "memory/c"));
	}
	cgroup_free(cg);
	fake_free(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detect),
	    cmocka_unit_test(test_detect_hugetlb_both),
	    cmocka_unit_test(test_detect_errors),
	    cmocka_unit_test(test_paths),
	    cmocka_unit_test(test_validate_layout),
	    cmocka_unit_test(test_create_destroy),
	    cmocka_unit_test(test_join_existing),
	    cmocka_unit_test(test_threaded),
	    cmocka_unit_test(test_add_pid_and_pids),
	    cmocka_unit_test(test_state_json),
	    cmocka_unit_test(test_create_failure_cleans_up),
	};
	return tu_run("cgroup", tests, ARRAY_SIZE(tests));
}
