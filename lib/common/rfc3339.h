/* Times as Go's time.RFC3339Nano writes them (the Docker API's timestamps). */
#ifndef BERTH_COMMON_RFC3339_H
#define BERTH_COMMON_RFC3339_H

#include <stdint.h>

/* Nanoseconds since the epoch, in UTC: "2026-11-23T16:24:50.30954Z" (the
 * fraction without trailing zeros, none when whole); Go's zero time
 * "0001-01-01T00:00:00Z" for ns <= 0. Caller frees. */
char *rfc3339_format_ns(int64_t ns);

#endif
