/* berth events (--since, --until, --filter, --format json): GET /events,
 * one line per event as docker prints it, until --until is reached or the
 * user interrupts. */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>
#include <time.h>

struct events_out {
	enum cli_format fmt;
};

static int on_event(json_t *ev, void *arg, struct berth_error **err)
{
	(void)err;
	struct events_out *o = arg;
	if (o->fmt == CLI_FORMAT_JSON) {
		cli_print_json_line(stdout, ev);
	} else {
		cleanup_free char *line = ctrfmt_event_line(ev);
		printf("%s\n", line);
	}
	fflush(stdout);
	return 0;
}

static void add_param(char **q, const char *key, const char *value)
{
	cleanup_free char *v = ctrfmt_query_escape(value);
	char *n = xasprintf("%s%s%s=%s", *q, **q ? "&" : "?", key, v);
	free(*q);
	*q = n;
}

int cmd_events(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"events",
					     "[OPTIONS]",
					     "Get real time events from the server",
					     CLI_NAME " system events, " CLI_NAME " events",
					     0,
					     0};
	struct cli_strv filters = {0};
	const char *format = NULL, *since = NULL, *until = NULL;
	const struct cli_opt opts[] = {
	    {'f', "filter", CLI_OPT_STRV, &filters, "filter",
	     "Filter output based on conditions provided"},
	    {0, "format", CLI_OPT_STRING, &format, "string", "Format output: 'json'"},
	    {0, "since", CLI_OPT_STRING, &since, "string",
	     "Show all events created since timestamp"},
	    {0, "until", CLI_OPT_STRING, &until, "string", "Stream events until this timestamp"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	cleanup_free const char **fv = filters.v;
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	struct events_out o;
	if (cli_format_parse(format, false, &o.fmt, &err) < 0)
		return cli_fail(&err);
	cleanup_json json_t *f = NULL;
	if (ctrfmt_filters_parse(filters.v, filters.n, &f, &err) < 0)
		return cli_fail(&err);
	time_t now = time(NULL);
	cleanup_free char *s = NULL;
	cleanup_free char *u = NULL;
	if ((since && ctrfmt_timestamp(since, now, &s, &err) < 0) ||
	    (until && ctrfmt_timestamp(until, now, &u, &err) < 0))
		return cli_fail(&err);
	cleanup_free char *q = xstrdup("");
	if (json_object_size(f) > 0) {
		cleanup_free char *fs = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
		add_param(&q, "filters", fs);
	}
	if (s)
		add_param(&q, "since", s);
	if (u)
		add_param(&q, "until", u);
	cleanup_free char *path = xasprintf("/events%s", q);
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	struct client_req req;
	client_req_init(&req, "GET", path);
	req.on_line = on_event;
	req.arg = &o;
	struct client_resp resp;
	if (client_call(c, &req, &resp, &err) < 0)
		return cli_fail(&err);
	client_resp_clear(&resp);
	return 0;
}
