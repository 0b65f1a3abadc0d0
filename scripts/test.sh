#!/bin/bash
# The second README command: run every test suite and print one summary
# line "N passed, N failed". Needs root (the integration tests create
# containers). Builds first if needed.
#
#   scripts/test.sh            all suites
#   scripts/test.sh unit       only the C unit tests
#   scripts/test.sh lint       clang-format and size budgets
#   scripts/test.sh integration [bats filter...]
#   scripts/test.sh compat [bats file or filter...]
#                              drop-in tests: containerd, dockerd and podman
#                              driving berth-runtime (tests/compat)
#
# BERTH_BUILD: the build dir to use (default build/).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
export BERTH_BUILD=${BERTH_BUILD:-$repo/build}
"$repo/scripts/build.sh" || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }

what=${1:-all}
[[ $# -gt 0 ]] && shift
case $what in
all | unit | lint | integration | compat) ;;
*)
	echo "unknown suite '$what' (all, unit, lint, integration, compat)"
	echo "0 passed, 1 failed"
	exit 2
	;;
esac
passed=0
failed=0
logdir=$(mktemp -d /tmp/berth-test.XXXXXX)

if [[ $what == all || $what == unit ]]; then
	echo "== unit tests (meson test)"
	meson test -C "$BERTH_BUILD" --suite unit --print-errorlogs >"$logdir/unit.log" 2>&1
	# meson prints "Ok: N" and "Fail: N" in its summary
	ok=$(awk '/^Ok:/{print $2}' "$logdir/unit.log")
	bad=$(awk '/^(Fail|Unexpected Pass|Timeout):/{s+=$2} END{print s+0}' "$logdir/unit.log")
	grep -E '^ *[0-9]+/[0-9]+ ' "$logdir/unit.log"
	if [[ ${bad:-0} -gt 0 ]]; then cat "$logdir/unit.log"; fi
	passed=$((passed + ${ok:-0}))
	failed=$((failed + ${bad:-0}))
	if [[ -z $ok ]]; then
		cat "$logdir/unit.log"
		failed=$((failed + 1))
	fi
fi

if [[ $what == all || $what == lint ]]; then
	echo "== lint (clang-format, size budgets)"
	"$repo/scripts/lint.sh" | tee "$logdir/lint.tap"
	passed=$((passed + $(grep -cE '^ok ' "$logdir/lint.tap")))
	failed=$((failed + $(grep -cE '^not ok ' "$logdir/lint.tap")))
fi

if [[ $what == all || $what == integration ]]; then
	echo "== integration tests (bats)"
	"$repo/tests/integration/run.sh" "$@" | tee "$logdir/integration.tap"
	ok=$(grep -cE '^ok ' "$logdir/integration.tap")
	bad=$(grep -cE '^not ok ' "$logdir/integration.tap")
	passed=$((passed + ok))
	failed=$((failed + bad))
	if ! grep -qE '^1\.\.[0-9]+' "$logdir/integration.tap"; then
		echo "integration suite did not run"
		failed=$((failed + 1))
	fi
fi

if [[ $what == all || $what == compat ]]; then
	echo "== drop-in tests: containerd, dockerd, podman with berth-runtime (bats)"
	start=$SECONDS
	"$repo/tests/compat/run.sh" "$@" | tee "$logdir/compat.tap"
	ok=$(grep -cE '^ok ' "$logdir/compat.tap")
	bad=$(grep -cE '^not ok ' "$logdir/compat.tap")
	echo "compat suite: $((SECONDS - start)) s wall time"
	passed=$((passed + ok))
	failed=$((failed + bad))
	skipped=$(grep -cE '^ok .* # skip' "$logdir/compat.tap")
	if ! grep -qE '^1\.\.[0-9]+' "$logdir/compat.tap"; then
		echo "compat suite did not run"
		failed=$((failed + 1))
	elif [[ $ok -gt 0 && $skipped -eq $ok && $bad -eq 0 ]]; then
		echo "compat suite did not run: every test was skipped (scripts/deps.sh installs the peers)"
		failed=$((failed + 1))
	fi
fi

rm -rf "$logdir"
echo "$passed passed, $failed failed"
[[ $failed -eq 0 ]]
