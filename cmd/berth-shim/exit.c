/* Exits: reaping init, execs and every orphan reparented to the shim (it is a
 * child subreaper); exit.json written with fsync before the exit event goes
 * out; OOM kills read from the container's cgroup. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "shim/shim-cgroup.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void oom_watch(struct shim *s);

void oom_setup(struct shim *s)
{
	bool v2 = false;
	char *file = shim_cgroup_oom_file(NULL, s->init->pid, &s->cgroup, &v2);
	if (file == NULL)
		return;
	free(s->oom_file);
	s->oom_file = file;
	oom_watch(s);
}

/* The oom_kill count of the container's cgroup; -1 if unknown. */
static long long oom_kill_count(struct shim *s)
{
	return shim_cgroup_oom_kills(s->oom_file);
}

static bool oom_happened(struct shim *s)
{
	return oom_kill_count(s) > 0;
}

void oom_on_event(struct shim *s)
{
	char b[4096];
	while (read(s->oom_w.fd, b, sizeof(b)) > 0)
		;
	long long n = oom_kill_count(s);
	if (n < 0)
		return; /* the cgroup is gone (v1 signals its removal too) */
	/* v1 signals before the OOM killer ran, v2's memory.events changes for
	 * several counters: for v2 only a new kill counts */
	bool v2 = strstr(s->oom_file, "/memory.events") != NULL;
	if (v2 && n <= s->oom_kills)
		return;
	s->oom_kills = n;
	cleanup_json json_t *ev = json_object();
	json_object_set_new(ev, "event", json_string("oom"));
	exit_broadcast(s, ev);
}

static void oom_watch(struct shim *s)
{
	if (!s->oom_file)
		return;
	int fd = shim_cgroup_oom_fd(s->oom_file);
	if (fd < 0)
		return;
	s->oom_kills = oom_kill_count(s);
	s->oom_w = (struct watch){W_OOM, fd, s};
	loop_add(s, &s->oom_w, EPOLLIN);
}

json_t *exit_event(const struct proc *p)
{
	json_t *ev = json_object();
	json_object_set_new(ev, "event", json_string("exit"));
	if (p->exec_id)
		json_object_set_new(ev, "exec_id", json_string(p->exec_id));
	json_object_set_new(ev, "pid", json_integer(p->pid));
	json_object_set_new(ev, "exit_code", json_integer(p->exit_code));
	json_object_set_new(ev, "signal", json_integer(p->signal));
	json_object_set_new(ev, "exited_at", json_integer(p->exited_at));
	json_object_set_new(ev, "oom_killed", json_boolean(p->oom_killed));
	return ev;
}

void exit_broadcast(struct shim *s, json_t *ev)
{
	struct conn *next;
	for (struct conn *c = s->conns; c; c = next) {
		next = c->next;
		if (c->mode == C_SUB && shim_frame_write(c->w.fd, ev) < 0)
			conn_close(s, c);
	}
}

static void write_exit_file(struct shim *s, const struct proc *p)
{
	cleanup_json json_t *j = json_object();
	json_object_set_new(j, "pid", json_integer(p->pid));
	json_object_set_new(j, "exit_code", json_integer(p->exit_code));
	json_object_set_new(j, "signal", json_integer(p->signal));
	json_object_set_new(j, "exited_at", json_integer(p->exited_at));
	json_object_set_new(j, "oom_killed", json_boolean(p->oom_killed));
	cleanup_free char *txt = json_dumps(j, JSON_COMPACT);
	cleanup_close int dfd = open(s->o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct berth_error *err = NULL;
	if (dfd < 0 ||
	    fs_write_file_atomic(dfd, "exit.json", txt, strlen(txt), 0644, true, &err) < 0) {
		berth_error_free(&err);
		return;
	}
	fsync(dfd);
}

static void proc_exited(struct shim *s, struct proc *p, int wst)
{
	p->exited_at = now_ns();
	if (WIFSIGNALED(wst)) {
		p->signal = WTERMSIG(wst);
		p->exit_code = 128 + p->signal;
	} else {
		p->signal = 0;
		p->exit_code = WEXITSTATUS(wst);
	}
	/* the last output reaches the log and the attach clients first */
	stdio_drain(s, p);
	p->status = PS_STOPPED;
	if (p == s->init) {
		p->oom_killed = oom_happened(s);
		if (s->log) {
			struct timespec ts;
			clock_gettime(CLOCK_REALTIME, &ts);
			shim_log_flush(s->log, &ts);
		}
		write_exit_file(s, p);
	}
	cleanup_json json_t *ev = exit_event(p);
	exit_broadcast(s, ev);
	attach_process_done(s, p);
}

void exit_on_sigchld(struct shim *s)
{
	for (;;) {
		int wst;
		pid_t pid = waitpid(-1, &wst, WNOHANG);
		if (pid <= 0)
			return;
		if (!WIFEXITED(wst) && !WIFSIGNALED(wst))
			continue;
		for (struct proc *p = s->procs; p; p = p->next) {
			if (p->pid == pid && p->status != PS_STOPPED) {
				proc_exited(s, p, wst);
				break;
			}
		}
		/* anything else is an orphan reparented to us: reaped, forgotten */
	}
}
