#!/usr/bin/env bash
# capsim and SimPy side by side on the same M/M/c queue: c = 8 servers,
# exponential service of mean 10 ms, Poisson arrivals at 640/s (rho = 0.8),
# the same number of customers (default 1,000,000).
#
#   bash benches/compare_simpy.sh [CUSTOMERS]
#
# Sets up a throw-away virtualenv in target/simpy-venv (SIMPY_VENV overrides;
# `cargo clean` removes it) with SimPy from PyPI, builds capsim in release
# mode, then times
#   - `capsim run models/examples/mmc.toml` on a scenario of
#     CUSTOMERS / 640 seconds without warm-up (the whole command: start-up,
#     loading, simulation, writing summary.json and timeseries.csv; median
#     of 3 runs), and
#   - benches/simpy_mmc.py CUSTOMERS (only `env.run()`),
# and prints both rates in customers per second of wall time and their ratio.
set -euo pipefail
cd "$(dirname "$0")/.."

customers="${1:-1000000}"
rate=640
venv="${SIMPY_VENV:-target/simpy-venv}"

if [ ! -x "$venv/bin/python" ]; then
    echo "creating virtualenv $venv" >&2
    python3 -m venv "$venv"
fi
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check 'simpy>=4.1,<5'
py="$venv/bin/python"

echo "building capsim (release)" >&2
cargo build --release --quiet
capsim=target/release/capsim

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
duration_s="$(awk -v n="$customers" -v r="$rate" 'BEGIN { printf "%.3f", n / r }')"
interval_s="$(awk -v d="$duration_s" 'BEGIN { printf "%.3f", d / 10 }')"
cat >"$tmp/scenario.toml" <<EOF
name = "simpy-comparison"
description = "M/M/c at rho = 0.8 for about $customers customers"
duration = "${duration_s}s"
warmup = "0s"
seed = 42
interval = "${interval_s}s"

[workload]
type = "open"
rate = $rate
EOF

now_ns() { date +%s%N; }

echo "timing capsim ($customers customers, ${duration_s} simulated seconds)" >&2
capsim_walls=()
for _ in 1 2 3; do
    t0="$(now_ns)"
    "$capsim" run models/examples/mmc.toml --scenario "$tmp/scenario.toml" \
        --out "$tmp/out" --quiet
    t1="$(now_ns)"
    capsim_walls+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }')")
done
capsim_wall="$(printf '%s\n' "${capsim_walls[@]}" | sort -g | sed -n 2p)"
read -r capsim_n capsim_wait capsim_resp < <("$py" -c '
import json, sys
s = json.load(open(sys.argv[1]))
r = s["requests"]
print(r["completed"] + r["failed"] + r["in_flight_at_end"], s["wait_ms"]["mean"], s["latency_ms"]["mean"])
' "$tmp/out/summary.json")

echo "timing SimPy ($customers customers)" >&2
simpy_line="$("$py" benches/simpy_mmc.py "$customers")"
field() { printf '%s\n' "$simpy_line" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
simpy_n="$(field customers)"
simpy_wall="$(field wall_s)"

echo
echo "M/M/c, c = 8, mean service 10 ms, lambda = 640/s (rho = 0.8); Erlang C mean wait $(field erlang_c_wait_ms) ms"
awk -v cn="$capsim_n" -v cw="$capsim_wall" -v cwait="$capsim_wait" -v cresp="$capsim_resp" \
    -v sn="$simpy_n" -v sw="$simpy_wall" -v swait="$(field mean_wait_ms)" -v sresp="$(field mean_response_ms)" \
    -v sv="$(field simpy)" -v pv="$(field python)" -v walls="${capsim_walls[*]}" 'BEGIN {
    cr = cn / cw; sr = sn / sw
    printf "capsim  %9d customers in %8.3f s wall = %12.0f customers/s  (whole `capsim run`, median of 3: %s s; mean wait %.3f ms, response %.3f ms)\n", cn, cw, cr, walls, cwait, cresp
    printf "SimPy   %9d customers in %8.3f s wall = %12.0f customers/s  (env.run() only; SimPy %s, Python %s; mean wait %.3f ms, response %.3f ms)\n", sn, sw, sr, sv, pv, swait, sresp
    printf "capsim / SimPy = %.1fx\n", cr / sr
}'
