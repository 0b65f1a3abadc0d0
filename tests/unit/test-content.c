/* Content store: a conformance suite (public API only, any implementation
 * of content.h passes it) and a few checks of the local on-disk layout.
 *
 * To run the suite against another implementation, give `impl` another
 * open function; everything in the conformance group goes through it. The
 * layout group pokes at <root>/content directly (interrupted ingests,
 * stray files, permissions) and is specific to lib/core/content. */
#include "test-util.h"

#include "common/fs.h"
#include "common/xalloc.h"
#include "core/content/content.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct store_impl {
	const char *name;
	int (*open)(const char *root, struct content_store **out, struct berth_error **err);
	void (*close)(struct content_store *cs);
};

static const struct store_impl impl = {"local", content_store_open, content_store_close};

struct fx {
	char root[64];
	struct content_store *cs;
};

#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define ABC_HEX "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_DIGEST "sha256:" EMPTY_HEX
#define ABC_DIGEST "sha256:" ABC_HEX

static int setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	strcpy(f->root, "/tmp/berth-content-XXXXXX");
	assert_non_null(mkdtemp(f->root));
	struct berth_error *err = NULL;
	if (impl.open(f->root, &f->cs, &err) < 0)
		fail_msg("open %s store: %s", impl.name, err->msg);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;
	impl.close(f->cs);
	struct berth_error *err = NULL;
	if (fs_rm_rf(f->root, &err) < 0)
		fail_msg("%s", err->msg);
	free(f);
	return 0;
}

/* Fails the test unless err has this code and a message containing want. */
static void expect_err(struct berth_error **err, int code, const char *want)
{
	tu_assert_msg(*err, want);
	if ((*err)->code != code)
		fail_msg("error [%s]: code %d, expected %d", (*err)->msg, (*err)->code, code);
	berth_error_free(err);
}

static void ok(int r, struct berth_error **err)
{
	if (r < 0)
		fail_msg("unexpected error: %s", *err ? (*err)->msg : "(no message)");
}

static struct content_writer *wopen(struct fx *f, const char *ref, int64_t total,
				    const char *expected)
{
	struct content_writer *w = NULL;
	struct berth_error *err = NULL;
	ok(content_writer_open(f->cs, ref, total, expected, &w, &err), &err);
	return w;
}

static void wwrite(struct content_writer *w, const char *s)
{
	struct berth_error *err = NULL;
	ok(content_writer_write(w, s, strlen(s), &err), &err);
}

/* Commit a string as a blob; returns commit's result. */
static int put(struct fx *f, const char *ref, const char *data, struct content_digest *d)
{
	struct content_writer *w = wopen(f, ref, -1, NULL);
	wwrite(w, data);
	struct berth_error *err = NULL;
	int r = content_writer_commit(w, (int64_t)strlen(data), NULL, d, &err);
	ok(r, &err);
	content_writer_close(w);
	return r;
}

static char *read_blob(struct fx *f, const char *digest)
{
	char *data = NULL;
	struct berth_error *err = NULL;
	ok(content_read_all(f->cs, digest, 1 << 24, &data, NULL, &err), &err);
	return data;
}

/* ---- digests ---------------------------------------------------------- */

static void test_digest_valid(void **state)
{
	(void)state;
	struct content_digest d;
	struct berth_error *err = NULL;
	ok(content_digest_parse(ABC_DIGEST, &d, &err), &err);
	assert_string_equal(d.s, ABC_DIGEST);
	assert_string_equal(content_digest_hex(&d), ABC_DIGEST + 7);
	assert_int_equal(strlen(d.s), CONTENT_DIGEST_LEN);
}

static void test_digest_hash(void **state)
{
	(void)state;
	struct content_digest d;
	content_digest_buf("", 0, &d);
	assert_string_equal(d.s, EMPTY_DIGEST);
	content_digest_buf("abc", 3, &d);
	assert_string_equal(d.s, ABC_DIGEST);

	char path[] = "/tmp/berth-digest-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, "abc", 3), 3);
	int64_t size = 0;
	struct berth_error *err = NULL;
	ok(content_digest_fd(fd, &d, &size, &err), &err);
	assert_string_equal(d.s, ABC_DIGEST);
	assert_int_equal(size, 3);
	close(fd);
}

static void test_digest_bad(void **state)
{
	(void)state;
	struct {
		const char *in;
		int code;
		const char *msg;
	} cases[] = {
	    {"", EINVAL, "empty"},
	    {"sha256", EINVAL, "expected sha256:<64 hex digits>"},
	    {"sha256:", EINVAL, "needs 64 hex digits, got 0"},
	    {"sha256:abc", EINVAL, "needs 64 hex digits, got 3"},
	    {"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", EINVAL,
	     "got 63"},
	    {"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0", EINVAL,
	     "got 65"},
	    {"sha256:BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD", EINVAL,
	     "character 1 of the hex part"},
	    {"sha256:ga7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EINVAL,
	     "not a lowercase hex digit"},
	    {"sha256:../../../../../../../../../../../../../../../../../etc/passwd", EINVAL, "hex"},
	    {"SHA256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ENOTSUP,
	     "unsupported digest algorithm SHA256"},
	    {"sha512:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ENOTSUP,
	     "unsupported digest algorithm sha512"},
	    {"md5:d41d8cd98f00b204e9800998ecf8427e", ENOTSUP, "unsupported"},
	    {":ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EINVAL,
	     "expected sha256"},
	    {"1sha:ba7816bf", EINVAL, "expected sha256"},
	    {" sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EINVAL,
	     "expected sha256"},
	    {"sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n", EINVAL,
	     "got 65"},
	    {"sha256::ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a", EINVAL,
	     "character 1"},
	    {"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", EINVAL,
	     "expected sha256"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct berth_error *err = NULL;
		struct content_digest d;
		if (content_digest_parse(cases[i].in, &d, &err) == 0)
			fail_msg("digest [%s] accepted", cases[i].in);
		expect_err(&err, cases[i].code, cases[i].msg);
		assert_false(content_digest_valid(cases[i].in));
	}
	assert_true(content_digest_valid(
	    "sha256:"
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
	struct berth_error *err = NULL;
	assert_int_equal(content_digest_parse(NULL, NULL, &err), -1);
	berth_error_free(&err);
}

/* ---- conformance: blobs ------------------------------------------------- */

static void test_commit_and_read(void **state)
{
	struct fx *f = *state;
	struct content_digest d;
	assert_int_equal(put(f, "r1", "abc", &d), CONTENT_COMMITTED);
	assert_string_equal(d.s, ABC_DIGEST);
	assert_true(content_exists(f->cs, ABC_DIGEST));

	struct content_info info;
	struct berth_error *err = NULL;
	ok(content_info(f->cs, ABC_DIGEST, &info, &err), &err);
	assert_int_equal(info.size, 3);
	assert_string_equal(info.digest.s, ABC_DIGEST);
	assert_true(info.created > 0);

	char *data = read_blob(f, ABC_DIGEST);
	assert_string_equal(data, "abc");
	free(data);

	char buf[8] = {0};
	size_t n = 0;
	ok(content_read_at(f->cs, ABC_DIGEST, buf, sizeof(buf), 1, &n, &err), &err);
	assert_int_equal(n, 2);
	assert_memory_equal(buf, "bc", 2);
	ok(content_read_at(f->cs, ABC_DIGEST, buf, sizeof(buf), 3, &n, &err), &err);
	assert_int_equal(n, 0);

	int fd = -1;
	int64_t size = 0;
	ok(content_open(f->cs, ABC_DIGEST, 2, &fd, &size, &err), &err);
	assert_int_equal(size, 3);
	assert_int_equal(read(fd, buf, sizeof(buf)), 1);
	assert_int_equal(buf[0], 'c');
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);

	assert_int_equal(content_open(f->cs, ABC_DIGEST, 4, &fd, NULL, &err), -1);
	expect_err(&err, EINVAL, "offset 4 outside 0..3");
	assert_int_equal(content_open(f->cs, ABC_DIGEST, -1, &fd, NULL, &err), -1);
	expect_err(&err, EINVAL, "offset -1");
	assert_int_equal(content_read_all(f->cs, ABC_DIGEST, 2, &data, NULL, &err), -1);
	expect_err(&err, EFBIG, "3 bytes, more than the 2 allowed");
}

static void test_empty_blob(void **state)
{
	struct fx *f = *state;
	struct content_digest d;
	assert_int_equal(put(f, "empty", "", &d), CONTENT_COMMITTED);
	assert_string_equal(d.s, EMPTY_DIGEST);
	char *data = read_blob(f, EMPTY_DIGEST);
	assert_string_equal(data, "");
	free(data);
}

static void test_commit_expected(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "layer-sha256:abc", 3, ABC_DIGEST);
	wwrite(w, "abc");
	struct berth_error *err = NULL;
	/* size -1 and NULL digest: those given at open */
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), CONTENT_COMMITTED);
	assert_int_equal(content_writer_write(w, "x", 1, &err), -1);
	expect_err(&err, EINVAL, "already committed or aborted");
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), -1);
	expect_err(&err, EINVAL, "already committed");
	content_writer_close(w);
	assert_true(content_exists(f->cs, ABC_DIGEST));
	struct content_status st;
	assert_int_equal(content_ingest_status(f->cs, "layer-sha256:abc", &st, &err), -1);
	expect_err(&err, ENOENT, "layer-sha256:abc");
}

static void test_digest_mismatch(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "bad", -1, EMPTY_DIGEST);
	wwrite(w, "abc");
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), -1);
	expect_err(&err, EBADMSG,
		   "commit bad: digest mismatch: expected " EMPTY_DIGEST ", actual " ABC_DIGEST);
	assert_false(content_exists(f->cs, ABC_DIGEST));
	assert_false(content_exists(f->cs, EMPTY_DIGEST));
	/* an explicit expected digest at commit wins over the one from open */
	assert_int_equal(content_writer_commit(w, 3, ABC_DIGEST, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
	assert_true(content_exists(f->cs, ABC_DIGEST));
}

static void test_size_mismatch(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "short", -1, NULL);
	wwrite(w, "abc");
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_commit(w, 5, ABC_DIGEST, NULL, &err), -1);
	expect_err(&err, EBADMSG, "size mismatch: expected 5 bytes, got 3");
	assert_false(content_exists(f->cs, ABC_DIGEST));
	/* the ingest is kept: it can still be aborted */
	struct content_status st;
	ok(content_ingest_status(f->cs, "short", &st, &err), &err);
	assert_int_equal(st.offset, 3);
	content_status_free(&st);
	ok(content_writer_abort(w, &err), &err);
	content_writer_close(w);
	assert_int_equal(content_ingest_status(f->cs, "short", &st, &err), -1);
	expect_err(&err, ENOENT, "short");
	assert_int_equal(
	    content_writer_commit(w = wopen(f, "x", -1, NULL), -1, "sha256:zz", NULL, &err), -1);
	expect_err(&err, EINVAL, "commit x: invalid digest \"sha256:zz\"");
	content_writer_close(w);
}

static void test_write_past_total(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "t", 2, NULL);
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_write(w, "abc", 3, &err), -1);
	expect_err(&err, EFBIG, "3 bytes at offset 0 would pass the expected size 2");
	assert_int_equal(content_writer_offset(w), 0);
	wwrite(w, "ab");
	assert_int_equal(content_writer_offset(w), 2);
	content_writer_close(w);
}

static void test_open_bad_args(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_open(f->cs, "r", -1, "sha256:abc", &w, &err), -1);
	expect_err(&err, EINVAL, "open ingest r: invalid digest \"sha256:abc\"");
	assert_int_equal(content_writer_open(f->cs, "r", -2, NULL, &w, &err), -1);
	expect_err(&err, EINVAL, "invalid size -2");
	assert_null(w);
}

static void test_bad_refs(void **state)
{
	struct fx *f = *state;
	char long_ref[300];
	memset(long_ref, 'a', 256);
	long_ref[256] = '\0';
	const char *refs[] = {"",     ".",	  "..",	     "../x", "../../etc",
			      "a/b",  "/abs",	  ".hidden", "x\n",  "a b",
			      "a\\b", "\xc3\xa4", long_ref,  "x/..", "*"};
	for (size_t i = 0; i < ARRAY_SIZE(refs); i++) {
		struct content_writer *w = NULL;
		struct berth_error *err = NULL;
		if (content_writer_open(f->cs, refs[i], -1, NULL, &w, &err) == 0)
			fail_msg("ref [%s] accepted", refs[i]);
		expect_err(&err, EINVAL, "invalid ref");
		assert_int_equal(content_abort(f->cs, refs[i], &err), -1);
		expect_err(&err, EINVAL, "invalid ref");
		struct content_status st;
		assert_int_equal(content_ingest_status(f->cs, refs[i], &st, &err), -1);
		expect_err(&err, EINVAL, "invalid ref");
		assert_false(content_ref_valid(refs[i]));
	}
	long_ref[255] = '\0';
	assert_true(content_ref_valid(long_ref));
	assert_true(content_ref_valid("manifest-sha256:abc@x+y=z_1.2-3"));
	assert_false(content_ref_valid(NULL));
	/* nothing was created next to the store */
	char *p = xasprintf("%s/x", f->root);
	assert_false(fs_exists(p));
	free(p);
	p = xasprintf("%s/content/x", f->root);
	assert_false(fs_exists(p));
	free(p);
}

static void test_bad_digest_args(void **state)
{
	struct fx *f = *state;
	const char *bad[] = {"sha256:../../../etc/passwd", "../x", "", "sha256:",
			     "sha256:"
			     "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		struct berth_error *err = NULL;
		struct content_info info;
		int fd;
		assert_int_equal(content_info(f->cs, bad[i], &info, &err), -1);
		expect_err(&err, EINVAL, "content info: invalid digest");
		assert_int_equal(content_open(f->cs, bad[i], 0, &fd, NULL, &err), -1);
		expect_err(&err, EINVAL, "open content: invalid digest");
		assert_int_equal(content_delete(f->cs, bad[i], &err), -1);
		expect_err(&err, EINVAL, "delete content: invalid digest");
		assert_false(content_exists(f->cs, bad[i]));
	}
	struct berth_error *err = NULL;
	struct content_info info;
	assert_int_equal(content_info(f->cs, NULL, &info, &err), -1);
	berth_error_free(&err);
}

static void test_missing_and_delete(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	struct content_info info;
	assert_int_equal(content_info(f->cs, ABC_DIGEST, &info, &err), -1);
	expect_err(&err, ENOENT, "content " ABC_DIGEST);
	assert_int_equal(content_delete(f->cs, ABC_DIGEST, &err), -1);
	expect_err(&err, ENOENT, "delete content " ABC_DIGEST);
	put(f, "r", "abc", NULL);
	ok(content_delete(f->cs, ABC_DIGEST, &err), &err);
	assert_false(content_exists(f->cs, ABC_DIGEST));
	char *data;
	assert_int_equal(content_read_all(f->cs, ABC_DIGEST, 10, &data, NULL, &err), -1);
	expect_err(&err, ENOENT, ABC_DIGEST);
}

static void test_dedup(void **state)
{
	struct fx *f = *state;
	assert_int_equal(put(f, "one", "abc", NULL), CONTENT_COMMITTED);
	struct content_info before, after;
	struct berth_error *err = NULL;
	ok(content_info(f->cs, ABC_DIGEST, &before, &err), &err);
	struct content_digest d;
	assert_int_equal(put(f, "two", "abc", &d), CONTENT_ALREADY_EXISTS);
	assert_string_equal(d.s, ABC_DIGEST);
	ok(content_info(f->cs, ABC_DIGEST, &after, &err), &err);
	assert_int_equal(before.created, after.created);
	struct content_status st;
	assert_int_equal(content_ingest_status(f->cs, "two", &st, &err), -1);
	expect_err(&err, ENOENT, "two");
	/* a wrong digest is still an error even if the claimed blob exists */
	struct content_writer *w = wopen(f, "three", -1, NULL);
	wwrite(w, "abd");
	assert_int_equal(content_writer_commit(w, 3, ABC_DIGEST, NULL, &err), -1);
	expect_err(&err, EBADMSG, "digest mismatch");
	content_writer_close(w);
	char *data = read_blob(f, ABC_DIGEST);
	assert_string_equal(data, "abc");
	free(data);
}

static void test_resume(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "resume", 6, NULL);
	wwrite(w, "abc");
	content_writer_close(w); /* interrupted */

	struct content_status st;
	struct berth_error *err = NULL;
	ok(content_ingest_status(f->cs, "resume", &st, &err), &err);
	assert_string_equal(st.ref, "resume");
	assert_int_equal(st.offset, 3);
	assert_int_equal(st.total, 6);
	assert_null(st.expected);
	assert_true(st.started > 0 && st.updated >= st.started);
	int64_t started = st.started;
	content_status_free(&st);

	struct content_digest want;
	content_digest_buf("abcdef", 6, &want);
	w = wopen(f, "resume", -1, want.s); /* the total is remembered */
	assert_int_equal(content_writer_offset(w), 3);
	struct content_digest partial;
	content_writer_digest(w, &partial);
	assert_string_equal(partial.s, ABC_DIGEST);
	assert_int_equal(content_writer_write(w, "defg", 4, &err), -1);
	expect_err(&err, EFBIG, "pass the expected size 6");
	wwrite(w, "def");
	ok(content_writer_sync(w, &err), &err);
	ok(content_ingest_status(f->cs, "resume", &st, &err), &err);
	assert_int_equal(st.started, started);
	assert_string_equal(st.expected, want.s);
	assert_int_equal(st.offset, 6);
	content_status_free(&st);
	content_writer_close(w);

	/* the expected digest was recorded too */
	w = wopen(f, "resume", -1, NULL);
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
	char *data = read_blob(f, want.s);
	assert_string_equal(data, "abcdef");
	free(data);
}

static void test_resume_conflict(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "c", 3, ABC_DIGEST);
	content_writer_close(w);
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_open(f->cs, "c", 4, NULL, &w, &err), -1);
	expect_err(&err, EINVAL, "ingest c: expected size 4, but the ingest was started for 3");
	assert_int_equal(content_writer_open(f->cs, "c", -1, EMPTY_DIGEST, &w, &err), -1);
	expect_err(&err, EINVAL, "expected digest " EMPTY_DIGEST);
	/* the failed opens left the ingest as it was */
	w = wopen(f, "c", 3, ABC_DIGEST);
	wwrite(w, "abc");
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
}

static void test_truncate(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "t", -1, ABC_DIGEST);
	wwrite(w, "xyz");
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), -1);
	expect_err(&err, EBADMSG, "digest mismatch");
	assert_int_equal(content_writer_truncate(w, 4, &err), -1);
	expect_err(&err, EINVAL, "size 4 outside 0..3");
	ok(content_writer_truncate(w, 1, &err), &err);
	assert_int_equal(content_writer_offset(w), 1);
	ok(content_writer_truncate(w, 0, &err), &err);
	wwrite(w, "abc");
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
}

static void test_concurrent_writers(void **state)
{
	struct fx *f = *state;
	struct content_writer *a = wopen(f, "same", -1, NULL);
	wwrite(a, "ab");
	struct content_writer *b = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_open(f->cs, "same", -1, NULL, &b, &err), -1);
	expect_err(&err, EBUSY, "ingest same: locked by another writer");
	assert_int_equal(content_abort(f->cs, "same", &err), -1);
	expect_err(&err, EBUSY, "locked");

	/* another process, another store handle */
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct content_store *cs2 = NULL;
		struct content_writer *c = NULL;
		struct berth_error *e = NULL;
		if (impl.open(f->root, &cs2, &e) < 0)
			_exit(2);
		int r = content_writer_open(cs2, "same", -1, NULL, &c, &e);
		_exit(r < 0 && e->code == EBUSY ? 0 : 1);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);

	/* a different ref is independent */
	struct content_writer *other = wopen(f, "other", -1, NULL);
	content_writer_close(other);

	content_writer_close(a);
	b = wopen(f, "same", -1, NULL);
	assert_int_equal(content_writer_offset(b), 2);
	wwrite(b, "c");
	assert_int_equal(content_writer_commit(b, 3, ABC_DIGEST, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(b);
}

/* Two processes commit the same content under different refs at once:
 * both succeed, one blob, correct. */
static void test_concurrent_commit_same_digest(void **state)
{
	struct fx *f = *state;
	pid_t pids[4];
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] == 0) {
			struct content_store *cs2 = NULL;
			struct content_writer *w = NULL;
			struct berth_error *e = NULL;
			char ref[16];
			snprintf(ref, sizeof(ref), "p%d", i);
			if (impl.open(f->root, &cs2, &e) < 0 ||
			    content_writer_open(cs2, ref, 3, ABC_DIGEST, &w, &e) < 0 ||
			    content_writer_write(w, "abc", 3, &e) < 0)
				_exit(2);
			int r = content_writer_commit(w, -1, NULL, NULL, &e);
			_exit(r == CONTENT_COMMITTED || r == CONTENT_ALREADY_EXISTS ? 0 : 1);
		}
	}
	for (int i = 0; i < 4; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
	char *data = read_blob(f, ABC_DIGEST);
	assert_string_equal(data, "abc");
	free(data);
	struct content_usage u;
	struct berth_error *err = NULL;
	ok(content_usage(f->cs, &u, &err), &err);
	assert_int_equal(u.blobs, 1);
	assert_int_equal(u.ingests, 0);
}

/* Processes race on one ref: open (EBUSY is expected while another holds
 * it, or while a commit removes it), write, commit or abort. No writer may
 * ever end up on a file that a commit or abort already took away. */
static void test_concurrent_same_ref_stress(void **state)
{
	struct fx *f = *state;
	pid_t pids[4];
	for (int i = 0; i < 4; i++) {
		pids[i] = fork();
		assert_true(pids[i] >= 0);
		if (pids[i] != 0)
			continue;
		struct content_store *cs2 = NULL;
		struct berth_error *e = NULL;
		if (impl.open(f->root, &cs2, &e) < 0)
			_exit(2);
		for (int done = 0, tries = 0; done < 100 && tries < 1000000; tries++) {
			struct content_writer *w = NULL;
			if (content_writer_open(cs2, "race", -1, NULL, &w, &e) < 0) {
				if (e->code != EBUSY)
					_exit(3);
				berth_error_free(&e);
				continue;
			}
			int r = content_writer_truncate(w, 0, &e);
			if (r == 0)
				r = content_writer_write(w, "abc", 3, &e);
			if (r == 0 && (done + i) % 3 == 0)
				r = content_writer_abort(w, &e);
			else if (r == 0)
				r = content_writer_commit(w, 3, ABC_DIGEST, NULL, &e);
			content_writer_close(w);
			if (r < 0)
				_exit(4);
			done++;
		}
		_exit(0);
	}
	for (int i = 0; i < 4; i++) {
		int status;
		assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
	char *data = read_blob(f, ABC_DIGEST);
	assert_string_equal(data, "abc");
	free(data);
}

struct walk_state {
	int count;
	int64_t bytes;
	int stop_after;
	bool fail;
};

static int walk_cb(const struct content_info *info, void *data, struct berth_error **err)
{
	struct walk_state *ws = data;
	assert_true(content_digest_valid(info->digest.s));
	ws->count++;
	ws->bytes += info->size;
	if (ws->fail)
		return berth_error_set(err, EIO, "callback failed on %s", info->digest.s);
	return ws->stop_after && ws->count >= ws->stop_after ? 1 : 0;
}

static void test_walk_and_usage(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	struct walk_state ws = {0};
	ok(content_walk(f->cs, walk_cb, &ws, &err), &err);
	assert_int_equal(ws.count, 0);
	put(f, "a", "a", NULL);
	put(f, "b", "bb", NULL);
	put(f, "c", "ccc", NULL);
	ok(content_walk(f->cs, walk_cb, &ws, &err), &err);
	assert_int_equal(ws.count, 3);
	assert_int_equal(ws.bytes, 6);

	ws = (struct walk_state){.stop_after = 2};
	ok(content_walk(f->cs, walk_cb, &ws, &err), &err);
	assert_int_equal(ws.count, 2);
	ws = (struct walk_state){.fail = true};
	assert_int_equal(content_walk(f->cs, walk_cb, &ws, &err), -1);
	expect_err(&err, EIO, "callback failed on sha256:");

	struct content_writer *w = wopen(f, "pending", -1, NULL);
	wwrite(w, "12345");
	struct content_usage u;
	ok(content_usage(f->cs, &u, &err), &err);
	assert_int_equal(u.blobs, 3);
	assert_int_equal(u.size, 6);
	assert_int_equal(u.ingests, 1);
	assert_int_equal(u.ingest_size, 5);
	content_writer_close(w);
}

static int ingest_cb(const struct content_status *st, void *data, struct berth_error **err)
{
	(void)err;
	int *n = data;
	assert_true(strcmp(st->ref, "i1") == 0 || strcmp(st->ref, "i2") == 0);
	if (strcmp(st->ref, "i2") == 0) {
		assert_int_equal(st->total, 10);
		assert_string_equal(st->expected, ABC_DIGEST);
		assert_int_equal(st->offset, 2);
	}
	(*n)++;
	return 0;
}

static void test_ingests_and_abort(void **state)
{
	struct fx *f = *state;
	struct berth_error *err = NULL;
	content_writer_close(wopen(f, "i1", -1, NULL));
	struct content_writer *w = wopen(f, "i2", 10, ABC_DIGEST);
	wwrite(w, "ab");
	int n = 0;
	ok(content_ingest_walk(f->cs, ingest_cb, &n, &err), &err);
	assert_int_equal(n, 2);

	assert_int_equal(content_abort(f->cs, "nope", &err), -1);
	expect_err(&err, ENOENT, "nope");
	ok(content_abort(f->cs, "i1", &err), &err);
	ok(content_writer_abort(w, &err), &err);
	assert_int_equal(content_writer_abort(w, &err), -1);
	expect_err(&err, EINVAL, "already committed or aborted");
	content_writer_close(w);
	n = 0;
	ok(content_ingest_walk(f->cs, ingest_cb, &n, &err), &err);
	assert_int_equal(n, 0);
	/* an aborted ref starts from scratch */
	w = wopen(f, "i2", -1, NULL);
	assert_int_equal(content_writer_offset(w), 0);
	content_writer_close(w);
}

static void test_large_resume(void **state)
{
	struct fx *f = *state;
	const size_t size = 3 * 1024 * 1024 + 17;
	char *buf = xmalloc(size);
	for (size_t i = 0; i < size; i++)
		buf[i] = (char)(i * 7 + i / 4096);
	struct content_digest want;
	content_digest_buf(buf, size, &want);
	struct berth_error *err = NULL;
	struct content_writer *w = wopen(f, "big", (int64_t)size, want.s);
	ok(content_writer_write(w, buf, 1500000, &err), &err);
	content_writer_close(w);
	w = wopen(f, "big", (int64_t)size, want.s);
	assert_int_equal(content_writer_offset(w), 1500000);
	ok(content_writer_write(w, buf + 1500000, size - 1500000, &err), &err);
	assert_int_equal(content_writer_commit(w, -1, NULL, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
	int fd = -1;
	ok(content_open(f->cs, want.s, 0, &fd, NULL, &err), &err);
	struct content_digest got;
	int64_t n = 0;
	ok(content_digest_fd(fd, &got, &n, &err), &err);
	close(fd);
	assert_string_equal(got.s, want.s);
	assert_int_equal(n, (int64_t)size);
	free(buf);
}

static void test_store_open_errors(void **state)
{
	struct fx *f = *state;
	struct content_store *cs = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(impl.open("", &cs, &err), -1);
	expect_err(&err, EINVAL, "empty root");
	char *file = xasprintf("%s/file", f->root);
	int fd = open(file, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(impl.open(file, &cs, &err), -1);
	expect_err(&err, ENOTDIR, file);
	free(file);
	/* a second handle on the same root sees the same blobs */
	put(f, "r", "abc", NULL);
	ok(impl.open(f->root, &cs, &err), &err);
	assert_true(content_exists(cs, ABC_DIGEST));
	impl.close(cs);
}

/* ---- layout of the local implementation -------------------------------- */

static char *path_in(struct fx *f, const char *rel)
{
	return xasprintf("%s/content/%s", f->root, rel);
}

static void test_layout_blob(void **state)
{
	struct fx *f = *state;
	put(f, "r", "abc", NULL);
	char *p = path_in(f, "blobs/sha256/" ABC_HEX);
	struct stat st;
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0444);
	assert_int_equal(st.st_size, 3);
	free(p);
	p = path_in(f, "ingest/r");
	assert_false(fs_exists(p));
	free(p);
}

/* kill -9 in the middle of a write: the status still says offset 0, the
 * data has more. Resume trusts (and rehashes) the data. */
static void test_layout_crash_resume(void **state)
{
	struct fx *f = *state;
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct content_store *cs2 = NULL;
		struct content_writer *w = NULL;
		struct berth_error *e = NULL;
		if (impl.open(f->root, &cs2, &e) < 0 ||
		    content_writer_open(cs2, "crash", 6, NULL, &w, &e) < 0 ||
		    content_writer_write(w, "abcd", 4, &e) < 0)
			_exit(1);
		raise(SIGKILL);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));

	char *p = path_in(f, "ingest/crash/status");
	char *text = NULL;
	struct berth_error *err = NULL;
	ok(fs_read_file(p, &text, NULL, &err), &err);
	assert_non_null(strstr(text, "\"offset\":0"));
	free(text);
	free(p);

	struct content_writer *w = wopen(f, "crash", -1, NULL);
	assert_int_equal(content_writer_offset(w), 4);
	wwrite(w, "ef");
	struct content_digest want, got;
	content_digest_buf("abcdef", 6, &want);
	assert_int_equal(content_writer_commit(w, -1, want.s, &got, &err), CONTENT_COMMITTED);
	assert_string_equal(got.s, want.s);
	content_writer_close(w);
}

/* A damaged or missing status file does not lose the data. */
static void test_layout_bad_status(void **state)
{
	struct fx *f = *state;
	struct content_writer *w = wopen(f, "s", 3, NULL);
	wwrite(w, "ab");
	content_writer_close(w);
	char *p = path_in(f, "ingest/s/status");
	struct berth_error *err = NULL;
	ok(fs_write_string(p, "{not json", &err), &err);
	w = wopen(f, "s", -1, NULL);
	assert_int_equal(content_writer_offset(w), 2);
	content_writer_close(w);
	assert_int_equal(unlink(p), 0);
	w = wopen(f, "s", -1, NULL);
	assert_int_equal(content_writer_offset(w), 2);
	wwrite(w, "c");
	assert_int_equal(content_writer_commit(w, -1, ABC_DIGEST, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
	free(p);
}

/* Stray names in blobs/sha256 and ingest/ are not blobs or ingests. */
static void test_layout_stray_files(void **state)
{
	struct fx *f = *state;
	put(f, "r", "abc", NULL);
	const char *stray[] = {"blobs/sha256/notahash", "blobs/sha256/.tmp", "ingest/.hidden",
			       "ingest/file-not-dir"};
	for (size_t i = 0; i < ARRAY_SIZE(stray); i++) {
		char *p = path_in(f, stray[i]);
		int fd = open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		close(fd);
		free(p);
	}
	char *p = path_in(f, "blobs/sha256/" EMPTY_HEX);
	assert_int_equal(mkdir(p, 0700), 0); /* a directory with a blob's name */
	free(p);
	struct content_usage u;
	struct berth_error *err = NULL;
	ok(content_usage(f->cs, &u, &err), &err);
	assert_int_equal(u.blobs, 1);
	assert_int_equal(u.ingests, 0);
	struct content_info info;
	assert_int_equal(content_info(f->cs, EMPTY_DIGEST, &info, &err), -1);
	expect_err(&err, EIO, "not a regular file");
}

/* The writer's lock is a flock on the ingest directory: a foreign holder
 * (another berthd on the same root) also makes writers fail with EBUSY. */
static void test_layout_foreign_lock(void **state)
{
	struct fx *f = *state;
	content_writer_close(wopen(f, "l", -1, NULL));
	char *p = path_in(f, "ingest/l");
	int fd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(flock(fd, LOCK_EX), 0);
	struct content_writer *w = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(content_writer_open(f->cs, "l", -1, NULL, &w, &err), -1);
	expect_err(&err, EBUSY, "locked");
	close(fd);
	content_writer_close(wopen(f, "l", -1, NULL));
	free(p);
}

/* A crash between the rename into blobs/ and the removal of the ingest
 * leaves a directory without data: abort clears it, a writer restarts it. */
static void test_layout_leftover_ingest(void **state)
{
	struct fx *f = *state;
	char *p = path_in(f, "ingest/left");
	assert_int_equal(mkdir(p, 0700), 0);
	struct content_usage u;
	struct berth_error *err = NULL;
	ok(content_usage(f->cs, &u, &err), &err);
	assert_int_equal(u.ingests, 0);
	ok(content_abort(f->cs, "left", &err), &err);
	assert_false(fs_exists(p));
	assert_int_equal(mkdir(p, 0700), 0);
	struct content_writer *w = wopen(f, "left", -1, NULL);
	assert_int_equal(content_writer_offset(w), 0);
	wwrite(w, "abc");
	assert_int_equal(content_writer_commit(w, -1, ABC_DIGEST, NULL, &err), CONTENT_COMMITTED);
	content_writer_close(w);
	assert_false(fs_exists(p));
	free(p);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

int main(void)
{
	const struct CMUnitTest digests[] = {
	    cmocka_unit_test(test_digest_valid),
	    cmocka_unit_test(test_digest_hash),
	    cmocka_unit_test(test_digest_bad),
	};
	const struct CMUnitTest conformance[] = {
	    T(test_commit_and_read),
	    T(test_empty_blob),
	    T(test_commit_expected),
	    T(test_digest_mismatch),
	    T(test_size_mismatch),
	    T(test_write_past_total),
	    T(test_open_bad_args),
	    T(test_bad_refs),
	    T(test_bad_digest_args),
	    T(test_missing_and_delete),
	    T(test_dedup),
	    T(test_resume),
	    T(test_resume_conflict),
	    T(test_truncate),
	    T(test_concurrent_writers),
	    T(test_concurrent_commit_same_digest),
	    T(test_concurrent_same_ref_stress),
	    T(test_walk_and_usage),
	    T(test_ingests_and_abort),
	    T(test_large_resume),
	    T(test_store_open_errors),
	};
	const struct CMUnitTest layout[] = {
	    T(test_layout_blob),	T(test_layout_crash_resume), T(test_layout_bad_status),
	    T(test_layout_stray_files), T(test_layout_foreign_lock), T(test_layout_leftover_ingest),
	};
	int failed = tu_run("content digests", digests, ARRAY_SIZE(digests));
	failed += tu_run("content store conformance (local)", conformance, ARRAY_SIZE(conformance));
	failed += tu_run("content store layout", layout, ARRAY_SIZE(layout));
	return failed;
}
