/* Unit tests of the config.json parser (lib/oci). */
#include "test-util.h"

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

/* ------------------------------------------------------------------ helpers */

static struct oci_spec *parse_ok_len(const char *text, size_t len)
{
	struct oci_spec *s = NULL;
	struct berth_error *err = NULL;
	if (oci_spec_parse(text, len, &s, &err) < 0)
		fail_msg("parse failed: %s", err ? err->msg : "(no error set)");
	assert_null(err);
	assert_non_null(s);
	return s;
}

static struct oci_spec *parse_ok(const char *text)
{
	return parse_ok_len(text, strlen(text));
}

/* Parse, expect failure with `code` (0 = any) and every string of `want`
 * (NULL-terminated) in the message. *out must stay untouched. */
static void parse_fail_len(const char *text, size_t len, int code, const char *const *want)
{
	struct oci_spec *s = NULL;
	struct berth_error *err = NULL;
	int r = oci_spec_parse(text, len, &s, &err);
	if (r == 0) {
		oci_spec_free(s);
		fail_msg("parse succeeded, expected an error containing [%s]", want[0]);
	}
	assert_true(r < 0);
	assert_null(s);
	assert_non_null(err);
	for (size_t i = 0; want[i]; i++)
		tu_assert_msg(err, want[i]);
	if (code && err->code != code)
		fail_msg("error [%s]: code %d, expected %d", err->msg, err->code, code);
	berth_error_free(&err);
}

#define WANT(...) ((const char *const[]){__VA_ARGS__, NULL})

static void parse_fail(const char *text, int code, const char *const *want)
{
	parse_fail_len(text, strlen(text), code, want);
}

static char *dump(json_t *doc)
{
	char *t = json_dumps(doc, JSON_COMPACT);
	assert_non_null(t);
	return t;
}

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

/* Every field the parser knows, with values that are not defaults. */
static const char full_config[] =
    "{"
    "'ociVersion': '1.2.0',"
    "'process': {"
    "  'terminal': true,"
    "  'consoleSize': {'height': 25, 'width': 132},"
    "  'user': {'uid': 1000, 'gid': 1001, 'umask': 18, 'additionalGids': [5, 10, 4294967294]},"
    "  'args': ['/bin/sh', '-c', 'echo hi'],"
    "  'env': ['PATH=/bin', 'EMPTY=', 'A=b=c'],"
    "  'cwd': '/home/user',"
    "  'capabilities': {"
    "    'bounding': ['CAP_CHOWN', 'CAP_KILL', 'CAP_SYS_ADMIN'],"
    "    'effective': ['CAP_KILL'],"
    "    'inheritable': ['CAP_SETUID'],"
    "    'permitted': ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],"
    "    'ambient': ['CAP_NET_BIND_SERVICE']},"
    "  'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 4096},"
    "              {'type': 'RLIMIT_CORE', 'soft': 0, 'hard': 0},"
    "              {'type': 'RLIMIT_AS', 'soft': 9223372036854775807,"
    "               'hard': 9223372036854775807}],"
    "  'noNewPrivileges': true,"
    "  'oomScoreAdj': -500,"
    "  'apparmorProfile': 'berth-default',"
    "  'selinuxLabel': 'system_u:system_r:container_t:s0'"
    "},"
    "'root': {'path': '/var/lib/berth/rootfs', 'readonly': false},"
    "'hostname': 'box',"
    "'domainname': 'example.org',"
    "'mounts': ["
    "  {'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    "  {'destination': '/tmp', 'type': 'tmpfs', 'source': 'tmpfs',"
    "   'options': ['nosuid', 'ro', 'mode=755', 'size=64k', 'rslave']},"
    "  {'destination': '/data', 'source': '/srv/data',"
    "   'options': ['rbind', 'rro', 'rnosuid', 'nodev', 'private']},"
    "  {'destination': '/etc/resolv.conf', 'type': 'bind', 'source': '/etc/resolv.conf',"
    "   'options': ['bind', 'ro', 'rw', 'noexec', 'relatime', 'rnoatime', 'rrelatime']}"
    "],"
    "'hooks': {"
    "  'prestart': [{'path': '/usr/bin/pre', 'args': ['pre', 'a'], 'env': ['X=1'],"
    "                'timeout': 5}],"
    "  'createRuntime': [{'path': '/usr/bin/cr1'}, {'path': '/usr/bin/cr2', 'timeout': 1}],"
    "  'createContainer': [{'path': '/usr/bin/cc', 'args': ['cc']}],"
    "  'startContainer': [{'path': '/usr/bin/sc', 'env': ['A=1', 'B=2']}],"
    "  'poststart': [{'path': '/usr/bin/ps', 'timeout': 2147483647}],"
    "  'poststop': [{'path': '/usr/bin/pst', 'args': ['pst', '--flag'], 'env': ['Y=2'],"
    "                'timeout': 30}]"
    "},"
    "'linux': {"
    "  'namespaces': [{'type': 'pid'}, {'type': 'network', 'path': '/proc/1/ns/net'},"
    "                 {'type': 'mount'}, {'type': 'ipc'}, {'type': 'uts'}, {'type': 'user'},"
    "                 {'type': 'cgroup'}, {'type': 'time'}],"
    "  'uidMappings': [{'containerID': 0, 'hostID': 100000, 'size': 65536}],"
    "  'gidMappings': [{'containerID': 0, 'hostID': 200000, 'size': 65536},"
    "                  {'containerID': 65536, 'hostID': 1000, 'size': 1}],"
    "  'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229,"
    "               'fileMode': 438, 'uid': 0, 'gid': 5},"
    "              {'path': '/dev/loop0', 'type': 'b', 'major': 7, 'minor': 0},"
    "              {'path': '/dev/fifo', 'type': 'p'},"
    "              {'path': '/dev/null2', 'type': 'u', 'major': 1, 'minor': 3}],"
    "  'maskedPaths': ['/proc/kcore', '/sys/firmware'],"
    "  'readonlyPaths': ['/proc/sys'],"
    "  'sysctl': {'net.ipv4.ip_forward': '1', 'kernel.shm_rmid_forced': '0'},"
    "  'rootfsPropagation': 'rslave',"
    "  'cgroupsPath': '/berth/test',"
    "  'mountLabel': 'system_u:object_r:container_file_t:s0',"
    "  'timeOffsets': {'monotonic': {'secs': -3600, 'nanosecs': 500},"
    "                  'boottime': {'secs': 86400, 'nanosecs': 999999999}},"
    "  'resources': {'memory': {'limit': 1048576}, 'pids': {'limit': 100}}"
    "},"
    "'annotations': {'org.example.key': 'value', 'empty': ''}"
    "}";

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

/* The base document of the mutation cases: valid, and touching every part
 * of the parser so that a mutation path always exists. */
static const char base_config[] =
    "{'ociVersion': '1.2.0',"
    " 'root': {'path': 'rootfs', 'readonly': true},"
    " 'hostname': 'box',"
    " 'process': {'cwd': '/', 'args': ['sh'], 'env': ['PATH=/bin'], 'terminal': false,"
    "   'user': {'uid': 0, 'gid': 0, 'umask': 18, 'additionalGids': [1]},"
    "   'rlimits': [{'type': 'RLIMIT_NOFILE', 'soft': 1024, 'hard': 1024}],"
    "   'capabilities': {'bounding': ['CAP_KILL']},"
    "   'consoleSize': {'height': 24, 'width': 80}, 'oomScoreAdj': 0},"
    " 'mounts': [{'destination': '/proc', 'type': 'proc', 'source': 'proc'},"
    "            {'destination': '/data', 'source': '/srv', 'options': ['rbind']}],"
    " 'hooks': {'prestart': [{'path': '/bin/true', 'timeout': 5}]},"
    " 'linux': {'namespaces': [{'type': 'pid'}, {'type': 'mount'}],"
    "   'devices': [{'path': '/dev/fuse', 'type': 'c', 'major': 10, 'minor': 229}],"
    "   'sysctl': {'net.ipv4.ip_forward': '1'},"
    "   'maskedPaths': ['/proc/kcore'], 'readonlyPaths': ['/proc/sys'],"
    "   'rootfsPropagation': 'rprivate', 'cgroupsPath': '/b'},"
    " 'annotations': {'a': 'b'}}";

/* A user namespace with mappings, for the cases that need one. */
#define USERNS_LINUX                                                                               \
	"{'namespaces': [{'type': 'pid'}, {'type': 'user'}],"                                      \
	" 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"                         \
	" 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}"

struct bad_case {
	const char *name;
	const char *path;
	const char *value; /* single-quoted JSON; NULL deletes the member */
	int code;
	const char *want[4]; /* substrings of the message (up to 3); ' stands for " */
};

static const struct bad_case bad_cases[] = {
    /* ociVersion */
    {"ociVersion missing", "ociVersion", NULL, EINVAL, {"ociVersion: required field is missing"}},
    {"ociVersion 2.0.0", "ociVersion", "'2.0.0'", EINVAL, {"ociVersion: '2.0.0' is not supported"}},
    {"ociVersion 1.3.0", "ociVersion", "'1.3.0'", EINVAL, {"ociVersion: '1.3.0' is not supported"}},
    {"ociVersion 0.9.0", "ociVersion", "'0.9.0'", EINVAL, {"ociVersion: '0.9.0' is not supported"}},
    {"ociVersion abc", "ociVersion", "'abc'", EINVAL, {"ociVersion: 'abc' is not a version"}},
    {"ociVersion empty", "ociVersion", "''", EINVAL, {"ociVersion: '' is not a version"}},
    {"ociVersion number", "ociVersion", "1", EINVAL, {"ociVersion: expected a string, got 1"}},
    {"ociVersion real", "ociVersion", "1.2", EINVAL, {"ociVersion: expected a string, got 1.2"}},
    /* root */
    {"root missing", "root", NULL, EINVAL, {"root: required field is missing"}},
    {"root string", "root", "'rootfs'", EINVAL, {"root: expected an object, got 'rootfs'"}},
    {"root.path empty", "root.path", "''", EINVAL, {"root.path: must not be empty"}},
    {"root.path missing", "root.path", NULL, EINVAL, {"root.path: required field is missing"}},
    {"root.path number", "root.path", "7", EINVAL, {"root.path: expected a string, got 7"}},
    {"root.readonly string",
     "root.readonly",
     "'yes'",
     EINVAL,
     {"root.readonly: expected a boolean, got 'yes'"}},
    {"root.readonly number",
     "root.readonly",
     "1",
     EINVAL,
     {"root.readonly: expected a boolean, got 1"}},
    {"hostname array", "hostname", "['a']", EINVAL, {"hostname: expected a string, got an array"}},
    {"domainname object",
     "domainname",
     "{}",
     EINVAL,
     {"domainname: expected a string, got an object"}},
    /* process */
    {"process string", "process", "'sh'", EINVAL, {"process: expected an object, got 'sh'"}},
    {"process.args string",
     "process.args",
     "'sh'",
     EINVAL,
     {"process.args: expected an array, got 'sh'"}},
    {"process.args empty",
     "process.args",
     "[]",
     EINVAL,
     {"process.args: must name a program to run"}},
    {"process.args missing",
     "process.args",
     NULL,
     EINVAL,
     {"process.args: must name a program to run"}},
    {"process.args empty program",
     "process.args",
     "['', 'x']",
     EINVAL,
     {"process.args: must name a program to run"}},
    {"process.args number element",
     "process.args[1]",
     "1",
     EINVAL,
     {"process.args[1]: expected a string, got 1"}},
    {"process.args null element",
     "process.args[1]",
     "null",
     EINVAL,
     {"process.args[1]: expected a string, got null"}},
    {"process.cwd relative",
     "process.cwd",
     "'tmp'",
     EINVAL,
     {"process.cwd: must be an absolute path, got 'tmp'"}},
    {"process.cwd dot",
     "process.cwd",
     "'./'",
     EINVAL,
     {"process.cwd: must be an absolute path, got './'"}},
    {"process.cwd empty",
     "process.cwd",
     "''",
     EINVAL,
     {"process.cwd: must be an absolute path, got ''"}},
    {"process.cwd missing",
     "process.cwd",
     NULL,
     EINVAL,
     {"process.cwd: required field is missing"}},
    {"process.cwd number", "process.cwd", "0", EINVAL, {"process.cwd: expected a string, got 0"}},
    {"process.env without =",
     "process.env[1]",
     "'FOO'",
     EINVAL,
     {"process.env[1]: 'FOO' is not of the form KEY=value"}},
    {"process.env empty key",
     "process.env[0]",
     "'=x'",
     EINVAL,
     {"process.env[0]: '=x' is not of the form KEY=value"}},
    {"process.env empty entry",
     "process.env[0]",
     "''",
     EINVAL,
     {"process.env[0]: '' is not of the form KEY=value"}},
    {"process.env string",
     "process.env",
     "'A=b'",
     EINVAL,
     {"process.env: expected an array, got 'A=b'"}},
    {"process.env object element",
     "process.env[0]",
     "{}",
     EINVAL,
     {"process.env[0]: expected a string, got an object"}},
    {"process.terminal string",
     "process.terminal",
     "'true'",
     EINVAL,
     {"process.terminal: expected a boolean, got 'true'"}},
    {"process.noNewPrivileges number",
     "process.noNewPrivileges",
     "1",
     EINVAL,
     {"process.noNewPrivileges: expected a boolean, got 1"}},
    {"process.oomScoreAdj too big",
     "process.oomScoreAdj",
     "1001",
     ERANGE,
     {"process.oomScoreAdj: 1001 is out of range"}},
    {"process.oomScoreAdj too small",
     "process.oomScoreAdj",
     "-1001",
     ERANGE,
     {"process.oomScoreAdj: -1001 is out of range"}},
    {"process.oomScoreAdj string",
     "process.oomScoreAdj",
     "'5'",
     EINVAL,
     {"process.oomScoreAdj: expected an integer, got '5'"}},
    {"process.apparmorProfile number",
     "process.apparmorProfile",
     "1",
     EINVAL,
     {"process.apparmorProfile: expected a string, got 1"}},
    {"process.selinuxLabel bool",
     "process.selinuxLabel",
     "false",
     EINVAL,
     {"process.selinuxLabel: expected a string, got false"}},
    {"process.consoleSize number",
     "process.consoleSize",
     "80",
     EINVAL,
     {"process.consoleSize: expected an object, got 80"}},
    {"process.consoleSize.height too big",
     "process.consoleSize.height",
     "65536",
     ERANGE,
     {"process.consoleSize.height: 65536 is out of range"}},
    {"process.consoleSize.width negative",
     "process.consoleSize.width",
     "-1",
     ERANGE,
     {"process.consoleSize.width: -1 is out of range"}},
    {"process.consoleSize.width string",
     "process.consoleSize.width",
     "'wide'",
     EINVAL,
     {"process.consoleSize.width: expected an integer, got 'wide'"}},
    /* process.user */
    {"process.user missing",
     "process.user",
     NULL,
     EINVAL,
     {"process.user: required field is missing"}},
    {"process.user string",
     "process.user",
     "'root'",
     EINVAL,
     {"process.user: expected an object, got 'root'"}},
    {"process.user.uid string",
     "process.user.uid",
     "'0'",
     EINVAL,
     {"process.user.uid: expected an integer, got '0'"}},
    {"process.user.uid negative",
     "process.user.uid",
     "-1",
     ERANGE,
     {"process.user.uid: -1 is out of range"}},
    {"process.user.uid huge",
     "process.user.uid",
     "4294967296",
     ERANGE,
     {"process.user.uid: 4294967296 is out of range"}},
    {"process.user.uid -1 as uint32",
     "process.user.uid",
     "4294967295",
     ERANGE,
     {"process.user.uid: 4294967295 is out of range"}},
    {"process.user.uid int64 max",
     "process.user.uid",
     "9223372036854775807",
     ERANGE,
     {"process.user.uid: 9223372036854775807 is out of range"}},
    {"process.user.uid int64 min",
     "process.user.uid",
     "-9223372036854775808",
     ERANGE,
     {"process.user.uid: -9223372036854775808 is out of range"}},
    {"process.user.uid real",
     "process.user.uid",
     "1.5",
     EINVAL,
     {"process.user.uid: expected an integer, got 1.5"}},
    {"process.user.uid exponent",
     "process.user.uid",
     "1e3",
     EINVAL,
     {"process.user.uid: expected an integer, got 1000"}},
    {"process.user.uid bool",
     "process.user.uid",
     "true",
     EINVAL,
     {"process.user.uid: expected an integer, got true"}},
    {"process.user.uid missing",
     "process.user.uid",
     NULL,
     EINVAL,
     {"process.user.uid: required field is missing"}},
    {"process.user.gid object",
     "process.user.gid",
     "{}",
     EINVAL,
     {"process.user.gid: expected an integer, got an object"}},
    {"process.user.gid missing",
     "process.user.gid",
     NULL,
     EINVAL,
     {"process.user.gid: required field is missing"}},
    {"process.user.umask too big",
     "process.user.umask",
     "512",
     ERANGE,
     {"process.user.umask: 512 is out of range"}},
    {"process.user.umask string",
     "process.user.umask",
     "'022'",
     EINVAL,
     {"process.user.umask: expected an integer, got '022'"}},
    {"process.user.additionalGids number",
     "process.user.additionalGids",
     "5",
     EINVAL,
     {"process.user.additionalGids: expected an array, got 5"}},
    {"process.user.additionalGids string element",
     "process.user.additionalGids[1]",
     "'x'",
     EINVAL,
     {"process.user.additionalGids[1]: expected a gid, got 'x'"}},
    {"process.user.additionalGids negative",
     "process.user.additionalGids[0]",
     "-1",
     EINVAL,
     {"process.user.additionalGids[0]: expected a gid, got -1"}},
    {"process.user.additionalGids huge",
     "process.user.additionalGids[0]",
     "4294967295",
     EINVAL,
     {"process.user.additionalGids[0]: expected a gid, got 4294967295"}},
    /* process.rlimits */
    {"process.rlimits object",
     "process.rlimits",
     "{}",
     EINVAL,
     {"process.rlimits: expected an array, got an object"}},
    {"process.rlimits string element",
     "process.rlimits[0]",
     "'RLIMIT_NOFILE'",
     EINVAL,
     {"process.rlimits[0]: expected an object, got 'RLIMIT_NOFILE'"}},
    {"process.rlimits unknown",
     "process.rlimits[0].type",
     "'RLIMIT_FOO'",
     EINVAL,
     {"process.rlimits[0].type: unknown rlimit 'RLIMIT_FOO'"}},
    {"process.rlimits lowercase",
     "process.rlimits[0].type",
     "'rlimit_nofile'",
     EINVAL,
     {"process.rlimits[0].type: unknown rlimit 'rlimit_nofile'"}},
    {"process.rlimits type missing",
     "process.rlimits[0].type",
     NULL,
     EINVAL,
     {"process.rlimits[0].type: required field is missing"}},
    {"process.rlimits soft above hard",
     "process.rlimits[0].soft",
     "2048",
     EINVAL,
     {"process.rlimits[0]: soft limit 2048 is above hard limit 1024"}},
    {"process.rlimits duplicate",
     "process.rlimits[1]",
     "{'type': 'RLIMIT_NOFILE', 'soft': 1, 'hard': 1}",
     EINVAL,
     {"process.rlimits[1].type: rlimit 'RLIMIT_NOFILE' given twice"}},
    {"process.rlimits hard missing",
     "process.rlimits[0].hard",
     NULL,
     EINVAL,
     {"process.rlimits[0]: soft and hard are required"}},
    {"process.rlimits soft missing",
     "process.rlimits[0].soft",
     NULL,
     EINVAL,
     {"process.rlimits[0]: soft and hard are required"}},
    {"process.rlimits soft negative",
     "process.rlimits[0].soft",
     "-1",
     ERANGE,
     {"process.rlimits[0].soft: -1 must not be negative"}},
    {"process.rlimits hard string",
     "process.rlimits[0].hard",
     "'1024'",
     EINVAL,
     {"process.rlimits[0].hard: expected an unsigned integer, got '1024'"}},
    {"process.rlimits hard negative real",
     "process.rlimits[0].hard",
     "-1.5",
     EINVAL,
     {"process.rlimits[0].hard: expected an unsigned integer, got -1.5"}},
    {"process.rlimits hard above uint64",
     "process.rlimits[0].hard",
     "1e20",
     EINVAL,
     {"process.rlimits[0].hard: expected an unsigned integer, got 1e+20"}},
    /* process.capabilities */
    {"process.capabilities array",
     "process.capabilities",
     "['CAP_KILL']",
     EINVAL,
     {"process.capabilities: expected an object, got an array"}},
    {"process.capabilities unknown bounding",
     "process.capabilities.bounding[1]",
     "'CAP_FOO'",
     EINVAL,
     {"process.capabilities.bounding[1]: unknown capability 'CAP_FOO'"}},
    {"process.capabilities unknown effective",
     "process.capabilities.effective",
     "['CAP_KILL', 'SYS_ADMIN']",
     EINVAL,
     {"process.capabilities.effective[1]: unknown capability 'SYS_ADMIN'"}},
    {"process.capabilities number inheritable",
     "process.capabilities.inheritable",
     "[21]",
     EINVAL,
     {"process.capabilities.inheritable[0]: expected a string, got 21"}},
    {"process.capabilities string permitted",
     "process.capabilities.permitted",
     "'CAP_KILL'",
     EINVAL,
     {"process.capabilities.permitted: expected an array, got 'CAP_KILL'"}},
    {"process.capabilities numeric name",
     "process.capabilities.ambient",
     "['CAP_37']",
     EINVAL,
     {"process.capabilities.ambient[0]: unknown capability 'CAP_37'"}},
    {"process.capabilities trailing digit",
     "process.capabilities.ambient",
     "['CAP_CHOWN2']",
     EINVAL,
     {"process.capabilities.ambient[0]: unknown capability 'CAP_CHOWN2'"}},
    {"process.capabilities two in one",
     "process.capabilities.bounding",
     "['CAP_CHOWN,CAP_SYS_ADMIN']",
     EINVAL,
     {"process.capabilities.bounding[0]: unknown capability 'CAP_CHOWN,CAP_SYS_ADMIN'"}},
    /* mounts */
    {"mounts object", "mounts", "{}", EINVAL, {"mounts: expected an array, got an object"}},
    {"mounts string element",
     "mounts[0]",
     "'/proc'",
     EINVAL,
     {"mounts[0]: expected an object, got '/proc'"}},
    {"mounts destination missing",
     "mounts[0].destination",
     NULL,
     EINVAL,
     {"mounts[0].destination: required field is missing"}},
    {"mounts destination relative",
     "mounts[0].destination",
     "'proc'",
     EINVAL,
     {"mounts[0].destination: must be an absolute path, got 'proc'"}},
    {"mounts destination empty",
     "mounts[1].destination",
     "''",
     EINVAL,
     {"mounts[1].destination: must be an absolute path, got ''"}},
    {"mounts destination number",
     "mounts[0].destination",
     "5",
     EINVAL,
     {"mounts[0].destination: expected a string, got 5"}},
    {"mounts non-bind without type",
     "mounts[0].type",
     NULL,
     EINVAL,
     {"mounts[0].type: required for a mount that is not a bind mount", "/proc"}},
    {"mounts type number",
     "mounts[0].type",
     "5",
     EINVAL,
     {"mounts[0].type: expected a string, got 5"}},
    {"mounts bind without source",
     "mounts[1].source",
     NULL,
     EINVAL,
     {"mounts[1].source: required for a bind mount", "/data"}},
    {"mounts bind option without source",
     "mounts[2]",
     "{'destination': '/x', 'type': 'none', 'options': ['ro', 'bind']}",
     EINVAL,
     {"mounts[2].source: required for a bind mount", "/x"}},
    {"mounts source number",
     "mounts[0].source",
     "[]",
     EINVAL,
     {"mounts[0].source: expected a string, got an array"}},
    {"mounts options string",
     "mounts[0].options",
     "'ro'",
     EINVAL,
     {"mounts[0].options: expected an array, got 'ro'"}},
    {"mounts options number element",
     "mounts[1].options",
     "['rbind', 'ro', 5]",
     EINVAL,
     {"mounts[1].options[2]: expected a string, got 5"}},
    {"mounts idmapped", "mounts[0].uidMappings", "[]", ENOTSUP, {"mounts[0]: idmapped mounts"}},
    /* hooks */
    {"hooks array", "hooks", "[]", EINVAL, {"hooks: expected an object, got an array"}},
    {"hooks kind object",
     "hooks.prestart",
     "{}",
     EINVAL,
     {"hooks.prestart: expected an array, got an object"}},
    {"hooks string element",
     "hooks.prestart[0]",
     "'/bin/true'",
     EINVAL,
     {"hooks.prestart[0]: expected an object, got '/bin/true'"}},
    {"hooks path relative",
     "hooks.prestart[0].path",
     "'bin/true'",
     EINVAL,
     {"hooks.prestart[0].path: must be an absolute path, got 'bin/true'"}},
    {"hooks path missing",
     "hooks.prestart[0].path",
     NULL,
     EINVAL,
     {"hooks.prestart[0].path: required field is missing"}},
    {"hooks createRuntime path relative",
     "hooks.createRuntime",
     "[{'path': 'true'}]",
     EINVAL,
     {"hooks.createRuntime[0].path: must be an absolute path, got 'true'"}},
    {"hooks timeout zero",
     "hooks.createContainer",
     "[{'path': '/x', 'timeout': 0}]",
     ERANGE,
     {"hooks.createContainer[0].timeout: 0 is out of range"}},
    {"hooks timeout negative",
     "hooks.startContainer",
     "[{'path': '/x'}, {'path': '/y', 'timeout': -5}]",
     ERANGE,
     {"hooks.startContainer[1].timeout: -5 is out of range"}},
    {"hooks timeout too big",
     "hooks.poststop",
     "[{'path': '/x', 'timeout': 2147483648}]",
     ERANGE,
     {"hooks.poststop[0].timeout: 2147483648 is out of range"}},
    {"hooks timeout string",
     "hooks.poststart",
     "[{'path': '/x', 'timeout': '5'}]",
     EINVAL,
     {"hooks.poststart[0].timeout: expected an integer, got '5'"}},
    {"hooks timeout real",
     "hooks.prestart[0].timeout",
     "1.5",
     EINVAL,
     {"hooks.prestart[0].timeout: expected an integer, got 1.5"}},
    {"hooks args string",
     "hooks.prestart[0].args",
     "'/bin/true'",
     EINVAL,
     {"hooks.prestart[0].args: expected an array, got '/bin/true'"}},
    {"hooks env number element",
     "hooks.poststop",
     "[{'path': '/x', 'env': ['A=1', 2]}]",
     EINVAL,
     {"hooks.poststop[0].env[1]: expected a string, got 2"}},
    /* linux */
    {"linux array", "linux", "[]", EINVAL, {"linux: expected an object, got an array"}},
    {"linux.namespaces object",
     "linux.namespaces",
     "{}",
     EINVAL,
     {"linux.namespaces: expected an array, got an object"}},
    {"linux.namespaces string element",
     "linux.namespaces[0]",
     "'pid'",
     EINVAL,
     {"linux.namespaces[0]: expected an object, got 'pid'"}},
    {"linux.namespaces unknown type",
     "linux.namespaces[0].type",
     "'foo'",
     EINVAL,
     {"linux.namespaces[0].type: unknown namespace type 'foo'"}},
    {"linux.namespaces uppercase type",
     "linux.namespaces[1].type",
     "'MOUNT'",
     EINVAL,
     {"linux.namespaces[1].type: unknown namespace type 'MOUNT'"}},
    {"linux.namespaces type missing",
     "linux.namespaces[0].type",
     NULL,
     EINVAL,
     {"linux.namespaces[0].type: required field is missing"}},
    {"linux.namespaces duplicate",
     "linux.namespaces[2]",
     "{'type': 'pid'}",
     EINVAL,
     {"linux.namespaces[2].type: namespace 'pid' is listed twice"}},
    {"linux.namespaces duplicate with path",
     "linux.namespaces[2]",
     "{'type': 'mount', 'path': '/proc/1/ns/mnt'}",
     EINVAL,
     {"linux.namespaces[2].type: namespace 'mount' is listed twice"}},
    {"linux.namespaces relative path",
     "linux.namespaces[2]",
     "{'type': 'network', 'path': 'proc/1/ns/net'}",
     EINVAL,
     {"linux.namespaces[2].path: must be an absolute path, got 'proc/1/ns/net'"}},
    {"linux.namespaces path number",
     "linux.namespaces[2]",
     "{'type': 'network', 'path': 5}",
     EINVAL,
     {"linux.namespaces[2].path: expected a string, got 5"}},
    {"linux.uidMappings without user ns",
     "linux.uidMappings",
     "[{'containerID': 0, 'hostID': 1000, 'size': 1}]",
     EINVAL,
     {"linux.uidMappings: mappings need a new user namespace"}},
    {"linux.gidMappings without user ns",
     "linux.gidMappings",
     "[{'containerID': 0, 'hostID': 1000, 'size': 1}]",
     EINVAL,
     {"mappings need a new user namespace"}},
    {"linux.uidMappings with joined user ns",
     "linux",
     "{'namespaces': [{'type': 'user', 'path': '/proc/1/ns/user'}],"
     " 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}],"
     " 'gidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}",
     EINVAL,
     {"linux.uidMappings: mappings need a new user namespace"}},
    {"linux user ns without mappings",
     "linux.namespaces[2]",
     "{'type': 'user'}",
     EINVAL,
     {"linux.namespaces: a new user namespace needs both linux.uidMappings and "
      "linux.gidMappings"}},
    {"linux user ns without gidMappings",
     "linux",
     "{'namespaces': [{'type': 'user'}],"
     " 'uidMappings': [{'containerID': 0, 'hostID': 1000, 'size': 1}]}",
     EINVAL,
     {"linux.namespaces: a new user namespace needs both"}},
    {"linux.uidMappings string",
     "linux.uidMappings",
     "'0 1000 1'",
     EINVAL,
     {"linux.uidMappings: expected an array, got '0 1000 1'"}},
    {"linux.uidMappings number element",
     "linux.uidMappings",
     "[5]",
     EINVAL,
     {"linux.uidMappings[0]: expected an object, got 5"}},
    {"linux.gidMappings size zero",
     "linux.gidMappings",
     "[{'containerID': 0, 'hostID': 1000, 'size': 0}]",
     ERANGE,
     {"linux.gidMappings[0].size: 0 is out of range"}},
    {"linux.uidMappings hostID missing",
     "linux.uidMappings",
     "[{'containerID': 0, 'size': 1}]",
     EINVAL,
     {"linux.uidMappings[0]: containerID, hostID and size are required"}},
    {"linux.uidMappings hostID negative",
     "linux.uidMappings",
     "[{'containerID': 0, 'hostID': -1, 'size': 1}]",
     ERANGE,
     {"linux.uidMappings[0].hostID: -1 is out of range"}},
    {"linux.uidMappings containerID huge",
     "linux.uidMappings",
     "[{'containerID': 4294967296, 'hostID': 1, 'size': 1}]",
     ERANGE,
     {"linux.uidMappings[0].containerID: 4294967296 is out of range"}},
    {"linux.devices bad type",
     "linux.devices[0].type",
     "'x'",
     EINVAL,
     {"linux.devices[0].type: unknown device type 'x'"}},
    {"linux.devices long type",
     "linux.devices[0].type",
     "'char'",
     EINVAL,
     {"linux.devices[0].type: unknown device type 'char'"}},
    {"linux.devices type missing",
     "linux.devices[0].type",
     NULL,
     EINVAL,
     {"linux.devices[0].type: required field is missing"}},
    {"linux.devices major missing",
     "linux.devices[0].major",
     NULL,
     EINVAL,
     {"linux.devices[0]: major and minor are required for /dev/fuse"}},
    {"linux.devices minor missing",
     "linux.devices[0].minor",
     NULL,
     EINVAL,
     {"linux.devices[0]: major and minor are required for /dev/fuse"}},
    {"linux.devices major string",
     "linux.devices[0].major",
     "'ten'",
     EINVAL,
     {"linux.devices[0].major: expected an integer, got 'ten'"}},
    {"linux.devices major negative",
     "linux.devices[0].major",
     "-1",
     ERANGE,
     {"linux.devices[0].major: -1 is out of range"}},
    {"linux.devices path relative",
     "linux.devices[0].path",
     "'dev/fuse'",
     EINVAL,
     {"linux.devices[0].path: must be an absolute path, got 'dev/fuse'"}},
    {"linux.devices path missing",
     "linux.devices[0].path",
     NULL,
     EINVAL,
     {"linux.devices[0].path: required field is missing"}},
    {"linux.devices fileMode too big",
     "linux.devices[0].fileMode",
     "4096",
     ERANGE,
     {"linux.devices[0].fileMode: 4096 is out of range"}},
    {"linux.devices uid -1",
     "linux.devices[0].uid",
     "4294967295",
     ERANGE,
     {"linux.devices[0].uid: 4294967295 is out of range"}},
    {"linux.devices number element",
     "linux.devices[0]",
     "1",
     EINVAL,
     {"linux.devices[0]: expected an object, got 1"}},
    {"linux.sysctl value number",
     "linux.sysctl",
     "{'kernel.x': 1}",
     EINVAL,
     {"linux.sysctl.kernel.x: expected a string, got 1"}},
    {"linux.sysctl value bool",
     "linux.sysctl",
     "{'kernel.x': true}",
     EINVAL,
     {"linux.sysctl.kernel.x: expected a string, got true"}},
    {"linux.sysctl key dotdot",
     "linux.sysctl",
     "{'net..ipv4': '1'}",
     EINVAL,
     {"linux.sysctl: invalid key 'net..ipv4'"}},
    {"linux.sysctl key traversal",
     "linux.sysctl",
     "{'../../etc/passwd': '1'}",
     EINVAL,
     {"linux.sysctl: invalid key '../../etc/passwd'"}},
    {"linux.sysctl key absolute",
     "linux.sysctl",
     "{'/proc/sys/kernel/x': '1'}",
     EINVAL,
     {"linux.sysctl: invalid key '/proc/sys/kernel/x'"}},
    {"linux.sysctl key leading dot",
     "linux.sysctl",
     "{'.x': '1'}",
     EINVAL,
     {"linux.sysctl: invalid key '.x'"}},
    {"linux.sysctl key empty",
     "linux.sysctl",
     "{'': '1'}",
     EINVAL,
     {"linux.sysctl: invalid key ''"}},
    {"linux.sysctl array",
     "linux.sysctl",
     "['a=1']",
     EINVAL,
     {"linux.sysctl: expected an object, got an array"}},
    {"linux.rootfsPropagation unknown",
     "linux.rootfsPropagation",
     "'weird'",
     EINVAL,
     {"linux.rootfsPropagation: unknown value 'weird'"}},
    {"linux.rootfsPropagation uppercase",
     "linux.rootfsPropagation",
     "'RSLAVE'",
     EINVAL,
     {"linux.rootfsPropagation: unknown value 'RSLAVE'"}},
    {"linux.rootfsPropagation number",
     "linux.rootfsPropagation",
     "1",
     EINVAL,
     {"linux.rootfsPropagation: expected a string, got 1"}},
    {"linux.maskedPaths string",
     "linux.maskedPaths",
     "'/proc'",
     EINVAL,
     {"linux.maskedPaths: expected an array, got '/proc'"}},
    {"linux.readonlyPaths number element",
     "linux.readonlyPaths[1]",
     "1",
     EINVAL,
     {"linux.readonlyPaths[1]: expected a string, got 1"}},
    {"linux.cgroupsPath number",
     "linux.cgroupsPath",
     "5",
     EINVAL,
     {"linux.cgroupsPath: expected a string, got 5"}},
    {"linux.mountLabel array",
     "linux.mountLabel",
     "[]",
     EINVAL,
     {"linux.mountLabel: expected a string, got an array"}},
    {"linux.resources string",
     "linux.resources",
     "'x'",
     EINVAL,
     {"linux.resources: expected an object, got 'x'"}},
    {"linux.timeOffsets without time ns",
     "linux.timeOffsets",
     "{'monotonic': {'secs': 1, 'nanosecs': 0}}",
     EINVAL,
     {"linux.timeOffsets: offsets need a new time namespace"}},
    {"linux.timeOffsets number",
     "linux.timeOffsets",
     "5",
     EINVAL,
     {"linux.timeOffsets: expected an object, got 5"}},
    {"linux.timeOffsets nanosecs too big",
     "linux.timeOffsets",
     "{'boottime': {'secs': 0, 'nanosecs': 1000000000}}",
     ERANGE,
     {"linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range"}},
    {"linux.timeOffsets secs string",
     "linux.timeOffsets",
     "{'monotonic': {'secs': '1'}}",
     EINVAL,
     {"linux.timeOffsets.monotonic.secs: expected an integer, got '1'"}},
    {"linux.timeOffsets entry number",
     "linux.timeOffsets",
     "{'monotonic': 5}",
     EINVAL,
     {"linux.timeOffsets.monotonic: expected an object, got 5"}},
    /* annotations */
    {"annotations number value",
     "annotations.a",
     "1",
     EINVAL,
     {"annotations.a: expected a string, got 1"}},
    {"annotations object value",
     "annotations.b",
     "{'c': 'd'}",
     EINVAL,
     {"annotations.b: expected a string, got an object"}},
    {"annotations null value",
     "annotations.a",
     "null",
     EINVAL,
     {"annotations.a: expected a string, got null"}},
    {"annotations array",
     "annotations",
     "['a=b']",
     EINVAL,
     {"annotations: expected an object, got an array"}},
    {"annotations string",
     "annotations",
     "'a=b'",
     EINVAL,
     {"annotations: expected an object, got 'a=b'"}},
};

/* The base document parses, and the test path helper works: the malformed
 * cases fail because of their mutation and nothing else. */
static void test_base_config(void **state)
{
	(void)state;
	json_t *doc = tu_json(base_config);
	char *text = dump(doc);
	struct oci_spec *s = parse_ok(text);
	assert_int_equal(s->n_mounts, 2);
	assert_int_equal(s->process->n_rlimits, 1);
	oci_spec_free(s);
	free(text);

	/* the user namespace block used by the cases is valid */
	tu_json_set_path(doc, "linux", USERNS_LINUX);
	text = dump(doc);
	s = parse_ok(text);
	assert_int_equal(s->n_uid_mappings, 1);
	oci_spec_free(s);
	free(text);
	json_decref(doc);
}

static void test_bad_case(void **state)
{
	const struct bad_case *c = *state;
	json_t *doc = tu_json(base_config);
	tu_json_set_path(doc, c->path, c->value);
	char *text = dump(doc);
	char *want[4] = {NULL, NULL, NULL, NULL};
	for (size_t i = 0; i < 3 && c->want[i]; i++)
		want[i] = tu_jq(c->want[i]);
	parse_fail(text, c->code, (const char *const *)want);
	for (size_t i = 0; i < 3; i++)
		free(want[i]);
	free(text);
	json_decref(doc);
}

/* ------------------------------------- malformed and hostile whole documents */

struct raw_case {
	const char *name;
	const char *text;
	size_t len; /* the literal's size: inputs may hold NUL bytes */
	const char *want[4];
};

#define RAW(s) s, sizeof(s) - 1

static const struct raw_case raw_cases[] = {
    {"not JSON", RAW("this is not json"), {"invalid JSON at line 1", "'this'"}},
    {"empty input", RAW(""), {"invalid JSON"}},
    {"whitespace only", RAW(" \n\t "), {"invalid JSON"}},
    {"top-level array",
     RAW("[{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}]"),
     {"the document must be a JSON object, got an array"}},
    {"top-level string", RAW("\"1.0.0\""), {"invalid JSON", "'\"1.0.0\"'"}},
    {"top-level number", RAW("42"), {"invalid JSON", "'42'"}},
    {"top-level null", RAW("null"), {"invalid JSON", "'null'"}},
    {"truncated document",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"ro"),
     {"invalid JSON at line 1", "premature end of input"}},
    {"unclosed object",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}"),
     {"invalid JSON"}},
    {"trailing garbage",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}} x"),
     {"invalid JSON", "end of file expected"}},
    {"two documents", RAW("{}{}"), {"invalid JSON", "end of file expected"}},
    {"trailing comma", RAW("{\"ociVersion\":\"1.0.0\",}"), {"invalid JSON"}},
    {"single quotes", RAW("{'ociVersion':'1.0.0'}"), {"invalid JSON"}},
    {"comment", RAW("{/* */\"ociVersion\":\"1.0.0\"}"), {"invalid JSON"}},
    {"duplicate top-level key",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"ociVersion\":\"1.2.0\"}"),
     {"invalid JSON", "duplicate object key", "ociVersion"}},
    {"duplicate nested key",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\",\"path\":\"/evil\"}}"),
     {"duplicate object key", "path"}},
    {"duplicate user key",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\","
	 "\"args\":[\"sh\"],\"user\":{\"uid\":1000,\"uid\":0,\"gid\":0}}}"),
     {"duplicate object key", "uid"}},
    {"duplicate sysctl key",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"linux\":{\"sysctl\":"
	 "{\"kernel.x\":\"1\",\"kernel.x\":\"2\"}}}"),
     {"duplicate object key", "kernel.x"}},
    {"escaped NUL in value",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"hostname\":\"a\\u0000b\"}"),
     {"invalid JSON", "\\u0000"}},
    {"escaped NUL in path",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\\u0000/../evil\"}}"),
     {"invalid JSON", "\\u0000"}},
    {"escaped NUL in key",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
	 "\"annotations\":{\"a\\u0000b\":\"c\"}}"),
     {"invalid JSON", "NUL byte in object key"}},
    {"raw NUL byte in string",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\0x\"}}"),
     {"invalid JSON"}},
    {"raw NUL byte after document",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}\0"),
     {"invalid JSON"}},
    {"invalid UTF-8",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\xff\xfe\"}}"),
     {"invalid JSON", "0xff"}},
    {"lone surrogate",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"\\ud800\"}}"),
     {"invalid JSON", "\\uD800"}},
    {"control character",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"a\x01"
	 "b\"}}"),
     {"invalid JSON", "control character 0x1"}},
    {"raw newline in string",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"a\nb\"}}"),
     {"invalid JSON", "unexpected newline"}},
    {"integer overflow",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\","
	 "\"args\":[\"sh\"],\"user\":{\"uid\":99999999999999999999,\"gid\":0}}}"),
     {"process.user.uid", "expected an integer", "1e+20"}},
    {"real overflow",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"process\":{\"cwd\":\"/\","
	 "\"args\":[\"sh\"],\"user\":{\"uid\":1e400,\"gid\":0}}}"),
     {"invalid JSON", "1e400"}},
    {"bare NaN",
     RAW("{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},\"x\":NaN}"),
     {"invalid JSON"}},
};

static void test_raw_case(void **state)
{
	const struct raw_case *c = *state;
	parse_fail_len(c->text, c->len, EINVAL, c->want);
}

/* Every proper prefix of a valid document is rejected as invalid JSON. */
static void test_every_truncation(void **state)
{
	(void)state;
	char *text = tu_jq(full_config);
	size_t len = strlen(text);
	for (size_t n = 0; n < len; n++) {
		struct oci_spec *s = NULL;
		struct berth_error *err = NULL;
		if (oci_spec_parse(text, n, &s, &err) == 0)
			fail_msg("prefix of %zu bytes parsed", n);
		assert_null(s);
		tu_assert_msg(err, "invalid JSON");
		berth_error_free(&err);
	}
	oci_spec_free(parse_ok_len(text, len));
	free(text);
}

/* A NULL err is allowed: failure is still reported, nothing leaks. */
static void test_null_err(void **state)
{
	(void)state;
	struct oci_spec *s = NULL;
	assert_int_equal(oci_spec_parse("[]", 2, &s, NULL), -1);
	assert_int_equal(oci_spec_parse("{", 1, &s, NULL), -1);
	assert_int_equal(oci_spec_parse("{\"ociVersion\":\"7\"}", 18, &s, NULL), -1);
	assert_null(s);
	oci_spec_free(NULL);
}

/* The parser is not told where the buffer ends by a NUL. */
static void test_length_is_honoured(void **state)
{
	(void)state;
	const char text[] = "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"}}GARBAGE";
	struct oci_spec *s = parse_ok_len(text, strlen(text) - strlen("GARBAGE"));
	assert_string_equal(s->root_path, "r");
	oci_spec_free(s);
}

static char *repeat(const char *unit, size_t n)
{
	size_t ul = strlen(unit);
	char *r = malloc(ul * n + 1);
	assert_non_null(r);
	for (size_t i = 0; i < n; i++)
		memcpy(r + i * ul, unit, ul);
	r[ul * n] = '\0';
	return r;
}

static char *with_annotation_value(const char *value)
{
	char *t = NULL;
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			     "\"annotations\":{\"deep\":%s}}",
			     value) > 0);
	return t;
}

static void test_deep_nesting(void **state)
{
	(void)state;
	/* far beyond the parser's depth limit: rejected, no stack overflow */
	static const size_t depths[] = {5000, 100000, 1000000};
	for (size_t i = 0; i < ARRAY_SIZE(depths); i++) {
		char *open = repeat("[", depths[i]);
		char *t = with_annotation_value(open);
		parse_fail(t, EINVAL, WANT("invalid JSON", "maximum parsing depth"));
		free(t);
		free(open);

		open = repeat("{\"a\":", depths[i]);
		t = with_annotation_value(open);
		parse_fail(t, EINVAL, WANT("invalid JSON"));
		free(t);
		free(open);
	}
	/* a whole document of nothing but brackets */
	char *open = repeat("[", 1000000);
	parse_fail(open, EINVAL, WANT("invalid JSON"));
	free(open);

	/* deep but within the limit: loaded, then refused where a string belongs */
	char *o = repeat("[", 1000), *c = repeat("]", 1000);
	char *v = NULL;
	assert_true(asprintf(&v, "%s%s", o, c) > 0);
	char *t = with_annotation_value(v);
	parse_fail(t, EINVAL, WANT("annotations.deep: expected a string, got an array"));
	free(t);

	/* ... and kept as is where the value is opaque */
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			     "\"linux\":{\"resources\":{\"x\":%s}}}",
			     v) > 0);
	struct oci_spec *s = parse_ok(t);
	assert_true(json_is_array(json_object_get(s->resources, "x")));
	oci_spec_free(s);
	free(t);
	free(v);
	free(o);
	free(c);
}

static void test_long_strings(void **state)
{
	(void)state;
	const size_t big = 1 << 20;
	char *name = repeat("a", big);
	char *t = NULL;

	/* accepted where any string is fine */
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"%s\"},"
			     "\"hostname\":\"%s\",\"annotations\":{\"%s\":\"%s\"}}",
			     name, name, name, name) > 0);
	struct oci_spec *s = parse_ok(t);
	assert_int_equal(strlen(s->hostname), big);
	assert_int_equal(strlen(s->root_path), big);
	assert_int_equal(json_object_size(s->annotations), 1);
	oci_spec_free(s);
	free(t);

	/* a long bad value: named, the message is complete */
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			     "\"process\":{\"cwd\":\"%s\",\"args\":[\"sh\"],"
			     "\"user\":{\"uid\":0,\"gid\":0}}}",
			     name) > 0);
	parse_fail(t, EINVAL, WANT("process.cwd: must be an absolute path, got \"aaaa"));
	free(t);

	/* a long value in a type error is shortened */
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			     "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],"
			     "\"user\":{\"uid\":\"%s\",\"gid\":0}}}",
			     name) > 0);
	struct berth_error *err = NULL;
	assert_int_equal(oci_spec_parse(t, strlen(t), &s, &err), -1);
	tu_assert_msg(err, "process.user.uid: expected an integer, got \"aaa");
	tu_assert_msg(err, "...\"");
	assert_true(strlen(err->msg) < 200);
	berth_error_free(&err);
	free(t);

	/* ... without cutting a character in two: the message stays valid UTF-8 */
	char *wide = repeat("\xc3\xa9", 100);
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			     "\"process\":{\"cwd\":\"/\",\"args\":[\"sh\"],"
			     "\"user\":{\"uid\":\"a%s\",\"gid\":0}}}",
			     wide) > 0);
	assert_int_equal(oci_spec_parse(t, strlen(t), &s, &err), -1);
	tu_assert_msg(err, "process.user.uid: expected an integer, got \"a\xc3\xa9");
	json_t *utf8 = json_string(err->msg);
	if (utf8 == NULL)
		fail_msg("message is not valid UTF-8: %s", err->msg);
	json_decref(utf8);
	berth_error_free(&err);
	free(t);
	free(wide);

	/* a long unknown name */
	assert_true(asprintf(&t,
			     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
			     "\"linux\":{\"namespaces\":[{\"type\":\"%s\"}]}}",
			     name) > 0);
	parse_fail(t, EINVAL, WANT("linux.namespaces[0].type: unknown namespace type \"aaa"));
	free(t);

	/* a long version string */
	assert_true(asprintf(&t, "{\"ociVersion\":\"1.%s\",\"root\":{\"path\":\"r\"}}", name) > 0);
	parse_fail(t, EINVAL, WANT("ociVersion: \"1.aaa"));
	free(t);
	free(name);
}

/* Many elements: no quadratic blow-up that would time the test out, every
 * element kept. */
static void test_many_elements(void **state)
{
	(void)state;
	const size_t n = 20000;
	char *args = repeat("\"x\",", n);
	args[strlen(args) - 1] = '\0';
	char *mounts =
	    repeat("{\"destination\":\"/m\",\"type\":\"tmpfs\",\"options\":[\"ro\"]},", n);
	mounts[strlen(mounts) - 1] = '\0';
	char *t = NULL;
	assert_true(
	    asprintf(&t,
		     "{\"ociVersion\":\"1.0.0\",\"root\":{\"path\":\"r\"},"
		     "\"process\":{\"cwd\":\"/\",\"args\":[%s],\"user\":{\"uid\":0,\"gid\":0}},"
		     "\"mounts\":[%s]}",
		     args, mounts) > 0);
	struct oci_spec *s = parse_ok(t);
	assert_int_equal(strv_len(s->process->args), n);
	assert_int_equal(s->n_mounts, n);
	assert_int_equal(s->mounts[n - 1].flags, MS_RDONLY);
	oci_spec_free(s);
	free(t);
	free(args);
	free(mounts);
}

/* An error in a late element frees everything parsed before it (checked by
 * valgrind / ASan), and names the index. */
static void test_error_after_partial_parse(void **state)
{
	(void)state;
	json_t *doc = tu_json(full_config);
	tu_json_set_path(doc, "annotations.bad", "[1]");
	char *t = dump(doc);
	parse_fail(t, EINVAL, WANT("annotations.bad: expected a string, got an array"));
	free(t);

	json_decref(doc);
	doc = tu_json(full_config);
	tu_json_set_path(doc, "hooks.poststop[1]", "{'path': 'relative'}");
	t = dump(doc);
	parse_fail(t, EINVAL,
		   WANT("hooks.poststop[1].path: must be an absolute path, got \"relative\""));
	free(t);

	json_decref(doc);
	doc = tu_json(full_config);
	tu_json_set_path(doc, "linux.devices[4]", "{'path': '/dev/z', 'type': 'z'}");
	t = dump(doc);
	parse_fail(t, EINVAL, WANT("linux.devices[4].type: unknown device type \"z\""));
	free(t);

	json_decref(doc);
	doc = tu_json(full_config);
	tu_json_set_path(doc, "mounts[4]", "{'destination': '/m', 'options': ['rbind', 'x=1']}");
	t = dump(doc);
	parse_fail(t, EINVAL, WANT("mounts[4].source: required for a bind mount"));
	free(t);
	json_decref(doc);
}

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
	    cmocka_unit_test(test_base_config),
	};
	static const struct CMUnitTest hostile[] = {
	    cmocka_unit_test(test_every_truncation),
	    cmocka_unit_test(test_null_err),
	    cmocka_unit_test(test_length_is_honoured),
	    cmocka_unit_test(test_deep_nesting),
	    cmocka_unit_test(test_long_strings),
	    cmocka_unit_test(test_many_elements),
	    cmocka_unit_test(test_error_after_partial_parse),
	};
	struct CMUnitTest bad[ARRAY_SIZE(bad_cases)];
	for (size_t i = 0; i < ARRAY_SIZE(bad_cases); i++)
		bad[i] = (struct CMUnitTest){.name = bad_cases[i].name,
					     .test_func = test_bad_case,
					     .initial_state = (void *)&bad_cases[i]};
	struct CMUnitTest raw[ARRAY_SIZE(raw_cases)];
	for (size_t i = 0; i < ARRAY_SIZE(raw_cases); i++)
		raw[i] = (struct CMUnitTest){.name = raw_cases[i].name,
					     .test_func = test_raw_case,
					     .initial_state = (void *)&raw_cases[i]};

	int failed = 0;
	failed += tu_run("spec-valid", valid, ARRAY_SIZE(valid));
	failed += tu_run("spec-malformed-field", bad, ARRAY_SIZE(bad));
	failed += tu_run("spec-malformed-document", raw, ARRAY_SIZE(raw));
	failed += tu_run("spec-hostile", hostile, ARRAY_SIZE(hostile));
	return failed ? 1 : 0;
}
