#!/usr/bin/env bash
# Runs every benchmark side by side and prints the ratios docs/PERFORMANCE.md records.
#
#   bench/run_all.sh BUILD_DIR          (make bench calls it with build/bench)
#
# Environment: REPS (Google Benchmark repetitions, default 10), RUNS (hyperfine runs, default 10),
# COUNT (frames in the capture, default 1000000), SLICE (frames for the tshark comparison, default
# 20000), LAB_RUNS (rounds of bench/lab_vs_kernel.sh, default 9), FRAMES (frames parse_bench holds in memory, default 100000), DATA (capture path).
# Results (JSON and a summary) go to BUILD_DIR/bench-results/.
set -euo pipefail

BUILD=${1:?usage: bench/run_all.sh BUILD_DIR}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "$BUILD" && pwd)
REPS=${REPS:-10}
RUNS=${RUNS:-10}
COUNT=${COUNT:-1000000}
SLICE=${SLICE:-20000}
FRAMES=${FRAMES:-100000}
DATA=${DATA:-$ROOT/bench/data/mix-$COUNT.pcap}
SLICE_DATA=$ROOT/bench/data/mix-$SLICE.pcap
OUT=$BUILD/bench-results
BIN=$BUILD/bench
ICMPKIT=${ICMPKIT:-$BUILD/src/cli/icmpkit}
mkdir -p "$OUT" "$ROOT/bench/data"
SUMMARY=$OUT/summary.txt
: >"$SUMMARY"
say() { echo "$*" | tee -a "$SUMMARY"; }

# ---- the captures: deterministic per frame index, so the slice is the big file's first frames
if [[ ! -s $DATA ]]; then
    echo "== generating $DATA ($COUNT frames, seed 1)"
    "$BIN/icmpkit-make-capture" --count "$COUNT" --seed 1 "$DATA"
fi
if [[ ! -s $SLICE_DATA ]]; then
    "$BIN/icmpkit-make-capture" --count "$SLICE" --seed 1 "$SLICE_DATA"
fi

say "# icmpkit benchmarks $(date -u +%Y-%m-%dT%H:%MZ) on $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
say "# commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?'), REPS=$REPS RUNS=$RUNS"

GB_FLAGS=(--benchmark_repetitions="$REPS" --benchmark_enable_random_interleaving=true
          --benchmark_report_aggregates_only=true --benchmark_out_format=json)

# ---- Google Benchmarks, repetitions interleaved, medians compared -----------------------------
median() {  # median(file, benchmark name, field) from a Google Benchmark JSON file
    python3 - "$@" <<'EOF'
import json, sys
f, name, field = sys.argv[1:4]
for b in json.load(open(f))["benchmarks"]:
    if b.get("run_name") == name and b.get("aggregate_name") == "median":
        print(b[field]); break
else:
    sys.exit(f"no median for {name} in {f}")
EOF
}
ratio() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.2f}')" "$1" "$2"; }
gbs() { python3 -c "import sys; print(f'{float(sys.argv[1]) / 1e9:.1f}')" "$1"; }

echo "== checksum_bench"
"$BIN/checksum_bench" "${GB_FLAGS[@]}" --benchmark_out="$OUT/checksum.json" >/dev/null
for size in 1500 64 576 9000; do
    ours=$(median "$OUT/checksum.json" "BM_Icmpkit/$size" bytes_per_second)
    mcpy=$(median "$OUT/checksum.json" "BM_Memcpy/$size" bytes_per_second)
    nvec=$(median "$OUT/checksum.json" "BM_Naive/$size" bytes_per_second)
    nplain=$(median "$OUT/checksum.json" "BM_NaiveNoVectorize/$size" bytes_per_second)
    say "checksum $size B: icmpkit $(gbs "$ours") GB/s; memcpy $(gbs "$mcpy") GB/s (ratio $(ratio "$ours" "$mcpy"));" \
        "naive plain $(gbs "$nplain") GB/s (x$(ratio "$ours" "$nplain")); naive g++-vectorised $(gbs "$nvec") GB/s (x$(ratio "$ours" "$nvec"))"
done

echo "== parse_bench ($FRAMES frames of $DATA)"
ICMPKIT_BENCH_CAPTURE=$DATA ICMPKIT_BENCH_FRAMES=$FRAMES \
    "$BIN/parse_bench" "${GB_FLAGS[@]}" --benchmark_out="$OUT/parse.json" >/dev/null
ours=$(median "$OUT/parse.json" BM_IcmpkitValidated items_per_second)
ours_link=$(median "$OUT/parse.json" BM_IcmpkitValidatedUnwrapLink items_per_second)
mpps() { python3 -c "import sys; print(f'{float(sys.argv[1]) / 1e6:.2f}')" "$1"; }
if python3 -c "import json,sys; sys.exit(0 if any(b['run_name']=='BM_TinsValidated' for b in json.load(open(sys.argv[1]))['benchmarks']) else 1)" "$OUT/parse.json"; then
    tins=$(median "$OUT/parse.json" BM_TinsValidated items_per_second)
    say "parse validated: icmpkit $(mpps "$ours") Mpkt/s, with unwrap_link $(mpps "$ours_link") Mpkt/s; libtins $(mpps "$tins") Mpkt/s;" \
        "ratio x$(ratio "$ours" "$tins") (unwrap_link x$(ratio "$ours_link" "$tins"))"
else
    say "parse validated: icmpkit $(mpps "$ours") Mpkt/s (libtins not built: comparison skipped)"
fi
say "value parse: $(mpps "$(median "$OUT/parse.json" BM_IcmpkitValueParse items_per_second)") Mpkt/s;" \
    "emit: $(mpps "$(median "$OUT/parse.json" BM_IcmpkitEmit items_per_second)") Mpkt/s," \
    "$(gbs "$(median "$OUT/parse.json" BM_IcmpkitEmit bytes_per_second)") GB/s"

echo "== sim_bench"
"$BIN/sim_bench" "${GB_FLAGS[@]}" --benchmark_out="$OUT/sim.json" >/dev/null
kps() { python3 -c "import sys; print(f'{float(sys.argv[1]) / 1e3:.0f}')" "$1"; }
say "sim: internet echo round trips $(kps "$(median "$OUT/sim.json" BM_SimEchoRoundTrip items_per_second)") k/s" \
    "($(mpps "$(median "$OUT/sim.json" BM_SimEchoRoundTrip node_receives_per_s)") M node receives/s);" \
    "Time Exceeded $(mpps "$(median "$OUT/sim.json" BM_NodeTimeExceeded items_per_second)") M/s;" \
    "forward $(mpps "$(median "$OUT/sim.json" BM_NodeForward items_per_second)") M/s;" \
    "host echo replies $(mpps "$(median "$OUT/sim.json" BM_NodeEchoReply items_per_second)") M/s"
"$BIN/sim_bench" --memory 10000 | tee -a "$SUMMARY"

echo "== lab vs kernel (flood ping; skipped unless root)"
RUNS=${LAB_RUNS:-9} "$ROOT/bench/lab_vs_kernel.sh" "$ICMPKIT" | tail -1 | sed 's/^lab vs kernel: //; s/^/lab vs kernel: /' | tee -a "$SUMMARY"

echo "== trace vs traceroute/tracepath/mtr/scamper over 8 namespace routers (skipped unless root)"
"$ROOT/bench/trace_vs_peers.sh" "$ICMPKIT" "$BUILD/icmpkit-netns-chain" "$OUT" | tee -a "$SUMMARY"

# ---- whole commands with hyperfine, side by side, same file -----------------------------------
hf_ratio() {  # ratio of the median times: peer (command 2) / ours (command 1)
    python3 - "$1" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
print(f"{r[1]['median'] / r[0]['median']:.2f} (icmpkit {r[0]['median']:.3f} s, peer {r[1]['median']:.3f} s)")
EOF
}
if ! command -v hyperfine >/dev/null; then
    say "decode comparisons: SKIPPED (hyperfine not installed)"
elif [[ ! -x $ICMPKIT ]] || ! "$ICMPKIT" decode --help >/dev/null 2>&1; then
    say "decode vs tcpdump: SKIPPED (no '$ICMPKIT decode')"
    say "decode --json vs tshark -T json: SKIPPED (no '$ICMPKIT decode')"
else
    echo "== hyperfine: icmpkit decode vs tcpdump -nr ($DATA)"
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/decode_tcpdump.json" \
        -n icmpkit "sh -c '\"$ICMPKIT\" decode \"$DATA\" > /dev/null'" \
        -n tcpdump "sh -c 'tcpdump -nr \"$DATA\" > /dev/null 2>&1'" >/dev/null
    say "decode vs tcpdump -nr ($COUNT frames): x$(hf_ratio "$OUT/decode_tcpdump.json")"
    echo "== hyperfine: icmpkit decode --json vs tshark -T json ($SLICE_DATA)"
    hyperfine -N --warmup 1 --runs "$RUNS" --export-json "$OUT/decode_tshark.json" \
        -n icmpkit "sh -c '\"$ICMPKIT\" decode --json \"$SLICE_DATA\" > /dev/null'" \
        -n tshark "sh -c 'tshark -r \"$SLICE_DATA\" -T json > /dev/null 2>&1'" >/dev/null
    say "decode --json vs tshark -T json ($SLICE frames): x$(hf_ratio "$OUT/decode_tshark.json")"
fi
echo "== summary in $SUMMARY"
