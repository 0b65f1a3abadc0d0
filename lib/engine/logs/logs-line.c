/* One json-file line, and the time formats of the log and of the API. */
#include "engine/logs/logs.h"

#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void logs_entry_clear(struct logs_entry *e)
{
	free(e->data);
	e->data = NULL;
	e->len = 0;
}

/* n decimal digits at s (all of them digits); -1 otherwise */
static int digits(const char *s, size_t n)
{
	int v = 0;
	for (size_t i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	/* proleptic Gregorian calendar, days since 1970-01-01 (H. Hinnant's algorithm) */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int logs_parse_time(const char *s, size_t len, int64_t *ns)
{
	/* 2006-01-02T15:04:05[.frac](Z|+hh:mm|-hh:mm) */
	if (len < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't') ||
	    s[13] != ':' || s[16] != ':')
		return -1;
	int y = digits(s, 4), mo = digits(s + 5, 2), d = digits(s + 8, 2);
	int h = digits(s + 11, 2), mi = digits(s + 14, 2), se = digits(s + 17, 2);
	if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 ||
	    se < 0 || se > 60)
		return -1;
	size_t i = 19;
	int64_t frac = 0;
	if (i < len && s[i] == '.') {
		i++;
		size_t nd = 0;
		while (i < len && isdigit((unsigned char)s[i])) {
			if (nd < 9)
				frac = frac * 10 + (s[i] - '0');
			nd++;
			i++;
		}
		if (nd == 0)
			return -1;
		for (; nd < 9; nd++)
			frac *= 10;
	}
	int64_t off = 0;
	if (i < len && (s[i] == 'Z' || s[i] == 'z')) {
		i++;
	} else if (i + 6 == len && (s[i] == '+' || s[i] == '-') && s[i + 3] == ':') {
		int oh = digits(s + i + 1, 2), om = digits(s + i + 4, 2);
		if (oh < 0 || om < 0 || oh > 23 || om > 59)
			return -1;
		off = (int64_t)(oh * 60 + om) * 60;
		if (s[i] == '-')
			off = -off;
		i += 6;
	} else {
		return -1;
	}
	if (i != len)
		return -1;
	int64_t secs = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - off;
	*ns = secs * 1000000000 + frac;
	return 0;
}

void logs_format_time(int64_t ns, char *buf)
{
	time_t secs = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	if (frac < 0) {
		frac += 1000000000;
		secs--;
	}
	struct tm tm;
	gmtime_r(&secs, &tm);
	char tmp[96];
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ",
		 (tm.tm_year + 1900) % 10000, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
		 tm.tm_sec, frac);
	memcpy(buf, tmp, LOGS_TIME_LEN);
	buf[LOGS_TIME_LEN] = '\0';
}

int logs_parse_api_time(const char *s, int64_t *ns, struct berth_error **err)
{
	*ns = 0;
	if (s == NULL || *s == '\0')
		return 0;
	if (strchr(s, 'T') != NULL) {
		if (logs_parse_time(s, strlen(s), ns) < 0)
			return berth_error_set(err, EINVAL, "invalid timestamp \"%s\"", s);
		return 0;
	}
	/* seconds[.fraction] (docker's timetypes.ParseTimestamps) */
	const char *p = s;
	bool neg = *p == '-';
	if (neg)
		p++;
	int64_t sec = 0;
	size_t nd = 0;
	for (; isdigit((unsigned char)*p); p++, nd++) {
		if (sec > (INT64_MAX / 1000000000 - 9) / 10)
			return berth_error_set(err, EINVAL, "timestamp \"%s\" out of range", s);
		sec = sec * 10 + (*p - '0');
	}
	int64_t frac = 0;
	if (*p == '.') {
		p++;
		size_t fd = 0;
		for (; isdigit((unsigned char)*p); p++, fd++) {
			if (fd < 9)
				frac = frac * 10 + (*p - '0');
		}
		if (fd == 0)
			nd = 0;
		for (; fd < 9; fd++)
			frac *= 10;
	}
	if (nd == 0 || *p != '\0')
		return berth_error_set(err, EINVAL,
				       "invalid timestamp \"%s\": expected unix seconds with an "
				       "optional fraction or RFC 3339",
				       s);
	*ns = sec * 1000000000 + frac;
	if (neg)
		*ns = -*ns;
	return 0;
}

long long logs_parse_tail(const char *s)
{
	if (s == NULL || *s == '\0' || strcmp(s, "all") == 0)
		return -1;
	char *end = NULL;
	errno = 0;
	long long n = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || n < 0)
		return -1;
	return n;
}

int logs_parse_line(const char *line, size_t len, struct logs_entry *out)
{
	memset(out, 0, sizeof(*out));
	if (len == 0 || line[0] != '{')
		return -1;
	json_error_t jerr;
	json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
	if (o == NULL)
		return -1;
	int rc = -1;
	json_t *log = json_object_get(o, "log");
	json_t *stream = json_object_get(o, "stream");
	json_t *t = json_object_get(o, "time");
	if (!json_is_object(o) || !json_is_string(log) || !json_is_string(stream) ||
	    !json_is_string(t))
		goto out;
	if (strcmp(json_string_value(stream), "stdout") == 0)
		out->stream = LOGS_STDOUT;
	else if (strcmp(json_string_value(stream), "stderr") == 0)
		out->stream = LOGS_STDERR;
	else
		goto out;
	if (logs_parse_time(json_string_value(t), json_string_length(t), &out->time_ns) < 0)
		goto out;
	out->len = json_string_length(log);
	out->data = xmalloc(out->len + 1);
	memcpy(out->data, json_string_value(log), out->len);
	out->data[out->len] = '\0';
	rc = 0;
out:
	json_decref(o);
	return rc;
}
