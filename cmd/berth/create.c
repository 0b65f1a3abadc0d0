/* berth create, and the create request with docker's pull of a missing
 * image that run uses too (see ctr-io.h). */
#include "ctr-io.h"
#include "progress.h"
#include "term.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/reference.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* POST /images/create for image, progress on stderr as docker run does. */
static int pull_image(struct cli *cli, const char *image, const char *platform,
		      struct berth_error **err)
{
	struct ref *ref = NULL;
	if (ref_parse_normalized(image, &ref, err) < 0)
		return -1;
	if (!ref->tag && !ref->digest)
		ref_tag_name_only(ref);
	cleanup_free char *name = ref_familiar_name(ref);
	cleanup_free char *qname = cli_query_escape(name);
	cleanup_free char *qtag = cli_query_escape(ref->digest ? ref->digest : ref->tag);
	cleanup_free char *qplat = platform && *platform ? cli_query_escape(platform) : NULL;
	cleanup_free char *path = xasprintf("/images/create?fromImage=%s&tag=%s%s%s", qname, qtag,
					    qplat ? "&platform=" : "", qplat ? qplat : "");
	cleanup_free char *auth = cli_registry_auth_header(cli, ref->domain);
	ref_free(ref);
	struct client *c = cli_client(cli, err);
	if (c == NULL)
		return -1;
	const char *headers[] = {auth, NULL};
	struct client_req req;
	client_req_init(&req, "POST", path);
	req.headers = headers;
	struct progress p;
	int rows, cols;
	bool tty = isatty(STDERR_FILENO) == 1;
	progress_init(&p, stderr, tty,
		      tty && term_size(STDERR_FILENO, &rows, &cols) == 0 ? cols : 0);
	req.on_line = progress_line;
	req.arg = &p;
	struct client_resp resp;
	int rc = client_call(c, &req, &resp, err);
	if (rc == 0)
		client_resp_clear(&resp);
	progress_free(&p);
	fflush(stderr);
	return rc;
}

static char *familiar_with_tag(const char *image)
{
	struct ref *ref = NULL;
	struct berth_error *e = NULL;
	if (ref_parse_normalized(image, &ref, &e) < 0) {
		berth_error_free(&e);
		return xstrdup(image);
	}
	if (!ref->tag && !ref->digest)
		ref_tag_name_only(ref);
	char *s = ref_familiar_string(ref);
	ref_free(ref);
	return s;
}

static int create_once(struct client *c, const char *path, json_t *body, long *status, char **id,
		       struct berth_error **err)
{
	struct client_req req;
	client_req_init(&req, "POST", path);
	req.json = body;
	struct client_resp resp;
	if (client_do(c, &req, &resp, err) < 0)
		return -1;
	*status = resp.status;
	if (resp.status >= 400) {
		client_daemon_error(resp.status, resp.body, err);
		client_resp_clear(&resp);
		return -1;
	}
	json_error_t jerr;
	cleanup_json json_t *j = json_loadb(resp.body, resp.len, 0, &jerr);
	client_resp_clear(&resp);
	const char *s = json_string_value(json_object_get(j, "Id"));
	if (s == NULL)
		return berth_error_set(err, EPROTO, "invalid reply to create: no Id");
	size_t i;
	json_t *w;
	json_array_foreach(json_object_get(j, "Warnings"), i, w)
	    fprintf(stderr, "WARNING: %s\n", json_string_value(w));
	*id = xstrdup(s);
	return 0;
}

int ctr_create(struct cli *cli, const struct ctr_opts *o, const char *image, json_t *body,
	       char **id, struct berth_error **err)
{
	struct client *c = cli_client(cli, err);
	if (c == NULL)
		return -1;
	cleanup_free char *qname = o->name ? cli_query_escape(o->name) : NULL;
	cleanup_free char *qplat =
	    o->platform && *o->platform ? cli_query_escape(o->platform) : NULL;
	cleanup_free char *path =
	    xasprintf("/containers/create%s%s%s%s%s%s", qname || qplat ? "?" : "",
		      qname ? "name=" : "", qname ? qname : "", qname && qplat ? "&" : "",
		      qplat ? "platform=" : "", qplat ? qplat : "");
	const char *pull = o->pull ? o->pull : "missing";
	if (strcmp(pull, "always") == 0 && pull_image(cli, image, o->platform, err) < 0)
		return -1;
	long status = 0;
	if (create_once(c, path, body, &status, id, err) == 0)
		return 0;
	if (status != 404 || strcmp(pull, "missing") != 0)
		return -1;
	berth_error_free(err);
	cleanup_free char *shown = familiar_with_tag(image);
	fprintf(stderr, "Unable to find image '%s' locally\n", shown);
	if (pull_image(cli, image, o->platform, err) < 0)
		return -1;
	return create_once(c, path, body, &status, id, err);
}

/* The messages of run and create: flag errors with the usage line, others
 * as "berth: MSG". Exit 125. */
int ctr_opts_fail(const struct cli_spec *spec, struct berth_error **err)
{
	if ((*err)->code == CTR_OPTS_EFLAG)
		cli_usage_error(spec, "%s", (*err)->msg);
	else
		fprintf(stderr, "%s: %s\n\nRun '%s %s --help' for more information\n", CLI_NAME,
			(*err)->msg, CLI_NAME, spec->path);
	berth_error_free(err);
	return CLI_EXIT_USAGE;
}

json_t *ctr_create_body(struct cli *cli, const struct cli_spec *spec, struct ctr_opts *o, int argc,
			char **argv, int first, struct client **c, int *status)
{
	struct berth_error *err = NULL;
	*c = cli_client(cli, &err);
	if (*c == NULL) {
		*status = cli_fail(&err);
		return NULL;
	}
	int size[2] = {0, 0};
	if (o->tty)
		term_size(STDOUT_FILENO, &size[0], &size[1]);
	json_t *body = NULL;
	if (ctr_opts_body(o, argv[first], argv + first + 1, argc - first - 1, size,
			  client_api_version(*c), getenv, &body, &err) < 0) {
		*status = ctr_opts_fail(spec, &err);
		return NULL;
	}
	return body;
}

int cmd_create(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"create",
					     "[OPTIONS] IMAGE [COMMAND] [ARG...]",
					     "Create a new container",
					     CLI_NAME " container create, " CLI_NAME " create",
					     1,
					     -1,
					     true};
	struct ctr_opts o = {.sig_proxy = true};
	cleanup_free struct cli_opt *opts = ctr_opts_table(&o, false);
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct client *c;
	cleanup_json json_t *body = ctr_create_body(cli, &spec, &o, argc, argv, first, &c, &rc);
	if (body == NULL)
		return rc;
	struct berth_error *err = NULL;
	cleanup_free char *id = NULL;
	/* docker create: the daemon's errors as they are, exit 1 (run: 125) */
	if (ctr_create(cli, &o, argv[first], body, &id, &err) < 0)
		return cli_fail(&err);
	printf("%s\n", id);
	return 0;
}
