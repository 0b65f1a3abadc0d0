/* Content store: opening, and the committed blobs (info, read, delete, walk,
 * usage). Writers and ingests are in writer.c and ingest.c. */
#include "core/content/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t content_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int open_dir(const char *path, int *fd, struct berth_error **err)
{
	if (fs_mkdir_p(path, 0700, err) < 0)
		return berth_error_wrap(err, "content store");
	*fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd < 0)
		return berth_error_errno(err, "content store: open %s", path);
	return 0;
}

int content_store_open(const char *root, struct content_store **out, struct berth_error **err)
{
	if (root == NULL || *root == '\0')
		return berth_error_set(err, EINVAL, "content store: empty root directory");
	struct content_store *cs = xcalloc(1, sizeof(*cs));
	cs->blobs_fd = cs->ingest_fd = -1;
	cs->root = xasprintf("%s/content", root);
	cleanup_free char *blobs = xasprintf("%s/blobs/" CONTENT_DIGEST_ALGO, cs->root);
	cleanup_free char *ingest = xasprintf("%s/ingest", cs->root);
	if (open_dir(blobs, &cs->blobs_fd, err) < 0 || open_dir(ingest, &cs->ingest_fd, err) < 0) {
		content_store_close(cs);
		return -1;
	}
	*out = cs;
	return 0;
}

void content_store_close(struct content_store *cs)
{
	if (cs == NULL)
		return;
	if (cs->blobs_fd >= 0)
		close(cs->blobs_fd);
	if (cs->ingest_fd >= 0)
		close(cs->ingest_fd);
	free(cs->root);
	free(cs);
}

static void info_from_stat(const struct content_digest *d, const struct stat *st,
			   struct content_info *out)
{
	out->digest = *d;
	out->size = st->st_size;
	out->created = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
}

int content_info(struct content_store *cs, const char *digest, struct content_info *out,
		 struct berth_error **err)
{
	struct content_digest d;
	if (content_digest_arg(digest, "content info", &d, err) < 0)
		return -1;
	struct stat st;
	if (fstatat(cs->blobs_fd, content_digest_hex(&d), &st, AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "content %s", d.s);
	if (!S_ISREG(st.st_mode))
		return berth_error_set(err, EIO, "content %s: not a regular file", d.s);
	info_from_stat(&d, &st, out);
	return 0;
}

bool content_exists(struct content_store *cs, const char *digest)
{
	struct content_info info;
	return content_info(cs, digest, &info, NULL) == 0;
}

int content_open(struct content_store *cs, const char *digest, int64_t offset, int *fd,
		 int64_t *size, struct berth_error **err)
{
	struct content_digest d;
	if (content_digest_arg(digest, "open content", &d, err) < 0)
		return -1;
	cleanup_close int f =
	    openat(cs->blobs_fd, content_digest_hex(&d), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f < 0)
		return berth_error_errno(err, "content %s", d.s);
	struct stat st;
	if (fstat(f, &st) < 0)
		return berth_error_errno(err, "content %s: stat", d.s);
	if (!S_ISREG(st.st_mode))
		return berth_error_set(err, EIO, "content %s: not a regular file", d.s);
	if (offset < 0 || offset > st.st_size)
		return berth_error_set(err, EINVAL, "content %s: offset %lld outside 0..%lld", d.s,
				       (long long)offset, (long long)st.st_size);
	if (offset > 0 && lseek(f, offset, SEEK_SET) < 0)
		return berth_error_errno(err, "content %s: seek to %lld", d.s, (long long)offset);
	if (size)
		*size = st.st_size;
	*fd = steal_fd(f);
	return 0;
}

int content_read_at(struct content_store *cs, const char *digest, void *buf, size_t len,
		    int64_t offset, size_t *n, struct berth_error **err)
{
	cleanup_close int fd = -1;
	if (content_open(cs, digest, offset, &fd, NULL, err) < 0)
		return -1;
	ssize_t r = fs_read_all(fd, buf, len);
	if (r < 0)
		return berth_error_errno(err, "content %s: read", digest);
	*n = (size_t)r;
	return 0;
}

int content_read_all(struct content_store *cs, const char *digest, size_t max, char **out,
		     size_t *len, struct berth_error **err)
{
	cleanup_close int fd = -1;
	int64_t size = 0;
	if (content_open(cs, digest, 0, &fd, &size, err) < 0)
		return -1;
	if ((uint64_t)size > max)
		return berth_error_set(err, EFBIG,
				       "content %s: %lld bytes, more than the %zu allowed", digest,
				       (long long)size, max);
	cleanup_free char *buf = xmalloc((size_t)size + 1);
	ssize_t r = fs_read_all(fd, buf, (size_t)size);
	if (r < 0)
		return berth_error_errno(err, "content %s: read", digest);
	if (r != size)
		return berth_error_set(err, EIO, "content %s: short read (%zd of %lld bytes)",
				       digest, r, (long long)size);
	buf[size] = '\0';
	if (len)
		*len = (size_t)size;
	*out = steal_ptr(buf);
	return 0;
}

int content_delete(struct content_store *cs, const char *digest, struct berth_error **err)
{
	struct content_digest d;
	if (content_digest_arg(digest, "delete content", &d, err) < 0)
		return -1;
	if (unlinkat(cs->blobs_fd, content_digest_hex(&d), 0) < 0)
		return berth_error_errno(err, "delete content %s", d.s);
	return 0;
}

/* Each valid blob of blobs/sha256 (other names, such as leftovers of a
 * foreign tool, are skipped). */
int content_walk(struct content_store *cs, content_walk_fn fn, void *data, struct berth_error **err)
{
	int dfd = openat(cs->blobs_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "walk content: open %s/blobs", cs->root);
	cleanup_closedir DIR *dir = fdopendir(dfd);
	if (dir == NULL) {
		close(dfd);
		return berth_error_errno(err, "walk content: open %s/blobs", cs->root);
	}
	struct dirent *de;
	while ((errno = 0, de = readdir(dir)) != NULL) {
		struct content_digest d;
		cleanup_free char *name = xasprintf(CONTENT_DIGEST_ALGO ":%s", de->d_name);
		if (content_digest_parse(name, &d, NULL) < 0)
			continue;
		struct stat st;
		if (fstatat(cs->blobs_fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT) /* deleted meanwhile */
				continue;
			return berth_error_errno(err, "walk content: stat %s", d.s);
		}
		if (!S_ISREG(st.st_mode))
			continue;
		struct content_info info;
		info_from_stat(&d, &st, &info);
		int r = fn(&info, data, err);
		if (r != 0)
			return r < 0 ? -1 : 0;
	}
	if (errno != 0)
		return berth_error_errno(err, "walk content: read %s/blobs", cs->root);
	return 0;
}

static int add_blob(const struct content_info *info, void *data, struct berth_error **err)
{
	(void)err;
	struct content_usage *u = data;
	u->blobs++;
	u->size += info->size;
	return 0;
}

static int add_ingest(const struct content_status *st, void *data, struct berth_error **err)
{
	(void)err;
	struct content_usage *u = data;
	u->ingests++;
	u->ingest_size += st->offset;
	return 0;
}

int content_usage(struct content_store *cs, struct content_usage *out, struct berth_error **err)
{
	struct content_usage u = {0};
	if (content_walk(cs, add_blob, &u, err) < 0 ||
	    content_ingest_walk(cs, add_ingest, &u, err) < 0)
		return berth_error_wrap(err, "content usage");
	*out = u;
	return 0;
}
