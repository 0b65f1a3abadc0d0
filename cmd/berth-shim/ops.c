/* The control operations of shim-proto.h. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "shim/shim-proto.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <termios.h>
#include <unistd.h>

const char *proc_status_name(enum proc_status st)
{
	static const char *const names[] = {"created", "running", "paused", "stopped"};
	return names[st];
}

struct proc *proc_find(struct shim *s, const char *exec_id)
{
	if (!exec_id)
		return s->init;
	for (struct proc *p = s->procs; p; p = p->next)
		if (p->exec_id && strcmp(p->exec_id, exec_id) == 0)
			return p;
	return NULL;
}

static int find(struct shim *s, json_t *req, struct proc **out, struct berth_error **err)
{
	json_t *e = json_object_get(req, "exec_id");
	const char *id = json_is_string(e) ? json_string_value(e) : NULL;
	*out = proc_find(s, id);
	if (!*out)
		return berth_error_set(err, ENOENT, "no exec %s in container %s", id, s->o.id);
	return 0;
}

static json_t *reply_ok(void)
{
	json_t *r = json_object();
	json_object_set_new(r, "ok", json_true());
	return r;
}

static json_t *op_state(struct shim *s)
{
	json_t *r = reply_ok();
	struct proc *i = s->init;
	json_object_set_new(r, "id", json_string(s->o.id));
	json_object_set_new(r, "shim_pid", json_integer(getpid()));
	json_object_set_new(r, "pid", json_integer(i->pid));
	json_object_set_new(r, "status", json_string(proc_status_name(i->status)));
	json_object_set_new(r, "exit_code", json_integer(i->exit_code));
	json_object_set_new(r, "signal", json_integer(i->signal));
	json_object_set_new(r, "started_at", json_integer(i->started_at));
	json_object_set_new(r, "exited_at", json_integer(i->exited_at));
	json_object_set_new(r, "oom_killed", json_boolean(i->oom_killed));
	json_object_set_new(r, "runtime", json_string(s->o.runtime));
	if (s->o.runtime_root)
		json_object_set_new(r, "runtime_root", json_string(s->o.runtime_root));
	json_object_set_new(r, "bundle", json_string(s->o.dir));
	if (s->cgroup)
		json_object_set_new(r, "cgroup", json_string(s->cgroup));
	json_object_set_new(r, "log_dropped",
			    json_integer(s->log ? (json_int_t)shim_log_dropped(s->log) : 0));
	json_t *ex = json_array();
	for (struct proc *p = s->procs; p; p = p->next) {
		if (!p->exec_id)
			continue;
		json_t *e = json_object();
		json_object_set_new(e, "exec_id", json_string(p->exec_id));
		json_object_set_new(e, "pid", json_integer(p->pid));
		json_object_set_new(e, "status", json_string(proc_status_name(p->status)));
		json_object_set_new(e, "exit_code", json_integer(p->exit_code));
		json_object_set_new(e, "exited_at", json_integer(p->exited_at));
		json_array_append_new(ex, e);
	}
	json_object_set_new(r, "execs", ex);
	return r;
}

static int op_start(struct shim *s, struct proc *p, json_t *r, struct berth_error **err)
{
	if (p->exec_id) {
		json_object_set_new(r, "pid", json_integer(p->pid));
		return 0;
	}
	if (p->status != PS_CREATED)
		return berth_error_set(err, EBUSY, "container %s is %s, not created", s->o.id,
				       proc_status_name(p->status));
	char *args[] = {"start", s->o.id, NULL};
	struct rt_io io;
	rt_io_init(&io);
	int64_t t0 = now_ns(); /* before: the process may exit while start runs */
	int rc = rt_run(s, args, &io, err);
	rt_io_free(&io);
	if (rc < 0)
		return -1;
	p->started_at = t0;
	/* it may have exited already (reaped by the loop): keep "stopped" */
	if (p->status == PS_CREATED)
		p->status = PS_RUNNING;
	json_object_set_new(r, "pid", json_integer(p->pid));
	return 0;
}

static int op_kill(struct shim *s, struct proc *p, json_t *req, struct berth_error **err)
{
	json_int_t sig = json_integer_value(json_object_get(req, "signal"));
	if (sig <= 0 || sig >= NSIG)
		return berth_error_set(err, EINVAL, "kill: bad signal %lld", (long long)sig);
	bool all = json_is_true(json_object_get(req, "all"));
	/* --all also reaches what is left in the cgroup after init exited */
	if (p->status == PS_STOPPED && !(all && !p->exec_id))
		return berth_error_set(err, ESRCH, "kill %s: process %d is not running",
				       p->exec_id ? p->exec_id : s->o.id, (int)p->pid);
	if (p->exec_id) {
		/* not reaped yet, so the pid cannot have been reused */
		if (kill(p->pid, (int)sig) < 0)
			return berth_error_errno(err, "kill exec %s (pid %d)", p->exec_id,
						 (int)p->pid);
		return 0;
	}
	cleanup_free char *signame = xasprintf("%lld", (long long)sig);
	char *args[] = {"kill", NULL, NULL, NULL, NULL};
	int i = 1;
	if (all)
		args[i++] = "--all";
	args[i++] = s->o.id;
	args[i++] = signame;
	struct rt_io io;
	rt_io_init(&io);
	int rc = rt_run(s, args, &io, err);
	rt_io_free(&io);
	return rc;
}

static int op_simple(struct shim *s, const char *verb, struct berth_error **err)
{
	char *args[] = {(char *)verb, s->o.id, NULL};
	struct rt_io io;
	rt_io_init(&io);
	int rc = rt_run(s, args, &io, err);
	rt_io_free(&io);
	return rc;
}

static int op_pause(struct shim *s, bool pause, struct berth_error **err)
{
	if (s->init->status == PS_STOPPED || s->init->status == PS_CREATED)
		return berth_error_set(err, EINVAL, "container %s is %s", s->o.id,
				       proc_status_name(s->init->status));
	if (op_simple(s, pause ? "pause" : "resume", err) < 0)
		return -1;
	if (s->init->status != PS_STOPPED)
		s->init->status = pause ? PS_PAUSED : PS_RUNNING;
	return 0;
}

static int op_update(struct shim *s, json_t *req, struct berth_error **err)
{
	json_t *res = json_object_get(req, "resources");
	if (!json_is_object(res))
		return berth_error_set(err, EINVAL, "update: \"resources\" must be an object");
	cleanup_free char *txt = json_dumps(res, JSON_COMPACT);
	cleanup_close int dfd = open(s->o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", s->o.dir);
	if (fs_write_file_atomic(dfd, "update.json", txt, strlen(txt), 0600, false, err) < 0)
		return -1;
	cleanup_free char *path = shim_path(s, "update.json");
	char *args[] = {"update", "--resources", path, s->o.id, NULL};
	struct rt_io io;
	rt_io_init(&io);
	int rc = rt_run(s, args, &io, err);
	rt_io_free(&io);
	unlink(path);
	return rc;
}

static int op_stats(struct shim *s, json_t *r, struct berth_error **err)
{
	char *args[] = {"events", "--stats", s->o.id, NULL};
	struct rt_io io;
	rt_io_init(&io);
	if (rt_run(s, args, &io, err) < 0) {
		rt_io_free(&io);
		return -1;
	}
	json_error_t je;
	json_t *j = json_loads(io.out_data, JSON_DISABLE_EOF_CHECK, &je);
	rt_io_free(&io);
	if (!j)
		return berth_error_set(err, EPROTO, "runtime events --stats: bad JSON: %s",
				       je.text);
	/* runc prints {"type":"stats","id":..,"data":{...}} */
	json_t *data = json_object_get(j, "data");
	json_object_set(r, "stats", data ? data : j);
	json_decref(j);
	return 0;
}

static int op_resize(struct proc *p, json_t *req, struct berth_error **err)
{
	json_int_t w = json_integer_value(json_object_get(req, "width"));
	json_int_t h = json_integer_value(json_object_get(req, "height"));
	if (w <= 0 || h <= 0 || w > 65535 || h > 65535)
		return berth_error_set(err, EINVAL, "resize: bad size %lldx%lld", (long long)w,
				       (long long)h);
	if (p->pty < 0)
		return berth_error_set(err, ENOTTY, "resize: the process has no terminal");
	struct winsize ws = {.ws_row = (unsigned short)h, .ws_col = (unsigned short)w};
	if (ioctl(p->pty, TIOCSWINSZ, &ws) < 0)
		return berth_error_errno(err, "resize: TIOCSWINSZ");
	return 0;
}

static void forget_exec(struct shim *s, struct proc *p)
{
	for (struct proc **pp = &s->procs; *pp; pp = &(*pp)->next) {
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	}
	stdio_close_all(s, p);
	attach_process_done(s, p);
	p->next = s->dead_procs;
	s->dead_procs = p;
}

static int op_delete(struct shim *s, struct proc *p, json_t *r, struct berth_error **err)
{
	if (p->status == PS_RUNNING || p->status == PS_PAUSED)
		return berth_error_set(err, EBUSY, "delete %s: process %d is %s",
				       p->exec_id ? p->exec_id : s->o.id, (int)p->pid,
				       proc_status_name(p->status));
	json_object_set_new(r, "exit_code", json_integer(p->exit_code));
	json_object_set_new(r, "exited_at", json_integer(p->exited_at));
	if (p->exec_id) {
		forget_exec(s, p);
		return 0;
	}
	char *args[] = {"delete", "--force", s->o.id, NULL};
	struct rt_io io;
	rt_io_init(&io);
	struct berth_error *rterr = NULL;
	if (rt_run(s, args, &io, &rterr) < 0) {
		/* reported, but the rest of the clean-up still happens */
		json_object_set_new(r, "warning", json_string(rterr->msg));
		berth_error_free(&rterr);
	}
	rt_io_free(&io);
	if (s->o.rootfs_mount && umount2(s->o.rootfs_mount, MNT_DETACH) < 0 && errno != EINVAL &&
	    errno != ENOENT)
		return berth_error_errno(err, "delete: unmount %s", s->o.rootfs_mount);
	const char *files[] = {"shim.sock", "shim.pid", "init.pid", "console.sock"};
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		cleanup_free char *path = shim_path(s, files[i]);
		unlink(path);
	}
	s->exiting = true;
	return 0;
}

/* Ops that reply {"ok":true,...} or an error; attach/subscribe switch modes. */
static int run_op(struct shim *s, struct conn *c, const char *op, json_t *req, json_t *r,
		  struct berth_error **err)
{
	struct proc *p = NULL;
	if (!strcmp(op, "state")) {
		json_t *st = op_state(s);
		json_object_update(r, st);
		json_decref(st);
		return 0;
	}
	if (!strcmp(op, "pause") || !strcmp(op, "resume"))
		return op_pause(s, op[0] == 'p', err);
	if (!strcmp(op, "update"))
		return op_update(s, req, err);
	if (!strcmp(op, "stats"))
		return op_stats(s, r, err);
	if (!strcmp(op, "subscribe")) {
		c->mode = C_SUB;
		return 0;
	}
	if (!strcmp(op, "shutdown")) {
		if (s->init->status == PS_RUNNING || s->init->status == PS_PAUSED)
			return berth_error_set(err, EBUSY, "shutdown: container %s is running",
					       s->o.id);
		s->exiting = true;
		return 0;
	}
	if (!strcmp(op, "exec")) {
		pid_t pid;
		if (exec_start(s, req, &pid, err) < 0)
			return -1;
		json_object_set_new(r, "pid", json_integer(pid));
		return 0;
	}
	if (find(s, req, &p, err) < 0)
		return -1;
	if (!strcmp(op, "start"))
		return op_start(s, p, r, err);
	if (!strcmp(op, "kill"))
		return op_kill(s, p, req, err);
	if (!strcmp(op, "resize"))
		return op_resize(p, req, err);
	if (!strcmp(op, "close_stdin")) {
		stdio_close_stdin(s, p);
		return 0;
	}
	if (!strcmp(op, "attach"))
		return attach_begin(s, c, p, req);
	if (!strcmp(op, "delete"))
		return op_delete(s, p, r, err);
	return berth_error_set(err, ENOSYS, "unknown op \"%s\"", op);
}

void ops_dispatch(struct shim *s, struct conn *c, json_t *req)
{
	const char *op = json_string_value(json_object_get(req, "op"));
	struct berth_error *err = NULL;
	cleanup_json json_t *r = reply_ok();
	int rc = op ? run_op(s, c, op, req, r, &err)
		    : berth_error_set(&err, EINVAL, "request without an \"op\"");
	if (rc < 0) {
		json_decref(r);
		r = json_object();
		json_object_set_new(r, "ok", json_false());
		json_object_set_new(r, "code", json_integer(err && err->code ? err->code : EIO));
		json_object_set_new(r, "error", json_string(err ? err->msg : "failed"));
		berth_error_free(&err);
		c->mode = C_CTRL;
	}
	if (shim_frame_write(c->w.fd, r) < 0) {
		conn_close(s, c);
		return;
	}
	if (rc < 0)
		return;
	if (c->mode == C_SUB) {
		/* replay: exits that already happened */
		for (struct proc *p = s->procs; p; p = p->next) {
			if (p->status != PS_STOPPED)
				continue;
			cleanup_json json_t *ev = exit_event(p);
			if (shim_frame_write(c->w.fd, ev) < 0) {
				conn_close(s, c);
				return;
			}
		}
	} else if (c->mode == C_ATTACH) {
		attach_start(s, c);
	}
}
