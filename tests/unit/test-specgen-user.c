/* Unit tests of the user and group lookups in the image's rootfs (names,
 * ids, missing files, symlinks that try to leave the rootfs) and of
 * specgen_exec_process. */
#include "test-specgen-util.h"

#include "common/cleanup.h"

#define ID "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"

static char *rootfs;
static char *outside;

static json_t *build_in(const char *root, const char *config, const char *hc_text,
			struct berth_error **err)
{
	json_t *c = tu_json(config);
	json_t *hc = tu_json(hc_text);
	if (!json_object_get(c, "Cmd"))
		json_object_set_new(c, "Cmd", json_pack("[s]", "sh"));
	struct specgen_input in = {.id = ID, .config = c, .host_config = hc, .rootfs = root};
	json_t *spec = NULL;
	if (specgen_check_hostconfig(hc, NULL, err) < 0 || specgen_build(&in, &spec, err) < 0)
		spec = NULL;
	json_decref(c);
	json_decref(hc);
	return spec;
}

static void expect_user(const char *root, const char *user, const char *want)
{
	char config[256];
	snprintf(config, sizeof(config), "{'User':'%s'}", user);
	struct berth_error *err = NULL;
	json_t *spec = build_in(root, config, "{}", &err);
	if (spec == NULL)
		fail_msg("-u %s: %s", user, err->msg);
	sgt_expect(spec, "process.user", want);
	json_decref(spec);
}

static void expect_user_error(const char *root, const char *user, const char *msg)
{
	char config[256];
	snprintf(config, sizeof(config), "{'User':'%s'}", user);
	struct berth_error *err = NULL;
	json_t *spec = build_in(root, config, "{}", &err);
	if (spec != NULL)
		fail_msg("-u %s accepted: %s", user,
			 json_dumps(json_object_get(spec, "process"), 0));
	tu_assert_msg(err, msg);
	assert_int_equal(err->code, EINVAL);
	berth_error_free(&err);
}

static void test_lookup(void **state)
{
	(void)state;
	expect_user(rootfs, "", "{'uid':0,'gid':0,'additionalGids':[10]}");
	expect_user(rootfs, "root", "{'uid':0,'gid':0,'additionalGids':[10]}");
	expect_user(rootfs, "0", "{'uid':0,'gid':0,'additionalGids':[10]}");
	expect_user(rootfs, "daemon", "{'uid':1,'gid':1,'additionalGids':[29]}");
	expect_user(rootfs, "app", "{'uid':1000,'gid':1000,'additionalGids':[29,44]}");
	expect_user(rootfs, "1000", "{'uid':1000,'gid':1000,'additionalGids':[29,44]}");
	expect_user(rootfs, "app:audio", "{'uid':1000,'gid':29,'additionalGids':[29]}");
	expect_user(rootfs, "app:0", "{'uid':1000,'gid':0,'additionalGids':[0]}");
	expect_user(rootfs, "app:", "{'uid':1000,'gid':1000,'additionalGids':[29,44]}");
	expect_user(rootfs, "www-data", "{'uid':33,'gid':33,'additionalGids':[33]}");
	/* numeric ids need no entry */
	expect_user(rootfs, "4321", "{'uid':4321,'gid':0,'additionalGids':[0]}");
	expect_user(rootfs, "4321:8765", "{'uid':4321,'gid':8765,'additionalGids':[8765]}");
	expect_user(rootfs, "nobody:nogroup", "{'uid':65534,'gid':65534,'additionalGids':[65534]}");
	expect_user_error(rootfs, "nobody2",
			  "unable to find user nobody2: no matching entries in passwd file");
	expect_user_error(rootfs, "broken line", "unable to find user broken line");
	expect_user_error(rootfs, "# a comment", "unable to find user # a comment");
	expect_user_error(rootfs, "app:staff",
			  "unable to find group staff: no matching entries in group file");
	expect_user_error(rootfs, "-1", "unable to find user -1");
	expect_user_error(rootfs, "99999999999", "unable to find user 99999999999");
}

static void test_group_add(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *spec =
	    build_in(rootfs, "{'User':'app'}", "{'GroupAdd':['video','wheel','7']}", &err);
	assert_non_null(spec);
	sgt_expect(spec, "process.user", "{'uid':1000,'gid':1000,'additionalGids':[29,44,10,7]}");
	json_decref(spec);
	assert_null(build_in(rootfs, "{}", "{'GroupAdd':['staff']}", &err));
	tu_assert_msg(err, "unable to find group staff");
	berth_error_free(&err);
}

/* a rootfs whose /etc/passwd and /etc/group lead out of it */
static char *hostile_rootfs(const char *how)
{
	char *dir = sgt_rootfs();
	char p[4096], t[4096];
	for (int i = 0; i < 2; i++) {
		const char *f = i == 0 ? "passwd" : "group";
		snprintf(p, sizeof(p), "%s/etc/%s", dir, f);
		assert_int_equal(unlink(p), 0);
		if (strcmp(how, "absolute") == 0)
			snprintf(t, sizeof(t), "%s/%s", outside, f);
		else
			snprintf(t, sizeof(t), "../../../../../../../../..%s/%s", outside, f);
		assert_int_equal(symlink(t, p), 0);
	}
	return dir;
}

static void test_symlinks_stay_inside(void **state)
{
	(void)state;
	/* the outside files name users that must never be found */
	for (int i = 0; i < 3; i++) {
		char *dir;
		if (i < 2) {
			dir = hostile_rootfs(i == 0 ? "absolute" : "relative");
		} else {
			/* /etc itself is a symlink to the outside directory */
			dir = sgt_rootfs();
			char etc[4096];
			snprintf(etc, sizeof(etc), "%s/etc", dir);
			sgt_rm_rf(etc);
			assert_int_equal(symlink(outside, etc), 0);
		}
		expect_user_error(dir, "evil", "unable to find user evil");
		expect_user_error(dir, "app", "unable to find user app");
		expect_user_error(dir, "0:evilgroup", "unable to find group evilgroup");
		/* numeric ids still work; with no group found the gid is the one
		 * supplementary group (runc's lookup, as dockerd's specs show) */
		expect_user(dir, "", "{'uid':0,'gid':0,'additionalGids':[0]}");
		expect_user(dir, "4444", "{'uid':4444,'gid':0,'additionalGids':[0]}");
		sgt_rm_rf(dir);
		free(dir);
	}
	/* an absolute symlink is resolved inside the rootfs, as it will be */
	char *dir = sgt_rootfs();
	char p[4096];
	snprintf(p, sizeof(p), "%s/etc/passwd", dir);
	assert_int_equal(rename(p, (snprintf(p + 2048, 2048, "%s/etc/passwd.real", dir), p + 2048)),
			 0);
	assert_int_equal(symlink("/etc/passwd.real", p), 0);
	expect_user(dir, "www-data", "{'uid':33,'gid':33,'additionalGids':[33]}");
	sgt_rm_rf(dir);
	free(dir);
}

static void test_missing_files(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test-specgen-empty-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	expect_user(dir, "", "{'uid':0,'gid':0,'additionalGids':[0]}");
	expect_user(dir, "123:456", "{'uid':123,'gid':456,'additionalGids':[456]}");
	expect_user_error(dir, "app",
			  "unable to find user app: no matching entries in passwd file");
	expect_user_error(dir, "0:staff", "unable to find group staff");
	struct berth_error *err = NULL;
	assert_null(build_in("/nonexistent-rootfs", "{'User':'app'}", "{}", &err));
	tu_assert_msg(err, "/nonexistent-rootfs");
	berth_error_free(&err);
	sgt_rm_rf(dir);
}

/* ------------------------------------------------------------------- exec */

static void test_exec(void **state)
{
	(void)state;
	struct berth_error *err = NULL;
	json_t *spec = build_in(rootfs, "{'Env':['A=1'],'WorkingDir':'/srv','User':'app'}",
				"{'CapAdd':['NET_ADMIN']}", &err);
	assert_non_null(spec);
	json_t *p = NULL;
	json_t *x = tu_json("{'Cmd':['ls','-l']}");
	assert_int_equal(specgen_exec_process(spec, x, rootfs, NULL, &p, &err), 0);
	sgt_expect(p, "args", "['ls','-l']");
	sgt_expect(p, "cwd", "'/srv'");
	sgt_expect(p, "terminal", "false");
	sgt_expect(p, "user", "{'uid':1000,'gid':1000,'additionalGids':[29,44]}");
	sgt_expect(p, "env",
		   "['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
		   "'HOSTNAME=001122334455','A=1','HOME=/home/app']");
	sgt_expect(p, "capabilities.bounding[14]", "'CAP_NET_ADMIN'");
	json_decref(p);
	json_decref(x);
	/* the container's process is untouched */
	sgt_expect(spec, "process.args", "['sh']");

	x = tu_json("{'Cmd':['sh'],'User':'root','Env':['A=2','B=3'],'WorkingDir':'/tmp',"
		    "'Tty':true,'Privileged':true}");
	assert_int_equal(specgen_exec_process(spec, x, rootfs, NULL, &p, &err), 0);
	sgt_expect(p, "user", "{'uid':0,'gid':0,'additionalGids':[10]}");
	sgt_expect(p, "cwd", "'/tmp'");
	sgt_expect(p, "terminal", "true");
	sgt_expect(p, "env",
		   "['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
		   "'HOSTNAME=001122334455','TERM=xterm','A=2','B=3','HOME=/root']");
	assert_true(json_array_size(sgt_get(p, "capabilities.bounding")) > 30);
	json_decref(p);
	json_decref(x);
	/* a bare KEY unsets KEY (docker exec -e KEY of an unset variable) */
	x = tu_json("{'Cmd':['env'],'Env':['A','HOSTNAME','B=1','HOME']}");
	assert_int_equal(specgen_exec_process(spec, x, rootfs, NULL, &p, &err), 0);
	sgt_expect(p, "env",
		   "['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
		   "'B=1','HOME=/home/app']");
	json_decref(p);
	json_decref(x);
	/* an exec's own User gets the container's GroupAdd too (dockerd's
	 * getUser), by name or number; a group the image lacks is an error */
	json_t *ga = tu_json("['29','44','4242']");
	x = tu_json("{'Cmd':['id'],'User':'root'}");
	assert_int_equal(specgen_exec_process(spec, x, rootfs, ga, &p, &err), 0);
	sgt_expect(p, "user", "{'uid':0,'gid':0,'additionalGids':[10,29,44,4242]}");
	json_decref(p);
	json_decref(ga);
	ga = tu_json("['nogroup-here']");
	assert_int_equal(specgen_exec_process(spec, x, rootfs, ga, &p, &err), -1);
	tu_assert_msg(err, "nogroup-here");
	berth_error_free(&err);
	json_decref(ga);
	json_decref(x);

	static const struct {
		const char *x, *msg;
	} bad[] = {
	    {"{}", "No exec command specified"},
	    {"{'Cmd':[]}", "No exec command specified"},
	    {"{'Cmd':'ls'}", "Cmd: expected an array of strings"},
	    {"{'Cmd':['ls'],'WorkingDir':'tmp'}", "the working directory 'tmp' is invalid"},
	    {"{'Cmd':['ls'],'User':'ghost'}", "unable to find user ghost"},
	    {"{'Cmd':['ls'],'Env':[1]}", "Env[0]: expected a string"},
	    {"[]", "exec config: expected an object"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		x = tu_json(bad[i].x);
		p = NULL;
		if (specgen_exec_process(spec, x, rootfs, NULL, &p, &err) == 0)
			fail_msg("%s accepted", bad[i].x);
		tu_assert_msg(err, bad[i].msg);
		berth_error_free(&err);
		json_decref(x);
	}
	/* a tty container: TERM only for tty execs */
	json_t *tspec = build_in(rootfs, "{'Tty':true}", "{}", &err);
	assert_non_null(tspec);
	x = tu_json("{'Cmd':['env']}");
	assert_int_equal(specgen_exec_process(tspec, x, rootfs, NULL, &p, &err), 0);
	sgt_expect(p, "env",
		   "['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
		   "'HOSTNAME=001122334455','HOME=/root']");
	json_decref(p);
	json_decref(x);
	x = tu_json("{'Cmd':['env'],'Tty':true}");
	assert_int_equal(specgen_exec_process(tspec, x, rootfs, NULL, &p, &err), 0);
	sgt_expect(p, "env[2]", "'TERM=xterm'");
	json_decref(p);
	json_decref(x);
	json_decref(tspec);

	json_t *nospec = json_object();
	x = tu_json("{'Cmd':['ls']}");
	assert_int_equal(specgen_exec_process(nospec, x, rootfs, NULL, &p, &err), -1);
	tu_assert_msg(err, "process: expected an object");
	berth_error_free(&err);
	json_decref(x);
	json_decref(nospec);
	json_decref(spec);
}

static int setup(void **state)
{
	(void)state;
	rootfs = sgt_rootfs();
	char tmpl[] = "/tmp/test-specgen-outside-XXXXXX";
	outside = strdup(mkdtemp(tmpl));
	sgt_write(outside, "passwd", "evil:x:4444:4444::/:/bin/sh\napp:x:7:7::/:/bin/sh\n");
	sgt_write(outside, "group", "evilgroup:x:4444:\nwheel:x:10:root\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sgt_rm_rf(rootfs);
	sgt_rm_rf(outside);
	free(rootfs);
	free(outside);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_lookup),
	    cmocka_unit_test(test_group_add),
	    cmocka_unit_test(test_symlinks_stay_inside),
	    cmocka_unit_test(test_missing_files),
	    cmocka_unit_test(test_exec),
	};
	return _cmocka_run_group_tests("specgen-user", tests, ARRAY_SIZE(tests), setup, teardown);
}
