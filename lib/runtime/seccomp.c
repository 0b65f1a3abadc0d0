/* linux.seccomp -> libseccomp filter -> BPF program, in the runtime (parent).
 *
 * Semantics follow runc (libcontainer/seccomp, specconv.SetupSeccomp):
 * - no defaultAction and no syscalls: no filter at all;
 * - "flags" absent: SECCOMP_FILTER_FLAG_SPEC_ALLOW when the kernel has it;
 *   TSYNC is accepted and ignored (the init is single-threaded);
 * - a rule whose action is the default action is skipped;
 * - a syscall name unknown to libseccomp is skipped (debug log);
 * - the args of one rule are ANDed in one libseccomp rule, unless an index
 *   appears twice: then each arg becomes a rule of its own (ORed);
 * - SCMP_ACT_NOTIFY is refused as the default action and for write(2);
 * - with a non-permissive default action, syscalls numbered above the
 *   highest one the profile names get -ENOSYS (per listed architecture).
 * Unlike runc, an errnoRet on an action that takes none is an error (the
 * runtime spec says the runtime MUST fail), and every error names the entry. */
#include "runtime/seccomp-internal.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <string.h>

#define P "linux.seccomp"

struct action_name {
	const char *name;
	uint32_t action; /* SCMP_ACT_*, errno part 0 */
	bool takes_errno;
};

static const struct action_name actions[] = {
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_NOTIFY", SCMP_ACT_NOTIFY, false},
};

struct arch_name {
	const char *name;
	uint32_t arch; /* 0: known name, but this libseccomp lacks it */
};

static const struct arch_name arches[] = {
    {"SCMP_ARCH_X86", SCMP_ARCH_X86},
    {"SCMP_ARCH_X86_64", SCMP_ARCH_X86_64},
    {"SCMP_ARCH_X32", SCMP_ARCH_X32},
    {"SCMP_ARCH_ARM", SCMP_ARCH_ARM},
    {"SCMP_ARCH_AARCH64", SCMP_ARCH_AARCH64},
    {"SCMP_ARCH_MIPS", SCMP_ARCH_MIPS},
    {"SCMP_ARCH_MIPS64", SCMP_ARCH_MIPS64},
    {"SCMP_ARCH_MIPS64N32", SCMP_ARCH_MIPS64N32},
    {"SCMP_ARCH_MIPSEL", SCMP_ARCH_MIPSEL},
    {"SCMP_ARCH_MIPSEL64", SCMP_ARCH_MIPSEL64},
    {"SCMP_ARCH_MIPSEL64N32", SCMP_ARCH_MIPSEL64N32},
    {"SCMP_ARCH_PPC", SCMP_ARCH_PPC},
    {"SCMP_ARCH_PPC64", SCMP_ARCH_PPC64},
    {"SCMP_ARCH_PPC64LE", SCMP_ARCH_PPC64LE},
    {"SCMP_ARCH_S390", SCMP_ARCH_S390},
    {"SCMP_ARCH_S390X", SCMP_ARCH_S390X},
    {"SCMP_ARCH_PARISC", SCMP_ARCH_PARISC},
    {"SCMP_ARCH_PARISC64", SCMP_ARCH_PARISC64},
    {"SCMP_ARCH_RISCV64", SCMP_ARCH_RISCV64},
#ifdef SCMP_ARCH_LOONGARCH64
    {"SCMP_ARCH_LOONGARCH64", SCMP_ARCH_LOONGARCH64},
#else
    {"SCMP_ARCH_LOONGARCH64", 0},
#endif
#ifdef SCMP_ARCH_M68K
    {"SCMP_ARCH_M68K", SCMP_ARCH_M68K},
#else
    {"SCMP_ARCH_M68K", 0},
#endif
#ifdef SCMP_ARCH_SH
    {"SCMP_ARCH_SH", SCMP_ARCH_SH},
    {"SCMP_ARCH_SHEB", SCMP_ARCH_SHEB},
#else
    {"SCMP_ARCH_SH", 0},
    {"SCMP_ARCH_SHEB", 0},
#endif
};

struct op_name {
	const char *name;
	enum scmp_compare op;
};

static const struct op_name ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* The largest errnoRet: SECCOMP_RET_DATA is 16 bits. */
#define ERRNO_MAX 65535

struct compiler {
	scmp_filter_ctx ctx;
	uint32_t default_action;
	size_t n_rules; /* libseccomp rules added */
	struct seccomp_stub_info stub;
	size_t names_cap;
	bool notify;
};

static void compiler_release(struct compiler *c)
{
	if (c->ctx)
		seccomp_release(c->ctx);
	free(c->stub.names);
}

static void program_free_fn(struct seccomp_program **p)
{
	seccomp_program_free(*p);
}

#define cleanup_compiler __attribute__((cleanup(compiler_release)))
#define cleanup_program __attribute__((cleanup(program_free_fn)))

/* `key` of obj (at `path`) as an action; errno_key gives its errnoRet. */
static int parse_action(json_t *obj, const char *path, const char *key, const char *errno_key,
			uint32_t *out, struct berth_error **err)
{
	json_t *v;
	if (bjson_member(obj, key, path, JSON_STRING, true, &v, err) < 0)
		return -1;
	const char *name = json_string_value(v);
	const struct action_name *a = NULL;
	for (size_t i = 0; i < N_OF(actions); i++)
		if (strcmp(actions[i].name, name) == 0)
			a = &actions[i];
	if (a == NULL) {
		cleanup_free char *d = bjson_describe(v);
		return berth_error_set(err, EINVAL, "%s.%s: unknown action %s", path, key, d);
	}
	if (!seccomp_action_supported(a->action))
		return berth_error_set(err, ENOTSUP, "%s.%s: %s is not supported by this kernel",
				       path, key, a->name);
	int64_t e = EPERM;
	bool has_errno = false;
	if (bjson_int(obj, errno_key, path, 0, ERRNO_MAX, &e, &has_errno, err) < 0)
		return -1;
	if (has_errno && !a->takes_errno)
		return berth_error_set(err, EINVAL,
				       "%s.%s: %s takes no errno (only SCMP_ACT_ERRNO and "
				       "SCMP_ACT_TRACE do)",
				       path, errno_key, a->name);
	*out = a->takes_errno ? a->action | (uint32_t)e : a->action;
	return 0;
}

static int add_arches(struct compiler *c, json_t *seccomp, struct berth_error **err)
{
	json_t *list, *v;
	size_t i;
	if (bjson_member(seccomp, "architectures", P, JSON_ARRAY, false, &list, err) < 0)
		return -1;
	json_array_foreach(list, i, v)
	{
		cleanup_free char *d = bjson_describe(v);
		const struct arch_name *a = NULL;
		if (!json_is_string(v))
			return berth_error_set(
			    err, EINVAL, P ".architectures[%zu]: expected a string, got %s", i, d);
		for (size_t k = 0; k < N_OF(arches); k++)
			if (strcmp(arches[k].name, json_string_value(v)) == 0)
				a = &arches[k];
		if (a == NULL)
			return berth_error_set(
			    err, EINVAL, P ".architectures[%zu]: unknown architecture %s", i, d);
		if (a->arch == 0)
			return berth_error_set(
			    err, ENOTSUP,
			    P ".architectures[%zu]: %s is not supported by libseccomp %u.%u.%u", i,
			    d, seccomp_version()->major, seccomp_version()->minor,
			    seccomp_version()->micro);
		int r = seccomp_arch_add(c->ctx, a->arch);
		if (r < 0 && r != -EEXIST)
			return berth_error_set(err, -r,
					       P ".architectures[%zu]: cannot add %s to the filter "
						 "(libseccomp cannot mix it with this machine's "
						 "architecture): %s",
					       i, d, strerror(-r));
		bool seen = false;
		for (size_t k = 0; k < c->stub.n_arches; k++)
			seen |= c->stub.arches[k] == a->arch;
		if (!seen && c->stub.n_arches < SECCOMP_MAX_ARCHES)
			c->stub.arches[c->stub.n_arches++] = a->arch;
	}
	return 0;
}

static int parse_flags(json_t *seccomp, unsigned int *flags, struct berth_error **err)
{
	json_t *list, *v;
	size_t i;
	if (bjson_member(seccomp, "flags", P, JSON_ARRAY, false, &list, err) < 0)
		return -1;
	if (list == NULL) {
		/* runc's default when flags are not given at all */
		if (seccomp_flag_supported(SECCOMP_FILTER_FLAG_SPEC_ALLOW))
			*flags |= SECCOMP_FILTER_FLAG_SPEC_ALLOW;
		return 0;
	}
	json_array_foreach(list, i, v)
	{
		cleanup_free char *d = bjson_describe(v);
		unsigned int bit;
		if (!json_is_string(v))
			return berth_error_set(err, EINVAL,
					       P ".flags[%zu]: expected a string, got %s", i, d);
		if (!seccomp_flag_from_name(json_string_value(v), &bit))
			return berth_error_set(err, EINVAL, P ".flags[%zu]: unknown flag %s", i, d);
		if (bit && !seccomp_flag_supported(bit))
			return berth_error_set(err, ENOTSUP,
					       P ".flags[%zu]: %s is not supported by this kernel",
					       i, d);
		*flags |= bit;
	}
	return 0;
}

static int parse_listener(json_t *seccomp, struct seccomp_program *p, struct berth_error **err)
{
	if (bjson_string(seccomp, "listenerPath", P, false, &p->listener_path, err) < 0 ||
	    bjson_string(seccomp, "listenerMetadata", P, false, &p->listener_metadata, err) < 0)
		return -1;
	if (p->listener_path && p->listener_path[0] == '\0')
		return berth_error_set(err, EINVAL, P ".listenerPath: must not be empty");
	if (p->listener_metadata && p->listener_path == NULL)
		return berth_error_set(err, EINVAL,
				       P ".listenerMetadata: set without listenerPath");
	return 0;
}

/* args[] of one entry into conds (n = size of the array); *split when an
 * index repeats (runc then adds one rule per condition). */
static int parse_args(json_t *args, const char *path, struct scmp_arg_cmp *conds, bool *split,
		      struct berth_error **err)
{
	unsigned seen = 0;
	json_t *a;
	size_t i;
	*split = false;
	json_array_foreach(args, i, a)
	{
		char ap[96];
		snprintf(ap, sizeof(ap), "%s.args[%zu]", path, i);
		if (!json_is_object(a)) {
			cleanup_free char *d = bjson_describe(a);
			return berth_error_set(err, EINVAL, "%s: expected an object, got %s", ap,
					       d);
		}
		int64_t index = -1;
		uint64_t value = 0, value2 = 0;
		bool has_index, has_value;
		json_t *op;
		if (bjson_int(a, "index", ap, 0, 5, &index, &has_index, err) < 0 ||
		    bjson_u64(a, "value", ap, &value, &has_value, err) < 0 ||
		    bjson_u64(a, "valueTwo", ap, &value2, NULL, err) < 0 ||
		    bjson_member(a, "op", ap, JSON_STRING, true, &op, err) < 0)
			return -1;
		if (!has_index || !has_value)
			return berth_error_set(err, EINVAL, "%s.%s: required field is missing", ap,
					       has_index ? "value" : "index");
		const struct op_name *o = NULL;
		for (size_t k = 0; k < N_OF(ops); k++)
			if (strcmp(ops[k].name, json_string_value(op)) == 0)
				o = &ops[k];
		if (o == NULL) {
			cleanup_free char *d = bjson_describe(op);
			return berth_error_set(err, EINVAL, "%s.op: unknown operator %s", ap, d);
		}
		if (seen & (1u << index))
			*split = true;
		seen |= 1u << index;
		/* MASKED_EQ: value is the mask, valueTwo the datum (as runc) */
		conds[i] = (struct scmp_arg_cmp){
		    .arg = (unsigned)index, .op = o->op, .datum_a = value, .datum_b = value2};
	}
	return 0;
}

static int check_names(json_t *names, const char *path, uint32_t action, struct berth_error **err)
{
	json_t *v;
	size_t i;
	if (json_array_size(names) == 0)
		return berth_error_set(err, EINVAL, "%s.names: must list at least one syscall",
				       path);
	json_array_foreach(names, i, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(
			    err, EINVAL, "%s.names[%zu]: expected a string, got %s", path, i, d);
		}
		if (json_string_length(v) == 0)
			return berth_error_set(err, EINVAL, "%s.names[%zu]: must not be empty",
					       path, i);
		/* runc: the init reports the listener fd with write(2) after
		 * loading the filter, so write can never wait for the agent */
		if (action == SCMP_ACT_NOTIFY && strcmp(json_string_value(v), "write") == 0)
			return berth_error_set(
			    err, EINVAL, "%s.names[%zu]: SCMP_ACT_NOTIFY cannot be used for write",
			    path, i);
	}
	return 0;
}

static int add_rules(struct compiler *c, const char *name, uint32_t action,
		     const struct scmp_arg_cmp *conds, size_t n, bool split, const char *path,
		     struct berth_error **err)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR) {
		log_debug("seccomp: unknown syscall \"%s\" (%s) skipped", name, path);
		return 0;
	}
	if (action == c->default_action)
		return 0; /* redundant; libseccomp refuses it */
	for (size_t k = 0; k < (split ? n : 1); k++) {
		unsigned int cnt = split ? 1 : (unsigned int)n;
		const struct scmp_arg_cmp *cv = split ? &conds[k] : conds;
		int r = seccomp_rule_add_array(c->ctx, action, nr, cnt, cnt ? cv : NULL);
		if (r < 0)
			return berth_error_set(err, -r, "%s: add rule for syscall \"%s\": %s", path,
					       name, strerror(-r));
		c->n_rules++;
	}
	return 0;
}

static int add_entry(struct compiler *c, json_t *entry, size_t idx, struct berth_error **err)
{
	char path[64];
	snprintf(path, sizeof(path), P ".syscalls[%zu]", idx);
	if (!json_is_object(entry)) {
		cleanup_free char *d = bjson_describe(entry);
		return berth_error_set(err, EINVAL, "%s: expected an object, got %s", path, d);
	}
	uint32_t action;
	json_t *names, *args;
	if (bjson_member(entry, "names", path, JSON_ARRAY, true, &names, err) < 0 ||
	    parse_action(entry, path, "action", "errnoRet", &action, err) < 0 ||
	    check_names(names, path, action, err) < 0 ||
	    bjson_member(entry, "args", path, JSON_ARRAY, false, &args, err) < 0)
		return -1;
	size_t n = json_array_size(args);
	cleanup_free struct scmp_arg_cmp *conds = xcalloc(n ? n : 1, sizeof(*conds));
	bool split = false;
	if (n && parse_args(args, path, conds, &split, err) < 0)
		return -1;
	if (action == SCMP_ACT_NOTIFY)
		c->notify = true;
	json_t *v;
	size_t i;
	json_array_foreach(names, i, v)
	{
		if (c->stub.n_names == c->names_cap) {
			c->names_cap = c->names_cap ? 2 * c->names_cap : 64;
			c->stub.names = xrealloc(c->stub.names, c->names_cap * sizeof(char *));
		}
		c->stub.names[c->stub.n_names++] = json_string_value(v);
		if (add_rules(c, json_string_value(v), action, conds, n, split, path, err) < 0)
			return -1;
	}
	return 0;
}

/* defaultAction and the filter-wide options; *none when runc would not
 * install a filter at all. */
static int compile_header(json_t *seccomp, struct compiler *c, struct seccomp_program *p,
			  bool *none, struct berth_error **err)
{
	json_t *syscalls, *def = json_object_get(seccomp, "defaultAction");
	if (bjson_member(seccomp, "syscalls", P, JSON_ARRAY, false, &syscalls, err) < 0)
		return -1;
	*none = (def == NULL || json_is_null(def) ||
		 (json_is_string(def) && json_string_length(def) == 0)) &&
		json_array_size(syscalls) == 0;
	if (*none)
		return 0;
	if (parse_action(seccomp, P, "defaultAction", "defaultErrnoRet", &c->default_action, err) <
	    0)
		return -1;
	if (c->default_action == SCMP_ACT_NOTIFY)
		return berth_error_set(err, EINVAL,
				       P ".defaultAction: SCMP_ACT_NOTIFY cannot be the default "
					 "action");
	c->ctx = seccomp_init(c->default_action);
	if (c->ctx == NULL)
		return berth_error_set(err, EINVAL, P ".defaultAction: libseccomp refused it");
	/* the runtime sets no_new_privs itself, from process.noNewPrivileges */
	if (seccomp_attr_set(c->ctx, SCMP_FLTATR_CTL_NNP, 0) < 0)
		return berth_error_set(err, EINVAL, P ": cannot clear the filter's NNP attribute");
	if (add_arches(c, seccomp, err) < 0 || parse_flags(seccomp, &p->flags, err) < 0 ||
	    parse_listener(seccomp, p, err) < 0)
		return -1;
	/* runc: binary-tree optimisation past 32 syscall names (not for tiny
	 * sets: libseccomp <= 2.5.4 misbehaves with it and no rules) */
	size_t n_names = 0, i;
	json_t *e;
	json_array_foreach(syscalls, i, e)
	{
		n_names += json_array_size(json_object_get(e, "names"));
	}
	if (n_names > 32 && seccomp_attr_set(c->ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2))
		log_debug("seccomp: binary tree optimisation not available");
	return 0;
}

static bool permissive(uint32_t action)
{
	uint32_t a = action & SECCOMP_RET_ACTION_FULL;
	return a == SCMP_ACT_ALLOW || a == SCMP_ACT_LOG || a == SCMP_ACT_TRACE(0);
}

int seccomp_compile(json_t *seccomp, struct seccomp_program **out, struct berth_error **err)
{
	*out = NULL;
	if (seccomp == NULL || json_is_null(seccomp))
		return 0;
	if (!json_is_object(seccomp)) {
		cleanup_free char *d = bjson_describe(seccomp);
		return berth_error_set(err, EINVAL, P ": expected an object, got %s", d);
	}
	cleanup_compiler struct compiler c = {0};
	cleanup_program struct seccomp_program *p = xcalloc(1, sizeof(*p));
	bool none;
	if (compile_header(seccomp, &c, p, &none, err) < 0)
		return -1;
	if (none) {
		log_debug("seccomp: no defaultAction and no syscalls, no filter");
		return 0;
	}
	json_t *entry, *syscalls = json_object_get(seccomp, "syscalls");
	size_t i;
	json_array_foreach(syscalls, i, entry)
	{
		if (add_entry(&c, entry, i, err) < 0)
			return -1;
	}
	p->notify = c.notify;
	if (p->notify) {
		if (p->listener_path == NULL)
			return berth_error_set(err, EINVAL,
					       P ".listenerPath: required when a rule uses "
						 "SCMP_ACT_NOTIFY");
		p->flags |= SECCOMP_FILTER_FLAG_NEW_LISTENER;
	} else if (p->flags & SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) {
		log_debug("seccomp: SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV ignored, no "
			  "SCMP_ACT_NOTIFY rule");
		p->flags &= ~(unsigned int)SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV;
	}
	/* runc: no -ENOSYS stub when the default action lets syscalls through,
	 * or is already ENOSYS */
	bool stub = !permissive(c.default_action) && c.default_action != SCMP_ACT_ERRNO(ENOSYS);
	if (seccomp_build_program(c.ctx, stub ? &c.stub : NULL, p, err) < 0)
		return berth_error_wrap(err, P);
	log_debug("seccomp: %zu rules, %zu BPF instructions, flags %#x", c.n_rules, p->n_insns,
		  p->flags);
	*out = steal_ptr(p);
	return 0;
}

bool seccomp_wants_notify(const struct seccomp_program *p)
{
	return p && p->notify;
}

void seccomp_program_free(struct seccomp_program *p)
{
	if (p == NULL)
		return;
	free(p->insns);
	free(p->listener_path);
	free(p->listener_metadata);
	free(p);
}

static json_t *names_array(const char *const *names, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(names[i]));
	return a;
}

json_t *seccomp_features(void)
{
	static const char *const flag_names[] = {
	    "SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
	    "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"};
	const char *names[N_OF(arches) + N_OF(actions)];
	size_t n = 0;
	json_t *f = json_object();
	json_object_set_new(f, "enabled", json_true());
	for (size_t i = 0; i < N_OF(actions); i++)
		names[n++] = actions[i].name;
	json_object_set_new(f, "actions", names_array(names, n));
	n = 0;
	for (size_t i = 0; i < N_OF(ops); i++)
		names[n++] = ops[i].name;
	json_object_set_new(f, "operators", names_array(names, n));
	n = 0;
	for (size_t i = 0; i < N_OF(arches); i++)
		if (arches[i].arch)
			names[n++] = arches[i].name;
	json_object_set_new(f, "archs", names_array(names, n));
	json_object_set_new(f, "knownFlags", names_array(flag_names, N_OF(flag_names)));
	n = 0;
	for (size_t i = 0; i < N_OF(flag_names); i++) {
		unsigned int bit;
		if (seccomp_flag_from_name(flag_names[i], &bit) &&
		    (bit == 0 || seccomp_flag_supported(bit)))
			names[n++] = flag_names[i];
	}
	json_object_set_new(f, "supportedFlags", names_array(names, n));
	return f;
}
