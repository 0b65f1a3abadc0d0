/* The container's mounts: docker's defaults (proc, /dev, /dev/pts, /sys,
 * cgroup, /dev/mqueue, /dev/shm by IpcMode), the user's (Binds of host
 * paths, Mounts of type bind and tmpfs, Tmpfs) sorted by depth, the
 * network files and the --init binary. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static json_t *mnt(const char *dst, const char *type, const char *src, const char *const *opts)
{
	json_t *m = json_pack("{s:s,s:s,s:s}", "destination", dst, "type", type, "source", src);
	json_object_set_new(m, "options", sg_strings(opts));
	return m;
}

static void add_opt(json_t *m, const char *o)
{
	json_array_append_new(json_object_get(m, "options"), json_string(o));
}

/* docker's MergeTmpfsOptions: later flags win over their opposites,
 * later key=value over the same key */
static void merge_tmpfs_opt(json_t *opts, const char *o)
{
	static const char *const pairs[][2] = {
	    {"exec", "noexec"},		{"suid", "nosuid"},
	    {"dev", "nodev"},		{"rw", "ro"},
	    {"atime", "noatime"},	{"diratime", "nodiratime"},
	    {"relatime", "norelatime"}, {"strictatime", "nostrictatime"}};
	size_t klen = strcspn(o, "=");
	for (size_t i = json_array_size(opts); i-- > 0;) {
		const char *e = json_string_value(json_array_get(opts, i));
		bool same = strcmp(e, o) == 0 || (o[klen] == '=' && strncmp(e, o, klen + 1) == 0);
		for (size_t p = 0; p < sizeof(pairs) / sizeof(pairs[0]) && !same; p++)
			same = (strcmp(o, pairs[p][0]) == 0 && strcmp(e, pairs[p][1]) == 0) ||
			       (strcmp(o, pairs[p][1]) == 0 && strcmp(e, pairs[p][0]) == 0);
		if (same)
			json_array_remove(opts, i);
	}
	json_array_append_new(opts, json_string(o));
}

static json_t *tmpfs_mount(const char *dst, const char *data)
{
	static const char *const defaults[] = {"noexec", "nosuid", "nodev", NULL};
	json_t *m = mnt(dst, "tmpfs", "tmpfs", defaults);
	json_t *opts = json_object_get(m, "options");
	cleanup_free char *copy = xstrdup(data ? data : "");
	char *save = NULL;
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save))
		if (*o)
			merge_tmpfs_opt(opts, o);
	return m;
}

/* docker's MergeTmpfsOptions, run by dockerd at start: an option is a mount
 * flag or key=value with one of tmpfs's keys, else "invalid tmpfs option
 * [\"k\" \"v\"]" (Go's %q of the option split at its first '=') */
static int check_tmpfs_opts(const char *data, struct berth_error **err)
{
	static const char *const flags[] = {
	    "defaults",	     "ro",	   "rw",	  "suid",
	    "nosuid",	     "dev",	   "nodev",	  "exec",
	    "noexec",	     "sync",	   "async",	  "dirsync",
	    "remount",	     "mand",	   "nomand",	  "atime",
	    "noatime",	     "diratime",   "nodiratime",  "bind",
	    "rbind",	     "unbindable", "runbindable", "private",
	    "rprivate",	     "shared",	   "rshared",	  "slave",
	    "rslave",	     "relatime",   "norelatime",  "strictatime",
	    "nostrictatime", NULL};
	static const char *const keys[] = {"",		"size",	     "mode", "uid", "gid",
					   "nr_inodes", "nr_blocks", "mpol", NULL};
	if (data == NULL || *data == '\0')
		return 0;
	for (const char *o = data;; o++) {
		size_t len = strcspn(o, ","), klen = strcspn(o, "=,");
		bool has_value = klen < len, known = false;
		const char *const *set = has_value ? keys : flags;
		for (size_t i = 0; set[i] && !known; i++)
			known = strlen(set[i]) == klen && strncmp(o, set[i], klen) == 0;
		if (!known) {
			cleanup_json json_t *k = json_stringn(o, klen);
			cleanup_json json_t *v =
			    has_value ? json_stringn(o + klen + 1, len - klen - 1) : NULL;
			cleanup_free char *ks = json_dumps(k, JSON_ENCODE_ANY);
			cleanup_free char *vs = v ? json_dumps(v, JSON_ENCODE_ANY) : NULL;
			return berth_error_set(err, EIO, "invalid tmpfs option [%s%s%s]", ks,
					       vs ? " " : "", vs ? vs : "");
		}
		o += len;
		if (*o == '\0')
			return 0;
	}
}

static const char *propagation(const char *o)
{
	static const char *const modes[] = {"private", "rprivate", "shared", "rshared",
					    "slave",   "rslave",   NULL};
	for (size_t i = 0; modes[i]; i++)
		if (strcmp(o, modes[i]) == 0)
			return modes[i];
	return NULL;
}

static int mkdir_p(const char *path)
{
	cleanup_free char *p = xstrdup(path);
	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, 0755) < 0 && errno != EEXIST)
			return -1;
		*s = '/';
	}
	return mkdir(p, 0755) < 0 && errno != EEXIST ? -1 : 0;
}

/* "src:dst[:opts]" with an absolute host path (docker creates it when absent) */
static int bind_from_spec(const char *spec, json_t *out, struct berth_error **err)
{
	cleanup_free char *copy = xstrdup(spec);
	char *dst = strchr(copy, ':');
	if (dst == NULL || dst == copy)
		return berth_error_set(err, EINVAL, "invalid volume specification: '%s'", spec);
	*dst++ = '\0';
	char *opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	if (copy[0] != '/')
		return berth_error_set(err, ENOTSUP,
				       "invalid volume specification: '%s': named volumes are not "
				       "supported by berth yet",
				       spec);
	if (dst[0] != '/')
		return berth_error_set(
		    err, EINVAL,
		    "invalid volume specification: '%s': invalid mount config "
		    "for type \"bind\": invalid mount path: '%s' mount path must "
		    "be absolute",
		    spec, dst);
	if (strcmp(dst, "/") == 0)
		return berth_error_set(
		    err, EINVAL,
		    "invalid volume specification: '%s': invalid mount config "
		    "for type \"bind\": invalid specification: destination can't "
		    "be '/'",
		    spec);
	const char *ro = "rw", *prop = "rprivate";
	char *save = NULL;
	for (char *o = opts ? strtok_r(opts, ",", &save) : NULL; o;
	     o = strtok_r(NULL, ",", &save)) {
		if (strcmp(o, "ro") == 0 || strcmp(o, "rw") == 0)
			ro = strcmp(o, "ro") == 0 ? "ro" : "rw";
		else if (propagation(o))
			prop = propagation(o);
		else if (strcmp(o, "z") != 0 && strcmp(o, "Z") != 0 && strcmp(o, "nocopy") != 0 &&
			 strcmp(o, "consistent") != 0 && strcmp(o, "cached") != 0 &&
			 strcmp(o, "delegated") != 0)
			return berth_error_set(err, EINVAL, "invalid mode: %s", o);
	}
	if (out == NULL)
		return 0; /* checked only */
	if (mkdir_p(copy) < 0 && errno != ENOTDIR)
		return berth_error_errno(err, "create bind source %s", copy);
	const char *o[] = {"rbind", ro, prop, NULL};
	json_array_append_new(out, mnt(dst, "bind", copy, o));
	return 0;
}

static int mount_from_api(json_t *m, size_t i, json_t *out, struct berth_error **err)
{
	const char *type, *src, *dst;
	if (!json_is_object(m))
		return berth_error_set(err, EINVAL, "Mounts[%zu]: expected an object", i);
	if (sg_str(m, "Type", &type, err) < 0 || sg_str(m, "Source", &src, err) < 0 ||
	    sg_str(m, "Target", &dst, err) < 0)
		return berth_error_wrap(err, "Mounts[%zu]", i);
	if (type == NULL || dst == NULL || dst[0] != '/')
		return berth_error_set(err, EINVAL,
				       "invalid mount config for type \"%s\": invalid mount path: "
				       "'%s' mount path must be absolute",
				       type ? type : "", dst ? dst : "");
	bool ro = sg_bool(m, "ReadOnly");
	if (strcmp(type, "bind") == 0) {
		struct stat st;
		if (src == NULL || src[0] != '/' || stat(src, &st) < 0)
			return berth_error_set(
			    err, EINVAL,
			    "invalid mount config for type \"bind\": bind source "
			    "path does not exist: %s",
			    src ? src : "");
		if (out == NULL)
			return 0;
		const char *prop = json_string_value(
		    json_object_get(json_object_get(m, "BindOptions"), "Propagation"));
		const char *o[] = {"rbind", ro ? "ro" : "rw",
				   prop && propagation(prop) ? propagation(prop) : "rprivate",
				   NULL};
		json_array_append_new(out, mnt(dst, "bind", src, o));
		return 0;
	}
	if (strcmp(type, "tmpfs") == 0) {
		json_t *to = json_object_get(m, "TmpfsOptions");
		int64_t size = 0, mode = 0;
		if (sg_int(to, "SizeBytes", &size, err) < 0 || sg_int(to, "Mode", &mode, err) < 0)
			return berth_error_wrap(err, "Mounts[%zu].TmpfsOptions", i);
		if (out == NULL)
			return 0;
		json_t *t = tmpfs_mount(dst, ro ? "ro" : NULL);
		if (size > 0) {
			cleanup_free char *s = xasprintf("size=%lld", (long long)size);
			add_opt(t, s);
		}
		if (mode > 0) {
			cleanup_free char *s = xasprintf("mode=%llo", (long long)mode);
			add_opt(t, s);
		}
		json_array_append_new(out, t);
		return 0;
	}
	return berth_error_set(err, ENOTSUP,
			       "Mounts[%zu]: mounts of type \"%s\" are not supported by berth yet",
			       i, type);
}

int sg_check_mounts(json_t *host_config, struct berth_error **err)
{
	json_t *binds, *mounts = json_object_get(host_config, "Mounts");
	if (sg_strarr(host_config, "Binds", &binds, err) < 0)
		return -1;
	if (mounts && !json_is_null(mounts) && !json_is_array(mounts))
		return berth_error_set(err, EINVAL, "Mounts: expected an array");
	size_t i;
	json_t *e;
	json_array_foreach(binds, i, e)
	{
		if (bind_from_spec(json_string_value(e), NULL, err) < 0)
			return -1;
	}
	json_array_foreach(mounts, i, e)
	{
		if (mount_from_api(e, i, NULL, err) < 0)
			return -1;
	}
	return 0;
}

static size_t depth(json_t *m)
{
	size_t n = 0;
	for (const char *p = json_string_value(json_object_get(m, "destination")); *p; p++)
		n += *p == '/';
	return n;
}

static int by_depth(const void *a, const void *b)
{
	size_t da = depth(*(json_t *const *)a), db = depth(*(json_t *const *)b);
	return da < db ? -1 : da > db;
}

static int user_mounts(const struct specgen_input *in, json_t *out, struct berth_error **err)
{
	json_t *hc = in->host_config;
	json_t *binds;
	if (sg_strarr(hc, "Binds", &binds, err) < 0)
		return -1;
	size_t i;
	json_t *e;
	json_array_foreach(binds, i, e)
	{
		if (bind_from_spec(json_string_value(e), out, err) < 0)
			return -1;
	}
	json_array_foreach(json_object_get(hc, "Mounts"), i, e)
	{
		if (mount_from_api(e, i, out, err) < 0)
			return -1;
	}
	json_t *tmpfs = json_object_get(hc, "Tmpfs");
	if (sg_check_tmpfs(tmpfs, err) < 0)
		return -1;
	const char *dst;
	json_object_foreach(tmpfs, dst, e)
	{
		if (check_tmpfs_opts(json_string_value(e), err) < 0)
			return -1;
		json_array_append_new(out, tmpfs_mount(dst, json_string_value(e)));
	}
	/* stable sort by depth: parents before children */
	size_t n = json_array_size(out);
	cleanup_free json_t **v = xcalloc(n ? n : 1, sizeof(json_t *));
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(out, i));
	for (i = 1; i < n; i++)
		for (size_t j = i; j > 0 && by_depth(&v[j - 1], &v[j]) > 0; j--) {
			json_t *t = v[j];
			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	json_array_clear(out);
	for (i = 0; i < n; i++)
		json_array_append_new(out, v[i]);
	return 0;
}

static bool has_dest(json_t *mounts, const char *dst)
{
	size_t i;
	json_t *m;
	json_array_foreach(mounts, i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "destination")), dst) == 0)
			return true;
	}
	return false;
}

static int shm_mount(const struct specgen_input *in, json_t *out, struct berth_error **err)
{
	const char *ipc = json_string_value(json_object_get(in->host_config, "IpcMode"));
	static const char *const bind[] = {"rbind", "rprivate", NULL};
	if (ipc && strcmp(ipc, "none") == 0)
		return 0;
	if (ipc && strcmp(ipc, "host") == 0) {
		json_array_append_new(out, mnt("/dev/shm", "bind", "/dev/shm", bind));
		return 0;
	}
	if (ipc && strncmp(ipc, "container:", 10) == 0) {
		if (in->container_pid == NULL)
			return berth_error_set(err, ENOTSUP, "IpcMode %s: not available", ipc);
		pid_t pid = in->container_pid(in->container_pid_arg, ipc + 10, err);
		if (pid <= 0)
			return berth_error_set(err, EINVAL, "container %s is not running",
					       ipc + 10);
		cleanup_free char *src = xasprintf("/proc/%d/root/dev/shm", (int)pid);
		json_array_append_new(out, mnt("/dev/shm", "bind", src, bind));
		return 0;
	}
	int64_t size;
	if (sg_int(in->host_config, "ShmSize", &size, err) < 0)
		return -1;
	if (size <= 0)
		size = SPECGEN_DEFAULT_SHM_SIZE;
	static const char *const o[] = {"nosuid", "noexec", "nodev", "mode=1777", NULL};
	json_t *m = mnt("/dev/shm", "tmpfs", "shm", o);
	cleanup_free char *s = xasprintf("size=%lld", (long long)size);
	add_opt(m, s);
	json_array_append_new(out, m);
	return 0;
}

static json_t *default_mounts(bool privileged)
{
	static const char *const proc[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const sys_ro[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rw[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const cg_ro[] = {"ro", "nosuid", "noexec", "nodev", NULL};
	static const char *const cg_rw[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
	json_t *a = json_array();
	json_array_append_new(a, mnt("/proc", "proc", "proc", proc));
	json_array_append_new(a, mnt("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(a, mnt("/dev/pts", "devpts", "devpts", pts));
	json_array_append_new(a, mnt("/sys", "sysfs", "sysfs", privileged ? sys_rw : sys_ro));
	json_array_append_new(
	    a, mnt("/sys/fs/cgroup", "cgroup", "cgroup", privileged ? cg_rw : cg_ro));
	json_array_append_new(a, mnt("/dev/mqueue", "mqueue", "mqueue", mq));
	return a;
}

int sg_build_mounts(const struct specgen_input *in, json_t *spec, struct berth_error **err)
{
	bool privileged = sg_bool(in->host_config, "Privileged");
	bool ro_root = sg_bool(in->host_config, "ReadonlyRootfs");
	cleanup_json json_t *user = json_array();
	cleanup_json json_t *defaults = default_mounts(privileged);
	if (user_mounts(in, user, err) < 0 || shm_mount(in, defaults, err) < 0)
		return -1;
	json_t *out = json_array();
	json_object_set_new(spec, "mounts", out);
	bool user_dev = has_dest(user, "/dev");
	size_t i;
	json_t *m;
	json_array_foreach(defaults, i, m)
	{
		const char *dst = json_string_value(json_object_get(m, "destination"));
		if (has_dest(user, dst) || (user_dev && strncmp(dst, "/dev/", 5) == 0))
			continue;
		json_array_append(out, m);
	}
	json_array_extend(out, user);
	static const char *const rw[] = {"rbind", "rprivate", NULL};
	static const char *const ro[] = {"rbind", "rprivate", "ro", NULL};
	const char *files[][2] = {{"/etc/resolv.conf", in->resolv_path},
				  {"/etc/hostname", in->hostname_path},
				  {"/etc/hosts", in->hosts_path}};
	for (i = 0; i < 3; i++)
		if (files[i][1] && !has_dest(user, files[i][0]))
			json_array_append_new(
			    out, mnt(files[i][0], "bind", files[i][1], ro_root ? ro : rw));
	if (sg_bool(in->host_config, "Init")) {
		if (in->init_path == NULL)
			return berth_error_set(err, ENOTSUP,
					       "Init: no init binary (berth-init) is configured");
		static const char *const init[] = {"bind", "ro", NULL};
		json_array_append_new(out, mnt("/sbin/docker-init", "bind", in->init_path, init));
	}
	return 0;
}
