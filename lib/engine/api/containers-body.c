/* Checks of the create and update bodies and of container names (before
 * the lifecycle code sees them: a bad body is a 400 naming the field, never a
 * 404 that would make the docker CLI pull). */
#include "engine/api/containers-internal.h"

#include "common/cleanup.h"
#include "common/json.h"

#include <errno.h>
#include <string.h>

enum kind { K_STR, K_BOOL, K_INT, K_STRV, K_STRSLICE, K_OBJ, K_STRMAP, K_ARR };

struct field {
	const char *key;
	enum kind kind;
};

static const struct field config_fields[] = {
    {"Hostname", K_STR},
    {"Domainname", K_STR},
    {"User", K_STR},
    {"Image", K_STR},
    {"WorkingDir", K_STR},
    {"StopSignal", K_STR},
    {"MacAddress", K_STR},
    {"AttachStdin", K_BOOL},
    {"AttachStdout", K_BOOL},
    {"AttachStderr", K_BOOL},
    {"Tty", K_BOOL},
    {"OpenStdin", K_BOOL},
    {"StdinOnce", K_BOOL},
    {"NetworkDisabled", K_BOOL},
    {"ArgsEscaped", K_BOOL},
    {"Cmd", K_STRSLICE},
    {"Entrypoint", K_STRSLICE},
    {"Env", K_STRV},
    {"OnBuild", K_STRV},
    {"Labels", K_STRMAP},
    {"ExposedPorts", K_OBJ},
    {"Volumes", K_OBJ},
    {"HostConfig", K_OBJ},
    {"NetworkingConfig", K_OBJ},
    {"Healthcheck", K_OBJ},
    {"StopTimeout", K_INT},
    {NULL, 0},
};

static const struct field host_fields[] = {
    {"Binds", K_STRV},
    {"ContainerIDFile", K_STR},
    {"LogConfig", K_OBJ},
    {"NetworkMode", K_STR},
    {"PortBindings", K_OBJ},
    {"RestartPolicy", K_OBJ},
    {"AutoRemove", K_BOOL},
    {"VolumeDriver", K_STR},
    {"VolumesFrom", K_STRV},
    {"CapAdd", K_STRSLICE},
    {"CapDrop", K_STRSLICE},
    {"Dns", K_STRV},
    {"DnsOptions", K_STRV},
    {"DnsSearch", K_STRV},
    {"ExtraHosts", K_STRV},
    {"GroupAdd", K_STRV},
    {"IpcMode", K_STR},
    {"Cgroup", K_STR},
    {"Links", K_STRV},
    {"OomScoreAdj", K_INT},
    {"PidMode", K_STR},
    {"Privileged", K_BOOL},
    {"PublishAllPorts", K_BOOL},
    {"ReadonlyRootfs", K_BOOL},
    {"SecurityOpt", K_STRV},
    {"StorageOpt", K_STRMAP},
    {"Tmpfs", K_STRMAP},
    {"UTSMode", K_STR},
    {"UsernsMode", K_STR},
    {"ShmSize", K_INT},
    {"Sysctls", K_STRMAP},
    {"Runtime", K_STR},
    {"Isolation", K_STR},
    {"CpuShares", K_INT},
    {"Memory", K_INT},
    {"NanoCpus", K_INT},
    {"CgroupParent", K_STR},
    {"BlkioWeight", K_INT},
    {"CpuPeriod", K_INT},
    {"CpuQuota", K_INT},
    {"CpusetCpus", K_STR},
    {"CpusetMems", K_STR},
    {"Devices", K_ARR},
    {"MemoryReservation", K_INT},
    {"MemorySwap", K_INT},
    {"OomKillDisable", K_BOOL},
    {"PidsLimit", K_INT},
    {"Ulimits", K_ARR},
    {"Mounts", K_ARR},
    {"MaskedPaths", K_STRV},
    {"ReadonlyPaths", K_STRV},
    {"Init", K_BOOL},
    {"ConsoleSize", K_ARR},
    {"CgroupnsMode", K_STR},
    {NULL, 0},
};

static bool all_strings(json_t *v, bool values)
{
	if (values) {
		const char *k;
		json_t *x;
		json_object_foreach(v, k, x) if (!json_is_string(x)) return false;
		return true;
	}
	size_t i;
	json_t *x;
	json_array_foreach(v, i, x) if (!json_is_string(x)) return false;
	return true;
}

static bool kind_ok(json_t *v, enum kind k)
{
	switch (k) {
	case K_STR:
		return json_is_string(v);
	case K_BOOL:
		return json_is_boolean(v);
	case K_INT:
		return json_is_integer(v);
	case K_STRV:
		return json_is_array(v) && all_strings(v, false);
	case K_STRSLICE:
		return json_is_string(v) || (json_is_array(v) && all_strings(v, false));
	case K_OBJ:
		return json_is_object(v);
	case K_STRMAP:
		return json_is_object(v) && all_strings(v, true);
	case K_ARR:
		return json_is_array(v);
	}
	return false;
}

static const char *const kind_names[] = {
    "a string",
    "a boolean",
    "an integer",
    "an array of strings",
    "a string or an array of strings",
    "an object",
    "an object of strings",
    "an array",
};

static int check_fields(json_t *o, const char *prefix, const struct field *f,
			struct berth_error **err)
{
	for (size_t i = 0; f[i].key; i++) {
		json_t *v = json_object_get(o, f[i].key);
		if (v == NULL || json_is_null(v) || kind_ok(v, f[i].kind))
			continue;
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "invalid body: %s%s: expected %s, got %s",
				       prefix, f[i].key, kind_names[f[i].kind], d);
	}
	return 0;
}

/* The first checks of a create body, before the image is looked up (so a
 * bad body is a 400, never a 404 that would make the CLI pull). */
int ctrapi_check_create_body(json_t *body, struct berth_error **err)
{
	if (check_fields(body, "", config_fields, err) < 0)
		return -1;
	/* docker's strslice: a string is a one-element list */
	const char *slices[] = {"Cmd", "Entrypoint"};
	for (size_t i = 0; i < sizeof(slices) / sizeof(slices[0]); i++) {
		json_t *v = json_object_get(body, slices[i]);
		if (json_is_string(v))
			json_object_set_new(body, slices[i], json_pack("[O]", v));
	}
	json_t *image = json_object_get(body, "Image");
	if (!json_is_string(image) || json_string_length(image) == 0)
		return berth_error_set(
		    err, EINVAL, "invalid body: Image: a non-empty image reference is required");
	json_t *hc = json_object_get(body, "HostConfig");
	if (json_is_object(hc)) {
		if (check_fields(hc, "HostConfig.", host_fields, err) < 0)
			return -1;
		json_t *rp = json_object_get(hc, "RestartPolicy");
		json_t *n = json_object_get(rp, "Name");
		json_t *m = json_object_get(rp, "MaximumRetryCount");
		if ((n && !json_is_null(n) && !json_is_string(n)) ||
		    (m && !json_is_null(m) && !json_is_integer(m)))
			return berth_error_set(
			    err, EINVAL,
			    "invalid body: HostConfig.RestartPolicy: expected "
			    "{\"Name\": string, \"MaximumRetryCount\": integer}");
	}
	return 0;
}

/* docker's validContainerNamePattern: [a-zA-Z0-9][a-zA-Z0-9_.-]+ (an
 * optional leading "/") */
int ctrapi_check_name(const char *name, struct berth_error **err)
{
	const char *n = name[0] == '/' ? name + 1 : name;
	bool ok = strlen(n) >= 2;
	for (size_t i = 0; ok && n[i]; i++) {
		char ch = n[i];
		bool alnum = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			     (ch >= '0' && ch <= '9');
		if (!alnum && (i == 0 || (ch != '_' && ch != '.' && ch != '-')))
			ok = false;
	}
	if (!ok)
		return berth_error_set(
		    err, EINVAL,
		    "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] "
		    "are allowed",
		    name);
	return 0;
}

static const struct field update_fields[] = {
    {"CpuShares", K_INT},
    {"Memory", K_INT},
    {"NanoCpus", K_INT},
    {"CgroupParent", K_STR},
    {"BlkioWeight", K_INT},
    {"CpuPeriod", K_INT},
    {"CpuQuota", K_INT},
    {"CpuRealtimePeriod", K_INT},
    {"CpuRealtimeRuntime", K_INT},
    {"CpusetCpus", K_STR},
    {"CpusetMems", K_STR},
    {"MemoryReservation", K_INT},
    {"MemorySwap", K_INT},
    {"KernelMemory", K_INT},
    {"PidsLimit", K_INT},
    {"RestartPolicy", K_OBJ},
    {"OomKillDisable", K_BOOL},
    {"Devices", K_ARR},
    {"Ulimits", K_ARR},
    {NULL, 0},
};

int ctrapi_check_update_body(json_t *body, struct berth_error **err)
{
	return check_fields(body, "", update_fields, err);
}
