/* Unit tests of lib/core/archive: layer unpack (entry types, compression,
 * diffID, whiteouts, hostile archives) and the directory writer. */
#include "test-tar-util.h"

#include "core/archive/archive.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

static char *path_in(const char *dir, const char *rel)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", dir, rel) > 0);
	return p;
}

static int unpack_buf(const char *buf, size_t len, const char *root, enum arc_whiteouts mode,
		      struct arc_unpack_result *res, struct berth_error **err)
{
	struct arc_unpack_opts o = {.whiteouts = mode, .no_chown = geteuid() != 0};
	return arc_unpack_mem(buf, len, root, &o, res, err);
}

static void lstat_in(const char *dir, const char *rel, struct stat *st)
{
	char *p = path_in(dir, rel);
	if (lstat(p, st) < 0)
		fail_msg("lstat %s: %s", p, strerror(errno));
	free(p);
}

static bool exists_in(const char *dir, const char *rel)
{
	struct stat st;
	char *p = path_in(dir, rel);
	bool r = lstat(p, &st) == 0;
	free(p);
	return r;
}

static void test_entry_types(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	struct tb *t = tb_new("gzip");
	tb_add(t, "./", AE_IFDIR, NULL, NULL, &(struct tb_attr){.mode = 0751, .mtime = 1500000000});
	tb_add(t, "bin/", AE_IFDIR, NULL, NULL,
	       &(struct tb_attr){.mode = 0555, .mtime = 1400000000});
	tb_add(t, "bin/su", AE_IFREG, "#!/bin/true\n", NULL,
	       &(struct tb_attr){.mode = 04755, .uid = 1000, .gid = 1001, .mtime = 1300000000});
	tb_add(t, "bin/cap", AE_IFREG, "x", NULL,
	       &(struct tb_attr){.xattr_name = "user.berth", .xattr_value = "hello"});
	tb_dir(t, "other");
	tb_hardlink(t, "other/su-link", "bin/su");
	tb_symlink(t, "sh", "/bin/su");
	tb_dev(t, "null", AE_IFCHR, 1, 3);
	tb_dev(t, "loop", AE_IFBLK, 7, 0);
	tb_dev(t, "fifo", AE_IFIFO, 0, 0);
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);

	char *root = tu_mkdtemp();
	struct berth_error *err = NULL;
	struct arc_unpack_result res;
	if (unpack_buf(buf, len, root, ARC_WHITEOUT_OVERLAY, &res, &err) < 0)
		fail_msg("unpack: %s", err->msg);
	assert_int_equal(res.entries, 10);
	struct stat st, st2;
	lstat_in(root, "bin/su", &st);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 04755);
	assert_int_equal(st.st_uid, 1000);
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(st.st_mtim.tv_sec, 1300000000);
	assert_int_equal(st.st_nlink, 2);
	lstat_in(root, "other/su-link", &st2);
	assert_int_equal(st.st_ino, st2.st_ino);
	char *p = path_in(root, "bin/su");
	char *data = tu_read(p);
	assert_string_equal(data, "#!/bin/true\n");
	free(data);
	free(p);
	char val[16] = "";
	p = path_in(root, "bin/cap");
	assert_int_equal(lgetxattr(p, "user.berth", val, sizeof(val)), 5);
	assert_memory_equal(val, "hello", 5);
	free(p);
	lstat_in(root, "sh", &st);
	assert_true(S_ISLNK(st.st_mode));
	char target[64] = "";
	p = path_in(root, "sh");
	assert_int_equal(readlink(p, target, sizeof(target)), 7);
	assert_string_equal(target, "/bin/su");
	free(p);
	lstat_in(root, "null", &st);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(1, 3));
	assert_int_equal(st.st_mode & 07777, 0620);
	lstat_in(root, "loop", &st);
	assert_true(S_ISBLK(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(7, 0));
	lstat_in(root, "fifo", &st);
	assert_true(S_ISFIFO(st.st_mode));
	/* directories: mode and mtime kept although files were made in them later */
	lstat_in(root, "bin", &st);
	assert_int_equal(st.st_mode & 07777, 0555);
	assert_int_equal(st.st_mtim.tv_sec, 1400000000);
	lstat_in(root, ".", &st);
	assert_int_equal(st.st_mode & 07777, 0751);
	assert_int_equal(st.st_mtim.tv_sec, 1500000000);
	free(buf);
	tu_rmdir(root);
}

/* The same layer gzip'ed, zstd'ed and plain: detected, same diffID, which is
 * `sha256sum` of the plain tar. */
static void test_compression_and_diffid(void **state)
{
	(void)state;
	const char *filters[] = {"none", "gzip", "zstd"};
	char want[72] = "";
	for (size_t i = 0; i < ARRAY_SIZE(filters); i++) {
		struct tb *t = tb_new(filters[i]);
		tb_dir(t, "etc");
		tb_file(t, "etc/hostname", "berth\n");
		char big[5000];
		memset(big, 'b', sizeof(big) - 1);
		big[sizeof(big) - 1] = '\0';
		tb_file(t, "big", big);
		char *buf;
		size_t len;
		tb_finish(t, &buf, &len);
		if (i == 0) {
			char *root = tu_mkdtemp();
			char *file = path_in(root, "layer.tar");
			FILE *f = fopen(file, "w");
			fwrite(buf, 1, len, f);
			fclose(f);
			char *cmd = NULL;
			assert_true(asprintf(&cmd, "sha256sum %s", file) > 0);
			FILE *pipe = popen(cmd, "r");
			char hex[65] = "";
			assert_int_equal(fscanf(pipe, "%64s", hex), 1);
			pclose(pipe);
			snprintf(want, sizeof(want), "sha256:%s", hex);
			char mine[72];
			tu_sha256(buf, len, mine);
			assert_string_equal(want, mine);
			free(cmd);
			free(file);
			tu_rmdir(root);
		}
		char *root = tu_mkdtemp();
		struct berth_error *err = NULL;
		struct arc_unpack_result res;
		if (unpack_buf(buf, len, root, ARC_WHITEOUT_OVERLAY, &res, &err) < 0)
			fail_msg("unpack %s: %s", filters[i], err->msg);
		assert_string_equal(res.diff_id, want);
		char *p = path_in(root, "etc/hostname");
		char *data = tu_read(p);
		assert_string_equal(data, "berth\n");
		free(data);
		free(p);
		free(buf);
		tu_rmdir(root);
	}
}

static void test_corrupt_stream(void **state)
{
	(void)state;
	struct tb *t = tb_new("gzip");
	tb_file(t, "a", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);
	char *root = tu_mkdtemp();
	struct berth_error *err = NULL;
	struct arc_unpack_result res;
	/* truncated gzip */
	assert_true(unpack_buf(buf, len / 2, root, ARC_WHITEOUT_OVERLAY, &res, &err) < 0);
	tu_assert_msg(err, "unpack layer into");
	berth_error_free(&err);
	/* garbage */
	assert_true(unpack_buf("not a tar at all", 16, root, ARC_WHITEOUT_OVERLAY, &res, &err) < 0);
	berth_error_free(&err);
	free(buf);
	tu_rmdir(root);
}

static void test_whiteouts_overlay(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	struct tb *t = tb_new("none");
	tb_dir(t, "dir");
	tb_file(t, "dir/.wh..wh..opq", "");
	tb_file(t, "dir/new", "n");
	tb_file(t, ".wh.gone", "");
	tb_file(t, "sub/.wh.deep", ""); /* parent not in the layer: made */
	tb_file(t, ".wh..wh.plnk", "");
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);
	char *root = tu_mkdtemp();
	struct berth_error *err = NULL;
	struct arc_unpack_result res;
	if (unpack_buf(buf, len, root, ARC_WHITEOUT_OVERLAY, &res, &err) < 0)
		fail_msg("unpack: %s", err->msg);
	struct stat st;
	lstat_in(root, "gone", &st);
	assert_true(S_ISCHR(st.st_mode));
	assert_int_equal(st.st_rdev, makedev(0, 0));
	lstat_in(root, "sub/deep", &st);
	assert_true(S_ISCHR(st.st_mode));
	assert_false(exists_in(root, ".wh.gone"));
	assert_false(exists_in(root, ".wh..wh.plnk"));
	assert_false(exists_in(root, "dir/.wh..wh..opq"));
	assert_true(exists_in(root, "dir/new"));
	char *p = path_in(root, "dir");
	char v[4] = "";
	assert_int_equal(getxattr(p, "trusted.overlay.opaque", v, sizeof(v)), 1);
	assert_int_equal(v[0], 'y');
	free(p);
	free(buf);
	tu_rmdir(root);
}

static void test_whiteouts_apply(void **state)
{
	(void)state;
	char *root = tu_mkdtemp();
	char *p = path_in(root, "dir");
	assert_int_equal(mkdir(p, 0755), 0);
	free(p);
	const char *lower[] = {"gone", "keep", "dir/old", "dir/kept-by-layer"};
	for (size_t i = 0; i < ARRAY_SIZE(lower); i++) {
		p = path_in(root, lower[i]);
		tu_write(p, "lower");
		free(p);
	}
	struct tb *t = tb_new("none");
	tb_dir(t, "dir");
	tb_file(t, "dir/kept-by-layer", "upper");
	tb_file(t, "dir/.wh..wh..opq", "");
	tb_file(t, ".wh.gone", "");
	tb_file(t, "nodir/.wh.x", ""); /* nothing to hide */
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);
	struct berth_error *err = NULL;
	struct arc_unpack_result res;
	if (unpack_buf(buf, len, root, ARC_WHITEOUT_APPLY, &res, &err) < 0)
		fail_msg("unpack: %s", err->msg);
	assert_false(exists_in(root, "gone"));
	assert_true(exists_in(root, "keep"));
	assert_false(exists_in(root, "dir/old"));
	assert_false(exists_in(root, "nodir"));
	p = path_in(root, "dir/kept-by-layer");
	char *data = tu_read(p);
	assert_string_equal(data, "upper");
	free(data);
	free(p);
	free(buf);
	tu_rmdir(root);
}

/* A hostile layer: `build` adds its entries; `outside` (a dir next to the
 * root) must stay empty; want_err: the message must name this entry (NULL:
 * either outcome is fine as long as nothing escaped). */
struct hostile {
	const char *what;
	void (*build)(struct tb *t, const char *outside);
	const char *want_err;
	const char *inside; /* a path that must exist in the root afterwards */
};

static void h_dotdot(struct tb *t, const char *o)
{
	(void)o;
	tb_file(t, "../../etc/x", "pwned");
}

static void h_abs(struct tb *t, const char *o)
{
	char *p = path_in(o, "abs");
	tb_file(t, p, "pwned");
	free(p);
}

static void h_symlink_through(struct tb *t, const char *o)
{
	tb_symlink(t, "evil", o);
	tb_file(t, "evil/pwned", "pwned");
}

static void h_symlink_relative(struct tb *t, const char *o)
{
	(void)o;
	tb_symlink(t, "up", "../../../../../../../..");
	tb_file(t, "up/escaped", "in the root after all");
}

static void h_symlink_overwrite(struct tb *t, const char *o)
{
	char *p = path_in(o, "victim");
	tb_symlink(t, "f", p);
	tb_file(t, "f", "replaced the symlink, not its target");
	free(p);
}

static void h_hardlink_out(struct tb *t, const char *o)
{
	(void)o;
	tb_hardlink(t, "link", "../../../etc/passwd");
}

static void h_hardlink_via_symlink(struct tb *t, const char *o)
{
	tb_symlink(t, "sl", o);
	tb_hardlink(t, "link", "sl/victim");
}

static void h_dir_swap(struct tb *t, const char *o)
{
	tb_dir(t, "d");
	tb_file(t, "d/ok", "fine");
	tb_symlink(t, "d", o);
	tb_file(t, "d/pwned", "pwned");
}

static void h_whiteout_dotdot(struct tb *t, const char *o)
{
	(void)o;
	tb_file(t, ".wh...", "");
}

static void h_whiteout_through_symlink(struct tb *t, const char *o)
{
	tb_symlink(t, "sl", o);
	tb_file(t, "sl/.wh.victim", "");
}

static const struct hostile hostiles[] = {
    {"dotdot", h_dotdot, "layer entry \"../../etc/x\": path ../../etc/x: climbs out", NULL},
    {"absolute", h_abs, "absolute path", NULL},
    {"symlink then write through", h_symlink_through, "layer entry \"evil/pwned\"", NULL},
    {"relative symlink climbing", h_symlink_relative, NULL, "escaped"},
    {"symlink then overwrite", h_symlink_overwrite, NULL, "f"},
    {"hardlink outside", h_hardlink_out, "layer entry \"link\": hardlink target", NULL},
    {"hardlink through symlink", h_hardlink_via_symlink, "layer entry \"link\"", NULL},
    {"symlink dir swap", h_dir_swap, "layer entry \"d/pwned\"", NULL},
    {"whiteout of ..", h_whiteout_dotdot, "invalid name", NULL},
    {"whiteout through symlink", h_whiteout_through_symlink, NULL, NULL},
};

static void test_hostile(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(hostiles); i++) {
		const struct hostile *h = &hostiles[i];
		char *top = tu_mkdtemp();
		char *outside = path_in(top, "outside");
		char *root = path_in(top, "a/b/root");
		struct berth_error *err = NULL;
		assert_int_equal(fs_mkdir_p(root, 0755, &err), 0);
		assert_int_equal(mkdir(outside, 0755), 0);
		char *victim = path_in(outside, "victim");
		tu_write(victim, "original");
		struct tb *t = tb_new("gzip");
		h->build(t, outside);
		char *buf;
		size_t len;
		tb_finish(t, &buf, &len);
		for (int mode = ARC_WHITEOUT_OVERLAY; mode <= ARC_WHITEOUT_APPLY; mode++) {
			struct arc_unpack_result res;
			int r = unpack_buf(buf, len, root, mode, &res, &err);
			if (h->want_err) {
				if (r == 0)
					fail_msg("%s: unpacked without an error", h->what);
				tu_assert_msg(err, h->want_err);
			} else if (r < 0 && h->inside) {
				fail_msg("%s: %s", h->what, err->msg);
			}
			berth_error_free(&err);
			if (h->inside)
				assert_true(exists_in(root, h->inside));
			/* nothing outside the root changed */
			char *v = tu_read(victim);
			if (v == NULL || strcmp(v, "original") != 0)
				fail_msg("%s: %s changed", h->what, victim);
			free(v);
			char *cmd = NULL;
			assert_true(asprintf(&cmd,
					     "test \"$(find %s -mindepth 1 | grep -v '^%s' | "
					     "grep -v '^%s$' | sort | tr '\\n' ' ')\" = "
					     "\"%s/a %s/a/b %s/outside \"",
					     top, root, victim, top, top, top) > 0);
			if (system(cmd) != 0) {
				fail_msg("%s: something was made outside the root", h->what);
			}
			free(cmd);
		}
		free(buf);
		free(victim);
		free(root);
		free(outside);
		tu_rmdir(top);
	}
}

/* Write a tree as a layer, unpack that layer elsewhere: same tree, and the
 * diffID and digest reported by the writer are right. */
static void test_write_roundtrip(void **state)
{
	(void)state;
	SKIP_UNLESS_ROOT();
	struct tb *t = tb_new("none");
	tb_add(t, "bin/", AE_IFDIR, NULL, NULL, &(struct tb_attr){.mode = 0711, .mtime = 1234567});
	tb_add(t, "bin/su", AE_IFREG, "su", NULL,
	       &(struct tb_attr){
		   .mode = 04755, .uid = 7, .gid = 8, .xattr_name = "user.x", .xattr_value = "y"});
	tb_hardlink(t, "bin/su2", "bin/su");
	tb_symlink(t, "sh", "bin/su");
	tb_dev(t, "null", AE_IFCHR, 1, 3);
	tb_file(t, ".wh.gone", "");
	tb_dir(t, "opq");
	tb_file(t, "opq/.wh..wh..opq", "");
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);
	char *src = tu_mkdtemp(), *dst = tu_mkdtemp(), *tmp = tu_mkdtemp();
	struct berth_error *err = NULL;
	struct arc_unpack_result res;
	if (unpack_buf(buf, len, src, ARC_WHITEOUT_OVERLAY, &res, &err) < 0)
		fail_msg("unpack: %s", err->msg);
	const enum arc_compression comps[] = {ARC_COMPRESS_GZIP, ARC_COMPRESS_NONE,
					      ARC_COMPRESS_ZSTD};
	for (size_t i = 0; i < ARRAY_SIZE(comps); i++) {
		char *out = path_in(tmp, "layer");
		int fd = open(out, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		assert_true(fd >= 0);
		struct arc_write_opts wo = {.compression = comps[i], .overlay_whiteouts = true};
		struct arc_write_result wr;
		if (arc_write_dir(src, fd, &wo, &wr, &err) < 0)
			fail_msg("write: %s", err->msg);
		close(fd);
		size_t blen;
		char *blob;
		assert_int_equal(fs_read_file(out, &blob, &blen, &err), 0);
		assert_int_equal(blen, wr.size);
		char d[72];
		tu_sha256(blob, blen, d);
		assert_string_equal(d, wr.digest);
		if (fs_rm_rf(dst, &err) < 0 || mkdir(dst, 0700) < 0)
			fail_msg("reset %s", dst);
		if (unpack_buf(blob, blen, dst, ARC_WHITEOUT_OVERLAY, &res, &err) < 0)
			fail_msg("unpack written layer: %s", err->msg);
		assert_string_equal(res.diff_id, wr.diff_id);
		assert_int_equal(res.uncompressed_size, wr.uncompressed_size);
		struct stat a, b;
		lstat_in(dst, "bin/su", &a);
		assert_int_equal(a.st_mode & 07777, 04755);
		assert_int_equal(a.st_uid, 7);
		assert_int_equal(a.st_nlink, 2);
		lstat_in(dst, "bin", &b);
		assert_int_equal(b.st_mode & 07777, 0711);
		assert_int_equal(b.st_mtim.tv_sec, 1234567);
		lstat_in(dst, "gone", &a);
		assert_true(S_ISCHR(a.st_mode) && a.st_rdev == 0);
		lstat_in(dst, "null", &a);
		assert_int_equal(a.st_rdev, makedev(1, 3));
		char *opq = path_in(dst, "opq");
		char v[2];
		assert_int_equal(getxattr(opq, "trusted.overlay.opaque", v, 2), 1);
		free(opq);
		free(blob);
		free(out);
	}
	/* the same tree twice gives the same bytes */
	char *o1 = path_in(tmp, "1"), *o2 = path_in(tmp, "2");
	struct arc_write_result r1, r2;
	int f1 = open(o1, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	int f2 = open(o2, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	assert_int_equal(arc_write_dir(src, f1, NULL, &r1, &err), 0);
	assert_int_equal(arc_write_dir(src, f2, NULL, &r2, &err), 0);
	close(f1);
	close(f2);
	assert_string_equal(r1.digest, r2.digest);
	free(o1);
	free(o2);
	free(buf);
	tu_rmdir(src);
	tu_rmdir(dst);
	tu_rmdir(tmp);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_entry_types),	    cmocka_unit_test(test_compression_and_diffid),
	    cmocka_unit_test(test_corrupt_stream),  cmocka_unit_test(test_whiteouts_overlay),
	    cmocka_unit_test(test_whiteouts_apply), cmocka_unit_test(test_hostile),
	    cmocka_unit_test(test_write_roundtrip),
	};
	return tu_run("archive", tests, ARRAY_SIZE(tests));
}
