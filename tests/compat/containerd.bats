#!/usr/bin/env bats
# containerd (its runc v2 shim) driving the runtime under test:
# ctr run --runc-binary RUNTIME, with a containerd of our own.

load helpers

setup_file() {
	require_cmd containerd ctr containerd-shim-runc-v2 || return 0
	compat_setup_file containerd
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	start_containerd containerd
	NS=$CGNAME
	RROOT=$TD/runc-root
	mkdir -p "$TD/fifo"
	export CTRD_ADDR CTRD_PID NS RROOT
	timeout 120 ctr -a "$CTRD_ADDR" -n "$NS" image import "$IMAGE_DIR/image.tar" >"$TD/import.out" 2>&1 || {
		cat "$TD/import.out" >&2
		return 1
	}
}

teardown_file() {
	compat_teardown_file
}

setup() {
	compat_setup
	CTR=(ctr -a "$CTRD_ADDR" -n "$NS")
}

teardown() {
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	compat_teardown
	# tasks and containers the test left (a failed test): kill and remove
	local id
	for id in $(timeout 10 ctr -a "$CTRD_ADDR" -n "$NS" containers ls -q 2>/dev/null); do
		timeout 20 ctr -a "$CTRD_ADDR" -n "$NS" task kill -s KILL "$id" >/dev/null 2>&1
		timeout 20 ctr -a "$CTRD_ADDR" -n "$NS" task rm -f "$id" >/dev/null 2>&1
		timeout 20 ctr -a "$CTRD_ADDR" -n "$NS" containers rm "$id" >/dev/null 2>&1
	done
	return 0
}

c() { ctr -a "$CTRD_ADDR" -n "$NS" "$@"; }

# cid NAME: a container id for this test (remembered for the shim socket
# cleanup)
cid() {
	local id=$1-$BATS_SUITE_TEST_NUMBER
	note_shim_id "$CTRD_ADDR" "$NS" "$id"
	echo "$id"
}

# ctr_run [ctr run options --] ID CMD...: ctr run with the runtime under
# test (the image goes between the options and ID)
ctr_run_args() {
	local opts=()
	if [[ " $* " == *" -- "* ]]; then
		while [[ $1 != -- ]]; do
			opts+=("$1")
			shift
		done
		shift
	fi
	RUN_ARGS=(ctr -a "$CTRD_ADDR" -n "$NS" run --runc-binary "$RT" --runc-root "$RROOT"
		--fifo-dir "$TD/fifo" "${opts[@]}" "$IMAGE_REF" "$@")
}
ctr_run() {
	ctr_run_args "$@"
	peer "${RUN_ARGS[@]}"
}

task_pid() { c task ls | awk -v id="$1" '$1 == id { print $2 }'; }
task_status() { c task ls | awk -v id="$1" '$1 == id { print $3 }'; }
_task_status_is() { [[ $(task_status "$1") == "$2" ]]; }
wait_task_status() {
	retry 150 0.2 _task_status_is "$1" "$2" ||
		fail "task $1 is '$(task_status "$1")', wanted $2"
}

# run_detached [ctr run options --] ID CMD...: ctr run -d, wait until
# RUNNING; sets PID
run_detached() {
	local opts=()
	if [[ " $* " == *" -- "* ]]; then
		while [[ $1 != -- ]]; do
			opts+=("$1")
			shift
		done
		shift
	fi
	local id=$1
	ctr_run -d "${opts[@]}" -- "$@"
	[[ $status -eq 0 ]] || fail "ctr run -d $id failed"
	wait_task_status "$id" RUNNING
	PID=$(task_pid "$id")
	[[ $PID =~ ^[0-9]+$ && $PID -gt 1 ]] || fail "no pid for $id: $PID"
}

# remove ID: kill the task, delete it and the container
remove() {
	peer "${CTR[@]}" task kill -s KILL "$1"
	wait_task_status "$1" STOPPED
	peer_ok "${CTR[@]}" task rm "$1"
	peer_ok "${CTR[@]}" containers rm "$1"
}

@test "containerd: ctr run --rm runs the command with the runtime under test" {
	local id
	id=$(cid hello)
	ctr_run --rm -- "$id" echo hi from the container
	assert_eq "$status" 0 "exit status"
	assert_eq "$output" "hi from the container" output
	runtime_was_used create "$id"
	runtime_was_used start "$id"
	runtime_was_used delete "$id"
	# the shim gave the runtime a --root of its own and a json --log
	local root
	root=$(runtime_root_for "$id")
	assert_eq "$root" "$RROOT/$NS" "--root given by the shim"
	grep -E " create( .*)? $id\$" "$TD/runtime.calls" | grep -q -- '--log-format json' ||
		fail "the shim did not pass --log-format json"
	# --rm: nothing left, for containerd nor the runtime
	peer_ok "${CTR[@]}" containers ls -q
	assert_not_contains "$output" "$id"
	peer "$RUNTIME" --root "$root" state "$id"
	[[ $status -ne 0 ]] || fail "the runtime still knows $id"
}

@test "containerd: the exit status of the process is the one ctr run returns" {
	local id
	id=$(cid exit)
	ctr_run --rm -- "$id" sh -c 'echo out; echo err >&2; exit 7'
	assert_eq "$status" 7 "exit status"
	assert_contains "$output" out
	assert_contains "$output" err
}

@test "containerd: image config (env, cwd) and ctr --env/--cwd reach the process" {
	local id
	id=$(cid env)
	ctr_run --rm --env FOO=bar --cwd /tmp -- "$id" sh -c 'echo "$FOO $PATH"; pwd; echo $$'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "bar /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
	assert_eq "${lines[1]}" /tmp cwd
	assert_eq "${lines[2]}" 1 "pid in the container's pid namespace"
}

@test "containerd: a running task is the runtime's container (state, pid)" {
	local id root
	id=$(cid state)
	run_detached "$id" sleep 1000
	root=$(runtime_root_for "$id")
	[[ -n $root ]] || fail "no create call for $id"
	peer_ok "$RUNTIME" --root "$root" state "$id"
	assert_eq "$(jq -r .status <<<"$output")" running "runtime state"
	assert_eq "$(jq -r .pid <<<"$output")" "$PID" "pid in runtime state vs ctr task ls"
	assert_eq "$(tr '\0' ' ' <"/proc/$PID/cmdline")" "sleep 1000 " "cmdline of the task pid"
	remove "$id"
	runtime_was_used delete "$id"
	peer "$RUNTIME" --root "$root" state "$id"
	[[ $status -ne 0 ]] || fail "the runtime still knows $id after ctr task rm"
}

@test "containerd: ctr run -t gives the process a terminal" {
	local id
	id=$(cid tty)
	ctr_run_args --rm -t -- "$id" sh -c 'tty; test -t 0 && test -t 1 && echo both-tty; exit 3'
	peer_tty -- "${RUN_ARGS[@]}"
	assert_eq "$status" 3 "exit status"
	[[ $output =~ /dev/pts/[0-9]+ ]] || fail "tty did not print a pts: $output"
	assert_contains "$output" both-tty
	grep -E " create( .*)? $id\$" "$TD/runtime.calls" | grep -q -- '--console-socket' ||
		fail "create got no --console-socket"
}

@test "containerd: ctr run -t relays what is typed to an interactive shell" {
	local id
	id=$(cid interactive)
	ctr_run_args --rm -t -- "$id" sh
	peer_tty -e '/ # ' -s 'echo typed-$((6*7)); exit 5\r' -- "${RUN_ARGS[@]}"
	assert_eq "$status" 5 "exit status"
	assert_contains "$output" typed-42
}

@test "containerd: ctr task exec runs in the container (namespaces, exit status)" {
	local id
	id=$(cid exec)
	run_detached "$id" sleep 1000
	peer "${CTR[@]}" task exec --fifo-dir "$TD/fifo" --exec-id e1 "$id" \
		sh -c 'echo exec-out; tr "\0" " " </proc/1/cmdline; echo; hostname; exit 4'
	assert_eq "$status" 4 "exec exit status"
	assert_eq "${lines[0]}" exec-out
	assert_eq "${lines[1]}" "sleep 1000 " "pid 1 seen by the exec'd process"
	runtime_was_used exec "$id"
	# the exec'd process was in the container's pid and mount namespaces
	# (it saw the container's pid 1); the container still runs
	assert_eq "$(task_status "$id")" RUNNING
	remove "$id"
}

@test "containerd: ctr task exec -t gives the exec'd process a terminal" {
	local id
	id=$(cid exectty)
	run_detached "$id" sleep 1000
	peer_tty -- ctr -a "$CTRD_ADDR" -n "$NS" task exec --fifo-dir "$TD/fifo" -t --exec-id e2 "$id" \
		sh -c 'tty; test -t 0 && echo stdin-tty; exit 6'
	assert_eq "$status" 6 "exec exit status"
	[[ $output =~ /dev/pts/[0-9]+ ]] || fail "tty did not print a pts"
	assert_contains "$output" stdin-tty
	remove "$id"
}

@test "containerd: ctr task kill sends SIGTERM (handled) and SIGKILL" {
	local id
	id=$(cid kill)
	# ctr run in the foreground (no --rm -d) so that we get the exit status
	ctr_run_args --rm -- "$id" sh -c 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done'
	timeout -k 5 60 "${RUN_ARGS[@]}" </dev/null >"$TD/kill.out" 2>&1 &
	local bg=$!
	retry 150 0.2 grep -q ready "$TD/kill.out" || {
		kill -KILL $bg
		cat "$TD/kill.out"
		fail "container did not start"
	}
	peer_ok "${CTR[@]}" task kill "$id"
	local st=0
	wait $bg || st=$?
	cat "$TD/kill.out"
	assert_eq "$st" 42 "exit status after SIGTERM"
	grep -q got-term "$TD/kill.out" || fail "trap did not run"
	runtime_was_used kill "$id"

	id=$(cid kill9)
	run_detached "$id" sleep 1000
	peer_ok "${CTR[@]}" task kill -s KILL "$id"
	wait_task_status "$id" STOPPED
	peer_ok "${CTR[@]}" task rm "$id"
	peer_ok "${CTR[@]}" containers rm "$id"
}

@test "containerd: ctr task kill --all reaches every process of the container" {
	local id
	id=$(cid killall)
	run_detached "$id" sh -c 'sleep 1000 & sleep 1001 & wait'
	peer_ok "${CTR[@]}" task kill --all -s KILL "$id"
	wait_task_status "$id" STOPPED
	grep -E " kill( .*)? --all( .*)? $id( |$)" "$TD/runtime.calls" >/dev/null ||
		grep -E " kill( .*)? (-a|--all)( .*)? $id" "$TD/runtime.calls" >/dev/null ||
		fail "no 'kill --all' call"
	peer_ok "${CTR[@]}" task rm "$id"
	peer_ok "${CTR[@]}" containers rm "$id"
}

@test "containerd: ctr task ps lists the container's processes (runtime ps)" {
	local id
	id=$(cid ps)
	run_detached "$id" sh -c 'sleep 1000 & sleep 1001 & wait'
	local i
	for ((i = 0; i < 50; i++)); do
		peer "${CTR[@]}" task ps "$id"
		[[ $status -eq 0 ]] || break
		[[ $(grep -cE '^[0-9]+' <<<"$output") -ge 3 ]] && break
		sleep 0.2
	done
	assert_eq "$status" 0 "ctr task ps status"
	local pids
	pids=$(awk '$1 ~ /^[0-9]+$/ { print $1 }' <<<"$output" | sort -n | tr '\n' ' ')
	assert_contains " $pids" " $PID "
	assert_eq "$(wc -w <<<"$pids")" 3 "number of processes"
	local p
	for p in $pids; do
		[[ $(readlink "/proc/$p/ns/pid") == "$(readlink "/proc/$PID/ns/pid")" ]] ||
			fail "pid $p is not in the container's pid namespace"
	done
	runtime_was_used ps "$id"
	remove "$id"
}

@test "containerd: the task is in its cgroup /<namespace>/<id> and ctr task metrics reports it" {
	local id
	id=$(cid metrics)
	run_detached "$id" sleep 1000
	local c rel
	for c in memory pids cpu; do
		rel=$(cg_path_of "$PID" "$c")
		assert_eq "$rel" "/$NS/$id" "$c cgroup of the task (cgroupsPath from ctr)"
	done
	peer_ok "${CTR[@]}" task metrics --format json "$id"
	local m=$output
	jq -e . <<<"$m" >/dev/null || fail "metrics are not JSON"
	# v1 (hybrid) and v2 name these differently
	local pids_current mem_usage
	pids_current=$(jq -r '.pids.current // .data.pids.current // empty' <<<"$m")
	mem_usage=$(jq -r '.memory.usage.usage // .memory.usage // empty' <<<"$m")
	assert_eq "$pids_current" 1 "pids.current (only the task's own process)"
	[[ $mem_usage =~ ^[0-9]+$ && $mem_usage -gt 0 ]] || fail "memory usage: '$mem_usage'"
	remove "$id"
	# the runtime removed the cgroup on delete
	for c in memory pids; do
		local f
		for f in $(cg_mounts); do
			[[ ! -d $f/$NS/$id ]] || fail "cgroup $f/$NS/$id left after delete"
		done
	done
}

@test "containerd: ctr task pause freezes the task, resume thaws it" {
	local id
	id=$(cid pause)
	run_detached "$id" sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
	retry 50 0.1 test -s "/proc/$PID/root/tmp/count"
	peer_ok "${CTR[@]}" task pause "$id"
	wait_task_status "$id" PAUSED
	runtime_was_used pause "$id"
	local a b
	a=$(cat "/proc/$PID/root/tmp/count")
	sleep 1
	b=$(cat "/proc/$PID/root/tmp/count")
	assert_eq "$b" "$a" "counter while paused"
	local f
	f=$(cg_file "$PID" freezer freezer.state) || f=$(cg_file "$PID" "" cgroup.freeze)
	[[ $(cat "$f") == FROZEN || $(cat "$f") == 1 ]] || fail "$f: $(cat "$f")"
	peer_ok "${CTR[@]}" task resume "$id"
	wait_task_status "$id" RUNNING
	runtime_was_used resume "$id"
	# the loop goes on (its next round may take a while on a loaded machine)
	moved() { b=$(cat "/proc/$PID/root/tmp/count"); [[ -n $a && -n $b ]] && ((b > a)); }
	retry 100 0.1 moved || fail "counter did not move after resume ($a -> $b)"
	remove "$id"
}

@test "containerd: ctr run --memory-limit is set in the cgroup and enforced (OOM kill)" {
	local id
	id=$(cid mem)
	run_detached --memory-limit 67108864 -- "$id" sleep 1000
	local f
	f=$(cg_file "$PID" memory memory.limit_in_bytes) || f=$(cg_file "$PID" "" memory.max)
	assert_eq "$(cat "$f")" 67108864 "$f"
	remove "$id"

	id=$(cid oom)
	# dd allocates and fills a 256M buffer: over the 32M limit
	ctr_run --rm --memory-limit 33554432 -- "$id" dd if=/dev/zero of=/dev/null bs=256M count=1
	assert_eq "$status" 137 "exit status of the OOM-killed process"
}

@test "containerd: ctr run --read-only, and --cap-drop" {
	local id
	id=$(cid ro)
	ctr_run --rm --read-only -- "$id" sh -c 'touch /x 2>&1; echo rc=$?'
	assert_eq "$status" 0
	assert_contains "$output" "Read-only file system"
	assert_contains "$output" rc=1

	id=$(cid caps)
	ctr_run --rm --cap-drop CAP_NET_RAW --cap-drop CAP_CHOWN -- "$id" /probe caps
	assert_eq "$status" 0
	local eff
	eff=$(grep '^CapEff=' <<<"$output" | cut -d= -f2)
	[[ -n $eff ]] || fail "no CapEff"
	(((0x$eff & (1 << 13)) == 0)) || fail "CAP_NET_RAW still effective: $eff"
	(((0x$eff & 1) == 0)) || fail "CAP_CHOWN still effective: $eff"
	(((0x$eff & (1 << 10)) != 0)) || fail "CAP_NET_BIND_SERVICE missing: $eff"
}

@test "containerd: ctr run --seccomp applies containerd's default profile" {
	local id
	id=$(cid seccomp)
	ctr_run --rm --seccomp -- "$id" sh -c 'grep Seccomp: /proc/self/status; unshare -U true 2>&1; echo rc=$?'
	assert_eq "$status" 0
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "rc=1"
}

@test "containerd: ctr run --mount (bind rw and ro), --uidmap/--gidmap" {
	local id
	id=$(cid mount)
	mkdir -p "$TD/m-$id"
	echo from-host >"$TD/m-$id/f"
	ctr_run --rm --mount "type=bind,src=$TD/m-$id,dst=/h,options=rbind:rw" \
		--mount "type=bind,src=$TD/m-$id,dst=/hro,options=rbind:ro" -- "$id" \
		sh -c 'cat /h/f; echo from-ct >/h/g; touch /hro/x 2>&1'
	assert_eq "$status" 1
	assert_eq "${lines[0]}" from-host
	assert_contains "$output" "Read-only file system"
	assert_eq "$(cat "$TD/m-$id/g")" from-ct "written through the bind mount"

	id=$(cid userns)
	ctr_run --rm --uidmap 0:300000:65536 --gidmap 0:300000:65536 -- "$id" \
		sh -c 'cat /proc/self/uid_map; id -u; ls -ln /bin/busybox | tr -s " " | cut -d" " -f3,4'
	assert_eq "$status" 0
	[[ $(echo ${lines[0]}) == "0 300000 65536" ]] || fail "uid_map: ${lines[0]}"
	assert_eq "${lines[1]}" 0 "uid inside"
	assert_eq "${lines[2]}" "0 0" "owner of the image files inside"
}

@test "containerd: ctr run --with-ns joins a namespace of another task" {
	local id owner
	owner=$(cid nsowner)
	run_detached "$owner" sleep 1000
	local opid=$PID
	id=$(cid withns)
	ctr_run --rm --with-ns "pid:/proc/$opid/ns/pid" --with-ns "network:/proc/$opid/ns/net" -- "$id" \
		sh -c 'tr "\0" " " </proc/1/cmdline; echo; readlink /proc/self/ns/pid; readlink /proc/self/ns/net'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "sleep 1000 "
	assert_eq "${lines[1]}" "$(readlink "/proc/$opid/ns/pid")" "pid ns"
	assert_eq "${lines[2]}" "$(readlink "/proc/$opid/ns/net")" "net ns"
	remove "$owner"
}
