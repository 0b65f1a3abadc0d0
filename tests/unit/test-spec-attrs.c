/* Unit tests of process.ioPriority, process.scheduler,
 * process.execCPUAffinity, linux.personality and linux.intelRdt parsing
 * (lib/oci/spec-attrs.c). */
#include "test-spec-util.h"

#include "oci/spec.h"

#include <errno.h>
#include <sched.h>
#include <sys/personality.h>

static const char base_config[] =
    "{'ociVersion': '1.2.0', 'root': {'path': 'rootfs'},"
    " 'process': {'cwd': '/', 'args': ['sh'], 'user': {'uid': 0, 'gid': 0},"
    "   'ioPriority': {'class': 'IOPRIO_CLASS_BE', 'priority': 4},"
    "   'scheduler': {'policy': 'SCHED_BATCH', 'nice': 5,"
    "                 'flags': ['SCHED_FLAG_RESET_ON_FORK', 'SCHED_FLAG_KEEP_PARAMS']},"
    "   'execCPUAffinity': {'initial': '0-3,7', 'final': '1'}},"
    " 'linux': {'personality': {'domain': 'LINUX32', 'flags': []},"
    "   'mountLabel': 'system_u:object_r:container_file_t:s0',"
    "   'intelRdt': {'closID': 'grp', 'l3CacheSchema': 'L3:0=f', 'memBwSchema': 'MB:0=50',"
    "                'schemata': ['L2:0=3'], 'enableCMT': true}}}";

static struct oci_spec *parse_mutated(const char *path, const char *value)
{
	json_t *doc = tu_json(base_config);
	if (path)
		tu_json_set_path(doc, path, value);
	char *text = dump(doc);
	struct oci_spec *s = parse_ok(text);
	free(text);
	json_decref(doc);
	return s;
}

static void test_all_fields(void **state)
{
	(void)state;
	struct oci_spec *s = parse_mutated(NULL, NULL);
	const struct oci_process *p = s->process;
	assert_true(p->io_priority.set);
	assert_int_equal(p->io_priority.io_class, 2);
	assert_int_equal(p->io_priority.priority, 4);
	assert_true(p->scheduler.set);
	assert_int_equal(p->scheduler.policy, SCHED_BATCH);
	assert_int_equal(p->scheduler.nice, 5);
	assert_int_equal(p->scheduler.flags, 0x11);
	assert_string_equal(p->exec_cpu_affinity.initial, "0-3,7");
	assert_string_equal(p->exec_cpu_affinity.final, "1");
	assert_true(s->personality.set);
	assert_int_equal(s->personality.domain, PER_LINUX32);
	/* copied into the process: exec'd processes get it too */
	assert_true(p->personality.set);
	assert_int_equal(p->personality.domain, PER_LINUX32);
	assert_string_equal(s->mount_label, "system_u:object_r:container_file_t:s0");
	assert_true(s->intel_rdt.set);
	assert_string_equal(s->intel_rdt.clos_id, "grp");
	assert_string_equal(s->intel_rdt.l3_cache_schema, "L3:0=f");
	assert_string_equal(s->intel_rdt.mem_bw_schema, "MB:0=50");
	assert_string_equal(s->intel_rdt.schemata[0], "L2:0=3");
	assert_null(s->intel_rdt.schemata[1]);
	assert_true(s->intel_rdt.enable_monitoring);
	oci_spec_free(s);
}

static void test_absent_and_empty(void **state)
{
	(void)state;
	struct oci_spec *s = parse_ok("{\"ociVersion\": \"1.2.0\", \"root\": {\"path\": \"r\"},"
				      " \"process\": {\"cwd\": \"/\", \"args\": [\"sh\"],"
				      " \"user\": {\"uid\": 0, \"gid\": 0}}}");
	assert_false(s->process->io_priority.set);
	assert_false(s->process->scheduler.set);
	assert_null(s->process->exec_cpu_affinity.initial);
	assert_false(s->personality.set);
	assert_false(s->process->personality.set);
	assert_false(s->intel_rdt.set);
	oci_spec_free(s);
	/* an empty list leaves the affinity alone */
	s = parse_mutated("process.execCPUAffinity", "{'initial': '', 'final': ''}");
	assert_null(s->process->exec_cpu_affinity.initial);
	assert_null(s->process->exec_cpu_affinity.final);
	oci_spec_free(s);
	/* an empty intelRdt object is still a request */
	s = parse_mutated("linux.intelRdt", "{}");
	assert_true(s->intel_rdt.set);
	assert_null(s->intel_rdt.clos_id);
	oci_spec_free(s);
}

static void test_good_variants(void **state)
{
	(void)state;
	static const struct {
		const char *path, *value;
	} cases[] = {
	    {"process.scheduler", "{'policy': 'SCHED_FIFO', 'priority': 99}"},
	    {"process.scheduler", "{'policy': 'SCHED_RR', 'priority': 1}"},
	    {"process.scheduler", "{'policy': 'SCHED_OTHER', 'nice': -20}"},
	    {"process.scheduler", "{'policy': 'SCHED_IDLE'}"},
	    {"process.scheduler", "{'policy': 'SCHED_ISO'}"},
	    {"process.scheduler",
	     "{'policy': 'SCHED_DEADLINE', 'runtime': 10000, 'deadline': 20000, 'period': 30000}"},
	    {"process.scheduler",
	     "{'policy': 'SCHED_DEADLINE', 'runtime': 1024, 'deadline': 1024}"},
	    {"process.ioPriority", "{'class': 'IOPRIO_CLASS_RT', 'priority': 0}"},
	    {"process.ioPriority", "{'class': 'IOPRIO_CLASS_IDLE', 'priority': 7}"},
	    {"linux.personality", "{'domain': 'LINUX'}"},
	    {"process.execCPUAffinity", "{'final': '0,2,4-6,65535'}"},
	    {"linux.intelRdt", "{'enableMonitoring': true}"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		oci_spec_free(parse_mutated(cases[i].path, cases[i].value));
}

struct bad_case {
	const char *path, *value;
	const char *want[3];
	int code; /* 0: EINVAL */
};

static const struct bad_case bad_cases[] = {
    /* ioPriority */
    {"process.ioPriority.class", "'FOO'", {"process.ioPriority.class: unknown class 'FOO'"}},
    {"process.ioPriority.class", NULL, {"process.ioPriority.class: required field is missing"}},
    {"process.ioPriority.class", "2", {"process.ioPriority.class: expected a string, got 2"}},
    {"process.ioPriority.priority",
     "8",
     {"process.ioPriority.priority: 8 is out of range"},
     ERANGE},
    {"process.ioPriority.priority",
     "-1",
     {"process.ioPriority.priority: -1 is out of range"},
     ERANGE},
    {"process.ioPriority.priority", NULL, {"process.ioPriority.priority: required"}},
    {"process.ioPriority", "'BE'", {"process.ioPriority: expected an object, got 'BE'"}},
    /* scheduler */
    {"process.scheduler.policy",
     "'SCHED_FOO'",
     {"process.scheduler.policy: unknown policy 'SCHED_FOO'"}},
    {"process.scheduler.policy", NULL, {"process.scheduler.policy: required field is missing"}},
    {"process.scheduler.nice", "20", {"process.scheduler.nice: 20 is out of range"}, ERANGE},
    {"process.scheduler.nice", "-21", {"process.scheduler.nice: -21 is out of range"}, ERANGE},
    {"process.scheduler.flags[0]",
     "'SCHED_FLAG_NOPE'",
     {"process.scheduler.flags[0]: unknown flag 'SCHED_FLAG_NOPE'"}},
    {"process.scheduler.flags[1]", "7", {"process.scheduler.flags[1]: expected a string, got 7"}},
    {"process.scheduler.runtime", "-5", {"process.scheduler.runtime"}, ERANGE},
    {"process.scheduler",
     "{'policy': 'SCHED_FIFO', 'nice': 1, 'priority': 1}",
     {"process.scheduler.nice: 1 is only valid with SCHED_OTHER or SCHED_BATCH, not SCHED_FIFO"}},
    {"process.scheduler",
     "{'policy': 'SCHED_FIFO'}",
     {"process.scheduler.priority: SCHED_FIFO needs 1 to 99, got 0"}},
    {"process.scheduler",
     "{'policy': 'SCHED_RR', 'priority': 100}",
     {"process.scheduler.priority: SCHED_RR needs 1 to 99, got 100"}},
    {"process.scheduler",
     "{'policy': 'SCHED_BATCH', 'priority': 3}",
     {"process.scheduler.priority: 3 is only valid with SCHED_FIFO or SCHED_RR"}},
    {"process.scheduler",
     "{'policy': 'SCHED_OTHER', 'runtime': 1000}",
     {"process.scheduler: runtime, deadline and period are only valid with SCHED_DEADLINE"}},
    {"process.scheduler",
     "{'policy': 'SCHED_DEADLINE'}",
     {"process.scheduler: SCHED_DEADLINE needs 1024 <= runtime <= deadline <= period"}},
    {"process.scheduler",
     "{'policy': 'SCHED_DEADLINE', 'runtime': 30000, 'deadline': 20000}",
     {"runtime 30000, deadline 20000"}},
    {"process.scheduler",
     "{'policy': 'SCHED_DEADLINE', 'runtime': 1000, 'deadline': 2000, 'period': 1500}",
     {"process.scheduler: SCHED_DEADLINE needs"}},
    /* execCPUAffinity */
    {"process.execCPUAffinity.final",
     "'0-'",
     {"process.execCPUAffinity.final: '0-' is not a CPU list"}},
    {"process.execCPUAffinity.initial",
     "'3-1'",
     {"process.execCPUAffinity.initial: '3-1' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "'a'", {"'a' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "'1,'", {"'1,' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "',1'", {"',1' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "'1,,2'", {"'1,,2' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "' 1'", {"' 1' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "'-1'", {"'-1' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "'0x1'", {"'0x1' is not a CPU list"}},
    {"process.execCPUAffinity.initial", "'65536'", {"'65536' is not a CPU list"}},
    {"process.execCPUAffinity.initial",
     "'99999999999999999999999'",
     {"'99999999999999999999999' is not a CPU list"}},
    {"process.execCPUAffinity.final", "3", {"process.execCPUAffinity.final: expected a string"}},
    /* personality */
    {"linux.personality.domain",
     "'BSD'",
     {"linux.personality.domain: unknown domain 'BSD' (LINUX or LINUX32)"}},
    {"linux.personality.domain", NULL, {"linux.personality.domain: required field is missing"}},
    {"linux.personality.flags",
     "['ADDR_NO_RANDOMIZE']",
     {"linux.personality.flags[0]: unknown flag 'ADDR_NO_RANDOMIZE'"}},
    {"linux.personality.flags", "'x'", {"linux.personality.flags: expected an array"}},
    {"linux.personality", "'LINUX'", {"linux.personality: expected an object"}},
    /* intelRdt */
    {"linux.intelRdt.closID",
     "'../x'",
     {"linux.intelRdt.closID: '../x' is not a valid resctrl group name"}},
    {"linux.intelRdt.closID", "'..'", {"linux.intelRdt.closID: '..' is not a valid"}},
    {"linux.intelRdt.closID", "''", {"linux.intelRdt.closID: '' is not a valid"}},
    {"linux.intelRdt.closID", "1", {"linux.intelRdt.closID: expected a string, got 1"}},
    {"linux.intelRdt.schemata", "'L3:0=f'", {"linux.intelRdt.schemata: expected an array"}},
    {"linux.intelRdt.enableMonitoring",
     "'yes'",
     {"linux.intelRdt.enableMonitoring: expected a boolean"}},
    {"linux.intelRdt", "[]", {"linux.intelRdt: expected an object, got an array"}},
};

static void test_bad_case(void **state)
{
	const struct bad_case *c = *state;
	json_t *doc = tu_json(base_config);
	tu_json_set_path(doc, c->path, c->value);
	char *text = dump(doc);
	char *want[3] = {NULL, NULL, NULL};
	for (size_t i = 0; i < 2 && c->want[i]; i++)
		want[i] = tu_jq(c->want[i]);
	parse_fail(text, c->code ? c->code : EINVAL, (const char *const *)want);
	for (size_t i = 0; i < 2; i++)
		free(want[i]);
	free(text);
	json_decref(doc);
}

/* `exec --process` parses a bare process object: the same rules apply. */
static void test_process_object(void **state)
{
	(void)state;
	json_t *proc = tu_json("{'cwd': '/', 'args': ['sh'], 'user': {'uid': 0, 'gid': 0},"
			       " 'ioPriority': {'class': 'IOPRIO_CLASS_X', 'priority': 1}}");
	struct oci_process *p = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(oci_process_parse(proc, "process", &p, &err), -1);
	assert_null(p);
	tu_assert_msg(err, "process.ioPriority.class: unknown class \"IOPRIO_CLASS_X\"");
	berth_error_free(&err);
	json_decref(proc);
}

static void test_cpu_list(void **state)
{
	(void)state;
	cpu_set_t *set = NULL;
	size_t size;
	unsigned max;
	struct berth_error *err = NULL;
	assert_int_equal(oci_cpu_list_parse("0-3,7,5-5,2", "x", &set, &size, &max, &err), 0);
	assert_int_equal(max, 7);
	assert_int_equal(CPU_COUNT_S(size, set), 6);
	for (unsigned c = 0; c <= 7; c++)
		assert_int_equal(CPU_ISSET_S(c, size, set) != 0, c != 4 && c != 6);
	CPU_FREE(set);
	assert_int_equal(oci_cpu_list_parse("65535", "x", &set, &size, &max, &err), 0);
	assert_int_equal(max, 65535);
	assert_true(CPU_ISSET_S(65535, size, set));
	assert_int_equal(CPU_COUNT_S(size, set), 1);
	CPU_FREE(set);
	set = NULL;
	assert_int_equal(oci_cpu_list_parse("", "f.g", &set, &size, &max, &err), -1);
	assert_null(set);
	tu_assert_msg(err, "f.g: \"\" is not a CPU list");
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest basic[] = {
	    cmocka_unit_test(test_all_fields),	  cmocka_unit_test(test_absent_and_empty),
	    cmocka_unit_test(test_good_variants), cmocka_unit_test(test_process_object),
	    cmocka_unit_test(test_cpu_list),
	};
	struct CMUnitTest bad[ARRAY_SIZE(bad_cases)];
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		bad[i] = (struct CMUnitTest){.name = bad_cases[i].path,
					     .test_func = test_bad_case,
					     .initial_state = (void *)&bad_cases[i]};
	int fails = tu_run("spec-attrs", basic, ARRAY_SIZE(basic));
	fails += tu_run("spec-attrs bad values", bad, ARRAY_SIZE(bad));
	return fails;
}
