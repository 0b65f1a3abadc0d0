/* berth history: GET /images/{name}/history as docker's table or JSON rows. */
#include "cli.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <string.h>

static char *rfc3339(int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	char buf[64];
	localtime_r(&tt, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S%z", &tm);
	/* Go writes the zone as +hh:mm, or Z for UTC */
	size_t n = strlen(buf);
	if (strcmp(buf + n - 5, "+0000") == 0)
		strcpy(buf + n - 5, "Z");
	else if (n >= 5)
		memmove(buf + n - 1, buf + n - 2, 3), buf[n - 2] = ':';
	return xstrdup(buf);
}

int cmd_history(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"history",
					     "[OPTIONS] IMAGE",
					     "Show the history of an image",
					     CLI_NAME " image history, " CLI_NAME " history",
					     1,
					     1};
	bool human = true, no_trunc = false, quiet = false;
	const char *format = NULL;
	const struct cli_opt opts[] = {
	    {0, "format", CLI_OPT_STRING, &format, "string", "Format output: 'table' or 'json'"},
	    {'H', "human", CLI_OPT_BOOL, &human, NULL,
	     "Print sizes and dates in human readable format (default true)"},
	    {0, "no-trunc", CLI_OPT_BOOL, &no_trunc, NULL, "Don't truncate output"},
	    {'q', "quiet", CLI_OPT_BOOL, &quiet, NULL, "Only show image IDs"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	enum cli_format fmt;
	if (cli_format_parse(format, true, &fmt, &err) < 0)
		return cli_fail(&err);
	cleanup_free char *name = cli_path_escape(argv[first]);
	cleanup_free char *path = xasprintf("/images/%s/history", name);
	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *list = NULL;
	if (c == NULL || client_json(c, "GET", path, NULL, &list, &err) < 0)
		return cli_fail(&err);
	time_t now = time(NULL);
	struct fmt_table t = {0};
	if (!quiet && fmt == CLI_FORMAT_TABLE) {
		const char *h[] = {"IMAGE", "CREATED", "CREATED BY", "SIZE", "COMMENT"};
		fmt_table_add(&t, h, 5);
	}
	size_t i;
	json_t *h;
	json_array_foreach(list, i, h)
	{
		const char *rid = bjson_get_str(h, "Id");
		cleanup_free char *id =
		    strcmp(rid, "<missing>") == 0 ? xstrdup(rid) : fmt_trunc_id(rid, no_trunc);
		if (quiet) {
			printf("%s\n", id);
			continue;
		}
		int64_t created = bjson_get_int(h, "Created", 0);
		cleanup_free char *when = human ? fmt_time_ago(created, now) : rfc3339(created);
		cleanup_free char *by = xstrdup(bjson_get_str(h, "CreatedBy"));
		for (char *p = by; *p; p++)
			if (*p == '\t')
				*p = ' ';
		cleanup_free char *cby = no_trunc ? xstrdup(by) : fmt_ellipsis(by, 45);
		cleanup_free char *size =
		    human ? fmt_human_size_prec((double)bjson_get_int(h, "Size", 0), 3)
			  : xasprintf("%lld", (long long)bjson_get_int(h, "Size", 0));
		if (fmt == CLI_FORMAT_JSON) {
			cleanup_free char *at = rfc3339(created);
			cleanup_free char *since = fmt_time_ago(created, now);
			cleanup_json json_t *row =
			    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "Comment",
				      bjson_get_str(h, "Comment"), "CreatedAt", at, "CreatedBy",
				      cby, "CreatedSince", since, "ID", id, "Size", size);
			cli_print_json_line(stdout, row);
			continue;
		}
		const char *cells[] = {id, when, cby, size, bjson_get_str(h, "Comment")};
		fmt_table_add(&t, cells, 5);
	}
	fmt_table_flush(&t, stdout);
	return 0;
}
