/* Messages between the runtime (parent) and the container's init process
 * during create, over a SOCK_SEQPACKET socketpair: one message per packet,
 * a type, an optional integer, an optional text and an optional fd. */
#ifndef BERTH_RUNTIME_SYNC_H
#define BERTH_RUNTIME_SYNC_H

#include "common/error.h"

#include <stdint.h>

enum sync_type {
	SYNC_USERMAP_REQ = 1, /* stage 1 -> parent: write my uid/gid maps */
	SYNC_USERMAP_ACK,     /* parent -> stage 1 */
	SYNC_PID,	      /* stage 1 -> parent: value = init's pid */
	SYNC_GO,	      /* parent -> init: start setting up */
	SYNC_HOOKS_REQ,	      /* init -> parent: run prestart/createRuntime hooks */
	SYNC_HOOKS_ACK,	      /* parent -> init */
	SYNC_CONSOLE,	      /* init -> parent: fd = pty master */
	SYNC_READY,	      /* init -> parent: waiting for start */
	SYNC_ERROR,	      /* either way: text = message, value = errno */
	SYNC_PLACED,	      /* parent -> init: in the container's cgroup now */
	SYNC_SECCOMP,	      /* init/exec -> parent: fd = seccomp listener */
};

struct sync_msg {
	int32_t type;
	int32_t value;
	int fd;	    /* -1 if none */
	char *text; /* NULL if none; owned */
};

int sync_send(int sock, enum sync_type type, int32_t value, const char *text, int fd,
	      struct berth_error **err);
/* Receive one message; EOF gives an error with code EPIPE. */
int sync_recv(int sock, struct sync_msg *msg, struct berth_error **err);
/* Receive and require a type; a SYNC_ERROR message becomes *err. */
int sync_expect(int sock, enum sync_type type, struct sync_msg *msg, struct berth_error **err);
void sync_msg_clear(struct sync_msg *msg);

/* SCM_RIGHTS helpers (also used for --console-socket). */
int sync_send_fd(int sock, int fd, const char *name, struct berth_error **err);

#endif
