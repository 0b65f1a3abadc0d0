/* Pull helpers (lib/core/images/pull.h): chain IDs as containerd computes
 * them, docker's units.HumanSize, the jsonmessage progress text and the
 * shapes of the progress and error messages dockerd streams. */
#include "test-util.h"

#include "core/images/pull.h"

#define A "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define C "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void digest(const char *s, struct content_digest *d)
{
	struct berth_error *err = NULL;
	assert_int_equal(content_digest_parse(s, d, &err), 0);
}

static void test_chain_ids(void **state)
{
	(void)state;
	struct content_digest diff[3], chain[3];
	digest(A, &diff[0]);
	digest(B, &diff[1]);
	digest(C, &diff[2]);
	image_chain_ids(diff, 3, chain);
	/* chain[0] is the first diffID; then sha256("<parent chain> <diffID>")
	 * (values from python's hashlib, as containerd's identity.ChainID) */
	assert_string_equal(chain[0].s, A);
	assert_string_equal(chain[1].s, "sha256:ccd722928bd92476ba1745586fed6e45a102504185ad88cd"
					"89e01ff116fd146c");
	assert_string_equal(chain[2].s, "sha256:c1377126441fb2f5ec2c21ae2a60255331d639e830f0ee1b"
					"40a36e52d4c40588");
	/* one layer: its diffID */
	struct content_digest one;
	image_chain_ids(diff + 1, 1, &one);
	assert_string_equal(one.s, B);
}

static void test_human_size(void **state)
{
	(void)state;
	static const struct {
		double v;
		const char *want;
	} cases[] = {
	    {0, "0B"},		{999, "999B"},	      {1000, "1kB"},	    {32768, "32.77kB"},
	    {65536, "65.54kB"}, {1088949, "1.089MB"}, {1985722, "1.986MB"}, {313e6, "313MB"},
	    {999999, "1000kB"}, {2.5e9, "2.5GB"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char buf[32];
		pull_human_size(cases[i].v, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].want);
	}
}

static void test_progress_text(void **state)
{
	(void)state;
	/* as recorded from dockerd 20.10 (shared/docker-api/transcripts/pull.txt) */
	char *s = pull_progress_text(32768, 1088949);
	assert_string_equal(
	    s, "[=>                                                 ]  32.77kB/1.089MB");
	free(s);
	s = pull_progress_text(1088949, 1088949);
	assert_string_equal(
	    s, "[==================================================>]  1.089MB/1.089MB");
	free(s);
	s = pull_progress_text(65536, 1088949);
	assert_string_equal(
	    s, "[===>                                               ]  65.54kB/1.089MB");
	free(s);
	s = pull_progress_text(0, 0);
	assert_string_equal(s, "");
	free(s);
	s = pull_progress_text(5000, 0); /* unknown total: the count alone */
	assert_string_equal(s, "     5kB");
	free(s);
}

static void expect_json(json_t *m, const char *want)
{
	char *s = json_dumps(m, JSON_COMPACT);
	assert_string_equal(s, want);
	free(s);
	json_decref(m);
}

static void test_messages(void **state)
{
	(void)state;
	expect_json(pull_message("latest", "Pulling from busybox", false, 0, 0),
		    "{\"status\":\"Pulling from busybox\",\"id\":\"latest\"}");
	expect_json(
	    pull_message("059b6b4fc42f", "Pulling fs layer", true, -1, 0),
	    "{\"status\":\"Pulling fs layer\",\"progressDetail\":{},\"id\":\"059b6b4fc42f\"}");
	expect_json(
	    pull_message("059b6b4fc42f", "Downloading", true, 32768, 1088949),
	    "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":32768,\"total\":"
	    "1088949},\"progress\":\"[=>                                                 ]  "
	    "32.77kB/1.089MB\",\"id\":\"059b6b4fc42f\"}");
	expect_json(pull_message(NULL, "Digest: " A, false, 0, 0),
		    "{\"status\":\"Digest: " A "\"}");
	expect_json(pull_error_message("manifest unknown"),
		    "{\"errorDetail\":{\"message\":\"manifest unknown\"},\"error\":\"manifest "
		    "unknown\"}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_chain_ids),
	    cmocka_unit_test(test_human_size),
	    cmocka_unit_test(test_progress_text),
	    cmocka_unit_test(test_messages),
	};
	return tu_run("pull", tests, ARRAY_SIZE(tests));
}
