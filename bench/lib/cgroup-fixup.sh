# Sourced by the bench scripts (needs log() and CGROUP_FIX).

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
