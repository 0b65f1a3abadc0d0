/* The container log in docker's json-file format, written by berth-shim:
 * one JSON object per line {"log":"...\n","stream":"stdout","time":"<RFC3339,
 * 9-digit nanoseconds, UTC>"}. Lines end at \n; a line without \n is flushed
 * as a partial entry (no trailing \n in "log") once it reaches
 * SHIM_LOG_PARTIAL_MAX bytes (docker's 16 KiB rule) or at shim_log_flush().
 * Rotation as docker does it: before writing an entry, when the file holds
 * max_size bytes or more, <path>.(n-1) -> <path>.n ... <path> -> <path>.1 and
 * a fresh <path> (max_file 1: the file is truncated). A failed write is
 * counted in `dropped`, never retried nor blocking. */
#ifndef BERTH_SHIM_LOG_H
#define BERTH_SHIM_LOG_H

#include "common/error.h"

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define SHIM_LOG_PARTIAL_MAX (16 * 1024)

enum { SHIM_STREAM_STDOUT = 1, SHIM_STREAM_STDERR = 2 };

struct shim_log;

/* max_size 0 = no rotation; max_file >= 1. The file is created (0640) if
 * absent and appended to. */
int shim_log_open(const char *path, long long max_size, int max_file, struct shim_log **out,
		  struct berth_error **err);
/* Feed bytes read from a stream; ts is the time they were read. */
void shim_log_write(struct shim_log *l, int stream, const char *data, size_t len,
		    const struct timespec *ts);
/* Write out the partial lines of both streams (at exit). */
void shim_log_flush(struct shim_log *l, const struct timespec *ts);
uint64_t shim_log_dropped(const struct shim_log *l);
void shim_log_close(struct shim_log *l);

/* RFC3339 UTC with 9 fractional digits into buf (>= 31 bytes). */
void shim_log_format_time(const struct timespec *ts, char *buf, size_t size);
/* Copy of s with invalid UTF-8 bytes replaced by U+FFFD (as Go's encoder
 * does); *outlen its length. */
char *shim_utf8_sanitize(const char *s, size_t len, size_t *outlen);

#endif
