/* The process object of config.json (and of `exec --process`). */
#include "oci/spec.h"
#include "oci/spec-internal.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <linux/capability.h>
#include <string.h>

static int parse_cap_set(json_t *caps, const char *key, const char *path, uint64_t *out,
			 struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(caps, key, path, JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	*out = 0;
	if (arr == NULL)
		return 0;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(err, EINVAL, "%s.%s[%zu]: expected a string, got %s",
					       path, key, i, d);
		}
		const char *name = json_string_value(v);
		int c = oci_cap_from_name(name);
		if (c < 0)
			return berth_error_set(err, EINVAL, "%s.%s[%zu]: unknown capability \"%s\"",
					       path, key, i, name);
		if (c > 63) {
			log_warn("%s.%s: capability %s is not known to this kernel, ignored", path,
				 key, name);
			continue;
		}
		*out |= 1ULL << c;
	}
	return 0;
}

static int parse_caps(json_t *proc, const char *path, struct oci_process *p,
		      struct berth_error **err)
{
	json_t *caps;
	if (bjson_member(proc, "capabilities", path, JSON_OBJECT, false, &caps, err) < 0)
		return -1;
	if (caps == NULL)
		return 0;
	cleanup_free char *cpath = xasprintf("%s.capabilities", path);
	p->has_caps = true;
	if (parse_cap_set(caps, "bounding", cpath, &p->caps.bounding, err) < 0 ||
	    parse_cap_set(caps, "effective", cpath, &p->caps.effective, err) < 0 ||
	    parse_cap_set(caps, "inheritable", cpath, &p->caps.inheritable, err) < 0 ||
	    parse_cap_set(caps, "permitted", cpath, &p->caps.permitted, err) < 0 ||
	    parse_cap_set(caps, "ambient", cpath, &p->caps.ambient, err) < 0)
		return -1;
	return 0;
}

static int parse_rlimits(json_t *proc, const char *path, struct oci_process *p,
			 struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(proc, "rlimits", path, JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	p->rlimits = xcalloc(json_array_size(arr), sizeof(*p->rlimits));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		cleanup_free char *rpath = xasprintf("%s.rlimits[%zu]", path, i);
		if (!json_is_object(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(err, EINVAL, "%s: expected an object, got %s", rpath,
					       d);
		}
		cleanup_free char *type = NULL;
		if (bjson_string(v, "type", rpath, true, &type, err) < 0)
			return -1;
		int res = oci_rlimit_from_name(type);
		if (res < 0)
			return berth_error_set(err, EINVAL, "%s.type: unknown rlimit \"%s\"", rpath,
					       type);
		for (size_t j = 0; j < p->n_rlimits; j++)
			if (p->rlimits[j].resource == res)
				return berth_error_set(
				    err, EINVAL, "%s.type: rlimit \"%s\" given twice", rpath, type);
		struct oci_rlimit *r = &p->rlimits[p->n_rlimits];
		bool has_soft, has_hard;
		if (bjson_u64(v, "soft", rpath, &r->soft, &has_soft, err) < 0 ||
		    bjson_u64(v, "hard", rpath, &r->hard, &has_hard, err) < 0)
			return -1;
		if (!has_soft || !has_hard)
			return berth_error_set(err, EINVAL, "%s: soft and hard are required",
					       rpath);
		if (r->soft > r->hard)
			return berth_error_set(
			    err, EINVAL, "%s: soft limit %llu is above hard limit %llu", rpath,
			    (unsigned long long)r->soft, (unsigned long long)r->hard);
		r->resource = res;
		p->n_rlimits++;
	}
	return 0;
}

static int parse_user(json_t *proc, const char *path, struct oci_process *p,
		      struct berth_error **err)
{
	json_t *user;
	cleanup_free char *upath = xasprintf("%s.user", path);
	if (bjson_member(proc, "user", path, JSON_OBJECT, true, &user, err) < 0)
		return -1;
	int64_t v = 0;
	bool present;
	if (bjson_int(user, "uid", upath, 0, UINT32_MAX - 1, &v, &present, err) < 0)
		return -1;
	if (!present)
		return berth_error_set(err, EINVAL, "%s.uid: required field is missing", upath);
	p->user.uid = (uid_t)v;
	if (bjson_int(user, "gid", upath, 0, UINT32_MAX - 1, &v, &present, err) < 0)
		return -1;
	if (!present)
		return berth_error_set(err, EINVAL, "%s.gid: required field is missing", upath);
	p->user.gid = (gid_t)v;
	if (bjson_int(user, "umask", upath, 0, 0777, &v, &p->user.has_umask, err) < 0)
		return -1;
	p->user.umask = (mode_t)v;
	json_t *gids;
	if (bjson_member(user, "additionalGids", upath, JSON_ARRAY, false, &gids, err) < 0)
		return -1;
	if (gids) {
		p->user.additional_gids = xcalloc(json_array_size(gids), sizeof(gid_t));
		size_t i;
		json_t *g;
		json_array_foreach(gids, i, g)
		{
			int64_t gv;
			if (!bjson_as_int64(g, &gv) || gv < 0 || gv >= UINT32_MAX) {
				cleanup_free char *d = bjson_describe(g);
				return berth_error_set(
				    err, EINVAL, "%s.additionalGids[%zu]: expected a gid, got %s",
				    upath, i, d);
			}
			p->user.additional_gids[i] = (gid_t)gv;
		}
		p->user.n_additional_gids = json_array_size(gids);
	}
	return 0;
}

static int parse_console(json_t *proc, const char *path, struct oci_process *p,
			 struct berth_error **err)
{
	json_t *cs;
	if (bjson_member(proc, "consoleSize", path, JSON_OBJECT, false, &cs, err) < 0)
		return -1;
	if (cs == NULL)
		return 0;
	cleanup_free char *cpath = xasprintf("%s.consoleSize", path);
	int64_t h = 0, w = 0;
	if (bjson_int(cs, "height", cpath, 0, UINT16_MAX, &h, NULL, err) < 0 ||
	    bjson_int(cs, "width", cpath, 0, UINT16_MAX, &w, NULL, err) < 0)
		return -1;
	p->has_console_size = true;
	p->console_height = (unsigned short)h;
	p->console_width = (unsigned short)w;
	return 0;
}

static int check_env(char **env, const char *path, struct berth_error **err)
{
	for (size_t i = 0; env && env[i]; i++) {
		const char *eq = strchr(env[i], '=');
		if (eq == NULL || eq == env[i])
			return berth_error_set(err, EINVAL,
					       "%s.env[%zu]: \"%s\" is not of the form KEY=value",
					       path, i, env[i]);
	}
	return 0;
}

int oci_process_parse(json_t *proc, const char *path, struct oci_process **out,
		      struct berth_error **err)
{
	struct oci_process *p = xcalloc(1, sizeof(*p));
	int64_t oom = 0;
	if (bjson_bool(proc, "terminal", path, &p->terminal, err) < 0 ||
	    parse_console(proc, path, p, err) < 0 ||
	    bjson_string(proc, "cwd", path, true, &p->cwd, err) < 0 ||
	    bjson_strv(proc, "args", path, false, &p->args, err) < 0 ||
	    bjson_strv(proc, "env", path, false, &p->env, err) < 0 ||
	    parse_user(proc, path, p, err) < 0 || parse_rlimits(proc, path, p, err) < 0 ||
	    bjson_bool(proc, "noNewPrivileges", path, &p->no_new_privileges, err) < 0 ||
	    bjson_int(proc, "oomScoreAdj", path, -1000, 1000, &oom, &p->has_oom_score_adj, err) <
		0 ||
	    parse_caps(proc, path, p, err) < 0 ||
	    bjson_string(proc, "apparmorProfile", path, false, &p->apparmor_profile, err) < 0 ||
	    bjson_string(proc, "selinuxLabel", path, false, &p->selinux_label, err) < 0 ||
	    oci_process_parse_attrs(proc, path, p, err) < 0 || check_env(p->env, path, err) < 0)
		goto fail;
	p->oom_score_adj = (int)oom;
	if (p->cwd[0] != '/') {
		berth_error_set(err, EINVAL, "%s.cwd: must be an absolute path, got \"%s\"", path,
				p->cwd);
		goto fail;
	}
	if (p->args == NULL || p->args[0] == NULL || p->args[0][0] == '\0') {
		berth_error_set(err, EINVAL, "%s.args: must name a program to run", path);
		goto fail;
	}
	if (p->env == NULL)
		p->env = xcalloc(1, sizeof(char *));
	*out = p;
	return 0;
fail:
	oci_process_free(p);
	return -1;
}

void oci_process_free(struct oci_process *p)
{
	if (p == NULL)
		return;
	free(p->cwd);
	strv_free(p->args);
	strv_free(p->env);
	free(p->user.additional_gids);
	free(p->rlimits);
	free(p->apparmor_profile);
	free(p->selinux_label);
	oci_process_free_attrs(p);
	free(p);
}
