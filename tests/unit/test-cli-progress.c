/* Unit tests of the berth CLI's progress-stream rendering
 * (cmd/berth/progress.c) on the streams in tests/fixtures/cli: plain lines
 * when not on a terminal, docker's in-place ANSI updates on one, and
 * errorDetail ending the stream. */
#include "test-util.h"

#include "progress.h"

#include <stdlib.h>

#ifndef CLI_FIXTURES
#error "CLI_FIXTURES must name tests/fixtures/cli"
#endif

struct capture {
	char *buf;
	size_t len;
	FILE *f;
};

/* Render a fixture file line by line; returns the result of the first failing
 * message (0 if none) and the error in *err. */
static int render(const char *name, bool tty, struct capture *cap, struct berth_error **err)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/%s", CLI_FIXTURES, name) > 0);
	FILE *in = fopen(path, "r");
	if (in == NULL)
		fail_msg("cannot open fixture %s", path);
	free(path);
	cap->f = open_memstream(&cap->buf, &cap->len);
	struct progress p;
	progress_init(&p, cap->f, tty, 200);
	p.now = 1000;
	char *line = NULL;
	size_t n = 0;
	int rc = 0;
	while (rc == 0 && getline(&line, &n, in) > 0) {
		json_error_t jerr;
		json_t *msg = json_loads(line, 0, &jerr);
		if (msg == NULL)
			fail_msg("bad fixture line: %s", jerr.text);
		rc = progress_message(&p, msg, err);
		json_decref(msg);
	}
	free(line);
	fclose(in);
	progress_free(&p);
	fclose(cap->f);
	return rc;
}

static void test_plain(void **state)
{
	(void)state;
	struct capture cap = {0};
	struct berth_error *err = NULL;
	assert_int_equal(render("pull-progress.jsonl", false, &cap, &err), 0);
	assert_string_equal(
	    cap.buf,
	    "1.0: Pulling from library/demo\n"
	    "aaaaaaaaaaaa: Pulling fs layer\n"
	    "bbbbbbbbbbbb: Pulling fs layer\n"
	    "bbbbbbbbbbbb: Waiting\n"
	    "aaaaaaaaaaaa: Verifying Checksum\n"
	    "aaaaaaaaaaaa: Download complete\n"
	    "aaaaaaaaaaaa: Pull complete\n"
	    "bbbbbbbbbbbb: Download complete\n"
	    "bbbbbbbbbbbb: Pull complete\n"
	    "Digest: sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n"
	    "Status: Downloaded newer image for example.test/library/demo:1.0\n");
	free(cap.buf);
}

static void test_tty(void **state)
{
	(void)state;
	struct capture cap = {0};
	struct berth_error *err = NULL;
	assert_int_equal(render("pull-progress.jsonl", true, &cap, &err), 0);
	/* the header line, then each new layer gets a line of its own and is
	 * written in place from below it (up N, erase, text, down N) */
	const char *start = "1.0: Pulling from library/demo\n"
			    "\n\x1b[1A\x1b[2K\raaaaaaaaaaaa: Pulling fs layer \r\x1b[1B"
			    "\n\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pulling fs layer \r\x1b[1B"
			    "\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Waiting \r\x1b[1B"
			    "\x1b[2A\x1b[2K\raaaaaaaaaaaa: Downloading [============>";
	if (strncmp(cap.buf, start, strlen(start)) != 0)
		fail_msg("tty output starts with:\n%s", cap.buf);
	/* the bar: 50 columns, then the counts as docker pads them */
	assert_non_null(strstr(cap.buf, "[============>                                      ]"
					"    500kB/2MB\r\x1b[2B"));
	assert_non_null(strstr(cap.buf, "[==================================================>]"
					"      2MB/2MB\r"));
	assert_non_null(strstr(cap.buf, "\x1b[1A\x1b[2K\rbbbbbbbbbbbb: Pull complete \r\x1b[1B"));
	/* a message without id ends the block and is a plain line */
	assert_non_null(strstr(cap.buf, "\x1b[1B"
					"Digest: sha256:0123456789abcdef0123456789abcdef0123456789"
					"abcdef0123456789abcdef\n"));
	free(cap.buf);
}

static void test_error(void **state)
{
	(void)state;
	struct capture cap = {0};
	struct berth_error *err = NULL;
	assert_int_equal(render("push-error.jsonl", false, &cap, &err), -1);
	assert_non_null(err);
	assert_string_equal(err->msg, "unauthorized: authentication required");
	berth_error_free(&err);
	assert_string_equal(cap.buf, "The push refers to repository [127.0.0.1:5000/demo]\n"
				     "cccccccccccc: Preparing\n");
	free(cap.buf);
}

static void test_quiet_still_fails(void **state)
{
	(void)state;
	struct progress p;
	progress_init(&p, NULL, false, 0);
	json_t *ok = tu_json("{'status': 'Pulling fs layer', 'progressDetail': {}, 'id': 'x'}");
	json_t *bad = tu_json("{'error': 'boom'}");
	struct berth_error *err = NULL;
	assert_int_equal(progress_message(&p, ok, &err), 0);
	assert_int_equal(progress_message(&p, bad, &err), -1);
	assert_string_equal(err->msg, "boom");
	berth_error_free(&err);
	json_decref(ok);
	json_decref(bad);
	progress_free(&p);
}

static void test_bar(void **state)
{
	(void)state;
	char *s = progress_bar(32768, 1088949, 0, NULL, false, 200, 0);
	assert_string_equal(
	    s, "[=>                                                 ]  32.77kB/1.089MB");
	free(s);
	/* narrow terminal: no bar */
	s = progress_bar(32768, 1088949, 0, NULL, false, 80, 0);
	assert_string_equal(s, " 32.77kB/1.089MB");
	free(s);
	/* unknown total */
	s = progress_bar(2048, 0, 0, NULL, false, 200, 0);
	assert_string_equal(s, " 2.048kB");
	free(s);
	/* units and time left: 10 of 100 in 10 s -> 90 s left */
	s = progress_bar(10, 100, 990, "layers", false, 80, 1000);
	assert_string_equal(s, "10/100 layers 1m30s");
	free(s);
	s = progress_bar(0, 0, 0, NULL, false, 200, 0);
	assert_string_equal(s, "");
	free(s);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_plain), cmocka_unit_test(test_tty),
	    cmocka_unit_test(test_error), cmocka_unit_test(test_quiet_still_fails),
	    cmocka_unit_test(test_bar),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
