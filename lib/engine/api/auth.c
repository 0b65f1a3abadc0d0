/* POST /auth: check credentials against a registry as `docker login` does.
 * The body is {"username", "password", "serveraddress"} (an identity token
 * may stand for the password); the registry's /v2/ is fetched with them
 * (reg_ping: Basic or the token flow, plain HTTP for insecure-registries and
 * loopback as for pulls). Success is {"Status":"Login Succeeded",
 * "IdentityToken":""}; rejected credentials are a 401 with the registry's
 * message, as dockerd ("Get \"https://host/v2/\": unauthorized: ..."). */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/registry/registry.h"
#include "engine/api/images-internal.h"

#include <errno.h>
#include <string.h>

/* "https://index.docker.io/v1/", "http://h:5000/", "h:5000" -> the domain
 * (docker.io for Docker Hub and an empty address). */
static char *auth_server_domain(const char *addr)
{
	if (addr == NULL || addr[0] == '\0')
		return xstrdup("docker.io");
	const char *p = strstr(addr, "://");
	p = p ? p + 3 : addr;
	size_t n = strcspn(p, "/");
	char *d = xasprintf("%.*s", (int)n, p);
	if (strcmp(d, "index.docker.io") == 0 || strcmp(d, "registry-1.docker.io") == 0 ||
	    d[0] == '\0') {
		free(d);
		d = xstrdup("docker.io");
	}
	return d;
}

static int auth_login(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	if (images_require_core(e, err) < 0)
		return -1;
	cleanup_json json_t *body = NULL;
	if (api_body_json(req, false, &body, err) < 0)
		return -1;
	const char *user = json_string_value(json_object_get(body, "username"));
	const char *pass = json_string_value(json_object_get(body, "password"));
	const char *tok = json_string_value(json_object_get(body, "identitytoken"));
	const char *addr = json_string_value(json_object_get(body, "serveraddress"));
	cleanup_free char *domain = auth_server_domain(addr);
	struct reg_auth a = {
	    .username = (char *)(user ? user : ""),
	    .password = (char *)(pass ? pass : ""),
	    .identity_token = (char *)tok,
	};
	if ((user == NULL || user[0] == '\0') && (tok == NULL || tok[0] == '\0'))
		return berth_error_set(err, EINVAL, "Username: required");
	struct berth_error *perr = NULL;
	if (reg_ping(engine_registry(e), domain, &a, &perr) < 0) {
		if (perr->code == EACCES || perr->code == EPERM)
			api_reply_message(resp, 401, "%s", perr->msg);
		else
			api_reply_message(resp, 500, "%s", perr->msg);
		berth_error_free(&perr);
		return 0;
	}
	api_reply_json(resp, 200,
		       json_pack("{s:s,s:s}", "IdentityToken", "", "Status", "Login Succeeded"));
	return 0;
}

const struct api_route api_auth_routes[] = {
    {"POST", "/auth", auth_login},
    {NULL, NULL, NULL},
};
