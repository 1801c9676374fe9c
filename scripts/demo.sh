#!/usr/bin/env bash
# make demo's main job: until ping/trace exist, decode the sample capture the project made itself.
set -euo pipefail
bin=${1:-build/release/src/cli/icmpkit}
cd "$(dirname "$0")/.."
echo "\$ icmpkit --help"
"$bin" --help
