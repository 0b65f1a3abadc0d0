/* specgen_build: the OCI runtime spec of a container with docker's
 * defaults (moby oci/defaults.go and daemon/oci_linux.go): process,
 * root, hostname, namespaces, masked and read-only paths, capabilities,
 * seccomp, cgroupsPath. Mounts and resources are in their own files. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

const char *const sg_masked_paths[] = {"/proc/asound",
				       "/proc/acpi",
				       "/proc/kcore",
				       "/proc/keys",
				       "/proc/latency_stats",
				       "/proc/timer_list",
				       "/proc/timer_stats",
				       "/proc/sched_debug",
				       "/proc/scsi",
				       "/sys/firmware",
				       NULL};
const char *const sg_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};

/* docker's ReplaceOrAppendEnvValues: KEY=VALUE replaces KEY or is
 * appended; a bare KEY (`-e KEY` of a variable the CLI did not have) unsets
 * KEY and is never passed on (the runtime refuses an entry without '=') */
static void env_set(json_t *env, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	size_t i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		const char *s = json_string_value(e);
		if (strncmp(s, kv, klen) == 0 && (s[klen] == '=' || s[klen] == '\0')) {
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

static bool env_has(json_t *env, const char *key)
{
	size_t klen = strlen(key);
	size_t i;
	json_t *e;
	json_array_foreach(env, i, e)
	{
		const char *s = json_string_value(e);
		if (strncmp(s, key, klen) == 0 && s[klen] == '=')
			return true;
	}
	return false;
}

static int build_args(const struct specgen_input *in, json_t **out, struct berth_error **err)
{
	json_t *ep, *cmd;
	if (sg_strarr(in->config, "Entrypoint", &ep, err) < 0 ||
	    sg_strarr(in->config, "Cmd", &cmd, err) < 0)
		return -1;
	json_t *args = json_array();
	if (sg_bool(in->host_config, "Init")) {
		json_array_append_new(args, json_string("/sbin/docker-init"));
		json_array_append_new(args, json_string("--"));
	}
	if (ep)
		json_array_extend(args, ep);
	if (cmd)
		json_array_extend(args, cmd);
	size_t base = sg_bool(in->host_config, "Init") ? 2 : 0;
	if (json_array_size(args) <= base) {
		json_decref(args);
		return berth_error_set(err, EINVAL, "No command specified");
	}
	*out = args;
	return 0;
}

static int build_env(const struct specgen_input *in, const char *hostname, const char *home,
		     json_t **out, struct berth_error **err)
{
	json_t *cenv;
	if (sg_strarr(in->config, "Env", &cenv, err) < 0)
		return -1;
	json_t *env = json_array();
	json_array_append_new(env, json_string(SPECGEN_DEFAULT_PATH));
	cleanup_free char *h = xasprintf("HOSTNAME=%s", hostname);
	json_array_append_new(env, json_string(h));
	if (sg_bool(in->config, "Tty"))
		json_array_append_new(env, json_string("TERM=xterm"));
	size_t i;
	json_t *e;
	json_array_foreach(cenv, i, e)
	{
		env_set(env, json_string_value(e));
	}
	if (!env_has(env, "HOME")) {
		cleanup_free char *kv = xasprintf("HOME=%s", home ? home : "/");
		json_array_append_new(env, json_string(kv));
	}
	*out = env;
	return 0;
}

static int build_process(const struct specgen_input *in, const char *hostname,
			 const struct sg_secopts *so, json_t *caps, json_t **out,
			 struct berth_error **err)
{
	const char *user, *wd;
	int64_t oom;
	if (sg_str(in->config, "User", &user, err) < 0 ||
	    sg_str(in->config, "WorkingDir", &wd, err) < 0 ||
	    sg_int(in->host_config, "OomScoreAdj", &oom, err) < 0)
		return -1;
	if (wd && *wd && wd[0] != '/')
		return berth_error_set(err, EINVAL,
				       "the working directory '%s' is invalid, it needs to be an "
				       "absolute path",
				       wd);
	struct sg_user u;
	if (sg_user_lookup(in->rootfs, user, json_object_get(in->host_config, "GroupAdd"), &u,
			   err) < 0)
		return -1;
	cleanup_json json_t *args = NULL;
	cleanup_json json_t *env = NULL;
	cleanup_json json_t *rlimits = NULL;
	if (build_args(in, &args, err) < 0 || build_env(in, hostname, u.home, &env, err) < 0 ||
	    sg_check_ulimits(json_object_get(in->host_config, "Ulimits"), &rlimits, err) < 0) {
		sg_user_clear(&u);
		return -1;
	}
	bool root = u.uid == 0;
	json_t *juser = json_pack("{s:I,s:I}", "uid", (json_int_t)u.uid, "gid", (json_int_t)u.gid);
	if (json_array_size(u.additional_gids) > 0)
		json_object_set(juser, "additionalGids", u.additional_gids);
	sg_user_clear(&u);
	json_t *p =
	    json_pack("{s:b,s:o,s:O,s:O,s:s,s:o,s:b,s:I}", "terminal", sg_bool(in->config, "Tty"),
		      "user", juser, "args", args, "env", env, "cwd", wd && *wd ? wd : "/",
		      "capabilities", sg_caps_object(caps, root), "noNewPrivileges",
		      so->no_new_privileges, "oomScoreAdj", (json_int_t)oom);
	if (json_array_size(rlimits) > 0)
		json_object_set(p, "rlimits", rlimits);
	*out = p;
	return 0;
}

/* pid, ipc, uts, network: new, host (absent) or another container's */
static int add_ns(const struct specgen_input *in, json_t *nss, const char *type,
		  const char *ns_file, const char *mode, struct berth_error **err)
{
	if (mode && strcmp(mode, "host") == 0)
		return 0;
	json_t *ns = json_pack("{s:s}", "type", type);
	if (mode && strncmp(mode, "container:", 10) == 0) {
		if (in->container_pid == NULL) {
			json_decref(ns);
			return berth_error_set(err, ENOTSUP, "%s namespace of %s: not available",
					       type, mode + 10);
		}
		pid_t pid = in->container_pid(in->container_pid_arg, mode + 10, err);
		if (pid <= 0) {
			json_decref(ns);
			if (pid == 0)
				berth_error_set(err, EINVAL, "container %s is not running",
						mode + 10);
			return berth_error_wrap(err, "join the %s namespace", type);
		}
		cleanup_free char *path = xasprintf("/proc/%d/ns/%s", (int)pid, ns_file);
		json_object_set_new(ns, "path", json_string(path));
	}
	json_array_append_new(nss, ns);
	return 0;
}

static int build_namespaces(const struct specgen_input *in, json_t *linux_,
			    struct berth_error **err)
{
	json_t *hc = in->host_config;
	const char *pid, *ipc, *uts, *net, *cgns;
	if (sg_str(hc, "PidMode", &pid, err) < 0 || sg_str(hc, "IpcMode", &ipc, err) < 0 ||
	    sg_str(hc, "UTSMode", &uts, err) < 0 || sg_str(hc, "NetworkMode", &net, err) < 0 ||
	    sg_str(hc, "CgroupnsMode", &cgns, err) < 0)
		return -1;
	json_t *nss = json_array();
	json_object_set_new(linux_, "namespaces", nss);
	json_array_append_new(nss, json_pack("{s:s}", "type", "mount"));
	if (add_ns(in, nss, "network", "net", net, err) < 0 ||
	    add_ns(in, nss, "uts", "uts", uts, err) < 0 ||
	    add_ns(in, nss, "pid", "pid", pid, err) < 0 ||
	    add_ns(in, nss, "ipc", "ipc", ipc, err) < 0)
		return -1;
	if (cgns && strcmp(cgns, "private") == 0)
		json_array_append_new(nss, json_pack("{s:s}", "type", "cgroup"));
	return 0;
}

static char *hostname_of(const struct specgen_input *in)
{
	const char *h = json_string_value(json_object_get(in->config, "Hostname"));
	if (h && *h)
		return xstrdup(h);
	const char *net = json_string_value(json_object_get(in->host_config, "NetworkMode"));
	if (net && strcmp(net, "host") == 0) {
		char buf[HOST_NAME_MAX + 1] = {0};
		if (gethostname(buf, sizeof(buf) - 1) == 0)
			return xstrdup(buf);
	}
	return xasprintf("%.12s", in->id ? in->id : "");
}

static json_t *paths_list(json_t *hc, const char *key, const char *const *defaults, bool none)
{
	json_t *given = json_object_get(hc, key);
	if (none)
		return json_array();
	return json_is_array(given) ? json_deep_copy(given) : sg_strings(defaults);
}

static char *cgroups_path(const struct specgen_input *in)
{
	const char *parent = json_string_value(json_object_get(in->host_config, "CgroupParent"));
	if (in->systemd_cgroup) {
		if (parent == NULL || *parent == '\0')
			parent = "system.slice";
		return xasprintf("%s:berth:%s", parent, in->id);
	}
	if (parent == NULL || *parent == '\0')
		parent = in->cgroup_parent && *in->cgroup_parent ? in->cgroup_parent : "/berth";
	size_t len = strlen(parent);
	while (len > 1 && parent[len - 1] == '/')
		len--;
	return xasprintf("%s%.*s/%s", parent[0] == '/' ? "" : "/", (int)len, parent, in->id);
}

static int build_seccomp(const struct specgen_input *in, const struct sg_secopts *so,
			 bool privileged, json_t *caps, json_t *linux_, struct berth_error **err)
{
	if (privileged || so->seccomp_unconfined)
		return 0;
	const char *profile = so->seccomp_profile;
	if (profile == NULL)
		profile = in->seccomp_default ? in->seccomp_default : specgen_seccomp_default;
	json_t *sc = NULL;
	if (sg_seccomp_resolve(profile, caps, &sc, err) < 0)
		return -1;
	json_object_set_new(linux_, "seccomp", sc);
	return 0;
}

static int build_linux(const struct specgen_input *in, const struct sg_secopts *so, json_t *caps,
		       json_t *linux_, struct berth_error **err)
{
	bool privileged = sg_bool(in->host_config, "Privileged");
	bool no_paths = privileged || so->systempaths_unconfined;
	if (build_namespaces(in, linux_, err) < 0)
		return -1;
	json_object_set_new(linux_, "maskedPaths",
			    paths_list(in->host_config, "MaskedPaths", sg_masked_paths, no_paths));
	json_object_set_new(
	    linux_, "readonlyPaths",
	    paths_list(in->host_config, "ReadonlyPaths", sg_readonly_paths, no_paths));
	cleanup_free char *cg = cgroups_path(in);
	json_object_set_new(linux_, "cgroupsPath", json_string(cg));
	json_t *sysctls = json_object_get(in->host_config, "Sysctls");
	if (json_object_size(sysctls) > 0)
		json_object_set_new(linux_, "sysctl", json_deep_copy(sysctls));
	if (sg_build_resources(in, linux_, privileged, err) < 0 ||
	    sg_build_devices(in, linux_, privileged, err) < 0 ||
	    build_seccomp(in, so, privileged, caps, linux_, err) < 0)
		return -1;
	return 0;
}

int specgen_build(const struct specgen_input *in, json_t **spec, struct berth_error **err)
{
	if (in->id == NULL || in->rootfs == NULL || !json_is_object(in->config) ||
	    !json_is_object(in->host_config))
		return berth_error_set(err, EINVAL,
				       "spec: id, rootfs, Config and HostConfig are required");
	json_t *hc = in->host_config;
	bool privileged = sg_bool(hc, "Privileged");
	struct sg_secopts so;
	cleanup_json json_t *caps = NULL;
	json_t *add, *drop;
	if (sg_security_opts(hc, &so, NULL, err) < 0 || sg_strarr(hc, "CapAdd", &add, err) < 0 ||
	    sg_strarr(hc, "CapDrop", &drop, err) < 0 ||
	    sg_capabilities(add, drop, privileged, &caps, err) < 0)
		return -1;
	const char *cgp = json_string_value(json_object_get(hc, "CgroupParent"));
	size_t cgl = cgp ? strlen(cgp) : 0;
	if (in->systemd_cgroup && cgl > 0 &&
	    (cgl < 6 || strcmp(cgp + cgl - 6, ".slice") != 0 || strchr(cgp, '/')))
		return berth_error_set(err, EINVAL,
				       "cgroup-parent for systemd cgroup should be a valid slice "
				       "named as \"xxx.slice\"");
	cleanup_free char *hostname = hostname_of(in);
	if (!json_is_string(json_object_get(in->config, "Hostname")) ||
	    *json_string_value(json_object_get(in->config, "Hostname")) == '\0')
		json_object_set_new(in->config, "Hostname", json_string(hostname));
	cleanup_json json_t *s =
	    json_pack("{s:s,s:{s:s,s:b}}", "ociVersion", "1.0.2-dev", "root", "path", in->rootfs,
		      "readonly", sg_bool(hc, "ReadonlyRootfs"));
	json_t *process = NULL;
	if (build_process(in, hostname, &so, caps, &process, err) < 0)
		return -1;
	json_object_set_new(s, "process", process);
	const char *uts = json_string_value(json_object_get(hc, "UTSMode"));
	if (uts == NULL || strcmp(uts, "host") != 0) {
		json_object_set_new(s, "hostname", json_string(hostname));
		const char *dn = json_string_value(json_object_get(in->config, "Domainname"));
		if (dn && *dn)
			json_object_set_new(s, "domainname", json_string(dn));
	}
	json_t *linux_ = json_object();
	json_object_set_new(s, "linux", linux_);
	if (sg_build_mounts(in, s, err) < 0 || build_linux(in, &so, caps, linux_, err) < 0)
		return -1;
	*spec = steal_ptr(s);
	return 0;
}
