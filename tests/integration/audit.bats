#!/usr/bin/env bats
# shellcheck disable=SC2016 # the containers expand $X, not this shell
# Gaps found by an acceptance audit of issue 5 against a real dockerd (the
# docker CLI, docker-compose and the docker SDK at both engines): each test
# pins dockerd's behaviour for one of them, through berth and the docker CLI.

load containers-helpers
bats_require_minimum_version 1.5.0

setup() {
	ct_setup
	ct_start_default
}

# dkx ARGS...: the docker CLI at berthd, or skip when it is not installed
dkx() {
	[[ -x $DOCKER ]] || skip "docker CLI not installed"
	dk "$@"
}

@test "audit: -e KEY of a variable the client does not have unsets KEY (run and exec, dockerd's rule)" {
	unset NOSUCHVAR_AUD
	# the CLI sends a bare KEY when its environment lacks KEY: the runtime
	# refused the spec ('"A" is not of the form KEY=value')
	run b run --rm -e NOSUCHVAR_AUD -e B=2 busybox sh -c 'echo "${NOSUCHVAR_AUD-unset} $B"'
	[ "$status" -eq 0 ] || fail "run: $output"
	[ "$output" = "unset 2" ] || fail "run: got '$output'"
	# through the API, a bare KEY also unsets a default (HOSTNAME) and
	# Config.Env keeps it as given
	local id
	id=$(run_ctr envc '["sleep","1000"]' '{"Env":["NOSUCHVAR_AUD","HOSTNAME","B=1"]}')
	[ "$(api "/containers/$id/json" | jq -c .Config.Env)" = '["NOSUCHVAR_AUD","HOSTNAME","B=1","PATH='"$BUSYBOX_PATH_ENV"'"]' ]
	# (env, not sh: busybox sh sets HOSTNAME when it is not in its environment)
	run b exec envc env
	[ "$status" -eq 0 ] || fail "exec: $output"
	[ "$(sort <<<"$output" | tr '\n' ' ')" = "B=1 HOME=/root PATH=$BUSYBOX_PATH_ENV " ] ||
		fail "exec env: got '$output'"
	run b exec -e NOSUCHVAR_AUD -e C=3 envc sh -c 'echo "${NOSUCHVAR_AUD-unset} $C"'
	[ "$status" -eq 0 ] || fail "exec -e: $output"
	[ "$output" = "unset 3" ] || fail "exec -e: got '$output'"
	run dkx exec -e NOSUCHVAR_AUD envc sh -c 'echo ${NOSUCHVAR_AUD-unset}'
	[ "$status" -eq 0 ] || fail "docker exec: $output"
	[ "$output" = "unset" ]
}

@test "audit: --network host takes the host's name; conflicting network/UTS options and an unknown pid/ipc container are 400s at create" {
	# dockerd's newContainer: Config.Hostname is the host's name, and so
	# are hostname and /etc/hostname in the container
	local id
	id=$(mk nh '["sh","-c","hostname; cat /etc/hostname"]' '{"HostConfig":{"NetworkMode":"host"}}')
	[ "$(ctr_inspect "$id" .Config.Hostname)" = "$(hostname)" ]
	run b run --rm --network host busybox sh -c 'hostname; cat /etc/hostname'
	[ "$status" -eq 0 ] || fail "run: $output"
	[ "$output" = "$(hostname)"$'\n'"$(hostname)" ] || fail "got '$output'"
	mk base >/dev/null
	# dockerd's validateNetMode, in its order
	local c cases=(
		'{"Hostname":"h","HostConfig":{"NetworkMode":"container:base"}}|conflicting options: hostname and the network mode'
		'{"HostConfig":{"NetworkMode":"container:"}}|Invalid network mode: invalid container format container:<name|id>'
		'{"HostConfig":{"NetworkMode":"container:base","Dns":["1.1.1.1"]}}|conflicting options: dns and the network mode'
		'{"HostConfig":{"NetworkMode":"container:base","ExtraHosts":["a:1.2.3.4"]}}|conflicting options: custom host-to-IP mapping and the network mode'
		'{"ExposedPorts":{"80/tcp":{}},"HostConfig":{"NetworkMode":"container:base"}}|conflicting options: port exposing and the container type network mode'
		'{"HostConfig":{"NetworkMode":"container:base","PortBindings":{"80/tcp":[{"HostPort":"80"}]}}}|conflicting options: port publishing and the container type network mode'
		'{"MacAddress":"02:42:ac:11:00:02","HostConfig":{"NetworkMode":"host"}}|conflicting options: mac-address and the network mode'
		'{"Hostname":"x","HostConfig":{"UTSMode":"host"}}|conflicting options: hostname and the UTS mode'
		'{"HostConfig":{"PidMode":"container:nosuch"}}|No such container: nosuch'
		'{"HostConfig":{"IpcMode":"container:nosuch"}}|No such container: nosuch'
	)
	for c in "${cases[@]}"; do
		api_status POST /containers/create "$(jq -c '. + {Image: "busybox"}' <<<"${c%%|*}")"
		[ "$STATUS" = 400 ] || fail "${c%%|*}: $STATUS $BODY"
		[ "$(jq -r .message <<<"$BODY")" = "${c#*|}" ] || fail "${c%%|*}: $BODY"
	done
	# nothing was created by the refused ones; the allowed ones work
	[ "$(api '/containers/json?all=1' | jq length)" = 2 ]
	mk ok1 '["true"]' '{"HostConfig":{"NetworkMode":"container:base","PidMode":"container:base"}}' >/dev/null
	mk ok2 '["true"]' '{"Hostname":"x","HostConfig":{"NetworkMode":"host"}}' >/dev/null
	# the docker CLI shows the message and does not try to pull the image
	run dkx create --pid container:nosuch busybox true
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ] || fail "got '$output'"
}

@test "audit: cp - of an empty stream succeeds as in dockerd (an archive of no entries)" {
	run_ctr cpc >/dev/null
	run b cp - cpc:/tmp </dev/null
	[ "$status" -eq 0 ] || fail "berth cp: $output"
	run dkx cp - cpc:/tmp </dev/null
	[ "$status" -eq 0 ] || fail "docker cp: $output"
	api_status PUT '/containers/cpc/archive?path=/tmp' ''
	[ "$STATUS" = 200 ]
	# a stream that is not a tar is still refused
	api_status PUT '/containers/cpc/archive?path=/tmp' 'not a tar archive, not even close, not at all ..........'
	[ "$STATUS" = 400 ]
}

# the pids cgroup file of a running container (v1 or v2)
pids_max() { b exec "$1" sh -c 'cat /sys/fs/cgroup/pids/pids.max 2>/dev/null || cat /sys/fs/cgroup/pids.max'; }

@test "audit: update --pids-limit -1 lifts the limit (inspect 0, pids.max max); warnings are the request's own fields" {
	run_ctr pl '["sleep","1000"]' '{"HostConfig":{"PidsLimit":10}}' >/dev/null
	[ "$(pids_max pl)" = 10 ]
	# 0 leaves the limit, as dockerd
	b update --pids-limit 0 pl
	[ "$(pids_max pl)" = 10 ]
	b update --pids-limit -1 pl
	[ "$(pids_max pl)" = max ] || fail "pids.max $(pids_max pl)"
	[ "$(ctr_inspect pl .HostConfig.PidsLimit)" = 0 ]
	b update --pids-limit 7 pl
	[ "$(pids_max pl)" = 7 ]
	api_status POST /containers/pl/update '{"PidsLimit":-1}'
	[ "$STATUS" = 200 ]
	[ "$(pids_max pl)" = max ]
	# a stored KernelMemory is not warned about again by an unrelated update
	api_status POST /containers/pl/update '{"KernelMemory":52428800}'
	[ "$STATUS" = 200 ]
	[[ $(jq -r '.Warnings[0]' <<<"$BODY") == *"kernel memory limit is deprecated"* ]]
	api_status POST /containers/pl/update '{"CpuShares":300}'
	[ "$STATUS" = 200 ]
	jq -e "(.Warnings // []) | length == 0" <<<"$BODY"
}

@test "audit: messages as dockerd's: exec create on a paused container names it as given, Invalid IPC mode" {
	run_ctr pz >/dev/null
	api_status POST /containers/pz/pause
	[ "$STATUS" = 204 ]
	api_status POST /containers/pz/exec '{"Cmd":["true"]}'
	[ "$STATUS" = 409 ]
	[ "$(jq -r .message <<<"$BODY")" = "Container pz is paused, unpause the container before exec" ]
	api_status POST /containers/create '{"Image":"busybox","HostConfig":{"IpcMode":"bogus"}}'
	[ "$STATUS" = 400 ]
	[ "$(jq -r .message <<<"$BODY")" = "Invalid IPC mode: bogus" ]
	api_status POST /containers/pz/unpause
}

@test "audit: run -it and exec -it put the terminal in raw mode as the docker CLI does (no output processing: lines end \\r\\n)" {
	local pty=$BATS_TEST_DIRNAME/ptyrun.py
	run_ctr tz '["sleep","1000"]' >/dev/null
	local c
	for c in "$BERTH" "$DOCKER"; do
		[[ -x $c ]] || continue
		DOCKER_HOST=unix://$SOCK timeout 60 python3 "$pty" --log "$D/raw.run" -- \
			"$c" -H "unix://$SOCK" run -it --rm busybox sh -c 'echo a; echo b'
		DOCKER_HOST=unix://$SOCK timeout 60 python3 "$pty" --log "$D/raw.exec" -- \
			"$c" -H "unix://$SOCK" exec -it tz sh -c 'echo c; echo d'
		# the container's pty sends "a\r\nb\r\n"; a terminal that adds its
		# own \r (OPOST, ONLCR) shows "a\r\r\n"
		od -c "$D/raw.run" >&2
		[ "$(cat "$D/raw.run")" = $'a\r\nb\r' ] || fail "$c run -it: $(od -c "$D/raw.run")"
		[ "$(cat "$D/raw.exec")" = $'c\r\nd\r' ] || fail "$c exec -it: $(od -c "$D/raw.exec")"
	done
}

@test "audit: --add-host, --dns, --dns-search, --dns-option are written to /etc/hosts and /etc/resolv.conf as dockerd writes them" {
	run b run --rm --add-host a:1.2.3.4 --add-host v6:::1 --network none busybox cat /etc/hosts
	[ "$status" -eq 0 ] || fail "$output"
	[ "${lines[6]}" = $'1.2.3.4\ta' ] || fail "hosts: $output"
	[ "${lines[7]}" = $'::1\tv6' ] || fail "hosts: $output"
	run b run --rm --dns 9.9.9.9 --dns 8.8.8.8 --dns-search example.com --dns-option ndots:2 busybox cat /etc/resolv.conf
	[ "$status" -eq 0 ] || fail "$output"
	[ "$output" = $'search example.com\nnameserver 9.9.9.9\nnameserver 8.8.8.8\noptions ndots:2' ] || fail "resolv.conf: $output"
	# one list given: the others from the host's file
	local ns
	ns=$(awk '$1 == "nameserver" { print "nameserver " $2 }' /etc/resolv.conf)
	run b run --rm --dns-search example.com busybox sh -c 'grep -v "^options" /etc/resolv.conf'
	[ "$output" = "search example.com"$'\n'"$ns" ] || fail "resolv.conf: $output"
	# --network host: the host's /etc/hosts, unless hosts are added
	run b run --rm --network host busybox cat /etc/hosts
	[ "$output" = "$(cat /etc/hosts)" ] || fail "host hosts: $output"
	run b run --rm --network host --add-host a:1.2.3.4 busybox cat /etc/hosts
	[ "${lines[0]}" = $'127.0.0.1\tlocalhost' ] && [ "${lines[6]}" = $'1.2.3.4\ta' ] || fail "host hosts: $output"
}

@test "audit: wait (not-running) of a container with a restart policy returns at its next exit, as dockerd's" {
	run_ctr ra '["sh","-c","sleep 1; exit 3"]' '{"HostConfig":{"RestartPolicy":{"Name":"always"}}}' >/dev/null
	run timeout 20 "$BERTH" -H "unix://$SOCK" wait ra
	[ "$status" -eq 0 ] || fail "berth wait: $status $output"
	[ "$output" = 3 ]
	api_status POST '/containers/ra/wait?condition=not-running'
	[ "$STATUS" = 200 ]
	[ "$(jq -c . <<<"$BODY")" = '{"Error":null,"StatusCode":3}' ] || fail "wait: $BODY"
	run_ctr rf '["sh","-c","sleep 1; exit 4"]' '{"HostConfig":{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2}}}' >/dev/null
	run timeout 20 "$BERTH" -H "unix://$SOCK" wait rf
	[ "$status" -eq 0 ] && [ "$output" = 4 ] || fail "wait rf: $status $output"
}

@test "audit: a pidfile naming a live process that is not berthd (a reused pid after kill -9) does not keep berthd from starting" {
	# this file's setup started berthd: kill -9 it and give its pid file the
	# pid of another live process
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	sleep 1000 &
	local other=$!
	echo "$other" >>"$D/.pids"
	echo "$other" >"$D/berthd.pid"
	start_berthd || fail "berthd refused the pid file of a live sleep"
	[ "$(cat "$D/berthd.pid")" = "$BPID" ]
	# a live berthd in the pid file still stops a second one
	mkdir -p "$D/second"
	run timeout 20 "$BERTHD" --data-root "$D/second/root" --exec-root "$D/second/run" \
		-H "unix://$D/second/s.sock" --pidfile "$D/berthd.pid" --config-file "$D/daemon.json"
	[ "$status" -ne 0 ]
	[[ $output == *"pid file found"* ]] || fail "second berthd: $output"
}

@test "audit: ps --filter name= matches the name with and without its '/' as dockerd (^web\$ finds web)" {
	mk web >/dev/null
	mk web2 >/dev/null
	[ "$(b ps -a --filter 'name=^web$' --format '{{.Names}}')" = web ]
	[ "$(b ps -a --filter 'name=^/web$' --format '{{.Names}}')" = web ]
	[ "$(b ps -a --filter 'name=^web' --format '{{.Names}}' | sort | tr '\n' ' ')" = "web web2 " ]
	[ -z "$(b ps -a --filter 'name=^eb' --format '{{.Names}}')" ]
	api_status GET '/containers/json?all=1&filters=%7B%22name%22%3A%5B%22%5Eweb2%24%22%5D%7D'
	[ "$(jq -r '.[].Names[0]' <<<"$BODY")" = /web2 ]
}

@test "audit: resize of a process without a terminal, or to 0x0, is a no-op 200 as in dockerd (was 500/400)" {
	run_ctr nt >/dev/null
	run_ctr tt '["sh"]' '{"Tty":true,"OpenStdin":true}' >/dev/null
	api_status POST "/containers/nt/resize?h=10&w=20"
	[ "$STATUS" = 200 ] || fail "no tty: $STATUS $BODY"
	api_status POST "/containers/tt/resize?h=0&w=0"
	[ "$STATUS" = 200 ] || fail "0x0: $STATUS $BODY"
	api_status POST "/containers/tt/resize?h=33&w=44"
	[ "$STATUS" = 200 ]
	local x
	x=$(api -X POST -H 'Content-Type: application/json' -d '{"Cmd":["sleep","100"]}' /containers/nt/exec | jq -r .Id)
	api_status POST "/exec/$x/start" '{"Detach":true}'
	api_status POST "/exec/$x/resize?h=10&w=20"
	[ "$STATUS" = 200 ] || fail "exec without tty: $STATUS $BODY"
}

@test "audit: a docker exec stream ends soon (not after 5 s) with 137 when the container's shim is killed" {
	local id pid sp t0
	id=$(run_ctr ks)
	b exec ks sh -c 'echo started; sleep 100' >"$D/exec.out" 2>&1 &
	pid=$!
	echo "$pid" >>"$D/.pids"
	retry 100 0.1 grep -q started "$D/exec.out"
	sp=$(cat "$(find "$D/run" -path "*$id*" -name shim.pid | head -1)")
	t0=$(date +%s%N)
	kill -KILL "$sp"
	local rc=0
	wait "$pid" || rc=$?
	local ms=$((($(date +%s%N) - t0) / 1000000))
	[ "$rc" = 137 ] || fail "exec exit $rc"
	((ms < 3000)) || fail "the exec stream ended ${ms} ms after the shim died"
	wait_ctr_status ks exited
}

@test "audit: info counts containers (running, paused, stopped) and system df lists them, as dockerd" {
	run_ctr r1 '["sh","-c","head -c 100000 /dev/zero >/f; sleep 1000"]' >/dev/null
	run_ctr p1 >/dev/null
	api_status POST /containers/p1/pause
	mk c1 '["true"]' >/dev/null
	local j
	j=$(api /info)
	[ "$(jq -c '[.Containers, .ContainersRunning, .ContainersPaused, .ContainersStopped]' <<<"$j")" = '[3,1,1,1]' ] ||
		fail "info: $(jq -c '[.Containers, .ContainersRunning, .ContainersPaused, .ContainersStopped]' <<<"$j")"
	retry 50 0.1 sh -c "curl -s --unix-socket '$SOCK' http://b/containers/r1/json?size=1 | jq -e '.SizeRw >= 100000' >/dev/null"
	j=$(api /system/df)
	[ "$(jq -r '[.Containers[].Names[0]] | join(" ")' <<<"$j")" = "/c1 /p1 /r1" ] || fail "df: $j"
	jq -e '.Containers[] | select(.Names[0] == "/r1") | .SizeRw >= 100000' <<<"$j"
	# the CLI's table: 3 containers, 2 active (running, paused)
	run b system df
	[[ ${lines[2]} =~ ^Containers\ +3\ +2\  ]] || fail "berth system df: $output"
	run dkx system df
	[[ ${lines[2]} =~ ^Containers\ +3\ +2\  ]] || fail "docker system df: $output"
	api_status POST /containers/p1/unpause
}

@test "audit: berth stats --no-stream with a missing container prints only the error, as the docker CLI" {
	run_ctr s1 >/dev/null
	run b stats --no-stream s1 nosuch --format '{{.Name}}'
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ] || fail "got: $output"
	run b stats --no-stream nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ] || fail "got: $output"
	run b stats --no-stream s1 --format '{{.Name}}'
	[ "$status" -eq 0 ] && [ "$output" = s1 ]
}

@test "audit: berth create takes --rm (AutoRemove) as the docker CLI" {
	run b create --rm --name crm busybox true
	[ "$status" -eq 0 ] || fail "create --rm: $output"
	[ "$(ctr_inspect crm .HostConfig.AutoRemove)" = true ]
	b start -a crm
	retry 100 0.1 sh -c "! curl -sf --unix-socket '$SOCK' http://b/containers/crm/json >/dev/null"
	run b create --rm --restart always busybox true
	[ "$status" -eq 125 ]
	[[ ${lines[0]} == *"conflicting options: cannot specify both --restart and --rm"* ]]
}

@test "audit: berth update takes --cpu-period, --cpu-quota, --memory-reservation, --cpuset-mems as the docker CLI" {
	run_ctr up >/dev/null
	run b update --cpu-period 50000 --cpu-quota 25000 --memory-reservation 16m --cpuset-mems 0 up
	[ "$status" -eq 0 ] || fail "update: $output"
	[ "$(api /containers/up/json | jq -c '.HostConfig | [.CpuPeriod, .CpuQuota, .MemoryReservation, .CpusetMems]')" = '[50000,25000,16777216,"0"]' ]
	run b update --memory-reservation abc up
	[ "$status" -eq 125 ]
	[[ ${lines[0]} == *"invalid argument \"abc\" for \"--memory-reservation\" flag"* ]] || fail "$output"
}

@test "audit: start errors carry Go's errno texts as dockerd's, so the docker CLI exits 127/126 as with dockerd" {
	# a missing device: dockerd's message ends in Go's "no such file or
	# directory" (the CLI's 127); C's capitalised strerror made it 125
	run -127 dkx run --rm --network none --device /dev/nonexist-aud busybox true
	[ "$status" -eq 127 ] || fail "docker run --device: $status $output"
	[[ $output == *'error gathering device information while adding custom device "/dev/nonexist-aud": no such file or directory'* ]] ||
		fail "got '$output'"
	run -127 b run --rm --network none --device /dev/nonexist-aud busybox true
	[ "$status" -eq 127 ] || fail "berth run --device: $status $output"
	# a file the user may not search for (/root is 0700): runc's stat fails
	# with EACCES (126), as the user has no effective capabilities (moby's
	# SetCapabilities: bounding only for a user other than root)
	run -126 dkx run --rm --network none -u 1000 busybox /root/x
	[ "$status" -eq 126 ] || fail "docker run -u 1000 /root/x: $status $output"
	[[ $output == *'exec: "/root/x": stat /root/x: permission denied'* ]] || fail "got '$output'"
	run -126 b run --rm --network none -u 1000 busybox /root/x
	[ "$status" -eq 126 ] || fail "berth run -u 1000 /root/x: $status $output"
	run b run --rm --network none -u 1000 busybox sh -c 'grep -E "^Cap(Prm|Eff)" /proc/self/status'
	[ "$output" = $'CapPrm:\t0000000000000000\nCapEff:\t0000000000000000' ] || fail "caps: '$output'"
	# as root: a missing file is 127, a file that is not executable 126
	run -127 dkx run --rm --network none busybox /nonexist-aud
	[ "$status" -eq 127 ] || fail "docker run /nonexist-aud: $status $output"
	[[ $output == *'exec: "/nonexist-aud": stat /nonexist-aud: no such file or directory'* ]] ||
		fail "got '$output'"
	run -126 dkx run --rm --network none busybox /etc/passwd
	[ "$status" -eq 126 ] || fail "docker run /etc/passwd: $status $output"
	[[ $output == *'exec: "/etc/passwd": permission denied'* ]] || fail "got '$output'"
}

@test "audit: create with ?platform= of another platform than the local image's is dockerd's 404; bad specifiers its 400s" {
	local body='{"Image":"busybox","Cmd":["true"],"HostConfig":{"NetworkMode":"none"}}'
	local c msg='image with reference busybox was found but does not match the specified platform'
	# dockerd 20.10's answers, recorded with the same busybox image (linux/amd64 here)
	local host
	host=$(api /images/busybox/json | jq -r '.Os + "/" + .Architecture')
	[ "$host" = linux/amd64 ] || skip "the image is $host; the recorded answers are for linux/amd64"
	local cases=(
		"linux/arm64|404|$msg: wanted linux/arm64, actual: linux/amd64"
		"linux/aarch64/v8|404|$msg: wanted linux/arm64/v8, actual: linux/amd64"
		"windows|404|$msg: wanted windows/amd64, actual: linux/amd64"
		"linux/arm|404|$msg: wanted linux/arm, actual: linux/amd64"
		"linux/i386|404|$msg: wanted linux/386, actual: linux/amd64"
		'bogus|400|"bogus": unknown operating system or architecture: invalid argument'
		'linux/|400|"" is an invalid component of "linux/": platform specifier component must match "^[A-Za-z0-9_-]+$": invalid argument'
		'linux/amd64/v2/x|400|"linux/amd64/v2/x": cannot parse platform specifier: invalid argument'
		'linux/amd64|201|'
		'Linux/x86_64/v1|201|'
		'linux/amd64/v3|201|'
		'amd64|201|'
		'linux|201|'
	)
	for c in "${cases[@]}"; do
		IFS='|' read -r p code m <<<"$c"
		api_status POST "/v1.41/containers/create?platform=$p" "$body"
		[ "$STATUS" = "$code" ] || fail "$p: $STATUS $BODY"
		[[ $code == 201 ]] || [ "$(jq -r .message <<<"$BODY")" = "$m" ] || fail "$p: $BODY"
	done
	# before API 1.41 the platform is not looked at
	api_status POST "/v1.40/containers/create?platform=linux/arm64" "$body"
	[ "$STATUS" = 201 ] || fail "v1.40: $STATUS $BODY"
	run -1 dkx create --pull never --network none --platform linux/arm64 busybox true
	[ "$output" = "Error response from daemon: $msg: wanted linux/arm64, actual: linux/amd64" ] ||
		fail "docker create: '$output'"
}

@test "audit: an invalid --tmpfs option is dockerd's 'invalid tmpfs option' at start (its MergeTmpfsOptions), not the runtime's mount error" {
	# dockerd 20.10 creates the container (201) and refuses the start (500)
	local c id cases=(
		'bogus=1|invalid tmpfs option ["bogus" "1"]'
		'bogus|invalid tmpfs option ["bogus"]'
		'size|invalid tmpfs option ["size"]'
		'size=1m,x=1=2,mode=1777|invalid tmpfs option ["x" "1=2"]'
		'exec,|invalid tmpfs option [""]'
		'tmpcopyup|invalid tmpfs option ["tmpcopyup"]'
		'rw,noexec,size=1m|'
		'defaults,=x|'
		'ro,size=1m,uid=1,gid=2,nr_inodes=100,mode=1777|'
	)
	for c in "${cases[@]}"; do
		id=$(mk "" '["true"]' "$(jq -nc --arg t "${c%%|*}" '{HostConfig: {Tmpfs: {"/x": $t}}}')")
		api_status POST "/containers/$id/start"
		if [[ -z ${c#*|} ]]; then
			[ "$STATUS" = 204 ] || fail "${c%%|*}: $STATUS $BODY"
			continue
		fi
		[ "$STATUS" = 500 ] || fail "${c%%|*}: $STATUS $BODY"
		[[ $(jq -r .message <<<"$BODY") == *": ${c#*|}" ]] || fail "${c%%|*}: $BODY"
	done
	run -125 dkx run --rm --network none --tmpfs /x:bogus=1 busybox true
	[[ ${lines[0]} == *'invalid tmpfs option ["bogus" "1"]' ]] || fail "docker run: '$output'"
}

@test "audit: cp into /etc/hostname, hosts, resolv.conf of a started container is refused and cp of /dev/null is not found, as dockerd's" {
	echo new >"$D/hostname"
	tar -C "$D" -cf "$D/h.tar" hostname
	# created, never started: dockerd has no network files yet, the copy works
	mk cpn >/dev/null
	run b cp "$D/hostname" cpn:/etc/hostname
	[ "$status" -eq 0 ] || fail "created: $output"
	run_ctr cpr >/dev/null
	local f
	for f in hostname hosts resolv.conf; do
		run -1 dkx cp "$D/hostname" "cpr:/etc/$f"
		[ "$output" = "Error response from daemon: Error processing tar file(exit status 1): unlinkat /etc/$f: device or resource busy" ] ||
			fail "docker cp to /etc/$f: '$output'"
	done
	run -1 b cp "$D/hostname" cpr:/etc/hosts
	[[ $output == *'unlinkat /etc/hosts: device or resource busy'* ]] || fail "berth cp: '$output'"
	# through the API: dockerd's 500, also for a tar extracted at /
	local dir tarf
	for dir in /etc /; do
		tarf=$D/h.tar
		[[ $dir == / ]] && tar -C "$D" -cf "$D/r.tar" --transform 's,^,etc/,' hostname && tarf=$D/r.tar
		api -X PUT -H 'Content-Type: application/x-tar' --data-binary "@$tarf" -w '\n%{http_code}' \
			"/containers/cpr/archive?path=$dir" >"$D/out"
		[ "$(tail -1 "$D/out")" = 500 ] || fail "PUT $dir: $(cat "$D/out")"
		[ "$(head -1 "$D/out" | jq -r .message)" = 'Error processing tar file(exit status 1): unlinkat /etc/hostname: device or resource busy' ] ||
			fail "PUT $dir: $(cat "$D/out")"
	done
	# the container's file is untouched; a file next to them is copied
	[ "$(b exec cpr cat /etc/hostname)" = "$(ctr_inspect cpr .Config.Hostname)" ]
	b cp "$D/hostname" cpr:/etc/other
	[ "$(b exec cpr cat /etc/other)" = new ]
	# and stopped (dockerd mounts them for the copy)
	b stop -t 0 cpr >/dev/null
	run -1 dkx cp "$D/hostname" cpr:/etc/resolv.conf
	[[ $output == *'unlinkat /etc/resolv.conf: device or resource busy' ]] || fail "stopped: '$output'"
	# the container's own /dev (its tmpfs) is not in dockerd's view of the files
	b start cpr >/dev/null
	run -1 dkx cp cpr:/dev/null "$D/"
	[ "$output" = "Error response from daemon: Could not find the file /dev/null in container cpr" ] ||
		fail "cp /dev/null: '$output'"
	[ "$(api -o /dev/null -w '%{http_code}' -I '/containers/cpr/archive?path=/dev/zero')" = 404 ]
	# reading the network files works, as in dockerd
	run dkx cp cpr:/etc/hostname -
	[ "$status" -eq 0 ] || fail "cp /etc/hostname out: $output"
}
