/* Linux namespaces of a container: joining existing ones by path, the set of
 * new ones to create, user namespace id maps and time namespace offsets. */
#ifndef BERTH_RUNTIME_NS_H
#define BERTH_RUNTIME_NS_H

#include "common/error.h"
#include "oci/spec.h"

#include <sys/types.h>

/* Open every namespace the spec joins by path (before forking, so a bad path
 * fails early). fds[i] matches spec->namespaces[i]; -1 for new ones. */
int ns_open_paths(const struct oci_spec *spec, int *fds, struct berth_error **err);
/* setns() into the opened ones (fds[i] for ns[i], -1 = skip): user first,
 * mount last. */
int ns_join(const struct oci_namespace *ns, size_t n, const int *fds, struct berth_error **err);
/* The /proc/<pid>/ns/ name of a CLONE_NEW* flag ("mnt", "net", ...). */
const char *ns_proc_name(int clone_flag);
/* CLONE_NEW* flags of the namespaces to create, without CLONE_NEWUSER. */
int ns_new_flags(const struct oci_spec *spec);
/* True if the spec creates a new user namespace. */
bool ns_new_user(const struct oci_spec *spec);
/* Parent side: write uid_map/gid_map of pid. */
int ns_write_id_maps(pid_t pid, const struct oci_spec *spec, struct berth_error **err);
/* After unshare(CLONE_NEWTIME), before the first child: offsets. */
int ns_write_time_offsets(const struct oci_spec *spec, struct berth_error **err);

#endif
