/* Fake cgroupfs trees for the cgroup unit tests: a temp dir with the mount
 * points and control files of a v1, hybrid or v2 host, a fake mountinfo and
 * /proc/self/cgroup, and hooks that play the kernel's part (files appear on
 * mkdir) and record every write ("memory/c1/memory.limit_in_bytes=64").
 * Header-only; each test file is one executable. */
#ifndef BERTH_TESTS_UNIT_TEST_CGROUP_UTIL_H
#define BERTH_TESTS_UNIT_TEST_CGROUP_UTIL_H

#include "test-util.h"

#include "runtime/cgroup-internal.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <linux/limits.h>
#include <sys/stat.h>
#include <unistd.h>

enum fake_layout { FAKE_V1, FAKE_HYBRID, FAKE_V2 };

struct fake {
	enum fake_layout layout;
	char root[64];	  /* the temp dir */
	char cgroot[128]; /* root + /sys/fs/cgroup */
	char *mountinfo, *self;
	struct cgroup_hooks hooks;
	struct cgroup_env env;
	char **log; /* writes, relative to cgroot */
	size_t nlog;
	/* the last device program given to the bpf hook */
	struct bpf_insn *prog;
	size_t nprog;
	char *prog_dir;
	/* cpu.shares above this are clamped (as the kernel does) */
	unsigned long max_shares;
	bool bfq; /* blkio.bfq.* / io.bfq.* files instead of the plain ones */
	struct cgroup_host *h;
};

static inline void fake_write_file(const char *path, const char *content)
{
	FILE *f = fopen(path, "w");
	if (f == NULL)
		fail_msg("create %s: %s", path, strerror(errno));
	fputs(content, f);
	fclose(f);
}

/* dir/name (or dir alone when name is NULL) with the content, for
 * fake_write_file and friends; caller frees. */
static inline char *fake_path(const char *dir, const char *name)
{
	return name ? xasprintf("%s/%s", dir, name) : xstrdup(dir);
}

static inline void fake_write_at(const char *dir, const char *name, const char *content)
{
	char *p = fake_path(dir, name);
	fake_write_file(p, content);
	free(p);
}

/* path relative to the cgroup root ("memory/x/memory.limit_in_bytes") */
static inline void fake_set(struct fake *f, const char *rel, const char *content)
{
	fake_write_at(f->cgroot, rel, content);
}

/* Content of a file relative to the cgroup root (static buffer). */
static inline const char *fake_get(struct fake *f, const char *rel)
{
	static char buf[4096];
	char *p = fake_path(f->cgroot, rel);
	FILE *fp = fopen(p, "r");
	free(p);
	if (fp == NULL)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

static inline bool fake_exists(struct fake *f, const char *rel)
{
	char *p = fake_path(f->cgroot, rel);
	bool r = access(p, F_OK) == 0;
	free(p);
	return r;
}

static inline void fake_mkdir(struct fake *f, const char *rel)
{
	char *p = fake_path(f->cgroot, rel);
	struct berth_error *e = NULL;
	if (fs_mkdir_p(p, 0755, &e) < 0)
		fail_msg("%s", e->msg);
	free(p);
}

struct fake_file {
	const char *name, *content;
};

static const struct fake_file fake_common[] = {{"cgroup.procs", ""}, {NULL, NULL}};
static const struct fake_file fake_v1_files[][12] = {
    [CG_CPU] = {{"cpu.shares", "1024\n"},
		{"cpu.cfs_period_us", "100000\n"},
		{"cpu.cfs_quota_us", "-1\n"},
		{"cpu.cfs_burst_us", "0\n"},
		{"cpu.rt_period_us", "1000000\n"},
		{"cpu.rt_runtime_us", "0\n"},
		{"cpu.idle", "0\n"},
		{"cpu.stat", "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n"}},
    [CG_CPUACCT] = {{"cpuacct.usage", "0\n"},
		    {"cpuacct.usage_percpu", "0 0 \n"},
		    {"cpuacct.stat", "user 0\nsystem 0\n"}},
    [CG_CPUSET] = {{"cpuset.cpus", "\n"}, {"cpuset.mems", "\n"}},
    [CG_MEMORY] = {{"memory.limit_in_bytes", "9223372036854771712\n"},
		   {"memory.memsw.limit_in_bytes", "9223372036854771712\n"},
		   {"memory.soft_limit_in_bytes", "9223372036854771712\n"},
		   {"memory.swappiness", "60\n"},
		   {"memory.oom_control", "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
		   {"memory.usage_in_bytes", "0\n"},
		   {"memory.max_usage_in_bytes", "0\n"},
		   {"memory.failcnt", "0\n"},
		   {"memory.stat", "cache 0\nrss 0\n"},
		   {"cgroup.event_control", ""}},
    [CG_DEVICES] = {{"devices.allow", ""}, {"devices.deny", ""}, {"devices.list", "a *:* rwm\n"}},
    [CG_FREEZER] = {{"freezer.state", "THAWED\n"}},
    [CG_BLKIO] = {{"blkio.weight", "500\n"},
		  {"blkio.weight_device", ""},
		  {"blkio.leaf_weight", "500\n"},
		  {"blkio.leaf_weight_device", ""},
		  {"blkio.throttle.read_bps_device", ""},
		  {"blkio.throttle.write_bps_device", ""},
		  {"blkio.throttle.read_iops_device", ""},
		  {"blkio.throttle.write_iops_device", ""}},
    [CG_PIDS] = {{"pids.max", "max\n"}, {"pids.current", "0\n"}},
    [CG_HUGETLB] = {{"hugetlb.2MB.limit_in_bytes", "9223372036854771712\n"},
		    {"hugetlb.2MB.rsvd.limit_in_bytes", "9223372036854771712\n"},
		    {"hugetlb.1GB.limit_in_bytes", "9223372036854771712\n"}},
    [CG_NET_CLS] = {{"net_cls.classid", "0\n"}},
    [CG_NET_PRIO] = {{"net_prio.ifpriomap", ""}},
    [CG_RDMA] = {{"rdma.max", ""}},
};
static const struct fake_file fake_v2_files[] = {
    {"cgroup.type", "domain\n"},
    {"cgroup.subtree_control", ""},
    {"cgroup.freeze", "0\n"},
    {"cgroup.events", "populated 0\nfrozen 0\n"},
    {"memory.max", "max\n"},
    {"memory.swap.max", "max\n"},
    {"memory.low", "0\n"},
    {"memory.high", "max\n"},
    {"memory.current", "0\n"},
    {"memory.events", "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"},
    {"memory.stat", "anon 0\nfile 0\n"},
    {"cpu.weight", "100\n"},
    {"cpu.max", "max 100000\n"},
    {"cpu.max.burst", "0\n"},
    {"cpu.idle", "0\n"},
    {"cpu.stat", "usage_usec 0\nuser_usec 0\nsystem_usec 0\n"},
    {"io.weight", "default 100\n"},
    {"io.max", ""},
    {"pids.max", "max\n"},
    {"pids.current", "0\n"},
    {"cpuset.cpus", "\n"},
    {"cpuset.mems", "\n"},
    {"hugetlb.2MB.max", "max\n"},
    {"hugetlb.2MB.rsvd.max", "max\n"},
    {"hugetlb.1GB.max", "max\n"},
    {"rdma.max", ""},
    {NULL, NULL}};

static inline void fake_files(const char *dir, const struct fake_file *files)
{
	for (; files->name; files++)
		fake_write_at(dir, files->name, files->content);
}

/* The hierarchy a full path is in: "memory", "cpu,cpuacct", "unified", "" (v2). */
static inline const char *fake_hier_of(struct fake *f, const char *dir, char *buf, size_t n)
{
	const char *rel = dir + strlen(f->cgroot);
	if (f->layout == FAKE_V2)
		return "";
	rel += *rel == '/';
	size_t len = strcspn(rel, "/");
	snprintf(buf, n, "%.*s", (int)len, rel);
	return buf;
}

/* The files a kernel would create in a new cgroup directory. */
static inline void fake_populate(struct fake *f, const char *dir)
{
	char hbuf[64];
	const char *hier = fake_hier_of(f, dir, hbuf, sizeof(hbuf));
	fake_files(dir, fake_common);
	if (f->layout == FAKE_V2 || strcmp(hier, "unified") == 0) {
		fake_files(dir, fake_v2_files);
		fake_write_at(dir, "cgroup.controllers",
			      f->layout == FAKE_V2 ? "cpuset cpu io memory hugetlb pids rdma\n"
						   : "hugetlb\n");
		if (f->bfq)
			fake_write_at(dir, "io.bfq.weight", "default 100\n");
		return;
	}
	char copy[64];
	snprintf(copy, sizeof(copy), "%s", hier);
	char *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		int c = cgroup_ctrl_from_name(t, false);
		if (c >= 0)
			fake_files(dir, fake_v1_files[c]);
		if (c == CG_BLKIO && f->bfq) {
			fake_write_at(dir, "blkio.bfq.weight", "100\n");
			fake_write_at(dir, "blkio.bfq.weight_device", "");
		}
	}
}

static inline void fake_on_mkdir(const char *dir, void *data)
{
	fake_populate(data, dir);
}

/* Remove the regular files of dir (what the kernel's rmdir does not need),
 * so that rmdir works; a dir with sub-directories stays not empty. */
static inline void fake_on_rmdir(const char *dir, void *data)
{
	(void)data;
	DIR *d = opendir(dir);
	if (d == NULL)
		return;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_type == DT_REG)
			unlinkat(dirfd(d), e->d_name, 0);
	closedir(d);
}

static inline void fake_on_write(const char *file, const char *value, void *data)
{
	struct fake *f = data;
	const char *rel = file + strlen(f->cgroot) + 1;
	f->log = realloc(f->log, (f->nlog + 1) * sizeof(char *));
	assert_non_null(f->log);
	f->log[f->nlog] = malloc(strlen(rel) + strlen(value) + 2);
	sprintf(f->log[f->nlog++], "%s=%s", rel, value);
	size_t fl = strlen(file);
	/* play the kernel: subtree_control keeps a set ("+x" adds x) */
	if (fl > 22 && strcmp(file + fl - 22, "cgroup.subtree_control") == 0 && value[0] == '+') {
		char cur[512] = "";
		char *shadow = xasprintf("%s.shadow", file);
		FILE *sf = fopen(shadow, "r");
		if (sf) {
			size_t n = fread(cur, 1, sizeof(cur) - 64, sf);
			cur[n] = '\0';
			fclose(sf);
		}
		snprintf(cur + strlen(cur), sizeof(cur) - strlen(cur), "%s%s", *cur ? " " : "",
			 value + 1);
		fake_write_file(shadow, cur);
		fake_write_file(file, cur);
		free(shadow);
	}
	/* and clamp cpu.shares */
	if (f->max_shares && fl > 10 && strcmp(file + fl - 10, "cpu.shares") == 0 &&
	    strtoul(value, NULL, 10) > f->max_shares) {
		char v[32];
		snprintf(v, sizeof(v), "%lu\n", f->max_shares);
		fake_write_file(file, v);
	}
}

static inline int fake_on_bpf(const char *dir, const void *insns, size_t n, void *data)
{
	struct fake *f = data;
	free(f->prog);
	free(f->prog_dir);
	f->prog = malloc(n * sizeof(struct bpf_insn));
	memcpy(f->prog, insns, n * sizeof(struct bpf_insn));
	f->nprog = n;
	f->prog_dir = strdup(dir + strlen(f->cgroot));
	return 0;
}

static inline void fake_clear_log(struct fake *f)
{
	for (size_t i = 0; i < f->nlog; i++)
		free(f->log[i]);
	free(f->log);
	f->log = NULL;
	f->nlog = 0;
}

/* The recorded writes must be exactly `want` (NULL-terminated); clears the log. */
static inline void fake_expect_writes(struct fake *f, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	bool ok = n == f->nlog;
	for (size_t i = 0; ok && i < n; i++)
		ok = strcmp(want[i], f->log[i]) == 0;
	if (!ok) {
		fprintf(stderr, "writes:\n");
		for (size_t i = 0; i < f->nlog; i++)
			fprintf(stderr, "  %s\n", f->log[i]);
		fprintf(stderr, "expected:\n");
		for (size_t i = 0; i < n; i++)
			fprintf(stderr, "  %s\n", want[i]);
		fail_msg("unexpected cgroup writes");
	}
	fake_clear_log(f);
}

#define EXPECT_WRITES(f, ...)                                                                      \
	do {                                                                                       \
		const char *const w_[] = {__VA_ARGS__, NULL};                                      \
		fake_expect_writes((f), w_);                                                       \
	} while (0)
#define EXPECT_NO_WRITES(f)                                                                        \
	do {                                                                                       \
		const char *const w_[] = {NULL};                                                   \
		fake_expect_writes((f), w_);                                                       \
	} while (0)

/* mountinfo line for a cgroup mount at /sys/fs/cgroup/<dir> */
static inline void fake_mount(FILE *mi, struct fake *f, int id, const char *dir, bool v2,
			      const char *super)
{
	char *p = fake_path(f->cgroot, dir);
	struct berth_error *e = NULL;
	if (fs_mkdir_p(p, 0755, &e) < 0)
		fail_msg("%s", e->msg);
	fprintf(mi, "%d 31 0:%d / /sys/fs/cgroup%s%s rw,nosuid shared:%d - %s %s %s\n", id, id,
		*dir ? "/" : "", dir, id, v2 ? "cgroup2" : "cgroup", v2 ? "cgroup2" : "cgroup",
		super);
	/* root cgroups have cgroup.procs, and for cgroup2 the controllers */
	fake_files(p, fake_common);
	if (v2) {
		fake_write_at(p, "cgroup.controllers",
			      f->layout == FAKE_V2 ? "cpuset cpu io memory hugetlb pids rdma\n"
						   : "hugetlb\n");
		fake_write_at(p, "cgroup.subtree_control", "");
	} else if (strstr(super, "cpuset")) {
		/* the root's cpus and mems, inherited by new cgroups */
		fake_write_at(p, "cpuset.cpus", "0-3\n");
		fake_write_at(p, "cpuset.mems", "0\n");
	}
	free(p);
}

/* mount dir, super options, /proc/self/cgroup controllers */
static const char *const fake_v1_hiers[][3] = {
    {"cpu,cpuacct", "rw,cpu,cpuacct", "cpu,cpuacct"},
    {"cpuset", "rw,cpuset", "cpuset"},
    {"memory", "rw,memory", "memory"},
    {"devices", "rw,devices", "devices"},
    {"freezer", "rw,freezer", "freezer"},
    {"blkio", "rw,blkio", "blkio"},
    {"pids", "rw,pids", "pids"},
    {"net_cls,net_prio", "rw,net_cls,net_prio", "net_cls,net_prio"},
    {"rdma", "rw,rdma", "rdma"},
    {"systemd", "rw,xattr,name=systemd", "name=systemd"}};

/* A fake host. own: this process's cgroup in every hierarchy ("/" usually). */
static inline struct fake *fake_new(enum fake_layout layout, const char *own)
{
	struct fake *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->layout = layout;
	strcpy(f->root, "/tmp/berth-cgfake.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	snprintf(f->cgroot, sizeof(f->cgroot), "%s/sys/fs/cgroup", f->root);
	f->mountinfo = malloc(strlen(f->root) + 16);
	f->self = malloc(strlen(f->root) + 16);
	sprintf(f->mountinfo, "%s/mountinfo", f->root);
	sprintf(f->self, "%s/self-cgroup", f->root);
	FILE *mi = fopen(f->mountinfo, "w"), *self = fopen(f->self, "w");
	assert_non_null(mi);
	assert_non_null(self);
	fprintf(mi, "22 1 0:21 / /sys rw,nosuid shared:7 - sysfs sysfs rw\n"
		    "31 22 0:26 / /sys/fs/cgroup ro shared:9 - tmpfs tmpfs ro,mode=755\n");
	if (layout == FAKE_V2) {
		fake_mount(mi, f, 40, "", true, "rw,nsdelegate");
		fprintf(self, "0::%s\n", own);
	} else {
		int n = 0;
		for (size_t i = 0; i < ARRAY_SIZE(fake_v1_hiers); i++) {
			fake_mount(mi, f, 40 + n, fake_v1_hiers[i][0], false, fake_v1_hiers[i][1]);
			fprintf(self, "%d:%s:%s\n", 12 - n, fake_v1_hiers[i][2], own);
			n++;
		}
		if (layout == FAKE_V1) {
			fake_mount(mi, f, 60, "hugetlb", false, "rw,hugetlb");
			fprintf(self, "1:hugetlb:%s\n", own);
		} else {
			fake_mount(mi, f, 61, "unified", true, "rw");
		}
		fprintf(self, "0::%s\n", own);
	}
	fclose(mi);
	fclose(self);
	f->hooks = (struct cgroup_hooks){.mkdir = fake_on_mkdir,
					 .rmdir = fake_on_rmdir,
					 .write = fake_on_write,
					 .bpf_devices = fake_on_bpf,
					 .data = f};
	f->env = (struct cgroup_env){.mountinfo = f->mountinfo,
				     .proc_self_cgroup = f->self,
				     .fs_root = f->root,
				     .hooks = &f->hooks};
	struct berth_error *err = NULL;
	if (cgroup_host_detect(&f->env, &f->h, &err) < 0)
		fail_msg("detect: %s", err->msg);
	return f;
}

static inline void fake_free(struct fake *f)
{
	char cmd[128];
	cgroup_host_free(f->h);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->root);
	if (system(cmd) != 0)
		fail_msg("cannot remove %s", f->root);
	fake_clear_log(f);
	free(f->mountinfo);
	free(f->self);
	free(f->prog);
	free(f->prog_dir);
	free(f);
}

/* Resources from single-quoted test JSON. */
static inline struct oci_resources *fake_res(const char *json)
{
	json_t *j = tu_json(json);
	struct oci_resources *r = NULL;
	struct berth_error *err = NULL;
	if (oci_resources_parse(j, &r, &err) < 0)
		fail_msg("resources %s: %s", json, err->msg);
	json_decref(j);
	return r;
}

/* cgroup_new + cgroup_create for path with res; the mkdir writes (cpuset
 * copies, subtree_control) are left in the log. */
static inline struct cgroup *fake_cgroup(struct fake *f, const char *path, const char *res_json)
{
	struct oci_resources *r = res_json ? fake_res(res_json) : NULL;
	struct cgroup *cg = NULL;
	struct berth_error *err = NULL;
	if (cgroup_new(f->h, path, "c1", r, &cg, &err) < 0 || cgroup_create(cg, &err) < 0)
		fail_msg("cgroup %s: %s", path, err->msg);
	oci_resources_free(r);
	return cg;
}

/* cgroup_apply must succeed */
static inline void fake_apply(struct cgroup *cg, const char *res_json)
{
	struct oci_resources *r = fake_res(res_json);
	struct berth_error *err = NULL;
	if (cgroup_apply(cg, r, &err) < 0)
		fail_msg("apply %s: %s", res_json, err->msg);
	oci_resources_free(r);
}

/* cgroup_apply must fail with a message containing want */
static inline void fake_apply_fails(struct cgroup *cg, const char *res_json, const char *want)
{
	struct oci_resources *r = fake_res(res_json);
	struct berth_error *err = NULL;
	assert_int_equal(cgroup_apply(cg, r, &err), -1);
	tu_assert_msg(err, want);
	berth_error_free(&err);
	oci_resources_free(r);
}

#endif
