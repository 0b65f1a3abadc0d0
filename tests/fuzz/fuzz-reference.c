/* libFuzzer target for image references and platform specifiers
 * (lib/core/images): every parser must fail with a message or return a
 * value that holds the grammar's invariants and survives a round trip
 * through its string form; never crash, leak or read out of bounds. */
#include "core/images/platform.h"
#include "core/images/reference.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__,         \
				__LINE__);                                                         \
			abort();                                                                   \
		}                                                                                  \
	} while (0)

static void check_err(struct berth_error **err)
{
	CHECK(*err != NULL && (*err)->msg != NULL && (*err)->msg[0] != '\0');
	berth_error_free(err);
}

static void check_ref(const struct ref *r, bool named)
{
	CHECK(r->path != NULL);
	CHECK(ref_path_valid(r->path));
	CHECK(!named || r->domain != NULL);
	CHECK(r->domain == NULL || ref_domain_valid(r->domain));
	CHECK(r->tag == NULL || ref_tag_valid(r->tag));
	CHECK(r->digest == NULL ||
	      (strncmp(r->digest, "sha256:", 7) == 0 && ref_is_identifier(r->digest + 7)));
	char *name = ref_name(r);
	CHECK(strlen(name) <= REF_NAME_MAX);
	free(name);
}

/* Parse: the parts are a split of the input. */
static void fuzz_parse(const char *s)
{
	struct ref *r = NULL;
	struct berth_error *err = NULL;
	if (ref_parse(s, &r, &err) < 0) {
		CHECK(r == NULL);
		check_err(&err);
		return;
	}
	check_ref(r, false);
	char *back = ref_string(r);
	CHECK(strcmp(back, s) == 0);
	free(back);
	ref_free(r);
}

/* docker.io/a.b/c is printed "a.b/c" by docker too, which reads back as
 * domain a.b: the familiar form is only a round trip when the first path
 * component on docker.io does not look like a domain. */
static bool familiar_is_unambiguous(const struct ref *r)
{
	if (strcmp(r->domain, REF_DEFAULT_DOMAIN) != 0)
		return true;
	size_t n = strcspn(r->path, "/");
	if (r->path[n] == '\0')
		return true;
	return memchr(r->path, '.', n) == NULL && !(n == 9 && memcmp(r->path, "localhost", 9) == 0);
}

static void fuzz_normalized(const char *s)
{
	struct ref *r = NULL;
	struct berth_error *err = NULL;
	int rn = ref_parse_normalized(s, &r, &err);
	struct ref *d = NULL;
	struct berth_error *derr = NULL;
	int rd = ref_parse_docker(s, &d, &derr);
	CHECK((rn < 0) == (rd < 0));
	if (rn < 0) {
		CHECK(r == NULL && d == NULL);
		check_err(&err);
		check_err(&derr);
		return;
	}
	check_ref(r, true);
	check_ref(d, true);
	CHECK((d->tag != NULL) != (d->digest != NULL));
	/* the full form parses to itself, the familiar form normalises back */
	char *full = ref_string(r);
	struct ref *again = NULL;
	CHECK(ref_parse_normalized(full, &again, NULL) == 0);
	char *full2 = ref_string(again);
	CHECK(strcmp(full, full2) == 0);
	if (familiar_is_unambiguous(r)) {
		char *fam = ref_familiar_string(r);
		struct ref *from_fam = NULL;
		CHECK(ref_parse_normalized(fam, &from_fam, NULL) == 0);
		char *full3 = ref_string(from_fam);
		CHECK(strcmp(full, full3) == 0);
		free(full3);
		free(fam);
		ref_free(from_fam);
	}
	free(full);
	free(full2);
	ref_free(again);
	ref_free(r);
	ref_free(d);
}

static void fuzz_any(const char *s)
{
	struct ref *r = NULL;
	struct berth_error *err = NULL;
	if (ref_parse_any(s, &r, &err) < 0) {
		check_err(&err);
		return;
	}
	if (r->path == NULL)
		CHECK(r->digest && ref_is_identifier(r->digest + 7));
	else
		check_ref(r, true);
	ref_free(r);
}

static void fuzz_platform(const char *s)
{
	struct platform p;
	struct berth_error *err = NULL;
	if (platform_parse(s, &p, &err) < 0) {
		CHECK(p.os == NULL && p.arch == NULL);
		check_err(&err);
		return;
	}
	CHECK(p.os != NULL && p.arch != NULL);
	char *f = platform_format(&p);
	struct platform again;
	CHECK(platform_parse(f, &again, NULL) == 0);
	CHECK(platform_match(&p, &again));
	CHECK(platform_rank(&p, &again) == 0);
	platform_free(&again);
	platform_free(&p);
	free(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0'; /* an embedded NUL ends the string, as in C callers */
	fuzz_parse(s);
	fuzz_normalized(s);
	fuzz_any(s);
	fuzz_platform(s);
	free(s);
	return 0;
}
