#!/usr/bin/env bash
# W1 side by side: thesis's engine and the numpy reference, same workload (SPEC §7), one run.
#   bench/compare_w1.sh [PATHS]        (default 10,000,000)
# Builds thesis_bench (the default build: it picks AVX-512, AVX2 or portable code at run time),
# runs it twice — the level the CPU allows, and THESIS_SIMD=portable (plain x86-64; same bits) —
# and bench/reference_numpy.py, and prints path-steps per second and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=${1:-10000000}
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target thesis_bench -j "$jobs" >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "SIMD: $(grep -o -E 'avx512f|avx2|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "W1 at $paths paths, 252 steps"
portable=$(THESIS_SIMD=portable build/thesis_bench --paths "$paths" --only w1 --json)
native=$(build/thesis_bench --paths "$paths" --only w1 --json)
numpy=$(/usr/bin/python3 bench/reference_numpy.py --paths "$paths" --chunk 10000 --json)
/usr/bin/python3 - "$portable" "$native" "$numpy" <<'PY'
import json, sys
portable, native = json.loads(sys.argv[1])[0], json.loads(sys.argv[2])[0]
numpy = json.loads(sys.argv[3])
rows = [("thesis (portable x86-64)", portable), (f"thesis ({native['simd']}, run-time pick)", native),
        ("numpy reference", numpy)]
print(f"{'':34} {'seconds':>8} {'path-steps/s':>13} {'peak MiB':>9} {'P(target)':>10} {'P(stop)':>8} {'E[P&L]':>8}")
for name, r in rows:
    print(f"{name:34} {r['seconds']:8.2f} {r['path_steps_per_sec']:13.3e} {r['peak_rss_mib']:9.1f} "
          f"{r['p_target']:10.4f} {r['p_stop']:8.4f} {r['mean_pnl']:8.3f}")
base = numpy["path_steps_per_sec"]
print(f"ratio thesis/numpy: portable x{portable['path_steps_per_sec'] / base:.1f}, "
      f"{native['simd']} x{native['path_steps_per_sec'] / base:.1f}")
PY
