/* Unit tests of the json-file log writer (lib/shim/shim-log.c): docker's line
 * format, partial lines at 16 KiB, UTF-8 repair, rotation. */
#include "test-util.h"

#include "common/fs.h"
#include "shim/shim-log.h"

#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/test-shim-log.XXXXXX";
static char path[256];
static const struct timespec ts = {.tv_sec = 1796169600, .tv_nsec = 123456789};

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test-shim-log.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/c-json.log", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	fs_rm_rf(dir, &err);
	berth_error_free(&err);
	return 0;
}

/* The entries of a log file as a JSON array. */
static json_t *entries(const char *p)
{
	json_t *a = json_array();
	FILE *f = fopen(p, "re");
	if (!f)
		return a;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		assert_int_equal(line[n - 1], '\n');
		json_error_t je;
		json_t *v = json_loadb(line, (size_t)n, 0, &je);
		if (!v)
			fail_msg("bad line [%s]: %s", line, je.text);
		json_array_append_new(a, v);
	}
	free(line);
	fclose(f);
	return a;
}

static const char *log_of(json_t *a, size_t i)
{
	return json_string_value(json_object_get(json_array_get(a, i), "log"));
}

static struct shim_log *open_log(long long max_size, int max_file)
{
	struct shim_log *l = NULL;
	struct berth_error *err = NULL;
	if (shim_log_open(path, max_size, max_file, &l, &err) < 0)
		fail_msg("%s", err->msg);
	return l;
}

static void test_time_format(void **state)
{
	(void)state;
	char b[48];
	shim_log_format_time(&ts, b, sizeof(b));
	assert_string_equal(b, "2026-12-02T00:00:00.123456789Z");
	struct timespec z = {.tv_sec = 0, .tv_nsec = 5};
	shim_log_format_time(&z, b, sizeof(b));
	assert_string_equal(b, "1970-01-01T00:00:00.000000005Z");
}

static void test_lines_and_streams(void **state)
{
	(void)state;
	struct shim_log *l = open_log(0, 1);
	shim_log_write(l, SHIM_STREAM_STDOUT, "a\nb", 3, &ts);
	shim_log_write(l, SHIM_STREAM_STDERR, "err\n", 4, &ts);
	shim_log_write(l, SHIM_STREAM_STDOUT, "c\n\n", 3, &ts);
	shim_log_close(l);
	/* exactly docker's bytes: keys in this order, compact */
	char *txt = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(fs_read_file(path, &txt, NULL, &err), 0);
	assert_string_equal(
	    txt,
	    "{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T00:00:00.123456789Z\"}\n"
	    "{\"log\":\"err\\n\",\"stream\":\"stderr\",\"time\":\"2026-12-02T00:00:00.123456789Z\"}"
	    "\n"
	    "{\"log\":\"bc\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T00:00:00.123456789Z\"}"
	    "\n"
	    "{\"log\":\"\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-02T00:00:00.123456789Z\"}"
	    "\n");
	free(txt);
}

static void test_partial_16k(void **state)
{
	(void)state;
	struct shim_log *l = open_log(0, 1);
	size_t n = 40000;
	char *big = malloc(n);
	memset(big, 'x', n);
	/* fed in odd pieces: the split does not depend on the read sizes */
	for (size_t off = 0; off < n; off += 7000)
		shim_log_write(l, SHIM_STREAM_STDOUT, big + off, n - off < 7000 ? n - off : 7000,
			       &ts);
	shim_log_write(l, SHIM_STREAM_STDOUT, "y\n", 2, &ts);
	shim_log_write(l, SHIM_STREAM_STDERR, "tail", 4, &ts);
	shim_log_flush(l, &ts);
	shim_log_close(l);
	json_t *a = entries(path);
	assert_int_equal(json_array_size(a), 4);
	assert_int_equal(strlen(log_of(a, 0)), SHIM_LOG_PARTIAL_MAX);
	assert_int_equal(strlen(log_of(a, 1)), SHIM_LOG_PARTIAL_MAX);
	assert_int_equal(strlen(log_of(a, 2)), n - 2 * SHIM_LOG_PARTIAL_MAX + 2);
	assert_non_null(strstr(log_of(a, 2), "xy\n"));
	assert_string_equal(log_of(a, 3), "tail");
	json_decref(a);
	free(big);
}

static void test_utf8_repair(void **state)
{
	(void)state;
	struct shim_log *l = open_log(0, 1);
	shim_log_write(l, SHIM_STREAM_STDOUT, "h\xc3\xa9 \xff\xc3\n", 7, &ts);
	shim_log_close(l);
	json_t *a = entries(path);
	assert_string_equal(log_of(a, 0), "h\xc3\xa9 \xef\xbf\xbd\xef\xbf\xbd\n");
	json_decref(a);
	size_t len;
	char *s = shim_utf8_sanitize("\xed\xa0\x80z", 4, &len); /* a surrogate */
	assert_string_equal(s, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbdz");
	free(s);
}

static void test_rotation(void **state)
{
	(void)state;
	struct shim_log *l = open_log(300, 3);
	char line[32];
	for (int i = 0; i < 40; i++) {
		int n = snprintf(line, sizeof(line), "line %02d\n", i);
		shim_log_write(l, SHIM_STREAM_STDOUT, line, (size_t)n, &ts);
	}
	shim_log_close(l);
	char p1[300], p2[300], p3[300];
	snprintf(p1, sizeof(p1), "%s.1", path);
	snprintf(p2, sizeof(p2), "%s.2", path);
	snprintf(p3, sizeof(p3), "%s.3", path);
	assert_true(fs_exists(p1));
	assert_true(fs_exists(p2));
	assert_false(fs_exists(p3));
	/* each file reaches max_size with at most one entry more (docker checks
	 * before writing); the newest lines are in path, older ones in .1, .2 */
	json_t *cur = entries(path), *one = entries(p1), *two = entries(p2);
	struct stat st;
	assert_int_equal(stat(p1, &st), 0);
	assert_true(st.st_size >= 300 && st.st_size < 300 + 80);
	assert_string_equal(log_of(cur, json_array_size(cur) - 1), "line 39\n");
	const char *last1 = log_of(one, json_array_size(one) - 1);
	const char *first0 = log_of(cur, 0);
	assert_int_equal(atoi(last1 + 5) + 1, atoi(first0 + 5));
	const char *last2 = log_of(two, json_array_size(two) - 1);
	assert_int_equal(atoi(last2 + 5) + 1, atoi(log_of(one, 0) + 5));
	json_decref(cur);
	json_decref(one);
	json_decref(two);
}

static void test_rotation_single_file(void **state)
{
	(void)state;
	struct shim_log *l = open_log(200, 1);
	char line[32];
	for (int i = 0; i < 20; i++) {
		int n = snprintf(line, sizeof(line), "line %02d\n", i);
		shim_log_write(l, SHIM_STREAM_STDOUT, line, (size_t)n, &ts);
	}
	shim_log_close(l);
	char p1[300];
	snprintf(p1, sizeof(p1), "%s.1", path);
	assert_false(fs_exists(p1));
	json_t *cur = entries(path);
	assert_true(json_array_size(cur) < 20);
	assert_string_equal(log_of(cur, json_array_size(cur) - 1), "line 19\n");
	json_decref(cur);
}

static void test_reopen_appends(void **state)
{
	(void)state;
	struct shim_log *l = open_log(0, 1);
	shim_log_write(l, SHIM_STREAM_STDOUT, "one\n", 4, &ts);
	shim_log_close(l);
	l = open_log(0, 1);
	shim_log_write(l, SHIM_STREAM_STDOUT, "two\n", 4, &ts);
	assert_int_equal(shim_log_dropped(l), 0);
	shim_log_close(l);
	json_t *a = entries(path);
	assert_int_equal(json_array_size(a), 2);
	assert_string_equal(log_of(a, 1), "two\n");
	json_decref(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_time_format),
	    cmocka_unit_test_setup_teardown(test_lines_and_streams, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_partial_16k, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_utf8_repair, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rotation_single_file, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_reopen_appends, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
