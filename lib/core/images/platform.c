/* Platform specifiers, normalisation and matching (see platform.h). */
#include "core/images/platform.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const known_os[] = {
    "aix",   "android", "darwin", "dragonfly", "freebsd", "hurd",    "illumos", "ios", "js",
    "linux", "nacl",	"netbsd", "openbsd",   "plan9",	  "solaris", "windows", "zos",
};

static const char *const known_arch[] = {
    "386",     "amd64",	  "amd64p32", "arm",	"armbe",  "arm64",    "arm64be",   "ppc64",
    "ppc64le", "loong64", "mips",     "mipsle", "mips64", "mips64le", "mips64p32", "mips64p32le",
    "ppc",     "riscv",	  "riscv64",  "s390",	"s390x",  "sparc",    "sparc64",   "wasm",
};

static bool in_list(const char *s, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

#define IN(s, list) in_list(s, list, sizeof(list) / sizeof(list[0]))

static char *lower(const char *s)
{
	char *l = xstrdup(s ? s : "");
	for (char *p = l; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return l;
}

static void set(char **field, const char *value)
{
	free(*field);
	*field = value && *value ? xstrdup(value) : NULL;
}

static void normalize_os(char **os)
{
	char *l = lower(*os && **os ? *os : "linux");
	if (strcmp(l, "macos") == 0)
		set(&l, "darwin");
	free(*os);
	*os = l;
}

static void normalize_arch(char **arch, char **variant)
{
	cleanup_free char *a = lower(*arch);
	cleanup_free char *v = lower(*variant);
	const char *na = a, *nv = v;
	if (strcmp(a, "i386") == 0) {
		na = "386";
		nv = "";
	} else if (strcmp(a, "x86_64") == 0 || strcmp(a, "x86-64") == 0 ||
		   strcmp(a, "amd64") == 0) {
		na = "amd64";
		if (strcmp(v, "v1") == 0)
			nv = "";
	} else if (strcmp(a, "aarch64") == 0 || strcmp(a, "arm64") == 0) {
		na = "arm64";
		if (strcmp(v, "8") == 0 || strcmp(v, "v8") == 0 || strcmp(v, "v8.0") == 0)
			nv = "";
		else if (strcmp(v, "9") == 0 || strcmp(v, "9.0") == 0 || strcmp(v, "v9.0") == 0)
			nv = "v9";
	} else if (strcmp(a, "armhf") == 0) {
		na = "arm";
		nv = "v7";
	} else if (strcmp(a, "armel") == 0) {
		na = "arm";
		nv = "v6";
	} else if (strcmp(a, "arm") == 0) {
		if (strcmp(v, "") == 0 || strcmp(v, "7") == 0)
			nv = "v7";
		else if (strcmp(v, "5") == 0)
			nv = "v5";
		else if (strcmp(v, "6") == 0)
			nv = "v6";
		else if (strcmp(v, "8") == 0)
			nv = "v8";
	}
	char *ra = xstrdup(na);
	char *rv = *nv ? xstrdup(nv) : NULL;
	free(*arch);
	free(*variant);
	*arch = ra;
	*variant = rv;
}

void platform_normalize(struct platform *p)
{
	normalize_os(&p->os);
	normalize_arch(&p->arch, &p->variant);
}

void platform_init(struct platform *p, const char *os, const char *arch, const char *variant)
{
	*p = (struct platform){0};
	set(&p->os, os);
	set(&p->arch, arch);
	set(&p->variant, variant);
	platform_normalize(p);
}

void platform_free(struct platform *p)
{
	if (p == NULL)
		return;
	free(p->os);
	free(p->arch);
	free(p->variant);
	free(p->os_version);
	*p = (struct platform){0};
}

void platform_default(struct platform *out)
{
#if defined(__x86_64__)
	platform_init(out, "linux", "amd64", NULL);
#elif defined(__aarch64__)
	platform_init(out, "linux", "arm64", NULL);
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH == 6
	platform_init(out, "linux", "arm", "v6");
#elif defined(__arm__)
	platform_init(out, "linux", "arm", "v7");
#elif defined(__i386__)
	platform_init(out, "linux", "386", NULL);
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	platform_init(out, "linux", "ppc64le", NULL);
#elif defined(__s390x__)
	platform_init(out, "linux", "s390x", NULL);
#elif defined(__riscv) && __riscv_xlen == 64
	platform_init(out, "linux", "riscv64", NULL);
#else
#error "platform_default: unknown architecture"
#endif
}

/* [A-Za-z0-9_.-]+ (dots_ok false: [A-Za-z0-9_-]+) */
static bool component(const char *s, size_t n, bool dots_ok)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!isalnum((unsigned char)c) && c != '_' && c != '-' && !(dots_ok && c == '.'))
			return false;
	}
	return true;
}

/* <os>[(<os version>)] */
static bool os_and_version(const char *s, size_t n, struct platform *p)
{
	const char *open = memchr(s, '(', n);
	size_t os_len = open ? (size_t)(open - s) : n;
	if (!component(s, os_len, false))
		return false;
	if (open) {
		size_t vlen = n - os_len - 2; /* between ( and ) */
		if (n < os_len + 2 || s[n - 1] != ')' ||
		    (vlen > 0 && !component(open + 1, vlen, true)))
			return false;
		if (vlen > 0) {
			p->os_version = xmalloc(vlen + 1);
			memcpy(p->os_version, open + 1, vlen);
			p->os_version[vlen] = '\0';
		}
	}
	p->os = xmalloc(os_len + 1);
	memcpy(p->os, s, os_len);
	p->os[os_len] = '\0';
	normalize_os(&p->os);
	return true;
}

static int parse_parts(const char *spec, char **parts, size_t n, struct platform *p,
		       struct berth_error **err)
{
	if (!os_and_version(parts[0], strlen(parts[0]), p))
		return berth_error_set(
		    err, EINVAL,
		    "invalid platform \"%s\": \"%s\" is not an operating system "
		    "(letters, digits, '_' and '-', optionally with a version in "
		    "parentheses)",
		    spec, parts[0]);
	/* containerd also takes "." and ".."; they name nothing, and a platform
	 * may end up in a path */
	for (size_t i = 1; i < n; i++)
		if (!component(parts[i], strlen(parts[i]), true) ||
		    strspn(parts[i], ".") == strlen(parts[i]))
			return berth_error_set(err, EINVAL,
					       "invalid platform \"%s\": component \"%s\" must be "
					       "letters, digits, '_', '.' and '-'",
					       spec, parts[i]);
	if (n == 1) {
		if (IN(p->os, known_os)) {
			struct platform host;
			platform_default(&host);
			p->arch = steal_ptr(host.arch);
			p->variant = steal_ptr(host.variant);
			platform_free(&host);
			return 0;
		}
		free(p->os);
		p->os = NULL;
		free(p->os_version);
		p->os_version = NULL;
		set(&p->arch, parts[0]);
		normalize_arch(&p->arch, &p->variant);
		if (!IN(p->arch, known_arch))
			return berth_error_set(
			    err, EINVAL,
			    "invalid platform \"%s\": unknown operating system or "
			    "architecture",
			    spec);
		p->os = xstrdup("linux");
	} else {
		set(&p->arch, parts[1]);
		if (n == 3)
			set(&p->variant, parts[2]);
		normalize_arch(&p->arch, &p->variant);
	}
	if (n < 3 && strcmp(p->arch, "arm") == 0 && p->variant && strcmp(p->variant, "v7") == 0)
		set(&p->variant, NULL); /* arm means arm/v7 unless spelled out */
	if (n == 3 && strcmp(p->arch, "arm64") == 0 && p->variant == NULL)
		set(&p->variant, "v8");
	return 0;
}

int platform_parse(const char *spec, struct platform *out, struct berth_error **err)
{
	*out = (struct platform){0};
	if (spec == NULL || *spec == '\0')
		return berth_error_set(err, EINVAL, "invalid platform \"\": empty");
	if (strchr(spec, '*'))
		return berth_error_set(err, EINVAL,
				       "invalid platform \"%s\": wildcards not supported", spec);
	char *parts[4] = {0};
	size_t n = 0;
	cleanup_free char *copy = xstrdup(spec);
	for (char *p = copy; n < 4;) {
		parts[n++] = p;
		char *slash = strchr(p, '/');
		if (slash == NULL)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	if (n > 3)
		return berth_error_set(
		    err, EINVAL, "invalid platform \"%s\": expected os[/arch[/variant]]", spec);
	if (parse_parts(spec, parts, n, out, err) < 0) {
		platform_free(out);
		return -1;
	}
	return 0;
}

char *platform_format(const struct platform *p)
{
	if (p->os == NULL || *p->os == '\0')
		return xstrdup("unknown");
	return xasprintf("%s%s%s%s%s", p->os, p->arch ? "/" : "", p->arch ? p->arch : "",
			 p->variant ? "/" : "", p->variant ? p->variant : "");
}

static void normalized_copy(const struct platform *in, struct platform *out)
{
	platform_init(out, in->os, in->arch, in->variant);
}

static bool str_eq(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "") == 0;
}

bool platform_match(const struct platform *want, const struct platform *have)
{
	struct platform w, h;
	normalized_copy(want, &w);
	normalized_copy(have, &h);
	bool eq = str_eq(w.os, h.os) && str_eq(w.arch, h.arch) && str_eq(w.variant, h.variant);
	platform_free(&w);
	platform_free(&h);
	return eq;
}

/* Variant "vN" -> N, or -1. */
static int variant_number(const char *v)
{
	if (v == NULL || v[0] != 'v' || v[1] < '1' || v[1] > '9')
		return -1;
	char *end;
	long n = strtol(v + 1, &end, 10);
	return *end == '\0' && n < 100 ? (int)n : -1;
}

/* Rank of arch/variant in the list a host of want_arch/want_variant runs. */
static int rank_arch(const char *wa, const char *wv, const char *ha, const char *hv)
{
	if (str_eq(wa, ha) && str_eq(wv, hv))
		return 0;
	int wn = variant_number(wv), hn = variant_number(hv);
	if (strcmp(wa, "amd64") == 0) {
		int top = wn > 1 ? wn : 1;
		if (strcmp(ha, "amd64") == 0 && (hn >= 1 || hv == NULL)) {
			int h = hv == NULL ? 1 : hn; /* v1 is normalised away */
			if (h < top)
				return top - h;
		}
		return strcmp(ha, "386") == 0 && hv == NULL ? top : -1;
	}
	if (strcmp(wa, "arm") == 0) {
		if (strcmp(ha, "arm") == 0 && hn >= 5 && wn > hn)
			return wn - hn;
		return -1;
	}
	if (strcmp(wa, "arm64") == 0 && strcmp(ha, "arm") == 0 && hn >= 5 && hn <= 8)
		return 1 + (8 - hn); /* arm/v8 first, down to arm/v5 */
	return -1;
}

int platform_rank(const struct platform *want, const struct platform *have)
{
	struct platform w, h;
	normalized_copy(want, &w);
	normalized_copy(have, &h);
	int r = -1;
	if (str_eq(w.os, h.os))
		r = rank_arch(w.arch, w.variant, h.arch, h.variant);
	platform_free(&w);
	platform_free(&h);
	return r;
}
