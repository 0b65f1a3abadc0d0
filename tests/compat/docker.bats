#!/usr/bin/env bats
# dockerd (20.10, through a containerd of our own) with the runtime under
# test registered as "berth" (--add-runtime), driven by the docker CLI.

load helpers

setup_file() {
	require_cmd dockerd docker containerd ctr containerd-shim-runc-v2 || return 0
	compat_setup_file docker
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	# dockerd makes /run/docker/plugins whatever its --exec-root
	[[ -d /run/docker ]] && : >"$TD/.had-run-docker"
	start_containerd containerd
	local d=$TD/docker
	mkdir -p "$d/data" "$d/exec" "$d/cli"
	# (dockerd 20.10 writes its trust key to /etc/docker/key.json otherwise)
	jq -n --arg k "$d/key.json" '{"deprecated-key-path": $k}' >"$d/daemon.json"
	DOCKER_HOST=unix://$TD/d.sock
	DOCKER_CONFIG=$d/cli
	DOCKER_CLI_HINTS=false
	export DOCKER_HOST DOCKER_CONFIG DOCKER_CLI_HINTS CTRD_ADDR
	start_daemon dockerd dockerd \
		--config-file "$d/daemon.json" \
		--data-root "$d/data" --exec-root "$d/exec" --pidfile "$d/dockerd.pid" \
		-H "$DOCKER_HOST" \
		--containerd "$CTRD_ADDR" --containerd-namespace "$CGNAME" \
		--containerd-plugins-namespace "$CGNAME-plugins" \
		--bridge=none --iptables=false --ip6tables=false --ip-masq=false --ip-forward=false \
		--userland-proxy=false \
		--exec-opt native.cgroupdriver=cgroupfs --cgroup-parent "/$CGNAME" \
		--add-runtime "berth=$RT" \
		--log-level debug
	DOCKERD_PID=$DAEMON_PID
	export DOCKERD_PID
	wait_daemon dockerd "$DOCKERD_PID" docker version
	timeout 120 docker load -i "$IMAGE_DIR/image.tar" >"$TD/load.out" 2>&1 || {
		cat "$TD/load.out" >&2
		return 1
	}
	IMG=${IMAGE_REF#docker.io/}
	export IMG
	# the seccomp profile for the seccomp test: the default action allows,
	# mkdir/mkdirat fail with EPERM, chmod family with ENOSYS (38)
	cat >"$TD/seccomp.json" <<'EOF'
{
	"defaultAction": "SCMP_ACT_ALLOW",
	"architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32", "SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"],
	"syscalls": [
		{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 1},
		{"names": ["chmod", "fchmod", "fchmodat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 38}
	]
}
EOF
}

teardown_file() {
	# dockerd first (it stops its containers), then containerd; the rest is
	# killed by cgroup
	[[ -n ${TD:-} && -d $TD ]] || return 0
	local had=
	[[ -e ${TD:-/nonexistent}/.had-run-docker ]] && had=1
	compat_teardown_file
	[[ -n $had ]] || rmdir /run/docker/plugins /run/docker 2>/dev/null
	return 0
}

setup() {
	compat_setup
}

teardown() {
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	compat_teardown
	local ids
	ids=$(timeout 10 docker ps -aq 2>/dev/null)
	[[ -z $ids ]] || timeout 60 docker rm -f $ids >/dev/null 2>&1
	return 0
}

# drun [docker run options] IMAGE-less: docker run --runtime berth
# --network none OPTIONS... (the caller gives the image: "$IMG")
drun() {
	peer docker run --runtime berth --network none "$@"
}

# ddetach NAME [options...] -- CMD...: docker run -d, sets CID and PID
ddetach() {
	local name=$1
	shift
	local opts=()
	while [[ $1 != -- ]]; do
		opts+=("$1")
		shift
	done
	shift
	peer docker run -d --runtime berth --network none --name "$name" "${opts[@]}" "$IMG" "$@"
	[[ $status -eq 0 ]] || fail "docker run -d failed"
	CID=${lines[-1]}
	PID=$(docker inspect -f '{{.State.Pid}}' "$name")
	[[ $PID =~ ^[0-9]+$ && $PID -gt 0 ]] || fail "no pid for $name: $PID"
}

cname() { echo "$1-$BATS_SUITE_TEST_NUMBER"; }

inspect() { docker inspect -f "$2" "$1"; }

@test "docker: run --runtime berth runs the container with the runtime under test" {
	local n
	n=$(cname hello)
	drun --name "$n" "$IMG" echo hi from docker
	assert_eq "$status" 0
	assert_eq "$output" "hi from docker"
	local cid
	cid=$(inspect "$n" '{{.Id}}')
	runtime_was_used create "$cid"
	runtime_was_used start "$cid"
	assert_eq "$(inspect "$n" '{{.HostConfig.Runtime}}')" berth runtime
	# the runtime under test kept its state where dockerd asked
	local root
	root=$(runtime_root_for "$cid")
	[[ $root == "$TD/docker/exec/"* ]] || fail "--root outside dockerd's exec-root: $root"
	peer_ok docker rm "$n"
	runtime_was_used delete "$cid"
	# the runtime forgot it and removed its cgroup
	peer "$RUNTIME" --root "$root" list -q
	assert_not_contains "$output" "$cid"
	local m
	for m in $(cg_mounts); do
		[[ ! -d $m/$CGNAME/$cid ]] || fail "cgroup $m/$CGNAME/$cid left after docker rm"
	done
}

@test "docker: exit status, stdout and stderr of the container" {
	drun --rm "$IMG" sh -c 'echo out; echo err >&2; exit 7'
	assert_eq "$status" 7
	assert_contains "$output" out
	assert_contains "$output" err
}

@test "docker: run -e, -w, -u and the image's PATH reach the process" {
	drun --rm -e FOO=bar -w /tmp -u 1000:1000 "$IMG" sh -c 'echo "$FOO"; pwd; id -u; id -g; echo $PATH'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" bar
	assert_eq "${lines[1]}" /tmp
	assert_eq "${lines[2]}" 1000 uid
	assert_eq "${lines[3]}" 1000 gid
	assert_eq "${lines[4]}" /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
}

@test "docker: run -it gives a terminal and relays typed input" {
	peer_tty -e '/ # ' -s 'tty; echo typed-$((6*7)); exit 5\r' -- \
		docker run -it --rm --runtime berth --network none "$IMG" sh
	assert_eq "$status" 5 "exit status"
	assert_contains "$output" typed-42
	[[ $output =~ /dev/pts/[0-9]+ ]] || fail "tty did not print a pts"
}

@test "docker: run -t sets the terminal size from the client" {
	peer_tty --rows 33 --cols 101 -- docker run -t --rm --runtime berth --network none "$IMG" \
		sh -c 'i=0; while [ $i -lt 50 ]; do s=$(stty size 2>/dev/null); [ "$s" = "33 101" ] && break; i=$((i+1)); sleep 0.1; done; echo "size=$s"'
	assert_eq "$status" 0
	assert_contains "$output" "size=33 101"
}

@test "docker: exec runs in the running container (exit status, namespaces)" {
	local n
	n=$(cname exec)
	ddetach "$n" -- sleep 1000
	peer docker exec "$n" sh -c 'echo exec-out; tr "\0" " " </proc/1/cmdline; echo; exit 4'
	assert_eq "$status" 4
	assert_eq "${lines[0]}" exec-out
	assert_eq "${lines[1]}" "sleep 1000 " "pid 1 seen by exec"
	runtime_was_used exec "$CID"
	peer docker exec -u 1000 -w /tmp -e X=y "$n" sh -c 'id -u; pwd; echo $X'
	assert_eq "$status" 0
	assert_eq "${lines[*]}" "1000 /tmp y"
	# the exec'd process is in the container's cgroup (docker's cgroupns is
	# host on v1, so /proc/self/cgroup shows the host paths) and namespaces
	peer docker exec "$n" sh -c 'cat /proc/self/cgroup; for n in pid mnt net ipc uts; do readlink /proc/self/ns/$n; done'
	assert_eq "$status" 0
	local c
	for c in memory pids; do
		grep -q ":$c:$(cg_path_of "$PID" "$c")\$" <<<"$output" ||
			fail "exec'd process not in the container's $c cgroup $(cg_path_of "$PID" "$c")"
	done
	for c in pid mnt net ipc uts; do
		assert_contains "$output" "$(readlink "/proc/$PID/ns/$c")"
	done
}

@test "docker: exec -it gives the exec'd process a terminal" {
	local n
	n=$(cname exectty)
	ddetach "$n" -- sleep 1000
	peer_tty -e '/ # ' -s 'tty; echo typed-$((6*7)); exit 3\r' -- docker exec -it "$n" sh
	assert_eq "$status" 3
	assert_contains "$output" typed-42
	[[ $output =~ /dev/pts/[0-9]+ ]] || fail "tty did not print a pts"
}

@test "docker: stop sends SIGTERM, then SIGKILL after the timeout" {
	local n
	n=$(cname stop)
	ddetach "$n" -- sh -c 'trap "exit 42" TERM; while :; do sleep 0.1; done'
	peer_ok docker stop -t 20 "$n"
	assert_eq "$(inspect "$n" '{{.State.Status}}')" exited
	assert_eq "$(inspect "$n" '{{.State.ExitCode}}')" 42 "exit code after SIGTERM"
	runtime_was_used kill "$CID"

	# pid 1 without a handler ignores SIGTERM: docker stop must SIGKILL it
	n=$(cname stop9)
	ddetach "$n" -- sleep 1000
	peer_ok docker stop -t 1 "$n"
	assert_eq "$(inspect "$n" '{{.State.ExitCode}}')" 137 "exit code after SIGKILL"
	[[ ! -e /proc/$PID ]] || [[ $(awk '{print $3}' "/proc/$PID/stat") == Z ]] ||
		fail "container process $PID still alive"
}

@test "docker: start again after stop, restart" {
	local n
	n=$(cname restart)
	ddetach "$n" -- sh -c 'echo started; sleep 1000'
	peer_ok docker stop -t 1 "$n"
	peer_ok docker start "$n"
	assert_eq "$(inspect "$n" '{{.State.Running}}')" true
	peer_ok docker restart -t 1 "$n"
	assert_eq "$(inspect "$n" '{{.State.Running}}')" true
	peer_ok docker logs "$n"
	assert_eq "$(grep -c started <<<"$output")" 3 "starts in the log"
}

@test "docker: --memory is set in the cgroup and enforced (OOMKilled)" {
	local n f
	n=$(cname mem)
	ddetach "$n" --memory 64m --memory-swap 64m -- sleep 1000
	f=$(cg_file "$PID" memory memory.limit_in_bytes) || f=$(cg_file "$PID" "" memory.max)
	assert_eq "$(cat "$f")" 67108864 "$f"
	[[ $f == */$CGNAME/$CID/* ]] || fail "cgroup not under --cgroup-parent: $f"

	n=$(cname oom)
	drun --name "$n" --memory 32m --memory-swap 32m "$IMG" dd if=/dev/zero of=/dev/null bs=256M count=1
	assert_eq "$status" 137
	assert_eq "$(inspect "$n" '{{.State.OOMKilled}}')" true OOMKilled
}

@test "docker: --cpus, --cpu-shares, --cpuset-cpus are set in the cgroup" {
	local n f
	n=$(cname cpu)
	ddetach "$n" --cpus 0.5 --cpu-shares 512 --cpuset-cpus 0 -- sleep 1000
	if f=$(cg_file "$PID" cpu cpu.cfs_quota_us); then
		assert_eq "$(cat "$f")" 50000 "$f"
		assert_eq "$(cat "$(cg_file "$PID" cpu cpu.cfs_period_us)")" 100000 cpu.cfs_period_us
		assert_eq "$(cat "$(cg_file "$PID" cpu cpu.shares)")" 512 cpu.shares
		assert_eq "$(cat "$(cg_file "$PID" cpuset cpuset.cpus)")" 0 cpuset.cpus
	else
		assert_eq "$(cat "$(cg_file "$PID" "" cpu.max)")" "50000 100000" cpu.max
		assert_eq "$(cat "$(cg_file "$PID" "" cpuset.cpus)")" 0 cpuset.cpus
	fi
	[[ $(cg_path_of "$PID" cpu) == "/$CGNAME/$CID" ]] || fail "cpu cgroup: $(cg_path_of "$PID" cpu)"
}

@test "docker: --pids-limit is set in the cgroup and enforced" {
	local n f
	n=$(cname pids)
	ddetach "$n" --pids-limit 10 -- sleep 1000
	f=$(cg_file "$PID" pids pids.max)
	assert_eq "$(cat "$f")" 10 "$f"
	# the shell dies at the first fork that fails; count what got started
	peer docker exec "$n" sh -c 'for i in $(seq 20); do sleep 100 & done; echo all-started'
	assert_not_contains "$output" all-started
	assert_contains "$output" "can't fork"
	local cur
	cur=$(cat "$(cg_file "$PID" pids pids.current)")
	((cur <= 10)) || fail "pids.current $cur over pids.max 10"
	((cur >= 5)) || fail "pids.current $cur: the limit stopped forks too early"
}

@test "docker: docker update changes the memory limit (runtime update)" {
	local n f
	n=$(cname update)
	ddetach "$n" --memory 64m --memory-swap 128m -- sleep 1000
	peer_ok docker update --memory 96m --memory-swap 192m "$n"
	f=$(cg_file "$PID" memory memory.limit_in_bytes) || f=$(cg_file "$PID" "" memory.max)
	assert_eq "$(cat "$f")" $((96 * 1024 * 1024)) "$f"
	runtime_was_used update "$CID"
}

@test "docker: --cap-drop and --cap-add change the capability sets" {
	drun --rm --cap-drop NET_RAW --cap-drop CHOWN "$IMG" /probe caps
	assert_eq "$status" 0
	local eff bnd
	eff=$(grep '^CapEff=' <<<"$output" | cut -d= -f2)
	bnd=$(grep '^CapBnd=' <<<"$output" | cut -d= -f2)
	[[ -n $eff && -n $bnd ]] || fail "no caps in output"
	(((0x$eff & (1 << 13)) == 0)) || fail "CAP_NET_RAW still effective: $eff"
	(((0x$bnd & (1 << 13)) == 0)) || fail "CAP_NET_RAW still in the bounding set: $bnd"
	(((0x$eff & 1) == 0)) || fail "CAP_CHOWN still effective: $eff"
	(((0x$eff & (1 << 10)) != 0)) || fail "CAP_NET_BIND_SERVICE missing: $eff"

	drun --rm --cap-drop ALL "$IMG" /probe caps
	assert_eq "$status" 0
	assert_contains "$output" CapEff=0000000000000000
	assert_contains "$output" CapBnd=0000000000000000

	drun --rm --cap-add SYS_ADMIN "$IMG" /probe caps
	eff=$(grep '^CapEff=' <<<"$output" | cut -d= -f2)
	(((0x$eff & (1 << 21)) != 0)) || fail "CAP_SYS_ADMIN not added: $eff"
}

@test "docker: --read-only makes the root filesystem read-only (--tmpfs still writable)" {
	drun --rm --read-only --tmpfs /scratch "$IMG" sh -c 'touch /x 2>&1; echo rc=$?; touch /scratch/y && echo tmpfs-ok'
	assert_eq "$status" 0
	assert_contains "$output" "Read-only file system"
	assert_contains "$output" rc=1
	assert_contains "$output" tmpfs-ok
}

@test "docker: the default seccomp profile is applied" {
	drun --rm "$IMG" sh -c 'grep Seccomp: /proc/self/status'
	assert_eq "$status" 0
	assert_eq "$output" "Seccomp:	2"
}

@test "docker: --security-opt seccomp=<profile> is enforced (errnoRet)" {
	drun --rm --security-opt "seccomp=$TD/seccomp.json" "$IMG" sh -c \
		'grep Seccomp: /proc/self/status; mkdir /tmp/d 2>&1; echo mkdir=$?; touch /tmp/f; chmod 600 /tmp/f 2>&1; echo chmod=$?; echo still-running'
	assert_eq "$status" 0
	assert_contains "$output" "Seccomp:	2"
	assert_contains "$output" "Operation not permitted"
	assert_contains "$output" mkdir=1
	assert_contains "$output" "Function not implemented"
	assert_contains "$output" chmod=1
	assert_contains "$output" still-running

	drun --rm --security-opt seccomp=unconfined "$IMG" sh -c 'grep Seccomp: /proc/self/status'
	assert_eq "$output" "Seccomp:	0"
}

@test "docker: pause and unpause freeze and thaw the container" {
	local n
	n=$(cname pause)
	ddetach "$n" -- sh -c 'i=0; while :; do i=$((i+1)); echo $i >/tmp/c.new; mv /tmp/c.new /tmp/count; sleep 0.05; done'
	retry 50 0.1 test -s "/proc/$PID/root/tmp/count"
	peer_ok docker pause "$n"
	assert_eq "$(inspect "$n" '{{.State.Status}}')" paused
	runtime_was_used pause "$CID"
	local a b
	a=$(cat "/proc/$PID/root/tmp/count")
	sleep 1
	b=$(cat "/proc/$PID/root/tmp/count")
	assert_eq "$b" "$a" "counter while paused"
	peer_ok docker unpause "$n"
	assert_eq "$(inspect "$n" '{{.State.Status}}')" running
	runtime_was_used resume "$CID"
	# the loop goes on (its next round may take a while on a loaded machine)
	moved() { b=$(cat "/proc/$PID/root/tmp/count"); [[ -n $a && -n $b ]] && ((b > a)); }
	retry 100 0.1 moved || fail "counter did not move after unpause ($a -> $b)"
}

@test "docker: top lists the container's processes (runtime ps)" {
	local n
	n=$(cname top)
	ddetach "$n" -- sh -c 'sleep 1000 & sleep 1001 & wait'
	local i
	for ((i = 0; i < 50; i++)); do
		peer docker top "$n"
		[[ $status -eq 0 ]] || break
		[[ $(grep -c 'sleep 100[01]' <<<"$output") -ge 2 ]] && break
		sleep 0.2
	done
	assert_eq "$status" 0
	assert_contains "$output" "sleep 1000"
	assert_contains "$output" "sleep 1001"
	runtime_was_used ps "$CID"
}

@test "docker: stats reports the container's cgroup (memory, pids)" {
	local n
	n=$(cname stats)
	ddetach "$n" --memory 64m -- sh -c 'sleep 1000 & sleep 1001 & wait'
	# both sleeps forked (not a fixed sleep: slower on a loaded machine)
	three_pids() {
		peer docker stats --no-stream --format '{{.MemUsage}}|{{.PIDs}}' "$n"
		[[ $status -eq 0 && ${output##*|} == 3 ]]
	}
	retry 20 0.5 three_pids
	local mem=${output%%|*} pids=${output##*|}
	assert_eq "$pids" 3 "PIDs"
	[[ $mem == *"/ 64MiB" ]] || fail "memory limit not in stats: $mem"
	[[ $mem != 0B* ]] || fail "memory usage 0: $mem"
}

@test "docker: masked and read-only paths, /dev and /dev/shm as docker sets them" {
	# masked files that this kernel has read as empty (bind of /dev/null)
	local f masked=""
	for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do
		[[ -e $f ]] && masked+=" $f"
	done
	[[ -n $masked ]] || masked=/proc/keys
	drun --rm "$IMG" sh -c 'for f in '"$masked"'; do echo "$f=$(wc -c <$f)"; done; ls /sys/firmware | wc -l
		(echo 1 >/proc/sys/kernel/domainname) 2>&1; echo rc=$?; ls /dev
		grep -E " /dev/shm | /dev/mqueue " /proc/mounts | cut -d" " -f2,3'
	assert_eq "$status" 0
	for f in $masked; do
		assert_contains "$output" "$f=0"
	done
	assert_eq "${lines[$(wc -w <<<"$masked")]}" 0 "entries in masked /sys/firmware"
	assert_contains "$output" "Read-only file system"
	local d
	for d in null zero full random urandom tty ptmx pts shm mqueue fd stdin stdout stderr; do
		grep -qx "$d" <<<"$output" || fail "/dev/$d missing"
	done
	assert_contains "$output" "/dev/shm tmpfs"
	assert_contains "$output" "/dev/mqueue mqueue"
}

@test "docker: --pid/--ipc/--network container:X join the other container's namespaces" {
	local n
	n=$(cname nsowner)
	ddetach "$n" --ipc shareable -- sleep 1000
	local owner_pid=$PID
	peer docker run --runtime berth --rm --pid "container:$n" --ipc "container:$n" --network "container:$n" "$IMG" sh -c \
		'tr "\0" " " </proc/1/cmdline; echo; for n in pid ipc net; do readlink /proc/self/ns/$n; done'
	assert_eq "$status" 0
	# (the CLI warns about IPv4 forwarding on stderr)
	mapfile -t lines < <(grep -v '^WARNING' <<<"$output")
	assert_eq "${lines[0]}" "sleep 1000 " "pid 1 in the joined pid namespace"
	assert_eq "${lines[1]}" "$(readlink "/proc/$owner_pid/ns/pid")" "pid ns"
	assert_eq "${lines[2]}" "$(readlink "/proc/$owner_pid/ns/ipc")" "ipc ns"
	assert_eq "${lines[3]}" "$(readlink "/proc/$owner_pid/ns/net")" "net ns"
}

@test "docker: --privileged: every capability, host devices, no seccomp, writable /sys" {
	local last bnd
	last=$(cat /proc/sys/kernel/cap_last_cap)
	bnd=$(awk '/^CapBnd/ { print $2 }' /proc/self/status)
	((0x$bnd == (1 << (last + 1)) - 1)) ||
		skip "this host's bounding set ($bnd) lacks capabilities: --privileged fails with any runtime"
	drun --rm --privileged "$IMG" sh -c '/probe caps | grep CapEff; grep Seccomp: /proc/self/status; test -e /dev/kmsg && echo has-kmsg; grep " /sys " /proc/mounts | cut -d" " -f4 | cut -d, -f1'
	assert_eq "$status" 0
	local eff
	eff=$(grep '^CapEff=' <<<"$output" | cut -d= -f2)
	assert_eq "$eff" "$(/usr/bin/awk '/^CapBnd/ { print $2 }' /proc/self/status)" "CapEff = host bounding set"
	assert_contains "$output" "Seccomp:	0"
	assert_contains "$output" has-kmsg
	assert_eq "${lines[-1]}" rw "/sys mount"
}

@test "docker: -v bind mounts (rw and ro), named volumes, --tmpfs options" {
	mkdir -p "$TD/vol-$BATS_SUITE_TEST_NUMBER"
	echo from-host >"$TD/vol-$BATS_SUITE_TEST_NUMBER/f"
	drun --rm -v "$TD/vol-$BATS_SUITE_TEST_NUMBER:/h" -v "$TD/vol-$BATS_SUITE_TEST_NUMBER:/hro:ro" \
		-v "nv-$BATS_SUITE_TEST_NUMBER:/nv" --tmpfs /t:size=1m,mode=1770 "$IMG" sh -c \
		'cat /h/f; echo from-ct >/h/g; touch /hro/x 2>&1; echo nv >/nv/n && cat /nv/n; stat -c %a /t; grep " /t " /proc/mounts'
	assert_eq "$status" 0
	assert_eq "${lines[0]}" from-host
	assert_contains "$output" "Read-only file system"
	assert_contains "$output" nv
	assert_contains "$output" 1770
	assert_contains "$output" size=1024k
	assert_eq "$(cat "$TD/vol-$BATS_SUITE_TEST_NUMBER/g")" from-ct "written through the bind mount"
}

@test "docker: --hostname, --sysctl, --ulimit, --oom-score-adj, --shm-size" {
	drun --rm --hostname berthy --sysctl net.ipv4.ip_forward=1 --sysctl kernel.msgmax=4096 \
		--ulimit nofile=512:1024 --oom-score-adj 300 --shm-size 8m "$IMG" sh -c \
		'hostname; cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/msgmax; ulimit -Sn; ulimit -Hn; cat /proc/self/oom_score_adj; df -k /dev/shm | tail -n 1 | tr -s " " | cut -d" " -f2'
	assert_eq "$status" 0
	assert_eq "${lines[*]}" "berthy 1 4096 512 1024 300 8192"
}

@test "docker: --device adds a device node and allows it in the device cgroup" {
	drun --rm --device /dev/null:/dev/mynull "$IMG" sh -c 'ls -l /dev/mynull; echo x >/dev/mynull && echo write-ok'
	assert_eq "$status" 0
	[[ ${lines[0]} == c* ]] || fail "/dev/mynull is not a char device: ${lines[0]}"
	assert_contains "$output" write-ok
	# a device outside docker's allow list can be made (mknod is allowed)
	# but not opened: /dev/loop-control (10:237) needs no capability to open
	drun --rm "$IMG" sh -c 'mknod /tmp/lc c 10 237 && (exec 3</tmp/lc) 2>&1 && echo open-ok; echo done'
	assert_contains "$output" "Operation not permitted"
	assert_not_contains "$output" open-ok
}

@test "docker: --init runs docker-init as pid 1" {
	[[ -x /usr/bin/docker-init || -x /usr/libexec/docker/docker-init ]] || skip "no docker-init"
	drun --rm --init "$IMG" sh -c 'tr "\0" " " </proc/1/cmdline'
	assert_eq "$status" 0
	assert_contains "$output" "init -- sh -c"
}

@test "docker: exec -d, kill -s, wait, --restart on-failure" {
	local n
	n=$(cname sig)
	ddetach "$n" -- sh -c 'trap "exit 11" USR1; while :; do sleep 0.1; done'
	peer_ok docker exec -d "$n" sh -c 'echo detached >/tmp/d'
	retry 50 0.1 test -s "/proc/$PID/root/tmp/d" || fail "exec -d did not run"
	# the trap is set before USR1 comes (a pid 1 without a handler drops it)
	usr1_caught() { local m; m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$PID/status") && (((16#$m >> 9) & 1)); }
	retry 100 0.1 usr1_caught || fail "no USR1 handler in $PID"
	peer_ok docker kill -s USR1 "$n"
	peer_ok docker wait "$n"
	assert_eq "$output" 11 "exit code from docker wait"

	n=$(cname restart-policy)
	peer_ok docker run -d --runtime berth --network none --name "$n" --restart on-failure:2 "$IMG" sh -c 'sleep 0.2; exit 3'
	local i
	for ((i = 0; i < 100; i++)); do
		[[ $(inspect "$n" '{{.RestartCount}} {{.State.Status}}') == "2 exited" ]] && break
		sleep 0.2
	done
	assert_eq "$(inspect "$n" '{{.RestartCount}} {{.State.Status}} {{.State.ExitCode}}')" "2 exited 3"
}
