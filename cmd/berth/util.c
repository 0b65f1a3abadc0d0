/* Small helpers shared by the commands (see cli.h). */
#include "cli.h"
#include "config.h"
#include "progress.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
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
	json_t *o = json_object();
	for (size_t i = 0; i < f->n; i++) {
		const char *eq = strchr(f->v[i], '=');
		if (eq == NULL || eq == f->v[i]) {
			json_decref(o);
			return berth_error_set(err, EINVAL,
					       "bad format of filter (expected name=value)");
		}
		cleanup_free char *key = strndup(f->v[i], (size_t)(eq - f->v[i]));
		json_t *m = json_object_get(o, key);
		if (m == NULL) {
			m = json_object();
			json_object_set_new(o, key, m);
		}
		json_object_set_new(m, eq + 1, json_true());
	}
	*out = o;
	return 0;
}

static char *escape(const char *s, const char *keep)
{
	size_t n = strlen(s);
	char *out = xmalloc(3 * n + 1);
	size_t o = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(keep, *p)) {
			out[o++] = (char)*p;
		} else {
			o += (size_t)sprintf(out + o, "%%%02X", *p);
		}
	}
	out[o] = '\0';
	return out;
}

char *cli_path_escape(const char *s)
{
	return escape(s, "-._~:/@");
}

char *cli_query_escape(const char *s)
{
	return escape(s, "-._~");
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
