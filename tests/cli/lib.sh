# lib.sh: the assertions the CLI shell tests share; source it, then end
# with `finish`. Counts into $pass and $fail.
pass=0 fail=0

# check NAME CMD...: the command must succeed.
check() {
  local name="$1"; shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $name"; fi
}

# expect_err NAME EXPECTED_RC EXPECTED_TEXT CMD...: the command fails with
# that exit code and says that text.
expect_err() {
  local name="$1" rc_want="$2" text="$3"; shift 3
  local out rc
  out="$("$@" 2>&1)"; rc=$?
  if [ "$rc" -eq "$rc_want" ] && grep -qF -- "$text" <<<"$out"; then pass=$((pass + 1))
  else fail=$((fail + 1)); echo "FAIL: $name: rc=$rc (want $rc_want), output: $out"; fi
}

# Prints the closing count and returns non-zero when anything failed.
finish() {
  echo "$pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
