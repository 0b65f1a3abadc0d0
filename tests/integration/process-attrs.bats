#!/usr/bin/env bats
# process attributes of runtime-spec 1.1/1.2: linux.personality,
# process.ioPriority, process.scheduler, process.execCPUAffinity, and the
# attributes that need kernel support this host may lack (AppArmor, SELinux,
# linux.mountLabel, linux.intelRdt): those fail with a message naming the
# field, and leave nothing behind.

load helpers

run_detached() {
	set_args /bin/sleep 1000
	create_ct
	start_ct
}

# unescaped: $output with the log's \" turned back into "
unescaped() {
	printf '%s' "${output//\\\"/\"}"
}

# create_fails WORD...: create fails, the message has every WORD, and no
# state or process is left
create_fails() {
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]] || fail "create succeeded"
	local w
	for w in "$@"; do
		assert_contains "$(unescaped)" "$w"
	done
	assert_no_state "$CT"
	assert_no_leftover_processes
}

apparmor_enabled() {
	[[ $(cat /sys/module/apparmor/parameters/enabled 2>/dev/null) == Y* ]]
}
selinux_enabled() {
	[[ -e /sys/fs/selinux/enforce ]]
}
resctrl_mounted() {
	grep -q ' - resctrl ' /proc/self/mountinfo
}

# --- linux.personality -------------------------------------------------------

@test "personality: LINUX32 makes uname -m report i686" {
	[[ $(uname -m) == x86_64 ]] || skip "needs an x86_64 host"
	bundle_set '.linux.personality = {domain: "LINUX32"}'
	set_args /bin/uname -m
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" i686 "uname -m"
	set_args /probe sched
	run_ct
	assert_eq "$(kv personality)" 0x8 personality
}

@test "personality: LINUX keeps the host's machine" {
	bundle_set '.linux.personality = {domain: "LINUX", flags: []}'
	set_args /bin/uname -m
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" "$(uname -m)" "uname -m"
}

@test "personality: exec'd processes get it too" {
	[[ $(uname -m) == x86_64 ]] || skip "needs an x86_64 host"
	bundle_set '.linux.personality = {domain: "LINUX32"}'
	run_detached
	rt exec "$CT" /bin/uname -m
	[[ $status -eq 0 ]]
	assert_eq "$output" i686 "uname -m in exec"
}

@test "personality: exec --process gets the container's personality" {
	[[ $(uname -m) == x86_64 ]] || skip "needs an x86_64 host"
	bundle_set '.linux.personality = {domain: "LINUX32"}'
	run_detached
	jq '.process | .args = ["/bin/uname", "-m"]' "$BUNDLE/config.json" >"$TESTDIR/process.json"
	rt exec --process "$TESTDIR/process.json" "$CT"
	[[ $status -eq 0 ]]
	assert_eq "$output" i686 "uname -m in exec --process"
}

@test "personality: unknown domain and flags are errors" {
	bundle_set '.linux.personality = {domain: "BSD"}'
	set_args /bin/true
	create_fails 'linux.personality.domain' '"BSD"'
	bundle_set '.linux.personality = {domain: "LINUX", flags: ["ADDR_NO_RANDOMIZE"]}'
	create_fails 'linux.personality.flags[0]' ADDR_NO_RANDOMIZE
}

# --- process.ioPriority ------------------------------------------------------

@test "ioPriority: class and level are set (idle, best effort, realtime)" {
	local cls lvl
	for cls in IOPRIO_CLASS_IDLE:0 IOPRIO_CLASS_BE:3 IOPRIO_CLASS_RT:5; do
		lvl=${cls#*:}
		cls=${cls%:*}
		bundle_set '.process.ioPriority = {class: $c, priority: ($p | tonumber)}' \
			--arg c "$cls" --arg p "$lvl"
		set_args /probe sched
		run_ct
		[[ $status -eq 0 ]]
		assert_eq "$(kv ioprio_class)" "$cls" "ioprio class"
		assert_eq "$(kv ioprio_level)" "$lvl" "ioprio level"
	done
}

@test "ioPriority: applies to exec'd processes" {
	bundle_set '.process.ioPriority = {class: "IOPRIO_CLASS_IDLE", priority: 7}'
	run_detached
	rt exec "$CT" /probe sched
	[[ $status -eq 0 ]]
	assert_eq "$(kv ioprio_class)" IOPRIO_CLASS_IDLE "ioprio class in exec"
}

@test "ioPriority: bad class and priority are errors naming the field" {
	set_args /bin/true
	bundle_set '.process.ioPriority = {class: "FOO", priority: 1}'
	create_fails 'process.ioPriority.class: unknown class "FOO"'
	bundle_set '.process.ioPriority = {class: "IOPRIO_CLASS_BE", priority: 8}'
	create_fails 'process.ioPriority.priority' 8
}

# --- process.scheduler -------------------------------------------------------

@test "scheduler: SCHED_BATCH with nice, SCHED_IDLE" {
	bundle_set '.process.scheduler = {policy: "SCHED_BATCH", nice: 5}'
	set_args /probe sched
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv policy)" SCHED_BATCH policy
	assert_eq "$(kv nice)" 5 nice
	bundle_set '.process.scheduler = {policy: "SCHED_IDLE"}'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv policy)" SCHED_IDLE policy
}

@test "scheduler: SCHED_RR with a priority and SCHED_FLAG_RESET_ON_FORK" {
	bundle_set '.process.scheduler = {policy: "SCHED_RR", priority: 10,
		flags: ["SCHED_FLAG_RESET_ON_FORK"]}'
	set_args /probe sched
	run_ct
	if [[ $status -ne 0 && $output == *"sched_setattr: Operation not permitted"* &&
		-e /sys/fs/cgroup/cpu/cpu.rt_runtime_us ]]; then
		# RT_GROUP_SCHED: a new cpu cgroup has no real-time runtime until
		# linux.resources.cpu.realtimeRuntime gives it some
		skip "the container's cpu cgroup has no real-time runtime"
	fi
	[[ $status -eq 0 ]]
	assert_eq "$(kv policy)" SCHED_RR policy
	assert_eq "$(kv priority)" 10 priority
	assert_eq "$(kv sched_flags)" 1 "sched flags"
}

@test "scheduler: applies to exec'd processes" {
	bundle_set '.process.scheduler = {policy: "SCHED_BATCH", nice: 3}'
	run_detached
	rt exec "$CT" /probe sched
	[[ $status -eq 0 ]]
	assert_eq "$(kv policy)" SCHED_BATCH "policy in exec"
	assert_eq "$(kv nice)" 3 "nice in exec"
}

@test "scheduler: bad values are errors naming the field" {
	set_args /bin/true
	bundle_set '.process.scheduler = {policy: "SCHED_FOO"}'
	create_fails 'process.scheduler.policy: unknown policy "SCHED_FOO"'
	bundle_set '.process.scheduler = {policy: "SCHED_FIFO", nice: 3, priority: 1}'
	create_fails 'process.scheduler.nice' SCHED_FIFO
	bundle_set '.process.scheduler = {policy: "SCHED_OTHER", priority: 5}'
	create_fails 'process.scheduler.priority' SCHED_OTHER
	bundle_set '.process.scheduler = {policy: "SCHED_OTHER", nice: 40}'
	create_fails 'process.scheduler.nice' 40
	bundle_set '.process.scheduler = {policy: "SCHED_BATCH", flags: ["SCHED_FLAG_NOPE"]}'
	create_fails 'process.scheduler.flags[0]: unknown flag "SCHED_FLAG_NOPE"'
}

# --- process.execCPUAffinity -------------------------------------------------

@test "execCPUAffinity: final is the exec'd process's affinity; init is not affected" {
	[[ $(cat /sys/devices/system/cpu/online) == 0-* ]] || skip "needs CPUs 0 and 1 online"
	bundle_set '.process.execCPUAffinity = {initial: "0", final: "1"}'
	set_sh 'grep Cpus_allowed_list /proc/self/status; exec sleep 1000'
	create_ct
	start_ct
	local all
	all=$(awk '/^Cpus_allowed_list/ {print $2}' /proc/self/status)
	wait_for_line "${CT_OUT[$CT]}" Cpus_allowed_list
	assert_contains "$(ct_output)" "Cpus_allowed_list:	$all"
	rt exec "$CT" /probe sched
	[[ $status -eq 0 ]]
	assert_eq "$(kv Cpus_allowed_list)" 1 "exec affinity"
}

@test "execCPUAffinity: initial alone is kept by the exec'd process" {
	[[ $(cat /sys/devices/system/cpu/online) == 0-* ]] || skip "needs CPUs 0 and 1 online"
	bundle_set '.process.execCPUAffinity = {initial: "1"}'
	run_detached
	rt exec "$CT" /probe sched
	[[ $status -eq 0 ]]
	assert_eq "$(kv Cpus_allowed_list)" 1 "exec affinity"
}

@test "execCPUAffinity: malformed lists and CPUs this host lacks are errors" {
	set_args /bin/true
	bundle_set '.process.execCPUAffinity = {final: "0-"}'
	create_fails 'process.execCPUAffinity.final: "0-" is not a CPU list'
	bundle_set '.process.execCPUAffinity = {initial: "3-1"}'
	create_fails 'process.execCPUAffinity.initial: "3-1" is not a CPU list'
	bundle_set '.process.execCPUAffinity = {final: "0,9999"}'
	create_fails 'process.execCPUAffinity.final "0,9999": CPU 9999 does not exist on this host'
}

# --- LSMs, mountLabel, intelRdt ----------------------------------------------

@test "apparmorProfile: a clear error when AppArmor is not enabled" {
	! apparmor_enabled || skip "AppArmor is enabled on this host"
	bundle_set '.process.apparmorProfile = "berth-test"'
	set_args /bin/true
	create_fails 'process.apparmorProfile "berth-test": AppArmor is not enabled on this host'
}

@test "apparmorProfile: exec --apparmor fails clearly when AppArmor is not enabled" {
	! apparmor_enabled || skip "AppArmor is enabled on this host"
	run_detached
	rt exec --apparmor berth-test "$CT" /bin/true
	[[ $status -ne 0 ]]
	assert_contains "$(unescaped)" 'process.apparmorProfile "berth-test": AppArmor is not enabled'
	[[ $(status_of "$CT") == running ]]
}

@test "selinuxLabel: a clear error when SELinux is not enabled" {
	! selinux_enabled || skip "SELinux is enabled on this host"
	bundle_set '.process.selinuxLabel = "system_u:system_r:container_t:s0:c1,c2"'
	set_args /bin/true
	create_fails 'process.selinuxLabel "system_u:system_r:container_t:s0:c1,c2": SELinux is not enabled on this host'
}

@test "selinuxLabel: exec --process-label fails clearly when SELinux is not enabled" {
	! selinux_enabled || skip "SELinux is enabled on this host"
	run_detached
	rt exec --process-label system_u:system_r:container_t:s0 "$CT" /bin/true
	[[ $status -ne 0 ]]
	assert_contains "$(unescaped)" 'process.selinuxLabel "system_u:system_r:container_t:s0": SELinux is not enabled'
	[[ $(status_of "$CT") == running ]]
}

@test "mountLabel: a clear error when SELinux is not enabled" {
	! selinux_enabled || skip "SELinux is enabled on this host"
	bundle_set '.linux.mountLabel = "system_u:object_r:container_file_t:s0:c1,c2"'
	set_args /bin/true
	create_fails 'linux.mountLabel "system_u:object_r:container_file_t:s0:c1,c2": SELinux is not enabled on this host'
}

@test "intelRdt: a clear error when resctrl is not mounted" {
	! resctrl_mounted || skip "resctrl is mounted on this host"
	bundle_set '.linux.intelRdt = {closID: "berth-test", l3CacheSchema: "L3:0=f"}'
	set_args /bin/true
	create_fails 'linux.intelRdt' 'resctrl'
}

@test "intelRdt: a bad closID is an error" {
	bundle_set '.linux.intelRdt = {closID: "../escape"}'
	set_args /bin/true
	create_fails 'linux.intelRdt.closID: "../escape" is not a valid resctrl group name'
}

@test "features: apparmor and selinux support is built in, intelRdt is not" {
	rt features
	[[ $status -eq 0 ]]
	assert_eq "$(jq -c '[.linux.apparmor.enabled, .linux.selinux.enabled, .linux.intelRdt.enabled]' <<<"$output")" '[true,true,false]' features
}
