/* A container's cgroup across the host's hierarchies: paths, validation of
 * the resources against the layout, create / join, placement, freeze,
 * stats, OOM watch, destroy, and the state JSON. What differs between a v1
 * hierarchy and cgroup2 is in the drivers (cgroup-v1.c, cgroup-v2.c).
 *
 * Only directories cgroup_create made are ever removed; an existing path is
 * joined and left in place by cgroup_destroy. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* runc's CleanPath: resolve "." and ".." lexically, never above the start;
 * "/a/../../b" -> "/b", "../x" -> "x". */
static char *clean_path(const char *in, bool *absolute)
{
	*absolute = in[0] == '/';
	size_t cap = strlen(in) + 2, len = 0;
	char *out = xmalloc(cap);
	cleanup_free char *copy = xstrdup(in);
	char *save = NULL;
	out[0] = '\0';
	for (char *t = strtok_r(copy, "/", &save); t; t = strtok_r(NULL, "/", &save)) {
		if (strcmp(t, ".") == 0)
			continue;
		if (strcmp(t, "..") == 0) {
			char *slash = strrchr(out, '/');
			len = slash ? (size_t)(slash - out) : 0;
			out[len] = '\0';
			continue;
		}
		len += (size_t)snprintf(out + len, cap - len, "/%s", t);
	}
	if (*absolute || out[0] == '\0')
		return out;
	memmove(out, out + 1, len); /* relative: drop the leading slash */
	return out;
}

/* --- resources against the layout --- */

static int need_ctrl(const struct cgroup_host *h, enum cgroup_ctrl c, const char *what,
		     unsigned *need, struct berth_error **err)
{
	if (h->ctrl[c] < 0)
		return berth_error_set(err, EOPNOTSUPP,
				       "%s: the %s cgroup controller is not available on this "
				       "host (cgroup layout %s)",
				       what, cgroup_ctrl_name(c, h->layout == CG_LAYOUT_V2),
				       cgroup_host_layout(h));
	*need |= CG_BIT(c);
	return 0;
}

static bool on_v2(const struct cgroup_host *h, enum cgroup_ctrl c)
{
	return h->ctrl[c] >= 0 && h->h[h->ctrl[c]].v2;
}

static int check_unified(const struct cgroup_host *h, const struct oci_resources *r, unsigned *need,
			 struct berth_error **err)
{
	for (size_t i = 0; i < r->n_unified; i++) {
		const char *k = r->unified[i].key;
		if (h->unified < 0)
			return berth_error_set(err, EOPNOTSUPP,
					       "linux.resources.unified.%s: cgroup v2 is not "
					       "available on this host (cgroup v1)",
					       k);
		const char *dot = strchr(k, '.');
		if (dot == NULL || dot == k)
			return berth_error_set(err, EINVAL,
					       "linux.resources.unified.%s: must be in the form "
					       "CONTROLLER.PARAMETER",
					       k);
		cleanup_free char *ctrl = xasprintf("%.*s", (int)(dot - k), k);
		int c = cgroup_ctrl_from_name(ctrl, true);
		if (strcmp(ctrl, "cgroup") == 0 || c < 0)
			continue; /* core files, or a controller we have no name for */
		if (!(h->h[h->unified].mask & CG_BIT(c))) {
			if (h->ctrl[c] >= 0)
				return berth_error_set(err, EOPNOTSUPP,
						       "linux.resources.unified.%s: the %s "
						       "controller is on a cgroup v1 hierarchy on "
						       "this host",
						       k, ctrl);
			return berth_error_set(err, EOPNOTSUPP,
					       "linux.resources.unified.%s: controller \"%s\" is "
					       "not available",
					       k, ctrl);
		}
		*need |= CG_BIT(c);
	}
	return 0;
}

static int check_cpu(const struct cgroup_host *h, const struct oci_cpu *c, unsigned *need,
		     struct berth_error **err)
{
	const char *p = "linux.resources.cpu";
	bool rt = (c->has_rt_runtime && c->rt_runtime) || (c->has_rt_period && c->rt_period);
	if (((c->has_shares && c->shares) || (c->has_quota && c->quota) ||
	     (c->has_period && c->period) || (c->has_burst) || c->has_idle || rt) &&
	    need_ctrl(h, CG_CPU, p, need, err) < 0)
		return -1;
	if (rt && on_v2(h, CG_CPU))
		return berth_error_set(err, EOPNOTSUPP,
				       "%s.%s: realtime scheduling limits are not supported on "
				       "cgroup v2",
				       p, c->has_rt_runtime ? "realtimeRuntime" : "realtimePeriod");
	if ((c->cpus || c->mems) && need_ctrl(h, CG_CPUSET, p, need, err) < 0)
		return -1;
	return 0;
}

/* Which controllers res needs, and whether this host can apply it. */
static int check_resources(const struct cgroup_host *h, const struct oci_resources *r,
			   unsigned *need, struct berth_error **err)
{
	*need = 0;
	if (r == NULL)
		return 0;
	const struct oci_memory *m = &r->memory;
	if (r->has_memory &&
	    (m->has_limit || m->has_reservation || m->has_swap || m->has_swappiness ||
	     m->has_disable_oom_killer) &&
	    need_ctrl(h, CG_MEMORY, "linux.resources.memory", need, err) < 0)
		return -1;
	if (r->has_cpu && check_cpu(h, &r->cpu, need, err) < 0)
		return -1;
	if (r->has_pids && need_ctrl(h, CG_PIDS, "linux.resources.pids", need, err) < 0)
		return -1;
	const struct oci_blkio *b = &r->blkio;
	bool blk = b->has_weight || b->has_leaf_weight || b->n_weight_devices;
	for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
		blk = blk || b->n_throttle[k];
	if (r->has_blkio && blk && need_ctrl(h, CG_BLKIO, "linux.resources.blockIO", need, err) < 0)
		return -1;
	if (r->n_hugepages &&
	    need_ctrl(h, CG_HUGETLB, "linux.resources.hugepageLimits", need, err) < 0)
		return -1;
	if (r->has_network && h->layout == CG_LAYOUT_V2) {
		if (r->network.has_class_id || r->network.n_priorities)
			log_warn("linux.resources.network: net_cls and net_prio are cgroup v1 "
				 "controllers; ignored on cgroup v2");
	} else if (r->has_network) {
		if (r->network.has_class_id &&
		    need_ctrl(h, CG_NET_CLS, "linux.resources.network.classID", need, err) < 0)
			return -1;
		if (r->network.n_priorities &&
		    need_ctrl(h, CG_NET_PRIO, "linux.resources.network.priorities", need, err) < 0)
			return -1;
	}
	if (r->has_devices && need_ctrl(h, CG_DEVICES, "linux.resources.devices", need, err) < 0)
		return -1;
	if (r->n_rdma && need_ctrl(h, CG_RDMA, "linux.resources.rdma", need, err) < 0)
		return -1;
	return check_unified(h, r, need, err);
}

/* --- paths --- */

/* The runtime's own cgroup in hierarchy hi, relative to its mount: where a
 * relative cgroupsPath starts ("" for the mount's root). */
static int own_base(const struct cgroup_hier *hi, char **out, struct berth_error **err)
{
	if (hi->own == NULL)
		return berth_error_set(
		    err, ENOENT, "no entry for the %s hierarchy in /proc/self/cgroup", hi->name);
	cleanup_free char *own = xstrdup(hi->own);
	if (hi->v2) {
		/* the parent: our own cgroup has processes (us) */
		char *slash = strrchr(own, '/');
		if (slash)
			*slash = '\0';
	}
	size_t rl = strcmp(hi->mount_root, "/") == 0 ? 0 : strlen(hi->mount_root);
	if (rl && (strncmp(own, hi->mount_root, rl) != 0 || (own[rl] != '/' && own[rl] != '\0')))
		return berth_error_set(err, ENOENT,
				       "the runtime's cgroup %s is outside the %s mount of %s",
				       hi->own, hi->mountpoint, hi->mount_root);
	*out = xstrdup(own + rl);
	size_t n = strlen(*out);
	while (n > 0 && (*out)[n - 1] == '/')
		(*out)[--n] = '\0';
	return 0;
}

static int primary_hier(const struct cgroup_host *h)
{
	if (h->layout == CG_LAYOUT_V2)
		return h->unified;
	if (h->ctrl[CG_MEMORY] >= 0)
		return h->ctrl[CG_MEMORY];
	return 0;
}

/* The container's cgroup path as hierarchy hi names it. */
static char *hier_path(const struct cgroup_hier *hi, const char *p, bool absolute)
{
	if (absolute)
		return xstrdup(p);
	cleanup_free char *own = xstrdup(hi->own ? hi->own : "");
	char *slash = strrchr(own, '/');
	if (hi->v2 && slash)
		*slash = '\0';
	size_t n = strlen(own);
	while (n > 0 && own[n - 1] == '/')
		own[--n] = '\0';
	return xasprintf("%s/%s", own, p);
}

static int make_dirs(struct cgroup *cg, const char *p, bool absolute, struct berth_error **err)
{
	struct cgroup_host *h = cg->host;
	cg->dirs = xcalloc(h->n, sizeof(*cg->dirs));
	for (size_t i = 0; i < h->n; i++) {
		const struct cgroup_hier *hi = &h->h[i];
		cleanup_free char *base = NULL;
		if (!absolute && own_base(hi, &base, err) < 0)
			return -1;
		struct cgroup_dir *d = &cg->dirs[cg->n++];
		d->path =
		    xasprintf("%s%s%s%s", hi->mountpoint, base ? base : "", absolute ? "" : "/", p);
		d->base = xstrdup(hi->mountpoint);
		d->name = xstrdup(hi->name);
		d->v2 = hi->v2;
		d->mask = hi->mask;
	}
	cg->path = hier_path(&h->h[primary_hier(h)], p, absolute);
	return 0;
}

int cgroup_new(struct cgroup_host *h, const char *cgroups_path, const char *id,
	       const struct oci_resources *res, struct cgroup **out, struct berth_error **err)
{
	cleanup_free char *dflt = NULL;
	const char *given = cgroups_path && *cgroups_path ? cgroups_path : NULL;
	if (given == NULL) {
		if (id == NULL || *id == '\0' || strchr(id, '/') || strcmp(id, "..") == 0)
			return berth_error_set(
			    err, EINVAL, "invalid container id for a cgroup: \"%s\"", id ? id : "");
		given = dflt = xasprintf("/berth/%s", id);
	}
	bool absolute;
	cleanup_free char *p = clean_path(given, &absolute);
	if (strcmp(p, "/") == 0 || *p == '\0')
		return berth_error_set(err, EINVAL,
				       "linux.cgroupsPath: \"%s\" is %s; a container needs a "
				       "cgroup of its own",
				       given,
				       absolute ? "the root cgroup" : "the runtime's own cgroup");
	unsigned need;
	if (check_resources(h, res, &need, err) < 0)
		return -1;
	if (res && res->has_memory &&
	    ((res->memory.has_kernel && res->memory.kernel) ||
	     (res->memory.has_kernel_tcp && res->memory.kernel_tcp)))
		log_warn("linux.resources.memory.kernel/kernelTCP: kernel memory limits are "
			 "deprecated by Linux and ignored");
	struct cgroup *cg = xcalloc(1, sizeof(*cg));
	cg->host = h;
	cg->id = xstrdup(id ? id : "");
	cg->need = need;
	cg->oom_dir = -1;
	if (make_dirs(cg, p, absolute, err) < 0) {
		cgroup_free(cg);
		return -1;
	}
	*out = cg;
	return 0;
}

const char *cgroup_path(const struct cgroup *cg)
{
	return cg->path;
}

/* --- create / destroy --- */

/* rmdir, retrying on EBUSY while the last tasks leave (about 5 s). */
static int rmdir_retry(const struct cgroup *cg, const char *path)
{
	if (cg->host->hooks.rmdir)
		cg->host->hooks.rmdir(path, cg->host->hooks.data);
	unsigned delay = 5, waited = 0;
	for (;;) {
		if (rmdir(path) == 0 || errno == ENOENT)
			return 0;
		if (errno != EBUSY || waited >= 5000)
			return -1;
		cgroup_sleep_ms(delay);
		waited += delay;
		delay = delay < 200 ? delay * 2 : 200;
	}
}

/* Remove dir and every cgroup below it (sub-cgroups the container made). */
static int remove_tree(const struct cgroup *cg, const char *dir, struct berth_error **err)
{
	cleanup_closedir DIR *dp = opendir(dir);
	if (dp == NULL)
		return errno == ENOENT ? 0 : berth_error_errno(err, "open %s", dir);
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_type != DT_DIR || strcmp(e->d_name, ".") == 0 ||
		    strcmp(e->d_name, "..") == 0)
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, e->d_name);
		if (remove_tree(cg, sub, err) < 0)
			return -1;
	}
	if (rmdir_retry(cg, dir) < 0)
		return berth_error_errno(err, "remove cgroup %s", dir);
	return 0;
}

static int destroy_dir(const struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err)
{
	if (d->created == NULL || d->gone)
		return 0;
	if (remove_tree(cg, d->path, err) < 0)
		return -1;
	/* then the parents this container created, up to the topmost one;
	 * a parent another container now uses is left (not empty) */
	cleanup_free char *p = xstrdup(d->path);
	size_t top = strlen(d->created);
	for (char *slash = strrchr(p, '/'); slash && (size_t)(slash - p) >= top;
	     slash = strrchr(p, '/')) {
		*slash = '\0';
		if (cg->host->hooks.rmdir)
			cg->host->hooks.rmdir(p, cg->host->hooks.data);
		if (rmdir(p) < 0)
			break;
	}
	free(d->created);
	d->created = NULL;
	return 0;
}

int cgroup_destroy(struct cgroup *cg, struct berth_error **err)
{
	int ret = 0;
	for (size_t i = 0; i < cg->n; i++) {
		struct berth_error *e = NULL;
		if (destroy_dir(cg, &cg->dirs[i], &e) < 0) {
			if (ret == 0 && err && *err == NULL)
				*err = e;
			else
				berth_error_free(&e);
			ret = -1;
		}
	}
	return ret;
}

int cgroup_create(struct cgroup *cg, struct berth_error **err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		if (cgroup_dir_ops(d)->create(cg, d, err) < 0) {
			struct berth_error *e = NULL;
			if (cgroup_destroy(cg, &e) < 0) {
				log_warn("cgroup %s: cleanup after a failed create: %s", cg->path,
					 e->msg);
				berth_error_free(&e);
			}
			return -1;
		}
	}
	return 0;
}

int cgroup_apply(struct cgroup *cg, const struct oci_resources *res, struct berth_error **err)
{
	if (res == NULL)
		return 0;
	unsigned need;
	if (check_resources(cg->host, res, &need, err) < 0)
		return -1;
	cg->need |= need;
	for (size_t i = 0; i < cg->n; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		if (!d->gone && cgroup_dir_ops(d)->apply(cg, d, res, err) < 0)
			return -1;
	}
	return 0;
}

int cgroup_add_pid(struct cgroup *cg, pid_t pid, struct berth_error **err)
{
	for (size_t i = 0; i < cg->n; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		if (d->gone)
			continue;
		for (int attempt = 0;; attempt++) {
			struct berth_error *e = NULL;
			if (cgroup_writef(cg, d->path, "cgroup.procs", &e, "%d", (int)pid) == 0)
				break;
			/* EINVAL: the task may still be in TASK_NEW (runc retries too) */
			if (e->code != EINVAL || attempt >= 5) {
				*err = e;
				return -1;
			}
			berth_error_free(&e);
			cgroup_sleep_ms(30);
		}
	}
	return 0;
}

/* The directory used for pids and freeze: the freezer's, else any. */
static struct cgroup_dir *dir_for(struct cgroup *cg, enum cgroup_ctrl c)
{
	for (size_t i = 0; i < cg->n; i++)
		if (!cg->dirs[i].gone && (cg->dirs[i].mask & CG_BIT(c)))
			return &cg->dirs[i];
	return NULL;
}

static int collect_pids(const char *dir, pid_t **v, size_t *n, size_t *cap,
			struct berth_error **err)
{
	cleanup_free char *data = NULL;
	if (cgroup_read(dir, "cgroup.procs", &data, err) < 0)
		return -1;
	for (char *l = data; *l;) {
		char *end;
		long pid = strtol(l, &end, 10);
		if (end == l)
			break;
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 16;
			*v = xrealloc(*v, *cap * sizeof(pid_t));
		}
		(*v)[(*n)++] = (pid_t)pid;
		l = *end ? end + 1 : end;
	}
	cleanup_closedir DIR *dp = opendir(dir);
	if (dp == NULL)
		return berth_error_errno(err, "open %s", dir);
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_type != DT_DIR || e->d_name[0] == '.')
			continue;
		cleanup_free char *sub = xasprintf("%s/%s", dir, e->d_name);
		if (collect_pids(sub, v, n, cap, err) < 0)
			return -1;
	}
	return 0;
}

static int cmp_pid(const void *a, const void *b)
{
	pid_t x = *(const pid_t *)a, y = *(const pid_t *)b;
	return (x > y) - (x < y);
}

int cgroup_pids(struct cgroup *cg, pid_t **pids, size_t *n, struct berth_error **err)
{
	struct cgroup_dir *d = dir_for(cg, CG_FREEZER);
	for (size_t i = 0; d == NULL && i < cg->n; i++)
		if (!cg->dirs[i].gone)
			d = &cg->dirs[i];
	*pids = NULL;
	*n = 0;
	if (d == NULL)
		return berth_error_set(err, ENOENT, "cgroup %s: no hierarchy is mounted", cg->path);
	size_t cap = 0;
	if (collect_pids(d->path, pids, n, &cap, err) < 0) {
		free(*pids);
		*pids = NULL;
		*n = 0;
		return -1;
	}
	qsort(*pids, *n, sizeof(pid_t), cmp_pid);
	return 0;
}

int cgroup_freeze(struct cgroup *cg, bool frozen, struct berth_error **err)
{
	struct cgroup_dir *d = dir_for(cg, CG_FREEZER);
	if (d == NULL)
		return berth_error_set(err, EOPNOTSUPP,
				       "cgroup %s: no freezer (the v1 freezer controller is not "
				       "mounted and there is no cgroup2 mount)",
				       cg->path);
	return cgroup_dir_ops(d)->freeze(cg, d, frozen, err);
}

bool cgroup_is_frozen(struct cgroup *cg)
{
	struct cgroup_dir *d = dir_for(cg, CG_FREEZER);
	return d && cgroup_dir_ops(d)->is_frozen(d);
}

int cgroup_stats(struct cgroup *cg, json_t **out, struct berth_error **err)
{
	json_t *data = json_object();
	for (size_t i = 0; i < cg->n; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		if (d->gone || d->mask == 0)
			continue;
		if (cgroup_dir_ops(d)->stats(d, data, err) < 0) {
			json_decref(data);
			return -1;
		}
	}
	*out = data;
	return 0;
}

int cgroup_oom_fd(struct cgroup *cg, struct berth_error **err)
{
	struct cgroup_dir *d = dir_for(cg, CG_MEMORY);
	if (d == NULL)
		return berth_error_set(
		    err, EOPNOTSUPP, "cgroup %s: the memory controller is not available", cg->path);
	int fd = cgroup_dir_ops(d)->oom_fd(cg, d, err);
	if (fd < 0)
		return -1;
	uint64_t n = 0;
	struct berth_error *e = NULL;
	if (cgroup_dir_ops(d)->oom_kills(d, &n, &e) < 0)
		berth_error_free(&e); /* no oom_kill counter: starts at 0 */
	cg->oom_dir = (int)(d - cg->dirs);
	cg->oom_base = n;
	return fd;
}

int cgroup_oom_check(struct cgroup *cg, int fd, bool *oom, struct berth_error **err)
{
	*oom = false;
	if (cg->oom_dir < 0)
		return berth_error_set(err, EINVAL, "cgroup %s: no OOM watch (cgroup_oom_fd)",
				       cg->path);
	/* consume the event (eventfd counter or inotify records); non-blocking */
	char buf[4096];
	while (read(fd, buf, sizeof(buf)) > 0)
		;
	struct cgroup_dir *d = &cg->dirs[cg->oom_dir];
	uint64_t n;
	struct berth_error *e = NULL;
	if (cgroup_dir_ops(d)->oom_kills(d, &n, &e) < 0) {
		int code = e->code;
		if (code == ENOENT) { /* the cgroup is gone: no OOM to report */
			berth_error_free(&e);
			return 0;
		}
		*err = e;
		return -1;
	}
	*oom = n > cg->oom_base;
	cg->oom_base = n;
	return 0;
}

/* --- state --- */

json_t *cgroup_to_json(const struct cgroup *cg)
{
	json_t *dirs = json_array();
	for (size_t i = 0; i < cg->n; i++) {
		const struct cgroup_dir *d = &cg->dirs[i];
		json_t *ctrls = json_array();
		for (int c = 0; c < CG_NCTRL; c++)
			if (d->mask & CG_BIT(c))
				json_array_append_new(ctrls,
						      json_string(cgroup_ctrl_name(c, false)));
		json_array_append_new(
		    dirs, json_pack("{s:s, s:s, s:s, s:b, s:o, s:o}", "hierarchy", d->name, "path",
				    d->path, "mount", d->base, "v2", d->v2, "controllers", ctrls,
				    "created", d->created ? json_string(d->created) : json_null()));
	}
	return json_pack("{s:s, s:s, s:o}", "id", cg->id, "path", cg->path ? cg->path : "", "dirs",
			 dirs);
}

/* Is path strictly below base ("base/...") without any ".." component? */
static bool below(const char *path, const char *base)
{
	size_t n = strlen(base);
	return strncmp(path, base, n) == 0 && path[n] == '/' && path[n + 1] != '\0' &&
	       strstr(path, "/../") == NULL && strcmp(path + strlen(path) - 3, "/..") != 0;
}

static int dir_from_json(const struct cgroup_host *h, json_t *j, size_t i, struct cgroup_dir *d,
			 struct berth_error **err)
{
	const char *name, *path, *mount;
	int v2;
	json_t *ctrls, *created;
	if (json_unpack(j, "{s:s, s:s, s:s, s:b, s:o, s:o}", "hierarchy", &name, "path", &path,
			"mount", &mount, "v2", &v2, "controllers", &ctrls, "created",
			&created) < 0 ||
	    !json_is_array(ctrls) || (!json_is_null(created) && !json_is_string(created)))
		return berth_error_set(err, EINVAL, "cgroup state: dirs[%zu] is malformed", i);
	if (!below(path, mount) ||
	    (json_is_string(created) &&
	     (!below(json_string_value(created), mount) ||
	      strncmp(path, json_string_value(created), strlen(json_string_value(created))) != 0)))
		return berth_error_set(err, EINVAL, "cgroup state: dirs[%zu]: bad path %s", i,
				       path);
	d->path = xstrdup(path);
	d->base = xstrdup(mount);
	d->name = xstrdup(name);
	d->v2 = v2;
	d->created = json_is_string(created) ? xstrdup(json_string_value(created)) : NULL;
	size_t k;
	json_t *c;
	json_array_foreach(ctrls, k, c)
	{
		int ci =
		    json_is_string(c) ? cgroup_ctrl_from_name(json_string_value(c), false) : -1;
		if (ci >= 0)
			d->mask |= CG_BIT(ci);
	}
	/* the hierarchy must still be mounted there (a v1 hierarchy can be
	 * unmounted and its mount point left as a plain directory) */
	d->gone = true;
	for (size_t m = 0; m < h->n; m++)
		if (strcmp(h->h[m].mountpoint, mount) == 0 && h->h[m].v2 == d->v2)
			d->gone = false;
	return 0;
}

int cgroup_from_json(struct cgroup_host *h, json_t *j, struct cgroup **out,
		     struct berth_error **err)
{
	const char *id, *path;
	json_t *dirs;
	if (json_unpack(j, "{s:s, s:s, s:o}", "id", &id, "path", &path, "dirs", &dirs) < 0 ||
	    !json_is_array(dirs))
		return berth_error_set(err, EINVAL, "cgroup state: malformed");
	struct cgroup *cg = xcalloc(1, sizeof(*cg));
	cg->host = h;
	cg->id = xstrdup(id);
	cg->path = xstrdup(path);
	cg->oom_dir = -1;
	cg->dirs = xcalloc(json_array_size(dirs) + 1, sizeof(*cg->dirs));
	size_t i;
	json_t *d;
	json_array_foreach(dirs, i, d)
	{
		if (dir_from_json(h, d, i, &cg->dirs[cg->n], err) < 0) {
			cgroup_free(cg);
			return -1;
		}
		cg->n++;
	}
	*out = cg;
	return 0;
}

void cgroup_free(struct cgroup *cg)
{
	if (cg == NULL)
		return;
	for (size_t i = 0; i < cg->n; i++) {
		free(cg->dirs[i].path);
		free(cg->dirs[i].base);
		free(cg->dirs[i].name);
		free(cg->dirs[i].created);
	}
	free(cg->dirs);
	free(cg->id);
	free(cg->path);
	free(cg);
}
