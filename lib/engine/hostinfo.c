/* Host facts: os-release, uname, memory, cgroup version, seccomp. */
#include "engine/hostinfo.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <dirent.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif

/* Value of KEY= in os-release text (quotes removed), or NULL. */
static char *os_release_value(const char *text, const char *key)
{
	size_t klen = strlen(key);
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, key, klen) != 0 || l[klen] != '=')
			continue;
		const char *v = l + klen + 1;
		size_t n = strcspn(v, "\n");
		if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0]) {
			v++;
			n -= 2;
		}
		return strndup(v, n);
	}
	return NULL;
}

static const char *go_arch(const char *m)
{
	static const char *const map[][2] = {
	    {"x86_64", "amd64"}, {"aarch64", "arm64"},	 {"i686", "386"},    {"i386", "386"},
	    {"armv7l", "arm"},	 {"ppc64le", "ppc64le"}, {"s390x", "s390x"}, {"riscv64", "riscv64"},
	};
	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (strcmp(m, map[i][0]) == 0)
			return map[i][1];
	return m;
}

static const char *fs_type_name(long t)
{
	switch ((unsigned long)t) {
	case EXT4_SUPER_MAGIC:
		return "extfs";
	case XFS_SUPER_MAGIC:
		return "xfs";
	case BTRFS_SUPER_MAGIC:
		return "btrfs";
	case TMPFS_MAGIC:
		return "tmpfs";
	case OVERLAYFS_SUPER_MAGIC:
		return "overlayfs";
	case 0x2fc12fc1: /* zfs */
		return "zfs";
	default:
		return "<unknown>";
	}
}

void host_info_read(struct host_info *h, const char *data_root)
{
	memset(h, 0, sizeof(*h));
	cleanup_free char *osr = NULL;
	if (fs_read_file("/etc/os-release", &osr, NULL, NULL) < 0)
		fs_read_file("/usr/lib/os-release", &osr, NULL, NULL);
	h->os_name = osr ? os_release_value(osr, "PRETTY_NAME") : NULL;
	if (h->os_name == NULL)
		h->os_name = xstrdup("Linux");
	h->os_version = osr ? os_release_value(osr, "VERSION_ID") : NULL;
	if (h->os_version == NULL)
		h->os_version = xstrdup("");
	struct utsname u;
	if (uname(&u) == 0) {
		h->kernel = xstrdup(u.release);
		h->machine = xstrdup(u.machine);
	} else {
		h->kernel = xstrdup("");
		h->machine = xstrdup("");
	}
	h->goarch = xstrdup(go_arch(h->machine));
	char host[256] = "";
	if (gethostname(host, sizeof(host) - 1) < 0)
		host[0] = '\0';
	h->hostname = xstrdup(host);
	h->ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	struct sysinfo si;
	if (sysinfo(&si) == 0)
		h->mem_total = (int64_t)si.totalram * (int64_t)si.mem_unit;
	struct statfs sf;
	h->cgroup_version =
	    statfs("/sys/fs/cgroup", &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC ? 2 : 1;
	h->seccomp = prctl(PR_GET_SECCOMP, 0, 0, 0, 0) >= 0;
	cleanup_free char *fwd = NULL;
	h->ip_forward =
	    fs_read_file("/proc/sys/net/ipv4/ip_forward", &fwd, NULL, NULL) == 0 && fwd[0] == '1';
	h->root_fs_type = xstrdup(
	    data_root && statfs(data_root, &sf) == 0 ? fs_type_name((long)sf.f_type) : "<unknown>");
}

void host_info_free(struct host_info *h)
{
	free(h->os_name);
	free(h->os_version);
	free(h->kernel);
	free(h->machine);
	free(h->goarch);
	free(h->hostname);
	free(h->root_fs_type);
	memset(h, 0, sizeof(*h));
}

int host_info_nfd(void)
{
	cleanup_closedir DIR *d = opendir("/proc/self/fd");
	if (d == NULL)
		return 0;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	return n > 0 ? n - 1 : 0; /* minus the one opendir holds */
}

int host_info_nthreads(void)
{
	cleanup_free char *s = NULL;
	if (fs_read_file("/proc/self/status", &s, NULL, NULL) < 0)
		return 0;
	const char *t = strstr(s, "\nThreads:");
	return t ? atoi(t + 9) : 0;
}
