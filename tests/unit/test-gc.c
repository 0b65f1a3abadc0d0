/* Garbage collection over a real content store, a native snapshotter (its
 * bookkeeping in the metadata database) and the metadata database: shared
 * and unique blobs and snapshots of two images, leases (live and expired),
 * stale ingests, the grace period, containers' snapshots, dry runs, and the
 * guard that makes a late reference win over the sweep. */
#include "test-tar-util.h"

#include "core/content/content.h"
#include "core/gc/gc.h"
#include "core/metadata/md-internal.h"
#include "core/snapshots/snapshots.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>

#define MT "application/vnd.oci.image.manifest.v1+json"
#define HOUR 3600000000000LL

struct fx {
	char *tmp;
	struct md_db *db;
	struct content_store *cs;
	struct snapshotter *snap;
};

static void ok(int r, struct berth_error **err)
{
	if (r < 0)
		fail_msg("unexpected error: %s", (*err)->msg);
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct berth_error *err = NULL;
	f->tmp = tu_mkdtemp();
	ok(md_open(&(struct md_config){.root = f->tmp}, &f->db, &err), &err);
	ok(content_store_open(f->tmp, &f->cs, &err), &err);
	struct snap_config cfg = {.root = f->tmp, .driver = "native", .md = f->db};
	ok(snap_open(&cfg, &f->snap, &err), &err);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	snap_close(f->snap);
	content_store_close(f->cs);
	md_close(f->db);
	tu_rmdir(f->tmp);
	free(f);
	return 0;
}

/* Commit data as a blob; returns its digest (caller frees). */
static char *blob(struct fx *f, const char *data)
{
	static int seq;
	char ref[32];
	snprintf(ref, sizeof(ref), "t-%d", seq++);
	struct content_writer *w = NULL;
	struct berth_error *err = NULL;
	ok(content_writer_open(f->cs, ref, (int64_t)strlen(data), NULL, &w, &err), &err);
	ok(content_writer_write(w, data, strlen(data), &err), &err);
	struct content_digest d;
	assert_true(content_writer_commit(w, (int64_t)strlen(data), NULL, &d, &err) >= 0);
	content_writer_close(w);
	return strdup(d.s);
}

/* Make a blob look `secs` old (its mtime is its creation time). */
static void age(struct fx *f, const char *digest, time_t secs)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/content/blobs/sha256/%s", f->tmp, digest + 7) > 0);
	struct timespec ts[2] = {{.tv_sec = time(NULL) - secs}, {.tv_sec = time(NULL) - secs}};
	assert_int_equal(utimensat(AT_FDCWD, p, ts, 0), 0);
	free(p);
}

/* Committed snapshot `name` on parent, with one file. */
static void layer(struct fx *f, const char *name, const char *parent)
{
	struct berth_error *err = NULL;
	char *key = NULL, *dir = NULL, *file = NULL;
	assert_true(asprintf(&key, "%s-active", name) > 0);
	ok(snap_prepare(f->snap, key, parent, NULL, &err), &err);
	ok(snap_layer_dir(f->snap, key, &dir, &err), &err);
	assert_true(asprintf(&file, "%s/%s.txt", dir, name) > 0);
	tu_write(file, "layer contents, some bytes of them");
	ok(snap_commit(f->snap, name, key, &err), &err);
	free(key);
	free(dir);
	free(file);
}

static bool snap_exists(struct fx *f, const char *key)
{
	struct snap_info info;
	struct berth_error *err = NULL;
	if (snap_stat(f->snap, key, &info, &err) < 0) {
		berth_error_free(&err);
		return false;
	}
	snap_info_free(&info);
	return true;
}

static void edge(struct fx *f, const char *parent, const char *child)
{
	struct berth_error *err = NULL;
	ok(md_edge_add(f->db, parent, MD_REF_CONTENT, NULL, child, &err), &err);
}

static void edge_snap(struct fx *f, const char *parent, const char *key)
{
	struct berth_error *err = NULL;
	ok(md_edge_add(f->db, parent, MD_REF_SNAPSHOT, "native", key, &err), &err);
}

static void image(struct fx *f, const char *name, const char *digest)
{
	struct berth_error *err = NULL;
	struct md_image img = {.name = (char *)name,
			       .target = {.media_type = MT, .digest = (char *)digest, .size = 1}};
	ok(md_image_create(f->db, "default", &img, &err), &err);
}

static void gc(struct fx *f, const struct gc_options *o, struct gc_result *res)
{
	struct berth_error *err = NULL;
	ok(gc_run(f->db, f->cs, &f->snap, 1, o, res, &err), &err);
}

static bool reported(const struct gc_result *res, enum gc_kind kind, const char *name)
{
	for (size_t i = 0; i < res->n_items; i++)
		if (res->items[i].kind == kind && strcmp(res->items[i].name, name) == 0)
			return true;
	return false;
}

/* img1: m1 -> c1, la, lb; c1 -> snapshot AB (on A). img2: m2 -> c2, la, lc;
 * c2 -> AC (on A). */
struct two {
	char *la, *lb, *lc, *c1, *c2, *m1, *m2;
};

static void two_images(struct fx *f, struct two *t)
{
	t->la = blob(f, "layer a");
	t->lb = blob(f, "layer b");
	t->lc = blob(f, "layer c");
	t->c1 = blob(f, "config 1");
	t->c2 = blob(f, "config 2");
	t->m1 = blob(f, "manifest 1");
	t->m2 = blob(f, "manifest 2");
	layer(f, "A", NULL);
	layer(f, "AB", "A");
	layer(f, "AC", "A");
	edge(f, t->m1, t->c1);
	edge(f, t->m1, t->la);
	edge(f, t->m1, t->lb);
	edge_snap(f, t->c1, "AB");
	edge(f, t->m2, t->c2);
	edge(f, t->m2, t->la);
	edge(f, t->m2, t->lc);
	edge_snap(f, t->c2, "AC");
	image(f, "docker.io/library/one:1", t->m1);
	image(f, "docker.io/library/two:1", t->m2);
}

static void two_free(struct two *t)
{
	free(t->la);
	free(t->lb);
	free(t->lc);
	free(t->c1);
	free(t->c2);
	free(t->m1);
	free(t->m2);
}

static void test_shared_and_unique(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	struct two t;
	two_images(f, &t);
	struct gc_result res;
	gc(f, &(struct gc_options){0}, &res);
	assert_int_equal(res.blobs + res.snapshots + res.ingests, 0);
	gc_result_free(&res);
	ok(md_image_delete(f->db, "default", "docker.io/library/one:1", &err), &err);
	/* dry run: reports, removes nothing */
	gc(f, &(struct gc_options){.dry_run = true}, &res);
	assert_int_equal(res.blobs, 3);
	assert_int_equal(res.snapshots, 1);
	assert_true(reported(&res, GC_BLOB, t.m1) && reported(&res, GC_BLOB, t.c1) &&
		    reported(&res, GC_BLOB, t.lb) && reported(&res, GC_SNAPSHOT, "AB"));
	int64_t dry_bytes = res.bytes;
	assert_true(dry_bytes >=
		    (int64_t)(strlen("manifest 1") + strlen("config 1") + strlen("layer b")));
	gc_result_free(&res);
	assert_true(content_exists(f->cs, t.m1) && snap_exists(f, "AB"));
	/* the real run removes exactly that */
	gc(f, &(struct gc_options){0}, &res);
	assert_int_equal(res.blobs, 3);
	assert_int_equal(res.snapshots, 1);
	assert_int_equal(res.bytes, dry_bytes);
	assert_int_equal(res.failed, 0);
	gc_result_free(&res);
	assert_false(content_exists(f->cs, t.m1) || content_exists(f->cs, t.c1) ||
		     content_exists(f->cs, t.lb));
	assert_true(content_exists(f->cs, t.la) && content_exists(f->cs, t.m2) &&
		    content_exists(f->cs, t.c2) && content_exists(f->cs, t.lc));
	assert_false(snap_exists(f, "AB"));
	assert_true(snap_exists(f, "A") && snap_exists(f, "AC"));
	struct md_ref *v = NULL;
	size_t n = 0;
	ok(md_edge_list(f->db, t.m1, &v, &n, &err), &err);
	assert_int_equal(n, 0); /* the edges of a removed blob go with it */
	md_ref_list_free(v, n);
	/* the last image: everything goes, children before parents */
	ok(md_image_delete(f->db, "default", "docker.io/library/two:1", &err), &err);
	gc(f, &(struct gc_options){0}, &res);
	assert_int_equal(res.blobs, 4);
	assert_int_equal(res.snapshots, 2);
	assert_int_equal(res.failed, 0);
	size_t ac = 0, a = 0;
	for (size_t i = 0; i < res.n_items; i++) {
		if (strcmp(res.items[i].name, "AC") == 0)
			ac = i;
		if (strcmp(res.items[i].name, "A") == 0)
			a = i;
	}
	assert_true(ac < a);
	gc_result_free(&res);
	struct content_usage u;
	ok(content_usage(f->cs, &u, &err), &err);
	assert_int_equal(u.blobs, 0);
	assert_false(snap_exists(f, "A"));
	two_free(&t);
}

static void test_leases(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	char *x = blob(f, "in flight");
	char *y = blob(f, "leased by an expired lease");
	ok(snap_prepare(f->snap, "unpacking", NULL, NULL, &err), &err);
	struct content_writer *w = NULL;
	ok(content_writer_open(f->cs, "pull-x", -1, NULL, &w, &err), &err);
	ok(content_writer_write(w, "part", 4, &err), &err);
	content_writer_close(w);
	ok(content_writer_open(f->cs, "pull-stale", -1, NULL, &w, &err), &err);
	ok(content_writer_write(w, "stale", 5, &err), &err);
	content_writer_close(w);
	ok(md_lease_create(f->db, "default", "pull", 0, NULL, &err), &err);
	ok(md_lease_add(f->db, "default", "pull", MD_REF_CONTENT, NULL, x, &err), &err);
	ok(md_lease_add(f->db, "default", "pull", MD_REF_SNAPSHOT, "native", "unpacking", &err),
	   &err);
	ok(md_lease_add(f->db, "default", "pull", MD_REF_INGEST, NULL, "pull-x", &err), &err);
	int64_t now = md_now();
	ok(md_lease_create(f->db, "other", "old", now - 1, NULL, &err), &err);
	ok(md_lease_add(f->db, "other", "old", MD_REF_CONTENT, NULL, y, &err), &err);
	struct gc_options o = {.ingest_max_age = HOUR, .now = now + 2 * HOUR};
	struct gc_result res;
	gc(f, &o, &res);
	assert_int_equal(res.leases, 1);
	assert_int_equal(res.blobs, 1);
	assert_true(reported(&res, GC_BLOB, y));
	assert_int_equal(res.ingests, 1);
	assert_true(reported(&res, GC_INGEST, "pull-stale"));
	assert_int_equal(res.snapshots, 0);
	gc_result_free(&res);
	assert_true(content_exists(f->cs, x) && snap_exists(f, "unpacking"));
	struct content_status st;
	ok(content_ingest_status(f->cs, "pull-x", &st, &err), &err);
	content_status_free(&st);
	/* the lease ends: what it held goes */
	ok(md_lease_delete(f->db, "default", "pull", &err), &err);
	gc(f, &o, &res);
	assert_int_equal(res.blobs, 1);
	assert_int_equal(res.snapshots, 1);
	assert_int_equal(res.ingests, 1);
	assert_int_equal(res.leases, 0);
	gc_result_free(&res);
	assert_false(content_exists(f->cs, x) || snap_exists(f, "unpacking"));
	assert_int_equal(content_ingest_status(f->cs, "pull-x", &st, &err), -1);
	berth_error_free(&err);
	free(x);
	free(y);
}

static void test_grace(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	char *p = blob(f, "young manifest");
	char *q = blob(f, "old layer referenced by the young manifest");
	char *r = blob(f, "old and unreferenced");
	age(f, q, 7200);
	age(f, r, 7200);
	edge(f, p, q);
	struct gc_result res;
	gc(f, &(struct gc_options){.grace = HOUR}, &res);
	assert_int_equal(res.blobs, 1);
	assert_true(reported(&res, GC_BLOB, r));
	assert_int_equal(res.young, 1);
	gc_result_free(&res);
	assert_true(content_exists(f->cs, p) && content_exists(f->cs, q));
	/* ingests are kept unless asked for */
	struct content_writer *w = NULL;
	ok(content_writer_open(f->cs, "idle", -1, NULL, &w, &err), &err);
	content_writer_close(w);
	/* later, the manifest is old too */
	gc(f, &(struct gc_options){.grace = HOUR, .now = md_now() + 2 * HOUR}, &res);
	assert_int_equal(res.blobs, 2);
	assert_int_equal(res.ingests, 0);
	assert_int_equal(res.young, 0);
	gc_result_free(&res);
	struct content_status st;
	ok(content_ingest_status(f->cs, "idle", &st, &err), &err);
	content_status_free(&st);
	free(p);
	free(q);
	free(r);
}

static void test_containers(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	layer(f, "base", NULL);
	ok(snap_prepare(f->snap, "ctr-rw", "base", NULL, &err), &err);
	ok(snap_prepare(f->snap, "orphan-rw", "base", NULL, &err), &err);
	char id[65];
	memset(id, 'c', 64);
	id[64] = '\0';
	struct md_container c = {
	    .id = id, .name = "web", .snapshotter = "native", .snapshot_key = "ctr-rw"};
	ok(md_container_create(f->db, "default", &c, &err), &err);
	struct gc_result res;
	gc(f, &(struct gc_options){0}, &res);
	assert_int_equal(res.snapshots, 1);
	assert_true(reported(&res, GC_SNAPSHOT, "orphan-rw"));
	gc_result_free(&res);
	assert_true(snap_exists(f, "ctr-rw") && snap_exists(f, "base"));
	ok(md_container_delete(f->db, "default", id, &err), &err);
	gc(f, &(struct gc_options){0}, &res);
	assert_int_equal(res.snapshots, 2);
	gc_result_free(&res);
	assert_false(snap_exists(f, "base"));
}

static void test_guard(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	layer(f, "late", NULL);
	ok(md_gc_guard(f->db, true, &err), &err);
	assert_int_equal(md_gc_guard(f->db, true, &err), -1);
	tu_assert_msg(err, "already running");
	berth_error_free(&err);
	/* a lease taken after the mark wins over the sweep */
	ok(md_lease_create(f->db, "default", "late", 0, NULL, &err), &err);
	ok(md_lease_add(f->db, "default", "late", MD_REF_SNAPSHOT, "native", "late", &err), &err);
	assert_int_equal(snap_remove(f->snap, "late", &err), -1);
	assert_int_equal(err->code, EBUSY);
	tu_assert_msg(err, "referenced again");
	berth_error_free(&err);
	assert_true(snap_exists(f, "late"));
	struct gc_result res;
	assert_int_equal(gc_run(f->db, f->cs, &f->snap, 1, &(struct gc_options){0}, &res, &err),
			 -1);
	tu_assert_msg(err, "already running");
	berth_error_free(&err);
	ok(md_gc_guard(f->db, false, &err), &err);
	/* outside GC, a removal is the caller's decision */
	ok(snap_remove(f->snap, "late", &err), &err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_shared_and_unique, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grace, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_containers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_guard, setup, teardown),
	};
	return tu_run("gc", tests, ARRAY_SIZE(tests));
}
