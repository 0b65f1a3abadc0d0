/* The walk of an image for a push (push.h): index -> manifests -> layers
 * (top first) + config -> manifest, the index last; each blob once. */
#include "core/images/push.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/images/imageconfig.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void push_plan_free(struct push_plan *p)
{
	for (size_t i = 0; i < p->n; i++)
		desc_free(&p->v[i].d);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static bool planned(const struct push_plan *p, const struct content_digest *d)
{
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].d.digest.s, d->s) == 0)
			return true;
	return false;
}

static void add(struct push_plan *p, enum push_kind kind, const struct desc *d, const char *id)
{
	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	struct push_item *it = &p->v[p->n++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	desc_copy(&it->d, d);
	snprintf(it->id, sizeof(it->id), "%.12s", id ? id : content_digest_hex(&d->digest));
}

static int load_doc(push_load_fn load, void *data, const struct desc *d, size_t max, char **buf,
		    size_t *len, struct berth_error **err)
{
	int rc = load(data, &d->digest, max, buf, len, err);
	if (rc < 0)
		return -1;
	if (rc == 0)
		return berth_error_set(err, ENOENT, "%s %s: missing from the content store",
				       mt_is_config(d->media_type) ? "config" : "manifest",
				       d->digest.s);
	return 0;
}

/* Layers (top first), config, then the manifest. */
static int plan_manifest(const struct desc *d, const struct manifest *m, push_load_fn load,
			 void *data, struct push_plan *p, struct berth_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	struct image_config *cfg = NULL;
	if (load_doc(load, data, &m->config, IMAGE_CONFIG_MAX_SIZE, &buf, &len, err) < 0)
		return -1;
	/* The diffIDs name the layers in the progress, as docker does; a
	 * config that is not an image config (an artifact) is pushed as is. */
	if (mt_is_config(m->config.media_type)) {
		struct berth_error *cerr = NULL;
		if (image_config_parse(buf, len, &cfg, &cerr) < 0)
			berth_error_free(&cerr);
		else if (cfg->n_diff_ids != m->n_layers) {
			image_config_free(cfg);
			cfg = NULL;
		}
	}
	for (size_t k = m->n_layers; k-- > 0;) {
		const struct desc *l = &m->layers[k];
		if (mt_is_nondistributable(l->media_type) || planned(p, &l->digest))
			continue;
		add(p, PUSH_LAYER, l, cfg ? content_digest_hex(&cfg->diff_ids[k]) : NULL);
	}
	image_config_free(cfg);
	if (!planned(p, &m->config.digest))
		add(p, PUSH_CONFIG, &m->config, NULL);
	if (!planned(p, &d->digest))
		add(p, PUSH_MANIFEST, d, NULL);
	return 0;
}

static int parse_doc(const struct desc *d, push_load_fn load, void *data, struct manifest **m,
		     int *missing, struct berth_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	int rc = load(data, &d->digest, MANIFEST_MAX_SIZE, &buf, &len, err);
	if (rc < 0)
		return -1;
	if (rc == 0) {
		if (missing) {
			*missing = 1;
			return 0;
		}
		return load_doc(load, data, d, MANIFEST_MAX_SIZE, &buf, &len, err);
	}
	if (manifest_parse(buf, len, d->media_type, m, err) < 0)
		return berth_error_wrap(err, "%s", d->digest.s);
	return 0;
}

static int plan_top(const struct desc *top, push_load_fn load, void *data, struct push_plan *p,
		    bool *incomplete, struct berth_error **err)
{
	struct manifest *m = NULL;
	if (parse_doc(top, load, data, &m, NULL, err) < 0)
		return -1;
	int rc = 0;
	if (!manifest_is_index(m)) {
		rc = plan_manifest(top, m, load, data, p, err);
		manifest_free(m);
		return rc;
	}
	for (size_t i = 0; rc == 0 && i < m->n_manifests; i++) {
		const struct desc *c = &m->manifests[i];
		if (!mt_is_manifest(c->media_type) || planned(p, &c->digest))
			continue;
		struct manifest *cm = NULL;
		int missing = 0;
		rc = parse_doc(c, load, data, &cm, &missing, err);
		if (rc < 0)
			break;
		if (missing) {
			*incomplete = true;
			break;
		}
		if (manifest_is_index(cm))
			rc = berth_error_set(err, ENOTSUP,
					     "%s: an index inside an index is not supported",
					     c->digest.s);
		else
			rc = plan_manifest(c, cm, load, data, p, err);
		manifest_free(cm);
	}
	if (rc == 0 && !*incomplete)
		add(p, PUSH_MANIFEST, top, NULL);
	manifest_free(m);
	return rc;
}

int push_plan_build(const struct desc *top, const struct desc *fallback, push_load_fn load,
		    void *data, struct push_plan *out, struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	bool incomplete = false;
	int rc = plan_top(top, load, data, out, &incomplete, err);
	if (rc == 0 && incomplete) {
		push_plan_free(out);
		if (fallback == NULL || strcmp(fallback->digest.s, top->digest.s) == 0)
			return berth_error_set(err, ENOENT,
					       "index %s: a manifest it lists is missing from "
					       "the content store",
					       top->digest.s);
		incomplete = false;
		rc = plan_top(fallback, load, data, out, &incomplete, err);
		if (rc == 0 && incomplete)
			rc = berth_error_set(err, ENOENT, "%s: missing from the content store",
					     fallback->digest.s);
	}
	if (rc < 0) {
		push_plan_free(out);
		return -1;
	}
	out->v[out->n - 1].by_tag = true;
	return 0;
}
