#!/usr/bin/env bats
# exec: a new process in a running container

load helpers

run_detached() {
	set_args /bin/sleep 1000
	create_ct
	start_ct
}

@test "exec: runs in the container and returns the exit code" {
	run_detached
	rt exec "$CT" /bin/sh -c 'echo hello; exit 7'
	[[ $status -eq 7 ]]
	[[ $output == *hello* ]]
}

@test "exec: joins every namespace of the container" {
	add_ns user
	bundle_set '.linux.uidMappings = [{"containerID":0,"hostID":100000,"size":65536}]
		| .linux.gidMappings = [{"containerID":0,"hostID":100000,"size":65536}]'
	add_ns cgroup
	run_detached
	local pid
	pid=$(pid_of "$CT")
	rt exec "$CT" /probe ns
	[[ $status -eq 0 ]]
	local ns
	for ns in mnt net pid uts ipc user cgroup; do
		assert_eq "$(kv "$ns")" "$(readlink "/proc/$pid/ns/$ns")" "$ns namespace"
	done
}

@test "exec: sees the container's pid namespace and rootfs" {
	run_detached
	rt exec "$CT" /bin/sh -c 'echo pid=$$; ls /probe'
	[[ $status -eq 0 ]]
	[[ $(kv pid) -gt 1 ]]
	[[ $output == */probe* ]]
}

@test "exec: -e, --cwd and -u" {
	run_detached
	rt exec -e FOO=bar -e PATH=/bin --cwd /tmp -u 1000:1000 "$CT" /bin/sh -c 'echo "foo=$FOO cwd=$(pwd) ids=$(id -u):$(id -g)"'
	[[ $status -eq 0 ]]
	assert_eq "$(kv foo)" "bar cwd=/tmp ids=1000:1000" "exec env/cwd/user"
}

@test "exec: --additional-gids and --cap" {
	run_detached
	rt exec -u 1000:1000 -g 1001 --cap CAP_NET_RAW "$CT" /probe caps
	[[ $status -eq 0 ]]
	local raw
	raw=$(cap_mask CAP_NET_RAW)
	(( (16#$(kv CapEff) & 16#$raw) != 0 )) || fail "CAP_NET_RAW not effective: $(kv CapEff)"
	rt exec -u 1000:1000 -g 1001 "$CT" /probe ids
	[[ $output == *1001* ]]
}

@test "exec: --no-new-privs" {
	run_detached
	rt exec --no-new-privs "$CT" /probe status
	assert_eq "$(kv NoNewPrivs)" 1 NoNewPrivs
}

@test "exec: --process FILE" {
	run_detached
	cat >"$TESTDIR/process.json" <<-JSON
	{"terminal": false, "user": {"uid": 1000, "gid": 1000}, "cwd": "/tmp",
	 "args": ["/bin/sh", "-c", "echo who=\$(id -u) where=\$(pwd) v=\$V; exit 3"],
	 "env": ["PATH=/bin", "V=42"]}
	JSON
	rt exec --process "$TESTDIR/process.json" "$CT"
	[[ $status -eq 3 ]]
	assert_eq "$(kv who)" "1000 where=/tmp v=42" "process file"
}

@test "exec: a malformed --process file names the field" {
	run_detached
	echo '{"cwd": "/", "args": "notalist", "user": {"uid": 0, "gid": 0}}' >"$TESTDIR/process.json"
	rt exec --process "$TESTDIR/process.json" "$CT"
	[[ $status -ne 0 ]]
	[[ $output == *process.args* ]]
}

@test "exec: a missing program fails naming it" {
	run_detached
	rt exec "$CT" /nonexistent-program
	[[ $status -ne 0 ]]
	[[ $output == *nonexistent-program* ]]
}

@test "exec: -d with --pid-file leaves the process running in the container" {
	run_detached
	rt exec -d --pid-file "$TESTDIR/exec.pid" "$CT" /bin/sleep 1000
	[[ $status -eq 0 ]]
	local pid
	pid=$(cat "$TESTDIR/exec.pid")
	[[ -d /proc/$pid ]]
	assert_eq "$(readlink "/proc/$pid/ns/pid")" "$(readlink "/proc/$(pid_of "$CT")/ns/pid")" "pid ns"
	rt_ok delete --force "$CT"
	retry 50 0.1 test ! -d "/proc/$pid"
}

@test "exec: -t with --console-socket gets a pty" {
	find_helpers
	run_detached
	local sock=$TESTDIR/tty.sock
	start_recvtty "$sock" "$TESTDIR/tty.out"
	rt exec -t -d --console-socket "$sock" "$CT" /bin/sh -c 'tty; echo done'
	[[ $status -eq 0 ]]
	wait_bg "$RECVTTY_PID" 30
	grep -q /dev/pts/ "$TESTDIR/tty.out" || fail "no pty: $(cat "$TESTDIR/tty.out")"
}

@test "exec: -t without --console-socket relays the pty" {
	run_detached
	rt exec -t "$CT" /bin/sh -c 'tty'
	[[ $status -eq 0 ]]
	[[ $output == */dev/pts/* ]]
}

@test "exec: in a stopped container fails" {
	set_args /bin/true
	create_ct
	start_ct
	wait_status "$CT" stopped
	rt exec "$CT" /bin/true
	[[ $status -ne 0 ]]
	[[ $output == *stopped* ]]
}

@test "exec: in an unknown container fails" {
	rt exec "nosuch-$CT" /bin/true
	[[ $status -ne 0 ]]
	[[ $output == *"does not exist"* ]]
}

@test "exec: only fds 0-2 (plus --preserve-fds) reach the process" {
	run_detached
	rt exec "$CT" /probe fds
	[[ $status -eq 0 ]]
	assert_eq "$(kv fds)" "0,1,2" fds
}
