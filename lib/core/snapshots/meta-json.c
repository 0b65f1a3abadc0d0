/* snap_meta over a JSON index file (metadata.json), rewritten atomically on
 * every change. The default when the snapshotter is given no metadata
 * database (snap_config.md); lib/core/metadata/snapmeta.c is the SQLite one.
 * Nothing outside this file knows the format. */
#include "core/snapshots/meta.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <time.h>

#define INDEX_NAME "metadata.json"

struct json_meta {
	struct snap_meta base;
	char *dir;
	struct snap_info *v; /* id order */
	size_t n, cap;
	uint64_t next_id;
};

static const char *const kind_names[] = {
    [SNAP_KIND_VIEW] = "view", [SNAP_KIND_ACTIVE] = "active", [SNAP_KIND_COMMITTED] = "committed"};

const char *snap_kind_name(enum snap_kind k)
{
	if (k < SNAP_KIND_VIEW || k > SNAP_KIND_COMMITTED)
		return "unknown";
	return kind_names[k];
}

static int kind_parse(const char *s, enum snap_kind *out)
{
	for (int k = SNAP_KIND_VIEW; k <= SNAP_KIND_COMMITTED; k++)
		if (strcmp(s, kind_names[k]) == 0) {
			*out = (enum snap_kind)k;
			return 0;
		}
	return -1;
}

static void push(struct json_meta *m, struct snap_info rec)
{
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->v = xrealloc(m->v, m->cap * sizeof(*m->v));
	}
	m->v[m->n++] = rec;
}

static int load_record(struct json_meta *m, json_t *o, size_t i, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("snapshots[%zu]", i);
	cleanup_free char *kind = NULL;
	struct snap_info r = {0};
	bool ok = bjson_string(o, "key", path, true, &r.name, err) == 0 &&
		  bjson_string(o, "parent", path, false, &r.parent, err) == 0 &&
		  bjson_string(o, "kind", path, true, &kind, err) == 0 &&
		  bjson_u64(o, "id", path, &r.id, NULL, err) == 0 &&
		  bjson_int(o, "created", path, INT64_MIN, INT64_MAX, &r.created, NULL, err) == 0 &&
		  bjson_int(o, "updated", path, INT64_MIN, INT64_MAX, &r.updated, NULL, err) == 0;
	if (ok && kind_parse(kind, &r.kind) < 0)
		ok = berth_error_set(err, EINVAL, "%s.kind: unknown kind \"%s\"", path, kind) == 0;
	if (!ok) {
		snap_info_free(&r);
		return -1;
	}
	push(m, r);
	return 0;
}

static int load(struct json_meta *m, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/%s", m->dir, INDEX_NAME);
	cleanup_free char *text = NULL;
	if (!fs_exists(path))
		return 0;
	if (fs_read_file(path, &text, NULL, err) < 0)
		return -1;
	json_error_t je;
	cleanup_json json_t *doc = json_loads(text, 0, &je);
	if (doc == NULL)
		return berth_error_set(err, EINVAL, "%s: line %d: %s", path, je.line, je.text);
	json_t *list = NULL;
	if (bjson_u64(doc, "next_id", "", &m->next_id, NULL, err) < 0 ||
	    bjson_member(doc, "snapshots", "", JSON_ARRAY, true, &list, err) < 0)
		return berth_error_wrap(err, "%s", path);
	size_t i;
	json_t *o;
	json_array_foreach(list, i, o)
	{
		if (load_record(m, o, i, err) < 0)
			return berth_error_wrap(err, "%s", path);
	}
	return 0;
}

static int save(struct json_meta *m, struct berth_error **err)
{
	cleanup_json json_t *list = json_array();
	for (size_t i = 0; i < m->n; i++) {
		const struct snap_info *r = &m->v[i];
		json_t *o = json_pack("{s:s, s:s, s:I, s:I, s:I}", "key", r->name, "kind",
				      snap_kind_name(r->kind), "id", (json_int_t)r->id, "created",
				      (json_int_t)r->created, "updated", (json_int_t)r->updated);
		if (r->parent)
			json_object_set_new(o, "parent", json_string(r->parent));
		json_array_append_new(list, o);
	}
	cleanup_json json_t *doc = json_pack("{s:i, s:I, s:O}", "version", 1, "next_id",
					     (json_int_t)m->next_id, "snapshots", list);
	cleanup_free char *text = json_dumps(doc, JSON_INDENT(1) | JSON_SORT_KEYS);
	cleanup_close int dfd = open(m->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", m->dir);
	if (fs_write_file_atomic(dfd, INDEX_NAME, text, strlen(text), 0600, true, err) < 0)
		return berth_error_wrap(err, "save snapshot index in %s", m->dir);
	fsync(dfd);
	return 0;
}

static void json_close(struct snap_meta *base)
{
	struct json_meta *m = (struct json_meta *)base;
	if (m == NULL)
		return;
	for (size_t i = 0; i < m->n; i++)
		snap_info_free(&m->v[i]);
	free(m->v);
	free(m->dir);
	free(m);
}

static ssize_t find(struct json_meta *m, const char *key)
{
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->v[i].name, key) == 0)
			return (ssize_t)i;
	return -1;
}

static const struct snap_info *json_get(struct snap_meta *base, const char *key)
{
	struct json_meta *m = (struct json_meta *)base;
	ssize_t i = find(m, key);
	return i < 0 ? NULL : &m->v[i];
}

static size_t json_children(struct snap_meta *base, const char *key)
{
	struct json_meta *m = (struct json_meta *)base;
	size_t n = 0;
	for (size_t i = 0; i < m->n; i++)
		if (m->v[i].parent && strcmp(m->v[i].parent, key) == 0)
			n++;
	return n;
}

static int json_new_id(struct snap_meta *base, uint64_t *out, struct berth_error **err)
{
	struct json_meta *m = (struct json_meta *)base;
	*out = m->next_id++;
	if (save(m, err) < 0) {
		m->next_id--;
		return -1;
	}
	return 0;
}

static int json_add(struct snap_meta *base, const char *key, const char *parent,
		    enum snap_kind kind, uint64_t id, struct berth_error **err)
{
	struct json_meta *m = (struct json_meta *)base;
	if (find(m, key) >= 0)
		return berth_error_set(err, EEXIST, "snapshot %s: already exists", key);
	if (parent && find(m, parent) < 0)
		return berth_error_set(err, ENOENT, "parent snapshot %s: not found", parent);
	int64_t now = (int64_t)time(NULL);
	struct snap_info r = {.name = xstrdup(key),
			      .parent = parent ? xstrdup(parent) : NULL,
			      .kind = kind,
			      .id = id,
			      .created = now,
			      .updated = now};
	push(m, r);
	if (save(m, err) < 0) {
		snap_info_free(&m->v[--m->n]);
		return -1;
	}
	return 0;
}

static int json_commit(struct snap_meta *base, const char *key, const char *name,
		       struct berth_error **err)
{
	struct json_meta *m = (struct json_meta *)base;
	ssize_t i = find(m, key);
	if (i < 0)
		return berth_error_set(err, ENOENT, "snapshot %s: not found", key);
	if (find(m, name) >= 0)
		return berth_error_set(err, EEXIST, "snapshot %s: already exists", name);
	struct snap_info *r = &m->v[i];
	struct snap_info old = *r;
	r->name = xstrdup(name);
	r->kind = SNAP_KIND_COMMITTED;
	r->updated = (int64_t)time(NULL);
	if (save(m, err) < 0) {
		free(r->name);
		*r = old;
		return -1;
	}
	free(old.name);
	return 0;
}

static int json_remove(struct snap_meta *base, const char *key, struct berth_error **err)
{
	struct json_meta *m = (struct json_meta *)base;
	ssize_t i = find(m, key);
	if (i < 0)
		return berth_error_set(err, ENOENT, "snapshot %s: not found", key);
	struct snap_info old = m->v[i];
	memmove(&m->v[i], &m->v[i + 1], (m->n - (size_t)i - 1) * sizeof(*m->v));
	m->n--;
	if (save(m, err) < 0) {
		memmove(&m->v[i + 1], &m->v[i], (m->n - (size_t)i) * sizeof(*m->v));
		m->v[i] = old;
		m->n++;
		return -1;
	}
	snap_info_free(&old);
	return 0;
}

static int json_walk(struct snap_meta *base, snap_walk_fn fn, void *arg)
{
	struct json_meta *m = (struct json_meta *)base;
	for (size_t i = 0; i < m->n; i++) {
		int r = fn(&m->v[i], arg);
		if (r != 0)
			return r;
	}
	return 0;
}

static const struct snap_meta_ops json_ops = {
    .get = json_get,
    .children = json_children,
    .new_id = json_new_id,
    .add = json_add,
    .commit = json_commit,
    .remove = json_remove,
    .walk = json_walk,
    .close = json_close,
};

int snap_meta_json_open(const char *dir, struct snap_meta **out, struct berth_error **err)
{
	struct json_meta *m = xcalloc(1, sizeof(*m));
	m->base.ops = &json_ops;
	m->dir = xstrdup(dir);
	m->next_id = 1;
	if (load(m, err) < 0) {
		json_close(&m->base);
		return -1;
	}
	*out = &m->base;
	return 0;
}
