/* cgroup v2 driver: the unified hierarchy (pure v2, or the cgroup2 mount of
 * a hybrid host for the controllers v1 does not hold). Controllers are
 * enabled in the ancestors' cgroup.subtree_control; values follow runc's
 * conversions (cpu.shares -> cpu.weight, memory+swap -> memory.swap.max,
 * blkio weight -> io.weight); devices are an eBPF program. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

/* controllers that make a cgroup a "domain" (no threaded mode) */
#define DOMAIN_CTRLS (CG_BIT(CG_MEMORY) | CG_BIT(CG_BLKIO) | CG_BIT(CG_CPU) | CG_BIT(CG_HUGETLB))

static unsigned controllers_in(const char *dir, const char *file)
{
	cleanup_free char *s = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(dir, file, &s, &e) < 0) {
		berth_error_free(&e);
		return 0;
	}
	unsigned mask = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		int c = cgroup_ctrl_from_name(t, true);
		if (c >= 0)
			mask |= CG_BIT(c);
	}
	return mask;
}

/* Enable the controllers of `want` that dir has but has not enabled for its
 * children yet; failing to enable one of `required` is an error. */
static int enable_controllers(struct cgroup *cg, const char *dir, unsigned want, unsigned required,
			      struct berth_error **err)
{
	unsigned on = controllers_in(dir, "cgroup.subtree_control");
	unsigned avail = controllers_in(dir, "cgroup.controllers");
	for (int c = 0; c < CG_NCTRL; c++) {
		unsigned bit = CG_BIT(c);
		if (!(want & bit) || (on & bit))
			continue;
		if (!(avail & bit)) {
			if (required & bit)
				return berth_error_set(err, EOPNOTSUPP,
						       "the %s controller is not available in %s "
						       "(not in its cgroup.controllers)",
						       cgroup_ctrl_name(c, true), dir);
			continue;
		}
		struct berth_error *e = NULL;
		if (cgroup_writef(cg, dir, "cgroup.subtree_control", &e, "+%s",
				  cgroup_ctrl_name(c, true)) < 0) {
			if (required & bit) {
				*err = e;
				return -1;
			}
			berth_error_free(&e);
		}
	}
	return 0;
}

/* "threaded" and "domain threaded" cgroups cannot take domain controllers;
 * "domain invalid" cannot take processes at all until made threaded (runc
 * would convert it; berth leaves cgroups it did not make alone). */
static int check_type(const char *dir, bool domain, struct berth_error **err)
{
	cleanup_free char *type = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(dir, "cgroup.type", &type, &e) < 0) {
		berth_error_free(&e); /* the root has no cgroup.type */
		return 0;
	}
	if (strcmp(type, "domain invalid") == 0)
		return berth_error_set(err, EOPNOTSUPP,
				       "cgroup %s is of type \"domain invalid\" (inside a threaded "
				       "subtree): a container cannot be placed there",
				       dir);
	if (domain && (strcmp(type, "threaded") == 0 || strcmp(type, "domain threaded") == 0))
		return berth_error_set(
		    err, EOPNOTSUPP,
		    "cgroup %s is of type \"%s\": threaded cgroups cannot use "
		    "the memory, io, cpu or hugetlb limits the container asks for",
		    dir, type);
	return 0;
}

/* What to enable in the ancestors: pure v2 enables every controller (as
 * runc; stats need them); on a hybrid host only what the limits need, so
 * that a controller stays free for a v1 mount otherwise. */
static void wanted(const struct cgroup *cg, const struct cgroup_dir *d, unsigned *want,
		   unsigned *required)
{
	*required = cg->need & d->mask & CG_V2_REAL;
	*want = cg->host->layout == CG_LAYOUT_V2 ? d->mask & CG_V2_REAL : *required;
}

static int v2_create(struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err)
{
	cleanup_strv char **levels = cgroup_dir_levels(d);
	unsigned want, required;
	wanted(cg, d, &want, &required);
	bool domain = cg->need & DOMAIN_CTRLS;
	size_t i;
	for (i = 1; levels[i]; i++) {
		if (check_type(levels[i - 1], domain, err) < 0 ||
		    enable_controllers(cg, levels[i - 1], want, required, err) < 0)
			return -1;
		bool created;
		if (cgroup_mkdir(cg, levels[i], &created, err) < 0)
			return -1;
		if (created && d->created == NULL)
			d->created = xstrdup(levels[i]);
	}
	return check_type(levels[i - 1], domain, err);
}

/* --- resources --- */

static const char *num(char *buf, size_t n, int64_t v)
{
	if (v == -1)
		return "max";
	snprintf(buf, n, "%" PRId64, v);
	return buf;
}

/* runc's ConvertMemorySwapToCgroupV2Value: OCI swap is memory+swap, v2's
 * memory.swap.max is swap alone. */
static int swap_v2(int64_t swap, int64_t limit, int64_t *out, struct berth_error **err)
{
	if (limit == -1 && swap == 0)
		*out = -1;
	else if (swap == -1 || swap == 0 || limit == -1)
		*out = swap;
	else if (limit == 0)
		return berth_error_set(err, EINVAL,
				       "linux.resources.memory.swap: a swap limit needs a memory "
				       "limit on cgroup v2");
	else if (swap < limit)
		return berth_error_set(err, EINVAL,
				       "linux.resources.memory.swap: %" PRId64
				       " is below memory.limit %" PRId64
				       " (swap is the memory+swap limit)",
				       swap, limit);
	else
		*out = swap - limit;
	return 0;
}

static int v2_memory(struct cgroup *cg, const char *dir, const struct oci_memory *m,
		     struct berth_error **err)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	int64_t resv = m->has_reservation ? m->reservation : 0, sw = 0;
	char buf[32];
	if (m->has_swappiness)
		log_warn("linux.resources.memory.swappiness: not supported on cgroup v2, ignored");
	if (m->has_disable_oom_killer && m->disable_oom_killer)
		log_warn("linux.resources.memory.disableOOMKiller: not supported on cgroup v2, "
			 "ignored");
	if (limit == 0 && swap == 0 && resv == 0)
		return 0;
	if (m->check_before_update && limit > 0) {
		uint64_t usage;
		if (cgroup_read_u64(dir, "memory.current", &usage, err) < 0)
			return -1;
		if ((uint64_t)limit < usage)
			return berth_error_set(err, EBUSY,
					       "linux.resources.memory.limit: %" PRId64
					       " is below the current usage %" PRIu64 " of %s "
					       "(checkBeforeUpdate)",
					       limit, usage, dir);
	}
	if (swap_v2(swap, limit, &sw, err) < 0)
		return -1;
	const char *s = sw != 0 ? num(buf, sizeof(buf), sw) : swap > 0 ? "0" : NULL;
	if (s) {
		struct berth_error *e = NULL;
		if (cgroup_write(cg, dir, "memory.swap.max", s, &e) < 0) {
			/* no swap accounting: "no limit" and "no swap" hold anyway */
			if (e->code != ENOENT || (strcmp(s, "max") != 0 && strcmp(s, "0") != 0)) {
				*err = e;
				return -1;
			}
			berth_error_free(&e);
		}
	}
	if (limit != 0 &&
	    cgroup_write(cg, dir, "memory.max", num(buf, sizeof(buf), limit), err) < 0)
		return -1;
	if (resv != 0 && cgroup_write(cg, dir, "memory.low", num(buf, sizeof(buf), resv), err) < 0)
		return -1;
	return 0;
}

uint64_t cgroup_shares_to_weight(uint64_t shares)
{
	/* runc's ConvertCPUSharesToCgroupV2Value (runc <= 1.3, crun 1.8):
	 * [2, 262144] -> [1, 10000], linear */
	if (shares == 0)
		return 0;
	if (shares < 2)
		shares = 2;
	if (shares > 262144)
		shares = 262144;
	return 1 + ((shares - 2) * 9999) / 262142;
}

static int v2_cpu(struct cgroup *cg, const char *dir, const struct oci_cpu *c,
		  struct berth_error **err)
{
	if (c->has_idle && cgroup_writef(cg, dir, "cpu.idle", err, "%" PRId64, c->idle) < 0)
		return -1;
	if (c->has_shares && c->shares != 0 &&
	    cgroup_writef(cg, dir, "cpu.weight", err, "%" PRIu64,
			  cgroup_shares_to_weight(c->shares)) < 0)
		return -1;
	if (c->has_burst && cgroup_writef(cg, dir, "cpu.max.burst", err, "%" PRIu64, c->burst) < 0)
		return -1;
	int64_t quota = c->has_quota ? c->quota : 0;
	uint64_t period = c->has_period ? c->period : 0;
	if (quota == 0 && period == 0)
		return 0;
	char q[32] = "max", p[32] = "";
	if (quota > 0)
		snprintf(q, sizeof(q), "%" PRId64, quota);
	if (period != 0)
		snprintf(p, sizeof(p), " %" PRIu64, period);
	return cgroup_writef(cg, dir, "cpu.max", err, "%s%s", q, p);
}

uint64_t cgroup_blkio_to_io_weight(uint16_t w)
{
	/* runc's ConvertBlkIOToIOWeightValue: [10, 1000] -> [1, 10000] */
	if (w == 0)
		return 0;
	if (w < 10)
		w = 10;
	return 1 + ((uint64_t)w - 10) * 9999 / 990;
}

static int v2_io(struct cgroup *cg, const char *dir, const struct oci_blkio *b,
		 struct berth_error **err)
{
	/* BFQ takes the blkio weights as they are; io.weight needs converting */
	bool bfq = cgroup_file_exists(dir, "io.bfq.weight");
	const char *wfile = bfq ? "io.bfq.weight" : "io.weight";
	if (b->has_weight &&
	    cgroup_writef(cg, dir, wfile, err, "%" PRIu64,
			  bfq ? b->weight : cgroup_blkio_to_io_weight(b->weight)) < 0)
		return -1;
	if (b->has_leaf_weight)
		log_warn("linux.resources.blockIO.leafWeight: not supported on cgroup v2, ignored");
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct oci_blkio_weight_device *w = &b->weight_devices[i];
		if (w->has_weight &&
		    cgroup_writef(cg, dir, wfile, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major,
				  w->minor,
				  bfq ? w->weight : cgroup_blkio_to_io_weight(w->weight)) < 0)
			return -1;
		if (w->has_leaf_weight)
			log_warn("linux.resources.blockIO.weightDevice[%zu].leafWeight: not "
				 "supported on cgroup v2, ignored",
				 i);
	}
	static const char *const keys[OCI_THROTTLE_KINDS] = {"rbps", "wbps", "riops", "wiops"};
	for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
		for (size_t i = 0; i < b->n_throttle[k]; i++) {
			const struct oci_blkio_throttle *t = &b->throttle[k][i];
			if (cgroup_writef(cg, dir, "io.max", err,
					  "%" PRId64 ":%" PRId64 " %s=%" PRIu64, t->major, t->minor,
					  keys[k], t->rate) < 0)
				return -1;
		}
	return 0;
}

static int v2_hugetlb(struct cgroup *cg, const char *dir, const struct oci_resources *r,
		      struct berth_error **err)
{
	for (size_t i = 0; i < r->n_hugepages; i++) {
		const struct oci_hugepage_limit *h = &r->hugepages[i];
		cleanup_free char *f = xasprintf("hugetlb.%s.max", h->page_size);
		if (!cgroup_file_exists(dir, f))
			return berth_error_set(err, EOPNOTSUPP,
					       "linux.resources.hugepageLimits[%zu].pageSize: %s "
					       "pages are not supported on this host (no %s/%s)",
					       i, h->page_size, dir, f);
		if (cgroup_writef(cg, dir, f, err, "%" PRIu64, h->limit) < 0)
			return -1;
		cleanup_free char *rsvd = xasprintf("hugetlb.%s.rsvd.max", h->page_size);
		if (cgroup_file_exists(dir, rsvd) &&
		    cgroup_writef(cg, dir, rsvd, err, "%" PRIu64, h->limit) < 0)
			return -1;
	}
	return 0;
}

static int v2_devices(struct cgroup *cg, struct cgroup_dir *d, const struct oci_resources *r,
		      struct berth_error **err)
{
	struct cgroup_dev_state st = {0};
	if (cgroup_devices_emulate(r->devices, r->n_devices, &st, err) < 0)
		return -1;
	size_t n;
	cleanup_free struct bpf_insn *prog = cgroup_bpf_devices_program(&st, &n);
	cgroup_dev_state_release(&st);
	if (cg->host->hooks.bpf_devices) {
		if (cg->host->hooks.bpf_devices(d->path, prog, n, cg->host->hooks.data) < 0)
			return berth_error_set(err, EIO, "device program for %s: hook failed",
					       d->path);
		return 0;
	}
	/* our own cgroup: the program replaces any earlier one of ours */
	return cgroup_bpf_devices_install(cg, d->path, prog, n, d->created != NULL, err);
}

static int v2_unified(struct cgroup *cg, const char *dir, const struct oci_resources *r,
		      struct berth_error **err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const struct oci_unified *u = &r->unified[i];
		if (!cgroup_file_exists(dir, u->key))
			return berth_error_set(err, ENOENT,
					       "linux.resources.unified.%s: no such file in %s",
					       u->key, dir);
		if (cgroup_write(cg, dir, u->key, u->value, err) < 0)
			return -1;
	}
	return 0;
}

static int v2_apply(struct cgroup *cg, struct cgroup_dir *d, const struct oci_resources *r,
		    struct berth_error **err)
{
	unsigned m = d->mask, want, required;
	const char *dir = d->path;
	/* an update may need a controller create did not enable */
	wanted(cg, d, &want, &required);
	cleanup_strv char **levels = cgroup_dir_levels(d);
	for (size_t i = 0; required && levels[i] && levels[i + 1]; i++)
		if (enable_controllers(cg, levels[i], required, required, err) < 0)
			return -1;
	if ((m & CG_BIT(CG_PIDS)) && r->has_pids &&
	    (r->pids_limit > 0 ? cgroup_writef(cg, dir, "pids.max", err, "%" PRId64, r->pids_limit)
			       : cgroup_write(cg, dir, "pids.max", "max", err)) < 0)
		return -1;
	if ((m & CG_BIT(CG_MEMORY)) && r->has_memory && v2_memory(cg, dir, &r->memory, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_BLKIO)) && r->has_blkio && v2_io(cg, dir, &r->blkio, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_CPU)) && r->has_cpu && v2_cpu(cg, dir, &r->cpu, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_DEVICES)) && r->has_devices && v2_devices(cg, d, r, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_CPUSET)) && r->has_cpu &&
	    ((r->cpu.cpus && cgroup_write(cg, dir, "cpuset.cpus", r->cpu.cpus, err) < 0) ||
	     (r->cpu.mems && cgroup_write(cg, dir, "cpuset.mems", r->cpu.mems, err) < 0)))
		return -1;
	if ((m & CG_BIT(CG_HUGETLB)) && v2_hugetlb(cg, dir, r, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_RDMA)) && cgroup_rdma_apply(cg, dir, r, err) < 0)
		return -1;
	return v2_unified(cg, dir, r, err);
}

/* --- freezer --- */

static int v2_freeze(struct cgroup *cg, struct cgroup_dir *d, bool frozen, struct berth_error **err)
{
	if (cgroup_write(cg, d->path, "cgroup.freeze", frozen ? "1" : "0", err) < 0)
		return -1;
	/* cgroup.events says "frozen 1" once every task has stopped */
	unsigned waited = 0, delay = 1;
	for (;;) {
		uint64_t v;
		if (cgroup_read_key(d->path, "cgroup.events", "frozen", &v, err) < 0)
			return -1;
		if ((v == 1) == frozen)
			return 0;
		if (waited >= 10000)
			break;
		cgroup_sleep_ms(delay);
		waited += delay;
		delay = delay < 50 ? delay * 2 : 50;
	}
	if (frozen) {
		struct berth_error *e = NULL;
		cgroup_write(cg, d->path, "cgroup.freeze", "0", &e);
		berth_error_free(&e);
	}
	return berth_error_set(err, ETIMEDOUT, "%s %s: cgroup.events did not report frozen %d",
			       frozen ? "freeze" : "thaw", d->path, frozen);
}

static bool v2_is_frozen(struct cgroup_dir *d)
{
	uint64_t v = 0;
	struct berth_error *e = NULL;
	if (cgroup_read_key(d->path, "cgroup.events", "frozen", &v, &e) < 0)
		berth_error_free(&e);
	return v == 1;
}

/* --- stats --- */

static json_t *mem_entry(uint64_t usage, uint64_t limit, uint64_t max, uint64_t failcnt)
{
	json_t *o = json_object();
	cgroup_json_set_nz(o, "usage", usage);
	cgroup_json_set_nz(o, "max", max);
	json_object_set_new(o, "failcnt", cgroup_json_u64(failcnt));
	json_object_set_new(o, "limit", cgroup_json_u64(limit));
	return o;
}

static void memory_stats(const char *dir, json_t *data)
{
	json_t *mem = cgroup_json_object(data, "memory");
	uint64_t usage = 0, limit = UINT64_MAX, peak = 0, fail = 0, su = 0, sl = UINT64_MAX;
	struct berth_error *e = NULL;
	cgroup_read_u64(dir, "memory.current", &usage, &e);
	berth_error_free(&e);
	cgroup_read_u64(dir, "memory.max", &limit, &e);
	berth_error_free(&e);
	cgroup_read_u64(dir, "memory.peak", &peak, &e);
	berth_error_free(&e);
	cgroup_read_key(dir, "memory.events", "max", &fail, &e);
	berth_error_free(&e);
	json_object_set_new(mem, "usage", mem_entry(usage, limit, peak, fail));
	if (cgroup_read_u64(dir, "memory.swap.current", &su, &e) == 0) {
		cgroup_read_u64(dir, "memory.swap.max", &sl, &e);
		/* reported as memory+swap, like v1 (and runc) */
		if (sl != UINT64_MAX && limit != UINT64_MAX)
			sl += limit;
		else
			sl = UINT64_MAX;
		json_object_set_new(mem, "swap", mem_entry(su + usage, sl, 0, 0));
	}
	berth_error_free(&e);
	json_t *raw = cgroup_read_keys(dir, "memory.stat");
	if (raw) {
		json_t *file = json_object_get(raw, "file");
		if (file && json_integer_value(file))
			json_object_set(mem, "cache", file);
		json_object_set_new(mem, "raw", raw);
	}
}

static void cpu_stats(const char *dir, json_t *data)
{
	json_t *k = cgroup_read_keys(dir, "cpu.stat");
	if (k == NULL)
		return;
	json_t *cpu = cgroup_json_object(data, "cpu");
	json_t *usage = cgroup_json_object(cpu, "usage");
	json_t *thr = cgroup_json_object(cpu, "throttling");
#define K(name) ((uint64_t)json_integer_value(json_object_get(k, name)))
	cgroup_json_set_nz(usage, "total", K("usage_usec") * 1000);
	json_object_set_new(usage, "kernel", cgroup_json_u64(K("system_usec") * 1000));
	json_object_set_new(usage, "user", cgroup_json_u64(K("user_usec") * 1000));
	cgroup_json_set_nz(thr, "periods", K("nr_periods"));
	cgroup_json_set_nz(thr, "throttledPeriods", K("nr_throttled"));
	cgroup_json_set_nz(thr, "throttledTime", K("throttled_usec") * 1000);
#undef K
	json_decref(k);
}

/* io.stat: "8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0" */
static void io_stats(const char *dir, json_t *data)
{
	cleanup_free char *s = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(dir, "io.stat", &s, &e) < 0) {
		berth_error_free(&e);
		return;
	}
	json_t *bytes = json_array(), *ios = json_array();
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		int off = 0;
		if (sscanf(l, "%u:%u%n", &maj, &min, &off) != 2)
			continue;
		static const char *const keys[][3] = {{"rbytes=", "Read", "b"},
						      {"wbytes=", "Write", "b"},
						      {"rios=", "Read", "i"},
						      {"wios=", "Write", "i"}};
		for (size_t i = 0; i < 4; i++) {
			const char *p = strstr(l + off, keys[i][0]);
			if (p == NULL)
				continue;
			json_t *o = json_object();
			cgroup_json_set_nz(o, "major", maj);
			cgroup_json_set_nz(o, "minor", min);
			json_object_set_new(o, "op", json_string(keys[i][1]));
			cgroup_json_set_nz(o, "value", strtoull(p + strlen(keys[i][0]), NULL, 10));
			json_array_append_new(keys[i][2][0] == 'b' ? bytes : ios, o);
		}
	}
	json_t *b = cgroup_json_object(data, "blkio");
	json_object_set_new(b, "ioServiceBytesRecursive", bytes);
	json_object_set_new(b, "ioServicedRecursive", ios);
}

static void hugetlb_stats(const char *dir, json_t *data)
{
	cleanup_closedir DIR *dp = opendir(dir);
	if (dp == NULL)
		return;
	json_t *h = cgroup_json_object(data, "hugetlb");
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		const char *n = de->d_name;
		size_t len = strlen(n);
		if (strncmp(n, "hugetlb.", 8) != 0 || len <= 16 || strstr(n, ".rsvd.") ||
		    strcmp(n + len - 8, ".current") != 0)
			continue;
		cleanup_free char *size = xasprintf("%.*s", (int)(len - 16), n + 8);
		cleanup_free char *events = xasprintf("hugetlb.%s.events", size);
		uint64_t usage = 0, fail = 0;
		struct berth_error *e = NULL;
		cgroup_read_u64(dir, n, &usage, &e);
		berth_error_free(&e);
		cgroup_read_key(dir, events, "max", &fail, &e);
		berth_error_free(&e);
		json_t *o = json_object();
		cgroup_json_set_nz(o, "usage", usage);
		json_object_set_new(o, "failcnt", cgroup_json_u64(fail));
		json_object_set_new(h, size, o);
	}
}

static int v2_stats(struct cgroup_dir *d, json_t *data, struct berth_error **err)
{
	if (access(d->path, F_OK) < 0)
		return berth_error_errno(err, "stats of %s", d->path);
	unsigned m = d->mask;
	if (m & CG_BIT(CG_MEMORY))
		memory_stats(d->path, data);
	if (m & (CG_BIT(CG_CPU) | CG_BIT(CG_CPUACCT)))
		cpu_stats(d->path, data);
	if (m & CG_BIT(CG_PIDS))
		cgroup_pids_stats(d->path, data);
	if (m & CG_BIT(CG_BLKIO))
		io_stats(d->path, data);
	if (m & CG_BIT(CG_HUGETLB))
		hugetlb_stats(d->path, data);
	return 0;
}

/* --- OOM --- */

static int v2_oom_fd(struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err)
{
	(void)cg;
	cleanup_close int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd < 0)
		return berth_error_errno(err, "inotify_init1");
	cleanup_free char *path = xasprintf("%s/memory.events", d->path);
	if (inotify_add_watch(fd, path, IN_MODIFY) < 0)
		return berth_error_errno(err, "inotify_add_watch %s", path);
	return steal_fd(fd);
}

static int v2_oom_kills(struct cgroup_dir *d, uint64_t *n, struct berth_error **err)
{
	return cgroup_read_key(d->path, "memory.events", "oom_kill", n, err);
}

const struct cgroup_ops cgroup_v2_ops = {
    .create = v2_create,
    .apply = v2_apply,
    .freeze = v2_freeze,
    .is_frozen = v2_is_frozen,
    .stats = v2_stats,
    .oom_fd = v2_oom_fd,
    .oom_kills = v2_oom_kills,
};
