/* The systemd cgroup driver (--systemd-cgroup), as runc does it.
 *
 * linux.cgroupsPath is "slice:prefix:name" (empty: "system.slice:berth:<id>",
 * rootless "user.slice:berth:<id>"). The container gets a transient unit,
 * "<prefix>-<name>.scope" (a name ending in ".slice" makes that slice),
 * started over D-Bus with StartTransientUnit (Delegate, the init pid, the
 * accounting switches and the limits systemd knows as properties). The
 * unit's cgroup, as systemd reports it, is then handed to the cgroupfs code
 * (cgroup.h): it writes everything systemd does not manage (devices, the
 * rest of linux.resources), creates the directories in the hierarchies
 * systemd did not, and is saved in the state with the unit, so pause, ps,
 * update, events and delete work as with the cgroupfs driver. delete stops
 * the unit and removes what is left.
 *
 * Test hooks (never set them outside the test suite):
 *   BERTH_SYSTEMD_RUNNING_DIR   checked instead of /run/systemd/system
 *   BERTH_SYSTEMD_BUS_ADDRESS   D-Bus address used instead of the system
 *                               (or, rootless, the user) bus */
#ifndef BERTH_RUNTIME_CGROUP_SYSTEMD_H
#define BERTH_RUNTIME_CGROUP_SYSTEMD_H

#include "common/error.h"
#include "oci/resources.h"
#include "runtime/cgroup.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* "slice:prefix:name" taken apart. */
struct cgroup_systemd_path {
	char *slice;	  /* "system.slice" */
	char *slice_path; /* the slice's cgroup, "/system.slice"; "/" for "-.slice" */
	char *unit;	  /* "berth-x.scope", or the slice ("x.slice") */
	bool is_slice;
};

/* runc's rules: three ':'-separated parts; an empty slice is system.slice
 * (user.slice when rootless); the slice must be a valid slice name
 * ("a-b.slice" is /a.slice/a-b.slice); the unit is "<prefix>-<name>.scope"
 * ("<name>.scope" without a prefix) unless name ends in ".slice". NULL or
 * "" is "<default slice>:berth:<id>". Errors name the value. */
int cgroup_systemd_parse_path(const char *cgroups_path, const char *id, bool rootless,
			      struct cgroup_systemd_path *out, struct berth_error **err);
void cgroup_systemd_path_release(struct cgroup_systemd_path *p);
/* runc's ExpandSlice: "a-b.slice" -> "/a.slice/a-b.slice"; NULL if invalid. */
char *cgroup_systemd_expand_slice(const char *slice);

/* One unit property for StartTransientUnit's a(sv). */
enum cgroup_systemd_prop_type {
	SDP_STRING, /* s */
	SDP_BOOL,   /* b */
	SDP_U64,    /* t */
	SDP_BYTES,  /* ay (AllowedCPUs, AllowedMemoryNodes) */
	SDP_PIDS,   /* au */
};

struct cgroup_systemd_prop {
	const char *name;
	enum cgroup_systemd_prop_type type;
	char *s;
	uint64_t u; /* also the bool, and the one pid of SDP_PIDS */
	uint8_t *bytes;
	size_t n;
};

struct cgroup_systemd_props {
	struct cgroup_systemd_prop *v;
	size_t n;
};

/* The properties runc sends: Description, Slice (Wants for a slice),
 * Delegate and PIDs (scopes), DefaultDependencies=false, the accounting
 * switches, and the limits in r that systemd manages, converted like runc
 * (v2: MemoryMax, CPUWeight from shares, IOWeight; v1: MemoryLimit,
 * CPUShares, BlockIOWeight; both: CPUQuotaPerSecUSec rounded up to 10 ms,
 * CPUQuotaPeriodUSec, TasksMax, AllowedCPUs/AllowedMemoryNodes as bit
 * masks). v2 says whether the memory controller is on cgroup2. pid <= 0:
 * no PIDs. r may be NULL. Errors name the bad cpuset value. */
int cgroup_systemd_props(const struct cgroup_systemd_path *p, const char *id,
			 const struct oci_resources *r, bool v2, pid_t pid,
			 struct cgroup_systemd_props *out, struct berth_error **err);
void cgroup_systemd_props_release(struct cgroup_systemd_props *p);
/* runc's RangeToBits: "0-3,8" -> {0x0f, 0x01} (byte i holds bits 8i..8i+7) */
int cgroup_systemd_cpuset_bits(const char *list, uint8_t **bits, size_t *n,
			       struct berth_error **err);

/* Whether the driver is built in (libsystemd's headers at build time), for
 * `features`. */
bool cgroup_systemd_built(void);

/* create, before anything is started: systemd runs (or the clear error of
 * a host without it), the driver is built in, and cgroupsPath parses. */
int cgroup_systemd_check(const char *cgroups_path, const char *id, struct berth_error **err);

/* A started unit. */
struct cgroup_systemd;

/* Start the unit for the container (pid placed in it by systemd) and find
 * its cgroup path (*cg_path, to free: give it to cgroup_new). */
int cgroup_systemd_start(const struct cgroup_host *h, const char *id, const char *cgroups_path,
			 const struct oci_resources *r, pid_t pid, struct cgroup_systemd **out,
			 char **cg_path, struct berth_error **err);
/* After cgroup_create on *cg_path: the unit's own directories, which systemd
 * made, are the container's (cgroup_destroy removes what stopping the unit
 * leaves). */
void cgroup_systemd_adopt(struct cgroup_systemd *sd, struct cgroup *cg);
/* Stop the unit and wait for it (a unit systemd no longer knows is fine). */
int cgroup_systemd_stop(struct cgroup_systemd *sd, struct berth_error **err);
/* For the container state ({"unit", "bus"}), and back. */
json_t *cgroup_systemd_to_json(const struct cgroup_systemd *sd);
int cgroup_systemd_from_json(json_t *j, struct cgroup_systemd **out, struct berth_error **err);
const char *cgroup_systemd_unit(const struct cgroup_systemd *sd);
void cgroup_systemd_free(struct cgroup_systemd *sd);

#endif
