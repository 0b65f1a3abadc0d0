/* berth rmi / berth image rm: DELETE /images/{name}, "Untagged:" and
 * "Deleted:" lines; errors for some names do not stop the others (exit 1). */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

int cmd_rmi(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"rmi",
					     "[OPTIONS] IMAGE [IMAGE...]",
					     "Remove one or more images",
					     CLI_NAME " image rm, " CLI_NAME
						      " image remove, " CLI_NAME " rmi",
					     1,
					     -1};
	bool force = false, no_prune = false;
	const struct cli_opt opts[] = {
	    {'f', "force", CLI_OPT_BOOL, &force, NULL, "Force removal of the image"},
	    {0, "no-prune", CLI_OPT_BOOL, &no_prune, NULL, "Do not delete untagged parents"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	int status = 0;
	for (int i = first; i < argc; i++) {
		cleanup_free char *name = cli_path_escape(argv[i]);
		cleanup_free char *path =
		    xasprintf("/images/%s%s%s", name, force ? "?force=1" : "",
			      no_prune ? (force ? "&noprune=1" : "?noprune=1") : "");
		cleanup_json json_t *items = NULL;
		if (client_json(c, "DELETE", path, NULL, &items, &err) < 0) {
			fflush(stdout);
			status = cli_fail(&err);
			continue;
		}
		size_t k;
		json_t *it;
		json_array_foreach(items, k, it)
		{
			json_t *u = json_object_get(it, "Untagged");
			json_t *d = json_object_get(it, "Deleted");
			if (json_is_string(u) && *json_string_value(u))
				printf("Untagged: %s\n", json_string_value(u));
			else if (json_is_string(d) && *json_string_value(d))
				printf("Deleted: %s\n", json_string_value(d));
		}
	}
	return status;
}
