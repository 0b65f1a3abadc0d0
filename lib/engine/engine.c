/* struct engine: configuration snapshots and the persistent engine ID. */
#include "engine/engine.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "engine/api/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

void engine_init(struct engine *e, struct engine_config *cfg, const char *id,
		 const char *config_file)
{
	memset(e, 0, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	e->cfg = *cfg;
	memset(cfg, 0, sizeof(*cfg));
	e->id = xstrdup(id);
	e->config_file = xstrdup(config_file ? config_file : "");
	e->started = time(NULL);
	pthread_mutex_init(&e->images_lock, NULL);
	e->events = events_bus_new(256); /* dockerd keeps the last 256 for `since` */
}

void engine_destroy(struct engine *e)
{
	engine_config_free(&e->cfg);
	free(e->id);
	free(e->config_file);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->images_lock);
	events_bus_free(e->events);
	e->events = NULL;
	exec_table_free(e->execs);
	e->execs = NULL;
}

void engine_config_snapshot(struct engine *e, struct engine_config *out)
{
	pthread_mutex_lock(&e->lock);
	engine_config_copy(out, &e->cfg);
	pthread_mutex_unlock(&e->lock);
}

/* Go's %v of a []string: "[a b]". */
static char *go_list(char **v)
{
	size_t n = 3;
	for (size_t i = 0; v && v[i]; i++)
		n += strlen(v[i]) + 1;
	char *s = xcalloc(1, n);
	strcat(s, "[");
	for (size_t i = 0; v && v[i]; i++) {
		if (i)
			strcat(s, " ");
		strcat(s, v[i]);
	}
	strcat(s, "]");
	return s;
}

/* dockerd's "daemon reload" event: the daemon's ID and its settings. */
static void reload_event(struct engine *e)
{
	if (e->events == NULL)
		return;
	char host[256] = "";
	gethostname(host, sizeof(host) - 1);
	pthread_mutex_lock(&e->lock);
	const struct engine_config *c = &e->cfg;
	cleanup_free char *insecure = go_list(c->insecure_registries);
	cleanup_free char *mirrors = go_list(c->registry_mirrors);
	cleanup_free char *labels = go_list(c->labels);
	json_t *a = json_pack(
	    "{s:s,s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s,s:I}", "debug", c->debug ? "true" : "false",
	    "default-runtime", c->default_runtime ? c->default_runtime : "", "insecure-registries",
	    insecure, "labels", labels, "max-concurrent-downloads",
	    (json_int_t)c->max_concurrent_downloads, "max-concurrent-uploads",
	    (json_int_t)c->max_concurrent_uploads, "max-download-attempts",
	    (json_int_t)c->max_download_attempts, "name", host, "registry-mirrors", mirrors,
	    "shutdown-timeout", (json_int_t)c->shutdown_timeout);
	pthread_mutex_unlock(&e->lock);
	events_publish(e->events, "daemon", "reload", e->id, a);
	json_decref(a);
}

char *engine_reload(struct engine *e, const struct engine_config *next, char **ignored)
{
	pthread_mutex_lock(&e->lock);
	char *r = engine_config_reload(&e->cfg, next, ignored);
	pthread_mutex_unlock(&e->lock);
	reload_event(e);
	return r;
}

static bool valid_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return false;
	return strspn(s, "0123456789abcdefABCDEF-:") == n;
}

int engine_id_load(const char *root, char **id, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/engine-id", root);
	cleanup_free char *data = NULL;
	struct berth_error *rerr = NULL;
	if (fs_read_file(path, &data, NULL, &rerr) == 0) {
		data[strcspn(data, "\n")] = '\0';
		if (!valid_id(data))
			return berth_error_set(
			    err, EINVAL, "engine ID in %s is not valid: \"%.40s\"", path, data);
		*id = steal_ptr(data);
		return 0;
	}
	if (rerr->code != ENOENT) {
		int code = rerr->code;
		berth_error_set(err, code, "%s", rerr->msg);
		berth_error_free(&rerr);
		return -1;
	}
	berth_error_free(&rerr);
	unsigned char b[16];
	if (getrandom(b, sizeof(b), 0) != (ssize_t)sizeof(b))
		return berth_error_errno(err, "getrandom for the engine ID");
	b[6] = (unsigned char)((b[6] & 0x0f) | 0x40); /* version 4 */
	b[8] = (unsigned char)((b[8] & 0x3f) | 0x80); /* variant */
	char uuid[37];
	snprintf(uuid, sizeof(uuid),
		 "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
		 b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
		 b[15]);
	cleanup_close int dfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return berth_error_errno(err, "open %s", root);
	cleanup_free char *line = xasprintf("%s\n", uuid);
	if (fs_write_file_atomic(dfd, "engine-id", line, strlen(line), 0600, true, err) < 0)
		return berth_error_wrap(err, "write %s", path);
	*id = xstrdup(uuid);
	return 0;
}
