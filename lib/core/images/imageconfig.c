/* Image config: parse and validate (see imageconfig.h). */
#include "core/images/imageconfig.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

static int parse_rootfs(json_t *doc, struct image_config *c, struct berth_error **err)
{
	json_t *rootfs, *ids;
	cleanup_free char *type = NULL;
	if (bjson_member(doc, "rootfs", "config", JSON_OBJECT, true, &rootfs, err) < 0 ||
	    bjson_string(rootfs, "type", "config.rootfs", true, &type, err) < 0)
		return -1;
	if (strcmp(type, "layers") != 0)
		return berth_error_set(
		    err, EINVAL, "config.rootfs.type: expected \"layers\", got \"%.100s\"", type);
	if (bjson_member(rootfs, "diff_ids", "config.rootfs", JSON_ARRAY, true, &ids, err) < 0)
		return -1;
	size_t n = json_array_size(ids);
	c->diff_ids = xcalloc(n ? n : 1, sizeof(*c->diff_ids));
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(ids, i);
		if (!json_is_string(e)) {
			cleanup_free char *d = bjson_describe(e);
			return berth_error_set(
			    err, EINVAL, "config.rootfs.diff_ids[%zu]: expected a string, got %s",
			    i, d);
		}
		if (content_digest_parse(json_string_value(e), &c->diff_ids[i], err) < 0)
			return berth_error_wrap(err, "config.rootfs.diff_ids[%zu]", i);
	}
	c->n_diff_ids = n;
	return 0;
}

static int parse_history(json_t *doc, struct image_config *c, struct berth_error **err)
{
	json_t *h;
	if (bjson_member(doc, "history", "config", JSON_ARRAY, false, &h, err) < 0)
		return -1;
	if (h == NULL)
		return 0;
	size_t n = json_array_size(h);
	c->history = xcalloc(n ? n : 1, sizeof(*c->history));
	for (size_t i = 0; i < n; i++) {
		cleanup_free char *p = xasprintf("config.history[%zu]", i);
		json_t *e = json_array_get(h, i);
		struct image_history *r = &c->history[i];
		c->n_history = i + 1;
		if (!json_is_object(e))
			return berth_error_set(err, EINVAL, "%s: expected an object", p);
		if (bjson_string(e, "created", p, false, &r->created, err) < 0 ||
		    bjson_string(e, "created_by", p, false, &r->created_by, err) < 0 ||
		    bjson_string(e, "author", p, false, &r->author, err) < 0 ||
		    bjson_string(e, "comment", p, false, &r->comment, err) < 0 ||
		    bjson_bool(e, "empty_layer", p, &r->empty_layer, err) < 0)
			return -1;
	}
	return 0;
}

static int parse_doc(json_t *doc, struct image_config *c, struct berth_error **err)
{
	cleanup_free char *os = NULL, *arch = NULL, *variant = NULL, *osv = NULL;
	json_t *cfg;
	if (bjson_string(doc, "os", "config", true, &os, err) < 0 ||
	    bjson_string(doc, "architecture", "config", true, &arch, err) < 0 ||
	    bjson_string(doc, "variant", "config", false, &variant, err) < 0 ||
	    bjson_string(doc, "os.version", "config", false, &osv, err) < 0 ||
	    bjson_string(doc, "created", "config", false, &c->created, err) < 0 ||
	    bjson_string(doc, "author", "config", false, &c->author, err) < 0 ||
	    bjson_member(doc, "config", "config", JSON_OBJECT, false, &cfg, err) < 0)
		return -1;
	if (*os == '\0')
		return berth_error_set(err, EINVAL, "config.os: empty");
	if (*arch == '\0')
		return berth_error_set(err, EINVAL, "config.architecture: empty");
	platform_init(&c->platform, os, arch, variant);
	if (osv && *osv)
		c->platform.os_version = steal_ptr(osv);
	if (cfg)
		c->config = json_incref(cfg);
	if (parse_rootfs(doc, c, err) < 0 || parse_history(doc, c, err) < 0)
		return -1;
	size_t nonempty = 0;
	for (size_t i = 0; i < c->n_history; i++)
		nonempty += !c->history[i].empty_layer;
	if (c->n_history && nonempty > c->n_diff_ids)
		return berth_error_set(
		    err, EINVAL,
		    "config.history: %zu entries make layers but rootfs.diff_ids "
		    "has %zu",
		    nonempty, c->n_diff_ids);
	return 0;
}

int image_config_parse(const void *buf, size_t len, struct image_config **out,
		       struct berth_error **err)
{
	*out = NULL;
	if (len > IMAGE_CONFIG_MAX_SIZE)
		return berth_error_set(err, EFBIG,
				       "image config: %zu bytes, more than the limit of %d bytes",
				       len, IMAGE_CONFIG_MAX_SIZE);
	json_error_t je;
	cleanup_json json_t *doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		return berth_error_set(err, EINVAL,
				       "image config: invalid JSON: %s (line %d, column %d)",
				       je.text, je.line, je.column);
	if (!json_is_object(doc))
		return berth_error_set(err, EINVAL, "image config: expected a JSON object");
	struct image_config *c = xcalloc(1, sizeof(*c));
	if (parse_doc(doc, c, err) < 0) {
		image_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

void image_config_free(struct image_config *c)
{
	if (c == NULL)
		return;
	platform_free(&c->platform);
	free(c->created);
	free(c->author);
	if (c->config)
		json_decref(c->config);
	free(c->diff_ids);
	for (size_t i = 0; i < c->n_history; i++) {
		free(c->history[i].created);
		free(c->history[i].created_by);
		free(c->history[i].author);
		free(c->history[i].comment);
	}
	free(c->history);
	free(c);
}

int image_config_check_layers(const struct image_config *c, const struct manifest *m,
			      struct berth_error **err)
{
	if (c->n_diff_ids != m->n_layers)
		return berth_error_set(
		    err, EINVAL,
		    "image config has %zu rootfs.diff_ids but the manifest has %zu "
		    "layers",
		    c->n_diff_ids, m->n_layers);
	return 0;
}
