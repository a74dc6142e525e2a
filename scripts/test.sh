#!/usr/bin/env bash
# Runs every test twice: the normal build (build/) and the ASan+UBSan build
# (build-asan/). Each test is its own process with a timeout (CTest). The
# reference tests need ../shared: without it they are counted as Skipped;
# with SLAB_SHARED_REQUIRED=1 (.ci/run) every file they read must be there.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$jobs"
if [ "${SLAB_SHARED_REQUIRED:-0}" = 1 ]; then
  shared="$(sed -n 's/^SLAB_SHARED_DIR:PATH=//p' build/CMakeCache.txt)"
  build/slab_refs --check "$shared" >&2
fi
(cd build && ctest --output-on-failure --no-tests=error -j"$jobs")

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSLAB_SANITIZE=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure --no-tests=error -j"$jobs")
