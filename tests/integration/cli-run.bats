#!/usr/bin/env bats
# berth run/create/start/attach/exec/logs/wait end to end against berthd,
# and the same scenarios through the real docker CLI where it makes sense
# (the harness: containers-helpers.bash). Interactive runs go through
# ptyrun.py, a pseudo-terminal driven by the test. The "cli-run fake:" tests
# run the CLI against fakerun.py, a stand-in that logs every request, to
# check the wire sequence against the recorded transcripts
# (../shared/docker-api) and the terminal handling without containers.

load containers-helpers
bats_require_minimum_version 1.5.0

PTY=$BATS_TEST_DIRNAME/ptyrun.py
FAKE=$BATS_TEST_DIRNAME/fakerun.py

setup() {
	if [[ $BATS_TEST_DESCRIPTION == "cli-run fake:"* ]]; then
		fake_setup
	else
		ct_setup
		ct_start_default
	fi
}

teardown() {
	if [[ $BATS_TEST_DESCRIPTION == "cli-run fake:"* ]]; then
		fake_teardown
	else
		ct_teardown
	fi
}

fake_setup() {
	[[ -x $BERTH ]] || skip "berth not built: $BERTH"
	D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-cr.XXXXXX")
	FSOCK=$D/f.sock
	python3 "$FAKE" --socket "$FSOCK" --log "$D/req.log" 2>"$D/fake.err" &
	FPID=$!
	retry 100 0.05 test -S "$FSOCK"
}

fake_teardown() {
	[[ -n ${FPID:-} ]] && kill "$FPID" 2>/dev/null && wait "$FPID" 2>/dev/null
	[[ -n ${D:-} && -d $D ]] && rm -rf "$D"
	return 0
}

# f ARGS...: berth against the fake
f() { "$BERTH" -H "unix://$FSOCK" "$@"; }
# the request lines the fake got, without pings, ids as ID
reqs() { grep '^REQ ' "$D/req.log" | grep -v _ping | sed -E 's/^REQ //; s/ HTTP\/1.1$//; s/[0-9a-f]{64}/ID/g'; }

# both CLIS: "b" and "dk" (docker skipped when it is not installed)
clis() {
	echo b
	[[ -x $DOCKER ]] && echo dk
}

@test "cli-run: run --rm echo prints the output, removes the container, exit 0" {
	for c in $(clis); do
		run $c run --rm busybox echo hi
		echo "$c: $output"
		[ "$status" -eq 0 ]
		[ "$output" = hi ]
	done
	run api '/containers/json?all=1'
	[ "$(jq length <<<"$output")" -eq 0 ]
}

@test "cli-run: the container's exit status is run's; stdout and stderr apart" {
	for c in $(clis); do
		run $c run --rm busybox sh -c 'exit 7'
		[ "$status" -eq 7 ]
		out=$($c run --rm busybox sh -c 'echo out; echo err >&2' 2>"$D/err")
		[ "$out" = out ]
		[ "$(cat "$D/err")" = err ]
	done
	# a program that is not there: 127 as docker
	run -127 b run --rm busybox /no/such/program
	echo "$output"
}

@test "cli-run: -e --env-file -w -u --entrypoint -h -l reach the container" {
	printf '# comment\nFROM_FILE=f1\nPASSED\n' >"$D/env"
	export PASSED=through
	for c in $(clis); do
		run $c run --rm -e FOO=bar --env-file "$D/env" -w /tmp -u 33:33 \
			-h myhost --entrypoint sh -l app=demo busybox \
			-c 'echo $FOO $FROM_FILE $PASSED; pwd; id -u; id -g; hostname'
		echo "$c: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "bar f1 through" ]
		[ "${lines[1]}" = /tmp ]
		[ "${lines[2]}" = 33 ]
		[ "${lines[3]}" = 33 ]
		[ "${lines[4]}" = myhost ]
	done
	# flags end at the image: -l and -h go to the command
	run b run --rm busybox ls -l -d /
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == d* ]]
}

@test "cli-run: create + start -a; create prints the id, start the name" {
	run b create --name c1 busybox echo created-then-started
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	[ "$(ctr_state c1)" = created ]
	run b start -a c1
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = created-then-started ]
	run b start c1
	[ "$output" = c1 ]
	run b wait c1
	[ "$output" = 0 ]
}

@test "cli-run: -d prints the id; logs, logs -f until exit, -t, --tail, --since, --until" {
	run b run -d --name talker busybox sh -c 'for i in 1 2 3 4 5; do echo tick $i; echo err $i >&2; sleep 0.3; done'
	[ "$status" -eq 0 ]
	[[ $output =~ ^[0-9a-f]{64}$ ]]
	# -f ends by itself when the container exits
	run timeout 20 "$BERTH" -H "unix://$SOCK" logs -f talker
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"tick 5"* ]]
	[[ $output == *"err 5"* ]]
	out=$(b logs talker 2>/dev/null)
	[ "$(echo "$out" | wc -l)" -eq 5 ]
	err=$(b logs talker 2>&1 >/dev/null)
	[ "$(echo "$err" | head -1)" = "err 1" ]
	# --tail counts the log's lines, both streams together
	run b logs --tail 2 talker
	echo "tail 2: $output"
	[ "${#lines[@]}" -eq 2 ]
	run b logs -t talker
	[[ ${lines[0]} =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]+Z\ (tick|err)\ 1$ ]]
	run b logs --since 1m talker
	[ "${#lines[@]}" -eq 10 ]
	run b logs --until 2000-01-01T00:00:00Z talker
	[ "${#lines[@]}" -eq 0 ]
	run b logs --since "$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)" talker
	[ "${#lines[@]}" -eq 0 ]
	run b logs --since yesterday talker
	[ "$status" -eq 1 ]
	[ "$output" = 'invalid value for "since": failed to parse value as time or duration: "yesterday"' ]
	if [[ -x $DOCKER ]]; then
		[ "$(dk logs talker 2>&1 | sort)" = "$(b logs talker 2>&1 | sort)" ]
	fi
}

@test "cli-run: wait prints exit codes; a missing container is docker's error" {
	b run -d --name w7 busybox sh -c 'sleep 0.5; exit 7' >/dev/null
	run b wait w7
	[ "$status" -eq 0 ]
	[ "$output" = 7 ]
	run b wait nosuch
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "cli-run: run -i with piped stdin; exec with piped stdin" {
	for c in $(clis); do
		run sh -c "printf 'line1\nline2\n' | $(cli_path "$c") -H unix://$SOCK run --rm -i busybox wc -l"
		[ "$status" -eq 0 ]
		[ "$(echo $output)" = 2 ]
	done
	b run -d --name web busybox sleep 1000 >/dev/null
	run sh -c "echo piped | $BERTH -H unix://$SOCK exec -i web cat"
	[ "$status" -eq 0 ]
	[ "$output" = piped ]
}

@test "cli-run: exec: output, exit code, -e -w -u, -d, a stopped container" {
	b run -d --name web busybox sleep 1000 >/dev/null
	for c in $(clis); do
		run $c exec web ls /
		[ "$status" -eq 0 ]
		[[ $output == *etc* ]]
		run $c exec web sh -c 'exit 5'
		[ "$status" -eq 5 ]
		run $c exec -e X=1 -w /etc -u 33 web sh -c 'echo $X; pwd; id -u'
		[ "$output" = "$(printf '1\n/etc\n33')" ]
		printf '# c\nF=1\nFROMCLI\nX=file\n' >"$D/x.env"
		FROMCLI=cli run $c exec --env-file "$D/x.env" -e X=flag web sh -c 'echo $F $FROMCLI $X'
		[ "$output" = "1 cli flag" ]
		run $c exec --env-file "$D/nosuch.env" web true
		[ "$status" -ne 0 ]
		[[ $output == *"open $D/nosuch.env: no such file or directory"* ]]
	done
	run b exec -d web sh -c 'echo detached >/tmp/mark'
	[ "$status" -eq 0 ]
	retry 50 0.1 b exec web test -e /tmp/mark
	b run --name stopped busybox true
	run b exec stopped true
	[ "$status" -eq 1 ]
	[[ $output == "Error response from daemon: "*"is not running"* ]]
}

@test "cli-run: run -it on a pty: raw mode, the shell's prompt, exit code, the terminal size" {
	for c in $(clis); do
		run python3 "$PTY" --rows 30 --cols 100 'expect:/ # ' send:'stty size\r' \
			'expect:30 100' send:'exit 4\r' -- "$(cli_path "$c")" -H "unix://$SOCK" run -it --rm busybox sh
		echo "$c: $output"
		[ "$status" -eq 4 ]
		[[ $output == *"30 100"* ]]
	done
}

@test "cli-run: SIGWINCH becomes a resize; exec -it" {
	b run -d --name web busybox sleep 1000 >/dev/null
	for c in $(clis); do
		# the new size reaches the container a moment after SIGWINCH (the
		# client's resize call): the shell waits for it, not a fixed sleep
		run python3 "$PTY" 'expect:/ # ' send:'stty size\r' expect:'24 80' resize:30x100 \
			send:'until [ "$(stty size)" = "30 100" ]; do sleep 0.1; done; echo size-$((3*10))x$((10*10))\r' \
			expect:'size-30x100' send:'exit\r' -- \
			"$(cli_path "$c")" -H "unix://$SOCK" exec -it web sh
		echo "$c: $output"
		[ "$status" -eq 0 ]
	done
	# the input device must be a terminal for -it
	run b exec -it web true </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "the input device is not a TTY" ]
}

@test "cli-run: attach, then detach with ctrl-p ctrl-q; the container runs on" {
	for c in $(clis); do
		$c run -dit --name "att$c" busybox sh >/dev/null
		run python3 "$PTY" sleep:0.5 send:'echo attached-ok\r' expect:'\nattached-ok' sleep:0.3 \
			send:'\x10\x11' -- "$(cli_path "$c")" -H "unix://$SOCK" attach "att$c"
		echo "$c: $output"
		[ "$status" -eq 1 ]
		[[ $output == *"read escape sequence"* ]]
		[ "$(ctr_state "att$c")" = running ]
		# --detach-keys
		run python3 "$PTY" sleep:0.5 send:'echo again\r' expect:'\nagain' sleep:0.3 send:'\x01' \
			-- "$(cli_path "$c")" -H "unix://$SOCK" attach --detach-keys ctrl-a "att$c"
		[ "$status" -eq 1 ]
		[ "$(ctr_state "att$c")" = running ]
	done
	# run -it detaches with exit 0 and leaves the container running (with a
	# tty, the end of the client's stdin does not close the container's)
	bad=
	for c in $(clis); do
		run python3 "$PTY" 'expect:/ # ' send:'\x10\x11' -- "$(cli_path "$c")" -H "unix://$SOCK" \
			run -it --name "itd$c" busybox sh
		echo "$c: $output"
		[ "$status" -eq 0 ]
		sleep 0.5
		[ "$(ctr_state "itd$c")" = running ] || bad+="$c: itd$c is $(ctr_state "itd$c") after the detach; "
	done
	[ -z "$bad" ] || fail "$bad"
	run b attach nosuch
	[ "$status" -eq 1 ]
}

@test "cli-run: --rm removes the container after a failure too; -d --rm" {
	run b run --rm --name gone busybox sh -c 'exit 3'
	[ "$status" -eq 3 ]
	run api_status GET /containers/gone/json
	api_status GET /containers/gone/json
	[ "$STATUS" = 404 ]
	b run -d --rm --name gone2 busybox sleep 0.3 >/dev/null
	retry 100 0.1 bash -c "! curl -sf --unix-socket $SOCK http://b/containers/gone2/json >/dev/null"
}

@test "cli-run: limits are visible in the container's cgroup" {
	b run -d --name lim -m 64m --memory-swap 128m --cpus 0.5 --cpu-shares 512 --pids-limit 42 \
		--cpuset-cpus 0 busybox sleep 1000 >/dev/null
	cg=$(ctr_inspect lim '.HostConfig.Memory')
	[ "$cg" = 67108864 ]
	if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
		run b exec lim cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max /sys/fs/cgroup/cpu.max
		echo "$output"
		[ "${lines[0]}" = 67108864 ]
		[ "${lines[1]}" = 42 ]
		[ "${lines[2]}" = "50000 100000" ]
		run b exec lim cat /sys/fs/cgroup/memory.swap.max /sys/fs/cgroup/cpu.weight /sys/fs/cgroup/cpuset.cpus
		echo "$output"
		[ "${lines[0]}" = 67108864 ]
		[ "${lines[1]}" = 20 ] # shares 512 in cgroup v2's weight: 1 + (512-2)*9999/262142
		[ "${lines[2]}" = 0 ]
	else
		run b exec lim cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/pids/pids.max
		echo "$output"
		[ "${lines[0]}" = 67108864 ]
		[ "${lines[1]}" = 42 ]
	fi
}

@test "cli-run: --init reaps zombies; pid 1 is the init" {
	run b run --rm --init busybox sh -c 'sh -c "sleep 0.1 & exit 0"; sleep 0.6; ps -o pid,stat,comm'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ! $output =~ \ Z ]]
	[[ $(awk '$1 == 1 { print $3 }' <<<"$output") != sh ]]
}

@test "cli-run: bad flag values give docker's messages, exit 125" {
	run b run -m 5x busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "invalid argument \"5x\" for \"-m, --memory\" flag: invalid suffix: 'x'" ]
	[[ $output == *"Run 'berth run --help' for more information"* ]]
	run b run --cpus abc busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = 'invalid argument "abc" for "--cpus" flag: failed to parse abc as a rational number' ]
	run b run --ulimit nofile busybox true
	[ "${lines[0]}" = 'invalid argument "nofile" for "--ulimit" flag: invalid ulimit argument: nofile' ]
	run b run --env-file /nonexistent busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth: open /nonexistent: no such file or directory" ]
	run b run --restart always --rm busybox true
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth: conflicting options: cannot specify both --restart and --rm" ]
	# the docker CLI says the same, word for word (but its name)
	if [[ -x $DOCKER ]]; then
		for args in "-m 5x" "-m lots" "--memory-swap 1.5.2m" "--cpus abc" "--cpus 0.0000000001" \
			"--ulimit nofile" "--ulimit nofile=2:1" "--pids-limit x" "--sysctl kernel.x=1" \
			"-a foo" "-e =x" "--pid bad" "--env-file /nonexistent" "--restart always --rm" \
			"--restart :3" "--security-opt seccomp=/nonexistent"; do
			# shellcheck disable=SC2086
			want=$(dk run $args busybox true 2>&1 | sed 's/docker/berth/g') || true
			# shellcheck disable=SC2086
			got=$(b run $args busybox true 2>&1) || true
			[ "$got" = "$want" ] || fail "run $args: berth said [$got], docker [$want]"
		done
	fi
}

@test "cli-run: a missing image is pulled with progress from a local registry, then run" {
	command -v docker-registry >/dev/null || skip "docker-registry not installed"
	port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	REG=127.0.0.1:$port
	mkdir -p "$D/reg"
	printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
		"$D/reg/data" "$REG" >"$D/reg/config.yml"
	docker-registry serve "$D/reg/config.yml" >"$D/reg/log" 2>&1 &
	echo $! >>"$D/.pids"
	retry 100 0.1 curl -sf -o /dev/null "http://$REG/v2/"
	b tag busybox "$REG/bb:1"
	b push "$REG/bb:1" >/dev/null
	b rmi "$REG/bb:1" >/dev/null
	run b run --rm "$REG/bb:1" echo pulled-and-ran
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Unable to find image '$REG/bb:1' locally" ]
	[[ $output == *"Pull complete"* || $output == *"Already exists"* ]]
	[[ $output == *"Status: Downloaded newer image for $REG/bb:1"* ]]
	[ "${lines[-1]}" = pulled-and-ran ]
	if [[ -x $DOCKER ]]; then
		b rmi "$REG/bb:1" >/dev/null
		run dk run --rm "$REG/bb:1" echo pulled-by-docker
		echo "dk: $output"
		[ "$status" -eq 0 ]
		[ "${lines[0]}" = "Unable to find image '$REG/bb:1' locally" ]
		[[ $output == *"Status: Downloaded newer image for $REG/bb:1"* ]]
		[ "${lines[-1]}" = pulled-by-docker ]
	fi
	# a manifest that is not there: the pull's error, exit 125
	run b run --rm "$REG/nosuch:1" true
	echo "$output"
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "Unable to find image '$REG/nosuch:1' locally" ]
	[[ ${lines[1]} == "berth: Error response from daemon: "* ]]
	# --pull never does not pull
	run b run --rm --pull never "$REG/nosuch:1" true
	[ "$status" -eq 125 ]
	[[ $output != *"Unable to find"* ]]
}

cli_path() {
	case $1 in
	b) echo "$BERTH" ;;
	dk) echo "$DOCKER" ;;
	esac
}

# ---- against fakerun.py: the wire sequence and the terminal --------------

@test "cli-run fake: run --rm is create, attach, wait?condition=removed, start (run_rm_echo); streams apart; exit status" {
	run f run --rm busybox echo hi
	[ "$status" -eq 0 ]
	[ "$output" = hi ]
	[ "$(reqs)" = "$(printf '%s\n' 'POST /v1.41/containers/create' \
		'POST /v1.41/containers/ID/attach?stderr=1&stdout=1&stream=1' \
		'POST /v1.41/containers/ID/wait?condition=removed' 'POST /v1.41/containers/ID/start')" ]
	# the attach head as the docker CLI sends it (§3.2)
	grep -A6 'attach?' "$D/req.log" | grep -q '^HDR Upgrade: tcp$'
	grep -A6 'attach?' "$D/req.log" | grep -q '^HDR Connection: Upgrade$'
	run f run busybox err to-stderr exit 7
	[ "$status" -eq 7 ]
	[ -z "$(f run busybox err x 2>/dev/null)" ]
	[ "$(f run busybox err x 2>&1 >/dev/null)" = x ]
	# next-exit without --rm, no wait with -d
	: >"$D/req.log"
	f run -d --name web busybox echo x >/dev/null
	[ "$(reqs)" = "$(printf '%s\n' 'POST /v1.41/containers/create?name=web' 'POST /v1.41/containers/ID/start')" ]
}

@test "cli-run fake: the create body is the docker CLI's (run_it transcript), flag for flag" {
	python3 "$PTY" 'expect:/ # ' send:'exit\r' -- "$BERTH" -H "unix://$FSOCK" run -it --rm busybox sh >/dev/null
	mine=$(grep '^BODY {"Hostname"' "$D/req.log" | head -1 | cut -c6-)
	docker=$(grep -A1 '^\[body: 1727 bytes\]' /work/shared/docker-api/transcripts/run_it.txt | tail -1 | sed 's/\\n$//')
	[[ -n $docker ]] || skip "no transcript"
	# the same keys in the same order with the same values, except the endpoint
	# settings docker 28 fills in for the default network
	norm='del(.NetworkingConfig) | del(.Cmd)'
	[ "$(jq -c "$norm" <<<"$mine")" = "$(jq -c "$norm" <<<"$docker")" ]
	[ "$(jq -c .Cmd <<<"$mine")" = '["sh"]' ]
}

@test "cli-run fake: run -it on a pty: stdin=1, resize at start and on SIGWINCH, exit status, terminal restored" {
	run python3 "$PTY" --rows 33 --cols 111 'expect:/ # ' send:'hello\r' expect:'you said hello' \
		resize:30x100 sleep:0.3 send:'exit 3\r' -- "$BERTH" -H "unix://$FSOCK" run -it --rm busybox shell
	echo "$output"
	[ "$status" -eq 3 ]
	[ "$(reqs | grep -c 'attach?stderr=1&stdin=1&stdout=1&stream=1')" -eq 1 ]
	reqs | grep -qx 'POST /v1.41/containers/ID/resize?h=33&w=111'
	reqs | grep -qx 'POST /v1.41/containers/ID/resize?h=30&w=100'
	# raw mode is undone when run ends, and when it is killed
	run python3 "$PTY" 'expect:/ # ' send:'exit\r' sleep:0.3 -- sh -c \
		"'$BERTH' -H unix://$FSOCK run -it busybox shell; stty -a | grep -o -- '-\?icanon'"
	[[ $output == *$'\n'icanon* ]]
	run python3 "$PTY" 'expect:/ # ' sleep:0.2 -- sh -c \
		"exec 3<&0; '$BERTH' -H unix://$FSOCK run -it busybox shell <&3 3<&- & p=\$!; i=0
		while stty -a | grep -q -- ' icanon' && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done
		stty -a | grep -q -- '-icanon' && echo raw-seen
		kill -TERM \$p; wait \$p; stty -a | grep -o -- '-\?icanon'"
	echo "$output"
	# (run in the background with the pty as its stdin: sh gives a background
	# job /dev/null, and run -it would only say "not a TTY"; killed once raw)
	[[ $output == *raw-seen* ]]
	[[ $output == *$'\n'icanon* ]]
	# -it without a terminal
	run f run -it busybox shell </dev/null
	[ "$status" -eq 1 ]
	[ "$output" = "the input device is not a TTY" ]
}

@test "cli-run fake: detach keys: ctrl-p ctrl-q never reach the daemon, a partial match does, --detach-keys" {
	run python3 "$PTY" 'expect:/ # ' send:'ab\x10c\r' expect:'you said ab.c' send:'\x10\x11' -- \
		"$BERTH" -H "unix://$FSOCK" run -it --name d1 busybox shell
	echo "$output"
	[ "$status" -eq 0 ]
	# the held-back ctrl-p of "ab^Pc" was sent once "c" did not match; the
	# detach sequence itself was not
	[ "$(grep '^STDIN' "$D/req.log" | tr -d '\n')" = "STDIN 61STDIN 62STDIN 10STDIN 63STDIN 0d" ]
	run python3 "$PTY" 'expect:/ # ' send:'\x01' -- "$BERTH" -H "unix://$FSOCK" run -it --detach-keys ctrl-a busybox shell
	[ "$status" -eq 0 ]
	run f run --detach-keys ctrl-xx busybox echo
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "berth: Unknown character: 'ctrl-xx'" ]
}

@test "cli-run fake: exec -it is GET json, POST exec (docker's body), start upgraded, resize, GET exec json (exec_it)" {
	f run -d --name web busybox echo >/dev/null
	: >"$D/req.log"
	run python3 "$PTY" 'expect:/ # ' send:'exit 6\r' -- "$BERTH" -H "unix://$FSOCK" exec -it web shell
	[ "$status" -eq 6 ]
	[ "$(reqs)" = "$(printf '%s\n' 'GET /v1.41/containers/web/json' 'POST /v1.41/containers/web/exec' \
		'POST /v1.41/exec/ID/start' 'POST /v1.41/exec/ID/resize?h=24&w=80' 'GET /v1.41/exec/ID/json')" ]
	grep -qx 'BODY {"User":"","Privileged":false,"Tty":true,"AttachStdin":true,"AttachStderr":true,"AttachStdout":true,"Detach":false,"DetachKeys":"","Env":null,"WorkingDir":"","Cmd":\["shell"\]}' "$D/req.log"
	grep -qx 'BODY {"Detach":false,"Tty":true}' "$D/req.log"
	run f exec web echo plain
	[ "$output" = plain ]
	run f exec web exit 4
	[ "$status" -eq 4 ]
	run f exec nosuch true
	[ "$status" -eq 1 ]
	[ "$output" = "Error response from daemon: No such container: nosuch" ]
}

@test "cli-run fake: logs: GET json then the logs query of the docker CLI (logs_follow_timestamps); since/until as unix times" {
	f run -d --name talker busybox echo >/dev/null
	: >"$D/req.log"
	run f logs -f -t --tail 3 talker
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "2026-11-23T16:25:19.426708790Z tick 1" ]
	[ "$(reqs)" = "$(printf '%s\n' 'GET /v1.41/containers/talker/json' \
		'GET /v1.41/containers/ID/logs?follow=1&stderr=1&stdout=1&tail=3&timestamps=1')" ]
	: >"$D/req.log"
	f logs --since 2026-01-02T03:04:05Z --until 1700000000.5 talker >/dev/null 2>&1
	reqs | grep -qx 'GET /v1.41/containers/ID/logs?since=1767323045.000000000&stderr=1&stdout=1&tail=all&until=1700000000.5'
	# stdout and stderr apart
	[ "$(f logs talker 2>/dev/null)" = "$(printf 'tick 1\ntick 2')" ]
	[ "$(f logs talker 2>&1 >/dev/null)" = "err 1" ]
}

@test "cli-run fake: a missing image is pulled (progress on stderr) and created again; a failed start is 127" {
	run f run --rm missing:1 echo pulled
	echo "$output"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Unable to find image 'missing:1' locally" ]
	[ "${lines[-1]}" = pulled ]
	[ "$(reqs | head -3)" = "$(printf '%s\n' 'POST /v1.41/containers/create' \
		'POST /v1.41/images/create?fromImage=missing&tag=1' 'POST /v1.41/containers/create')" ]
	[ -z "$(f run --rm missing:1 echo 2>/dev/null >/dev/null; f run --rm missing:1 echo pulled 2>&1 >/dev/null)" ]
	run -127 f run busybox nosuchprog
	[ "$output" = 'berth: Error response from daemon: failed to create task: exec: "nosuchprog": executable file not found in $PATH' ]
}

@test "cli-run fake: start -a, wait, attach of a stopped container" {
	f create --name c2 busybox echo started-a >/dev/null
	run f start -a c2
	[ "$status" -eq 0 ]
	[ "$output" = started-a ]
	f run -d --name d3 busybox exit 9 >/dev/null
	run f wait d3
	[ "$output" = 9 ]
	run f attach d3
	[ "$status" -eq 1 ]
	[ "$output" = "You cannot attach to a stopped container, start it first" ]
}

@test "cli-run fake: without a tty the signals run gets go to the container as POST kill (--sig-proxy)" {
	"$BERTH" -H "unix://$FSOCK" run --rm busybox sleep 20 >"$D/out" 2>&1 &
	pid=$!
	retry 100 0.05 grep -q '/start ' "$D/req.log"
	# the proxy's handler is set after the start (not a fixed sleep: it may be slow)
	retry 100 0.05 sig_caught $pid 2 || fail "run never caught SIGINT"
	kill -INT $pid
	wait $pid || st=$?
	[ "${st:-0}" -eq 130 ]
	[ "$(cat "$D/out")" = "got INT" ]
	reqs | grep -qx 'POST /v1.41/containers/ID/kill?signal=INT'
	# --sig-proxy=false: the CLI dies of the signal, the container is not told
	: >"$D/req.log"
	"$BERTH" -H "unix://$FSOCK" run --sig-proxy=false busybox sleep 20 >"$D/out" 2>&1 &
	pid=$!
	retry 100 0.05 grep -q '/start ' "$D/req.log"
	sleep 0.3
	kill -TERM $pid
	wait $pid || st=$?
	[ "$st" -eq 143 ]
	! reqs | grep -q kill
}

@test "cli-run: more flags reach the container: --read-only --tmpfs --ulimit --shm-size --group-add --cap-drop --privileged --sysctl --device --pid --uts --network" {
	for c in $(clis); do
		run $c run --rm --read-only --tmpfs /run:size=1m busybox sh -c \
			'touch /x 2>&1; grep " /run " /proc/mounts; touch /run/ok && echo run-writable'
		echo "$c: $output"
		[[ ${lines[0]} == *"Read-only file system"* ]]
		[[ ${lines[1]} == "tmpfs /run tmpfs "*size=1024k* ]]
		[ "${lines[2]}" = run-writable ]
		run $c run --rm --ulimit nofile=100:200 --shm-size 16m --group-add 10 busybox sh -c \
			'ulimit -n; ulimit -Hn; grep " /dev/shm " /proc/mounts; id -G'
		echo "$c: $output"
		[ "${lines[0]}" = 100 ]
		[ "${lines[1]}" = 200 ]
		[[ ${lines[2]} == *size=16384k* ]]
		[[ " ${lines[3]} " == *" 10 "* ]]
		# docker's default set has NET_RAW; --cap-drop takes it out; --privileged has all
		dflt=$($c run --rm busybox sh -c 'grep CapEff /proc/self/status')
		drop=$($c run --rm --cap-drop NET_RAW busybox sh -c 'grep CapEff /proc/self/status')
		priv=$($c run --rm --privileged busybox sh -c 'grep CapEff /proc/self/status')
		[ "$dflt" != "$drop" ]
		[ $((0x${dflt##*[[:space:]]} & (1 << 13))) -ne 0 ]
		[ $((0x${drop##*[[:space:]]} & (1 << 13))) -eq 0 ]
		[ $((0x${priv##*[[:space:]]} & (1 << 21))) -ne 0 ] # CAP_SYS_ADMIN
		run $c run --rm --network none --sysctl net.ipv4.ip_forward=1 --device /dev/null:/dev/xnull \
			busybox sh -c 'cat /proc/sys/net/ipv4/ip_forward; ls /sys/class/net; test -c /dev/xnull && echo dev-ok'
		echo "$c: $output"
		[ "${lines[0]}" = 1 ]
		[ "${lines[1]}" = lo ]
		[ "${lines[2]}" = dev-ok ]
		run $c run --rm --pid host --uts host busybox sh -c 'cat /proc/1/comm; hostname'
		[ "${lines[0]}" != sh ]
		[ "${lines[1]}" = "$(hostname)" ]
	done
}

@test "cli-run: --security-opt seccomp=FILE sends the profile (it is enforced), --stop-signal --stop-timeout -l --log-opt --restart in inspect" {
	cat >"$D/prof.json" <<'JSON'
{
  "defaultAction": "SCMP_ACT_ALLOW",
  "syscalls": [ { "names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO" } ]
}
JSON
	for c in $(clis); do
		run $c run --rm --security-opt "seccomp=$D/prof.json" busybox sh -c 'mkdir /tmp/d 2>&1; echo rc=$?'
		echo "$c: $output"
		[[ $output == *"Operation not permitted"* ]]
		[[ $output == *rc=1* ]]
		run $c run --rm --security-opt seccomp=unconfined busybox sh -c 'mkdir /tmp/d && echo made'
		[ "$output" = made ]
	done
	printf 'tier=web\n# not=this\n' >"$D/labels"
	b create --name insp --stop-signal SIGUSR1 --stop-timeout 3 -l app=demo --log-opt max-size=1m \
		--label-file "$D/labels" --restart on-failure:2 --init -m 32m busybox true >/dev/null
	[ "$(ctr_inspect insp .Config.Labels.tier)" = web ]
	[ "$(ctr_inspect insp '.Config.Labels | length')" = 2 ]
	[ "$(ctr_inspect insp .Config.StopSignal)" = SIGUSR1 ]
	[ "$(ctr_inspect insp .Config.StopTimeout)" = 3 ]
	[ "$(ctr_inspect insp .Config.Labels.app)" = demo ]
	[ "$(ctr_inspect insp '.HostConfig.LogConfig.Config["max-size"]')" = 1m ]
	[ "$(ctr_inspect insp '.HostConfig.RestartPolicy | "\(.Name):\(.MaximumRetryCount)"')" = on-failure:2 ]
	[ "$(ctr_inspect insp .HostConfig.Init)" = true ]
	[ "$(ctr_inspect insp .HostConfig.Memory)" = 33554432 ]
	# --runtime: runc when the host has it (docker's runtimes map)
	if command -v runc >/dev/null; then
		run b run --rm --runtime runc busybox echo by-runc
		echo "$output"
		[ "$output" = by-runc ]
	fi
	run b run --rm --runtime nosuch busybox true
	[ "$status" -eq 125 ]
	[[ $output == "berth: Error response from daemon: "* ]]
}

@test "cli-run: start -ai with piped stdin; attach to a non-tty container streams its output" {
	for c in $(clis); do
		$c create -i --name "ci$c" busybox sh -c 'cat; echo done' >/dev/null
		run sh -c "echo piped-in | $(cli_path "$c") -H unix://$SOCK start -ai ci$c"
		echo "$c: $output"
		[ "$status" -eq 0 ]
		[ "$output" = "$(printf 'piped-in\ndone')" ]
		# it prints once the client is attached: berthd's attach event (a fixed
		# sleep loses the output when the client or berthd is slow)
		$c run -d --name "tk$c" busybox sh -c \
			'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo late-out; echo late-err >&2; exit 3' >/dev/null
		$c attach --no-stdin "tk$c" >"$D/tk.out" 2>&1 &
		apid=$!
		echo "$apid" >>"$D/.pids"
		wait_event "{\"container\":[\"tk$c\"],\"event\":[\"attach\"]}"
		$c exec "tk$c" touch /tmp/go
		st=0
		wait "$apid" || st=$?
		echo "$c: $(cat "$D/tk.out")"
		[ "$st" -eq 3 ]
		grep -q late-out "$D/tk.out"
		grep -q late-err "$D/tk.out"
	done
}

@test "cli-run: berthd killed under an attached run: the CLI does not hang (125, docker's message); logs after the restart" {
	"$BERTH" -H "unix://$SOCK" run --name lived busybox sh -c 'echo before; sleep 3; echo after' \
		>"$D/run.out" 2>"$D/run.err" &
	rpid=$!
	echo "$rpid" >>"$D/.pids"
	retry 100 0.1 grep -q before "$D/run.out"
	kill -KILL "$BPID"
	wait "$BPID" 2>/dev/null || true
	BPID=
	st=0
	timeout 10 tail --pid="$rpid" -f /dev/null || fail "berth run still waits 10 s after berthd died"
	wait "$rpid" || st=$?
	cat "$D/run.err"
	[ "$st" -eq 125 ]
	grep -q '^error waiting for container: ' "$D/run.err"
	start_berthd
	wait_ctr_status lived exited 20
	run b logs lived
	[ "$output" = "$(printf 'before\nafter')" ]
}

@test "cli-run fake: API 1.24: --rm is the CLI's (AutoRemove false, wait without condition, DELETE after the exit)" {
	BERTH_API_VERSION=1.24 "$BERTH" -H "unix://$FSOCK" run --rm busybox echo old >"$D/out"
	[ "$(cat "$D/out")" = old ]
	grep -q '"AutoRemove":false' "$D/req.log"
	[ "$(reqs | sed 's/v1.24/vX/')" = "$(printf '%s\n' 'POST /vX/containers/create' \
		'POST /vX/containers/ID/attach?stderr=1&stdout=1&stream=1' 'POST /vX/containers/ID/wait' \
		'POST /vX/containers/ID/start' 'DELETE /vX/containers/ID?v=1')" ]
}

@test "cli-run: errors from berthd read the same through berth and docker (name conflict, missing image, stopped container, missing container)" {
	[[ -x $DOCKER ]] || skip "no docker CLI"
	b create --name taken busybox true >/dev/null
	b run --name stopped busybox true
	for args in "run --name taken busybox true" "run --pull never nosuch:1 true" \
		"create --pull never nosuch:1" "exec stopped true" "exec nosuch true" "logs nosuch" \
		"wait nosuch" "start nosuch" "attach stopped" "attach nosuch"; do
		# shellcheck disable=SC2086
		want=$(dk $args 2>&1) && wst=0 || wst=$?
		want=${want//docker/berth}
		# shellcheck disable=SC2086
		got=$(b $args 2>&1) && gst=0 || gst=$?
		[[ $got == "$want" ]] || bad+="$args: berth said [$got], docker [$want]"$'\n'
		[[ $gst == "$wst" ]] || bad+="$args: berth exit $gst, docker $wst"$'\n'
	done
	[[ -z ${bad:-} ]] || fail "$bad"
}

@test "cli-run: --stop-signal and --stop-timeout are what stop uses" {
	b run -d --name ss --stop-signal SIGUSR1 busybox sh -c \
		'trap "echo got-usr1; exit 0" USR1; echo ready; while :; do sleep 0.1; done' >/dev/null
	retry 50 0.1 bash -c "'$BERTH' -H unix://$SOCK logs ss | grep -q ready"
	api_status POST /containers/ss/stop
	[ "$STATUS" = 204 ]
	[ "$(b logs ss | tail -1)" = got-usr1 ]
	[ "$(ctr_inspect ss .State.ExitCode)" = 0 ]
	# SIGTERM ignored: killed after --stop-timeout 1, not docker's 10 s
	b run -d --name st --stop-timeout 1 busybox sh -c 'trap "" TERM; while :; do sleep 0.1; done' >/dev/null
	start=$(date +%s%N)
	api_status POST /containers/st/stop
	[ "$STATUS" = 204 ]
	ms=$((($(date +%s%N) - start) / 1000000))
	echo "stop took ${ms} ms"
	[ "$ms" -ge 900 ]
	[ "$ms" -lt 9000 ] # not docker's 10 s; slack for a loaded machine
	[ "$(ctr_inspect st .State.ExitCode)" = 137 ]
}
