/* Unit tests of struct berth_error (lib/common/error.c). */
#include "test-util.h"

#include <errno.h>

static void test_set(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	assert_int_equal(berth_error_set(&err, EINVAL, "field %s: bad %d", "x", 7), -1);
	assert_non_null(err);
	assert_int_equal(err->code, EINVAL);
	assert_string_equal(err->msg, "field x: bad 7");
	berth_error_free(&err);
	assert_null(err);

	assert_int_equal(berth_error_set(&err, 0, "no code"), -1);
	assert_int_equal(err->code, 0);
	assert_string_equal(err->msg, "no code");
	berth_error_free(&err);
}

/* The first error is the one reported: a later set does not replace it. */
static void test_set_keeps_first(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	berth_error_set(&err, ENOENT, "first");
	struct berth_error *first = err;
	assert_int_equal(berth_error_set(&err, EINVAL, "second"), -1);
	assert_ptr_equal(err, first);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "first");
	assert_int_equal(berth_error_errno(&err, "third"), -1);
	assert_string_equal(err->msg, "first");
	berth_error_free(&err);
}

static void test_null_err(void **state)
{
	(void)state;
	assert_int_equal(berth_error_set(NULL, EINVAL, "ignored %s", "x"), -1);
	errno = EPERM;
	assert_int_equal(berth_error_errno(NULL, "ignored"), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(berth_error_wrap(NULL, "ctx"), -1);
	berth_error_free(NULL);
	struct berth_error *err = NULL;
	berth_error_free(&err); /* no error set: nothing to do */
	assert_null(err);
}

static void test_errno(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	errno = ENOENT;
	assert_int_equal(berth_error_errno(&err, "open %s", "/nonexistent"), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "open /nonexistent: No such file or directory");
	assert_int_equal(errno, ENOENT); /* preserved for the caller */
	berth_error_free(&err);

	errno = EACCES;
	berth_error_errno(&err, "mkdir");
	assert_int_equal(err->code, EACCES);
	assert_string_equal(err->msg, "mkdir: Permission denied");
	berth_error_free(&err);
}

static void test_wrap(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	errno = ENOENT;
	berth_error_errno(&err, "open config.json");
	assert_int_equal(berth_error_wrap(&err, "bundle %s", "/b"), -1);
	assert_string_equal(err->msg, "bundle /b: open config.json: No such file or directory");
	assert_int_equal(err->code, ENOENT); /* the code survives wrapping */
	assert_int_equal(berth_error_wrap(&err, "create %s", "c1"), -1);
	assert_string_equal(err->msg,
			    "create c1: bundle /b: open config.json: No such file or directory");
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);

	/* wrapping nothing creates nothing */
	assert_int_equal(berth_error_wrap(&err, "ctx"), -1);
	assert_null(err);
}

/* Messages are copied, formats are not re-interpreted. */
static void test_format_safety(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	char buf[32];
	strcpy(buf, "%s%n%x");
	berth_error_set(&err, EINVAL, "value %s", buf);
	buf[0] = 'X';
	assert_string_equal(err->msg, "value %s%n%x");
	berth_error_wrap(&err, "%s", "100%");
	assert_string_equal(err->msg, "100%: value %s%n%x");
	berth_error_free(&err);

	/* long messages are not truncated */
	char *big = malloc(100001);
	assert_non_null(big);
	memset(big, 'z', 100000);
	big[100000] = '\0';
	berth_error_set(&err, E2BIG, "%s", big);
	berth_error_wrap(&err, "%s", big);
	assert_int_equal(strlen(err->msg), 200002);
	berth_error_free(&err);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_set),	     cmocka_unit_test(test_set_keeps_first),
	    cmocka_unit_test(test_null_err), cmocka_unit_test(test_errno),
	    cmocka_unit_test(test_wrap),     cmocka_unit_test(test_format_safety),
	};
	return cmocka_run_group_tests_name("error", tests, NULL, NULL);
}
