/* The process and linux attributes of runtime-spec 1.1/1.2 that tune how the
 * process runs: process.ioPriority, process.scheduler,
 * process.execCPUAffinity, linux.personality and linux.intelRdt. */
#include "oci/spec-internal.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>

#ifndef SCHED_DEADLINE
#define SCHED_DEADLINE 6
#endif
#define SCHED_ISO_ 4 /* reserved by the kernel, never implemented: sched_setattr says EINVAL */

struct name_value {
	const char *name;
	unsigned long value;
};

static const struct name_value io_classes[] = {
    {"IOPRIO_CLASS_RT", 1},
    {"IOPRIO_CLASS_BE", 2},
    {"IOPRIO_CLASS_IDLE", 3},
    {NULL, 0},
};

static const struct name_value policies[] = {
    {"SCHED_OTHER", SCHED_OTHER},
    {"SCHED_FIFO", SCHED_FIFO},
    {"SCHED_RR", SCHED_RR},
    {"SCHED_BATCH", SCHED_BATCH},
    {"SCHED_ISO", SCHED_ISO_},
    {"SCHED_IDLE", SCHED_IDLE},
    {"SCHED_DEADLINE", SCHED_DEADLINE},
    {NULL, 0},
};

static const struct name_value sched_flags[] = {
    {"SCHED_FLAG_RESET_ON_FORK", 0x01},	 {"SCHED_FLAG_RECLAIM", 0x02},
    {"SCHED_FLAG_DL_OVERRUN", 0x04},	 {"SCHED_FLAG_KEEP_POLICY", 0x08},
    {"SCHED_FLAG_KEEP_PARAMS", 0x10},	 {"SCHED_FLAG_UTIL_CLAMP_MIN", 0x20},
    {"SCHED_FLAG_UTIL_CLAMP_MAX", 0x40}, {NULL, 0},
};

static const struct name_value domains[] = {
    {"LINUX", PER_LINUX},
    {"LINUX32", PER_LINUX32},
    {NULL, 0},
};

static bool lookup(const struct name_value *t, const char *name, unsigned long *out)
{
	for (; t->name; t++)
		if (strcmp(t->name, name) == 0) {
			*out = t->value;
			return true;
		}
	return false;
}

static const char *name_of(const struct name_value *t, unsigned long v)
{
	for (; t->name; t++)
		if (t->value == v)
			return t->name;
	return "?";
}

static int parse_io_priority(json_t *proc, const char *path, struct oci_process *p,
			     struct berth_error **err)
{
	json_t *obj;
	if (bjson_member(proc, "ioPriority", path, JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	cleanup_free char *ipath = xasprintf("%s.ioPriority", path);
	cleanup_free char *cls = NULL;
	int64_t prio = 0;
	bool has_prio;
	if (bjson_string(obj, "class", ipath, true, &cls, err) < 0 ||
	    bjson_int(obj, "priority", ipath, 0, 7, &prio, &has_prio, err) < 0)
		return -1;
	unsigned long c;
	if (!lookup(io_classes, cls, &c))
		return berth_error_set(
		    err, EINVAL,
		    "%s.class: unknown class \"%s\" (IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or "
		    "IOPRIO_CLASS_IDLE)",
		    ipath, cls);
	if (!has_prio)
		return berth_error_set(err, EINVAL, "%s.priority: required field is missing",
				       ipath);
	p->io_priority =
	    (struct oci_io_priority){.set = true, .io_class = (int)c, .priority = (int)prio};
	return 0;
}

static int parse_sched_flags(json_t *obj, const char *spath, struct oci_scheduler *s,
			     struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(obj, "flags", spath, JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		unsigned long f;
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(
			    err, EINVAL, "%s.flags[%zu]: expected a string, got %s", spath, i, d);
		}
		if (!lookup(sched_flags, json_string_value(v), &f))
			return berth_error_set(err, EINVAL, "%s.flags[%zu]: unknown flag \"%s\"",
					       spath, i, json_string_value(v));
		s->flags |= f;
	}
	return 0;
}

/* runc's rules: nice only for OTHER/BATCH, priority only for FIFO/RR,
 * runtime/deadline/period only for DEADLINE; plus what the kernel checks. */
static int check_scheduler(const struct oci_scheduler *s, const char *spath,
			   struct berth_error **err)
{
	const char *pol = name_of(policies, (unsigned long)s->policy);
	bool rt = s->policy == SCHED_FIFO || s->policy == SCHED_RR;
	bool dl = s->policy == SCHED_DEADLINE;
	if (s->nice && s->policy != SCHED_OTHER && s->policy != SCHED_BATCH)
		return berth_error_set(err, EINVAL,
				       "%s.nice: %d is only valid with SCHED_OTHER or SCHED_BATCH, "
				       "not %s",
				       spath, s->nice, pol);
	if (rt && (s->priority < 1 || s->priority > 99))
		return berth_error_set(err, EINVAL, "%s.priority: %s needs 1 to 99, got %d", spath,
				       pol, s->priority);
	if (!rt && s->priority)
		return berth_error_set(err, EINVAL,
				       "%s.priority: %d is only valid with SCHED_FIFO or SCHED_RR, "
				       "not %s",
				       spath, s->priority, pol);
	if (!dl && (s->runtime || s->deadline || s->period))
		return berth_error_set(err, EINVAL,
				       "%s: runtime, deadline and period are only valid with "
				       "SCHED_DEADLINE, not %s",
				       spath, pol);
	if (!dl)
		return 0;
	uint64_t period = s->period ? s->period : s->deadline;
	if (s->deadline == 0 || s->runtime < 1024 || s->runtime > s->deadline ||
	    s->deadline > period)
		return berth_error_set(err, EINVAL,
				       "%s: SCHED_DEADLINE needs 1024 <= runtime <= deadline <= "
				       "period (ns), got runtime %llu, deadline %llu, period %llu",
				       spath, (unsigned long long)s->runtime,
				       (unsigned long long)s->deadline,
				       (unsigned long long)s->period);
	return 0;
}

static int parse_scheduler(json_t *proc, const char *path, struct oci_process *p,
			   struct berth_error **err)
{
	json_t *obj;
	if (bjson_member(proc, "scheduler", path, JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	cleanup_free char *spath = xasprintf("%s.scheduler", path);
	cleanup_free char *pol = NULL;
	struct oci_scheduler s = {.set = true};
	int64_t nice = 0, prio = 0;
	if (bjson_string(obj, "policy", spath, true, &pol, err) < 0 ||
	    bjson_int(obj, "nice", spath, -20, 19, &nice, NULL, err) < 0 ||
	    bjson_int(obj, "priority", spath, INT32_MIN, INT32_MAX, &prio, NULL, err) < 0 ||
	    parse_sched_flags(obj, spath, &s, err) < 0 ||
	    bjson_u64(obj, "runtime", spath, &s.runtime, NULL, err) < 0 ||
	    bjson_u64(obj, "deadline", spath, &s.deadline, NULL, err) < 0 ||
	    bjson_u64(obj, "period", spath, &s.period, NULL, err) < 0)
		return -1;
	unsigned long v;
	if (!lookup(policies, pol, &v))
		return berth_error_set(err, EINVAL, "%s.policy: unknown policy \"%s\"", spath, pol);
	s.policy = (int)v;
	s.nice = (int)nice;
	s.priority = (int)prio;
	if (check_scheduler(&s, spath, err) < 0)
		return -1;
	p->scheduler = s;
	return 0;
}

static int parse_cpus(json_t *obj, const char *key, const char *apath, char **out,
		      struct berth_error **err)
{
	if (bjson_string(obj, key, apath, false, out, err) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	if (**out == '\0') {
		/* empty: the runtime leaves the affinity alone */
		free(*out);
		*out = NULL;
		return 0;
	}
	cleanup_free char *fpath = xasprintf("%s.%s", apath, key);
	cpu_set_t *set = NULL;
	size_t size;
	unsigned max;
	if (oci_cpu_list_parse(*out, fpath, &set, &size, &max, err) < 0)
		return -1;
	CPU_FREE(set);
	return 0;
}

static int parse_affinity(json_t *proc, const char *path, struct oci_process *p,
			  struct berth_error **err)
{
	json_t *obj;
	if (bjson_member(proc, "execCPUAffinity", path, JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	cleanup_free char *apath = xasprintf("%s.execCPUAffinity", path);
	if (parse_cpus(obj, "initial", apath, &p->exec_cpu_affinity.initial, err) < 0 ||
	    parse_cpus(obj, "final", apath, &p->exec_cpu_affinity.final, err) < 0)
		return -1;
	return 0;
}

int oci_process_parse_attrs(json_t *proc, const char *path, struct oci_process *p,
			    struct berth_error **err)
{
	if (parse_io_priority(proc, path, p, err) < 0 || parse_scheduler(proc, path, p, err) < 0 ||
	    parse_affinity(proc, path, p, err) < 0)
		return -1;
	return 0;
}

void oci_process_free_attrs(struct oci_process *p)
{
	free(p->exec_cpu_affinity.initial);
	free(p->exec_cpu_affinity.final);
}

static int parse_personality(json_t *l, struct oci_spec *s, struct berth_error **err)
{
	json_t *obj, *flags;
	if (bjson_member(l, "personality", "linux", JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	cleanup_free char *domain = NULL;
	if (bjson_string(obj, "domain", "linux.personality", true, &domain, err) < 0 ||
	    bjson_member(obj, "flags", "linux.personality", JSON_ARRAY, false, &flags, err) < 0)
		return -1;
	unsigned long d;
	if (!lookup(domains, domain, &d))
		return berth_error_set(err, EINVAL,
				       "linux.personality.domain: unknown domain \"%s\" (LINUX or "
				       "LINUX32)",
				       domain);
	/* runtime-spec defines no flag values yet: refuse rather than ignore */
	if (json_array_size(flags)) {
		json_t *f = json_array_get(flags, 0);
		cleanup_free char *desc = bjson_describe(f);
		return berth_error_set(err, EINVAL,
				       "linux.personality.flags[0]: unknown flag %s (runtime-spec "
				       "defines none)",
				       desc);
	}
	s->personality = (struct oci_personality){.set = true, .domain = d};
	return 0;
}

static int parse_intel_rdt(json_t *l, struct oci_spec *s, struct berth_error **err)
{
	json_t *obj;
	const char *p = "linux.intelRdt";
	if (bjson_member(l, "intelRdt", "linux", JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	struct oci_intel_rdt *r = &s->intel_rdt;
	bool cmt = false, mbm = false;
	r->set = true;
	if (bjson_string(obj, "closID", p, false, &r->clos_id, err) < 0 ||
	    bjson_string(obj, "l3CacheSchema", p, false, &r->l3_cache_schema, err) < 0 ||
	    bjson_string(obj, "memBwSchema", p, false, &r->mem_bw_schema, err) < 0 ||
	    bjson_strv(obj, "schemata", p, false, &r->schemata, err) < 0 ||
	    bjson_bool(obj, "enableMonitoring", p, &r->enable_monitoring, err) < 0 ||
	    bjson_bool(obj, "enableCMT", p, &cmt, err) < 0 ||
	    bjson_bool(obj, "enableMBM", p, &mbm, err) < 0)
		return -1;
	r->enable_monitoring |= cmt || mbm;
	const char *id = r->clos_id;
	if (id && (*id == '\0' || strchr(id, '/') || strcmp(id, ".") == 0 ||
		   strcmp(id, "..") == 0 || strlen(id) > NAME_MAX))
		return berth_error_set(err, EINVAL,
				       "linux.intelRdt.closID: \"%s\" is not a valid resctrl group "
				       "name",
				       id);
	return 0;
}

int oci_linux_parse_attrs(json_t *linux_, struct oci_spec *s, struct berth_error **err)
{
	if (parse_personality(linux_, s, err) < 0 || parse_intel_rdt(linux_, s, err) < 0)
		return -1;
	return 0;
}

void oci_linux_free_attrs(struct oci_spec *s)
{
	free(s->intel_rdt.clos_id);
	free(s->intel_rdt.l3_cache_schema);
	free(s->intel_rdt.mem_bw_schema);
	strv_free(s->intel_rdt.schemata);
}

/* One decimal CPU number; *end past it. */
static bool cpu_number(const char *s, const char **end, unsigned *out)
{
	if (*s < '0' || *s > '9')
		return false;
	unsigned long v = 0;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v > OCI_CPU_MAX)
			return false;
	}
	*end = s;
	*out = (unsigned)v;
	return true;
}

int oci_cpu_list_parse(const char *list, const char *path, cpu_set_t **set, size_t *setsize,
		       unsigned *max_cpu, struct berth_error **err)
{
	/* first pass: syntax and the highest CPU, for the size of the mask */
	unsigned max = 0;
	const char *s = list;
	for (;;) {
		unsigned a, b;
		const char *e;
		if (!cpu_number(s, &e, &a))
			goto bad;
		b = a;
		if (*e == '-' && (!cpu_number(e + 1, &e, &b) || b < a))
			goto bad;
		if (b > max)
			max = b;
		if (*e == '\0')
			break;
		if (*e != ',')
			goto bad;
		s = e + 1;
	}
	cpu_set_t *cs = CPU_ALLOC(max + 1);
	if (cs == NULL)
		abort();
	size_t size = CPU_ALLOC_SIZE(max + 1);
	CPU_ZERO_S(size, cs);
	for (s = list; *s;) {
		const char *e = s;
		unsigned a = 0, b;
		cpu_number(s, &e, &a);
		b = a;
		if (*e == '-')
			cpu_number(e + 1, &e, &b);
		for (unsigned c = a; c <= b; c++)
			CPU_SET_S(c, size, cs);
		s = *e ? e + 1 : e;
	}
	*set = cs;
	*setsize = size;
	*max_cpu = max;
	return 0;
bad:
	return berth_error_set(err, EINVAL,
			       "%s: \"%s\" is not a CPU list (like \"0-3,7\", CPUs 0 to %d)", path,
			       list, OCI_CPU_MAX);
}
