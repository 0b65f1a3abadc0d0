/* daemon.json + command line -> struct engine_config. */
#include "berthd.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *berthd_config_path(const struct berthd_flags *f)
{
	return f->config_file ? f->config_file : ENGINE_DEFAULT_CONFIG_FILE;
}

char *berthd_pidfile_path(const struct engine_config *c)
{
	return c->pidfile ? xstrdup(c->pidfile) : xasprintf("%s/berthd.pid", c->exec_root);
}

/* The file as a JSON object; a missing default file gives NULL. */
static int read_file(const struct berthd_flags *f, json_t **out, struct berth_error **err)
{
	const char *path = berthd_config_path(f);
	cleanup_free char *text = NULL;
	size_t len = 0;
	struct berth_error *rerr = NULL;
	*out = NULL;
	if (fs_read_file(path, &text, &len, &rerr) < 0) {
		if (rerr->code == ENOENT && f->config_file == NULL) {
			berth_error_free(&rerr);
			return 0;
		}
		berth_error_set(err, rerr->code, "%s", rerr->msg);
		berth_error_free(&rerr);
		return -1;
	}
	json_error_t je;
	json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
	if (j == NULL)
		return berth_error_set(err, EINVAL, "invalid JSON: %s (line %d, column %d)",
				       je.text, je.line, je.column);
	*out = j;
	return 0;
}

static void conflict(char **out, const char *key, const char *flag, json_t *file)
{
	cleanup_free char *fv = json_dumps(file, JSON_COMPACT | JSON_ENCODE_ANY);
	char *n = xasprintf("%s%s%s: (from flag: %s, from file: %s)", *out ? *out : "",
			    *out ? ", " : "", key, flag, fv ? fv : "?");
	free(*out);
	*out = n;
}

static char *strv_show(char **v)
{
	char *s = xstrdup("[");
	for (size_t i = 0; v[i]; i++) {
		char *n = xasprintf("%s%s%s", s, i ? " " : "", v[i]);
		free(s);
		s = n;
	}
	char *n = xasprintf("%s]", s);
	free(s);
	return n;
}

static int check_conflicts(const struct berthd_flags *f, json_t *file, struct berth_error **err)
{
	cleanup_free char *msg = NULL;
	json_t *v;
	if (f->debug && (v = json_object_get(file, "debug")))
		conflict(&msg, "debug", "true", v);
	if (f->log_level && (v = json_object_get(file, "log-level")))
		conflict(&msg, "log-level", f->log_level, v);
	if (f->hosts && f->hosts[0] && (v = json_object_get(file, "hosts"))) {
		cleanup_free char *h = strv_show(f->hosts);
		conflict(&msg, "hosts", h, v);
	}
	if (f->root && (v = json_object_get(file, "data-root")))
		conflict(&msg, "data-root", f->root, v);
	if (f->exec_root && (v = json_object_get(file, "exec-root")))
		conflict(&msg, "exec-root", f->exec_root, v);
	if (f->pidfile && (v = json_object_get(file, "pidfile")))
		conflict(&msg, "pidfile", f->pidfile, v);
	if (msg)
		return berth_error_set(err, EINVAL,
				       "the following directives are specified both as a flag and "
				       "in the configuration file: %s",
				       msg);
	return 0;
}

static int set_path(char **field, const char *flag, const char *v, struct berth_error **err)
{
	if (v[0] != '/')
		return berth_error_set(err, EINVAL, "%s %s: must be an absolute path", flag, v);
	free(*field);
	*field = xstrdup(v);
	return 0;
}

static int apply_flags(const struct berthd_flags *f, struct engine_config *c,
		       struct berth_error **err)
{
	if (f->debug)
		c->debug = true;
	if (f->log_level && engine_config_set_log_level(c, f->log_level, err) < 0)
		return berth_error_wrap(err, "--log-level");
	for (size_t i = 0; f->hosts && f->hosts[i]; i++)
		if (engine_config_add_host(c, f->hosts[i], err) < 0)
			return berth_error_wrap(err, "--host");
	if (f->root && set_path(&c->data_root, "--root", f->root, err) < 0)
		return -1;
	if (f->exec_root && set_path(&c->exec_root, "--exec-root", f->exec_root, err) < 0)
		return -1;
	if (f->pidfile && set_path(&c->pidfile, "--pidfile", f->pidfile, err) < 0)
		return -1;
	if (c->hosts[0] == NULL && engine_config_add_host(c, ENGINE_DEFAULT_HOST, err) < 0)
		return -1;
	return 0;
}

int berthd_config_load(const struct berthd_flags *f, struct engine_config *out,
		       struct berth_error **err)
{
	const char *path = berthd_config_path(f);
	cleanup_json json_t *file = NULL;
	struct engine_config c;
	engine_config_init(&c);
	if (read_file(f, &file, err) < 0 || (file && check_conflicts(f, file, err) < 0) ||
	    (file && engine_config_apply_json(&c, file, err) < 0)) {
		engine_config_free(&c);
		return berth_error_wrap(err, "unable to configure berthd with file %s", path);
	}
	if (apply_flags(f, &c, err) < 0 || engine_config_check(&c, err) < 0) {
		engine_config_free(&c);
		return -1;
	}
	*out = c;
	return 0;
}
