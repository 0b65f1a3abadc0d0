/* Image layers as tar streams (libarchive): unpack a layer into a directory
 * safely, computing its diffID; write a directory as a layer.
 *
 * The prefix is arc_ because libarchive owns archive_. See docs/core.md. */
#ifndef BERTH_CORE_ARCHIVE_ARCHIVE_H
#define BERTH_CORE_ARCHIVE_ARCHIVE_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* "sha256:" + 64 hex digits + NUL */
#define ARC_DIGEST_LEN 72

enum arc_whiteouts {
	/* For an overlay upper dir: .wh.name -> char device 0:0 "name";
	 * .wh..wh..opq -> xattr trusted.overlay.opaque=y on its directory. */
	ARC_WHITEOUT_OVERLAY = 0,
	/* For a full tree (native snapshotter): .wh.name deletes "name";
	 * .wh..wh..opq empties its directory of what this layer did not create. */
	ARC_WHITEOUT_APPLY = 1,
};

struct arc_unpack_opts {
	enum arc_whiteouts whiteouts;
	bool no_chown; /* keep the caller as owner of everything (rootless) */
};

struct arc_unpack_result {
	char diff_id[ARC_DIGEST_LEN]; /* sha256 of the uncompressed stream */
	uint64_t uncompressed_size;
	uint64_t entries;
};

/* Unpack the layer read from fd (gzip, zstd, xz, bzip2 or plain tar,
 * detected) into the existing directory root. No entry can create, change or
 * follow anything outside root: absolute names and names that climb out with
 * ".." are errors naming the entry; symlinks met on the way (from this layer
 * or lower ones) are resolved as if root were "/" (openat2 RESOLVE_IN_ROOT),
 * and the last component of a name is never followed. On error root may hold
 * part of the layer (the caller removes the snapshot). */
int arc_unpack_fd(int fd, const char *root, const struct arc_unpack_opts *opts,
		  struct arc_unpack_result *res, struct berth_error **err);
int arc_unpack_mem(const void *buf, size_t len, const char *root,
		   const struct arc_unpack_opts *opts, struct arc_unpack_result *res,
		   struct berth_error **err);

enum arc_compression { ARC_COMPRESS_GZIP = 0, ARC_COMPRESS_NONE, ARC_COMPRESS_ZSTD };

struct arc_write_opts {
	enum arc_compression compression;
	/* dir is an overlay upper dir: char devices 0:0 become .wh.name entries
	 * and trusted.overlay.opaque=y dirs get a .wh..wh..opq entry. */
	bool overlay_whiteouts;
};

struct arc_write_result {
	char diff_id[ARC_DIGEST_LEN]; /* sha256 of the tar */
	char digest[ARC_DIGEST_LEN];  /* sha256 of what was written to fd */
	uint64_t size;		      /* bytes written to fd */
	uint64_t uncompressed_size;
};

/* Write the tree at dir as a tar layer to out_fd: entries sorted by name,
 * relative paths, pax headers where ustar is not enough (long names, xattrs),
 * hardlinks as hardlinks, no gzip timestamp (the same tree gives the same
 * bytes). */
int arc_write_dir(const char *dir, int out_fd, const struct arc_write_opts *opts,
		  struct arc_write_result *res, struct berth_error **err);

#endif
