/* berth images / berth image ls: GET /images/json, docker's table (one row
 * per repository:tag, digests optional) or --format json (one object per row). */
#include "cli.h"
#include "ctrfmt.h"
#include "format.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

#include <stdlib.h>
#include <string.h>

struct row {
	char *repo, *tag, *digest;
	json_t *img; /* borrowed */
};

struct rows {
	struct row *v;
	size_t n;
};

static void add(struct rows *r, const char *repo, const char *tag, const char *digest, json_t *img)
{
	r->v = xrealloc(r->v, (r->n + 1) * sizeof(*r->v));
	r->v[r->n++] = (struct row){xstrdup(repo), xstrdup(tag), xstrdup(digest), img};
}

/* docker's imageFormat: rows for tags (with their digests when asked), then
 * for digest-only repositories, else one <none> row. */
static void image_rows(struct rows *rows, json_t *img, bool digests)
{
	size_t start = rows->n, i;
	json_t *v;
	json_t *rd = json_object_get(img, "RepoDigests");
	bool *digest_used = xcalloc(json_array_size(rd) + 1, sizeof(bool));
	json_array_foreach(json_object_get(img, "RepoTags"), i, v)
	{
		struct ref *ref = NULL;
		if (!json_is_string(v) ||
		    ref_parse_normalized(json_string_value(v), &ref, NULL) < 0)
			continue;
		if (ref->tag == NULL) {
			ref_free(ref);
			continue;
		}
		cleanup_free char *repo = ref_familiar_name(ref);
		size_t shown = 0, j;
		json_t *d;
		json_array_foreach(rd, j, d)
		{
			struct ref *dr = NULL;
			if (!json_is_string(d) ||
			    ref_parse_normalized(json_string_value(d), &dr, NULL) < 0)
				continue;
			cleanup_free char *drepo = ref_familiar_name(dr);
			if (strcmp(drepo, repo) == 0 && dr->digest) {
				digest_used[j] = true;
				if (digests) {
					add(rows, repo, ref->tag, dr->digest, img);
					shown++;
				}
			}
			ref_free(dr);
		}
		if (shown == 0)
			add(rows, repo, ref->tag, "<none>", img);
		ref_free(ref);
	}
	json_array_foreach(rd, i, v)
	{
		struct ref *dr = NULL;
		if (digest_used[i] || !json_is_string(v) ||
		    ref_parse_normalized(json_string_value(v), &dr, NULL) < 0)
			continue;
		cleanup_free char *repo = ref_familiar_name(dr);
		bool dup = false;
		for (size_t k = start; k < rows->n && !digests; k++)
			dup |= strcmp(rows->v[k].repo, repo) == 0;
		if (!dup)
			add(rows, repo, "<none>", digests && dr->digest ? dr->digest : "<none>",
			    img);
		ref_free(dr);
	}
	free(digest_used);
	if (rows->n == start)
		add(rows, "<none>", "<none>", "<none>", img);
}

static int by_created_desc(const void *a, const void *b)
{
	int64_t x = bjson_get_int(*(json_t *const *)a, "Created", 0);
	int64_t y = bjson_get_int(*(json_t *const *)b, "Created", 0);
	return x < y ? 1 : x > y ? -1 : 0;
}

static json_t *row_json(const struct row *r, bool no_trunc, time_t now)
{
	json_t *img = r->img;
	int64_t created = bjson_get_int(img, "Created", 0);
	int64_t size = bjson_get_int(img, "Size", 0), shared = bjson_get_int(img, "SharedSize", -1);
	int64_t containers = bjson_get_int(img, "Containers", -1);
	cleanup_free char *id = fmt_trunc_id(bjson_get_str(img, "Id"), no_trunc);
	cleanup_free char *since = fmt_time_ago(created, now);
	cleanup_free char *at = fmt_go_time(created);
	cleanup_free char *hsize = fmt_human_size_prec((double)size, 3);
	cleanup_free char *vsize = fmt_human_size((double)bjson_get_int(img, "VirtualSize", size));
	cleanup_free char *sh = shared < 0 ? xstrdup("N/A") : fmt_human_size((double)shared);
	cleanup_free char *uq =
	    shared < 0 ? xstrdup("N/A") : fmt_human_size((double)(size - shared));
	cleanup_free char *ct =
	    containers < 0 ? xstrdup("N/A") : xasprintf("%lld", (long long)containers);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Containers", ct,
			 "CreatedAt", at, "CreatedSince", since, "Digest", r->digest, "ID", id,
			 "Repository", r->repo, "SharedSize", sh, "Size", hsize, "Tag", r->tag,
			 "UniqueSize", uq, "VirtualSize", vsize);
}

static int print_rows(struct rows *rows, bool quiet, bool digests, bool no_trunc,
		      enum cli_format fmt, const struct ctrfmt_template *tpl)
{
	time_t now = time(NULL);
	struct fmt_table t = {0};
	cleanup_free char *lines = NULL;
	if (!quiet && tpl && tpl->table) {
		cleanup_free char *h = ctrfmt_template_header(tpl, ctrfmt_images_headers);
		ctrfmt_table_add_line(&t, h);
	} else if (!quiet && !tpl && fmt == CLI_FORMAT_TABLE) {
		const char *h[] = {"REPOSITORY", "TAG", "DIGEST", "IMAGE ID", "CREATED", "SIZE"};
		const char *hn[] = {"REPOSITORY", "TAG", "IMAGE ID", "CREATED", "SIZE"};
		fmt_table_add(&t, digests ? h : hn, digests ? 6 : 5);
	}
	for (size_t i = 0; i < rows->n; i++) {
		struct row *r = &rows->v[i];
		cleanup_free char *id = fmt_trunc_id(bjson_get_str(r->img, "Id"), no_trunc);
		if (quiet) {
			printf("%s\n", id);
			continue;
		}
		if (tpl) {
			/* as docker: a row that fails fails the command, nothing printed */
			struct berth_error *err = NULL;
			cleanup_json json_t *j = row_json(r, no_trunc, now);
			if (ctrfmt_template_emit(tpl, j, NULL, &t, &lines, &err) < 0) {
				fmt_table_free(&t);
				return cli_fail(&err);
			}
			continue;
		}
		if (fmt == CLI_FORMAT_JSON) {
			cleanup_json json_t *j = row_json(r, no_trunc, now);
			cleanup_free char *line = ctrfmt_go_json(j);
			printf("%s\n", line);
			continue;
		}
		cleanup_free char *since = fmt_time_ago(bjson_get_int(r->img, "Created", 0), now);
		cleanup_free char *size =
		    fmt_human_size_prec((double)bjson_get_int(r->img, "Size", 0), 3);
		const char *c[] = {r->repo, r->tag, r->digest, id, since, size};
		const char *cn[] = {r->repo, r->tag, id, since, size};
		fmt_table_add(&t, digests ? c : cn, digests ? 6 : 5);
	}
	if (lines)
		fputs(lines, stdout);
	fmt_table_flush(&t, stdout);
	return 0;
}

int cmd_images(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"images",
					     "[OPTIONS] [REPOSITORY[:TAG]]",
					     "List images",
					     CLI_NAME " image ls, " CLI_NAME
						      " image list, " CLI_NAME " images",
					     0,
					     1};
	bool all = false, digests = false, no_trunc = false, quiet = false;
	struct cli_strv filters = {0};
	const char *format = NULL;
	const struct cli_opt opts[] = {
	    {'a', "all", CLI_OPT_BOOL, &all, NULL,
	     "Show all images (default hides intermediate images)"},
	    {0, "digests", CLI_OPT_BOOL, &digests, NULL, "Show digests"},
	    {'f', "filter", CLI_OPT_STRV, &filters, "filter",
	     "Filter output based on conditions provided"},
	    {0, "format", CLI_OPT_STRING, &format, "string",
	     "Format output: 'table', 'json' or a Go template"},
	    {0, "no-trunc", CLI_OPT_BOOL, &no_trunc, NULL, "Don't truncate output"},
	    {'q', "quiet", CLI_OPT_BOOL, &quiet, NULL, "Only show image IDs"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	cleanup_free const char **fv = filters.v;
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	enum cli_format fmt = CLI_FORMAT_TABLE;
	cleanup_template struct ctrfmt_template tpl = {0};
	bool use_tpl = ctrfmt_is_template(format);
	if (use_tpl && ctrfmt_template_parse(format, ctrfmt_images_headers, &tpl, &err) < 0)
		return cli_fail(&err);
	if (!use_tpl && cli_format_parse(format, true, &fmt, &err) < 0)
		return cli_fail(&err);
	cleanup_json json_t *f = NULL;
	if (cli_filters(&filters, &f, &err) < 0)
		return cli_fail(&err);
	if (first < argc) {
		json_t *m = json_object_get(f, "reference");
		if (m == NULL)
			json_object_set_new(f, "reference", m = json_object());
		json_object_set_new(m, argv[first], json_true());
	}
	cleanup_free char *path = NULL;
	if (json_object_size(f) > 0) {
		cleanup_free char *fs = json_dumps(f, JSON_COMPACT | JSON_PRESERVE_ORDER);
		cleanup_free char *q = cli_query_escape(fs);
		path = xasprintf("/images/json?%sfilters=%s", all ? "all=1&" : "", q);
	} else {
		path = xstrdup(all ? "/images/json?all=1" : "/images/json");
	}
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_json json_t *list = NULL;
	if (client_json(c, "GET", path, NULL, &list, &err) < 0)
		return cli_fail(&err);
	if (!json_is_array(list)) {
		fprintf(stderr, "unexpected reply from the daemon: not a JSON array\n");
		return 1;
	}
	size_t n = json_array_size(list);
	json_t **imgs = xcalloc(n + 1, sizeof(*imgs));
	for (size_t i = 0; i < n; i++)
		imgs[i] = json_array_get(list, i);
	qsort(imgs, n, sizeof(*imgs), by_created_desc);
	struct rows rows = {0};
	for (size_t i = 0; i < n; i++)
		image_rows(&rows, imgs[i], digests);
	rc = print_rows(&rows, quiet, digests, no_trunc, fmt, use_tpl ? &tpl : NULL);
	for (size_t i = 0; i < rows.n; i++) {
		free(rows.v[i].repo);
		free(rows.v[i].tag);
		free(rows.v[i].digest);
	}
	free(rows.v);
	free(imgs);
	return rc;
}
