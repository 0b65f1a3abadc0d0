/* Shared helpers of the spec generation files (not a public interface). */
#ifndef BERTH_ENGINE_SPEC_SPECGEN_INTERNAL_H
#define BERTH_ENGINE_SPEC_SPECGEN_INTERNAL_H

#include "engine/spec/specgen.h"

#include <stdint.h>

/* docker's DefaultPathEnv */
#define SPECGEN_DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
#define SPECGEN_DEFAULT_SHM_SIZE (64LL * 1024 * 1024)
#define SPECGEN_MIN_MEMORY (6LL * 1024 * 1024)

/* docker's masked and read-only paths (NULL-terminated) */
extern const char *const sg_masked_paths[];
extern const char *const sg_readonly_paths[];

/* An integer member of a docker object: 0 when absent or null; EINVAL
 * naming "HostConfig.<key>" when it is not an integer. */
int sg_int(json_t *obj, const char *key, int64_t *out, struct berth_error **err);
/* A string member: NULL when absent or null (borrowed); EINVAL if not a string. */
int sg_str(json_t *obj, const char *key, const char **out, struct berth_error **err);
/* An array of strings (absent/null: NULL); EINVAL otherwise. */
int sg_strarr(json_t *obj, const char *key, json_t **out, struct berth_error **err);
bool sg_bool(json_t *obj, const char *key);
json_t *sg_strings(const char *const *v);
bool sg_array_has(json_t *arr, const char *s);

/* User and groups of a process from "-u" (user[:group], names or ids)
 * looked up in the rootfs' /etc/passwd and /etc/group (resolved inside the
 * rootfs: symlinks cannot leave it). */
struct sg_user {
	uid_t uid;
	gid_t gid;
	json_t *additional_gids; /* array of integers, owned */
	char *home;		 /* owned */
};
int sg_user_lookup(const char *rootfs, const char *user, json_t *group_add, struct sg_user *out,
		   struct berth_error **err);
void sg_user_clear(struct sg_user *u);

/* Capabilities: docker's default 14, CapAdd/CapDrop ("ALL", with or
 * without "CAP_", any case), every known one when privileged. */
int sg_capabilities(json_t *cap_add, json_t *cap_drop, bool privileged, json_t **caps,
		    struct berth_error **err);
json_t *sg_caps_object(json_t *caps, bool root);

/* HostConfig.SecurityOpt */
struct sg_secopts {
	bool no_new_privileges;
	bool seccomp_unconfined;
	const char *seccomp_profile; /* JSON text (borrowed) or NULL */
	bool systempaths_unconfined;
};
int sg_security_opts(json_t *host_config, struct sg_secopts *out, char ***warnings,
		     struct berth_error **err);
/* linux.seccomp from a docker or OCI profile (JSON text), resolved for this
 * machine and the container's bounding capabilities. */
int sg_seccomp_resolve(const char *profile, json_t *caps, json_t **out, struct berth_error **err);
int sg_seccomp_validate(json_t *seccomp, struct berth_error **err);

/* Validation of sysctls against the namespaces the container gets. */
int sg_check_sysctls(json_t *sysctls, bool host_ipc, bool host_net, struct berth_error **err);
/* Binds and Mounts parsed without touching the host (create time) */
int sg_check_mounts(json_t *host_config, struct berth_error **err);
int sg_check_ulimits(json_t *ulimits, json_t **rlimits, struct berth_error **err);
int sg_check_cpuset(const char *what, const char *list, struct berth_error **err);
int sg_check_tmpfs(json_t *tmpfs, struct berth_error **err);
int sg_check_blkio(json_t *host_config, struct berth_error **err);

/* spec parts */
int sg_build_mounts(const struct specgen_input *in, json_t *spec, struct berth_error **err);
int sg_build_resources(const struct specgen_input *in, json_t *linux_, bool privileged,
		       struct berth_error **err);
int sg_build_devices(const struct specgen_input *in, json_t *linux_, bool privileged,
		     struct berth_error **err);

void sg_warn(char ***warnings, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
