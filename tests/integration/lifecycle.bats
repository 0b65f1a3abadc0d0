#!/usr/bin/env bats
# create / start / state / kill / delete / list / run

load helpers

@test "lifecycle: create -> created, start -> running, kill -> stopped, delete" {
	set_args /bin/sleep 1000
	create_ct
	[[ $(status_of "$CT") == created ]]
	start_ct
	[[ $(status_of "$CT") == running ]]
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	assert_no_state "$CT"
}

@test "lifecycle: state JSON has ociVersion, id, status, pid, bundle, created, annotations" {
	set_args /bin/sleep 1000
	bundle_set '.annotations = {"org.berth.test": "yes", "other": "1"}'
	create_ct
	rt_ok state "$CT"
	local st=$output
	jq -e . <<<"$st" >/dev/null
	[[ $(jq -r .ociVersion <<<"$st") =~ ^1\.[0-9]+\.[0-9]+ ]]
	assert_eq "$(jq -r .id <<<"$st")" "$CT" id
	assert_eq "$(jq -r .status <<<"$st")" created status
	assert_eq "$(jq -r .bundle <<<"$st")" "$BUNDLE" bundle
	assert_eq "$(jq -r '.annotations["org.berth.test"]' <<<"$st")" yes annotation
	assert_eq "$(jq -r '.annotations.other' <<<"$st")" 1 annotation
	local pid created
	pid=$(jq -r .pid <<<"$st")
	[[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]]
	[[ -d /proc/$pid ]]
	created=$(jq -r .created <<<"$st")
	# RFC3339 (with optional fractional seconds), and a sane time
	[[ $created =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$ ]] ||
		fail "created not RFC3339: $created"
	local t now
	t=$(date -d "$created" +%s)
	now=$(date +%s)
	((t <= now + 5 && t >= now - 120)) || fail "created too far off: $created"
	start_ct
	assert_eq "$(state_of "$CT" | jq -r .status)" running status
	assert_eq "$(state_of "$CT" | jq -r .pid)" "$pid" "pid after start"
}

@test "lifecycle: --pid-file holds the container init pid" {
	set_args /bin/sleep 1000
	rt_ok create --bundle "$BUNDLE" --pid-file "$TESTDIR/pidfile" "$CT"
	[[ -s $TESTDIR/pidfile ]]
	local pid
	pid=$(cat "$TESTDIR/pidfile")
	[[ $pid =~ ^[0-9]+$ ]] || fail "pid file content: '$pid'"
	assert_eq "$pid" "$(pid_of "$CT")" "pid file vs state"
	# the pid is the process that becomes the container's /bin/sleep
	start_ct
	retry 50 0.1 grep -q sleep "/proc/$pid/cmdline"
}

@test "lifecycle: --pid-file with a relative path is relative to cwd" {
	set_args /bin/sleep 1000
	cd "$TESTDIR"
	rt_ok create --bundle "$BUNDLE" --pid-file rel.pid "$CT"
	[[ -s $TESTDIR/rel.pid ]]
	assert_eq "$(cat "$TESTDIR/rel.pid")" "$(pid_of "$CT")" pid
}

@test "lifecycle: list shows a table header, --format json and -q" {
	set_args /bin/sleep 1000
	local id2
	id2=$(new_id second)
	create_ct
	create_ct "$id2"
	start_ct "$id2"
	rt_ok list
	[[ ${lines[0]} =~ ^ID[[:space:]]+PID[[:space:]]+STATUS[[:space:]]+BUNDLE[[:space:]]+CREATED[[:space:]]+OWNER ]] ||
		fail "bad header: ${lines[0]}"
	[[ ${#lines[@]} -eq 3 ]]
	printf '%s\n' "${lines[@]}" | grep -E "^$CT[[:space:]]+[0-9]+[[:space:]]+created[[:space:]]+$BUNDLE[[:space:]]"
	printf '%s\n' "${lines[@]}" | grep -E "^$id2[[:space:]]+[0-9]+[[:space:]]+running[[:space:]]+$BUNDLE[[:space:]]"

	rt_ok list --format json
	jq -e 'type == "array" and length == 2' <<<"$output"
	assert_eq "$(jq -r --arg id "$CT" '.[] | select(.id == $id) | .status' <<<"$output")" created
	assert_eq "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .status' <<<"$output")" running
	assert_eq "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .bundle' <<<"$output")" "$BUNDLE"
	assert_eq "$(jq -r --arg id "$id2" '.[] | select(.id == $id) | .pid' <<<"$output")" "$(pid_of "$id2")"

	rt_ok list -q
	assert_eq "$(printf '%s\n' "${lines[@]}" | sort | tr '\n' ' ')" "$(printf '%s\n' "$CT" "$id2" | sort | tr '\n' ' ')" "list -q"
}

@test "lifecycle: list's OWNER is the state directory's owner by name, else #uid (as runc)" {
	set_args /bin/sleep 1000
	create_ct
	rt_ok list
	printf '%s\n' "${lines[@]}" | grep -E "^$CT[[:space:]].*[[:space:]]root\$" ||
		fail "no owner root: ${lines[*]}"
	rt_ok list --format json
	assert_eq "$(jq -r '.[0].owner' <<<"$output")" root owner
	# a uid without a passwd entry (runc: "#<uid>")
	local uid=54321
	! grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd || skip "uid $uid has a passwd entry here"
	chown "$uid" "$ROOT/$CT"
	rt_ok list --format json
	assert_eq "$(jq -r '.[0].owner' <<<"$output")" "#$uid" owner
	rt_ok list
	printf '%s\n' "${lines[@]}" | grep -E "^$CT[[:space:]].*[[:space:]]#$uid\$" ||
		fail "no owner #$uid: ${lines[*]}"
	chown 0 "$ROOT/$CT"
}

@test "lifecycle: list of an empty root" {
	rt_ok list -q
	[[ -z $output ]]
	rt_ok list --format json
	# runc prints "null" for no containers; an empty array is fine too
	[[ $output == null || $(jq -r 'length' <<<"$output") == 0 ]]
}

kill_with() {
	set_args /bin/sleep 1000
	create_ct
	start_ct
	rt_ok kill "$CT" "$1"
	wait_status "$CT" stopped
}

@test "lifecycle: kill KILL" { kill_with KILL; }
@test "lifecycle: kill SIGKILL" { kill_with SIGKILL; }
@test "lifecycle: kill 9" { kill_with 9; }

@test "lifecycle: kill TERM reaches a handler in the container" {
	set_sh 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	create_ct
	start_ct
	wait_for_line "${CT_OUT[$CT]}" ready
	rt_ok kill "$CT" TERM
	wait_status "$CT" stopped
	grep -q got-term "${CT_OUT[$CT]}"
}

@test "lifecycle: kill without a signal sends SIGTERM" {
	set_sh 'trap "echo got-term; exit 0" TERM; echo ready; while :; do sleep 0.1; done'
	create_ct
	start_ct
	wait_for_line "${CT_OUT[$CT]}" ready
	rt_ok kill "$CT"
	wait_status "$CT" stopped
	grep -q got-term "${CT_OUT[$CT]}"
}

@test "lifecycle: kill with an invalid signal fails" {
	set_args /bin/sleep 1000
	create_ct
	start_ct
	rt kill "$CT" NOSUCHSIG
	[[ $status -ne 0 ]]
	rt kill "$CT" 1000
	[[ $status -ne 0 ]]
	assert_eq "$(status_of "$CT")" running
}

@test "lifecycle: kill --all signals every process of the container" {
	# sh is pid 1 of the container's pid namespace and has no TERM handler,
	# so a plain TERM is ignored; with --all the sleeps get it too, and once
	# they are gone the shell finishes
	set_sh 'sleep 1000 & sleep 1000 & echo started; wait; echo children-gone'
	create_ct
	start_ct
	wait_for_line "${CT_OUT[$CT]}" started
	local pid kids
	pid=$(pid_of "$CT")
	kids=$(cat /proc/"$pid"/task/*/children)
	[[ -n $kids ]]
	rt_ok kill "$CT" TERM
	sleep 0.5
	assert_eq "$(status_of "$CT")" running "after a plain TERM"
	rt_ok kill --all "$CT" TERM
	wait_status "$CT" stopped
	grep -q children-gone "${CT_OUT[$CT]}" || fail "children were not signalled"
	local k
	for k in $kids; do
		retry 50 0.1 test ! -e "/proc/$k" || fail "child $k survived kill --all"
	done
}

@test "lifecycle: kill of a stopped container fails" {
	set_args /bin/true
	create_ct
	start_ct
	wait_status "$CT" stopped
	rt kill "$CT" KILL
	[[ $status -ne 0 ]]
}

@test "lifecycle: delete of a running container fails without --force, works with it" {
	set_args /bin/sleep 1000
	create_ct
	start_ct
	local pid
	pid=$(pid_of "$CT")
	rt delete "$CT"
	[[ $status -ne 0 ]]
	assert_eq "$(status_of "$CT")" running
	rt_ok delete --force "$CT"
	assert_no_state "$CT"
	retry 50 0.1 test ! -e "/proc/$pid" || fail "init $pid still alive"
}

@test "lifecycle: delete of a created (never started) container" {
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	[[ -e /proc/$pid ]]
	rt_ok delete "$CT"
	assert_no_state "$CT"
	retry 50 0.1 test ! -e "/proc/$pid" || fail "init $pid still alive"
}

@test "lifecycle: delete of a stopped container, then the id is reusable" {
	set_args /bin/true
	create_ct
	start_ct
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	assert_no_state "$CT"
	create_ct
	assert_eq "$(status_of "$CT")" created
}

@test "lifecycle: delete of an unknown id fails, --force succeeds" {
	rt delete "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	rt delete --force "nosuch-$SUFFIX"
	[[ $status -eq 0 ]]
}

@test "lifecycle: duplicate id fails and does not disturb the first container" {
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	[[ -n $output ]]
	assert_eq "$(status_of "$CT")" created
	assert_eq "$(pid_of "$CT")" "$pid"
}

@test "lifecycle: invalid ids are rejected" {
	local id
	for id in "a/b" ".." "" "../x" "/abs"; do
		rt create --bundle "$BUNDLE" "$id"
		[[ $status -ne 0 ]] || fail "id '$id' accepted"
	done
	[[ -z $(ls -A "$ROOT") ]] || fail "state left: $(ls -A "$ROOT")"
	[[ -z $(ls -A "$TESTDIR" | grep -vE '^(bundle|state|rt\..*|\..*)$') ]]
	rt_ok list -q
	[[ -z $output ]]
}

@test "lifecycle: state of an unknown id fails" {
	rt state "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	[[ -n $output ]]
}

@test "lifecycle: start of an unknown id fails, start twice fails" {
	rt start "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	set_args /bin/sleep 1000
	create_ct
	start_ct
	rt start "$CT"
	[[ $status -ne 0 ]]
	assert_eq "$(status_of "$CT")" running
}

@test "lifecycle: created container does not run the user process before start" {
	set_sh 'echo started > /tmp/marker; sleep 1000'
	bundle_set '.root.readonly = false'
	create_ct
	sleep 0.5
	[[ ! -e $BUNDLE/rootfs/tmp/marker ]]
	start_ct
	retry 50 0.1 test -e "$BUNDLE/rootfs/tmp/marker"
}

@test "lifecycle: run prints the container output and returns 0" {
	set_args /bin/echo hello world
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" "hello world"
	assert_no_state "$CT"
}

@test "lifecycle: run exit code is the container's exit code" {
	set_sh 'exit 3'
	run_ct
	[[ $status -eq 3 ]]
	assert_no_state "$CT"
}

@test "lifecycle: run of a process killed by a signal exits 128+signal" {
	# not pid 1 (no pid namespace), so the shell can SIGKILL itself
	remove_ns pid
	set_sh 'kill -9 $$'
	run_ct
	[[ $status -eq 137 ]]
}

@test "lifecycle: run exits 137 when the container is killed with SIGKILL" {
	set_sh 'echo ready; exec sleep 1000'
	bg_rt "$TESTDIR/run.out" run --bundle "$BUNDLE" "$CT"
	local pid=$BG_PID
	wait_for_line "$TESTDIR/run.out" ready
	wait_status "$CT" running
	rt_ok kill "$CT" KILL
	wait_bg "$pid"
	assert_eq "$BG_STATUS" 137 "exit code of run"
}

@test "lifecycle: run forwards SIGTERM to the container" {
	set_sh 'trap "echo got-term; exit 42" TERM; echo ready; while :; do sleep 0.1; done'
	bg_rt "$TESTDIR/run.out" run --bundle "$BUNDLE" "$CT"
	local pid=$BG_PID
	wait_for_line "$TESTDIR/run.out" ready
	kill -TERM "$pid"
	wait_bg "$pid"
	grep -q got-term "$TESTDIR/run.out" || fail "$(cat "$TESTDIR/run.out")"
	assert_eq "$BG_STATUS" 42 "exit code of run"
	assert_no_state "$CT"
}

@test "lifecycle: run --detach leaves a running container" {
	set_sh 'echo detached-out; exec sleep 1000'
	rt_ok run --detach --bundle "$BUNDLE" "$CT"
	assert_eq "$(status_of "$CT")" running
	wait_for_line "$RT_OUTFILE" detached-out
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	assert_no_state "$CT"
}

@test "lifecycle: run -d with --pid-file" {
	set_args /bin/sleep 1000
	rt_ok run -d --pid-file "$TESTDIR/p" --bundle "$BUNDLE" "$CT"
	assert_eq "$(cat "$TESTDIR/p")" "$(pid_of "$CT")" pid
}

@test "lifecycle: --bundle defaults to the current directory" {
	set_args /bin/echo from-cwd
	cd "$BUNDLE"
	rt run "$CT"
	[[ $status -eq 0 ]]
	assert_eq "$output" from-cwd
}

@test "lifecycle: container stopped on its own is reported stopped" {
	set_sh 'exit 0'
	create_ct
	start_ct
	wait_status "$CT" stopped
	rt_ok state "$CT"
	assert_eq "$(jq -r .status <<<"$output")" stopped
}
