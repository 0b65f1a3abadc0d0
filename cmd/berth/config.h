/* The client's config.json (docker-compatible): {"auths": {"<server>":
 * {"auth": base64("user:password")}}}; other keys are kept as they are. */
#ifndef BERTH_CLI_CONFIG_H
#define BERTH_CLI_CONFIG_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#define CLI_INDEX_SERVER "https://index.docker.io/v1/"

/* dir/config.json as an object ({} when the file does not exist). */
int cli_config_load(const char *dir, json_t **out, struct berth_error **err);
/* Written to a temp file with mode 0600, then renamed; dir made 0700. */
int cli_config_save(const char *dir, json_t *cfg, struct berth_error **err);

/* The auths key of a registry: docker.io (and index.docker.io) -> the index
 * server URL; "https://host:5000/v2/" -> "host:5000"; else as given. Caller frees. */
char *cli_config_server_key(const char *server);
/* The credentials stored for a server key (exactly, or with a
 * scheme prefix). Returns 0 and sets *user and *pass (caller frees), or -1
 * when there are none. */
int cli_config_auth(json_t *cfg, const char *key, char **user, char **pass);

char *cli_base64(const void *p, size_t n, bool url);
/* Decode standard or URL base64 (padding optional). NULL on bad input. */
char *cli_base64_decode(const char *s, size_t *len);

#endif
