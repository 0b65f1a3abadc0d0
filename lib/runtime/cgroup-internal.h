/* Shared between cgroup.c (layout, paths, life cycle), the drivers
 * (cgroup-v1.c, cgroup-v2.c) and the device rules (cgroup-devices*.c).
 * Not part of the runtime's API; the unit tests include it. */
#ifndef BERTH_RUNTIME_CGROUP_INTERNAL_H
#define BERTH_RUNTIME_CGROUP_INTERNAL_H

#include "runtime/cgroup.h"

#include <linux/bpf.h>
#include <stdint.h>

enum cgroup_ctrl {
	CG_CPU = 0,
	CG_CPUACCT,
	CG_CPUSET,
	CG_MEMORY,
	CG_DEVICES, /* v2: eBPF program (pseudo-controller) */
	CG_FREEZER, /* v2: cgroup.freeze (pseudo-controller) */
	CG_BLKIO,   /* v2: "io" */
	CG_PIDS,
	CG_HUGETLB,
	CG_NET_CLS,
	CG_NET_PRIO,
	CG_RDMA,
	CG_MISC,
	CG_PERF_EVENT,
	CG_NCTRL
};
#define CG_BIT(c) (1u << (c))
/* controllers whose v2 interface lives in cgroup.controllers */
#define CG_V2_REAL                                                                                 \
	(CG_BIT(CG_CPU) | CG_BIT(CG_CPUSET) | CG_BIT(CG_MEMORY) | CG_BIT(CG_BLKIO) |               \
	 CG_BIT(CG_PIDS) | CG_BIT(CG_HUGETLB) | CG_BIT(CG_RDMA) | CG_BIT(CG_MISC) |                \
	 CG_BIT(CG_PERF_EVENT))

/* Name of a controller on v1 ("blkio") or v2 ("io"). */
const char *cgroup_ctrl_name(enum cgroup_ctrl c, bool v2);
/* -1 if unknown */
int cgroup_ctrl_from_name(const char *name, bool v2);

enum cgroup_layout { CG_LAYOUT_V1 = 0, CG_LAYOUT_HYBRID, CG_LAYOUT_V2 };

/* One mounted hierarchy. */
struct cgroup_hier {
	char *mountpoint; /* fs_root + mount point */
	char *mount_root; /* the directory of the hierarchy mounted there, "/" usually */
	char *own;	  /* this process's cgroup in it (/proc/self/cgroup), or NULL */
	char *name;	  /* v1: "cpu,cpuacct" or "name=systemd"; v2: "unified" */
	bool v2;
	unsigned mask; /* controllers served here (v2: minus those bound to v1) */
};

struct cgroup_host {
	enum cgroup_layout layout;
	struct cgroup_hier *h;
	size_t n;
	int unified;		   /* index of the cgroup2 hierarchy, -1 if none */
	int ctrl[CG_NCTRL];	   /* hierarchy serving each controller, -1 if none */
	struct cgroup_hooks hooks; /* all NULL on a real host */
};

/* The container's directory in one hierarchy. */
struct cgroup_dir {
	char *path;    /* full path */
	char *base;    /* mount point the path is under */
	char *name;    /* hierarchy name (cgroup_hier.name) */
	char *created; /* topmost directory cgroup_create made, or NULL */
	bool v2;
	bool gone;     /* loaded from a state whose hierarchy is no longer mounted */
	unsigned mask; /* controllers managed through this directory */
};

struct cgroup {
	struct cgroup_host *host;
	char *id;
	char *path; /* cgroup path inside the primary hierarchy ("/berth/x") */
	struct cgroup_dir *dirs;
	size_t n;
	unsigned need; /* controllers the resources given to cgroup_new use */
	/* OOM watch */
	int oom_dir;
	uint64_t oom_base;
};

/* Driver: what differs between a v1 hierarchy and the cgroup2 one. */
struct cgroup_ops {
	/* mkdir d->path level by level (setting d->created) and prepare it */
	int (*create)(struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err);
	int (*apply)(struct cgroup *cg, struct cgroup_dir *d, const struct oci_resources *r,
		     struct berth_error **err);
	int (*freeze)(struct cgroup *cg, struct cgroup_dir *d, bool frozen,
		      struct berth_error **err);
	bool (*is_frozen)(struct cgroup_dir *d);
	/* add this directory's controllers to the stats object */
	int (*stats)(struct cgroup_dir *d, json_t *data, struct berth_error **err);
	/* fd for cgroup_oom_fd, and the current oom_kill count */
	int (*oom_fd)(struct cgroup *cg, struct cgroup_dir *d, struct berth_error **err);
	int (*oom_kills)(struct cgroup_dir *d, uint64_t *n, struct berth_error **err);
};

extern const struct cgroup_ops cgroup_v1_ops;
extern const struct cgroup_ops cgroup_v2_ops;

static inline const struct cgroup_ops *cgroup_dir_ops(const struct cgroup_dir *d)
{
	return d->v2 ? &cgroup_v2_ops : &cgroup_v1_ops;
}

/* --- file helpers (cgroup.c) --- */

/* Write value to dir/file in one write(2). Error: "write V to F: strerror". */
int cgroup_write(const struct cgroup *cg, const char *dir, const char *file, const char *value,
		 struct berth_error **err);
/* The same on an open file (path for messages and hooks). */
int cgroup_write_fd(const struct cgroup *cg, int fd, const char *path, const char *value,
		    struct berth_error **err);
int cgroup_writef(const struct cgroup *cg, const char *dir, const char *file,
		  struct berth_error **err, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* Whole file, trailing newline removed. */
int cgroup_read(const char *dir, const char *file, char **out, struct berth_error **err);
/* A number ("max" reads as UINT64_MAX). */
int cgroup_read_u64(const char *dir, const char *file, uint64_t *out, struct berth_error **err);
/* The value of "key N" in a flat-keyed file (memory.stat, cpu.stat, ...). */
int cgroup_read_key(const char *dir, const char *file, const char *key, uint64_t *out,
		    struct berth_error **err);
/* Every "key N" line of a file as a JSON object of integers. */
json_t *cgroup_read_keys(const char *dir, const char *file);
bool cgroup_file_exists(const char *dir, const char *file);
/* mkdir one level; *created tells whether it was made now. Calls the mkdir
 * hook of fake trees. */
int cgroup_mkdir(const struct cgroup *cg, const char *path, bool *created,
		 struct berth_error **err);
/* The directories from d->base down to d->path, each a full path
 * (NULL-terminated; the first is the mount point itself). */
char **cgroup_dir_levels(const struct cgroup_dir *d);
/* Sleep ms milliseconds (used by the waits). */
void cgroup_sleep_ms(unsigned ms);
/* An unsigned counter as a JSON integer (above INT64_MAX: INT64_MAX). */
json_t *cgroup_json_u64(uint64_t v);
/* set key to an integer, but only if non-zero (runc's omitempty) */
void cgroup_json_set_nz(json_t *o, const char *key, uint64_t v);
json_t *cgroup_json_object(json_t *parent, const char *key);

/* --- shared by the drivers --- */

/* pids.current / pids.max into data["pids"] (same files on v1 and v2) */
void cgroup_pids_stats(const char *dir, json_t *data);
/* rdma.max lines (same format on v1 and v2) */
int cgroup_rdma_apply(struct cgroup *cg, const char *dir, const struct oci_resources *r,
		      struct berth_error **err);
/* runc's conversions for cgroup v2 */
uint64_t cgroup_shares_to_weight(uint64_t shares);
uint64_t cgroup_blkio_to_io_weight(uint16_t weight);

/* --- device rules (cgroup-devices.c) --- */

#define CG_DEV_M 1u /* values of BPF_DEVCG_ACC_* */
#define CG_DEV_R 2u
#define CG_DEV_W 4u

struct cgroup_dev_exception {
	char type;	      /* 'b' or 'c' */
	int64_t major, minor; /* -1 = any */
	unsigned access;      /* CG_DEV_* */
};

/* The effect of a rule list, computed the way the v1 kernel (and runc's
 * emulator) applies rules in order: "a" rules reset the default, the others
 * add or remove exceptions to it. */
struct cgroup_dev_state {
	bool default_allow;
	struct cgroup_dev_exception *ex;
	size_t n;
};

int cgroup_devices_emulate(const struct oci_device_rule *rules, size_t n,
			   struct cgroup_dev_state *st, struct berth_error **err);
void cgroup_dev_state_release(struct cgroup_dev_state *st);
/* v1: "a" to devices.deny (or .allow), then each exception. */
int cgroup_v1_devices_apply(struct cgroup *cg, const char *dir, const struct oci_resources *r,
			    struct berth_error **err);

/* --- eBPF device program (cgroup-devices-bpf.c) --- */

/* The BPF_PROG_TYPE_CGROUP_DEVICE program for a rule state. Caller frees. */
struct bpf_insn *cgroup_bpf_devices_program(const struct cgroup_dev_state *st, size_t *n);
/* Load it and attach it to dir (BPF_F_ALLOW_MULTI); when replace is set,
 * detach every other device program on dir afterwards (our own cgroup). */
int cgroup_bpf_devices_install(const struct cgroup *cg, const char *dir,
			       const struct bpf_insn *insns, size_t n, bool replace,
			       struct berth_error **err);

#endif
