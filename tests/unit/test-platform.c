/* Platforms (lib/core/images/platform.c): specifiers, normalisation,
 * matching and ranking as containerd's platforms package. */
#include "test-util.h"

#include "core/images/platform.h"

#include <errno.h>

static void test_parse(void **state)
{
	(void)state;
	struct platform host;
	platform_default(&host);
	char *host_s = platform_format(&host);
	struct {
		const char *in, *out;
	} cases[] = {
	    {"linux/amd64", "linux/amd64"},
	    {"linux/x86_64", "linux/amd64"},
	    {"linux/x86-64", "linux/amd64"},
	    {"Linux/AMD64", "linux/amd64"},
	    {"linux/amd64/v1", "linux/amd64"},
	    {"linux/amd64/v3", "linux/amd64/v3"},
	    {"linux/aarch64", "linux/arm64"},
	    {"linux/arm64", "linux/arm64"},
	    {"linux/arm64/v8", "linux/arm64/v8"},
	    {"linux/arm64/8", "linux/arm64/v8"},
	    {"linux/aarch64/v8.0", "linux/arm64/v8"},
	    {"linux/arm64/v9.0", "linux/arm64/v9"},
	    {"linux/arm", "linux/arm"},
	    {"linux/arm/v7", "linux/arm/v7"},
	    {"linux/arm/7", "linux/arm/v7"},
	    {"linux/arm/v6", "linux/arm/v6"},
	    {"linux/arm/5", "linux/arm/v5"},
	    {"linux/armhf", "linux/arm"},
	    {"linux/armel", "linux/arm/v6"},
	    {"linux/i386", "linux/386"},
	    {"linux/ppc64le", "linux/ppc64le"},
	    {"linux/s390x", "linux/s390x"},
	    {"macos/arm64", "darwin/arm64"},
	    {"windows/amd64", "windows/amd64"},
	    {"arm64", "linux/arm64"},
	    {"aarch64", "linux/arm64"},
	    {"x86_64", "linux/amd64"},
	    {"armel", "linux/arm/v6"},
	    {"linux", host_s},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct platform p;
		struct berth_error *err = NULL;
		if (platform_parse(cases[i].in, &p, &err) < 0)
			fail_msg("[%s]: %s", cases[i].in, err->msg);
		char *s = platform_format(&p);
		if (strcmp(s, cases[i].out) != 0)
			fail_msg("[%s]: got [%s], want [%s]", cases[i].in, s, cases[i].out);
		/* formatting and parsing again gives an equal platform */
		struct platform again;
		if (platform_parse(s, &again, &err) < 0)
			fail_msg("[%s] again: %s", s, err->msg);
		assert_true(platform_match(&p, &again));
		platform_free(&again);
		free(s);
		platform_free(&p);
	}
	struct platform p;
	struct berth_error *err = NULL;
	assert_int_equal(platform_parse("windows(10.0.17763)/amd64", &p, &err), 0);
	assert_string_equal(p.os, "windows");
	assert_string_equal(p.os_version, "10.0.17763");
	platform_free(&p);
	free(host_s);
	platform_free(&host);
}

static void test_parse_bad(void **state)
{
	(void)state;
	struct {
		const char *in, *msg;
	} cases[] = {
	    {"", "empty"},
	    {"linux/*", "wildcards not supported"},
	    {"linux/amd64/v2/x", "expected os[/arch[/variant]]"},
	    {"a/b/c/d/e", "expected os[/arch[/variant]]"},
	    {"foo", "unknown operating system or architecture"},
	    {"linux/", "component \"\""},
	    {"/amd64", "is not an operating system"},
	    {"linux//v7", "component \"\""},
	    {"lin ux/amd64", "is not an operating system"},
	    {"linux/amd 64", "component \"amd 64\""},
	    {"linux/../x", "invalid platform"},
	    {"linux(/amd64", "is not an operating system"},
	    {"linux(1.0/amd64", "is not an operating system"},
	    {"linux(a b)/amd64", "is not an operating system"},
	    {"linux/amd64/v\xc3\xa4", "component"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct platform p;
		struct berth_error *err = NULL;
		if (platform_parse(cases[i].in, &p, &err) == 0) {
			char *s = platform_format(&p);
			fail_msg("[%s] accepted as [%s]", cases[i].in, s);
		}
		tu_assert_msg(err, cases[i].msg);
		tu_assert_msg(err, "invalid platform");
		assert_int_equal(err->code, EINVAL);
		assert_null(p.os);
		berth_error_free(&err);
	}
}

static void test_match(void **state)
{
	(void)state;
	struct platform a, b;
	platform_init(&a, "linux", "arm64", "v8");
	platform_init(&b, "Linux", "aarch64", NULL);
	assert_true(platform_match(&a, &b));
	platform_free(&b);
	platform_init(&b, "linux", "arm64", "v9");
	assert_false(platform_match(&a, &b));
	platform_free(&b);
	platform_free(&a);

	platform_init(&a, "linux", "arm", NULL);
	platform_init(&b, "linux", "armhf", "");
	assert_true(platform_match(&a, &b));
	assert_string_equal(a.variant, "v7");
	platform_free(&b);
	platform_init(&b, "linux", "arm", "v6");
	assert_false(platform_match(&a, &b));
	platform_free(&b);
	platform_init(&b, "windows", "arm", "v7");
	assert_false(platform_match(&a, &b));
	platform_free(&b);
	platform_free(&a);

	struct platform empty = {0};
	char *s = platform_format(&empty);
	assert_string_equal(s, "unknown");
	free(s);
}

static void test_rank(void **state)
{
	(void)state;
	struct {
		const char *want, *have;
		int rank;
	} cases[] = {
	    {"linux/amd64", "linux/amd64", 0},	     {"linux/amd64", "linux/x86_64", 0},
	    {"linux/amd64", "linux/amd64/v1", 0},    {"linux/amd64", "linux/386", 1},
	    {"linux/amd64", "linux/amd64/v2", -1},   {"linux/amd64", "linux/arm64", -1},
	    {"linux/amd64", "windows/amd64", -1},    {"linux/amd64/v3", "linux/amd64/v3", 0},
	    {"linux/amd64/v3", "linux/amd64/v2", 1}, {"linux/amd64/v3", "linux/amd64", 2},
	    {"linux/amd64/v3", "linux/386", 3},	     {"linux/amd64/v3", "linux/amd64/v4", -1},
	    {"linux/arm64", "linux/arm64", 0},	     {"linux/arm64", "linux/arm64/v8", 0},
	    {"linux/arm64", "linux/arm/v8", 1},	     {"linux/arm64", "linux/arm/v7", 2},
	    {"linux/arm64", "linux/arm", 2},	     {"linux/arm64", "linux/arm/v5", 4},
	    {"linux/arm64", "linux/amd64", -1},	     {"linux/arm/v7", "linux/arm/v6", 1},
	    {"linux/arm/v7", "linux/arm/v5", 2},     {"linux/arm/v6", "linux/arm/v7", -1},
	    {"linux/arm/v7", "linux/arm64", -1},     {"linux/s390x", "linux/s390x", 0},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct platform w, h;
		struct berth_error *err = NULL;
		assert_int_equal(platform_parse(cases[i].want, &w, &err), 0);
		assert_int_equal(platform_parse(cases[i].have, &h, &err), 0);
		int r = platform_rank(&w, &h);
		if (r != cases[i].rank)
			fail_msg("rank of %s for %s: %d, want %d", cases[i].have, cases[i].want, r,
				 cases[i].rank);
		platform_free(&w);
		platform_free(&h);
	}
}

static void test_default(void **state)
{
	(void)state;
	struct platform p;
	platform_default(&p);
	assert_string_equal(p.os, "linux");
#if defined(__x86_64__)
	assert_string_equal(p.arch, "amd64");
	assert_null(p.variant);
#endif
	struct platform parsed;
	struct berth_error *err = NULL;
	assert_int_equal(platform_parse("linux", &parsed, &err), 0);
	assert_true(platform_match(&p, &parsed));
	assert_int_equal(platform_rank(&p, &parsed), 0);
	platform_free(&parsed);
	platform_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse),   cmocka_unit_test(test_parse_bad),
	    cmocka_unit_test(test_match),   cmocka_unit_test(test_rank),
	    cmocka_unit_test(test_default),
	};
	return tu_run("platforms", tests, ARRAY_SIZE(tests));
}
