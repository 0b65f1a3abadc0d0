/* RFC 3339 times (rfc3339.h). */
#include "common/rfc3339.h"
#include "common/xalloc.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

char *rfc3339_format_ns(int64_t ns)
{
	if (ns <= 0)
		return xstrdup("0001-01-01T00:00:00Z");
	time_t secs = (time_t)(ns / 1000000000);
	long frac = (long)(ns % 1000000000);
	struct tm tm;
	gmtime_r(&secs, &tm);
	char base[64];
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	if (frac == 0)
		return xasprintf("%sZ", base);
	char f[16];
	snprintf(f, sizeof(f), "%09ld", frac);
	size_t n = strlen(f);
	while (n > 0 && f[n - 1] == '0')
		f[--n] = '\0';
	return xasprintf("%s.%sZ", base, f);
}
