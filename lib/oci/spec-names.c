/* Name tables of the runtime spec: namespaces, rlimits, capabilities. */
#include "oci/spec.h"

#include <sched.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/capability.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
	const char *name;
	int flag;
} ns_names[] = {
    {"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET}, {"mount", CLONE_NEWNS},
    {"ipc", CLONE_NEWIPC},	 {"uts", CLONE_NEWUTS},	    {"user", CLONE_NEWUSER},
    {"cgroup", CLONE_NEWCGROUP}, {"time", CLONE_NEWTIME},
};

int oci_namespace_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
		if (strcmp(ns_names[i].name, name) == 0)
			return ns_names[i].flag;
	return -1;
}

const char *oci_namespace_name(int flag)
{
	for (size_t i = 0; i < sizeof(ns_names) / sizeof(ns_names[0]); i++)
		if (ns_names[i].flag == flag)
			return ns_names[i].name;
	return "unknown";
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
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

int oci_rlimit_from_name(const char *name)
{
	for (size_t i = 0; i < sizeof(rlimit_names) / sizeof(rlimit_names[0]); i++)
		if (strcmp(rlimit_names[i].name, name) == 0)
			return rlimit_names[i].resource;
	return -1;
}

int oci_cap_from_name(const char *name)
{
	if (strncasecmp(name, "CAP_", 4) != 0)
		return -1;
	cap_value_t v;
	/* libcap knows the names of every capability it was built with; numeric
	 * names ("37") are refused, the spec only has symbolic ones. */
	if (name[4] >= '0' && name[4] <= '9')
		return -1;
	/* cap_from_name() stops at the first character that is not a letter or
	 * '_' and ignores the rest ("CAP_CHOWN2", "CAP_CHOWN,CAP_SYS_ADMIN"):
	 * the whole string must be the name. */
	if (name[strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")] != '\0')
		return -1;
	if (cap_from_name(name, &v) < 0)
		return -1;
	return (int)v;
}
