/* Unit tests of the container commands' pure helpers (cmd/berth/ctrfmt.c):
 * ps columns (command quoting and truncation, names, ports), stats (CPU %,
 * memory without the page cache, I/O sums, the row strings of the
 * transcript stats_no_stream), filters and the ps query, flag values
 * (sizes, --cpus, --restart, integers, event timestamps) with bad input, the
 * event line, diff kinds, the top table. */
#include "test-util.h"

#include "ctrfmt.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *s)
{
	json_error_t e;
	json_t *j = json_loads(s, 0, &e);
	if (j == NULL)
		fail_msg("bad test JSON: %s", e.text);
	return j;
}

static void test_command(void **state)
{
	(void)state;
	EXPECT_STR(ctrfmt_command_display("httpd -f -p 80", false), "\"httpd -f -p 80\"");
	EXPECT_STR(ctrfmt_command_display("sh -c 'while true; do date; done'", false),
		   "\"sh -c 'while true; …\""); /* 19 characters and "…" */
	EXPECT_STR(ctrfmt_command_display("sh -c 'while true; do date; done'", true),
		   "\"sh -c 'while true; do date; done'\"");
	EXPECT_STR(ctrfmt_command_display("echo \"a\\b\"\n", true), "\"echo \\\"a\\\\b\\\"\\n\"");
	EXPECT_STR(ctrfmt_command_display("", false), "\"\"");
	EXPECT_STR(ctrfmt_go_quote("\x01\x7f"), "\"\\x01\\x7f\"");
}

static void test_names(void **state)
{
	(void)state;
	json_t *n = parse("[\"/web\"]");
	EXPECT_STR(ctrfmt_names_display(n, false), "web");
	json_decref(n);
	n = parse("[\"/other/alias\",\"/db\",\"/db2\"]");
	EXPECT_STR(ctrfmt_names_display(n, false), "db");
	EXPECT_STR(ctrfmt_names_display(n, true), "other/alias,db,db2");
	json_decref(n);
	n = parse("[]");
	EXPECT_STR(ctrfmt_names_display(n, false), "");
	json_decref(n);
}

static void test_ports(void **state)
{
	(void)state;
	/* the transcript ps: two host bindings of one port, sorted by IP */
	json_t *p =
	    parse("[{\"IP\":\"::\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":\"tcp\"},"
		  "{\"IP\":\"0.0.0.0\",\"PrivatePort\":80,\"PublicPort\":8080,\"Type\":"
		  "\"tcp\"}]");
	EXPECT_STR(ctrfmt_ports_display(p), "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp");
	json_decref(p);
	/* exposed only: consecutive ports as a range; as docker's grouping,
	 * a range closed by a gap comes first, then the open groups in the
	 * order they began */
	p = parse("[{\"PrivatePort\":81,\"Type\":\"tcp\"},{\"PrivatePort\":80,\"Type\":\"tcp\"},"
		  "{\"PrivatePort\":53,\"Type\":\"udp\"},{\"PrivatePort\":90,\"Type\":\"tcp\"}]");
	EXPECT_STR(ctrfmt_ports_display(p), "80-81/tcp, 53/udp, 90/tcp");
	json_decref(p);
	/* published on the same port number */
	p = parse("[{\"IP\":\"127.0.0.1\",\"PrivatePort\":80,\"PublicPort\":80,\"Type\":\"tcp\"}]");
	EXPECT_STR(ctrfmt_ports_display(p), "127.0.0.1:80->80/tcp");
	json_decref(p);
	EXPECT_STR(ctrfmt_ports_display(NULL), "");
}

static void test_labels(void **state)
{
	(void)state;
	json_t *l = parse("{\"b\":\"2\",\"a\":\"1\"}");
	EXPECT_STR(ctrfmt_labels_display(l), "a=1,b=2");
	json_decref(l);
	EXPECT_STR(ctrfmt_labels_display(NULL), "");
}

/* web's sample from transcripts/stats_no_stream.txt (trimmed) */
static const char web_stats[] =
    "{\"read\":\"2026-11-23T16:36:25.493963529Z\",\"pids_stats\":{\"current\":1},"
    "\"blkio_stats\":{\"io_service_bytes_recursive\":[]},"
    "\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":82510569,\"percpu_usage\":[24366460,"
    "58144109]},\"system_cpu_usage\":2449490000000,\"online_cpus\":2},"
    "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":82510569},\"system_cpu_usage\":"
    "2447460000000,\"online_cpus\":2},"
    "\"memory_stats\":{\"usage\":348160,\"stats\":{\"total_inactive_file\":0},\"limit\":"
    "25276514304},\"name\":\"/web\",\"id\":"
    "\"9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4\","
    "\"networks\":{\"eth0\":{\"rx_bytes\":1810,\"tx_bytes\":731}}}";

static void test_stats_row(void **state)
{
	(void)state;
	json_t *s = parse(web_stats);
	struct ctrfmt_stats_row r;
	ctrfmt_stats_row(s, "web", false, &r);
	/* the transcript's row: 9e5a9cced381 web 0.00% 340KiB / 23.54GiB 0.00%
	 * 1.81kB / 731B 0B / 0B 1 */
	assert_string_equal(r.id, "9e5a9cced381");
	assert_string_equal(r.name, "web");
	assert_string_equal(r.cpu, "0.00%");
	assert_string_equal(r.mem_usage, "340KiB / 23.54GiB");
	assert_string_equal(r.mem_perc, "0.00%");
	assert_string_equal(r.net_io, "1.81kB / 731B");
	assert_string_equal(r.block_io, "0B / 0B");
	assert_string_equal(r.pids, "1");
	json_t *j = ctrfmt_stats_row_json(&r, "9e5a9cced381");
	char *d = json_dumps(j, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(d, "{\"BlockIO\":\"0B / 0B\",\"CPUPerc\":\"0.00%\",\"Container\":"
			       "\"9e5a9cced381\",\"ID\":\"9e5a9cced381\",\"MemPerc\":\"0.00%\","
			       "\"MemUsage\":\"340KiB / 23.54GiB\",\"Name\":\"web\",\"NetIO\":"
			       "\"1.81kB / 731B\",\"PIDs\":\"1\"}");
	free(d);
	json_decref(j);
	ctrfmt_stats_row_clear(&r);
	ctrfmt_stats_row(s, "web", true, &r);
	assert_string_equal(r.id,
			    "9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4");
	ctrfmt_stats_row_clear(&r);
	json_decref(s);
	/* no sample yet */
	ctrfmt_stats_row(NULL, "abc", false, &r);
	assert_string_equal(r.id, "abc");
	assert_string_equal(r.cpu, "--");
	ctrfmt_stats_row_clear(&r);
}

static void test_cpu_percent(void **state)
{
	(void)state;
	/* 0.5 s of CPU over 2 s of system time on 4 CPUs: 100% */
	json_t *s = parse("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":1500000000},"
			  "\"system_cpu_usage\":12000000000,\"online_cpus\":4},"
			  "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":1000000000},"
			  "\"system_cpu_usage\":10000000000}}");
	assert_float_equal(ctrfmt_cpu_percent(s), 100.0, 1e-9);
	json_decref(s);
	/* no online_cpus: the number of per-CPU counters */
	s = parse("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":200,\"percpu_usage\":[1,2]},"
		  "\"system_cpu_usage\":1000},"
		  "\"precpu_stats\":{\"cpu_usage\":{\"total_usage\":100},\"system_cpu_usage\":"
		  "800}}");
	assert_float_equal(ctrfmt_cpu_percent(s), 100.0, 1e-9);
	json_decref(s);
	/* the first sample of a stream: no precpu -> no system delta < 0 */
	s = parse("{\"cpu_stats\":{\"cpu_usage\":{\"total_usage\":0},\"system_cpu_usage\":5}}");
	assert_float_equal(ctrfmt_cpu_percent(s), 0, 1e-9);
	json_decref(s);
	assert_float_equal(ctrfmt_cpu_percent(NULL), 0, 1e-9);
}

static void test_mem_io(void **state)
{
	(void)state;
	double u, l, p, a, b;
	/* cgroup v2: inactive_file is the cache */
	json_t *s = parse("{\"memory_stats\":{\"usage\":1000,\"stats\":{\"inactive_file\":200},"
			  "\"limit\":4000},"
			  "\"blkio_stats\":{\"io_service_bytes_recursive\":[{\"op\":\"read\","
			  "\"value\":10},{\"op\":\"Write\",\"value\":20},{\"op\":\"Read\","
			  "\"value\":5}]},"
			  "\"networks\":{\"eth0\":{\"rx_bytes\":1,\"tx_bytes\":2},\"eth1\":{\"rx_"
			  "bytes\":3,\"tx_bytes\":4}}}");
	ctrfmt_mem(s, &u, &l, &p);
	assert_float_equal(u, 800, 1e-9);
	assert_float_equal(l, 4000, 1e-9);
	assert_float_equal(p, 20, 1e-9);
	ctrfmt_blkio(s, &a, &b);
	assert_float_equal(a, 15, 1e-9);
	assert_float_equal(b, 20, 1e-9);
	ctrfmt_net(s, &a, &b);
	assert_float_equal(a, 4, 1e-9);
	assert_float_equal(b, 6, 1e-9);
	json_decref(s);
	/* no limit: 0% rather than a division by zero */
	s = parse("{\"memory_stats\":{\"usage\":1000}}");
	ctrfmt_mem(s, &u, &l, &p);
	assert_float_equal(p, 0, 1e-9);
	json_decref(s);
}

static void test_filters_query(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	const char *items[] = {"status=running", "name=pipebox", "label=a=b", "name=x"};
	json_t *f = NULL;
	assert_int_equal(ctrfmt_filters_parse(items, 4, &f, &err), 0);
	char *d = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(d, "{\"label\":{\"a=b\":true},\"name\":{\"pipebox\":true,\"x\":true},"
			       "\"status\":{\"running\":true}}");
	free(d);
	json_decref(f);
	/* the transcript ps_filter_quiet's query */
	assert_int_equal(ctrfmt_filters_parse(items, 2, &f, &err), 0);
	EXPECT_STR(ctrfmt_ps_query(false, -1, false, f),
		   "?filters=%7B%22name%22%3A%7B%22pipebox%22%3Atrue%7D%2C%22status%22%3A%7B%"
		   "22running%22%3Atrue%7D%7D");
	json_decref(f);
	EXPECT_STR(ctrfmt_ps_query(true, -1, false, NULL), "?all=1");
	EXPECT_STR(ctrfmt_ps_query(false, -1, false, NULL), "");
	EXPECT_STR(ctrfmt_ps_query(true, 3, true, NULL), "?all=1&limit=3&size=1");
	const char *bad[] = {"nokey"};
	assert_int_equal(ctrfmt_filters_parse(bad, 1, &f, &err), -1);
	assert_non_null(strstr(err->msg, "bad format of filter (expected name=value)"));
	berth_error_free(&err);
	const char *empty[] = {"=x"};
	assert_int_equal(ctrfmt_filters_parse(empty, 1, &f, &err), -1);
	berth_error_free(&err);
}

static void test_flag_values(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	int64_t v;
	assert_int_equal(ctrfmt_parse_ram("512m", &v, &err), 0);
	assert_int_equal(v, 512LL << 20);
	assert_int_equal(ctrfmt_parse_ram("1.5GB", &v, &err), 0);
	assert_int_equal(v, 3LL << 29);
	assert_int_equal(ctrfmt_parse_ram("100k", &v, &err), 0);
	assert_int_equal(v, 102400);
	assert_int_equal(ctrfmt_parse_ram("2048", &v, &err), 0);
	assert_int_equal(v, 2048);
	assert_int_equal(ctrfmt_parse_ram("1GiB", &v, &err), 0);
	assert_int_equal(v, 1LL << 30);
	const char *bad[] = {"", "m", "-1", "12x", "1gg", "1 2"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(ctrfmt_parse_ram(bad[i], &v, &err), -1);
		assert_non_null(strstr(err->msg, "invalid size"));
		berth_error_free(&err);
	}
	assert_int_equal(ctrfmt_parse_cpus("1.5", &v, &err), 0);
	assert_int_equal(v, 1500000000);
	assert_int_equal(ctrfmt_parse_cpus("0.000000001", &v, &err), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ctrfmt_parse_cpus("abc", &v, &err), -1);
	berth_error_free(&err);
	assert_int_equal(ctrfmt_parse_cpus("0.0000000001", &v, &err), -1);
	assert_non_null(strstr(err->msg, "too precise"));
	berth_error_free(&err);
	long l;
	assert_int_equal(ctrfmt_parse_long("-1", "--pids-limit", &l, &err), 0);
	assert_int_equal(l, -1);
	assert_int_equal(ctrfmt_parse_long("1x", "-t, --time", &l, &err), -1);
	assert_string_equal(err->msg, "invalid argument \"1x\" for \"-t, --time\" flag: "
				      "strconv.ParseInt: parsing \"1x\": invalid syntax");
	berth_error_free(&err);
	json_t *rp = NULL;
	assert_int_equal(ctrfmt_parse_restart("on-failure:3", &rp, &err), 0);
	char *d = json_dumps(rp, JSON_COMPACT | JSON_PRESERVE_ORDER);
	assert_string_equal(d, "{\"Name\":\"on-failure\",\"MaximumRetryCount\":3}");
	free(d);
	json_decref(rp);
	assert_int_equal(ctrfmt_parse_restart("unless-stopped", &rp, &err), 0);
	json_decref(rp);
	assert_int_equal(ctrfmt_parse_restart("always:2", &rp, &err), -1);
	berth_error_free(&err);
	assert_int_equal(ctrfmt_parse_restart("sometimes", &rp, &err), -1);
	berth_error_free(&err);
	assert_int_equal(ctrfmt_parse_restart("on-failure:x", &rp, &err), -1);
	berth_error_free(&err);
}

static void test_timestamp(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	char *out = NULL;
	time_t now = 1795451900;
	assert_int_equal(ctrfmt_timestamp("1795451861", now, &out, &err), 0);
	assert_string_equal(out, "1795451861");
	free(out);
	assert_int_equal(ctrfmt_timestamp("1795451861.5", now, &out, &err), 0);
	assert_string_equal(out, "1795451861.5");
	free(out);
	assert_int_equal(ctrfmt_timestamp("10m", now, &out, &err), 0);
	assert_string_equal(out, "1795451300");
	free(out);
	assert_int_equal(ctrfmt_timestamp("1h30s", now, &out, &err), 0);
	assert_string_equal(out, "1795448270");
	free(out);
	assert_int_equal(ctrfmt_timestamp("2026-11-23T16:37:39Z", now, &out, &err), 0);
	assert_string_equal(out, "1795451859.000000000");
	free(out);
	assert_int_equal(ctrfmt_timestamp("yesterday", now, &out, &err), -1);
	berth_error_free(&err);
	assert_int_equal(ctrfmt_timestamp("1.2.3", now, &out, &err), -1);
	berth_error_free(&err);
}

static void test_event_line(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	/* from transcripts/events.txt */
	json_t *e =
	    parse("{\"status\":\"die\",\"id\":\"bab5\",\"from\":\"busybox\",\"Type\":"
		  "\"container\",\"Action\":\"die\",\"Actor\":{\"ID\":\"bab5\","
		  "\"Attributes\":{\"name\":\"peaceful_grothendieck\",\"image\":\"busybox\","
		  "\"exitCode\":\"0\"}},\"scope\":\"local\",\"time\":1795451859,"
		  "\"timeNano\":1795451859943559114}");
	EXPECT_STR(ctrfmt_event_line(e), "2026-11-23T16:37:39.943559114Z container die bab5 "
					 "(exitCode=0, image=busybox, name=peaceful_grothendieck)");
	json_decref(e);
	e = parse("{\"Type\":\"image\",\"Action\":\"tag\",\"Actor\":{\"ID\":\"sha256:ff\"},"
		  "\"time\":1795451860,\"timeNano\":1795451860000000005}");
	EXPECT_STR(ctrfmt_event_line(e), "2026-11-23T16:37:40.000000005Z image tag sha256:ff");
	EXPECT_STR(ctrfmt_go_local_time(1795451859), "2026-11-23 16:37:39 +0000 UTC");
	/* another zone: its offset, as Go prints it */
	setenv("TZ", "XXX-05:30", 1);
	tzset();
	EXPECT_STR(ctrfmt_event_line(e), "2026-11-23T22:07:40.000000005+05:30 image tag sha256:ff");
	setenv("TZ", "UTC", 1);
	tzset();
	json_decref(e);
}

static void test_misc(void **state)
{
	(void)state;
	assert_int_equal(ctrfmt_change_kind(0), 'C');
	assert_int_equal(ctrfmt_change_kind(1), 'A');
	assert_int_equal(ctrfmt_change_kind(2), 'D');
	assert_int_equal(ctrfmt_change_kind(7), '?');
	EXPECT_STR(ctrfmt_query_escape("a b/é"), "a%20b%2F%C3%A9");
	json_t *j = parse("{\"Ports\":\"0.0.0.0:80->80/tcp\",\"X\":\"<a&b>\",\"P\":null}");
	EXPECT_STR(ctrfmt_go_json(j), "{\"Ports\":\"0.0.0.0:80-\\u003e80/"
				      "tcp\",\"X\":\"\\u003ca\\u0026b\\u003e\",\"P\":null}");
	json_decref(j);
	/* top's table: cells at least 20 wide, the last one not padded */
	struct fmt_table t = {0};
	const char *h[] = {"UID", "PID", "CMD"};
	const char *r[] = {"root", "29244", "httpd -f -p 80"};
	fmt_table_add(&t, h, 3);
	fmt_table_add(&t, r, 3);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	fmt_table_flush_min(&t, f, 20);
	fclose(f);
	assert_string_equal(buf, "UID                 PID                 CMD\n"
				 "root                29244               httpd -f -p 80\n");
	free(buf);
}

static void test_template(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	struct ctrfmt_template t;
	/* a row has every field of its Go type (an absent one is an error) */
	json_t *row =
	    parse("{\"ID\":\"abc\",\"Names\":\"web\",\"Ports\":\"1->2/tcp\",\"Size\":\"\"}");
	assert_int_equal(ctrfmt_template_parse("{{.Names}}: {{ .ID }}\\t{{json .Names}}",
					       ctrfmt_ps_headers, &t, &err),
			 0);
	assert_false(t.table);
	EXPECT_STR(ctrfmt_template_render(&t, row), "web: abc\t\"web\"");
	assert_false(ctrfmt_template_uses(&t, "Size"));
	ctrfmt_template_free(&t);
	assert_int_equal(ctrfmt_template_parse("table {{.ID}}\\t{{.Ports}}\\t{{.Size}}",
					       ctrfmt_ps_headers, &t, &err),
			 0);
	assert_true(t.table);
	assert_true(ctrfmt_template_uses(&t, "Size"));
	EXPECT_STR(ctrfmt_template_header(&t, ctrfmt_ps_headers), "CONTAINER ID\tPORTS\tSIZE");
	EXPECT_STR(ctrfmt_template_render(&t, row), "abc\t1->2/tcp\t");
	ctrfmt_template_free(&t);
	assert_int_equal(ctrfmt_template_parse("{{json .}}x", ctrfmt_stats_headers, &t, &err), 0);
	assert_true(ctrfmt_template_uses(&t, "Anything"));
	EXPECT_STR(
	    ctrfmt_template_render(&t, row),
	    "{\"ID\":\"abc\",\"Names\":\"web\",\"Ports\":\"1-\\u003e2/tcp\",\"Size\":\"\"}x");
	ctrfmt_template_free(&t);
	/* docker's messages for what cannot be run */
	assert_int_equal(
	    ctrfmt_template_parse("table {{.ID}} {{.Nope}}", ctrfmt_ps_headers, &t, &err), -1);
	assert_string_equal(err->msg, "failed to execute template: template: :1:16: executing \"\" "
				      "at <.Nope>: can't evaluate field Nope in type "
				      "*formatter.ContainerContext");
	berth_error_free(&err);
	assert_int_equal(ctrfmt_template_parse("{{.Nope", ctrfmt_stats_headers, &t, &err), -1);
	assert_string_equal(err->msg, "template parsing error: template: :1: unclosed action");
	berth_error_free(&err);
	assert_int_equal(ctrfmt_template_parse("{{range .}}", ctrfmt_ps_headers, &t, &err), -1);
	berth_error_free(&err);
	assert_true(ctrfmt_is_template("{{.ID}}"));
	assert_false(ctrfmt_is_template("{{json .}}"));
	assert_false(ctrfmt_is_template("json"));
	assert_false(ctrfmt_is_template(NULL));
	/* cells of a rendered table row */
	struct fmt_table tb = {0};
	ctrfmt_table_add_line(&tb, "a\tbb\t");
	assert_int_equal(tb.nrows, 1);
	assert_string_equal(tb.rows[0][1], "bb");
	assert_string_equal(tb.rows[0][2], "");
	assert_null(tb.rows[0][3]);
	fmt_table_free(&tb);
	json_decref(row);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_command),	cmocka_unit_test(test_names),
	    cmocka_unit_test(test_ports),	cmocka_unit_test(test_labels),
	    cmocka_unit_test(test_stats_row),	cmocka_unit_test(test_cpu_percent),
	    cmocka_unit_test(test_mem_io),	cmocka_unit_test(test_filters_query),
	    cmocka_unit_test(test_flag_values), cmocka_unit_test(test_timestamp),
	    cmocka_unit_test(test_event_line),	cmocka_unit_test(test_misc),
	    cmocka_unit_test(test_template),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
