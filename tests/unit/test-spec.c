/* Unit tests of the config.json parser (lib/oci). */
#include "test-spec-util.h"

#include "common/json.h"
#include "oci/spec.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/capability.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct oci_mount *find_mount(const struct oci_spec *s, const char *dst)
{
	for (size_t i = 0; i < s->n_mounts; i++)
		if (strcmp(s->mounts[i].destination, dst) == 0)
			return &s->mounts[i];
	fail_msg("no mount on %s", dst);
	return NULL;
}

static const char *sysctl_get(const struct oci_spec *s, const char *key)
{
	for (size_t i = 0; i < s->n_sysctl; i++)
		if (strcmp(s->sysctl[i].key, key) == 0)
			return s->sysctl[i].value;
	return NULL;
}

static const struct oci_rlimit *find_rlimit(const struct oci_process *p, int res)
{
	for (size_t i = 0; i < p->n_rlimits; i++)
		if (p->rlimits[i].resource == res)
			return &p->rlimits[i];
	fail_msg("no rlimit %d", res);
	return NULL;
}

#define CAP(n) (1ULL << (n))

/* ------------------------------------------------------------ valid configs */

/* `runc spec` (runc 1.1) output, verbatim apart from whitespace. */
static const char runc_spec[] =
    "{\n"
    "	\"ociVersion\": \"1.0.2-dev\",\n"
    "	\"process\": {\n"
    "		\"terminal\": true,\n"
    "		\"user\": {\"uid\": 0, \"gid\": 0},\n"
    "		\"args\": [\"sh\"],\n"
    "		\"env\": [\n"
    "			\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
    "			\"TERM=xterm\"\n"
    "		],\n"
    "		\"cwd\": \"/\",\n"
    "		\"capabilities\": {\n"
    "			\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
    "\"CAP_NET_BIND_SERVICE\"],\n"
    "			\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
    "\"CAP_NET_BIND_SERVICE\"],\n"
    "			\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
    "\"CAP_NET_BIND_SERVICE\"],\n"
    "			\"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", "
    "\"CAP_NET_BIND_SERVICE\"]\n"
    "		},\n"
    "		\"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"hard\": 1024, \"soft\": 1024}],\n"
    "		\"noNewPrivileges\": true\n"
    "	},\n"
    "	\"root\": {\"path\": \"rootfs\", \"readonly\": true},\n"
    "	\"hostname\": \"runc\",\n"
    "	\"mounts\": [\n"
    "		{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},\n"
    "		{\"destination\": \"/dev\", \"type\": \"tmpfs\", \"source\": \"tmpfs\",\n"
    "		 \"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]},\n"
    "		{\"destination\": \"/dev/pts\", \"type\": \"devpts\", \"source\": \"devpts\",\n"
    "		 \"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\",\n"
    "			     \"mode=0620\", \"gid=5\"]},\n"
    "		{\"destination\": \"/dev/shm\", \"type\": \"tmpfs\", \"source\": \"shm\",\n"
    "		 \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", "
    "\"size=65536k\"]},\n"
    "		{\"destination\": \"/dev/mqueue\", \"type\": \"mqueue\", \"source\": \"mqueue\",\n"
    "		 \"options\": [\"nosuid\", \"noexec\", \"nodev\"]},\n"
    "		{\"destination\": \"/sys\", \"type\": \"sysfs\", \"source\": \"sysfs\",\n"
    "		 \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]},\n"
    "		{\"destination\": \"/sys/fs/cgroup\", \"type\": \"cgroup\", \"source\": "
    "\"cgroup\",\n"
    "		 \"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]}\n"
    "	],\n"
    "	\"linux\": {\n"
    "		\"resources\": {\"devices\": [{\"allow\": false, \"access\": \"rwm\"}]},\n"
    "		\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"network\"}, {\"type\": "
    "\"ipc\"},\n"
    "			       {\"type\": \"uts\"}, {\"type\": \"mount\"}, {\"type\": "
    "\"cgroup\"}],\n"
    "		\"maskedPaths\": [\"/proc/acpi\", \"/proc/asound\", \"/proc/kcore\", "
    "\"/proc/keys\",\n"
    "				\"/proc/latency_stats\", \"/proc/timer_list\", "
    "\"/proc/timer_stats\",\n"
    "				\"/proc/sched_debug\", \"/sys/firmware\", \"/proc/scsi\"],\n"
    "		\"readonlyPaths\": [\"/proc/bus\", \"/proc/fs\", \"/proc/irq\", \"/proc/sys\",\n"
    "				  \"/proc/sysrq-trigger\"]\n"
    "	}\n"
    "}\n";

static void test_runc_spec(void **state)
{
	(void)state;
	struct oci_spec *s = parse_ok(runc_spec);
	assert_string_equal(s->oci_version, "1.0.2-dev");
	assert_string_equal(s->root_path, "rootfs");
	assert_true(s->root_readonly);
	assert_string_equal(s->hostname, "runc");
	assert_null(s->domainname);

	struct oci_process *p = s->process;
	assert_non_null(p);
	assert_true(p->terminal);
	assert_false(p->has_console_size);
	assert_string_equal(p->cwd, "/");
	assert_int_equal(strv_len(p->args), 1);
	assert_string_equal(p->args[0], "sh");
	assert_int_equal(strv_len(p->env), 2);
	assert_string_equal(p->env[1], "TERM=xterm");
	assert_int_equal(p->user.uid, 0);
	assert_int_equal(p->user.gid, 0);
	assert_false(p->user.has_umask);
	assert_int_equal(p->user.n_additional_gids, 0);
	assert_true(p->no_new_privileges);
	assert_false(p->has_oom_score_adj);
	assert_true(p->has_caps);
	uint64_t caps = CAP(29) | CAP(5) | CAP(10); /* AUDIT_WRITE, KILL, NET_BIND_SERVICE */
	assert_int_equal(p->caps.bounding, caps);
	assert_int_equal(p->caps.effective, caps);
	assert_int_equal(p->caps.permitted, caps);
	assert_int_equal(p->caps.ambient, caps);
	assert_int_equal(p->caps.inheritable, 0);
	assert_int_equal(p->n_rlimits, 1);
	assert_int_equal(p->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(p->rlimits[0].soft, 1024);
	assert_int_equal(p->rlimits[0].hard, 1024);

	assert_int_equal(s->n_mounts, 7);
	assert_string_equal(s->mounts[0].destination, "/proc");
	assert_string_equal(s->mounts[0].type, "proc");
	assert_string_equal(s->mounts[0].source, "proc");
	assert_int_equal(s->mounts[0].flags, 0);
	assert_null(s->mounts[0].data);
	const struct oci_mount *dev = find_mount(s, "/dev");
	assert_int_equal(dev->flags, MS_NOSUID | MS_STRICTATIME);
	assert_string_equal(dev->data, "mode=755,size=65536k");
	assert_false(dev->bind);
	const struct oci_mount *pts = find_mount(s, "/dev/pts");
	assert_int_equal(pts->flags, MS_NOSUID | MS_NOEXEC);
	assert_string_equal(pts->data, "newinstance,ptmxmode=0666,mode=0620,gid=5");
	const struct oci_mount *cg = find_mount(s, "/sys/fs/cgroup");
	assert_int_equal(cg->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME | MS_RDONLY);
	assert_null(cg->data);
	assert_int_equal(cg->propagation, 0);

	assert_int_equal(s->n_namespaces, 6);
	assert_non_null(oci_spec_namespace(s, CLONE_NEWPID));
	assert_non_null(oci_spec_namespace(s, CLONE_NEWNET));
	assert_non_null(oci_spec_namespace(s, CLONE_NEWIPC));
	assert_non_null(oci_spec_namespace(s, CLONE_NEWUTS));
	assert_non_null(oci_spec_namespace(s, CLONE_NEWNS));
	assert_non_null(oci_spec_namespace(s, CLONE_NEWCGROUP));
	assert_null(oci_spec_namespace(s, CLONE_NEWUSER));
	assert_null(oci_spec_namespace(s, CLONE_NEWTIME));
	assert_null(oci_spec_namespace(s, CLONE_NEWPID)->path);
	assert_int_equal(strv_len(s->masked_paths), 10);
	assert_string_equal(s->masked_paths[9], "/proc/scsi");
	assert_int_equal(strv_len(s->readonly_paths), 5);
	assert_string_equal(s->readonly_paths[4], "/proc/sysrq-trigger");
	assert_non_null(s->resources);
	assert_true(json_is_array(json_object_get(s->resources, "devices")));
	assert_int_equal(s->n_uid_mappings, 0);
	assert_int_equal(s->n_devices, 0);
	assert_int_equal(s->n_sysctl, 0);
	assert_int_equal(s->rootfs_propagation, 0);
	for (int k = 0; k < OCI_HOOK_KINDS; k++)
		assert_int_equal(s->hooks[k].n, 0);
	assert_non_null(s->annotations);
	assert_int_equal(json_object_size(s->annotations), 0);
	assert_non_null(s->raw);
	assert_string_equal(json_string_value(json_object_get(s->raw, "hostname")), "runc");
	oci_spec_free(s);
}

/* `runc spec --rootless`: user namespace with mappings, /sys as an rbind. */
static void test_runc_spec_rootless(void **state)
{
	(void)state;
	json_t *doc = tu_json(runc_spec);
	tu_json_set_path(doc, "linux.namespaces",
			 "[{'type':'pid'},{'type':'ipc'},{'type':'uts'},{'type':'mount'},"
			 "{'type':'cgroup'},{'type':'user'}]");
	tu_json_set_path(doc, "linux.uidMappings", "[{'containerID':0,'hostID':1000,'size':1}]");
	tu_json_set_path(doc, "linux.gidMappings", "[{'containerID':0,'hostID':1000,'size':1}]");
	tu_json_set_path(doc, "mounts[5]",
			 "{'destination':'/sys','type':'none','source':'/sys',"
			 "'options':['rbind','nosuid','noexec','nodev','ro']}");
	tu_json_set_path(doc, "mounts[6]", NULL);
	tu_json_set_path(doc, "linux.resources", NULL);
	char *text = dump(doc);
	struct oci_spec *s = parse_ok(text);
	const struct oci_namespace *user = oci_spec_namespace(s, CLONE_NEWUSER);
	assert_non_null(user);
	assert_null(user->path);
	assert_null(oci_spec_namespace(s, CLONE_NEWNET));
	assert_int_equal(s->n_uid_mappings, 1);
	assert_int_equal(s->uid_mappings[0].container_id, 0);
	assert_int_equal(s->uid_mappings[0].host_id, 1000);
	assert_int_equal(s->uid_mappings[0].size, 1);
	assert_int_equal(s->n_gid_mappings, 1);
	const struct oci_mount *sys = find_mount(s, "/sys");
	assert_true(sys->bind);
	assert_true(sys->recursive_bind);
	assert_string_equal(sys->source, "/sys");
	assert_int_equal(sys->flags, MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY);
	assert_null(sys->data);
	assert_null(s->resources);
	oci_spec_free(s);
	free(text);
	json_decref(doc);
}

/* The document `berth-runtime spec` writes must load. */
static void test_default_spec_roundtrip(void **state)
{
	(void)state;
	for (int rootless = 0; rootless <= 1; rootless++) {
		json_t *doc = oci_spec_default(rootless, 1234, 5678);
		assert_non_null(doc);
		char *text = dump(doc);
		struct oci_spec *s = parse_ok(text);
		assert_string_equal(s->oci_version,
				    json_string_value(json_object_get(doc, "ociVersion")));
		assert_non_null(s->process);
		assert_string_equal(s->process->args[0], "sh");
		assert_true(s->n_mounts >= 6);
		assert_int_equal(oci_spec_namespace(s, CLONE_NEWUSER) != NULL, rootless);
		assert_int_equal(oci_spec_namespace(s, CLONE_NEWNET) != NULL, !rootless);
		if (rootless) {
			assert_int_equal(s->n_uid_mappings, 1);
			assert_int_equal(s->uid_mappings[0].host_id, 1234);
			assert_int_equal(s->gid_mappings[0].host_id, 5678);
		}
		oci_spec_free(s);
		free(text);
		json_decref(doc);
	}
}

static void test_full_config(void **state)
{
	(void)state;
	char *text = tu_jq(full_config);
	struct oci_spec *s = parse_ok(text);
	free(text);

	assert_string_equal(s->oci_version, "1.2.0");
	assert_string_equal(s->root_path, "/var/lib/berth/rootfs");
	assert_false(s->root_readonly);
	assert_string_equal(s->hostname, "box");
	assert_string_equal(s->domainname, "example.org");

	/* process */
	const struct oci_process *p = s->process;
	assert_non_null(p);
	assert_true(p->terminal);
	assert_true(p->has_console_size);
	assert_int_equal(p->console_height, 25);
	assert_int_equal(p->console_width, 132);
	assert_int_equal(p->user.uid, 1000);
	assert_int_equal(p->user.gid, 1001);
	assert_true(p->user.has_umask);
	assert_int_equal(p->user.umask, 022);
	assert_int_equal(p->user.n_additional_gids, 3);
	assert_int_equal(p->user.additional_gids[0], 5);
	assert_int_equal(p->user.additional_gids[1], 10);
	assert_int_equal(p->user.additional_gids[2], 4294967294u);
	assert_int_equal(strv_len(p->args), 3);
	assert_string_equal(p->args[2], "echo hi");
	assert_int_equal(strv_len(p->env), 3);
	assert_string_equal(p->env[1], "EMPTY=");
	assert_string_equal(p->env[2], "A=b=c");
	assert_string_equal(p->cwd, "/home/user");
	assert_true(p->has_caps);
	assert_int_equal(p->caps.bounding, CAP(0) | CAP(5) | CAP(21));
	assert_int_equal(p->caps.effective, CAP(5));
	assert_int_equal(p->caps.inheritable, CAP(7));
	assert_int_equal(p->caps.permitted, CAP(5) | CAP(10));
	assert_int_equal(p->caps.ambient, CAP(10));
	assert_int_equal(p->n_rlimits, 3);
	assert_int_equal(find_rlimit(p, RLIMIT_NOFILE)->soft, 1024);
	assert_int_equal(find_rlimit(p, RLIMIT_NOFILE)->hard, 4096);
	assert_int_equal(find_rlimit(p, RLIMIT_CORE)->soft, 0);
	assert_int_equal(find_rlimit(p, RLIMIT_CORE)->hard, 0);
	assert_int_equal(find_rlimit(p, RLIMIT_AS)->soft, INT64_MAX);
	assert_true(p->no_new_privileges);
	assert_true(p->has_oom_score_adj);
	assert_int_equal(p->oom_score_adj, -500);
	assert_string_equal(p->apparmor_profile, "berth-default");
	assert_string_equal(p->selinux_label, "system_u:system_r:container_t:s0");

	/* mounts: options -> flags, propagation, recursive attributes, data */
	assert_int_equal(s->n_mounts, 4);
	const struct oci_mount *proc = find_mount(s, "/proc");
	assert_int_equal(proc->flags, 0);
	assert_int_equal(proc->propagation, 0);
	assert_false(proc->bind);
	const struct oci_mount *tmp = find_mount(s, "/tmp");
	assert_string_equal(tmp->type, "tmpfs");
	assert_string_equal(tmp->source, "tmpfs");
	assert_int_equal(tmp->flags, MS_NOSUID | MS_RDONLY);
	assert_int_equal(tmp->propagation, MS_SLAVE | MS_REC);
	assert_string_equal(tmp->data, "mode=755,size=64k");
	assert_int_equal(tmp->attr_set, 0);
	assert_int_equal(tmp->attr_clr, 0);
	assert_false(tmp->bind);
	const struct oci_mount *data = find_mount(s, "/data");
	assert_null(data->type);
	assert_string_equal(data->source, "/srv/data");
	assert_true(data->bind);
	assert_true(data->recursive_bind);
	assert_int_equal(data->flags, MS_NODEV);
	assert_int_equal(data->propagation, MS_PRIVATE);
	assert_int_equal(data->attr_set, MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID);
	assert_int_equal(data->attr_clr, 0);
	assert_null(data->data);
	const struct oci_mount *resolv = find_mount(s, "/etc/resolv.conf");
	assert_true(resolv->bind);
	assert_false(resolv->recursive_bind);
	assert_int_equal(resolv->flags, MS_NOEXEC | MS_RELATIME); /* rw cleared ro */
	/* rnoatime then rrelatime: the last atime mode wins, the atime bits are cleared */
	assert_int_equal(resolv->attr_set, MOUNT_ATTR_RELATIME);
	assert_int_equal(resolv->attr_clr, MOUNT_ATTR__ATIME);

	/* hooks: all six kinds */
	const struct oci_hook_list *h = s->hooks;
	assert_int_equal(h[OCI_HOOK_PRESTART].n, 1);
	assert_string_equal(h[OCI_HOOK_PRESTART].hooks[0].path, "/usr/bin/pre");
	assert_int_equal(strv_len(h[OCI_HOOK_PRESTART].hooks[0].args), 2);
	assert_string_equal(h[OCI_HOOK_PRESTART].hooks[0].args[1], "a");
	assert_int_equal(strv_len(h[OCI_HOOK_PRESTART].hooks[0].env), 1);
	assert_string_equal(h[OCI_HOOK_PRESTART].hooks[0].env[0], "X=1");
	assert_int_equal(h[OCI_HOOK_PRESTART].hooks[0].timeout, 5);
	assert_int_equal(h[OCI_HOOK_CREATE_RUNTIME].n, 2);
	assert_string_equal(h[OCI_HOOK_CREATE_RUNTIME].hooks[0].path, "/usr/bin/cr1");
	assert_null(h[OCI_HOOK_CREATE_RUNTIME].hooks[0].args);
	assert_null(h[OCI_HOOK_CREATE_RUNTIME].hooks[0].env);
	assert_int_equal(h[OCI_HOOK_CREATE_RUNTIME].hooks[0].timeout, 0);
	assert_string_equal(h[OCI_HOOK_CREATE_RUNTIME].hooks[1].path, "/usr/bin/cr2");
	assert_int_equal(h[OCI_HOOK_CREATE_RUNTIME].hooks[1].timeout, 1);
	assert_int_equal(h[OCI_HOOK_CREATE_CONTAINER].n, 1);
	assert_string_equal(h[OCI_HOOK_CREATE_CONTAINER].hooks[0].args[0], "cc");
	assert_int_equal(h[OCI_HOOK_START_CONTAINER].n, 1);
	assert_string_equal(h[OCI_HOOK_START_CONTAINER].hooks[0].env[1], "B=2");
	assert_int_equal(h[OCI_HOOK_POSTSTART].n, 1);
	assert_int_equal(h[OCI_HOOK_POSTSTART].hooks[0].timeout, INT32_MAX);
	assert_int_equal(h[OCI_HOOK_POSTSTOP].n, 1);
	assert_string_equal(h[OCI_HOOK_POSTSTOP].hooks[0].path, "/usr/bin/pst");
	assert_string_equal(h[OCI_HOOK_POSTSTOP].hooks[0].args[1], "--flag");
	assert_string_equal(h[OCI_HOOK_POSTSTOP].hooks[0].env[0], "Y=2");
	assert_int_equal(h[OCI_HOOK_POSTSTOP].hooks[0].timeout, 30);

	/* namespaces, with and without path */
	assert_int_equal(s->n_namespaces, 8);
	assert_int_equal(s->namespaces[0].type, CLONE_NEWPID);
	assert_null(s->namespaces[0].path);
	const struct oci_namespace *net = oci_spec_namespace(s, CLONE_NEWNET);
	assert_non_null(net);
	assert_string_equal(net->path, "/proc/1/ns/net");
	assert_non_null(oci_spec_namespace(s, CLONE_NEWUSER));
	assert_non_null(oci_spec_namespace(s, CLONE_NEWTIME));
	assert_null(oci_spec_namespace(s, CLONE_NEWTIME)->path);

	/* id mappings */
	assert_int_equal(s->n_uid_mappings, 1);
	assert_int_equal(s->uid_mappings[0].container_id, 0);
	assert_int_equal(s->uid_mappings[0].host_id, 100000);
	assert_int_equal(s->uid_mappings[0].size, 65536);
	assert_int_equal(s->n_gid_mappings, 2);
	assert_int_equal(s->gid_mappings[1].container_id, 65536);
	assert_int_equal(s->gid_mappings[1].host_id, 1000);
	assert_int_equal(s->gid_mappings[1].size, 1);

	/* devices */
	assert_int_equal(s->n_devices, 4);
	const struct oci_device *d = &s->devices[0];
	assert_string_equal(d->path, "/dev/fuse");
	assert_int_equal(d->type, 'c');
	assert_int_equal(d->major, 10);
	assert_int_equal(d->minor, 229);
	assert_true(d->has_mode);
	assert_int_equal(d->mode, 0666);
	assert_true(d->has_uid);
	assert_int_equal(d->uid, 0);
	assert_true(d->has_gid);
	assert_int_equal(d->gid, 5);
	d = &s->devices[1];
	assert_int_equal(d->type, 'b');
	assert_int_equal(d->major, 7);
	assert_int_equal(d->minor, 0);
	assert_false(d->has_mode);
	assert_false(d->has_uid);
	assert_false(d->has_gid);
	assert_int_equal(s->devices[2].type, 'p');
	assert_int_equal(s->devices[3].type, 'c'); /* 'u' is stored as 'c' */

	/* paths, sysctl, propagation, labels */
	assert_int_equal(strv_len(s->masked_paths), 2);
	assert_string_equal(s->masked_paths[1], "/sys/firmware");
	assert_int_equal(strv_len(s->readonly_paths), 1);
	assert_string_equal(s->readonly_paths[0], "/proc/sys");
	assert_int_equal(s->n_sysctl, 2);
	assert_string_equal(sysctl_get(s, "net.ipv4.ip_forward"), "1");
	assert_string_equal(sysctl_get(s, "kernel.shm_rmid_forced"), "0");
	assert_int_equal(s->rootfs_propagation, MS_SLAVE | MS_REC);
	assert_string_equal(s->cgroups_path, "/berth/test");
	assert_string_equal(s->mount_label, "system_u:object_r:container_file_t:s0");

	/* time offsets */
	assert_true(s->time_monotonic.set);
	assert_int_equal(s->time_monotonic.secs, -3600);
	assert_int_equal(s->time_monotonic.nanosecs, 500);
	assert_true(s->time_boottime.set);
	assert_int_equal(s->time_boottime.secs, 86400);
	assert_int_equal(s->time_boottime.nanosecs, 999999999);

	/* opaque parts */
	assert_non_null(s->resources);
	assert_int_equal(
	    json_integer_value(json_object_get(json_object_get(s->resources, "memory"), "limit")),
	    1048576);
	assert_int_equal(json_object_size(s->annotations), 2);
	assert_string_equal(json_string_value(json_object_get(s->annotations, "org.example.key")),
			    "value");
	assert_string_equal(json_string_value(json_object_get(s->annotations, "empty")), "");
	oci_spec_free(s);
}

/* The smallest valid document: every optional part absent. */
static void test_minimal_config(void **state)
{
	(void)state;
	struct oci_spec *s = parse_ok("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}");
	assert_string_equal(s->root_path, "r");
	assert_false(s->root_readonly);
	assert_null(s->process);
	assert_null(s->hostname);
	assert_int_equal(s->n_mounts, 0);
	assert_int_equal(s->n_namespaces, 0);
	assert_null(s->masked_paths);
	assert_null(s->readonly_paths);
	assert_int_equal(s->rootfs_propagation, 0);
	assert_false(s->time_monotonic.set);
	assert_false(s->time_boottime.set);
	assert_null(s->resources);
	assert_null(s->cgroups_path);
	assert_non_null(s->annotations); /* never NULL */
	assert_true(json_is_object(s->annotations));
	assert_int_equal(json_object_size(s->annotations), 0);
	oci_spec_free(s);
}

/* RLIM_INFINITY as Go encoders write it is above INT64_MAX: the document
 * must still parse, with exact integers everywhere else. */
static void test_rlimit_infinity(void **state)
{
	(void)state;
	struct oci_spec *s = parse_ok(
	    "{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\","
	    "\"args\":[\"sh\"],\"user\":{\"uid\":1000,\"gid\":1001,\"additionalGids\":[5]},"
	    "\"rlimits\":[{\"type\":\"RLIMIT_CORE\",\"soft\":18446744073709551615,"
	    "\"hard\":18446744073709551615},{\"type\":\"RLIMIT_NOFILE\",\"soft\":1024,"
	    "\"hard\":9007199254740993}]}}");
	assert_int_equal(s->process->n_rlimits, 2);
	assert_true(s->process->rlimits[0].soft == UINT64_MAX);
	assert_true(s->process->rlimits[0].hard == UINT64_MAX);
	assert_int_equal(s->process->rlimits[1].soft, 1024);
	assert_int_equal(s->process->user.uid, 1000);
	assert_int_equal(s->process->user.gid, 1001);
	assert_int_equal(s->process->user.additional_gids[0], 5);
	oci_spec_free(s);
}

/* JSON null stands for an absent optional field. */
static void test_null_is_absent(void **state)
{
	(void)state;
	struct oci_spec *s = parse_ok("{\"ociVersion\":\"1.1.0\",\"root\":{\"path\":\"r\","
				      "\"readonly\":null},\"process\":null,\"hostname\":null,"
				      "\"mounts\":null,\"hooks\":null,\"linux\":null,"
				      "\"annotations\":null}");
	assert_null(s->process);
	assert_null(s->hostname);
	assert_false(s->root_readonly);
	assert_non_null(s->annotations);
	oci_spec_free(s);
}

static void test_process_defaults(void **state)
{
	(void)state;
	struct oci_spec *s = parse_ok("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
				      "\"process\":{\"cwd\":\"/\",\"args\":[\"x\"],"
				      "\"user\":{\"uid\":0,\"gid\":0}}}");
	const struct oci_process *p = s->process;
	assert_non_null(p->env); /* empty, not NULL */
	assert_null(p->env[0]);
	assert_false(p->terminal);
	assert_false(p->has_caps);
	assert_false(p->has_console_size);
	assert_false(p->has_oom_score_adj);
	assert_false(p->no_new_privileges);
	assert_int_equal(p->n_rlimits, 0);
	assert_null(p->apparmor_profile);
	oci_spec_free(s);
}

/* Versions the runtime accepts: any 1.0.x to 1.2.x, with suffixes. */
static void test_versions_accepted(void **state)
{
	(void)state;
	const char *ok[] = {"1.0.0", "1.0.2-dev", "1.1.0", "1.2.0", "1.2.1", "1.0", "1.2.0-rc.1"};
	for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
		char *t = NULL;
		assert_true(
		    asprintf(&t, "{\"ociVersion\":\"%s\",\"root\":{\"path\":\"r\"}}", ok[i]) > 0);
		struct oci_spec *s = parse_ok(t);
		assert_string_equal(s->oci_version, ok[i]);
		oci_spec_free(s);
		free(t);
	}
}

static void test_namespace_with_path_only(void **state)
{
	(void)state;
	/* Joining an existing user namespace needs no mappings. */
	struct oci_spec *s = parse_ok("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
				      "\"linux\":{\"namespaces\":[{\"type\":\"user\","
				      "\"path\":\"/proc/42/ns/user\"},{\"type\":\"time\","
				      "\"path\":\"/proc/42/ns/time\"}]}}");
	assert_string_equal(oci_spec_namespace(s, CLONE_NEWUSER)->path, "/proc/42/ns/user");
	assert_string_equal(oci_spec_namespace(s, CLONE_NEWTIME)->path, "/proc/42/ns/time");
	oci_spec_free(s);
}

static void test_rootfs_propagation_values(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		unsigned long flags;
	} v[] = {
	    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
	    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
	    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
	    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		char *t = NULL;
		assert_true(asprintf(&t,
				     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
				     "\"linux\":{\"rootfsPropagation\":\"%s\"}}",
				     v[i].name) > 0);
		struct oci_spec *s = parse_ok(t);
		assert_int_equal(s->rootfs_propagation, v[i].flags);
		oci_spec_free(s);
		free(t);
	}
}

/* A mount of type "bind" is a bind mount with or without an options list. */
static void test_bind_type_without_options(void **state)
{
	(void)state;
	parse_fail("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
		   "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\"}]}",
		   EINVAL, WANT("mounts[0].source", "bind mount", "/x"));
	struct oci_spec *s = parse_ok("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
				      "\"mounts\":[{\"destination\":\"/x\",\"type\":\"bind\","
				      "\"source\":\"/y\"}]}");
	assert_true(s->mounts[0].bind);
	assert_false(s->mounts[0].recursive_bind);
	oci_spec_free(s);
}

/* --------------------------------------------------------- mount options */

static void test_mount_options_each(void **state)
{
	(void)state;
	static const struct {
		const char *opt;
		unsigned long flags, prop;
		uint64_t set, clr;
		bool bind, rbind;
		const char *data;
	} v[] = {
	    {"defaults", 0, 0, 0, 0, false, false, NULL},
	    {"ro", MS_RDONLY, 0, 0, 0, false, false, NULL},
	    {"rw", 0, 0, 0, 0, false, false, NULL},
	    {"nosuid", MS_NOSUID, 0, 0, 0, false, false, NULL},
	    {"nodev", MS_NODEV, 0, 0, 0, false, false, NULL},
	    {"noexec", MS_NOEXEC, 0, 0, 0, false, false, NULL},
	    {"sync", MS_SYNCHRONOUS, 0, 0, 0, false, false, NULL},
	    {"dirsync", MS_DIRSYNC, 0, 0, 0, false, false, NULL},
	    {"remount", MS_REMOUNT, 0, 0, 0, false, false, NULL},
	    {"mand", MS_MANDLOCK, 0, 0, 0, false, false, NULL},
	    {"noatime", MS_NOATIME, 0, 0, 0, false, false, NULL},
	    {"nodiratime", MS_NODIRATIME, 0, 0, 0, false, false, NULL},
	    {"relatime", MS_RELATIME, 0, 0, 0, false, false, NULL},
	    {"strictatime", MS_STRICTATIME, 0, 0, 0, false, false, NULL},
	    {"silent", MS_SILENT, 0, 0, 0, false, false, NULL},
	    {"shared", 0, MS_SHARED, 0, 0, false, false, NULL},
	    {"rshared", 0, MS_SHARED | MS_REC, 0, 0, false, false, NULL},
	    {"slave", 0, MS_SLAVE, 0, 0, false, false, NULL},
	    {"rslave", 0, MS_SLAVE | MS_REC, 0, 0, false, false, NULL},
	    {"private", 0, MS_PRIVATE, 0, 0, false, false, NULL},
	    {"rprivate", 0, MS_PRIVATE | MS_REC, 0, 0, false, false, NULL},
	    {"unbindable", 0, MS_UNBINDABLE, 0, 0, false, false, NULL},
	    {"runbindable", 0, MS_UNBINDABLE | MS_REC, 0, 0, false, false, NULL},
	    {"rro", 0, 0, MOUNT_ATTR_RDONLY, 0, false, false, NULL},
	    {"rrw", 0, 0, 0, MOUNT_ATTR_RDONLY, false, false, NULL},
	    {"rnosuid", 0, 0, MOUNT_ATTR_NOSUID, 0, false, false, NULL},
	    {"rnodev", 0, 0, MOUNT_ATTR_NODEV, 0, false, false, NULL},
	    {"rnoexec", 0, 0, MOUNT_ATTR_NOEXEC, 0, false, false, NULL},
	    {"rexec", 0, 0, 0, MOUNT_ATTR_NOEXEC, false, false, NULL},
	    {"rnoatime", 0, 0, MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME, false, false, NULL},
	    {"rstrictatime", 0, 0, MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME, false, false, NULL},
	    {"rnosymfollow", 0, 0, MOUNT_ATTR_NOSYMFOLLOW, 0, false, false, NULL},
	    {"bind", 0, 0, 0, 0, true, false, NULL},
	    {"rbind", 0, 0, 0, 0, true, true, NULL},
	    {"size=64k", 0, 0, 0, 0, false, false, "size=64k"},
	    {"newinstance", 0, 0, 0, 0, false, false, "newinstance"},
	    {"", 0, 0, 0, 0, false, false, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(v); i++) {
		struct oci_mount m = {0};
		struct berth_error *err = NULL;
		json_t *opts = json_pack("[s]", v[i].opt);
		assert_int_equal(oci_mount_parse_options(opts, "m", &m, &err), 0);
		assert_null(err);
		if (m.flags != v[i].flags || m.propagation != v[i].prop || m.attr_set != v[i].set ||
		    m.attr_clr != v[i].clr || m.bind != v[i].bind || m.recursive_bind != v[i].rbind)
			fail_msg(
			    "option \"%s\": flags %#lx prop %#lx set %#llx clr %#llx bind %d/%d",
			    v[i].opt, m.flags, m.propagation, (unsigned long long)m.attr_set,
			    (unsigned long long)m.attr_clr, m.bind, m.recursive_bind);
		if (v[i].data)
			assert_string_equal(m.data, v[i].data);
		else
			assert_null(m.data);
		free(m.data);
		json_decref(opts);
	}
}

static void test_mount_options_combined(void **state)
{
	(void)state;
	struct oci_mount m = {0};
	struct berth_error *err = NULL;
	json_t *opts = tu_json("['nosuid','ro','mode=755','size=64k','rslave']");
	assert_int_equal(oci_mount_parse_options(opts, "mounts[3]", &m, &err), 0);
	assert_int_equal(m.flags, MS_NOSUID | MS_RDONLY);
	assert_int_equal(m.propagation, MS_SLAVE | MS_REC);
	assert_string_equal(m.data, "mode=755,size=64k");
	json_decref(opts);

	/* A second list replaces data; flags accumulate, later options win. */
	opts = tu_json("['rw','suid','exec','private','uid=1']");
	assert_int_equal(oci_mount_parse_options(opts, "mounts[3]", &m, &err), 0);
	assert_int_equal(m.flags, 0);
	assert_int_equal(m.propagation, MS_PRIVATE);
	assert_string_equal(m.data, "uid=1");
	json_decref(opts);

	/* Non-string option: error names the element, data is not leaked. */
	opts = tu_json("['mode=1', 'size=2', 7]");
	assert_int_equal(oci_mount_parse_options(opts, "mounts[3]", &m, &err), -1);
	tu_assert_msg(err, "mounts[3].options[2]: expected a string, got 7");
	assert_string_equal(m.data, "uid=1"); /* unchanged on failure */
	berth_error_free(&err);
	json_decref(opts);
	free(m.data);

	/* type "bind" makes it a bind mount */
	struct oci_mount b = {.type = (char *)"bind"};
	opts = tu_json("[]");
	assert_int_equal(oci_mount_parse_options(opts, "mounts[0]", &b, &err), 0);
	assert_true(b.bind);
	assert_null(b.data);
	json_decref(opts);
}

/* --------------------------------------------------------------- names */

static void test_names(void **state)
{
	(void)state;
	static const struct {
		const char *name;
		int flag;
	} ns[] = {
	    {"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
	    {"ipc", CLONE_NEWIPC},	 {"uts", CLONE_NEWUTS},	    {"user", CLONE_NEWUSER},
	    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
	};
	for (size_t i = 0; i < ARRAY_SIZE(ns); i++) {
		assert_int_equal(oci_namespace_from_name(ns[i].name), ns[i].flag);
		assert_string_equal(oci_namespace_name(ns[i].flag), ns[i].name);
	}
	assert_int_equal(oci_namespace_from_name("foo"), -1);
	assert_int_equal(oci_namespace_from_name("PID"), -1);
	assert_int_equal(oci_namespace_from_name(""), -1);
	assert_string_equal(oci_namespace_name(0), "unknown");

	static const struct {
		const char *name;
		int res;
	} rl[] = {
	    {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_CORE", RLIMIT_CORE},
	    {"RLIMIT_CPU", RLIMIT_CPU},
	    {"RLIMIT_DATA", RLIMIT_DATA},
	    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	    {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},
	    {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_STACK", RLIMIT_STACK},
	};
	for (size_t i = 0; i < ARRAY_SIZE(rl); i++)
		assert_int_equal(oci_rlimit_from_name(rl[i].name), rl[i].res);
	assert_int_equal(oci_rlimit_from_name("RLIMIT_FOO"), -1);
	assert_int_equal(oci_rlimit_from_name("NOFILE"), -1);
	assert_int_equal(oci_rlimit_from_name("rlimit_nofile"), -1);

	assert_int_equal(oci_cap_from_name("CAP_CHOWN"), 0);
	assert_int_equal(oci_cap_from_name("CAP_KILL"), 5);
	assert_int_equal(oci_cap_from_name("CAP_SYS_ADMIN"), 21);
	assert_int_equal(oci_cap_from_name("CAP_CHECKPOINT_RESTORE"), 40);
	assert_int_equal(oci_cap_from_name("CAP_FOO"), -1);
	assert_int_equal(oci_cap_from_name("CHOWN"), -1);
	assert_int_equal(oci_cap_from_name("CAP_"), -1);
	assert_int_equal(oci_cap_from_name("CAP_37"), -1);
	assert_int_equal(oci_cap_from_name("37"), -1);
	assert_int_equal(oci_cap_from_name(""), -1);
	/* libcap's cap_from_name() stops at the first character that cannot be
	 * part of a name; the whole string must be the name. */
	assert_int_equal(oci_cap_from_name("CAP_CHOWN2"), -1);
	assert_int_equal(oci_cap_from_name("CAP_CHOWN,CAP_KILL"), -1);
	assert_int_equal(oci_cap_from_name("CAP_SYS_ADMIN "), -1);
	assert_int_equal(oci_cap_from_name("CAP_CHOWN=ep"), -1);
	/* ... and every name libcap knows is still accepted */
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		char *n = cap_to_name(c);
		assert_non_null(n);
		if (n[0] >= '0' && n[0] <= '9') { /* newer than libcap: no name */
			cap_free(n);
			continue;
		}
		for (char *q = n; *q; q++)
			*q = (char)toupper((unsigned char)*q);
		if (oci_cap_from_name(n) != c)
			fail_msg("%s: %d, expected %d", n, oci_cap_from_name(n), c);
		cap_free(n);
	}
}

/* --------------------------------------------- process objects of `exec` */

static void test_process_parse_path(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	struct oci_process *p = NULL;
	json_t *obj = tu_json("{'cwd':'/','args':['ls'],'user':{'uid':0,'gid':0},"
			      "'env':['A=1','oops']}");
	assert_int_equal(oci_process_parse(obj, "exec.process", &p, &err), -1);
	assert_null(p);
	tu_assert_msg(err, "exec.process.env[1]: \"oops\" is not of the form KEY=value");
	berth_error_free(&err);
	json_decref(obj);

	obj = tu_json("{'cwd':'/','args':['ls'],'user':{'uid':'root','gid':0}}");
	assert_int_equal(oci_process_parse(obj, "p", &p, &err), -1);
	tu_assert_msg(err, "p.user.uid: expected an integer, got \"root\"");
	berth_error_free(&err);
	json_decref(obj);

	obj = tu_json("{'cwd':'/w','args':['ls','-l'],'user':{'uid':7,'gid':8}}");
	assert_int_equal(oci_process_parse(obj, "p", &p, &err), 0);
	assert_null(err);
	assert_string_equal(p->cwd, "/w");
	assert_string_equal(p->args[1], "-l");
	assert_int_equal(p->user.uid, 7);
	oci_process_free(p);
	oci_process_free(NULL);
	json_decref(obj);
}

/* ------------------------------------------------------------ load from disk */

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	close(fd);
}

static void test_load(void **state)
{
	(void)state;
	char dir[] = "/tmp/berth-test-spec-XXXXXX";
	assert_non_null(mkdtemp(dir));
	char *cfg = NULL;
	assert_true(asprintf(&cfg, "%s/config.json", dir) > 0);
	struct oci_spec *s = NULL;
	struct berth_error *err = NULL;

	/* missing file: errno kept, path named */
	assert_int_equal(oci_spec_load(dir, &s, &err), -1);
	assert_null(s);
	assert_non_null(err);
	assert_int_equal(err->code, ENOENT);
	tu_assert_msg(err, cfg);
	berth_error_free(&err);

	write_file(cfg, runc_spec, strlen(runc_spec));
	assert_int_equal(oci_spec_load(dir, &s, &err), 0);
	assert_null(err);
	assert_string_equal(s->hostname, "runc");
	oci_spec_free(s);
	s = NULL;

	/* a bad document: the message is prefixed with the file */
	const char bad[] = "{\"ociVersion\":\"9.0.0\",\"root\":{\"path\":\"r\"}}";
	write_file(cfg, bad, strlen(bad));
	assert_int_equal(oci_spec_load(dir, &s, &err), -1);
	assert_null(s);
	tu_assert_msg(err, cfg);
	tu_assert_msg(err, "ociVersion: \"9.0.0\" is not supported");
	assert_int_equal(strncmp(err->msg, cfg, strlen(cfg)), 0);
	berth_error_free(&err);

	unlink(cfg);
	rmdir(dir);
	free(cfg);
}

/* ----------------------------------------------- malformed: one field wrong */

/* ------------------------------------------------------------------- main */

int main(void)
{
	static const struct CMUnitTest valid[] = {
	    cmocka_unit_test(test_runc_spec),
	    cmocka_unit_test(test_runc_spec_rootless),
	    cmocka_unit_test(test_default_spec_roundtrip),
	    cmocka_unit_test(test_full_config),
	    cmocka_unit_test(test_minimal_config),
	    cmocka_unit_test(test_rlimit_infinity),
	    cmocka_unit_test(test_null_is_absent),
	    cmocka_unit_test(test_process_defaults),
	    cmocka_unit_test(test_versions_accepted),
	    cmocka_unit_test(test_namespace_with_path_only),
	    cmocka_unit_test(test_rootfs_propagation_values),
	    cmocka_unit_test(test_bind_type_without_options),
	    cmocka_unit_test(test_mount_options_each),
	    cmocka_unit_test(test_mount_options_combined),
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_process_parse_path),
	    cmocka_unit_test(test_load),
	};
	return tu_run("spec-valid", valid, ARRAY_SIZE(valid)) ? 1 : 0;
}
