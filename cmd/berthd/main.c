/* berthd: the daemon. Command line and daemon.json -> configuration; one
 * instance per root; the Docker Engine API on unix sockets; signals through a
 * signalfd (SIGTERM/SIGINT: stop accepting, finish in-flight requests within
 * shutdown-timeout, remove sockets and pidfile, exit 0; SIGHUP: reload). */
#include "berthd.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "engine/api/api.h"
#include "engine/build-info.h"
#include "engine/containers/container.h"
#include "engine/engine.h"

#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
	fprintf(f,
		"Usage: berthd [OPTIONS]\n\n"
		"The berth daemon: the Docker Engine API on a unix socket.\n\n"
		"Options:\n"
		"      --config-file string   daemon configuration file (default "
		"\"" ENGINE_DEFAULT_CONFIG_FILE "\")\n"
		"  -D, --debug                debug logging\n"
		"      --data-root, --root string\n"
		"                             root of persistent state (default "
		"\"" ENGINE_DEFAULT_ROOT "\")\n"
		"      --exec-root string     root of run-time state (default "
		"\"" ENGINE_DEFAULT_EXEC_ROOT "\")\n"
		"  -H, --host list            socket(s) to listen on (default "
		"\"" ENGINE_DEFAULT_HOST "\")\n"
		"  -l, --log-level string     debug, info, warn, error, fatal (default \"info\")\n"
		"  -p, --pidfile string       pid file (default \"<exec-root>/berthd.pid\")\n"
		"      --validate             check the configuration and exit\n"
		"  -v, --version              print the version and exit\n"
		"  -h, --help                 this help\n");
}

static void strv_push(char ***v, const char *s)
{
	size_t n = *v ? strv_len(*v) : 0;
	*v = xrealloc(*v, (n + 2) * sizeof(char *));
	(*v)[n] = xstrdup(s);
	(*v)[n + 1] = NULL;
}

/* Returns -1 to exit with 0 (help, version), 1 on a usage error. */
static int parse_flags(int argc, char **argv, struct berthd_flags *f)
{
	enum { O_CONFIG = 256, O_ROOT, O_EXEC_ROOT, O_VALIDATE };
	static const struct option opts[] = {
	    {"config-file", required_argument, NULL, O_CONFIG},
	    {"debug", no_argument, NULL, 'D'},
	    {"root", required_argument, NULL, O_ROOT},
	    {"data-root", required_argument, NULL, O_ROOT},
	    {"exec-root", required_argument, NULL, O_EXEC_ROOT},
	    {"host", required_argument, NULL, 'H'},
	    {"log-level", required_argument, NULL, 'l'},
	    {"pidfile", required_argument, NULL, 'p'},
	    {"validate", no_argument, NULL, O_VALIDATE},
	    {"version", no_argument, NULL, 'v'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0},
	};
	int c;
	while ((c = getopt_long(argc, argv, "DH:l:p:vh", opts, NULL)) != -1) {
		switch (c) {
		case O_CONFIG:
			free(f->config_file);
			f->config_file = xstrdup(optarg);
			break;
		case 'D':
			f->debug = true;
			break;
		case O_ROOT:
			free(f->root);
			f->root = xstrdup(optarg);
			break;
		case O_EXEC_ROOT:
			free(f->exec_root);
			f->exec_root = xstrdup(optarg);
			break;
		case 'H':
			strv_push(&f->hosts, optarg);
			break;
		case 'l':
			free(f->log_level);
			f->log_level = xstrdup(optarg);
			break;
		case 'p':
			free(f->pidfile);
			f->pidfile = xstrdup(optarg);
			break;
		case O_VALIDATE:
			f->validate = true;
			break;
		case 'v':
			printf("berthd version %s, build %s\n", BERTH_VERSION, BERTH_GIT_COMMIT);
			return -1;
		case 'h':
			usage(stdout);
			return -1;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "berthd: unexpected argument \"%s\"\n", argv[optind]);
		return 1;
	}
	return 0;
}

static void flags_free(struct berthd_flags *f)
{
	free(f->config_file);
	free(f->log_level);
	strv_free(f->hosts);
	free(f->root);
	free(f->exec_root);
	free(f->pidfile);
}

static void log_to(const struct engine_config *c)
{
	struct log_config lc = {.fd = -1, .format = LOG_FORMAT_TEXT, .level = engine_log_level(c)};
	log_setup(&lc);
}

static void reload(const struct berthd_flags *f, struct engine *e)
{
	struct engine_config next;
	struct berth_error *err = NULL;
	if (berthd_config_load(f, &next, &err) < 0) {
		log_error("reload: %s; keeping the current configuration", err->msg);
		berth_error_free(&err);
		return;
	}
	cleanup_free char *ignored = NULL;
	cleanup_free char *changes = engine_reload(e, &next, &ignored);
	struct berth_error *rerr = NULL;
	if ((strstr(changes, "registry-mirrors") || strstr(changes, "insecure-registries") ||
	     strstr(changes, "max-download-attempts")) &&
	    engine_core_reload(e, &rerr) < 0) {
		log_error("reload: registry client: %s; keeping the previous one", rerr->msg);
		berth_error_free(&rerr);
	}
	log_to(&next);
	engine_config_free(&next);
	if (changes[0])
		log_info("reloaded %s: %s", berthd_config_path(f), changes);
	else
		log_info("reloaded %s: nothing changed", berthd_config_path(f));
	if (ignored[0])
		log_warn("reload: %s changed in %s; this takes effect after a restart", ignored,
			 berthd_config_path(f));
}

struct daemon_state {
	int lock_fd;
	char *pidfile;
	char **sockets; /* paths we bound */
	struct api_server *srv;
};

static void remove_sockets(struct daemon_state *d)
{
	for (size_t i = 0; d->sockets && d->sockets[i]; i++)
		if (unlink(d->sockets[i]) < 0 && errno != ENOENT)
			log_warn("remove socket %s: %s", d->sockets[i], strerror(errno));
}

static int prepare(struct engine_config *c, struct daemon_state *d, int *fds, size_t *nfds,
		   struct berth_error **err)
{
	if (fs_mkdir_p(c->data_root, 0711, err) < 0 || fs_mkdir_p(c->exec_root, 0711, err) < 0)
		return -1;
	if (berthd_lock_root(c->data_root, &d->lock_fd, err) < 0)
		return -1;
	d->pidfile = berthd_pidfile_path(c);
	if (berthd_pidfile_write(d->pidfile, err) < 0) {
		free(d->pidfile);
		d->pidfile = NULL;
		return -1;
	}
	for (size_t i = 0; c->hosts[i]; i++) {
		cleanup_free char *path = NULL;
		if (engine_host_unix_path(c->hosts[i], &path, err) < 0 ||
		    berthd_listen_unix(path, &fds[i], err) < 0)
			return -1;
		strv_push(&d->sockets, path);
		(*nfds)++;
	}
	return 0;
}

static void shutdown_daemon(struct daemon_state *d, int64_t timeout_s)
{
	if (d->srv) {
		api_server_quiesce(d->srv);
		remove_sockets(d);
		unsigned left = api_server_drain(d->srv, (unsigned)timeout_s * 1000u);
		if (left > 0)
			log_warn("%u request(s) still in flight after %lds: closing them", left,
				 (long)timeout_s);
		api_server_stop(d->srv);
		d->srv = NULL;
	} else {
		remove_sockets(d);
	}
	if (d->pidfile && unlink(d->pidfile) < 0 && errno != ENOENT)
		log_warn("remove pidfile %s: %s", d->pidfile, strerror(errno));
	free(d->pidfile);
	strv_free(d->sockets);
	if (d->lock_fd >= 0)
		close(d->lock_fd);
}

/* Wait for signals; returns the one that ends the daemon. */
static int signal_loop(int sfd, const struct berthd_flags *f, struct engine *e)
{
	for (;;) {
		struct signalfd_siginfo si;
		ssize_t n = read(sfd, &si, sizeof(si));
		if (n < 0 && errno == EINTR)
			continue;
		if (n != (ssize_t)sizeof(si)) {
			log_error("read signalfd: %s", n < 0 ? strerror(errno) : "short read");
			return SIGTERM;
		}
		if (si.ssi_signo == SIGHUP) {
			log_info("received SIGHUP, reloading %s", berthd_config_path(f));
			reload(f, e);
			continue;
		}
		return (int)si.ssi_signo;
	}
}

static int run(const struct berthd_flags *f, struct engine_config *cfg)
{
	struct berth_error *err = NULL;
	struct daemon_state d = {.lock_fd = -1};
	size_t nhosts = strv_len(cfg->hosts), nfds = 0;
	cleanup_free int *fds = xcalloc(nhosts + 1, sizeof(int));
	sigset_t mask;
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	/* blocked before any thread starts, so every thread inherits it */
	sigprocmask(SIG_BLOCK, &mask, NULL);
	signal(SIGPIPE, SIG_IGN);
	cleanup_close int sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	cleanup_free char *id = NULL;
	cleanup_free char *server = xasprintf("Berth/%s (linux)", BERTH_VERSION);
	if (sfd < 0) {
		berth_error_errno(&err, "signalfd");
		goto fail;
	}
	if (prepare(cfg, &d, fds, &nfds, &err) < 0 || engine_id_load(cfg->data_root, &id, &err) < 0)
		goto fail;
	struct engine e;
	int64_t timeout = cfg->shutdown_timeout;
	engine_init(&e, cfg, id, berthd_config_path(f));
	if (engine_core_open(&e, &err) < 0) {
		engine_destroy(&e);
		goto fail;
	}
	/* containers: reconnect to the shims that outlived the last berthd */
	if (ctr_store_open(&e, &err) < 0) {
		engine_core_close(&e);
		engine_destroy(&e);
		goto fail;
	}
	struct api_server_config sc = {.tables = api_routes,
				       .body_tables = api_body_routes,
				       .ctx = &e,
				       .server_header = server};
	int rc = api_server_start(&sc, fds, nfds, &d.srv, &err);
	nfds = 0; /* owned by the server now */
	if (rc < 0) {
		ctr_store_close(&e);
		engine_core_close(&e);
		engine_destroy(&e);
		goto fail;
	}
	for (size_t i = 0; d.sockets[i]; i++)
		log_info("API listening on %s", d.sockets[i]);
	log_info("berthd %s started (root %s, exec-root %s, pid %d, engine ID %s)", BERTH_VERSION,
		 e.cfg.data_root, e.cfg.exec_root, (int)getpid(), e.id);
	int sig = signal_loop(sfd, f, &e);
	pthread_mutex_lock(&e.lock);
	timeout = e.cfg.shutdown_timeout;
	pthread_mutex_unlock(&e.lock);
	log_info("received %s, shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
	shutdown_daemon(&d, timeout);
	/* the containers keep running: only berthd's side of the shims closes */
	ctr_store_close(&e);
	engine_core_close(&e);
	engine_destroy(&e);
	log_info("berthd stopped");
	return 0;
fail:
	fprintf(stderr, "berthd: %s\n", err->msg);
	berth_error_free(&err);
	for (size_t i = 0; i < nfds; i++)
		close(fds[i]);
	shutdown_daemon(&d, 0);
	engine_config_free(cfg);
	return 1;
}

int main(int argc, char **argv)
{
	struct berthd_flags f = {0};
	int rc = parse_flags(argc, argv, &f);
	if (rc != 0) {
		flags_free(&f);
		return rc < 0 ? 0 : 1;
	}
	struct engine_config cfg;
	struct berth_error *err = NULL;
	if (berthd_config_load(&f, &cfg, &err) < 0) {
		fprintf(stderr, "berthd: %s\n", err->msg);
		berth_error_free(&err);
		flags_free(&f);
		return 1;
	}
	if (f.validate) {
		printf("configuration OK\n");
		engine_config_free(&cfg);
		flags_free(&f);
		return 0;
	}
	log_to(&cfg);
	if (geteuid() != 0)
		log_warn("berthd is not running as root: expect permission errors");
	rc = run(&f, &cfg);
	flags_free(&f);
	return rc;
}
