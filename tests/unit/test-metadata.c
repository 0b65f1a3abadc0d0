/* Metadata database: schema and migrations, namespaces, images, edges,
 * leases, containers, transactions (rollback on error, nesting, injected
 * faults mid-way), and the snapshotter's bookkeeping in SQLite.
 * Multi-process cases (crash, concurrency) are in test-metadata-procs.c. */
#include "test-tar-util.h"

#include "core/metadata/metadata.h"
#include "core/snapshots/snapshots.h"
#include "common/json.h"

#include <errno.h>
#include <sqlite3.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define MT "application/vnd.oci.image.manifest.v1+json"
#define CID(c)                                                                                     \
	c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c c  \
	    c c c c c c c c c c c c c c c c c c c

struct fx {
	char *tmp;
	struct md_db *db;
};

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	f->tmp = tu_mkdtemp();
	struct berth_error *err = NULL;
	if (md_open(&(struct md_config){.root = f->tmp}, &f->db, &err) < 0)
		fail_msg("md_open: %s", err->msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	md_close(f->db);
	tu_rmdir(f->tmp);
	free(f);
	return 0;
}

static void ok(int r, struct berth_error **err)
{
	if (r < 0)
		fail_msg("unexpected error: %s", (*err)->msg);
}

static void fails(int r, struct berth_error **err, int code, const char *msg)
{
	assert_int_equal(r, -1);
	assert_non_null(*err);
	if ((*err)->code != code)
		fail_msg("error [%s]: code %d, want %d", (*err)->msg, (*err)->code, code);
	if (msg)
		tu_assert_msg(*err, msg);
	berth_error_free(err);
}

static int make_image(struct md_db *db, const char *ns, const char *name, const char *digest,
		      const char *labels, struct berth_error **err)
{
	json_t *l = labels ? tu_json(labels) : NULL;
	struct md_image img = {.name = (char *)name,
			       .target = {.media_type = MT, .digest = (char *)digest, .size = 42},
			       .labels = l};
	int r = md_image_create(db, ns, &img, err);
	if (l)
		json_decref(l);
	return r;
}

/* A query's single integer answer, straight from SQLite. */
static long long sql_int(const char *dir, const char *sql)
{
	char *path = NULL;
	assert_true(asprintf(&path, "%s/metadata.db", dir) > 0);
	sqlite3 *c = NULL;
	assert_int_equal(sqlite3_open_v2(path, &c, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(c, sql, -1, &st, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(c));
	long long v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
	sqlite3_finalize(st);
	sqlite3_close(c);
	free(path);
	return v;
}

static void test_schema(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	int v = 0;
	ok(md_schema_version(f->db, &v, &err), &err);
	assert_int_equal(v, md_schema_latest());
	assert_int_equal(v, 1);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM schema_migrations"), 1);
	assert_true(md_namespace_exists(f->db, "default"));
	/* WAL mode is recorded in the file */
	char *path = NULL;
	assert_true(asprintf(&path, "%s/metadata.db", f->tmp) > 0);
	sqlite3 *c = NULL;
	assert_int_equal(sqlite3_open(path, &c), SQLITE_OK);
	sqlite3_stmt *st = NULL;
	assert_int_equal(sqlite3_prepare_v2(c, "PRAGMA journal_mode", -1, &st, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
	sqlite3_finalize(st);
	struct stat sb;
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0600);
	/* reopen: nothing applied twice */
	md_close(f->db);
	ok(md_open(&(struct md_config){.root = f->tmp}, &f->db, &err), &err);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM schema_migrations"), 1);
	/* a newer schema than this build knows */
	assert_int_equal(
	    sqlite3_exec(c, "INSERT INTO schema_migrations VALUES (99, 0)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(c);
	struct md_db *db2 = NULL;
	fails(md_open(&(struct md_config){.root = f->tmp}, &db2, &err), &err, ENOTSUP,
	      "schema version 99 is newer");
	free(path);
	/* a root that does not exist */
	fails(md_open(&(struct md_config){.root = "/nonexistent/x"}, &db2, &err), &err, ENOENT,
	      "/nonexistent/x/metadata.db");
}

static void test_namespaces(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	static const char *const good[] = {"a", "default", "moby", "k8s.io", "a-b_c.d", "0", "a9"};
	static const char *const bad[] = {"",
					  "A",
					  "-a",
					  "a-",
					  ".a",
					  "a.",
					  "a/b",
					  "a b",
					  "ä",
					  "0123456789012345678901234567890123456789012345678901234"
					  "5678901234567890123456"};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_true(md_namespace_valid(good[i]));
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_false(md_namespace_valid(bad[i]));
		fails(md_namespace_create(f->db, bad[i], &err), &err, EINVAL, "invalid");
	}
	/* 76 is the limit */
	char n76[77];
	memset(n76, 'a', 76);
	n76[76] = '\0';
	assert_true(md_namespace_valid(n76));
	assert_false(md_namespace_valid(NULL));
	ok(md_namespace_create(f->db, "moby", &err), &err);
	fails(md_namespace_create(f->db, "moby", &err), &err, EEXIST,
	      "namespace moby: already exists");
	ok(md_namespace_ensure(f->db, "moby", &err), &err);
	char **names = NULL;
	ok(md_namespace_list(f->db, &names, &err), &err);
	assert_int_equal(strv_len(names), 2);
	assert_string_equal(names[0], "default");
	assert_string_equal(names[1], "moby");
	strv_free(names);
	fails(md_namespace_delete(f->db, "default", &err), &err, EPERM, "cannot be deleted");
	fails(md_namespace_delete(f->db, "nope", &err), &err, ENOENT, "namespace nope: not found");
	/* writes create the namespace; a non-empty one cannot go */
	ok(make_image(f->db, "k8s.io", "docker.io/library/busybox:latest", D1, NULL, &err), &err);
	assert_true(md_namespace_exists(f->db, "k8s.io"));
	fails(md_namespace_delete(f->db, "k8s.io", &err), &err, ENOTEMPTY, "it holds 1 image");
	ok(md_image_delete(f->db, "k8s.io", "docker.io/library/busybox:latest", &err), &err);
	ok(md_namespace_delete(f->db, "k8s.io", &err), &err);
	ok(md_namespace_delete(f->db, "moby", &err), &err);
	assert_false(md_namespace_exists(f->db, "moby"));
}

static void test_images(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	const char *bb = "docker.io/library/busybox:latest";
	ok(make_image(f->db, "default", bb, D1, "{'a': '1', 'b': 'x'}", &err), &err);
	ok(make_image(f->db, "default", "docker.io/library/alpine:3", D2, "{'a': '2'}", &err),
	   &err);
	ok(make_image(f->db, "default", MD_DANGLING_PREFIX D2, D2, NULL, &err), &err);
	ok(make_image(f->db, "other", bb, D2, NULL, &err), &err);
	fails(make_image(f->db, "default", bb, D2, NULL, &err), &err, EEXIST,
	      "image docker.io/library/busybox:latest: already exists in namespace default");
	struct md_image img;
	ok(md_image_get(f->db, "default", bb, &img, &err), &err);
	assert_string_equal(img.target.digest, D1);
	assert_string_equal(img.target.media_type, MT);
	assert_int_equal(img.target.size, 42);
	assert_string_equal(json_string_value(json_object_get(img.labels, "b")), "x");
	assert_true(img.created > 0 && img.created == img.updated);
	/* update: new target and labels, created kept */
	free(img.target.digest);
	img.target.digest = strdup(D2);
	json_object_set_new(img.labels, "c", json_string("y"));
	int64_t created = img.created;
	ok(md_image_update(f->db, "default", &img, &err), &err);
	md_image_free(&img);
	ok(md_image_get(f->db, "default", bb, &img, &err), &err);
	assert_string_equal(img.target.digest, D2);
	assert_int_equal(img.created, created);
	assert_true(img.updated >= created);
	assert_int_equal(json_object_size(img.labels), 3);
	md_image_free(&img);
	fails(md_image_get(f->db, "default", "docker.io/library/nope:latest", &img, &err), &err,
	      ENOENT, "image docker.io/library/nope:latest: not found in namespace default");
	struct md_image ghost = {.name = "docker.io/library/ghost:1",
				 .target = {.media_type = MT, .digest = D1}};
	fails(md_image_update(f->db, "default", &ghost, &err), &err, ENOENT, "not found");
	/* filters */
	struct {
		struct md_image_filter f;
		size_t n;
		const char *first;
	} cases[] = {
	    {{.dangling = -1}, 3, "berth-dangling@" D2},
	    {{.dangling = 1}, 1, "berth-dangling@" D2},
	    {{.dangling = 0}, 2, "docker.io/library/alpine:3"},
	    {{.dangling = -1, .name = bb}, 1, bb},
	    {{.dangling = -1, .name_glob = "docker.io/library/b*"}, 1, bb},
	    {{.dangling = -1, .digest = D2}, 3, NULL},
	    {{.dangling = -1, .labels = (const char *const[]){"a", NULL}}, 2, NULL},
	    {{.dangling = -1, .labels = (const char *const[]){"a=2", NULL}},
	     1,
	     "docker.io/library/alpine:3"},
	    {{.dangling = -1, .labels = (const char *const[]){"a", "c=y", NULL}}, 1, bb},
	    {{.dangling = -1, .labels = (const char *const[]){"zz", NULL}}, 0, NULL},
	    {{.dangling = -1, .name = "x' OR 1=1 --"}, 0, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct md_image *v = NULL;
		size_t n = 0;
		ok(md_image_list(f->db, "default", &cases[i].f, &v, &n, &err), &err);
		if (n != cases[i].n)
			fail_msg("filter case %zu: %zu images, want %zu", i, n, cases[i].n);
		if (cases[i].first)
			assert_string_equal(v[0].name, cases[i].first);
		md_image_list_free(v, n);
	}
	struct md_image *v = NULL;
	size_t n = 0;
	ok(md_image_list(f->db, "other", NULL, &v, &n, &err), &err);
	assert_int_equal(n, 1);
	md_image_list_free(v, n);
	/* bad input */
	fails(make_image(f->db, "default", "busybox", D1, NULL, &err), &err, EINVAL,
	      "not normalised (docker.io/library/busybox)");
	fails(make_image(f->db, "default", "docker.io/library/Busy:1", D1, NULL, &err), &err,
	      EINVAL, "invalid reference format");
	fails(make_image(f->db, "default", "docker.io/library/x:1", "sha256:abc", NULL, &err), &err,
	      EINVAL, "target digest \"sha256:abc\": invalid");
	fails(make_image(f->db, "default", "berth-dangling@xyz", D1, NULL, &err), &err, EINVAL,
	      "berth-dangling@");
	fails(make_image(f->db, "Bad", bb, D1, NULL, &err), &err, EINVAL, "namespace \"Bad\"");
	fails(make_image(f->db, "default", "docker.io/library/l:1", D1, "{'k': 1}", &err), &err,
	      EINVAL, "label k: not a string");
	struct md_image neg = {.name = "docker.io/library/n:1",
			       .target = {.media_type = MT, .digest = D1, .size = -1}};
	fails(md_image_create(f->db, "default", &neg, &err), &err, EINVAL, "negative");
	ok(md_image_delete(f->db, "default", bb, &err), &err);
	fails(md_image_delete(f->db, "default", bb, &err), &err, ENOENT, "not found");
}

static void test_edges(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	ok(md_edge_add(f->db, D1, MD_REF_CONTENT, NULL, D2, &err), &err);
	ok(md_edge_add(f->db, D1, MD_REF_CONTENT, NULL, D2, &err), &err); /* idempotent */
	ok(md_edge_add(f->db, D1, MD_REF_SNAPSHOT, "overlayfs", "sha256:chain", &err), &err);
	fails(md_edge_add(f->db, D1, MD_REF_SNAPSHOT, NULL, "k", &err), &err, EINVAL,
	      "no snapshotter");
	fails(md_edge_add(f->db, "sha256:x", MD_REF_CONTENT, NULL, D2, &err), &err, EINVAL,
	      "content digest \"sha256:x\"");
	fails(md_edge_add(f->db, D1, MD_REF_INGEST, NULL, "ref", &err), &err, EINVAL, "ingest");
	struct md_ref *v = NULL;
	size_t n = 0;
	ok(md_edge_list(f->db, D1, &v, &n, &err), &err);
	assert_int_equal(n, 2);
	assert_int_equal(v[0].kind, MD_REF_CONTENT);
	assert_string_equal(v[0].name, D2);
	assert_null(v[0].snapshotter);
	assert_int_equal(v[1].kind, MD_REF_SNAPSHOT);
	assert_string_equal(v[1].snapshotter, "overlayfs");
	md_ref_list_free(v, n);
	ok(md_edge_delete_from(f->db, D1, &err), &err);
	ok(md_edge_list(f->db, D1, &v, &n, &err), &err);
	assert_int_equal(n, 0);
	md_ref_list_free(v, n);
}

static void test_leases(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	char *id = md_lease_new_id();
	assert_int_equal(strlen(id), strlen("berth-") + 16);
	ok(md_lease_create(f->db, "default", id, 0, NULL, &err), &err);
	fails(md_lease_create(f->db, "default", id, 0, NULL, &err), &err, EEXIST, "already exists");
	fails(md_lease_create(f->db, "default", "a/b", 0, NULL, &err), &err, EINVAL, "lease id");
	ok(md_lease_add(f->db, "default", id, MD_REF_CONTENT, NULL, D1, &err), &err);
	ok(md_lease_add(f->db, "default", id, MD_REF_CONTENT, NULL, D1, &err), &err);
	ok(md_lease_add(f->db, "default", id, MD_REF_SNAPSHOT, "native", "layer-1", &err), &err);
	ok(md_lease_add(f->db, "default", id, MD_REF_INGEST, NULL, "pull-1", &err), &err);
	fails(md_lease_add(f->db, "default", id, MD_REF_INGEST, NULL, "../x", &err), &err, EINVAL,
	      "ingest ref \"../x\"");
	fails(md_lease_add(f->db, "default", "nope", MD_REF_CONTENT, NULL, D1, &err), &err, ENOENT,
	      "lease nope: not found");
	struct md_ref *v = NULL;
	size_t n = 0;
	ok(md_lease_resources(f->db, "default", id, &v, &n, &err), &err);
	assert_int_equal(n, 3);
	assert_int_equal(v[0].kind, MD_REF_CONTENT);
	assert_int_equal(v[1].kind, MD_REF_SNAPSHOT);
	assert_string_equal(v[1].name, "layer-1");
	assert_int_equal(v[2].kind, MD_REF_INGEST);
	md_ref_list_free(v, n);
	ok(md_lease_remove_resource(f->db, "default", id, MD_REF_INGEST, NULL, "pull-1", &err),
	   &err);
	/* expiry */
	int64_t now = md_now();
	ok(md_lease_create(f->db, "default", "old", now - 1, NULL, &err), &err);
	ok(md_lease_create(f->db, "other", "later", now + 3600000000000LL, NULL, &err), &err);
	struct md_lease *l = NULL;
	ok(md_lease_list(f->db, "default", &l, &n, &err), &err);
	assert_int_equal(n, 2);
	md_lease_list_free(l, n);
	size_t expired = 0;
	ok(md_lease_expire(f->db, now, &expired, &err), &err);
	assert_int_equal(expired, 1);
	ok(md_lease_list(f->db, "default", &l, &n, &err), &err);
	assert_int_equal(n, 1);
	assert_string_equal(l[0].id, id);
	md_lease_list_free(l, n);
	/* delete takes the resources with it */
	ok(md_lease_delete(f->db, "default", id, &err), &err);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM lease_resources"), 0);
	fails(md_lease_delete(f->db, "default", id, &err), &err, ENOENT, "not found");
	free(id);
}

static void test_containers(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	struct md_container c = {.id = CID("a"),
				 .name = "web",
				 .image = "docker.io/library/busybox:latest",
				 .spec = "{\"ociVersion\": \"1.0.2\"}",
				 .snapshotter = "overlayfs",
				 .snapshot_key = CID("a"),
				 .runtime = "io.containerd.runc.v2"};
	ok(md_container_create(f->db, "default", &c, &err), &err);
	fails(md_container_create(f->db, "default", &c, &err), &err, EEXIST,
	      "name web: already in use by container aaaa");
	c.name = "web2";
	fails(md_container_create(f->db, "default", &c, &err), &err, EEXIST,
	      "container id " CID("a") ": already exists");
	struct md_container d = c;
	d.id = CID("b");
	d.image = "docker.io/library/alpine:3";
	d.spec = NULL;
	d.snapshot_key = NULL;
	ok(md_container_create(f->db, "default", &d, &err), &err);
	struct md_container got;
	ok(md_container_get_by_name(f->db, "default", "web", &got, &err), &err);
	assert_string_equal(got.id, CID("a"));
	assert_string_equal(got.spec, "{\"ociVersion\": \"1.0.2\"}");
	assert_string_equal(got.runtime, "io.containerd.runc.v2");
	/* rename by update; a taken name is refused */
	free(got.name);
	got.name = strdup("web2");
	fails(md_container_update(f->db, "default", &got, &err), &err, EEXIST, "name web2");
	free(got.name);
	got.name = strdup("web3");
	ok(md_container_update(f->db, "default", &got, &err), &err);
	md_container_free(&got);
	ok(md_container_get(f->db, "default", CID("a"), &got, &err), &err);
	assert_string_equal(got.name, "web3");
	md_container_free(&got);
	struct md_container *v = NULL;
	size_t n = 0;
	ok(md_container_list(f->db, "default", NULL, &v, &n, &err), &err);
	assert_int_equal(n, 2);
	md_container_list_free(v, n);
	ok(md_container_list(f->db, "default", "docker.io/library/alpine:3", &v, &n, &err), &err);
	assert_int_equal(n, 1);
	assert_string_equal(v[0].id, CID("b"));
	assert_string_equal(v[0].spec, "{}");
	md_container_list_free(v, n);
	/* bad input */
	d.id = "abc";
	fails(md_container_create(f->db, "default", &d, &err), &err, EINVAL,
	      "not 64 lowercase hex");
	d.id = CID("c");
	d.spec = "[1]";
	fails(md_container_create(f->db, "default", &d, &err), &err, EINVAL, "not a JSON object");
	d.spec = NULL;
	d.snapshotter = NULL;
	d.snapshot_key = "k";
	fails(md_container_create(f->db, "default", &d, &err), &err, EINVAL,
	      "without a snapshotter");
	fails(md_namespace_delete(f->db, "default", &err), &err, EPERM, NULL);
	ok(md_container_delete(f->db, "default", CID("a"), &err), &err);
	fails(md_container_get(f->db, "default", CID("a"), &got, &err), &err, ENOENT, "not found");
	fails(md_container_delete(f->db, "default", CID("a"), &err), &err, ENOENT, "not found");
}

static size_t count_images(struct md_db *db, const char *ns)
{
	struct md_image *v = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	ok(md_image_list(db, ns, NULL, &v, &n, &err), &err);
	md_image_list_free(v, n);
	return n;
}

static int two_then_fail(struct md_db *db, void *arg, struct berth_error **err)
{
	(void)arg;
	if (make_image(db, "txns", "docker.io/library/a:1", D1, NULL, err) < 0 ||
	    md_lease_create(db, "txns", "l1", 0, NULL, err) < 0)
		return -1;
	return make_image(db, "txns", "docker.io/library/a:1", D2, NULL, err); /* EEXIST */
}

static void test_tx_rollback(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	/* explicit: begin, two writes, a failing third, rollback */
	ok(md_tx_begin(f->db, &err), &err);
	ok(make_image(f->db, "txns", "docker.io/library/a:1", D1, NULL, &err), &err);
	ok(md_edge_add(f->db, D1, MD_REF_CONTENT, NULL, D2, &err), &err);
	fails(make_image(f->db, "txns", "docker.io/library/a:1", D1, NULL, &err), &err, EEXIST,
	      NULL);
	md_tx_rollback(f->db);
	assert_false(md_namespace_exists(f->db, "txns"));
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM edges"), 0);
	/* callback style */
	fails(md_tx_run(f->db, two_then_fail, NULL, &err), &err, EEXIST, NULL);
	assert_false(md_namespace_exists(f->db, "txns"));
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM leases"), 0);
	/* nested: the inner failure rolls back only the inner part */
	ok(md_tx_begin(f->db, &err), &err);
	ok(make_image(f->db, "txns", "docker.io/library/outer:1", D1, NULL, &err), &err);
	fails(md_tx_run(f->db, two_then_fail, NULL, &err), &err, EEXIST, NULL);
	ok(md_tx_begin(f->db, &err), &err);
	ok(make_image(f->db, "txns", "docker.io/library/inner:1", D1, NULL, &err), &err);
	ok(md_tx_commit(f->db, &err), &err);
	/* not visible to another connection before the outer commit */
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM images WHERE namespace = 'txns'"),
			 0);
	ok(md_tx_commit(f->db, &err), &err);
	assert_int_equal(count_images(f->db, "txns"), 2);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM leases"), 0);
	fails(md_tx_commit(f->db, &err), &err, EINVAL, "no transaction");
}

static void test_fault_injection(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	/* every step of a multi-step call, failed in turn: nothing is written */
	struct md_container c = {
	    .id = CID("e"), .name = "c", .snapshotter = "native", .snapshot_key = "k"};
	for (long step = 1; step <= 3; step++) {
		md_fault_inject(f->db, step);
		fails(md_container_create(f->db, "faulty", &c, &err), &err, EIO, "injected fault");
		assert_false(md_namespace_exists(f->db, "faulty"));
	}
	md_fault_inject(f->db, 0);
	ok(md_container_create(f->db, "faulty", &c, &err), &err);
	/* a transaction of several calls with a fault in the middle of the third */
	ok(md_lease_create(f->db, "faulty", "keep", 0, NULL, &err), &err);
	ok(md_tx_begin(f->db, &err), &err);
	ok(md_lease_add(f->db, "faulty", "keep", MD_REF_CONTENT, NULL, D1, &err), &err);
	ok(make_image(f->db, "faulty", "docker.io/library/f:1", D1, NULL, &err), &err);
	md_fault_inject(f->db, 2);
	fails(md_lease_add(f->db, "faulty", "keep", MD_REF_CONTENT, NULL, D2, &err), &err, EIO,
	      NULL);
	md_tx_rollback(f->db);
	assert_int_equal(count_images(f->db, "faulty"), 0);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM lease_resources"), 0);
	/* the handle works afterwards */
	ok(make_image(f->db, "faulty", "docker.io/library/f:1", D1, NULL, &err), &err);
	assert_int_equal(count_images(f->db, "faulty"), 1);
}

static int count_walk(const struct snap_info *info, void *arg)
{
	(void)info;
	(*(int *)arg)++;
	return 0;
}

static void test_snapshot_records(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	struct snapshotter *s = NULL;
	struct snap_config cfg = {.root = f->tmp, .driver = "native", .md = f->db};
	ok(snap_open(&cfg, &s, &err), &err);
	ok(snap_prepare(s, "a-active", NULL, NULL, &err), &err);
	ok(snap_commit(s, "a", "a-active", &err), &err);
	ok(snap_prepare(s, "b", "a", NULL, &err), &err);
	char *json = NULL;
	assert_true(asprintf(&json, "%s/snapshots/native/metadata.json", f->tmp) > 0);
	assert_false(fs_exists(json));
	free(json);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM snapshots WHERE snapshotter = "
					 "'native'"),
			 2);
	assert_int_equal(sql_int(f->tmp, "SELECT next_id FROM snapshot_ids"), 3);
	/* the parent is a foreign key: the record cannot go while b exists */
	fails(snap_remove(s, "a", &err), &err, EBUSY, "parent of 1 snapshot");
	snap_close(s);
	/* reopen: the records and the id counter are in the database */
	ok(snap_open(&cfg, &s, &err), &err);
	int n = 0;
	ok(snap_walk(s, count_walk, &n, &err), &err);
	assert_int_equal(n, 2);
	ok(snap_prepare(s, "c", "a", NULL, &err), &err);
	struct snap_info info;
	ok(snap_stat(s, "c", &info, &err), &err);
	assert_int_equal(info.id, 3);
	snap_info_free(&info);
	ok(snap_remove(s, "b", &err), &err);
	ok(snap_remove(s, "c", &err), &err);
	ok(snap_remove(s, "a", &err), &err);
	assert_int_equal(sql_int(f->tmp, "SELECT count(*) FROM snapshots"), 0);
	snap_close(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_schema, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_images, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_edges, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_leases, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_containers, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_tx_rollback, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_fault_injection, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_snapshot_records, setup, teardown),
	};
	return tu_run("metadata", tests, ARRAY_SIZE(tests));
}
