/* Requests on their own connection (client.c, the plain requests on one
 * kept-alive connection, also reads its responses with hj_response):
 *
 *  - the hijacked connection of attach and exec start (101 UPGRADED, then
 *    raw bytes both ways; libcurl (7.88 here) has no way to hand over an
 *    upgraded HTTP/1.1 connection, and CURLOPT_CONNECT_ONLY would leave us
 *    writing the request and reading the head by hand anyway);
 *  - a request whose reply is read later while other requests go on
 *    (POST wait, sent before start and read after the stream ends);
 *  - bodies streamed to the terminal as they come (logs, with the frames
 *    demultiplexed).
 *
 * So: one request per unix-socket connection, written here (request line,
 * Host, User-Agent, Content-Length, the upgrade headers), and a careful
 * reader of the response head (bounded, any split of the bytes) and of the
 * body (Content-Length, chunked, or up to EOF). See docs/cli.md. */
#ifndef BERTH_CLI_HIJACK_H
#define BERTH_CLI_HIJACK_H

#include "cli.h"

#include <stdint.h>
#include <sys/types.h>

struct hj_req {
	const char *method;
	const char *path; /* without the version prefix: "/containers/x/attach?stream=1" */
	json_t *json;	  /* body, or NULL (Content-Length: 0) */
	bool upgrade;	  /* Connection: Upgrade, Upgrade: tcp */
};

struct hj_conn {
	int fd;
	long status;
	char *content_type; /* NULL when absent */
	char *head;	    /* the whole response head, CRLFs kept */
	/* framing of the body after the head */
	enum { HJ_LENGTH, HJ_CHUNKED, HJ_EOF } framing;
	uint64_t left;	 /* HJ_LENGTH: body bytes left; HJ_CHUNKED: of the chunk */
	bool chunk_head; /* HJ_CHUNKED: a chunk-size line comes next */
	bool done;
	char *buf; /* bytes read but not consumed yet */
	size_t off, len, cap;
};

/* Connect to the daemon of cli, send the request (with the negotiated API
 * version prefix) and read the response head. */
int hj_open(struct cli *cli, const struct hj_req *req, struct hj_conn **out,
	    struct berth_error **err);
void hj_close(struct hj_conn *c);
/* Read the response head on fd (a connection whose request was sent); the
 * conn owns fd on success, on failure fd stays the caller's. */
int hj_response(int fd, struct hj_conn **out, struct berth_error **err);
/* The next decoded body bytes: > 0, 0 at the end of the body, -1 with *err. */
ssize_t hj_read(struct hj_conn *c, void *buf, size_t n, struct berth_error **err);
/* The rest of the body (NUL-terminated). */
int hj_read_all(struct hj_conn *c, char **body, size_t *len, struct berth_error **err);
/* A reply that is not the expected status: the daemon's error ("Error
 * response from daemon: ..."), read from its body. */
int hj_daemon_error(struct hj_conn *c, struct berth_error **err);

/* ---- the attached stream (hijack.c) ---- */
struct hj_pump {
	struct hj_conn *conn;	   /* after 101: raw bytes both ways */
	bool tty;		   /* output raw, else frames */
	int in_fd;		   /* stdin to send, -1 for none (then half-closed at once) */
	const unsigned char *keys; /* detach sequence (tty with stdin only); NULL for none */
	size_t nkeys;
	int sig_fd; /* term_signals_catch()'s pipe, -1 for none */
	/* a signal from sig_fd (SIGWINCH or one to proxy) */
	void (*on_signal)(int sig, void *arg);
	void *arg;
};
/* Copy until the daemon closes the output: 0, or 1 when the user typed the
 * detach keys, -1 with *err. */
int hj_pump(struct hj_pump *p, struct berth_error **err);

#endif
