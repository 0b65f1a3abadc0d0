#!/usr/bin/env bats
# specgen: the specs berthd writes (lib/engine/spec, through
# tests/helpers/specgen-tool) run with berth-runtime on the busybox rootfs:
# docker's default capabilities, user, env and hostname; the default seccomp
# profile blocking unshare(CLONE_NEWUSER) and mount; --init (berth-init as
# PID 1 reaping zombies and passing the exit code on); limits visible from
# inside; masked paths; privileged; devices; users from the image.

load helpers

DEFAULT_CAPS=00000000a80425fb
IMAGE='{"Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Cmd":["sh"]}'

setup() {
	setup_common
	SPECGEN=${SPECGEN:-$BERTH_BUILD/tests/helpers/specgen-tool}
	INIT=${BERTH_INIT:-$BERTH_BUILD/cmd/berth-init/berth-init}
	[[ -x $SPECGEN ]] || skip "specgen-tool not built ($SPECGEN)"
	ID=$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')
	CGPARENT=/berth-sg-$SUFFIX
	mkdir -p "$TESTDIR/files"
	echo "${ID:0:12}" >"$TESTDIR/files/hostname"
	echo "127.0.0.1 localhost" >"$TESTDIR/files/hosts"
	echo "nameserver 127.0.0.1" >"$TESTDIR/files/resolv.conf"
}

teardown() {
	teardown_common
	local d
	for d in /sys/fs/cgroup/*/"${CGPARENT#/}" /sys/fs/cgroup/"${CGPARENT#/}"; do
		[[ -d $d ]] || continue
		find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true
	done
}

# gen HOSTCONFIG CONFIG: write the bundle's config.json; status/output of the tool
gen() {
	local hc
	hc=$(jq -c --arg p "$CGPARENT" '.CgroupParent = $p' <<<"$1")
	status=0
	"$SPECGEN" "$BUNDLE/rootfs" "$ID" "$2" "$hc" "$IMAGE" "$INIT" "$TESTDIR/files" \
		>"$BUNDLE/config.json" 2>"$TESTDIR/specgen.err" || status=$?
	output=$(cat "$TESTDIR/specgen.err")
	[[ $status -eq 0 ]] || echo "specgen-tool: $output"
}

# sh_config SCRIPT [EXTRA-CONFIG-JQ]: a Config running sh -c SCRIPT
sh_config() {
	jq -cn --arg s "$1" '{Cmd: ["sh", "-c", $s]}'
}

@test "specgen: docker's default process: capabilities, user, env, hostname, seccomp" {
	gen '{}' "$(sh_config 'grep -E "^(CapEff|CapBnd|CapPrm|Seccomp|NoNewPrivs):" /proc/self/status; id; env | sort; hostname; cat /etc/hostname; pwd')"
	[[ $status -eq 0 ]]
	run_ct
	[[ $status -eq 0 ]]
	[[ $output == *"CapEff:	$DEFAULT_CAPS"* ]]
	[[ $output == *"CapBnd:	$DEFAULT_CAPS"* ]]
	[[ $output == *"CapPrm:	$DEFAULT_CAPS"* ]]
	[[ $output == *"Seccomp:	2"* ]]
	[[ $output == *"NoNewPrivs:	0"* ]]
	[[ $output == *"uid=0(root) gid=0(root)"* ]]
	[[ $output == *"HOSTNAME=${ID:0:12}"* ]]
	[[ $output == *"HOME=/root"* ]]
	[[ $output == *"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"* ]]
	[[ $(grep -c "^${ID:0:12}\$" <<<"$output") -eq 2 ]] # hostname and /etc/hostname
}

@test "specgen: the default seccomp profile blocks unshare(CLONE_NEWUSER) and mount; unconfined and CAP_SYS_ADMIN do not" {
	# the probe exits with the errno of the raw syscall
	gen '{}' '{"Cmd":["/probe","syscall","unshare","0x10000000"]}'
	run_ct
	[[ $status -eq 1 ]] # EPERM
	gen '{}' '{"Cmd":["/probe","syscall","clone3","0","0"]}'
	run_ct
	[[ $status -eq 38 ]] # ENOSYS: libc falls back to clone
	gen '{}' '{"Cmd":["/probe","syscall","keyctl","0","0","0","0","0"]}'
	run_ct
	[[ $status -eq 1 ]]
	gen '{}' '{"Cmd":["/probe","syscall","personality","0x0040000"]}'
	run_ct
	[[ $status -eq 1 ]]
	gen '{"SecurityOpt":["seccomp=unconfined"]}' '{"Cmd":["/probe","syscall","personality","0x0040000"]}'
	run_ct
	[[ $status -eq 0 ]]
	gen '{"SecurityOpt":["seccomp=unconfined"]}' "$(sh_config 'grep ^Seccomp: /proc/self/status')"
	run_ct
	[[ $output == *"Seccomp:	0"* ]]
	# CAP_SYS_ADMIN opens clone3 (whatever the kernel then says, not ENOSYS)
	gen '{"CapAdd":["SYS_ADMIN"]}' '{"Cmd":["/probe","syscall","clone3","0","0"]}'
	run_ct
	[[ $status -ne 38 ]]
	# a profile given as SecurityOpt text (the docker CLI sends the file's content)
	gen '{"SecurityOpt":["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"getcwd\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":77}]}"]}' \
		'{"Cmd":["/probe","syscall","getcwd","0","0"]}'
	run_ct
	[[ $status -eq 77 ]]
}

@test "specgen: --init runs berth-init as PID 1: zombies reaped, exit code passed on" {
	[[ -x $INIT ]] || skip "berth-init not built"
	gen '{"Init":true}' "$(sh_config 'tr "\0" " " </proc/1/cmdline; echo
for i in 1 2 3 4; do (sh -c "exit 0" &); done
n=0; while :; do z=0; c=0
for s in /proc/[0-9]*/stat; do read -r l <$s 2>/dev/null || continue; c=$((c+1)); case "$l" in *") Z "*) z=$((z+1));; esac; done
[ $c -le 2 ] && break; n=$((n+1)); [ $n -ge 100 ] && break; sleep 0.1; done
echo zombies=$z procs=$c; exit 3')"
	[[ $status -eq 0 ]]
	run_ct
	[[ $status -eq 3 ]]
	[[ $output == *"/sbin/docker-init -- sh -c"* ]]
	# the orphans gone (reaped by the init, polled up to 10 s): init and sh left
	[[ $output == *"zombies=0 procs=2"* ]]
	# a signal that kills the child: 128 + signal
	gen '{"Init":true}' "$(sh_config 'kill -9 $$')"
	run_ct
	[[ $status -eq 137 ]]
}

@test "specgen: limits and mounts visible inside: ShmSize, Tmpfs, ReadonlyRootfs, Ulimits, Sysctls" {
	gen '{"ShmSize":1048576,"Tmpfs":{"/run":"size=2m"},"ReadonlyRootfs":true,"Ulimits":[{"Name":"nofile","Soft":1234,"Hard":2345}],"Sysctls":{"net.ipv4.ip_forward":"1"},"PidsLimit":77,"Memory":33554432}' \
		"$(sh_config 'grep -E " /dev/shm | /run " /proc/mounts; ulimit -n; ulimit -Hn; cat /proc/sys/net/ipv4/ip_forward; touch /x 2>/dev/null || echo rootfs-ro; grep -E " / " /proc/mounts')"
	[[ $status -eq 0 ]]
	run_ct
	[[ $status -eq 0 ]]
	[[ $output == *"shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k"* ]]
	[[ $output == *"tmpfs /run tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k"* ]]
	[[ ${lines[2]} == 1234 ]]
	[[ ${lines[3]} == 2345 ]]
	[[ ${lines[4]} == 1 ]]
	[[ $output == *rootfs-ro* ]]
}

@test "specgen: masked and read-only paths; privileged has all caps and none of them" {
	gen '{}' "$(sh_config 'wc -c </proc/timer_list; ls /sys/firmware | wc -l; echo 1 >/proc/sys/kernel/panic 2>/dev/null || echo sys-ro; grep " /sys " /proc/mounts')"
	run_ct
	[[ $status -eq 0 ]]
	[[ ${lines[0]} == 0 ]]
	[[ ${lines[1]} == 0 ]]
	[[ $output == *sys-ro* ]]
	[[ $output == *"sysfs /sys sysfs ro,"* ]]
	gen '{"Privileged":true}' "$(sh_config 'grep -E "^(CapEff|Seccomp):" /proc/self/status; grep -c timer_list /proc/mounts; grep " /sys " /proc/mounts')"
	run_ct
	[[ $status -eq 0 ]]
	# every capability of our bounding set (berthd's)
	[[ $output == *"CapEff:	$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)"* ]]
	[[ $output == *"Seccomp:	0"* ]]
	[[ ${lines[2]} == 0 ]]
	[[ $output == *"sysfs /sys sysfs rw,"* ]]
}

@test "specgen: users from the image's /etc/passwd and /etc/group, GroupAdd; unknown names refused" {
	gen '{"GroupAdd":["tty"]}' '{"User":"berth","Cmd":["id"]}'
	run_ct
	[[ $status -eq 0 ]]
	[[ $output == "uid=1000(berth) gid=1000(berth) groups=5(tty),1000(berth),1001(extra)" ]]
	gen '{}' '{"User":"1234:65534","Cmd":["id"]}'
	run_ct
	[[ $output == "uid=1234 gid=65534(nogroup) groups=65534(nogroup)" ]]
	gen '{}' '{"User":"nobody2","Cmd":["id"]}'
	[[ $status -eq 1 ]]
	[[ $output == "unable to find user nobody2: no matching entries in passwd file" ]]
}

@test "specgen: Devices and capability changes" {
	gen '{"Devices":[{"PathOnHost":"/dev/null","PathInContainer":"/dev/mynull","CgroupPermissions":"rwm"}],"CapDrop":["ALL"],"CapAdd":["NET_ADMIN","CHOWN"]}' \
		"$(sh_config 'echo hi >/dev/mynull && echo dev-ok; grep ^CapEff: /proc/self/status')"
	run_ct
	[[ $status -eq 0 ]]
	[[ $output == *dev-ok* ]]
	[[ $output == *"CapEff:	0000000000001001"* ]]
	gen '{"Devices":[{"PathOnHost":"/dev/nonexistent"}]}' '{"Cmd":["true"]}'
	[[ $status -eq 1 ]]
	[[ $output == *'error gathering device information while adding custom device "/dev/nonexistent"'* ]]
}

@test "specgen: blkio weight and per-device throttles reach the cgroup" {
	[[ -b /dev/loop0 ]] || skip "no /dev/loop0"
	[[ -d /sys/fs/cgroup/blkio ]] || skip "cgroup v1 blkio only"
	local mm
	mm=$(printf '%d:%d' "0x$(stat -c %t /dev/loop0)" "0x$(stat -c %T /dev/loop0)")
	gen '{"BlkioDeviceReadBps":[{"Path":"/dev/loop0","Rate":1048576}],"BlkioDeviceWriteIOps":[{"Path":"/dev/loop0","Rate":100}]}' \
		"$(sh_config 'cat /sys/fs/cgroup/blkio/blkio.throttle.read_bps_device /sys/fs/cgroup/blkio/blkio.throttle.write_iops_device')"
	[[ $status -eq 0 ]]
	run_ct
	[[ $status -eq 0 ]]
	[[ $output == *"$mm 1048576"* ]]
	[[ $output == *"$mm 100"* ]]
}
