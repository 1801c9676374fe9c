#!/usr/bin/env bash
# cmake --install into a temporary prefix, then build and run an application that finds the
# library with find_package(icmpkit). Usage: install_test.sh SOURCE_DIR
set -euo pipefail
src=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake -S "$src" -B "$work/build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DICMPKIT_BUILD_TESTS=OFF \
  -DICMPKIT_BUILD_CLI=OFF >/dev/null
cmake --build "$work/build" -j 2 >/dev/null
cmake --install "$work/build" --prefix "$work/prefix" >/dev/null
test -f "$work/prefix/include/icmpkit/wire/icmpv4.hpp"
cmake -S "$src/tests/install/consumer" -B "$work/consumer" -G Ninja \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/consumer" >/dev/null
out=$("$work/consumer/consumer")
echo "$out"
[ "$out" = "type=8 id=4660 seq=7" ]
