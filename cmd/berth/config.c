/* config.json of the client (see config.h). */
#include "config.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *cli_base64(const void *data, size_t n, bool url)
{
	const unsigned char *p = data;
	char *out = xmalloc((n + 2) / 3 * 4 + 1);
	size_t o = 0;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16;
		if (i + 1 < n)
			v |= (unsigned)p[i + 1] << 8;
		if (i + 2 < n)
			v |= p[i + 2];
		out[o++] = b64[(v >> 18) & 63];
		out[o++] = b64[(v >> 12) & 63];
		out[o++] = i + 1 < n ? b64[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? b64[v & 63] : '=';
	}
	out[o] = '\0';
	if (url)
		for (char *c = out; *c; c++)
			*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return out;
}

static int b64_value(char c)
{
	if (c == '-')
		c = '+';
	else if (c == '_')
		c = '/';
	const char *p = c ? strchr(b64, c) : NULL;
	return p ? (int)(p - b64) : -1;
}

char *cli_base64_decode(const char *s, size_t *len)
{
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == '=')
		n--;
	char *out = xmalloc(n * 3 / 4 + 2);
	size_t o = 0;
	unsigned acc = 0;
	int bits = 0;
	for (size_t i = 0; i < n; i++) {
		int v = b64_value(s[i]);
		if (v < 0) {
			free(out);
			return NULL;
		}
		acc = (acc << 6) | (unsigned)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (char)((acc >> bits) & 0xff);
		}
	}
	out[o] = '\0';
	if (len)
		*len = o;
	return out;
}

int cli_config_load(const char *dir, json_t **out, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	json_error_t jerr;
	if (access(path, F_OK) < 0 && errno == ENOENT) {
		*out = json_object();
		return 0;
	}
	json_t *j = json_load_file(path, 0, &jerr);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "loading config file %s: %s", path, jerr.text);
	if (!json_is_object(j)) {
		json_decref(j);
		return berth_error_set(err, EINVAL, "loading config file %s: not a JSON object",
				       path);
	}
	*out = j;
	return 0;
}

int cli_config_save(const char *dir, json_t *cfg, struct berth_error **err)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return berth_error_errno(err, "create config directory %s", dir);
	cleanup_free char *path = xasprintf("%s/config.json", dir);
	cleanup_free char *tmp = xasprintf("%s/.config.json.XXXXXX", dir);
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "create %s", tmp);
	fchmod(fd, 0600);
	cleanup_free char *text = json_dumps(cfg, JSON_INDENT(8) | JSON_PRESERVE_ORDER);
	size_t n = text ? strlen(text) : 0;
	const char *p = text;
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			berth_error_errno(err, "write %s", tmp);
			close(fd);
			unlink(tmp);
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	if (fsync(fd) < 0 || close(fd) < 0) {
		berth_error_errno(err, "write %s", tmp);
		unlink(tmp);
		return -1;
	}
	if (rename(tmp, path) < 0) {
		berth_error_errno(err, "rename %s to %s", tmp, path);
		unlink(tmp);
		return -1;
	}
	return 0;
}

char *cli_config_server_key(const char *server)
{
	if (server == NULL || *server == '\0')
		return xstrdup(CLI_INDEX_SERVER);
	const char *s = server;
	if (strncmp(s, "https://", 8) == 0)
		s += 8;
	else if (strncmp(s, "http://", 7) == 0)
		s += 7;
	size_t n = strcspn(s, "/");
	cleanup_free char *host = strndup(s, n);
	if (strcmp(host, "docker.io") == 0 || strcmp(host, "index.docker.io") == 0 ||
	    strcmp(host, "registry-1.docker.io") == 0)
		return xstrdup(CLI_INDEX_SERVER);
	return steal_ptr(host);
}

int cli_config_auth(json_t *cfg, const char *key, char **user, char **pass)
{
	json_t *auths = json_object_get(cfg, "auths");
	if (!json_is_object(auths))
		return -1;
	const char *k;
	json_t *v;
	json_t *found = json_object_get(auths, key);
	if (found == NULL) {
		json_object_foreach(auths, k, v)
		{
			cleanup_free char *norm = cli_config_server_key(k);
			if (strcmp(norm, key) == 0)
				found = v;
		}
	}
	json_t *a = found ? json_object_get(found, "auth") : NULL;
	if (!json_is_string(a))
		return -1;
	cleanup_free char *dec = cli_base64_decode(json_string_value(a), NULL);
	char *colon = dec ? strchr(dec, ':') : NULL;
	if (colon == NULL)
		return -1;
	*colon = '\0';
	*user = xstrdup(dec);
	*pass = xstrdup(colon + 1);
	return 0;
}
