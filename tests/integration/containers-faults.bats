#!/usr/bin/env bats
# Faults of the container lifecycle (issue 5): berthd killed with -9 while
# containers run and print, shims killed with -9, exits during berthd's
# downtime; plus the lifecycle basics they rest on (create/start/wait/rm
# through curl, restart policies with backoff, stop of a process that
# ignores SIGTERM).

load containers-helpers

# create NAME [JSON-BODY-EXTRA]: POST /containers/create, echoes the id
create() {
	local name=$1 body=${2:-'{}'}
	body=$(jq -c --argjson b "$body" -n '{"Image":"busybox"} + $b')
	api_status POST "/containers/create?name=$name" "$body"
	[[ $STATUS == 201 ]] || fail "create $name: $STATUS $BODY"
	jq -r .Id <<<"$BODY"
}

start() {
	api_status POST "/containers/$1/start"
	[[ $STATUS == 204 ]] || fail "start $1: $STATUS $BODY"
}

# the host log file of a container
logfile() { ctr_inspect "$1" .LogPath; }

# restarts_over REF N: RestartCount > N (for retry: evaluated at each try)
restarts_over() { (($(ctr_inspect "$1" .RestartCount) > $2)); }

# log_lines_over FILE N: FILE has more than N lines (for retry)
log_lines_over() { [[ -s $1 ]] && (($(wc -l <"$1") > $2)); }

# the sequence numbers a container printed (its json-file log)
# (stdout only: a shell whose child the stop's SIGKILL hits may print "Killed" on stderr)
seqs() { jq -j 'select(.stream == "stdout") | .log' "$(logfile "$1")"; }

@test "faults: create, start, wait, DELETE through the API" {
	ct_start_default
	id=$(create life1 '{"Cmd":["sh","-c","echo hello; exit 3"]}')
	[[ $id =~ ^[0-9a-f]{64}$ ]]
	start life1
	api_status POST "/containers/life1/wait"
	assert_eq "$STATUS" 200
	assert_eq "$(jq -r .StatusCode <<<"$BODY")" 3
	assert_eq "$(ctr_state life1)" exited
	assert_eq "$(ctr_inspect life1 .State.ExitCode)" 3
	grep -q '"log":"hello\\n","stream":"stdout"' "$(logfile life1)"
	# started again: a new task, the same container
	start life1
	api_status POST "/containers/life1/wait"
	assert_eq "$(jq -r .StatusCode <<<"$BODY")" 3
	api_status DELETE "/containers/life1"
	assert_eq "$STATUS" 204
	api_status GET "/containers/life1/json"
	assert_eq "$STATUS" 404
	[[ ! -e $D/root/containers/$id ]] || fail "container dir left"
	[[ ! -e $D/run/shims/default/$id ]] || fail "shim dir left"
}

@test "faults: stop of a process that ignores SIGTERM ends after the timeout" {
	ct_start_default
	create stubborn '{"Cmd":["sh","-c","trap \"\" TERM; while :; do sleep 1; done"]}' >/dev/null
	start stubborn
	local t0=$SECONDS
	api_status POST "/containers/stubborn/stop?t=2"
	assert_eq "$STATUS" 204
	local took=$((SECONDS - t0))
	# at least the timeout; well below docker's default 10 s (slack for a loaded machine)
	((took >= 2 && took <= 9)) || fail "stop took ${took}s"
	assert_eq "$(ctr_state stubborn)" exited
	assert_eq "$(ctr_inspect stubborn .State.ExitCode)" 137
}

@test "faults: restart policies: on-failure:2 then exited; always with docker's backoff; stop ends it" {
	ct_start_default
	create flaky '{"Cmd":["sh","-c","exit 1"],"HostConfig":{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2}}}' >/dev/null
	start flaky
	gave_up() { [[ $(ctr_inspect flaky .RestartCount) == 2 && $(ctr_state flaky) == exited ]]; }
	retry 100 0.1 gave_up
	assert_eq "$(ctr_inspect flaky .RestartCount)" 2
	assert_eq "$(ctr_state flaky)" exited
	assert_eq "$(ctr_inspect flaky .State.ExitCode)" 1
	# the backoff: restarts after 100, 200, 400, 800, 1600 ms: 4 within 2 s, not hundreds
	# (at most 5 after 2 s; at least 3 once the starts are done, however slow the machine)
	create loop '{"Cmd":["false"],"HostConfig":{"RestartPolicy":{"Name":"always"}}}' >/dev/null
	start loop
	sleep 2
	local n
	n=$(ctr_inspect loop .RestartCount)
	((n <= 5)) || fail "restarts within 2 s: $n"
	retry 100 0.1 restarts_over loop 2 || fail "restarts: $(ctr_inspect loop .RestartCount), not 3"
	api_status POST "/containers/loop/stop?t=1"
	[[ $STATUS == 204 || $STATUS == 304 ]] || fail "stop loop: $STATUS"
	n=$(ctr_inspect loop .RestartCount)
	assert_eq "$(ctr_state loop)" exited
	sleep 1
	assert_eq "$(ctr_inspect loop .RestartCount)" "$n"
}

@test "faults: kill -9 of a shim: exited with a reason, no API call hangs" {
	ct_start_default
	id=$(create victim '{"Cmd":["sleep","1000"]}')
	start victim
	local shim
	shim=$(cat "$D/run/shims/default/$id/shim.pid")
	kill -KILL "$shim"
	wait_ctr_status victim exited 10
	[[ $(ctr_inspect victim .State.Error) == *"shim for container $id died"* ]] ||
		fail "State.Error: $(ctr_inspect victim .State.Error)"
	assert_eq "$(ctr_inspect victim .State.ExitCode)" 137
	# every call answers
	API_TIMEOUT=10 api_status POST "/containers/victim/stop?t=1"
	[[ $STATUS == 304 || $STATUS == 204 ]] || fail "stop: $STATUS"
	API_TIMEOUT=10 api_status GET "/containers/json?all=1"
	assert_eq "$STATUS" 200
	API_TIMEOUT=10 api_status DELETE "/containers/victim?force=1"
	assert_eq "$STATUS" 204
}

@test "faults: kill -9 berthd with 20 printing containers: state, logs and downtime exits" {
	ct_start_default
	local i n=20
	# each prints a sequence number every 10 ms; the last 4 exit on their own
	# while berthd is down (code 40+i), after a file appears
	for i in $(seq 1 $n); do
		if ((i > n - 4)); then
			create "p$i" "$(jq -nc --arg c "i=0; while [ ! -e /tmp/stop ]; do i=\$((i+1)); echo \$i; sleep 0.01; done; exit $((40 + i))" '{"Cmd":["sh","-c",$c]}')" >/dev/null
		else
			create "p$i" '{"Cmd":["sh","-c","i=0; while :; do i=$((i+1)); echo $i; sleep 0.01; done"]}' >/dev/null
		fi
		start "p$i"
	done
	# every one has printed a while (not a fixed sleep: a loaded machine runs them slowly)
	for i in $(seq 1 $n); do
		retry 100 0.1 log_lines_over "$(logfile "p$i")" 40 || fail "p$i printed too little"
	done
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	# while berthd is down: the last 4 are told to stop (a file in their rootfs)
	for i in $(seq $((n - 3)) $n); do
		id=$(cat "$D"/root/containers/*/config.v2.json | jq -r "select(.Name == \"/p$i\") | .ID")
		touch "$D/run/shims/default/$id/rootfs/tmp/stop"
	done
	sleep 2
	local t_restart
	t_restart=$(date +%s)
	start_berthd
	# all 20 listed with the right state
	local list
	list=$(api '/containers/json?all=1')
	assert_eq "$(jq length <<<"$list")" $n
	for i in $(seq 1 $((n - 4))); do
		assert_eq "$(ctr_state "p$i")" running
	done
	for i in $(seq $((n - 3)) $n); do
		wait_ctr_status "p$i" exited 10
		assert_eq "$(ctr_inspect "p$i" .State.ExitCode)" $((40 + i))
	done
	# and reported as die events with their codes
	local dies
	dies=$(api "/events?since=$t_restart&until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22die%22%5D%7D" |
		jq -r '"\(.Actor.Attributes.name)=\(.Actor.Attributes.exitCode)"' | sort -V | tr '\n' ' ')
	assert_eq "$dies" "p17=57 p18=58 p19=59 p20=60 "
	sleep 0.5
	# stop the runners (at once: a shell as PID 1 ignores SIGTERM, each
	# takes its t=1), then check their logs: 1..N without a gap or a repeat
	local stops=()
	for i in $(seq 1 $((n - 4))); do
		api -X POST -o /dev/null -w "p$i %{http_code}\n" "/containers/p$i/stop?t=1" >>"$D/stops" &
		stops+=($!)
	done
	wait "${stops[@]}"
	[[ $(grep -c ' 204$' "$D/stops") == $((n - 4)) ]] || fail "stops: $(cat "$D/stops")"
	for i in $(seq 1 $n); do
		local s
		s=$(seqs "p$i")
		local count last
		count=$(wc -l <<<"$s")
		last=$(tail -1 <<<"$s")
		((count > 30)) || fail "p$i: only $count lines"
		assert_eq "$count" "$last"
		[[ -z $(sort -n <<<"$s" | uniq -d) ]] || fail "p$i: duplicated lines"
		assert_eq "$(sort -n <<<"$s" | tr '\n' ' ')" "$(seq 1 "$last" | tr '\n' ' ')"
	done
}

@test "faults: a start that fails leaves nothing behind and says why" {
	ct_start_default
	id=$(create bad '{"Cmd":["/no/such/binary"]}')
	api_status POST "/containers/bad/start"
	[[ $STATUS == 4* || $STATUS == 5* ]] || fail "start: $STATUS"
	[[ $BODY == *"/no/such/binary"* ]] || fail "the message does not name the binary: $BODY"
	assert_eq "$(ctr_state bad)" created
	assert_eq "$(ctr_inspect bad .State.ExitCode)" 127
	[[ $(ctr_inspect bad .State.Error) == *"/no/such/binary"* ]]
	[[ ! -e $D/run/shims/default/$id ]] || fail "shim dir left"
	[[ -z $(mounts_under "$D/run") ]] || fail "mounts left: $(mounts_under "$D/run")"
	[[ -z $(ct_live_shims) ]] || fail "a shim is left"
}

# hang_runtime: $D/hang-rt, berth-runtime unless $D/hang-<subcommand>
# exists: then it hangs (exec: the shim's kill hits the sleep itself)
hang_runtime() {
	cat >"$D/hang-rt" <<-EOF
		#!/bin/bash
		for a in "\$@"; do
		    case \$a in create | start | kill | delete | pause) [[ -e $D/hang-\$a ]] && exec sleep 1000; break ;; esac
		done
		exec "$BERTH_BUILD/cmd/berth-runtime/berth-runtime" "\$@"
	EOF
	chmod +x "$D/hang-rt"
}

@test "faults: a hung runtime (create, kill) is killed after the shim's timeout; nothing is left" {
	hang_runtime
	CT_DAEMON_JSON=$(jq -nc --arg p "$D/hang-rt" '{runtimes: {hang: {path: $p}}}')
	ct_write_daemon_json
	BERTH_SHIM_RUNTIME_TIMEOUT_MS=1500 ct_start_default
	touch "$D/hang-create"
	id=$(create hc '{"Cmd":["sleep","1000"],"HostConfig":{"Runtime":"hang"}}')
	api_status POST "/containers/hc/start"
	[[ $STATUS == 5* ]] || fail "start: $STATUS $BODY"
	[[ $BODY == *"runtime create: $D/hang-rt did not finish in 1500 ms: killed"* ]] ||
		fail "the message does not say the runtime hung: $BODY"
	assert_eq "$(ctr_state hc)" created
	[[ ! -e $D/run/shims/default/$id ]] || fail "shim dir left"
	[[ -z $(mounts_under "$D/run") ]] || fail "mounts left: $(mounts_under "$D/run")"
	[[ -z $(ct_live_shims) ]] || fail "a shim is left"
	# the same container starts once the runtime answers; a hung kill is
	# an error after the timeout, and the shim still serves the next calls
	rm "$D/hang-create"
	start hc
	touch "$D/hang-kill"
	api_status POST "/containers/hc/kill?signal=KILL"
	[[ $STATUS == 5* && $BODY == *"runtime kill: $D/hang-rt did not finish in 1500 ms"* ]] ||
		fail "kill: $STATUS $BODY"
	assert_eq "$(ctr_state hc)" running
	rm "$D/hang-kill"
	api_status DELETE "/containers/hc?force=1"
	[[ $STATUS == 204 ]] || fail "rm -f: $STATUS $BODY"
	[[ -z $(ct_live_shims) ]] || fail "a shim is left"
}

@test "faults: containers outlive a clean berthd stop and are reconnected" {
	ct_start_default
	create keep '{"Cmd":["sleep","1000"]}' >/dev/null
	start keep
	local pid
	pid=$(ctr_inspect keep .State.Pid)
	stop_berthd
	kill -0 "$pid" || fail "the container died with berthd"
	start_berthd
	assert_eq "$(ctr_state keep)" running
	assert_eq "$(ctr_inspect keep .State.Pid)" "$pid"
	# the reconnected shim still reports the exit
	api_status POST "/containers/keep/kill?signal=KILL"
	assert_eq "$STATUS" 204
	wait_ctr_status keep exited 10
	assert_eq "$(ctr_inspect keep .State.ExitCode)" 137
}

@test "faults: restart=always comes back after its shim died while berthd was down" {
	ct_start_default
	id=$(create always '{"Cmd":["sleep","1000"],"HostConfig":{"RestartPolicy":{"Name":"always"}}}')
	start always
	local pid shim
	pid=$(ctr_inspect always .State.Pid)
	shim=$(cat "$D/run/shims/default/$id/shim.pid")
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	kill -KILL "$shim" "$pid"
	# both gone (reaped, or zombies that hold nothing) before berthd looks
	dead() { [[ ! -e /proc/$1 || $(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) == Z ]]; }
	retry 100 0.1 dead "$shim"
	retry 100 0.1 dead "$pid"
	start_berthd
	wait_ctr_status always running 10
	[[ $(ctr_inspect always .State.Pid) != "$pid" ]] || fail "the same pid"
	assert_eq "$(ctr_inspect always .RestartCount)" 1
}

@test "faults: AutoRemove: the container goes after its exit; wait?condition=removed" {
	ct_start_default
	id=$(create gone '{"Cmd":["sh","-c","exit 5"],"HostConfig":{"AutoRemove":true}}')
	API_TIMEOUT=60 api -v -X POST "/containers/gone/wait?condition=removed" >"$D/wait.out" 2>"$D/wait.err" &
	local w=$!
	echo "$w" >>"$D/.pids"
	# the head is sent once the wait is registered (not a fixed sleep: it may be slow)
	retry 100 0.1 grep -q '^< HTTP/1.1 200' "$D/wait.err" || fail "no head for the wait"
	start gone
	wait "$w"
	assert_eq "$(jq -r .StatusCode "$D/wait.out")" 5
	api_status GET "/containers/gone/json"
	assert_eq "$STATUS" 404
	[[ ! -e $D/root/containers/$id ]] || fail "container dir left"
}

@test "faults: a live shim of a container berthd no longer knows is removed at start" {
	ct_start_default
	id=$(create orphan '{"Cmd":["sleep","1000"]}')
	start orphan
	local pid
	pid=$(ctr_inspect orphan .State.Pid)
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	# the container's records vanish while its shim lives on
	sqlite3 "$D/root/metadata.db" "DELETE FROM containers WHERE id = '$id'"
	rm -rf "${D:?}/root/containers/$id"
	start_berthd
	api_status GET "/containers/orphan/json"
	assert_eq "$STATUS" 404
	retry 50 0.1 bash -c "! kill -0 $pid 2>/dev/null" || fail "the orphan's process $pid lives"
	[[ ! -e $D/run/shims/default/$id ]] || fail "the orphan's shim dir is left"
	[[ -z $(ct_live_shims) ]] || fail "a shim is left"
	[[ -z $(mounts_under "$D/run") ]] || fail "mounts left: $(mounts_under "$D/run")"
}

@test "faults: berthd's start: always comes back even after a stop, unless-stopped does not" {
	ct_start_default
	create us '{"Cmd":["sleep","1000"],"HostConfig":{"RestartPolicy":{"Name":"unless-stopped"}}}' >/dev/null
	create al '{"Cmd":["sh","-c","exit 2"],"HostConfig":{"RestartPolicy":{"Name":"always"}}}' >/dev/null
	start us
	start al
	api_status POST "/containers/us/stop?t=1"
	assert_eq "$STATUS" 204
	# always keeps coming back (backoff), a stop ends it
	retry 100 0.1 restarts_over al 1
	api_status POST "/containers/al/stop?t=1"
	[[ $STATUS == 204 || $STATUS == 304 ]] || fail "stop al: $STATUS"
	wait_ctr_status al exited 5
	local n
	n=$(ctr_inspect al .RestartCount)
	restart_berthd_hard
	# dockerd's restore: "always" starts with the daemon, stopped by the user or not
	retry 50 0.1 restarts_over al "$n"
	sleep 1
	assert_eq "$(ctr_state us)" exited
}

@test "faults: an OOM kill: State.OOMKilled, exit 137, oom then die events" {
	ct_start_default
	create oom '{"Cmd":["dd","if=/dev/zero","of=/dev/null","bs=64M","count=1"],"HostConfig":{"Memory":16777216,"MemorySwap":16777216}}' >/dev/null
	start oom
	api_status POST "/containers/oom/wait"
	assert_eq "$(jq -r .StatusCode <<<"$BODY")" 137
	assert_eq "$(ctr_inspect oom .State.OOMKilled)" true
	local ev
	ev=$(api "/events?since=0&until=$(($(date +%s) + 1))&filters=%7B%22container%22%3A%5B%22oom%22%5D%7D" |
		jq -r .Action | tr '\n' ' ')
	assert_eq "$ev" "create start oom die "
}

@test "faults: a removal that berthd did not finish is finished at its start" {
	ct_start_default
	id=$(create half '{"Cmd":["sleep","1000"]}')
	start half
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	# as if berthd died in the middle of DELETE ?force=1
	local f=$D/root/containers/$id/config.v2.json
	jq -c '.State.Status = "removing"' "$f" >"$f.new" && mv "$f.new" "$f"
	start_berthd
	retry 50 0.1 bash -c "[[ \$(curl -s -o /dev/null -w '%{http_code}' --unix-socket $SOCK http://berth/containers/half/json) == 404 ]]" ||
		fail "the container is still there"
	[[ ! -e $D/root/containers/$id ]] || fail "container dir left"
	retry 50 0.1 bash -c "[[ ! -e $D/run/shims/default/$id ]]" || fail "shim dir left"
	[[ -z $(ct_live_shims) ]] || fail "a shim is left"
}
