/* Image references, parsed and normalised as docker does (the grammar of
 * docker/distribution's reference package):
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [domain "/"] path
 *   domain     := host [":" port]     host: dns labels joined by '.', or [ipv6]
 *   path       := component ("/" component)*
 *   component  := [a-z0-9]+ (separator [a-z0-9]+)*    separator: . _ __ -+
 *   tag        := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
 *   digest     := algorithm ":" hex      (sha256: exactly 64 lowercase hex)
 *
 * The name (domain + path) is at most 255 characters. Normalisation (docker's
 * ParseNormalizedNamed): a first component is a domain only if it contains
 * '.' or ':' or is "localhost"; otherwise the domain
 * is docker.io, and a one-component path on docker.io gets "library/".
 * index.docker.io becomes docker.io.
 *
 *   busybox                  -> docker.io/library/busybox        (+ :latest by ref_parse_docker)
 *   user/repo:1.0            -> docker.io/user/repo:1.0
 *   localhost:5000/x@sha256:.. -> localhost:5000/x@sha256:..
 *
 * Errors carry EINVAL (ENOTSUP for a digest algorithm other than sha256)
 * and docker's messages verbatim, because clients and scripts match on them:
 * "invalid reference format", "invalid reference format: repository name
 * must be lowercase", "repository name must not be more than 255
 * characters", "invalid checksum digest length", ... Callers that report
 * outside the Docker API add the input as context. */
#ifndef BERTH_CORE_IMAGES_REFERENCE_H
#define BERTH_CORE_IMAGES_REFERENCE_H

#include "common/error.h"

#include <stdbool.h>

#define REF_DEFAULT_DOMAIN "docker.io"
#define REF_LEGACY_DOMAIN "index.docker.io"
#define REF_OFFICIAL_PREFIX "library/"
#define REF_DEFAULT_TAG "latest"
#define REF_NAME_MAX 255
#define REF_TAG_MAX 128

struct ref {
	char *domain; /* NULL only from ref_parse() of a name without a domain */
	char *path;   /* NULL for a digest-only reference (ref_parse_any) */
	char *tag;    /* NULL if none */
	char *digest; /* "sha256:<hex>", NULL if none */
};

/* distribution's Parse: the grammar only, no normalisation. The first of
 * several components is the domain when it matches the domain grammar
 * ("library/x": domain "library", path "x"); a single component has no
 * domain (domain NULL). */
int ref_parse(const char *s, struct ref **out, struct berth_error **err);
/* ParseNormalizedNamed: the familiar forms docker accepts, fully qualified. */
int ref_parse_normalized(const char *s, struct ref **out, struct berth_error **err);
/* ParseDockerRef: normalised, then ":latest" added when there is neither
 * tag nor digest, and the tag dropped when there is a digest (pull by
 * digest). */
int ref_parse_docker(const char *s, struct ref **out, struct berth_error **err);
/* ParseAnyReference: a 64-hex image id or "sha256:<hex>" gives a
 * digest-only ref (path NULL); anything else is ref_parse_normalized. */
int ref_parse_any(const char *s, struct ref **out, struct berth_error **err);
void ref_free(struct ref *r);
struct ref *ref_dup(const struct ref *r);

/* Add ":latest" when there is neither tag nor digest (TagNameOnly). */
void ref_tag_name_only(struct ref *r);
/* Replace the tag (validated: "invalid tag format"). */
int ref_set_tag(struct ref *r, const char *tag, struct berth_error **err);

/* Strings; the caller frees. */
char *ref_name(const struct ref *r);		/* domain/path */
char *ref_string(const struct ref *r);		/* name[:tag][@digest] */
char *ref_familiar_name(const struct ref *r);	/* busybox, user/repo, host/x */
char *ref_familiar_string(const struct ref *r); /* familiar name[:tag][@digest] */

/* Grammar checks on their own. */
bool ref_tag_valid(const char *tag);
bool ref_domain_valid(const char *domain);
bool ref_path_valid(const char *path);
/* 64 lowercase hex digits (an image id). */
bool ref_is_identifier(const char *s);

#endif
