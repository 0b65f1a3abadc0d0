/* The API server end to end on a unix socket (lib/engine/api/server.c,
 * stream.c, upgrade.c): buffered replies, error mapping, version checks,
 * chunked streams (and a client that goes away), hijacked connections,
 * quiesce and drain. The client side is raw HTTP/1.1 on a socket. */
#include "test-util.h"

#include "common/json.h"
#include "common/xalloc.h"
#include "engine/api/api.h"

#include <errno.h>
#include <poll.h>
#include <stdatomic.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

static char dir[] = "/tmp/berth-apitest.XXXXXX";
static char sock[256];
static struct api_server *srv;
static atomic_bool wait_cancelled;

static int h_echo(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	json_t *body = NULL;
	if (api_body_json(req, true, &body, err) < 0)
		return -1;
	char **names = api_query_all(req, "names");
	json_t *n = json_array();
	for (size_t i = 0; names[i]; i++)
		json_array_append_new(n, json_string(names[i]));
	strv_free(names);
	api_reply_json(resp, 201,
		       json_pack("{s:o,s:o,s:b,s:s,s:i}", "body", body, "names", n, "flag",
				 api_query_bool(req, "flag", false), "path", req->path, "minor",
				 (int)req->version.minor));
	return 0;
}

static int h_fail(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)resp;
	return berth_error_set(err, ENOENT, "No such thing: %s", api_param(req, "name"));
}

static void produce(struct api_stream *s, void *arg)
{
	(void)arg;
	for (int i = 0; i < 3; i++) {
		json_t *m = json_pack("{s:i}", "n", i);
		api_stream_json(s, m, "\r\n");
		json_decref(m);
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
}

static int h_stream(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)req, (void)err;
	api_reply_stream(resp, 200, "application/json", produce, NULL, NULL);
	return 0;
}

static void wait_forever(struct api_stream *s, void *arg)
{
	(void)arg;
	api_stream_write(s, "", 0);
	while (!api_stream_cancelled(s)) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	atomic_store(&wait_cancelled, true);
}

static int h_wait(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)req, (void)err;
	api_reply_stream(resp, 200, "application/json", wait_forever, NULL, NULL);
	return 0;
}

static void echo_upgraded(int fd, const char *extra, size_t extra_len, void *arg)
{
	(void)arg;
	if (extra_len)
		assert_int_equal(write(fd, extra, extra_len), (ssize_t)extra_len);
	char buf[256];
	ssize_t n;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		assert_int_equal(write(fd, buf, (size_t)n), n);
	assert_int_equal(write(fd, "bye", 3), 3); /* the client half-closed: still send */
}

static int h_hijack(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)req, (void)err;
	api_reply_upgrade(resp, echo_upgraded, NULL, NULL);
	return 0;
}

/* body_tables: the body as it arrives */
static int h_count(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)err;
	static char buf[65536];
	long long total = 0, sum = 0;
	ssize_t n;
	while ((n = api_body_read(req, buf, sizeof(buf))) > 0) {
		for (ssize_t i = 0; i < n; i++)
			sum += (unsigned char)buf[i];
		total += n;
	}
	const char *ct = api_header(req, "content-type");
	api_reply_json(resp, 200,
		       json_pack("{s:I,s:I,s:b,s:s?,s:s?}", "bytes", (json_int_t)total, "sum",
				 (json_int_t)sum, "error", n < 0, "x", api_query(req, "x"), "ct",
				 ct));
	return 0;
}

static int h_early(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)resp;
	char buf[10];
	api_body_read(req, buf, sizeof(buf));
	return berth_error_set(err, EINVAL, "bad start");
}

static const struct api_route body_routes[] = {
    {"POST", "/count", h_count},
    {"POST", "/early", h_early},
    {NULL, NULL, NULL},
};
static const struct api_route *const body_tables[] = {body_routes, NULL};

static const struct api_route routes[] = {
    {"POST", "/echo", h_echo}, {"GET", "/things/{name}", h_fail}, {"GET", "/stream", h_stream},
    {"GET", "/wait", h_wait},  {"POST", "/hijack", h_hijack},	  {NULL, NULL, NULL},
};
static const struct api_route *const tables[] = {routes, NULL};

static int connect_sock(void)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, sock);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static char *read_all(int fd)
{
	size_t cap = 4096, n = 0;
	char *buf = xmalloc(cap);
	ssize_t r;
	while ((r = read(fd, buf + n, cap - n - 1)) > 0) {
		n += (size_t)r;
		if (n + 1 >= cap)
			buf = xrealloc(buf, cap *= 2);
	}
	buf[n] = '\0';
	return buf;
}

/* One request with Connection: close; returns the whole response. */
static char *request(const char *head_fmt, const char *body)
{
	int fd = connect_sock();
	assert_true(fd >= 0);
	char *req = xasprintf("%s\r\nHost: x\r\nConnection: close\r\nContent-Length: %zu\r\n\r\n%s",
			      head_fmt, strlen(body), body);
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	free(req);
	char *r = read_all(fd);
	close(fd);
	return r;
}

static void expect_in(const char *resp, const char *want)
{
	if (strstr(resp, want) == NULL)
		fail_msg("response does not contain [%s]:\n%s", want, resp);
}

static int setup(void **state)
{
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/api.sock", dir);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, sock);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 16), 0);
	struct api_server_config cfg = {
	    .tables = tables, .body_tables = body_tables, .server_header = "Test/1"};
	struct berth_error *err = NULL;
	if (api_server_start(&cfg, &fd, 1, &srv, &err) < 0)
		fail_msg("%s", err->msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	api_server_stop(srv);
	unlink(sock);
	rmdir(dir);
	return 0;
}

static void test_buffered(void **state)
{
	(void)state;
	char *r = request("POST /v1.30/echo?names=a&names=b%20c&flag=1 HTTP/1.1",
			  "{\"Image\":\"busybox\"}\n");
	expect_in(r, "HTTP/1.1 201");
	expect_in(r, "Api-Version: 1.41");
	expect_in(r, "Ostype: linux");
	expect_in(r, "Server: Test/1");
	expect_in(r, "Content-Type: application/json");
	expect_in(r, "{\"body\":{\"Image\":\"busybox\"},\"names\":[\"a\",\"b c\"],\"flag\":true,"
		     "\"path\":\"/echo\",\"minor\":30}\n");
	free(r);
	r = request("POST /echo HTTP/1.1", "{not json");
	expect_in(r, "HTTP/1.1 400");
	expect_in(r, "{\"message\":\"invalid JSON in request body:");
	free(r);
	r = request("POST /echo HTTP/1.1", "");
	expect_in(r, "\"minor\":41"); /* no prefix: the current version */
	free(r);
}

static void test_errors(void **state)
{
	(void)state;
	char *r = request("GET /v1.41/things/x%20y HTTP/1.1", "");
	expect_in(r, "HTTP/1.1 404");
	expect_in(r, "{\"message\":\"No such thing: x y\"}\n");
	free(r);
	/* the path is decoded before routing, as Go's: %2F is a separator */
	r = request("GET /v1.41/things/x%2Fy HTTP/1.1", "");
	expect_in(r, "{\"message\":\"page not found\"}");
	free(r);
	r = request("GET /v1.41/nothing HTTP/1.1", "");
	expect_in(r, "HTTP/1.1 404");
	expect_in(r, "{\"message\":\"page not found\"}\n");
	assert_null(strstr(r, "Api-Version")); /* as dockerd: bare 404 */
	free(r);
	r = request("DELETE /v1.41/stream HTTP/1.1", "");
	expect_in(r, "HTTP/1.1 404");
	free(r);
	r = request("GET /v1.99/stream HTTP/1.1", "");
	expect_in(r, "HTTP/1.1 400");
	expect_in(r, "{\"message\":\"client version 1.99 is too new. Maximum supported API "
		     "version is 1.41\"}");
	free(r);
	r = request("GET /v1.0/stream HTTP/1.1", "");
	expect_in(r, "HTTP/1.1 400");
	expect_in(r, "Content-Type: text/plain; charset=utf-8");
	expect_in(r, "client version 1.0 is too old. Minimum supported API version is 1.24");
	free(r);
}

static void test_stream(void **state)
{
	(void)state;
	char *r = request("GET /stream HTTP/1.1", "");
	expect_in(r, "HTTP/1.1 200");
	expect_in(r, "Transfer-Encoding: chunked");
	expect_in(r, "{\"n\":0}\r\n");
	expect_in(r, "{\"n\":2}\r\n");
	expect_in(r, "\r\n0\r\n\r\n"); /* the last chunk */
	free(r);
}

static void test_stream_client_gone(void **state)
{
	(void)state;
	atomic_store(&wait_cancelled, false);
	int fd = connect_sock();
	const char *req = "GET /wait HTTP/1.1\r\nHost: x\r\n\r\n";
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	/* the head comes at once (docker's wait: head first, body at the end) */
	struct pollfd p = {.fd = fd, .events = POLLIN};
	assert_int_equal(poll(&p, 1, 5000), 1);
	char buf[512];
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n > 0);
	buf[n] = '\0';
	expect_in(buf, "HTTP/1.1 200");
	close(fd);
	for (int i = 0; i < 250 && !atomic_load(&wait_cancelled); i++) {
		struct timespec ts = {0, 20 * 1000000L};
		nanosleep(&ts, NULL);
	}
	assert_true(atomic_load(&wait_cancelled));
}

static void test_hijack(void **state)
{
	(void)state;
	int fd = connect_sock();
	const char *req = "POST /v1.41/hijack HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n"
			  "Connection: Upgrade\r\nUpgrade: tcp\r\n\r\n";
	assert_int_equal(write(fd, req, strlen(req)), (ssize_t)strlen(req));
	char head[1024];
	size_t n = 0;
	while (n < sizeof(head) - 1) { /* read the head byte by byte */
		assert_int_equal(read(fd, head + n, 1), 1);
		n++;
		head[n] = '\0';
		if (n >= 4 && strcmp(head + n - 4, "\r\n\r\n") == 0)
			break;
	}
	expect_in(head, "HTTP/1.1 101");
	expect_in(head, "Content-Type: application/vnd.docker.raw-stream");
	expect_in(head, "Upgrade: tcp");
	expect_in(head, "Connection: Upgrade\r\n");
	const char *c1 = strstr(head, "Connection:");
	if (strstr(c1 + 1, "Connection:") != NULL)
		fail_msg("two Connection headers:\n%s", head);
	assert_int_equal(write(fd, "ping", 4), 4);
	shutdown(fd, SHUT_WR); /* the CLI half-closes; output must still come */
	char *rest = read_all(fd);
	assert_string_equal(rest, "pingbye");
	free(rest);
	close(fd);
}

/* A chunked body of `total` bytes (byte i is i % 251) to path. */
static char *chunked(const char *path, size_t total)
{
	int fd = connect_sock();
	assert_true(fd >= 0);
	char *head =
	    xasprintf("POST %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
		      "Content-Type: application/x-tar\r\nTransfer-Encoding: chunked\r\n\r\n",
		      path);
	assert_int_equal(write(fd, head, strlen(head)), (ssize_t)strlen(head));
	free(head);
	static char chunk[65536 + 32];
	size_t done = 0;
	bool ok = true;
	while (done < total && ok) {
		size_t n = total - done < 65536 ? total - done : 65536;
		int h = snprintf(chunk, 32, "%zx\r\n", n);
		for (size_t i = 0; i < n; i++)
			chunk[h + i] = (char)((done + i) % 251);
		memcpy(chunk + h + n, "\r\n", 2);
		ok = write(fd, chunk, h + n + 2) == (ssize_t)(h + n + 2);
		done += n;
	}
	if (ok)
		ok = write(fd, "0\r\n\r\n", 5) == 5;
	char *r = read_all(fd);
	close(fd);
	return r;
}

static void test_body_stream(void **state)
{
	(void)state;
	/* past API_BODY_MAX: read as it arrives */
	size_t total = API_BODY_MAX + 3 * 65536 + 17;
	long long sum = 0;
	for (size_t i = 0; i < total; i++)
		sum += (long long)(i % 251);
	char *r = chunked("/v1.41/count?x=y", total);
	char *want = xasprintf("{\"bytes\":%zu,\"sum\":%lld,\"error\":false,\"x\":\"y\","
			       "\"ct\":\"application/x-tar\"}",
			       total, sum);
	expect_in(r, "HTTP/1.1 200");
	expect_in(r, want);
	free(want);
	free(r);
	/* a Content-Length body, and none */
	r = request("POST /count HTTP/1.1", "abc");
	expect_in(r, "{\"bytes\":3,\"sum\":294,");
	free(r);
	r = request("POST /count HTTP/1.1", "");
	expect_in(r, "{\"bytes\":0,");
	free(r);
	/* a handler that stops reading: the rest is dropped, the error sent */
	r = chunked("/early", 4u << 20);
	expect_in(r, "HTTP/1.1 400");
	expect_in(r, "{\"message\":\"bad start\"}");
	free(r);
	/* a client that goes away in the middle: the handler sees an error, the
	 * server keeps serving */
	int fd = connect_sock();
	const char *h = "POST /count HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\nhello\r\n";
	assert_int_equal(write(fd, h, strlen(h)), (ssize_t)strlen(h));
	usleep(100000);
	close(fd);
	r = request("POST /count HTTP/1.1", "x");
	expect_in(r, "{\"bytes\":1,");
	free(r);
}

static void test_quiesce(void **state)
{
	(void)state;
	assert_int_equal(api_server_drain(srv, 2000), 0);
	api_server_quiesce(srv);
	assert_int_equal(connect_sock(), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_buffered), cmocka_unit_test(test_errors),
	    cmocka_unit_test(test_stream),   cmocka_unit_test(test_stream_client_gone),
	    cmocka_unit_test(test_hijack),   cmocka_unit_test(test_body_stream),
	    cmocka_unit_test(test_quiesce),
	};
	return _cmocka_run_group_tests("api-server", tests, ARRAY_SIZE(tests), setup, teardown);
}
