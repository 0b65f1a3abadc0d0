/* Accessors over docker's JSON objects, warnings, and capabilities. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>

int sg_int(json_t *obj, const char *key, int64_t *out, struct berth_error **err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	*out = 0;
	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v)) {
		*out = json_integer_value(v);
		return 0;
	}
	if (json_is_real(v) && json_real_value(v) == (double)(int64_t)json_real_value(v)) {
		*out = (int64_t)json_real_value(v);
		return 0;
	}
	cleanup_free char *d = bjson_describe(v);
	return berth_error_set(err, EINVAL, "%s: expected an integer, got %s", key, d);
}

int sg_str(json_t *obj, const char *key, const char **out, struct berth_error **err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v)) {
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "%s: expected a string, got %s", key, d);
	}
	*out = json_string_value(v);
	return 0;
}

int sg_strarr(json_t *obj, const char *key, json_t **out, struct berth_error **err)
{
	json_t *v = obj ? json_object_get(obj, key) : NULL;
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "%s: expected an array of strings, got %s", key,
				       d);
	}
	size_t i;
	json_t *e;
	json_array_foreach(v, i, e)
	{
		if (!json_is_string(e)) {
			cleanup_free char *d = bjson_describe(e);
			return berth_error_set(err, EINVAL, "%s[%zu]: expected a string, got %s",
					       key, i, d);
		}
	}
	*out = v;
	return 0;
}

bool sg_bool(json_t *obj, const char *key)
{
	return obj && json_is_true(json_object_get(obj, key));
}

json_t *sg_strings(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

bool sg_array_has(json_t *arr, const char *s)
{
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		if (json_is_string(e) && strcmp(json_string_value(e), s) == 0)
			return true;
	}
	return false;
}

void sg_warn(char ***warnings, const char *fmt, ...)
{
	if (warnings == NULL)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *msg = NULL;
	if (vasprintf(&msg, fmt, ap) < 0)
		abort();
	va_end(ap);
	size_t n = *warnings ? strv_len(*warnings) : 0;
	*warnings = xrealloc(*warnings, (n + 2) * sizeof(char *));
	(*warnings)[n] = msg;
	(*warnings)[n + 1] = NULL;
}

/* Capabilities by number (linux/capability.h order). */
static const char *const all_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_DAC_READ_SEARCH",
    "CAP_FOWNER",
    "CAP_FSETID",
    "CAP_KILL",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETPCAP",
    "CAP_LINUX_IMMUTABLE",
    "CAP_NET_BIND_SERVICE",
    "CAP_NET_BROADCAST",
    "CAP_NET_ADMIN",
    "CAP_NET_RAW",
    "CAP_IPC_LOCK",
    "CAP_IPC_OWNER",
    "CAP_SYS_MODULE",
    "CAP_SYS_RAWIO",
    "CAP_SYS_CHROOT",
    "CAP_SYS_PTRACE",
    "CAP_SYS_PACCT",
    "CAP_SYS_ADMIN",
    "CAP_SYS_BOOT",
    "CAP_SYS_NICE",
    "CAP_SYS_RESOURCE",
    "CAP_SYS_TIME",
    "CAP_SYS_TTY_CONFIG",
    "CAP_MKNOD",
    "CAP_LEASE",
    "CAP_AUDIT_WRITE",
    "CAP_AUDIT_CONTROL",
    "CAP_SETFCAP",
    "CAP_MAC_OVERRIDE",
    "CAP_MAC_ADMIN",
    "CAP_SYSLOG",
    "CAP_WAKE_ALARM",
    "CAP_BLOCK_SUSPEND",
    "CAP_AUDIT_READ",
    "CAP_PERFMON",
    "CAP_BPF",
    "CAP_CHECKPOINT_RESTORE",
};
#define N_CAPS (sizeof(all_caps) / sizeof(all_caps[0]))

/* docker's DefaultCapabilities (oci/caps/defaults.go), in its order */
static const char *const default_caps[] = {
    "CAP_CHOWN",
    "CAP_DAC_OVERRIDE",
    "CAP_FSETID",
    "CAP_FOWNER",
    "CAP_MKNOD",
    "CAP_NET_RAW",
    "CAP_SETGID",
    "CAP_SETUID",
    "CAP_SETFCAP",
    "CAP_SETPCAP",
    "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT",
    "CAP_KILL",
    "CAP_AUDIT_WRITE",
    NULL,
};

/* The kernel's last capability: GetAllCapabilities lists only those. */
static size_t known_caps(void)
{
	size_t n = N_CAPS;
	cleanup_fclose FILE *f = fopen("/proc/sys/kernel/cap_last_cap", "re");
	unsigned last;
	if (f && fscanf(f, "%u", &last) == 1 && last + 1 < n)
		n = last + 1;
	return n;
}

/* "net_admin" -> "CAP_NET_ADMIN"; "ALL" stays; unknown: EINVAL. */
static int normalize_caps(json_t *in, json_t **out, struct berth_error **err)
{
	json_t *res = json_array();
	size_t i;
	json_t *e;
	json_array_foreach(in, i, e)
	{
		const char *s = json_string_value(e);
		size_t len = strlen(s);
		cleanup_free char *up = xmalloc(len + 5);
		bool prefixed = strncasecmp(s, "CAP_", 4) == 0;
		snprintf(up, len + 5, "%s%s", prefixed ? "" : "CAP_", s);
		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strcasecmp(s, "ALL") == 0) {
			json_array_append_new(res, json_string("ALL"));
			continue;
		}
		bool ok = false;
		for (size_t c = 0; c < N_CAPS && !ok; c++)
			ok = strcmp(all_caps[c], up) == 0;
		if (!ok) {
			json_decref(res);
			return berth_error_set(err, EINVAL, "unknown capability: \"%s\"", up);
		}
		if (!sg_array_has(res, up))
			json_array_append_new(res, json_string(up));
	}
	*out = res;
	return 0;
}

static void add_unique(json_t *caps, const char *c)
{
	if (strcmp(c, "ALL") != 0 && !sg_array_has(caps, c))
		json_array_append_new(caps, json_string(c));
}

int sg_capabilities(json_t *cap_add, json_t *cap_drop, bool privileged, json_t **caps,
		    struct berth_error **err)
{
	cleanup_json json_t *add = NULL;
	cleanup_json json_t *drop = NULL;
	cleanup_json json_t *empty = json_array();
	/* dockerd's messages: "invalid CapAdd: unknown capability: ..." */
	if (normalize_caps(cap_add ? cap_add : empty, &add, err) < 0)
		return berth_error_wrap(err, "invalid CapAdd");
	if (normalize_caps(cap_drop ? cap_drop : empty, &drop, err) < 0)
		return berth_error_wrap(err, "invalid CapDrop");
	json_t *res = json_array();
	size_t n = known_caps();
	if (privileged || sg_array_has(add, "ALL")) {
		/* every capability berthd itself can grant (its bounding set), as
		 * containerd's WithAllCurrentCapabilities: capset would refuse more */
		for (size_t c = 0; c < n; c++)
			if (prctl(PR_CAPBSET_READ, (unsigned long)c, 0, 0, 0) != 0 &&
			    (privileged || !sg_array_has(drop, all_caps[c])))
				json_array_append_new(res, json_string(all_caps[c]));
		*caps = res;
		return 0;
	}
	if (!sg_array_has(drop, "ALL")) {
		for (size_t c = 0; default_caps[c]; c++)
			if (!sg_array_has(drop, default_caps[c]))
				add_unique(res, default_caps[c]);
	}
	size_t i;
	json_t *e;
	json_array_foreach(add, i, e)
	{
		add_unique(res, json_string_value(e));
	}
	*caps = res;
	return 0;
}

json_t *sg_caps_object(json_t *caps, bool root)
{
	/* moby's SetCapabilities: a user other than root gets no effective and
	 * permitted capabilities, as its execve would leave it */
	if (!root)
		return json_pack("{s:O}", "bounding", caps);
	return json_pack("{s:O,s:O,s:O}", "bounding", caps, "effective", caps, "permitted", caps);
}
