/* daemon.json parsing (lib/engine/config.c), merging with the command line
 * (cmd/berthd/config.c) and reload diffs (lib/engine/config-reload.c). */
#include "test-util.h"

#include "berthd.h"
#include "common/fs.h"
#include "engine/config.h"

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

static char dir[] = "/tmp/berth-cfgtest.XXXXXX";
static char path[256];

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/daemon.json", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	rmdir(dir);
	return 0;
}

static void write_cfg(const char *single_quoted)
{
	char *t = tu_jq(single_quoted);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(fs_write_all(fd, t, strlen(t)), (ssize_t)strlen(t));
	close(fd);
	free(t);
}

/* Load `text` as the config file with flags f (config_file is set here). */
static int load(const char *text, struct berthd_flags *f, struct engine_config *c,
		struct berth_error **err)
{
	write_cfg(text);
	f->config_file = path;
	return berthd_config_load(f, c, err);
}

static void expect_bad(const char *text, const char *want)
{
	struct berthd_flags f = {0};
	struct engine_config c;
	struct berth_error *err = NULL;
	if (load(text, &f, &c, &err) == 0)
		fail_msg("config %s was accepted, expected an error with [%s]", text, want);
	tu_assert_msg(err, want);
	tu_assert_msg(err, path); /* every file error names the file */
	berth_error_free(&err);
}

static void test_full(void **state)
{
	(void)state;
	struct berthd_flags f = {0};
	struct engine_config c;
	struct berth_error *err = NULL;
	int r =
	    load("{'debug': true, 'hosts': ['unix:///run/a.sock', '/run/b.sock'],"
		 " 'data-root': '/srv/berth', 'exec-root': '/run/b', 'pidfile': '/run/b.pid',"
		 " 'log-level': 'warn', 'insecure-registries': ['reg:5000', '10.0.0.0/8'],"
		 " 'registry-mirrors': ['https://mirror.example'],"
		 " 'max-concurrent-downloads': 6, 'max-concurrent-uploads': 2,"
		 " 'max-download-attempts': 3, 'shutdown-timeout': 4,"
		 " 'storage-driver': 'overlay2', 'default-runtime': 'fast',"
		 " 'runtimes': {'fast': {'path': '/usr/bin/crun', 'runtimeArgs': ['--x']}},"
		 " 'labels': ['a=b'], 'log-driver': 'json-file', 'log-opts': {'max-size': '1m'}}",
		 &f, &c, &err);
	if (r < 0)
		fail_msg("%s", err->msg);
	assert_true(c.debug);
	assert_string_equal(c.hosts[0], "unix:///run/a.sock");
	assert_string_equal(c.hosts[1], "/run/b.sock");
	assert_null(c.hosts[2]);
	assert_string_equal(c.data_root, "/srv/berth");
	assert_string_equal(c.exec_root, "/run/b");
	assert_string_equal(c.pidfile, "/run/b.pid");
	assert_string_equal(c.log_level, "warn");
	assert_int_equal(engine_log_level(&c), LOG_DEBUG); /* debug wins */
	assert_string_equal(c.insecure_registries[1], "10.0.0.0/8");
	assert_string_equal(c.registry_mirrors[0], "https://mirror.example/");
	assert_int_equal(c.max_concurrent_downloads, 6);
	assert_int_equal(c.max_concurrent_uploads, 2);
	assert_int_equal(c.max_download_attempts, 3);
	assert_int_equal(c.shutdown_timeout, 4);
	assert_string_equal(c.storage_driver, "overlayfs");
	assert_string_equal(c.default_runtime, "fast");
	assert_int_equal(c.nruntimes, 1);
	assert_string_equal(c.runtimes[0].path, "/usr/bin/crun");
	assert_string_equal(c.runtimes[0].args[0], "--x");
	assert_string_equal(c.labels[0], "a=b");
	char *pid = berthd_pidfile_path(&c);
	assert_string_equal(pid, "/run/b.pid");
	free(pid);
	engine_config_free(&c);
}

static void test_defaults(void **state)
{
	(void)state;
	struct berthd_flags f = {0};
	struct engine_config c;
	struct berth_error *err = NULL;
	assert_int_equal(load("{}", &f, &c, &err), 0);
	assert_string_equal(c.data_root, "/var/lib/berth");
	assert_string_equal(c.exec_root, "/run/berth");
	assert_string_equal(c.hosts[0], "unix:///run/berth/berth.sock");
	assert_int_equal(c.max_concurrent_downloads, 3);
	assert_string_equal(c.default_runtime, "berth-runtime");
	assert_false(c.debug);
	char *pid = berthd_pidfile_path(&c);
	assert_string_equal(pid, "/run/berth/berthd.pid");
	free(pid);
	engine_config_free(&c);
}

static void test_missing_file(void **state)
{
	(void)state;
	/* an explicitly named file must exist */
	struct berthd_flags f = {.config_file = (char *)"/nonexistent/daemon.json"};
	struct engine_config c;
	struct berth_error *err = NULL;
	assert_int_equal(berthd_config_load(&f, &c, &err), -1);
	tu_assert_msg(err, "/nonexistent/daemon.json");
	tu_assert_msg(err, "No such file");
	berth_error_free(&err);
}

static void test_bad_values(void **state)
{
	(void)state;
	static const char *const cases[][2] = {
	    {"{'debug': true,}", "invalid JSON"},
	    {"[1]", "expected a JSON object"},
	    {"{'debug': true, 'debug': false}", "duplicate"},
	    {"{'foo': 1, 'bar': 2}", "don't match any configuration option: foo, bar"},
	    {"{'bip': '10.0.0.1/24'}", "not supported by berthd: bip"},
	    {"{'debug': 'yes'}", "debug: expected a boolean, got \"yes\""},
	    {"{'max-concurrent-downloads': '3'}",
	     "max-concurrent-downloads: expected an integer, got \"3\""},
	    {"{'max-concurrent-downloads': 0}", "max-concurrent-downloads"},
	    {"{'shutdown-timeout': -1}", "shutdown-timeout"},
	    {"{'hosts': 'unix:///x.sock'}", "hosts: expected an array"},
	    {"{'hosts': ['tcp://0.0.0.0:2375']}", "only unix:// sockets"},
	    {"{'hosts': ['unix://rel.sock']}", "must be absolute"},
	    {"{'data-root': 'var/lib'}", "data-root: must be an absolute path"},
	    {"{'pidfile': 3}", "pidfile: expected a string"},
	    {"{'log-level': 'loud'}", "log-level: unknown level \"loud\""},
	    {"{'registry-mirrors': ['ftp://m']}", "invalid mirror"},
	    {"{'registry-mirrors': ['https://']}", "invalid mirror"},
	    {"{'insecure-registries': ['http://reg:5000']}", "should not contain '://'"},
	    {"{'storage-driver': 'zfs'}", "unknown storage driver \"zfs\""},
	    {"{'runtimes': {'runc': {'path': '/x'}}}", "runtime name 'runc' is reserved"},
	    {"{'runtimes': {'x': {}}}", "runtimes.x.path: required"},
	    {"{'runtimes': {'x': {'path': '/x', 'args': []}}}", "runtimes.x: unknown key \"args\""},
	    {"{'runtimes': {'x': 'y'}}", "runtimes.x: expected an object"},
	    {"{'default-runtime': 'nope'}", "default-runtime: no runtime named \"nope\""},
	    {"{'labels': ['novalue']}", "labels[0]"},
	    {"{'log-driver': 'syslog'}", "log-driver"},
	    {"{'log-opts': {'max-size': 1}}", "log-opts.max-size: expected a string"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		if (strcmp(cases[i][1], "default-runtime: no runtime named \"nope\"") == 0) {
			/* a check across keys: no file prefix needed, but a clear name */
			struct berthd_flags f = {0};
			struct engine_config c;
			struct berth_error *err = NULL;
			assert_int_equal(load(cases[i][0], &f, &c, &err), -1);
			tu_assert_msg(err, cases[i][1]);
			berth_error_free(&err);
			continue;
		}
		expect_bad(cases[i][0], cases[i][1]);
	}
}

static void test_flag_conflicts(void **state)
{
	(void)state;
	char *hosts[] = {(char *)"unix:///tmp/x.sock", NULL};
	struct berthd_flags f = {.debug = true, .hosts = hosts, .root = (char *)"/r"};
	struct engine_config c;
	struct berth_error *err = NULL;
	assert_int_equal(
	    load("{'debug': false, 'hosts': ['unix:///y.sock'], 'data-root': '/d'}", &f, &c, &err),
	    -1);
	tu_assert_msg(err, "the following directives are specified both as a flag and in the "
			   "configuration file: debug: (from flag: true, from file: false)");
	tu_assert_msg(err, "hosts: (from flag: [unix:///tmp/x.sock], from file: "
			   "[\"unix:///y.sock\"])");
	tu_assert_msg(err, "data-root: (from flag: /r, from file: \"/d\")");
	berth_error_free(&err);

	/* flags alone, and flags with other keys in the file, are fine */
	struct berthd_flags g = {.debug = true, .hosts = hosts, .exec_root = (char *)"/e"};
	assert_int_equal(load("{'registry-mirrors': ['http://m:5000/']}", &g, &c, &err), 0);
	assert_true(c.debug);
	assert_string_equal(c.hosts[0], "unix:///tmp/x.sock");
	assert_null(c.hosts[1]);
	assert_string_equal(c.exec_root, "/e");
	assert_string_equal(c.registry_mirrors[0], "http://m:5000/");
	engine_config_free(&c);
}

static void test_bad_flags(void **state)
{
	(void)state;
	char *hosts[] = {(char *)"tcp://127.0.0.1:2375", NULL};
	struct berthd_flags f = {.hosts = hosts};
	struct engine_config c;
	struct berth_error *err = NULL;
	assert_int_equal(load("{}", &f, &c, &err), -1);
	tu_assert_msg(err, "--host: host tcp://127.0.0.1:2375: only unix:// sockets");
	berth_error_free(&err);
	struct berthd_flags g = {.log_level = (char *)"chatty"};
	assert_int_equal(load("{}", &g, &c, &err), -1);
	tu_assert_msg(err, "--log-level: log-level: unknown level \"chatty\"");
	berth_error_free(&err);
	struct berthd_flags h = {.root = (char *)"relative"};
	assert_int_equal(load("{}", &h, &c, &err), -1);
	tu_assert_msg(err, "--root relative: must be an absolute path");
	berth_error_free(&err);
}

static void test_reload(void **state)
{
	(void)state;
	struct berthd_flags f = {0};
	struct engine_config cur, next;
	struct berth_error *err = NULL;
	assert_int_equal(load("{'max-concurrent-downloads': 2}", &f, &cur, &err), 0);
	assert_int_equal(load("{'debug': true, 'registry-mirrors': ['https://m.example'],"
			      " 'max-concurrent-downloads': 5, 'data-root': '/elsewhere',"
			      " 'insecure-registries': ['r:5000']}",
			      &f, &next, &err),
			 0);
	char *ignored = NULL;
	char *changes = engine_config_reload(&cur, &next, &ignored);
	assert_non_null(strstr(changes, "debug: false -> true"));
	assert_non_null(strstr(changes, "registry-mirrors: [] -> [https://m.example/]"));
	assert_non_null(strstr(changes, "max-concurrent-downloads: 2 -> 5"));
	assert_non_null(strstr(changes, "insecure-registries: [] -> [r:5000]"));
	assert_string_equal(ignored, "data-root");
	assert_true(cur.debug);
	assert_int_equal(cur.max_concurrent_downloads, 5);
	assert_string_equal(cur.data_root, "/var/lib/berth"); /* needs a restart */
	free(changes);
	free(ignored);
	/* same again: nothing changes */
	changes = engine_config_reload(&cur, &next, &ignored);
	assert_string_equal(changes, "");
	free(changes);
	free(ignored);
	engine_config_free(&cur);
	engine_config_free(&next);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_full),	   cmocka_unit_test(test_defaults),
	    cmocka_unit_test(test_missing_file),   cmocka_unit_test(test_bad_values),
	    cmocka_unit_test(test_flag_conflicts), cmocka_unit_test(test_bad_flags),
	    cmocka_unit_test(test_reload),
	};
	return _cmocka_run_group_tests("engine-config", tests, ARRAY_SIZE(tests), setup, teardown);
}
