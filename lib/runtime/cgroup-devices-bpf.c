/* cgroup v2 device control: a BPF_PROG_TYPE_CGROUP_DEVICE program written as
 * raw instructions (no libbpf), loaded with bpf(2) and attached to the
 * container's cgroup with BPF_F_ALLOW_MULTI.
 *
 * The program sees struct bpf_cgroup_dev_ctx { u32 access_type; u32 major;
 * u32 minor; } with the device type in the low 16 bits of access_type and
 * the access (BPF_DEVCG_ACC_*) in the high 16. From a reduced rule state
 * (cgroup_devices_emulate) it is:
 *
 *   r2 = type; r3 = access; r4 = major; r5 = minor
 *   per exception:  if type != T goto next
 *                   if (access & A) != access goto next     (allow; unless A = rwm)
 *                   if (access & A) == 0 goto next          (deny; unless A = rwm)
 *                   if major != M goto next                 (unless M = *)
 *                   if minor != m goto next                 (unless m = *)
 *                   return !default
 *   next...         return default
 *
 * as runc's devicefilter generates it, with 32-bit compares (JMP32), and
 * one difference: in a blacklist, runc's program only denies when the whole
 * access is in the deny rule ("deny w" lets an rw open through); the v1
 * kernel denies on any overlap, and so does this program. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define INSN(c, d, s, o, i)                                                                        \
	((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})

struct prog {
	struct bpf_insn *v;
	size_t n, cap;
};

static void emit(struct prog *p, struct bpf_insn insn)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 32;
		p->v = xrealloc(p->v, p->cap * sizeof(*p->v));
	}
	p->v[p->n++] = insn;
}

/* Instructions of one exception's block (to compute the jump offsets). */
static size_t block_len(const struct cgroup_dev_exception *e)
{
	size_t all = CG_DEV_R | CG_DEV_W | CG_DEV_M;
	return 1 + (e->access != all ? 3 : 0) + (e->major >= 0) + (e->minor >= 0) + 2;
}

struct bpf_insn *cgroup_bpf_devices_program(const struct cgroup_dev_state *st, size_t *n)
{
	struct prog p = {0};
	/* prologue: r2 = type, r3 = access, r4 = major, r5 = minor */
	emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_2, BPF_REG_1, 0, 0));
	emit(&p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_2, 0, 0, 0xffff));
	emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_3, BPF_REG_1, 0, 0));
	emit(&p, INSN(BPF_ALU | BPF_RSH | BPF_K, BPF_REG_3, 0, 0, 16));
	emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_4, BPF_REG_1, 4, 0));
	emit(&p, INSN(BPF_LDX | BPF_MEM | BPF_W, BPF_REG_5, BPF_REG_1, 8, 0));
	for (size_t i = 0; i < st->n; i++) {
		const struct cgroup_dev_exception *e = &st->ex[i];
		size_t end = p.n + block_len(e); /* first instruction of the next block */
#define TO_NEXT ((__s16)(end - p.n - 1))
		int type = e->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR;
		emit(&p, INSN(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_2, 0, TO_NEXT, type));
		if (e->access != (CG_DEV_R | CG_DEV_W | CG_DEV_M)) {
			/* r1 = r3 & A; an allow exception must cover the whole
			 * access (if r1 != r3 goto next), a deny exception denies
			 * any overlap (if r1 == 0 goto next), as v1 does */
			emit(&p, INSN(BPF_ALU | BPF_MOV | BPF_X, BPF_REG_1, BPF_REG_3, 0, 0));
			emit(&p, INSN(BPF_ALU | BPF_AND | BPF_K, BPF_REG_1, 0, 0, (int)e->access));
			if (st->default_allow)
				emit(&p,
				     INSN(BPF_JMP32 | BPF_JEQ | BPF_K, BPF_REG_1, 0, TO_NEXT, 0));
			else
				emit(&p, INSN(BPF_JMP32 | BPF_JNE | BPF_X, BPF_REG_1, BPF_REG_3,
					      TO_NEXT, 0));
		}
		if (e->major >= 0)
			emit(&p, INSN(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_4, 0, TO_NEXT,
				      (__s32)(uint32_t)e->major));
		if (e->minor >= 0)
			emit(&p, INSN(BPF_JMP32 | BPF_JNE | BPF_K, BPF_REG_5, 0, TO_NEXT,
				      (__s32)(uint32_t)e->minor));
#undef TO_NEXT
		emit(&p,
		     INSN(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, st->default_allow ? 0 : 1));
		emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	}
	emit(&p, INSN(BPF_ALU | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, st->default_allow ? 1 : 0));
	emit(&p, INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
	*n = p.n;
	return p.v;
}

static long sys_bpf(int cmd, union bpf_attr *attr)
{
	long r;
	do
		r = syscall(SYS_bpf, cmd, attr, sizeof(*attr));
	while (r < 0 && errno == EINTR);
	return r;
}

static int prog_load(const struct bpf_insn *insns, size_t n, struct berth_error **err)
{
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
	a.insns = (__u64)(uintptr_t)insns;
	a.insn_cnt = (__u32)n;
	a.license = (__u64)(uintptr_t) "Apache";
	int fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	int saved = errno;
	/* again with the verifier's log, for the message */
	size_t cap = 65536;
	cleanup_free char *log = xcalloc(1, cap);
	a.log_buf = (__u64)(uintptr_t)log;
	a.log_size = (__u32)cap;
	a.log_level = 1;
	fd = (int)sys_bpf(BPF_PROG_LOAD, &a);
	if (fd >= 0)
		return fd;
	errno = saved;
	size_t len = strlen(log);
	while (len > 0 && log[len - 1] == '\n')
		log[--len] = '\0';
	const char *last = strrchr(log, '\n');
	return berth_error_errno(err, "load the eBPF device program (%zu instructions)%s%s", n,
				 *log ? ": verifier: " : "", last ? last + 1 : log);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info;
	union bpf_attr a;
	memset(&info, 0, sizeof(info));
	memset(&a, 0, sizeof(a));
	a.info.bpf_fd = (__u32)fd;
	a.info.info_len = sizeof(info);
	a.info.info = (__u64)(uintptr_t)&info;
	return sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &a) < 0 ? 0 : info.id;
}

/* Detach every device program of cgfd but the one with id keep. */
static int detach_others(int cgfd, __u32 keep, const char *dir, struct berth_error **err)
{
	__u32 ids[64];
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.query.target_fd = (__u32)cgfd;
	a.query.attach_type = BPF_CGROUP_DEVICE;
	a.query.prog_ids = (__u64)(uintptr_t)ids;
	a.query.prog_cnt = 64;
	if (sys_bpf(BPF_PROG_QUERY, &a) < 0)
		return berth_error_errno(err, "query the device programs of %s", dir);
	for (__u32 i = 0; i < a.query.prog_cnt && i < 64; i++) {
		if (ids[i] == keep)
			continue;
		union bpf_attr g;
		memset(&g, 0, sizeof(g));
		g.prog_id = ids[i];
		cleanup_close int pfd = (int)sys_bpf(BPF_PROG_GET_FD_BY_ID, &g);
		if (pfd < 0)
			continue; /* gone meanwhile */
		union bpf_attr d;
		memset(&d, 0, sizeof(d));
		d.target_fd = (__u32)cgfd;
		d.attach_bpf_fd = (__u32)pfd;
		d.attach_type = BPF_CGROUP_DEVICE;
		if (sys_bpf(BPF_PROG_DETACH, &d) < 0 && errno != ENOENT)
			return berth_error_errno(err, "detach device program %u from %s", ids[i],
						 dir);
	}
	return 0;
}

int cgroup_bpf_devices_install(const struct cgroup *cg, const char *dir,
			       const struct bpf_insn *insns, size_t n, bool replace,
			       struct berth_error **err)
{
	(void)cg;
	cleanup_close int cgfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (cgfd < 0)
		return berth_error_errno(err, "open %s", dir);
	cleanup_close int pfd = prog_load(insns, n, err);
	if (pfd < 0)
		return berth_error_wrap(err, "%s", dir);
	union bpf_attr a;
	memset(&a, 0, sizeof(a));
	a.target_fd = (__u32)cgfd;
	a.attach_bpf_fd = (__u32)pfd;
	a.attach_type = BPF_CGROUP_DEVICE;
	a.attach_flags = BPF_F_ALLOW_MULTI;
	if (sys_bpf(BPF_PROG_ATTACH, &a) < 0)
		return berth_error_errno(err, "attach the eBPF device program to %s", dir);
	/* attach first, then drop the old one: no moment without a filter */
	__u32 id = replace ? prog_id(pfd) : 0;
	return id ? detach_others(cgfd, id, dir, err) : 0;
}
