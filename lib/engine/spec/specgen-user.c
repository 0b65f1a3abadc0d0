/* The process user from "-u" / the image's User: names and ids looked up in
 * the image's /etc/passwd and /etc/group, opened with openat2
 * RESOLVE_IN_ROOT so that a symlink cannot lead out of the rootfs (docker's
 * user.GetExecUserPath semantics: a numeric id needs no entry). */
#include "engine/spec/specgen-internal.h"

#include "common/cleanup.h"
#include "common/xalloc.h"
#include "runtime/path.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* NULL with errno ENOENT when the file is absent */
static FILE *open_in_root(const char *rootfs, const char *path, struct berth_error **err)
{
	cleanup_close int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (root < 0) {
		berth_error_errno(err, "open rootfs %s", rootfs);
		return NULL;
	}
	struct open_how how = {.flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK,
			       .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS};
	int fd = (int)syscall(SYS_openat2, root, path, &how, sizeof(how));
	if (fd < 0 && (errno == ENOSYS || errno == EPERM)) {
		/* no openat2 (old kernel, seccomp, valgrind): lib/runtime's walk,
		 * which refuses to climb out; any failure reads as absent */
		struct berth_error *perr = NULL;
		cleanup_close int pfd = path_open_in_root(root, path, PATH_NO_CREATE, &perr);
		berth_error_free(&perr);
		char buf[32];
		fd = pfd < 0 ? -1 : open(path_fd(pfd, buf), how.flags);
		if (pfd < 0)
			errno = ENOENT;
	}
	if (fd < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			berth_error_errno(err, "open %s in rootfs %s", path, rootfs);
		else
			errno = ENOENT;
		return NULL;
	}
	FILE *f = fdopen(fd, "r");
	if (f == NULL)
		close(fd);
	return f;
}

static bool parse_id(const char *s, unsigned long *out)
{
	if (*s == '\0' || !isdigit((unsigned char)*s))
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(s, &end, 10);
	if (*end || errno || v > 0x7fffffffUL)
		return false;
	*out = v;
	return true;
}

/* Split a colon-separated line in place into at most max fields. */
static size_t split_fields(char *line, char **fields, size_t max)
{
	size_t n = 0;
	line[strcspn(line, "\n")] = '\0';
	while (n < max) {
		fields[n++] = line;
		char *c = strchr(line, ':');
		if (c == NULL)
			break;
		*c = '\0';
		line = c + 1;
	}
	return n;
}

struct pw_entry {
	bool found;
	char *name;
	unsigned long uid, gid;
	char *home;
};

/* user "" matches uid 0 (docker's default user) */
static int find_passwd(const char *rootfs, const char *user, struct pw_entry *pw,
		       struct berth_error **err)
{
	unsigned long want = 0;
	bool numeric = *user == '\0' || parse_id(user, &want);
	cleanup_fclose FILE *f = open_in_root(rootfs, "/etc/passwd", err);
	if (f == NULL && errno != ENOENT)
		return -1;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) >= 0) {
		char *fl[7] = {0};
		if (line[0] == '#' || split_fields(line, fl, 7) < 4)
			continue;
		unsigned long uid, gid;
		if (!parse_id(fl[2], &uid) || !parse_id(fl[3], &gid))
			continue;
		bool match =
		    *user ? strcmp(fl[0], user) == 0 || (numeric && uid == want) : uid == 0;
		if (!match)
			continue;
		pw->found = true;
		pw->name = xstrdup(fl[0]);
		pw->uid = uid;
		pw->gid = gid;
		pw->home = xstrdup(fl[5] && *fl[5] ? fl[5] : "/");
		return 0;
	}
	if (!numeric)
		return berth_error_set(err, EINVAL,
				       "unable to find user %s: no matching entries in passwd file",
				       user);
	pw->uid = want;
	pw->gid = 0;
	pw->home = xstrdup("/");
	return 0;
}

/* A group by name or id: *gid; with member != NULL also every group that
 * lists member, appended to gids. */
static int find_group(const char *rootfs, const char *group, const char *member, json_t *gids,
		      unsigned long *gid, struct berth_error **err)
{
	unsigned long want = 0;
	bool numeric = group && parse_id(group, &want);
	bool found = false;
	cleanup_fclose FILE *f = open_in_root(rootfs, "/etc/group", err);
	if (f == NULL && errno != ENOENT)
		return -1;
	cleanup_free char *line = NULL;
	size_t cap = 0;
	while (f && getline(&line, &cap, f) >= 0) {
		char *fl[4] = {0};
		if (line[0] == '#' || split_fields(line, fl, 4) < 3)
			continue;
		unsigned long g = 0;
		if (!parse_id(fl[2], &g))
			continue;
		if (group && !found && (strcmp(fl[0], group) == 0 || (numeric && g == want))) {
			found = true;
			*gid = g;
		}
		if (member && fl[3]) {
			char *save = NULL;
			for (char *tok = strtok_r(fl[3], ",", &save); tok;
			     tok = strtok_r(NULL, ",", &save))
				if (strcmp(tok, member) == 0) {
					json_array_append_new(gids, json_integer((json_int_t)g));
					break;
				}
		}
	}
	if (group && !found) {
		if (!numeric)
			return berth_error_set(
			    err, EINVAL,
			    "unable to find group %s: no matching entries in group file", group);
		*gid = want;
	}
	return 0;
}

static bool has_gid(json_t *gids, unsigned long g)
{
	size_t i;
	json_t *e;
	json_array_foreach(gids, i, e)
	{
		if ((unsigned long)json_integer_value(e) == g)
			return true;
	}
	return false;
}

int sg_user_lookup(const char *rootfs, const char *user, json_t *group_add, struct sg_user *out,
		   struct berth_error **err)
{
	memset(out, 0, sizeof(*out));
	cleanup_free char *u = xstrdup(user ? user : "");
	char *group = strchr(u, ':');
	if (group)
		*group++ = '\0';
	if (group && *group == '\0')
		group = NULL;
	struct pw_entry pw = {0};
	if (find_passwd(rootfs, u, &pw, err) < 0)
		return -1;
	cleanup_free char *pw_name = pw.name;
	cleanup_json json_t *gids = json_array();
	unsigned long gid = pw.gid;
	/* supplementary groups of the user's name only when no group is given */
	if (find_group(rootfs, group, group ? NULL : pw.name, gids, &gid, err) < 0) {
		free(pw.home);
		return -1;
	}
	/* runc's user lookup (as dockerd's specs show): with no supplementary
	 * group found, the process's only supplementary group is its gid */
	if (json_array_size(gids) == 0)
		json_array_append_new(gids, json_integer((json_int_t)gid));
	size_t i;
	json_t *e;
	json_array_foreach(group_add, i, e)
	{
		unsigned long g = 0;
		if (!json_is_string(e) ||
		    find_group(rootfs, json_string_value(e), NULL, NULL, &g, err) < 0) {
			free(pw.home);
			if (!json_is_string(e))
				berth_error_set(err, EINVAL, "GroupAdd[%zu]: expected a string", i);
			return -1;
		}
		if (!has_gid(gids, g))
			json_array_append_new(gids, json_integer((json_int_t)g));
	}
	out->uid = (uid_t)pw.uid;
	out->gid = (gid_t)gid;
	out->home = pw.home;
	out->additional_gids = steal_ptr(gids);
	return 0;
}

void sg_user_clear(struct sg_user *u)
{
	json_decref(u->additional_gids);
	free(u->home);
	memset(u, 0, sizeof(*u));
}
