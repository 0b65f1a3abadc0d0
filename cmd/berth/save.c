/* berth save: GET /images/get?names=...; the tar goes to -o FILE (a temp file
 * in the same directory, renamed when complete) or to stdout. */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <unistd.h>

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
	if ((output == NULL || *output == '\0') && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or "
				"redirect\n");
		return 1;
	}
	cleanup_free char *q = names_query(argc - first, argv + first);
	cleanup_free char *path = xasprintf("/images/get?%s", q);
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);

	cleanup_free char *tmp = NULL;
	int fd = STDOUT_FILENO;
	if (output && *output) {
		cleanup_free char *d = xstrdup(output);
		tmp = xasprintf("%s/.berth-save.XXXXXX", dirname(d));
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "failed to save image: create %s: %s\n", tmp,
				strerror(errno));
			return 1;
		}
	}
	struct client_req req;
	client_req_init(&req, "GET", path);
	req.download_fd = fd;
	struct client_resp resp;
	rc = client_call(c, &req, &resp, &err);
	if (rc == 0)
		client_resp_clear(&resp);
	if (tmp) {
		if (rc == 0 && (fsync(fd) < 0 || close(fd) < 0 || rename(tmp, output) < 0)) {
			berth_error_errno(&err, "failed to save image: write %s", output);
			rc = -1;
		} else if (rc < 0) {
			close(fd);
		}
		if (rc < 0)
			unlink(tmp);
	}
	return rc < 0 ? cli_fail(&err) : 0;
}
