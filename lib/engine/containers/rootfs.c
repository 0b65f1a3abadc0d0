/* ctr_rootfs_get/put: the container's root file system for the archive,
 * export and changes endpoints: the running container's mount, or a
 * temporary mount of its snapshot (<root>/containers/<id>/mnt) kept while
 * someone uses it. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/snapshots/snapshots.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

int ctr_rootfs_get(struct container *c, char **path, struct berth_error **err)
{
	*path = NULL;
	/* the engine is reached through the store's directories: kept in priv */
	struct engine *e = c->priv->engine;
	if (!e)
		return berth_error_set(err, EINVAL, "container %s: no engine", c->id);
	pthread_mutex_lock(&c->lock);
	bool up = c->priv->task && c->rootfs;
	if (up) {
		*path = xstrdup(c->rootfs);
		c->priv->rootfs_refs++;
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	if (c->priv->tmp_rootfs) {
		*path = xstrdup(c->priv->tmp_rootfs);
		c->priv->rootfs_refs++;
		pthread_mutex_unlock(&c->lock);
		return 0;
	}
	if (c->priv->removed || !c->snapshot_key) {
		pthread_mutex_unlock(&c->lock);
		return berth_error_set(err, ENOENT, "No such container: %s", c->id);
	}
	cleanup_free char *dir = ctr_dir(e, c);
	cleanup_free char *mnt = xasprintf("%s/mnt", dir);
	struct snap_mounts m = {0};
	int rc = fs_mkdir_p(mnt, 0700, err);
	if (rc == 0)
		rc = snap_mounts(e->snap, c->snapshot_key, &m, err);
	if (rc == 0)
		rc = snap_mount(&m, mnt, err);
	snap_mounts_free(&m);
	if (rc == 0) {
		c->priv->tmp_rootfs = xstrdup(mnt);
		c->priv->rootfs_refs++;
		*path = steal_ptr(mnt);
	}
	pthread_mutex_unlock(&c->lock);
	return rc;
}

void ctr_rootfs_put(struct container *c)
{
	pthread_mutex_lock(&c->lock);
	if (c->priv->rootfs_refs > 0)
		c->priv->rootfs_refs--;
	cleanup_free char *tmp = NULL;
	if (c->priv->rootfs_refs == 0 && c->priv->tmp_rootfs)
		tmp = steal_ptr(c->priv->tmp_rootfs);
	pthread_mutex_unlock(&c->lock);
	if (tmp) {
		struct berth_error *err = NULL;
		if (snap_unmount(tmp, &err) < 0) {
			log_warn("container %s: %s", c->id, err->msg);
			berth_error_free(&err);
		}
		rmdir(tmp);
	}
}
