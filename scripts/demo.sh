#!/bin/bash
# berth's main job through the whole stack: berth (CLI) -> berthd -> berth-shim
# -> berth-runtime -> kernel, on an embedded default (no registry, no internet).
#
#  1. start berthd on its default socket (/run/berth/berth.sock) unless one
#     answers there already (it keeps running afterwards, like dockerd);
#  2. make busybox:latest from Debian's busybox-static when berthd has no such
#     image (`berth import` of a rootfs tar);
#  3. `berth run --rm busybox ...`: a container that says who it is;
#  4. the stack view of a running container: `berth inspect` (shim pid, task
#     pid, runtime and its --root, bundle, cgroup, namespaces, rootfs mount) and
#     `berth-runtime --root <exec-root>/runtime/default list`; then it is removed.
#
# BERTH_BUILD: the build dir (default build/). BERTH_HOST: another daemon.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BERTH_BUILD:-$repo/build}
berth=$build/cmd/berth/berth
host=${BERTH_HOST:-unix:///run/berth/berth.sock}
exec_root=/run/berth
b() { "$berth" -H "$host" "$@"; }

if ! b version >/dev/null 2>&1; then
	[[ $host == unix:///run/berth/berth.sock ]] || {
		echo "demo: no berthd answers at $host" >&2
		exit 1
	}
	mkdir -p /var/log
	echo "+ berthd (log: /var/log/berthd.log)"
	setsid "$build/cmd/berthd/berthd" </dev/null >>/var/log/berthd.log 2>&1 &
	for _ in $(seq 200); do b version >/dev/null 2>&1 && break; sleep 0.05; done
	b version >/dev/null || {
		tail -5 /var/log/berthd.log >&2
		exit 1
	}
fi

if ! b image inspect busybox:latest >/dev/null 2>&1; then
	work=$(mktemp -d /tmp/berth-demo.XXXXXX)
	trap 'rm -rf "$work"' EXIT
	"$repo/tests/fixtures/mkrootfs.sh" "$work/rootfs" >/dev/null
	tar -C "$work/rootfs" -cf "$work/busybox.tar" .
	echo "+ berth import busybox.tar busybox:latest   (rootfs from busybox-static)"
	b import "$work/busybox.tar" busybox:latest
fi

echo "+ berth run --rm --hostname berth-demo busybox sh -c '...'"
b run --rm --hostname berth-demo busybox sh -c \
	'echo "hello from $(hostname): pid $$, uid $(id -u), user $(id -un)"; echo "kernel $(uname -r), rootfs: $(ls / | tr "\n" " ")"'

name=berth-demo-$$
echo "+ berth run -d --name $name busybox sleep 60"
b run -d --name "$name" busybox sleep 60 >/dev/null
trap 'b rm -f "$name" >/dev/null 2>&1 || true; rm -rf "${work:-}"' EXIT
echo "+ berth inspect $name: the stack of one container"
b inspect --format json "$name" | jq '.[0] | {Id, Name, State: {Status: .State.Status, Pid: .State.Pid, StartedAt: .State.StartedAt}, Berth, GraphDriver}'
echo "+ berth-runtime --root $exec_root/runtime/default list"
"$build/cmd/berth-runtime/berth-runtime" --root "$exec_root/runtime/default" list
echo "+ berth rm -f $name"
b rm -f "$name"
