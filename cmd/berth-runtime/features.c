/* features: what this runtime implements, as runtime-spec's features.md
 * describes it (containerd and podman read it). apparmor and selinux say that
 * the support is built in, whatever the host runs (features.md); intelRdt is
 * false: a config asking for it fails (resctrl groups are not managed). */
#include "cmd.h"
#include "runtime/cgroup-systemd.h"
#include "runtime/seccomp.h"
#include "oci/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *capabilities(void)
{
	json_t *a = json_array();
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++) {
		char *n = cap_to_name(c);
		if (n == NULL)
			continue;
		char up[64];
		size_t i = 0;
		for (; n[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)(n[i] >= 'a' && n[i] <= 'z' ? n[i] - 32 : n[i]);
		up[i] = '\0';
		json_array_append_new(a, json_string(up));
		cap_free(n);
	}
	return a;
}

int cmd_features(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	(void)c;
	if (argc > 1)
		return berth_error_set(err, EINVAL, "features: unexpected argument \"%s\"",
				       argv[1]);
	static const char *const hooks[] = {"prestart",
					    "createRuntime",
					    "createContainer",
					    "startContainer",
					    "poststart",
					    "poststop",
					    NULL};
	static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network", "pid",
						 "time",   "user", "uts",   NULL};
	json_t *linux_ =
	    json_pack("{s:o,s:o,s:{s:b,s:b,s:b,s:b,s:b},s:o,s:{s:b},s:{s:b},s:{s:b}}", "namespaces",
		      strings(namespaces), "capabilities", capabilities(), "cgroup", "v1", 1, "v2",
		      1, "systemd", cgroup_systemd_built(), "systemdUser", 0, "rdma", 1, "seccomp",
		      seccomp_features(), "apparmor", "enabled", 1, "selinux", "enabled", 1,
		      "intelRdt", "enabled", 0);
	json_t *j = json_pack("{s:s,s:s,s:o,s:o,s:o,s:{}}", "ociVersionMin", "1.0.0",
			      "ociVersionMax", OCI_VERSION, "hooks", strings(hooks), "mountOptions",
			      oci_mount_option_names(), "linux", linux_, "annotations");
	cmd_print_json(j);
	json_decref(j);
	return 0;
}
