/* lib/engine/logs: json-file lines (hostile ones too), time formats, tail N
 * read backwards (across block boundaries and rotated files), since/until,
 * and follow across a rotation while a writer thread appends. */
#include "test-util.h"

#include "common/xalloc.h"
#include "engine/logs/logs.h"

#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define T0 1795000000000000000LL /* 2026-11-18T... in ns */

static char *tmpdir;

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int setup(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test-logs-XXXXXX";
	assert_non_null(mkdtemp(tmpl));
	tmpdir = strdup(tmpl);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	free(tmpdir);
	return 0;
}

/* one json-file line for message i: "msg <i>\n" at T0 + i ms */
static char *mkline(int i, const char *stream)
{
	char ts[LOGS_TIME_LEN + 1];
	logs_format_time(T0 + (int64_t)i * 1000000, ts);
	return xasprintf("{\"log\":\"msg %d\\n\",\"stream\":\"%s\",\"time\":\"%s\"}\n", i, stream,
			 ts);
}

static void append(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
	close(fd);
}

/* lines [from, to) into path, stdout for even i, stderr for odd */
static void append_range(const char *path, int from, int to)
{
	for (int i = from; i < to; i++) {
		char *l = mkline(i, i % 2 ? "stderr" : "stdout");
		append(path, l);
		free(l);
	}
}

struct collect {
	int *ids;
	size_t n, cap;
	int stop_after; /* emit returns -1 after this many (0: never) */
	atomic_int live;
};

static int collect_emit(const struct logs_entry *e, void *arg)
{
	struct collect *c = arg;
	int id = -1;
	assert_int_equal(sscanf(e->data, "msg %d", &id), 1);
	assert_int_equal(e->time_ns, T0 + (int64_t)id * 1000000);
	assert_int_equal(e->stream, id % 2 ? LOGS_STDERR : LOGS_STDOUT);
	if (c->n == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		c->ids = xrealloc(c->ids, c->cap * sizeof(int));
	}
	c->ids[c->n++] = id;
	if (c->stop_after && c->n >= (size_t)c->stop_after)
		return -1;
	return 0;
}

static int collect_live(void *arg)
{
	struct collect *c = arg;
	return atomic_load(&c->live);
}

static void read_all(const char *path, struct logs_options *o, struct collect *c,
		     struct logs_stats *st)
{
	struct berth_error *err = NULL;
	int rc = logs_read(path, o, collect_emit, collect_live, c, st, &err);
	if (rc < 0)
		fail_msg("logs_read: %s", err->msg);
}

static void assert_ids(struct collect *c, int from, int to, int step)
{
	size_t k = 0;
	for (int i = from; i < to; i += step, k++) {
		if (k >= c->n)
			fail_msg("missing id %d (got %zu entries)", i, c->n);
		assert_int_equal(c->ids[k], i);
	}
	assert_int_equal(c->n, k);
}

static struct logs_options all_opts(void)
{
	return (struct logs_options){.want_stdout = true, .want_stderr = true, .tail = -1};
}

static void test_parse_line(void **state)
{
	(void)state;
	struct logs_entry e;
	const char *good = "{\"log\":\"a\\u0000b\\n\",\"stream\":\"stderr\","
			   "\"time\":\"2026-11-23T16:25:19.426708791Z\"}";
	assert_int_equal(logs_parse_line(good, strlen(good), &e), 0);
	assert_int_equal(e.stream, LOGS_STDERR);
	assert_int_equal(e.len, 4);
	assert_memory_equal(e.data, "a\0b\n", 4);
	char ts[LOGS_TIME_LEN + 1];
	logs_format_time(e.time_ns, ts);
	assert_string_equal(ts, "2026-11-23T16:25:19.426708791Z");
	logs_entry_clear(&e);

	const char *bad[] = {
	    "",
	    "not json",
	    "[1,2]",
	    "{\"log\":\"x\"",
	    "{\"log\":1,\"stream\":\"stdout\",\"time\":\"2026-11-23T16:25:19Z\"}",
	    "{\"log\":\"x\",\"stream\":\"stdin\",\"time\":\"2026-11-23T16:25:19Z\"}",
	    "{\"log\":\"x\",\"stream\":\"stdout\"}",
	    "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"yesterday\"}",
	    "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-13-23T16:25:19Z\"}",
	    "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-11-23T16:25:19.Z\"}",
	    "{\"log\":\"x\",\"stream\":\"stdout\",\"time\":\"2026-11-23T16:25:19Zjunk\"}",
	    "{\"log\":\"x\",\"stream\":null,\"time\":\"2026-11-23T16:25:19Z\"}",
	    "{\"log\":\"\\ud800\",\"stream\":\"stdout\",\"time\":\"2026-11-23T16:25:19Z\"}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (logs_parse_line(bad[i], strlen(bad[i]), &e) == 0)
			fail_msg("accepted bad line %zu: %s", i, bad[i]);
		assert_null(e.data);
	}
}

static void test_times(void **state)
{
	(void)state;
	int64_t ns = 0;
	const char *t = "2026-11-23T16:25:19.4267Z";
	assert_int_equal(logs_parse_time(t, strlen(t), &ns), 0);
	int64_t z = ns;
	t = "2026-11-23T18:25:19.4267+02:00";
	assert_int_equal(logs_parse_time(t, strlen(t), &ns), 0);
	assert_int_equal(ns, z);
	t = "1970-01-01T00:00:00Z";
	assert_int_equal(logs_parse_time(t, strlen(t), &ns), 0);
	assert_int_equal(ns, 0);
	char buf[LOGS_TIME_LEN + 1];
	logs_format_time(z, buf);
	assert_string_equal(buf, "2026-11-23T16:25:19.426700000Z");
	assert_int_equal(strlen(buf), LOGS_TIME_LEN);

	struct berth_error *err = NULL;
	assert_int_equal(logs_parse_api_time("1700000000.5", &ns, &err), 0);
	assert_int_equal(ns, 1700000000500000000LL);
	assert_int_equal(logs_parse_api_time("1700000000", &ns, &err), 0);
	assert_int_equal(ns, 1700000000000000000LL);
	assert_int_equal(logs_parse_api_time("", &ns, &err), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(logs_parse_api_time("1970-01-01T00:00:01Z", &ns, &err), 0);
	assert_int_equal(ns, 1000000000LL);
	assert_int_equal(logs_parse_api_time("12abc", &ns, &err), -1);
	assert_non_null(strstr(err->msg, "12abc"));
	berth_error_free(&err);
	assert_int_equal(logs_parse_api_time("99999999999999999999", &ns, &err), -1);
	berth_error_free(&err);

	assert_int_equal(logs_parse_tail("all"), -1);
	assert_int_equal(logs_parse_tail(NULL), -1);
	assert_int_equal(logs_parse_tail("3"), 3);
	assert_int_equal(logs_parse_tail("0"), 0);
	assert_int_equal(logs_parse_tail("-2"), -1);
	assert_int_equal(logs_parse_tail("x"), -1);
}

static void test_read_hostile(void **state)
{
	(void)state;
	char *path = xasprintf("%s/hostile.log", tmpdir);
	append_range(path, 0, 2);
	append(path, "garbage\n\n{\"log\":\"x\"}\n");
	/* a line far over the limit, then a good one */
	size_t big = LOGS_LINE_MAX + 1000;
	char *huge = xmalloc(big + 2);
	memset(huge, 'a', big);
	huge[big] = '\n';
	huge[big + 1] = '\0';
	append(path, huge);
	free(huge);
	append_range(path, 2, 4);
	append(path, "{\"log\":\"partial"); /* no newline: still being written */
	struct collect c = {0};
	struct logs_options o = all_opts();
	struct logs_stats st = {0};
	read_all(path, &o, &c, &st);
	assert_ids(&c, 0, 4, 1);
	assert_int_equal(st.lines, 4);
	assert_int_equal(st.bad_lines, 5); /* garbage, empty, bad object, huge, partial */
	free(c.ids);
	free(path);
}

static void test_filters(void **state)
{
	(void)state;
	char *path = xasprintf("%s/filters.log", tmpdir);
	append_range(path, 0, 20);
	struct collect c = {0};
	struct logs_options o = all_opts();
	o.want_stderr = false;
	read_all(path, &o, &c, NULL);
	assert_ids(&c, 0, 20, 2);
	free(c.ids);

	memset(&c, 0, sizeof(c));
	o = all_opts();
	o.since_ns = T0 + 5 * 1000000;
	o.until_ns = T0 + 12 * 1000000;
	read_all(path, &o, &c, NULL);
	assert_ids(&c, 5, 13, 1);
	free(c.ids);

	/* tail counts lines of both streams, then the stream filter applies */
	memset(&c, 0, sizeof(c));
	o = all_opts();
	o.tail = 4;
	o.want_stdout = false;
	read_all(path, &o, &c, NULL);
	assert_ids(&c, 17, 20, 2);
	free(c.ids);

	/* the consumer going away stops the read */
	memset(&c, 0, sizeof(c));
	c.stop_after = 3;
	o = all_opts();
	read_all(path, &o, &c, NULL);
	assert_int_equal(c.n, 3);
	free(c.ids);
	free(path);
}

static void test_tail(void **state)
{
	(void)state;
	/* 20000 lines span many 64 KiB blocks */
	char *path = xasprintf("%s/tail.log", tmpdir);
	append_range(path, 0, 20000);
	long long ns[] = {0, 1, 2, 3, 1000, 1999, 19999, 20000, 50000};
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		struct collect c = {0};
		struct logs_options o = all_opts();
		o.tail = ns[i];
		read_all(path, &o, &c, NULL);
		long long want = ns[i] > 20000 ? 20000 : ns[i];
		assert_ids(&c, (int)(20000 - want), 20000, 1);
		free(c.ids);
	}
	/* the offset itself, with a partial last line */
	append(path, "{\"log\":");
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	off_t off;
	long long found;
	struct berth_error *err = NULL;
	assert_int_equal(logs_tail_offset(fd, 1, &off, &found, &err), 0);
	assert_int_equal(found, 1);
	char buf[32];
	assert_int_equal(pread(fd, buf, 24, off), 24);
	assert_memory_equal(buf, "{\"log\":\"msg 19999\\n\"", 20);
	close(fd);

	/* an empty file and a file without a newline */
	char *p2 = xasprintf("%s/empty.log", tmpdir);
	append(p2, "");
	struct collect c = {0};
	struct logs_options o = all_opts();
	o.tail = 5;
	read_all(p2, &o, &c, NULL);
	assert_int_equal(c.n, 0);
	append(p2, "no newline at all");
	read_all(p2, &o, &c, NULL);
	assert_int_equal(c.n, 0);
	/* a log that does not exist is empty */
	char *p3 = xasprintf("%s/missing.log", tmpdir);
	read_all(p3, &o, &c, NULL);
	assert_int_equal(c.n, 0);
	free(p3);
	free(p2);
	free(path);
}

static void test_rotated_files(void **state)
{
	(void)state;
	char *path = xasprintf("%s/rot.log", tmpdir);
	char *p1 = xasprintf("%s.1", path);
	char *p2 = xasprintf("%s.2", path);
	append_range(p2, 0, 10);
	append_range(p1, 10, 15);
	append_range(path, 15, 17);
	char **files = logs_files(path);
	assert_string_equal(files[0], p2);
	assert_string_equal(files[1], p1);
	assert_string_equal(files[2], path);
	assert_null(files[3]);
	for (int i = 0; files[i]; i++)
		free(files[i]);
	free(files);

	long long tails[] = {-1, 0, 1, 2, 3, 6, 7, 8, 16, 17, 100};
	for (size_t i = 0; i < ARRAY_SIZE(tails); i++) {
		struct collect c = {0};
		struct logs_options o = all_opts();
		o.tail = tails[i];
		read_all(path, &o, &c, NULL);
		long long want = tails[i] < 0 || tails[i] > 17 ? 17 : tails[i];
		assert_ids(&c, (int)(17 - want), 17, 1);
		free(c.ids);
	}
	free(p1);
	free(p2);
	free(path);
}

struct writer {
	const char *path;
	struct collect *c;
};

static void sleep_ms(int ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
	nanosleep(&ts, NULL);
}

#define ROT_ROUNDS 40
#define ROT_LINES 20

/* appends and rotates ROT_ROUNDS - 1 times (path -> path.1 -> path.2 ...,
 * every file kept), often faster than the reader follows, then ends */
static void *writer_main(void *arg)
{
	struct writer *w = arg;
	int id = 5;
	for (int round = 0; round < ROT_ROUNDS; round++) {
		for (int k = 0; k < ROT_LINES; k++, id++) {
			append_range(w->path, id, id + 1);
			if (round % 8 == 0 && k % 10 == 0)
				sleep_ms(2);
		}
		if (round + 1 < ROT_ROUNDS) {
			for (int r = round; r >= 1; r--) {
				char *from = xasprintf("%s.%d", w->path, r);
				char *to = xasprintf("%s.%d", w->path, r + 1);
				assert_int_equal(rename(from, to), 0);
				free(from);
				free(to);
			}
			char *p1 = xasprintf("%s.1", w->path);
			assert_int_equal(rename(w->path, p1), 0);
			free(p1);
			/* the new file appears a moment later, as with a real writer */
			if (round % 4 == 0)
				sleep_ms(1);
		}
	}
	/* a line in two writes: the reader must wait for its end */
	char *l = mkline(id, id % 2 ? "stderr" : "stdout");
	size_t half = strlen(l) / 2;
	int fd = open(w->path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, l, half), (ssize_t)half);
	sleep_ms(300);
	assert_int_equal(write(fd, l + half, strlen(l) - half), (ssize_t)(strlen(l) - half));
	close(fd);
	free(l);
	atomic_store(&w->c->live, 0);
	return NULL;
}

static void test_follow_rotation(void **state)
{
	(void)state;
	char *path = xasprintf("%s/follow.log", tmpdir);
	append_range(path, 0, 5);
	struct collect c = {0};
	atomic_store(&c.live, 1);
	struct writer w = {.path = path, .c = &c};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, writer_main, &w), 0);
	struct logs_options o = all_opts();
	o.follow = true; /* from the start: the writer is already rotating */
	struct logs_stats st = {0};
	read_all(path, &o, &c, &st);
	pthread_join(t, NULL);
	assert_ids(&c, 0, 5 + ROT_ROUNDS * ROT_LINES + 1, 1);
	assert_int_equal(st.bad_lines, 0);
	free(c.ids);

	/* follow of a log that appears only later, with the writer done at once:
	 * nothing, and no hang */
	char *p2 = xasprintf("%s/later.log", tmpdir);
	memset(&c, 0, sizeof(c));
	atomic_store(&c.live, 0);
	read_all(p2, &o, &c, NULL);
	assert_int_equal(c.n, 0);
	free(p2);
	free(path);
}

struct slow_writer {
	int fd;
	struct collect *c;
};

static void *slow_writer_main(void *arg)
{
	struct slow_writer *w = arg;
	sleep_ms(300);
	for (int i = 3; i < 6; i++) {
		char *l = mkline(i, i % 2 ? "stderr" : "stdout");
		assert_int_equal(write(w->fd, l, strlen(l)), (ssize_t)strlen(l));
		free(l);
	}
	sleep_ms(600);
	atomic_store(&w->c->live, 0);
	return NULL;
}

/* no inotify instance to be had (here: no fd left for it): follow polls */
static void test_follow_without_inotify(void **state)
{
	(void)state;
	char *path = xasprintf("%s/noinotify.log", tmpdir);
	append_range(path, 0, 3);
	int wfd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC);
	assert_true(wfd >= 0);
	struct collect c = {0};
	atomic_store(&c.live, 1);
	struct slow_writer w = {.fd = wfd, .c = &c};
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, slow_writer_main, &w), 0);
	/* room for exactly one more fd: the log's */
	struct rlimit old;
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	int probe = dup(0);
	assert_true(probe >= 0);
	close(probe);
	struct rlimit lim = {.rlim_cur = (rlim_t)probe + 1, .rlim_max = old.rlim_max};
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &lim), 0);
	struct logs_options o = all_opts();
	o.follow = true;
	struct berth_error *err = NULL;
	int rc = logs_read(path, &o, collect_emit, collect_live, &c, NULL, &err);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	pthread_join(t, NULL);
	close(wfd);
	if (rc < 0)
		fail_msg("logs_read: %s", err->msg);
	assert_ids(&c, 0, 6, 1);
	free(c.ids);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_parse_line),
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_read_hostile),
	    cmocka_unit_test(test_filters),
	    cmocka_unit_test(test_tail),
	    cmocka_unit_test(test_rotated_files),
	    cmocka_unit_test(test_follow_rotation),
	    cmocka_unit_test(test_follow_without_inotify),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
