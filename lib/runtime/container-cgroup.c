/* The container's cgroup as the runtime keeps it: set up at create (before
 * init runs anything), saved in state.json, found again by the other verbs. */
#include "runtime/container-cgroup.h"
#include "common/cleanup.h"
#include "common/log.h"

#include <errno.h>
#include <unistd.h>

int rt_cgroup_setup(struct rt_container *c, const struct oci_spec *spec, pid_t pid,
		    struct cgroup **out, struct berth_error **err)
{
	*out = NULL;
	struct oci_resources *res = NULL;
	struct cgroup_host *host = NULL;
	struct cgroup *cg = NULL;
	int ret = -1;
	if (oci_resources_parse(spec->resources, &res, err) < 0 ||
	    cgroup_host_detect(NULL, &host, err) < 0 ||
	    cgroup_new(host, spec->cgroups_path, c->id, res, &cg, err) < 0)
		goto out;
	if (cgroup_create(cg, err) < 0) {
		/* rootless without limits: no cgroup is fine, as for runc */
		if (geteuid() != 0 && spec->resources == NULL && spec->cgroups_path == NULL) {
			log_debug("create %s: no cgroup (%s)", c->id, (*err)->msg);
			berth_error_free(err);
			ret = 0;
		}
		goto out;
	}
	if (cgroup_apply(cg, res, err) < 0 || cgroup_add_pid(cg, pid, err) < 0) {
		struct berth_error *e2 = NULL;
		if (cgroup_destroy(cg, &e2) < 0)
			berth_error_free(&e2);
		goto out;
	}
	json_object_set_new(c->state.extra, "cgroup", cgroup_to_json(cg));
	log_debug("create %s: cgroup %s", c->id, cgroup_path(cg));
	*out = steal_ptr(cg);
	host = NULL; /* owned by the cgroup now */
	ret = 0;
out:
	cgroup_free(cg);
	if (host && !*out)
		cgroup_host_free(host);
	oci_resources_free(res);
	return ret;
}

int rt_cgroup_open(struct rt_container *c, struct cgroup **out, struct berth_error **err)
{
	*out = NULL;
	json_t *j = json_object_get(c->state.extra, "cgroup");
	if (j == NULL)
		return 0;
	struct cgroup_host *host = NULL;
	if (cgroup_host_detect(NULL, &host, err) < 0)
		return -1;
	if (cgroup_from_json(host, j, out, err) < 0) {
		cgroup_host_free(host);
		return berth_error_wrap(err, "container \"%s\"", c->id);
	}
	return 0;
}

int rt_cgroup_require(struct rt_container *c, struct cgroup **out, struct berth_error **err)
{
	if (rt_cgroup_open(c, out, err) < 0)
		return -1;
	if (*out == NULL)
		return berth_error_set(err, ENOTSUP, "container \"%s\" has no cgroup", c->id);
	return 0;
}
