#!/usr/bin/env bash
# Benchmark of OCI runtimes: berth-runtime, crun and runc, in one run.
#
# Usage: bench/runtime/run.sh [--scenarios LIST] [-n ITERATIONS | ITERATIONS]
#
#   --scenarios LIST   comma-separated, any of run,exec,limits (default: all three)
#   -n, --iterations N timed runs per runtime and scenario (default 200)
#
# Scenarios (each runtime gets its own --root, bundle and absolute cgroupsPath):
#   run     `RT run --bundle B ID` of /bin/true, default `runc spec` namespaces
#   exec    `RT exec ID /bin/true` into one long-running (sleep) container
#   limits  `run` of /bin/true with memory.limit 256 MiB, pids.limit 128 and the
#           Docker-like default seccomp profile tests/fixtures/seccomp/default.json
#           (skipped when that file is missing); checked once to be applied
#
# Times with hyperfine -N, measures the peak RSS with /usr/bin/time -f %M,
# prints a table per scenario and a summary of ratios, and writes JSON to
# bench/runtime/results/<date>.json. See bench/README.md. Must run as root.
#
# Environment (all optional):
#   BERTH_BUILD        meson build dir holding cmd/berth-runtime/berth-runtime
#                      (default: <repo>/build)
#   BERTH_RUNTIME      path of the berth-runtime binary (overrides BERTH_BUILD)
#   RUNTIMES           runtimes to try, in order (default "berth-runtime crun runc")
#   SCENARIOS          default for --scenarios
#   WARMUP             hyperfine warmup runs per runtime and scenario (default 10)
#   RSS_RUNS           runs under /usr/bin/time per runtime and scenario (default 5)
#   BENCH_RESULTS_DIR  where the JSON goes (default bench/runtime/results)
#   BENCH_CGROUP_FIX   0 = never mount the v1 hugetlb hierarchy crun needs here
#   BENCH_SECCOMP      seccomp profile for `limits` (default
#                      <repo>/tests/fixtures/seccomp/default.json)
set -euo pipefail

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$SCRIPT_DIR/../.." && pwd)

log() { printf '%s\n' "$*" >&2; }
die() {
    log "run.sh: error: $*"
    exit 1
}
usage() { sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"; }

ITERATIONS=200
SCENARIOS=${SCENARIOS:-run,exec,limits}
iter_given=0
while (($#)); do
    case $1 in
    --scenarios | -n | --iterations)
        (($# >= 2)) || die "$1 needs a value"
        set -- "$1=$2" "${@:3}"
        continue
        ;;
    --scenarios=*) SCENARIOS=${1#*=} ;;
    -n=* | --iterations=* | [0-9]*)
        ((!iter_given)) || die "iteration count given twice ('$1')"
        ITERATIONS=${1#*=} iter_given=1
        ;;
    -h | --help) usage && exit 0 ;;
    *) die "unknown argument '$1' (see --help)" ;;
    esac
    shift
done

WARMUP=${WARMUP:-10}
RSS_RUNS=${RSS_RUNS:-5}
RUNTIMES=${RUNTIMES:-"berth-runtime crun runc"}
BERTH_BUILD=${BERTH_BUILD:-$REPO_ROOT/build}
BERTH_RUNTIME=${BERTH_RUNTIME:-$BERTH_BUILD/cmd/berth-runtime/berth-runtime}
RESULTS_DIR=${BENCH_RESULTS_DIR:-$SCRIPT_DIR/results}
CGROUP_FIX=${BENCH_CGROUP_FIX:-1}
SECCOMP_PROFILE=${BENCH_SECCOMP:-$REPO_ROOT/tests/fixtures/seccomp/default.json}
LIMIT_MEMORY=$((256 * 1024 * 1024))
LIMIT_PIDS=128

for v in ITERATIONS WARMUP RSS_RUNS; do
    [[ ${!v} =~ ^[0-9]+$ ]] || die "$v must be a non-negative integer, got '${!v}'"
done
((ITERATIONS >= 2)) || die "ITERATIONS must be at least 2"

declare -a SCEN_LIST=()
IFS=, read -r -a _scen <<<"$SCENARIOS"
for s in "${_scen[@]}"; do
    s=${s// /}
    [[ -n $s ]] || continue
    case $s in run | exec | limits) ;; *) die "unknown scenario '$s' (known: run, exec, limits)" ;; esac
    [[ " ${SCEN_LIST[*]} " == *" $s "* ]] || SCEN_LIST+=("$s")
done
((${#SCEN_LIST[@]})) || die "no scenario given"

[[ $(id -u) == 0 ]] || die "must run as root (the runtimes are run rootful)"
for tool in hyperfine jq; do
    command -v "$tool" >/dev/null || die "$tool not found (apt-get install $tool)"
done

# ---------------------------------------------------------------- temp + cleanup
WORK=$(mktemp -d "${TMPDIR:-/tmp}/berth-bench.XXXXXX")
ROOTFS=$WORK/rootfs
BASE_CONFIG=$WORK/base.json
declare -A RT_PATH=()   # name -> binary, for every runtime we touched
declare -a CGROUPS=()   # every cgroupsPath we put in a config.json (all /berth-bench-*-$$-*)

# Mount points (with root /) of every cgroup v1 hierarchy and the cgroup2 mount.
cgroup_mounts() {
    awk '{ for (i = 7; i <= NF && $i != "-"; i++); if (($(i+1) == "cgroup" || $(i+1) == "cgroup2") && $4 == "/") print $5 }' \
        /proc/self/mountinfo
}

# Remove one of our cgroups (and anything a runtime made below it) from every
# hierarchy. A process still in it can only be one of our containers: it is
# killed by pid before the rmdir. Prints what was left behind, if anything.
remove_cgroup() {
    local cg=$1 mnt dir d pid n procs
    [[ $cg == /berth-bench-*-"$$"-* ]] || return 0 # never anything else
    while read -r mnt; do
        dir=$mnt$cg
        [[ -d $dir ]] || continue
        echo "$dir"
        for n in 1 2 3 4 5; do
            while read -r d; do
                procs=$(cat "$d/cgroup.procs" 2>/dev/null || true) # (stat says size 0)
                if [[ -n $procs ]]; then
                    for pid in $procs; do kill -KILL "$pid" 2>/dev/null || true; done
                    sleep 0.1
                fi
                rmdir "$d" 2>/dev/null || true
            done < <(find "$dir" -depth -type d 2>/dev/null)
            [[ -d $dir ]] || break
            sleep 0.2
        done
        [[ ! -d $dir ]] || log "cleanup: WARNING: could not remove $dir"
    done < <(cgroup_mounts)
}

cleanup() {
    local rc=$? name bin root id cg left
    trap '' INT TERM # a second Ctrl-C must not cut the clean-up short
    trap - EXIT
    for name in "${!RT_PATH[@]}"; do
        bin=${RT_PATH[$name]}
        root=$WORK/root-$name
        [[ -d $root ]] || continue
        while read -r id; do
            [[ -n $id ]] || continue
            log "cleanup: deleting leftover $name container '$id'"
            "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
        done < <("$bin" --root "$root" list -q 2>/dev/null || true)
    done
    for cg in "${CGROUPS[@]}"; do
        left=$(remove_cgroup "$cg")
        [[ -z $left ]] || log "cleanup: removed leftover cgroup $cg ($(wc -l <<<"$left") hierarchies)"
    done
    rm -rf -- "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Quote one word for hyperfine's shell-words splitting (used with -N).
q() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# ---------------------------------------------------------------- rootfs + configs
build_base() {
    local bb applet spec_rt
    bb=$(readlink -f /bin/busybox 2>/dev/null || true)
    [[ -x $bb ]] || die "/bin/busybox not found (apt-get install busybox-static)"
    if file_out=$(file -L "$bb" 2>/dev/null) && [[ $file_out != *static* ]]; then
        die "/bin/busybox is not statically linked (apt-get install busybox-static)"
    fi
    mkdir -p "$ROOTFS/bin" "$ROOTFS/etc"
    cp "$bb" "$ROOTFS/bin/busybox"
    while read -r applet; do
        [[ -n $applet && $applet != busybox ]] || continue
        ln -s busybox "$ROOTFS/bin/$applet"
    done < <("$ROOTFS/bin/busybox" --list)
    printf '%s\n' 'root:x:0:0:root:/root:/bin/sh' \
        'nobody:x:65534:65534:nobody:/nonexistent:/bin/false' >"$ROOTFS/etc/passwd"
    printf '%s\n' 'root:x:0:' 'nogroup:x:65534:' >"$ROOTFS/etc/group"

    spec_rt=runc
    command -v runc >/dev/null || spec_rt=crun
    command -v "$spec_rt" >/dev/null || die "need runc (or crun) for 'spec'"
    mkdir -p "$WORK/spec"
    (cd "$WORK/spec" && "$spec_rt" spec)
    # One rootfs (read-only, as runc spec has it) shared by every bundle.
    jq --arg rootfs "$ROOTFS" '.process.terminal = false | .root.path = $rootfs' \
        "$WORK/spec/config.json" >"$BASE_CONFIG"
    log "rootfs: $ROOTFS (busybox $("$bb" 2>&1 | head -1 | awk '{print $2}'), config from '$spec_rt spec')"
}

# make_bundle DIR CGROUPS_PATH LIMITS(0|1) ARG...: DIR/config.json from the base
# config with process.args = ARG..., linux.cgroupsPath, and, with LIMITS=1, the
# memory/pids limits and the seccomp profile.
make_bundle() {
    local dir=$1 cg=$2 limits=$3
    shift 3
    mkdir -p "$dir"
    [[ " ${CGROUPS[*]} " == *" $cg "* ]] || CGROUPS+=("$cg")
    jq --arg cg "$cg" --argjson limits "$limits" --args '
        .process.args = $ARGS.positional | .linux.cgroupsPath = $cg' "$@" <"$BASE_CONFIG" >"$dir/config.json"
    if ((limits)); then
        jq --slurpfile sc "$SECCOMP_PROFILE" --argjson mem "$LIMIT_MEMORY" --argjson pids "$LIMIT_PIDS" '
            .linux.resources.memory = {limit: $mem}
            | .linux.resources.pids = {limit: $pids}
            | .linux.seccomp = $sc[0]' "$dir/config.json" >"$dir/config.json.new"
        mv "$dir/config.json.new" "$dir/config.json"
    fi
}
# ---------------------------------------------------------------- cgroup fix-up
# shellcheck source=../lib/cgroup-fixup.sh
. "$SCRIPT_DIR/../lib/cgroup-fixup.sh"

# cgroup_of PID CONTROLLER: "<dir> <path> v1|v2" of the process's cgroup that
# holds CONTROLLER: its v1 hierarchy if the controller is on v1, else cgroup2.
cgroup_of() {
    local pid=$1 ctrl=$2 hier ctrls path mnt
    while IFS=: read -r hier ctrls path; do
        [[ $hier != 0 && ,$ctrls, == *,"$ctrl",* ]] || continue
        mnt=$(awk -v c="$ctrl" '{ for (i = 7; i <= NF && $i != "-"; i++);
                if ($(i+1) == "cgroup" && $4 == "/" && ("," $(i+3) ",") ~ ("," c ",")) { print $5; exit } }' \
            /proc/self/mountinfo)
        [[ -n $mnt ]] || return 1
        echo "$mnt${path%/} ${path} v1"
        return 0
    done <"/proc/$pid/cgroup"
    path=$(awk -F: '$1 == "0" { print $3 }' "/proc/$pid/cgroup")
    mnt=$(awk '{ for (i = 7; i <= NF && $i != "-"; i++); if ($(i+1) == "cgroup2" && $4 == "/") { print $5; exit } }' \
        /proc/self/mountinfo)
    [[ -n $path && -n $mnt ]] || return 1
    echo "$mnt${path%/} ${path} v2"
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

# sanity_run NAME BIN ROOT BUNDLE ID: `run` of /bin/true twice with the same id;
# each must exit 0. Sets NEED_PREPARE=1 when the runtime leaves the container
# behind, so that hyperfine deletes it between runs.
sanity_run() {
    local name=$1 bin=$2 root=$3 bundle=$4 id=$5 out i
    NEED_PREPARE=0
    for i in 1 2; do
        if ! out=$("$bin" --root "$root" run --bundle "$bundle" "$id" 2>&1 </dev/null); then
            SKIP_REASON="'run' failed (attempt $i): ${out:-no output}"
            return 1
        fi
        if "$bin" --root "$root" state "$id" >/dev/null 2>&1; then
            ((NEED_PREPARE)) || log "$name: WARNING: container '$id' still exists after" \
                "'run' exited; deleting it before every timed run (not timed)"
            NEED_PREPARE=1
            "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
        fi
    done
    log "$name: sanity ok: 'run' of /bin/true exits 0 twice with the same id" \
        "$( ((NEED_PREPARE)) && echo "(with delete in between)" || echo "(container removed on exit)")"
}

# start_detached BIN ROOT BUNDLE ID: `run -d`; stdio to files, never a pipe (the
# container keeps them open). Sets CT_PID to the pid of the container's process.
start_detached() {
    local bin=$1 root=$2 bundle=$3 id=$4 pid
    CT_PID=
    if ! "$bin" --root "$root" run -d --bundle "$bundle" "$id" </dev/null >/dev/null 2>"$WORK/err"; then
        SKIP_REASON="'run -d' of the sleep container failed: $(cat "$WORK/err")"
        return 1
    fi
    pid=$("$bin" --root "$root" state "$id" 2>"$WORK/err" | jq -r '.pid // empty') || true
    if ! [[ $pid =~ ^[1-9][0-9]*$ ]] || ! kill -0 "$pid" 2>/dev/null; then
        SKIP_REASON="'state' of the sleep container gives no live pid: $(cat "$WORK/err")"
        return 1
    fi
    CT_PID=$pid
}

# check_limits PID CGROUPS_PATH: from the host, the container's process must be
# in seccomp filter mode, in CGROUPS_PATH for memory and pids, with our limits.
# Sets CHECK_JSON, or SKIP_REASON and returns 1.
check_limits() {
    local pid=$1 want=$2 sc mem_dir mem_path mem_ver pids_dir pids_path mem_file mem pids
    sc=$(awk '$1 == "Seccomp:" { print $2 }' "/proc/$pid/status")
    read -r mem_dir mem_path mem_ver < <(cgroup_of "$pid" memory) || true
    read -r pids_dir pids_path _ < <(cgroup_of "$pid" pids) || true
    mem_file=memory.limit_in_bytes
    [[ ${mem_ver:-} == v2 ]] && mem_file=memory.max
    mem=$(cat "${mem_dir:-/nonexistent}/$mem_file" 2>/dev/null || echo "?")
    pids=$(cat "${pids_dir:-/nonexistent}/pids.max" 2>/dev/null || echo "?")
    CHECK_JSON=$(jq -nc --arg sc "$sc" --arg mp "${mem_path:-?}" --arg mf "${mem_dir:-?}/$mem_file" \
        --arg m "$mem" --arg pp "${pids_path:-?}" --arg pf "${pids_dir:-?}/pids.max" --arg p "$pids" \
        '{seccomp_mode: $sc, memory_cgroup: $mp, memory_limit_file: $mf, memory_limit: $m,
          pids_cgroup: $pp, pids_max_file: $pf, pids_max: $p}')
    local bad=()
    [[ $sc == 2 ]] || bad+=("Seccomp: $sc in /proc/$pid/status (want 2, filter)")
    [[ ${mem_path:-} == "$want" ]] || bad+=("memory cgroup ${mem_path:-?} (want $want)")
    [[ $mem == "$LIMIT_MEMORY" ]] || bad+=("$mem_file = $mem (want $LIMIT_MEMORY)")
    [[ ${pids_path:-} == "$want" ]] || bad+=("pids cgroup ${pids_path:-?} (want $want)")
    [[ $pids == "$LIMIT_PIDS" ]] || bad+=("pids.max = $pids (want $LIMIT_PIDS)")
    if ((${#bad[@]})); then
        SKIP_REASON="limits not applied: $(printf '%s; ' "${bad[@]}")"
        SKIP_REASON=${SKIP_REASON%; }
        return 1
    fi
}

# cgroup_check PID CGROUPS_PATH: CHECK_JSON with the memory cgroup the
# container's process is in and whether that is CGROUPS_PATH (a runtime that
# ignores cgroupsPath does less work and looks faster than it is).
cgroup_check() {
    local pid=$1 want=$2 dir path
    read -r dir path _ < <(cgroup_of "$pid" memory) || true
    CHECK_JSON=$(jq -nc --argjson pid "$pid" --arg p "${path:-?}" --arg want "$want" \
        '{container_pid: $pid, memory_cgroup: $p, in_cgroups_path: ($p == $want)}')
    [[ ${path:-} == "$want" ]] ||
        log "$name: WARNING: the container is in memory cgroup ${path:-?}, not in its cgroupsPath $want:" \
            "the runtime skips the cgroup work the others do"
}

measure_rss() { # BIN ROOT ID CMD...: prints the samples (KiB), one per line
    local bin=$1 root=$2 id=$3 i f=$WORK/time.out
    shift 3
    for ((i = 0; i < RSS_RUNS; i++)); do
        ((!NEED_PREPARE)) || "$bin" --root "$root" delete --force "$id" >/dev/null 2>&1 || true
        /usr/bin/time -f %M -o "$f" "$@" </dev/null >/dev/null 2>&1 || die "$* failed under /usr/bin/time"
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

# ---------------------------------------------------------------- scenarios
declare -A WORKLOAD=(
    [run]="run --bundle <busybox bundle> of /bin/true, default runc spec namespaces, absolute cgroupsPath"
    [exec]="exec <id> /bin/true into a running busybox sleep container (same config as run, args sleep)"
    [limits]="run of /bin/true as in 'run' plus linux.resources memory.limit $LIMIT_MEMORY, pids.limit $LIMIT_PIDS and linux.seccomp = tests/fixtures/seccomp/default.json"
)

# scenario_setup SCEN NAME BIN ROOT: prepares the runtime for the scenario and
# checks it; sets ID, CG, CMD (the timed argv), NEED_PREPARE, CHECK_JSON.
# Returns 1 with SKIP_REASON when the runtime cannot do the scenario.
scenario_setup() {
    local scen=$1 name=$2 bin=$3 root=$4 b=$WORK/bundle-$1-$2 pid
    ID="bench-$$-$scen"
    CG="/berth-bench-$name-$$-$scen"
    NEED_PREPARE=0
    CHECK_JSON=null
    case $scen in
    run)
        # Once with sleep, to see from the host where the container lands.
        make_bundle "$b-check" "$CG" 0 /bin/sleep 86400
        start_detached "$bin" "$root" "$b-check" "$ID-check" || return 1
        cgroup_check "$CT_PID" "$CG"
        "$bin" --root "$root" delete --force "$ID-check" >/dev/null 2>&1 || true
        make_bundle "$b" "$CG" 0 /bin/true
        sanity_run "$name" "$bin" "$root" "$b" "$ID" || return 1
        CMD=("$bin" --root "$root" run --bundle "$b" "$ID")
        ;;
    exec)
        make_bundle "$b" "$CG" 0 /bin/sleep 86400
        start_detached "$bin" "$root" "$b" "$ID" || return 1
        pid=$CT_PID
        local i out
        for i in 1 2; do
            if ! out=$("$bin" --root "$root" exec "$ID" /bin/true 2>&1 </dev/null); then
                SKIP_REASON="'exec $ID /bin/true' failed (attempt $i): ${out:-no output}"
                return 1
            fi
        done
        if ! kill -0 "$pid" 2>/dev/null; then
            SKIP_REASON="the sleep container (pid $pid) died during the exec sanity runs"
            return 1
        fi
        cgroup_check "$pid" "$CG"
        log "$name: sanity ok: container $ID (pid $pid) is running; 'exec /bin/true' exits 0 twice"
        CMD=("$bin" --root "$root" exec "$ID" /bin/true)
        ;;
    limits)
        # First the check: same config with sleep, looked at from the host.
        make_bundle "$b-check" "$CG" 1 /bin/sleep 86400
        start_detached "$bin" "$root" "$b-check" "$ID-check" || return 1
        pid=$CT_PID
        local ok=0
        check_limits "$pid" "$CG" && ok=1
        "$bin" --root "$root" delete --force "$ID-check" >/dev/null 2>&1 || true
        log "$name: limits check: $CHECK_JSON"
        ((ok)) || return 1
        log "$name: sanity ok: seccomp mode 2, memory and pids limits set in $CG"
        make_bundle "$b" "$CG" 1 /bin/true
        sanity_run "$name" "$bin" "$root" "$b" "$ID" || return 1
        CMD=("$bin" --root "$root" run --bundle "$b" "$ID")
        ;;
    esac
}

# scenario_teardown SCEN NAME BIN ROOT: deletes the scenario's container and
# reports (CG_LEFT=1) when the runtime had left its cgroup behind.
scenario_teardown() {
    local scen=$1 name=$2 bin=$3 root=$4 left
    "$bin" --root "$root" delete --force "$ID" >/dev/null 2>&1 || true
    "$bin" --root "$root" delete --force "$ID-check" >/dev/null 2>&1 || true
    left=$(remove_cgroup "$CG")
    CG_LEFT=0
    if [[ -n $left ]]; then
        CG_LEFT=1
        log "$name: WARNING: cgroup $CG was still there after the last container was gone" \
            "(removed by the bench): $(tr '\n' ' ' <<<"$left")"
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
build_base

declare -a AVAILABLE=()
declare -A VERSION=()
SKIPPED_JSON='[]' # {scenario, name, reason}; scenario null = every scenario
skip() { # scenario|"" name reason
    log "SKIP ${1:+$1: }$2: $3"
    SKIPPED_JSON=$(jq -c --arg s "$1" --arg n "$2" --arg r "$3" \
        '. + [{scenario: (if $s == "" then null else $s end), name: $n, reason: $r}]' <<<"$SKIPPED_JSON")
}
for name in $RUNTIMES; do
    if bin=$(resolve_runtime "$name" 2>"$WORK/why"); then
        RT_PATH[$name]=$bin
        AVAILABLE+=("$name")
        mkdir -p "$WORK/root-$name"
        VERSION[$name]=$("$bin" --version 2>&1 | head -n 1 || true)
        log "$name: $bin (${VERSION[$name]})"
    else
        skip "" "$name" "$(cat "$WORK/why")"
    fi
done
((${#AVAILABLE[@]})) || die "no runtime available"
[[ -n ${RT_PATH[crun]:-} ]] && cgroup_fixup

SCEN_JSON='[]'
for scen in "${SCEN_LIST[@]}"; do
    log ""
    log "##### scenario $scen: ${WORKLOAD[$scen]}"
    if [[ $scen == limits ]] && [[ ! -r $SECCOMP_PROFILE ]]; then
        log "SKIP scenario limits: seccomp profile $SECCOMP_PROFILE not found (not written yet?)"
        SCEN_JSON=$(jq -c --arg s "$scen" --arg w "${WORKLOAD[$scen]}" --arg p "$SECCOMP_PROFILE" \
            '. + [{name: $s, workload: $w, skipped_reason: "seccomp profile \($p) not found", results: []}]' <<<"$SCEN_JSON")
        continue
    fi
    RESULTS='[]'
    for name in "${AVAILABLE[@]}"; do
        bin=${RT_PATH[$name]}
        root=$WORK/root-$name
        log ""
        log "=== $scen / $name"
        SKIP_REASON=
        if ! scenario_setup "$scen" "$name" "$bin" "$root"; then
            skip "$scen" "$name" "$SKIP_REASON"
            scenario_teardown "$scen" "$name" "$bin" "$root"
            continue
        fi

        cmd=$(for w in "${CMD[@]}"; do printf '%s ' "$(q "$w")"; done)
        cmd=${cmd% }
        hf=(hyperfine "${HF_SHELL[@]}" --style basic --time-unit millisecond
            --warmup "$WARMUP" --runs "$ITERATIONS" --command-name "$scen/$name"
            --export-json "$WORK/hf.json")
        prep=
        if ((NEED_PREPARE)); then
            # sh -c so that "no such container" does not abort hyperfine.
            prep="sh -c $(q "$(q "$bin") --root $(q "$root") delete --force $ID >/dev/null 2>&1 || true")"
            hf+=(--prepare "$prep")
        fi
        log "timing: $cmd  (${ITERATIONS} runs, ${WARMUP} warmup)"
        if ! "${hf[@]}" "$cmd" </dev/null >&2; then
            skip "$scen" "$name" "hyperfine failed (a timed run exited non-zero?)"
            scenario_teardown "$scen" "$name" "$bin" "$root"
            continue
        fi

        rss_json='[]'
        if [[ -x /usr/bin/time ]] && ((RSS_RUNS > 0)); then
            rss_json=$(measure_rss "$bin" "$root" "$ID" "${CMD[@]}" | jq -s -c 'map(tonumber)')
            log "peak RSS samples (KiB): $(jq -r 'join(" ")' <<<"$rss_json")"
        fi
        scenario_teardown "$scen" "$name" "$bin" "$root"

        RESULTS=$(jq -c \
            --arg name "$name" --arg path "$bin" --arg version "${VERSION[$name]}" --arg cmd "$cmd" \
            --arg cg "$CG" --argjson check "$CHECK_JSON" --argjson cgleft "$CG_LEFT" \
            --argjson rss "$rss_json" --argjson prep "$NEED_PREPARE" \
            --slurpfile hf "$WORK/hf.json" '
            ($hf[0].results[0]) as $r
            | def ms: . * 1000000 | round / 1000;
              . + [{
                name: $name, path: $path, version: $version, command: $cmd,
                cgroups_path: $cg, check: $check, cgroup_left_behind: ($cgleft == 1),
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
    SCEN_JSON=$(jq -c --arg s "$scen" --arg w "${WORKLOAD[$scen]}" --argjson r "$RESULTS" \
        --argjson sk "$SKIPPED_JSON" \
        '. + [{name: $s, workload: $w, results: $r,
               skipped: [$sk[] | select(.scenario == $s or .scenario == null) | {name, reason}]}]' <<<"$SCEN_JSON")
done

# ---------------------------------------------------------------- report
num() { [[ $1 == - ]] && echo - || printf "%.${2}f" "$1"; }
fmt='%-14s %9s %9s %8s %8s %8s %13s %7s %7s\n'
for scen in "${SCEN_LIST[@]}"; do
    echo ""
    echo "== $scen: $(jq -r --arg s "$scen" '.[] | select(.name == $s) | .workload' <<<"$SCEN_JSON")"
    why=$(jq -r --arg s "$scen" '.[] | select(.name == $s) | .skipped_reason // empty' <<<"$SCEN_JSON")
    if [[ -n $why ]]; then
        echo "scenario skipped: $why"
        continue
    fi
    # shellcheck disable=SC2059
    printf "$fmt" runtime "median ms" "mean ms" stddev min max "peak RSS KiB" "x crun" "x runc"
    jq -r --arg s "$scen" '.[] | select(.name == $s) | .results[]
        | [.name, .median_ms, .mean_ms, .stddev_ms, .min_ms, .max_ms,
           (.peak_rss_kib // "-"), (.median_vs_crun // "-"), (.median_vs_runc // "-")]
        | map(tostring) | @tsv' <<<"$SCEN_JSON" |
        while IFS=$'\t' read -r n med mean sd lo hi rss rc rr; do
            # shellcheck disable=SC2059
            printf "$fmt" "$n" "$(num "$med" 2)" "$(num "$mean" 2)" "$(num "$sd" 2)" \
                "$(num "$lo" 2)" "$(num "$hi" 2)" "$rss" "$(num "$rc" 2)" "$(num "$rr" 2)"
        done
    jq -r --arg s "$scen" '.[] | select(.name == $s) | .results[] | select(.check.in_cgroups_path == false)
        | "note: \(.name): container not in its cgroupsPath (was in memory cgroup \(.check.memory_cgroup)): no cgroup work timed"' <<<"$SCEN_JSON"
    jq -r --arg s "$scen" '.[] | select(.name == $s) | .skipped[] | "skipped: \(.name): \(.reason)"' <<<"$SCEN_JSON"
done

# Summary: medians of the three runtimes and berth's ratios, one line per scenario.
SUMMARY=$(jq -c '[.[] | (.results | map({key: .name, value: .median_ms}) | from_entries) as $m
    | def r($a; $b): if $m[$a] and $m[$b] then ($m[$a] / $m[$b] * 1000 | round / 1000) else null end;
      {scenario: .name, skipped_reason: (.skipped_reason // null),
       berth_ms: $m["berth-runtime"], crun_ms: $m.crun, runc_ms: $m.runc,
       berth_vs_crun: r("berth-runtime"; "crun"), berth_vs_runc: r("berth-runtime"; "runc"),
       crun_vs_runc: r("crun"; "runc")}]' <<<"$SCEN_JSON")
echo ""
echo "== summary: medians (ms) and ratios (below 1.00 = berth-runtime faster)"
sfmt='%-8s %10s %10s %10s %12s %12s\n'
# shellcheck disable=SC2059
printf "$sfmt" scenario "berth ms" "crun ms" "runc ms" "berth/crun" "berth/runc"
jq -r '.[] | [.scenario, (.berth_ms // "-"), (.crun_ms // "-"), (.runc_ms // "-"),
              (.berth_vs_crun // "-"), (.berth_vs_runc // "-"), (.skipped_reason // "")]
           | map(tostring) | @tsv' <<<"$SUMMARY" |
    while IFS=$'\t' read -r s b c r bc br why; do
        if [[ -n $why ]]; then
            # shellcheck disable=SC2059
            printf "$sfmt" "$s" - - - - - && echo "         (skipped: $why)" && continue
        fi
        # shellcheck disable=SC2059
        printf "$sfmt" "$s" "$(num "$b" 2)" "$(num "$c" 2)" "$(num "$r" 2)" "$(num "$bc" 2)" "$(num "$br" 2)"
    done

mkdir -p "$RESULTS_DIR"
out=$RESULTS_DIR/$(date -u +%Y-%m-%dT%H%M%SZ).json
jq -n \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" \
    --arg kernel "$(uname -sr)" \
    --arg cpu "$(awk -F': ' '/^model name/ {print $2; exit}' /proc/cpuinfo)" \
    --argjson nproc "$(nproc)" \
    --arg hyperfine "$(hyperfine --version)" \
    --arg cgroup "$CGROUP_NOTE" \
    --arg seccomp "$SECCOMP_PROFILE" \
    --argjson iterations "$ITERATIONS" --argjson warmup "$WARMUP" --argjson rss_runs "$RSS_RUNS" \
    --argjson scenarios "$SCEN_JSON" --argjson summary "$SUMMARY" \
    --argjson skipped "$SKIPPED_JSON" '{
        schema: 2, date: $date,
        host: {kernel: $kernel, cpu: $cpu, nproc: $nproc},
        hyperfine: $hyperfine, iterations: $iterations, warmup: $warmup, rss_runs: $rss_runs,
        cgroup_fixup: $cgroup, seccomp_profile: $seccomp,
        scenarios: $scenarios, summary: $summary,
        skipped: [$skipped[] | select(.scenario == null) | {name, reason}]
    }' >"$out"
log ""
log "results: $out"
