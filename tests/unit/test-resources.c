/* Unit tests of the linux.resources parser (lib/oci/resources.c). */
#include "test-util.h"

#include "oci/resources.h"
#include "oci/spec.h"

#include <errno.h>

static struct oci_resources *parse_ok(const char *json)
{
	json_t *j = tu_json(json);
	struct oci_resources *r = NULL;
	struct berth_error *err = NULL;
	if (oci_resources_parse(j, &r, &err) < 0)
		fail_msg("%s: %s", json, err->msg);
	json_decref(j);
	return r;
}

static void parse_bad(const char *json, const char *want)
{
	json_t *j = tu_json(json);
	struct oci_resources *r = (struct oci_resources *)1;
	struct berth_error *err = NULL;
	if (oci_resources_parse(j, &r, &err) == 0)
		fail_msg("%s: parsed, expected an error containing [%s]", json, want);
	tu_assert_msg(err, want);
	berth_error_free(&err);
	json_decref(j);
}

static void test_empty(void **state)
{
	(void)state;
	struct oci_resources *r = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(oci_resources_parse(NULL, &r, &err), 0);
	assert_false(r->has_memory || r->has_cpu || r->has_pids || r->has_devices);
	oci_resources_free(r);
	r = parse_ok("{}");
	assert_false(r->has_memory || r->has_blkio || r->has_network);
	assert_int_equal(r->n_hugepages + r->n_rdma + r->n_unified, 0);
	oci_resources_free(r);
}

static void test_full(void **state)
{
	(void)state;
	struct oci_resources *r = parse_ok(
	    "{'memory': {'limit': 67108864, 'reservation': 1024, 'swap': 134217728,"
	    "  'kernel': -1, 'kernelTCP': 0, 'swappiness': 10, 'disableOOMKiller': true,"
	    "  'useHierarchy': false, 'checkBeforeUpdate': true},"
	    " 'cpu': {'shares': 512, 'quota': -1, 'burst': 1000, 'period': 100000,"
	    "  'realtimeRuntime': 950000, 'realtimePeriod': 1000000, 'cpus': '0-1,3',"
	    "  'mems': '0', 'idle': 1},"
	    " 'pids': {'limit': 100},"
	    " 'blockIO': {'weight': 300, 'leafWeight': 10, 'weightDevice': [{'major': 8,"
	    "  'minor': 0, 'weight': 500}, {'major': 8, 'minor': 16, 'leafWeight': 20}],"
	    "  'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': 1048576}],"
	    "  'throttleWriteIOPSDevice': [{'major': 8, 'minor': 0, 'rate': 100}]},"
	    " 'hugepageLimits': [{'pageSize': '2MB', 'limit': 209715200},"
	    "  {'pageSize': '1GB', 'limit': 0}],"
	    " 'network': {'classID': 1048577, 'priorities': [{'name': 'eth0', 'priority': 5}]},"
	    " 'devices': [{'allow': false, 'access': 'rwm'}, {'allow': true, 'type': 'c',"
	    "  'major': 1, 'minor': 3, 'access': 'mwr'}, {'allow': true, 'type': 'b', 'major': 8}],"
	    " 'rdma': {'mlx5_1': {'hcaHandles': 3, 'hcaObjects': 10000}, 'mlx4_0': {}},"
	    " 'unified': {'memory.high': '1G', 'io.latency': '8:0 target=75'}}");
	const struct oci_memory *m = &r->memory;
	assert_true(r->has_memory && m->has_limit && m->has_swap && m->has_reservation);
	assert_int_equal(m->limit, 67108864);
	assert_int_equal(m->swap, 134217728);
	assert_int_equal(m->reservation, 1024);
	assert_int_equal(m->kernel, -1);
	assert_true(m->has_swappiness);
	assert_int_equal(m->swappiness, 10);
	assert_true(m->has_disable_oom_killer && m->disable_oom_killer);
	assert_true(m->check_before_update);
	const struct oci_cpu *c = &r->cpu;
	assert_int_equal(c->shares, 512);
	assert_int_equal(c->quota, -1);
	assert_int_equal(c->period, 100000);
	assert_int_equal(c->burst, 1000);
	assert_int_equal(c->rt_runtime, 950000);
	assert_int_equal(c->rt_period, 1000000);
	assert_string_equal(c->cpus, "0-1,3");
	assert_string_equal(c->mems, "0");
	assert_true(c->has_idle);
	assert_int_equal(c->idle, 1);
	assert_true(r->has_pids);
	assert_int_equal(r->pids_limit, 100);
	const struct oci_blkio *b = &r->blkio;
	assert_int_equal(b->weight, 300);
	assert_int_equal(b->leaf_weight, 10);
	assert_int_equal(b->n_weight_devices, 2);
	assert_true(b->weight_devices[0].has_weight && !b->weight_devices[0].has_leaf_weight);
	assert_int_equal(b->weight_devices[1].leaf_weight, 20);
	assert_int_equal(b->n_throttle[OCI_THROTTLE_READ_BPS], 1);
	assert_int_equal(b->throttle[OCI_THROTTLE_READ_BPS][0].rate, 1048576);
	assert_int_equal(b->n_throttle[OCI_THROTTLE_WRITE_BPS], 0);
	assert_int_equal(b->throttle[OCI_THROTTLE_WRITE_IOPS][0].rate, 100);
	assert_int_equal(r->n_hugepages, 2);
	assert_string_equal(r->hugepages[1].page_size, "1GB");
	assert_int_equal(r->network.class_id, 1048577);
	assert_string_equal(r->network.priorities[0].name, "eth0");
	assert_int_equal(r->n_devices, 3);
	assert_false(r->devices[0].allow);
	assert_int_equal(r->devices[0].type, 'a');
	assert_string_equal(r->devices[0].access, "rwm");
	assert_string_equal(r->devices[1].access, "rwm"); /* normalised order */
	assert_int_equal(r->devices[2].type, 'b');
	assert_int_equal(r->devices[2].minor, -1);
	assert_int_equal(r->n_rdma, 2);
	assert_true(r->rdma[0].has_hca_handles && r->rdma[0].has_hca_objects);
	assert_false(r->rdma[1].has_hca_handles);
	assert_int_equal(r->n_unified, 2);
	assert_string_equal(r->unified[0].key, "memory.high");
	assert_string_equal(r->unified[0].value, "1G");
	oci_resources_free(r);
}

static void test_unset_values(void **state)
{
	(void)state;
	/* -1 and 2^64-1 swappiness: unset (Go tools write either) */
	struct oci_resources *r = parse_ok("{'memory': {'swappiness': -1}}");
	assert_false(r->memory.has_swappiness);
	oci_resources_free(r);
	r = parse_ok("{'memory': {'swappiness': 18446744073709551615.0}}");
	assert_false(r->memory.has_swappiness);
	oci_resources_free(r);
	/* blkio weight 0: unset */
	r = parse_ok("{'blockIO': {'weight': 0}}");
	assert_false(r->blkio.has_weight);
	oci_resources_free(r);
	/* pids 0 and negatives: kept, the drivers write "max" */
	r = parse_ok("{'pids': {'limit': -1}}");
	assert_true(r->has_pids);
	assert_int_equal(r->pids_limit, -1);
	oci_resources_free(r);
	r = parse_ok("{'pids': {}}");
	assert_false(r->has_pids);
	oci_resources_free(r);
	/* empty cpus list: unset */
	r = parse_ok("{'cpu': {'cpus': ''}}");
	assert_null(r->cpu.cpus);
	oci_resources_free(r);
}

static const struct {
	const char *json, *want;
} bad[] = {
    {"{'memory': {'limit': 'x'}}", "linux.resources.memory.limit: expected an integer, got \"x\""},
    {"{'memory': {'limit': -2}}", "linux.resources.memory.limit: -2 is invalid"},
    {"{'memory': {'reservation': 1.5}}", "linux.resources.memory.reservation: expected an integer"},
    {"{'memory': {'swappiness': 101}}",
     "linux.resources.memory.swappiness: 101 is out of range [0, 100]"},
    {"{'memory': {'swappiness': -5}}", "linux.resources.memory.swappiness"},
    {"{'memory': {'disableOOMKiller': 1}}",
     "linux.resources.memory.disableOOMKiller: expected a boolean, got 1"},
    {"{'memory': {'limit': 1000, 'swap': 500}}",
     "linux.resources.memory.swap: 500 is below memory.limit 1000"},
    {"{'memory': []}", "linux.resources.memory: expected an object, got an array"},
    {"{'cpu': {'shares': -1}}", "linux.resources.cpu.shares: -1 must not be negative"},
    {"{'cpu': {'quota': -7}}", "linux.resources.cpu.quota: -7 is invalid"},
    {"{'cpu': {'quota': 500}}", "linux.resources.cpu.quota: 500 is below the minimum of 1000"},
    {"{'cpu': {'period': 10}}", "linux.resources.cpu.period: 10 is out of range"},
    {"{'cpu': {'idle': 2}}", "linux.resources.cpu.idle: 2 is out of range [0, 1]"},
    {"{'cpu': {'cpus': '0-3;rm'}}", "linux.resources.cpu.cpus: invalid list \"0-3;rm\""},
    {"{'cpu': {'mems': 7}}", "linux.resources.cpu.mems: expected a string, got 7"},
    {"{'pids': {'limit': 'many'}}", "linux.resources.pids.limit: expected an integer"},
    {"{'blockIO': {'weight': 5}}", "linux.resources.blockIO.weight: 5 is out of range [10, 1000]"},
    {"{'blockIO': {'leafWeight': 1001}}", "linux.resources.blockIO.leafWeight: 1001 is out"},
    {"{'blockIO': {'weightDevice': [{'minor': 0, 'weight': 10}]}}",
     "linux.resources.blockIO.weightDevice[0].major: required field is missing"},
    {"{'blockIO': {'weightDevice': [{'major': -1, 'minor': 0}]}}",
     "linux.resources.blockIO.weightDevice[0].major: must not be negative, got -1"},
    {"{'blockIO': {'throttleReadBpsDevice': [{'major': 8, 'minor': 0, 'rate': -1}]}}",
     "linux.resources.blockIO.throttleReadBpsDevice[0].rate: -1 must not be negative"},
    {"{'blockIO': {'throttleWriteBpsDevice': [{'major': 8, 'minor': 0}]}}",
     "linux.resources.blockIO.throttleWriteBpsDevice[0].rate: required field is missing"},
    {"{'blockIO': {'throttleReadIOPSDevice': [7]}}",
     "linux.resources.blockIO.throttleReadIOPSDevice[0]: expected an object, got 7"},
    {"{'hugepageLimits': [{'pageSize': '2M', 'limit': 1}]}",
     "linux.resources.hugepageLimits[0].pageSize: invalid page size \"2M\""},
    {"{'hugepageLimits': [{'pageSize': '2mb', 'limit': 1}]}", "invalid page size \"2mb\""},
    {"{'hugepageLimits': [{'pageSize': '0MB', 'limit': 1}]}", "invalid page size \"0MB\""},
    {"{'hugepageLimits': [{'pageSize': '../2MB', 'limit': 1}]}", "invalid page size"},
    {"{'hugepageLimits': [{'pageSize': '2MB'}]}",
     "linux.resources.hugepageLimits[0].limit: required field is missing"},
    {"{'hugepageLimits': [{'pageSize': '2MB', 'limit': 1}, {'pageSize': '2MB', 'limit': 2}]}",
     "linux.resources.hugepageLimits[1].pageSize: \"2MB\" given twice"},
    {"{'network': {'classID': -1}}", "linux.resources.network.classID: -1 is out of range"},
    {"{'network': {'priorities': [{'name': 'eth0 1', 'priority': 1}]}}",
     "linux.resources.network.priorities[0].name: invalid interface name \"eth0 1\""},
    {"{'network': {'priorities': [{'name': 'eth0'}]}}",
     "linux.resources.network.priorities[0].priority: required field is missing"},
    {"{'devices': [{'allow': true, 'type': 'x'}]}",
     "linux.resources.devices[0].type: unknown device type \"x\""},
    {"{'devices': [{'allow': true, 'type': 'p'}]}", "unknown device type \"p\""},
    {"{'devices': [{'access': 'rwm'}]}",
     "linux.resources.devices[0].allow: required field is missing"},
    {"{'devices': [{'allow': true, 'access': 'rwx'}]}",
     "linux.resources.devices[0].access: invalid access \"rwx\""},
    {"{'devices': [{'allow': true, 'type': 'c', 'major': -2}]}",
     "linux.resources.devices[0].major: -2 is out of range"},
    {"{'devices': {'allow': true}}", "linux.resources.devices: expected an array"},
    {"{'rdma': {'mlx5': 3}}", "linux.resources.rdma.mlx5: expected an object, got 3"},
    {"{'rdma': {'mlx5': {'hcaHandles': -1}}}", "linux.resources.rdma.mlx5.hcaHandles: -1 is out"},
    {"{'rdma': {'a b': {}}}", "linux.resources.rdma: invalid device name \"a b\""},
    {"{'unified': {'../memory.max': '1'}}",
     "linux.resources.unified: invalid key \"../memory.max\""},
    {"{'unified': {'..': '1'}}", "linux.resources.unified: invalid key \"..\""},
    {"{'unified': {'a/b': '1'}}", "invalid key \"a/b\""},
    {"{'unified': {'': '1'}}", "invalid key \"\""},
    {"{'unified': {'memory.max': 1}}",
     "linux.resources.unified.memory.max: expected a string, got 1"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		parse_bad(bad[i].json, bad[i].want);
	/* not an object at all */
	json_t *j = tu_json("[1]");
	struct oci_resources *r;
	struct berth_error *err = NULL;
	assert_int_equal(oci_resources_parse(j, &r, &err), -1);
	tu_assert_msg(err, "linux.resources: expected an object, got an array");
	berth_error_free(&err);
	/* another path prefix (update --resources) */
	json_decref(j);
	j = tu_json("{'memory': {'limit': true}}");
	assert_int_equal(oci_resources_parse_at(j, "resources", &r, &err), -1);
	tu_assert_msg(err, "resources.memory.limit: expected an integer, got true");
	berth_error_free(&err);
	json_decref(j);
}

static void test_page_size(void **state)
{
	(void)state;
	assert_true(oci_resources_valid_page_size("2MB"));
	assert_true(oci_resources_valid_page_size("64KB"));
	assert_true(oci_resources_valid_page_size("1GB"));
	assert_false(oci_resources_valid_page_size("2 MB"));
	assert_false(oci_resources_valid_page_size("MB"));
	assert_false(oci_resources_valid_page_size("2MiB"));
	assert_false(oci_resources_valid_page_size("99999999MB"));
	assert_false(oci_resources_valid_page_size(""));
	assert_false(oci_resources_valid_page_size(NULL));
}

static void test_default_devices(void **state)
{
	(void)state;
	struct oci_resources *r = parse_ok("{'devices': [{'allow': false, 'access': 'rwm'}]}");
	struct oci_device devs[3] = {
	    {.path = "/dev/fuse", .type = 'c', .major = 10, .minor = 229},
	    {.path = "/dev/fifo", .type = 'p'},
	    {.path = "/dev/sda", .type = 'b', .major = 8, .minor = 0},
	};
	oci_resources_add_default_devices(r, devs, 3);
	/* the config's rule, runc's 11 defaults, then the 2 non-fifo devices */
	assert_int_equal(r->n_devices, 1 + 11 + 2);
	char *s = oci_device_rule_string(&r->devices[1]);
	assert_string_equal(s, "c *:* m");
	free(s);
	s = oci_device_rule_string(&r->devices[3]);
	assert_string_equal(s, "c 1:3 rwm");
	free(s);
	s = oci_device_rule_string(&r->devices[12]);
	assert_string_equal(s, "c 10:229 rwm");
	free(s);
	s = oci_device_rule_string(&r->devices[13]);
	assert_string_equal(s, "b 8:0 rwm");
	free(s);
	s = oci_device_rule_string(&r->devices[0]);
	assert_string_equal(s, "a");
	free(s);
	oci_resources_free(r);

	/* no rules in the config: the defaults alone (a whitelist, as runc) */
	struct oci_spec spec = {0};
	struct berth_error *err = NULL;
	assert_int_equal(oci_resources_from_spec(&spec, &r, &err), 0);
	assert_true(r->has_devices);
	assert_int_equal(r->n_devices, 11);
	oci_resources_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_empty),	 cmocka_unit_test(test_full),
	    cmocka_unit_test(test_unset_values), cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_page_size),	 cmocka_unit_test(test_default_devices),
	};
	return tu_run("resources", tests, ARRAY_SIZE(tests));
}
