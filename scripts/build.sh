#!/bin/bash
# Configure (once) and build everything into build/ (or $BERTH_BUILD).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
build=${BERTH_BUILD:-$repo/build}
if [[ ! -f $build/build.ninja ]]; then
	meson setup "$build" >/dev/null
fi
ninja -C "$build" >/dev/null
