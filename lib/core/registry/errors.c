/* Registry error answers ({"errors":[{"code","message","detail"}]}) as
 * docker words them (see registry.h). */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

const char *reg_resp_error_code(const struct reg_resp *resp, const char **message, json_t **keep)
{
	*message = NULL;
	*keep = NULL;
	if (resp->body == NULL || resp->len == 0)
		return NULL;
	json_t *doc = json_loadb(resp->body, resp->len, 0, NULL);
	json_t *e = json_array_get(json_object_get(doc, "errors"), 0);
	const char *code = json_string_value(json_object_get(e, "code"));
	if (code == NULL) {
		json_decref(doc);
		return NULL;
	}
	*message = json_string_value(json_object_get(e, "message"));
	*keep = doc;
	return code;
}

static const struct {
	const char *code;
	int err;
} codes[] = {
    {"UNAUTHORIZED", EACCES},
    {"DENIED", EACCES},
    {"MANIFEST_UNKNOWN", ENOENT},
    {"BLOB_UNKNOWN", ENOENT},
    {"NAME_UNKNOWN", ENOENT},
    {"BLOB_UPLOAD_UNKNOWN", ENOENT},
    {"TOOMANYREQUESTS", EAGAIN},
    {"UNSUPPORTED", ENOTSUP},
    {"UNAVAILABLE", EIO},
    {"DIGEST_INVALID", EINVAL},
    {"SIZE_INVALID", EINVAL},
    {"NAME_INVALID", EINVAL},
    {"TAG_INVALID", EINVAL},
    {"MANIFEST_INVALID", EINVAL},
    {"MANIFEST_UNVERIFIED", EINVAL},
    {"MANIFEST_BLOB_UNKNOWN", EINVAL},
    {"BLOB_UPLOAD_INVALID", EINVAL},
    {"RANGE_INVALID", EINVAL},
};

int reg_errno_for(long status, const char *code)
{
	for (size_t i = 0; code && i < sizeof(codes) / sizeof(codes[0]); i++)
		if (strcmp(codes[i].code, code) == 0)
			return codes[i].err;
	if (status == 401 || status == 403)
		return EACCES;
	if (status == 404)
		return ENOENT;
	if (status == 429)
		return EAGAIN;
	if (status == 400)
		return EINVAL;
	if (status == 405)
		return ENOTSUP;
	return EIO;
}

static const char *reason(long status)
{
	switch (status) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden";
	case 404:
		return "Not Found";
	case 405:
		return "Method Not Allowed";
	case 416:
		return "Requested Range Not Satisfiable";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	}
	return "";
}

/* "MANIFEST_UNKNOWN" -> "manifest unknown" (errcode's Error()). */
static char *code_words(const char *code)
{
	char *w = xstrdup(code);
	for (char *p = w; *p; p++)
		*p = *p == '_' ? ' ' : (char)tolower((unsigned char)*p);
	return w;
}

char *reg_status_message(const struct reg_resp *resp, int *code)
{
	const char *msg;
	cleanup_json json_t *keep = NULL;
	const char *ec = reg_resp_error_code(resp, &msg, &keep);
	*code = reg_errno_for(resp->status, ec);
	if (resp->no_basic_creds && resp->status == 401)
		return xstrdup("no basic auth credentials");
	if (ec) {
		cleanup_free char *w = code_words(ec);
		if (msg && *msg)
			return xasprintf("%s: %.500s", w, msg);
		return steal_ptr(w);
	}
	/* token servers: {"details": "..."} */
	cleanup_json json_t *doc = resp->body ? json_loadb(resp->body, resp->len, 0, NULL) : NULL;
	const char *details = json_string_value(json_object_get(doc, "details"));
	if (details && resp->status == 401)
		return xasprintf("unauthorized: %.500s", details);
	if (details)
		return xasprintf("%.500s", details);
	if (resp->status == 401)
		return xstrdup("unauthorized: authentication required");
	return xasprintf("received unexpected HTTP status: %ld %s", resp->status,
			 reason(resp->status));
}

int reg_status_error(const struct reg_resp *resp, struct berth_error **err)
{
	int code;
	cleanup_free char *m = reg_status_message(resp, &code);
	cleanup_free char *method = xstrdup(resp->method ? resp->method : "GET");
	for (char *p = method + 1; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return berth_error_set(err, code, "%s \"%s\": %s", method, resp->url ? resp->url : "", m);
}
