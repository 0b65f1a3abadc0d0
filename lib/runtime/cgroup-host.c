/* The host's cgroup layout, read from a mountinfo file and the process's
 * /proc/self/cgroup, plus the control-file helpers every driver uses.
 *
 * v1 hierarchies are keyed by their super options ("rw,cpu,cpuacct"); the
 * cgroup2 mount serves the controllers listed in its root's
 * cgroup.controllers that no v1 hierarchy holds (a controller is bound to one
 * hierarchy at a time: on this kind of hybrid host hugetlb is on cgroup2 at
 * boot and moves to v1 when someone mounts it there), plus the devices and
 * freezer pseudo-controllers when v1 does not have them. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *const v1_names[CG_NCTRL] = {
    "cpu",  "cpuacct", "cpuset",  "memory",   "devices", "freezer", "blkio",
    "pids", "hugetlb", "net_cls", "net_prio", "rdma",	 "misc",    "perf_event"};

const char *cgroup_ctrl_name(enum cgroup_ctrl c, bool v2)
{
	if (c >= CG_NCTRL)
		return "?";
	if (v2 && c == CG_BLKIO)
		return "io";
	return v1_names[c];
}

int cgroup_ctrl_from_name(const char *name, bool v2)
{
	if (v2 && strcmp(name, "io") == 0)
		return CG_BLKIO;
	if (v2 && strcmp(name, "blkio") == 0)
		return -1;
	for (int c = 0; c < CG_NCTRL; c++)
		if (strcmp(name, v1_names[c]) == 0)
			return c;
	return -1;
}

/* --- mountinfo --- */

/* Undo mountinfo's octal escapes (\040 for a space) in place. */
static void unescape(char *s)
{
	char *w = s;
	for (char *r = s; *r; r++) {
		if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
		    r[3] >= '0' && r[3] <= '7') {
			*w++ = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
			r += 3;
		} else {
			*w++ = *r;
		}
	}
	*w = '\0';
}

struct mount_entry {
	char *dev, *root, *mountpoint, *fstype, *super;
};

/* Split one mountinfo line; false if it is malformed. Pointers into line. */
static bool split_mountinfo(char *line, struct mount_entry *m)
{
	char *save = NULL, *f[6];
	int i = 0;
	char *t = strtok_r(line, " \n", &save);
	for (; t && i < 6; i++, t = i < 6 ? strtok_r(NULL, " \n", &save) : t)
		f[i] = t;
	if (i < 6)
		return false;
	/* f: id parent dev root mountpoint options; then optional fields to "-" */
	while ((t = strtok_r(NULL, " \n", &save)) && strcmp(t, "-") != 0)
		;
	if (t == NULL)
		return false;
	m->dev = f[2];
	m->root = f[3];
	m->mountpoint = f[4];
	m->fstype = strtok_r(NULL, " \n", &save);
	if (m->fstype == NULL || strtok_r(NULL, " \n", &save) == NULL)
		return false;
	m->super = strtok_r(NULL, " \n", &save);
	if (m->super == NULL)
		m->super = "";
	unescape(m->root);
	unescape(m->mountpoint);
	return true;
}

/* Does the comma list `set` contain every item of the comma list `items`? */
static bool list_contains_all(const char *set, const char *items)
{
	cleanup_free char *copy = xstrdup(items);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(t);
		const char *p = set;
		bool found = false;
		while ((p = strstr(p, t)) != NULL) {
			if ((p == set || p[-1] == ',') && (p[n] == ',' || p[n] == '\0')) {
				found = true;
				break;
			}
			p += n;
		}
		if (!found)
			return false;
	}
	return true;
}

/* v1 super options -> controller mask and name ("cpu,cpuacct"). */
static unsigned v1_controllers(const char *super, char **name)
{
	cleanup_free char *copy = xstrdup(super);
	unsigned mask = 0;
	char *n = NULL, *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int c = cgroup_ctrl_from_name(t, false);
		if (c < 0 && strncmp(t, "name=", 5) != 0)
			continue;
		if (c >= 0)
			mask |= CG_BIT(c);
		char *nn = n ? xasprintf("%s,%s", n, t) : xstrdup(t);
		free(n);
		n = nn;
	}
	*name = n;
	return mask;
}

struct detect {
	struct cgroup_host *h;
	char **supers; /* v1 super options per hierarchy, for /proc/self/cgroup */
	char **devs;
};

static void add_hier(struct detect *d, const struct mount_entry *m, const char *fs_root)
{
	struct cgroup_host *h = d->h;
	bool v2 = strcmp(m->fstype, "cgroup2") == 0;
	for (size_t i = 0; i < h->n; i++) {
		if (strcmp(d->devs[i], m->dev) != 0)
			continue;
		/* the same hierarchy mounted again: prefer a mount of its root */
		if (strcmp(h->h[i].mount_root, "/") == 0 || strcmp(m->root, "/") != 0)
			return;
		free(h->h[i].mountpoint);
		free(h->h[i].mount_root);
		h->h[i].mountpoint = xasprintf("%s%s", fs_root, m->mountpoint);
		h->h[i].mount_root = xstrdup(m->root);
		return;
	}
	char *name = NULL;
	unsigned mask = v2 ? 0 : v1_controllers(m->super, &name);
	if (!v2 && name == NULL)
		return; /* a v1 mount with neither controllers nor a name */
	h->h = xrealloc(h->h, (h->n + 1) * sizeof(*h->h));
	d->supers = xrealloc(d->supers, (h->n + 1) * sizeof(char *));
	d->devs = xrealloc(d->devs, (h->n + 1) * sizeof(char *));
	h->h[h->n] = (struct cgroup_hier){.mountpoint = xasprintf("%s%s", fs_root, m->mountpoint),
					  .mount_root = xstrdup(m->root),
					  .name = v2 ? xstrdup("unified") : name,
					  .v2 = v2,
					  .mask = mask};
	d->supers[h->n] = xstrdup(m->super);
	d->devs[h->n] = xstrdup(m->dev);
	if (v2 && h->unified < 0)
		h->unified = (int)h->n;
	h->n++;
}

static int read_mountinfo(struct detect *d, const char *file, const char *fs_root,
			  struct berth_error **err)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	if (f == NULL)
		return berth_error_errno(err, "open %s", file);
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		struct mount_entry m;
		if (!split_mountinfo(line, &m))
			continue;
		if (strcmp(m.fstype, "cgroup") == 0 || strcmp(m.fstype, "cgroup2") == 0)
			add_hier(d, &m, fs_root);
	}
	return 0;
}

/* "N:controllers:/path" lines: the process's cgroup in each hierarchy. */
static void read_own(struct detect *d, const char *file)
{
	cleanup_free char *data = NULL;
	struct berth_error *e = NULL;
	if (fs_read_file(file, &data, NULL, &e) < 0) {
		berth_error_free(&e);
		return;
	}
	char *save = NULL;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		for (size_t i = 0; i < d->h->n; i++) {
			struct cgroup_hier *hi = &d->h->h[i];
			bool match = hi->v2
					 ? *ctrls == '\0' && strncmp(l, "0:", 2) == 0
					 : *ctrls != '\0' && list_contains_all(d->supers[i], ctrls);
			if (match && hi->own == NULL)
				hi->own = xstrdup(path);
		}
	}
}

/* cgroup.controllers of the cgroup2 root: what it can serve. */
static unsigned v2_available(const char *mountpoint)
{
	cleanup_free char *data = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(mountpoint, "cgroup.controllers", &data, &e) < 0) {
		berth_error_free(&e);
		return 0;
	}
	unsigned mask = 0;
	char *save = NULL;
	for (char *t = strtok_r(data, " \n", &save); t; t = strtok_r(NULL, " \n", &save)) {
		int c = cgroup_ctrl_from_name(t, true);
		if (c >= 0)
			mask |= CG_BIT(c);
	}
	return mask;
}

static void assign_controllers(struct cgroup_host *h)
{
	unsigned v1 = 0;
	for (int c = 0; c < CG_NCTRL; c++)
		h->ctrl[c] = -1;
	for (size_t i = 0; i < h->n; i++) {
		if (h->h[i].v2)
			continue;
		h->h[i].mask &= ~v1; /* a controller is bound once */
		v1 |= h->h[i].mask;
		for (int c = 0; c < CG_NCTRL; c++)
			if (h->h[i].mask & CG_BIT(c))
				h->ctrl[c] = (int)i;
	}
	if (h->unified >= 0) {
		struct cgroup_hier *u = &h->h[h->unified];
		unsigned m = v2_available(u->mountpoint) & CG_V2_REAL;
		/* every non-root cgroup2 directory has cgroup.freeze and can take
		 * a device program; cpu.stat is there without the cpu controller */
		m |= CG_BIT(CG_DEVICES) | CG_BIT(CG_FREEZER) | CG_BIT(CG_CPUACCT);
		u->mask = m & ~v1;
		for (int c = 0; c < CG_NCTRL; c++)
			if (u->mask & CG_BIT(c))
				h->ctrl[c] = h->unified;
	}
	h->layout = h->unified < 0 ? CG_LAYOUT_V1 : v1 ? CG_LAYOUT_HYBRID : CG_LAYOUT_V2;
}

int cgroup_host_detect(const struct cgroup_env *env, struct cgroup_host **out,
		       struct berth_error **err)
{
	const char *mountinfo = env && env->mountinfo ? env->mountinfo : "/proc/self/mountinfo";
	const char *self =
	    env && env->proc_self_cgroup ? env->proc_self_cgroup : "/proc/self/cgroup";
	const char *fs_root = env && env->fs_root ? env->fs_root : "";
	struct cgroup_host *h = xcalloc(1, sizeof(*h));
	h->unified = -1;
	if (env && env->hooks)
		h->hooks = *env->hooks;
	struct detect d = {.h = h};
	int r = read_mountinfo(&d, mountinfo, fs_root, err);
	if (r == 0) {
		read_own(&d, self);
		assign_controllers(h);
		if (h->n == 0)
			r = berth_error_set(err, ENOENT, "no cgroup file system is mounted (%s)",
					    mountinfo);
	}
	for (size_t i = 0; i < h->n; i++) {
		free(d.supers[i]);
		free(d.devs[i]);
	}
	free(d.supers);
	free(d.devs);
	if (r < 0) {
		cgroup_host_free(h);
		return -1;
	}
	*out = h;
	return 0;
}

void cgroup_host_free(struct cgroup_host *h)
{
	if (h == NULL)
		return;
	for (size_t i = 0; i < h->n; i++) {
		free(h->h[i].mountpoint);
		free(h->h[i].mount_root);
		free(h->h[i].own);
		free(h->h[i].name);
	}
	free(h->h);
	free(h);
}

const char *cgroup_host_layout(const struct cgroup_host *h)
{
	static const char *const names[] = {"v1", "hybrid", "v2"};
	return names[h->layout];
}

/* --- control files --- */

int cgroup_write(const struct cgroup *cg, const char *dir, const char *file, const char *value,
		 struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	cleanup_close int fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "write %s to %s", value, path);
	return cgroup_write_fd(cg, fd, path, value, err);
}

int cgroup_write_fd(const struct cgroup *cg, int fd, const char *path, const char *value,
		    struct berth_error **err)
{
	size_t len = strlen(value);
	ssize_t w;
	do
		w = write(fd, value, len);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return berth_error_errno(err, "write %s to %s", value, path);
	if ((size_t)w != len)
		return berth_error_set(err, EIO, "write %s to %s: short write", value, path);
	if (cg && cg->host->hooks.write)
		cg->host->hooks.write(path, value, cg->host->hooks.data);
	return 0;
}

int cgroup_writef(const struct cgroup *cg, const char *dir, const char *file,
		  struct berth_error **err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	cleanup_free char *v = xvasprintf(fmt, ap);
	va_end(ap);
	return cgroup_write(cg, dir, file, v, err);
}

int cgroup_read(const char *dir, const char *file, char **out, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	size_t len;
	if (fs_read_file(path, out, &len, err) < 0)
		return -1;
	while (len > 0 && ((*out)[len - 1] == '\n' || (*out)[len - 1] == ' '))
		(*out)[--len] = '\0';
	return 0;
}

static int parse_u64(const char *s, uint64_t *out)
{
	if (strcmp(s, "max") == 0) {
		*out = UINT64_MAX;
		return 0;
	}
	if (*s < '0' || *s > '9')
		return -1;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || (*end != '\0' && *end != '\n' && *end != ' '))
		return -1;
	*out = v;
	return 0;
}

int cgroup_read_u64(const char *dir, const char *file, uint64_t *out, struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (cgroup_read(dir, file, &s, err) < 0)
		return -1;
	if (parse_u64(s, out) < 0)
		return berth_error_set(err, EINVAL, "read %s/%s: not a number: \"%.40s\"", dir,
				       file, s);
	return 0;
}

int cgroup_read_key(const char *dir, const char *file, const char *key, uint64_t *out,
		    struct berth_error **err)
{
	cleanup_free char *s = NULL;
	if (cgroup_read(dir, file, &s, err) < 0)
		return -1;
	size_t n = strlen(key);
	for (char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, n) == 0 && l[n] == ' ' && parse_u64(l + n + 1, out) == 0)
			return 0;
	}
	return berth_error_set(err, ENOENT, "read %s/%s: no \"%s\" line", dir, file, key);
}

json_t *cgroup_read_keys(const char *dir, const char *file)
{
	cleanup_free char *s = NULL;
	struct berth_error *e = NULL;
	if (cgroup_read(dir, file, &s, &e) < 0) {
		berth_error_free(&e);
		return NULL;
	}
	json_t *o = json_object();
	char *save = NULL;
	for (char *l = strtok_r(s, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(l, ' ');
		uint64_t v;
		if (sp == NULL)
			continue;
		*sp = '\0';
		if (parse_u64(sp + 1, &v) == 0)
			json_object_set_new(o, l, cgroup_json_u64(v));
	}
	return o;
}

bool cgroup_file_exists(const char *dir, const char *file)
{
	cleanup_free char *path = xasprintf("%s/%s", dir, file);
	return access(path, F_OK) == 0;
}

int cgroup_mkdir(const struct cgroup *cg, const char *path, bool *created, struct berth_error **err)
{
	*created = false;
	if (mkdir(path, 0755) < 0) {
		if (errno == EEXIST)
			return 0;
		return berth_error_errno(err, "mkdir %s", path);
	}
	*created = true;
	if (cg->host->hooks.mkdir)
		cg->host->hooks.mkdir(path, cg->host->hooks.data);
	return 0;
}

char **cgroup_dir_levels(const struct cgroup_dir *d)
{
	size_t blen = strlen(d->base), n = 1;
	for (const char *p = d->path + blen; *p; p++)
		n += *p == '/';
	char **v = xcalloc(n + 2, sizeof(char *));
	size_t k = 0;
	v[k++] = xstrdup(d->base);
	for (const char *p = d->path + blen; *p; p++)
		if (*p == '/' && p != d->path + blen)
			v[k++] = xasprintf("%.*s", (int)(p - d->path), d->path);
	if (strlen(d->path) > blen)
		v[k++] = xstrdup(d->path);
	return v;
}

void cgroup_sleep_ms(unsigned ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

json_t *cgroup_json_u64(uint64_t v)
{
	/* jansson integers are signed: "max" (UINT64_MAX) is capped */
	return json_integer(v > INT64_MAX ? INT64_MAX : (json_int_t)v);
}

void cgroup_json_set_nz(json_t *o, const char *key, uint64_t v)
{
	if (v != 0)
		json_object_set_new(o, key, cgroup_json_u64(v));
}

json_t *cgroup_json_object(json_t *parent, const char *key)
{
	json_t *o = json_object_get(parent, key);
	if (o == NULL) {
		o = json_object();
		json_object_set_new(parent, key, o);
	}
	return o;
}
