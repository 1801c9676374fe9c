#!/usr/bin/env bash
# icmpkit fping beside fping 5.1, in one run, on loopback only (127.0.0.0/8 answers on Linux).
#
#   bench/fping_vs_icmpkit.sh ICMPKIT_BINARY      (root: raw sockets for both; -i 0 needs root)
#
# (a) sweep: -g 127.0.0.0/16 (65,534 addresses) with equal settings (-i 0 -r 0 -t 500 -a),
#     RUNS rounds interleaved, wall time medians; every round counts the alive lines of both.
# (b) CPU per target: 10,000 targets (127.0.0.1 .. 127.0.39.16) probed once a second each
#     (-l -p 1000 -i 0.05) for SECONDS seconds, user+sys from /usr/bin/time, medians of RUNS_CPU.
# Environment: RUNS (default 7), RUNS_CPU (default 3), SECONDS_CPU (default 10).
set -euo pipefail
ICMPKIT=${1:?usage: bench/fping_vs_icmpkit.sh ICMPKIT_BINARY}
RUNS=${RUNS:-7}
RUNS_CPU=${RUNS_CPU:-3}
SECS=${SECONDS_CPU:-10}
FPING=${FPING:-/usr/bin/fping}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

SWEEP=(-g 127.0.0.0/16 -i 0 -r 0 -t 500 -a)
for ((i = 0; i < RUNS; i++)); do
    for tool in fping icmpkit; do
        if [[ $tool == fping ]]; then cmd=("$FPING" "${SWEEP[@]}"); else cmd=("$ICMPKIT" fping "${SWEEP[@]}"); fi
        s=$(date +%s.%N)
        timeout 120 "${cmd[@]}" >"$TMP/$tool.out" 2>/dev/null || true
        e=$(date +%s.%N)
        echo "$e - $s" | bc -l >>"$TMP/$tool.wall"
        wc -l <"$TMP/$tool.out" >>"$TMP/$tool.alive"
    done
done
fw=$(median <"$TMP/fping.wall"); iw=$(median <"$TMP/icmpkit.wall")
fa=$(sort -n "$TMP/fping.alive" | head -1); ia=$(sort -n "$TMP/icmpkit.alive" | head -1)
printf 'sweep 127.0.0.0/16 (%s): fping %.3f s, icmpkit %.3f s, ratio %.2fx; fewest alive lines over %d rounds: fping %s, icmpkit %s of 65534\n' \
    "${SWEEP[*]}" "$fw" "$iw" "$(echo "$fw / $iw" | bc -l)" "$RUNS" "$fa" "$ia"

LOOP=(-g 127.0.0.1 127.0.39.16 -l -p 1000 -i 0.05 -q)
for ((i = 0; i < RUNS_CPU; i++)); do
    for tool in fping icmpkit; do
        if [[ $tool == fping ]]; then cmd=("$FPING" "${LOOP[@]}"); else cmd=("$ICMPKIT" fping "${LOOP[@]}"); fi
        /usr/bin/time -f '%U %S' -o "$TMP/t" timeout -s INT "$SECS" "${cmd[@]}" >"$TMP/$tool.loop" 2>/dev/null || true
        awk '{print $1 + $2}' "$TMP/t" >>"$TMP/$tool.cpu"
        wc -l <"$TMP/$tool.loop" >>"$TMP/$tool.replies"
    done
done
fc=$(median <"$TMP/fping.cpu"); ic=$(median <"$TMP/icmpkit.cpu")
fr=$(median <"$TMP/fping.replies"); ir=$(median <"$TMP/icmpkit.replies")
# The ratio is CPU per reply: the two programs do not complete the same number of probes.
printf 'cpu 10000 targets x 1/s for %d s (%s): fping %.2f s (%.1f us/reply, %s replies), icmpkit %.2f s (%.1f us/reply, %s replies), per-reply ratio %.2fx\n' \
    "$SECS" "${LOOP[*]}" "$fc" "$(echo "$fc * 1000000 / $fr" | bc -l)" "$fr" "$ic" "$(echo "$ic * 1000000 / $ir" | bc -l)" "$ir" \
    "$(echo "($fc / $fr) / ($ic / $ir)" | bc -l)"
