/* Unit tests of the shim protocol framing (lib/shim/shim-frame.c). */
#include "test-util.h"

#include "shim/shim-proto.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

static int sp[2];

static int setup(void **state)
{
	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (sp[0] >= 0)
		close(sp[0]);
	if (sp[1] >= 0)
		close(sp[1]);
	return 0;
}

static void expect_read_err(const void *bytes, size_t len, const char *want)
{
	assert_int_equal(write(sp[0], bytes, len), (ssize_t)len);
	close(sp[0]);
	sp[0] = -1;
	json_t *v = (json_t *)1;
	struct berth_error *err = NULL;
	assert_int_equal(shim_frame_read(sp[1], &v, &err), -1);
	assert_null(v);
	assert_non_null(err);
	if (!strstr(err->msg, want))
		fail_msg("message [%s] lacks [%s]", err->msg, want);
	berth_error_free(&err);
}

static void test_roundtrip(void **state)
{
	(void)state;
	json_t *req = json_pack("{s:s,s:i,s:s}", "op", "kill", "signal", 9, "u", "h\xc3\xa9");
	assert_int_equal(shim_frame_write(sp[0], req), 0);
	assert_int_equal(shim_frame_write(sp[0], req), 0);
	/* the wire: 4-byte big-endian length, then compact JSON */
	unsigned char hdr[4];
	assert_int_equal(read(sp[1], hdr, 4), 4);
	size_t n = (size_t)hdr[0] << 24 | (size_t)hdr[1] << 16 | (size_t)hdr[2] << 8 | hdr[3];
	char *body = malloc(n + 1);
	assert_int_equal(read(sp[1], body, n), (ssize_t)n);
	body[n] = 0;
	assert_null(strchr(body, ' '));
	json_t *back = json_loads(body, 0, NULL);
	assert_true(json_equal(back, req));
	json_decref(back);
	free(body);
	json_t *v = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(shim_frame_read(sp[1], &v, &err), 0);
	assert_non_null(v);
	assert_true(json_equal(v, req));
	json_decref(v);
	/* clean EOF before a frame: 0 and NULL */
	close(sp[0]);
	sp[0] = -1;
	v = (json_t *)1;
	assert_int_equal(shim_frame_read(sp[1], &v, &err), 0);
	assert_null(v);
	assert_null(err);
	json_decref(req);
}

static void test_write_rejects_non_object(void **state)
{
	(void)state;
	json_t *a = json_array();
	assert_int_equal(shim_frame_write(sp[0], a), -1);
	assert_int_equal(errno, EINVAL);
	json_decref(a);
}

static void test_oversized(void **state)
{
	(void)state;
	unsigned char big[4] = {0x00, 0x40, 0x00, 0x01}; /* SHIM_FRAME_MAX + 1 */
	expect_read_err(big, 4, "bad length");
}

static void test_zero_length(void **state)
{
	(void)state;
	unsigned char z[4] = {0, 0, 0, 0};
	expect_read_err(z, 4, "bad length");
}

static void test_short_header(void **state)
{
	(void)state;
	expect_read_err("\0\0", 2, "inside a header");
}

static void test_truncated_body(void **state)
{
	(void)state;
	expect_read_err("\0\0\0\x10{\"op\":", 10, "after 6 of 16 bytes");
}

static void test_bad_json(void **state)
{
	(void)state;
	expect_read_err("\0\0\0\x03{x}", 7, "bad JSON");
}

static void test_not_object(void **state)
{
	(void)state;
	expect_read_err("\0\0\0\x03[1]", 7, "not a JSON object");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_write_rejects_non_object, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_oversized, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_zero_length, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_short_header, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_truncated_body, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_bad_json, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_not_object, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
