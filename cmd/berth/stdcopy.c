/* Demultiplexing of docker's 8-byte-header frames (see stdcopy.h). */
#include "stdcopy.h"

#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int cli_write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void stdcopy_init(struct stdcopy *s, int out_fd, int err_fd)
{
	*s = (struct stdcopy){.out_fd = out_fd, .err_fd = err_fd};
}

void stdcopy_free(struct stdcopy *s)
{
	free(s->sys);
	s->sys = NULL;
}

static int payload(struct stdcopy *s, const unsigned char *p, size_t n, struct berth_error **err)
{
	if (s->stream == 3) {
		s->sys = xrealloc(s->sys, s->nsys + n + 1);
		memcpy(s->sys + s->nsys, p, n);
		s->nsys += n;
		s->sys[s->nsys] = '\0';
		return 0;
	}
	int fd = s->stream == 2 ? s->err_fd : s->out_fd;
	if (cli_write_all(fd, p, n) < 0)
		return berth_error_errno(err, "write the container's %s",
					 s->stream == 2 ? "stderr" : "stdout");
	return 0;
}

int stdcopy_feed(struct stdcopy *s, const void *buf, size_t n, struct berth_error **err)
{
	const unsigned char *p = buf;
	while (n > 0) {
		if (s->left == 0 && s->nhdr < 8) {
			size_t k = 8 - s->nhdr < n ? 8 - s->nhdr : n;
			memcpy(s->hdr + s->nhdr, p, k);
			s->nhdr += k;
			p += k;
			n -= k;
			if (s->nhdr < 8)
				break;
			s->stream = s->hdr[0];
			if (s->stream > 3)
				return berth_error_set(err, EPROTO, "Unrecognized input header: %d",
						       s->stream);
			s->left = (uint32_t)s->hdr[4] << 24 | (uint32_t)s->hdr[5] << 16 |
				  (uint32_t)s->hdr[6] << 8 | s->hdr[7];
			s->nhdr = 0;
			if (s->left == 0 && s->stream != 3)
				continue;
			if (s->left == 0)
				goto sysdone;
			continue;
		}
		size_t k = s->left < n ? s->left : n;
		if (payload(s, p, k, err) < 0)
			return -1;
		p += k;
		n -= k;
		s->left -= (uint32_t)k;
		if (s->left == 0 && s->stream == 3)
			goto sysdone;
	}
	return 0;
sysdone:
	return berth_error_set(err, EPROTO, "error from daemon in stream: %s",
			       s->sys ? s->sys : "");
}

int stdcopy_end(struct stdcopy *s, struct berth_error **err)
{
	if (s->nhdr > 0 || s->left > 0)
		return berth_error_set(err, EPROTO, "unexpected EOF in a multiplexed stream");
	return 0;
}
