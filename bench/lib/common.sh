# Sourced by the bench scripts: messages, timing, daemons' sockets and pids.

log() { printf '%s\n' "$*" >&2; }
die() {
	log "run.sh: error: $*"
	exit 1
}

now() { date +%s.%N; }
# The median of the numbers on stdin, one a line (0 for none).
median() { sort -g | awk '{a[NR]=$1} END {if (NR == 0) print 0; else print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# wait_sock PATH: up to 30 s for a unix socket to appear.
wait_sock() {
	for _ in $(seq 600); do [[ -S $1 ]] && return 0; sleep 0.05; done
	return 1
}

# stop_pid PID [TRIES]: SIGTERM, up to TRIES tenths of a second (default 100)
# for it to go, then SIGKILL; reaped if it is our child.
stop_pid() {
	local p=$1 tries=${2:-100}
	kill -TERM "$p" 2>/dev/null || return 0
	for _ in $(seq "$tries"); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
	kill -KILL "$p" 2>/dev/null || true
	wait "$p" 2>/dev/null || true
}
