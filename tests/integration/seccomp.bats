#!/usr/bin/env bats
# seccomp: linux.seccomp profiles: every action seen from a probe inside the
# container, argument filters, runc's rules (same index ORed, unknown names
# skipped, -ENOSYS past the profile), the Docker-like default profile,
# SCMP_ACT_NOTIFY with a seccomp agent, and invalid profiles.
#
# The probe: `/probe syscall NAME ARGS...` makes one raw syscall and exits with
# its errno (0 on success); a container killed by SIGSYS exits 159.

load helpers

SECCOMP_FIXTURES=$FIXTURES/seccomp
SIGSYS_EXIT=$((128 + 31))

# Locate (or build) the seccomp agent; sets LISTENER.
find_listener() {
	local dir=${BERTH_HELPERS:-$BERTH_BUILD/tests/helpers}
	if [[ -x $dir/seccomp-listener ]]; then
		LISTENER=$dir/seccomp-listener
		return 0
	fi
	dir=$(_run_tmp)/berth-helpers
	(
		flock 9
		if [[ ! -x $dir/seccomp-listener ]]; then
			mkdir -p "$dir"
			gcc -std=gnu17 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE \
				-o "$dir/seccomp-listener.tmp" "$REPO/tests/helpers/seccomp-listener.c" \
				-lseccomp && mv "$dir/seccomp-listener.tmp" "$dir/seccomp-listener"
		fi
	) 9>"$(_run_tmp)/berth-helpers.lock"
	[[ -x $dir/seccomp-listener ]] || {
		echo "cannot build seccomp-listener" >&2
		return 1
	}
	LISTENER=$dir/seccomp-listener
}

# set_seccomp JSON: .linux.seccomp = JSON
set_seccomp() {
	bundle_set '.linux.seccomp = $s' --argjson s "$1"
}

# one_rule ACTION NAMES-JSON [EXTRA-JSON-MEMBERS]: default ALLOW and one rule
one_rule() {
	local extra=${3:-}
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": $2, \"action\": \"$1\"${extra:+, $extra}}]}"
}

# default_profile [JQ-FILTER]: the default profile, edited by the filter
default_profile() {
	set_seccomp "$(jq -c "${1:-.}" "$SECCOMP_FIXTURES/default.json")"
}

# the runtime's output with the log format's \" turned back into "
plain_output() {
	printf '%s' "${output//\\\"/\"}"
}

probe_syscall() {
	set_args /probe syscall "$@"
	run_ct
}

@test "seccomp: no linux.seccomp, no filter" {
	set_args /probe status
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv Seccomp)" 0 Seccomp
}

@test "seccomp: the filter is in place in the container process" {
	one_rule SCMP_ACT_ERRNO '["getcwd"]'
	set_args /probe status
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv Seccomp)" 2 "Seccomp (2 = filter mode)"
	assert_eq "$(kv NoNewPrivs)" 1 NoNewPrivs
}

@test "seccomp: SCMP_ACT_ERRNO returns errnoRet" {
	one_rule SCMP_ACT_ERRNO '["getcwd"]' '"errnoRet": 42'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 42 ]]
	assert_eq "$(kv errno)" 42 errno
	# other syscalls go through
	probe_syscall getpid
	[[ $status -eq 0 ]]
}

@test "seccomp: SCMP_ACT_ERRNO without errnoRet returns EPERM" {
	one_rule SCMP_ACT_ERRNO '["getcwd"]'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 1 ]]
	assert_eq "$(kv error)" "Operation not permitted"
}

@test "seccomp: a busybox shell sees the errno too" {
	one_rule SCMP_ACT_ERRNO '["mkdir", "mkdirat"]' '"errnoRet": 28'
	set_sh 'mkdir /tmp/d 2>&1; echo rc=$?'
	run_ct
	[[ $status -eq 0 ]]
	assert_contains "$output" "No space left on device"
	assert_contains "$output" "rc=1"
}

@test "seccomp: defaultAction SCMP_ACT_ERRNO with defaultErrnoRet" {
	# the default profile, with another errno for what it does not list
	default_profile '.defaultErrnoRet = 42'
	probe_syscall keyctl 0 0 0 0 0
	[[ $status -eq 42 ]]
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 0 ]]
}

@test "seccomp: SCMP_ACT_KILL kills the process with SIGSYS" {
	one_rule SCMP_ACT_KILL '["getcwd"]'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq $SIGSYS_EXIT ]]
	# it cannot be caught
	probe_syscall -s getcwd buf:4096 4096
	[[ $status -eq $SIGSYS_EXIT ]]
}

@test "seccomp: SCMP_ACT_KILL_THREAD ends the calling thread only" {
	one_rule SCMP_ACT_KILL_THREAD '["getcwd"]'
	probe_syscall -t getcwd buf:4096 4096
	[[ $status -eq 0 ]]
	assert_eq "$(kv thread)" gone thread
	# SCMP_ACT_KILL is the same action
	one_rule SCMP_ACT_KILL '["getcwd"]'
	probe_syscall -t getcwd buf:4096 4096
	[[ $status -eq 0 ]]
	assert_eq "$(kv thread)" gone thread
}

@test "seccomp: SCMP_ACT_KILL_PROCESS kills every thread" {
	one_rule SCMP_ACT_KILL_PROCESS '["getcwd"]'
	probe_syscall -t getcwd buf:4096 4096
	[[ $status -eq $SIGSYS_EXIT ]]
	[[ $output != *thread=* ]]
}

@test "seccomp: SCMP_ACT_TRAP sends a SIGSYS that can be caught" {
	one_rule SCMP_ACT_TRAP '["getcwd"]'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq $SIGSYS_EXIT ]]
	probe_syscall -s getcwd buf:4096 4096
	[[ $status -eq 0 ]]
	[[ -n $(kv sigsys) ]]
}

@test "seccomp: SCMP_ACT_LOG allows the syscall" {
	one_rule SCMP_ACT_LOG '["getcwd"]'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 0 ]]
	[[ $(kv ret) -gt 0 ]]
}

@test "seccomp: SCMP_ACT_TRACE without a tracer gives ENOSYS" {
	one_rule SCMP_ACT_TRACE '["getcwd"]' '"errnoRet": 3'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 38 ]]
}

@test "seccomp: argument filters with every operator" {
	# index 0 of getpgid; probe value -> expected exit (42 = denied)
	local op v v2 arg want
	while read -r op v v2 arg want; do
		set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getpgid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 42, \"args\": [{\"index\": 0, \"value\": $v, \"valueTwo\": $v2, \"op\": \"$op\"}]}]}"
		probe_syscall getpgid "$arg"
		[[ $status -eq $want ]] || fail "$op $v/$v2 on $arg: exit $status, wanted $want"
	done <<-'EOF'
		SCMP_CMP_EQ 5 0 5 42
		SCMP_CMP_EQ 5 0 0 0
		SCMP_CMP_NE 0 0 5 42
		SCMP_CMP_NE 0 0 0 0
		SCMP_CMP_LT 5 0 4 42
		SCMP_CMP_LT 5 0 0x7fffffff 3
		SCMP_CMP_LE 5 0 5 42
		SCMP_CMP_GT 5 0 6 42
		SCMP_CMP_GT 5 0 0 0
		SCMP_CMP_GE 5 0 5 42
		SCMP_CMP_MASKED_EQ 240 32 47 42
		SCMP_CMP_MASKED_EQ 240 32 0 0
	EOF
}

@test "seccomp: args on different indexes are ANDed, the same index twice is ORed (runc)" {
	set_seccomp '{"defaultAction": "SCMP_ACT_ALLOW", "syscalls": [
		{"names": ["getpriority"], "action": "SCMP_ACT_ERRNO", "errnoRet": 42,
		 "args": [{"index": 0, "value": 0, "op": "SCMP_CMP_EQ"}, {"index": 1, "value": 0, "op": "SCMP_CMP_EQ"}]},
		{"names": ["getpgid"], "action": "SCMP_ACT_ERRNO", "errnoRet": 43,
		 "args": [{"index": 0, "value": 7, "op": "SCMP_CMP_EQ"}, {"index": 0, "value": 9, "op": "SCMP_CMP_EQ"}]}]}'
	probe_syscall getpriority 0 0
	[[ $status -eq 42 ]]
	probe_syscall getpriority 0 1
	[[ $status -eq 0 ]]
	probe_syscall getpriority 1 0
	[[ $status -eq 0 ]]
	probe_syscall getpgid 7
	[[ $status -eq 43 ]]
	probe_syscall getpgid 9
	[[ $status -eq 43 ]]
	probe_syscall getpgid 8
	[[ $status -eq 3 ]] # ESRCH: went through
}

@test "seccomp: syscall names unknown to this kernel are skipped" {
	one_rule SCMP_ACT_ERRNO '["no_such_syscall_x", "getcwd", "another_one"]' '"errnoRet": 42'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 42 ]]
}

@test "seccomp: the default profile runs a busybox shell" {
	default_profile
	set_sh 'echo hello; ls / >/dev/null && cat /etc/passwd | wc -l; id -u; date >/dev/null; sleep 0.1 & wait; echo done'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" hello
	assert_eq "${lines[1]}" 3
	assert_eq "${lines[2]}" 0
	assert_eq "${lines[3]}" "done"
}

@test "seccomp: the default profile blocks unshare, mount, keyctl and namespace clones" {
	default_profile
	probe_syscall unshare 0x10000000
	[[ $status -eq 1 ]]
	probe_syscall mount none /tmp tmpfs 0 0
	[[ $status -eq 1 ]]
	probe_syscall keyctl 0 0 0 0 0
	[[ $status -eq 1 ]]
	probe_syscall add_key
	[[ $status -eq 1 ]]
	probe_syscall setns 0 0
	[[ $status -eq 1 ]]
	probe_syscall bpf 0 0 0
	[[ $status -eq 1 ]]
	# sockets: every family but AF_VSOCK (40)
	probe_syscall socket 40 1 0
	[[ $status -eq 1 ]]
	probe_syscall socket 1 1 0
	[[ $status -eq 0 ]]
	# clone with CLONE_NEWUSER: denied; clone3 is ENOSYS so libc falls back
	probe_syscall clone 0x10000000 0 0 0 0
	[[ $status -eq 1 ]]
	probe_syscall clone3 0 0
	[[ $status -eq 38 ]]
	# personality: the query is fine, changing the domain is not
	probe_syscall personality 0xffffffff
	[[ $status -eq 0 ]]
	probe_syscall personality 0x0040000
	[[ $status -eq 1 ]]
	# threads still work (clone without namespace flags)
	probe_syscall -t getpid
	[[ $status -eq 0 ]]
	set_sh 'unshare -U true 2>&1; echo rc=$?'
	run_ct
	assert_contains "$output" "rc=1"
}

@test "seccomp: without noNewPrivileges the filter is loaded too (before the capabilities go)" {
	# (not getcwd: runc's init calls it after loading the filter in this case)
	one_rule SCMP_ACT_ERRNO '["getpgid"]' '"errnoRet": 42'
	bundle_set '.process.noNewPrivileges = false | .process.user = {uid: 1000, gid: 1000}'
	probe_syscall getpgid 0
	[[ $status -eq 42 ]]
	set_args /probe status
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv Seccomp)" 2 Seccomp
	assert_eq "$(kv NoNewPrivs)" 0 NoNewPrivs
}

@test "seccomp: exec'd processes get the container's filter" {
	one_rule SCMP_ACT_ERRNO '["getcwd"]' '"errnoRet": 42'
	set_args /bin/sleep 1000
	create_ct
	start_ct
	rt exec "$CT" /probe syscall getcwd buf:4096 4096
	[[ $status -eq 42 ]]
	rt exec "$CT" /probe status
	[[ $status -eq 0 ]]
	assert_eq "$(kv Seccomp)" 2 Seccomp
}

@test "seccomp: syscalls newer than the profile get ENOSYS, for the listed architectures" {
	default_profile
	probe_syscall 1000
	[[ $status -eq 38 ]]
	# runc adds the -ENOSYS stub only for architectures the profile lists
	default_profile 'del(.architectures)'
	probe_syscall 1000
	[[ $status -eq 1 ]]
}

@test "seccomp: filter flags" {
	skip_if_runc "runc 1.1 refuses every seccomp flag"
	one_rule SCMP_ACT_ERRNO '["getcwd"]' '"errnoRet": 42'
	bundle_set '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_TSYNC", "SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_SPEC_ALLOW"]'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 42 ]]
	bundle_set '.linux.seccomp.flags = []'
	probe_syscall getcwd buf:4096 4096
	[[ $status -eq 42 ]]
}

# start_listener [OPTIONS...]: the seccomp agent on $TESTDIR/agent.sock,
# output in $TESTDIR/agent.out; sets LISTENER_PID
start_listener() {
	find_listener
	AGENT_SOCK=$TESTDIR/agent.sock
	rm -f "$AGENT_SOCK"
	"$LISTENER" -t 60 "$@" "$AGENT_SOCK" >"$TESTDIR/agent.out" 2>&1 </dev/null &
	LISTENER_PID=$!
	track_pid "$LISTENER_PID"
	retry 100 0.05 test -S "$AGENT_SOCK"
}

# notify_profile: NOTIFY for mkdir/mkdirat, with our socket and metadata
notify_profile() {
	set_seccomp "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"listenerPath\": \"$AGENT_SOCK\", \"listenerMetadata\": \"meta-$SUFFIX\", \"syscalls\": [{\"names\": [\"mkdir\", \"mkdirat\"], \"action\": \"SCMP_ACT_NOTIFY\"}]}"
}

@test "seccomp: SCMP_ACT_NOTIFY sends the fd and the container process state to listenerPath" {
	start_listener -e 13
	notify_profile
	probe_syscall mkdir /tmp/x 0755
	# the agent answered EACCES
	[[ $status -eq 13 ]]
	wait_bg "$LISTENER_PID" 20
	cat "$TESTDIR/agent.out"
	[[ $BG_STATUS -eq 0 ]]
	local st
	st=$(sed -n 's/^state=//p' "$TESTDIR/agent.out")
	assert_eq "$(jq -c .fds <<<"$st")" '["seccompFd"]' fds
	assert_eq "$(sed -n 's/^fds=//p' "$TESTDIR/agent.out")" 1 "number of fds"
	assert_eq "$(jq -r .metadata <<<"$st")" "meta-$SUFFIX" metadata
	assert_eq "$(jq -r .state.id <<<"$st")" "$CT" state.id
	assert_eq "$(jq -r .state.status <<<"$st")" creating state.status
	assert_eq "$(jq -r .state.bundle <<<"$st")" "$BUNDLE" state.bundle
	[[ $(jq -r .ociVersion <<<"$st") == 1.* ]]
	local pid
	pid=$(jq -r .pid <<<"$st")
	[[ $pid -gt 1 ]]
	assert_eq "$(jq -r .state.pid <<<"$st")" "$pid" state.pid
	grep -E '^notify syscall=mkdir(at)? ' "$TESTDIR/agent.out"
	grep -E "pid=$pid\$" "$TESTDIR/agent.out"
}

@test "seccomp: SCMP_ACT_NOTIFY: the agent can let the syscall run or fake success" {
	# continue: the kernel runs mkdir (the rootfs is read-only: EROFS)
	start_listener -c
	notify_profile
	probe_syscall mkdir /tmp/x 0755
	[[ $status -eq 30 ]]
	wait_bg "$LISTENER_PID" 20
	# a value: mkdir "succeeds" without creating anything
	start_listener -v 0
	notify_profile
	set_sh '/probe syscall mkdir /tmp/x 0755 >/dev/null; echo rc=$?; test -d /tmp/x && echo exists; true'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" rc=0
	wait_bg "$LISTENER_PID" 20
	grep -E '^notify syscall=mkdir(at)? ' "$TESTDIR/agent.out"
}

@test "seccomp: SCMP_ACT_NOTIFY for an exec'd process goes to the agent too" {
	start_listener -e 13
	local first=$LISTENER_PID
	notify_profile
	set_args /bin/sleep 1000
	create_ct
	start_ct
	# the init's listener came; a second agent waits for the exec's
	retry 100 0.1 grep -q '^fds=1' "$TESTDIR/agent.out"
	mv "$TESTDIR/agent.out" "$TESTDIR/agent-init.out"
	start_listener -e 14
	rt exec "$CT" /probe syscall mkdir /tmp/x 0755
	[[ $status -eq 14 ]]
	wait_bg "$LISTENER_PID" 20
	local st
	st=$(sed -n 's/^state=//p' "$TESTDIR/agent.out")
	assert_eq "$(jq -r .state.id <<<"$st")" "$CT" state.id
	assert_eq "$(jq -r .metadata <<<"$st")" "meta-$SUFFIX" metadata
	[[ $(jq -r .pid <<<"$st") != "$(pid_of "$CT")" ]] || fail "the pid is init's, not the exec'd process'"
	grep -E '^notify syscall=mkdir(at)? ' "$TESTDIR/agent.out"
	kill "$first" 2>/dev/null || true
}

@test "seccomp: SCMP_ACT_NOTIFY with no agent at listenerPath fails create and leaves nothing" {
	AGENT_SOCK=$TESTDIR/nobody-listens.sock
	notify_profile
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" nobody-listens.sock
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "seccomp: invalid profiles fail with the entry named and leave no state" {
	# jq filter on the default profile # message # "-" if runc accepts it
	local id filter want runc_too n=0
	while IFS='#' read -r filter want runc_too; do
		default_profile "$filter"
		set_args /bin/true
		n=$((n + 1))
		id=$(new_id "bad$n")
		rt create --bundle "$BUNDLE" "$id"
		if is_runc && [[ $runc_too == - ]]; then
			rt delete --force "$id"
			continue
		fi
		[[ $status -ne 0 ]] || fail "accepted: $filter"
		if ! is_runc; then
			assert_contains "$(plain_output)" "$want"
		fi
		assert_no_state "$id"
	done <<-'EOF'
		.syscalls[3].action = "SCMP_ACT_FOO"#linux.seccomp.syscalls[3].action: unknown action "SCMP_ACT_FOO"#
		.defaultAction = "SCMP_ACT_BAR"#linux.seccomp.defaultAction: unknown action "SCMP_ACT_BAR"#
		.architectures[1] = "SCMP_ARCH_FOO"#linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_FOO"#
		.syscalls[2].args[0].op = "SCMP_CMP_FOO"#linux.seccomp.syscalls[2].args[0].op: unknown operator "SCMP_CMP_FOO"#
		.syscalls[2].args[0].index = 6#linux.seccomp.syscalls[2].args[0].index: 6 is out of range [0, 5]#
		.syscalls[1] |= del(.names)#linux.seccomp.syscalls[1].names: required field is missing#-
		.syscalls[4].names = []#linux.seccomp.syscalls[4].names: must list at least one syscall#-
		.syscalls[0].action = "SCMP_ACT_NOTIFY"#linux.seccomp.syscalls[0].names#
		.defaultAction = "SCMP_ACT_NOTIFY" | del(.defaultErrnoRet)#linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action#
	EOF
	assert_no_leftover_processes
}

@test "seccomp: errnoRet on an action without errno is an error (runtime spec)" {
	skip_if_runc "runc ignores errnoRet on other actions"
	one_rule SCMP_ACT_KILL '["getcwd"]' '"errnoRet": 5'
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$(plain_output)" "linux.seccomp.syscalls[0].errnoRet: SCMP_ACT_KILL takes no errno"
	assert_no_state "$CT"
}

@test "seccomp: unknown flags are an error naming the entry" {
	skip_if_runc "runc 1.1 refuses every seccomp flag"
	one_rule SCMP_ACT_ERRNO '["getcwd"]'
	bundle_set '.linux.seccomp.flags = ["SECCOMP_FILTER_FLAG_LOG", "SECCOMP_FILTER_FLAG_FOO"]'
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$(plain_output)" 'linux.seccomp.flags[1]: unknown flag "SECCOMP_FILTER_FLAG_FOO"'
	assert_no_state "$CT"
}
