/* berth container COMMAND: the container noun; each verb is the same code as
 * its top-level form (berth container ls = berth ps). The verbs of the run
 * family live in their own files (run.c, exec.c, logs.c, ...) and are looked
 * up weakly so that this table builds while they are being written. */
#include "cli.h"

#include <stddef.h>

int cmd_attach(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_commit(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_create(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_exec(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_logs(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_port(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_run(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_start(struct cli *cli, int argc, char **argv) __attribute__((weak));
int cmd_wait(struct cli *cli, int argc, char **argv) __attribute__((weak));

int cmd_container(struct cli *cli, int argc, char **argv)
{
	const struct cli_sub all[] = {
	    {"attach", cmd_attach,
	     "Attach local standard input, output, and error streams to a running container"},
	    {"commit", cmd_commit, "Create a new image from a container's changes"},
	    {"cp", cmd_cp, "Copy files/folders between a container and the local filesystem"},
	    {"create", cmd_create, "Create a new container"},
	    {"diff", cmd_diff,
	     "Inspect changes to files or directories on a container's filesystem"},
	    {"exec", cmd_exec, "Run a command in a running container"},
	    {"export", cmd_export, "Export a container's filesystem as a tar archive"},
	    {"inspect", cmd_container_inspect,
	     "Display detailed information on one or more containers"},
	    {"kill", cmd_kill, "Kill one or more running containers"},
	    {"logs", cmd_logs, "Fetch the logs of a container"},
	    {"ls", cmd_ps, "List containers"},
	    {"list", cmd_ps, NULL},
	    {"ps", cmd_ps, NULL},
	    {"pause", cmd_pause, "Pause all processes within one or more containers"},
	    {"port", cmd_port, "List port mappings or a specific mapping for the container"},
	    {"prune", cmd_container_prune, "Remove all stopped containers"},
	    {"rename", cmd_rename, "Rename a container"},
	    {"restart", cmd_restart, "Restart one or more containers"},
	    {"rm", cmd_rm, "Remove one or more containers"},
	    {"remove", cmd_rm, NULL},
	    {"run", cmd_run, "Create and run a new container from an image"},
	    {"start", cmd_start, "Start one or more stopped containers"},
	    {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics"},
	    {"stop", cmd_stop, "Stop one or more running containers"},
	    {"top", cmd_top, "Display the running processes of a container"},
	    {"unpause", cmd_unpause, "Unpause all processes within one or more containers"},
	    {"update", cmd_update, "Update configuration of one or more containers"},
	    {"wait", cmd_wait,
	     "Block until one or more containers stop, then print their exit codes"},
	};
	struct cli_sub subs[sizeof(all) / sizeof(all[0]) + 1];
	size_t n = 0;
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		if (all[i].run != NULL)
			subs[n++] = all[i];
	subs[n] = (struct cli_sub){NULL, NULL, NULL};
	return cli_noun("container", "Manage containers", subs, cli, argc, argv);
}
