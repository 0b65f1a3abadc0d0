/* Ingest directories: refs, the status file, locking, listing, removal. */
#include "core/content/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define REF_MAX 255

bool content_ref_valid(const char *ref)
{
	if (ref == NULL || ref[0] == '\0' || ref[0] == '.')
		return false;
	size_t n = 0;
	for (const char *p = ref; *p; p++, n++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			  (c >= '0' && c <= '9') || strchr("_.:@+=-", c) != NULL;
		if (!ok || n >= REF_MAX)
			return false;
	}
	return true;
}

void content_status_free(struct content_status *st)
{
	if (st == NULL)
		return;
	free(st->ref);
	free(st->expected);
	st->ref = st->expected = NULL;
}

/* Lenient: a missing or damaged status file (a crash between creating the
 * ingest and writing it) leaves the defaults; the data is what counts. */
int content_status_read(int dirfd, const char *ref, struct content_status *st,
			struct berth_error **err)
{
	*st = (struct content_status){.ref = xstrdup(ref), .total = -1};
	struct stat sb;
	if (fstatat(dirfd, "data", &sb, AT_SYMLINK_NOFOLLOW) < 0) {
		berth_error_errno(err, "ingest %s: data", ref);
		content_status_free(st);
		return -1;
	}
	st->offset = sb.st_size;
	st->started = st->updated = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec;
	cleanup_free char *text = NULL;
	if (fs_read_file_at(dirfd, "status", &text, NULL, NULL) < 0)
		return 0;
	cleanup_json json_t *j = json_loads(text, 0, NULL);
	if (!json_is_object(j))
		return 0;
	int64_t v;
	if (bjson_as_int64(json_object_get(j, "total"), &v) && v >= -1)
		st->total = v;
	if (bjson_as_int64(json_object_get(j, "started"), &v))
		st->started = v;
	if (bjson_as_int64(json_object_get(j, "updated"), &v))
		st->updated = v;
	const char *e = json_string_value(json_object_get(j, "expected"));
	if (e && content_digest_valid(e))
		st->expected = xstrdup(e);
	return 0;
}

int content_status_write(int dirfd, const struct content_status *st, bool durable,
			 struct berth_error **err)
{
	cleanup_json json_t *j = json_object();
	json_object_set_new(j, "ref", json_string(st->ref));
	json_object_set_new(j, "total", json_integer(st->total));
	json_object_set_new(j, "expected", st->expected ? json_string(st->expected) : json_null());
	json_object_set_new(j, "offset", json_integer(st->offset));
	json_object_set_new(j, "started", json_integer(st->started));
	json_object_set_new(j, "updated", json_integer(st->updated));
	cleanup_free char *text = json_dumps(j, JSON_COMPACT);
	if (text == NULL)
		abort();
	if (fs_write_file_atomic(dirfd, "status", text, strlen(text), 0600, durable, err) < 0)
		return berth_error_wrap(err, "ingest %s: status", st->ref);
	return 0;
}

static bool same_file(int dirfd, const char *name, int fd)
{
	struct stat a, b;
	return fstat(fd, &a) == 0 && fstatat(dirfd, name, &b, AT_SYMLINK_NOFOLLOW) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int content_ingest_lock(struct content_store *cs, const char *ref, bool create, int *dirfd,
			int *datafd, struct berth_error **err)
{
	/* The lock is a flock on the ingest directory, which every remover
	 * (commit, abort) holds while it empties and removes it. After we get
	 * it, the path either still names our directory or the ingest is gone
	 * and we start again (bounded: each retry means another writer made
	 * progress). */
	for (int attempt = 0; attempt < 100; attempt++) {
		if (create && mkdirat(cs->ingest_fd, ref, 0700) < 0 && errno != EEXIST)
			return berth_error_errno(err, "ingest %s: create %s/ingest/%s", ref,
						 cs->root, ref);
		cleanup_close int d =
		    openat(cs->ingest_fd, ref, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (d < 0 && errno == ENOENT && create)
			continue;
		if (d < 0)
			return berth_error_errno(err, "ingest %s", ref);
		int r;
		while ((r = flock(d, LOCK_EX | LOCK_NB)) < 0 && errno == EINTR)
			;
		if (r < 0 && errno == EWOULDBLOCK)
			return berth_error_set(err, EBUSY, "ingest %s: locked by another writer",
					       ref);
		if (r < 0)
			return berth_error_errno(err, "ingest %s: lock", ref);
		if (!same_file(cs->ingest_fd, ref, d)) {
			if (!create)
				return berth_error_set(err, ENOENT, "ingest %s: removed meanwhile",
						       ref);
			continue;
		}
		if (datafd) {
			int flags = O_RDWR | O_CLOEXEC | O_NOFOLLOW | (create ? O_CREAT : 0);
			*datafd = openat(d, "data", flags, 0600);
			if (*datafd < 0)
				return berth_error_errno(err, "ingest %s: open data", ref);
		}
		*dirfd = steal_fd(d);
		return 0;
	}
	return berth_error_set(err, EBUSY, "ingest %s: keeps being removed by other writers", ref);
}

int content_ingest_remove(struct content_store *cs, const char *ref, struct berth_error **err)
{
	cleanup_close int d =
	    openat(cs->ingest_fd, ref, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0)
		return errno == ENOENT ? 0 : berth_error_errno(err, "remove ingest %s", ref);
	static const char *const files[] = {"status", ".status.tmp", "data"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		if (unlinkat(d, files[i], 0) < 0 && errno != ENOENT)
			return berth_error_errno(err, "remove ingest %s: %s", ref, files[i]);
	/* ENOTEMPTY: a new writer already started the ref again. */
	if (unlinkat(cs->ingest_fd, ref, AT_REMOVEDIR) < 0 && errno != ENOENT && errno != ENOTEMPTY)
		return berth_error_errno(err, "remove ingest %s", ref);
	return 0;
}

int content_ingest_status(struct content_store *cs, const char *ref, struct content_status *out,
			  struct berth_error **err)
{
	if (!content_ref_valid(ref))
		return berth_error_set(err, EINVAL, "ingest status: invalid ref \"%.300s\"",
				       ref ? ref : "");
	cleanup_close int d =
	    openat(cs->ingest_fd, ref, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (d < 0)
		return berth_error_errno(err, "ingest %s", ref);
	return content_status_read(d, ref, out, err);
}

int content_ingest_walk(struct content_store *cs, content_ingest_fn fn, void *data,
			struct berth_error **err)
{
	int dfd = openat(cs->ingest_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "walk ingests: open %s/ingest", cs->root);
	cleanup_closedir DIR *dir = fdopendir(dfd);
	if (dir == NULL) {
		close(dfd);
		return berth_error_errno(err, "walk ingests: open %s/ingest", cs->root);
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		if (!content_ref_valid(de->d_name))
			continue;
		struct content_status st;
		struct berth_error *e = NULL;
		if (content_ingest_status(cs, de->d_name, &st, &e) < 0) {
			int code = e->code;
			if (code == ENOENT ||
			    code == ENOTDIR) { /* removed meanwhile, or a stray file */
				berth_error_free(&e);
				continue;
			}
			berth_error_set(err, code, "walk ingests: %s", e->msg);
			berth_error_free(&e);
			return -1;
		}
		int r = fn(&st, data, err);
		content_status_free(&st);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (errno != 0)
		return berth_error_errno(err, "walk ingests: read %s/ingest", cs->root);
	return 0;
}

int content_abort(struct content_store *cs, const char *ref, struct berth_error **err)
{
	if (!content_ref_valid(ref))
		return berth_error_set(err, EINVAL, "abort ingest: invalid ref \"%.300s\"",
				       ref ? ref : "");
	cleanup_close int d = -1;
	if (content_ingest_lock(cs, ref, false, &d, NULL, err) < 0)
		return berth_error_wrap(err, "abort");
	return content_ingest_remove(cs, ref, err);
}
