/* Unit tests of the berth CLI's run/create flags -> create body, docker's
 * messages for bad values, the logs time formats and the detach keys
 * (cmd/berth/ctr-opts.c, parsed through cmd/berth/opts.c). */
#include "test-util.h"

#include "ctr-opts.h"
#include "hijack.h"
#include "stdcopy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static char *fake_env(const char *name)
{
	if (strcmp(name, "FROM_HOST") == 0)
		return "host-value";
	return NULL;
}

static const struct cli_spec run_spec = {
    "run", "[OPTIONS] IMAGE [COMMAND] [ARG...]", "test", NULL, 1, -1, true};

/* Parse "run ARGS..." (NULL-terminated) into a body; NULL with *err. */
static json_t *parse_run(const char *api, struct berth_error **err, ...)
{
	char *argv[128];
	int argc = 0;
	argv[argc++] = "run";
	va_list ap;
	va_start(ap, err);
	for (char *a; (a = va_arg(ap, char *));)
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	struct ctr_opts o = {.sig_proxy = true};
	struct cli_opt *opts = ctr_opts_table(&o, true);
	int first;
	int rc = cli_parse(&run_spec, opts, argc, argv, &first);
	free(opts);
	assert_int_equal(rc, 0);
	int size[2] = {24, 80};
	json_t *body = NULL;
	int r = ctr_opts_body(&o, argv[first], argv + first + 1, argc - first - 1, size, api,
			      fake_env, &body, err);
	struct cli_strv *lists[] = {&o.env,	   &o.env_file,	    &o.cap_add, &o.cap_drop,
				    &o.tmpfs,	   &o.security_opt, &o.ulimit,	&o.device,
				    &o.label,	   &o.label_file,   &o.sysctl,	&o.group_add,
				    &o.log_opt,	   &o.attach,	    &o.dns,	&o.dns_search,
				    &o.dns_option, &o.add_host,	    &o.expose};
	for (size_t i = 0; i < ARRAY_SIZE(lists); i++)
		free(lists[i]->v);
	if (r < 0) {
		assert_null(body);
		return NULL;
	}
	return body;
}

/* The value at a dotted path ("HostConfig.Memory"). */
static json_t *at(json_t *j, const char *path)
{
	char *p = strdup(path);
	json_t *cur = j;
	for (char *s = p, *k; (k = strsep(&s, "."));)
		cur = json_object_get(cur, k);
	free(p);
	if (cur == NULL)
		fail_msg("no %s in the body", path);
	return cur;
}

static void assert_at(json_t *body, const char *path, const char *want_json)
{
	json_t *want = tu_json(want_json);
	json_t *got = at(body, path);
	if (!json_equal(got, want)) {
		char *g = json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT);
		fail_msg("%s: got %s, want %s", path, g, want_json);
	}
	json_decref(want);
}

static void test_defaults_match_docker(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *b = parse_run("1.41", &err, "busybox", NULL);
	assert_non_null(b);
	/* the key order of the docker CLI's body (run_it transcript) */
	const char *want[] = {
	    "Hostname",	    "Domainname", "User",	"AttachStdin",	   "AttachStdout",
	    "AttachStderr", "Tty",	  "OpenStdin",	"StdinOnce",	   "Env",
	    "Cmd",	    "Image",	  "Volumes",	"WorkingDir",	   "Entrypoint",
	    "OnBuild",	    "Labels",	  "HostConfig", "NetworkingConfig"};
	size_t i = 0;
	const char *k;
	json_t *v;
	json_object_foreach(b, k, v)
	{
		assert_true(i < ARRAY_SIZE(want));
		assert_string_equal(k, want[i]);
		i++;
	}
	assert_int_equal(i, ARRAY_SIZE(want));
	assert_at(b, "AttachStdin", "false");
	assert_at(b, "AttachStdout", "true");
	assert_at(b, "AttachStderr", "true");
	assert_at(b, "Cmd", "null");
	assert_at(b, "Env", "null");
	assert_at(b, "Image", "'busybox'");
	assert_at(b, "Labels", "{}");
	assert_at(b, "HostConfig.RestartPolicy", "{'Name':'no','MaximumRetryCount':0}");
	assert_at(b, "HostConfig.NetworkMode", "'default'");
	assert_at(b, "HostConfig.ConsoleSize", "[24,80]");
	assert_at(b, "HostConfig.MemorySwappiness", "-1");
	assert_at(b, "HostConfig.AutoRemove", "false");
	assert_null(json_object_get(json_object_get(b, "HostConfig"), "Init"));
	json_decref(b);
}

static void test_every_flag(void **state)
{
	(void)state;
	char seccomp[] = "/tmp/test-ctr-opts-seccomp.XXXXXX";
	int fd = mkstemp(seccomp);
	assert_true(fd >= 0);
	const char prof[] = "{\n  \"defaultAction\": \"SCMP_ACT_ALLOW\",\n  \"syscalls\": []\n}\n";
	assert_int_equal(write(fd, prof, strlen(prof)), (ssize_t)strlen(prof));
	close(fd);
	char *secopt = NULL;
	assert_true(asprintf(&secopt, "seccomp=%s", seccomp) > 0);
	struct berth_error *err = NULL;
	json_t *b = parse_run(
	    "1.41", &err, "-d", "--name", "web", "-e", "FOO=bar", "-e", "FROM_HOST", "-e", "UNSET",
	    "-w", "/tmp", "-u", "33:33", "--entrypoint", "sh", "-l", "app=demo", "-l", "flag", "-m",
	    "512m", "--memory-swap", "1g", "--cpus", "1.5", "--cpu-shares", "512", "--cpuset-cpus",
	    "0-1", "--pids-limit", "100", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN",
	    "--privileged", "--read-only", "--tmpfs", "/run:size=1m", "--tmpfs", "/tmp2",
	    "--security-opt", secopt, "--security-opt", "no-new-privileges", "--init", "--ulimit",
	    "nofile=1024:2048", "--ulimit", "nproc=50", "--device", "/dev/null:/dev/xnull:r",
	    "--device", "/dev/zero", "--shm-size", "64m", "--stop-signal", "SIGUSR1",
	    "--stop-timeout", "5", "-h", "myhost", "--pid", "host", "--ipc", "private", "--uts",
	    "host", "--sysctl", "net.ipv4.ip_forward=1", "--group-add", "10", "--runtime", "runc",
	    "--log-opt", "max-size=1m", "--network", "none", "--restart", "on-failure:3", "busybox",
	    "ls", "-l", "-h", NULL);
	unlink(seccomp);
	free(secopt);
	if (b == NULL)
		fail_msg("unexpected error: %s", err->msg);
	assert_at(b, "Hostname", "'myhost'");
	assert_at(b, "User", "'33:33'");
	assert_at(b, "AttachStdout", "false"); /* -d */
	assert_at(b, "Env", "['FOO=bar','FROM_HOST=host-value','UNSET']");
	/* flags end at the image: "-l" and "-h" belong to ls */
	assert_at(b, "Cmd", "['ls','-l','-h']");
	assert_at(b, "WorkingDir", "'/tmp'");
	assert_at(b, "Entrypoint", "['sh']");
	assert_at(b, "Labels", "{'app':'demo','flag':''}");
	assert_at(b, "StopSignal", "'SIGUSR1'");
	assert_at(b, "StopTimeout", "5");
	assert_at(b, "HostConfig.Memory", "536870912");
	assert_at(b, "HostConfig.MemorySwap", "1073741824");
	assert_at(b, "HostConfig.NanoCpus", "1500000000");
	assert_at(b, "HostConfig.CpuShares", "512");
	assert_at(b, "HostConfig.CpusetCpus", "'0-1'");
	assert_at(b, "HostConfig.PidsLimit", "100");
	assert_at(b, "HostConfig.CapAdd", "['NET_ADMIN']");
	assert_at(b, "HostConfig.CapDrop", "['CHOWN']");
	assert_at(b, "HostConfig.Privileged", "true");
	assert_at(b, "HostConfig.ReadonlyRootfs", "true");
	assert_at(b, "HostConfig.Tmpfs", "{'/run':'size=1m','/tmp2':''}");
	assert_at(b, "HostConfig.SecurityOpt",
		  "['seccomp={\\'defaultAction\\':\\'SCMP_ACT_ALLOW\\',\\'syscalls\\':[]}',"
		  "'no-new-privileges']");
	assert_at(b, "HostConfig.Init", "true");
	assert_at(
	    b, "HostConfig.Ulimits",
	    "[{'Name':'nofile','Hard':2048,'Soft':1024},{'Name':'nproc','Hard':50,'Soft':50}]");
	assert_at(b, "HostConfig.Devices",
		  "[{'PathOnHost':'/dev/null','PathInContainer':'/dev/xnull','CgroupPermissions':"
		  "'r'},{'PathOnHost':'/dev/zero','PathInContainer':'/dev/zero',"
		  "'CgroupPermissions':'rwm'}]");
	assert_at(b, "HostConfig.ShmSize", "67108864");
	assert_at(b, "HostConfig.PidMode", "'host'");
	assert_at(b, "HostConfig.IpcMode", "'private'");
	assert_at(b, "HostConfig.UTSMode", "'host'");
	assert_at(b, "HostConfig.Sysctls", "{'net.ipv4.ip_forward':'1'}");
	assert_at(b, "HostConfig.GroupAdd", "['10']");
	assert_at(b, "HostConfig.Runtime", "'runc'");
	assert_at(b, "HostConfig.LogConfig", "{'Type':'','Config':{'max-size':'1m'}}");
	assert_at(b, "HostConfig.NetworkMode", "'none'");
	assert_at(b, "HostConfig.RestartPolicy", "{'Name':'on-failure','MaximumRetryCount':3}");
	json_decref(b);
}

static void test_interactive_rm(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *b = parse_run("1.41", &err, "-it", "--rm", "busybox", "sh", NULL);
	assert_non_null(b);
	assert_at(b, "Tty", "true");
	assert_at(b, "OpenStdin", "true");
	assert_at(b, "StdinOnce", "true");
	assert_at(b, "AttachStdin", "true");
	assert_at(b, "HostConfig.AutoRemove", "true");
	json_decref(b);
	/* API 1.24: AutoRemove is the CLI's job (docker sends false) */
	b = parse_run("1.24", &err, "--rm", "busybox", NULL);
	assert_at(b, "HostConfig.AutoRemove", "false");
	json_decref(b);
	/* -a picks the streams */
	b = parse_run("1.41", &err, "-a", "STDERR", "busybox", NULL);
	assert_at(b, "AttachStdout", "false");
	assert_at(b, "AttachStderr", "true");
	json_decref(b);
}

static void test_files(void **state)
{
	(void)state;
	char envf[] = "/tmp/test-ctr-opts-env.XXXXXX";
	char labf[] = "/tmp/test-ctr-opts-lab.XXXXXX";
	int fd = mkstemp(envf);
	const char env[] = "\xef\xbb\xbf# comment\n\n  A=1\nB=two words\nFROM_HOST\nNOT_SET\n";
	assert_int_equal(write(fd, env, strlen(env)), (ssize_t)strlen(env));
	close(fd);
	fd = mkstemp(labf);
	const char lab[] = "x=1\n#y=2\nz=3\nnovalue\n";
	assert_int_equal(write(fd, lab, strlen(lab)), (ssize_t)strlen(lab));
	close(fd);
	struct berth_error *err = NULL;
	json_t *b = parse_run("1.41", &err, "--env-file", envf, "-e", "C=3", "--label-file", labf,
			      "-l", "z=4", "busybox", NULL);
	if (b == NULL)
		fail_msg("unexpected error: %s", err->msg);
	assert_at(b, "Env", "['A=1','B=two words','FROM_HOST=host-value','C=3']");
	assert_at(b, "Labels", "{'x':'1','z':'4'}");
	json_decref(b);
	/* a variable name with a space */
	fd = open(envf, O_WRONLY | O_TRUNC | O_CLOEXEC);
	assert_int_equal(write(fd, "BAD NAME=1\n", 11), 11);
	close(fd);
	assert_null(parse_run("1.41", &err, "--env-file", envf, "busybox", NULL));
	tu_assert_msg(err,
		      "poorly formatted environment: variable 'BAD NAME' contains whitespaces");
	berth_error_free(&err);
	unlink(envf);
	unlink(labf);
}

static void test_bad_values(void **state)
{
	(void)state;
	struct {
		const char *flag, *value;
		int code;
		const char *msg;
	} cases[] = {
	    {"-m", "5x", CTR_OPTS_EFLAG,
	     "invalid argument \"5x\" for \"-m, --memory\" flag: invalid suffix: 'x'"},
	    {"-m", "lots", CTR_OPTS_EFLAG,
	     "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'"},
	    {"-m", "1.5.2m", CTR_OPTS_EFLAG,
	     "invalid argument \"1.5.2m\" for \"-m, --memory\" flag: strconv.ParseFloat: parsing "
	     "\"1.5.2\": invalid syntax"},
	    {"-m", "5KX", CTR_OPTS_EFLAG, "flag: invalid suffix: 'kx'"},
	    {"--memory-swap", "lots", CTR_OPTS_EFLAG,
	     "invalid argument \"lots\" for \"--memory-swap\" flag: invalid size: 'lots'"},
	    {"--shm-size", "-5", CTR_OPTS_EFLAG,
	     "invalid argument \"-5\" for \"--shm-size\" flag: invalid size: '-5'"},
	    {"--cpus", "abc", CTR_OPTS_EFLAG,
	     "invalid argument \"abc\" for \"--cpus\" flag: failed to parse abc as a rational "
	     "number"},
	    {"--cpus", "0.0000000001", CTR_OPTS_EFLAG,
	     "invalid argument \"0.0000000001\" for \"--cpus\" flag: value is too precise"},
	    {"--cpu-shares", "x", CTR_OPTS_EFLAG,
	     "invalid argument \"x\" for \"-c, --cpu-shares\" flag: strconv.ParseInt: parsing "
	     "\"x\": invalid syntax"},
	    {"--pids-limit", "99999999999999999999", CTR_OPTS_EFLAG,
	     "invalid argument \"99999999999999999999\" for \"--pids-limit\" flag: "
	     "strconv.ParseInt: parsing \"99999999999999999999\": value out of range"},
	    {"--stop-timeout", "1s", CTR_OPTS_EFLAG,
	     "invalid argument \"1s\" for \"--stop-timeout\" flag: strconv.ParseInt: parsing "
	     "\"1s\": invalid syntax"},
	    {"--ulimit", "nofile", CTR_OPTS_EFLAG,
	     "invalid argument \"nofile\" for \"--ulimit\" flag: invalid ulimit argument: nofile"},
	    {"--ulimit", "bogus=1", CTR_OPTS_EFLAG,
	     "invalid argument \"bogus=1\" for \"--ulimit\" flag: invalid ulimit type: bogus"},
	    {"--ulimit", "nofile=20:10", CTR_OPTS_EFLAG,
	     "ulimit soft limit must be less than or equal to hard limit: 20 > 10"},
	    {"--ulimit", "nofile=1:2:3", CTR_OPTS_EFLAG,
	     "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`"},
	    {"--sysctl", "kernel.hostname=x", CTR_OPTS_EFLAG,
	     "invalid argument \"kernel.hostname=x\" for \"--sysctl\" flag: sysctl "
	     "'kernel.hostname=x' is not allowed"},
	    {"-a", "stdfoo", CTR_OPTS_EFLAG,
	     "invalid argument \"stdfoo\" for \"-a, --attach\" flag: valid streams are STDIN, "
	     "STDOUT and STDERR"},
	    {"-e", "=x", CTR_OPTS_EFLAG,
	     "invalid argument \"=x\" for \"-e, --env\" flag: invalid environment variable: =x"},
	    {"--device", "/dev/a:/dev/b:r:x", EINVAL,
	     "invalid device specification: /dev/a:/dev/b:r:x"},
	    {"--device", "/dev/a:/dev/b:rwx", EINVAL, "invalid device mode: rwx"},
	    {"--pid", "bogus", EINVAL, "--pid: invalid PID mode"},
	    {"--ipc", "container:", EINVAL, "--ipc: invalid IPC mode"},
	    {"--uts", "private", EINVAL, "--uts: invalid UTS mode"},
	    {"--restart", "always:x", EINVAL,
	     "invalid restart policy format: maximum retry count must be an integer"},
	    {"--env-file", "/nonexistent/env", ENOENT,
	     "open /nonexistent/env: no such file or directory"},
	    {"--label-file", "/nonexistent/l", ENOENT,
	     "open /nonexistent/l: no such file or directory"},
	    {"--security-opt", "seccomp=/nonexistent/p.json", ENOENT,
	     "opening seccomp profile (/nonexistent/p.json) failed: open /nonexistent/p.json: no "
	     "such file or directory"},
	    {"--security-opt", "apparmor", EINVAL, "Invalid --security-opt: \"apparmor\""},
	    {"--pull", "sometimes", EINVAL,
	     "invalid pull option: 'sometimes': must be one of \"always\", \"missing\" or "
	     "\"never\""},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct berth_error *err = NULL;
		json_t *b = parse_run("1.41", &err, cases[i].flag, cases[i].value, "busybox", NULL);
		if (b)
			fail_msg("%s %s: no error", cases[i].flag, cases[i].value);
		tu_assert_msg(err, cases[i].msg);
		if (err->code != cases[i].code)
			fail_msg("%s %s: code %d, want %d", cases[i].flag, cases[i].value,
				 err->code, cases[i].code);
		berth_error_free(&err);
	}
	struct berth_error *err = NULL;
	assert_null(parse_run("1.41", &err, "--restart", "always", "--rm", "busybox", NULL));
	tu_assert_msg(err, "conflicting options: cannot specify both --restart and --rm");
	berth_error_free(&err);
	assert_null(parse_run("1.41", &err, "-d", "-a", "stdout", "busybox", NULL));
	tu_assert_msg(err, "Conflicting options: -a and -d");
	berth_error_free(&err);
}

static void test_sizes(void **state)
{
	(void)state;
	struct {
		const char *s;
		int64_t v;
	} ok[] = {
	    {"1024", 1024},	  {"512m", 536870912}, {"512M", 536870912}, {"1.5g", 1610612736},
	    {"2GiB", 2147483648}, {"1 kb", 1024},      {"3b", 3},	    {"1t", 1099511627776},
	    {"1.m", 1048576},	  {"1e3", 1000},       {"1 ", 1},	    {".5m", 524288},
	    {"1kib", 1024}};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		int64_t v = -7;
		char *why = NULL;
		if (ctr_parse_ram(ok[i].s, &v, &why) < 0)
			fail_msg("'%s': %s", ok[i].s, why);
		assert_int_equal(v, ok[i].v);
	}
	/* go-units' reasons, as the docker CLI 28 prints them */
	struct {
		const char *s, *why;
	} bad[] = {{"", "invalid size: ''"},
		   {"x", "invalid size: 'x'"},
		   {"-1", "invalid size: '-1'"},
		   {"1x", "invalid suffix: 'x'"},
		   {"1mm", "invalid suffix: 'mm'"},
		   {"5 x", "invalid suffix: 'x'"},
		   {"1kbbb", "invalid suffix: 'kbbb'"},
		   {" 1", "strconv.ParseFloat: parsing \" 1\": invalid syntax"},
		   {"0x10", "strconv.ParseFloat: parsing \"0x10\": invalid syntax"}};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		int64_t v;
		char *why = NULL;
		if (ctr_parse_ram(bad[i].s, &v, &why) == 0)
			fail_msg("'%s' parsed as a size", bad[i].s);
		assert_string_equal(why, bad[i].why);
		free(why);
	}
	struct berth_error *err = NULL;
	int64_t n;
	assert_int_equal(ctr_parse_cpus("2", &n, &err), 0);
	assert_int_equal(n, 2000000000);
	assert_int_equal(ctr_parse_cpus(".25", &n, &err), 0);
	assert_int_equal(n, 250000000);
	assert_int_equal(ctr_parse_cpus("3/2", &n, &err), 0);
	assert_int_equal(n, 1500000000);
	assert_int_equal(ctr_parse_cpus("0.000000001", &n, &err), 0);
	assert_int_equal(n, 1);
}

static void test_timestamps(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	time_t now = 1700000000;
	struct {
		const char *in, *out;
	} ok[] = {
	    {"10m", "1699999400"},
	    {"1h30m", "1699994600"},
	    {"1.5s", "1699999998"},
	    {"2023-11-14T22:13:20Z", "1700000000.000000000"},
	    {"2023-11-14T22:13:20.5Z", "1700000000.500000000"},
	    {"2023-11-14T23:13:20+01:00", "1700000000.000000000"},
	    {"2023-11-14T22:13:20", "1700000000.000000000"},
	    {"2023-11-14T22:13", "1699999980.000000000"},
	    {"2023-11-14", "1699920000.000000000"},
	    {"1700000000", "1700000000"},
	    {"1700000000.123456789", "1700000000.123456789"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		char *out = NULL;
		struct berth_error *err = NULL;
		if (ctr_timestamp(ok[i].in, now, &out, &err) < 0)
			fail_msg("%s: %s", ok[i].in, err->msg);
		assert_string_equal(out, ok[i].out);
		free(out);
	}
	char *out = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(ctr_timestamp("yesterday", now, &out, &err), -1);
	tu_assert_msg(err, "failed to parse value as time or duration: \"yesterday\"");
	berth_error_free(&err);
	assert_int_equal(ctr_timestamp("2023-13-01", now, &out, &err), -1);
	tu_assert_msg(err, "parsing time \"2023-13-01\"");
	berth_error_free(&err);
}

static void test_detach_keys(void **state)
{
	(void)state;
	unsigned char *k = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	assert_int_equal(ctr_detach_keys("ctrl-p,ctrl-q", &k, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(k[0], 0x10);
	assert_int_equal(k[1], 0x11);
	free(k);
	assert_int_equal(ctr_detach_keys("a,ctrl-@,ctrl-_,DEL", &k, &n, &err), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(k, "a\0\x1f\x7f", 4);
	free(k);
	assert_int_equal(ctr_detach_keys("ctrl-pp", &k, &n, &err), -1);
	tu_assert_msg(err, "Unknown character: 'ctrl-pp'");
	berth_error_free(&err);
}

static char *slurp(int fd)
{
	char *buf = calloc(1, 65536);
	ssize_t n = read(fd, buf, 65535);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

/* Frames (from the exec_ls/logs transcripts' shape) fed in every split. */
static void test_stdcopy(void **state)
{
	(void)state;
	const unsigned char stream[] = "\x01\0\0\0\0\0\0\x04out\n"
				       "\x02\0\0\0\0\0\0\x05"
				       "err1\n"
				       "\x01\0\0\0\0\0\0\0" /* empty frame */
				       "\x00\0\0\0\0\0\0\x03in\n";
	size_t len = sizeof(stream) - 1;
	for (size_t step = 1; step <= len; step++) {
		int o[2], e[2];
		assert_int_equal(pipe(o), 0);
		assert_int_equal(pipe(e), 0);
		struct stdcopy sc;
		stdcopy_init(&sc, o[1], e[1]);
		struct berth_error *err = NULL;
		for (size_t off = 0; off < len; off += step)
			assert_int_equal(stdcopy_feed(&sc, stream + off,
						      off + step > len ? len - off : step, &err),
					 0);
		assert_int_equal(stdcopy_end(&sc, &err), 0);
		stdcopy_free(&sc);
		close(o[1]);
		close(e[1]);
		char *out = slurp(o[0]), *errs = slurp(e[0]);
		assert_string_equal(out, "out\nin\n");
		assert_string_equal(errs, "err1\n");
		free(out);
		free(errs);
		close(o[0]);
		close(e[0]);
	}
	/* a daemon error frame, an unknown stream, a stream cut in a header */
	struct stdcopy sc;
	struct berth_error *err = NULL;
	stdcopy_init(&sc, -1, -1);
	assert_int_equal(stdcopy_feed(&sc,
				      "\x03\0\0\0\0\0\0\x04"
				      "boom",
				      12, &err),
			 -1);
	tu_assert_msg(err, "error from daemon in stream: boom");
	berth_error_free(&err);
	stdcopy_free(&sc);
	stdcopy_init(&sc, -1, -1);
	assert_int_equal(stdcopy_feed(&sc, "\x07\0\0\0\0\0\0\x01x", 9, &err), -1);
	tu_assert_msg(err, "Unrecognized input header: 7");
	berth_error_free(&err);
	stdcopy_init(&sc, -1, -1);
	assert_int_equal(stdcopy_feed(&sc, "\x01\0\0", 3, &err), 0);
	assert_int_equal(stdcopy_end(&sc, &err), -1);
	berth_error_free(&err);
}

/* hijack.c's requests go through the client; the reader is tested alone */
struct client *cli_client(struct cli *cli, struct berth_error **err)
{
	(void)cli;
	berth_error_set(err, ENOTSUP, "no client in this test");
	return NULL;
}
const char *client_api_version(const struct client *c)
{
	(void)c;
	return "1.41";
}
int client_daemon_error(long status, const char *body, struct berth_error **err)
{
	return berth_error_set(err, EIO, "Error response from daemon: %ld %s", status, body);
}

/* A reply written into a socketpair in pieces of `step` bytes by a child. */
static struct hj_conn *reply(const char *bytes, size_t len, size_t step)
{
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		for (size_t off = 0; off < len; off += step) {
			size_t n = off + step > len ? len - off : step;
			if (write(sv[1], bytes + off, n) != (ssize_t)n)
				_exit(1);
			usleep(200);
		}
		_exit(0);
	}
	close(sv[1]);
	struct hj_conn *c = NULL;
	struct berth_error *err = NULL;
	if (hj_response(sv[0], &c, &err) < 0)
		fail_msg("head: %s", err->msg);
	waitpid(pid, NULL, 0);
	return c;
}

static void test_hijack_reader(void **state)
{
	(void)state;
	/* wait: chunked, the transcript's bytes */
	const char wait[] =
	    "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Type: application/json\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1e\r\n{\"Error\":null,\"StatusCode\":7}\n\r\n"
	    "0\r\n\r\n";
	/* attach: 101 and output right behind the head */
	const char att[] =
	    "HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.raw-stream\r\n"
	    "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n\x01\0\0\0\0\0\0\x03hi\n";
	/* an error with Content-Length */
	const char e404[] =
	    "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n"
	    "Content-Length: 40\r\n\r\n{\"message\":\"No such container: nosuch\"}\n";
	size_t steps[] = {1, 3, 7, 4096};
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		struct berth_error *err = NULL;
		struct hj_conn *c = reply(wait, sizeof(wait) - 1, steps[i]);
		assert_int_equal(c->status, 200);
		assert_string_equal(c->content_type, "application/json");
		char *body = NULL;
		size_t len = 0;
		assert_int_equal(hj_read_all(c, &body, &len, &err), 0);
		assert_string_equal(body, "{\"Error\":null,\"StatusCode\":7}\n");
		free(body);
		hj_close(c);

		c = reply(att, sizeof(att) - 1, steps[i]);
		assert_int_equal(c->status, 101);
		assert_int_equal(hj_read_all(c, &body, &len, &err), 0);
		assert_int_equal(len, 11);
		assert_memory_equal(body, "\x01\0\0\0\0\0\0\x03hi\n", 11);
		free(body);
		hj_close(c);

		c = reply(e404, sizeof(e404) - 1, steps[i]);
		assert_int_equal(c->status, 404);
		assert_int_equal(hj_daemon_error(c, &err), -1);
		tu_assert_msg(err, "No such container: nosuch");
		berth_error_free(&err);
		hj_close(c);
	}
	/* a connection closed before the head, a reply cut inside a chunk */
	int sv[2];
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	assert_int_equal(write(sv[1], "HTTP/1.1 200 OK\r\n", 17), 17);
	close(sv[1]);
	struct hj_conn *c = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(hj_response(sv[0], &c, &err), -1);
	tu_assert_msg(err, "the daemon closed the connection before replying");
	berth_error_free(&err);
	close(sv[0]);
	const char cut[] = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc";
	c = reply(cut, sizeof(cut) - 1, 5);
	char *body = NULL;
	assert_int_equal(hj_read_all(c, &body, NULL, &err), -1);
	tu_assert_msg(err, "ended inside a chunk");
	berth_error_free(&err);
	hj_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_defaults_match_docker),
	    cmocka_unit_test(test_every_flag),
	    cmocka_unit_test(test_interactive_rm),
	    cmocka_unit_test(test_files),
	    cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_sizes),
	    cmocka_unit_test(test_timestamps),
	    cmocka_unit_test(test_detach_keys),
	    cmocka_unit_test(test_stdcopy),
	    cmocka_unit_test(test_hijack_reader),
	};
	return tu_run("cli-ctr-opts", tests, ARRAY_SIZE(tests));
}
