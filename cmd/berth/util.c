/* Small helpers shared by the commands (see cli.h). */
#include "cli.h"
#include "config.h"
#include "ctrfmt.h"
#include "format.h"
#include "progress.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <unistd.h>

bool cli_isatty(FILE *f)
{
	return isatty(fileno(f)) == 1;
}

int cli_fail(struct berth_error **err)
{
	if (err && *err) {
		fprintf(stderr, "%s\n", (*err)->msg);
		berth_error_free(err);
	}
	return 1;
}

void cli_errors_add(char **errors, const char *msg)
{
	char *m = *errors ? xasprintf("%s\n%s", *errors, msg) : xstrdup(msg);
	free(*errors);
	*errors = m;
}

int cli_errors_end(const char *errors)
{
	if (errors == NULL)
		return 0;
	fflush(stdout);
	fprintf(stderr, "%s\n", errors);
	return 1;
}

int cli_format_parse(const char *s, bool table_allowed, enum cli_format *out,
		     struct berth_error **err)
{
	if (s == NULL || *s == '\0' || (table_allowed && strcmp(s, "table") == 0)) {
		*out = CLI_FORMAT_TABLE;
		return 0;
	}
	if (strcmp(s, "json") == 0 || strcmp(s, "{{json .}}") == 0) {
		*out = CLI_FORMAT_JSON;
		return 0;
	}
	return berth_error_set(err, ENOTSUP,
			       "unsupported format \"%s\": berth supports --format %sjson", s,
			       table_allowed ? "table or " : "");
}

int cli_filters(const struct cli_strv *f, json_t **out, struct berth_error **err)
{
	return ctrfmt_filters_parse(f->v, f->n, out, err);
}

char *cli_path_escape(const char *s)
{
	return fmt_url_escape(s, "-._~:/@");
}

char *cli_query_escape(const char *s)
{
	return ctrfmt_query_escape(s);
}

static int term_width(void)
{
	struct winsize ws;
	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 0;
}

int cli_stream(struct client *c, struct client_req *req, bool quiet, struct berth_error **err)
{
	struct progress p;
	bool tty = cli_isatty(stdout);
	progress_init(&p, quiet ? NULL : stdout, tty, tty ? term_width() : 0);
	req->on_line = progress_line;
	req->arg = &p;
	struct client_resp resp;
	int rc = client_call(c, req, &resp, err);
	if (rc == 0)
		client_resp_clear(&resp);
	progress_free(&p);
	fflush(stdout);
	return rc;
}

void cli_print_json_indent(FILE *out, json_t *v)
{
	cleanup_free char *s =
	    json_dumps(v, JSON_INDENT(4) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	fprintf(out, "%s\n", s ? s : "null");
}

void cli_print_json_line(FILE *out, json_t *v)
{
	cleanup_free char *s = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
	fprintf(out, "%s\n", s ? s : "null");
}

int cli_download(struct cli *cli, const char *path, const char *output, const char *what)
{
	if ((output == NULL || *output == '\0') && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "cowardly refusing to save to a terminal. Use the -o flag or "
				"redirect\n");
		return 1;
	}
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *tmp = NULL;
	cleanup_close int fd = -1;
	if (output && *output) {
		cleanup_free char *d = xstrdup(output);
		tmp = xasprintf("%s/.berth-download-XXXXXX", dirname(d));
		fd = mkostemp(tmp, O_CLOEXEC);
		if (fd < 0) {
			fprintf(stderr, "%s: create %s: %s\n", what, output, strerror(errno));
			return 1;
		}
	}
	struct client_req req;
	client_req_init(&req, "GET", path);
	req.download_fd = fd >= 0 ? fd : STDOUT_FILENO;
	struct client_resp resp;
	if (client_call(c, &req, &resp, &err) < 0) {
		if (tmp)
			unlink(tmp);
		return cli_fail(&err);
	}
	client_resp_clear(&resp);
	if (tmp) {
		if (fsync(fd) < 0 || rename(tmp, output) < 0) {
			fprintf(stderr, "%s: write %s: %s\n", what, output, strerror(errno));
			unlink(tmp);
			return 1;
		}
	}
	return 0;
}

int cli_prune(struct cli *cli, const char *path, const char *key, const char *title,
	      void (*print_item)(json_t *item))
{
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	cleanup_json json_t *report = NULL;
	if (c == NULL || client_json(c, "POST", path, NULL, &report, &err) < 0)
		return cli_fail(&err);
	json_t *deleted = json_object_get(report, key);
	if (json_array_size(deleted) > 0) {
		printf("Deleted %s:\n", title);
		size_t i;
		json_t *it;
		json_array_foreach(deleted, i, it) print_item(it);
		printf("\n");
	}
	json_t *sr = json_object_get(report, "SpaceReclaimed");
	cleanup_free char *space =
	    fmt_human_size(json_is_integer(sr) ? (double)json_integer_value(sr) : 0);
	printf("Total reclaimed space: %s\n", space);
	return 0;
}

bool cli_confirm(const char *warning)
{
	fprintf(stdout, "%s\nAre you sure you want to continue? [y/N] ", warning);
	fflush(stdout);
	char buf[64];
	if (fgets(buf, sizeof(buf), stdin) == NULL) {
		fputc('\n', stdout);
		return false;
	}
	buf[strcspn(buf, "\r\n")] = '\0';
	return strcasecmp(buf, "y") == 0 || strcasecmp(buf, "yes") == 0;
}

char *cli_registry_auth_header(struct cli *cli, const char *domain)
{
	cleanup_json json_t *cfg = NULL;
	struct berth_error *err = NULL;
	if (cli_config_load(cli->config_dir, &cfg, &err) < 0) {
		fprintf(stderr, "WARNING: %s\n", err->msg);
		berth_error_free(&err);
		return xstrdup("X-Registry-Auth: e30=");
	}
	cleanup_free char *key = cli_config_server_key(domain);
	cleanup_free char *user = NULL;
	cleanup_free char *pass = NULL;
	if (cli_config_auth(cfg, key, &user, &pass) < 0)
		return xstrdup("X-Registry-Auth: e30=");
	cleanup_json json_t *a =
	    json_pack("{s:s,s:s,s:s}", "username", user, "password", pass, "serveraddress", key);
	cleanup_free char *s = json_dumps(a, JSON_COMPACT | JSON_PRESERVE_ORDER);
	cleanup_free char *enc = cli_base64(s, strlen(s), true);
	return xasprintf("X-Registry-Auth: %s", enc);
}
