/* Unit tests of the berth CLI's daemon address and API version helpers
 * (cmd/berth/host.c), and of its config.json helpers (cmd/berth/config.c). */
#include "test-util.h"

#include "config.h"
#include "host.h"

#include <errno.h>
#include <stdlib.h>

static void test_pick(void **state)
{
	(void)state;
	struct {
		const char *flag, *berth, *docker, *want;
	} cases[] = {
	    {NULL, NULL, NULL, CLI_DEFAULT_HOST},
	    {"", "", "", CLI_DEFAULT_HOST},
	    {"unix:///a.sock", "unix:///b.sock", "unix:///c.sock", "unix:///a.sock"},
	    {NULL, "unix:///b.sock", "unix:///c.sock", "unix:///b.sock"},
	    {"", "", "unix:///c.sock", "unix:///c.sock"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *h = cli_host_pick(cases[i].flag, cases[i].berth, cases[i].docker);
		assert_string_equal(h, cases[i].want);
		free(h);
	}
}

static void test_socket_path(void **state)
{
	(void)state;
	struct {
		const char *host, *path;
		int code;
		const char *msg;
	} cases[] = {
	    {"unix:///run/berth/berth.sock", "/run/berth/berth.sock", 0, NULL},
	    {"unix://", "/run/berth/berth.sock", 0, NULL},
	    {"/tmp/x.sock", "/tmp/x.sock", 0, NULL},
	    {"unix://relative.sock", NULL, EINVAL, "must be absolute"},
	    {"tcp://127.0.0.1:2375", NULL, ENOTSUP, "unix sockets only"},
	    {"ssh://me@host", NULL, ENOTSUP, "unsupported host ssh://me@host"},
	    {"fd://", NULL, ENOTSUP, "unsupported host"},
	    {"berth.sock", NULL, EINVAL, "invalid host berth.sock"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *path = NULL;
		struct berth_error *err = NULL;
		int r = cli_host_socket_path(cases[i].host, &path, &err);
		if (cases[i].path) {
			assert_int_equal(r, 0);
			assert_string_equal(path, cases[i].path);
			free(path);
		} else {
			assert_int_equal(r, -1);
			assert_int_equal(err->code, cases[i].code);
			tu_assert_msg(err, cases[i].msg);
			berth_error_free(&err);
		}
	}
}

static void test_apiver(void **state)
{
	(void)state;
	assert_int_equal(cli_apiver_cmp("1.41", "1.41"), 0);
	assert_true(cli_apiver_cmp("1.9", "1.41") < 0);
	assert_true(cli_apiver_cmp("1.41", "1.24") > 0);
	assert_true(cli_apiver_cmp("2.0", "1.99") > 0);
	assert_true(cli_apiver_cmp("1.4", "1.4.1") < 0);
	/* min(server, client max); no header -> docker's 1.24 */
	assert_string_equal(cli_apiver_negotiate("1.41", "1.41"), "1.41");
	assert_string_equal(cli_apiver_negotiate("1.50", "1.41"), "1.41");
	assert_string_equal(cli_apiver_negotiate("1.25", "1.41"), "1.25");
	assert_string_equal(cli_apiver_negotiate(NULL, "1.41"), "1.24");
	assert_string_equal(cli_apiver_negotiate("", "1.41"), "1.24");
}

static void test_base64(void **state)
{
	(void)state;
	char *s = cli_base64("{}", 2, false);
	assert_string_equal(s, "e30=");
	free(s);
	s = cli_base64("user:pa??word>", 14, false);
	assert_string_equal(s, "dXNlcjpwYT8/d29yZD4=");
	free(s);
	s = cli_base64("user:pa??word>", 14, true);
	assert_string_equal(s, "dXNlcjpwYT8_d29yZD4=");
	size_t n;
	char *d = cli_base64_decode(s, &n);
	assert_int_equal(n, 14);
	assert_string_equal(d, "user:pa??word>");
	free(d);
	free(s);
	assert_null(cli_base64_decode("a*b", NULL));
}

static void test_server_key(void **state)
{
	(void)state;
	struct {
		const char *in, *want;
	} cases[] = {
	    {NULL, CLI_INDEX_SERVER},
	    {"docker.io", CLI_INDEX_SERVER},
	    {"https://index.docker.io/v1/", CLI_INDEX_SERVER},
	    {"localhost:5000", "localhost:5000"},
	    {"https://127.0.0.1:5000/v2/", "127.0.0.1:5000"},
	    {"http://reg.example", "reg.example"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *k = cli_config_server_key(cases[i].in);
		assert_string_equal(k, cases[i].want);
		free(k);
	}
	json_t *cfg = tu_json("{'auths': {'https://127.0.0.1:5000': {'auth': 'dTpwOnE='}}}");
	char *u = NULL, *p = NULL;
	assert_int_equal(cli_config_auth(cfg, "127.0.0.1:5000", &u, &p), 0);
	assert_string_equal(u, "u");
	assert_string_equal(p, "p:q");
	free(u);
	free(p);
	assert_int_equal(cli_config_auth(cfg, "other:5000", &u, &p), -1);
	json_decref(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_pick),       cmocka_unit_test(test_socket_path),
	    cmocka_unit_test(test_apiver),     cmocka_unit_test(test_base64),
	    cmocka_unit_test(test_server_key),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
