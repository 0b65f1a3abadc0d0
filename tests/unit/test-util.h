/* Helpers shared by the cmocka unit tests. Header-only: each test is one
 * executable. */
#ifndef BERTH_TESTS_UNIT_TEST_UTIL_H
#define BERTH_TESTS_UNIT_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* A call that returns a string the caller frees equals want. */
#define EXPECT_STR(call, want)                                                                     \
	do {                                                                                       \
		char *got_ = (call);                                                               \
		assert_string_equal(got_, want);                                                   \
		free(got_);                                                                        \
	} while (0)

/* JSON written with single quotes in test tables, for readability: 'x' -> "x".
 * (No test input needs a literal apostrophe.) Caller frees. */
static inline char *tu_jq(const char *s)
{
	char *r = strdup(s);
	assert_non_null(r);
	for (char *p = r; *p; p++)
		if (*p == '\'')
			*p = '"';
	return r;
}

/* Load test JSON (single-quoted, any top-level type); fails the test if it is
 * not valid, so a typo in a table cannot turn into a passing "malformed" case. */
static inline json_t *tu_json(const char *text)
{
	char *t = tu_jq(text);
	json_error_t e;
	json_t *j = json_loads(t, JSON_DECODE_ANY, &e);
	if (j == NULL)
		fail_msg("test JSON does not parse (%s at column %d): %s", e.text, e.column, t);
	free(t);
	return j;
}

/* Fails the test unless err is set and its message contains `want`. */
static inline void tu_assert_msg(const struct berth_error *err, const char *want)
{
	if (err == NULL)
		fail_msg("expected an error containing [%s], got no error", want);
	if (err->msg == NULL)
		fail_msg("error has no message");
	if (strstr(err->msg, want) == NULL)
		fail_msg("error message [%s] does not contain [%s]", err->msg, want);
}

/* Set (value != NULL, single-quoted JSON text) or delete (value == NULL) the
 * member of `doc` at `path`: dotted keys with [n] indexes, "process.args[1]",
 * "linux.namespaces[0].type". An index one past the end appends. Fails the
 * test when the path does not lead anywhere. */
static inline void tu_json_set_path(json_t *doc, const char *path, const char *value)
{
	json_t *cur = doc;
	const char *p = path;
	while (*p) {
		char key[128] = "";
		bool is_index = false;
		size_t index = 0;
		if (*p == '[') {
			char *end;
			is_index = true;
			index = strtoul(p + 1, &end, 10);
			if (*end != ']')
				fail_msg("bad test path %s", path);
			p = end + 1;
		} else {
			size_t n = strcspn(p, ".[");
			if (n == 0 || n >= sizeof(key))
				fail_msg("bad test path %s", path);
			memcpy(key, p, n);
			p += n;
		}
		if (*p == '.')
			p++;
		if (is_index ? !json_is_array(cur) : !json_is_object(cur))
			fail_msg("test path %s does not match the document", path);
		if (*p == '\0') {
			int r;
			if (value == NULL) {
				r = is_index ? json_array_remove(cur, index)
					     : json_object_del(cur, key);
			} else {
				json_t *v = tu_json(value);
				if (!is_index)
					r = json_object_set_new(cur, key, v);
				else if (index < json_array_size(cur))
					r = json_array_set_new(cur, index, v);
				else if (index == json_array_size(cur))
					r = json_array_append_new(cur, v);
				else
					r = -1;
			}
			if (r != 0)
				fail_msg("cannot apply test path %s", path);
			return;
		}
		json_t *next = is_index ? json_array_get(cur, index) : json_object_get(cur, key);
		if (next == NULL)
			fail_msg("test path %s does not match the document", path);
		cur = next;
	}
	fail_msg("empty test path");
}

/* Run the groups of an executable; cmocka returns the number of failures. */
static inline int tu_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

#endif
