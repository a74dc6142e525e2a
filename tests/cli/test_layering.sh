#!/usr/bin/env bash
# test_layering.sh: a module's private headers stay inside its folder
# (DESIGN.md, STYLE.md "Layout"): a file under src/<module>/ includes only
# public headers (stratlab/...) and headers of its own folder, and the CLI
# only public ones plus its own cli.h. Regression test for the engine and
# the risk manager reading the broker's private struct (issue 8).
set -u
. "$(dirname "$0")/lib.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"

bad=""
for f in "$root"/src/*/*.[ch]; do
  mod="$(basename "$(dirname "$f")")"
  while IFS= read -r inc; do
    case "$inc" in
      stratlab/*) ;;                       # public
      */*) [ "${inc%%/*}" = "$mod" ] || bad="$bad ${f#$root/}:$inc" ;;
      *) [ -f "$(dirname "$f")/$inc" ] || bad="$bad ${f#$root/}:$inc" ;;
    esac
  done < <(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f")
done
check "no private header crosses a module folder${bad:+ (found:$bad)}" test -z "$bad"
check "the engine does not include the broker's private header" \
  bash -c "! grep -rq 'broker_internal.h' '$root/src/engine' '$root/src/metrics' '$root/src/cli'"
finish
