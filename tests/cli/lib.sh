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

# orb_two_sessions DIR: the hand-made 1-minute sessions the orb tests work
# their expected values on (tests/cli/test_orb_cli.sh explains each bar):
# DIR/acme.csv, two days 09:30-09:39 (range high 101.5 after two bars, a
# close above it at 09:32), and DIR/idx.csv, the filter feed with gaps
# (2025-07-01 ends at 200; 2025-07-02 reads 201 at 09:31, no 09:32 bar).
orb_two_sessions() {
hdr="Date,Time,Open,High,Low,Close,Volume,OpenInterest"
{
  echo "$hdr"
  for d in 2025-07-01 2025-07-02; do
    cat <<EOF
$d,09:30:00,100,101,99,100.5,1000,0
$d,09:31:00,100.5,101.5,100,101,1000,0
$d,09:32:00,101,102,101,101.75,1000,0
$d,09:33:00,102,103,101.5,102.5,1000,0
$d,09:34:00,102.5,103,102,102.75,1000,0
$d,09:35:00,102.75,103.5,102.5,103,1000,0
$d,09:36:00,103,103.5,102.5,103,1000,0
$d,09:37:00,103,103.5,102.5,103,1000,0
$d,09:38:00,103.25,103.25,103,103,1000,0
$d,09:39:00,103,103.5,103,103.25,1000,0
EOF
  done
} >"$1/acme.csv"
cat >"$1/idx.csv" <<EOF
$hdr
2025-07-01,09:30:00,190,191,189,190,1000,0
2025-07-01,09:39:00,199,200,199,200,1000,0
2025-07-02,09:30:00,201,202,200,201,1000,0
2025-07-02,09:31:00,201,201.5,200.5,201,1000,0
EOF
}
