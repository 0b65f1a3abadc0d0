/* Credentials from a docker-compatible config.json (see registry.h). */
#include "core/registry/registry.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <string.h>
#include <sys/stat.h>

#define AUTH_FILE_MAX (1 << 20)

struct auth_entry {
	char *key;  /* as written */
	char *host; /* scheme and path dropped */
	struct reg_auth auth;
};

struct reg_auth_file {
	struct auth_entry *e;
	size_t n;
};

void reg_auth_free(struct reg_auth *a)
{
	if (a == NULL)
		return;
	free(a->username);
	if (a->password)
		explicit_bzero(a->password, strlen(a->password));
	free(a->password);
	free(a->identity_token);
	free(a->registry_token);
	memset(a, 0, sizeof(*a));
}

static char *dup0(const char *s)
{
	return s ? xstrdup(s) : NULL;
}

void reg_auth_copy(struct reg_auth *dst, const struct reg_auth *src)
{
	dst->username = dup0(src->username);
	dst->password = dup0(src->password);
	dst->identity_token = dup0(src->identity_token);
	dst->registry_token = dup0(src->registry_token);
}

bool reg_auth_empty(const struct reg_auth *a)
{
	return a == NULL || ((a->username == NULL || *a->username == '\0') &&
			     a->identity_token == NULL && a->registry_token == NULL);
}

/* "https://host:5000/v1/" -> "host:5000" (docker's ConvertToHostname). */
static char *key_host(const char *key)
{
	const char *s = key;
	if (strncmp(s, "http://", 7) == 0)
		s += 7;
	else if (strncmp(s, "https://", 8) == 0)
		s += 8;
	return xasprintf("%.*s", (int)strcspn(s, "/"), s);
}

static int decode_auth(const char *b64, const char *path, struct reg_auth *a,
		       struct berth_error **err)
{
	size_t n = strlen(b64);
	if (n == 0)
		return 0;
	if (n % 4 != 0)
		return berth_error_set(err, EINVAL, "%s: invalid base64 (length %zu)", path, n);
	cleanup_free unsigned char *raw = xmalloc(n / 4 * 3 + 1);
	int len = EVP_DecodeBlock(raw, (const unsigned char *)b64, (int)n);
	if (len < 0)
		return berth_error_set(err, EINVAL, "%s: invalid base64", path);
	for (size_t i = n; i > 0 && b64[i - 1] == '='; i--)
		len--;
	raw[len] = '\0';
	if (memchr(raw, '\0', (size_t)len))
		return berth_error_set(err, EINVAL, "%s: decoded value contains a NUL byte", path);
	char *colon = strchr((char *)raw, ':');
	if (colon == NULL)
		return berth_error_set(err, EINVAL, "%s: expected base64 of \"username:password\"",
				       path);
	*colon = '\0';
	free(a->username);
	free(a->password);
	a->username = xstrdup((char *)raw);
	a->password = xstrdup(colon + 1);
	explicit_bzero(raw, (size_t)len);
	return 0;
}

static int parse_entry(const char *name, const char *key, json_t *v, struct auth_entry *e,
		       struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s: auths[\"%.100s\"]", name, key);
	cleanup_free char *b64 = NULL;
	if (!json_is_object(v)) {
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "%s: expected an object, got %s", path, d);
	}
	if (bjson_string(v, "username", path, false, &e->auth.username, err) < 0 ||
	    bjson_string(v, "password", path, false, &e->auth.password, err) < 0 ||
	    bjson_string(v, "identitytoken", path, false, &e->auth.identity_token, err) < 0 ||
	    bjson_string(v, "registrytoken", path, false, &e->auth.registry_token, err) < 0 ||
	    bjson_string(v, "auth", path, false, &b64, err) < 0)
		return -1;
	if (b64) {
		cleanup_free char *ap = xasprintf("%s.auth", path);
		if (decode_auth(b64, ap, &e->auth, err) < 0)
			return -1;
	}
	e->key = xstrdup(key);
	e->host = key_host(key);
	return 0;
}

int reg_auth_file_parse(const char *json, size_t len, const char *name, struct reg_auth_file **out,
			struct berth_error **err)
{
	*out = NULL;
	json_error_t je;
	cleanup_json json_t *doc = json_loadb(json, len, 0, &je);
	if (doc == NULL)
		return berth_error_set(err, EINVAL, "%s: invalid JSON: %s (line %d, column %d)",
				       name, je.text, je.line, je.column);
	if (!json_is_object(doc))
		return berth_error_set(err, EINVAL, "%s: expected a JSON object", name);
	json_t *auths;
	if (bjson_member(doc, "auths", name, JSON_OBJECT, false, &auths, err) < 0)
		return -1;
	struct reg_auth_file *f = xcalloc(1, sizeof(*f));
	f->e = xcalloc(json_object_size(auths) + 1, sizeof(*f->e));
	const char *k;
	json_t *v;
	json_object_foreach(auths, k, v)
	{
		if (parse_entry(name, k, v, &f->e[f->n], err) < 0) {
			reg_auth_free(&f->e[f->n].auth);
			reg_auth_file_free(f);
			return -1;
		}
		f->n++;
	}
	*out = f;
	return 0;
}

int reg_auth_file_load(const char *path, struct reg_auth_file **out, struct berth_error **err)
{
	*out = NULL;
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		*out = xcalloc(1, sizeof(**out));
		return 0;
	}
	if (fd < 0)
		return berth_error_errno(err, "open %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berth_error_errno(err, "stat %s", path);
	if (!S_ISREG(st.st_mode) || st.st_size > AUTH_FILE_MAX)
		return berth_error_set(err, EINVAL, "%s: not a regular file of at most %d bytes",
				       path, AUTH_FILE_MAX);
	size_t cap = (size_t)st.st_size + 1, n = 0;
	cleanup_free char *buf = xmalloc(cap);
	for (;;) {
		ssize_t r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return berth_error_errno(err, "read %s", path);
		if (r == 0)
			break;
		n += (size_t)r;
		if (n == cap)
			return berth_error_set(err, EINVAL, "%s: grew while being read", path);
	}
	int rc = reg_auth_file_parse(buf, n, path, out, err);
	explicit_bzero(buf, n);
	return rc;
}

void reg_auth_file_free(struct reg_auth_file *f)
{
	if (f == NULL)
		return;
	for (size_t i = 0; i < f->n; i++) {
		free(f->e[i].key);
		free(f->e[i].host);
		reg_auth_free(&f->e[i].auth);
	}
	free(f->e);
	free(f);
}

static bool is_docker_hub(const char *h)
{
	return strcmp(h, "docker.io") == 0 || strcmp(h, "index.docker.io") == 0 ||
	       strcmp(h, "registry-1.docker.io") == 0;
}

bool reg_auth_file_lookup(const struct reg_auth_file *f, const char *domain, struct reg_auth *out)
{
	if (f == NULL || domain == NULL)
		return false;
	bool hub = is_docker_hub(domain);
	const char *exact = hub ? "https://index.docker.io/v1/" : domain;
	for (size_t i = 0; i < f->n; i++) {
		if (strcmp(f->e[i].key, exact) == 0) {
			reg_auth_copy(out, &f->e[i].auth);
			return true;
		}
	}
	for (size_t i = 0; i < f->n; i++) {
		const char *h = f->e[i].host;
		if (hub ? is_docker_hub(h) : strcmp(h, domain) == 0) {
			reg_auth_copy(out, &f->e[i].auth);
			return true;
		}
	}
	return false;
}
