/* SecurityOpt (docker's parseSecurityOpt) and seccomp profiles: docker's
 * profile format (archMap, includes/excludes on caps, arches and minKernel,
 * name or names) resolved into the OCI linux.seccomp object for this
 * machine and the container's bounding capabilities, as dockerd's
 * setupSeccomp does. */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/seccomp.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#if defined(__x86_64__)
#define HOST_SCMP_ARCH "SCMP_ARCH_X86_64"
#define HOST_GOARCH "amd64"
#elif defined(__aarch64__)
#define HOST_SCMP_ARCH "SCMP_ARCH_AARCH64"
#define HOST_GOARCH "arm64"
#elif defined(__i386__)
#define HOST_SCMP_ARCH "SCMP_ARCH_X86"
#define HOST_GOARCH "386"
#elif defined(__riscv) && __riscv_xlen == 64
#define HOST_SCMP_ARCH "SCMP_ARCH_RISCV64"
#define HOST_GOARCH "riscv64"
#elif defined(__s390x__)
#define HOST_SCMP_ARCH "SCMP_ARCH_S390X"
#define HOST_GOARCH "s390x"
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HOST_SCMP_ARCH "SCMP_ARCH_PPC64LE"
#define HOST_GOARCH "ppc64le"
#else
#define HOST_SCMP_ARCH ""
#define HOST_GOARCH ""
#endif

/* Go's strconv.ParseBool */
static int parse_bool(const char *s, bool *out)
{
	static const char *const t[] = {"1", "t", "T", "TRUE", "true", "True", NULL};
	static const char *const f[] = {"0", "f", "F", "FALSE", "false", "False", NULL};
	for (size_t i = 0; t[i]; i++) {
		if (strcmp(s, t[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcmp(s, f[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

int sg_security_opts(json_t *host_config, struct sg_secopts *out, char ***warnings,
		     struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	json_t *opts;
	if (sg_strarr(host_config, "SecurityOpt", &opts, err) < 0)
		return -1;
	size_t i;
	json_t *e;
	json_array_foreach(opts, i, e)
	{
		const char *opt = json_string_value(e);
		if (strcmp(opt, "no-new-privileges") == 0) {
			out->no_new_privileges = true;
			continue;
		}
		if (strcmp(opt, "disable") == 0)
			continue; /* label=disable: no SELinux labels here anyway */
		const char *sep = strchr(opt, '=');
		if (sep == NULL)
			sep = strchr(opt, ':');
		if (sep == NULL)
			return berth_error_set(err, EINVAL, "invalid --security-opt 1: \"%s\"",
					       opt);
		size_t klen = (size_t)(sep - opt);
		const char *val = sep + 1;
		if (klen == 5 && strncmp(opt, "label", 5) == 0) {
			if (strcmp(val, "disable") != 0)
				sg_warn(warnings,
					"SecurityOpt %s: SELinux labels are not supported "
					"by berth: ignored",
					opt);
		} else if (klen == 8 && strncmp(opt, "apparmor", 8) == 0) {
			if (strcmp(val, "unconfined") != 0)
				sg_warn(warnings,
					"SecurityOpt %s: AppArmor is not supported by "
					"berth: ignored",
					opt);
		} else if (klen == 7 && strncmp(opt, "seccomp", 7) == 0) {
			out->seccomp_unconfined = strcmp(val, "unconfined") == 0;
			out->seccomp_profile = NULL;
			if (!out->seccomp_unconfined && strcmp(val, "builtin") != 0)
				out->seccomp_profile = val;
		} else if (klen == 17 && strncmp(opt, "no-new-privileges", 17) == 0) {
			if (parse_bool(val, &out->no_new_privileges) < 0)
				return berth_error_set(err, EINVAL,
						       "invalid --security-opt 2: \"%s\"", opt);
		} else if (klen == 11 && strncmp(opt, "systempaths", 11) == 0 &&
			   strcmp(val, "unconfined") == 0) {
			out->systempaths_unconfined = true;
		} else {
			return berth_error_set(err, EINVAL, "invalid --security-opt 2: \"%s\"",
					       opt);
		}
	}
	return 0;
}

/* kernel >= "major.minor" */
static bool kernel_at_least(const char *v)
{
	struct utsname u;
	unsigned a = 0, b = 0, ka = 0, kb = 0;
	if (uname(&u) < 0 || sscanf(u.release, "%u.%u", &ka, &kb) < 1 ||
	    sscanf(v, "%u.%u", &a, &b) < 1)
		return false;
	return ka > a || (ka == a && kb >= b);
}

static bool all_in(json_t *want, json_t *have)
{
	size_t i;
	json_t *e;
	json_array_foreach(want, i, e)
	{
		if (!json_is_string(e) || !sg_array_has(have, json_string_value(e)))
			return false;
	}
	return true;
}

static bool any_in(json_t *want, json_t *have)
{
	size_t i;
	json_t *e;
	json_array_foreach(want, i, e)
	{
		if (json_is_string(e) && sg_array_has(have, json_string_value(e)))
			return true;
	}
	return false;
}

/* docker's filter: excludes (any cap/arch, minKernel reached) drop the
 * rule; includes (all caps, the arch, minKernel) are required. */
static bool rule_applies(json_t *rule, json_t *caps, json_t *arch)
{
	json_t *ex = json_object_get(rule, "excludes");
	json_t *in = json_object_get(rule, "includes");
	if (json_is_object(ex)) {
		json_t *mk = json_object_get(ex, "minKernel");
		if (any_in(json_object_get(ex, "arches"), arch) ||
		    any_in(json_object_get(ex, "caps"), caps) ||
		    (json_is_string(mk) && kernel_at_least(json_string_value(mk))))
			return false;
	}
	if (json_is_object(in)) {
		json_t *arches = json_object_get(in, "arches");
		json_t *mk = json_object_get(in, "minKernel");
		if (json_array_size(arches) > 0 && !any_in(arches, arch))
			return false;
		if (!all_in(json_object_get(in, "caps"), caps))
			return false;
		if (json_is_string(mk) && !kernel_at_least(json_string_value(mk)))
			return false;
	}
	return true;
}

static int resolve_arches(json_t *prof, json_t *out, struct berth_error **err)
{
	json_t *archs = json_object_get(prof, "architectures");
	json_t *map = json_object_get(prof, "archMap");
	if (json_array_size(archs) > 0 && json_array_size(map) > 0)
		return berth_error_set(
		    err, EINVAL,
		    "'architectures' and 'archMap' were specified in the seccomp "
		    "profile, use either 'architectures' or 'archMap'");
	if (archs && !json_is_null(archs)) {
		if (!json_is_array(archs))
			return berth_error_set(err, EINVAL, "architectures: expected an array");
		json_object_set(out, "architectures", archs);
		return 0;
	}
	size_t i;
	json_t *m;
	json_array_foreach(map, i, m)
	{
		const char *a = json_string_value(json_object_get(m, "architecture"));
		if (a == NULL || strcmp(a, HOST_SCMP_ARCH) != 0)
			continue;
		json_t *list = json_array();
		json_array_append_new(list, json_string(a));
		json_t *sub = json_object_get(m, "subArchitectures");
		size_t j;
		json_t *s;
		json_array_foreach(sub, j, s)
		{
			json_array_append(list, s);
		}
		json_object_set_new(out, "architectures", list);
	}
	return 0;
}

static int resolve_syscall(json_t *call, size_t i, json_t *out, struct berth_error **err)
{
	json_t *names = json_object_get(call, "names");
	json_t *name = json_object_get(call, "name");
	if (name && !json_is_null(name)) {
		if (json_array_size(names) > 0)
			return berth_error_set(err, EINVAL,
					       "'name' and 'names' were specified in the seccomp "
					       "profile, use either 'name' or 'names'");
		if (!json_is_string(name))
			return berth_error_set(err, EINVAL, "syscalls[%zu].name: expected a string",
					       i);
		names = json_pack("[O]", name);
	} else if (json_is_array(names)) {
		json_incref(names);
	} else {
		return berth_error_set(err, EINVAL, "syscalls[%zu]: names is required", i);
	}
	json_t *action = json_object_get(call, "action");
	if (!json_is_string(action)) {
		json_decref(names);
		return berth_error_set(err, EINVAL, "syscalls[%zu].action: expected a string", i);
	}
	json_t *r = json_pack("{s:o,s:O}", "names", names, "action", action);
	static const char *const keep[] = {"errnoRet", "args", NULL};
	for (size_t k = 0; keep[k]; k++) {
		json_t *v = json_object_get(call, keep[k]);
		if (v && !json_is_null(v))
			json_object_set(r, keep[k], v);
	}
	json_array_append_new(out, r);
	return 0;
}

int sg_seccomp_resolve(const char *profile, json_t *caps, json_t **out, struct berth_error **err)
{
	json_error_t jerr;
	cleanup_json json_t *prof = json_loads(profile, 0, &jerr);
	if (prof == NULL || !json_is_object(prof))
		return berth_error_set(err, EINVAL, "Decoding seccomp profile failed: %s",
				       prof ? "expected a JSON object" : jerr.text);
	cleanup_json json_t *res = json_object();
	json_t *def = json_object_get(prof, "defaultAction");
	if (!json_is_string(def))
		return berth_error_set(err, EINVAL,
				       "Decoding seccomp profile failed: defaultAction: expected a "
				       "string");
	json_object_set(res, "defaultAction", def);
	static const char *const keep[] = {"defaultErrnoRet", "flags", "listenerPath",
					   "listenerMetadata", NULL};
	for (size_t k = 0; keep[k]; k++) {
		json_t *v = json_object_get(prof, keep[k]);
		if (v && !json_is_null(v))
			json_object_set(res, keep[k], v);
	}
	if (resolve_arches(prof, res, err) < 0)
		return berth_error_wrap(err, "seccomp profile");
	cleanup_json json_t *arch = json_pack("[s]", HOST_GOARCH);
	json_t *calls = json_object_get(prof, "syscalls");
	if (calls && !json_is_null(calls) && !json_is_array(calls))
		return berth_error_set(err, EINVAL, "seccomp profile: syscalls: expected an array");
	json_t *list = json_array();
	json_object_set_new(res, "syscalls", list);
	size_t i;
	json_t *c;
	json_array_foreach(calls, i, c)
	{
		if (!json_is_object(c))
			return berth_error_set(
			    err, EINVAL, "seccomp profile: syscalls[%zu]: expected an object", i);
		if (rule_applies(c, caps, arch) && resolve_syscall(c, i, list, err) < 0)
			return berth_error_wrap(err, "seccomp profile");
	}
	*out = steal_ptr(res);
	return 0;
}

/* Compile it as the runtime will, for a message at create time. */
int sg_seccomp_validate(json_t *seccomp, struct berth_error **err)
{
	struct seccomp_program *p = NULL;
	if (seccomp_compile(seccomp, &p, err) < 0)
		return berth_error_wrap(err, "seccomp profile");
	seccomp_program_free(p);
	return 0;
}
