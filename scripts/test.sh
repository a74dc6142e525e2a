#!/usr/bin/env bash
# Builds the three supported build types with warnings as errors and runs
# every test on two of them: RelWithDebInfo (build/, the default), Debug
# with ASan+UBSan (build-asan/), and Release (build-release/, compiled only:
# -O3 finds warnings the others do not, such as -Wformat-truncation). Each
# test is its own process with a timeout (CTest). The reference tests need
# ../shared: without it they are counted as Skipped; with
# SLAB_SHARED_REQUIRED=1 (.ci/run) every file they read must be there.
# Then each libFuzzer harness in fuzz/ runs a few seconds from its seed
# corpus (SLAB_FUZZ_SECONDS, default 3; clang from scripts/setup.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="$(nproc)"

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSLAB_WERROR=ON >/dev/null
cmake --build build -j"$jobs"
if [ "${SLAB_SHARED_REQUIRED:-0}" = 1 ]; then
  shared="$(sed -n 's/^SLAB_SHARED_DIR:PATH=//p' build/CMakeCache.txt)"
  build/slab_refs --check "$shared" >&2
fi
(cd build && ctest --output-on-failure --no-tests=error -j"$jobs")

cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release -DSLAB_WERROR=ON >/dev/null
cmake --build build-release -j"$jobs"

cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSLAB_SANITIZE=ON -DSLAB_WERROR=ON >/dev/null
cmake --build build-asan -j"$jobs"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
   ctest --output-on-failure --no-tests=error -j"$jobs")

# Fuzzing, briefly: replays the seed corpus (every past finding is in it)
# and mutates for a few seconds per harness. Long runs: scripts/fuzz.sh.
if printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' |
   clang -fsanitize=fuzzer -x c - -o /dev/null 2>/dev/null; then
  bash scripts/fuzz.sh all "${SLAB_FUZZ_SECONDS:-3}"
elif [ "${SLAB_SHARED_REQUIRED:-0}" = 1 ]; then
  echo "fuzzing: clang with libFuzzer is missing (scripts/setup.sh installs clang, libclang-rt-dev)" >&2
  exit 1
else
  echo "SKIP fuzzing: clang with libFuzzer is not installed (scripts/setup.sh installs it)"
fi
