#!/usr/bin/env bash
# `icmpkit trace` beside traceroute, tracepath, mtr and scamper over the same chain of 8 Linux
# routers in network namespaces (bench/netns_chain_main.cpp), in one run. Needs root.
#
#   bench/trace_vs_peers.sh ICMPKIT NETNS_CHAIN [OUT_DIR]
#
# Three measurements, each printed as one summary line:
#   1. wall time, clean chain, routers without ICMP rate limits: hyperfine medians and the ratio
#      of each peer's median to ours;
#   2. the same with router 4 silent (it drops its own Time Exceeded);
#   3. hop completeness under the kernel's DEFAULT ICMP rate limits: RUNS_COMPLETE runs of each
#      tool, one after the other in the same chain, counting the runs that found every router and
#      the destination, the median wall time of a run and the wall time of all the runs.
# The runs of measurement 3 follow each other at once, so a router's token bucket (a burst of 6,
# then one a second) is not refilled between them: the later runs of a fast tool find it empty.
# Environment: RUNS (hyperfine runs, default 10), RUNS_COMPLETE (default 20), ROUTERS (default 8),
# ONLY_COMPLETENESS=1 (skip 1 and 2).
set -euo pipefail

ICMPKIT=${1:?usage: bench/trace_vs_peers.sh ICMPKIT NETNS_CHAIN [OUT_DIR]}
CHAIN=${2:?usage: bench/trace_vs_peers.sh ICMPKIT NETNS_CHAIN [OUT_DIR]}
OUT=${3:-/tmp/icmpkit-trace-bench}
RUNS=${RUNS:-10}
RUNS_COMPLETE=${RUNS_COMPLETE:-20}
ROUTERS=${ROUTERS:-8}
mkdir -p "$OUT"

if [[ $(id -u) -ne 0 ]]; then
    echo "trace vs peers: SKIPPED (needs root for network namespaces)"
    exit 0
fi
have_trace=1
"$ICMPKIT" trace --help >/dev/null 2>&1 || have_trace=0

# The commands, run inside the source namespace; $CHAIN_A and $CHAIN_DEST_V4 come from the chain.
# Every tool stops at the destination (-m is the chain length + 1, as a real path has more).
MAXTTL=$((ROUTERS + 2))
tool_cmd() {
    case $1 in
        icmpkit) echo "\"$ICMPKIT\" trace -n -m $MAXTTL \$CHAIN_DEST_V4" ;;
        traceroute) echo "traceroute -n -m $MAXTTL \$CHAIN_DEST_V4" ;;
        tracepath) echo "tracepath -n -m $MAXTTL \$CHAIN_DEST_V4" ;;
        mtr) echo "mtr -r -n -c 1 -m $MAXTTL \$CHAIN_DEST_V4" ;;
        scamper) echo "scamper -O text -c \"trace -m $MAXTTL\" -i \$CHAIN_DEST_V4" ;;
    esac
}
TOOLS=(traceroute tracepath mtr scamper)
[[ $have_trace == 1 ]] && TOOLS=(icmpkit "${TOOLS[@]}")

wall_times() {  # wall_times LABEL CHAIN_ARGS...: hyperfine over every tool inside one chain
    local label=$1
    shift
    local args=()
    for t in "${TOOLS[@]}"; do args+=(-n "$t" "sh -c 'ip netns exec \$CHAIN_A $(tool_cmd "$t") >/dev/null 2>&1'"); done
    "$CHAIN" --routers "$ROUTERS" "$@" -- hyperfine -N --warmup 1 --runs "$RUNS" \
        --export-json "$OUT/trace_$label.json" "${args[@]}" >/dev/null
    python3 - "$OUT/trace_$label.json" "$label" <<'EOF'
import json, sys
r = {x["command"]: x["median"] for x in json.load(open(sys.argv[1]))["results"]}
ours = r.get("icmpkit")
parts = []
for name, m in r.items():
    ratio = f" (x{m / ours:.2f})" if ours and name != "icmpkit" else ""
    parts.append(f"{name} {m:.3f} s{ratio}")
print(f"trace wall time, {sys.argv[2]}: " + "; ".join(parts))
EOF
}

completeness() {  # every tool RUNS_COMPLETE times under default rate limits; full hop lists counted
    local script=$OUT/complete.sh
    {
        echo 'set -u'
        echo 'want="$CHAIN_HOPS_V4 $CHAIN_DEST_V4"'
        for t in "${TOOLS[@]}"; do
            cat <<EOF
full=0; times=""; t0=\$(date +%s.%N)
for i in \$(seq $RUNS_COMPLETE); do
    s=\$(date +%s.%N)
    out=\$(ip netns exec \$CHAIN_A $(tool_cmd "$t") 2>&1 || true)
    e=\$(date +%s.%N)
    times="\$times \$(echo "\$e - \$s" | bc)"
    missing=0
    hops=\$(echo "\$out" | sed 1d)  # the header names the destination: only hop lines count
    for h in \$want; do echo "\$hops" | grep -qw -- "\$h" || missing=1; done
    [ \$missing = 0 ] && full=\$((full + 1))
done
t1=\$(date +%s.%N)
med=\$(echo \$times | tr ' ' '\n' | sort -n | awk '{a[NR]=\$1} END {print a[int((NR+1)/2)]}')
echo "$t \$full/$RUNS_COMPLETE complete, median \${med} s, all runs \$(echo "\$t1 - \$t0" | bc) s"
EOF
        done
    } >"$script"
    "$CHAIN" --routers "$ROUTERS" --kernel-rate-limits -- sh "$script" | paste -sd';' |
        sed 's/;/; /g; s/^/trace completeness, default ICMP rate limits, '"$ROUTERS"' routers: /'
}

if [[ -z ${ONLY_COMPLETENESS:-} ]]; then
    wall_times clean
    wall_times silent-router-4 --silent 4
fi
completeness
