/* berth exec: GET /containers/{name}/json, POST /containers/{name}/exec,
 * POST /exec/{id}/start (hijacked, or plain with -d), resize, the stream,
 * then GET /exec/{id}/json for the exit code. */
#include "ctr-io.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int exec_exit_code(struct client *c, const char *id, int *code, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("/exec/%s/json", id);
	cleanup_json json_t *j = NULL;
	if (client_json(c, "GET", path, NULL, &j, err) < 0)
		return -1;
	*code = (int)json_integer_value(json_object_get(j, "ExitCode"));
	return 0;
}

struct exec_opts {
	bool detach, interactive, tty, privileged;
	const char *keys, *user, *workdir;
	struct cli_strv env, env_file;
};

static int exec_attached(struct cli *cli, struct client *c, const struct exec_opts *o,
			 const char *id)
{
	struct berth_error *err = NULL;
	cleanup_free char *path = xasprintf("/exec/%s/start", id);
	cleanup_json json_t *sb = json_pack("{s:b,s:b}", "Detach", 0, "Tty", o->tty);
	struct hj_req req = {.method = "POST", .path = path, .json = sb, .upgrade = true};
	struct hj_conn *conn = NULL;
	if (hj_open(cli, &req, &conn, &err) < 0)
		return cli_fail(&err);
	if (conn->status != 101 && conn->status != 200) {
		hj_daemon_error(conn, &err);
		hj_close(conn);
		return cli_fail(&err);
	}
	if (o->tty && isatty(STDOUT_FILENO))
		ctr_resize(cli, "exec", id, 0);
	struct ctr_session s = {.cli = cli,
				.kind = "exec",
				.id = id,
				.conn = conn,
				.tty = o->tty,
				.in = o->interactive,
				.detach_keys = o->keys};
	int rc = ctr_session_run(&s, &err);
	hj_close(conn);
	if (rc == 1)
		return 0;
	if (rc < 0)
		return cli_fail(&err);
	int code = 0;
	if (exec_exit_code(c, id, &code, &err) < 0)
		return cli_fail(&err);
	return code;
}

int cmd_exec(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"exec",
					     "[OPTIONS] CONTAINER COMMAND [ARG...]",
					     "Execute a command in a running container",
					     CLI_NAME " container exec, " CLI_NAME " exec",
					     2,
					     -1,
					     true};
	struct exec_opts o = {0};
	const struct cli_opt opts[] = {
	    {'d', "detach", CLI_OPT_BOOL, &o.detach, NULL,
	     "Detached mode: run command in the background"},
	    {0, "detach-keys", CLI_OPT_STRING, &o.keys, "string",
	     "Override the key sequence for detaching a container"},
	    {'e', "env", CLI_OPT_STRV, &o.env, "list", "Set environment variables"},
	    {0, "env-file", CLI_OPT_STRV, &o.env_file, "list",
	     "Read in a file of environment variables"},
	    {'i', "interactive", CLI_OPT_BOOL, &o.interactive, NULL,
	     "Keep STDIN open even if not attached"},
	    {0, "privileged", CLI_OPT_BOOL, &o.privileged, NULL,
	     "Give extended privileges to the command"},
	    {'t', "tty", CLI_OPT_BOOL, &o.tty, NULL, "Allocate a pseudo-TTY"},
	    {'u', "user", CLI_OPT_STRING, &o.user, "string",
	     "Username or UID (format: \"<name|uid>[:<group|gid>]\")"},
	    {'w', "workdir", CLI_OPT_STRING, &o.workdir, "string",
	     "Working directory inside the container"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	cleanup_json json_t *env = NULL;
	if (ctr_env_list(&o.env, &o.env_file, getenv, &env, &err) < 0) {
		if (err->code != CTR_OPTS_EFLAG)
			return cli_fail(&err);
		cli_usage_error(&spec, "%s", err->msg);
		berth_error_free(&err);
		return CLI_EXIT_USAGE;
	}
	if (o.keys && *o.keys) {
		cleanup_free unsigned char *k = NULL;
		size_t n;
		if (ctr_detach_keys(o.keys, &k, &n, &err) < 0)
			return cli_fail(&err);
	}
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	const char *name = argv[first];
	cleanup_free char *eid = cli_path_escape(name);
	cleanup_free char *ipath = xasprintf("/containers/%s/json", eid);
	if (client_json(c, "GET", ipath, NULL, NULL, &err) < 0)
		return cli_fail(&err);
	if (!o.detach && ctr_check_tty(o.interactive, o.tty, &err) < 0)
		return cli_fail(&err);
	json_t *cmd = json_array();
	for (int i = first + 1; i < argc; i++)
		json_array_append_new(cmd, json_string(argv[i]));
	cleanup_json json_t *body =
	    json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:b,s:s,s:o,s:s,s:o}", "User", o.user ? o.user : "",
		      "Privileged", o.privileged, "Tty", o.tty, "AttachStdin",
		      o.interactive && !o.detach, "AttachStderr", !o.detach, "AttachStdout",
		      !o.detach, "Detach", o.detach, "DetachKeys", o.keys ? o.keys : "", "Env",
		      json_incref(env), "WorkingDir", o.workdir ? o.workdir : "", "Cmd", cmd);
	cleanup_free char *cpath = xasprintf("/containers/%s/exec", eid);
	cleanup_json json_t *created = NULL;
	if (client_json(c, "POST", cpath, body, &created, &err) < 0)
		return cli_fail(&err);
	const char *id = json_string_value(json_object_get(created, "Id"));
	if (id == NULL || *id == '\0') {
		fprintf(stderr, "exec ID empty\n");
		return 1;
	}
	if (o.detach) {
		cleanup_free char *spath = xasprintf("/exec/%s/start", id);
		cleanup_json json_t *sb = json_pack("{s:b,s:b}", "Detach", 1, "Tty", o.tty);
		if (client_json(c, "POST", spath, sb, NULL, &err) < 0)
			return cli_fail(&err);
		return 0;
	}
	return exec_attached(cli, c, &o, id);
}
