/* berth image inspect / berth container inspect / berth inspect (containers
 * first, then images, as docker; --type, -s): the daemon's objects as a JSON array,
 * indented as docker prints them; missing objects are reported after the
 * array (exit 1). */
#include "cli.h"
#include "gotmpl.h"

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

/* A -f template (NULL: the indented JSON array): docker's
 * TemplateInspector renders each object on its line; the lines are written
 * at the end, a lone newline when there are none; a failed rendering is
 * one of the errors. */
struct inspect_out {
	struct gotmpl *tmpl;
	json_t *all;
	char *lines;
	size_t nlines;
	char *errors;
};

static void add_object(struct inspect_out *o, json_t *obj)
{
	if (o->tmpl == NULL) {
		json_array_append_new(o->all, obj);
		return;
	}
	struct berth_error *err = NULL;
	char *line = NULL;
	struct gotmpl_opts opts = {.raw_fallback = true};
	if (gotmpl_render_opts(o->tmpl, obj, &opts, &line, &err) == 0) {
		char *l = xasprintf("%s%s\n", o->lines ? o->lines : "", line);
		free(o->lines);
		o->lines = l;
		o->nlines++;
	} else {
		cleanup_free char *msg = xasprintf("template parsing error: %s", err->msg);
		cli_errors_add(&o->errors, msg);
	}
	free(line);
	berth_error_free(&err);
	json_decref(obj);
}

static void flush_out(struct inspect_out *o)
{
	if (o->tmpl == NULL)
		cli_print_json_indent(stdout, o->all);
	else
		fputs(o->nlines ? o->lines : "\n", stdout);
	fflush(stdout);
}

static int inspect_objects(struct client *c, const char *const *kinds, const char *type,
			   bool generic, bool size, int argc, char **argv, struct inspect_out *o);

static int inspect(struct cli *cli, const char *type, bool generic, bool size, const char *format,
		   int argc, char **argv)
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	static const char *const kinds[] = {"container", "image", NULL};
	cleanup_json json_t *all = json_array();
	struct inspect_out o = {.all = all};
	if (format && *format && strcmp(format, "json") != 0) {
		o.tmpl = gotmpl_parse(format, &err);
		if (o.tmpl == NULL) {
			fprintf(stderr, "template parsing error: %s\n", err->msg);
			berth_error_free(&err);
			return 64;
		}
	}
	int rc = inspect_objects(c, kinds, type, generic, size, argc, argv, &o);
	gotmpl_free(o.tmpl);
	free(o.lines);
	if (rc < 0) {
		free(o.errors);
		return 1;
	}
	rc = cli_errors_end(o.errors);
	free(o.errors);
	return rc;
}

static int inspect_objects(struct client *c, const char *const *kinds, const char *type,
			   bool generic, bool size, int argc, char **argv, struct inspect_out *o)
{
	struct berth_error *err = NULL;
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
			flush_out(o);
			cli_fail(&err);
			return -1;
		}
		if (r == 0) {
			add_object(o, obj);
			continue;
		}
		cleanup_free char *msg = generic ? xasprintf("Error: No such object: %s", argv[i])
						 : xstrdup(err ? err->msg : "");
		berth_error_free(&err);
		cli_errors_add(&o->errors, msg);
	}
	berth_error_free(&err);
	flush_out(o);
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
	    {'f', "format", CLI_OPT_STRING, &format, "string",
	     "Format output: 'json' (default) or a Go template"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	return inspect(cli, "image", false, false, format, argc - first, argv + first);
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
	    {'f', "format", CLI_OPT_STRING, &format, "string",
	     "Format output: 'json' (default) or a Go template"},
	    {'s', "size", CLI_OPT_BOOL, &size, NULL,
	     "Display total file sizes if the type is container"},
	    {0, "type", CLI_OPT_STRING, &type, "string", "Only inspect objects of the given type"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
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
	return inspect(cli, type, type == NULL, size, format, argc - first, argv + first);
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
	    {'f', "format", CLI_OPT_STRING, &format, "string",
	     "Format output: 'json' (default) or a Go template"},
	    {'s', "size", CLI_OPT_BOOL, &size, NULL, "Display total file sizes"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	return inspect(cli, "container", false, size, format, argc - first, argv + first);
}
