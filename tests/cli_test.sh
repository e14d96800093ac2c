#!/usr/bin/env bash
# End-to-end tests of the thesis binary on the shipped scenario files: output, formats, exit
# codes, atomic -o and bad input. Usage: cli_test.sh PATH/TO/thesis SOURCE_DIR
set -u
thesis=$1
src=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
passed=0
failed=0

# expect NAME EXPECTED_RC COMMAND...: runs the command, keeps stdout/stderr in $out/$err.
expect() {
    local name=$1 want=$2
    shift 2
    "$@" >"$work/stdout" 2>"$work/stderr"
    rc=$?
    out=$(cat "$work/stdout")
    err=$(cat "$work/stderr")
    if [ "$rc" -ne "$want" ]; then
        echo "FAIL $name: exit $rc, wanted $want"; echo "$err" | head -5
        failed=$((failed + 1))
        return 1
    fi
    return 0
}
ok() { passed=$((passed + 1)); }
fail() { echo "FAIL $1"; failed=$((failed + 1)); }
has() { # has NAME TEXT PATTERN
    if grep -qF -- "$3" <<<"$2"; then ok; else fail "$1: missing '$3'"; fi
}
no_nan() { # no_nan NAME TEXT: no NaN or infinity in any spelling (nan, -nan, inf, NaN, Infinity)
    if grep -qiE '(^|[^a-z])-?(nan|inf|infinity)([^a-z]|$)' <<<"$2"; then
        fail "$1: NaN or infinity in the output: $(grep -m1 -iE '(^|[^a-z])-?(nan|inf|infinity)([^a-z]|$)' <<<"$2" | cut -c1-160)"
    else ok; fi
}
no_temp() { # no_temp NAME: no temporary file of an atomic write left in $work
    if ls -a "$work" | grep -q '\.tmp\.'; then fail "$1: temp file left"; else ok; fi
}

# --- run: the seed's thesis, built in and from the file ---
expect "run built-in" 0 "$thesis" run && {
    has "run verdict" "$out" "Verdict: probability-weighted price"
    has "run spot" "$out" '$769.23'
    has "run bear multiple" "$out" "31.2x"
    has "run sector price" "$out" '$369.82'
    has "run eps growth" "$out" "+30.0%"
    has "run audit" "$out" "stop-gap:"
}
expect "run file" 0 "$thesis" run "$src/scenarios/nvda-china.yaml" && ok
expect "run second example" 0 "$thesis" run "$src/scenarios/coastal-coffee-short.yaml" && ok
expect "run turnaround" 0 "$thesis" run "$src/scenarios/foundry-turnaround.yaml" --paths 4096 && {
    has "turnaround no P/E" "$out" "P/E (not meaningful: a loss)            n/m"
    has "turnaround forward" "$out" "forward P/E = price / forward EPS     47.8x"
    has "turnaround unlock EPS" "$out" "EPS the \$6.00B unlock adds"
    has "turnaround hedge row" "$out" "hedge P&L"
    no_nan "turnaround no nan" "$out"
}
expect "turnaround pe and eps" 2 "$thesis" run "$src/scenarios/foundry-turnaround.yaml" --no-simulation --set stock.pe=20 && has "pe and eps msg" "$err" "give either pe or eps"
expect "turnaround fundamentals" 2 "$thesis" run "$src/scenarios/foundry-turnaround.yaml" --no-simulation --set model.kind=fundamentals && has "fundamentals loss msg" "$err" "a loss has no P/E to move"
expect "turnaround eps_change" 2 "$thesis" run "$src/scenarios/foundry-turnaround.yaml" --no-simulation --set scenarios.recovery.eps_change=20% && has "eps_change loss msg" "$err" "means nothing"
# `-` reads the scenario file from standard input (the function's stdin is the file).
from_stdin() { "$@" <"$src/scenarios/coastal-coffee-short.yaml"; }
expect "run from stdin" 0 from_stdin "$thesis" run - --paths 2000 && has "run from stdin names it" "$out" "(<stdin>)"
expect "sweep from stdin" 0 from_stdin "$thesis" sweep - --set plans.short.stop=95,100 --metric short.p_stop --paths 1024 && has "sweep from stdin" "$out" "<stdin>"
expect "run from empty stdin" 2 "$thesis" run - </dev/null && has "empty stdin msg" "$err" "<stdin>:1:1: expected a scenario file"
expect "run --scenario" 0 "$thesis" run --scenario bear && {
    has "scenario bear" "$out" "bear"
    if grep -q "^  bull" <<<"$out"; then fail "scenario filter shows bull"; else ok; fi
}
expect "run --scenario unknown" 2 "$thesis" run --scenario beer && has "scenario hint" "$err" "did you mean 'bear'"

# --- formats ---
expect "run json" 0 "$thesis" run --format json && {
    if python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["command"]=="run"; assert len(d["scenarios"])==4' <<<"$out"; then ok; else fail "json shape"; fi
}
expect "run csv" 0 "$thesis" run --format csv --part scenarios && has "csv header" "$out" "scenario,probability,price_usd"
expect "run markdown" 0 "$thesis" run --format markdown && has "markdown table" "$out" "| ---: |"
expect "bad format" 2 "$thesis" run --format xml && ok

# --- table ---
expect "table aggressive" 0 "$thesis" table --plan aggressive && {
    has "table R" "$out" "3.00R"
    has "table breakeven" "$out" "25.0%"
    has "table stop row" "$out" "(stop)"
    has "table bear row" "$out" "bear"
}
expect "table grid" 0 "$thesis" table --plan aggressive --from 500 --to 700 --step 100 --format csv && {
    rows=$(grep -c '^[^,]*,\(500\|600\|700\),' <<<"$out")
    if [ "$rows" -eq 3 ]; then ok; else fail "table grid rows: $rows"; fi
}
expect "table short" 0 "$thesis" table "$src/scenarios/coastal-coffee-short.yaml" --plan short && has "short side" "$out" "short"
expect "table --set" 0 "$thesis" table --plan aggressive --set plans.aggressive.stop=550 && has "set stop" "$out" '$550.00'
expect "table unknown plan" 2 "$thesis" table --plan agressive && has "plan hint" "$err" "did you mean 'aggressive'"
expect "table no plan" 2 "$thesis" table && ok
expect "table bad step" 2 "$thesis" table --plan aggressive --step 0 && has "step error" "$err" "--step"

# --- -o: atomic, never over the input, never half a file ---
expect "output file" 0 "$thesis" run --format json -o "$work/out.json" && {
    if python3 -m json.tool "$work/out.json" >/dev/null; then ok; else fail "out.json not JSON"; fi
    if ls -a "$work" | grep -q '\.tmp\.'; then fail "temp file left"; else ok; fi
}
expect "output missing folder" 1 "$thesis" run -o "$work/no/such/dir/out.txt" && {
    has "missing folder message" "$err" "No such file or directory"
    if ls -a "$work" | grep -q '\.tmp\.'; then fail "temp file left"; else ok; fi
}
cp "$src/scenarios/nvda-china.yaml" "$work/input.yaml"
expect "output over input" 2 "$thesis" run "$work/input.yaml" -o "$work/input.yaml" && {
    if cmp -s "$src/scenarios/nvda-china.yaml" "$work/input.yaml"; then ok; else fail "input overwritten"; fi
}

# --- bad input: exit 2, one line naming file:line:column, no output file ---
for bad in "$src"/tests/data/bad/*.yaml; do
    name=$(basename "$bad" .yaml)
    rm -f "$work/bad.out"
    expect "bad $name" 2 "$thesis" run "$bad" -o "$work/bad.out" && {
        if [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "$name.yaml:[0-9]*:[0-9]*: " <<<"$err"; then ok
        else fail "bad $name message: $err"; fi
        if [ -e "$work/bad.out" ]; then fail "bad $name wrote output"; else ok; fi
    }
done
expect "missing file" 2 "$thesis" run "$work/nope.yaml" && has "missing file message" "$err" "nope.yaml"

# --- numeric edges (docs/numeric-limits.md, "Numeric edges"): each file in tests/data/edges/ either fails like a
#     bad input (its first line is "# expect: MESSAGE") or ("# expect: ok") gives output without
#     NaN or infinity in every format of run, table --plan, and sweep ---
formats="table csv json markdown"
for f in "$src"/tests/data/edges/*.yaml; do
    name=$(basename "$f" .yaml)
    want=$(head -1 "$f" | sed 's/^# expect: //')
    if [ "$want" != ok ]; then
        echo "previous" >"$work/edge.out"
        expect "edge $name" 2 "$thesis" run "$f" -o "$work/edge.out" && {
            if [ "$(wc -l <<<"$err")" -eq 1 ] && grep -q "$name.yaml:[0-9]*:[0-9]*: " <<<"$err"; then ok
            else fail "edge $name: not one line naming file:line:column: $err"; fi
            has "edge $name message" "$err" "$want"
            if [ "$(cat "$work/edge.out")" = previous ]; then ok; else fail "edge $name changed -o file"; fi
        }
        continue
    fi
    plans=$(awk '/^plans:/ {p = 1; next} /^[^ #]/ {p = 0} p && /^  [a-z_]+:/ {sub(":", "", $1); print $1}' "$f")
    first=$(head -1 <<<"$plans")
    for fmt in $formats; do
        expect "edge $name run $fmt" 0 "$thesis" run "$f" --format "$fmt" && no_nan "edge $name run $fmt" "$out"
        for plan in $plans; do
            expect "edge $name table $plan $fmt" 0 "$thesis" table "$f" --plan "$plan" --format "$fmt" &&
                no_nan "edge $name table $plan $fmt" "$out"
        done
    done
    for fmt in csv table; do
        expect "edge $name sweep $fmt" 0 "$thesis" sweep "$f" --paths 16 --set model.volatility=0.1,0.5 \
            --metric "$first.pnl_per_share,$first.expectancy_r,$first.p_loss,$first.es99,$first.profit_factor,$first.kelly,$first.reward_risk" \
            --versus-base --format "$fmt" && no_nan "edge $name sweep $fmt" "$out"
    done
done

# The same edges on the seed's thesis through --set: an error names the key and the command line
# (exit 2, one line; the format does not matter, so once); a result has no NaN or infinity in any
# format.
# edge NAME WANT_RC MESSAGE ARGS...
edge() {
    local name=$1 want=$2 msg=$3 fmt
    shift 3
    for fmt in $([ "$want" -eq 0 ] && echo "$formats" || echo json); do
        expect "edge $name $fmt" "$want" "$thesis" "$@" --format "$fmt" || continue
        if [ "$want" -ne 0 ]; then
            if [ "$(wc -l <<<"$err")" -eq 1 ] && grep -qF -- "$msg" <<<"$err"; then ok
            else fail "edge $name $fmt: wanted one line with '$msg', got: $err"; fi
        else
            no_nan "edge $name $fmt" "$out"
        fi
    done
}
edge "price 0" 2 "command line (--set stock.price): stock.price: expected a positive value, got '0'" run --set stock.price=0
edge "price -5" 2 "stock.price: expected a positive value, got '-5'" table --plan aggressive --set stock.price=-5
edge "price 1e300" 2 "stock.price: expected a price from \$0.01 to \$1,000,000,000,000 a share, got '1e300'" run --set stock.price=1e300
edge "volatility 1e-12" 0 "" run --paths 500 --set model.volatility=1e-12
edge "volatility 1e-12 continuous" 0 "" run --paths 200 --set model.volatility=1e-12 --monitoring continuous
edge "volatility 1000%" 0 "" run --paths 200 --set model.volatility=1000%
edge "volatility 50" 2 "model.volatility: expected a volatility of at most 1000% a year (10), got '50' (did you mean 50%?)" run --set model.volatility=50
edge "horizon 0" 2 "simulation.horizon: expected a positive horizon" run --set simulation.horizon=0d
edge "horizon 100y" 0 "" run --paths 64 --set simulation.horizon=100y
edge "horizon 1000y" 2 "simulation.horizon: expected a horizon from 1d to 100y, got '1000y'" run --set simulation.horizon=1000y
edge "one path" 0 "" run --paths 1
edge "10^12 paths" 2 "--paths: Value 1000000000000 not in range 1 to 100000000000" run --paths 1000000000000
edge "10^12 paths in the file" 2 "simulation.paths: expected at most 10^11 paths" run --set simulation.paths=1000000000000
edge "10^12 paths sweep" 2 "--paths: Value 1000000000000 not in range" sweep --paths 1000000000000 --set plans.aggressive.stop=600,650 --metric aggressive.p_stop
edge "stop at entry" 2 "plans.aggressive.stop: expected a price below entry (700) for a long plan, got 700" table --plan aggressive --set plans.aggressive.stop=700
edge "stop a hair from entry" 2 "plans.aggressive.stop: expected a stop at least 0.0001% away from the entry (700)" run --set plans.aggressive.stop=699.9999
edge "target at entry" 2 "plans.aggressive.target: expected a price above entry (700) for a long plan, got 700" table --plan aggressive --set plans.aggressive.target=700
edge "target inside costs" 2 "plans.aggressive.target: expected a target that gains after costs" run --set plans.aggressive.target=700.5
edge "probabilities 0 and 1" 0 "" run --paths 500 --set scenarios.bull.probability=1 --set scenarios.base.probability=0 --set scenarios.rerate.probability=0 --set scenarios.bear.probability=0 --set model.events.licences_approved.probability=0 --set model.events.china_trip.probability=1
edge "probabilities all 0" 2 "scenarios: expected scenario probabilities summing to 1, got 0.0000" run --set scenarios.bull.probability=0 --set scenarios.base.probability=0 --set scenarios.rerate.probability=0 --set scenarios.bear.probability=0
edge "event on the valuation date" 0 "" run --paths 500 --set model.events.china_trip.date=2025-07-14 --set model.events.china_trip.probability=1
edge "event at day 0" 0 "" run --paths 500 --set model.events.china_trip.date=0d --set model.events.china_trip.probability=1
# (--set cannot give a list: a window that opens on the valuation date is in tests/data/edges/.)
edge "event before the valuation date" 2 "model.events.china_trip: expected the event on or after the valuation date" run --set model.events.china_trip.date=2025-07-13
edge "event in 1e300 years" 2 "model.events.china_trip.date: expected a duration or date within 1000y" run --set model.events.china_trip.date=1e300y
edge "drift past e^100" 2 "model.drift: the model lets prices grow e^200-fold over 100y" run --set model.drift=200% --set simulation.horizon=100y
edge "table grid to 1e300" 2 "--to: expected a price of at most \$1,000,000,000,000" table --plan aggressive --to 1e300
edge "sweep volatility 1e-12" 0 "" sweep --paths 200 --set model.volatility=1e-12,1000% --metric aggressive.pnl_per_share,aggressive.expectancy_r,aggressive.kelly,aggressive.profit_factor --versus-base
edge "sweep one path" 0 "" sweep --paths 1 --set plans.aggressive.stop=600,650 --metric aggressive.pnl_per_share,aggressive.es99,aggressive.kelly --versus-base
edge "sweep price edges" 0 "" sweep --paths 16 --set stock.price=0,1e300,769.23 --metric valuation.expected_price,aggressive.reward_risk
edge "sensitivity volatility 1e-12" 0 "" sensitivity --paths 8 --metric aggressive.expectancy_r --set model.volatility=1e-12
edge "sensitivity one path" 0 "" sensitivity --paths 1 --metric aggressive.kelly
edge "solve one path" 0 "" solve --paths 1 --vary scenarios.bull.price --metric valuation.expected_price --target 700 --between 500 1500
edge "odds steps past 100,000" 2 "--steps-per-year: 100000 steps a year over 100y is more than 100,000 steps a path" odds --spot 770 --stop 600 --target 1000 --vol 50% --horizon 100y --steps-per-year 100000
edge "odds volatility 1e-12" 0 "" odds --spot 770 --stop 600 --target 1000 --vol 1e-12 --paths 500
edge "odds volatility 1e-12 discrete" 0 "" odds --spot 770 --stop 600 --target 1000 --vol 1e-12 --paths 500 --monitoring discrete
# At a volatility of 1e-12 the exact discrete odds' grid cannot resolve a step: the continuous
# closed form stands in, and the odds still sum to 1 (a -30% drift crosses the stop for sure).
expect "odds tiny volatility discrete sums to 1" 0 "$thesis" odds --spot 770 --stop 600 --target 1000 --vol 1e-12 --drift -30% --paths 200 --monitoring discrete --format json && {
    if python3 -c 'import json,sys; a=json.load(sys.stdin)["analytic"]; assert abs(a["p_stop_first"]-1)<1e-9 and abs(a["p_target_first"]+a["p_stop_first"]+a["p_neither"]-1)<1e-9, a' <<<"$out"; then ok; else fail "odds tiny volatility discrete: analytic odds"; fi
}
# simulation.method rqmc in a scenario file: the error bars from the scrambles, named in the stamp;
# what has Monte Carlo's error bars only is refused.
expect "run rqmc json" 0 "$thesis" run "$src/bench/w1.yaml" --set simulation.method=rqmc --paths 16384 --format json && {
    if python3 -c '
import json, sys
s = json.load(sys.stdin)["simulation"]
assert s["method"] == "rqmc" and s["replicates"] == 16 and s["paths"] == 16384, s
assert s["generator"].startswith("Sobol"), s["generator"]
e = s["plans"][0]["p_target"]
assert abs(e["estimate"] - 0.2034) < 4 * e["std_error"] + 1e-4, e
' <<<"$out"; then ok; else fail "run rqmc json"; fi
}
edge "run rqmc method typo" 2 "simulation.method: expected one of mc, rqmc" run "$src/bench/w1.yaml" --set simulation.method=qmc
edge "run rqmc one scramble" 2 "expected from 2 to 100 replicates" run "$src/bench/w1.yaml" --set simulation.method=rqmc --set simulation.replicates=1
edge "run rqmc policies" 2 "the policy bracket (--policies) runs under method mc only" run "$src/bench/w1.yaml" --set simulation.method=rqmc --paths 4096 --policies
edge "run rqmc too few paths" 2 "method rqmc splits the paths among 16 replicates: expected at least 16 paths, got 8" run "$src/bench/w1.yaml" --set simulation.method=rqmc --paths 8
edge "sweep rqmc versus base" 2 "paired differences (--versus-base, the tornado) run under method mc only" sweep "$src/bench/w1.yaml" --set simulation.method=rqmc --set plans.W1.stop=580,600 --metric W1.p_target --paths 4096 --versus-base
# simulation.method antithetic: pairs of opposite paths, the error bars from the replicates.
expect "run antithetic json" 0 "$thesis" run "$src/bench/w1.yaml" --set simulation.method=antithetic --paths 16384 --format json && {
    if python3 -c '
import json, sys
s = json.load(sys.stdin)["simulation"]
assert s["method"] == "antithetic" and s["replicates"] == 16 and s["paths"] == 16384, s
assert s["generator"] == "xoshiro256++/ziggurat in antithetic pairs, 16 replicates", s["generator"]
e = s["plans"][0]["p_target"]
assert abs(e["estimate"] - 0.2034) < 4 * e["std_error"] + 1e-4, e
' <<<"$out"; then ok; else fail "run antithetic json"; fi
}
edge "run antithetic policies" 2 "the policy bracket (--policies) runs under method mc only" run "$src/bench/w1.yaml" --set simulation.method=antithetic --paths 4096 --policies
edge "run antithetic too few paths" 2 "method antithetic splits the paths among 16 replicates: expected at least 16 paths, got 8" run "$src/bench/w1.yaml" --set simulation.method=antithetic --paths 8
edge "hedge antithetic" 2 "comparing plans path by path (thesis hedge) runs under method mc only" hedge --plan aggressive --set simulation.method=antithetic --paths 4096
# simulation.control_variate martingale: W1's odds and P&L with their error bars cut by the plan's
# value tables, named in the stamp; --tolerance then needs a few percent of the paths; refused
# where the tables do not model the paths.
expect "run control variate json" 0 "$thesis" run "$src/bench/w1.yaml" --set simulation.control_variate=martingale --paths 16384 --format json && {
    if python3 -c '
import json, sys
s = json.load(sys.stdin)["simulation"]
assert s["method"] == "mc" and s["control_variate"] == "martingale" and s["paths"] == 16384, s
assert s["generator"] == "xoshiro256++/ziggurat, martingale control variates on P(target), P(stop), E[P&L]", s["generator"]
p = s["plans"][0]
# Plain Monte Carlo: sqrt(0.2 * 0.8 / 16384) = 0.0031 for P(target), 170 / 128 = $1.33 for E[P&L].
assert p["p_target"]["std_error"] < 0.0006 and p["pnl_per_share"]["std_error"] < 0.05, p
assert abs(p["p_target"]["estimate"] - 0.2030) < 4 * p["p_target"]["std_error"] + 2e-4, p["p_target"]
assert abs(p["pnl_per_share"]["estimate"] - 14.04) < 4 * p["pnl_per_share"]["std_error"] + 0.02, p["pnl_per_share"]
' <<<"$out"; then ok; else fail "run control variate json"; fi
}
expect "run control variate tolerance" 0 "$thesis" run "$src/bench/w1.yaml" --set simulation.control_variate=martingale --tolerance 0.0005 --tolerance-metric p_target --format json && {
    if python3 -c '
import json, sys
s = json.load(sys.stdin)["simulation"]
assert s["tolerance"]["met"] and s["paths"] < 100000, (s["tolerance"], s["paths"])
' <<<"$out"; then ok; else fail "run control variate tolerance"; fi
}
edge "run control variate typo" 2 "simulation.control_variate: expected one of none, martingale, got 'yes'" run "$src/bench/w1.yaml" --set simulation.control_variate=yes
edge "run control variate rqmc" 2 "simulation.control_variate: martingale runs under method mc" run "$src/bench/w1.yaml" --set simulation.control_variate=martingale --set simulation.method=rqmc
# Under the scenarios model, Merton's jumps and session fills (foundry-turnaround): each scenario's
# tables, the paths recorded; the dip plan's P(target) error bar against plain Monte Carlo's on the
# same paths (measured: 26 times less variance).
expect "run control variate scenarios plain" 0 "$thesis" run "$src/scenarios/foundry-turnaround.yaml" --paths 16384 --format json && { plain_out=$out; ok; }
expect "run control variate scenarios" 0 "$thesis" run "$src/scenarios/foundry-turnaround.yaml" --set simulation.control_variate=martingale --paths 16384 --format json && {
    if python3 -c '
import json, sys
plain = json.loads(sys.argv[1])["simulation"]
s = json.load(sys.stdin)["simulation"]
assert s["model"] == "scenarios" and s["monitoring"] == "sessions" and s["control_variate"] == "martingale", s
a, b = plain["plans"][0]["p_target"], s["plans"][0]["p_target"]
assert (a["std_error"] / b["std_error"]) ** 2 > 8, (a, b)
assert abs(a["estimate"] - b["estimate"]) < 4 * a["std_error"], (a, b)
' "$plain_out" <<<"$out"; then ok; else fail "run control variate scenarios"; fi
}
# The seed's three plans, the cautious one's stop set from its dated fill (measured: 28 times less
# variance in its P(target)); a trailing stop is refused.
expect "run control variate seed plain" 0 "$thesis" run --paths 16384 --format json && { plain_out=$out; ok; }
expect "run control variate seed" 0 "$thesis" run --set simulation.control_variate=martingale --paths 16384 --format json && {
    if python3 -c '
import json, sys
plain = json.loads(sys.argv[1])["simulation"]
s = json.load(sys.stdin)["simulation"]
a, b = plain["plans"][1]["p_target"], s["plans"][1]["p_target"]
assert s["plans"][1]["name"] == "cautious", s["plans"][1]["name"]
assert (a["std_error"] / b["std_error"]) ** 2 > 8, (a, b)
assert abs(a["estimate"] - b["estimate"]) < 4 * a["std_error"], (a, b)
' "$plain_out" <<<"$out"; then ok; else fail "run control variate seed"; fi
}
edge "run control variate trailing" 2 "martingale needs plans with a market, limit or dated entry and a stop and target fixed in price or set from the fill; plan 'cautious' has another" run <(sed 's/stop: !assumption 15%/stop: {trailing: 15%}/' "$src/scenarios/nvda-china.yaml") --set simulation.control_variate=martingale
edge "run control variate dispersion" 2 "martingale needs each scenario's dispersion at its default σ√T (0.5 for 'bull'), not 0.3" run --set simulation.control_variate=martingale --set scenarios.bull.dispersion=0.3
edge "run control variate fundamentals" 2 "martingale needs the gbm, merton or scenarios model" run "$src/bench/w1.yaml" --set simulation.control_variate=martingale --set model.kind=fundamentals
edge "run control variate policies" 2 "martingale does not run with --policies" run "$src/bench/w1.yaml" --set simulation.control_variate=martingale --policies --paths 4096
# --method rqmc: scrambled Sobol' points, the error bar from 16 scrambles; discrete monitoring only.
edge "odds rqmc continuous" 2 "--method: rqmc observes the price at the steps only: add --monitoring discrete" odds --spot 770 --stop 600 --target 1000 --vol 50% --method rqmc
edge "odds rqmc too few paths" 2 "--paths: rqmc needs at least a path per scramble (16 with --replicates 16), got 8" odds --spot 770 --stop 600 --target 1000 --vol 50% --method rqmc --monitoring discrete --paths 8
expect "odds rqmc" 0 "$thesis" odds --spot 770 --stop 600 --target 1000 --drift 10% --vol 50% --monitoring discrete --method rqmc --paths 16384 --steps-per-year 52 --format json && {
    if python3 -c '
import json, sys
d = json.load(sys.stdin)
s, a = d["simulated"], d["analytic"]
assert s["method"] == "rqmc" and s["replicates"] == 16 and s["paths"] == 16384, s
for k in ("p_target_first", "p_stop_first", "p_neither"):
    e = s[k]
    assert abs(e["estimate"] - a[k]) < 4 * e["std_error"] + 1e-12, (k, e, a[k])
' <<<"$out"; then ok; else fail "odds rqmc: json or z"; fi
}
expect "odds rqmc short" 0 "$thesis" odds --side short --spot 770 --stop 1000 --target 600 --drift 10% --vol 50% --monitoring discrete --method rqmc --paths 16384 --steps-per-year 52 --format json && {
    if python3 -c '
import json, sys
d = json.load(sys.stdin)
s, a = d["simulated"], d["analytic"]
for k in ("p_target_first", "p_stop_first", "p_neither"):
    assert abs(s[k]["estimate"] - a[k]) < 4 * s[k]["std_error"] + 1e-12, (k, s[k], a[k])
' <<<"$out"; then ok; else fail "odds rqmc short: z"; fi
}
edge "odds volatility 1000%" 0 "" odds --spot 770 --stop 600 --target 1000 --vol 1000% --paths 500
edge "odds one path" 0 "" odds --spot 770 --stop 600 --target 1000 --vol 50% --paths 1
edge "odds horizon 100y" 0 "" odds --spot 770 --stop 600 --target 1000 --vol 50% --drift 10% --horizon 100y --paths 64
edge "odds volatility 50" 2 "--vol: expected a volatility of at most 1000% a year (10), got '50' (did you mean 50%?)" odds --spot 770 --stop 600 --target 1000 --vol 50
edge "odds spot 0" 2 "--spot: expected a positive price" odds --spot 0 --stop 600 --target 1000 --vol 50%
edge "odds spot 1e300" 2 "--spot: expected a price from \$0.01 to \$1,000,000,000,000" odds --spot 1e300 --stop 600 --target 1e301 --vol 50%
edge "odds stop at spot" 2 "--stop: expected a price below the spot (770), got 770" odds --spot 770 --stop 770 --target 1000 --vol 50%
edge "odds horizon 0" 2 "--horizon: expected a positive horizon" odds --spot 770 --stop 600 --target 1000 --vol 50% --horizon 0d
edge "odds drift overflow" 2 "--drift: expected a drift from -1000% to 1000% a year" odds --spot 770 --stop 600 --target 1000 --vol 50% --drift 1e6

# --- init: a commented starter file ---
expect "init" 0 "$thesis" init "$work/starter.yaml" && {
    if cmp -s "$src/scenarios/nvda-china.yaml" "$work/starter.yaml"; then ok; else fail "init content"; fi
}
expect "init refuses overwrite" 2 "$thesis" init "$work/starter.yaml" && has "init message" "$err" "--force"
expect "init --force" 0 "$thesis" init --force "$work/starter.yaml" && ok
expect "run the starter" 0 "$thesis" run "$work/starter.yaml" && ok
expect "init stdout" 0 "$thesis" init - && has "init stdout content" "$out" "valuation_date: 2025-07-14"

# --- simulation in run ---
expect "run simulates" 0 "$thesis" run --paths 4096 && {
    has "sim table" "$out" "Simulation (95% confidence intervals): 4,096 paths"
    has "sim verdict" "$out" "aggressive: fills on"
    has "sim gap" "$out" "P(gap-through stop)"
    has "sim terminal" "$out" "Price at the horizon"
}
expect "run --no-simulation" 0 "$thesis" run --no-simulation && {
    if grep -q "Simulation" <<<"$out"; then fail "no-simulation still simulated"; else ok; fi
}
expect "sim json" 0 "$thesis" run --paths 2048 --format json && {
    if python3 -c 'import json,sys; s=json.load(sys.stdin)["simulation"]; assert s["paths"]==2048 and s["seed"]==20250714 and s["generator"]=="xoshiro256++/ziggurat" and s["monitoring"]=="sessions" and s["overnight_variance_share"]==0.25; p=s["plans"][0]; assert set(p["pnl_per_share"])=={"estimate","std_error","ci_low","ci_high"}' <<<"$out"; then ok; else fail "sim json shape"; fi
}
expect "sim csv tidy" 0 "$thesis" run --paths 2048 --format csv && has "tidy header" "$out" "plan,metric,estimate,std_error,ci_low,ci_high"
# The policy bracket: every plan under each fill policy, with paired differences.
expect "run --policies" 0 "$thesis" run --paths 2048 --policies && {
    has "policies table" "$out" "Fill policies on the same paths"
    has "policies difference" "$out" "discrete − sessions"
}
expect "policies json" 0 "$thesis" run --paths 2048 --policies --format json && {
    if python3 -c 'import json,sys; s=json.load(sys.stdin)["simulation"]; b=s["policies"]; assert b["reference"]=="sessions" and b["policies"]==["sessions","discrete","continuous"]; p=b["plans"][0]; assert p["name"]=="aggressive" and set(p)=={"name","discrete","sessions","continuous","discrete_minus_sessions","continuous_minus_sessions"}; assert set(p["discrete"])=={"p_target","p_stop","p_gap_through_stop","pnl_per_share","expectancy_r"}; assert s["plans"][0]["p_target"]==p["sessions"]["p_target"]' <<<"$out"; then ok; else fail "policies json shape"; fi
}
expect "monitoring choice" 2 "$thesis" run --monitoring closes && has "monitoring choices" "$err" "sessions"
# Same seed, any thread count and chunk size: the same bytes.
"$thesis" run --paths 6000 --threads 1 --format json >"$work/t1.json"
"$thesis" run --paths 6000 --threads 2 --chunk 3000 --format json >"$work/t2.json"
"$thesis" run --paths 6000 --threads 8 --chunk 1 --format json >"$work/t8.json"
if cmp -s "$work/t1.json" "$work/t2.json" && cmp -s "$work/t1.json" "$work/t8.json"; then ok; else fail "output differs across threads"; fi
expect "tolerance" 0 "$thesis" run --tolerance 5 --format json && {
    if python3 -c 'import json,sys; d=json.load(sys.stdin); assert d["simulation"]["paths"] > 16384' <<<"$out"; then ok; else fail "tolerance paths"; fi
}
# Under a replicated method the rounds are whole blocks of every replicate (16 x 1,024), so the
# run continues each replicate and gives the bits of one run of the final count.
expect "tolerance antithetic" 0 "$thesis" run "$src/bench/w1.yaml" --set simulation.method=antithetic --tolerance 1 --format json && {
    if anti_paths=$(python3 -c 'import json,sys; s=json.load(sys.stdin)["simulation"]; assert s["paths"] % 16384 == 0 and s["paths"] > 16384, s["paths"]; print(s["paths"])' <<<"$out"); then ok; else fail "tolerance antithetic rounds"; fi
    anti_pnl=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["simulation"]["plans"][0]["pnl_per_share"])' <<<"$out")
    expect "tolerance antithetic once" 0 "$thesis" run "$src/bench/w1.yaml" --set simulation.method=antithetic --paths "$anti_paths" --format json && {
        if [ "$(python3 -c 'import json,sys; print(json.load(sys.stdin)["simulation"]["plans"][0]["pnl_per_share"])' <<<"$out")" = "$anti_pnl" ]; then ok; else fail "tolerance antithetic bits"; fi
    }
}
# Monte Carlo's rounds aim 2% past the projection: the last round's half-width h then needs
# n (h / X)^2 paths, at most a few % fewer than it ran (W1's P(target): 0.956 of them). Aiming
# 10% past, as replicated methods do, leaves about 0.91.
expect "tolerance mc margin" 0 "$thesis" run "$src/bench/w1.yaml" --tolerance 0.002 --tolerance-metric p_target --format json && {
    if python3 -c 'import json,sys; t=json.load(sys.stdin)["simulation"]["tolerance"]; assert t["met"] and (t["half_width"]/0.002)**2 > 0.93, t' <<<"$out"; then ok; else fail "tolerance mc margin"; fi
}
expect "tolerance verdict" 0 "$thesis" run --tolerance 20 && has "tolerance line" "$out" "Tolerance \$20.00 on pnl_per_share (E[P&L] per share): reached"
expect "tolerance metric" 0 "$thesis" run --tolerance 0.01 --tolerance-metric p_stop --format json && {
    if python3 -c 'import json,sys; t=json.load(sys.stdin)["simulation"]["tolerance"]; assert t["metric"]=="p_stop" and t["met"] and t["half_width"]<=0.01' <<<"$out"; then ok; else fail "tolerance metric json"; fi
}
expect "continuous run" 0 "$thesis" run "$src/scenarios/coastal-coffee-short.yaml" --paths 2048 && has "continuous stamp" "$out" "continuous monitoring"
expect "bad paths" 2 "$thesis" run --paths 0 && ok

# --no-touch-odds (simulation.touch_odds: false): the touch rows are not applicable, and every
# other number is the same as with touch odds on (same seed, same paths: plan outcomes do not
# depend on it).
sim_rows() { grep -E '^  (P\(target\)|P\(stop\)|P\(gap-through stop\)|E\[P&L\] per share) ' <<<"$1"; }
expect "run touch odds on" 0 "$thesis" run "$src/scenarios/nvda-china.yaml" --paths 20000 && touch_on=$out
expect "run --no-touch-odds" 0 "$thesis" run "$src/scenarios/nvda-china.yaml" --paths 20000 --no-touch-odds && {
    if [ "$(sim_rows "$out" | wc -l)" -eq 4 ] && [ "$(sim_rows "$out")" = "$(sim_rows "$touch_on")" ]; then ok
    else fail "--no-touch-odds changed P(target)/P(stop)/E[P&L]: $(diff <(sim_rows "$touch_on") <(sim_rows "$out") | head -4)"; fi
    if [ "$(grep -cE '^  P\(touch (target|stop)\) +– +– +–$' <<<"$out")" -eq 2 ]; then ok
    else fail "--no-touch-odds touch rows: $(grep '^  P(touch' <<<"$out")"; fi
    if [ "$(grep -cE '^  P\(touch (target|stop)\) +[0-9]' <<<"$touch_on")" -eq 2 ]; then ok; else fail "touch rows with touch odds on"; fi
    has "--no-touch-odds footnote" "$out" "P(touch target) and P(touch stop) not measured"
    # The verdict lines come from the plan outcomes too.
    if [ "$(grep -E '^(aggressive|cautious|hold):' <<<"$out")" = "$(grep -E '^(aggressive|cautious|hold):' <<<"$touch_on")" ]; then ok
    else fail "--no-touch-odds changed the verdicts"; fi
}
expect "--no-touch-odds json" 0 "$thesis" run --paths 4096 --no-touch-odds --format json && {
    no_nan "--no-touch-odds json" "$out"
    if python3 -c '
import json,sys
s=json.load(sys.stdin)["simulation"]
assert s["touch_odds"] is False, s["touch_odds"]
for p in s["plans"]:
    assert p["p_touch_target"] is None and p["p_touch_stop"] is None, p["name"]
    assert p["p_target"]["estimate"] >= 0 and p["pnl_per_share"] is not None
' <<<"$out"; then ok; else fail "--no-touch-odds json shape"; fi
}
expect "touch odds json" 0 "$thesis" run --paths 4096 --format json && {
    if python3 -c 'import json,sys; s=json.load(sys.stdin)["simulation"]; assert s["touch_odds"] is True and s["plans"][0]["p_touch_stop"]["estimate"] > 0' <<<"$out"; then ok; else fail "touch odds json"; fi
}
expect "--no-touch-odds csv" 0 "$thesis" run --paths 4096 --no-touch-odds --format csv && {
    no_nan "--no-touch-odds csv" "$out"
    "$thesis" run --paths 4096 --no-touch-odds --format csv --part simulation_settings >"$work/settings.csv"
    has "--no-touch-odds csv stamp" "$(cat "$work/settings.csv")" "touch_odds,false"
    if grep -q ',p_touch_' <<<"$out"; then fail "--no-touch-odds csv has p_touch rows"; else ok; fi
}
expect "--no-touch-odds markdown" 0 "$thesis" run --paths 4096 --no-touch-odds --format markdown && {
    no_nan "--no-touch-odds markdown" "$out"
    has "--no-touch-odds markdown row" "$out" "| P(touch stop) | – | – | – |"
}
# The file's key does the same as the flag.
expect "touch_odds: false by --set" 0 "$thesis" run --paths 4096 --set simulation.touch_odds=false --format csv --part simulation_settings && has "touch_odds key" "$out" "touch_odds,false"
expect "touch_odds not a boolean" 2 "$thesis" run --set simulation.touch_odds=maybe && has "touch_odds message" "$err" "simulation.touch_odds: expected true or false, got 'maybe'"
# A sweep needs the touch odds only for a p_touch_* metric, and says so when the file turns them off.
expect "sweep touch metric with touch odds off" 2 "$thesis" sweep --set simulation.touch_odds=false --set plans.aggressive.stop=600,650 --metric aggressive.p_touch_stop --paths 2048 &&
    has "sweep touch odds message" "$err" "aggressive.p_touch_stop needs the touch odds"
expect "sweep touch metric" 0 "$thesis" sweep --set plans.aggressive.stop=600,650 --metric aggressive.p_touch_stop,aggressive.p_stop --paths 2048 --format csv && no_nan "sweep touch metric" "$out"

# --- -o where it cannot be written: exit 1 before any work, one line, nothing left behind ---
expect "output parent is a file" 1 "$thesis" run -o "$work/input.yaml/out.json" && {
    has "parent file message" "$err" "cannot write $work/input.yaml/out.json: Not a directory"
    no_temp "parent is a file"
}
expect "sweep output missing folder" 1 "$thesis" sweep --set plans.aggressive.stop=600,650 --metric aggressive.p_stop --paths 100000000 -o "$work/no/such/dir/sweep.csv" && {
    has "sweep missing folder message" "$err" "No such file or directory"
    no_temp "sweep missing folder"
}
if [ "$(id -u)" -ne 0 ]; then
    # A read-only folder. (As root, chmod does not stop writes, so this runs for other users only;
    # the file-as-parent case above and /proc below stand in for it.)
    mkdir "$work/readonly" && chmod 555 "$work/readonly"
    expect "output read-only folder" 1 "$thesis" run --no-simulation -o "$work/readonly/out.json" && {
        has "read-only message" "$err" "Permission denied"
        if [ -z "$(ls -A "$work/readonly")" ]; then ok; else fail "read-only folder written"; fi
    }
    chmod 755 "$work/readonly"
elif [ -d /proc/self ]; then
    # Root writes through any mode bits, but nobody creates files in /proc.
    expect "output under /proc" 1 "$thesis" run --no-simulation -o /proc/thesis-out.json && has "proc message" "$err" "cannot write /proc/thesis-out.json"
fi
expect "sweep output over input" 2 "$thesis" sweep "$work/input.yaml" --set plans.aggressive.stop=600,650 --metric aggressive.reward_risk -o "$work/input.yaml" && {
    if cmp -s "$src/scenarios/nvda-china.yaml" "$work/input.yaml"; then ok; else fail "sweep overwrote its input"; fi
}

# --- Ctrl-C: partial results labelled, -o untouched, no temp file, exit 130 ---
echo "old" >"$work/keep.txt"
"$thesis" run --paths 50000000 --threads 2 -o "$work/keep.txt" >"$work/partial.out" 2>"$work/partial.err" &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid
rc=$?
if [ "$rc" -eq 130 ]; then ok; else fail "interrupt exit code $rc"; fi
has "partial label" "$(cat "$work/partial.out")" "PARTIAL RESULTS: interrupted after"
has "partial stderr" "$(cat "$work/partial.err")" "was not written"
if [ "$(cat "$work/keep.txt")" = "old" ]; then ok; else fail "-o file changed on interrupt"; fi
if ls -a "$work" | grep -q '\.tmp\.'; then fail "temp file left on interrupt"; else ok; fi

# SIGINT and SIGTERM mid-run of every long command: exit 128 + the signal, the old -o file intact
# byte for byte, no temp file. Each run is far too long to finish first (even on 2 slow cores);
# the signal comes after a second, once it is simulating.
"$thesis" run --no-simulation --format json -q -o "$work/previous.json"
cp "$work/previous.json" "$work/reference.json"
# interrupt NAME SIGNAL WANT_RC COMMAND...
interrupt() {
    local name=$1 signal=$2 want=$3
    shift 3
    "$@" -o "$work/previous.json" >"$work/int.out" 2>"$work/int.err" &
    local pid=$!
    sleep 1
    kill -s "$signal" $pid
    wait $pid
    local rc=$?
    if [ "$rc" -eq "$want" ]; then ok; else fail "$name: exit $rc after SIG$signal, wanted $want"; fi
    if cmp -s "$work/previous.json" "$work/reference.json"; then ok; else fail "$name: -o file changed"; fi
    no_temp "$name"
    has "$name message" "$(cat "$work/int.err")" "previous.json was not written"
}
interrupt "run SIGTERM" TERM 143 "$thesis" run --paths 50000000 --threads 2
interrupt "sweep SIGINT" INT 130 "$thesis" sweep --set plans.aggressive.stop=550:650:10 --metric aggressive.p_stop --paths 50000000
interrupt "sweep SIGTERM" TERM 143 "$thesis" sweep --set model.volatility=0.3,0.5 --metric aggressive.pnl_per_share --paths 50000000 --format csv
interrupt "sensitivity SIGINT" INT 130 "$thesis" sensitivity --metric aggressive.pnl_per_share --paths 50000000
interrupt "solve SIGTERM" TERM 143 "$thesis" solve --vary plans.aggressive.stop --metric aggressive.p_loss --target 50% --between 500 690 --paths 50000000
# timeout(1) sends SIGTERM too (and exits 124 itself); the command must still leave nothing behind.
timeout -s TERM 1 "$thesis" sensitivity --metric aggressive.p_stop --paths 50000000 -o "$work/previous.json" >/dev/null 2>"$work/int.err"
if [ $? -eq 124 ]; then ok; else fail "timeout sensitivity: not stopped by the timeout"; fi
if cmp -s "$work/previous.json" "$work/reference.json"; then ok; else fail "timeout sensitivity: -o file changed"; fi
no_temp "timeout sensitivity"

# --- odds and check ---
expect "odds" 0 "$thesis" odds --spot 770 --stop 600 --target 1000 --drift 10% --vol 50% --horizon 1y --paths 20000 && {
    has "odds analytic" "$out" "0.47011859"
    has "odds verdict" "$out" "target first 47.01%"
}
expect "odds short" 0 "$thesis" odds --side short --spot 84 --stop 95 --target 66 --vol 35% --horizon 6m --paths 20000 && has "odds short heading" "$out" "Odds of a short from \$84"
expect "odds short wrong side" 2 "$thesis" odds --side short --spot 84 --stop 80 --target 66 --vol 35% && has "odds short wrong side msg" "$err" "--stop: expected a price above the spot (84) for a short"
expect "odds json" 0 "$thesis" odds --spot 770 --stop 600 --target 1000 --drift 0.10 --vol 0.5 --horizon 0.75y --paths 5000 --monitoring discrete --format json && {
    if python3 -c 'import json,sys; d=json.load(sys.stdin); a=d["analytic"]; s=d["simulated"]; assert abs(a["p_target_first"]+a["p_stop_first"]+a["p_neither"]-1)<1e-4; assert a["method"].startswith("exact discrete"); assert set(s["p_neither"]) == {"estimate","std_error","ci_low","ci_high"}' <<<"$out"; then ok; else fail "odds json"; fi
}
expect "odds bad stop" 2 "$thesis" odds --spot 770 --stop 800 --target 1000 --vol 50% && has "odds stop msg" "$err" "--stop"
expect "odds bad horizon" 2 "$thesis" odds --spot 770 --stop 600 --target 1000 --vol 50% --horizon soon && ok
expect "check" 0 "$thesis" check --paths 5000 && has "check verdict" "$out" "checks pass"

# --- sweep, sensitivity, solve ---
expect "sweep one key" 0 "$thesis" sweep --set plans.aggressive.stop=600:690:30 --metric aggressive.p_stop,aggressive.reward_risk --paths 2048 && {
    has "sweep table" "$out" "aggressive.p_stop — probability the trade exits at its stop, at the level or through a gap past it"
    has "sweep best" "$out" "Best aggressive.p_stop (lower is better)"
    has "sweep crn line" "$out" "common random numbers"
}
expect "sweep grid csv" 0 "$thesis" sweep --set plans.aggressive.stop=600,650,710 --set model.volatility=30%:50%:20% --metric aggressive.pnl_per_share --paths 2048 --format csv -o "$work/sweep.csv" && {
    if python3 -c '
import csv,sys
rows=[r for r in csv.DictReader(l for l in open(sys.argv[1]) if not l.startswith("#"))]
assert len(rows)==6, len(rows)
assert set(rows[0])>={"key1","value1","key2","value2","metric","estimate","std_error","ci_low","ci_high","valid","reason"}
bad=[r for r in rows if r["valid"]=="false"]
assert len(bad)==2 and all("below entry" in r["reason"] for r in bad)
assert all(float(r["ci_low"])<=float(r["estimate"])<=float(r["ci_high"]) for r in rows if r["valid"]=="true")
' "$work/sweep.csv"; then ok; else fail "sweep csv shape"; fi
}
expect "sweep grid table" 0 "$thesis" sweep --set plans.aggressive.stop=600,650,710 --set model.volatility=30%:50%:20% --metric aggressive.pnl_per_share --paths 2048 && {
    has "sweep grid best" "$out" "* best cell (higher is better)"
    has "sweep grid invalid" "$out" "invalid at plans.aggressive.stop=710"
}
# One vocabulary: every simulated metric of the catalogue, for every plan, is the same number in
# run's JSON and in a sweep at the same seed and path count (the sweep's first point is the file
# itself: capital moves only pnl_per_position at the second).
metrics=$("$thesis" sweep --list-metrics --format json | python3 -c '
import json,sys
print(",".join(m["name"] for m in json.load(sys.stdin)["metrics"] if m["simulated"]))')
all=""
for plan in aggressive cautious hold; do all+="${all:+,}${metrics//PLAN/$plan}"; done
"$thesis" run --paths 3000 --format json >"$work/agree_run.json"
expect "metric agreement sweep" 0 "$thesis" sweep --set plans.aggressive.capital=100000,200000 --metric "$all" --paths 3000 --format json -o "$work/agree_sweep.json" && {
    if python3 -c '
import json,sys
run=json.load(open(sys.argv[1]))["simulation"]["plans"]
sweep=json.load(open(sys.argv[2]))["sweep"]["points"][0]["metrics"]
checked=0
for plan in run:
    for key,value in plan.items():
        if key in ("name", "by_scenario"): continue  # per scenario: not a sweep metric
        s=sweep[plan["name"]+"."+key]
        if value is None:
            assert s["estimate"] is None, (plan["name"],key,s)
        else:
            assert s == value, (plan["name"],key,value,s)
        checked+=1
# every simulated metric of the catalogue appears in both
assert checked == len(sweep), (checked, len(sweep))
assert checked >= 3*25, checked
' "$work/agree_run.json" "$work/agree_sweep.json"; then ok; else fail "run and sweep disagree on a metric"; fi
}
expect "sweep versus base json" 0 "$thesis" sweep --set plans.aggressive.stop=620 --set plans.aggressive.stop=580,620 --metric aggressive.pnl_per_share --paths 4096 --versus-base --format json && {
    if python3 -c 'import json,sys; d=json.load(sys.stdin); p=d["sweep"]["points"]; v=p[1]["metrics"]["aggressive.pnl_per_share"]["versus_base"]; assert v["paired"] and abs(v["estimate"])<1e-9 and v["std_error"]==0' <<<"$out"; then ok; else fail "versus base json"; fi
}
expect "sweep list metrics" 0 "$thesis" sweep --list-metrics && has "metric list" "$out" "PLAN.expectancy_r"
expect "sweep unknown key" 2 "$thesis" sweep --set plans.aggressive.stpo=550:650:25 --metric aggressive.p_stop && has "sweep key hint" "$err" "did you mean 'stop'"
expect "sweep unknown metric" 2 "$thesis" sweep --set plans.aggressive.stop=550:650:25 --metric aggressive.p_stpo && has "sweep metric hint" "$err" "did you mean 'aggressive.p_stop'"
expect "sweep empty range" 2 "$thesis" sweep --set plans.aggressive.stop=650:550:25 --metric aggressive.p_stop && has "sweep empty" "$err" "empty range"
expect "sweep zero step" 2 "$thesis" sweep --set plans.aggressive.stop=550:650:0 --metric aggressive.p_stop && has "sweep step" "$err" "positive STEP"
expect "sweep too many" 2 "$thesis" sweep --set plans.aggressive.stop=500:599:1 --set plans.aggressive.target=900:1100:1 --metric aggressive.reward_risk && has "sweep too many msg" "$err" "too many"
expect "sweep three keys" 2 "$thesis" sweep --set plans.aggressive.stop=550,600 --set model.volatility=0.4,0.5 --set model.drift=0,0.1 --metric aggressive.p_stop && has "sweep axes" "$err" "at most 2 swept keys"
expect "sweep text field" 2 "$thesis" sweep --set stock.ticker=1,2 --metric aggressive.p_stop && has "sweep numeric" "$err" "not a numeric field"
[ "$(wc -l <<<"$err")" -eq 1 ] && ok || fail "sweep error is one line"
expect "sensitivity" 0 "$thesis" sensitivity --metric aggressive.pnl_per_share --paths 512 --set plans.aggressive.stop=650:710 && {
    has "tornado title" "$out" "Tornado: aggressive.pnl_per_share"
    has "tornado bar" "$out" "█"
    has "tornado invalid" "$out" "plans.aggressive.stop=710 is invalid"
    has "tornado probabilities" "$out" "Moving one scenario's probability rescales the others in proportion"
}
expect "solve" 0 "$thesis" solve --vary scenarios.bull.price --metric valuation.expected_price --target 700 --between 500 1500 --format json && {
    if python3 -c 'import json,sys; d=json.load(sys.stdin)["solve"]; assert 500<d["root"]<1500 and abs(d["metric_at_root"]["estimate"]-700)<1e-6' <<<"$out"; then ok; else fail "solve json"; fi
}
expect "solve no root" 2 "$thesis" solve --vary plans.aggressive.stop --metric aggressive.p_loss --target 5% --between 500 690 --paths 2048 && has "solve no root msg" "$err" "no root between 500 and 690"

# --- report ---
expect "report vega-lite" 0 "$thesis" report --format vega-lite --paths 2048 && {
    if python3 -c '
import json,sys
d=json.load(sys.stdin)["charts"]
ids=[c["id"] for c in d]
assert "valuation" in ids and "fan" in ids and "payoff-aggressive" in ids and "scenarios-aggressive" in ids, ids
assert all(c["spec"]["$schema"].endswith("vega-lite/v6.json") for c in d)
# every chart carries its data inline: no "url" data source
assert "\"url\"" not in json.dumps(d)
' <<<"$out"; then ok; else fail "report vega-lite charts"; fi
}
expect "report html" 0 "$thesis" report -o "$work/report.html" --paths 2048 -q && {
    if [ -s "$work/report.html" ] && grep -q 'id="chart-fan"' "$work/report.html" && grep -q 'vega-embed 7' "$work/report.html"; then ok; else fail "report html file"; fi
    if grep -qiE '(src|href)=["'"'"']?https?:' "$work/report.html"; then fail "report html references a URL"; else ok; fi
}
expect "report bad format" 2 "$thesis" report --format pdf && ok
expect "run --report" 0 "$thesis" run --paths 2048 --report "$work/run-report.html" && {
    has "run --report prints the run" "$out" "Simulation (95% confidence intervals)"
    if grep -q 'id="chart-payoff-cautious"' "$work/run-report.html"; then ok; else fail "run --report file"; fi
}
expect "sweep --report" 0 "$thesis" sweep --set plans.aggressive.stop=550,650 --metric aggressive.p_stop --paths 1024 --report "$work/sweep.html" -q && {
    if grep -q 'id="chart-sweep-aggressive-p_stop"' "$work/sweep.html"; then ok; else fail "sweep --report file"; fi
}
expect "sensitivity --report" 0 "$thesis" sensitivity --metric valuation.expected_price --report "$work/tornado.html" -q && {
    if grep -q 'id="chart-tornado"' "$work/tornado.html"; then ok; else fail "sensitivity --report file"; fi
}
expect "run --report unwritable" 1 "$thesis" run --paths 2048 --report /nonexistent/x.html && has "run --report unwritable msg" "$err" "cannot write /nonexistent/x.html"

# --- hedge: protection compared on the same paths ---
expect "hedge" 0 "$thesis" hedge --plan aggressive --paths 4096 && {
    has "hedge rows" "$out" "stop \$600 + put \$600"
    has "hedge collar" "$out" 'collar $600/$1,000'
    has "hedge paired" "$out" "put \$600 against stop \$600: E[P&L]"
    has "hedge greeks" "$out" "delta"
    no_nan "hedge no nan" "$out"
}
expect "hedge json" 0 "$thesis" hedge --plan aggressive --paths 2048 --format json && {
    if /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["command"] == "hedge" and d["reference"] == "stop"
kinds = [v["kind"] for v in d["protection"]]
assert kinds == ["none", "stop", "put", "collar", "stop_and_put"], kinds
put = d["protection"][2]
assert put["pnl_per_share_versus_reference"]["ci_low"] <= put["pnl_per_share_versus_reference"]["estimate"]
assert put["floor_shortfall"]["estimate"] >= 0 and d["options"][0]["position"] == "bought"
' <<<"$out"; then ok; else fail "hedge json shape"; fi
}
expect "hedge --report" 0 "$thesis" hedge --plan aggressive --paths 2048 --report "$work/hedge.html" -q && {
    if grep -q 'id="chart-hedge-aggressive"' "$work/hedge.html"; then ok; else fail "hedge --report file"; fi
}
expect "hedge strikes" 0 "$thesis" hedge --plan aggressive --strikes 550:650:50 --paths 2048 && has "hedge strike rows" "$out" "put \$650"
expect "hedge unknown plan" 2 "$thesis" hedge --plan agressive && has "hedge plan hint" "$err" "--plan: no plan named 'agressive' (did you mean 'aggressive'?)"
expect "hedge early expiry" 2 "$thesis" hedge --plan aggressive --expiry 3m && has "hedge expiry msg" "$err" "--expiry: expected an expiry at or after the plan's horizon"
expect "hedge bad strikes" 2 "$thesis" hedge --plan aggressive --strikes 600:500:10 && has "hedge strikes msg" "$err" "--strikes: expected LOW:HIGH:STEP"
expect "hedge collar below" 2 "$thesis" hedge --plan aggressive --collar-strike 550 && has "hedge collar msg" "$err" "--collar-strike: expected the collar's call strike above the put's"
expect "hedge bad vol" 2 "$thesis" hedge --plan aggressive --implied-vol 0 && has "hedge vol msg" "$err" "--implied-vol"

# --- calibrate: a price history ---
expect "calibrate" 0 "$thesis" calibrate "$src/tests/data/prices/goog-2004-2008.csv" && {
    has "calibrate verdict" "$out" "merton fits better"
    has "calibrate snippet" "$out" "overnight_variance_share: !assumption"
    no_nan "calibrate no nan" "$out"
}
expect "calibrate json" 0 "$thesis" calibrate "$src/tests/data/prices/goog-2004-2008.csv" --window 2y --format json && {
    if /usr/bin/python3 -c '
import json, sys
d = json.load(sys.stdin)
assert d["command"] == "calibrate" and d["from"].startswith("2006")
assert d["models"][1]["parameters"]["model.jumps.intensity"]["std_error"] > 0
' <<<"$out"; then ok; else fail "calibrate json shape"; fi
}
cp "$src/scenarios/coastal-coffee-short.yaml" "$work/coffee.yaml"
expect "calibrate --write" 0 "$thesis" calibrate "$src/tests/data/prices/goog-2004-2008.csv" --write "$work/coffee.yaml" && {
    has "calibrate wrote" "$out" "wrote into $work/coffee.yaml: model.kind=merton"
    if grep -q '^  volatility: !assumption 24.76%   # thesis calibrate: ' "$work/coffee.yaml" && grep -q '# earnings-day gaps' "$work/coffee.yaml"; then ok; else fail "calibrate --write file"; fi
}
expect "calibrate --write reads back" 0 "$thesis" run "$work/coffee.yaml" --no-simulation && ok
printf 'stock: {price: 1}\n' >"$work/flow.yaml"
expect "calibrate --write a bad thesis" 2 "$thesis" calibrate "$src/tests/data/prices/goog-2004-2008.csv" --write "$work/flow.yaml" && {
    if [ "$(cat "$work/flow.yaml")" = "stock: {price: 1}" ]; then ok; else fail "calibrate --write changed a file it refused"; fi
}
printf 'Date,Close\n2024-01-02,100\n2024-01-03,-5\n' >"$work/bad-prices.csv"
expect "calibrate bad price" 2 "$thesis" calibrate "$work/bad-prices.csv" && has "calibrate bad price msg" "$err" "bad-prices.csv:3:12: Close: expected a positive price"
expect "calibrate missing file" 2 "$thesis" calibrate "$work/none.csv" && has "calibrate missing msg" "$err" "none.csv"
expect "calibrate bad window" 2 "$thesis" calibrate "$src/tests/data/prices/goog-2004-2008.csv" --window soon && has "calibrate window msg" "$err" "--window"

# --- help and usage ---
for cmd in "" run table init odds check sweep sensitivity solve report hedge calibrate; do
    expect "help $cmd" 0 "$thesis" $cmd --help && has "help text $cmd" "$out" "Usage"
done
expect "version" 0 "$thesis" --version && has "version text" "$out" "thesis "
expect "no subcommand" 2 "$thesis" && ok
expect "unknown subcommand" 2 "$thesis" frobnicate && ok

echo "cli: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
