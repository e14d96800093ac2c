#!/usr/bin/python3
"""The numpy reference of W1 (bench/reference_numpy.py) and thesis's engine (thesis_bench) agree
within Monte Carlo error: each outcome probability and the mean P&L per share, |z| < 4 with the
standard error of a difference of two independent estimates.

Usage: numpy_agreement.py PATH/TO/thesis_bench SOURCE_DIR [PATHS]
"""
import json
import math
import subprocess
import sys

bench, source = sys.argv[1], sys.argv[2]
paths = int(sys.argv[3]) if len(sys.argv) > 3 else 100_000
ours = json.loads(subprocess.check_output([bench, "--paths", str(paths), "--only", "w1", "--json"]))[0]
ref = json.loads(subprocess.check_output(
    ["/usr/bin/python3", f"{source}/bench/reference_numpy.py", "--paths", str(paths), "--seed", "7",
     "--chunk", "10000", "--json"]))
failed = 0
for key in ("p_unfilled", "p_target", "p_stop", "p_horizon"):
    a, b = ours[key], ref[key]
    p = (a + b) / 2
    se = math.sqrt(max(p * (1 - p), 1e-12) * 2 / paths)
    z = (a - b) / se
    ok = abs(z) < 4
    failed += not ok
    print(f"{key:10} thesis {a:.5f} numpy {b:.5f} z {z:+.2f} {'ok' if ok else 'FAIL'}")
se = math.hypot(ours["se_pnl"], ref["se_pnl"])
z = (ours["mean_pnl"] - ref["mean_pnl"]) / se
failed += abs(z) >= 4
print(f"mean P&L   thesis {ours['mean_pnl']:.3f} numpy {ref['mean_pnl']:.3f} z {z:+.2f} "
      f"{'ok' if abs(z) < 4 else 'FAIL'}")
print(f"numpy agreement: {5 - failed} passed, {failed} failed")
sys.exit(1 if failed else 0)
