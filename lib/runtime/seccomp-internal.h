/* Shared between seccomp.c (profile -> libseccomp), seccomp-bpf.c (BPF
 * export, the -ENOSYS stub, flags and loading) and seccomp-notify.c. */
#ifndef BERTH_RUNTIME_SECCOMP_INTERNAL_H
#define BERTH_RUNTIME_SECCOMP_INTERNAL_H

#include "runtime/seccomp.h"

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#ifndef SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV
#define SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV (1UL << 5)
#endif

/* The most architectures a profile can name (each known one once). */
#define SECCOMP_MAX_ARCHES 32

struct seccomp_program {
	struct sock_filter *insns;
	size_t n_insns;
	unsigned int flags; /* SECCOMP_FILTER_FLAG_* for seccomp(2), NEW_LISTENER included */
	bool notify;
	char *listener_path;	 /* NULL if not set */
	char *listener_metadata; /* NULL if not set */
};

/* What the -ENOSYS stub needs to know about a profile (runc's patchbpf). */
struct seccomp_stub_info {
	uint32_t arches[SECCOMP_MAX_ARCHES]; /* SCMP_ARCH_* as listed, deduplicated */
	size_t n_arches;
	const char **names; /* every syscall name of every rule (borrowed) */
	size_t n_names;
};

/* A flag name to its SECCOMP_FILTER_FLAG_* bit; 0 and false if unknown.
 * TSYNC is known but maps to 0 (ignored, as runc does: init is single-threaded). */
bool seccomp_flag_from_name(const char *name, unsigned int *bit);
/* True if this kernel accepts the flag bit for SECCOMP_SET_MODE_FILTER. */
bool seccomp_flag_supported(unsigned int bit);

/* True if this kernel has the action (SECCOMP_GET_ACTION_AVAIL). */
bool seccomp_action_supported(uint32_t action);

/* Export ctx as BPF, with runc's -ENOSYS stub in front when stub != NULL. */
int seccomp_build_program(scmp_filter_ctx ctx, const struct seccomp_stub_info *stub,
			  struct seccomp_program *p, struct berth_error **err);

#endif
