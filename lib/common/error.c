#include "common/error.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int set_va(struct berth_error **err, int code, const char *suffix, const char *fmt,
		  va_list ap)
{
	if (err == NULL || *err != NULL)
		return -1;
	char *msg = xvasprintf(fmt, ap);
	struct berth_error *e = xmalloc(sizeof(*e));
	e->code = code;
	if (suffix) {
		e->msg = xasprintf("%s: %s", msg, suffix);
		free(msg);
	} else {
		e->msg = msg;
	}
	*err = e;
	return -1;
}

int berth_error_set(struct berth_error **err, int code, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	set_va(err, code, NULL, fmt, ap);
	va_end(ap);
	return -1;
}

int berth_error_errno(struct berth_error **err, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	va_start(ap, fmt);
	set_va(err, saved, strerror(saved), fmt, ap);
	va_end(ap);
	errno = saved;
	return -1;
}

int berth_error_wrap(struct berth_error **err, const char *fmt, ...)
{
	if (err == NULL || *err == NULL)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	char *ctx = xvasprintf(fmt, ap);
	va_end(ap);
	char *msg = xasprintf("%s: %s", ctx, (*err)->msg);
	free(ctx);
	free((*err)->msg);
	(*err)->msg = msg;
	return -1;
}

void berth_error_free(struct berth_error **err)
{
	if (err == NULL || *err == NULL)
		return;
	free((*err)->msg);
	free(*err);
	*err = NULL;
}

char *berth_errno_text(int code)
{
	char *s = xstrdup(strerror(code));
	/* "No such file or directory"; not "I/O error" or "RPC struct is bad" */
	if (isupper((unsigned char)s[0]) && !isupper((unsigned char)s[1]))
		s[0] = (char)tolower((unsigned char)s[0]);
	return s;
}
