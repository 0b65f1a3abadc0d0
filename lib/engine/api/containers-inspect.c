/* GET /containers/{name}/json: docker's inspect shape, plus berth's view of
 * the stack under "Berth" (ctr_stack_info); the Mounts, Networks and sizes
 * shared with the list. */
#include "engine/api/containers-internal.h"
#include "engine/api/exec.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "core/snapshots/snapshots.h"
#include "engine/api/images-internal.h"
#include "engine/engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void ctrapi_sizes(struct engine *e, struct container *c, int64_t *rw, int64_t *rootfs)
{
	*rw = -1;
	*rootfs = -1;
	pthread_mutex_lock(&c->lock);
	cleanup_free char *key = c->snapshot_key ? xstrdup(c->snapshot_key) : NULL;
	cleanup_free char *image_id = c->image_id ? xstrdup(c->image_id) : NULL;
	pthread_mutex_unlock(&c->lock);
	struct snap_usage u;
	struct berth_error *err = NULL;
	if (key && e->snap && snap_usage(e->snap, key, &u, &err) == 0)
		*rw = u.size;
	berth_error_free(&err);
	struct img im;
	if (*rw >= 0 && image_id && images_lookup(e, image_id, &im, NULL, &err) == 0) {
		*rootfs = *rw + im.size;
		img_free(&im);
	}
	berth_error_free(&err);
}

/* "src:dst[:opts]" of HostConfig.Binds */
static json_t *bind_mount(const char *spec)
{
	cleanup_free char *s = xstrdup(spec);
	char *dst = strchr(s, ':');
	if (dst == NULL)
		return json_pack("{s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "volume", "Name", "",
				 "Source", "", "Destination", s, "Driver", "local", "RW", true,
				 "Propagation", "");
	*dst++ = '\0';
	char *opts = strchr(dst, ':');
	if (opts)
		*opts++ = '\0';
	bool rw = true;
	const char *prop = "rprivate";
	if (opts) {
		cleanup_free char *o = xstrdup(opts);
		char *save = NULL;
		for (char *t = strtok_r(o, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			if (strcmp(t, "ro") == 0)
				rw = false;
			static const char *const props[] = {"private", "rprivate", "shared",
							    "rshared", "slave",	   "rslave"};
			for (size_t i = 0; i < sizeof(props) / sizeof(props[0]); i++)
				if (strcmp(t, props[i]) == 0)
					prop = props[i];
		}
	}
	if (s[0] == '/')
		return json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "bind", "Source", s,
				 "Destination", dst, "Mode", opts ? opts : "", "RW", rw,
				 "Propagation", prop);
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:s}", "Type", "volume", "Name", s, "Source",
			 "", "Destination", dst, "Driver", "local", "Mode", opts ? opts : "", "RW",
			 rw, "Propagation", "");
}

json_t *ctrapi_mounts(struct container *c)
{
	json_t *out = json_array();
	json_t *binds = json_object_get(c->host_config, "Binds");
	size_t i;
	json_t *v;
	json_array_foreach(binds, i, v)
	{
		if (json_is_string(v))
			json_array_append_new(out, bind_mount(json_string_value(v)));
	}
	json_t *mounts = json_object_get(c->host_config, "Mounts");
	json_array_foreach(mounts, i, v)
	{
		const char *type = json_string_value(json_object_get(v, "Type"));
		const char *src = json_string_value(json_object_get(v, "Source"));
		const char *dst = json_string_value(json_object_get(v, "Target"));
		bool ro = json_is_true(json_object_get(v, "ReadOnly"));
		type = type ? type : "bind";
		json_t *m =
		    json_pack("{s:s,s:s,s:s,s:s,s:b,s:s}", "Type", type, "Source", src ? src : "",
			      "Destination", dst ? dst : "", "Mode", "", "RW", !ro, "Propagation",
			      strcmp(type, "bind") == 0 ? "rprivate" : "");
		if (strcmp(type, "volume") == 0) {
			json_object_set_new(m, "Name", json_string(src ? src : ""));
			json_object_set_new(m, "Driver", json_string("local"));
		}
		json_array_append_new(out, m);
	}
	return out;
}

static json_t *endpoint(void)
{
	return json_pack("{s:n,s:n,s:n,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:i,s:s,s:n}", "IPAMConfig",
			 "Links", "Aliases", "NetworkID", "", "EndpointID", "", "Gateway", "",
			 "IPAddress", "", "IPPrefixLen", 0, "IPv6Gateway", "", "GlobalIPv6Address",
			 "", "GlobalIPv6PrefixLen", 0, "MacAddress", "", "DriverOpts");
}

json_t *ctrapi_networks(struct container *c)
{
	json_t *nm = json_object_get(c->host_config, "NetworkMode");
	const char *mode = json_is_string(nm) ? json_string_value(nm) : "default";
	json_t *out = json_object();
	/* container:<id> shares another container's network: no endpoint of its own.
	 * "default" is berth's isolated network namespace (no bridge yet): "none". */
	if (strncmp(mode, "container:", 10) == 0)
		return out;
	if (strcmp(mode, "default") == 0 || mode[0] == '\0')
		mode = "none";
	json_object_set_new(out, mode, endpoint());
	return out;
}

static json_t *network_settings(struct container *c)
{
	json_t *o =
	    json_pack("{s:s,s:s,s:b,s:s,s:i,s:o,s:s,s:n,s:n,s:s,s:s,s:s,s:i,s:s,s:i,s:s,"
		      "s:s}",
		      "Bridge", "", "SandboxID", "", "HairpinMode", false, "LinkLocalIPv6Address",
		      "", "LinkLocalIPv6PrefixLen", 0, "Ports", json_object(), "SandboxKey", "",
		      "SecondaryIPAddresses", "SecondaryIPv6Addresses", "EndpointID", "", "Gateway",
		      "", "GlobalIPv6Address", "", "GlobalIPv6PrefixLen", 0, "IPAddress", "",
		      "IPPrefixLen", 0, "IPv6Gateway", "", "MacAddress", "");
	json_object_set_new(o, "Networks", ctrapi_networks(c));
	return o;
}

static json_t *state_json(const struct ctr_state *st)
{
	cleanup_free char *started = ctrapi_time_rfc3339(st->started_at);
	cleanup_free char *finished = ctrapi_time_rfc3339(st->finished_at);
	bool running =
	    st->status == CTR_RUNNING || st->status == CTR_PAUSED || st->status == CTR_RESTARTING;
	return json_pack(
	    "{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s,s:s,s:s}", "Status", ctr_status_name(st->status),
	    "Running", running, "Paused", st->status == CTR_PAUSED || st->paused, "Restarting",
	    st->status == CTR_RESTARTING, "OOMKilled", st->oom_killed, "Dead",
	    st->status == CTR_DEAD, "Pid", (int)(running ? st->pid : 0), "ExitCode", st->exit_code,
	    "Error", st->error ? st->error : "", "StartedAt", started, "FinishedAt", finished);
}

static char *data_root(struct engine *e)
{
	pthread_mutex_lock(&e->lock);
	char *s = xstrdup(e->cfg.data_root ? e->cfg.data_root : "");
	pthread_mutex_unlock(&e->lock);
	return s;
}

/* the fields read under c->lock */
static void inspect_locked(json_t *o, struct container *c, const char *root,
			   const struct ctr_state *st)
{
	cleanup_free char *created = ctrapi_time_rfc3339(c->created);
	cleanup_free char *dir = xasprintf("%s/containers/%s", root, c->id);
	const char *path;
	json_t *args;
	ctrapi_path_args(c->config, &path, &args);
	json_object_set_new(o, "Id", json_string(c->id));
	json_object_set_new(o, "Created", json_string(created));
	json_object_set_new(o, "Path", json_string(path));
	json_object_set_new(o, "Args", args);
	json_object_set_new(o, "State", state_json(st));
	json_object_set_new(o, "Image", json_string(c->image_id ? c->image_id : ""));
	json_object_set_new(o, "ResolvConfPath", json_sprintf("%s/resolv.conf", dir));
	json_object_set_new(o, "HostnamePath", json_sprintf("%s/hostname", dir));
	json_object_set_new(o, "HostsPath", json_sprintf("%s/hosts", dir));
	json_object_set_new(o, "LogPath", json_string(c->log_path ? c->log_path : ""));
	json_object_set_new(o, "Name", json_string(c->name ? c->name : ""));
	json_object_set_new(o, "RestartCount", json_integer(st->restart_count));
	json_object_set_new(o, "Driver", json_string(""));
	json_object_set_new(o, "Platform", json_string("linux"));
	json_object_set_new(o, "MountLabel", json_string(""));
	json_object_set_new(o, "ProcessLabel", json_string(""));
	json_object_set_new(o, "AppArmorProfile", json_string(""));
	json_object_set_new(o, "ExecIDs", json_null());
	json_object_set_new(o, "HostConfig",
			    c->host_config ? json_deep_copy(c->host_config) : json_object());
	json_object_set_new(o, "GraphDriver", json_null());
	json_object_set_new(o, "Mounts", ctrapi_mounts(c));
	json_object_set_new(o, "Config", c->config ? json_deep_copy(c->config) : json_object());
	json_object_set_new(o, "NetworkSettings", network_settings(c));
}

json_t *ctrapi_inspect_json(struct engine *e, struct container *c, bool size)
{
	struct ctr_state st;
	ctr_state_get(c, &st);
	cleanup_free char *root = data_root(e);
	json_t *o = json_object();
	pthread_mutex_lock(&c->lock);
	inspect_locked(o, c, root, &st);
	pthread_mutex_unlock(&c->lock);
	ctr_state_clear(&st);

	json_t *gd = ctr_graph_driver(e, c);
	if (gd == NULL)
		gd = json_pack("{s:o,s:s}", "Data", json_object(), "Name", "");
	json_t *name = json_object_get(gd, "Name");
	json_object_set_new(o, "Driver",
			    json_string(json_is_string(name) ? json_string_value(name) : ""));
	json_object_set_new(o, "GraphDriver", gd);
	json_object_set_new(o, "ExecIDs", exec_ids_of(e, c->id));
	if (size) {
		int64_t rw, rootfs;
		ctrapi_sizes(e, c, &rw, &rootfs);
		json_object_set_new(o, "SizeRw", json_integer(rw < 0 ? 0 : rw));
		json_object_set_new(o, "SizeRootFs", json_integer(rootfs < 0 ? 0 : rootfs));
	}
	json_t *stack = ctr_stack_info(e, c);
	json_object_set_new(o, "Berth", stack ? stack : json_object());
	return o;
}

int containers_inspect(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct container *c;
	if (ctr_find(req->ctx, api_param(req, "name"), &c, err) < 0)
		return -1;
	json_t *o = ctrapi_inspect_json(req->ctx, c, api_query_bool(req, "size", false));
	ctr_unref(c);
	api_reply_json(resp, 200, o);
	return 0;
}
