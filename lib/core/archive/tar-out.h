/* What the two tar writers (write.c: layers, copy.c: docker cp and export)
 * share: a directory's entries in order, the hard-link table, an entry from
 * a stat, and a header with its data from an fd. */
#ifndef BERTH_CORE_ARCHIVE_TAR_OUT_H
#define BERTH_CORE_ARCHIVE_TAR_OUT_H

#include "common/error.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

/* The names in dirfd (not "." and ".."), sorted, NULL-terminated, in
 * *names (free with strv_free or cleanup_strv); `what` names the directory
 * in an error ("" for "."). */
int tarout_sorted_names(int dirfd, const char *what, char ***names, size_t *n,
			struct berth_error **err);

/* Inodes with several links already written (linear: trees have few). */
struct tarout_links {
	struct tarout_link *v;
	size_t n;
};
/* The name the inode of st was first written as, or NULL (then it is
 * recorded as `name`): for entries that are not directories with st_nlink > 1. */
const char *tarout_link_seen(struct tarout_links *l, const struct stat *st, const char *name);
void tarout_links_free(struct tarout_links *l);

/* A new entry for st named `path`, without atime, ctime or birthtime. */
struct archive_entry *tarout_entry(const struct stat *st, const char *path);
/* Set e's symlink target from dirfd/name (st_size bytes); `rel` names it in
 * an error. */
int tarout_symlink(struct archive_entry *e, int dirfd, const char *name, off_t size,
		   const char *rel, struct berth_error **err);

/* Write e's header and then fd's contents (fd < 0: none) to tar. Returns 0;
 * -1 with *err set when reading fd failed; -2 when tar failed, with *what
 * saying at which step ("write header of", "write data of"), for the
 * caller to name (its output callback may hold the cause). */
int tarout_put(struct archive *tar, struct archive_entry *e, int fd, const char *rel,
	       const char **what, struct berth_error **err);

#endif
