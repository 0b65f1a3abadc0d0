/* Shared by the hijacked endpoints (attach in containers-io.c, exec start in
 * exec.c): detach keys, opening the shim's attach stream while watching the
 * client, and the relay between the client's socket and the shim's stream
 * (containers-io-relay.c). */
#ifndef BERTH_ENGINE_API_CONTAINERS_IO_H
#define BERTH_ENGINE_API_CONTAINERS_IO_H

#include "common/error.h"

#include <stdbool.h>
#include <stddef.h>

struct api_request;
struct container;
struct engine;

/* docker's detach keys syntax: comma-separated items, each one character or
 * "ctrl-<x>" (x in a-z @ [ \ ] ^ _); "" gives the default ctrl-p,ctrl-q.
 * EINVAL "Invalid detach keys (<s>) provided". */
int io_detach_keys_parse(const char *s, unsigned char **keys, size_t *n, struct berth_error **err);

/* The attach stream of the container's init (exec_id NULL) or of an exec;
 * gives up (ECANCELED) when the client at client_fd hangs up while
 * ctr_attach_open waits (a created container not started yet). */
int io_attach_open(int client_fd, struct container *c, const char *exec_id, bool in, bool out,
		   bool err_, bool stdin_once, int *fd, struct berth_error **err);

struct io_relay_opts {
	bool tty;	     /* the shim's frames are unwrapped to raw bytes */
	bool stdin_attached; /* the client's bytes go to the process */
	/* the client's EOF closes the process's stdin and output keeps flowing
	 * (docker's StdinOnce without a tty); else that EOF ends the relay */
	bool stdin_once;
	const unsigned char *detach_keys;
	size_t n_detach_keys; /* 0: no detaching */
};

enum io_relay_end {
	IO_RELAY_ENDED = 0, /* the shim closed: the process ended, its output is delivered */
	IO_RELAY_CLIENT_GONE,
	IO_RELAY_DETACHED,
	IO_RELAY_STDIN_CLOSED, /* the client's EOF without stdin_once */
	IO_RELAY_ERROR,
};

/* Relay until one side ends. extra: bytes the client sent after its request
 * head (stdin). With stdin attached, the client's EOF half-closes the shim
 * stream (the shim closes the process's stdin) and output keeps flowing when
 * stdin_once, else it ends the relay (IO_RELAY_STDIN_CLOSED), as dockerd's
 * attach; without stdin it is ignored. */
enum io_relay_end io_relay(int client_fd, const char *extra, size_t extra_len, int shim_fd,
			   const struct io_relay_opts *o);

/* Wait (up to 100 ms) until the client has read what was sent (the 101
 * head): a client that reads the head through a buffered reader and then
 * takes the raw socket (docker-py) would lose bytes that came with it. */
void io_wait_head_read(int fd);
/* Write all of buf to a socket (MSG_NOSIGNAL); -1 when the peer is gone. */
int io_send_all(int fd, const void *buf, size_t len);
/* One stream frame (docker's 8-byte header + payload) or, with tty, the raw
 * payload, to a socket. */
int io_send_frame(int fd, bool tty, int stream, const void *buf, size_t len);

/* POST .../resize: h and w (both required, 0..65535; EINVAL otherwise). */
int io_resize_params(struct api_request *req, long long *h, long long *w, struct berth_error **err);
/* The shim's resize of the init's (exec_id NULL) or an exec's terminal;
 * EBUSY (409) when the container is not running. */
int io_resize(struct container *c, const char *exec_id, long long h, long long w,
	      struct berth_error **err);

#endif
