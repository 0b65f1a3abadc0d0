/* tail N: the rotated files of a log, and where the last N lines of one file
 * begin, found by reading backwards from its end in blocks (a log of
 * gigabytes costs what its last N lines cost). */
#include "engine/logs/logs.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* More rotated files than this are not looked for (docker's max-file is
 * small; the shim keeps max-file - 1 rotations). */
#define LOGS_MAX_ROTATIONS 1000
#define TAIL_BLOCK 65536

char **logs_files(const char *path)
{
	size_t n = 0;
	while (n < LOGS_MAX_ROTATIONS) {
		cleanup_free char *p = xasprintf("%s.%zu", path, n + 1);
		struct stat st;
		if (stat(p, &st) < 0)
			break;
		n++;
	}
	char **v = xcalloc(n + 2, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = xasprintf("%s.%zu", path, n - i);
	v[n] = xstrdup(path);
	return v;
}

/* pread all of [off, off+len) (a file shorter than that: EIO) */
static int read_at(int fd, char *buf, size_t len, off_t off)
{
	size_t done = 0;
	while (done < len) {
		ssize_t r = pread(fd, buf + done, len - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) {
			errno = EIO;
			return -1;
		}
		done += (size_t)r;
	}
	return 0;
}

int logs_tail_offset(int fd, long long n, off_t *off, long long *found, struct berth_error **err)
{
	*off = 0;
	*found = 0;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berth_error_errno(err, "tail: fstat of the log");
	cleanup_free char *buf = xmalloc(TAIL_BLOCK);
	/* end: just after the last '\n' (a partial last line is not a line) */
	off_t end = st.st_size;
	bool have_end = false;
	while (end > 0 && !have_end) {
		off_t start = end > TAIL_BLOCK ? end - TAIL_BLOCK : 0;
		size_t len = (size_t)(end - start);
		if (read_at(fd, buf, len, start) < 0)
			return berth_error_errno(err, "tail: reading the log");
		for (size_t i = len; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				end = start + (off_t)i;
				have_end = true;
				break;
			}
		}
		if (!have_end)
			end = start;
	}
	if (!have_end || n == 0) {
		*off = end;
		return 0;
	}
	/* count newlines before end - 1: the k-th one found ends the line before
	 * the last k lines */
	long long lines = 1; /* the line ended by the '\n' at end - 1 */
	off_t pos = end - 1;
	while (pos > 0) {
		off_t start = pos > TAIL_BLOCK ? pos - TAIL_BLOCK : 0;
		size_t len = (size_t)(pos - start);
		if (read_at(fd, buf, len, start) < 0)
			return berth_error_errno(err, "tail: reading the log");
		for (size_t i = len; i > 0; i--) {
			if (buf[i - 1] != '\n')
				continue;
			if (lines == n) {
				*off = start + (off_t)i;
				*found = lines;
				return 0;
			}
			lines++;
		}
		pos = start;
	}
	*off = 0;
	*found = lines;
	return 0;
}
