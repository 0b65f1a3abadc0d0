/* The forward reader of a json-file log and its follow mode: the rotated
 * files oldest first from where tail N begins, filters, then (follow) inotify
 * on the log's directory until the writer is done; a rotation (<path> renamed
 * to <path>.1, a new <path>) is seen as <path> naming another inode: the open
 * file is read to its end, then the new one from its start. */
#include "engine/logs/logs.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* how long a follow sleeps between checks of the writer when nothing moves */
#define FOLLOW_POLL_MS 250

struct reader {
	int fd;
	dev_t dev;
	ino_t ino;
	char *buf;
	size_t cap, start, end;
	bool skipping; /* inside a line longer than LOGS_LINE_MAX */
};

struct ctx {
	const struct logs_options *o;
	logs_emit_fn emit;
	void *arg;
	struct logs_stats *st;
	bool done; /* until passed or the consumer stopped */
};

static void reader_close(struct reader *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->start = r->end = 0;
	r->skipping = false;
}

/* open path at off; 1 when it does not exist */
static int reader_open(struct reader *r, const char *path, off_t off, struct berth_error **err)
{
	reader_close(r);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return 1;
	if (fd < 0)
		return berth_error_errno(err, "open of the log %s", path);
	struct stat st;
	if (fstat(fd, &st) < 0) {
		close(fd);
		return berth_error_errno(err, "fstat of the log %s", path);
	}
	if (off > 0 && lseek(fd, off, SEEK_SET) < 0) {
		close(fd);
		return berth_error_errno(err, "seek in the log %s", path);
	}
	r->fd = fd;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	return 0;
}

static void line(struct ctx *c, const char *s, size_t len)
{
	struct logs_entry e;
	if (logs_parse_line(s, len, &e) < 0) {
		c->st->bad_lines++;
		return;
	}
	const struct logs_options *o = c->o;
	if (o->until_ns != 0 && e.time_ns > o->until_ns) {
		c->done = true;
	} else if ((e.stream == LOGS_STDOUT ? o->want_stdout : o->want_stderr) &&
		   (o->since_ns == 0 || e.time_ns >= o->since_ns)) {
		c->st->lines++;
		if (c->emit(&e, c->arg) < 0)
			c->done = true;
	}
	logs_entry_clear(&e);
}

/* Emit the complete lines now in the file; 0 at its current end. */
static int reader_drain(struct reader *r, struct ctx *c, struct berth_error **err)
{
	while (!c->done) {
		/* complete lines in the buffer */
		char *nl;
		while (!c->done && r->start < r->end &&
		       (nl = memchr(r->buf + r->start, '\n', r->end - r->start)) != NULL) {
			size_t len = (size_t)(nl - (r->buf + r->start));
			if (r->skipping)
				r->skipping = false;
			else
				line(c, r->buf + r->start, len);
			r->start += len + 1;
		}
		if (c->done)
			break;
		if (r->skipping) {
			r->start = r->end = 0;
		} else if (r->end - r->start >= LOGS_LINE_MAX) {
			c->st->bad_lines++;
			r->skipping = true;
			r->start = r->end = 0;
		}
		if (r->start > 0) {
			memmove(r->buf, r->buf + r->start, r->end - r->start);
			r->end -= r->start;
			r->start = 0;
		}
		if (r->cap - r->end < 16384) {
			r->cap = r->cap ? r->cap * 2 : 65536;
			r->buf = xrealloc(r->buf, r->cap);
		}
		ssize_t n = read(r->fd, r->buf + r->end, r->cap - r->end);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return berth_error_errno(err, "reading the log");
		if (n == 0)
			return 0;
		r->end += (size_t)n;
	}
	return 0;
}

/* A partial line left at the end of a file that will not grow any more. */
static void reader_finish(struct reader *r, struct ctx *c)
{
	if (r->end > r->start && !r->skipping)
		c->st->bad_lines++;
	r->start = r->end = 0;
	r->skipping = false;
}

/* Where tail N begins: the index in files and the offset in it. */
static int tail_start(char **files, size_t nfiles, long long tail, size_t *fi, off_t *off,
		      struct berth_error **err)
{
	*fi = 0;
	*off = 0;
	if (tail < 0)
		return 0;
	long long left = tail;
	for (size_t i = nfiles; i > 0; i--) {
		cleanup_close int fd = open(files[i - 1], O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return berth_error_errno(err, "open of the log %s", files[i - 1]);
		long long found = 0;
		if (logs_tail_offset(fd, left, off, &found, err) < 0)
			return berth_error_wrap(err, "%s", files[i - 1]);
		*fi = i - 1;
		left -= found;
		if (left <= 0)
			break;
		if (i - 1 > 0)
			*off = 0; /* this whole file, and more from the older one */
	}
	return 0;
}

static bool same_file(const char *p, dev_t dev, ino_t ino)
{
	struct stat st;
	return stat(p, &st) == 0 && st.st_ino == ino && st.st_dev == dev;
}

/* index of the file (dev, ino) in files, n when absent */
static size_t chain_index(char **files, size_t n, dev_t dev, ino_t ino)
{
	for (size_t i = 0; i < n; i++)
		if (same_file(files[i], dev, ino))
			return i;
	return n;
}

/* r was read to its end: move it to the file after it in the chain
 * (<path>.N ... <path>.1, <path>), found by r's inode whatever its number is
 * now. A rotation while the next file is opened is seen in a second listing
 * (the opened file must come right after r's there) and the choice is made
 * again. 1: r's file is <path> (the end for now), or what comes next does not
 * exist yet. */
static int advance(const char *path, struct reader *r, struct ctx *c, struct berth_error **err)
{
	int missing = 0;
	for (int tries = 0; tries < 100; tries++) {
		cleanup_strv char **files = logs_files(path);
		size_t n = 0;
		while (files[n])
			n++;
		size_t mine = chain_index(files, n, r->dev, r->ino);
		if (mine == n - 1)
			return 1;
		/* not seen: a listing taken during a rename can miss it; gone
		 * only when several listings agree */
		if (mine == n && ++missing < 5) {
			struct timespec ts = {0, 1000000};
			nanosleep(&ts, NULL);
			continue;
		}
		/* r's file is gone (past max-file): the oldest one left */
		size_t next = mine == n ? 0 : mine + 1;
		int fd = open(files[next], O_RDONLY | O_CLOEXEC);
		if (fd < 0 && errno == ENOENT && next == n - 1)
			return 1; /* <path> not created yet */
		if (fd < 0 && errno == ENOENT)
			continue;
		if (fd < 0)
			return berth_error_errno(err, "open of the log %s", files[next]);
		struct stat st;
		if (fstat(fd, &st) < 0) {
			close(fd);
			return berth_error_errno(err, "fstat of the log %s", files[next]);
		}
		if (mine < n) {
			cleanup_strv char **again = logs_files(path);
			size_t m = 0;
			while (again[m])
				m++;
			size_t i = chain_index(again, m, r->dev, r->ino);
			if (i + 1 >= m || !same_file(again[i + 1], st.st_dev, st.st_ino)) {
				close(fd);
				continue;
			}
		}
		reader_finish(r, c);
		close(r->fd);
		r->fd = fd;
		r->ino = st.st_ino;
		r->dev = st.st_dev;
		return 0;
	}
	return 1;
}

/* follow: watch the directory, read what comes, switch files on rotation */
static int follow(const char *path, struct reader *r, struct ctx *c, logs_live_fn live,
		  struct berth_error **err)
{
	cleanup_free char *dir_buf = xstrdup(path);
	const char *dir = dirname(dir_buf);
	/* without inotify (fs.inotify.max_user_instances reached, say) the
	 * follow polls every FOLLOW_POLL_MS instead */
	cleanup_close int ino = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ino >= 0 && inotify_add_watch(ino, dir,
					  IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM |
					      IN_DELETE | IN_CLOSE_WRITE) < 0) {
		close(ino);
		ino = -1;
	}
	bool final = false;
	for (;;) {
		if (r->fd >= 0 && reader_drain(r, c, err) < 0)
			return -1;
		if (c->done)
			return 0;
		/* rotated (or created): read the new file from its start */
		struct stat st;
		if (r->fd < 0 && stat(path, &st) == 0) {
			int rc = reader_open(r, path, 0, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
		} else if (r->fd >= 0 && stat(path, &st) == 0 &&
			   (st.st_ino != r->ino || st.st_dev != r->dev)) {
			int rc = advance(path, r, c, err);
			if (rc < 0)
				return -1;
			if (rc == 0)
				continue;
		}
		if (final)
			return 0;
		int l = live(c->arg);
		if (l < 0)
			return 0;
		if (l == 0) {
			final = true;
			continue;
		}
		struct pollfd pfd = {.fd = ino, .events = POLLIN};
		int pr = poll(&pfd, ino >= 0 ? 1 : 0, FOLLOW_POLL_MS);
		if (pr < 0 && errno != EINTR)
			return berth_error_errno(err, "poll of the log's inotify");
		if (pr > 0) {
			char ev[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
			while (read(ino, ev, sizeof(ev)) > 0)
				;
		}
	}
}

int logs_read(const char *path, const struct logs_options *o, logs_emit_fn emit, logs_live_fn live,
	      void *arg, struct logs_stats *st, struct berth_error **err)
{
	struct logs_stats dummy = {0};
	if (st == NULL)
		st = &dummy;
	struct ctx c = {.o = o, .emit = emit, .arg = arg, .st = st};
	cleanup_strv char **files = logs_files(path);
	size_t nfiles = 0;
	while (files[nfiles])
		nfiles++;
	size_t fi = 0;
	off_t off = 0;
	if (tail_start(files, nfiles, o->tail, &fi, &off, err) < 0)
		return -1;
	struct reader r = {.fd = -1};
	int rc = 0;
	/* the first file that exists from where tail begins, then the chain by
	 * inode (files rotated meanwhile are neither skipped nor read twice) */
	for (size_t i = fi; i < nfiles; i++) {
		rc = reader_open(&r, files[i], i == fi ? off : 0, err);
		if (rc <= 0)
			break;
		rc = 0;
	}
	while (rc == 0 && r.fd >= 0 && !c.done) {
		if (reader_drain(&r, &c, err) < 0) {
			rc = -1;
			break;
		}
		if (c.done)
			break;
		int arc = advance(path, &r, &c, err);
		if (arc < 0)
			rc = -1;
		if (arc != 0)
			break;
	}
	if (rc == 0 && !c.done && o->follow && live != NULL)
		rc = follow(path, &r, &c, live, err);
	else if (rc == 0 && !c.done)
		reader_finish(&r, &c);
	reader_close(&r);
	free(r.buf);
	return rc < 0 ? -1 : 0;
}
