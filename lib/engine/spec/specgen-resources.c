/* linux.resources (memory, cpu, pids, blockIO, the device cgroup), the
 * container's device nodes (HostConfig.Devices, every host device when
 * privileged) and the sysctl checks. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

int sg_check_sysctls(json_t *sysctls, bool host_ipc, bool host_net, struct berth_error **err)
{
	static const char *const ipc[] = {
	    "kernel.msgmax", "kernel.msgmnb",	       "kernel.msgmni",
	    "kernel.sem",    "kernel.shmall",	       "kernel.shmmax",
	    "kernel.shmmni", "kernel.shm_rmid_forced", NULL};
	if (sysctls == NULL || json_is_null(sysctls))
		return 0;
	if (!json_is_object(sysctls))
		return berth_error_set(err, EINVAL, "Sysctls: expected an object");
	const char *k;
	json_t *v;
	json_object_foreach(sysctls, k, v)
	{
		if (!json_is_string(v))
			return berth_error_set(err, EINVAL, "Sysctls[%s]: expected a string", k);
		bool is_ipc = strncmp(k, "fs.mqueue.", 10) == 0;
		for (size_t i = 0; ipc[i] && !is_ipc; i++)
			is_ipc = strcmp(k, ipc[i]) == 0;
		if (is_ipc) {
			if (host_ipc)
				return berth_error_set(
				    err, EINVAL,
				    "sysctl \"%s\" is not allowed in the hosts ipc namespace", k);
			continue;
		}
		if (strncmp(k, "net.", 4) == 0) {
			if (host_net)
				return berth_error_set(
				    err, EINVAL,
				    "sysctl \"%s\" not allowed in host network namespace", k);
			continue;
		}
		if (strcmp(k, "kernel.hostname") == 0 || strcmp(k, "kernel.domainname") == 0)
			return berth_error_set(
			    err, EINVAL,
			    "sysctl \"%s\" is not allowed as it conflicts with the "
			    "OCI \"hostname\" field",
			    k);
		return berth_error_set(err, EINVAL,
				       "sysctl \"%s\" is not in a separate kernel namespace", k);
	}
	return 0;
}

static void set_int(json_t *obj, const char *key, int64_t v)
{
	json_object_set_new(obj, key, json_integer((json_int_t)v));
}

/* BlkioWeightDevice and the BlkioDevice* throttles: [{Path, Weight|Rate}]
 * -> blockIO.<key> [{major, minor, weight|rate}] (the device by stat) */
static int blkio_devices(json_t *hc, const char *hkey, const char *vkey, json_t *bio,
			 const char *okey, const char *oval, struct berth_error **err)
{
	json_t *list = json_object_get(hc, hkey);
	if (list == NULL || json_is_null(list))
		return 0;
	if (!json_is_array(list))
		return berth_error_set(err, EINVAL, "%s: expected an array", hkey);
	json_t *out = json_array();
	json_object_set_new(bio, okey, out);
	size_t i;
	json_t *d;
	json_array_foreach(list, i, d)
	{
		const char *path;
		int64_t v;
		if (!json_is_object(d))
			return berth_error_set(err, EINVAL, "%s[%zu]: expected an object", hkey, i);
		if (sg_str(d, "Path", &path, err) < 0 || sg_int(d, vkey, &v, err) < 0)
			return berth_error_wrap(err, "%s[%zu]", hkey, i);
		struct stat st;
		if (path == NULL || stat(path, &st) < 0)
			return berth_error_set(err, EINVAL, "%s[%zu]: %s: %s", hkey, i,
					       path ? path : "Path",
					       path ? strerror(errno) : "required");
		if (!S_ISBLK(st.st_mode))
			return berth_error_set(err, EINVAL, "%s[%zu]: %s is not a block device",
					       hkey, i, path);
		if (v < 0 || (strcmp(oval, "weight") == 0 && (v < 10 || v > 1000)))
			return berth_error_set(err, EINVAL, "%s[%zu]: invalid %s %lld", hkey, i,
					       oval, (long long)v);
		json_array_append_new(
		    out, json_pack("{s:I,s:I,s:I}", "major", (json_int_t)major(st.st_rdev), "minor",
				   (json_int_t)minor(st.st_rdev), oval, (json_int_t)v));
	}
	if (json_array_size(out) == 0)
		json_object_del(bio, okey);
	return 0;
}

/* blockIO: BlkioWeight and the per-device lists */
static int build_blkio(json_t *hc, int64_t weight, json_t **out, struct berth_error **err)
{
	static const char *const map[][4] = {
	    {"BlkioWeightDevice", "Weight", "weightDevice", "weight"},
	    {"BlkioDeviceReadBps", "Rate", "throttleReadBpsDevice", "rate"},
	    {"BlkioDeviceWriteBps", "Rate", "throttleWriteBpsDevice", "rate"},
	    {"BlkioDeviceReadIOps", "Rate", "throttleReadIOPSDevice", "rate"},
	    {"BlkioDeviceWriteIOps", "Rate", "throttleWriteIOPSDevice", "rate"}};
	cleanup_json json_t *bio = json_object();
	if (weight > 0)
		json_object_set_new(bio, "weight", json_integer((json_int_t)weight));
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (blkio_devices(hc, map[i][0], map[i][1], bio, map[i][2], map[i][3], err) < 0)
			return -1;
	*out = json_object_size(bio) ? steal_ptr(bio) : NULL;
	return 0;
}

int sg_check_blkio(json_t *host_config, struct berth_error **err)
{
	json_t *bio = NULL;
	if (build_blkio(host_config, 0, &bio, err) < 0)
		return -1;
	json_decref(bio);
	return 0;
}

int sg_build_resources(const struct specgen_input *in, json_t *linux_, bool privileged,
		       struct berth_error **err)
{
	(void)privileged;
	json_t *hc = in->host_config;
	int64_t mem, swap, resv, nano, shares, quota, period, pids, blkio, rtp, rtr, swappiness;
	if (sg_int(hc, "Memory", &mem, err) < 0 || sg_int(hc, "MemorySwap", &swap, err) < 0 ||
	    sg_int(hc, "MemoryReservation", &resv, err) < 0 ||
	    sg_int(hc, "NanoCpus", &nano, err) < 0 || sg_int(hc, "CpuShares", &shares, err) < 0 ||
	    sg_int(hc, "CpuQuota", &quota, err) < 0 || sg_int(hc, "CpuPeriod", &period, err) < 0 ||
	    sg_int(hc, "PidsLimit", &pids, err) < 0 || sg_int(hc, "BlkioWeight", &blkio, err) < 0 ||
	    sg_int(hc, "CpuRealtimePeriod", &rtp, err) < 0 ||
	    sg_int(hc, "CpuRealtimeRuntime", &rtr, err) < 0 ||
	    sg_int(hc, "MemorySwappiness", &swappiness, err) < 0)
		return -1;
	json_t *res = json_object_get(linux_, "resources");
	if (res == NULL) {
		res = json_object();
		json_object_set_new(linux_, "resources", res);
	}
	json_t *m = json_object();
	if (mem > 0)
		set_int(m, "limit", mem);
	/* -1 (unlimited) is the runtime's default: written only with a limit */
	if (swap > 0)
		set_int(m, "swap", swap);
	if (resv > 0)
		set_int(m, "reservation", resv);
	json_t *sw = json_object_get(hc, "MemorySwappiness");
	if (sw && !json_is_null(sw) && swappiness >= 0)
		set_int(m, "swappiness", swappiness);
	if (sg_bool(hc, "OomKillDisable"))
		json_object_set_new(m, "disableOOMKiller", json_true());
	if (json_object_size(m))
		json_object_set_new(res, "memory", m);
	else
		json_decref(m);
	json_t *c = json_object();
	if (shares > 0)
		set_int(c, "shares", shares);
	if (nano > 0) {
		set_int(c, "period", 100000);
		set_int(c, "quota", nano * 100000 / 1000000000);
	} else {
		if (period > 0)
			set_int(c, "period", period);
		if (quota != 0)
			set_int(c, "quota", quota);
	}
	if (rtp > 0)
		set_int(c, "realtimePeriod", rtp);
	if (rtr > 0)
		set_int(c, "realtimeRuntime", rtr);
	const char *cpus = json_string_value(json_object_get(hc, "CpusetCpus"));
	const char *mems = json_string_value(json_object_get(hc, "CpusetMems"));
	if (cpus && *cpus)
		json_object_set_new(c, "cpus", json_string(cpus));
	if (mems && *mems)
		json_object_set_new(c, "mems", json_string(mems));
	if (json_object_size(c))
		json_object_set_new(res, "cpu", c);
	else
		json_decref(c);
	if (pids > 0)
		json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t)pids));
	json_t *bio = NULL;
	if (build_blkio(hc, blkio, &bio, err) < 0)
		return -1;
	if (bio)
		json_object_set_new(res, "blockIO", bio);
	return 0;
}

static json_t *dev_rule(bool allow, const char *type, int64_t major, int64_t minor,
			const char *access)
{
	json_t *r = json_pack("{s:b,s:s}", "allow", allow, "access", access);
	if (type)
		json_object_set_new(r, "type", json_string(type));
	if (major >= 0)
		set_int(r, "major", major);
	if (minor >= 0)
		set_int(r, "minor", minor);
	return r;
}

/* "c 1:3 rwm", "a *:* rwm" */
static int parse_cgroup_rule(const char *rule, json_t *out, struct berth_error **err)
{
	char type, access[8];
	char maj[24], min[24];
	int n = 0;
	if (sscanf(rule, "%c %23[0-9*]:%23[0-9*] %7[rwm]%n", &type, maj, min, access, &n) != 4 ||
	    rule[n] != '\0' || (type != 'a' && type != 'b' && type != 'c'))
		return berth_error_set(err, EINVAL, "invalid device cgroup format '%s'", rule);
	char t[2] = {type, 0};
	int64_t ma = strcmp(maj, "*") == 0 ? -1 : strtoll(maj, NULL, 10);
	int64_t mi = strcmp(min, "*") == 0 ? -1 : strtoll(min, NULL, 10);
	json_array_append_new(out, dev_rule(true, t, ma, mi, access));
	return 0;
}

static bool valid_perms(const char *p)
{
	if (*p == '\0' || strlen(p) > 3)
		return false;
	for (; *p; p++)
		if (!strchr("rwm", *p))
			return false;
	return true;
}

static json_t *device_node(const char *path, const struct stat *st)
{
	return json_pack("{s:s,s:s,s:I,s:I,s:I,s:I,s:I}", "path", path, "type",
			 S_ISBLK(st->st_mode) ? "b" : "c", "major", (json_int_t)major(st->st_rdev),
			 "minor", (json_int_t)minor(st->st_rdev), "fileMode",
			 (json_int_t)(st->st_mode & 07777), "uid", (json_int_t)st->st_uid, "gid",
			 (json_int_t)st->st_gid);
}

/* docker's devices.HostDevices: every device node under /dev */
static void host_devices(const char *dir, json_t *out)
{
	static const char *const skip[] = {"pts",  "shm",	  "fd",	   "mqueue",
					   ".lxc", ".lxd-mounts", ".udev", NULL};
	cleanup_closedir DIR *d = opendir(dir);
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.' &&
		    (de->d_name[1] == '\0' || strcmp(de->d_name, "..") == 0))
			continue;
		cleanup_free char *p = xasprintf("%s/%s", dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			bool s = false;
			for (size_t i = 0; skip[i] && !s; i++)
				s = strcmp(de->d_name, skip[i]) == 0;
			if (!s)
				host_devices(p, out);
			continue;
		}
		if ((S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) && strcmp(p, "/dev/console") != 0)
			json_array_append_new(out, device_node(p, &st));
	}
}

/* docker: a directory given as a device adds every device node under it */
static void dir_devices(const char *host, const char *ctr, const char *perms, json_t *nodes,
			json_t *rules, int depth)
{
	cleanup_closedir DIR *d = depth < 16 ? opendir(host) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d))) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *hp = xasprintf("%s/%s", host, de->d_name);
		cleanup_free char *cp = xasprintf("%s/%s", ctr, de->d_name);
		struct stat st;
		if (lstat(hp, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			dir_devices(hp, cp, perms, nodes, rules, depth + 1);
		} else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) {
			json_array_append_new(nodes, device_node(cp, &st));
			json_array_append_new(rules, dev_rule(true, S_ISBLK(st.st_mode) ? "b" : "c",
							      major(st.st_rdev), minor(st.st_rdev),
							      perms));
		}
	}
}

static int user_device(json_t *d, size_t i, json_t *nodes, json_t *rules, struct berth_error **err)
{
	const char *host, *ctr, *perms;
	if (!json_is_object(d))
		return berth_error_set(err, EINVAL, "Devices[%zu]: expected an object", i);
	if (sg_str(d, "PathOnHost", &host, err) < 0 ||
	    sg_str(d, "PathInContainer", &ctr, err) < 0 ||
	    sg_str(d, "CgroupPermissions", &perms, err) < 0)
		return berth_error_wrap(err, "Devices[%zu]", i);
	if (host == NULL || *host == '\0')
		return berth_error_set(err, EINVAL, "Devices[%zu]: PathOnHost is required", i);
	if (ctr == NULL || *ctr == '\0')
		ctr = host;
	if (perms == NULL || *perms == '\0')
		perms = "rwm";
	if (!valid_perms(perms))
		return berth_error_set(err, EINVAL, "invalid device mode: %s", perms);
	if (ctr[0] != '/')
		return berth_error_set(err, EINVAL, "%s is not an absolute path", ctr);
	struct stat st;
	if (stat(host, &st) < 0) {
		/* Go's errno text, as dockerd: the docker CLI exits 127 on "no
		 * such file or directory" */
		int e = errno;
		cleanup_free char *text = berth_errno_text(e);
		return berth_error_set(err, e == ENOENT ? EINVAL : e,
				       "error gathering device information while adding custom "
				       "device \"%s\": %s",
				       host, text);
	}
	if (S_ISDIR(st.st_mode)) {
		dir_devices(host, ctr, perms, nodes, rules, 0);
		return 0;
	}
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return berth_error_set(err, EINVAL,
				       "error gathering device information while adding custom "
				       "device \"%s\": not a device node",
				       host);
	json_array_append_new(nodes, device_node(ctr, &st));
	json_array_append_new(rules, dev_rule(true, S_ISBLK(st.st_mode) ? "b" : "c",
					      major(st.st_rdev), minor(st.st_rdev), perms));
	return 0;
}

int sg_build_devices(const struct specgen_input *in, json_t *linux_, bool privileged,
		     struct berth_error **err)
{
	json_t *res = json_object_get(linux_, "resources");
	json_t *rules = json_array();
	json_object_set_new(res, "devices", rules);
	json_t *nodes = json_array();
	json_object_set_new(linux_, "devices", nodes);
	if (privileged) {
		host_devices("/dev", nodes);
		json_array_append_new(rules, dev_rule(true, NULL, -1, -1, "rwm"));
		return 0;
	}
	/* moby oci.DefaultLinuxSpec: deny all, then the usual nodes */
	json_array_append_new(rules, dev_rule(false, NULL, -1, -1, "rwm"));
	static const int defaults[][2] = {{1, 5}, {1, 3}, {1, 9}, {1, 8}, {5, 0}, {5, 1}};
	for (size_t i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		json_array_append_new(rules,
				      dev_rule(true, "c", defaults[i][0], defaults[i][1], "rwm"));
	json_array_append_new(rules, dev_rule(false, "c", 10, 229, "rwm"));
	size_t i;
	json_t *d;
	json_array_foreach(json_object_get(in->host_config, "Devices"), i, d)
	{
		if (user_device(d, i, nodes, rules, err) < 0)
			return -1;
	}
	json_t *crules;
	if (sg_strarr(in->host_config, "DeviceCgroupRules", &crules, err) < 0)
		return -1;
	json_array_foreach(crules, i, d)
	{
		if (parse_cgroup_rule(json_string_value(d), rules, err) < 0)
			return -1;
	}
	return 0;
}
