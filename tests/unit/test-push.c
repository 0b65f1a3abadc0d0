/* The walk of a push (lib/core/images/push.h, push_plan_build) over an
 * in-memory store: layers top first then config then manifest, an index
 * last, shared blobs once, progress ids from diffIDs, foreign layers skipped,
 * an index with a child missing replaced by the platform's manifest, and
 * the errors for what is missing. */
#include "test-util.h"

#include "common/xalloc.h"
#include "core/images/push.h"

#include <errno.h>

struct blob {
	struct content_digest d;
	char *data;
	size_t len;
};

struct store {
	struct blob v[32];
	size_t n;
};

static const struct content_digest *put(struct store *s, const char *data)
{
	struct blob *b = &s->v[s->n++];
	b->data = xstrdup(data);
	b->len = strlen(data);
	content_digest_buf(b->data, b->len, &b->d);
	return &b->d;
}

static void drop(struct store *s, const struct content_digest *d)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].d.s, d->s) == 0)
			s->v[i].d.s[0] = '\0';
}

static void store_free(struct store *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].data);
}

static int load(void *data, const struct content_digest *d, size_t max, char **buf, size_t *len,
		struct berth_error **err)
{
	(void)max;
	(void)err;
	struct store *s = data;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].d.s, d->s) == 0) {
			*buf = xstrdup(s->v[i].data);
			*len = s->v[i].len;
			return 1;
		}
	return 0;
}

static void desc_of(struct desc *out, const char *mt, const struct content_digest *d, size_t len)
{
	memset(out, 0, sizeof(*out));
	out->media_type = (char *)mt;
	out->digest = *d;
	out->size = (int64_t)len;
}

/* A layer blob and its diffID (any distinct text stands for them). */
static const struct content_digest *layer(struct store *s, const char *name,
					  struct content_digest *diff)
{
	char *t = xasprintf("diff-%s", name);
	content_digest_buf(t, strlen(t), diff);
	free(t);
	t = xasprintf("layer-%s", name);
	const struct content_digest *d = put(s, t);
	free(t);
	return d;
}

/* A config with the diffIDs and a manifest of the layers; the manifest's
 * descriptor in *out. `mts` gives each layer's media type (NULL: gzip). */
static void image(struct store *s, const char *arch, const struct content_digest *const *l,
		  const struct content_digest *diffs, size_t n, size_t ndiff,
		  const char *const *mts, struct desc *out, const struct content_digest **cfg)
{
	json_t *ids = json_array();
	for (size_t i = 0; i < ndiff; i++)
		json_array_append_new(ids, json_string(diffs[i].s));
	json_t *c = json_pack("{s:s,s:s,s:{s:s,s:o}}", "architecture", arch, "os", "linux",
			      "rootfs", "type", "layers", "diff_ids", ids);
	char *ctext = json_dumps(c, JSON_COMPACT);
	*cfg = put(s, ctext);
	json_t *layers = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(layers, json_pack("{s:s,s:s,s:i}", "mediaType",
							mts && mts[i] ? mts[i] : MT_OCI_LAYER_GZIP,
							"digest", l[i]->s, "size", 10));
	json_t *m = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:o}", "schemaVersion", 2, "mediaType",
			      MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest",
			      (*cfg)->s, "size", (json_int_t)strlen(ctext), "layers", layers);
	char *mtext = json_dumps(m, JSON_COMPACT);
	const struct content_digest *md = put(s, mtext);
	desc_of(out, MT_OCI_MANIFEST, md, strlen(mtext));
	free(ctext);
	free(mtext);
	json_decref(c);
	json_decref(m);
}

static void index_of(struct store *s, const struct desc *m, size_t n, struct desc *out)
{
	json_t *ms = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(ms,
				      json_pack("{s:s,s:s,s:I,s:{s:s,s:s}}", "mediaType",
						m[i].media_type, "digest", m[i].digest.s, "size",
						(json_int_t)m[i].size, "platform", "os", "linux",
						"architecture", i ? "arm64" : "amd64"));
	json_t *ix = json_pack("{s:i,s:s,s:o}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX,
			       "manifests", ms);
	char *t = json_dumps(ix, JSON_COMPACT);
	desc_of(out, MT_OCI_INDEX, put(s, t), strlen(t));
	free(t);
	json_decref(ix);
}

static void expect(const struct push_plan *p, size_t i, enum push_kind kind,
		   const struct content_digest *d, const char *id_from)
{
	assert_true(i < p->n);
	assert_int_equal(p->v[i].kind, kind);
	assert_string_equal(p->v[i].d.digest.s, d->s);
	char id[13];
	snprintf(id, sizeof(id), "%.12s", id_from + 7);
	assert_string_equal(p->v[i].id, id);
	assert_int_equal(p->v[i].by_tag, i == p->n - 1);
}

static void test_manifest_order(void **state)
{
	(void)state;
	struct store s = {0};
	struct content_digest diff[3];
	const struct content_digest *l[3] = {layer(&s, "a", &diff[0]), layer(&s, "b", &diff[1]),
					     layer(&s, "c", &diff[2])};
	struct desc m;
	const struct content_digest *cfg;
	image(&s, "amd64", l, diff, 3, 3, NULL, &m, &cfg);
	struct push_plan p;
	struct berth_error *err = NULL;
	assert_int_equal(push_plan_build(&m, NULL, load, &s, &p, &err), 0);
	assert_int_equal(p.n, 5);
	/* top layer first, named by its diffID as docker does */
	expect(&p, 0, PUSH_LAYER, l[2], diff[2].s);
	expect(&p, 1, PUSH_LAYER, l[1], diff[1].s);
	expect(&p, 2, PUSH_LAYER, l[0], diff[0].s);
	expect(&p, 3, PUSH_CONFIG, cfg, cfg->s);
	expect(&p, 4, PUSH_MANIFEST, &m.digest, m.digest.s);
	assert_string_equal(p.v[4].d.media_type, MT_OCI_MANIFEST);
	push_plan_free(&p);
	store_free(&s);
}

static void test_index_shared_layers(void **state)
{
	(void)state;
	struct store s = {0};
	struct content_digest diff[3];
	const struct content_digest *base = layer(&s, "base", &diff[0]);
	const struct content_digest *x = layer(&s, "x", &diff[1]);
	const struct content_digest *y = layer(&s, "y", &diff[2]);
	const struct content_digest *l1[2] = {base, x}, *l2[2] = {base, y};
	struct content_digest d1[2] = {diff[0], diff[1]}, d2[2] = {diff[0], diff[2]};
	struct desc m[2], ix;
	const struct content_digest *c1, *c2;
	image(&s, "amd64", l1, d1, 2, 2, NULL, &m[0], &c1);
	image(&s, "arm64", l2, d2, 2, 2, NULL, &m[1], &c2);
	index_of(&s, m, 2, &ix);
	struct push_plan p;
	struct berth_error *err = NULL;
	assert_int_equal(push_plan_build(&ix, &m[0], load, &s, &p, &err), 0);
	assert_int_equal(p.n, 8);
	expect(&p, 0, PUSH_LAYER, x, diff[1].s);
	expect(&p, 1, PUSH_LAYER, base, diff[0].s);
	expect(&p, 2, PUSH_CONFIG, c1, c1->s);
	expect(&p, 3, PUSH_MANIFEST, &m[0].digest, m[0].digest.s);
	expect(&p, 4, PUSH_LAYER, y, diff[2].s); /* base only once */
	expect(&p, 5, PUSH_CONFIG, c2, c2->s);
	expect(&p, 6, PUSH_MANIFEST, &m[1].digest, m[1].digest.s);
	expect(&p, 7, PUSH_MANIFEST, &ix.digest, ix.digest.s); /* under the tag, last */
	push_plan_free(&p);
	store_free(&s);
}

static void test_index_child_missing(void **state)
{
	(void)state;
	struct store s = {0};
	struct content_digest diff[2];
	const struct content_digest *l1[1] = {layer(&s, "a", &diff[0])};
	const struct content_digest *l2[1] = {layer(&s, "b", &diff[1])};
	struct desc m[2], ix;
	const struct content_digest *c1, *c2;
	image(&s, "amd64", l1, &diff[0], 1, 1, NULL, &m[0], &c1);
	image(&s, "arm64", l2, &diff[1], 1, 1, NULL, &m[1], &c2);
	index_of(&s, m, 2, &ix);
	drop(&s, &m[1].digest); /* a pull keeps only its platform's manifest */
	struct push_plan p;
	struct berth_error *err = NULL;
	/* with the platform's manifest: that one alone, as docker's classic store */
	assert_int_equal(push_plan_build(&ix, &m[0], load, &s, &p, &err), 0);
	assert_int_equal(p.n, 3);
	expect(&p, 0, PUSH_LAYER, l1[0], diff[0].s);
	expect(&p, 1, PUSH_CONFIG, c1, c1->s);
	expect(&p, 2, PUSH_MANIFEST, &m[0].digest, m[0].digest.s);
	push_plan_free(&p);
	/* without one: an error naming the index */
	assert_int_equal(push_plan_build(&ix, NULL, load, &s, &p, &err), -1);
	assert_int_equal(err->code, ENOENT);
	tu_assert_msg(err, ix.digest.s);
	berth_error_free(&err);
	assert_int_equal(p.n, 0);
	store_free(&s);
}

static void test_foreign_and_missing(void **state)
{
	(void)state;
	struct store s = {0};
	struct content_digest diff[2];
	const struct content_digest *l[2] = {layer(&s, "win", &diff[0]), layer(&s, "a", &diff[1])};
	const char *mts[2] = {MT_DOCKER_LAYER_FOREIGN, NULL};
	struct desc m;
	const struct content_digest *cfg;
	image(&s, "amd64", l, diff, 2, 2, mts, &m, &cfg);
	struct push_plan p;
	struct berth_error *err = NULL;
	assert_int_equal(push_plan_build(&m, NULL, load, &s, &p, &err), 0);
	assert_int_equal(p.n, 3); /* the foreign layer is not pushed */
	expect(&p, 0, PUSH_LAYER, l[1], diff[1].s);
	push_plan_free(&p);
	/* the config gone: ENOENT naming it */
	drop(&s, cfg);
	assert_int_equal(push_plan_build(&m, NULL, load, &s, &p, &err), -1);
	assert_int_equal(err->code, ENOENT);
	tu_assert_msg(err, "config ");
	tu_assert_msg(err, cfg->s);
	berth_error_free(&err);
	/* the manifest gone */
	drop(&s, &m.digest);
	assert_int_equal(push_plan_build(&m, NULL, load, &s, &p, &err), -1);
	assert_int_equal(err->code, ENOENT);
	tu_assert_msg(err, "manifest ");
	berth_error_free(&err);
	store_free(&s);
}

static void test_ids_without_diff_ids(void **state)
{
	(void)state;
	/* a config whose diff_ids do not match the layers: blob digests name them */
	struct store s = {0};
	struct content_digest diff[2];
	const struct content_digest *l[2] = {layer(&s, "a", &diff[0]), layer(&s, "b", &diff[1])};
	struct desc m;
	const struct content_digest *cfg;
	image(&s, "amd64", l, diff, 2, 1, NULL, &m, &cfg); /* one diffID, two layers */
	struct push_plan p;
	struct berth_error *err = NULL;
	assert_int_equal(push_plan_build(&m, NULL, load, &s, &p, &err), 0);
	assert_int_equal(p.n, 4);
	expect(&p, 0, PUSH_LAYER, l[1], l[1]->s);
	expect(&p, 1, PUSH_LAYER, l[0], l[0]->s);
	push_plan_free(&p);
	store_free(&s);
	/* an unparsable document */
	struct store s2 = {0};
	struct desc bad;
	const char *junk = "{\"schemaVersion\": 2, \"mediaType\": 5}";
	desc_of(&bad, MT_OCI_MANIFEST, put(&s2, junk), strlen(junk));
	assert_int_equal(push_plan_build(&bad, NULL, load, &s2, &p, &err), -1);
	tu_assert_msg(err, bad.digest.s);
	berth_error_free(&err);
	store_free(&s2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_manifest_order),	 cmocka_unit_test(test_index_shared_layers),
	    cmocka_unit_test(test_index_child_missing),	 cmocka_unit_test(test_foreign_and_missing),
	    cmocka_unit_test(test_ids_without_diff_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
