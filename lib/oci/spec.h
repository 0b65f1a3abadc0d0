/* OCI runtime-spec config.json (1.0 - 1.2): parsed into C types and validated.
 *
 * Every field is checked on load; an error names the JSON path and the value
 * ("mounts[2].destination: must be absolute, got \"tmp\""). Fields the runtime
 * does not act on yet stay available in `raw`. */
#ifndef BERTH_OCI_SPEC_H
#define BERTH_OCI_SPEC_H

#include "common/error.h"

#include <jansson.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum oci_hook_kind {
	OCI_HOOK_PRESTART = 0,
	OCI_HOOK_CREATE_RUNTIME,
	OCI_HOOK_CREATE_CONTAINER,
	OCI_HOOK_START_CONTAINER,
	OCI_HOOK_POSTSTART,
	OCI_HOOK_POSTSTOP,
	OCI_HOOK_KINDS
};

struct oci_hook {
	char *path;
	char **args; /* NULL-terminated, may be NULL */
	char **env;  /* NULL-terminated, may be NULL */
	int timeout; /* seconds, 0 = none */
};

struct oci_hook_list {
	struct oci_hook *hooks;
	size_t n;
};

struct oci_rlimit {
	int resource;
	uint64_t soft, hard;
};

struct oci_caps {
	uint64_t bounding, effective, inheritable, permitted, ambient;
};

struct oci_user {
	uid_t uid;
	gid_t gid;
	bool has_umask;
	mode_t umask;
	gid_t *additional_gids;
	size_t n_additional_gids;
};

/* process.ioPriority: ioprio_set(IOPRIO_WHO_PROCESS) of class << 13 | priority. */
struct oci_io_priority {
	bool set;
	int io_class; /* IOPRIO_CLASS_RT (1), _BE (2), _IDLE (3) */
	int priority; /* 0-7 */
};

/* process.scheduler: sched_setattr(2) arguments. */
struct oci_scheduler {
	bool set;
	int policy;			    /* SCHED_OTHER, SCHED_FIFO, ..., SCHED_DEADLINE */
	int nice;			    /* -20..19 */
	int priority;			    /* sched_priority: 1-99 for FIFO/RR, else 0 */
	uint64_t flags;			    /* SCHED_FLAG_* */
	uint64_t runtime, deadline, period; /* nanoseconds, SCHED_DEADLINE only */
};

/* process.execCPUAffinity: CPU lists ("0-3,7"), checked for syntax; NULL when
 * absent or empty. Applies to exec'd processes only, not to the container's
 * init (runtime-spec). */
struct oci_cpu_affinity {
	char *initial, *final;
};

/* linux.personality */
struct oci_personality {
	bool set;
	unsigned long domain; /* PER_LINUX or PER_LINUX32 */
};

/* linux.intelRdt */
struct oci_intel_rdt {
	bool set;
	char *clos_id;		/* may be NULL */
	char *l3_cache_schema;	/* may be NULL */
	char *mem_bw_schema;	/* may be NULL */
	char **schemata;	/* NULL-terminated, may be NULL */
	bool enable_monitoring; /* enableMonitoring (or 1.1's enableCMT/enableMBM) */
};

struct oci_process {
	bool terminal;
	bool has_console_size;
	unsigned short console_height, console_width;
	char *cwd;
	char **args; /* NULL-terminated, at least one element */
	char **env;  /* NULL-terminated, may be empty */
	struct oci_user user;
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	bool has_oom_score_adj;
	int oom_score_adj;
	bool has_caps;
	struct oci_caps caps;
	char *apparmor_profile;
	char *selinux_label;
	struct oci_io_priority io_priority;
	struct oci_scheduler scheduler;
	struct oci_cpu_affinity exec_cpu_affinity;
	/* linux.personality of the config, copied here by oci_spec_parse: it applies
	 * to every process of the container, exec'd ones too (as runc does). */
	struct oci_personality personality;
};

/* Mount flags from the options list. */
struct oci_mount {
	char *destination;
	char *type;		     /* may be NULL for bind mounts */
	char *source;		     /* may be NULL */
	unsigned long flags;	     /* MS_* set by options (ro, nosuid, ...) */
	unsigned long propagation;   /* MS_SHARED/MS_SLAVE/... | MS_REC, 0 = none */
	uint64_t attr_set, attr_clr; /* MOUNT_ATTR_* for recursive options (rro, rnosuid...) */
	bool bind, recursive_bind;
	bool tmpcopyup; /* "tmpcopyup": a tmpfs starts with a copy of what it covers */
	char *data;	/* options that are not flags, comma-joined; may be NULL */
};

struct oci_namespace {
	int type;   /* CLONE_NEW* */
	char *path; /* join this one; NULL = create a new one */
};

struct oci_id_mapping {
	uint32_t container_id, host_id, size;
};

struct oci_device {
	char *path;
	char type; /* 'c', 'b', 'p' ('u' is stored as 'c') */
	int64_t major, minor;
	bool has_mode, has_uid, has_gid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

struct oci_kv {
	char *key;
	char *value;
};

struct oci_time_offset {
	bool set;
	int64_t secs;
	uint32_t nanosecs;
};

struct oci_spec {
	char *oci_version;
	struct oci_process *process; /* NULL if absent */
	char *root_path;	     /* as written (relative to the bundle or absolute) */
	bool root_readonly;
	char *hostname, *domainname;
	struct oci_mount *mounts;
	size_t n_mounts;
	struct oci_hook_list hooks[OCI_HOOK_KINDS];
	/* linux */
	struct oci_namespace *namespaces;
	size_t n_namespaces;
	struct oci_id_mapping *uid_mappings, *gid_mappings;
	size_t n_uid_mappings, n_gid_mappings;
	struct oci_device *devices;
	size_t n_devices;
	char **masked_paths;   /* NULL-terminated */
	char **readonly_paths; /* NULL-terminated */
	struct oci_kv *sysctl;
	size_t n_sysctl;
	unsigned long rootfs_propagation; /* 0 = default (rslave then private per runc) */
	char *cgroups_path;
	char *mount_label;
	struct oci_personality personality;
	struct oci_intel_rdt intel_rdt;
	struct oci_time_offset time_monotonic, time_boottime;
	json_t *resources;   /* linux.resources as given, or NULL */
	json_t *annotations; /* object, never NULL */
	json_t *raw;	     /* the whole document */
};

/* Parse and validate a config.json document. */
int oci_spec_parse(const char *data, size_t len, struct oci_spec **out, struct berth_error **err);
/* Load <bundle>/config.json. */
int oci_spec_load(const char *bundle, struct oci_spec **out, struct berth_error **err);
void oci_spec_free(struct oci_spec *spec);

/* The namespace entry of a type, or NULL if the spec does not list it. */
const struct oci_namespace *oci_spec_namespace(const struct oci_spec *spec, int clone_flag);

/* Parse a process object (also used by `exec --process`). `path` names it in errors. */
int oci_process_parse(json_t *obj, const char *path, struct oci_process **out,
		      struct berth_error **err);
void oci_process_free(struct oci_process *p);

/* Parse one mount option list into m (flags, propagation, data). */
int oci_mount_parse_options(json_t *options, const char *path, struct oci_mount *m,
			    struct berth_error **err);
/* Every mount option name the parser knows (for `features`). */
json_t *oci_mount_option_names(void);
/* "rslave" -> MS_SLAVE|MS_REC (the propagation names); 0 if unknown. */
unsigned long oci_propagation_from_name(const char *name);
/* Namespace type name ("pid", "network", ...) to CLONE_NEW*; -1 if unknown. */
int oci_namespace_from_name(const char *name);
const char *oci_namespace_name(int clone_flag);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE; -1 if unknown. */
int oci_rlimit_from_name(const char *name);
/* "CAP_SYS_ADMIN" -> 21; -1 if unknown. */
int oci_cap_from_name(const char *name);

/* Parse a CPU list ("0-3,7"): *set gets a CPU_ALLOC'ed mask of *setsize bytes
 * (for sched_setaffinity) and *max_cpu the highest CPU named. `path` names the
 * field in errors. Caller frees *set with CPU_FREE. */
int oci_cpu_list_parse(const char *list, const char *path, cpu_set_t **set, size_t *setsize,
		       unsigned *max_cpu, struct berth_error **err);
/* CPU numbers above this are rejected by the parser. */
#define OCI_CPU_MAX 65535

/* The default config.json of `spec` (rootless: user namespace, no network ns). */
json_t *oci_spec_default(bool rootless, uid_t uid, gid_t gid);

#define OCI_VERSION "1.2.0"
/* ociVersion of `spec` output: 1.0.2 so that older runtimes (crun 1.8) accept it too */
#define OCI_SPEC_DEFAULT_VERSION "1.0.2"

#endif
