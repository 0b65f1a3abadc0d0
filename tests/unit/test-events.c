/* Unit tests of the events bus (lib/core/events/events.c): docker's message
 * shape, replay of the ring for `since`, live delivery to several
 * subscribers, timeouts, a slow subscriber dropped without blocking the
 * publisher, and publishers on many threads. */
#include "test-util.h"

#include "core/events/events.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void test_shape(void **state)
{
	(void)state;
	struct events_bus *b = events_bus_new(16);
	struct events_sub *s = events_subscribe(b, 0);
	json_t *attrs = json_pack("{s:s,s:s}", "name", "web", "image", "busybox");
	int64_t before = now_ns();
	events_publish(b, "container", "start", "abc", attrs);
	json_decref(attrs);
	events_publish(b, "image", "tag", "sha256:1", NULL);
	events_publish(b, "volume", "create", "v", NULL);

	json_t *ev = NULL;
	assert_int_equal(events_next(s, 1000, &ev), 0);
	assert_non_null(ev);
	char *d = json_dumps(ev, JSON_COMPACT);
	/* docker's key order, attributes sorted, legacy fields for containers */
	const char *want = "{\"status\":\"start\",\"id\":\"abc\",\"from\":\"busybox\","
			   "\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"abc\","
			   "\"Attributes\":{\"image\":\"busybox\",\"name\":\"web\"}},"
			   "\"scope\":\"local\",\"time\":";
	assert_memory_equal(d, want, strlen(want));
	free(d);
	json_int_t ns = json_integer_value(json_object_get(ev, "timeNano"));
	assert_true(ns >= before);
	assert_int_equal(json_integer_value(json_object_get(ev, "time")), ns / 1000000000);
	json_decref(ev);

	assert_int_equal(events_next(s, 1000, &ev), 0);
	assert_string_equal(json_string_value(json_object_get(ev, "status")), "tag");
	assert_null(json_object_get(ev, "from"));
	assert_int_equal(
	    json_object_size(json_object_get(json_object_get(ev, "Actor"), "Attributes")), 0);
	json_int_t ns2 = json_integer_value(json_object_get(ev, "timeNano"));
	assert_true(ns2 > ns);
	json_decref(ev);

	assert_int_equal(events_next(s, 1000, &ev), 0);
	assert_null(json_object_get(ev, "status"));
	assert_null(json_object_get(ev, "id"));
	assert_string_equal(json_string_value(json_object_get(ev, "Type")), "volume");
	json_decref(ev);

	/* nothing more: a timeout gives 0 and no event */
	assert_int_equal(events_next(s, 50, &ev), 0);
	assert_null(ev);
	assert_int_equal(events_next(s, 0, &ev), 0);
	assert_null(ev);
	events_unsubscribe(s);
	events_bus_free(b);
}

static void test_since_ring(void **state)
{
	(void)state;
	struct events_bus *b = events_bus_new(4);
	for (int i = 0; i < 6; i++) {
		char id[8];
		snprintf(id, sizeof(id), "c%d", i);
		events_publish(b, "container", "create", id, NULL);
	}
	/* since = 0: nothing from the past */
	struct events_sub *s0 = events_subscribe(b, 0);
	json_t *ev = NULL;
	assert_int_equal(events_next(s0, 20, &ev), 0);
	assert_null(ev);
	events_unsubscribe(s0);

	/* since = 1: the ring's last 4 events, oldest first */
	struct events_sub *s = events_subscribe(b, 1);
	for (int i = 2; i < 6; i++) {
		char id[8];
		snprintf(id, sizeof(id), "c%d", i);
		assert_int_equal(events_next(s, 100, &ev), 0);
		assert_non_null(ev);
		assert_string_equal(json_string_value(json_object_get(ev, "id")), id);
		json_decref(ev);
	}
	assert_int_equal(events_next(s, 20, &ev), 0);
	assert_null(ev);
	events_unsubscribe(s);

	/* since in the future: nothing replayed, live ones come */
	s = events_subscribe(b, now_ns() + 1000000000LL * 3600);
	events_publish(b, "image", "pull", "busybox:latest", NULL);
	assert_int_equal(events_next(s, 100, &ev), 0);
	assert_non_null(ev);
	assert_string_equal(json_string_value(json_object_get(ev, "Action")), "pull");
	json_decref(ev);
	events_unsubscribe(s);
	events_bus_free(b);
}

struct pub_arg {
	struct events_bus *b;
	int n;
	int delay_ms;
};

static void *publisher(void *arg)
{
	struct pub_arg *p = arg;
	if (p->delay_ms) {
		struct timespec ts = {0, p->delay_ms * 1000000L};
		nanosleep(&ts, NULL);
	}
	for (int i = 0; i < p->n; i++)
		events_publish(p->b, "container", "start", "x", NULL);
	return NULL;
}

static void test_blocking_wait_and_threads(void **state)
{
	(void)state;
	struct events_bus *b = events_bus_new(8);
	struct events_sub *s1 = events_subscribe(b, 0);
	struct events_sub *s2 = events_subscribe(b, 0);
	/* 4 publishers x 200 while two subscribers read; none lost */
	pthread_t th[4];
	struct pub_arg pa = {b, 200, 30};
	for (int i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&th[i], NULL, publisher, &pa), 0);
	int64_t last = 0;
	for (int i = 0; i < 800; i++) {
		json_t *ev = NULL;
		assert_int_equal(events_next(s1, -1, &ev), 0); /* waits for the first */
		assert_non_null(ev);
		json_int_t ns = json_integer_value(json_object_get(ev, "timeNano"));
		assert_true(ns > last); /* strictly increasing, in order */
		last = ns;
		json_decref(ev);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < 800; i++) {
		json_t *ev = NULL;
		assert_int_equal(events_next(s2, 1000, &ev), 0);
		assert_non_null(ev);
		json_decref(ev);
	}
	json_t *ev = NULL;
	assert_int_equal(events_next(s2, 10, &ev), 0);
	assert_null(ev);
	events_unsubscribe(s1);
	events_unsubscribe(s2);
	events_bus_free(b);
}

static void test_slow_subscriber_dropped(void **state)
{
	(void)state;
	struct events_bus *b = events_bus_new(4);
	struct events_sub *slow = events_subscribe(b, 0);
	struct events_sub *fast = events_subscribe(b, 0);
	/* far more than a queue holds: the publisher never blocks */
	int64_t t0 = now_ns();
	for (int i = 0; i < 20000; i++) {
		events_publish(b, "container", "exec_start", "x", NULL);
		if (i % 1000 == 0) { /* the fast one keeps up */
			json_t *ev;
			while (events_next(fast, 0, &ev) == 0 && ev)
				json_decref(ev);
		}
	}
	assert_true(now_ns() - t0 < 5000000000LL);
	json_t *ev = NULL;
	errno = 0;
	assert_int_equal(events_next(slow, 100, &ev), -1);
	assert_int_equal(errno, ECONNRESET);
	assert_null(ev);
	/* the fast one was not dropped */
	assert_int_equal(events_next(fast, 100, &ev), 0);
	assert_non_null(ev);
	json_decref(ev);
	events_unsubscribe(slow);
	events_unsubscribe(fast);
	events_bus_free(b);
}

static json_t *ev_of(const char *type, const char *action, const char *id, const char *attrs)
{
	struct events_bus *b = events_bus_new(1);
	struct events_sub *s = events_subscribe(b, 0);
	json_t *a = attrs ? tu_json(attrs) : NULL;
	events_publish(b, type, action, id, a);
	json_decref(a);
	json_t *ev = NULL;
	assert_int_equal(events_next(s, 100, &ev), 0);
	assert_non_null(ev);
	events_unsubscribe(s);
	events_bus_free(b);
	return ev;
}

static bool passes(const char *filters, json_t *ev)
{
	char *q = tu_jq(filters);
	struct berth_error *err = NULL;
	json_t *f = events_filter_parse(q, &err);
	free(q);
	if (f == NULL)
		fail_msg("parse %s: %s", filters, err->msg);
	bool r = events_filter_match(f, ev);
	json_decref(f);
	return r;
}

static void test_filters(void **state)
{
	(void)state;
	json_t *start = ev_of("container", "start", "abcdef0123",
			      "{'image': 'busybox:1.36', 'name': 'web', 'team': 'blue'}");
	json_t *exec = ev_of("container", "exec_start: sh -c ls", "abcdef0123",
			     "{'image': 'busybox', 'name': 'web'}");
	json_t *tag =
	    ev_of("image", "tag", "sha256:ff41", "{'name': 'registry:5000/x/busybox:evt'}");
	json_t *vol = ev_of("volume", "create", "evvol", "{'driver': 'local'}");
	json_t *rel = ev_of("daemon", "reload", "d-id", "{'name': 'host'}");

	assert_true(passes("", start));
	assert_true(passes("{}", start));
	/* type, map and list forms; a false value in the map form is not a value */
	assert_true(passes("{'type': {'container': true}}", start));
	assert_false(passes("{'type': ['image']}", start));
	assert_true(passes("{'type': ['image', 'container']}", start));
	assert_true(passes("{'type': {'volume': true, 'container': false}}", vol));
	assert_true(passes("{'type': {'container': false}}", vol)); /* no value: no filter */
	/* event, with exec's "exec_start: cmd" */
	assert_true(passes("{'event': ['start']}", start));
	assert_false(passes("{'event': ['stop']}", start));
	assert_true(passes("{'event': ['exec_start']}", exec));
	assert_true(passes("{'event': ['exec_start: sh -c ls']}", exec));
	/* container: name or ID prefix, only container events */
	assert_true(passes("{'container': ['web']}", start));
	assert_true(passes("{'container': ['abcd']}", start));
	assert_false(passes("{'container': ['bcd']}", start));
	assert_false(passes("{'container': ['web']}", tag));
	assert_false(passes("{'container': ['other']}", start));
	/* image: with or without the tag, the container's image, an image's name */
	assert_true(passes("{'image': ['busybox']}", start));
	assert_true(passes("{'image': ['busybox:1.36']}", start));
	assert_false(passes("{'image': ['busybox:latest']}", start));
	assert_true(passes("{'image': ['sha256:ff41']}", tag));
	assert_true(passes("{'image': ['registry:5000/x/busybox']}", tag));
	assert_true(passes("{'image': ['registry:5000/x/busybox:evt']}", tag));
	assert_false(passes("{'image': ['registry']}", tag));
	assert_false(passes("{'image': ['sha256']}", tag));
	assert_false(passes("{'image': ['busybox']}", vol));
	/* label: k or k=v, all must hold */
	assert_true(passes("{'label': ['team']}", start));
	assert_true(passes("{'label': ['team=blue']}", start));
	assert_false(passes("{'label': ['team=red']}", start));
	assert_false(passes("{'label': ['team=blue', 'tier']}", start));
	/* keys combine; values of one key are alternatives */
	assert_true(passes("{'type': ['container'], 'event': ['stop', 'start']}", start));
	assert_false(passes("{'type': ['container'], 'event': ['stop']}", start));
	/* volume, daemon, scope */
	assert_true(passes("{'volume': ['evvol']}", vol));
	assert_false(passes("{'volume': ['evvol']}", start));
	assert_true(passes("{'daemon': ['d-id']}", rel));
	assert_true(passes("{'daemon': ['host']}", rel));
	assert_true(passes("{'scope': ['local']}", rel));
	assert_false(passes("{'scope': ['swarm']}", rel));

	/* bad input */
	struct berth_error *err = NULL;
	char *q = tu_jq("{'bogus': ['x']}");
	assert_null(events_filter_parse(q, &err));
	free(q);
	assert_int_equal(err->code, EINVAL);
	assert_string_equal(err->msg, "Invalid filter 'bogus'");
	berth_error_free(&err);
	assert_null(events_filter_parse("[1,2]", &err));
	assert_int_equal(err->code, EINVAL);
	berth_error_free(&err);
	assert_null(events_filter_parse("{not json", &err));
	berth_error_free(&err);

	json_decref(start);
	json_decref(exec);
	json_decref(tag);
	json_decref(vol);
	json_decref(rel);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_shape),
	    cmocka_unit_test(test_since_ring),
	    cmocka_unit_test(test_blocking_wait_and_threads),
	    cmocka_unit_test(test_slow_subscriber_dropped),
	    cmocka_unit_test(test_filters),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
