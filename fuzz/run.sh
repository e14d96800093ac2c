#!/usr/bin/env bash
# Fuzz the scenario-file loader with libFuzzer (clang, ASan + UBSan).
#   fuzz/run.sh [SECONDS] [extra libFuzzer flags...]     default 60 seconds
# Seeds: scenarios/, tests/data/ and fuzz/regressions/. New crashes land in fuzz/out/ as
# crash-*/timeout-*/leak-* files; after fixing one, copy it into fuzz/regressions/ so the normal
# test suite replays it (tests/test_fuzz_regressions.cpp).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
for p in clang libclang-rt-14-dev; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="${missing:-} $p"
done
if [ -n "${missing:-}" ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
mkdir -p fuzz/out fuzz/corpus
flags="-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
-ffp-contract=off -Iinclude -Isrc -Ibuild/generated -isystem /usr/include/eigen3"
[ -f build/generated/seed_thesis.cpp ] && [ -f build/generated/report_assets.cpp ] ||
    cmake -S . -B build -G Ninja >/dev/null
# The engines' sources (every folder of src/ but the CLI's), the built-in seed and the report's
# inlined chart libraries.
sources="$(find src -name '*.cpp' -not -path 'src/cli/*' | sort | tr '\n' ' ') build/generated/seed_thesis.cpp \
build/generated/report_assets.cpp"
# One object per source, compiled on every core (a single clang++ call compiles them one by one,
# and CI has two), then one link.
objects=fuzz/out/obj
rm -rf "$objects" && mkdir -p "$objects"
# shellcheck disable=SC2086
printf '%s\n' fuzz/fuzz_loader.cpp $sources |
    xargs -P "$(nproc)" -I{} sh -c 'clang++ '"$flags"' -c "$1" -o "$2/$(echo "$1" | tr / _).o"' _ {} "$objects"
# shellcheck disable=SC2086
clang++ $flags "$objects"/*.o -lfmt -lyaml-cpp -o fuzz/out/fuzz_loader
# -timeout: an input taking over a second is a hang; -rss_limit_mb bounds memory.
fuzz/out/fuzz_loader fuzz/corpus scenarios tests/data tests/data/bad fuzz/regressions \
    -max_total_time="$seconds" -timeout=1 -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix=fuzz/out/ -print_final_stats=1 "$@"
