/* update [--resources FILE|-] [--memory 512m] [--cpu-quota N] ...
 * <container-id>: new limits for a running container (runc's flags). */
#include "cmd.h"
#include "common/cleanup.h"
#include "runtime/control.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum kind { K_SIZE, K_INT, K_STR };

struct update_flag {
	const char *name;
	const char *section; /* linux.resources member */
	const char *key;
	enum kind kind;
};

static const struct update_flag flags[] = {
    {"blkio-weight", "blockIO", "weight", K_INT},
    {"cpu-period", "cpu", "period", K_INT},
    {"cpu-quota", "cpu", "quota", K_INT},
    {"cpu-rt-period", "cpu", "realtimePeriod", K_INT},
    {"cpu-rt-runtime", "cpu", "realtimeRuntime", K_INT},
    {"cpu-share", "cpu", "shares", K_INT},
    {"cpuset-cpus", "cpu", "cpus", K_STR},
    {"cpuset-mems", "cpu", "mems", K_STR},
    {"memory", "memory", "limit", K_SIZE},
    {"memory-reservation", "memory", "reservation", K_SIZE},
    {"memory-swap", "memory", "swap", K_SIZE},
    {"kernel-memory", "memory", "kernel", K_SIZE},
    {"kernel-memory-tcp", "memory", "kernelTCP", K_SIZE},
    {"pids-limit", "pids", "limit", K_INT},
};
#define N_FLAGS (sizeof(flags) / sizeof(flags[0]))

/* "512m", "1G", "1024", "-1" (unlimited) in bytes, as docker's RAMInBytes. */
static int parse_size(const char *s, json_int_t *out)
{
	if (strcmp(s, "-1") == 0) {
		*out = -1;
		return 0;
	}
	char *end;
	double v = strtod(s, &end);
	if (end == s || v < 0)
		return -1;
	const char *units = "bkmgtp";
	double mult = 1;
	if (*end) {
		const char *u = strchr(units, tolower((unsigned char)*end));
		if (u == NULL)
			return -1;
		for (const char *p = units; p < u; p++)
			mult *= 1024;
		end++;
		if (*end && (strcasecmp(end, "b") != 0 && strcasecmp(end, "ib") != 0))
			return -1;
	}
	*out = (json_int_t)(v * mult);
	return 0;
}

static int set_flag(json_t *res, const struct update_flag *f, const char *v,
		    struct berth_error **err)
{
	json_t *sec = json_object_get(res, f->section);
	if (sec == NULL) {
		sec = json_object();
		json_object_set_new(res, f->section, sec);
	}
	json_int_t n = 0;
	char *end;
	switch (f->kind) {
	case K_STR:
		json_object_set_new(sec, f->key, json_string(v));
		return 0;
	case K_SIZE:
		if (parse_size(v, &n) < 0)
			return berth_error_set(err, EINVAL, "update --%s: invalid size \"%s\"",
					       f->name, v);
		break;
	case K_INT:
		n = strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0')
			return berth_error_set(err, EINVAL, "update --%s: invalid number \"%s\"",
					       f->name, v);
		break;
	}
	json_object_set_new(sec, f->key, json_integer(n));
	return 0;
}

static json_t *read_resources(const char *path, struct berth_error **err)
{
	json_error_t jerr;
	json_t *j =
	    strcmp(path, "-") == 0 ? json_loadf(stdin, 0, &jerr) : json_load_file(path, 0, &jerr);
	if (j == NULL)
		berth_error_set(err, EINVAL, "update --resources %s: invalid JSON: %s", path,
				jerr.text);
	else if (!json_is_object(j)) {
		json_decref(j);
		j = NULL;
		berth_error_set(err, EINVAL, "update --resources %s: expected an object", path);
	}
	return j;
}

int cmd_update(struct cmd_ctx *c, int argc, char **argv, struct berth_error **err)
{
	struct option opts[N_FLAGS + 3];
	for (size_t i = 0; i < N_FLAGS; i++)
		opts[i] = (struct option){flags[i].name, required_argument, NULL, (int)(256 + i)};
	opts[N_FLAGS] = (struct option){"resources", required_argument, NULL, 'r'};
	opts[N_FLAGS + 1] = (struct option){"l3-cache-schema", required_argument, NULL, 'L'};
	opts[N_FLAGS + 2] = (struct option){NULL, 0, NULL, 0};
	cleanup_json json_t *res = NULL;
	cleanup_json json_t *from_flags = json_object();
	const char *id;
	int opt;
	while ((opt = getopt_long_only(argc, argv, "+r:", opts, NULL)) != -1) {
		if (opt == 'r') {
			json_decref(res);
			if ((res = read_resources(optarg, err)) == NULL)
				return -1;
		} else if (opt == 'L') {
			return berth_error_set(err, ENOTSUP,
					       "update --l3-cache-schema: Intel RDT is not "
					       "supported");
		} else if (opt >= 256 && opt < 256 + (int)N_FLAGS) {
			if (set_flag(from_flags, &flags[opt - 256], optarg, err) < 0)
				return -1;
		} else {
			return berth_error_set(err, EINVAL,
					       "update: flag provided but not defined: %s",
					       argv[optind - 1]);
		}
	}
	if (cmd_one_id("update", argc, argv, &id, err) < 0)
		return -1;
	if (res == NULL)
		res = json_incref(from_flags);
	else if (json_object_size(from_flags))
		json_object_update_recursive(res, from_flags);
	if (json_object_size(res) == 0)
		return berth_error_set(err, EINVAL,
				       "update: nothing to update (give --resources or "
				       "a limit flag)");
	return rt_update(&c->g, id, res, err) < 0 ? -1 : 0;
}
