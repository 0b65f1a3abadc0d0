/* Attach: fan-out of a process's output to several clients, in docker's
 * multiplexed framing (8-byte header: stream, 0, 0, 0, size BE32); stdin from
 * any client. */
#include "shim.h"

#include "common/json.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define ATTACH_OUT_MAX (8u << 20)   /* a client this far behind is dropped */
#define EXEC_PENDING_MAX (1u << 20) /* exec output kept until its first attach */

static void frame_header(unsigned char h[8], int stream, size_t len)
{
	h[0] = (unsigned char)stream;
	h[1] = h[2] = h[3] = 0;
	h[4] = (unsigned char)(len >> 24);
	h[5] = (unsigned char)(len >> 16);
	h[6] = (unsigned char)(len >> 8);
	h[7] = (unsigned char)len;
}

static uint32_t conn_events(struct conn *c)
{
	uint32_t ev = 0;
	/* a process that does not read its stdin slows its writers down */
	if (!c->in_eof && !(c->a_stdin && c->p && c->p->stdin_full))
		ev |= EPOLLIN;
	if (buf_pending(&c->out) > 0)
		ev |= EPOLLOUT;
	return ev;
}

/* Write what the client takes; may close c. */
static void conn_flush(struct shim *s, struct conn *c)
{
	if (buf_flush(&c->out, c->w.fd) < 0 || buf_pending(&c->out) > ATTACH_OUT_MAX) {
		conn_close(s, c);
		return;
	}
	if (c->closing && buf_pending(&c->out) == 0) {
		conn_close(s, c);
		return;
	}
	loop_mod(s, &c->w, conn_events(c));
}

void attach_fanout(struct shim *s, struct proc *p, int stream, const char *data, size_t len)
{
	unsigned char h[8];
	frame_header(h, stream, len);
	if (p->exec_id && !p->attached_once) {
		if (buf_pending(&p->pending) + len + 8 <= EXEC_PENDING_MAX) {
			buf_append(&p->pending, h, 8);
			buf_append(&p->pending, data, len);
		}
		return;
	}
	struct conn *next;
	for (struct conn *c = s->conns; c; c = next) {
		next = c->next;
		if (c->mode != C_ATTACH || c->p != p)
			continue;
		if ((stream == SHIM_STREAM_STDOUT && !c->a_stdout) ||
		    (stream == SHIM_STREAM_STDERR && !c->a_stderr))
			continue;
		buf_append(&c->out, h, 8);
		buf_append(&c->out, data, len);
		conn_flush(s, c);
	}
}

int attach_begin(struct shim *s, struct conn *c, struct proc *p, json_t *req)
{
	c->mode = C_ATTACH;
	c->p = p;
	c->a_stdin = json_is_true(json_object_get(req, "stdin"));
	c->a_stdout = json_is_true(json_object_get(req, "stdout"));
	c->a_stderr = json_is_true(json_object_get(req, "stderr"));
	c->stdin_once = json_is_true(json_object_get(req, "stdin_once")) || p->stdin_once;
	if (p->exec_id && !p->attached_once) {
		p->attached_once = true;
		/* the exec started before anyone could attach: hand over its output */
		if (buf_pending(&p->pending) > 0)
			buf_append(&c->out, p->pending.data + p->pending.off,
				   buf_pending(&p->pending));
		buf_free(&p->pending);
	}
	/* an exited process: what is queued (and what its pipes still give) is
	 * sent, then the connection closes */
	if (p->status == PS_STOPPED)
		c->closing = true;
	(void)s;
	return 0;
}

/* The client is done with stdin: with stdin_once the process's stdin closes. */
static void attach_detach_stdin(struct shim *s, struct conn *c)
{
	if (c->a_stdin && c->stdin_once && c->p)
		stdio_close_stdin(s, c->p);
	c->a_stdin = false;
}

void attach_on_event(struct shim *s, struct conn *c, uint32_t events)
{
	if (events & EPOLLOUT) {
		conn_flush(s, c);
		return;
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		char chunk[16384];
		for (int i = 0; i < 4; i++) {
			ssize_t r = recv(c->w.fd, chunk, sizeof(chunk), 0);
			if (r > 0) {
				if (!c->a_stdin)
					continue;
				stdio_write_stdin(s, c->p, chunk, (size_t)r);
				if (c->p->stdin_full)
					break;
				continue;
			}
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0 && errno == EAGAIN)
				break;
			if (r == 0) {
				/* the client's SHUT_WR: stdin ends, output goes on */
				c->in_eof = true;
				attach_detach_stdin(s, c);
				if (events & EPOLLHUP || c->closing) {
					conn_close(s, c);
					return;
				}
				break;
			}
			attach_detach_stdin(s, c);
			conn_close(s, c);
			return;
		}
		loop_mod(s, &c->w, conn_events(c));
	}
}

void attach_start(struct shim *s, struct conn *c)
{
	int fl = fcntl(c->w.fd, F_GETFL);
	fcntl(c->w.fd, F_SETFL, fl | O_NONBLOCK);
	conn_flush(s, c);
}

void attach_rearm(struct shim *s, struct proc *p)
{
	for (struct conn *c = s->conns; c; c = c->next)
		if (c->mode == C_ATTACH && c->p == p)
			loop_mod(s, &c->w, conn_events(c));
}

void attach_process_done(struct shim *s, struct proc *p)
{
	struct conn *next;
	for (struct conn *c = s->conns; c; c = next) {
		next = c->next;
		if (c->mode != C_ATTACH || c->p != p)
			continue;
		c->closing = true;
		conn_flush(s, c);
	}
}
