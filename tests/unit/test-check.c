/* The consistency check (lib/core/check) over a real root: a content store,
 * a native snapshotter with its bookkeeping in the metadata database and one
 * image of two layers made as a pull makes it (blobs, chain-ID snapshots,
 * edges, image record). Clean first; then each kind of damage is reported:
 * a corrupt blob, a missing parent snapshot, a missing layer blob, a layer of
 * the wrong size, a snapshot directory gone, leftovers of interrupted work. */
#include "test-tar-util.h"

#include "core/check/check.h"
#include "core/content/content.h"
#include "core/images/pull.h"
#include "core/metadata/metadata.h"
#include "core/snapshots/snapshots.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>

struct fx {
	char *tmp;
	struct md_db *db;
	struct content_store *cs;
	struct snapshotter *snap;
	char *layer[2], *config, *manifest;
	struct content_digest chain[2];
};

static void ok(int r, struct berth_error **err)
{
	if (r < 0)
		fail_msg("unexpected error: %s", (*err)->msg);
}

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

static void layer(struct fx *f, const char *name, const char *parent)
{
	struct berth_error *err = NULL;
	char *key = NULL, *dir = NULL, *file = NULL;
	assert_true(asprintf(&key, "extract-%s", name) > 0);
	ok(snap_prepare(f->snap, key, parent, NULL, &err), &err);
	ok(snap_layer_dir(f->snap, key, &dir, &err), &err);
	assert_true(asprintf(&file, "%s/f-%.12s", dir, name + 7) > 0);
	tu_write(file, "layer file");
	ok(snap_commit(f->snap, name, key, &err), &err);
	free(key);
	free(dir);
	free(file);
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

	f->layer[0] = blob(f, "layer one, gzip in real life");
	f->layer[1] = blob(f, "layer two");
	struct content_digest diff[2];
	ok(content_digest_parse(
	       "sha256:1111111111111111111111111111111111111111111111111111111111111111", &diff[0],
	       &err),
	   &err);
	ok(content_digest_parse(
	       "sha256:2222222222222222222222222222222222222222222222222222222222222222", &diff[1],
	       &err),
	   &err);
	image_chain_ids(diff, 2, f->chain);
	layer(f, f->chain[0].s, NULL);
	layer(f, f->chain[1].s, f->chain[0].s);

	char *cfgjson = NULL, *man = NULL;
	assert_true(asprintf(&cfgjson,
			     "{\"architecture\":\"amd64\",\"os\":\"linux\",\"rootfs\":{\"type\":"
			     "\"layers\",\"diff_ids\":[\"%s\",\"%s\"]}}",
			     diff[0].s, diff[1].s) > 0);
	f->config = blob(f, cfgjson);
	assert_true(
	    asprintf(
		&man,
		"{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\","
		"\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\","
		"\"digest\":\"%s\",\"size\":%zu},\"layers\":["
		"{\"mediaType\":\"application/"
		"vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%d},"
		"{\"mediaType\":\"application/"
		"vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"%s\",\"size\":%d}]}",
		f->config, strlen(cfgjson), f->layer[0], 28, f->layer[1], 9) > 0);
	f->manifest = blob(f, man);
	ok(md_edge_add(f->db, f->manifest, MD_REF_CONTENT, NULL, f->config, &err), &err);
	ok(md_edge_add(f->db, f->manifest, MD_REF_CONTENT, NULL, f->layer[0], &err), &err);
	ok(md_edge_add(f->db, f->manifest, MD_REF_CONTENT, NULL, f->layer[1], &err), &err);
	ok(md_edge_add(f->db, f->config, MD_REF_SNAPSHOT, "native", f->chain[1].s, &err), &err);
	struct md_image img = {
	    .name = "docker.io/library/x:latest",
	    .target = {.media_type = "application/vnd.oci.image.manifest.v1+json",
		       .digest = f->manifest,
		       .size = (int64_t)strlen(man)},
	};
	ok(md_image_create(f->db, "default", &img, &err), &err);
	free(cfgjson);
	free(man);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	if (f->snap)
		snap_close(f->snap);
	content_store_close(f->cs);
	if (f->db)
		md_close(f->db);
	tu_rmdir(f->tmp);
	free(f->layer[0]);
	free(f->layer[1]);
	free(f->config);
	free(f->manifest);
	free(f);
	return 0;
}

/* Run the check; returns the problems joined by newlines (caller frees). */
static char *check(struct fx *f, size_t *n)
{
	struct check_result res;
	struct berth_error *err = NULL;
	ok(check_root(f->tmp, NULL, &res, &err), &err);
	size_t len = 1;
	for (size_t i = 0; i < res.n_problems; i++)
		len += strlen(res.problems[i]) + 1;
	char *s = calloc(1, len);
	for (size_t i = 0; i < res.n_problems; i++) {
		strcat(s, res.problems[i]);
		strcat(s, "\n");
	}
	*n = res.n_problems;
	check_result_free(&res);
	return s;
}

static void expect(struct fx *f, const char *a, const char *b)
{
	size_t n = 0;
	char *s = check(f, &n);
	if (n == 0 || strstr(s, a) == NULL || (b && strstr(s, b) == NULL))
		fail_msg("expected a problem with \"%s\" and \"%s\", got %zu:\n%s", a, b ? b : "",
			 n, s);
	free(s);
}

static char *blob_path(struct fx *f, const char *digest)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/content/blobs/sha256/%s", f->tmp, digest + 7) > 0);
	return p;
}

static void test_clean(void **state)
{
	struct fx *f = *state;
	struct check_result res;
	struct berth_error *err = NULL;
	ok(check_root(f->tmp, NULL, &res, &err), &err);
	for (size_t i = 0; i < res.n_problems; i++)
		print_message("problem: %s\n", res.problems[i]);
	assert_int_equal(res.n_problems, 0);
	assert_int_equal(res.blobs, 4);
	assert_int_equal(res.snapshots, 2);
	assert_int_equal(res.edges, 4);
	assert_int_equal(res.images, 1);
	check_result_free(&res);
}

static void test_corrupt_blob(void **state)
{
	struct fx *f = *state;
	char *p = blob_path(f, f->layer[0]);
	assert_int_equal(chmod(p, 0644), 0);
	int fd = open(p, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, "L", 1, 0), 1);
	close(fd);
	expect(f, "digest mismatch", f->layer[0] + 7);
	free(p);
}

static void test_missing_parent(void **state)
{
	struct fx *f = *state;
	/* behind the bookkeeping's back: the parent record goes (foreign keys off) */
	snap_close(f->snap);
	f->snap = NULL;
	md_close(f->db);
	f->db = NULL;
	char *dbp = NULL;
	assert_true(asprintf(&dbp, "%s/metadata.db", f->tmp) > 0);
	sqlite3 *db = NULL;
	assert_int_equal(sqlite3_open(dbp, &db), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_exec(db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(
	    sqlite3_prepare_v2(db, "DELETE FROM snapshots WHERE key = ?", -1, &st, NULL),
	    SQLITE_OK);
	sqlite3_bind_text(st, 1, f->chain[0].s, -1, SQLITE_STATIC);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(dbp);
	expect(f, "does not exist", f->chain[0].s);
	/* and its directory now belongs to no record; the foreign key is broken */
	expect(f, "has no record", "foreign key");
}

static void test_missing_layer(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	ok(content_delete(f->cs, f->layer[1], &err), &err);
	expect(f, "layer", "does not exist");
}

static void test_wrong_size(void **state)
{
	struct fx *f = *state;
	/* the blob is intact, but the manifest's descriptor says another size:
	 * rewrite the layer as a longer blob under a name that fits it */
	struct berth_error *err = NULL;
	ok(content_delete(f->cs, f->layer[0], &err), &err);
	char *p = blob_path(f, f->layer[0]);
	tu_write(p, "layer one, gzip in real life, and more");
	free(p);
	/* the hash check reports the name; the size check the descriptor */
	expect(f, "digest mismatch", NULL);
	struct check_result res;
	struct check_options o = {.skip_digests = true};
	ok(check_root(f->tmp, &o, &res, &err), &err);
	bool seen = false;
	for (size_t i = 0; i < res.n_problems; i++)
		seen |= strstr(res.problems[i], "the descriptor says 28") != NULL;
	assert_true(seen);
	check_result_free(&res);
}

static void test_snapshot_dir_gone(void **state)
{
	struct fx *f = *state;
	struct snap_info info;
	struct berth_error *err = NULL;
	ok(snap_stat(f->snap, f->chain[1].s, &info, &err), &err);
	char *dir = NULL;
	assert_true(asprintf(&dir, "%s/snapshots/native/snapshots/%llu", f->tmp,
			     (unsigned long long)info.id) > 0);
	snap_info_free(&info);
	tu_rmdir(dir);
	expect(f, "is missing", f->chain[1].s);
}

static void test_leftovers(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	ok(snap_prepare(f->snap, "extract-left", f->chain[1].s, NULL, &err), &err);
	expect(f, "extract-left", "no lease or container holds it");
	ok(snap_remove(f->snap, "extract-left", &err), &err);

	char *p = NULL;
	assert_true(asprintf(&p, "%s/snapshots/native/unpack-x-0", f->tmp) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	expect(f, "leftover", "unpack-x-0");
	assert_int_equal(rmdir(p), 0);
	free(p);
	assert_true(asprintf(&p, "%s/snapshots/native/snapshots/new-abc", f->tmp) > 0);
	assert_int_equal(mkdir(p, 0700), 0);
	expect(f, "leftover", "new-abc");
	assert_int_equal(rmdir(p), 0);
	free(p);

	struct content_writer *w = NULL;
	ok(content_writer_open(f->cs, "fetch-half", 10, NULL, &w, &err), &err);
	ok(content_writer_write(w, "half", 4, &err), &err);
	content_writer_close(w);
	expect(f, "leftover ingest", "fetch-half");
	struct check_result res;
	struct check_options o = {.allow_ingests = true};
	ok(check_root(f->tmp, &o, &res, &err), &err);
	assert_int_equal(res.n_problems, 0);
	assert_int_equal(res.ingests, 1);
	check_result_free(&res);
}

static void test_no_root(void **state)
{
	(void)state;
	struct check_result res;
	struct berth_error *err = NULL;
	assert_int_equal(check_root("/nonexistent/berth-root", NULL, &res, &err), -1);
	assert_non_null(strstr(err->msg, "metadata.db"));
	berth_error_free(&err);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_clean, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_corrupt_blob, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_parent, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_missing_layer, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_wrong_size, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_dir_gone, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leftovers, setup, teardown),
	    cmocka_unit_test(test_no_root),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
