/* berth stop, kill, restart, pause, unpause: one POST per container as the
 * docker CLI sends it; each name that succeeded is printed on stdout, the
 * errors after them on stderr, exit status 1 when one failed. */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>

/* POST /containers/{name}/{verb}{query} for every name. */
static int each(struct cli *cli, const char *verb, const char *query, int argc, char **argv)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *errors = NULL;
	for (int i = 0; i < argc; i++) {
		cleanup_free char *e = cli_path_escape(argv[i]);
		cleanup_free char *path = xasprintf("/containers/%s/%s%s", e, verb, query);
		if (client_json(c, "POST", path, NULL, NULL, &err) < 0) {
			cli_errors_add(&errors, err->msg);
			berth_error_free(&err);
			continue;
		}
		printf("%s\n", argv[i]);
		fflush(stdout);
	}
	return cli_errors_end(errors);
}

/* "?signal=S&t=N" from what was given (Go's url.Values order). */
static char *stop_query(const char *signal, const char *time_s, struct berth_error **err)
{
	long t = 0;
	if (time_s && ctrfmt_parse_long(time_s, "-t, --time", &t, err) < 0)
		return NULL;
	cleanup_free char *sq = signal && *signal ? ctrfmt_query_escape(signal) : NULL;
	cleanup_free char *tq = time_s ? xasprintf("t=%ld", t) : NULL;
	if (sq && tq)
		return xasprintf("?signal=%s&%s", sq, tq);
	if (sq)
		return xasprintf("?signal=%s", sq);
	if (tq)
		return xasprintf("?%s", tq);
	return xstrdup("");
}

static int stop_like(struct cli *cli, const char *verb, const struct cli_spec *spec, int argc,
		     char **argv)
{
	const char *signal = NULL, *time_s = NULL;
	const struct cli_opt opts[] = {
	    {'s', "signal", CLI_OPT_STRING, &signal, "string", "Signal to send to the container"},
	    {'t', "time", CLI_OPT_STRING, &time_s, "int",
	     "Seconds to wait before killing the container"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	cleanup_free char *q = stop_query(signal, time_s, &err);
	if (q == NULL) {
		cli_usage_error(spec, "%s", err->msg);
		berth_error_free(&err);
		return CLI_EXIT_USAGE;
	}
	return each(cli, verb, q, argc - first, argv + first);
}

int cmd_stop(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"stop",
					     "[OPTIONS] CONTAINER [CONTAINER...]",
					     "Stop one or more running containers",
					     CLI_NAME " container stop, " CLI_NAME " stop",
					     1,
					     -1};
	return stop_like(cli, "stop", &spec, argc, argv);
}

int cmd_restart(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"restart",
					     "[OPTIONS] CONTAINER [CONTAINER...]",
					     "Restart one or more containers",
					     CLI_NAME " container restart, " CLI_NAME " restart",
					     1,
					     -1};
	return stop_like(cli, "restart", &spec, argc, argv);
}

int cmd_kill(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"kill",
					     "[OPTIONS] CONTAINER [CONTAINER...]",
					     "Kill one or more running containers",
					     CLI_NAME " container kill, " CLI_NAME " kill",
					     1,
					     -1};
	const char *signal = NULL;
	const struct cli_opt opts[] = {
	    {'s', "signal", CLI_OPT_STRING, &signal, "string", "Signal to send to the container"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_free char *sq = signal && *signal ? ctrfmt_query_escape(signal) : NULL;
	cleanup_free char *q = sq ? xasprintf("?signal=%s", sq) : xstrdup("");
	return each(cli, "kill", q, argc - first, argv + first);
}

static int no_flags(struct cli *cli, const char *verb, const struct cli_spec *spec, int argc,
		    char **argv)
{
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	int first;
	int rc = cli_parse(spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	return each(cli, verb, "", argc - first, argv + first);
}

int cmd_pause(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"pause",
					     "CONTAINER [CONTAINER...]",
					     "Pause all processes within one or more containers",
					     CLI_NAME " container pause, " CLI_NAME " pause",
					     1,
					     -1};
	return no_flags(cli, "pause", &spec, argc, argv);
}

int cmd_unpause(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"unpause",
					     "CONTAINER [CONTAINER...]",
					     "Unpause all processes within one or more containers",
					     CLI_NAME " container unpause, " CLI_NAME " unpause",
					     1,
					     -1};
	return no_flags(cli, "unpause", &spec, argc, argv);
}
