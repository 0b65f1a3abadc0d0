/* Helpers of the specgen unit tests: a fake rootfs and a path getter. */
#ifndef BERTH_TESTS_UNIT_TEST_SPECGEN_UTIL_H
#define BERTH_TESTS_UNIT_TEST_SPECGEN_UTIL_H

#include "test-util.h"

#include "engine/spec/specgen.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

/* The value at "a.b[2].c" (NULL when absent). */
static inline json_t *sgt_get(json_t *doc, const char *path)
{
	json_t *cur = doc;
	const char *p = path;
	while (cur && *p) {
		if (*p == '[') {
			char *end;
			size_t i = strtoul(p + 1, &end, 10);
			cur = json_array_get(cur, i);
			p = end + 1;
		} else {
			char key[128];
			size_t n = strcspn(p, ".[");
			assert_true(n > 0 && n < sizeof(key));
			memcpy(key, p, n);
			key[n] = '\0';
			cur = json_object_get(cur, key);
			p += n;
		}
		if (*p == '.')
			p++;
	}
	return cur;
}

/* Fails unless the value at path equals the single-quoted JSON `want`. */
static inline void sgt_expect(json_t *doc, const char *path, const char *want)
{
	json_t *got = sgt_get(doc, path);
	if (want == NULL) {
		if (got != NULL) {
			char *d = json_dumps(got, JSON_ENCODE_ANY);
			fail_msg("%s: expected absent, got %s", path, d);
		}
		return;
	}
	json_t *w = tu_json(want);
	if (got == NULL || !json_equal(got, w)) {
		char *d = got ? json_dumps(got, JSON_ENCODE_ANY | JSON_COMPACT) : strdup("absent");
		fail_msg("%s: expected %s, got %s", path, want, d);
	}
	json_decref(w);
}

static inline void sgt_write(const char *dir, const char *rel, const char *text)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

/* A rootfs with busybox's /etc/passwd and /etc/group (+ a few users). */
static inline char *sgt_rootfs(void)
{
	char tmpl[] = "/tmp/test-specgen-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	char etc[4096];
	snprintf(etc, sizeof(etc), "%s/etc", dir);
	assert_int_equal(mkdir(etc, 0755), 0);
	sgt_write(dir, "etc/passwd",
		  "root:x:0:0:root:/root:/bin/sh\n"
		  "daemon:x:1:1:daemon:/usr/sbin:/bin/false\n"
		  "# a comment\n"
		  "broken line\n"
		  "www-data:x:33:33:www-data:/var/www:/bin/false\n"
		  "nobody:x:65534:65534:nobody:/home:/bin/false\n"
		  "app:x:1000:1000::/home/app:/bin/sh\n");
	sgt_write(dir, "etc/group",
		  "root:x:0:\n"
		  "daemon:x:1:\n"
		  "wheel:x:10:root\n"
		  "www-data:x:33:\n"
		  "audio:x:29:app,daemon\n"
		  "video:x:44:app\n"
		  "nogroup:x:65534:\n"
		  "app:x:1000:\n");
	return strdup(dir);
}

static inline void sgt_rm_rf(const char *dir)
{
	char cmd[4200];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

#endif
