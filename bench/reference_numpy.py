#!/usr/bin/python3
"""Reference implementation of benchmark workload W1 in vectorised, chunked numpy.

W1: GBM in log space, S0 = 770, mu = 0.10/yr, sigma = 0.50/yr, 252 daily steps
(dt = 1/252), discrete monitoring.  Plan: limit buy at 700, then stop at 600 /
target at 1000, else exit at the horizon.

    log S_{k} = log S_{k-1} + (mu - sigma^2/2) dt + sigma sqrt(dt) Z_k,  k = 1..252

Observations are S_1..S_252 (the 252 simulated daily prices).  S0 at step 0 is
NOT an observation: it is today's price, and the limit order can only fill on a
later observed price.  (S0 = 770 > 700 anyway, so this only matters for clarity.)

Rules (all fills at the observed price, so a gap fills beyond the level):
  * entry : first observed step i with S_i <= 700, at price S_i;
  * exits : checked only from step i+1 on; first step j > i with S_j <= 600 (stop)
            or S_j >= 1000 (target), at price S_j;
  * else  : horizon exit at S_252 (a fill on the final step is a horizon exit
            with P&L 0);
  * a path that never fills is 'unfilled' with P&L 0.
P&L is per share: exit price - entry price.

Usage: /usr/bin/python3 bench/reference_numpy.py [--paths N] [--chunk N] [--seed S] [--json]
"""

import argparse
import json
import math
import resource
import time

import numpy as np

S0 = 770.0
MU = 0.10
SIGMA = 0.50
STEPS = 252
DT = 1.0 / STEPS
ENTRY = 700.0
STOP = 600.0
TARGET = 1000.0


def simulate(paths, chunk, seed):
    rng = np.random.Generator(np.random.PCG64(seed))
    drift = (MU - 0.5 * SIGMA * SIGMA) * DT
    vol = SIGMA * math.sqrt(DT)
    log_s0 = math.log(S0)

    chunk = min(chunk, paths)
    # Buffers reused across chunks: one float64 (chunk x 252) price array and two
    # boolean masks of the same shape.
    px_buf = np.empty((chunk, STEPS), dtype=np.float64)
    m1_buf = np.empty((chunk, STEPS), dtype=bool)
    m2_buf = np.empty((chunk, STEPS), dtype=bool)
    cols = np.arange(STEPS)

    n_unfilled = n_target = n_stop = n_horizon = 0
    sum_pnl = sum_pnl2 = 0.0
    sum_entry = 0.0
    sum_st = sum_st2 = 0.0

    done = 0
    while done < paths:
        n = min(chunk, paths - done)
        px, m1, m2 = px_buf[:n], m1_buf[:n], m2_buf[:n]
        rows = np.arange(n)

        # Prices: S = S0 * exp(cumsum(log increments)), built in place.
        rng.standard_normal(out=px)
        px *= vol
        px += drift
        np.cumsum(px, axis=1, out=px)
        px += log_s0
        np.exp(px, out=px)

        s_t = px[:, -1]
        sum_st += s_t.sum()
        sum_st2 += np.dot(s_t, s_t)

        # Entry: first observed price <= 700.
        np.less_equal(px, ENTRY, out=m1)
        filled = m1.any(axis=1)
        fill_idx = m1.argmax(axis=1)          # 0 for unfilled paths; masked by `filled`
        entry = px[rows, fill_idx]

        # Exits: first index strictly after the fill with price <= 600 or >= 1000.
        np.less_equal(px, STOP, out=m1)
        np.greater_equal(px, TARGET, out=m2)
        m1 |= m2
        np.greater(cols, fill_idx[:, None], out=m2)
        m1 &= m2
        hit = m1.any(axis=1) & filled
        exit_idx = np.where(hit, m1.argmax(axis=1), STEPS - 1)
        exit_px = px[rows, exit_idx]

        is_target = hit & (exit_px >= TARGET)
        is_stop = hit & (exit_px <= STOP)
        is_horizon = filled & ~hit

        pnl = np.where(filled, exit_px - entry, 0.0)

        nf = int(filled.sum())
        n_unfilled += n - nf
        n_target += int(is_target.sum())
        n_stop += int(is_stop.sum())
        n_horizon += int(is_horizon.sum())
        sum_pnl += pnl.sum()
        sum_pnl2 += np.dot(pnl, pnl)
        sum_entry += entry[filled].sum()

        done += n

    n_filled = paths - n_unfilled
    mean_pnl = sum_pnl / paths
    var_pnl = max(sum_pnl2 - paths * mean_pnl * mean_pnl, 0.0) / max(paths - 1, 1)
    mean_st = sum_st / paths
    var_st = max(sum_st2 - paths * mean_st * mean_st, 0.0) / max(paths - 1, 1)
    return {
        "unfilled": n_unfilled,
        "target": n_target,
        "stop": n_stop,
        "horizon": n_horizon,
        "mean_pnl": mean_pnl,
        "std_pnl": math.sqrt(var_pnl),
        "se_pnl": math.sqrt(var_pnl / paths),
        "mean_entry": sum_entry / n_filled if n_filled else float("nan"),
        "mean_st": mean_st,
        "se_st": math.sqrt(var_st / paths),
    }


def main():
    ap = argparse.ArgumentParser(description="W1 reference (vectorised, chunked numpy)")
    ap.add_argument("--paths", type=int, default=10_000_000)
    ap.add_argument("--chunk", type=int, default=100_000,
                    help="paths per chunk (memory ~ chunk x 252 x 10 bytes)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print one JSON object")
    args = ap.parse_args()
    if args.paths < 1 or args.chunk < 1:
        ap.error("--paths and --chunk must be positive")

    t0 = time.perf_counter()
    r = simulate(args.paths, args.chunk, args.seed)
    seconds = time.perf_counter() - t0
    rss_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0  # KiB on Linux

    n = args.paths
    st_closed = S0 * math.exp(MU)
    out = {
        "paths": n,
        "steps": STEPS,
        "seed": args.seed,
        "chunk": min(args.chunk, n),
        "seconds": seconds,
        "path_steps_per_sec": n * STEPS / seconds,
        "peak_rss_mib": rss_mib,
        "count_unfilled": r["unfilled"],
        "count_target": r["target"],
        "count_stop": r["stop"],
        "count_horizon": r["horizon"],
        "p_unfilled": r["unfilled"] / n,
        "p_target": r["target"] / n,
        "p_stop": r["stop"] / n,
        "p_horizon": r["horizon"] / n,
        "mean_pnl": r["mean_pnl"],
        "se_pnl": r["se_pnl"],
        "std_pnl": r["std_pnl"],
        "mean_entry_filled": r["mean_entry"],
        "mean_st": r["mean_st"],
        "se_st": r["se_st"],
        "mean_st_closed_form": st_closed,
        "mean_st_z": (r["mean_st"] - st_closed) / r["se_st"] if r["se_st"] > 0 else 0.0,
    }

    if args.json:
        print(json.dumps(out))
        return

    print(f"W1 numpy reference: paths={n} steps={STEPS} seed={args.seed} chunk={out['chunk']}")
    print(f"seconds            {seconds:.3f}")
    print(f"path-steps/s       {out['path_steps_per_sec']:.4g}")
    print(f"peak RSS           {rss_mib:.1f} MiB")
    for k in ("unfilled", "target", "stop", "horizon"):
        print(f"{k:<18} {r[k]:>10d}  p={r[k] / n:.6f}")
    print(f"mean P&L/share     {r['mean_pnl']:.4f} +/- {r['se_pnl']:.4f} (se)")
    print(f"std P&L/share      {r['std_pnl']:.4f}")
    print(f"mean entry (filled) {r['mean_entry']:.4f}")
    print(f"mean S_T           {r['mean_st']:.4f} +/- {r['se_st']:.4f} (se)")
    print(f"E[S_T] closed form {st_closed:.4f}  (770*e^0.10; z = {out['mean_st_z']:+.2f})")


if __name__ == "__main__":
    main()
