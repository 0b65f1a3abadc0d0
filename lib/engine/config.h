/* berthd's configuration: daemon.json (dockerd's key names where the meaning
 * is the same) merged with the command line by cmd/berthd/config.c.
 *
 * engine_config_apply_json() applies the keys of one daemon.json object over a
 * config (validating every value: types, ranges, paths, URLs; unknown keys
 * are an error, as dockerd's); engine_config_check() validates what spans
 * keys (default-runtime must name a runtime). */
#ifndef BERTH_ENGINE_CONFIG_H
#define BERTH_ENGINE_CONFIG_H

#include "common/error.h"
#include "common/log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ENGINE_DEFAULT_ROOT "/var/lib/berth"
#define ENGINE_DEFAULT_EXEC_ROOT "/run/berth"
#define ENGINE_DEFAULT_HOST "unix:///run/berth/berth.sock"
#define ENGINE_DEFAULT_CONFIG_FILE "/etc/berth/daemon.json"
#define ENGINE_DEFAULT_RUNTIME "berth-runtime"

struct engine_runtime {
	char *name;
	char *path;
	char **args; /* runtimeArgs, NULL-terminated */
};

struct engine_config {
	bool debug;
	char *log_level; /* debug, info, warn, error, fatal */
	char **hosts;	 /* unix:///path; NULL-terminated */
	char *data_root;
	char *exec_root;
	char *pidfile; /* NULL: <exec-root>/berthd.pid */
	char **insecure_registries;
	char **registry_mirrors; /* normalised to end with "/" as dockerd does */
	int64_t max_concurrent_downloads;
	int64_t max_concurrent_uploads;
	int64_t max_download_attempts;
	int64_t shutdown_timeout; /* seconds to finish in-flight requests */
	char *storage_driver;	  /* overlayfs or native */
	char *default_runtime;
	struct engine_runtime *runtimes; /* from the file; built-ins are not listed */
	size_t nruntimes;
	char **labels;
	char *log_driver;
	json_t *log_opts;    /* object of strings */
	char *cgroup_parent; /* containers' cgroup parent ("/berth" unless set) */
};

void engine_config_init(struct engine_config *c);
void engine_config_free(struct engine_config *c);
/* Deep copy. */
void engine_config_copy(struct engine_config *dst, const struct engine_config *src);
/* Apply the keys of a daemon.json object. Messages name the key and value:
 * "max-concurrent-downloads: expected an integer, got \"3\"". */
int engine_config_apply_json(struct engine_config *c, json_t *obj, struct berth_error **err);
int engine_config_check(const struct engine_config *c, struct berth_error **err);

/* Single values, also used for command-line flags. */
int engine_config_set_log_level(struct engine_config *c, const char *s, struct berth_error **err);
int engine_config_add_host(struct engine_config *c, const char *host, struct berth_error **err);
/* "unix:///run/x.sock" -> "/run/x.sock" (caller frees); tcp:// and fd:// are
 * rejected with a message saying so. */
int engine_host_unix_path(const char *host, char **path, struct berth_error **err);
enum log_level engine_log_level(const struct engine_config *c);

/* The runtimes berthd knows without configuration: berth-runtime, runc, crun. */
extern const char *const engine_builtin_runtimes[];

/* Reload (SIGHUP): copy what can change at run time (debug, log-level,
 * registry-mirrors, insecure-registries, max-concurrent-downloads/uploads,
 * max-download-attempts, shutdown-timeout, labels, runtimes, default-runtime)
 * from `next` into `cur`. Returns a description of the changes
 * ("debug: false -> true; ...", "" when nothing changed) and, in *ignored,
 * the keys that changed but need a restart ("" if none). Caller frees both. */
char *engine_config_reload(struct engine_config *cur, const struct engine_config *next,
			   char **ignored);

#endif
