/* The monitor: ONE thread, an epoll set over the subscribe connection of
 * every shim. An exit event of the init records the exit (state, exit code,
 * FinishedAt, die event) and hands the clean-up, restart policy and
 * AutoRemove to a worker; exec exits go to ctr_exec_exit_hook; an oom event
 * is published. A connection that drops while its task runs means the shim
 * died: its exit.json if it wrote one, else the container is marked exited
 * with "shim for container <id> died: ...". */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "shim/shim-client.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

struct ctr_sub {
	struct container *c; /* a reference */
	int fd;
	uint64_t gen;
	struct ctr_sub *next, *prev; /* store->subs, under the store lock */
};
#define sub ctr_sub

static void sub_link(struct ctr_store *st, struct sub *s)
{
	pthread_mutex_lock(&st->lock);
	s->prev = NULL;
	s->next = st->subs;
	if (st->subs)
		st->subs->prev = s;
	st->subs = s;
	pthread_mutex_unlock(&st->lock);
}

static void sub_unlink(struct ctr_store *st, struct sub *s)
{
	pthread_mutex_lock(&st->lock);
	if (s->prev)
		s->prev->next = s->next;
	else
		st->subs = s->next;
	if (s->next)
		s->next->prev = s->prev;
	pthread_mutex_unlock(&st->lock);
}

int ctr_read_exit_json(const char *shim_dir, int *code, int64_t *at, bool *oom)
{
	cleanup_free char *path = xasprintf("%s/exit.json", shim_dir);
	cleanup_free char *text = NULL;
	size_t len = 0;
	if (fs_read_file(path, &text, &len, NULL) < 0)
		return -1;
	cleanup_json json_t *v = json_loadb(text, len, 0, NULL);
	int64_t n = 0;
	if (!json_is_object(v) || !bjson_as_int64(json_object_get(v, "exit_code"), &n))
		return -1;
	*code = (int)n;
	*at = bjson_as_int64(json_object_get(v, "exited_at"), &n) ? n : 0;
	*oom = json_is_true(json_object_get(v, "oom_killed"));
	return 0;
}

void ctr_record_exit(struct engine *e, struct container *c, int exit_code, int64_t exited_at,
		     bool oom, const char *error)
{
	pthread_mutex_lock(&c->lock);
	if (c->priv->exit_seen || c->priv->removed) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	c->priv->exit_seen = true;
	struct ctr_state *st = &c->state;
	/* the restart policy decides now, as dockerd: a container that restarts
	 * goes from running to restarting, never through exited */
	struct ctr_restart_policy p;
	ctr_restart_policy(c->host_config, &p);
	bool again = ctr_restart_should(&p, exit_code, st->restart_count, st->manually_stopped);
	if (st->status == CTR_RUNNING || st->status == CTR_PAUSED || st->status == CTR_CREATED ||
	    st->status == CTR_RESTARTING) {
		st->status = again ? CTR_RESTARTING : CTR_EXITED;
		if (again)
			st->restart_count++; /* counted at the exit, as dockerd */
	}
	st->pid = 0;
	st->paused = false;
	st->exit_code = exit_code;
	st->finished_at = exited_at > 0 ? exited_at : ctr_now();
	st->oom_killed = st->oom_killed || oom;
	if (error) {
		free(st->error);
		st->error = xstrdup(error);
	}
	c->priv->exit_seq++;
	/* the shim's oom event may come after the exit (its cgroup watch and
	 * SIGCHLD are separate wake-ups): oom comes before die, as dockerd's */
	bool pub_oom = oom && !c->priv->oom_published;
	c->priv->oom_published |= oom;
	ctr_persist_locked(e, c, false, NULL);
	pthread_cond_broadcast(&c->cond);
	pthread_mutex_unlock(&c->lock);
	if (pub_oom)
		ctr_event(e, c, "oom", NULL);
	char code[16];
	snprintf(code, sizeof(code), "%d", exit_code);
	ctr_event(e, c, "die", json_pack("{s:s}", "exitCode", code));
	if (!ctr_spawn(e, c, ctr_after_exit))
		log_debug("container %s: exit recorded while berthd stops", c->id);
}

static void on_exit_event(struct engine *e, struct sub *s, json_t *ev)
{
	struct container *c = s->c;
	int64_t code = 0, at = 0;
	bjson_as_int64(json_object_get(ev, "exit_code"), &code);
	bjson_as_int64(json_object_get(ev, "exited_at"), &at);
	bool oom = json_is_true(json_object_get(ev, "oom_killed"));
	const char *exec_id = json_string_value(json_object_get(ev, "exec_id"));
	if (exec_id && exec_id[0]) {
		if (ctr_exec_exit_hook)
			ctr_exec_exit_hook(e, c, exec_id, (int)code);
		return;
	}
	pthread_mutex_lock(&c->lock);
	bool current = s->gen == c->priv->task_gen;
	bool starting = c->priv->starting;
	if (current && starting) {
		c->priv->pending_exit = true;
		c->priv->pending = (struct ctr_pending_exit){(int)code, at, oom};
	}
	pthread_mutex_unlock(&c->lock);
	if (current && !starting)
		ctr_record_exit(e, c, (int)code, at, oom, NULL);
}

static void on_event(struct engine *e, struct sub *s, json_t *ev)
{
	const char *what = json_string_value(json_object_get(ev, "event"));
	if (!what)
		return;
	if (strcmp(what, "exit") == 0) {
		on_exit_event(e, s, ev);
	} else if (strcmp(what, "oom") == 0) {
		pthread_mutex_lock(&s->c->lock);
		bool current = s->gen == s->c->priv->task_gen;
		bool pub = current && !s->c->priv->oom_published;
		if (current) {
			s->c->state.oom_killed = true;
			s->c->priv->oom_published = true;
		}
		pthread_mutex_unlock(&s->c->lock);
		if (pub)
			ctr_event(e, s->c, "oom", NULL);
	}
}

static void drop(struct engine *e, struct sub *s, const char *why)
{
	struct container *c = s->c;
	epoll_ctl(e->containers->epfd, EPOLL_CTL_DEL, s->fd, NULL);
	sub_unlink(e->containers, s);
	close(s->fd);
	pthread_mutex_lock(&c->lock);
	bool current = s->gen == c->priv->task_gen;
	if (current)
		c->priv->sub_fd = -1;
	bool died = current && !c->priv->exit_seen && !c->priv->starting &&
		    (c->state.status == CTR_RUNNING || c->state.status == CTR_PAUSED);
	cleanup_free char *dir = c->shim_dir ? xstrdup(c->shim_dir) : NULL;
	pthread_mutex_unlock(&c->lock);
	if (died) {
		int code;
		int64_t at;
		bool oom;
		if (dir && ctr_read_exit_json(dir, &code, &at, &oom) == 0) {
			ctr_record_exit(e, c, code, at, oom, NULL);
		} else {
			cleanup_free char *msg =
			    xasprintf("shim for container %s died: %s", c->id, why);
			log_warn("%s", msg);
			pthread_mutex_lock(&c->lock);
			c->priv->shim_up = false;
			pthread_mutex_unlock(&c->lock);
			ctr_record_exit(e, c, 137, 0, false, msg);
		}
	}
	ctr_unref(c);
	free(s);
}

static void *monitor_main(void *arg)
{
	struct engine *e = arg;
	struct ctr_store *st = e->containers;
	struct epoll_event evs[32];
	for (;;) {
		int n = epoll_wait(st->epfd, evs, 32, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("containers monitor: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (evs[i].data.ptr == NULL)
				return NULL; /* the wake fd: berthd stops */
			struct sub *s = evs[i].data.ptr;
			json_t *ev = NULL;
			struct berth_error *err = NULL;
			if (evs[i].events & EPOLLIN) {
				if (shim_frame_read(s->fd, &ev, &err) < 0) {
					drop(e, s, err->msg);
					berth_error_free(&err);
					continue;
				}
				if (ev) {
					on_event(e, s, ev);
					json_decref(ev);
					continue;
				}
				drop(e, s, "connection closed");
			} else if (evs[i].events & (EPOLLHUP | EPOLLERR)) {
				drop(e, s, "connection closed");
			}
		}
	}
}

int ctr_monitor_add(struct engine *e, struct container *c, struct berth_error **err)
{
	struct shim_conn *conn = NULL;
	if (shim_connect(c->shim_dir, &conn, err) < 0)
		return -1;
	cleanup_json json_t *req = json_pack("{s:s}", "op", "subscribe");
	json_t *reply = NULL;
	if (shim_call(conn, req, 10000, &reply, err) < 0) {
		shim_conn_close(conn);
		return berth_error_wrap(err, "subscribe to the shim of %s", c->id);
	}
	json_decref(reply);
	int fd = shim_conn_steal_fd(conn);
	struct timeval tv = {.tv_sec = 5};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sub *s = xcalloc(1, sizeof(*s));
	s->c = c;
	s->fd = fd;
	ctr_ref(c);
	pthread_mutex_lock(&c->lock);
	s->gen = c->priv->task_gen;
	c->priv->sub_fd = fd;
	pthread_mutex_unlock(&c->lock);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = s};
	sub_link(e->containers, s);
	if (epoll_ctl(e->containers->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		sub_unlink(e->containers, s);
		berth_error_errno(err, "epoll_ctl for the shim of %s", c->id);
		close(fd);
		pthread_mutex_lock(&c->lock);
		c->priv->sub_fd = -1;
		pthread_mutex_unlock(&c->lock);
		ctr_unref(c);
		free(s);
		return -1;
	}
	return 0;
}

int ctr_monitor_start(struct engine *e, struct berth_error **err)
{
	struct ctr_store *s = e->containers;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (s->epfd < 0)
		return berth_error_errno(err, "epoll_create1");
	s->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (s->wake_fd < 0)
		return berth_error_errno(err, "eventfd");
	struct epoll_event ev = {.events = EPOLLIN, .data.ptr = NULL};
	if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, s->wake_fd, &ev) < 0)
		return berth_error_errno(err, "epoll_ctl");
	int rc = pthread_create(&s->monitor, NULL, monitor_main, e);
	if (rc != 0) {
		errno = rc;
		return berth_error_errno(err, "start the containers monitor");
	}
	s->monitor_started = true;
	return 0;
}

/* Stop the thread; the subscribe connections are closed (the shims go on). */
void ctr_monitor_stop(struct engine *e)
{
	struct ctr_store *s = e->containers;
	if (s->monitor_started) {
		uint64_t one = 1;
		if (write(s->wake_fd, &one, sizeof(one)) < 0)
			log_warn("wake the containers monitor: %s", strerror(errno));
		pthread_join(s->monitor, NULL);
		s->monitor_started = false;
	}
	/* the connections left: closed, the shims go on */
	pthread_mutex_lock(&s->lock);
	struct sub *l = s->subs;
	s->subs = NULL;
	pthread_mutex_unlock(&s->lock);
	while (l) {
		struct sub *next = l->next;
		close(l->fd);
		ctr_unref(l->c);
		free(l);
		l = next;
	}
	if (s->epfd >= 0)
		close(s->epfd);
	if (s->wake_fd >= 0)
		close(s->wake_fd);
	s->epfd = s->wake_fd = -1;
}
