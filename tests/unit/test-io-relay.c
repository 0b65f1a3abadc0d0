/* lib/engine/api/containers-io-relay.c: detach keys, the relay between a
 * hijacked client and the shim's attach stream (frames passed through or
 * unwrapped for a terminal, stdin, half-close, detach, client hang-up), and
 * io_attach_open giving up when the client hangs up. ctr_attach_open is faked
 * here. */
#include "test-util.h"

#include "common/xalloc.h"
#include "engine/api/containers-io.h"
#include "engine/containers/container.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- fake ctr_attach_open: waits until *cancel ---- */
static int fake_attach_fd = -1;
int ctr_attach_open(struct container *c, const char *exec_id, bool in, bool out, bool err_,
		    bool stdin_once, const volatile bool *cancel, int *fd, struct berth_error **err)
{
	(void)c;
	(void)exec_id;
	(void)in;
	(void)out;
	(void)err_;
	(void)stdin_once;
	if (fake_attach_fd >= 0) {
		*fd = fake_attach_fd;
		return 0;
	}
	while (!*cancel) {
		struct timespec ts = {0, 10000000};
		nanosleep(&ts, NULL);
	}
	return berth_error_set(err, ECANCELED, "cancelled");
}

static void pair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
}

struct relay_run {
	int client, shim;
	const char *extra;
	size_t extra_len;
	struct io_relay_opts o;
	enum io_relay_end end;
	pthread_t t;
};

static void *relay_main(void *p)
{
	struct relay_run *r = p;
	r->end = io_relay(r->client, r->extra, r->extra_len, r->shim, &r->o);
	return NULL;
}

/* read exactly n bytes (with a 5 s limit) */
static void read_n(int fd, char *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		if (poll(&p, 1, 5000) != 1)
			fail_msg("timed out after %zu of %zu bytes", got, n);
		ssize_t k = read(fd, buf + got, n - got);
		if (k <= 0)
			fail_msg("EOF after %zu of %zu bytes", got, n);
		got += (size_t)k;
	}
}

static bool at_eof(int fd)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	if (poll(&p, 1, 5000) != 1)
		return false;
	char c;
	return read(fd, &c, 1) == 0;
}

static void wr(int fd, const void *b, size_t n)
{
	assert_int_equal(write(fd, b, n), (ssize_t)n);
}

static void test_detach_keys(void **state)
{
	(void)state;
	unsigned char *k = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	assert_int_equal(io_detach_keys_parse(NULL, &k, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_int_equal(k[0], 0x10);
	assert_int_equal(k[1], 0x11);
	free(k);
	assert_int_equal(
	    io_detach_keys_parse("ctrl-a, x,ctrl-@,ctrl-\\,ctrl-_,CTRL-Z", &k, &n, &err), 0);
	assert_int_equal(n, 6);
	assert_memory_equal(k, "\x01x\x00\x1c\x1f\x1a", 6);
	free(k);
	const char *bad[] = {"ctrl-1", "ab", "ctrl-", ",", "ctrl-p,"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		if (io_detach_keys_parse(bad[i], &k, &n, &err) == 0)
			fail_msg("accepted %s", bad[i]);
		assert_int_equal(err->code, EINVAL);
		assert_non_null(strstr(err->msg, "Invalid detach keys"));
		berth_error_free(&err);
	}
}

static void start(struct relay_run *r, int cl[2], int sh[2], bool tty, bool in, const char *keys)
{
	pair(cl);
	pair(sh);
	r->client = cl[0];
	r->shim = sh[0];
	r->o.tty = tty;
	r->o.stdin_attached = in;
	if (keys != NULL) {
		unsigned char *k = NULL;
		size_t n = 0;
		assert_int_equal(io_detach_keys_parse(keys, &k, &n, NULL), 0);
		r->o.detach_keys = k;
		r->o.n_detach_keys = n;
	}
	assert_int_equal(pthread_create(&r->t, NULL, relay_main, r), 0);
}

static void finish(struct relay_run *r, int cl[2], int sh[2], enum io_relay_end want)
{
	pthread_join(r->t, NULL);
	assert_int_equal(r->end, want);
	free((void *)r->o.detach_keys);
	close(cl[0]);
	close(sh[0]);
	if (cl[1] >= 0)
		close(cl[1]);
	if (sh[1] >= 0)
		close(sh[1]);
}

static void test_frames_and_half_close(void **state)
{
	(void)state;
	int cl[2], sh[2];
	struct relay_run r = {.extra = "early", .extra_len = 5, .o.stdin_once = true};
	start(&r, cl, sh, false, true, NULL);
	char buf[64];
	read_n(sh[1], buf, 5);
	assert_memory_equal(buf, "early", 5);
	/* output frames go through as they are */
	wr(sh[1],
	   "\x01\0\0\0\0\0\0\x03hi\n\x02\0\0\0\0\0\0\x02"
	   "e\n",
	   19);
	read_n(cl[1], buf, 19);
	assert_memory_equal(buf,
			    "\x01\0\0\0\0\0\0\x03hi\n\x02\0\0\0\0\0\0\x02"
			    "e\n",
			    19);
	/* stdin, then the client's half-close reaches the shim as EOF */
	wr(cl[1], "input", 5);
	read_n(sh[1], buf, 5);
	assert_memory_equal(buf, "input", 5);
	shutdown(cl[1], SHUT_WR);
	assert_true(at_eof(sh[1]));
	/* output still flows after the client's EOF */
	wr(sh[1],
	   "\x01\0\0\0\0\0\0\x04"
	   "late",
	   12);
	read_n(cl[1], buf, 12);
	assert_memory_equal(buf + 8, "late", 4);
	/* the shim closes: the relay ends */
	close(sh[1]);
	sh[1] = -1;
	finish(&r, cl, sh, IO_RELAY_ENDED);
}

/* stdin attached without stdin_once: the client's EOF ends the relay (the
 * process's stdin stays open: the shim's side is not half-closed) */
static void test_stdin_eof_ends(void **state)
{
	(void)state;
	int cl[2], sh[2];
	struct relay_run r = {0};
	start(&r, cl, sh, true, true, NULL);
	wr(cl[1], "x", 1);
	char buf[4];
	read_n(sh[1], buf, 1);
	shutdown(cl[1], SHUT_WR);
	pthread_join(r.t, NULL);
	assert_int_equal(r.end, IO_RELAY_STDIN_CLOSED);
	struct pollfd p = {.fd = sh[1], .events = POLLIN};
	assert_int_equal(poll(&p, 1, 50), 0);
	close(cl[0]);
	close(sh[0]);
	close(cl[1]);
	close(sh[1]);
}

static void test_tty_unframe(void **state)
{
	(void)state;
	int cl[2], sh[2];
	struct relay_run r = {0};
	start(&r, cl, sh, true, false, NULL);
	/* headers split across writes, two frames in one write */
	const char *seq = "\x01\0\0\0\0\0\0\x05hello\x01\0\0\0\0\0\0\x02\r\n";
	size_t len = 8 + 5 + 8 + 2;
	for (size_t i = 0; i < len; i += 3) {
		wr(sh[1], seq + i, len - i < 3 ? len - i : 3);
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
	char buf[16];
	read_n(cl[1], buf, 7);
	assert_memory_equal(buf, "hello\r\n", 7);
	/* without stdin attached the client's bytes are dropped */
	wr(cl[1], "ignored", 7);
	close(sh[1]);
	sh[1] = -1;
	finish(&r, cl, sh, IO_RELAY_ENDED);
}

static void test_detach(void **state)
{
	(void)state;
	int cl[2], sh[2];
	struct relay_run r = {0};
	start(&r, cl, sh, true, true, ""); /* docker's default: ctrl-p,ctrl-q */
	char buf[16];
	/* a ctrl-p not followed by ctrl-q is delivered */
	wr(cl[1], "ab\x10x", 4);
	read_n(sh[1], buf, 4);
	assert_memory_equal(buf, "ab\x10x", 4);
	/* the sequence split across reads detaches; nothing of it reaches the shim */
	wr(cl[1], "c\x10", 2);
	read_n(sh[1], buf, 1);
	assert_int_equal(buf[0], 'c');
	struct timespec ts = {0, 20000000};
	nanosleep(&ts, NULL);
	wr(cl[1], "\x11tail", 5);
	pthread_join(r.t, NULL);
	assert_int_equal(r.end, IO_RELAY_DETACHED);
	/* the shim got nothing more, and its side is still open (container untouched) */
	struct pollfd p = {.fd = sh[1], .events = POLLIN};
	assert_int_equal(poll(&p, 1, 50), 0);
	free((void *)r.o.detach_keys);
	close(cl[0]);
	close(sh[0]);
	close(cl[1]);
	close(sh[1]);

	/* custom keys, given in the bytes after the request head */
	struct relay_run r2 = {.extra = "zq", .extra_len = 2};
	start(&r2, cl, sh, false, true, "q");
	read_n(sh[1], buf, 1);
	assert_int_equal(buf[0], 'z');
	finish(&r2, cl, sh, IO_RELAY_DETACHED);
}

static void test_client_gone(void **state)
{
	(void)state;
	int cl[2], sh[2];
	struct relay_run r = {0};
	start(&r, cl, sh, false, false, NULL);
	close(cl[1]);
	cl[1] = -1;
	finish(&r, cl, sh, IO_RELAY_CLIENT_GONE);
}

static void test_attach_open_cancel(void **state)
{
	(void)state;
	struct container c = {.id = "c0ffee"};
	int cl[2];
	pair(cl);
	/* a client that half-closes is still there: the fake gets a stream */
	int sh[2];
	pair(sh);
	fake_attach_fd = sh[0];
	shutdown(cl[1], SHUT_WR);
	int fd = -1;
	struct berth_error *err = NULL;
	assert_int_equal(io_attach_open(cl[0], &c, NULL, true, true, true, true, &fd, &err), 0);
	assert_int_equal(fd, sh[0]);
	close(sh[0]);
	close(sh[1]);
	/* a client that hangs up while the open waits: ECANCELED */
	fake_attach_fd = -1;
	close(cl[1]);
	assert_int_equal(io_attach_open(cl[0], &c, NULL, true, true, true, true, &fd, &err), -1);
	assert_int_equal(err->code, ECANCELED);
	berth_error_free(&err);
	close(cl[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_detach_keys),
	    cmocka_unit_test(test_frames_and_half_close),
	    cmocka_unit_test(test_stdin_eof_ends),
	    cmocka_unit_test(test_tty_unframe),
	    cmocka_unit_test(test_detach),
	    cmocka_unit_test(test_client_gone),
	    cmocka_unit_test(test_attach_open_cancel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
