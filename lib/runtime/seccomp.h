/* linux.seccomp through libseccomp.
 *
 * The filter is compiled in the runtime (parent) before the container
 * starts, so a bad profile fails `create` with an error naming the entry;
 * the container's init loads the compiled BPF right before it waits for
 * start. With SCMP_ACT_NOTIFY the init receives the listener fd and the
 * parent sends it to listenerPath. */
#ifndef BERTH_RUNTIME_SECCOMP_H
#define BERTH_RUNTIME_SECCOMP_H

#include "common/error.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

struct seccomp_program;

/* Validate and compile linux.seccomp (NULL seccomp: *out = NULL, no filter). */
int seccomp_compile(json_t *seccomp, struct seccomp_program **out, struct berth_error **err);
/* seccomp_compile through a cache of compiled programs in cache_dir
 * (made 0700 if missing; NULL: no cache). A profile compiled before on this
 * machine (same JSON, libseccomp and kernel) is read back instead of
 * compiled (~12 ms for the default profile). Cache problems never fail it. */
int seccomp_compile_cached(json_t *seccomp, const char *cache_dir, struct seccomp_program **out,
			   struct berth_error **err);
/* True if some rule uses SCMP_ACT_NOTIFY (a listener fd will be produced). */
bool seccomp_wants_notify(const struct seccomp_program *p);
/* Load it into the calling process (the container's init). (Not
 * seccomp_load: libseccomp owns that name.) *notify_fd gets
 * the listener fd when seccomp_wants_notify(), else -1. */
int seccomp_program_load(const struct seccomp_program *p, int *notify_fd, struct berth_error **err);
/* Parent side: send the listener fd with the container state JSON (runtime
 * spec's seccomp notify protocol) to listenerPath. */
int seccomp_send_notify(const struct seccomp_program *p, const char *state_json, int fd,
			struct berth_error **err);
/* Same, for a process other than the container's init (exec): the message's
 * "pid" is pid, the state's stays init's. */
int seccomp_send_notify_pid(const struct seccomp_program *p, const char *state_json, pid_t pid,
			    int fd, struct berth_error **err);
void seccomp_program_free(struct seccomp_program *p);
/* The linux.seccomp object of `features` (runtime-spec features.md):
 * enabled, actions, operators, archs, knownFlags, supportedFlags. */
json_t *seccomp_features(void);

#endif
