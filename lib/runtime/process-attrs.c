/* personality, ioprio_set, sched_setattr, sched_setaffinity, and the host
 * checks made before a container is created. */
#include "runtime/process-attrs.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_CLASS_SHIFT 13
#define SCHED_ISO_ 4

const struct process_attrs_host process_attrs_real_host = {
    .lsm =
	{
	    .apparmor_enabled = "/sys/module/apparmor/parameters/enabled",
	    .selinux_enforce = "/sys/fs/selinux/enforce",
	},
    .cpu_possible = "/sys/devices/system/cpu/possible",
    .cpu_online = "/sys/devices/system/cpu/online",
    .mountinfo = "/proc/self/mountinfo",
};

/* struct sched_attr of sched_setattr(2), SCHED_ATTR_SIZE_VER1 */
struct sched_attr_v1 {
	uint32_t size;
	uint32_t sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime;
	uint64_t sched_deadline;
	uint64_t sched_period;
	uint32_t sched_util_min;
	uint32_t sched_util_max;
};

static const char *policy_name(int policy)
{
	static const char *const names[] = {"SCHED_OTHER",   "SCHED_FIFO", "SCHED_RR",
					    "SCHED_BATCH",   "SCHED_ISO",  "SCHED_IDLE",
					    "SCHED_DEADLINE"};
	return policy >= 0 && policy <= 6 ? names[policy] : "?";
}

static int set_personality(const struct oci_personality *pers, struct berth_error **err)
{
	if (!pers->set)
		return 0;
	if (personality(pers->domain) < 0)
		return berth_error_errno(err, "linux.personality.domain %s: personality",
					 pers->domain == PER_LINUX32 ? "LINUX32" : "LINUX");
	return 0;
}

static int set_io_priority(const struct oci_io_priority *io, struct berth_error **err)
{
	static const char *const classes[] = {"", "IOPRIO_CLASS_RT", "IOPRIO_CLASS_BE",
					      "IOPRIO_CLASS_IDLE"};
	if (!io->set)
		return 0;
	long v = ((long)io->io_class << IOPRIO_CLASS_SHIFT) | io->priority;
	if (syscall(SYS_ioprio_set, IOPRIO_WHO_PROCESS, 0, v) < 0)
		return berth_error_errno(err, "process.ioPriority %s %d: ioprio_set",
					 classes[io->io_class & 3], io->priority);
	return 0;
}

static int set_scheduler(const struct oci_scheduler *s, struct berth_error **err)
{
	if (!s->set)
		return 0;
	struct sched_attr_v1 a = {
	    .size = sizeof(a),
	    .sched_policy = (uint32_t)s->policy,
	    .sched_flags = s->flags,
	    .sched_nice = s->nice,
	    .sched_priority = (uint32_t)s->priority,
	    .sched_runtime = s->runtime,
	    .sched_deadline = s->deadline,
	    .sched_period = s->period,
	};
	if (syscall(SYS_sched_setattr, 0, &a, 0) < 0)
		return berth_error_errno(
		    err, "process.scheduler %s (nice %d, priority %d): sched_setattr",
		    policy_name(s->policy), s->nice, s->priority);
	return 0;
}

int process_attrs_apply(const struct oci_process *p, struct berth_error **err)
{
	if (set_personality(&p->personality, err) < 0 ||
	    set_io_priority(&p->io_priority, err) < 0 || set_scheduler(&p->scheduler, err) < 0)
		return -1;
	return 0;
}

static int set_affinity(pid_t pid, const char *list, const char *field, struct berth_error **err)
{
	if (list == NULL)
		return 0;
	cpu_set_t *set = NULL;
	size_t size;
	unsigned max;
	if (oci_cpu_list_parse(list, field, &set, &size, &max, err) < 0)
		return -1;
	int r = sched_setaffinity(pid, size, set);
	CPU_FREE(set);
	if (r < 0)
		return berth_error_errno(err, "%s \"%s\": sched_setaffinity", field, list);
	return 0;
}

int process_attrs_exec_initial(const struct oci_process *p, struct berth_error **err)
{
	return set_affinity(0, p->exec_cpu_affinity.initial, "process.execCPUAffinity.initial",
			    err);
}

int process_attrs_exec_final(const struct oci_process *p, pid_t pid, struct berth_error **err)
{
	return set_affinity(pid, p->exec_cpu_affinity.final, "process.execCPUAffinity.final", err);
}

/* ------------------------------------------------------------------ checks */

/* A CPU list file of sysfs ("0-1\n"). */
static int read_cpu_file(const char *path, cpu_set_t **set, size_t *size, unsigned *max,
			 struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (fs_read_file(path, &s, NULL, err) < 0)
		return -1;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return oci_cpu_list_parse(s, path, set, size, max, err);
}

static int check_cpus(const char *list, const char *field, const struct process_attrs_host *host,
		      struct berth_error **err)
{
	if (list == NULL)
		return 0;
	cpu_set_t *want = NULL, *possible = NULL, *online = NULL;
	size_t wsize, psize, osize;
	unsigned wmax, pmax, omax;
	int ret = -1;
	if (oci_cpu_list_parse(list, field, &want, &wsize, &wmax, err) < 0 ||
	    read_cpu_file(host->cpu_possible, &possible, &psize, &pmax, err) < 0 ||
	    read_cpu_file(host->cpu_online, &online, &osize, &omax, err) < 0)
		goto out;
	bool any_online = false;
	for (unsigned c = 0; c <= wmax; c++) {
		if (!CPU_ISSET_S(c, wsize, want))
			continue;
		if (c > pmax || !CPU_ISSET_S(c, psize, possible)) {
			berth_error_set(err, EINVAL,
					"%s \"%s\": CPU %u does not exist on this host", field,
					list, c);
			goto out;
		}
		any_online |= c <= omax && CPU_ISSET_S(c, osize, online);
	}
	if (!any_online) {
		berth_error_set(err, EINVAL, "%s \"%s\": none of these CPUs is online", field,
				list);
		goto out;
	}
	ret = 0;
out:
	if (want)
		CPU_FREE(want);
	if (possible)
		CPU_FREE(possible);
	if (online)
		CPU_FREE(online);
	return ret;
}

int process_attrs_check_process(const struct oci_process *p, const struct process_attrs_host *host,
				struct berth_error **err)
{
	if (p == NULL)
		return 0;
	if (lsm_check(&host->lsm, p, NULL, err) < 0)
		return -1;
	if (p->scheduler.set && p->scheduler.policy == SCHED_ISO_)
		return berth_error_set(err, ENOTSUP,
				       "process.scheduler.policy \"SCHED_ISO\": not implemented by "
				       "the Linux kernel");
	if (check_cpus(p->exec_cpu_affinity.initial, "process.execCPUAffinity.initial", host, err) <
		0 ||
	    check_cpus(p->exec_cpu_affinity.final, "process.execCPUAffinity.final", host, err) < 0)
		return -1;
	return 0;
}

/* Is a resctrl file system mounted? (field 9 of mountinfo, after " - ") */
static int resctrl_mounted(const char *mountinfo, bool *out, struct berth_error **err)
{
	cleanup_fclose FILE *f = fopen(mountinfo, "re");
	if (f == NULL)
		return berth_error_errno(err, "linux.intelRdt: open %s", mountinfo);
	cleanup_free char *line = NULL;
	size_t cap = 0;
	*out = false;
	while (getline(&line, &cap, f) > 0) {
		const char *sep = strstr(line, " - ");
		if (sep && strncmp(sep + 3, "resctrl ", 8) == 0) {
			*out = true;
			break;
		}
	}
	return 0;
}

static int check_intel_rdt(const struct oci_intel_rdt *rdt, const struct process_attrs_host *host,
			   struct berth_error **err)
{
	if (!rdt->set)
		return 0;
	bool mounted;
	if (resctrl_mounted(host->mountinfo, &mounted, err) < 0)
		return -1;
	if (!mounted)
		return berth_error_set(err, ENOTSUP,
				       "linux.intelRdt: Intel RDT needs the resctrl file system, "
				       "which is not mounted on this host (none in %s)",
				       host->mountinfo);
	return berth_error_set(err, ENOTSUP,
			       "linux.intelRdt: resctrl is mounted but berth-runtime does not "
			       "manage resctrl groups yet (closID %s)",
			       rdt->clos_id ? rdt->clos_id : "(none)");
}

int process_attrs_check_host(const struct oci_spec *spec, const struct process_attrs_host *host,
			     struct berth_error **err)
{
	if (lsm_check(&host->lsm, NULL, spec->mount_label, err) < 0 ||
	    process_attrs_check_process(spec->process, host, err) < 0 ||
	    check_intel_rdt(&spec->intel_rdt, host, err) < 0)
		return -1;
	return 0;
}

int process_attrs_check(const struct oci_spec *spec, struct berth_error **err)
{
	return process_attrs_check_host(spec, &process_attrs_real_host, err);
}
