/* docker's jsonmessage rendering of progress streams (see progress.h). */
#include "progress.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

void progress_init(struct progress *p, FILE *out, bool tty, int width)
{
	*p = (struct progress){.out = out, .tty = tty, .width = width};
}

static void forget_ids(struct progress *p)
{
	for (size_t i = 0; i < p->nids; i++)
		free(p->ids[i]);
	free(p->ids);
	p->ids = NULL;
	p->nids = 0;
}

void progress_free(struct progress *p)
{
	forget_ids(p);
}

/* Go's time.Duration.String() for whole seconds. */
static char *go_duration(int64_t s)
{
	if (s >= 3600)
		return xasprintf("%" PRId64 "h%" PRId64 "m%" PRId64 "s", s / 3600, s / 60 % 60,
				 s % 60);
	if (s >= 60)
		return xasprintf("%" PRId64 "m%" PRId64 "s", s / 60, s % 60);
	return xasprintf("%" PRId64 "s", s);
}

char *progress_bar(int64_t current, int64_t total, int64_t start, const char *units,
		   bool hide_counts, int width, time_t now)
{
	if (width <= 0)
		width = 200;
	if (current <= 0 && total <= 0)
		return xstrdup("");
	if (total <= 0) {
		if (units == NULL || *units == '\0') {
			cleanup_free char *h = fmt_human_size((double)current);
			return xasprintf("%8s", h);
		}
		return xasprintf("%" PRId64 " %s", current, units);
	}
	int pct = (int)((double)current / (double)total * 100) / 2;
	if (pct > 50)
		pct = 50;
	cleanup_free char *bar = xstrdup("");
	if (width > 110) {
		int spaces = 50 - pct > 0 ? 50 - pct : 0;
		free(bar);
		bar = xmalloc((size_t)pct + (size_t)spaces + 5);
		char *q = bar;
		*q++ = '[';
		for (int i = 0; i < pct; i++)
			*q++ = '=';
		*q++ = '>';
		for (int i = 0; i < spaces; i++)
			*q++ = ' ';
		*q++ = ']';
		*q++ = ' ';
		*q = '\0';
	}
	cleanup_free char *numbers = NULL;
	if (hide_counts) {
		numbers = xstrdup("");
	} else if (units == NULL || *units == '\0') {
		cleanup_free char *c = fmt_human_size((double)current);
		cleanup_free char *t = fmt_human_size((double)total);
		numbers = current > total ? xasprintf("%8s", c) : xasprintf("%8s/%s", c, t);
	} else {
		numbers = current > total
			      ? xasprintf("%" PRId64 " %s", current, units)
			      : xasprintf("%" PRId64 "/%" PRId64 " %s", current, total, units);
	}
	cleanup_free char *left = xstrdup("");
	if (current > 0 && start > 0 && pct < 50 && width > 50) {
		if (now == 0)
			now = time(NULL);
		double per = (double)((int64_t)now - start) / (double)current;
		int64_t secs = (int64_t)((double)(total - current) * per);
		cleanup_free char *d = go_duration(secs < 0 ? 0 : secs);
		free(left);
		left = xasprintf(" %s", d);
	}
	return xasprintf("%s%s%s", bar, numbers, left);
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : "";
}

static int64_t num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (json_is_integer(v))
		return json_integer_value(v);
	if (json_is_real(v))
		return (int64_t)json_real_value(v);
	return 0;
}

static int message_error(json_t *msg, struct berth_error **err)
{
	json_t *d = json_object_get(msg, "errorDetail");
	const char *m = NULL;
	if (json_is_object(d) && json_is_string(json_object_get(d, "message")))
		m = json_string_value(json_object_get(d, "message"));
	else if (json_is_string(json_object_get(msg, "error")))
		m = json_string_value(json_object_get(msg, "error"));
	if (m == NULL)
		return 0;
	return berth_error_set(err, EIO, "%s", m);
}

/* jsonmessage.Display */
static void display(struct progress *p, json_t *msg, json_t *detail, const char *bar)
{
	FILE *out = p->out;
	const char *endl = "";
	const char *stream = str(msg, "stream");
	if (p->tty && *stream == '\0' && detail) {
		fputs("\x1b[2K\r", out);
		endl = "\r";
	} else if (detail && *bar) {
		return; /* no progress bars when not on a terminal */
	}
	const char *id = str(msg, "id");
	if (*id)
		fprintf(out, "%s: ", id);
	const char *from = str(msg, "from");
	if (*from)
		fprintf(out, "(from %s) ", from);
	const char *status = str(msg, "status");
	const char *pmsg = str(msg, "progress");
	if (detail && p->tty)
		fprintf(out, "%s %s%s", status, bar, endl);
	else if (*pmsg)
		fprintf(out, "%s %s%s", status, pmsg, endl);
	else if (*stream)
		fprintf(out, "%s%s", stream, endl);
	else
		fprintf(out, "%s%s\n", status, endl);
}

int progress_message(struct progress *p, json_t *msg, struct berth_error **err)
{
	if (!json_is_object(msg))
		return 0;
	if (json_object_get(msg, "aux")) {
		if (p->aux)
			p->aux(json_object_get(msg, "aux"), p->aux_arg);
		return 0;
	}
	if (message_error(msg, err) < 0)
		return -1;
	if (p->out == NULL)
		return 0;
	json_t *detail = json_object_get(msg, "progressDetail");
	if (!json_is_object(detail))
		detail = NULL;
	cleanup_free char *bar =
	    detail ? progress_bar(num(detail, "current"), num(detail, "total"),
				  num(detail, "start"), str(detail, "units"),
				  json_is_true(json_object_get(detail, "hidecounts")), p->width,
				  p->now)
		   : xstrdup("");
	const char *id = str(msg, "id");
	size_t diff = 0;
	if (*id && (detail || *str(msg, "progress"))) {
		size_t line = p->nids;
		for (size_t i = 0; i < p->nids; i++)
			if (strcmp(p->ids[i], id) == 0)
				line = i;
		if (line == p->nids) {
			p->ids = xrealloc(p->ids, (p->nids + 1) * sizeof(*p->ids));
			p->ids[p->nids++] = xstrdup(id);
			if (p->tty)
				fputc('\n', p->out);
		}
		diff = p->nids - line;
		if (p->tty && diff > 0)
			fprintf(p->out, "\x1b[%zuA", diff);
	} else {
		/* anything else starts a new block of layer lines */
		forget_ids(p);
	}
	display(p, msg, detail, bar);
	if (*id && p->tty && diff > 0)
		fprintf(p->out, "\x1b[%zuB", diff);
	fflush(p->out);
	return 0;
}

int progress_line(json_t *msg, void *arg, struct berth_error **err)
{
	return progress_message(arg, msg, err);
}
