#!/usr/bin/env bash
# MDA probes per path found on the simulator's ECMP topologies, against the MDA stopping rule's
# minimum (Augustin et al., IMC 2007): an interface with k successors cannot be closed with fewer
# than n_k probes through it (n_1 = 6, n_2 = 11, n_3 = 16, n_4 = 21 at 95%), so a graph costs at
# least the sum of n_k over its interfaces (and the source). Node control (finding flows that
# reach a given interface) is what MDA spends above that minimum.
#   bench/mda_cost.sh [ICMPKIT_BINARY] [SEEDS]
set -euo pipefail
BIN=${1:-build/release/src/cli/icmpkit}
SEEDS=${2:-20}
for topo in diamond ecmp internet; do
  for seed in $(seq 1 "$SEEDS"); do
    "$BIN" trace --mda --json --sim="$topo" --seed="$seed" h1
  done | python3 -c '
import json, sys
nk = {0: 1, 1: 6, 2: 11, 3: 16, 4: 21, 5: 27, 6: 33, 7: 38, 8: 44}  # IMC 2007, 95%
topo = sys.argv[1]
runs = [json.loads(l) for l in sys.stdin if l.strip()]
probes = sum(r["probes"] for r in runs) / len(runs)
paths = sum(r["paths"] for r in runs) / len(runs)
complete = sum(1 for r in runs if r["complete"] and r["reached"])
r = runs[0]
succ = {}
for l in r["links"]:
    succ.setdefault((l["ttl"] - 1, l["from_index"]), set()).add(l["to_index"])
bound = sum(nk[len(s)] for s in succ.values())
print(f"{topo:9s} runs {len(runs):3d}  paths {paths:4.1f}  probes {probes:6.1f}  "
      f"probes/path {probes / paths:5.1f}  stopping-rule minimum {bound:3d}  "
      f"ratio {probes / bound:4.2f}  complete {complete}/{len(runs)}")
' "$topo"
done
