/* berth ps / berth container ls: GET /containers/json (all, filters, limit,
 * size) and docker's table, -q ids, or --format json (one object per
 * container, the fields of docker's {{json .}}). */
#include "cli.h"
#include "ctrfmt.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

#include <string.h>

/* docker's ContainerContext.Image: the short id when the image is named by
 * its id, the familiar name (with its tag, without a digest) otherwise. */
static char *image_display(json_t *ctr, bool no_trunc)
{
	const char *image = bjson_get_str(ctr, "Image");
	if (*image == '\0')
		return xstrdup("<no image>");
	if (no_trunc)
		return xstrdup(image);
	cleanup_free char *tid = fmt_trunc_id(bjson_get_str(ctr, "ImageID"), false);
	cleanup_free char *timg = fmt_trunc_id(image, false);
	if (strcmp(tid, timg) == 0)
		return steal_ptr(tid);
	struct ref *ref = NULL;
	if (ref_parse_normalized(image, &ref, NULL) < 0)
		return xstrdup(image);
	cleanup_free char *name = ref_familiar_name(ref);
	char *out = ref->tag ? xasprintf("%s:%s", name, ref->tag) : xstrdup(name);
	ref_free(ref);
	return out;
}

static char *size_display(json_t *ctr)
{
	cleanup_free char *rw = fmt_human_size_prec((double)bjson_get_int(ctr, "SizeRw", 0), 3);
	int64_t root = bjson_get_int(ctr, "SizeRootFs", 0);
	if (root <= 0)
		return steal_ptr(rw);
	cleanup_free char *v = fmt_human_size_prec((double)root, 3);
	return xasprintf("%s (virtual %s)", rw, v);
}

static char *mounts_display(json_t *ctr, bool no_trunc, int *local)
{
	size_t i;
	json_t *m;
	char *out = xstrdup("");
	*local = 0;
	json_array_foreach(json_object_get(ctr, "Mounts"), i, m)
	{
		const char *name = *bjson_get_str(m, "Name") ? bjson_get_str(m, "Name")
							     : bjson_get_str(m, "Source");
		cleanup_free char *n = no_trunc ? xstrdup(name) : fmt_ellipsis(name, 15);
		char *o = *out ? xasprintf("%s,%s", out, n) : xstrdup(n);
		free(out);
		out = o;
		if (strcmp(bjson_get_str(m, "Driver"), "local") == 0)
			(*local)++;
	}
	return out;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static char *networks_display(json_t *ctr)
{
	json_t *nets = json_object_get(json_object_get(ctr, "NetworkSettings"), "Networks");
	size_t n = json_object_size(nets), i = 0;
	cleanup_free const char **keys = xcalloc(n + 1, sizeof(*keys));
	const char *k;
	json_t *v;
	json_object_foreach(nets, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), str_cmp);
	char *out = xstrdup("");
	for (i = 0; i < n; i++) {
		char *o = *out ? xasprintf("%s,%s", out, keys[i]) : xstrdup(keys[i]);
		free(out);
		out = o;
	}
	return out;
}

static json_t *row_json(json_t *ctr, bool no_trunc, bool size, time_t now)
{
	int local = 0;
	int64_t created = bjson_get_int(ctr, "Created", 0);
	cleanup_free char *cmd = ctrfmt_command_display(bjson_get_str(ctr, "Command"), no_trunc);
	cleanup_free char *at = ctrfmt_go_local_time(created);
	cleanup_free char *id = fmt_trunc_id(bjson_get_str(ctr, "Id"), no_trunc);
	cleanup_free char *image = image_display(ctr, no_trunc);
	cleanup_free char *labels = ctrfmt_labels_display(json_object_get(ctr, "Labels"));
	cleanup_free char *mounts = mounts_display(ctr, no_trunc, &local);
	cleanup_free char *lv = xasprintf("%d", local);
	cleanup_free char *names = ctrfmt_names_display(json_object_get(ctr, "Names"), no_trunc);
	cleanup_free char *nets = networks_display(ctr);
	cleanup_free char *ports = ctrfmt_ports_display(json_object_get(ctr, "Ports"));
	cleanup_free char *since = fmt_time_ago(created, now);
	cleanup_free char *sz = size ? size_display(ctr) : xstrdup("0B");
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:n,s:s,s:s,s:s,s:s,s:s}", "Command",
			 cmd, "CreatedAt", at, "ID", id, "Image", image, "Labels", labels,
			 "LocalVolumes", lv, "Mounts", mounts, "Names", names, "Networks", nets,
			 "Platform", "Ports", ports, "RunningFor", since, "Size", sz, "State",
			 bjson_get_str(ctr, "State"), "Status", bjson_get_str(ctr, "Status"));
}

static int print_list(json_t *list, bool quiet, bool no_trunc, bool size, enum cli_format fmt,
		      const struct ctrfmt_template *tpl)
{
	cleanup_free char *lines = NULL;
	time_t now = time(NULL);
	struct fmt_table t = {0};
	if (!quiet && tpl && tpl->table) {
		cleanup_free char *h = ctrfmt_template_header(tpl, ctrfmt_ps_headers);
		ctrfmt_table_add_line(&t, h);
	} else if (!quiet && !tpl && fmt == CLI_FORMAT_TABLE) {
		const char *h[] = {"CONTAINER ID", "IMAGE", "COMMAND", "CREATED",
				   "STATUS",	   "PORTS", "NAMES",   "SIZE"};
		fmt_table_add(&t, h, size ? 8 : 7);
	}
	size_t i;
	json_t *ctr;
	json_array_foreach(list, i, ctr)
	{
		cleanup_free char *id = fmt_trunc_id(bjson_get_str(ctr, "Id"), no_trunc);
		if (quiet) {
			printf("%s\n", id);
			continue;
		}
		if (tpl) {
			/* as docker: a row that fails fails the command, nothing printed */
			struct berth_error *err = NULL;
			cleanup_json json_t *j = row_json(ctr, no_trunc, size, now);
			if (ctrfmt_template_emit(tpl, j, json_object_get(ctr, "Labels"), &t, &lines,
						 &err) < 0) {
				fmt_table_free(&t);
				return cli_fail(&err);
			}
			continue;
		}
		if (fmt == CLI_FORMAT_JSON) {
			cleanup_json json_t *j = row_json(ctr, no_trunc, size, now);
			cleanup_free char *line = ctrfmt_go_json(j);
			printf("%s\n", line);
			continue;
		}
		cleanup_free char *image = image_display(ctr, no_trunc);
		cleanup_free char *cmd =
		    ctrfmt_command_display(bjson_get_str(ctr, "Command"), no_trunc);
		cleanup_free char *since = fmt_time_ago(bjson_get_int(ctr, "Created", 0), now);
		cleanup_free char *ports = ctrfmt_ports_display(json_object_get(ctr, "Ports"));
		cleanup_free char *names =
		    ctrfmt_names_display(json_object_get(ctr, "Names"), no_trunc);
		cleanup_free char *sz = size ? size_display(ctr) : NULL;
		const char *c[] = {id,	  image, cmd, since, bjson_get_str(ctr, "Status"),
				   ports, names, sz};
		fmt_table_add(&t, c, size ? 8 : 7);
	}
	if (lines)
		fputs(lines, stdout);
	fmt_table_flush(&t, stdout);
	return 0;
}

int cmd_ps(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"ps",
					     "[OPTIONS]",
					     "List containers",
					     CLI_NAME " container ls, " CLI_NAME
						      " container list, " CLI_NAME
						      " container ps, " CLI_NAME " ps",
					     0,
					     0};
	bool all = false, latest = false, no_trunc = false, quiet = false, size = false;
	struct cli_strv filters = {0};
	const char *format = NULL, *last = NULL;
	const struct cli_opt opts[] = {
	    {'a', "all", CLI_OPT_BOOL, &all, NULL,
	     "Show all containers (default shows just running)"},
	    {'f', "filter", CLI_OPT_STRV, &filters, "filter",
	     "Filter output based on conditions provided"},
	    {0, "format", CLI_OPT_STRING, &format, "string",
	     "Format output: 'table', 'json', or a template of {{.Field}} (table ... for a table)"},
	    {'n', "last", CLI_OPT_STRING, &last, "int",
	     "Show n last created containers (includes all states) (default -1)"},
	    {'l', "latest", CLI_OPT_BOOL, &latest, NULL,
	     "Show the latest created container (includes all states)"},
	    {0, "no-trunc", CLI_OPT_BOOL, &no_trunc, NULL, "Don't truncate output"},
	    {'q', "quiet", CLI_OPT_BOOL, &quiet, NULL, "Only display container IDs"},
	    {'s', "size", CLI_OPT_BOOL, &size, NULL, "Display total file sizes"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	cleanup_free const char **fv = filters.v;
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	long limit = -1;
	if (last && ctrfmt_parse_long(last, "-n, --last", &limit, &err) < 0) {
		cli_usage_error(&spec, "%s", err->msg);
		berth_error_free(&err);
		return CLI_EXIT_USAGE;
	}
	if (latest && limit == -1)
		limit = 1;
	enum cli_format fmt = CLI_FORMAT_TABLE;
	struct ctrfmt_template tpl = {0};
	bool use_tpl = ctrfmt_is_template(format);
	if (use_tpl && ctrfmt_template_parse(format, ctrfmt_ps_headers, &tpl, &err) < 0)
		return cli_fail(&err);
	if (!use_tpl && cli_format_parse(format, true, &fmt, &err) < 0)
		return cli_fail(&err);
	/* as docker: a template that shows the size asks for it */
	if (!quiet && ((use_tpl && ctrfmt_template_uses(&tpl, "Size")) ||
		       (format && strcmp(format, "{{json .}}") == 0)))
		size = true;
	cleanup_json json_t *f = NULL;
	if (ctrfmt_filters_parse(filters.v, filters.n, &f, &err) < 0)
		return cli_fail(&err);
	cleanup_free char *q = ctrfmt_ps_query(all, limit, size, f);
	cleanup_free char *path = xasprintf("/containers/json%s", q);
	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *list = NULL;
	if (c == NULL || client_json(c, "GET", path, NULL, &list, &err) < 0) {
		ctrfmt_template_free(&tpl);
		return cli_fail(&err);
	}
	if (!json_is_array(list)) {
		ctrfmt_template_free(&tpl);
		fprintf(stderr, "unexpected reply from the daemon to GET %s: not a JSON array\n",
			path);
		return 1;
	}
	rc = print_list(list, quiet, no_trunc, size, fmt, use_tpl ? &tpl : NULL);
	ctrfmt_template_free(&tpl);
	return rc;
}
