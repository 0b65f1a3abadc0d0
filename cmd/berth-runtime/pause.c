/* pause <container-id>, resume <container-id> */
#include "cmd.h"
#include "runtime/control.h"

static int one(const char *verb, int argc, char **argv, const char **id, struct berth_error **err)
{
	static const struct option opts[] = {{NULL, 0, NULL, 0}};
	if (getopt_long_only(argc, argv, "+", opts, NULL) != -1)
		return berth_error_set(err, EINVAL, "%s: flag provided but not defined: %s", verb,
				       argv[optind - 1]);
	return cmd_one_id(verb, argc, argv, id, err);
}

int cmd_pause(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	const char *id;
	if (one("pause", argc, argv, &id, err) < 0)
		return -1;
	return rt_pause(&c->g, id, err) < 0 ? -1 : 0;
}

int cmd_resume(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	const char *id;
	if (one("resume", argc, argv, &id, err) < 0)
		return -1;
	return rt_resume(&c->g, id, err) < 0 ? -1 : 0;
}
