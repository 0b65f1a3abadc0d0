/* specgen_merge_image_config: dockerd's merge of the image's config into a
 * create body's Config (daemon/commit.go merge), then its "No command
 * specified" check. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static bool empty(json_t *v)
{
	return v == NULL || json_is_null(v) ||
	       (json_is_string(v) && *json_string_value(v) == '\0') ||
	       (json_is_array(v) && json_array_size(v) == 0) ||
	       (json_is_object(v) && json_object_size(v) == 0);
}

static size_t key_len(const char *kv)
{
	return strcspn(kv, "=");
}

static int merge_env(json_t *config, json_t *image, struct berth_error **err)
{
	json_t *user_env, *image_env;
	if (sg_strarr(config, "Env", &user_env, err) < 0 ||
	    sg_strarr(image, "Env", &image_env, err) < 0)
		return berth_error_wrap(err, "Env");
	if (image_env == NULL)
		return 0;
	if (empty(user_env)) {
		json_object_set_new(config, "Env", json_deep_copy(image_env));
		return 0;
	}
	size_t n = json_array_size(user_env);
	size_t i;
	json_t *e;
	json_array_foreach(image_env, i, e)
	{
		const char *ie = json_string_value(e);
		bool found = false;
		for (size_t u = 0; u < n && !found; u++) {
			const char *ue = json_string_value(json_array_get(user_env, u));
			found = key_len(ue) == key_len(ie) && strncmp(ue, ie, key_len(ie)) == 0;
		}
		if (!found)
			json_array_append(user_env, e);
	}
	return 0;
}

/* objects whose keys are merged: the user's win */
static void merge_keys(json_t *config, json_t *image, const char *key, bool image_wins)
{
	json_t *iv = json_object_get(image, key);
	if (!json_is_object(iv))
		return;
	json_t *uv = json_object_get(config, key);
	if (!json_is_object(uv)) {
		json_object_set_new(config, key, json_deep_copy(iv));
		return;
	}
	const char *k;
	json_t *v;
	json_object_foreach(iv, k, v)
	{
		if (image_wins || json_object_get(uv, k) == NULL)
			json_object_set(uv, k, v);
	}
}

static void merge_healthcheck(json_t *config, json_t *image)
{
	json_t *ih = json_object_get(image, "Healthcheck");
	if (!json_is_object(ih))
		return;
	json_t *uh = json_object_get(config, "Healthcheck");
	if (!json_is_object(uh)) {
		json_object_set_new(config, "Healthcheck", json_deep_copy(ih));
		return;
	}
	static const char *const keys[] = {"Test",	  "Interval", "Timeout",
					   "StartPeriod", "Retries",  NULL};
	for (size_t i = 0; keys[i]; i++) {
		json_t *u = json_object_get(uh, keys[i]);
		bool unset = empty(u) || (json_is_integer(u) && json_integer_value(u) == 0);
		if (unset && json_object_get(ih, keys[i]))
			json_object_set(uh, keys[i], json_object_get(ih, keys[i]));
	}
}

static void take_if_empty(json_t *config, json_t *image, const char *key)
{
	json_t *iv = json_object_get(image, key);
	if (empty(json_object_get(config, key)) && iv && !json_is_null(iv))
		json_object_set_new(config, key, json_deep_copy(iv));
}

/* docker's signal.ParseSignal: "SIGTERM", "TERM", "15", "SIGRTMIN+3" */
static bool valid_signal(const char *s)
{
	static const char *const names[] = {
	    "ABRT", "ALRM",   "BUS",  "CHLD",	"CLD",	 "CONT", "FPE",	 "HUP",	   "ILL",
	    "INT",  "IO",     "IOT",  "KILL",	"PIPE",	 "POLL", "PROF", "PWR",	   "QUIT",
	    "SEGV", "STKFLT", "STOP", "SYS",	"TERM",	 "TRAP", "TSTP", "TTIN",   "TTOU",
	    "URG",  "USR1",   "USR2", "VTALRM", "WINCH", "XCPU", "XFSZ", "UNUSED", NULL};
	if (*s >= '0' && *s <= '9') {
		char *end;
		long n = strtol(s, &end, 10);
		return *end == '\0' && n > 0 && n <= 64;
	}
	if (strncasecmp(s, "SIG", 3) == 0)
		s += 3;
	for (size_t i = 0; names[i]; i++)
		if (strcasecmp(s, names[i]) == 0)
			return true;
	for (int rt = 0; rt < 2; rt++) {
		const char *base = rt ? "RTMAX" : "RTMIN";
		if (strncasecmp(s, base, 5) != 0)
			continue;
		if (s[5] == '\0')
			return true;
		char *end;
		long n = strtol(s + 6, &end, 10);
		return s[5] == (rt ? '-' : '+') && *end == '\0' && n >= 1 && n <= 15;
	}
	return false;
}

/* docker's verifyContainerSettings on Config */
static int check_config(json_t *config, struct berth_error **err)
{
	const char *wd, *sig;
	if (sg_str(config, "WorkingDir", &wd, err) < 0 ||
	    sg_str(config, "StopSignal", &sig, err) < 0)
		return -1;
	if (wd && *wd && wd[0] != '/')
		return berth_error_set(err, EINVAL,
				       "the working directory '%s' is invalid, it needs to be an "
				       "absolute path",
				       wd);
	if (sig && *sig && !valid_signal(sig))
		return berth_error_set(err, EINVAL, "Invalid signal: %s", sig);
	json_t *hc = json_object_get(config, "Healthcheck");
	if (!json_is_object(hc))
		return 0;
	static const char *const durations[] = {"Interval", "Timeout", "StartPeriod", NULL};
	for (size_t i = 0; durations[i]; i++) {
		int64_t d;
		if (sg_int(hc, durations[i], &d, err) < 0)
			return berth_error_wrap(err, "Healthcheck");
		if (d != 0 && d < 1000000)
			return berth_error_set(
			    err, EINVAL, "%s in Healthcheck cannot be less than 1ms", durations[i]);
	}
	int64_t retries;
	if (sg_int(hc, "Retries", &retries, err) < 0)
		return berth_error_wrap(err, "Healthcheck");
	if (retries < 0)
		return berth_error_set(err, EINVAL, "Retries in Healthcheck cannot be negative");
	return 0;
}

int specgen_merge_image_config(json_t *config, json_t *image_config, struct berth_error **err)
{
	if (!json_is_object(config))
		return berth_error_set(err, EINVAL, "Config: expected an object");
	json_t *image = json_is_object(image_config) ? image_config : NULL;
	cleanup_json json_t *none = json_object();
	if (image == NULL)
		image = none;
	json_t *ep, *cmd, *iep, *icmd;
	if (sg_strarr(config, "Entrypoint", &ep, err) < 0 ||
	    sg_strarr(config, "Cmd", &cmd, err) < 0 ||
	    sg_strarr(image, "Entrypoint", &iep, err) < 0 ||
	    sg_strarr(image, "Cmd", &icmd, err) < 0)
		return -1;
	take_if_empty(config, image, "User");
	merge_keys(config, image, "ExposedPorts", false);
	if (merge_env(config, image, err) < 0)
		return -1;
	merge_keys(config, image, "Labels", false);
	if (!json_is_object(json_object_get(config, "Labels")))
		json_object_set_new(config, "Labels", json_object());
	/* an Entrypoint given: neither the image's Entrypoint nor its Cmd */
	if (empty(ep)) {
		if (empty(cmd)) {
			if (icmd)
				json_object_set_new(config, "Cmd", json_deep_copy(icmd));
			if (json_object_get(image, "ArgsEscaped"))
				json_object_set(config, "ArgsEscaped",
						json_object_get(image, "ArgsEscaped"));
		}
		if (ep == NULL && iep)
			json_object_set_new(config, "Entrypoint", json_deep_copy(iep));
	}
	merge_healthcheck(config, image);
	take_if_empty(config, image, "WorkingDir");
	merge_keys(config, image, "Volumes", true);
	/* dockerd: an empty Volumes (the docker CLI sends {}) takes the
	 * image's, null when the image has none */
	json_t *vols = json_object_get(config, "Volumes");
	if (json_is_object(vols) && json_object_size(vols) == 0)
		json_object_set_new(config, "Volumes", json_null());
	take_if_empty(config, image, "StopSignal");
	take_if_empty(config, image, "OnBuild");
	take_if_empty(config, image, "Shell");
	/* --entrypoint "" resets it */
	ep = json_object_get(config, "Entrypoint");
	if (json_is_array(ep) && json_array_size(ep) == 1 &&
	    strcmp(json_string_value(json_array_get(ep, 0)), "") == 0)
		json_object_set_new(config, "Entrypoint", json_null());
	if (empty(json_object_get(config, "Entrypoint")) && empty(json_object_get(config, "Cmd")))
		return berth_error_set(err, EINVAL, "No command specified");
	return check_config(config, err);
}
