/* Unit tests of the berth CLI's output helpers (cmd/berth/format.c): sizes
 * and durations as go-units prints them, truncated ids, tabwriter tables. */
#include "test-util.h"

#include "format.h"

#include <stdlib.h>

static void test_human_size(void **state)
{
	(void)state;
	EXPECT_STR(fmt_human_size(0), "0B");
	EXPECT_STR(fmt_human_size(999), "999B");
	EXPECT_STR(fmt_human_size(1000), "1kB");
	EXPECT_STR(fmt_human_size(32768), "32.77kB");
	EXPECT_STR(fmt_human_size(1088949), "1.089MB");
	EXPECT_STR(fmt_human_size(1985722), "1.986MB");
	EXPECT_STR(fmt_human_size(1200000), "1.2MB");
	EXPECT_STR(fmt_human_size(3971363), "3.971MB");
	EXPECT_STR(fmt_human_size(1e12), "1TB");
	EXPECT_STR(fmt_human_size(999999), "1000kB");
	/* docker images: precision 3 */
	EXPECT_STR(fmt_human_size_prec(1985722, 3), "1.99MB");
	EXPECT_STR(fmt_human_size_prec(20, 3), "20B");
	EXPECT_STR(fmt_human_size_prec(0, 3), "0B");
	/* binary units for memory */
	EXPECT_STR(fmt_bytes_size(25276514304.0), "23.54GiB");
	EXPECT_STR(fmt_bytes_size(1024), "1KiB");
	EXPECT_STR(fmt_bytes_size(512), "512B");
}

static void test_human_duration(void **state)
{
	(void)state;
	EXPECT_STR(fmt_human_duration(0.5), "Less than a second");
	EXPECT_STR(fmt_human_duration(1), "1 second");
	EXPECT_STR(fmt_human_duration(32), "32 seconds");
	EXPECT_STR(fmt_human_duration(60), "About a minute");
	EXPECT_STR(fmt_human_duration(119), "About a minute");
	EXPECT_STR(fmt_human_duration(13 * 60), "13 minutes");
	EXPECT_STR(fmt_human_duration(59 * 60 + 59), "59 minutes");
	EXPECT_STR(fmt_human_duration(3600), "About an hour");
	EXPECT_STR(fmt_human_duration(5399), "About an hour");
	EXPECT_STR(fmt_human_duration(5400), "2 hours");
	EXPECT_STR(fmt_human_duration(47 * 3600), "47 hours");
	EXPECT_STR(fmt_human_duration(2 * 86400), "2 days");
	EXPECT_STR(fmt_human_duration(13 * 86400), "13 days");
	EXPECT_STR(fmt_human_duration(14 * 86400), "2 weeks");
	EXPECT_STR(fmt_human_duration(60 * 86400), "2 months");
	EXPECT_STR(fmt_human_duration(800 * 86400.0), "2 years");
	EXPECT_STR(fmt_time_ago(1000, 1000 + 2 * 86400 + 5), "2 days ago");
	EXPECT_STR(fmt_time_ago(1000, 1000 + 3700), "About an hour ago");
	EXPECT_STR(fmt_time_ago(1000, 1001), "1 second ago");
}

static void test_ids(void **state)
{
	(void)state;
	const char *id = "sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6";
	EXPECT_STR(fmt_trunc_id(id, false), "ff41d169493d");
	EXPECT_STR(fmt_trunc_id(id, true), id);
	EXPECT_STR(fmt_trunc_id("ff41d169493d77bc", false), "ff41d169493d");
	EXPECT_STR(fmt_trunc_id("abc", false), "abc");
	EXPECT_STR(fmt_trunc_id("", false), "");
}

static void test_ellipsis(void **state)
{
	(void)state;
	EXPECT_STR(fmt_ellipsis("short", 45), "short");
	EXPECT_STR(fmt_ellipsis("/bin/sh -c #(nop) COPY file:7371c6f790c840ae5a6f6d0b in /", 45),
		   "/bin/sh -c #(nop) COPY file:7371c6f790c840ae\xe2\x80\xa6");
	EXPECT_STR(fmt_ellipsis("abcdef", 3), "ab\xe2\x80\xa6");
	/* characters, not bytes */
	EXPECT_STR(fmt_ellipsis("\xc3\xa9\xc3\xa9\xc3\xa9", 3), "\xc3\xa9\xc3\xa9\xc3\xa9");
}

static void test_times(void **state)
{
	(void)state;
	assert_int_equal(fmt_parse_rfc3339("2026-11-23T16:24:50.309546168Z"), 1795451090);
	assert_int_equal(fmt_parse_rfc3339("2026-11-23T17:24:50+01:00"), 1795451090);
	assert_int_equal(fmt_parse_rfc3339("1970-01-01T00:00:00Z"), 0);
	assert_int_equal(fmt_parse_rfc3339("yesterday"), -1);
	setenv("TZ", "UTC", 1);
	tzset();
	EXPECT_STR(fmt_go_time(1795451090), "2026-11-23 16:24:50 +0000 UTC");
}

static char *table_text(struct fmt_table *t)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	fmt_table_flush(t, f);
	fclose(f);
	return buf;
}

static void test_table(void **state)
{
	(void)state;
	struct fmt_table t = {0};
	const char *h[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"};
	fmt_table_add(&t, h, 5);
	/* docker images with no image: columns at least 10 wide, padding 3 */
	EXPECT_STR(table_text(&t), "REPOSITORY   TAG       IMAGE ID   CREATED   SIZE\n");

	fmt_table_add(&t, h, 5);
	const char *r1[] = {"busybox", "1.35", "ff41d169493d", "1 second ago", "1.99MB"};
	const char *r2[] = {"localhost:5000/busybox", "test", "ff41d169493d", "1 second ago",
			    "1.99MB"};
	fmt_table_add(&t, r1, 5);
	fmt_table_add(&t, r2, 5);
	EXPECT_STR(table_text(&t),
		   "REPOSITORY               TAG       IMAGE ID       CREATED        SIZE\n"
		   "busybox                  1.35      ff41d169493d   1 second ago   1.99MB\n"
		   "localhost:5000/busybox   test      ff41d169493d   1 second ago   1.99MB\n");

	/* an empty last cell: the cell before it is still padded (docker history) */
	const char *a[] = {"SIZE", "COMMENT"};
	const char *b[] = {"0B", ""};
	fmt_table_add(&t, a, 2);
	fmt_table_add(&t, b, 2);
	EXPECT_STR(table_text(&t), "SIZE      COMMENT\n0B        \n");
	/* widths count characters, not bytes */
	const char *u1[] = {"\xe2\x80\xa6\xe2\x80\xa6\xe2\x80\xa6\xe2\x80\xa6\xe2\x80\xa6"
			    "\xe2\x80\xa6\xe2\x80\xa6\xe2\x80\xa6",
			    "x"};
	fmt_table_add(&t, u1, 2);
	char *s = table_text(&t);
	assert_int_equal(strlen(s), 8 * 3 + 3 + 2);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_human_size), cmocka_unit_test(test_human_duration),
	    cmocka_unit_test(test_ids),	       cmocka_unit_test(test_ellipsis),
	    cmocka_unit_test(test_times),      cmocka_unit_test(test_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
