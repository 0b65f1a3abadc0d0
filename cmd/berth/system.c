/* berth system COMMAND, and berth system df: GET /system/df summarised as
 * docker's TYPE/TOTAL/ACTIVE/SIZE/RECLAIMABLE table (or JSON rows). */
#include "cli.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <string.h>

static const struct cli_sub system_subs[] = {
    {"df", cmd_system_df, "Show berth disk usage"},
    {"info", cmd_info, "Display system-wide information"},
    {NULL, NULL, NULL},
};

int cmd_system(struct cli *cli, int argc, char **argv)
{
	return cli_noun("system", "Manage berth", system_subs, cli, argc, argv);
}

struct usage {
	const char *type;
	size_t total, active;
	int64_t size, reclaimable;
};

static char *reclaimable(const struct usage *u)
{
	cleanup_free char *r = fmt_human_size((double)u->reclaimable);
	if (u->size > 0)
		return xasprintf("%s (%lld%%)", r, (long long)(u->reclaimable * 100 / u->size));
	return xstrdup(r);
}

static void summarize(json_t *df, struct usage u[4])
{
	size_t i;
	json_t *v;
	/* images: LayersSize minus what images used by containers hold alone */
	u[0] = (struct usage){"Images", 0, 0, bjson_get_int(df, "LayersSize", 0), 0};
	int64_t used = 0;
	json_array_foreach(json_object_get(df, "Images"), i, v)
	{
		u[0].total++;
		if (bjson_get_int(v, "Containers", 0) > 0) {
			u[0].active++;
			int64_t vs = bjson_get_int(v, "VirtualSize", bjson_get_int(v, "Size", -1));
			int64_t sh = bjson_get_int(v, "SharedSize", -1);
			if (vs != -1 && sh != -1)
				used += vs - sh;
		}
	}
	u[0].reclaimable = u[0].size - used;
	u[1] = (struct usage){"Containers", 0, 0, 0, 0};
	json_array_foreach(json_object_get(df, "Containers"), i, v)
	{
		int64_t rw = bjson_get_int(v, "SizeRw", 0);
		u[1].total++;
		u[1].size += rw;
		/* the docker CLI's isActive: running, paused or restarting */
		const char *st = json_string_value(json_object_get(v, "State"));
		if (st && (strcmp(st, "running") == 0 || strcmp(st, "paused") == 0 ||
			   strcmp(st, "restarting") == 0))
			u[1].active++;
		else
			u[1].reclaimable += rw;
	}
	u[2] = (struct usage){"Local Volumes", 0, 0, 0, 0};
	json_array_foreach(json_object_get(df, "Volumes"), i, v)
	{
		json_t *ud = json_object_get(v, "UsageData");
		int64_t sz = bjson_get_int(ud, "Size", -1), refs = bjson_get_int(ud, "RefCount", 0);
		u[2].total++;
		if (refs > 0)
			u[2].active++;
		if (sz > 0) {
			u[2].size += sz;
			if (refs == 0)
				u[2].reclaimable += sz;
		}
	}
	u[3] = (struct usage){"Build Cache", 0, 0, 0, 0};
	json_array_foreach(json_object_get(df, "BuildCache"), i, v)
	{
		int64_t sz = bjson_get_int(v, "Size", 0);
		bool in_use = json_is_true(json_object_get(v, "InUse"));
		bool shared = json_is_true(json_object_get(v, "Shared"));
		u[3].total++;
		if (in_use)
			u[3].active++;
		if (!shared)
			u[3].size += sz;
		if (!in_use && !shared)
			u[3].reclaimable += sz;
	}
}

int cmd_system_df(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"system df", "[OPTIONS]", "Show berth disk usage",
					     NULL,	  0,	       0};
	const char *format = NULL;
	const struct cli_opt opts[] = {
	    {0, "format", CLI_OPT_STRING, &format, "string", "Format output: 'table' or 'json'"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	enum cli_format fmt;
	if (cli_format_parse(format, true, &fmt, &err) < 0)
		return cli_fail(&err);
	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *df = NULL;
	if (c == NULL || client_json(c, "GET", "/system/df", NULL, &df, &err) < 0)
		return cli_fail(&err);
	struct usage u[4];
	summarize(df, u);
	struct fmt_table t = {0};
	if (fmt == CLI_FORMAT_TABLE) {
		const char *h[] = {"TYPE", "TOTAL", "ACTIVE", "SIZE", "RECLAIMABLE"};
		fmt_table_add(&t, h, 5);
	}
	for (int i = 0; i < 4; i++) {
		cleanup_free char *total = xasprintf("%zu", u[i].total);
		cleanup_free char *active = xasprintf("%zu", u[i].active);
		cleanup_free char *size = fmt_human_size((double)u[i].size);
		cleanup_free char *rec = reclaimable(&u[i]);
		if (fmt == CLI_FORMAT_JSON) {
			cleanup_json json_t *row =
			    json_pack("{s:s,s:s,s:s,s:s,s:s}", "Active", active, "Reclaimable", rec,
				      "Size", size, "TotalCount", total, "Type", u[i].type);
			cli_print_json_line(stdout, row);
			continue;
		}
		const char *cells[] = {u[i].type, total, active, size, rec};
		fmt_table_add(&t, cells, 5);
	}
	fmt_table_flush(&t, stdout);
	return 0;
}
