/* create [--bundle DIR] [--pid-file F] [--console-socket S] [--no-pivot]
 *        [--no-new-keyring] [--preserve-fds N] <container-id> */
#include "cmd.h"

#include <stdio.h>
#include <string.h>

enum { O_BUNDLE = 'b', O_PID = 256, O_CONSOLE, O_NOPIVOT, O_NOKEYRING, O_PRESERVE, O_DETACH };

static const struct option create_opts[] = {
    {"bundle", required_argument, NULL, O_BUNDLE},
    {"pid-file", required_argument, NULL, O_PID},
    {"console-socket", required_argument, NULL, O_CONSOLE},
    {"no-pivot", no_argument, NULL, O_NOPIVOT},
    {"no-new-keyring", no_argument, NULL, O_NOKEYRING},
    {"preserve-fds", required_argument, NULL, O_PRESERVE},
    {"detach", no_argument, NULL, 'd'},
    {"no-subreaper", no_argument, NULL, 'S'},
    {"keep", no_argument, NULL, 'k'},
    {NULL, 0, NULL, 0},
};

/* Flags shared by create and run; run also takes --detach. */
static int parse(const char *verb, bool allow_detach, int argc, char **argv, struct rt_run_opts *o,
		 struct berth_error **err)
{
	int opt;
	o->create.bundle = ".";
	o->create.console_fd = -1;
	while ((opt = getopt_long_only(argc, argv, "+", create_opts, NULL)) != -1) {
		switch (opt) {
		case O_BUNDLE:
			o->create.bundle = optarg;
			break;
		case O_PID:
			o->create.pid_file = optarg;
			break;
		case O_CONSOLE:
			o->create.console_socket = optarg;
			break;
		case O_NOPIVOT:
			o->create.no_pivot = true;
			break;
		case O_NOKEYRING:
			o->create.no_new_keyring = true;
			break;
		case O_PRESERVE:
			if (cmd_parse_int("--preserve-fds", optarg, 0, 1 << 20,
					  &o->create.preserve_fds, err) < 0)
				return -1;
			break;
		case 'd':
			if (!allow_detach)
				goto bad;
			o->detach = true;
			break;
		case 'S':
		case 'k':
			if (!allow_detach)
				goto bad;
			break;
		default:
			goto bad;
		}
	}
	return cmd_one_id(verb, argc, argv, &o->create.id, err);
bad:
	return berth_error_set(err, EINVAL, "%s: flag provided but not defined: %s", verb,
			       argv[optind - 1]);
}

int cmd_create(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	struct rt_run_opts o = {0};
	if (parse("create", false, argc, argv, &o, err) < 0)
		return -1;
	if (rt_ensure_sealed_exe(c->argv0, err) < 0)
		return -1;
	return rt_create(&c->g, &o.create, NULL, err) < 0 ? -1 : 0;
}

int cmd_run(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	struct rt_run_opts o = {0};
	if (parse("run", true, argc, argv, &o, err) < 0)
		return -1;
	if (rt_ensure_sealed_exe(c->argv0, err) < 0)
		return -1;
	int code = 0;
	if (rt_run(&c->g, &o, &code, err) < 0)
		return -1;
	return code;
}
