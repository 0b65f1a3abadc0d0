/* berth tag SOURCE TARGET: POST /images/{source}/tag?repo=<full name>&tag=<tag>. */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

int cmd_tag(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "tag",
	    "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
	    "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE",
	    CLI_NAME " image tag, " CLI_NAME " tag",
	    2,
	    2};
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	struct ref *ref = NULL;
	if (ref_parse_normalized(argv[first + 1], &ref, &err) < 0)
		return cli_fail(&err);
	if (ref->digest) {
		ref_free(ref);
		fprintf(stderr, "refusing to create a tag with a digest reference\n");
		return 1;
	}
	ref_tag_name_only(ref);
	cleanup_free char *name = ref_name(ref);
	cleanup_free char *qrepo = cli_query_escape(name);
	cleanup_free char *qtag = cli_query_escape(ref->tag);
	ref_free(ref);
	cleanup_free char *src = cli_path_escape(argv[first]);
	cleanup_free char *path = xasprintf("/images/%s/tag?repo=%s&tag=%s", src, qrepo, qtag);
	struct client *c = cli_client(cli, &err);
	if (c == NULL || client_json(c, "POST", path, NULL, NULL, &err) < 0)
		return cli_fail(&err);
	return 0;
}
