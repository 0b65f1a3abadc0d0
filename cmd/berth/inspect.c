/* berth image inspect / berth container inspect / berth inspect (containers
 * first, then images, as docker; --type, -s): the daemon's objects as a JSON array,
 * indented as docker prints them; missing objects are reported after the
 * array (exit 1). */
#include "cli.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

/* GET one object; 1 when it does not exist (*err holds the daemon's message). */
static int get_object(struct client *c, const char *kind, const char *name, bool size, json_t **out,
		      struct berth_error **err)
{
	cleanup_free char *e = cli_path_escape(name);
	cleanup_free char *path = strcmp(kind, "image") == 0 ? xasprintf("/images/%s/json", e)
							     : xasprintf("/containers/%s/json%s", e,
									 size ? "?size=1" : "");
	if (client_json(c, "GET", path, NULL, out, err) == 0)
		return 0;
	return (*err)->code == ENOENT ? 1 : -1;
}

static int inspect(struct cli *cli, const char *type, bool generic, bool size, int argc,
		   char **argv)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	static const char *const kinds[] = {"container", "image", NULL};
	cleanup_json json_t *all = json_array();
	cleanup_free char *missing = NULL;
	for (int i = 0; i < argc; i++) {
		json_t *obj = NULL;
		int r = 1;
		for (const char *const *k = kinds; *k && r == 1; k++) {
			if (type && strcmp(type, *k) != 0)
				continue;
			berth_error_free(&err);
			r = get_object(c, *k, argv[i], size, &obj, &err);
		}
		if (r < 0) {
			cli_print_json_indent(stdout, all);
			return cli_fail(&err);
		}
		if (r == 0) {
			json_array_append_new(all, obj);
			continue;
		}
		cleanup_free char *msg = generic ? xasprintf("Error: No such object: %s", argv[i])
						 : xstrdup(err ? err->msg : "");
		berth_error_free(&err);
		cli_errors_add(&missing, msg);
	}
	berth_error_free(&err);
	cli_print_json_indent(stdout, all);
	return cli_errors_end(missing);
}

static int check_format(const char *format)
{
	struct berth_error *err = NULL;
	enum cli_format fmt;
	if (format && strcmp(format, "json") != 0 &&
	    cli_format_parse(format, false, &fmt, &err) < 0)
		return cli_fail(&err);
	return 0;
}

int cmd_image_inspect(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"image inspect",
					     "[OPTIONS] IMAGE [IMAGE...]",
					     "Display detailed information on one or more images",
					     NULL,
					     1,
					     -1};
	const char *format = NULL;
	const struct cli_opt opts[] = {
	    {'f', "format", CLI_OPT_STRING, &format, "string", "Format output: 'json' (default)"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	if (check_format(format))
		return 1;
	return inspect(cli, "image", false, false, argc - first, argv + first);
}

int cmd_inspect(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"inspect",
					     "[OPTIONS] NAME|ID [NAME|ID...]",
					     "Return low-level information on berth objects",
					     NULL,
					     1,
					     -1};
	const char *format = NULL, *type = NULL;
	bool size = false;
	const struct cli_opt opts[] = {
	    {'f', "format", CLI_OPT_STRING, &format, "string", "Format output: 'json' (default)"},
	    {'s', "size", CLI_OPT_BOOL, &size, NULL,
	     "Display total file sizes if the type is container"},
	    {0, "type", CLI_OPT_STRING, &type, "string", "Only inspect objects of the given type"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	if (check_format(format))
		return 1;
	if (type && *type == '\0')
		type = NULL;
	if (type && strcmp(type, "image") != 0 && strcmp(type, "container") != 0) {
		fprintf(stderr,
			"unknown type: \"%s\": must be one of \"config\", \"container\", "
			"\"image\", \"network\", \"node\", \"plugin\", \"secret\", \"service\", "
			"\"task\", \"volume\"\n",
			type);
		return 1;
	}
	return inspect(cli, type, type == NULL, size, argc - first, argv + first);
}

int cmd_container_inspect(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "container inspect",
	    "[OPTIONS] CONTAINER [CONTAINER...]",
	    "Display detailed information on one or more containers",
	    NULL,
	    1,
	    -1};
	const char *format = NULL;
	bool size = false;
	const struct cli_opt opts[] = {
	    {'f', "format", CLI_OPT_STRING, &format, "string", "Format output: 'json' (default)"},
	    {'s', "size", CLI_OPT_BOOL, &size, NULL, "Display total file sizes"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	if (check_format(format))
		return 1;
	return inspect(cli, "container", false, size, argc - first, argv + first);
}
