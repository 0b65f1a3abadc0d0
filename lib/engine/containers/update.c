/* ctr_update: POST /containers/{id}/update (resources and RestartPolicy):
 * checked like a create's HostConfig, applied to the running task through
 * the shim (the resources of the spec the new HostConfig makes), stored. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "engine/spec/specgen.h"

#include <errno.h>
#include <string.h>

static const char *const update_keys[] = {
    "BlkioWeight",	 "CpuShares",	      "CpuPeriod",
    "CpuQuota",		 "CpuRealtimePeriod", "CpuRealtimeRuntime",
    "CpusetCpus",	 "CpusetMems",	      "Memory",
    "MemoryReservation", "MemorySwap",	      "KernelMemory",
    "NanoCpus",		 "PidsLimit",	      "RestartPolicy",
    "BlkioWeightDevice", "CpuCount",	      "CpuPercent",
    "MemorySwappiness",	 "OomKillDisable",    NULL,
};

static bool is_zero(json_t *v)
{
	return json_is_null(v) || (json_is_integer(v) && json_integer_value(v) == 0) ||
	       (json_is_string(v) && json_string_length(v) == 0);
}

int ctr_update(struct engine *e, struct container *c, json_t *body, char ***warnings,
	       struct berth_error **err)
{
	if (!json_is_object(body))
		return berth_error_set(err, EINVAL, "the request body must be a JSON object");
	pthread_mutex_lock(&c->priv->op);
	pthread_mutex_lock(&c->lock);
	cleanup_json json_t *hc = json_deep_copy(c->host_config);
	enum ctr_status st = c->state.status;
	bool autorm = json_is_true(json_object_get(c->host_config, "AutoRemove"));
	pthread_mutex_unlock(&c->lock);
	int rc = 0;
	json_t *rp = json_object_get(body, "RestartPolicy");
	const char *rpn = json_string_value(json_object_get(rp, "Name"));
	if (rpn && rpn[0] && strcmp(rpn, "no") != 0 && autorm)
		rc = berth_error_set(err, EINVAL,
				     "Cannot update container %s: Restart policy cannot be "
				     "updated because AutoRemove is enabled for the container",
				     c->id);
	for (size_t i = 0; rc == 0 && update_keys[i]; i++) {
		json_t *v = json_object_get(body, update_keys[i]);
		if (!v)
			continue;
		/* zero values leave the current setting, as dockerd */
		if (is_zero(v) && strcmp(update_keys[i], "RestartPolicy") != 0)
			continue;
		if (strcmp(update_keys[i], "RestartPolicy") == 0 && (!rpn || !rpn[0]))
			continue;
		json_object_set(hc, update_keys[i], v);
	}
	if (rc == 0)
		rc = specgen_check_hostconfig(hc, NULL, err);
	/* the warnings are those of the request's own fields, as dockerd's
	 * (not a stored KernelMemory's again on every later update) */
	if (rc == 0 && warnings) {
		cleanup_json json_t *mine = json_object();
		for (size_t i = 0; update_keys[i]; i++) {
			json_t *v = json_object_get(body, update_keys[i]);
			if (v && !is_zero(v))
				json_object_set(mine, update_keys[i], v);
		}
		specgen_check_hostconfig(mine, warnings, NULL);
	}
	/* a negative PidsLimit lifts the limit (dockerd: 0 in inspect, pids.max
	 * "max"); 0 or null leaves it */
	json_t *pl = json_object_get(body, "PidsLimit");
	bool pids_unlimited = json_is_integer(pl) && json_integer_value(pl) < 0;
	if (rc == 0 && pids_unlimited)
		json_object_set_new(hc, "PidsLimit", json_integer(0));
	if (rc == 0 && (st == CTR_RUNNING || st == CTR_PAUSED)) {
		cleanup_json json_t *spec = NULL;
		rc = ctr_build_spec(e, c, hc, &spec, err);
		json_t *res = json_object_get(json_object_get(spec, "linux"), "resources");
		if (rc == 0) {
			cleanup_json json_t *r = res ? json_deep_copy(res) : json_object();
			if (pids_unlimited)
				json_object_set_new(r, "pids",
						    json_pack("{s:I}", "limit", (json_int_t)-1));
			cleanup_json json_t *req =
			    json_pack("{s:s,s:O}", "op", "update", "resources", r);
			json_t *reply = NULL;
			rc = ctr_shim_call(c, req, 10000, &reply, err);
			json_decref(reply);
		}
		if (rc < 0)
			berth_error_wrap(err, "Cannot update container %s", c->id);
	}
	if (rc == 0) {
		pthread_mutex_lock(&c->lock);
		json_t *old = c->host_config;
		c->host_config = json_incref(hc);
		rc = ctr_persist_locked(e, c, true, err);
		if (rc < 0) {
			json_decref(c->host_config);
			c->host_config = old;
		} else {
			json_decref(old);
		}
		pthread_mutex_unlock(&c->lock);
	}
	pthread_mutex_unlock(&c->priv->op);
	if (rc == 0)
		ctr_event(e, c, "update", NULL);
	return rc;
}
