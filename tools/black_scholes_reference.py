#!/usr/bin/env python3
"""Reference Black–Scholes–Merton prices and greeks at 40 digits (mpmath), for
tests/math/test_black_scholes.cpp. An independent evaluation of the closed forms (Hull §17.4,
§19; Haug §1.1, §2.1): the test checks the C++ against these to 1e-10, and against the published
values at their printed precision.

    python3 tools/black_scholes_reference.py
"""
from mpmath import mp, mpf, log, sqrt, exp, ncdf, npdf

mp.dps = 40


def bsm(call, S, K, T, r, q, v):
    S, K, T, r, q, v = map(mpf, (S, K, T, r, q, v))
    sd = v * sqrt(T)
    d1 = (log(S / K) + (r - q + v * v / 2) * T) / sd
    d2 = d1 - sd
    s = 1 if call else -1
    price = s * (S * exp(-q * T) * ncdf(s * d1) - K * exp(-r * T) * ncdf(s * d2))
    delta = s * exp(-q * T) * ncdf(s * d1)
    gamma = exp(-q * T) * npdf(d1) / (S * sd)
    vega = S * exp(-q * T) * npdf(d1) * sqrt(T)
    theta = (-S * exp(-q * T) * npdf(d1) * v / (2 * sqrt(T)) - s * r * K * exp(-r * T) * ncdf(s * d2)
             + s * q * S * exp(-q * T) * ncdf(s * d1))
    rho = s * T * K * exp(-r * T) * ncdf(s * d2)
    return price, delta, gamma, vega, theta, rho


CASES = [  # name, call?, S, K, T, r, q, vol
    ("hull_call", True, 42, 40, 0.5, 0.1, 0, 0.2),
    ("hull_put", False, 42, 40, 0.5, 0.1, 0, 0.2),
    ("haug_gbsm_call", True, 60, 65, 0.25, 0.08, 0, 0.3),
    ("haug_merton_put", False, 100, 95, 0.5, 0.1, 0.05, 0.2),
    ("haug_delta_call", True, 105, 100, 0.5, 0.1, 0.1, 0.36),
    ("haug_delta_put", False, 105, 100, 0.5, 0.1, 0.1, 0.36),
    ("haug_gamma_vega_call", True, 55, 60, 0.75, 0.1, 0, 0.3),
    ("haug_theta_put", False, 430, 405, mpf(1) / 12, 0.07, 0.05, 0.2),
    ("haug_rho_call", True, 72, 75, 1, 0.09, 0, 0.19),
]

if __name__ == "__main__":
    for name, *args in CASES:
        print(name, ", ".join(mp.nstr(x, 17) for x in bsm(*args)))
