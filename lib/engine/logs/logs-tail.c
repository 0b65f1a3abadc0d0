/* tail N: the rotated files of a log, and where the last N lines of one file
 * begin, found by reading backwards from its end in blocks (a log of
 * gigabytes costs what its last N lines cost). */
#include "engine/logs/logs.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Rotated files numbered above this are not read (docker's max-file is
 * small; the shim keeps max-file - 1 rotations). */
#define LOGS_MAX_ROTATIONS 1000
#define TAIL_BLOCK 65536

static int cmp_desc(const void *a, const void *b)
{
	unsigned long x = *(const unsigned long *)a, y = *(const unsigned long *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

char **logs_files(const char *path)
{
	/* every <base>.<N> in the directory (a rotation in progress leaves a
	 * hole in the numbers for a moment), highest N first */
	cleanup_free char *copy = xstrdup(path);
	char *slash = strrchr(copy, '/');
	const char *base = slash ? slash + 1 : copy;
	const char *dir = slash ? (slash == copy ? "/" : copy) : ".";
	if (slash)
		*slash = '\0';
	size_t blen = strlen(base), n = 0, cap = 0;
	cleanup_free unsigned long *nums = NULL;
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *de;
	while (d != NULL && (de = readdir(d)) != NULL) {
		const char *name = de->d_name;
		if (strncmp(name, base, blen) != 0 || name[blen] != '.' || name[blen + 1] < '1' ||
		    name[blen + 1] > '9')
			continue;
		char *end = NULL;
		unsigned long k = strtoul(name + blen + 1, &end, 10);
		if (*end != '\0' || k == 0 || k > LOGS_MAX_ROTATIONS)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			nums = xrealloc(nums, cap * sizeof(*nums));
		}
		nums[n++] = k;
	}
	if (n > 0)
		qsort(nums, n, sizeof(*nums), cmp_desc);
	char **v = xcalloc(n + 2, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = xasprintf("%s.%lu", path, nums[i]);
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
