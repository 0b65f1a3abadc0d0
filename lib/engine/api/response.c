/* Filling struct api_response: JSON, text, empty, errors, streams, upgrades. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void api_response_init(struct api_response *resp)
{
	memset(resp, 0, sizeof(*resp));
	resp->status = 200;
	resp->std_headers = true;
}

void api_response_release(struct api_response *resp)
{
	free(resp->content_type);
	for (size_t i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	free(resp->body);
	if (resp->free_arg && resp->arg)
		resp->free_arg(resp->arg);
	bool std = resp->std_headers;
	api_response_init(resp);
	resp->std_headers = std;
}

/* Drop a body set earlier (a handler that replies twice keeps the last). */
static void reset_body(struct api_response *resp)
{
	free(resp->content_type);
	resp->content_type = NULL;
	free(resp->body);
	resp->body = NULL;
	resp->body_len = 0;
	if (resp->free_arg && resp->arg)
		resp->free_arg(resp->arg);
	resp->arg = NULL;
	resp->free_arg = NULL;
	resp->stream_fn = NULL;
	resp->upgrade_fn = NULL;
	resp->kind = API_BODY_BUFFER;
}

void api_reply_json(struct api_response *resp, unsigned status, json_t *body)
{
	reset_body(resp);
	char *s = json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY);
	json_decref(body);
	if (s == NULL)
		abort(); /* only on out-of-memory */
	resp->status = status;
	resp->content_type = xstrdup("application/json");
	resp->body = xasprintf("%s\n", s);
	resp->body_len = strlen(resp->body);
	free(s);
}

void api_reply_text(struct api_response *resp, unsigned status, const char *content_type,
		    const char *text)
{
	reset_body(resp);
	resp->status = status;
	resp->content_type = content_type ? xstrdup(content_type) : NULL;
	resp->body = xstrdup(text);
	resp->body_len = strlen(text);
}

void api_reply_empty(struct api_response *resp, unsigned status)
{
	reset_body(resp);
	resp->status = status;
}

void api_reply_message(struct api_response *resp, unsigned status, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *msg = xvasprintf(fmt, ap);
	va_end(ap);
	api_reply_json(resp, status, json_pack("{s:s}", "message", msg));
}

unsigned api_status_for_code(int code)
{
	switch (code) {
	case ENOENT:
		return 404;
	case EEXIST:
	case EBUSY:
		return 409;
	case EINVAL:
		return 400;
	case ENOTSUP:
	case ENOSYS:
		return 501;
	default:
		return 500;
	}
}

void api_reply_error(struct api_response *resp, const struct berth_error *err)
{
	if (err == NULL) {
		api_reply_message(resp, 500, "internal error (no error message)");
		return;
	}
	api_reply_message(resp, api_status_for_code(err->code), "%s", err->msg ? err->msg : "");
}

void api_header_add(struct api_response *resp, const char *name, const char *value)
{
	resp->headers = xrealloc(resp->headers, (resp->nheaders + 1) * sizeof(*resp->headers));
	resp->headers[resp->nheaders].name = xstrdup(name);
	resp->headers[resp->nheaders].value = xstrdup(value);
	resp->nheaders++;
}

void api_reply_stream(struct api_response *resp, unsigned status, const char *content_type,
		      api_stream_fn fn, void *arg, void (*free_arg)(void *))
{
	reset_body(resp);
	resp->status = status;
	resp->kind = API_BODY_STREAM;
	resp->content_type = content_type ? xstrdup(content_type) : NULL;
	resp->stream_fn = fn;
	resp->arg = arg;
	resp->free_arg = free_arg;
}

void api_reply_upgrade(struct api_response *resp, api_upgrade_fn fn, void *arg,
		       void (*free_arg)(void *))
{
	reset_body(resp);
	resp->status = 101;
	resp->kind = API_BODY_UPGRADE;
	resp->content_type = xstrdup("application/vnd.docker.raw-stream");
	resp->upgrade_fn = fn;
	resp->arg = arg;
	resp->free_arg = free_arg;
}
