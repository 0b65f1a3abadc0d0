/* Consistency check of a berthd root: see check.h. */
#include "core/check/check.h"
#include "core/content/content.h"
#include "core/images/imageconfig.h"
#include "core/images/manifest.h"
#include "core/images/mediatype.h"
#include "core/images/pull.h"
#include "core/metadata/md-internal.h"
#include "core/metadata/metadata.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct blob {
	char hex[CONTENT_DIGEST_HEX_LEN + 1];
	int64_t size;
};

struct snap {
	char *snapshotter, *key, *parent;
	int kind;
	int64_t id;
};

struct ck {
	const char *root;
	const struct check_options *o;
	struct check_result *res;
	struct md_db *db;
	struct content_store *cs;
	struct blob *blobs;
	size_t n_blobs;
	struct snap *snaps;
	size_t n_snaps;
};

__attribute__((format(printf, 2, 3))) static void problem(struct ck *c, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	va_end(ap);
	struct check_result *r = c->res;
	r->problems = xrealloc(r->problems, (r->n_problems + 1) * sizeof(*r->problems));
	r->problems[r->n_problems++] = s;
}

void check_result_free(struct check_result *res)
{
	for (size_t i = 0; i < res->n_problems; i++)
		free(res->problems[i]);
	free(res->problems);
	memset(res, 0, sizeof(*res));
}

static bool is_hex64(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == CONTENT_DIGEST_HEX_LEN;
}

static int blob_cmp(const void *a, const void *b)
{
	return strcmp(((const struct blob *)a)->hex, ((const struct blob *)b)->hex);
}

/* Size of blob `digest` ("sha256:<hex>"), -1 when absent. */
static int64_t blob_size(struct ck *c, const char *digest)
{
	if (strncmp(digest, "sha256:", 7) != 0)
		return -1;
	struct blob key = {0};
	if (strlen(digest + 7) != CONTENT_DIGEST_HEX_LEN)
		return -1;
	memcpy(key.hex, digest + 7, CONTENT_DIGEST_HEX_LEN);
	struct blob *b = bsearch(&key, c->blobs, c->n_blobs, sizeof(key), blob_cmp);
	return b ? b->size : -1;
}

static void check_blob(struct ck *c, int dfd, const char *name)
{
	struct stat st;
	if (!is_hex64(name)) {
		problem(c, "content: stray file blobs/sha256/%s", name);
		return;
	}
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode)) {
		problem(c, "content: blob sha256:%s is not a regular file", name);
		return;
	}
	if (!c->o->skip_digests) {
		cleanup_close int fd = openat(dfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
		struct content_digest d;
		int64_t size = 0;
		struct berth_error *e = NULL;
		if (fd < 0) {
			problem(c, "content: blob sha256:%s: open: %s", name, strerror(errno));
			return;
		}
		if (content_digest_fd(fd, &d, &size, &e) < 0) {
			problem(c, "content: blob sha256:%s: %s", name, e->msg);
			berth_error_free(&e);
			return;
		}
		if (strcmp(d.s + 7, name) != 0) {
			problem(c, "content: blob sha256:%s: digest mismatch: the bytes are %s",
				name, d.s);
			return;
		}
	}
	c->blobs = xrealloc(c->blobs, (c->n_blobs + 1) * sizeof(*c->blobs));
	struct blob *b = &c->blobs[c->n_blobs++];
	memcpy(b->hex, name, CONTENT_DIGEST_HEX_LEN + 1); /* is_hex64: 64 + NUL */
	b->size = st.st_size;
}

static void check_content(struct ck *c)
{
	cleanup_free char *dir = xasprintf("%s/content/blobs/sha256", c->root);
	cleanup_closedir DIR *d = opendir(dir);
	if (d == NULL) {
		if (errno != ENOENT)
			problem(c, "content: open %s: %s", dir, strerror(errno));
	} else {
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			check_blob(c, dirfd(d), de->d_name);
		}
	}
	if (c->n_blobs)
		qsort(c->blobs, c->n_blobs, sizeof(*c->blobs), blob_cmp);
	c->res->blobs = c->n_blobs;

	cleanup_free char *idir = xasprintf("%s/content/ingest", c->root);
	cleanup_closedir DIR *id = opendir(idir);
	if (id == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(id)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		c->res->ingests++;
		if (!c->o->allow_ingests)
			problem(c, "content: leftover ingest %s", de->d_name);
	}
}

static void check_db(struct ck *c)
{
	struct berth_error *e = NULL;
	md_lock(c->db);
	cleanup_stmt sqlite3_stmt *st = md_stmt(c->db, "PRAGMA integrity_check", &e);
	int r = st ? 0 : -1;
	while (st && (r = md_step(c->db, st, &e)) == 1) {
		const char *s = (const char *)sqlite3_column_text(st, 0);
		if (s && strcmp(s, "ok") != 0)
			problem(c, "metadata: integrity: %s", s);
	}
	md_stmt_reset(&st);
	if (r == 0) {
		st = md_stmt(c->db, "PRAGMA foreign_key_check", &e);
		r = st ? 0 : -1;
		while (st && (r = md_step(c->db, st, &e)) == 1)
			problem(c,
				"metadata: foreign key: table %s row %" PRId64
				" refers to a missing %s",
				(const char *)sqlite3_column_text(st, 0),
				(int64_t)sqlite3_column_int64(st, 1),
				(const char *)sqlite3_column_text(st, 2));
		md_stmt_reset(&st);
	}
	md_unlock(c->db);
	if (r < 0) {
		problem(c, "metadata: %s", e->msg);
		berth_error_free(&e);
	}
}

static struct snap *snap_find(struct ck *c, const char *snapshotter, const char *key)
{
	for (size_t i = 0; i < c->n_snaps; i++)
		if (strcmp(c->snaps[i].snapshotter, snapshotter) == 0 &&
		    strcmp(c->snaps[i].key, key) == 0)
			return &c->snaps[i];
	return NULL;
}

static int load_snaps(struct ck *c, struct berth_error **err)
{
	md_lock(c->db);
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(c->db, "SELECT snapshotter, key, parent, kind, id FROM snapshots", err);
	int r = st ? 0 : -1;
	while (st && (r = md_step(c->db, st, err)) == 1) {
		c->snaps = xrealloc(c->snaps, (c->n_snaps + 1) * sizeof(*c->snaps));
		c->snaps[c->n_snaps++] = (struct snap){
		    .snapshotter = md_col_text(st, 0),
		    .key = md_col_text(st, 1),
		    .parent = md_col_text(st, 2),
		    .kind = sqlite3_column_int(st, 3),
		    .id = sqlite3_column_int64(st, 4),
		};
	}
	md_stmt_reset(&st);
	md_unlock(c->db);
	c->res->snapshots = c->n_snaps;
	return r;
}

/* 1 when a live lease or a container holds the active snapshot. */
static int snap_held(struct ck *c, const struct snap *s)
{
	struct berth_error *e = NULL;
	md_lock(c->db);
	cleanup_stmt sqlite3_stmt *st = md_stmt(
	    c->db,
	    "SELECT 1 FROM lease_resources WHERE kind = 2 AND snapshotter = ?1 AND name = ?2"
	    " UNION SELECT 1 FROM containers WHERE snapshotter = ?1 AND snapshot_key = ?2",
	    &e);
	int r = -1;
	if (st) {
		md_bind_text(st, 1, s->snapshotter);
		md_bind_text(st, 2, s->key);
		r = md_step(c->db, st, &e);
	}
	md_stmt_reset(&st);
	md_unlock(c->db);
	if (r < 0) {
		problem(c, "metadata: %s", e->msg);
		berth_error_free(&e);
		return 1;
	}
	return r;
}

static void check_snap(struct ck *c, const struct snap *s)
{
	const char *kinds[] = {"?", "view", "active", "committed"};
	const char *kind = s->kind >= 1 && s->kind <= 3 ? kinds[s->kind] : "?";
	/* the parent chain: every parent exists, is committed, no cycle */
	const struct snap *p = s;
	for (size_t depth = 0; p->parent; depth++) {
		const struct snap *q = snap_find(c, s->snapshotter, p->parent);
		if (q == NULL) {
			problem(c, "snapshot %s (%s): parent %s of %s does not exist", s->key,
				s->snapshotter, p->parent, p->key);
			break;
		}
		if (q->kind != 3) {
			problem(c, "snapshot %s (%s): parent %s is not committed (%s)", s->key,
				s->snapshotter, q->key,
				kinds[q->kind >= 1 && q->kind <= 3 ? q->kind : 0]);
			break;
		}
		if (depth > c->n_snaps) {
			problem(c, "snapshot %s (%s): its parent chain has a cycle", s->key,
				s->snapshotter);
			break;
		}
		p = q;
	}
	cleanup_free char *dir =
	    xasprintf("%s/snapshots/%s/snapshots/%" PRId64 "/fs", c->root, s->snapshotter, s->id);
	struct stat st;
	if (lstat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		problem(c, "snapshot %s (%s, %s): directory %s is missing", s->key, s->snapshotter,
			kind, dir);
	if (s->kind != 3 && !snap_held(c, s))
		problem(c, "snapshot %s (%s): %s, but no lease or container holds it", s->key,
			s->snapshotter, kind);
}

static bool id_recorded(struct ck *c, const char *snapshotter, const char *name)
{
	char *end = NULL;
	errno = 0;
	long long id = strtoll(name, &end, 10);
	if (errno || end == name || *end)
		return false;
	for (size_t i = 0; i < c->n_snaps; i++)
		if (c->snaps[i].id == id && strcmp(c->snaps[i].snapshotter, snapshotter) == 0)
			return true;
	return false;
}

/* Leftovers in root/snapshots/<driver>/ and its snapshots/. */
static void check_snap_dirs(struct ck *c)
{
	cleanup_free char *top = xasprintf("%s/snapshots", c->root);
	cleanup_closedir DIR *d = opendir(top);
	if (d == NULL)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		const char *drv = de->d_name;
		cleanup_free char *ddir = xasprintf("%s/%s", top, drv);
		cleanup_closedir DIR *dd = opendir(ddir);
		struct dirent *e;
		while (dd && (e = readdir(dd)) != NULL) {
			if (e->d_name[0] == '.' || strcmp(e->d_name, "snapshots") == 0 ||
			    strcmp(e->d_name, "metadata.json") == 0)
				continue;
			problem(c, "snapshots: leftover %s/%s", ddir, e->d_name);
		}
		cleanup_free char *sdir = xasprintf("%s/snapshots", ddir);
		cleanup_closedir DIR *sd = opendir(sdir);
		while (sd && (e = readdir(sd)) != NULL) {
			if (e->d_name[0] == '.')
				continue;
			if (strncmp(e->d_name, "new-", 4) == 0 || strncmp(e->d_name, "rm-", 3) == 0)
				problem(c, "snapshots: leftover %s/%s", sdir, e->d_name);
			else if (!id_recorded(c, drv, e->d_name))
				problem(c, "snapshots: %s/%s has no record", sdir, e->d_name);
		}
	}
}

static void check_edges(struct ck *c)
{
	struct berth_error *e = NULL;
	md_lock(c->db);
	cleanup_stmt sqlite3_stmt *st =
	    md_stmt(c->db, "SELECT parent, kind, snapshotter, child FROM edges", &e);
	int r = st ? 0 : -1;
	while (st && (r = md_step(c->db, st, &e)) == 1) {
		const char *parent = (const char *)sqlite3_column_text(st, 0);
		int kind = sqlite3_column_int(st, 1);
		const char *sn = (const char *)sqlite3_column_text(st, 2);
		const char *child = (const char *)sqlite3_column_text(st, 3);
		c->res->edges++;
		if (blob_size(c, parent) < 0)
			problem(c, "edge %s -> %s: blob %s does not exist", parent, child, parent);
		if (kind == MD_REF_CONTENT && blob_size(c, child) < 0) {
			problem(c, "edge %s -> %s: blob %s does not exist", parent, child, child);
		} else if (kind == MD_REF_SNAPSHOT) {
			const struct snap *s = snap_find(c, sn ? sn : "", child);
			if (s == NULL)
				problem(c,
					"edge %s -> snapshot %s (%s): the snapshot does not exist",
					parent, child, sn ? sn : "");
			else if (s->kind != 3)
				problem(
				    c, "edge %s -> snapshot %s (%s): the snapshot is not committed",
				    parent, child, sn);
		}
	}
	md_stmt_reset(&st);
	md_unlock(c->db);
	if (r < 0) {
		problem(c, "metadata: %s", e->msg);
		berth_error_free(&e);
	}
}

/* Present with the size the descriptor gives: true; else a problem. */
static bool desc_present(struct ck *c, const char *image, const char *what, const char *digest,
			 int64_t size)
{
	int64_t have = blob_size(c, digest);
	if (have < 0) {
		problem(c, "image %s: %s %s does not exist", image, what, digest);
		return false;
	}
	if (have != size) {
		problem(c, "image %s: %s %s: size %" PRId64 ", the descriptor says %" PRId64, image,
			what, digest, have, size);
		return false;
	}
	return true;
}

static void check_config(struct ck *c, const char *image, const struct manifest *m)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct berth_error *e = NULL;
	struct image_config *cfg = NULL;
	if (content_read_all(c->cs, m->config.digest.s, IMAGE_CONFIG_MAX_SIZE, &buf, &len, &e) <
		0 ||
	    image_config_parse(buf, len, &cfg, &e) < 0 ||
	    image_config_check_layers(cfg, m, &e) < 0) {
		problem(c, "image %s: config %s: %s", image, m->config.digest.s, e->msg);
		berth_error_free(&e);
		image_config_free(cfg);
		return;
	}
	if (cfg->n_diff_ids > 0) {
		struct content_digest *chain = xcalloc(cfg->n_diff_ids, sizeof(*chain));
		image_chain_ids(cfg->diff_ids, cfg->n_diff_ids, chain);
		const char *top = chain[cfg->n_diff_ids - 1].s;
		bool found = false;
		for (size_t i = 0; i < c->n_snaps; i++)
			if (strcmp(c->snaps[i].key, top) == 0 && c->snaps[i].kind == 3)
				found = true;
		if (!found)
			problem(c,
				"image %s: no committed snapshot %s (the chain of its %zu layers)",
				image, top, cfg->n_diff_ids);
		free(chain);
	}
	image_config_free(cfg);
}

static void check_manifest(struct ck *c, const char *image, const char *digest, const char *mt,
			   int depth)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct berth_error *e = NULL;
	struct manifest *m = NULL;
	if (content_read_all(c->cs, digest, MANIFEST_MAX_SIZE, &buf, &len, &e) < 0 ||
	    manifest_parse(buf, len, mt, &m, &e) < 0) {
		problem(c, "image %s: %s: %s", image, digest, e->msg);
		berth_error_free(&e);
		return;
	}
	if (mt_is_index(m->media_type)) {
		size_t present = 0;
		for (size_t i = 0; i < m->n_manifests && depth < 4; i++) {
			const struct desc *d = &m->manifests[i];
			if (!mt_is_manifest(d->media_type) || blob_size(c, d->digest.s) < 0)
				continue; /* platforms not pulled */
			present++;
			if (desc_present(c, image, "manifest", d->digest.s, d->size))
				check_manifest(c, image, d->digest.s, d->media_type, depth + 1);
		}
		if (present == 0)
			problem(c, "image %s: index %s: none of its manifests is in the store",
				image, digest);
	} else {
		bool ok = desc_present(c, image, "config", m->config.digest.s, m->config.size);
		for (size_t i = 0; i < m->n_layers; i++) {
			const struct desc *d = &m->layers[i];
			if (mt_is_nondistributable(d->media_type) && blob_size(c, d->digest.s) < 0)
				continue;
			desc_present(c, image, "layer", d->digest.s, d->size);
		}
		if (ok)
			check_config(c, image, m);
	}
	manifest_free(m);
}

static void check_images(struct ck *c)
{
	struct berth_error *e = NULL;
	cleanup_strv char **nss = NULL;
	if (md_namespace_list(c->db, &nss, &e) < 0) {
		problem(c, "metadata: %s", e->msg);
		berth_error_free(&e);
		return;
	}
	for (size_t k = 0; nss[k]; k++) {
		struct md_image *v = NULL;
		size_t n = 0;
		if (md_image_list(c->db, nss[k], NULL, &v, &n, &e) < 0) {
			problem(c, "metadata: %s", e->msg);
			berth_error_free(&e);
			continue;
		}
		for (size_t i = 0; i < n; i++) {
			cleanup_free char *name = xasprintf("%s/%s", nss[k], v[i].name);
			c->res->images++;
			if (desc_present(c, name, "target", v[i].target.digest, v[i].target.size))
				check_manifest(c, name, v[i].target.digest, v[i].target.media_type,
					       0);
		}
		md_image_list_free(v, n);
	}
}

int check_root(const char *root, const struct check_options *opts, struct check_result *res,
	       struct berth_error **err)
{
	static const struct check_options none;
	memset(res, 0, sizeof(*res));
	struct ck c = {.root = root, .o = opts ? opts : &none, .res = res};
	cleanup_free char *dbpath = xasprintf("%s/%s", root, MD_DB_NAME);
	if (access(dbpath, F_OK) < 0)
		return berth_error_errno(err, "check %s: %s", root, dbpath);
	int rc = -1;
	if (md_open(&(struct md_config){.root = root}, &c.db, err) < 0 ||
	    content_store_open(root, &c.cs, err) < 0 || load_snaps(&c, err) < 0) {
		berth_error_wrap(err, "check %s", root);
		goto out;
	}
	check_db(&c);
	check_content(&c);
	for (size_t i = 0; i < c.n_snaps; i++)
		check_snap(&c, &c.snaps[i]);
	check_snap_dirs(&c);
	check_edges(&c);
	check_images(&c);
	rc = 0;
out:
	for (size_t i = 0; i < c.n_snaps; i++) {
		free(c.snaps[i].snapshotter);
		free(c.snaps[i].key);
		free(c.snaps[i].parent);
	}
	free(c.snaps);
	free(c.blobs);
	if (c.cs)
		content_store_close(c.cs);
	if (c.db)
		md_close(c.db);
	if (rc < 0)
		check_result_free(res);
	return rc;
}
