/* The container's stdio held by the shim: pipes, or the pty master received
 * through --console-socket. Output goes to the log (init only) and to the
 * attach clients; stdin comes from any attach client. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define STDIN_BUF_HIGH (1u << 20) /* stop reading the attach clients */
#define STDIN_BUF_MAX (8u << 20)  /* hard limit: beyond it input is dropped */

void buf_append(struct buf *b, const void *data, size_t len)
{
	if (b->off > 0 && b->off == b->len) {
		b->off = b->len = 0;
	}
	b->data = xrealloc(b->data, b->len + len + 1);
	memcpy(b->data + b->len, data, len);
	b->len += len;
}

size_t buf_pending(const struct buf *b)
{
	return b->len - b->off;
}

int buf_flush(struct buf *b, int fd)
{
	while (b->off < b->len) {
		ssize_t w = send(fd, b->data + b->off, b->len - b->off, MSG_NOSIGNAL);
		if (w < 0 && errno == ENOTSOCK)
			w = write(fd, b->data + b->off, b->len - b->off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return 0;
		if (w <= 0)
			return -1;
		b->off += (size_t)w;
	}
	free(b->data);
	*b = (struct buf){0};
	return 0;
}

void buf_free(struct buf *b)
{
	free(b->data);
	*b = (struct buf){0};
}

static int nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

void stdio_cleanup(struct stdio_setup *st)
{
	int *fds[] = {&st->child_in, &st->child_out, &st->child_err,	 &st->in,
		      &st->out,	     &st->err,	     &st->console_listen};
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
	if (st->console_path) {
		unlink(st->console_path);
		free(st->console_path);
		st->console_path = NULL;
	}
	free(st->console_arg);
	st->console_arg = NULL;
	if (st->console_dirfd >= 0)
		close(st->console_dirfd);
	st->console_dirfd = -1;
}

int stdio_prepare(struct shim *s, bool terminal, bool want_stdin, struct stdio_setup *st,
		  struct berth_error **err)
{
	*st = (struct stdio_setup){.child_in = -1,
				   .child_out = -1,
				   .child_err = -1,
				   .in = -1,
				   .out = -1,
				   .err = -1,
				   .console_listen = -1,
				   .console_dirfd = -1,
				   .want_stdin = want_stdin};
	if (terminal) {
		st->console_path = shim_path(s, "console.sock");
		st->console_listen =
		    rt_console_listen(s->o.dir, &st->console_arg, &st->console_dirfd, err);
		return st->console_listen < 0 ? -1 : 0;
	}
	int p[2];
	if (want_stdin) {
		if (pipe2(p, O_CLOEXEC) < 0)
			goto fail;
		st->child_in = p[0];
		st->in = p[1];
	}
	if (pipe2(p, O_CLOEXEC) < 0)
		goto fail;
	st->out = p[0];
	st->child_out = p[1];
	if (pipe2(p, O_CLOEXEC) < 0)
		goto fail;
	st->err = p[0];
	st->child_err = p[1];
	nonblock(st->out);
	nonblock(st->err);
	return 0;
fail:
	berth_error_errno(err, "stdio pipes");
	stdio_cleanup(st);
	return -1;
}

void stdio_finish(struct shim *s, struct proc *p, struct stdio_setup *st, int console_fd)
{
	p->terminal = console_fd >= 0;
	p->in_fd = p->pty = -1;
	p->out_w = (struct watch){W_OUT, -1, p};
	p->err_w = (struct watch){W_ERR, -1, p};
	p->in_w = (struct watch){W_IN, -1, p};
	if (console_fd >= 0) {
		nonblock(console_fd);
		p->pty = console_fd;
		p->out_w.fd = fcntl(console_fd, F_DUPFD_CLOEXEC, 3);
		if (st->want_stdin)
			p->in_fd = fcntl(console_fd, F_DUPFD_CLOEXEC, 3);
	} else {
		p->out_w.fd = steal_fd(st->out);
		p->err_w.fd = steal_fd(st->err);
		if (st->in >= 0) {
			p->in_fd = steal_fd(st->in);
			nonblock(p->in_fd);
		}
	}
	if (p->out_w.fd >= 0)
		loop_add(s, &p->out_w, EPOLLIN);
	if (p->err_w.fd >= 0)
		loop_add(s, &p->err_w, EPOLLIN);
	p->in_w.fd = p->in_fd;
	stdio_cleanup(st);
}

static void handle_data(struct shim *s, struct proc *p, int stream, const char *d, size_t n)
{
	if (!p->exec_id && s->log) {
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		shim_log_write(s->log, stream, d, n, &ts);
	}
	attach_fanout(s, p, stream, d, n);
}

static void out_eof(struct shim *s, struct watch *w)
{
	loop_del(s, w);
	close(w->fd);
	w->fd = -1;
}

/* Read up to max chunks from w (0: until EAGAIN). */
static void read_stream(struct shim *s, struct proc *p, struct watch *w, int max)
{
	char chunk[32768];
	int stream = w->kind == W_ERR ? SHIM_STREAM_STDERR : SHIM_STREAM_STDOUT;
	for (int i = 0; w->fd >= 0 && (max == 0 || i < max); i++) {
		ssize_t r = read(w->fd, chunk, sizeof(chunk));
		if (r > 0) {
			handle_data(s, p, stream, chunk, (size_t)r);
			continue;
		}
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			return;
		/* EOF, or EIO from a pty master whose slave is gone */
		out_eof(s, w);
	}
}

void stdio_on_output(struct shim *s, struct proc *p, struct watch *w)
{
	read_stream(s, p, w, 4);
}

void stdio_drain(struct shim *s, struct proc *p)
{
	if (p->out_w.fd >= 0)
		read_stream(s, p, &p->out_w, 0);
	if (p->err_w.fd >= 0)
		read_stream(s, p, &p->err_w, 0);
}

static void close_in(struct shim *s, struct proc *p)
{
	if (p->in_w.fd >= 0 && buf_pending(&p->inbuf) > 0)
		loop_del(s, &p->in_w);
	buf_free(&p->inbuf);
	if (p->in_fd >= 0)
		close(p->in_fd);
	p->in_fd = p->in_w.fd = -1;
	p->close_in_after = false;
	if (p->stdin_full) {
		p->stdin_full = false;
		attach_rearm(s, p);
	}
}

void stdio_on_stdin_writable(struct shim *s, struct proc *p)
{
	if (buf_flush(&p->inbuf, p->in_fd) < 0) {
		close_in(s, p);
		return;
	}
	if (buf_pending(&p->inbuf) == 0) {
		loop_del(s, &p->in_w);
		if (p->close_in_after)
			close_in(s, p);
	}
	if (p->stdin_full && buf_pending(&p->inbuf) < STDIN_BUF_HIGH / 2) {
		p->stdin_full = false;
		attach_rearm(s, p);
	}
}

void stdio_write_stdin(struct shim *s, struct proc *p, const char *data, size_t len)
{
	if (p->in_fd < 0 || p->close_in_after)
		return;
	bool was_empty = buf_pending(&p->inbuf) == 0;
	if (buf_pending(&p->inbuf) + len > STDIN_BUF_MAX)
		return; /* the process does not read its stdin: drop, never block */
	buf_append(&p->inbuf, data, len);
	if (buf_flush(&p->inbuf, p->in_fd) < 0) {
		close_in(s, p);
		return;
	}
	if (buf_pending(&p->inbuf) > 0 && was_empty)
		loop_add(s, &p->in_w, EPOLLOUT);
	if (buf_pending(&p->inbuf) >= STDIN_BUF_HIGH)
		p->stdin_full = true;
}

void stdio_close_stdin(struct shim *s, struct proc *p)
{
	if (p->in_fd < 0)
		return;
	if (p->terminal) {
		/* a pty has no half-close: send EOF (^D) as a terminal does */
		stdio_write_stdin(s, p, "\x04", 1);
		return;
	}
	if (buf_pending(&p->inbuf) > 0)
		p->close_in_after = true;
	else
		close_in(s, p);
}

void stdio_close_all(struct shim *s, struct proc *p)
{
	close_in(s, p);
	if (p->out_w.fd >= 0)
		out_eof(s, &p->out_w);
	if (p->err_w.fd >= 0)
		out_eof(s, &p->err_w);
	if (p->pty >= 0)
		close(p->pty);
	p->pty = -1;
}
