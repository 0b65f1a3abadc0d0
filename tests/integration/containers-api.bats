#!/usr/bin/env bats
# Container endpoints of the Docker API (issue 5) through curl and the real
# docker CLI: create/start/stop/kill/restart/pause/unpause/wait, rm,
# list filters, inspect, rename, update, prune, and the 400/404/409 cases,
# with the exact bytes of the recorded transcripts where they matter
# (../shared/docker-api/transcripts). The harness: containers-helpers.bash.

load containers-helpers
bats_require_minimum_version 1.5.0

setup() {
	ct_setup
	ct_start_default
}

@test "containers-api: the harness starts berthd with a local busybox image" {
	run dk images --format '{{.Repository}}:{{.Tag}}'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *busybox:latest* ]]
	run dk image inspect -f '{{json .Config.Cmd}}' busybox
	[ "$output" = '["sh"]' ]
}

@test "containers-api: create replies 201 {Id, Warnings: []}; inspect of a created container" {
	api_status POST "/containers/create?name=c1" '{"Image":"busybox","Cmd":["echo","hi"],"Labels":{"app":"demo"}}'
	[ "$STATUS" = 201 ]
	[[ $BODY =~ ^\{\"Id\":\"[0-9a-f]{64}\",\"Warnings\":\[\]\}$ ]]
	id=$(jq -r .Id <<<"$BODY")
	run api "/containers/c1/json"
	echo "$output" | jq . >&2
	j=$output
	[ "$(jq -r .Id <<<"$j")" = "$id" ]
	[ "$(jq -r .Name <<<"$j")" = /c1 ]
	[ "$(jq -r .Path <<<"$j")" = echo ]
	[ "$(jq -c .Args <<<"$j")" = '["hi"]' ]
	[ "$(jq -c .State <<<"$j")" = '{"Status":"created","Running":false,"Paused":false,"Restarting":false,"OOMKilled":false,"Dead":false,"Pid":0,"ExitCode":0,"Error":"","StartedAt":"0001-01-01T00:00:00Z","FinishedAt":"0001-01-01T00:00:00Z"}' ]
	[[ $(jq -r .Image <<<"$j") =~ ^sha256:[0-9a-f]{64}$ ]]
	[ "$(jq -r .Image <<<"$j")" = "$(dk image inspect -f '{{.Id}}' busybox)" ]
	[[ $(jq -r .Created <<<"$j") =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}(\.[0-9]+)?Z$ ]]
	[ "$(jq -r .Config.Image <<<"$j")" = busybox ]
	[ "$(jq -r .Config.Labels.app <<<"$j")" = demo ]
	[ "$(jq -r .Platform <<<"$j")" = linux ]
	[ "$(jq -r .RestartCount <<<"$j")" = 0 ]
	[ "$(jq -r .ResolvConfPath <<<"$j")" = "$D/root/containers/$id/resolv.conf" ]
	[ "$(jq -r .HostnamePath <<<"$j")" = "$D/root/containers/$id/hostname" ]
	[ "$(jq -r .HostsPath <<<"$j")" = "$D/root/containers/$id/hosts" ]
	[ "$(jq -r .LogPath <<<"$j")" = "$D/root/containers/$id/$id-json.log" ]
	[ -n "$(jq -r .Driver <<<"$j")" ]
	[ "$(jq -r .Driver <<<"$j")" = "$(jq -r .GraphDriver.Name <<<"$j")" ]
	jq -e '.HostConfig | type == "object"' <<<"$j"
	jq -e '.HostConfig.RestartPolicy.Name == "no"' <<<"$j"
	jq -e '.NetworkSettings.Networks | type == "object"' <<<"$j"
	jq -e '.Mounts == [] and .ExecIDs == null and .MountLabel == "" and .AppArmorProfile == ""' <<<"$j"
	jq -e '.Berth | type == "object"' <<<"$j"
	# docker's keys in docker's order, berth's stack view last
	[ "$(jq -c keys_unsorted <<<"$j")" = '["Id","Created","Path","Args","State","Image","ResolvConfPath","HostnamePath","HostsPath","LogPath","Name","RestartCount","Driver","Platform","MountLabel","ProcessLabel","AppArmorProfile","ExecIDs","HostConfig","GraphDriver","Mounts","Config","NetworkSettings","Berth"]' ]
	[ "$(jq -c '.NetworkSettings | keys_unsorted' <<<"$j")" = '["Bridge","SandboxID","HairpinMode","LinkLocalIPv6Address","LinkLocalIPv6PrefixLen","Ports","SandboxKey","SecondaryIPAddresses","SecondaryIPv6Addresses","EndpointID","Gateway","GlobalIPv6Address","GlobalIPv6PrefixLen","IPAddress","IPPrefixLen","IPv6Gateway","MacAddress","Networks"]' ]
	# by id prefix
	[ "$(api "/containers/${id:0:12}/json" | jq -r .Id)" = "$id" ]
	# ?size=1
	api "/containers/c1/json?size=1" | jq -e '(.SizeRw | type == "number") and .SizeRootFs > 0'
}

@test "containers-api: create: 400 for bad bodies naming the field, 404 missing image, 409 name in use" {
	api_status POST /containers/create ''
	[ "$STATUS" = 400 ]
	api_status POST /containers/create '{"Image":'
	[ "$STATUS" = 400 ]
	jq -e '.message | length > 0' <<<"$BODY"
	api_status POST /containers/create '[1]'
	[ "$STATUS" = 400 ]
	api_status POST /containers/create '{"Image":"busybox","Cmd":[1,2]}'
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == *Cmd* ]]
	api_status POST /containers/create '{"Image":"busybox","HostConfig":{"Memory":"lots"}}'
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == *HostConfig.Memory* ]]
	api_status POST /containers/create '{"Image":"busybox","Env":"A=1"}'
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == *Env* ]]
	api_status POST "/containers/create?name=-bad" '{"Image":"busybox"}'
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == "Invalid container name (-bad), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed" ]]
	# a missing image is the 404 the docker CLI pulls on
	api_status POST /containers/create '{"Image":"nosuch:1"}'
	[ "$STATUS" = 404 ]
	[[ $(jq -r .message <<<"$BODY") == "No such image: nosuch:1"* ]]
	id=$(mk dup)
	api_status POST "/containers/create?name=dup" '{"Image":"busybox"}'
	[ "$STATUS" = 409 ]
	[ "$(jq -r .message <<<"$BODY")" = "Conflict. The container name \"/dup\" is already in use by container \"$id\". You have to remove (or rename) that container to be able to reuse that name." ]
	# nothing was left by the failures: one container
	[ "$(api '/containers/json?all=1' | jq length)" = 1 ]
}

@test "containers-api: start 204 then 304; stop 204 then 304; State of a running and a stopped container" {
	id=$(mk s1 '["sh","-c","trap \"exit 3\" TERM; while :; do sleep 0.1; done"]')
	api_status POST /containers/s1/start
	[ "$STATUS" = 204 ]
	[ -z "$BODY" ]
	api_status POST /containers/s1/start
	[ "$STATUS" = 304 ]
	# the stop's TERM must find the trap set (pid 1 drops it otherwise)
	wait_sig_caught s1 15
	j=$(api /containers/s1/json)
	jq -e '.State.Status == "running" and .State.Running and .State.Pid > 0' <<<"$j"
	[ "$(jq -r .State.StartedAt <<<"$j")" != "0001-01-01T00:00:00Z" ]
	[ "$(jq -r .State.FinishedAt <<<"$j")" = "0001-01-01T00:00:00Z" ]
	pid=$(jq -r .State.Pid <<<"$j")
	[ -d "/proc/$pid" ]
	# berth's stack view of a running container
	jq -e '.Berth.ShimPid > 0 and .Berth.TaskPid == .State.Pid' <<<"$j"
	api_status POST "/containers/s1/stop?t=5"
	[ "$STATUS" = 204 ]
	j=$(api /containers/s1/json)
	jq -e '.State.Status == "exited" and (.State.Running | not) and .State.Pid == 0 and .State.ExitCode == 3' <<<"$j"
	[ "$(jq -r .State.FinishedAt <<<"$j")" != "0001-01-01T00:00:00Z" ]
	[ ! -d "/proc/$pid" ] || [ "$(awk '{print $3}' "/proc/$pid/stat")" = Z ]
	api_status POST /containers/s1/stop
	[ "$STATUS" = 304 ]
	# a stopped container starts again
	api_status POST /containers/s1/start
	[ "$STATUS" = 204 ]
	wait_ctr_status s1 running
	api_status POST /containers/s1/start '{"HostConfig":{"Privileged":true}}'
	[ "$STATUS" = 400 ]
	api_status POST /containers/nosuch/start
	[ "$STATUS" = 404 ]
	[ "$BODY" = '{"message":"No such container: nosuch"}' ]
}

@test "containers-api: stop of a container that ignores SIGTERM: SIGKILL after ?t" {
	run_ctr ign '["sh","-c","trap \"\" TERM; while :; do sleep 0.1; done"]' >/dev/null
	start=$(date +%s%N)
	api_status POST "/containers/ign/stop?t=1"
	[ "$STATUS" = 204 ]
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "stop took ${ms} ms" >&2
	# at least ?t, well below the default 10 s (slack for a loaded machine)
	[ "$ms" -ge 900 ] && [ "$ms" -lt 9000 ]
	[ "$(ctr_inspect ign .State.ExitCode)" = 137 ]
	# ?signal: the given signal instead of StopSignal
	run_ctr sig '["sh","-c","trap \"exit 5\" USR1; while :; do sleep 0.1; done"]' >/dev/null
	wait_sig_caught sig 10
	api_status POST "/containers/sig/stop?signal=USR1&t=10"
	[ "$STATUS" = 204 ]
	[ "$(ctr_inspect sig .State.ExitCode)" = 5 ]
	api_status POST "/containers/sig/stop?t=abc"
	[ "$STATUS" = 400 ]
}

@test "containers-api: kill: default SIGKILL, ?signal by name and number, 400 bad signal, 409 not running" {
	run_ctr k1 '["sh","-c","trap \"exit 7\" USR1; trap \"exit 8\" HUP; while :; do sleep 0.1; done"]' >/dev/null
	wait_sig_caught k1 10
	api_status POST "/containers/k1/kill?signal=USR1"
	[ "$STATUS" = 204 ]
	wait_ctr_status k1 exited
	[ "$(ctr_inspect k1 .State.ExitCode)" = 7 ]
	api_status POST /containers/k1/start
	[ "$STATUS" = 204 ]
	wait_ctr_status k1 running
	wait_sig_caught k1 1
	api_status POST "/containers/k1/kill?signal=1"
	[ "$STATUS" = 204 ]
	wait_ctr_status k1 exited
	[ "$(ctr_inspect k1 .State.ExitCode)" = 8 ]
	api_status POST /containers/k1/start
	wait_ctr_status k1 running
	api_status POST "/containers/k1/kill?signal=NOPE"
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == *NOPE* ]]
	api_status POST /containers/k1/kill
	[ "$STATUS" = 204 ]
	wait_ctr_status k1 exited
	[ "$(ctr_inspect k1 .State.ExitCode)" = 137 ]
	api_status POST /containers/k1/kill
	[ "$STATUS" = 409 ]
	[[ $(jq -r .message <<<"$BODY") == *"is not running"* ]]
	api_status POST /containers/nosuch/kill
	[ "$STATUS" = 404 ]
}

@test "containers-api: restart: a new process, StartedAt moves on" {
	run_ctr r1 >/dev/null
	pid1=$(ctr_inspect r1 .State.Pid)
	t1=$(ctr_inspect r1 .State.StartedAt)
	api_status POST "/containers/r1/restart?t=1"
	[ "$STATUS" = 204 ]
	wait_ctr_status r1 running
	pid2=$(ctr_inspect r1 .State.Pid)
	t2=$(ctr_inspect r1 .State.StartedAt)
	[ "$pid1" != "$pid2" ]
	[[ $t2 > $t1 ]]
	# a created container: restart starts it
	mk r2 >/dev/null
	api_status POST "/containers/r2/restart?t=1"
	[ "$STATUS" = 204 ]
	wait_ctr_status r2 running
}

@test "containers-api: pause and unpause: 204, State.Paused, ps Status '(Paused)', 409 when not running" {
	run_ctr p1 >/dev/null
	api_status POST /containers/p1/pause
	[ "$STATUS" = 204 ]
	j=$(api /containers/p1/json)
	jq -e '.State.Status == "paused" and .State.Paused and .State.Running' <<<"$j"
	api '/containers/json' | jq -e '.[0].State == "paused" and (.[0].Status | test("^Up .* \\(Paused\\)$"))'
	api_status POST /containers/p1/pause
	[ "$STATUS" = 409 ]
	api_status POST /containers/p1/unpause
	[ "$STATUS" = 204 ]
	wait_ctr_status p1 running
	[ "$(ctr_inspect p1 .State.Paused)" = false ]
	api_status POST /containers/p1/unpause
	[ "$STATUS" = 409 ]
	mk p2 >/dev/null
	api_status POST /containers/p2/pause
	[ "$STATUS" = 409 ]
}

@test "containers-api: wait: the head at once, {\"Error\":null,\"StatusCode\":n} at the exit; conditions" {
	run_ctr w1 >/dev/null
	# curl -v: the head on stderr as it arrives (stdout is buffered)
	curl -s -v -N --max-time 30 --unix-socket "$SOCK" -X POST \
		"http://berth/v1.41/containers/w1/wait?condition=not-running" >"$D/wait.out" 2>"$D/wait.err" &
	cpid=$!
	echo "$cpid" >>"$D/.pids"
	# the 200 head goes out before the container exits
	retry 50 0.1 grep -q '^< HTTP/1.1 200' "$D/wait.err"
	grep -qi '^< Content-Type: application/json' "$D/wait.err"
	grep -qi '^< Transfer-Encoding: chunked' "$D/wait.err"
	sleep 0.3
	[ ! -s "$D/wait.out" ]
	api_status POST "/containers/w1/kill?signal=KILL"
	wait "$cpid"
	# exactly docker's bytes
	[ "$(od -An -c "$D/wait.out" | tr -s ' \n' ' ')" = "$(printf '{"Error":null,"StatusCode":137}\n' | od -An -c | tr -s ' \n' ' ')" ]
	# not-running of an exited container: at once
	run api -X POST "/containers/w1/wait"
	[ "$output" = '{"Error":null,"StatusCode":137}' ]
	# next-exit waits for the next run's exit
	api -v -X POST "/containers/w1/wait?condition=next-exit" >"$D/next.out" 2>"$D/next.err" &
	npid=$!
	echo "$npid" >>"$D/.pids"
	# registered once its head is out (a loaded machine may take longer than any sleep)
	retry 50 0.1 grep -q '^< HTTP/1.1 200' "$D/next.err"
	sleep 0.3
	[ ! -s "$D/next.out" ]
	run_ctr w2 '["sh","-c","exit 3"]' >/dev/null
	api_status POST /containers/w1/start
	wait_ctr_status w1 running
	sleep 0.3
	[ ! -s "$D/next.out" ]
	api_status POST "/containers/w1/kill?signal=KILL"
	wait "$npid"
	[ "$(cat "$D/next.out")" = '{"Error":null,"StatusCode":137}' ]
	# removed: answers once the container is gone (w2 has exited: DELETE without force)
	wait_ctr_status w2 exited
	api -v -X POST "/containers/w2/wait?condition=removed" >"$D/rm.out" 2>"$D/rm.err" &
	rpid=$!
	echo "$rpid" >>"$D/.pids"
	retry 50 0.1 grep -q '^< HTTP/1.1 200' "$D/rm.err"
	sleep 0.3
	[ ! -s "$D/rm.out" ]
	api_status DELETE /containers/w2
	[ "$STATUS" = 204 ]
	wait "$rpid"
	[ "$(cat "$D/rm.out")" = '{"Error":null,"StatusCode":3}' ]
	api_status POST "/containers/w1/wait?condition=bogus"
	[ "$STATUS" = 400 ]
	api_status POST /containers/nosuch/wait
	[ "$STATUS" = 404 ]
	[ "$BODY" = '{"message":"No such container: nosuch"}' ]
}

@test "containers-api: DELETE: 409 running, force, 404 after, docker's rm_missing bytes" {
	id=$(run_ctr d1)
	api_status DELETE /containers/d1
	[ "$STATUS" = 409 ]
	[[ $(jq -r .message <<<"$BODY") == "You cannot remove a running container $id. Stop the container before attempting removal or force remove" ]]
	api_status DELETE "/containers/d1?force=1&v=1"
	[ "$STATUS" = 204 ]
	api_status GET /containers/d1/json
	[ "$STATUS" = 404 ]
	[ "$BODY" = '{"message":"No such container: d1"}' ]
	run curl -s -i --unix-socket "$SOCK" -X DELETE http://berth/v1.41/containers/nosuchcontainer
	[[ $output == "HTTP/1.1 404 Not Found"* ]]
	[[ $output == *$'\r\n\r\n{"message":"No such container: nosuchcontainer"}\n'* ]] ||
		[[ $output == *'{"message":"No such container: nosuchcontainer"}' ]]
	# nothing of d1 is left on disk
	[ ! -e "$D/root/containers/$id" ]
	[ -z "$(find "$D/run" -path "*$id*" 2>/dev/null)" ]
	# a stopped one without force
	mk d2 >/dev/null
	api_status DELETE "/containers/d2?force=False&v=False&link=False"
	[ "$STATUS" = 204 ]
}

@test "containers-api: GET /containers/json: docker's shape, all, limit, Status words" {
	c1=$(mk created1 '["true"]' '{"Labels":{"tier":"db"}}')
	e1=$(run_ctr exited0 '["true"]')
	wait_ctr_status exited0 exited
	r1=$(run_ctr running1)
	run api /containers/json
	echo "$output" | jq . >&2
	[ "$(jq length <<<"$output")" = 1 ]
	e=$(jq '.[0]' <<<"$output")
	[ "$(jq -r .Id <<<"$e")" = "$r1" ]
	[ "$(jq -c .Names <<<"$e")" = '["/running1"]' ]
	[ "$(jq -r .Image <<<"$e")" = busybox ]
	[[ $(jq -r .ImageID <<<"$e") =~ ^sha256: ]]
	[ "$(jq -r .Command <<<"$e")" = "sleep 1000" ]
	[ "$(jq -r .State <<<"$e")" = running ]
	[[ $(jq -r .Status <<<"$e") =~ ^Up\ (Less\ than\ a\ second|[0-9]+\ seconds?)$ ]]
	jq -e '(.Created | type == "number") and .Ports == [] and .Labels == {} and .Mounts == []' <<<"$e"
	jq -e '.HostConfig.NetworkMode | type == "string"' <<<"$e"
	jq -e '.NetworkSettings.Networks | type == "object"' <<<"$e"
	jq -e 'has("SizeRw") | not' <<<"$e"
	# keys in docker's order
	[ "$(jq -c 'keys_unsorted' <<<"$e")" = '["Id","Names","Image","ImageID","Command","Created","Ports","Labels","State","Status","HostConfig","NetworkSettings","Mounts"]' ]
	run api '/containers/json?all=1'
	[ "$(jq -r '[.[].Id] | join(" ")' <<<"$output")" = "$r1 $e1 $c1" ]
	[[ $(jq -r '.[1].Status' <<<"$output") =~ ^Exited\ \(0\)\ .*\ ago$ ]]
	[ "$(jq -r '.[2].Status' <<<"$output")" = Created ]
	[ "$(jq -r '.[2].State' <<<"$output")" = created ]
	[ "$(jq -c '.[2].Labels' <<<"$output")" = '{"tier":"db"}' ]
	run api '/containers/json?limit=2'
	[ "$(jq -r '[.[].Id] | join(" ")' <<<"$output")" = "$r1 $e1" ]
	run api '/containers/json?all=1&size=1'
	# dockerd leaves out a SizeRw of 0
	jq -e 'all(.[]; ((.SizeRw // 0) | type == "number") and (.SizeRootFs > 0))' <<<"$output"
	api_status GET '/containers/json?limit=abc'
	[ "$STATUS" = 400 ]
}

@test "containers-api: GET /containers/json filters: status, name, id, label, ancestor, exited, before, since" {
	c1=$(mk f-created '["true"]' '{"Labels":{"tier":"db","x":"1"}}')
	e0=$(run_ctr f-exit0 '["true"]')
	e3=$(run_ctr f-exit3 '["sh","-c","exit 3"]')
	r1=$(run_ctr f-run '["sleep","1000"]' '{"Labels":{"tier":"web"}}')
	wait_ctr_status f-exit0 exited
	wait_ctr_status f-exit3 exited
	ids() { api "/containers/json?$1" | jq -r '[.[].Id] | join(" ")'; }
	q() { jq -rn --arg s "$1" '$s|@uri'; }
	[ "$(ids "filters=$(q '{"status":{"exited":true}}')")" = "$e3 $e0" ]
	[ "$(ids "filters=$(q '{"status":["created","running"]}')")" = "$r1 $c1" ]
	[ "$(ids "all=1&filters=$(q '{"name":{"f-exit":true}}')")" = "$e3 $e0" ]
	[ "$(ids "all=1&filters=$(q '{"name":{"^/f-run$":true}}')")" = "$r1" ]
	[ "$(ids "all=1&filters=$(q "{\"id\":[\"${e3:0:10}\"]}")")" = "$e3" ]
	[ "$(ids "all=1&filters=$(q '{"label":["tier"]}')")" = "$r1 $c1" ]
	[ "$(ids "all=1&filters=$(q '{"label":["tier=db"]}')")" = "$c1" ]
	[ "$(ids "all=1&filters=$(q '{"label":["tier=db","x=2"]}')")" = "" ]
	[ "$(ids "all=1&filters=$(q '{"exited":["3"]}')")" = "$e3" ]
	[ "$(ids "all=1&filters=$(q '{"exited":["0"]}')")" = "$e0" ]
	[ "$(ids "all=1&filters=$(q '{"ancestor":["busybox"]}')" | wc -w)" = 4 ]
	[ "$(ids "all=1&filters=$(q '{"ancestor":["busybox:latest"]}')" | wc -w)" = 4 ]
	imgid=$(dk image inspect -f '{{.Id}}' busybox)
	[ "$(ids "all=1&filters=$(q "{\"ancestor\":[\"$imgid\"]}")" | wc -w)" = 4 ]
	[ "$(ids "all=1&filters=$(q '{"ancestor":["other:1"]}')")" = "" ]
	[ "$(ids "filters=$(q '{"before":["f-exit3"]}')")" = "$e0 $c1" ]
	[ "$(ids "filters=$(q '{"since":["f-exit0"]}')")" = "$r1 $e3" ]
	# without all: running ones only
	[ "$(ids "filters=$(q '{"label":["tier"]}')")" = "$r1" ]
	for bad in '{"status":["sleeping"]}' '{"bogus":["1"]}' '{"exited":["x"]}' 'notjson'; do
		api_status GET "/containers/json?filters=$(q "$bad")"
		[ "$STATUS" = 400 ]
	done
	api_status GET "/containers/json?filters=$(q '{"before":["nosuch"]}')"
	[ "$STATUS" = 404 ]
}

@test "containers-api: rename: 204, the old name is gone, 409 taken, 400 invalid or empty" {
	id=$(mk old)
	mk other >/dev/null
	api_status POST "/containers/old/rename?name=new"
	[ "$STATUS" = 204 ]
	[ "$(ctr_inspect new .Id)" = "$id" ]
	[ "$(ctr_inspect new .Name)" = /new ]
	api_status GET /containers/old/json
	[ "$STATUS" = 404 ]
	api_status POST "/containers/new/rename?name=other"
	[ "$STATUS" = 409 ]
	api_status POST "/containers/new/rename?name=b%20d"
	[ "$STATUS" = 400 ]
	api_status POST "/containers/new/rename"
	[ "$STATUS" = 400 ]
	api_status POST "/containers/nosuch/rename?name=x2"
	[ "$STATUS" = 404 ]
	# the old name is free again
	mk old >/dev/null
}

@test "containers-api: update: {\"Warnings\":[]}, the new values in inspect, 400 for bad bodies" {
	run_ctr u1 >/dev/null
	api_status POST /containers/u1/update '{"Memory":67108864,"MemorySwap":134217728,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":3}}'
	[ "$STATUS" = 200 ]
	[ "$BODY" = '{"Warnings":[]}' ]
	j=$(api /containers/u1/json)
	jq -e '.HostConfig.Memory == 67108864 and .HostConfig.RestartPolicy.Name == "on-failure"' <<<"$j"
	api_status POST /containers/u1/update '{"Memory":"64m"}'
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == *Memory* ]]
	api_status POST /containers/u1/update 'nope'
	[ "$STATUS" = 400 ]
	api_status POST /containers/nosuch/update '{}'
	[ "$STATUS" = 404 ]
}

@test "containers-api: prune: stopped containers go, running stay; label filter; null when none" {
	c1=$(mk pr-created '["true"]' '{"Labels":{"keep":"1"}}')
	e1=$(run_ctr pr-exited '["true"]')
	r1=$(run_ctr pr-running)
	wait_ctr_status pr-exited exited
	q() { jq -rn --arg s "$1" '$s|@uri'; }
	api_status POST "/containers/prune?filters=$(q '{"label!":["keep"]}')"
	[ "$STATUS" = 200 ]
	[ "$(jq -c .ContainersDeleted <<<"$BODY")" = "[\"$e1\"]" ]
	jq -e '.SpaceReclaimed | type == "number"' <<<"$BODY"
	api_status POST /containers/prune
	[ "$(jq -c .ContainersDeleted <<<"$BODY")" = "[\"$c1\"]" ]
	api_status POST /containers/prune
	[ "$BODY" = '{"ContainersDeleted":null,"SpaceReclaimed":0}' ]
	[ "$(api '/containers/json?all=1' | jq -r '.[].Id')" = "$r1" ]
	api_status POST "/containers/prune?filters=$(q '{"status":["exited"]}')"
	[ "$STATUS" = 400 ]
	api_status POST "/containers/prune?filters=$(q '{"until":["soon"]}')"
	[ "$STATUS" = 400 ]
	# until: created before a time
	mk pr-old '["true"]' >/dev/null
	api_status POST "/containers/prune?filters=$(q '{"until":["1h"]}')"
	[ "$BODY" = '{"ContainersDeleted":null,"SpaceReclaimed":0}' ]
	api_status POST "/containers/prune?filters=$(q "{\"until\":[\"$(($(date +%s) + 5))\"]}")"
	[ "$(jq '.ContainersDeleted | length' <<<"$BODY")" = 1 ]
}

@test "containers-api: the docker CLI: run -d, ps, inspect, stop, start, restart, pause, kill, wait, rm" {
	run dk run -d --name web busybox sleep 1000
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	id=$output
	run dk ps --format '{{.Names}} {{.Image}} {{.Command}} {{.Status}}'
	echo "$output"
	[[ $output =~ ^web\ busybox\ \"sleep\ 1000\"\ Up\  ]]
	run dk ps -q
	[ "$output" = "${id:0:12}" ]
	[ "$(dk inspect -f '{{.State.Status}} {{.Name}} {{.Config.Image}}' web)" = "running /web busybox" ]
	run dk pause web
	[ "$status" -eq 0 ]
	[[ $(dk ps --format '{{.Status}}') == *"(Paused)" ]]
	run dk unpause web
	[ "$status" -eq 0 ]
	run dk stop -t 1 web
	[ "$status" -eq 0 ]
	[ "$output" = web ]
	[ "$(dk inspect -f '{{.State.Status}} {{.State.ExitCode}}' web)" = "exited 137" ]
	run dk ps -a --filter status=exited --format '{{.Names}} {{.Status}}'
	[[ $output =~ ^web\ Exited\ \(137\)\ .*ago$ ]]
	run dk start web
	[ "$status" -eq 0 ]
	run dk restart -t 1 web
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.State.Running}}' web)" = true ]
	run dk kill web
	[ "$status" -eq 0 ]
	run dk wait web
	[ "$output" = 137 ]
	run dk run -d --name waiter busybox sh -c 'sleep 0.5; exit 7'
	[ "$status" -eq 0 ]
	run dk wait waiter
	[ "$output" = 7 ]
	run dk rm web waiter
	[ "$status" -eq 0 ]
	run dk rm nosuchcontainer
	[ "$status" -ne 0 ]
	[[ $output == *"No such container: nosuchcontainer"* ]]
	[ "$(api '/containers/json?all=1' | jq length)" = 0 ]
}

@test "containers-api: the docker CLI: create, rename, update, rm -f, container prune, ps filters" {
	run dk create --name c1 -l app=demo busybox true
	[ "$status" -eq 0 ]
	run dk create --name c1 busybox true
	[ "$status" -ne 0 ]
	[[ $output == *'Conflict. The container name "/c1" is already in use'* ]]
	run dk rename c1 c2
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.Name}}' c2)" = /c2 ]
	run dk run -d --name upd busybox sleep 1000
	run dk update -m 64m --memory-swap 128m upd
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$(dk inspect -f '{{.HostConfig.Memory}}' upd)" = 67108864 ]
	run dk ps -a --filter label=app=demo --format '{{.Names}}'
	[ "$output" = c2 ]
	run dk ps -a --filter name=upd --format '{{.Names}}'
	[ "$output" = upd ]
	run dk ps -a -n 1 --format '{{.Names}}'
	[ "$output" = upd ]
	run dk container prune -f
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Deleted Containers:"* ]]
	[ "$(dk ps -aq | wc -l)" = 1 ]
	run dk rm -f upd
	[ "$status" -eq 0 ]
	[ "$(dk ps -aq | wc -l)" = 0 ]
	run dk inspect nosuch
	[ "$status" -ne 0 ]
	[[ $output == *"No such object: nosuch"* || $output == *"No such container: nosuch"* ]]
}

@test "containers-api: the docker CLI: run --rm with output, and a missing image is a pull (404)" {
	run dk run --rm busybox echo hello
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = hello ]
	# --rm removed it
	[ "$(api '/containers/json?all=1' | jq length)" = 0 ]
	run dk run --rm busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	# 404 -> the CLI tries to pull (no registry here: the pull fails, not the create)
	run dk create nosuchimage:1
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"Unable to find image 'nosuchimage:1' locally"* ]]
}

@test "containers-api: harness: cgroup parent from daemon.json; restart_berthd_hard keeps a running container" {
	[ "$(jq -r '."cgroup-parent"' "$D/daemon.json")" = "$CGPARENT" ]
	id=$(run_ctr hard)
	pid=$(ctr_inspect hard .State.Pid)
	# the container's cgroups are under the test's parent
	grep -q "$CGNAME" "/proc/$pid/cgroup"
	[ -n "$(ct_cgroup_dirs)" ]
	restart_berthd_hard
	j=$(api /containers/hard/json)
	jq -e --argjson p "$pid" '.State.Status == "running" and .State.Pid == $p' <<<"$j"
	api_status POST "/containers/hard/stop?t=1"
	[ "$STATUS" = 204 ]
}

@test "containers-api: harness: teardown fails on a leftover mount and on a live shim, and cleans both" {
	run_ctr leak >/dev/null
	shim=$(ctr_inspect leak .Berth.ShimPid)
	[ "$shim" -gt 0 ]
	mkdir "$D/mnt"
	mount -t tmpfs none "$D/mnt"
	# berthd gone without removing the container: its shim lives on
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	dir=$D
	run ct_teardown
	echo "$output"
	[ "$status" -ne 0 ]
	[[ $output == *"shim $shim still alive"* ]]
	[[ $output == *"mounts left under $dir"* ]]
	! kill -0 "$shim" 2>/dev/null
	[ ! -e "$dir" ]
	[ -z "$(ct_cgroup_dirs)" ]
	D=
}

@test "containers-api: compose's and the Python SDK's requests (form-encoded filters, list form, False booleans)" {
	id=$(run_ctr apitr_web_1 '["sleep","1000"]' '{"Labels":{"com.docker.compose.project":"apitr","com.docker.compose.service":"web","com.docker.compose.oneoff":"False"}}')
	mk apitr_worker_1 '["true"]' '{"Labels":{"com.docker.compose.project":"apitr","com.docker.compose.service":"worker","com.docker.compose.oneoff":"False"}}' >/dev/null
	mk other_1 >/dev/null
	# verbatim from compose_up.txt (spaces as '+')
	run api '/v1.41/containers/json?limit=-1&all=0&size=0&trunc_cmd=0&filters=%7B%22label%22%3A+%5B%22com.docker.compose.project%3Dapitr%22%2C+%22com.docker.compose.oneoff%3DFalse%22%5D%7D'
	echo "$output"
	[ "$(jq -r '[.[].Names[0]] | join(" ")' <<<"$output")" = /apitr_web_1 ]
	run api '/v1.41/containers/json?limit=-1&all=1&size=0&trunc_cmd=0&filters=%7B%22status%22%3A+%5B%22created%22%2C+%22exited%22%5D%2C+%22label%22%3A+%5B%22com.docker.compose.project%3Dapitr%22%2C+%22com.docker.compose.service%3Dworker%22%2C+%22com.docker.compose.oneoff%3DFalse%22%5D%7D'
	echo "$output"
	[ "$(jq -r '[.[].Names[0]] | join(" ")' <<<"$output")" = /apitr_worker_1 ]
	# the Python SDK: create with a few keys, wait without condition, DELETE with False
	api_status POST /v1.41/containers/create '{"Tty": false, "Image": "busybox", "Cmd": ["sh", "-c", "exit 4"], "HostConfig": {"NetworkMode": "default"}, "NetworkingConfig": null, "AttachStdin": false, "AttachStdout": false, "AttachStderr": false, "OpenStdin": false, "StdinOnce": false, "Labels": {}}'
	[ "$STATUS" = 201 ]
	pid=$(jq -r .Id <<<"$BODY")
	api_status POST "/v1.41/containers/$pid/start"
	[ "$STATUS" = 204 ]
	run api -X POST "/v1.41/containers/$pid/wait"
	[ "$output" = '{"Error":null,"StatusCode":4}' ]
	api_status DELETE "/v1.41/containers/$pid?v=False&link=False&force=False"
	[ "$STATUS" = 204 ]
}

@test "containers-api: a wait whose client goes away ends (no thread left); concurrent creates of one name: one 201, the rest 409" {
	run_ctr wt >/dev/null
	threads() { ls "/proc/$BPID/task" | wc -l; }
	before=$(threads)
	# (never a bare `wait`: berthd is a child of the test too)
	pids=()
	for i in 1 2 3 4 5; do
		curl -s --max-time 0.5 --unix-socket "$SOCK" -X POST "http://berth/containers/wt/wait" >/dev/null 2>&1 &
		pids+=($!)
	done
	wait "${pids[@]}" || true
	few_threads() { [ "$(threads)" -le "$((before + 1))" ]; }
	retry 50 0.1 few_threads || fail "berthd threads: $before before, $(threads) after the waits went away"
	# ten creates of one name at once
	pids=()
	for i in $(seq 10); do
		curl -s -o /dev/null -w '%{http_code}\n' --unix-socket "$SOCK" -X POST \
			-H 'Content-Type: application/json' -d '{"Image":"busybox","Cmd":["true"]}' \
			"http://berth/containers/create?name=same" >>"$D/codes" &
		pids+=($!)
	done
	wait "${pids[@]}"
	sort "$D/codes" | uniq -c >&2
	[ "$(grep -c '^201$' "$D/codes")" = 1 ]
	[ "$(grep -c '^409$' "$D/codes")" = 9 ]
	[ "$(api '/containers/json?all=1' | jq '[.[] | select(.Names[0] == "/same")] | length')" = 1 ]
}

@test "containers-api: start of a missing executable: 400 naming it, nothing left running; docker run exits 127" {
	mk noexec '["/nosuch-binary"]' >/dev/null
	api_status POST /containers/noexec/start
	[ "$STATUS" = 400 ]
	[[ $(jq -r .message <<<"$BODY") == *nosuch-binary* ]]
	j=$(api /containers/noexec/json)
	jq -e '.State.Running | not' <<<"$j"
	[ -z "$(ct_live_shims)" ]
	api_status DELETE /containers/noexec
	[ "$STATUS" = 204 ]
	run -127 dk run --name noexec2 busybox /nosuch-binary
	echo "$output"
	[ "$status" -eq 127 ]
}
