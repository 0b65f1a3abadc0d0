/* berthd's command line and the pieces main() wires together. */
#ifndef BERTH_CMD_BERTHD_H
#define BERTH_CMD_BERTHD_H

#include "common/error.h"
#include "engine/config.h"

#include <stdbool.h>

/* What the command line set (NULL / false: not given). */
struct berthd_flags {
	char *config_file; /* NULL: ENGINE_DEFAULT_CONFIG_FILE, missing is fine */
	bool debug;
	char *log_level;
	char **hosts; /* -H, NULL-terminated */
	char *root;
	char *exec_root;
	char *pidfile;
	bool validate;
};

/* config.c: defaults, then daemon.json, then the flags (a directive set both
 * ways is an error, as dockerd's), then the checks across keys. */
int berthd_config_load(const struct berthd_flags *f, struct engine_config *out,
		       struct berth_error **err);
const char *berthd_config_path(const struct berthd_flags *f);
/* The pidfile path: --pidfile / "pidfile", else <exec-root>/berthd.pid. */
char *berthd_pidfile_path(const struct engine_config *c);

/* listen.c: bind a unix socket (mode 0660, group berth if it exists); a
 * stale socket is removed only when nothing listens on it. */
int berthd_listen_unix(const char *path, int *fd, struct berth_error **err);

/* lock.c: one daemon per root (flock on <root>/berthd.lock); the fd stays
 * open for the daemon's life. */
int berthd_lock_root(const char *root, int *fd, struct berth_error **err);
int berthd_pidfile_write(const char *path, struct berth_error **err);

#endif
