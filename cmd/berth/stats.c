/* berth stats [-a] [--no-stream] [--no-trunc] [--format] [CONTAINER...]:
 * one GET /containers/{id}/stats per container, in parallel as the docker
 * CLI does (a thread and a connection each): stream=0 once, or stream=1
 * redrawn every second until interrupted or every named stream ended.
 * Without names, streaming follows GET /events as docker: containers that
 * start come in, those that die (without -a) or are destroyed go. */
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
	bool hidden; /* died or destroyed (events) */
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
static void print_rows(struct worker **w, size_t n, bool no_trunc, enum cli_format fmt,
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
		if (w[i]->hidden || (w[i]->error && w[i]->last == NULL))
			continue;
		struct ctrfmt_stats_row r;
		ctrfmt_stats_row(w[i]->last, w[i]->name, no_trunc, &r);
		if (tpl) {
			cleanup_json json_t *j = ctrfmt_stats_row_json(&r, w[i]->name);
			struct berth_error *err = NULL;
			cleanup_free char *line = ctrfmt_template_render_row(tpl, j, NULL, &err);
			if (line == NULL) {
				/* as docker: the command fails on the first row that does */
				fflush(stdout);
				fprintf(stderr, "%s\n", err->msg);
				exit(1);
			}
			if (tpl->table)
				ctrfmt_table_add_line(&t, line);
			else
				printf("%s\n", line);
		} else if (fmt == CLI_FORMAT_JSON) {
			cleanup_json json_t *j = ctrfmt_stats_row_json(&r, w[i]->name);
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

/* The containers shown: workers appended by the main thread, hidden by the
 * events follower (under mu). */
struct wset {
	struct worker **v;
	size_t n;
	char **pending; /* 12-character ids the follower saw start */
	size_t npending;
};

struct follower {
	struct wset *set;
	struct client *client;
	bool all;
	pthread_t thread;
	bool started;
	bool done; /* under mu: the events stream ended (the daemon went away) */
};

static void hide(struct wset *set, const char *id)
{
	for (size_t i = 0; i < set->n; i++)
		if (strncmp(set->v[i]->name, id, 12) == 0)
			set->v[i]->hidden = true;
}

/* docker's handlers: start (and create with -a) adds, die (without -a) and
 * destroy remove. */
static int on_event(json_t *ev, void *arg, struct berth_error **err)
{
	(void)err;
	struct follower *f = arg;
	const char *action = json_string_value(json_object_get(ev, "Action"));
	const char *id = json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID"));
	if (action == NULL || id == NULL || strlen(id) < 12)
		return 0;
	pthread_mutex_lock(&mu);
	if (strcmp(action, "start") == 0 || (f->all && strcmp(action, "create") == 0)) {
		f->set->pending =
		    xrealloc(f->set->pending, (f->set->npending + 1) * sizeof(char *));
		f->set->pending[f->set->npending++] = strndup(id, 12);
	} else if ((!f->all && strcmp(action, "die") == 0) || strcmp(action, "destroy") == 0) {
		hide(f->set, id);
	}
	pthread_mutex_unlock(&mu);
	return 0;
}

static void *run_follower(void *arg)
{
	struct follower *f = arg;
	struct client_req req;
	client_req_init(&req, "GET",
			"/events?filters=%7B%22type%22%3A%7B%22container%22%3Atrue%7D%7D");
	req.on_line = on_event;
	req.arg = f;
	struct client_resp resp;
	struct berth_error *err = NULL;
	if (client_call(f->client, &req, &resp, &err) == 0)
		client_resp_clear(&resp);
	berth_error_free(&err);
	pthread_mutex_lock(&mu);
	f->done = true;
	pthread_mutex_unlock(&mu);
	return NULL;
}

/* A new worker for name, its connection opened here (main thread). */
static void add_worker(struct wset *set, struct cli *cli, const char *name, bool stream)
{
	struct worker *w = xcalloc(1, sizeof(*w));
	*w = (struct worker){.cli = cli, .name = xstrdup(name), .stream = stream};
	struct berth_error *err = NULL;
	if (open_worker_client(cli, &w->client, &err) < 0) {
		w->error = xstrdup(err->msg);
		berth_error_free(&err);
		w->done = true;
	} else {
		w->started = pthread_create(&w->thread, NULL, run_worker, w) == 0;
		if (!w->started) {
			w->error = xasprintf("cannot start a thread for %s", name);
			w->done = true;
		}
	}
	pthread_mutex_lock(&mu);
	set->v = xrealloc(set->v, (set->n + 1) * sizeof(*set->v));
	set->v[set->n++] = w;
	pthread_mutex_unlock(&mu);
}

/* The ids the follower saw start that are not shown yet. */
static void add_pending(struct wset *set, struct cli *cli)
{
	pthread_mutex_lock(&mu);
	char **ids = set->pending;
	size_t n = set->npending;
	set->pending = NULL;
	set->npending = 0;
	pthread_mutex_unlock(&mu);
	for (size_t i = 0; i < n; i++) {
		bool shown = false;
		pthread_mutex_lock(&mu);
		for (size_t k = 0; k < set->n && !shown; k++)
			shown = !set->v[k]->hidden && !set->v[k]->done &&
				strcmp(set->v[k]->name, ids[i]) == 0;
		pthread_mutex_unlock(&mu);
		if (!shown)
			add_worker(set, cli, ids[i], true);
		free(ids[i]);
	}
	free(ids);
}

static int watch(struct cli *cli, struct client *c, char **names, size_t n, bool stream,
		 bool follow, bool all, bool no_trunc, enum cli_format fmt,
		 const struct ctrfmt_template *tpl)
{
	struct wset set = {0};
	/* the other connections use the version this one negotiated (set
	 * before any thread runs) */
	setenv("BERTH_API_VERSION", client_api_version(c), 1);
	json_object_seed(0);
	struct follower f = {.set = &set, .all = all};
	/* listed and streaming: containers that start later come in, as docker */
	if (follow) {
		struct berth_error *err = NULL;
		if (open_worker_client(cli, &f.client, &err) == 0)
			f.started = pthread_create(&f.thread, NULL, run_follower, &f) == 0;
		f.done = !f.started;
		berth_error_free(&err);
	}
	for (size_t i = 0; i < n; i++)
		add_worker(&set, cli, names[i], stream);
	bool tty = cli_isatty(stdout);
	for (;;) {
		if (follow)
			add_pending(&set, cli);
		bool all_done = true;
		pthread_mutex_lock(&mu);
		for (size_t i = 0; i < set.n; i++)
			all_done &= set.v[i]->done;
		if (stream) {
			if (tty && fmt == CLI_FORMAT_TABLE)
				fputs("\033[2J\033[H", stdout);
			print_rows(set.v, set.n, no_trunc, fmt, tpl);
		}
		/* following: until the events stream ends too (no daemon) */
		bool follow_done = !follow || f.done;
		pthread_mutex_unlock(&mu);
		if (all_done && follow_done)
			break;
		if (stream)
			sleep(1);
		else
			usleep(20000);
	}
	/* the docker CLI prints no table when a container has no stats (one
	 * not found): only the errors */
	bool failed = false;
	for (size_t i = 0; i < set.n; i++)
		failed |= set.v[i]->error != NULL;
	if (!stream && !failed)
		print_rows(set.v, set.n, no_trunc, fmt, tpl);
	int rc = 0;
	for (size_t i = 0; i < set.n; i++) {
		struct worker *w = set.v[i];
		if (w->started)
			pthread_join(w->thread, NULL);
		client_free(w->client);
		if (w->error) {
			fprintf(stderr, "%s\n", w->error);
			rc = 1;
		}
		free(w->error);
		free(w->name);
		json_decref(w->last);
		free(w);
	}
	free(set.v);
	if (f.started)
		pthread_join(f.thread, NULL);
	client_free(f.client);
	for (size_t i = 0; i < set.npending; i++)
		free(set.pending[i]);
	free(set.pending);
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
	rc = watch(cli, c, names, n, !no_stream, listed && !no_stream, all, no_trunc, fmt,
		   use_tpl ? &tpl : NULL);
	ctrfmt_template_free(&tpl);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return rc;
}
