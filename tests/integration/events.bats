#!/usr/bin/env bats
# The events stream (GET /events) end to end: image events (import, tag,
# untag, delete, save, load) and container events (create, start, die,
# destroy ...) seen live by `docker events` and `berth events`, replayed
# with --since, bounded with --until (the stream ends by itself), filtered
# (type, event, container, image, label); plus top and stats of a running
# container with a memory limit.

load containers-helpers

# events_bounded ARGS...: docker events --since S --until now+1 as JSON lines
# (the stream ends at until); S is $T0.
events_bounded() {
	local until=$(($(date +%s) + 1))
	dk events --since "$T0" --until "$until" --format '{{json .}}' "$@"
}

@test "events: image events replayed with --since/--until, ended by until, docker's shape" {
	start_berthd
	T0=$(date +%s)
	ensure_busybox
	local id
	id=$(dk image inspect -f '{{.Id}}' busybox:latest)
	dk tag busybox:latest busybox:evt
	dk rmi busybox:evt
	local start=$SECONDS
	run events_bounded
	echo "$output"
	[ "$status" -eq 0 ]
	# the stream ended by itself once until had passed (slack for a loaded machine)
	[ $((SECONDS - start)) -le 15 ]
	[ "${#lines[@]}" -eq 3 ]
	[ "$(jq -r '.Type + " " + .Action' <<<"${lines[0]}")" = "image import" ]
	[ "$(jq -r .Actor.ID <<<"${lines[0]}")" = "$id" ]
	[ "$(jq -r '.Action + " " + .Actor.Attributes.name' <<<"${lines[1]}")" = "tag busybox:evt" ]
	[ "$(jq -r '.Action + " " + .Actor.ID' <<<"${lines[2]}")" = "untag $id" ]
	# raw API: legacy fields, scope, times
	run api "/events?since=$T0&until=$(($(date +%s) + 1))"
	echo "$output"
	[ "$status" -eq 0 ]
	local l=${lines[1]}
	[ "$(jq -r .status <<<"$l")" = tag ]
	[ "$(jq -r .id <<<"$l")" = "$id" ]
	[ "$(jq -r .scope <<<"$l")" = local ]
	[ "$(jq -r '(.timeNano / 1000000000 | floor) == .time' <<<"$l")" = true ]
	[ "$(jq -r '.time >= '"$T0" <<<"$l")" = true ]
	[ "$(jq -r 'has("from")' <<<"$l")" = false ]
	# since in the future: what happens before it is not sent
	local now
	now=$(date +%s)
	# (since well ahead: the tag must happen before it even on a loaded machine)
	api "/events?since=$((now + 4))&until=$((now + 5))" >"$D/future" &
	sleep 0.5
	dk tag busybox:latest busybox:early
	[ "$(date +%s)" -lt $((now + 4)) ] || skip "the tag took until since: machine too slow"
	wait $!
	cat "$D/future"
	[ ! -s "$D/future" ]
}

@test "events: live stream sees events as they happen; filters by type, event and image" {
	ct_start_default
	T0=$(date +%s)
	dk events --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' >"$D/live.out" 2>&1 &
	local epid=$!
	echo "$epid" >>"$D/.pids"
	# the client is subscribed once it shows an event made after its GET /events
	# is in (berthd --debug logs a request as it routes it, a moment before the
	# subscription): a reload, a daemon event that the checks below leave out
	retry 100 0.1 grep -q 'api: GET [^ ]*/events' "$D/berthd.log"
	local i
	for ((i = 0; i < 20; i++)); do
		kill -HUP "$BPID"
		for _ in $(seq 20); do grep -q '^daemon reload' "$D/live.out" && break 2; sleep 0.1; done
	done
	grep -q '^daemon reload' "$D/live.out" || fail "no reload event in the live stream: $(cat "$D/live.out")"
	dk tag busybox:latest busybox:live
	retry 50 0.1 grep -q "image tag busybox:live" "$D/live.out"
	dk rmi busybox:live
	retry 50 0.1 grep -q "image untag" "$D/live.out"
	kill "$epid"
	wait "$epid" || true

	dk tag busybox:latest other:1
	dk tag busybox:latest busybox:2
	run events_bounded --filter event=tag
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	run events_bounded --filter event=tag --filter image=other
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .Actor.Attributes.name <<<"${lines[0]}")" = other:1 ]
	run events_bounded --filter type=container
	echo "$output"
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	# an unknown filter is a 400 with docker's message
	api_status GET "/events?filters=%7B%22bogus%22%3A%7B%22x%22%3Atrue%7D%7D"
	[ "$STATUS" = 400 ]
	[[ $BODY == *"Invalid filter 'bogus'"* ]]
	api_status GET "/events?since=abc"
	[ "$STATUS" = 400 ]
}

@test "events: save, load and prune of images; --until alone replays" {
	ct_start_default
	T0=$(date +%s)
	dk save -o "$D/bb.tar" busybox:latest
	dk load -i "$D/bb.tar"
	dk image prune -f
	run events_bounded --filter type=image
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'"Action":"save"'* ]]
	[[ $output == *'"Action":"load"'* ]]
	[[ $output == *'"Action":"prune"'*'"reclaimed":'* ]]
	# only --until: what the daemon still holds from before, then the end
	run api "/events?until=$(($(date +%s) + 1))&filters=%7B%22event%22%3A%5B%22save%22%5D%7D"
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .Action <<<"$output")" = save ]
}

@test "events: container events of a created container (create, cp, destroy) and filters" {
	ct_start_default
	T0=$(date +%s)
	local id
	id=$(dk create --name evc -l team=blue busybox true)
	dk create --name other -l team=red busybox true >/dev/null
	echo x >"$D/x"
	dk cp "$D/x" evc:/tmp/x
	dk cp evc:/tmp/x "$D/x.back"
	dk rm evc
	run events_bounded --filter container=evc
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .Action <<<"$output" | tr '\n' ' ')" = "create extract-to-dir archive-path destroy " ]
	local l=${lines[0]}
	[ "$(jq -r .id <<<"$l")" = "$id" ]
	[ "$(jq -r .from <<<"$l")" = busybox ]
	[ "$(jq -r .Actor.Attributes.name <<<"$l")" = evc ]
	[ "$(jq -r .Actor.Attributes.image <<<"$l")" = busybox ]
	[ "$(jq -r .Actor.Attributes.team <<<"$l")" = blue ]
	# by ID prefix, by label, by event, and the image filter matching containers
	run events_bounded --filter "container=${id:0:12}" --filter event=create
	[ "${#lines[@]}" -eq 1 ]
	run events_bounded --filter type=container --filter label=team=red
	echo "$output"
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .Actor.Attributes.name <<<"$output")" = other ]
	run events_bounded --filter type=container --filter label=team
	[ "${#lines[@]}" -ge 5 ]
	run events_bounded --filter type=container --filter image=busybox --filter event=create
	[ "${#lines[@]}" -eq 2 ]
	# berth events: the same bounded stream
	run b events --since "$T0" --until "$(($(date +%s) + 1))" --filter container=other
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"container create"*"name=other"* ]]
}

@test "events: a container run end to end (create, start, die with exitCode, destroy)" {
	ct_start_default
	T0=$(date +%s)
	timeout 60 "$DOCKER" run --rm --name runev busybox sh -c 'exit 3' || true
	run events_bounded --filter container=runev
	echo "$output"
	[ "$status" -eq 0 ]
	local acts
	acts=$(jq -r .Action <<<"$output" | tr '\n' ' ')
	[[ $acts == "create "*"start "*"die "*"destroy " ]]
	[ "$(jq -r 'select(.Action == "die") | .Actor.Attributes.exitCode' <<<"$output")" = 3 ]
}

@test "top and stats: a running container with a memory limit" {
	ct_start_default
	timeout 60 "$DOCKER" run -d -m 64m --name top1 busybox sleep 300
	local pid
	pid=$(ctr_inspect top1 .State.Pid)
	run dk top top1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "UID"*"PID"*"PPID"*"C"*"STIME"*"TTY"*"TIME"*"CMD" ]]
	[[ ${lines[1]} == *"sleep 300" ]]
	[ "${#lines[@]}" -eq 2 ]
	run api /containers/top1/top
	[ "$(jq -r '.Processes[0][1]' <<<"$output")" = "$pid" ]
	[ "$(jq -r '.Titles | length' <<<"$output")" = 8 ]
	run api "/containers/top1/top?ps_args=-o%20pid,comm"
	echo "$output"
	[ "$(jq -c '.Titles' <<<"$output")" = '["PID","COMMAND"]' ]
	[ "$(jq -r '.Processes[0][1]' <<<"$output")" = sleep ]

	# one object (stream=0): two samples a second apart
	run api "/containers/top1/stats?stream=0"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(jq -r .memory_stats.limit <<<"$output")" = 67108864 ]
	[ "$(jq -r '.memory_stats.usage > 0' <<<"$output")" = true ]
	[ "$(jq -r '.pids_stats.current' <<<"$output")" = 1 ]
	[ "$(jq -r '.cpu_stats.online_cpus >= 1' <<<"$output")" = true ]
	[ "$(jq -r '.cpu_stats.system_cpu_usage > .precpu_stats.system_cpu_usage' <<<"$output")" = true ]
	[ "$(jq -r .preread <<<"$output")" != "0001-01-01T00:00:00Z" ]
	[ "$(jq -r .name <<<"$output")" = /top1 ]
	[ "$(jq -r 'has("networks")' <<<"$output")" = false ]
	# one-shot: no previous sample
	run api "/containers/top1/stats?stream=0&one-shot=1"
	[ "$(jq -r .preread <<<"$output")" = "0001-01-01T00:00:00Z" ]
	[ "$(jq -r .precpu_stats.cpu_usage.total_usage <<<"$output")" = 0 ]
	# stream: an object a second, each with the previous as precpu
	API_TIMEOUT=4.5 api "/containers/top1/stats?stream=1" >"$D/stream" || true
	cat "$D/stream"
	[ "$(wc -l <"$D/stream")" -ge 2 ]
	[ "$(sed -n 1p "$D/stream" | jq -r .read)" = "$(sed -n 2p "$D/stream" | jq -r .preread)" ]
	# the docker CLI
	run dk stats --no-stream --format '{{.Name}} {{.MemUsage}} {{.PIDs}}' top1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == "top1 "*" / 64MiB 1" ]]
	# the berth CLI
	run b top top1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[1]} == *"sleep 300" ]]
	run b stats --no-stream top1
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "CONTAINER ID"*"MEM USAGE / LIMIT"* ]]
	[[ ${lines[1]} == *" / 64MiB "* ]]
	# not running: top is a 409
	timeout 60 "$DOCKER" stop -t 1 top1
	api_status GET /containers/top1/top
	[ "$STATUS" = 409 ]
	[[ $BODY == *"is not running"* ]]
	# stats of a stopped container: dockerd's zero object, at once
	run api "/containers/top1/stats?stream=0"
	echo "$output"
	[ "$(jq -r .read <<<"$output")" = "0001-01-01T00:00:00Z" ]
	[ "$(jq -c .memory_stats <<<"$output")" = "{}" ]
	[ "$(jq -r .blkio_stats.io_service_bytes_recursive <<<"$output")" = null ]
	[ "$(jq -r .id <<<"$output")" = "$(ctr_id top1)" ]
}

@test "events: a reload (SIGHUP) is a daemon event" {
	start_berthd
	T0=$(date +%s)
	local id
	id=$(api /info | jq -r .ID)
	kill -HUP "$BPID"
	retry 50 0.1 grep -q 'reload' "$D/berthd.log"
	sleep 0.2
	run events_bounded --filter type=daemon
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$(jq -r .Action <<<"$output")" = reload ]
	[ "$(jq -r .Actor.ID <<<"$output")" = "$id" ]
	[ "$(jq -r .Actor.Attributes.name <<<"$output")" = "$(hostname)" ]
	[ "$(jq -r 'has("status")' <<<"$output")" = false ]
	run events_bounded --filter "daemon=$id"
	[ "${#lines[@]}" -eq 1 ]
	run events_bounded --filter type=container
	[ -z "$output" ]
}
