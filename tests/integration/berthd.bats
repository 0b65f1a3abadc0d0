#!/usr/bin/env bats
# berthd: the daemon and the system endpoints of the Docker Engine API
# (/_ping, /version, /info), checked with curl on the unix socket and with
# the real docker CLIs (28.x in /usr/local/bin, Debian's 20.10 in /usr/bin).
#
# Each test starts its own berthd with --root, --exec-root, -H and
# --config-file under a temp dir and stops it by PID in teardown.

BERTH_BUILD=${BERTH_BUILD:-$(cd "$BATS_TEST_DIRNAME/../.." && pwd)/build}
BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
DOCKER28=/usr/local/bin/docker
DOCKER20=/usr/bin/docker

setup() {
	[[ -x $BERTHD ]] || skip "berthd not built: $BERTHD"
	D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berthd-it.XXXXXX")
	ROOTDIR=$D/root
	EXECROOT=$D/run
	SOCK=$D/b.sock
	CONF=$D/daemon.json
	echo '{}' >"$CONF"
	PIDS=()
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

# start_berthd [ARGS...]: start berthd with this test's dirs and wait for the
# socket; sets BPID (log in $D/berthd.log).
start_berthd() {
	"$BERTHD" --root "$ROOTDIR" --exec-root "$EXECROOT" -H "unix://$SOCK" \
		--config-file "$CONF" "$@" >>"$D/berthd.log" 2>&1 &
	BPID=$!
	PIDS+=("$BPID")
	# up to 30 s: a loaded machine may be slow to start it
	for _ in $(seq 300); do
		if curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1; then
			return 0
		fi
		kill -0 "$BPID" 2>/dev/null || break
		sleep 0.1
	done
	echo "berthd did not come up; log:" >&2
	cat "$D/berthd.log" >&2
	return 1
}

# wait_exit PID: wait for a child to exit; sets EXIT_STATUS, and EXIT_SECS
# (how long it took). After 30 s it is killed (EXIT_STATUS 137) rather than
# waited for as long as it likes.
wait_exit() {
	local p=$1 t0=$SECONDS
	for _ in $(seq 300); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p"
	EXIT_STATUS=$?
	EXIT_SECS=$((SECONDS - t0))
}

api() {
	curl -s --unix-socket "$SOCK" "$@"
}

# header NAME: value of a header in $output (curl -i), CR removed.
header() {
	printf '%s\n' "$output" | tr -d '\r' | sed -n "s/^$1: //Ip" | head -1
}

@test "berthd: GET and HEAD /_ping answer OK with docker's headers" {
	start_berthd
	run api -i http://berth/_ping
	[ "$status" -eq 0 ]
	[[ $output == "HTTP/1.1 200 OK"* ]]
	[[ $output == *$'\r\n\r\nOK' ]]
	[ "$(header Api-Version)" = "1.41" ]
	[ "$(header Docker-Experimental)" = "false" ]
	[ "$(header Ostype)" = "linux" ]
	[[ $(header Server) == Berth/* ]]
	[ "$(header Cache-Control)" = "no-cache, no-store, must-revalidate" ]
	[ "$(header Pragma)" = "no-cache" ]
	[ "$(header Content-Type)" = "text/plain; charset=utf-8" ]

	run api -I http://berth/_ping
	[ "$status" -eq 0 ]
	[[ $output == "HTTP/1.1 200 OK"* ]]
	[ "$(header Api-Version)" = "1.41" ]
	[ "$(header Content-Length)" = "0" ]

	run api http://berth/v1.41/_ping
	[ "$output" = "OK" ]
	run api http://berth/v1.24/_ping
	[ "$output" = "OK" ]
}

@test "berthd: /version has docker's shape, with and without the version prefix" {
	start_berthd
	for p in /version /v1.41/version /v1.24/version; do
		run api -f "http://berth$p"
		[ "$status" -eq 0 ]
		echo "$output" | jq -e '.ApiVersion == "1.41" and .MinAPIVersion == "1.24"
			and .Os == "linux" and (.Version | length > 0)
			and (.GitCommit | length > 0) and (.BuildTime | length > 0)
			and (.GoVersion | length > 0) and (.KernelVersion | length > 0)
			and .Components[0].Name == "Engine"
			and .Components[0].Details.ApiVersion == "1.41"
			and .Platform.Name == "berth"'
	done
	run api -f http://berth/version
	[ "$(echo "$output" | jq -r .KernelVersion)" = "$(uname -r)" ]
	[ "$(echo "$output" | jq -r .Version)" = "$("$BERTHD" --version | sed 's/^berthd version \([^,]*\),.*/\1/')" ]
}

@test "berthd: /info reports the root, driver, cgroup version and registry config" {
	cat >"$CONF" <<-EOF
		{"registry-mirrors": ["https://mirror.example"], "insecure-registries": ["reg.local:5000", "10.1.0.0/16"],
		 "labels": ["site=test"], "runtimes": {"fast": {"path": "/usr/bin/crun"}}}
	EOF
	start_berthd
	run api -f http://berth/v1.41/info
	[ "$status" -eq 0 ]
	local cgv=1
	[[ $(stat -f -c %T /sys/fs/cgroup) == cgroup2fs ]] && cgv=2
	echo "$output" | jq -e --arg root "$ROOTDIR" --arg cgv "$cgv" --arg k "$(uname -r)" '
		.DockerRootDir == $root and .Driver == "overlayfs" and .OSType == "linux"
		and .CgroupDriver == "cgroupfs" and .CgroupVersion == $cgv
		and .KernelVersion == $k and .NCPU > 0 and .MemTotal > 0
		and .Containers == 0 and .Images == 0 and .LoggingDriver == "json-file"
		and .DefaultRuntime == "berth-runtime" and .Runtimes.fast.path == "/usr/bin/crun"
		and .Runtimes.runc.path == "runc" and (.ID | length > 0)
		and .Swarm.LocalNodeState == "inactive" and .Labels == ["site=test"]
		and .RegistryConfig.Mirrors == ["https://mirror.example/"]
		and .RegistryConfig.IndexConfigs["docker.io"].Mirrors == ["https://mirror.example/"]
		and .RegistryConfig.IndexConfigs["reg.local:5000"].Secure == false
		and .RegistryConfig.InsecureRegistryCIDRs == ["127.0.0.0/8", "10.1.0.0/16"]
		and (.Warnings | type == "array")'
	# the engine ID survives a restart
	local id
	id=$(echo "$output" | jq -r .ID)
	kill -TERM "$BPID"
	wait_exit "$BPID"
	start_berthd
	run api -f http://berth/info
	[ "$(echo "$output" | jq -r .ID)" = "$id" ]
}

@test "berthd: error shapes: 404 page not found, version out of range, bad prefix" {
	start_berthd
	run api -i http://berth/v1.41/nosuchendpoint
	[[ $output == "HTTP/1.1 404"* ]]
	[[ $output == *'{"message":"page not found"}' ]]
	[ "$(header Content-Type)" = "application/json" ]
	[ -z "$(header Api-Version)" ]
	run api -i http://berth/nosuchendpoint
	[[ $output == "HTTP/1.1 404"* ]]
	run api -i -X DELETE http://berth/_ping
	[[ $output == "HTTP/1.1 404"* ]]
	run api -i http://berth/vabc/version
	[[ $output == "HTTP/1.1 404"* ]]
	run api -i http://berth/version/
	[[ $output == "HTTP/1.1 404"* ]]

	run api -i http://berth/v1.50/version
	[[ $output == "HTTP/1.1 400"* ]]
	[[ $output == *'{"message":"client version 1.50 is too new. Maximum supported API version is 1.41"}' ]]
	[ "$(header Content-Type)" = "application/json" ]
	run api -i http://berth/v1.11/version
	[[ $output == "HTTP/1.1 400"* ]]
	[[ $output == *"client version 1.11 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version" ]]
	[ "$(header Content-Type)" = "text/plain; charset=utf-8" ]
	# every JSON reply ends with a newline, as dockerd's
	[ "$(api http://berth/version | tail -c 1 | od -An -c | tr -d ' ')" = '\n' ]
}

@test "berthd: docker CLI 28 'version', 'info' and 'system info' against berthd" {
	[[ -x $DOCKER28 ]] || skip "no $DOCKER28"
	start_berthd
	run "$DOCKER28" -H "unix://$SOCK" version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Server: berth"* ]]
	[[ $output == *"API version:       1.41 (downgraded from"* ]]
	[[ $output == *"API version:      1.41 (minimum version 1.24)"* ]]
	run "$DOCKER28" -H "unix://$SOCK" version --format '{{.Server.Version}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$(api http://berth/version | jq -r .Version)" ]
	run "$DOCKER28" -H "unix://$SOCK" info
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Storage Driver: overlayfs"* ]]
	[[ $output == *"Docker Root Dir: $ROOTDIR"* ]]
	run "$DOCKER28" -H "unix://$SOCK" system info --format '{{.DockerRootDir}} {{.CgroupDriver}}'
	[ "$status" -eq 0 ]
	[ "$output" = "$ROOTDIR cgroupfs" ]
	# an endpoint berthd does not serve yet gives docker's 404 message
	run "$DOCKER28" -H "unix://$SOCK" volume ls
	[ "$status" -ne 0 ]
	[[ $output == *"Error response from daemon: page not found"* ]]
}

@test "berthd: Debian's docker 20.10 client 'version' and 'info' against berthd" {
	[[ -x $DOCKER20 ]] || skip "no $DOCKER20"
	start_berthd
	run "$DOCKER20" -H "unix://$SOCK" version
	echo "$output"
	[ "$status" -eq 0 ]
	[[ $output == *"Server: berth"* ]]
	[[ $output == *"API version:      1.41 (minimum version 1.24)"* ]]
	run "$DOCKER20" -H "unix://$SOCK" version --format '{{.Server.Version}}'
	[ "$output" = "$(api http://berth/version | jq -r .Version)" ]
	run "$DOCKER20" -H "unix://$SOCK" info --format '{{.Driver}} {{.DockerRootDir}}'
	[ "$status" -eq 0 ]
	[ "$output" = "overlayfs $ROOTDIR" ]
	# an old client that pins an old version still works within the range
	DOCKER_API_VERSION=1.30 run "$DOCKER20" -H "unix://$SOCK" version --format '{{.Server.APIVersion}}'
	[ "$status" -eq 0 ]
	[ "$output" = "1.41" ]
}

@test "berthd: pidfile, socket mode 0660, --version" {
	start_berthd
	[ "$(cat "$EXECROOT/berthd.pid")" = "$BPID" ]
	[ "$(stat -c %a "$SOCK")" = "660" ]
	if getent group berth >/dev/null; then
		[ "$(stat -c %G "$SOCK")" = "berth" ]
	fi
	[ "$(cat "$ROOTDIR/berthd.lock")" = "$BPID" ]
	run "$BERTHD" --version
	[ "$status" -eq 0 ]
	[[ $output == "berthd version "*", build "* ]]
}

@test "berthd: a second daemon on the same root fails and the first keeps serving" {
	start_berthd
	run "$BERTHD" --root "$ROOTDIR" --exec-root "$D/run2" -H "unix://$D/other.sock" \
		--config-file "$CONF"
	[ "$status" -eq 1 ]
	[[ $output == *"another berthd (pid $BPID) is running with root $ROOTDIR"* ]]
	[ ! -e "$D/other.sock" ]
	[ ! -e "$D/run2/berthd.pid" ]
	run api http://berth/_ping
	[ "$output" = "OK" ]
	[ "$(cat "$EXECROOT/berthd.pid")" = "$BPID" ]
}

@test "berthd: a live socket is not taken over; a stale one is replaced" {
	start_berthd
	run "$BERTHD" --root "$D/root2" --exec-root "$D/run2" -H "unix://$SOCK" --config-file "$CONF"
	[ "$status" -eq 1 ]
	[[ $output == *"$SOCK: another daemon is listening on this socket"* ]]
	run api http://berth/_ping
	[ "$output" = "OK" ]
	kill -TERM "$BPID"
	wait_exit "$BPID"
	# a socket file nobody listens on (a daemon that was killed -9)
	python3 -c 'import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])' "$SOCK"
	[ -S "$SOCK" ]
	start_berthd
	run api http://berth/_ping
	[ "$output" = "OK" ]
	grep -q "removed stale socket $SOCK" "$D/berthd.log"
	# something that is not a socket is never removed
	kill -TERM "$BPID"
	wait_exit "$BPID"
	echo data >"$SOCK"
	run "$BERTHD" --root "$ROOTDIR" --exec-root "$EXECROOT" -H "unix://$SOCK" --config-file "$CONF"
	[ "$status" -eq 1 ]
	[[ $output == *"$SOCK exists and is not a socket"* ]]
	[ "$(cat "$SOCK")" = data ]
}

@test "berthd: SIGTERM and SIGINT stop it with status 0 and remove socket and pidfile" {
	for sig in TERM INT; do
		start_berthd
		[ -S "$SOCK" ]
		[ -f "$EXECROOT/berthd.pid" ]
		kill -"$sig" "$BPID"
		wait_exit "$BPID"
		[ "$EXIT_STATUS" -eq 0 ]
		[ ! -e "$SOCK" ]
		[ ! -e "$EXECROOT/berthd.pid" ]
		grep -q "received SIG$sig, shutting down" "$D/berthd.log"
	done
	grep -q "berthd stopped" "$D/berthd.log"
}

@test "berthd: SIGTERM lets a request in flight finish (keep-alive client)" {
	start_berthd
	# a slow client: the head is sent, the body is still coming when SIGTERM arrives
	python3 - "$SOCK" "$BPID" <<-'EOF' >"$D/client.out"
		import os, signal, socket, sys, time
		s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
		s.sendall(b"POST /v1.41/nosuch HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
		time.sleep(0.3)
		os.kill(int(sys.argv[2]), signal.SIGTERM)
		time.sleep(0.5)
		s.sendall(b"cd")
		print(s.recv(4096).decode().splitlines()[0])
	EOF
	wait_exit "$BPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$(cat "$D/client.out")" = "HTTP/1.1 404 Not Found" ]
}

@test "berthd: an open /events stream does not hold up SIGTERM (shutdown-timeout 60)" {
	echo '{"debug": true, "shutdown-timeout": 60}' >"$CONF"
	start_berthd
	curl -sN --unix-socket "$SOCK" http://berth/v1.41/events >"$D/events.out" 2>&1 &
	local cpid=$!
	PIDS+=("$cpid")
	for _ in $(seq 300); do grep -q 'GET /v1.41/events' "$D/berthd.log" && break; sleep 0.1; done
	kill -TERM "$BPID"
	# well before the 60 s of shutdown-timeout (slack for a loaded machine)
	wait_exit "$BPID"
	[ "$EXIT_STATUS" -eq 0 ]
	[ "$EXIT_SECS" -le 15 ]
	# the stream ended with the daemon (curl: 18, the chunked body was cut)
	wait_exit "$cpid" || true
	! kill -0 "$cpid" 2>/dev/null
}

@test "berthd: SIGHUP reloads daemon.json and logs what changed" {
	echo '{"max-concurrent-downloads": 3}' >"$CONF"
	start_berthd
	run api http://berth/info
	[ "$(echo "$output" | jq -c '[.Debug, .RegistryConfig.Mirrors]')" = '[false,[]]' ]
	cat >"$CONF" <<-EOF
		{"debug": true, "registry-mirrors": ["https://m.example"], "insecure-registries": ["r.local:5000"],
		 "max-concurrent-downloads": 5, "storage-driver": "native"}
	EOF
	kill -HUP "$BPID"
	for _ in $(seq 300); do grep -q "reloaded $CONF" "$D/berthd.log" && break; sleep 0.1; done
	cat "$D/berthd.log"
	grep -q "debug: false -> true" "$D/berthd.log"
	grep -q "registry-mirrors: \[\] -> \[https://m.example/\]" "$D/berthd.log"
	grep -q "max-concurrent-downloads: 3 -> 5" "$D/berthd.log"
	grep -q "storage-driver changed in $CONF; this takes effect after a restart" "$D/berthd.log"
	run api http://berth/info
	echo "$output" | jq -e --arg root "$ROOTDIR" '.Debug == true and .RegistryConfig.Mirrors == ["https://m.example/"]
		and .RegistryConfig.IndexConfigs["r.local:5000"].Secure == false and .DockerRootDir == $root and .Driver == "overlayfs"'
	# debug logging is on now
	api http://berth/version >/dev/null
	grep -q 'level=debug msg="api: GET /version"' "$D/berthd.log"

	# a broken file on reload: logged, the running configuration stays
	echo '{"debug": false, "nope": 1}' >"$CONF"
	kill -HUP "$BPID"
	for _ in $(seq 300); do grep -q "keeping the current configuration" "$D/berthd.log" && break; sleep 0.1; done
	grep -q "reload: .*the following directives don't match any configuration option: nope; keeping the current configuration" "$D/berthd.log"
	run api http://berth/info
	[ "$(echo "$output" | jq .Debug)" = true ]
	kill -0 "$BPID"
}

# bad_config TEXT WANT [ARGS...]: berthd must refuse to start, naming the problem.
bad_config() {
	local text=$1 want=$2
	shift 2
	printf '%s\n' "$text" >"$CONF"
	run "$BERTHD" --root "$ROOTDIR" --exec-root "$EXECROOT" -H "unix://$SOCK" --config-file "$CONF" "$@"
	echo "$output"
	[ "$status" -eq 1 ]
	[[ $output == *"$want"* ]]
	[ ! -e "$SOCK" ]
	[ ! -e "$EXECROOT/berthd.pid" ]
}

@test "berthd: a bad daemon.json is refused with a message naming the problem" {
	bad_config '{"debug": true,' "unable to configure berthd with file $CONF: invalid JSON"
	bad_config '{"debug": true, "foo": 1}' \
		"unable to configure berthd with file $CONF: the following directives don't match any configuration option: foo"
	bad_config '{"iptables": false}' "not supported by berthd: iptables"
	bad_config '{"debug": "yes"}' 'debug: expected a boolean, got "yes"'
	bad_config '{"max-concurrent-downloads": "3"}' 'max-concurrent-downloads: expected an integer, got "3"'
	bad_config '{"registry-mirrors": ["ftp://mirror"]}' 'invalid mirror: "ftp://mirror"'
	bad_config '{"default-runtime": "nope"}' 'default-runtime: no runtime named "nope"'
	bad_config '{"debug": false}' \
		"the following directives are specified both as a flag and in the configuration file: debug: (from flag: true, from file: false)" \
		--debug
	bad_config '{"data-root": "/x"}' "data-root: (from flag: $ROOTDIR, from file: \"/x\")"
	# --validate checks without starting
	echo '{"debug": true}' >"$CONF"
	run "$BERTHD" --config-file "$CONF" --validate
	[ "$status" -eq 0 ]
	[ "$output" = "configuration OK" ]
}

@test "berthd: bad flags and hosts are refused; a missing default config file is fine" {
	run "$BERTHD" --root "$ROOTDIR" --exec-root "$EXECROOT" -H tcp://127.0.0.1:2375 --config-file "$CONF"
	[ "$status" -eq 1 ]
	[[ $output == *"host tcp://127.0.0.1:2375: only unix:// sockets are supported by berthd"* ]]
	run "$BERTHD" --config-file "$D/missing.json" --validate
	[ "$status" -eq 1 ]
	[[ $output == *"$D/missing.json: No such file or directory"* ]]
	run "$BERTHD" --no-such-flag
	[ "$status" -eq 1 ]
	[[ $output == *"Usage: berthd"* ]]
	# the default file (/etc/berth/daemon.json) may be absent
	if [[ ! -e /etc/berth/daemon.json ]]; then
		run "$BERTHD" --validate
		[ "$status" -eq 0 ]
	fi
	# several -H: every socket serves
	start_berthd -H "unix://$D/second.sock"
	run curl -s --unix-socket "$D/second.sock" http://berth/_ping
	[ "$output" = "OK" ]
}

@test "berthd: an idle daemon has not loaded libcurl, libarchive, libcrypto or NSS modules" {
	# they are dlopen'ed on first use (lib/core/lazylib.h, docs/berthd.md "Memory"):
	# a libcurl/libarchive/libcrypto function called somewhere new must be added to
	# lib/core/registry/lazy-curl.c, lib/core/archive/lazy-archive.c or
	# lib/core/content/lazy-crypto.c
	run sh -c "ldd '$BERTHD' | grep -E 'libcurl|libarchive|libcrypto|libssl'"
	[ "$status" -eq 1 ]
	start_berthd
	curl -sf --unix-socket "$SOCK" http://berth/_ping >/dev/null
	run grep -E 'libcurl|libarchive|libcrypto|libssl|libnss_' "/proc/$BPID/maps"
	echo "$output"
	[ "$status" -eq 1 ]
}
