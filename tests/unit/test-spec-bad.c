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

	static const struct CMUnitTest base[] = {
	    cmocka_unit_test(test_base_config),
	};
	int failed = 0;
	failed += tu_run("spec-base", base, ARRAY_SIZE(base));
	failed += tu_run("spec-malformed-field", bad, ARRAY_SIZE(bad));
	failed += tu_run("spec-malformed-document", raw, ARRAY_SIZE(raw));
	failed += tu_run("spec-hostile", hostile, ARRAY_SIZE(hostile));
	return failed ? 1 : 0;
}
