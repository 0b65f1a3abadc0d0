/* spec [--bundle DIR] [--rootless]: write a default config.json. */
#include "cmd.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "oci/spec.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int cmd_spec(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	(void)c;
	static const struct option opts[] = {{"bundle", required_argument, NULL, 'b'},
					     {"rootless", no_argument, NULL, 'r'},
					     {NULL, 0, NULL, 0}};
	const char *bundle = ".";
	bool rootless = false;
	int opt;
	while ((opt = getopt_long_only(argc, argv, "+", opts, NULL)) != -1) {
		if (opt == 'b')
			bundle = optarg;
		else if (opt == 'r')
			rootless = true;
		else
			return berth_error_set(err, EINVAL,
					       "spec: flag provided but not defined: %s",
					       argv[optind - 1]);
	}
	if (optind < argc)
		return berth_error_set(err, EINVAL, "spec: unexpected argument \"%s\"",
				       argv[optind]);
	cleanup_close int dfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "spec: bundle %s", bundle);
	if (faccessat(dfd, "config.json", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return berth_error_set(err, EEXIST, "spec: %s/config.json exists, remove it first",
				       bundle);
	cleanup_json json_t *j = oci_spec_default(rootless, geteuid(), getegid());
	cleanup_free char *s = json_dumps(j, JSON_INDENT(2));
	cleanup_free char *data = xasprintf("%s\n", s);
	return fs_write_file_atomic(dfd, "config.json", data, strlen(data), 0644, true, err) < 0
		   ? -1
		   : 0;
}
