#!/usr/bin/env bash
# test_readme_cli.sh: the README's commands work as written. Every line of
# the README's first command block that starts with `stratlab ` is run as
# a new user would after scripts/setup.sh (which puts `stratlab` on PATH):
# plain `stratlab` on PATH, from a folder beside ../shared, with a fresh
# store. The files the README assumes the user has are made here: bars-1m.csv
# with `data sample`, my_strategy.c a copy of a parity script. Needs ../shared (the README's data): skipped (77) without it.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(dirname "$0")"
root="$(cd "$here/../.." && pwd)"
. "$here/../support/shared.sh"
. "$here/../cli/lib.sh"
shared_ref data/orcl-1995-2014.txt data/2006-min-005.txt
tmp="${SLAB_TMP:-/tmp}/readme_cli.$$"
mkdir -p "$tmp/bin" "$tmp/work"
trap 'rm -rf "$tmp"' EXIT
ln -s "$cli" "$tmp/bin/stratlab"
ln -s "$(cd "$SLAB_SHARED" && pwd)" "$tmp/shared" # the README's ../shared
export PATH="$tmp/bin:$PATH" STRATLAB_DB="$tmp/store.db"
cd "$tmp/work"
stratlab data sample --timeframe 1m --bars 2000 --out bars-1m.csv >/dev/null
cp "$root/tests/scripts/parity/sma_cross.c" my_strategy.c # a script the user wrote

# The first ``` block after "# stratlab".
awk '/^# stratlab/ { on = 1 } on && /^```/ { n++; next } on && n == 1 && /^stratlab / { print }' \
  "$root/README.md" >"$tmp/commands"
check "README has commands" test "$(wc -l <"$tmp/commands")" -ge 8
while IFS= read -r line; do
  check "README: $line" bash -c "exec >/dev/null; $line"
done <"$tmp/commands"
finish
