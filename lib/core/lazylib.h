/* A shared library loaded with dlopen on the first call of one of its functions.
 *
 * berthd links libcurl (registry client) and libarchive (layer unpack) but an idle
 * daemon calls neither. Linked normally they, and what they pull in (libssl, Kerberos,
 * LDAP, libssh2, nghttp2 for libcurl; libxml2, ICU, libstdc++, lzma, bzip2 for
 * libarchive), are mapped, relocated and run their constructors at start: about 4 MiB
 * of resident pages. Instead, a file of LAZY_FN lines defines each function that berth
 * calls, with the header's prototype (the compiler checks it), as a forwarder that
 * looks the real function up on the first call. The meson default -Wl,--as-needed then
 * drops the library from DT_NEEDED. A binary that links the library anyway (the CLI,
 * a test) still works: dlopen returns the copy already loaded.
 *
 * A library that cannot be loaded is fatal (it is a dependency of the package, like a
 * DT_NEEDED entry that the loader could not find). */
#ifndef BERTH_CORE_LAZYLIB_H
#define BERTH_CORE_LAZYLIB_H

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

struct lazylib {
	const char *soname;
	void *handle;
};

static inline void *lazylib_sym(struct lazylib *l, const char *name)
{
	void *h = __atomic_load_n(&l->handle, __ATOMIC_ACQUIRE);
	if (h == NULL) {
		/* two threads may both dlopen: the second only takes a reference */
		h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);
		if (h == NULL) {
			fprintf(stderr, "berth: cannot load %s: %s\n", l->soname, dlerror());
			abort();
		}
		__atomic_store_n(&l->handle, h, __ATOMIC_RELEASE);
	}
	void *f = dlsym(h, name);
	if (f == NULL) {
		fprintf(stderr, "berth: %s has no %s\n", l->soname, name);
		abort();
	}
	return f;
}

/* LAZY_FN(lib, int, foo, (int a0, char *a1), (a0, a1)) defines foo() */
#define LAZY_FN(lib, ret, name, params, args)                                                      \
	ret name params                                                                            \
	{                                                                                          \
		static ret(*fp) params;                                                            \
		ret(*f) params = __atomic_load_n(&fp, __ATOMIC_ACQUIRE);                           \
		if (f == NULL) {                                                                   \
			f = (ret(*) params)lazylib_sym(&lib, #name);                               \
			__atomic_store_n(&fp, f, __ATOMIC_RELEASE);                                \
		}                                                                                  \
		return f args;                                                                     \
	}

#endif
