#!/usr/bin/env bats
# process: args, env, cwd, user, umask, rlimits, caps, oom, sysctl,
# terminal, file descriptors, config errors

load helpers

@test "process: args are passed verbatim (no shell expansion)" {
	set_args /bin/echo a "b  c" '$HOME' '*' -n
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" 'a b  c $HOME * -n'
}

@test "process: args[0] is looked up in PATH from process.env" {
	bundle_set '.process.env = ["PATH=/bin"]'
	set_args echo via-path
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" via-path
}

@test "process: env is exactly process.env" {
	bundle_set '.process.env = ["PATH=/bin:/usr/bin", "FOO=bar baz", "EMPTY=", "X=1=2"]'
	set_args /bin/env
	run_ct
	[[ $status -eq 0 ]]
	printf '%s\n' "${lines[@]}" | grep -Fx 'FOO=bar baz'
	printf '%s\n' "${lines[@]}" | grep -Fx 'EMPTY='
	printf '%s\n' "${lines[@]}" | grep -Fx 'X=1=2'
	printf '%s\n' "${lines[@]}" | grep -Fx 'PATH=/bin:/usr/bin'
	# nothing from the runtime's (our) environment leaks in
	! printf '%s\n' "${lines[@]}" | grep -E '^(BATS_|RUNTIME=|BERTH_)'
	export BERTH_LEAK_CHECK=leaked
	run_ct
	[[ $output != *leaked* ]]
}

@test "process: cwd" {
	bundle_set '.process.cwd = "/home/berth"'
	set_args /bin/pwd
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" /home/berth
}

@test "process: user uid, gid and additionalGids" {
	bundle_set '.process.user = {uid: 1000, gid: 1000, additionalGids: [1001, 5]}'
	set_args /probe ids
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv uid)" 1000 uid
	assert_eq "$(kv euid)" 1000 euid
	assert_eq "$(kv gid)" 1000 gid
	assert_eq "$(kv egid)" 1000 egid
	assert_eq "$(kv groups | tr ',' '\n' | sort -n | tr '\n' ' ')" "5 1001 " groups
}

@test "process: user without additionalGids has no supplementary groups" {
	bundle_set '.process.user = {uid: 65534, gid: 65534}'
	set_args /probe ids
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv uid)" 65534 uid
	assert_eq "$(kv gid)" 65534 gid
	assert_eq "$(kv groups)" "" groups
}

@test "process: root user keeps root ids" {
	set_args /probe ids
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv uid)" 0 uid
	assert_eq "$(kv gid)" 0 gid
}

@test "process: umask" {
	bundle_set '.process.user.umask = 63'
	set_args /probe ids
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv umask)" 0077 umask
}

@test "process: default umask is 0022" {
	set_args /probe ids
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv umask)" 0022 umask
}

@test "process: rlimits" {
	bundle_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 512, hard: 777},
		{type: "RLIMIT_NPROC", soft: 100, hard: 200},
		{type: "RLIMIT_CORE", soft: 0, hard: 0}]'
	set_args /probe rlimits
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv RLIMIT_NOFILE)" 512:777 RLIMIT_NOFILE
	assert_eq "$(kv RLIMIT_NPROC)" 100:200 RLIMIT_NPROC
	assert_eq "$(kv RLIMIT_CORE)" 0:0 RLIMIT_CORE
}

@test "process: the soft RLIMIT_NOFILE limit is enforced" {
	bundle_set '.process.rlimits = [{type: "RLIMIT_NOFILE", soft: 16, hard: 16}]'
	set_sh 'ls -l /proc/self/fd 16</dev/null && echo OPENED-16; exit 0'
	run_ct
	[[ $output != *OPENED-16* ]]
}

@test "process: unknown rlimit type is an error" {
	bundle_set '.process.rlimits = [{type: "RLIMIT_BOGUS", soft: 1, hard: 1}]'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" RLIMIT_BOGUS
	assert_no_state "$CT"
}

@test "process: noNewPrivileges true" {
	bundle_set '.process.noNewPrivileges = true'
	set_args /probe status
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv NoNewPrivs)" 1 NoNewPrivs
}

@test "process: noNewPrivileges false" {
	bundle_set '.process.noNewPrivileges = false'
	set_args /probe status
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv NoNewPrivs)" 0 NoNewPrivs
}

@test "process: capabilities of a root process" {
	bundle_set '.process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT"],
		effective: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT"],
		permitted: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT"]}'
	set_args /probe caps
	run_ct
	[[ $status -eq 0 ]]
	local m
	m=$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SYS_CHROOT)
	assert_eq "$(kv CapBnd)" "$m" CapBnd
	assert_eq "$(kv CapPrm)" "$m" CapPrm
	assert_eq "$(kv CapEff)" "$m" CapEff
	assert_eq "$(kv CapInh)" 0000000000000000 CapInh
	assert_eq "$(kv CapAmb)" 0000000000000000 CapAmb
}

@test "process: capabilities, all five sets, for a non-root user with ambient caps" {
	bundle_set '.process.user = {uid: 1000, gid: 1000}'
	bundle_set '.process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_SETUID"],
		effective: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		permitted: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		inheritable: ["CAP_KILL", "CAP_NET_BIND_SERVICE"],
		ambient: ["CAP_NET_BIND_SERVICE"]}'
	set_args /probe caps
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv CapBnd)" "$(cap_mask CAP_CHOWN CAP_KILL CAP_NET_BIND_SERVICE CAP_SETUID)" CapBnd
	assert_eq "$(kv CapInh)" "$(cap_mask CAP_KILL CAP_NET_BIND_SERVICE)" CapInh
	# after execve a non-root process keeps exactly its ambient set
	assert_eq "$(kv CapAmb)" "$(cap_mask CAP_NET_BIND_SERVICE)" CapAmb
	assert_eq "$(kv CapPrm)" "$(cap_mask CAP_NET_BIND_SERVICE)" CapPrm
	assert_eq "$(kv CapEff)" "$(cap_mask CAP_NET_BIND_SERVICE)" CapEff
}

@test "process: capabilities of a non-root user without ambient caps are empty" {
	bundle_set '.process.user = {uid: 1000, gid: 1000}'
	bundle_set '.process.capabilities = {
		bounding: ["CAP_CHOWN", "CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}'
	set_args /probe caps
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv CapBnd)" "$(cap_mask CAP_CHOWN CAP_KILL)" CapBnd
	assert_eq "$(kv CapPrm)" 0000000000000000 CapPrm
	assert_eq "$(kv CapEff)" 0000000000000000 CapEff
}

@test "process: capabilities are really dropped (chown fails without CAP_CHOWN)" {
	bundle_set '.root.readonly = false'
	bundle_set '.process.capabilities = {bounding: ["CAP_KILL"], effective: ["CAP_KILL"], permitted: ["CAP_KILL"]}'
	set_sh 'touch /tmp/f && chown 1000 /tmp/f 2>/dev/null && echo CHOWNED; exit 0'
	run_ct
	[[ $status -eq 0 ]]
	[[ $output != *CHOWNED* ]]
}

@test "process: no capabilities object means no capabilities" {
	bundle_set 'del(.process.capabilities)'
	set_args /probe caps
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv CapEff)" 0000000000000000 CapEff
	assert_eq "$(kv CapPrm)" 0000000000000000 CapPrm
	assert_eq "$(kv CapBnd)" 0000000000000000 CapBnd
}

@test "process: oomScoreAdj" {
	bundle_set '.process.oomScoreAdj = 500'
	set_args /bin/cat /proc/self/oom_score_adj
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" 500 oom_score_adj
}

@test "process: hostname" {
	bundle_set '.hostname = "proc-host"'
	set_args /bin/hostname
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" proc-host
}

@test "process: sysctl in the network and ipc namespaces" {
	local host_fwd host_shm
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	host_shm=$(cat /proc/sys/kernel/shmmax)
	local want_fwd=$((1 - host_fwd))
	bundle_set '.linux.sysctl = {"net.ipv4.ip_forward": $f, "kernel.shmmax": "123456789"}' --arg f "$want_fwd"
	set_sh 'echo "fwd=$(cat /proc/sys/net/ipv4/ip_forward)"; echo "shm=$(cat /proc/sys/kernel/shmmax)"'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv fwd)" "$want_fwd" ip_forward
	assert_eq "$(kv shm)" 123456789 shmmax
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host ip_forward"
	assert_eq "$(cat /proc/sys/kernel/shmmax)" "$host_shm" "host shmmax"
}

@test "process: sysctl of a namespace the container does not have is rejected" {
	local host_fwd
	host_fwd=$(cat /proc/sys/net/ipv4/ip_forward)
	remove_ns network
	bundle_set '.linux.sysctl = {"net.ipv4.ip_forward": $f}' --arg f "$((1 - host_fwd))"
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_eq "$(cat /proc/sys/net/ipv4/ip_forward)" "$host_fwd" "host ip_forward"
}

@test "process: args[0] that does not exist fails naming it, leaves nothing behind" {
	set_args /nosuch-binary-xyz arg
	rt create --bundle "$BUNDLE" "$CT"
	if [[ $status -eq 0 ]]; then
		# a runtime may only notice at start; then start must fail
		rt start "$CT"
		[[ $status -ne 0 ]]
		rt delete --force "$CT"
	fi
	assert_contains "$output" nosuch-binary-xyz
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "process: run with args[0] that does not exist fails" {
	set_args /nosuch-binary-xyz
	run_ct
	[[ $status -ne 0 ]]
	assert_contains "$output" nosuch-binary-xyz
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "process: args[0] that is not executable fails" {
	set_args /etc/passwd
	run_ct
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "process: missing config.json is an error" {
	rm "$BUNDLE/config.json"
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" config.json
	assert_no_state "$CT"
}

@test "process: missing bundle directory is an error" {
	rt create --bundle "$TESTDIR/no-such-bundle" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}

@test "process: malformed config.json is an error" {
	echo '{"ociVersion": "1.0.2", "process": ' >"$BUNDLE/config.json"
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "process: config.json with wrong types is an error" {
	bundle_set '.process.args = "not-an-array"'
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}

@test "process: missing ociVersion is an error" {
	skip_if_runc "runc does not validate ociVersion"
	bundle_set 'del(.ociVersion)'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" ociVersion
	assert_no_state "$CT"
}

@test "process: unsupported ociVersion is an error" {
	skip_if_runc "runc does not validate ociVersion"
	local v
	for v in 2.0.0 bogus ""; do
		bundle_set '.ociVersion = $v' --arg v "$v"
		rt create --bundle "$BUNDLE" "$CT"
		[[ $status -ne 0 ]] || fail "ociVersion $v accepted"
		assert_no_state "$CT"
	done
}

@test "process: 1.0.x ociVersions are accepted" {
	local v
	for v in 1.0.0 1.0.2 1.0.2-dev; do
		bundle_set '.ociVersion = $v' --arg v "$v"
		set_args /bin/true
		run_ct
		[[ $status -eq 0 ]] || fail "ociVersion $v rejected"
	done
}

@test "process: missing process.args is an error (at create or at start)" {
	bundle_set 'del(.process.args)'
	rt create --bundle "$BUNDLE" "$CT"
	if [[ $status -eq 0 ]]; then
		rt start "$CT"
		[[ $status -ne 0 ]]
		rt delete --force "$CT"
	fi
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "process: terminal with --console-socket and consoleSize" {
	local sock
	sock=$TESTDIR/console.sock
	start_recvtty "$sock" "$TESTDIR/tty.out"
	bundle_set '.process.terminal = true | .process.consoleSize = {height: 30, width: 100}'
	set_sh 'stty size; test -c /dev/console && echo console=char; tty; test -t 0 && test -t 1 && test -t 2 && echo all-ttys'
	rt_ok create --bundle "$BUNDLE" --console-socket "$sock" "$CT"
	start_ct
	wait_bg "$RECVTTY_PID"
	local out
	out=$(tr -d '\r' <"$TESTDIR/tty.out")
	echo "$out"
	grep -qx '30 100' <<<"$out" || fail "stty size: $out"
	grep -qx 'console=char' <<<"$out" || fail "no /dev/console"
	grep -qx '/dev/pts/[0-9]*' <<<"$out" || fail "tty: $out"
	grep -qx 'all-ttys' <<<"$out" || fail "stdio are not ttys"
}

@test "process: the console socket receives a pty master with the consoleSize" {
	local sock
	sock=$TESTDIR/console.sock
	start_recvtty "$sock" "$TESTDIR/tty.out" -w
	bundle_set '.process.terminal = true | .process.consoleSize = {height: 42, width: 123}'
	set_args /bin/echo tty-hello
	rt_ok create --bundle "$BUNDLE" --console-socket "$sock" "$CT"
	start_ct
	wait_bg "$RECVTTY_PID"
	local out
	out=$(tr -d '\r' <"$TESTDIR/tty.out")
	assert_eq "$(head -n 1 <<<"$out")" winsize=42x123 winsize
	grep -qx tty-hello <<<"$out" || fail "output: $out"
}

@test "process: terminal input reaches the container" {
	local sock
	sock=$TESTDIR/console.sock
	mkfifo "$TESTDIR/in"
	"$RECVTTY" -i -t 60 "$sock" <"$TESTDIR/in" >"$TESTDIR/tty.out" 2>&1 &
	track_pid $!
	local rpid=$!
	exec 5>"$TESTDIR/in"
	retry 100 0.05 test -S "$sock"
	bundle_set '.process.terminal = true'
	set_sh 'read line; echo "got=$line"'
	rt_ok create --bundle "$BUNDLE" --console-socket "$sock" "$CT"
	start_ct
	echo "typed-text" >&5
	exec 5>&-
	wait_bg "$rpid"
	grep -q 'got=typed-text' "$TESTDIR/tty.out" || fail "$(cat "$TESTDIR/tty.out")"
}

@test "process: terminal=true without --console-socket fails for create" {
	bundle_set '.process.terminal = true'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}

@test "process: --console-socket without terminal=true fails" {
	set_args /bin/true
	rt create --bundle "$BUNDLE" --console-socket "$TESTDIR/none.sock" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}

@test "process: without a terminal there is no /dev/console" {
	set_sh 'test -e /dev/console && echo HAS-CONSOLE; exit 0'
	run_ct
	[[ $status -eq 0 ]]
	[[ $output != *HAS-CONSOLE* ]]
}

@test "process: only fds 0, 1, 2 are open in the container" {
	set_args /probe fds
	# run the runtime with extra fds open (bats itself also holds some)
	exec 7<"$BUNDLE/config.json" 8>"$TESTDIR/fd8"
	run_ct
	exec 7<&- 8>&-
	[[ $status -eq 0 ]]
	assert_eq "$(kv fds)" 0,1,2 fds
}

@test "process: --preserve-fds passes extra fds" {
	set_sh '/probe fds; cat <&3; cat <&4'
	echo three >"$TESTDIR/f3"
	echo four >"$TESTDIR/f4"
	status=0
	timeout 30 "$RUNTIME" --root "$ROOT" run --preserve-fds 2 --bundle "$BUNDLE" "$CT" \
		3<"$TESTDIR/f3" 4<"$TESTDIR/f4" 5<"$TESTDIR/f4" </dev/null >"$TESTDIR/out" 2>&1 || status=$?
	cat "$TESTDIR/out"
	[[ $status -eq 0 ]]
	mapfile -t lines <"$TESTDIR/out"
	assert_eq "$(kv fds)" 0,1,2,3,4 fds
	assert_eq "${lines[1]}" three
	assert_eq "${lines[2]}" four
}

@test "process: --preserve-fds with create and start" {
	set_sh '/probe fds; cat <&3'
	echo three >"$TESTDIR/f3"
	status=0
	timeout 30 "$RUNTIME" --root "$ROOT" create --preserve-fds 1 --bundle "$BUNDLE" "$CT" \
		3<"$TESTDIR/f3" </dev/null >"$TESTDIR/out" 2>&1 || status=$?
	[[ $status -eq 0 ]]
	start_ct
	wait_status "$CT" stopped
	cat "$TESTDIR/out"
	mapfile -t lines <"$TESTDIR/out"
	assert_eq "$(kv fds)" 0,1,2,3 fds
	assert_eq "${lines[1]}" three
}

@test "process: stdin, stdout and stderr are inherited from the runtime" {
	set_sh 'read x; echo "out:$x"; echo "err:$x" >&2'
	status=0
	echo piped-in | timeout 30 "$RUNTIME" --root "$ROOT" run --bundle "$BUNDLE" "$CT" \
		>"$TESTDIR/out" 2>"$TESTDIR/err" || status=$?
	[[ $status -eq 0 ]]
	assert_eq "$(cat "$TESTDIR/out")" out:piped-in stdout
	assert_eq "$(cat "$TESTDIR/err")" err:piped-in stderr
}
