#!/usr/bin/env bash
# Benchmark of image pulls from a local docker-registry: berthd, containerd
# (`ctr images pull --plain-http`, which unpacks) and dockerd, in one run, plus
# a 1-layer image against plain `tar -xzf` + sync, plus the daemons' memory.
#
# Usage: bench/pull/run.sh [-n RUNS]     (default 3 timed runs per daemon)
#
# Three comparisons, each a median of RUNS:
#   1. multi: a 5-layer image (~300 MB gzip, ~47k entries, from this host's
#      Debian files: BENCH_LAYERS), pull + unpack + sync with each daemon;
#   2. one: a 1-layer image (layer BENCH_ONE_LAYER of the above), berthd's
#      pull + sync against `tar -xzf <the same blob>` + sync into a fresh
#      directory on the same filesystem;
#   3. memory: VmRSS, Pss and private (smaps_rollup) of each daemon idle after
#      start and again idle after one pull (dockerd's include its containerd).
# The layers are made deterministically (sorted, mtime 0, uid/gid 0, gzip -n)
# and cached as an OCI layout in BENCH_CACHE, so a rerun starts at once.
# Each timed run starts the daemon on a fresh root (own --root, exec-root,
# socket, pid file under a temp dir) and stops it by PID. Needs no internet.
# Must run as root. See bench/README.md.
#
# Environment (all optional):
#   BERTH_BUILD      meson build dir (default <repo>/build): cmd/berthd/berthd, cmd/berth/berth
#   DAEMONS          which to run, in order (default "berthd containerd dockerd")
#   BENCH_LAYERS     one layer per ';'-separated group of directories (default: see below)
#   BENCH_ONE_LAYER  which of them (1-based) is the 1-layer image (default 1)
#   BENCH_CACHE      where the generated OCI layout is kept (default /var/tmp/berth-bench-pull-cache)
#   BENCH_TMP        where the temp dir goes (default /var/tmp; also where tar -x writes)
#   SCENARIOS        which comparisons (default "multi one"); memory is read in both
#   BENCH_SETTLE     seconds to wait after removing a run's tree (default 6): ext4
#                    without a journal skips inodes freed in the last ~5 s when it
#                    allocates, which would slow whichever run comes next
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)
BERTH_BUILD=${BERTH_BUILD:-$REPO_ROOT/build}
BERTHD=$BERTH_BUILD/cmd/berthd/berthd
BERTH=$BERTH_BUILD/cmd/berth/berth
DAEMONS=${DAEMONS-berthd containerd dockerd}
# man pages (many small files), C headers, package docs, translations, gcc's
# binaries: 25k + 9k + 6k + 4k + 3k entries here
BENCH_LAYERS=${BENCH_LAYERS:-/usr/share/man;/usr/include;/usr/share/doc;/usr/share/locale;/usr/lib/gcc}
BENCH_ONE_LAYER=${BENCH_ONE_LAYER:-1}
BENCH_CACHE=${BENCH_CACHE:-/var/tmp/berth-bench-pull-cache}
SCENARIOS=${SCENARIOS-multi one}
SETTLE=${BENCH_SETTLE:-6}
RUNS=3

# shellcheck source=../lib/common.sh
. "$SCRIPT_DIR/../lib/common.sh"

while [[ $# -gt 0 ]]; do
	case $1 in
	-n | --runs) RUNS=$2; shift 2 ;;
	-h | --help) sed -n '2,34p' "$0"; exit 0 ;;
	*) die "unknown argument $1" ;;
	esac
done
[[ $(id -u) -eq 0 ]] || die "must run as root"
for c in docker-registry skopeo jq curl bc; do command -v $c >/dev/null || die "$c not installed"; done

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


# "VmRSS Pss Private VmHWM" in KiB of a process and its children (dockerd's
# containerd): Pss counts each shared page divided by the number of processes
# mapping it, the honest figure for shared libraries; private = pages no other
# process maps (Private_Clean + Private_Dirty).
mem_one() {
	local p=$1
	{
		awk '/^VmRSS:/ {r=$2} /^VmHWM:/ {h=$2} END {print r+0, h+0}' "/proc/$p/status" 2>/dev/null || echo 0 0
		awk '/^Pss:/ {s=$2} /^Private_(Clean|Dirty):/ {v+=$2} END {print s+0, v+0}' \
			"/proc/$p/smaps_rollup" 2>/dev/null || echo 0 0
	} | tr '\n' ' ' | awk '{print $1, $3, $4, $2}'
}
mem_tree() {
	local p=$1 c
	{
		mem_one "$p"
		for c in $(pgrep -P "$p" || true); do mem_one "$c"; done
	} | awk '{a+=$1; b+=$2; c+=$3; d+=$4} END {print a, b, c, d}'
}

mib() { echo "scale=1; $1 / 1024" | bc -l; }

# ---- image (cached OCI layout) ----------------------------------------------

# the cache key: the layer spec and the list of files with sizes and mtimes,
# so a changed host (package upgrade) makes a new layout
IFS=';' read -r -a GROUPS_ <<<"$BENCH_LAYERS"
key=$({
	echo "v1 $BENCH_LAYERS $BENCH_ONE_LAYER"
	for g in "${GROUPS_[@]}"; do
		# shellcheck disable=SC2086
		find $g -xdev -printf '%p %s %T@\n' 2>/dev/null | LC_ALL=C sort
	done
} | sha256sum | cut -c1-16)
L=$BENCH_CACHE/$key
if [[ ! -f $L/done ]]; then
	log "making the image in $L (once; later runs reuse it)"
	rm -rf "$L"
	mkdir -p "$L/blobs/sha256"
	echo '{"imageLayoutVersion":"1.0.0"}' >"$L/oci-layout"
	: >"$L/layers"
	for g in "${GROUPS_[@]}"; do
		rel=()
		for d in $g; do [[ -e $d ]] && rel+=("${d#/}"); done
		[[ ${#rel[@]} -gt 0 ]] || die "layer '$g': none of these exist"
		tar -C / --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --one-file-system \
			-cf "$L/l.tar" "${rel[@]}"
		n=$(tar -tf "$L/l.tar" | wc -l)
		diff=$(sha256sum <"$L/l.tar" | cut -d' ' -f1)
		gzip -n -6 -c "$L/l.tar" >"$L/l.tgz"
		h=$(sha256sum <"$L/l.tgz" | cut -d' ' -f1)
		s=$(stat -c %s "$L/l.tgz")
		mv "$L/l.tgz" "$L/blobs/sha256/$h"
		echo "$h $s $diff $n $g" >>"$L/layers"
	done
	rm -f "$L/l.tar"
	# manifest NAME LAYER-LINES...: writes the config and manifest, prints "digest size"
	manifest() {
		local name=$1 diffs layers ch mh
		shift
		diffs=$(printf '%s\n' "$@" | awk '{print "sha256:" $3}' | jq -R . | jq -s .)
		layers=$(printf '%s\n' "$@" | awk '{print "sha256:" $1, $2}' | jq -R 'split(" ") |
			{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: .[0], size: (.[1] | tonumber)}' | jq -s .)
		jq -n --argjson d "$diffs" --arg n "$name" '{architecture: "amd64", os: "linux",
			config: {Cmd: ["sh"], Labels: {bench: $n}}, rootfs: {type: "layers", diff_ids: $d}}' >"$L/c.json"
		ch=$(sha256sum <"$L/c.json" | cut -d' ' -f1)
		jq -n --arg c "sha256:$ch" --argjson cs "$(stat -c %s "$L/c.json")" --argjson l "$layers" \
			'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
			  config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
			  layers: $l}' >"$L/m.json"
		mv "$L/c.json" "$L/blobs/sha256/$ch"
		mh=$(sha256sum <"$L/m.json" | cut -d' ' -f1)
		echo "sha256:$mh $(stat -c %s "$L/m.json")"
		mv "$L/m.json" "$L/blobs/sha256/$mh"
	}
	mapfile -t all <"$L/layers"
	read -r md ms < <(manifest multi "${all[@]}")
	read -r od os < <(manifest one "${all[BENCH_ONE_LAYER - 1]}")
	jq -n --arg md "$md" --argjson ms "$ms" --arg od "$od" --argjson os "$os" \
		'{schemaVersion: 2, manifests: [
		  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $md, size: $ms,
		   annotations: {"org.opencontainers.image.ref.name": "multi"}},
		  {mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $od, size: $os,
		   annotations: {"org.opencontainers.image.ref.name": "one"}}]}' >"$L/index.json"
	touch "$L/done"
fi
mapfile -t LAYERS <"$L/layers"
multi_mb=$(printf '%s\n' "${LAYERS[@]}" | awk '{s+=$2} END {printf "%d", s/1000000}')
multi_n=$(printf '%s\n' "${LAYERS[@]}" | awk '{s+=$4} END {print s}')
read -r one_blob one_size _ one_n one_dirs <<<"${LAYERS[BENCH_ONE_LAYER - 1]}"
one_mb=$((one_size / 1000000))
log "image multi: ${#LAYERS[@]} layers, $multi_mb MB gzip, $multi_n entries"
log "image one: layer $BENCH_ONE_LAYER ($one_dirs), $one_mb MB gzip, $one_n entries"

# ---- registry --------------------------------------------------------------

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
REG=127.0.0.1:$port
mkdir -p "$W/reg"
printf 'version: 0.1\nlog: {level: error}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: %s}\n' \
	"$W/reg/data" "$REG" >"$W/reg/config.yml"
docker-registry serve "$W/reg/config.yml" >"$W/reg/log" 2>&1 &
PIDS+=("$!")
for _ in $(seq 100); do curl -s -o /dev/null "http://$REG/v2/" && break; sleep 0.1; done
for t in multi one; do
	skopeo copy --quiet --dest-tls-verify=false "oci:$L:$t" "docker://$REG/bench/$t:latest"
done

# ---- daemons ---------------------------------------------------------------

# each start_X sets DPID (the daemon) and PULL (the command, the image appended)
start_berthd() {
	local r=$W/run-berthd
	mkdir -p "$r"
	echo '{}' >"$r/daemon.json"
	"$BERTHD" --root "$r/root" --exec-root "$r/exec" -H "unix://$r/sock" \
		--config-file "$r/daemon.json" >"$r/log" 2>&1 &
	DPID=$!
	wait_sock "$r/sock"
	PULL=("$BERTH" -H "unix://$r/sock" pull -q)
}

start_containerd() {
	local r=$W/run-containerd
	mkdir -p "$r"
	printf 'version = 2\nroot = "%s"\nstate = "%s"\n[grpc]\n  address = "%s"\n' \
		"$r/root" "$r/state" "$r/sock" >"$r/config.toml"
	containerd -c "$r/config.toml" >"$r/log" 2>&1 &
	DPID=$!
	wait_sock "$r/sock"
	PULL=(ctr -a "$r/sock" -n bench images pull --plain-http)
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
	PULL=(docker -H "unix://$r/sock" pull -q)
}

have() {
	case $1 in
	berthd) [[ -x $BERTHD && -x $BERTH ]] || { log "skip berthd: not built in $BERTH_BUILD"; return 1; } ;;
	containerd) command -v containerd >/dev/null && command -v ctr >/dev/null || { log "skip containerd: not installed"; return 1; } ;;
	dockerd) command -v dockerd >/dev/null && command -v docker >/dev/null || { log "skip dockerd: not installed"; return 1; } ;;
	esac
}

# results: T[scn,who] = newline-separated times; M[who,idle|pulled,field] = samples
declare -A T M
add() { T[$1]+="$2"$'\n'; }
addmem() { # who when "vmrss pss private hwm"
	local f v i=0
	for v in $3; do
		f=(vmrss pss private hwm)
		M[$1,$2,${f[i]}]+="$v"$'\n'
		i=$((i + 1))
	done
}

# one timed pull of IMAGE with daemon DMN on a fresh root; memory idle and after
pull_run() {
	local dmn=$1 img=$2 scn=$3 t0 t1
	"start_$dmn"
	sleep 1.5
	addmem "$dmn" idle "$(mem_tree "$DPID")"
	sync
	t0=$(now)
	"${PULL[@]}" "$img" >"$W/pull.out" 2>&1 || { cat "$W/pull.out" >&2; die "$dmn: pull of $img failed"; }
	sync
	t1=$(now)
	add "$scn,$dmn" "$(echo "$t1 - $t0" | bc -l)"
	sleep 1
	addmem "$dmn" pulled "$(mem_tree "$DPID")"
	stop_pid "$DPID"
	unmount_under "$W/run-$dmn"
	rm -rf --one-file-system "$W/run-$dmn"
	sync
	sleep "$SETTLE"
	log "$scn $dmn run: $(echo "$t1 - $t0" | bc -l | cut -c1-6) s"
}

tar_run() {
	local d=$W/tar t0 t1
	sync
	t0=$(now)
	mkdir "$d"
	tar -xzf "$L/blobs/sha256/$one_blob" -C "$d"
	sync
	t1=$(now)
	add "one,tar" "$(echo "$t1 - $t0" | bc -l)"
	rm -rf --one-file-system "$d"
	sync
	sleep "$SETTLE"
	log "one tar run: $(echo "$t1 - $t0" | bc -l | cut -c1-6) s"
}

for scn in $SCENARIOS; do
	case $scn in
	multi)
		for dmn in $DAEMONS; do
			have "$dmn" || continue
			for _ in $(seq "$RUNS"); do pull_run "$dmn" "$REG/bench/multi:latest" multi; done
		done
		;;
	one)
		for _ in $(seq "$RUNS"); do
			have berthd && pull_run berthd "$REG/bench/one:latest" one
			tar_run
		done
		;;
	*) die "unknown scenario $scn" ;;
	esac
done

med() { printf '%s' "${T[$1]:-}" | median; }
ratio() {
	if [[ -n ${T[$2]:-} && -n ${T[$1]:-} ]]; then
		printf '%.2f' "$(echo "$(med "$1") / $(med "$2")" | bc -l)"
	else
		echo -
	fi
}

if [[ " $SCENARIOS " == *" multi "* ]]; then
	printf '\n== multi: pull + unpack + sync, %d layers, %d MB gzip, %d entries, median of %d\n' \
		"${#LAYERS[@]}" "$multi_mb" "$multi_n" "$RUNS"
	printf '%-11s %9s %8s %13s\n' daemon "median s" "MB/s" "time/berthd"
	for dmn in $DAEMONS; do
		[[ -n ${T[multi,$dmn]:-} ]] || continue
		printf '%-11s %9.2f %8.1f %13s\n' "$dmn" "$(med "multi,$dmn")" \
			"$(echo "$multi_mb / $(med "multi,$dmn")" | bc -l)" "$(ratio "multi,$dmn" multi,berthd)"
	done
	echo "goal: containerd's time / berthd's >= 1.5"
fi
if [[ " $SCENARIOS " == *" one "* ]]; then
	printf '\n== one: 1 layer (%s), %d MB gzip, %d entries, median of %d\n' \
		"$one_dirs" "$one_mb" "$one_n" "$RUNS"
	printf '%-24s %9s %8s\n' what "median s" "x tar"
	[[ -n ${T[one,berthd]:-} ]] && printf '%-24s %9.2f %8s\n' "berthd pull + sync" \
		"$(med one,berthd)" "$(ratio one,berthd one,tar)"
	printf '%-24s %9.2f %8s\n' "tar -xzf + sync" "$(med one,tar)" 1.00
	echo "goal: berthd / tar <= 1.05"
fi
printf '\n== memory (MiB, median over the runs): idle 1.5 s after start, and idle 1 s after a pull\n'
printf '%-11s %8s %8s %8s %10s %10s %10s %8s\n' daemon "VmRSS" "Pss" private "VmRSS" "Pss" private "VmHWM"
printf '%-11s %26s %32s %8s\n' "" "---------- idle ----------" "------- after pull -------" "peak"
for dmn in $DAEMONS; do
	[[ -n ${M[$dmn,idle,vmrss]:-} ]] || continue
	vals=()
	for w in idle pulled; do
		for f in vmrss pss private; do vals+=("$(mib "$(printf '%s' "${M[$dmn,$w,$f]}" | median)")"); done
	done
	printf '%-11s %8s %8s %8s %10s %10s %10s %8s\n' "$dmn" "${vals[@]}" \
		"$(mib "$(printf '%s' "${M[$dmn,pulled,hwm]}" | sort -g | tail -1)")"
done
echo "(dockerd's figures include the containerd it starts; goal: berthd idle VmRSS <= 8 MiB)"
