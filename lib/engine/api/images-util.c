/* Images grouped by ID, dockerd's name lookup, and shared JSON pieces. */
#include "engine/api/images-internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/events/events.h"
#include "core/gc/gc.h"
#include "core/images/pull.h"
#include "core/images/records.h"
#include "core/images/reference.h"
#include "core/registry/registry.h"

#include <errno.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

void img_free(struct img *im)
{
	free(im->id);
	md_image_list_free(im->recs, im->nrecs);
	if (im->config_json)
		json_decref(im->config_json);
	image_config_free(im->cfg);
	free(im->chain);
	memset(im, 0, sizeof(*im));
}

void img_list_free(struct img *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		img_free(&v[i]);
	free(v);
}

int images_require_core(struct engine *e, struct berth_error **err)
{
	if (e->md && e->cs && e->snap && e->reg)
		return 0;
	return berth_error_set(err, EIO, "the image store is not available");
}

int64_t images_parse_time(const char *s)
{
	if (s == NULL)
		return 0;
	struct tm tm = {0};
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p == NULL)
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			;
	int64_t t = (int64_t)timegm(&tm);
	if ((*p == '+' || *p == '-') && strlen(p) >= 6) {
		int off = ((p[1] - '0') * 10 + (p[2] - '0')) * 3600 +
			  ((p[4] - '0') * 10 + (p[5] - '0')) * 60;
		t += *p == '+' ? -off : off;
	}
	return t;
}

const char *images_short_id(const char *id, char buf[13])
{
	const char *h = strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
	snprintf(buf, 13, "%.12s", h);
	return buf;
}

char *images_familiar(const char *name)
{
	struct ref *r = NULL;
	struct berth_error *err = NULL;
	if (ref_parse_normalized(name, &r, &err) < 0) {
		berth_error_free(&err);
		return xstrdup(name);
	}
	char *s = ref_familiar_string(r);
	ref_free(r);
	return s;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(json_string_value(*(json_t *const *)a),
		      json_string_value(*(json_t *const *)b));
}

static json_t *sorted_unique(json_t *a)
{
	size_t n = json_array_size(a);
	json_t **v = xcalloc(n + 1, sizeof(*v));
	for (size_t i = 0; i < n; i++)
		v[i] = json_array_get(a, i);
	qsort(v, n, sizeof(*v), cmp_str);
	json_t *out = json_array();
	for (size_t i = 0; i < n; i++)
		if (i == 0 || cmp_str(&v[i - 1], &v[i]) != 0)
			json_array_append(out, v[i]);
	free(v);
	json_decref(a);
	return out;
}

json_t *images_repo_tags(const struct img *im)
{
	json_t *a = json_array();
	for (size_t i = 0; i < im->nrecs; i++) {
		if (img_is_dangling(&im->recs[i]) || strchr(im->recs[i].name, '@'))
			continue;
		char *f = images_familiar(im->recs[i].name);
		json_array_append_new(a, json_string(f));
		free(f);
	}
	return sorted_unique(a);
}

json_t *images_repo_digests(const struct img *im)
{
	json_t *a = json_array();
	for (size_t i = 0; i < im->nrecs; i++) {
		const char *d = img_label(&im->recs[i], IMG_LABEL_REPO_DIGEST);
		if (d)
			json_array_append_new(a, json_string(d));
	}
	return sorted_unique(a);
}

/* Fill config, chain IDs, size and times of an image from its records. */
static int img_fill(struct engine *e, struct img *im, struct berth_error **err)
{
	cleanup_free char *buf = NULL;
	size_t len = 0;
	if (content_read_all(e->cs, im->id, IMAGE_CONFIG_MAX_SIZE, &buf, &len, err) < 0 ||
	    image_config_parse(buf, len, &im->cfg, err) < 0)
		return berth_error_wrap(err, "image %s: config", im->id);
	im->config_json = json_loadb(buf, len, 0, NULL);
	if (im->config_json == NULL)
		im->config_json = json_object();
	im->chain = xcalloc(im->cfg->n_diff_ids + 1, sizeof(*im->chain));
	image_chain_ids(im->cfg->diff_ids, im->cfg->n_diff_ids, im->chain);
	im->created = images_parse_time(im->cfg->created);
	for (size_t i = 0; i < im->nrecs; i++) {
		const char *s = img_label(&im->recs[i], IMG_LABEL_SIZE);
		if (s)
			im->size = strtoll(s, NULL, 10);
		if (im->recs[i].updated > im->updated)
			im->updated = im->recs[i].updated;
	}
	return 0;
}

static int cmp_img(const void *a, const void *b)
{
	const struct img *x = a, *y = b;
	if (x->created != y->created)
		return x->created > y->created ? -1 : 1;
	return strcmp(x->id, y->id);
}

int images_load_all(struct engine *e, struct img **out, size_t *n, struct berth_error **err)
{
	struct md_image *recs = NULL;
	size_t nrecs = 0;
	if (images_require_core(e, err) < 0 ||
	    md_image_list(e->md, IMAGES_NS, NULL, &recs, &nrecs, err) < 0)
		return -1;
	struct img *v = NULL;
	size_t len = 0;
	for (size_t i = 0; i < nrecs; i++) {
		const char *id = img_id(&recs[i]);
		if (id == NULL)
			continue;
		struct img *im = NULL;
		for (size_t j = 0; j < len; j++)
			if (strcmp(v[j].id, id) == 0)
				im = &v[j];
		if (im == NULL) {
			v = xrealloc(v, (len + 1) * sizeof(*v));
			im = &v[len++];
			memset(im, 0, sizeof(*im));
			im->id = xstrdup(id);
		}
		im->recs = xrealloc(im->recs, (im->nrecs + 1) * sizeof(*im->recs));
		im->recs[im->nrecs++] = recs[i];
		memset(&recs[i], 0, sizeof(recs[i]));
	}
	md_image_list_free(recs, nrecs);
	size_t k = 0;
	for (size_t j = 0; j < len; j++) {
		struct berth_error *ferr = NULL;
		if (img_fill(e, &v[j], &ferr) < 0) {
			log_warn("images: %s", ferr->msg);
			berth_error_free(&ferr);
			img_free(&v[j]);
			continue;
		}
		v[k++] = v[j];
	}
	qsort(v, k, sizeof(*v), cmp_img);
	*out = v;
	*n = k;
	return 0;
}

static bool is_hex(const char *s)
{
	return s[0] && strspn(s, "0123456789abcdef") == strlen(s);
}

static int take(struct img *v, size_t n, size_t i, struct img *out)
{
	*out = v[i];
	memset(&v[i], 0, sizeof(v[i]));
	img_list_free(v, n);
	return 0;
}

int images_lookup(struct engine *e, const char *name, struct img *out, char **matched,
		  struct berth_error **err)
{
	struct img *v = NULL;
	size_t n = 0;
	if (matched)
		*matched = NULL;
	if (images_load_all(e, &v, &n, err) < 0)
		return -1;
	const char *hex = strncmp(name, "sha256:", 7) == 0 ? name + 7 : name;
	if (is_hex(hex) && strlen(hex) == 64)
		for (size_t i = 0; i < n; i++)
			if (strcmp(v[i].id + 7, hex) == 0)
				return take(v, n, i, out);
	struct ref *r = NULL;
	struct berth_error *perr = NULL;
	cleanup_free char *notfound = NULL;
	if (ref_parse_normalized(name, &r, &perr) == 0 && r->path) {
		ref_tag_name_only(r);
		cleanup_free char *full = ref_string(r);
		notfound = ref_familiar_string(r);
		ref_free(r);
		for (size_t i = 0; i < n; i++)
			for (size_t j = 0; j < v[i].nrecs; j++)
				if (strcmp(v[i].recs[j].name, full) == 0) {
					if (matched)
						*matched = xstrdup(full);
					return take(v, n, i, out);
				}
	} else {
		ref_free(r);
		berth_error_free(&perr);
	}
	if (is_hex(hex) && strlen(hex) < 64) {
		size_t found = n, count = 0;
		for (size_t i = 0; i < n; i++)
			if (strncmp(v[i].id + 7, hex, strlen(hex)) == 0) {
				found = i;
				count++;
			}
		if (count == 1)
			return take(v, n, found, out);
		if (count > 1) {
			img_list_free(v, n);
			return berth_error_set(err, EINVAL,
					       "multiple IDs found with provided prefix: %s", hex);
		}
	}
	img_list_free(v, n);
	return berth_error_set(err, ENOENT, "No such image: %s", notfound ? notfound : name);
}

size_t images_users(struct engine *e, const struct img *im, char **first)
{
	struct md_container *c = NULL;
	size_t n = 0, users = 0;
	struct berth_error *err = NULL;
	if (first)
		*first = NULL;
	if (md_container_list(e->md, IMAGES_NS, NULL, &c, &n, &err) < 0) {
		log_warn("images: list containers: %s", err->msg);
		berth_error_free(&err);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		const char *ci = c[i].image ? c[i].image : "";
		bool uses = strcmp(ci, im->id) == 0 || strcmp(ci, im->id + 7) == 0;
		for (size_t j = 0; !uses && j < im->nrecs; j++) {
			cleanup_free char *fam = images_familiar(im->recs[j].name);
			uses = strcmp(ci, im->recs[j].name) == 0 || strcmp(ci, fam) == 0;
		}
		if (uses) {
			if (users++ == 0 && first)
				*first = xstrdup(c[i].id);
		}
	}
	md_container_list_free(c, n);
	return users;
}

int64_t images_gc(struct engine *e)
{
	struct gc_options o = {.grace = 0, .ingest_max_age = 0};
	struct gc_result res;
	struct berth_error *err = NULL;
	struct snapshotter *snaps[] = {e->snap};
	if (gc_run(e->md, e->cs, snaps, 1, &o, &res, &err) < 0) {
		log_warn("images: garbage collection: %s", err->msg);
		berth_error_free(&err);
		return 0;
	}
	log_debug("images: gc removed %zu blobs, %zu snapshots, %lld bytes", res.blobs,
		  res.snapshots, (long long)res.bytes);
	int64_t bytes = res.bytes;
	gc_result_free(&res);
	return bytes;
}

size_t api_images_count(struct engine *e)
{
	struct img *v = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	if (images_load_all(e, &v, &n, &err) < 0) {
		berth_error_free(&err);
		return 0;
	}
	img_list_free(v, n);
	return n;
}

/* X-Registry-Auth: base64url of {"username","password","auth","serveraddress",
 * "identitytoken","registrytoken"}; "" or "e30=" ({}) mean none. */
int images_decode_auth(const char *h, struct reg_auth *out, struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	if (h == NULL || h[0] == '\0')
		return 0;
	size_t n = strlen(h);
	cleanup_free char *b = xmalloc(n + 4);
	for (size_t i = 0; i < n; i++)
		b[i] = h[i] == '-' ? '+' : h[i] == '_' ? '/' : h[i];
	while (n % 4)
		b[n++] = '=';
	b[n] = '\0';
	cleanup_free unsigned char *raw = xmalloc(n + 1);
	int len = EVP_DecodeBlock(raw, (unsigned char *)b, (int)n);
	if (len < 0)
		return berth_error_set(err, EINVAL, "X-Registry-Auth: invalid base64");
	while (n > 0 && b[--n] == '=' && len > 0)
		len--;
	cleanup_json json_t *o = json_loadb((const char *)raw, (size_t)len, 0, NULL);
	if (!json_is_object(o))
		return berth_error_set(err, EINVAL, "X-Registry-Auth: not a JSON object");
	const char *u = json_string_value(json_object_get(o, "username"));
	const char *p = json_string_value(json_object_get(o, "password"));
	const char *it = json_string_value(json_object_get(o, "identitytoken"));
	const char *rt = json_string_value(json_object_get(o, "registrytoken"));
	if (u && *u)
		out->username = xstrdup(u);
	if (p && *p)
		out->password = xstrdup(p);
	if (it && *it)
		out->identity_token = xstrdup(it);
	if (rt && *rt)
		out->registry_token = xstrdup(rt);
	return 0;
}

void images_event(struct engine *e, const char *action, const char *id, const char *name)
{
	if (e->events == NULL || id == NULL)
		return;
	json_t *attrs = json_pack("{s:s}", "name", name ? name : id);
	events_publish(e->events, "image", action, id, attrs);
	json_decref(attrs);
}
