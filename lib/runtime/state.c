#include "runtime/state.h"
#include "runtime/container-cgroup.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>

static const char *const status_names[] = {"creating", "created", "running", "paused", "stopped"};

const char *rt_status_name(enum rt_status s)
{
	return status_names[s];
}

int rt_id_validate(const char *id, struct berth_error **err)
{
	size_t n = strlen(id);
	if (n == 0)
		return berth_error_set(err, EINVAL, "invalid container id: the id is empty");
	if (n > 1024)
		return berth_error_set(err, EINVAL, "invalid container id: longer than 1024 bytes");
	if (strcmp(id, ".") == 0 || strcmp(id, "..") == 0)
		return berth_error_set(err, EINVAL, "invalid container id \"%s\"", id);
	for (const char *p = id; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.' || c == '+';
		if (!ok)
			return berth_error_set(
			    err, EINVAL,
			    "invalid container id \"%s\": only letters, digits and "
			    "_ - . + are allowed",
			    id);
	}
	return 0;
}

static struct rt_container *container_alloc(const char *root, const char *id)
{
	struct rt_container *c = xcalloc(1, sizeof(*c));
	c->id = xstrdup(id);
	c->dir = xasprintf("%s/%s", root, id);
	c->dirfd = -1;
	c->state.id = xstrdup(id);
	return c;
}

static int lock_dir(struct rt_container *c, struct berth_error **err)
{
	c->dirfd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (c->dirfd < 0)
		return berth_error_errno(err, "open state directory %s", c->dir);
	while (flock(c->dirfd, LOCK_EX) < 0) {
		if (errno != EINTR)
			return berth_error_errno(err, "lock %s", c->dir);
	}
	return 0;
}

int rt_container_new(const char *root, const char *id, struct rt_container **out,
		     struct berth_error **err)
{
	if (rt_id_validate(id, err) < 0)
		return -1;
	if (fs_mkdir_p(root, 0711, err) < 0)
		return berth_error_wrap(err, "runtime root");
	struct rt_container *c = container_alloc(root, id);
	if (mkdir(c->dir, 0711) < 0) {
		if (errno == EEXIST)
			berth_error_set(err, EEXIST, "container with id \"%s\" already exists", id);
		else
			berth_error_errno(err, "create state directory %s", c->dir);
		rt_container_free(c);
		return -1;
	}
	if (lock_dir(c, err) < 0) {
		rmdir(c->dir);
		rt_container_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

static int load_state(struct rt_container *c, struct berth_error **err)
{
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file_at(c->dirfd, "state.json", &data, &len, err) < 0) {
		if ((*err)->code == ENOENT) {
			berth_error_free(err);
			return berth_error_set(err, ENOENT, "container \"%s\" does not exist",
					       c->id);
		}
		return -1;
	}
	json_error_t jerr;
	cleanup_json json_t *j = json_loadb(data, len, 0, &jerr);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "%s/state.json: corrupt: %s", c->dir,
				       jerr.text);
	struct rt_state *s = &c->state;
	int64_t pid = 0, start = 0;
	cleanup_free char *status = NULL;
	if (bjson_string(j, "bundle", "", true, &s->bundle, err) < 0 ||
	    bjson_string(j, "rootfs", "", true, &s->rootfs, err) < 0 ||
	    bjson_string(j, "created", "", true, &s->created, err) < 0 ||
	    bjson_string(j, "owner", "", false, &s->owner, err) < 0 ||
	    bjson_string(j, "status", "", true, &status, err) < 0 ||
	    bjson_int(j, "pid", "", 0, INT32_MAX, &pid, NULL, err) < 0 ||
	    bjson_int(j, "pid_start", "", 0, INT64_MAX, &start, NULL, err) < 0)
		return berth_error_wrap(err, "%s/state.json", c->dir);
	s->pid = (pid_t)pid;
	s->pid_start = (uint64_t)start;
	s->saved_status = strcmp(status, "creating") == 0 ? RT_CREATING : RT_CREATED;
	json_t *a = json_object_get(j, "annotations");
	s->annotations = json_is_object(a) ? json_incref(a) : json_object();
	json_t *x = json_object_get(j, "berth");
	s->extra = json_is_object(x) ? json_incref(x) : json_object();
	return 0;
}

int rt_container_open(const char *root, const char *id, struct rt_container **out,
		      struct berth_error **err)
{
	if (rt_id_validate(id, err) < 0)
		return -1;
	struct rt_container *c = container_alloc(root, id);
	if (lock_dir(c, err) < 0) {
		if ((*err)->code == ENOENT) {
			berth_error_free(err);
			berth_error_set(err, ENOENT, "container \"%s\" does not exist", id);
		}
		rt_container_free(c);
		return -1;
	}
	if (load_state(c, err) < 0) {
		rt_container_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void rt_container_unlock(struct rt_container *c)
{
	if (c->dirfd >= 0)
		flock(c->dirfd, LOCK_UN);
}

int rt_container_save(struct rt_container *c, struct berth_error **err)
{
	struct rt_state *s = &c->state;
	if (s->annotations == NULL)
		s->annotations = json_object();
	if (s->extra == NULL)
		s->extra = json_object();
	cleanup_json json_t *j =
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:i,s:I,s:O,s:O}", "id", c->id, "status",
		      s->saved_status == RT_CREATING ? "creating" : "created", "bundle", s->bundle,
		      "rootfs", s->rootfs, "created", s->created, "owner", s->owner ? s->owner : "",
		      "pid", (int)s->pid, "pid_start", (json_int_t)s->pid_start, "annotations",
		      s->annotations, "berth", s->extra);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "encode state of %s", c->id);
	cleanup_free char *data = json_dumps(j, JSON_COMPACT);
	/* runtime state lives under /run: atomic, but not worth an fsync */
	return fs_write_file_atomic(c->dirfd, "state.json", data, strlen(data), 0600, false, err);
}

int rt_container_destroy(struct rt_container *c, struct berth_error **err)
{
	return fs_rm_rf(c->dir, err);
}

void rt_container_free(struct rt_container *c)
{
	if (c == NULL)
		return;
	if (c->dirfd >= 0)
		close(c->dirfd);
	free(c->id);
	free(c->dir);
	free(c->state.id);
	free(c->state.bundle);
	free(c->state.rootfs);
	free(c->state.created);
	free(c->state.owner);
	if (c->state.annotations)
		json_decref(c->state.annotations);
	if (c->state.extra)
		json_decref(c->state.extra);
	free(c);
}

uint64_t rt_proc_start_time(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	cleanup_free char *data = NULL;
	struct berth_error *err = NULL;
	if (fs_read_file(path, &data, NULL, &err) < 0) {
		berth_error_free(&err);
		return 0;
	}
	/* comm may hold spaces and parens: fields start after the last ')' */
	char *p = strrchr(data, ')');
	if (p == NULL)
		return 0;
	p += 2; /* field 3: state */
	if (*p == 'Z' || *p == 'X')
		return 0;
	for (int field = 3; field < 22 && p; field++) {
		p = strchr(p, ' ');
		if (p)
			p++;
	}
	return p ? strtoull(p, NULL, 10) : 0;
}

bool rt_proc_alive(pid_t pid, uint64_t start)
{
	if (pid <= 0)
		return false;
	uint64_t now = rt_proc_start_time(pid);
	return now != 0 && (start == 0 || now == start);
}

enum rt_status rt_container_status(struct rt_container *c)
{
	if (!rt_proc_alive(c->state.pid, c->state.pid_start))
		return RT_STOPPED;
	if (c->state.saved_status == RT_CREATING)
		return RT_CREATING;
	if (rt_cgroup_frozen(c))
		return RT_PAUSED;
	struct stat st;
	if (fstatat(c->dirfd, "exec.fifo", &st, 0) == 0)
		return RT_CREATED;
	return RT_RUNNING;
}

json_t *rt_container_state_json(struct rt_container *c)
{
	enum rt_status st = rt_container_status(c);
	struct rt_state *s = &c->state;
	json_t *j = json_pack("{s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s}", "ociVersion", "1.2.0", "id",
			      c->id, "pid", st == RT_STOPPED ? 0 : (int)s->pid, "status",
			      rt_status_name(st), "bundle", s->bundle, "rootfs", s->rootfs,
			      "created", s->created, "owner", s->owner ? s->owner : "");
	if (s->annotations && json_object_size(s->annotations) > 0)
		json_object_set(j, "annotations", s->annotations);
	return j;
}

char *rt_now_rfc3339(void)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char buf[64];
	strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	return xasprintf("%s.%09ldZ", buf, ts.tv_nsec);
}
