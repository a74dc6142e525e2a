# shared.sh: ../shared for the shell tests, with the same rules as the C
# tests (tests/support/slab_test.h). Source it; then
#   require_shared          before the first use of ../shared: when it is
#                           absent, exits 77 (CTest counts the test as
#                           Skipped, never Passed), or 1 when
#                           SLAB_SHARED_REQUIRED=1 (what .ci/run sets)
#   shared_ref REL...       each file $SLAB_SHARED/REL must exist, else the
#                           test fails naming it (list it in slab_refs.c)
# A script that needs ../shared lives in tests/parity/ and needs it whole:
# keep the checks that do not in tests/cli/, so they count as Passed.

require_shared() {
  if [ -n "${SLAB_SHARED:-}" ] && [ -d "$SLAB_SHARED/reference" ]; then
    return 0
  fi
  if [ "${SLAB_SHARED_REQUIRED:-0}" = 1 ]; then
    echo "FAIL: ../shared is absent (SLAB_SHARED=${SLAB_SHARED:-unset}) and SLAB_SHARED_REQUIRED=1"
    exit 1
  fi
  echo "SKIP: ../shared is absent (set SLAB_SHARED to the reference data); $(basename "$0") did not run"
  exit 77
}

shared_ref() {
  require_shared
  local rel
  for rel in "$@"; do
    if [ ! -f "$SLAB_SHARED/$rel" ]; then
      echo "FAIL: reference file missing: $SLAB_SHARED/$rel (../shared is incomplete)"
      exit 1
    fi
  done
}
