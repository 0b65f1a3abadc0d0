/* berth image prune: POST /images/prune?filters={"dangling":{"true":true}}. */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

static void print_item(json_t *it)
{
	json_t *u = json_object_get(it, "Untagged");
	if (json_is_string(u) && *json_string_value(u))
		printf("untagged: %s\n", json_string_value(u));
	else
		printf("deleted: %s\n", json_string_value(json_object_get(it, "Deleted")) ?: "");
}

int cmd_image_prune(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"image prune", "[OPTIONS]", "Remove unused images",
					     NULL,	    0,		 0};
	bool all = false, force = false;
	struct cli_strv filters = {0};
	const struct cli_opt opts[] = {
	    {'a', "all", CLI_OPT_BOOL, &all, NULL,
	     "Remove all unused images, not just dangling ones"},
	    {0, "filter", CLI_OPT_STRV, &filters, "filter",
	     "Provide filter values (e.g. \"until=<timestamp>\")"},
	    {'f', "force", CLI_OPT_BOOL, &force, NULL, "Do not prompt for confirmation"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	cleanup_free const char **fv = filters.v;
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	cleanup_json json_t *f = NULL;
	if (cli_filters(&filters, &f, &err) < 0)
		return cli_fail(&err);
	json_object_set_new(f, "dangling", json_pack("{s:b}", all ? "false" : "true", 1));
	const char *warning =
	    all ? "WARNING! This will remove all images without at least one container "
		  "associated to them."
		: "WARNING! This will remove all dangling images.";
	if (!force && !cli_confirm(warning))
		return 0;
	cleanup_free char *fs = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cleanup_free char *q = cli_query_escape(fs);
	cleanup_free char *path = xasprintf("/images/prune?filters=%s", q);
	return cli_prune(cli, path, "ImagesDeleted", "Images", print_item);
}
