/* libcrypto loaded on first use (see core/lazylib.h): every libcrypto function berth
 * calls (digests, base64, the registry's CA file). An idle berthd hashes nothing. */
#include "core/lazylib.h"

#include <openssl/evp.h>
#include <openssl/x509.h>

static struct lazylib libcrypto = {.soname = "libcrypto.so.3"};

LAZY_FN(libcrypto, int, EVP_DecodeBlock, (unsigned char *a0, const unsigned char *a1, int a2),
	(a0, a1, a2))
LAZY_FN(libcrypto, int, EVP_Digest,
	(const void *a0, size_t a1, unsigned char *a2, unsigned int *a3, const EVP_MD *a4,
	 ENGINE *a5),
	(a0, a1, a2, a3, a4, a5))
LAZY_FN(libcrypto, int, EVP_DigestFinal_ex, (EVP_MD_CTX * a0, unsigned char *a1, unsigned int *a2),
	(a0, a1, a2))
LAZY_FN(libcrypto, int, EVP_DigestInit_ex, (EVP_MD_CTX * a0, const EVP_MD *a1, ENGINE *a2),
	(a0, a1, a2))
LAZY_FN(libcrypto, int, EVP_DigestUpdate, (EVP_MD_CTX * a0, const void *a1, size_t a2),
	(a0, a1, a2))
LAZY_FN(libcrypto, int, EVP_EncodeBlock, (unsigned char *a0, const unsigned char *a1, int a2),
	(a0, a1, a2))
LAZY_FN(libcrypto, int, EVP_MD_CTX_copy_ex, (EVP_MD_CTX * a0, const EVP_MD_CTX *a1), (a0, a1))
LAZY_FN(libcrypto, void, EVP_MD_CTX_free, (EVP_MD_CTX * a0), (a0))
LAZY_FN(libcrypto, EVP_MD_CTX *, EVP_MD_CTX_new, (void), ())
LAZY_FN(libcrypto, const EVP_MD *, EVP_sha256, (void), ())
LAZY_FN(libcrypto, int, X509_STORE_load_file, (X509_STORE * a0, const char *a1), (a0, a1))
