/* Unit tests of linux.seccomp (lib/runtime/seccomp*.c): compiling every
 * action, operator, architecture and flag; every malformed entry named in
 * the error; unknown syscalls skipped; and the compiled filters loaded for
 * real in forked children. */
#include "test-util.h"

#include "common/json.h"
#include "runtime/seccomp-internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__x86_64__)
#define NATIVE_ARCH "SCMP_ARCH_X86_64"
#elif defined(__aarch64__)
#define NATIVE_ARCH "SCMP_ARCH_AARCH64"
#elif defined(__i386__)
#define NATIVE_ARCH "SCMP_ARCH_X86"
#elif defined(__riscv) && __riscv_xlen == 64
#define NATIVE_ARCH "SCMP_ARCH_RISCV64"
#else
#error "add this architecture's SCMP_ARCH_ name to the test"
#endif

/* Compile single-quoted JSON; returns the result of seccomp_compile. */
static int compile(const char *text, struct seccomp_program **p, struct berth_error **err)
{
	json_t *j = tu_json(text);
	int r = seccomp_compile(j, p, err);
	json_decref(j);
	return r;
}

/* Compile, fail the test on error, return the program. */
static struct seccomp_program *compile_ok(const char *text)
{
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	if (compile(text, &p, &err) < 0)
		fail_msg("compile failed: %s (profile %s)", err->msg, text);
	assert_null(err);
	return p;
}

/* ------------------------------------------------------------ no filter */

static void test_no_filter(void **state)
{
	(void)state;
	struct seccomp_program *p = (void *)1;
	struct berth_error *err = NULL;
	assert_int_equal(seccomp_compile(NULL, &p, &err), 0);
	assert_null(p);
	json_t *n = json_null();
	p = (void *)1;
	assert_int_equal(seccomp_compile(n, &p, &err), 0);
	assert_null(p);
	/* runc: no defaultAction and no syscalls is no filter */
	assert_null(compile_ok("{}"));
	assert_null(compile_ok("{'defaultAction': '', 'syscalls': []}"));
	assert_null(compile_ok("{'architectures': ['" NATIVE_ARCH "']}"));
	assert_null(err);
	int fd = 5;
	assert_int_equal(seccomp_program_load(NULL, &fd, &err), 0);
	assert_int_equal(fd, -1);
	assert_false(seccomp_wants_notify(NULL));
	seccomp_program_free(NULL);
}

static void test_not_an_object(void **state)
{
	(void)state;
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(compile("'x'", &p, &err), -1);
	tu_assert_msg(err, "linux.seccomp: expected an object, got \"x\"");
	assert_int_equal(err->code, EINVAL);
	assert_null(p);
	berth_error_free(&err);
}

/* -------------------------------------------------------- valid profiles */

static const char *const all_actions[] = {
    "SCMP_ACT_KILL",  "SCMP_ACT_KILL_THREAD", "SCMP_ACT_KILL_PROCESS",
    "SCMP_ACT_TRAP",  "SCMP_ACT_ERRNO",	      "SCMP_ACT_TRACE",
    "SCMP_ACT_ALLOW", "SCMP_ACT_LOG",	      "SCMP_ACT_NOTIFY",
};

static void test_every_action(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(all_actions); i++) {
		const char *a = all_actions[i];
		bool allow = strcmp(a, "SCMP_ACT_ALLOW") == 0;
		bool notify = strcmp(a, "SCMP_ACT_NOTIFY") == 0;
		char text[512];
		snprintf(text, sizeof(text),
			 "{'defaultAction': '%s', 'listenerPath': '/x.sock',"
			 " 'syscalls': [{'names': ['getcwd', 'mkdir'], 'action': '%s'}]}",
			 allow ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW", a);
		struct seccomp_program *p = compile_ok(text);
		assert_non_null(p);
		assert_true(p->n_insns > 2);
		assert_int_equal(seccomp_wants_notify(p), notify);
		assert_int_equal(!!(p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER), notify);
		seccomp_program_free(p);
		if (notify)
			continue;
		/* and as the default action */
		snprintf(text, sizeof(text),
			 "{'defaultAction': '%s', 'syscalls': [{'names': ['getcwd'],"
			 " 'action': '%s'}]}",
			 a, allow ? "SCMP_ACT_ERRNO" : "SCMP_ACT_ALLOW");
		p = compile_ok(text);
		assert_non_null(p);
		seccomp_program_free(p);
	}
}

static void test_errno_values(void **state)
{
	(void)state;
	const char *ok[] = {
	    "{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 38}",
	    "{'defaultAction': 'SCMP_ACT_TRACE', 'defaultErrnoRet': 65535}",
	    "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getcwd'],"
	    " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 0}]}",
	    "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getcwd'],"
	    " 'action': 'SCMP_ACT_TRACE', 'errnoRet': 7}]}",
	    /* a rule with the default action is redundant and skipped */
	    "{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names': ['getcwd'],"
	    " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 1}, {'names': ['read'],"
	    " 'action': 'SCMP_ACT_ALLOW'}]}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++)
		seccomp_program_free(compile_ok(ok[i]));
}

static void test_every_operator(void **state)
{
	(void)state;
	const char *const ops[] = {"SCMP_CMP_NE", "SCMP_CMP_LT", "SCMP_CMP_LE",	      "SCMP_CMP_EQ",
				   "SCMP_CMP_GE", "SCMP_CMP_GT", "SCMP_CMP_MASKED_EQ"};
	for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': "
			 "['getpriority'], 'action': 'SCMP_ACT_ERRNO', 'args': [{'index': 1, "
			 "'value': 4294967295, 'valueTwo': 1, 'op': '%s'}, {'index': 0, 'value': "
			 "0, 'op': 'SCMP_CMP_EQ'}]}]}",
			 ops[i]);
		seccomp_program_free(compile_ok(text));
	}
}

static bool native_is_little_endian(void)
{
	uint32_t n = seccomp_arch_native();
	return (n & __AUDIT_ARCH_LE) != 0;
}

static void test_every_arch(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		bool little_endian;
	} archs[] = {
	    {"SCMP_ARCH_X86", true},	     {"SCMP_ARCH_X86_64", true},
	    {"SCMP_ARCH_X32", true},	     {"SCMP_ARCH_ARM", true},
	    {"SCMP_ARCH_AARCH64", true},     {"SCMP_ARCH_MIPS", false},
	    {"SCMP_ARCH_MIPS64", false},     {"SCMP_ARCH_MIPS64N32", false},
	    {"SCMP_ARCH_MIPSEL", true},	     {"SCMP_ARCH_MIPSEL64", true},
	    {"SCMP_ARCH_MIPSEL64N32", true}, {"SCMP_ARCH_PPC", false},
	    {"SCMP_ARCH_PPC64", false},	     {"SCMP_ARCH_PPC64LE", true},
	    {"SCMP_ARCH_S390", false},	     {"SCMP_ARCH_S390X", false},
	    {"SCMP_ARCH_PARISC", false},     {"SCMP_ARCH_PARISC64", false},
	    {"SCMP_ARCH_RISCV64", true},
	};
	for (size_t i = 0; i < ARRAY_SIZE(archs); i++) {
		char text[512];
		snprintf(text, sizeof(text),
			 "{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['%s'],"
			 " 'syscalls': [{'names': ['read', 'write', 'getcwd'],"
			 " 'action': 'SCMP_ACT_ALLOW'}]}",
			 archs[i].name);
		struct seccomp_program *p = NULL;
		struct berth_error *err = NULL;
		int r = compile(text, &p, &err);
		/* libseccomp cannot mix byte orders in one filter (runc fails too) */
		if (archs[i].little_endian == native_is_little_endian()) {
			if (r < 0)
				fail_msg("%s: %s", archs[i].name, err->msg);
			assert_non_null(p);
		} else {
			assert_int_equal(r, -1);
			char want[128];
			snprintf(want, sizeof(want),
				 "linux.seccomp.architectures[0]: cannot add \"%s\"",
				 archs[i].name);
			tu_assert_msg(err, want);
		}
		seccomp_program_free(p);
		berth_error_free(&err);
	}
	/* all the ones of this machine's family at once, as Docker lists them */
	seccomp_program_free(
	    compile_ok("{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['SCMP_ARCH_X86_64',"
		       " 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86_64'], 'syscalls':"
		       " [{'names': ['read'], 'action': 'SCMP_ACT_ALLOW'}]}"));
}

static void test_flags(void **state)
{
	(void)state;
	struct seccomp_program *p;
	/* absent: SPEC_ALLOW when the kernel has it (runc) */
	p = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW'}");
	assert_int_equal(p->flags, seccomp_flag_supported(SECCOMP_FILTER_FLAG_SPEC_ALLOW)
				       ? SECCOMP_FILTER_FLAG_SPEC_ALLOW
				       : 0);
	seccomp_program_free(p);
	/* empty: none */
	p = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': []}");
	assert_int_equal(p->flags, 0);
	seccomp_program_free(p);
	/* TSYNC is accepted and has nothing to do */
	p = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': "
		       "['SECCOMP_FILTER_FLAG_TSYNC']}");
	assert_int_equal(p->flags, 0);
	seccomp_program_free(p);
	if (!seccomp_flag_supported(SECCOMP_FILTER_FLAG_LOG) ||
	    !seccomp_flag_supported(SECCOMP_FILTER_FLAG_SPEC_ALLOW) ||
	    !seccomp_flag_supported(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
		skip();
	p = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': ['SECCOMP_FILTER_FLAG_LOG',"
		       " 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']}");
	assert_int_equal(p->flags, SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW);
	seccomp_program_free(p);
	/* WAIT_KILLABLE_RECV goes with a listener, and is dropped without */
	p = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/a', 'flags': "
		       "['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'], 'syscalls': [{'names': "
		       "['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
	assert_int_equal(p->flags,
			 SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV | SECCOMP_FILTER_FLAG_NEW_LISTENER);
	seccomp_program_free(p);
	p = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags': "
		       "['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV']}");
	assert_int_equal(p->flags, 0);
	seccomp_program_free(p);
}

static void test_unknown_syscalls_skipped(void **state)
{
	(void)state;
	struct seccomp_program *with, *without;
	with = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getcwd',"
			  " 'no_such_syscall_berth'], 'action': 'SCMP_ACT_ERRNO'}, {'names':"
			  " ['another_unknown'], 'action': 'SCMP_ACT_KILL', 'args': [{'index': 0,"
			  " 'value': 1, 'op': 'SCMP_CMP_EQ'}]}]}");
	without = compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names':"
			     " ['getcwd'], 'action': 'SCMP_ACT_ERRNO'}]}");
	/* the same program as if the unknown names were not there */
	assert_int_equal(with->n_insns, without->n_insns);
	assert_memory_equal(with->insns, without->insns, with->n_insns * sizeof(*with->insns));
	seccomp_program_free(with);
	seccomp_program_free(without);
	/* only unknown names: still a (trivial) filter */
	struct seccomp_program *p = compile_ok(
	    "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['nope_1', 'nope_2'],"
	    " 'action': 'SCMP_ACT_ERRNO'}]}");
	assert_non_null(p);
	seccomp_program_free(p);
}

/* ------------------------------------------------------ malformed cases */

static const char base_profile[] =
    "{'defaultAction': 'SCMP_ACT_ALLOW',"
    " 'architectures': ['" NATIVE_ARCH "'],"
    " 'flags': ['SECCOMP_FILTER_FLAG_TSYNC'],"
    " 'listenerPath': '/run/agent.sock', 'listenerMetadata': 'm',"
    " 'syscalls': ["
    "  {'names': ['getcwd', 'chmod'], 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42},"
    "  {'names': ['personality'], 'action': 'SCMP_ACT_ERRNO',"
    "   'args': [{'index': 0, 'value': 8, 'valueTwo': 0, 'op': 'SCMP_CMP_EQ'}]},"
    "  {'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'},"
    "  {'names': ['umask'], 'action': 'SCMP_ACT_KILL'}]}";

struct bad_case {
	const char *path;  /* in the seccomp object */
	const char *value; /* single-quoted JSON; NULL deletes */
	const char *want;  /* substring of the message; ' stands for " */
};

#define S "linux.seccomp."
#define A1 "linux.seccomp.syscalls[1].args[0]"

static const struct bad_case bad_cases[] = {
    {"defaultAction", NULL, S "defaultAction: required field is missing"},
    {"defaultAction", "'SCMP_ACT_FOO'", S "defaultAction: unknown action 'SCMP_ACT_FOO'"},
    {"defaultAction", "1", S "defaultAction: expected a string, got 1"},
    {"defaultAction", "'scmp_act_allow'", S "defaultAction: unknown action 'scmp_act_allow'"},
    {"defaultAction", "'SCMP_ACT_NOTIFY'", S "defaultAction: SCMP_ACT_NOTIFY cannot be the"},
    {"defaultErrnoRet", "1", S "defaultErrnoRet: SCMP_ACT_ALLOW takes no errno"},
    {"defaultErrnoRet", "'x'", S "defaultErrnoRet: expected an integer, got 'x'"},
    {"architectures", "'SCMP_ARCH_X86'", S "architectures: expected an array, got 'SCMP_ARCH"},
    {"architectures[1]", "'SCMP_ARCH_FOO'",
     S "architectures[1]: unknown architecture 'SCMP_ARCH_FOO'"},
    {"architectures[1]", "7", S "architectures[1]: expected a string, got 7"},
    {"architectures[1]", "'x86_64'", S "architectures[1]: unknown architecture 'x86_64'"},
#ifndef SCMP_ARCH_LOONGARCH64
    {"architectures[0]", "'SCMP_ARCH_LOONGARCH64'",
     S "architectures[0]: 'SCMP_ARCH_LOONGARCH64' is not supported by libseccomp"},
#endif
    {"flags", "'SECCOMP_FILTER_FLAG_LOG'", S "flags: expected an array, got 'SECCOMP"},
    {"flags[1]", "'SECCOMP_FILTER_FLAG_FOO'", S "flags[1]: unknown flag 'SECCOMP_FILTER_FLAG_FOO'"},
    {"flags[0]", "'SECCOMP_FILTER_FLAG_NEW_LISTENER'",
     S "flags[0]: unknown flag 'SECCOMP_FILTER_FLAG_NEW_LISTENER'"},
    {"flags[0]", "true", S "flags[0]: expected a string, got true"},
    {"listenerPath", "''", S "listenerPath: must not be empty"},
    {"listenerPath", "5", S "listenerPath: expected a string, got 5"},
    {"listenerPath", NULL, S "listenerMetadata: set without listenerPath"},
    {"listenerMetadata", "[]", S "listenerMetadata: expected a string, got an array"},
    {"syscalls", "{}", S "syscalls: expected an array, got an object"},
    {"syscalls[3]", "'umask'", S "syscalls[3]: expected an object, got 'umask'"},
    {"syscalls[3].action", "'SCMP_ACT_FOO'", S "syscalls[3].action: unknown action 'SCMP_ACT_FOO'"},
    {"syscalls[3].action", NULL, S "syscalls[3].action: required field is missing"},
    {"syscalls[3].action", "[]", S "syscalls[3].action: expected a string, got an array"},
    {"syscalls[3].errnoRet", "1", S "syscalls[3].errnoRet: SCMP_ACT_KILL takes no errno"},
    {"syscalls[0].errnoRet", "65536", S "syscalls[0].errnoRet: 65536 is out of range [0, 65535]"},
    {"syscalls[0].errnoRet", "-1", S "syscalls[0].errnoRet: -1 is out of range"},
    {"syscalls[0].errnoRet", "1.5", S "syscalls[0].errnoRet: expected an integer, got 1.5"},
    {"syscalls[0].names", NULL, S "syscalls[0].names: required field is missing"},
    {"syscalls[0].names", "[]", S "syscalls[0].names: must list at least one syscall"},
    {"syscalls[0].names", "'getcwd'", S "syscalls[0].names: expected an array, got 'getcwd'"},
    {"syscalls[0].names[1]", "7", S "syscalls[0].names[1]: expected a string, got 7"},
    {"syscalls[0].names[1]", "''", S "syscalls[0].names[1]: must not be empty"},
    {"syscalls[2].names[1]", "'write'", S "syscalls[2].names[1]: SCMP_ACT_NOTIFY cannot be used"},
    {"syscalls[1].args", "{}", S "syscalls[1].args: expected an array, got an object"},
    {"syscalls[1].args[0]", "3", A1 ": expected an object, got 3"},
    {"syscalls[1].args[0].index", "6", A1 ".index: 6 is out of range [0, 5]"},
    {"syscalls[1].args[0].index", "-1", A1 ".index: -1 is out of range [0, 5]"},
    {"syscalls[1].args[0].index", NULL, A1 ".index: required field is missing"},
    {"syscalls[1].args[0].index", "'0'", A1 ".index: expected an integer, got '0'"},
    {"syscalls[1].args[0].value", NULL, A1 ".value: required field is missing"},
    {"syscalls[1].args[0].value", "-1", A1 ".value: -1 must not be negative"},
    {"syscalls[1].args[0].value", "'8'", A1 ".value: expected an unsigned integer, got '8'"},
    {"syscalls[1].args[0].valueTwo", "'x'", A1 ".valueTwo: expected an unsigned integer"},
    {"syscalls[1].args[0].op", "'SCMP_CMP_FOO'", A1 ".op: unknown operator 'SCMP_CMP_FOO'"},
    {"syscalls[1].args[0].op", NULL, A1 ".op: required field is missing"},
    {"syscalls[1].args[0].op", "'EQ'", A1 ".op: unknown operator 'EQ'"},
    {"syscalls[1].args[1]", "{'index': 2, 'value': 1, 'op': 'SCMP_CMP_XX'}",
     "linux.seccomp.syscalls[1].args[1].op: unknown operator 'SCMP_CMP_XX'"},
};

static void test_bad_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		json_t *doc = tu_json(base_profile);
		tu_json_set_path(doc, c->path, c->value);
		struct seccomp_program *p = NULL;
		struct berth_error *err = NULL;
		int r = seccomp_compile(doc, &p, &err);
		char *want = tu_jq(c->want);
		if (r != -1 || err == NULL)
			fail_msg("case %zu (%s): no error", i, c->path);
		if (strstr(err->msg, want) == NULL)
			fail_msg("case %zu (%s): message [%s] lacks [%s]", i, c->path, err->msg,
				 want);
		assert_null(p);
		assert_true(err->code != 0);
		free(want);
		berth_error_free(&err);
		json_decref(doc);
	}
	/* the base itself is valid */
	json_t *doc = tu_json(base_profile);
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(seccomp_compile(doc, &p, &err), 0);
	assert_true(seccomp_wants_notify(p));
	seccomp_program_free(p);
	json_decref(doc);
}

static void test_notify_needs_listener(void **state)
{
	(void)state;
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(compile("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names':"
				 " ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}",
				 &p, &err),
			 -1);
	tu_assert_msg(err, "linux.seccomp.listenerPath: required when a rule uses SCMP_ACT_NOTIFY");
	berth_error_free(&err);
	/* a notify rule on an unknown name does not need a listener... but is
	 * still a notify profile (runc decides on the action, not the name) */
	assert_int_equal(compile("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names':"
				 " ['nope_x'], 'action': 'SCMP_ACT_NOTIFY'}]}",
				 &p, &err),
			 -1);
	berth_error_free(&err);
}

/* ------------------------------------------------- loaded for real */

typedef int (*child_fn)(void *arg);

/* Compile `text`, fork; the child sets no_new_privs, loads the filter and
 * exits with fn(arg). Returns the child's wait status. */
static int run_loaded(const char *text, child_fn fn, void *arg)
{
	struct seccomp_program *p = compile_ok(text);
	fflush(NULL);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int nfd;
		struct berth_error *err = NULL;
		/* cmocka catches SIGSYS (and would go on running tests here) */
		signal(SIGSYS, SIG_DFL);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_program_load(p, &nfd, &err) < 0)
			_exit(200);
		_exit(fn(arg));
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	seccomp_program_free(p);
	return st;
}

static void assert_exit(int st, int code)
{
	if (!WIFEXITED(st))
		fail_msg("child did not exit (signal %d), wanted exit %d",
			 WIFSIGNALED(st) ? WTERMSIG(st) : 0, code);
	assert_int_equal(WEXITSTATUS(st), code);
}

static void assert_signal(int st, int sig)
{
	if (!WIFSIGNALED(st))
		fail_msg("child exited %d, wanted signal %d", WEXITSTATUS(st), sig);
	assert_int_equal(WTERMSIG(st), sig);
}

/* getcwd(2): 0 on success, else errno */
static int do_getcwd(void *arg)
{
	(void)arg;
	char buf[PATH_MAX];
	return syscall(SYS_getcwd, buf, sizeof(buf)) < 0 ? errno : 0;
}

#define GETCWD_RULE(action, extra)                                                                 \
	"{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getcwd'],"                   \
	" 'action': '" action "'" extra "}]}"

static void test_load_errno(void **state)
{
	(void)state;
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_ERRNO", ", 'errnoRet': 42"), do_getcwd, NULL),
		    42);
	/* errnoRet defaults to EPERM */
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_ERRNO", ""), do_getcwd, NULL), EPERM);
	/* defaultErrnoRet */
	assert_exit(run_loaded("{'defaultAction': 'SCMP_ACT_ERRNO', 'defaultErrnoRet': 33,"
			       " 'syscalls': [{'names': ['exit_group', 'exit'], 'action':"
			       " 'SCMP_ACT_ALLOW'}]}",
			       do_getcwd, NULL),
		    33);
	/* allowed when nothing matches */
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_ERRNO", "") "", do_getcwd, NULL), EPERM);
	assert_exit(run_loaded("{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names':"
			       " ['mkdir'], 'action': 'SCMP_ACT_ERRNO'}]}",
			       do_getcwd, NULL),
		    0);
}

static void test_load_kill(void **state)
{
	(void)state;
	assert_signal(run_loaded(GETCWD_RULE("SCMP_ACT_KILL", ""), do_getcwd, NULL), SIGSYS);
	assert_signal(run_loaded(GETCWD_RULE("SCMP_ACT_KILL_THREAD", ""), do_getcwd, NULL), SIGSYS);
	assert_signal(run_loaded(GETCWD_RULE("SCMP_ACT_KILL_PROCESS", ""), do_getcwd, NULL),
		      SIGSYS);
}

static void *thread_getcwd(void *arg)
{
	(void)arg;
	do_getcwd(NULL);
	return NULL;
}

/* getcwd in a second thread; 0 if the main thread lives on */
static int do_getcwd_in_thread(void *arg)
{
	(void)arg;
	pthread_t t;
	if (pthread_create(&t, NULL, thread_getcwd, NULL) != 0)
		return 99;
	pthread_join(t, NULL);
	return 0;
}

static void test_load_kill_thread_vs_process(void **state)
{
	(void)state;
	/* KILL_THREAD (and KILL) end the calling thread only */
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_KILL_THREAD", ""), do_getcwd_in_thread, NULL),
		    0);
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_KILL", ""), do_getcwd_in_thread, NULL), 0);
	/* KILL_PROCESS ends all of it */
	assert_signal(
	    run_loaded(GETCWD_RULE("SCMP_ACT_KILL_PROCESS", ""), do_getcwd_in_thread, NULL),
	    SIGSYS);
}

static volatile sig_atomic_t trapped_nr = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	trapped_nr = si->si_syscall;
}

static int do_getcwd_trapped(void *arg)
{
	(void)arg;
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	sigaction(SIGSYS, &sa, NULL);
	do_getcwd(NULL);
	return trapped_nr == SYS_getcwd ? 0 : 1;
}

static void test_load_trap_trace_log(void **state)
{
	(void)state;
	/* TRAP: SIGSYS, which a handler can catch (KILL cannot be) */
	assert_signal(run_loaded(GETCWD_RULE("SCMP_ACT_TRAP", ""), do_getcwd, NULL), SIGSYS);
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_TRAP", ""), do_getcwd_trapped, NULL), 0);
	assert_signal(run_loaded(GETCWD_RULE("SCMP_ACT_KILL", ""), do_getcwd_trapped, NULL),
		      SIGSYS);
	/* TRACE without a tracer: ENOSYS */
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_TRACE", ", 'errnoRet': 5"), do_getcwd, NULL),
		    ENOSYS);
	/* LOG: allowed */
	assert_exit(run_loaded(GETCWD_RULE("SCMP_ACT_LOG", ""), do_getcwd, NULL), 0);
}

struct arg_probe {
	long nr;
	long a0, a1;
};

/* 1 if the syscall got the rule's errno 42, else 0 */
static int do_probe(void *arg)
{
	const struct arg_probe *pr = arg;
	return syscall(pr->nr, pr->a0, pr->a1) < 0 && errno == 42 ? 1 : 0;
}

static int probe_getpgid(const char *op, unsigned long v, unsigned long v2, long arg)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getpgid'],"
		 " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42, 'args': [{'index': 0,"
		 " 'value': %lu, 'valueTwo': %lu, 'op': '%s'}]}]}",
		 v, v2, op);
	struct arg_probe pr = {SYS_getpgid, arg, 0};
	int st = run_loaded(text, do_probe, &pr);
	assert_true(WIFEXITED(st));
	return WEXITSTATUS(st);
}

static void test_load_operators(void **state)
{
	(void)state;
	static const struct {
		const char *op;
		unsigned long v, v2;
		long arg;
		int denied;
	} cases[] = {
	    {"SCMP_CMP_EQ", 5, 0, 5, 1},
	    {"SCMP_CMP_EQ", 5, 0, 6, 0},
	    {"SCMP_CMP_NE", 5, 0, 6, 1},
	    {"SCMP_CMP_NE", 5, 0, 5, 0},
	    {"SCMP_CMP_LT", 5, 0, 4, 1},
	    {"SCMP_CMP_LT", 5, 0, 5, 0},
	    {"SCMP_CMP_LE", 5, 0, 5, 1},
	    {"SCMP_CMP_LE", 5, 0, 6, 0},
	    {"SCMP_CMP_GT", 5, 0, 6, 1},
	    {"SCMP_CMP_GT", 5, 0, 5, 0},
	    {"SCMP_CMP_GE", 5, 0, 5, 1},
	    {"SCMP_CMP_GE", 5, 0, 4, 0},
	    {"SCMP_CMP_MASKED_EQ", 0xf0, 0x20, 0x2f, 1},
	    {"SCMP_CMP_MASKED_EQ", 0xf0, 0x20, 0x3f, 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int got = probe_getpgid(cases[i].op, cases[i].v, cases[i].v2, cases[i].arg);
		if (got != cases[i].denied)
			fail_msg("%s %lu/%lu on %ld: denied=%d, wanted %d", cases[i].op, cases[i].v,
				 cases[i].v2, cases[i].arg, got, cases[i].denied);
	}
}

static void test_load_args_and_or(void **state)
{
	(void)state;
	/* the same index twice: runc adds one rule per condition, ORed */
	const char *same = "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getpgid'],"
			   " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42, 'args': ["
			   "{'index': 0, 'value': 7, 'op': 'SCMP_CMP_EQ'},"
			   "{'index': 0, 'value': 9, 'op': 'SCMP_CMP_EQ'}]}]}";
	struct arg_probe p7 = {SYS_getpgid, 7, 0}, p8 = {SYS_getpgid, 8, 0},
			 p9 = {SYS_getpgid, 9, 0};
	assert_exit(run_loaded(same, do_probe, &p7), 1);
	assert_exit(run_loaded(same, do_probe, &p9), 1);
	assert_exit(run_loaded(same, do_probe, &p8), 0);
	/* different indexes: one rule, ANDed */
	const char *both =
	    "{'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['getpriority'],"
	    " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42, 'args': ["
	    "{'index': 0, 'value': 0, 'op': 'SCMP_CMP_EQ'},"
	    "{'index': 1, 'value': 0, 'op': 'SCMP_CMP_EQ'}]}]}";
	struct arg_probe g00 = {SYS_getpriority, 0, 0}, g01 = {SYS_getpriority, 0, 1},
			 g10 = {SYS_getpriority, 1, 0};
	assert_exit(run_loaded(both, do_probe, &g00), 1);
	assert_exit(run_loaded(both, do_probe, &g01), 0);
	assert_exit(run_loaded(both, do_probe, &g10), 0);
}

/* bit 0: getcwd got EPERM; bit 1: getrandom got ENOSYS; bit 2: getrandom got EPERM */
static int do_enosys_probe(void *arg)
{
	(void)arg;
	char buf[PATH_MAX];
	int bits = 0;
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0 && errno == EPERM)
		bits |= 1;
	long r = syscall(SYS_getrandom, buf, 1, 0);
	if (r < 0 && errno == ENOSYS)
		bits |= 2;
	if (r < 0 && errno == EPERM)
		bits |= 4;
	return bits;
}

static void test_load_enosys_stub(void **state)
{
	(void)state;
	/* exit_group is numbered between getcwd and getrandom (x86_64 and the
	 * generic table alike): getcwd gets the default errno, getrandom is
	 * newer than anything the profile names and gets ENOSYS */
	assert_true(SYS_getcwd < SYS_exit_group && SYS_exit_group < SYS_getrandom);
	assert_exit(run_loaded("{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures': ['" NATIVE_ARCH
			       "'], 'syscalls': [{'names': ['exit_group', 'exit'], 'action':"
			       " 'SCMP_ACT_ALLOW'}]}",
			       do_enosys_probe, NULL),
		    1 | 2);
	/* runc adds the stub only for listed architectures */
	assert_exit(run_loaded("{'defaultAction': 'SCMP_ACT_ERRNO', 'syscalls': [{'names':"
			       " ['exit_group', 'exit'], 'action': 'SCMP_ACT_ALLOW'}]}",
			       do_enosys_probe, NULL),
		    1 | 4);
	/* ... and not with a permissive default action */
	struct seccomp_program *a =
	    compile_ok("{'defaultAction': 'SCMP_ACT_LOG', 'architectures': ['" NATIVE_ARCH
		       "'], 'syscalls': [{'names': ['getcwd'], 'action': 'SCMP_ACT_ERRNO'}]}");
	struct seccomp_program *b =
	    compile_ok("{'defaultAction': 'SCMP_ACT_LOG', 'syscalls': [{'names': ['getcwd'],"
		       " 'action': 'SCMP_ACT_ERRNO'}]}");
	assert_int_equal(a->n_insns, b->n_insns);
	seccomp_program_free(a);
	seccomp_program_free(b);
	/* x86_64 + x32 + x86 in one stub still loads and works */
#if defined(__x86_64__)
	assert_exit(run_loaded("{'defaultAction': 'SCMP_ACT_ERRNO', 'architectures':"
			       " ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86'],"
			       " 'syscalls': [{'names': ['exit_group', 'exit'], 'action':"
			       " 'SCMP_ACT_ALLOW'}]}",
			       do_enosys_probe, NULL),
		    1 | 2);
#endif
}

static void test_load_needs_privilege(void **state)
{
	(void)state;
	/* without no_new_privs and without CAP_SYS_ADMIN the kernel refuses */
	struct seccomp_program *p = compile_ok(GETCWD_RULE("SCMP_ACT_ERRNO", ""));
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int nfd;
		struct berth_error *err = NULL;
		if (setresuid(65534, 65534, 65534) < 0)
			_exit(3);
		if (seccomp_program_load(p, &nfd, &err) == 0)
			_exit(1);
		_exit(strstr(err->msg, "noNewPrivileges or CAP_SYS_ADMIN") ? 0 : 2);
	}
	int st;
	waitpid(pid, &st, 0);
	seccomp_program_free(p);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		skip(); /* not root */
	assert_exit(st, 0);
}

static int send_fd(int sock, int fd)
{
	char c = 'f';
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} u;
	memset(&u, 0, sizeof(u));
	struct iovec iov = {.iov_base = &c, .iov_len = 1};
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	return sendmsg(sock, &mh, 0) == 1 ? 0 : -1;
}

/* Read all of a stream into buf (NUL-terminated); *fd gets an SCM_RIGHTS fd. */
static size_t recv_all(int sock, char *buf, size_t size, int *fd)
{
	size_t n = 0;
	*fd = -1;
	for (;;) {
		union {
			char b[CMSG_SPACE(sizeof(int))];
			struct cmsghdr align;
		} u;
		struct iovec iov = {.iov_base = buf + n, .iov_len = size - 1 - n};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = u.b,
				    .msg_controllen = sizeof(u.b)};
		ssize_t k = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		if (k <= 0)
			break;
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		if (cm && cm->cmsg_type == SCM_RIGHTS)
			memcpy(fd, CMSG_DATA(cm), sizeof(int));
		n += (size_t)k;
		if (n == size - 1)
			break;
	}
	buf[n] = '\0';
	return n;
}

static void load_notify(const char *flags)
{
	char text[512];
	snprintf(text, sizeof(text),
		 "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/unused', 'flags': %s,"
		 " 'syscalls': [{'names': ['getpgid'], 'action': 'SCMP_ACT_NOTIFY'}]}",
		 flags);
	struct seccomp_program *p = compile_ok(text);
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		int nfd;
		struct berth_error *err = NULL;
		close(sv[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_program_load(p, &nfd, &err) < 0 || nfd < 0)
			_exit(2);
		if ((fcntl(nfd, F_GETFD) & FD_CLOEXEC) == 0)
			_exit(3);
		if (send_fd(sv[1], nfd) < 0)
			_exit(4);
		close(nfd);
		long r = syscall(SYS_getpgid, 0);
		_exit(r < 0 && errno == 77 ? 0 : 1);
	}
	close(sv[1]);
	char buf[8];
	int nfd;
	recv_all(sv[0], buf, 2, &nfd);
	close(sv[0]);
	assert_true(nfd >= 0);
	struct seccomp_notif req;
	memset(&req, 0, sizeof(req));
	assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_RECV, &req), 0);
	assert_int_equal(req.data.nr, SYS_getpgid);
	assert_int_equal(req.pid, pid);
	struct seccomp_notif_resp resp = {.id = req.id, .error = -77};
	assert_int_equal(ioctl(nfd, SECCOMP_IOCTL_NOTIF_SEND, &resp), 0);
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	close(nfd);
	seccomp_program_free(p);
	assert_exit(st, 0);
}

static void test_load_notify(void **state)
{
	(void)state;
	load_notify("[]");
	if (seccomp_flag_supported(SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV))
		load_notify(
		    "['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV', 'SECCOMP_FILTER_FLAG_LOG']");
}

static void test_load_flags(void **state)
{
	(void)state;
	if (!seccomp_flag_supported(SECCOMP_FILTER_FLAG_LOG) ||
	    !seccomp_flag_supported(SECCOMP_FILTER_FLAG_SPEC_ALLOW))
		skip();
	assert_exit(run_loaded("{'defaultAction': 'SCMP_ACT_ALLOW', 'flags':"
			       " ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW',"
			       " 'SECCOMP_FILTER_FLAG_TSYNC'], 'syscalls': [{'names': ['getcwd'],"
			       " 'action': 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}",
			       do_getcwd, NULL),
		    42);
}

/* Listen on dir/name; returns the listening socket. */
static int listen_at(const char *path)
{
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	assert_true(strlen(path) < sizeof(sa.sun_path));
	strcpy(sa.sun_path, path);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(s, 4), 0);
	return s;
}

/* send_notify to listenerPath `path` (bound as `bind_path`), check the message */
static void check_send_notify(const char *path, const char *bind_path)
{
	char text[PATH_MAX + 256];
	snprintf(text, sizeof(text),
		 "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '%s', 'listenerMetadata':"
		 " 'MKNOD=/dev/null', 'syscalls': [{'names': ['mkdir'], 'action':"
		 " 'SCMP_ACT_NOTIFY'}]}",
		 path);
	struct seccomp_program *p = compile_ok(text);
	int ls = listen_at(bind_path);
	int pfd[2];
	assert_int_equal(pipe2(pfd, O_CLOEXEC), 0);
	char *state = tu_jq("{'ociVersion': '1.0.2', 'id': 'c1', 'status': 'creating',"
			    " 'pid': 4242, 'bundle': '/b', 'annotations': {'k': 'v'}}");
	struct berth_error *err = NULL;
	if (seccomp_send_notify(p, state, pfd[0], &err) < 0)
		fail_msg("send_notify: %s", err->msg);
	int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
	assert_true(c >= 0);
	char buf[4096];
	int got;
	recv_all(c, buf, sizeof(buf), &got);
	json_error_t je;
	json_t *msg = json_loads(buf, 0, &je);
	if (msg == NULL)
		fail_msg("not JSON: %s", buf);
	assert_string_equal(json_string_value(json_object_get(msg, "ociVersion")), "1.0.2");
	json_t *fds = json_object_get(msg, "fds");
	assert_int_equal(json_array_size(fds), 1);
	assert_string_equal(json_string_value(json_array_get(fds, 0)), "seccompFd");
	assert_int_equal(json_integer_value(json_object_get(msg, "pid")), 4242);
	assert_string_equal(json_string_value(json_object_get(msg, "metadata")), "MKNOD=/dev/null");
	json_t *st = json_object_get(msg, "state");
	assert_string_equal(json_string_value(json_object_get(st, "id")), "c1");
	assert_string_equal(json_string_value(json_object_get(st, "status")), "creating");
	assert_string_equal(json_string_value(json_object_get(st, "bundle")), "/b");
	assert_int_equal(json_integer_value(json_object_get(st, "pid")), 4242);
	/* the fd that came is the one we sent */
	struct stat a, b;
	assert_true(got >= 0);
	assert_int_equal(fstat(got, &a), 0);
	assert_int_equal(fstat(pfd[0], &b), 0);
	assert_true(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	json_decref(msg);
	free(state);
	close(got);
	close(c);
	close(ls);
	close(pfd[0]);
	close(pfd[1]);
	seccomp_program_free(p);
}

static void test_send_notify(void **state)
{
	(void)state;
	char dir[] = "/tmp/berth-sc-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s/agent.sock", dir);
	check_send_notify(path, path);
	unlink(path);
	/* a listenerPath longer than sun_path */
	char longdir[PATH_MAX];
	snprintf(longdir, sizeof(longdir), "%s/%0120d", dir, 0);
	assert_int_equal(mkdir(longdir, 0700), 0);
	char longpath[PATH_MAX + 16], bindpath[PATH_MAX];
	snprintf(longpath, sizeof(longpath), "%s/agent.sock", longdir);
	assert_int_equal(chdir(longdir), 0);
	snprintf(bindpath, sizeof(bindpath), "agent.sock");
	check_send_notify(longpath, bindpath);
	assert_int_equal(chdir("/"), 0);
	unlink(longpath);
	rmdir(longdir);
	/* errors name the socket */
	struct seccomp_program *p =
	    compile_ok("{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/nonexistent/a.sock',"
		       " 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}");
	struct berth_error *err = NULL;
	assert_int_equal(seccomp_send_notify(p, "{\"pid\": 1}", 0, &err), -1);
	tu_assert_msg(err, "linux.seccomp.listenerPath /nonexistent/a.sock: connect: No such file");
	berth_error_free(&err);
	assert_int_equal(seccomp_send_notify(p, "[]", 0, &err), -1);
	tu_assert_msg(err, "seccomp notify: container state: not a JSON object");
	berth_error_free(&err);
	seccomp_program_free(p);
	p = compile_ok(GETCWD_RULE("SCMP_ACT_ERRNO", ""));
	assert_int_equal(seccomp_send_notify(p, "{\"pid\": 1}", 0, &err), -1);
	tu_assert_msg(err, "no SCMP_ACT_NOTIFY rule");
	berth_error_free(&err);
	seccomp_program_free(p);
	rmdir(dir);
}

static void test_features(void **state)
{
	(void)state;
	json_t *f = seccomp_features();
	assert_true(json_is_true(json_object_get(f, "enabled")));
	assert_int_equal(json_array_size(json_object_get(f, "actions")), 9);
	assert_int_equal(json_array_size(json_object_get(f, "operators")), 7);
	assert_int_equal(json_array_size(json_object_get(f, "knownFlags")), 4);
	bool native = false;
	json_t *v;
	size_t i;
	json_array_foreach(json_object_get(f, "archs"), i, v)
	{
		native |= strcmp(json_string_value(v), NATIVE_ARCH) == 0;
	}
	assert_true(native);
	json_decref(f);
}

/* tests/fixtures/seccomp/default.json, searched upwards from the test
 * binary and the working directory (build dirs live in the tree). */
static json_t *load_default_profile(void)
{
	char start[2][PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", start[0], sizeof(start[0]) - 1);
	start[0][n > 0 ? n : 0] = '\0';
	if (getcwd(start[1], sizeof(start[1])) == NULL)
		start[1][0] = '\0';
	for (int s = 0; s < 2; s++) {
		char dir[PATH_MAX];
		memcpy(dir, start[s], sizeof(dir));
		while (dir[0]) {
			char path[PATH_MAX + 64];
			snprintf(path, sizeof(path), "%s/tests/fixtures/seccomp/default.json", dir);
			if (access(path, R_OK) == 0) {
				json_error_t je;
				json_t *j = json_load_file(path, JSON_DECODE_INT_AS_REAL, &je);
				if (j == NULL)
					fail_msg("%s: %s", path, je.text);
				bjson_reals_to_integers(j);
				return j;
			}
			char *slash = strrchr(dir, '/');
			if (slash == NULL)
				break;
			*slash = '\0';
		}
	}
	return NULL;
}

/* under the default profile: 0 if the expected things are blocked/allowed */
static int do_default_checks(void *arg)
{
	(void)arg;
	char buf[PATH_MAX];
	if (syscall(SYS_getcwd, buf, sizeof(buf)) < 0)
		return 10;
	if (syscall(SYS_unshare, 0x10000000 /* CLONE_NEWUSER */) == 0 || errno != EPERM)
		return 11;
	if (syscall(SYS_mount, "none", "/tmp", "tmpfs", 0, NULL) == 0 || errno != EPERM)
		return 12;
	if (syscall(SYS_keyctl, 0, 0, 0, 0, 0) == 0 || errno != EPERM)
		return 13;
	/* clone3 is ENOSYS so that libc falls back to clone (with its flag filter) */
	if (syscall(SYS_clone3, NULL, 0) == 0 || errno != ENOSYS)
		return 14;
	/* personality: only the harmless values */
	if (syscall(SYS_personality, 0xffffffffUL) < 0)
		return 15;
	if (syscall(SYS_personality, 0x0040000UL /* ADDR_NO_RANDOMIZE */) == 0 || errno != EPERM)
		return 16;
	/* sockets of every family but AF_VSOCK */
	long fd = syscall(SYS_socket, AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0)
		return 18;
	close((int)fd);
	if (syscall(SYS_socket, 40 /* AF_VSOCK */, SOCK_STREAM, 0) >= 0 || errno != EPERM)
		return 19;
	/* a syscall number past the whole table: -ENOSYS from the stub */
	if (syscall(1000, 0) == 0 || errno != ENOSYS)
		return 17;
	return 0;
}

static void test_default_profile(void **state)
{
	(void)state;
	json_t *prof = load_default_profile();
	if (prof == NULL)
		skip();
	json_t *sc = json_object_get(prof, "seccomp") ? json_object_get(prof, "seccomp") : prof;
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	if (seccomp_compile(sc, &p, &err) < 0)
		fail_msg("default profile: %s", err->msg);
	assert_true(p->n_insns < BPF_MAXINSNS);
	assert_false(seccomp_wants_notify(p));
	seccomp_program_free(p);
	char *text = json_dumps(sc, JSON_COMPACT);
	/* run_loaded takes single-quoted JSON; the profile has no quotes inside */
	assert_exit(run_loaded(text, do_default_checks, NULL), 0);
	free(text);
	json_decref(prof);
}

/* the one .bpf file in dir (fails unless there is exactly one) */
static void only_cache_file(const char *dir, char *path, size_t size)
{
	char cmd[PATH_MAX + 64];
	snprintf(cmd, sizeof(cmd), "ls %s/*.bpf 2>/dev/null", dir);
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	int n = 0;
	char line[PATH_MAX];
	while (fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = '\0';
		snprintf(path, size, "%s", line);
		n++;
	}
	pclose(f);
	assert_int_equal(n, 1);
}

static struct seccomp_program *compile_cached_ok(const char *text, const char *dir)
{
	json_t *j = tu_json(text);
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	if (seccomp_compile_cached(j, dir, &p, &err) < 0)
		fail_msg("compile_cached: %s", err->msg);
	json_decref(j);
	return p;
}

static void assert_same_program(const struct seccomp_program *a, const struct seccomp_program *b)
{
	assert_int_equal(a->n_insns, b->n_insns);
	assert_memory_equal(a->insns, b->insns, a->n_insns * sizeof(*a->insns));
	assert_int_equal(a->flags, b->flags);
	assert_int_equal(a->notify, b->notify);
}

static void test_cache(void **state)
{
	(void)state;
	char dir[] = "/tmp/berth-scc-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char cache[PATH_MAX], file[PATH_MAX];
	snprintf(cache, sizeof(cache), "%s/cache", dir);
	const char *prof = "{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '/a.sock',"
			   " 'listenerMetadata': 'md', 'syscalls': [{'names': ['mkdir'],"
			   " 'action': 'SCMP_ACT_NOTIFY'}, {'names': ['getcwd'], 'action':"
			   " 'SCMP_ACT_ERRNO', 'errnoRet': 42}]}";
	struct seccomp_program *plain = compile_ok(prof);
	/* a miss compiles and writes the file (the directory is made) */
	struct seccomp_program *first = compile_cached_ok(prof, cache);
	assert_same_program(first, plain);
	only_cache_file(cache, file, sizeof(file));
	struct stat st;
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	/* a hit reads it back, listener fields included */
	struct seccomp_program *hit = compile_cached_ok(prof, cache);
	assert_same_program(hit, plain);
	assert_string_equal(hit->listener_path, "/a.sock");
	assert_string_equal(hit->listener_metadata, "md");
	/* key order does not matter (canonical JSON) */
	struct seccomp_program *reordered = compile_cached_ok(
	    "{'syscalls': [{'action': 'SCMP_ACT_NOTIFY', 'names': ['mkdir']}, {'errnoRet': 42,"
	    " 'names': ['getcwd'], 'action': 'SCMP_ACT_ERRNO'}], 'listenerMetadata': 'md',"
	    " 'listenerPath': '/a.sock', 'defaultAction': 'SCMP_ACT_ALLOW'}",
	    cache);
	assert_same_program(reordered, plain);
	only_cache_file(cache, file, sizeof(file));
	/* a damaged file is a miss, and is replaced */
	assert_int_equal(truncate(file, 30), 0);
	struct seccomp_program *again = compile_cached_ok(prof, cache);
	assert_same_program(again, plain);
	assert_int_equal(stat(file, &st), 0);
	assert_true(st.st_size > 30);
	/* an invalid profile still fails, and is not cached */
	json_t *bad = tu_json("{'defaultAction': 'SCMP_ACT_FOO'}");
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(seccomp_compile_cached(bad, cache, &p, &err), -1);
	tu_assert_msg(err, "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_FOO\"");
	berth_error_free(&err);
	json_decref(bad);
	only_cache_file(cache, file, sizeof(file));
	/* no cache dir, or one that cannot be made: compiles all the same */
	struct seccomp_program *nodir = compile_cached_ok(prof, NULL);
	struct seccomp_program *baddir = compile_cached_ok(prof, "/proc/nonexistent/x");
	assert_same_program(nodir, plain);
	assert_same_program(baddir, plain);
	assert_null(compile_cached_ok("{}", cache));
	seccomp_program_free(plain);
	seccomp_program_free(first);
	seccomp_program_free(hit);
	seccomp_program_free(reordered);
	seccomp_program_free(again);
	seccomp_program_free(nodir);
	seccomp_program_free(baddir);
	unlink(file);
	rmdir(cache);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_no_filter),
	    cmocka_unit_test(test_not_an_object),
	    cmocka_unit_test(test_every_action),
	    cmocka_unit_test(test_errno_values),
	    cmocka_unit_test(test_every_operator),
	    cmocka_unit_test(test_every_arch),
	    cmocka_unit_test(test_flags),
	    cmocka_unit_test(test_unknown_syscalls_skipped),
	    cmocka_unit_test(test_bad_cases),
	    cmocka_unit_test(test_notify_needs_listener),
	    cmocka_unit_test(test_load_errno),
	    cmocka_unit_test(test_load_kill),
	    cmocka_unit_test(test_load_kill_thread_vs_process),
	    cmocka_unit_test(test_load_trap_trace_log),
	    cmocka_unit_test(test_load_operators),
	    cmocka_unit_test(test_load_args_and_or),
	    cmocka_unit_test(test_load_enosys_stub),
	    cmocka_unit_test(test_load_needs_privilege),
	    cmocka_unit_test(test_load_notify),
	    cmocka_unit_test(test_load_flags),
	    cmocka_unit_test(test_send_notify),
	    cmocka_unit_test(test_features),
	    cmocka_unit_test(test_default_profile),
	    cmocka_unit_test(test_cache),
	};
	return tu_run("seccomp", tests, ARRAY_SIZE(tests));
}
