/* sha256 digests: parse, validate, format, hash (OpenSSL EVP). */
#include "core/content/internal.h"

#include "common/cleanup.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

static bool is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

static bool is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* The algorithm part of the digest grammar: [A-Za-z][A-Za-z0-9]* joined by
 * one of [+._-]. */
static bool algo_well_formed(const char *s, size_t n)
{
	bool need_alpha = true;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (need_alpha) {
			if (!is_alpha(c))
				return false;
			need_alpha = false;
		} else if (c == '+' || c == '.' || c == '_' || c == '-') {
			need_alpha = true;
		} else if (!is_alnum(c)) {
			return false;
		}
	}
	return n > 0 && !need_alpha;
}

int content_digest_parse(const char *s, struct content_digest *out, struct berth_error **err)
{
	if (s == NULL || *s == '\0')
		return berth_error_set(err, EINVAL, "invalid digest \"\": empty");
	const char *colon = strchr(s, ':');
	if (colon == NULL || !algo_well_formed(s, (size_t)(colon - s)))
		return berth_error_set(
		    err, EINVAL, "invalid digest \"%.100s\": expected sha256:<64 hex digits>", s);
	size_t algo_len = (size_t)(colon - s);
	if (algo_len != strlen(CONTENT_DIGEST_ALGO) ||
	    memcmp(s, CONTENT_DIGEST_ALGO, algo_len) != 0)
		return berth_error_set(
		    err, ENOTSUP, "invalid digest \"%.100s\": unsupported digest algorithm %.*s", s,
		    (int)(algo_len > 32 ? 32 : algo_len), s);
	const char *hex = colon + 1;
	size_t n = strlen(hex);
	if (n != CONTENT_DIGEST_HEX_LEN)
		return berth_error_set(
		    err, EINVAL, "invalid digest \"%.100s\": sha256 needs 64 hex digits, got %zu",
		    s, n);
	for (size_t i = 0; i < n; i++)
		if (!is_lower_hex(hex[i]))
			return berth_error_set(
			    err, EINVAL,
			    "invalid digest \"%.100s\": character %zu of the hex part is not a "
			    "lowercase hex digit",
			    s, i + 1);
	if (out)
		memcpy(out->s, s, CONTENT_DIGEST_LEN + 1);
	return 0;
}

bool content_digest_valid(const char *s)
{
	return content_digest_parse(s, NULL, NULL) == 0;
}

const char *content_digest_hex(const struct content_digest *d)
{
	return d->s + sizeof(CONTENT_DIGEST_ALGO);
}

void content_digest_from_raw(const unsigned char raw[32], struct content_digest *out)
{
	static const char digits[] = "0123456789abcdef";
	char *p = out->s;
	memcpy(p, CONTENT_DIGEST_ALGO ":", sizeof(CONTENT_DIGEST_ALGO));
	p += sizeof(CONTENT_DIGEST_ALGO);
	for (size_t i = 0; i < 32; i++) {
		*p++ = digits[raw[i] >> 4];
		*p++ = digits[raw[i] & 0xf];
	}
	*p = '\0';
}

void content_digest_buf(const void *data, size_t len, struct content_digest *out)
{
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	if (EVP_Digest(data, len, raw, &n, EVP_sha256(), NULL) != 1 || n != 32)
		abort(); /* only fails when out of memory */
	content_digest_from_raw(raw, out);
}

int content_digest_fd(int fd, struct content_digest *out, int64_t *size, struct berth_error **err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		abort();
	const size_t cap = 1 << 20;
	cleanup_free unsigned char *buf = malloc(cap);
	if (buf == NULL)
		abort();
	int64_t total = 0;
	for (;;) {
		ssize_t r = pread(fd, buf, cap, total);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			EVP_MD_CTX_free(ctx);
			return berth_error_errno(err, "hash: read at offset %lld",
						 (long long)total);
		}
		if (r == 0)
			break;
		EVP_DigestUpdate(ctx, buf, (size_t)r);
		total += r;
	}
	unsigned char raw[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_DigestFinal_ex(ctx, raw, &n);
	EVP_MD_CTX_free(ctx);
	content_digest_from_raw(raw, out);
	if (size)
		*size = total;
	return 0;
}

int content_digest_arg(const char *digest, const char *op, struct content_digest *out,
		       struct berth_error **err)
{
	if (content_digest_parse(digest, out, err) < 0)
		return berth_error_wrap(err, "%s", op);
	return 0;
}
