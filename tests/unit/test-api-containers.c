/* Pure parts of the container routes (lib/engine/api/containers-util.c and
 * containers-body.c): list/prune filters, docker's status text and human
 * durations, RFC3339Nano, filter times, Path/Args, names, create bodies. */
#include "test-util.h"

#include "common/error.h"
#include "engine/api/containers-internal.h"

#include <errno.h>

#define SEC 1000000000LL

static void test_filters(void **state)
{
	(void)state;
	json_t *f = NULL;
	struct berth_error *err = NULL;
	/* absent, empty */
	assert_int_equal(ctrapi_filters_parse(NULL, false, &f, &err), 0);
	assert_int_equal(json_object_size(f), 0);
	json_decref(f);
	assert_int_equal(ctrapi_filters_parse("", false, &f, &err), 0);
	json_decref(f);
	/* the CLI's map form, compose's list form; false map values dropped */
	char *q = tu_jq("{'name':{'web':true,'x':false},'status':['running','exited'],"
			"'label':{'a=b':true}}");
	assert_int_equal(ctrapi_filters_parse(q, false, &f, &err), 0);
	free(q);
	json_t *v = ctrapi_filter_values(f, "name");
	assert_int_equal(json_array_size(v), 1);
	assert_string_equal(json_string_value(json_array_get(v, 0)), "web");
	assert_int_equal(json_array_size(ctrapi_filter_values(f, "status")), 2);
	assert_null(ctrapi_filter_values(f, "id"));
	json_decref(f);

	static const struct {
		const char *json;
		bool prune;
		const char *msg;
	} bad[] = {
	    {"{'status':['sleeping']}", false, "Invalid filter 'status=sleeping'"},
	    {"{'exited':['x']}", false, "Invalid filter 'exited=x'"},
	    {"{'health':['sick']}", false, "Unrecognised filter value for health: sick"},
	    {"{'nope':['1']}", false, "Invalid filter 'nope'"},
	    {"{'status':['running']}", true, "Invalid filter 'status'"},
	    {"{'name':7}", false, "invalid filters: name: expected an object or an array"},
	    {"['name']", false, NULL},
	    {"{", false, NULL},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		q = tu_jq(bad[i].json);
		f = NULL;
		assert_int_equal(ctrapi_filters_parse(q, bad[i].prune, &f, &err), -1);
		assert_null(f);
		assert_int_equal(err->code, EINVAL);
		if (bad[i].msg)
			assert_string_equal(err->msg, bad[i].msg);
		berth_error_free(&err);
		free(q);
	}
	q = tu_jq("{'until':['10m'],'label':['a'],'label!':['b=c']}");
	assert_int_equal(ctrapi_filters_parse(q, true, &f, &err), 0);
	free(q);
	json_decref(f);
}

static void test_match(void **state)
{
	(void)state;
	json_t *pats = tu_json("['^/web$']");
	assert_true(ctrapi_match_regex(pats, "/web"));
	assert_false(ctrapi_match_regex(pats, "/web2"));
	json_decref(pats);
	pats = tu_json("['eb', '[']");
	assert_true(ctrapi_match_regex(pats, "/web"));
	assert_false(ctrapi_match_regex(pats, "/db"));
	json_decref(pats);
	assert_true(ctrapi_match_regex(NULL, "/any"));

	json_t *labels = tu_json("{'app':'demo','tier':''}");
	json_t *l1 = tu_json("['app']"), *l2 = tu_json("['app=demo','tier=']"),
	       *l3 = tu_json("['app=other']"), *l4 = tu_json("['app','missing']");
	assert_true(ctrapi_match_labels(l1, labels));
	assert_true(ctrapi_match_labels(l2, labels));
	assert_false(ctrapi_match_labels(l3, labels));
	assert_false(ctrapi_match_labels(l4, labels));
	assert_false(ctrapi_match_labels(l1, NULL));
	json_decref(labels);
	json_decref(l1);
	json_decref(l2);
	json_decref(l3);
	json_decref(l4);
}

static void expect_duration(int64_t ns, const char *want)
{
	char *s = ctrapi_human_duration(ns);
	assert_string_equal(s, want);
	free(s);
}

static void test_durations(void **state)
{
	(void)state;
	expect_duration(0, "Less than a second");
	expect_duration(999999999, "Less than a second");
	expect_duration(SEC, "1 second");
	expect_duration(9 * SEC, "9 seconds");
	expect_duration(59 * SEC, "59 seconds");
	expect_duration(60 * SEC, "About a minute");
	expect_duration(119 * SEC, "About a minute");
	expect_duration(120 * SEC, "2 minutes");
	expect_duration(59 * 60 * SEC, "59 minutes");
	expect_duration(60 * 60 * SEC, "About an hour");
	expect_duration(90 * 60 * SEC, "2 hours");
	expect_duration(47 * 3600 * SEC, "47 hours");
	expect_duration(48 * 3600 * SEC, "2 days");
	expect_duration(14 * 24 * 3600 * SEC, "2 weeks");
	expect_duration(60 * 24 * 3600 * SEC, "2 months");
	expect_duration(800 * 24 * 3600 * SEC, "2 years");
}

static void expect_status(enum ctr_status status, int64_t started, int64_t finished, int code,
			  int64_t now, const char *want)
{
	struct ctr_state st = {
	    .status = status, .started_at = started, .finished_at = finished, .exit_code = code};
	char *s = ctrapi_status_text(&st, now);
	assert_string_equal(s, want);
	free(s);
}

static void test_status(void **state)
{
	(void)state;
	int64_t now = 1795451115 * SEC;
	expect_status(CTR_RUNNING, now - 9 * SEC, 0, 0, now, "Up 9 seconds");
	expect_status(CTR_PAUSED, now - 180 * SEC, 0, 0, now, "Up 3 minutes (Paused)");
	expect_status(CTR_EXITED, now - 10 * SEC, now - 3 * SEC, 0, now,
		      "Exited (0) 3 seconds ago");
	expect_status(CTR_EXITED, now - 10 * SEC, now - 3 * SEC, 137, now,
		      "Exited (137) 3 seconds ago");
	expect_status(CTR_RESTARTING, now - 10 * SEC, now - 2 * SEC, 1, now,
		      "Restarting (1) 2 seconds ago");
	expect_status(CTR_CREATED, 0, 0, 0, now, "Created");
	/* created, never started, but its state says exited (a failed start) */
	expect_status(CTR_EXITED, 0, 0, 127, now, "Created");
	expect_status(CTR_REMOVING, now, now, 0, now, "Removal In Progress");
	expect_status(CTR_DEAD, now, now, 0, now, "Dead");
}

static void expect_time(int64_t ns, const char *want)
{
	char *s = ctrapi_time_rfc3339(ns);
	assert_string_equal(s, want);
	free(s);
}

static void test_times(void **state)
{
	(void)state;
	expect_time(0, "0001-01-01T00:00:00Z");
	/* as in inspect_container.txt */
	expect_time(1795451106 * SEC + 631273032, "2026-11-23T16:25:06.631273032Z");
	expect_time(1795451106 * SEC + 235231470, "2026-11-23T16:25:06.23523147Z");
	expect_time(1795451106 * SEC + 500000000, "2026-11-23T16:25:06.5Z");
	expect_time(1795451106 * SEC, "2026-11-23T16:25:06Z");

	int64_t now = 1795451106 * SEC, t = 0;
	struct berth_error *err = NULL;
	assert_int_equal(ctrapi_parse_time("10m", now, &t, &err), 0);
	assert_int_equal(t, now - 600 * SEC);
	assert_int_equal(ctrapi_parse_time("1h30m", now, &t, &err), 0);
	assert_int_equal(t, now - 5400 * SEC);
	assert_int_equal(ctrapi_parse_time("1795451106", now, &t, &err), 0);
	assert_int_equal(t, 1795451106 * SEC);
	assert_int_equal(ctrapi_parse_time("1795451106.5", now, &t, &err), 0);
	assert_int_equal(t, 1795451106 * SEC + 500000000);
	assert_int_equal(ctrapi_parse_time("2026-11-23T16:25:06.631273032Z", now, &t, &err), 0);
	assert_int_equal(t, 1795451106 * SEC + 631273032);
	assert_int_equal(ctrapi_parse_time("2026-11-23T17:25:06+01:00", now, &t, &err), 0);
	assert_int_equal(t, 1795451106 * SEC);
	assert_int_equal(ctrapi_parse_time("yesterday", now, &t, &err), -1);
	assert_int_equal(err->code, EINVAL);
	berth_error_free(&err);
}

static void expect_command(const char *config, const char *want_path, const char *want_args,
			   const char *want_cmd)
{
	json_t *c = tu_json(config);
	const char *path;
	json_t *args;
	ctrapi_path_args(c, &path, &args);
	assert_string_equal(path, want_path);
	char *a = json_dumps(args, JSON_COMPACT);
	char *w = tu_jq(want_args);
	assert_string_equal(a, w);
	free(a);
	free(w);
	json_decref(args);
	char *cmd = ctrapi_command(c);
	assert_string_equal(cmd, want_cmd);
	free(cmd);
	json_decref(c);
}

static void test_command(void **state)
{
	(void)state;
	expect_command("{'Cmd':['httpd','-f','-p','80'],'Entrypoint':null}", "httpd",
		       "['-f','-p','80']", "httpd -f -p 80");
	expect_command("{'Entrypoint':['sh','-c'],'Cmd':['echo hi']}", "sh", "['-c','echo hi']",
		       "sh -c 'echo hi'");
	/* dockerd quotes an argument with a space, and only those */
	expect_command("{'Cmd':['a b','c\\td','','x y z']}", "a b", "['c\\td','','x y z']",
		       "a b c\td  'x y z'");
	expect_command("{'Entrypoint':'/init','Cmd':null}", "/init", "[]", "/init");
	expect_command("{}", "", "[]", "");
}

static void test_names(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	const char *good[] = {"web", "/web", "a1", "my_app.v2-x", "0a"};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++)
		assert_int_equal(ctrapi_check_name(good[i], &err), 0);
	const char *bad[] = {"a", "", "/", "-web", "_web", "we b", "web/x", "wéb"};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(ctrapi_check_name(bad[i], &err), -1);
		assert_int_equal(err->code, EINVAL);
		assert_non_null(strstr(err->msg, "Invalid container name"));
		berth_error_free(&err);
	}
}

static void test_bodies(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	static const char *const good[] = {
	    "{'Image':'busybox'}",
	    "{'Image':'busybox','Cmd':'sh','Env':null,'Labels':{'a':'b'},'Tty':true,"
	    "'HostConfig':{'Memory':0,'RestartPolicy':{'Name':'always','MaximumRetryCount':0},"
	    "'Binds':null,'Init':null}}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		json_t *b = tu_json(good[i]);
		assert_int_equal(ctrapi_check_create_body(b, &err), 0);
		json_decref(b);
	}
	/* docker's strslice: a string Cmd or Entrypoint is a one-element list */
	json_t *sb = tu_json("{'Image':'busybox','Cmd':'echo hi','Entrypoint':'/bin/sh'}");
	assert_int_equal(ctrapi_check_create_body(sb, &err), 0);
	char *sd = json_dumps(sb, JSON_COMPACT | JSON_SORT_KEYS);
	assert_string_equal(
	    sd, "{\"Cmd\":[\"echo hi\"],\"Entrypoint\":[\"/bin/sh\"],\"Image\":\"busybox\"}");
	free(sd);
	json_decref(sb);
	static const struct {
		const char *body, *msg;
	} bad[] = {
	    {"{}", "invalid body: Image: a non-empty image reference is required"},
	    {"{'Image':''}", "invalid body: Image: a non-empty image reference is required"},
	    {"{'Image':7}", "invalid body: Image: expected a string, got 7"},
	    {"{'Image':'b','Cmd':[1]}",
	     "invalid body: Cmd: expected a string or an array of strings, got"},
	    {"{'Image':'b','Env':'A=1'}", "invalid body: Env: expected an array of strings, got"},
	    {"{'Image':'b','Labels':{'a':1}}",
	     "invalid body: Labels: expected an object of strings, got"},
	    {"{'Image':'b','Tty':'yes'}", "invalid body: Tty: expected a boolean, got"},
	    {"{'Image':'b','HostConfig':[]}", "invalid body: HostConfig: expected an object"},
	    {"{'Image':'b','HostConfig':{'Memory':'1g'}}",
	     "invalid body: HostConfig.Memory: expected an integer, got"},
	    {"{'Image':'b','HostConfig':{'RestartPolicy':{'Name':1}}}",
	     "invalid body: HostConfig.RestartPolicy: expected"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *b = tu_json(bad[i].body);
		assert_int_equal(ctrapi_check_create_body(b, &err), -1);
		assert_int_equal(err->code, EINVAL);
		if (strncmp(err->msg, bad[i].msg, strlen(bad[i].msg)) != 0)
			fail_msg("body %s: message '%s', want '%s...'", bad[i].body, err->msg,
				 bad[i].msg);
		berth_error_free(&err);
		json_decref(b);
	}
	json_t *u = tu_json("{'Memory':'x'}");
	assert_int_equal(ctrapi_check_update_body(u, &err), -1);
	assert_non_null(strstr(err->msg, "Memory"));
	berth_error_free(&err);
	json_decref(u);
	u = tu_json("{'Memory':67108864,'RestartPolicy':{'Name':'always'}}");
	assert_int_equal(ctrapi_check_update_body(u, &err), 0);
	json_decref(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_filters),   cmocka_unit_test(test_match),
	    cmocka_unit_test(test_durations), cmocka_unit_test(test_status),
	    cmocka_unit_test(test_times),     cmocka_unit_test(test_command),
	    cmocka_unit_test(test_names),     cmocka_unit_test(test_bodies),
	};
	return tu_run("api-containers", tests, ARRAY_SIZE(tests));
}
