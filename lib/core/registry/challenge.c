/* WWW-Authenticate parsing (RFC 7235 challenges; see registry.h). */
#include "core/registry/registry.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>
#include <strings.h>

static void clear_range(struct reg_challenge *list, size_t n);

static bool is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static void skip_ws(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static char *read_token(const char **p, bool lower)
{
	const char *s = *p;
	while (is_tchar(**p))
		(*p)++;
	if (*p == s)
		return NULL;
	char *t = xasprintf("%.*s", (int)(*p - s), s);
	if (lower)
		for (char *q = t; *q; q++)
			*q = (char)tolower((unsigned char)*q);
	return t;
}

/* A quoted-string after its opening quote; backslash escapes one char. */
static char *read_quoted(const char **p)
{
	size_t cap = strlen(*p) + 1, n = 0;
	char *v = xmalloc(cap);
	while (**p && **p != '"') {
		if (**p == '\\' && (*p)[1])
			(*p)++;
		v[n++] = *(*p)++;
	}
	if (**p != '"') {
		free(v);
		return NULL;
	}
	(*p)++;
	v[n] = '\0';
	return v;
}

static void add_param(struct reg_challenge *c, char *name, char *value)
{
	c->params = xrealloc(c->params, (c->n_params + 1) * sizeof(*c->params));
	c->params[c->n_params++] = (struct reg_param){name, value};
}

/* auth-params of one challenge; stops before a token that starts the next. */
static int parse_params(const char **p, struct reg_challenge *c, const char *header,
			struct berth_error **err)
{
	for (;;) {
		while (**p == ' ' || **p == '\t' || **p == ',')
			(*p)++;
		if (**p == '\0')
			return 0;
		const char *save = *p;
		cleanup_free char *name = read_token(p, true);
		if (name == NULL)
			return berth_error_set(err, EINVAL,
					       "WWW-Authenticate \"%.200s\": unexpected \"%c\"",
					       header, **p);
		skip_ws(p);
		if (**p != '=') {
			*p = save; /* the scheme of the next challenge */
			return 0;
		}
		(*p)++;
		skip_ws(p);
		char *value;
		if (**p == '"') {
			(*p)++;
			value = read_quoted(p);
			if (value == NULL)
				return berth_error_set(
				    err, EINVAL,
				    "WWW-Authenticate \"%.200s\": unterminated quoted "
				    "value of %s",
				    header, name);
		} else {
			value = read_token(p, false);
			if (value == NULL)
				return berth_error_set(
				    err, EINVAL, "WWW-Authenticate \"%.200s\": %s has no value",
				    header, name);
		}
		add_param(c, steal_ptr(name), value);
		skip_ws(p);
		if (**p != ',' && **p != '\0')
			return berth_error_set(
			    err, EINVAL, "WWW-Authenticate \"%.200s\": expected \",\" after %s",
			    header, c->params[c->n_params - 1].name);
	}
}

int reg_challenges_parse(const char *header, struct reg_challenge **list, size_t *n,
			 struct berth_error **err)
{
	const char *p = header ? header : "";
	size_t start = *n;
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		if (*p == '\0')
			break;
		char *scheme = read_token(&p, true);
		if (scheme == NULL || (*p != ' ' && *p != '\t' && *p != ',' && *p != '\0')) {
			free(scheme);
			clear_range(*list + start, *n - start);
			*n = start;
			return berth_error_set(
			    err, EINVAL, "WWW-Authenticate \"%.200s\": expected an auth scheme",
			    header);
		}
		*list = xrealloc(*list, (*n + 1) * sizeof(**list));
		struct reg_challenge *c = &(*list)[(*n)++];
		*c = (struct reg_challenge){.scheme = scheme};
		if (parse_params(&p, c, header, err) < 0) {
			clear_range(*list + start, *n - start);
			*n = start;
			return -1;
		}
	}
	if (*n == start)
		return berth_error_set(err, EINVAL, "WWW-Authenticate \"%.200s\": no challenge",
				       header ? header : "");
	return 0;
}

static void clear_range(struct reg_challenge *list, size_t n)
{
	for (size_t i = 0; list && i < n; i++) {
		free(list[i].scheme);
		for (size_t j = 0; j < list[i].n_params; j++) {
			free(list[i].params[j].name);
			free(list[i].params[j].value);
		}
		free(list[i].params);
		list[i] = (struct reg_challenge){0};
	}
}

void reg_challenges_free(struct reg_challenge *list, size_t n)
{
	clear_range(list, n);
	free(list);
}

const char *reg_challenge_param(const struct reg_challenge *c, const char *name)
{
	for (size_t i = 0; i < c->n_params; i++)
		if (strcasecmp(c->params[i].name, name) == 0)
			return c->params[i].value;
	return NULL;
}
