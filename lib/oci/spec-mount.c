/* Mount option lists of config.json: flags, propagation, recursive
 * attributes and data. */
#include "oci/spec.h"
#include "common/cleanup.h"
#include "common/json.h"
#include "common/xalloc.h"

#include <errno.h>
#include <linux/mount.h>
#include <string.h>
#include <sys/mount.h>

struct flag_opt {
	const char *name;
	bool clear;
	unsigned long flag;
};

static const struct flag_opt flag_opts[] = {
    {"defaults", false, 0},
    {"ro", false, MS_RDONLY},
    {"rw", true, MS_RDONLY},
    {"suid", true, MS_NOSUID},
    {"nosuid", false, MS_NOSUID},
    {"dev", true, MS_NODEV},
    {"nodev", false, MS_NODEV},
    {"exec", true, MS_NOEXEC},
    {"noexec", false, MS_NOEXEC},
    {"sync", false, MS_SYNCHRONOUS},
    {"async", true, MS_SYNCHRONOUS},
    {"dirsync", false, MS_DIRSYNC},
    {"remount", false, MS_REMOUNT},
    {"mand", false, MS_MANDLOCK},
    {"nomand", true, MS_MANDLOCK},
    {"atime", true, MS_NOATIME},
    {"noatime", false, MS_NOATIME},
    {"diratime", true, MS_NODIRATIME},
    {"nodiratime", false, MS_NODIRATIME},
    {"relatime", false, MS_RELATIME},
    {"norelatime", true, MS_RELATIME},
    {"strictatime", false, MS_STRICTATIME},
    {"nostrictatime", true, MS_STRICTATIME},
    {"silent", false, MS_SILENT},
    {"loud", true, MS_SILENT},
#ifdef MS_NOSYMFOLLOW
    {"nosymfollow", false, MS_NOSYMFOLLOW},
    {"symfollow", true, MS_NOSYMFOLLOW},
#endif
};

static const struct {
	const char *name;
	unsigned long flag;
} prop_opts[] = {
    {"shared", MS_SHARED},	   {"rshared", MS_SHARED | MS_REC},
    {"slave", MS_SLAVE},	   {"rslave", MS_SLAVE | MS_REC},
    {"private", MS_PRIVATE},	   {"rprivate", MS_PRIVATE | MS_REC},
    {"unbindable", MS_UNBINDABLE}, {"runbindable", MS_UNBINDABLE | MS_REC},
};

struct attr_opt {
	const char *name;
	bool clear;
	uint64_t attr;
};

/* Recursive variants applied with mount_setattr(AT_RECURSIVE). */
static const struct attr_opt attr_opts[] = {
    {"rro", false, MOUNT_ATTR_RDONLY},
    {"rrw", true, MOUNT_ATTR_RDONLY},
    {"rnosuid", false, MOUNT_ATTR_NOSUID},
    {"rsuid", true, MOUNT_ATTR_NOSUID},
    {"rnodev", false, MOUNT_ATTR_NODEV},
    {"rdev", true, MOUNT_ATTR_NODEV},
    {"rnoexec", false, MOUNT_ATTR_NOEXEC},
    {"rexec", true, MOUNT_ATTR_NOEXEC},
    {"rnodiratime", false, MOUNT_ATTR_NODIRATIME},
    {"rdiratime", true, MOUNT_ATTR_NODIRATIME},
    {"rnoatime", false, MOUNT_ATTR_NOATIME},
    {"rrelatime", false, MOUNT_ATTR_RELATIME},
    {"rstrictatime", false, MOUNT_ATTR_STRICTATIME},
    {"rnosymfollow", false, MOUNT_ATTR_NOSYMFOLLOW},
    {"rsymfollow", true, MOUNT_ATTR_NOSYMFOLLOW},
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

json_t *oci_mount_option_names(void)
{
	json_t *a = json_array();
	for (size_t i = 0; i < ARRAY_LEN(flag_opts); i++)
		json_array_append_new(a, json_string(flag_opts[i].name));
	for (size_t i = 0; i < ARRAY_LEN(prop_opts); i++)
		json_array_append_new(a, json_string(prop_opts[i].name));
	for (size_t i = 0; i < ARRAY_LEN(attr_opts); i++)
		json_array_append_new(a, json_string(attr_opts[i].name));
	json_array_append_new(a, json_string("bind"));
	json_array_append_new(a, json_string("rbind"));
	json_array_append_new(a, json_string("tmpcopyup"));
	json_array_append_new(a, json_string("notmpcopyup"));
	return a;
}

unsigned long oci_propagation_from_name(const char *name)
{
	for (size_t i = 0; i < ARRAY_LEN(prop_opts); i++)
		if (strcmp(prop_opts[i].name, name) == 0)
			return prop_opts[i].flag;
	return 0;
}

static bool apply_one(struct oci_mount *m, const char *o)
{
	for (size_t i = 0; i < ARRAY_LEN(flag_opts); i++) {
		if (strcmp(flag_opts[i].name, o) != 0)
			continue;
		if (flag_opts[i].clear)
			m->flags &= ~flag_opts[i].flag;
		else
			m->flags |= flag_opts[i].flag;
		return true;
	}
	for (size_t i = 0; i < ARRAY_LEN(prop_opts); i++) {
		if (strcmp(prop_opts[i].name, o) == 0) {
			m->propagation = prop_opts[i].flag;
			return true;
		}
	}
	for (size_t i = 0; i < ARRAY_LEN(attr_opts); i++) {
		if (strcmp(attr_opts[i].name, o) != 0)
			continue;
		uint64_t a = attr_opts[i].attr;
		if (a == MOUNT_ATTR_RELATIME || a == MOUNT_ATTR_NOATIME ||
		    a == MOUNT_ATTR_STRICTATIME) {
			m->attr_clr |= MOUNT_ATTR__ATIME;
			m->attr_set = (m->attr_set & ~MOUNT_ATTR__ATIME) | a;
		} else if (attr_opts[i].clear) {
			m->attr_clr |= a;
			m->attr_set &= ~a;
		} else {
			m->attr_set |= a;
		}
		return true;
	}
	if (strcmp(o, "bind") == 0) {
		m->bind = true;
		return true;
	}
	if (strcmp(o, "rbind") == 0) {
		m->bind = m->recursive_bind = true;
		return true;
	}
	/* runc's extension (podman --read-only uses it); never mount data */
	if (strcmp(o, "tmpcopyup") == 0 || strcmp(o, "notmpcopyup") == 0) {
		m->tmpcopyup = o[0] == 't';
		return true;
	}
	return false;
}

int oci_mount_parse_options(json_t *options, const char *path, struct oci_mount *m,
			    struct berth_error **err)
{
	size_t i;
	json_t *v;
	char *data = NULL;
	json_array_foreach(options, i, v)
	{
		if (!json_is_string(v)) {
			cleanup_free char *d = bjson_describe(v);
			free(data);
			return berth_error_set(
			    err, EINVAL, "%s.options[%zu]: expected a string, got %s", path, i, d);
		}
		const char *o = json_string_value(v);
		if (*o == '\0')
			continue;
		if (apply_one(m, o))
			continue;
		/* Everything else is file-system data (size=, mode=, uid=, ...) */
		char *n = data ? xasprintf("%s,%s", data, o) : xstrdup(o);
		free(data);
		data = n;
	}
	free(m->data);
	m->data = data;
	/* Types that are bind mounts by nature */
	if (m->type && strcmp(m->type, "bind") == 0)
		m->bind = true;
	return 0;
}
