/* The snapshotter front: bookkeeping through meta.h, files through the
 * backend's snap_ops. On-disk layout under root/snapshots/<driver>/:
 *   metadata.json        the index (meta-json.c; in metadata.db when snap_config.md)
 *   snapshots/<id>/fs    the snapshot's tree (layer or upper dir)
 *   snapshots/<id>/work  overlay's work dir (active overlay snapshots)
 * New snapshots are built in snapshots/new-XXXXXX and renamed into place
 * once recorded; removed ones are renamed to rm-<id> before deletion, so a
 * crash leaves only directories no record points to. */
#include "core/snapshots/fsutil.h"
#include "core/snapshots/meta.h"
#include "core/snapshots/snapshots.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

struct snapshotter {
	const struct snap_ops *ops;
	char *root; /* root/snapshots/<driver> */
	char *dirs; /* root/snapshots/<driver>/snapshots */
	struct snap_meta *meta;
	pthread_mutex_t lock;
};

void snap_info_free(struct snap_info *info)
{
	if (info == NULL)
		return;
	free(info->name);
	free(info->parent);
	info->name = info->parent = NULL;
}

void snap_mounts_free(struct snap_mounts *m)
{
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++) {
		free(m->v[i].type);
		free(m->v[i].source);
		if (m->v[i].options)
			for (char **o = m->v[i].options; *o; o++)
				free(*o);
		free(m->v[i].options);
	}
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

static const struct snap_ops *find_ops(const char *driver)
{
	if (strcmp(driver, "overlayfs") == 0 || strcmp(driver, "overlay") == 0 ||
	    strcmp(driver, "overlay2") == 0)
		return &snap_overlay_ops;
	if (strcmp(driver, "native") == 0 || strcmp(driver, "vfs") == 0)
		return &snap_native_ops;
	return NULL;
}

int snap_open(const struct snap_config *cfg, struct snapshotter **out, struct berth_error **err)
{
	cleanup_free char *base = xasprintf("%s/snapshots", cfg->root);
	if (fs_mkdir_p(base, 0711, err) < 0)
		return berth_error_wrap(err, "snapshotter");
	const struct snap_ops *ops;
	if (cfg->driver == NULL || cfg->driver[0] == '\0')
		ops = snap_overlay_supported(base) ? &snap_overlay_ops : &snap_native_ops;
	else if ((ops = find_ops(cfg->driver)) == NULL)
		return berth_error_set(
		    err, EINVAL, "snapshotter %s: unknown (known: overlayfs, native)", cfg->driver);
	struct snapshotter *s = xcalloc(1, sizeof(*s));
	s->ops = ops;
	s->root = xasprintf("%s/%s", base, ops->name);
	s->dirs = xasprintf("%s/snapshots", s->root);
	pthread_mutex_init(&s->lock, NULL);
	int r = fs_mkdir_p(s->dirs, 0700, err);
	if (r == 0)
		r = cfg->md ? snap_meta_sqlite_open(cfg->md, ops->name, &s->meta, err)
			    : snap_meta_json_open(s->root, &s->meta, err);
	if (r < 0) {
		berth_error_wrap(err, "snapshotter %s", ops->name);
		snap_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void snap_close(struct snapshotter *s)
{
	if (s == NULL)
		return;
	snap_meta_close(s->meta);
	pthread_mutex_destroy(&s->lock);
	free(s->root);
	free(s->dirs);
	free(s);
}

const char *snap_driver(const struct snapshotter *s)
{
	return s->ops->name;
}

const char *snap_root(const struct snapshotter *s)
{
	return s->root;
}

static char *id_dir(struct snapshotter *s, uint64_t id)
{
	return xasprintf("%s/%llu", s->dirs, (unsigned long long)id);
}

/* Directories of the parent chain of `parent` (itself first). */
static char **parent_dirs(struct snapshotter *s, const char *parent, size_t *n)
{
	char **v = NULL;
	*n = 0;
	for (const char *p = parent; p;) {
		const struct snap_info *r = snap_meta_get(s->meta, p);
		if (r == NULL)
			break; /* checked on add */
		v = xrealloc(v, (*n + 2) * sizeof(*v));
		v[(*n)++] = id_dir(s, r->id);
		v[*n] = NULL;
		p = r->parent;
	}
	return v;
}

static void strv_free_n(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int mounts_of(struct snapshotter *s, const struct snap_info *r, struct snap_mounts *out,
		     struct berth_error **err)
{
	size_t n;
	char **parents = parent_dirs(s, r->parent, &n);
	cleanup_free char *dir = id_dir(s, r->id);
	int ret = s->ops->mounts(dir, r->kind, (const char *const *)parents, n, out, err);
	strv_free_n(parents, n);
	if (ret < 0)
		return berth_error_wrap(err, "mounts of snapshot %s", r->name);
	return 0;
}

static int create_locked(struct snapshotter *s, enum snap_kind kind, const char *key,
			 const char *parent, struct snap_mounts *out, struct berth_error **err)
{
	if (key == NULL || key[0] == '\0')
		return berth_error_set(err, EINVAL, "snapshot key: must not be empty");
	if (snap_meta_get(s->meta, key))
		return berth_error_set(err, EEXIST, "snapshot %s: already exists", key);
	if (parent) {
		const struct snap_info *p = snap_meta_get(s->meta, parent);
		if (p == NULL)
			return berth_error_set(err, ENOENT, "parent snapshot %s: not found",
					       parent);
		if (p->kind != SNAP_KIND_COMMITTED)
			return berth_error_set(err, EINVAL,
					       "parent snapshot %s: is %s, not committed", parent,
					       snap_kind_name(p->kind));
	}
	cleanup_free char *tmp = xasprintf("%s/new-XXXXXX", s->dirs);
	if (mkdtemp(tmp) == NULL)
		return berth_error_errno(err, "create snapshot %s: mkdtemp in %s", key, s->dirs);
	chmod(tmp, 0755);
	size_t n;
	char **parents = parent_dirs(s, parent, &n);
	int r = s->ops->create(tmp, kind, (const char *const *)parents, n, err);
	strv_free_n(parents, n);
	uint64_t id = 0;
	cleanup_free char *dir = NULL;
	if (r == 0 && (r = snap_meta_new_id(s->meta, &id, err)) == 0) {
		dir = id_dir(s, id);
		if (rename(tmp, dir) < 0)
			r = berth_error_errno(err, "rename %s to %s", tmp, dir);
		else if ((r = snap_meta_add(s->meta, key, parent, kind, id, err)) < 0)
			rename(dir, tmp);
	}
	if (r < 0) {
		fs_rm_rf(tmp, NULL);
		return berth_error_wrap(err, "create snapshot %s", key);
	}
	if (out && mounts_of(s, snap_meta_get(s->meta, key), out, err) < 0)
		return -1;
	return 0;
}

static int create(struct snapshotter *s, enum snap_kind kind, const char *key, const char *parent,
		  struct snap_mounts *out, struct berth_error **err)
{
	pthread_mutex_lock(&s->lock);
	int r = create_locked(s, kind, key, parent, out, err);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int snap_prepare(struct snapshotter *s, const char *key, const char *parent,
		 struct snap_mounts *out, struct berth_error **err)
{
	return create(s, SNAP_KIND_ACTIVE, key, parent, out, err);
}

int snap_view(struct snapshotter *s, const char *key, const char *parent, struct snap_mounts *out,
	      struct berth_error **err)
{
	return create(s, SNAP_KIND_VIEW, key, parent, out, err);
}

static const struct snap_info *get(struct snapshotter *s, const char *key, struct berth_error **err)
{
	const struct snap_info *r = key ? snap_meta_get(s->meta, key) : NULL;
	if (r == NULL)
		berth_error_set(err, ENOENT, "snapshot %s: not found", key ? key : "(null)");
	return r;
}

int snap_mounts(struct snapshotter *s, const char *key, struct snap_mounts *out,
		struct berth_error **err)
{
	pthread_mutex_lock(&s->lock);
	const struct snap_info *r = get(s, key, err);
	int ret = r ? mounts_of(s, r, out, err) : -1;
	pthread_mutex_unlock(&s->lock);
	return ret;
}

static int commit_locked(struct snapshotter *s, const char *name, const char *key,
			 struct berth_error **err)
{
	const struct snap_info *r = get(s, key, err);
	if (r == NULL)
		return -1;
	if (r->kind != SNAP_KIND_ACTIVE)
		return berth_error_set(err, EINVAL, "commit snapshot %s: is %s, not active", key,
				       snap_kind_name(r->kind));
	if (name == NULL || name[0] == '\0')
		return berth_error_set(err, EINVAL, "commit snapshot %s: empty name", key);
	if (snap_meta_get(s->meta, name))
		return berth_error_set(err, EEXIST, "commit snapshot %s: %s already exists", key,
				       name);
	cleanup_free char *dir = id_dir(s, r->id);
	if (s->ops->commit(dir, err) < 0 || snap_meta_commit(s->meta, key, name, err) < 0)
		return berth_error_wrap(err, "commit snapshot %s as %s", key, name);
	return 0;
}

int snap_commit(struct snapshotter *s, const char *name, const char *key, struct berth_error **err)
{
	pthread_mutex_lock(&s->lock);
	int r = commit_locked(s, name, key, err);
	pthread_mutex_unlock(&s->lock);
	return r;
}

static int remove_locked(struct snapshotter *s, const char *key, struct berth_error **err)
{
	const struct snap_info *r = get(s, key, err);
	if (r == NULL)
		return -1;
	size_t children = snap_meta_children(s->meta, key);
	if (children)
		return berth_error_set(err, EBUSY, "remove snapshot %s: it is the parent of %zu %s",
				       key, children, children == 1 ? "snapshot" : "snapshots");
	cleanup_free char *dir = id_dir(s, r->id);
	cleanup_free char *gone = xasprintf("%s/rm-%llu", s->dirs, (unsigned long long)r->id);
	if (rename(dir, gone) < 0 && errno != ENOENT)
		return berth_error_errno(err, "remove snapshot %s: rename %s", key, dir);
	if (snap_meta_remove(s->meta, key, err) < 0) {
		rename(gone, dir);
		return berth_error_wrap(err, "remove snapshot %s", key);
	}
	/* The record is gone: a failure here only leaves an orphan rm-<id>. */
	if (fs_rm_rf(gone, err) < 0)
		return berth_error_wrap(err, "remove snapshot %s", key);
	return 0;
}

int snap_remove(struct snapshotter *s, const char *key, struct berth_error **err)
{
	pthread_mutex_lock(&s->lock);
	int r = remove_locked(s, key, err);
	pthread_mutex_unlock(&s->lock);
	return r;
}

static void info_copy(struct snap_info *dst, const struct snap_info *src)
{
	*dst = *src;
	dst->name = xstrdup(src->name);
	dst->parent = src->parent ? xstrdup(src->parent) : NULL;
}

int snap_stat(struct snapshotter *s, const char *key, struct snap_info *out,
	      struct berth_error **err)
{
	pthread_mutex_lock(&s->lock);
	const struct snap_info *r = get(s, key, err);
	if (r)
		info_copy(out, r);
	pthread_mutex_unlock(&s->lock);
	return r ? 0 : -1;
}

int snap_walk(struct snapshotter *s, snap_walk_fn fn, void *arg, struct berth_error **err)
{
	(void)err;
	pthread_mutex_lock(&s->lock);
	int r = snap_meta_walk(s->meta, fn, arg);
	pthread_mutex_unlock(&s->lock);
	return r;
}

int snap_layer_dir(struct snapshotter *s, const char *key, char **out, struct berth_error **err)
{
	pthread_mutex_lock(&s->lock);
	const struct snap_info *r = get(s, key, err);
	if (r)
		*out = xasprintf("%s/%llu/fs", s->dirs, (unsigned long long)r->id);
	pthread_mutex_unlock(&s->lock);
	return r ? 0 : -1;
}

int snap_usage(struct snapshotter *s, const char *key, struct snap_usage *out,
	       struct berth_error **err)
{
	cleanup_free char *dir = NULL;
	if (snap_layer_dir(s, key, &dir, err) < 0)
		return -1;
	if (snap_fs_usage(dir, out, err) < 0)
		return berth_error_wrap(err, "usage of snapshot %s", key);
	return 0;
}
