/* Unit tests of lib/engine/spec: HostConfig validation (every docker
 * message) and defaults, the image config merge, and specgen_build from a
 * table of HostConfig inputs to spec fields. */
#include "test-specgen-util.h"

#include "common/cleanup.h"
#include "common/json.h"

#include <sys/sysmacros.h>

/* ------------------------------------------------------ check_hostconfig */

struct bad_case {
	const char *hc;
	int code;
	const char *msg;
};

static const struct bad_case bad_hostconfigs[] = {
    {"{'RestartPolicy':{'Name':'sometimes'}}", EINVAL, "invalid restart policy 'sometimes'"},
    {"{'RestartPolicy':{'Name':'always','MaximumRetryCount':3}}", EINVAL,
     "maximum retry count cannot be used with restart policy 'always'"},
    {"{'RestartPolicy':{'Name':'unless-stopped','MaximumRetryCount':1}}", EINVAL,
     "maximum retry count cannot be used with restart policy 'unless-stopped'"},
    {"{'RestartPolicy':{'Name':'no','MaximumRetryCount':1}}", EINVAL,
     "maximum retry count cannot be used with restart policy 'no'"},
    {"{'RestartPolicy':{'Name':'on-failure','MaximumRetryCount':-1}}", EINVAL,
     "maximum retry count cannot be negative"},
    {"{'RestartPolicy':'always'}", EINVAL, "RestartPolicy: expected an object"},
    {"{'RestartPolicy':{'Name':3}}", EINVAL, "Name: expected a string"},
    {"{'AutoRemove':true,'RestartPolicy':{'Name':'always'}}", EINVAL,
     "can't create 'AutoRemove' container with restart policy"},
    {"{'Memory':1024}", EINVAL, "Minimum memory limit allowed is 6MB"},
    {"{'Memory':'64m'}", EINVAL, "Memory: expected an integer, got \"64m\""},
    {"{'Memory':-5}", EINVAL, "must not be negative"},
    {"{'Memory':10485760,'MemorySwap':8388608}", EINVAL,
     "Minimum memoryswap limit should be larger than memory limit, see usage"},
    {"{'MemorySwap':10485760}", EINVAL,
     "You should always set the Memory limit when using Memoryswap limit, see usage"},
    {"{'Memory':10485760,'MemoryReservation':20971520}", EINVAL,
     "Minimum memory limit can not be less than memory reservation limit, see usage"},
    {"{'MemorySwappiness':101}", EINVAL,
     "Invalid value: 101, valid memory swappiness range is 0-100"},
    {"{'KernelMemory':1024}", EINVAL, "Minimum kernel memory limit allowed is 4MB"},
    {"{'NanoCpus':1000000000,'CpuPeriod':100000}", EINVAL,
     "Conflicting options: Nano CPUs and CPU Period cannot both be set"},
    {"{'NanoCpus':1000000000,'CpuQuota':50000}", EINVAL,
     "Conflicting options: Nano CPUs and CPU Quota cannot both be set"},
    {"{'NanoCpus':100000000000000}", EINVAL, "Range of CPUs is from 0.01 to"},
    {"{'NanoCpus':-1}", EINVAL, "Range of CPUs is from 0.01 to"},
    {"{'CpuPeriod':500}", EINVAL,
     "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"},
    {"{'CpuPeriod':2000000}", EINVAL, "CPU cfs period can not be less than 1ms"},
    {"{'CpuQuota':999}", EINVAL, "CPU cfs quota can not be less than 1ms (i.e. 1000)"},
    {"{'CpuShares':-2}", EINVAL, "invalid CPU shares"},
    {"{'CpusetCpus':'1-x'}", EINVAL, "Invalid value 1-x for cpuset cpus: invalid format: 1-x"},
    {"{'CpusetCpus':'3-1'}", EINVAL, "Invalid value 3-1 for cpuset cpus"},
    {"{'CpusetCpus':'0,'}", EINVAL, "Invalid value 0, for cpuset cpus"},
    {"{'CpusetCpus':'4000'}", EINVAL, "Requested CPUs are not available - requested 4000"},
    {"{'CpusetMems':'a'}", EINVAL, "Invalid value a for cpuset mems: invalid format: a"},
    {"{'CpusetMems':'999'}", EINVAL, "Requested memory nodes are not available"},
    {"{'BlkioWeight':5}", EINVAL, "Range of blkio weight is from 10 to 1000"},
    {"{'BlkioWeight':1001}", EINVAL, "Range of blkio weight is from 10 to 1000"},
    {"{'OomScoreAdj':1001}", EINVAL,
     "Invalid value 1001, range for oom score adj is [-1000, 1000]"},
    {"{'OomScoreAdj':-1001}", EINVAL, "range for oom score adj is [-1000, 1000]"},
    {"{'ShmSize':-1}", EINVAL, "SHM size can not be less than 0"},
    {"{'PidMode':'bogus'}", EINVAL, "invalid PID mode: bogus"},
    {"{'PidMode':'container:'}", EINVAL, "invalid PID mode: container:"},
    {"{'IpcMode':'weird'}", EINVAL, "Invalid IPC mode: weird"},
    {"{'UTSMode':'private2'}", EINVAL, "invalid UTS mode: private2"},
    {"{'UsernsMode':'private'}", ENOTSUP, "invalid USER mode: private"},
    {"{'CgroupnsMode':'shared'}", EINVAL, "invalid cgroup namespace mode: shared"},
    {"{'NetworkMode':'mynet'}", ENOTSUP, "network mynet not found"},
    {"{'NetworkMode':'container:'}", EINVAL, "invalid network mode: container:"},
    {"{'CapAdd':['NET_BOGUS']}", EINVAL, "invalid CapAdd: unknown capability: \"CAP_NET_BOGUS\""},
    {"{'CapDrop':['cap_nothing']}", EINVAL, "invalid CapDrop: unknown capability: \"CAP_NOTHING\""},
    {"{'CapAdd':'NET_ADMIN'}", EINVAL, "CapAdd: expected an array of strings"},
    {"{'CapAdd':[1]}", EINVAL, "CapAdd[0]: expected a string"},
    {"{'SecurityOpt':['bogus']}", EINVAL, "invalid --security-opt 1: \"bogus\""},
    {"{'SecurityOpt':['foo=bar']}", EINVAL, "invalid --security-opt 2: \"foo=bar\""},
    {"{'SecurityOpt':['no-new-privileges=maybe']}", EINVAL,
     "invalid --security-opt 2: \"no-new-privileges=maybe\""},
    {"{'SecurityOpt':['seccomp=not json']}", EINVAL, "Decoding seccomp profile failed"},
    {"{'SecurityOpt':['seccomp=[1]']}", EINVAL, "Decoding seccomp profile failed"},
    {"{'SecurityOpt':['seccomp={}']}", EINVAL, "defaultAction: expected a string"},
    {"{'SecurityOpt':['seccomp={\\'defaultAction\\':\\'SCMP_ACT_NOPE\\'}']}", EINVAL,
     "SCMP_ACT_NOPE"},
    {"{'SecurityOpt':['seccomp={\\'defaultAction\\':\\'SCMP_ACT_ALLOW\\',\\'syscalls\\':[{\\'"
     "action\\':\\'SCMP_ACT_ERRNO\\'}]}']}",
     EINVAL, "names is required"},
    {"{'SecurityOpt':['seccomp={\\'defaultAction\\':\\'SCMP_ACT_ALLOW\\',\\'architectures\\':[\\'"
     "SCMP_ARCH_X86_64\\'],\\'archMap\\':[{\\'architecture\\':\\'SCMP_ARCH_X86_64\\'}]}']}",
     EINVAL, "'architectures' and 'archMap' were specified"},
    {"{'SecurityOpt':['seccomp={\\'defaultAction\\':\\'SCMP_ACT_ALLOW\\',\\'syscalls\\':[{\\'"
     "name\\':\\'read\\',\\'names\\':[\\'write\\'],\\'action\\':\\'SCMP_ACT_ERRNO\\'}]}']}",
     EINVAL, "'name' and 'names' were specified"},
    {"{'Ulimits':[{'Name':'nofiles','Soft':1,'Hard':2}]}", EINVAL, "invalid ulimit type: nofiles"},
    {"{'Ulimits':[{'Name':'nofile','Soft':20,'Hard':10}]}", EINVAL,
     "ulimit soft limit must be less than or equal to hard limit: 20 > 10"},
    {"{'Ulimits':[{'Name':'nofile','Soft':-1,'Hard':10}]}", EINVAL, "invalid ulimit nofile"},
    {"{'Ulimits':{'Name':'nofile'}}", EINVAL, "Ulimits: expected an array"},
    {"{'Ulimits':['nofile=1']}", EINVAL, "Ulimits[0]: expected an object"},
    {"{'Sysctls':{'kernel.panic':'1'}}", EINVAL,
     "sysctl \"kernel.panic\" is not in a separate kernel namespace"},
    {"{'Sysctls':{'vm.swappiness':'1'}}", EINVAL, "is not in a separate kernel namespace"},
    {"{'NetworkMode':'host','Sysctls':{'net.ipv4.ip_forward':'1'}}", EINVAL,
     "sysctl \"net.ipv4.ip_forward\" not allowed in host network namespace"},
    {"{'IpcMode':'host','Sysctls':{'kernel.shmmax':'1'}}", EINVAL,
     "sysctl \"kernel.shmmax\" is not allowed in the hosts ipc namespace"},
    {"{'Sysctls':{'kernel.hostname':'x'}}", EINVAL, "conflicts with the OCI \"hostname\""},
    {"{'Sysctls':{'net.core.somaxconn':1}}", EINVAL, "expected a string"},
    {"{'Sysctls':['a']}", EINVAL, "Sysctls: expected an object"},
    {"{'Tmpfs':{'run':''}}", EINVAL, "mount path must be absolute"},
    {"{'Tmpfs':{'/':''}}", EINVAL, "Invalid tmpfs mount point /"},
    {"{'Tmpfs':{'/run':1}}", EINVAL, "Tmpfs[/run]: expected a string"},
    {"{'VolumesFrom':['other']}", ENOTSUP, "VolumesFrom is not supported"},
    {"{'DeviceRequests':[{'Driver':'nvidia'}]}", ENOTSUP, "DeviceRequests is not supported"},
    {"{'VolumeDriver':'flocker'}", ENOTSUP, "volume driver flocker is not supported"},
    {"{'Binds':['vol:/data']}", ENOTSUP, "named volumes are not supported"},
    {"{'Binds':['/tmp']}", EINVAL, "invalid volume specification: '/tmp'"},
    {"{'Binds':['/tmp:/x:bogus']}", EINVAL, "invalid mode: bogus"},
    {"{'Mounts':[{'Type':'bind','Source':'/nonexistent/y','Target':'/y'}]}", EINVAL,
     "bind source path does not exist: /nonexistent/y"},
    {"{'Mounts':{'Type':'bind'}}", EINVAL, "Mounts: expected an array"},
    {"{'MaskedPaths':'/proc'}", EINVAL, "MaskedPaths: expected an array"},
    {"{'ReadonlyPaths':{}}", EINVAL, "ReadonlyPaths: expected an array"},
    {"{'BlkioDeviceReadBps':[{'Path':'/dev/nonexistent','Rate':1}]}", EINVAL,
     "BlkioDeviceReadBps[0]: /dev/nonexistent: No such file or directory"},
    {"{'BlkioWeightDevice':[{'Path':'/dev/null','Weight':100}]}", EINVAL,
     "BlkioWeightDevice[0]: /dev/null is not a block device"},
    {"{'BlkioDeviceWriteIOps':{}}", EINVAL, "BlkioDeviceWriteIOps: expected an array"},
    {"{'BlkioDeviceWriteBps':[{'Rate':1}]}", EINVAL, "BlkioDeviceWriteBps[0]: Path: required"},
    {"[]", EINVAL, "HostConfig: expected an object"},
};

static void test_check_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_hostconfigs); i++) {
		const struct bad_case *c = &bad_hostconfigs[i];
		json_t *hc = tu_json(c->hc);
		struct berth_error *err = NULL;
		char **warnings = NULL;
		int r = specgen_check_hostconfig(hc, &warnings, &err);
		if (r >= 0)
			fail_msg("case %zu %s: accepted", i, c->hc);
		tu_assert_msg(err, c->msg);
		if (err->code != c->code)
			fail_msg("case %zu %s: code %d, want %d (%s)", i, c->hc, err->code, c->code,
				 err->msg);
		berth_error_free(&err);
		strv_free(warnings);
		json_decref(hc);
	}
}

static void test_check_defaults(void **state)
{
	(void)state;
	json_t *hc = tu_json("{'Memory':10485760,'PidsLimit':0,'MemorySwappiness':-1}");
	struct berth_error *err = NULL;
	char **warnings = NULL;
	assert_int_equal(specgen_check_hostconfig(hc, &warnings, &err), 0);
	assert_null(err);
	assert_null(warnings);
	sgt_expect(hc, "ShmSize", "67108864");
	sgt_expect(hc, "RestartPolicy", "{'Name':'no','MaximumRetryCount':0}");
	sgt_expect(hc, "NetworkMode", "'default'");
	sgt_expect(hc, "IpcMode", "'private'");
	sgt_expect(hc, "MemorySwap", "20971520");
	sgt_expect(hc, "PidsLimit", "null");
	sgt_expect(hc, "MemorySwappiness", "null");
	sgt_expect(hc, "MaskedPaths",
		   "['/proc/asound','/proc/acpi','/proc/kcore','/proc/keys','/proc/latency_stats',"
		   "'/proc/timer_list','/proc/timer_stats','/proc/sched_debug','/proc/scsi',"
		   "'/sys/firmware']");
	sgt_expect(hc, "ReadonlyPaths",
		   "['/proc/bus','/proc/fs','/proc/irq','/proc/sys','/proc/sysrq-trigger']");
	json_decref(hc);
	/* privileged: none; given lists (systempaths=unconfined sends []) stay */
	hc = tu_json("{'Privileged':true}");
	assert_int_equal(specgen_check_hostconfig(hc, NULL, &err), 0);
	sgt_expect(hc, "MaskedPaths", NULL);
	json_decref(hc);
	hc = tu_json("{'MaskedPaths':[],'ReadonlyPaths':['/proc/x']}");
	assert_int_equal(specgen_check_hostconfig(hc, NULL, &err), 0);
	sgt_expect(hc, "MaskedPaths", "[]");
	sgt_expect(hc, "ReadonlyPaths", "['/proc/x']");
	json_decref(hc);

	/* the accepted forms */
	static const char *const good[] = {
	    "{}",
	    "{'RestartPolicy':{'Name':'on-failure','MaximumRetryCount':3}}",
	    "{'RestartPolicy':{'Name':''}}",
	    "{'RestartPolicy':{'Name':'unless-stopped'}}",
	    "{'AutoRemove':true,'RestartPolicy':{'Name':'no'}}",
	    "{'Memory':6291456,'MemorySwap':-1}",
	    "{'NanoCpus':500000000,'CpuShares':512,'CpusetCpus':'0','CpusetMems':'0'}",
	    "{'CpuPeriod':100000,'CpuQuota':50000}",
	    "{'PidMode':'host','IpcMode':'shareable','UTSMode':'host','NetworkMode':'none'}",
	    "{'PidMode':'container:abc','IpcMode':'container:abc','NetworkMode':'container:abc'}",
	    "{'IpcMode':'none'}",
	    "{'CapAdd':['ALL'],'CapDrop':['net_raw','CAP_MKNOD']}",
	    "{'SecurityOpt':['no-new-privileges','seccomp=unconfined','label=disable',"
	    "'apparmor=unconfined','no-new-privileges:true','systempaths=unconfined']}",
	    "{'Ulimits':[{'Name':'nofile','Soft':1024,'Hard':2048},{'Name':'core','Soft':-1,'Hard':"
	    "-1}]}",
	    "{'Sysctls':{'net.ipv4.ip_forward':'1','kernel.shmmax':'100','fs.mqueue.msg_max':'10'}"
	    "}",
	    "{'Tmpfs':{'/run':'rw,size=1m'}}",
	    "{'BlkioWeight':500,'OomScoreAdj':-500}",
	};
	for (size_t i = 0; i < ARRAY_SIZE(good); i++) {
		hc = tu_json(good[i]);
		if (specgen_check_hostconfig(hc, &warnings, &err) < 0)
			fail_msg("%s: %s", good[i], err->msg);
		strv_free(warnings);
		warnings = NULL;
		json_decref(hc);
	}
}

static void test_check_warnings(void **state)
{
	(void)state;
	json_t *hc = tu_json("{'KernelMemory':8388608,'SecurityOpt':['apparmor=docker-default'],"
			     "'PortBindings':{'80/tcp':[{'HostPort':'8080'}]},"
			     "'NetworkMode':'bridge','Memory':0,'OomKillDisable':true}");
	struct berth_error *err = NULL;
	char **warnings = NULL;
	assert_int_equal(specgen_check_hostconfig(hc, &warnings, &err), 0);
	assert_non_null(warnings);
	assert_int_equal(strv_len(warnings), 5);
	bool kmem = false, aa = false, ports = false, bridge = false, oom = false;
	for (char **w = warnings; *w; w++) {
		kmem |= strstr(*w, "kernel memory limit is deprecated") != NULL;
		aa |= strstr(*w, "AppArmor") != NULL;
		ports |= strstr(*w, "PortBindings") != NULL;
		bridge |= strstr(*w, "NetworkMode bridge") != NULL;
		oom |= strstr(*w, "OOM killer is disabled") != NULL;
	}
	assert_true(kmem && aa && ports && bridge && oom);
	strv_free(warnings);
	json_decref(hc);
}

/* ------------------------------------------------------------------ merge */

struct merge_case {
	const char *config, *image, *path, *want;
};

static const struct merge_case merges[] = {
    /* image Cmd used when neither is given */
    {"{}", "{'Cmd':['sh']}", "Cmd", "['sh']"},
    /* a Cmd given replaces the image's, keeps its Entrypoint */
    {"{'Cmd':['ls']}", "{'Entrypoint':['/ep'],'Cmd':['sh']}", "Cmd", "['ls']"},
    {"{'Cmd':['ls']}", "{'Entrypoint':['/ep'],'Cmd':['sh']}", "Entrypoint", "['/ep']"},
    /* an Entrypoint given drops the image's Cmd */
    {"{'Entrypoint':['/bin/echo']}", "{'Entrypoint':['/ep'],'Cmd':['sh']}", "Cmd", NULL},
    {"{'Entrypoint':['/bin/echo']}", "{'Entrypoint':['/ep'],'Cmd':['sh']}", "Entrypoint",
     "['/bin/echo']"},
    /* --entrypoint '' resets it, with the user's Cmd */
    {"{'Entrypoint':[''],'Cmd':['ls']}", "{'Entrypoint':['/ep'],'Cmd':['sh']}", "Entrypoint",
     "null"},
    {"{'Entrypoint':[''],'Cmd':['ls']}", "{'Entrypoint':['/ep'],'Cmd':['sh']}", "Cmd", "['ls']"},
    /* Env: the user's first, the image's not overridden after */
    {"{'Env':['A=1','PATH=/x']}", "{'Env':['PATH=/usr/bin','B=2']}", "Env",
     "['A=1','PATH=/x','B=2']"},
    {"{}", "{'Env':['PATH=/usr/bin']}", "Env", "['PATH=/usr/bin']"},
    {"{'Env':['A']}", "{'Env':['A=1']}", "Env", "['A']"},
    {"{'User':'app'}", "{'User':'nobody'}", "User", "'app'"},
    {"{}", "{'User':'nobody'}", "User", "'nobody'"},
    {"{}", "{'WorkingDir':'/srv'}", "WorkingDir", "'/srv'"},
    {"{'WorkingDir':'/w'}", "{'WorkingDir':'/srv'}", "WorkingDir", "'/w'"},
    {"{'Labels':{'a':'1'}}", "{'Labels':{'a':'0','b':'2'}}", "Labels", "{'a':'1','b':'2'}"},
    {"{}", "{}", "Labels", "{}"},
    {"{}", "{'StopSignal':'SIGQUIT'}", "StopSignal", "'SIGQUIT'"},
    {"{'StopSignal':'SIGINT'}", "{'StopSignal':'SIGQUIT'}", "StopSignal", "'SIGINT'"},
    {"{'ExposedPorts':{'80/tcp':{}}}", "{'ExposedPorts':{'443/tcp':{}}}", "ExposedPorts",
     "{'80/tcp':{},'443/tcp':{}}"},
    {"{'Volumes':{'/a':{}}}", "{'Volumes':{'/b':{}}}", "Volumes", "{'/a':{},'/b':{}}"},
    {"{'Volumes':{}}", "{}", "Volumes", "null"},
    {"{'Volumes':{}}", "{'Volumes':{'/b':{}}}", "Volumes", "{'/b':{}}"},
    {"{'Healthcheck':{'Interval':5000000000}}",
     "{'Healthcheck':{'Test':['CMD','true'],'Interval':1000000000,'Retries':3}}", "Healthcheck",
     "{'Test':['CMD','true'],'Interval':5000000000,'Retries':3}"},
    {"{}", "{'OnBuild':['RUN x']}", "OnBuild", "['RUN x']"},
    {"{'StopSignal':'TERM'}", "{}", "StopSignal", "'TERM'"},
    {"{'StopSignal':'9'}", "{}", "StopSignal", "'9'"},
    {"{'StopSignal':'SIGRTMIN+3'}", "{}", "StopSignal", "'SIGRTMIN+3'"},
    {"{'StopSignal':'sigwinch'}", "{}", "StopSignal", "'sigwinch'"},
};

static void test_merge(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(merges); i++) {
		json_t *c = tu_json(merges[i].config);
		json_t *img = tu_json(merges[i].image);
		if (json_object_get(c, "Cmd") == NULL && json_object_get(c, "Entrypoint") == NULL &&
		    json_object_get(img, "Cmd") == NULL)
			json_object_set_new(img, "Cmd", json_pack("[s]", "sh"));
		struct berth_error *err = NULL;
		if (specgen_merge_image_config(c, img, &err) < 0)
			fail_msg("case %zu: %s", i, err->msg);
		sgt_expect(c, merges[i].path, merges[i].want);
		/* the image's config is not modified */
		json_t *again = tu_json(merges[i].image);
		if (json_object_get(img, "Cmd") && !json_object_get(again, "Cmd"))
			json_object_set_new(again, "Cmd", json_pack("[s]", "sh"));
		assert_true(json_equal(img, again));
		json_decref(again);
		json_decref(c);
		json_decref(img);
	}
}

static void test_merge_bad(void **state)
{
	(void)state;
	static const struct bad_case bad[] = {
	    {"{}", EINVAL, "No command specified"},
	    {"{'Entrypoint':['']}", EINVAL, "No command specified"},
	    {"{'Cmd':[]}", EINVAL, "No command specified"},
	    {"{'Cmd':'ls'}", EINVAL, "Cmd: expected an array of strings"},
	    {"{'Env':['A',3]}", EINVAL, "Env[1]: expected a string"},
	    {"[]", EINVAL, "Config: expected an object"},
	    {"{'Cmd':['ls'],'WorkingDir':'rel'}", EINVAL,
	     "the working directory 'rel' is invalid, it needs to be an absolute path"},
	    {"{'Cmd':['ls'],'StopSignal':'SIGBOGUS'}", EINVAL, "Invalid signal: SIGBOGUS"},
	    {"{'Cmd':['ls'],'StopSignal':'65'}", EINVAL, "Invalid signal: 65"},
	    {"{'Cmd':['ls'],'StopSignal':'SIGRTMIN+16'}", EINVAL, "Invalid signal: SIGRTMIN+16"},
	    {"{'Cmd':['ls'],'Healthcheck':{'Interval':5}}", EINVAL,
	     "Interval in Healthcheck cannot be less than 1ms"},
	    {"{'Cmd':['ls'],'Healthcheck':{'Timeout':999999}}", EINVAL,
	     "Timeout in Healthcheck cannot be less than 1ms"},
	    {"{'Cmd':['ls'],'Healthcheck':{'StartPeriod':1}}", EINVAL,
	     "StartPeriod in Healthcheck cannot be less than 1ms"},
	    {"{'Cmd':['ls'],'Healthcheck':{'Retries':-1}}", EINVAL,
	     "Retries in Healthcheck cannot be negative"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		json_t *c = tu_json(bad[i].hc);
		json_t *img = tu_json("{'Env':['PATH=/bin']}");
		struct berth_error *err = NULL;
		if (specgen_merge_image_config(c, img, &err) == 0)
			fail_msg("case %s accepted", bad[i].hc);
		tu_assert_msg(err, bad[i].msg);
		assert_int_equal(err->code, bad[i].code);
		berth_error_free(&err);
		json_decref(c);
		json_decref(img);
	}
}

/* ------------------------------------------------------------------ build */

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static char *rootfs;

static pid_t fake_container_pid(void *arg, const char *ref, struct berth_error **err)
{
	(void)arg;
	if (strcmp(ref, "web") == 0)
		return 4242;
	berth_error_set(err, ENOENT, "No such container: %s", ref);
	return -1;
}

/* check + merge + build; NULL and *err on failure */
static json_t *build(const char *config, const char *hc_text, struct berth_error **err)
{
	json_t *c = tu_json(config);
	json_t *hc = tu_json(hc_text);
	json_t *img = tu_json("{'Env':['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
			      "/sbin:/bin'],'Cmd':['sh']}");
	json_t *spec = NULL;
	if (specgen_check_hostconfig(hc, NULL, err) == 0 &&
	    specgen_merge_image_config(c, img, err) == 0) {
		struct specgen_input in = {
		    .id = ID,
		    .name = "test",
		    .config = c,
		    .host_config = hc,
		    .rootfs = rootfs,
		    .hostname_path = "/run/berth/" ID "/hostname",
		    .hosts_path = "/run/berth/" ID "/hosts",
		    .resolv_path = "/run/berth/" ID "/resolv.conf",
		    .cgroup_parent = "/berth",
		    .init_path = "/usr/libexec/berth/berth-init",
		    .container_pid = fake_container_pid,
		};
		if (specgen_build(&in, &spec, err) < 0)
			spec = NULL;
	}
	json_decref(c);
	json_decref(hc);
	json_decref(img);
	return spec;
}

struct build_case {
	const char *config, *hc, *path, *want;
};

#define DEFCAPS                                                                                    \
	"['CAP_CHOWN','CAP_DAC_OVERRIDE','CAP_FSETID','CAP_FOWNER','CAP_MKNOD','CAP_NET_RAW',"     \
	"'CAP_SETGID','CAP_SETUID','CAP_SETFCAP','CAP_SETPCAP','CAP_NET_BIND_SERVICE',"            \
	"'CAP_SYS_CHROOT','CAP_KILL','CAP_AUDIT_WRITE']"

static const struct build_case builds[] = {
    /* process */
    {"{}", "{}", "process.args", "['sh']"},
    {"{'Entrypoint':['/bin/echo'],'Cmd':['hi']}", "{}", "process.args", "['/bin/echo','hi']"},
    {"{'Cmd':['top']}", "{'Init':true}", "process.args", "['/sbin/docker-init','--','top']"},
    {"{}", "{}", "process.env",
     "['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',"
     "'HOSTNAME=0123456789ab','HOME=/root']"},
    {"{'Tty':true,'Env':['A=1','PATH=/opt/bin'],'Hostname':'box'}", "{}", "process.env",
     "['PATH=/opt/bin','HOSTNAME=box','TERM=xterm','A=1','HOME=/root']"},
    {"{'Env':['HOME=/h']}", "{}", "process.env[3]", NULL},
    /* a bare KEY (docker run -e KEY, KEY unset in the CLI's environment)
     * unsets KEY and is not passed on: the runtime refuses it */
    {"{'Env':['A','B=1','HOSTNAME']}", "{}", "process.env",
     "['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin','B=1','HOME=/root']"},
    {"{'Env':['HOME']}", "{}", "process.env[2]", "'HOME=/root'"},
    {"{'User':'app'}", "{}", "process.env[2]", "'HOME=/home/app'"},
    {"{}", "{}", "process.cwd", "'/'"},
    {"{'WorkingDir':'/srv'}", "{}", "process.cwd", "'/srv'"},
    {"{}", "{}", "process.terminal", "false"},
    {"{'Tty':true}", "{}", "process.terminal", "true"},
    {"{}", "{}", "process.user", "{'uid':0,'gid':0,'additionalGids':[10]}"},
    {"{'User':'app'}", "{}", "process.user", "{'uid':1000,'gid':1000,'additionalGids':[29,44]}"},
    {"{'User':'app:video'}", "{}", "process.user", "{'uid':1000,'gid':44,'additionalGids':[44]}"},
    {"{'User':'1234:5678'}", "{}", "process.user",
     "{'uid':1234,'gid':5678,'additionalGids':[5678]}"},
    {"{'User':'33'}", "{}", "process.user", "{'uid':33,'gid':33,'additionalGids':[33]}"},
    {"{'User':'nobody'}", "{'GroupAdd':['audio','4000']}", "process.user",
     "{'uid':65534,'gid':65534,'additionalGids':[65534,29,4000]}"},
    {"{}", "{}", "process.capabilities.bounding", DEFCAPS},
    {"{}", "{}", "process.capabilities.effective", DEFCAPS},
    {"{}", "{}", "process.capabilities.inheritable", NULL},
    {"{}", "{'CapDrop':['ALL'],'CapAdd':['net_admin']}", "process.capabilities.bounding",
     "['CAP_NET_ADMIN']"},
    {"{}",
     "{'CapDrop':['chown','CAP_KILL','mknod','net_raw','setgid','setuid','setfcap',"
     "'setpcap','net_bind_service','sys_chroot','audit_write','fsetid','fowner']}",
     "process.capabilities.bounding", "['CAP_DAC_OVERRIDE']"},
    {"{}", "{'CapAdd':['SYS_ADMIN','CAP_SYS_ADMIN']}", "process.capabilities.permitted[14]",
     "'CAP_SYS_ADMIN'"},
    {"{}", "{'CapAdd':['SYS_ADMIN']}", "process.capabilities.permitted[15]", NULL},
    {"{}", "{}", "process.noNewPrivileges", "false"},
    {"{}", "{'SecurityOpt':['no-new-privileges']}", "process.noNewPrivileges", "true"},
    {"{}", "{'SecurityOpt':['no-new-privileges=false']}", "process.noNewPrivileges", "false"},
    {"{}", "{}", "process.oomScoreAdj", "0"},
    {"{}", "{'OomScoreAdj':500}", "process.oomScoreAdj", "500"},
    {"{}", "{}", "process.rlimits", NULL},
    {"{}", "{'Ulimits':[{'Name':'nofile','Soft':1024,'Hard':2048}]}", "process.rlimits",
     "[{'type':'RLIMIT_NOFILE','soft':1024,'hard':2048}]"},
    {"{}", "{}", "process.apparmorProfile", NULL},
    /* root, hostname */
    {"{}", "{}", "root.readonly", "false"},
    {"{}", "{'ReadonlyRootfs':true}", "root.readonly", "true"},
    {"{}", "{}", "hostname", "'0123456789ab'"},
    {"{'Hostname':'web1','Domainname':'example.org'}", "{}", "hostname", "'web1'"},
    {"{'Hostname':'web1','Domainname':'example.org'}", "{}", "domainname", "'example.org'"},
    {"{}", "{'UTSMode':'host'}", "hostname", NULL},
    /* namespaces */
    {"{}", "{}", "linux.namespaces[0]", "{'type':'mount'}"},
    {"{}", "{}", "linux.namespaces[1]", "{'type':'network'}"},
    {"{}", "{}", "linux.namespaces[2]", "{'type':'uts'}"},
    {"{}", "{}", "linux.namespaces[3]", "{'type':'pid'}"},
    {"{}", "{}", "linux.namespaces[4]", "{'type':'ipc'}"},
    {"{}",
     "{'NetworkMode':'host','PidMode':'host','IpcMode':'host','UTSMode':'host',"
     "'CgroupnsMode':'host'}",
     "linux.namespaces", "[{'type':'mount'}]"},
    {"{}", "{'NetworkMode':'none','CgroupnsMode':'host'}", "linux.namespaces[5]", NULL},
    {"{}", "{'CgroupnsMode':'private'}", "linux.namespaces[5]", "{'type':'cgroup'}"},
    {"{}", "{'PidMode':'container:web','CgroupnsMode':'host'}", "linux.namespaces[3]",
     "{'type':'pid','path':'/proc/4242/ns/pid'}"},
    {"{}", "{'NetworkMode':'container:web'}", "linux.namespaces[1]",
     "{'type':'network','path':'/proc/4242/ns/net'}"},
    {"{}", "{'IpcMode':'container:web'}", "linux.namespaces[4]",
     "{'type':'ipc','path':'/proc/4242/ns/ipc'}"},
    {"{}", "{'UTSMode':'container:web'}", "linux.namespaces[2]",
     "{'type':'uts','path':'/proc/4242/ns/uts'}"},
    /* masked and read-only paths */
    {"{}", "{}", "linux.maskedPaths",
     "['/proc/asound','/proc/acpi','/proc/kcore','/proc/keys','/proc/latency_stats',"
     "'/proc/timer_list','/proc/timer_stats','/proc/sched_debug','/proc/scsi','/sys/firmware']"},
    {"{}", "{}", "linux.readonlyPaths",
     "['/proc/bus','/proc/fs','/proc/irq','/proc/sys','/proc/sysrq-trigger']"},
    {"{}", "{'Privileged':true}", "linux.maskedPaths", "[]"},
    {"{}", "{'Privileged':true}", "linux.readonlyPaths", "[]"},
    {"{}", "{'SecurityOpt':['systempaths=unconfined']}", "linux.maskedPaths", "[]"},
    {"{}", "{'MaskedPaths':['/proc/x'],'ReadonlyPaths':[]}", "linux.maskedPaths", "['/proc/x']"},
    /* cgroups */
    {"{}", "{}", "linux.cgroupsPath", "'/berth/" ID "'"},
    {"{}", "{'CgroupParent':'/custom/'}", "linux.cgroupsPath", "'/custom/" ID "'"},
    {"{}", "{'CgroupParent':'rel'}", "linux.cgroupsPath", "'/rel/" ID "'"},
    /* resources */
    {"{}", "{}", "linux.resources.memory", NULL},
    {"{}", "{'Memory':67108864}", "linux.resources.memory", "{'limit':67108864,'swap':134217728}"},
    {"{}",
     "{'Memory':67108864,'MemorySwap':-1,'MemoryReservation':33554432,"
     "'MemorySwappiness':10,'OomKillDisable':true}",
     "linux.resources.memory",
     "{'limit':67108864,'reservation':33554432,'swappiness':10,"
     "'disableOOMKiller':true}"},
    {"{}", "{'NanoCpus':1500000000}", "linux.resources.cpu", "{'period':100000,'quota':150000}"},
    {"{}",
     "{'CpuShares':512,'CpuPeriod':50000,'CpuQuota':25000,'CpusetCpus':'0',"
     "'CpusetMems':'0'}",
     "linux.resources.cpu", "{'shares':512,'period':50000,'quota':25000,'cpus':'0','mems':'0'}"},
    {"{}", "{'PidsLimit':100}", "linux.resources.pids", "{'limit':100}"},
    {"{}", "{'PidsLimit':-1}", "linux.resources.pids", NULL},
    {"{}", "{'BlkioWeight':300}", "linux.resources.blockIO", "{'weight':300}"},
    {"{}", "{}", "linux.resources.devices",
     "[{'allow':false,'access':'rwm'},"
     "{'allow':true,'type':'c','major':1,'minor':5,'access':'rwm'},"
     "{'allow':true,'type':'c','major':1,'minor':3,'access':'rwm'},"
     "{'allow':true,'type':'c','major':1,'minor':9,'access':'rwm'},"
     "{'allow':true,'type':'c','major':1,'minor':8,'access':'rwm'},"
     "{'allow':true,'type':'c','major':5,'minor':0,'access':'rwm'},"
     "{'allow':true,'type':'c','major':5,'minor':1,'access':'rwm'},"
     "{'allow':false,'type':'c','major':10,'minor':229,'access':'rwm'}]"},
    {"{}",
     "{'Devices':[{'PathOnHost':'/dev/null','PathInContainer':'/dev/mynull',"
     "'CgroupPermissions':'rw'}]}",
     "linux.resources.devices[8]", "{'allow':true,'type':'c','major':1,'minor':3,'access':'rw'}"},
    {"{}",
     "{'Devices':[{'PathOnHost':'/dev/null','PathInContainer':'/dev/mynull',"
     "'CgroupPermissions':'rw'}]}",
     "linux.devices[0].path", "'/dev/mynull'"},
    {"{}", "{'Devices':[{'PathOnHost':'/dev/zero'}]}", "linux.devices[0].path", "'/dev/zero'"},
    {"{}", "{'DeviceCgroupRules':['c 42:* rmw','a *:* r']}", "linux.resources.devices[8]",
     "{'allow':true,'type':'c','major':42,'access':'rmw'}"},
    {"{}", "{'DeviceCgroupRules':['c 42:* rmw','a *:* r']}", "linux.resources.devices[9]",
     "{'allow':true,'type':'a','access':'r'}"},
    {"{}", "{'Privileged':true}", "linux.resources.devices", "[{'allow':true,'access':'rwm'}]"},
    /* sysctls */
    {"{}", "{'Sysctls':{'net.ipv4.ip_forward':'1'}}", "linux.sysctl",
     "{'net.ipv4.ip_forward':'1'}"},
    {"{}", "{}", "linux.sysctl", NULL},
    /* seccomp */
    {"{}", "{'Privileged':true}", "linux.seccomp", NULL},
    {"{}", "{'SecurityOpt':['seccomp=unconfined']}", "linux.seccomp", NULL},
    {"{}", "{}", "linux.seccomp.defaultAction", "'SCMP_ACT_ERRNO'"},
    {"{}", "{}", "linux.seccomp.defaultErrnoRet", "1"},
    {"{}",
     "{'SecurityOpt':['seccomp={\\'defaultAction\\':\\'SCMP_ACT_ALLOW\\',\\'syscalls\\':"
     "[{\\'name\\':\\'mkdir\\',\\'action\\':\\'SCMP_ACT_ERRNO\\'},"
     "{\\'names\\':[\\'chmod\\'],\\'action\\':\\'SCMP_ACT_ERRNO\\',\\'includes\\':{\\'caps\\':"
     "[\\'CAP_SYS_ADMIN\\']}}]}']}",
     "linux.seccomp",
     "{'defaultAction':'SCMP_ACT_ALLOW','syscalls':[{'names':['mkdir'],"
     "'action':'SCMP_ACT_ERRNO'}]}"},
    {"{}", "{'Privileged':true}", "process.capabilities.bounding[0]", "'CAP_CHOWN'"},
};

static void test_build_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(builds); i++) {
		const struct build_case *c = &builds[i];
		struct berth_error *err = NULL;
		json_t *spec = build(c->config, c->hc, &err);
		if (spec == NULL)
			fail_msg("case %zu (%s %s): %s", i, c->config, c->hc, err->msg);
		char label[512];
		snprintf(label, sizeof(label), "case %zu %s", i, c->path);
		sgt_expect(spec, c->path, c->want);
		json_decref(spec);
	}
}

/* the mount at destination dst (NULL when absent) */
static json_t *mount_at(json_t *spec, const char *dst)
{
	size_t i;
	json_t *m;
	json_array_foreach(json_object_get(spec, "mounts"), i, m)
	{
		if (strcmp(json_string_value(json_object_get(m, "destination")), dst) == 0)
			return m;
	}
	return NULL;
}

struct mount_case {
	const char *hc, *dst, *want; /* want NULL: no mount there */
};

static const struct mount_case mount_cases[] = {
    {"{}", "/proc",
     "{'destination':'/proc','type':'proc','source':'proc',"
     "'options':['nosuid','noexec','nodev']}"},
    {"{}", "/dev",
     "{'destination':'/dev','type':'tmpfs','source':'tmpfs',"
     "'options':['nosuid','strictatime','mode=755','size=65536k']}"},
    {"{}", "/dev/pts",
     "{'destination':'/dev/pts','type':'devpts','source':'devpts',"
     "'options':['nosuid','noexec','newinstance','ptmxmode=0666','mode=0620',"
     "'gid=5']}"},
    {"{}", "/sys",
     "{'destination':'/sys','type':'sysfs','source':'sysfs',"
     "'options':['nosuid','noexec','nodev','ro']}"},
    {"{'Privileged':true}", "/sys",
     "{'destination':'/sys','type':'sysfs','source':'sysfs',"
     "'options':['nosuid','noexec','nodev']}"},
    {"{}", "/sys/fs/cgroup",
     "{'destination':'/sys/fs/cgroup','type':'cgroup','source':'cgroup',"
     "'options':['ro','nosuid','noexec','nodev']}"},
    {"{}", "/dev/mqueue",
     "{'destination':'/dev/mqueue','type':'mqueue','source':'mqueue',"
     "'options':['nosuid','noexec','nodev']}"},
    {"{}", "/dev/shm",
     "{'destination':'/dev/shm','type':'tmpfs','source':'shm',"
     "'options':['nosuid','noexec','nodev','mode=1777','size=67108864']}"},
    {"{'ShmSize':1048576}", "/dev/shm",
     "{'destination':'/dev/shm','type':'tmpfs','source':'shm',"
     "'options':['nosuid','noexec','nodev','mode=1777','size=1048576']}"},
    {"{'IpcMode':'none'}", "/dev/shm", NULL},
    {"{'IpcMode':'host'}", "/dev/shm",
     "{'destination':'/dev/shm','type':'bind',"
     "'source':'/dev/shm','options':['rbind','rprivate']}"},
    {"{'IpcMode':'container:web'}", "/dev/shm",
     "{'destination':'/dev/shm','type':'bind','source':'/proc/4242/root/dev/shm',"
     "'options':['rbind','rprivate']}"},
    {"{}", "/etc/hosts",
     "{'destination':'/etc/hosts','type':'bind','source':'/run/berth/" ID
     "/hosts','options':['rbind','rprivate']}"},
    {"{'ReadonlyRootfs':true}", "/etc/resolv.conf",
     "{'destination':'/etc/resolv.conf','type':'bind','source':'/run/berth/" ID
     "/resolv.conf','options':['rbind','rprivate','ro']}"},
    {"{}", "/etc/hostname",
     "{'destination':'/etc/hostname','type':'bind','source':'/run/berth/" ID
     "/hostname','options':['rbind','rprivate']}"},
    {"{}", "/sbin/docker-init", NULL},
    {"{'Init':true}", "/sbin/docker-init",
     "{'destination':'/sbin/docker-init','type':'bind','source':'/usr/libexec/berth/berth-init',"
     "'options':['bind','ro']}"},
    {"{'Tmpfs':{'/run':''}}", "/run",
     "{'destination':'/run','type':'tmpfs','source':'tmpfs',"
     "'options':['noexec','nosuid','nodev']}"},
    {"{'Tmpfs':{'/run':'exec,size=1m,mode=700,size=2m'}}", "/run",
     "{'destination':'/run','type':'tmpfs','source':'tmpfs',"
     "'options':['nosuid','nodev','exec','mode=700','size=2m']}"},
    {"{'Tmpfs':{'/dev/shm':'size=1m'}}", "/dev/shm",
     "{'destination':'/dev/shm','type':'tmpfs','source':'tmpfs',"
     "'options':['noexec','nosuid','nodev','size=1m']}"},
    {"{'Binds':['/tmp:/data:ro']}", "/data",
     "{'destination':'/data','type':'bind','source':'/tmp','options':['rbind','ro','rprivate']}"},
    {"{'Binds':['/tmp:/data:rshared,Z']}", "/data",
     "{'destination':'/data','type':'bind','source':'/tmp','options':['rbind','rw','rshared']}"},
    {"{'Mounts':[{'Type':'bind','Source':'/tmp','Target':'/m','ReadOnly':true}]}", "/m",
     "{'destination':'/m','type':'bind','source':'/tmp','options':['rbind','ro','rprivate']}"},
    {"{'Mounts':[{'Type':'tmpfs','Target':'/t','TmpfsOptions':{'SizeBytes':4096,'Mode':448}}]}",
     "/t",
     "{'destination':'/t','type':'tmpfs','source':'tmpfs',"
     "'options':['noexec','nosuid','nodev','size=4096','mode=700']}"},
    {"{'Binds':['/tmp:/dev']}", "/dev/pts", NULL},
};

static void test_build_mounts(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(mount_cases); i++) {
		const struct mount_case *c = &mount_cases[i];
		struct berth_error *err = NULL;
		json_t *spec = build("{}", c->hc, &err);
		if (spec == NULL)
			fail_msg("case %zu (%s): %s", i, c->hc, err->msg);
		json_t *m = mount_at(spec, c->dst);
		if (c->want == NULL) {
			if (m != NULL)
				fail_msg("case %zu: %s: expected no mount", i, c->dst);
		} else {
			json_t *w = tu_json(c->want);
			if (m == NULL || !json_equal(m, w))
				fail_msg("case %zu: %s: got %s", i, c->dst,
					 m ? json_dumps(m, JSON_COMPACT) : "nothing");
			json_decref(w);
		}
		json_decref(spec);
	}
	/* order: the defaults, then the user's by depth, then the files */
	struct berth_error *err = NULL;
	json_t *spec = build("{}", "{'Binds':['/tmp:/a/b/c','/tmp:/a'],'Tmpfs':{'/a/b':''}}", &err);
	assert_non_null(spec);
	sgt_expect(spec, "mounts[0].destination", "'/proc'");
	sgt_expect(spec, "mounts[7].destination", "'/a'");
	sgt_expect(spec, "mounts[8].destination", "'/a/b'");
	sgt_expect(spec, "mounts[9].destination", "'/a/b/c'");
	sgt_expect(spec, "mounts[10].destination", "'/etc/resolv.conf'");
	json_decref(spec);
}

static const struct bad_case bad_builds[] = {
    {"{'Binds':['data:/data']}", ENOTSUP, "named volumes are not supported"},
    {"{'Binds':['/tmp']}", EINVAL, "invalid volume specification: '/tmp'"},
    {"{'Binds':['/tmp:rel']}", EINVAL, "mount path must be absolute"},
    {"{'Binds':['/tmp:/']}", EINVAL, "destination can't be '/'"},
    {"{'Binds':['/tmp:/x:rx']}", EINVAL, "invalid mode: rx"},
    {"{'Mounts':[{'Type':'volume','Source':'v','Target':'/v'}]}", ENOTSUP,
     "mounts of type \"volume\" are not supported"},
    {"{'Mounts':[{'Type':'bind','Source':'/nonexistent/x','Target':'/v'}]}", EINVAL,
     "bind source path does not exist: /nonexistent/x"},
    {"{'Mounts':[{'Type':'bind','Source':'/tmp','Target':'v'}]}", EINVAL,
     "mount path must be absolute"},
    {"{'Devices':[{'PathOnHost':'/dev/nonexistent'}]}", EINVAL,
     "error gathering device information while adding custom device \"/dev/nonexistent\""},
    {"{'Devices':[{'PathOnHost':'/etc/passwd'}]}", EINVAL, "not a device node"},
    {"{'Devices':[{'PathOnHost':'/dev/null','CgroupPermissions':'rwx'}]}", EINVAL,
     "invalid device mode: rwx"},
    {"{'Devices':[{'PathOnHost':'/dev/null','PathInContainer':'null'}]}", EINVAL,
     "null is not an absolute path"},
    {"{'Devices':['/dev/null']}", EINVAL, "Devices[0]: expected an object"},
    {"{'DeviceCgroupRules':['c 1:3']}", EINVAL, "invalid device cgroup format 'c 1:3'"},
    {"{'DeviceCgroupRules':['x 1:3 rwm']}", EINVAL, "invalid device cgroup format"},
    {"{'DeviceCgroupRules':['c 1:3 rwmx']}", EINVAL, "invalid device cgroup format"},
    {"{'PidMode':'container:db'}", ENOENT, "No such container: db"},
    {"{'IpcMode':'container:db'}", ENOENT, "No such container: db"},
};

static void test_build_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(bad_builds); i++) {
		struct berth_error *err = NULL;
		json_t *spec = build("{}", bad_builds[i].hc, &err);
		if (spec != NULL)
			fail_msg("case %zu %s: accepted", i, bad_builds[i].hc);
		tu_assert_msg(err, bad_builds[i].msg);
		if (err->code != bad_builds[i].code)
			fail_msg("case %zu: code %d want %d (%s)", i, err->code, bad_builds[i].code,
				 err->msg);
		berth_error_free(&err);
	}
	/* bad users */
	static const struct bad_case users[] = {
	    {"{'User':'nobody2'}", EINVAL,
	     "unable to find user nobody2: no matching entries in passwd file"},
	    {"{'User':'app:nogroup2'}", EINVAL,
	     "unable to find group nogroup2: no matching entries in group file"},
	    {"{'WorkingDir':'srv'}", EINVAL,
	     "the working directory 'srv' is invalid, it needs to be an absolute path"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(users); i++) {
		struct berth_error *err = NULL;
		json_t *spec = build(users[i].hc, "{}", &err);
		assert_null(spec);
		tu_assert_msg(err, users[i].msg);
		assert_int_equal(err->code, users[i].code);
		berth_error_free(&err);
	}
	struct berth_error *err = NULL;
	assert_null(build("{}", "{'GroupAdd':['nosuchgroup']}", &err));
	tu_assert_msg(err, "unable to find group nosuchgroup");
	berth_error_free(&err);
	/* systemd cgroups: slices only */
	json_t *sc = tu_json("{'Cmd':['sh']}"), *shc = tu_json("{'CgroupParent':'/berth'}");
	struct specgen_input sin = {
	    .id = ID, .config = sc, .host_config = shc, .rootfs = rootfs, .systemd_cgroup = true};
	json_t *sspec = NULL;
	assert_int_equal(specgen_build(&sin, &sspec, &err), -1);
	tu_assert_msg(err, "cgroup-parent for systemd cgroup should be a valid slice named as "
			   "\"xxx.slice\"");
	berth_error_free(&err);
	json_object_set_new(shc, "CgroupParent", json_string("my.slice"));
	assert_int_equal(specgen_build(&sin, &sspec, &err), 0);
	sgt_expect(sspec, "linux.cgroupsPath", "'my.slice:berth:" ID "'");
	json_decref(sspec);
	json_object_del(shc, "CgroupParent");
	assert_int_equal(specgen_build(&sin, &sspec, &err), 0);
	sgt_expect(sspec, "linux.cgroupsPath", "'system.slice:berth:" ID "'");
	json_decref(sspec);
	json_decref(sc);
	json_decref(shc);
	/* Init without a configured binary */
	json_t *c = tu_json("{'Cmd':['sh']}"), *hc = tu_json("{'Init':true}");
	struct specgen_input in = {.id = ID, .config = c, .host_config = hc, .rootfs = rootfs};
	json_t *spec = NULL;
	assert_int_equal(specgen_build(&in, &spec, &err), -1);
	tu_assert_msg(err, "Init: no init binary");
	berth_error_free(&err);
	json_decref(c);
	json_decref(hc);
}

/* a directory given as a device: every node under it (mknod needs root) */
static void test_build_device_dir(void **state)
{
	(void)state;
	char tmpl[] = "/tmp/test-specgen-devs-XXXXXX";
	char *dir = mkdtemp(tmpl);
	assert_non_null(dir);
	char p[4096];
	snprintf(p, sizeof(p), "%s/sub", dir);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/sub/null", dir);
	if (mknod(p, S_IFCHR | 0666, makedev(1, 3)) < 0) {
		sgt_rm_rf(dir);
		skip();
	}
	char hc[8192];
	snprintf(hc, sizeof(hc),
		 "{'Devices':[{'PathOnHost':'%s','PathInContainer':'/dev/d','CgroupPermissions':"
		 "'r'}]}",
		 dir);
	struct berth_error *err = NULL;
	json_t *spec = build("{}", hc, &err);
	if (spec == NULL)
		fail_msg("%s", err->msg);
	sgt_expect(spec, "linux.devices[0].path", "'/dev/d/sub/null'");
	sgt_expect(spec, "linux.devices[0].major", "1");
	sgt_expect(spec, "linux.devices[1]", NULL);
	sgt_expect(spec, "linux.resources.devices[8]",
		   "{'allow':true,'type':'c','major':1,'minor':3,'access':'r'}");
	json_decref(spec);
	sgt_rm_rf(dir);
}

/* per-device blkio weights and throttles (needs a block device) */
static void test_build_blkio(void **state)
{
	(void)state;
	struct stat st;
	if (stat("/dev/loop0", &st) < 0 || !S_ISBLK(st.st_mode))
		skip();
	struct berth_error *err = NULL;
	json_t *spec =
	    build("{}",
		  "{'BlkioWeight':300,'BlkioWeightDevice':[{'Path':'/dev/loop0','Weight':"
		  "200}],'BlkioDeviceReadBps':[{'Path':'/dev/loop0','Rate':1048576}],"
		  "'BlkioDeviceWriteIOps':[{'Path':'/dev/loop0','Rate':100}],"
		  "'BlkioDeviceWriteBps':[]}",
		  &err);
	if (spec == NULL)
		fail_msg("%s", err->msg);
	char want[512];
	snprintf(want, sizeof(want),
		 "{'weight':300,'weightDevice':[{'major':%u,'minor':%u,'weight':200}],"
		 "'throttleReadBpsDevice':[{'major':%u,'minor':%u,'rate':1048576}],"
		 "'throttleWriteIOPSDevice':[{'major':%u,'minor':%u,'rate':100}]}",
		 major(st.st_rdev), minor(st.st_rdev), major(st.st_rdev), minor(st.st_rdev),
		 major(st.st_rdev), minor(st.st_rdev));
	sgt_expect(spec, "linux.resources.blockIO", want);
	json_decref(spec);
}

/* every field of the create body set to every JSON type: an error with a
 * message or a spec, never a crash (run under valgrind too) */
static void test_type_confusion(void **state)
{
	(void)state;
	static const char *const hc_keys[] = {"Binds",
					      "NetworkMode",
					      "PortBindings",
					      "RestartPolicy",
					      "AutoRemove",
					      "CapAdd",
					      "CapDrop",
					      "CgroupnsMode",
					      "GroupAdd",
					      "IpcMode",
					      "OomScoreAdj",
					      "PidMode",
					      "Privileged",
					      "ReadonlyRootfs",
					      "SecurityOpt",
					      "Tmpfs",
					      "UTSMode",
					      "UsernsMode",
					      "ShmSize",
					      "Sysctls",
					      "CpuShares",
					      "Memory",
					      "NanoCpus",
					      "CgroupParent",
					      "BlkioWeight",
					      "CpuPeriod",
					      "CpuQuota",
					      "CpusetCpus",
					      "CpusetMems",
					      "Devices",
					      "DeviceCgroupRules",
					      "MemoryReservation",
					      "MemorySwap",
					      "MemorySwappiness",
					      "OomKillDisable",
					      "PidsLimit",
					      "Ulimits",
					      "Init",
					      "MaskedPaths",
					      "ReadonlyPaths",
					      "Mounts",
					      "KernelMemory",
					      "VolumesFrom",
					      "VolumeDriver",
					      "DeviceRequests",
					      "CpuRealtimePeriod",
					      "BlkioDeviceReadBps",
					      NULL};
	static const char *const cfg_keys[] = {
	    "User",	   "Env",	   "Cmd",	 "Entrypoint", "WorkingDir",
	    "Tty",	   "Hostname",	   "Domainname", "StopSignal", "Labels",
	    "Healthcheck", "ExposedPorts", "Volumes",	 NULL};
	static const char *const values[] = {"'x'",	     "1",	  "-1",
					     "true",	     "[]",	  "{}",
					     "null",	     "[1]",	  "['x']",
					     "{'a':1}",	     "{'a':'b'}", "[{}]",
					     "[{'Name':1}]", "1.5",	  "9223372036854775807",
					     "[null]",	     "''",	  NULL};
	for (int pass = 0; pass < 2; pass++) {
		const char *const *keys = pass ? cfg_keys : hc_keys;
		for (size_t k = 0; keys[k]; k++) {
			for (size_t v = 0; values[v]; v++) {
				json_t *hc = tu_json("{}");
				json_t *c = tu_json("{'Cmd':['sh']}");
				json_t *img = tu_json("{'Cmd':['sh'],'Env':['PATH=/bin']}");
				json_object_set_new(pass ? c : hc, keys[k], tu_json(values[v]));
				struct berth_error *err = NULL;
				char **warnings = NULL;
				json_t *spec = NULL;
				struct specgen_input in = {.id = ID,
							   .config = c,
							   .host_config = hc,
							   .rootfs = rootfs,
							   .init_path = "/init",
							   .container_pid = fake_container_pid};
				int r = specgen_check_hostconfig(hc, &warnings, &err);
				if (r == 0)
					r = specgen_merge_image_config(c, img, &err);
				if (r == 0)
					r = specgen_build(&in, &spec, &err);
				if (r < 0 && (err == NULL || err->msg == NULL || !*err->msg))
					fail_msg("%s=%s: failed without a message", keys[k],
						 values[v]);
				if (r == 0) {
					assert_null(err);
					assert_non_null(spec);
					json_t *x = tu_json("{'Cmd':['ls']}");
					json_t *p = NULL;
					json_object_set_new(x, keys[k], tu_json(values[v]));
					if (specgen_exec_process(spec, x, rootfs, NULL, &p, &err) ==
					    0)
						json_decref(p);
					else
						assert_non_null(err);
					json_decref(x);
				}
				berth_error_free(&err);
				strv_free(warnings);
				json_decref(spec);
				json_decref(hc);
				json_decref(c);
				json_decref(img);
			}
		}
	}
}

static int setup(void **state)
{
	(void)state;
	rootfs = sgt_rootfs();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sgt_rm_rf(rootfs);
	free(rootfs);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_check_bad),	     cmocka_unit_test(test_check_defaults),
	    cmocka_unit_test(test_check_warnings),   cmocka_unit_test(test_merge),
	    cmocka_unit_test(test_merge_bad),	     cmocka_unit_test(test_build_table),
	    cmocka_unit_test(test_build_mounts),     cmocka_unit_test(test_build_bad),
	    cmocka_unit_test(test_build_device_dir), cmocka_unit_test(test_type_confusion),
	    cmocka_unit_test(test_build_blkio),
	};
	return _cmocka_run_group_tests("specgen", tests, ARRAY_SIZE(tests), setup, teardown);
}
