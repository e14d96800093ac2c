#!/usr/bin/env bash
# W1 side by side: thesis's engine and the numpy reference, same workload (SPEC §7), one run.
#   bench/compare_w1.sh [PATHS]        (default 10,000,000)
# Builds thesis_bench and thesis (the default build: it picks AVX-512, AVX2 or portable code at
# run time), runs the engine twice — the level the CPU allows, and THESIS_SIMD=portable (plain
# x86-64; same bits) — then `thesis run bench/w1.yaml` as a user runs it (the whole process:
# loading, the run, the report's statistics, JSON out) and bench/reference_numpy.py, each whole
# process timed by /usr/bin/time; prints path-steps per second and the ratios.
set -euo pipefail
cd "$(dirname "$0")/.."
paths=${1:-10000000}
jobs=$(nproc)
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build --target thesis_bench thesis -j "$jobs" >/dev/null

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "SIMD: $(grep -o -E 'avx512f|avx2|sse4_2' /proc/cpuinfo | sort -u | tr '\n' ' ')"
echo "W1 at $paths paths, 252 steps"
portable=$(THESIS_SIMD=portable build/thesis_bench --paths "$paths" --only w1 --json)
native=$(build/thesis_bench --paths "$paths" --only w1 --json)
# The roofline: the same count of normals, generated and summed, nothing else.
roofline=$(build/thesis_bench --paths "$paths" --only rng --json)
timing=$(mktemp)
trap 'rm -f "$timing"' EXIT
# The whole process: wall seconds and peak resident KiB, from /usr/bin/time.
run=$(/usr/bin/time -f "%e %M" -o "$timing" build/thesis run bench/w1.yaml --paths "$paths" --format json)
run_time=$(cat "$timing")
numpy=$(/usr/bin/time -f "%e %M" -o "$timing" /usr/bin/python3 bench/reference_numpy.py --paths "$paths" --chunk 10000 --json)
numpy_time=$(cat "$timing")
/usr/bin/python3 - "$portable" "$native" "$numpy" "$run" "$run_time" "$numpy_time" "$paths" "$roofline" <<'PY'
import json, sys
portable, native = json.loads(sys.argv[1])[0], json.loads(sys.argv[2])[0]
numpy = json.loads(sys.argv[3])
run = json.loads(sys.argv[4])["simulation"]["plans"][0]
(run_wall, run_kib), (numpy_wall, numpy_kib) = (map(float, a.split()) for a in sys.argv[5:7])
steps = int(sys.argv[7]) * 252
roofline = json.loads(sys.argv[8])[0]
rows = [("thesis (portable x86-64)", portable), (f"thesis ({native['simd']}, run-time pick)", native),
        ("numpy reference", numpy)]
print(f"{'':34} {'seconds':>8} {'path-steps/s':>13} {'peak MiB':>9} {'P(target)':>10} {'P(stop)':>8} {'E[P&L]':>8}")
for name, r in rows:
    print(f"{name:34} {r['seconds']:8.2f} {r['path_steps_per_sec']:13.3e} {r['peak_rss_mib']:9.1f} "
          f"{r['p_target']:10.4f} {r['p_stop']:8.4f} {r['mean_pnl']:8.3f}")
base = numpy["path_steps_per_sec"]
print(f"ratio thesis/numpy: portable x{portable['path_steps_per_sec'] / base:.1f}, "
      f"{native['simd']} x{native['path_steps_per_sec'] / base:.1f}")
print(f"{native['simd']} W1 against the generator's roofline ({roofline['path_steps_per_sec']:.3e} normals/s, "
      f"thesis_bench --only rng): {native['path_steps_per_sec'] / roofline['path_steps_per_sec']:.0%} nominal")
print("whole process (/usr/bin/time):")
print(f"  thesis run bench/w1.yaml --format json {run_wall:8.2f} s {steps / run_wall:13.3e} path-steps/s "
      f"{run_kib / 1024:7.1f} MiB  P(target) {run['p_target']['estimate']:.4f}"
      f" E[P&L] {run['pnl_per_share']['estimate']:.3f}")
print(f"  python3 bench/reference_numpy.py       {numpy_wall:8.2f} s {steps / numpy_wall:13.3e} path-steps/s "
      f"{numpy_kib / 1024:7.1f} MiB")
print(f"ratio thesis/numpy, whole process: x{numpy_wall / run_wall:.1f}")
# The same thesis as the engine's W1 (same seed): the same bits.
same = run["p_target"]["estimate"] == native["p_target"] and run["pnl_per_share"]["estimate"] == native["mean_pnl"]
print(f"thesis run gives the engine's W1 bit for bit: {'yes' if same else 'NO'}")
PY
