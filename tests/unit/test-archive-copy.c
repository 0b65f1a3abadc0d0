/* Unit tests of the cp/export tar streams (lib/core/archive/copy.c): member
 * names under a prefix (docker cp's rule), hardlinks and symlinks kept, the
 * contents alone for export; extraction confined to the directory (hostile
 * names and symlinks), noOverwriteDirNonDir, the owner override, .wh. names
 * as plain files, garbage refused. */
#include "test-tar-util.h"

#include "common/cleanup.h"
#include "core/archive/copy.h"

#include <errno.h>
#include <fcntl.h>

struct membuf {
	char *buf;
	size_t len;
};

static int mem_out(void *arg, const void *buf, size_t len, struct berth_error **err)
{
	(void)err;
	struct membuf *m = arg;
	m->buf = realloc(m->buf, m->len + len);
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return 0;
}

struct memin {
	const char *buf;
	size_t len, off;
};

static ssize_t mem_in(void *arg, void *buf, size_t len, struct berth_error **err)
{
	(void)err;
	struct memin *m = arg;
	size_t n = m->len - m->off < len ? m->len - m->off : len;
	if (n > 777) /* small reads: entries cross read boundaries */
		n = 777;
	memcpy(buf, m->buf + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/* "name type [link]" lines of a tar in memory */
static char *listing(const struct membuf *m)
{
	struct archive *a = archive_read_new();
	archive_read_support_format_tar(a);
	assert_int_equal(archive_read_open_memory(a, m->buf, m->len), ARCHIVE_OK);
	struct membuf out = {0};
	struct archive_entry *e;
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		char line[512];
		const char *t = archive_entry_filetype(e) == AE_IFDIR	? "d"
				: archive_entry_filetype(e) == AE_IFLNK ? "l"
									: "f";
		if (archive_entry_hardlink(e))
			t = "h";
		snprintf(line, sizeof(line), "%s %s%s%s\n", archive_entry_pathname(e), t,
			 archive_entry_symlink(e)    ? " "
			 : archive_entry_hardlink(e) ? " "
						     : "",
			 archive_entry_symlink(e)    ? archive_entry_symlink(e)
			 : archive_entry_hardlink(e) ? archive_entry_hardlink(e)
						     : "");
		mem_out(&out, line, strlen(line), NULL);
	}
	archive_read_free(a);
	mem_out(&out, "", 1, NULL);
	return out.buf;
}

static void test_out(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	char p[512];
	snprintf(p, sizeof(p), "%s/www", d);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/www/index.html", d);
	tu_write(p, "<h1>hi</h1>\n");
	char q[512];
	snprintf(q, sizeof(q), "%s/www/same.html", d);
	assert_int_equal(link(p, q), 0);
	snprintf(p, sizeof(p), "%s/www/sub", d);
	assert_int_equal(mkdir(p, 0700), 0);
	snprintf(p, sizeof(p), "%s/www/sub/ln", d);
	assert_int_equal(symlink("/etc/passwd", p), 0);
	int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_true(dfd >= 0);

	struct membuf m = {0};
	struct berth_error *err = NULL;
	assert_int_equal(arc_copy_out(dfd, "www", "www", mem_out, &m, &err), 0);
	char *l = listing(&m);
	assert_string_equal(l, "www/ d\n"
			       "www/index.html f\n"
			       "www/same.html h www/index.html\n"
			       "www/sub/ d\n"
			       "www/sub/ln l /etc/passwd\n");
	free(l);
	/* the tar ends with its two zero blocks, no padding to 10 KiB */
	assert_int_equal(m.len % 512, 0);
	assert_true(m.len < 10240);
	free(m.buf);

	/* a file renamed; the directory's contents alone (export) */
	m = (struct membuf){0};
	int wfd = openat(dfd, "www", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(arc_copy_out(wfd, "index.html", "copy.html", mem_out, &m, &err), 0);
	l = listing(&m);
	assert_string_equal(l, "copy.html f\n");
	free(l);
	assert_int_equal(m.len, 2048);
	free(m.buf);
	m = (struct membuf){0};
	assert_int_equal(arc_copy_out(dfd, "www", "", mem_out, &m, &err), 0);
	l = listing(&m);
	assert_string_equal(l,
			    "index.html f\nsame.html h index.html\nsub/ d\nsub/ln l /etc/passwd\n");
	free(l);
	free(m.buf);
	/* the symlink itself, not followed */
	m = (struct membuf){0};
	int sfd = openat(wfd, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	assert_int_equal(arc_copy_out(sfd, "ln", "ln", mem_out, &m, &err), 0);
	l = listing(&m);
	assert_string_equal(l, "ln l /etc/passwd\n");
	free(l);
	free(m.buf);
	/* missing */
	assert_int_equal(arc_copy_out(sfd, "nope", "nope", mem_out, &(struct membuf){0}, &err), -1);
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);
	close(sfd);
	close(wfd);
	close(dfd);
	tu_rmdir(d);
}

static int extract(const char *root, struct tb *t, const struct arc_copy_in_opts *o,
		   struct berth_error **err)
{
	char *buf;
	size_t len;
	tb_finish(t, &buf, &len);
	struct memin m = {buf, len, 0};
	int r = arc_copy_in(mem_in, &m, root, o, NULL, err);
	free(buf);
	return r;
}

static void test_in(void **state)
{
	(void)state;
	char *d = tu_mkdtemp();
	char p[512];
	struct berth_error *err = NULL;
	struct tb *t = tb_new("gzip");
	tb_dir(t, "dir");
	tb_file(t, "dir/a.txt", "aaa");
	tb_file(t, ".wh.b", "literal");
	struct tb_attr own = {.uid = 1234, .gid = 5678};
	tb_add(t, "owned", AE_IFREG, "x", NULL, &own);
	assert_int_equal(extract(d, t, NULL, &err), 0);
	snprintf(p, sizeof(p), "%s/dir/a.txt", d);
	char *s = tu_read(p);
	assert_string_equal(s, "aaa");
	free(s);
	snprintf(p, sizeof(p), "%s/.wh.b", d);
	s = tu_read(p);
	assert_string_equal(s, "literal");
	free(s);
	struct stat st;
	snprintf(p, sizeof(p), "%s/owned", d);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_uid, 1234);
	assert_int_equal(st.st_gid, 5678);

	/* the owner override (copyUIDGID) */
	t = tb_new("none");
	tb_add(t, "owned2", AE_IFREG, "x", NULL, &own);
	struct arc_copy_in_opts o = {.uid = 7, .gid = 8};
	assert_int_equal(extract(d, t, &o, &err), 0);
	snprintf(p, sizeof(p), "%s/owned2", d);
	assert_int_equal(lstat(p, &st), 0);
	assert_int_equal(st.st_uid, 7);
	assert_int_equal(st.st_gid, 8);

	/* noOverwriteDirNonDir: both ways refused, allowed without it */
	o = (struct arc_copy_in_opts){.no_overwrite_dir_nondir = true, .uid = -1, .gid = -1};
	t = tb_new("none");
	tb_file(t, "dir", "not a dir");
	assert_int_equal(extract(d, t, &o, &err), -1);
	assert_int_equal(err->code, EISDIR);
	assert_non_null(strstr(err->msg, "cannot overwrite directory"));
	berth_error_free(&err);
	t = tb_new("none");
	tb_dir(t, "owned");
	assert_int_equal(extract(d, t, &o, &err), -1);
	assert_int_equal(err->code, ENOTDIR);
	berth_error_free(&err);
	t = tb_new("none");
	tb_dir(t, "dir");
	tb_file(t, "dir/c", "c");
	assert_int_equal(extract(d, t, &o, &err), 0);
	snprintf(p, sizeof(p), "%s/dir/a.txt", d);
	assert_int_equal(access(p, F_OK), 0); /* a directory over a directory merges */
	t = tb_new("none");
	tb_file(t, "owned", "replaced");
	o.no_overwrite_dir_nondir = false;
	assert_int_equal(extract(d, t, &o, &err), 0);
	tu_rmdir(d);
}

static void test_in_hostile(void **state)
{
	(void)state;
	char *top = tu_mkdtemp();
	char root[512], p[600];
	snprintf(root, sizeof(root), "%s/root", top);
	assert_int_equal(mkdir(root, 0755), 0);
	struct berth_error *err = NULL;

	static const char *const bad_names[] = {"../escape", "/abs", "a/../../escape", NULL};
	for (size_t i = 0; bad_names[i]; i++) {
		struct tb *t = tb_new("none");
		tb_file(t, bad_names[i], "evil");
		assert_int_equal(extract(root, t, NULL, &err), -1);
		assert_non_null(err);
		berth_error_free(&err);
	}
	/* a symlink to / (or ..) then a file through it: lands inside root */
	struct tb *t = tb_new("none");
	tb_symlink(t, "up", "..");
	tb_symlink(t, "abs", "/");
	tb_file(t, "up/escape1", "evil");
	tb_file(t, "abs/escape2", "evil");
	extract(root, t, NULL, &err);
	berth_error_free(&err);
	snprintf(p, sizeof(p), "%s/escape1", top);
	assert_int_equal(access(p, F_OK), -1);
	snprintf(p, sizeof(p), "%s/escape2", top);
	assert_int_equal(access(p, F_OK), -1);
	/* a hardlink to a file outside */
	snprintf(p, sizeof(p), "%s/secret", top);
	tu_write(p, "secret");
	t = tb_new("none");
	tb_hardlink(t, "hl", "../secret");
	assert_int_equal(extract(root, t, NULL, &err), -1);
	berth_error_free(&err);
	/* not a tar */
	struct memin m = {"this is not a tar archive at all, not even close......", 56, 0};
	char junk[2048];
	memset(junk, 'x', sizeof(junk));
	m = (struct memin){junk, sizeof(junk), 0};
	assert_int_equal(arc_copy_in(mem_in, &m, root, NULL, NULL, &err), -1);
	assert_non_null(err);
	berth_error_free(&err);
	/* an empty stream is an archive of no entries (dockerd's untar) */
	m = (struct memin){junk, 0, 0};
	size_t entries = 99;
	assert_int_equal(arc_copy_in(mem_in, &m, root, NULL, &entries, &err), 0);
	assert_null(err);
	assert_int_equal(entries, 0);
	/* nothing outside root changed: only root and secret there */
	int n = 0;
	DIR *dd = opendir(top);
	struct dirent *de;
	while ((de = readdir(dd)) != NULL)
		n += de->d_name[0] != '.';
	closedir(dd);
	assert_int_equal(n, 2);
	tu_rmdir(top);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_out),
	    cmocka_unit_test(test_in),
	    cmocka_unit_test(test_in_hostile),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
