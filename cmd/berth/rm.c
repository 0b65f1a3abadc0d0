/* berth rm (-f, -v, -l): DELETE /containers/{name}; berth container prune:
 * POST /containers/prune. */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

int cmd_rm(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"rm",
					     "[OPTIONS] CONTAINER [CONTAINER...]",
					     "Remove one or more containers",
					     CLI_NAME " container rm, " CLI_NAME
						      " container remove, " CLI_NAME " rm",
					     1,
					     -1};
	bool force = false, link = false, volumes = false;
	const struct cli_opt opts[] = {
	    {'f', "force", CLI_OPT_BOOL, &force, NULL,
	     "Force the removal of a running container (uses SIGKILL)"},
	    {'l', "link", CLI_OPT_BOOL, &link, NULL, "Remove the specified link"},
	    {'v', "volumes", CLI_OPT_BOOL, &volumes, NULL,
	     "Remove anonymous volumes associated with the container"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	char q[64] = "";
	if (force)
		strcat(q, "&force=1");
	if (link)
		strcat(q, "&link=1");
	if (volumes)
		strcat(q, "&v=1");
	if (*q)
		q[0] = '?';
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *errors = NULL;
	for (int i = first; i < argc; i++) {
		const char *name = argv[i];
		while (*name == '/')
			name++;
		cleanup_free char *msg = NULL;
		if (*name == '\0') {
			msg = xstrdup("Error: container name cannot be empty");
		} else {
			cleanup_free char *e = cli_path_escape(name);
			cleanup_free char *path = xasprintf("/containers/%s%s", e, q);
			if (client_json(c, "DELETE", path, NULL, NULL, &err) < 0) {
				/* docker: with -f a missing container is not a failure */
				if (force && err->code == ENOENT) {
					fprintf(stderr, "%s\n", err->msg);
					berth_error_free(&err);
					continue;
				}
				msg = xstrdup(err->msg);
				berth_error_free(&err);
			}
		}
		if (msg) {
			cli_errors_add(&errors, msg);
			continue;
		}
		printf("%s\n", name);
		fflush(stdout);
	}
	return cli_errors_end(errors);
}

static void print_id(json_t *item)
{
	printf("%s\n", json_string_value(item) ?: "");
}

int cmd_container_prune(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "container prune", "[OPTIONS]", "Remove all stopped containers", NULL, 0, 0};
	bool force = false;
	struct cli_strv filters = {0};
	const struct cli_opt opts[] = {
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
	if (ctrfmt_filters_parse(filters.v, filters.n, &f, &err) < 0)
		return cli_fail(&err);
	if (!force && !cli_confirm("WARNING! This will remove all stopped containers."))
		return 0;
	cleanup_free char *path = NULL;
	if (json_object_size(f) > 0) {
		cleanup_free char *fs = json_dumps(f, JSON_COMPACT | JSON_SORT_KEYS);
		cleanup_free char *fq = ctrfmt_query_escape(fs);
		path = xasprintf("/containers/prune?filters=%s", fq);
	} else {
		path = xstrdup("/containers/prune");
	}
	return cli_prune(cli, path, "ContainersDeleted", "Containers", print_id);
}
