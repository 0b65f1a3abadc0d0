#!/usr/bin/env bash
# Benchmark of image pulls from a local docker-registry: berthd, containerd
# (`ctr images pull --plain-http`, which unpacks) and dockerd, in one run.
#
# Usage: bench/pull/run.sh [-n RUNS]     (default 3 timed runs per daemon)
#
# The image is made here: one gzip layer per directory of BENCH_DIRS (copied
# from this host), as an OCI layout copied into the registry with skopeo.
# Each timed run starts the daemon on a fresh root (own --root, exec-root,
# socket, pid file under a temp dir), times `pull` + `sync` with the image
# absent, reads the daemon's peak RSS (VmHWM) and stops the daemon by PID.
# Prints the median per daemon, ratios against berthd, idle and peak RSS.
# Must run as root. See bench/README.md.
#
# Environment (all optional):
#   BERTH_BUILD   meson build dir (default <repo>/build): cmd/berthd/berthd, cmd/berth/berth
#   DAEMONS       which to run, in order (default "berthd containerd dockerd")
#   BENCH_DIRS    directories that become the layers (default: see below)
#   BENCH_TMP     where the temp dir goes (default /var/tmp)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$REPO_ROOT/build}
BERTHD=$BERTH_BUILD/cmd/berthd/berthd
BERTH=$BERTH_BUILD/cmd/berth/berth
DAEMONS=${DAEMONS:-berthd containerd dockerd}
BENCH_DIRS=${BENCH_DIRS:-/usr/lib/python3 /usr/share/doc /usr/share/locale /usr/include /usr/share/perl}
RUNS=3

log() { printf '%s\n' "$*" >&2; }
die() {
	log "run.sh: error: $*"
	exit 1
}

while [[ $# -gt 0 ]]; do
	case $1 in
	-n | --runs) RUNS=$2; shift 2 ;;
	-h | --help) sed -n '2,20p' "$0"; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done
[[ $(id -u) -eq 0 ]] || die "must run as root"
for c in docker-registry skopeo jq curl; do command -v $c >/dev/null || die "$c not installed"; done

W=$(mktemp -d "${BENCH_TMP:-/var/tmp}/berth-bench-pull.XXXXXX")
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do stop_pid "$p"; done
	unmount_under "$W"
	rm -rf --one-file-system "$W"
}
trap cleanup EXIT
trap "exit 130" INT TERM

unmount_under() {
	local m
	{ grep -o " $1/[^ ]*" /proc/self/mountinfo || true; } | sort -r | while read -r m; do
		umount -l "$m" || true
	done
}

stop_pid() {
	local p=$1
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}

now() { date +%s.%N; }
hwm() { awk '/VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
rss() { awk '/VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
wait_sock() {
	for _ in $(seq 600); do [[ -S $1 ]] && return 0; sleep 0.05; done
	return 1
}

# ---- registry and image ---------------------------------------------------

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG=127.0.0.1:$port
mkdir -p "$W/reg"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
	"$W/reg/data" "$REG" >"$W/reg/config.yml"
docker-registry serve "$W/reg/config.yml" >"$W/reg/log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do curl -s -o /dev/null "http://$REG/v2/" && break; sleep 0.1; done

L=$W/layout
mkdir -p "$L/blobs/sha256"
echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
layers=() diffs=() total=0 files=0
for d in $BENCH_DIRS; do
	[[ -d $d ]] || continue
	tar -C / -cf "$W/l.tar" "${d#/}"
	files=$((files + $(tar -tf "$W/l.tar" | wc -l)))
	diffs+=("sha256:$(sha256sum "$W/l.tar" | cut -d' ' -f1)")
	gzip -n -c "$W/l.tar" >"$W/l.tgz"
	h=$(sha256sum "$W/l.tgz" | cut -d' ' -f1)
	s=$(stat -c %s "$W/l.tgz")
	total=$((total + s))
	mv "$W/l.tgz" "$L/blobs/sha256/$h"
	layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$h\",\"size\":$s}")
done
rm -f "$W/l.tar"
[[ ${#layers[@]} -gt 0 ]] || die "no layer directories in BENCH_DIRS"
printf '%s\n' "${diffs[@]}" | jq -R . | jq -s '{architecture: "amd64", os: "linux",
	config: {Cmd: ["sh"]}, rootfs: {type: "layers", diff_ids: .}}' >"$W/config.json"
ch=$(sha256sum "$W/config.json" | cut -d' ' -f1)
cp "$W/config.json" "$L/blobs/sha256/$ch"
printf '%s\n' "${layers[@]}" | jq -s --arg c "sha256:$ch" --argjson cs "$(stat -c %s "$W/config.json")" \
	'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
	  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
	  layers: .}' >"$W/manifest.json"
mh=$(sha256sum "$W/manifest.json" | cut -d' ' -f1)
cp "$W/manifest.json" "$L/blobs/sha256/$mh"
jq -n --arg d "sha256:$mh" --argjson s "$(stat -c %s "$W/manifest.json")" \
	'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
	  digest: $d, size: $s, annotations: {"org.opencontainers.image.ref.name": "latest"}}]}' >"$L/index.json"
skopeo copy --quiet --dest-tls-verify=false "oci:$L:latest" "docker://$REG/bench/img:latest"
IMG=$REG/bench/img:latest
log "image: ${#layers[@]} layers, $((total / 1000000)) MB gzip, $files entries ($BENCH_DIRS)"

# ---- one run per daemon ----------------------------------------------------

# each start_X sets DPID (the daemon) and PULL (the command to time)
start_berthd() {
	local r=$W/run-berthd
	mkdir -p "$r"
	echo '{}' >"$r/daemon.json"
	"$BERTHD" --root "$r/root" --exec-root "$r/exec" -H "unix://$r/sock" \
		--config-file "$r/daemon.json" >"$r/log" 2>&1 &
	DPID=$!
	wait_sock "$r/sock"
	PULL=("$BERTH" -H "unix://$r/sock" pull -q "$IMG")
}

start_containerd() {
	local r=$W/run-containerd
	mkdir -p "$r"
	printf 'version = 2\nroot = "%s"\nstate = "%s"\n[grpc]\n  address = "%s"\n' \
		"$r/root" "$r/state" "$r/sock" >"$r/config.toml"
	containerd -c "$r/config.toml" >"$r/log" 2>&1 &
	DPID=$!
	wait_sock "$r/sock"
	PULL=(ctr -a "$r/sock" -n bench images pull --plain-http "$IMG")
}

start_dockerd() {
	local r=$W/run-dockerd
	mkdir -p "$r"
	echo '{}' >"$r/daemon.json"
	dockerd --data-root "$r/root" --exec-root "$r/exec" -H "unix://$r/sock" \
		--pidfile "$r/pid" --bridge=none --iptables=false --storage-driver overlay2 \
		--config-file "$r/daemon.json" >"$r/log" 2>&1 &
	DPID=$!
	wait_sock "$r/sock"
	for _ in $(seq 100); do docker -H "unix://$r/sock" version >/dev/null 2>&1 && break; sleep 0.1; done
	PULL=(docker -H "unix://$r/sock" pull -q "$IMG")
}

# children's peak RSS too (dockerd's containerd)
tree_hwm() {
	local p=$1 sum c
	sum=$(hwm "$p")
	for c in $(pgrep -P "$p" || true); do sum=$((sum + $(hwm "$c"))); done
	echo "$sum"
}

tree_rss() {
	local p=$1 sum c
	sum=$(rss "$p")
	for c in $(pgrep -P "$p" || true); do sum=$((sum + $(rss "$c"))); done
	echo "$sum"
}

median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

declare -A MED IDLE PEAK
for dmn in $DAEMONS; do
	case $dmn in
	berthd) [[ -x $BERTHD && -x $BERTH ]] || { log "skip berthd: not built in $BERTH_BUILD"; continue; } ;;
	containerd) command -v containerd >/dev/null && command -v ctr >/dev/null || { log "skip containerd"; continue; } ;;
	dockerd) command -v dockerd >/dev/null && command -v docker >/dev/null || { log "skip dockerd"; continue; } ;;
	esac
	times=() idle=0 peak=0
	for i in $(seq "$RUNS"); do
		"start_$dmn"
		sleep 1
		idle=$(tree_rss "$DPID")
		t0=$(now)
		"${PULL[@]}" >"$W/pull.out" 2>&1 || { cat "$W/pull.out" >&2; die "$dmn: pull failed"; }
		sync
		t1=$(now)
		times+=("$(echo "$t1 - $t0" | bc -l)")
		p=$(tree_hwm "$DPID")
		((p > peak)) && peak=$p
		stop_pid "$DPID"
		unmount_under "$W/run-$dmn"
		rm -rf --one-file-system "$W/run-$dmn"
		log "$dmn run $i: ${times[-1]} s"
	done
	MED[$dmn]=$(printf '%s\n' "${times[@]}" | median)
	IDLE[$dmn]=$idle
	PEAK[$dmn]=$peak
done

printf '\n%-11s %10s %9s %12s %12s\n' daemon "median s" "vs berthd" "idle RSS MiB" "peak RSS MiB"
for dmn in $DAEMONS; do
	[[ -n ${MED[$dmn]:-} ]] || continue
	ratio=-
	[[ -n ${MED[berthd]:-} ]] && ratio=$(echo "scale=2; ${MED[$dmn]} / ${MED[berthd]}" | bc -l)
	printf '%-11s %10.2f %9s %12.1f %12.1f\n' "$dmn" "${MED[$dmn]}" "$ratio" \
		"$(echo "${IDLE[$dmn]} / 1024" | bc -l)" "$(echo "${PEAK[$dmn]} / 1024" | bc -l)"
done
echo "(pull + sync of $IMG, image absent, ${#layers[@]} layers, $((total / 1000000)) MB gzip, median of $RUNS; RSS of dockerd includes its containerd)"
