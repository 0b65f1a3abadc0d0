# shellcheck shell=bash
# Shared helpers for the drop-in tests: containerd, dockerd and podman
# driving the runtime under test in place of runc.
#
# Environment:
#   RUNTIME          runtime binary under test
#                    (default: $BERTH_BUILD/cmd/berth-runtime/berth-runtime)
#   BERTH_BUILD      meson build dir (default: <repo>/build)
#   COMPAT_IMAGE_DIR dir with rootfs.tar, image.tar, image.ref from mkimage.sh
#                    (run.sh builds it once; else each file builds its own)
#   COMPAT_TIMEOUT   seconds for one peer command (default 90)
#   COMPAT_TMP       where the per-file dirs go (default /tmp; keep it short,
#                    unix socket paths must fit in 108 bytes)
#
# Each .bats file gets, from compat_setup_file:
#   TD        its own temp dir (daemon roots, states, sockets, logs)
#   CGNAME    "berth-compat-<suffix>": the cgroup (in every hierarchy) that
#             holds the daemons (CGNAME/daemons) and their containers
#             (the containerd namespace, dockerd's --cgroup-parent and
#             podman's --cgroup-parent are all /CGNAME)
#   RT        the runtime the peers are given: $TD/bin/<basename of RUNTIME>,
#             a wrapper that appends its arguments to $TD/runtime.calls,
#             keeps a link to the file given by --log in $TD/runtime-logs/,
#             and execs RUNTIME
#   IMAGE_DIR rootfs.tar, image.tar, image.ref
# Daemons are started with start_daemon (in CGNAME/daemons, by pid); and
# compat_teardown_file stops them by pid, kills whatever is left in CGNAME,
# unmounts what is left under TD, removes the cgroups and TD.

COMPAT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$COMPAT_DIR/../.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$REPO/build}
RUNTIME=${RUNTIME:-$BERTH_BUILD/cmd/berth-runtime/berth-runtime}
if [[ $RUNTIME != /* ]] && command -v "$RUNTIME" >/dev/null; then
	RUNTIME=$(command -v "$RUNTIME")
fi
COMPAT_TIMEOUT=${COMPAT_TIMEOUT:-90}
PTYRUN=$COMPAT_DIR/ptyrun.py

is_runc() { [[ $(basename "$RUNTIME") == runc ]]; }

fail() {
	echo "FAIL: $*" >&2
	return 1
}
assert_eq() {
	[[ $1 == "$2" ]] || fail "${3:-value}: expected '$2', got '$1'"
}
assert_contains() {
	[[ $1 == *"$2"* ]] || fail "expected to find '$2' in: $1"
}
assert_not_contains() {
	[[ $1 != *"$2"* ]] || fail "did not expect '$2' in: $1"
}

# retry N DELAY CMD...: run CMD until it succeeds, at most N times
retry() {
	# _r names: CMD may be a function reading the caller's n, i, delay
	local _rn=$1 _rdelay=$2 _ri
	shift 2
	for ((_ri = 0; _ri < _rn; _ri++)); do
		if "$@"; then
			return 0
		fi
		sleep "$_rdelay"
	done
	return 1
}

# require_cmd CMD...: in setup_file, `require_cmd ... || return 0`: when a
# command is missing, every test of the file is skipped with the reason
# (bats 1.8 cannot skip from setup_file: COMPAT_SKIP is checked in setup)
require_cmd() {
	local c
	for c in "$@"; do
		if ! command -v "$c" >/dev/null; then
			export COMPAT_SKIP="$c not installed (scripts/deps.sh installs it)"
			return 1
		fi
	done
}

# --- running peer commands --------------------------------------------------

# peer CMD...: like bats' `run`, with a timeout (COMPAT_TIMEOUT, or
# PEER_TIMEOUT=N peer ...), stdin from /dev/null and stdout+stderr into a
# file, so that a process that keeps them open cannot block us. Sets status,
# output, lines; logs the command and its output (shown if the test fails).
PEER_N=0
peer() {
	PEER_N=$((PEER_N + 1))
	local out=$TD/out.$BATS_SUITE_TEST_NUMBER.$PEER_N t=${PEER_TIMEOUT:-$COMPAT_TIMEOUT}
	status=0
	local start=$SECONDS
	{ timeout -k 5 "$t" "$@" </dev/null >"$out" 2>&1 || status=$?; } 2>/dev/null
	output=$(cat "$out")
	mapfile -t lines <<<"$output"
	[[ -n $output ]] || lines=()
	echo "\$ $* -> status=$status"
	[[ -z $output ]] || printf '%s\n' "$output" | sed 's/^/  | /'
	if [[ $status -eq 124 || $status -eq 137 ]] && ((SECONDS - start >= t)); then
		echo "  (timed out after ${t}s)"
	fi
	return 0
}

# peer_ok CMD...: peer, and fail unless the status is 0
peer_ok() {
	peer "$@"
	[[ $status -eq 0 ]] || fail "expected success from: $*"
}

# peer_tty [ptyrun options] -- CMD...: like peer, but CMD runs on a pty
# (ptyrun.py: -e REGEX waits for output, -s TEXT types); \r are removed.
peer_tty() {
	local t=${PEER_TIMEOUT:-$COMPAT_TIMEOUT}
	PEER_N=$((PEER_N + 1))
	local out=$TD/out.$BATS_SUITE_TEST_NUMBER.$PEER_N
	status=0
	timeout -k 5 $((t + 10)) python3 "$PTYRUN" -t "$t" "$@" </dev/null >"$out" 2>&1 || status=$?
	output=$(cat "$out")
	mapfile -t lines <<<"$output"
	[[ -n $output ]] || lines=()
	echo "\$ (pty) $* -> status=$status"
	[[ -z $output ]] || printf '%s\n' "$output" | sed 's/^/  | /'
}

# --- cgroups ----------------------------------------------------------------

# cg_mounts: mount points of the cgroup hierarchies (v1 and v2) we see
cg_mounts() {
	awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2") print $5; break } }' \
		/proc/self/mountinfo | sort -u
}

# cg_mkdir REL: create REL (relative to each hierarchy's root) everywhere;
# v1 cpuset needs cpus/mems copied down before a task can join
cg_mkdir() {
	local rel=$1 m d parent part
	for m in $(cg_mounts); do
		d=$m
		IFS=/ read -ra part <<<"$rel"
		for p in "${part[@]}"; do
			[[ -n $p ]] || continue
			parent=$d
			d=$d/$p
			[[ -d $d ]] || mkdir "$d" || return 1
			local f
			for f in cpuset.cpus cpuset.mems; do
				if [[ -f $d/$f && -z $(cat "$d/$f") ]]; then
					cat "$parent/$f" >"$d/$f" || return 1
				fi
			done
		done
	done
}

# cg_join REL: move the calling (sub)shell into REL in every hierarchy
cg_join() {
	local m
	for m in $(cg_mounts); do
		echo "$BASHPID" >"$m/$1/cgroup.procs" || return 1
	done
}

# cg_path_of PID CONTROLLER: the pid's cgroup path in that v1 hierarchy
# (CONTROLLER "" = the v2 one)
cg_path_of() {
	local pid=$1 c=$2
	if [[ -z $c ]]; then
		awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup"
	else
		awk -F: -v c="$c" '{ n = split($2, a, ","); for (i = 1; i <= n; i++) if (a[i] == c) print $3 }' \
			"/proc/$pid/cgroup"
	fi
}

# cg_file PID CONTROLLER FILE: host path of FILE in the pid's cgroup
cg_file() {
	local rel m
	rel=$(cg_path_of "$1" "$2")
	for m in $(cg_mounts); do
		if [[ -e $m$rel/$3 ]]; then
			echo "$m$rel/$3"
			return 0
		fi
	done
	return 1
}

# cg_pids: every pid in a cgroup at or below CGNAME, any hierarchy
cg_pids() {
	local m
	for m in $(cg_mounts); do
		[[ -d $m/$CGNAME ]] || continue
		find "$m/$CGNAME" -name cgroup.procs -exec cat {} + 2>/dev/null
	done | sort -un
}

# cg_thaw: thaw every frozen cgroup below CGNAME (frozen tasks ignore SIGKILL)
cg_thaw() {
	local m f
	for m in $(cg_mounts); do
		[[ -d $m/$CGNAME ]] || continue
		while read -r f; do
			case $f in
			*/freezer.state) [[ $(cat "$f") == THAWED ]] || echo THAWED >"$f" ;;
			*/cgroup.freeze) [[ $(cat "$f") == 0 ]] || echo 0 >"$f" ;;
			esac
		done < <(find "$m/$CGNAME" \( -name freezer.state -o -name cgroup.freeze \) 2>/dev/null)
	done 2>/dev/null
	return 0
}

# cg_remove: remove the CGNAME trees (deepest first)
cg_remove() {
	local m left=""
	for m in $(cg_mounts); do
		[[ -d $m/$CGNAME ]] || continue
		find "$m/$CGNAME" -depth -type d -exec rmdir {} \; 2>/dev/null
		[[ ! -d $m/$CGNAME ]] || left+=" $m/$CGNAME"
	done
	[[ -z $left ]] || {
		echo "cgroups left:$left" >&2
		return 1
	}
}

# --- processes ----------------------------------------------------------------

# starttime PID: field 22 of /proc/PID/stat (to tell a reused pid)
starttime() {
	local s
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	awk '{ print $20 }' <<<"$s"
}

# alive PID STARTTIME: the same process still exists (and is no zombie)
alive() {
	local s st
	s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	s=${s##*) }
	read -ra st <<<"$s"
	[[ ${st[19]} == "$2" && ${st[0]} != Z ]]
}

# our_strays: pids outside our mount namespace whose mounts show TD (the
# containers of our daemons, wherever their cgroup is)
our_strays() {
	local p pid mymnt
	mymnt=$(readlink /proc/self/ns/mnt)
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[[ $(readlink "$p/ns/mnt" 2>/dev/null) != "$mymnt" ]] || continue
		grep -qF " $TD/" "$p/mountinfo" 2>/dev/null && echo "$pid"
	done
	return 0
}

# start_daemon NAME CMD...: run CMD in the background in cgroup
# CGNAME/daemons, output to $TD/NAME.log; remembered for teardown.
# Sets DAEMON_PID.
start_daemon() {
	local name=$1
	shift
	(
		cg_join "$CGNAME/daemons" || exit 97
		cd "$TD" || exit 97
		exec "$@"
	) </dev/null >>"$TD/$name.log" 2>&1 3>&- &
	DAEMON_PID=$!
	local st
	st=$(starttime "$DAEMON_PID") || st=0
	echo "$DAEMON_PID $st $name" >>"$TD/.daemons"
}

# stop_daemon PID STARTTIME NAME: SIGTERM, up to 20s, then SIGKILL
stop_daemon() {
	local pid=$1 st=$2 name=$3 i
	alive "$pid" "$st" || return 0
	kill -TERM "$pid" 2>/dev/null
	for ((i = 0; i < 200; i++)); do
		alive "$pid" "$st" || return 0
		sleep 0.1
	done
	echo "teardown: $name ($pid) ignored SIGTERM for 20s; SIGKILL" >&2
	kill -KILL "$pid" 2>/dev/null
	retry 50 0.1 eval '! alive "$pid" "$st"'
}

# wait_daemon NAME PID CHECK-CMD...: wait up to 60s until CHECK-CMD works;
# fail (with the log) if the daemon dies or never answers
wait_daemon() {
	local name=$1 pid=$2 i
	shift 2
	for ((i = 0; i < 300; i++)); do
		if ! kill -0 "$pid" 2>/dev/null; then
			echo "$name exited at start:" >&2
			tail -n 30 "$TD/$name.log" >&2
			return 1
		fi
		if timeout 10 "$@" >/dev/null 2>&1; then
			return 0
		fi
		sleep 0.2
	done
	echo "$name did not answer within 60s:" >&2
	tail -n 30 "$TD/$name.log" >&2
	return 1
}

# --- setup / teardown -----------------------------------------------------------

# find_probe: the static probe helper (built with gcc if the build has none)
find_probe() {
	local p=$BERTH_BUILD/tests/helpers/probe
	if [[ -x $p ]]; then
		echo "$p"
		return 0
	fi
	p=$TD/probe
	gcc -std=gnu17 -O2 -D_GNU_SOURCE -static -o "$p" "$REPO/tests/helpers/probe.c" >&2 || return 1
	echo "$p"
}

# make_wrapper: $TD/bin/<name of RUNTIME>; logs and execs RUNTIME
make_wrapper() {
	mkdir -p "$TD/bin" "$TD/runtime-logs"
	RT=$TD/bin/$(basename "$RUNTIME")
	cat >"$RT" <<EOF
#!/bin/bash
# test wrapper: record the call, keep the --log file, run the real runtime
log=
prev=
for a in "\$@"; do
	case \$prev in --log) log=\$a ;; esac
	case \$a in --log=*) log=\${a#--log=} ;; esac
	prev=\$a
done
if [[ -n \$log ]]; then
	[[ -e \$log ]] || : >>"\$log" 2>/dev/null
	keep=$TD/runtime-logs/\$(echo "\$log" | md5sum | cut -c1-12).\$(basename "\$log")
	[[ -e \$keep ]] || ln "\$log" "\$keep" 2>/dev/null || true
fi
echo "\$(date +%T.%N) \$PPID \$*" >>$TD/runtime.calls
exec $RUNTIME "\$@"
EOF
	chmod 0755 "$RT"
	: >"$TD/runtime.calls"
}

# compat_setup_file NAME: per-file dirs, cgroup, wrapper, image
compat_setup_file() {
	local name=$1
	if [[ $(id -u) -ne 0 ]]; then
		export COMPAT_SKIP="needs root"
		return 0
	fi
	[[ -x $RUNTIME ]] || {
		echo "runtime binary not found: $RUNTIME (build it or set RUNTIME)" >&2
		return 1
	}
	require_cmd jq python3 timeout || return 0
	TD=$(mktemp -d "${COMPAT_TMP:-/tmp}/bc-$name.XXXXXX")
	chmod 0755 "$TD"
	SUFFIX=${TD##*.}
	CGNAME=berth-compat-$SUFFIX
	: >"$TD/.daemons"
	cg_mkdir "$CGNAME/daemons"
	make_wrapper
	if [[ -n ${COMPAT_IMAGE_DIR:-} && -s $COMPAT_IMAGE_DIR/image.tar ]]; then
		IMAGE_DIR=$COMPAT_IMAGE_DIR
	else
		IMAGE_DIR=$TD/image
		"$COMPAT_DIR/mkimage.sh" "$IMAGE_DIR" "$(find_probe)" >/dev/null
	fi
	IMAGE_REF=$(cat "$IMAGE_DIR/image.ref")
	export TD SUFFIX CGNAME RT IMAGE_DIR IMAGE_REF RUNTIME
}

# mounts_under DIR: mount points at or below DIR, deepest first
mounts_under() {
	awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r
}

# containerd keeps shim sockets in /run/containerd/s/<sha256(address/ns/id)>
# whatever its --state is; remove the ones of our containers (after a crash)
SHIM_IDS_FILE=shim-ids
note_shim_id() { echo "$1 $2 $3" >>"$TD/$SHIM_IDS_FILE"; }
# note_containerd_ids ADDR: note every container of that containerd
note_containerd_ids() {
	local addr=$1 ns id
	for ns in $(timeout 10 ctr -a "$addr" namespaces ls -q 2>/dev/null); do
		for id in $(timeout 10 ctr -a "$addr" -n "$ns" containers ls -q 2>/dev/null); do
			note_shim_id "$addr" "$ns" "$id"
		done
	done
}
remove_shim_sockets() {
	local addr ns id h
	if [[ -f $TD/$SHIM_IDS_FILE ]]; then
		while read -r addr ns id; do
			h=$(printf '%s' "$addr/$ns/$id" | sha256sum | cut -d' ' -f1)
			[[ -S /run/containerd/s/$h ]] && rm -f "/run/containerd/s/$h"
		done < <(sort -u "$TD/$SHIM_IDS_FILE")
	fi
	# the shim makes its default runc root for our namespaces even when it
	# is given another one
	local d
	for d in /run/containerd/runc/"$CGNAME" /run/containerd/runc/"$CGNAME"-*; do
		[[ -d $d ]] && rmdir "$d" 2>/dev/null
	done
	if [[ ! -e $TD/.had-run-containerd ]]; then
		rmdir /run/containerd/s /run/containerd/runc /run/containerd 2>/dev/null
	fi
	return 0
}

compat_teardown_file() {
	[[ -n ${TD:-} && -d $TD ]] || return 0
	local rc=0 pid st name i
	local addr
	for addr in "$TD"/*/c.sock; do
		[[ -S $addr ]] && note_containerd_ids "$addr"
	done
	# daemons, newest first
	while read -r pid st name; do
		[[ -n $pid ]] && stop_daemon "$pid" "$st" "$name"
	done < <(tac "$TD/.daemons")
	# whatever is left in our cgroups (shims, conmon, containers), and
	# containers of ours that live elsewhere (their mounts show TD)
	for ((i = 0; i < 20; i++)); do
		cg_thaw
		local pids
		pids=$( (
			cg_pids
			our_strays
		) | sort -un)
		[[ -n $pids ]] || break
		kill -KILL $pids 2>/dev/null
		sleep 0.5
	done
	remove_shim_sockets
	# mounts under TD (rootfs, overlay, shm, netns), deepest first
	local m
	for ((i = 0; i < 5; i++)); do
		local ms
		ms=$(mounts_under "$TD")
		[[ -n $ms ]] || break
		for m in $ms; do
			umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
		done
	done
	if [[ -n $(mounts_under "$TD") ]]; then
		echo "teardown: mounts left under $TD: $(mounts_under "$TD")" >&2
		rc=1
	fi
	retry 20 0.5 cg_remove 2>/dev/null || cg_remove || rc=1
	if [[ -z $(mounts_under "$TD") && -z ${COMPAT_KEEP:-} ]]; then
		rm -rf --one-file-system "$TD"
	fi
	return $rc
}

# per-test: remember where the logs were, print what is new on failure
compat_setup() {
	[[ -z ${COMPAT_SKIP:-} ]] || skip "$COMPAT_SKIP"
	local f
	for f in "$TD"/*.log "$TD/runtime.calls"; do
		[[ -f $f ]] && echo "$(wc -l <"$f") $f"
	done >"$TD/.marks"
}

compat_teardown() {
	[[ -z ${COMPAT_SKIP:-} ]] || return 0
	[[ -z ${BATS_TEST_COMPLETED:-} ]] || return 0
	local n f
	echo "--- runtime calls during this test ($RUNTIME):"
	while read -r n f; do
		[[ $f == */runtime.calls ]] && tail -n +$((n + 1)) "$f" | cut -c1-400 | tail -n 60
	done <"$TD/.marks"
	echo "--- runtime --log entries that are not debug:"
	find "$TD/runtime-logs" -type f -newer "$TD/.marks" -exec grep -hv '"level":"debug"' {} + 2>/dev/null |
		grep -v '^$' | tail -n 30
	while read -r n f; do
		[[ $f == */runtime.calls ]] && continue
		echo "--- $(basename "$f") (warnings and errors during this test):"
		tail -n +$((n + 1)) "$f" | grep -aiE 'level=(warn|error|fatal)|"level":"(warn|error)|error|fail' |
			cut -c1-600 | tail -n 25
	done <"$TD/.marks"
	return 0
}

# runtime_was_used VERB ID: the wrapper saw "VERB ... ID" (the peer really
# called the runtime under test for that container)
runtime_was_used() {
	grep -qE " $1( .*)? $2( |\$)" "$TD/runtime.calls" ||
		fail "the runtime under test was never called for '$1 ... $2'"
}

# runtime_root_for ID: the --root the peer gave the runtime for ID
runtime_root_for() {
	grep -E " create( .*)? $1\$" "$TD/runtime.calls" | tail -n 1 |
		grep -oE -- '--root[= ][^ ]+' | head -n 1 | sed -E 's/--root[= ]//'
}

# --- containerd -----------------------------------------------------------------

# start_containerd NAME: a containerd of our own: config, root, state and
# sockets in $TD/NAME; sets CTRD_ADDR (grpc socket) and CTRD_PID
start_containerd() {
	local name=$1 d=$TD/$1
	mkdir -p "$d"
	cat >"$d/config.toml" <<EOF
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.aufs",
  "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
  "io.containerd.snapshotter.v1.devmapper", "io.containerd.tracing.processor.v1.otlp",
  "io.containerd.internal.v1.tracing"]
[grpc]
  address = "$d/c.sock"
[ttrpc]
  address = "$d/c.sock.ttrpc"
[debug]
  level = "debug"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
EOF
	if [[ ! -e $TD/.checked-run-containerd ]]; then
		: >"$TD/.checked-run-containerd"
		[[ -d /run/containerd ]] && : >"$TD/.had-run-containerd"
	fi
	start_daemon "$name" containerd --config "$d/config.toml"
	CTRD_PID=$DAEMON_PID
	CTRD_ADDR=$d/c.sock
	wait_daemon "$name" "$CTRD_PID" ctr -a "$CTRD_ADDR" version
}
