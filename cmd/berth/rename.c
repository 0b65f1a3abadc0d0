/* berth rename CONTAINER NEW_NAME: POST /containers/{name}/rename?name=. */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>

int cmd_rename(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"rename",
					     "CONTAINER NEW_NAME",
					     "Rename a container",
					     CLI_NAME " container rename, " CLI_NAME " rename",
					     2,
					     2};
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	const char *old = argv[first], *new = argv[first + 1];
	while (*old == '/')
		old++;
	while (*new == '/')
		new ++;
	if (*old == '\0' || *new == '\0') {
		fprintf(stderr, "Error: Neither old nor new names may be empty\n");
		return 1;
	}
	cleanup_free char *e = cli_path_escape(old);
	cleanup_free char *q = ctrfmt_query_escape(new);
	cleanup_free char *path = xasprintf("/containers/%s/rename?name=%s", e, q);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	if (client_json(c, "POST", path, NULL, NULL, &err) < 0) {
		cli_fail(&err);
		fprintf(stderr, "Error: failed to rename container named %s\n", old);
		return 1;
	}
	return 0;
}
