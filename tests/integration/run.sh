#!/bin/bash
# Run the integration suite with TAP output.
#
#   tests/integration/run.sh [BATS-FILE-OR-FILTER...]
#
# With no arguments all tests/integration/*.bats files are run. Arguments
# ending in .bats select files (relative to this dir or absolute); any other
# argument is a `bats --filter` regex (several are OR-ed). Prints the TAP stream on stdout and
# exits non-zero when any test fails.
#
# Env: RUNTIME (default $BERTH_BUILD/cmd/berth-runtime/berth-runtime),
#      BERTH_BUILD (default <repo>/build); see helpers.bash for more.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
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
	# several filter words select tests matching any of them
	joined=$(IFS='|'; echo "${filter[*]}")
	filter=(--filter "$joined")
fi
if [[ ${#files[@]} -eq 0 ]]; then
	files=("$here"/*.bats)
fi

if [[ $(id -u) -ne 0 ]]; then
	echo "# warning: the integration tests need root" >&2
fi
command -v bats >/dev/null || { echo "bats not found" >&2; exit 2; }
command -v jq >/dev/null || { echo "jq not found" >&2; exit 2; }

# one rootfs cache for the whole run
cleanup_cache=
if [[ -z ${BERTH_ROOTFS_CACHE:-} ]]; then
	BERTH_ROOTFS_CACHE=$(mktemp -d /tmp/berth-rootfs.XXXXXX)/rootfs
	cleanup_cache=$(dirname "$BERTH_ROOTFS_CACHE")
	export BERTH_ROOTFS_CACHE
fi
tap=
cleanup() {
	[[ -z $cleanup_cache ]] || rm -rf --one-file-system "$cleanup_cache"
	[[ -z $tap ]] || rm -f "$tap"
}
trap cleanup EXIT

runtime=${RUNTIME:-${BERTH_BUILD:-$here/../../build}/cmd/berth-runtime/berth-runtime}
if [[ ! -x $runtime ]]; then
	echo "# warning: runtime $runtime not found; every test will fail" >&2
fi
echo "# runtime: $runtime" >&2

tap=$(mktemp /tmp/berth-tap.XXXXXX)
bats --tap "${filter[@]}" "${files[@]}" | tee "$tap"
rc=${PIPESTATUS[0]}
echo "# $(grep -c '^ok' "$tap") ok ($(grep -c '^ok .* # skip' "$tap") skipped), $(grep -c '^not ok' "$tap") not ok" >&2
exit $rc
