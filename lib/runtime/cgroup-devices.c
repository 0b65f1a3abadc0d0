/* Device rules: the config's list is first reduced to its effect (a default
 * plus exceptions), the way the v1 kernel applies rules one after the other
 * and runc's devices emulator models it. v1 then writes that effect
 * ("a" to devices.deny, then each allowed device), v2 compiles it into an
 * eBPF program (cgroup-devices-bpf.c), so both enforce the same thing. */
#include "runtime/cgroup-internal.h"
#include "common/cleanup.h"
#include "common/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <string.h>

static unsigned access_bits(const char *a)
{
	unsigned bits = 0;
	for (; *a; a++)
		bits |= *a == 'r' ? CG_DEV_R : *a == 'w' ? CG_DEV_W : *a == 'm' ? CG_DEV_M : 0;
	return bits;
}

static char *ex_string(const struct cgroup_dev_exception *e)
{
	char maj[24] = "*", min[24] = "*";
	if (e->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, e->major);
	if (e->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, e->minor);
	return xasprintf("%c %s:%s %s%s%s", e->type, maj, min, e->access & CG_DEV_R ? "r" : "",
			 e->access & CG_DEV_W ? "w" : "", e->access & CG_DEV_M ? "m" : "");
}

static struct cgroup_dev_exception *find(struct cgroup_dev_state *st, char type, int64_t major,
					 int64_t minor)
{
	for (size_t i = 0; i < st->n; i++)
		if (st->ex[i].type == type && st->ex[i].major == major && st->ex[i].minor == minor)
			return &st->ex[i];
	return NULL;
}

static void add_ex(struct cgroup_dev_state *st, const struct oci_device_rule *r, unsigned acc)
{
	struct cgroup_dev_exception *e = find(st, r->type, r->major, r->minor);
	if (e) {
		e->access |= acc;
		return;
	}
	st->ex = xrealloc(st->ex, (st->n + 1) * sizeof(*st->ex));
	st->ex[st->n++] = (struct cgroup_dev_exception){r->type, r->major, r->minor, acc};
}

/* The kernel removes exceptions by exact match only: taking access away
 * from part of a wildcard exception is silently ignored by v1. runc makes
 * that an error rather than a false sense of security; so does berth. */
static int rm_ex(struct cgroup_dev_state *st, const struct oci_device_rule *r, unsigned acc,
		 size_t idx, struct berth_error **err)
{
	const int64_t partial[3][2] = {{-1, r->minor}, {r->major, -1}, {-1, -1}};
	for (size_t k = 0; k < 3; k++) {
		if (partial[k][0] == r->major && partial[k][1] == r->minor)
			continue;
		struct cgroup_dev_exception *w = find(st, r->type, partial[k][0], partial[k][1]);
		if (w && (w->access & acc)) {
			cleanup_free char *rs = oci_device_rule_string(r);
			cleanup_free char *ws = ex_string(w);
			return berth_error_set(err, EINVAL,
					       "linux.resources.devices[%zu]: rule \"%s\" only "
					       "partly overlaps the earlier wildcard rule \"%s\", "
					       "which the kernel cannot split",
					       idx, rs, ws);
		}
	}
	struct cgroup_dev_exception *e = find(st, r->type, r->major, r->minor);
	if (e == NULL)
		return 0;
	e->access &= ~acc;
	if (e->access == 0) {
		size_t i = (size_t)(e - st->ex);
		memmove(e, e + 1, (st->n - i - 1) * sizeof(*e));
		st->n--;
	}
	return 0;
}

int cgroup_devices_emulate(const struct oci_device_rule *rules, size_t n,
			   struct cgroup_dev_state *st, struct berth_error **err)
{
	*st = (struct cgroup_dev_state){0};
	for (size_t i = 0; i < n; i++) {
		const struct oci_device_rule *r = &rules[i];
		if (r->type == 'a') {
			/* "a" resets: allow-all with deny exceptions, or the reverse */
			st->default_allow = r->allow;
			st->n = 0;
			continue;
		}
		if (r->type != 'b' && r->type != 'c') {
			cgroup_dev_state_release(st);
			return berth_error_set(err, EINVAL,
					       "linux.resources.devices[%zu]: unknown device type "
					       "'%c'",
					       i, r->type);
		}
		unsigned acc = access_bits(r->access);
		if (r->allow != st->default_allow) {
			add_ex(st, r, acc);
		} else if (rm_ex(st, r, acc, i, err) < 0) {
			cgroup_dev_state_release(st);
			return -1;
		}
	}
	return 0;
}

void cgroup_dev_state_release(struct cgroup_dev_state *st)
{
	free(st->ex);
	*st = (struct cgroup_dev_state){0};
}

int cgroup_v1_devices_apply(struct cgroup *cg, const char *dir, const struct oci_resources *r,
			    struct berth_error **err)
{
	struct cgroup_dev_state st;
	if (cgroup_devices_emulate(r->devices, r->n_devices, &st, err) < 0)
		return -1;
	const char *reset = st.default_allow ? "devices.allow" : "devices.deny";
	const char *each = st.default_allow ? "devices.deny" : "devices.allow";
	int ret = cgroup_write(cg, dir, reset, "a", err);
	/* one rule per write(), all on one open file */
	cleanup_free char *path = xasprintf("%s/%s", dir, each);
	cleanup_close int fd = ret == 0 && st.n ? open(path, O_WRONLY | O_CLOEXEC) : -1;
	if (ret == 0 && st.n && fd < 0)
		ret = berth_error_errno(err, "open %s", path);
	for (size_t i = 0; ret == 0 && i < st.n; i++) {
		cleanup_free char *s = ex_string(&st.ex[i]);
		ret = cgroup_write_fd(cg, fd, path, s, err);
	}
	cgroup_dev_state_release(&st);
	return ret;
}
