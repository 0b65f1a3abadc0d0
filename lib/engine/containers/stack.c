/* The view of the whole stack of one container (berth inspect's "Stack"):
 * shim pid, task pid, runtime and its --root, bundle, cgroup, namespaces and
 * the rootfs mount; and docker's GraphDriver object. */
#include "engine/containers/internal.h"

#include "common/cleanup.h"
#include "common/fs.h"
#include "common/log.h"
#include "common/xalloc.h"
#include "core/snapshots/snapshots.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

/* "overlay on /x type overlay (rw,lowerdir=...)" from /proc/self/mountinfo */
static char *mount_line(const char *target)
{
	cleanup_fclose FILE *f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return NULL;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	char *found = NULL;
	while (getline(&line, &cap, f) > 0) {
		/* id parent maj:min root mountpoint options [optional...] - type source super */
		char *save = NULL;
		char *tok[6] = {0};
		char *p = line;
		for (int i = 0; i < 6; i++) {
			tok[i] = strtok_r(p, " ", &save);
			p = NULL;
			if (!tok[i])
				break;
		}
		if (!tok[5] || strcmp(tok[4], target) != 0)
			continue;
		char *t;
		while ((t = strtok_r(NULL, " ", &save)) && strcmp(t, "-") != 0)
			;
		char *type = strtok_r(NULL, " ", &save);
		char *src = strtok_r(NULL, " ", &save);
		char *super = strtok_r(NULL, " \n", &save);
		free(found);
		found = xasprintf("%s on %s type %s (%s%s%s)", src ? src : "?", target,
				  type ? type : "?", tok[5], super ? "," : "", super ? super : "");
	}
	return found;
}

static json_t *namespaces(pid_t pid)
{
	static const char *const kinds[] = {"cgroup", "ipc",  "mnt", "net",
					    "pid",    "user", "uts", NULL};
	json_t *o = json_object();
	for (size_t i = 0; kinds[i]; i++) {
		cleanup_free char *p = xasprintf("/proc/%d/ns/%s", (int)pid, kinds[i]);
		struct stat st;
		if (stat(p, &st) == 0)
			json_object_set_new(o, kinds[i], json_integer((json_int_t)st.st_ino));
	}
	return o;
}

static char *proc_cgroup(pid_t pid)
{
	cleanup_free char *p = xasprintf("/proc/%d/cgroup", (int)pid);
	cleanup_free char *text = NULL;
	if (fs_read_file(p, &text, NULL, NULL) < 0)
		return NULL;
	/* cgroup v2 (and hybrid's unified hierarchy): the line "0::/path" */
	char *l = strncmp(text, "0::", 3) == 0 ? text : strstr(text, "\n0::");
	if (!l)
		return NULL;
	if (*l == '\n')
		l++;
	l += 3;
	char *nl = strchr(l, '\n');
	if (nl)
		*nl = '\0';
	return xstrdup(l);
}

json_t *ctr_stack_info(struct engine *e, struct container *c)
{
	json_t *o = json_object();
	pthread_mutex_lock(&c->lock);
	bool up = c->state.status == CTR_RUNNING || c->state.status == CTR_PAUSED;
	pid_t shim = c->state.shim_pid, pid = c->state.pid;
	cleanup_free char *cg = c->priv->cgroup_path ? xstrdup(c->priv->cgroup_path) : NULL;
	pthread_mutex_unlock(&c->lock);
	if (!up)
		return o;
	cleanup_free char *rt_path = NULL;
	ctr_runtime_resolve(e, c->runtime, &rt_path, NULL, NULL);
	json_object_set_new(o, "ShimPid", json_integer(shim));
	json_object_set_new(o, "TaskPid", json_integer(pid));
	json_object_set_new(o, "Runtime", json_string(c->runtime ? c->runtime : ""));
	json_object_set_new(o, "RuntimePath", json_string(rt_path ? rt_path : ""));
	json_object_set_new(o, "RuntimeRoot", json_string(e->containers->runtime_root));
	json_object_set_new(o, "Bundle", json_string(c->shim_dir ? c->shim_dir : ""));
	cleanup_free char *real = pid > 0 ? proc_cgroup(pid) : NULL;
	json_object_set_new(o, "CgroupPath", json_string(real ? real : cg ? cg : ""));
	json_object_set_new(o, "Namespaces", pid > 0 ? namespaces(pid) : json_object());
	cleanup_free char *m = c->rootfs ? mount_line(c->rootfs) : NULL;
	json_object_set_new(o, "RootfsMount", json_string(m ? m : ""));
	return o;
}

json_t *ctr_graph_driver(struct engine *e, struct container *c)
{
	json_t *data = json_object();
	struct snap_mounts m = {0};
	struct berth_error *err = NULL;
	const char *drv = e->snap ? snap_driver(e->snap) : "";
	bool overlay = strcmp(drv, "overlayfs") == 0;
	if (e->snap && c->snapshot_key && snap_mounts(e->snap, c->snapshot_key, &m, &err) == 0) {
		for (size_t i = 0; i < m.n; i++) {
			if (strcmp(m.v[i].type, "bind") == 0 && !overlay)
				json_object_set_new(data, "Dir", json_string(m.v[i].source));
			for (char **op = m.v[i].options; op && *op; op++) {
				static const struct {
					const char *opt, *key;
				} map[] = {{"lowerdir=", "LowerDir"},
					   {"upperdir=", "UpperDir"},
					   {"workdir=", "WorkDir"}};
				for (size_t k = 0; k < 3; k++)
					if (strncmp(*op, map[k].opt, strlen(map[k].opt)) == 0)
						json_object_set_new(
						    data, map[k].key,
						    json_string(*op + strlen(map[k].opt)));
			}
		}
		snap_mounts_free(&m);
	} else {
		berth_error_free(&err);
	}
	if (overlay && c->rootfs)
		json_object_set_new(data, "MergedDir", json_string(c->rootfs));
	return json_pack("{s:o,s:s}", "Data", data, "Name", overlay ? "overlay2" : "vfs");
}
