/* state <container-id> */
#include "cmd.h"

int cmd_state(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	const char *id;
	json_t *j = NULL;
	if (getopt_long_only(argc, argv, "+", opts, NULL) != -1)
		return berth_error_set(err, EINVAL, "state: flag provided but not defined: %s",
				       argv[optind - 1]);
	if (cmd_one_id("state", argc, argv, &id, err) < 0 || rt_state(&c->g, id, &j, err) < 0)
		return -1;
	cmd_print_json(j);
	json_decref(j);
	return 0;
}
