/* libFuzzer target for layer unpack: arc_unpack_mem() on arbitrary bytes
 * (compressed or not) must fail with a message or succeed, never crash, and
 * never make anything outside the root: each input is unpacked into
 * <sandbox>/root and the sandbox must hold nothing but root afterwards. The
 * first byte picks the whiteout mode. Run as root it also makes device nodes
 * and chowns (all inside the sandbox, removed after each input). */
#include "core/archive/archive.h"
#include "common/fs.h"

#include <dirent.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__,         \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	CHECK(d != NULL);
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			n++;
	closedir(d);
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	char top[] = "/tmp/berth-fuzz-unpack-XXXXXX";
	CHECK(mkdtemp(top) != NULL);
	char root[sizeof(top) + 8];
	snprintf(root, sizeof(root), "%s/root", top);
	CHECK(mkdir(root, 0755) == 0);
	struct arc_unpack_opts opts = {.whiteouts =
					   data[0] & 1 ? ARC_WHITEOUT_APPLY : ARC_WHITEOUT_OVERLAY};
	struct arc_unpack_result res;
	struct berth_error *err = NULL;
	int r = arc_unpack_mem(data + 1, size - 1, root, &opts, &res, &err);
	if (r < 0) {
		CHECK(err != NULL && err->msg != NULL && err->msg[0] != '\0');
		berth_error_free(&err);
	} else {
		CHECK(strncmp(res.diff_id, "sha256:", 7) == 0 && strlen(res.diff_id) == 71);
	}
	CHECK(count_entries(top) == 1); /* only root: nothing escaped */
	struct stat st;
	CHECK(lstat(root, &st) == 0 && S_ISDIR(st.st_mode));
	chmod(root, 0755);
	CHECK(fs_rm_rf(top, NULL) == 0);
	return 0;
}
