/* berth logs: GET /containers/{name}/json (Tty and the full id), then GET
 * /containers/{id}/logs streamed: frames demultiplexed to stdout/stderr, or
 * raw for a tty container. --since/--until in docker's time formats. */
#include "ctr-io.h"
#include "stdcopy.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>
#include <time.h>
#include <unistd.h>

static int stream_logs(struct hj_conn *conn, bool tty, struct berth_error **err)
{
	struct stdcopy sc;
	stdcopy_init(&sc, STDOUT_FILENO, STDERR_FILENO);
	char buf[32768];
	int rc = 0;
	for (;;) {
		ssize_t r = hj_read(conn, buf, sizeof(buf), err);
		if (r < 0) {
			rc = -1;
			break;
		}
		if (r == 0) {
			if (!tty)
				rc = stdcopy_end(&sc, err);
			break;
		}
		if (tty && cli_write_all(STDOUT_FILENO, buf, (size_t)r) < 0) {
			rc = berth_error_errno(err, "write the logs");
			break;
		}
		if (!tty && stdcopy_feed(&sc, buf, (size_t)r, err) < 0) {
			rc = -1;
			break;
		}
	}
	stdcopy_free(&sc);
	return rc;
}

int cmd_logs(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"logs",
					     "[OPTIONS] CONTAINER",
					     "Fetch the logs of a container",
					     CLI_NAME " container logs, " CLI_NAME " logs",
					     1,
					     1,
					     false};
	bool details = false, follow = false, timestamps = false;
	const char *since = NULL, *until = NULL, *tail = "all";
	const struct cli_opt opts[] = {
	    {0, "details", CLI_OPT_BOOL, &details, NULL, "Show extra details provided to logs"},
	    {'f', "follow", CLI_OPT_BOOL, &follow, NULL, "Follow log output"},
	    {0, "since", CLI_OPT_STRING, &since, "string",
	     "Show logs since timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. "
	     "\"42m\" for 42 minutes)"},
	    {'n', "tail", CLI_OPT_STRING, &tail, "string",
	     "Number of lines to show from the end of the logs (default \"all\")"},
	    {'t', "timestamps", CLI_OPT_BOOL, &timestamps, NULL, "Show timestamps"},
	    {0, "until", CLI_OPT_STRING, &until, "string",
	     "Show logs before a timestamp (e.g. \"2013-01-02T13:23:37Z\") or relative (e.g. "
	     "\"42m\" for 42 minutes)"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	time_t now = time(NULL);
	cleanup_free char *ts_since = NULL, *ts_until = NULL;
	if (since && *since && ctr_timestamp(since, now, &ts_since, &err) < 0) {
		fprintf(stderr, "invalid value for \"since\": %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	if (until && *until && ctr_timestamp(until, now, &ts_until, &err) < 0) {
		fprintf(stderr, "invalid value for \"until\": %s\n", err->msg);
		berth_error_free(&err);
		return 1;
	}
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *eid = cli_path_escape(argv[first]);
	cleanup_free char *ipath = xasprintf("/containers/%s/json", eid);
	cleanup_json json_t *info = NULL;
	if (client_json(c, "GET", ipath, NULL, &info, &err) < 0)
		return cli_fail(&err);
	const char *id = json_string_value(json_object_get(info, "Id"));
	bool tty = json_is_true(json_object_get(json_object_get(info, "Config"), "Tty"));
	cleanup_free char *qid = cli_path_escape(id ? id : argv[first]);
	cleanup_free char *qtail = cli_query_escape(tail && *tail ? tail : "all");
	cleanup_free char *path = xasprintf(
	    "/containers/%s/logs?%s%s%s%s%sstderr=1&stdout=1&tail=%s%s%s%s", qid,
	    details ? "details=1&" : "", follow ? "follow=1&" : "", ts_since ? "since=" : "",
	    ts_since ? ts_since : "", ts_since ? "&" : "", qtail, timestamps ? "&timestamps=1" : "",
	    ts_until ? "&until=" : "", ts_until ? ts_until : "");
	struct hj_req req = {.method = "GET", .path = path};
	struct hj_conn *conn = NULL;
	if (hj_open(cli, &req, &conn, &err) < 0)
		return cli_fail(&err);
	if (conn->status >= 300) {
		hj_daemon_error(conn, &err);
		hj_close(conn);
		return cli_fail(&err);
	}
	rc = stream_logs(conn, tty, &err);
	hj_close(conn);
	return rc < 0 ? cli_fail(&err) : 0;
}
