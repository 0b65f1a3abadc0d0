/* The cgroup half of exec: the new process joins the container's cgroup
 * before it runs anything. */
#include "runtime/container-cgroup.h"
#include "runtime/exec.h"

int rt_exec_join_cgroup(struct rt_container *c, pid_t pid, struct berth_error **err)
{
	struct rt_cgroup r;
	if (rt_cgroup_open(c, &r, err) < 0)
		return -1;
	int ret = r.cg ? cgroup_add_pid(r.cg, pid, err) : 0;
	rt_cgroup_close(&r);
	if (ret < 0)
		return berth_error_wrap(err, "exec in %s: join the container's cgroup", c->id);
	return 0;
}
