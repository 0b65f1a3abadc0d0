/* Route matching and API version handling (pure functions, no I/O). */
#include "engine/api/api.h"

#include "common/xalloc.h"

#include <stdlib.h>
#include <string.h>

int api_version_parse(const char *s, size_t len, struct api_version *out)
{
	unsigned long part[2] = {0, 0};
	size_t idx = 0;
	bool digits = false;
	if (len == 0)
		return -1;
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '.') {
			idx++;
			digits = false;
			continue;
		}
		if (c < '0' || c > '9')
			return -1;
		if (idx < 2) {
			part[idx] = part[idx] * 10 + (unsigned long)(c - '0');
			if (part[idx] > 1000000)
				return -1;
		}
		digits = true;
	}
	(void)digits;
	out->major = (unsigned)part[0];
	out->minor = (unsigned)part[1];
	return 0;
}

int api_version_cmp(struct api_version a, struct api_version b)
{
	if (a.major != b.major)
		return a.major < b.major ? -1 : 1;
	if (a.minor != b.minor)
		return a.minor < b.minor ? -1 : 1;
	return 0;
}

/* docker's versions.compare: dot-separated numbers, missing parts are 0. */
static int cmp_strs(const char *a, const char *b)
{
	while (*a || *b) {
		unsigned long x = 0, y = 0;
		while (*a >= '0' && *a <= '9')
			x = x * 10 + (unsigned long)(*a++ - '0');
		while (*b >= '0' && *b <= '9')
			y = y * 10 + (unsigned long)(*b++ - '0');
		if (x != y)
			return x < y ? -1 : 1;
		if (*a == '.')
			a++;
		if (*b == '.')
			b++;
		if ((*a && (*a < '0' || *a > '9') && *a != '.') ||
		    (*b && (*b < '0' || *b > '9') && *b != '.'))
			break;
	}
	return 0;
}

int api_version_cmp_str(struct api_version v, const char *s)
{
	struct api_version o = {0, 0};
	if (api_version_parse(s, strlen(s), &o) < 0)
		return 1;
	return api_version_cmp(v, o);
}

void api_path_split(const char *url, const char **path, bool *versioned, char **version_str)
{
	*path = url;
	*versioned = false;
	*version_str = NULL;
	if (url[0] != '/' || url[1] != 'v')
		return;
	size_t n = strspn(url + 2, "0123456789.");
	if (n == 0 || url[2 + n] != '/')
		return;
	*path = url + 2 + n;
	*versioned = true;
	*version_str = strndup(url + 2, n);
	if (*version_str == NULL)
		abort();
}

char *api_version_check(const char *version_str, bool *json_body)
{
	if (cmp_strs(version_str, API_VERSION_MIN) < 0) {
		*json_body = false;
		return xasprintf("client version %s is too old. Minimum supported API version is "
				 "%s, please upgrade your client to a newer version",
				 version_str, API_VERSION_MIN);
	}
	if (cmp_strs(version_str, API_VERSION_MAX) > 0) {
		*json_body = true;
		return xasprintf(
		    "client version %s is too new. Maximum supported API version is %s",
		    version_str, API_VERSION_MAX);
	}
	return NULL;
}

struct capture {
	const char *name;
	size_t name_len;
	const char *val;
	size_t val_len;
};

/* Match pattern `p` against path `s`; {x} takes one non-empty segment, {x*}
 * one or more (longest first, backtracking). */
static bool match(const char *p, const char *s, struct capture *caps, size_t ncaps, size_t *used)
{
	while (*p && *p != '{') {
		if (*p != *s)
			return false;
		p++;
		s++;
	}
	if (*p == '\0')
		return *s == '\0';
	const char *close = strchr(p, '}');
	if (close == NULL || ncaps == *used)
		return false;
	bool greedy = close > p + 1 && close[-1] == '*';
	struct capture *c = &caps[(*used)++];
	c->name = p + 1;
	c->name_len = (size_t)(close - p - 1) - (greedy ? 1 : 0);
	c->val = s;
	const char *rest = close + 1;
	size_t seg = strcspn(s, "/");
	if (!greedy) {
		if (seg > 0 && match(rest, s + seg, caps, ncaps, used)) {
			c->val_len = seg;
			return true;
		}
		(*used)--;
		return false;
	}
	/* candidate ends: every segment boundary, longest first */
	for (size_t len = strlen(s); len >= seg && len > 0; len--) {
		if (s[len] != '\0' && s[len] != '/')
			continue;
		size_t save = *used;
		if (match(rest, s + len, caps, ncaps, used)) {
			c->val_len = len;
			return true;
		}
		*used = save;
	}
	(*used)--;
	return false;
}

void api_request_clear_params(struct api_request *req)
{
	for (size_t i = 0; i < req->nparams; i++) {
		free(req->param_names[i]);
		free(req->params[i]);
		req->param_names[i] = req->params[i] = NULL;
	}
	req->nparams = 0;
	req->route = NULL;
}

bool api_route_match(const struct api_route *const *tables, const char *method, const char *path,
		     struct api_request *req)
{
	api_request_clear_params(req);
	for (const struct api_route *const *t = tables; *t; t++) {
		for (const struct api_route *r = *t; r->method; r++) {
			if (strcmp(r->method, method) != 0)
				continue;
			struct capture caps[API_MAX_PARAMS];
			size_t used = 0;
			if (!match(r->pattern, path, caps, API_MAX_PARAMS, &used))
				continue;
			req->route = r;
			for (size_t i = 0; i < used; i++) {
				req->param_names[i] = strndup(caps[i].name, caps[i].name_len);
				req->params[i] = strndup(caps[i].val, caps[i].val_len);
				if (!req->param_names[i] || !req->params[i])
					abort();
			}
			req->nparams = used;
			return true;
		}
	}
	return false;
}

const char *api_param(const struct api_request *req, const char *name)
{
	for (size_t i = 0; i < req->nparams; i++)
		if (strcmp(req->param_names[i], name) == 0)
			return req->params[i];
	return NULL;
}
