/* specgen_exec_process: an exec's process (docker's ExecConfig) on top of
 * the container's spec process. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

/* docker's ReplaceOrAppendEnvValues: a bare KEY unsets KEY */
static void env_replace(json_t *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	size_t i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		const char *s = json_string_value(e);
		if (s && strncmp(s, kv, klen) == 0 && (s[klen] == '=' || s[klen] == '\0')) {
			if (kv[klen] == '=')
				json_array_set_new(env, i, json_string(kv));
			else
				json_array_remove(env, i);
			return;
		}
	}
	if (kv[klen] == '=')
		json_array_append_new(env, json_string(kv));
}

static int exec_user(json_t *p, const char *user, const char *rootfs, json_t *group_add,
		     json_t *exec_env, json_t *env, struct berth_error **err)
{
	struct sg_user u;
	if (sg_user_lookup(rootfs, user, group_add, &u, err) < 0)
		return -1;
	json_t *ju = json_pack("{s:I,s:I}", "uid", (json_int_t)u.uid, "gid", (json_int_t)u.gid);
	if (json_array_size(u.additional_gids) > 0)
		json_object_set(ju, "additionalGids", u.additional_gids);
	json_object_set_new(p, "user", ju);
	bool home_given = false;
	size_t i;
	json_t *e;
	json_array_foreach(exec_env, i, e)
	{
		home_given |= strncmp(json_string_value(e), "HOME=", 5) == 0;
	}
	if (!home_given) {
		cleanup_free char *kv = xasprintf("HOME=%s", u.home ? u.home : "/");
		env_replace(env, kv);
	}
	sg_user_clear(&u);
	return 0;
}

int specgen_exec_process(json_t *spec, json_t *exec_config, const char *rootfs, json_t *group_add,
			 json_t **process, struct berth_error **err)
{
	json_t *base = json_object_get(spec, "process");
	if (!json_is_object(base))
		return berth_error_set(err, EINVAL, "container spec: process: expected an object");
	if (!json_is_object(exec_config))
		return berth_error_set(err, EINVAL, "exec config: expected an object");
	json_t *cmd, *xenv;
	const char *user, *wd;
	if (sg_strarr(exec_config, "Cmd", &cmd, err) < 0 ||
	    sg_strarr(exec_config, "Env", &xenv, err) < 0 ||
	    sg_str(exec_config, "User", &user, err) < 0 ||
	    sg_str(exec_config, "WorkingDir", &wd, err) < 0)
		return -1;
	if (json_array_size(cmd) == 0)
		return berth_error_set(err, EINVAL, "No exec command specified");
	if (wd && *wd && wd[0] != '/')
		return berth_error_set(err, EINVAL,
				       "the working directory '%s' is invalid, it needs to be an "
				       "absolute path",
				       wd);
	cleanup_json json_t *p = json_deep_copy(base);
	json_object_set_new(p, "args", json_deep_copy(cmd));
	bool tty = sg_bool(exec_config, "Tty");
	json_object_set_new(p, "terminal", json_boolean(tty));
	json_object_del(p, "consoleSize");
	if (wd && *wd)
		json_object_set_new(p, "cwd", json_string(wd));
	json_t *env = json_object_get(p, "env");
	if (!json_is_array(env)) {
		env = json_array();
		json_object_set_new(p, "env", env);
	}
	/* dockerd's exec environment: PATH, HOSTNAME, TERM=xterm for a tty
	 * exec only, the container's Env, the exec's Env; then runc adds the
	 * HOME the container's spec has at its end */
	json_t *third = json_array_get(env, 2);
	if (!tty && json_is_true(json_object_get(base, "terminal")) && third &&
	    strcmp(json_string_value(third), "TERM=xterm") == 0)
		json_array_remove(env, 2);
	json_t *last = json_array_get(env, json_array_size(env) - 1);
	cleanup_json json_t *home = NULL;
	if (json_array_size(env) > 0 && strncmp(json_string_value(last) ?: "", "HOME=", 5) == 0) {
		home = json_incref(last);
		json_array_remove(env, json_array_size(env) - 1);
	}
	size_t i;
	json_t *e;
	bool has_term = false;
	json_array_foreach(env, i, e) has_term |= strncmp(json_string_value(e), "TERM=", 5) == 0;
	if (tty && !has_term)
		json_array_insert_new(env, json_array_size(env) < 2 ? json_array_size(env) : 2,
				      json_string("TERM=xterm"));
	json_array_foreach(xenv, i, e)
	{
		env_replace(env, json_string_value(e));
		if (strncmp(json_string_value(e), "HOME=", 5) == 0)
			json_decref(steal_ptr(home));
	}
	if (home)
		json_array_append(env, home);
	if (user && *user && exec_user(p, user, rootfs, group_add, xenv, env, err) < 0)
		return -1;
	if (sg_bool(exec_config, "Privileged")) {
		cleanup_json json_t *caps = NULL;
		if (sg_capabilities(NULL, NULL, true, &caps, err) < 0)
			return -1;
		json_object_set_new(p, "capabilities", sg_caps_object(caps, true));
	}
	*process = steal_ptr(p);
	return 0;
}
