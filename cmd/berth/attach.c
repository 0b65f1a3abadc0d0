/* berth attach, and the attached session that run, start -a and exec use
 * (see ctr-io.h). */
#include "ctr-io.h"
#include "term.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

int ctr_attach_open(struct cli *cli, const char *id, bool in, bool out, bool errs,
		    const char *detach_keys, struct hj_conn **conn, struct berth_error **err)
{
	cleanup_free char *eid = cli_path_escape(id);
	cleanup_free char *keys =
	    detach_keys && *detach_keys ? cli_query_escape(detach_keys) : NULL;
	cleanup_free char *path =
	    xasprintf("/containers/%s/attach?%s%s%s%s%s%sstream=1", eid, keys ? "detachKeys=" : "",
		      keys ? keys : "", keys ? "&" : "", errs ? "stderr=1&" : "",
		      in ? "stdin=1&" : "", out ? "stdout=1&" : "");
	struct hj_req req = {.method = "POST", .path = path, .upgrade = true};
	struct hj_conn *c = NULL;
	if (hj_open(cli, &req, &c, err) < 0)
		return -1;
	if (c->status != 101 && c->status != 200) {
		hj_daemon_error(c, err);
		hj_close(c);
		return -1;
	}
	*conn = c;
	return 0;
}

int ctr_wait_open(struct cli *cli, const char *id, const char *condition, struct hj_conn **conn,
		  struct berth_error **err)
{
	cleanup_free char *eid = cli_path_escape(id);
	cleanup_free char *path =
	    xasprintf("/containers/%s/wait%s%s", eid, condition ? "?condition=" : "",
		      condition ? condition : "");
	struct hj_req req = {.method = "POST", .path = path};
	struct hj_conn *c = NULL;
	if (hj_open(cli, &req, &c, err) < 0)
		return -1;
	if (c->status >= 300) {
		hj_daemon_error(c, err);
		hj_close(c);
		return -1;
	}
	*conn = c;
	return 0;
}

int ctr_wait_result(struct hj_conn *conn, int *status, struct berth_error **err)
{
	cleanup_free char *body = NULL;
	size_t len;
	if (hj_read_all(conn, &body, &len, err) < 0)
		return -1;
	json_error_t jerr;
	cleanup_json json_t *j = json_loadb(body, len, 0, &jerr);
	if (j == NULL)
		return berth_error_set(err, EPROTO, "invalid reply to wait: %s", jerr.text);
	json_t *e = json_object_get(j, "Error");
	const char *m = json_string_value(json_object_get(e, "Message"));
	if (m && *m)
		return berth_error_set(err, EIO, "%s", m);
	*status = (int)json_integer_value(json_object_get(j, "StatusCode"));
	return 0;
}

void ctr_resize(struct cli *cli, const char *kind, const char *id, int delta)
{
	int rows, cols;
	if (term_size(STDOUT_FILENO, &rows, &cols) < 0)
		return;
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	cleanup_free char *eid = cli_path_escape(id);
	cleanup_free char *path =
	    xasprintf("/%s/%s/resize?h=%d&w=%d", kind, eid, rows + delta, cols + delta);
	if (c == NULL || client_json(c, "POST", path, NULL, NULL, &err) < 0) {
		if (cli->debug)
			fprintf(stderr, "DEBU resize: %s\n", err->msg);
		berth_error_free(&err);
	}
}

int ctr_check_tty(bool attach_stdin, bool tty, struct berth_error **err)
{
	if (attach_stdin && tty && !isatty(STDIN_FILENO))
		return berth_error_set(err, EINVAL, "the input device is not a TTY");
	return 0;
}

static const int proxied[] = {SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, 0};
static const int winch[] = {SIGWINCH, 0};

static void session_signal(int sig, void *arg)
{
	struct ctr_session *s = arg;
	if (sig == SIGWINCH) {
		ctr_resize(s->cli, s->kind, s->id, 0);
		return;
	}
	struct berth_error *err = NULL;
	struct client *c = cli_client(s->cli, &err);
	cleanup_free char *eid = cli_path_escape(s->id);
	cleanup_free char *path =
	    xasprintf("/containers/%s/kill?signal=%s", eid, term_signal_name(sig));
	if (c == NULL || client_json(c, "POST", path, NULL, NULL, &err) < 0) {
		fprintf(stderr, "error sending signal: %s\n", err->msg);
		berth_error_free(&err);
	}
}

int ctr_session_run(struct ctr_session *s, struct berth_error **err)
{
	signal(SIGPIPE, SIG_IGN);
	bool raw = s->tty && s->in && isatty(STDIN_FILENO);
	cleanup_free unsigned char *keys = NULL;
	size_t nkeys = 0;
	if (raw) {
		const char *k =
		    s->detach_keys && *s->detach_keys ? s->detach_keys : "ctrl-p,ctrl-q";
		if (ctr_detach_keys(k, &keys, &nkeys, err) < 0)
			return -1;
	}
	int sig_fd = -1;
	if (s->tty && isatty(STDOUT_FILENO))
		sig_fd = term_signals_catch(winch);
	bool proxy = s->sig_proxy && !s->tty && strcmp(s->kind, "containers") == 0;
	if (proxy)
		sig_fd = term_signals_catch(proxied);
	if (raw && term_raw(STDIN_FILENO) < 0)
		return berth_error_errno(err, "set the terminal in raw mode");
	struct hj_pump p = {
	    .conn = s->conn,
	    .tty = s->tty,
	    .in_fd = s->in ? STDIN_FILENO : -1,
	    .keys = keys,
	    .nkeys = nkeys,
	    .sig_fd = sig_fd,
	    .on_signal = session_signal,
	    .arg = s,
	};
	int rc = hj_pump(&p, err);
	term_restore();
	if (proxy)
		term_signals_release(proxied);
	if (sig_fd >= 0)
		term_signals_release(winch);
	return rc;
}

int cmd_attach(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "attach",
	    "[OPTIONS] CONTAINER",
	    "Attach local standard input, output, and error streams to a running container",
	    CLI_NAME " container attach, " CLI_NAME " attach",
	    1,
	    1,
	    false};
	const char *keys = NULL;
	bool no_stdin = false, sig_proxy = true;
	const struct cli_opt opts[] = {
	    {0, "detach-keys", CLI_OPT_STRING, &keys, "string",
	     "Override the key sequence for detaching a container"},
	    {0, "no-stdin", CLI_OPT_BOOL, &no_stdin, NULL, "Do not attach STDIN"},
	    {0, "sig-proxy", CLI_OPT_BOOL, &sig_proxy, NULL,
	     "Proxy all received signals to the process (default true)"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	const char *name = argv[first];
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	struct hj_conn *wait = NULL, *conn = NULL;
	if (ctr_wait_open(cli, name, NULL, &wait, &err) < 0)
		return cli_fail(&err);
	cleanup_free char *eid = cli_path_escape(name);
	cleanup_free char *path = xasprintf("/containers/%s/json", eid);
	cleanup_json json_t *info = NULL;
	if (client_json(c, "GET", path, NULL, &info, &err) < 0)
		goto fail;
	json_t *state = json_object_get(info, "State");
	json_t *cfg = json_object_get(info, "Config");
	if (!json_is_true(json_object_get(state, "Running"))) {
		berth_error_set(&err, EINVAL,
				"You cannot attach to a stopped container, start it "
				"first");
		goto fail;
	}
	if (json_is_true(json_object_get(state, "Paused"))) {
		berth_error_set(&err, EINVAL,
				"You cannot attach to a paused container, unpause it "
				"first");
		goto fail;
	}
	bool tty = json_is_true(json_object_get(cfg, "Tty"));
	bool in = !no_stdin && json_is_true(json_object_get(cfg, "OpenStdin"));
	if (ctr_check_tty(in, tty, &err) < 0)
		goto fail;
	if (ctr_attach_open(cli, name, in, true, true, keys, &conn, &err) < 0)
		goto fail;
	if (tty && isatty(STDOUT_FILENO)) {
		/* one size off first, then the real one: the program redraws */
		ctr_resize(cli, "containers", name, 1);
		ctr_resize(cli, "containers", name, 0);
	}
	struct ctr_session s = {.cli = cli,
				.kind = "containers",
				.id = name,
				.conn = conn,
				.tty = tty,
				.in = in,
				.sig_proxy = sig_proxy,
				.detach_keys = keys};
	rc = ctr_session_run(&s, &err);
	hj_close(conn);
	if (rc < 0)
		goto fail;
	if (rc == 1) {
		hj_close(wait);
		fprintf(stderr, "read escape sequence\n");
		return 1;
	}
	int status = 0;
	if (ctr_wait_result(wait, &status, &err) < 0)
		goto fail;
	hj_close(wait);
	return status;
fail:
	hj_close(wait);
	return cli_fail(&err);
}
