/* AUFS-style whiteouts of image layers (.wh.name, .wh..wh..opq), turned into
 * overlay's form (char device 0:0, trusted.overlay.opaque=y) or applied to a
 * full tree (deleting what they hide). */
#include "core/archive/unpack-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#define WH_PREFIX ".wh."
#define WH_META_PREFIX ".wh..wh."
#define WH_OPAQUE ".wh..wh..opq"

/* Remove from dir (clean path) everything this layer did not create. */
static int empty_dir(struct unpack *u, int dirfd, const char *dir, struct berth_error **err)
{
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	cleanup_closedir DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	if (d == NULL) {
		if (fd >= 0)
			close(fd);
		return berth_error_errno(err, "open %s", dir[0] ? dir : ".");
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		cleanup_free char *child =
		    dir[0] ? xasprintf("%s/%s", dir, de->d_name) : xstrdup(de->d_name);
		if (pathset_has(&u->created, child))
			continue;
		if (unpack_remove_at(dirfd, de->d_name, child, err) < 0)
			return -1;
	}
	return 0;
}

static int opaque(struct unpack *u, const char *path, struct berth_error **err)
{
	const char *base;
	bool overlay = u->opts->whiteouts == ARC_WHITEOUT_OVERLAY;
	cleanup_close int dirfd = unpack_open_parent(u, path, overlay, &base, err);
	if (dirfd < 0)
		return !overlay && errno == ENOENT ? (berth_error_free(err), 0) : -1;
	if (overlay) {
		if (unpack_setxattr_at(dirfd, ".", "trusted.overlay.opaque", "y", 1) < 0)
			return berth_error_errno(err,
						 "set trusted.overlay.opaque on its directory");
		return 0;
	}
	cleanup_free char *dir = xasprintf("%.*s", (int)(base > path ? base - path - 1 : 0), path);
	return empty_dir(u, dirfd, dir, err);
}

int unpack_whiteout(struct unpack *u, struct archive_entry *e, const char *path,
		    struct berth_error **err)
{
	const char *slash = strrchr(path, '/');
	const char *name = slash ? slash + 1 : path;
	if (strncmp(name, WH_PREFIX, strlen(WH_PREFIX)) != 0)
		return 0;
	unpack_parent_forget(u); /* it removes: paths may resolve elsewhere after */
	if (strcmp(name, WH_OPAQUE) == 0)
		return opaque(u, path, err) < 0 ? -1 : 1;
	if (strncmp(name, WH_META_PREFIX, strlen(WH_META_PREFIX)) == 0)
		return 1; /* other AUFS metadata (.wh..wh.plnk, ...): not ours */
	const char *hidden = name + strlen(WH_PREFIX);
	if (hidden[0] == '\0' || strcmp(hidden, ".") == 0 || strcmp(hidden, "..") == 0)
		return berth_error_set(err, EINVAL, "whiteout of \"%s\": invalid name", hidden);
	bool overlay = u->opts->whiteouts == ARC_WHITEOUT_OVERLAY;
	const char *base;
	cleanup_close int dirfd = unpack_open_parent(u, path, overlay, &base, err);
	if (dirfd < 0) {
		if (overlay || errno != ENOENT)
			return -1;
		berth_error_free(err); /* nothing to hide in a directory that is not there */
		return 1;
	}
	cleanup_free char *hpath =
	    slash ? xasprintf("%.*s/%s", (int)(slash - path), path, hidden) : xstrdup(hidden);
	if (unpack_remove_at(dirfd, hidden, hpath, err) < 0)
		return -1;
	if (!overlay)
		return 1;
	if (mknodat(dirfd, hidden, S_IFCHR | 0, makedev(0, 0)) < 0)
		return berth_error_errno(err, "mknod whiteout %s", hpath);
	if (u->chown && fchownat(dirfd, hidden, (uid_t)archive_entry_uid(e),
				 (gid_t)archive_entry_gid(e), AT_SYMLINK_NOFOLLOW) < 0)
		return berth_error_errno(err, "chown whiteout %s", hpath);
	return 1;
}
