/* Reading docker's json-file container logs (what the shim writes): one JSON
 * object per line, {"log":"...","stream":"stdout"|"stderr","time":"<RFC3339
 * with nanoseconds>"}, rotated as <path> -> <path>.1 -> <path>.2 ...
 *
 * logs_read serves GET /containers/{id}/logs and attach's ?logs=1: the rotated
 * files oldest first, since/until, tail N (found by reading backwards from the
 * end, across the rotated files), and follow (inotify on the directory; a
 * rotation of <path> is followed to the new file after the old one is read to
 * its end). Lines that are not such objects are skipped and counted.
 *
 * logs-line.c: one line and the time formats; logs-tail.c: the backwards
 * scan; logs-read.c: the forward reader and follow. */
#ifndef BERTH_ENGINE_LOGS_LOGS_H
#define BERTH_ENGINE_LOGS_LOGS_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Longest line accepted; longer ones are skipped as bad (docker's json-file
 * splits messages at 16 KiB, so a real line is far below this). */
#define LOGS_LINE_MAX (4u << 20)

enum logs_stream { LOGS_STDOUT = 1, LOGS_STDERR = 2 };

struct logs_entry {
	enum logs_stream stream;
	int64_t time_ns; /* since the epoch */
	char *data;	 /* the "log" value (may hold NULs) */
	size_t len;
};

void logs_entry_clear(struct logs_entry *e);

/* One json-file line (without its '\n'). -1 (no message) when it is not an
 * object with a string "log", a "stream" of stdout/stderr and a valid
 * "time". */
int logs_parse_line(const char *line, size_t len, struct logs_entry *out);

/* RFC 3339 with an optional fraction and Z or +hh:mm ("2026-11-23T16:25:19.4267Z")
 * -> ns since the epoch; -1 when malformed. */
int logs_parse_time(const char *s, size_t len, int64_t *ns);
/* docker's RFC3339NanoFixed in UTC: "2026-11-23T16:25:19.426708791Z" (30
 * characters); buf must hold LOGS_TIME_LEN + 1. */
#define LOGS_TIME_LEN 30
void logs_format_time(int64_t ns, char *buf);
/* The API's since/until values: unix seconds with an optional fraction of up
 * to 9 digits ("1700000000", "1700000000.5"), as the CLI sends them, or an
 * RFC 3339 time. "" and "0" give 0 (no bound). EINVAL naming the value. */
int logs_parse_api_time(const char *s, int64_t *ns, struct berth_error **err);
/* docker's tail: "all", "" or a negative or unparsable number -> -1 (all). */
long long logs_parse_tail(const char *s);

struct logs_options {
	bool want_stdout;
	bool want_stderr;
	int64_t since_ns; /* 0: no bound; entries before it are skipped */
	int64_t until_ns; /* 0: no bound; the first entry after it ends the read */
	long long tail;	  /* the last N lines of the log (-1: all) */
	bool follow;
};

struct logs_stats {
	size_t lines;	  /* entries given to emit */
	size_t bad_lines; /* lines skipped as malformed (or too long) */
};

/* An entry for the consumer; <0 stops the read (client gone). */
typedef int (*logs_emit_fn)(const struct logs_entry *e, void *arg);
/* follow: asked between waits. 1: the writer is live (keep following); 0:
 * the writer is done (read what is left, then return); <0: give up now. */
typedef int (*logs_live_fn)(void *arg);

/* Read the log at path (and its rotations). Returns 0 at the end (or when
 * emit/live asked to stop), -1 with *err when the log cannot be read. A log
 * that does not exist yet is empty (and waited for when following). */
int logs_read(const char *path, const struct logs_options *o, logs_emit_fn emit, logs_live_fn live,
	      void *arg, struct logs_stats *st, struct berth_error **err);

/* ---- internals shared by the logs-*.c files (tested by test-logs.c) ---- */

/* The rotated files of path that exist, oldest first, then path itself
 * (whether or not it exists): {"p.2", "p.1", "p", NULL}. */
char **logs_files(const char *path);
/* Where the last n complete lines of the file begin: scans backwards from the
 * last '\n' (a partial last line is not counted). *found = how many lines
 * there are from *off to that '\n' (< n when the file has fewer). */
int logs_tail_offset(int fd, long long n, off_t *off, long long *found, struct berth_error **err);

#endif
