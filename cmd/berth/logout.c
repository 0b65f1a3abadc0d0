/* berth logout: remove a server's credentials from config.json (no daemon call). */
#include "cli.h"
#include "config.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>

int cmd_logout(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "logout",
	    "[SERVER]",
	    "Log out from a registry.\nIf no server is specified, the default is defined by the "
	    "daemon.",
	    NULL,
	    0,
	    1};
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_free char *key = cli_config_server_key(first < argc ? argv[first] : NULL);
	struct berth_error *err = NULL;
	cleanup_json json_t *cfg = NULL;
	if (cli_config_load(cli->config_dir, &cfg, &err) < 0)
		return cli_fail(&err);
	json_t *auths = json_object_get(cfg, "auths");
	/* the entry as stored: exactly the key, or with a scheme in front */
	cleanup_free char *found = NULL;
	const char *k;
	json_t *v;
	json_object_foreach(auths, k, v)
	{
		cleanup_free char *norm = cli_config_server_key(k);
		if (found == NULL && (strcmp(k, key) == 0 || strcmp(norm, key) == 0))
			found = xstrdup(k);
	}
	if (found == NULL) {
		printf("Not logged in to %s\n", key);
		return 0;
	}
	printf("Removing login credentials for %s\n", key);
	json_object_del(auths, found);
	if (cli_config_save(cli->config_dir, cfg, &err) < 0)
		return cli_fail(&err);
	return 0;
}
