/* exec [--process FILE | options] <container-id> [command args...]
 * runc's flags: -t -e --cwd -u -g --cap --no-new-privs --apparmor -d
 * --pid-file --console-socket --preserve-fds --ignore-paused. */
#include "cmd.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"
#include "runtime/exec.h"

#include <stdlib.h>
#include <string.h>

enum {
	O_PROCESS = 'p',
	O_TTY = 't',
	O_ENV = 'e',
	O_USER = 'u',
	O_GIDS = 'g',
	O_CAP = 'c',
	O_DETACH = 'd',
	O_CWD = 256,
	O_NNP,
	O_APPARMOR,
	O_LABEL,
	O_PID,
	O_CONSOLE,
	O_PRESERVE,
	O_IGNORE_PAUSED,
	O_CGROUP,
};

static const struct option exec_opts[] = {
    {"process", required_argument, NULL, O_PROCESS},
    {"tty", no_argument, NULL, O_TTY},
    {"env", required_argument, NULL, O_ENV},
    {"cwd", required_argument, NULL, O_CWD},
    {"user", required_argument, NULL, O_USER},
    {"additional-gids", required_argument, NULL, O_GIDS},
    {"cap", required_argument, NULL, O_CAP},
    {"no-new-privs", no_argument, NULL, O_NNP},
    {"apparmor", required_argument, NULL, O_APPARMOR},
    {"process-label", required_argument, NULL, O_LABEL},
    {"detach", no_argument, NULL, O_DETACH},
    {"pid-file", required_argument, NULL, O_PID},
    {"console-socket", required_argument, NULL, O_CONSOLE},
    {"preserve-fds", required_argument, NULL, O_PRESERVE},
    {"ignore-paused", no_argument, NULL, O_IGNORE_PAUSED},
    {"cgroup", required_argument, NULL, O_CGROUP},
    {NULL, 0, NULL, 0},
};

struct flags {
	const char *process_file;
	bool tty, nnp;
	char **env;
	size_t n_env;
	const char *cwd, *user, *apparmor, *label;
	gid_t *gids;
	size_t n_gids;
	uint64_t caps;
};

static void set_env(struct oci_process *p, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	size_t n = strv_len(p->env);
	for (size_t i = 0; i < n; i++) {
		if (strncmp(p->env[i], kv, klen) == 0 && p->env[i][klen] == '=') {
			free(p->env[i]);
			p->env[i] = xstrdup(kv);
			return;
		}
	}
	p->env = xrealloc(p->env, (n + 2) * sizeof(char *));
	p->env[n] = xstrdup(kv);
	p->env[n + 1] = NULL;
}

static int parse_user(const char *s, struct oci_process *p, struct berth_error **err)
{
	char *end;
	unsigned long uid = strtoul(s, &end, 10);
	if (end == s || (*end != '\0' && *end != ':'))
		return berth_error_set(err, EINVAL, "exec --user %s: expected uid[:gid]", s);
	p->user.uid = (uid_t)uid;
	if (*end == ':') {
		const char *g = end + 1;
		unsigned long gid = strtoul(g, &end, 10);
		if (end == g || *end != '\0')
			return berth_error_set(err, EINVAL, "exec --user %s: expected uid[:gid]",
					       s);
		p->user.gid = (gid_t)gid;
	}
	return 0;
}

static int apply_flags(struct flags *f, struct oci_process *p, struct berth_error **err)
{
	for (size_t i = 0; i < f->n_env; i++) {
		if (strchr(f->env[i], '=') == NULL || f->env[i][0] == '=')
			return berth_error_set(err, EINVAL, "exec --env %s: expected KEY=value",
					       f->env[i]);
		set_env(p, f->env[i]);
	}
	if (f->cwd) {
		free(p->cwd);
		p->cwd = xstrdup(f->cwd);
	}
	if (f->user && parse_user(f->user, p, err) < 0)
		return -1;
	if (f->n_gids) {
		free(p->user.additional_gids);
		p->user.additional_gids = steal_ptr(f->gids);
		p->user.n_additional_gids = f->n_gids;
	}
	if (f->caps) {
		p->has_caps = true;
		p->caps.bounding |= f->caps;
		p->caps.effective |= f->caps;
		p->caps.permitted |= f->caps;
		p->caps.inheritable |= f->caps;
		p->caps.ambient |= f->caps;
	}
	if (f->nnp)
		p->no_new_privileges = true;
	if (f->tty)
		p->terminal = true;
	if (f->apparmor) {
		free(p->apparmor_profile);
		p->apparmor_profile = xstrdup(f->apparmor);
	}
	if (f->label) {
		free(p->selinux_label);
		p->selinux_label = xstrdup(f->label);
	}
	return 0;
}

static int load_process_file(const char *path, struct oci_process **out, struct berth_error **err)
{
	json_error_t jerr;
	cleanup_json json_t *j = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "exec --process %s: invalid JSON: %s", path,
				       jerr.text);
	if (!json_is_object(j))
		return berth_error_set(err, EINVAL, "exec --process %s: expected an object", path);
	if (oci_process_parse(j, "process", out, err) < 0)
		return berth_error_wrap(err, "exec --process %s", path);
	return 0;
}

static int parse_flags(int argc, char **argv, struct flags *f, struct rt_exec_opts *o,
		       struct berth_error **err)
{
	int opt;
	while ((opt = getopt_long_only(argc, argv, "+p:te:u:g:c:d", exec_opts, NULL)) != -1) {
		switch (opt) {
		case O_PROCESS:
			f->process_file = optarg;
			break;
		case O_TTY:
			f->tty = true;
			break;
		case O_ENV:
			f->env = xrealloc(f->env, (f->n_env + 1) * sizeof(char *));
			f->env[f->n_env++] = optarg;
			break;
		case O_CWD:
			f->cwd = optarg;
			break;
		case O_USER:
			f->user = optarg;
			break;
		case O_GIDS: {
			int g;
			if (cmd_parse_int("exec --additional-gids", optarg, 0, INT32_MAX, &g, err) <
			    0)
				return -1;
			f->gids = xrealloc(f->gids, (f->n_gids + 1) * sizeof(gid_t));
			f->gids[f->n_gids++] = (gid_t)g;
			break;
		}
		case O_CAP: {
			int c = oci_cap_from_name(optarg);
			if (c < 0 || c > 63)
				return berth_error_set(
				    err, EINVAL, "exec --cap: unknown capability \"%s\"", optarg);
			f->caps |= 1ULL << c;
			break;
		}
		case O_NNP:
			f->nnp = true;
			break;
		case O_APPARMOR:
			f->apparmor = optarg;
			break;
		case O_LABEL:
			f->label = optarg;
			break;
		case O_DETACH:
			o->detach = true;
			break;
		case O_PID:
			o->pid_file = optarg;
			break;
		case O_CONSOLE:
			o->console_socket = optarg;
			break;
		case O_PRESERVE:
			if (cmd_parse_int("--preserve-fds", optarg, 0, 1 << 20, &o->preserve_fds,
					  err) < 0)
				return -1;
			break;
		case O_IGNORE_PAUSED:
			o->ignore_paused = true;
			break;
		case O_CGROUP:
			return berth_error_set(err, ENOTSUP,
					       "exec --cgroup: sub-cgroups are not supported");
		default:
			return berth_error_set(err, EINVAL,
					       "exec: flag provided but not defined: %s",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return berth_error_set(err, EINVAL, "exec: a container id is required");
	o->id = argv[optind++];
	return 0;
}

static int build_process(struct cmd_ctx *c, int argc, char **argv, struct flags *f, const char *id,
			 struct oci_process **out, struct berth_error **err)
{
	if (f->process_file) {
		if (load_process_file(f->process_file, out, err) < 0)
			return -1;
		/* linux.personality is the container's: exec'd processes get it too */
		struct oci_process *base = NULL;
		if (rt_exec_base_process(&c->g, id, &base, err) < 0) {
			oci_process_free(*out);
			*out = NULL;
			return -1;
		}
		(*out)->personality = base->personality;
		oci_process_free(base);
		return 0;
	}
	if (optind >= argc)
		return berth_error_set(err, EINVAL, "exec: a command to run is required");
	struct oci_process *p = NULL;
	if (rt_exec_base_process(&c->g, id, &p, err) < 0)
		return -1;
	strv_free(p->args);
	p->args = xcalloc((size_t)(argc - optind) + 1, sizeof(char *));
	for (int i = optind; i < argc; i++)
		p->args[i - optind] = xstrdup(argv[i]);
	/* the container's terminal setting is not inherited: -t decides */
	p->terminal = false;
	p->has_console_size = false;
	if (apply_flags(f, p, err) < 0) {
		oci_process_free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int cmd_exec(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	struct flags f = {0};
	struct rt_exec_opts o = {0};
	struct oci_process *p = NULL;
	int code = 0, ret = -1;
	if (parse_flags(argc, argv, &f, &o, err) < 0 ||
	    build_process(c, argc, argv, &f, o.id, &p, err) < 0)
		goto out;
	if (f.process_file && f.tty)
		p->terminal = true;
	if (rt_ensure_sealed_exe(c->argv0, err) < 0)
		goto out;
	o.process = p;
	ret = rt_exec(&c->g, &o, &code, err) < 0 ? -1 : code;
out:
	oci_process_free(p);
	free(f.env);
	free(f.gids);
	return ret;
}
