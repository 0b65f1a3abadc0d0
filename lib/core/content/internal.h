/* Shared by the content store's files; not part of its interface. */
#ifndef BERTH_CORE_CONTENT_INTERNAL_H
#define BERTH_CORE_CONTENT_INTERNAL_H

#include "core/content/content.h"

struct content_store {
	char *root;    /* <root>/content */
	int blobs_fd;  /* <root>/content/blobs/sha256 */
	int ingest_fd; /* <root>/content/ingest */
};

/* Wall clock in ns since the epoch. */
int64_t content_now(void);
/* Parse a digest argument, wrapping the error with the operation's name. */
int content_digest_arg(const char *digest, const char *op, struct content_digest *out,
		       struct berth_error **err);
/* Read the status JSON of an ingest directory (dirfd) into st (offset as
 * recorded; callers replace it with the size of the data). */
int content_status_read(int dirfd, const char *ref, struct content_status *st,
			struct berth_error **err);
int content_status_write(int dirfd, const struct content_status *st, bool durable,
			 struct berth_error **err);
/* Remove <ingest>/<ref> and its files. */
int content_ingest_remove(struct content_store *cs, const char *ref, struct berth_error **err);
/* Lock <ingest>/<ref> (flock on the directory, held as long as *dirfd is
 * open) and open its data file into *datafd (unless datafd is NULL),
 * retrying if the ingest was removed or replaced meanwhile; create makes
 * the directory and data if needed. EBUSY when held, ENOENT when absent and
 * !create. */
int content_ingest_lock(struct content_store *cs, const char *ref, bool create, int *dirfd,
			int *datafd, struct berth_error **err);

#endif
