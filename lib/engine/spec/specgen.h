/* OCI spec generation from an image config and docker's Config + HostConfig,
 * with docker's defaults (the dockerd layer's daemon/oci_linux.go role).
 * Pure functions over JSON plus reads of the image's /etc/passwd and
 * /etc/group inside the rootfs; tested by tests/unit/test-specgen.c. */
#ifndef BERTH_ENGINE_SPEC_SPECGEN_H
#define BERTH_ENGINE_SPEC_SPECGEN_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* Validate a create body's HostConfig and fill docker's defaults in place
 * (e.g. ShmSize 64 MiB, RestartPolicy {"Name":"no"}, NetworkMode "default"
 * where absent). EINVAL with docker's message for invalid values (bad
 * RestartPolicy, CpusetCpus syntax, Memory < 6 MiB, MemorySwap < Memory,
 * NanoCpus and CpuQuota both set, unknown PidMode/IpcMode/UtsMode forms, ...).
 * Options berth does not honour are appended to *warnings (strv, may start
 * NULL) or refused (ENOTSUP) — never ignored silently. */
int specgen_check_hostconfig(json_t *host_config, char ***warnings, struct berth_error **err);

/* The host facts the checks depend on (tests point them at fake trees);
 * NULL fields (or a NULL struct): the real host. */
struct specgen_host {
	const char *cgroup_root;      /* default /sys/fs/cgroup */
	const char *proc_self_cgroup; /* default /proc/self/cgroup */
};

/* specgen_check_hostconfig for the host described by host. On cgroup v2
 * (<cgroup_root>/cgroup.controllers exists) dockerd's v2 rules apply:
 * CgroupnsMode defaults to "private" (v1: "host"); KernelMemory,
 * MemorySwappiness and OomKillDisable are discarded with docker's
 * warnings; CpuRealtime* is refused; the default MemorySwap (twice Memory)
 * needs memory.swap.max. The spec itself is layout-independent: the
 * runtime converts (memory.swap.max = swap - limit, cpu.weight,
 * io.weight). */
int specgen_check_hostconfig_on(json_t *host_config, const struct specgen_host *host,
				char ***warnings, struct berth_error **err);
/* Whether the host is on pure cgroup v2 (hybrid counts as v1). */
bool specgen_host_cgroup2(const struct specgen_host *host);

/* Merge the image's config (OCI image config's "config" object) into the
 * create body's Config in place, as dockerd does at create: Env (image first,
 * container's override by name), Cmd/Entrypoint rules (an Entrypoint given
 * without Cmd drops the image's Cmd), WorkingDir, User, Labels, StopSignal,
 * ExposedPorts, Volumes, Healthcheck, OnBuild... EINVAL if there is nothing
 * to run ("No command specified"). */
int specgen_merge_image_config(json_t *config, json_t *image_config, struct berth_error **err);

/* What the spec needs besides the two JSON objects. */
struct specgen_input {
	const char *id;
	const char *name;    /* without "/" */
	json_t *config;	     /* merged Config */
	json_t *host_config; /* checked HostConfig */
	const char *rootfs;  /* the mounted rootfs (user and group lookups) */
	const char
	    *hostname_path; /* files bind-mounted at /etc/hostname, /etc/hosts, /etc/resolv.conf */
	const char *hosts_path;
	const char *resolv_path;
	const char *cgroup_parent;   /* "/berth" (cgroupfs) unless HostConfig.CgroupParent */
	bool systemd_cgroup;	     /* cgroupsPath "slice:berth:<id>" form */
	const char *init_path;	     /* berth-init binary for HostConfig.Init (docker's --init) */
	const char *seccomp_default; /* JSON text of the default profile (docker's) */
	/* PidMode/IpcMode/UtsMode "container:<ref>": the host pid of that
	 * container's init, or -1 with *err (not running / no such container). */
	pid_t (*container_pid)(void *arg, const char *ref, struct berth_error **err);
	void *container_pid_arg;
};

/* The OCI runtime spec (config.json) for the container; EINVAL names the
 * field for bad input (unknown user "-u nobody2": "unable to find user
 * nobody2: no matching entries in passwd file", bad seccomp file, bad
 * device, bad ulimit, bad sysctl). */
int specgen_build(const struct specgen_input *in, json_t **spec, struct berth_error **err);

/* The process of an exec (docker exec's ExecConfig: Cmd, Env, User,
 * WorkingDir, Tty, Privileged) on top of the container's spec; an exec
 * with its own User also gets the container's HostConfig.GroupAdd (as
 * dockerd's), group_add may be NULL. */
int specgen_exec_process(json_t *spec, json_t *exec_config, const char *rootfs, json_t *group_add,
			 json_t **process, struct berth_error **err);

/* The default seccomp profile (docker's), embedded at build time. */
extern const char specgen_seccomp_default[];

#endif
