/* list [--format table|json] [-q] */
#include "cmd.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *field(json_t *s, const char *k)
{
	const char *v = json_string_value(json_object_get(s, k));
	return v ? v : "";
}

static void print_table(json_t *arr)
{
	static const char *const head[] = {"ID", "PID", "STATUS", "BUNDLE", "CREATED", "OWNER"};
	size_t n = json_array_size(arr);
	char ***rows = xcalloc(n + 1, sizeof(char **));
	size_t width[6];
	for (int k = 0; k < 6; k++)
		width[k] = strlen(head[k]);
	rows[0] = xcalloc(6, sizeof(char *));
	for (int k = 0; k < 6; k++)
		rows[0][k] = xstrdup(head[k]);
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(arr, i);
		char **r = rows[i + 1] = xcalloc(6, sizeof(char *));
		r[0] = xstrdup(field(s, "id"));
		r[1] = xasprintf("%lld", (long long)json_integer_value(json_object_get(s, "pid")));
		r[2] = xstrdup(field(s, "status"));
		r[3] = xstrdup(field(s, "bundle"));
		r[4] = xstrdup(field(s, "created"));
		r[5] = xstrdup(field(s, "owner"));
	}
	for (size_t i = 0; i <= n; i++)
		for (int k = 0; k < 6; k++)
			if (strlen(rows[i][k]) > width[k])
				width[k] = strlen(rows[i][k]);
	for (size_t i = 0; i <= n; i++) {
		for (int k = 0; k < 6; k++) {
			if (k == 5)
				printf("%s\n", rows[i][k]);
			else
				printf("%-*s   ", (int)width[k], rows[i][k]);
			free(rows[i][k]);
		}
		free(rows[i]);
	}
	free(rows);
}

int cmd_list(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{"format", required_argument, NULL, 'f'},
					     {"quiet", no_argument, NULL, 'q'},
					     {NULL, 0, NULL, 0}};
	const char *format = "table";
	bool quiet = false;
	int opt;
	while ((opt = getopt_long_only(argc, argv, "+", opts, NULL)) != -1) {
		if (opt == 'f')
			format = optarg;
		else if (opt == 'q')
			quiet = true;
		else
			return berth_error_set(err, EINVAL,
					       "list: flag provided but not defined: %s",
					       argv[optind - 1]);
	}
	if (strcmp(format, "table") != 0 && strcmp(format, "json") != 0)
		return berth_error_set(err, EINVAL, "list: invalid format \"%s\" (table or json)",
				       format);
	json_t *arr = NULL;
	if (rt_list(&c->g, &arr, err) < 0)
		return -1;
	if (quiet) {
		size_t i;
		json_t *s;
		json_array_foreach(arr, i, s)
		{
			puts(field(s, "id"));
		}
	} else if (strcmp(format, "json") == 0) {
		char *s = json_dumps(arr, JSON_COMPACT);
		puts(s ? s : "[]");
		free(s);
	} else {
		print_table(arr);
	}
	json_decref(arr);
	return 0;
}
