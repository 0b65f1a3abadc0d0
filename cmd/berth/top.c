/* berth top CONTAINER [ps OPTIONS]: GET /containers/{name}/top?ps_args=...,
 * printed as docker does (tabwriter, cells at least 20 wide). */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>

int cmd_top(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"top",
					     "CONTAINER [ps OPTIONS]",
					     "Display the running processes of a container",
					     CLI_NAME " container top, " CLI_NAME " top",
					     1,
					     1};
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	/* flags stop at the container's name: what follows goes to ps */
	int n = 1;
	while (n < argc && argv[n][0] == '-')
		n++;
	int first;
	int rc = cli_parse(&spec, opts, n < argc ? n + 1 : argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	const char *name = argv[first];
	cleanup_free char *args = xstrdup("");
	for (int i = first + 1; i < argc; i++) {
		char *a = *args ? xasprintf("%s %s", args, argv[i]) : xstrdup(argv[i]);
		free(args);
		args = a;
	}
	cleanup_free char *e = cli_path_escape(name);
	cleanup_free char *qa = ctrfmt_query_escape(args);
	cleanup_free char *path = *args ? xasprintf("/containers/%s/top?ps_args=%s", e, qa)
					: xasprintf("/containers/%s/top", e);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *top = NULL;
	if (c == NULL || client_json(c, "GET", path, NULL, &top, &err) < 0)
		return cli_fail(&err);
	struct fmt_table t = {0};
	json_t *titles = json_object_get(top, "Titles");
	size_t nt = json_array_size(titles), i, j;
	json_t *v, *proc;
	cleanup_free const char **cells = xcalloc(nt + 1, sizeof(*cells));
	json_array_foreach(titles, i, v) cells[i] = json_string_value(v) ?: "";
	fmt_table_add(&t, cells, nt);
	json_array_foreach(json_object_get(top, "Processes"), i, proc)
	{
		size_t np = json_array_size(proc);
		cleanup_free const char **pc = xcalloc(np + 1, sizeof(*pc));
		json_array_foreach(proc, j, v) pc[j] = json_string_value(v) ?: "";
		fmt_table_add(&t, pc, np);
	}
	fmt_table_flush_min(&t, stdout, 20);
	return 0;
}
