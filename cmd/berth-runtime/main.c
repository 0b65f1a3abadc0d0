/* berth-runtime: an OCI runtime with runc's command line. */
#include "cmd.h"
#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_ROOT "/run/berth-runtime"

static const char usage[] =
    "usage: berth-runtime [global options] COMMAND [options] [args]\n"
    "\n"
    "An OCI runtime with runc's command line.\n"
    "\n"
    "commands:\n"
    "  spec      write a default config.json (--bundle DIR, --rootless)\n"
    "  create    create a container from a bundle (--bundle, --pid-file, --console-socket,\n"
    "            --no-pivot, --no-new-keyring, --preserve-fds N)\n"
    "  start     run the user process of a created container\n"
    "  run       create and start, then wait (--detach, ...)\n"
    "  state     print the state of a container as JSON\n"
    "  list      list containers (--format table|json, -q)\n"
    "  kill      send a signal (default SIGTERM) to a container (--all)\n"
    "  delete    delete a container (--force)\n"
    "  features  print what this runtime implements (JSON)\n"
    "  pause     freeze every process of a container; resume thaws them\n"
    "  ps        the container's processes (--format table|json)\n"
    "  update    change resource limits (--resources FILE|-, --memory, --pids-limit, ...)\n"
    "  events    stats and OOM events as JSON lines (--stats, --interval)\n"
    "  exec      run a new process in a container (--process FILE, -t, -e, -u, --cwd, -d, ...)\n"
    "\n"
    "global options:\n"
    "  --root DIR            state directory (default " DEFAULT_ROOT ")\n"
    "  --log FILE            log file (default stderr)\n"
    "  --log-format FORMAT   text or json\n"
    "  --debug               debug logging\n"
    "  --systemd-cgroup      use the systemd cgroup driver (cgroupsPath \"slice:prefix:name\")\n";

static const struct {
	const char *name;
	int (*fn)(struct cmd_ctx *, int, char **, struct berth_error **);
} commands[] = {
    {"spec", cmd_spec},		{"create", cmd_create},
    {"start", cmd_start},	{"run", cmd_run},
    {"state", cmd_state},	{"list", cmd_list},
    {"ps-list", cmd_list},	{"kill", cmd_kill},
    {"delete", cmd_delete},	{"exec", cmd_exec},
    {"features", cmd_features}, {"pause", cmd_pause},
    {"resume", cmd_resume},	{"ps", cmd_ps},
    {"update", cmd_update},	{"events", cmd_events},
};

enum { OPT_ROOT = 256, OPT_LOG, OPT_LOG_FORMAT, OPT_DEBUG, OPT_SYSTEMD, OPT_CRIU, OPT_ROOTLESS };

static const struct option global_opts[] = {
    {"root", required_argument, NULL, OPT_ROOT},
    {"log", required_argument, NULL, OPT_LOG},
    {"log-format", required_argument, NULL, OPT_LOG_FORMAT},
    {"debug", no_argument, NULL, OPT_DEBUG},
    {"systemd-cgroup", no_argument, NULL, OPT_SYSTEMD},
    {"criu", required_argument, NULL, OPT_CRIU},
    {"rootless", required_argument, NULL, OPT_ROOTLESS},
    {"help", no_argument, NULL, 'h'},
    {"version", no_argument, NULL, 'v'},
    {NULL, 0, NULL, 0},
};

static void report(const struct log_config *lc, struct berth_error *err)
{
	log_error("%s", err->msg);
	/* the caller (containerd, conmon, a user) also sees it on stderr */
	if (lc->fd >= 0 || lc->format == LOG_FORMAT_JSON)
		fprintf(stderr, "berth-runtime: %s\n", err->msg);
}

int main(int argc, char **argv)
{
	struct cmd_ctx ctx = {.g = {.root = DEFAULT_ROOT}, .argv0 = argv};
	/* like runc: a non-root user keeps state under $XDG_RUNTIME_DIR */
	cleanup_free char *rootless_root = NULL;
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	if (geteuid() != 0 && xdg && *xdg) {
		rootless_root = xasprintf("%s/berth-runtime", xdg);
		ctx.g.root = rootless_root;
	}
	struct log_config lc = {.fd = -1, .format = LOG_FORMAT_TEXT, .level = LOG_WARN};
	const char *log_path = NULL;
	int opt;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+hv", global_opts, NULL)) != -1) {
		switch (opt) {
		case OPT_ROOT:
			ctx.g.root = optarg;
			break;
		case OPT_LOG:
			log_path = optarg;
			break;
		case OPT_LOG_FORMAT:
			if (log_format_parse(optarg, &lc.format) < 0) {
				fprintf(stderr,
					"berth-runtime: --log-format: unknown format \"%s\" "
					"(text or json)\n",
					optarg);
				return 1;
			}
			break;
		case OPT_DEBUG:
			lc.level = LOG_DEBUG;
			break;
		case OPT_SYSTEMD:
			ctx.g.systemd_cgroup = true;
			break;
		case OPT_CRIU:
		case OPT_ROOTLESS:
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		case 'v':
			printf("berth-runtime version 0.1.0\nspec: 1.2.0\n");
			return 0;
		default:
			fprintf(stderr, "berth-runtime: unknown global option %s\n%s",
				argv[optind - 1], usage);
			return 1;
		}
	}
	if (log_path) {
		lc.fd = open(log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
		if (lc.fd < 0) {
			fprintf(stderr, "berth-runtime: --log %s: %s\n", log_path, strerror(errno));
			return 1;
		}
	}
	log_setup(&lc);
	if (optind >= argc) {
		fputs(usage, stderr);
		return 1;
	}
	const char *verb = argv[optind];
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(commands[i].name, verb) != 0)
			continue;
		struct berth_error *err = NULL;
		int sub_argc = argc - optind;
		char **sub_argv = argv + optind;
		optind = 0; /* reset getopt for the verb's own flags */
		int rc = commands[i].fn(&ctx, sub_argc, sub_argv, &err);
		if (rc < 0) {
			report(&lc, err);
			berth_error_free(&err);
			return 1;
		}
		return rc;
	}
	struct berth_error *err = NULL;
	berth_error_set(&err, EINVAL, "unknown command \"%s\"", verb);
	report(&lc, err);
	if (lc.fd < 0 && lc.format == LOG_FORMAT_TEXT)
		fputs(usage, stderr);
	berth_error_free(&err);
	return 1;
}
