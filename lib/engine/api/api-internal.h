/* Between the parts of the api layer (server.c, stream.c, upgrade.c); not for
 * resource files. */
#ifndef BERTH_ENGINE_API_INTERNAL_H
#define BERTH_ENGINE_API_INTERNAL_H

#include "engine/api/api.h"

#include <stdatomic.h>
#include <stdint.h>
#include <sys/types.h>

/* Shared by the server and everything that may outlive it (streams, upgraded
 * connections): the stop flag and a count of live threads. */
struct api_shared {
	atomic_bool stopping;
	atomic_bool quiescing; /* api_server_quiesce ran: follow streams end */
	atomic_int followers;  /* in-flight follow streams and upgrades (not drained) */
	atomic_int refs;
	atomic_int threads; /* stream producers and upgrade handlers running */
};

struct api_shared *api_shared_ref(struct api_shared *sh);
void api_shared_unref(struct api_shared *sh);

/* Start fn(arg) in a stream of its own; conn_fd is polled for a hang-up. On
 * success the stream owns arg. */
int api_stream_start(struct api_shared *sh, int conn_fd, api_stream_fn fn, void *arg,
		     void (*free_arg)(void *), struct api_stream **out, struct berth_error **err);
/* The libmicrohttpd content reader and free callbacks for a stream. */
ssize_t api_stream_read_cb(void *cls, uint64_t pos, char *buf, size_t max);
void api_stream_free_cb(void *cls);

/* A request body streamed to a handler running in a thread of its own
 * (server.c); the reading side of api_body_read. */
ssize_t api_body_stream_read(struct api_body_stream *bs, void *buf, size_t len);

struct upgrade;
/* libmicrohttpd response for an upgrade reply (owns resp->arg from now on).
 * *handle is released with api_upgrade_request_done when the request ends. */
struct MHD_Response *api_upgrade_response(struct api_shared *sh, struct api_response *resp,
					  struct upgrade **handle);
void api_upgrade_request_done(struct upgrade *u);

#endif
