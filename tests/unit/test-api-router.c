/* The API router (lib/engine/api/router.c): version prefixes, version range
 * messages, METHOD + pattern matching with {x} and {x*} parameters. */
#include "test-util.h"

#include "engine/api/api.h"

static int h_a(struct api_request *r, struct api_response *s, struct berth_error **e)
{
	(void)r, (void)s, (void)e;
	return 0;
}
static int h_b(struct api_request *r, struct api_response *s, struct berth_error **e)
{
	(void)r, (void)s, (void)e;
	return 0;
}

static const struct api_route t1[] = {
    {"GET", "/_ping", h_a},
    {"HEAD", "/_ping", h_b},
    {"GET", "/containers/json", h_a},
    {"GET", "/containers/{name}/json", h_b},
    {"POST", "/containers/{name}/exec", h_a},
    {NULL, NULL, NULL},
};
static const struct api_route t2[] = {
    {"GET", "/images/json", h_a},	  {"GET", "/images/{name*}/json", h_b},
    {"POST", "/images/{name*}/tag", h_a}, {"DELETE", "/images/{name*}", h_b},
    {"GET", "/exec/{id}/json", h_b},	  {NULL, NULL, NULL},
};
static const struct api_route *const tables[] = {t1, t2, NULL};

static void test_split(void **state)
{
	(void)state;
	static const struct {
		const char *url, *path, *version;
	} cases[] = {
	    {"/v1.41/_ping", "/_ping", "1.41"},
	    {"/_ping", "/_ping", NULL},
	    {"/v1.24/containers/json", "/containers/json", "1.24"},
	    {"/v1/version", "/version", "1"},
	    {"/vabc/version", "/vabc/version", NULL}, /* not a version: no route then */
	    {"/v1.41", "/v1.41", NULL},
	    {"/v/version", "/v/version", NULL},
	    {"/version", "/version", NULL},
	    {"/v1.41/", "/", "1.41"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *path;
		bool versioned;
		char *v = NULL;
		api_path_split(cases[i].url, &path, &versioned, &v);
		assert_string_equal(path, cases[i].path);
		assert_int_equal(versioned, cases[i].version != NULL);
		if (cases[i].version)
			assert_string_equal(v, cases[i].version);
		else
			assert_null(v);
		free(v);
	}
}

static void test_versions(void **state)
{
	(void)state;
	struct api_version a, b;
	assert_int_equal(api_version_parse("1.41", 4, &a), 0);
	assert_int_equal(a.major, 1);
	assert_int_equal(a.minor, 41);
	assert_int_equal(api_version_parse("1.9", 3, &b), 0);
	assert_true(api_version_cmp(b, a) < 0); /* numeric, not string order */
	assert_true(api_version_cmp_str(a, "1.40") > 0);
	assert_int_equal(api_version_cmp_str(a, "1.41"), 0);
	assert_int_equal(api_version_parse("1.x", 3, &b), -1);
	assert_int_equal(api_version_parse("", 0, &b), -1);

	bool json = false;
	char *m = api_version_check("1.41", &json);
	assert_null(m);
	assert_null(api_version_check("1.24", &json));
	assert_null(api_version_check("1.30", &json));
	m = api_version_check("1.50", &json);
	assert_string_equal(m, "client version 1.50 is too new. Maximum supported API version is "
			       "1.41");
	assert_true(json);
	free(m);
	m = api_version_check("1.11", &json);
	assert_string_equal(m, "client version 1.11 is too old. Minimum supported API version is "
			       "1.24, please upgrade your client to a newer version");
	assert_false(json);
	free(m);
	m = api_version_check("1.4", &json); /* 1.4 < 1.24 numerically */
	assert_non_null(m);
	free(m);
	m = api_version_check("2", &json);
	assert_non_null(strstr(m, "too new"));
	free(m);
}

static void expect_route(const char *method, const char *path, api_handler_fn fn, const char *pname,
			 const char *pval)
{
	struct api_request req = {0};
	if (!api_route_match(tables, method, path, &req))
		fail_msg("%s %s: no route", method, path);
	assert_ptr_equal(req.route->fn, fn);
	if (pname) {
		const char *v = api_param(&req, pname);
		if (v == NULL || strcmp(v, pval) != 0)
			fail_msg("%s %s: param %s = %s, expected %s", method, path, pname,
				 v ? v : "(none)", pval);
	} else {
		assert_int_equal(req.nparams, 0);
	}
	api_request_clear_params(&req);
}

static void expect_none(const char *method, const char *path)
{
	struct api_request req = {0};
	if (api_route_match(tables, method, path, &req))
		fail_msg("%s %s matched %s", method, path, req.route->pattern);
	api_request_clear_params(&req);
}

static void test_match(void **state)
{
	(void)state;
	expect_route("GET", "/_ping", h_a, NULL, NULL);
	expect_route("HEAD", "/_ping", h_b, NULL, NULL);
	expect_none("DELETE", "/_ping"); /* dockerd: 404, not 405 */
	expect_none("POST", "/_ping");
	expect_route("GET", "/containers/json", h_a, NULL, NULL); /* literal first */
	expect_route("GET", "/containers/web/json", h_b, "name", "web");
	expect_route("POST", "/containers/abc123/exec", h_a, "name", "abc123");
	expect_none("GET", "/containers//json");
	expect_none("GET", "/containers/a/b/json");
	expect_none("GET", "/containers/web/json/");
	expect_route("GET", "/images/json", h_a, NULL, NULL);
	expect_route("GET", "/images/busybox/json", h_b, "name", "busybox");
	expect_route("GET", "/images/127.0.0.1:5000/library/busybox:1.35/json", h_b, "name",
		     "127.0.0.1:5000/library/busybox:1.35");
	expect_route("GET", "/images/sha256:abcd/json", h_b, "name", "sha256:abcd");
	expect_route("POST", "/images/reg/x/tag", h_a, "name", "reg/x");
	expect_route("DELETE", "/images/reg/x:1", h_b, "name", "reg/x:1");
	/* greedy: an image whose last path element is "json" */
	expect_route("GET", "/images/a/json/json", h_b, "name", "a/json");
	expect_none("GET", "/images//json");
	expect_route("GET", "/exec/e1/json", h_b, "id", "e1");
	expect_none("GET", "/exec/e1/e2/json");
	expect_none("GET", "/nosuchendpoint");
	expect_none("GET", "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_split),
	    cmocka_unit_test(test_versions),
	    cmocka_unit_test(test_match),
	};
	return tu_run("api-router", tests, ARRAY_SIZE(tests));
}
