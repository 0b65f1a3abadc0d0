/* Facts about the host for /info and /version (read each time: cheap). */
#ifndef BERTH_ENGINE_HOSTINFO_H
#define BERTH_ENGINE_HOSTINFO_H

#include <stdbool.h>
#include <stdint.h>

struct host_info {
	char *os_name;	  /* PRETTY_NAME of os-release, "Linux" if none */
	char *os_version; /* VERSION_ID, "" if none */
	char *kernel;	  /* uname release */
	char *machine;	  /* uname machine: x86_64 */
	char *goarch;	  /* Go's name for it: amd64 */
	char *hostname;
	long ncpu;
	int64_t mem_total;  /* bytes */
	int cgroup_version; /* 1 or 2 */
	bool seccomp;
	bool ip_forward;
	char *root_fs_type; /* file system of the data root: "extfs", "xfs", ... */
};

void host_info_read(struct host_info *h, const char *data_root);
void host_info_free(struct host_info *h);
/* Open file descriptors and threads of this process. */
int host_info_nfd(void);
int host_info_nthreads(void);

#endif
