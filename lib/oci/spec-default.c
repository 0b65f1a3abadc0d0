/* The config.json that `berth-runtime spec` writes: a busybox-friendly
 * default with the usual namespaces, mounts, masked and read-only paths. */
#include "oci/spec.h"

#include <string.h>

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mount(const char *dst, const char *type, const char *src, const char *const *opts)
{
	json_t *m = json_pack("{s:s,s:s,s:s}", "destination", dst, "type", type, "source", src);
	if (opts)
		json_object_set_new(m, "options", strings(opts));
	return m;
}

static json_t *default_mounts(bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const pts_rootless[] = {"nosuid",	    "noexec",	 "newinstance",
						   "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mq[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec",
						   "nodev", "ro",     NULL};
	static const char *const cg[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	json_t *a = json_array();
	json_array_append_new(a, mount("/proc", "proc", "proc", NULL));
	json_array_append_new(a, mount("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(a,
			      mount("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_array_append_new(a, mount("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(a, mount("/dev/mqueue", "mqueue", "mqueue", mq));
	if (rootless) {
		json_array_append_new(a, mount("/sys", "none", "/sys", sys_rootless));
	} else {
		json_array_append_new(a, mount("/sys", "sysfs", "sysfs", sys));
		json_array_append_new(a, mount("/sys/fs/cgroup", "cgroup", "cgroup", cg));
	}
	return a;
}

static json_t *default_process(void)
{
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    NULL};
	json_t *c = json_object();
	const char *sets[] = {"bounding", "effective", "permitted", "ambient"};
	for (size_t i = 0; i < 4; i++)
		json_object_set_new(c, sets[i], strings(caps));
	return json_pack("{s:b,s:{s:i,s:i},s:o,s:o,s:s,s:o,s:[{s:s,s:i,s:i}],s:b}", "terminal", 1,
			 "user", "uid", 0, "gid", 0, "args", strings(args), "env", strings(env),
			 "cwd", "/", "capabilities", c, "rlimits", "type", "RLIMIT_NOFILE", "hard",
			 1024, "soft", 1024, "noNewPrivileges", 1);
}

json_t *oci_spec_default(bool rootless, uid_t uid, gid_t gid)
{
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const ro[] = {
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	json_t *ns = json_array();
	const char *types[] = {"pid", "network", "ipc", "uts", "mount", "cgroup"};
	for (size_t i = 0; i < 6; i++) {
		if (rootless && strcmp(types[i], "network") == 0)
			continue;
		json_array_append_new(ns, json_pack("{s:s}", "type", types[i]));
	}
	json_t *linux_ = json_pack("{s:o,s:o,s:o}", "namespaces", ns, "maskedPaths",
				   strings(masked), "readonlyPaths", strings(ro));
	if (rootless) {
		json_array_append_new(ns, json_pack("{s:s}", "type", "user"));
		json_object_set_new(linux_, "uidMappings",
				    json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID",
					      (json_int_t)uid, "size", 1));
		json_object_set_new(linux_, "gidMappings",
				    json_pack("[{s:i,s:I,s:i}]", "containerID", 0, "hostID",
					      (json_int_t)gid, "size", 1));
	} else {
		json_object_set_new(
		    linux_, "resources",
		    json_pack("{s:[{s:b,s:s}]}", "devices", "allow", 0, "access", "rwm"));
	}
	return json_pack("{s:s,s:o,s:{s:s,s:b},s:s,s:o,s:o}", "ociVersion",
			 OCI_SPEC_DEFAULT_VERSION, "process", default_process(), "root", "path",
			 "rootfs", "readonly", 1, "hostname", "berth", "mounts",
			 default_mounts(rootless), "linux", linux_);
}
