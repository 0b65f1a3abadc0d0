/* Request accessors: query parameters, headers, JSON bodies. */
#include "engine/api/api-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <microhttpd.h>

/* A copied value (handlers of body_tables routes run in a thread of their
 * own, beside the connection's thread that still parses the request). */
static const char *kv_lookup(const struct api_request *req, bool header, const char *key)
{
	for (size_t i = 0; i < req->nkv; i++)
		if (req->kv[i].header == header &&
		    (header ? strcasecmp(req->kv[i].key, key) : strcmp(req->kv[i].key, key)) == 0)
			return req->kv[i].value;
	return NULL;
}

const char *api_query(const struct api_request *req, const char *key)
{
	if (req->kv != NULL)
		return kv_lookup(req, false, key);
	if (req->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, key);
}

struct collect {
	const char *key;
	char **v;
	size_t n;
};

static enum MHD_Result collect_value(void *cls, enum MHD_ValueKind kind, const char *key,
				     const char *value)
{
	(void)kind;
	struct collect *c = cls;
	if (strcmp(key, c->key) != 0)
		return MHD_YES;
	c->v = xrealloc(c->v, (c->n + 2) * sizeof(char *));
	c->v[c->n++] = xstrdup(value ? value : "");
	c->v[c->n] = NULL;
	return MHD_YES;
}

char **api_query_all(const struct api_request *req, const char *key)
{
	struct collect c = {.key = key, .v = xcalloc(1, sizeof(char *)), .n = 0};
	if (req->kv != NULL) {
		for (size_t i = 0; i < req->nkv; i++)
			if (!req->kv[i].header)
				collect_value(&c, MHD_GET_ARGUMENT_KIND, req->kv[i].key,
					      req->kv[i].value);
	} else if (req->conn != NULL)
		MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, collect_value, &c);
	return c.v;
}

bool api_query_bool(const struct api_request *req, const char *key, bool def)
{
	const char *v = api_query(req, key);
	if (v == NULL)
		return def;
	static const char *const no[] = {"", "0", "false", "False", "FALSE", "no", "none"};
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (strcmp(v, no[i]) == 0)
			return false;
	return true;
}

int api_query_int(const struct api_request *req, const char *key, long long min, long long max,
		  long long *out, struct berth_error **err)
{
	const char *v = api_query(req, key);
	if (v == NULL)
		return 0;
	char *end = NULL;
	errno = 0;
	long long n = strtoll(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return berth_error_set(err, EINVAL, "invalid value for %s: %s: not an integer", key,
				       v);
	if (n < min || n > max)
		return berth_error_set(err, EINVAL,
				       "invalid value for %s: %s: must be between %lld and %lld",
				       key, v, min, max);
	*out = n;
	return 0;
}

const char *api_header(const struct api_request *req, const char *name)
{
	if (req->kv != NULL)
		return kv_lookup(req, true, name);
	if (req->conn == NULL)
		return NULL;
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

int api_body_json(const struct api_request *req, bool empty_ok, json_t **out,
		  struct berth_error **err)
{
	if (req->body_len == 0) {
		if (!empty_ok)
			return berth_error_set(err, EINVAL, "request body is empty: expected JSON");
		*out = json_object();
		return 0;
	}
	json_error_t je;
	json_t *j = json_loadb(req->body, req->body_len, 0, &je);
	if (j == NULL)
		return berth_error_set(err, EINVAL,
				       "invalid JSON in request body: %s at line %d column %d",
				       je.text, je.line, je.column);
	if (!json_is_object(j)) {
		json_decref(j);
		return berth_error_set(err, EINVAL,
				       "invalid JSON in request body: expected an object");
	}
	*out = j;
	return 0;
}

ssize_t api_body_read(struct api_request *req, void *buf, size_t len)
{
	if (req->body_stream != NULL)
		return api_body_stream_read(req->body_stream, buf, len);
	size_t left = req->body_len - req->body_off;
	if (len > left)
		len = left;
	memcpy(buf, req->body + req->body_off, len);
	req->body_off += len;
	return (ssize_t)len;
}
