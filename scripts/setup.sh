#!/bin/bash
# The first README command: install dependencies, build, run the main job.
# The main job (for now): a busybox container run by berth-runtime that says
# who it is. Needs root.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$repo/scripts/deps.sh"
"$repo/scripts/build.sh"
exec "$repo/scripts/demo.sh"
