#!/usr/bin/env bats
# Docker's security defaults of a container (lib/engine/spec) end to end
# through berthd, with the berth CLI and the real docker CLI: the default
# capabilities and seccomp profile (unshare of a user namespace refused as
# in docker's default), --cap-add/--cap-drop, --privileged, --security-opt
# (seccomp=unconfined, seccomp=FILE, no-new-privileges), -u/--group-add,
# masked paths, --read-only/--tmpfs/--shm-size/--ulimit/--sysctl, and the
# daemon's validation messages (400 -> docker CLI exit 125).

load containers-helpers

DEFAULT_CAPS=00000000a80425fb

setup() {
	ct_setup
	ct_start_default
}

# both CLIs: "b" and "dk" (docker skipped when it is not installed)
clis() {
	echo b
	[[ -x $DOCKER ]] && echo dk
}

@test "cli-security: docker's default capabilities and seccomp; unshare of a user namespace is refused" {
	for c in $(clis); do
		run $c run --rm busybox sh -c 'grep -E "^(CapEff|CapBnd|Seccomp|NoNewPrivs):" /proc/self/status'
		echo "$c: $output"
		[ "$status" -eq 0 ]
		[[ $output == *"CapEff:	$DEFAULT_CAPS"* ]]
		[[ $output == *"CapBnd:	$DEFAULT_CAPS"* ]]
		[[ $output == *"Seccomp:	2"* ]]
		[[ $output == *"NoNewPrivs:	0"* ]]
		run $c run --rm busybox unshare -U true
		echo "$c: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"Operation not permitted"* ]]
		run $c run --rm busybox unshare -m true
		[ "$status" -ne 0 ]
	done
}

@test "cli-security: --cap-add SYS_ADMIN opens unshare; --cap-drop; --privileged; seccomp=unconfined" {
	for c in $(clis); do
		run $c run --rm --cap-add SYS_ADMIN busybox unshare -m true
		echo "$c: $output"
		[ "$status" -eq 0 ]
		run $c run --rm --cap-drop ALL --cap-add chown busybox grep ^CapEff: /proc/self/status
		[[ $output == "CapEff:	0000000000000001" ]]
		run $c run --rm --cap-drop NET_RAW --cap-drop mknod busybox grep ^CapEff: /proc/self/status
		[[ $output == "CapEff:	00000000a00405fb" ]]
		run $c run --rm --privileged busybox sh -c 'grep -E "^(CapEff|Seccomp):" /proc/self/status; ls /dev | wc -l'
		echo "$c: $output"
		[[ ${lines[0]} == "CapEff:	$(awk '/^CapBnd:/ { print $2 }' /proc/self/status)" ]]
		[[ ${lines[1]} == "Seccomp:	0" ]]
		[ "${lines[2]}" -gt 20 ] # the host's devices
		run $c run --rm --security-opt seccomp=unconfined busybox grep ^Seccomp: /proc/self/status
		[[ $output == "Seccomp:	0" ]]
		run $c run --rm --security-opt no-new-privileges busybox grep ^NoNewPrivs: /proc/self/status
		[[ $output == "NoNewPrivs:	1" ]]
	done
}

@test "cli-security: --security-opt seccomp=FILE (the CLI sends its content)" {
	cat >"$D/profile.json" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}
JSON
	for c in $(clis); do
		run $c run --rm --security-opt "seccomp=$D/profile.json" busybox mkdir /x
		echo "$c: $output"
		[ "$status" -ne 0 ]
		[[ $output == *"Permission denied"* ]]
	done
	echo '{"defaultAction": "SCMP_ACT_NOPE"}' >"$D/bad.json"
	run b run --rm --security-opt "seccomp=$D/bad.json" busybox true
	echo "$output"
	[ "$status" -eq 125 ]
	[[ $output == *SCMP_ACT_NOPE* ]]
}

@test "cli-security: users and groups from the image; masked paths; read-only rootfs and its mounts" {
	for c in $(clis); do
		run $c run --rm -u nobody --group-add tty --group-add 4242 busybox id
		echo "$c: $output"
		[[ $output == "uid=65534(nobody) gid=65534(nogroup) groups=5(tty),4242,65534(nogroup)" ]]
		run $c run -u nobody2 busybox id
		[ "$status" -ne 0 ]
		[[ $output == *"unable to find user nobody2: no matching entries in passwd file"* ]]
		run $c run --rm busybox sh -c 'wc -c </proc/timer_list; ls /sys/firmware | wc -l'
		[ "${lines[0]}" -eq 0 ]
		[ "${lines[1]}" -eq 0 ]
		run $c run --rm --read-only --tmpfs /run:size=1m --shm-size 2m --ulimit nofile=1234:2345 \
			--sysctl net.ipv4.ip_forward=1 busybox sh -c \
			'touch /x 2>/dev/null || echo ro; grep -E " /run | /dev/shm " /proc/mounts; ulimit -n; cat /proc/sys/net/ipv4/ip_forward'
		echo "$c: $output"
		[ "$status" -eq 0 ]
		[[ $output == *ro* ]]
		[[ $output == *"/run tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k"* ]]
		[[ $output == *"/dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=2048k"* ]]
		[[ $output == *$'\n1234\n1'* ]]
	done
}

@test "cli-security: the daemon's validation messages" {
	for c in $(clis); do
		run $c run --rm -m 4m busybox true
		echo "$c: $output"
		[ "$status" -eq 125 ]
		[[ $output == *"Minimum memory limit allowed is 6MB"* ]]
		run $c run --rm --cap-add NET_BOGUS busybox true
		echo "$c: $output"
		[ "$status" -eq 125 ]
		[[ $output == *'unknown capability: "CAP_NET_BOGUS"'* ]]
		run $c run --rm --sysctl kernel.panic=1 busybox true
		echo "$c: $output"
		[ "$status" -eq 125 ]
		[[ $output == *'kernel.panic'* ]] # the CLIs check it first
		run $c run --rm --blkio-weight 5 busybox true
		echo "$c: $output"
		[ "$status" -eq 125 ]
		[[ $output == *"Range of blkio weight is from 10 to 1000"* ]]
	done
	# the API: 400 with docker's message
	api_status POST /containers/create '{"Image":"busybox","Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"always","MaximumRetryCount":2}}}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *"maximum retry count cannot be used with restart policy 'always'"* ]]
	api_status POST /containers/create '{"Image":"busybox","Cmd":["true"],"HostConfig":{"NanoCpus":1000000000,"CpuPeriod":50000}}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *"Conflicting options: Nano CPUs and CPU Period cannot both be set"* ]]
	if [[ -x $DOCKER ]]; then
		run dk run --rm --cpus 1 --cpu-period 50000 busybox true
		echo "dk: $output"
		[ "$status" -eq 125 ]
		[[ $output == *"Conflicting options: Nano CPUs and CPU Period cannot both be set"* ]]
	fi
	api_status POST /containers/create '{"Image":"busybox","Cmd":["true"],"HostConfig":{"Sysctls":{"kernel.panic":"1"}}}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *'sysctl \"kernel.panic\" is not in a separate kernel namespace'* ]]
	api_status POST /containers/create '{"Image":"busybox","Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"on-failure","MaximumRetryCount":-1}}}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *"maximum retry count cannot be negative"* ]]
	api_status POST /containers/create '{"Image":"busybox","Cmd":["true"],"HostConfig":{"Memory":1000}}'
	[ "$STATUS" = 400 ]
	[[ $BODY == *"Minimum memory limit allowed is 6MB"* ]]
}
