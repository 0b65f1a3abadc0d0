/* Building and mounting snap_mounts. */
#include "core/snapshots/mounts.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

void snap_mounts_add(struct snap_mounts *m, const char *type, const char *source, ...)
{
	m->v = xrealloc(m->v, (m->n + 1) * sizeof(*m->v));
	struct snap_mount *e = &m->v[m->n++];
	e->type = xstrdup(type);
	e->source = xstrdup(source);
	size_t n = 0;
	e->options = xmalloc(sizeof(char *));
	va_list ap;
	va_start(ap, source);
	for (char *o; (o = va_arg(ap, char *)) != NULL;) {
		e->options = xrealloc(e->options, (n + 2) * sizeof(char *));
		e->options[n++] = o; /* owned */
	}
	va_end(ap);
	e->options[n] = NULL;
}

char *snap_lowerdir_option(const char *const *parents, size_t n)
{
	size_t len = strlen("lowerdir=") + 1;
	for (size_t i = 0; i < n; i++)
		len += strlen(parents[i]) + strlen("/fs:");
	char *s = xmalloc(len);
	char *p = stpcpy(s, "lowerdir=");
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ':';
		p = stpcpy(stpcpy(p, parents[i]), "/fs");
	}
	return s;
}

static bool has_option(char *const *opts, const char *o)
{
	for (; opts && *opts; opts++)
		if (strcmp(*opts, o) == 0)
			return true;
	return false;
}

static int mount_bind(const struct snap_mount *m, const char *target, struct berth_error **err)
{
	unsigned long flags = MS_BIND;
	if (has_option(m->options, "rbind"))
		flags |= MS_REC;
	if (mount(m->source, target, NULL, flags, NULL) < 0)
		return berth_error_errno(err, "bind mount %s on %s", m->source, target);
	if (has_option(m->options, "ro") &&
	    mount(NULL, target, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0) {
		berth_error_errno(err, "remount %s read-only", target);
		umount2(target, MNT_DETACH);
		return -1;
	}
	return 0;
}

/* "lowerdir=/a/b/1/fs:/a/b/2/fs,upperdir=/a/b/3/fs" with dir "/a/b/" ->
 * "lowerdir=1/fs:2/fs,upperdir=3/fs" */
static char *strip_prefix(const char *data, const char *dir)
{
	size_t dl = strlen(dir);
	char *out = xmalloc(strlen(data) + 1), *o = out;
	for (const char *p = data; *p;) {
		bool at_path = p == data || p[-1] == '=' || p[-1] == ':';
		if (at_path && strncmp(p, dir, dl) == 0)
			p += dl;
		else
			*o++ = *p++;
	}
	*o = '\0';
	return out;
}

/* The longest directory prefix (ending in '/') of every path in the options. */
static char *common_dir(char *const *opts)
{
	char *common = NULL;
	for (; *opts; opts++) {
		const char *v = strchr(*opts, '=');
		if (v == NULL || (strncmp(*opts, "lowerdir=", 9) &&
				  strncmp(*opts, "upperdir=", 9) && strncmp(*opts, "workdir=", 8)))
			continue;
		cleanup_free char *list = xstrdup(v + 1);
		char *save = NULL;
		for (char *p = strtok_r(list, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
			if (common == NULL) {
				common = xstrdup(p);
				char *slash = strrchr(common, '/');
				slash ? (void)(slash[1] = '\0') : (void)(common[0] = '\0');
				continue;
			}
			size_t i = 0;
			while (common[i] && common[i] == p[i])
				i++;
			common[i] = '\0';
			char *slash = strrchr(common, '/');
			slash ? (void)(slash[1] = '\0') : (void)(common[0] = '\0');
		}
	}
	return common ? common : xstrdup("");
}

static int mount_overlay(const struct snap_mount *m, const char *target, struct berth_error **err)
{
	unsigned long flags = 0;
	size_t len = 1;
	for (char *const *o = m->options; o && *o; o++)
		len += strlen(*o) + 1;
	cleanup_free char *data = xmalloc(len);
	char *p = data;
	*p = '\0';
	for (char *const *o = m->options; o && *o; o++) {
		if (strcmp(*o, "ro") == 0) {
			flags |= MS_RDONLY;
			continue;
		}
		if (p != data)
			*p++ = ',';
		p = stpcpy(p, *o);
	}
	long page = sysconf(_SC_PAGESIZE);
	if ((long)strlen(data) < page) {
		if (mount(m->source, target, "overlay", flags, data) < 0)
			return berth_error_errno(err, "mount overlay on %s (%s)", target, data);
		return 0;
	}
	/* Too long for one page: as containerd does, mount from the common
	 * parent directory with relative paths, in a child that chdir()s there. */
	cleanup_free char *dir = common_dir(m->options);
	cleanup_free char *rel = strip_prefix(data, dir);
	cleanup_free char *abs_target = realpath(target, NULL);
	if ((long)strlen(rel) >= page || dir[0] == '\0' || abs_target == NULL)
		return berth_error_set(err, E2BIG,
				       "mount overlay on %s: options are %zu bytes, over the %ld "
				       "bytes of a page even with paths relative to %s",
				       target, strlen(rel), page, dir[0] ? dir : "(no common dir)");
	pid_t pid = fork();
	if (pid < 0)
		return berth_error_errno(err, "mount overlay on %s: fork", target);
	if (pid == 0) {
		if (chdir(dir) < 0)
			_exit(errno);
		_exit(mount(m->source, abs_target, "overlay", flags, rel) < 0 ? errno : 0);
	}
	int status;
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return berth_error_errno(err, "mount overlay on %s: wait", target);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		errno = WIFEXITED(status) ? WEXITSTATUS(status) : EIO;
		return berth_error_errno(err, "mount overlay on %s (relative to %s: %s)", target,
					 dir, rel);
	}
	return 0;
}

int snap_mount(const struct snap_mounts *m, const char *target, struct berth_error **err)
{
	for (size_t i = 0; i < m->n; i++) {
		const struct snap_mount *e = &m->v[i];
		int r;
		if (strcmp(e->type, "bind") == 0)
			r = mount_bind(e, target, err);
		else if (strcmp(e->type, "overlay") == 0)
			r = mount_overlay(e, target, err);
		else
			r = berth_error_set(err, EINVAL, "mount %s on %s: unknown type %s",
					    e->source, target, e->type);
		if (r < 0) {
			while (i-- > 0)
				umount2(target, MNT_DETACH);
			return -1;
		}
	}
	return 0;
}

int snap_unmount(const char *target, struct berth_error **err)
{
	if (umount2(target, 0) == 0)
		return 0;
	if (errno == EBUSY && umount2(target, MNT_DETACH) == 0)
		return 0;
	return berth_error_errno(err, "unmount %s", target);
}

bool snap_overlay_supported(const char *dir)
{
	cleanup_free char *tmp = xasprintf("%s/overlay-probe-XXXXXX", dir);
	if (mkdtemp(tmp) == NULL)
		return false;
	cleanup_free char *lower = xasprintf("%s/lower", tmp);
	cleanup_free char *upper = xasprintf("%s/upper", tmp);
	cleanup_free char *work = xasprintf("%s/work", tmp);
	cleanup_free char *merged = xasprintf("%s/merged", tmp);
	bool ok = false;
	if (mkdir(lower, 0700) == 0 && mkdir(upper, 0700) == 0 && mkdir(work, 0700) == 0 &&
	    mkdir(merged, 0700) == 0) {
		cleanup_free char *data =
		    xasprintf("lowerdir=%s,upperdir=%s,workdir=%s", lower, upper, work);
		if (mount("overlay", merged, "overlay", 0, data) == 0) {
			ok = true;
			umount2(merged, MNT_DETACH);
		}
	}
	fs_rm_rf(tmp, NULL);
	return ok;
}
