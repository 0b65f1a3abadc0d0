/* Image references: docker/distribution's grammar and docker's
 * normalisation (see reference.h). Hand-written matchers for the grammar;
 * each mirrors one production, so the regexps' leftmost-first choices are
 * reproduced: a first component followed by '/' is the domain when it
 * matches the domain grammar, a ':' after the last '/' starts the tag, the
 * first '@' starts the digest. */
#include "core/images/reference.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#define ERR_FORMAT "invalid reference format"

static bool is_lower_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static bool is_alnum(char c)
{
	return is_lower_alnum(c) || (c >= 'A' && c <= 'Z');
}

static bool is_word(char c)
{
	return is_alnum(c) || c == '_';
}

static bool is_xdigit(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* component := [a-z0-9]+ ((\.|_|__|-+)[a-z0-9]+)* */
static bool path_component(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		size_t start = i;
		while (i < n && is_lower_alnum(s[i]))
			i++;
		if (i == start)
			return false;
		if (i == n)
			return true;
		if (s[i] == '.') {
			i++;
		} else if (s[i] == '_') {
			i++;
			if (i < n && s[i] == '_')
				i++;
		} else if (s[i] == '-') {
			while (i < n && s[i] == '-')
				i++;
		} else {
			return false;
		}
	}
}

static bool path_n(const char *s, size_t n)
{
	size_t i = 0;
	for (;;) {
		const char *slash = memchr(s + i, '/', n - i);
		size_t end = slash ? (size_t)(slash - s) : n;
		if (!path_component(s + i, end - i))
			return false;
		if (!slash)
			return true;
		i = end + 1;
	}
}

/* [a-zA-Z0-9] | [a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9] */
static bool domain_label(const char *s, size_t n)
{
	if (n == 0 || !is_alnum(s[0]) || !is_alnum(s[n - 1]))
		return false;
	for (size_t i = 1; i + 1 < n; i++)
		if (!is_alnum(s[i]) && s[i] != '-')
			return false;
	return true;
}

static bool digits(const char *s, size_t n)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* domain := (label ("." label)* | "[" [a-fA-F0-9:]+ "]") (":" [0-9]+)? */
static bool domain_n(const char *s, size_t n)
{
	size_t host_end;
	if (n > 0 && s[0] == '[') {
		const char *close = memchr(s, ']', n);
		if (close == NULL || close == s + 1)
			return false;
		for (const char *p = s + 1; p < close; p++)
			if (!is_xdigit(*p) && *p != ':')
				return false;
		host_end = (size_t)(close - s) + 1;
	} else {
		const char *colon = memchr(s, ':', n);
		host_end = colon ? (size_t)(colon - s) : n;
		size_t i = 0;
		for (;;) {
			const char *dot = memchr(s + i, '.', host_end - i);
			size_t end = dot ? (size_t)(dot - s) : host_end;
			if (!domain_label(s + i, end - i))
				return false;
			if (!dot)
				break;
			i = end + 1;
		}
	}
	if (host_end == n)
		return true;
	return s[host_end] == ':' && digits(s + host_end + 1, n - host_end - 1);
}

static bool tag_n(const char *s, size_t n)
{
	if (n == 0 || n > REF_TAG_MAX || !is_word(s[0]))
		return false;
	for (size_t i = 1; i < n; i++)
		if (!is_word(s[i]) && s[i] != '.' && s[i] != '-')
			return false;
	return true;
}

/* algorithm := [A-Za-z][A-Za-z0-9]* ([-_+.][A-Za-z][A-Za-z0-9]*)* ;
 * digest := algorithm ":" [0-9a-fA-F]{32,} */
static bool digest_grammar(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	if (colon == NULL)
		return false;
	size_t an = (size_t)(colon - s);
	bool need_alpha = true;
	for (size_t i = 0; i < an; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
		if (need_alpha) {
			if (!alpha)
				return false;
			need_alpha = false;
		} else if (c == '-' || c == '_' || c == '+' || c == '.') {
			need_alpha = true;
		} else if (!is_alnum(c)) {
			return false;
		}
	}
	if (an == 0 || need_alpha)
		return false;
	size_t hn = n - an - 1;
	if (hn < 32)
		return false;
	for (size_t i = 0; i < hn; i++)
		if (!is_xdigit(colon[1 + i]))
			return false;
	return true;
}

struct spans {
	size_t name_len;   /* s[0, name_len) */
	size_t domain_len; /* 0: no domain; else s[0, domain_len) */
	const char *tag;   /* NULL if none */
	size_t tag_len;
	const char *digest; /* NULL if none */
	size_t digest_len;
};

/* The whole reference grammar (distribution's ReferenceRegexp). */
static bool match(const char *s, struct spans *m)
{
	*m = (struct spans){0};
	size_t n = strlen(s);
	const char *at = strchr(s, '@');
	size_t left = n;
	if (at) {
		left = (size_t)(at - s);
		m->digest = at + 1;
		m->digest_len = n - left - 1;
		if (!digest_grammar(m->digest, m->digest_len))
			return false;
	}
	const char *slash = NULL, *colon = NULL;
	for (size_t i = 0; i < left; i++) {
		if (s[i] == '/')
			slash = s + i;
		else if (s[i] == ':')
			colon = s + i;
	}
	m->name_len = left;
	if (colon && (slash == NULL || colon > slash)) {
		m->tag = colon + 1;
		m->tag_len = (size_t)(s + left - m->tag);
		m->name_len = (size_t)(colon - s);
		if (!tag_n(m->tag, m->tag_len))
			return false;
	}
	const char *first = memchr(s, '/', m->name_len);
	if (first && domain_n(s, (size_t)(first - s)) &&
	    path_n(first + 1, m->name_len - (size_t)(first - s) - 1)) {
		m->domain_len = (size_t)(first - s);
		return true;
	}
	return path_n(s, m->name_len);
}

/* go-digest's Parse: only sha256 is supported here. */
static int check_digest(const char *d, size_t n, struct berth_error **err)
{
	const char *colon = memchr(d, ':', n);
	size_t an = (size_t)(colon - d);
	if (an != 6 || memcmp(d, "sha256", 6) != 0)
		return berth_error_set(err, ENOTSUP, "unsupported digest algorithm");
	size_t hn = n - an - 1;
	if (hn != 64)
		return berth_error_set(err, EINVAL, "invalid checksum digest length");
	for (size_t i = 0; i < hn; i++)
		if (!((colon[1 + i] >= '0' && colon[1 + i] <= '9') ||
		      (colon[1 + i] >= 'a' && colon[1 + i] <= 'f')))
			return berth_error_set(err, EINVAL, "invalid checksum digest format");
	return 0;
}

static char *dupn(const char *s, size_t n)
{
	char *d = xmalloc(n + 1);
	memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

static char *lower_dup(const char *s)
{
	char *l = xstrdup(s);
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

int ref_parse(const char *s, struct ref **out, struct berth_error **err)
{
	if (s == NULL || *s == '\0')
		return berth_error_set(err, EINVAL,
				       "repository name must have at least one component");
	struct spans m;
	if (!match(s, &m)) {
		cleanup_free char *l = lower_dup(s);
		struct spans lm;
		if (match(l, &lm))
			return berth_error_set(err, EINVAL, "repository name must be lowercase");
		return berth_error_set(err, EINVAL, ERR_FORMAT);
	}
	if (m.name_len > REF_NAME_MAX)
		return berth_error_set(err, EINVAL,
				       "repository name must not be more than %d characters",
				       REF_NAME_MAX);
	if (m.digest && check_digest(m.digest, m.digest_len, err) < 0)
		return -1;
	struct ref *r = xcalloc(1, sizeof(*r));
	if (m.domain_len) {
		r->domain = dupn(s, m.domain_len);
		r->path = dupn(s + m.domain_len + 1, m.name_len - m.domain_len - 1);
	} else {
		r->path = dupn(s, m.name_len);
	}
	r->tag = m.tag ? dupn(m.tag, m.tag_len) : NULL;
	r->digest = m.digest ? dupn(m.digest, m.digest_len) : NULL;
	*out = r;
	return 0;
}

bool ref_is_identifier(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == 64;
}

/* docker's splitDockerDomain: the first component is a domain when it has a
 * '.' or ':' or is localhost. (distribution 3.x also takes an uppercase
 * first component for a domain; docker 20.10 and this code reject it as
 * "repository name must be lowercase".) */
static void split_docker_domain(const char *s, char **domain, char **remainder)
{
	const char *slash = strchr(s, '/');
	bool is_domain = false;
	if (slash) {
		size_t n = (size_t)(slash - s);
		is_domain = memchr(s, '.', n) || memchr(s, ':', n) ||
			    (n == 9 && memcmp(s, "localhost", 9) == 0);
	}
	if (is_domain) {
		*domain = xstrdup(s);
		(*domain)[slash - s] = '\0';
		*remainder = xstrdup(slash + 1);
	} else {
		*domain = xstrdup(REF_DEFAULT_DOMAIN);
		*remainder = xstrdup(s);
	}
	if (strcmp(*domain, REF_LEGACY_DOMAIN) == 0) {
		free(*domain);
		*domain = xstrdup(REF_DEFAULT_DOMAIN);
	}
	if (strcmp(*domain, REF_DEFAULT_DOMAIN) == 0 && strchr(*remainder, '/') == NULL) {
		char *r = xasprintf(REF_OFFICIAL_PREFIX "%s", *remainder);
		free(*remainder);
		*remainder = r;
	}
}

int ref_parse_normalized(const char *s, struct ref **out, struct berth_error **err)
{
	if (s == NULL || *s == '\0')
		return berth_error_set(err, EINVAL,
				       "repository name must have at least one component");
	if (ref_is_identifier(s))
		return berth_error_set(err, EINVAL,
				       "invalid repository name (%s), cannot specify 64-byte "
				       "hexadecimal strings",
				       s);
	cleanup_free char *domain = NULL;
	cleanup_free char *remainder = NULL;
	split_docker_domain(s, &domain, &remainder);
	size_t remote_len = strcspn(remainder, ":");
	for (size_t i = 0; i < remote_len; i++)
		if (remainder[i] >= 'A' && remainder[i] <= 'Z')
			return berth_error_set(err, EINVAL,
					       ERR_FORMAT ": repository name must be lowercase");
	cleanup_free char *full = xasprintf("%s/%s", domain, remainder);
	struct ref *r = NULL;
	if (ref_parse(full, &r, err) < 0)
		return -1;
	/* "a.b_c/d": the first component looked like a domain to the split but
	 * is not one by the grammar; distribution would return a name without
	 * a domain, which no registry can serve. */
	if (r->domain == NULL) {
		ref_free(r);
		return berth_error_set(err, EINVAL, ERR_FORMAT);
	}
	*out = r;
	return 0;
}

int ref_parse_docker(const char *s, struct ref **out, struct berth_error **err)
{
	struct ref *r = NULL;
	if (ref_parse_normalized(s, &r, err) < 0)
		return -1;
	if (r->tag && r->digest) {
		free(r->tag);
		r->tag = NULL;
	}
	ref_tag_name_only(r);
	*out = r;
	return 0;
}

int ref_parse_any(const char *s, struct ref **out, struct berth_error **err)
{
	if (s && ref_is_identifier(s)) {
		struct ref *r = xcalloc(1, sizeof(*r));
		r->digest = xasprintf("sha256:%s", s);
		*out = r;
		return 0;
	}
	if (s && strncmp(s, "sha256:", 7) == 0 && ref_is_identifier(s + 7)) {
		struct ref *r = xcalloc(1, sizeof(*r));
		r->digest = xstrdup(s);
		*out = r;
		return 0;
	}
	return ref_parse_normalized(s, out, err);
}

void ref_free(struct ref *r)
{
	if (r == NULL)
		return;
	free(r->domain);
	free(r->path);
	free(r->tag);
	free(r->digest);
	free(r);
}

static char *dup_or_null(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

struct ref *ref_dup(const struct ref *r)
{
	struct ref *d = xcalloc(1, sizeof(*d));
	d->domain = dup_or_null(r->domain);
	d->path = dup_or_null(r->path);
	d->tag = dup_or_null(r->tag);
	d->digest = dup_or_null(r->digest);
	return d;
}

void ref_tag_name_only(struct ref *r)
{
	if (r->path && r->tag == NULL && r->digest == NULL)
		r->tag = xstrdup(REF_DEFAULT_TAG);
}

int ref_set_tag(struct ref *r, const char *tag, struct berth_error **err)
{
	if (tag == NULL || !ref_tag_valid(tag))
		return berth_error_set(err, EINVAL, "invalid tag format");
	free(r->tag);
	r->tag = xstrdup(tag);
	return 0;
}

bool ref_tag_valid(const char *tag)
{
	return tag && tag_n(tag, strlen(tag));
}

bool ref_domain_valid(const char *domain)
{
	return domain && domain_n(domain, strlen(domain));
}

bool ref_path_valid(const char *path)
{
	return path && path_n(path, strlen(path));
}

static char *join(const char *domain, const char *path, const char *tag, const char *digest)
{
	return xasprintf("%s%s%s%s%s%s%s", domain ? domain : "", domain && path ? "/" : "",
			 path ? path : "", tag ? ":" : "", tag ? tag : "", digest ? "@" : "",
			 digest ? digest : "");
}

char *ref_name(const struct ref *r)
{
	return join(r->domain, r->path, NULL, NULL);
}

char *ref_string(const struct ref *r)
{
	if (r->path == NULL) /* digest only */
		return xstrdup(r->digest ? r->digest : "");
	return join(r->domain, r->path, r->tag, r->digest);
}

/* docker.io is left out, and library/ for one-level official images. */
static void familiar(const struct ref *r, const char **domain, const char **path)
{
	*domain = r->domain;
	*path = r->path;
	if (r->domain && r->path && strcmp(r->domain, REF_DEFAULT_DOMAIN) == 0) {
		*domain = NULL;
		size_t pn = strlen(REF_OFFICIAL_PREFIX);
		if (strncmp(r->path, REF_OFFICIAL_PREFIX, pn) == 0 && !strchr(r->path + pn, '/'))
			*path = r->path + pn;
	}
}

char *ref_familiar_name(const struct ref *r)
{
	const char *domain, *path;
	familiar(r, &domain, &path);
	return join(domain, path, NULL, NULL);
}

char *ref_familiar_string(const struct ref *r)
{
	if (r->path == NULL)
		return ref_string(r);
	const char *domain, *path;
	familiar(r, &domain, &path);
	return join(domain, path, r->tag, r->digest);
}
