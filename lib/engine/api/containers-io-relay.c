/* The relay of a hijacked connection (attach, exec start): the client's raw
 * stdin to the shim's attach stream (watching for the detach keys), the
 * shim's stream frames to the client (unwrapped for a terminal); and the
 * opening of that stream while the client is watched for a hang-up. */
#include "engine/api/containers-io.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/containers/container.h"

#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define RELAY_BUF 65536

/* ---- detach keys ---- */

static int key_byte(const char *item, size_t len, unsigned char *out)
{
	while (len > 0 && isspace((unsigned char)item[0])) {
		item++;
		len--;
	}
	while (len > 0 && isspace((unsigned char)item[len - 1]))
		len--;
	if (len == 1) {
		*out = (unsigned char)item[0];
		return 0;
	}
	if (len == 6 && strncasecmp(item, "ctrl-", 5) == 0) {
		char x = (char)tolower((unsigned char)item[5]);
		if (x >= 'a' && x <= 'z') {
			*out = (unsigned char)(x - 'a' + 1);
			return 0;
		}
		const char *specials = "@[\\]^_";
		const char *p = strchr(specials, x);
		if (p != NULL && x != '\0') {
			*out = (unsigned char)(p - specials == 0 ? 0 : 27 + (p - specials) - 1);
			return 0;
		}
	}
	return -1;
}

int io_detach_keys_parse(const char *s, unsigned char **keys, size_t *n, struct berth_error **err)
{
	*keys = NULL;
	*n = 0;
	if (s == NULL || *s == '\0')
		s = "ctrl-p,ctrl-q";
	size_t cap = strlen(s) + 1;
	cleanup_free unsigned char *v = xmalloc(cap);
	size_t k = 0;
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (key_byte(p, len, &v[k]) < 0)
			return berth_error_set(err, EINVAL, "Invalid detach keys (%s) provided", s);
		k++;
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	*keys = v;
	v = NULL;
	*n = k;
	return 0;
}

/* ---- opening the shim's stream ---- */

struct opener {
	struct container *c;
	const char *exec_id;
	bool in, out, err_, once;
	volatile bool cancel;
	int fd;
	int rc;
	struct berth_error *err;
	int efd;
};

static void *opener_main(void *p)
{
	struct opener *o = p;
	o->rc = ctr_attach_open(o->c, o->exec_id, o->in, o->out, o->err_, o->once, &o->cancel,
				&o->fd, &o->err);
	uint64_t one = 1;
	ssize_t w = write(o->efd, &one, sizeof(one));
	(void)w;
	return NULL;
}

int io_attach_open(int client_fd, struct container *c, const char *exec_id, bool in, bool out,
		   bool err_, bool stdin_once, int *fd, struct berth_error **err)
{
	*fd = -1;
	struct opener o = {.c = c,
			   .exec_id = exec_id,
			   .in = in,
			   .out = out,
			   .err_ = err_,
			   .once = stdin_once,
			   .fd = -1,
			   .rc = -1};
	cleanup_close int efd = eventfd(0, EFD_CLOEXEC);
	if (efd < 0)
		return berth_error_errno(err, "eventfd for the attach of %s", c->id);
	o.efd = efd;
	pthread_t t;
	int prc = pthread_create(&t, NULL, opener_main, &o);
	if (prc != 0) {
		errno = prc;
		return berth_error_errno(err, "thread for the attach of %s", c->id);
	}
	for (;;) {
		struct pollfd p[2] = {{.fd = client_fd, .events = 0},
				      {.fd = efd, .events = POLLIN}};
		int r = poll(p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		if (p[1].revents & POLLIN)
			break;
		if (p[0].revents & (POLLHUP | POLLERR))
			o.cancel = true; /* then wait for the opener to notice */
		if (o.cancel) {
			struct pollfd q = {.fd = efd, .events = POLLIN};
			while (poll(&q, 1, -1) < 0 && errno == EINTR)
				;
			break;
		}
	}
	pthread_join(t, NULL);
	if (o.rc < 0) {
		if (o.fd >= 0)
			close(o.fd);
		if (err != NULL && *err == NULL)
			*err = o.err;
		else
			berth_error_free(&o.err);
		if (o.cancel)
			berth_error_set(err, ECANCELED, "attach to %s: the client went away",
					c->id);
		return -1;
	}
	*fd = o.fd;
	return 0;
}

/* ---- the relay ---- */

void io_wait_head_read(int fd)
{
	for (int i = 0; i < 100; i++) {
		int queued = 0;
		if (ioctl(fd, SIOCOUTQ, &queued) < 0 || queued <= 0)
			return;
		struct timespec ts = {0, 1000000};
		nanosleep(&ts, NULL);
	}
}

int io_send_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	while (len > 0) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

int io_send_frame(int fd, bool tty, int stream, const void *buf, size_t len)
{
	if (tty)
		return io_send_all(fd, buf, len);
	unsigned char hdr[8] = {(unsigned char)stream,
				0,
				0,
				0,
				(unsigned char)(len >> 24),
				(unsigned char)(len >> 16),
				(unsigned char)(len >> 8),
				(unsigned char)len};
	if (io_send_all(fd, hdr, sizeof(hdr)) < 0)
		return -1;
	return io_send_all(fd, buf, len);
}

struct detach_state {
	const unsigned char *keys;
	size_t n, matched;
};

/* Copy in to out without a detach sequence (bytes of a partial match are
 * held until the next byte decides); out holds len + n bytes. */
static size_t detach_filter(struct detach_state *d, const unsigned char *in, size_t len,
			    unsigned char *out, bool *detached)
{
	size_t o = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char b = in[i];
		if (d->n > 0 && b == d->keys[d->matched]) {
			if (++d->matched == d->n) {
				*detached = true;
				return o;
			}
			continue;
		}
		if (d->matched > 0) {
			memcpy(out + o, d->keys, d->matched);
			o += d->matched;
			d->matched = 0;
			if (b == d->keys[0]) {
				if (d->n == 1) {
					*detached = true;
					return o;
				}
				d->matched = 1;
				continue;
			}
		}
		out[o++] = b;
	}
	return o;
}

/* the shim's frames -> raw bytes (terminal) */
struct unframe {
	unsigned char hdr[8];
	size_t have;
	uint32_t left;
};

static int send_unframed(struct unframe *u, int fd, const unsigned char *p, size_t len)
{
	while (len > 0) {
		if (u->left == 0) {
			size_t k = 8 - u->have < len ? 8 - u->have : len;
			memcpy(u->hdr + u->have, p, k);
			u->have += k;
			p += k;
			len -= k;
			if (u->have == 8) {
				u->left = (uint32_t)u->hdr[4] << 24 | (uint32_t)u->hdr[5] << 16 |
					  (uint32_t)u->hdr[6] << 8 | u->hdr[7];
				u->have = 0;
			}
			continue;
		}
		size_t k = u->left < len ? u->left : len;
		if (io_send_all(fd, p, k) < 0)
			return -1;
		u->left -= (uint32_t)k;
		p += k;
		len -= k;
	}
	return 0;
}

/* the client's bytes: 1 detached, -1 the shim's side failed (ignored by the
 * caller: output may still come) */
static int client_bytes(struct detach_state *d, int shim_fd, const unsigned char *buf, size_t len,
			unsigned char *out)
{
	bool detached = false;
	size_t n = detach_filter(d, buf, len, out, &detached);
	if (n > 0 && io_send_all(shim_fd, out, n) < 0)
		return detached ? 1 : -1;
	return detached ? 1 : 0;
}

enum io_relay_end io_relay(int client_fd, const char *extra, size_t extra_len, int shim_fd,
			   const struct io_relay_opts *o)
{
	struct detach_state d = {.keys = o->detach_keys,
				 .n = o->stdin_attached ? o->n_detach_keys : 0};
	struct unframe u = {0};
	cleanup_free unsigned char *buf = xmalloc(RELAY_BUF);
	cleanup_free unsigned char *out = xmalloc(RELAY_BUF + d.n + extra_len + 1);
	bool client_eof = false;
	if (extra_len > 0 && o->stdin_attached &&
	    client_bytes(&d, shim_fd, (const unsigned char *)extra, extra_len, out) == 1)
		return IO_RELAY_DETACHED;
	for (;;) {
		struct pollfd p[2] = {{.fd = client_fd, .events = client_eof ? 0 : POLLIN},
				      {.fd = shim_fd, .events = POLLIN}};
		int r = poll(p, 2, -1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return IO_RELAY_ERROR;
		if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
			ssize_t n = read(shim_fd, buf, RELAY_BUF);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n <= 0)
				return IO_RELAY_ENDED;
			int wr = o->tty ? send_unframed(&u, client_fd, buf, (size_t)n)
					: io_send_all(client_fd, buf, (size_t)n);
			if (wr < 0)
				return IO_RELAY_CLIENT_GONE;
		}
		if (p[0].revents & POLLIN) {
			ssize_t n = read(client_fd, buf, RELAY_BUF);
			if (n < 0 && (errno == EINTR || errno == EAGAIN))
				continue;
			if (n < 0)
				return IO_RELAY_CLIENT_GONE;
			if (n == 0) {
				client_eof = true;
				/* docker: the client's EOF closes stdin (StdinOnce), not the stream
				 */
				if (o->stdin_attached && !o->stdin_once)
					return IO_RELAY_STDIN_CLOSED;
				if (o->stdin_attached)
					shutdown(shim_fd, SHUT_WR);
				continue;
			}
			if (o->stdin_attached &&
			    client_bytes(&d, shim_fd, buf, (size_t)n, out) == 1)
				return IO_RELAY_DETACHED;
		} else if (p[0].revents & (POLLHUP | POLLERR)) {
			return IO_RELAY_CLIENT_GONE;
		}
	}
}
