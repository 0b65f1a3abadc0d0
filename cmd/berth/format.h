/* Shared output formatting of the CLI, as the docker CLI prints: go-units
 * sizes and durations, truncated ids, tabwriter tables. No I/O except the
 * table's flush; unit-tested. */
#ifndef BERTH_CLI_FORMAT_H
#define BERTH_CLI_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

/* go-units HumanSizeWithPrecision: decimal units (B kB MB GB TB PB EB ZB YB),
 * "%.<precision>g": 1985722 -> "1.986MB" (4), "1.99MB" (3). Caller frees. */
char *fmt_human_size_prec(double size, int precision);
/* HumanSize: precision 4. */
char *fmt_human_size(double size);
/* BytesSize: binary units (B KiB MiB GiB ...), "%.4g": "23.54GiB". */
char *fmt_bytes_size(double size);
/* go-units HumanDuration: "Less than a second", "About a minute",
 * "About an hour", "3 days", ... */
char *fmt_human_duration(double seconds);
/* "<HumanDuration(now - t)> ago" (docker's CreatedSince). */
char *fmt_time_ago(int64_t unix_seconds, time_t now);
/* stringid.TruncateID: drop "algo:" and keep 12 characters; with no_trunc the
 * id unchanged. Caller frees. */
char *fmt_trunc_id(const char *id, bool no_trunc);
/* Ellipsis: at most max characters (UTF-8), the last one "…" when cut. */
char *fmt_ellipsis(const char *s, size_t max);
/* time.Time.String() of a unix time in UTC: "2026-11-23 16:24:50 +0000 UTC". */
char *fmt_go_time(int64_t unix_seconds);
/* An RFC 3339 time (with optional fraction and zone) as unix seconds; -1 if
 * it does not parse. */
int64_t fmt_parse_rfc3339(const char *s);

/* text/tabwriter as the docker CLI sets it up (minwidth 10, padding 3,
 * spaces): every cell but the last of a row is padded to its column's width. */
struct fmt_table {
	char ***rows; /* each row NULL-terminated */
	size_t nrows;
};
void fmt_table_add(struct fmt_table *t, const char *const *cells, size_t n);
void fmt_table_flush(struct fmt_table *t, FILE *out);
/* The same with another minwidth (docker top: 20). */
void fmt_table_flush_min(struct fmt_table *t, FILE *out, size_t minwidth);
void fmt_table_free(struct fmt_table *t);

/* URL escaping: everything but A-Za-z0-9 and the bytes in keep as %XX.
 * Caller frees. */
char *fmt_url_escape(const char *s, const char *keep);

#endif
