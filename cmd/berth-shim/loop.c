/* The event loop: epoll over the control socket, signalfd (SIGCHLD), the
 * processes' stdio and the client connections. */
#include "shim.h"

#include "common/xalloc.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

void loop_add(struct shim *s, struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, w->fd, &ev) < 0 && errno == EEXIST)
		epoll_ctl(s->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_mod(struct shim *s, struct watch *w, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = w};
	epoll_ctl(s->epfd, EPOLL_CTL_MOD, w->fd, &ev);
}

void loop_del(struct shim *s, struct watch *w)
{
	epoll_ctl(s->epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

void conn_close(struct shim *s, struct conn *c)
{
	for (struct conn **pp = &s->conns; *pp; pp = &(*pp)->next) {
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	}
	if (c->w.fd < 0)
		return;
	loop_del(s, &c->w);
	close(c->w.fd);
	c->w.fd = -1;
	buf_free(&c->out);
	/* an event for it may still be in the current batch */
	c->next = s->dead_conns;
	s->dead_conns = c;
}

static void free_dead(struct shim *s)
{
	while (s->dead_conns) {
		struct conn *c = s->dead_conns;
		s->dead_conns = c->next;
		free(c);
	}
	while (s->dead_procs) {
		struct proc *p = s->dead_procs;
		s->dead_procs = p->next;
		proc_free(p);
	}
}

static void on_accept(struct shim *s)
{
	for (;;) {
		int fd = accept4(s->listen_w.fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			return;
		/* control frames are small: blocking I/O with a timeout */
		struct timeval tv = {.tv_sec = 5};
		setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
		struct conn *c = xcalloc(1, sizeof(*c));
		c->w = (struct watch){W_CONN, fd, c};
		c->mode = C_CTRL;
		c->next = s->conns;
		s->conns = c;
		loop_add(s, &c->w, EPOLLIN);
	}
}

static void on_ctrl(struct shim *s, struct conn *c)
{
	json_t *req = NULL;
	struct berth_error *err = NULL;
	if (shim_frame_read(c->w.fd, &req, &err) < 0 || !req) {
		berth_error_free(&err);
		conn_close(s, c);
		return;
	}
	ops_dispatch(s, c, req);
	json_decref(req);
}

static void on_conn(struct shim *s, struct conn *c, uint32_t events)
{
	switch (c->mode) {
	case C_CTRL:
		on_ctrl(s, c);
		break;
	case C_ATTACH:
		attach_on_event(s, c, events);
		break;
	case C_SUB: {
		/* subscribers only listen: anything else is the end */
		char b[256];
		ssize_t r = recv(c->w.fd, b, sizeof(b), MSG_DONTWAIT);
		if (r == 0 || (r < 0 && errno != EAGAIN && errno != EINTR))
			conn_close(s, c);
		break;
	}
	}
}

static void on_signal(struct shim *s)
{
	struct signalfd_siginfo si;
	while (read(s->sig_w.fd, &si, sizeof(si)) == sizeof(si))
		;
	exit_on_sigchld(s);
}

int loop_run(struct shim *s)
{
	struct epoll_event evs[16];
	while (!s->exiting) {
		int n = epoll_wait(s->epfd, evs, 16, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		for (int i = 0; i < n && !s->exiting; i++) {
			struct watch *w = evs[i].data.ptr;
			uint32_t e = evs[i].events;
			if (w->fd < 0)
				continue;
			switch (w->kind) {
			case W_LISTEN:
				on_accept(s);
				break;
			case W_SIGNAL:
				on_signal(s);
				break;
			case W_CONN:
				on_conn(s, w->obj, e);
				break;
			case W_OUT:
			case W_ERR:
				stdio_on_output(s, w->obj, w);
				break;
			case W_IN:
				stdio_on_stdin_writable(s, w->obj);
				break;
			case W_OOM:
				oom_on_event(s);
				break;
			}
		}
		free_dead(s);
	}
	return 0;
}
