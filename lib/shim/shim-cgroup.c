/* Finding a container's cgroup from /proc/<pid>/cgroup on v1, hybrid and v2
 * hosts (see shim-cgroup.h). */
#include "shim/shim-cgroup.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

static const char *root_of(const struct shim_cgroup_env *env)
{
	return env && env->root ? env->root : "/sys/fs/cgroup";
}

static bool exists(const char *p)
{
	return access(p, F_OK) == 0;
}

bool shim_cgroup_is_v2(const struct shim_cgroup_env *env)
{
	cleanup_free char *p = xasprintf("%s/cgroup.controllers", root_of(env));
	return exists(p);
}

/* Whether the space-separated list in file names word. */
static bool file_lists(const char *file, const char *word)
{
	cleanup_fclose FILE *f = fopen(file, "re");
	if (f == NULL)
		return false;
	cleanup_free char *s = NULL;
	size_t cap = 0;
	if (getdelim(&s, &cap, '\0', f) < 0)
		return false;
	char *save = NULL;
	for (char *t = strtok_r(s, " \n", &save); t; t = strtok_r(NULL, " \n", &save))
		if (strcmp(t, word) == 0)
			return true;
	return false;
}

/* Whether the comma-separated v1 list (maybe "name=systemd") has ctrl. */
static bool list_has(const char *list, const char *ctrl)
{
	size_t n = strlen(ctrl);
	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && strncmp(p, ctrl, n) == 0)
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

/* The v1 directory of ctrl for the "N:ctrls:path" line parts. */
static char *v1_dir(const char *root, const char *ctrls, const char *path, const char *ctrl)
{
	char *d = xasprintf("%s/%s%s", root, ctrls, path);
	if (exists(d))
		return d;
	free(d);
	d = xasprintf("%s/%s%s", root, ctrl, path);
	if (exists(d))
		return d;
	free(d);
	return NULL;
}

char *shim_cgroup_dir(const struct shim_cgroup_env *env, pid_t pid, const char *controller,
		      bool *v2)
{
	const char *root = root_of(env);
	cleanup_free char *pf =
	    xasprintf("%s/%d/cgroup", env && env->proc ? env->proc : "/proc", (int)pid);
	cleanup_fclose FILE *f = fopen(pf, "re");
	if (f == NULL)
		return NULL;
	bool pure = shim_cgroup_is_v2(env);
	*v2 = pure;
	cleanup_free char *line = NULL, *unified = NULL;
	size_t cap = 0;
	ssize_t n;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		char *c1 = strchr(line, ':');
		char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 == NULL)
			continue;
		*c2 = '\0';
		const char *ctrls = c1 + 1, *path = c2 + 1;
		if (ctrls[0] == '\0') {
			if (pure)
				return xasprintf("%s%s", root, path);
			free(unified);
			unified = xstrdup(path);
			continue;
		}
		if (pure || !list_has(ctrls, controller))
			continue;
		char *d = v1_dir(root, ctrls, path, controller);
		if (d)
			return d;
	}
	/* hybrid: a controller on the cgroup2 mount */
	if (pure || unified == NULL)
		return NULL;
	cleanup_free char *lst = xasprintf("%s/unified/cgroup.controllers", root);
	if (!file_lists(lst, strcmp(controller, "blkio") == 0 ? "io" : controller))
		return NULL;
	char *d = xasprintf("%s/unified%s", root, unified);
	if (!exists(d)) {
		free(d);
		return NULL;
	}
	*v2 = true;
	return d;
}

char *shim_cgroup_oom_file(const struct shim_cgroup_env *env, pid_t pid, char **cgroup, bool *v2)
{
	bool is2 = false;
	cleanup_free char *dir = shim_cgroup_dir(env, pid, "memory", &is2);
	if (dir == NULL)
		return NULL;
	if (cgroup) {
		/* the path below the hierarchy's mount point */
		const char *root = root_of(env);
		const char *p = dir + strlen(root);
		if (!shim_cgroup_is_v2(env)) {
			const char *slash = strchr(p + 1, '/');
			p = slash ? slash : "/";
		}
		free(*cgroup);
		*cgroup = xstrdup(*p ? p : "/");
	}
	if (v2)
		*v2 = is2;
	return xasprintf("%s/%s", dir, is2 ? "memory.events" : "memory.oom_control");
}

long long shim_cgroup_oom_kills(const char *oom_file)
{
	if (oom_file == NULL)
		return -1;
	cleanup_fclose FILE *f = fopen(oom_file, "re");
	if (f == NULL)
		return -1;
	char key[64];
	long long v;
	while (fscanf(f, "%63s %lld", key, &v) == 2)
		if (strcmp(key, "oom_kill") == 0)
			return v;
	return -1;
}

/* v1: an eventfd registered in cgroup.event_control for memory.oom_control */
static int oom_eventfd_v1(const char *oom_file)
{
	cleanup_free char *ctl = xstrdup(oom_file);
	char *slash = strrchr(ctl, '/');
	if (slash == NULL) {
		errno = EINVAL;
		return -1;
	}
	*slash = '\0';
	cleanup_free char *ctl_path = xasprintf("%s/cgroup.event_control", ctl);
	int efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (efd < 0)
		return -1;
	cleanup_close int ofd = open(oom_file, O_RDONLY | O_CLOEXEC);
	cleanup_close int cfd = open(ctl_path, O_WRONLY | O_CLOEXEC);
	cleanup_free char *line = xasprintf("%d %d", efd, ofd);
	if (ofd < 0 || cfd < 0 || write(cfd, line, strlen(line)) < 0) {
		int e = errno;
		close(efd);
		errno = e;
		return -1;
	}
	return efd;
}

/* v2: memory.events is modified on each OOM event (inotify works on it) */
static int oom_inotify_v2(const char *oom_file)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (fd >= 0 && inotify_add_watch(fd, oom_file, IN_MODIFY) < 0) {
		int e = errno;
		close(fd);
		errno = e;
		fd = -1;
	}
	return fd;
}

int shim_cgroup_oom_fd(const char *oom_file)
{
	size_t n = strlen(oom_file), k = strlen("/memory.events");
	if (n >= k && strcmp(oom_file + n - k, "/memory.events") == 0)
		return oom_inotify_v2(oom_file);
	return oom_eventfd_v1(oom_file);
}
