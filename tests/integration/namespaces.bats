#!/usr/bin/env bats
# linux.namespaces: new namespaces, joining by path, errors

load helpers

host_ns() { readlink "/proc/self/ns/$1"; }

# run /probe ns in the container; output has cgroup=... ipc=... lines
probe_ns() {
	set_args /probe ns
	run_ct
	[[ $status -eq 0 ]]
}

@test "namespaces: pid namespace, the process is pid 1" {
	set_args /probe pid
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$(kv pid)" 1 pid
	probe_ns
	[[ $(kv pid) != "$(host_ns pid)" ]]
}

@test "namespaces: without a pid namespace the process sees host pids" {
	remove_ns pid
	set_args /probe pid
	run_ct
	[[ $status -eq 0 ]]
	[[ $(kv pid) -gt 1 ]]
	probe_ns
	assert_eq "$(kv pid)" "$(host_ns pid)" "pid ns"
}

@test "namespaces: mount namespace differs from the host's" {
	probe_ns
	[[ -n $(kv mnt) && $(kv mnt) != "$(host_ns mnt)" ]]
}

@test "namespaces: network namespace differs and has only lo" {
	probe_ns
	[[ -n $(kv net) && $(kv net) != "$(host_ns net)" ]]
	set_sh 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " "'
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" lo interfaces
}

@test "namespaces: without a network namespace the host interfaces are visible" {
	remove_ns network
	probe_ns
	assert_eq "$(kv net)" "$(host_ns net)" "net ns"
}

@test "namespaces: uts namespace with hostname" {
	bundle_set '.hostname = "berth-host"'
	set_args /bin/hostname
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" berth-host hostname
	[[ $(hostname) != berth-host ]]
	probe_ns
	[[ $(kv uts) != "$(host_ns uts)" ]]
}

@test "namespaces: uts namespace with domainname" {
	skip_if_runc "runc 1.1 ignores .domainname"
	bundle_set '.hostname = "berth-host" | .domainname = "berth.example"'
	set_args /bin/cat /proc/sys/kernel/domainname
	run_ct
	[[ $status -eq 0 ]]
	assert_eq "$output" berth.example domainname
}

@test "namespaces: ipc namespace differs" {
	probe_ns
	[[ -n $(kv ipc) && $(kv ipc) != "$(host_ns ipc)" ]]
}

@test "namespaces: cgroup namespace differs and / is the container cgroup" {
	add_ns cgroup
	probe_ns
	[[ -n $(kv cgroup) && $(kv cgroup) != "$(host_ns cgroup)" ]]
	set_args /bin/cat /proc/self/cgroup
	run_ct
	[[ $status -eq 0 ]]
	# inside a cgroup namespace every hierarchy path is the namespace root
	local bad
	bad=$(printf '%s\n' "${lines[@]}" | awk -F: '$3 != "/"')
	[[ -z $bad ]] || fail "non-root cgroup paths: $bad"
}

@test "namespaces: time namespace" {
	[[ -e /proc/self/ns/time ]] || skip "kernel without time namespaces"
	skip_if_runc "runc 1.1 does not support the time namespace"
	add_ns time
	bundle_set '.linux.timeOffsets = {"boottime": {"secs": 86400, "nanosecs": 0}}'
	probe_ns
	[[ -n $(kv time) && $(kv time) != "$(host_ns time)" ]]
	set_args /bin/cat /proc/uptime
	run_ct
	[[ $status -eq 0 ]]
	local up
	up=$(cut -d. -f1 <<<"$output")
	((up >= 86400)) || fail "uptime in the time ns: $output"
}

@test "namespaces: user namespace with uid/gid mappings" {
	add_ns user
	bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	# keep the mount list small: cgroup v1 cannot be mounted in a user ns
	bundle_set '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	set_sh 'cat /proc/self/uid_map /proc/self/gid_map; /probe ids; /probe ns'
	run_ct
	[[ $status -eq 0 ]]
	[[ ${lines[0]} =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]] || fail "uid_map: ${lines[0]}"
	[[ ${lines[1]} =~ ^[[:space:]]*0[[:space:]]+100000[[:space:]]+65536$ ]] || fail "gid_map: ${lines[1]}"
	assert_eq "$(kv uid)" 0 uid
	assert_eq "$(kv gid)" 0 gid
	[[ $(kv user) != "$(host_ns user)" ]]
}

@test "namespaces: user namespace process runs as the mapped host uid" {
	add_ns user
	bundle_set '.linux.uidMappings = [{containerID: 0, hostID: 100000, size: 65536}]
		| .linux.gidMappings = [{containerID: 0, hostID: 100000, size: 65536}]'
	bundle_set '.mounts |= map(select(.destination != "/sys/fs/cgroup"))'
	set_args /bin/sleep 1000
	create_ct
	local pid
	pid=$(pid_of "$CT")
	start_ct
	retry 50 0.1 grep -q sleep "/proc/$pid/cmdline"
	assert_eq "$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")" 100000 "host uid"
	assert_eq "$(awk '/^Gid:/ {print $2}' "/proc/$pid/status")" 100000 "host gid"
}

@test "namespaces: joining a network namespace by path" {
	local ns=berth-$SUFFIX
	ip netns add "$ns"
	echo "$ns" >>"$TESTDIR/.netns"
	local ino
	ino=$(stat -L -c %i "/run/netns/$ns")
	add_ns network "/run/netns/$ns"
	probe_ns
	assert_eq "$(kv net)" "net:[$ino]" "net ns"
	ip netns del "$ns"
}

@test "namespaces: joining the uts and ipc namespaces of another container" {
	local a b
	a=$(new_id a)
	b=$(new_id b)
	set_args /bin/sleep 1000
	bundle_set '.hostname = "container-a"'
	create_ct "$a"
	local pid
	pid=$(pid_of "$a")

	local b2=$TESTDIR/bundle-b
	make_bundle "$b2"
	CONFIG=$b2/config.json bundle_set 'del(.hostname)'
	CONFIG=$b2/config.json bundle_set '.linux.namespaces |= map(if .type == "uts" then .path = $u elif .type == "ipc" then .path = $i else . end)' \
		--arg u "/proc/$pid/ns/uts" --arg i "/proc/$pid/ns/ipc"
	CONFIG=$b2/config.json bundle_set '.process.args = ["/bin/sh", "-c", "hostname; /probe ns"]'
	rt run --bundle "$b2" "$b"
	[[ $status -eq 0 ]]
	assert_eq "${lines[0]}" container-a hostname
	assert_eq "$(kv uts)" "$(readlink "/proc/$pid/ns/uts")" "uts ns"
	assert_eq "$(kv ipc)" "$(readlink "/proc/$pid/ns/ipc")" "ipc ns"
	[[ $(kv net) != "$(readlink "/proc/$pid/ns/net")" ]]
}

@test "namespaces: joining the pid namespace of another container" {
	local a b
	a=$(new_id a)
	b=$(new_id b)
	set_args /bin/sleep 1000
	create_ct "$a"
	start_ct "$a"
	local pid
	pid=$(pid_of "$a")

	local b2=$TESTDIR/bundle-b
	make_bundle "$b2"
	CONFIG=$b2/config.json bundle_set '.linux.namespaces |= map(if .type == "pid" then .path = $p else . end)' \
		--arg p "/proc/$pid/ns/pid"
	CONFIG=$b2/config.json bundle_set '.process.args = ["/bin/sh", "-c", "cat /proc/1/cmdline | tr \"\\\\0\" \" \"; echo; /probe ns"]'
	rt run --bundle "$b2" "$b"
	[[ $status -eq 0 ]]
	[[ ${lines[0]} == "/bin/sleep 1000 " ]] || fail "pid 1 is: ${lines[0]}"
	assert_eq "$(kv pid)" "$(readlink "/proc/$pid/ns/pid")" "pid ns"
}

@test "namespaces: joining a namespace path that does not exist fails" {
	add_ns network "/run/netns/nosuch-$SUFFIX"
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" "nosuch-$SUFFIX"
	assert_no_state "$CT"
}

@test "namespaces: joining a path of the wrong namespace type fails" {
	set_args /bin/sleep 1000
	add_ns network /proc/self/ns/uts
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}

@test "namespaces: unknown namespace type is an error naming it" {
	bundle_set '.linux.namespaces += [{type: "bogusns"}]'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" bogusns
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "namespaces: duplicate namespace type is an error" {
	bundle_set '.linux.namespaces += [{type: "uts"}]'
	set_args /bin/true
	rt create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_no_state "$CT"
}
