#!/usr/bin/env bash
# fetch_and_build.sh: builds bench_vs_talib, our indicator kernels timed side
# by side with TA-Lib 0.6.0-dev's C sources (the ones the reference vectors
# in ../shared/reference/indicators came from). TA-Lib is fetched from the
# npm package talib@2.0.5, which bundles them, into build-bench/talib/
# (git-ignored; TA-Lib's sources are never committed here), compiled with
# -O2 into a static library, and linked with the product build's
# libstratlab.a, so the figures are for the kernels exactly as shipped.
#
# usage: bash bench/talib/fetch_and_build.sh [build-dir]   (default: build)
# then:  build-bench/talib/bench_vs_talib [reps] [n_bars ...]
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
dir=$root/build-bench/talib
pkg=talib@2.0.5
cflags="-O2 -ffp-contract=off"   # TA-Lib as the reference vectors were made: -O2, no FMA

mkdir -p "$dir"
cd "$dir"
if [ ! -d package/src/lib/src/ta_func ]; then
    tgz=$(npm pack --silent "$pkg")
    tar xzf "$tgz"
fi
src=$dir/package/src/lib

if [ ! -f libta.a ]; then
    mkdir -p obj
    ls "$src"/src/ta_common/*.c "$src"/src/ta_func/*.c |
        xargs -P 2 -I{} sh -c 'gcc '"$cflags"' -w -I'"$src"'/include -I'"$src"'/src/ta_common \
            -I'"$src"'/src/ta_func -c "$1" -o obj/$(basename "$1" .c).o' _ {}
    ar rcs libta.a obj/*.o
fi

cmake --build "$build" --target stratlab_lib -j2
gcc -std=c11 -D_GNU_SOURCE $cflags -Wall -Wextra -I"$root/include" -I"$src/include" \
    "$root/bench/talib/bench_vs_talib.c" -o bench_vs_talib \
    "$build/libstratlab.a" libta.a $(pkg-config --libs sqlite3 jansson libcrypto) -lm
echo "built $dir/bench_vs_talib"
