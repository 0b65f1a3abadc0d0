/* Docker's multiplexed stream (attach and exec without a tty, logs of a
 * container without a tty): frames of an 8-byte header [stream, 0, 0, 0,
 * size as 4 bytes big-endian] and size bytes of payload. Stream 0 (stdin
 * echo) and 1 go to the stdout fd, 2 to the stderr fd, 3 is an error from
 * the daemon that ends the stream. Incremental: bytes may arrive in any
 * pieces. */
#ifndef BERTH_CLI_STDCOPY_H
#define BERTH_CLI_STDCOPY_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>

struct stdcopy {
	int out_fd, err_fd;
	unsigned char hdr[8];
	size_t nhdr;   /* header bytes collected */
	uint32_t left; /* payload bytes left in the current frame */
	int stream;    /* of the current frame */
	char *sys;     /* stream 3 payload being collected */
	size_t nsys;
};

void stdcopy_init(struct stdcopy *s, int out_fd, int err_fd);
void stdcopy_free(struct stdcopy *s);
/* Feed bytes; -1 with *err on a write error, an unknown stream ("Unrecognized
 * input header: N") or a daemon error frame ("error from daemon in stream:
 * MSG", once the frame is complete). */
int stdcopy_feed(struct stdcopy *s, const void *buf, size_t n, struct berth_error **err);
/* At the end of the stream: -1 when it ended inside a frame's header. */
int stdcopy_end(struct stdcopy *s, struct berth_error **err);

/* write(2) all of it, retrying EINTR and short writes. */
int cli_write_all(int fd, const void *buf, size_t n);

#endif
