#include "cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int cmd_parse_int(const char *flag, const char *s, int min, int max, int *out,
		  struct berth_error **err)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno || v < min || v > max)
		return berth_error_set(err, EINVAL, "%s: invalid value \"%s\" (%d to %d)", flag, s,
				       min, max);
	*out = (int)v;
	return 0;
}

int cmd_one_id(const char *verb, int argc, char **argv, const char **id, struct berth_error **err)
{
	if (optind >= argc)
		return berth_error_set(err, EINVAL, "%s: a container id is required", verb);
	if (argc - optind > 1)
		return berth_error_set(err, EINVAL, "%s: unexpected argument \"%s\"", verb,
				       argv[optind + 1]);
	*id = argv[optind];
	return 0;
}

void cmd_print_json(json_t *j)
{
	char *s = json_dumps(j, JSON_INDENT(2));
	if (s) {
		puts(s);
		free(s);
	}
}
