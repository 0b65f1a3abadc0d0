/* SIGHUP: which settings change at run time, and a line saying what changed. */
#include "engine/config.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static bool strv_eq(char **a, char **b)
{
	size_t i = 0;
	for (; a[i] && b[i]; i++)
		if (strcmp(a[i], b[i]) != 0)
			return false;
	return a[i] == NULL && b[i] == NULL;
}

static char *strv_show(char **v)
{
	char *s = xstrdup("[");
	for (size_t i = 0; v[i]; i++) {
		char *n = xasprintf("%s%s%s", s, i ? " " : "", v[i]);
		free(s);
		s = n;
	}
	char *n = xasprintf("%s]", s);
	free(s);
	return n;
}

static void note(char **out, const char *key, const char *from, const char *to)
{
	char *n = xasprintf("%s%s%s: %s -> %s", *out, **out ? "; " : "", key, from, to);
	free(*out);
	*out = n;
}

static void strv_change(char **out, const char *key, char ***cur, char **next)
{
	if (strv_eq(*cur, next))
		return;
	cleanup_free char *a = strv_show(*cur), *b = strv_show(next);
	note(out, key, a, b);
	strv_free(*cur);
	*cur = xcalloc(strv_len(next) + 1, sizeof(char *));
	for (size_t i = 0; next[i]; i++)
		(*cur)[i] = xstrdup(next[i]);
}

static void int_change(char **out, const char *key, int64_t *cur, int64_t next)
{
	if (*cur == next)
		return;
	char a[32], b[32];
	snprintf(a, sizeof(a), "%" PRId64, *cur);
	snprintf(b, sizeof(b), "%" PRId64, next);
	note(out, key, a, b);
	*cur = next;
}

static void str_change(char **out, const char *key, char **cur, const char *next)
{
	if (strcmp(*cur, next) == 0)
		return;
	note(out, key, *cur, next);
	free(*cur);
	*cur = xstrdup(next);
}

static bool runtimes_eq(const struct engine_config *a, const struct engine_config *b)
{
	if (a->nruntimes != b->nruntimes)
		return false;
	for (size_t i = 0; i < a->nruntimes; i++)
		if (strcmp(a->runtimes[i].name, b->runtimes[i].name) != 0 ||
		    strcmp(a->runtimes[i].path, b->runtimes[i].path) != 0 ||
		    !strv_eq(a->runtimes[i].args, b->runtimes[i].args))
			return false;
	return true;
}

static void ignored_change(char **ignored, const char *key, bool same)
{
	if (same)
		return;
	char *n = xasprintf("%s%s%s", *ignored, **ignored ? ", " : "", key);
	free(*ignored);
	*ignored = n;
}

static bool opt_eq(const char *a, const char *b)
{
	return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

char *engine_config_reload(struct engine_config *cur, const struct engine_config *next,
			   char **ignored)
{
	char *out = xstrdup("");
	*ignored = xstrdup("");
	if (cur->debug != next->debug) {
		note(&out, "debug", cur->debug ? "true" : "false", next->debug ? "true" : "false");
		cur->debug = next->debug;
	}
	str_change(&out, "log-level", &cur->log_level, next->log_level);
	strv_change(&out, "registry-mirrors", &cur->registry_mirrors, next->registry_mirrors);
	strv_change(&out, "insecure-registries", &cur->insecure_registries,
		    next->insecure_registries);
	int_change(&out, "max-concurrent-downloads", &cur->max_concurrent_downloads,
		   next->max_concurrent_downloads);
	int_change(&out, "max-concurrent-uploads", &cur->max_concurrent_uploads,
		   next->max_concurrent_uploads);
	int_change(&out, "max-download-attempts", &cur->max_download_attempts,
		   next->max_download_attempts);
	int_change(&out, "shutdown-timeout", &cur->shutdown_timeout, next->shutdown_timeout);
	strv_change(&out, "labels", &cur->labels, next->labels);
	if (!runtimes_eq(cur, next)) {
		note(&out, "runtimes", "(old set)", "(new set)");
		struct engine_config tmp;
		engine_config_copy(&tmp, next);
		struct engine_runtime *r = cur->runtimes;
		size_t n = cur->nruntimes;
		cur->runtimes = tmp.runtimes;
		cur->nruntimes = tmp.nruntimes;
		tmp.runtimes = r;
		tmp.nruntimes = n;
		engine_config_free(&tmp);
	}
	str_change(&out, "default-runtime", &cur->default_runtime, next->default_runtime);

	ignored_change(ignored, "hosts", strv_eq(cur->hosts, next->hosts));
	ignored_change(ignored, "data-root", strcmp(cur->data_root, next->data_root) == 0);
	ignored_change(ignored, "exec-root", strcmp(cur->exec_root, next->exec_root) == 0);
	ignored_change(ignored, "pidfile", opt_eq(cur->pidfile, next->pidfile));
	ignored_change(ignored, "storage-driver",
		       strcmp(cur->storage_driver, next->storage_driver) == 0);
	ignored_change(ignored, "log-driver", strcmp(cur->log_driver, next->log_driver) == 0);
	ignored_change(ignored, "log-opts", json_equal(cur->log_opts, next->log_opts));
	ignored_change(ignored, "cgroup-parent",
		       strcmp(cur->cgroup_parent, next->cgroup_parent) == 0);
	return out;
}
