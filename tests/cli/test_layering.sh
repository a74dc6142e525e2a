#!/usr/bin/env bash
# test_layering.sh: a module's private headers stay inside its folder
# (DESIGN.md, STYLE.md "Layout"): a file under src/<module>/ includes only
# public headers (stratlab/...) and headers of its own folder, and the CLI
# only public ones plus its own cli.h. Regression test for the engine and
# the risk manager reading the broker's private struct (issue 8). And calls
# point down only: no module calls a function of a higher layer (the
# metrics layer's result document called the report layer's summary text,
# issue 8). Uses $SLAB_BUILD_DIR (the built library's object files), $SLAB_TMP.
set -u
. "$(dirname "$0")/lib.sh"
root="$(cd "$(dirname "$0")/../.." && pwd)"
tmp="${SLAB_TMP:-/tmp}/layering.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT

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

# Calls point down only (DESIGN.md "Layers"): every function or object a
# module's code uses from another module must be defined in a lower layer.
# Read from the built library's object files (nm), so a macro, a cast or a
# declaration copied into a .c file cannot hide a call. The ranks follow
# DESIGN.md's table, with the README tour's placement of the folders the
# table does not name (options above engine, sweep above report; server and
# cli on top); a new folder must be placed here or the test fails.
ranks="core=0 data=1 ind=2 broker=3 engine=4 options=5 metrics=6 strategies=7 spec=8 script=9
report=10 store=11 sweep=12 server=13 cli=14"
# upward_calls DIR: for objects DIR/<module>/*.o, prints "file.o -> symbol
# (module)" for each use of a symbol that another module at the same or a
# higher rank defines, and "unplaced <module>" for a folder without a rank.
upward_calls() {
  local dir="$1"
  set -- "$dir"/*/*.o
  [ -f "$1" ] || return 0
  # one nm for all: "DIR/mod/file.o: [addr] TYPE symbol"
  nm -g -A "$@" | awk -v ranks="$ranks" -v dir="$dir/" '
    BEGIN { n = split(ranks, a, /[ \n]+/); for (i = 1; i <= n; i++) { split(a[i], kv, "="); r[kv[1]] = kv[2] } }
    {
      o = $1; sub(/:.*/, "", o); o = substr(o, length(dir) + 1); m = o; sub(/\/.*/, "", m)
      if ($(NF - 1) == "U") use[o " " $NF] = m
      else if (NF >= 3) def[$NF] = m
    }
    END {
      for (k in use) {
        split(k, u, " "); mu = use[k]; d = def[u[2]]
        if (d == "" || d == mu) continue
        if (!(mu in r)) { print "unplaced " mu; continue }
        if (!(d in r)) { print "unplaced " d; continue }
        if (r[d] + 0 >= r[mu] + 0) print u[1] " -> " u[2] " (" d ")"
      }
    }' | sort -u
}

# The check itself finds an upward call and an unplaced folder: two tiny
# objects where core calls a report function and report calls core.
mkdir -p "$tmp/fake/core" "$tmp/fake/report" "$tmp/fake/newmod"
printf 'int slab_fake_report(void);\nint slab_fake_core(void) { return slab_fake_report(); }\n' > "$tmp/core.c"
printf 'int slab_fake_core(void);\nint slab_fake_report(void) { return 1; }\nint slab_fake_down(void) { return slab_fake_core(); }\n' > "$tmp/report.c"
printf 'int slab_fake_core(void);\nint slab_fake_new(void) { return slab_fake_core(); }\n' > "$tmp/new.c"
cc -c -o "$tmp/fake/core/core.c.o" "$tmp/core.c" && cc -c -o "$tmp/fake/report/report.c.o" "$tmp/report.c" &&
  cc -c -o "$tmp/fake/newmod/new.c.o" "$tmp/new.c"
fake="$(upward_calls "$tmp/fake")"
check "the call check reports core calling report (got: $fake)" \
  test "$fake" = "$(printf 'core/core.c.o -> slab_fake_report (report)\nunplaced newmod')"

objs="${SLAB_BUILD_DIR:?set SLAB_BUILD_DIR to the build folder}/CMakeFiles/stratlab_lib.dir/src"
n_objs="$(ls "$objs"/*/*.o 2>/dev/null | wc -l)"
check "the library's object files are in $objs (found $n_objs)" test "$n_objs" -ge 40
up="$(upward_calls "$objs")"
check "no module calls a higher layer${up:+ (found: $(echo $up))}" test -z "$up"
finish
