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
libmicrohttpd-dev
sqlite3
curl
python3
python3-jsonschema
parallel
slurm-wlm
libcairo2-dev
chromium
fonts-wqy-microhei
"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
missing=""
for p in $PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
if [ -n "$missing" ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# The MCP tests' client: the official MCP TypeScript SDK, pinned in
# tests/mcp/package.json, installed into tests/mcp/node_modules (git-ignored).
# Without node and npm, tests/cli/test_mcp_cli.sh skips.
if ! command -v npm >/dev/null 2>&1; then
  $SUDO apt-get install -y -qq --no-install-recommends nodejs npm || true
fi
if command -v npm >/dev/null 2>&1; then
  (cd tests/mcp && npm install --no-audit --no-fund --silent) ||
    echo "warning: npm install in tests/mcp failed: the MCP tests will skip"
fi

cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc)"

# Put `stratlab` on PATH, so the README's commands work as written: a
# symlink to this build (a rebuild updates it). /usr/local/bin when we may
# write there (root or sudo), else ~/.local/bin.
bin="$PWD/build/stratlab"
if [ -w /usr/local/bin ] || { [ -n "$SUDO" ] && sudo -n true 2>/dev/null; }; then
  $SUDO ln -sf "$bin" /usr/local/bin/stratlab
  echo "stratlab is on PATH: /usr/local/bin/stratlab -> $bin"
else
  mkdir -p "$HOME/.local/bin"
  ln -sf "$bin" "$HOME/.local/bin/stratlab"
  echo "stratlab linked as $HOME/.local/bin/stratlab -> $bin"
  case ":$PATH:" in
  *":$HOME/.local/bin:"*) ;;
  *) echo "add it to PATH: export PATH=\"\$HOME/.local/bin:\$PATH\"" ;;
  esac
fi
