/* The container's cgroup as the runtime keeps it: set up at create (before
 * init runs anything), saved in state.json, found again by the other verbs. */
#include "runtime/container-cgroup.h"
#include "oci/resources.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void rt_cgroup_close(struct rt_cgroup *r)
{
	cgroup_free(r->cg);
	cgroup_host_free(r->host);
	cgroup_systemd_free(r->sd);
	r->cg = NULL;
	r->host = NULL;
	r->sd = NULL;
}

void rt_cgroup_undo(struct rt_cgroup *r)
{
	struct berth_error *e = NULL;
	if (r->sd && cgroup_systemd_stop(r->sd, &e) < 0) {
		log_warn("%s", e->msg);
		berth_error_free(&e);
	}
	if (r->cg && cgroup_destroy(r->cg, &e) < 0) {
		log_warn("%s", e->msg);
		berth_error_free(&e);
	}
}

static void free_resources(struct oci_resources **r)
{
	oci_resources_free(*r);
}

int rt_cgroup_setup(struct rt_container *c, const struct oci_spec *spec, bool systemd, pid_t pid,
		    struct rt_cgroup *out, struct berth_error **err)
{
	*out = (struct rt_cgroup){0};
	__attribute__((cleanup(free_resources))) struct oci_resources *res = NULL;
	cleanup_free char *sd_path = NULL;
	if (oci_resources_from_spec(spec, &res, err) < 0 ||
	    cgroup_host_detect(NULL, &out->host, err) < 0 ||
	    (systemd && cgroup_systemd_start(out->host, c->id, spec->cgroups_path, res, pid,
					     &out->sd, &sd_path, err) < 0) ||
	    cgroup_new(out->host, systemd ? sd_path : spec->cgroups_path, c->id, res, &out->cg,
		       err) < 0)
		goto fail;
	if (cgroup_create(out->cg, err) < 0) {
		/* rootless without limits: no cgroup is fine, as for runc */
		if (!systemd && geteuid() != 0 && spec->resources == NULL &&
		    spec->cgroups_path == NULL) {
			log_debug("create %s: no cgroup (%s)", c->id, (*err)->msg);
			berth_error_free(err);
			rt_cgroup_close(out);
			return 0;
		}
		goto fail;
	}
	if (out->sd)
		cgroup_systemd_adopt(out->sd, out->cg);
	if (cgroup_apply(out->cg, res, err) < 0 || cgroup_add_pid(out->cg, pid, err) < 0)
		goto fail;
	json_t *j = cgroup_to_json(out->cg);
	if (out->sd)
		json_object_set_new(j, "systemd", cgroup_systemd_to_json(out->sd));
	json_object_set_new(c->state.extra, "cgroup", j);
	log_debug("create %s: cgroup %s", c->id, cgroup_path(out->cg));
	return 0;
fail:
	rt_cgroup_undo(out);
	rt_cgroup_close(out);
	return -1;
}

int rt_cgroup_open(struct rt_container *c, struct rt_cgroup *out, struct berth_error **err)
{
	*out = (struct rt_cgroup){0};
	json_t *j = json_object_get(c->state.extra, "cgroup");
	if (j == NULL)
		return 0;
	if (cgroup_host_detect(NULL, &out->host, err) < 0)
		return -1;
	if (cgroup_from_json(out->host, j, &out->cg, err) < 0) {
		rt_cgroup_close(out);
		return berth_error_wrap(err, "container \"%s\"", c->id);
	}
	return 0;
}

int rt_cgroup_require(struct rt_container *c, struct rt_cgroup *out, struct berth_error **err)
{
	if (rt_cgroup_open(c, out, err) < 0)
		return -1;
	if (out->cg == NULL)
		return berth_error_set(err, ENOTSUP, "container \"%s\" has no cgroup", c->id);
	return 0;
}

static int signal_all(struct rt_container *c, struct cgroup *cg, int sig, struct berth_error **err)
{
	cleanup_free pid_t *pids = NULL;
	size_t n = 0;
	int ret = cgroup_pids(cg, &pids, &n, err);
	for (size_t i = 0; ret == 0 && i < n; i++)
		if (kill(pids[i], sig) < 0 && errno != ESRCH)
			ret = berth_error_errno(err, "container \"%s\": send signal %d to pid %d",
						c->id, sig, pids[i]);
	if (ret == 0 && sig == SIGKILL && cgroup_is_frozen(cg))
		ret = cgroup_freeze(cg, false, err);
	return ret;
}

/* delete: stop the container's systemd unit, if it has one */
static int stop_unit(struct rt_container *c, struct berth_error **err)
{
	json_t *j = json_object_get(json_object_get(c->state.extra, "cgroup"), "systemd");
	if (j == NULL)
		return 0;
	struct cgroup_systemd *sd = NULL;
	int ret = cgroup_systemd_from_json(j, &sd, err);
	if (ret == 0)
		ret = cgroup_systemd_stop(sd, err);
	cgroup_systemd_free(sd);
	return ret;
}

int rt_cgroup_remove(struct rt_container *c, struct berth_error **err)
{
	struct rt_cgroup r;
	if (rt_cgroup_open(c, &r, err) < 0)
		return -1;
	int ret = 0;
	if (r.cg) {
		struct berth_error *e2 = NULL;
		if (signal_all(c, r.cg, SIGKILL, &e2) < 0) {
			log_debug("%s", e2->msg);
			berth_error_free(&e2);
		}
		ret = stop_unit(c, err);
		if (cgroup_destroy(r.cg, ret < 0 ? NULL : err) < 0)
			ret = -1;
	}
	rt_cgroup_close(&r);
	if (ret < 0)
		return berth_error_wrap(err, "delete %s: remove cgroup", c->id);
	return 0;
}

static bool file_contains(const char *path, const char *text)
{
	cleanup_free char *data = NULL;
	size_t len;
	struct berth_error *err = NULL;
	if (fs_read_file(path, &data, &len, &err) < 0) {
		berth_error_free(&err);
		return false;
	}
	return strstr(data, text) != NULL;
}

static bool has_controller(json_t *dir, const char *name)
{
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(dir, "controllers"), i, v)
	{
		if (json_is_string(v) && strcmp(json_string_value(v), name) == 0)
			return true;
	}
	return false;
}

/* Read from the directories saved at create, without detecting the host's
 * layout again: `state` and `list` ask for every container. v1: the freezer
 * hierarchy's freezer.state; pure v2: "frozen 1" in cgroup.events. */
bool rt_cgroup_frozen(struct rt_container *c)
{
	json_t *dirs = json_object_get(json_object_get(c->state.extra, "cgroup"), "dirs");
	const char *v2 = NULL;
	size_t i;
	json_t *d;
	json_array_foreach(dirs, i, d)
	{
		const char *path = json_string_value(json_object_get(d, "path"));
		if (path == NULL)
			continue;
		if (json_is_true(json_object_get(d, "v2"))) {
			v2 = path;
			continue;
		}
		if (!has_controller(d, "freezer"))
			continue;
		cleanup_free char *f = xasprintf("%s/freezer.state", path);
		return file_contains(f, "FROZEN");
	}
	if (v2 == NULL)
		return false;
	cleanup_free char *f = xasprintf("%s/cgroup.events", v2);
	return file_contains(f, "frozen 1");
}

int rt_cgroup_signal_all(struct rt_container *c, int sig, bool *done, struct berth_error **err)
{
	*done = false;
	struct rt_cgroup r;
	if (rt_cgroup_open(c, &r, err) < 0)
		return -1;
	if (r.cg == NULL)
		return 0;
	int ret = signal_all(c, r.cg, sig, err);
	rt_cgroup_close(&r);
	*done = ret == 0;
	return ret;
}

int rt_cgroup_thaw(struct rt_container *c, struct berth_error **err)
{
	if (!rt_cgroup_frozen(c))
		return 0;
	struct rt_cgroup r;
	if (rt_cgroup_open(c, &r, err) < 0)
		return -1;
	int ret = r.cg ? cgroup_freeze(r.cg, false, err) : 0;
	rt_cgroup_close(&r);
	return ret;
}
