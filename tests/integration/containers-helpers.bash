# shellcheck shell=bash
# The harness of the container tests (issue 5): every container .bats file
# does `load containers-helpers` and gets a berthd of the build tree with
# its own data-root, exec-root, socket, pidfile, daemon.json and cgroup
# parent, a local busybox:latest image (no registry, no network), and a
# teardown that leaves nothing behind (and fails the test when the engine
# left something: a mount, a live shim, a process in our cgroups).
#
# Environment:
#   BERTH_BUILD     meson build dir (default <repo>/build)
#   BERTHD BERTH    the daemon and the CLI (default: from BERTH_BUILD)
#   DOCKER          the docker CLI (default /usr/local/bin/docker, else the
#                   docker on PATH, e.g. Debian's docker.io)
#   CT_WAIT_MIN     the least time in seconds any wait (retry, wait_ctr_status)
#                   gives its condition before it fails (default 30): the counts
#                   tests pass are tuned for an idle machine, CI's is busy
#   BERTH_TEST_TMP  where per-test dirs go (default /tmp; keep it short,
#                   unix socket paths must fit in 108 bytes)
#   CT_STORAGE      storage-driver of daemon.json (default overlayfs)
#   CT_DAEMON_JSON  extra daemon.json keys as a JSON object, merged in
#
# Per test (ct_setup, the default setup):
#   D        the test's dir (removed in teardown); berthd's files under it:
#            $D/root (--data-root), $D/run (--exec-root), $D/b.sock, $D/berthd.pid,
#            $D/daemon.json, $D/berthd.log
#   SOCK     the API socket;  CGPARENT  "/berth-test-<suffix>" (daemon.json cgroup-parent)
#   BPID     berthd's pid once started (a child of the test shell: never use a
#            bare `wait`, wait for the pids you started)
# Functions:
#   start_berthd [ARGS...]   start berthd (extra daemon flags), wait for /_ping
#   stop_berthd              SIGTERM, wait, SIGKILL after 10 s
#   restart_berthd_hard      kill -9 berthd and start it again (fault tests)
#   ensure_busybox           import busybox:latest (rootfs tar made once per file)
#   ct_start_default         start_berthd + ensure_busybox (most tests)
#   b ARGS...                the berth CLI against our socket
#   dk ARGS...               the real docker CLI against our socket
#   api [CURL-ARGS...] PATH  curl --unix-socket $SOCK http://berth/PATH (-s)
#   api_status METHOD PATH [BODY]  sets STATUS and BODY (one request)
#   ctr_state REF            State.Status of a container (inspect)
#   wait_ctr_status REF STATUS [SECS]
#   berthd_log_mark, wait_berthd_log REGEX   wait for a request to reach berthd
#   wait_sig_caught REF SIGNUM  the container's init has its signal handler set
#   has_event, wait_event FILTERS-JSON  an event is in berthd's ring (attached)
#   wait_events_live FILE   an events client (output in FILE) is subscribed
#   ct_teardown              the default teardown
# From helpers.bash: retry, fail, assert_eq, assert_contains, mounts_under ...

# shellcheck source=helpers.bash
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/helpers.bash"

BERTHD=${BERTHD:-$BERTH_BUILD/cmd/berthd/berthd}
BERTH=${BERTH:-$BERTH_BUILD/cmd/berth/berth}
if [[ -z ${DOCKER:-} ]]; then
	DOCKER=/usr/local/bin/docker
	[[ -x $DOCKER ]] || DOCKER=$(command -v docker || echo /usr/local/bin/docker)
fi
CT_WAIT_MIN=${CT_WAIT_MIN:-30}
CT_STORAGE=${CT_STORAGE:-overlayfs}
BUSYBOX_PATH_ENV=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# retry N DELAY CMD...: helpers.bash's retry (CMD until it succeeds, N tries
# DELAY apart) that also keeps trying until CT_WAIT_MIN seconds have passed:
# a condition met late on a loaded machine is not a failure. Returns at the
# first success, so a passing test is not slower.
retry() {
	# _r names: CMD may be a function reading the caller's n, i, delay
	local _rn=$1 _rdelay=$2 _ri=0 _rstart=$SECONDS
	shift 2
	while ((_ri < _rn || SECONDS - _rstart < CT_WAIT_MIN)); do
		"$@" && return 0
		sleep "$_rdelay"
		_ri=$((_ri + 1))
	done
	echo "retry: gave up after $_ri tries, $((SECONDS - _rstart)) s: $*" >&2
	return 1
}

setup() { ct_setup; }
teardown() { ct_teardown; }

# ct_setup: the per-test dir, daemon.json; berthd is not started yet.
ct_setup() {
	[[ -x $BERTHD ]] || skip "berthd not built: $BERTHD"
	[[ -x $BERTH ]] || skip "berth not built: $BERTH"
	[[ -x /bin/busybox ]] || skip "busybox-static not installed"
	[[ $(id -u) -eq 0 ]] || skip "needs root (containers)"
	D=$(mktemp -d "${BERTH_TEST_TMP:-/tmp}/berth-ct.XXXXXX")
	chmod 0755 "$D"
	SOCK=$D/b.sock
	CGNAME=berth-test-${D##*.}
	CGPARENT=/$CGNAME
	BPID=
	: >"$D/.pids"
	ct_write_daemon_json
	export DOCKER_HOST=unix://$SOCK
}

# ct_write_daemon_json: $D/daemon.json from the defaults + CT_DAEMON_JSON
ct_write_daemon_json() {
	jq -n --arg cg "$CGPARENT" --arg sd "$CT_STORAGE" --argjson extra "${CT_DAEMON_JSON:-{\}}" \
		'{"cgroup-parent": $cg, "storage-driver": $sd} + $extra' >"$D/daemon.json"
}

b() { "$BERTH" -H "unix://$SOCK" "$@"; }
dk() { DOCKER_HOST=unix://$SOCK "$DOCKER" "$@"; }

# api [CURL-ARGS...] PATH: PATH is the last argument ("/containers/json")
api() {
	local path=${*: -1}
	local args=("${@:1:$#-1}")
	curl -s --max-time "${API_TIMEOUT:-60}" --unix-socket "$SOCK" "${args[@]}" "http://berth$path"
}

# api_status METHOD PATH [JSON-BODY]: STATUS (HTTP code) and BODY
api_status() {
	local method=$1 path=$2 body=${3-} out
	local args=(-X "$method" -w '\n%{http_code}')
	[[ $# -ge 3 ]] && args+=(-H 'Content-Type: application/json' --data-binary "$body")
	out=$(api "${args[@]}" "$path")
	STATUS=${out##*$'\n'}
	BODY=${out%$'\n'*}
	[[ $out == *$'\n'* ]] || BODY=
	BODY=${BODY%$'\n'} # dockerd ends JSON bodies with a newline
	echo "$method $path -> $STATUS $BODY" >&2
}

# start_berthd [ARGS...]: berthd with this test's dirs; waits for /_ping
start_berthd() {
	PATH=$BERTH_BUILD/cmd/berth-shim:$BERTH_BUILD/cmd/berth-runtime:$PATH \
		"$BERTHD" --data-root "$D/root" --exec-root "$D/run" -H "unix://$SOCK" \
		--pidfile "$D/berthd.pid" --config-file "$D/daemon.json" --debug "$@" \
		</dev/null >>"$D/berthd.log" 2>&1 &
	BPID=$!
	echo "$BPID" >>"$D/.pids"
	local t0=$SECONDS
	while ((SECONDS - t0 < CT_WAIT_MIN)); do
		curl -sf --max-time 2 --unix-socket "$SOCK" http://berth/_ping >/dev/null 2>&1 && return 0
		kill -0 "$BPID" 2>/dev/null || break
		sleep 0.05
	done
	echo "berthd did not come up; its log:" >&2
	tail -50 "$D/berthd.log" >&2
	return 1
}

# stop_berthd: SIGTERM, wait up to 10 s, SIGKILL
stop_berthd() {
	[[ -n ${BPID:-} ]] || return 0
	kill -TERM "$BPID" 2>/dev/null || true
	local i
	for i in $(seq 100); do
		kill -0 "$BPID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$BPID" 2>/dev/null; then
		echo "stop_berthd: berthd $BPID ignored SIGTERM for 10 s" >&2
		kill -KILL "$BPID" 2>/dev/null || true
	fi
	wait "$BPID" 2>/dev/null || true
	BPID=
}

# restart_berthd_hard [ARGS...]: kill -9 berthd (the shims live on) and start it again
restart_berthd_hard() {
	if [[ -n ${BPID:-} ]]; then
		kill -KILL "$BPID" 2>/dev/null || true
		wait "$BPID" 2>/dev/null || true
		BPID=
	fi
	start_berthd "$@"
}

# the busybox rootfs tar, made once per file (mkrootfs.sh: busybox-static,
# every applet, /etc/passwd and group, the probe helper)
ct_busybox_tar() {
	local dir=${BATS_FILE_TMPDIR:-$(_run_tmp)}
	BUSYBOX_TAR=$dir/busybox-rootfs.tar
	[[ -s $BUSYBOX_TAR ]] && return 0
	find_helpers || return 1
	ensure_rootfs_cache || return 1
	tar -C "$ROOTFS_CACHE" --exclude=./.complete --sort=name --owner=0 --group=0 \
		-cf "$BUSYBOX_TAR.tmp" . && mv "$BUSYBOX_TAR.tmp" "$BUSYBOX_TAR"
}

# ensure_busybox [NAME]: import the rootfs as NAME (default busybox:latest)
# with docker busybox's config (Cmd ["sh"], PATH)
ensure_busybox() {
	local name=${1:-busybox:latest}
	ct_busybox_tar || return 1
	b import -c 'CMD ["sh"]' -c "ENV PATH=$BUSYBOX_PATH_ENV" "$BUSYBOX_TAR" "$name" >/dev/null ||
		{ echo "import of $name failed" >&2; return 1; }
}

ct_start_default() {
	start_berthd "$@" && ensure_busybox
}

# mk NAME [CMD-JSON] [EXTRA-JSON]: POST /containers/create; prints the id
mk() {
	local name=$1 cmd=${2:-'["sleep","1000"]'} extra=${3:-'{}'} body
	body=$(jq -nc --argjson cmd "$cmd" --argjson x "$extra" '{Image: "busybox", Cmd: $cmd} + $x')
	api_status POST "/containers/create?name=$name" "$body"
	[[ $STATUS == 201 ]] || { fail "create $name: $STATUS $BODY"; return 1; }
	jq -r .Id <<<"$BODY"
}

# run_ctr NAME [CMD-JSON] [EXTRA-JSON]: create + start; prints the id
run_ctr() {
	local id
	id=$(mk "$@") || return 1
	api_status POST "/containers/$id/start"
	[[ $STATUS == 204 ]] || { fail "start $1: $STATUS $BODY"; return 1; }
	echo "$id"
}

# ctr_inspect REF [JQ]: a field of GET /containers/REF/json
ctr_inspect() { api "/containers/$1/json" | jq -r "${2:-.}"; }
ctr_state() { ctr_inspect "$1" .State.Status; }
ctr_id() { ctr_inspect "$1" .Id; }

# wait_ctr_status REF STATUS [SECS]
wait_ctr_status() {
	local ref=$1 want=$2 secs=${3:-20} i st=
	((secs >= CT_WAIT_MIN)) || secs=$CT_WAIT_MIN
	for ((i = 0; i < secs * 20; i++)); do
		st=$(ctr_state "$ref" 2>/dev/null)
		[[ $st == "$want" ]] && return 0
		sleep 0.05
	done
	fail "container $ref: status '$st', expected '$want' within ${secs}s"
}

# sig_caught PID SIGNUM: the process has a handler for the signal (SigCgt)
sig_caught() {
	local m
	m=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status" 2>/dev/null) && [[ -n $m ]] &&
		(((16#$m >> ($2 - 1)) & 1))
}

# wait_sig_caught REF SIGNUM: the container's init has set its handler for
# SIGNUM (`trap ... USR1` in its shell). A signal that comes first finds a
# pid 1 without a handler and is dropped: started is not ready.
wait_sig_caught() {
	local pid
	pid=$(ctr_inspect "$1" .State.Pid)
	retry 100 0.1 sig_caught "$pid" "$2" || fail "container $1 (pid $pid): no handler for signal $2"
}

# has_event FILTERS-JSON: berthd's events (replayed from its ring, up to now)
# have one that matches FILTERS, e.g. '{"container":["x"],"event":["attach"]}'
has_event() {
	local f
	f=$(jq -rn --arg f "$1" '$f|@uri')
	[[ -n $(API_TIMEOUT=10 api "/events?since=0&until=$(date +%s.%N)&filters=$f") ]]
}

# wait_event FILTERS-JSON: wait until has_event. berthd publishes "attach" once
# the attach relays the container's output (after a ?logs replay): a client
# is attached then, where its routing in berthd.log (wait_berthd_log) is only
# the start of it.
wait_event() { retry 100 0.1 has_event "$1" || fail "no event $1"; }

# wait_events_live FILE: the events client writing FILE (started after
# berthd_log_mark; its filters let container create events through) is
# subscribed. berthd logs its GET as it routes it, a moment before it
# subscribes: containers evprobe-N are created (never started) until the
# create of one shows in FILE.
wait_events_live() {
	local f=$1 i t
	wait_berthd_log 'api: GET [^ ]*/events' || return 1
	for ((i = 1; i <= 20; i++)); do
		mk "evprobe-$i" '["true"]' >/dev/null || return 1
		for ((t = 0; t < 30; t++)); do
			grep -q "evprobe-$i" "$f" && return 0
			sleep 0.1
		done
	done
	fail "the events client writing $f never showed a create: $(cat "$f")"
}

# berthd_log_mark: remember where berthd.log ends now (for wait_berthd_log)
berthd_log_mark() { BLOG_MARK=$(wc -l <"$D/berthd.log"); }
berthd_log_has() { tail -n +"$((${BLOG_MARK:-0} + 1))" "$D/berthd.log" | grep -qE "$1"; }
# wait_berthd_log REGEX: a line matching REGEX (grep -E) in berthd.log after
# the mark. berthd --debug logs "api: METHOD URL" as it routes a request: a
# client's request is in once that line is (no fixed sleep for slow clients)
wait_berthd_log() { retry 100 0.1 berthd_log_has "$1" || fail "no '$1' in berthd.log"; }

# the directories named CGNAME in any cgroup hierarchy, deepest first
ct_cgroup_dirs() {
	[[ -n ${CGNAME:-} ]] || return 0
	find /sys/fs/cgroup -mindepth 1 -maxdepth 6 -type d -path "*/$CGNAME*" 2>/dev/null |
		awk '{ print length($0) " " $0 }' | sort -rn | cut -d' ' -f2-
}

# the pids of processes whose command line names a path under $D, or whose
# environment has DOCKER_HOST on our socket (a CLI started in a subshell, as
# `b ... &` or `dk ... &` are, whose pid the test never had), but this shell
ct_procs_naming_dir() {
	local f pid args
	for f in /proc/[0-9]*/cmdline; do
		pid=${f#/proc/}
		pid=${pid%/cmdline}
		[[ $pid == "$$" || $pid == "$BASHPID" ]] && continue
		mapfile -d '' args 2>/dev/null <"$f" || continue
		if [[ "${args[*]}" == *"$D/"* ]]; then
			echo "$pid"
			continue
		fi
		mapfile -d '' args 2>/dev/null <"/proc/$pid/environ" || continue
		[[ " ${args[*]} " == *" DOCKER_HOST=unix://$D/"* ]] && echo "$pid"
	done
	return 0
}

# the pids of live shims (from <exec-root>/shims/*/*/shim.pid)
ct_live_shims() {
	local f pid
	[[ -d $D/run ]] || return 0
	while IFS= read -r f; do
		pid=$(cat "$f" 2>/dev/null) || continue
		[[ $pid =~ ^[0-9]+$ ]] || continue
		kill -0 "$pid" 2>/dev/null && echo "$pid"
	done < <(find "$D/run" -name shim.pid -type f 2>/dev/null)
}

ct_teardown() {
	[[ -n ${D:-} && -d $D ]] || return 0
	local rc=0 ids id pid m left
	# every container, removed through the API (force), while berthd runs
	if [[ -n ${BPID:-} ]] && kill -0 "$BPID" 2>/dev/null; then
		ids=$(API_TIMEOUT=20 api '/containers/json?all=1' | jq -r '.[].Id' 2>/dev/null)
		for id in $ids; do
			API_TIMEOUT=30 api -X DELETE -o /dev/null "/containers/$id?force=1&v=1" ||
				{ echo "teardown: DELETE $id failed" >&2; rc=1; }
		done
	fi
	# other processes the test started (background CLIs), before berthd's
	# stop: berthd drains requests in flight (an events or stats stream of
	# such a client) for up to shutdown-timeout before it stops
	while read -r pid; do
		[[ -n $pid && $pid != "${BPID:-}" ]] || continue
		kill -KILL "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	done <"$D/.pids"
	stop_berthd
	# no live shim may be left: kill it by pid and fail
	for pid in $(ct_live_shims); do
		echo "teardown: shim $pid still alive (killed)" >&2
		kill -KILL "$pid" 2>/dev/null || true
		rc=1
	done
	# anything else still naming our dir: it may hold bats' output open, and
	# then the whole run hangs after the last test (seen: `b stats &` whose $!
	# was the subshell, not berth)
	for pid in $(ct_procs_naming_dir); do
		echo "teardown: process $pid left: $(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-120) (killed)" >&2
		kill -KILL "$pid" 2>/dev/null || true
		rc=1
	done
	# processes in our cgroups are ours (containers that outlived their
	# shim): kill them by pid, then remove the cgroup dirs
	for m in $(ct_cgroup_dirs); do
		for pid in $(cat "$m/cgroup.procs" 2>/dev/null); do
			echo "teardown: process $pid left in $m (killed)" >&2
			kill -KILL "$pid" 2>/dev/null || true
			rc=1
		done
		[[ -e $m/freezer.state ]] && echo THAWED >"$m/freezer.state" 2>/dev/null
		[[ -e $m/cgroup.freeze ]] && echo 0 >"$m/cgroup.freeze" 2>/dev/null
	done
	for m in $(ct_cgroup_dirs); do
		retry 50 0.1 rmdir "$m" 2>/dev/null || { echo "teardown: cannot remove $m" >&2; rc=1; }
	done
	# mounts under our dirs are leaks of the engine
	left=$(mounts_under "$D" | sort -r)
	if [[ -n $left ]]; then
		echo "teardown: mounts left under $D:" >&2
		echo "$left" >&2
		for m in $left; do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
		rc=1
	fi
	if [[ $rc -ne 0 ]]; then
		echo "--- berthd.log (tail)" >&2
		tail -40 "$D/berthd.log" >&2 2>/dev/null
	fi
	if [[ -z $(mounts_under "$D") ]]; then
		rm -rf --one-file-system "$D"
	fi
	return $rc
}
