/* The systemd cgroup driver: the container's transient unit, started and
 * stopped over D-Bus (systemd-dbus.c), its cgroup handed to the cgroupfs
 * code. See cgroup-systemd.h. */
#include "runtime/cgroup-systemd.h"
#include "runtime/cgroup-internal.h"
#include "runtime/systemd-dbus.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JOB_TIMEOUT_MS 30000

struct cgroup_systemd {
	char *unit;
	char *bus; /* "system", "user" or a D-Bus address (test hook) */
};

/* Test hooks, see cgroup-systemd.h. */
static const char *running_dir(void)
{
	const char *d = getenv("BERTH_SYSTEMD_RUNNING_DIR");
	return d && *d ? d : "/run/systemd/system";
}

static const char *bus_override(void)
{
	const char *a = getenv("BERTH_SYSTEMD_BUS_ADDRESS");
	return a && *a ? a : NULL;
}

bool cgroup_systemd_built(void)
{
#ifdef HAVE_LIBSYSTEMD
	return true;
#else
	return false;
#endif
}

int cgroup_systemd_check(const char *cgroups_path, const char *id, struct berth_error **err)
{
	struct stat st;
	if (stat(running_dir(), &st) < 0)
		return berth_error_set(err, ENOTSUP,
				       "--systemd-cgroup: systemd is not running on this host "
				       "(no %s); use the cgroupfs driver (no --systemd-cgroup)",
				       running_dir());
#ifndef HAVE_LIBSYSTEMD
	return berth_error_set(err, ENOTSUP,
			       "--systemd-cgroup: berth-runtime was built without libsystemd "
			       "(install libsystemd-dev and rebuild); use the cgroupfs driver");
#endif
	struct cgroup_systemd_path p;
	if (cgroup_systemd_parse_path(cgroups_path, id, geteuid() != 0, &p, err) < 0)
		return -1;
	cgroup_systemd_path_release(&p);
	return 0;
}

static int bus_open(const char *name, struct systemd_bus **out, struct berth_error **err)
{
	if (strcmp(name, "system") == 0 || strcmp(name, "user") == 0)
		return systemd_bus_open(NULL, strcmp(name, "user") == 0, out, err);
	return systemd_bus_open(name, false, out, err);
}

/* The memory controller's hierarchy decides between v1 and v2 property
 * names, as systemd applies them there. */
static bool memory_on_v2(const struct cgroup_host *h)
{
	if (h->ctrl[CG_MEMORY] >= 0)
		return h->h[h->ctrl[CG_MEMORY]].v2;
	return h->layout == CG_LAYOUT_V2;
}

/* The unit's cgroup as systemd reports it; runc's computed path otherwise. */
static char *unit_cgroup(struct systemd_bus *b, const struct cgroup_systemd_path *p)
{
	char *cg = NULL;
	struct berth_error *e = NULL;
	if (systemd_bus_unit_cgroup(b, p->unit, p->is_slice ? "Slice" : "Scope", &cg, &e) == 0 &&
	    cg && cg[0] == '/' && cg[1] != '\0')
		return cg;
	log_debug("systemd: unit %s: no ControlGroup (%s); using the slice's path", p->unit,
		  e    ? e->msg
		  : cg ? cg
		       : "empty");
	berth_error_free(&e);
	free(cg);
	if (p->is_slice)
		return cgroup_systemd_expand_slice(p->unit);
	return xasprintf("%s/%s", strcmp(p->slice_path, "/") == 0 ? "" : p->slice_path, p->unit);
}

int cgroup_systemd_start(const struct cgroup_host *h, const char *id, const char *cgroups_path,
			 const struct oci_resources *r, pid_t pid, struct cgroup_systemd **out,
			 char **cg_path, struct berth_error **err)
{
	*out = NULL;
	*cg_path = NULL;
	bool rootless = geteuid() != 0;
	struct cgroup_systemd_path p;
	if (cgroup_systemd_parse_path(cgroups_path, id, rootless, &p, err) < 0)
		return -1;
	struct cgroup_systemd_props props;
	struct systemd_bus *b = NULL;
	int ret = -1;
	if (cgroup_systemd_props(&p, id, r, memory_on_v2(h), pid, &props, err) < 0)
		goto out_path;
	if (systemd_bus_open(bus_override(), rootless, &b, err) < 0)
		goto out;
	log_debug("create %s: systemd unit %s in %s (bus %s)", id, p.unit, p.slice,
		  systemd_bus_name(b));
	if (systemd_bus_start_unit(b, p.unit, &props, JOB_TIMEOUT_MS, err) < 0)
		goto out;
	*cg_path = unit_cgroup(b, &p);
	*out = xcalloc(1, sizeof(**out));
	(*out)->unit = xstrdup(p.unit);
	(*out)->bus = xstrdup(systemd_bus_name(b));
	ret = 0;
out:
	systemd_bus_close(b);
	cgroup_systemd_props_release(&props);
out_path:
	cgroup_systemd_path_release(&p);
	return ret;
}

void cgroup_systemd_adopt(struct cgroup_systemd *sd, struct cgroup *cg)
{
	(void)sd;
	for (size_t i = 0; i < cg->n; i++) {
		struct cgroup_dir *d = &cg->dirs[i];
		if (d->created == NULL && !d->gone)
			d->created = xstrdup(d->path);
	}
}

int cgroup_systemd_stop(struct cgroup_systemd *sd, struct berth_error **err)
{
	struct systemd_bus *b = NULL;
	bool gone = false;
	if (bus_open(sd->bus, &b, err) < 0)
		return -1;
	int ret = systemd_bus_stop_unit(b, sd->unit, JOB_TIMEOUT_MS, &gone, err);
	if (ret == 0 && gone)
		log_debug("systemd: unit %s was already gone", sd->unit);
	systemd_bus_close(b);
	return ret;
}

json_t *cgroup_systemd_to_json(const struct cgroup_systemd *sd)
{
	return json_pack("{s:s, s:s}", "unit", sd->unit, "bus", sd->bus);
}

int cgroup_systemd_from_json(json_t *j, struct cgroup_systemd **out, struct berth_error **err)
{
	const char *unit, *bus;
	*out = NULL;
	if (json_unpack(j, "{s:s, s:s}", "unit", &unit, "bus", &bus) < 0 || *unit == '\0' ||
	    strchr(unit, '/') || *bus == '\0')
		return berth_error_set(err, EINVAL, "cgroup state: malformed \"systemd\" entry");
	*out = xcalloc(1, sizeof(**out));
	(*out)->unit = xstrdup(unit);
	(*out)->bus = xstrdup(bus);
	return 0;
}

const char *cgroup_systemd_unit(const struct cgroup_systemd *sd)
{
	return sd->unit;
}

void cgroup_systemd_free(struct cgroup_systemd *sd)
{
	if (sd == NULL)
		return;
	free(sd->unit);
	free(sd->bus);
	free(sd);
}
