/* The core layer's handles in struct engine: metadata, content store,
 * snapshotter, registry client (see engine.h). */
#include "engine/engine.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/content/content.h"
#include "core/images/pull.h"
#include "core/images/push.h"
#include "core/metadata/metadata.h"
#include "core/registry/registry.h"
#include "core/snapshots/snapshots.h"

#include <errno.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

char *engine_certs_dir(const char *config_file)
{
	if (config_file == NULL || config_file[0] == '\0' ||
	    strcmp(config_file, ENGINE_DEFAULT_CONFIG_FILE) == 0)
		return xstrdup("/etc/berth/certs.d");
	cleanup_free char *copy = xstrdup(config_file);
	return xasprintf("%s/certs.d", dirname(copy));
}

static int open_snapshotter(struct engine *e, const char *root, struct berth_error **err)
{
	const char *driver = e->cfg.storage_driver;
	bool overlay = driver == NULL || strcmp(driver, "overlayfs") == 0 ||
		       strcmp(driver, "overlay") == 0 || strcmp(driver, "overlay2") == 0;
	if (overlay) {
		cleanup_free char *dir = xasprintf("%s/snapshots", root);
		if (fs_mkdir_p(dir, 0700, err) < 0)
			return -1;
		if (!snap_overlay_supported(dir)) {
			log_warn("overlay cannot be mounted under %s: using the native snapshotter",
				 dir);
			driver = "native";
		}
	}
	struct snap_config sc = {.root = root, .driver = driver, .md = e->md};
	return snap_open(&sc, &e->snap, err);
}

static int new_registry(struct engine *e, const struct engine_config *c, struct reg_client **out,
			struct berth_error **err)
{
	struct reg_options o;
	reg_options_init(&o);
	cleanup_free char *certs = engine_certs_dir(e->config_file);
	o.certs_dir = certs;
	o.insecure = (const char *const *)c->insecure_registries;
	o.mirrors = (const char *const *)c->registry_mirrors;
	if (c->max_download_attempts > 0)
		o.max_retries = (int)c->max_download_attempts;
	return reg_client_new(&o, out, err);
}

static int open_registry(struct engine *e, struct berth_error **err)
{
	return new_registry(e, &e->cfg, &e->reg, err);
}

struct reg_client *engine_registry(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	struct reg_client *r = e->reg;
	pthread_mutex_unlock(&e->lock);
	return r;
}

int engine_core_reload(struct engine *e, struct berth_error **err)
{
	if (e->reg == NULL)
		return 0;
	struct engine_config c;
	engine_config_snapshot(e, &c);
	struct reg_client *r = NULL;
	int rc = new_registry(e, &c, &r, err);
	engine_config_free(&c);
	if (rc < 0)
		return -1;
	pthread_mutex_lock(&e->lock);
	e->old_regs = xrealloc(e->old_regs, (e->n_old_regs + 1) * sizeof(*e->old_regs));
	e->old_regs[e->n_old_regs++] = e->reg;
	e->reg = r;
	pthread_mutex_unlock(&e->lock);
	return 0;
}

int engine_core_open(struct engine *e, struct berth_error **err)
{
	const char *root = e->cfg.data_root;
	struct md_config mc = {.root = root};
	if (md_open(&mc, &e->md, err) < 0 || content_store_open(root, &e->cs, err) < 0 ||
	    open_snapshotter(e, root, err) < 0 || open_registry(e, err) < 0) {
		engine_core_close(e);
		return -1;
	}
	size_t stale = 0;
	struct berth_error *lerr = NULL;
	if (pull_drop_stale_leases(e->md, &stale, &lerr) < 0) {
		log_warn("core: leases of interrupted pulls: %s", lerr->msg);
		berth_error_free(&lerr);
	} else if (stale > 0) {
		log_info("core: dropped %zu lease(s) of pulls interrupted by the last stop", stale);
	}
	if (push_drop_stale_leases(e->md, &stale, &lerr) < 0) {
		log_warn("core: leases of interrupted pushes: %s", lerr->msg);
		berth_error_free(&lerr);
	} else if (stale > 0) {
		log_info("core: dropped %zu lease(s) of interrupted pushes", stale);
	}
	if (pull_remove_stale_dirs(e->snap, &stale, &lerr) < 0) {
		log_warn("core: layers of interrupted pulls: %s", lerr->msg);
		berth_error_free(&lerr);
	}
	log_info("core: root %s, snapshotter %s, metadata %s", root, snap_driver(e->snap),
		 md_path(e->md));
	return 0;
}

void engine_core_close(struct engine *e)
{
	if (e->reg)
		reg_client_free(e->reg);
	for (size_t i = 0; i < e->n_old_regs; i++)
		reg_client_free(e->old_regs[i]);
	free(e->old_regs);
	e->old_regs = NULL;
	e->n_old_regs = 0;
	if (e->snap)
		snap_close(e->snap);
	if (e->cs)
		content_store_close(e->cs);
	if (e->md)
		md_close(e->md);
	e->reg = NULL;
	e->snap = NULL;
	e->cs = NULL;
	e->md = NULL;
}
