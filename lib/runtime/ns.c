#include "runtime/ns.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

/* setns order: user first (it owns the others), mount last (it changes /). */
static const int join_order[] = {CLONE_NEWUSER, CLONE_NEWIPC,	 CLONE_NEWUTS,	CLONE_NEWNET,
				 CLONE_NEWPID,	CLONE_NEWCGROUP, CLONE_NEWTIME, CLONE_NEWNS};

int ns_open_paths(const struct oci_spec *spec, int *fds, struct berth_error **err)
{
	for (size_t i = 0; i < spec->n_namespaces; i++) {
		fds[i] = -1;
		const struct oci_namespace *ns = &spec->namespaces[i];
		if (ns->path == NULL)
			continue;
		fds[i] = open(ns->path, O_RDONLY | O_CLOEXEC);
		if (fds[i] < 0) {
			berth_error_errno(err, "linux.namespaces[%zu]: open %s namespace %s", i,
					  oci_namespace_name(ns->type), ns->path);
			for (size_t j = 0; j < i; j++)
				if (fds[j] >= 0)
					close(fds[j]);
			return -1;
		}
	}
	return 0;
}

int ns_join(const struct oci_namespace *nss, size_t n, const int *fds, struct berth_error **err)
{
	for (size_t o = 0; o < sizeof(join_order) / sizeof(join_order[0]); o++) {
		for (size_t i = 0; i < n; i++) {
			const struct oci_namespace *ns = &nss[i];
			if (ns->type != join_order[o] || fds[i] < 0)
				continue;
			if (setns(fds[i], ns->type) < 0)
				return berth_error_errno(err, "join %s namespace %s",
							 oci_namespace_name(ns->type),
							 ns->path ? ns->path : "");
		}
	}
	return 0;
}

const char *ns_proc_name(int flag)
{
	switch (flag) {
	case CLONE_NEWNS:
		return "mnt";
	case CLONE_NEWNET:
		return "net";
	default:
		return oci_namespace_name(flag);
	}
}

int ns_new_flags(const struct oci_spec *spec)
{
	int flags = 0;
	for (size_t i = 0; i < spec->n_namespaces; i++)
		if (spec->namespaces[i].path == NULL && spec->namespaces[i].type != CLONE_NEWUSER)
			flags |= spec->namespaces[i].type;
	return flags;
}

bool ns_new_user(const struct oci_spec *spec)
{
	const struct oci_namespace *ns = oci_spec_namespace(spec, CLONE_NEWUSER);
	return ns && ns->path == NULL;
}

static char *format_map(const struct oci_id_mapping *m, size_t n)
{
	char *s = xstrdup("");
	for (size_t i = 0; i < n; i++) {
		char *t = xasprintf("%s%" PRIu32 " %" PRIu32 " %" PRIu32 "\n", s, m[i].container_id,
				    m[i].host_id, m[i].size);
		free(s);
		s = t;
	}
	return s;
}

int ns_write_id_maps(pid_t pid, const struct oci_spec *spec, struct berth_error **err)
{
	cleanup_free char *uids = format_map(spec->uid_mappings, spec->n_uid_mappings);
	cleanup_free char *gids = format_map(spec->gid_mappings, spec->n_gid_mappings);
	cleanup_free char *up = xasprintf("/proc/%d/uid_map", pid);
	cleanup_free char *gp = xasprintf("/proc/%d/gid_map", pid);
	if (geteuid() != 0) {
		/* an unprivileged writer must deny setgroups first */
		cleanup_free char *sp = xasprintf("/proc/%d/setgroups", pid);
		if (fs_write_string(sp, "deny", err) < 0)
			return berth_error_wrap(err, "linux.gidMappings");
	}
	if (fs_write_string(up, uids, err) < 0)
		return berth_error_wrap(err, "linux.uidMappings");
	if (fs_write_string(gp, gids, err) < 0)
		return berth_error_wrap(err, "linux.gidMappings");
	return 0;
}

int ns_write_time_offsets(const struct oci_spec *spec, struct berth_error **err)
{
	if (!spec->time_monotonic.set && !spec->time_boottime.set)
		return 0;
	cleanup_free char *s =
	    xasprintf("monotonic %" PRId64 " %" PRIu32 "\nboottime %" PRId64 " %" PRIu32 "\n",
		      spec->time_monotonic.secs, spec->time_monotonic.nanosecs,
		      spec->time_boottime.secs, spec->time_boottime.nanosecs);
	if (fs_write_string("/proc/self/timens_offsets", s, err) < 0)
		return berth_error_wrap(err, "linux.timeOffsets");
	return 0;
}
