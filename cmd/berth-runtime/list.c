/* list [--format table|json] [-q] */
#include "cmd.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char *field(json_t *s, const char *k)
{
	const char *v = json_string_value(json_object_get(s, k));
	return v ? v : "";
}

/* The name of uid in /etc/passwd (read by hand: the binary is static, no
 * NSS), NULL if it is not there. */
static char *passwd_name(uid_t uid)
{
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return NULL;
	char *line = NULL, *name = NULL;
	size_t cap = 0;
	while (!name && getline(&line, &cap, f) > 0) {
		/* name:password:uid:... */
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2 || c1 == line)
			continue;
		char *end;
		unsigned long v = strtoul(c2 + 1, &end, 10);
		if (end == c2 + 1 || *end != ':' || v != (unsigned long)uid)
			continue;
		name = xasprintf("%.*s", (int)(c1 - line), line);
	}
	free(line);
	return name;
}

/* runc's OWNER: the user owning the container's state directory, by name,
 * or "#<uid>" when it has none. Entries whose directory went away keep "". */
static void set_owners(const char *root, json_t *arr)
{
	cleanup_close int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rfd < 0)
		return;
	uid_t last_uid = (uid_t)-1;
	cleanup_free char *last = NULL;
	size_t i;
	json_t *s;
	json_array_foreach(arr, i, s)
	{
		const char *id = json_string_value(json_object_get(s, "id"));
		struct stat st;
		if (!id || fstatat(rfd, id, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (!last || st.st_uid != last_uid) {
			free(last);
			last = passwd_name(st.st_uid);
			if (!last)
				last = xasprintf("#%u", (unsigned)st.st_uid);
			last_uid = st.st_uid;
		}
		json_object_set_new(s, "owner", json_string(last));
	}
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
	set_owners(c->g.root, arr);
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
