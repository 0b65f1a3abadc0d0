/* probe: a tiny static program copied into test rootfs images.
 * Prints facts about its own process as key=value lines.
 *
 *   probe caps      CapInh/CapPrm/CapEff/CapBnd/CapAmb (hex, from status)
 *   probe ids       uid, euid, gid, egid, groups, umask, cwd
 *   probe rlimits   name=soft:hard for every RLIMIT_* ("unlimited")
 *   probe fds       fds=0,1,2,...   (excluding the fd used to list them)
 *   probe ns        <ns>=<readlink of /proc/self/ns/<ns>>
 *   probe status    NoNewPrivs, Seccomp from /proc/self/status
 *   probe pid       pid, ppid
 *   probe sched     policy, priority, nice, sched_flags, runtime, deadline,
 *                   period (sched_getattr), ioprio_class, ioprio_level
 *                   (ioprio_get), personality (hex), Cpus_allowed_list
 *   probe all       everything above
 *   probe syscall [-s] [-t] NAME|NUMBER [ARG...]
 *                   make one raw syscall; ARG is an integer (0x.. and 0..
 *                   accepted), buf:N (a pointer to N zeroed bytes) or else a
 *                   string (passed as a pointer). Prints syscall=, ret=,
 *                   errno= and exits 0 on success, with the errno on failure.
 *                   -s: catch SIGSYS, print sigsys=NR and exit 0 (a TRAP);
 *                   -t: make the call in a second thread and report from the
 *                   main one (thread=gone if it was killed alone)
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

static int status_fields(const char *const *keys)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[512];

	if (!f) {
		perror("probe: /proc/self/status");
		return 1;
	}
	while (fgets(line, sizeof(line), f)) {
		for (const char *const *k = keys; *k; k++) {
			size_t n = strlen(*k);
			if (strncmp(line, *k, n) == 0 && line[n] == ':') {
				char *v = line + n + 1;
				while (*v == ' ' || *v == '\t')
					v++;
				v[strcspn(v, "\n")] = '\0';
				printf("%s=%s\n", *k, v);
			}
		}
	}
	fclose(f);
	return 0;
}

static int do_caps(void)
{
	static const char *const keys[] = {"CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb", NULL};
	return status_fields(keys);
}

static int do_status(void)
{
	static const char *const keys[] = {"NoNewPrivs", "Seccomp", NULL};
	return status_fields(keys);
}

static int do_ids(void)
{
	gid_t groups[NGROUPS_MAX];
	int n = getgroups(NGROUPS_MAX, groups);
	char cwd[PATH_MAX];
	mode_t m = umask(0);

	umask(m);
	printf("uid=%u\neuid=%u\ngid=%u\negid=%u\n", (unsigned)getuid(), (unsigned)geteuid(),
	       (unsigned)getgid(), (unsigned)getegid());
	printf("groups=");
	for (int i = 0; i < n; i++)
		printf("%s%u", i ? "," : "", (unsigned)groups[i]);
	printf("\numask=%04o\n", (unsigned)m);
	if (getcwd(cwd, sizeof(cwd)))
		printf("cwd=%s\n", cwd);
	else
		printf("cwd=ERROR:%s\n", strerror(errno));
	return 0;
}

static void print_lim(rlim_t v)
{
	if (v == RLIM_INFINITY)
		printf("unlimited");
	else
		printf("%llu", (unsigned long long)v);
}

static int do_rlimits(void)
{
	static const struct {
		const char *name;
		int res;
	} lims[] = {
	    {"RLIMIT_AS", RLIMIT_AS},
	    {"RLIMIT_CORE", RLIMIT_CORE},
	    {"RLIMIT_CPU", RLIMIT_CPU},
	    {"RLIMIT_DATA", RLIMIT_DATA},
	    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
	    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
	    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
	    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
	    {"RLIMIT_NICE", RLIMIT_NICE},
	    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
	    {"RLIMIT_NPROC", RLIMIT_NPROC},
	    {"RLIMIT_RSS", RLIMIT_RSS},
	    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
	    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
	    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
	    {"RLIMIT_STACK", RLIMIT_STACK},
	};
	for (size_t i = 0; i < sizeof(lims) / sizeof(lims[0]); i++) {
		struct rlimit rl;
		if (getrlimit(lims[i].res, &rl) < 0) {
			printf("%s=ERROR\n", lims[i].name);
			continue;
		}
		printf("%s=", lims[i].name);
		print_lim(rl.rlim_cur);
		putchar(':');
		print_lim(rl.rlim_max);
		putchar('\n');
	}
	return 0;
}

static int do_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int self, first = 1;
	int fds[4096];
	int n = 0;

	if (!d) {
		perror("probe: /proc/self/fd");
		return 1;
	}
	self = dirfd(d);
	while ((e = readdir(d)) != NULL) {
		char *end;
		long fd;
		if (e->d_name[0] == '.')
			continue;
		fd = strtol(e->d_name, &end, 10);
		if (*end || fd == self)
			continue;
		if (n < (int)(sizeof(fds) / sizeof(fds[0])))
			fds[n++] = (int)fd;
	}
	closedir(d);
	/* sort ascending (insertion sort, n is small) */
	for (int i = 1; i < n; i++) {
		int v = fds[i], j = i - 1;
		while (j >= 0 && fds[j] > v) {
			fds[j + 1] = fds[j];
			j--;
		}
		fds[j + 1] = v;
	}
	printf("fds=");
	for (int i = 0; i < n; i++) {
		printf("%s%d", first ? "" : ",", fds[i]);
		first = 0;
	}
	putchar('\n');
	return 0;
}

static int do_ns(void)
{
	static const char *const nss[] = {"cgroup", "ipc",  "mnt", "net", "pid",
					  "time",   "user", "uts", NULL};
	for (const char *const *ns = nss; *ns; ns++) {
		char path[64], buf[256];
		ssize_t r;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", *ns);
		r = readlink(path, buf, sizeof(buf) - 1);
		if (r < 0)
			continue;
		buf[r] = '\0';
		printf("%s=%s\n", *ns, buf);
	}
	return 0;
}

/* ---- probe sched ------------------------------------------------------- */

struct probe_sched_attr {
	unsigned int size, policy;
	unsigned long long flags;
	int nice;
	unsigned int priority;
	unsigned long long runtime, deadline, period;
	unsigned int util_min, util_max;
};

static int do_sched(void)
{
	static const char *const policies[] = {"SCHED_OTHER",	"SCHED_FIFO", "SCHED_RR",
					       "SCHED_BATCH",	"SCHED_ISO",  "SCHED_IDLE",
					       "SCHED_DEADLINE"};
	static const char *const classes[] = {"IOPRIO_CLASS_NONE", "IOPRIO_CLASS_RT",
					      "IOPRIO_CLASS_BE", "IOPRIO_CLASS_IDLE"};
	static const char *const keys[] = {"Cpus_allowed_list", NULL};
	struct probe_sched_attr a;
	memset(&a, 0, sizeof(a));
	if (syscall(SYS_sched_getattr, 0, &a, sizeof(a), 0) < 0) {
		perror("probe: sched_getattr");
		return 1;
	}
	printf("policy=%s\n", a.policy < 7 ? policies[a.policy] : "?");
	printf("priority=%u\nnice=%d\nsched_flags=%llu\n", a.priority, a.nice, a.flags);
	printf("runtime=%llu\ndeadline=%llu\nperiod=%llu\n", a.runtime, a.deadline, a.period);
	/* IOPRIO_WHO_PROCESS = 1; class in bits 13+, level in the low bits */
	long io = syscall(SYS_ioprio_get, 1, 0);
	if (io < 0) {
		perror("probe: ioprio_get");
		return 1;
	}
	printf("ioprio_class=%s\nioprio_level=%ld\n", classes[(io >> 13) & 3], io & 0xff);
	printf("personality=0x%lx\n", (unsigned long)syscall(SYS_personality, 0xffffffffUL));
	return status_fields(keys);
}

static int do_pid(void)
{
	printf("pid=%d\nppid=%d\n", (int)getpid(), (int)getppid());
	return 0;
}

/* ---- probe syscall ------------------------------------------------------ */

#define SC(n)                                                                                      \
	{                                                                                          \
#n, SYS_##n                                                                        \
	}
static const struct {
	const char *name;
	long nr;
} sys_names[] = {
    SC(getcwd),
    SC(getpid),
    SC(getppid),
    SC(getpgid),
    SC(getpriority),
    SC(personality),
    SC(uname),
    SC(chdir),
    SC(umask),
    SC(mkdirat),
    SC(unlinkat),
    SC(unshare),
    SC(mount),
    SC(umount2),
    SC(keyctl),
    SC(add_key),
    SC(request_key),
    SC(setns),
    SC(clone),
    SC(chroot),
    SC(reboot),
    SC(syslog),
    SC(ptrace),
    SC(acct),
    SC(swapon),
    SC(sethostname),
    SC(setdomainname),
    SC(bpf),
    SC(perf_event_open),
    SC(init_module),
    SC(delete_module),
    SC(open_by_handle_at),
    SC(userfaultfd),
    SC(clock_settime),
    SC(settimeofday),
    SC(pivot_root),
    SC(getrandom),
    SC(sync),
    SC(getuid),
    SC(setuid),
    SC(kill),
    SC(sched_yield),
    SC(socket),
    SC(write),
#ifdef SYS_mkdir
    SC(mkdir),
    SC(rmdir),
#endif
#ifdef SYS_clone3
    SC(clone3),
#endif
#ifdef SYS_io_uring_setup
    SC(io_uring_setup),
#endif
#ifdef SYS_kexec_load
    SC(kexec_load),
#endif
};

static volatile sig_atomic_t sigsys_nr = -1;

static void on_sigsys(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	sigsys_nr = si->si_syscall;
}

struct sys_call {
	long nr;
	long args[6];
	long ret;
	int err;
};

static void *do_call(void *arg)
{
	struct sys_call *c = arg;
	errno = 0;
	c->ret =
	    syscall(c->nr, c->args[0], c->args[1], c->args[2], c->args[3], c->args[4], c->args[5]);
	c->err = c->ret < 0 ? errno : 0;
	return NULL;
}

static long parse_arg(const char *a)
{
	char *end;
	if (strncmp(a, "buf:", 4) == 0) {
		unsigned long n = strtoul(a + 4, &end, 0);
		return (long)calloc(n ? n : 1, 1);
	}
	errno = 0;
	long v = (long)strtoull(a, &end, 0);
	if (*a && *end == '\0' && errno == 0)
		return v;
	if (*a == '-' && *end == '\0')
		return strtol(a, NULL, 0);
	return (long)a;
}

static int do_syscall(int argc, char **argv)
{
	int i = 2;
	bool catch_sigsys = false, in_thread = false;
	for (; i < argc && argv[i][0] == '-' && argv[i][1] && !argv[i][2]; i++) {
		if (argv[i][1] == 's')
			catch_sigsys = true;
		else if (argv[i][1] == 't')
			in_thread = true;
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: probe syscall [-s] [-t] NAME|NUMBER [ARG...]\n");
		return 2;
	}
	const char *name = argv[i++];
	struct sys_call c = {.nr = -1};
	for (size_t k = 0; k < sizeof(sys_names) / sizeof(sys_names[0]); k++)
		if (strcmp(sys_names[k].name, name) == 0)
			c.nr = sys_names[k].nr;
	if (c.nr < 0) {
		char *end;
		c.nr = strtol(name, &end, 0);
		if (*end || c.nr < 0) {
			fprintf(stderr, "probe: unknown syscall %s\n", name);
			return 2;
		}
	}
	for (int k = 0; k < 6 && i < argc; k++, i++)
		c.args[k] = parse_arg(argv[i]);
	if (catch_sigsys) {
		struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
		sigaction(SIGSYS, &sa, NULL);
	}
	if (in_thread) {
		pthread_t t;
		c.err = -1;
		if (pthread_create(&t, NULL, do_call, &c) != 0) {
			perror("probe: pthread_create");
			return 2;
		}
		pthread_join(t, NULL);
		if (c.err < 0) {
			printf("syscall=%s\nthread=gone\n", name);
			return 0;
		}
	} else {
		do_call(&c);
	}
	if (sigsys_nr >= 0) {
		printf("syscall=%s\nsigsys=%d\n", name, (int)sigsys_nr);
		return 0;
	}
	printf("syscall=%s\nret=%ld\nerrno=%d\n", name, c.ret, c.err);
	if (c.err)
		printf("error=%s\n", strerror(c.err));
	return c.err > 255 ? 255 : c.err;
}

static void usage(void)
{
	fprintf(stderr, "usage: probe caps|ids|rlimits|fds|ns|status|pid|sched|all|syscall ...\n");
}

int main(int argc, char **argv)
{
	const char *what;

	if (argc < 2) {
		usage();
		return 2;
	}
	what = argv[1];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (strcmp(what, "caps") == 0)
		return do_caps();
	if (strcmp(what, "ids") == 0)
		return do_ids();
	if (strcmp(what, "rlimits") == 0)
		return do_rlimits();
	if (strcmp(what, "fds") == 0)
		return do_fds();
	if (strcmp(what, "ns") == 0)
		return do_ns();
	if (strcmp(what, "status") == 0)
		return do_status();
	if (strcmp(what, "pid") == 0)
		return do_pid();
	if (strcmp(what, "sched") == 0)
		return do_sched();
	if (strcmp(what, "syscall") == 0)
		return do_syscall(argc, argv);
	if (strcmp(what, "all") == 0) {
		int rc = 0;
		rc |= do_pid();
		rc |= do_ids();
		rc |= do_caps();
		rc |= do_status();
		rc |= do_rlimits();
		rc |= do_ns();
		rc |= do_fds();
		return rc;
	}
	usage();
	return 2;
}
