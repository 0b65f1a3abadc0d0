/* The container lifecycle's pure parts (lib/engine/containers): names and
 * ids, lookup by id / name / prefix, restart policies and docker's backoff,
 * signal names, config.v2.json round trip, bad files, times. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"
#include "engine/containers/internal.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void test_names(void **state)
{
	(void)state;
	assert_true(ctr_name_valid("web"));
	assert_true(ctr_name_valid("/web"));
	assert_true(ctr_name_valid("a1_b.c-d"));
	assert_true(ctr_name_valid("ab"));
	assert_false(ctr_name_valid("a")); /* [a-zA-Z0-9][...]+: two characters at least */
	assert_false(ctr_name_valid("/a"));
	assert_false(ctr_name_valid(""));
	assert_false(ctr_name_valid(NULL));
	assert_false(ctr_name_valid("_web"));
	assert_false(ctr_name_valid("-web"));
	assert_false(ctr_name_valid("we b"));
	assert_false(ctr_name_valid("web/1"));
	assert_false(ctr_name_valid("//web"));
	assert_false(ctr_name_valid("wéb"));
	for (int i = 0; i < 200; i++) {
		cleanup_free char *n = ctr_name_generate((unsigned)(i % 8));
		assert_true(ctr_name_valid(n));
		assert_non_null(strchr(n, '_'));
	}
}

static void test_ids(void **state)
{
	(void)state;
	char a[65], b[65];
	ctr_id_generate(a);
	ctr_id_generate(b);
	assert_int_equal(strlen(a), 64);
	assert_string_not_equal(a, b);
	for (size_t i = 0; i < 64; i++)
		assert_true((a[i] >= '0' && a[i] <= '9') || (a[i] >= 'a' && a[i] <= 'f'));
}

/* an engine with only a store, for lookups */
static struct engine *fake_engine(const char *dir)
{
	struct engine *e = xcalloc(1, sizeof(*e));
	pthread_mutex_init(&e->lock, NULL);
	struct ctr_store *s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->cond, NULL);
	s->containers_dir = xstrdup(dir ? dir : "/nonexistent");
	s->shims_dir = xstrdup("/nonexistent/shims");
	s->runtime_root = xstrdup("/nonexistent/runtime");
	s->epfd = s->wake_fd = -1;
	e->containers = s;
	return e;
}

static void fake_engine_free(struct engine *e)
{
	struct ctr_store *s = e->containers;
	for (size_t i = 0; i < s->n; i++)
		ctr_unref(s->v[i]);
	free(s->v);
	free(s->containers_dir);
	free(s->shims_dir);
	free(s->runtime_root);
	free(s);
	free(e);
}

static struct container *add(struct engine *e, const char *id, const char *name)
{
	struct container *c = ctr_new(id);
	c->name = xasprintf("/%s", name);
	c->config = json_object();
	c->host_config = json_object();
	ctr_store_add(e->containers, c);
	ctr_unref(c);
	return c;
}

static void test_lookup(void **state)
{
	(void)state;
	struct engine *e = fake_engine(NULL);
	const char *id1 = "abc1230000000000000000000000000000000000000000000000000000000001";
	const char *id2 = "abc4560000000000000000000000000000000000000000000000000000000002";
	const char *id3 = "def7890000000000000000000000000000000000000000000000000000000003";
	add(e, id1, "web");
	add(e, id2, "db");
	/* a container named like another's id prefix: the name wins */
	add(e, id3, "abc4");
	struct container *c = NULL;
	struct berth_error *err = NULL;
	assert_int_equal(ctr_find(e, id1, &c, &err), 0);
	assert_string_equal(c->id, id1);
	ctr_unref(c);
	assert_int_equal(ctr_find(e, "web", &c, &err), 0);
	assert_string_equal(c->id, id1);
	ctr_unref(c);
	assert_int_equal(ctr_find(e, "/db", &c, &err), 0);
	assert_string_equal(c->id, id2);
	ctr_unref(c);
	assert_int_equal(ctr_find(e, "abc1", &c, &err), 0);
	assert_string_equal(c->id, id1);
	ctr_unref(c);
	assert_int_equal(ctr_find(e, "abc4", &c, &err), 0);
	assert_string_equal(c->id, id3);
	ctr_unref(c);
	assert_int_equal(ctr_find(e, "abc45", &c, &err), 0);
	assert_string_equal(c->id, id2);
	ctr_unref(c);
	/* ambiguous prefix */
	assert_int_equal(ctr_find(e, "abc", &c, &err), -1);
	assert_int_equal(err->code, EINVAL);
	assert_non_null(strstr(err->msg, "multiple IDs"));
	berth_error_free(&err);
	assert_int_equal(ctr_find(e, "nope", &c, &err), -1);
	assert_int_equal(err->code, ENOENT);
	assert_string_equal(err->msg, "No such container: nope");
	berth_error_free(&err);
	assert_int_equal(ctr_find(e, "", &c, &err), -1);
	berth_error_free(&err);
	/* a container being created is invisible */
	struct container *hidden =
	    add(e, "fff0000000000000000000000000000000000000000000000000000000000000", "hidden");
	hidden->priv->creating = true;
	assert_int_equal(ctr_find(e, "hidden", &c, &err), -1);
	berth_error_free(&err);
	struct container **v = NULL;
	size_t n = 0;
	ctr_list(e, &v, &n);
	assert_int_equal(n, 3);
	assert_string_equal(v[0]->id, id1); /* creation order */
	assert_string_equal(v[2]->id, id3);
	ctr_list_free(v, n);
	/* removal wakes waiters for "removed" and drops it from lookups */
	assert_int_equal(ctr_find(e, "db", &c, &err), 0);
	ctr_store_remove(e->containers, c);
	int code = -1;
	assert_int_equal(ctr_wait(c, CTR_WAIT_REMOVED, 1000, NULL, &code, &err), 0);
	ctr_unref(c);
	assert_int_equal(ctr_find(e, "db", &c, &err), -1);
	berth_error_free(&err);
	fake_engine_free(e);
}

static void test_wait_timeout(void **state)
{
	(void)state;
	struct container *c = ctr_new("0123");
	c->state.status = CTR_RUNNING;
	struct berth_error *err = NULL;
	assert_int_equal(ctr_wait(c, CTR_WAIT_NOT_RUNNING, 50, NULL, NULL, &err), -1);
	assert_int_equal(err->code, ETIMEDOUT);
	berth_error_free(&err);
	volatile bool cancel = true;
	assert_int_equal(ctr_wait(c, CTR_WAIT_NEXT_EXIT, -1, &cancel, NULL, &err), -1);
	assert_int_equal(err->code, ECANCELED);
	berth_error_free(&err);
	c->state.status = CTR_EXITED;
	c->state.exit_code = 7;
	int code = 0;
	assert_int_equal(ctr_wait(c, CTR_WAIT_NOT_RUNNING, 0, NULL, &code, &err), 0);
	assert_int_equal(code, 7);
	ctr_unref(c);
}

static void test_restart_policy(void **state)
{
	(void)state;
	struct ctr_restart_policy p;
	json_t *hc = json_pack("{s:{s:s,s:i}}", "RestartPolicy", "Name", "on-failure",
			       "MaximumRetryCount", 3);
	ctr_restart_policy(hc, &p);
	json_decref(hc);
	assert_int_equal(p.kind, CTR_RESTART_ON_FAILURE);
	assert_int_equal(p.max_retries, 3);
	assert_false(ctr_restart_should(&p, 0, 0, false));
	assert_true(ctr_restart_should(&p, 1, 2, false));
	assert_false(ctr_restart_should(&p, 1, 3, false));
	assert_false(ctr_restart_should(&p, 1, 0, true));
	hc = json_pack("{s:{s:s}}", "RestartPolicy", "Name", "always");
	ctr_restart_policy(hc, &p);
	json_decref(hc);
	assert_int_equal(p.kind, CTR_RESTART_ALWAYS);
	assert_true(ctr_restart_should(&p, 0, 100, false));
	assert_false(ctr_restart_should(&p, 0, 0, true));
	hc = json_pack("{s:{s:s}}", "RestartPolicy", "Name", "unless-stopped");
	ctr_restart_policy(hc, &p);
	json_decref(hc);
	assert_int_equal(p.kind, CTR_RESTART_UNLESS_STOPPED);
	hc = json_object();
	ctr_restart_policy(hc, &p);
	json_decref(hc);
	assert_int_equal(p.kind, CTR_RESTART_NO);
	assert_false(ctr_restart_should(&p, 1, 0, false));
}

static void test_backoff(void **state)
{
	(void)state;
	/* 100 ms, doubling, capped at a minute, reset after a run of 10 s */
	int d = ctr_restart_next_delay(0, 0);
	assert_int_equal(d, 100);
	d = ctr_restart_next_delay(d, 50);
	assert_int_equal(d, 200);
	d = ctr_restart_next_delay(d, 50);
	assert_int_equal(d, 400);
	for (int i = 0; i < 20; i++)
		d = ctr_restart_next_delay(d, 9999);
	assert_int_equal(d, 60000);
	assert_int_equal(ctr_restart_next_delay(d, 10000), 100);
	assert_int_equal(ctr_restart_next_delay(51200, 0), 60000);
}

static void test_signals(void **state)
{
	(void)state;
	assert_int_equal(ctr_signal_parse("SIGTERM"), SIGTERM);
	assert_int_equal(ctr_signal_parse("TERM"), SIGTERM);
	assert_int_equal(ctr_signal_parse("term"), SIGTERM);
	assert_int_equal(ctr_signal_parse("9"), SIGKILL);
	assert_int_equal(ctr_signal_parse("SIGUSR1"), SIGUSR1);
	assert_int_equal(ctr_signal_parse("SIGRTMIN+1"), SIGRTMIN + 1);
	assert_int_equal(ctr_signal_parse("SIGNOPE"), -1);
	assert_int_equal(ctr_signal_parse("0"), -1);
	assert_int_equal(ctr_signal_parse("9x"), -1);
	assert_int_equal(ctr_signal_parse(""), -1);
	assert_int_equal(ctr_signal_parse(NULL), -1);
}

static void test_times(void **state)
{
	(void)state;
	cleanup_free char *zero = ctr_time_format(0);
	assert_string_equal(zero, "0001-01-01T00:00:00Z");
	assert_int_equal(ctr_time_parse(zero), 0);
	int64_t t = 1700000000123456789LL;
	cleanup_free char *s = ctr_time_format(t);
	assert_string_equal(s, "2023-11-14T22:13:20.123456789Z");
	assert_int_equal(ctr_time_parse(s), t);
	cleanup_free char *r = ctr_time_format(1700000000100000000LL);
	assert_string_equal(r, "2023-11-14T22:13:20.1Z"); /* RFC3339Nano: no trailing zeros */
	assert_int_equal(ctr_time_parse("2023-11-14T23:13:20.1+01:00"), 1700000000100000000LL);
	assert_int_equal(ctr_time_parse("garbage"), 0);
}

static char *mkdtemp_dir(void)
{
	char *t = xstrdup("/tmp/test-ctr-XXXXXX");
	assert_non_null(mkdtemp(t));
	return t;
}

static void test_persist_round_trip(void **state)
{
	(void)state;
	cleanup_free char *root = mkdtemp_dir();
	struct engine *e = fake_engine(root);
	const char *id = "5a5a000000000000000000000000000000000000000000000000000000000001";
	cleanup_free char *dir = xasprintf("%s/%s", root, id);
	assert_int_equal(mkdir(dir, 0700), 0);
	struct container *c = ctr_new(id);
	c->name = xstrdup("/web");
	c->image = xstrdup("busybox");
	c->image_id = xstrdup("sha256:1111");
	c->config = json_pack("{s:s,s:[s,s],s:[s],s:{s:s}}", "Image", "busybox", "Cmd", "-c",
			      "echo hi", "Entrypoint", "sh", "Labels", "a", "b");
	c->host_config = json_pack("{s:{s:s,s:i}}", "RestartPolicy", "Name", "on-failure",
				   "MaximumRetryCount", 2);
	c->runtime = xstrdup("runc");
	c->snapshot_key = xstrdup(id);
	c->shim_dir = xstrdup("/run/x");
	c->log_path = xasprintf("%s/%s-json.log", dir, id);
	c->created = 1700000000123456789LL;
	c->state.status = CTR_EXITED;
	c->state.exit_code = 42;
	c->state.error = xstrdup("boom");
	c->state.started_at = 1700000001000000000LL;
	c->state.finished_at = 1700000002000000001LL;
	c->state.restart_count = 3;
	c->state.manually_stopped = true;
	c->state.oom_killed = true;
	struct berth_error *err = NULL;
	assert_int_equal(ctr_persist_locked(e, c, true, &err), 0);
	/* docker's shape */
	cleanup_free char *text = NULL;
	cleanup_free char *p = xasprintf("%s/config.v2.json", dir);
	assert_int_equal(fs_read_file(p, &text, NULL, &err), 0);
	cleanup_json json_t *v2 = json_loads(text, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(v2, "Path")), "sh");
	assert_int_equal(json_array_size(json_object_get(v2, "Args")), 2);
	assert_string_equal(
	    json_string_value(json_object_get(json_object_get(v2, "State"), "FinishedAt")),
	    "2023-11-14T22:13:22.000000001Z");
	struct container *l = NULL;
	assert_int_equal(ctr_load_dir(dir, id, &l, &err), 0);
	assert_string_equal(l->name, "/web");
	assert_string_equal(l->image, "busybox");
	assert_string_equal(l->image_id, "sha256:1111");
	assert_string_equal(l->runtime, "runc");
	assert_string_equal(l->snapshot_key, id);
	assert_string_equal(l->log_path, c->log_path);
	assert_int_equal(l->created, c->created);
	assert_int_equal(l->state.status, CTR_EXITED);
	assert_int_equal(l->state.exit_code, 42);
	assert_string_equal(l->state.error, "boom");
	assert_int_equal(l->state.started_at, c->state.started_at);
	assert_int_equal(l->state.finished_at, c->state.finished_at);
	assert_int_equal(l->state.restart_count, 3);
	assert_true(l->state.manually_stopped);
	assert_true(l->state.oom_killed);
	assert_true(json_equal(l->config, c->config));
	assert_true(json_equal(l->host_config, c->host_config));
	ctr_unref(l);
	ctr_unref(c);
	fs_rm_rf(root, NULL);
	fake_engine_free(e);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	cleanup_free char *p = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(p, "we");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void test_bad_files(void **state)
{
	(void)state;
	cleanup_free char *dir = mkdtemp_dir();
	const char *id = "5a5a000000000000000000000000000000000000000000000000000000000002";
	struct container *c = NULL;
	struct berth_error *err = NULL;
	/* missing */
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	assert_non_null(strstr(err->msg, "config.v2.json"));
	berth_error_free(&err);
	/* truncated JSON */
	write_text(dir, "config.v2.json", "{\"ID\":\"5a5a");
	write_text(dir, "hostconfig.json", "{}");
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	assert_int_equal(err->code, EINVAL);
	assert_non_null(strstr(err->msg, "config.v2.json"));
	berth_error_free(&err);
	/* not an object */
	write_text(dir, "config.v2.json", "[1]");
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	berth_error_free(&err);
	/* another id */
	cleanup_free char *other =
	    xasprintf("{\"ID\":\"%s\",\"Name\":\"/x1\",\"Config\":{},\"State\":{}}",
		      "5a5a000000000000000000000000000000000000000000000000000000000003");
	write_text(dir, "config.v2.json", other);
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	assert_non_null(strstr(err->msg, "ID is not"));
	berth_error_free(&err);
	/* a bad name */
	cleanup_free char *badname =
	    xasprintf("{\"ID\":\"%s\",\"Name\":\"/-x\",\"Config\":{},\"State\":{}}", id);
	write_text(dir, "config.v2.json", badname);
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	assert_non_null(strstr(err->msg, "Name"));
	berth_error_free(&err);
	/* no State */
	cleanup_free char *nostate =
	    xasprintf("{\"ID\":\"%s\",\"Name\":\"/x1\",\"Config\":{}}", id);
	write_text(dir, "config.v2.json", nostate);
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	berth_error_free(&err);
	/* a good config.v2.json with a broken hostconfig.json */
	cleanup_free char *good = xasprintf(
	    "{\"ID\":\"%s\",\"Name\":\"/x1\",\"Config\":{},\"State\":{\"Running\":true}}", id);
	write_text(dir, "config.v2.json", good);
	write_text(dir, "hostconfig.json", "nope");
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), -1);
	assert_non_null(strstr(err->msg, "hostconfig.json"));
	berth_error_free(&err);
	/* minimal but valid: the old "Running" flag gives the status */
	write_text(dir, "hostconfig.json", "{}");
	assert_int_equal(ctr_load_dir(dir, id, &c, &err), 0);
	assert_int_equal(c->state.status, CTR_RUNNING);
	ctr_unref(c);
	fs_rm_rf(dir, NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_names),
	    cmocka_unit_test(test_ids),
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_wait_timeout),
	    cmocka_unit_test(test_restart_policy),
	    cmocka_unit_test(test_backoff),
	    cmocka_unit_test(test_signals),
	    cmocka_unit_test(test_times),
	    cmocka_unit_test(test_persist_round_trip),
	    cmocka_unit_test(test_bad_files),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
