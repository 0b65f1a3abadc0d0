/* Image records: name (a normalised reference) -> target descriptor, per
 * namespace. */
#include "core/content/content.h"
#include "core/images/reference.h"
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

void md_image_free(struct md_image *img)
{
	if (img == NULL)
		return;
	free(img->name);
	free(img->target.media_type);
	free(img->target.digest);
	if (img->labels)
		json_decref(img->labels);
	memset(img, 0, sizeof(*img));
}

void md_image_list_free(struct md_image *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		md_image_free(&v[i]);
	free(v);
}

/* A normalised reference (what ref_parse_normalized + ref_string give back
 * unchanged) or MD_DANGLING_PREFIX + digest. */
static int check_name(const char *name, struct berth_error **err)
{
	if (name == NULL || name[0] == '\0')
		return berth_error_set(err, EINVAL, "image name: empty");
	size_t pl = strlen(MD_DANGLING_PREFIX);
	if (strncmp(name, MD_DANGLING_PREFIX, pl) == 0) {
		if (content_digest_valid(name + pl))
			return 0;
		return berth_error_set(err, EINVAL, "image name %s: not %s<digest>", name,
				       MD_DANGLING_PREFIX);
	}
	struct ref *r = NULL;
	if (ref_parse_normalized(name, &r, err) < 0)
		return berth_error_wrap(err, "image name %s", name);
	cleanup_free char *s = ref_string(r);
	ref_free(r);
	if (strcmp(s, name) != 0)
		return berth_error_set(err, EINVAL, "image name %s: not normalised (%s)", name, s);
	return 0;
}

static int check_image(const char *ns, const struct md_image *img, struct berth_error **err)
{
	if (md_namespace_check(ns, err) < 0 || check_name(img->name, err) < 0)
		return -1;
	const struct md_descriptor *t = &img->target;
	if (t->media_type == NULL || t->media_type[0] == '\0')
		return berth_error_set(err, EINVAL, "image %s: target media type: empty",
				       img->name);
	if (t->digest == NULL || !content_digest_valid(t->digest))
		return berth_error_set(err, EINVAL, "image %s: target digest \"%s\": invalid",
				       img->name, t->digest ? t->digest : "");
	if (t->size < 0)
		return berth_error_set(err, EINVAL, "image %s: target size %lld: negative",
				       img->name, (long long)t->size);
	return md_labels_check(img->labels, img->name, err);
}

static int create_locked(struct md_db *db, const char *ns, const struct md_image *img,
			 struct berth_error **err)
{
	if (md_ns_insert_locked(db, ns, true, err) < 0)
		return -1;
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db,
		    "INSERT INTO images (namespace, name, media_type, digest, size, created, "
		    "updated, labels) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		    err);
	if (st == NULL)
		return -1;
	int64_t now = md_now();
	cleanup_free char *labels = md_labels_dump(img->labels);
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, img->name);
	md_bind_text(st, 3, img->target.media_type);
	md_bind_text(st, 4, img->target.digest);
	md_bind_i64(st, 5, img->target.size);
	md_bind_i64(st, 6, img->created ? img->created : now);
	md_bind_i64(st, 7, img->updated ? img->updated : now);
	md_bind_text(st, 8, labels);
	return md_run(db, st, err);
}

int md_image_create(struct md_db *db, const char *ns, const struct md_image *img,
		    struct berth_error **err)
{
	if (check_image(ns, img, err) < 0)
		return berth_error_wrap(err, "create image");
	if (MD_WRITE(db, err, create_locked(db, ns, img, err)) < 0) {
		if (*err && (*err)->code == EEXIST) {
			berth_error_free(err);
			return berth_error_set(
			    err, EEXIST, "image %s: already exists in namespace %s", img->name, ns);
		}
		return berth_error_wrap(err, "create image %s in namespace %s", img->name, ns);
	}
	return 0;
}

static int update_locked(struct md_db *db, const char *ns, const struct md_image *img,
			 struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st = md_stmt(db,
						"UPDATE images SET media_type = ?, digest = ?, "
						"size = ?, labels = ?, updated = ? "
						"WHERE namespace = ? AND name = ?",
						err);
	if (st == NULL)
		return -1;
	cleanup_free char *labels = md_labels_dump(img->labels);
	md_bind_text(st, 1, img->target.media_type);
	md_bind_text(st, 2, img->target.digest);
	md_bind_i64(st, 3, img->target.size);
	md_bind_text(st, 4, labels);
	md_bind_i64(st, 5, img->updated ? img->updated : md_now());
	md_bind_text(st, 6, ns);
	md_bind_text(st, 7, img->name);
	if (md_run(db, st, err) < 0)
		return -1;
	if (sqlite3_changes(db->conn) == 0)
		return berth_error_set(err, ENOENT, "not found");
	return 0;
}

int md_image_update(struct md_db *db, const char *ns, const struct md_image *img,
		    struct berth_error **err)
{
	if (check_image(ns, img, err) < 0)
		return berth_error_wrap(err, "update image");
	if (MD_WRITE(db, err, update_locked(db, ns, img, err)) < 0)
		return berth_error_wrap(err, "update image %s in namespace %s", img->name, ns);
	return 0;
}

#define COLUMNS "name, media_type, digest, size, created, updated, labels"

static void from_row(sqlite3_stmt *st, struct md_image *out)
{
	out->name = md_col_text(st, 0);
	out->target.media_type = md_col_text(st, 1);
	out->target.digest = md_col_text(st, 2);
	out->target.size = sqlite3_column_int64(st, 3);
	out->created = sqlite3_column_int64(st, 4);
	out->updated = sqlite3_column_int64(st, 5);
	out->labels = md_labels_load((const char *)sqlite3_column_text(st, 6));
}

static int get_locked(struct md_db *db, const char *ns, const char *name, struct md_image *out,
		      struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "SELECT " COLUMNS " FROM images WHERE namespace = ? AND name = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, name);
	int r = md_step(db, st, err);
	if (r < 0)
		return -1;
	if (r == 0)
		return berth_error_set(err, ENOENT, "image %s: not found in namespace %s", name,
				       ns);
	from_row(st, out);
	return 0;
}

int md_image_get(struct md_db *db, const char *ns, const char *name, struct md_image *out,
		 struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	return MD_READ(db, get_locked(db, ns, name, out, err));
}

static int delete_locked(struct md_db *db, const char *ns, const char *name,
			 struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "DELETE FROM images WHERE namespace = ? AND name = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, name);
	if (md_run(db, st, err) < 0)
		return -1;
	if (sqlite3_changes(db->conn) == 0)
		return berth_error_set(err, ENOENT, "image %s: not found in namespace %s", name,
				       ns);
	return 0;
}

int md_image_delete(struct md_db *db, const char *ns, const char *name, struct berth_error **err)
{
	if (MD_WRITE(db, err, delete_locked(db, ns, name, err)) < 0)
		return berth_error_wrap(err, "delete image");
	return 0;
}

/* "key" (present) or "key=value" (equal). */
static bool label_match(json_t *labels, const char *want)
{
	const char *eq = strchr(want, '=');
	cleanup_free char *key = eq ? strndup(want, (size_t)(eq - want)) : xstrdup(want);
	json_t *v = json_object_get(labels, key);
	if (v == NULL)
		return false;
	return eq == NULL || strcmp(json_string_value(v), eq + 1) == 0;
}

static bool labels_match(json_t *labels, const char *const *want)
{
	for (; want && *want; want++)
		if (!label_match(labels, *want))
			return false;
	return true;
}

static int list_locked(struct md_db *db, const char *ns, const struct md_image_filter *f,
		       struct md_image **out, size_t *n, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db,
		    "SELECT " COLUMNS " FROM images WHERE namespace = ?1"
		    " AND (?2 IS NULL OR name = ?2) AND (?3 IS NULL OR name GLOB ?3)"
		    " AND (?4 IS NULL OR digest = ?4)"
		    " AND (?5 < 0 OR (substr(name, 1, length(?6)) = ?6) = ?5)"
		    " ORDER BY name",
		    err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, ns);
	md_bind_text(st, 2, f ? f->name : NULL);
	md_bind_text(st, 3, f ? f->name_glob : NULL);
	md_bind_text(st, 4, f ? f->digest : NULL);
	sqlite3_bind_int(st, 5, f ? f->dangling : -1);
	md_bind_text(st, 6, MD_DANGLING_PREFIX);
	struct md_image *v = NULL;
	size_t len = 0;
	int r;
	while ((r = md_step(db, st, err)) == 1) {
		struct md_image img = {0};
		from_row(st, &img);
		if (f && !labels_match(img.labels, f->labels)) {
			md_image_free(&img);
			continue;
		}
		v = xrealloc(v, (len + 1) * sizeof(*v));
		v[len++] = img;
	}
	if (r < 0) {
		md_image_list_free(v, len);
		return -1;
	}
	*out = v;
	*n = len;
	return 0;
}

int md_image_list(struct md_db *db, const char *ns, const struct md_image_filter *f,
		  struct md_image **out, size_t *n, struct berth_error **err)
{
	*out = NULL;
	*n = 0;
	if (MD_READ(db, list_locked(db, ns, f, out, n, err)) < 0)
		return berth_error_wrap(err, "list images in namespace %s", ns);
	return 0;
}
