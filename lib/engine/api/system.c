/* System endpoints: /_ping (GET, HEAD), /version, /info. */
#include "engine/api/api.h"
#include "engine/api/images-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "engine/build-info.h"
#include "engine/containers/container.h"
#include "engine/engine.h"
#include "engine/hostinfo.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void ping_headers(struct api_response *resp)
{
	api_header_add(resp, "Cache-Control", "no-cache, no-store, must-revalidate");
	api_header_add(resp, "Pragma", "no-cache");
}

static int ping_get(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)req;
	(void)err;
	api_reply_text(resp, 200, "text/plain; charset=utf-8", "OK");
	ping_headers(resp);
	return 0;
}

static int ping_head(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)req;
	(void)err;
	api_reply_text(resp, 200, "text/plain; charset=utf-8", "");
	ping_headers(resp);
	return 0;
}

static int version(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	(void)req;
	(void)err;
	struct host_info h;
	host_info_read(&h, NULL);
	json_t *details =
	    json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "ApiVersion", API_VERSION_MAX,
		      "Arch", h.goarch, "BuildTime", BERTH_BUILD_TIME, "Experimental", "false",
		      "GitCommit", BERTH_GIT_COMMIT, "GoVersion", BERTH_COMPILER, "KernelVersion",
		      h.kernel, "MinAPIVersion", API_VERSION_MIN, "Os", "linux");
	json_t *engine = json_pack("{s:s,s:s,s:o}", "Name", "Engine", "Version", BERTH_VERSION,
				   "Details", details);
	json_t *v =
	    json_pack("{s:{s:s},s:[o],s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "Platform", "Name",
		      "berth", "Components", engine, "Version", BERTH_VERSION, "ApiVersion",
		      API_VERSION_MAX, "MinAPIVersion", API_VERSION_MIN, "GitCommit",
		      BERTH_GIT_COMMIT, "GoVersion", BERTH_COMPILER, "Os", "linux", "Arch",
		      h.goarch, "KernelVersion", h.kernel, "BuildTime", BERTH_BUILD_TIME);
	host_info_free(&h);
	if (v == NULL)
		abort();
	api_reply_json(resp, 200, v);
	return 0;
}

static json_t *strv_json(char **v)
{
	json_t *a = json_array();
	for (size_t i = 0; v && v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

/* RegistryConfig as dockerd reports it: 127.0.0.0/8 is always insecure; a
 * host name in insecure-registries gets an IndexConfigs entry with Secure
 * false, a CIDR goes to InsecureRegistryCIDRs. */
static json_t *registry_config(const struct engine_config *c)
{
	json_t *cidrs = json_pack("[s]", "127.0.0.0/8");
	json_t *index = json_object();
	json_object_set_new(index, "docker.io",
			    json_pack("{s:s,s:o,s:b,s:b}", "Name", "docker.io", "Mirrors",
				      strv_json(c->registry_mirrors), "Secure", 1, "Official", 1));
	for (size_t i = 0; c->insecure_registries[i]; i++) {
		const char *r = c->insecure_registries[i];
		if (strchr(r, '/') != NULL) {
			if (strcmp(r, "127.0.0.0/8") != 0)
				json_array_append_new(cidrs, json_string(r));
			continue;
		}
		json_object_set_new(index, r,
				    json_pack("{s:s,s:[],s:b,s:b}", "Name", r, "Mirrors", "Secure",
					      0, "Official", 0));
	}
	return json_pack("{s:[],s:[],s:o,s:o,s:o}", "AllowNondistributableArtifactsCIDRs",
			 "AllowNondistributableArtifactsHostnames", "InsecureRegistryCIDRs", cidrs,
			 "IndexConfigs", index, "Mirrors", strv_json(c->registry_mirrors));
}

static json_t *runtimes_json(const struct engine_config *c)
{
	json_t *o = json_object();
	for (size_t i = 0; engine_builtin_runtimes[i]; i++)
		json_object_set_new(o, engine_builtin_runtimes[i],
				    json_pack("{s:s}", "path", engine_builtin_runtimes[i]));
	for (size_t i = 0; i < c->nruntimes; i++) {
		json_t *r = json_pack("{s:s}", "path", c->runtimes[i].path);
		if (c->runtimes[i].args[0])
			json_object_set_new(r, "runtimeArgs", strv_json(c->runtimes[i].args));
		json_object_set_new(o, c->runtimes[i].name, r);
	}
	return o;
}

static char *system_time(void)
{
	struct timespec ts;
	struct tm tm;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	char buf[64];
	size_t n = strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, sizeof(buf) - n, ".%09ldZ", ts.tv_nsec);
	return xstrdup(buf);
}

static json_t *security_options(const struct host_info *h)
{
	json_t *a = json_array();
	if (h->seccomp)
		json_array_append_new(a, json_string("name=seccomp,profile=builtin"));
	if (h->cgroup_version == 2)
		json_array_append_new(a, json_string("name=cgroupns"));
	return a;
}

static json_t *info_warnings(const struct host_info *h)
{
	json_t *w = json_array();
	if (!h->ip_forward)
		json_array_append_new(w, json_string("WARNING: IPv4 forwarding is disabled"));
	return w;
}

static void env_str(json_t *o, const char *key, const char *a, const char *b)
{
	const char *v = getenv(a);
	if (v == NULL)
		v = getenv(b);
	json_object_set_new(o, key, json_string(v ? v : ""));
}

/* dockerd's counts: paused, else running (restarting too), else stopped */
static void container_counts(struct engine *e, int n[4])
{
	n[0] = n[1] = n[2] = n[3] = 0;
	if (e->containers == NULL)
		return;
	struct container **v = NULL;
	size_t nv = 0;
	ctr_list(e, &v, &nv);
	for (size_t i = 0; i < nv; i++) {
		struct ctr_state st;
		ctr_state_get(v[i], &st);
		n[0]++;
		if (st.status == CTR_PAUSED)
			n[2]++;
		else if (st.status == CTR_RUNNING || st.status == CTR_RESTARTING)
			n[1]++;
		else
			n[3]++;
		ctr_state_clear(&st);
	}
	ctr_list_free(v, nv);
}

/* What berth knows: containers (all, running, paused, stopped) and images. */
static int info(struct api_request *req, struct api_response *resp, struct berth_error **err)
{
	struct engine *e = req->ctx;
	int cn[4];
	container_counts(e, cn);
	struct engine_config c;
	engine_config_snapshot(e, &c);
	struct host_info h;
	host_info_read(&h, c.data_root);
	cleanup_free char *now = system_time();
	char cgv[8];
	snprintf(cgv, sizeof(cgv), "%d", h.cgroup_version);
	json_t *o =
	    json_pack("{s:s,s:i,s:i,s:i,s:i,s:i,s:s,s:[[s,s]],s:{s:[s],s:[s,s,s],s:n,s:[s]}}", "ID",
		      e->id, "Containers", cn[0], "ContainersRunning", cn[1], "ContainersPaused",
		      cn[2], "ContainersStopped", cn[3], "Images", (int)api_images_count(e),
		      "Driver", c.storage_driver, "DriverStatus", "Backing Filesystem",
		      h.root_fs_type, "Plugins", "Volume", "local", "Network", "bridge", "host",
		      "null", "Authorization", "Log", "json-file");
	if (o == NULL) {
		host_info_free(&h);
		engine_config_free(&c);
		return berth_error_set(err, EILSEQ, "info: host data is not valid UTF-8");
	}
	const char *flags[] = {"MemoryLimit", "SwapLimit",	  "CpuCfsPeriod",
			       "CpuCfsQuota", "CPUShares",	  "CPUSet",
			       "PidsLimit",   "BridgeNfIptables", "BridgeNfIp6tables"};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		json_object_set_new(o, flags[i], json_true());
	json_object_set_new(o, "KernelMemory", json_false());
	json_object_set_new(o, "KernelMemoryTCP", json_false());
	json_object_set_new(o, "IPv4Forwarding", json_boolean(h.ip_forward));
	json_object_set_new(o, "Debug", json_boolean(c.debug));
	json_object_set_new(o, "NFd", json_integer(host_info_nfd()));
	json_object_set_new(o, "OomKillDisable", json_boolean(h.cgroup_version == 1));
	json_object_set_new(o, "NGoroutines", json_integer(host_info_nthreads()));
	json_object_set_new(o, "SystemTime", json_string(now));
	json_object_set_new(o, "LoggingDriver", json_string(c.log_driver));
	json_object_set_new(o, "CgroupDriver", json_string("cgroupfs"));
	json_object_set_new(o, "CgroupVersion", json_string(cgv));
	json_object_set_new(o, "NEventsListener", json_integer(0));
	json_object_set_new(o, "KernelVersion", json_string(h.kernel));
	json_object_set_new(o, "OperatingSystem", json_string(h.os_name));
	json_object_set_new(o, "OSVersion", json_string(h.os_version));
	json_object_set_new(o, "OSType", json_string("linux"));
	json_object_set_new(o, "Architecture", json_string(h.machine));
	json_object_set_new(o, "IndexServerAddress", json_string("https://index.docker.io/v1/"));
	json_object_set_new(o, "RegistryConfig", registry_config(&c));
	json_object_set_new(o, "NCPU", json_integer(h.ncpu));
	json_object_set_new(o, "MemTotal", json_integer(h.mem_total));
	json_object_set_new(o, "GenericResources", json_null());
	json_object_set_new(o, "DockerRootDir", json_string(c.data_root));
	env_str(o, "HttpProxy", "HTTP_PROXY", "http_proxy");
	env_str(o, "HttpsProxy", "HTTPS_PROXY", "https_proxy");
	env_str(o, "NoProxy", "NO_PROXY", "no_proxy");
	json_object_set_new(o, "Name", json_string(h.hostname));
	json_object_set_new(o, "Labels", strv_json(c.labels));
	json_object_set_new(o, "ExperimentalBuild", json_false());
	json_object_set_new(o, "ServerVersion", json_string(BERTH_VERSION));
	json_object_set_new(o, "Runtimes", runtimes_json(&c));
	json_object_set_new(o, "DefaultRuntime", json_string(c.default_runtime));
	json_object_set_new(o, "Swarm",
			    json_pack("{s:s,s:s,s:s,s:b,s:s,s:n}", "NodeID", "", "NodeAddr", "",
				      "LocalNodeState", "inactive", "ControlAvailable", 0, "Error",
				      "", "RemoteManagers"));
	json_object_set_new(o, "LiveRestoreEnabled", json_false());
	json_object_set_new(o, "Isolation", json_string(""));
	json_object_set_new(o, "InitBinary", json_string(""));
	json_object_set_new(o, "ContainerdCommit",
			    json_pack("{s:s,s:s}", "ID", "", "Expected", ""));
	json_object_set_new(o, "RuncCommit", json_pack("{s:s,s:s}", "ID", "", "Expected", ""));
	json_object_set_new(o, "InitCommit", json_pack("{s:s,s:s}", "ID", "", "Expected", ""));
	json_object_set_new(o, "SecurityOptions", security_options(&h));
	json_object_set_new(o, "Warnings", info_warnings(&h));
	host_info_free(&h);
	engine_config_free(&c);
	api_reply_json(resp, 200, o);
	return 0;
}

const struct api_route api_system_routes[] = {
    {"GET", "/_ping", ping_get},  {"HEAD", "/_ping", ping_head},
    {"GET", "/version", version}, {"GET", "/info", info},
    {NULL, NULL, NULL},
};
