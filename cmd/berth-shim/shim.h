/* berth-shim internals: one shim per container (docs/shim.md). One thread,
 * one epoll loop; signalfd for SIGCHLD; the runtime runs as a child waited on
 * through a pidfd. */
#ifndef BERTH_SHIM_INTERNAL_H
#define BERTH_SHIM_INTERNAL_H

#include "common/error.h"
#include "shim/shim-log.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Output waiting for a non-blocking fd. */
struct buf {
	char *data;
	size_t len, off;
};
void buf_append(struct buf *b, const void *data, size_t len);
size_t buf_pending(const struct buf *b);
/* Write what the fd takes; 0 (all written or EAGAIN) or -1 (fd broken). */
int buf_flush(struct buf *b, int fd);
void buf_free(struct buf *b);

enum watch_kind { W_LISTEN, W_SIGNAL, W_CONN, W_OUT, W_ERR, W_IN, W_OOM };
struct watch {
	enum watch_kind kind;
	int fd;
	void *obj;
};

enum proc_status { PS_CREATED, PS_RUNNING, PS_PAUSED, PS_STOPPED };

struct proc {
	char *exec_id; /* NULL: the container's init */
	pid_t pid;
	enum proc_status status;
	int exit_code, signal;
	int64_t started_at, exited_at;
	bool oom_killed;
	bool terminal;
	bool stdin_once;
	int pty;	     /* pty master (terminal), for resize; -1 */
	int in_fd;	     /* write side of the process's stdin; -1 */
	struct watch out_w;  /* stdout pipe or pty master; fd -1 after EOF */
	struct watch err_w;  /* stderr pipe; fd -1 */
	struct watch in_w;   /* in_fd waiting for EPOLLOUT */
	struct buf inbuf;    /* stdin not yet taken by the process */
	bool close_in_after; /* close in_fd once inbuf is written */
	bool stdin_full;     /* inbuf is high: attach clients are not read */
	struct buf pending;  /* exec output before its first attach (frames) */
	bool attached_once;
	struct proc *next;
};

enum conn_mode { C_CTRL, C_ATTACH, C_SUB };
struct conn {
	struct watch w;
	enum conn_mode mode;
	struct proc *p; /* attach */
	bool a_stdin, a_stdout, a_stderr, stdin_once;
	bool in_eof;
	struct buf out;
	bool closing; /* close once out is written */
	bool armed_out;
	struct conn *next;
};

struct shim_opts {
	char *dir, *id, *ns, *runtime, *runtime_root, *log_path, *rootfs_mount;
	char **runtime_args;
	bool systemd_cgroup, terminal, stdin_open, stdin_once;
	long long log_max_size;
	int log_max_file;
};

struct shim {
	struct shim_opts o;
	int epfd;
	struct watch listen_w, sig_w;
	struct proc *init;
	struct proc *procs; /* init first, then execs */
	struct conn *conns;
	struct conn *dead_conns; /* closed, freed after the current epoll batch */
	struct proc *dead_procs;
	struct shim_log *log;
	bool log_created;
	char *oom_file;	    /* memory.events (v2) or memory.oom_control (v1) */
	char *cgroup;	    /* the init's cgroup (v2 path, or v1 memory controller's) */
	struct watch oom_w; /* inotify on memory.events (cgroup v2); fd -1 */
	long long oom_kills;
	bool exiting;
};

/* main.c / start.c */
int shim_opts_load(const char *dir, struct shim_opts *o, struct berth_error **err);
int shim_cmd_start(const char *dir);
char *shim_path(const struct shim *s, const char *name);
int64_t now_ns(void);

/* loop.c */
void loop_add(struct shim *s, struct watch *w, uint32_t events);
void loop_mod(struct shim *s, struct watch *w, uint32_t events);
void loop_del(struct shim *s, struct watch *w);
int loop_run(struct shim *s);
void conn_close(struct shim *s, struct conn *c);

/* runtime.c: run `<runtime> <globals> args...`. */
struct rt_io {
	int in, out, err;   /* -1: /dev/null for in, captured for out/err */
	int console_listen; /* listening console socket or -1 */
	int console_fd;	    /* received pty master, -1 */
	int err_peek;	    /* read end of io->err: its text is the error on failure */
	char *out_data;	    /* captured stdout (NUL-terminated) */
};
void rt_io_init(struct rt_io *io);
/* The pid in a runtime's --pid-file. */
int rt_read_pid_file(const char *path, pid_t *pid, struct berth_error **err);
void rt_io_free(struct rt_io *io);
int rt_run(struct shim *s, char **args, struct rt_io *io, struct berth_error **err);
/* A listening unix socket <dir>/console.sock for --console-socket. *arg is
 * the path for the runtime: /proc/<shim>/fd/<*dirfd>/console.sock when the
 * real path exceeds sun_path (*dirfd then stays open until the clean-up). */
int rt_console_listen(const char *dir, char **arg, int *dirfd, struct berth_error **err);

/* stdio.c */
struct stdio_setup {
	int child_in, child_out, child_err; /* given to the runtime, -1 */
	int in, out, err;		    /* kept by the shim, -1 */
	int console_listen;
	char *console_path; /* <dir>/console.sock */
	char *console_arg;  /* what the runtime is given */
	int console_dirfd;
	bool want_stdin;
};
int stdio_prepare(struct shim *s, bool terminal, bool want_stdin, struct stdio_setup *st,
		  struct berth_error **err);
/* After the runtime ran: close the child ends, attach the kept ends to p. */
void stdio_finish(struct shim *s, struct proc *p, struct stdio_setup *st, int console_fd);
void stdio_cleanup(struct stdio_setup *st);
void stdio_on_output(struct shim *s, struct proc *p, struct watch *w);
/* Read what is there now (after the process exited). */
void stdio_drain(struct shim *s, struct proc *p);
void stdio_on_stdin_writable(struct shim *s, struct proc *p);
void stdio_write_stdin(struct shim *s, struct proc *p, const char *data, size_t len);
void stdio_close_stdin(struct shim *s, struct proc *p);
void stdio_close_all(struct shim *s, struct proc *p);

/* attach.c */
int attach_begin(struct shim *s, struct conn *c, struct proc *p, json_t *req);
/* After the attach reply: send what is queued, arm the events. */
void attach_start(struct shim *s, struct conn *c);
void attach_on_event(struct shim *s, struct conn *c, uint32_t events);
void attach_fanout(struct shim *s, struct proc *p, int stream, const char *data, size_t len);
/* Re-arm the attach clients of p (after its stdin buffer drained). */
void attach_rearm(struct shim *s, struct proc *p);
/* The process exited and its output was drained: close its attach clients. */
void attach_process_done(struct shim *s, struct proc *p);

/* exit.c */
void exit_on_sigchld(struct shim *s);
json_t *exit_event(const struct proc *p);
void exit_broadcast(struct shim *s, json_t *ev);
void oom_setup(struct shim *s);
/* memory.events changed: an "oom" event for each new OOM kill. */
void oom_on_event(struct shim *s);

/* ops.c / exec.c */
void ops_dispatch(struct shim *s, struct conn *c, json_t *req);
struct proc *proc_find(struct shim *s, const char *exec_id);
const char *proc_status_name(enum proc_status st);
int exec_start(struct shim *s, json_t *req, pid_t *pid, struct berth_error **err);
void proc_free(struct proc *p);

#endif
