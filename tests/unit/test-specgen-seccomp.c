/* Unit tests of the default seccomp profile (lib/engine/spec/
 * seccomp-default.json, embedded) and of docker-format profile resolution:
 * resolved for docker's default capabilities it equals what dockerd writes
 * (tests/fixtures/seccomp/default.json); compiled with lib/runtime's
 * compiler and loaded in a child it blocks unshare(CLONE_NEWUSER), mount
 * and keyctl, answers clone3 with ENOSYS; CAP_SYS_ADMIN and other caps
 * open their rules; includes/excludes on arches and minKernel. */
#include "test-specgen-util.h"

#include "common/json.h"
#include "runtime/seccomp.h"

#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define ID "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"

static char *rootfs;

static json_t *spec_for(const char *hc_text, const char *profile)
{
	json_t *c = tu_json("{'Cmd':['sh']}");
	json_t *hc = tu_json(hc_text);
	struct berth_error *err = NULL;
	struct specgen_input in = {
	    .id = ID, .config = c, .host_config = hc, .rootfs = rootfs, .seccomp_default = profile};
	json_t *spec = NULL;
	if (specgen_check_hostconfig(hc, NULL, &err) < 0 || specgen_build(&in, &spec, &err) < 0)
		fail_msg("%s: %s", hc_text, err->msg);
	json_decref(c);
	json_decref(hc);
	return spec;
}

/* a rule as a comparable object: names sorted, args with valueTwo */
static json_t *normalize_rule(json_t *r)
{
	json_t *n = json_deep_copy(r);
	json_object_del(n, "comment");
	json_t *names = json_object_get(n, "names");
	size_t cnt = json_array_size(names);
	for (size_t i = 1; i < cnt; i++)
		for (size_t j = i; j > 0 && strcmp(json_string_value(json_array_get(names, j - 1)),
						   json_string_value(json_array_get(names, j))) > 0;
		     j--) {
			json_t *a = json_incref(json_array_get(names, j - 1));
			json_array_set(names, j - 1, json_array_get(names, j));
			json_array_set_new(names, j, a);
		}
	size_t i;
	json_t *a;
	json_array_foreach(json_object_get(n, "args"), i, a)
	{
		if (!json_object_get(a, "valueTwo"))
			json_object_set_new(a, "valueTwo", json_integer(0));
	}
	return n;
}

static bool has_rule(json_t *rules, json_t *want)
{
	json_t *w = normalize_rule(want);
	bool found = false;
	size_t i;
	json_t *r;
	json_array_foreach(rules, i, r)
	{
		json_t *n = normalize_rule(r);
		found |= json_equal(n, w);
		json_decref(n);
	}
	json_decref(w);
	return found;
}

static void test_default_equals_dockerd(void **state)
{
	(void)state;
	json_error_t je;
	json_t *fx = json_load_file(SOURCE_ROOT "/tests/fixtures/seccomp/default.json",
				    JSON_DECODE_INT_AS_REAL, &je);
	if (fx == NULL)
		fail_msg("fixture: %s", je.text);
	bjson_reals_to_integers(fx);
	json_t *spec = spec_for("{}", NULL);
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
	assert_non_null(sc);
	assert_true(
	    json_equal(json_object_get(sc, "architectures"), json_object_get(fx, "architectures")));
	assert_true(
	    json_equal(json_object_get(sc, "defaultAction"), json_object_get(fx, "defaultAction")));
	assert_true(json_equal(json_object_get(sc, "defaultErrnoRet"),
			       json_object_get(fx, "defaultErrnoRet")));
	json_t *mine = json_object_get(sc, "syscalls");
	json_t *theirs = json_object_get(fx, "syscalls");
	assert_int_equal(json_array_size(mine), json_array_size(theirs));
	size_t i;
	json_t *r;
	json_array_foreach(theirs, i, r)
	{
		if (!has_rule(mine, r))
			fail_msg("dockerd's rule %zu missing: %s", i, json_dumps(r, JSON_COMPACT));
	}
	json_decref(fx);
	json_decref(spec);
}

static bool names_has(json_t *names, const char *name)
{
	size_t i;
	json_t *e;
	json_array_foreach(names, i, e)
	{
		if (strcmp(json_string_value(e), name) == 0)
			return true;
	}
	return false;
}

static bool allows(json_t *sc, const char *name)
{
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(sc, "syscalls"), i, r)
	{
		if (strcmp(json_string_value(json_object_get(r, "action")), "SCMP_ACT_ALLOW") ==
			0 &&
		    !json_object_get(r, "args") && names_has(json_object_get(r, "names"), name))
			return true;
	}
	return false;
}

static void test_caps_open_rules(void **state)
{
	(void)state;
	static const struct {
		const char *cap, *syscall;
	} cases[] = {
	    {"SYS_ADMIN", "unshare"},	    {"SYS_ADMIN", "mount"},
	    {"SYS_ADMIN", "setns"},	    {"SYS_ADMIN", "clone"},
	    {"SYS_ADMIN", "clone3"},	    {"DAC_READ_SEARCH", "open_by_handle_at"},
	    {"SYS_BOOT", "reboot"},	    {"SYS_MODULE", "init_module"},
	    {"SYS_PACCT", "acct"},	    {"SYS_PTRACE", "kcmp"},
	    {"SYS_RAWIO", "iopl"},	    {"SYS_TIME", "settimeofday"},
	    {"SYS_TTY_CONFIG", "vhangup"},  {"SYS_NICE", "mbind"},
	    {"SYSLOG", "syslog"},	    {"BPF", "bpf"},
	    {"PERFMON", "perf_event_open"},
	};
	json_t *def = spec_for("{}", NULL);
	json_t *dsc = json_object_get(json_object_get(def, "linux"), "seccomp");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		assert_false(allows(dsc, cases[i].syscall));
		char hc[128];
		snprintf(hc, sizeof(hc), "{'CapAdd':['%s']}", cases[i].cap);
		json_t *spec = spec_for(hc, NULL);
		json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
		if (!allows(sc, cases[i].syscall))
			fail_msg("CAP_%s does not allow %s", cases[i].cap, cases[i].syscall);
		json_decref(spec);
	}
	/* with CAP_SYS_ADMIN the clone flag filter and clone3's ENOSYS are gone */
	json_t *spec = spec_for("{'CapAdd':['SYS_ADMIN']}", NULL);
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(sc, "syscalls"), i, r)
	{
		assert_null(json_object_get(r, "errnoRet"));
	}
	json_decref(spec);
	/* dropping CAP_SYS_CHROOT drops chroot */
	assert_true(allows(dsc, "chroot"));
	spec = spec_for("{'CapDrop':['SYS_CHROOT']}", NULL);
	assert_false(allows(json_object_get(json_object_get(spec, "linux"), "seccomp"), "chroot"));
	json_decref(spec);
	json_decref(def);
}

static void test_profile_filters(void **state)
{
	(void)state;
	const char *prof =
	    "{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"archMap\":["
	    "{\"architecture\":\"SCMP_ARCH_AARCH64\",\"subArchitectures\":[\"SCMP_ARCH_ARM\"]},"
	    "{\"architecture\":\"SCMP_ARCH_X86_64\",\"subArchitectures\":[\"SCMP_ARCH_X86\"]}],"
	    "\"syscalls\":["
	    "{\"names\":[\"a1\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"amd64\"]"
	    "}},"
	    "{\"names\":[\"a2\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"arches\":[\"s390x\"]"
	    "}},"
	    "{\"names\":[\"a3\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"arches\":[\"amd64\"]"
	    "}},"
	    "{\"names\":[\"k1\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"3.0\"}"
	    "},"
	    "{\"names\":[\"k2\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"minKernel\":\"99."
	    "1\"}},"
	    "{\"names\":[\"k3\"],\"action\":\"SCMP_ACT_ALLOW\",\"excludes\":{\"minKernel\":\"3.0\"}"
	    "},"
	    "{\"names\":[\"c1\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
	    "[\"CAP_KILL\",\"CAP_CHOWN\"]}},"
	    "{\"names\":[\"c2\"],\"action\":\"SCMP_ACT_ALLOW\",\"includes\":{\"caps\":"
	    "[\"CAP_KILL\",\"CAP_SYS_ADMIN\"]}},"
	    "{\"name\":\"n1\",\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":5,\"comment\":\"x\"}]}";
	json_t *spec = spec_for("{}", prof);
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
#if defined(__x86_64__)
	sgt_expect(sc, "architectures", "['SCMP_ARCH_X86_64','SCMP_ARCH_X86']");
	assert_true(allows(sc, "a1"));
	assert_false(allows(sc, "a3"));
#endif
	assert_false(allows(sc, "a2"));
	assert_true(allows(sc, "k1"));
	assert_false(allows(sc, "k2"));
	assert_false(allows(sc, "k3"));
	assert_true(allows(sc, "c1"));
	assert_false(allows(sc, "c2"));
	sgt_expect(sc, "syscalls[3]", "{'names':['n1'],'action':'SCMP_ACT_ERRNO','errnoRet':5}");
	json_decref(spec);
}

/* in a child: no_new_privs, the compiled default profile, then the checks */
static int run_default_checks(void)
{
	char buf[256];
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		return 10;
	if (syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */) == 0 || errno != EPERM)
		return 11;
	if (syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL) == 0 || errno != EPERM)
		return 12;
	if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) == 0 || errno != EPERM)
		return 13;
	if (syscall(SYS_clone3, NULL, 0) == 0 || errno != ENOSYS)
		return 14;
	if (syscall(SYS_personality, 0x0040000UL) == 0 || errno != EPERM)
		return 15;
	if (syscall(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 16;
	/* clone without namespace flags works (fork) */
	pid_t pid = fork();
	if (pid == 0)
		_exit(0);
	if (pid < 0)
		return 17;
	int st;
	waitpid(pid, &st, 0);
	return 0;
}

static void test_default_loaded(void **state)
{
	(void)state;
	json_t *spec = spec_for("{}", NULL);
	json_t *sc = json_object_get(json_object_get(spec, "linux"), "seccomp");
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	if (seccomp_compile(sc, &p, &err) < 0)
		fail_msg("default profile: %s", err->msg);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int nfd = -1;
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_program_load(p, &nfd, &err) < 0)
			_exit(2);
		_exit(run_default_checks());
	}
	int st = 0;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	seccomp_program_free(p);
	json_decref(spec);
}

static void test_embedded_is_the_file(void **state)
{
	(void)state;
	json_error_t je;
	json_t *file = json_load_file(SOURCE_ROOT "/lib/engine/spec/seccomp-default.json", 0, &je);
	json_t *emb = json_loads(specgen_seccomp_default, 0, &je);
	assert_non_null(file);
	assert_non_null(emb);
	assert_true(json_equal(file, emb));
	json_decref(file);
	json_decref(emb);
}

static int setup(void **state)
{
	(void)state;
	rootfs = sgt_rootfs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sgt_rm_rf(rootfs);
	free(rootfs);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_default_equals_dockerd), cmocka_unit_test(test_caps_open_rules),
	    cmocka_unit_test(test_profile_filters),	   cmocka_unit_test(test_default_loaded),
	    cmocka_unit_test(test_embedded_is_the_file),
	};
	return _cmocka_run_group_tests("specgen-seccomp", tests, ARRAY_SIZE(tests), setup,
				       teardown);
}
