/* berth stats [-a] [--no-stream] [--no-trunc] [--format json] [CONTAINER...]:
 * one GET /containers/{id}/stats per container, in parallel as the docker
 * CLI does (a thread and a connection each): stream=0 once, or stream=1
 * redrawn every second until interrupted or every stream ended. */
#include "cli.h"
#include "ctrfmt.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <pthread.h>
#include <string.h>
#include <unistd.h>

struct worker {
	struct cli *cli;
	char *name; /* as typed, or the 12-character id from the list */
	struct client *client;
	bool stream;
	pthread_t thread;
	bool started;
	/* under mu */
	json_t *last;
	char *error;
	bool done;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

static int on_sample(json_t *msg, void *arg, struct berth_error **err)
{
	(void)err;
	struct worker *w = arg;
	pthread_mutex_lock(&mu);
	json_decref(w->last);
	w->last = json_incref(msg);
	pthread_mutex_unlock(&mu);
	return 0;
}

static void *run_worker(void *arg)
{
	struct worker *w = arg;
	struct berth_error *err = NULL;
	cleanup_free char *e = cli_path_escape(w->name);
	cleanup_free char *path = xasprintf("/containers/%s/stats?stream=%d", e, w->stream ? 1 : 0);
	struct client_req req;
	client_req_init(&req, "GET", path);
	req.on_line = on_sample;
	req.arg = w;
	req.lines_any_type = true;
	struct client_resp resp;
	if (client_call(w->client, &req, &resp, &err) == 0)
		client_resp_clear(&resp);
	pthread_mutex_lock(&mu);
	if (err)
		w->error = xstrdup(err->msg);
	w->done = true;
	pthread_mutex_unlock(&mu);
	berth_error_free(&err);
	return NULL;
}

/* A worker's own connection, opened here before any thread runs (libcurl's
 * and jansson's lazy global setup is not thread-safe), with the version
 * the main connection negotiated. */
static int open_worker_client(struct cli *cli, struct client **out, struct berth_error **err)
{
	if (client_open(cli->host, cli->debug, out, err) < 0)
		return -1;
	if (client_negotiate(*out, err) < 0) {
		client_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* Print the current rows; with the lock held. */
static void print_rows(struct worker *w, size_t n, bool no_trunc, enum cli_format fmt,
		       const struct ctrfmt_template *tpl)
{
	struct fmt_table t = {0};
	if (tpl && tpl->table) {
		cleanup_free char *h = ctrfmt_template_header(tpl, ctrfmt_stats_headers);
		ctrfmt_table_add_line(&t, h);
	} else if (!tpl && fmt == CLI_FORMAT_TABLE) {
		const char *h[] = {"CONTAINER ID", "NAME",    "CPU %",	   "MEM USAGE / LIMIT",
				   "MEM %",	   "NET I/O", "BLOCK I/O", "PIDS"};
		fmt_table_add(&t, h, 8);
	}
	for (size_t i = 0; i < n; i++) {
		if (w[i].error && w[i].last == NULL)
			continue;
		struct ctrfmt_stats_row r;
		ctrfmt_stats_row(w[i].last, w[i].name, no_trunc, &r);
		if (tpl) {
			cleanup_json json_t *j = ctrfmt_stats_row_json(&r, w[i].name);
			cleanup_free char *line = ctrfmt_template_render(tpl, j);
			if (tpl->table)
				ctrfmt_table_add_line(&t, line);
			else
				printf("%s\n", line);
		} else if (fmt == CLI_FORMAT_JSON) {
			cleanup_json json_t *j = ctrfmt_stats_row_json(&r, w[i].name);
			cleanup_free char *line = ctrfmt_go_json(j);
			printf("%s\n", line);
		} else {
			const char *c[] = {r.id,       r.name,	 r.cpu,	     r.mem_usage,
					   r.mem_perc, r.net_io, r.block_io, r.pids};
			fmt_table_add(&t, c, 8);
		}
		ctrfmt_stats_row_clear(&r);
	}
	fmt_table_flush(&t, stdout);
	fflush(stdout);
}

/* The containers to watch when none was named: GET /containers/json. */
static int list_containers(struct client *c, bool all, char ***names, size_t *n,
			   struct berth_error **err)
{
	cleanup_json json_t *list = NULL;
	if (client_json(c, "GET", all ? "/containers/json?all=1" : "/containers/json", NULL, &list,
			err) < 0)
		return -1;
	size_t k;
	json_t *ctr;
	*names = xcalloc(json_array_size(list) + 1, sizeof(char *));
	*n = 0;
	json_array_foreach(list, k, ctr)
	{
		json_t *id = json_object_get(ctr, "Id");
		if (json_is_string(id))
			(*names)[(*n)++] = fmt_trunc_id(json_string_value(id), false);
	}
	return 0;
}

static int watch(struct cli *cli, struct client *c, char **names, size_t n, bool stream,
		 bool no_trunc, enum cli_format fmt, const struct ctrfmt_template *tpl)
{
	cleanup_free struct worker *w = xcalloc(n + 1, sizeof(*w));
	/* the workers' connections use the version this one negotiated (set
	 * before any thread runs) */
	setenv("BERTH_API_VERSION", client_api_version(c), 1);
	json_object_seed(0);
	for (size_t i = 0; i < n; i++) {
		w[i] = (struct worker){.cli = cli, .name = names[i], .stream = stream};
		struct berth_error *err = NULL;
		if (open_worker_client(cli, &w[i].client, &err) < 0) {
			w[i].error = xstrdup(err->msg);
			berth_error_free(&err);
			w[i].done = true;
			continue;
		}
		w[i].started = pthread_create(&w[i].thread, NULL, run_worker, &w[i]) == 0;
		if (!w[i].started) {
			w[i].error = xasprintf("cannot start a thread for %s", names[i]);
			w[i].done = true;
		}
	}
	bool tty = cli_isatty(stdout);
	for (;;) {
		bool all_done = true;
		pthread_mutex_lock(&mu);
		for (size_t i = 0; i < n; i++)
			all_done &= w[i].done;
		if (stream) {
			if (tty && fmt == CLI_FORMAT_TABLE)
				fputs("\033[2J\033[H", stdout);
			print_rows(w, n, no_trunc, fmt, tpl);
		}
		pthread_mutex_unlock(&mu);
		if (all_done)
			break;
		if (stream)
			sleep(1);
		else
			usleep(20000);
	}
	if (!stream)
		print_rows(w, n, no_trunc, fmt, tpl);
	int rc = 0;
	for (size_t i = 0; i < n; i++) {
		if (w[i].started)
			pthread_join(w[i].thread, NULL);
		client_free(w[i].client);
		if (w[i].error) {
			fprintf(stderr, "%s\n", w[i].error);
			rc = 1;
		}
		free(w[i].error);
		json_decref(w[i].last);
	}
	return rc;
}

int cmd_stats(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "stats",
	    "[OPTIONS] [CONTAINER...]",
	    "Display a live stream of container(s) resource usage statistics",
	    CLI_NAME " container stats, " CLI_NAME " stats",
	    0,
	    -1};
	bool all = false, no_stream = false, no_trunc = false;
	const char *format = NULL;
	const struct cli_opt opts[] = {
	    {'a', "all", CLI_OPT_BOOL, &all, NULL,
	     "Show all containers (default shows just running)"},
	    {0, "format", CLI_OPT_STRING, &format, "string", "Format output: 'table' or 'json'"},
	    {0, "no-stream", CLI_OPT_BOOL, &no_stream, NULL,
	     "Disable streaming stats and only pull the first result"},
	    {0, "no-trunc", CLI_OPT_BOOL, &no_trunc, NULL, "Do not truncate output"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct ctrfmt_template tpl = {0};
	bool use_tpl = ctrfmt_is_template(format);
	if (use_tpl && ctrfmt_template_parse(format, ctrfmt_stats_headers, &tpl, &err) < 0)
		return cli_fail(&err);
	if (!use_tpl && cli_format_parse(format, true, &fmt, &err) < 0)
		return cli_fail(&err);
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return ctrfmt_template_free(&tpl), cli_fail(&err);
	char **names = NULL;
	size_t n = 0;
	bool listed = first >= argc;
	if (listed) {
		if (list_containers(c, all, &names, &n, &err) < 0)
			return ctrfmt_template_free(&tpl), cli_fail(&err);
	} else {
		names = xcalloc((size_t)(argc - first) + 1, sizeof(char *));
		for (int i = first; i < argc; i++)
			names[n++] = xstrdup(argv[i]);
	}
	rc = watch(cli, c, names, n, !no_stream, no_trunc, fmt, use_tpl ? &tpl : NULL);
	ctrfmt_template_free(&tpl);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
