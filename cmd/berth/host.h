/* Daemon address and API version helpers of the client (no I/O, unit-tested). */
#ifndef BERTH_CLI_HOST_H
#define BERTH_CLI_HOST_H

#include "common/error.h"

#define CLI_DEFAULT_HOST "unix:///run/berth/berth.sock"
/* The highest API version the client speaks (the one the shapes in
 * shared/docker-api were recorded with), and docker's fallback when the
 * daemon sends no Api-Version header. */
#define CLI_API_VERSION_MAX "1.41"
#define CLI_API_VERSION_FALLBACK "1.24"

/* The host to use: the -H flag, else $BERTH_HOST, else $DOCKER_HOST, else
 * the default (empty values count as unset). Caller frees. */
char *cli_host_pick(const char *flag, const char *berth_host, const char *docker_host);
/* "unix:///run/x.sock" or a bare absolute path -> the socket path. tcp://,
 * fd://, ssh:// and anything else are refused with a message. Caller frees
 * *path. */
int cli_host_socket_path(const char *host, char **path, struct berth_error **err);
/* Compare dotted API versions numerically ("1.9" < "1.41"). Non-numeric
 * parts compare as 0. */
int cli_apiver_cmp(const char *a, const char *b);
/* The version to use: the daemon's (NULL or "" -> the fallback), capped at
 * the client's maximum. Returns a pointer to one of its inputs or to a
 * constant. */
const char *cli_apiver_negotiate(const char *server, const char *client_max);

#endif
