#include "common/log.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>

/* Separate atomics: berthd changes the level on SIGHUP while its threads log. */
static _Atomic int sink_fd = -1;
static _Atomic int sink_format = LOG_FORMAT_TEXT;
static _Atomic int sink_level = LOG_WARN;

static const char *const level_names[] = {"error", "warning", "info", "debug"};

void log_setup(const struct log_config *cfg)
{
	sink_fd = cfg->fd;
	sink_format = (int)cfg->format;
	sink_level = (int)cfg->level;
}

int log_fd(void)
{
	int fd = sink_fd;
	return fd >= 0 ? fd : STDERR_FILENO;
}

bool log_enabled(enum log_level level)
{
	return (int)level <= sink_level;
}

int log_format_parse(const char *s, enum log_format *out)
{
	if (strcmp(s, "text") == 0)
		*out = LOG_FORMAT_TEXT;
	else if (strcmp(s, "json") == 0)
		*out = LOG_FORMAT_JSON;
	else
		return -1;
	return 0;
}

static void now_rfc3339(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	size_t n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%09ldZ", ts.tv_nsec);
}

static void write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		s += w;
		len -= (size_t)w;
	}
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	if (!log_enabled(level))
		return;
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	char ts[64];
	now_rfc3339(ts, sizeof(ts));
	cleanup_free char *line = NULL;
	if (sink_format == LOG_FORMAT_JSON) {
		cleanup_json json_t *o =
		    json_pack("{s:s,s:s,s:s}", "level", level_names[level], "msg", msg, "time", ts);
		cleanup_free char *s = o ? json_dumps(o, JSON_COMPACT) : NULL;
		if (s == NULL)
			return;
		line = xasprintf("%s\n", s);
	} else {
		/* msg quoted with json escaping, as logrus does */
		cleanup_json json_t *js = json_string(msg);
		cleanup_free char *q = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
		line = xasprintf("time=\"%s\" level=%s msg=%s\n", ts, level_names[level],
				 q ? q : "\"\"");
	}
	write_all(log_fd(), line, strlen(line));
	errno = saved;
}
