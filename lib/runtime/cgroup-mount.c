/* A "cgroup" mount in config.json: the container's view of the host's
 * cgroup hierarchies. cgroup v2: one cgroup2 mount. v1 and hybrid: a tmpfs
 * with one directory per hierarchy. In a new cgroup namespace each hierarchy
 * is mounted fresh (it shows the namespace root); otherwise the container's
 * own cgroup directory is bound from the host. */
#include "runtime/mount.h"
#include "runtime/path.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

struct hierarchy {
	char *mountpoint; /* host mount point, e.g. /sys/fs/cgroup/memory */
	char *fstype;	  /* cgroup or cgroup2 */
	char *options;	  /* super options: the controllers for v1 */
};

static void hierarchies_free(struct hierarchy *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].mountpoint);
		free(h[i].fstype);
		free(h[i].options);
	}
	free(h);
}

/* cgroup mounts from /proc/self/mountinfo. */
static int read_hierarchies(struct hierarchy **out, size_t *n, struct berth_error **err)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (f == NULL)
		return berth_error_errno(err, "open /proc/self/mountinfo");
	struct hierarchy *h = NULL;
	size_t cnt = 0;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, f) > 0) {
		char *sep = strstr(line, " - ");
		if (sep == NULL)
			continue;
		char mp[4096], fstype[64], src[256], opts[1024];
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mp) != 1 ||
		    sscanf(sep + 3, "%63s %255s %1023s", fstype, src, opts) != 3)
			continue;
		if (strcmp(fstype, "cgroup") != 0 && strcmp(fstype, "cgroup2") != 0)
			continue;
		h = xrealloc(h, (cnt + 1) * sizeof(*h));
		h[cnt].mountpoint = xstrdup(mp);
		h[cnt].fstype = xstrdup(fstype);
		h[cnt].options = xstrdup(opts);
		cnt++;
	}
	*out = h;
	*n = cnt;
	return 0;
}

/* The v1 controllers of a super-options string: "rw,memory" -> "memory";
 * named hierarchies keep "name=systemd". */
static char *v1_controllers(const char *options)
{
	cleanup_free char *copy = xstrdup(options);
	char *res = NULL, *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "rw") == 0 || strcmp(t, "ro") == 0 ||
		    strncmp(t, "release_agent", 13) == 0 || strcmp(t, "clone_children") == 0 ||
		    strcmp(t, "noprefix") == 0 || strcmp(t, "xattr") == 0)
			continue;
		char *n = res ? xasprintf("%s,%s", res, t) : xstrdup(t);
		free(res);
		res = n;
	}
	return res ? res : xstrdup("");
}

/* The process's cgroup path in the hierarchy with these controllers, from
 * /proc/self/cgroup as read once (proc_cgroup; NULL if unreadable). */
static char *own_cgroup(const char *proc_cgroup, const char *fstype, const char *controllers)
{
	if (proc_cgroup == NULL)
		return xstrdup("/");
	cleanup_free char *data = xstrdup(proc_cgroup);
	char *save = NULL;
	for (char *l = strtok_r(data, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		char *c1 = strchr(l, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (!c2)
			continue;
		*c2 = '\0';
		const char *ctrl = c1 + 1;
		bool v2 = strcmp(fstype, "cgroup2") == 0;
		if ((v2 && *ctrl == '\0') || (!v2 && strcmp(ctrl, controllers) == 0))
			return xstrdup(c2 + 1);
	}
	return xstrdup("/");
}

static int mount_hierarchy(int dirfd, const char *name, const struct hierarchy *h,
			   unsigned long flags, bool new_cgroupns, const char *proc_cgroup,
			   const char *what, struct berth_error **err)
{
	cleanup_close int fd = path_open_in_root(dirfd, name, PATH_CREATE_DIR, err);
	if (fd < 0)
		return -1;
	bool v2 = strcmp(h->fstype, "cgroup2") == 0;
	cleanup_free char *ctrl = v2 ? xstrdup("") : v1_controllers(h->options);
	if (new_cgroupns)
		return mount_at_fd("cgroup", fd, h->fstype, flags, v2 ? NULL : ctrl, what, err);
	cleanup_free char *own = own_cgroup(proc_cgroup, h->fstype, ctrl);
	cleanup_free char *src = xasprintf("%s%s", h->mountpoint, own);
	if (mount_at_fd(src, fd, NULL, MS_BIND | MS_REC, NULL, what, err) < 0)
		return -1;
	close(fd);
	fd = path_open_in_root(dirfd, name, PATH_NO_CREATE, err);
	if (fd < 0)
		return -1;
	return mount_remount_bind(fd, flags, what, err);
}

int mount_cgroup_fs(int rootfd, const struct oci_mount *m, bool new_cgroupns,
		    struct berth_error **err)
{
	struct hierarchy *hs = NULL;
	size_t n = 0;
	if (read_hierarchies(&hs, &n, err) < 0)
		return -1;
	cleanup_free char *proc_cgroup = NULL;
	struct berth_error *e = NULL;
	if (!new_cgroupns && fs_read_file("/proc/self/cgroup", &proc_cgroup, NULL, &e) < 0)
		berth_error_free(&e);
	unsigned long flags = m->flags & (MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC |
					  MS_RELATIME | MS_NOATIME | MS_STRICTATIME);
	int ret = -1;
	cleanup_close int wdest = -1;
	cleanup_close int dest = path_open_in_root(rootfd, m->destination, PATH_CREATE_DIR, err);
	if (dest < 0)
		goto out;
	/* Pure v2: the host has one cgroup2 mount at the top. */
	const struct hierarchy *unified_top = NULL;
	for (size_t i = 0; i < n; i++)
		if (strcmp(hs[i].fstype, "cgroup2") == 0 &&
		    strcmp(hs[i].mountpoint, "/sys/fs/cgroup") == 0)
			unified_top = &hs[i];
	if (unified_top) {
		ret = mount_hierarchy(rootfd, m->destination, unified_top, flags, new_cgroupns,
				      proc_cgroup, m->destination, err);
		goto out;
	}
	if (mount_at_fd("tmpfs", dest, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=755",
			m->destination, err) < 0)
		goto out;
	close(dest);
	dest = path_open_in_root(rootfd, m->destination, PATH_NO_CREATE, err);
	if (dest < 0)
		goto out;
	char p[32];
	wdest = open(path_fd(dest, p), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(hs[i].mountpoint, '/');
		if (base == NULL || strncmp(hs[i].mountpoint, "/sys/fs/cgroup/", 15) != 0)
			continue;
		base++;
		cleanup_free char *what = xasprintf("%s/%s", m->destination, base);
		if (mount_hierarchy(dest, base, &hs[i], flags, new_cgroupns, proc_cgroup, what,
				    err) < 0)
			goto out;
		/* co-mounted controllers ("cpu,cpuacct") get a link per name */
		if (strchr(base, ',') && wdest >= 0) {
			cleanup_free char *names = xstrdup(base);
			char *save = NULL;
			for (char *t = strtok_r(names, ",", &save); t;
			     t = strtok_r(NULL, ",", &save))
				if (symlinkat(base, wdest, t) < 0 && errno != EEXIST) {
					berth_error_errno(err, "symlink %s", t);
					goto out;
				}
		}
	}
	ret = flags & MS_RDONLY
		  ? mount_remount_bind(dest, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
				       m->destination, err)
		  : 0;
out:
	hierarchies_free(hs, n);
	return ret;
}
