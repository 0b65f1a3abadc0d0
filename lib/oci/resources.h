/* linux.resources of config.json (and the JSON of `update --resources`),
 * parsed and validated into C types. Nothing here touches the host: what a
 * value means on cgroup v1 or v2 is lib/runtime/cgroup*.c's business.
 *
 * Every optional field carries a has_ flag. As in runc, a value of 0 means
 * "not set" for the fields where the kernel has no use for 0 (memory limits,
 * cpu shares/quota/period, blkio weights); -1 means "unlimited" for the
 * signed limits. Errors name the JSON path and the value:
 *   linux.resources.memory.limit: expected an integer, got "x" */
#ifndef BERTH_OCI_RESOURCES_H
#define BERTH_OCI_RESOURCES_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oci_device;

struct oci_memory {
	bool has_limit, has_reservation, has_swap, has_kernel, has_kernel_tcp, has_swappiness;
	int64_t limit, reservation, swap; /* bytes; -1 unlimited; swap is memory+swap */
	int64_t kernel, kernel_tcp;	  /* parsed, never applied (deprecated by the kernel) */
	uint64_t swappiness; /* 0..100 (a -1 in the JSON leaves has_swappiness unset) */
	bool has_disable_oom_killer, disable_oom_killer;
	bool has_use_hierarchy, use_hierarchy; /* parsed, ignored: always on since Linux 5.x */
	bool check_before_update;
};

struct oci_cpu {
	bool has_shares, has_quota, has_burst, has_period, has_rt_runtime, has_rt_period;
	bool has_idle;
	uint64_t shares;    /* v1 cpu.shares, converted to cpu.weight on v2 */
	int64_t quota;	    /* usecs per period; -1 unlimited */
	uint64_t burst;	    /* usecs */
	uint64_t period;    /* usecs */
	int64_t rt_runtime; /* usecs; -1 unlimited */
	uint64_t rt_period; /* usecs */
	int64_t idle;	    /* 0 or 1 */
	char *cpus, *mems;  /* cpuset lists ("0-3,5"), NULL if absent */
};

struct oci_blkio_weight_device {
	int64_t major, minor;
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight;
};

struct oci_blkio_throttle {
	int64_t major, minor;
	uint64_t rate; /* bytes or IOs per second */
};

enum oci_throttle_kind {
	OCI_THROTTLE_READ_BPS = 0,
	OCI_THROTTLE_WRITE_BPS,
	OCI_THROTTLE_READ_IOPS,
	OCI_THROTTLE_WRITE_IOPS,
	OCI_THROTTLE_KINDS
};

struct oci_blkio {
	bool has_weight, has_leaf_weight;
	uint16_t weight, leaf_weight; /* 10..1000 */
	struct oci_blkio_weight_device *weight_devices;
	size_t n_weight_devices;
	struct oci_blkio_throttle *throttle[OCI_THROTTLE_KINDS];
	size_t n_throttle[OCI_THROTTLE_KINDS];
};

struct oci_hugepage_limit {
	char *page_size; /* "2MB", "1GB", "64KB" */
	uint64_t limit;	 /* bytes */
};

struct oci_net_priority {
	char *name; /* interface */
	uint32_t priority;
};

struct oci_network {
	bool has_class_id;
	uint32_t class_id;
	struct oci_net_priority *priorities;
	size_t n_priorities;
};

/* One devices-cgroup rule. */
struct oci_device_rule {
	bool allow;
	char type;	/* 'a' (all), 'b', 'c' */
	int64_t major;	/* -1 = any */
	int64_t minor;	/* -1 = any */
	char access[4]; /* non-empty subset of "rwm", in that order */
};

struct oci_rdma {
	char *device;
	bool has_hca_handles, has_hca_objects;
	uint32_t hca_handles, hca_objects;
};

struct oci_unified {
	char *key; /* a file name in the cgroup directory, "memory.high" */
	char *value;
};

struct oci_resources {
	bool has_memory;
	struct oci_memory memory;
	bool has_cpu;
	struct oci_cpu cpu;
	bool has_pids;
	int64_t pids_limit; /* <= 0 means no limit ("max") */
	bool has_blkio;
	struct oci_blkio blkio;
	struct oci_hugepage_limit *hugepages;
	size_t n_hugepages;
	bool has_network;
	struct oci_network network;
	/* has_devices: the rules are to be applied (even an empty list: with
	 * runc's semantics that denies every device) */
	bool has_devices;
	struct oci_device_rule *devices;
	size_t n_devices;
	struct oci_rdma *rdma;
	size_t n_rdma;
	struct oci_unified *unified;
	size_t n_unified;
};

/* Parse linux.resources (res may be NULL: an empty struct). Error paths start
 * with "linux.resources". */
int oci_resources_parse(json_t *res, struct oci_resources **out, struct berth_error **err);
/* Same with another path prefix in messages (e.g. "" for `update -r FILE`). */
int oci_resources_parse_at(json_t *res, const char *path, struct oci_resources **out,
			   struct berth_error **err);
/* For create: the device rules runc applies to every container. After the
 * config's own rules come allow rules for runc's default devices (/dev/null,
 * zero, full, random, urandom, tty, console/ptmx, pts, tun, mknod of any
 * device) and one "rwm" allow rule per linux.devices entry (fifos skipped).
 * Sets has_devices, so a config without rules gets exactly that list. */
void oci_resources_add_default_devices(struct oci_resources *r, const struct oci_device *devs,
				       size_t n_devs);
/* For create: parse spec->resources and add the default device rules (as
 * above) for spec->devices. This is what runc applies to a new container. */
struct oci_spec;
int oci_resources_from_spec(const struct oci_spec *spec, struct oci_resources **out,
			    struct berth_error **err);
void oci_resources_free(struct oci_resources *r);

/* Helpers shared with the cgroup drivers. */
/* Is s a hugepage size as the kernel names it ("2MB", "1GB", "64KB")? */
bool oci_resources_valid_page_size(const char *s);
/* A rule as the v1 devices.allow/deny files take it: "c 1:3 rwm", "a".
 * Caller frees. */
char *oci_device_rule_string(const struct oci_device_rule *r);

#endif
