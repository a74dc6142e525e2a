#!/usr/bin/env bash
# Installs the Debian packages stratlab builds and tests with, then builds it
# into build/. Run as root (or with sudo available). Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

# One package per line (the list grows with the features that need them).
PKGS="
build-essential
cmake
pkg-config
libsqlite3-dev
libjansson-dev
libssl-dev
libcmocka-dev
clang
libclang-rt-dev
libseccomp-dev
sqlite3
"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"
