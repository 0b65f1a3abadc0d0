/* Manifests, indexes, descriptors, image configs and platform selection
 * (lib/core/images/manifest.h, imageconfig.h): good documents of the four
 * kinds, and many bad ones, each with the field named in the message. */
#include "test-util.h"

#include "core/images/imageconfig.h"
#include "core/images/manifest.h"

#include <errno.h>

#define D1 "sha256:1111111111111111111111111111111111111111111111111111111111111111"
#define D2 "sha256:2222222222222222222222222222222222222222222222222222222222222222"
#define D3 "sha256:3333333333333333333333333333333333333333333333333333333333333333"

static const char *good_docker =
    "{'schemaVersion': 2, 'mediaType': '" MT_DOCKER_MANIFEST "',"
    " 'config': {'mediaType': '" MT_DOCKER_CONFIG "', 'digest': '" D1 "', 'size': 100},"
    " 'layers': [{'mediaType': '" MT_DOCKER_LAYER_GZIP "', 'digest': '" D2 "', 'size': 2},"
    "            {'mediaType': '" MT_DOCKER_LAYER_GZIP "', 'digest': '" D3 "', 'size': 3,"
    "             'urls': ['https://example.com/x'], 'annotations': {'a': 'b'}}]}";

static const char *good_index =
    "{'schemaVersion': 2, 'mediaType': '" MT_OCI_INDEX "', 'manifests': ["
    " {'mediaType': '" MT_OCI_MANIFEST "', 'digest': '" D1 "', 'size': 10,"
    "  'platform': {'os': 'linux', 'architecture': 'arm64', 'variant': 'v8'}},"
    " {'mediaType': '" MT_OCI_MANIFEST "', 'digest': '" D2 "', 'size': 10,"
    "  'platform': {'os': 'linux', 'architecture': 'amd64'}},"
    " {'mediaType': '" MT_OCI_MANIFEST "', 'digest': '" D3 "', 'size': 10,"
    "  'platform': {'os': 'unknown', 'architecture': 'unknown'},"
    "  'annotations': {'vnd.docker.reference.type': 'attestation-manifest'}}]}";

static int parse_json(json_t *doc, const char *ct, struct manifest **m, struct berth_error **err)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	int rc = manifest_parse(s, strlen(s), ct, m, err);
	free(s);
	return rc;
}

static void test_good(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	struct manifest *m;
	json_t *doc = tu_json(good_docker);
	assert_int_equal(parse_json(doc, MT_DOCKER_MANIFEST, &m, &err), 0);
	assert_int_equal(m->kind, MANIFEST_DOCKER);
	assert_string_equal(m->config.digest.s, D1);
	assert_int_equal(m->n_layers, 2);
	assert_int_equal(m->layers[1].size, 3);
	assert_string_equal(m->layers[1].urls[0], "https://example.com/x");
	assert_string_equal(desc_annotation(&m->layers[1], "a"), "b");
	assert_int_equal(manifest_check_image(m, &err), 0);
	manifest_free(m);
	/* content type with parameters and a generic one are fine */
	assert_int_equal(parse_json(doc, MT_DOCKER_MANIFEST "; charset=utf-8", &m, &err), 0);
	manifest_free(m);
	assert_int_equal(parse_json(doc, "application/json", &m, &err), 0);
	manifest_free(m);
	/* OCI without mediaType: told by its fields */
	tu_json_set_path(doc, "mediaType", NULL);
	assert_int_equal(parse_json(doc, NULL, &m, &err), 0);
	assert_int_equal(m->kind, MANIFEST_OCI);
	manifest_free(m);
	assert_int_equal(parse_json(doc, MT_OCI_MANIFEST, &m, &err), 0);
	manifest_free(m);
	json_decref(doc);

	doc = tu_json(good_index);
	assert_int_equal(parse_json(doc, NULL, &m, &err), 0);
	assert_true(manifest_is_index(m));
	assert_int_equal(m->n_manifests, 3);
	assert_string_equal(m->manifests[0].platform->arch, "arm64");
	assert_null(m->manifests[0].platform->variant); /* v8 normalised away */
	assert_int_equal(manifest_check_image(m, &err), -1);
	berth_error_free(&err);
	manifest_free(m);
	tu_json_set_path(doc, "mediaType", NULL);
	assert_int_equal(parse_json(doc, NULL, &m, &err), 0);
	assert_int_equal(m->kind, MANIFEST_OCI_INDEX);
	manifest_free(m);
	tu_json_set_path(doc, "mediaType", "'" MT_DOCKER_LIST "'");
	assert_int_equal(parse_json(doc, MT_DOCKER_LIST, &m, &err), 0);
	assert_int_equal(m->kind, MANIFEST_DOCKER_LIST);
	manifest_free(m);
	json_decref(doc);
}

struct bad {
	const char *path;  /* NULL: the document is `value` itself */
	const char *value; /* NULL: delete */
	const char *ct;
	int code;
	const char *msg;
};

static const struct bad bad_manifests[] = {
    {"layers[1].digest", "'sha256:xyz'", NULL, EINVAL,
     "manifest.layers[1].digest: invalid digest \"sha256:xyz\""},
    {"layers[0].digest", "'sha512:" D1 "'", NULL, ENOTSUP, "manifest.layers[0].digest"},
    {"layers[0].digest",
     "'SHA256:1111111111111111111111111111111111111111111111111111111111111111'", NULL, ENOTSUP,
     "manifest.layers[0].digest"},
    {"layers[0].digest", NULL, NULL, EINVAL, "manifest.layers[0].digest: required field"},
    {"layers[0].digest", "42", NULL, EINVAL, "manifest.layers[0].digest: expected a string"},
    {"layers[0].size", "-1", NULL, EINVAL, "manifest.layers[0].size: -1 is negative"},
    {"layers[0].size", "1.5", NULL, EINVAL, "manifest.layers[0].size: expected an integer"},
    {"layers[0].size", "'2'", NULL, EINVAL, "manifest.layers[0].size: expected an integer"},
    {"layers[0].size", NULL, NULL, EINVAL, "manifest.layers[0].size: required field"},
    {"layers[0].mediaType", NULL, NULL, EINVAL, "manifest.layers[0].mediaType: required"},
    {"layers[0].mediaType", "''", NULL, EINVAL, "manifest.layers[0].mediaType: empty"},
    {"layers[1].urls", "['ftp://x/y']", NULL, EINVAL,
     "manifest.layers[1].urls[0]: \"ftp://x/y\" is not an http or https URL"},
    {"layers[1].urls", "'https://x'", NULL, EINVAL, "manifest.layers[1].urls: expected an array"},
    {"layers[1].urls", "[1]", NULL, EINVAL, "manifest.layers[1].urls[0]: expected a string"},
    {"layers[1].annotations", "{'a': 1}", NULL, EINVAL,
     "manifest.layers[1].annotations[\"a\"]: expected a string"},
    {"layers[1].annotations", "[]", NULL, EINVAL,
     "manifest.layers[1].annotations: expected an object"},
    {"layers[1].platform", "{'os': 'linux'}", NULL, EINVAL,
     "manifest.layers[1].platform.architecture: required field"},
    {"layers[1].platform", "{'os': '', 'architecture': 'amd64'}", NULL, EINVAL,
     "manifest.layers[1].platform.os: empty"},
    {"layers[1].platform", "{'os': 'linux', 'architecture': 'amd64', 'os.features': 'x'}", NULL,
     EINVAL, "manifest.layers[1].platform.os.features: expected an array"},
    {"layers[1]", "'x'", NULL, EINVAL, "manifest.layers[1]: expected an object, got \"x\""},
    {"layers", "{}", NULL, EINVAL, "manifest.layers: expected an array"},
    {"layers", NULL, NULL, EINVAL, "manifest.layers: required field"},
    {"config", NULL, NULL, EINVAL, "manifest.config: required field"},
    {"config", "[]", NULL, EINVAL, "manifest.config: expected an object"},
    {"config.digest", "'sha256:'", NULL, EINVAL, "manifest.config.digest: invalid digest"},
    {"manifests", "[]", NULL, EINVAL, "manifest.manifests: not allowed in an image manifest"},
    {"schemaVersion", NULL, NULL, EINVAL, "manifest.schemaVersion: required field"},
    {"schemaVersion", "3", NULL, EINVAL, "manifest.schemaVersion: expected 2, got 3"},
    {"schemaVersion", "'2'", NULL, EINVAL, "manifest.schemaVersion: expected 2, got \"2\""},
    {"schemaVersion", "1", NULL, ENOTSUP, "schema 1 is not supported"},
    {"mediaType", "'" MT_DOCKER_SCHEMA1_SIGNED "'", NULL, ENOTSUP, "schema 1 is not supported"},
    {"mediaType", "'text/plain'", NULL, ENOTSUP,
     "manifest.mediaType: unsupported media type \"text/plain\""},
    {"mediaType", "7", NULL, EINVAL, "manifest.mediaType: expected a string"},
    {"mediaType", "'" MT_OCI_MANIFEST "'", MT_DOCKER_MANIFEST, EINVAL,
     "does not match the content type"},
    {"mediaType", NULL, MT_DOCKER_MANIFEST, EINVAL, "manifest.mediaType: required field"},
    {"mediaType", NULL, MT_DOCKER_SCHEMA1, ENOTSUP, "schema 1"},
    {"subject", "{'mediaType': 'x', 'digest': 'nope', 'size': 1}", NULL, EINVAL,
     "manifest.subject.digest: invalid digest"},
    {"annotations", "{'k': true}", NULL, EINVAL, "manifest.annotations[\"k\"]"},
    {"artifactType", "[]", NULL, EINVAL, "manifest.artifactType: expected a string"},
    {NULL, "[]", NULL, EINVAL, "manifest: expected a JSON object"},
    {NULL, "{'schemaVersion': 2}", NULL, EINVAL, "neither config nor manifests"},
    {NULL, "{'schemaVersion': 2, 'manifests': [], 'layers': []}", NULL, EINVAL,
     "has both manifests and config or layers"},
    {NULL, "{'schemaVersion': 2, 'mediaType': '" MT_OCI_INDEX "', 'manifests': [], 'config': {}}",
     NULL, EINVAL, "index.config: not allowed in an index"},
    {NULL, "{'schemaVersion': 2, 'mediaType': '" MT_OCI_INDEX "', 'manifests': [{'size': 1}]}",
     NULL, EINVAL, "index.manifests[0].mediaType: required field"},
    {NULL, "{'schemaVersion': 2, 'mediaType': '" MT_OCI_INDEX "'}", NULL, EINVAL,
     "index.manifests: required field"},
};

static void test_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_manifests); i++) {
		const struct bad *b = &bad_manifests[i];
		json_t *doc;
		if (b->path) {
			doc = tu_json(good_docker);
			tu_json_set_path(doc, b->path, b->value);
		} else {
			doc = tu_json(b->value);
		}
		struct berth_error *err = NULL;
		struct manifest *m = NULL;
		if (parse_json(doc, b->ct, &m, &err) == 0)
			fail_msg("case %zu (%s): parsed", i, b->msg);
		assert_null(m);
		tu_assert_msg(err, b->msg);
		if (err->code != b->code)
			fail_msg("case %zu: code %d, want %d (%s)", i, err->code, b->code,
				 err->msg);
		berth_error_free(&err);
		json_decref(doc);
	}
}

static void test_bad_bytes(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	struct manifest *m;
	static const char *texts[] = {
	    "", "{", "null", "{\"schemaVersion\": 2,}", "{\"a\": 1, \"a\": 2}", "\xff\xfe"};
	for (size_t i = 0; i < ARRAY_SIZE(texts); i++) {
		assert_int_equal(manifest_parse(texts[i], strlen(texts[i]), NULL, &m, &err), -1);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
	}
	/* duplicate keys are refused (two readers could see two manifests) */
	const char *dup = "{\"schemaVersion\": 2, \"schemaVersion\": 2, \"layers\": []}";
	assert_int_equal(manifest_parse(dup, strlen(dup), NULL, &m, &err), -1);
	tu_assert_msg(err, "duplicate");
	berth_error_free(&err);
	/* over 4 MiB */
	size_t big = MANIFEST_MAX_SIZE + 1;
	char *buf = calloc(1, big);
	memset(buf, ' ', big);
	assert_int_equal(manifest_parse(buf, big, NULL, &m, &err), -1);
	assert_int_equal(err->code, EFBIG);
	berth_error_free(&err);
	free(buf);
}

static void test_check_image(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	struct manifest *m;
	json_t *doc = tu_json(good_docker);
	tu_json_set_path(doc, "layers[1].mediaType", "'application/x-foo'");
	assert_int_equal(parse_json(doc, NULL, &m, &err), 0);
	assert_int_equal(manifest_check_image(m, &err), -1);
	tu_assert_msg(err, "manifest.layers[1].mediaType: unsupported layer media type");
	berth_error_free(&err);
	manifest_free(m);
	tu_json_set_path(doc, "layers[1].mediaType", "'" MT_OCI_LAYER_ZSTD "'");
	tu_json_set_path(doc, "config.mediaType", "'application/vnd.cncf.helm.config.v1+json'");
	assert_int_equal(parse_json(doc, NULL, &m, &err), 0);
	assert_int_equal(manifest_check_image(m, &err), -1);
	tu_assert_msg(err, "manifest.config.mediaType");
	berth_error_free(&err);
	manifest_free(m);
	json_decref(doc);
	assert_int_equal(mt_layer_compression(MT_OCI_LAYER), MT_COMPRESSION_NONE);
	assert_int_equal(mt_layer_compression(MT_DOCKER_LAYER_FOREIGN), MT_COMPRESSION_GZIP);
	assert_int_equal(mt_layer_compression(MT_OCI_LAYER_ND_ZSTD), MT_COMPRESSION_ZSTD);
	assert_true(mt_is_nondistributable(MT_OCI_LAYER_ND));
	assert_true(mt_equal(" " MT_OCI_INDEX " ; x=y", MT_OCI_INDEX));
	assert_false(mt_equal(MT_OCI_INDEX "x", MT_OCI_INDEX));
}

static size_t select_for(json_t *doc, const char *spec, struct berth_error **err)
{
	struct manifest *m;
	assert_int_equal(parse_json(doc, NULL, &m, err), 0);
	struct platform p = {0};
	assert_int_equal(platform_parse(spec, &p, err), 0);
	size_t idx = 99;
	if (manifest_select(m, &p, &idx, err) < 0)
		idx = 99;
	platform_free(&p);
	manifest_free(m);
	return idx;
}

static void test_select(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *doc = tu_json(good_index);
	assert_int_equal(select_for(doc, "linux/amd64", &err), 1);
	assert_int_equal(select_for(doc, "linux/arm64", &err), 0);
	assert_int_equal(select_for(doc, "linux/arm64/v8", &err), 0);
	assert_int_equal(select_for(doc, "linux/s390x", &err), 99);
	tu_assert_msg(err, "no matching manifest for linux/s390x in the manifest list entries");
	assert_int_equal(err->code, ENOENT);
	berth_error_free(&err);
	/* 386 runs on amd64 when there is no amd64 */
	tu_json_set_path(doc, "manifests[1].platform.architecture", "'386'");
	assert_int_equal(select_for(doc, "linux/amd64", &err), 1);
	/* arm/v6 is chosen over arm/v5 for an arm/v7 host; the first of equals wins */
	json_t *arm =
	    tu_json("{'schemaVersion': 2, 'manifests': ["
		    " {'mediaType': '" MT_OCI_MANIFEST "', 'digest': '" D1 "', 'size': 1,"
		    "  'platform': {'os': 'linux', 'architecture': 'arm', 'variant': 'v5'}},"
		    " {'mediaType': '" MT_OCI_MANIFEST "', 'digest': '" D2 "', 'size': 1,"
		    "  'platform': {'os': 'linux', 'architecture': 'arm', 'variant': 'v6'}},"
		    " {'mediaType': '" MT_OCI_MANIFEST "', 'digest': '" D3 "', 'size': 1,"
		    "  'platform': {'os': 'linux', 'architecture': 'arm', 'variant': 'v6'}}]}");
	assert_int_equal(select_for(arm, "linux/arm/v7", &err), 1);
	/* children without a platform only when nothing else matches */
	tu_json_set_path(arm, "manifests[0].platform", NULL);
	assert_int_equal(select_for(arm, "linux/amd64", &err), 0);
	assert_int_equal(select_for(arm, "linux/arm/v7", &err), 1);
	/* children that are not manifests are skipped */
	tu_json_set_path(arm, "manifests[0].mediaType", "'application/x-foo'");
	assert_int_equal(select_for(arm, "linux/amd64", &err), 99);
	berth_error_free(&err);
	json_decref(arm);
	json_decref(doc);
}

static const char *good_config =
    "{'architecture': 'arm64', 'variant': 'v8', 'os': 'linux', 'created': '2024-01-01T00:00:00Z',"
    " 'config': {'Cmd': ['/bin/sh'], 'Env': ['A=b']},"
    " 'rootfs': {'type': 'layers', 'diff_ids': ['" D1 "', '" D2 "']},"
    " 'history': [{'created_by': 'a'}, {'created_by': 'b', 'empty_layer': true},"
    "             {'created_by': 'c', 'comment': 'x'}]}";

static int parse_config(json_t *doc, struct image_config **c, struct berth_error **err)
{
	char *s = json_dumps(doc, JSON_COMPACT);
	int rc = image_config_parse(s, strlen(s), c, err);
	free(s);
	return rc;
}

static void test_config(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	struct image_config *c;
	json_t *doc = tu_json(good_config);
	assert_int_equal(parse_config(doc, &c, &err), 0);
	assert_string_equal(c->platform.arch, "arm64");
	assert_null(c->platform.variant);
	assert_int_equal(c->n_diff_ids, 2);
	assert_string_equal(c->diff_ids[1].s, D2);
	assert_int_equal(c->n_history, 3);
	assert_true(c->history[1].empty_layer);
	assert_string_equal(json_string_value(json_array_get(json_object_get(c->config, "Cmd"), 0)),
			    "/bin/sh");
	struct manifest *m;
	json_t *md = tu_json(good_docker);
	assert_int_equal(parse_json(md, NULL, &m, &err), 0);
	assert_int_equal(image_config_check_layers(c, m, &err), 0);
	m->n_layers = 1;
	assert_int_equal(image_config_check_layers(c, m, &err), -1);
	tu_assert_msg(err, "image config has 2 rootfs.diff_ids but the manifest has 1 layers");
	berth_error_free(&err);
	m->n_layers = 2;
	manifest_free(m);
	json_decref(md);
	image_config_free(c);

	static const struct bad bad[] = {
	    {"os", NULL, NULL, EINVAL, "config.os: required field"},
	    {"architecture", "1", NULL, EINVAL, "config.architecture: expected a string"},
	    {"architecture", "''", NULL, EINVAL, "config.architecture: empty"},
	    {"rootfs", NULL, NULL, EINVAL, "config.rootfs: required field"},
	    {"rootfs.type", "'layer'", NULL, EINVAL, "config.rootfs.type: expected \"layers\""},
	    {"rootfs.diff_ids", NULL, NULL, EINVAL, "config.rootfs.diff_ids: required field"},
	    {"rootfs.diff_ids[1]", "'sha256:abc'", NULL, EINVAL,
	     "config.rootfs.diff_ids[1]: invalid digest \"sha256:abc\""},
	    {"rootfs.diff_ids[0]", "{}", NULL, EINVAL,
	     "config.rootfs.diff_ids[0]: expected a string"},
	    {"history", "{}", NULL, EINVAL, "config.history: expected an array"},
	    {"history[0]", "1", NULL, EINVAL, "config.history[0]: expected an object"},
	    {"history[0].empty_layer", "'yes'", NULL, EINVAL,
	     "config.history[0].empty_layer: expected a boolean"},
	    {"history[3]", "{'created_by': 'd'}", NULL, EINVAL,
	     "config.history: 3 entries make layers but rootfs.diff_ids has 2"},
	    {"config", "[]", NULL, EINVAL, "config.config: expected an object"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *d = tu_json(good_config);
		tu_json_set_path(d, bad[i].path, bad[i].value);
		c = NULL;
		if (parse_config(d, &c, &err) == 0)
			fail_msg("config case %zu (%s): parsed", i, bad[i].msg);
		tu_assert_msg(err, bad[i].msg);
		assert_int_equal(err->code, bad[i].code);
		berth_error_free(&err);
		json_decref(d);
	}
	assert_int_equal(image_config_parse("[1]", 3, &c, &err), -1);
	tu_assert_msg(err, "image config: expected a JSON object");
	berth_error_free(&err);
	json_decref(doc);
}

static void test_desc_roundtrip(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *doc = tu_json(good_index);
	struct manifest *m;
	assert_int_equal(parse_json(doc, NULL, &m, &err), 0);
	struct desc copy;
	desc_copy(&copy, &m->manifests[2]);
	json_t *j = desc_to_json(&copy);
	struct desc back;
	assert_int_equal(desc_parse(j, "x", &back, &err), 0);
	assert_string_equal(back.digest.s, D3);
	assert_string_equal(back.platform->os, "unknown");
	assert_string_equal(desc_annotation(&back, "vnd.docker.reference.type"),
			    "attestation-manifest");
	desc_free(&back);
	desc_free(&copy);
	json_decref(j);
	manifest_free(m);
	json_decref(doc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_good),	   cmocka_unit_test(test_bad),
	    cmocka_unit_test(test_bad_bytes),	   cmocka_unit_test(test_check_image),
	    cmocka_unit_test(test_select),	   cmocka_unit_test(test_config),
	    cmocka_unit_test(test_desc_roundtrip),
	};
	return tu_run("manifest", tests, ARRAY_SIZE(tests));
}
