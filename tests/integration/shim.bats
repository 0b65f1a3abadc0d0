#!/usr/bin/env bats
# berth-shim driven directly (docs/shim.md): start on a busybox bundle, the
# json-file log, exit.json and events, kill, exec, attach, tty, detaching,
# runc as the runtime, failures that leave nothing behind.

load helpers

setup() {
	setup_common
	SHIM=${SHIM:-$BERTH_BUILD/cmd/berth-shim/berth-shim}
	SHIMCTL=${SHIMCTL:-$BERTH_BUILD/tests/helpers/shimctl}
	[[ -x $SHIM && -x $SHIMCTL ]] || {
		echo "berth-shim or shimctl not built in $BERTH_BUILD" >&2
		return 1
	}
	LOG=$TESTDIR/ctr.log
}

teardown() {
	local pid
	# a shim left by a failed test: its container goes with teardown_common
	pid=$(cat "$BUNDLE/shim.pid" 2>/dev/null || true)
	[[ -n $pid ]] && kill -KILL "$pid" 2>/dev/null
	if [[ -d $TESTDIR/runc ]]; then
		for id in $(runc --root "$TESTDIR/runc" list -q 2>/dev/null); do
			runc --root "$TESTDIR/runc" delete --force "$id" >/dev/null 2>&1
		done
	fi
	teardown_common
}

# shim_json [JQ-OBJECT]: write $BUNDLE/shim.json (extra keys merged in)
shim_json() {
	jq -n --arg id "$CT" --arg rt "${SHIM_RUNTIME:-$RUNTIME}" \
		--arg root "${SHIM_ROOT:-$ROOT}" --arg log "$LOG" \
		"{id: \$id, runtime: \$rt, runtime_root: \$root, log_path: \$log,
		  log_max_file: 1} + ${1:-{\}}" >"$BUNDLE/shim.json"
}

# shim_start [JQ-OBJECT]: shim.json + `berth-shim start`; sets SHIM_PID, INIT_PID
shim_start() {
	shim_json "${1:-}"
	local out
	out=$(timeout 30 "$SHIM" start --dir "$BUNDLE") || {
		echo "berth-shim start failed: $out" >&2
		return 1
	}
	SHIM_PID=$(jq -r .shim_pid <<<"$out")
	INIT_PID=$(jq -r .pid <<<"$out")
	[[ $SHIM_PID -gt 1 && $INIT_PID -gt 1 ]]
}

ctl() { timeout 30 "$SHIMCTL" "$BUNDLE" "$@"; }

# bg CMD...: run in the background, remembered for teardown
bg() {
	"$@" &
	track_pid $!
}

shim_gone() { ! kill -0 "$SHIM_PID" 2>/dev/null; }

@test "shim: a container's output in docker's json-file log, exit.json, the exit event" {
	set_sh 'echo a; echo b >&2; exit 3'
	shim_start
	[[ -S $BUNDLE/shim.sock && $(cat "$BUNDLE/shim.pid") == "$SHIM_PID" ]]
	[[ $(ctl state | jq -r .status) == created ]]
	bg timeout 20 "$SHIMCTL" "$BUNDLE" subscribe 1 >"$TESTDIR/events" 2>"$TESTDIR/sub.err"
	wait_for_line "$TESTDIR/sub.err" subscribed
	[[ $(ctl start | jq -r .pid) == "$INIT_PID" ]]
	wait_file "$BUNDLE/exit.json"
	wait_file "$TESTDIR/events"
	jq -e '.exit_code == 3 and .signal == 0 and .pid == '"$INIT_PID"' and .exited_at > 0' \
		"$BUNDLE/exit.json"
	jq -e '.event == "exit" and .exit_code == 3 and (has("exec_id") | not)' "$TESTDIR/events"
	# one object per line, keys in docker's order, 9-digit UTC nanoseconds
	[[ $(wc -l <"$LOG") -eq 2 ]]
	[[ $(sed -n 1p "$LOG") =~ ^\{\"log\":\"a\\n\",\"stream\":\"stdout\",\"time\":\"20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\"\}$ ]]
	[[ $(sed -n 2p "$LOG" | jq -c '[.log, .stream]') == '["b\n","stderr"]' ]]
	run ctl state
	[[ $(jq -r '.status, .exit_code' <<<"$output" | tr '\n' ' ') == "stopped 3 " ]]
	# a later subscriber gets the exit replayed
	[[ $(ctl subscribe 1 | jq -r .exit_code) == 3 ]]
	ctl delete | jq -e '.exit_code == 3'
	retry 50 0.1 shim_gone
	assert_no_state "$CT"
	[[ ! -e $BUNDLE/shim.sock && -e $BUNDLE/exit.json && -e $LOG ]]
}

@test "shim: kill of a sleeping container; delete refused while it runs" {
	set_args /bin/sleep 1000
	shim_start
	ctl start
	run ctl delete
	[[ $status -ne 0 && $output == *"is running"* ]]
	run ctl kill '{"signal": 0}'
	[[ $status -ne 0 && $output == *"bad signal"* ]]
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	jq -e '.exit_code == 137 and .signal == 9' "$BUNDLE/exit.json"
	run ctl kill '{"signal": 9}'
	[[ $status -ne 0 && $output == *"not running"* ]]
	ctl delete
	retry 50 0.1 shim_gone
	assert_no_state "$CT"
}

@test "shim: exec with output, exit code and its own exit event" {
	set_args /bin/sleep 1000
	shim_start
	ctl start
	bg timeout 20 "$SHIMCTL" "$BUNDLE" subscribe 1 >"$TESTDIR/events" 2>"$TESTDIR/sub.err"
	wait_for_line "$TESTDIR/sub.err" subscribed
	local proc
	proc='{"exec_id":"e1","process":{"args":["/bin/sh","-c","echo out; echo err >&2; exit 5"],
		"cwd":"/","env":["PATH=/bin"],"user":{"uid":0,"gid":0}}}'
	run ctl exec "$proc"
	[[ $status -eq 0 ]]
	local xpid
	xpid=$(jq -r .pid <<<"$output")
	[[ $xpid -gt 1 ]]
	run ctl exec "$proc"
	[[ $status -ne 0 && $output == *"exists already"* ]]
	# the runtime's message when the exec fails; nothing is kept of it
	run ctl exec '{"exec_id":"bad","process":{"args":["/no/such/binary"],"cwd":"/",
		"env":["PATH=/bin"],"user":{"uid":0,"gid":0}}}'
	[[ $status -ne 0 && $output == *"runtime exec: "*"/no/such/binary"* ]]
	[[ $(ctl state | jq '[.execs[] | select(.exec_id == "bad")] | length') == 0 ]]
	[[ -z $(find "$BUNDLE" -maxdepth 1 -name 'exec-bad*') ]]
	wait_file "$TESTDIR/events"
	jq -e '.exec_id == "e1" and .exit_code == 5 and .pid == '"$xpid" "$TESTDIR/events"
	# output made before the attach is kept for the first attach
	ctl attach '{"exec_id":"e1","stdout":true,"stderr":true}' >"$TESTDIR/out" 2>"$TESTDIR/err"
	[[ $(cat "$TESTDIR/out") == out ]]
	grep -qx err "$TESTDIR/err"
	[[ $(ctl state | jq -c '.execs[0] | [.exec_id, .status, .exit_code]') == '["e1","stopped",5]' ]]
	# exec output is not the container's log
	[[ ! -s $LOG ]]
	ctl delete '{"exec_id":"e1"}'
	[[ $(ctl state | jq '.execs | length') == 0 ]]
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	ctl delete
}

@test "shim: attach from two clients, stdin from one, stdin_once closes it" {
	set_sh 'while read l; do echo "got $l"; echo "err $l" >&2; done; echo bye'
	shim_start '{stdin_open: true}'
	bg timeout 20 "$SHIMCTL" "$BUNDLE" attach '{"stdout":true,"stderr":true}' \
		>"$TESTDIR/a1.out" 2>"$TESTDIR/a1.err"
	wait_for_line "$TESTDIR/a1.err" attached
	(
		sleep 0.3
		printf 'x\ny\n'
	) | timeout 20 "$SHIMCTL" "$BUNDLE" attach \
		'{"stdin":true,"stdout":true,"stdin_once":true}' >"$TESTDIR/a2.out" 2>"$TESTDIR/a2.err" &
	track_pid $!
	wait_for_line "$TESTDIR/a2.err" attached
	ctl start
	wait_file "$BUNDLE/exit.json"
	wait_for_line "$TESTDIR/a2.out" bye
	wait_for_line "$TESTDIR/a1.out" bye
	[[ $(cat "$TESTDIR/a1.out") == $'got x\ngot y\nbye' ]]
	[[ $(cat "$TESTDIR/a2.out") == $'got x\ngot y\nbye' ]]
	grep -qx 'err y' "$TESTDIR/a1.err"
	# a2 asked for no stderr
	! grep -q 'err' "$TESTDIR/a2.out" "$TESTDIR/a2.err"
	# two pipes: the order between the streams is not defined, within one it is
	[[ $(jq -j 'select(.stream == "stdout") | .log' "$LOG") == $'got x\ngot y\nbye' ]]
	[[ $(jq -j 'select(.stream == "stderr") | .log' "$LOG") == $'err x\nerr y' ]]
	ctl delete
}

@test "shim: a tty container: pty from the console socket, resize, one stream" {
	bundle_set '.process.terminal = true'
	set_sh 'stty size; read l; echo "got $l"'
	shim_start '{terminal: true, stdin_open: true}'
	ctl resize '{"width": 100, "height": 40}'
	(
		sleep 0.5
		echo hello
		sleep 1
	) | timeout 20 "$SHIMCTL" "$BUNDLE" attach '{"stdin":true,"stdout":true,"stderr":true}' \
		>"$TESTDIR/out" 2>"$TESTDIR/err" &
	track_pid $!
	wait_for_line "$TESTDIR/err" attached
	ctl start
	wait_file "$BUNDLE/exit.json"
	wait_for_line "$TESTDIR/out" 'got hello'
	grep -q $'^40 100\r$' "$TESTDIR/out"
	jq -e -s 'all(.stream == "stdout") and (map(.log) | index("got hello\r\n") != null)' "$LOG"
	run ctl resize '{"exec_id": "nope", "width": 1, "height": 1}'
	[[ $status -ne 0 && $output == *"no exec nope"* ]]
	ctl delete
}

@test "shim: detached from its starter; the container survives its clients" {
	set_sh 'i=0; while true; do i=$((i+1)); echo "n $i"; sleep 0.02; done'
	shim_json
	# the starter (berthd's stand-in) runs in its own session and process
	# group, then dies with its whole group by SIGKILL
	setsid bash -c "'$SHIM' start --dir '$BUNDLE' >'$TESTDIR/start.out'; sleep 1000" &
	local bash_pid=$!
	track_pid "$bash_pid"
	wait_file "$TESTDIR/start.out"
	SHIM_PID=$(jq -r .shim_pid "$TESTDIR/start.out")
	local starter_sid
	starter_sid=$(ps -o sid= -p "$bash_pid" | tr -d ' ')
	[[ $starter_sid -gt 1 && $starter_sid -ne $(ps -o sid= -p $$ | tr -d ' ') ]]
	kill -KILL -- "-$starter_sid"
	sleep 0.2
	# not the starter's child nor in its session: still there and serving
	kill -0 "$SHIM_PID"
	[[ $(ps -o sid= -p "$SHIM_PID" | tr -d ' ') -ne $starter_sid ]]
	[[ $(awk '/^PPid:/{print $2}' "/proc/$SHIM_PID/status") -ne $bash_pid ]]
	[[ $(ctl state | jq -r .status) == created ]]
	ctl start
	# an attach client killed with -9: the container sees no EPIPE
	"$SHIMCTL" "$BUNDLE" attach '{"stdout":true}' >/dev/null 2>&1 &
	local apid=$!
	sleep 0.3
	kill -KILL "$apid"
	wait "$apid" || true
	local n1
	n1=$(wc -l <"$LOG")
	log_grew() { (($(wc -l <"$LOG") > n1)); }
	retry 50 0.1 log_grew
	[[ $(ctl state | jq -r .status) == running ]]
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	# no line lost or repeated (read once the shim wrote the last one: a line
	# being written is not whole JSON yet)
	jq -j .log "$LOG" | awk '{ if ($2 != NR) { print "line " NR ": " $0; exit 1 } }'
	ctl delete
}

@test "shim: log rotation by log_max_size and log_max_file" {
	set_sh 'i=0; while [ $i -lt 300 ]; do i=$((i+1)); echo "line $i"; done'
	shim_start '{log_max_size: 2000, log_max_file: 3}'
	ctl start
	wait_file "$BUNDLE/exit.json"
	[[ -s $LOG && -s $LOG.1 && -s $LOG.2 && ! -e $LOG.3 ]]
	[[ $(tail -n1 "$LOG" | jq .log) == '"line 300\n"' ]]
	local size
	size=$(stat -c %s "$LOG.1")
	[[ $size -ge 2000 && $size -lt 2100 ]]
	ctl delete
}

@test "shim: runc as the runtime" {
	command -v runc >/dev/null || skip "runc not installed"
	set_sh 'echo from-runc; sleep 1000'
	SHIM_RUNTIME=runc SHIM_ROOT=$TESTDIR/runc shim_start
	ctl start
	wait_for_line "$LOG" from-runc
	run ctl exec '{"exec_id":"x","process":{"args":["/bin/echo","exec-runc"],"cwd":"/",
		"env":["PATH=/bin"],"user":{"uid":0,"gid":0}}}'
	[[ $status -eq 0 ]]
	[[ $(ctl attach '{"exec_id":"x","stdout":true}' 2>/dev/null) == exec-runc ]]
	ctl pause
	[[ $(ctl state | jq -r .status) == paused ]]
	ctl resume
	ctl stats | jq -e '.stats | type == "object"'
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	jq -e '.signal == 9' "$BUNDLE/exit.json"
	ctl delete
	retry 50 0.1 shim_gone
	[[ -z $(runc --root "$TESTDIR/runc" list -q) ]]
}

@test "shim: a runtime that fails: its message, and nothing left behind" {
	set_args /bin/does-not-exist
	shim_json
	run "$SHIM" start --dir "$BUNDLE"
	[[ $status -eq 1 ]]
	[[ $output == *"runtime create: "*"/bin/does-not-exist"* ]]
	assert_no_state "$CT"
	[[ ! -e $BUNDLE/shim.sock && ! -e $BUNDLE/shim.pid && ! -e $BUNDLE/log.json ]]
	[[ ! -e $LOG ]]
	[[ -z $(pgrep -f "berth-shim start --dir $BUNDLE" || true) ]]
	# a runtime binary that is not there
	SHIM_RUNTIME=/nonexistent/runtime shim_json
	run "$SHIM" start --dir "$BUNDLE"
	[[ $status -eq 1 && $output == *"exec /nonexistent/runtime"* ]]
	[[ ! -e $BUNDLE/shim.sock ]]
	# no shim.json at all
	rm "$BUNDLE/shim.json"
	run "$SHIM" start --dir "$BUNDLE"
	[[ $status -eq 1 && $output == *shim.json* ]]
}

@test "shim: shim_start() of the client library, and a small shim" {
	set_args /bin/sleep 1000
	run "$SHIMCTL" start "$(jq -nc --arg b "$SHIM" --arg d "$BUNDLE" --arg id "$CT" \
		--arg rt "$RUNTIME" --arg root "$ROOT" --arg log "$LOG" \
		'{shim_binary: $b, dir: $d, id: $id, runtime: $rt, runtime_root: $root,
		  log_path: $log}')"
	[[ $status -eq 0 ]]
	SHIM_PID=$(jq -r .shim_pid <<<"$output")
	[[ $(jq -r .id "$BUNDLE/shim.json") == "$CT" ]]
	ctl start
	# private memory (smaps_rollup) well under 1 MiB
	local priv
	priv=$(awk '/^Private_(Clean|Dirty):/{s+=$2} END{print s}' "/proc/$SHIM_PID/smaps_rollup")
	echo "shim private: $priv kB"
	[[ $priv -lt 1000 ]]
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	ctl delete
	# the library reports the runtime's message
	set_args /bin/does-not-exist
	run "$SHIMCTL" start "$(jq -nc --arg b "$SHIM" --arg d "$BUNDLE" --arg id "$CT-2" \
		--arg rt "$RUNTIME" --arg root "$ROOT" '{shim_binary: $b, dir: $d, id: $id,
		runtime: $rt, runtime_root: $root}')"
	[[ $status -eq 1 && $output == *"runtime create"*"does-not-exist"* ]]
}

@test "shim: an OOM kill: the oom event, oom_killed in exit.json" {
	# an absolute cgroup of our own (never under this process's cgroup)
	bundle_set '.linux.cgroupsPath = $p | .linux.resources.memory = {limit: 20000000, swap: 20000000}' \
		--arg p "/berth-test-shim-$SUFFIX"
	set_sh 'sleep 0.3; tail /dev/zero'
	shim_start
	# the oom event is not replayed: subscribed before the start
	bg timeout 20 "$SHIMCTL" "$BUNDLE" subscribe 2 >"$TESTDIR/events" 2>"$TESTDIR/sub.err"
	wait_for_line "$TESTDIR/sub.err" subscribed
	ctl start
	wait_file "$BUNDLE/exit.json"
	jq -e '.oom_killed == true and .signal == 9' "$BUNDLE/exit.json"
	retry 50 0.1 grep -q '"event":"exit"' "$TESTDIR/events"
	# the OOM watch and the exit are two sources of the shim's loop: the oom
	# event may come a moment after the exit's
	retry 50 0.1 grep -qx '{"event":"oom"}' "$TESTDIR/events"
	ctl delete
	retry 50 0.1 shim_gone
	[[ -z $(find /sys/fs/cgroup -maxdepth 2 -name "berth-test-shim-$SUFFIX") ]]
}

@test "shim: a shim dir longer than sun_path (control and console sockets via the dir fd)" {
	local long=$TESTDIR/$(printf 'd%.0s' {1..60})/$(printf 'e%.0s' {1..40})
	make_bundle "$long"
	BUNDLE=$long
	[[ ${#BUNDLE} -gt 108 ]]
	bundle_set '.process.terminal = true'
	set_sh 'stty size; echo done'
	shim_start '{terminal: true}'
	ctl resize '{"width": 90, "height": 30}'
	ctl start
	wait_file "$BUNDLE/exit.json"
	jq -j .log "$LOG" | grep -q $'^30 90\r$'
	ctl delete
	retry 50 0.1 shim_gone
	[[ ! -e $BUNDLE/console.sock && ! -e $BUNDLE/shim.sock ]]
}

@test "shim: exec with a terminal: its own pty, resize, stdin" {
	set_args /bin/sleep 1000
	shim_start
	ctl start
	ctl exec '{"exec_id":"t","terminal":true,"stdin":true,"process":{"args":["/bin/sh","-c",
		"read l; stty size; tty; echo \"got $l\""],"cwd":"/","env":["PATH=/bin"],
		"user":{"uid":0,"gid":0}}}'
	ctl resize '{"exec_id":"t","width":77,"height":22}'
	(
		sleep 0.3
		echo hi
		sleep 1
	) | timeout 20 "$SHIMCTL" "$BUNDLE" attach '{"exec_id":"t","stdin":true,"stdout":true}' \
		>"$TESTDIR/out" 2>/dev/null
	grep -q $'^22 77\r$' "$TESTDIR/out"
	grep -q $'^/dev/pts/[0-9]*\r$' "$TESTDIR/out"
	grep -q $'^got hi\r$' "$TESTDIR/out"
	[[ $(ctl state | jq -c '.execs[0] | [.status, .exit_code]') == '["stopped",0]' ]]
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	ctl delete
}

@test "shim: its starter killed before the report (shim_start's timeout): nothing stays" {
	cat >"$TESTDIR/slow-runtime" <<-EOS
		#!/bin/sh
		for a in "\$@"; do [ "\$a" = create ] && sleep 1.5; done
		exec "$RUNTIME" "\$@"
	EOS
	chmod +x "$TESTDIR/slow-runtime"
	set_args /bin/sleep 1000
	SHIM_RUNTIME=$TESTDIR/slow-runtime shim_json
	"$SHIM" start --dir "$BUNDLE" >/dev/null 2>&1 &
	local starter=$!
	sleep 0.5
	kill -KILL "$starter"
	wait "$starter" || true
	# the runtime's create ends 1.5 s in; then the shim cleans up (later on a loaded machine)
	sleep 1.5
	nothing_stays() {
		[[ ! -e $BUNDLE/shim.sock && ! -e $BUNDLE/shim.pid && ! -e $BUNDLE/init.pid ]] &&
			[[ -z $(pgrep -f "berth-shim start --dir $BUNDLE" || true) ]] &&
			[[ -z $("$RUNTIME" --root "$ROOT" list -q 2>/dev/null) ]]
	}
	retry 200 0.1 nothing_stays
	assert_no_state "$CT"
	[[ ! -e $BUNDLE/shim.sock && ! -e $BUNDLE/shim.pid && ! -e $BUNDLE/init.pid ]]
	[[ -z $(pgrep -f "berth-shim start --dir $BUNDLE" || true) ]]
}

@test "shim: a second run in the same shim dir (restart): no stale exit.json, the log goes on" {
	set_sh 'echo run; exit 7'
	shim_start
	ctl start
	wait_file "$BUNDLE/exit.json"
	ctl delete
	retry 50 0.1 shim_gone
	set_sh 'echo again; sleep 1000'
	shim_start
	[[ ! -e $BUNDLE/exit.json ]]
	ctl start
	wait_for_line "$LOG" again
	[[ $(jq -j .log "$LOG") == $'run\nagain' ]]
	# no exit of the first run replayed by the second shim (3 s: a loaded
	# machine may take a second to subscribe)
	run timeout 3 "$SHIMCTL" "$BUNDLE" subscribe 1
	[[ $status -eq 124 && $output == subscribed ]]
	[[ $(ctl state | jq -r .status) == running ]]
	ctl kill '{"signal": 9}'
	wait_file "$BUNDLE/exit.json"
	jq -e '.exit_code == 137' "$BUNDLE/exit.json"
	ctl delete
}
