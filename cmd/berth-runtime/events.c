/* events [--stats] [--interval 5s] <container-id>: JSON events, one per
 * line: stats every interval and oom when the kernel kills in the cgroup. */
#include "cmd.h"
#include "runtime/control.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "5s", "500ms", "1m", "2" (seconds) */
static int parse_interval(const char *s, int *ms, struct berth_error **err)
{
	char *end;
	double v = strtod(s, &end);
	double mult = 1000;
	if (end == s || v <= 0)
		goto bad;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60000;
	else
		goto bad;
	if (v * mult < 1 || v * mult > 86400000)
		goto bad;
	*ms = (int)(v * mult);
	return 0;
bad:
	return berth_error_set(err, EINVAL, "events --interval: invalid duration \"%s\"", s);
}

static int print_event(json_t *ev, void *data)
{
	(void)data;
	char *s = json_dumps(ev, JSON_COMPACT);
	if (s == NULL)
		return -1;
	int r = puts(s);
	free(s);
	fflush(stdout);
	return r < 0 ? -1 : 0;
}

int cmd_events(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	static const struct option opts[] = {{"stats", no_argument, NULL, 's'},
					     {"interval", required_argument, NULL, 'i'},
					     {NULL, 0, NULL, 0}};
	bool once = false;
	int interval = 5000, opt;
	const char *id;
	while ((opt = getopt_long_only(argc, argv, "+", opts, NULL)) != -1) {
		if (opt == 's')
			once = true;
		else if (opt == 'i') {
			if (parse_interval(optarg, &interval, err) < 0)
				return -1;
		} else
			return berth_error_set(err, EINVAL,
					       "events: flag provided but not defined: %s",
					       argv[optind - 1]);
	}
	if (cmd_one_id("events", argc, argv, &id, err) < 0)
		return -1;
	return rt_events(&c->g, id, once, interval, print_event, NULL, err) < 0 ? -1 : 0;
}
