/* config.json: top level, root, mounts, hooks and the linux object. */
#include "oci/spec.h"
#include "oci/spec-internal.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/json.h"
#include "common/log.h"
#include "common/xalloc.h"

#include <errno.h>
#include <sched.h>
#include <string.h>
#include <sys/mount.h>

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static int not_an_object(json_t *v, const char *path, struct berth_error **err)
{
	cleanup_free char *d = bjson_describe(v);
	return berth_error_set(err, EINVAL, "%s: expected an object, got %s", path, d);
}

static int check_version(const char *v, struct berth_error **err)
{
	/* We implement runtime-spec 1.0.x through 1.2.x. */
	unsigned major, minor;
	if (sscanf(v, "%u.%u", &major, &minor) != 2)
		return berth_error_set(err, EINVAL, "ociVersion: \"%s\" is not a version", v);
	if (major != 1 || minor > 2)
		return berth_error_set(
		    err, EINVAL,
		    "ociVersion: \"%s\" is not supported (berth-runtime implements "
		    "1.0 to 1.2)",
		    v);
	return 0;
}

static int parse_root(json_t *doc, struct oci_spec *s, struct berth_error **err)
{
	json_t *root;
	if (bjson_member(doc, "root", "", JSON_OBJECT, true, &root, err) < 0 ||
	    bjson_string(root, "path", "root", true, &s->root_path, err) < 0 ||
	    bjson_bool(root, "readonly", "root", &s->root_readonly, err) < 0)
		return -1;
	if (s->root_path[0] == '\0')
		return berth_error_set(err, EINVAL, "root.path: must not be empty");
	return 0;
}

static int parse_mounts(json_t *doc, struct oci_spec *s, struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(doc, "mounts", "", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	s->mounts = xcalloc(json_array_size(arr), sizeof(*s->mounts));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		cleanup_free char *path = xasprintf("mounts[%zu]", i);
		struct oci_mount *m = &s->mounts[s->n_mounts++];
		if (!json_is_object(v))
			return not_an_object(v, path, err);
		json_t *opts;
		if (bjson_string(v, "destination", path, true, &m->destination, err) < 0 ||
		    bjson_string(v, "type", path, false, &m->type, err) < 0 ||
		    bjson_string(v, "source", path, false, &m->source, err) < 0 ||
		    bjson_member(v, "options", path, JSON_ARRAY, false, &opts, err) < 0)
			return -1;
		if (m->destination[0] != '/')
			return berth_error_set(
			    err, EINVAL, "%s.destination: must be an absolute path, got \"%s\"",
			    path, m->destination);
		if (opts && oci_mount_parse_options(opts, path, m, err) < 0)
			return -1;
		/* Type "bind" is a bind mount with or without an options list. */
		if (m->type && strcmp(m->type, "bind") == 0)
			m->bind = true;
		if (json_object_get(v, "uidMappings") || json_object_get(v, "gidMappings"))
			return berth_error_set(err, ENOTSUP,
					       "%s: idmapped mounts (uidMappings/gidMappings) are "
					       "not supported yet",
					       path);
		if (!m->bind && m->type == NULL)
			return berth_error_set(
			    err, EINVAL,
			    "%s.type: required for a mount that is not a bind mount "
			    "(destination %s)",
			    path, m->destination);
		if (m->bind && m->source == NULL)
			return berth_error_set(
			    err, EINVAL, "%s.source: required for a bind mount (destination %s)",
			    path, m->destination);
	}
	return 0;
}

static const char *const hook_keys[OCI_HOOK_KINDS] = {
    "prestart", "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
};

static int parse_hooks(json_t *doc, struct oci_spec *s, struct berth_error **err)
{
	json_t *hooks;
	if (bjson_member(doc, "hooks", "", JSON_OBJECT, false, &hooks, err) < 0)
		return -1;
	if (hooks == NULL)
		return 0;
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		json_t *arr;
		if (bjson_member(hooks, hook_keys[k], "hooks", JSON_ARRAY, false, &arr, err) < 0)
			return -1;
		if (arr == NULL)
			continue;
		struct oci_hook_list *l = &s->hooks[k];
		l->hooks = xcalloc(json_array_size(arr), sizeof(*l->hooks));
		size_t i;
		json_t *v;
		json_array_foreach(arr, i, v)
		{
			cleanup_free char *path = xasprintf("hooks.%s[%zu]", hook_keys[k], i);
			struct oci_hook *h = &l->hooks[l->n++];
			int64_t t = 0;
			bool has_t;
			if (!json_is_object(v))
				return not_an_object(v, path, err);
			if (bjson_string(v, "path", path, true, &h->path, err) < 0 ||
			    bjson_strv(v, "args", path, false, &h->args, err) < 0 ||
			    bjson_strv(v, "env", path, false, &h->env, err) < 0 ||
			    bjson_int(v, "timeout", path, 1, INT32_MAX, &t, &has_t, err) < 0)
				return -1;
			if (json_object_get(v, "timeout") && !has_t)
				return berth_error_set(err, EINVAL, "%s.timeout: must be positive",
						       path);
			h->timeout = (int)t;
			if (h->path[0] != '/')
				return berth_error_set(
				    err, EINVAL, "%s.path: must be an absolute path, got \"%s\"",
				    path, h->path);
		}
	}
	return 0;
}

static int parse_namespaces(json_t *linux_, struct oci_spec *s, struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(linux_, "namespaces", "linux", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	s->namespaces = xcalloc(json_array_size(arr), sizeof(*s->namespaces));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		cleanup_free char *path = xasprintf("linux.namespaces[%zu]", i);
		cleanup_free char *type = NULL;
		struct oci_namespace *ns = &s->namespaces[s->n_namespaces];
		if (!json_is_object(v))
			return not_an_object(v, path, err);
		if (bjson_string(v, "type", path, true, &type, err) < 0 ||
		    bjson_string(v, "path", path, false, &ns->path, err) < 0)
			return -1;
		s->n_namespaces++;
		ns->type = oci_namespace_from_name(type);
		if (ns->type < 0)
			return berth_error_set(
			    err, EINVAL, "%s.type: unknown namespace type \"%s\"", path, type);
		for (size_t j = 0; j + 1 < s->n_namespaces; j++)
			if (s->namespaces[j].type == ns->type)
				return berth_error_set(err, EINVAL,
						       "%s.type: namespace \"%s\" is listed twice",
						       path, type);
		if (ns->path && ns->path[0] != '/')
			return berth_error_set(err, EINVAL,
					       "%s.path: must be an absolute path, got \"%s\"",
					       path, ns->path);
	}
	return 0;
}

static int parse_id_mappings(json_t *linux_, const char *key, struct oci_id_mapping **out,
			     size_t *n, struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(linux_, key, "linux", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	*out = xcalloc(json_array_size(arr), sizeof(**out));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		cleanup_free char *path = xasprintf("linux.%s[%zu]", key, i);
		int64_t c = 0, h = 0, sz = 0;
		bool pc, ph, ps;
		if (!json_is_object(v))
			return not_an_object(v, path, err);
		if (bjson_int(v, "containerID", path, 0, UINT32_MAX, &c, &pc, err) < 0 ||
		    bjson_int(v, "hostID", path, 0, UINT32_MAX, &h, &ph, err) < 0 ||
		    bjson_int(v, "size", path, 1, UINT32_MAX, &sz, &ps, err) < 0)
			return -1;
		if (!pc || !ph || !ps)
			return berth_error_set(
			    err, EINVAL, "%s: containerID, hostID and size are required", path);
		(*out)[i] = (struct oci_id_mapping){(uint32_t)c, (uint32_t)h, (uint32_t)sz};
		(*n)++;
	}
	return 0;
}

static int parse_devices(json_t *linux_, struct oci_spec *s, struct berth_error **err)
{
	json_t *arr;
	if (bjson_member(linux_, "devices", "linux", JSON_ARRAY, false, &arr, err) < 0)
		return -1;
	if (arr == NULL)
		return 0;
	s->devices = xcalloc(json_array_size(arr), sizeof(*s->devices));
	size_t i;
	json_t *v;
	json_array_foreach(arr, i, v)
	{
		cleanup_free char *path = xasprintf("linux.devices[%zu]", i);
		cleanup_free char *type = NULL;
		struct oci_device *d = &s->devices[s->n_devices++];
		int64_t mode = 0, uid = 0, gid = 0;
		bool has_major, has_minor;
		if (!json_is_object(v))
			return not_an_object(v, path, err);
		if (bjson_string(v, "path", path, true, &d->path, err) < 0 ||
		    bjson_string(v, "type", path, true, &type, err) < 0 ||
		    bjson_int(v, "major", path, 0, UINT32_MAX, &d->major, &has_major, err) < 0 ||
		    bjson_int(v, "minor", path, 0, UINT32_MAX, &d->minor, &has_minor, err) < 0 ||
		    bjson_int(v, "fileMode", path, 0, 07777, &mode, &d->has_mode, err) < 0 ||
		    bjson_int(v, "uid", path, 0, UINT32_MAX - 1, &uid, &d->has_uid, err) < 0 ||
		    bjson_int(v, "gid", path, 0, UINT32_MAX - 1, &gid, &d->has_gid, err) < 0)
			return -1;
		d->mode = (mode_t)mode;
		d->uid = (uid_t)uid;
		d->gid = (gid_t)gid;
		if (d->path[0] != '/')
			return berth_error_set(err, EINVAL,
					       "%s.path: must be an absolute path, got \"%s\"",
					       path, d->path);
		if (strcmp(type, "c") == 0 || strcmp(type, "u") == 0)
			d->type = 'c';
		else if (strcmp(type, "b") == 0 || strcmp(type, "p") == 0)
			d->type = type[0];
		else
			return berth_error_set(err, EINVAL,
					       "%s.type: unknown device type \"%s\" (c, b, u or p)",
					       path, type);
		if (d->type != 'p' && (!has_major || !has_minor))
			return berth_error_set(
			    err, EINVAL, "%s: major and minor are required for %s", path, d->path);
	}
	return 0;
}

static int parse_sysctl(json_t *linux_, struct oci_spec *s, struct berth_error **err)
{
	json_t *obj;
	if (bjson_member(linux_, "sysctl", "linux", JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	s->sysctl = xcalloc(json_object_size(obj), sizeof(*s->sysctl));
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			return berth_error_set(err, EINVAL,
					       "linux.sysctl.%s: expected a string, got %s", k, d);
		}
		if (*k == '\0' || strstr(k, "..") || k[0] == '.' || k[0] == '/')
			return berth_error_set(err, EINVAL, "linux.sysctl: invalid key \"%s\"", k);
		s->sysctl[s->n_sysctl].key = xstrdup(k);
		s->sysctl[s->n_sysctl].value = xstrdup(json_string_value(v));
		s->n_sysctl++;
	}
	return 0;
}

static int parse_propagation(json_t *linux_, struct oci_spec *s, struct berth_error **err)
{
	cleanup_free char *p = NULL;
	if (bjson_string(linux_, "rootfsPropagation", "linux", false, &p, err) < 0)
		return -1;
	if (p == NULL)
		return 0;
	s->rootfs_propagation = oci_propagation_from_name(p);
	if (s->rootfs_propagation)
		return 0;
	return berth_error_set(err, EINVAL, "linux.rootfsPropagation: unknown value \"%s\"", p);
}

static int parse_time_offsets(json_t *linux_, struct oci_spec *s, struct berth_error **err)
{
	json_t *obj;
	if (bjson_member(linux_, "timeOffsets", "linux", JSON_OBJECT, false, &obj, err) < 0)
		return -1;
	if (obj == NULL)
		return 0;
	const char *names[2] = {"monotonic", "boottime"};
	struct oci_time_offset *offs[2] = {&s->time_monotonic, &s->time_boottime};
	for (int i = 0; i < 2; i++) {
		json_t *o;
		if (bjson_member(obj, names[i], "linux.timeOffsets", JSON_OBJECT, false, &o, err) <
		    0)
			return -1;
		if (o == NULL)
			continue;
		cleanup_free char *path = xasprintf("linux.timeOffsets.%s", names[i]);
		int64_t ns = 0;
		if (bjson_int(o, "secs", path, INT64_MIN, INT64_MAX, &offs[i]->secs, NULL, err) <
			0 ||
		    bjson_int(o, "nanosecs", path, 0, 999999999, &ns, NULL, err) < 0)
			return -1;
		offs[i]->nanosecs = (uint32_t)ns;
		offs[i]->set = true;
	}
	return 0;
}

static int parse_linux(json_t *doc, struct oci_spec *s, struct berth_error **err)
{
	json_t *l;
	if (bjson_member(doc, "linux", "", JSON_OBJECT, false, &l, err) < 0)
		return -1;
	if (l == NULL)
		return 0;
	json_t *res;
	if (parse_namespaces(l, s, err) < 0 ||
	    parse_id_mappings(l, "uidMappings", &s->uid_mappings, &s->n_uid_mappings, err) < 0 ||
	    parse_id_mappings(l, "gidMappings", &s->gid_mappings, &s->n_gid_mappings, err) < 0 ||
	    parse_devices(l, s, err) < 0 ||
	    bjson_strv(l, "maskedPaths", "linux", false, &s->masked_paths, err) < 0 ||
	    bjson_strv(l, "readonlyPaths", "linux", false, &s->readonly_paths, err) < 0 ||
	    parse_sysctl(l, s, err) < 0 || parse_propagation(l, s, err) < 0 ||
	    bjson_string(l, "cgroupsPath", "linux", false, &s->cgroups_path, err) < 0 ||
	    bjson_string(l, "mountLabel", "linux", false, &s->mount_label, err) < 0 ||
	    parse_time_offsets(l, s, err) < 0 || oci_linux_parse_attrs(l, s, err) < 0 ||
	    bjson_member(l, "resources", "linux", JSON_OBJECT, false, &res, err) < 0)
		return -1;
	if (res)
		s->resources = json_incref(res);
	return 0;
}

static int check_user_ns(struct oci_spec *s, struct berth_error **err)
{
	const struct oci_namespace *user = oci_spec_namespace(s, CLONE_NEWUSER);
	bool maps = s->n_uid_mappings || s->n_gid_mappings;
	if (maps && (user == NULL || user->path))
		return berth_error_set(err, EINVAL,
				       "linux.uidMappings: mappings need a new user namespace in "
				       "linux.namespaces");
	if (user && !user->path && (!s->n_uid_mappings || !s->n_gid_mappings))
		return berth_error_set(err, EINVAL,
				       "linux.namespaces: a new user namespace needs both "
				       "linux.uidMappings and linux.gidMappings");
	const struct oci_namespace *time = oci_spec_namespace(s, CLONE_NEWTIME);
	if ((s->time_monotonic.set || s->time_boottime.set) && (time == NULL || time->path))
		return berth_error_set(err, EINVAL,
				       "linux.timeOffsets: offsets need a new time namespace");
	return 0;
}

int oci_spec_parse(const char *data, size_t len, struct oci_spec **out, struct berth_error **err)
{
	json_error_t jerr;
	json_t *doc = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	if (doc == NULL && json_error_code(&jerr) == json_error_numeric_overflow) {
		doc =
		    json_loadb(data, len, JSON_REJECT_DUPLICATES | JSON_DECODE_INT_AS_REAL, &jerr);
		bjson_reals_to_integers(doc);
	}
	if (doc == NULL)
		return berth_error_set(err, EINVAL, "invalid JSON at line %d column %d: %s",
				       jerr.line, jerr.column, jerr.text);
	if (!json_is_object(doc)) {
		berth_error_set(err, EINVAL, "the document must be a JSON object, got %s",
				bjson_type_name(json_typeof(doc)));
		json_decref(doc);
		return -1;
	}
	struct oci_spec *s = xcalloc(1, sizeof(*s));
	s->raw = doc;
	json_t *proc;
	if (bjson_string(doc, "ociVersion", "", true, &s->oci_version, err) < 0 ||
	    check_version(s->oci_version, err) < 0 || parse_root(doc, s, err) < 0 ||
	    bjson_string(doc, "hostname", "", false, &s->hostname, err) < 0 ||
	    bjson_string(doc, "domainname", "", false, &s->domainname, err) < 0 ||
	    parse_mounts(doc, s, err) < 0 || parse_hooks(doc, s, err) < 0 ||
	    parse_linux(doc, s, err) < 0 ||
	    bjson_member(doc, "process", "", JSON_OBJECT, false, &proc, err) < 0 ||
	    (proc && oci_process_parse(proc, "process", &s->process, err) < 0) ||
	    check_user_ns(s, err) < 0) {
		oci_spec_free(s);
		return -1;
	}
	if (s->process)
		s->process->personality = s->personality;
	json_t *ann;
	if (bjson_member(doc, "annotations", "", JSON_OBJECT, false, &ann, err) < 0) {
		oci_spec_free(s);
		return -1;
	}
	const char *k;
	json_t *v;
	json_object_foreach(ann, k, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			berth_error_set(err, EINVAL, "annotations.%s: expected a string, got %s", k,
					d);
			oci_spec_free(s);
			return -1;
		}
	}
	s->annotations = ann ? json_incref(ann) : json_object();
	*out = s;
	return 0;
}

int oci_spec_load(const char *bundle, struct oci_spec **out, struct berth_error **err)
{
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	cleanup_free char *data = NULL;
	size_t len;
	if (fs_read_file(path, &data, &len, err) < 0)
		return -1;
	if (oci_spec_parse(data, len, out, err) < 0)
		return berth_error_wrap(err, "%s", path);
	return 0;
}

const struct oci_namespace *oci_spec_namespace(const struct oci_spec *s, int flag)
{
	for (size_t i = 0; i < s->n_namespaces; i++)
		if (s->namespaces[i].type == flag)
			return &s->namespaces[i];
	return NULL;
}

void oci_spec_free(struct oci_spec *s)
{
	if (s == NULL)
		return;
	free(s->oci_version);
	oci_process_free(s->process);
	free(s->root_path);
	free(s->hostname);
	free(s->domainname);
	for (size_t i = 0; i < s->n_mounts; i++) {
		free(s->mounts[i].destination);
		free(s->mounts[i].type);
		free(s->mounts[i].source);
		free(s->mounts[i].data);
	}
	free(s->mounts);
	for (int k = 0; k < OCI_HOOK_KINDS; k++) {
		for (size_t i = 0; i < s->hooks[k].n; i++) {
			free(s->hooks[k].hooks[i].path);
			strv_free(s->hooks[k].hooks[i].args);
			strv_free(s->hooks[k].hooks[i].env);
		}
		free(s->hooks[k].hooks);
	}
	for (size_t i = 0; i < s->n_namespaces; i++)
		free(s->namespaces[i].path);
	free(s->namespaces);
	free(s->uid_mappings);
	free(s->gid_mappings);
	for (size_t i = 0; i < s->n_devices; i++)
		free(s->devices[i].path);
	free(s->devices);
	strv_free(s->masked_paths);
	strv_free(s->readonly_paths);
	for (size_t i = 0; i < s->n_sysctl; i++) {
		free(s->sysctl[i].key);
		free(s->sysctl[i].value);
	}
	free(s->sysctl);
	free(s->cgroups_path);
	free(s->mount_label);
	oci_linux_free_attrs(s);
	if (s->resources)
		json_decref(s->resources);
	if (s->annotations)
		json_decref(s->annotations);
	if (s->raw)
		json_decref(s->raw);
	free(s);
}
