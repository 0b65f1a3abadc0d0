/* run/create flags -> the create body, as the docker CLI parses them (see
 * ctr-opts.h). Messages are docker's (pflag's "invalid argument ... for ...
 * flag: ..." and the runconfig/opts packages' texts). */
#include "ctr-opts.h"
#include "host.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define OPT(s, l, t, d, m, h)                                                                      \
	{                                                                                          \
		s, l, t, d, m, h                                                                   \
	}

struct cli_opt *ctr_opts_table(struct ctr_opts *o, bool run)
{
	const struct cli_opt all[] = {
	    OPT('a', "attach", CLI_OPT_STRV, &o->attach, "list",
		"Attach to STDIN, STDOUT or STDERR"),
	    OPT(0, "add-host", CLI_OPT_STRV, &o->add_host, "list",
		"Add a custom host-to-IP mapping (host:ip)"),
	    OPT(0, "blkio-weight", CLI_OPT_STRING, &o->blkio_weight, "uint16",
		"Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)"),
	    OPT(0, "cap-add", CLI_OPT_STRV, &o->cap_add, "list", "Add Linux capabilities"),
	    OPT(0, "cap-drop", CLI_OPT_STRV, &o->cap_drop, "list", "Drop Linux capabilities"),
	    OPT(0, "cgroup-parent", CLI_OPT_STRING, &o->cgroup_parent, "string",
		"Optional parent cgroup for the container"),
	    OPT(0, "cgroupns", CLI_OPT_STRING, &o->cgroupns, "string",
		"Cgroup namespace to use (host|private)"),
	    OPT('c', "cpu-shares", CLI_OPT_STRING, &o->cpu_shares, "int",
		"CPU shares (relative weight)"),
	    OPT(0, "cpus", CLI_OPT_STRING, &o->cpus, "decimal", "Number of CPUs"),
	    OPT(0, "cpuset-cpus", CLI_OPT_STRING, &o->cpuset_cpus, "string",
		"CPUs in which to allow execution (0-3, 0,1)"),
	    OPT(0, "cpuset-mems", CLI_OPT_STRING, &o->cpuset_mems, "string",
		"MEMs in which to allow execution (0-3, 0,1)"),
	    OPT('d', "detach", CLI_OPT_BOOL, &o->detach, NULL,
		"Run container in background and print container ID"),
	    OPT(0, "detach-keys", CLI_OPT_STRING, &o->detach_keys, "string",
		"Override the key sequence for detaching a container"),
	    OPT(0, "device", CLI_OPT_STRV, &o->device, "list",
		"Add a host device to the container"),
	    OPT(0, "dns", CLI_OPT_STRV, &o->dns, "list", "Set custom DNS servers"),
	    OPT(0, "dns-option", CLI_OPT_STRV, &o->dns_option, "list", "Set DNS options"),
	    OPT(0, "dns-search", CLI_OPT_STRV, &o->dns_search, "list",
		"Set custom DNS search domains"),
	    OPT(0, "domainname", CLI_OPT_STRING, &o->domainname, "string",
		"Container NIS domain name"),
	    OPT(0, "entrypoint", CLI_OPT_STRING, &o->entrypoint, "string",
		"Overwrite the default ENTRYPOINT of the image"),
	    OPT('e', "env", CLI_OPT_STRV, &o->env, "list", "Set environment variables"),
	    OPT(0, "env-file", CLI_OPT_STRV, &o->env_file, "list",
		"Read in a file of environment variables"),
	    OPT(0, "expose", CLI_OPT_STRV, &o->expose, "list", "Expose a port or a range of ports"),
	    OPT(0, "group-add", CLI_OPT_STRV, &o->group_add, "list",
		"Add additional groups to join"),
	    OPT('h', "hostname", CLI_OPT_STRING, &o->hostname, "string", "Container host name"),
	    OPT(0, "init", CLI_OPT_BOOL, &o->init, NULL,
		"Run an init inside the container that forwards signals and reaps processes"),
	    OPT('i', "interactive", CLI_OPT_BOOL, &o->interactive, NULL,
		"Keep STDIN open even if not attached"),
	    OPT(0, "ipc", CLI_OPT_STRING, &o->ipc, "string", "IPC mode to use"),
	    OPT('l', "label", CLI_OPT_STRV, &o->label, "list", "Set meta data on a container"),
	    OPT(0, "label-file", CLI_OPT_STRV, &o->label_file, "list",
		"Read in a line delimited file of labels"),
	    OPT(0, "log-driver", CLI_OPT_STRING, &o->log_driver, "string",
		"Logging driver for the container"),
	    OPT(0, "log-opt", CLI_OPT_STRV, &o->log_opt, "list", "Log driver options"),
	    OPT('m', "memory", CLI_OPT_STRING, &o->memory, "bytes", "Memory limit"),
	    OPT(0, "memory-reservation", CLI_OPT_STRING, &o->memory_reservation, "bytes",
		"Memory soft limit"),
	    OPT(0, "memory-swap", CLI_OPT_STRING, &o->memory_swap, "bytes",
		"Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
	    OPT(0, "name", CLI_OPT_STRING, &o->name, "string", "Assign a name to the container"),
	    OPT(0, "network", CLI_OPT_STRING, &o->network, "network",
		"Connect a container to a network (none, host)"),
	    OPT(0, "no-healthcheck", CLI_OPT_BOOL, &o->no_healthcheck, NULL,
		"Disable any container-specified HEALTHCHECK"),
	    OPT(0, "oom-kill-disable", CLI_OPT_BOOL, &o->oom_kill_disable, NULL,
		"Disable OOM Killer"),
	    OPT(0, "oom-score-adj", CLI_OPT_STRING, &o->oom_score_adj, "int",
		"Tune host's OOM preferences (-1000 to 1000)"),
	    OPT(0, "pid", CLI_OPT_STRING, &o->pid, "string", "PID namespace to use"),
	    OPT(0, "pids-limit", CLI_OPT_STRING, &o->pids_limit, "int",
		"Tune container pids limit (set -1 for unlimited)"),
	    OPT(0, "platform", CLI_OPT_STRING, &o->platform, "string",
		"Set platform if server is multi-platform capable"),
	    OPT(0, "privileged", CLI_OPT_BOOL, &o->privileged, NULL,
		"Give extended privileges to this container"),
	    OPT(0, "pull", CLI_OPT_STRING, &o->pull, "string",
		"Pull image before running (\"always\", \"missing\", \"never\") (default "
		"\"missing\")"),
	    OPT(0, "read-only", CLI_OPT_BOOL, &o->read_only, NULL,
		"Mount the container's root filesystem as read only"),
	    OPT(0, "restart", CLI_OPT_STRING, &o->restart, "string",
		"Restart policy to apply when a container exits (default \"no\")"),
	    OPT(0, "rm", CLI_OPT_BOOL, &o->rm, NULL,
		"Automatically remove the container and its associated anonymous volumes when "
		"it exits"),
	    OPT(0, "runtime", CLI_OPT_STRING, &o->runtime, "string",
		"Runtime to use for this container"),
	    OPT(0, "security-opt", CLI_OPT_STRV, &o->security_opt, "list", "Security Options"),
	    OPT(0, "shm-size", CLI_OPT_STRING, &o->shm_size, "bytes", "Size of /dev/shm"),
	    OPT(0, "sig-proxy", CLI_OPT_BOOL, &o->sig_proxy, NULL,
		"Proxy received signals to the process (default true)"),
	    OPT(0, "stop-signal", CLI_OPT_STRING, &o->stop_signal, "string",
		"Signal to stop the container"),
	    OPT(0, "stop-timeout", CLI_OPT_STRING, &o->stop_timeout, "int",
		"Timeout (in seconds) to stop a container"),
	    OPT(0, "sysctl", CLI_OPT_STRV, &o->sysctl, "map", "Sysctl options"),
	    OPT('t', "tty", CLI_OPT_BOOL, &o->tty, NULL, "Allocate a pseudo-TTY"),
	    OPT(0, "tmpfs", CLI_OPT_STRV, &o->tmpfs, "list", "Mount a tmpfs directory"),
	    OPT('u', "user", CLI_OPT_STRING, &o->user, "string",
		"Username or UID (format: <name|uid>[:<group|gid>])"),
	    OPT(0, "ulimit", CLI_OPT_STRV, &o->ulimit, "ulimit", "Ulimit options"),
	    OPT(0, "uts", CLI_OPT_STRING, &o->uts, "string", "UTS namespace to use"),
	    OPT('w', "workdir", CLI_OPT_STRING, &o->workdir, "string",
		"Working directory inside the container"),
	};
	/* --rm is create's too (AutoRemove), as the docker CLI's */
	static const char *const run_only[] = {"detach", "detach-keys", "sig-proxy", NULL};
	size_t n = sizeof(all) / sizeof(all[0]);
	struct cli_opt *t = xcalloc(n + 1, sizeof(*t));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool skip = false;
		for (const char *const *r = run_only; !run && *r; r++)
			if (strcmp(*r, all[i].long_name) == 0)
				skip = true;
		if (!skip)
			t[k++] = all[i];
	}
	t[k] = (struct cli_opt){0, NULL, CLI_OPT_END, NULL, NULL, NULL};
	return t;
}

/* ---- value parsers with Go's messages ---- */

static int flag_error(struct berth_error **err, char sh, const char *lname, const char *val,
		      const char *why)
{
	if (sh)
		return berth_error_set(err, CTR_OPTS_EFLAG,
				       "invalid argument \"%s\" for \"-%c, --%s\" flag: %s", val,
				       sh, lname, why);
	return berth_error_set(err, CTR_OPTS_EFLAG, "invalid argument \"%s\" for \"--%s\" flag: %s",
			       val, lname, why);
}

/* strconv.ParseInt(s, 10, 64) with its error text in *why (caller frees). */
static int parse_int64(const char *s, int64_t min, int64_t max, bool is_unsigned, int64_t *out,
		       char **why)
{
	const char *fn = is_unsigned ? "strconv.ParseUint" : "strconv.ParseInt";
	const char *p = s;
	if (*p == '+' || (*p == '-' && !is_unsigned))
		p++;
	if (*p == '\0' || strspn(p, "0123456789") != strlen(p)) {
		*why = xasprintf("%s: parsing \"%s\": invalid syntax", fn, s);
		return -1;
	}
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || v < min || v > max) {
		*why = xasprintf("%s: parsing \"%s\": value out of range", fn, s);
		return -1;
	}
	*out = v;
	return 0;
}

static int int_flag(const char *val, char sh, const char *lname, int64_t min, int64_t max,
		    bool is_unsigned, int64_t *out, struct berth_error **err)
{
	cleanup_free char *why = NULL;
	if (parse_int64(val, min, max, is_unsigned, out, &why) < 0)
		return flag_error(err, sh, lname, val, why);
	return 0;
}

int ctr_parse_ram(const char *s, int64_t *out, char **why)
{
	/* go-units parseSize: the number up to the last digit, dot or space,
	 * then an optional suffix b, k, kb, kib, m, ... (1024-based) */
	ssize_t sep = -1;
	for (size_t i = 0; s[i]; i++)
		if (strchr("0123456789. ", s[i]))
			sep = (ssize_t)i;
	if (sep < 0) {
		*why = xasprintf("invalid size: '%s'", s);
		return -1;
	}
	cleanup_free char *num = strndup(s, (size_t)(s[sep] == ' ' ? sep : sep + 1));
	const char *sfx = s + sep + 1;
	char *end = NULL;
	errno = 0;
	double v = strtod(num, &end);
	if (*num == '\0' || *end != '\0' || isspace((unsigned char)*num) ||
	    strpbrk(num, "xXpPnN")) {
		*why = xasprintf("strconv.ParseFloat: parsing \"%s\": invalid syntax", num);
		return -1;
	}
	if (errno == ERANGE) {
		*why = xasprintf("strconv.ParseFloat: parsing \"%s\": value out of range", num);
		return -1;
	}
	if (v < 0) {
		*why = xasprintf("invalid size: '%s'", s);
		return -1;
	}
	size_t sl = strlen(sfx);
	cleanup_free char *low = xstrdup(sfx);
	for (char *p = low; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	const char *units = "kmgtp";
	const char *u = sl ? strchr(units, low[0]) : NULL;
	if (sl > 3 || (sl > 0 && low[0] == 'b' && sl > 1) ||
	    (sl > 0 && low[0] != 'b' && (u == NULL || low[0] == '\0')) ||
	    (u && sl == 2 && low[1] != 'b') || (u && sl == 3 && strcmp(low + 1, "ib") != 0)) {
		*why = xasprintf("invalid suffix: '%s'", sl > 3 ? sfx : low);
		return -1;
	}
	for (const char *q = units; u && q <= u; q++)
		v *= 1024;
	if (v >= 9.2e18) {
		*why = xasprintf("invalid size: '%s'", s);
		return -1;
	}
	*out = (int64_t)v;
	return 0;
}

static int ram_flag(const char *val, char sh, const char *lname, bool allow_minus_one, int64_t *out,
		    struct berth_error **err)
{
	if (allow_minus_one && strcmp(val, "-1") == 0) {
		*out = -1;
		return 0;
	}
	cleanup_free char *why = NULL;
	if (ctr_parse_ram(val, out, &why) < 0)
		return flag_error(err, sh, lname, val, why);
	return 0;
}

int ctr_parse_cpus(const char *s, int64_t *out, struct berth_error **err)
{
	/* big.Rat.SetString: [+-]digits[.digits] or a/b */
	const char *p = s;
	bool neg = false;
	if (*p == '+' || *p == '-')
		neg = *p++ == '-';
	const char *slash = strchr(p, '/');
	if (slash) {
		int64_t a, b;
		cleanup_free char *why = NULL;
		cleanup_free char *as = strndup(p, (size_t)(slash - p));
		if (parse_int64(as, 0, INT64_MAX, true, &a, &why) < 0 ||
		    parse_int64(slash + 1, 1, INT64_MAX, true, &b, &why) < 0 ||
		    a > INT64_MAX / 1000000000)
			return berth_error_set(err, CTR_OPTS_EFLAG,
					       "failed to parse %s as a rational number", s);
		if ((a * 1000000000) % b != 0)
			return berth_error_set(err, CTR_OPTS_EFLAG, "value is too precise");
		*out = (neg ? -1 : 1) * (a * 1000000000 / b);
		return 0;
	}
	size_t ni = strspn(p, "0123456789");
	const char *frac = p + ni;
	size_t nf = 0;
	if (*frac == '.') {
		frac++;
		nf = strspn(frac, "0123456789");
	}
	if ((ni == 0 && nf == 0) || frac[nf] != '\0' || ni > 9)
		return berth_error_set(err, CTR_OPTS_EFLAG,
				       "failed to parse %s as a rational number", s);
	int64_t v = 0;
	for (size_t i = 0; i < ni; i++)
		v = v * 10 + (p[i] - '0');
	int64_t f = 0;
	for (size_t i = 0; i < 9; i++)
		f = f * 10 + (i < nf ? frac[i] - '0' : 0);
	for (size_t i = 9; i < nf; i++)
		if (frac[i] != '0')
			return berth_error_set(err, CTR_OPTS_EFLAG, "value is too precise");
	*out = (neg ? -1 : 1) * (v * 1000000000 + f);
	return 0;
}

/* ---- files of KEY=VALUE lines (docker's parseKeyValueFile) ---- */

static int read_kv_file(const char *path, ctr_getenv_fn env, json_t *out, bool is_env,
			struct berth_error **err)
{
	cleanup_fclose FILE *f = fopen(path, "re");
	if (f == NULL) {
		const char *m = strerror(errno);
		return berth_error_set(err, errno, "open %s: %c%s", path,
				       tolower((unsigned char)*m), m + 1);
	}
	cleanup_free char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int lineno = 0;
	while ((len = getline(&line, &cap, f)) >= 0) {
		lineno++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *l = line;
		if (lineno == 1 && strncmp(l, "\xef\xbb\xbf", 3) == 0)
			l += 3;
		while (isspace((unsigned char)*l))
			l++;
		if (*l == '\0' || *l == '#')
			continue;
		char *eq = strchr(l, '=');
		cleanup_free char *var = eq ? strndup(l, (size_t)(eq - l)) : xstrdup(l);
		if (strpbrk(var, " \t\n\v\f\r"))
			return berth_error_set(
			    err, EINVAL,
			    "poorly formatted environment: variable '%s' contains "
			    "whitespaces",
			    var);
		if (*var == '\0')
			return berth_error_set(err, EINVAL,
					       "poorly formatted environment: no variable name on "
					       "line '%s'",
					       l);
		if (eq) {
			json_array_append_new(out, json_string(l));
		} else if (is_env && env) {
			const char *v = env(var);
			if (v) {
				cleanup_free char *kv = xasprintf("%s=%s", var, v);
				json_array_append_new(out, json_string(kv));
			}
		}
	}
	return 0;
}

static json_t *strv_array(const struct cli_strv *v)
{
	if (v->n == 0)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; i < v->n; i++)
		json_array_append_new(a, json_string(v->v[i]));
	return a;
}

int ctr_env_list(const struct cli_strv *envs, const struct cli_strv *env_files, ctr_getenv_fn env,
		 json_t **out, struct berth_error **err)
{
	cleanup_json json_t *a = json_array();
	for (size_t i = 0; i < envs->n; i++) {
		const char *e = envs->v[i];
		if (*e == '=' || *e == '\0') {
			cleanup_free char *why = xasprintf("invalid environment variable: %s", e);
			return flag_error(err, 'e', "env", e, why);
		}
	}
	for (size_t i = 0; i < env_files->n; i++)
		if (read_kv_file(env_files->v[i], env, a, true, err) < 0)
			return -1;
	for (size_t i = 0; i < envs->n; i++) {
		const char *e = envs->v[i];
		const char *v = strchr(e, '=') ? NULL : (env ? env(e) : NULL);
		if (v) {
			cleanup_free char *kv = xasprintf("%s=%s", e, v);
			json_array_append_new(a, json_string(kv));
		} else {
			json_array_append_new(a, json_string(e));
		}
	}
	*out = json_array_size(a) ? json_incref(a) : json_null();
	return 0;
}

static int build_labels(const struct ctr_opts *o, json_t **out, struct berth_error **err)
{
	cleanup_json json_t *kv = json_array();
	for (size_t i = 0; i < o->label_file.n; i++)
		if (read_kv_file(o->label_file.v[i], NULL, kv, false, err) < 0)
			return -1;
	for (size_t i = 0; i < o->label.n; i++) {
		const char *l = o->label.v[i];
		if (*l == '=' || *l == '\0') {
			cleanup_free char *why = xasprintf("invalid label '%s': empty name", l);
			return flag_error(err, 'l', "label", l, why);
		}
		json_array_append_new(kv, json_string(l));
	}
	json_t *m = json_object();
	size_t i;
	json_t *s;
	json_array_foreach(kv, i, s)
	{
		const char *l = json_string_value(s);
		const char *eq = strchr(l, '=');
		cleanup_free char *k = eq ? strndup(l, (size_t)(eq - l)) : xstrdup(l);
		json_object_set_new(m, k, json_string(eq ? eq + 1 : ""));
	}
	*out = m;
	return 0;
}

/* ---- host-config pieces ---- */

static int build_restart(const struct ctr_opts *o, json_t **out, struct berth_error **err)
{
	const char *r = o->restart ? o->restart : "no";
	const char *colon = strchr(r, ':');
	int64_t count = 0;
	if (colon && colon == r)
		return berth_error_set(err, EINVAL,
				       "invalid restart policy format: no policy provided before "
				       "colon");
	if (colon && colon[1]) {
		cleanup_free char *why = NULL;
		if (parse_int64(colon + 1, INT_MIN, INT_MAX, false, &count, &why) < 0)
			return berth_error_set(err, EINVAL,
					       "invalid restart policy format: maximum retry count "
					       "must be an integer");
	}
	cleanup_free char *name = colon ? strndup(r, (size_t)(colon - r)) : xstrdup(r);
	if (o->rm && *name && strcmp(name, "no") != 0)
		return berth_error_set(
		    err, EINVAL, "conflicting options: cannot specify both --restart and --rm");
	*out = json_pack("{s:s,s:I}", "Name", name, "MaximumRetryCount", (json_int_t)count);
	return 0;
}

static const char *const ulimit_names[] = {
    "as",     "core",  "cpu", "data",	"fsize",  "locks",	"memlock", "msgqueue", "nice",
    "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack",   NULL,
};

static int build_ulimits(const struct ctr_opts *o, json_t **out, struct berth_error **err)
{
	cleanup_json json_t *a = json_array();
	for (size_t i = 0; i < o->ulimit.n; i++) {
		const char *u = o->ulimit.v[i];
		const char *eq = strchr(u, '=');
		cleanup_free char *why = NULL;
		if (eq == NULL) {
			why = xasprintf("invalid ulimit argument: %s", u);
			return flag_error(err, 0, "ulimit", u, why);
		}
		cleanup_free char *name = strndup(u, (size_t)(eq - u));
		bool known = false;
		for (const char *const *n = ulimit_names; *n; n++)
			known |= strcmp(*n, name) == 0;
		if (!known) {
			why = xasprintf("invalid ulimit type: %s", name);
			return flag_error(err, 0, "ulimit", u, why);
		}
		const char *vals = eq + 1;
		const char *c1 = strchr(vals, ':');
		if (c1 && strchr(c1 + 1, ':')) {
			why = xasprintf("too many limit value arguments - %s, can only have up to "
					"two, `soft[:hard]`",
					vals);
			return flag_error(err, 0, "ulimit", u, why);
		}
		int64_t soft, hard;
		cleanup_free char *sv = c1 ? strndup(vals, (size_t)(c1 - vals)) : xstrdup(vals);
		if (c1 && parse_int64(c1 + 1, INT64_MIN, INT64_MAX, false, &hard, &why) < 0)
			return flag_error(err, 0, "ulimit", u, why);
		if (parse_int64(sv, INT64_MIN, INT64_MAX, false, &soft, &why) < 0)
			return flag_error(err, 0, "ulimit", u, why);
		if (!c1)
			hard = soft;
		if (hard != -1 && soft > hard) {
			why = xasprintf("ulimit soft limit must be less than or equal to hard "
					"limit: %lld > %lld",
					(long long)soft, (long long)hard);
			return flag_error(err, 0, "ulimit", u, why);
		}
		json_array_append_new(a, json_pack("{s:s,s:I,s:I}", "Name", name, "Hard",
						   (json_int_t)hard, "Soft", (json_int_t)soft));
	}
	*out = json_incref(a);
	return 0;
}

static bool valid_device_mode(const char *m)
{
	if (*m == '\0')
		return false;
	bool seen[3] = {false, false, false};
	for (const char *p = m; *p; p++) {
		const char *k = strchr("rwm", *p);
		if (k == NULL || seen[k - "rwm"])
			return false;
		seen[k - "rwm"] = true;
	}
	return true;
}

static int build_devices(const struct ctr_opts *o, json_t **out, struct berth_error **err)
{
	cleanup_json json_t *a = json_array();
	for (size_t i = 0; i < o->device.n; i++) {
		const char *d = o->device.v[i];
		cleanup_free char *copy = xstrdup(d);
		char *parts[4] = {NULL};
		int np = 0;
		for (char *s = copy, *tok; np < 4 && (tok = strsep(&s, ":"));)
			parts[np++] = tok;
		if (np == 4 || *parts[0] == '\0')
			return berth_error_set(err, EINVAL, "invalid device specification: %s", d);
		const char *src = parts[0], *dst = NULL, *perm = "rwm";
		if (np == 3) {
			perm = parts[2];
			dst = parts[1];
			if (!valid_device_mode(perm))
				return berth_error_set(err, EINVAL, "invalid device mode: %s",
						       perm);
		} else if (np == 2) {
			if (valid_device_mode(parts[1]))
				perm = parts[1];
			else
				dst = parts[1];
		}
		if (dst == NULL || *dst == '\0')
			dst = src;
		if (*src != '/' || *dst != '/') {
			cleanup_free char *why =
			    xasprintf("%s is not an absolute path", *src != '/' ? src : dst);
			return flag_error(err, 0, "device", d, why);
		}
		json_array_append_new(a,
				      json_pack("{s:s,s:s,s:s}", "PathOnHost", src,
						"PathInContainer", dst, "CgroupPermissions", perm));
	}
	*out = json_incref(a);
	return 0;
}

static int build_security_opts(const struct ctr_opts *o, json_t **out, struct berth_error **err)
{
	if (o->security_opt.n == 0) {
		*out = json_null();
		return 0;
	}
	cleanup_json json_t *a = json_array();
	for (size_t i = 0; i < o->security_opt.n; i++) {
		const char *s = o->security_opt.v[i];
		if (strcmp(s, "no-new-privileges") == 0) {
			json_array_append_new(a, json_string(s));
			continue;
		}
		size_t kl = strcspn(s, "=:");
		if (s[kl] == '\0' || s[kl + 1] == '\0')
			return berth_error_set(err, EINVAL, "Invalid --security-opt: \"%s\"", s);
		const char *v = s + kl + 1;
		if (kl == 7 && strncmp(s, "seccomp", 7) == 0 && strcmp(v, "unconfined") != 0 &&
		    strcmp(v, "builtin") != 0) {
			cleanup_fclose FILE *f = fopen(v, "re");
			if (f == NULL) {
				const char *m = strerror(errno);
				return berth_error_set(err, errno,
						       "opening seccomp profile (%s) failed: open "
						       "%s: %c%s",
						       v, v, tolower((unsigned char)*m), m + 1);
			}
			json_error_t jerr;
			cleanup_json json_t *prof = json_loadf(f, JSON_DECODE_ANY, &jerr);
			if (prof == NULL)
				return berth_error_set(err, EINVAL,
						       "compacting json for seccomp profile (%s) "
						       "failed: %s",
						       v, jerr.text);
			cleanup_free char *c =
			    json_dumps(prof, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY);
			cleanup_free char *opt = xasprintf("seccomp=%s", c);
			json_array_append_new(a, json_string(opt));
			continue;
		}
		json_array_append_new(a, json_string(s));
	}
	*out = json_incref(a);
	return 0;
}

static bool valid_ns_mode(const char *m, bool is_ipc)
{
	if (m == NULL || *m == '\0' || strcmp(m, "host") == 0)
		return true;
	if (strncmp(m, "container:", 10) == 0)
		return m[10] != '\0';
	if (is_ipc)
		return strcmp(m, "private") == 0 || strcmp(m, "shareable") == 0 ||
		       strcmp(m, "none") == 0;
	return false;
}

static const char *const ns_sysctls[] = {
    "kernel.msgmax", "kernel.msgmnb", "kernel.msgmni",		"kernel.sem", "kernel.shmall",
    "kernel.shmmax", "kernel.shmmni", "kernel.shm_rmid_forced", NULL,
};

static int build_sysctls(const struct ctr_opts *o, json_t **out, struct berth_error **err)
{
	if (o->sysctl.n == 0) {
		*out = NULL;
		return 0;
	}
	cleanup_json json_t *m = json_object();
	for (size_t i = 0; i < o->sysctl.n; i++) {
		const char *s = o->sysctl.v[i];
		const char *eq = strchr(s, '=');
		cleanup_free char *k = eq ? strndup(s, (size_t)(eq - s)) : NULL;
		bool ok =
		    k != NULL && (strncmp(k, "net.", 4) == 0 || strncmp(k, "fs.mqueue.", 10) == 0);
		for (const char *const *n = ns_sysctls; k && *n; n++)
			ok |= strcmp(*n, k) == 0;
		if (!ok) {
			cleanup_free char *why = xasprintf("sysctl '%s' is not allowed", s);
			return flag_error(err, 0, "sysctl", s, why);
		}
		json_object_set_new(m, k, json_string(eq + 1));
	}
	*out = json_incref(m);
	return 0;
}

static json_t *kv_map(const struct cli_strv *v, char sep)
{
	json_t *m = json_object();
	for (size_t i = 0; i < v->n; i++) {
		const char *s = v->v[i];
		const char *c = strchr(s, sep);
		cleanup_free char *k = c ? strndup(s, (size_t)(c - s)) : xstrdup(s);
		json_object_set_new(m, k, json_string(c ? c + 1 : ""));
	}
	return m;
}

struct ctr_limits {
	int64_t memory, swap, reservation, shm, nanocpus, shares, pids, oom_adj, blkio;
	int64_t stop_timeout;
};

static int parse_limits(const struct ctr_opts *o, struct ctr_limits *l, struct berth_error **err)
{
	*l = (struct ctr_limits){0};
	if (o->memory && ram_flag(o->memory, 'm', "memory", false, &l->memory, err) < 0)
		return -1;
	if (o->memory_swap && ram_flag(o->memory_swap, 0, "memory-swap", true, &l->swap, err) < 0)
		return -1;
	if (o->memory_reservation && ram_flag(o->memory_reservation, 0, "memory-reservation", false,
					      &l->reservation, err) < 0)
		return -1;
	if (o->shm_size && ram_flag(o->shm_size, 0, "shm-size", false, &l->shm, err) < 0)
		return -1;
	if (o->cpus) {
		struct berth_error *e = NULL;
		if (ctr_parse_cpus(o->cpus, &l->nanocpus, &e) < 0) {
			flag_error(err, 0, "cpus", o->cpus, e->msg);
			berth_error_free(&e);
			return -1;
		}
	}
	if (o->cpu_shares && int_flag(o->cpu_shares, 'c', "cpu-shares", INT64_MIN, INT64_MAX, false,
				      &l->shares, err) < 0)
		return -1;
	if (o->pids_limit && int_flag(o->pids_limit, 0, "pids-limit", INT64_MIN, INT64_MAX, false,
				      &l->pids, err) < 0)
		return -1;
	if (o->oom_score_adj && int_flag(o->oom_score_adj, 0, "oom-score-adj", INT_MIN, INT_MAX,
					 false, &l->oom_adj, err) < 0)
		return -1;
	if (o->blkio_weight &&
	    int_flag(o->blkio_weight, 0, "blkio-weight", 0, 65535, true, &l->blkio, err) < 0)
		return -1;
	if (o->stop_timeout && int_flag(o->stop_timeout, 0, "stop-timeout", INT_MIN, INT_MAX, false,
					&l->stop_timeout, err) < 0)
		return -1;
	return 0;
}

static int check_attach(const struct ctr_opts *o, bool att[3], struct berth_error **err)
{
	static const char *const names[] = {"stdin", "stdout", "stderr"};
	att[0] = att[1] = att[2] = false;
	for (size_t i = 0; i < o->attach.n; i++) {
		bool ok = false;
		for (int k = 0; k < 3; k++)
			if (strcasecmp(o->attach.v[i], names[k]) == 0)
				att[k] = ok = true;
		if (!ok)
			return flag_error(err, 'a', "attach", o->attach.v[i],
					  "valid streams are STDIN, STDOUT and STDERR");
	}
	if (o->interactive)
		att[0] = true;
	if (o->attach.n == 0)
		att[1] = att[2] = true;
	if (o->detach) {
		if (o->attach.n)
			return berth_error_set(err, EINVAL, "Conflicting options: -a and -d");
		att[0] = att[1] = att[2] = false;
	}
	return 0;
}

static int check_modes(const struct ctr_opts *o, struct berth_error **err)
{
	if (!valid_ns_mode(o->pid, false))
		return berth_error_set(err, EINVAL, "--pid: invalid PID mode");
	if (!valid_ns_mode(o->uts, false))
		return berth_error_set(err, EINVAL, "--uts: invalid UTS mode");
	if (!valid_ns_mode(o->ipc, true))
		return berth_error_set(err, EINVAL, "--ipc: invalid IPC mode");
	if (o->cgroupns && *o->cgroupns && strcmp(o->cgroupns, "host") != 0 &&
	    strcmp(o->cgroupns, "private") != 0)
		return berth_error_set(err, EINVAL, "--cgroupns: invalid CGROUP mode");
	if (o->pull && strcmp(o->pull, "always") && strcmp(o->pull, "missing") &&
	    strcmp(o->pull, "never"))
		return berth_error_set(err, EINVAL,
				       "invalid pull option: '%s': must be one of \"always\", "
				       "\"missing\" or \"never\"",
				       o->pull);
	return 0;
}

static json_t *build_exposed(const struct ctr_opts *o)
{
	if (o->expose.n == 0)
		return NULL;
	json_t *m = json_object();
	for (size_t i = 0; i < o->expose.n; i++) {
		const char *p = o->expose.v[i];
		cleanup_free char *k = strchr(p, '/') ? xstrdup(p) : xasprintf("%s/tcp", p);
		json_object_set_new(m, k, json_object());
	}
	return m;
}

static json_t *host_config(const struct ctr_opts *o, const struct ctr_limits *l, json_t *restart,
			   json_t *secopt, json_t *sysctls, json_t *ulimits, json_t *devices,
			   const int tty_size[2], bool auto_remove)
{
	json_t *h = json_object();
	json_object_set_new(h, "Binds", json_null());
	json_object_set_new(h, "ContainerIDFile", json_string(""));
	json_object_set_new(h, "LogConfig",
			    json_pack("{s:s,s:o}", "Type", o->log_driver ? o->log_driver : "",
				      "Config", kv_map(&o->log_opt, '=')));
	json_object_set_new(h, "NetworkMode", json_string(o->network ? o->network : "default"));
	json_object_set_new(h, "PortBindings", json_object());
	json_object_set_new(h, "RestartPolicy", json_incref(restart));
	json_object_set_new(h, "AutoRemove", json_boolean(auto_remove));
	json_object_set_new(h, "VolumeDriver", json_string(""));
	json_object_set_new(h, "VolumesFrom", json_null());
	json_object_set_new(h, "ConsoleSize", json_pack("[i,i]", tty_size[0], tty_size[1]));
	json_object_set_new(h, "CapAdd", strv_array(&o->cap_add));
	json_object_set_new(h, "CapDrop", strv_array(&o->cap_drop));
	json_object_set_new(h, "CgroupnsMode", json_string(o->cgroupns ? o->cgroupns : ""));
	json_t *dns = strv_array(&o->dns), *dnso = strv_array(&o->dns_option),
	       *dnss = strv_array(&o->dns_search);
	json_object_set_new(h, "Dns", json_is_null(dns) ? json_array() : dns);
	json_object_set_new(h, "DnsOptions", json_is_null(dnso) ? json_array() : dnso);
	json_object_set_new(h, "DnsSearch", json_is_null(dnss) ? json_array() : dnss);
	json_object_set_new(h, "ExtraHosts", strv_array(&o->add_host));
	json_object_set_new(h, "GroupAdd", strv_array(&o->group_add));
	json_object_set_new(h, "IpcMode", json_string(o->ipc ? o->ipc : ""));
	json_object_set_new(h, "Cgroup", json_string(""));
	json_object_set_new(h, "Links", json_null());
	json_object_set_new(h, "OomScoreAdj", json_integer(l->oom_adj));
	json_object_set_new(h, "PidMode", json_string(o->pid ? o->pid : ""));
	json_object_set_new(h, "Privileged", json_boolean(o->privileged));
	json_object_set_new(h, "PublishAllPorts", json_false());
	json_object_set_new(h, "ReadonlyRootfs", json_boolean(o->read_only));
	json_object_set_new(h, "SecurityOpt", json_incref(secopt));
	if (o->tmpfs.n)
		json_object_set_new(h, "Tmpfs", kv_map(&o->tmpfs, ':'));
	json_object_set_new(h, "UTSMode", json_string(o->uts ? o->uts : ""));
	json_object_set_new(h, "UsernsMode", json_string(""));
	json_object_set_new(h, "ShmSize", json_integer(l->shm));
	if (sysctls)
		json_object_set_new(h, "Sysctls", json_incref(sysctls));
	if (o->runtime && *o->runtime)
		json_object_set_new(h, "Runtime", json_string(o->runtime));
	json_object_set_new(h, "Isolation", json_string(""));
	json_object_set_new(h, "CpuShares", json_integer(l->shares));
	json_object_set_new(h, "Memory", json_integer(l->memory));
	json_object_set_new(h, "NanoCpus", json_integer(l->nanocpus));
	json_object_set_new(h, "CgroupParent",
			    json_string(o->cgroup_parent ? o->cgroup_parent : ""));
	json_object_set_new(h, "BlkioWeight", json_integer(l->blkio));
	static const char *const empty_lists[] = {"BlkioWeightDevice",	  "BlkioDeviceReadBps",
						  "BlkioDeviceWriteBps",  "BlkioDeviceReadIOps",
						  "BlkioDeviceWriteIOps", NULL};
	for (const char *const *k = empty_lists; *k; k++)
		json_object_set_new(h, *k, json_array());
	json_object_set_new(h, "CpuPeriod", json_integer(0));
	json_object_set_new(h, "CpuQuota", json_integer(0));
	json_object_set_new(h, "CpuRealtimePeriod", json_integer(0));
	json_object_set_new(h, "CpuRealtimeRuntime", json_integer(0));
	json_object_set_new(h, "CpusetCpus", json_string(o->cpuset_cpus ? o->cpuset_cpus : ""));
	json_object_set_new(h, "CpusetMems", json_string(o->cpuset_mems ? o->cpuset_mems : ""));
	json_object_set_new(h, "Devices", json_incref(devices));
	json_object_set_new(h, "DeviceCgroupRules", json_null());
	json_object_set_new(h, "DeviceRequests", json_null());
	json_object_set_new(h, "MemoryReservation", json_integer(l->reservation));
	json_object_set_new(h, "MemorySwap", json_integer(l->swap));
	json_object_set_new(h, "MemorySwappiness", json_integer(-1));
	json_object_set_new(h, "OomKillDisable", json_boolean(o->oom_kill_disable));
	json_object_set_new(h, "PidsLimit", json_integer(l->pids));
	json_object_set_new(h, "Ulimits", json_incref(ulimits));
	json_object_set_new(h, "CpuCount", json_integer(0));
	json_object_set_new(h, "CpuPercent", json_integer(0));
	json_object_set_new(h, "IOMaximumIOps", json_integer(0));
	json_object_set_new(h, "IOMaximumBandwidth", json_integer(0));
	json_object_set_new(h, "MaskedPaths", json_null());
	json_object_set_new(h, "ReadonlyPaths", json_null());
	if (o->init)
		json_object_set_new(h, "Init", json_true());
	return h;
}

int ctr_opts_body(const struct ctr_opts *o, const char *image, char *const *cmd, int ncmd,
		  const int tty_size[2], const char *api_version, ctr_getenv_fn env, json_t **body,
		  struct berth_error **err)
{
	struct ctr_limits l;
	bool att[3];
	if (check_attach(o, att, err) < 0 || parse_limits(o, &l, err) < 0 ||
	    check_modes(o, err) < 0)
		return -1;
	cleanup_json json_t *envs = NULL, *labels = NULL, *restart = NULL, *ulimits = NULL,
			    *devices = NULL, *secopt = NULL, *sysctls = NULL;
	if (ctr_env_list(&o->env, &o->env_file, env, &envs, err) < 0 ||
	    build_labels(o, &labels, err) < 0 || build_ulimits(o, &ulimits, err) < 0 ||
	    build_devices(o, &devices, err) < 0 || build_sysctls(o, &sysctls, err) < 0 ||
	    build_security_opts(o, &secopt, err) < 0 || build_restart(o, &restart, err) < 0)
		return -1;

	json_t *b = json_object();
	json_object_set_new(b, "Hostname", json_string(o->hostname ? o->hostname : ""));
	json_object_set_new(b, "Domainname", json_string(o->domainname ? o->domainname : ""));
	json_object_set_new(b, "User", json_string(o->user ? o->user : ""));
	json_object_set_new(b, "AttachStdin", json_boolean(att[0]));
	json_object_set_new(b, "AttachStdout", json_boolean(att[1]));
	json_object_set_new(b, "AttachStderr", json_boolean(att[2]));
	json_t *exposed = build_exposed(o);
	if (exposed)
		json_object_set_new(b, "ExposedPorts", exposed);
	json_object_set_new(b, "Tty", json_boolean(o->tty));
	json_object_set_new(b, "OpenStdin", json_boolean(o->interactive));
	/* run attached with stdin: the daemon closes stdin when we leave */
	json_object_set_new(b, "StdinOnce", json_boolean(o->interactive && att[0] && !o->detach));
	json_object_set_new(b, "Env", json_incref(envs));
	if (ncmd > 0) {
		json_t *c = json_array();
		for (int i = 0; i < ncmd; i++)
			json_array_append_new(c, json_string(cmd[i]));
		json_object_set_new(b, "Cmd", c);
	} else {
		json_object_set_new(b, "Cmd", json_null());
	}
	if (o->no_healthcheck)
		json_object_set_new(b, "Healthcheck", json_pack("{s:[s]}", "Test", "NONE"));
	json_object_set_new(b, "Image", json_string(image));
	json_object_set_new(b, "Volumes", json_object());
	json_object_set_new(b, "WorkingDir", json_string(o->workdir ? o->workdir : ""));
	json_object_set_new(b, "Entrypoint",
			    o->entrypoint ? json_pack("[s]", o->entrypoint) : json_null());
	json_object_set_new(b, "OnBuild", json_null());
	json_object_set_new(b, "Labels", json_incref(labels));
	if (o->stop_signal)
		json_object_set_new(b, "StopSignal", json_string(o->stop_signal));
	if (o->stop_timeout)
		json_object_set_new(b, "StopTimeout", json_integer(l.stop_timeout));
	bool auto_remove =
	    o->rm && (api_version == NULL || cli_apiver_cmp(api_version, "1.25") >= 0);
	json_object_set_new(
	    b, "HostConfig",
	    host_config(o, &l, restart, secopt, sysctls, ulimits, devices, tty_size, auto_remove));
	json_object_set_new(b, "NetworkingConfig", json_pack("{s:{}}", "EndpointsConfig"));
	*body = b;
	return 0;
}

/* ---- docker's timetypes.GetTimestamp ---- */

/* Go's time.ParseDuration; seconds (may be fractional) in *secs. */
static int parse_go_duration(const char *s, double *secs)
{
	const char *p = s;
	double sign = 1;
	if (*p == '-' || *p == '+')
		sign = *p++ == '-' ? -1 : 1;
	if (strcmp(p, "0") == 0) {
		*secs = 0;
		return 0;
	}
	if (*p == '\0')
		return -1;
	double total = 0;
	while (*p) {
		const char *start = p;
		while (isdigit((unsigned char)*p) || *p == '.')
			p++;
		if (p == start || (p - start == 1 && *start == '.'))
			return -1;
		double v = strtod(start, NULL);
		static const struct {
			const char *u;
			double mult;
		} units[] = {{"ns", 1e-9}, {"us", 1e-6}, {"\xc2\xb5s", 1e-6}, {"ms", 1e-3},
			     {"s", 1},	   {"m", 60},	 {"h", 3600}};
		size_t best = 0;
		double mult = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
			size_t ul = strlen(units[i].u);
			if (strncmp(p, units[i].u, ul) == 0 && ul > best &&
			    !(ul == 1 && *p == 'm' && p[1] == 's')) {
				best = ul;
				mult = units[i].mult;
			}
		}
		if (best == 0)
			return -1;
		p += best;
		total += v * mult;
	}
	*secs = sign * total;
	return 0;
}

static int digits(const char **p, int n, int *out)
{
	int v = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)(*p)[i]))
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	*out = v;
	return 0;
}

/* "YYYY-MM-DD[THH[:MM[:SS[.frac]]]][Z|±hh:mm]" -> unix seconds + ns. */
static int parse_rfc3339ish(const char *s, long utc_off_local, int64_t *sec, long *nsec)
{
	const char *p = s;
	struct tm tm = {0};
	int y, mo, d, h = 0, mi = 0, se = 0;
	long ns = 0;
	if (digits(&p, 4, &y) < 0 || *p++ != '-' || digits(&p, 2, &mo) < 0 || *p++ != '-' ||
	    digits(&p, 2, &d) < 0)
		return -1;
	if (*p == 'T') {
		p++;
		if (digits(&p, 2, &h) < 0)
			return -1;
		if (*p == ':') {
			p++;
			if (digits(&p, 2, &mi) < 0)
				return -1;
			if (*p == ':') {
				p++;
				if (digits(&p, 2, &se) < 0)
					return -1;
				if (*p == '.') {
					p++;
					int nd = 0;
					while (isdigit((unsigned char)*p)) {
						if (nd < 9)
							ns = ns * 10 + (*p - '0');
						nd++, p++;
					}
					if (nd == 0)
						return -1;
					for (; nd < 9; nd++)
						ns *= 10;
				}
			}
		}
	}
	long off = utc_off_local;
	if (*p == 'Z' || *p == 'z') {
		off = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int sign = *p++ == '-' ? -1 : 1, oh, om;
		if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0)
			return -1;
		off = sign * (oh * 3600 + om * 60);
	}
	if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = se;
	*sec = (int64_t)timegm(&tm) - off;
	*nsec = ns;
	return 0;
}

int ctr_timestamp(const char *value, time_t now, char **out, struct berth_error **err)
{
	double d;
	if (strcmp(value, "0") != 0 && parse_go_duration(value, &d) == 0) {
		/* reference.Add(-d).Unix(): floor of the instant */
		double t = (double)now - d;
		int64_t s = (int64_t)t;
		if ((double)s > t)
			s--;
		*out = xasprintf("%lld", (long long)s);
		return 0;
	}
	struct tm lt;
	localtime_r(&now, &lt);
	int64_t sec;
	long nsec;
	if (parse_rfc3339ish(value, lt.tm_gmtoff, &sec, &nsec) == 0) {
		*out = xasprintf("%lld.%09ld", (long long)sec, nsec);
		return 0;
	}
	if (strchr(value, '-'))
		return berth_error_set(err, EINVAL, "parsing time \"%s\": cannot parse as RFC 3339",
				       value);
	/* unix seconds[.nanoseconds], passed on as typed */
	size_t n = strspn(value, "0123456789");
	bool ok = n > 0;
	if (ok && value[n] == '.')
		ok = strspn(value + n + 1, "0123456789") == strlen(value + n + 1) &&
		     value[n + 1] != '\0';
	else if (ok)
		ok = value[n] == '\0';
	if (!ok)
		return berth_error_set(err, EINVAL,
				       "failed to parse value as time or duration: \"%s\"", value);
	*out = xstrdup(value);
	return 0;
}

int ctr_detach_keys(const char *s, unsigned char **keys, size_t *n, struct berth_error **err)
{
	static const char ctl[] = "@abcdefghijklmnopqrstuvwxyz[\\]^_";
	cleanup_free char *copy = xstrdup(s);
	unsigned char *k = xmalloc(strlen(s) + 1);
	size_t nk = 0;
	for (char *p = copy, *tok; (tok = strsep(&p, ","));) {
		if (strlen(tok) == 1) {
			k[nk++] = (unsigned char)tok[0];
		} else if (strncmp(tok, "ctrl-", 5) == 0 && strlen(tok) == 6 &&
			   strchr(ctl, tok[5]) && tok[5]) {
			k[nk++] = (unsigned char)(strchr(ctl, tok[5]) - ctl);
		} else if (strcmp(tok, "DEL") == 0) {
			k[nk++] = 127;
		} else {
			free(k);
			return berth_error_set(err, EINVAL, "Unknown character: '%s'", tok);
		}
	}
	*keys = k;
	*n = nk;
	return 0;
}
