/* Snapshotter conformance suite: every test runs against every backend
 * (overlayfs, native) through the public snap_* API. Tests that mount need
 * root and skip otherwise; every mount and temp dir is removed. */
#include "test-tar-util.h"

#include "core/archive/archive.h"
#include "core/snapshots/snapshots.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

struct fixture {
	const char *driver;
	char *tmp;
	struct snapshotter *s;
};

static const char *drivers[] = {"overlayfs", "native"};

/* test-snapshots-sqlite.c includes this file with the bookkeeping in SQLite. */
#ifndef SNAP_TEST_CONFIG
#define SNAP_TEST_CONFIG(cfg) ((void)(cfg))
#define SNAP_TEST_SUITE "snapshots"
#endif

static struct snapshotter *open_snap(const char *root, const char *driver)
{
	struct snapshotter *s = NULL;
	struct berth_error *err = NULL;
	struct snap_config cfg = {.root = root, .driver = driver};
	SNAP_TEST_CONFIG(&cfg);
	if (snap_open(&cfg, &s, &err) < 0)
		fail_msg("snap_open %s: %s", driver ? driver : "(auto)", err->msg);
	return s;
}

static void fx_init(struct fixture *f, const char *driver)
{
	f->driver = driver;
	f->tmp = tu_mkdtemp();
	f->s = open_snap(f->tmp, driver);
	assert_string_equal(snap_driver(f->s), driver);
}

static void fx_fini(struct fixture *f)
{
	snap_close(f->s);
	tu_rmdir(f->tmp);
}

static void put_file(struct snapshotter *s, const char *key, const char *rel, const char *data)
{
	char *dir = NULL, *p = NULL;
	struct berth_error *err = NULL;
	if (snap_layer_dir(s, key, &dir, &err) < 0)
		fail_msg("layer dir %s: %s", key, err->msg);
	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	tu_write(p, data);
	free(p);
	free(dir);
}

static void must(int r, struct berth_error **err, const char *what)
{
	if (r < 0)
		fail_msg("%s: %s", what, (*err)->msg);
}

/* base <- mid, each committed, with a file each */
static void make_chain(struct snapshotter *s)
{
	struct berth_error *err = NULL;
	must(snap_prepare(s, "base-active", NULL, NULL, &err), &err, "prepare base");
	put_file(s, "base-active", "base.txt", "base");
	put_file(s, "base-active", "shadowed", "from base");
	must(snap_commit(s, "base", "base-active", &err), &err, "commit base");
	must(snap_prepare(s, "mid-active", "base", NULL, &err), &err, "prepare mid");
	put_file(s, "mid-active", "mid.txt", "mid");
	put_file(s, "mid-active", "shadowed", "from mid");
	must(snap_commit(s, "mid", "mid-active", &err), &err, "commit mid");
}

static int count_walk(const struct snap_info *info, void *arg)
{
	(void)info;
	(*(int *)arg)++;
	return 0;
}

static void test_chain(void **state)
{
	(void)state;
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		make_chain(f.s);
		struct berth_error *err = NULL;
		struct snap_info info;
		must(snap_stat(f.s, "mid", &info, &err), &err, "stat mid");
		assert_string_equal(info.name, "mid");
		assert_string_equal(info.parent, "base");
		assert_int_equal(info.kind, SNAP_KIND_COMMITTED);
		snap_info_free(&info);
		assert_int_equal(snap_stat(f.s, "mid-active", &info, &err), -1);
		assert_int_equal(err->code, ENOENT);
		berth_error_free(&err);
		/* errors */
		assert_int_equal(snap_prepare(f.s, "x", "nope", NULL, &err), -1);
		assert_int_equal(err->code, ENOENT);
		tu_assert_msg(err, "nope");
		berth_error_free(&err);
		must(snap_prepare(f.s, "top", "mid", NULL, &err), &err, "prepare top");
		assert_int_equal(snap_prepare(f.s, "top", "mid", NULL, &err), -1);
		assert_int_equal(err->code, EEXIST);
		berth_error_free(&err);
		assert_int_equal(snap_prepare(f.s, "y", "top", NULL, &err), -1);
		assert_int_equal(err->code, EINVAL);
		tu_assert_msg(err, "not committed");
		berth_error_free(&err);
		assert_int_equal(snap_commit(f.s, "base", "top", &err), -1);
		assert_int_equal(err->code, EEXIST);
		berth_error_free(&err);
		must(snap_view(f.s, "v", "mid", NULL, &err), &err, "view");
		assert_int_equal(snap_commit(f.s, "v2", "v", &err), -1);
		tu_assert_msg(err, "not active");
		berth_error_free(&err);
		int n = 0;
		must(snap_walk(f.s, count_walk, &n, &err), &err, "walk");
		assert_int_equal(n, 4);
		/* the native backend copies the parent: its files are in the layer */
		char *dir = NULL;
		must(snap_layer_dir(f.s, "top", &dir, &err), &err, "layer dir");
		char *p = NULL;
		assert_true(asprintf(&p, "%s/shadowed", dir) > 0);
		char *data = tu_read(p);
		if (strcmp(f.driver, "native") == 0)
			assert_string_equal(data, "from mid");
		else
			assert_null(data);
		free(data);
		free(p);
		free(dir);
		/* persisted: a new snapshotter on the same root sees the same */
		snap_close(f.s);
		f.s = open_snap(f.tmp, f.driver);
		n = 0;
		snap_walk(f.s, count_walk, &n, &err);
		assert_int_equal(n, 4);
		must(snap_stat(f.s, "top", &info, &err), &err, "stat top after reopen");
		assert_int_equal(info.kind, SNAP_KIND_ACTIVE);
		snap_info_free(&info);
		fx_fini(&f);
	}
}

static void test_remove(void **state)
{
	(void)state;
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		make_chain(f.s);
		struct berth_error *err = NULL;
		assert_int_equal(snap_remove(f.s, "base", &err), -1);
		assert_int_equal(err->code, EBUSY);
		tu_assert_msg(err, "remove snapshot base: it is the parent of 1 snapshot");
		berth_error_free(&err);
		must(snap_prepare(f.s, "c", "mid", NULL, &err), &err, "prepare");
		assert_int_equal(snap_remove(f.s, "mid", &err), -1);
		berth_error_free(&err);
		must(snap_remove(f.s, "c", &err), &err, "remove c");
		must(snap_remove(f.s, "mid", &err), &err, "remove mid");
		must(snap_remove(f.s, "base", &err), &err, "remove base");
		assert_int_equal(snap_remove(f.s, "base", &err), -1);
		assert_int_equal(err->code, ENOENT);
		berth_error_free(&err);
		/* no directory left behind */
		char *cmd = NULL;
		assert_true(asprintf(&cmd, "test -z \"$(ls -A %s/snapshots)\"", snap_root(f.s)) >
			    0);
		assert_int_equal(system(cmd), 0);
		free(cmd);
		fx_fini(&f);
	}
}

static void test_mount_specs(void **state)
{
	(void)state;
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		make_chain(f.s);
		struct berth_error *err = NULL;
		struct snap_mounts m = {0};
		bool overlay = strcmp(f.driver, "overlayfs") == 0;
		must(snap_prepare(f.s, "c", "mid", &m, &err), &err, "prepare");
		assert_int_equal(m.n, 1);
		assert_string_equal(m.v[0].type, overlay ? "overlay" : "bind");
		if (overlay) {
			bool lower = false;
			for (char **o = m.v[0].options; *o; o++)
				if (strncmp(*o, "lowerdir=", 9) == 0) {
					lower = true;
					assert_non_null(strchr(*o, ':')); /* two layers */
				}
			assert_true(lower);
		}
		snap_mounts_free(&m);
		must(snap_view(f.s, "v1", "base", &m, &err), &err, "view");
		assert_string_equal(m.v[0].type, "bind");
		bool ro = false;
		for (char **o = m.v[0].options; *o; o++)
			ro = ro || strcmp(*o, "ro") == 0;
		assert_true(ro);
		snap_mounts_free(&m);
		must(snap_mounts(f.s, "c", &m, &err), &err, "mounts");
		snap_mounts_free(&m);
		assert_int_equal(snap_mounts(f.s, "nope", &m, &err), -1);
		berth_error_free(&err);
		fx_fini(&f);
	}
}

static void test_usage(void **state)
{
	(void)state;
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		struct berth_error *err = NULL;
		must(snap_prepare(f.s, "a", NULL, NULL, &err), &err, "prepare");
		char big[20000];
		memset(big, 'x', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		put_file(f.s, "a", "big", big);
		struct snap_usage u;
		must(snap_usage(f.s, "a", &u, &err), &err, "usage");
		assert_true(u.size >= 16384);
		assert_int_equal(u.inodes, 1);
		fx_fini(&f);
	}
}

static char *mnt_dir(struct fixture *f)
{
	char *m = NULL;
	assert_true(asprintf(&m, "%s/mnt", f->tmp) > 0);
	assert_int_equal(mkdir(m, 0755), 0);
	return m;
}

static char *read_in(const char *dir, const char *rel)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	char *d = tu_read(p);
	free(p);
	return d;
}

static bool exists_in(const char *dir, const char *rel)
{
	char *p = NULL;
	struct stat st;
	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

static void umount_or_fail(const char *m)
{
	struct berth_error *err = NULL;
	if (snap_unmount(m, &err) < 0)
		fail_msg("%s", err->msg);
}

/* Mounting an active snapshot shows the parents' files (nearest wins) and
 * takes writes into the snapshot's own layer. */
static void test_mount_active(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		make_chain(f.s);
		struct berth_error *err = NULL;
		struct snap_mounts m = {0};
		must(snap_prepare(f.s, "c", "mid", &m, &err), &err, "prepare");
		char *mnt = mnt_dir(&f);
		must(snap_mount(&m, mnt, &err), &err, "mount");
		char *s1 = read_in(mnt, "base.txt"), *s2 = read_in(mnt, "mid.txt"),
		     *s3 = read_in(mnt, "shadowed");
		char *p = NULL;
		assert_true(asprintf(&p, "%s/new.txt", mnt) > 0);
		tu_write(p, "new");
		free(p);
		umount_or_fail(mnt);
		assert_string_equal(s1, "base");
		assert_string_equal(s2, "mid");
		assert_string_equal(s3, "from mid");
		free(s1);
		free(s2);
		free(s3);
		char *dir = NULL;
		must(snap_layer_dir(f.s, "c", &dir, &err), &err, "layer dir");
		char *n = read_in(dir, "new.txt");
		assert_string_equal(n, "new");
		free(n);
		free(dir);
		snap_mounts_free(&m);
		free(mnt);
		fx_fini(&f);
	}
}

static void test_view_readonly(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		make_chain(f.s);
		struct berth_error *err = NULL;
		const char *parents[] = {"base", "mid"}; /* one layer (bind), two (overlay) */
		for (size_t i = 0; i < ARRAY_SIZE(parents); i++) {
			struct snap_mounts m = {0};
			char key[32];
			snprintf(key, sizeof(key), "view-%zu", i);
			must(snap_view(f.s, key, parents[i], &m, &err), &err, "view");
			char *mnt = mnt_dir(&f);
			must(snap_mount(&m, mnt, &err), &err, "mount view");
			char *s = read_in(mnt, "base.txt");
			char *p = NULL;
			assert_true(asprintf(&p, "%s/w", mnt) > 0);
			int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
			int e = errno;
			if (fd >= 0)
				close(fd);
			umount_or_fail(mnt);
			rmdir(mnt);
			assert_string_equal(s, "base");
			assert_int_equal(fd, -1);
			assert_int_equal(e, EROFS);
			free(s);
			free(p);
			free(mnt);
			snap_mounts_free(&m);
		}
		fx_fini(&f);
	}
}

/* A layer unpacked with the whiteout mode of the backend hides the parent's
 * file and the contents of an opaque dir. */
static void test_whiteouts(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	for (size_t d = 0; d < ARRAY_SIZE(drivers); d++) {
		struct fixture f;
		fx_init(&f, drivers[d]);
		struct berth_error *err = NULL;
		must(snap_prepare(f.s, "l1", NULL, NULL, &err), &err, "prepare l1");
		char *dir = NULL;
		must(snap_layer_dir(f.s, "l1", &dir, &err), &err, "layer dir");
		struct tb *t = tb_new("gzip");
		tb_file(t, "gone", "x");
		tb_dir(t, "opq");
		tb_file(t, "opq/old", "x");
		tb_file(t, "kept", "x");
		char *buf;
		size_t len;
		tb_finish(t, &buf, &len);
		bool overlay = strcmp(f.driver, "overlayfs") == 0;
		struct arc_unpack_opts o = {.whiteouts = overlay ? ARC_WHITEOUT_OVERLAY
								 : ARC_WHITEOUT_APPLY};
		struct arc_unpack_result r;
		must(arc_unpack_mem(buf, len, dir, &o, &r, &err), &err, "unpack l1");
		free(buf);
		free(dir);
		must(snap_commit(f.s, "L1", "l1", &err), &err, "commit l1");
		must(snap_prepare(f.s, "l2", "L1", NULL, &err), &err, "prepare l2");
		must(snap_layer_dir(f.s, "l2", &dir, &err), &err, "layer dir");
		t = tb_new("none");
		tb_file(t, ".wh.gone", "");
		tb_dir(t, "opq");
		tb_file(t, "opq/.wh..wh..opq", "");
		tb_file(t, "opq/new", "x");
		tb_finish(t, &buf, &len);
		must(arc_unpack_mem(buf, len, dir, &o, &r, &err), &err, "unpack l2");
		free(buf);
		free(dir);
		must(snap_commit(f.s, "L2", "l2", &err), &err, "commit l2");
		struct snap_mounts m = {0};
		must(snap_prepare(f.s, "c", "L2", &m, &err), &err, "prepare c");
		char *mnt = mnt_dir(&f);
		must(snap_mount(&m, mnt, &err), &err, "mount");
		bool gone = !exists_in(mnt, "gone"), old = exists_in(mnt, "opq/old");
		bool fresh = exists_in(mnt, "opq/new"), kept = exists_in(mnt, "kept");
		umount_or_fail(mnt);
		assert_true(gone);
		assert_false(old);
		assert_true(fresh);
		assert_true(kept);
		snap_mounts_free(&m);
		free(mnt);
		fx_fini(&f);
	}
}

/* More lowerdirs than fit in a page of mount options: mounted anyway. */
static void test_long_chain(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	struct fixture f;
	fx_init(&f, "overlayfs");
	struct berth_error *err = NULL;
	char parent[32] = "", key[32], name[32];
	const int layers = 120;
	for (int i = 0; i < layers; i++) {
		snprintf(key, sizeof(key), "active-%d", i);
		snprintf(name, sizeof(name), "layer-%d", i);
		must(snap_prepare(f.s, key, parent[0] ? parent : NULL, NULL, &err), &err, key);
		char file[32];
		snprintf(file, sizeof(file), "f%d", i);
		put_file(f.s, key, file, name);
		must(snap_commit(f.s, name, key, &err), &err, name);
		strcpy(parent, name);
	}
	struct snap_mounts m = {0};
	must(snap_prepare(f.s, "top", parent, &m, &err), &err, "prepare top");
	size_t optlen = 0;
	for (char **o = m.v[0].options; *o; o++)
		optlen += strlen(*o) + 1;
	assert_true(optlen > 4096);
	char *mnt = mnt_dir(&f);
	must(snap_mount(&m, mnt, &err), &err, "mount long chain");
	char *first = read_in(mnt, "f0"), *last = read_in(mnt, "f119");
	umount_or_fail(mnt);
	assert_string_equal(first, "layer-0");
	assert_string_equal(last, "layer-119");
	free(first);
	free(last);
	free(mnt);
	snap_mounts_free(&m);
	fx_fini(&f);
}

/* native: the copy of a parent keeps what `cp -a` keeps. */
static void test_native_copy(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	struct fixture f;
	fx_init(&f, "native");
	struct berth_error *err = NULL;
	must(snap_prepare(f.s, "b", NULL, NULL, &err), &err, "prepare");
	char *dir = NULL;
	must(snap_layer_dir(f.s, "b", &dir, &err), &err, "layer dir");
	struct tb *t = tb_new("none");
	tb_add(t, "dir/", AE_IFDIR, NULL, NULL,
	       &(struct tb_attr){.mode = 0750, .mtime = 1400000000});
	tb_add(t, "dir/su", AE_IFREG, "su", NULL,
	       &(struct tb_attr){.mode = 04755,
				 .uid = 1000,
				 .gid = 1001,
				 .mtime = 1300000000,
				 .xattr_name = "user.k",
				 .xattr_value = "v"});
	tb_hardlink(t, "su2", "dir/su");
	tb_symlink(t, "sh", "/dir/su");
	tb_dev(t, "null", AE_IFCHR, 1, 3);
	tb_dev(t, "fifo", AE_IFIFO, 0, 0);
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);
	struct arc_unpack_opts o = {.whiteouts = ARC_WHITEOUT_APPLY};
	struct arc_unpack_result r;
	must(arc_unpack_mem(buf, len, dir, &o, &r, &err), &err, "unpack");
	free(buf);
	must(snap_commit(f.s, "B", "b", &err), &err, "commit");
	must(snap_prepare(f.s, "c", "B", NULL, &err), &err, "prepare c");
	char *cdir = NULL;
	must(snap_layer_dir(f.s, "c", &cdir, &err), &err, "layer dir c");
	struct stat a, b, p;
	char *x = NULL;
	assert_true(asprintf(&x, "%s/dir/su", cdir) > 0);
	assert_int_equal(lstat(x, &a), 0);
	char v[4] = "";
	assert_int_equal(lgetxattr(x, "user.k", v, sizeof(v)), 1);
	free(x);
	assert_true(asprintf(&x, "%s/su2", cdir) > 0);
	assert_int_equal(lstat(x, &b), 0);
	free(x);
	assert_true(asprintf(&x, "%s/dir/su", dir) > 0);
	assert_int_equal(lstat(x, &p), 0);
	free(x);
	assert_int_equal(a.st_ino, b.st_ino);	  /* still one inode, */
	assert_int_not_equal(a.st_ino, p.st_ino); /* not the parent's */
	assert_int_equal(a.st_nlink, 2);
	assert_int_equal(a.st_mode & 07777, 04755);
	assert_int_equal(a.st_uid, 1000);
	assert_int_equal(a.st_gid, 1001);
	assert_int_equal(a.st_mtim.tv_sec, 1300000000);
	assert_true(asprintf(&x, "%s/dir", cdir) > 0);
	assert_int_equal(lstat(x, &a), 0);
	assert_int_equal(a.st_mode & 07777, 0750);
	assert_int_equal(a.st_mtim.tv_sec, 1400000000);
	free(x);
	assert_true(asprintf(&x, "%s/null", cdir) > 0);
	assert_int_equal(lstat(x, &a), 0);
	assert_true(S_ISCHR(a.st_mode) && a.st_rdev == makedev(1, 3));
	free(x);
	assert_true(asprintf(&x, "%s/fifo", cdir) > 0);
	assert_int_equal(lstat(x, &a), 0);
	assert_true(S_ISFIFO(a.st_mode));
	free(x);
	char target[32] = "";
	assert_true(asprintf(&x, "%s/sh", cdir) > 0);
	assert_int_equal(readlink(x, target, sizeof(target)), 7);
	assert_string_equal(target, "/dir/su");
	free(x);
	free(dir);
	free(cdir);
	fx_fini(&f);
}

static void test_select(void **state)
{
	(void)state;
	char *tmp = tu_mkdtemp();
	struct snapshotter *s = open_snap(tmp, NULL);
	bool overlay = snap_overlay_supported(tmp);
	if (geteuid() != 0)
		assert_false(overlay);
	assert_string_equal(snap_driver(s), overlay ? "overlayfs" : "native");
	snap_close(s);
	struct berth_error *err = NULL;
	struct snap_config cfg = {.root = tmp, .driver = "zfs"};
	assert_int_equal(snap_open(&cfg, &s, &err), -1);
	tu_assert_msg(err, "snapshotter zfs: unknown");
	berth_error_free(&err);
	/* the probe leaves nothing behind */
	char *cmd = NULL;
	assert_true(asprintf(&cmd, "test -z \"$(ls -A %s/snapshots | grep probe)\"", tmp) > 0);
	assert_int_equal(system(cmd), 0);
	free(cmd);
	tu_rmdir(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain),	 cmocka_unit_test(test_remove),
	    cmocka_unit_test(test_mount_specs),	 cmocka_unit_test(test_usage),
	    cmocka_unit_test(test_mount_active), cmocka_unit_test(test_view_readonly),
	    cmocka_unit_test(test_whiteouts),	 cmocka_unit_test(test_long_chain),
	    cmocka_unit_test(test_native_copy),	 cmocka_unit_test(test_select),
	};
	return tu_run(SNAP_TEST_SUITE, tests, ARRAY_SIZE(tests));
}
