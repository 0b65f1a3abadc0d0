#!/usr/bin/env bash
# Start-up benchmark for OCI runtimes: berth-runtime, crun and runc.
#
# Usage: bench/runtime/run.sh [ITERATIONS]      (default 200)
#
# Times `RT --root <tmp root> run --bundle <busybox bundle> <id>` running
# /bin/true with hyperfine, measures the peak RSS with /usr/bin/time -f %M,
# prints a table and writes JSON to bench/runtime/results/<date>.json.
# See bench/README.md. Must run as root.
#
# Environment (all optional):
#   BERTH_BUILD        meson build dir holding cmd/berth-runtime/berth-runtime
#                      (default: <repo>/build)
#   BERTH_RUNTIME      path of the berth-runtime binary (overrides BERTH_BUILD)
#   RUNTIMES           runtimes to try, in order (default "berth-runtime crun runc")
#   WARMUP             hyperfine warmup runs per runtime (default 10)
#   RSS_RUNS           runs under /usr/bin/time per runtime (default 5)
#   BENCH_RESULTS_DIR  where the JSON goes (default bench/runtime/results)
#   BENCH_CGROUP_FIX   0 = never mount the v1 hugetlb hierarchy crun needs here
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

ITERATIONS=${1:-200}
WARMUP=${WARMUP:-10}
RSS_RUNS=${RSS_RUNS:-5}
RUNTIMES=${RUNTIMES:-"berth-runtime crun runc"}
BERTH_BUILD=${BERTH_BUILD:-$REPO_ROOT/build}
BERTH_RUNTIME=${BERTH_RUNTIME:-$BERTH_BUILD/cmd/berth-runtime/berth-runtime}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$SCRIPT_DIR/results}
CGROUP_FIX=${BENCH_CGROUP_FIX:-1}
CT_ID="bench-$$"

log() { printf '%s\n' "$*" >&2; }
die() { log "run.sh: error: $*"; exit 1; }

for v in ITERATIONS WARMUP RSS_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
((ITERATIONS >= 2)) || die "ITERATIONS must be at least 2"
[[ $(id -u) == 0 ]] || die "must run as root (the runtimes are run rootful)"
for tool in hyperfine jq; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install $tool)"
done

# ---------------------------------------------------------------- temp + cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
BUNDLE=$WORK/bundle
declare -A RT_PATH=() # name -> binary, for every runtime we touched

cleanup() {
    local rc=$? name bin root id
    trap - EXIT INT TERM
    for name in "${!RT_PATH[@]}"; do
        bin=${RT_PATH[$name]}
        root=$WORK/root-$name
        [[ -d $root ]] || continue
        # Our id first, then whatever else the runtime still lists in our root.
        "$bin" --root "$root" delete --force "$CT_ID" >/dev/null 2>&1 || true
        while read -r id; do
            [[ -n $id ]] || continue
            log "cleanup: deleting leftover $name container '$id'"
            "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
        done < <("$bin" --root "$root" list -q 2>/dev/null || true)
    done
    rm -rf -- "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Quote one word for hyperfine's shell-words splitting (used with -N).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# ---------------------------------------------------------------- bundle
build_bundle() {
    local bb applet spec_rt
    bb=$(readlink -f /bin/busybox 2>/dev/null || true)
    [[ -x $bb ]] || die "/bin/busybox not found (apt-get install busybox-static)"
    if file_out=$(file -L "$bb" 2>/dev/null) && [[ $file_out != *static* ]]; then
        die "/bin/busybox is not statically linked (apt-get install busybox-static)"
    fi
    mkdir -p "$BUNDLE/rootfs/bin" "$BUNDLE/rootfs/etc"
    cp "$bb" "$BUNDLE/rootfs/bin/busybox"
    while read -r applet; do
        [[ -n $applet && $applet != busybox ]] || continue
        ln -s busybox "$BUNDLE/rootfs/bin/$applet"
    done < <("$BUNDLE/rootfs/bin/busybox" --list)
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$BUNDLE/rootfs/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$BUNDLE/rootfs/etc/group"

    spec_rt=runc
    command -v runc >/dev/null || spec_rt=crun
    command -v "$spec_rt" >/dev/null || die "need runc (or crun) for 'spec'"
    (cd "$BUNDLE" && "$spec_rt" spec)
    jq '.process.terminal = false | .process.args = ["/bin/true"]' \
        "$BUNDLE/config.json" >"$BUNDLE/config.json.new"
    mv "$BUNDLE/config.json.new" "$BUNDLE/config.json"
    log "bundle: $BUNDLE (busybox $("$bb" 2>&1 | head -1 | awk '{print $2}'), config from '$spec_rt spec')"
}

# ---------------------------------------------------------------- cgroup fix-up
# crun 1.8 refuses the "hybrid" layout where a controller (here hugetlb) is on
# the cgroup2 mount at /sys/fs/cgroup/unified and all others are v1. Mounting
# a v1 hugetlb hierarchy moves hugetlb off cgroup2. Only that one mount, only
# on that layout; it is left mounted.
CGROUP_NOTE="not needed"
cgroup_fixup() {
    local mp=/sys/fs/cgroup/hugetlb
    if [[ $CGROUP_FIX == 0 ]]; then
        CGROUP_NOTE="disabled (BENCH_CGROUP_FIX=0)"
    elif mountpoint -q "$mp" 2>/dev/null; then
        CGROUP_NOTE="$mp already a mountpoint"
    elif [[ $(stat -f -c %T /sys/fs/cgroup 2>/dev/null) != tmpfs ]] ||
        ! mountpoint -q /sys/fs/cgroup/unified 2>/dev/null ||
        [[ $(stat -f -c %T /sys/fs/cgroup/unified) != cgroup2fs ]]; then
        CGROUP_NOTE="not the hybrid v1+/sys/fs/cgroup/unified layout; cgroups left alone"
    elif ! grep -qw hugetlb /sys/fs/cgroup/unified/cgroup.controllers 2>/dev/null; then
        CGROUP_NOTE="hugetlb not on cgroup2; cgroups left alone"
    else
        log "cgroup: hugetlb is on cgroup2 (/sys/fs/cgroup/unified), all else v1: crun refuses that."
        log "cgroup: running: mkdir -p $mp && mount -t cgroup -o hugetlb cgroup $mp"
        if mkdir -p "$mp" && mount -t cgroup -o hugetlb cgroup "$mp"; then
            CGROUP_NOTE="mounted v1 hugetlb at $mp (left mounted)"
        else
            CGROUP_NOTE="mount of v1 hugetlb at $mp FAILED"
        fi
    fi
    log "cgroup: $CGROUP_NOTE"
}

# ---------------------------------------------------------------- runtimes
resolve_runtime() { # name -> path on stdout, or a reason on stderr + return 1
    local name=$1 p
    case $name in
    berth-runtime)
        if [[ -x $BERTH_RUNTIME ]]; then
            echo "$BERTH_RUNTIME"
        else
            echo "not built: $BERTH_RUNTIME missing (build with meson/ninja, or set BERTH_BUILD)" >&2
            return 1
        fi
        ;;
    *)
        if p=$(command -v "$name"); then
            echo "$p"
        else
            echo "not installed ($name not in PATH)" >&2
            return 1
        fi
        ;;
    esac
}

# Run /bin/true once; must exit 0, and the container must be gone afterwards
# (so one fixed id is reused for every hyperfine run). Sets NEED_PREPARE=1 when
# the runtime leaves state behind, so hyperfine deletes it between runs.
sanity_check() {
    local name=$1 bin=$2 root=$3 out i
    NEED_PREPARE=0
    for i in 1 2; do
        if ! out=$("$bin" --root "$root" run --bundle "$BUNDLE" "$CT_ID" 2>&1 </dev/null); then
            SKIP_REASON="'run' failed (attempt $i): ${out:-no output}"
            return 1
        fi
        if "$bin" --root "$root" state "$CT_ID" >/dev/null 2>&1; then
            ((NEED_PREPARE)) || log "$name: WARNING: container '$CT_ID' still exists after" \
                "'run' exited; deleting it before every timed run (not timed)"
            NEED_PREPARE=1
            "$bin" --root "$root" delete --force "$CT_ID" >/dev/null 2>&1 || true
        fi
    done
    log "$name: sanity ok: 'run' of /bin/true exits 0 twice with the same id" \
        "$( ((NEED_PREPARE)) && echo "(with delete in between)" || echo "(container removed on exit)")"
}

measure_rss() { # prints the samples (KiB), one per line
    local bin=$1 root=$2 i f=$WORK/time.out
    for ((i = 0; i < RSS_RUNS; i++)); do
        "$bin" --root "$root" delete --force "$CT_ID" >/dev/null 2>&1 || true
        /usr/bin/time -f %M -o "$f" "$bin" --root "$root" run --bundle "$BUNDLE" "$CT_ID" \
            </dev/null >/dev/null 2>&1 || die "$bin run failed under /usr/bin/time"
        tail -n 1 "$f"
    done
}

ensure_time() {
    [[ -x /usr/bin/time ]] && return 0
    ((RSS_RUNS > 0)) || return 0
    log "/usr/bin/time missing: installing Debian package 'time'"
    if command -v apt-get >/dev/null &&
        { DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null 2>&1 ||
            { apt-get update -q >/dev/null 2>&1 &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -q time >/dev/null 2>&1; }; }; then
        log "installed 'time'"
    else
        log "could not install 'time': peak RSS will be null"
    fi
}

# ---------------------------------------------------------------- main
HF_SHELL=()
if hyperfine --help 2>&1 | grep -qE '^\s*-N\b'; then
    HF_SHELL=(-N)
elif hyperfine --help 2>&1 | grep -q -- '--shell'; then
    HF_SHELL=(--shell=none)
else
    log "hyperfine has no --shell=none: timing through a shell (hyperfine subtracts its cost)"
fi

ensure_time
build_bundle

declare -a AVAILABLE=()
SKIPPED_JSON='[]'
skip() { # name reason
    log "SKIP $1: $2"
    SKIPPED_JSON=$(jq -c --arg n "$1" --arg r "$2" '. + [{name: $n, reason: $r}]' <<<"$SKIPPED_JSON")
}
for name in $RUNTIMES; do
    if bin=$(resolve_runtime "$name" 2>"$WORK/why"); then
        RT_PATH[$name]=$bin
        AVAILABLE+=("$name")
    else
        skip "$name" "$(cat "$WORK/why")"
    fi
done
((${#AVAILABLE[@]})) || die "no runtime available"
[[ -n ${RT_PATH[crun]:-} ]] && cgroup_fixup

RESULTS='[]'
for name in "${AVAILABLE[@]}"; do
    bin=${RT_PATH[$name]}
    root=$WORK/root-$name
    mkdir -p "$root"
    version=$("$bin" --version 2>&1 | head -n 1 || true)
    log ""
    log "=== $name: $bin ($version)"
    SKIP_REASON=
    if ! sanity_check "$name" "$bin" "$root"; then
        skip "$name" "$SKIP_REASON"
        continue
    fi

    cmd="$(q "$bin") --root $(q "$root") run --bundle $(q "$BUNDLE") $CT_ID"
    hf=(hyperfine "${HF_SHELL[@]}" --style basic --time-unit millisecond
        --warmup "$WARMUP" --runs "$ITERATIONS" --command-name "$name"
        --export-json "$WORK/hf-$name.json")
    if ((NEED_PREPARE)); then
        # sh -c so that "no such container" does not abort hyperfine.
        hf+=(--prepare "sh -c $(q "$(q "$bin") --root $(q "$root") delete --force $CT_ID >/dev/null 2>&1 || true")")
    fi
    log "timing: $cmd  (${ITERATIONS} runs, ${WARMUP} warmup)"
    if ! "${hf[@]}" "$cmd" </dev/null >&2; then
        skip "$name" "hyperfine failed (a timed run exited non-zero?)"
        continue
    fi

    rss_json='[]'
    if [[ -x /usr/bin/time ]] && ((RSS_RUNS > 0)); then
        rss_json=$(measure_rss "$bin" "$root" | jq -s -c 'map(tonumber)')
        log "peak RSS samples (KiB): $(jq -r 'join(" ")' <<<"$rss_json")"
    fi

    RESULTS=$(jq -c \
        --arg name "$name" --arg path "$bin" --arg version "$version" --arg cmd "$cmd" \
        --argjson rss "$rss_json" --argjson prep "$NEED_PREPARE" \
        --slurpfile hf "$WORK/hf-$name.json" '
        ($hf[0].results[0]) as $r
        | def ms: . * 1000000 | round / 1000;
          . + [{
            name: $name, path: $path, version: $version, command: $cmd,
            deleted_between_runs: ($prep == 1),
            runs: ($r.times | length),
            median_ms: ($r.median | ms), mean_ms: ($r.mean | ms),
            stddev_ms: (($r.stddev // 0) | ms), min_ms: ($r.min | ms), max_ms: ($r.max | ms),
            user_ms: ($r.user | ms), system_ms: ($r.system | ms),
            peak_rss_kib: (if ($rss | length) > 0 then ($rss | max) else null end),
            rss_samples_kib: $rss,
            times_ms: [$r.times[] | ms]
          }]' <<<"$RESULTS")
done

# Ratios of each median to crun's and runc's (null when that one is missing).
RESULTS=$(jq -c '
    (map({key: .name, value: .median_ms}) | from_entries) as $m
    | def ratio($ref): if $m[$ref] then (.median_ms / $m[$ref] * 1000 | round / 1000) else null end;
      map(. + {median_vs_crun: ratio("crun"), median_vs_runc: ratio("runc")})' <<<"$RESULTS")

# ---------------------------------------------------------------- report
log ""
fmt='%-14s %9s %9s %8s %8s %8s %13s %7s %7s\n'
num() { [[ $1 == - ]] && echo - || printf "%.${2}f" "$1"; }
# shellcheck disable=SC2059
printf "$fmt" runtime "median ms" "mean ms" stddev min max "peak RSS KiB" "x crun" "x runc"
jq -r '.[] | [.name, .median_ms, .mean_ms, .stddev_ms, .min_ms, .max_ms,
             (.peak_rss_kib // "-"), (.median_vs_crun // "-"), (.median_vs_runc // "-")]
           | map(tostring) | @tsv' <<<"$RESULTS" |
    while IFS=$'\t' read -r n med mean sd lo hi rss rc rr; do
        # shellcheck disable=SC2059
        printf "$fmt" "$n" "$(num "$med" 2)" "$(num "$mean" 2)" "$(num "$sd" 2)" \
            "$(num "$lo" 2)" "$(num "$hi" 2)" "$rss" "$(num "$rc" 2)" "$(num "$rr" 2)"
    done
jq -r '.[] | "skipped: \(.name): \(.reason)"' <<<"$SKIPPED_JSON"

mkdir -p "$RESULTS_DIR"
out=$RESULTS_DIR/$(date -u +%Y-%m-%dT%H%M%SZ).json
jq -n \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg kernel "$(uname -sr)" \
    --arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    --argjson nproc "$(nproc)" \
    --arg hyperfine "$(hyperfine --version)" \
    --arg cgroup "$CGROUP_NOTE" \
    --argjson iterations "$ITERATIONS" --argjson warmup "$WARMUP" --argjson rss_runs "$RSS_RUNS" \
    --argjson results "$RESULTS" --argjson skipped "$SKIPPED_JSON" '{
        schema: 1, date: $date,
        host: {kernel: $kernel, cpu: $cpu, nproc: $nproc},
        hyperfine: $hyperfine, iterations: $iterations, warmup: $warmup, rss_runs: $rss_runs,
        workload: "run --bundle <busybox bundle> of /bin/true, default runc spec namespaces",
        cgroup_fixup: $cgroup,
        results: $results, skipped: $skipped
    }' >"$out"
log "results: $out"
