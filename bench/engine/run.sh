#!/bin/bash
# Engine benchmark: berthd (+ berth-shim + berth-runtime) against dockerd
# (+ its containerd, containerd-shim-runc-v2, runc) and podman (+ conmon,
# crun), in one run, each with its own root, on a local busybox image
# (imported from busybox-static: no registry, no internet).
#
#   e2e     median wall time of `run --rm --network none busybox true`
#           (and, as the floor, crun's bare `run` of the same rootfs: of a minimal
#           `crun spec` bundle, and of the very config.json berthd generates)
#   cycle   sequential `run -d --network none busybox sleep 600` N times, then
#           `rm -f` of them: containers per second for each phase
#   memory  100 sleeping containers: private memory (Private_Clean +
#           Private_Dirty, from smaps_rollup) and RSS of the engine side —
#           berthd + shims; dockerd + containerd + shims; podman's conmons —
#           idle and with the containers, and the cost per container
#
#   bench/engine/run.sh [-n RUNS] [-c CONTAINERS]
#
# Environment: ENGINES (default "berth docker podman"), BERTH_BUILD (default
# <repo>/build), BENCH_TMP (default /var/tmp), BENCH_CGROUP_FIX=0 (never mount
# the v1 hugetlb hierarchy crun needs on this hybrid layout). Must run as root. Prints a
# table; nothing is asserted.
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$SCRIPT_DIR/../.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$REPO/build}
ENGINES=${ENGINES-berth docker podman}
RUNS=20
NCTR=100
CYCLE=${CYCLE:-30}

# shellcheck source=../lib/common.sh
. "$SCRIPT_DIR/../lib/common.sh"
while [[ $# -gt 0 ]]; do
	case $1 in
	-n) RUNS=$2; shift 2 ;;
	-c) NCTR=$2; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done
[[ $(id -u) -eq 0 ]] || die "must run as root"
for c in jq bc; do command -v $c >/dev/null || die "$c not installed"; done

W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/berth-bench-engine.XXXXXX")
DPIDS=()
cleanup() {
	local p
	for e in $ENGINES; do rm_all "$e" >/dev/null 2>&1 || true; done
	for p in "${DPIDS[@]}"; do stop_pid "$p" 150; done
	{ grep -o " $W/[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do
		umount -l "$m" 2>/dev/null || true
	done
	rmdir /sys/fs/cgroup/*/berth-bench-$$ 2>/dev/null || true
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap "exit 130" INT TERM

# "private rss" in KiB summed over the given pids
mem_pids() {
	local p
	for p in "$@"; do
		awk '/^Rss:/ {r=$2} /^Private_(Clean|Dirty):/ {v+=$2} END {print v+0, r+0}' \
			"/proc/$p/smaps_rollup" 2>/dev/null || true
	done | awk '{a+=$1; b+=$2} END {print a+0, b+0}'
}
# the processes of one program (regex on the command line) that belong to
# this run (their command line names a path under $W)
pids_of() { pgrep -f "$1.*$W" || true; }

# ---- the image and the engines -----------------------------------------------

"$REPO/tests/fixtures/mkrootfs.sh" "$W/rootfs" >/dev/null
tar -C "$W/rootfs" -cf "$W/busybox.tar" .

start_berth() {
	local r=$W/berth
	mkdir -p "$r"
	echo "{\"cgroup-parent\": \"/berth-bench-$$\"}" >"$r/daemon.json"
	"$BERTH_BUILD/cmd/berthd/berthd" --data-root "$r/root" --exec-root "$r/exec" \
		-H "unix://$r/sock" --config-file "$r/daemon.json" >"$r/log" 2>&1 &
	DPIDS+=($!)
	BERTHD_PID=$!
	wait_sock "$r/sock" || die "berthd did not start: $(tail -3 "$r/log")"
	CLI_berth=("$BERTH_BUILD/cmd/berth/berth" -H "unix://$r/sock")
	"${CLI_berth[@]}" import "$W/busybox.tar" busybox:latest >/dev/null
}
start_docker() {
	local r=$W/docker
	mkdir -p "$r"
	echo '{}' >"$r/daemon.json"
	dockerd --data-root "$r/root" --exec-root "$r/exec" -H "unix://$r/sock" \
		--pidfile "$r/pid" --bridge=none --iptables=false --storage-driver overlay2 \
		--config-file "$r/daemon.json" >"$r/log" 2>&1 &
	DPIDS+=($!)
	DOCKERD_PID=$!
	wait_sock "$r/sock" || die "dockerd did not start"
	CLI_docker=(docker -H "unix://$r/sock")
	for _ in $(seq 100); do "${CLI_docker[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
	"${CLI_docker[@]}" import "$W/busybox.tar" busybox:latest >/dev/null
}
start_podman() {
	local r=$W/podman
	mkdir -p "$r"
	# podman (root) asks for nofile/nproc 1048576, above this machine's hard
	# limits without CAP_SYS_RESOURCE, and lowers its own nproc to 32768
	local nproc
	nproc=$(ulimit -Hu)
	[[ $nproc == unlimited || $nproc -gt 32768 ]] && nproc=32768
	printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n' \
		"$(ulimit -Hn)" "$(ulimit -Hn)" "$nproc" "$nproc" >"$r/containers.conf"
	export CONTAINERS_CONF=$r/containers.conf
	CLI_podman=(podman --root "$r/root" --runroot "$r/run" --cgroup-manager cgroupfs
		--events-backend file --storage-driver overlay)
	"${CLI_podman[@]}" import "$W/busybox.tar" localhost/busybox:latest >/dev/null
}
have() {
	case $1 in
	berth) [[ -x $BERTH_BUILD/cmd/berthd/berthd ]] || { log "skip berth: not built in $BERTH_BUILD"; return 1; } ;;
	docker) command -v dockerd >/dev/null && command -v docker >/dev/null || { log "skip docker: not installed"; return 1; } ;;
	podman) command -v podman >/dev/null || { log "skip podman: not installed"; return 1; } ;;
	esac
}
cli() { # engine args...
	local e=$1
	shift
	local -n c=CLI_$e
	"${c[@]}" "$@"
}
image() { [[ $1 == podman ]] && echo localhost/busybox:latest || echo busybox:latest; }
rm_all() {
	local ids
	ids=$(cli "$1" ps -aq 2>/dev/null || true)
	[[ -z $ids ]] || cli "$1" rm -f $ids >/dev/null 2>&1 || true
}
# the engine side's processes, after the containers started
engine_pids() {
	case $1 in
	berth) echo "$BERTHD_PID"; pids_of berth-shim ;;
	docker) echo "$DOCKERD_PID"; pgrep -P "$DOCKERD_PID" || true; pids_of containerd-shim-runc-v2 ;;
	podman) pids_of conmon ;;
	esac
}

CGROUP_FIX=${BENCH_CGROUP_FIX:-1}
# shellcheck source=../lib/cgroup-fixup.sh
. "$SCRIPT_DIR/../lib/cgroup-fixup.sh"
# podman runs crun, and crun's bare run is the floor of the e2e comparison
if [[ " $ENGINES " == *" podman "* ]] || command -v crun >/dev/null; then cgroup_fixup; fi

ACTIVE=()
for e in $ENGINES; do
	have "$e" || continue
	"start_$e"
	ACTIVE+=("$e")
done
[[ ${#ACTIVE[@]} -gt 0 ]] || die "no engine to measure"

declare -A R

# ---- e2e ---------------------------------------------------------------------
for e in "${ACTIVE[@]}"; do
	cli "$e" run --rm --network none "$(image "$e")" true # warm-up
	for _ in $(seq "$RUNS"); do
		t0=$(now)
		cli "$e" run --rm --network none "$(image "$e")" true
		echo "$(now) - $t0" | bc -l
	done | median >"$W/e2e.$e"
	R[e2e,$e]=$(cat "$W/e2e.$e")
done
if command -v crun >/dev/null; then
	mkdir -p "$W/bundle"
	cp -a "$W/rootfs" "$W/bundle/rootfs"
	(cd "$W/bundle" && crun spec && jq '.process.terminal=false | .process.args=["/bin/true"]' config.json >c && mv c config.json)
	for i in $(seq "$RUNS"); do
		t0=$(now)
		crun --root "$W/crun-state" run --bundle "$W/bundle" "bench-$$-$i" >/dev/null
		echo "$(now) - $t0" | bc -l
	done | median >"$W/e2e.crun"
	R[e2e,crun]=$(cat "$W/e2e.crun")
fi
# crun on the bundle berthd itself generates for `run --network none busybox`
# (docker's seccomp profile, caps, masked paths, /dev/shm, hostname/hosts/
# resolv.conf binds, cgroupsPath): the issue's "bare run of the same bundle"
crun_berth_bundle() {
	local id sd i
	id=$(cli berth run -d --network none busybox sleep 600)
	sd=$W/berth/exec/shims/default/$id
	mkdir -p "$W/bbundle"
	cp -a "$W/rootfs" "$W/bbundle/rootfs"
	jq --arg cg "/berth-bench-$$/crun" '.process.terminal=false | .process.args=["/bin/true"]
		| .root.path="rootfs" | .linux.cgroupsPath=$cg' "$sd/config.json" >"$W/bbundle/config.json"
	crun --root "$W/crun-state" run --bundle "$W/bbundle" "bench-$$-b0" >/dev/null # warm-up
	for i in $(seq "$RUNS"); do
		t0=$(now)
		crun --root "$W/crun-state" run --bundle "$W/bbundle" "bench-$$-b$i" >/dev/null
		echo "$(now) - $t0" | bc -l
	done | median >"$W/e2e.crun_same"
	R[e2e,crun_same]=$(cat "$W/e2e.crun_same")
	cli berth rm -f "$id" >/dev/null
}
if command -v crun >/dev/null && [[ " ${ACTIVE[*]} " == *" berth "* ]]; then
	crun_berth_bundle || log "crun on berthd's bundle failed"
fi

# ---- cycle -------------------------------------------------------------------
for e in "${ACTIVE[@]}"; do
	t0=$(now)
	for i in $(seq "$CYCLE"); do cli "$e" run -d --network none "$(image "$e")" sleep 600 >/dev/null; done
	t1=$(now)
	rm_all "$e"
	t2=$(now)
	R[run_d,$e]=$(echo "$CYCLE / ($t1 - $t0)" | bc -l)
	R[rm_f,$e]=$(echo "$CYCLE / ($t2 - $t1)" | bc -l)
done

# ---- memory ------------------------------------------------------------------
for e in "${ACTIVE[@]}"; do
	read -r p0 r0 < <(mem_pids $(engine_pids "$e"))
	for i in $(seq "$NCTR"); do cli "$e" run -d --network none "$(image "$e")" sleep 600 >/dev/null; done
	sleep 2
	read -r p1 r1 < <(mem_pids $(engine_pids "$e"))
	R[idle_priv,$e]=$p0
	R[idle_rss,$e]=$r0
	R[full_priv,$e]=$p1
	R[full_rss,$e]=$r1
	case $e in
	berth) read -r sp sr < <(mem_pids $(pids_of berth-shim | head -1)) ;;
	docker) read -r sp sr < <(mem_pids $(pids_of containerd-shim-runc-v2 | head -1)) ;;
	podman) read -r sp sr < <(mem_pids $(pids_of conmon | head -1)) ;;
	esac
	R[shim_priv,$e]=$sp
	R[shim_rss,$e]=$sr
	rm_all "$e"
done

# ---- report ------------------------------------------------------------------
f2() { printf '%.2f' "$1"; }
mib() { printf '%.1f' "$(echo "$1 / 1024" | bc -l)"; }
echo
echo "engine benchmark: $RUNS runs (e2e), $CYCLE containers (cycle), $NCTR sleeping containers (memory)"
printf '%-8s %10s %10s %10s %12s %12s %12s %12s %12s\n' engine e2e_ms run-d/s rm-f/s \
	idle_priv full_priv per_ctr shim_priv shim_rss
for e in "${ACTIVE[@]}"; do
	printf '%-8s %10s %10s %10s %12s %12s %12s %12s %12s\n' "$e" \
		"$(f2 "$(echo "${R[e2e,$e]} * 1000" | bc -l)")" "$(f2 "${R[run_d,$e]}")" "$(f2 "${R[rm_f,$e]}")" \
		"$(mib "${R[idle_priv,$e]}")M" "$(mib "${R[full_priv,$e]}")M" \
		"$(mib "$(echo "(${R[full_priv,$e]} - ${R[idle_priv,$e]}) / $NCTR" | bc -l)")M" \
		"$(mib "${R[shim_priv,$e]}")M" "$(mib "${R[shim_rss,$e]}")M"
done
[[ -n ${R[e2e,crun]:-} ]] && printf 'crun bare run of a minimal bundle (crun spec) of the same rootfs: %s ms\n' "$(f2 "$(echo "${R[e2e,crun]} * 1000" | bc -l)")"
[[ -n ${R[e2e,crun_same]:-} ]] && printf 'crun bare run of the bundle berthd generates (same config.json): %s ms\n' "$(f2 "$(echo "${R[e2e,crun_same]} * 1000" | bc -l)")"
if [[ -n ${R[e2e,berth]:-} ]]; then
	echo "ratios (berth / peer), e2e:"
	for e in "${ACTIVE[@]}" crun crun_same; do
		[[ $e == berth || -z ${R[e2e,$e]:-} ]] && continue
		printf '  berth/%s %s\n' "$e" "$(f2 "$(echo "${R[e2e,berth]} / ${R[e2e,$e]}" | bc -l)")"
	done
	printf 'berth: %s containers: berthd + shims RSS %s MiB\n' "$NCTR" "$(mib "${R[full_rss,berth]}")"
fi
