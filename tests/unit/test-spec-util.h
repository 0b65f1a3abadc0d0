/* Parse helpers shared by the config.json unit tests. */
#ifndef BERTH_TEST_SPEC_UTIL_H
#define BERTH_TEST_SPEC_UTIL_H

#include "test-util.h"

#include "oci/spec.h"

#include <string.h>

static inline struct oci_spec *parse_ok_len(const char *text, size_t len)
{
	struct oci_spec *s = NULL;
	struct berth_error *err = NULL;
	if (oci_spec_parse(text, len, &s, &err) < 0)
		fail_msg("parse failed: %s", err ? err->msg : "(no error set)");
	assert_null(err);
	assert_non_null(s);
	return s;
}

static inline struct oci_spec *parse_ok(const char *text)
{
	return parse_ok_len(text, strlen(text));
}

/* Parse, expect failure with `code` (0 = any) and every string of `want`
 * (NULL-terminated) in the message. *out must stay untouched. */
static inline void parse_fail_len(const char *text, size_t len, int code, const char *const *want)
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

static inline void parse_fail(const char *text, int code, const char *const *want)
{
	parse_fail_len(text, strlen(text), code, want);
}

static inline char *dump(json_t *doc)
{
	char *t = json_dumps(doc, JSON_COMPACT);
	assert_non_null(t);
	return t;
}

/* Every field the parser knows, with values that are not defaults. */
__attribute__((unused)) static const char full_config[] =
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

#endif
