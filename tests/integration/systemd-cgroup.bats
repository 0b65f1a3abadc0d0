#!/usr/bin/env bats
# The systemd cgroup driver (--systemd-cgroup, cgroupsPath "slice:prefix:name").
#
# The test machine has no systemd, so the driver's D-Bus flow runs against
# fake-systemd.py: a private dbus-daemon started by the test (its own config
# and socket under TESTDIR) and a python3-dbus service owning
# org.freedesktop.systemd1 there. The fake records every call it gets
# (calls.log, one JSON line each) and, like systemd, makes the unit's cgroup
# in the v1 hierarchies it manages (memory pids cpu cpuacct blkio devices
# freezer) and moves the pid in; the runtime makes the rest (cpuset, hugetlb,
# the cgroup2 mount, ...). The runtime is pointed at them through its two test
# hooks: BERTH_SYSTEMD_RUNNING_DIR (instead of /run/systemd/system) and
# BERTH_SYSTEMD_BUS_ADDRESS (instead of the system bus).
#
# Every slice is unique to the test (berthsd<suffix>.slice, at the root of
# each hierarchy); teardown deletes the containers, stops the fake (which
# removes the units it still has), kills dbus-daemon and the fake by PID, and
# fails on any cgroup directory left with the test's suffix.

load helpers

FAKE_HIER=(memory pids cpu cpuacct blkio devices freezer)
PY=/usr/bin/python3

setup() {
	setup_common
	SLICE=berthsd$SUFFIX.slice
	bundle_set '.linux.cgroupsPath = $p' --arg p "$SLICE:berth:$CT"
	set_args /bin/sleep 1000
}

# containers first (delete --force talks to the fake), then the fake and its
# bus, then the check for leftover cgroups
teardown() {
	local rc=0
	teardown_common || rc=1
	stop_fake_systemd
	cg_teardown || rc=1
	return $rc
}

cg_leftovers() {
	[[ -n ${SUFFIX:-} ]] || return 0
	find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -type d -path "*$SUFFIX*" 2>/dev/null |
		awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

cg_teardown() {
	local left d
	left=$(cg_leftovers)
	[[ -n $left ]] || return 0
	for d in $left; do rmdir "$d" 2>/dev/null || true; done
	fail "cgroups left behind: $left"
}

need_fake() {
	[[ $(id -u) -eq 0 ]] || skip "needs root (cgroups)"
	command -v dbus-daemon >/dev/null || skip "dbus-daemon not installed (Debian: dbus)"
	$PY -c 'import dbus, gi.repository.GLib' 2>/dev/null ||
		skip "python3-dbus / python3-gi not installed"
	[[ -d /sys/fs/cgroup/memory && ! -e /sys/fs/cgroup/cgroup.controllers ]] ||
		skip "the fake systemd manages cgroup v1 hierarchies"
}

# start_fake_systemd [ENV=VALUE...]: a private bus and the fake on it
start_fake_systemd() {
	need_fake
	BUSDIR=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-bus.XXXXXX")
	CALLS=$BUSDIR/calls.log
	cat >"$BUSDIR/bus.conf" <<-EOF
		<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
		 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
		<busconfig>
		  <type>session</type>
		  <listen>unix:path=$BUSDIR/bus</listen>
		  <auth>EXTERNAL</auth>
		  <policy context="default">
		    <allow send_destination="*"/>
		    <allow receive_sender="*"/>
		    <allow own="*"/>
		  </policy>
		</busconfig>
	EOF
	dbus-daemon --config-file="$BUSDIR/bus.conf" --nofork --nopidfile --nosyslog \
		>"$BUSDIR/dbus.log" 2>&1 &
	DBUS_PID=$!
	retry 100 0.05 test -S "$BUSDIR/bus" || fail "dbus-daemon did not start: $(cat "$BUSDIR/dbus.log")"
	env "$@" $PY "$BATS_TEST_DIRNAME/fake-systemd.py" "unix:path=$BUSDIR/bus" "$CALLS" \
		/sys/fs/cgroup "${FAKE_HIER[@]}" >"$BUSDIR/fake.out" 2>&1 &
	FAKE_PID=$!
	retry 100 0.1 grep -q ready "$BUSDIR/fake.out" ||
		fail "fake systemd: $(cat "$BUSDIR/fake.out" "$BUSDIR/dbus.log")"
	mkdir -p "$BUSDIR/running"
	export BERTH_SYSTEMD_RUNNING_DIR=$BUSDIR/running
	export BERTH_SYSTEMD_BUS_ADDRESS=unix:path=$BUSDIR/bus
}

stop_fake_systemd() {
	if [[ -n ${FAKE_PID:-} ]]; then
		kill -TERM "$FAKE_PID" 2>/dev/null || true
		wait "$FAKE_PID" 2>/dev/null || true
	fi
	if [[ -n ${DBUS_PID:-} ]]; then
		kill -TERM "$DBUS_PID" 2>/dev/null || true
		wait "$DBUS_PID" 2>/dev/null || true
	fi
	[[ -n ${BUSDIR:-} ]] && rm -rf "$BUSDIR"
	FAKE_PID= DBUS_PID= BUSDIR=
}

# calls METHOD: the recorded calls of METHOD (JSON lines)
calls() {
	[[ -n ${CALLS:-} && -e $CALLS ]] || return 0
	jq -c --arg m "$1" 'select(.method == $m)' "$CALLS"
}

# prop NAME: the value of property NAME of the (last) StartTransientUnit
prop() {
	calls StartTransientUnit | tail -1 | jq -c --arg p "$1" '.props[$p]'
}

sd() { rt --systemd-cgroup "$@"; }

@test "systemd-cgroup: without systemd, a clear error and nothing left" {
	[[ ! -e /run/systemd/system ]] || skip "systemd runs on this host"
	skip_if_runc "runc's message differs"
	unset BERTH_SYSTEMD_RUNNING_DIR BERTH_SYSTEMD_BUS_ADDRESS
	sd create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" "--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); use the cgroupfs driver"
	assert_no_state "$CT"
}

@test "systemd-cgroup: the systemd bus unreachable is a clear error" {
	mkdir -p "$TESTDIR/running"
	BERTH_SYSTEMD_RUNNING_DIR=$TESTDIR/running \
		BERTH_SYSTEMD_BUS_ADDRESS=unix:path=$TESTDIR/nobus \
		sd create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" "connect to the systemd D-Bus (unix:path=$TESTDIR/nobus)"
	assert_no_state "$CT"
	assert_no_leftover_processes
}

@test "systemd-cgroup: create, start, state, pause, resume, ps, exec, update, events, delete" {
	start_fake_systemd
	bundle_set '.linux.resources = {memory: {limit: 67108864}, pids: {limit: 40},
		cpu: {shares: 512, quota: 33333, period: 100000}}'
	sd create --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]] || fail "create: $output"
	local unit=berth-$CT.scope scope=$SLICE/berth-$CT.scope pid
	# what systemd was asked
	[[ $(calls StartTransientUnit | wc -l) -eq 1 ]]
	assert_eq "$(calls StartTransientUnit | jq -r '.unit + " " + .mode')" "$unit replace"
	assert_eq "$(prop Slice)" "\"$SLICE\""
	assert_eq "$(prop Delegate)" true
	assert_eq "$(prop DefaultDependencies)" false
	assert_eq "$(prop Description)" "\"berth container $CT\""
	pid=$(pid_of "$CT")
	assert_eq "$(prop PIDs)" "[$pid]"
	for a in MemoryAccounting CPUAccounting TasksAccounting BlockIOAccounting; do
		assert_eq "$(prop $a)" true "$a"
	done
	assert_eq "$(prop MemoryLimit)" 67108864 MemoryLimit
	assert_eq "$(prop TasksMax)" 40 TasksMax
	assert_eq "$(prop CPUShares)" 512 CPUShares
	assert_eq "$(prop CPUQuotaPeriodUSec)" 100000 CPUQuotaPeriodUSec
	# 33333/100000 of a CPU is 333330 us per second, rounded up to 10 ms (runc)
	assert_eq "$(prop CPUQuotaPerSecUSec)" 340000 CPUQuotaPerSecUSec
	# init is in the unit's cgroup in every hierarchy, the ones systemd made
	# and the ones the runtime made
	local n
	for n in memory pids cpu cpuset freezer devices hugetlb; do
		# (a controller with no v1 hierarchy, e.g. hugetlb on the cgroup2 mount
		# of a hybrid layout, is checked by the 0:: line below)
		grep -q "^[0-9]*:[^:]*\b$n\b" /proc/self/cgroup || continue
		grep -qx "[0-9]*:[^:]*\b$n\b[^:]*:/$scope" "/proc/$pid/cgroup" ||
			fail "$n: $(cat "/proc/$pid/cgroup")"
	done
	grep -qx "0::/$scope" "/proc/$pid/cgroup" || fail "cgroup2: $(cat "/proc/$pid/cgroup")"
	# the limits are in the files (written by the cgroupfs code too)
	assert_eq "$(cat /sys/fs/cgroup/memory/$scope/memory.limit_in_bytes)" 67108864
	assert_eq "$(cat /sys/fs/cgroup/pids/$scope/pids.max)" 40
	assert_eq "$(cat /sys/fs/cgroup/cpu/$scope/cpu.cfs_quota_us)" 33333
	# devices: runc's default rules, not systemd's
	grep -q "c 1:3 rwm" /sys/fs/cgroup/devices/$scope/devices.list
	! grep -qx "a \*:\* rwm" /sys/fs/cgroup/devices/$scope/devices.list

	start_ct
	assert_eq "$(status_of "$CT")" running
	rt_ok pause "$CT"
	assert_eq "$(status_of "$CT")" paused
	grep -q FROZEN /sys/fs/cgroup/freezer/$scope/freezer.state
	rt_ok resume "$CT"
	assert_eq "$(status_of "$CT")" running
	rt_ok ps --format json "$CT"
	assert_eq "$output" "[$pid]"
	rt_ok exec "$CT" /bin/sh -c 'cat /proc/self/cgroup'
	assert_contains "$output" "memory:/"
	rt_ok update --memory 100663296 --pids-limit 50 "$CT"
	assert_eq "$(cat /sys/fs/cgroup/memory/$scope/memory.limit_in_bytes)" 100663296
	assert_eq "$(cat /sys/fs/cgroup/pids/$scope/pids.max)" 50
	rt_ok events --stats "$CT"
	assert_eq "$(jq -r .data.pids.limit <<<"$output")" 50

	sd delete --force "$CT"
	[[ $status -eq 0 ]] || fail "delete: $output"
	assert_no_state "$CT"
	[[ $(calls StopUnit | jq -r .unit) == "$unit" ]] || fail "StopUnit: $(cat "$CALLS")"
	[[ -z $(cg_leftovers) ]] || fail "left: $(cg_leftovers)"
	assert_no_leftover_processes
}

@test "systemd-cgroup: the default cgroupsPath is system.slice:berth:<id>" {
	start_fake_systemd
	[[ ! -e /sys/fs/cgroup/memory/system.slice ]] || skip "a system.slice exists on this host"
	bundle_set '.linux.cgroupsPath = null'
	sd create --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]] || fail "create: $output"
	assert_eq "$(calls StartTransientUnit | jq -r .unit)" "berth-$CT.scope"
	assert_eq "$(prop Slice)" '"system.slice"'
	[[ -d /sys/fs/cgroup/memory/system.slice/berth-$CT.scope ]]
	rt_ok delete --force "$CT"
	[[ ! -e /sys/fs/cgroup/memory/system.slice ]] || fail "system.slice left"
	[[ ! -e /sys/fs/cgroup/cpuset/system.slice ]] || fail "cpuset system.slice left"
}

@test "systemd-cgroup: a nested slice, a scope without prefix, and a slice unit" {
	start_fake_systemd
	local sub=berthsd$SUFFIX-sub.slice id2 id3
	bundle_set '.linux.cgroupsPath = $p' --arg p "$sub::$CT"
	sd create --bundle "$BUNDLE" "$CT"
	[[ $status -eq 0 ]] || fail "create: $output"
	# a-b.slice is /a.slice/a-b.slice
	[[ -d /sys/fs/cgroup/memory/$SLICE/$sub/$CT.scope ]] || fail "$(find /sys/fs/cgroup/memory -path "*$SUFFIX*")"
	[[ -d /sys/fs/cgroup/cpuset/$SLICE/$sub/$CT.scope ]]
	id2=$(new_id sl)
	local unit=berthsd$SUFFIX-x.slice
	bundle_set '.linux.cgroupsPath = $p' --arg p "$SLICE:ignored:$unit"
	sd create --bundle "$BUNDLE" "$id2"
	[[ $status -eq 0 ]] || fail "create: $output"
	calls StartTransientUnit | tail -1 | jq -e --arg u "$unit" --arg s "$SLICE" \
		'.unit == $u and .props.Wants == $s and (.props | has("PIDs") | not)'
	grep -q "memory:/$SLICE/$unit\$" "/proc/$(pid_of "$id2")/cgroup"
	# the slice unit first: the parent slice directories the runtime made for
	# the first container (cpuset, hugetlb, ...) are removed with it, when
	# empty (as with the cgroupfs driver, a parent that another container
	# still uses stays)
	rt_ok delete --force "$id2"
	rt_ok delete --force "$CT"
	[[ -z $(cg_leftovers) ]] || fail "left: $(cg_leftovers)"
	assert_eq "$(calls StopUnit | jq -r .unit | tr '\n' ' ')" "$unit $CT.scope "
}

@test "systemd-cgroup: bad cgroupsPath values fail naming the value" {
	start_fake_systemd
	local v
	for v in "/berth-abs-$SUFFIX" "a:b" "x:y:z:w" "bad:berth:c" "a--b.slice:berth:c" \
		"-x.slice:berth:c" "$SLICE:berth:" "$SLICE:berth:a/b" "$SLICE:be rth:c"; do
		bundle_set '.linux.cgroupsPath = $p' --arg p "$v"
		sd create --bundle "$BUNDLE" "$CT"
		[[ $status -ne 0 ]] || fail "$v: accepted"
		assert_contains "$output" "linux.cgroupsPath"
		assert_contains "$output" "$v"
		assert_no_state "$CT"
	done
	[[ -z $(cat "$CALLS" 2>/dev/null) ]] || fail "systemd was called: $(cat "$CALLS")"
	assert_no_leftover_processes
}

@test "systemd-cgroup: a failed start job fails create and leaves nothing" {
	start_fake_systemd FAKE_SYSTEMD_FAIL_START=1
	sd create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" "start unit berth-$CT.scope"
	assert_contains "$output" 'the job finished with result'
	assert_contains "$output" 'failed'
	assert_no_state "$CT"
	assert_no_leftover_processes
	[[ -z $(cg_leftovers) ]] || fail "left: $(cg_leftovers)"
}

@test "systemd-cgroup: create failing after the unit started stops it" {
	start_fake_systemd
	set_args /no/such/binary
	sd create --bundle "$BUNDLE" "$CT"
	[[ $status -ne 0 ]]
	assert_contains "$output" "/no/such/binary"
	assert_no_state "$CT"
	assert_eq "$(calls StopUnit | jq -r .unit)" "berth-$CT.scope"
	assert_no_leftover_processes
	[[ -z $(cg_leftovers) ]] || fail "left: $(cg_leftovers)"
}

@test "systemd-cgroup: run in the foreground" {
	start_fake_systemd
	set_sh 'grep -c scope /proc/self/cgroup; exit 3'
	sd run --bundle "$BUNDLE" "$CT"
	assert_eq "$status" 3
	[[ ${lines[0]} -ge 10 ]] || fail "$output"
	assert_eq "$(calls StopUnit | jq -r .unit)" "berth-$CT.scope"
	assert_no_state "$CT"
	[[ -z $(cg_leftovers) ]] || fail "left: $(cg_leftovers)"
}
