/* berth: global flags, the command table, and the client on first use. */
#include "cli.h"
#include "ctr-io.h"
#include "host.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/build-info.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

struct command {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *summary;
	int group; /* 0 common, 1 management, 2 other */
};

static const struct command commands[] = {
    {"run", cmd_run, "Create and run a new container from an image", 0},
    {"exec", cmd_exec, "Execute a command in a running container", 0},
    {"ps", cmd_ps, "List containers", 0},
    {"pull", cmd_pull, "Download an image from a registry", 0},
    {"push", cmd_push, "Upload an image to a registry", 0},
    {"images", cmd_images, "List images", 0},
    {"login", cmd_login, "Authenticate to a registry", 0},
    {"logout", cmd_logout, "Log out from a registry", 0},
    {"version", cmd_version, "Show the berth version information", 0},
    {"info", cmd_info, "Display system-wide information", 0},
    {"container", cmd_container, "Manage containers", 1},
    {"image", cmd_image, "Manage images", 1},
    {"system", cmd_system, "Manage berth", 1},
    {"cp", cmd_cp, "Copy files/folders between a container and the local filesystem", 2},
    {"diff", cmd_diff, "Inspect changes to files or directories on a container's filesystem", 2},
    {"events", cmd_events, "Get real time events from the server", 2},
    {"export", cmd_export, "Export a container's filesystem as a tar archive", 2},
    {"attach", cmd_attach,
     "Attach local standard input, output, and error streams to a running container", 2},
    {"create", cmd_create, "Create a new container", 2},
    {"logs", cmd_logs, "Fetch the logs of a container", 2},
    {"start", cmd_start, "Start one or more stopped containers", 2},
    {"wait", cmd_wait, "Block until one or more containers stop, then print their exit codes", 2},
    {"history", cmd_history, "Show the history of an image", 2},
    {"import", cmd_import, "Import the contents from a tarball to create a filesystem image", 2},
    {"inspect", cmd_inspect, "Return low-level information on berth objects", 2},
    {"kill", cmd_kill, "Kill one or more running containers", 2},
    {"load", cmd_load, "Load an image from a tar archive or STDIN", 2},
    {"pause", cmd_pause, "Pause all processes within one or more containers", 2},
    {"rename", cmd_rename, "Rename a container", 2},
    {"restart", cmd_restart, "Restart one or more containers", 2},
    {"rm", cmd_rm, "Remove one or more containers", 2},
    {"rmi", cmd_rmi, "Remove one or more images", 2},
    {"save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)",
     2},
    {"stats", cmd_stats, "Display a live stream of container(s) resource usage statistics", 2},
    {"stop", cmd_stop, "Stop one or more running containers", 2},
    {"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE", 2},
    {"top", cmd_top, "Display the running processes of a container", 2},
    {"unpause", cmd_unpause, "Unpause all processes within one or more containers", 2},
    {"update", cmd_update, "Update configuration of one or more containers", 2},
    {NULL, NULL, NULL, 0},
};

static void usage(FILE *out)
{
	static const char *const groups[] = {"Common Commands", "Management Commands", "Commands"};
	fprintf(out,
		"Usage:  %s [OPTIONS] COMMAND [ARG...]\n\n"
		"A client for berthd, the berth container engine (docker's CLI verbs and flags)\n",
		CLI_NAME);
	for (int g = 0; g < 3; g++) {
		fprintf(out, "\n%s:\n", groups[g]);
		for (const struct command *c = commands; c->name; c++)
			if (c->group == g)
				fprintf(out, "  %-11s %s\n", c->name, c->summary);
	}
	fprintf(
	    out,
	    "\nGlobal Options:\n"
	    "      --config string      Location of client config files (default \"~/.berth\")\n"
	    "  -D, --debug              Enable debug mode\n"
	    "  -H, --host string        Daemon socket to connect to (default %s;\n"
	    "                           env BERTH_HOST, then DOCKER_HOST)\n"
	    "  -l, --log-level string   Set the logging level (\"debug\"|\"info\"|\"warn\"|"
	    "\"error\"|\"fatal\") (default \"info\")\n"
	    "  -v, --version            Print version information and quit\n"
	    "\nRun '%s COMMAND --help' for more information on a command.\n",
	    CLI_DEFAULT_HOST, CLI_NAME);
}

static void top_error(const char *msg)
{
	fputs(msg, stderr);
	fprintf(stderr,
		"\n\nUsage:  %s [OPTIONS] COMMAND [ARG...]\n\nRun '%s --help' for more "
		"information\n",
		CLI_NAME, CLI_NAME);
}

struct client *cli_client(struct cli *cli, struct berth_error **err)
{
	if (cli->client)
		return cli->client;
	struct client *c = NULL;
	if (client_open(cli->host, cli->debug, &c, err) < 0)
		return NULL;
	if (client_negotiate(c, err) < 0) {
		client_free(c);
		return NULL;
	}
	cli->client = c;
	return c;
}

static char *default_config_dir(void)
{
	const char *env = getenv("BERTH_CONFIG");
	if (env && *env)
		return xstrdup(env);
	const char *home = getenv("HOME");
	return xasprintf("%s/.berth", home && *home ? home : "/root");
}

int main(int argc, char **argv)
{
	static const struct option lo[] = {
	    {"host", required_argument, NULL, 'H'},
	    {"config", required_argument, NULL, 'c'},
	    {"debug", no_argument, NULL, 'D'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	struct cli cli = {0};
	const char *host = NULL, *config = NULL;
	opterr = 0;
	for (;;) {
		int c = getopt_long(argc, argv, "+:H:Dl:vh", lo, NULL);
		if (c == -1)
			break;
		switch (c) {
		case 'H':
			host = optarg;
			break;
		case 'c':
			config = optarg;
			break;
		case 'D':
			cli.debug = true;
			break;
		case 'l':
			if (strcmp(optarg, "debug") == 0)
				cli.debug = true;
			break;
		case 'v':
			printf("berth version %s, build %s\n", BERTH_VERSION, BERTH_GIT_COMMIT);
			return 0;
		case 'h':
			usage(stdout);
			return 0;
		case ':': {
			cleanup_free char *m =
			    optopt && strncmp(argv[optind - 1], "--", 2) != 0
				? xasprintf("flag needs an argument: '%c' in -%c", optopt, optopt)
				: xasprintf("flag needs an argument: %s", argv[optind - 1]);
			top_error(m);
			return CLI_EXIT_USAGE;
		}
		default: {
			cleanup_free char *m =
			    optopt
				? xasprintf("unknown shorthand flag: '%c' in -%c", optopt, optopt)
				: xasprintf("unknown flag: %s", argv[optind - 1]);
			top_error(m);
			return CLI_EXIT_USAGE;
		}
		}
	}
	if (optind >= argc) {
		usage(stdout);
		return 0;
	}
	const struct command *cmd = NULL;
	for (const struct command *c = commands; c->name; c++)
		if (strcmp(c->name, argv[optind]) == 0)
			cmd = c;
	if (cmd == NULL) {
		fprintf(stderr,
			"%s: unknown command: %s %s\n\nRun '%s --help' for more information\n",
			CLI_NAME, CLI_NAME, argv[optind], CLI_NAME);
		return 1;
	}
	cli.host = cli_host_pick(host, getenv("BERTH_HOST"), getenv("DOCKER_HOST"));
	cli.config_dir = config ? xstrdup(config) : default_config_dir();
	int rc = cmd->run(&cli, argc - optind, argv + optind);
	client_free(cli.client);
	free(cli.host);
	free(cli.config_dir);
	return rc;
}
