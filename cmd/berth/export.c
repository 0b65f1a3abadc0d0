/* berth export [-o FILE] CONTAINER: GET /containers/{name}/export, the tar
 * streamed to the file or to stdout (never to a terminal). */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

int cmd_export(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"export",
					     "[OPTIONS] CONTAINER",
					     "Export a container's filesystem as a tar archive",
					     CLI_NAME " container export, " CLI_NAME " export",
					     1,
					     1};
	const char *output = NULL;
	const struct cli_opt opts[] = {
	    {'o', "output", CLI_OPT_STRING, &output, "string",
	     "Write to a file, instead of STDOUT"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_free char *e = cli_path_escape(argv[first]);
	cleanup_free char *path = xasprintf("/containers/%s/export", e);
	return cli_download(cli, path, output, "failed to export container");
}
