/* Platforms ("linux/amd64", "linux/arm64/v8"): parsing of specifiers,
 * normalisation and matching as containerd's platforms package does.
 *
 * Normalisation: os lowercased, macos -> darwin; arch lowercased and
 * x86_64/x86-64 -> amd64 (variant v1 dropped), aarch64 -> arm64 (variant
 * 8/v8/v8.0 dropped, 9/9.0/v9.0 -> v9), i386 -> 386, armhf -> arm/v7,
 * armel -> arm/v6, arm without variant -> arm/v7, arm 5/6/7/8 -> v5..v8.
 * Specifiers: "<os>", "<arch>", "<os>/<arch>", "<os>/<arch>/<variant>",
 * os optionally with "(<os version>)"; a lone word that is no known OS must
 * be a known architecture, the other part is then the host's. */
#ifndef BERTH_CORE_IMAGES_PLATFORM_H
#define BERTH_CORE_IMAGES_PLATFORM_H

#include "common/error.h"

#include <stdbool.h>

struct platform {
	char *os;
	char *arch;
	char *variant;	  /* NULL if none */
	char *os_version; /* NULL if none */
};

/* Errors: EINVAL, "invalid platform \"linux/amd64/v2/x\": ...". */
int platform_parse(const char *spec, struct platform *out, struct berth_error **err);
/* Fill from parts (copied; variant and os_version may be NULL), normalised. */
void platform_init(struct platform *p, const char *os, const char *arch, const char *variant);
/* The platform berth runs on, as compiled (linux/amd64, linux/arm64, ...). */
void platform_default(struct platform *out);
void platform_normalize(struct platform *p);
/* Frees the members. */
void platform_free(struct platform *p);
/* "os/arch[/variant]" ("unknown" without an os); the caller frees. */
char *platform_format(const struct platform *p);
/* Equal after normalisation (containerd's NewMatcher). */
bool platform_match(const struct platform *want, const struct platform *have);
/* Preference of `have` for a host that is `want` (containerd's Only):
 * 0 for the platform itself, then lower variants (amd64 v3 -> v2 -> v1,
 * arm v7 -> v6 -> v5), 386 on amd64, arm v8..v5 on arm64; -1 when it
 * cannot run. Pick the candidate with the lowest rank. */
int platform_rank(const struct platform *want, const struct platform *have);

#endif
