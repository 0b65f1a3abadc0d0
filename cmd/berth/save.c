/* berth save: GET /images/get?names=...; the tar goes to -o FILE (a temp file
 * in the same directory, renamed when complete) or to stdout (cli_download). */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

static char *names_query(int argc, char **argv)
{
	char *q = xstrdup("");
	for (int i = 0; i < argc; i++) {
		cleanup_free char *e = cli_query_escape(argv[i]);
		char *n = xasprintf("%s%snames=%s", q, i ? "&" : "", e);
		free(q);
		q = n;
	}
	return q;
}

int cmd_save(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "save",
	    "[OPTIONS] IMAGE [IMAGE...]",
	    "Save one or more images to a tar archive (streamed to STDOUT by default)",
	    CLI_NAME " image save, " CLI_NAME " save",
	    1,
	    -1};
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
	cleanup_free char *q = names_query(argc - first, argv + first);
	cleanup_free char *path = xasprintf("/images/get?%s", q);
	return cli_download(cli, path, output, "failed to save image");
}
