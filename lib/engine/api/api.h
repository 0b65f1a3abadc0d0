/* The Docker Engine API server: HTTP/1.1 over unix sockets on libmicrohttpd.
 *
 * A resource file (system.c, later images.c, containers.c, ...) exports one
 * route table; routes.c lists the tables. A route is METHOD + pattern:
 *
 *   {"GET", "/containers/{name}/json", containers_inspect}
 *   {"GET", "/images/{name*}/json", images_inspect}     name* spans slashes
 *
 * Every pattern is served with and without the /vX.Y prefix; the version in the
 * path is checked against [API_VERSION_MIN, API_VERSION_MAX] (docker's 400 messages).
 * Unknown METHOD + path: 404 {"message":"page not found"}.
 *
 * Handlers run in the connection's thread (one thread per connection, so a
 * handler may block). A handler fills `resp` with one of the api_reply_*
 * functions and returns 0, or returns -1 with *err set: the error becomes
 * {"message": err->msg} with a status from err->code (api_status_for_code).
 *
 * Response kinds:
 *   buffer   api_reply_json / api_reply_text / api_reply_empty (Content-Length)
 *   stream   api_reply_stream: a producer function runs in its own thread and
 *            writes with api_stream_write / api_stream_json; the body goes out
 *            chunked as it is written (progress streams, logs, events, wait)
 *   upgrade  api_reply_upgrade: 101 UPGRADED, then the function gets the raw
 *            socket in its own thread (attach, exec start)
 *
 * Request bodies are buffered (up to API_BODY_MAX) before the handler runs,
 * except for the routes of api_server_config.body_tables (load, import):
 * their handler runs in a thread of its own as soon as the head is in and
 * reads the body as it arrives with api_body_read, without a size limit. */
#ifndef BERTH_ENGINE_API_API_H
#define BERTH_ENGINE_API_API_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The API versions berthd serves: the docker CLI 28 and Debian's docker 20.10
 * client negotiate API_VERSION_MAX (the CLI takes the daemon's Api-Version);
 * 1.24 is what the CLI falls back to without an Api-Version header. 1.41 is the
 * version the recorded transcripts in shared/docker-api were made with. */
#define API_VERSION_MAX "1.41"
#define API_VERSION_MIN "1.24"
/* Largest request body buffered for a handler. */
#define API_BODY_MAX (16u << 20)
/* Most {params} a route pattern may have. */
#define API_MAX_PARAMS 4

struct api_server;
struct api_stream;
struct api_upgrade;
struct api_request;
struct api_response;

/* A query parameter or header copied for a handler of its own thread. */
struct api_kv {
	bool header;
	char *key;
	char *value;
};

/* A dotted API version ("1.41"); numbers compare numerically, as docker's
 * versions.Compare (missing parts count as 0). */
struct api_version {
	unsigned major;
	unsigned minor;
};

typedef int (*api_handler_fn)(struct api_request *req, struct api_response *resp,
			      struct berth_error **err);

struct api_route {
	const char *method;  /* "GET", "HEAD", "POST", "PUT", "DELETE" */
	const char *pattern; /* "/containers/{name}/json"; {x*} spans one or more segments */
	api_handler_fn fn;
};

struct api_request {
	const char *method;
	const char *path;	    /* without the /vX.Y prefix and the query */
	bool versioned;		    /* the path had a /vX.Y prefix */
	struct api_version version; /* from the prefix, else API_VERSION_MAX */
	const char *body;	    /* NUL-terminated (never NULL) */
	size_t body_len;
	void *ctx; /* the server's context (struct engine *) */

	/* private to the api layer */
	struct api_server *server;
	void *conn; /* struct MHD_Connection */
	const struct api_route *route;
	size_t nparams;
	char *param_names[API_MAX_PARAMS];
	char *params[API_MAX_PARAMS];
	struct api_body_stream *body_stream; /* body_tables: the body arrives through it */
	size_t body_off;		     /* api_body_read's position in body */
	struct api_kv *kv;		     /* body_tables: query and headers, copied */
	size_t nkv;
};

/* --- request accessors ------------------------------------------------- */

/* A path parameter ({name} in the pattern); NULL if the route has none. */
const char *api_param(const struct api_request *req, const char *name);
/* The first value of a query parameter, NULL if absent. */
const char *api_query(const struct api_request *req, const char *key);
/* Every value of a repeated query parameter (names=a&names=b). Caller frees (strv). */
char **api_query_all(const struct api_request *req, const char *key);
/* Docker's boolean query values: absent -> def; "", "0", "false", "False",
 * "FALSE", "no", "none" -> false; anything else -> true (httputils.BoolValue). */
bool api_query_bool(const struct api_request *req, const char *key, bool def);
/* An integer query value in [min, max]; absent -> *out untouched. */
int api_query_int(const struct api_request *req, const char *key, long long min, long long max,
		  long long *out, struct berth_error **err);
/* A request header (case-insensitive name), NULL if absent. */
const char *api_header(const struct api_request *req, const char *name);
/* The body as a JSON object (EINVAL with a message naming the problem if it is
 * not). An empty body gives an empty object when empty_ok. */
int api_body_json(const struct api_request *req, bool empty_ok, json_t **out,
		  struct berth_error **err);
/* The next bytes of the body (buffered or, for body_tables routes, as they
 * arrive): 0 at its end, -1 with errno set when the client went away in
 * the middle of it (ECONNRESET). */
ssize_t api_body_read(struct api_request *req, void *buf, size_t len);
/* req->version compared with "X.Y": <0, 0, >0. */
int api_version_cmp_str(struct api_version v, const char *s);

/* --- responses ----------------------------------------------------------- */

enum api_body_kind { API_BODY_BUFFER = 0, API_BODY_STREAM, API_BODY_UPGRADE };

typedef void (*api_stream_fn)(struct api_stream *s, void *arg);
/* Runs in its own thread with the raw socket (blocking mode; shutdown(SHUT_WR)
 * half-closes) after the 101 was sent; `extra`
 * holds bytes the client sent after its request head. The connection is
 * closed when the function returns. */
typedef void (*api_upgrade_fn)(int fd, const char *extra, size_t extra_len, void *arg);

struct api_header {
	char *name;
	char *value;
};

struct api_response {
	unsigned status;
	enum api_body_kind kind;
	bool std_headers; /* Api-Version, Docker-Experimental, Ostype, Server (default on) */
	char *content_type;
	struct api_header *headers;
	size_t nheaders;
	char *body;
	size_t body_len;
	/* stream or upgrade */
	api_stream_fn stream_fn;
	api_upgrade_fn upgrade_fn;
	void *arg;
	void (*free_arg)(void *);
};

void api_response_init(struct api_response *resp);
void api_response_release(struct api_response *resp);

/* `body` is stolen; sent as its compact JSON plus "\n", as dockerd does. */
void api_reply_json(struct api_response *resp, unsigned status, json_t *body);
void api_reply_text(struct api_response *resp, unsigned status, const char *content_type,
		    const char *text);
/* No body: 204, or 200/201 with Content-Length: 0 and no Content-Type. */
void api_reply_empty(struct api_response *resp, unsigned status);
/* {"message": "..."} */
void api_reply_message(struct api_response *resp, unsigned status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* The message of err with the status for its code. */
void api_reply_error(struct api_response *resp, const struct berth_error *err);
void api_header_add(struct api_response *resp, const char *name, const char *value);
/* Chunked body written by fn(stream, arg) in a thread of its own; free_arg(arg)
 * (if non-NULL) runs after fn returned. content_type may be NULL (none sent). */
void api_reply_stream(struct api_response *resp, unsigned status, const char *content_type,
		      api_stream_fn fn, void *arg, void (*free_arg)(void *));
/* 101 UPGRADED with Content-Type: application/vnd.docker.raw-stream,
 * Connection: Upgrade, Upgrade: tcp; then fn(fd, ...) in its own thread. */
void api_reply_upgrade(struct api_response *resp, api_upgrade_fn fn, void *arg,
		       void (*free_arg)(void *));

/* berth_error code -> HTTP status: ENOENT 404, EEXIST/EBUSY 409, EINVAL 400,
 * ENOTSUP/ENOSYS 501, anything else 500. */
unsigned api_status_for_code(int code);

/* --- streams (producer side) --------------------------------------------- */

/* Queue bytes for the client. Blocks while much is queued (back-pressure).
 * Returns -1 (EPIPE) once the client has gone or the server shuts down: the
 * producer should stop then. */
int api_stream_write(struct api_stream *s, const void *buf, size_t len);
/* Compact JSON of v followed by `terminator` ("\r\n" for progress messages,
 * "\n" for JSON lines). v is not stolen. */
int api_stream_json(struct api_stream *s, json_t *v, const char *terminator);
/* True once the client has gone or the server is shutting down. */
bool api_stream_cancelled(struct api_stream *s);
/* Mark a stream that only follows something without end (events, logs
 * --follow, a stats stream, wait): it does not hold up a shutdown, which
 * cancels it as soon as the server stops accepting (api_server_quiesce),
 * as dockerd closes such streams. Call it first thing in the producer. */
void api_stream_follow(struct api_stream *s);

/* --- router (pure, tested by tests/unit/test-api-router.c) ------------------ */

/* Parse "1.41" (digits and dots, as docker's /v{version:[0-9.]+}). */
int api_version_parse(const char *s, size_t len, struct api_version *out);
int api_version_cmp(struct api_version a, struct api_version b);
/* Split "/v1.41/containers/json" into the version and "/containers/json".
 * A path without a valid prefix is returned whole with *versioned = false. */
void api_path_split(const char *url, const char **path, bool *versioned, char **version_str);
/* Find the route for METHOD + path in a NULL-terminated list of tables
 * (each ended by a {NULL} entry) and fill req->route/params. Returns false
 * when nothing matches. */
bool api_route_match(const struct api_route *const *tables, const char *method, const char *path,
		     struct api_request *req);
/* Free what api_route_match put into req. */
void api_request_clear_params(struct api_request *req);
/* The 400 message for a version outside the range, NULL when it is served.
 * *json_body says whether docker sends it as JSON ("too new") or text ("too old"). */
char *api_version_check(const char *version_str, bool *json_body);

/* --- server ---------------------------------------------------------------- */

struct api_server_config {
	const struct api_route *const *tables; /* NULL-terminated */
	/* Routes whose handler reads the body as it arrives (api_body_read);
	 * looked up before `tables`. NULL: none. */
	const struct api_route *const *body_tables;
	void *ctx;		   /* api_request.ctx */
	const char *server_header; /* "Berth/0.1.0 (linux)" */
};

/* Serve on already bound and listening sockets (the fds are owned by the
 * server from now on, also on failure). */
int api_server_start(const struct api_server_config *cfg, const int *fds, size_t nfds,
		     struct api_server **out, struct berth_error **err);
/* Stop accepting new connections (the listening sockets are closed);
 * connections already open are still served. */
void api_server_quiesce(struct api_server *srv);
/* Wait until no request is in flight or timeout_ms passed; returns the
 * number of requests still in flight. Follow streams (api_stream_follow)
 * and hijacked connections are not waited for. */
unsigned api_server_drain(struct api_server *srv, unsigned timeout_ms);
/* Cancel streams, close every connection, free the server. */
void api_server_stop(struct api_server *srv);

/* All route tables of berthd (routes.c). */
extern const struct api_route *const api_routes[];
/* The route tables whose handlers stream the request body (routes.c). */
extern const struct api_route *const api_body_routes[];
/* Per resource file. */
extern const struct api_route api_system_routes[];
extern const struct api_route api_images_routes[];
extern const struct api_route api_images_push_routes[];
extern const struct api_route api_auth_routes[];
extern const struct api_route api_system_df_routes[];
extern const struct api_route api_images_import_routes[];
extern const struct api_route api_images_save_routes[];
extern const struct api_route api_images_load_routes[];
/* containers: lifecycle, list, inspect (containers.c and containers-*.c) */
extern const struct api_route api_containers_routes[];
/* attach, logs, resize, exec (containers-io.c, exec.c) */
extern const struct api_route api_containers_io_routes[];
extern const struct api_route api_exec_routes[]; /* exec create/start/inspect/resize (exec.c) */
/* archive GET/HEAD, export, changes, top, stats (containers-fs.c, containers-info.c) */
extern const struct api_route api_containers_fs_routes[];
/* top, stats (containers-info.c) */
extern const struct api_route api_containers_info_routes[];
/* archive PUT (streamed body) */
extern const struct api_route api_containers_fs_body_routes[];
extern const struct api_route api_events_routes[];

#endif
