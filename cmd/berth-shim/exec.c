/* exec: `runtime exec --detach --process F --pid-file P [--console-socket S]`;
 * the process is reparented to the shim (a subreaper), which reaps it and
 * holds its stdio like the init's. */
#include "shim.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void proc_free(struct proc *p)
{
	if (!p)
		return;
	free(p->exec_id);
	buf_free(&p->pending);
	buf_free(&p->inbuf);
	free(p);
}

static bool valid_exec_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 128)
		return false;
	for (const char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '_' || *c == '.'))
			return false;
	return id[0] != '.';
}

static int run_exec(struct shim *s, const char *pfile, const char *pidfile, bool terminal,
		    struct stdio_setup *st, int *console_fd, struct berth_error **err)
{
	char *args[12];
	int i = 0;
	args[i++] = "exec";
	args[i++] = "--detach";
	args[i++] = "--process";
	args[i++] = (char *)pfile;
	args[i++] = "--pid-file";
	args[i++] = (char *)pidfile;
	if (terminal) {
		args[i++] = "--console-socket";
		args[i++] = st->console_arg;
	}
	args[i++] = s->o.id;
	args[i] = NULL;
	struct rt_io io;
	rt_io_init(&io);
	io.in = st->child_in;
	io.out = st->child_out;
	io.err = st->child_err;
	io.err_peek = st->err;
	io.console_listen = st->console_listen;
	int rc = rt_run(s, args, &io, err);
	*console_fd = steal_fd(io.console_fd);
	rt_io_free(&io);
	return rc;
}

int exec_start(struct shim *s, json_t *req, pid_t *pid, struct berth_error **err)
{
	const char *id = json_string_value(json_object_get(req, "exec_id"));
	json_t *process = json_object_get(req, "process");
	if (!id || !valid_exec_id(id))
		return berth_error_set(err, EINVAL, "exec: bad \"exec_id\"");
	if (!json_is_object(process))
		return berth_error_set(err, EINVAL, "exec %s: \"process\" must be an object", id);
	if (proc_find(s, id))
		return berth_error_set(err, EEXIST, "exec %s: exists already", id);
	if (s->init->status != PS_RUNNING)
		return berth_error_set(err, EINVAL, "exec %s: container %s is %s", id, s->o.id,
				       proc_status_name(s->init->status));
	bool terminal = json_is_true(json_object_get(req, "terminal"));
	bool want_in = json_is_true(json_object_get(req, "stdin"));
	cleanup_json json_t *pj = json_deep_copy(process);
	json_object_set_new(pj, "terminal", json_boolean(terminal));
	cleanup_free char *txt = json_dumps(pj, JSON_COMPACT);
	cleanup_free char *pname = xasprintf("exec-%s.json", id);
	cleanup_free char *pidname = xasprintf("exec-%s.pid", id);
	cleanup_free char *pfile = shim_path(s, pname);
	cleanup_free char *pidfile = shim_path(s, pidname);
	cleanup_close int dfd = open(s->o.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "exec %s: open %s", id, s->o.dir);
	if (fs_write_file_atomic(dfd, pname, txt, strlen(txt), 0600, false, err) < 0)
		return berth_error_wrap(err, "exec %s", id);
	struct stdio_setup st;
	if (stdio_prepare(s, terminal, want_in, &st, err) < 0) {
		unlink(pfile);
		return berth_error_wrap(err, "exec %s", id);
	}
	int console_fd = -1;
	pid_t xpid = 0;
	int rc = run_exec(s, pfile, pidfile, terminal, &st, &console_fd, err);
	if (rc == 0)
		rc = rt_read_pid_file(pidfile, &xpid, err);
	if (rc == 0 && terminal && console_fd < 0)
		rc = berth_error_set(err, EPROTO, "no pty received on the console socket");
	unlink(pfile);
	unlink(pidfile);
	if (rc < 0) {
		if (console_fd >= 0)
			close(console_fd);
		stdio_cleanup(&st);
		return berth_error_wrap(err, "exec %s", id);
	}
	struct proc *p = xcalloc(1, sizeof(*p));
	p->exec_id = xstrdup(id);
	p->pid = xpid;
	p->status = PS_RUNNING;
	p->started_at = now_ns();
	stdio_finish(s, p, &st, console_fd);
	/* after init, which stays first */
	p->next = s->init->next;
	s->init->next = p;
	*pid = xpid;
	return 0;
}
