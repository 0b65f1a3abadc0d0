/* A cache of compiled seccomp programs: libseccomp takes ~12 ms for the
 * Docker-like default profile on x86_64 (three architectures), loading the
 * result from a file takes well under a millisecond.
 *
 * One file per profile in the cache directory, named by a hash of the key:
 * the key is the profile as canonical JSON (sorted keys) plus everything
 * else the program depends on (this file format, libseccomp's version, the
 * kernel release and machine). The file holds the whole key, and a hit needs
 * the key to match byte for byte, so a hash collision is only a miss. Files
 * are written to a temporary name and renamed. Every cache failure only
 * costs a compile: it is logged (debug) and never fails the caller. */
#include "runtime/seccomp-internal.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define CACHE_MAGIC "BRTHSC01"

struct cache_header {
	char magic[8];
	uint32_t key_len;
	uint32_t flags;
	uint32_t notify;
	uint32_t n_insns;
};

static char *cache_key(json_t *seccomp)
{
	struct utsname u;
	const struct scmp_version *v = seccomp_version();
	cleanup_free char *text = json_dumps(seccomp, JSON_SORT_KEYS | JSON_COMPACT);
	if (text == NULL || uname(&u) < 0)
		return NULL;
	return xasprintf("%s libseccomp %u.%u.%u %s %s\n%s", CACHE_MAGIC, v->major, v->minor,
			 v->micro, u.release, u.machine, text);
}

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
	return h;
}

static bool read_full(int fd, void *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = read(fd, (char *)buf + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		done += (size_t)k;
	}
	return true;
}

static bool write_full(int fd, const void *buf, size_t n)
{
	for (size_t done = 0; done < n;) {
		ssize_t k = write(fd, (const char *)buf + done, n - done);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		done += (size_t)k;
	}
	return true;
}

/* The program of `key` from `path`, or NULL on a miss. */
static struct seccomp_program *cache_read(const char *path, const char *key)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct cache_header h;
	if (fd < 0 || !read_full(fd, &h, sizeof(h)))
		return NULL;
	size_t klen = strlen(key);
	if (memcmp(h.magic, CACHE_MAGIC, 8) != 0 || h.key_len != klen || h.n_insns == 0 ||
	    h.n_insns > BPF_MAXINSNS)
		return NULL;
	cleanup_free char *k = xmalloc(klen);
	if (!read_full(fd, k, klen) || memcmp(k, key, klen) != 0)
		return NULL;
	struct seccomp_program *p = xcalloc(1, sizeof(*p));
	p->insns = xcalloc(h.n_insns, sizeof(*p->insns));
	p->n_insns = h.n_insns;
	p->flags = h.flags;
	p->notify = h.notify != 0;
	char extra;
	if (!read_full(fd, p->insns, h.n_insns * sizeof(*p->insns)) || read(fd, &extra, 1) != 0) {
		seccomp_program_free(p);
		return NULL;
	}
	return p;
}

static void cache_write(const char *dir, const char *path, const char *key,
			const struct seccomp_program *p)
{
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		log_debug("seccomp cache: mkdir %s: %s", dir, strerror(errno));
		return;
	}
	cleanup_free char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	cleanup_close int fd =
	    open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		log_debug("seccomp cache: create %s: %s", tmp, strerror(errno));
		return;
	}
	struct cache_header h = {.key_len = (uint32_t)strlen(key),
				 .flags = p->flags,
				 .notify = p->notify,
				 .n_insns = (uint32_t)p->n_insns};
	memcpy(h.magic, CACHE_MAGIC, 8);
	if (!write_full(fd, &h, sizeof(h)) || !write_full(fd, key, h.key_len) ||
	    !write_full(fd, p->insns, p->n_insns * sizeof(*p->insns)) || rename(tmp, path) < 0) {
		log_debug("seccomp cache: write %s: %s", path, strerror(errno));
		unlink(tmp);
	}
}

int seccomp_compile_cached(json_t *seccomp, const char *cache_dir, struct seccomp_program **out,
			   struct berth_error **err)
{
	*out = NULL;
	if (cache_dir == NULL || !json_is_object(seccomp))
		return seccomp_compile(seccomp, out, err);
	cleanup_free char *key = cache_key(seccomp);
	if (key == NULL)
		return seccomp_compile(seccomp, out, err);
	cleanup_free char *path =
	    xasprintf("%s/%016llx.bpf", cache_dir, (unsigned long long)fnv1a(key));
	struct seccomp_program *p = cache_read(path, key);
	if (p) {
		/* the profile was valid when it was compiled: only the listener
		 * fields are needed again */
		if (bjson_string(seccomp, "listenerPath", "linux.seccomp", false, &p->listener_path,
				 err) < 0 ||
		    bjson_string(seccomp, "listenerMetadata", "linux.seccomp", false,
				 &p->listener_metadata, err) < 0) {
			seccomp_program_free(p);
			return -1;
		}
		log_debug("seccomp: compiled program from %s", path);
		*out = p;
		return 0;
	}
	if (seccomp_compile(seccomp, out, err) < 0)
		return -1;
	if (*out)
		cache_write(cache_dir, path, key, *out);
	return 0;
}
