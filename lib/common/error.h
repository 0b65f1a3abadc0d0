/* berth_error: the error contract of every fallible function (see docs/errors.md).
 *
 * A function that can fail takes `struct berth_error **err` last, returns a
 * negative value on failure and fills *err with an errno-style code and a
 * message naming what failed on which input. Callers add context with
 * berth_error_wrap(). Only main() prints. */
#ifndef BERTH_COMMON_ERROR_H
#define BERTH_COMMON_ERROR_H

#include <stdarg.h>

struct berth_error {
	int code; /* errno value, 0 when not from a syscall */
	char *msg;
};

typedef struct berth_error berth_error;

/* Set *err (if err is non-NULL and *err is NULL) and return -1. */
int berth_error_set(struct berth_error **err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Like berth_error_set with code = errno, appending ": strerror(errno)". */
int berth_error_errno(struct berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Prefix the message of *err with "context: ". Returns -1. */
int berth_error_wrap(struct berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void berth_error_free(struct berth_error **err);
/* Go's text for an errno value, as dockerd and runc print it: strerror with
 * a lower-case first letter ("no such file or directory"); the docker CLI
 * picks exit codes 126/127 by these texts. The caller frees. */
char *berth_errno_text(int code);

#endif
