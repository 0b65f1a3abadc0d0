/* berth wait: POST /containers/{name}/wait for each, print the StatusCode. */
#include "cli.h"
#include "ctr-io.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

int cmd_wait(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {
	    "wait",
	    "CONTAINER [CONTAINER...]",
	    "Block until one or more containers stop, then print their exit codes",
	    CLI_NAME " container wait, " CLI_NAME " wait",
	    1,
	    -1,
	    false};
	const struct cli_opt opts[] = {{0, NULL, CLI_OPT_END, NULL, NULL, NULL}};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	struct berth_error *err = NULL;
	if (cli_client(cli, &err) == NULL)
		return cli_fail(&err);
	int status = 0;
	for (int i = first; i < argc; i++) {
		struct hj_conn *w = NULL;
		int code = 0;
		if (ctr_wait_open(cli, argv[i], NULL, &w, &err) < 0 ||
		    ctr_wait_result(w, &code, &err) < 0) {
			hj_close(w);
			cli_fail(&err);
			status = 1;
			continue;
		}
		hj_close(w);
		printf("%d\n", code);
		fflush(stdout);
	}
	return status;
}
