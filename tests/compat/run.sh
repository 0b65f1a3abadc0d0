#!/bin/bash
# Run the drop-in tests (containerd, dockerd, podman driving the runtime
# under test) with TAP output.
#
#   tests/compat/run.sh [BATS-FILE-OR-FILTER...]
#
# With no arguments all tests/compat/*.bats files are run. Arguments ending
# in .bats select files (relative to this dir or absolute); any other
# argument is a `bats --filter` regex (several are OR-ed). A file whose peer
# (containerd, dockerd, podman) is not installed is skipped with a message.
# Prints the TAP stream on stdout and exits non-zero when a test fails.
#
# Env: RUNTIME (default $BERTH_BUILD/cmd/berth-runtime/berth-runtime),
#      BERTH_BUILD (default <repo>/build), COMPAT_TIMEOUT (seconds for one
#      peer command, default 90), COMPAT_TEST_TIMEOUT (seconds for one test,
#      default 300), COMPAT_KEEP=1 keeps the per-file temp dirs.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
files=()
filter=()
for a in "$@"; do
	if [[ $a == *.bats ]]; then
		if [[ -e $a ]]; then files+=("$a"); else files+=("$here/$a"); fi
	else
		filter+=("$a")
	fi
done
if [[ ${#filter[@]} -gt 0 ]]; then
	joined=$(IFS='|'; echo "${filter[*]}")
	filter=(--filter "$joined")
fi
if [[ ${#files[@]} -eq 0 ]]; then
	files=("$here"/*.bats)
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "# warning: the drop-in tests need root" >&2
fi
for c in bats jq python3; do
	command -v $c >/dev/null || { echo "$c not found" >&2; exit 2; }
done

export BERTH_BUILD=${BERTH_BUILD:-$repo/build}
RUNTIME=${RUNTIME:-$BERTH_BUILD/cmd/berth-runtime/berth-runtime}
if [[ $RUNTIME != /* ]] && command -v "$RUNTIME" >/dev/null; then
	RUNTIME=$(command -v "$RUNTIME")
fi
export RUNTIME
if [[ ! -x $RUNTIME ]]; then
	echo "# warning: runtime $RUNTIME not found; every test will fail" >&2
fi
echo "# runtime: $RUNTIME" >&2
for p in containerd:containerd dockerd:docker.io podman:podman conmon:conmon; do
	command -v "${p%%:*}" >/dev/null ||
		echo "# ${p%%:*} not installed (package ${p#*:}): its tests are skipped" >&2
done

# one image for the whole run
tmp=$(mktemp -d /tmp/berth-compat.XXXXXX)
tap=$tmp/tap
cleanup() { rm -rf --one-file-system "$tmp"; }
trap cleanup EXIT
probe=$BERTH_BUILD/tests/helpers/probe
if [[ ! -x $probe ]]; then
	probe=$tmp/probe
	gcc -std=gnu17 -O2 -D_GNU_SOURCE -static -o "$probe" "$repo/tests/helpers/probe.c" || exit 2
fi
if ! "$here/mkimage.sh" "$tmp/image" "$probe" >"$tmp/mkimage.log" 2>&1; then
	cat "$tmp/mkimage.log" >&2
	echo "# cannot build the test image" >&2
	exit 2
fi
export COMPAT_IMAGE_DIR=$tmp/image
export BATS_TEST_TIMEOUT=${COMPAT_TEST_TIMEOUT:-300}

# absolute paths, and a scratch working directory for the peers (conmon
# writes files into its cwd)
for i in "${!files[@]}"; do
	files[$i]=$(realpath "${files[$i]}")
done
mkdir -p "$tmp/cwd"
cd "$tmp/cwd" || exit 2
bats --tap "${filter[@]}" "${files[@]}" | tee "$tap"
rc=${PIPESTATUS[0]}
echo "# $(grep -c '^ok' "$tap") ok ($(grep -c '^ok .* # skip' "$tap") skipped), $(grep -c '^not ok' "$tap") not ok" >&2
exit $rc
