/* Tags of a repository: GET /v2/<name>/tags/list, following the Link header
 * (rel="next") page after page, as docker's registry client does. */
#include "core/registry/internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* One page of a tags list is at most this big. */
#define TAGS_PAGE_MAX (4 << 20)

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Whether the rel parameter value (a token or a quoted string holding
 * space-separated relation types) names "next". */
static bool rel_is_next(const char *v, size_t n)
{
	while (n > 0) {
		while (n > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			n--;
		}
		size_t w = 0;
		while (w < n && v[w] != ' ' && v[w] != '\t')
			w++;
		if (w == 4 && strncasecmp(v, "next", 4) == 0)
			return true;
		v += w;
		n -= w;
	}
	return false;
}

char *reg_link_next(const char *header)
{
	const char *s = header;
	while (s && *s) {
		s = skip_ws(s);
		if (*s == ',') {
			s++;
			continue;
		}
		if (*s != '<')
			return NULL;
		const char *url = s + 1;
		const char *end = strchr(url, '>');
		if (end == NULL)
			return NULL;
		size_t url_len = (size_t)(end - url);
		s = end + 1;
		bool next = false;
		/* parameters: ; name=value or ; name="value" */
		for (;;) {
			s = skip_ws(s);
			if (*s != ';')
				break;
			s = skip_ws(s + 1);
			const char *name = s;
			while (*s && *s != '=' && *s != ';' && *s != ',' && *s != ' ' && *s != '\t')
				s++;
			size_t name_len = (size_t)(s - name);
			s = skip_ws(s);
			const char *val = "";
			size_t val_len = 0;
			if (*s == '=') {
				s = skip_ws(s + 1);
				if (*s == '"') {
					val = ++s;
					while (*s && *s != '"') {
						if (*s == '\\' && s[1])
							s++;
						s++;
					}
					if (*s != '"')
						return NULL;
					val_len = (size_t)(s - val);
					s++;
				} else {
					val = s;
					while (*s && *s != ';' && *s != ',' && *s != ' ' &&
					       *s != '\t')
						s++;
					val_len = (size_t)(s - val);
				}
			}
			if (name_len == 3 && strncasecmp(name, "rel", 3) == 0 &&
			    rel_is_next(val, val_len))
				next = true;
		}
		if (next && url_len > 0)
			return xasprintf("%.*s", (int)url_len, url);
		s = skip_ws(s);
		if (*s && *s != ',')
			return NULL;
	}
	return NULL;
}

/* The request path of the next page: an absolute URL as is, a path on the
 * endpoint, or a query relative to the list's path. NULL if unusable. */
static char *next_path(const struct reg_repo *r, const char *link)
{
	if (strncmp(link, "https://", 8) == 0 || strncmp(link, "http://", 7) == 0)
		return xstrdup(link);
	if (link[0] == '/' && link[1] != '/')
		return xstrdup(link);
	if (link[0] == '?')
		return xasprintf("/v2/%s/tags/list%s", r->path, link);
	return NULL;
}

/* docker's TranslatePullError for the tags list. */
static int tags_error(struct reg_repo *r, const struct reg_resp *resp, struct berth_error **err)
{
	const char *msg;
	cleanup_json json_t *keep = NULL;
	const char *code = reg_resp_error_code(resp, &msg, &keep);
	if (resp->no_basic_creds)
		return reg_status_error(resp, err);
	int ec;
	cleanup_free char *cause = reg_status_message(resp, &ec);
	cleanup_free char *name = r->ref ? ref_familiar_name(r->ref) : xstrdup(r->path);
	if (code && (strcmp(code, "DENIED") == 0 || strcmp(code, "UNAUTHORIZED") == 0))
		return berth_error_set(err, strcmp(code, "DENIED") == 0 ? ENOENT : EACCES,
				       "pull access denied for %s, repository does not exist or "
				       "may require 'docker login': %s",
				       name, cause);
	if ((code && strcmp(code, "NAME_UNKNOWN") == 0) || (code == NULL && resp->status == 404))
		return berth_error_set(err, ENOENT, "repository %s not found: %s", name, cause);
	return reg_status_error(resp, err);
}

static int add_page(struct reg_repo *r, const struct reg_resp *resp, char ***tags, size_t *n,
		    struct berth_error **err)
{
	json_error_t je;
	cleanup_json json_t *doc = json_loadb(resp->body ? resp->body : "", resp->len, 0, &je);
	json_t *list = json_object_get(doc, "tags");
	if (!json_is_object(doc) || !(json_is_array(list) || json_is_null(list) || list == NULL))
		return berth_error_set(err, EINVAL, "%s: tags list of %s: invalid JSON answer",
				       resp->url ? resp->url : "", r->path);
	size_t i;
	json_t *t;
	json_array_foreach(list, i, t)
	{
		const char *s = json_string_value(t);
		if (s == NULL || !ref_tag_valid(s))
			return berth_error_set(err, EINVAL, "tags list of %s: invalid tag %.200s",
					       r->path, s ? s : "(not a string)");
		if (*n >= REG_TAGS_MAX)
			return berth_error_set(err, EFBIG, "tags list of %s: more than %d tags",
					       r->path, REG_TAGS_MAX);
		*tags = xrealloc(*tags, (*n + 2) * sizeof(**tags));
		(*tags)[(*n)++] = xstrdup(s);
		(*tags)[*n] = NULL;
	}
	return 0;
}

int reg_list_tags(struct reg_repo *r, char ***tags, size_t *n, struct berth_error **err)
{
	*tags = NULL;
	*n = 0;
	cleanup_free char *path = xasprintf("/v2/%s/tags/list", r->path);
	int pages = 0;
	while (path) {
		if (++pages > REG_TAGS_MAX_PAGES) {
			berth_error_set(err, EFBIG, "tags list of %s: more than %d pages", r->path,
					REG_TAGS_MAX_PAGES);
			goto fail;
		}
		struct reg_req req = {
		    .method = "GET", .path = path, .max_body = TAGS_PAGE_MAX, .use_mirrors = true};
		struct reg_resp resp = {0};
		if (reg_request(r, &req, &resp, err) < 0) {
			reg_resp_free(&resp);
			goto fail;
		}
		if (resp.status != 200) {
			tags_error(r, &resp, err);
			reg_resp_free(&resp);
			goto fail;
		}
		if (add_page(r, &resp, tags, n, err) < 0) {
			reg_resp_free(&resp);
			goto fail;
		}
		const char *link = reg_resp_header(&resp, "link");
		cleanup_free char *next = link ? reg_link_next(link) : NULL;
		free(path);
		path = next ? next_path(r, next) : NULL;
		if (next && path == NULL) {
			berth_error_set(err, EINVAL, "tags list of %s: unusable Link %.200s",
					r->path, next);
			reg_resp_free(&resp);
			goto fail;
		}
		reg_resp_free(&resp);
	}
	return 0;
fail:
	reg_tags_free(*tags, *n);
	*tags = NULL;
	*n = 0;
	return -1;
}

void reg_tags_free(char **tags, size_t n)
{
	for (size_t i = 0; tags && i < n; i++)
		free(tags[i]);
	free(tags);
}
