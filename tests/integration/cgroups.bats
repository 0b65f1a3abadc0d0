#!/usr/bin/env bats
# cgroups on the real host: lib/runtime/cgroup.h driven by tests/helpers/cgtest
# (limits visible in the control files and enforced, freeze, stats, OOM,
# destroy, the eBPF device program on the cgroup2 mount).
#
# Every cgroup is absolute and unique (/berth-test-<suffix>): a relative path
# would land under this process's own cgroup, which on the test VM is a
# limited one (memory:/process_api/...) that must not be touched. Teardown
# kills what the test started in its cgroups (by pid) and removes them.

load helpers

CGTEST=${CGTEST:-$BERTH_BUILD/tests/helpers/cgtest}

setup() {
	[[ -x $CGTEST ]] || skip "cgtest not built ($CGTEST)"
	CGDIR=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-cg.XXXXXX")
	CGNAME=berth-test-${CGDIR##*.}
	CGPATH=/$CGNAME
	STATE=$CGDIR/state.json
	LAYOUT=$("$CGTEST" layout)
	: >"$CGDIR/.states"
}

# no_pids STATE: no process left in the cgroup of STATE (a function, so that a
# retry reads the pids again at each try: a SIGKILLed task leaves it a moment later)
no_pids() { [[ -z $("$CGTEST" pids "$1" 2>/dev/null) ]]; }

# every directory named CGNAME in any hierarchy, deepest first
cg_leftovers() {
	find /sys/fs/cgroup -mindepth 2 -maxdepth 4 -type d -path "*/$CGNAME*" 2>/dev/null |
		awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

teardown() {
	local rc=0
	# runtime tests: containers first (delete --force), then our cgroups
	if [[ -n ${TESTDIR:-} ]]; then
		teardown_common || rc=1
	fi
	cg_teardown || rc=1
	return $rc
}

cg_teardown() {
	[[ -n ${CGDIR:-} ]] || return 0
	local st pid
	for st in $(cat "$CGDIR/.states"); do
		[[ -s $st ]] || continue
		"$CGTEST" thaw "$st" 2>/dev/null || true
		# only our own processes live in our cgroups
		for pid in $("$CGTEST" pids "$st" 2>/dev/null); do
			kill -KILL "$pid" 2>/dev/null || true
		done
		retry 50 0.1 no_pids "$st" || true
		"$CGTEST" destroy "$st" || echo "teardown: destroy $st failed" >&2
	done
	local d left
	left=$(cg_leftovers)
	for d in $left; do rmdir "$d" 2>/dev/null || true; done
	rm -rf "$CGDIR"
	[[ -z $left ]] || fail "cgroups left behind: $left"
}

# cg_create PATH JSON [STATE]: create + apply; the state file is cleaned up
cg_create() {
	local path=$1 json=$2 st=${3:-$STATE}
	echo "$json" >"$CGDIR/res.json"
	echo "$st" >>"$CGDIR/.states"
	run "$CGTEST" create "$path" "$CGDIR/res.json" "$st"
	echo "$output"
	[[ $status -eq 0 ]] || fail "cgtest create $path: $output"
}

# cg_file CONTROLLER FILE: the control file of our cgroup for CONTROLLER
cg_file() {
	local ctrl=$1 file=$2 dir
	dir=$(jq -r --arg c "$ctrl" '.dirs[] | select(.controllers | index($c)) | .path' "$STATE")
	[[ -n $dir ]] || fail "no directory for $ctrl in $(cat "$STATE")"
	echo "$dir/$file"
}

cg_read() { cat "$(cg_file "$1" "$2")"; }

v2() { [[ $LAYOUT == v2 ]]; }

LIMITS='{"memory": {"limit": 67108864, "swap": 67108864},
	 "cpu": {"shares": 512, "quota": 50000, "period": 100000},
	 "pids": {"limit": 20},
	 "devices": [{"allow": false, "access": "rwm"},
		     {"allow": true, "type": "c", "major": 1, "minor": 3, "access": "rwm"},
		     {"allow": true, "type": "c", "major": 1, "minor": 5, "access": "r"}]}'

@test "cgroups: the host layout is detected" {
	if [[ -e /sys/fs/cgroup/cgroup.controllers ]]; then
		assert_eq "$LAYOUT" v2 layout
	elif grep -q ' - cgroup2 ' /proc/self/mountinfo; then
		assert_eq "$LAYOUT" hybrid layout
	else
		assert_eq "$LAYOUT" v1 layout
	fi
}

@test "cgroups: memory, cpu, pids and devices limits are in the control files" {
	cg_create "$CGPATH" "$LIMITS"
	[[ $output == "$CGPATH" ]]
	if v2; then
		assert_eq "$(cg_read memory memory.max)" 67108864 memory.max
		assert_eq "$(cg_read memory memory.swap.max)" 0 memory.swap.max
		assert_eq "$(cg_read cpu cpu.weight)" 20 cpu.weight
		assert_eq "$(cg_read cpu cpu.max)" "50000 100000" cpu.max
	else
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 67108864 limit
		assert_eq "$(cg_read memory memory.memsw.limit_in_bytes)" 67108864 memsw
		assert_eq "$(cg_read cpu cpu.shares)" 512 cpu.shares
		assert_eq "$(cg_read cpu cpu.cfs_quota_us)" 50000 quota
		assert_eq "$(cg_read cpu cpu.cfs_period_us)" 100000 period
		assert_eq "$(cg_read devices devices.list)" $'c 1:3 rwm\nc 1:5 r' devices.list
		# a new cpuset cgroup got its parent's cpus (it could not take tasks otherwise)
		[[ -n $(cg_read cpuset cpuset.cpus) ]]
	fi
	assert_eq "$(cg_read pids pids.max)" 20 pids.max
	# the state names every directory and what it created
	[[ $(jq '[.dirs[] | select(.created == null)] | length' "$STATE") == 0 ]]
	"$CGTEST" destroy "$STATE"
	[[ -z $(cg_leftovers) ]]
}

@test "cgroups: a process is placed before it runs; pids, stats" {
	cg_create "$CGPATH" "$LIMITS"
	run "$CGTEST" spawn "$STATE" sleep 1000
	[[ $status -eq 0 ]]
	local pid=$output
	[[ $pid =~ ^[0-9]+$ ]]
	# in every hierarchy
	local n
	n=$(grep -c ":$CGPATH\$" "/proc/$pid/cgroup")
	assert_eq "$n" "$(grep -c . "/proc/$pid/cgroup")" "hierarchies with $CGPATH"
	run "$CGTEST" pids "$STATE"
	assert_eq "$output" "$pid" pids
	run "$CGTEST" stats "$STATE"
	[[ $status -eq 0 ]]
	local s=$output
	assert_eq "$(jq .pids.current <<<"$s")" 1 pids.current
	assert_eq "$(jq .pids.limit <<<"$s")" 20 pids.limit
	assert_eq "$(jq .memory.usage.limit <<<"$s")" 67108864 memory.usage.limit
	[[ $(jq .memory.usage.usage <<<"$s") -gt 0 ]]
	[[ $(jq .cpu.usage.total <<<"$s") -gt 0 ]]
	jq -e '.cpu.usage | has("kernel") and has("user")' <<<"$s" >/dev/null
	jq -e '.memory.raw | length > 0' <<<"$s" >/dev/null
}

@test "cgroups: freeze and thaw" {
	cg_create "$CGPATH" '{}'
	run "$CGTEST" spawn "$STATE" sh -c 'while :; do :; done'
	local pid=$output
	run "$CGTEST" frozen "$STATE"
	assert_eq "$output" thawed before
	"$CGTEST" freeze "$STATE"
	run "$CGTEST" frozen "$STATE"
	assert_eq "$output" frozen frozen
	# a frozen task does not run: its cpu time stands still
	local t1 t2
	t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	sleep 0.3
	t2=$(awk '{print $14 + $15}' "/proc/$pid/stat")
	assert_eq "$t2" "$t1" "cpu ticks while frozen"
	"$CGTEST" thaw "$STATE"
	run "$CGTEST" frozen "$STATE"
	assert_eq "$output" thawed after
	# the busy loop runs again (on a loaded machine its first tick may take a while)
	ran_since() { (($(awk '{print $14 + $15}' "/proc/$pid/stat") > $1)); }
	retry 30 0.1 ran_since "$t1" ||
		fail "no cpu time after thaw ($t1 -> $(awk '{print $14 + $15}' "/proc/$pid/stat"))"
}

@test "cgroups: a process over memory.limit is OOM-killed and the OOM check reports it" {
	cg_create "$CGPATH" '{"memory": {"limit": 33554432, "swap": 33554432}}'
	run timeout 60 "$CGTEST" oom "$STATE" "$CGTEST" eat 200
	[[ $status -eq 0 ]] || fail "$output"
	assert_eq "$(jq .oom <<<"$output")" true oom
	assert_eq "$(jq .signal <<<"$output")" 9 signal
	# a process that stays below the limit is no OOM
	run timeout 60 "$CGTEST" oom "$STATE" true
	assert_eq "$(jq .oom <<<"$output")" false "oom below the limit"
}

@test "cgroups: a fork bomb stops at pids.limit" {
	cg_create "$CGPATH" '{"pids": {"limit": 10}}'
	# 40 background sleeps from one shell: forks fail past 10 tasks
	run timeout 60 "$CGTEST" oom "$STATE" sh -c \
		'exec >/dev/null 2>&1; i=0; while [ $i -lt 40 ]; do sleep 1000 & i=$((i+1)); done; exit 0'
	local n
	n=$("$CGTEST" pids "$STATE" | wc -l)
	[[ $n -le 10 && $n -ge 5 ]] || fail "$n tasks in a cgroup limited to 10"
	assert_eq "$(cg_read pids pids.current)" "$n" pids.current
	if [[ -e $(cg_file pids pids.events) ]]; then
		[[ $(awk '/^max/ {print $2}' "$(cg_file pids pids.events)") -gt 0 ]]
	fi
}

@test "cgroups: device rules are enforced" {
	v2 && skip "device rules on cgroup v2 are the eBPF test below"
	cg_create "$CGPATH" "$LIMITS"
	run "$CGTEST" oom "$STATE" "$CGTEST" open /dev/null /dev/zero \
		w:/dev/zero /dev/full
	[[ $output == *"/dev/null ok"* ]]
	[[ $output == *"/dev/zero ok"* ]]
	[[ $output == *"w:/dev/zero EPERM"* ]]
	[[ $output == *"/dev/full EPERM"* ]]
}

@test "cgroups: update changes limits; checkBeforeUpdate refuses a limit below the usage" {
	cg_create "$CGPATH" '{"memory": {"limit": 134217728}, "pids": {"limit": 20}}'
	echo '{"pids": {"limit": 50}}' >"$CGDIR/upd.json"
	"$CGTEST" apply "$STATE" "$CGDIR/upd.json"
	assert_eq "$(cg_read pids pids.max)" 50 pids.max
	run "$CGTEST" spawn "$STATE" "$CGTEST" eat 40
	local usage
	usage=$(cg_file memory memory.usage_in_bytes)
	v2 && usage=$(cg_file memory memory.current)
	retry 100 0.1 sh -c "[ \$(cat $usage) -gt 30000000 ]"
	echo '{"memory": {"limit": 8388608, "checkBeforeUpdate": true}}' >"$CGDIR/upd.json"
	run "$CGTEST" apply "$STATE" "$CGDIR/upd.json"
	[[ $status -ne 0 ]]
	[[ $output == *"linux.resources.memory.limit: 8388608 is below the current usage"* ]]
	if ! v2; then
		assert_eq "$(cg_read memory memory.limit_in_bytes)" 134217728 "limit kept"
	fi
}

@test "cgroups: joining an existing cgroup leaves it in place" {
	cg_create "$CGPATH" '{"pids": {"limit": 30}}'
	cg_create "$CGPATH" '{}' "$CGDIR/join.json"
	[[ $(jq '[.dirs[] | select(.created != null)] | length' "$CGDIR/join.json") == 0 ]]
	run "$CGTEST" spawn "$CGDIR/join.json" sleep 1000
	local pid=$output
	run "$CGTEST" pids "$STATE"
	assert_eq "$output" "$pid" "pid seen from the first state"
	kill -KILL "$pid"
	retry 50 0.1 no_pids "$STATE"
	"$CGTEST" destroy "$CGDIR/join.json"
	[[ -n $(cg_leftovers) ]] || fail "the joined cgroup was removed"
	"$CGTEST" destroy "$STATE"
	[[ -z $(cg_leftovers) ]]
}

@test "cgroups: destroy removes sub-cgroups and only the parents it created" {
	mkdir "/sys/fs/cgroup/pids/$CGNAME" 2>/dev/null || v2 || fail "cannot make a parent"
	cg_create "$CGPATH/a/b" '{}'
	# the container made a cgroup of its own inside
	mkdir "$(dirname "$(cg_file memory cgroup.procs)")/inner"
	"$CGTEST" destroy "$STATE"
	if ! v2; then
		[[ -d /sys/fs/cgroup/pids/$CGNAME ]] || fail "a parent it did not create was removed"
		[[ ! -e /sys/fs/cgroup/pids/$CGNAME/a ]]
		[[ ! -e /sys/fs/cgroup/memory/$CGNAME ]]
		rmdir "/sys/fs/cgroup/pids/$CGNAME"
	fi
	[[ -z $(cg_leftovers) ]]
}

@test "cgroups: bad resources are refused before anything is created" {
	run "$CGTEST" create "$CGPATH" <(echo '{"memory": {"limit": "x"}}') "$STATE"
	[[ $status -ne 0 ]]
	[[ $output == *'linux.resources.memory.limit: expected an integer, got "x"'* ]]
	run "$CGTEST" create / <(echo '{}') "$STATE"
	[[ $output == *'linux.cgroupsPath: "/" is the root cgroup'* ]]
	if [[ $LAYOUT == hybrid ]]; then
		run "$CGTEST" create "$CGPATH" <(echo '{"unified": {"memory.high": "1G"}}') "$STATE"
		[[ $output == *"linux.resources.unified.memory.high: the memory controller is on a cgroup v1 hierarchy"* ]]
	elif [[ $LAYOUT == v1 ]]; then
		run "$CGTEST" create "$CGPATH" <(echo '{"unified": {"memory.high": "1G"}}') "$STATE"
		[[ $output == *"cgroup v2 is not available"* ]]
	fi
	[[ -z $(cg_leftovers) ]]
}

@test "cgroups: hugepage limits" {
	[[ -d /sys/kernel/mm/hugepages/hugepages-2048kB ]] || skip "no 2MB huge pages"
	if [[ $LAYOUT == hybrid ]] && ! grep -qw hugetlb /proc/self/cgroup; then
		# hugetlb is on the cgroup2 mount here: a limit would enable it in the
		# root's subtree_control, which keeps others from mounting it as v1
		grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.subtree_control ||
			skip "hugetlb is on cgroup2 and not delegated; not changing the root"
	fi
	cg_create "$CGPATH" '{"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}]}'
	local f
	f=$(cg_file hugetlb hugetlb.2MB.limit_in_bytes)
	[[ -e $f ]] || f=$(cg_file hugetlb hugetlb.2MB.max)
	assert_eq "$(cat "$f")" 4194304 "$f"
}

# The eBPF device program, loaded for real on a cgroup2 mount (the unified
# one of a hybrid host), in a directory of our own.
@test "cgroups: the eBPF device program is enforced on cgroup2" {
	local mnt
	mnt=$(awk '{ for (i = 7; i < NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | head -n1)
	[[ -n $mnt ]] || skip "no cgroup2 mount"
	echo '{"devices": [{"allow": false}, {"allow": true, "type": "c", "major": 1, "minor": 3},
		{"allow": true, "type": "c", "major": 1, "minor": 5, "access": "r"}]}' >"$CGDIR/dev.json"
	run "$CGTEST" bpf "$mnt/$CGNAME" "$CGDIR/dev.json" "$CGTEST" open /dev/null w:/dev/null \
		/dev/zero w:/dev/zero /dev/full
	if [[ $status -ne 0 && $output == *"load the eBPF device program"* ]]; then
		skip "eBPF device programs cannot be loaded here: $output"
	fi
	[[ $status -eq 0 ]] || fail "$output"
	assert_eq "$output" $'/dev/null ok\nw:/dev/null ok\n/dev/zero ok\nw:/dev/zero EPERM\n/dev/full EPERM' open
	# a blacklist: any overlap with a deny rule denies (rw on "deny w")
	echo '{"devices": [{"allow": true}, {"allow": false, "type": "c", "major": 1, "minor": 7,
		"access": "w"}]}' >"$CGDIR/dev.json"
	run "$CGTEST" bpf "$mnt/$CGNAME" "$CGDIR/dev.json" "$CGTEST" open /dev/full w:/dev/full
	assert_eq "$output" $'/dev/full ok\nw:/dev/full EPERM' blacklist
	run "$CGTEST" bpf "$mnt/$CGNAME" "$CGDIR/dev.json" sh -c 'exec 3<>/dev/full'
	[[ $status -ne 0 ]]
	[[ ! -e $mnt/$CGNAME ]]
}

# --- berth-runtime itself -------------------------------------------------
# These run once create/delete manage cgroups; before that they skip.

# rt_setup JSON: a bundle with linux.cgroupsPath = CGPATH and these resources
rt_setup() {
	setup_common
	bundle_set '.linux.cgroupsPath = $p | .linux.resources = $r' --arg p "$CGPATH" \
		--argjson r "$1"
}

# the container's directory for a v1 controller, or the cgroup2 one
rt_cgdir() {
	if v2; then echo "/sys/fs/cgroup$CGPATH"; else echo "/sys/fs/cgroup/$1$CGPATH"; fi
}

# skip unless the runtime made the container's cgroup
require_rt_cgroups() {
	[[ -d $(rt_cgdir pids) ]] || skip "berth-runtime does not manage cgroups yet (no $(rt_cgdir pids))"
}

@test "runtime: limits from config.json are in the container's cgroup, removed on delete" {
	rt_setup '{"memory": {"limit": 67108864}, "pids": {"limit": 20}, "cpu": {"shares": 512}}'
	set_args /bin/sleep 1000
	create_ct
	require_rt_cgroups
	local pid
	pid=$(pid_of "$CT")
	# placed before it ran: init is in the cgroup in every hierarchy
	assert_eq "$(grep -c ":$CGPATH\$" "/proc/$pid/cgroup")" "$(grep -c . "/proc/$pid/cgroup")" \
		"hierarchies with $CGPATH"
	assert_eq "$(cat "$(rt_cgdir pids)/pids.max")" 20 pids.max
	if v2; then
		assert_eq "$(cat "$(rt_cgdir memory)/memory.max")" 67108864 memory.max
		assert_eq "$(cat "$(rt_cgdir cpu)/cpu.weight")" 20 cpu.weight
	else
		assert_eq "$(cat "$(rt_cgdir memory)/memory.limit_in_bytes")" 67108864 limit
		assert_eq "$(cat "$(rt_cgdir cpu)/cpu.shares")" 512 cpu.shares
	fi
	start_ct
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	[[ -z $(cg_leftovers) ]] || fail "cgroups left after delete: $(cg_leftovers)"
}

@test "runtime: a process over memory.limit is OOM-killed" {
	rt_setup '{"memory": {"limit": 33554432, "swap": 33554432}}'
	set_args /bin/sh -c 'dd if=/dev/zero of=/dev/null bs=200M count=1 && echo survived'
	create_ct
	require_rt_cgroups
	start_ct
	wait_status "$CT" stopped
	if v2; then
		[[ $(awk '/^oom_kill/ {print $2}' "$(rt_cgdir memory)/memory.events") -ge 1 ]]
	else
		[[ $(awk '/^oom_kill / {print $2}' "$(rt_cgdir memory)/memory.oom_control") -ge 1 ]]
	fi
	[[ $(ct_output) != *survived* ]] || fail "dd was not killed: $(ct_output)"
	if rt events --stats "$CT" && [[ $status -eq 0 ]]; then
		jq -e '.type == "stats"' <<<"${lines[0]}" >/dev/null
	fi
}

@test "runtime: a fork bomb stops at pids.limit" {
	rt_setup '{"pids": {"limit": 10}}'
	# the inner shell gives up at the first failed fork; init stays (exec)
	set_args /bin/sh -c 'sh -c "i=0; while [ \$i -lt 50 ]; do sleep 1000 & i=\$((i+1)); done" 2>/dev/null; exec sleep 1000'
	create_ct
	require_rt_cgroups
	start_ct
	# the forks come (slowly on a loaded machine), and stop at the limit
	local n
	forked() { (($(cat "$(rt_cgdir pids)/pids.current") >= 5)); }
	retry 100 0.1 forked
	n=$(cat "$(rt_cgdir pids)/pids.current")
	[[ $n -le 10 && $n -ge 5 ]] || fail "pids.current is $n with pids.limit 10"
	rt_ok delete --force "$CT"
	[[ -z $(cg_leftovers) ]]
}

@test "runtime: pause/resume freeze the cgroup, update changes a limit, events --stats" {
	rt_setup '{"pids": {"limit": 20}}'
	set_args /bin/sleep 1000
	create_ct
	require_rt_cgroups
	start_ct
	rt pause "$CT"
	[[ $status -eq 0 ]] || skip "no pause yet: $output"
	assert_eq "$(status_of "$CT")" paused status
	if ! v2; then
		assert_eq "$(cat "$(rt_cgdir freezer)/freezer.state")" FROZEN freezer.state
	fi
	rt_ok resume "$CT"
	assert_eq "$(status_of "$CT")" running status
	rt update --pids-limit 30 "$CT"
	if [[ $status -eq 0 ]]; then
		assert_eq "$(cat "$(rt_cgdir pids)/pids.max")" 30 pids.max
	fi
	rt events --stats "$CT"
	if [[ $status -eq 0 ]]; then
		assert_eq "$(jq '.data.pids.current' <<<"${lines[0]}")" 1 pids.current
		assert_eq "$(jq '.data.pids.limit' <<<"${lines[0]}")" 30 pids.limit
	fi
}
