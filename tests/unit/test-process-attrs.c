/* Unit tests of the host checks of lib/runtime/process-attrs.c and lsm.c on
 * fake trees: AppArmor/SELinux presence, resctrl, the CPUs of the machine. */
#include "test-spec-util.h"

#include "oci/spec.h"
#include "runtime/lsm.h"
#include "runtime/process-attrs.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <unistd.h>

struct fake {
	char dir[64];
	char *apparmor, *selinux, *possible, *online, *mountinfo;
	struct process_attrs_host host;
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *in(struct fake *f, const char *name)
{
	char *p = NULL;
	assert_true(asprintf(&p, "%s/%s", f->dir, name) > 0);
	return p;
}

/* A host with 4 possible CPUs, 0-1 online, no LSM and no resctrl. */
static int setup(void **state)
{
	struct fake *f = calloc(1, sizeof(*f));
	strcpy(f->dir, "/tmp/berth-test-attrs.XXXXXX");
	if (mkdtemp(f->dir) == NULL)
		return -1;
	f->apparmor = in(f, "apparmor-enabled");
	f->selinux = in(f, "selinux-enforce");
	f->possible = in(f, "possible");
	f->online = in(f, "online");
	f->mountinfo = in(f, "mountinfo");
	put(f->possible, "0-3\n");
	put(f->online, "0-1\n");
	put(f->mountinfo, "22 1 0:21 / /sys rw - sysfs sysfs rw\n"
			  "25 22 0:23 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n");
	f->host = (struct process_attrs_host){
	    .lsm = {.apparmor_enabled = f->apparmor, .selinux_enforce = f->selinux},
	    .cpu_possible = f->possible,
	    .cpu_online = f->online,
	    .mountinfo = f->mountinfo,
	};
	*state = f;
	return 0;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static int teardown(void **state)
{
	struct fake *f = *state;
	nftw(f->dir, rm_one, 8, FTW_DEPTH | FTW_PHYS);
	free(f->apparmor);
	free(f->selinux);
	free(f->possible);
	free(f->online);
	free(f->mountinfo);
	free(f);
	return 0;
}

static struct oci_spec *spec_with(const char *process_extra, const char *linux_extra)
{
	char *text = NULL;
	assert_true(asprintf(&text,
			     "{'ociVersion': '1.2.0', 'root': {'path': 'r'},"
			     " 'process': {'cwd': '/', 'args': ['sh'], 'user': {'uid': 0, 'gid': 0}"
			     "%s%s}, 'linux': {%s}}",
			     *process_extra ? ", " : "", process_extra, linux_extra) > 0);
	char *json = tu_jq(text);
	struct oci_spec *s = parse_ok(json);
	free(json);
	free(text);
	return s;
}

static void check_ok(struct fake *f, const char *proc, const char *lin)
{
	struct oci_spec *s = spec_with(proc, lin);
	struct berth_error *err = NULL;
	if (process_attrs_check_host(s, &f->host, &err) < 0)
		fail_msg("check failed: %s", err->msg);
	oci_spec_free(s);
}

static void check_fails(struct fake *f, const char *proc, const char *lin, int code,
			const char *want)
{
	struct oci_spec *s = spec_with(proc, lin);
	struct berth_error *err = NULL;
	char *w = tu_jq(want);
	assert_int_equal(process_attrs_check_host(s, &f->host, &err), -1);
	tu_assert_msg(err, w);
	assert_int_equal(err->code, code);
	berth_error_free(&err);
	free(w);
	oci_spec_free(s);
}

static void test_nothing_requested(void **state)
{
	check_ok(*state, "", "");
}

static void test_apparmor(void **state)
{
	struct fake *f = *state;
	const char *p = "'apparmorProfile': 'berth-x'";
	check_fails(f, p, "", ENOTSUP,
		    "process.apparmorProfile 'berth-x': AppArmor is not enabled on this host");
	put(f->apparmor, "N\n");
	check_fails(f, p, "", ENOTSUP, "AppArmor is not enabled");
	put(f->apparmor, "Y\n");
	check_ok(f, p, "");
	assert_true(lsm_apparmor_enabled(&f->host.lsm));
}

static void test_selinux(void **state)
{
	struct fake *f = *state;
	const char *p = "'selinuxLabel': 'system_u:system_r:container_t:s0'";
	const char *l = "'mountLabel': 'system_u:object_r:container_file_t:s0'";
	check_fails(f, p, "", ENOTSUP,
		    "process.selinuxLabel 'system_u:system_r:container_t:s0': SELinux is not "
		    "enabled on this host");
	check_fails(f, "", l, ENOTSUP,
		    "linux.mountLabel 'system_u:object_r:container_file_t:s0': SELinux is not "
		    "enabled on this host");
	put(f->selinux, "1\n");
	check_ok(f, p, l);
}

static void test_intel_rdt(void **state)
{
	struct fake *f = *state;
	const char *l = "'intelRdt': {'closID': 'g1', 'l3CacheSchema': 'L3:0=f'}";
	check_fails(
	    f, "", l, ENOTSUP,
	    "linux.intelRdt: Intel RDT needs the resctrl file system, which is not mounted");
	FILE *mi = fopen(f->mountinfo, "a");
	assert_non_null(mi);
	fputs("40 22 0:40 / /sys/fs/resctrl rw,relatime - resctrl resctrl rw\n", mi);
	fclose(mi);
	/* honest: mounted, but groups are not managed */
	check_fails(f, "", l, ENOTSUP, "linux.intelRdt: resctrl is mounted but");
	check_ok(f, "", "");
}

static void test_cpus(void **state)
{
	struct fake *f = *state;
	check_ok(f, "'execCPUAffinity': {'initial': '0-1', 'final': '1'}", "");
	/* possible but offline CPUs are fine as long as one is online */
	check_ok(f, "'execCPUAffinity': {'final': '1-3'}", "");
	check_fails(f, "'execCPUAffinity': {'final': '0,5'}", "", EINVAL,
		    "process.execCPUAffinity.final '0,5': CPU 5 does not exist on this host");
	check_fails(f, "'execCPUAffinity': {'initial': '2-3'}", "", EINVAL,
		    "process.execCPUAffinity.initial '2-3': none of these CPUs is online");
	put(f->possible, "garbage");
	check_fails(f, "'execCPUAffinity': {'final': '0'}", "", EINVAL, "is not a CPU list");
}

static void test_sched_iso(void **state)
{
	check_fails(*state, "'scheduler': {'policy': 'SCHED_ISO'}", "", ENOTSUP,
		    "process.scheduler.policy 'SCHED_ISO': not implemented");
	check_ok(*state, "'scheduler': {'policy': 'SCHED_IDLE'}", "");
}

static void test_mount_data(void **state)
{
	(void)state;
	const char *label = "system_u:object_r:container_file_t:s0:c1,c2";
	char *d = lsm_mount_data("tmpfs", "mode=755,size=65536k", label);
	assert_string_equal(d, "mode=755,size=65536k,context=\"system_u:object_r:container_file_t:"
			       "s0:c1,c2\"");
	free(d);
	d = lsm_mount_data("mqueue", NULL, label);
	assert_string_equal(d, "context=\"system_u:object_r:container_file_t:s0:c1,c2\"");
	free(d);
	d = lsm_mount_data("devpts", "", "x");
	assert_string_equal(d, "context=\"x\"");
	free(d);
	assert_null(lsm_mount_data("proc", NULL, label));
	assert_null(lsm_mount_data("sysfs", "ro", label));
	assert_null(lsm_mount_data(NULL, NULL, label));
	assert_null(lsm_mount_data("tmpfs", "size=1k", NULL));
	assert_null(lsm_mount_data("tmpfs", "size=1k", ""));
	assert_null(lsm_mount_data("tmpfs", "context=\"a:b:c\"", label));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_nothing_requested, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_apparmor, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_selinux, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_intel_rdt, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_cpus, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_sched_iso, setup, teardown),
	    cmocka_unit_test(test_mount_data),
	};
	return tu_run("process-attrs", tests, ARRAY_SIZE(tests));
}
