#!/bin/bash
# Build a busybox bundle from busybox-static and run one container through
# berth-runtime that prints its hostname, its pid and its uid.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runtime=${RUNTIME:-$repo/build/cmd/berth-runtime/berth-runtime}
work=$(mktemp -d /tmp/berth-demo.XXXXXX)
trap 'rm -rf "$work"' EXIT

"$repo/tests/fixtures/mkrootfs.sh" "$work/bundle/rootfs" >/dev/null
"$runtime" spec --bundle "$work/bundle"
jq '.process.terminal = false
  | .hostname = "berth-demo"
  | .process.args = ["/bin/sh", "-c",
      "echo \"hello from $(hostname): pid $$, uid $(id -u), user $(id -un)\"; echo \"kernel $(uname -r), rootfs: $(ls / | tr \"\\n\" \" \")\""]' \
	"$work/bundle/config.json" >"$work/config.json"
mv "$work/config.json" "$work/bundle/config.json"
echo "+ berth-runtime run --bundle $work/bundle demo"
"$runtime" --root "$work/state" run --bundle "$work/bundle" "demo-$$"
