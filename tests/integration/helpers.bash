# shellcheck shell=bash
# Shared helpers for the berth-runtime integration tests (bats).
#
# Environment:
#   RUNTIME             runtime binary under test
#                       (default: $BERTH_BUILD/cmd/berth-runtime/berth-runtime)
#   BERTH_BUILD         meson build dir (default: <repo>/build)
#   BERTH_HELPERS       dir with recvtty and probe (default: $BERTH_BUILD/tests/helpers;
#                       if they are missing there they are compiled with gcc
#                       into a per-run temp dir)
#   BERTH_ROOTFS_CACHE  dir to cache the busybox rootfs in (default: per bats run)
#   RT_WAIT_MIN         the least seconds a retry or wait_* gives its condition (30)
#   BERTH_TEST_TMP      where per-test temp dirs go (default: /tmp; keep it short,
#                       unix socket paths must fit in 108 bytes)
#
# Every test gets (from setup_common):
#   TESTDIR  fresh temp dir, removed in teardown
#   ROOT     the --root state dir for this test (always passed)
#   BUNDLE   a bundle dir with rootfs/ and config.json (from fixtures/config.json)
#   CT       a unique container id (ids are unique across concurrent runs)

INTEGRATION_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$INTEGRATION_DIR/../.." && pwd)
FIXTURES=$REPO/tests/fixtures
BERTH_BUILD=${BERTH_BUILD:-$REPO/build}
RUNTIME=${RUNTIME:-$BERTH_BUILD/cmd/berth-runtime/berth-runtime}
RT_TIMEOUT=${RT_TIMEOUT:-60}

# True when the runtime under test is runc (used to skip known deviations).
is_runc() {
	[[ $(basename "$RUNTIME") == runc ]]
}

skip_if_runc() {
	if is_runc; then
		skip "runc deviates: $*"
	fi
}

_run_tmp() {
	echo "${BATS_RUN_TMPDIR:-${BERTH_TEST_TMP:-/tmp}}"
}

# Locate (or build) recvtty and probe; sets RECVTTY and PROBE.
find_helpers() {
	local dir=${BERTH_HELPERS:-$BERTH_BUILD/tests/helpers}
	if [[ -x $dir/recvtty && -x $dir/probe ]]; then
		RECVTTY=$dir/recvtty
		PROBE=$dir/probe
		return 0
	fi
	dir=$(_run_tmp)/berth-helpers
	(
		flock 9
		if [[ ! -x $dir/probe || ! -x $dir/recvtty ]]; then
			mkdir -p "$dir"
			local cflags=(-std=gnu17 -Wall -Wextra -Werror -O2 -D_GNU_SOURCE)
			gcc "${cflags[@]}" -o "$dir/recvtty.tmp" "$REPO/tests/helpers/recvtty.c" &&
				gcc "${cflags[@]}" -static -o "$dir/probe.tmp" "$REPO/tests/helpers/probe.c" &&
				mv "$dir/recvtty.tmp" "$dir/recvtty" && mv "$dir/probe.tmp" "$dir/probe"
		fi
	) 9>"$(_run_tmp)/berth-helpers.lock"
	[[ -x $dir/recvtty && -x $dir/probe ]] || {
		echo "cannot build test helpers" >&2
		return 1
	}
	RECVTTY=$dir/recvtty
	PROBE=$dir/probe
}

# Build the busybox rootfs once per run (or reuse BERTH_ROOTFS_CACHE).
# Sets ROOTFS_CACHE.
ensure_rootfs_cache() {
	local cache=${BERTH_ROOTFS_CACHE:-$(_run_tmp)/berth-rootfs}
	mkdir -p "$(dirname "$cache")"
	(
		flock 9
		if [[ -e $cache/probe ]] && ! cmp -s "$cache/probe" "$PROBE"; then
			rm -rf --one-file-system "$cache"
		fi
		if [[ ! -e $cache/.complete ]]; then
			rm -rf --one-file-system "$cache"
			"$FIXTURES/mkrootfs.sh" "$cache.tmp.$$" "$PROBE" >&2 &&
				touch "$cache.tmp.$$/.complete" &&
				mv "$cache.tmp.$$" "$cache"
		fi
	) 9>"$cache.lock"
	[[ -e $cache/.complete ]] || {
		echo "cannot build rootfs cache in $cache" >&2
		return 1
	}
	ROOTFS_CACHE=$cache
}

# make_bundle DIR: DIR/rootfs (copy of the cached rootfs) + DIR/config.json
make_bundle() {
	local dir=$1
	mkdir -p "$dir"
	cp -a "$ROOTFS_CACHE" "$dir/rootfs"
	rm -f "$dir/rootfs/.complete"
	cp "$FIXTURES/config.json" "$dir/config.json"
}

setup_common() {
	if [[ ! -x $RUNTIME ]]; then
		echo "runtime binary not found: $RUNTIME (build it or set RUNTIME)" >&2
		return 1
	fi
	find_helpers
	ensure_rootfs_cache
	TESTDIR=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-it.XXXXXX")
	chmod 0755 "$TESTDIR"
	SUFFIX=${TESTDIR##*.}
	ROOT=$TESTDIR/state
	BUNDLE=$TESTDIR/bundle
	CT=ct-$SUFFIX
	mkdir -p "$ROOT"
	make_bundle "$BUNDLE"
	: >"$TESTDIR/.ids"
	: >"$TESTDIR/.pids"
	: >"$TESTDIR/.netns"
	: >"$TESTDIR/.mounts"
	RT_N=0
	track_id "$CT"
}

# new_id NAME: print a unique container id and remember it for teardown.
new_id() {
	local id=${1:-ct}-$SUFFIX
	track_id "$id"
	echo "$id"
}

track_id() { echo "$1" >>"$TESTDIR/.ids"; }

# host_mount MOUNT-ARGS... TARGET: mount(8) on the host, unmounted in
# teardown (the last argument must be the target)
host_mount() {
	mount "$@"
	echo "${*: -1}" >>"$TESTDIR/.mounts"
}
track_pid() { echo "$1" >>"$TESTDIR/.pids"; }

# mounts_under DIR: mount points (from our mountinfo) at or below DIR
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo
}

teardown_common() {
	[[ -n ${TESTDIR:-} && -d $TESTDIR ]] || return 0
	local id pid rc=0 ids
	ids=$(
		cat "$TESTDIR/.ids"
		timeout 10 "$RUNTIME" --root "$ROOT" list -q 2>/dev/null
	)
	for id in $(echo "$ids" | sort -u); do
		[[ -n $id ]] || continue
		local st
		st=$(timeout 10 "$RUNTIME" --root "$ROOT" state "$id" 2>/dev/null) || continue
		if ! timeout 20 "$RUNTIME" --root "$ROOT" delete --force "$id" >/dev/null 2>&1; then
			echo "teardown: delete --force $id failed" >&2
			rc=1
			# last resort so a broken runtime does not leak processes:
			# kill the container init we created, if it is in its own pid ns
			pid=$(jq -r '.pid // 0' <<<"$st" 2>/dev/null)
			if [[ $pid =~ ^[0-9]+$ && $pid -gt 1 ]] &&
				[[ $(readlink "/proc/$pid/ns/pid" 2>/dev/null) != "$(readlink /proc/self/ns/pid)" ]]; then
				kill -KILL "$pid" 2>/dev/null || true
			fi
		fi
	done
	# background processes started by the test (recvtty, foreground runs)
	while read -r pid; do
		[[ -n $pid ]] || continue
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$TESTDIR/.pids"
	while read -r ns; do
		[[ -n $ns ]] && ip netns del "$ns" 2>/dev/null
	done <"$TESTDIR/.netns"
	# host mounts made by the test itself (host_mount), newest first
	local m
	for m in $(tac "$TESTDIR/.mounts"); do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
	# never rm -rf through a leaked mount
	local leaked
	leaked=$(mounts_under "$TESTDIR" | sort -r)
	if [[ -n $leaked ]]; then
		echo "teardown: leaked mounts under $TESTDIR:" >&2
		echo "$leaked" >&2
		for m in $leaked; do umount -l "$m" 2>/dev/null || true; done
		rc=1
	fi
	if [[ -z $(mounts_under "$TESTDIR") ]]; then
		rm -rf --one-file-system "$TESTDIR"
	fi
	return $rc
}

# Default per-file hooks; a .bats file may override and call the *_common ones.
setup() { setup_common; }
teardown() { teardown_common; }

# --- config editing --------------------------------------------------------

# bundle_set FILTER [jq options...]: edit $BUNDLE/config.json in place with jq
# (or CONFIG=path bundle_set ... for another bundle)
bundle_set() {
	local filter=$1
	shift
	local cfg=${CONFIG:-$BUNDLE/config.json}
	# options go after the filter and the file comes on stdin, so that
	# --args (which swallows all remaining words) works
	jq "$filter" "$@" <"$cfg" >"$cfg.tmp" && mv "$cfg.tmp" "$cfg"
}

# json_array WORD...: print a JSON array of strings (safe for words that
# start with '-', unlike jq --args)
json_array() {
	local a out=""
	for a in "$@"; do
		out+=${out:+,}$(jq -cn --arg a "$a" '$a')
	done
	echo "[$out]"
}

# set_args ARG...: set .process.args to the given words
set_args() {
	bundle_set '.process.args = $a' --argjson a "$(json_array "$@")"
}

# set_sh 'script': .process.args = ["/bin/sh", "-c", script]
set_sh() {
	set_args /bin/sh -c "$1"
}

# add_mount DEST TYPE SOURCE [OPTION...]
add_mount() {
	local dest=$1 type=$2 src=$3
	shift 3
	bundle_set '.mounts += [{destination: $d, type: $t, source: $s, options: $o}]' \
		--arg d "$dest" --arg t "$type" --arg s "$src" --argjson o "$(json_array "$@")"
}

# add_bind SRC DEST [OPTION...]  (adds "bind" unless rbind is given)
add_bind() {
	local src=$1 dest=$2
	shift 2
	local opts=("$@")
	if [[ " ${opts[*]} " != *" rbind "* ]]; then
		opts=(bind "${opts[@]}")
	fi
	add_mount "$dest" bind "$src" "${opts[@]}"
}

# remove_ns TYPE / add_ns TYPE [PATH]
remove_ns() {
	bundle_set '.linux.namespaces |= map(select(.type != $t))' --arg t "$1"
}
add_ns() {
	remove_ns "$1"
	if [[ -n ${2:-} ]]; then
		bundle_set '.linux.namespaces += [{type: $t, path: $p}]' --arg t "$1" --arg p "$2"
	else
		bundle_set '.linux.namespaces += [{type: $t}]' --arg t "$1"
	fi
}

# --- running the runtime ---------------------------------------------------

# rt ARGS...: run "$RUNTIME --root $ROOT ARGS..." like bats' `run`, but with
# stdout+stderr going to a file (RT_OUTFILE) instead of a pipe, so a
# container that inherits them (create / run -d) cannot block us.  Sets
# status, output, lines. stdin is /dev/null. The container's own output (for
# create/run -d) keeps landing in RT_OUTFILE after we return.
rt() {
	RT_N=$((RT_N + 1))
	RT_OUTFILE=$TESTDIR/rt.$RT_N.out
	echo "# \$ runtime --root \$ROOT $*" >>"$TESTDIR/rt.log"
	status=0
	timeout -k 5 "$RT_TIMEOUT" "$RUNTIME" --root "$ROOT" "$@" \
		</dev/null >"$RT_OUTFILE" 2>&1 || status=$?
	output=$(cat "$RT_OUTFILE")
	mapfile -t lines <<<"$output"
	[[ -n $output ]] || lines=()
	# shown by bats only when the test fails
	echo "\$ $(basename "$RUNTIME") --root \$ROOT $* -> status=$status"
	[[ -z $output ]] || printf '%s\n' "$output" | sed 's/^/  | /'
	return 0
}

# run_rt ARGS...: alias of rt
run_rt() { rt "$@"; }

# rt_ok ARGS...: like rt but fail the test if the status is not 0
rt_ok() {
	rt "$@"
	if [[ $status -ne 0 ]]; then
		echo "expected success from: $*" >&2
		return 1
	fi
}

# run_ct [ID]: `run` the bundle in the foreground; status/output as in rt.
run_ct() {
	rt run --bundle "$BUNDLE" "${1:-$CT}"
}

# create_ct [ID [BUNDLE]]: create, fail test on error; CT_OUT[ID] = stdio file
declare -gA CT_OUT
create_ct() {
	local id=${1:-$CT} b=${2:-$BUNDLE}
	rt_ok create --bundle "$b" "$id"
	CT_OUT[$id]=$RT_OUTFILE
}

# start_ct [ID]
start_ct() { rt_ok start "${1:-$CT}"; }

# ct_output [ID]: what the container wrote to stdout/stderr so far
ct_output() { cat "${CT_OUT[${1:-$CT}]}"; }

# state_of ID: print the state JSON (fails if state fails)
state_of() {
	timeout 10 "$RUNTIME" --root "$ROOT" state "$1"
}

# status_of ID: print .status ("" if state fails)
status_of() {
	state_of "$1" 2>/dev/null | jq -r '.status' 2>/dev/null || true
}

# pid_of ID
pid_of() {
	state_of "$1" | jq -r '.pid'
}

# retry N DELAY CMD...: run CMD until it succeeds: N tries DELAY apart, and
# more until RT_WAIT_MIN seconds (default 30) have passed: the counts are tuned
# on an idle machine, CI runs on 2 busy cores. Returns at the first success,
# so a passing test is not slower. (containers-helpers.bash has its own, with
# CT_WAIT_MIN.)
RT_WAIT_MIN=${RT_WAIT_MIN:-30}
retry() {
	# _r names: CMD may be a function reading the caller's n, i, delay
	local _rn=$1 _rdelay=$2 _ri=0 _rstart=$SECONDS
	shift 2
	while ((_ri < _rn || SECONDS - _rstart < RT_WAIT_MIN)); do
		"$@" && return 0
		sleep "$_rdelay"
		_ri=$((_ri + 1))
	done
	echo "retry: gave up after $_ri tries, $((SECONDS - _rstart)) s: $*" >&2
	return 1
}

_status_is() { [[ $(status_of "$1") == "$2" ]]; }

# wait_status ID STATUS: wait (10 s, at least RT_WAIT_MIN) for the container status
wait_status() {
	retry 100 0.1 _status_is "$1" "$2" || {
		echo "container $1 status is '$(status_of "$1")', wanted '$2'" >&2
		return 1
	}
}

# wait_file FILE: wait (10 s, at least RT_WAIT_MIN) for FILE to exist and be non-empty
wait_file() {
	retry 100 0.1 test -s "$1"
}

# wait_for_line FILE REGEX: wait (10 s, at least RT_WAIT_MIN) for a line matching REGEX
wait_for_line() {
	retry 100 0.1 grep -qE "$2" "$1"
}

# --- assertions ------------------------------------------------------------

# fail MSG: fail the test with a message
fail() {
	echo "FAIL: $*" >&2
	return 1
}

# assert_no_state ID: the runtime does not know ID and left nothing behind
assert_no_state() {
	local id=$1 st
	if st=$(timeout 10 "$RUNTIME" --root "$ROOT" state "$id" 2>&1); then
		fail "state $id succeeded: $st"
	fi
	local left
	left=$(timeout 10 "$RUNTIME" --root "$ROOT" list -q 2>/dev/null | grep -Fx -- "$id" || true)
	[[ -z $left ]] || fail "list still shows $id"
	left=$(find "$ROOT" -mindepth 1 -name "*$id*" 2>/dev/null)
	[[ -z $left ]] || fail "state left behind: $left"
}

# assert_no_leftover_processes: no process belongs to this test any more:
# none has our unique suffix on its command line, and none in another mount
# namespace has a mount of our test dir (a container init, before or after
# pivot_root, shows the bind-mounted rootfs in its mountinfo; readlink of
# /proc/PID/root is useless here, it shows "/" for pivoted processes).
assert_no_leftover_processes() {
	local p pid found="" mymnt
	mymnt=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ $pid != "$$" && $pid != "$BASHPID" ]] || continue
		local cmd
		cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
		if [[ $cmd == *"$SUFFIX"* ]]; then
			found+="$pid($cmd) "
		elif [[ $(readlink "$p/ns/mnt" 2>/dev/null) != "$mymnt" ]] &&
			grep -qF "$TESTDIR" "$p/mountinfo" 2>/dev/null; then
			found+="$pid($cmd) "
		fi
	done
	[[ -z $found ]] || fail "leftover processes: $found"
}

# kv KEY: from $output (key=value lines) print the value for KEY
kv() {
	local line
	for line in "${lines[@]}"; do
		if [[ $line == "$1="* ]]; then
			echo "${line#*=}"
			return 0
		fi
	done
	return 1
}

# assert_eq ACTUAL EXPECTED [what]
assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	[[ $1 == *"$2"* ]] || fail "expected to find '$2' in: $1"
}

# cap_mask CAP_NAME...: print the hex mask (16 digits) for a set of caps
cap_mask() {
	local -A num=(
		[CAP_CHOWN]=0 [CAP_DAC_OVERRIDE]=1 [CAP_DAC_READ_SEARCH]=2 [CAP_FOWNER]=3
		[CAP_FSETID]=4 [CAP_KILL]=5 [CAP_SETGID]=6 [CAP_SETUID]=7 [CAP_SETPCAP]=8
		[CAP_LINUX_IMMUTABLE]=9 [CAP_NET_BIND_SERVICE]=10 [CAP_NET_BROADCAST]=11
		[CAP_NET_ADMIN]=12 [CAP_NET_RAW]=13 [CAP_IPC_LOCK]=14 [CAP_IPC_OWNER]=15
		[CAP_SYS_MODULE]=16 [CAP_SYS_RAWIO]=17 [CAP_SYS_CHROOT]=18 [CAP_SYS_PTRACE]=19
		[CAP_SYS_PACCT]=20 [CAP_SYS_ADMIN]=21 [CAP_SYS_BOOT]=22 [CAP_SYS_NICE]=23
		[CAP_SYS_RESOURCE]=24 [CAP_SYS_TIME]=25 [CAP_SYS_TTY_CONFIG]=26 [CAP_MKNOD]=27
		[CAP_LEASE]=28 [CAP_AUDIT_WRITE]=29 [CAP_AUDIT_CONTROL]=30 [CAP_SETFCAP]=31
		[CAP_MAC_OVERRIDE]=32 [CAP_MAC_ADMIN]=33 [CAP_SYSLOG]=34 [CAP_WAKE_ALARM]=35
		[CAP_BLOCK_SUSPEND]=36 [CAP_AUDIT_READ]=37 [CAP_PERFMON]=38 [CAP_BPF]=39
		[CAP_CHECKPOINT_RESTORE]=40
	)
	local m=0 c
	for c in "$@"; do
		[[ -n ${num[$c]:-} ]] || {
			echo "unknown cap $c" >&2
			return 1
		}
		m=$((m | (1 << ${num[$c]})))
	done
	printf '%016x\n' "$m"
}

# --- background processes --------------------------------------------------

# start_recvtty SOCKET OUTFILE [recvtty options...]: start recvtty in the
# background, wait until SOCKET is ready. Sets RECVTTY_PID.
start_recvtty() {
	local sock=$1 out=$2
	shift 2
	"$RECVTTY" "$@" -t 60 "$sock" >"$out" 2>&1 </dev/null &
	RECVTTY_PID=$!
	track_pid "$RECVTTY_PID"
	retry 100 0.05 test -S "$sock"
}

# wait_bg PID [SECS]: wait (default 30s) for a background child to exit and
# set BG_STATUS to its exit status; on timeout kill it and fail
wait_bg() {
	local pid=$1 secs=${2:-30} i st
	for ((i = 0; i < secs * 10; i++)); do
		st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || break
		[[ $st != Z ]] || break
		sleep 0.1
	done
	if [[ -e /proc/$pid && $(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) != Z ]]; then
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		fail "process $pid did not exit within ${secs}s"
		return 1
	fi
	BG_STATUS=0
	wait "$pid" || BG_STATUS=$?
}

# bg_rt OUTFILE ARGS...: run the runtime in the background (stdio to
# OUTFILE); sets BG_PID.
bg_rt() {
	local out=$1
	shift
	"$RUNTIME" --root "$ROOT" "$@" </dev/null >"$out" 2>&1 &
	BG_PID=$!
	track_pid "$BG_PID"
}
