/* berth load: POST /images/load with the tar (-i FILE or stdin) as a chunked
 * body; the reply is a progress stream ("Loaded image: ..."). */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int cmd_load(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"load",
					     "[OPTIONS]",
					     "Load an image from a tar archive or STDIN",
					     CLI_NAME " image load, " CLI_NAME " load",
					     0,
					     0};
	const char *input = NULL;
	bool quiet = false;
	const struct cli_opt opts[] = {
	    {'i', "input", CLI_OPT_STRING, &input, "string",
	     "Read from tar archive file, instead of STDIN"},
	    {'q', "quiet", CLI_OPT_BOOL, &quiet, NULL, "Suppress the load output"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_close int fd = -1;
	if (input && *input) {
		fd = open(input, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "open %s: %s\n", input, strerror(errno));
			return 1;
		}
	} else if (isatty(STDIN_FILENO)) {
		fprintf(stderr, "requested load from stdin, but stdin is empty\n");
		return 1;
	}
	bool tty = cli_isatty(stdout);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	struct client_req req;
	client_req_init(&req, "POST", quiet || !tty ? "/images/load?quiet=1" : "/images/load");
	req.upload_fd = fd >= 0 ? fd : STDIN_FILENO;
	req.content_type = "application/x-tar";
	req.download_fd = STDOUT_FILENO; /* a reply that is not JSON */
	if (cli_stream(c, &req, false, &err) < 0)
		return cli_fail(&err);
	return 0;
}
