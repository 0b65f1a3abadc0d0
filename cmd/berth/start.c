/* berth start [-a] [-i]: POST start for each container; attached: GET json,
 * attach, wait next-exit, start, resize, the stream, the exit status. */
#include "ctr-io.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

static int start_attached(struct cli *cli, const char *name, bool interactive, const char *keys)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *eid = cli_path_escape(name);
	cleanup_free char *path = xasprintf("/containers/%s/json", eid);
	cleanup_json json_t *info = NULL;
	if (client_json(c, "GET", path, NULL, &info, &err) < 0)
		return cli_fail(&err);
	const char *id = json_string_value(json_object_get(info, "Id"));
	json_t *cfg = json_object_get(info, "Config");
	json_t *hc = json_object_get(info, "HostConfig");
	if (id == NULL)
		id = name;
	bool tty = json_is_true(json_object_get(cfg, "Tty"));
	bool in = interactive && json_is_true(json_object_get(cfg, "OpenStdin"));
	bool auto_remove = json_is_true(json_object_get(hc, "AutoRemove"));
	if (ctr_check_tty(in, tty, &err) < 0)
		return cli_fail(&err);
	struct hj_conn *conn = NULL, *wait = NULL;
	if (ctr_attach_open(cli, id, in, true, true, keys, &conn, &err) < 0)
		return cli_fail(&err);
	if (ctr_wait_open(cli, id, auto_remove ? "removed" : "next-exit", &wait, &err) < 0) {
		hj_close(conn);
		return cli_fail(&err);
	}
	cleanup_free char *spath = xasprintf("/containers/%s/start", id);
	if (client_json(c, "POST", spath, NULL, NULL, &err) < 0) {
		hj_close(conn);
		hj_close(wait);
		return cli_fail(&err);
	}
	if (tty && isatty(STDOUT_FILENO))
		ctr_resize(cli, "containers", id, 0);
	struct ctr_session s = {.cli = cli,
				.kind = "containers",
				.id = id,
				.conn = conn,
				.tty = tty,
				.in = in,
				.sig_proxy = true,
				.detach_keys = keys};
	int rc = ctr_session_run(&s, &err);
	hj_close(conn);
	if (rc != 0) {
		hj_close(wait);
		return rc == 1 ? 0 : cli_fail(&err);
	}
	int status = 0;
	rc = ctr_wait_result(wait, &status, &err);
	hj_close(wait);
	if (rc < 0)
		return cli_fail(&err);
	return status;
}

int cmd_start(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"start",
					     "[OPTIONS] CONTAINER [CONTAINER...]",
					     "Start one or more stopped containers",
					     CLI_NAME " container start, " CLI_NAME " start",
					     1,
					     -1,
					     false};
	bool attach = false, interactive = false;
	const char *keys = NULL;
	const struct cli_opt opts[] = {
	    {'a', "attach", CLI_OPT_BOOL, &attach, NULL,
	     "Attach STDOUT/STDERR and forward signals"},
	    {0, "detach-keys", CLI_OPT_STRING, &keys, "string",
	     "Override the key sequence for detaching a container"},
	    {'i', "interactive", CLI_OPT_BOOL, &interactive, NULL, "Attach container's STDIN"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	if (attach || interactive) {
		if (argc - first > 1) {
			fprintf(stderr,
				"you cannot start and attach multiple containers at once\n");
			return 1;
		}
		return start_attached(cli, argv[first], interactive, keys);
	}
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *failed = NULL;
	for (int i = first; i < argc; i++) {
		cleanup_free char *eid = cli_path_escape(argv[i]);
		cleanup_free char *path = xasprintf("/containers/%s/start", eid);
		if (client_json(c, "POST", path, NULL, NULL, &err) < 0) {
			cli_fail(&err);
			char *f = failed ? xasprintf("%s, %s", failed, argv[i]) : xstrdup(argv[i]);
			free(failed);
			failed = f;
			continue;
		}
		printf("%s\n", argv[i]);
	}
	if (failed) {
		fprintf(stderr, "Error: failed to start containers: %s\n", failed);
		return 1;
	}
	return 0;
}
