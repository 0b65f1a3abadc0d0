/* ctr_remove (DELETE /containers/{id}), ctr_rename. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/snapshots/snapshots.h"
#include "engine/api/exec.h"

#include <errno.h>
#include <signal.h>
#include <string.h>

int ctr_remove_locked(struct engine *e, struct container *c, bool force, bool volumes,
		      struct berth_error **err);

static bool is_up(enum ctr_status st)
{
	return st == CTR_RUNNING || st == CTR_PAUSED;
}

int ctr_remove_locked(struct engine *e, struct container *c, bool force, bool volumes,
		      struct berth_error **err)
{
	(void)volumes; /* no volumes yet */
	pthread_mutex_lock(&c->lock);
	enum ctr_status st = c->state.status;
	bool removed = c->priv->removed;
	pthread_mutex_unlock(&c->lock);
	if (removed)
		return berth_error_set(err, ENOENT, "No such container: %s", c->id);
	if (st == CTR_REMOVING)
		return berth_error_set(err, EBUSY, "removal of container %s is already in progress",
				       c->id);
	if ((is_up(st) || st == CTR_RESTARTING) && !force)
		return berth_error_set(err, EBUSY,
				       "You cannot remove a %s container %s. Stop the container "
				       "before attempting removal or force remove",
				       ctr_status_name(st), c->id);
	if (st == CTR_RESTARTING) {
		pthread_mutex_lock(&c->lock);
		c->priv->restart_wait = false;
		c->state.manually_stopped = true;
		c->state.status = CTR_EXITED;
		pthread_cond_broadcast(&c->cond);
		pthread_mutex_unlock(&c->lock);
	}
	if (is_up(st)) {
		struct berth_error *kerr = NULL;
		if (ctr_kill(e, c, SIGKILL, &kerr) < 0) {
			log_debug("remove %s: kill: %s", c->id, kerr->msg);
			berth_error_free(&kerr);
		}
		if (ctr_wait(c, CTR_WAIT_NOT_RUNNING, 30000, NULL, NULL, err) < 0)
			return berth_error_wrap(err, "cannot remove container %s", c->id);
	}
	pthread_mutex_lock(&c->lock);
	c->state.status = CTR_REMOVING;
	ctr_persist_locked(e, c, false, NULL); /* a berthd that dies now finishes at its start */
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	ctr_task_cleanup(e, c);
	/* a temporary rootfs mount (archive, export) still in use: lazily */
	pthread_mutex_lock(&c->lock);
	cleanup_free char *tmp = steal_ptr(c->priv->tmp_rootfs);
	c->priv->rootfs_refs = 0;
	pthread_mutex_unlock(&c->lock);
	struct berth_error *e2 = NULL;
	if (tmp) {
		if (snap_unmount(tmp, &e2) < 0)
			berth_error_free(&e2);
	}
	if (md_container_delete(e->md, CTR_NS, c->id, &e2) < 0) {
		if (e2->code != ENOENT) {
			pthread_mutex_lock(&c->lock);
			c->state.status = CTR_DEAD;
			ctr_persist_locked(e, c, false, NULL);
			pthread_mutex_unlock(&c->lock);
			*err = e2;
			return berth_error_wrap(err, "remove container %s", c->id);
		}
		berth_error_free(&e2);
	}
	if (c->snapshot_key && snap_remove(e->snap, c->snapshot_key, &e2) < 0) {
		if (e2->code != ENOENT)
			log_warn("remove container %s: %s", c->id, e2->msg);
		berth_error_free(&e2);
	}
	cleanup_free char *dir = ctr_dir(e, c);
	if (fs_rm_rf(dir, &e2) < 0) {
		log_warn("remove container %s: %s", c->id, e2->msg);
		berth_error_free(&e2);
	}
	ctr_store_remove(e->containers, c);
	exec_table_remove_container(e, c->id);
	ctr_event(e, c, "destroy", NULL);
	return 0;
}

int ctr_remove(struct engine *e, struct container *c, bool force, bool volumes,
	       struct berth_error **err)
{
	pthread_mutex_lock(&c->priv->op);
	int rc = ctr_remove_locked(e, c, force, volumes, err);
	pthread_mutex_unlock(&c->priv->op);
	return rc;
}

int ctr_rename(struct engine *e, struct container *c, const char *new_name,
	       struct berth_error **err)
{
	if (!new_name || !new_name[0])
		return berth_error_set(err, EINVAL, "Neither old nor new names may be empty");
	if (!ctr_name_valid(new_name))
		return berth_error_set(
		    err, EINVAL,
		    "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
		    "are allowed",
		    new_name);
	cleanup_free char *want =
	    new_name[0] == '/' ? xstrdup(new_name) : xasprintf("/%s", new_name);
	struct ctr_store *s = e->containers;
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&s->lock);
	struct container *o = ctr_store_by_name_locked(s, want);
	if (o == c) {
		pthread_mutex_unlock(&s->lock);
		pthread_mutex_unlock(&c->priv->op);
		return berth_error_set(
		    err, EINVAL, "Renaming a container with the same name as its current name");
	}
	if (o) {
		pthread_mutex_unlock(&s->lock);
		pthread_mutex_unlock(&c->priv->op);
		return berth_error_set(
		    err, EEXIST,
		    "Error when allocating new name: Conflict. The container name \"%s\" is "
		    "already in use by container \"%s\". You have to remove (or rename) that "
		    "container to be able to reuse that name.",
		    want, o->id);
	}
	pthread_mutex_lock(&c->lock);
	char *old = c->name;
	c->name = xstrdup(want);
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&s->lock);
	struct md_container m;
	pthread_mutex_lock(&c->lock);
	ctr_md_fill(c, &m);
	m.snapshotter = (char *)snap_driver(e->snap);
	int rc = md_container_update(e->md, CTR_NS, &m, err);
	if (rc == 0)
		rc = ctr_persist_locked(e, c, false, err);
	if (rc < 0) {
		free(c->name);
		c->name = old;
		old = NULL;
		ctr_md_fill(c, &m);
		m.snapshotter = (char *)snap_driver(e->snap);
		md_container_update(e->md, CTR_NS, &m, NULL);
	}
	pthread_mutex_unlock(&c->lock);
	pthread_mutex_unlock(&c->priv->op);
	if (rc == 0)
		ctr_event(e, c, "rename", json_pack("{s:s}", "oldName", old));
	free(old);
	return rc;
}
