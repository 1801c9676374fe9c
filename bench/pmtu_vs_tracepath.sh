#!/usr/bin/env bash
# Wall time of `icmpkit pmtu -n` vs iputils `tracepath -n` over the same 3-router namespace chain
# (A - R1 - R2 - R3 - B, link MTUs 1500/1400/1300/1500: bench/pmtu_chain.sh), side by side in one
# run: RUNS rounds (default 21) of [flush A's route cache, icmpkit; flush, tracepath], IPv4 then
# IPv6; medians compared. Also `icmpkit pmtu --plpmtud` (a different job: a search with echo
# probes) for reference. Every namespace is ours and removed on exit (also on failure).
#
#   sudo bench/pmtu_vs_tracepath.sh [ICMPKIT]   (default build/release/src/cli/icmpkit)
# Exits 0 with "SKIPPED" when not root or a tool is missing.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
ICMPKIT=${1:-${ICMPKIT:-$ROOT/build/release/src/cli/icmpkit}}
RUNS=${RUNS:-21}
P=ikpmtub$$
# shellcheck source=pmtu_chain.sh
source "$ROOT/bench/pmtu_chain.sh"

if [[ $(id -u) != 0 ]]; then echo "pmtu vs tracepath: SKIPPED (needs root)"; exit 0; fi
for t in ip tracepath timeout; do
    command -v "$t" >/dev/null || { echo "pmtu vs tracepath: SKIPPED (no $t)"; exit 0; }
done
[[ -x $ICMPKIT ]] || { echo "pmtu vs tracepath: SKIPPED (no $ICMPKIT)"; exit 0; }
trap 'chain_down $P' EXIT
chain_up "$P" || { echo "namespace setup failed"; exit 1; }

ns() { ip netns exec "${P}a" "$@"; }
flush() { ip -n "${P}a" route flush cache; ip -n "${P}a" -6 route flush cache; }
# Wall time of one command in microseconds (its output must end with the Resume line).
clock_us() {
    local t0 t1 out
    t0=$(date +%s%N)
    out=$(ns timeout 60 "$@")
    t1=$(date +%s%N)
    [[ $out == *Resume:* ]] || { echo "unexpected output from $*: $out" >&2; exit 1; }
    echo $(((t1 - t0) / 1000))
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for dest in 198.51.100.2 2001:db8:2::2; do
    ours=() theirs=() search=()
    for ((i = 0; i < RUNS; i++)); do
        flush; ours+=("$(clock_us "$ICMPKIT" pmtu -n "$dest")")
        flush; theirs+=("$(clock_us tracepath -n "$dest")")
        flush; search+=("$(clock_us "$ICMPKIT" pmtu --plpmtud "$dest")")
    done
    mo=$(printf '%s\n' "${ours[@]}" | median)
    mt=$(printf '%s\n' "${theirs[@]}" | median)
    ms=$(printf '%s\n' "${search[@]}" | median)
    printf '%-14s icmpkit pmtu -n: %6d us   tracepath -n: %6d us   ratio %.2f   (icmpkit pmtu --plpmtud: %6d us)  median of %d\n' \
        "$dest" "$mo" "$mt" "$(echo "$mo / $mt" | bc -l)" "$ms" "$RUNS"
done
