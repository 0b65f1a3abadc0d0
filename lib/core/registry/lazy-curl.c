/* libcurl (and libssl, for the one call of ours that needs it) loaded on first use
 * (see core/lazylib.h): every libcurl function the registry client calls. */
#define CURL_DISABLE_TYPECHECK 1 /* curl_easy_setopt and friends are macros otherwise */
#include "core/lazylib.h"

#include <curl/curl.h>
#include <openssl/ssl.h>
#include <stdarg.h>

static struct lazylib libcurl = {.soname = "libcurl.so.4"};
static struct lazylib libssl = {.soname = "libssl.so.3"};

LAZY_FN(libcurl, void, curl_easy_cleanup, (CURL * a0), (a0))
LAZY_FN(libcurl, char *, curl_easy_escape, (CURL * a0, const char *a1, int a2), (a0, a1, a2))
LAZY_FN(libcurl, CURL *, curl_easy_init, (void), ())
LAZY_FN(libcurl, CURLcode, curl_easy_perform, (CURL * a0), (a0))
LAZY_FN(libcurl, void, curl_easy_reset, (CURL * a0), (a0))
LAZY_FN(libcurl, const char *, curl_easy_strerror, (CURLcode a0), (a0))
LAZY_FN(libcurl, void, curl_free, (void *a0), (a0))
LAZY_FN(libcurl, CURLcode, curl_global_init, (long a0), (a0))
LAZY_FN(libcurl, CURLSHcode, curl_share_cleanup, (CURLSH * a0), (a0))
LAZY_FN(libcurl, CURLSH *, curl_share_init, (void), ())
LAZY_FN(libcurl, struct curl_slist *, curl_slist_append, (struct curl_slist * a0, const char *a1),
	(a0, a1))
LAZY_FN(libcurl, void, curl_slist_free_all, (struct curl_slist * a0), (a0))
LAZY_FN(libssl, X509_STORE *, SSL_CTX_get_cert_store, (const SSL_CTX *a0), (a0))

/* The variadic three: the option number says what the one argument is. */
#define LAZY_VA(lib, type, name)                                                                   \
	static type *name##_fn(void)                                                               \
	{                                                                                          \
		static type *fp;                                                                   \
		type *f = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);                                  \
		if (f == NULL) {                                                                   \
			f = (type *)lazylib_sym(&lib, #name);                                      \
			__atomic_store_n(&fp, f, __ATOMIC_RELEASE);                                \
		}                                                                                  \
		return f;                                                                          \
	}

typedef CURLcode easy_setopt_t(CURL *, CURLoption, ...);
typedef CURLcode easy_getinfo_t(CURL *, CURLINFO, ...);
typedef CURLSHcode share_setopt_t(CURLSH *, CURLSHoption, ...);
LAZY_VA(libcurl, easy_setopt_t, curl_easy_setopt)
LAZY_VA(libcurl, easy_getinfo_t, curl_easy_getinfo)
LAZY_VA(libcurl, share_setopt_t, curl_share_setopt)

typedef void (*fnptr)(void);

CURLcode curl_easy_setopt(CURL *h, CURLoption opt, ...)
{
	easy_setopt_t *f = curl_easy_setopt_fn();
	CURLcode rc;
	va_list ap;
	va_start(ap, opt);
	if (opt < CURLOPTTYPE_OBJECTPOINT)
		rc = f(h, opt, va_arg(ap, long));
	else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
		rc = f(h, opt, va_arg(ap, void *));
	else if (opt < CURLOPTTYPE_OFF_T)
		rc = f(h, opt, va_arg(ap, fnptr));
	else if (opt < CURLOPTTYPE_BLOB)
		rc = f(h, opt, va_arg(ap, curl_off_t));
	else
		rc = f(h, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}

CURLcode curl_easy_getinfo(CURL *h, CURLINFO info, ...)
{
	va_list ap;
	va_start(ap, info);
	CURLcode rc = curl_easy_getinfo_fn()(h, info, va_arg(ap, void *)); /* always a pointer */
	va_end(ap);
	return rc;
}

CURLSHcode curl_share_setopt(CURLSH *sh, CURLSHoption opt, ...)
{
	share_setopt_t *f = curl_share_setopt_fn();
	CURLSHcode rc;
	va_list ap;
	va_start(ap, opt);
	if (opt == CURLSHOPT_SHARE || opt == CURLSHOPT_UNSHARE)
		rc = f(sh, opt, va_arg(ap, int)); /* curl_lock_data */
	else if (opt == CURLSHOPT_LOCKFUNC || opt == CURLSHOPT_UNLOCKFUNC)
		rc = f(sh, opt, va_arg(ap, fnptr));
	else
		rc = f(sh, opt, va_arg(ap, void *));
	va_end(ap);
	return rc;
}
