/* Unit tests of the typed JSON accessors (lib/common/json.c). */
#include "test-util.h"

#include "common/json.h"

#include <errno.h>

static json_t *obj;

static int setup(void **state)
{
	(void)state;
	obj = tu_json("{'s': 'str', 'e': '', 'i': 42, 'neg': -7, 'r': 1.5, 'big': 1e19,"
		      " 'huge': 1e30, 't': true, 'f': false, 'n': null, 'a': ['x', 'y'],"
		      " 'ea': [], 'bad': ['x', 3], 'o': {'k': 'v'}, 'max': 9223372036854775807,"
		      " 'min': -9223372036854775808, 'two64': 18446744073709551616.0,"
		      " 'long': 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'}");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	json_decref(obj);
	return 0;
}

/* Expect failure of the call `r` with `code` and a message containing `want`. */
static void expect_err(int r, struct berth_error **err, int code, const char *want)
{
	assert_int_equal(r, -1);
	tu_assert_msg(*err, want);
	if (code && (*err)->code != code)
		fail_msg("[%s]: code %d, expected %d", (*err)->msg, (*err)->code, code);
	berth_error_free(err);
}

static void test_member(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *v = (json_t *)1;

	assert_int_equal(bjson_member(obj, "s", "p", JSON_STRING, true, &v, &err), 0);
	assert_ptr_equal(v, json_object_get(obj, "s"));
	assert_null(err);

	/* absent or null: NULL, fine unless required */
	assert_int_equal(bjson_member(obj, "nope", "p", JSON_STRING, false, &v, &err), 0);
	assert_null(v);
	v = (json_t *)1;
	assert_int_equal(bjson_member(obj, "n", "p", JSON_OBJECT, false, &v, &err), 0);
	assert_null(v);
	assert_null(err);
	expect_err(bjson_member(obj, "nope", "a.b", JSON_STRING, true, &v, &err), &err, EINVAL,
		   "a.b.nope: required field is missing");
	expect_err(bjson_member(obj, "n", "a", JSON_STRING, true, &v, &err), &err, EINVAL,
		   "a.n: required field is missing");
	/* top level: no leading dot */
	expect_err(bjson_member(obj, "nope", "", JSON_STRING, true, &v, &err), &err, EINVAL,
		   "nope: required field is missing");
	assert_null(v);

	/* wrong type: names the path, the wanted type and the value */
	expect_err(bjson_member(obj, "s", "x", JSON_OBJECT, false, &v, &err), &err, EINVAL,
		   "x.s: expected an object, got \"str\"");
	expect_err(bjson_member(obj, "i", "", JSON_ARRAY, false, &v, &err), &err, EINVAL,
		   "i: expected an array, got 42");
	expect_err(bjson_member(obj, "o", "", JSON_STRING, false, &v, &err), &err, EINVAL,
		   "o: expected a string, got an object");
	expect_err(bjson_member(obj, "a", "", JSON_INTEGER, false, &v, &err), &err, EINVAL,
		   "a: expected an integer, got an array");
	expect_err(bjson_member(obj, "r", "", JSON_INTEGER, false, &v, &err), &err, EINVAL,
		   "r: expected an integer, got 1.5");
	expect_err(bjson_member(obj, "s", "", JSON_TRUE, false, &v, &err), &err, EINVAL,
		   "s: expected a boolean, got \"str\"");
	assert_null(v);

	/* JSON_TRUE stands for any boolean, JSON_REAL for any number */
	assert_int_equal(bjson_member(obj, "f", "", JSON_TRUE, false, &v, &err), 0);
	assert_true(json_is_false(v));
	assert_int_equal(bjson_member(obj, "i", "", JSON_REAL, false, &v, &err), 0);
	assert_true(json_is_integer(v));
	assert_int_equal(bjson_member(obj, "r", "", JSON_REAL, false, &v, &err), 0);
	assert_null(err);
}

static void test_string(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	char *s = NULL;
	assert_int_equal(bjson_string(obj, "s", "p", true, &s, &err), 0);
	assert_string_equal(s, "str");
	/* a second value replaces (and frees) the first */
	assert_int_equal(bjson_string(obj, "e", "p", true, &s, &err), 0);
	assert_string_equal(s, "");
	/* absent: untouched */
	assert_int_equal(bjson_string(obj, "nope", "p", false, &s, &err), 0);
	assert_string_equal(s, "");
	assert_int_equal(bjson_string(obj, "n", "p", false, &s, &err), 0);
	assert_string_equal(s, "");
	assert_null(err);
	expect_err(bjson_string(obj, "i", "p", false, &s, &err), &err, EINVAL,
		   "p.i: expected a string, got 42");
	expect_err(bjson_string(obj, "nope", "p", true, &s, &err), &err, EINVAL,
		   "p.nope: required field is missing");
	assert_string_equal(s, ""); /* untouched on failure */
	free(s);
}

static void test_strv(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	char **v = NULL;
	assert_int_equal(bjson_strv(obj, "a", "p", true, &v, &err), 0);
	assert_int_equal(strv_len(v), 2);
	assert_string_equal(v[0], "x");
	assert_string_equal(v[1], "y");
	assert_null(v[2]);
	/* replaces the previous vector */
	assert_int_equal(bjson_strv(obj, "ea", "p", true, &v, &err), 0);
	assert_non_null(v);
	assert_int_equal(strv_len(v), 0);
	assert_int_equal(bjson_strv(obj, "nope", "p", false, &v, &err), 0);
	assert_non_null(v);
	assert_null(err);
	/* an element of the wrong type: index and value named, old vector kept */
	expect_err(bjson_strv(obj, "bad", "q", false, &v, &err), &err, EINVAL,
		   "q.bad[1]: expected a string, got 3");
	assert_non_null(v);
	assert_int_equal(strv_len(v), 0);
	expect_err(bjson_strv(obj, "s", "q", false, &v, &err), &err, EINVAL,
		   "q.s: expected an array, got \"str\"");
	expect_err(bjson_strv(obj, "nope", "", true, &v, &err), &err, EINVAL,
		   "nope: required field is missing");
	strv_free(v);
	strv_free(NULL);
	assert_int_equal(strv_len(NULL), 0);
}

static void test_bool(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	bool b = false;
	assert_int_equal(bjson_bool(obj, "t", "p", &b, &err), 0);
	assert_true(b);
	assert_int_equal(bjson_bool(obj, "f", "p", &b, &err), 0);
	assert_false(b);
	b = true;
	assert_int_equal(bjson_bool(obj, "nope", "p", &b, &err), 0);
	assert_true(b);
	assert_int_equal(bjson_bool(obj, "n", "p", &b, &err), 0);
	assert_true(b);
	assert_null(err);
	expect_err(bjson_bool(obj, "i", "p", &b, &err), &err, EINVAL,
		   "p.i: expected a boolean, got 42");
	expect_err(bjson_bool(obj, "s", "p", &b, &err), &err, EINVAL,
		   "p.s: expected a boolean, got \"str\"");
	assert_true(b);
}

static void test_int(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	int64_t v = 0;
	bool present = false;
	assert_int_equal(bjson_int(obj, "i", "p", 0, 100, &v, &present, &err), 0);
	assert_int_equal(v, 42);
	assert_true(present);
	/* bounds are inclusive */
	assert_int_equal(bjson_int(obj, "i", "p", 42, 42, &v, NULL, &err), 0);
	assert_int_equal(bjson_int(obj, "max", "p", INT64_MIN, INT64_MAX, &v, NULL, &err), 0);
	assert_int_equal(v, INT64_MAX);
	assert_int_equal(bjson_int(obj, "min", "p", INT64_MIN, INT64_MAX, &v, NULL, &err), 0);
	assert_int_equal(v, INT64_MIN);
	/* absent / null: untouched, not present */
	v = 5;
	assert_int_equal(bjson_int(obj, "nope", "p", 0, 1, &v, &present, &err), 0);
	assert_false(present);
	assert_int_equal(v, 5);
	present = true;
	assert_int_equal(bjson_int(obj, "n", "p", 0, 1, &v, &present, &err), 0);
	assert_false(present);
	assert_null(err);

	expect_err(bjson_int(obj, "i", "p", 0, 41, &v, &present, &err), &err, ERANGE,
		   "p.i: 42 is out of range [0, 41]");
	assert_false(present);
	expect_err(bjson_int(obj, "i", "p", 43, 50, &v, &present, &err), &err, ERANGE,
		   "p.i: 42 is out of range [43, 50]");
	expect_err(bjson_int(obj, "neg", "", 0, 10, &v, NULL, &err), &err, ERANGE,
		   "neg: -7 is out of range [0, 10]");
	expect_err(bjson_int(obj, "r", "p", 0, 10, &v, &present, &err), &err, EINVAL,
		   "p.r: expected an integer, got 1.5");
	expect_err(bjson_int(obj, "s", "p", 0, 10, &v, &present, &err), &err, EINVAL,
		   "p.s: expected an integer, got \"str\"");
	expect_err(bjson_int(obj, "t", "p", 0, 10, &v, &present, &err), &err, EINVAL,
		   "p.t: expected an integer, got true");
	assert_int_equal(v, 5);
	assert_false(present);
}

static void test_u64(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	uint64_t v = 0;
	bool present = false;
	assert_int_equal(bjson_u64(obj, "i", "p", &v, &present, &err), 0);
	assert_int_equal(v, 42);
	assert_true(present);
	assert_int_equal(bjson_u64(obj, "max", "p", &v, NULL, &err), 0);
	assert_int_equal(v, INT64_MAX);
	/* above INT64_MAX a JSON number can only be given as a real */
	assert_int_equal(bjson_u64(obj, "big", "p", &v, &present, &err), 0);
	assert_int_equal(v, 10000000000000000000ULL);
	assert_int_equal(bjson_u64(obj, "two64", "p", &v, &present, &err), 0);
	assert_int_equal(v, UINT64_MAX);
	v = 9;
	assert_int_equal(bjson_u64(obj, "nope", "p", &v, &present, &err), 0);
	assert_false(present);
	assert_int_equal(v, 9);
	assert_int_equal(bjson_u64(obj, "n", "p", &v, &present, &err), 0);
	assert_false(present);
	assert_null(err);

	expect_err(bjson_u64(obj, "neg", "p", &v, &present, &err), &err, ERANGE,
		   "p.neg: -7 must not be negative");
	expect_err(bjson_u64(obj, "min", "", &v, &present, &err), &err, ERANGE,
		   "min: -9223372036854775808 must not be negative");
	expect_err(bjson_u64(obj, "huge", "p", &v, &present, &err), &err, EINVAL,
		   "p.huge: expected an unsigned integer, got 1e+30");
	expect_err(bjson_u64(obj, "s", "p", &v, &present, &err), &err, EINVAL,
		   "p.s: expected an unsigned integer, got \"str\"");
	expect_err(bjson_u64(obj, "o", "p", &v, &present, &err), &err, EINVAL,
		   "p.o: expected an unsigned integer, got an object");
	assert_int_equal(v, 9);
	assert_false(present);
}

static void test_describe(void **state)
{
	(void)state;
	static const struct {
		const char *key, *want;
	} v[] = {
	    {"s", "\"str\""}, {"e", "\"\""},	 {"i", "42"},	     {"neg", "-7"},
	    {"r", "1.5"},     {"huge", "1e+30"}, {"t", "true"},	     {"f", "false"},
	    {"n", "null"},    {"a", "an array"}, {"o", "an object"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char *d = bjson_describe(json_object_get(obj, v[i].key));
		assert_string_equal(d, v[i].want);
		free(d);
	}
	/* long strings are cut, and still read as a quoted string */
	char *d = bjson_describe(json_object_get(obj, "long"));
	assert_int_equal(strlen(d), 81);
	assert_int_equal(d[0], '"');
	assert_string_equal(d + strlen(d) - 4, "...\"");
	free(d);
	/* ... on a character boundary: a message must stay valid UTF-8, or the
	 * json log format drops it. Multi-byte characters at every offset. */
	static const char *const wide[] = {"\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x90\xb3"};
	for (size_t w = 0; w < ARRAY_SIZE(wide); w++) {
		for (size_t pad = 0; pad < 4; pad++) {
			char in[512] = "";
			for (size_t i = 0; i < pad; i++)
				strcat(in, "a");
			for (size_t i = 0; i < 60; i++)
				strcat(in, wide[w]);
			json_t *js = json_string(in);
			assert_non_null(js);
			d = bjson_describe(js);
			json_t *check = json_string(d);
			if (check == NULL)
				fail_msg("describe of %zu-byte chars after %zu ASCII: invalid "
					 "UTF-8 [%s]",
					 strlen(wide[w]), pad, d);
			assert_true(strlen(d) <= 81);
			assert_string_equal(d + strlen(d) - 4, "...\"");
			assert_int_equal(strncmp(d, "\"", 1), 0);
			json_decref(check);
			json_decref(js);
			free(d);
		}
	}
	/* quotes and control characters are escaped, not copied raw */
	json_t *q = json_string("a\"b\n");
	d = bjson_describe(q);
	assert_string_equal(d, "\"a\\\"b\\n\"");
	free(d);
	json_decref(q);

	assert_string_equal(bjson_type_name(JSON_OBJECT), "an object");
	assert_string_equal(bjson_type_name(JSON_ARRAY), "an array");
	assert_string_equal(bjson_type_name(JSON_STRING), "a string");
	assert_string_equal(bjson_type_name(JSON_INTEGER), "an integer");
	assert_string_equal(bjson_type_name(JSON_REAL), "a number");
	assert_string_equal(bjson_type_name(JSON_TRUE), "a boolean");
	assert_string_equal(bjson_type_name(JSON_FALSE), "a boolean");
	assert_string_equal(bjson_type_name(JSON_NULL), "null");
}

/* A first error is kept: later failures do not overwrite it. */
static void test_first_error_wins(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	int64_t v;
	char *s = NULL;
	assert_int_equal(bjson_int(obj, "s", "first", 0, 1, &v, NULL, &err), -1);
	assert_int_equal(bjson_string(obj, "i", "second", false, &s, &err), -1);
	tu_assert_msg(err, "first.s");
	assert_null(strstr(err->msg, "second"));
	berth_error_free(&err);
	/* and a NULL err is allowed */
	assert_int_equal(bjson_string(obj, "i", "p", false, &s, NULL), -1);
	assert_null(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_member),   cmocka_unit_test(test_string),
	    cmocka_unit_test(test_strv),     cmocka_unit_test(test_bool),
	    cmocka_unit_test(test_int),	     cmocka_unit_test(test_u64),
	    cmocka_unit_test(test_describe), cmocka_unit_test(test_first_error_wins),
	};
	return cmocka_run_group_tests_name("json", tests, setup, teardown);
}
