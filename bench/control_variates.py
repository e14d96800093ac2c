#!/usr/bin/env python3
"""How much the horizon price would help as a control variate on W1 (issue 19).

A control variate X with a known mean cuts an estimator's variance by 1/(1 - rho^2), rho the
correlation of X with the per-path outcome Y (Glasserman, Monte Carlo Methods in Financial
Engineering, 2004, section 4.1). The horizon price S_T has a known mean under every price model,
so it is the control every plan could use; this measures rho for W1's outcomes (SPEC section 7:
GBM, drift 10%, volatility 50%, limit 700 from 770, stop 600, target 1000, daily closes, one
year), path by path as the engine plays them: exits from the close after the fill, the stop first.

Usage: /usr/bin/python3 bench/control_variates.py [--paths N] [--seed S]
"""
import argparse

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--paths", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    n, steps, dt, mu, sigma = args.paths, 252, 1 / 252, 0.10, 0.50
    limit, stop, target = np.log(700), np.log(600), np.log(1000)
    x = np.log(770) + np.cumsum((mu - 0.5 * sigma**2) * dt + sigma * np.sqrt(dt) * rng.standard_normal((n, steps)), axis=1)
    horizon_price = np.exp(x[:, -1])

    filled = np.zeros(n, bool)
    done = np.zeros(n, bool)
    hit_target = np.zeros(n, bool)
    entry = np.zeros(n)
    pnl = np.zeros(n)
    for k in range(steps):
        close = x[:, k]
        active = filled & ~done  # exits from the close after the fill
        stopped = active & (close <= stop)
        targeted = active & ~stopped & (close >= target)
        exits = stopped | targeted
        pnl[exits] = np.exp(close[exits]) - entry[exits]
        hit_target |= targeted
        done |= exits
        fills = ~filled & (close <= limit)
        entry[fills] = np.exp(close[fills])
        filled |= fills
    open_at_horizon = filled & ~done
    pnl[open_at_horizon] = horizon_price[open_at_horizon] - entry[open_at_horizon]

    print(f"W1, {n:,} paths, seed {args.seed}: control variate S_T (its mean known in closed form)")
    for name, y in (("P(target)", hit_target), ("P(stop)", filled & done & ~hit_target), ("E[P&L]", pnl)):
        rho = np.corrcoef(y.astype(float), horizon_price)[0, 1]
        print(f"  {name:10} mean {y.mean():9.4f}  rho {rho:+.3f}  variance reduction x{1 / (1 - rho * rho):.2f}")


if __name__ == "__main__":
    main()
