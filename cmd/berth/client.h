/* The CLI's HTTP client: HTTP/1.1 over berthd's unix socket (no libcurl),
 * keep-alive on one connection, API version negotiated like the docker CLI
 * (HEAD /_ping, GET when HEAD is refused; min(daemon's Api-Version, client
 * max); no header -> 1.24).
 *
 * Daemon errors (status >= 400) come back as berth_error with the message
 * "Error response from daemon: <message>" (the body's "message", unchanged)
 * and a code from the status: 404 ENOENT, 409 EEXIST, 400 EINVAL, else EIO. */
#ifndef BERTH_CLI_CLIENT_H
#define BERTH_CLI_CLIENT_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct client;

/* One JSON message of a progress or lines stream. Returning -1 (with *err)
 * stops the transfer and makes the request fail with that error. */
typedef int (*client_line_fn)(json_t *msg, void *arg, struct berth_error **err);

struct client_req {
	const char *method;	    /* GET, POST, PUT, DELETE, HEAD */
	const char *path;	    /* "/images/json?all=1", without the /vX.Y prefix */
	bool no_version;	    /* send the path without the version prefix */
	json_t *json;		    /* JSON body, or NULL */
	int upload_fd;		    /* chunked body read from this fd; -1 for none */
	const char *content_type;   /* of the upload */
	const char *const *headers; /* extra "Name: value" lines, NULL-terminated */
	client_line_fn on_line;	    /* stream the reply as JSON messages */
	void *arg;
	int download_fd;     /* write a 2xx body to this fd (also when on_line is
				set and the reply is not JSON); -1 for none */
	bool lines_any_type; /* on_line also when the reply has no JSON
				Content-Type (stats?stream=1) */
};

struct client_resp {
	long status;
	char *body; /* NUL-terminated; buffered when neither on_line nor download_fd took it */
	size_t len;
	char *content_type;
	char *api_version; /* Api-Version header */
	char *path_stat;   /* X-Docker-Container-Path-Stat header (archive) */
};

void client_req_init(struct client_req *req, const char *method, const char *path);
void client_resp_clear(struct client_resp *resp);

/* host: "unix:///path" (see host.h). */
int client_open(const char *host, bool debug, struct client **out, struct berth_error **err);
void client_free(struct client *c);
const char *client_host(const struct client *c);

/* Ping and pick the version (BERTH_API_VERSION, then DOCKER_API_VERSION, pin
 * it without asking). */
int client_negotiate(struct client *c, struct berth_error **err);
const char *client_api_version(const struct client *c);

/* The transfer itself; the status is in resp, not turned into an error. */
int client_do(struct client *c, const struct client_req *req, struct client_resp *resp,
	      struct berth_error **err);
/* client_do + status >= 400 -> daemon error. */
int client_call(struct client *c, const struct client_req *req, struct client_resp *resp,
		struct berth_error **err);
/* method + path (+ JSON body), reply parsed as JSON into *out (may be NULL to
 * ignore the body). */
int client_json(struct client *c, const char *method, const char *path, json_t *body, json_t **out,
		struct berth_error **err);
/* The daemon error of a reply: "Error response from daemon: <message>". */
int client_daemon_error(long status, const char *body, struct berth_error **err);

#endif
