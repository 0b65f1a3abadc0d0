/* berth export [-o FILE] CONTAINER: GET /containers/{name}/export, the tar
 * streamed to the file or to stdout (never to a terminal). */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	if ((output == NULL || *output == '\0') && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or "
				"redirect\n");
		return 1;
	}
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;
	if (output && *output) {
		/* written next to the target, renamed when complete */
		tmp = xasprintf("%s.berth-export-XXXXXX", output);
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "failed to export container: create %s: %s\n", output,
				strerror(errno));
			return 1;
		}
	}
	cleanup_free char *e = cli_path_escape(argv[first]);
	cleanup_free char *path = xasprintf("/containers/%s/export", e);
	struct client_req req;
	client_req_init(&req, "GET", path);
	req.download_fd = fd >= 0 ? fd : STDOUT_FILENO;
	struct client_resp resp;
	if (client_call(c, &req, &resp, &err) < 0) {
		if (tmp)
			unlink(tmp);
		return cli_fail(&err);
	}
	client_resp_clear(&resp);
	if (tmp) {
		mode_t mask = umask(0);
		umask(mask);
		if (fchmod(fd, 0666 & ~mask) < 0 || fsync(fd) < 0 || rename(tmp, output) < 0) {
			fprintf(stderr, "failed to export container: write %s: %s\n", output,
				strerror(errno));
			unlink(tmp);
			return 1;
		}
	}
	return 0;
}
