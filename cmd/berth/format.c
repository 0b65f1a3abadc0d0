/* Sizes, durations, ids and tables as the docker CLI prints them (see format.h). */
#include "format.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const decimal_units[] = {"B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"};
static const char *const binary_units[] = {"B",	  "KiB", "MiB", "GiB", "TiB",
					   "PiB", "EiB", "ZiB", "YiB"};

static char *custom_size(double size, int precision, double base, const char *const *units)
{
	size_t i = 0;
	while (size >= base && i < 8) {
		size /= base;
		i++;
	}
	return xasprintf("%.*g%s", precision, size, units[i]);
}

char *fmt_human_size_prec(double size, int precision)
{
	return custom_size(size, precision, 1000.0, decimal_units);
}

char *fmt_human_size(double size)
{
	return fmt_human_size_prec(size, 4);
}

char *fmt_bytes_size(double size)
{
	return custom_size(size, 4, 1024.0, binary_units);
}

char *fmt_human_duration(double d)
{
	long seconds = (long)d;
	if (seconds < 1)
		return xstrdup("Less than a second");
	if (seconds == 1)
		return xstrdup("1 second");
	if (seconds < 60)
		return xasprintf("%ld seconds", seconds);
	long minutes = (long)(d / 60);
	if (minutes == 1)
		return xstrdup("About a minute");
	if (minutes < 60)
		return xasprintf("%ld minutes", minutes);
	long hours = (long)(d / 3600 + 0.5);
	if (hours == 1)
		return xstrdup("About an hour");
	if (hours < 48)
		return xasprintf("%ld hours", hours);
	if (hours < 24 * 7 * 2)
		return xasprintf("%ld days", hours / 24);
	if (hours < 24 * 30 * 2)
		return xasprintf("%ld weeks", hours / 24 / 7);
	if (hours < 24 * 365 * 2)
		return xasprintf("%ld months", hours / 24 / 30);
	return xasprintf("%ld years", (long)(d / 3600) / 24 / 365);
}

char *fmt_time_ago(int64_t t, time_t now)
{
	char *d = fmt_human_duration((double)((int64_t)now - t));
	char *s = xasprintf("%s ago", d);
	free(d);
	return s;
}

char *fmt_trunc_id(const char *id, bool no_trunc)
{
	if (no_trunc)
		return xstrdup(id);
	const char *colon = strchr(id, ':');
	if (colon)
		id = colon + 1;
	return strndup(id, 12) ?: xstrdup("");
}

/* Number of UTF-8 characters (continuation bytes not counted). */
static size_t utf8_len(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

char *fmt_ellipsis(const char *s, size_t max)
{
	if (utf8_len(s) <= max)
		return xstrdup(s);
	if (max == 0)
		return xstrdup("");
	/* keep max-1 characters, then "…" */
	size_t chars = 0, i = 0;
	for (; s[i]; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80) {
			if (chars == max - 1)
				break;
			chars++;
		}
	}
	char *out = xmalloc(i + 4);
	memcpy(out, s, i);
	memcpy(out + i, "\xe2\x80\xa6", 4);
	return out;
}

char *fmt_go_time(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[96];
	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S %z %Z", &tm);
	return xstrdup(buf);
}

int64_t fmt_parse_rfc3339(const char *s)
{
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	long off = 0;
	if (*p == '+' || *p == '-') {
		int hh = 0, mm = 0;
		if (sscanf(p + 1, "%2d:%2d", &hh, &mm) != 2)
			return -1;
		off = (hh * 3600L + mm * 60L) * (*p == '-' ? -1 : 1);
	} else if (*p != 'Z' && *p != 'z') {
		return -1;
	}
	return (int64_t)timegm(&tm) - off;
}

void fmt_table_add(struct fmt_table *t, const char *const *cells, size_t n)
{
	char **row = xcalloc(n + 1, sizeof(*row));
	for (size_t i = 0; i < n; i++)
		row[i] = xstrdup(cells[i] ? cells[i] : "");
	t->rows = xrealloc(t->rows, (t->nrows + 1) * sizeof(*t->rows));
	t->rows[t->nrows++] = row;
}

void fmt_table_flush(struct fmt_table *t, FILE *out)
{
	fmt_table_flush_min(t, out, 10);
}

void fmt_table_flush_min(struct fmt_table *t, FILE *out, size_t minwidth)
{
	size_t ncols = 0;
	for (size_t r = 0; r < t->nrows; r++) {
		size_t n = 0;
		while (t->rows[r][n])
			n++;
		if (n > ncols)
			ncols = n;
	}
	size_t *width = xcalloc(ncols ? ncols : 1, sizeof(*width));
	for (size_t r = 0; r < t->nrows; r++)
		for (size_t c = 0; t->rows[r][c] && t->rows[r][c + 1]; c++) {
			size_t w = utf8_len(t->rows[r][c]) + 3;
			if (w < minwidth)
				w = minwidth;
			if (w > width[c])
				width[c] = w;
		}
	for (size_t r = 0; r < t->nrows; r++) {
		for (size_t c = 0; t->rows[r][c]; c++) {
			fputs(t->rows[r][c], out);
			if (t->rows[r][c + 1] == NULL)
				break;
			for (size_t k = utf8_len(t->rows[r][c]); k < width[c]; k++)
				fputc(' ', out);
		}
		fputc('\n', out);
	}
	free(width);
	fmt_table_free(t);
}

void fmt_table_free(struct fmt_table *t)
{
	for (size_t r = 0; r < t->nrows; r++) {
		for (char **c = t->rows[r]; *c; c++)
			free(*c);
		free(t->rows[r]);
	}
	free(t->rows);
	t->rows = NULL;
	t->nrows = 0;
}

char *fmt_url_escape(const char *s, const char *keep)
{
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1);
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p)) {
			out[o++] = (char)*p;
		} else {
			o += (size_t)sprintf(out + o, "%%%02X", *p);
		}
	}
	out[o] = '\0';
	return out;
}
