/* kill [--all] <container-id> [SIGNAL] */
#include "cmd.h"
#include "common/signals.h"

#include <errno.h>
#include <signal.h>

int cmd_kill(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{"all", no_argument, NULL, 'a'}, {NULL, 0, NULL, 0}};
	bool all = false;
	int opt;
	while ((opt = getopt_long_only(argc, argv, "+", opts, NULL)) != -1) {
		if (opt != 'a')
			return berth_error_set(err, EINVAL,
					       "kill: flag provided but not defined: %s",
					       argv[optind - 1]);
		all = true;
	}
	if (optind >= argc)
		return berth_error_set(err, EINVAL, "kill: a container id is required");
	if (argc - optind > 2)
		return berth_error_set(err, EINVAL, "kill: unexpected argument \"%s\"",
				       argv[optind + 2]);
	const char *id = argv[optind];
	int sig = SIGTERM;
	if (argc - optind == 2) {
		sig = signal_parse(argv[optind + 1]);
		if (sig < 0)
			return berth_error_set(err, EINVAL, "kill: unknown signal \"%s\"",
					       argv[optind + 1]);
	}
	return rt_kill(&c->g, id, sig, all, err) < 0 ? -1 : 0;
}
