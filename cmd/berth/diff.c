/* berth diff CONTAINER: GET /containers/{name}/changes, one "C|A|D path"
 * line per change. */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

int cmd_diff(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "diff",
	    "CONTAINER",
	    "Inspect changes to files or directories on a container's filesystem",
	    CLI_NAME " container diff, " CLI_NAME " diff",
	    1,
	    1};
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_free char *e = cli_path_escape(argv[first]);
	cleanup_free char *path = xasprintf("/containers/%s/changes", e);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *changes = NULL;
	if (c == NULL || client_json(c, "GET", path, NULL, &changes, &err) < 0)
		return cli_fail(&err);
	size_t i;
	json_t *ch;
	json_array_foreach(changes, i, ch)
	{
		json_t *k = json_object_get(ch, "Kind");
		json_t *p = json_object_get(ch, "Path");
		printf("%c %s\n",
		       ctrfmt_change_kind(json_is_integer(k) ? json_integer_value(k) : -1),
		       json_is_string(p) ? json_string_value(p) : "");
	}
	return 0;
}
