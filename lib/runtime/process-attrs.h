/* How the container's processes run: linux.personality,
 * process.ioPriority, process.scheduler, process.execCPUAffinity and the
 * host checks of the attributes that need kernel support (AppArmor,
 * SELinux, resctrl for linux.intelRdt, the CPUs of execCPUAffinity). */
#ifndef BERTH_RUNTIME_PROCESS_ATTRS_H
#define BERTH_RUNTIME_PROCESS_ATTRS_H

#include "common/error.h"
#include "oci/spec.h"
#include "runtime/lsm.h"

#include <sys/types.h>

/* Where the host is looked at (tests use fake trees). */
struct process_attrs_host {
	struct lsm_paths lsm;
	const char *cpu_possible; /* /sys/devices/system/cpu/possible */
	const char *cpu_online;	  /* /sys/devices/system/cpu/online */
	const char *mountinfo;	  /* /proc/self/mountinfo (resctrl) */
};
extern const struct process_attrs_host process_attrs_real_host;

/* Checks that can be made before any process is started: a requested
 * AppArmor profile, SELinux label or mount label needs its LSM,
 * linux.intelRdt needs resctrl, execCPUAffinity names CPUs of this machine,
 * SCHED_ISO is refused. Errors name the field and its value. */
int process_attrs_check(const struct oci_spec *spec, struct berth_error **err);
int process_attrs_check_host(const struct oci_spec *spec, const struct process_attrs_host *host,
			     struct berth_error **err);
/* The process half of it (for `exec`, whose process is not the config's). */
int process_attrs_check_process(const struct oci_process *p, const struct process_attrs_host *host,
				struct berth_error **err);

/* In the process, as root and before the switch to the user (ioprio class RT
 * and SCHED_FIFO/RR need privileges), in runc's order: personality,
 * ioPriority, scheduler. */
int process_attrs_apply(const struct oci_process *p, struct berth_error **err);

/* execCPUAffinity, for exec'd processes only (runtime-spec: not for the
 * container's init). initial: the calling process (call it in the helper
 * that forks the process, before the process joins the cgroup); final: the
 * process pid once it is in the container's cgroup. No-ops when unset. */
int process_attrs_exec_initial(const struct oci_process *p, struct berth_error **err);
int process_attrs_exec_final(const struct oci_process *p, pid_t pid, struct berth_error **err);

#endif
