/* Parsers of load and import (lib/core/images/docker-archive.h, changes.h):
 * docker-archive manifest.json and member names, good and bad; --change
 * lines, good and bad (the config is left as it was on error). */
#include "test-util.h"

#include "core/images/changes.h"
#include "core/images/docker-archive.h"

#include <errno.h>

static void test_path_clean(void **state)
{
	(void)state;
	static const char *const good[][2] = {
	    {"manifest.json", "manifest.json"},	    {"./a//b/", "a/b"},	  {"a/./b", "a/b"},
	    {"blobs/sha256/ab", "blobs/sha256/ab"}, {"a..b/c", "a..b/c"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		char *out = NULL;
		struct berth_error *err = NULL;
		assert_int_equal(darc_path_clean(good[i][0], &out, &err), 0);
		assert_string_equal(out, good[i][1]);
		free(out);
	}
	static const char *const bad[] = {"",	  "/etc/passwd", "../x", "a/../../b",
					  "a/..", ".",		 "./",	 "//x"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *out = NULL;
		struct berth_error *err = NULL;
		assert_int_equal(darc_path_clean(bad[i], &out, &err), -1);
		assert_non_null(err);
		assert_int_equal(err->code, EINVAL);
		berth_error_free(&err);
	}
}

static void test_manifest_good(void **state)
{
	(void)state;
	char *m =
	    tu_jq("[{'Config': 'abc.json', 'RepoTags': ['busybox:latest', 'h:5000/x/y:1', 'z'],"
		  " 'Layers': ['l1/layer.tar', './l2/layer.tar']},"
		  " {'Config': 'blobs/sha256/d', 'RepoTags': null, 'Layers': []}]");
	struct darc_image *v = NULL;
	size_t n = 0;
	struct berth_error *err = NULL;
	assert_int_equal(darc_manifest_parse(m, strlen(m), &v, &n, &err), 0);
	assert_int_equal(n, 2);
	assert_string_equal(v[0].config, "abc.json");
	assert_string_equal(v[0].tags[0], "docker.io/library/busybox:latest");
	assert_string_equal(v[0].tags[1], "h:5000/x/y:1");
	assert_string_equal(v[0].tags[2], "docker.io/library/z:latest");
	assert_null(v[0].tags[3]);
	assert_int_equal(v[0].n_layers, 2);
	assert_string_equal(v[0].layers[1], "l2/layer.tar");
	assert_null(v[1].tags[0]);
	assert_int_equal(v[1].n_layers, 0);
	darc_images_free(v, n);
	free(m);
}

static void test_manifest_bad(void **state)
{
	(void)state;
	static const struct {
		const char *json;
		const char *msg;
	} bad[] = {
	    {"", "invalid manifest.json"},
	    {"garbage", "invalid manifest.json"},
	    {"{}", "expected a non-empty array"},
	    {"[]", "expected a non-empty array"},
	    {"[1]", "[0]: expected an object"},
	    {"[{'Layers': []}]", "[0].Config"},
	    {"[{'Config': 5, 'Layers': []}]", "[0].Config"},
	    {"[{'Config': '../x.json', 'Layers': []}]", "climbs out"},
	    {"[{'Config': '/x.json', 'Layers': []}]", "absolute"},
	    {"[{'Config': 'x.json'}]", "[0].Layers: expected an array"},
	    {"[{'Config': 'x.json', 'Layers': [1]}]", "[0].Layers: expected strings"},
	    {"[{'Config': 'x.json', 'Layers': ['../../etc/shadow']}]", "climbs out"},
	    {"[{'Config': 'x.json', 'Layers': [], 'RepoTags': 'a'}]",
	     "RepoTags: expected an array"},
	    {"[{'Config': 'x.json', 'Layers': [], 'RepoTags': ['UPPER:x']}]", "RepoTags"},
	    {"[{'Config': 'x.json', 'Layers': [], 'RepoTags': [3]}]", "RepoTags: expected strings"},
	    {"[{'Config': 'x.json', 'Layers': []}, {'Config': 'y', 'Layers': ['/a']}]",
	     "[1].Layers"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		char *m = tu_jq(bad[i].json);
		struct darc_image *v = NULL;
		size_t n = 0;
		struct berth_error *err = NULL;
		assert_int_equal(darc_manifest_parse(m, strlen(m), &v, &n, &err), -1);
		assert_non_null(err);
		if (strstr(err->msg, bad[i].msg) == NULL)
			fail_msg("%s: message %s lacks %s", bad[i].json, err->msg, bad[i].msg);
		berth_error_free(&err);
		free(m);
	}
}

static void check_change(const char *line, const char *want)
{
	json_t *c = json_object();
	struct berth_error *err = NULL;
	if (image_change_apply(c, line, &err) < 0)
		fail_msg("%s: %s", line, err->msg);
	json_t *w = tu_json(want);
	char *got = json_dumps(c, JSON_COMPACT | JSON_SORT_KEYS);
	if (!json_equal(c, w))
		fail_msg("%s: got %s", line, got);
	free(got);
	json_decref(w);
	json_decref(c);
}

static void test_changes_good(void **state)
{
	(void)state;
	check_change("CMD [\"sh\", \"-c\", \"x\"]", "{'Cmd': ['sh', '-c', 'x']}");
	check_change("cmd echo hi", "{'Cmd': ['/bin/sh', '-c', 'echo hi']}");
	check_change("ENTRYPOINT [\"/bin/x\"]", "{'Entrypoint': ['/bin/x']}");
	check_change("ENV A=1 B=\"two words\"", "{'Env': ['A=1', 'B=two words']}");
	check_change("ENV A the rest", "{'Env': ['A=the rest']}");
	check_change("LABEL a=b c=d", "{'Labels': {'a': 'b', 'c': 'd'}}");
	check_change("EXPOSE 80 53/udp 8000-8001", "{'ExposedPorts': {'80/tcp': {}, '53/udp': {},"
						   " '8000-8001/tcp': {}}}");
	check_change("VOLUME /a /b", "{'Volumes': {'/a': {}, '/b': {}}}");
	check_change("VOLUME [\"/a\"]", "{'Volumes': {'/a': {}}}");
	check_change("WORKDIR /srv", "{'WorkingDir': '/srv'}");
	check_change("WORKDIR rel", "{'WorkingDir': '/rel'}");
	check_change("USER 1000:1000", "{'User': '1000:1000'}");
	check_change("STOPSIGNAL SIGKILL", "{'StopSignal': 'SIGKILL'}");
	check_change("  ", "{}");

	/* ENV replaces a variable already set */
	json_t *c = tu_json("{'Env': ['A=1', 'B=2']}");
	struct berth_error *err = NULL;
	assert_int_equal(image_change_apply(c, "ENV A=3", &err), 0);
	json_t *w = tu_json("{'Env': ['A=3', 'B=2']}");
	assert_true(json_equal(c, w));
	json_decref(w);
	json_decref(c);
}

static void test_changes_bad(void **state)
{
	(void)state;
	static const struct {
		const char *line;
		const char *msg;
	} bad[] = {
	    {"RUN echo", "RUN is not a valid change command"},
	    {"FROM busybox", "FROM is not a valid change command"},
	    {"ADD a b", "ADD is not a valid change command"},
	    {"FOO bar", "unknown instruction: FOO"},
	    {"CMD", "CMD requires at least one argument"},
	    {"ENV", "ENV requires at least one argument"},
	    {"ENV A", "ENV must have two arguments"},
	    {"ENV =x", "ENV names can not be blank"},
	    {"LABEL novalue", "LABEL names can not be blank"},
	    {"LABEL a=\"unterminated", "unmatched quote"},
	    {"EXPOSE http", "invalid containerPort: http"},
	    {"EXPOSE 80/foo", "invalid containerPort: 80/foo"},
	    {"VOLUME [\"\"]", "can not be an empty string"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *c = tu_json("{'Cmd': ['sh']}");
		struct berth_error *err = NULL;
		assert_int_equal(image_change_apply(c, bad[i].line, &err), -1);
		assert_non_null(err);
		if (strstr(err->msg, bad[i].msg) == NULL)
			fail_msg("%s: message %s lacks %s", bad[i].line, err->msg, bad[i].msg);
		json_t *w = tu_json("{'Cmd': ['sh']}");
		assert_true(json_equal(c, w)); /* untouched */
		json_decref(w);
		json_decref(c);
		berth_error_free(&err);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_path_clean),	 cmocka_unit_test(test_manifest_good),
	    cmocka_unit_test(test_manifest_bad), cmocka_unit_test(test_changes_good),
	    cmocka_unit_test(test_changes_bad),
	};
	return tu_run("image-local", tests, ARRAY_SIZE(tests));
}
