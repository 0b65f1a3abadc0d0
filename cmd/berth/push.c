/* berth push: POST /images/{name}/push?tag=... and its progress stream. */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

#include <string.h>

int cmd_push(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"push",
					     "[OPTIONS] NAME[:TAG]",
					     "Upload an image to a registry",
					     CLI_NAME " image push, " CLI_NAME " push",
					     1,
					     1};
	bool all = false, quiet = false;
	const struct cli_opt opts[] = {
	    {'a', "all-tags", CLI_OPT_BOOL, &all, NULL,
	     "Push all tags of an image to the repository"},
	    {'q', "quiet", CLI_OPT_BOOL, &quiet, NULL, "Suppress verbose output"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	struct ref *ref = NULL;
	if (ref_parse_normalized(argv[first], &ref, &err) < 0)
		return cli_fail(&err);
	if (ref->digest) {
		ref_free(ref);
		fprintf(stderr, "cannot push a digest reference\n");
		return 1;
	}
	if (all && (ref->tag || ref->digest)) {
		ref_free(ref);
		fprintf(stderr, "tag can't be used with --all-tags/-a\n");
		return 1;
	}
	if (!all && !ref->tag && !ref->digest) {
		if (!quiet)
			printf("Using default tag: %s\n", REF_DEFAULT_TAG);
		ref_tag_name_only(ref);
	}
	cleanup_free char *name = ref_familiar_name(ref);
	cleanup_free char *ename = cli_path_escape(name);
	cleanup_free char *qtag = ref->tag && !all ? cli_query_escape(ref->tag) : NULL;
	cleanup_free char *path =
	    xasprintf("/images/%s/push%s%s", ename, qtag ? "?tag=" : "", qtag ? qtag : "");
	cleanup_free char *auth = cli_registry_auth_header(cli, ref->domain);
	cleanup_free char *out = ref_string(ref);
	ref_free(ref);

	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	const char *headers[] = {auth, NULL};
	struct client_req req;
	client_req_init(&req, "POST", path);
	req.headers = headers;
	if (cli_stream(c, &req, quiet, &err) < 0)
		return cli_fail(&err);
	if (quiet)
		printf("%s\n", out);
	return 0;
}
