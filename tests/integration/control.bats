#!/usr/bin/env bats
# The verbs that act on a container through its cgroup, as a runc user
# knows them: ps, kill --all, exec (joins the cgroup), pause/resume, update,
# events (stats, interval, oom), delete (removes the cgroup) and
# linux.cgroupsPath.
#
# Containers get an absolute, unique cgroupsPath (/berth-test-ctl-<suffix>),
# except the test of the default path (/berth/<id>). A relative cgroupsPath
# would land under this process's own cgroup, which on the test VM is a
# limited one (memory:/process_api/...): it is never used here. Teardown runs
# delete --force, then removes (and fails the test on) any cgroup directory
# that still has the test's unique suffix in its name.
#
# The cgroup files checked are the v1 ones (the test VM is a v1 hybrid);
# tests that only make sense there skip on a pure cgroup v2 host.

load helpers

setup() {
	setup_common
	CGNAME=berth-test-ctl-$SUFFIX
	CGPATH=/$CGNAME
}

teardown() {
	local rc=0
	teardown_common || rc=1
	cg_teardown || rc=1
	return $rc
}

# every cgroup directory with this test's suffix in its name, deepest first
cg_leftovers() {
	[[ -n ${SUFFIX:-} ]] || return 0
	find /sys/fs/cgroup -mindepth 2 -maxdepth 5 -type d -path "*$SUFFIX*" 2>/dev/null |
		awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

cg_teardown() {
	local left d
	left=$(cg_leftovers)
	[[ -n $left ]] || return 0
	# only directories named after this test; the runtime should have removed them
	for d in $left; do rmdir "$d" 2>/dev/null || true; done
	# runc 1.1 leaves the (empty) parents of an absolute cgroupsPath
	if is_runc && [[ -z $(cg_leftovers) ]]; then
		return 0
	fi
	fail "cgroups left behind: $left"
}

v2() { [[ -e /sys/fs/cgroup/cgroup.controllers ]]; }
v1_only() { if v2; then skip "checks cgroup v1 files"; fi; }

# ctl_bundle [ARG...]: the bundle with cgroupsPath CGPATH and args ARG...
# (default: sleep 1000)
ctl_bundle() {
	bundle_set '.linux.cgroupsPath = $p' --arg p "$CGPATH"
	if [[ $# -gt 0 ]]; then set_args "$@"; else set_args /bin/sleep 1000; fi
}

# ctl_running [ARG...]: ctl_bundle, create and start
ctl_running() {
	ctl_bundle "$@"
	create_ct
	start_ct
}

# cgdir CONTROLLER [PATH]: the v1 directory of cgroup PATH (default CGPATH)
cgdir() {
	if v2; then echo "/sys/fs/cgroup${2:-$CGPATH}"; else echo "/sys/fs/cgroup/$1${2:-$CGPATH}"; fi
}

# cgread CONTROLLER FILE
cgread() { cat "$(cgdir "$1")/$2"; }

# the mount points of every cgroup hierarchy (v1 ones and cgroup2)
cg_mounts() {
	awk '{ for (i = 7; i < NF; i++) if ($i == "-") {
		if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | sort -u
}

# the cgroup directories of PATH that exist, one per line
cg_dirs_of() {
	local m
	for m in $(cg_mounts); do
		[[ -d $m$1 ]] && echo "$m$1"
	done
	return 0
}

# gone PID: the process does not exist any more (or is a zombie)
gone() {
	local st
	st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 0
	[[ $st == Z ]]
}

# children PID: the host pids of PID's children
children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
}

# has_children PID N: PID has N children (for retry: evaluated on each try)
has_children() { [[ $(children "$1" | grep -c .) -eq $2 ]]; }

# has_lines FILE N: FILE has at least N lines
has_lines() { [[ $(grep -c . "$1" 2>/dev/null) -ge $2 ]]; }

# assert_msg OUTPUT TEXT: the error message names TEXT (the flag, field, id
# or status); runc's messages are terser and not checked
assert_msg() { is_runc || assert_contains "$1" "$2"; }

# rt_in INPUT ARGS...: like rt, with INPUT on stdin
rt_in() {
	local input=$1
	shift
	RT_N=$((RT_N + 1))
	RT_OUTFILE=$TESTDIR/rt.$RT_N.out
	status=0
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" \
		<<<"$input" >"$RT_OUTFILE" 2>&1 || status=$?
	output=$(cat "$RT_OUTFILE")
	mapfile -t lines <<<"$output"
	[[ -n $output ]] || lines=()
	echo "\$ $(basename "$RUNTIME") --root \$ROOT $* <<<'$input' -> status=$status"
	[[ -z $output ]] || printf '%s\n' "$output" | sed 's/^/  | /'
	return 0
}

# --- ps ---------------------------------------------------------------------

# a container whose init (sh) has a background sleep, plus an exec'd sleep;
# sets INIT, CHILD, EXECD (host pids)
ps_setup() {
	ctl_running /bin/sh -c 'sleep 1001 & wait'
	INIT=$(pid_of "$CT")
	retry 100 0.1 has_children "$INIT" 1
	CHILD=$(children "$INIT")
	rt_ok exec -d --pid-file "$TESTDIR/exec.pid" "$CT" /bin/sleep 1002
	EXECD=$(cat "$TESTDIR/exec.pid")
	[[ $INIT =~ ^[0-9]+$ && $CHILD =~ ^[0-9]+$ && $EXECD =~ ^[0-9]+$ ]] ||
		fail "pids: init=$INIT child=$CHILD exec=$EXECD"
}

@test "ps: the table lists init, its background child and an exec'd process" {
	ps_setup
	rt_ok ps "$CT"
	# runc's header (ps -ef)
	[[ ${lines[0]} =~ ^UID\ +PID\ +PPID\ +C\ +STIME\ +TTY\ +TIME\ +CMD$ ]] ||
		fail "header: ${lines[0]}"
	local pids
	pids=$(printf '%s\n' "${lines[@]:1}" | awk '{print $2}' | sort -n | tr '\n' ' ')
	assert_eq "$pids" "$(printf '%s\n' "$INIT" "$CHILD" "$EXECD" | sort -n | tr '\n' ' ')" "PID column"
	[[ $output == *"sleep 1001"* && $output == *"sleep 1002"* ]] || fail "commands missing"
	# ps options are passed on to ps, as in runc
	rt_ok ps "$CT" -o pid,comm
	[[ ${lines[0]} =~ ^\ *PID\ +COMMAND$ ]] || fail "header with -o pid,comm: ${lines[0]}"
	assert_eq "${#lines[@]}" 4 "lines with -o pid,comm"
}

@test "ps: --format json is the array of host pids" {
	ps_setup
	rt_ok ps --format json "$CT"
	assert_eq "$(jq -c 'sort' <<<"$output")" \
		"$(printf '%s\n' "$INIT" "$CHILD" "$EXECD" | sort -n | jq -sc .)" "ps --format json"
	# runc's short form
	rt_ok ps -f json "$CT"
	assert_eq "$(jq length <<<"$output")" 3 "ps -f json"
}

@test "ps: unknown container, bad format" {
	rt ps "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	assert_msg "$output" "nosuch-$SUFFIX"
	ctl_running
	rt ps --format yaml "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" yaml
}

# --- kill --all ---------------------------------------------------------------

@test "kill --all: KILL reaches every process of a container without a pid namespace" {
	remove_ns pid
	ctl_running /bin/sh -c 'sleep 1001 & sleep 1002 & sleep 1003 & wait'
	local init
	init=$(pid_of "$CT")
	retry 100 0.1 has_children "$init" 3
	rt_ok ps --format json "$CT"
	local pids
	pids=$(jq -r '.[]' <<<"$output")
	assert_eq "$(wc -l <<<"$pids")" 4 "processes before kill --all"
	rt_ok kill --all "$CT" KILL
	local p
	for p in $pids; do
		retry 100 0.1 gone "$p" || fail "pid $p survived kill --all"
	done
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	[[ -z $(cg_dirs_of "$CGPATH") ]] || fail "left after delete: $(cg_dirs_of "$CGPATH")"
	assert_no_state "$CT"
}

@test "kill --all: TERM to every process; kill without --all only signals init" {
	remove_ns pid
	# the children keep the default TERM action; init (exec'd after the trap)
	# ignores it, so that only --all ends them
	ctl_running /bin/sh -c 'sleep 1001 & sleep 1002 & trap "" TERM; exec sleep 1003'
	local init
	init=$(pid_of "$CT")
	retry 100 0.1 has_children "$init" 2
	local kids p
	kids=$(children "$init")
	rt_ok kill "$CT" TERM
	sleep 0.3
	for p in $kids; do
		gone "$p" && fail "kill without --all reached child $p"
	done
	rt_ok kill --all "$CT" TERM
	for p in $kids; do
		retry 100 0.1 gone "$p" || fail "child $p survived kill --all TERM"
	done
	# init ignores TERM
	assert_eq "$(status_of "$CT")" running status
}

@test "delete --force: kills every process of a container without a pid namespace" {
	remove_ns pid
	ctl_running /bin/sh -c 'sleep 1001 & sleep 1002 & wait'
	local init
	init=$(pid_of "$CT")
	retry 100 0.1 has_children "$init" 2
	local pids
	local p
	pids="$init $(children "$init")"
	rt_ok delete --force "$CT"
	for p in $pids; do
		retry 100 0.1 gone "$p" || fail "pid $p survived delete --force"
	done
	[[ -z $(cg_dirs_of "$CGPATH") ]] || fail "left after delete: $(cg_dirs_of "$CGPATH")"
	assert_no_state "$CT"
}

# --- exec ---------------------------------------------------------------------

@test "exec: the new process is in the container's cgroup in every hierarchy" {
	ctl_running
	local init
	init=$(pid_of "$CT")
	rt_ok exec -d --pid-file "$TESTDIR/exec.pid" "$CT" /bin/sleep 1002
	local p
	p=$(cat "$TESTDIR/exec.pid")
	assert_eq "$(cat "/proc/$p/cgroup")" "$(cat "/proc/$init/cgroup")" "/proc/$p/cgroup"
	# that is CGPATH everywhere
	assert_eq "$(grep -vc ":$CGPATH\$" "/proc/$p/cgroup")" 0 "hierarchies not at $CGPATH"
	# a foreground exec too
	rt_ok exec "$CT" /bin/cat /proc/self/cgroup
	[[ ${#lines[@]} -gt 0 ]]
	local l
	for l in "${lines[@]}"; do
		[[ $l == *":$CGPATH" ]] || fail "exec'd process in $l"
	done
}

# --- pause / resume -----------------------------------------------------------

@test "pause: status paused and the cgroup frozen; exec refused; resume" {
	ctl_running /bin/sh -c 'while :; do :; done'
	rt_ok pause "$CT"
	assert_eq "$(status_of "$CT")" paused status
	if ! v2; then
		assert_eq "$(cgread freezer freezer.state)" FROZEN freezer.state
	fi
	# frozen: init gets no cpu time
	local init t1 t2
	init=$(pid_of "$CT")
	t1=$(awk '{print $14 + $15}' "/proc/$init/stat")
	sleep 0.3
	t2=$(awk '{print $14 + $15}' "/proc/$init/stat")
	assert_eq "$t2" "$t1" "cpu ticks while paused"
	# list shows it too
	rt_ok list
	[[ $output =~ $CT\ +[0-9]+\ +paused ]] || fail "list: $output"
	rt exec "$CT" /bin/true
	[[ $status -ne 0 ]]
	assert_msg "$output" paused
	# pausing twice fails (runc: "container not running")
	rt pause "$CT"
	[[ $status -ne 0 ]]
	rt_ok resume "$CT"
	assert_eq "$(status_of "$CT")" running status
	if ! v2; then
		assert_eq "$(cgread freezer freezer.state)" THAWED freezer.state
	fi
	rt_ok exec "$CT" /bin/true
}

# The exec blocks in the frozen cgroup until resume (as runc's does); resume,
# state and delete must not wait for it meanwhile.
@test "pause: exec --ignore-paused is not refused and runs once resumed" {
	ctl_running
	rt_ok pause "$CT"
	# like runc the process joins the frozen cgroup: it may block until resume
	bg_rt "$TESTDIR/exec.out" exec --ignore-paused -d --pid-file "$TESTDIR/exec.pid" "$CT" \
		/bin/sleep 1002
	local pid=$BG_PID
	sleep 1
	if gone "$pid"; then
		wait_bg "$pid"
		assert_eq "$BG_STATUS" 0 "exec --ignore-paused status ($(cat "$TESTDIR/exec.out"))"
	fi
	# resume must not wait for the blocked exec (runc's does not)
	RT_TIMEOUT=10 rt resume "$CT"
	if [[ $status -ne 0 ]]; then
		# thaw our own cgroup so that the frozen exec and the container can be cleaned up
		if ! v2; then echo THAWED >"$(cgdir freezer)/freezer.state"; fi
		wait_bg "$pid" 30 || true
		fail "resume while an exec --ignore-paused is blocked: status $status"
	fi
	wait_bg "$pid" 30
	assert_eq "$BG_STATUS" 0 "exec --ignore-paused status ($(cat "$TESTDIR/exec.out"))"
	local p
	p=$(cat "$TESTDIR/exec.pid")
	assert_eq "$(cat "/proc/$p/cgroup")" "$(cat "/proc/$(pid_of "$CT")/cgroup")" cgroup
}

@test "pause: a created container can be paused (as in runc), resumed and started" {
	ctl_bundle
	create_ct
	rt_ok pause "$CT"
	assert_eq "$(status_of "$CT")" paused status
	rt_ok resume "$CT"
	assert_eq "$(status_of "$CT")" created status
	start_ct
	assert_eq "$(status_of "$CT")" running status
}

@test "pause/resume: refused for a stopped container; resume of a running one" {
	ctl_running
	rt resume "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "not paused"
	assert_eq "$(status_of "$CT")" running status
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	rt pause "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "$CT"
	assert_msg "$output" stopped
	rt resume "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" stopped
	rt pause "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	assert_msg "$output" "nosuch-$SUFFIX"
}

@test "pause: delete of a paused container needs --force; --force kills it and removes everything" {
	ctl_running
	local init
	init=$(pid_of "$CT")
	rt_ok pause "$CT"
	rt delete "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" paused
	assert_eq "$(status_of "$CT")" paused "status after a refused delete"
	[[ -n $(cg_dirs_of "$CGPATH") ]] || fail "cgroup removed by a refused delete"
	rt_ok delete --force "$CT"
	retry 100 0.1 gone "$init" || fail "init $init survived delete --force"
	[[ -z $(cg_dirs_of "$CGPATH") ]] || fail "left after delete --force: $(cg_dirs_of "$CGPATH")"
	assert_no_state "$CT"
	assert_no_leftover_processes
}

# runc 1.1 thaws the cgroup after a SIGKILL to a paused container's init, as
# kill --all and delete --force do here: the kill is not left pending.
@test "pause: kill KILL of a paused container stops it" {
	ctl_running
	rt_ok pause "$CT"
	rt_ok kill "$CT" KILL
	wait_status "$CT" stopped
	rt_ok delete "$CT"
	[[ -z $(cg_dirs_of "$CGPATH") ]] || fail "left after delete: $(cg_dirs_of "$CGPATH")"
}

# --- update -----------------------------------------------------------------

@test "update: each runc flag changes its cgroup file" {
	v1_only
	ctl_running
	rt_ok update --memory 64m "$CT"
	assert_eq "$(cgread memory memory.limit_in_bytes)" 67108864 memory.limit_in_bytes
	rt_ok update --memory-reservation 32m "$CT"
	assert_eq "$(cgread memory memory.soft_limit_in_bytes)" 33554432 memory.soft_limit_in_bytes
	if [[ -e $(cgdir memory)/memory.memsw.limit_in_bytes ]]; then
		rt_ok update --memory-swap 128m "$CT"
		assert_eq "$(cgread memory memory.memsw.limit_in_bytes)" 134217728 memsw.limit_in_bytes
	fi
	rt_ok update --cpu-period 50000 "$CT"
	assert_eq "$(cgread cpu cpu.cfs_period_us)" 50000 cpu.cfs_period_us
	rt_ok update --cpu-quota 20000 "$CT"
	assert_eq "$(cgread cpu cpu.cfs_quota_us)" 20000 cpu.cfs_quota_us
	assert_eq "$(cgread cpu cpu.cfs_period_us)" 50000 "cpu.cfs_period_us kept"
	rt_ok update --cpu-share 256 "$CT"
	assert_eq "$(cgread cpu cpu.shares)" 256 cpu.shares
	rt_ok update --cpuset-cpus 0 "$CT"
	assert_eq "$(cgread cpuset cpuset.cpus)" 0 cpuset.cpus
	rt_ok update --cpuset-mems 0 "$CT"
	assert_eq "$(cgread cpuset cpuset.mems)" 0 cpuset.mems
	rt_ok update --pids-limit 42 "$CT"
	assert_eq "$(cgread pids pids.max)" 42 pids.max
	local bw
	for bw in blkio.weight blkio.bfq.weight; do
		[[ -e $(cgdir blkio)/$bw ]] && break
	done
	if [[ -e $(cgdir blkio)/$bw ]]; then
		rt_ok update --blkio-weight 300 "$CT"
		assert_eq "$(cgread blkio "$bw" | awk '{print $NF}')" 300 "$bw"
	fi
	# several flags at once; the others keep their values
	rt_ok update --memory 100m --cpu-quota 30000 --pids-limit 50 "$CT"
	assert_eq "$(cgread memory memory.limit_in_bytes)" 104857600 "memory.limit_in_bytes (2)"
	assert_eq "$(cgread cpu cpu.cfs_quota_us)" 30000 "cpu.cfs_quota_us (2)"
	assert_eq "$(cgread pids pids.max)" 50 "pids.max (2)"
	assert_eq "$(cgread cpu cpu.shares)" 256 "cpu.shares kept"
	# -1: unlimited
	rt_ok update --cpu-quota -1 "$CT"
	assert_eq "$(cgread cpu cpu.cfs_quota_us)" -1 "cpu.cfs_quota_us unlimited"
	# the limits hold: the container still runs and can exec
	rt_ok exec "$CT" /bin/true
}

@test "update: a memory limit is enforced for the running container" {
	v1_only
	ctl_running
	rt_ok update --memory 16m --memory-swap 16m "$CT"
	rt exec "$CT" /bin/sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 && echo survived'
	[[ $status -ne 0 && $output != *survived* ]] || fail "dd was not OOM-killed"
	[[ $(awk '/^oom_kill / {print $2}' "$(cgdir memory)/memory.oom_control") -ge 1 ]]
	assert_eq "$(status_of "$CT")" running "init after the OOM"
}

@test "update -r -: resources JSON from stdin" {
	v1_only
	ctl_running
	rt_in '{"memory": {"limit": 67108864}, "cpu": {"shares": 300, "quota": 25000, "period": 100000},
		"pids": {"limit": 33}}' update -r - "$CT"
	[[ $status -eq 0 ]] || fail "update -r -: $output"
	assert_eq "$(cgread memory memory.limit_in_bytes)" 67108864 memory.limit_in_bytes
	assert_eq "$(cgread cpu cpu.shares)" 300 cpu.shares
	assert_eq "$(cgread cpu cpu.cfs_quota_us)" 25000 cpu.cfs_quota_us
	assert_eq "$(cgread pids pids.max)" 33 pids.max
	# the long form
	rt_in '{"pids": {"limit": 34}}' update --resources - "$CT"
	[[ $status -eq 0 ]] || fail "update --resources -: $output"
	assert_eq "$(cgread pids pids.max)" 34 pids.max
}

@test "update --resources FILE" {
	v1_only
	ctl_running
	cat >"$TESTDIR/res.json" <<-'EOF'
		{"memory": {"limit": 50331648, "reservation": 16777216},
		 "cpu": {"cpus": "0", "mems": "0", "quota": 40000, "period": 80000},
		 "pids": {"limit": 44}}
	EOF
	rt_ok update --resources "$TESTDIR/res.json" "$CT"
	assert_eq "$(cgread memory memory.limit_in_bytes)" 50331648 memory.limit_in_bytes
	assert_eq "$(cgread memory memory.soft_limit_in_bytes)" 16777216 memory.soft_limit_in_bytes
	assert_eq "$(cgread cpuset cpuset.cpus)" 0 cpuset.cpus
	assert_eq "$(cgread cpu cpu.cfs_quota_us)" 40000 cpu.cfs_quota_us
	assert_eq "$(cgread cpu cpu.cfs_period_us)" 80000 cpu.cfs_period_us
	assert_eq "$(cgread pids pids.max)" 44 pids.max
	# a file that does not exist
	rt update --resources "$TESTDIR/nosuch.json" "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" nosuch.json
}

@test "update: bad values fail naming the flag or field and change nothing" {
	v1_only
	bundle_set '.linux.resources = {"memory": {"limit": 134217728}, "pids": {"limit": 20},
		"cpu": {"shares": 512}}'
	ctl_running
	snapshot() {
		echo "$(cgread memory memory.limit_in_bytes) $(cgread pids pids.max)" \
			"$(cgread cpu cpu.shares) $(cgread cpu cpu.cfs_quota_us)"
	}
	local before
	before=$(snapshot)
	assert_eq "$before" "134217728 20 512 -1" "limits from config.json"
	rt update --memory abc "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "--memory"
	assert_msg "$output" abc
	rt update --pids-limit x "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "pids-limit"
	rt update --cpu-share 1.5 "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "cpu-share"
	# a good flag next to a bad one changes nothing either
	rt update --pids-limit 99 --memory 12zb "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "--memory"
	# JSON of the wrong type, names the field
	rt_in '{"memory": {"limit": "x"}}' update -r - "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "memory.limit"
	rt_in '{"pids": {"limit": 99}, "cpu": {"shares": "many"}}' update -r - "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "cpu.shares"
	rt_in '{"pids": 5}' update -r - "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" pids
	# not JSON, not an object
	rt_in '{"pids": ' update -r - "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" JSON
	rt_in '[1, 2]' update -r - "$CT"
	[[ $status -ne 0 ]]
	# unknown flag
	rt update --no-such-flag 1 "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" no-such-flag
	assert_eq "$(snapshot)" "$before" "limits after the failed updates"
	assert_eq "$(status_of "$CT")" running status
}

@test "update: refused for a stopped or unknown container" {
	ctl_running /bin/true
	wait_status "$CT" stopped
	rt update --pids-limit 5 "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" stopped
	rt update --pids-limit 5 "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	assert_msg "$output" "nosuch-$SUFFIX"
}

@test "update: a paused container can be updated (as in runc)" {
	ctl_running
	rt_ok pause "$CT"
	rt_ok update --pids-limit 21 "$CT"
	assert_eq "$(cgread pids pids.max)" 21 pids.max
	assert_eq "$(status_of "$CT")" paused status
}

# --- events -----------------------------------------------------------------

@test "events --stats: one JSON object of type stats with memory, cpu and pids" {
	bundle_set '.linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 20}}'
	ctl_running /bin/sh -c 'sleep 1001 & wait'
	retry 100 0.1 has_children "$(pid_of "$CT")" 1
	rt_ok events --stats "$CT"
	assert_eq "${#lines[@]}" 1 "lines"
	local ev=${lines[0]}
	jq -e . <<<"$ev" >/dev/null || fail "not JSON: $ev"
	assert_eq "$(jq -r .type <<<"$ev")" stats type
	assert_eq "$(jq -r .id <<<"$ev")" "$CT" id
	assert_eq "$(jq .data.pids.current <<<"$ev")" 2 pids.current
	assert_eq "$(jq .data.pids.limit <<<"$ev")" 20 pids.limit
	assert_eq "$(jq .data.memory.usage.limit <<<"$ev")" 67108864 memory.usage.limit
	[[ $(jq .data.memory.usage.usage <<<"$ev") -gt 0 ]] || fail "memory.usage.usage"
	[[ $(jq .data.cpu.usage.total <<<"$ev") -gt 0 ]] || fail "cpu.usage.total"
	# the same top-level shape as runc's
	jq -e '(keys - ["data", "id", "type"]) == []' <<<"$ev" >/dev/null || fail "keys: $ev"
	jq -e '.data | has("memory") and has("cpu") and has("pids") and has("blkio")' \
		<<<"$ev" >/dev/null || fail "data keys: $(jq -c '.data | keys' <<<"$ev")"
}

@test "events --stats: refused for a stopped or unknown container" {
	ctl_running /bin/true
	wait_status "$CT" stopped
	rt events --stats "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" "$CT"
	rt events --stats "nosuch-$SUFFIX"
	[[ $status -ne 0 ]]
	assert_msg "$output" "nosuch-$SUFFIX"
	rt events --interval bogus "$CT"
	[[ $status -ne 0 ]]
	assert_msg "$output" bogus
}

@test "events --interval 1s: streams stats and ends when the container exits" {
	ctl_running
	bg_rt "$TESTDIR/events.out" events --interval 1s "$CT"
	local ev=$BG_PID
	retry 100 0.1 has_lines "$TESTDIR/events.out" 2 ||
		fail "events: $(cat "$TESTDIR/events.out")"
	# stats every second: three more take 2 s (1.5 at least: not faster), well
	# under the 10 s they take at the default 5 s interval (slack for a loaded machine)
	local n1 t0 ms
	n1=$(grep -c . "$TESTDIR/events.out")
	t0=$(date +%s%N)
	retry 150 0.1 has_lines "$TESTDIR/events.out" $((n1 + 3)) ||
		fail "events: $(cat "$TESTDIR/events.out")"
	ms=$((($(date +%s%N) - t0) / 1000000))
	[[ $ms -ge 1500 && $ms -le 9000 ]] || fail "3 events in $ms ms with --interval 1s"
	rt_ok kill "$CT" KILL
	if is_runc; then
		skip "runc deviates: events does not end when the container exits"
	fi
	wait_bg "$ev" 15
	assert_eq "$BG_STATUS" 0 "events status ($(tail -n 3 "$TESTDIR/events.out"))"
	local line
	while read -r line; do
		assert_eq "$(jq -r '.type + " " + .id' <<<"$line")" "stats $CT" "event $line"
	done <"$TESTDIR/events.out"
}

@test "events: a process over memory.limit gives an oom event" {
	v1_only
	bundle_set '.linux.resources = {"memory": {"limit": 16777216, "swap": 16777216}}'
	ctl_running
	bg_rt "$TESTDIR/events.out" events --interval 1s "$CT"
	local ev=$BG_PID
	# the stream is set up once the first stats are out
	wait_for_line "$TESTDIR/events.out" '"type": *"stats"'
	rt exec "$CT" /bin/sh -c 'dd if=/dev/zero of=/dev/null bs=64M count=1 && echo survived'
	[[ $status -ne 0 && $output != *survived* ]] || fail "dd was not OOM-killed"
	wait_for_line "$TESTDIR/events.out" '"type": *"oom"' ||
		fail "no oom event: $(cat "$TESTDIR/events.out")"
	local oom
	oom=$(grep -m1 '"type": *"oom"' "$TESTDIR/events.out")
	assert_eq "$(jq -r .id <<<"$oom")" "$CT" "oom event id"
	# init survived the OOM of the exec'd process; the stream goes on
	assert_eq "$(status_of "$CT")" running status
	rt_ok kill "$CT" KILL
	# runc's events does not end when the container exits
	is_runc || wait_bg "$ev" 15
	is_runc || assert_eq "$BG_STATUS" 0 "events status"
}

# --- delete and cgroupsPath ----------------------------------------------------

@test "delete: after the container exited its cgroup dirs (default /berth/<id>) are removed" {
	skip_if_runc "its default cgroup is /<id>, not /berth/<id>"
	set_args /bin/sh -c 'sleep 0.5'
	create_ct
	local init path
	init=$(pid_of "$CT")
	path=/berth/$CT
	# placed in /berth/<id> in every hierarchy
	assert_eq "$(grep -vc ":$path\$" "/proc/$init/cgroup")" 0 "hierarchies not at $path"
	local dirs
	dirs=$(cg_dirs_of "$path")
	[[ $(wc -l <<<"$dirs") -ge 1 ]] || fail "no cgroup dirs for $path"
	# one per hierarchy
	assert_eq "$(wc -l <<<"$dirs")" "$(grep -c . "/proc/$init/cgroup")" "dirs: $dirs"
	start_ct
	wait_status "$CT" stopped
	# kept until delete, as in runc
	assert_eq "$(cg_dirs_of "$path")" "$dirs" "dirs after exit"
	rt_ok delete "$CT"
	local d
	for d in $dirs; do
		[[ ! -e $d ]] || fail "$d left after delete"
	done
	assert_no_state "$CT"
}

@test "cgroupsPath: an absolute path is used in every hierarchy and removed on delete" {
	CGPATH=/$CGNAME/nested/$CT
	ctl_bundle
	create_ct
	local init
	init=$(pid_of "$CT")
	assert_eq "$(grep -vc ":$CGPATH\$" "/proc/$init/cgroup")" 0 "hierarchies not at $CGPATH"
	local m n=0
	for m in $(cg_mounts); do
		[[ -d $m$CGPATH ]] || fail "no $m$CGPATH"
		grep -qx "$init" "$m$CGPATH/cgroup.procs" || fail "init not in $m$CGPATH/cgroup.procs"
		n=$((n + 1))
	done
	[[ $n -ge 1 ]]
	if ! v2; then
		[[ -d /sys/fs/cgroup/memory$CGPATH && -d /sys/fs/cgroup/pids$CGPATH &&
			-d /sys/fs/cgroup/freezer$CGPATH ]] || fail "v1 dirs missing"
	fi
	# state knows it; ps goes through it
	rt_ok ps --format json "$CT"
	assert_eq "$output" "[$init]" "ps"
	rt_ok delete --force "$CT"
	[[ -z $(cg_dirs_of "$CGPATH") ]] || fail "left: $(cg_dirs_of "$CGPATH")"
	# the parents it made are removed too (runc 1.1 leaves them)
	if ! is_runc; then
		[[ -z $(cg_dirs_of "/$CGNAME") ]] || fail "left: $(cg_dirs_of "/$CGNAME")"
	fi
}
