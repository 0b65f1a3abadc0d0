/* Metadata database across processes: a writer SIGKILLed in the middle of a
 * transaction leaves the old state (and no lock behind); a second process
 * waits for the write lock up to the busy timeout, then fails with EBUSY;
 * concurrent writers lose nothing. Children are waited for by PID. */
#include "test-tar-util.h"

#include "core/metadata/metadata.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define MT "application/vnd.oci.image.manifest.v1+json"

static void ok(int r, struct berth_error **err)
{
	if (r < 0)
		fail_msg("unexpected error: %s", (*err)->msg);
}

static struct md_db *open_db(const char *root, int busy_ms)
{
	struct md_db *db = NULL;
	struct berth_error *err = NULL;
	ok(md_open(&(struct md_config){.root = root, .busy_timeout_ms = busy_ms}, &db, &err), &err);
	return db;
}

static int image(struct md_db *db, const char *name, const char *digest, struct berth_error **err)
{
	struct md_image img = {.name = (char *)name,
			       .target = {.media_type = MT, .digest = (char *)digest, .size = 1}};
	return md_image_create(db, "default", &img, err);
}

static size_t count(struct md_db *db)
{
	struct md_image *v = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	ok(md_image_list(db, "default", NULL, &v, &n, &err), &err);
	md_image_list_free(v, n);
	return n;
}

/* In a child: _exit(1) on any error, never return into cmocka. */
static void child_must(int r, struct berth_error **err)
{
	if (r < 0) {
		fprintf(stderr, "child: %s\n", (*err)->msg);
		_exit(1);
	}
}

static int wait_child(pid_t pid)
{
	int st = 0;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return st;
}

/* Child: open, begin, write `n` images (and edges) in one transaction, tell
 * the parent through fd, then hang (or commit when commit_first). */
static pid_t writer(const char *root, int fd, int n, bool commit_first)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	struct md_db *db = NULL;
	struct berth_error *err = NULL;
	child_must(md_open(&(struct md_config){.root = root}, &db, &err), &err);
	child_must(md_tx_begin(db, &err), &err);
	for (int i = 0; i < n; i++) {
		char name[64];
		snprintf(name, sizeof(name), "docker.io/library/new%d:1", i);
		child_must(image(db, name, D2, &err), &err);
		child_must(md_edge_add(db, D2, MD_REF_CONTENT, NULL, D1, &err), &err);
	}
	child_must(md_namespace_create(db, "childns", &err), &err);
	if (commit_first)
		child_must(md_tx_commit(db, &err), &err);
	if (write(fd, "r", 1) != 1)
		_exit(1);
	for (;;)
		pause();
}

static void test_crash_mid_transaction(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	struct md_db *db = open_db(tmp, 0);
	struct berth_error *err = NULL;
	ok(image(db, "docker.io/library/old:1", D1, &err), &err);
	md_close(db);
	for (int round = 0; round < 2; round++) {
		bool committed = round == 1;
		int p[2];
		assert_int_equal(pipe2(p, O_CLOEXEC), 0);
		pid_t pid = writer(tmp, p[1], 200, committed);
		close(p[1]);
		char c;
		assert_int_equal(read(p[0], &c, 1), 1);
		kill(pid, SIGKILL);
		int st = wait_child(pid);
		assert_true(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		close(p[0]);
		db = open_db(tmp, 0);
		/* uncommitted: the old state only; committed: all of it */
		assert_int_equal(count(db), committed ? 202 : 1); /* + after0 */
		assert_int_equal(md_namespace_exists(db, "childns"), committed);
		struct md_image img;
		ok(md_image_get(db, "default", "docker.io/library/old:1", &img, &err), &err);
		assert_string_equal(img.target.digest, D1);
		md_image_free(&img);
		/* no lock left behind: a write goes through at once */
		char name[64];
		snprintf(name, sizeof(name), "docker.io/library/after%d:1", round);
		ok(image(db, name, D1, &err), &err);
		md_close(db);
	}
	tu_rmdir(tmp);
}

/* Child holds the write lock for hold_ms, then commits image `name`. */
static pid_t holder(const char *root, int fd, int hold_ms, const char *name)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid > 0)
		return pid;
	struct md_db *db = NULL;
	struct berth_error *err = NULL;
	child_must(md_open(&(struct md_config){.root = root}, &db, &err), &err);
	child_must(md_tx_begin(db, &err), &err);
	child_must(image(db, name, D1, &err), &err);
	if (write(fd, "r", 1) != 1)
		_exit(1);
	usleep((useconds_t)hold_ms * 1000);
	child_must(md_tx_commit(db, &err), &err);
	md_close(db);
	_exit(0);
}

/* A holder that has taken the lock (its pipe closed on our side, so a child
 * that dies early fails the read instead of hanging the test). */
static pid_t start_holder(const char *root, int hold_ms, const char *name)
{
	int p[2];
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	pid_t pid = holder(root, p[1], hold_ms, name);
	close(p[1]);
	char c;
	ssize_t n = read(p[0], &c, 1);
	close(p[0]);
	if (n != 1) {
		wait_child(pid);
		fail_msg("the lock holder died before taking the lock");
	}
	return pid;
}

static void test_busy_timeout(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	struct md_db *db = open_db(tmp, 0);
	md_close(db);
	struct berth_error *err = NULL;
	/* a patient writer waits for the lock and gets it */
	pid_t pid = start_holder(tmp, 300, "docker.io/library/held:1");
	db = open_db(tmp, 10000);
	ok(image(db, "docker.io/library/waited:1", D2, &err), &err);
	assert_int_equal(count(db), 2); /* the holder's committed first */
	int st = wait_child(pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	md_close(db);
	/* an impatient one gets EBUSY, and nothing of its write */
	pid = start_holder(tmp, 3000, "docker.io/library/held:2");
	db = open_db(tmp, 50);
	assert_int_equal(image(db, "docker.io/library/impatient:1", D2, &err), -1);
	assert_int_equal(err->code, EBUSY);
	tu_assert_msg(err, "locked");
	berth_error_free(&err);
	/* readers are not blocked by the writer (WAL) */
	assert_int_equal(count(db), 2);
	kill(pid, SIGKILL);
	wait_child(pid);
	assert_int_equal(count(db), 2);
	md_close(db);
	tu_rmdir(tmp);
}

static void test_concurrent_writers(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	md_close(open_db(tmp, 0));
	enum { PROCS = 3, EACH = 100 };
	pid_t pids[PROCS];
	for (int k = 0; k < PROCS; k++) {
		pids[k] = fork();
		assert_true(pids[k] >= 0);
		if (pids[k] == 0) {
			struct md_db *db = NULL;
			struct berth_error *err = NULL;
			child_must(
			    md_open(&(struct md_config){.root = tmp, .busy_timeout_ms = 30000}, &db,
				    &err),
			    &err);
			for (int i = 0; i < EACH; i++) {
				char name[64];
				snprintf(name, sizeof(name), "docker.io/library/p%d:%d", k, i);
				child_must(image(db, name, D1, &err), &err);
				snprintf(name, sizeof(name), "l-%d-%d", k, i);
				child_must(md_lease_create(db, "default", name, 0, NULL, &err),
					   &err);
			}
			md_close(db);
			_exit(0);
		}
	}
	for (int k = 0; k < PROCS; k++) {
		int st = wait_child(pids[k]);
		assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	}
	struct md_db *db = open_db(tmp, 0);
	assert_int_equal(count(db), PROCS * EACH);
	struct md_lease *l = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	ok(md_lease_list(db, "default", &l, &n, &err), &err);
	assert_int_equal(n, PROCS * EACH);
	md_lease_list_free(l, n);
	md_close(db);
	tu_rmdir(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_crash_mid_transaction),
	    cmocka_unit_test(test_busy_timeout),
	    cmocka_unit_test(test_concurrent_writers),
	};
	return tu_run("metadata-procs", tests, ARRAY_SIZE(tests));
}
