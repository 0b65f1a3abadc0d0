/* delete [--force] <container-id> */
#include "cmd.h"

int cmd_delete(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{"force", no_argument, NULL, 'f'}, {NULL, 0, NULL, 0}};
	bool force = false;
	int opt;
	const char *id;
	while ((opt = getopt_long_only(argc, argv, "+", opts, NULL)) != -1) {
		if (opt != 'f')
			return berth_error_set(err, EINVAL,
					       "delete: flag provided but not defined: %s",
					       argv[optind - 1]);
		force = true;
	}
	if (cmd_one_id("delete", argc, argv, &id, err) < 0)
		return -1;
	return rt_delete(&c->g, id, force, err) < 0 ? -1 : 0;
}
