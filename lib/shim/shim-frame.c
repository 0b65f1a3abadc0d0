/* The shim protocol framing: 4-byte big-endian length + one compact JSON
 * object (shim-proto.h, docs/shim.md). */
#include "shim/shim-proto.h"

#include "common/cleanup.h"
#include "common/fs.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int shim_frame_write(int fd, json_t *v)
{
	if (!json_is_object(v)) {
		errno = EINVAL;
		return -1;
	}
	size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT);
	if (n == 0 || n > SHIM_FRAME_MAX) {
		errno = n == 0 ? EINVAL : EMSGSIZE;
		return -1;
	}
	cleanup_free unsigned char *buf = malloc(n + 4);
	if (!buf) {
		errno = ENOMEM;
		return -1;
	}
	buf[0] = (unsigned char)(n >> 24);
	buf[1] = (unsigned char)(n >> 16);
	buf[2] = (unsigned char)(n >> 8);
	buf[3] = (unsigned char)n;
	if (json_dumpb(v, (char *)buf + 4, n, JSON_COMPACT) != n) {
		errno = EINVAL;
		return -1;
	}
	if (fs_write_all(fd, buf, n + 4) != (ssize_t)(n + 4))
		return -1;
	return 0;
}

/* Read exactly len bytes; returns bytes read (< len only at EOF), -1 on error. */
static ssize_t read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t r = read(fd, (char *)buf + got, len - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

int shim_frame_read(int fd, json_t **out, struct berth_error **err)
{
	*out = NULL;
	unsigned char hdr[4];
	ssize_t r = read_full(fd, hdr, sizeof(hdr));
	if (r < 0)
		return berth_error_errno(err, "shim frame: read header");
	if (r == 0)
		return 0;
	if (r < 4)
		return berth_error_set(err, EPROTO,
				       "shim frame: connection closed inside a header");
	uint32_t n = (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 |
		     (uint32_t)hdr[3];
	if (n == 0 || n > SHIM_FRAME_MAX)
		return berth_error_set(err, EMSGSIZE, "shim frame: bad length %u (1..%u)", n,
				       SHIM_FRAME_MAX);
	cleanup_free char *buf = malloc(n);
	if (!buf)
		return berth_error_set(err, ENOMEM, "shim frame: %u bytes", n);
	r = read_full(fd, buf, n);
	if (r < 0)
		return berth_error_errno(err, "shim frame: read %u bytes", n);
	if ((uint32_t)r < n)
		return berth_error_set(err, EPROTO,
				       "shim frame: connection closed after %zd of %u bytes", r, n);
	json_error_t je;
	json_t *v = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &je);
	if (!v)
		return berth_error_set(err, EPROTO, "shim frame: bad JSON: %s", je.text);
	if (!json_is_object(v)) {
		json_decref(v);
		return berth_error_set(err, EPROTO, "shim frame: not a JSON object");
	}
	*out = v;
	return 0;
}
