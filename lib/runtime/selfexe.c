/* CVE-2019-5736 class protection: the runtime runs from a sealed memfd copy
 * of itself, so /proc/<pid>/exe of any runtime process that a container can
 * reach points at an unwritable, anonymous file, never at the host binary. */
#include "runtime/runtime.h"
#include "common/cleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

static bool running_sealed(void)
{
	cleanup_close int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int seals = fcntl(fd, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

int rt_ensure_sealed_exe(char **argv, struct berth_error **err)
{
	if (running_sealed())
		return 0;
	cleanup_close int src = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (src < 0)
		return berth_error_errno(err, "open /proc/self/exe");
	struct stat st;
	if (fstat(src, &st) < 0)
		return berth_error_errno(err, "stat /proc/self/exe");
	cleanup_close int mfd = memfd_create("berth-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (mfd < 0)
		return berth_error_errno(err, "memfd_create");
	off_t off = 0;
	while (off < st.st_size) {
		ssize_t n = sendfile(mfd, src, &off, (size_t)(st.st_size - off));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return berth_error_errno(err, "copy /proc/self/exe to memfd");
	}
	if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
		return berth_error_errno(err, "seal memfd");
	syscall(SYS_execveat, mfd, "", argv, environ, AT_EMPTY_PATH);
	return berth_error_errno(err, "re-exec from sealed memfd");
}
