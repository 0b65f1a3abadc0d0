#include "runtime/path.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_LINKS 40
#define MAX_DEPTH 256

const char *path_fd(int fd, char buf[32])
{
	snprintf(buf, 32, "/proc/self/fd/%d", fd);
	return buf;
}

struct walk {
	int fds[MAX_DEPTH + 1]; /* fds[0] = root (not owned) */
	int depth;
	char *todo; /* remaining path, owned */
	int links;
};

static void walk_reset(struct walk *w)
{
	while (w->depth > 0)
		close(w->fds[w->depth--]);
}

/* Replace the remaining path with link target + rest. */
static void push_front(struct walk *w, const char *target, const char *rest)
{
	char *n = xasprintf("%s/%s", target, rest ? rest : "");
	free(w->todo);
	w->todo = n;
}

static int step(struct walk *w, const char *name, const char *rest, enum path_create mk,
		const char *path, struct berth_error **err)
{
	int cur = w->fds[w->depth];
	bool last = rest == NULL || *rest == '\0';
	struct stat st;
	if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0) {
		if (errno != ENOENT || mk == PATH_NO_CREATE)
			return berth_error_errno(err, "resolve %s: component %s", path, name);
		if (last && mk == PATH_CREATE_FILE) {
			int fd = openat(cur, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0644);
			if (fd < 0 && errno != EEXIST)
				return berth_error_errno(err, "create %s", path);
			if (fd >= 0)
				close(fd);
		} else if (mkdirat(cur, name, 0755) < 0 && errno != EEXIST) {
			return berth_error_errno(err, "create directory %s in %s", name, path);
		}
		if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return berth_error_errno(err, "resolve %s: component %s", path, name);
	}
	if (S_ISLNK(st.st_mode)) {
		if (++w->links > MAX_LINKS)
			return berth_error_set(err, ELOOP, "resolve %s: too many symlinks", path);
		char target[PATH_MAX];
		ssize_t n = readlinkat(cur, name, target, sizeof(target) - 1);
		if (n < 0)
			return berth_error_errno(err, "readlink %s in %s", name, path);
		target[n] = '\0';
		if (target[0] == '/')
			walk_reset(w);
		cleanup_free char *r = rest ? xstrdup(rest) : NULL;
		push_front(w, target, r);
		return 0;
	}
	if (w->depth >= MAX_DEPTH)
		return berth_error_set(err, ENAMETOOLONG, "resolve %s: too deep", path);
	if (!last && !S_ISDIR(st.st_mode))
		return berth_error_set(err, ENOTDIR, "resolve %s: %s is not a directory", path,
				       name);
	int fd = openat(cur, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "open %s in %s", name, path);
	w->fds[++w->depth] = fd;
	cleanup_free char *r = rest ? xstrdup(rest) : xstrdup("");
	free(w->todo);
	w->todo = steal_ptr(r);
	return 0;
}

static int walk_path(int rootfd, const char *path, enum path_create mk, int stop_before_last,
		     char **last_name, struct berth_error **err)
{
	struct walk w = {.depth = 0, .todo = xstrdup(path), .links = 0};
	w.fds[0] = rootfd;
	int ret = -1;
	for (;;) {
		char *p = w.todo;
		while (*p == '/')
			p++;
		if (*p == '\0')
			break;
		char *slash = strchr(p, '/');
		cleanup_free char *name = slash ? strndup(p, (size_t)(slash - p)) : xstrdup(p);
		const char *rest = slash ? slash + 1 : NULL;
		while (rest && *rest == '/')
			rest++;
		bool last = rest == NULL || *rest == '\0';
		if (strcmp(name, ".") == 0) {
			cleanup_free char *r = xstrdup(rest ? rest : "");
			free(w.todo);
			w.todo = steal_ptr(r);
			continue;
		}
		if (strcmp(name, "..") == 0) {
			if (w.depth == 0) {
				berth_error_set(
				    err, EXDEV,
				    "resolve %s: \"..\" leads outside the container rootfs", path);
				goto out;
			}
			close(w.fds[w.depth--]);
			cleanup_free char *r = xstrdup(rest ? rest : "");
			free(w.todo);
			w.todo = steal_ptr(r);
			continue;
		}
		if (last && stop_before_last) {
			*last_name = steal_ptr(name);
			break;
		}
		if (step(&w, name, rest, mk, path, err) < 0)
			goto out;
	}
	if (stop_before_last && *last_name == NULL) {
		berth_error_set(err, EINVAL, "resolve %s: no last component", path);
		goto out;
	}
	if (w.depth == 0) {
		ret = openat(rootfd, ".", O_PATH | O_CLOEXEC);
	} else {
		ret = w.fds[w.depth];
		w.depth--;
	}
	if (ret < 0)
		berth_error_errno(err, "open %s", path);
out:
	walk_reset(&w);
	free(w.todo);
	return ret;
}

int path_open_in_root(int rootfd, const char *path, enum path_create mk, struct berth_error **err)
{
	return walk_path(rootfd, path, mk, 0, NULL, err);
}

int path_open_parent_in_root(int rootfd, const char *path, char **name, struct berth_error **err)
{
	*name = NULL;
	/* parents of a device node or mount point are created as directories */
	return walk_path(rootfd, path, PATH_CREATE_DIR, 1, name, err);
}
