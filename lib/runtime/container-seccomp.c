/* Glue between a container's config and lib/runtime/seccomp.h: compile in
 * the runtime, load in the container's processes. */
#include "runtime/create-internal.h"
#include "runtime/sync.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <unistd.h>

int rt_seccomp_for_spec(const struct rt_globals *g, const struct oci_spec *spec,
			struct seccomp_program **out, struct berth_error **err)
{
	*out = NULL;
	json_t *sc = json_object_get(json_object_get(spec->raw, "linux"), "seccomp");
	if (sc == NULL || json_is_null(sc))
		return 0;
	cleanup_free char *cache = xasprintf("%s/.seccomp-cache", g->root);
	return seccomp_compile_cached(sc, cache, out, err);
}

int init_load_seccomp(const struct seccomp_program *p, int sync, struct berth_error **err)
{
	if (p == NULL)
		return 0;
	int fd = -1;
	if (seccomp_program_load(p, &fd, err) < 0)
		return -1;
	if (fd < 0)
		return 0;
	int ret = sync_send(sync, SYNC_SECCOMP, 0, NULL, fd, err);
	close(fd);
	return ret;
}
