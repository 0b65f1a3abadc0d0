/* The few calls of systemd's D-Bus API (org.freedesktop.systemd1) the
 * systemd cgroup driver makes, through sd-bus. libsystemd is loaded with
 * dlopen on first use, so berth-runtime (linked statically against
 * everything else: it re-executes itself from a memfd) pays for it only with
 * --systemd-cgroup; without libsystemd-dev at build time, or libsystemd.so.0
 * at run time, every call fails with an error that says so. */
#ifndef BERTH_RUNTIME_SYSTEMD_DBUS_H
#define BERTH_RUNTIME_SYSTEMD_DBUS_H

#include "common/error.h"
#include "runtime/cgroup-systemd.h"

struct systemd_bus;

/* address NULL: the system bus (user: the user bus). *desc says which (for
 * messages and the state): the address, "system" or "user". */
int systemd_bus_open(const char *address, bool user, struct systemd_bus **out,
		     struct berth_error **err);
const char *systemd_bus_name(const struct systemd_bus *b);
/* StartTransientUnit(unit, "replace", props, []) and wait (timeout_ms) for
 * its job's JobRemoved; a result other than "done" is an error. */
int systemd_bus_start_unit(struct systemd_bus *b, const char *unit,
			   const struct cgroup_systemd_props *props, int timeout_ms,
			   struct berth_error **err);
/* StopUnit(unit, "replace") and wait; *gone true if systemd does not know
 * the unit (NoSuchUnit). */
int systemd_bus_stop_unit(struct systemd_bus *b, const char *unit, int timeout_ms, bool *gone,
			  struct berth_error **err);
/* GetUnit, then its ControlGroup property (iface "Scope" or "Slice"). */
int systemd_bus_unit_cgroup(struct systemd_bus *b, const char *unit, const char *iface, char **out,
			    struct berth_error **err);
void systemd_bus_close(struct systemd_bus *b);

#endif
