/* Content store: blobs addressed by their sha256 digest (see docs/core.md).
 *
 * Layout under the store's root (berthd's --root):
 *   content/blobs/sha256/<hex>      committed blobs, read-only (0444)
 *   content/ingest/<ref>/data       bytes written so far
 *   content/ingest/<ref>/status     JSON: ref, total, expected, offset, started, updated
 *
 * Writes go to an ingest named by a caller-chosen ref ("layer-sha256:..."),
 * are verified (size and digest) and only then renamed into blobs/, so a blob
 * is either absent or complete and correct. An ingest that was interrupted
 * (crash, lost connection) is resumed by opening a writer with the same ref:
 * it continues at the end of the data on disk, the running hash recomputed
 * from that data. One writer per ref at a time (flock); a second gets EBUSY.
 *
 * Error codes (struct berth_error.code): ENOENT no such blob or ingest,
 * EBUSY ingest locked by another writer, EINVAL malformed digest or ref,
 * EBADMSG size or digest mismatch on commit, ENOTSUP unsupported digest
 * algorithm, other errno values from the file system. */
#ifndef BERTH_CORE_CONTENT_CONTENT_H
#define BERTH_CORE_CONTENT_CONTENT_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* ---- digests ---------------------------------------------------------- */

#define CONTENT_DIGEST_ALGO "sha256"
#define CONTENT_DIGEST_HEX_LEN 64
/* "sha256:" + 64 hex digits */
#define CONTENT_DIGEST_LEN (sizeof(CONTENT_DIGEST_ALGO) + CONTENT_DIGEST_HEX_LEN)

/* A validated digest, always "sha256:<64 lowercase hex>". */
struct content_digest {
	char s[CONTENT_DIGEST_LEN + 1];
};

/* Validate and copy: "sha256:" followed by exactly 64 lowercase hex digits.
 * Other well-formed algorithms (sha512:...) fail with ENOTSUP, anything else
 * with EINVAL; the message quotes the input. */
int content_digest_parse(const char *s, struct content_digest *out, struct berth_error **err);
bool content_digest_valid(const char *s);
/* The 64 hex digits (points into d). */
const char *content_digest_hex(const struct content_digest *d);
/* From 32 raw bytes of a sha256. */
void content_digest_from_raw(const unsigned char raw[32], struct content_digest *out);
/* sha256 of a buffer (OpenSSL EVP). */
void content_digest_buf(const void *data, size_t len, struct content_digest *out);
/* sha256 of the whole of fd from offset 0 (the fd's position is not used);
 * *size gets the number of bytes hashed if non-NULL. */
int content_digest_fd(int fd, struct content_digest *out, int64_t *size, struct berth_error **err);

/* ---- the store -------------------------------------------------------- */

struct content_store;

/* Open (creating content/blobs/sha256 and content/ingest under root). */
int content_store_open(const char *root, struct content_store **out, struct berth_error **err);
void content_store_close(struct content_store *cs);

struct content_info {
	struct content_digest digest;
	int64_t size;
	int64_t created; /* nanoseconds since the epoch (commit time) */
};

/* ENOENT when the blob is absent. */
int content_info(struct content_store *cs, const char *digest, struct content_info *out,
		 struct berth_error **err);
bool content_exists(struct content_store *cs, const char *digest);
/* Open a blob for reading, positioned at offset (0 <= offset <= size).
 * *size (if non-NULL) gets the blob's size. The caller closes *fd. */
int content_open(struct content_store *cs, const char *digest, int64_t offset, int *fd,
		 int64_t *size, struct berth_error **err);
/* Read at most len bytes at offset into buf; *n gets the count (short only
 * at the end of the blob). */
int content_read_at(struct content_store *cs, const char *digest, void *buf, size_t len,
		    int64_t offset, size_t *n, struct berth_error **err);
/* Read a whole blob into memory (NUL-terminated, for manifests and
 * configs); fails with EFBIG if it is larger than max bytes. */
int content_read_all(struct content_store *cs, const char *digest, size_t max, char **out,
		     size_t *len, struct berth_error **err);
/* ENOENT when absent. */
int content_delete(struct content_store *cs, const char *digest, struct berth_error **err);

/* Called once per blob; a negative return stops the walk and is returned
 * (with *err filled by the callback), a positive one stops it with 0. */
typedef int (*content_walk_fn)(const struct content_info *info, void *data,
			       struct berth_error **err);
int content_walk(struct content_store *cs, content_walk_fn fn, void *data,
		 struct berth_error **err);

struct content_usage {
	int64_t blobs;	     /* number of committed blobs */
	int64_t size;	     /* their total size in bytes */
	int64_t ingests;     /* number of ingests in progress */
	int64_t ingest_size; /* bytes held by them */
};
int content_usage(struct content_store *cs, struct content_usage *out, struct berth_error **err);

/* ---- ingests and writers ---------------------------------------------- */

/* A ref names an ingest directory: 1..255 characters of [A-Za-z0-9_.:@+=-],
 * not starting with '.' (so "..", "../x", "a/b" are rejected). */
bool content_ref_valid(const char *ref);

struct content_status {
	char *ref;
	int64_t offset;	 /* bytes in the ingest */
	int64_t total;	 /* expected size, -1 if unknown */
	char *expected;	 /* expected digest, NULL if unknown */
	int64_t started; /* ns since the epoch */
	int64_t updated; /* ns since the epoch */
};
void content_status_free(struct content_status *st); /* frees the members */

/* Status of an ingest (offset = bytes on disk). ENOENT if there is none. */
int content_ingest_status(struct content_store *cs, const char *ref, struct content_status *out,
			  struct berth_error **err);
typedef int (*content_ingest_fn)(const struct content_status *st, void *data,
				 struct berth_error **err);
int content_ingest_walk(struct content_store *cs, content_ingest_fn fn, void *data,
			struct berth_error **err);
/* Remove an ingest that no writer holds (EBUSY if one does, ENOENT if none). */
int content_abort(struct content_store *cs, const char *ref, struct berth_error **err);

struct content_writer;

/* Open the ingest `ref`, creating it or resuming it where its data ends.
 * total (-1 = unknown) and expected (NULL = unknown) are what the content
 * should be; commit checks them. Resuming with a total or expected digest
 * different from those the ingest was started with fails (EINVAL).
 * EBUSY when another writer holds the ref. */
int content_writer_open(struct content_store *cs, const char *ref, int64_t total,
			const char *expected, struct content_writer **out,
			struct berth_error **err);
/* Append; writing past a known total fails without writing (EFBIG). */
int content_writer_write(struct content_writer *w, const void *buf, size_t len,
			 struct berth_error **err);
int64_t content_writer_offset(const struct content_writer *w);
const char *content_writer_ref(const struct content_writer *w);
/* Digest of the bytes written so far. */
void content_writer_digest(const struct content_writer *w, struct content_digest *out);
/* Cut the ingest back to size bytes (0 restarts it); the hash is recomputed. */
int content_writer_truncate(struct content_writer *w, int64_t size, struct berth_error **err);
/* fsync the data and write the status file (also done by close). */
int content_writer_sync(struct content_writer *w, struct berth_error **err);

#define CONTENT_COMMITTED 0
#define CONTENT_ALREADY_EXISTS 1
/* Verify and commit: size (-1 = the total given at open, if any) and
 * expected digest (NULL = the one given at open, if any) must match the
 * data, else EBADMSG naming expected and actual, no blob, and the ingest
 * kept (truncate and rewrite, or abort). On success the data is fsynced and
 * renamed to blobs/sha256/<hex>, the ingest removed; returns
 * CONTENT_ALREADY_EXISTS (and drops the ingest) when the blob was already
 * there. *out (if non-NULL) gets the digest. The writer must still be closed. */
int content_writer_commit(struct content_writer *w, int64_t size, const char *expected,
			  struct content_digest *out, struct berth_error **err);
/* Remove the ingest; the writer must still be closed. */
int content_writer_abort(struct content_writer *w, struct berth_error **err);
/* Release the lock and free; saves the status of an uncommitted ingest so
 * that it can be resumed. NULL is allowed. */
void content_writer_close(struct content_writer *w);

#endif
