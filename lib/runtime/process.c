#include "runtime/process.h"
#include "runtime/lsm.h"
#include "runtime/process-attrs.h"
#include "common/cleanup.h"
#include "common/fs.h"
#include "common/xalloc.h"

#include <errno.h>
#include <linux/close_range.h>
#include <pwd.h>
#include <signal.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int process_set_rlimits(const struct oci_process *p, struct berth_error **err)
{
	for (size_t i = 0; i < p->n_rlimits; i++) {
		struct rlimit rl = {.rlim_cur = p->rlimits[i].soft, .rlim_max = p->rlimits[i].hard};
		if (setrlimit((__rlimit_resource_t)p->rlimits[i].resource, &rl) < 0)
			return berth_error_errno(err, "process.rlimits[%zu]: setrlimit %llu/%llu",
						 i, (unsigned long long)rl.rlim_cur,
						 (unsigned long long)rl.rlim_max);
	}
	return 0;
}

int process_set_oom_score_adj(const struct oci_process *p, struct berth_error **err)
{
	if (!p->has_oom_score_adj)
		return 0;
	char buf[16];
	snprintf(buf, sizeof(buf), "%d", p->oom_score_adj);
	if (fs_write_string("/proc/self/oom_score_adj", buf, err) < 0)
		return berth_error_wrap(err, "process.oomScoreAdj");
	return 0;
}

static int last_cap(void)
{
	cleanup_free char *s = NULL;
	struct berth_error *e = NULL;
	if (fs_read_file("/proc/sys/kernel/cap_last_cap", &s, NULL, &e) < 0) {
		berth_error_free(&e);
		return CAP_LAST_CAP;
	}
	return atoi(s);
}

/* Needs CAP_SETPCAP: done before the switch to the container's user. */
static int drop_bounding(const struct oci_process *p, struct berth_error **err)
{
	int last = last_cap();
	for (int c = 0; c <= last; c++) {
		if (p->caps.bounding & (1ULL << c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return berth_error_errno(err, "process.capabilities.bounding: drop %d", c);
	}
	return 0;
}

static int set_caps(const struct oci_process *p, struct berth_error **err)
{
	int last = last_cap();
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct data[2];
	memset(data, 0, sizeof(data));
	for (int i = 0; i < 2; i++) {
		data[i].effective = (uint32_t)(p->caps.effective >> (32 * i));
		data[i].permitted = (uint32_t)(p->caps.permitted >> (32 * i));
		data[i].inheritable = (uint32_t)(p->caps.inheritable >> (32 * i));
	}
	if (syscall(SYS_capset, &hdr, data) < 0)
		return berth_error_errno(err, "process.capabilities: capset");
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return berth_error_errno(err, "process.capabilities.ambient: clear");
	for (int c = 0; c <= last; c++) {
		if (!(p->caps.ambient & (1ULL << c)))
			continue;
		/* runc ignores ambient caps that are not also inheritable+permitted */
		if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, c, 0, 0) < 0 && errno != EPERM)
			return berth_error_errno(err, "process.capabilities.ambient: raise %d", c);
	}
	return 0;
}

int process_set_identity(const struct oci_process *p, bool setgroups_allowed,
			 struct berth_error **err)
{
	const struct oci_user *u = &p->user;
	/* no capabilities object: the process gets none (all sets empty) */
	if (drop_bounding(p, err) < 0)
		return -1;
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return berth_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
	if (setgroups_allowed &&
	    setgroups(u->n_additional_gids, u->n_additional_gids ? u->additional_gids : NULL) < 0)
		return berth_error_errno(err, "process.user.additionalGids: setgroups");
	if (!setgroups_allowed && u->n_additional_gids)
		return berth_error_set(
		    err, EPERM,
		    "process.user.additionalGids: setgroups is denied in this user "
		    "namespace");
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return berth_error_errno(err, "process.user.gid: setgid %u", u->gid);
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return berth_error_errno(err, "process.user.uid: setuid %u", u->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return berth_error_errno(err, "prctl(PR_SET_KEEPCAPS)");
	if (set_caps(p, err) < 0)
		return -1;
	if (u->has_umask)
		umask(u->umask);
	return 0;
}

int process_set_no_new_privs(const struct oci_process *p, struct berth_error **err)
{
	if (p->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return berth_error_errno(err, "process.noNewPrivileges");
	return 0;
}

/* HOME from the container's /etc/passwd when the config does not set it. */
static char **env_with_home(const struct oci_process *p)
{
	size_t n = 0;
	for (; p->env[n]; n++)
		if (strncmp(p->env[n], "HOME=", 5) == 0)
			return NULL;
	const char *home = "/";
	cleanup_free char *found = NULL;
	cleanup_fclose FILE *f = fopen("/etc/passwd", "re");
	struct passwd *pw;
	while (f && (pw = fgetpwent(f)) != NULL) {
		if (pw->pw_uid == p->user.uid && pw->pw_dir && *pw->pw_dir) {
			found = xstrdup(pw->pw_dir);
			break;
		}
	}
	if (found)
		home = found;
	char **env = xcalloc(n + 2, sizeof(char *));
	memcpy(env, p->env, n * sizeof(char *));
	env[n] = xasprintf("HOME=%s", home);
	return env;
}

const char *process_env_path(char **env)
{
	for (size_t i = 0; env && env[i]; i++)
		if (strncmp(env[i], "PATH=", 5) == 0)
			return env[i] + 5;
	return "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
}

static bool is_executable(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int process_find_executable(const struct oci_process *p, char **out, struct berth_error **err)
{
	const char *name = p->args[0];
	if (strchr(name, '/')) {
		/* as runc's (Go's exec.LookPath): a failed stat as itself, with
		 * Go's errno text ("stat /root/x: permission denied" for a user
		 * who may not search /root), else "permission denied"; the docker
		 * CLI exits 127 or 126 by these texts */
		struct stat st;
		if (stat(name, &st) < 0) {
			int e = errno;
			cleanup_free char *text = berth_errno_text(e);
			return berth_error_set(err, e, "process.args[0]: exec: \"%s\": stat %s: %s",
					       name, name, text);
		}
		if (!is_executable(name))
			return berth_error_set(
			    err, EACCES, "process.args[0]: exec: \"%s\": permission denied", name);
		*out = xstrdup(name);
		return 0;
	}
	cleanup_free char *path = xstrdup(process_env_path(p->env));
	char *save = NULL;
	for (char *dir = strtok_r(path, ":", &save); dir; dir = strtok_r(NULL, ":", &save)) {
		cleanup_free char *cand = xasprintf("%s/%s", *dir ? dir : ".", name);
		if (is_executable(cand)) {
			*out = steal_ptr(cand);
			return 0;
		}
	}
	return berth_error_set(
	    err, ENOENT, "process.args[0]: exec: \"%s\": executable file not found in $PATH", name);
}

static bool setgroups_allowed(bool in_userns)
{
	if (!in_userns)
		return true;
	cleanup_free char *sg = NULL;
	struct berth_error *e = NULL;
	bool ok = true;
	if (fs_read_file("/proc/self/setgroups", &sg, NULL, &e) == 0)
		ok = strncmp(sg, "deny", 4) != 0;
	berth_error_free(&e);
	return ok;
}

int process_prepare(const struct oci_process *p, bool in_userns, struct process_exec *out,
		    struct berth_error **err)
{
	if (process_set_oom_score_adj(p, err) < 0 || process_set_rlimits(p, err) < 0 ||
	    process_attrs_apply(p, err) < 0 || lsm_apply_exec(p, err) < 0)
		return -1;
	/* as root first; again as the user if root could not (root_squash and the like) */
	bool cwd_ok = chdir(p->cwd) == 0;
	if (process_set_identity(p, setgroups_allowed(in_userns), err) < 0)
		return -1;
	if (!cwd_ok && chdir(p->cwd) < 0)
		return berth_error_errno(err, "process.cwd: chdir %s", p->cwd);
	if (process_find_executable(p, &out->exe, err) < 0 || process_set_no_new_privs(p, err) < 0)
		return -1;
	out->env = env_with_home(p);
	return 0;
}

void process_exec(struct process_exec *pe, const struct oci_process *p, int preserve_fds)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* Nothing of ours may reach the container: every fd past the preserved
	 * ones is close-on-exec. */
	syscall(SYS_close_range, 3 + preserve_fds, ~0U, CLOSE_RANGE_CLOEXEC);
	execve(pe->exe, p->args, pe->env ? pe->env : p->env);
}
