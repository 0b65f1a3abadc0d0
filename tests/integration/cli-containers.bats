#!/usr/bin/env bats
# The berth CLI's container commands besides run (ps, stop, kill, restart,
# pause, unpause, rm, container prune, top, stats, rename, update, cp,
# export, diff, events, container COMMAND, inspect):
#  - "cli-containers fake:" tests against fakectr.py, which answers with the
#    Docker API shapes recorded from dockerd (../shared/docker-api): the
#    exact requests berth sends and the exact output docker prints for them;
#  - "cli-containers:" tests end to end against berthd (containers-helpers),
#    through berth and, for the key commands, the docker CLI for comparison
#    of the output's shape. They skip while berthd cannot create containers.

load containers-helpers

FAKE_PREFIX="cli-containers fake:"

setup() {
	if [[ $BATS_TEST_DESCRIPTION == "$FAKE_PREFIX"* ]]; then
		[[ -x $BERTH ]] || skip "berth not built: $BERTH"
		D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-clictr.XXXXXX")
		FSOCK=$D/fake.sock
		: >"$D/.pids"
		unset BERTH_HOST DOCKER_HOST BERTH_API_VERSION DOCKER_API_VERSION
		export BERTH_CONFIG=$D/config
		python3 "$BATS_TEST_DIRNAME/fakectr.py" "$FSOCK" "$D/requests.log" "$D" \
			>>"$D/fake.log" 2>&1 &
		FPID=$!
		echo "$FPID" >>"$D/.pids"
		local i
		for i in $(seq 100); do
			curl -sf --unix-socket "$FSOCK" http://x/_ping >/dev/null 2>&1 && break
			sleep 0.05
		done
		: >"$D/requests.log"
		return 0
	fi
	ct_setup
	ct_start_default
}

teardown() {
	if [[ $BATS_TEST_DESCRIPTION == "$FAKE_PREFIX"* ]]; then
		local p
		while read -r p; do
			[[ -n $p ]] || continue
			kill -TERM "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		done <"$D/.pids"
		rm -rf --one-file-system "$D"
		return 0
	fi
	ct_teardown
}

fb() { "$BERTH" -H "unix://$FSOCK" "$@"; }

# the requests the fake got, "METHOD PATH" per line, without the pings
requests() { jq -r 'select(.path != "/_ping") | "\(.method) \(.path)"' "$D/requests.log"; }

# ---- against fakectr.py: requests and output -------------------------------

@test "cli-containers fake: ps prints docker's table byte for byte (transcripts/ps.txt)" {
	run fb ps
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CONTAINER ID   IMAGE     COMMAND            CREATED         STATUS         PORTS                                     NAMES" ]
	[ "${lines[1]}" = '9e5a9cced381   busybox   "httpd -f -p 80"   8 seconds ago   Up 8 seconds   0.0.0.0:8080->80/tcp, [::]:8080->80/tcp   web' ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(requests)" = "GET /v1.41/containers/json" ]
}

@test "cli-containers fake: ps -a, -q, -n, -l, -s, --no-trunc, --filter, --format json" {
	run fb ps -a
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 3 ]
	# an image named by its id is shown as the short id; the command is cut at 20
	[[ ${lines[2]} == '34ad9c75b5de   ff41d169493d   "sh -c '"'"'while true; …"   About an hour ago   Exited (0) 59 minutes ago '*' dead1' ]]
	run fb ps -q --filter name=web --filter status=running
	[ "$output" = 9e5a9cced381 ]
	run fb ps -aq --no-trunc
	[ "${lines[0]}" = 9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4 ]
	[ "${lines[1]}" = 34ad9c75b5de354f735f48da78625c3ada8ff0e71b8fc0694e1f6407ab21559f ]
	run fb ps -a --no-trunc
	[[ ${lines[2]} == *'"sh -c '"'"'while true; do date; sleep 1; done'"'"'"'* ]]
	[[ ${lines[2]} == *sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6* ]]
	run fb ps -n 1
	[ "${#lines[@]}" -eq 2 ]
	run fb ps -l -s
	[[ ${lines[0]} == *"   NAMES     SIZE" ]]
	[[ ${lines[1]} == *"   web       12B (virtual 1.99MB)" ]]
	run fb ps -a --format json
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	jq -e '.ID == "9e5a9cced381" and .Names == "web" and .Command == "\"httpd -f -p 80\"" and .State == "running" and .Ports == "0.0.0.0:8080->80/tcp, [::]:8080->80/tcp" and .RunningFor == "8 seconds ago" and .Networks == "bridge"' <<<"${lines[0]}"
	jq -e '.Labels == "a=1,b=2" and .LocalVolumes == "1" and .Image == "ff41d169493d" and .Status == "Exited (0) 59 minutes ago"' <<<"${lines[1]}"
	# the query as the docker CLI sends it (ps_filter_quiet.txt for the filters)
	run requests
	[ "${lines[0]}" = "GET /v1.41/containers/json?all=1" ]
	[ "${lines[1]}" = "GET /v1.41/containers/json?filters=%7B%22name%22%3A%7B%22web%22%3Atrue%7D%2C%22status%22%3A%7B%22running%22%3Atrue%7D%7D" ]
	[ "${lines[4]}" = "GET /v1.41/containers/json?limit=1" ]
	[ "${lines[5]}" = "GET /v1.41/containers/json?limit=1&size=1" ]
	# bad input
	run fb ps --filter nokey
	[ "$status" -eq 1 ]
	[[ $output == "bad format of filter (expected name=value)"* ]]
	run fb ps -n x
	[ "$status" -eq 125 ]
	[[ ${lines[0]} == 'invalid argument "x" for "-n, --last" flag: strconv.ParseInt: parsing "x": invalid syntax' ]]
	# docker's check of the template before any request (Names is a string)
	run fb ps --format '{{range .Names}}{{.}}{{end}}'
	[ "$status" -eq 1 ]
	[[ $output == 'failed to execute template: template: :1:8: executing "" at <.Names>: range can'"'"'t iterate over ' ]]
	run fb ps extra
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "berth: 'berth ps' accepts no arguments" ]]
}

@test "cli-containers fake: stop, kill, restart, pause, unpause: queries, names printed, errors after, exit 1" {
	run fb stop web
	[ "$status" -eq 0 ]
	[ "$output" = web ]
	run fb stop -t 1 -s SIGINT web
	run fb kill web
	run fb kill -s HUP web
	run fb restart -t 1 web
	[ "$output" = web ]
	run fb pause web
	run fb unpause web
	[ "$output" = web ]
	run requests
	[ "${lines[0]}" = "POST /v1.41/containers/web/stop" ]
	[ "${lines[1]}" = "POST /v1.41/containers/web/stop?signal=SIGINT&t=1" ]
	[ "${lines[2]}" = "POST /v1.41/containers/web/kill" ]
	[ "${lines[3]}" = "POST /v1.41/containers/web/kill?signal=HUP" ]
	[ "${lines[4]}" = "POST /v1.41/containers/web/restart?t=1" ]
	[ "${lines[5]}" = "POST /v1.41/containers/web/pause" ]
	[ "${lines[6]}" = "POST /v1.41/containers/web/unpause" ]
	# several names: the ones that worked on stdout, the errors on stderr, exit 1
	fb stop web nosuch1 dead1 >"$D/out" 2>"$D/err" && fail "stop with a missing container succeeded"
	[ "$(cat "$D/out")" = $'web\ndead1' ]
	[ "$(cat "$D/err")" = "Error response from daemon: No such container: nosuch1" ]
	for verb in kill restart pause unpause; do
		run fb $verb nosuch2
		[ "$status" -eq 1 ]
		[ "$output" = "Error response from daemon: No such container: nosuch2" ]
	done
	run fb stop -t abc web
	[ "$status" -eq 125 ]
	[[ ${lines[0]} == 'invalid argument "abc" for "-t, --time" flag'* ]]
	run fb stop
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "berth: 'berth stop' requires at least 1 argument" ]]
}

@test "cli-containers fake: rm, rm -f -v, rm of a missing container (transcripts rm*, rm_missing)" {
	run fb rm web dead1
	[ "$status" -eq 0 ]
	[ "$output" = $'web\ndead1' ]
	run fb rm -f -v web
	[ "$output" = web ]
	run fb rm nosuchcontainer
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuchcontainer" ]
	# with -f a missing container is reported but is no failure
	fb rm -f nosuch3 web >"$D/out" 2>"$D/err"
	[ "$(cat "$D/out")" = web ]
	[ "$(cat "$D/err")" = "Error response from daemon: No such container: nosuch3" ]
	run requests
	[ "${lines[0]}" = "DELETE /v1.41/containers/web" ]
	[ "${lines[1]}" = "DELETE /v1.41/containers/dead1" ]
	[ "${lines[2]}" = "DELETE /v1.41/containers/web?force=1&v=1" ]
}

@test "cli-containers fake: container prune -f prints docker's report (transcripts/container_prune.txt)" {
	run fb container prune -f
	[ "$status" -eq 0 ]
	[ "$output" = $'Deleted Containers:\n34ad9c75b5de354f735f48da78625c3ada8ff0e71b8fc0694e1f6407ab21559f\n\nTotal reclaimed space: 0B' ]
	run fb container prune -f --filter until=10m --filter label=a=1
	run requests
	[ "${lines[0]}" = "POST /v1.41/containers/prune" ]
	[ "${lines[1]}" = "POST /v1.41/containers/prune?filters=%7B%22label%22%3A%7B%22a%3D1%22%3Atrue%7D%2C%22until%22%3A%7B%2210m%22%3Atrue%7D%7D" ]
	# without -f it asks; no answer is a no
	run fb container prune </dev/null
	[ "$status" -eq 0 ]
	[[ $output == "WARNING! This will remove all stopped containers."* ]]
	[ "$(requests | wc -l)" -eq 2 ]
}

@test "cli-containers fake: top prints docker's table (transcripts/top.txt); ps options pass through" {
	run fb top web
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD" ]
	[ "${lines[1]}" = "root                29244               29204               0                   16:25               ?                   00:00:00            httpd -f -p 80" ]
	run fb top web -o pid,args
	[ "$status" -eq 0 ]
	run requests
	[ "${lines[0]}" = "GET /v1.41/containers/web/top" ]
	[ "${lines[1]}" = "GET /v1.41/containers/web/top?ps_args=-o%20pid%2Cargs" ]
	run fb top nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "cli-containers fake: stats --no-stream prints docker's row (transcripts/stats_no_stream.txt)" {
	run fb stats --no-stream
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT   MEM %     NET I/O         BLOCK I/O   PIDS" ]
	[ "${lines[1]}" = "9e5a9cced381   web       0.00%     340KiB / 23.54GiB   0.00%     1.81kB / 731B   0B / 0B     1" ]
	run fb stats --no-stream --no-trunc --format json web
	jq -e '.ID == "9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4" and .Name == "web" and .Container == "web" and .CPUPerc == "0.00%" and .MemUsage == "340KiB / 23.54GiB" and .NetIO == "1.81kB / 731B" and .BlockIO == "0B / 0B" and .PIDs == "1"' <<<"$output"
	run fb stats --no-stream web nosuch
	[ "$status" -eq 1 ]
	[[ $output == *"Error response from daemon: No such container: nosuch"* ]]
	run requests
	# the list, then the 12-character id of each container, as docker
	[ "${lines[0]}" = "GET /v1.41/containers/json" ]
	[ "${lines[1]}" = "GET /v1.41/containers/9e5a9cced381/stats?stream=0" ]
	[ "${lines[2]}" = "GET /v1.41/containers/web/stats?stream=0" ]
}

@test "cli-containers fake: stats streams (no Content-Type, one sample a line), CPU % from the deltas" {
	# the fake sends 3 samples 0.3 s apart, 0.5 s of CPU over 2 s on 2 CPUs
	run timeout 10 "$BERTH" -H "unix://$FSOCK" stats web dead1
	[ "$status" -eq 0 ]
	[[ $output == *"9e5a9cced381   web       50.00%    340KiB / 23.54GiB"* ]]
	[[ $output == *"   dead1     50.00%"* ]]
	[[ ${lines[-1]} == *"12.3kB / 0B"* ]]
	run timeout 10 "$BERTH" -H "unix://$FSOCK" stats --format json web
	[ "$status" -eq 0 ]
	jq -e '.CPUPerc == "50.00%"' <<<"${lines[-1]}"
	run requests
	# one stream per container (in parallel: any order), the last one alone
	[ "$(sort <<<"$output")" = "$(printf '%s\n' "GET /v1.41/containers/dead1/stats?stream=1" "GET /v1.41/containers/web/stats?stream=1" "GET /v1.41/containers/web/stats?stream=1")" ]
}

@test "cli-containers fake: rename and update (body, warnings, bad values)" {
	run fb rename web web2
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	run fb rename web taken
	[ "$status" -eq 1 ]
	[ "$output" = $'Error response from daemon: Conflict. The container name "/taken" is already in use\nError: failed to rename container named web' ]
	run fb update -m 512m --memory-swap -1 --cpus 1.5 --cpu-shares 512 --cpuset-cpus 0 --pids-limit 10 --restart on-failure:2 --blkio-weight 300 web dead1
	[ "$status" -eq 0 ]
	[ "$output" = $'web\ndead1\nfake warning\nfake warning' ]
	jq -s -e 'map(select(.method == "POST" and (.path | test("/web/update$")))) | .[0].body | fromjson |
		. == {"Memory":536870912,"MemorySwap":-1,"NanoCpus":1500000000,"CpuShares":512,"CpusetCpus":"0","PidsLimit":10,"BlkioWeight":300,"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":2}}' "$D/requests.log"
	run fb update web
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "you must provide one or more flags when using this command" ]
	run fb update -m lots web
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'" ]
	run fb update --cpus x web
	[ "$status" -eq 125 ]
	run fb update --restart always:3 web
	[ "$status" -eq 125 ]
	run fb update --blkio-weight 70000 web
	[ "$status" -eq 125 ]
	run fb update -m 1g nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ]
	run requests
	[ "${lines[0]}" = "POST /v1.41/containers/web/rename?name=web2" ]
	[ "$(jq -r 'select(.path | test("rename")) | .ctype' "$D/requests.log" | sort -u)" = null ]
}

@test "cli-containers fake: diff, export -o and to a pipe, never to a terminal" {
	run fb diff web
	[ "$status" -eq 0 ]
	[ "$output" = $'C /tmp\nA /tmp/new\nD /etc/motd' ]
	fb export web >"$D/a.tar"
	[ "$(tar -tf "$D/a.tar")" = $'etc/\netc/hostname' ]
	run fb export -o "$D/b.tar" web
	[ "$status" -eq 0 ]
	cmp "$D/a.tar" "$D/b.tar"
	[ "$(stat -c %a "$D/b.tar")" = 600 ] # docker's CopyToFile: a temp file renamed
	[ -z "$(find "$D" -name '.berth-download-*')" ]
	run fb export -o "$D/c.tar" nosuch
	[ "$status" -eq 1 ]
	[ ! -e "$D/c.tar" ]
	[ -z "$(find "$D" -name '.berth-download-*')" ]
	# script(1) gives the command a terminal for stdout
	run script -qec "$BERTH -H unix://$FSOCK export web" /dev/null
	[[ $output == *"cowardly refusing to save to a terminal. Use the -o flag or redirect"* ]]
	run requests
	[ "${lines[0]}" = "GET /v1.41/containers/web/changes" ]
	[ "${lines[1]}" = "GET /v1.41/containers/web/export" ]
}

@test "cli-containers fake: cp out: a file, a directory, into a directory, contents with /., '-' (cp_out, cp_dir_out)" {
	cd "$D"
	run fb cp web:/etc/passwd ./passwd.out
	[ "$status" -eq 0 ]
	[ -z "$output" ]
	[ "$(head -1 passwd.out)" = "root:x:0:0:root:/root:/bin/sh" ]
	mkdir into
	fb cp web:/etc/passwd into
	[ -f into/passwd ]
	fb cp web:/var/www ./www.out
	[ "$(cd www.out && find . | sort | tr '\n' ' ')" = ". ./index.html ./sub ./sub/a.txt " ]
	fb cp web:/var/www into/
	[ -f into/www/sub/a.txt ]
	mkdir flat
	fb cp web:/var/www/. flat
	[ -f flat/index.html ] && [ -f flat/sub/a.txt ]
	fb cp web:/etc/passwd - >p.tar
	[ "$(tar -tf p.tar)" = passwd ]
	run fb cp web:/nope out
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: Could not find the file /nope in container web" ]
	run fb cp web:/etc/passwd nodir/x
	[ "$status" -eq 1 ]
	[ "$output" = "invalid output path: directory \"$D/nodir\" does not exist" ]
	run fb cp web:/var/www passwd.out
	[ "$status" -eq 1 ]
	# a hostile archive: nothing lands outside the destination
	mkdir "$D/outside" hostile
	run fb cp web:/evil hostile/
	[ "$status" -eq 1 ]
	[[ $output == *"Cannot extract through symlink"* ]]
	[ -z "$(ls -A "$D/outside")" ]
	[ ! -e "$D/escaped" ] && [ ! -e hostile/escaped ]
	# members with ".." (a name or a hard link's target) are left out
	run fb cp web:/evil2 hostile/
	[ "$status" -eq 0 ]
	[ "$(cat hostile/evil2/ok)" = fine ]
	[ ! -e hostile/evil2/hard ] && [ ! -e hostile/escaped2 ] && [ ! -e "$D/escaped2" ]
	run fb cp a b
	[ "$status" -eq 1 ]
	[ "$output" = "must specify at least one container source" ]
	run fb cp web:/a web:/b
	[ "$output" = "copying between containers is not supported" ]
	run requests
	[ "${lines[0]}" = "GET /v1.41/containers/web/archive?path=%2Fetc%2Fpasswd" ]
	[ "${lines[2]}" = "GET /v1.41/containers/web/archive?path=%2Fvar%2Fwww" ]
}

@test "cli-containers fake: cp in: HEAD then PUT as docker (cp_in, cp_in_existing_dir), directories, '-', -a" {
	cd "$D"
	echo "hello from the host" >hello.txt
	mkdir -p ctx/sub
	echo FROM >ctx/Dockerfile
	echo b >ctx/sub/b
	ln -s Dockerfile ctx/link
	fb cp hello.txt web:/tmp/hello.txt
	fb cp hello.txt web:/tmp/
	fb cp ctx web:/tmp/
	tar -cf in.tar hello.txt
	fb cp - web:/tmp <in.tar
	fb cp -a hello.txt web:/tmp
	run requests
	[ "${lines[0]}" = "HEAD /v1.41/containers/web/archive?path=%2Ftmp%2Fhello.txt" ]
	[ "${lines[1]}" = "PUT /v1.41/containers/web/archive?noOverwriteDirNonDir=true&path=%2Ftmp" ]
	[ "${lines[2]}" = "HEAD /v1.41/containers/web/archive?path=%2Ftmp%2F" ]
	[ "${lines[3]}" = "PUT /v1.41/containers/web/archive?noOverwriteDirNonDir=true&path=%2Ftmp%2F" ]
	[ "${lines[6]}" = "PUT /v1.41/containers/web/archive?noOverwriteDirNonDir=true&path=%2Ftmp" ]
	[ "${lines[8]}" = "PUT /v1.41/containers/web/archive?copyUIDGID=true&noOverwriteDirNonDir=true&path=%2Ftmp" ]
	# the body is a tar, sent chunked with docker's Content-Type
	[ "$(jq -r 'select(.method == "PUT") | .ctype' requests.log | sort -u)" = text/plain ]
	[ "$(tar -tf put-1.tar)" = hello.txt ]
	[ "$(tar -xOf put-1.tar hello.txt)" = "hello from the host" ]
	[ "$(tar -tf put-3.tar | sort | tr '\n' ' ')" = "ctx/ ctx/Dockerfile ctx/link ctx/sub/ ctx/sub/b " ]
	[ "$(tar -tvf put-3.tar | grep ctx/link)" != "" ]
	[[ $(tar -tvf put-3.tar | grep ctx/link) == *"-> Dockerfile" ]]
	cmp in.tar put-4.tar
	# a file renamed on the way: web:/tmp/hello.txt did not exist
	run fb cp hello.txt web:/tmp/renamed.txt
	[ "$(tar -tf put-6.tar)" = renamed.txt ]
	# errors: a directory onto a file, a missing directory, a missing source
	run fb cp ctx web:/etc/passwd
	[ "$status" -eq 1 ]
	[ "$output" = "cannot copy directory" ]
	run fb cp hello.txt web:/nodir/
	[ "$status" -eq 1 ]
	[ "$output" = "no such directory" ]
	run fb cp nothere web:/tmp
	[ "$status" -eq 1 ]
	[ "$output" = "lstat $D/nothere: no such file or directory" ]
	run fb cp hello.txt nosuch:/tmp
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "cli-containers fake: events: docker's lines, --since/--until/--filter, --format json (events*.txt)" {
	run fb events --until 1795451900
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "2026-11-23T16:37:39.365629973Z container create 9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4 (image=busybox, name=web)" ]
	[ "${lines[1]}" = "2026-11-23T16:37:39.943559114Z container die 9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4 (exitCode=0, image=busybox, name=web)" ]
	[ "${lines[2]}" = "2026-11-23T16:37:42.715603287Z volume create evvol (driver=local)" ]
	run fb events --since 1795451861 --until 1795451863 --filter type=volume --format json
	[ "$output" = '{"Type":"volume","Action":"create","Actor":{"ID":"evvol","Attributes":{"driver":"local"}},"scope":"local","time":1795451862,"timeNano":1795451862715603287}' ]
	run fb events --since 10m --until 2026-11-23T16:37:39Z
	run requests
	[ "${lines[0]}" = "GET /v1.41/events?until=1795451900" ]
	[ "${lines[1]}" = "GET /v1.41/events?filters=%7B%22type%22%3A%7B%22volume%22%3Atrue%7D%7D&since=1795451861&until=1795451863" ]
	[[ ${lines[2]} =~ ^"GET /v1.41/events?since="[0-9]+"&until=1795451859.000000000"$ ]]
	since=${lines[2]#*since=}
	since=${since%%&*}
	now=$(date +%s)
	[ $((now - since)) -ge 599 ] && [ $((now - since)) -le 610 ]
	# the local zone, as docker prints it
	if [[ -e /usr/share/zoneinfo/America/New_York ]]; then
		TZ=America/New_York run fb events --until 1795451900
		[[ ${lines[0]} == "2026-11-23T11:37:39.365629973-05:00 container create "* ]]
	fi
	run fb events --since yesterday
	[ "$status" -eq 1 ]
	[[ $output == *'failed to parse value as time or duration: "yesterday"'* ]]
	# without --until the stream stays open until interrupted
	# the binary itself in the background (not the fb function's subshell),
	# so that $! is berth
	"$BERTH" -H "unix://$FSOCK" events >"$D/ev.out" 2>&1 &
	pid=$!
	echo "$pid" >>"$D/.pids"
	retry 50 0.1 grep -q "volume create" "$D/ev.out"
	kill -0 "$pid"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 143 ]
}

@test "cli-containers fake: container COMMAND dispatch, inspect of containers (-s, --type, missing)" {
	run fb container ls
	[ "${lines[1]:0:12}" = 9e5a9cced381 ]
	run fb container ps -a -q
	[ "${#lines[@]}" -eq 2 ]
	run fb container rm web
	[ "$output" = web ]
	run fb container
	[ "$status" -eq 0 ]
	for verb in cp diff export inspect kill ls pause prune rename restart rm stats stop top unpause update; do
		[[ $output == *"  $verb "* ]] || fail "berth container: no $verb"
	done
	run fb container nope
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "berth: unknown command: berth container nope" ]]
	run fb container inspect -s web
	[ "$status" -eq 0 ]
	jq -e '.[0].Name == "/web" and .[0].SizeRw == 12' <<<"$output"
	run fb inspect web
	jq -e '.[0].Id == "9e5a9cced3812d1d211088f2694ded0611c96c89f08480f06b89bbbe944a62d4"' <<<"$output"
	# transcripts/inspect_missing.txt: [] then docker's error
	fb inspect nosuchthing >"$D/out" 2>"$D/err" && fail "inspect of a missing object succeeded"
	[ "$(cat "$D/out")" = "[]" ]
	[ "$(cat "$D/err")" = "Error: No such object: nosuchthing" ]
	run fb inspect --type container nosuchthing
	[ "$status" -eq 1 ]
	run fb container inspect nosuchthing
	[ "$status" -eq 1 ]
	[[ $output == *"Error response from daemon: No such container: nosuchthing"* ]]
	run requests
	[[ $output == *"GET /v1.41/containers/web/json?size=1"* ]]
	[[ $output == *"GET /v1.41/images/nosuchthing/json"* ]]
}

@test "cli-containers fake: the docker CLI prints the same as berth for the same replies" {
	[[ -x $DOCKER ]] || skip "no docker CLI at $DOCKER"
	local cmd
	for cmd in "ps" "ps -a" "ps -a --no-trunc" "ps -as" "ps -l" "ps -n 1 -q" "ps -a --format json" \
		"top web" "diff web" "container prune -f" "rm nosuchcontainer" "rm -f nosuch3 web" \
		"stop web nosuch1 dead1" "kill -s HUP web" "restart -t 1 web" "pause web" "unpause web" \
		"rename web taken" "events --until 1795451900" "stats --no-stream" \
		"stats --no-stream --format json" "stats --no-stream --no-trunc web" \
		"container inspect nosuchx" "update --pids-limit 5 web dead1" "update -m 1g nosuch" \
		"inspect --type container nosuchx" "inspect --type image nosuchx" \
		"inspect --type bogus web" "inspect -s --type container web" "container inspect web nosuchx"; do
		# up to 3 tries: docker stats --no-stream at times prints no row (its
		# events/list race), and "N seconds ago" moves on between the two
		for try in 1 2 3; do
			# shellcheck disable=SC2086
			fb $cmd >"$D/b.out" 2>&1 && echo "rc=0" >>"$D/b.out" || echo "rc=$?" >>"$D/b.out"
			# shellcheck disable=SC2086
			DOCKER_HOST=unix://$FSOCK "$DOCKER" $cmd >"$D/d.out" 2>&1 && echo "rc=0" >>"$D/d.out" || echo "rc=$?" >>"$D/d.out"
			cmp -s "$D/d.out" "$D/b.out" && break
		done
		diff -u "$D/d.out" "$D/b.out" || fail "berth $cmd differs from docker $cmd"
	done
}

@test "cli-containers fake: --format templates of ps and stats print what the docker CLI prints" {
	[[ -x $DOCKER ]] || skip "no docker CLI at $DOCKER"
	local f args
	for f in '{{.Names}} {{.Status}}' 'table {{.Names}}\t{{.Status}}\t{{.Size}}' '{{json .Names}}' \
		'table {{.ID}}\t{{.Image}}\t{{.Ports}}' 'x{{ .ID }}y' '{{json .}}' 'table' \
		'{{.Nope}}' 'table {{.ID}} {{.Nope}}' '{{.Nope' \
		'stats:table {{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}' 'stats:{{.Container}}: {{.PIDs}}' \
		'stats:{{.Nope}}'; do
		args=(ps -a --format "$f")
		[[ $f == stats:* ]] && args=(stats --no-stream --format "${f#stats:}")
		for try in 1 2 3; do
			fb "${args[@]}" >"$D/b.out" 2>&1 && echo "rc=0" >>"$D/b.out" || echo "rc=$?" >>"$D/b.out"
			DOCKER_HOST=unix://$FSOCK "$DOCKER" "${args[@]}" >"$D/d.out" 2>&1 && echo "rc=0" >>"$D/d.out" || echo "rc=$?" >>"$D/d.out"
			cmp -s "$D/d.out" "$D/b.out" && break
		done
		diff -u "$D/d.out" "$D/b.out" || fail "berth ${args[*]} differs from docker's"
	done
	run fb ps -a --format '{{.Names}}'
	[ "$output" = $'web\ndead1' ]
	# CreatedAt in the local zone, as docker
	if [[ -e /usr/share/zoneinfo/America/New_York ]]; then
		d=$(TZ=America/New_York DOCKER_HOST=unix://$FSOCK "$DOCKER" ps -a --format '{{.CreatedAt}}')
		b=$(TZ=America/New_York fb ps -a --format '{{.CreatedAt}}')
		[ "$d" = "$b" ]
		[[ $b == *" -0500 EST"* || $b == *" -0400 EDT"* ]]
	fi
	run requests
	[[ $output == *"GET /v1.41/containers/json?all=1&size=1"* ]]
}

@test "cli-containers fake: cp both ways: the same requests, archives, files and messages as the docker CLI" {
	[[ -x $DOCKER ]] || skip "no docker CLI at $DOCKER"
	mkdir -p "$D/src/ctx/sub"
	echo "hello from the host" >"$D/src/hello.txt"
	echo a >"$D/src/ctx/Dockerfile"
	echo b >"$D/src/ctx/sub/b"
	ln -s Dockerfile "$D/src/ctx/link"
	local who c n=0
	for who in docker berth; do
		c=("$BERTH" -H "unix://$FSOCK")
		[[ $who == docker ]] && c=(env "DOCKER_HOST=unix://$FSOCK" "$DOCKER")
		mkdir "$D/$who" "$D/$who/into" "$D/$who/flat"
		: >"$D/requests.log"
		{
			cd "$D/src"
			"${c[@]}" cp hello.txt web:/tmp/hello.txt
			"${c[@]}" cp hello.txt web:/tmp/
			"${c[@]}" cp ctx web:/tmp/
			"${c[@]}" cp ctx web:/tmp/newname
			"${c[@]}" cp ctx/. web:/tmp/
			"${c[@]}" cp ctx web:/etc/passwd || echo "rc=$?"
			"${c[@]}" cp hello.txt web:/nodir/ || echo "rc=$?"
			"${c[@]}" cp nothere web:/tmp || echo "rc=$?"
			"${c[@]}" cp ctx/link web:/tmp/
			"${c[@]}" cp -L ctx/link web:/tmp/
			cd "$D/$who"
			"${c[@]}" cp web:/etc/passwd p.out
			"${c[@]}" cp web:/etc/passwd into
			"${c[@]}" cp web:/var/www w.out
			"${c[@]}" cp web:/var/www into/
			"${c[@]}" cp web:/var/www/. flat
			"${c[@]}" cp web:/etc/passwd - >p.tar
			"${c[@]}" cp web:/etc/passwd nodir/x || echo "rc=$?"
			"${c[@]}" cp web:/var/www p.out || echo "rc=$?"
			"${c[@]}" cp web:/etc/passwd into/passwd/ || echo "rc=$?"
			"${c[@]}" cp web:/etc/passwd newdir/ || echo "rc=$?"
			"${c[@]}" cp web:/nope x || echo "rc=$?"
		} 2>&1 | grep -v 'level=error' | sed "s|$D/$who|DEST|g" >"$D/$who.out"
		requests >"$D/$who.requests"
		# the archives berth (or docker) sent, by listing
		for f in $(ls -v "$D"/put-*.tar); do
			tar -tvf "$f" | awk '{print $1, $6, $7, $8}' | sort
			rm "$f"
		done >"$D/$who.tars"
		cd "$D"
	done
	diff -u "$D/docker.out" "$D/berth.out"
	diff -u "$D/docker.requests" "$D/berth.requests"
	diff -u "$D/docker.tars" "$D/berth.tars"
	[ "$(grep -c . "$D/berth.tars")" -gt 10 ]
	diff -r "$D/docker" "$D/berth"
	[ -f "$D/berth/flat/sub/a.txt" ] && [ -f "$D/berth/into/www/index.html" ]
	# on a terminal (script(1)) both end with the same report line
	cd "$D/src"
	for c in "cp hello.txt web:/tmp/hello.txt" "cp web:/etc/passwd ./pp.out" "cp ctx/. web:/tmp/" \
		"cp -q hello.txt web:/tmp/x"; do
		d=$(DOCKER_HOST=unix://$FSOCK script -qec "$DOCKER $c </dev/null" /dev/null | tr -d '\r')
		b=$(script -qec "$BERTH -H unix://$FSOCK $c </dev/null" /dev/null | tr -d '\r')
		[ "$d" = "$b" ] || fail "$c on a terminal: docker [$d], berth [$b]"
	done
	[ "$b" = "" ]
	[ "$(script -qec "$BERTH -H unix://$FSOCK cp web:/etc/passwd ./pp.out" /dev/null | tr -d '\r')" = "Successfully copied 2.05kB to $D/src/pp.out" ]
}

# ---- end to end against berthd ---------------------------------------------

@test "cli-containers: ps and its flags on berthd; the docker CLI's table has the same columns" {
	c1=$(mk created1 '["true"]' '{"Labels":{"tier":"db"}}')
	e1=$(run_ctr exited1 '["true"]')
	wait_ctr_status exited1 exited
	r1=$(run_ctr web '["sleep","1000"]')
	run b ps
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CONTAINER ID   IMAGE     COMMAND        CREATED                  STATUS                  PORTS     NAMES" ] ||
		[[ ${lines[0]} =~ ^"CONTAINER ID   IMAGE     COMMAND        CREATED"\ +"STATUS"\ +"PORTS     NAMES"$ ]]
	[[ ${lines[1]} =~ ^${r1:0:12}\ \ \ busybox\ \ \ \"sleep\ 1000\"\ \ \ .*\ ago\ +Up\ .*\ +web$ ]]
	[ "${#lines[@]}" -eq 2 ]
	# the docker CLI prints the same header and the same row (the times may
	# have moved on by a second)
	run dk ps
	[[ ${lines[0]} =~ ^"CONTAINER ID   IMAGE     COMMAND        CREATED" ]]
	[[ ${lines[1]} =~ ^${r1:0:12}\ \ \ busybox\ \ \ \"sleep\ 1000\"\ \ \ .*\ web$ ]]
	run b ps -a -q
	[ "$output" = "${r1:0:12}"$'\n'"${e1:0:12}"$'\n'"${c1:0:12}" ]
	[ "$(dk ps -a -q)" = "$output" ]
	run b ps -a -q --no-trunc
	[ "${lines[2]}" = "$c1" ]
	run b ps -n 2 -q
	[ "$output" = "${r1:0:12}"$'\n'"${e1:0:12}" ]
	run b ps -l -q
	[ "$output" = "${r1:0:12}" ]
	run b ps -a -q --filter status=exited
	[ "$output" = "${e1:0:12}" ]
	run b ps -a -q --filter label=tier=db --filter name=created
	[ "$output" = "${c1:0:12}" ]
	[ "$(dk ps -a -q --filter label=tier=db --filter name=created)" = "$output" ]
	run b ps -a --format json
	[ "${#lines[@]}" -eq 3 ]
	jq -e '.Names == "web" and .State == "running" and .Command == "\"sleep 1000\"" and (.Status | startswith("Up"))' <<<"${lines[0]}"
	jq -e '.Names == "exited1" and .State == "exited" and (.Status | test("^Exited \\(0\\) "))' <<<"${lines[1]}"
	jq -e '.Names == "created1" and .Status == "Created" and .Labels == "tier=db"' <<<"${lines[2]}"
	# the docker CLI's json rows carry the same keys and values but the times
	dk ps -a --format json | jq -c 'del(.RunningFor, .Status, .CreatedAt)' >"$D/d.json"
	b ps -a --format json | jq -c 'del(.RunningFor, .Status, .CreatedAt)' >"$D/b.json"
	diff -u "$D/d.json" "$D/b.json"
	run b ps -a -s
	[[ ${lines[0]} =~ \ NAMES\ +SIZE$ ]]
	[[ ${lines[1]} =~ \ web\ +[0-9.]+[kMG]?B\ \(virtual\ [0-9.]+[kMG]?B\)$ ]]
	run b container ls -a --format json
	[ "${#lines[@]}" -eq 3 ]
}

@test "cli-containers: stop (-t, SIGTERM ignored), kill -s, restart, pause, unpause, several names and a missing one" {
	run_ctr ign '["sh","-c","trap \"\" TERM; while :; do sleep 0.1; done"]' >/dev/null
	run_ctr k1 '["sh","-c","trap \"exit 7\" USR1; while :; do sleep 0.1; done"]' >/dev/null
	run_ctr p1 >/dev/null
	start=$(date +%s%N)
	run b stop -t 1 ign
	ms=$((($(date +%s%N) - start) / 1000000))
	[ "$status" -eq 0 ]
	[ "$output" = ign ]
	echo "stop -t 1 took $ms ms" >&2
	# at least -t 1, well below docker's 10 s (slack for a loaded machine)
	[ "$ms" -ge 900 ] && [ "$ms" -lt 9000 ]
	[ "$(ctr_inspect ign .State.ExitCode)" = 137 ]
	wait_sig_caught k1 10
	run b kill -s USR1 k1
	[ "$output" = k1 ]
	wait_ctr_status k1 exited
	[ "$(ctr_inspect k1 .State.ExitCode)" = 7 ]
	pid1=$(ctr_inspect p1 .State.Pid)
	run b restart -t 1 p1
	[ "$status" -eq 0 ]
	[ "$output" = p1 ]
	wait_ctr_status p1 running
	[ "$(ctr_inspect p1 .State.Pid)" != "$pid1" ]
	run b pause p1
	[ "$output" = p1 ]
	[ "$(ctr_state p1)" = paused ]
	[[ $(b ps --format json | jq -r .Status) == *"(Paused)" ]]
	run b unpause p1
	[ "$output" = p1 ]
	[ "$(ctr_state p1)" = running ]
	# several names: the ones that worked, then docker's error lines, exit 1
	b stop -t 1 p1 nosuch1 ign >"$D/out" 2>"$D/err" && fail "stop with a missing name succeeded"
	[ "$(cat "$D/out")" = $'p1\nign' ]
	[ "$(cat "$D/err")" = "Error response from daemon: No such container: nosuch1" ]
	dk stop nosuch1 2>"$D/derr" || true
	diff "$D/derr" "$D/err"
	run b kill p1
	[ "$status" -eq 1 ]
	[[ $output == "Error response from daemon: "*"is not running"* ]]
}

@test "cli-containers: rm, rm -f, rm -v, rm of a missing one (rm_missing bytes), container prune" {
	run_ctr running1 >/dev/null
	mk created1 >/dev/null
	e1=$(run_ctr exited1 '["true"]')
	wait_ctr_status exited1 exited
	run b rm running1
	[ "$status" -eq 1 ]
	[[ $output == "Error response from daemon: "*"running"* ]]
	run b rm -f -v running1
	[ "$status" -eq 0 ]
	[ "$output" = running1 ]
	run b rm nosuchcontainer
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuchcontainer" ]
	run b container prune -f
	[ "$status" -eq 0 ]
	[[ $output == "Deleted Containers:"* ]]
	[[ $output == *"$e1"* ]]
	[[ $output == *"Total reclaimed space: "* ]]
	[ "$(b ps -aq)" = "" ]
	run b container prune -f
	[ "$output" = "Total reclaimed space: 0B" ]
	[ "$(dk container prune -f)" = "$output" ]
}

@test "cli-containers: top, stats --no-stream (and the docker CLI's), diff" {
	r1=$(run_ctr top1 '["sh","-c","echo x >/newfile; rm -f /etc/motd; sleep 1000"]')
	retry 50 0.1 b top top1 >/dev/null
	run b top top1
	[ "$status" -eq 0 ]
	[[ ${lines[0]} =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]]
	[[ $output == *"sleep 1000"* ]]
	[ "$(dk top top1 | head -1)" = "${lines[0]}" ]
	run b top top1 -o pid,comm
	[[ ${lines[0]} =~ ^\ *PID\ +COMMAND$ ]]
	run b stats --no-stream
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT     MEM %     NET I/O   BLOCK I/O   PIDS" ] ||
		[[ ${lines[0]} =~ ^"CONTAINER ID   NAME      CPU %     MEM USAGE / LIMIT"\ +"MEM %"\ +"NET I/O"\ +"BLOCK I/O"\ +"PIDS"$ ]]
	[[ ${lines[1]} =~ ^${r1:0:12}\ +top1\ +[0-9]+\.[0-9]{2}%\ +[0-9.]+[KMG]?i?B\ /\ [0-9.]+[KMG]?i?B\ +[0-9]+\.[0-9]{2}%\ .*\ [0-9]+$ ]]
	dk stats --no-stream --format '{{.ID}} {{.Name}}' >"$D/d.out"
	b stats --no-stream --format json | jq -r '"\(.ID) \(.Name)"' >"$D/b.out"
	diff "$D/d.out" "$D/b.out"
	run b stats --no-stream --format json top1
	jq -e '.Name == "top1" and (.PIDs | tonumber) >= 1 and (.CPUPerc | endswith("%"))' <<<"$output"
	run b stats --no-stream nosuch
	[ "$status" -eq 1 ]
	run b diff top1
	[ "$status" -eq 0 ]
	[[ $output == *"A /newfile"* ]]
	[[ $output == *"D /etc/motd"* ]] || [[ $output != *"/etc/motd"* ]]
	[ "$(dk diff top1)" = "$output" ]
}

@test "cli-containers: stats without names follows events: started containers come in, removed ones go" {
	run_ctr st1 >/dev/null
	berthd_log_mark
	"$BERTH" -H "unix://$SOCK" stats --format 'table {{.Name}}\t{{.PIDs}}' >"$D/st.out" 2>&1 &
	pid=$!
	echo "$pid" >>"$D/.pids"
	# st2 starts once stats follows the events (its GET /events is in)
	wait_berthd_log 'api: GET [^ ]*/events'
	sleep 0.2
	# the last table printed (after its last NAME header)
	last() { awk '/^NAME/ { n = 0; delete rows; next } { rows[n++] = $1 } END { for (i = 0; i < n; i++) print rows[i] }' "$D/st.out" | sort | tr '\n' ' '; }
	retry 50 0.1 grep -q '^st1 ' "$D/st.out"
	run_ctr st2 >/dev/null
	retry 100 0.1 bash -c "awk '/^NAME/ { n = 0; delete rows; next } { rows[n++] = \$1 } END { for (i = 0; i < n; i++) print rows[i] }' '$D/st.out' | grep -qx st2"
	[ "$(last)" = "st1 st2 " ]
	api -X DELETE -o /dev/null "/containers/st1?force=1"
	only_st2() { [ "$(last)" = "st2 " ]; }
	retry 50 0.1 only_st2
	[ "$(last)" = "st2 " ]
	kill -0 "$pid"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 143 ]
}

@test "cli-containers: rename and update through berth; inspect shows the new values" {
	id=$(run_ctr old)
	mk taken >/dev/null
	run b rename old new
	[ "$status" -eq 0 ]
	[ "$(ctr_inspect new .Id)" = "$id" ]
	run b rename new taken
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "Error response from daemon: "*"Conflict. The container name \"/taken\" is already in use"* ]]
	[ "${lines[1]}" = "Error: failed to rename container named new" ]
	run b update -m 64m --memory-swap 128m --cpus 0.5 --cpu-shares 512 --pids-limit 50 --restart on-failure:3 new
	[ "$status" -eq 0 ]
	[ "$output" = new ]
	j=$(api /containers/new/json)
	jq -e '.HostConfig.Memory == 67108864 and .HostConfig.MemorySwap == 134217728 and .HostConfig.NanoCpus == 500000000 and .HostConfig.CpuShares == 512 and .HostConfig.PidsLimit == 50 and .HostConfig.RestartPolicy.Name == "on-failure" and .HostConfig.RestartPolicy.MaximumRetryCount == 3' <<<"$j"
	run b update --restart always nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "cli-containers: cp both ways and export against berthd, as the docker CLI does" {
	run_ctr cpbox >/dev/null
	cd "$D"
	echo "hello from the host" >hello.txt
	mkdir -p ctx/sub
	echo FROM >ctx/Dockerfile
	echo b >ctx/sub/b
	run b cp hello.txt cpbox:/tmp/hello.txt
	[ "$status" -eq 0 ]
	run b cp ctx cpbox:/tmp/
	[ "$status" -eq 0 ]
	run b cp cpbox:/tmp/hello.txt ./back.txt
	[ "$status" -eq 0 ]
	cmp hello.txt back.txt
	run b cp cpbox:/tmp/ctx ./ctx.back
	[ "$status" -eq 0 ]
	diff -r ctx ctx.back
	b cp cpbox:/etc/passwd - | tar -tf - >"$D/list"
	[ "$(cat "$D/list")" = passwd ]
	tar -cf - hello.txt | b cp - cpbox:/
	b cp cpbox:/hello.txt root.txt
	cmp hello.txt root.txt
	# the docker CLI reads back what berth wrote, and the other way round
	DOCKER_HOST=unix://$SOCK "$DOCKER" cp cpbox:/tmp/ctx ./ctx.docker
	diff -r ctx ctx.docker
	run b cp cpbox:/nope x
	[ "$status" -eq 1 ]
	[[ $output == "Error response from daemon: "* ]]
	run b export -o "$D/fs.tar" cpbox
	[ "$status" -eq 0 ]
	tar -tf "$D/fs.tar" >"$D/fs.list"
	grep -qx 'bin/busybox\|./bin/busybox' "$D/fs.list"
	grep -q 'tmp/hello.txt' "$D/fs.list"
	b export cpbox | tar -tf - | grep -q 'tmp/ctx/sub/b'
}

@test "cli-containers: cp streams: 64 MiB both ways, berth's memory stays small" {
	run_ctr big >/dev/null
	head -c $((64 << 20)) /dev/urandom >"$D/big.bin"
	/usr/bin/time -f %M -o "$D/rss.in" "$BERTH" -H "unix://$SOCK" cp "$D/big.bin" big:/tmp/big.bin
	/usr/bin/time -f %M -o "$D/rss.out" "$BERTH" -H "unix://$SOCK" cp big:/tmp/big.bin "$D/back.bin"
	cmp "$D/big.bin" "$D/back.bin"
	echo "max RSS: in $(cat "$D/rss.in") KiB, out $(cat "$D/rss.out") KiB" >&2
	# nothing the size of the file is held in memory
	[ "$(cat "$D/rss.in")" -lt 30000 ] && [ "$(cat "$D/rss.out")" -lt 30000 ]
}

@test "cli-containers: events: a live stream of start/die lines, --since/--until, --filter, --format json" {
	berthd_log_mark
	"$BERTH" -H "unix://$SOCK" events --filter type=container >"$D/ev.out" 2>&1 &
	pid=$!
	echo "$pid" >>"$D/.pids"
	# subscribed (not a fixed sleep: the live stream does not replay what came before)
	wait_events_live "$D/ev.out"
	since=$(date +%s)
	id=$(run_ctr evbox '["true"]')
	wait_ctr_status evbox exited
	retry 50 0.1 grep -q " container die $id " "$D/ev.out"
	grep -Eq "^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z container start $id \(.*name=evbox.*\)$" "$D/ev.out"
	grep -Eq "^.* container die $id \(.*exitCode=0.*\)$" "$D/ev.out"
	kill -TERM "$pid"
	wait "$pid" || st=$?
	[ "${st:-0}" -eq 143 ]
	until=$(($(date +%s) + 1))
	run b events --since "$since" --until "$until" --filter container=evbox --format json
	[ "$status" -eq 0 ]
	jq -s -e 'map(select(.Action == "start")) | length == 1 and .[0].Actor.Attributes.name == "evbox"' <<<"$output"
	run b events --since "$since" --until "$until" --filter event=die
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == *" container die $id "* ]]
	dk events --since "$since" --until "$until" --filter event=die >"$D/d.out"
	diff "$D/d.out" <(printf '%s\n' "${lines[@]}")
}

@test "cli-containers: inspect finds containers then images; --type, -s; container inspect" {
	id=$(mk insp)
	run b inspect insp
	[ "$status" -eq 0 ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = "$id" ]
	run b inspect busybox
	[[ $(jq -r '.[0].Id' <<<"$output") =~ ^sha256: ]]
	run b inspect --type image insp
	[ "$status" -eq 1 ]
	run b inspect -s insp
	jq -e '.[0] | has("SizeRw")' <<<"$output"
	run b container inspect insp busybox
	[ "$status" -eq 1 ]
	[ "$(jq -r '.[0].Id' <<<"${lines[*]}" 2>/dev/null || true)" != "" ] || true
	[[ $output == *"No such container: busybox"* ]]
	b inspect nosuchthing >"$D/out" 2>"$D/err" && fail "inspect of a missing object succeeded"
	[ "$(cat "$D/out")" = "[]" ]
	[ "$(cat "$D/err")" = "Error: No such object: nosuchthing" ]
}
