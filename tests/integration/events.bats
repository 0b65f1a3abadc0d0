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
	# the stream ended by itself once until had passed
	[ $((SECONDS - start)) -le 4 ]
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
}

@test "events: live stream sees events as they happen; filters by type, event and image" {
	ct_start_default
	T0=$(date +%s)
	dk events --format '{{.Type}} {{.Action}} {{.Actor.Attributes.name}}' >"$D/live.out" 2>&1 &
	local epid=$!
	echo "$epid" >>"$D/.pids"
	# the client is subscribed once its GET /events is in: give it a moment
	sleep 1
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

@test "events: save and load of an image" {
	ct_start_default
	T0=$(date +%s)
	dk save -o "$D/bb.tar" busybox:latest
	dk load -i "$D/bb.tar"
	run events_bounded --filter type=image
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *'"Action":"save"'* ]]
	[[ $output == *'"Action":"load"'* ]]
}
