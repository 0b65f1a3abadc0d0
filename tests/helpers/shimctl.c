/* shimctl: a tiny client of berth-shim for the tests (tests/integration/shim.bats).
 *
 *   shimctl DIR OP [JSON]        send {"op":OP,...JSON}, print the reply; exit 1
 *                                if it is not ok
 *   shimctl DIR subscribe [N]    print the event frames, one per line; stop
 *                                after N of them (default: until EOF); says
 *                                "subscribed" on stderr once the shim replied
 *   shimctl DIR attach [JSON]    attach, copy stdin to the shim (SHUT_WR at its
 *                                EOF), demultiplex: stream 1 -> stdout, 2 -> stderr
 *   shimctl start JSON           shim_start() with shim_start_opts given as JSON
 *                                (keys as in shim.json, plus "shim_binary", "dir") */
#include "common/cleanup.h"
#include "shim/shim-client.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int die(struct berth_error *err)
{
	fprintf(stderr, "shimctl: %s\n", err ? err->msg : "failed");
	return 1;
}

static json_t *request(const char *op, const char *extra)
{
	json_t *req = json_object();
	if (extra) {
		json_t *x = json_loads(extra, 0, NULL);
		if (!json_is_object(x)) {
			fprintf(stderr, "shimctl: bad JSON: %s\n", extra);
			exit(2);
		}
		json_object_update(req, x);
		json_decref(x);
	}
	json_object_set_new(req, "op", json_string(op));
	return req;
}

static int cmd_start(const char *js)
{
	cleanup_json json_t *j = json_loads(js, 0, NULL);
	if (!json_is_object(j)) {
		fprintf(stderr, "shimctl: bad JSON\n");
		return 2;
	}
#define S(k) json_string_value(json_object_get(j, k))
#define B(k) json_is_true(json_object_get(j, k))
	struct shim_start_opts o = {
	    .shim_binary = S("shim_binary"),
	    .dir = S("dir"),
	    .id = S("id"),
	    .ns = S("ns"),
	    .runtime = S("runtime"),
	    .runtime_root = S("runtime_root"),
	    .terminal = B("terminal"),
	    .stdin_open = B("stdin_open"),
	    .stdin_once = B("stdin_once"),
	    .log_path = S("log_path"),
	    .log_max_size = json_integer_value(json_object_get(j, "log_max_size")),
	    .log_max_file = (int)json_integer_value(json_object_get(j, "log_max_file")),
	    .rootfs_mount = S("rootfs_mount")};
	struct berth_error *err = NULL;
	pid_t sp = 0, ip = 0;
	if (shim_start(&o, &sp, &ip, &err) < 0)
		return die(err);
	printf("{\"shim_pid\":%d,\"pid\":%d}\n", (int)sp, (int)ip);
	return 0;
}

static int relay(int fd)
{
	bool in_open = true;
	unsigned char hdr[8];
	size_t hlen = 0, left = 0;
	int stream = 1;
	for (;;) {
		struct pollfd p[2] = {{.fd = fd, .events = POLLIN},
				      {.fd = in_open ? 0 : -1, .events = POLLIN}};
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return 1;
		if (p[1].revents) {
			char b[4096];
			ssize_t r = read(0, b, sizeof(b));
			if (r <= 0) {
				in_open = false;
				shutdown(fd, SHUT_WR);
			} else if (write(fd, b, (size_t)r) != r) {
				return 1;
			}
		}
		if (!p[0].revents)
			continue;
		char b[16384];
		ssize_t r = read(fd, b, sizeof(b));
		if (r <= 0)
			return 0;
		for (ssize_t i = 0; i < r;) {
			if (left == 0) {
				hdr[hlen++] = (unsigned char)b[i++];
				if (hlen == 8) {
					stream = hdr[0];
					left = (size_t)hdr[4] << 24 | (size_t)hdr[5] << 16 |
					       (size_t)hdr[6] << 8 | hdr[7];
					hlen = 0;
				}
				continue;
			}
			size_t n = (size_t)(r - i) < left ? (size_t)(r - i) : left;
			if (write(stream == 2 ? 2 : 1, b + i, n) < 0)
				return 1;
			i += (ssize_t)n;
			left -= n;
		}
	}
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "start"))
		return cmd_start(argv[2]);
	if (argc < 3) {
		fprintf(stderr, "usage: shimctl DIR OP [JSON] | DIR subscribe [N] | DIR attach "
				"[JSON] | start JSON\n");
		return 2;
	}
	const char *dir = argv[1], *op = argv[2];
	bool sub = !strcmp(op, "subscribe"), att = !strcmp(op, "attach");
	cleanup_json json_t *req = request(op, argc > 3 && !sub ? argv[3] : NULL);
	struct berth_error *err = NULL;
	struct shim_conn *c = NULL;
	if (shim_connect(dir, &c, &err) < 0)
		return die(err);
	json_t *reply = NULL;
	if (shim_call(c, req, 30000, &reply, &err) < 0) {
		shim_conn_close(c);
		return die(err);
	}
	if (!sub && !att) {
		char *s = json_dumps(reply, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(reply);
		shim_conn_close(c);
		return 0;
	}
	json_decref(reply);
	int fd = shim_conn_steal_fd(c);
	if (att) {
		fprintf(stderr, "attached\n");
		return relay(fd);
	}
	long n = argc > 3 ? strtol(argv[3], NULL, 10) : -1;
	/* the shim has the subscription: events from now on reach us (tests wait for this) */
	fprintf(stderr, "subscribed\n");
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (long i = 0; n < 0 || i < n; i++) {
		json_t *ev = NULL;
		if (shim_frame_read(fd, &ev, &err) < 0)
			return die(err);
		if (!ev)
			break;
		char *s = json_dumps(ev, JSON_COMPACT);
		printf("%s\n", s);
		free(s);
		json_decref(ev);
	}
	close(fd);
	return 0;
}
