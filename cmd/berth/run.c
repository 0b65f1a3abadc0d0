/* berth run: create (pull on 404, create again), attach before start
 * (hijacked), wait (condition=removed with --rm, next-exit otherwise), start,
 * resize, the stream; the exit status is the container's (docker's
 * sequence, /work/shared/docker-api ENDPOINTS.md §4). */
#include "ctr-io.h"
#include "host.h"
#include "term.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* docker's runStartContainerErr: 127 for a missing program, 126 when it
 * cannot be run, else 125. */
static int start_error_status(const char *msg)
{
	if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory") ||
	    strstr(msg, "system cannot find the file specified"))
		return 127;
	if (strstr(msg, "permission denied") || strstr(msg, "is a directory"))
		return 126;
	return CLI_EXIT_USAGE;
}

static int start_container(struct cli *cli, const char *id, struct berth_error **err)
{
	struct client *c = cli_client(cli, err);
	if (c == NULL)
		return -1;
	cleanup_free char *eid = cli_path_escape(id);
	cleanup_free char *path = xasprintf("/containers/%s/start", eid);
	return client_json(c, "POST", path, NULL, NULL, err);
}

static int run_fail(const char *msg, int status)
{
	fprintf(stderr, "%s: %s\n", CLI_NAME, msg);
	return status;
}

static void remove_container(struct cli *cli, const char *id)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	cleanup_free char *path = xasprintf("/containers/%s?v=1", id);
	if (c == NULL || client_json(c, "DELETE", path, NULL, NULL, &err) < 0) {
		fprintf(stderr, "%s: %s\n", CLI_NAME, err->msg);
		berth_error_free(&err);
	}
}

/* The attached part of run once the container exists. */
static int run_attached(struct cli *cli, const struct ctr_opts *o, json_t *body, const char *id)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	bool in = json_is_true(json_object_get(body, "AttachStdin"));
	bool out = json_is_true(json_object_get(body, "AttachStdout"));
	bool errs = json_is_true(json_object_get(body, "AttachStderr"));
	const char *ver = client_api_version(c);
	bool old_rm = o->rm && cli_apiver_cmp(ver, "1.25") < 0;
	struct hj_conn *conn = NULL, *wait = NULL;
	if ((in || out || errs) &&
	    ctr_attach_open(cli, id, in, out, errs, o->detach_keys, &conn, &err) < 0) {
		int rc = run_fail(err->msg, CLI_EXIT_USAGE);
		berth_error_free(&err);
		return rc;
	}
	const char *cond = cli_apiver_cmp(ver, "1.30") < 0 ? NULL
			   : o->rm && !old_rm		   ? "removed"
							   : "next-exit";
	if (ctr_wait_open(cli, id, cond, &wait, &err) < 0) {
		hj_close(conn);
		int rc = run_fail(err->msg, CLI_EXIT_USAGE);
		berth_error_free(&err);
		return rc;
	}
	if (start_container(cli, id, &err) < 0) {
		hj_close(conn);
		hj_close(wait);
		int rc = run_fail(err->msg, start_error_status(err->msg));
		berth_error_free(&err);
		if (old_rm)
			remove_container(cli, id);
		return rc;
	}
	if (o->tty && isatty(STDOUT_FILENO))
		ctr_resize(cli, "containers", id, 0);
	if (conn) {
		struct ctr_session s = {.cli = cli,
					.kind = "containers",
					.id = id,
					.conn = conn,
					.tty = o->tty,
					.in = in,
					.sig_proxy = o->sig_proxy,
					.detach_keys = o->detach_keys};
		int rc = ctr_session_run(&s, &err);
		hj_close(conn);
		if (rc == 1) {
			hj_close(wait);
			return 0; /* detached: the container runs on */
		}
		if (rc < 0) {
			fprintf(stderr, "%s: %s\n", CLI_NAME, err->msg);
			berth_error_free(&err);
		}
	}
	int status = 0;
	if (ctr_wait_result(wait, &status, &err) < 0) {
		/* docker: "error waiting for container: unexpected EOF", 125 */
		hj_close(wait);
		fprintf(stderr, "error waiting for container: %s\n", err->msg);
		berth_error_free(&err);
		return CLI_EXIT_USAGE;
	}
	hj_close(wait);
	if (old_rm)
		remove_container(cli, id);
	return status;
}

int cmd_run(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"run",
					     "[OPTIONS] IMAGE [COMMAND] [ARG...]",
					     "Create and run a new container from an image",
					     CLI_NAME " container run, " CLI_NAME " run",
					     1,
					     -1,
					     true};
	struct ctr_opts o = {.sig_proxy = true};
	cleanup_free struct cli_opt *opts = ctr_opts_table(&o, true);
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	if (o.detach_keys && *o.detach_keys) {
		cleanup_free unsigned char *k = NULL;
		size_t n;
		if (ctr_detach_keys(o.detach_keys, &k, &n, &err) < 0)
			return ctr_opts_fail(&spec, &err);
	}
	struct client *c;
	cleanup_json json_t *body = ctr_create_body(cli, &spec, &o, argc, argv, first, &c, &rc);
	if (body == NULL)
		return rc;
	if (!o.detach &&
	    ctr_check_tty(json_is_true(json_object_get(body, "AttachStdin")), o.tty, &err) < 0)
		return cli_fail(&err);
	cleanup_free char *id = NULL;
	if (ctr_create(cli, &o, argv[first], body, &id, &err) < 0)
		return ctr_opts_fail(&spec, &err);
	if (o.detach) {
		if (start_container(cli, id, &err) < 0) {
			int st = run_fail(err->msg, start_error_status(err->msg));
			berth_error_free(&err);
			return st;
		}
		printf("%s\n", id);
		return 0;
	}
	return run_attached(cli, &o, body, id);
}
