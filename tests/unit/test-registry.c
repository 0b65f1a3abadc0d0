/* The registry client's parsers (lib/core/registry/registry.h):
 * WWW-Authenticate challenges, docker config.json credentials,
 * insecure-registries matching, client options. */
#include "test-util.h"

#include "core/registry/registry.h"

#include <errno.h>
#include <unistd.h>

static struct reg_challenge *parse_ok(const char *h, size_t *n)
{
	struct berth_error *err = NULL;
	struct reg_challenge *c = NULL;
	*n = 0;
	if (reg_challenges_parse(h, &c, n, &err) < 0)
		fail_msg("[%s]: %s", h, err->msg);
	return c;
}

static void test_challenges(void **state)
{
	(void)state;
	size_t n;
	struct reg_challenge *c =
	    parse_ok("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
		     "scope=\"repository:library/busybox:pull\"",
		     &n);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].scheme, "bearer");
	assert_string_equal(reg_challenge_param(&c[0], "realm"), "https://auth.docker.io/token");
	assert_string_equal(reg_challenge_param(&c[0], "SERVICE"), "registry.docker.io");
	assert_string_equal(reg_challenge_param(&c[0], "scope"), "repository:library/busybox:pull");
	assert_null(reg_challenge_param(&c[0], "error"));
	reg_challenges_free(c, n);

	c = parse_ok("Basic realm=\"basic-realm\"", &n);
	assert_int_equal(n, 1);
	assert_string_equal(c[0].scheme, "basic");
	assert_string_equal(reg_challenge_param(&c[0], "realm"), "basic-realm");
	reg_challenges_free(c, n);

	/* several challenges, token values, spaces, escapes, a bare scheme */
	c = parse_ok("  BASIC , Bearer realm = tok , error=\"insufficient_scope\", "
		     "scope=\"a \\\"b\\\" c,d\",  Negotiate",
		     &n);
	assert_int_equal(n, 3);
	assert_string_equal(c[0].scheme, "basic");
	assert_int_equal(c[0].n_params, 0);
	assert_string_equal(c[1].scheme, "bearer");
	assert_string_equal(reg_challenge_param(&c[1], "realm"), "tok");
	assert_string_equal(reg_challenge_param(&c[1], "scope"), "a \"b\" c,d");
	assert_string_equal(reg_challenge_param(&c[1], "error"), "insufficient_scope");
	assert_string_equal(c[2].scheme, "negotiate");
	reg_challenges_free(c, n);

	/* two headers into one list */
	struct berth_error *err = NULL;
	c = NULL;
	n = 0;
	assert_int_equal(reg_challenges_parse("Basic realm=x", &c, &n, &err), 0);
	assert_int_equal(reg_challenges_parse("Bearer realm=y", &c, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(reg_challenge_param(&c[1], "realm"), "y");
	reg_challenges_free(c, n);

	static const char *bad[] = {
	    "",
	    "   ",
	    "Bearer realm=\"unterminated",
	    "Bearer realm=",
	    "Bearer realm=\"x\" service=\"y\"",
	    "=x",
	    "Bearer realm=\"a\",\"b\"",
	    "Bea(rer realm=x",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		c = NULL;
		n = 0;
		if (reg_challenges_parse(bad[i], &c, &n, &err) == 0)
			fail_msg("[%s] parsed", bad[i]);
		assert_int_equal(err->code, EINVAL);
		tu_assert_msg(err, "WWW-Authenticate");
		assert_int_equal(n, 0);
		berth_error_free(&err);
		reg_challenges_free(c, n);
	}
}

static struct reg_auth_file *auth_ok(const char *json)
{
	struct berth_error *err = NULL;
	struct reg_auth_file *f;
	char *t = tu_jq(json);
	if (reg_auth_file_parse(t, strlen(t), "config.json", &f, &err) < 0)
		fail_msg("%s: %s", t, err->msg);
	free(t);
	return f;
}

static void expect_user(struct reg_auth_file *f, const char *domain, const char *user,
			const char *pass)
{
	struct reg_auth a = {0};
	bool found = reg_auth_file_lookup(f, domain, &a);
	if (user == NULL) {
		if (found)
			fail_msg("%s: found %s", domain, a.username);
		return;
	}
	if (!found)
		fail_msg("%s: not found", domain);
	assert_string_equal(a.username, user);
	assert_string_equal(a.password, pass);
	reg_auth_free(&a);
}

static void test_auth_file(void **state)
{
	(void)state;
	/* dXNlcjpwYXNz = user:pass, YTpiOmM= = a:b:c, aHViOnNlY3JldA== = hub:secret */
	struct reg_auth_file *f =
	    auth_ok("{'auths': {'https://index.docker.io/v1/': {'auth': 'aHViOnNlY3JldA=='},"
		    " 'localhost:5000': {'auth': 'dXNlcjpwYXNz'},"
		    " 'https://reg.example.com:8443/v2/': {'auth': 'YTpiOmM='},"
		    " 'http://plain.example': {'username': 'u', 'password': 'p'},"
		    " 'empty.example': {}},"
		    " 'credsStore': 'desktop', 'HttpHeaders': {'X': 'y'}}");
	expect_user(f, "docker.io", "hub", "secret");
	expect_user(f, "index.docker.io", "hub", "secret");
	expect_user(f, "localhost:5000", "user", "pass");
	expect_user(f, "localhost", NULL, NULL);
	expect_user(f, "reg.example.com:8443", "a", "b:c");
	expect_user(f, "reg.example.com", NULL, NULL);
	expect_user(f, "plain.example", "u", "p");
	expect_user(f, "other.example", NULL, NULL);
	struct reg_auth a = {0};
	assert_true(reg_auth_file_lookup(f, "empty.example", &a));
	assert_true(reg_auth_empty(&a));
	reg_auth_free(&a);
	reg_auth_file_free(f);

	/* docker.io also under its other names; an exact key wins */
	f = auth_ok("{'auths': {'registry-1.docker.io': {'auth': 'dXNlcjpwYXNz'}}}");
	expect_user(f, "docker.io", "user", "pass");
	reg_auth_file_free(f);
	f = auth_ok("{'auths': {'https://x.example/': {'auth': 'YTpiOmM='},"
		    " 'x.example': {'auth': 'dXNlcjpwYXNz'}}}");
	expect_user(f, "x.example", "user", "pass");
	reg_auth_file_free(f);
	f = auth_ok("{}");
	expect_user(f, "docker.io", NULL, NULL);
	reg_auth_file_free(f);

	static const struct {
		const char *json, *msg;
	} bad[] = {
	    {"[]", "config.json: expected a JSON object"},
	    {"{'auths': []}", "config.json.auths: expected an object"},
	    {"{'auths': {'h': 1}}", "config.json: auths[\"h\"]: expected an object"},
	    {"{'auths': {'h': {'auth': 1}}}", "auths[\"h\"].auth: expected a string"},
	    {"{'auths': {'h': {'auth': '!!!!'}}}", "auths[\"h\"].auth: invalid base64"},
	    {"{'auths': {'h': {'auth': 'abc'}}}", "auths[\"h\"].auth: invalid base64 (length 3)"},
	    {"{'auths': {'h': {'auth': 'bm9jb2xvbg=='}}}",
	     "auths[\"h\"].auth: expected base64 of \"username:password\""},
	    {"{'auths': {'h': {'username': 7}}}", "auths[\"h\"].username: expected a string"},
	    {"{'auths': ", "config.json: invalid JSON"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct berth_error *err = NULL;
		char *t = tu_jq(bad[i].json);
		if (reg_auth_file_parse(t, strlen(t), "config.json", &f, &err) == 0)
			fail_msg("[%s] parsed", t);
		assert_null(f);
		tu_assert_msg(err, bad[i].msg);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
		free(t);
	}

	/* a missing file is an empty config; a directory is an error */
	struct berth_error *err = NULL;
	assert_int_equal(reg_auth_file_load("/nonexistent/berth/config.json", &f, &err), 0);
	expect_user(f, "docker.io", NULL, NULL);
	reg_auth_file_free(f);
	assert_int_equal(reg_auth_file_load("/", &f, &err), -1);
	tu_assert_msg(err, "/: not a regular file");
	berth_error_free(&err);
}

static void test_insecure(void **state)
{
	(void)state;
	const char *list[] = {"myreg:5000", "10.0.0.0/8", "fd00::/8", "plain.example", NULL};
	const char *const *l = list;
	/* loopback always (docker's rule), unless loopback is off */
	assert_true(reg_insecure_match(NULL, "localhost", true, false));
	assert_true(reg_insecure_match(NULL, "localhost:5000", true, false));
	assert_true(reg_insecure_match(NULL, "127.0.0.1:5000", true, false));
	assert_true(reg_insecure_match(NULL, "127.1.2.3", true, false));
	assert_true(reg_insecure_match(NULL, "[::1]:5000", true, false));
	assert_true(reg_insecure_match(NULL, "::1", true, false));
	assert_false(reg_insecure_match(NULL, "127.0.0.1:5000", false, false));
	assert_false(reg_insecure_match(NULL, "localhost", false, false));
	assert_false(reg_insecure_match(NULL, "128.0.0.1", true, false));
	/* names: exactly as written, port included */
	assert_true(reg_insecure_match(l, "myreg:5000", true, false));
	assert_true(reg_insecure_match(l, "MyReg:5000", true, false));
	assert_false(reg_insecure_match(l, "myreg", true, false));
	assert_false(reg_insecure_match(l, "myreg:5001", true, false));
	assert_true(reg_insecure_match(l, "plain.example", true, false));
	assert_false(reg_insecure_match(l, "plain.example:443", true, false));
	/* CIDRs: IPv4, IPv6, v4-mapped */
	assert_true(reg_insecure_match(l, "10.1.2.3:5000", true, false));
	assert_true(reg_insecure_match(l, "10.255.255.255", true, false));
	assert_false(reg_insecure_match(l, "11.0.0.1", true, false));
	assert_true(reg_insecure_match(l, "[fd12::1]:5000", true, false));
	assert_false(reg_insecure_match(l, "[fe80::1]:5000", true, false));
	assert_true(reg_insecure_match(l, "::ffff:10.0.0.1", true, false));
	const char *odd[] = {"192.168.1.0/23", "0.0.0.0/0", NULL};
	assert_true(reg_insecure_match(odd, "192.168.0.7", false, false));
	assert_true(reg_insecure_match(odd, "8.8.8.8", false, false));
	const char *narrow[] = {"192.168.1.0/25", NULL};
	assert_true(reg_insecure_match(narrow, "192.168.1.127", false, false));
	assert_false(reg_insecure_match(narrow, "192.168.1.128", false, false));
	/* names are only resolved with resolve (localhost resolves to loopback) */
	assert_false(reg_insecure_match(NULL, "some.name.invalid", true, false));
	assert_false(reg_insecure_match(NULL, "", true, false));

	struct berth_error *err = NULL;
	static const char *good[] = {"myreg:5000", "10.0.0.0/8",     "::1/128",
				     "localhost",  "[fd00::1]:5000", "a.b.c"};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		if (reg_insecure_validate(good[i], &err) < 0)
			fail_msg("%s: %s", good[i], err->msg);
	static const char *bad[] = {
	    "",	      "http://myreg:5000", "10.0.0.0/33",  "10.0.0.0/",	  "10.0.0.0/x", "::1/129",
	    "my reg", "host:port",	   "nothing/here", "-bad.example"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (reg_insecure_validate(bad[i], &err) == 0)
			fail_msg("[%s] accepted", bad[i]);
		assert_int_equal(err->code, EINVAL);
		tu_assert_msg(err, "insecure registry");
		berth_error_free(&err);
	}
}

static void test_options(void **state)
{
	(void)state;
	struct reg_options o;
	reg_options_init(&o);
	assert_int_equal(o.max_retries, 3);
	struct reg_client *c = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(reg_client_new(&o, &c, &err), 0);
	reg_client_free(c);

	const char *bad_insecure[] = {"http://x", NULL};
	o.insecure = bad_insecure;
	assert_int_equal(reg_client_new(&o, &c, &err), -1);
	tu_assert_msg(err, "insecure registry \"http://x\": must not contain a scheme");
	berth_error_free(&err);
	o.insecure = NULL;

	static const char *bad_mirrors[] = {"mirror.example", "https://m.example/path",
					    "ftp://m.example", "https://", "https://bad host"};
	for (size_t i = 0; i < ARRAY_SIZE(bad_mirrors); i++) {
		const char *m[] = {bad_mirrors[i], NULL};
		o.mirrors = m;
		if (reg_client_new(&o, &c, &err) == 0)
			fail_msg("mirror [%s] accepted", bad_mirrors[i]);
		tu_assert_msg(err, "registry mirror");
		berth_error_free(&err);
	}
	const char *ok[] = {"https://m.example:5000/", "http://127.0.0.1:5000", NULL};
	o.mirrors = ok;
	assert_int_equal(reg_client_new(&o, &c, &err), 0);
	reg_client_free(c);
	o.mirrors = NULL;
	o.max_retries = -1;
	assert_int_equal(reg_client_new(&o, &c, &err), -1);
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_challenges),
	    cmocka_unit_test(test_auth_file),
	    cmocka_unit_test(test_insecure),
	    cmocka_unit_test(test_options),
	};
	return tu_run("registry", tests, ARRAY_SIZE(tests));
}
