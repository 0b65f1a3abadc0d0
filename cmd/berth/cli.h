/* berth: the command-line client. Same verbs and flags as the docker CLI for
 * what berth supports; talks to berthd only through the Docker Engine API
 * (client.h). One file per noun or verb; main.c holds the global flags and
 * the command table.
 *
 * A command is `int cmd_x(struct cli *cli, int argc, char **argv)` with
 * argv[0] the command's name; it returns the exit status (0, 1 for errors,
 * 125 for usage errors, as docker). */
#ifndef BERTH_CLI_H
#define BERTH_CLI_H

#include "client.h"
#include "common/error.h"

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>

#define CLI_NAME "berth"
#define CLI_EXIT_USAGE 125

struct cli {
	char *host;	  /* unix:///path, from -H, BERTH_HOST, DOCKER_HOST or the default */
	char *config_dir; /* --config, default ~/.berth */
	bool debug;
	struct client *client; /* opened on first use by cli_client() */
};

/* The client, opened and version-negotiated on first use. NULL with *err
 * ("Cannot connect to the berth daemon at ...") when the daemon is not there. */
struct client *cli_client(struct cli *cli, struct berth_error **err);

/* Print an error (its message unchanged) to stderr; returns 1. */
int cli_fail(struct berth_error **err);
/* A command run for several names (stop, rm, update): the names that
 * succeeded go to stdout as they come, the errors are kept (one a line, in
 * *errors: free it) and printed on stderr at the end, as the docker CLI
 * does. cli_errors_add appends msg; cli_errors_end prints them and returns
 * the exit status (1 if there was one, else 0). */
void cli_errors_add(char **errors, const char *msg);
int cli_errors_end(const char *errors);

/* ---- options (opts.c) ----
 * A command describes its flags in a table; cli_parse() runs getopt_long
 * with docker's (pflag's) messages and --help. */
enum cli_opt_type {
	CLI_OPT_BOOL,	/* bool *; --x, --x=true|false */
	CLI_OPT_STRING, /* const char **; last one wins */
	CLI_OPT_STRV,	/* struct cli_strv *; repeatable */
	CLI_OPT_END,
};

struct cli_strv {
	const char **v;
	size_t n;
};

struct cli_opt {
	char short_name; /* 0 for none */
	const char *long_name;
	enum cli_opt_type type;
	void *dest;
	const char *metavar; /* "string", "filter", "list" */
	const char *help;
};

struct cli_spec {
	const char *path;    /* "images", "image ls", "system df" */
	const char *usage;   /* after the path: "[OPTIONS] [REPOSITORY[:TAG]]" */
	const char *summary; /* one line */
	const char *aliases; /* "berth image ls, berth images", or NULL */
	int min_args;
	int max_args;	       /* -1: any number */
	bool interspersed_off; /* stop at the first argument (run IMAGE CMD -x...) */
};

/* Parse argv (argv[0] is the command's name). On success returns 0 and sets
 * *first to the index of the first positional argument. Returns
 * CLI_PARSE_HELP after printing help (exit 0), or CLI_EXIT_USAGE / 1 after
 * printing a usage error. */
#define CLI_PARSE_HELP (-2)
int cli_parse(const struct cli_spec *spec, const struct cli_opt *opts, int argc, char **argv,
	      int *first);
/* The exit status for a cli_parse() result that is not 0. */
static inline int cli_parse_exit(int rc)
{
	return rc == CLI_PARSE_HELP ? 0 : rc;
}
void cli_usage_error(const struct cli_spec *spec, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- small shared helpers (util.c) ---- */
bool cli_isatty(FILE *f);
/* --format: "" or "table" -> table; "json" or "{{json .}}" -> json. Anything
 * else (Go templates) is refused. Returns -1 with *err. */
enum cli_format { CLI_FORMAT_TABLE, CLI_FORMAT_JSON };
int cli_format_parse(const char *s, bool table_allowed, enum cli_format *out,
		     struct berth_error **err);
/* -f key=value filters as the API's map form {"key":{"value":true}}. */
int cli_filters(const struct cli_strv *f, json_t **out, struct berth_error **err);
/* URL path escaping of a name the user typed (keeps / : @). Caller frees. */
char *cli_path_escape(const char *s);
/* URL query escaping (everything but A-Za-z0-9-._~). Caller frees. */
char *cli_query_escape(const char *s);
/* Run a request whose reply is a JSON progress stream, rendered on stdout
 * (nothing with quiet); an error message in the stream fails it. */
int cli_stream(struct client *c, struct client_req *req, bool quiet, struct berth_error **err);
/* GET path, the body streamed to the file output (a temp file in its
 * directory, mode 0600 as docker's CopyToFile, renamed when complete;
 * removed on failure)
 * or, with no output, to stdout, which must not be a terminal (docker's
 * "cowardly refusing"). `what` leads the file's errors ("failed to save
 * image"). Returns the exit status, the error printed (save, export). */
int cli_download(struct cli *cli, const char *path, const char *output, const char *what);
/* POST a prune path and print docker's report: "Deleted <title>:", each
 * item of the reply's array `key` by print_item, a blank line (nothing of
 * that without items), then "Total reclaimed space: <HumanSize>". Returns
 * the exit status, the error printed (container prune, image prune). */
int cli_prune(struct cli *cli, const char *path, const char *key, const char *title,
	      void (*print_item)(json_t *item));
/* Print JSON as docker does for inspect (4-space indent) plus a newline. */
void cli_print_json_indent(FILE *out, json_t *v);
/* One-line compact JSON plus newline (--format json rows). */
void cli_print_json_line(FILE *out, json_t *v);
/* Ask "[y/N]" on stderr/stdin; true for y/yes. */
bool cli_confirm(const char *warning);
/* X-Registry-Auth for a reference's registry from config.json ("e30=" when
 * there are no credentials). Caller frees. */
char *cli_registry_auth_header(struct cli *cli, const char *domain);

/* A noun's verbs (berth image ls, berth system df): help, dispatch, and
 * docker's "unknown command" error. A NULL summary hides an alias. */
struct cli_sub {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
};
int cli_noun(const char *name, const char *summary, const struct cli_sub *subs, struct cli *cli,
	     int argc, char **argv);

/* ---- commands ---- */
int cmd_version(struct cli *cli, int argc, char **argv);
int cmd_info(struct cli *cli, int argc, char **argv);
int cmd_pull(struct cli *cli, int argc, char **argv);
int cmd_push(struct cli *cli, int argc, char **argv);
int cmd_images(struct cli *cli, int argc, char **argv);
int cmd_image(struct cli *cli, int argc, char **argv);
int cmd_image_inspect(struct cli *cli, int argc, char **argv);
int cmd_inspect(struct cli *cli, int argc, char **argv);
int cmd_tag(struct cli *cli, int argc, char **argv);
int cmd_rmi(struct cli *cli, int argc, char **argv);
int cmd_image_prune(struct cli *cli, int argc, char **argv);
int cmd_history(struct cli *cli, int argc, char **argv);
int cmd_save(struct cli *cli, int argc, char **argv);
int cmd_load(struct cli *cli, int argc, char **argv);
int cmd_import(struct cli *cli, int argc, char **argv);
int cmd_login(struct cli *cli, int argc, char **argv);
int cmd_logout(struct cli *cli, int argc, char **argv);
int cmd_system(struct cli *cli, int argc, char **argv);
int cmd_system_df(struct cli *cli, int argc, char **argv);

/* container commands besides the run family (ps.c, stop.c, rm.c, top.c,
 * stats.c, rename.c, update.c, cp.c, export.c, diff.c, events.c,
 * container.c, inspect.c) */
int cmd_container(struct cli *cli, int argc, char **argv);
int cmd_container_inspect(struct cli *cli, int argc, char **argv);
int cmd_container_prune(struct cli *cli, int argc, char **argv);
int cmd_ps(struct cli *cli, int argc, char **argv);
int cmd_stop(struct cli *cli, int argc, char **argv);
int cmd_kill(struct cli *cli, int argc, char **argv);
int cmd_restart(struct cli *cli, int argc, char **argv);
int cmd_pause(struct cli *cli, int argc, char **argv);
int cmd_unpause(struct cli *cli, int argc, char **argv);
int cmd_rm(struct cli *cli, int argc, char **argv);
int cmd_top(struct cli *cli, int argc, char **argv);
int cmd_stats(struct cli *cli, int argc, char **argv);
int cmd_rename(struct cli *cli, int argc, char **argv);
int cmd_update(struct cli *cli, int argc, char **argv);
int cmd_cp(struct cli *cli, int argc, char **argv);
int cmd_export(struct cli *cli, int argc, char **argv);
int cmd_diff(struct cli *cli, int argc, char **argv);
int cmd_events(struct cli *cli, int argc, char **argv);

#endif
