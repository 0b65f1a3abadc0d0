/* docker's json-file log writer (shim-log.h). */
#include "shim/shim-log.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct partial {
	char *buf;
	size_t len;
};

struct shim_log {
	int fd;
	char *path;
	long long max_size;
	int max_file;
	long long size;
	struct partial part[2];
	uint64_t dropped;
};

void shim_log_format_time(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	time_t sec = ts->tv_sec;
	gmtime_r(&sec, &tm);
	char base[32];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%09ldZ", base, (long)ts->tv_nsec);
}

/* Length of the valid UTF-8 sequence at s (1..4), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char c = s[0];
	size_t n;
	unsigned int min, cp;
	if (c < 0x80)
		return 1;
	if ((c & 0xE0) == 0xC0) {
		n = 2, cp = c & 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 3, cp = c & 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 4, cp = c & 0x07, min = 0x10000;
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

char *shim_utf8_sanitize(const char *s, size_t len, size_t *outlen)
{
	char *out = xmalloc(len * 3 + 1);
	size_t o = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; i < len;) {
		size_t n = utf8_seq(u + i, len - i);
		if (n == 0) {
			memcpy(out + o, "\xEF\xBF\xBD", 3);
			o += 3;
			i++;
			continue;
		}
		memcpy(out + o, s + i, n);
		o += n;
		i += n;
	}
	out[o] = 0;
	*outlen = o;
	return out;
}

int shim_log_open(const char *path, long long max_size, int max_file, struct shim_log **out,
		  struct berth_error **err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return berth_error_errno(err, "open container log %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		return berth_error_errno(err, "stat container log %s", path);
	}
	struct shim_log *l = xcalloc(1, sizeof(*l));
	l->fd = fd;
	l->path = xstrdup(path);
	l->max_size = max_size > 0 ? max_size : 0;
	l->max_file = max_file >= 1 ? max_file : 1;
	l->size = st.st_size;
	*out = l;
	return 0;
}

static void rotate(struct shim_log *l)
{
	if (l->max_file >= 2) {
		for (int i = l->max_file - 1; i > 1; i--) {
			cleanup_free char *from = xasprintf("%s.%d", l->path, i - 1);
			cleanup_free char *to = xasprintf("%s.%d", l->path, i);
			if (rename(from, to) < 0 && errno != ENOENT)
				return;
		}
		cleanup_free char *to = xasprintf("%s.1", l->path);
		if (rename(l->path, to) < 0)
			return;
	}
	int fd = open(l->path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0640);
	if (fd < 0)
		return;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = fd;
	l->size = 0;
}

static void emit(struct shim_log *l, int stream, const char *data, size_t len,
		 const struct timespec *ts)
{
	size_t clean_len;
	cleanup_free char *clean = shim_utf8_sanitize(data, len, &clean_len);
	char tbuf[48];
	shim_log_format_time(ts, tbuf, sizeof(tbuf));
	cleanup_json json_t *o = json_object();
	json_object_set_new(o, "log", json_stringn(clean, clean_len));
	json_object_set_new(o, "stream",
			    json_string(stream == SHIM_STREAM_STDERR ? "stderr" : "stdout"));
	json_object_set_new(o, "time", json_string(tbuf));
	size_t n = json_dumpb(o, NULL, 0, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cleanup_free char *line = xmalloc(n + 1);
	if (n == 0 || json_dumpb(o, line, n, JSON_COMPACT | JSON_PRESERVE_ORDER) != n) {
		l->dropped++;
		return;
	}
	line[n] = '\n';
	if (l->max_size > 0 && l->size >= l->max_size)
		rotate(l);
	if (l->fd < 0) {
		l->dropped++;
		return;
	}
	ssize_t w = fs_write_all(l->fd, line, n + 1);
	if (w > 0)
		l->size += w;
	if (w != (ssize_t)(n + 1))
		l->dropped++;
}

void shim_log_write(struct shim_log *l, int stream, const char *data, size_t len,
		    const struct timespec *ts)
{
	struct partial *p = &l->part[stream == SHIM_STREAM_STDERR ? 1 : 0];
	while (len > 0) {
		const char *nl = memchr(data, '\n', len);
		size_t take = nl ? (size_t)(nl - data) + 1 : len;
		if (p->len + take > SHIM_LOG_PARTIAL_MAX) {
			/* the line reaches 16 KiB: flush the first 16 KiB as a partial entry */
			take = SHIM_LOG_PARTIAL_MAX - p->len;
			nl = NULL;
		}
		if (!p->buf)
			p->buf = xmalloc(SHIM_LOG_PARTIAL_MAX);
		memcpy(p->buf + p->len, data, take);
		p->len += take;
		data += take;
		len -= take;
		if (nl || p->len == SHIM_LOG_PARTIAL_MAX) {
			emit(l, stream, p->buf, p->len, ts);
			p->len = 0;
		}
	}
	if (p->len == 0 && p->buf) {
		free(p->buf);
		p->buf = NULL;
	}
}

void shim_log_flush(struct shim_log *l, const struct timespec *ts)
{
	for (int i = 0; i < 2; i++) {
		struct partial *p = &l->part[i];
		if (p->len > 0)
			emit(l, i == 1 ? SHIM_STREAM_STDERR : SHIM_STREAM_STDOUT, p->buf, p->len,
			     ts);
		p->len = 0;
		free(p->buf);
		p->buf = NULL;
	}
	/* no fdatasync: readers see the lines through the page cache, and
	 * docker's json-file log is not synced either; the sync cost ~1 ms
	 * (more under I/O load) between the container's exit and its exit
	 * event */
}

uint64_t shim_log_dropped(const struct shim_log *l)
{
	return l->dropped;
}

void shim_log_close(struct shim_log *l)
{
	if (!l)
		return;
	if (l->fd >= 0)
		close(l->fd);
	for (int i = 0; i < 2; i++)
		free(l->part[i].buf);
	free(l->path);
	free(l);
}
