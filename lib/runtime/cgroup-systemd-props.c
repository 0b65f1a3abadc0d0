/* The systemd cgroup driver's pure parts: "slice:prefix:name" and the unit
 * properties for linux.resources, as runc computes them. */
#include "runtime/cgroup-internal.h"
#include "runtime/cgroup-systemd.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#define SLICE_SUFFIX ".slice"
#define UNIT_NAME_MAX 255

char *cgroup_systemd_expand_slice(const char *slice)
{
	size_t n = strlen(slice), sl = strlen(SLICE_SUFFIX);
	if (n <= sl || strcmp(slice + n - sl, SLICE_SUFFIX) != 0 || strchr(slice, '/'))
		return NULL;
	cleanup_free char *base = xasprintf("%.*s", (int)(n - sl), slice);
	if (strcmp(base, "-") == 0)
		return xstrdup("/");
	size_t cap = (n + 8) * (n + 1), len = 0;
	char *path = xmalloc(cap);
	path[0] = '\0';
	/* "a-b" -> "/a.slice/a-b.slice"; empty components ("a--b", "-a", "a-") are invalid */
	for (const char *p = base;; p++) {
		if (*p != '-' && *p != '\0')
			continue;
		if (p == base || p[-1] == '-') {
			free(path);
			return NULL;
		}
		len += (size_t)snprintf(path + len, cap - len, "/%.*s%s", (int)(p - base), base,
					SLICE_SUFFIX);
		if (*p == '\0')
			break;
	}
	return path;
}

/* systemd's unit_name_is_valid(): [A-Za-z0-9:_.\-]+, at most 255 bytes */
static bool valid_unit_chars(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || strchr(":-_.\\", *s)))
			return false;
	return true;
}

void cgroup_systemd_path_release(struct cgroup_systemd_path *p)
{
	free(p->slice);
	free(p->slice_path);
	free(p->unit);
	*p = (struct cgroup_systemd_path){0};
}

int cgroup_systemd_parse_path(const char *cgroups_path, const char *id, bool rootless,
			      struct cgroup_systemd_path *out, struct berth_error **err)
{
	*out = (struct cgroup_systemd_path){0};
	const char *dflt_slice = rootless ? "user.slice" : "system.slice";
	cleanup_free char *given = cgroups_path && *cgroups_path
				       ? xstrdup(cgroups_path)
				       : xasprintf("%s:berth:%s", dflt_slice, id ? id : "");
	char *c1 = strchr(given, ':');
	char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (c2 == NULL || strchr(c2 + 1, ':'))
		return berth_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s\": expected \"slice:prefix:name\" "
				       "for the systemd cgroup driver",
				       given);
	*c1 = *c2 = '\0';
	const char *slice = *given ? given : dflt_slice, *prefix = c1 + 1, *name = c2 + 1;
	if (*name == '\0')
		return berth_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s:%s:\": the name is empty",
				       *given ? given : "", prefix);
	size_t nl = strlen(name), sl = strlen(SLICE_SUFFIX);
	bool is_slice = nl > sl && strcmp(name + nl - sl, SLICE_SUFFIX) == 0;
	cleanup_free char *unit = is_slice  ? xstrdup(name)
				  : *prefix ? xasprintf("%s-%s.scope", prefix, name)
					    : xasprintf("%s.scope", name);
	cleanup_free char *slice_path = cgroup_systemd_expand_slice(slice);
	if (slice_path == NULL)
		return berth_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s:%s:%s\": invalid slice name \"%s\" "
				       "(\"name.slice\", '-' separating non-empty parents)",
				       *given ? given : "", prefix, name, slice);
	cleanup_free char *unit_slice = is_slice ? cgroup_systemd_expand_slice(unit) : NULL;
	if (!valid_unit_chars(unit) || strlen(unit) > UNIT_NAME_MAX || (is_slice && !unit_slice))
		return berth_error_set(err, EINVAL,
				       "linux.cgroupsPath \"%s:%s:%s\": \"%s\" is not a valid "
				       "systemd unit name",
				       *given ? given : "", prefix, name, unit);
	out->slice = xstrdup(slice);
	out->slice_path = slice_path;
	out->unit = unit;
	out->is_slice = is_slice;
	slice_path = unit = NULL;
	return 0;
}

/* --- properties --- */

static struct cgroup_systemd_prop *add(struct cgroup_systemd_props *p, const char *name,
				       enum cgroup_systemd_prop_type type)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	struct cgroup_systemd_prop *q = &p->v[p->n++];
	*q = (struct cgroup_systemd_prop){.name = name, .type = type};
	return q;
}

static void add_u64(struct cgroup_systemd_props *p, const char *name, uint64_t v)
{
	add(p, name, SDP_U64)->u = v;
}

static void add_bool(struct cgroup_systemd_props *p, const char *name, bool v)
{
	add(p, name, SDP_BOOL)->u = v;
}

void cgroup_systemd_props_release(struct cgroup_systemd_props *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].s);
		free(p->v[i].bytes);
	}
	free(p->v);
	*p = (struct cgroup_systemd_props){0};
}

int cgroup_systemd_cpuset_bits(const char *list, uint8_t **bits, size_t *n,
			       struct berth_error **err)
{
	*bits = NULL;
	*n = 0;
	cleanup_free char *copy = xstrdup(list);
	uint8_t *v = NULL;
	size_t len = 0;
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ' || *t == '\t')
			t++;
		if (*t == '\0')
			continue; /* runc allows empty elements */
		char *end;
		errno = 0;
		unsigned long a = strtoul(t, &end, 10), b = a;
		if (end != t && *end == '-') {
			const char *s2 = end + 1;
			b = strtoul(s2, &end, 10);
			if (end == s2)
				end = (char *)s2 - 1; /* "3-": invalid */
		}
		while (*end == ' ' || *end == '\t')
			end++;
		if (end == t || *end != '\0' || errno || a > b || b >= 65536 || *t == '-') {
			free(v);
			return berth_error_set(err, EINVAL,
					       "cpuset list \"%s\": bad element \"%s\"", list, t);
		}
		if (b / 8 + 1 > len) {
			v = xrealloc(v, b / 8 + 1);
			memset(v + len, 0, b / 8 + 1 - len);
			len = b / 8 + 1;
		}
		for (unsigned long i = a; i <= b; i++)
			v[i / 8] |= (uint8_t)(1u << (i % 8));
	}
	if (len == 0)
		return berth_error_set(err, EINVAL, "cpuset list \"%s\": empty", list);
	*bits = v;
	*n = len;
	return 0;
}

/* runc's addCpuQuota: CPUQuotaPeriodUSec, and CPUQuotaPerSecUSec (quota per
 * second of CPU time, rounded up to 10 ms: systemd keeps it as a percentage) */
static void add_cpu_quota(struct cgroup_systemd_props *p, const struct oci_cpu *c)
{
	uint64_t period = c->has_period ? c->period : 0;
	int64_t quota = c->has_quota ? c->quota : 0;
	if (period)
		add_u64(p, "CPUQuotaPeriodUSec", period);
	if (quota == 0 && period == 0)
		return;
	uint64_t per_sec = UINT64_MAX; /* USEC_INFINITY */
	if (quota > 0) {
		if (period == 0)
			period = 100000;
		per_sec = (uint64_t)quota * 1000000 / period;
		if (per_sec % 10000)
			per_sec = (per_sec / 10000 + 1) * 10000;
	}
	add_u64(p, "CPUQuotaPerSecUSec", per_sec);
}

static int add_cpuset(struct cgroup_systemd_props *p, const char *name, const char *field,
		      const char *list, struct berth_error **err)
{
	if (list == NULL || *list == '\0')
		return 0;
	uint8_t *bits;
	size_t n;
	if (cgroup_systemd_cpuset_bits(list, &bits, &n, err) < 0)
		return berth_error_wrap(err, "linux.resources.cpu.%s", field);
	struct cgroup_systemd_prop *q = add(p, name, SDP_BYTES);
	q->bytes = bits;
	q->n = n;
	return 0;
}

static int add_resources(struct cgroup_systemd_props *p, const struct oci_resources *r, bool v2,
			 struct berth_error **err)
{
	if (r->has_memory && r->memory.has_limit && r->memory.limit != 0)
		add_u64(p, v2 ? "MemoryMax" : "MemoryLimit", (uint64_t)r->memory.limit);
	if (r->has_cpu) {
		const struct oci_cpu *c = &r->cpu;
		if (c->has_shares && c->shares)
			add_u64(p, v2 ? "CPUWeight" : "CPUShares",
				v2 ? cgroup_shares_to_weight(c->shares) : c->shares);
		add_cpu_quota(p, c);
		if (add_cpuset(p, "AllowedCPUs", "cpus", c->cpus, err) < 0 ||
		    add_cpuset(p, "AllowedMemoryNodes", "mems", c->mems, err) < 0)
			return -1;
	}
	if (r->has_pids && r->pids_limit != 0)
		add_u64(p, "TasksMax", r->pids_limit > 0 ? (uint64_t)r->pids_limit : UINT64_MAX);
	if (r->has_blkio && r->blkio.has_weight && r->blkio.weight)
		add_u64(p, v2 ? "IOWeight" : "BlockIOWeight",
			v2 ? cgroup_blkio_to_io_weight(r->blkio.weight) : r->blkio.weight);
	return 0;
}

int cgroup_systemd_props(const struct cgroup_systemd_path *path, const char *id,
			 const struct oci_resources *r, bool v2, pid_t pid,
			 struct cgroup_systemd_props *out, struct berth_error **err)
{
	*out = (struct cgroup_systemd_props){0};
	add(out, "Description", SDP_STRING)->s = xasprintf("berth container %s", id ? id : "");
	if (path->is_slice) {
		/* a slice's parent comes from its name; Wants= orders it after it */
		add(out, "Wants", SDP_STRING)->s = xstrdup(path->slice);
	} else {
		add(out, "Slice", SDP_STRING)->s = xstrdup(path->slice);
		add_bool(out, "Delegate", true);
		if (pid > 0)
			add(out, "PIDs", SDP_PIDS)->u = (uint64_t)pid;
	}
	add_bool(out, "MemoryAccounting", true);
	add_bool(out, "CPUAccounting", true);
	add_bool(out, v2 ? "IOAccounting" : "BlockIOAccounting", true);
	add_bool(out, "TasksAccounting", true);
	add_bool(out, "DefaultDependencies", false);
	if (r && add_resources(out, r, v2, err) < 0) {
		cgroup_systemd_props_release(out);
		return -1;
	}
	return 0;
}
