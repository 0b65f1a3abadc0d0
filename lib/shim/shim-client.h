/* berthd's side of the shim protocol (shim-proto.h): starting a shim and
 * talking to it. No threads, no global state; blocking calls with a timeout. */
#ifndef BERTH_SHIM_CLIENT_H
#define BERTH_SHIM_CLIENT_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* What berthd writes to <shim-dir>/shim.json before `berth-shim start`. */
struct shim_start_opts {
	const char *shim_binary; /* path of berth-shim */
	const char *dir;	 /* <shim-dir>: bundle with config.json and rootfs/ */
	const char *id;
	const char *ns;
	const char *runtime;	  /* runtime binary (path or name in PATH) */
	const char *runtime_root; /* --root for the runtime: <exec-root>/runtime/<ns> */
	char **runtime_args;	  /* extra global args (daemon.json runtimeArgs), NULL-terminated */
	bool systemd_cgroup;	  /* --systemd-cgroup */
	bool terminal;		  /* process.terminal in config.json */
	bool stdin_open;	  /* keep a stdin pipe (docker -i) */
	bool stdin_once;	  /* close it after the first attach detached */
	const char *log_path;	  /* json-file path; NULL: no log */
	long long log_max_size;	  /* bytes, 0 = unlimited */
	int log_max_file;	  /* >= 1 */
	const char *rootfs_mount; /* unmounted by the shim at delete; NULL: none */
};

/* Write shim.json, run `berth-shim start --dir DIR` and wait for it: it returns
 * once the shim detached and the runtime's create finished (the container's
 * init is created, not started). On failure the runtime's own message is in
 * *err and nothing of the shim is left running. *shim_pid, *init_pid filled. */
int shim_start(const struct shim_start_opts *o, pid_t *shim_pid, pid_t *init_pid,
	       struct berth_error **err);

struct shim_conn;
/* Connect to <dir>/shim.sock. ECONNREFUSED/ENOENT when the shim is gone. */
int shim_connect(const char *dir, struct shim_conn **out, struct berth_error **err);
void shim_conn_close(struct shim_conn *c);
int shim_conn_fd(const struct shim_conn *c);
/* Give up the fd (for attach / subscribe after their reply); frees c. */
int shim_conn_steal_fd(struct shim_conn *c);
/* One request/reply; req is not stolen. A {"ok":false} reply becomes -1 with
 * *err (its code and message). timeout_ms <= 0: wait forever. */
int shim_call(struct shim_conn *c, json_t *req, int timeout_ms, json_t **reply,
	      struct berth_error **err);
/* Connect, one call, close. */
int shim_call_dir(const char *dir, json_t *req, int timeout_ms, json_t **reply,
		  struct berth_error **err);

#endif
