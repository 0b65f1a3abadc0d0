/* Namespaces: containerd's names ([a-z0-9]([a-z0-9._-]*[a-z0-9])?, at most 76
 * characters). `default` is made by the schema and cannot be deleted. */
#include "core/metadata/md-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

static bool alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool md_namespace_valid(const char *name)
{
	if (name == NULL)
		return false;
	size_t n = strlen(name);
	if (n == 0 || n > MD_NAMESPACE_MAX || !alnum(name[0]) || !alnum(name[n - 1]))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!alnum(name[i]) && name[i] != '.' && name[i] != '_' && name[i] != '-')
			return false;
	return true;
}

int md_namespace_check(const char *name, struct berth_error **err)
{
	if (md_namespace_valid(name))
		return 0;
	return berth_error_set(err, EINVAL,
			       "namespace \"%s\": invalid (1 to %d characters of [a-z0-9._-], "
			       "starting and ending with a letter or digit)",
			       name ? name : "", MD_NAMESPACE_MAX);
}

int md_ns_insert_locked(struct md_db *db, const char *name, bool or_ignore,
			struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    or_ignore
		? md_stmt(db, "INSERT OR IGNORE INTO namespaces (name, created) VALUES (?, ?)", err)
		: md_stmt(db, "INSERT INTO namespaces (name, created) VALUES (?, ?)", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, name);
	md_bind_i64(st, 2, md_now());
	return md_run(db, st, err);
}

int md_namespace_create(struct md_db *db, const char *name, struct berth_error **err)
{
	if (md_namespace_check(name, err) < 0)
		return -1;
	if (MD_WRITE(db, err, md_ns_insert_locked(db, name, false, err)) < 0) {
		if (*err && (*err)->code == EEXIST) {
			berth_error_free(err);
			return berth_error_set(err, EEXIST, "namespace %s: already exists", name);
		}
		return berth_error_wrap(err, "create namespace %s", name);
	}
	return 0;
}

int md_namespace_ensure(struct md_db *db, const char *name, struct berth_error **err)
{
	if (md_namespace_check(name, err) < 0)
		return -1;
	if (MD_WRITE(db, err, md_ns_insert_locked(db, name, true, err)) < 0)
		return berth_error_wrap(err, "create namespace %s", name);
	return 0;
}

static int exists_locked(struct md_db *db, const char *name)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "SELECT 1 FROM namespaces WHERE name = ?", NULL);
	if (st == NULL)
		return 0;
	md_bind_text(st, 1, name);
	return md_step(db, st, NULL) == 1;
}

bool md_namespace_exists(struct md_db *db, const char *name)
{
	return MD_READ(db, exists_locked(db, name)) != 0;
}

static int list_locked(struct md_db *db, char ***out, struct berth_error **err)
{
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(db, "SELECT name FROM namespaces ORDER BY name", err);
	if (st == NULL)
		return -1;
	char **v = xcalloc(1, sizeof(*v));
	size_t n = 0;
	int r;
	while ((r = md_step(db, st, err)) == 1) {
		v = xrealloc(v, (n + 2) * sizeof(*v));
		v[n++] = md_col_text(st, 0);
		v[n] = NULL;
	}
	if (r < 0) {
		cleanup_strv_fn(&v);
		return -1;
	}
	*out = v;
	return 0;
}

int md_namespace_list(struct md_db *db, char ***out, struct berth_error **err)
{
	if (MD_READ(db, list_locked(db, out, err)) < 0)
		return berth_error_wrap(err, "list namespaces");
	return 0;
}

/* What still lives in the namespace: "2 images" or NULL. */
static int in_use_locked(struct md_db *db, const char *name, char **what, struct berth_error **err)
{
	static const char *const queries[] = {
	    "SELECT count(*) FROM images WHERE namespace = ?",
	    "SELECT count(*) FROM containers WHERE namespace = ?",
	    "SELECT count(*) FROM leases WHERE namespace = ?",
	};
	static const char *const nouns[] = {"image", "container", "lease"};
	*what = NULL;
	for (size_t i = 0; i < 3; i++) {
		cleanup_stmt sqlite3_stmt *st = md_stmt(db, queries[i], err);
		if (st == NULL)
			return -1;
		md_bind_text(st, 1, name);
		if (md_step(db, st, err) < 0)
			return -1;
		int64_t n = sqlite3_column_int64(st, 0);
		if (n > 0) {
			*what = xasprintf("%lld %s%s", (long long)n, nouns[i], n == 1 ? "" : "s");
			return 0;
		}
	}
	return 0;
}

static int delete_locked(struct md_db *db, const char *name, struct berth_error **err)
{
	cleanup_free char *what = NULL;
	if (in_use_locked(db, name, &what, err) < 0)
		return -1;
	if (what)
		return berth_error_set(err, ENOTEMPTY, "it holds %s", what);
	cleanup_stmt sqlite3_stmt *st = md_stmt(db, "DELETE FROM namespaces WHERE name = ?", err);
	if (st == NULL)
		return -1;
	md_bind_text(st, 1, name);
	if (md_run(db, st, err) < 0)
		return -1;
	if (sqlite3_changes(db->conn) == 0)
		return berth_error_set(err, ENOENT, "not found");
	return 0;
}

int md_namespace_delete(struct md_db *db, const char *name, struct berth_error **err)
{
	if (md_namespace_check(name, err) < 0)
		return -1;
	if (strcmp(name, MD_DEFAULT_NAMESPACE) == 0)
		return berth_error_set(err, EPERM, "delete namespace %s: it cannot be deleted",
				       name);
	if (MD_WRITE(db, err, delete_locked(db, name, err)) < 0)
		return berth_error_wrap(err, "delete namespace %s", name);
	return 0;
}
