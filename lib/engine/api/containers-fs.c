/* The container's files through the API (docker cp, export, diff):
 *
 *   GET/HEAD /containers/{name}/archive?path=   a tar of one file or tree and
 *            the X-Docker-Container-Path-Stat header (base64 of {name,size,
 *            mode (Go FileMode bits),mtime,linkTarget})
 *   PUT      /containers/{name}/archive?path=&noOverwriteDirNonDir=&copyUIDGID=
 *            a tar extracted into the directory path (a body route: read as
 *            it arrives)
 *   GET      /containers/{name}/export           a tar of the whole rootfs
 *   GET      /containers/{name}/changes          [{"Path","Kind"}] from the
 *            overlay upper dir against the image's layers
 *
 * Every path is resolved inside the container's rootfs (openat2
 * RESOLVE_IN_ROOT: symlinks resolve as if the rootfs were "/"); the last
 * component is not followed for GET/HEAD (docker cp copies a symlink as a
 * symlink), it is for PUT (the destination directory). Extraction goes
 * through arc_copy_in, which confines every entry to that directory. The
 * rootfs stays mounted (ctr_rootfs_get) until the stream is done. */
#include "engine/api/api.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/archive/copy.h"
#include "core/events/events.h"
#include "core/snapshots/snapshots.h"
#include "engine/api/containers-internal.h"
#include "engine/containers/container.h"
#include "engine/engine.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* ---- helpers ---- */

static int open_in_root(int rootfd, const char *rel, uint64_t flags, bool follow)
{
	struct open_how how = {
	    .flags = flags | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	return (int)syscall(SYS_openat2, rootfd, rel[0] ? rel : ".", &how, sizeof(how));
}

/* A container event with docker's attributes (image, name, the labels). */
static void fs_event(struct engine *e, struct container *c, const char *action)
{
	if (e->events == NULL)
		return;
	json_t *attrs = json_object();
	json_t *labels = json_object_get(c->config, "Labels");
	const char *k;
	json_t *v;
	json_object_foreach(labels, k, v)
	{
		if (json_is_string(v))
			json_object_set(attrs, k, v);
	}
	json_object_set_new(attrs, "image", json_string(c->image ? c->image : ""));
	const char *name = c->name ? c->name : "";
	json_object_set_new(attrs, "name", json_string(name[0] == '/' ? name + 1 : name));
	events_publish(e->events, "container", action, c->id, attrs);
	json_decref(attrs);
}

static const char b64chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static char *base64(const char *s)
{
	size_t n = strlen(s);
	char *out = xmalloc((n + 2) / 3 * 4 + 1), *p = out;
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*p++ = b64chars[(v >> 18) & 63];
		*p++ = b64chars[(v >> 12) & 63];
		*p++ = i + 1 < n ? b64chars[(v >> 6) & 63] : '=';
		*p++ = i + 2 < n ? b64chars[v & 63] : '=';
	}
	*p = '\0';
	return out;
}

/* Go's os.FileMode of a stat mode. */
static json_int_t go_mode(mode_t m)
{
	json_int_t r = m & 0777;
	switch (m & S_IFMT) {
	case S_IFDIR:
		r |= 1LL << 31;
		break;
	case S_IFLNK:
		r |= 1LL << 27;
		break;
	case S_IFBLK:
		r |= 1LL << 26;
		break;
	case S_IFCHR:
		r |= (1LL << 26) | (1LL << 21);
		break;
	case S_IFIFO:
		r |= 1LL << 25;
		break;
	case S_IFSOCK:
		r |= 1LL << 24;
		break;
	}
	if (m & S_ISUID)
		r |= 1LL << 23;
	if (m & S_ISGID)
		r |= 1LL << 22;
	if (m & S_ISVTX)
		r |= 1LL << 20;
	return r;
}

/* The container and its mounted rootfs (an O_PATH fd); give back with
 * fs_release. */
struct fs_ctx {
	struct engine *e;
	struct container *c;
	bool mounted;
	char *rootfs;
	int rootfd;
};

static void fs_release(struct fs_ctx *f)
{
	if (f->rootfd >= 0)
		close(f->rootfd);
	if (f->mounted)
		ctr_rootfs_put(f->c);
	if (f->c)
		ctr_unref(f->c);
	free(f->rootfs);
	*f = (struct fs_ctx){.rootfd = -1};
}

static int c_rootfs_stat(struct container *c, struct stat *st)
{
	pthread_mutex_lock(&c->lock);
	cleanup_free char *p = c->rootfs ? xstrdup(c->rootfs) : NULL;
	pthread_mutex_unlock(&c->lock);
	return p ? stat(p, st) : -1;
}

/* live: a running container is seen through its own mount namespace
 * (/proc/<pid>/root: /etc/hosts, /etc/hostname, /etc/resolv.conf and later
 * volumes as the container sees them, as docker cp shows them); otherwise,
 * and for export and changes, its rootfs (mounted for a stopped one). */
static int fs_acquire(struct api_request *req, bool live, struct fs_ctx *f,
		      struct berth_error **err)
{
	*f = (struct fs_ctx){.e = req->ctx, .rootfd = -1};
	if (ctr_find(f->e, api_param(req, "name"), &f->c, err) < 0)
		return -1;
	if (live) {
		struct ctr_state st;
		ctr_state_get(f->c, &st);
		pid_t pid = (st.status == CTR_RUNNING || st.status == CTR_PAUSED) ? st.pid : 0;
		ctr_state_clear(&st);
		if (pid > 0) {
			cleanup_free char *p = xasprintf("/proc/%d/root", (int)pid);
			f->rootfd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
			/* the same directory as the rootfs mount: not a reused pid */
			struct stat a, b;
			if (f->rootfd >= 0 && c_rootfs_stat(f->c, &b) == 0 &&
			    fstat(f->rootfd, &a) == 0 && a.st_dev == b.st_dev &&
			    a.st_ino == b.st_ino)
				return 0;
			if (f->rootfd >= 0)
				close(f->rootfd);
			f->rootfd = -1;
		}
	}
	if (ctr_rootfs_get(f->c, &f->rootfs, err) < 0) {
		fs_release(f);
		return -1;
	}
	f->mounted = true;
	f->rootfd = open(f->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (f->rootfd < 0) {
		berth_error_errno(err, "open the rootfs %s of container %s", f->rootfs, f->c->id);
		fs_release(f);
		return -1;
	}
	return 0;
}

/* The target of ?path=: the parent directory resolved in the root, the last
 * component (not followed; "." for a directory itself), the member name of
 * the tar (docker: the last element of the path as given, "." kept). */
struct fs_target {
	int dirfd;
	char *base;
	char *member;
	char *abs; /* cleaned, absolute in the container */
	struct stat st;
};

static void target_free(struct fs_target *t)
{
	if (t->dirfd >= 0)
		close(t->dirfd);
	free(t->base);
	free(t->member);
	free(t->abs);
	t->dirfd = -1;
	t->base = t->member = t->abs = NULL;
}

/* Lexically clean path (relative to "/"): components, "." dropped, ".."
 * climbing at most to the root. Returns "a/b" ("" for the root). */
static char *clean_rel(const char *path)
{
	char *out = xcalloc(1, strlen(path) + 1);
	size_t len = 0;
	const char *p = path;
	while (*p) {
		while (*p == '/')
			p++;
		const char *s = p;
		while (*p && *p != '/')
			p++;
		size_t n = (size_t)(p - s);
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--;
			out[len] = '\0';
			continue;
		}
		if (len)
			out[len++] = '/';
		memcpy(out + len, s, n);
		len += n;
		out[len] = '\0';
	}
	return out;
}

static int resolve_target(struct fs_ctx *f, const char *name, const char *path, struct fs_target *t,
			  struct berth_error **err)
{
	*t = (struct fs_target){.dirfd = -1};
	size_t plen = strlen(path);
	bool dot = (plen >= 2 && strcmp(path + plen - 2, "/.") == 0) || strcmp(path, ".") == 0;
	bool slash = plen > 0 && path[plen - 1] == '/';
	cleanup_free char *rel = clean_rel(path);
	t->abs = xasprintf("/%s", rel);
	const char *last = strrchr(rel, '/');
	cleanup_free char *parent = last ? xasprintf("%.*s", (int)(last - rel), rel) : xstrdup("");
	/* a running container's /dev is its own tmpfs (/dev/null, ...); dockerd
	 * sees the rootfs's /dev there (docker cp c:/dev/null is not found) */
	int root = f->rootfd;
	cleanup_close int devroot = -1;
	if (!f->mounted && (strcmp(rel, "dev") == 0 || strncmp(rel, "dev/", 4) == 0)) {
		pthread_mutex_lock(&f->c->lock);
		cleanup_free char *rootfs = f->c->rootfs ? xstrdup(f->c->rootfs) : NULL;
		pthread_mutex_unlock(&f->c->lock);
		devroot = rootfs ? open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
		if (devroot >= 0)
			root = devroot;
	}
	if (dot || rel[0] == '\0') {
		/* the directory itself */
		t->dirfd = open_in_root(root, rel, O_PATH | O_DIRECTORY, true);
		t->base = xstrdup(".");
		t->member = xstrdup(".");
	} else {
		t->dirfd = open_in_root(root, parent, O_PATH | O_DIRECTORY, true);
		t->base = xstrdup(last ? last + 1 : rel);
		t->member = xstrdup(t->base);
	}
	/* inside a kernel filesystem (a running container's /proc/...): not
	 * there, as in dockerd's view of the rootfs */
	if (t->dirfd >= 0 && strcmp(t->base, ".") != 0 && arc_kernel_fs(t->dirfd)) {
		close(t->dirfd);
		t->dirfd = -1;
		errno = ENOENT;
	}
	if (t->dirfd < 0 || fstatat(t->dirfd, t->base, &t->st, AT_SYMLINK_NOFOLLOW) < 0) {
		int e = errno;
		target_free(t);
		if (e == ENOENT || e == ENOTDIR)
			return berth_error_set(
			    err, ENOENT, "Could not find the file %s in container %s", path, name);
		errno = e;
		return berth_error_errno(err, "stat %s in container %s", path, name);
	}
	if (slash && !S_ISDIR(t->st.st_mode) && !S_ISLNK(t->st.st_mode)) {
		target_free(t);
		return berth_error_set(err, EINVAL, "%s: not a directory", path);
	}
	return 0;
}

/* linkTarget: the symlink fully resolved in the root, as an absolute path
 * in the container. */
static char *link_target(struct fs_ctx *f, struct fs_target *t)
{
	cleanup_free char *rel = clean_rel(t->abs);
	cleanup_close int fd = open_in_root(f->rootfd, rel, O_PATH, true);
	if (fd >= 0) {
		cleanup_free char *proc = xasprintf("/proc/self/fd/%d", fd);
		char buf[4096];
		char rbuf[4096];
		ssize_t n = readlink(proc, buf, sizeof(buf) - 1);
		cleanup_free char *rproc = xasprintf("/proc/self/fd/%d", f->rootfd);
		ssize_t rn = readlink(rproc, rbuf, sizeof(rbuf) - 1);
		if (n > 0 && rn > 0) {
			buf[n] = rbuf[rn] = '\0';
			if (strcmp(rbuf, "/") == 0 && buf[0] == '/')
				return xstrdup(buf); /* the container's own root */
			size_t l = (size_t)rn;
			if (strncmp(buf, rbuf, l) == 0 && (buf[l] == '/' || buf[l] == '\0'))
				return xstrdup(buf[l] ? buf + l : "/");
		}
	}
	/* dangling: the link's text, lexically, from its directory */
	char buf[4096];
	ssize_t n = readlinkat(t->dirfd, t->base, buf, sizeof(buf) - 1);
	if (n < 0)
		return xstrdup("");
	buf[n] = '\0';
	if (buf[0] == '/') {
		cleanup_free char *c = clean_rel(buf);
		return xasprintf("/%s", c);
	}
	cleanup_free char *joined = xasprintf("%s/../%s", t->abs, buf);
	cleanup_free char *c = clean_rel(joined);
	return xasprintf("/%s", c);
}

static void add_stat_header(struct api_response *resp, struct fs_ctx *f, struct fs_target *t)
{
	const char *slash = strrchr(t->abs, '/');
	const char *name = slash && slash[1] ? slash + 1 : "/";
	cleanup_free char *lt = S_ISLNK(t->st.st_mode) ? link_target(f, t) : xstrdup("");
	cleanup_free char *mtime =
	    ctrapi_time_rfc3339((int64_t)t->st.st_mtim.tv_sec * 1000000000 + t->st.st_mtim.tv_nsec);
	json_t *st =
	    json_pack("{s:s,s:I,s:I,s:s,s:s}", "name", name, "size", (json_int_t)t->st.st_size,
		      "mode", go_mode(t->st.st_mode), "mtime", mtime, "linkTarget", lt);
	cleanup_free char *s = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(st);
	cleanup_free char *b = base64(s);
	api_header_add(resp, "X-Docker-Container-Path-Stat", b);
}

/* ---- GET / HEAD archive, export ---- */

struct tar_job {
	struct fs_ctx f;
	int dirfd;
	char *base;
	char *member; /* "" : contents only (export) */
};

static void tar_job_free(void *arg)
{
	struct tar_job *j = arg;
	if (j->dirfd >= 0)
		close(j->dirfd);
	free(j->base);
	free(j->member);
	fs_release(&j->f);
	free(j);
}

static int write_stream(void *arg, const void *buf, size_t len, struct berth_error **err)
{
	if (api_stream_write(arg, buf, len) < 0)
		return berth_error_set(err, EPIPE, "the client went away");
	return 0;
}

static void tar_stream(struct api_stream *s, void *arg)
{
	struct tar_job *j = arg;
	struct berth_error *err = NULL;
	if (arc_copy_out(j->dirfd, j->base, j->member, write_stream, s, &err) < 0) {
		/* the head is out: all a client sees is a cut tar */
		log_warn("tar of container %s: %s", j->f.c->id, err->msg);
		berth_error_free(&err);
	}
}

static int archive_get_head(struct api_request *req, struct api_response *resp, bool head,
			    struct berth_error **err)
{
	const char *path = api_query(req, "path");
	if (path == NULL || path[0] == '\0')
		return berth_error_set(err, EINVAL, "path is required");
	struct tar_job *j = xcalloc(1, sizeof(*j));
	j->dirfd = -1;
	if (fs_acquire(req, true, &j->f, err) < 0) {
		free(j);
		return -1;
	}
	struct fs_target t;
	if (resolve_target(&j->f, api_param(req, "name"), path, &t, err) < 0) {
		tar_job_free(j);
		return -1;
	}
	add_stat_header(resp, &j->f, &t);
	if (head) {
		target_free(&t);
		tar_job_free(j);
		api_reply_empty(resp, 200);
		return 0;
	}
	j->dirfd = t.dirfd;
	j->base = t.base;
	j->member = t.member;
	t.dirfd = -1;
	t.base = t.member = NULL;
	target_free(&t);
	fs_event(j->f.e, j->f.c, "archive-path");
	api_reply_stream(resp, 200, "application/x-tar", tar_stream, j, tar_job_free);
	return 0;
}

static int archive_get(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	return archive_get_head(req, resp, false, err);
}

static int archive_head(struct api_request *req, struct api_response *resp,
			struct berth_error **err)
{
	return archive_get_head(req, resp, true, err);
}

static int containers_export(struct api_request *req, struct api_response *resp,
			     struct berth_error **err)
{
	struct tar_job *j = xcalloc(1, sizeof(*j));
	if (fs_acquire(req, false, &j->f, err) < 0) {
		free(j);
		return -1;
	}
	j->dirfd = open(j->f.rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (j->dirfd < 0) {
		berth_error_errno(err, "open the rootfs of container %s", j->f.c->id);
		j->dirfd = -1;
		tar_job_free(j);
		return -1;
	}
	j->base = xstrdup(".");
	j->member = xstrdup("");
	fs_event(j->f.e, j->f.c, "export");
	api_reply_stream(resp, 200, "application/x-tar", tar_stream, j, tar_job_free);
	return 0;
}

/* ---- PUT archive ---- */

static ssize_t body_read(void *arg, void *buf, size_t len, struct berth_error **err)
{
	ssize_t n = api_body_read(arg, buf, len);
	if (n < 0)
		berth_error_errno(err, "read the request body");
	return n;
}

/* A numeric id or a name looked up in the container's /etc/passwd or
 * /etc/group (resolved in the root). -1 when it cannot be found. */
static long long lookup_id(int rootfd, const char *file, const char *s)
{
	if (s == NULL || s[0] == '\0')
		return -1;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (*end == '\0' && v >= 0)
		return v;
	int fd = open_in_root(rootfd, file, O_RDONLY, true);
	if (fd < 0)
		return -1;
	cleanup_fclose FILE *fp = fdopen(fd, "re");
	if (fp == NULL) {
		close(fd);
		return -1;
	}
	cleanup_free char *line = NULL;
	size_t cap = 0;
	size_t n = strlen(s);
	while (getline(&line, &cap, fp) > 0) {
		if (strncmp(line, s, n) != 0 || line[n] != ':')
			continue;
		const char *p = strchr(line + n + 1, ':'); /* after the password */
		if (p == NULL)
			return -1;
		return strtoll(p + 1, NULL, 10);
	}
	return -1;
}

/* docker's copyUIDGID: the container's user (Config.User "user[:group]"),
 * its primary group when no group is given; root when no user is set. */
static void container_ids(struct fs_ctx *f, long long *uid, long long *gid)
{
	const char *user = json_string_value(json_object_get(f->c->config, "User"));
	*uid = 0;
	*gid = 0;
	if (user == NULL || user[0] == '\0')
		return;
	cleanup_free char *u = xstrdup(user);
	char *colon = strchr(u, ':');
	if (colon)
		*colon++ = '\0';
	long long id = lookup_id(f->rootfd, "etc/passwd", u);
	*uid = id >= 0 ? id : 0;
	if (colon) {
		long long g = lookup_id(f->rootfd, "etc/group", colon);
		*gid = g >= 0 ? g : 0;
		return;
	}
	/* the primary group: the 4th field of the passwd line */
	int fd = open_in_root(f->rootfd, "etc/passwd", O_RDONLY, true);
	cleanup_fclose FILE *fp = fd >= 0 ? fdopen(fd, "re") : NULL;
	if (fp == NULL) {
		if (fd >= 0)
			close(fd);
		return;
	}
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (getline(&line, &cap, fp) > 0) {
		char *fields[4] = {0};
		char *p = line;
		for (int i = 0; i < 4 && p; i++) {
			fields[i] = p;
			p = strchr(p, ':');
			if (p)
				*p++ = '\0';
		}
		if (fields[3] == NULL)
			continue;
		if (strcmp(fields[0], u) == 0 || strtoll(fields[2], NULL, 10) == *uid) {
			*gid = strtoll(fields[3], NULL, 10);
			return;
		}
	}
}

/* The names, relative to the directory rel, of the files dockerd mounts over
 * in a container that has been started (its network files): a tar may not
 * replace them. NULL when there are none under rel. */
static char **network_files(struct container *c, const char *rel)
{
	static const char *const files[] = {"etc/hostname", "etc/hosts", "etc/resolv.conf", NULL};
	struct ctr_state st;
	ctr_state_get(c, &st);
	bool started = st.started_at != 0;
	ctr_state_clear(&st);
	if (!started)
		return NULL;
	size_t rlen = strlen(rel), n = 0;
	char **out = xcalloc(4, sizeof(char *));
	for (size_t i = 0; files[i]; i++) {
		if (rlen == 0)
			out[n++] = xstrdup(files[i]);
		else if (strncmp(files[i], rel, rlen) == 0 && files[i][rlen] == '/')
			out[n++] = xstrdup(files[i] + rlen + 1);
	}
	return out;
}

static int archive_put(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	const char *name = api_param(req, "name");
	const char *path = api_query(req, "path");
	if (path == NULL || path[0] == '\0')
		return berth_error_set(err, EINVAL, "path is required");
	struct fs_ctx f;
	/* writes go to the rootfs, as dockerd's: never through the container's
	 * own mounts (its /proc, /sys, cgroupfs) */
	if (fs_acquire(req, false, &f, err) < 0)
		return -1;
	if (json_is_true(json_object_get(f.c->host_config, "ReadonlyRootfs"))) {
		fs_release(&f);
		api_reply_message(resp, 403, "container rootfs is marked read-only");
		return 0;
	}
	cleanup_free char *rel = clean_rel(path);
	cleanup_close int dfd = open_in_root(f.rootfd, rel, O_PATH, true);
	struct stat st;
	if (dfd < 0 || fstat(dfd, &st) < 0) {
		int e = errno;
		fs_release(&f);
		if (e == ENOENT || e == ENOTDIR)
			return berth_error_set(
			    err, ENOENT, "Could not find the file %s in container %s", path, name);
		errno = e;
		return berth_error_errno(err, "open %s in container %s", path, name);
	}
	if (!S_ISDIR(st.st_mode)) {
		fs_release(&f);
		return berth_error_set(err, EINVAL, "extraction point is not a directory");
	}
	struct arc_copy_in_opts o = {
	    .no_overwrite_dir_nondir = api_query_bool(req, "noOverwriteDirNonDir", false),
	    .uid = -1,
	    .gid = -1,
	};
	if (api_query_bool(req, "copyUIDGID", false))
		container_ids(&f, &o.uid, &o.gid);
	cleanup_strv char **busy = network_files(f.c, rel);
	o.busy = (const char *const *)busy;
	cleanup_free char *base = rel[0] ? xasprintf("/%s", rel) : NULL;
	o.busy_base = base;
	cleanup_free char *root = xasprintf("/proc/self/fd/%d", dfd);
	size_t n = 0;
	int rc = arc_copy_in(body_read, req, root, &o, &n, err);
	if (rc < 0 && (*err)->code == EBUSY) {
		/* dockerd's message and status (its untar's exit) */
		berth_error_wrap(err, "Error processing tar file(exit status 1)");
		(*err)->code = EIO;
		fs_release(&f);
		return -1;
	}
	if (rc < 0) {
		berth_error_wrap(err, "extract into %s of container %s", path, name);
		if ((*err)->code != EISDIR && (*err)->code != ENOTDIR && (*err)->code != EPIPE &&
		    (*err)->code != ECONNRESET)
			(*err)->code = EINVAL;
		fs_release(&f);
		return -1;
	}
	log_debug("archive: %zu entries into %s of %s", n, path, f.c->id);
	fs_event(f.e, f.c, "extract-to-dir");
	fs_release(&f);
	api_reply_empty(resp, 200);
	return 0;
}

/* ---- changes ---- */

/* Paths the engine makes in every container (docker's init layer). */
static bool init_path(const char *p)
{
	static const char *const v[] = {
	    "/.dockerenv", "/etc/hostname", "/etc/hosts", "/etc/resolv.conf",
	    "/etc/mtab",   "/dev/console",  "/dev/pts",	  "/dev/shm",
	    "/proc",	   "/sys",	    "/dev",	  NULL};
	for (size_t i = 0; v[i]; i++)
		if (strcmp(p, v[i]) == 0)
			return true;
	return false;
}

struct diff {
	int *lowers; /* O_PATH fds, topmost first */
	size_t n_lowers;
	json_t *out;
};

/* The path (relative) in the image's layers: found (not whited out)? */
static bool in_lower(struct diff *d, const char *rel, struct stat *st)
{
	for (size_t i = 0; i < d->n_lowers; i++) {
		struct open_how how = {.flags = O_PATH | O_NOFOLLOW | O_CLOEXEC,
				       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
		int fd = (int)syscall(SYS_openat2, d->lowers[i], rel, &how, sizeof(how));
		if (fd < 0)
			continue;
		int r = fstat(fd, st);
		close(fd);
		if (r < 0)
			continue;
		if (S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0))
			return false; /* whited out by a higher layer */
		return true;
	}
	return false;
}

static bool opaque_dir(int dirfd, const char *name)
{
	cleanup_free char *p = xasprintf("/proc/self/fd/%d/%s", dirfd, name);
	char v[2];
	ssize_t n = lgetxattr(p, "trusted.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Append the changes under upper dir `dirfd` (container path `abs`) to
 * d->out in walk order; returns how many were appended. */
static size_t diff_walk(struct diff *d, int dirfd, const char *abs)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return 0;
	}
	cleanup_strv char **names = NULL;
	size_t n = 0, added = 0;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		names = xrealloc(names, (n + 2) * sizeof(char *));
		names[n++] = xstrdup(de->d_name);
		names[n] = NULL;
	}
	if (n)
		qsort(names, n, sizeof(char *), cmp_str);
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *path = xasprintf("%s/%s", abs[1] ? abs : "", names[i]);
		struct stat st, lst;
		if (fstatat(dirfd, names[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		bool whiteout = S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0);
		bool is_dir = S_ISDIR(st.st_mode);
		bool lower = in_lower(d, path + 1, &lst);
		int kind;
		if (whiteout || (is_dir && opaque_dir(dirfd, names[i])))
			kind = 2;
		else
			kind = lower ? 0 : 1;
		if (kind == 1 && init_path(path) && !is_dir)
			continue;
		size_t at = json_array_size(d->out);
		size_t sub = 0;
		if (is_dir) {
			cleanup_close int sfd = openat(
			    dirfd, names[i], O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sfd >= 0)
				sub = diff_walk(d, sfd, path);
		}
		/* a directory of the image only counts when something under it
		 * changed or its own mode or owner did (not its times) */
		if (kind == 0 && is_dir && sub == 0 && S_ISDIR(lst.st_mode) &&
		    lst.st_mode == st.st_mode && lst.st_uid == st.st_uid && lst.st_gid == st.st_gid)
			continue;
		if (kind == 1 && is_dir && init_path(path) && sub == 0)
			continue;
		if (whiteout && !lower)
			continue; /* a whiteout of nothing (the runtime's) */
		json_array_insert_new(d->out, at,
				      json_pack("{s:s,s:i}", "Path", path, "Kind", kind));
		added += sub + 1;
	}
	return added;
}

/* ---- changes of a full-tree snapshot (native): the container's tree
 * against its parent's, as docker's naive diff (dirs: mode and owner only;
 * files: also size, mtime, device and link target) ---- */

static bool stat_differs(const struct stat *a, const struct stat *b)
{
	if (a->st_mode != b->st_mode || a->st_uid != b->st_uid || a->st_gid != b->st_gid ||
	    a->st_rdev != b->st_rdev)
		return true;
	if (S_ISDIR(a->st_mode))
		return false;
	return a->st_size != b->st_size || a->st_mtim.tv_sec != b->st_mtim.tv_sec ||
	       a->st_mtim.tv_nsec != b->st_mtim.tv_nsec;
}

static char **dir_names(int dirfd, size_t *n)
{
	*n = 0;
	if (dirfd < 0)
		return NULL;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
	if (dir == NULL) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	char **v = NULL;
	struct dirent *de;
	while ((de = readdir(dir)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = xrealloc(v, (*n + 2) * sizeof(char *));
		v[(*n)++] = xstrdup(de->d_name);
		v[*n] = NULL;
	}
	closedir(dir);
	if (*n)
		qsort(v, *n, sizeof(char *), cmp_str);
	return v;
}

static bool links_differ(int cfd, int pfd, const char *name)
{
	char a[4096], b[4096];
	ssize_t la = readlinkat(cfd, name, a, sizeof(a));
	ssize_t lb = readlinkat(pfd, name, b, sizeof(b));
	return la != lb || (la > 0 && memcmp(a, b, (size_t)la) != 0);
}

static size_t tree_diff(json_t *out, int cfd, int pfd, const char *abs)
{
	size_t nc = 0, np = 0, added = 0, i = 0, j = 0;
	cleanup_strv char **cn = dir_names(cfd, &nc);
	cleanup_strv char **pn = dir_names(pfd, &np);
	while (i < nc || j < np) {
		int c = i == nc ? 1 : j == np ? -1 : strcmp(cn[i], pn[j]);
		const char *name = c <= 0 ? cn[i] : pn[j];
		cleanup_free char *path = xasprintf("%s/%s", abs[1] ? abs : "", name);
		struct stat cs, ps;
		bool hc = c <= 0 && fstatat(cfd, name, &cs, AT_SYMLINK_NOFOLLOW) == 0;
		bool hp = c >= 0 && fstatat(pfd, name, &ps, AT_SYMLINK_NOFOLLOW) == 0;
		i += c <= 0;
		j += c >= 0;
		if (!hc) {
			if (hp) {
				json_array_append_new(
				    out, json_pack("{s:s,s:i}", "Path", path, "Kind", 2));
				added++;
			}
			continue;
		}
		int kind = hp ? 0 : 1;
		bool dir = S_ISDIR(cs.st_mode);
		if (kind == 1 && !dir && init_path(path))
			continue;
		bool changed = !hp || stat_differs(&cs, &ps) ||
			       (S_ISLNK(cs.st_mode) && links_differ(cfd, pfd, name));
		size_t at = json_array_size(out), sub = 0;
		if (dir) {
			cleanup_close int csub =
			    openat(cfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			cleanup_close int psub =
			    hp && S_ISDIR(ps.st_mode)
				? openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
				: -1;
			if (csub >= 0)
				sub = tree_diff(out, csub, psub, path);
		}
		if ((!changed && sub == 0) || (kind == 1 && dir && init_path(path) && sub == 0))
			continue;
		json_array_insert_new(out, at, json_pack("{s:s,s:i}", "Path", path, "Kind", kind));
		added += sub + 1;
	}
	return added;
}

static int changes_native(struct fs_ctx *f, const char *dir, json_t *out, struct berth_error **err)
{
	struct snap_info info = {0};
	cleanup_free char *pdir = NULL;
	if (snap_stat(f->e->snap, f->c->snapshot_key, &info, err) < 0)
		return -1;
	int rc = info.parent ? snap_layer_dir(f->e->snap, info.parent, &pdir, err) : 0;
	snap_info_free(&info);
	if (rc < 0)
		return -1;
	cleanup_close int cfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_close int pfd = pdir ? open(pdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (cfd < 0)
		return berth_error_errno(err, "open the snapshot %s of container %s", dir,
					 f->c->id);
	tree_diff(out, cfd, pfd, "/");
	return 0;
}

static int containers_changes(struct api_request *req, struct api_response *resp,
			      struct berth_error **err)
{
	struct fs_ctx f;
	if (fs_acquire(req, false, &f, err) < 0)
		return -1;
	cleanup_json json_t *gd = ctr_graph_driver(f.e, f.c);
	json_t *data = json_object_get(gd, "Data");
	const char *upper = json_string_value(json_object_get(data, "UpperDir"));
	const char *lowers = json_string_value(json_object_get(data, "LowerDir"));
	const char *tree = json_string_value(json_object_get(data, "Dir"));
	if (upper == NULL && tree && f.e->snap && f.c->snapshot_key) {
		json_t *out = json_array();
		int rc = changes_native(&f, tree, out, err);
		fs_release(&f);
		if (rc < 0) {
			json_decref(out);
			return -1;
		}
		if (json_array_size(out) == 0) {
			json_decref(out);
			out = json_null();
		}
		api_reply_json(resp, 200, out);
		return 0;
	}
	if (upper == NULL) {
		const char *drv = json_string_value(json_object_get(gd, "Name"));
		fs_release(&f);
		return berth_error_set(err, ENOTSUP,
				       "changes of a container are not supported by %s",
				       drv ? drv : "this storage driver");
	}
	struct diff d = {.out = json_array()};
	cleanup_free char *ls = xstrdup(lowers ? lowers : "");
	char *save = NULL;
	for (char *p = strtok_r(ls, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
		int fd = open(p, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			continue;
		d.lowers = xrealloc(d.lowers, (d.n_lowers + 1) * sizeof(int));
		d.lowers[d.n_lowers++] = fd;
	}
	int ufd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int rc = 0;
	if (ufd < 0)
		rc =
		    berth_error_errno(err, "open the upper dir %s of container %s", upper, f.c->id);
	else
		diff_walk(&d, ufd, "/");
	if (ufd >= 0)
		close(ufd);
	for (size_t i = 0; i < d.n_lowers; i++)
		close(d.lowers[i]);
	free(d.lowers);
	fs_release(&f);
	if (rc < 0) {
		json_decref(d.out);
		return -1;
	}
	/* docker sends null for no changes */
	if (json_array_size(d.out) == 0) {
		json_decref(d.out);
		d.out = json_null();
	}
	api_reply_json(resp, 200, d.out);
	return 0;
}

const struct api_route api_containers_fs_routes[] = {
    {"GET", "/containers/{name}/archive", archive_get},
    {"HEAD", "/containers/{name}/archive", archive_head},
    {"GET", "/containers/{name}/export", containers_export},
    {"GET", "/containers/{name}/changes", containers_changes},
    {NULL, NULL, NULL},
};

const struct api_route api_containers_fs_body_routes[] = {
    {"PUT", "/containers/{name}/archive", archive_put},
    {NULL, NULL, NULL},
};
