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

ns() { ip netns exec "${P}a" "$@"; }
flush() { ip -n "${P}a" route flush cache; ip -n "${P}a" -6 route flush cache; }
# One run: "wall_us cpu_us" (cpu = user + sys of the command and its children, bash's `time`,
# 1 ms resolution). The output must hold the Resume line (or be a version line).
measure() {
    local out tf=$TMPD/t TIMEFORMAT='%3R %3U %3S'
    { time ns timeout 60 "$@" >"$TMPD/out" 2>&1; } 2>"$tf"
    out=$(cat "$TMPD/out")
    [[ $out == *Resume:* || $out == *iputils* || $out == "icmpkit pmtu "* ]] || { echo "unexpected output from $*: $out" >&2; exit 1; }
    awk '{printf "%d %d\n", $1 * 1e6, ($2 + $3) * 1e6}' "$tf"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { awk -v c="$1" '{print $c}' | median; }

TMPD=$(mktemp -d)
trap 'chain_down $P; rm -rf "$TMPD"' EXIT
chain_up "$P" || { echo "namespace setup failed"; exit 1; }
# Process start-up alone (-V through the same `ip netns exec`): icmpkit links libpcap, whose
# dependencies (libdbus, libsystemd, libgcrypt...) cost a few ms before main(); tcpdump pays it too.
: >"$TMPD/su"; : >"$TMPD/st"
for ((i = 0; i < RUNS; i++)); do measure "$ICMPKIT" pmtu -V >>"$TMPD/su"; measure tracepath -V >>"$TMPD/st"; done
printf 'start-up (-V)   icmpkit: wall %6d us cpu %6d us   tracepath: wall %6d us cpu %6d us\n' \
    "$(col 1 <"$TMPD/su")" "$(col 2 <"$TMPD/su")" "$(col 1 <"$TMPD/st")" "$(col 2 <"$TMPD/st")"

for dest in 198.51.100.2 2001:db8:2::2; do
    : >"$TMPD/o"; : >"$TMPD/t2"; : >"$TMPD/s"
    for ((i = 0; i < RUNS; i++)); do
        flush; measure "$ICMPKIT" pmtu -n "$dest" >>"$TMPD/o"
        flush; measure tracepath -n "$dest" >>"$TMPD/t2"
        flush; measure "$ICMPKIT" pmtu --plpmtud "$dest" >>"$TMPD/s"
    done
    wo=$(col 1 <"$TMPD/o") wt=$(col 1 <"$TMPD/t2") co=$(col 2 <"$TMPD/o") ct=$(col 2 <"$TMPD/t2")
    printf '%-14s icmpkit pmtu -n: wall %6d us cpu %5d us | tracepath -n: wall %6d us cpu %5d us | wall ratio %.2f | --plpmtud wall %6d us | median of %d\n' \
        "$dest" "$wo" "$co" "$wt" "$ct" "$(echo "$wo / $wt" | bc -l)" "$(col 1 <"$TMPD/s")" "$RUNS"
done
