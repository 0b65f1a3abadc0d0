/* berth import: POST /images/create?fromSrc=-&repo=... with a rootfs tar
 * (a file or stdin) as the body, or fromSrc=URL without one. */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

static void append(char **q, const char *key, const char *value)
{
	cleanup_free char *e = cli_query_escape(value);
	char *n = xasprintf("%s%s%s=%s", *q, **q ? "&" : "", key, e);
	free(*q);
	*q = n;
}

int cmd_import(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "import",
	    "[OPTIONS] file|URL|- [REPOSITORY[:TAG]]",
	    "Import the contents from a tarball to create a filesystem image",
	    CLI_NAME " image import, " CLI_NAME " import",
	    1,
	    2};
	struct cli_strv changes = {0};
	const char *message = NULL, *platform = NULL;
	const struct cli_opt opts[] = {
	    {'c', "change", CLI_OPT_STRV, &changes, "list",
	     "Apply Dockerfile instruction to the created image"},
	    {'m', "message", CLI_OPT_STRING, &message, "string",
	     "Set commit message for imported image"},
	    {0, "platform", CLI_OPT_STRING, &platform, "string",
	     "Set platform if server is multi-platform capable"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	cleanup_free const char **cv = changes.v;
	if (rc)
		return cli_parse_exit(rc);
	const char *src = argv[first];
	const char *repo = first + 1 < argc ? argv[first + 1] : NULL;
	struct berth_error *err = NULL;
	if (repo) {
		struct ref *ref = NULL;
		if (ref_parse_normalized(repo, &ref, &err) < 0)
			return cli_fail(&err);
		ref_free(ref);
	}
	bool url = strncmp(src, "http://", 7) == 0 || strncmp(src, "https://", 8) == 0;
	cleanup_close int fd = -1;
	if (!url && strcmp(src, "-") != 0) {
		fd = open(src, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "open %s: %s\n", src, strerror(errno));
			return 1;
		}
	}
	cleanup_free char *q = xstrdup("");
	for (size_t i = 0; i < changes.n; i++)
		append(&q, "changes", changes.v[i]);
	append(&q, "fromSrc", url ? src : "-");
	if (message && *message)
		append(&q, "message", message);
	if (platform && *platform)
		append(&q, "platform", platform);
	if (repo)
		append(&q, "repo", repo);
	cleanup_free char *path = xasprintf("/images/create?%s", q);
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	struct client_req req;
	client_req_init(&req, "POST", path);
	if (!url) {
		req.upload_fd = fd >= 0 ? fd : STDIN_FILENO;
		req.content_type = "text/plain";
	}
	if (cli_stream(c, &req, false, &err) < 0)
		return cli_fail(&err);
	return 0;
}
