/* Unit tests of the systemd cgroup driver's pure parts
 * (lib/runtime/cgroup-systemd-props.c): "slice:prefix:name" and the unit
 * properties for linux.resources, against runc's rules and conversions. */
#include "test-util.h"

#include "runtime/cgroup-systemd.h"

#include <errno.h>
#include <stdint.h>

static void expand(const char *slice, const char *want)
{
	char *got = cgroup_systemd_expand_slice(slice);
	if (want == NULL) {
		if (got)
			fail_msg("%s: expanded to %s, expected invalid", slice, got);
		return;
	}
	if (got == NULL)
		fail_msg("%s: invalid, expected %s", slice, want);
	assert_string_equal(got, want);
	free(got);
}

static void test_expand_slice(void **state)
{
	(void)state;
	expand("system.slice", "/system.slice");
	expand("-.slice", "/");
	expand("a-b.slice", "/a.slice/a-b.slice");
	expand("a-b-c.slice", "/a.slice/a-b.slice/a-b-c.slice");
	expand("user-1000.slice", "/user.slice/user-1000.slice");
	expand(".slice", NULL);
	expand("slice", NULL);
	expand("a.scope", NULL);
	expand("a--b.slice", NULL);
	expand("-a.slice", NULL);
	expand("a-.slice", NULL);
	expand("a/b.slice", NULL);
}

static void parse_ok(const char *in, const char *id, bool rootless, const char *slice,
		     const char *slice_path, const char *unit, bool is_slice)
{
	struct cgroup_systemd_path p;
	struct berth_error *err = NULL;
	if (cgroup_systemd_parse_path(in, id, rootless, &p, &err) < 0)
		fail_msg("%s: %s", in ? in : "(null)", err->msg);
	assert_string_equal(p.slice, slice);
	assert_string_equal(p.slice_path, slice_path);
	assert_string_equal(p.unit, unit);
	assert_int_equal(p.is_slice, is_slice);
	cgroup_systemd_path_release(&p);
}

static void parse_bad(const char *in, const char *want)
{
	struct cgroup_systemd_path p;
	struct berth_error *err = NULL;
	if (cgroup_systemd_parse_path(in, "x", false, &p, &err) == 0)
		fail_msg("%s: parsed (unit %s), expected an error", in, p.unit);
	assert_int_equal(err->code, EINVAL);
	tu_assert_msg(err, want);
	/* every message names the value */
	tu_assert_msg(err, "linux.cgroupsPath");
	berth_error_free(&err);
}

static void test_parse(void **state)
{
	(void)state;
	parse_ok("system.slice:docker:1234", "x", false, "system.slice", "/system.slice",
		 "docker-1234.scope", false);
	parse_ok(":berth:abc", "x", false, "system.slice", "/system.slice", "berth-abc.scope",
		 false);
	parse_ok(":berth:abc", "x", true, "user.slice", "/user.slice", "berth-abc.scope", false);
	parse_ok(NULL, "ct1", false, "system.slice", "/system.slice", "berth-ct1.scope", false);
	parse_ok("", "ct1", true, "user.slice", "/user.slice", "berth-ct1.scope", false);
	parse_ok("a-b.slice:p:n", "x", false, "a-b.slice", "/a.slice/a-b.slice", "p-n.scope",
		 false);
	parse_ok("machine.slice::vm1", "x", false, "machine.slice", "/machine.slice", "vm1.scope",
		 false);
	parse_ok("-.slice:p:n", "x", false, "-.slice", "/", "p-n.scope", false);
	/* a name ending in .slice makes that slice; the prefix is not used */
	parse_ok("system.slice:p:system-ct.slice", "x", false, "system.slice", "/system.slice",
		 "system-ct.slice", true);

	parse_bad("/berth/x", "\"/berth/x\": expected \"slice:prefix:name\"");
	parse_bad("a:b", "\"a:b\": expected");
	parse_bad("a:b:c:d", "\"a:b:c:d\": expected");
	parse_bad("system.slice:p:", "the name is empty");
	parse_bad("system:p:n", "invalid slice name \"system\"");
	parse_bad("a--b.slice:p:n", "invalid slice name \"a--b.slice\"");
	parse_bad("a/b.slice:p:n", "\"a/b.slice:p:n\"");
	parse_bad("system.slice:p:a/b", "\"p-a/b.scope\" is not a valid systemd unit name");
	parse_bad("system.slice:p q:n", "\"system.slice:p q:n\"");
	parse_bad("system.slice:p:a--b.slice", "\"a--b.slice\" is not a valid");
}

static const struct cgroup_systemd_prop *find(const struct cgroup_systemd_props *p,
					      const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].name, name) == 0)
			return &p->v[i];
	return NULL;
}

static uint64_t u64(const struct cgroup_systemd_props *p, const char *name)
{
	const struct cgroup_systemd_prop *q = find(p, name);
	if (q == NULL)
		fail_msg("no property %s", name);
	assert_true(q->type == SDP_U64 || q->type == SDP_BOOL || q->type == SDP_PIDS);
	return q->u;
}

static struct oci_resources *resources(const char *json)
{
	json_t *j = tu_json(json);
	struct oci_resources *r = NULL;
	struct berth_error *err = NULL;
	if (oci_resources_parse(j, &r, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	json_decref(j);
	return r;
}

static void props(const char *path, const char *json, bool v2, pid_t pid,
		  struct cgroup_systemd_props *out)
{
	struct cgroup_systemd_path p;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_systemd_parse_path(path, "ct", false, &p, &err), 0);
	struct oci_resources *r = json ? resources(json) : NULL;
	if (cgroup_systemd_props(&p, "ct", r, v2, pid, out, &err) < 0)
		fail_msg("%s: %s", json ? json : "(none)", err->msg);
	oci_resources_free(r);
	cgroup_systemd_path_release(&p);
}

static void test_props_base(void **state)
{
	(void)state;
	struct cgroup_systemd_props p;
	props("system.slice:berth:ct", NULL, false, 42, &p);
	const struct cgroup_systemd_prop *q = find(&p, "Description");
	assert_non_null(q);
	assert_string_equal(q->s, "berth container ct");
	assert_string_equal(find(&p, "Slice")->s, "system.slice");
	assert_int_equal(find(&p, "PIDs")->type, SDP_PIDS);
	assert_int_equal(u64(&p, "PIDs"), 42);
	assert_int_equal(u64(&p, "Delegate"), 1);
	assert_int_equal(u64(&p, "DefaultDependencies"), 0);
	assert_int_equal(u64(&p, "MemoryAccounting"), 1);
	assert_int_equal(u64(&p, "CPUAccounting"), 1);
	assert_int_equal(u64(&p, "TasksAccounting"), 1);
	assert_int_equal(u64(&p, "BlockIOAccounting"), 1);
	assert_null(find(&p, "IOAccounting"));
	assert_null(find(&p, "MemoryLimit"));
	assert_null(find(&p, "Wants"));
	cgroup_systemd_props_release(&p);

	props("system.slice:berth:ct", NULL, true, 42, &p);
	assert_int_equal(u64(&p, "IOAccounting"), 1);
	assert_null(find(&p, "BlockIOAccounting"));
	cgroup_systemd_props_release(&p);

	/* a slice: Wants= its parent, no Delegate, no PIDs */
	props("system.slice:p:system-x.slice", NULL, false, 42, &p);
	assert_string_equal(find(&p, "Wants")->s, "system.slice");
	assert_null(find(&p, "Slice"));
	assert_null(find(&p, "Delegate"));
	assert_null(find(&p, "PIDs"));
	cgroup_systemd_props_release(&p);
}

static void test_props_v1(void **state)
{
	(void)state;
	struct cgroup_systemd_props p;
	props(":berth:ct",
	      "{'memory': {'limit': 67108864}, 'pids': {'limit': 40}, 'cpu': {'shares': 512, "
	      "'quota': 50000, 'period': 100000}, 'blockIO': {'weight': 300}}",
	      false, 1, &p);
	assert_int_equal(u64(&p, "MemoryLimit"), 67108864);
	assert_null(find(&p, "MemoryMax"));
	assert_int_equal(u64(&p, "TasksMax"), 40);
	assert_int_equal(u64(&p, "CPUShares"), 512);
	assert_null(find(&p, "CPUWeight"));
	assert_int_equal(u64(&p, "CPUQuotaPeriodUSec"), 100000);
	assert_int_equal(u64(&p, "CPUQuotaPerSecUSec"), 500000);
	assert_int_equal(u64(&p, "BlockIOWeight"), 300);
	cgroup_systemd_props_release(&p);
}

static void test_props_v2(void **state)
{
	(void)state;
	struct cgroup_systemd_props p;
	props(":berth:ct",
	      "{'memory': {'limit': 1073741824}, 'cpu': {'shares': 1024}, 'blockIO': {'weight': "
	      "500}}",
	      true, 1, &p);
	assert_int_equal(u64(&p, "MemoryMax"), 1073741824);
	assert_null(find(&p, "MemoryLimit"));
	/* runc's ConvertCPUSharesToCgroupV2Value: 1 + (1024-2)*9999/262142 */
	assert_int_equal(u64(&p, "CPUWeight"), 39);
	assert_null(find(&p, "CPUShares"));
	assert_int_equal(u64(&p, "IOWeight"), 1 + (500 - 10) * 9999 / 990);
	assert_null(find(&p, "CPUQuotaPerSecUSec"));
	cgroup_systemd_props_release(&p);
}

static void test_props_quota(void **state)
{
	(void)state;
	struct cgroup_systemd_props p;
	/* 33333/100000 = 333330 us/s, rounded up to 10 ms (systemd keeps a %) */
	props(":berth:ct", "{'cpu': {'quota': 33333, 'period': 100000}}", false, 1, &p);
	assert_int_equal(u64(&p, "CPUQuotaPerSecUSec"), 340000);
	cgroup_systemd_props_release(&p);
	/* quota without period: the default 100 ms period, no CPUQuotaPeriodUSec */
	props(":berth:ct", "{'cpu': {'quota': 150000}}", false, 1, &p);
	assert_int_equal(u64(&p, "CPUQuotaPerSecUSec"), 1500000);
	assert_null(find(&p, "CPUQuotaPeriodUSec"));
	cgroup_systemd_props_release(&p);
	/* unlimited quota: USEC_INFINITY */
	props(":berth:ct", "{'cpu': {'quota': -1, 'period': 50000}}", false, 1, &p);
	assert_true(u64(&p, "CPUQuotaPerSecUSec") == UINT64_MAX);
	assert_int_equal(u64(&p, "CPUQuotaPeriodUSec"), 50000);
	cgroup_systemd_props_release(&p);
	/* a period alone: infinity too, as runc */
	props(":berth:ct", "{'cpu': {'period': 20000}}", false, 1, &p);
	assert_true(u64(&p, "CPUQuotaPerSecUSec") == UINT64_MAX);
	cgroup_systemd_props_release(&p);
	/* pids -1: TasksMax infinity; memory -1: infinity */
	props(":berth:ct", "{'pids': {'limit': -1}, 'memory': {'limit': -1}}", true, 1, &p);
	assert_true(u64(&p, "TasksMax") == UINT64_MAX);
	assert_true(u64(&p, "MemoryMax") == UINT64_MAX);
	cgroup_systemd_props_release(&p);
}

static void test_cpuset_bits(void **state)
{
	(void)state;
	uint8_t *b;
	size_t n;
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_systemd_cpuset_bits("0-3,8", &b, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(b[0], 0x0f);
	assert_int_equal(b[1], 0x01);
	free(b);
	assert_int_equal(cgroup_systemd_cpuset_bits(" 1 , ,7", &b, &n, &err), 0);
	assert_int_equal(n, 1);
	assert_int_equal(b[0], 0x82);
	free(b);
	assert_int_equal(cgroup_systemd_cpuset_bits("16", &b, &n, &err), 0);
	assert_int_equal(n, 3);
	assert_int_equal(b[2], 0x01);
	assert_int_equal(b[0] | b[1], 0);
	free(b);
	const char *bad[] = {"", ",", "3-1", "a", "1-", "-1", "1-2-3", "99999999"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (cgroup_systemd_cpuset_bits(bad[i], &b, &n, &err) == 0)
			fail_msg("[%s]: accepted", bad[i]);
		tu_assert_msg(err, "cpuset list");
		berth_error_free(&err);
	}

	struct cgroup_systemd_props p;
	props(":berth:ct", "{'cpu': {'cpus': '0-1', 'mems': '0'}}", false, 1, &p);
	const struct cgroup_systemd_prop *q = find(&p, "AllowedCPUs");
	assert_non_null(q);
	assert_int_equal(q->type, SDP_BYTES);
	assert_int_equal(q->n, 1);
	assert_int_equal(q->bytes[0], 0x03);
	assert_int_equal(find(&p, "AllowedMemoryNodes")->bytes[0], 0x01);
	cgroup_systemd_props_release(&p);

	struct cgroup_systemd_path path;
	assert_int_equal(cgroup_systemd_parse_path(NULL, "ct", false, &path, &err), 0);
	struct oci_resources *r = resources("{'cpu': {'cpus': '2-1'}}");
	assert_int_equal(cgroup_systemd_props(&path, "ct", r, false, 1, &p, &err), -1);
	tu_assert_msg(err, "linux.resources.cpu.cpus: cpuset list \"2-1\"");
	berth_error_free(&err);
	oci_resources_free(r);
	cgroup_systemd_path_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_expand_slice), cmocka_unit_test(test_parse),
	    cmocka_unit_test(test_props_base),	 cmocka_unit_test(test_props_v1),
	    cmocka_unit_test(test_props_v2),	 cmocka_unit_test(test_props_quota),
	    cmocka_unit_test(test_cpuset_bits),
	};
	return tu_run("cgroup-systemd", tests, ARRAY_SIZE(tests));
}
