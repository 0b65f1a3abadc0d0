/* linux.resources: parsing and validation (see resources.h). */
#include "oci/resources.h"
#include "oci/spec.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <string.h>

/* An object member that must be an object (NULL if absent). */
static int sub_object(json_t *obj, const char *key, const char *path, json_t **out,
		      struct berth_error **err)
{
	return bjson_member(obj, key, path, JSON_OBJECT, false, out, err);
}

/* Signed limit: -1 (unlimited), 0 (unset) or positive. */
static int limit_i64(json_t *obj, const char *key, const char *path, int64_t *out, bool *has,
		     struct berth_error **err)
{
	if (bjson_int(obj, key, path, INT64_MIN, INT64_MAX, out, has, err) < 0)
		return -1;
	if (*has && *out < -1)
		return berth_error_set(err, EINVAL,
				       "%s.%s: %" PRId64 " is invalid (use -1 for unlimited)", path,
				       key, *out);
	return 0;
}

static int parse_memory(json_t *res, const char *path, struct oci_resources *r,
			struct berth_error **err)
{
	json_t *m;
	if (sub_object(res, "memory", path, &m, err) < 0)
		return -1;
	if (m == NULL)
		return 0;
	cleanup_free char *mp = xasprintf("%s.memory", path);
	struct oci_memory *o = &r->memory;
	r->has_memory = true;
	if (limit_i64(m, "limit", mp, &o->limit, &o->has_limit, err) < 0 ||
	    limit_i64(m, "reservation", mp, &o->reservation, &o->has_reservation, err) < 0 ||
	    limit_i64(m, "swap", mp, &o->swap, &o->has_swap, err) < 0 ||
	    limit_i64(m, "kernel", mp, &o->kernel, &o->has_kernel, err) < 0 ||
	    limit_i64(m, "kernelTCP", mp, &o->kernel_tcp, &o->has_kernel_tcp, err) < 0)
		return -1;
	/* swappiness is a uint64 in the spec; Go writes -1 ("unset") as -1 or
	 * as 2^64-1 depending on the tool */
	json_t *sw = json_object_get(m, "swappiness");
	int64_t i;
	if (sw && bjson_as_int64(sw, &i) && i == -1) {
		o->has_swappiness = false;
	} else {
		if (bjson_u64(m, "swappiness", mp, &o->swappiness, &o->has_swappiness, err) < 0)
			return -1;
		if (o->has_swappiness && o->swappiness == UINT64_MAX)
			o->has_swappiness = false;
		else if (o->has_swappiness && o->swappiness > 100)
			return berth_error_set(
			    err, ERANGE, "%s.swappiness: %" PRIu64 " is out of range [0, 100]", mp,
			    o->swappiness);
	}
	json_t *b;
	if (bjson_member(m, "disableOOMKiller", mp, JSON_TRUE, false, &b, err) < 0)
		return -1;
	if (b) {
		o->has_disable_oom_killer = true;
		o->disable_oom_killer = json_is_true(b);
	}
	if (bjson_member(m, "useHierarchy", mp, JSON_TRUE, false, &b, err) < 0)
		return -1;
	if (b) {
		o->has_use_hierarchy = true;
		o->use_hierarchy = json_is_true(b);
	}
	if (bjson_bool(m, "checkBeforeUpdate", mp, &o->check_before_update, err) < 0)
		return -1;
	if (o->has_swap && o->swap > 0 && o->has_limit && o->limit > 0 && o->swap < o->limit)
		return berth_error_set(err, EINVAL,
				       "%s.swap: %" PRId64 " is below memory.limit %" PRId64
				       " (swap is the memory+swap limit)",
				       mp, o->swap, o->limit);
	return 0;
}

/* "0-3,5", "0-7:2/4": digits, ',', '-', ':' and '/' only. */
static int cpu_list(json_t *cpu, const char *key, const char *path, char **out,
		    struct berth_error **err)
{
	if (bjson_string(cpu, key, path, false, out, err) < 0)
		return -1;
	if (*out == NULL)
		return 0;
	for (const char *p = *out; *p; p++)
		if (!isdigit((unsigned char)*p) && !strchr(",-:/", *p))
			return berth_error_set(err, EINVAL, "%s.%s: invalid list \"%s\"", path, key,
					       *out);
	if (**out == '\0') {
		free(*out);
		*out = NULL;
	}
	return 0;
}

static int parse_cpu(json_t *res, const char *path, struct oci_resources *r,
		     struct berth_error **err)
{
	json_t *c;
	if (sub_object(res, "cpu", path, &c, err) < 0)
		return -1;
	if (c == NULL)
		return 0;
	cleanup_free char *cp = xasprintf("%s.cpu", path);
	struct oci_cpu *o = &r->cpu;
	r->has_cpu = true;
	if (bjson_u64(c, "shares", cp, &o->shares, &o->has_shares, err) < 0 ||
	    limit_i64(c, "quota", cp, &o->quota, &o->has_quota, err) < 0 ||
	    bjson_u64(c, "burst", cp, &o->burst, &o->has_burst, err) < 0 ||
	    bjson_u64(c, "period", cp, &o->period, &o->has_period, err) < 0 ||
	    limit_i64(c, "realtimeRuntime", cp, &o->rt_runtime, &o->has_rt_runtime, err) < 0 ||
	    bjson_u64(c, "realtimePeriod", cp, &o->rt_period, &o->has_rt_period, err) < 0 ||
	    bjson_int(c, "idle", cp, 0, 1, &o->idle, &o->has_idle, err) < 0 ||
	    cpu_list(c, "cpus", cp, &o->cpus, err) < 0 ||
	    cpu_list(c, "mems", cp, &o->mems, err) < 0)
		return -1;
	if (o->has_period && o->period > 0 && (o->period < 1000 || o->period > 1000000))
		return berth_error_set(err, ERANGE,
				       "%s.period: %" PRIu64 " is out of range [1000, 1000000]", cp,
				       o->period);
	if (o->has_quota && o->quota > 0 && o->quota < 1000)
		return berth_error_set(err, ERANGE,
				       "%s.quota: %" PRId64 " is below the minimum of 1000", cp,
				       o->quota);
	return 0;
}

static int parse_pids(json_t *res, const char *path, struct oci_resources *r,
		      struct berth_error **err)
{
	json_t *p;
	if (sub_object(res, "pids", path, &p, err) < 0)
		return -1;
	if (p == NULL)
		return 0;
	cleanup_free char *pp = xasprintf("%s.pids", path);
	/* required by runtime-spec < 1.2.1, optional since */
	return bjson_int(p, "limit", pp, INT64_MIN, INT64_MAX, &r->pids_limit, &r->has_pids, err);
}

static int dev_number(json_t *o, const char *key, const char *path, bool required, int64_t *out,
		      struct berth_error **err)
{
	bool has;
	*out = -1;
	if (bjson_int(o, key, path, -1, UINT32_MAX, out, &has, err) < 0)
		return -1;
	if (required && !has)
		return berth_error_set(err, EINVAL, "%s.%s: required field is missing", path, key);
	if (required && *out < 0)
		return berth_error_set(err, EINVAL, "%s.%s: must not be negative, got %" PRId64,
				       path, key, *out);
	return 0;
}

static int weight(json_t *o, const char *key, const char *path, uint16_t *out, bool *has,
		  struct berth_error **err)
{
	int64_t v = 0;
	if (bjson_int(o, key, path, 0, 1000, &v, has, err) < 0)
		return -1;
	if (*has && v != 0 && v < 10)
		return berth_error_set(err, ERANGE, "%s.%s: %" PRId64 " is out of range [10, 1000]",
				       path, key, v);
	*out = (uint16_t)v;
	if (v == 0)
		*has = false; /* 0: not set */
	return 0;
}

/* Array member, each element an object; calls fn(elem, "path.key[i]", i). */
typedef int (*elem_fn)(json_t *e, const char *epath, size_t i, void *ctx, struct berth_error **err);

static int each_object(json_t *obj, const char *key, const char *path, elem_fn fn, void *ctx,
		       size_t *n, struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(obj, key, path, JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	*n = arr ? json_array_size(arr) : 0;
	size_t i;
	json_t *e;
	json_array_foreach(arr, i, e)
	{
		cleanup_free char *ep = xasprintf("%s.%s[%zu]", path, key, i);
		if (!json_is_object(e)) {
			cleanup_free char *d = bjson_describe(e);
			return berth_error_set(err, EINVAL, "%s: expected an object, got %s", ep,
					       d);
		}
		if (fn(e, ep, i, ctx, err) < 0)
			return -1;
	}
	return 0;
}

static int weight_device(json_t *e, const char *ep, size_t i, void *ctx, struct berth_error **err)
{
	struct oci_blkio_weight_device *d = &((struct oci_blkio *)ctx)->weight_devices[i];
	return dev_number(e, "major", ep, true, &d->major, err) < 0 ||
		       dev_number(e, "minor", ep, true, &d->minor, err) < 0 ||
		       weight(e, "weight", ep, &d->weight, &d->has_weight, err) < 0 ||
		       weight(e, "leafWeight", ep, &d->leaf_weight, &d->has_leaf_weight, err) < 0
		   ? -1
		   : 0;
}

static int throttle_device(json_t *e, const char *ep, size_t i, void *ctx, struct berth_error **err)
{
	struct oci_blkio_throttle *t = &((struct oci_blkio_throttle *)ctx)[i];
	bool has;
	if (dev_number(e, "major", ep, true, &t->major, err) < 0 ||
	    dev_number(e, "minor", ep, true, &t->minor, err) < 0 ||
	    bjson_u64(e, "rate", ep, &t->rate, &has, err) < 0)
		return -1;
	if (!has)
		return berth_error_set(err, EINVAL, "%s.rate: required field is missing", ep);
	return 0;
}

static const char *const throttle_keys[OCI_THROTTLE_KINDS] = {
    "throttleReadBpsDevice", "throttleWriteBpsDevice", "throttleReadIOPSDevice",
    "throttleWriteIOPSDevice"};

static int parse_blkio(json_t *res, const char *path, struct oci_resources *r,
		       struct berth_error **err)
{
	json_t *b;
	if (sub_object(res, "blockIO", path, &b, err) < 0)
		return -1;
	if (b == NULL)
		return 0;
	cleanup_free char *bp = xasprintf("%s.blockIO", path);
	struct oci_blkio *o = &r->blkio;
	r->has_blkio = true;
	if (weight(b, "weight", bp, &o->weight, &o->has_weight, err) < 0 ||
	    weight(b, "leafWeight", bp, &o->leaf_weight, &o->has_leaf_weight, err) < 0)
		return -1;
	json_t *a = json_object_get(b, "weightDevice");
	o->weight_devices =
	    xcalloc(json_is_array(a) ? json_array_size(a) + 1 : 1, sizeof(*o->weight_devices));
	if (each_object(b, "weightDevice", bp, weight_device, o, &o->n_weight_devices, err) < 0)
		return -1;
	for (int k = 0; k < OCI_THROTTLE_KINDS; k++) {
		a = json_object_get(b, throttle_keys[k]);
		o->throttle[k] =
		    xcalloc(json_is_array(a) ? json_array_size(a) + 1 : 1, sizeof(*o->throttle[k]));
		if (each_object(b, throttle_keys[k], bp, throttle_device, o->throttle[k],
				&o->n_throttle[k], err) < 0)
			return -1;
	}
	return 0;
}

bool oci_resources_valid_page_size(const char *s)
{
	if (s == NULL || !isdigit((unsigned char)s[0]) || s[0] == '0')
		return false;
	const char *p = s;
	while (isdigit((unsigned char)*p))
		p++;
	if (p - s > 7)
		return false;
	return strcmp(p, "KB") == 0 || strcmp(p, "MB") == 0 || strcmp(p, "GB") == 0 ||
	       strcmp(p, "TB") == 0;
}

static int hugepage(json_t *e, const char *ep, size_t i, void *ctx, struct berth_error **err)
{
	struct oci_resources *r = ctx;
	struct oci_hugepage_limit *h = &r->hugepages[i];
	bool has;
	if (bjson_string(e, "pageSize", ep, true, &h->page_size, err) < 0 ||
	    bjson_u64(e, "limit", ep, &h->limit, &has, err) < 0)
		return -1;
	if (!has)
		return berth_error_set(err, EINVAL, "%s.limit: required field is missing", ep);
	if (!oci_resources_valid_page_size(h->page_size))
		return berth_error_set(err, EINVAL,
				       "%s.pageSize: invalid page size \"%s\" (expected a size "
				       "like \"2MB\" or \"1GB\")",
				       ep, h->page_size);
	for (size_t j = 0; j < i; j++)
		if (strcmp(r->hugepages[j].page_size, h->page_size) == 0)
			return berth_error_set(err, EINVAL, "%s.pageSize: \"%s\" given twice", ep,
					       h->page_size);
	return 0;
}

static int parse_hugepages(json_t *res, const char *path, struct oci_resources *r,
			   struct berth_error **err)
{
	json_t *a = json_object_get(res, "hugepageLimits");
	r->hugepages =
	    xcalloc(json_is_array(a) ? json_array_size(a) + 1 : 1, sizeof(*r->hugepages));
	return each_object(res, "hugepageLimits", path, hugepage, r, &r->n_hugepages, err);
}

/* Interface, device and unified names end up in control files: no
 * whitespace, no control characters. */
static bool plain_name(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return false;
	return true;
}

static int priority(json_t *e, const char *ep, size_t i, void *ctx, struct berth_error **err)
{
	struct oci_net_priority *p = &((struct oci_network *)ctx)->priorities[i];
	int64_t v = 0;
	bool has;
	if (bjson_string(e, "name", ep, true, &p->name, err) < 0 ||
	    bjson_int(e, "priority", ep, 0, UINT32_MAX, &v, &has, err) < 0)
		return -1;
	if (!has)
		return berth_error_set(err, EINVAL, "%s.priority: required field is missing", ep);
	if (!plain_name(p->name))
		return berth_error_set(err, EINVAL, "%s.name: invalid interface name \"%s\"", ep,
				       p->name);
	p->priority = (uint32_t)v;
	return 0;
}

static int parse_network(json_t *res, const char *path, struct oci_resources *r,
			 struct berth_error **err)
{
	json_t *n;
	if (sub_object(res, "network", path, &n, err) < 0)
		return -1;
	if (n == NULL)
		return 0;
	cleanup_free char *np = xasprintf("%s.network", path);
	struct oci_network *o = &r->network;
	r->has_network = true;
	int64_t v = 0;
	if (bjson_int(n, "classID", np, 0, UINT32_MAX, &v, &o->has_class_id, err) < 0)
		return -1;
	o->class_id = (uint32_t)v;
	json_t *a = json_object_get(n, "priorities");
	o->priorities =
	    xcalloc(json_is_array(a) ? json_array_size(a) + 1 : 1, sizeof(*o->priorities));
	return each_object(n, "priorities", np, priority, o, &o->n_priorities, err);
}

static int device_rule(json_t *e, const char *ep, size_t i, void *ctx, struct berth_error **err)
{
	struct oci_device_rule *d = &((struct oci_resources *)ctx)->devices[i];
	json_t *allow;
	if (bjson_member(e, "allow", ep, JSON_TRUE, true, &allow, err) < 0)
		return -1;
	d->allow = json_is_true(allow);
	cleanup_free char *type = NULL, *access = NULL;
	if (bjson_string(e, "type", ep, false, &type, err) < 0 ||
	    bjson_string(e, "access", ep, false, &access, err) < 0 ||
	    dev_number(e, "major", ep, false, &d->major, err) < 0 ||
	    dev_number(e, "minor", ep, false, &d->minor, err) < 0)
		return -1;
	if (type == NULL || strcmp(type, "a") == 0)
		d->type = 'a';
	else if (strcmp(type, "b") == 0 || strcmp(type, "c") == 0)
		d->type = type[0];
	else
		return berth_error_set(err, EINVAL,
				       "%s.type: unknown device type \"%s\" (expected \"a\", "
				       "\"b\" or \"c\")",
				       ep, type);
	if (access == NULL || *access == '\0') {
		strcpy(d->access, "rwm");
		return 0;
	}
	bool r = false, w = false, m = false;
	for (const char *p = access; *p; p++) {
		bool *bit = *p == 'r' ? &r : *p == 'w' ? &w : *p == 'm' ? &m : NULL;
		if (bit == NULL)
			return berth_error_set(err, EINVAL,
					       "%s.access: invalid access \"%s\" (a combination "
					       "of \"r\", \"w\" and \"m\")",
					       ep, access);
		*bit = true;
	}
	snprintf(d->access, sizeof(d->access), "%s%s%s", r ? "r" : "", w ? "w" : "", m ? "m" : "");
	return 0;
}

static int parse_devices(json_t *res, const char *path, struct oci_resources *r,
			 struct berth_error **err)
{
	json_t *a;
	if (bjson_member(res, "devices", path, JSON_ARRAY, false, &a, err) < 0)
		return -1;
	if (a == NULL)
		return 0;
	r->has_devices = true;
	r->devices = xcalloc(json_array_size(a) + 1, sizeof(*r->devices));
	return each_object(res, "devices", path, device_rule, r, &r->n_devices, err);
}

static int parse_rdma(json_t *res, const char *path, struct oci_resources *r,
		      struct berth_error **err)
{
	json_t *o;
	if (sub_object(res, "rdma", path, &o, err) < 0)
		return -1;
	if (o == NULL)
		return 0;
	r->rdma = xcalloc(json_object_size(o) + 1, sizeof(*r->rdma));
	const char *dev;
	json_t *v;
	json_object_foreach(o, dev, v)
	{
		cleanup_free char *dp = xasprintf("%s.rdma", path);
		struct oci_rdma *d = &r->rdma[r->n_rdma++];
		d->device = xstrdup(dev);
		if (!plain_name(dev))
			return berth_error_set(err, EINVAL, "%s: invalid device name \"%s\"", dp,
					       dev);
		if (!json_is_object(v)) {
			cleanup_free char *desc = bjson_describe(v);
			return berth_error_set(err, EINVAL, "%s.%s: expected an object, got %s", dp,
					       dev, desc);
		}
		cleanup_free char *ep = xasprintf("%s.%s", dp, dev);
		int64_t h = 0, ob = 0;
		if (bjson_int(v, "hcaHandles", ep, 0, UINT32_MAX, &h, &d->has_hca_handles, err) <
			0 ||
		    bjson_int(v, "hcaObjects", ep, 0, UINT32_MAX, &ob, &d->has_hca_objects, err) <
			0)
			return -1;
		d->hca_handles = (uint32_t)h;
		d->hca_objects = (uint32_t)ob;
	}
	return 0;
}

static int parse_unified(json_t *res, const char *path, struct oci_resources *r,
			 struct berth_error **err)
{
	json_t *o;
	if (sub_object(res, "unified", path, &o, err) < 0)
		return -1;
	if (o == NULL)
		return 0;
	r->unified = xcalloc(json_object_size(o) + 1, sizeof(*r->unified));
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v)
	{
		if (!plain_name(k) || strchr(k, '/') || strcmp(k, ".") == 0 || strcmp(k, "..") == 0)
			return berth_error_set(err, EINVAL,
					       "%s.unified: invalid key \"%s\" (must be a file "
					       "name of the cgroup directory)",
					       path, k);
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(
			    err, EINVAL, "%s.unified.%s: expected a string, got %s", path, k, d);
		}
		struct oci_unified *u = &r->unified[r->n_unified++];
		u->key = xstrdup(k);
		u->value = xstrdup(json_string_value(v));
	}
	return 0;
}

int oci_resources_parse_at(json_t *res, const char *path, struct oci_resources **out,
			   struct berth_error **err)
{
	struct oci_resources *r = xcalloc(1, sizeof(*r));
	if (res != NULL && !json_is_object(res)) {
		cleanup_free char *d = bjson_describe(res);
		oci_resources_free(r);
		return berth_error_set(err, EINVAL, "%s: expected an object, got %s",
				       *path ? path : "resources", d);
	}
	if (res != NULL &&
	    (parse_memory(res, path, r, err) < 0 || parse_cpu(res, path, r, err) < 0 ||
	     parse_pids(res, path, r, err) < 0 || parse_blkio(res, path, r, err) < 0 ||
	     parse_hugepages(res, path, r, err) < 0 || parse_network(res, path, r, err) < 0 ||
	     parse_devices(res, path, r, err) < 0 || parse_rdma(res, path, r, err) < 0 ||
	     parse_unified(res, path, r, err) < 0)) {
		oci_resources_free(r);
		return -1;
	}
	*out = r;
	return 0;
}

int oci_resources_parse(json_t *res, struct oci_resources **out, struct berth_error **err)
{
	return oci_resources_parse_at(res, "linux.resources", out, err);
}

/* runc's specconv.AllowedDevices. */
static const struct oci_device_rule default_rules[] = {
    {true, 'c', -1, -1, "m"},				   /* mknod of any char or block device */
    {true, 'b', -1, -1, "m"},	 {true, 'c', 1, 3, "rwm"}, /* /dev/null */
    {true, 'c', 1, 8, "rwm"},	 /* /dev/random */ {true, 'c', 1, 7, "rwm"}, /* /dev/full */
    {true, 'c', 5, 0, "rwm"},	 /* /dev/tty */ {true, 'c', 1, 5, "rwm"},    /* /dev/zero */
    {true, 'c', 1, 9, "rwm"},						     /* /dev/urandom */
    {true, 'c', 136, -1, "rwm"},					     /* /dev/pts/ */
    {true, 'c', 5, 2, "rwm"},						     /* /dev/ptmx */
    {true, 'c', 10, 200, "rwm"},					     /* /dev/net/tun */
};

void oci_resources_add_default_devices(struct oci_resources *r, const struct oci_device *devs,
				       size_t n_devs)
{
	size_t n_def = sizeof(default_rules) / sizeof(default_rules[0]);
	r->devices =
	    xrealloc(r->devices, (r->n_devices + n_def + n_devs + 1) * sizeof(*r->devices));
	for (size_t i = 0; i < n_def; i++)
		r->devices[r->n_devices++] = default_rules[i];
	for (size_t i = 0; i < n_devs; i++) {
		if (devs[i].type != 'c' && devs[i].type != 'b')
			continue; /* fifos are not a devices-cgroup matter */
		struct oci_device_rule *d = &r->devices[r->n_devices++];
		*d = (struct oci_device_rule){true, devs[i].type, devs[i].major, devs[i].minor,
					      "rwm"};
	}
	r->has_devices = true;
}

int oci_resources_from_spec(const struct oci_spec *spec, struct oci_resources **out,
			    struct berth_error **err)
{
	if (oci_resources_parse(spec->resources, out, err) < 0)
		return -1;
	oci_resources_add_default_devices(*out, spec->devices, spec->n_devices);
	return 0;
}

char *oci_device_rule_string(const struct oci_device_rule *r)
{
	if (r->type == 'a')
		return xstrdup("a");
	char maj[24] = "*", min[24] = "*";
	if (r->major >= 0)
		snprintf(maj, sizeof(maj), "%" PRId64, r->major);
	if (r->minor >= 0)
		snprintf(min, sizeof(min), "%" PRId64, r->minor);
	return xasprintf("%c %s:%s %s", r->type, maj, min, r->access);
}

void oci_resources_free(struct oci_resources *r)
{
	if (r == NULL)
		return;
	free(r->cpu.cpus);
	free(r->cpu.mems);
	free(r->blkio.weight_devices);
	for (int k = 0; k < OCI_THROTTLE_KINDS; k++)
		free(r->blkio.throttle[k]);
	for (size_t i = 0; i < r->n_hugepages; i++)
		free(r->hugepages[i].page_size);
	free(r->hugepages);
	for (size_t i = 0; i < r->network.n_priorities; i++)
		free(r->network.priorities[i].name);
	free(r->network.priorities);
	free(r->devices);
	for (size_t i = 0; i < r->n_rdma; i++)
		free(r->rdma[i].device);
	free(r->rdma);
	for (size_t i = 0; i < r->n_unified; i++) {
		free(r->unified[i].key);
		free(r->unified[i].value);
	}
	free(r->unified);
	free(r);
}
