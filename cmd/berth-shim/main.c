/* berth-shim: one per container, between berthd and the OCI runtime
 * (docs/shim.md). `berth-shim start --dir <shim-dir>`. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] = "usage: berth-shim start --dir <shim-dir>\n"
			    "  reads <shim-dir>/shim.json, detaches, creates the container with\n"
			    "  the OCI runtime and serves <shim-dir>/shim.sock (docs/shim.md)\n";

char *shim_path(const struct shim *s, const char *name)
{
	return xasprintf("%s/%s", s->o.dir, name);
}

int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int shim_opts_load(const char *dir, struct shim_opts *o, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/shim.json", dir);
	json_error_t je;
	cleanup_json json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!j)
		return berth_error_set(err, EINVAL, "%s: %s", path, je.text);
	if (!json_is_object(j))
		return berth_error_set(err, EINVAL, "%s: not a JSON object", path);
	*o = (struct shim_opts){.dir = xstrdup(dir), .log_max_file = 1};
	int64_t size = 0, files = 1;
	if (bjson_string(j, "id", "shim.json", true, &o->id, err) < 0 ||
	    bjson_string(j, "ns", "shim.json", false, &o->ns, err) < 0 ||
	    bjson_string(j, "runtime", "shim.json", false, &o->runtime, err) < 0 ||
	    bjson_string(j, "runtime_root", "shim.json", false, &o->runtime_root, err) < 0 ||
	    bjson_strv(j, "runtime_args", "shim.json", false, &o->runtime_args, err) < 0 ||
	    bjson_bool(j, "systemd_cgroup", "shim.json", &o->systemd_cgroup, err) < 0 ||
	    bjson_bool(j, "terminal", "shim.json", &o->terminal, err) < 0 ||
	    bjson_bool(j, "stdin_open", "shim.json", &o->stdin_open, err) < 0 ||
	    bjson_bool(j, "stdin_once", "shim.json", &o->stdin_once, err) < 0 ||
	    bjson_string(j, "log_path", "shim.json", false, &o->log_path, err) < 0 ||
	    bjson_int(j, "log_max_size", "shim.json", 0, INT64_MAX, &size, NULL, err) < 0 ||
	    bjson_int(j, "log_max_file", "shim.json", 1, 1000, &files, NULL, err) < 0 ||
	    bjson_string(j, "rootfs_mount", "shim.json", false, &o->rootfs_mount, err) < 0)
		return berth_error_wrap(err, "%s", path);
	if (!o->id || !*o->id)
		return berth_error_set(err, EINVAL, "%s: empty \"id\"", path);
	if (!o->runtime || !*o->runtime) {
		free(o->runtime);
		o->runtime = xstrdup("berth-runtime");
	}
	o->log_max_size = size;
	o->log_max_file = (int)files;
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "start") == 0 && strcmp(argv[2], "--dir") == 0)
		return shim_cmd_start(argv[3]);
	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs(usage, stdout);
		return 0;
	}
	if (argc == 2 && !strcmp(argv[1], "--version")) {
		printf("berth-shim version 0.1.0\n");
		return 0;
	}
	fputs(usage, stderr);
	return 2;
}
