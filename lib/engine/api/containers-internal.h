/* Shared by the container route files (containers.c, containers-list.c,
 * containers-inspect.c, containers-prune.c) and their unit tests: the pure
 * helpers (filters, status text, times) live in containers-util.c. */
#ifndef BERTH_ENGINE_API_CONTAINERS_INTERNAL_H
#define BERTH_ENGINE_API_CONTAINERS_INTERNAL_H

#include "common/error.h"
#include "engine/api/api.h"
#include "engine/containers/container.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* ?filters= of GET /containers/json (or of prune when prune is set) as
 * {"key": ["value", ...]}: docker's map form {"k":{"v":true}} and list form
 * {"k":["v"]}. Unknown keys, bad status words, non-numeric exited values:
 * EINVAL "Invalid filter 'k=v'" / "Invalid filter 'k'". NULL or "" -> {}. */
int ctrapi_filters_parse(const char *s, bool prune, json_t **out, struct berth_error **err);
/* The values of one filter key (NULL when absent or empty). */
json_t *ctrapi_filter_values(json_t *filters, const char *key);
/* docker's filters.Match: some value is a regexp matching s (unanchored);
 * true when values is NULL. An invalid regexp matches nothing. */
bool ctrapi_match_regex(json_t *values, const char *s);
/* Every "k" / "k=v" of values holds in labels (an object, may be NULL);
 * true when values is NULL. */
bool ctrapi_match_labels(json_t *values, json_t *labels);

/* units.HumanDuration: "Less than a second", "5 seconds", "About a minute", ... */
char *ctrapi_human_duration(int64_t ns);
/* docker's State.String(): "Up 5 seconds", "Up 2 minutes (Paused)",
 * "Exited (0) 3 seconds ago", "Restarting (1) 2 seconds ago", "Created",
 * "Removal In Progress", "Dead". */
char *ctrapi_status_text(const struct ctr_state *s, int64_t now_ns);
/* RFC 3339 with nanoseconds as Go's RFC3339Nano (trailing zeros dropped);
 * 0 -> "0001-01-01T00:00:00Z". */
char *ctrapi_time_rfc3339(int64_t ns);
/* A time argument of docker's filters ("until", "since"): unix seconds with
 * an optional fraction, RFC 3339, or a duration ("10m", "1h30m") before
 * now_ns. Returns ns since the epoch, or -1 with EINVAL. */
int ctrapi_parse_time(const char *s, int64_t now_ns, int64_t *out, struct berth_error **err);
/* Path and Args of the container's process (Entrypoint ++ Cmd of config):
 * *path "" when both are empty; *args a new array. */
void ctrapi_path_args(json_t *config, const char **path, json_t **args);
/* "Path Args..." joined by spaces (the Command column of ps). */
char *ctrapi_command(json_t *config);
/* Now in ns since the epoch (CLOCK_REALTIME). */
int64_t ctrapi_now_ns(void);
/* Publish a container event with dockerd's attributes: the container's
 * labels, image, name, and extra's (may be NULL). No-op without a bus. */
void ctrapi_event(struct engine *e, struct container *c, const char *action, json_t *extra);

/* Type checks of a POST /containers/create body (400 naming the field). */
int ctrapi_check_create_body(json_t *body, struct berth_error **err);
/* Type checks of a POST /containers/{id}/update body. */
int ctrapi_check_update_body(json_t *body, struct berth_error **err);
/* docker's container name rule [a-zA-Z0-9][a-zA-Z0-9_.-]+ ("/" allowed first). */
int ctrapi_check_name(const char *name, struct berth_error **err);

/* ---- handlers of the other files ---- */
int containers_list(struct api_request *req, struct api_response *resp, struct berth_error **err);
int containers_inspect(struct api_request *req, struct api_response *resp,
		       struct berth_error **err);
int containers_prune(struct api_request *req, struct api_response *resp, struct berth_error **err);
/* The inspect object of c ("Berth" included; size: SizeRw/SizeRootFs). */
json_t *ctrapi_inspect_json(struct engine *e, struct container *c, bool size);
/* Every container as GET /containers/json?all=1&size=1 lists it (system df) */
json_t *ctrapi_list_all_sized(struct engine *e);
/* SizeRw (the container's own layer) and SizeRootFs (with its image); -1 unknown. */
void ctrapi_sizes(struct engine *e, struct container *c, int64_t *rw, int64_t *rootfs);
/* The docker Mounts array of c from HostConfig Binds, Mounts and Tmpfs. */
json_t *ctrapi_mounts(struct container *c);
/* The NetworkSettings.Networks object of c (keyed by its network mode). */
json_t *ctrapi_networks(struct container *c);

#endif
