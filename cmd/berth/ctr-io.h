/* What run, create, start, attach and exec share: the create request with
 * docker's pull on 404, the attach connection, the wait long poll, resize,
 * and the attached session (terminal, signals, detach keys, the copy loop).
 * The commands themselves are declared here too (main.c's table). */
#ifndef BERTH_CLI_CTR_IO_H
#define BERTH_CLI_CTR_IO_H

#include "cli.h"
#include "ctr-opts.h"
#include "hijack.h"

/* POST /containers/create[?name=&platform=]; on 404 (image missing) with
 * pull "missing" (NULL) prints "Unable to find image 'X' locally", pulls
 * with progress on stderr and creates again; "always" pulls first, "never"
 * does not pull. Warnings of the reply go to stderr. *id: caller frees. */
int ctr_create(struct cli *cli, const struct ctr_opts *o, const char *image, json_t *body,
	       char **id, struct berth_error **err);

/* Print a run/create error: a bad flag value (CTR_OPTS_EFLAG) with the
 * usage line, others as "berth: MSG" and the --help hint; returns 125. */
int ctr_opts_fail(const struct cli_spec *spec, struct berth_error **err);

/* The create body of run/create from the parsed flags (the image at
 * argv[first], its command after; the terminal's size with -t), on the
 * client (*c, owned by cli). NULL on failure, the error printed and the exit
 * status in *status (a bad flag: ctr_opts_fail's 125; no daemon: 1). */
json_t *ctr_create_body(struct cli *cli, const struct cli_spec *spec, struct ctr_opts *o, int argc,
			char **argv, int first, struct client **c, int *status);

/* POST /containers/{id}/attach?...stream=1 (upgraded). */
int ctr_attach_open(struct cli *cli, const char *id, bool in, bool out, bool errs,
		    const char *detach_keys, struct hj_conn **conn, struct berth_error **err);
/* POST /containers/{id}/wait[?condition=]: the head now, the body later. */
int ctr_wait_open(struct cli *cli, const char *id, const char *condition, struct hj_conn **conn,
		  struct berth_error **err);
/* The wait's body: *status = StatusCode; an "Error" in it fails. */
int ctr_wait_result(struct hj_conn *conn, int *status, struct berth_error **err);
/* POST /{containers|exec}/{id}/resize?h=&w= with the terminal's size (no-op
 * when stdout is no terminal); delta is added to both (attach's redraw). */
void ctr_resize(struct cli *cli, const char *kind, const char *id, int delta);

struct ctr_session {
	struct cli *cli;
	const char *kind; /* "containers" or "exec" (resize path) */
	const char *id;
	struct hj_conn *conn;
	bool tty, in;		 /* the container's tty; stdin attached */
	bool sig_proxy;		 /* forward signals as POST kill (not with a tty) */
	const char *detach_keys; /* NULL: ctrl-p,ctrl-q */
};
/* Raw mode (tty with stdin on a terminal), SIGWINCH -> resize, signal
 * proxy, the copy loop; the terminal restored. 0 when the output ended, 1
 * on detach, -1 with *err. */
int ctr_session_run(struct ctr_session *s, struct berth_error **err);

/* "the input device is not a TTY" when -i -t and stdin is not a terminal. */
int ctr_check_tty(bool attach_stdin, bool tty, struct berth_error **err);

int cmd_run(struct cli *cli, int argc, char **argv);
int cmd_create(struct cli *cli, int argc, char **argv);
int cmd_start(struct cli *cli, int argc, char **argv);
int cmd_attach(struct cli *cli, int argc, char **argv);
int cmd_exec(struct cli *cli, int argc, char **argv);
int cmd_logs(struct cli *cli, int argc, char **argv);
int cmd_wait(struct cli *cli, int argc, char **argv);

#endif
