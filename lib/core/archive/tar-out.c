/* Helpers of the tar writers (tar-out.h). */
#include "core/archive/tar-out.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct tarout_link {
	dev_t dev;
	ino_t ino;
	char *name;
};

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int tarout_sorted_names(int dirfd, const char *what, char ***names, size_t *n,
			struct berth_error **err)
{
	*names = NULL;
	*n = 0;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return berth_error_errno(err, "open directory %s", what[0] ? what : ".");
	}
	cleanup_strv char **v = xcalloc(1, sizeof(*v));
	size_t count = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		v = xrealloc(v, (count + 2) * sizeof(*v));
		v[count++] = xstrdup(de->d_name);
		v[count] = NULL;
	}
	if (count)
		qsort(v, count, sizeof(*v), cmp_names);
	*names = steal_ptr(v);
	*n = count;
	return 0;
}

const char *tarout_link_seen(struct tarout_links *l, const struct stat *st, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].dev == st->st_dev && l->v[i].ino == st->st_ino)
			return l->v[i].name;
	l->v = xrealloc(l->v, (l->n + 1) * sizeof(*l->v));
	l->v[l->n++] = (struct tarout_link){st->st_dev, st->st_ino, xstrdup(name)};
	return NULL;
}

void tarout_links_free(struct tarout_links *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

struct archive_entry *tarout_entry(const struct stat *st, const char *path)
{
	struct archive_entry *e = archive_entry_new();
	if (e == NULL)
		abort();
	archive_entry_copy_stat(e, st);
	archive_entry_set_pathname(e, path);
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	return e;
}

int tarout_symlink(struct archive_entry *e, int dirfd, const char *name, off_t size,
		   const char *rel, struct berth_error **err)
{
	size_t cap = (size_t)size + 1;
	cleanup_free char *t = xmalloc(cap);
	ssize_t n = readlinkat(dirfd, name, t, cap);
	if (n < 0 || (size_t)n >= cap)
		return berth_error_errno(err, "readlink %s", rel);
	t[n] = '\0';
	archive_entry_copy_symlink(e, t);
	return 0;
}

int tarout_put(struct archive *tar, struct archive_entry *e, int fd, const char *rel,
	       const char **what, struct berth_error **err)
{
	*what = "write header of";
	if (archive_write_header(tar, e) != ARCHIVE_OK)
		return -2;
	if (fd < 0)
		return 0;
	*what = "write data of";
	char buf[65536];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_errno(err, "read %s", rel);
		if (n == 0)
			return 0;
		if (archive_write_data(tar, buf, (size_t)n) != n)
			return -2;
	}
}
