/* Unit tests of berthd's shim client (lib/shim/shim-client.c) against a fake
 * shim: a forked server on <dir>/shim.sock that answers by a script. */
#include "test-util.h"

#include "common/fs.h"
#include "shim/shim-client.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[512];
static pid_t server = -1;

/* The fake shim: for each request on one connection, by its "op":
 * "echo" -> {"ok":true,"req":<request>}; "fail" -> {"ok":false,"code":16,
 * "error":"busy"}; "silent" -> no reply; "close" -> closes the connection. */
static void serve(int lfd)
{
	for (;;) {
		int c = accept(lfd, NULL, NULL);
		if (c < 0)
			_exit(0);
		for (;;) {
			json_t *req = NULL;
			struct berth_error *err = NULL;
			if (shim_frame_read(c, &req, &err) < 0 || !req)
				break;
			const char *op = json_string_value(json_object_get(req, "op"));
			json_t *r = NULL;
			if (!strcmp(op, "echo"))
				r = json_pack("{s:b,s:O}", "ok", 1, "req", req);
			else if (!strcmp(op, "fail"))
				r = json_pack("{s:b,s:i,s:s}", "ok", 0, "code", EBUSY, "error",
					      "delete x: process 1 is running");
			bool close_now = !strcmp(op, "close");
			json_decref(req);
			if (close_now)
				break;
			if (r) {
				shim_frame_write(c, r);
				json_decref(r);
			}
		}
		close(c);
	}
}

static void start_server(const char *d)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char path[1024];
	snprintf(path, sizeof(path), "%s/shim.sock", d);
	int dfd = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		dfd = open(d, O_PATH | O_DIRECTORY);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/shim.sock", dfd);
	} else {
		strcpy(sa.sun_path, path);
	}
	int lfd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(lfd >= 0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(lfd, 8), 0);
	server = fork();
	assert_true(server >= 0);
	if (server == 0)
		serve(lfd);
	close(lfd);
	if (dfd >= 0)
		close(dfd);
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/test-shim-client.XXXXXX");
	assert_non_null(mkdtemp(dir));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (server > 0) {
		kill(server, SIGKILL);
		waitpid(server, NULL, 0);
		server = -1;
	}
	struct berth_error *err = NULL;
	fs_rm_rf(dir, &err);
	berth_error_free(&err);
	return 0;
}

static void test_call_ok(void **state)
{
	(void)state;
	start_server(dir);
	struct shim_conn *c = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(shim_connect(dir, &c, &err), 0);
	json_t *req = json_pack("{s:s,s:i}", "op", "echo", "n", 7);
	for (int i = 0; i < 3; i++) { /* several calls on one connection */
		json_t *reply = NULL;
		assert_int_equal(shim_call(c, req, 5000, &reply, &err), 0);
		assert_true(json_equal(json_object_get(reply, "req"), req));
		json_decref(reply);
	}
	json_decref(req);
	assert_true(shim_conn_fd(c) >= 0);
	shim_conn_close(c);
}

static void test_call_error_reply(void **state)
{
	(void)state;
	start_server(dir);
	json_t *req = json_pack("{s:s}", "op", "fail");
	json_t *reply = (json_t *)1;
	struct berth_error *err = NULL;
	assert_int_equal(shim_call_dir(dir, req, 5000, &reply, &err), -1);
	assert_null(reply);
	assert_int_equal(err->code, EBUSY);
	assert_string_equal(err->msg, "shim fail: delete x: process 1 is running");
	berth_error_free(&err);
	json_decref(req);
}

static void test_call_timeout(void **state)
{
	(void)state;
	start_server(dir);
	json_t *req = json_pack("{s:s}", "op", "silent");
	json_t *reply = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(shim_call_dir(dir, req, 200, &reply, &err), -1);
	assert_int_equal(err->code, ETIMEDOUT);
	assert_non_null(strstr(err->msg, "no reply in 200 ms"));
	berth_error_free(&err);
	json_decref(req);
}

static void test_call_closed(void **state)
{
	(void)state;
	start_server(dir);
	json_t *req = json_pack("{s:s}", "op", "close");
	json_t *reply = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(shim_call_dir(dir, req, 5000, &reply, &err), -1);
	assert_int_equal(err->code, ECONNRESET);
	berth_error_free(&err);
	json_decref(req);
}

static void test_no_shim(void **state)
{
	(void)state;
	struct shim_conn *c = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(shim_connect(dir, &c, &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_non_null(strstr(err->msg, "shim.sock"));
	berth_error_free(&err);
}

static void test_long_dir(void **state)
{
	(void)state;
	char d[1024];
	snprintf(d, sizeof(d), "%s/%0120d", dir, 0);
	assert_int_equal(mkdir(d, 0700), 0);
	start_server(d);
	json_t *req = json_pack("{s:s}", "op", "echo");
	json_t *reply = NULL;
	struct berth_error *err = NULL;
	if (shim_call_dir(d, req, 5000, &reply, &err) < 0)
		fail_msg("%s", err->msg);
	json_decref(reply);
	json_decref(req);
}

static void test_steal_fd(void **state)
{
	(void)state;
	start_server(dir);
	struct shim_conn *c = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(shim_connect(dir, &c, &err), 0);
	int fd = shim_conn_steal_fd(c);
	assert_true(fd >= 0);
	json_t *req = json_pack("{s:s}", "op", "echo");
	assert_int_equal(shim_frame_write(fd, req), 0);
	json_t *r = NULL;
	assert_int_equal(shim_frame_read(fd, &r, &err), 0);
	assert_true(json_is_true(json_object_get(r, "ok")));
	json_decref(r);
	json_decref(req);
	close(fd);
}

static void test_start_bad_binary(void **state)
{
	(void)state;
	struct shim_start_opts o = {.shim_binary = "/nonexistent/berth-shim",
				    .dir = dir,
				    .id = "x",
				    .runtime = "berth-runtime"};
	pid_t sp = 0, ip = 0;
	struct berth_error *err = NULL;
	assert_int_equal(shim_start(&o, &sp, &ip, &err), -1);
	assert_non_null(strstr(err->msg, "/nonexistent/berth-shim"));
	berth_error_free(&err);
	/* shim.json was written with the options */
	char p[600];
	snprintf(p, sizeof(p), "%s/shim.json", dir);
	json_t *j = json_load_file(p, 0, NULL);
	assert_non_null(j);
	assert_string_equal(json_string_value(json_object_get(j, "id")), "x");
	assert_int_equal(json_integer_value(json_object_get(j, "log_max_file")), 1);
	assert_null(json_object_get(j, "log_path"));
	json_decref(j);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_call_ok, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_error_reply, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_timeout, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_call_closed, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_no_shim, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_long_dir, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_steal_fd, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_start_bad_binary, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
