/* Connection hijack (101 UPGRADED, as docker's attach and exec start do):
 * after the head is sent the handler's function owns the raw socket in a
 * thread of its own; when it returns the connection is closed. */
#include "engine/api/api-internal.h"

#include "common/log.h"
#include "common/xalloc.h"

#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <microhttpd.h>

struct upgrade {
	struct api_shared *sh;
	api_upgrade_fn fn;
	void *arg;
	void (*free_arg)(void *);
	/* set when the head went out */
	int fd;
	char *extra;
	size_t extra_len;
	struct MHD_UpgradeResponseHandle *urh;
	atomic_bool started; /* on_upgrade ran (the thread owns one reference) */
	atomic_int refs;     /* the request's state + the thread */
};

static void upgrade_free(struct upgrade *u)
{
	if (atomic_fetch_sub(&u->refs, 1) > 1)
		return;
	if (u->free_arg && u->arg)
		u->free_arg(u->arg);
	free(u->extra);
	api_shared_unref(u->sh);
	free(u);
}

static void *run(void *p)
{
	struct upgrade *u = p;
	u->fn(u->fd, u->extra, u->extra_len, u->arg);
	MHD_upgrade_action(u->urh, MHD_UPGRADE_ACTION_CLOSE);
	atomic_fetch_sub(&u->sh->threads, 1);
	upgrade_free(u);
	return NULL;
}

static void on_upgrade(void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in,
		       size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
	(void)conn;
	(void)req_cls;
	struct upgrade *u = cls;
	atomic_store(&u->started, true);
	/* libmicrohttpd's sockets are non-blocking; handlers get a blocking one */
	int fl = fcntl(sock, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
	u->fd = sock;
	u->urh = urh;
	u->extra = xmalloc(extra_in_size + 1);
	memcpy(u->extra, extra_in ? extra_in : "", extra_in_size);
	u->extra[extra_in_size] = '\0';
	u->extra_len = extra_in_size;
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	atomic_fetch_add(&u->sh->threads, 1);
	pthread_t t;
	int rc = pthread_create(&t, &attr, run, u);
	pthread_attr_destroy(&attr);
	if (rc != 0) {
		atomic_fetch_sub(&u->sh->threads, 1);
		log_error("hijacked connection: cannot start its thread: %s", strerror(rc));
		MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
		upgrade_free(u); /* the thread's reference */
	}
}

struct MHD_Response *api_upgrade_response(struct api_shared *sh, struct api_response *resp,
					  struct upgrade **handle)
{
	struct upgrade *u = xcalloc(1, sizeof(*u));
	u->sh = api_shared_ref(sh);
	u->fn = resp->upgrade_fn;
	u->arg = resp->arg;
	u->free_arg = resp->free_arg;
	u->fd = -1;
	atomic_init(&u->refs, 2);
	atomic_init(&u->started, false);
	resp->arg = NULL; /* owned by the upgrade now */
	struct MHD_Response *r = MHD_create_response_for_upgrade(on_upgrade, u);
	if (r == NULL) {
		atomic_store(&u->refs, 1);
		upgrade_free(u);
		return NULL;
	}
	/* a hijacked session (attach, exec) never holds up a shutdown */
	atomic_fetch_add(&sh->followers, 1);
	*handle = u;
	return r;
}

void api_upgrade_request_done(struct upgrade *u)
{
	atomic_fetch_sub(&u->sh->followers, 1);
	if (!atomic_load(&u->started))
		upgrade_free(u); /* the thread's reference: never started */
	upgrade_free(u);
}
