/* daemon.json: parsing and validation of each key. */
#include "engine/config.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *const engine_builtin_runtimes[] = {"berth-runtime", "runc", "crun", NULL};

static char **strv_dup(char **v)
{
	size_t n = v ? strv_len(v) : 0;
	char **r = xcalloc(n + 1, sizeof(char *));
	for (size_t i = 0; i < n; i++)
		r[i] = xstrdup(v[i]);
	return r;
}

void engine_config_init(struct engine_config *c)
{
	memset(c, 0, sizeof(*c));
	c->log_level = xstrdup("info");
	c->hosts = xcalloc(1, sizeof(char *));
	c->data_root = xstrdup(ENGINE_DEFAULT_ROOT);
	c->exec_root = xstrdup(ENGINE_DEFAULT_EXEC_ROOT);
	c->insecure_registries = xcalloc(1, sizeof(char *));
	c->registry_mirrors = xcalloc(1, sizeof(char *));
	c->max_concurrent_downloads = 3;
	c->max_concurrent_uploads = 5;
	c->max_download_attempts = 5;
	c->shutdown_timeout = 15;
	c->storage_driver = xstrdup("overlayfs");
	c->default_runtime = xstrdup(ENGINE_DEFAULT_RUNTIME);
	c->labels = xcalloc(1, sizeof(char *));
	c->log_driver = xstrdup("json-file");
	c->log_opts = json_object();
	c->cgroup_parent = xstrdup("/berth");
}

static void runtimes_free(struct engine_runtime *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(r[i].name);
		free(r[i].path);
		strv_free(r[i].args);
	}
	free(r);
}

void engine_config_free(struct engine_config *c)
{
	free(c->log_level);
	strv_free(c->hosts);
	free(c->data_root);
	free(c->exec_root);
	free(c->pidfile);
	strv_free(c->insecure_registries);
	strv_free(c->registry_mirrors);
	free(c->storage_driver);
	free(c->default_runtime);
	runtimes_free(c->runtimes, c->nruntimes);
	strv_free(c->labels);
	free(c->log_driver);
	json_decref(c->log_opts);
	free(c->cgroup_parent);
	memset(c, 0, sizeof(*c));
}

void engine_config_copy(struct engine_config *dst, const struct engine_config *src)
{
	*dst = *src;
	dst->log_level = xstrdup(src->log_level);
	dst->hosts = strv_dup(src->hosts);
	dst->data_root = xstrdup(src->data_root);
	dst->exec_root = xstrdup(src->exec_root);
	dst->pidfile = src->pidfile ? xstrdup(src->pidfile) : NULL;
	dst->insecure_registries = strv_dup(src->insecure_registries);
	dst->registry_mirrors = strv_dup(src->registry_mirrors);
	dst->storage_driver = xstrdup(src->storage_driver);
	dst->default_runtime = xstrdup(src->default_runtime);
	dst->runtimes = xcalloc(src->nruntimes + 1, sizeof(*dst->runtimes));
	for (size_t i = 0; i < src->nruntimes; i++) {
		dst->runtimes[i].name = xstrdup(src->runtimes[i].name);
		dst->runtimes[i].path = xstrdup(src->runtimes[i].path);
		dst->runtimes[i].args = strv_dup(src->runtimes[i].args);
	}
	dst->labels = strv_dup(src->labels);
	dst->log_driver = xstrdup(src->log_driver);
	dst->log_opts = json_deep_copy(src->log_opts);
	dst->cgroup_parent = xstrdup(src->cgroup_parent);
}

/* --- single values ------------------------------------------------------- */

static const char *const log_levels[] = {"debug", "info", "warn", "error", "fatal", NULL};

int engine_config_set_log_level(struct engine_config *c, const char *s, struct berth_error **err)
{
	for (size_t i = 0; log_levels[i]; i++) {
		if (strcmp(s, log_levels[i]) == 0) {
			free(c->log_level);
			c->log_level = xstrdup(s);
			return 0;
		}
	}
	return berth_error_set(
	    err, EINVAL, "log-level: unknown level \"%s\" (debug, info, warn, error, fatal)", s);
}

enum log_level engine_log_level(const struct engine_config *c)
{
	if (c->debug || strcmp(c->log_level, "debug") == 0)
		return LOG_DEBUG;
	if (strcmp(c->log_level, "info") == 0)
		return LOG_INFO;
	if (strcmp(c->log_level, "warn") == 0)
		return LOG_WARN;
	return LOG_ERROR;
}

int engine_host_unix_path(const char *host, char **path, struct berth_error **err)
{
	const char *p = NULL;
	if (strncmp(host, "unix://", 7) == 0)
		p = host + 7;
	else if (host[0] == '/')
		p = host; /* dockerd takes a bare path as unix:// too */
	else if (strncmp(host, "tcp://", 6) == 0 || strncmp(host, "fd://", 5) == 0 ||
		 strncmp(host, "ssh://", 6) == 0)
		return berth_error_set(
		    err, ENOTSUP, "host %s: only unix:// sockets are supported by berthd", host);
	else
		return berth_error_set(err, EINVAL,
				       "host %s: invalid address (expected unix:///path)", host);
	if (p[0] != '/')
		return berth_error_set(err, EINVAL, "host %s: socket path must be absolute", host);
	if (strlen(p) >= 108)
		return berth_error_set(
		    err, EINVAL, "host %s: socket path longer than 107 bytes (sun_path)", host);
	*path = xstrdup(p);
	return 0;
}

int engine_config_add_host(struct engine_config *c, const char *host, struct berth_error **err)
{
	cleanup_free char *path = NULL;
	if (engine_host_unix_path(host, &path, err) < 0)
		return -1;
	size_t n = strv_len(c->hosts);
	c->hosts = xrealloc(c->hosts, (n + 2) * sizeof(char *));
	c->hosts[n] = xstrdup(host);
	c->hosts[n + 1] = NULL;
	return 0;
}

/* --- keys -------------------------------------------------------------------- */

typedef int (*key_fn)(struct engine_config *c, json_t *obj, const char *key,
		      struct berth_error **err);

static int k_debug(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return bjson_bool(o, k, "", &c->debug, err);
}

static int k_log_level(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (bjson_string(o, k, "", false, &s, err) < 0)
		return -1;
	return s ? engine_config_set_log_level(c, s, err) : 0;
}

static int k_hosts(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_strv char **v = NULL;
	if (bjson_strv(o, k, "", false, &v, err) < 0)
		return -1;
	for (size_t i = 0; v && v[i]; i++)
		if (engine_config_add_host(c, v[i], err) < 0)
			return berth_error_wrap(err, "hosts[%zu]", i);
	return 0;
}

static int abs_path(char **field, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (bjson_string(o, k, "", false, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (s[0] != '/')
		return berth_error_set(err, EINVAL, "%s: must be an absolute path, got \"%s\"", k,
				       s);
	free(*field);
	*field = steal_ptr(s);
	return 0;
}

static int k_data_root(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return abs_path(&c->data_root, o, k, err);
}

static int k_exec_root(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return abs_path(&c->exec_root, o, k, err);
}

static int k_pidfile(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return abs_path(&c->pidfile, o, k, err);
}

static int k_insecure(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_strv char **v = NULL;
	if (bjson_strv(o, k, "", false, &v, err) < 0)
		return -1;
	for (size_t i = 0; v && v[i]; i++) {
		if (strstr(v[i], "://") != NULL)
			return berth_error_set(err, EINVAL,
					       "%s[%zu]: insecure registry %s should not contain "
					       "'://'",
					       k, i, v[i]);
		if (v[i][0] == '\0' || strpbrk(v[i], " \t\n") != NULL)
			return berth_error_set(err, EINVAL, "%s[%zu]: invalid registry \"%s\"", k,
					       i, v[i]);
	}
	if (v) {
		strv_free(c->insecure_registries);
		c->insecure_registries = steal_ptr(v);
	}
	return 0;
}

static int k_mirrors(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_strv char **v = NULL;
	if (bjson_strv(o, k, "", false, &v, err) < 0)
		return -1;
	for (size_t i = 0; v && v[i]; i++) {
		const char *u = v[i];
		const char *host = strncmp(u, "https://", 8) == 0  ? u + 8
				   : strncmp(u, "http://", 7) == 0 ? u + 7
								   : NULL;
		if (host == NULL || host[0] == '\0' || host[0] == '/' ||
		    strpbrk(u, " \t\n?#") != NULL)
			return berth_error_set(err, EINVAL,
					       "%s[%zu]: invalid mirror: \"%s\" is not a valid "
					       "http:// or https:// URL",
					       k, i, u);
		size_t len = strlen(u);
		if (u[len - 1] != '/') {
			char *n = xasprintf("%s/", u);
			free(v[i]);
			v[i] = n;
		}
	}
	if (v) {
		strv_free(c->registry_mirrors);
		c->registry_mirrors = steal_ptr(v);
	}
	return 0;
}

static int count(int64_t *field, json_t *o, const char *k, int64_t min, int64_t max,
		 struct berth_error **err)
{
	return bjson_int(o, k, "", min, max, field, NULL, err);
}

static int k_downloads(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return count(&c->max_concurrent_downloads, o, k, 1, 64, err);
}

static int k_uploads(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return count(&c->max_concurrent_uploads, o, k, 1, 64, err);
}

static int k_attempts(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return count(&c->max_download_attempts, o, k, 1, 100, err);
}

static int k_shutdown(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	return count(&c->shutdown_timeout, o, k, 0, 3600, err);
}

static int k_storage(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (bjson_string(o, k, "", false, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	const char *name = NULL;
	if (strcmp(s, "overlayfs") == 0 || strcmp(s, "overlay2") == 0)
		name = "overlayfs";
	else if (strcmp(s, "native") == 0 || strcmp(s, "vfs") == 0)
		name = "native";
	else
		return berth_error_set(
		    err, EINVAL, "%s: unknown storage driver \"%s\" (overlayfs, native)", k, s);
	free(c->storage_driver);
	c->storage_driver = xstrdup(name);
	return 0;
}

static int k_default_runtime(struct engine_config *c, json_t *o, const char *k,
			     struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (bjson_string(o, k, "", false, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (s[0] == '\0')
		return berth_error_set(err, EINVAL, "%s: must not be empty", k);
	free(c->default_runtime);
	c->default_runtime = steal_ptr(s);
	return 0;
}

static bool builtin_runtime(const char *name)
{
	for (size_t i = 0; engine_builtin_runtimes[i]; i++)
		if (strcmp(name, engine_builtin_runtimes[i]) == 0)
			return true;
	return false;
}

static int one_runtime(struct engine_runtime *rt, const char *name, json_t *v,
		       struct berth_error **err)
{
	if (!json_is_object(v)) {
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "runtimes.%s: expected an object, got %s", name,
				       d);
	}
	cleanup_free char *path = xasprintf("runtimes.%s", name);
	const char *key;
	json_t *val;
	json_object_foreach(v, key, val)
	{
		(void)val;
		if (strcmp(key, "path") != 0 && strcmp(key, "runtimeArgs") != 0)
			return berth_error_set(
			    err, EINVAL, "%s: unknown key \"%s\" (path, runtimeArgs)", path, key);
	}
	if (bjson_string(v, "path", path, true, &rt->path, err) < 0 ||
	    bjson_strv(v, "runtimeArgs", path, false, &rt->args, err) < 0)
		return -1;
	if (rt->path[0] == '\0')
		return berth_error_set(err, EINVAL, "%s.path: must not be empty", path);
	if (rt->args == NULL)
		rt->args = xcalloc(1, sizeof(char *));
	return 0;
}

static int k_runtimes(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	json_t *obj = NULL;
	if (bjson_member(o, k, "", JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	size_t n = json_object_size(obj), i = 0;
	struct engine_runtime *rts = xcalloc(n + 1, sizeof(*rts));
	const char *name;
	json_t *v;
	json_object_foreach(obj, name, v)
	{
		rts[i].name = xstrdup(name);
		i++;
		if (builtin_runtime(name)) {
			runtimes_free(rts, i);
			return berth_error_set(err, EINVAL,
					       "runtimes: runtime name '%s' is reserved", name);
		}
		if (name[0] == '\0' || strchr(name, '/') != NULL) {
			runtimes_free(rts, i);
			return berth_error_set(err, EINVAL, "runtimes: invalid runtime name \"%s\"",
					       name);
		}
		if (one_runtime(&rts[i - 1], name, v, err) < 0) {
			runtimes_free(rts, i);
			return -1;
		}
	}
	runtimes_free(c->runtimes, c->nruntimes);
	c->runtimes = rts;
	c->nruntimes = n;
	return 0;
}

static int k_labels(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_strv char **v = NULL;
	if (bjson_strv(o, k, "", false, &v, err) < 0)
		return -1;
	for (size_t i = 0; v && v[i]; i++) {
		const char *eq = strchr(v[i], '=');
		if (eq == NULL || eq == v[i])
			return berth_error_set(err, EINVAL,
					       "%s[%zu]: label \"%s\" is not of the form key=value",
					       k, i, v[i]);
	}
	if (v) {
		strv_free(c->labels);
		c->labels = steal_ptr(v);
	}
	return 0;
}

static int k_log_driver(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (bjson_string(o, k, "", false, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (strcmp(s, "json-file") != 0 && strcmp(s, "none") != 0)
		return berth_error_set(
		    err, EINVAL, "%s: log driver \"%s\" is not supported (json-file, none)", k, s);
	free(c->log_driver);
	c->log_driver = steal_ptr(s);
	return 0;
}

static int k_cgroup_parent(struct engine_config *c, json_t *o, const char *k,
			   struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (bjson_string(o, k, "", false, &s, err) < 0)
		return -1;
	if (s == NULL)
		return 0;
	if (s[0] == '\0' || strstr(s, "..") || strchr(s, '\n'))
		return berth_error_set(err, EINVAL, "%s: invalid cgroup parent \"%s\"", k, s);
	free(c->cgroup_parent);
	c->cgroup_parent = steal_ptr(s);
	return 0;
}

static int k_log_opts(struct engine_config *c, json_t *o, const char *k, struct berth_error **err)
{
	json_t *obj = NULL;
	if (bjson_member(o, k, "", JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	const char *name;
	json_t *v;
	json_object_foreach(obj, name, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(err, EINVAL, "%s.%s: expected a string, got %s", k,
					       name, d);
		}
	}
	json_decref(c->log_opts);
	c->log_opts = json_deep_copy(obj);
	return 0;
}

static const struct {
	const char *name;
	key_fn fn;
} keys[] = {
    {"debug", k_debug},
    {"log-level", k_log_level},
    {"hosts", k_hosts},
    {"data-root", k_data_root},
    {"exec-root", k_exec_root},
    {"pidfile", k_pidfile},
    {"insecure-registries", k_insecure},
    {"registry-mirrors", k_mirrors},
    {"max-concurrent-downloads", k_downloads},
    {"max-concurrent-uploads", k_uploads},
    {"max-download-attempts", k_attempts},
    {"shutdown-timeout", k_shutdown},
    {"storage-driver", k_storage},
    {"default-runtime", k_default_runtime},
    {"runtimes", k_runtimes},
    {"labels", k_labels},
    {"log-driver", k_log_driver},
    {"log-opts", k_log_opts},
    {"cgroup-parent", k_cgroup_parent},
};

/* dockerd options berth does not implement: named as such in the error. */
static const char *const docker_only[] = {
    "bip",
    "bridge",
    "iptables",
    "ip6tables",
    "ip-forward",
    "ip-masq",
    "ipv6",
    "fixed-cidr",
    "fixed-cidr-v6",
    "default-address-pools",
    "dns",
    "dns-opts",
    "dns-search",
    "mtu",
    "live-restore",
    "userns-remap",
    "selinux-enabled",
    "exec-opts",
    "storage-opts",
    "experimental",
    "features",
    "tls",
    "tlsverify",
    "tlscacert",
    "tlscert",
    "tlskey",
    "group",
    "containerd",
    "default-ulimits",
    "init",
    "init-path",
    "icc",
    "userland-proxy",
    "no-new-privileges",
    "seccomp-profile",
    "metrics-addr",
    "cluster-store",
    "default-cgroupns-mode",
    "default-shm-size",
    NULL,
};

static bool is_docker_only(const char *k)
{
	for (size_t i = 0; docker_only[i]; i++)
		if (strcmp(k, docker_only[i]) == 0)
			return true;
	return false;
}

int engine_config_apply_json(struct engine_config *c, json_t *obj, struct berth_error **err)
{
	if (!json_is_object(obj)) {
		cleanup_free char *d = bjson_describe(obj);
		return berth_error_set(err, EINVAL, "expected a JSON object, got %s", d);
	}
	/* unknown keys first, all of them in one message, as dockerd */
	cleanup_free char *unknown = NULL, *unsupported = NULL;
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		(void)v;
		bool known = false;
		for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]) && !known; i++)
			known = strcmp(k, keys[i].name) == 0;
		if (known)
			continue;
		char **list = is_docker_only(k) ? &unsupported : &unknown;
		char *n = *list ? xasprintf("%s, %s", *list, k) : xstrdup(k);
		free(*list);
		*list = n;
	}
	if (unknown)
		return berth_error_set(err, EINVAL,
				       "the following directives don't match any configuration "
				       "option: %s",
				       unknown);
	if (unsupported)
		return berth_error_set(err, ENOTSUP,
				       "the following dockerd directives are not supported by "
				       "berthd: %s",
				       unsupported);
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (json_object_get(obj, keys[i].name) && keys[i].fn(c, obj, keys[i].name, err) < 0)
			return -1;
	return 0;
}

int engine_config_check(const struct engine_config *c, struct berth_error **err)
{
	bool found = builtin_runtime(c->default_runtime);
	for (size_t i = 0; i < c->nruntimes && !found; i++)
		found = strcmp(c->runtimes[i].name, c->default_runtime) == 0;
	if (!found)
		return berth_error_set(err, EINVAL,
				       "default-runtime: no runtime named \"%s\" (built in: "
				       "berth-runtime, runc, crun; others go in \"runtimes\")",
				       c->default_runtime);
	for (size_t i = 0; c->hosts[i]; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(c->hosts[i], c->hosts[j]) == 0)
				return berth_error_set(err, EINVAL, "hosts: %s is given twice",
						       c->hosts[i]);
	return 0;
}
