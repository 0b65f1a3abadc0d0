/* berth-runtime: one file per verb; each parses its own flags (runc's) and
 * calls lib/runtime. */
#ifndef BERTH_CMD_RUNTIME_CMD_H
#define BERTH_CMD_RUNTIME_CMD_H

#include "common/error.h"
#include "runtime/runtime.h"

#include <errno.h>
#include <getopt.h>
#include <stdbool.h>

struct cmd_ctx {
	struct rt_globals g;
	char **argv0; /* original argv, for the sealed re-exec */
};

/* Each returns the process exit code; on error fills *err and returns -1. */
int cmd_spec(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_create(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_start(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_run(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_state(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_list(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_kill(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_delete(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_exec(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_pause(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_resume(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_ps(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_update(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_events(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);
int cmd_features(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err);

/* Shared flag handling. */
int cmd_parse_int(const char *flag, const char *s, int min, int max, int *out,
		  struct berth_error **err);
/* The one positional argument <container-id>; error if missing or extra. */
int cmd_one_id(const char *verb, int argc, char **argv, const char **id, struct berth_error **err);
/* Print JSON to stdout (indented like runc). */
void cmd_print_json(json_t *j);

#endif
