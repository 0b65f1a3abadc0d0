#!/usr/bin/env bats
# berth, the command-line client: against berthd (version, info, errors) and,
# for the image commands berthd does not serve yet, against fakeapi.py, which
# answers with the Docker API shapes recorded in shared/docker-api.
#
# Each test uses its own temp dir (sockets, config dir) and stops what it
# started by PID in teardown.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
FIXTURES=$(cd "$BATS_TEST_DIRNAME/../fixtures/cli" && pwd)

setup() {
	[[ -x $BERTH ]] || skip "berth not built: $BERTH"
	D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-cli.XXXXXX")
	SOCK=$D/b.sock
	FSOCK=$D/fake.sock
	PIDS=()
	unset BERTH_HOST DOCKER_HOST BERTH_API_VERSION DOCKER_API_VERSION
	export BERTH_CONFIG=$D/config
}

teardown() {
	local p
	for p in "${PIDS[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			kill -TERM "$p" 2>/dev/null || true
			for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
			kill -KILL "$p" 2>/dev/null || true
		fi
	done
	[[ -n ${D:-} ]] && rm -rf --one-file-system "$D"
}

wait_sock() {
	local s=$1 pid=$2
	for _ in $(seq 300); do
		curl -sf --unix-socket "$s" http://x/_ping >/dev/null 2>&1 && return 0
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	echo "daemon on $s did not come up" >&2
	cat "$D"/*.log >&2
	return 1
}

start_berthd() {
	[[ -x $BERTHD ]] || skip "berthd not built: $BERTHD"
	echo '{}' >"$D/daemon.json"
	"$BERTHD" --root "$D/root" --exec-root "$D/run" -H "unix://$SOCK" \
		--config-file "$D/daemon.json" >>"$D/berthd.log" 2>&1 &
	PIDS+=("$!")
	wait_sock "$SOCK" "$!"
}

start_fake() {
	python3 "$BATS_TEST_DIRNAME/fakeapi.py" "$FSOCK" "$D/requests.log" "$FIXTURES" \
		>>"$D/fake.log" 2>&1 &
	PIDS+=("$!")
	wait_sock "$FSOCK" "$!"
}

fb() {
	"$BERTH" -H "unix://$FSOCK" "$@"
}

# last request the fake daemon got for METHOD whose path matches REGEX
last_request() {
	jq -c "select(.method == \"$1\" and (.path | test(\"$2\")))" "$D/requests.log" | tail -1
}

@test "cli: version shows client and server (API 1.41 negotiated)" {
	start_berthd
	run "$BERTH" -H "unix://$SOCK" version
	[ "$status" -eq 0 ]
	[[ $output == Client:* ]]
	[[ $output == *" API version:       1.41"* ]]
	[[ $output == *"Server: berth"* ]]
	[[ $output == *"  API version:      1.41 (minimum version 1.24)"* ]]
}

@test "cli: version --format json and info --format json" {
	start_berthd
	run "$BERTH" -H "unix://$SOCK" version --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r .Client.ApiVersion <<<"$output")" = 1.41 ]
	[ "$(jq -r .Server.ApiVersion <<<"$output")" = 1.41 ]
	run "$BERTH" -H "unix://$SOCK" info --format json
	[ "$status" -eq 0 ]
	[ "$(jq -r .ClientInfo.Context <<<"$output")" = default ]
	[ "$(jq -r .DockerRootDir <<<"$output")" = "$D/root" ]
	# a Go template (cmd/berth/gotmpl.c) over the same object
	run "$BERTH" -H "unix://$SOCK" info --format '{{.Name}} {{.DockerRootDir}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$(hostname) $D/root" ]
}

@test "cli: info prints docker's main fields" {
	start_berthd
	run "$BERTH" -H "unix://$SOCK" info
	[ "$status" -eq 0 ]
	[[ $output == *"Server Version: "* ]]
	[[ $output == *"Storage Driver: "* ]]
	[[ $output == *"Berth Root Dir: $D/root"* ]]
	[[ $output == *"Total Memory: "*iB* ]]
}

@test "cli: BERTH_HOST, then DOCKER_HOST, then -H" {
	start_berthd
	DOCKER_HOST=unix://$SOCK run "$BERTH" version --format json
	[ "$status" -eq 0 ]
	BERTH_HOST=unix://$SOCK DOCKER_HOST=unix:///nonexistent.sock run "$BERTH" info --format json
	[ "$status" -eq 0 ]
	BERTH_HOST=unix:///nonexistent.sock run "$BERTH" -H "unix://$SOCK" info --format json
	[ "$status" -eq 0 ]
	DOCKER_HOST=tcp://127.0.0.1:2375 run "$BERTH" info
	[ "$status" -eq 1 ]
	[[ $output == *"unix sockets only"* ]]
}

@test "cli: an unreachable daemon is a clear error and exit 1" {
	run "$BERTH" -H "unix://$D/none.sock" images
	[ "$status" -eq 1 ]
	[ "$output" = "Cannot connect to the berth daemon at unix://$D/none.sock. Is the berth daemon running?" ]
	run "$BERTH" -H "unix://$D/none.sock" version
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == Client: ]]
	[[ $output == *"Cannot connect to the berth daemon at unix://$D/none.sock. Is the berth daemon running?" ]]
}

@test "cli: unknown commands and flags fail as docker's" {
	run "$BERTH" nope
	[ "$status" -eq 1 ]
	[[ ${lines[0]} == "berth: unknown command: berth nope" ]]
	run "$BERTH" images --x
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "unknown flag: --x" ]
	[[ $output == *"Run 'berth images --help' for more information"* ]]
	run "$BERTH" images -x
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "unknown shorthand flag: 'x' in -x" ]
	run "$BERTH" --bogus version
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "unknown flag: --bogus" ]
	run "$BERTH" images --format
	[ "$status" -eq 125 ]
	[ "${lines[0]}" = "flag needs an argument: --format" ]
	run "$BERTH" tag onlyone
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "berth: 'berth tag' requires 2 arguments" ]
	run "$BERTH" image nope
	[ "$status" -eq 1 ]
	run "$BERTH" pull --help
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "Usage:  berth pull [OPTIONS] NAME[:TAG|@DIGEST]" ]]
}

@test "cli: images against berthd with no images: the header; a missing image: the daemon's 404, cleanly" {
	start_berthd
	run "$BERTH" -H "unix://$SOCK" images
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[[ ${lines[0]} == "REPOSITORY"*"TAG"*"IMAGE ID"* ]]
	run "$BERTH" -H "unix://$SOCK" rmi nothere
	[ "$status" -eq 1 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "${lines[0]}" = "Error response from daemon: No such image: nothere:latest" ]
}

@test "cli: pull renders docker's plain progress lines and the reference" {
	start_fake
	run fb pull busybox
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "Using default tag: latest" ]
	[ "${lines[1]}" = "1.0: Pulling from library/demo" ]
	[ "${lines[2]}" = "aaaaaaaaaaaa: Pulling fs layer" ]
	[[ $output != *Downloading* ]]
	[ "${lines[-1]}" = "docker.io/library/busybox:latest" ]
	[[ $(last_request POST /images/create) == *'"path":"/v1.41/images/create?fromImage=busybox&tag=latest"'* ]]
	[[ $(last_request POST /images/create) == *'"auth":"e30="'* ]]
	run fb pull -q --platform linux/arm64 127.0.0.1:5000/x/y@sha256:$(printf '5%.0s' {1..64})
	[ "$status" -eq 0 ]
	[ "$output" = "127.0.0.1:5000/x/y@sha256:$(printf '5%.0s' {1..64})" ]
	[[ $(last_request POST /images/create) == *"fromImage=127.0.0.1%3A5000%2Fx%2Fy&tag=sha256%3A5555"*"&platform=linux%2Farm64"* ]]
}

@test "cli: pull errors: 404 before the stream, errorDetail in it, bad reference" {
	start_fake
	run fb pull missing:nope
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "Error response from daemon: manifest for missing:nope not found: manifest unknown" ]
	run fb pull broken
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "unexpected EOF" ]
	run fb pull 'UPPER/case'
	[ "$status" -eq 1 ]
	[[ $output == "invalid reference format"* ]]
}

@test "cli: images table, -q, --digests, --format json, filters" {
	start_fake
	run fb images
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "REPOSITORY               TAG       IMAGE ID       CREATED"*"SIZE" ]]
	[[ ${lines[1]} == "<none>                   <none>    2bcc518c6d34   "*" ago"*"20B" ]]
	[[ ${lines[2]} == "busybox                  latest    ff41d169493d   "*"1.99MB" ]]
	[[ ${lines[3]} == "127.0.0.1:5000/busybox   latest    ff41d169493d   "* ]]
	run fb images -q
	[ "$output" = "$(printf '2bcc518c6d34\nff41d169493d\nff41d169493d')" ]
	run fb images --digests
	[[ ${lines[0]} == *"TAG       DIGEST"* ]]
	[[ $output == *"127.0.0.1:5000/busybox   latest    sha256:3333"* ]]
	run fb images --format json --no-trunc
	[ "$status" -eq 0 ]
	[ "$(head -1 <<<"$output" | jq -r .ID)" = sha256:2bcc518c6d341f86ad852ca5cca5074cb572d9ed85881e2026a38979e94413c1 ]
	[ "$(sed -n 2p <<<"$output" | jq -r .Size)" = 1.99MB ]
	run fb images -a -f dangling=false busybox
	[ "$status" -eq 0 ]
	req=$(last_request GET /images/json)
	[[ $req == *'all=1&filters=%7B%22dangling%22%3A%7B%22false%22%3Atrue%7D%2C%22reference%22%3A%7B%22busybox%22%3Atrue%7D%7D'* ]]
	run fb images -f nonsense
	[ "$status" -eq 1 ]
	[[ $output == *"bad format of filter"* ]]
}

@test "cli: inspect, tag, rmi, history" {
	start_fake
	run fb image inspect busybox
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "[" ]
	[ "${lines[1]}" = "    {" ]
	[ "$(jq -r '.[0].Id' <<<"$output")" = sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6 ]
	run fb image inspect busybox nothere
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "Error response from daemon: No such image: nothere" ]
	run fb inspect nothere
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "[]" ]
	[ "${lines[1]}" = "Error: No such object: nothere" ]
	run fb tag busybox:latest localhost:5000/busybox
	[ "$status" -eq 0 ]
	[[ $(last_request POST /tag) == *'/images/busybox:latest/tag?repo=localhost%3A5000%2Fbusybox&tag=latest"'* ]]
	run fb rmi -f busybox nothere mybuild:1
	[ "$status" -eq 1 ]
	[ "${lines[0]}" = "Untagged: busybox" ]
	[ "${lines[1]}" = "Deleted: sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6" ]
	[[ $output == *"Error response from daemon: No such image: nothere"* ]]
	[[ $output == *"Untagged: mybuild:1"* ]]
	[[ $(last_request DELETE mybuild) == *'"/v1.41/images/mybuild:1?force=1"'* ]]
	run fb history mybuild:1
	[ "$status" -eq 0 ]
	[[ ${lines[0]} == "IMAGE          CREATED"*"CREATED BY"*"SIZE      COMMENT" ]]
	[[ ${lines[1]} == "2bcc518c6d34   "*"/bin/sh -c #(nop) COPY file:7371c6f790c840ae…   20B       " ]]
	[[ ${lines[2]} == "<missing>      "*"1.99MB    busybox rootfs" ]]
}

@test "cli: push with credentials from login; logout" {
	start_fake
	run fb push 127.0.0.1:5000/busybox
	[ "$status" -eq 1 ]
	[ "${lines[-1]}" = "unauthorized: authentication required" ]
	run fb login -u me -p wrong 127.0.0.1:5000
	[ "$status" -eq 1 ]
	[[ $output == *"Error response from daemon: login attempt to 127.0.0.1:5000 failed"* ]]
	run bash -c "echo secret | '$BERTH' -H unix://$FSOCK login -u me --password-stdin 127.0.0.1:5000"
	[ "$status" -eq 0 ]
	[[ $output == *"Login Succeeded"* ]]
	[ "$(stat -c %a "$BERTH_CONFIG/config.json")" = 600 ]
	[ "$(jq -r '.auths["127.0.0.1:5000"].auth' "$BERTH_CONFIG/config.json" | base64 -d)" = me:secret ]
	run fb push 127.0.0.1:5000/busybox
	[ "$status" -eq 0 ]
	[[ $output == *"cccccccccccc: Preparing"* ]]
	[[ $output == *"latest: digest: sha256:4444"* ]]
	auth=$(last_request POST /push | jq -r .auth | tr '_-' '/+' | base64 -d)
	[ "$(jq -r .username <<<"$auth")" = me ]
	[ "$(jq -r .serveraddress <<<"$auth")" = 127.0.0.1:5000 ]
	run fb logout 127.0.0.1:5000
	[ "$output" = "Removing login credentials for 127.0.0.1:5000" ]
	[ "$(jq -r '.auths | length' "$BERTH_CONFIG/config.json")" = 0 ]
	run fb logout 127.0.0.1:5000
	[ "$output" = "Not logged in to 127.0.0.1:5000" ]
}

@test "cli: save, load, import, image prune, system df" {
	start_fake
	run fb save -o "$D/out.tar" busybox:latest mybuild:1
	[ "$status" -eq 0 ]
	[ "$(cat "$D/out.tar")" = "TAR:busybox:latest,mybuild:1" ]
	[ "$(stat -c %a "$D/out.tar")" = 600 ]
	head -c 100000 /dev/zero >"$D/in.tar"
	run fb load -i "$D/in.tar"
	[ "$status" -eq 0 ]
	[ "$output" = "Loaded image: busybox:latest (100000 bytes)" ]
	[[ $(last_request POST /images/load) == *'"path":"/v1.41/images/load?quiet=1"'*'"ctype":"application/x-tar"'* ]]
	run bash -c "'$BERTH' -H unix://$FSOCK import -c 'CMD [\"sh\"]' -m msg - busybox:latest <'$D/in.tar'"
	[ "$status" -eq 0 ]
	[ "$output" = sha256:ff41d169493d77bcde5ac2d87838d99958ed020a9cf75b8bf273eb3f9d2b55f6 ]
	[[ $(last_request POST 'fromSrc') == *'changes=CMD%20%5B%22sh%22%5D&fromSrc=-&message=msg&repo=busybox%3Alatest'* ]]
	run fb image prune -f
	[ "$status" -eq 0 ]
	[ "$output" = "$(printf 'Deleted Images:\nuntagged: x:1\ndeleted: sha256:2bcc518c6d341f86ad852ca5cca5074cb572d9ed85881e2026a38979e94413c1\n\nTotal reclaimed space: 20B')" ]
	[[ $(last_request POST prune) == *'filters=%7B%22dangling%22%3A%7B%22true%22%3Atrue%7D%7D'* ]]
	run fb system df
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "TYPE            TOTAL     ACTIVE    SIZE      RECLAIMABLE" ]
	[ "${lines[1]}" = "Images          2         0         1.986MB   1.986MB (100%)" ]
	[ "${lines[2]}" = "Containers      0         0         0B        0B" ]
}
