/* Glue between the container state and lib/runtime/cgroup.h. */
#ifndef BERTH_RUNTIME_CONTAINER_CGROUP_H
#define BERTH_RUNTIME_CONTAINER_CGROUP_H

#include "oci/spec.h"
#include "runtime/cgroup-systemd.h"
#include "runtime/cgroup.h"
#include "runtime/state.h"

/* A container's cgroup with the host description it borrows. */
struct rt_cgroup {
	struct cgroup_host *host;
	struct cgroup *cg;	   /* NULL: the container has no cgroup */
	struct cgroup_systemd *sd; /* the systemd unit (--systemd-cgroup), or NULL */
};

/* create: cgroup for the spec, limits applied (with runc's default device
 * rules), pid moved in, the cgroup saved in c->state.extra (the caller saves
 * the state). out->cg may stay NULL (rootless without limits). systemd: the
 * cgroup is a transient unit's (cgroup-systemd.h), saved with it. */
int rt_cgroup_setup(struct rt_container *c, const struct oci_spec *spec, bool systemd, pid_t pid,
		    struct rt_cgroup *out, struct berth_error **err);
/* create failed: stop the systemd unit if there is one, remove the cgroup
 * (init is already dead). Logs what fails. */
void rt_cgroup_undo(struct rt_cgroup *r);
/* The container's cgroup from its state; out->cg NULL if it has none. */
int rt_cgroup_open(struct rt_container *c, struct rt_cgroup *out, struct berth_error **err);
/* Like rt_cgroup_open, but no cgroup is an error. */
int rt_cgroup_require(struct rt_container *c, struct rt_cgroup *out, struct berth_error **err);
/* Remove the container's cgroup, SIGKILLing what is left in it first (a
 * container without its own pid namespace may leave processes behind); no
 * cgroup is fine. */
int rt_cgroup_remove(struct rt_container *c, struct berth_error **err);
void rt_cgroup_close(struct rt_cgroup *r);
/* Thaw the container's cgroup if it is frozen (a SIGKILLed paused
 * container must be able to die). */
int rt_cgroup_thaw(struct rt_container *c, struct berth_error **err);
/* True if the container has a cgroup and it is frozen (`state`: paused). */
bool rt_cgroup_frozen(struct rt_container *c);
/* Send sig to every process in the container's cgroup; *done false if it
 * has no cgroup (the caller falls back to the pid namespace). A SIGKILL
 * thaws a frozen cgroup so that the processes can die. */
int rt_cgroup_signal_all(struct rt_container *c, int sig, bool *done, struct berth_error **err);

#endif
