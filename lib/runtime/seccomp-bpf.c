/* The compiled filter: BPF export, runc's -ENOSYS stub, flag probing, and
 * the load in the container's init.
 *
 * The -ENOSYS stub (runc's libcontainer/seccomp/patchbpf): for each
 * architecture the profile lists, a syscall numbered above the highest
 * syscall the profile names (on that architecture) gets -ENOSYS instead of
 * the default action, so that a libc probing a syscall newer than the
 * profile (clone3, faccessat2, ...) falls back instead of failing with
 * EPERM. It runs before libseccomp's own program:
 *
 *	ld  [arch]
 *	jeq #AUDIT_ARCH_1, 0, 1 ; ja section_1     (one pair per architecture)
 *	ja  filter
 *	section: ld [nr] ; jgt #max -> ret ERRNO(ENOSYS) ; ja filter
 *	         (x86_64: the x32 bit selects the x32 or the x86_64 maximum)
 *	filter:  libseccomp's program
 */
#include "runtime/seccomp-internal.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define X32_SYSCALL_BIT 0x40000000U
#define NO_MAX 0xffffffffU /* "jgt #NO_MAX" is never true */
#define RET_ENOSYS (SECCOMP_RET_ERRNO | ENOSYS)

bool seccomp_flag_from_name(const char *name, unsigned int *bit)
{
	static const struct {
		const char *name;
		unsigned int bit;
	} flags[] = {
	    {"SECCOMP_FILTER_FLAG_TSYNC", 0},
	    {"SECCOMP_FILTER_FLAG_LOG", SECCOMP_FILTER_FLAG_LOG},
	    {"SECCOMP_FILTER_FLAG_SPEC_ALLOW", SECCOMP_FILTER_FLAG_SPEC_ALLOW},
	    {"SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV", SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV},
	};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		if (strcmp(flags[i].name, name) == 0) {
			*bit = flags[i].bit;
			return true;
		}
	}
	*bit = 0;
	return false;
}

bool seccomp_flag_supported(unsigned int bit)
{
	/* the kernel takes WAIT_KILLABLE_RECV only together with a listener */
	if (bit & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV)
		bit |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	/* as libseccomp probes: known flags get past the flag check and fail
	 * on copying the (NULL) program */
	int saved = errno;
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, bit, NULL);
	bool ok = r < 0 && errno == EFAULT;
	errno = saved;
	return ok;
}

bool seccomp_action_supported(uint32_t action)
{
	uint32_t a = action & SECCOMP_RET_ACTION_FULL;
	/* the actions of Linux 3.5 need no asking (and older kernels or
	 * valgrind do not answer) */
	if (a == SECCOMP_RET_KILL_THREAD || a == SECCOMP_RET_TRAP || a == SECCOMP_RET_ERRNO ||
	    a == SECCOMP_RET_TRACE || a == SECCOMP_RET_ALLOW)
		return true;
	int saved = errno;
	bool ok = syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &a) == 0;
	errno = saved;
	return ok;
}

static int export_bpf(scmp_filter_ctx ctx, struct sock_filter **out, size_t *n,
		      struct berth_error **err)
{
	cleanup_close int fd = memfd_create("berth-seccomp-bpf", MFD_CLOEXEC);
	if (fd < 0)
		return berth_error_errno(err, "memfd_create for the BPF export");
	int r = seccomp_export_bpf(ctx, fd);
	if (r < 0)
		return berth_error_set(err, -r, "export the filter as BPF: %s", strerror(-r));
	struct stat st;
	if (fstat(fd, &st) < 0)
		return berth_error_errno(err, "fstat the BPF export");
	size_t size = (size_t)st.st_size;
	if (size == 0 || size % sizeof(struct sock_filter))
		return berth_error_set(err, EINVAL, "BPF export has a bad size %zu", size);
	cleanup_free struct sock_filter *buf = xmalloc(size);
	for (size_t done = 0; done < size;) {
		ssize_t k = pread(fd, (char *)buf + done, size - done, (off_t)done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return berth_error_errno(err, "read back the BPF export");
		done += (size_t)k;
	}
	*n = size / sizeof(struct sock_filter);
	*out = steal_ptr(buf);
	return 0;
}

struct stub_group {
	uint32_t audit;	       /* AUDIT_ARCH_* in seccomp_data.arch */
	uint32_t max, max_x32; /* NO_MAX when absent */
	bool x86_64, s390;
};

/* Highest syscall number of the profile on `arch`; 0 if none resolves. */
static uint32_t arch_max(uint32_t arch, const struct seccomp_stub_info *s)
{
	int best = 0;
	for (size_t i = 0; i < s->n_names; i++) {
		int nr = seccomp_syscall_resolve_name_arch(arch, s->names[i]);
		if (nr > best) /* also skips __NR_SCMP_ERROR and pseudo-syscalls */
			best = nr;
	}
	return (uint32_t)best;
}

static size_t stub_groups(const struct seccomp_stub_info *s, struct stub_group *g)
{
	size_t n = 0;
	for (size_t i = 0; i < s->n_arches; i++) {
		uint32_t arch = s->arches[i];
		uint32_t max = arch_max(arch, s);
		if (max == 0) {
			log_debug("seccomp: no syscall of the profile exists on arch %#x", arch);
			continue;
		}
		uint32_t audit = arch == SCMP_ARCH_X32 ? SCMP_ARCH_X86_64 : arch;
		size_t k = 0;
		while (k < n && g[k].audit != audit)
			k++;
		if (k == n)
			g[n++] = (struct stub_group){.audit = audit,
						     .max = NO_MAX,
						     .max_x32 = NO_MAX,
						     .x86_64 = audit == SCMP_ARCH_X86_64,
						     .s390 = audit == SCMP_ARCH_S390 ||
							     audit == SCMP_ARCH_S390X};
		if (arch == SCMP_ARCH_X32)
			g[k].max_x32 = max;
		else
			g[k].max = max;
	}
	return n;
}

static size_t section_size(const struct stub_group *g)
{
	return g->x86_64 ? 6 : g->s390 ? 6 : 4;
}

#define STMT(code, k) ((struct sock_filter)BPF_STMT(code, k))
#define JUMP(code, k, jt, jf) ((struct sock_filter)BPF_JUMP(code, k, jt, jf))

/* Write one section at v[q]; `filter` is the index of libseccomp's start. */
static void emit_section(struct sock_filter *v, size_t q, const struct stub_group *g, size_t filter)
{
	size_t o = q;
	v[o++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr));
	if (g->x86_64) {
		v[o++] = JUMP(BPF_JMP | BPF_JSET | BPF_K, X32_SYSCALL_BIT, 1, 0);
		v[o++] = JUMP(BPF_JMP | BPF_JGT | BPF_K, g->max, 1, 2);
		v[o++] = JUMP(BPF_JMP | BPF_JGT | BPF_K, g->max_x32, 0, 1);
	} else {
		if (g->s390) {
			/* s390 multiplexes unknown large syscalls through setup (0) */
			v[o++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, 1);
			v[o++] = STMT(BPF_RET | BPF_K, RET_ENOSYS);
		}
		v[o++] = JUMP(BPF_JMP | BPF_JGT | BPF_K, g->max, 0, 1);
	}
	v[o++] = STMT(BPF_RET | BPF_K, RET_ENOSYS);
	v[o] = STMT(BPF_JMP | BPF_JA, (uint32_t)(filter - (o + 1)));
}

/* The stub for s (NULL and *n = 0 when it would do nothing). */
static struct sock_filter *build_stub(const struct seccomp_stub_info *s, size_t *n)
{
	struct stub_group g[SECCOMP_MAX_ARCHES];
	size_t ng = stub_groups(s, g);
	*n = 0;
	if (ng == 0)
		return NULL;
	size_t head = 1 + 2 * ng + 1, total = head;
	for (size_t i = 0; i < ng; i++)
		total += section_size(&g[i]);
	struct sock_filter *v = xcalloc(total, sizeof(*v));
	size_t pc = 0, sec = head;
	v[pc++] = STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch));
	for (size_t i = 0; i < ng; i++) {
		v[pc++] = JUMP(BPF_JMP | BPF_JEQ | BPF_K, g[i].audit, 0, 1);
		v[pc] = STMT(BPF_JMP | BPF_JA, (uint32_t)(sec - (pc + 1)));
		pc++;
		emit_section(v, sec, &g[i], total);
		sec += section_size(&g[i]);
	}
	v[pc] = STMT(BPF_JMP | BPF_JA, (uint32_t)(total - (pc + 1)));
	*n = total;
	return v;
}

int seccomp_build_program(scmp_filter_ctx ctx, const struct seccomp_stub_info *stub,
			  struct seccomp_program *p, struct berth_error **err)
{
	cleanup_free struct sock_filter *filter = NULL;
	size_t nf = 0;
	if (export_bpf(ctx, &filter, &nf, err) < 0)
		return -1;
	size_t ns = 0;
	cleanup_free struct sock_filter *st = stub ? build_stub(stub, &ns) : NULL;
	if (ns + nf > BPF_MAXINSNS)
		return berth_error_set(err, E2BIG,
				       "the filter has %zu BPF instructions, the kernel takes at "
				       "most %d",
				       ns + nf, BPF_MAXINSNS);
	if (ns == 0) {
		p->insns = steal_ptr(filter);
	} else {
		p->insns = xcalloc(ns + nf, sizeof(*p->insns));
		memcpy(p->insns, st, ns * sizeof(*st));
		memcpy(p->insns + ns, filter, nf * sizeof(*filter));
	}
	p->n_insns = ns + nf;
	return 0;
}

int seccomp_program_load(const struct seccomp_program *p, int *notify_fd, struct berth_error **err)
{
	*notify_fd = -1;
	if (p == NULL)
		return 0;
	struct sock_fprog prog = {.len = (unsigned short)p->n_insns,
				  .filter = (struct sock_filter *)p->insns};
	long r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, p->flags, &prog);
	if (r < 0) {
		if (errno == EACCES)
			return berth_error_errno(err, "load the seccomp filter (it needs "
						      "process.noNewPrivileges or CAP_SYS_ADMIN)");
		return berth_error_errno(err, "load the seccomp filter (flags %#x)", p->flags);
	}
	if (p->notify)
		*notify_fd = (int)r; /* the kernel made it close-on-exec */
	return 0;
}
