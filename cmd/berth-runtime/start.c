/* start <container-id> */
#include "cmd.h"

int cmd_start(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	const char *id;
	if (getopt_long_only(argc, argv, "+", opts, NULL) != -1)
		return berth_error_set(err, EINVAL, "start: flag provided but not defined: %s",
				       argv[optind - 1]);
	if (cmd_one_id("start", argc, argv, &id, err) < 0)
		return -1;
	return rt_start(&c->g, id, err) < 0 ? -1 : 0;
}
