/* Glue between the container state and lib/runtime/cgroup.h. */
#ifndef BERTH_RUNTIME_CONTAINER_CGROUP_H
#define BERTH_RUNTIME_CONTAINER_CGROUP_H

#include "oci/spec.h"
#include "runtime/cgroup.h"
#include "runtime/state.h"

/* create: cgroup for the spec, limits applied, pid moved in, path saved in
 * c->state.extra. *out may stay NULL (rootless without limits). */
int rt_cgroup_setup(struct rt_container *c, const struct oci_spec *spec, pid_t pid,
		    struct cgroup **out, struct berth_error **err);
/* The container's cgroup from its state; *out NULL if it has none. */
int rt_cgroup_open(struct rt_container *c, struct cgroup **out, struct berth_error **err);
/* Like rt_cgroup_open, but no cgroup is an error. */
int rt_cgroup_require(struct rt_container *c, struct cgroup **out, struct berth_error **err);

#endif
