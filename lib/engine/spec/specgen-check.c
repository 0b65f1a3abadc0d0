/* specgen_check_hostconfig: docker's HostConfig validation (daemon
 * verifyContainerSettings / verifyPlatformContainerResources and
 * runconfig's mode checks) with its messages, and docker's defaults. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* "0-3,5" (docker's parsers.ParseUintList) into a bitmap of up to max bits */
static int parse_uint_list(const char *list, bool *set, size_t max)
{
	if (*list == '\0')
		return -1;
	const char *p = list;
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			return -1;
		unsigned long a = strtoul(p, &end, 10), b = a;
		p = end;
		if (*p == '-') {
			p++;
			if (!isdigit((unsigned char)*p))
				return -1;
			b = strtoul(p, &end, 10);
			p = end;
			if (b < a)
				return -1;
		}
		if (*p == ',') {
			p++;
			if (*p == '\0')
				return -1;
		} else if (*p != '\0') {
			return -1;
		}
		for (unsigned long i = a; i <= b && set; i++)
			if (i < max)
				set[i] = true;
	}
	return 0;
}

static char *read_line(const char *path)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	char *line = NULL;
	size_t n = 0;
	if (f == NULL || getline(&line, &n, f) < 0) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\n")] = '\0';
	return line;
}

int sg_check_cpuset(const char *what, const char *list, struct berth_error **err)
{
	enum { MAXBITS = 8192 };
	cleanup_free bool *req = xcalloc(MAXBITS, sizeof(bool));
	if (parse_uint_list(list, req, MAXBITS) < 0)
		return berth_error_set(err, EINVAL,
				       "Invalid value %s for cpuset %s: invalid format: %s", list,
				       what, list);
	bool cpus = strcmp(what, "cpus") == 0;
	cleanup_free char *avail =
	    read_line(cpus ? "/sys/devices/system/cpu/online" : "/sys/devices/system/node/online");
	if (avail == NULL)
		return 0; /* cannot tell: the runtime will */
	cleanup_free bool *have = xcalloc(MAXBITS, sizeof(bool));
	if (parse_uint_list(avail, have, MAXBITS) < 0)
		return 0;
	for (size_t i = 0; i < MAXBITS; i++)
		if (req[i] && !have[i])
			return berth_error_set(
			    err, EINVAL,
			    cpus ? "Requested CPUs are not available - requested %s, available: %s"
				 : "Requested memory nodes are not available - requested %s, "
				   "available: %s",
			    list, avail);
	return 0;
}

static int check_restart_policy(json_t *hc, struct berth_error **err)
{
	json_t *rp = json_object_get(hc, "RestartPolicy");
	if (rp == NULL || json_is_null(rp)) {
		json_object_set_new(hc, "RestartPolicy",
				    json_pack("{s:s,s:i}", "Name", "no", "MaximumRetryCount", 0));
		return 0;
	}
	if (!json_is_object(rp))
		return berth_error_set(err, EINVAL, "RestartPolicy: expected an object");
	const char *name;
	int64_t max;
	if (sg_str(rp, "Name", &name, err) < 0 || sg_int(rp, "MaximumRetryCount", &max, err) < 0)
		return berth_error_wrap(err, "RestartPolicy");
	if (name == NULL || *name == '\0') {
		json_object_set_new(rp, "Name", json_string("no"));
		name = "no";
	}
	if (strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0 ||
	    strcmp(name, "no") == 0) {
		if (max != 0)
			return berth_error_set(
			    err, EINVAL,
			    "maximum retry count cannot be used with restart policy '%s'", name);
	} else if (strcmp(name, "on-failure") == 0) {
		if (max < 0)
			return berth_error_set(err, EINVAL,
					       "maximum retry count cannot be negative");
	} else {
		return berth_error_set(err, EINVAL, "invalid restart policy '%s'", name);
	}
	if (json_object_get(rp, "MaximumRetryCount") == NULL)
		json_object_set_new(rp, "MaximumRetryCount", json_integer(0));
	if (sg_bool(hc, "AutoRemove") && strcmp(name, "no") != 0)
		return berth_error_set(err, EINVAL,
				       "can't create 'AutoRemove' container with restart policy");
	return 0;
}

static const char *cg_root(const struct specgen_host *host)
{
	return host && host->cgroup_root ? host->cgroup_root : "/sys/fs/cgroup";
}

/* A file under the cgroup root exists. */
static bool cg_exists(const struct specgen_host *host, const char *rel)
{
	cleanup_free char *p = xasprintf("%s/%s", cg_root(host), rel);
	return access(p, F_OK) == 0;
}

bool specgen_host_cgroup2(const struct specgen_host *host)
{
	return cg_exists(host, "cgroup.controllers");
}

/* docker's sysInfo.SwapLimit: can the memory cgroup limit swap here? */
static bool swap_limit_supported(const struct specgen_host *host)
{
	if (!specgen_host_cgroup2(host))
		return cg_exists(host, "memory/memory.memsw.limit_in_bytes");
	/* v2: the files exist in non-root cgroups only */
	cleanup_free char *line = read_line(host && host->proc_self_cgroup ? host->proc_self_cgroup
									   : "/proc/self/cgroup");
	if (line && strncmp(line, "0::", 3) == 0 && strcmp(line + 3, "/") != 0) {
		cleanup_free char *rel = xasprintf("%s/memory.swap.max", line + 4);
		if (cg_exists(host, rel))
			return true;
	}
	return cg_exists(host, "init.scope/memory.swap.max") ||
	       cg_exists(host, "system.slice/memory.swap.max");
}

/* What cgroup v2 cannot do (docker's sysInfo on v2: no kernel memory, no
 * swappiness, no OOM-killer switch, no real-time CPU scheduler): warned
 * about and discarded, as dockerd 20.10 does; real-time is refused. */
static int check_v2_limits(json_t *hc, const struct specgen_host *host, char ***warnings,
			   struct berth_error **err)
{
	if (!specgen_host_cgroup2(host))
		return 0;
	int64_t kmem, rtp, rtr;
	if (sg_int(hc, "KernelMemory", &kmem, err) < 0 ||
	    sg_int(hc, "CpuRealtimePeriod", &rtp, err) < 0 ||
	    sg_int(hc, "CpuRealtimeRuntime", &rtr, err) < 0)
		return -1;
	if (rtp != 0 || rtr != 0)
		return berth_error_set(err, EINVAL,
				       "Your kernel does not support CPU real-time scheduler");
	if (kmem > 0) {
		sg_warn(warnings, "Your kernel does not support kernel memory limit capabilities "
				  "or the cgroup is not mounted. Limitation discarded.");
		json_object_set_new(hc, "KernelMemory", json_integer(0));
	}
	json_t *sw = json_object_get(hc, "MemorySwappiness");
	if (sw && !json_is_null(sw)) {
		sg_warn(warnings, "Your kernel does not support memory swappiness capabilities or "
				  "the cgroup is not mounted. Memory swappiness discarded.");
		json_object_set_new(hc, "MemorySwappiness", json_null());
	}
	json_t *oom = json_object_get(hc, "OomKillDisable");
	if (oom && !json_is_null(oom)) {
		if (json_is_true(oom))
			sg_warn(warnings,
				"Your kernel does not support OomKillDisable. OomKillDisable "
				"discarded.");
		json_object_set_new(hc, "OomKillDisable", json_null());
	}
	return 0;
}

static int check_memory(json_t *hc, const struct specgen_host *host, char ***warnings,
			struct berth_error **err)
{
	int64_t mem, swap, resv, kmem, swappiness = -1;
	if (sg_int(hc, "Memory", &mem, err) < 0 || sg_int(hc, "MemorySwap", &swap, err) < 0 ||
	    sg_int(hc, "MemoryReservation", &resv, err) < 0 ||
	    sg_int(hc, "KernelMemory", &kmem, err) < 0)
		return -1;
	json_t *sw = json_object_get(hc, "MemorySwappiness");
	if (sw && !json_is_null(sw) && sg_int(hc, "MemorySwappiness", &swappiness, err) < 0)
		return -1;
	if (mem < 0 || resv < 0 || kmem < 0)
		return berth_error_set(err, EINVAL,
				       "invalid memory limit: values must not be negative");
	if (mem != 0 && mem < SPECGEN_MIN_MEMORY)
		return berth_error_set(err, EINVAL, "Minimum memory limit allowed is 6MB");
	if (mem > 0 && swap > 0 && swap < mem)
		return berth_error_set(
		    err, EINVAL,
		    "Minimum memoryswap limit should be larger than memory limit, see usage");
	if (mem == 0 && swap > 0)
		return berth_error_set(
		    err, EINVAL,
		    "You should always set the Memory limit when using Memoryswap "
		    "limit, see usage");
	if (swap < -1)
		return berth_error_set(err, EINVAL,
				       "invalid MemorySwap %lld: must be -1 or positive",
				       (long long)swap);
	if (swappiness != -1 && (swappiness < 0 || swappiness > 100))
		return berth_error_set(
		    err, EINVAL, "Invalid value: %lld, valid memory swappiness range is 0-100",
		    (long long)swappiness);
	if (swappiness == -1 && sw)
		json_object_set_new(hc, "MemorySwappiness", json_null());
	if (mem > 0 && resv > 0 && mem < resv)
		return berth_error_set(
		    err, EINVAL,
		    "Minimum memory limit can not be less than memory reservation "
		    "limit, see usage");
	if (kmem != 0) {
		if (kmem < 4 * 1024 * 1024)
			return berth_error_set(err, EINVAL,
					       "Minimum kernel memory limit allowed is 4MB");
		sg_warn(warnings, "Specifying a kernel memory limit is deprecated and will be "
				  "removed in a future release.");
	}
	if (mem > 0 && swap > 0 && !swap_limit_supported(host)) {
		sg_warn(warnings, "Your kernel does not support swap limit capabilities or the "
				  "cgroup is not mounted. Memory limited without swap.");
		json_object_set_new(hc, "MemorySwap", json_integer(-1));
	}
	/* docker: by default MemorySwap is twice Memory (where swap can be limited) */
	if (mem > 0 && swap == 0 && swap_limit_supported(host))
		json_object_set_new(hc, "MemorySwap", json_integer(mem * 2));
	return 0;
}

static int check_cpu(json_t *hc, struct berth_error **err)
{
	int64_t nano, period, quota, shares, rtp, rtr;
	if (sg_int(hc, "NanoCpus", &nano, err) < 0 || sg_int(hc, "CpuPeriod", &period, err) < 0 ||
	    sg_int(hc, "CpuQuota", &quota, err) < 0 || sg_int(hc, "CpuShares", &shares, err) < 0 ||
	    sg_int(hc, "CpuRealtimePeriod", &rtp, err) < 0 ||
	    sg_int(hc, "CpuRealtimeRuntime", &rtr, err) < 0)
		return -1;
	if (nano > 0 && period > 0)
		return berth_error_set(
		    err, EINVAL,
		    "Conflicting options: Nano CPUs and CPU Period cannot both be set");
	if (nano > 0 && quota > 0)
		return berth_error_set(
		    err, EINVAL, "Conflicting options: Nano CPUs and CPU Quota cannot both be set");
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (ncpu < 1)
		ncpu = 1;
	if (nano < 0 || nano > (int64_t)ncpu * 1000000000LL)
		return berth_error_set(
		    err, EINVAL,
		    "Range of CPUs is from 0.01 to %ld.00, as there are only %ld CPUs available",
		    ncpu, ncpu);
	if (period != 0 && (period < 1000 || period > 1000000))
		return berth_error_set(
		    err, EINVAL,
		    "CPU cfs period can not be less than 1ms (i.e. 1000) or larger "
		    "than 1s (i.e. 1000000)");
	if (quota > 0 && quota < 1000)
		return berth_error_set(err, EINVAL,
				       "CPU cfs quota can not be less than 1ms (i.e. 1000)");
	if (shares < 0)
		return berth_error_set(err, EINVAL, "invalid CPU shares %lld: must not be negative",
				       (long long)shares);
	if (rtr > 0 && rtp > 0 && rtr > rtp)
		return berth_error_set(err, EINVAL,
				       "cpu-rt-runtime cannot be higher than cpu-rt-period");
	const char *cpus, *mems;
	if (sg_str(hc, "CpusetCpus", &cpus, err) < 0 || sg_str(hc, "CpusetMems", &mems, err) < 0)
		return -1;
	if (cpus && *cpus && sg_check_cpuset("cpus", cpus, err) < 0)
		return -1;
	if (mems && *mems && sg_check_cpuset("mems", mems, err) < 0)
		return -1;
	return 0;
}

/* "", "host", "container:<ref>" (+ the IPC modes) */
static bool mode_valid(const char *m, bool ipc)
{
	if (m == NULL || *m == '\0' || strcmp(m, "host") == 0)
		return true;
	if (strncmp(m, "container:", 10) == 0)
		return m[10] != '\0';
	return ipc &&
	       (strcmp(m, "private") == 0 || strcmp(m, "shareable") == 0 || strcmp(m, "none") == 0);
}

static int check_modes(json_t *hc, const struct specgen_host *host, char ***warnings,
		       struct berth_error **err)
{
	const char *pid, *ipc, *uts, *net, *userns, *cgns;
	if (sg_str(hc, "PidMode", &pid, err) < 0 || sg_str(hc, "IpcMode", &ipc, err) < 0 ||
	    sg_str(hc, "UTSMode", &uts, err) < 0 || sg_str(hc, "NetworkMode", &net, err) < 0 ||
	    sg_str(hc, "UsernsMode", &userns, err) < 0 ||
	    sg_str(hc, "CgroupnsMode", &cgns, err) < 0)
		return -1;
	if (!mode_valid(pid, false))
		return berth_error_set(err, EINVAL, "invalid PID mode: %s", pid);
	if (!mode_valid(ipc, true))
		return berth_error_set(err, EINVAL, "Invalid IPC mode: %s", ipc);
	if (!mode_valid(uts, false))
		return berth_error_set(err, EINVAL, "invalid UTS mode: %s", uts);
	if (userns && *userns && strcmp(userns, "host") != 0)
		return berth_error_set(err, ENOTSUP,
				       "invalid USER mode: %s: user namespace "
				       "remapping is not supported by berth",
				       userns);
	if (cgns && *cgns && strcmp(cgns, "host") != 0 && strcmp(cgns, "private") != 0)
		return berth_error_set(err, EINVAL, "invalid cgroup namespace mode: %s", cgns);
	if (ipc == NULL || *ipc == '\0')
		json_object_set_new(hc, "IpcMode", json_string("private"));
	if (cgns == NULL || *cgns == '\0')
		json_object_set_new(hc, "CgroupnsMode",
				    json_string(specgen_host_cgroup2(host) ? "private" : "host"));
	if (net == NULL || *net == '\0') {
		json_object_set_new(hc, "NetworkMode", json_string("default"));
	} else if (strncmp(net, "container:", 10) == 0) {
		if (net[10] == '\0')
			return berth_error_set(err, EINVAL, "invalid network mode: %s", net);
	} else if (strcmp(net, "none") != 0 && strcmp(net, "host") != 0 &&
		   strcmp(net, "default") != 0 && strcmp(net, "bridge") != 0) {
		return berth_error_set(err, ENOTSUP, "network %s not found", net);
	} else if (strcmp(net, "bridge") == 0) {
		sg_warn(warnings, "NetworkMode bridge: berth gives the container a private "
				  "network namespace with only a loopback interface");
	}
	if (strcmp(json_string_value(json_object_get(hc, "NetworkMode")), "host") == 0 &&
	    json_object_size(json_object_get(hc, "PortBindings")) > 0)
		sg_warn(warnings, "Published ports are discarded when using host network mode");
	else if (json_object_size(json_object_get(hc, "PortBindings")) > 0)
		sg_warn(warnings, "PortBindings: publishing ports is not supported by berth yet; "
				  "the ports are not published");
	return 0;
}

int sg_check_ulimits(json_t *ulimits, json_t **rlimits, struct berth_error **err)
{
	static const char *const names[] = {"as",    "core",	"cpu",	    "data",   "fsize",
					    "locks", "memlock", "msgqueue", "nice",   "nofile",
					    "nproc", "rss",	"rtprio",   "rttime", "sigpending",
					    "stack", NULL};
	cleanup_json json_t *res = json_array();
	if (ulimits == NULL || json_is_null(ulimits))
		goto out;
	if (!json_is_array(ulimits))
		return berth_error_set(err, EINVAL, "Ulimits: expected an array");
	size_t i;
	json_t *u;
	json_array_foreach(ulimits, i, u)
	{
		const char *name;
		int64_t soft, hard;
		if (!json_is_object(u))
			return berth_error_set(err, EINVAL, "Ulimits[%zu]: expected an object", i);
		if (sg_str(u, "Name", &name, err) < 0 || sg_int(u, "Soft", &soft, err) < 0 ||
		    sg_int(u, "Hard", &hard, err) < 0)
			return berth_error_wrap(err, "Ulimits[%zu]", i);
		bool ok = false;
		for (size_t n = 0; names[n] && name && !ok; n++)
			ok = strcmp(names[n], name) == 0;
		if (!ok)
			return berth_error_set(err, EINVAL, "invalid ulimit type: %s",
					       name ? name : "");
		if (soft != -1 && hard != -1 && soft > hard)
			return berth_error_set(
			    err, EINVAL,
			    "ulimit soft limit must be less than or equal to hard "
			    "limit: %lld > %lld",
			    (long long)soft, (long long)hard);
		if (soft < -1 || hard < -1 || (soft == -1 && hard != -1))
			return berth_error_set(err, EINVAL, "invalid ulimit %s: %lld:%lld", name,
					       (long long)soft, (long long)hard);
		cleanup_free char *type = xasprintf("RLIMIT_%s", name);
		for (char *p = type; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		/* -1 is unlimited: RLIM_INFINITY does not fit in an int64 */
		json_t *js = soft == -1 ? json_real(18446744073709551615.0) : json_integer(soft);
		json_t *jh = hard == -1 ? json_real(18446744073709551615.0) : json_integer(hard);
		json_array_append_new(
		    res, json_pack("{s:s,s:o,s:o}", "type", type, "hard", jh, "soft", js));
	}
out:
	if (rlimits)
		*rlimits = steal_ptr(res);
	return 0;
}

int sg_check_tmpfs(json_t *tmpfs, struct berth_error **err)
{
	if (tmpfs == NULL || json_is_null(tmpfs))
		return 0;
	if (!json_is_object(tmpfs))
		return berth_error_set(err, EINVAL, "Tmpfs: expected an object");
	const char *path;
	json_t *v;
	json_object_foreach(tmpfs, path, v)
	{
		if (path[0] != '/')
			return berth_error_set(err, EINVAL,
					       "invalid mount config for type \"tmpfs\": invalid "
					       "mount path: '%s' mount path must be absolute",
					       path);
		if (strcmp(path, "/") == 0)
			return berth_error_set(err, EINVAL, "Invalid tmpfs mount point /");
		if (!json_is_string(v))
			return berth_error_set(err, EINVAL, "Tmpfs[%s]: expected a string", path);
	}
	return 0;
}

static int check_misc(json_t *hc, char ***warnings, struct berth_error **err)
{
	int64_t blkio, oom, shm, pids;
	if (sg_int(hc, "BlkioWeight", &blkio, err) < 0 ||
	    sg_int(hc, "OomScoreAdj", &oom, err) < 0 || sg_int(hc, "ShmSize", &shm, err) < 0 ||
	    sg_int(hc, "PidsLimit", &pids, err) < 0)
		return -1;
	if (blkio > 0 && (blkio < 10 || blkio > 1000))
		return berth_error_set(err, EINVAL, "Range of blkio weight is from 10 to 1000");
	if (oom < -1000 || oom > 1000)
		return berth_error_set(
		    err, EINVAL, "Invalid value %lld, range for oom score adj is [-1000, 1000]",
		    (long long)oom);
	if (shm < 0)
		return berth_error_set(err, EINVAL, "SHM size can not be less than 0");
	if (shm == 0)
		json_object_set_new(hc, "ShmSize", json_integer(SPECGEN_DEFAULT_SHM_SIZE));
	/* dockerd fills the default lists in at create (inspect shows them);
	 * systempaths=unconfined arrives as [] */
	if (!sg_bool(hc, "Privileged")) {
		json_t *mp = json_object_get(hc, "MaskedPaths");
		json_t *rp = json_object_get(hc, "ReadonlyPaths");
		if (mp && !json_is_null(mp) && !json_is_array(mp))
			return berth_error_set(err, EINVAL, "MaskedPaths: expected an array");
		if (rp && !json_is_null(rp) && !json_is_array(rp))
			return berth_error_set(err, EINVAL, "ReadonlyPaths: expected an array");
		if (!json_is_array(mp))
			json_object_set_new(hc, "MaskedPaths", sg_strings(sg_masked_paths));
		if (!json_is_array(rp))
			json_object_set_new(hc, "ReadonlyPaths", sg_strings(sg_readonly_paths));
	}
	/* API >= 1.41: 0 and -1 both mean unlimited; inspect shows null */
	if (pids <= 0 && json_object_get(hc, "PidsLimit"))
		json_object_set_new(hc, "PidsLimit", json_null());
	json_t *caps;
	cleanup_json json_t *tmp = NULL;
	json_t *add, *drop;
	if (sg_strarr(hc, "CapAdd", &add, err) < 0 || sg_strarr(hc, "CapDrop", &drop, err) < 0 ||
	    sg_capabilities(add, drop, false, &caps, err) < 0)
		return -1;
	json_decref(caps);
	struct sg_secopts so;
	if (sg_security_opts(hc, &so, warnings, err) < 0)
		return -1;
	if (so.seccomp_profile && !sg_bool(hc, "Privileged")) {
		cleanup_json json_t *def = json_array();
		json_t *sc = NULL;
		if (sg_seccomp_resolve(so.seccomp_profile, def, &sc, err) < 0)
			return -1;
		int r = sg_seccomp_validate(sc, err);
		json_decref(sc);
		if (r < 0)
			return -1;
	}
	if (sg_check_ulimits(json_object_get(hc, "Ulimits"), &tmp, err) < 0 ||
	    sg_check_tmpfs(json_object_get(hc, "Tmpfs"), err) < 0)
		return -1;
	const char *net, *ipc;
	sg_str(hc, "NetworkMode", &net, NULL);
	sg_str(hc, "IpcMode", &ipc, NULL);
	json_t *sysctls = json_object_get(hc, "Sysctls");
	if (sg_check_sysctls(sysctls, ipc && strcmp(ipc, "host") == 0,
			     net && strcmp(net, "host") == 0, err) < 0 ||
	    sg_check_mounts(hc, err) < 0)
		return -1;
	return 0;
}

/* Fields berth does not honour: refused, never silently ignored. */
static int check_unsupported(json_t *hc, char ***warnings, struct berth_error **err)
{
	static const char *const refused[] = {"VolumesFrom", "DeviceRequests", "Links", NULL};
	for (size_t i = 0; refused[i]; i++) {
		json_t *v = json_object_get(hc, refused[i]);
		if (json_is_array(v) && json_array_size(v) > 0)
			return berth_error_set(err, ENOTSUP, "%s is not supported by berth",
					       refused[i]);
	}
	if (sg_check_blkio(hc, err) < 0)
		return -1;
	const char *vd;
	if (sg_str(hc, "VolumeDriver", &vd, err) < 0)
		return -1;
	if (vd && *vd && strcmp(vd, "local") != 0)
		return berth_error_set(err, ENOTSUP, "volume driver %s is not supported by berth",
				       vd);
	int64_t mem;
	if (sg_int(hc, "Memory", &mem, err) < 0)
		return -1;
	if (sg_bool(hc, "OomKillDisable") && mem == 0)
		sg_warn(warnings,
			"OOM killer is disabled for the container, but no memory limit is "
			"set, this can result in the system running out of resources.");
	return 0;
}

int specgen_check_hostconfig(json_t *host_config, char ***warnings, struct berth_error **err)
{
	return specgen_check_hostconfig_on(host_config, NULL, warnings, err);
}

int specgen_check_hostconfig_on(json_t *host_config, const struct specgen_host *host,
				char ***warnings, struct berth_error **err)
{
	if (!json_is_object(host_config))
		return berth_error_set(err, EINVAL, "HostConfig: expected an object");
	if (check_restart_policy(host_config, err) < 0 ||
	    check_memory(host_config, host, warnings, err) < 0 || check_cpu(host_config, err) < 0 ||
	    check_v2_limits(host_config, host, warnings, err) < 0 ||
	    check_modes(host_config, host, warnings, err) < 0 ||
	    check_misc(host_config, warnings, err) < 0 ||
	    check_unsupported(host_config, warnings, err) < 0)
		return -1;
	/* dockerd 20.10's inspect always has these (newer CLIs omit them) */
	const char *zeros[] = {"KernelMemory", "KernelMemoryTCP"};
	for (size_t i = 0; i < sizeof(zeros) / sizeof(zeros[0]); i++)
		if (json_object_get(host_config, zeros[i]) == NULL)
			json_object_set_new(host_config, zeros[i], json_integer(0));
	return 0;
}
