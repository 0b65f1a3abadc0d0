/* libFuzzer target for linux.seccomp: seccomp_compile() on arbitrary JSON
 * (decoded as the config.json loader does) must fail with a message naming
 * linux.seccomp, or return a program the kernel could take; never crash,
 * leak or read out of bounds (ASan/UBSan are on, see meson.build). */
#include "common/json.h"
#include "runtime/seccomp-internal.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_error_t je;
	json_t *j = json_loadb((const char *)data, size,
			       JSON_DECODE_ANY | JSON_DECODE_INT_AS_REAL | JSON_ALLOW_NUL, &je);
	if (j == NULL)
		return 0;
	bjson_reals_to_integers(j);
	struct seccomp_program *p = NULL;
	struct berth_error *err = NULL;
	if (seccomp_compile(j, &p, &err) < 0) {
		CHECK(p == NULL);
		CHECK(err != NULL && err->msg != NULL);
		CHECK(strncmp(err->msg, "linux.seccomp", 13) == 0);
		berth_error_free(&err);
	} else {
		CHECK(err == NULL);
		if (p) {
			CHECK(p->n_insns > 0 && p->n_insns <= BPF_MAXINSNS);
			/* a BPF program ends with a return */
			CHECK(BPF_CLASS(p->insns[p->n_insns - 1].code) == BPF_RET);
			CHECK(!p->notify || p->listener_path != NULL);
			CHECK(!!(p->flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) == p->notify);
		}
		seccomp_program_free(p);
	}
	json_decref(j);
	return 0;
}
