/* berth image COMMAND: the image noun; each verb is the same code as its
 * top-level form (berth image ls = berth images). */
#include "cli.h"

#include <string.h>

static const struct cli_sub image_subs[] = {
    {"history", cmd_history, "Show the history of an image"},
    {"import", cmd_import, "Import the contents from a tarball to create a filesystem image"},
    {"inspect", cmd_image_inspect, "Display detailed information on one or more images"},
    {"load", cmd_load, "Load an image from a tar archive or STDIN"},
    {"ls", cmd_images, "List images"},
    {"list", cmd_images, NULL},
    {"prune", cmd_image_prune, "Remove unused images"},
    {"pull", cmd_pull, "Download an image from a registry"},
    {"push", cmd_push, "Upload an image to a registry"},
    {"rm", cmd_rmi, "Remove one or more images"},
    {"save", cmd_save, "Save one or more images to a tar archive (streamed to STDOUT by default)"},
    {"tag", cmd_tag, "Create a tag TARGET_IMAGE that refers to SOURCE_IMAGE"},
    {NULL, NULL, NULL},
};

int cli_noun(const char *name, const char *summary, const struct cli_sub *subs, struct cli *cli,
	     int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		printf("Usage:  %s %s COMMAND\n\n%s\n\nCommands:\n", CLI_NAME, name, summary);
		for (const struct cli_sub *s = subs; s->name; s++)
			if (s->summary)
				printf("  %-11s %s\n", s->name, s->summary);
		printf("\nRun '%s %s COMMAND --help' for more information on a command.\n",
		       CLI_NAME, name);
		return 0;
	}
	for (const struct cli_sub *s = subs; s->name; s++)
		if (strcmp(s->name, argv[1]) == 0)
			return s->run(cli, argc - 1, argv + 1);
	fprintf(stderr,
		"%s: unknown command: %s %s %s\n\nUsage:  %s %s\n\nRun '%s %s --help' for more "
		"information\n",
		CLI_NAME, CLI_NAME, name, argv[1], CLI_NAME, name, CLI_NAME, name);
	return 1;
}

int cmd_image(struct cli *cli, int argc, char **argv)
{
	return cli_noun("image", "Manage images", image_subs, cli, argc, argv);
}
