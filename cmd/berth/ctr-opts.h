/* The flags of `berth run` and `berth create` and the create body they make
 * (POST /containers/create), with the docker CLI's parsing and messages for
 * bad values; also docker's time formats for logs --since/--until and the
 * detach keys. No I/O besides reading --env-file, --label-file and
 * --security-opt seccomp=FILE (unit-tested in tests/unit/test-cli-ctr-opts.c). */
#ifndef BERTH_CLI_CTR_OPTS_H
#define BERTH_CLI_CTR_OPTS_H

#include "cli.h"

#include <errno.h>
#include <stdint.h>
#include <time.h>

struct ctr_opts {
	/* run only */
	bool detach, rm;
	bool sig_proxy; /* the caller sets the default, true */
	const char *detach_keys;
	/* run and create */
	bool interactive, tty, privileged, read_only, init;
	const char *name, *workdir, *user, *entrypoint, *restart, *memory, *memory_swap,
	    *memory_reservation, *cpus, *cpu_shares, *cpuset_cpus, *cpuset_mems, *pids_limit,
	    *shm_size, *stop_signal, *stop_timeout, *hostname, *domainname, *pid, *ipc, *uts,
	    *runtime, *network, *platform, *log_driver, *oom_score_adj, *blkio_weight, *cgroupns,
	    *cgroup_parent, *pull;
	struct cli_strv env, env_file, cap_add, cap_drop, tmpfs, security_opt, ulimit, device,
	    label, label_file, sysctl, group_add, log_opt, attach, dns, dns_search, dns_option,
	    add_host, expose;
	bool no_healthcheck, oom_kill_disable;
};

/* The flag table for opts (run: also -d, --rm, --sig-proxy, --detach-keys).
 * NULL-type-terminated; caller frees the array. */
struct cli_opt *ctr_opts_table(struct ctr_opts *o, bool run);

/* How ctr_opts_body() failed: a bad flag value (pflag's "invalid argument
 * ... for ... flag: ...", printed with the usage line) or another error
 * (printed as "berth: <msg>"). Both exit 125. */
#define CTR_OPTS_EFLAG EDOM

/* Looks up a variable of the caller's environment (-e FOO, --env-file lines
 * without '='); getenv in the CLI, a fake in tests. */
typedef char *(*ctr_getenv_fn)(const char *name);

/* The Env of a create or exec body: the --env-file lines (docker's
 * parseKeyValueFile: comments, BOM; a NAME alone is taken from env, left
 * out when unset there), then the -e values (a NAME alone from env, kept
 * as NAME when unset); json null when there are none. A bad -e is a CTR_OPTS_EFLAG error, an
 * unreadable or malformed file names the file or line. */
int ctr_env_list(const struct cli_strv *envs, const struct cli_strv *env_files, ctr_getenv_fn env,
		 json_t **out, struct berth_error **err);

/* The create body, in the docker CLI's key order. tty_size: the terminal's
 * [rows, cols] for ConsoleSize when -t and stdout is a terminal, else
 * {0, 0}. api_version: AutoRemove only from 1.25 (older daemons: the CLI
 * removes). */
int ctr_opts_body(const struct ctr_opts *o, const char *image, char *const *cmd, int ncmd,
		  const int tty_size[2], const char *api_version, ctr_getenv_fn env, json_t **body,
		  struct berth_error **err);

/* Sizes as go-units RAMInBytes ("512m", "1.5g", "1024", "2GiB"): 1024-based.
 * -1 with go-units' reason in *why (caller frees). */
int ctr_parse_ram(const char *s, int64_t *out, char **why);
/* --cpus as a decimal number -> NanoCpus ("1.5" -> 1500000000). -1 with a
 * docker message in *err. */
int ctr_parse_cpus(const char *s, int64_t *out, struct berth_error **err);

/* docker's timetypes.GetTimestamp: a Go duration ("10m", "1h30m": now minus
 * it, whole seconds), RFC 3339 (with or without zone, seconds, fraction),
 * a date ("2006-01-02"), or unix seconds[.nanoseconds] (passed on as typed).
 * *out: "seconds[.nanoseconds]" for the API; caller frees. */
int ctr_timestamp(const char *value, time_t now, char **out, struct berth_error **err);

/* "ctrl-p,ctrl-q" -> bytes 0x10 0x11 (docker's term.ToBytes). Caller frees. */
int ctr_detach_keys(const char *s, unsigned char **keys, size_t *n, struct berth_error **err);

#endif
