/* berth update [OPTIONS] CONTAINER...: POST /containers/{name}/update with
 * the resources that were given (Memory, MemorySwap, MemoryReservation,
 * NanoCpus, CpuShares, CpuPeriod, CpuQuota, CpusetCpus, CpusetMems,
 * PidsLimit, BlkioWeight) and the RestartPolicy; prints each
 * name, the daemon's warnings on stderr. */
#include "cli.h"
#include "ctrfmt.h"

#include "common/cleanup.h"
#include "common/xalloc.h"

#include <string.h>

struct update_flags {
	const char *memory, *swap, *cpus, *shares, *cpuset, *pids, *restart, *blkio;
	const char *reservation, *period, *quota, *mems;
};

static int usage_fail(const struct cli_spec *spec, struct berth_error **err)
{
	cli_usage_error(spec, "%s", (*err)->msg);
	berth_error_free(err);
	return -1;
}

static json_t *bad_size(const struct cli_spec *spec, const char *flag, const char *value)
{
	cli_usage_error(spec, "invalid argument \"%s\" for \"%s\" flag: invalid size: '%s'", value,
			flag, value);
	return NULL;
}

/* The UpdateConfig body; NULL after printing a usage error. */
static json_t *update_body(const struct cli_spec *spec, const struct update_flags *f)
{
	struct berth_error *err = NULL;
	cleanup_json json_t *b = json_object();
	int64_t v;
	long l;
	if (f->memory) {
		if (ctrfmt_parse_ram(f->memory, &v, &err) < 0)
			return berth_error_free(&err), bad_size(spec, "-m, --memory", f->memory);
		json_object_set_new(b, "Memory", json_integer(v));
	}
	if (f->swap) {
		if (strcmp(f->swap, "-1") == 0)
			v = -1;
		else if (ctrfmt_parse_ram(f->swap, &v, &err) < 0)
			return berth_error_free(&err), bad_size(spec, "--memory-swap", f->swap);
		json_object_set_new(b, "MemorySwap", json_integer(v));
	}
	if (f->cpus) {
		if (ctrfmt_parse_cpus(f->cpus, &v, &err) < 0)
			goto bad;
		json_object_set_new(b, "NanoCpus", json_integer(v));
	}
	if (f->shares) {
		if (ctrfmt_parse_long(f->shares, "-c, --cpu-shares", &l, &err) < 0)
			goto bad;
		json_object_set_new(b, "CpuShares", json_integer(l));
	}
	if (f->cpuset)
		json_object_set_new(b, "CpusetCpus", json_string(f->cpuset));
	if (f->mems)
		json_object_set_new(b, "CpusetMems", json_string(f->mems));
	if (f->reservation) {
		if (ctrfmt_parse_ram(f->reservation, &v, &err) < 0)
			return berth_error_free(&err),
			       bad_size(spec, "--memory-reservation", f->reservation);
		json_object_set_new(b, "MemoryReservation", json_integer(v));
	}
	if (f->period) {
		if (ctrfmt_parse_long(f->period, "--cpu-period", &l, &err) < 0)
			goto bad;
		json_object_set_new(b, "CpuPeriod", json_integer(l));
	}
	if (f->quota) {
		if (ctrfmt_parse_long(f->quota, "--cpu-quota", &l, &err) < 0)
			goto bad;
		json_object_set_new(b, "CpuQuota", json_integer(l));
	}
	if (f->pids) {
		if (ctrfmt_parse_long(f->pids, "--pids-limit", &l, &err) < 0)
			goto bad;
		json_object_set_new(b, "PidsLimit", json_integer(l));
	}
	if (f->blkio) {
		if (ctrfmt_parse_long(f->blkio, "--blkio-weight", &l, &err) < 0)
			goto bad;
		if (l < 0 || l > 65535) {
			cli_usage_error(spec,
					"invalid argument \"%s\" for \"--blkio-weight\" flag: "
					"strconv.ParseUint: parsing \"%s\": value out of range",
					f->blkio, f->blkio);
			return NULL;
		}
		json_object_set_new(b, "BlkioWeight", json_integer(l));
	}
	if (f->restart) {
		json_t *rp = NULL;
		if (ctrfmt_parse_restart(f->restart, &rp, &err) < 0)
			goto bad;
		json_object_set_new(b, "RestartPolicy", rp);
	}
	return steal_ptr(b);
bad:
	usage_fail(spec, &err);
	return NULL;
}

int cmd_update(struct cli *cli, int argc, char **argv)
{
	static const struct cli_spec spec = {"update",
					     "[OPTIONS] CONTAINER [CONTAINER...]",
					     "Update configuration of one or more containers",
					     CLI_NAME " container update, " CLI_NAME " update",
					     1,
					     -1};
	struct update_flags f = {0};
	const struct cli_opt opts[] = {
	    {0, "blkio-weight", CLI_OPT_STRING, &f.blkio, "uint16",
	     "Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)"},
	    {'c', "cpu-shares", CLI_OPT_STRING, &f.shares, "int", "CPU shares (relative weight)"},
	    {0, "cpu-period", CLI_OPT_STRING, &f.period, "int",
	     "Limit CPU CFS (Completely Fair Scheduler) period"},
	    {0, "cpu-quota", CLI_OPT_STRING, &f.quota, "int",
	     "Limit CPU CFS (Completely Fair Scheduler) quota"},
	    {0, "cpus", CLI_OPT_STRING, &f.cpus, "decimal", "Number of CPUs"},
	    {0, "cpuset-cpus", CLI_OPT_STRING, &f.cpuset, "string",
	     "CPUs in which to allow execution (0-3, 0,1)"},
	    {0, "cpuset-mems", CLI_OPT_STRING, &f.mems, "string",
	     "MEMs in which to allow execution (0-3, 0,1)"},
	    {'m', "memory", CLI_OPT_STRING, &f.memory, "bytes", "Memory limit"},
	    {0, "memory-reservation", CLI_OPT_STRING, &f.reservation, "bytes", "Memory soft limit"},
	    {0, "memory-swap", CLI_OPT_STRING, &f.swap, "bytes",
	     "Swap limit equal to memory plus swap: -1 to enable unlimited swap"},
	    {0, "pids-limit", CLI_OPT_STRING, &f.pids, "int",
	     "Tune container pids limit (set -1 for unlimited)"},
	    {0, "restart", CLI_OPT_STRING, &f.restart, "string",
	     "Restart policy to apply when a container exits"},
	    {0, NULL, CLI_OPT_END, NULL, NULL, NULL},
	};
	int first;
	int rc = cli_parse(&spec, opts, argc, argv, &first);
	if (rc)
		return cli_parse_exit(rc);
	cleanup_json json_t *body = update_body(&spec, &f);
	if (body == NULL)
		return CLI_EXIT_USAGE;
	if (json_object_size(body) == 0) {
		cli_usage_error(&spec,
				"you must provide one or more flags when using this command");
		return CLI_EXIT_USAGE;
	}
	struct berth_error *err = NULL;
	struct client *c = cli_client(cli, &err);
	if (c == NULL)
		return cli_fail(&err);
	cleanup_free char *errors = NULL;
	/* as the docker CLI: the names, then every warning, on stdout */
	cleanup_json json_t *warnings = json_array();
	for (int i = first; i < argc; i++) {
		cleanup_free char *e = cli_path_escape(argv[i]);
		cleanup_free char *path = xasprintf("/containers/%s/update", e);
		struct client_req req;
		client_req_init(&req, "POST", path);
		req.json = body;
		struct client_resp resp;
		if (client_call(c, &req, &resp, &err) < 0) {
			cli_errors_add(&errors, err->msg);
			berth_error_free(&err);
			continue;
		}
		cleanup_json json_t *reply =
		    resp.len ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
		client_resp_clear(&resp);
		size_t k;
		json_t *w;
		json_array_foreach(json_object_get(reply, "Warnings"), k, w)
		    json_array_append(warnings, w);
		printf("%s\n", argv[i]);
	}
	size_t k;
	json_t *w;
	json_array_foreach(warnings, k, w) printf("%s\n", json_string_value(w) ?: "");
	return cli_errors_end(errors);
}
