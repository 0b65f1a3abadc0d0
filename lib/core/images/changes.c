/* `--change` lines (changes.h). */
#include "core/images/changes.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Words of s: whitespace separated, "..." and '...' quoting, \ escapes. */
static json_t *split_words(const char *s, struct berth_error **err)
{
	json_t *out = json_array();
	size_t n = strlen(s);
	char *w = xmalloc(n + 1);
	const char *p = s;
	for (;;) {
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		size_t len = 0;
		char q = 0;
		while (*p && (q || !isspace((unsigned char)*p))) {
			if (q == 0 && (*p == '"' || *p == '\'')) {
				q = *p++;
				continue;
			}
			if (q && *p == q) {
				q = 0;
				p++;
				continue;
			}
			if (*p == '\\' && q != '\'' && p[1]) {
				p++;
			}
			w[len++] = *p++;
		}
		if (q) {
			free(w);
			json_decref(out);
			berth_error_set(err, EINVAL, "unmatched quote in: %s", s);
			return NULL;
		}
		json_array_append_new(out, json_stringn(w, len));
	}
	free(w);
	return out;
}

/* ["a", "b"] -> array of strings; NULL when s is not such an array. */
static json_t *exec_form(const char *s)
{
	if (*s != '[')
		return NULL;
	json_t *a = json_loads(s, JSON_DECODE_ANY, NULL);
	if (!json_is_array(a)) {
		json_decref(a);
		return NULL;
	}
	size_t i;
	json_t *v;
	json_array_foreach(a, i, v) if (!json_is_string(v))
	{
		json_decref(a);
		return NULL;
	}
	return a;
}

static json_t *object_at(json_t *config, const char *key)
{
	json_t *o = json_object_get(config, key);
	if (!json_is_object(o)) {
		o = json_object();
		json_object_set_new(config, key, o);
	}
	return o;
}

/* k=v pairs (ENV, LABEL); also "k v" for ENV. */
static int pairs(const char *ins, const char *args, bool env_form, json_t **out,
		 struct berth_error **err)
{
	json_t *kv = json_object();
	json_t *words = split_words(args, err);
	if (words == NULL) {
		json_decref(kv);
		return -1;
	}
	const char *w0 = json_string_value(json_array_get(words, 0));
	if (env_form && strchr(w0, '=') == NULL) {
		/* ENV key value... : the rest of the line, as is */
		const char *p = args;
		while (*p && !isspace((unsigned char)*p))
			p++;
		while (*p && isspace((unsigned char)*p))
			p++;
		if (*p == '\0') {
			json_decref(words);
			json_decref(kv);
			return berth_error_set(err, EINVAL, "ENV must have two arguments");
		}
		json_object_set_new(kv, w0, json_string(p));
		json_decref(words);
		*out = kv;
		return 0;
	}
	size_t i;
	json_t *v;
	json_array_foreach(words, i, v)
	{
		const char *s = json_string_value(v);
		const char *eq = strchr(s, '=');
		if (eq == NULL || eq == s) {
			json_decref(words);
			json_decref(kv);
			return berth_error_set(err, EINVAL, "%s names can not be blank", ins);
		}
		cleanup_free char *k = xasprintf("%.*s", (int)(eq - s), s);
		json_object_set_new(kv, k, json_string(eq + 1));
	}
	json_decref(words);
	*out = kv;
	return 0;
}

static int set_env(json_t *config, json_t *kv)
{
	json_t *env = json_object_get(config, "Env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(config, "Env", env);
	}
	const char *k;
	json_t *v;
	json_object_foreach(kv, k, v)
	{
		cleanup_free char *e = xasprintf("%s=%s", k, json_string_value(v));
		size_t klen = strlen(k);
		bool done = false;
		for (size_t i = 0; i < json_array_size(env) && !done; i++) {
			const char *cur = json_string_value(json_array_get(env, i));
			if (cur && strncmp(cur, k, klen) == 0 && cur[klen] == '=') {
				json_array_set_new(env, i, json_string(e));
				done = true;
			}
		}
		if (!done)
			json_array_append_new(env, json_string(e));
	}
	return 0;
}

static bool port_valid(const char *p)
{
	/* 80, 80/tcp, 8000-8010/udp */
	const char *s = p;
	if (!isdigit((unsigned char)*s))
		return false;
	while (isdigit((unsigned char)*s))
		s++;
	if (*s == '-') {
		s++;
		if (!isdigit((unsigned char)*s))
			return false;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == '\0')
		return true;
	return strcmp(s, "/tcp") == 0 || strcmp(s, "/udp") == 0 || strcmp(s, "/sctp") == 0;
}

static int apply(json_t *config, const char *ins, const char *args, struct berth_error **err)
{
	static const char *const refused[] = {"FROM", "ADD",	    "COPY",  "RUN",
					      "ARG",  "MAINTAINER", "SHELL", NULL};
	for (size_t i = 0; refused[i]; i++)
		if (strcasecmp(ins, refused[i]) == 0)
			return berth_error_set(err, EINVAL, "%s is not a valid change command",
					       refused[i]);
	if (*args == '\0' && strcasecmp(ins, "HEALTHCHECK") != 0)
		return berth_error_set(err, EINVAL, "%s requires at least one argument", ins);
	if (strcasecmp(ins, "CMD") == 0 || strcasecmp(ins, "ENTRYPOINT") == 0) {
		json_t *a = exec_form(args);
		if (a == NULL)
			a = json_pack("[s,s,s]", "/bin/sh", "-c", args);
		json_object_set_new(config, strcasecmp(ins, "CMD") == 0 ? "Cmd" : "Entrypoint", a);
		return 0;
	}
	if (strcasecmp(ins, "ENV") == 0 || strcasecmp(ins, "LABEL") == 0) {
		bool env = strcasecmp(ins, "ENV") == 0;
		json_t *kv = NULL;
		if (pairs(env ? "ENV" : "LABEL", args, env, &kv, err) < 0)
			return -1;
		if (env)
			set_env(config, kv);
		else
			json_object_update(object_at(config, "Labels"), kv);
		json_decref(kv);
		return 0;
	}
	if (strcasecmp(ins, "EXPOSE") == 0) {
		json_t *words = split_words(args, err);
		if (words == NULL)
			return -1;
		size_t i;
		json_t *v;
		json_array_foreach(words, i, v) if (!port_valid(json_string_value(v)))
		{
			berth_error_set(err, EINVAL, "invalid containerPort: %s",
					json_string_value(v));
			json_decref(words);
			return -1;
		}
		json_t *ports = object_at(config, "ExposedPorts");
		json_array_foreach(words, i, v)
		{
			const char *p = json_string_value(v);
			cleanup_free char *k = strchr(p, '/') ? xstrdup(p) : xasprintf("%s/tcp", p);
			json_object_set_new(ports, k, json_object());
		}
		json_decref(words);
		return 0;
	}
	if (strcasecmp(ins, "VOLUME") == 0) {
		json_t *a = exec_form(args);
		if (a == NULL && (a = split_words(args, err)) == NULL)
			return -1;
		size_t i;
		json_t *v;
		json_array_foreach(a, i, v) if (json_string_length(v) == 0)
		{
			json_decref(a);
			return berth_error_set(err, EINVAL,
					       "VOLUME specified can not be an empty string");
		}
		json_t *vols = object_at(config, "Volumes");
		json_array_foreach(a, i, v)
		    json_object_set_new(vols, json_string_value(v), json_object());
		json_decref(a);
		return 0;
	}
	if (strcasecmp(ins, "WORKDIR") == 0) {
		const char *cur = json_string_value(json_object_get(config, "WorkingDir"));
		char *wd = args[0] == '/' ? xstrdup(args)
					  : xasprintf("%s/%s", cur && *cur ? cur : "", args);
		json_object_set_new(config, "WorkingDir", json_string(wd));
		free(wd);
		return 0;
	}
	if (strcasecmp(ins, "USER") == 0) {
		json_object_set_new(config, "User", json_string(args));
		return 0;
	}
	if (strcasecmp(ins, "STOPSIGNAL") == 0) {
		json_object_set_new(config, "StopSignal", json_string(args));
		return 0;
	}
	if (strcasecmp(ins, "ONBUILD") == 0) {
		json_t *ob = json_object_get(config, "OnBuild");
		if (!json_is_array(ob)) {
			ob = json_array();
			json_object_set_new(config, "OnBuild", ob);
		}
		json_array_append_new(ob, json_string(args));
		return 0;
	}
	return berth_error_set(err, EINVAL,
			       "dockerfile parse error on line 1: unknown instruction: %s", ins);
}

int image_change_apply(json_t *config, const char *line, struct berth_error **err)
{
	while (*line && isspace((unsigned char)*line))
		line++;
	if (*line == '\0')
		return 0;
	size_t n = strcspn(line, " \t\r\n");
	cleanup_free char *ins = xasprintf("%.*s", (int)n, line);
	cleanup_free char *args = xstrdup(line + n);
	char *a = args;
	while (*a && isspace((unsigned char)*a))
		a++;
	size_t len = strlen(a);
	while (len > 0 && isspace((unsigned char)a[len - 1]))
		a[--len] = '\0';
	if (strcasecmp(ins, "HEALTHCHECK") == 0)
		return berth_error_set(err, ENOTSUP,
				       "HEALTHCHECK is not supported as a change yet");
	json_t *copy = json_deep_copy(config);
	int rc = apply(copy, ins, a, err);
	if (rc == 0) {
		json_object_clear(config);
		json_object_update(config, copy);
	}
	json_decref(copy);
	return rc;
}
