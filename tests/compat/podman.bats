#!/usr/bin/env bats
# podman (4.3, conmon) with --runtime set to the runtime under test, its own
# storage root, runroot and tmpdir, cgroupfs cgroups and file events.

load helpers

setup_file() {
	require_cmd podman conmon || return 0
	compat_setup_file podman
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	local d=$TD/podman
	mkdir -p "$d/tmp" "$d/net"
	# the c/image blob info cache of root lives in /var/lib/containers
	# whatever --root says; note what we will have to remove
	[[ -e /var/lib/containers ]] && : >"$TD/.had-var-lib-containers"
	[[ -e /var/lib/containers/cache/blob-info-cache-v1.boltdb ]] && : >"$TD/.had-blob-cache"
	# podman gives the runtime no --root: its default one is used
	[[ -e /run/runc ]] && : >"$TD/.had-run-runc"
	[[ -e /run/berth-runtime ]] && : >"$TD/.had-run-berth-runtime"
	# rlimits: podman (root) defaults to nofile/nproc 1048576 and lowers its
	# own nproc to 32768; without CAP_SYS_RESOURCE (a sandbox) no runtime can
	# raise them, so ask for what we have
	local nofile nproc
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	[[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
	# runtime_supports_json: podman passes --log-format=json --log FILE to
	# runtimes named there (as a user would configure berth-runtime)
	cat >"$d/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]

[network]
network_config_dir = "$d/net"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
events_logfile_path = "$d/events.log"
runtime_supports_json = ["crun", "runc", "kata", "runsc", "youki", "krun", "$(basename "$RT")"]
EOF
	cat >"$d/storage.conf" <<EOF
[storage]
driver = "overlay"
graphroot = "$d/root"
runroot = "$d/runroot"
EOF
	# podman with our flags, run inside CGNAME/daemons (so conmon and the
	# cleanup processes it starts are in our cgroup tree from the start)
	PODMAN=$TD/bin/podman
	cat >"$PODMAN" <<EOF
#!/bin/bash
for m in $(cg_mounts | tr '\n' ' '); do
	echo \$\$ >"\$m/$CGNAME/daemons/cgroup.procs" || exit 97
done
# conmon writes files (oom) into its working directory
cd $d/tmp || exit 97
export CONTAINERS_CONF=$d/containers.conf CONTAINERS_STORAGE_CONF=$d/storage.conf TMPDIR=$d/tmp
exec podman --root $d/root --runroot $d/runroot --tmpdir $d/libpod --runtime $RT \\
	--cgroup-manager cgroupfs --events-backend file --storage-driver overlay "\$@"
EOF
	chmod 0755 "$PODMAN"
	export PODMAN
	IMG=localhost/berth/compat:latest
	export IMG
	timeout 120 "$PODMAN" import --change 'CMD ["/bin/sh"]' \
		--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
		"$IMAGE_DIR/rootfs.tar" "$IMG" >"$TD/import.out" 2>&1 || {
		cat "$TD/import.out" >&2
		return 1
	}
}

teardown_file() {
	[[ -n ${TD:-} && -d $TD ]] || return 0
	timeout 60 "$PODMAN" rm -af -t 0 >/dev/null 2>&1
	# containers of ours the runtime still knows in its default root
	local id bundle
	for id in $(timeout 10 "$RUNTIME" list -q 2>/dev/null); do
		bundle=$(timeout 10 "$RUNTIME" state "$id" 2>/dev/null | jq -r '.bundle // ""')
		[[ $bundle == "$TD/"* ]] || continue
		timeout 30 "$RUNTIME" delete --force "$id" >/dev/null 2>&1
	done
	local had_var= had_cache= had_runc= had_berth=
	[[ -e $TD/.had-var-lib-containers ]] && had_var=1
	[[ -e $TD/.had-blob-cache ]] && had_cache=1
	[[ -e $TD/.had-run-runc ]] && had_runc=1
	[[ -e $TD/.had-run-berth-runtime ]] && had_berth=1
	compat_teardown_file
	local rc=$?
	[[ -n $had_cache ]] || rm -f /var/lib/containers/cache/blob-info-cache-v1.boltdb
	[[ -n $had_var ]] || rmdir /var/lib/containers/cache /var/lib/containers 2>/dev/null
	[[ -n $had_runc ]] || rmdir /run/runc 2>/dev/null
	if [[ -z $had_berth ]]; then
		# berth-runtime keeps compiled seccomp programs in its root
		rm -rf --one-file-system /run/berth-runtime/.seccomp-cache
		rmdir /run/berth-runtime 2>/dev/null
	fi
	return $rc
}

setup() {
	compat_setup
}

teardown() {
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	compat_teardown
	timeout 60 "$PODMAN" rm -af -t 0 >/dev/null 2>&1
	return 0
}

prun() {
	peer "$PODMAN" run --network none --cgroup-parent "/$CGNAME" "$@"
}

# pdetach NAME [options...] -- CMD...: podman run -d; sets CID and PID
pdetach() {
	local name=$1
	shift
	local opts=()
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	prun -d --name "$name" "${opts[@]}" "$IMG" "$@"
	[[ $status -eq 0 ]] || fail "podman run -d failed"
	CID=${lines[-1]}
	PID=$(inspect "$name" '{{.State.Pid}}')
	[[ $PID =~ ^[0-9]+$ && $PID -gt 0 ]] || fail "no pid for $name: $PID"
}

inspect() { timeout 30 "$PODMAN" inspect -f "$2" "$1"; }

cname() { echo "$1-$BATS_SUITE_TEST_NUMBER"; }

@test "podman: run --runtime runs the container with the runtime under test" {
	local n
	n=$(cname hello)
	prun --name "$n" "$IMG" echo hi from podman
	assert_eq "$status" 0
	assert_eq "$output" "hi from podman"
	local cid
	cid=$(inspect "$n" '{{.Id}}')
	runtime_was_used create "$cid"
	runtime_was_used start "$cid"
	local oci
	oci=$(inspect "$n" '{{.OCIRuntime}}')
	[[ $oci == "$RT" || $oci == "$(basename "$RT")" ]] || fail "OCIRuntime: $oci"
	# podman asked for a json log (runtime_supports_json)
	grep -E " create( .*)? $cid\$" "$TD/runtime.calls" | grep -qE -- '--log-format[= ]json' ||
		fail "no --log-format json on create"
	peer_ok "$PODMAN" rm "$n"
	runtime_was_used delete "$cid"
}

@test "podman: exit status, stdout and stderr of the container" {
	prun --rm "$IMG" sh -c 'echo out; echo err >&2; exit 7'
	assert_eq "$status" 7
	assert_contains "$output" out
	assert_contains "$output" err
}

@test "podman: run -e, -w, -u reach the process" {
	prun --rm -e FOO=bar -w /tmp -u 1000:1000 "$IMG" sh -c 'echo "$FOO"; pwd; id -u; id -g'
	assert_eq "$status" 0
	assert_eq "${lines[*]}" "bar /tmp 1000 1000"
}

@test "podman: run -it gives a terminal and relays typed input" {
	peer_tty -e '/ # ' -s 'tty; echo typed-$((6*7)); exit 5\r' -- \
		"$PODMAN" run -it --rm --network none --cgroup-parent "/$CGNAME" "$IMG" sh
	assert_eq "$status" 5 "exit status"
	assert_contains "$output" typed-42
	[[ $output =~ /dev/pts/[0-9]+ ]] || fail "tty did not print a pts"
}

@test "podman: run -t without -i" {
	peer_tty -- "$PODMAN" run -t --rm --network none --cgroup-parent "/$CGNAME" "$IMG" \
		sh -c 'test -t 1 && echo stdout-tty; exit 3'
	assert_eq "$status" 3
	assert_contains "$output" stdout-tty
}

@test "podman: exec runs in the running container (exit status, -u, -w, -e)" {
	local n
	n=$(cname exec)
	pdetach "$n" -- sleep 1000
	peer "$PODMAN" exec "$n" sh -c 'echo exec-out; tr "\0" " " </proc/1/cmdline; echo; exit 4'
	assert_eq "$status" 4
	assert_eq "${lines[0]}" exec-out
	assert_eq "${lines[1]}" "sleep 1000 " "pid 1 seen by exec"
	runtime_was_used exec "$CID"
	peer "$PODMAN" exec -u 1000 -w /tmp -e X=y "$n" sh -c 'id -u; pwd; echo $X'
	assert_eq "$status" 0
	assert_eq "${lines[*]}" "1000 /tmp y"
}

@test "podman: exec -it gives the exec'd process a terminal" {
	local n
	n=$(cname exectty)
	pdetach "$n" -- sleep 1000
	peer_tty -e '/ # ' -s 'tty; echo typed-$((6*7)); exit 3\r' -- "$PODMAN" exec -it "$n" sh
	assert_eq "$status" 3
	assert_contains "$output" typed-42
	[[ $output =~ /dev/pts/[0-9]+ ]] || fail "tty did not print a pts"
}

@test "podman: stop sends SIGTERM, then SIGKILL after the timeout" {
	local n
	n=$(cname stop)
	pdetach "$n" -- sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	peer_ok "$PODMAN" stop -t 20 "$n"
	assert_eq "$(inspect "$n" '{{.State.Status}}')" exited
	assert_eq "$(inspect "$n" '{{.State.ExitCode}}')" 42 "exit code after SIGTERM"
	runtime_was_used kill "$CID"

	n=$(cname stop9)
	pdetach "$n" -- sleep 1000
	peer_ok "$PODMAN" stop -t 1 "$n"
	assert_eq "$(inspect "$n" '{{.State.ExitCode}}')" 137 "exit code after SIGKILL"
}

@test "podman: start again after stop, podman wait" {
	local n
	n=$(cname restart)
	pdetach "$n" -- sh -c 'echo started; sleep 1000'
	peer_ok "$PODMAN" stop -t 1 "$n"
	peer_ok "$PODMAN" start "$n"
	assert_eq "$(inspect "$n" '{{.State.Running}}')" true
	peer_ok "$PODMAN" kill -s KILL "$n"
	peer_ok "$PODMAN" wait "$n"
	assert_eq "$output" 137 "podman wait"
	peer_ok "$PODMAN" logs "$n"
	assert_eq "$(grep -c started <<<"$output")" 2 "starts in the log"
}

@test "podman: --memory is set in the cgroup and enforced (OOM kill)" {
	local n f
	n=$(cname mem)
	pdetach "$n" --memory 64m --memory-swap 64m -- sleep 1000
	f=$(cg_file "$PID" memory memory.limit_in_bytes) || f=$(cg_file "$PID" "" memory.max)
	assert_eq "$(cat "$f")" 67108864 "$f"
	[[ $f == */$CGNAME/* ]] || fail "cgroup not under --cgroup-parent: $f"

	prun --rm --memory 32m --memory-swap 32m "$IMG" dd if=/dev/zero of=/dev/null bs=256M count=1
	assert_eq "$status" 137
}

@test "podman: --pids-limit is set in the cgroup" {
	local n
	n=$(cname pids)
	pdetach "$n" --pids-limit 10 -- sleep 1000
	assert_eq "$(cat "$(cg_file "$PID" pids pids.max)")" 10 pids.max
}

@test "podman: --cap-drop removes capabilities" {
	prun --rm --cap-drop NET_RAW --cap-drop CHOWN "$IMG" /probe caps
	assert_eq "$status" 0
	local eff
	eff=$(grep '^CapEff=' <<<"$output" | cut -d= -f2)
	[[ -n $eff ]] || fail "no CapEff"
	(((0x$eff & (1 << 13)) == 0)) || fail "CAP_NET_RAW still effective: $eff"
	(((0x$eff & 1) == 0)) || fail "CAP_CHOWN still effective: $eff"
}

@test "podman: --read-only (tmpfs /tmp, /run, /var/tmp with tmpcopyup)" {
	# podman mounts tmpfs with the runc option "tmpcopyup": the tmpfs starts
	# with a copy of what the image has there
	prun --rm --read-only "$IMG" sh -c 'touch /x 2>&1; echo rc=$?; touch /tmp/y /run/y /var/tmp/y && echo tmpfs-ok; grep " /run " /proc/mounts | cut -d" " -f3; cat /run/image-marker'
	assert_eq "$status" 0
	assert_contains "$output" "Read-only file system"
	assert_contains "$output" tmpfs-ok
	assert_eq "${lines[-2]}" tmpfs "/run is a tmpfs"
	assert_eq "${lines[-1]}" image-run-file "/run/image-marker copied up into the tmpfs"
}

@test "podman: the default seccomp profile is applied" {
	prun --rm "$IMG" grep Seccomp: /proc/self/status
	assert_eq "$status" 0
	assert_eq "$output" "Seccomp:	2"
}

@test "podman: pause and unpause freeze and thaw the container" {
	local n
	n=$(cname pause)
	pdetach "$n" -- sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
	retry 50 0.1 test -s "/proc/$PID/root/tmp/count"
	peer_ok "$PODMAN" pause "$n"
	assert_eq "$(inspect "$n" '{{.State.Status}}')" paused
	runtime_was_used pause "$CID"
	local a b
	a=$(cat "/proc/$PID/root/tmp/count")
	sleep 1
	b=$(cat "/proc/$PID/root/tmp/count")
	assert_eq "$b" "$a" "counter while paused"
	peer_ok "$PODMAN" unpause "$n"
	assert_eq "$(inspect "$n" '{{.State.Status}}')" running
	runtime_was_used resume "$CID"
	# the loop goes on (its next round may take a while on a loaded machine)
	moved() { b=$(cat "/proc/$PID/root/tmp/count"); [[ -n $a && -n $b ]] && ((b > a)); }
	retry 100 0.1 moved || fail "counter did not move after unpause ($a -> $b)"
}

@test "podman: info reports the runtime's --version" {
	peer_ok "$PODMAN" info --format '{{.Host.OCIRuntime.Path}}|{{.Host.OCIRuntime.Version}}'
	assert_contains "$output" "$RT|"
	local want
	want=$("$RUNTIME" --version | head -n 1)
	[[ -n $want ]] || fail "$RUNTIME --version printed nothing"
	assert_contains "$output" "$want"
}

@test "podman: --uidmap/--gidmap run the container in a user namespace" {
	prun --rm --uidmap 0:200000:65536 --gidmap 0:200000:65536 "$IMG" sh -c \
		'cat /proc/self/uid_map /proc/self/gid_map; id -u; ls -ln /bin/busybox | tr -s " " | cut -d" " -f3,4; touch /tmp/x && echo write-ok'
	assert_eq "$status" 0
	[[ $(echo ${lines[0]}) == "0 200000 65536" ]] || fail "uid_map: ${lines[0]}"
	[[ $(echo ${lines[1]}) == "0 200000 65536" ]] || fail "gid_map: ${lines[1]}"
	assert_eq "${lines[2]}" 0 "uid inside"
	assert_eq "${lines[3]}" "0 0" "owner of the image files inside"
	assert_contains "$output" write-ok
}

@test "podman: --pid container:X and --ipc container:X join namespaces" {
	local n
	n=$(cname nsowner)
	pdetach "$n" -- sleep 1000
	local owner=$PID
	prun --rm --pid "container:$n" --ipc "container:$n" "$IMG" sh -c \
		'tr "\0" " " </proc/1/cmdline; echo; readlink /proc/self/ns/pid; readlink /proc/self/ns/ipc'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" "sleep 1000 "
	assert_eq "${lines[1]}" "$(readlink "/proc/$owner/ns/pid")" "pid ns"
	assert_eq "${lines[2]}" "$(readlink "/proc/$owner/ns/ipc")" "ipc ns"
}

@test "podman: run --preserve-fds passes extra fds to the process" {
	echo fd-three >"$TD/fd3-$BATS_SUITE_TEST_NUMBER"
	peer bash -c '"$0" run --rm --network none --cgroup-parent "/$1" --preserve-fds 1 "$2" cat /proc/self/fd/3 3<"$3"' \
		"$PODMAN" "$CGNAME" "$IMG" "$TD/fd3-$BATS_SUITE_TEST_NUMBER"
	assert_eq "$status" 0
	assert_eq "$output" fd-three
	grep -E " create( .*)? --preserve-fds[= ]1( |$)" "$TD/runtime.calls" >/dev/null ||
		fail "create got no --preserve-fds 1"
}
