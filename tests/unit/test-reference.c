/* Image references (lib/core/images/reference.c): docker's normalisation,
 * familiar names, and docker's messages for bad input. */
#include "test-util.h"

#include "common/xalloc.h"
#include "core/images/reference.h"

#include <errno.h>

#define HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define DGST "sha256:" HEX

static struct ref *parse_ok(int (*fn)(const char *, struct ref **, struct berth_error **),
			    const char *in)
{
	struct ref *r = NULL;
	struct berth_error *err = NULL;
	if (fn(in, &r, &err) < 0)
		fail_msg("[%s]: %s", in, err->msg);
	return r;
}

static void expect_str(char *got, const char *want, const char *in, const char *what)
{
	if (strcmp(got, want) != 0)
		fail_msg("[%s] %s: got [%s], want [%s]", in, what, got, want);
	free(got);
}

static void eq_or_null(const char *got, const char *want, const char *in, const char *what)
{
	if ((got == NULL) != (want == NULL) || (got && strcmp(got, want) != 0))
		fail_msg("[%s] %s: got [%s], want [%s]", in, what, got ? got : "(null)",
			 want ? want : "(null)");
}

static void test_normalized(void **state)
{
	(void)state;
	struct {
		const char *in, *full, *domain, *path, *tag, *familiar, *docker;
	} cases[] = {
	    {"busybox", "docker.io/library/busybox", "docker.io", "library/busybox", NULL,
	     "busybox", "docker.io/library/busybox:latest"},
	    {"busybox:1.36", "docker.io/library/busybox:1.36", "docker.io", "library/busybox",
	     "1.36", "busybox:1.36", "docker.io/library/busybox:1.36"},
	    {"library/busybox", "docker.io/library/busybox", "docker.io", "library/busybox", NULL,
	     "busybox", "docker.io/library/busybox:latest"},
	    {"docker.io/library/busybox:latest", "docker.io/library/busybox:latest", "docker.io",
	     "library/busybox", "latest", "busybox:latest", "docker.io/library/busybox:latest"},
	    {"index.docker.io/library/busybox", "docker.io/library/busybox", "docker.io",
	     "library/busybox", NULL, "busybox", "docker.io/library/busybox:latest"},
	    {"index.docker.io/busybox", "docker.io/library/busybox", "docker.io", "library/busybox",
	     NULL, "busybox", "docker.io/library/busybox:latest"},
	    {"docker.io/busybox", "docker.io/library/busybox", "docker.io", "library/busybox", NULL,
	     "busybox", "docker.io/library/busybox:latest"},
	    {"user/repo", "docker.io/user/repo", "docker.io", "user/repo", NULL, "user/repo",
	     "docker.io/user/repo:latest"},
	    {"user/repo:v1.0-rc_2", "docker.io/user/repo:v1.0-rc_2", "docker.io", "user/repo",
	     "v1.0-rc_2", "user/repo:v1.0-rc_2", "docker.io/user/repo:v1.0-rc_2"},
	    {"library/a/b", "docker.io/library/a/b", "docker.io", "library/a/b", NULL,
	     "library/a/b", "docker.io/library/a/b:latest"},
	    {"localhost/x", "localhost/x", "localhost", "x", NULL, "localhost/x",
	     "localhost/x:latest"},
	    {"localhost", "docker.io/library/localhost", "docker.io", "library/localhost", NULL,
	     "localhost", "docker.io/library/localhost:latest"},
	    {"localhost:5000", "docker.io/library/localhost:5000", "docker.io", "library/localhost",
	     "5000", "localhost:5000", "docker.io/library/localhost:5000"},
	    {"localhost:5000/x/y:t", "localhost:5000/x/y:t", "localhost:5000", "x/y", "t",
	     "localhost:5000/x/y:t", "localhost:5000/x/y:t"},
	    {"127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox", "127.0.0.1:5000", "busybox", NULL,
	     "127.0.0.1:5000/busybox", "127.0.0.1:5000/busybox:latest"},
	    {"example.com/library/busybox", "example.com/library/busybox", "example.com",
	     "library/busybox", NULL, "example.com/library/busybox",
	     "example.com/library/busybox:latest"},
	    {"Example.COM/x", "Example.COM/x", "Example.COM", "x", NULL, "Example.COM/x",
	     "Example.COM/x:latest"},
	    {"my-registry.example.com:443/a_b/c__d/e--f.g:TAG_1.x-y",
	     "my-registry.example.com:443/a_b/c__d/e--f.g:TAG_1.x-y", "my-registry.example.com:443",
	     "a_b/c__d/e--f.g", "TAG_1.x-y",
	     "my-registry.example.com:443/a_b/c__d/e--f.g:TAG_1.x-y",
	     "my-registry.example.com:443/a_b/c__d/e--f.g:TAG_1.x-y"},
	    {"[::1]:5000/x", "[::1]:5000/x", "[::1]:5000", "x", NULL, "[::1]:5000/x",
	     "[::1]:5000/x:latest"},
	    {"[2001:db8::1]/x:t", "[2001:db8::1]/x:t", "[2001:db8::1]", "x", "t",
	     "[2001:db8::1]/x:t", "[2001:db8::1]/x:t"},
	    {"busybox@" DGST, "docker.io/library/busybox@" DGST, "docker.io", "library/busybox",
	     NULL, "busybox@" DGST, "docker.io/library/busybox@" DGST},
	    {"busybox:1.36@" DGST, "docker.io/library/busybox:1.36@" DGST, "docker.io",
	     "library/busybox", "1.36", "busybox:1.36@" DGST, "docker.io/library/busybox@" DGST},
	    {"host:1/x:t@" DGST, "host:1/x:t@" DGST, "host:1", "x", "t", "host:1/x:t@" DGST,
	     "host:1/x@" DGST},
	    /* no '/': never a domain */
	    {"example.com", "docker.io/library/example.com", "docker.io", "library/example.com",
	     NULL, "example.com", "docker.io/library/example.com:latest"},
	    {"a", "docker.io/library/a", "docker.io", "library/a", NULL, "a",
	     "docker.io/library/a:latest"},
	    {"foo_bar/baz", "docker.io/foo_bar/baz", "docker.io", "foo_bar/baz", NULL,
	     "foo_bar/baz", "docker.io/foo_bar/baz:latest"},
	    /* a 64-hex name is fine when it is not the whole input */
	    {"user/" HEX, "docker.io/user/" HEX, "docker.io", "user/" HEX, NULL, "user/" HEX,
	     "docker.io/user/" HEX ":latest"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i].in;
		struct ref *r = parse_ok(ref_parse_normalized, in);
		expect_str(ref_string(r), cases[i].full, in, "string");
		eq_or_null(r->domain, cases[i].domain, in, "domain");
		eq_or_null(r->path, cases[i].path, in, "path");
		eq_or_null(r->tag, cases[i].tag, in, "tag");
		expect_str(ref_familiar_string(r), cases[i].familiar, in, "familiar");
		/* the familiar form normalises back to the same reference */
		char *fam = ref_familiar_string(r);
		struct ref *back = parse_ok(ref_parse_normalized, fam);
		expect_str(ref_string(back), cases[i].full, fam, "round trip");
		free(fam);
		ref_free(back);
		struct ref *copy = ref_dup(r);
		expect_str(ref_string(copy), cases[i].full, in, "dup");
		ref_free(copy);
		ref_free(r);
		r = parse_ok(ref_parse_docker, in);
		expect_str(ref_string(r), cases[i].docker, in, "docker ref");
		ref_free(r);
	}
}

static void test_familiar_name(void **state)
{
	(void)state;
	struct {
		const char *in, *name, *familiar;
	} cases[] = {
	    {"busybox:1@" DGST, "docker.io/library/busybox", "busybox"},
	    {"docker.io/user/x:t", "docker.io/user/x", "user/x"},
	    {"library/x/y", "docker.io/library/x/y", "library/x/y"},
	    {"quay.io/library/x", "quay.io/library/x", "quay.io/library/x"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ref *r = parse_ok(ref_parse_normalized, cases[i].in);
		expect_str(ref_name(r), cases[i].name, cases[i].in, "name");
		expect_str(ref_familiar_name(r), cases[i].familiar, cases[i].in, "familiar name");
		ref_free(r);
	}
}

/* distribution's Parse without normalisation */
static void test_parse_plain(void **state)
{
	(void)state;
	struct {
		const char *in, *domain, *path, *tag, *digest;
	} cases[] = {
	    {"busybox", NULL, "busybox", NULL, NULL},
	    {"library/busybox", "library", "busybox", NULL, NULL},
	    {"a_b/c", NULL, "a_b/c", NULL, NULL},
	    {"a-b/c", "a-b", "c", NULL, NULL},
	    {"x:5000", NULL, "x", "5000", NULL},
	    {"host:5000/x", "host:5000", "x", NULL, NULL},
	    {"x@" DGST, NULL, "x", NULL, DGST},
	    {"a.b/c/d:e@" DGST, "a.b", "c/d", "e", DGST},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *in = cases[i].in;
		struct ref *r = parse_ok(ref_parse, in);
		eq_or_null(r->domain, cases[i].domain, in, "domain");
		eq_or_null(r->path, cases[i].path, in, "path");
		eq_or_null(r->tag, cases[i].tag, in, "tag");
		eq_or_null(r->digest, cases[i].digest, in, "digest");
		expect_str(ref_string(r), in, in, "string");
		ref_free(r);
	}
}

static void test_parse_any(void **state)
{
	(void)state;
	struct ref *r = parse_ok(ref_parse_any, HEX);
	assert_null(r->path);
	assert_string_equal(r->digest, DGST);
	expect_str(ref_string(r), DGST, HEX, "string");
	expect_str(ref_familiar_string(r), DGST, HEX, "familiar");
	ref_tag_name_only(r);
	assert_null(r->tag);
	ref_free(r);
	r = parse_ok(ref_parse_any, DGST);
	assert_null(r->path);
	assert_string_equal(r->digest, DGST);
	ref_free(r);
	r = parse_ok(ref_parse_any, "busybox");
	expect_str(ref_string(r), "docker.io/library/busybox", "busybox", "string");
	ref_free(r);
	assert_true(ref_is_identifier(HEX));
	assert_false(
	    ref_is_identifier("BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"));
	assert_false(ref_is_identifier(HEX "0"));
	assert_false(ref_is_identifier("abc"));
}

static void test_tags(void **state)
{
	(void)state;
	char tag128[129], tag129[130];
	memset(tag128, 'a', 128);
	tag128[128] = '\0';
	memset(tag129, 'a', 129);
	tag129[129] = '\0';
	assert_true(ref_tag_valid(tag128));
	assert_false(ref_tag_valid(tag129));
	assert_true(ref_tag_valid("_x"));
	assert_true(ref_tag_valid("V1.2-3"));
	const char *bad[] = {"", ".x", "-x", "x/y", "x:y", "x@y", "x y", "é", NULL};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++)
		assert_false(ref_tag_valid(bad[i]));

	struct ref *r = parse_ok(ref_parse_normalized, "busybox");
	struct berth_error *err = NULL;
	assert_int_equal(ref_set_tag(r, ".bad", &err), -1);
	tu_assert_msg(err, "invalid tag format");
	assert_int_equal(err->code, EINVAL);
	berth_error_free(&err);
	assert_int_equal(ref_set_tag(r, "v2", &err), 0);
	expect_str(ref_string(r), "docker.io/library/busybox:v2", "busybox", "tagged");
	ref_free(r);

	char *in = xasprintf("busybox:%s", tag128);
	r = parse_ok(ref_parse_normalized, in);
	ref_free(r);
	free(in);
}

static void test_grammar_helpers(void **state)
{
	(void)state;
	assert_true(ref_domain_valid("localhost"));
	assert_true(ref_domain_valid("a-b.c:80"));
	assert_true(ref_domain_valid("[fe80::1]:80"));
	const char *bad_domains[] = {"",    "-a", "a-",	  "a..b",   ".a",  "a.",  "a:",
				     "a:b", "[]", "[::1", "[g::1]", "a_b", "a/b", NULL};
	for (size_t i = 0; i < ARRAY_SIZE(bad_domains); i++)
		if (ref_domain_valid(bad_domains[i]))
			fail_msg("domain [%s] accepted", bad_domains[i]);
	assert_true(ref_path_valid("a/b.c/d__e/f-g/h---i"));
	const char *bad_paths[] = {"",	 "/",	  "a/",	  "/a",	  "a//b", "A",	    "a_", "_a",
				   "a.", "a___b", "a._b", "a.-b", "..",	  "a/../b", NULL};
	for (size_t i = 0; i < ARRAY_SIZE(bad_paths); i++)
		if (ref_path_valid(bad_paths[i]))
			fail_msg("path [%s] accepted", bad_paths[i]);
}

static void test_bad(void **state)
{
	(void)state;
	char long_name[300], max_name[300], tag129[200];
	/* docker.io/library/ is 18 characters: 237 more make 255 */
	memset(max_name, 'a', 237);
	max_name[237] = '\0';
	memset(long_name, 'a', 238);
	long_name[238] = '\0';
	snprintf(tag129, sizeof(tag129), "x:%0129d", 0);
	struct ref *r = parse_ok(ref_parse_normalized, max_name);
	assert_int_equal(strlen(r->domain) + 1 + strlen(r->path), 255);
	ref_free(r);

	struct {
		const char *in;
		int code;
		const char *msg;
	} cases[] = {
	    {"", EINVAL, "repository name must have at least one component"},
	    {"../x", EINVAL, "invalid reference format"},
	    {"./x", EINVAL, "invalid reference format"},
	    {"x/../y", EINVAL, "invalid reference format"},
	    {"/x", EINVAL, "invalid reference format"},
	    {"x/", EINVAL, "invalid reference format"},
	    {"x//y", EINVAL, "invalid reference format"},
	    {"x:", EINVAL, "invalid reference format"},
	    {":tag", EINVAL, "invalid reference format"},
	    {"x:tag:tag", EINVAL, "invalid reference format"},
	    {"x:.tag", EINVAL, "invalid reference format"},
	    {"@" DGST, EINVAL, "invalid reference format"},
	    {"x@", EINVAL, "invalid reference format"},
	    {"x@@" DGST, EINVAL, "invalid reference format"},
	    {"x@" DGST "@" DGST, EINVAL, "invalid reference format"},
	    {"x@sha256:abc", EINVAL, "invalid reference format"},
	    {"x@sha256:ba7816bf8f01cfea414140de5dae2223b00361a3", EINVAL,
	     "invalid checksum digest length"},
	    {"x@sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", EINVAL,
	     "invalid checksum digest format"},
	    {"x@sha512:" HEX HEX, ENOTSUP, "unsupported digest algorithm"},
	    {"x@1sha:" HEX, EINVAL, "invalid reference format"},
	    {"x@sha256" HEX, EINVAL, "invalid reference format"},
	    {"Busybox", EINVAL, "invalid reference format: repository name must be lowercase"},
	    {"user/Repo:tag", EINVAL,
	     "invalid reference format: repository name must be lowercase"},
	    {"Foo/bar", EINVAL, "invalid reference format: repository name must be lowercase"},
	    {"example.com/Foo", EINVAL,
	     "invalid reference format: repository name must be lowercase"},
	    {HEX, EINVAL,
	     "invalid repository name (" HEX "), cannot specify 64-byte hexadecimal strings"},
	    {long_name, EINVAL, "repository name must not be more than 255 characters"},
	    {tag129, EINVAL, "invalid reference format"},
	    {"x y", EINVAL, "invalid reference format"},
	    {"x\n", EINVAL, "invalid reference format"},
	    {" x", EINVAL, "invalid reference format"},
	    {"-x", EINVAL, "invalid reference format"},
	    {"x-", EINVAL, "invalid reference format"},
	    {"x_", EINVAL, "invalid reference format"},
	    {"_x", EINVAL, "invalid reference format"},
	    {"x.", EINVAL, "invalid reference format"},
	    {"x___y", EINVAL, "invalid reference format"},
	    {"x._y", EINVAL, "invalid reference format"},
	    {"-example.com/x", EINVAL, "invalid reference format"},
	    {"example-.com/x", EINVAL, "invalid reference format"},
	    {"example..com/x", EINVAL, "invalid reference format"},
	    {"example.com:/x", EINVAL, "invalid reference format"},
	    {"example.com:port/x", EINVAL, "invalid reference format"},
	    {"a.b_c/d", EINVAL, "invalid reference format"},
	    {"[::1/x", EINVAL, "invalid reference format"},
	    {"[::1]:/x", EINVAL, "invalid reference format"},
	    {"localhost:5000:tag", EINVAL, "invalid reference format"},
	    {"x\xc3\xa4", EINVAL, "invalid reference format"},
	    {"example.com/", EINVAL, "invalid reference format"},
	    {"x:t@", EINVAL, "invalid reference format"},
	    {"x/y:t/z", EINVAL, "invalid reference format"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct berth_error *err = NULL;
		r = NULL;
		if (ref_parse_normalized(cases[i].in, &r, &err) == 0) {
			char *s = ref_string(r);
			fail_msg("[%s] accepted as [%s]", cases[i].in, s);
		}
		assert_null(r);
		tu_assert_msg(err, cases[i].msg);
		if (err->code != cases[i].code)
			fail_msg("[%s]: code %d, want %d", cases[i].in, err->code, cases[i].code);
		berth_error_free(&err);
		/* ParseDockerRef and ParseAnyReference agree, except on ids */
		if (strcmp(cases[i].in, HEX) != 0) {
			assert_int_equal(ref_parse_docker(cases[i].in, &r, &err), -1);
			tu_assert_msg(err, cases[i].msg);
			berth_error_free(&err);
			assert_int_equal(ref_parse_any(cases[i].in, &r, &err), -1);
			berth_error_free(&err);
		}
	}
	struct berth_error *err = NULL;
	assert_int_equal(ref_parse_normalized(NULL, &r, &err), -1);
	berth_error_free(&err);
}

/* Parse (not normalised) reports uppercase with distribution's own message. */
static void test_parse_plain_bad(void **state)
{
	(void)state;
	struct {
		const char *in, *msg;
	} cases[] = {
	    {"Busybox", "repository name must be lowercase"},
	    {"x/Y:t", "repository name must be lowercase"},
	    {"", "repository name must have at least one component"},
	    {"../x", "invalid reference format"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct ref *r = NULL;
		struct berth_error *err = NULL;
		assert_int_equal(ref_parse(cases[i].in, &r, &err), -1);
		tu_assert_msg(err, cases[i].msg);
		berth_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_normalized),	cmocka_unit_test(test_familiar_name),
	    cmocka_unit_test(test_parse_plain), cmocka_unit_test(test_parse_any),
	    cmocka_unit_test(test_tags),	cmocka_unit_test(test_grammar_helpers),
	    cmocka_unit_test(test_bad),		cmocka_unit_test(test_parse_plain_bad),
	};
	return tu_run("references", tests, ARRAY_SIZE(tests));
}
