#!/bin/bash
# Style and size checks: clang-format (the checked-in .clang-format) and the
# size budgets of DESIGN.md (a .c/.h file past 1500 lines fails).
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
rc=0
if command -v clang-format >/dev/null; then
	out=$(git ls-files '*.c' '*.h' | xargs clang-format --dry-run -Werror 2>&1)
	if [[ -z $out ]]; then
		echo "ok clang-format"
	else
		head -20 <<<"$out" | sed 's/^/# /'
		echo "not ok clang-format: run clang-format -i on the files above"
		rc=1
	fi
else
	echo "ok clang-format # skip: clang-format not installed"
fi
big=$(git ls-files '*.c' '*.h' | while read -r f; do n=$(wc -l <"$f"); [ "$n" -gt 1500 ] && echo "$f: $n lines"; done)
if [[ -n $big ]]; then
	echo "not ok size budget: $big"
	rc=1
else
	echo "ok size budget (no source file past 1500 lines)"
fi
exit $rc
