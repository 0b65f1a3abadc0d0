#!/usr/bin/env bats
# attach, logs, resize and exec (issue 5) through the real docker CLI and
# raw API requests: run -d + logs -f, logs --tail/--since/-t, logs across
# rotation, docker attach with detach keys (on a pty), exec with output,
# stdin and exit codes, exec -it and run -it on a pty, resize. The harness:
# containers-helpers.bash; pty and hijack drivers: io-pty.py, io-hijack.py.

load containers-helpers

HERE=$(cd "$(dirname "$BATS_TEST_FILENAME")" && pwd)
PTY="python3 $HERE/io-pty.py"
HIJACK="python3 $HERE/io-hijack.py"

setup() {
	ct_setup
	ct_start_default
}

# the docker CLI on a pty: ptyrun STEPS-JSON ARGS... (io-pty.py)
ptyrun() {
	local steps=$1
	shift
	DOCKER_HOST=unix://$SOCK $PTY --timeout 20 "$steps" -- "$DOCKER" "$@"
}

@test "containers-io: run attached (attach before start) and run -i with piped stdin" {
	run dk run --rm busybox sh -c 'echo to-out; echo to-err >&2; exit 7'
	echo "$output"
	[ "$status" -eq 7 ]
	[[ $output == *to-out* && $output == *to-err* ]]
	# stdin, then the client's EOF closes the container's stdin; output keeps coming
	run sh -c "printf 'line1\nline2\n' | DOCKER_HOST=unix://$SOCK $DOCKER run -i --rm busybox sh -c 'cat; sleep 0.5; echo after-eof'"
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = $'line1\nline2\nafter-eof' ]
}

@test "containers-io: run -d + logs, --tail, -t, --since, stdout and stderr apart" {
	# stderr once stdout is in the log: the order of two pipes' lines in the
	# log is the shim's reading order (a fixed pause is not enough under load)
	dk run -d --name talker busybox sh -c 'for i in $(seq 1 10); do echo out$i; done; while [ ! -e /tmp/go ]; do sleep 0.1; done; for i in $(seq 1 10); do echo err$i >&2; done; sleep 1000'
	retry 50 0.1 sh -c "DOCKER_HOST=unix://$SOCK $DOCKER logs talker 2>/dev/null | grep -q out10"
	dk exec talker touch /tmp/go
	retry 50 0.1 sh -c "DOCKER_HOST=unix://$SOCK $DOCKER logs talker 2>&1 | grep -q err10"
	out=$(dk logs talker 2>/dev/null)
	[ "$out" = "$(for i in $(seq 1 10); do echo out$i; done)" ]
	out=$(dk logs talker 2>&1 >/dev/null)
	[ "$out" = "$(for i in $(seq 1 10); do echo err$i; done)" ]
	# tail counts lines of both streams
	run dk logs --tail 12 talker
	echo "$output"
	[ "$(echo "$output" | sort -V | tr '\n' ' ')" = "err1 err2 err3 err4 err5 err6 err7 err8 err9 err10 out9 out10 " ]
	out=$(dk logs --tail 12 talker 2>/dev/null)
	[ "$out" = $'out9\nout10' ]
	run dk logs --tail 0 talker
	[ -z "$output" ]
	# timestamps: RFC3339Nano with 9 digits, a space, the line
	run dk logs -t --tail 1 talker
	echo "$output"
	[[ $output =~ ^20[0-9]{2}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z\ err10$ ]]
	# --details: the (empty) attributes and a space before the line
	run dk logs --details -t --tail 1 talker
	[[ $output =~ Z\ \ err10$ ]]
	# since: in the future -> nothing; an hour ago -> everything
	run dk logs --since "$(($(date +%s) + 3600))" talker
	[ -z "$output" ]
	run dk logs --since 1h talker
	[ "$(echo "$output" | wc -l)" -eq 20 ]
	run dk logs --until 1h talker
	[ -z "$output" ]
}

@test "containers-io: logs API: frames, no Content-Type, raw for a tty, errors" {
	dk run -d --name fr busybox sh -c 'echo hi; echo err1 >&2; sleep 1000' >/dev/null
	dk run -dt --name tt busybox sh -c 'echo tty-line; sleep 1000' >/dev/null
	retry 50 0.1 sh -c "DOCKER_HOST=unix://$SOCK $DOCKER logs fr 2>&1 | grep -q err1"
	retry 50 0.1 sh -c "DOCKER_HOST=unix://$SOCK $DOCKER logs tt | grep -q tty-line"
	run api -D "$D/h" "/v1.41/containers/fr/logs?stdout=1&stdout=1&stderr=1"
	grep -q '^HTTP/1.1 200' "$D/h"
	! grep -qi '^Content-Type' "$D/h"
	grep -qi '^Transfer-Encoding: chunked' "$D/h"
	api "/containers/fr/logs?stdout=1&stderr=1" | od -An -tx1 | tr -d ' \n' >"$D/hex"
	# 01 000000 00000003 "hi\n", 02 000000 00000005 "err1\n"
	[ "$(cat "$D/hex")" = "010000000000000368690a0200000000000005657272310a" ]
	api "/containers/fr/logs?stderr=1" | od -An -tx1 | tr -d ' \n' >"$D/hex"
	[ "$(cat "$D/hex")" = "0200000000000005657272310a" ]
	# a tty's log is raw (the terminal turned \n into \r\n)
	run api "/containers/tt/logs?stdout=1"
	[ "$output" = $'tty-line\r' ]
	api_status GET "/containers/fr/logs"
	[ "$STATUS" = 400 ]
	[[ $BODY == *"you must choose at least one stream"* ]]
	api_status GET "/containers/nope/logs?stdout=1"
	[ "$STATUS" = 404 ]
	[[ $BODY == *"No such container: nope"* ]]
	api_status GET "/containers/fr/logs?stdout=1&since=yesterday"
	[ "$STATUS" = 400 ]
	[[ $BODY == *yesterday* ]]
	# the "none" driver cannot be read
	dk run -d --name nolog --log-driver none busybox sleep 1000 >/dev/null || skip "--log-driver none refused"
	api_status GET "/containers/nolog/logs?stdout=1"
	[ "$STATUS" = 501 ]
	[[ $BODY == *"does not support reading"* ]]
}

@test "containers-io: logs -f follows until the container exits, nothing lost or doubled" {
	dk run -d --name seq busybox sh -c 'sleep 1; for i in $(seq 1 300); do echo line-$i; done; sleep 1; echo last' >/dev/null
	run timeout 30 env DOCKER_HOST=unix://$SOCK "$DOCKER" logs -f seq
	[ "$status" -eq 0 ]
	[ "$output" = "$(seq 1 300 | sed 's/^/line-/'; echo last)" ]
	# follow with until: ends when until has passed, though the container runs on
	dk run -d --name forever busybox sh -c 'echo first; sleep 1000' >/dev/null
	start=$(date +%s)
	run timeout 20 env DOCKER_HOST=unix://$SOCK "$DOCKER" logs -f --until "$((start + 2))" forever
	[ "$status" -eq 0 ]
	[ "$output" = first ]
	[ "$(($(date +%s) - start))" -le 15 ] # until start+2; slack for a loaded machine
	# follow of an exited container ends at once with everything
	run timeout 10 env DOCKER_HOST=unix://$SOCK "$DOCKER" logs -f --tail 2 seq
	[ "$status" -eq 0 ]
	[ "$output" = $'line-300\nlast' ]
}

@test "containers-io: logs -f across rotation (max-size, max-file)" {
	dk run -d --name rot --log-opt max-size=2k --log-opt max-file=20 busybox \
		sh -c 'sleep 1; for i in $(seq 1 400); do echo line-$i; done; sleep 1' >/dev/null
	run timeout 30 env DOCKER_HOST=unix://$SOCK "$DOCKER" logs -f rot
	[ "$status" -eq 0 ]
	diff <(echo "$output") <(seq 1 400 | sed 's/^/line-/') >&2 || true
	[ "$output" = "$(seq 1 400 | sed 's/^/line-/')" ]
	log=$(ctr_inspect rot .LogPath)
	ls -l "$log"* >&2
	[ -e "$log.1" ] # it did rotate
	# the whole log again, read across the rotated files; tail from the end
	run dk logs rot
	[ "$output" = "$(seq 1 400 | sed 's/^/line-/')" ]
	run dk logs --tail 150 rot
	[ "$output" = "$(seq 251 400 | sed 's/^/line-/')" ]
}

@test "containers-io: exec: output, exit codes, stdin, inspect, errors" {
	dk run -d --name ex busybox sleep 1000 >/dev/null
	run dk exec ex sh -c 'echo to-out; echo to-err >&2; exit 3'
	echo "$output"
	[ "$status" -eq 3 ]
	[[ $output == *to-out* && $output == *to-err* ]]
	run dk exec ex true
	[ "$status" -eq 0 ]
	# exec_create / exec_start / exec_die events, dockerd's actions and attributes
	output=$(dk events --since 0 --until "$(($(date +%s) + 1))" --filter container=ex \
		--format '{{.Action}}|{{index .Actor.Attributes "exitCode"}}|{{index .Actor.Attributes "execID"}}' | sed -E 's/\|[0-9a-f]{64}$/|ID/')
	echo "$output"
	[[ $output == *"exec_create: sh -c echo to-out; echo to-err >&2; exit 3||ID"* ]]
	[[ $output == *"exec_start: sh -c echo to-out; echo to-err >&2; exit 3||ID"* ]]
	[[ $output == *"exec_die|3|ID"* ]]
	[[ $output == *"exec_die|0|ID"* ]]
	run dk exec -e FOO=bar -w /tmp -u 1:1 ex sh -c 'echo $FOO $(pwd) $(id -u)'
	[ "$output" = "bar /tmp 1" ]
	run sh -c "seq 1 1000 | DOCKER_HOST=unix://$SOCK $DOCKER exec -i ex sh -c 'wc -l'"
	[ "$output" = 1000 ]
	# a command that does not exist: the CLI fails, the container lives on
	run dk exec ex /no/such/binary
	echo "$output"
	[ "$status" -ne 0 ]
	[ "$(ctr_state ex)" = running ]
	# exec -d: runs detached; its exit is recorded
	run dk exec -d ex sh -c 'echo detached >/tmp/d; exit 5'
	[ "$status" -eq 0 ]
	retry 50 0.1 dk exec ex test -s /tmp/d
	# the API: 201 {Id}, inspect in docker's shape, then the ExitCode
	api_status POST /containers/ex/exec '{"AttachStdout":true,"AttachStderr":true,"Cmd":["sh","-c","exit 4"]}'
	[ "$STATUS" = 201 ]
	[[ $BODY =~ ^\{\"Id\":\"[0-9a-f]{64}\"\}$ ]]
	eid=$(jq -r .Id <<<"$BODY")
	api_status GET "/exec/$eid/json"
	[ "$STATUS" = 200 ]
	[ "$(jq -c 'del(.ContainerID, .ID)' <<<"$BODY")" = '{"Running":false,"ExitCode":null,"ProcessConfig":{"tty":false,"entrypoint":"sh","arguments":["-c","exit 4"],"privileged":false},"OpenStdin":false,"OpenStderr":true,"OpenStdout":true,"CanRemove":false,"DetachKeys":"","Pid":0}' ]
	[ "$(jq -r .ContainerID <<<"$BODY")" = "$(ctr_id ex)" ]
	api_status POST "/exec/$eid/start" '{"Detach":true}'
	[ "$STATUS" = 200 ]
	retry 50 0.1 sh -c "curl -s --unix-socket $SOCK http://b/exec/$eid/json | jq -e '.ExitCode == 4 and .Running == false and .Pid > 0'"
	api_status POST "/exec/$eid/start" '{"Detach":true}'
	[ "$STATUS" = 409 ]
	# errors: 404s, no command 400, a stopped container 409
	api_status GET "/exec/$(printf '%064d' 0)/json"
	[ "$STATUS" = 404 ]
	[[ $BODY == *"No such exec instance"* ]]
	api_status POST /containers/nope/exec '{"Cmd":["true"]}'
	[ "$STATUS" = 404 ]
	api_status POST /containers/ex/exec '{"Cmd":[]}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *"No exec command specified"* ]]
	api_status POST /containers/ex/exec '{"Cmd":["true"],"Env":"A=1"}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *Env* ]]
	api_status POST /containers/ex/exec '{"Cmd":["true",1]}'
	[ "$STATUS" = 400 ]
	api_status POST /containers/ex/exec '{"Cmd":["true"],"Tty":"yes"}'
	[ "$STATUS" = 400 ]
	api_status POST /containers/ex/exec 'not json'
	[ "$STATUS" = 400 ]
	dk create --name stopped busybox true >/dev/null
	api_status POST /containers/stopped/exec '{"Cmd":["true"]}'
	[ "$STATUS" = 409 ]
	[[ $BODY == *"is not running"* ]]
	# inspect's ExecIDs: the execs still running
	[ "$(ctr_inspect ex .ExecIDs)" = null ]
	dk exec -d ex sleep 1000
	retry 50 0.1 sh -c "curl -s --unix-socket $SOCK http://b/containers/ex/json | jq -e '.ExecIDs | length == 1'"
	# the container's removal takes its execs along
	dk rm -f ex >/dev/null
	api_status GET "/exec/$eid/json"
	[ "$STATUS" = 404 ]
}

@test "containers-io: exec start hijack: 101 with dockerd's headers, frames, stdin EOF" {
	dk run -d --name hj busybox sleep 1000 >/dev/null
	api_status POST /containers/hj/exec '{"AttachStdin":true,"AttachStdout":true,"AttachStderr":true,"Cmd":["sh","-c","cat; echo done >&2"]}'
	eid=$(jq -r .Id <<<"$BODY")
	run $HIJACK "$SOCK" POST "/v1.41/exec/$eid/start" '{"Detach":false,"Tty":false}' \
		'[["send","abc\n"],["expect","abc"],["shut"],["eof"]]'
	echo "$output"
	[ "$status" -eq 0 ]
	# (libmicrohttpd's reason phrase: "Switching Protocols", dockerd's "UPGRADED")
	[[ ${lines[0]} == "HTTP/1.1 101 "* ]]
	[[ $output == *"Content-Type: application/vnd.docker.raw-stream"* ]]
	[[ $output == *"Upgrade: tcp"* ]]
	[[ $output == *"Api-Version: 1.41"* ]]
	[[ $output == *"BODY: b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x04abc\\n\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x05done\\n'"* ]]
	run api "/exec/$eid/json"
	[ "$(jq -c '[.Running, .ExitCode]' <<<"$output")" = '[false,0]' ]
}

@test "containers-io: exec -it and run -it on a pty, with resize" {
	dk run -d --name pt busybox sleep 1000 >/dev/null
	# the new size reaches the container a moment after SIGWINCH: the shell waits for it
	run ptyrun '[["expect","# "],["send","stty size; tty\r"],["expect","pts"],["resize",30,100],["send","until [ \"$(stty size)\" = \"30 100\" ]; do sleep 0.1; done; echo size-$((3*10))x$((10*10))\r"],["expect","size-30x100"],["send","exit 6\r"]]' \
		exec -it pt sh
	echo "$output"
	[ "$status" -eq 6 ]
	[[ $output == *"24 80"* ]]
	[[ $output == *"/dev/pts/"* ]]
	run ptyrun '[["expect","# "],["send","echo run-it-$((6*7))\r"],["expect","run-it-42"],["send","stty size\r"],["expect","24 80"],["send","exit 3\r"]]' \
		run -it --rm busybox sh
	echo "$output"
	[ "$status" -eq 3 ]
}

@test "containers-io: docker attach on a pty, detach with ctrl-p ctrl-q and custom keys" {
	dk run -dit --name att busybox sh >/dev/null
	run ptyrun '[["sleep",0.5],["send","echo attached-$((1+1))\r"],["expect","attached-2"],["send","\u0010\u0011"]]' \
		attach att
	echo "$output"
	[[ $output == *"read escape sequence"* ]]
	sleep 0.3
	[ "$(ctr_state att)" = running ]
	run ptyrun '[["sleep",0.5],["send","echo again\r"],["expect","again"],["send","\u0018"]]' \
		attach --detach-keys ctrl-x att
	echo "$output"
	[ "$(ctr_state att)" = running ]
	# the resize of an attached tty reaches the container's terminal
	api_status POST "/containers/att/resize?h=40&w=120"
	[ "$STATUS" = 200 ]
	[ -z "$BODY" ]
	run dk exec att sh -c 'stty size </dev/console 2>/dev/null || stty size </dev/pts/0'
	echo "$output"
	[ "$output" = "40 120" ]
	# attach ends (exit status of the container) when the shell exits
	run ptyrun '[["sleep",0.5],["send","exit 9\r"]]' attach att
	echo "$output"
	[ "$status" -eq 9 ]
}

@test "containers-io: attach API: detach keys in stdin close the connection, container untouched" {
	dk run -dit --name ak busybox sh >/dev/null
	run $HIJACK "$SOCK" POST "/v1.41/containers/ak/attach?stream=1&stdin=1&stdout=1&stderr=1&detachKeys=ctrl-x,x" '' \
		'[["send","echo hi-$((2+3))\n"],["expect","hi-5"],["send","\u0018x"],["eof"]]'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "HTTP/1.1 101 "* ]]
	[[ $output == *"Content-Type: application/vnd.docker.raw-stream"* ]]
	# attach's 101 has none of dockerd's usual headers (unlike exec start)
	! [[ $output == *Api-Version* ]]
	! [[ $output == *Server:* ]]
	sleep 0.3
	[ "$(ctr_state ak)" = running ]
	# bad detach keys: 400 before the upgrade
	api_status POST "/containers/ak/attach?stream=1&detachKeys=ctrl-1"
	[ "$STATUS" = 400 ]
	[[ $BODY == *"Invalid detach keys (ctrl-1) provided"* ]]
	api_status POST "/containers/nope/attach?stream=1"
	[ "$STATUS" = 404 ]
	api_status GET "/containers/ak/attach/ws"
	[ "$STATUS" = 501 ]
}

@test "containers-io: attach without a tty: frames; logs=1 replays; ends with the process" {
	dk run -d --name nt busybox sh -c 'echo before; sleep 1.5; echo after; echo e >&2' >/dev/null
	sleep 0.5
	run $HIJACK "$SOCK" POST "/v1.41/containers/nt/attach?logs=1&stream=1&stdout=1&stderr=1" '' \
		'[["shut"],["eof"]]'
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"BODY: b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x07before\\n\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x06after\\n\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x02e\\n'"* ]]
	# docker attach to a running non-tty container prints what comes and exits with its code
	# (it prints once the client is attached: berthd's attach event; a fixed
	# sleep loses the line when docker or berthd is slow)
	dk run -d --name nt2 busybox sh -c 'while [ ! -e /tmp/go ]; do sleep 0.1; done; echo late; exit 2' >/dev/null
	timeout 30 env DOCKER_HOST=unix://$SOCK "$DOCKER" attach nt2 >"$D/nt2.out" 2>&1 &
	local apid=$! st=0
	echo "$apid" >>"$D/.pids"
	wait_event '{"container":["nt2"],"event":["attach"]}'
	dk exec nt2 touch /tmp/go
	wait "$apid" || st=$?
	cat "$D/nt2.out"
	[ "$(cat "$D/nt2.out")" = late ]
	[ "$st" -eq 2 ]
}

@test "containers-io: start -a of a created and of an exited container" {
	dk create --name sa busybox sh -c 'echo hello-$((40+2))' >/dev/null
	run timeout 20 env DOCKER_HOST=unix://$SOCK "$DOCKER" start -a sa
	[ "$status" -eq 0 ]
	[ "$output" = hello-42 ]
	run timeout 20 env DOCKER_HOST=unix://$SOCK "$DOCKER" start -a sa
	[ "$status" -eq 0 ]
	[ "$output" = hello-42 ]
	run dk logs sa
	[ "$output" = $'hello-42\nhello-42' ]
}

@test "containers-io: resize errors" {
	dk create --name rz busybox sleep 1000 >/dev/null
	api_status POST "/containers/rz/resize?h=10&w=10"
	[ "$STATUS" = 409 ]
	dk start rz >/dev/null
	api_status POST "/containers/rz/resize?h=10"
	[ "$STATUS" = 400 ]
	api_status POST "/containers/rz/resize?h=x&w=10"
	[ "$STATUS" = 400 ]
	api_status POST "/containers/nope/resize?h=10&w=10"
	[ "$STATUS" = 404 ]
	api_status POST "/exec/$(printf '%064d' 0)/resize?h=10&w=10"
	[ "$STATUS" = 404 ]
}

@test "containers-io: the berth CLI: logs -t --tail, exec (code, stdin, -it), attach with detach keys, run -it" {
	b run -d --name bt busybox sh -c 'for i in 1 2 3; do echo out$i; done; sleep 1000' >/dev/null
	retry 50 0.1 sh -c "$BERTH -H unix://$SOCK logs bt | grep -q out3"
	run b logs --tail 2 -t bt
	[[ ${lines[0]} =~ ^20[0-9-]{8}T[0-9:]{8}\.[0-9]{9}Z\ out2$ ]]
	[[ ${lines[1]} =~ \ out3$ ]]
	run b exec bt sh -c 'echo exec-out; exit 3'
	[ "$status" -eq 3 ]
	[ "$output" = exec-out ]
	run sh -c "echo piped | $BERTH -H unix://$SOCK exec -i bt cat"
	[ "$output" = piped ]
	run $PTY '[["expect","# "],["send","stty size\r"],["expect","24 80"],["send","exit 4\r"]]' -- "$BERTH" -H "unix://$SOCK" exec -it bt sh
	echo "$output"
	[ "$status" -eq 4 ]
	b run -dit --name ba busybox sh >/dev/null
	run $PTY '[["sleep",0.5],["send","echo at-$((1+1))\r"],["expect","at-2"],["send","\u0010\u0011"]]' -- "$BERTH" -H "unix://$SOCK" attach ba
	echo "$output"
	sleep 0.3
	[ "$(ctr_state ba)" = running ]
	run $PTY '[["expect","# "],["send","echo rr-$((2+2))\r"],["expect","rr-4"],["send","exit 5\r"]]' -- "$BERTH" -H "unix://$SOCK" run -it --rm busybox sh
	echo "$output"
	[ "$status" -eq 5 ]
}

@test "containers-io: an exec ends with its container: the stream closes, ExitCode 137" {
	dk run -d --name ke busybox sleep 1000 >/dev/null
	dk exec ke sh -c 'echo x' >/dev/null
	# the kill once the exec runs (not after a fixed sleep)
	timeout 30 env DOCKER_HOST=unix://$SOCK "$DOCKER" exec ke sh -c 'echo started; sleep 1000' \
		>"$D/ke.out" 2>&1 &
	local epid=$! st=0
	echo "$epid" >>"$D/.pids"
	retry 100 0.1 grep -q started "$D/ke.out"
	dk kill ke >/dev/null
	wait "$epid" || st=$?
	echo "status $st: $(cat "$D/ke.out")"
	[ "$st" -eq 137 ]
	# the exec's end and the container's are two exits: the state follows
	wait_ctr_status ke exited
}

@test "containers-io: the Python SDK: run output, logs, exec_run (codes, demux), attach with logs" {
	python3 -c 'import docker' 2>/dev/null || skip "python3 docker SDK not installed"
	run python3 - "$SOCK" <<'PY'
import sys, time, docker
c = docker.DockerClient(base_url="unix://" + sys.argv[1], version="auto")
print(repr(c.containers.run("busybox", "echo hi", remove=True)))
ct = c.containers.run("busybox", ["sh", "-c", "echo a; sleep 0.3; echo b >&2; sleep 100"], detach=True)
for _ in range(100):
    if ct.logs(stdout=False):
        break
    time.sleep(0.05)
print(repr(ct.logs()), repr(ct.logs(stdout=False)))
r = ct.exec_run(["sh", "-c", "echo ex; exit 3"])
print(r.exit_code, repr(r.output))
r = ct.exec_run(["sh", "-c", "echo o; echo e >&2"], demux=True)
print(r.exit_code, repr(r.output))
print(repr(ct.attach(stdout=True, stderr=True, logs=True, stream=False)))
ct.remove(force=True)
PY
	echo "$output"
	[ "$status" -eq 0 ]
	[ "$output" = "b'hi\n'
b'a\nb\n' b'b\n'
3 b'ex\n'
0 (b'o\n', b'e\n')
b'a\nb\n'" ]
}
