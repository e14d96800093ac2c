#!/usr/bin/python3
"""Every command's machine output loads into pandas as it is, without options.

For each command, `--format csv -o DIR/` and `--format records -o DIR/` write every table (part)
of its output; each file must load with plain `pandas.read_csv(path)` / `pandas.read_json(path)`
into the same rectangular table: the header's columns, one row per record, no "Unnamed" column
(the sign of a comment line or a second block), and the same numbers in both forms. The nested
document (`--format json`) must parse as JSON. Usage: pandas_load.py PATH/TO/thesis SOURCE_DIR
"""
import json
import math
import os
import subprocess
import sys
import tempfile

import pandas as pd

thesis, source = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
seed_file = os.path.join(source, "scenarios", "nvda-china.yaml")
short_file = os.path.join(source, "scenarios", "coastal-coffee-short.yaml")
paths = ["--paths", "2048"]
commands = {
    "run": ["run", seed_file, *paths],
    "run_policies": ["run", seed_file, "--policies", *paths],
    "run_short": ["run", short_file, *paths],
    "run_turnaround": ["run", os.path.join(source, "scenarios", "foundry-turnaround.yaml"), *paths],
    "run_no_simulation": ["run", "--no-simulation"],
    "table": ["table", "--plan", "aggressive"],
    "odds": ["odds", "--spot", "770", "--stop", "600", "--target", "1000", "--vol", "50%", *paths],
    "check": ["check", "--paths", "4096"],
    "sweep": ["sweep", "--set", "plans.aggressive.stop=580:640:20",
              "--metric", "aggressive.p_stop,aggressive.pnl_per_share", "--versus-base", *paths],
    "sweep_grid": ["sweep", "--set", "plans.aggressive.stop=600,650,710", "--set", "model.volatility=30%:50%:20%",
                   "--metric", "aggressive.pnl_per_share", *paths],
    "list_metrics": ["sweep", "--list-metrics"],
    "sensitivity": ["sensitivity", "--metric", "aggressive.pnl_per_share", "--paths", "256"],
    "hedge": ["hedge", "--plan", "aggressive", *paths],
    "hedge_short_strikes": ["hedge", short_file, "--plan", "short", "--strikes", "90:100:5", *paths],
    "calibrate": ["calibrate", os.path.join(source, "tests", "data", "prices", "goog-2004-2008.csv")],
    "solve": ["solve", "--vary", "plans.aggressive.stop", "--between", "560", "660",
              "--metric", "aggressive.risk_per_share", "--target", "70"],
}

failures = []
loaded = 0


def check(name, condition, message):
    if not condition:
        failures.append(f"{name}: {message}")
    return condition


def run(args, cwd):
    done = subprocess.run([thesis, *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        failures.append(f"{' '.join(args)}: exit {done.returncode}: {done.stderr.strip()[:300]}")
    return done


def same(a, b):
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or a == b or abs(a - b) <= 1e-12 * max(1.0, abs(a))
    return str(a) == str(b)


with tempfile.TemporaryDirectory() as work:
    for name, args in commands.items():
        nested = run([*args, "--format", "json"], work)
        if nested.returncode == 0:
            try:
                json.loads(nested.stdout)
            except json.JSONDecodeError as e:
                failures.append(f"{name}: --format json is not JSON: {e}")
        os.makedirs(os.path.join(work, name))   # -o DIR/ makes DIR in an existing folder
        csv_dir = os.path.join(work, name, "csv") + "/"
        records_dir = os.path.join(work, name, "records") + "/"
        if run([*args, "--format", "csv", "-o", csv_dir], work).returncode != 0:
            continue
        if run([*args, "--format", "records", "-o", records_dir], work).returncode != 0:
            continue
        parts = sorted(f[:-4] for f in os.listdir(csv_dir))
        check(name, parts == sorted(f[:-5] for f in os.listdir(records_dir)), "csv and records parts differ")
        check(name, len(parts) > 0, "no parts written")
        for part in parts:
            where = f"{name}/{part}"
            csv_path = os.path.join(csv_dir, part + ".csv")
            lines = open(csv_path, encoding="utf-8").read().split("\n")
            header = lines[0].split(",")
            check(where, not lines[0].startswith("#"), "a comment line before the header")
            check(where, "" not in lines[:-1], "a blank line: more than one table in the file")
            table = pd.read_csv(csv_path)
            records = pd.read_json(os.path.join(records_dir, part + ".json"))
            loaded += 2
            check(where, not any(str(c).startswith("Unnamed") for c in table.columns),
                  f"an unnamed column (a comment or second block?): {list(table.columns)}")
            check(where, len(table.columns) == len(header), f"{len(table.columns)} columns, header has {len(header)}")
            check(where, len(table) > 0, "no rows")
            if not check(where, list(records.columns) == list(table.columns),
                         f"records columns {list(records.columns)} differ from CSV's {list(table.columns)}"):
                continue
            check(where, len(records) == len(table), f"{len(records)} records, {len(table)} CSV rows")
            for column in table.columns:
                for i, (a, b) in enumerate(zip(table[column].tolist(), records[column].tolist())):
                    a = None if isinstance(a, float) and math.isnan(a) else a
                    b = None if isinstance(b, float) and math.isnan(b) else b
                    if a is None or b is None:
                        check(where, a is None and b is None, f"row {i} {column}: {a!r} vs {b!r}")
                    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
                        check(where, same(float(a), float(b)), f"row {i} {column}: {a!r} vs {b!r}")

for f in failures:
    print("FAIL", f)
print(f"pandas: {loaded} files loaded, {len(failures)} failures")
sys.exit(1 if failures else 0)
