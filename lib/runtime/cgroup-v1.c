/* cgroup v1 driver: one directory per hierarchy, the controller's own files
 * (memory.limit_in_bytes, cpu.shares, pids.max, devices.allow, ...), with
 * runc's write orders and checks. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

/* --- create --- */

/* A new cpuset cgroup starts with empty cpus and mems, which no task can
 * join: copy the parent's (runc does the same). */
static int cpuset_inherit(struct cgroup *cg, const char *parent, const char *dir,
			  struct berth_error **err)
{
	static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
	for (size_t i = 0; i < 2; i++) {
		cleanup_free char *cur = NULL, *val = NULL;
		if (cgroup_read(dir, files[i], &cur, err) < 0)
			return -1;
		if (*cur != '\0')
			continue;
		if (cgroup_read(parent, files[i], &val, err) < 0)
			return -1;
		if (*val != '\0' && cgroup_write(cg, dir, files[i], val, err) < 0)
			return -1;
	}
	return 0;
}

static int v1_create(struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err)
{
	cleanup_strv char **levels = cgroup_dir_levels(d);
	for (int attempt = 0;; attempt++) {
		size_t i;
		for (i = 1; levels[i]; i++) {
			bool created;
			struct berth_error *e = NULL;
			if (cgroup_mkdir(cg, levels[i], &created, &e) < 0) {
				/* a parent another container was removing: again */
				if (e->code == ENOENT && i > 1 && attempt < 5) {
					berth_error_free(&e);
					break;
				}
				*err = e;
				return -1;
			}
			if (!created)
				continue;
			if (d->created == NULL)
				d->created = xstrdup(levels[i]);
			if ((d->mask & CG_BIT(CG_CPUSET)) &&
			    cpuset_inherit(cg, levels[i - 1], levels[i], err) < 0)
				return -1;
		}
		if (levels[i] == NULL)
			return 0;
	}
}

/* --- memory --- */

static int set_limit(struct cgroup *cg, const char *dir, int64_t v, struct berth_error **err)
{
	if (v == 0)
		return 0;
	struct berth_error *e = NULL;
	if (cgroup_writef(cg, dir, "memory.limit_in_bytes", &e, "%" PRId64, v) == 0)
		return 0;
	if (e->code == EBUSY) {
		uint64_t usage = 0, peak = 0;
		struct berth_error *ignored = NULL;
		cgroup_read_u64(dir, "memory.usage_in_bytes", &usage, &ignored);
		cgroup_read_u64(dir, "memory.max_usage_in_bytes", &peak, &ignored);
		berth_error_free(&ignored);
		berth_error_set(err, EBUSY, "%s (current usage %" PRIu64 ", peak %" PRIu64 ")",
				e->msg, usage, peak);
		berth_error_free(&e);
		return -1;
	}
	*err = e;
	return -1;
}

static int set_swap(struct cgroup *cg, const char *dir, int64_t v, struct berth_error **err)
{
	if (v == 0)
		return 0;
	return cgroup_writef(cg, dir, "memory.memsw.limit_in_bytes", err, "%" PRId64, v);
}

static int check_usage(const char *dir, int64_t limit, struct berth_error **err)
{
	uint64_t usage;
	if (limit <= 0 || cgroup_read_u64(dir, "memory.usage_in_bytes", &usage, err) < 0)
		return limit <= 0 ? 0 : -1;
	if ((uint64_t)limit < usage)
		return berth_error_set(err, EBUSY,
				       "linux.resources.memory.limit: %" PRId64
				       " is below the current usage %" PRIu64 " of %s "
				       "(checkBeforeUpdate)",
				       limit, usage, dir);
	return 0;
}

/* runc's setMemoryAndSwap: the kernel wants memory <= memory+swap at every
 * step, so the order depends on the current limit. */
static int v1_memory(struct cgroup *cg, const char *dir, const struct oci_memory *m,
		     struct berth_error **err)
{
	int64_t limit = m->has_limit ? m->limit : 0, swap = m->has_swap ? m->swap : 0;
	bool memsw = cgroup_file_exists(dir, "memory.memsw.limit_in_bytes");
	if (limit == -1 && swap == 0 && memsw)
		swap = -1;
	if (swap != 0 && !memsw)
		return berth_error_set(err, EOPNOTSUPP,
				       "linux.resources.memory.swap: swap accounting is not "
				       "enabled on this host (no %s/memory.memsw.limit_in_bytes)",
				       dir);
	if (m->check_before_update && check_usage(dir, limit, err) < 0)
		return -1;
	bool done = false;
	if (limit != 0 && swap != 0) {
		uint64_t cur;
		if (cgroup_read_u64(dir, "memory.limit_in_bytes", &cur, err) < 0)
			return -1;
		if (swap == -1 || cur < (uint64_t)swap) {
			if (set_swap(cg, dir, swap, err) < 0 || set_limit(cg, dir, limit, err) < 0)
				return -1;
			done = true;
		}
	}
	if (!done && (set_limit(cg, dir, limit, err) < 0 || set_swap(cg, dir, swap, err) < 0))
		return -1;
	if (m->has_reservation && m->reservation != 0 &&
	    cgroup_writef(cg, dir, "memory.soft_limit_in_bytes", err, "%" PRId64, m->reservation) <
		0)
		return -1;
	if (m->has_disable_oom_killer &&
	    cgroup_write(cg, dir, "memory.oom_control", m->disable_oom_killer ? "1" : "0", err) < 0)
		return -1;
	if (m->has_swappiness &&
	    cgroup_writef(cg, dir, "memory.swappiness", err, "%" PRIu64, m->swappiness) < 0)
		return -1;
	return 0;
}

/* --- cpu, cpuset --- */

/* Write a period and its quota/runtime; the kernel checks them against each
 * other, so a rejected period is retried after the other value (runc). */
static int period_pair(struct cgroup *cg, const char *dir, const char *pfile, uint64_t period,
		       const char *qfile, int64_t quota, struct berth_error **err)
{
	bool retry = false;
	if (period != 0) {
		struct berth_error *e = NULL;
		if (cgroup_writef(cg, dir, pfile, &e, "%" PRIu64, period) < 0) {
			if (e->code != EINVAL || quota == 0) {
				*err = e;
				return -1;
			}
			berth_error_free(&e);
			retry = true;
		}
	}
	if (quota != 0 && cgroup_writef(cg, dir, qfile, err, "%" PRId64, quota) < 0)
		return -1;
	if (retry && cgroup_writef(cg, dir, pfile, err, "%" PRIu64, period) < 0)
		return -1;
	return 0;
}

static int v1_cpu(struct cgroup *cg, const char *dir, const struct oci_cpu *c,
		  struct berth_error **err)
{
	if (c->has_shares && c->shares != 0) {
		uint64_t got;
		if (cgroup_writef(cg, dir, "cpu.shares", err, "%" PRIu64, c->shares) < 0 ||
		    cgroup_read_u64(dir, "cpu.shares", &got, err) < 0)
			return -1;
		/* the kernel clamps silently; runc reports it */
		if (got != c->shares)
			return berth_error_set(err, ERANGE,
					       "linux.resources.cpu.shares: %" PRIu64
					       " is out of range, the %s allowed is %" PRIu64,
					       c->shares, got < c->shares ? "maximum" : "minimum",
					       got);
	}
	if (period_pair(cg, dir, "cpu.cfs_period_us", c->has_period ? c->period : 0,
			"cpu.cfs_quota_us", c->has_quota ? c->quota : 0, err) < 0)
		return -1;
	if (c->has_burst &&
	    cgroup_writef(cg, dir, "cpu.cfs_burst_us", err, "%" PRIu64, c->burst) < 0)
		return -1;
	if (c->has_idle && cgroup_writef(cg, dir, "cpu.idle", err, "%" PRId64, c->idle) < 0)
		return -1;
	return period_pair(cg, dir, "cpu.rt_period_us", c->has_rt_period ? c->rt_period : 0,
			   "cpu.rt_runtime_us", c->has_rt_runtime ? c->rt_runtime : 0, err);
}

static int v1_cpuset(struct cgroup *cg, const char *dir, const struct oci_cpu *c,
		     struct berth_error **err)
{
	if (c->cpus && cgroup_write(cg, dir, "cpuset.cpus", c->cpus, err) < 0)
		return -1;
	if (c->mems && cgroup_write(cg, dir, "cpuset.mems", c->mems, err) < 0)
		return -1;
	return 0;
}

/* --- blkio, hugetlb, network, rdma --- */

static int v1_blkio(struct cgroup *cg, const char *dir, const struct oci_blkio *b,
		    struct berth_error **err)
{
	/* BFQ's files when the kernel has them (CFQ is gone since 5.0) */
	bool bfq = cgroup_file_exists(dir, "blkio.bfq.weight");
	const char *wfile = bfq ? "blkio.bfq.weight" : "blkio.weight";
	const char *wdfile = bfq ? "blkio.bfq.weight_device" : "blkio.weight_device";
	if (b->has_weight && cgroup_writef(cg, dir, wfile, err, "%u", b->weight) < 0)
		return -1;
	if (b->has_leaf_weight &&
	    cgroup_writef(cg, dir, "blkio.leaf_weight", err, "%u", b->leaf_weight) < 0)
		return -1;
	for (size_t i = 0; i < b->n_weight_devices; i++) {
		const struct oci_blkio_weight_device *w = &b->weight_devices[i];
		if (w->has_weight &&
		    cgroup_writef(cg, dir, wdfile, err, "%" PRId64 ":%" PRId64 " %u", w->major,
				  w->minor, w->weight) < 0)
			return -1;
		if (w->has_leaf_weight && cgroup_writef(cg, dir, "blkio.leaf_weight_device", err,
							"%" PRId64 ":%" PRId64 " %u", w->major,
							w->minor, w->leaf_weight) < 0)
			return -1;
	}
	static const char *const files[OCI_THROTTLE_KINDS] = {
	    "blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
	    "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
	for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
		for (size_t i = 0; i < b->n_throttle[k]; i++) {
			const struct oci_blkio_throttle *t = &b->throttle[k][i];
			if (cgroup_writef(cg, dir, files[k], err,
					  "%" PRId64 ":%" PRId64 " %" PRIu64, t->major, t->minor,
					  t->rate) < 0)
				return -1;
		}
	return 0;
}

static int v1_hugetlb(struct cgroup *cg, const char *dir, const struct oci_resources *r,
		      struct berth_error **err)
{
	for (size_t i = 0; i < r->n_hugepages; i++) {
		const struct oci_hugepage_limit *h = &r->hugepages[i];
		cleanup_free char *f = xasprintf("hugetlb.%s.limit_in_bytes", h->page_size);
		if (!cgroup_file_exists(dir, f))
			return berth_error_set(err, EOPNOTSUPP,
					       "linux.resources.hugepageLimits[%zu].pageSize: %s "
					       "pages are not supported on this host (no %s/%s)",
					       i, h->page_size, dir, f);
		if (cgroup_writef(cg, dir, f, err, "%" PRIu64, h->limit) < 0)
			return -1;
		cleanup_free char *rsvd = xasprintf("hugetlb.%s.rsvd.limit_in_bytes", h->page_size);
		if (cgroup_file_exists(dir, rsvd) &&
		    cgroup_writef(cg, dir, rsvd, err, "%" PRIu64, h->limit) < 0)
			return -1;
	}
	return 0;
}

static int v1_network(struct cgroup *cg, const struct cgroup_dir *d, const struct oci_network *n,
		      struct berth_error **err)
{
	if ((d->mask & CG_BIT(CG_NET_CLS)) && n->has_class_id &&
	    cgroup_writef(cg, d->path, "net_cls.classid", err, "%" PRIu32, n->class_id) < 0)
		return -1;
	if (d->mask & CG_BIT(CG_NET_PRIO))
		for (size_t i = 0; i < n->n_priorities; i++)
			if (cgroup_writef(cg, d->path, "net_prio.ifpriomap", err, "%s %" PRIu32,
					  n->priorities[i].name, n->priorities[i].priority) < 0)
				return -1;
	return 0;
}

/* rdma.max takes "DEV hca_handle=N hca_object=M" (v1 and v2 alike). */
int cgroup_rdma_apply(struct cgroup *cg, const char *dir, const struct oci_resources *r,
		      struct berth_error **err)
{
	for (size_t i = 0; i < r->n_rdma; i++) {
		const struct oci_rdma *d = &r->rdma[i];
		if (!d->has_hca_handles && !d->has_hca_objects)
			continue;
		char h[32] = "", o[32] = "";
		if (d->has_hca_handles)
			snprintf(h, sizeof(h), " hca_handle=%" PRIu32, d->hca_handles);
		if (d->has_hca_objects)
			snprintf(o, sizeof(o), " hca_object=%" PRIu32, d->hca_objects);
		if (cgroup_writef(cg, dir, "rdma.max", err, "%s%s%s", d->device, h, o) < 0)
			return -1;
	}
	return 0;
}

static int v1_apply(struct cgroup *cg, struct cgroup_dir *d, const struct oci_resources *r,
		    struct berth_error **err)
{
	unsigned m = d->mask;
	const char *dir = d->path;
	if ((m & CG_BIT(CG_CPUSET)) && r->has_cpu && v1_cpuset(cg, dir, &r->cpu, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_MEMORY)) && r->has_memory && v1_memory(cg, dir, &r->memory, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_CPU)) && r->has_cpu && v1_cpu(cg, dir, &r->cpu, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_PIDS)) && r->has_pids) {
		if (r->pids_limit > 0
			? cgroup_writef(cg, dir, "pids.max", err, "%" PRId64, r->pids_limit) < 0
			: cgroup_write(cg, dir, "pids.max", "max", err) < 0)
			return -1;
	}
	if ((m & CG_BIT(CG_BLKIO)) && r->has_blkio && v1_blkio(cg, dir, &r->blkio, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_HUGETLB)) && v1_hugetlb(cg, dir, r, err) < 0)
		return -1;
	if (r->has_network && v1_network(cg, d, &r->network, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_DEVICES)) && r->has_devices &&
	    cgroup_v1_devices_apply(cg, dir, r, err) < 0)
		return -1;
	if ((m & CG_BIT(CG_RDMA)) && cgroup_rdma_apply(cg, dir, r, err) < 0)
		return -1;
	return 0;
}

/* --- freezer --- */

static int v1_freeze(struct cgroup *cg, struct cgroup_dir *d, bool frozen, struct berth_error **err)
{
	const char *want = frozen ? "FROZEN" : "THAWED";
	/* tasks that keep forking can hold a cgroup in FREEZING: retry, with
	 * an occasional thaw in between, for about 10 s (as runc) */
	for (int i = 0; i < 1000; i++) {
		if (frozen && i % 50 == 49) {
			struct berth_error *e = NULL;
			cgroup_write(cg, d->path, "freezer.state", "THAWED", &e);
			berth_error_free(&e);
			cgroup_sleep_ms(10);
		}
		if (cgroup_write(cg, d->path, "freezer.state", want, err) < 0)
			return -1;
		cleanup_free char *state = NULL;
		if (cgroup_read(d->path, "freezer.state", &state, err) < 0)
			return -1;
		if (strcmp(state, want) == 0)
			return 0;
		if (strcmp(state, "FREEZING") != 0 && strcmp(state, "THAWED") != 0 &&
		    strcmp(state, "FROZEN") != 0)
			return berth_error_set(
			    err, EIO, "%s/freezer.state: unexpected state \"%s\"", d->path, state);
		cgroup_sleep_ms(i < 10 ? 1 : 10);
	}
	if (frozen) {
		struct berth_error *e = NULL;
		cgroup_write(cg, d->path, "freezer.state", "THAWED", &e);
		berth_error_free(&e);
	}
	return berth_error_set(err, ETIMEDOUT, "%s %s: the state did not become %s",
			       frozen ? "freeze" : "thaw", d->path, want);
}

static bool v1_is_frozen(struct cgroup_dir *d)
{
	cleanup_free char *state = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(d->path, "freezer.state", &state, &e) < 0) {
		berth_error_free(&e);
		return false;
	}
	return strcmp(state, "FROZEN") == 0;
}

/* --- stats --- */

/* {"limit", "usage", "max", "failcnt"} from PREFIX{limit_in_bytes,...} */
static json_t *memory_entry(const char *dir, const char *prefix)
{
	static const char *const keys[][2] = {{"usage", "usage_in_bytes"},
					      {"max", "max_usage_in_bytes"},
					      {"failcnt", "failcnt"},
					      {"limit", "limit_in_bytes"}};
	json_t *o = json_object();
	for (size_t i = 0; i < 4; i++) {
		cleanup_free char *f = xasprintf("%s%s", prefix, keys[i][1]);
		uint64_t v = 0;
		struct berth_error *e = NULL;
		if (cgroup_read_u64(dir, f, &v, &e) < 0) {
			berth_error_free(&e);
			if (i == 0) { /* no such counter at all */
				json_decref(o);
				return NULL;
			}
		}
		if (i >= 2)
			json_object_set_new(o, keys[i][0], cgroup_json_u64(v));
		else
			cgroup_json_set_nz(o, keys[i][0], v);
	}
	return o;
}

static void memory_stats(const char *dir, json_t *data)
{
	json_t *mem = cgroup_json_object(data, "memory");
	static const char *const entries[][2] = {{"usage", "memory."},
						 {"swap", "memory.memsw."},
						 {"kernel", "memory.kmem."},
						 {"kernelTCP", "memory.kmem.tcp."}};
	for (size_t i = 0; i < 4; i++) {
		json_t *e = memory_entry(dir, entries[i][1]);
		if (e)
			json_object_set_new(mem, entries[i][0], e);
	}
	json_t *raw = cgroup_read_keys(dir, "memory.stat");
	if (raw) {
		json_t *cache = json_object_get(raw, "cache");
		if (cache && json_integer_value(cache))
			json_object_set(mem, "cache", cache);
		json_object_set_new(mem, "raw", raw);
	}
}

static void cpuacct_stats(const char *dir, json_t *data)
{
	json_t *usage = cgroup_json_object(cgroup_json_object(data, "cpu"), "usage");
	uint64_t v;
	struct berth_error *e = NULL;
	if (cgroup_read_u64(dir, "cpuacct.usage", &v, &e) == 0)
		cgroup_json_set_nz(usage, "total", v);
	berth_error_free(&e);
	cleanup_free char *percpu = NULL;
	if (cgroup_read(dir, "cpuacct.usage_percpu", &percpu, &e) == 0) {
		json_t *a = json_array();
		char *save = NULL;
		for (char *t = strtok_r(percpu, " ", &save); t; t = strtok_r(NULL, " ", &save))
			json_array_append_new(a, cgroup_json_u64(strtoull(t, NULL, 10)));
		json_object_set_new(usage, "percpu", a);
	}
	berth_error_free(&e);
	/* cpuacct.stat counts clock ticks */
	long hz = sysconf(_SC_CLK_TCK);
	uint64_t user = 0, sys = 0;
	cgroup_read_key(dir, "cpuacct.stat", "user", &user, &e);
	berth_error_free(&e);
	cgroup_read_key(dir, "cpuacct.stat", "system", &sys, &e);
	berth_error_free(&e);
	hz = hz > 0 ? hz : 100;
	json_object_set_new(usage, "kernel", cgroup_json_u64(sys * (1000000000ULL / (uint64_t)hz)));
	json_object_set_new(usage, "user", cgroup_json_u64(user * (1000000000ULL / (uint64_t)hz)));
}

static void throttling_stats(const char *dir, json_t *data)
{
	json_t *keys = cgroup_read_keys(dir, "cpu.stat");
	if (keys == NULL)
		return;
	json_t *t = cgroup_json_object(cgroup_json_object(data, "cpu"), "throttling");
	static const char *const map[][2] = {{"nr_periods", "periods"},
					     {"nr_throttled", "throttledPeriods"},
					     {"throttled_time", "throttledTime"}};
	for (size_t i = 0; i < 3; i++) {
		json_t *v = json_object_get(keys, map[i][0]);
		if (v && json_integer_value(v))
			json_object_set(t, map[i][1], v);
	}
	json_decref(keys);
}

/* "8:0 Read 4096" lines -> [{"major":8,"minor":0,"op":"Read","value":4096}] */
static json_t *blkio_entries(const char *dir, const char *file)
{
	cleanup_free char *s = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(dir, file, &s, &e) < 0) {
		berth_error_free(&e);
		return NULL;
	}
	json_t *a = json_array();
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		unsigned maj, min;
		unsigned long long v;
		char op[16];
		if (sscanf(l, "%u:%u %15s %llu", &maj, &min, op, &v) != 4)
			continue;
		json_t *o = json_object();
		cgroup_json_set_nz(o, "major", maj);
		cgroup_json_set_nz(o, "minor", min);
		json_object_set_new(o, "op", json_string(op));
		cgroup_json_set_nz(o, "value", v);
		json_array_append_new(a, o);
	}
	if (json_array_size(a) == 0) {
		json_decref(a);
		return NULL;
	}
	return a;
}

static void blkio_stats(const char *dir, json_t *data)
{
	static const char *const map[][3] = {
	    {"ioServiceBytesRecursive", "blkio.bfq.io_service_bytes_recursive",
	     "blkio.throttle.io_service_bytes_recursive"},
	    {"ioServicedRecursive", "blkio.bfq.io_serviced_recursive",
	     "blkio.throttle.io_serviced_recursive"}};
	json_t *b = cgroup_json_object(data, "blkio");
	for (size_t i = 0; i < 2; i++) {
		json_t *a = blkio_entries(dir, map[i][1]);
		if (a == NULL)
			a = blkio_entries(dir, map[i][2]);
		if (a)
			json_object_set_new(b, map[i][0], a);
	}
}

/* hugetlb.<size>.{usage_in_bytes,max_usage_in_bytes,failcnt} per size. */
static void hugetlb_stats(const char *dir, json_t *data)
{
	cleanup_closedir DIR *dp = opendir(dir);
	if (dp == NULL)
		return;
	json_t *h = cgroup_json_object(data, "hugetlb");
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		const char *n = e->d_name, *suffix = ".usage_in_bytes";
		size_t len = strlen(n), sl = strlen(suffix);
		if (strncmp(n, "hugetlb.", 8) != 0 || len <= 8 + sl ||
		    strcmp(n + len - sl, suffix) != 0 || strstr(n, ".rsvd."))
			continue;
		cleanup_free char *size = xasprintf("%.*s", (int)(len - 8 - sl), n + 8);
		cleanup_free char *fmax = xasprintf("hugetlb.%s.max_usage_in_bytes", size);
		cleanup_free char *ffail = xasprintf("hugetlb.%s.failcnt", size);
		uint64_t usage = 0, max = 0, fail = 0;
		struct berth_error *err = NULL;
		cgroup_read_u64(dir, n, &usage, &err);
		berth_error_free(&err);
		cgroup_read_u64(dir, fmax, &max, &err);
		berth_error_free(&err);
		cgroup_read_u64(dir, ffail, &fail, &err);
		berth_error_free(&err);
		json_t *o = json_object();
		cgroup_json_set_nz(o, "usage", usage);
		cgroup_json_set_nz(o, "max", max);
		json_object_set_new(o, "failcnt", cgroup_json_u64(fail));
		json_object_set_new(h, size, o);
	}
}

void cgroup_pids_stats(const char *dir, json_t *data)
{
	json_t *p = cgroup_json_object(data, "pids");
	uint64_t v = 0;
	struct berth_error *e = NULL;
	if (cgroup_read_u64(dir, "pids.current", &v, &e) == 0)
		cgroup_json_set_nz(p, "current", v);
	berth_error_free(&e);
	if (cgroup_read_u64(dir, "pids.max", &v, &e) == 0 && v != UINT64_MAX)
		cgroup_json_set_nz(p, "limit", v);
	berth_error_free(&e);
}

static int v1_stats(struct cgroup_dir *d, json_t *data, struct berth_error **err)
{
	if (access(d->path, F_OK) < 0)
		return berth_error_errno(err, "stats of %s", d->path);
	unsigned m = d->mask;
	if (m & CG_BIT(CG_MEMORY))
		memory_stats(d->path, data);
	if (m & CG_BIT(CG_CPUACCT))
		cpuacct_stats(d->path, data);
	if (m & CG_BIT(CG_CPU))
		throttling_stats(d->path, data);
	if (m & CG_BIT(CG_PIDS))
		cgroup_pids_stats(d->path, data);
	if (m & CG_BIT(CG_BLKIO))
		blkio_stats(d->path, data);
	if (m & CG_BIT(CG_HUGETLB))
		hugetlb_stats(d->path, data);
	return 0;
}

/* --- OOM --- */

static int v1_oom_fd(struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err)
{
	cleanup_close int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return berth_error_errno(err, "eventfd");
	cleanup_free char *path = xasprintf("%s/memory.oom_control", d->path);
	cleanup_close int ofd = open(path, O_RDONLY | O_CLOEXEC);
	if (ofd < 0)
		return berth_error_errno(err, "open %s", path);
	/* the registration keeps what it needs; ofd can be closed */
	if (cgroup_writef(cg, d->path, "cgroup.event_control", err, "%d %d", efd, ofd) < 0)
		return -1;
	return steal_fd(efd);
}

static int v1_oom_kills(struct cgroup_dir *d, uint64_t *n, struct berth_error **err)
{
	return cgroup_read_key(d->path, "memory.oom_control", "oom_kill", n, err);
}

const struct cgroup_ops cgroup_v1_ops = {
    .create = v1_create,
    .apply = v1_apply,
    .freeze = v1_freeze,
    .is_frozen = v1_is_frozen,
    .stats = v1_stats,
    .oom_fd = v1_oom_fd,
    .oom_kills = v1_oom_kills,
};
