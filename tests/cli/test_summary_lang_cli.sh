#!/usr/bin/env bash
# test_summary_lang_cli.sh: the run summary in Chinese (issue 13, `run
# --lang zh`). Each kind of summary (a plain run, zero trades for each
# reason, margin refusals of every and of some entries, risk exits,
# cheat-on-close and -open, orb on hand-made sessions with trades and on
# `data synth` sessions from the store, a spec run) is made in English and
# in Chinese; the Chinese one must carry the Chinese words of its lines, no
# English sentence of the summary, as many lines, and exactly the English
# one's numbers in the same order (both are extracted from the texts; the
# words checked are the fixed ones of the string table). The document
# records summary_lang only for a summary not in English, and the printed
# text labels the notes as Chinese. Also: every summary.* key the code uses
# is a row of the table with both languages.
set -u
cli="${SLAB_CLI:?set SLAB_CLI to the stratlab binary}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$here/../.."
tmp="${SLAB_TMP:-/tmp}/summary_lang_cli.$$"
mkdir -p "$tmp"
trap 'rm -rf "$tmp"' EXIT
export STRATLAB_DB="$tmp/store.db"
. "$here/lib.sh"

"$cli" data sample --symbol S --bars 600 --seed 1 --out "$tmp/s.csv" >/dev/null 2>&1

# same NAME WORDS ARGS...: runs `run ARGS --json` in both languages and
# compares the two summaries. WORDS: Chinese words (|-separated) the zh
# summary must contain.
same() {
  local name="$1" words="$2"; shift 2
  "$cli" run "$@" --json >"$tmp/$name.en.json" 2>"$tmp/$name.en.err"
  "$cli" run "$@" --json --lang zh >"$tmp/$name.zh.json" 2>"$tmp/$name.zh.err"
  check "$name: the Chinese summary has the English one's numbers" \
    python3 - "$tmp/$name.en.json" "$tmp/$name.zh.json" "$words" <<'EOF'
import json, re, sys
en_doc, zh_doc = (json.load(open(p)) for p in sys.argv[1:3])
en, zh = en_doc["summary"], zh_doc["summary"]
assert "summary_lang" not in en_doc, en_doc.get("summary_lang")
assert zh_doc["summary_lang"] == "zh", zh_doc.get("summary_lang")
# only the summary changes: the numbers, trades and warnings are the same
for k in ("metrics", "stats", "trades", "warnings", "days"):
    assert en_doc.get(k) == zh_doc.get(k), k
num = re.compile(r"[-+]?\d+(?:\.\d+)?")
a, b = num.findall(en), num.findall(zh)
assert a == b, "numbers differ:\n%s\n%s\n--- en:\n%s\n--- zh:\n%s" % (a, b, en, zh)
assert len(a) > 5, a
assert en.count("\n") == zh.count("\n"), (en, zh)
for w in sys.argv[3].split("|"):
    assert w in zh, "missing %r in:\n%s" % (w, zh)
# no English sentence of the summary is left (the broker's own reason, the
# flags and the names stay as they are)
for w in ("final value", "bars)", "closed trades", "won,", "max drawdown", "Sharpe",
          "No trades", "Likely reasons", "Cause:", "Fix:", "Exits:", "rejected", "Entry:",
          "Exit:", "breakout", "Sessions:", "Next:", "still open", "Cheat-on", "Synthetic",
          "In the market", "CAGR", "buy & hold", "best trade", "annualized", "order(s)",
          "the first", "was refused", "were refused", "Some orders", "the broker checks",
          "reference setting", "look-ahead", "warm-up", "price reached", "max gain"):
    assert w not in zh, "English %r left in:\n%s" % (w, zh)
# the Chinese full stop ends each sentence line
for line in zh.split("\n"):
    assert line.endswith("。"), line
EOF
}

S=(--data "$tmp/s.csv" --strategy sma_cross)
same plain "最终资产|初始资金|已平仓交易|胜率|净盈亏|最大回撤|夏普比率|按日收益年化|持仓K线占比|复合年增长率|买入持有|最佳交易|最差" \
  "${S[@]}"
same open "个持仓到结束时仍未平仓,按最后收盘价计值" "${S[@]}" --to 2016-03-01
# zero trades: warm-up longer than the data, the only bar left, the sizer
same warmup "没有任何交易。可能的原因:|预热K线多于数据仅有的|夏普比率(按年收益)无定义" \
  "${S[@]}" --param fast=300 --param slow=700
same sizer0 "仓位计算得到 0 股|可能的原因" "${S[@]}" --cash 1 --sizer percent_int:95
same never "入场条件从未成立" --data "$tmp/s.csv" --strategy sma_cross --from 2015-01-02 --to 2015-03-01
# margin refusals: every entry, then some
same margin_all "所有入场订单都因现金不足被拒绝|共 12 个订单|原因:|解决办法:|需要该收盘价下|--cheat-on-close" \
  "${S[@]}" --sizer percent:100
same margin_some "部分订单因现金不足被拒绝|原因:|解决办法:" "${S[@]}" --sizer percent:99.5
same margin_fixed "更小的 --sizer fixed:N" "${S[@]}" --sizer fixed:5000
# risk exits, cheat-on-close and cheat-on-open
same exits "平仓方式:|次止损" "${S[@]}" --stop-loss 2%
same coc "已开启 cheat-on-close" "${S[@]}" --cheat-on-close
same coo "已开启 cheat-on-open" "${S[@]}" --cheat-on-open

# orb on hand-made 1-minute sessions (as test_orb_cli.sh): day 1 has no
# previous IDX session, day 2 breaks out above 101.5 and trades.
orb_two_sessions "$tmp"
O=(--strategy orb --param opening_range_minutes=2 --param exit_time=09:38 --param trailing_stop_pct=0
   --sizer fixed:10 --commission 0)
same orb_filter "交易日:2 个:1 个有交易|个没有供过滤条件使用的前一交易日|开仓:做多 102.00,时间 09:33|向上突破 101.50,于 09:32 确认|IDX 较其前一收盘 +0.50%|平仓:103.25,时间 09:38(收盘平仓)|扣除佣金后盈亏 +12.50|最高价达到|平仓时保留了其中的|下一步:|不用过滤条件" \
  "${O[@]}" --data ACME="$tmp/acme.csv" --data IDX="$tmp/idx.csv" --param market_filter=IDX
same orb_plain "交易日:2 个:2 个有交易|平仓方式:2 次收盘平仓|下一步:" "${O[@]}" --data ACME="$tmp/acme.csv"
# orb on synthetic sessions from the store: the synthetic-data line
"$cli" data synth --symbol ACME --symbol QQQ --from 2025-07-01 --to 2025-07-10 >/dev/null 2>&1
same orb_synth "合成数据(stratlab data synth),不是市场价格|交易日:7 个|没有交易:原因见下面的交易日统计|被过滤条件挡住" \
  --strategy orb --symbol ACME --symbol QQQ --param market_filter=QQQ --stamp start
same orb_synth_trades "合成数据|交易日:7 个|次移动止损|按日收益年化为" --strategy orb --symbol ACME --stamp start

# a spec run
same spec "最终资产|夏普比率" --spec "$root/examples/specs/sma_cross.json" --data "$tmp/s.csv" \
  --from 2015-01-02 --to 2017-04-20

# The printed text: the Chinese notes labelled as such; English unchanged.
"$cli" run "${S[@]}" --lang zh >"$tmp/zh.txt" 2>&1
check "run --lang zh prints the Chinese summary under 运行说明" python3 - "$tmp/zh.txt" \
  "$tmp/plain.zh.json" <<'EOF'
import json, sys
text = open(sys.argv[1]).read()
doc = json.load(open(sys.argv[2]))
assert "运行说明:\n" + doc["summary"] + "\n" in text, text
assert "运行说明(英文)" not in text, text
EOF
"$cli" run "${S[@]}" --json --lang en >"$tmp/en2.json"
check "--lang en is the default document's summary, without summary_lang" python3 -c '
import json, sys
a, b = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
assert a["summary"] == b["summary"] and "summary_lang" not in b' "$tmp/plain.en.json" "$tmp/en2.json"

# The report of a Chinese document: its notes are not called English.
"$cli" report "$tmp/plain.zh.json" -o "$tmp/zh.html" --lang zh >/dev/null 2>&1
check "report --lang zh of a Chinese document labels its notes 运行说明" bash -c \
  "grep -q '<summary>运行说明</summary>' '$tmp/zh.html' && ! grep -q '运行说明(英文)' '$tmp/zh.html'"
"$cli" report "$tmp/plain.en.json" -o "$tmp/en.html" --lang zh >/dev/null 2>&1
check "report --lang zh of an English document still says its notes are English" \
  grep -q '运行说明(英文)' "$tmp/en.html"

# Every summary.* key the code uses is a row of the table with both
# languages (a missing row would print its key).
check "every summary key in the code has an English and a Chinese row" python3 - "$root" <<'EOF'
import re, sys
root = sys.argv[1]
table = open(root + "/src/report/text.c", encoding="utf-8").read()
rows = {}
for m in re.finditer(r'\{"(summary\.[a-z_]+)",\s*\{((?:\s*"(?:[^"\\]|\\.)*")+)\s*,((?:\s*"(?:[^"\\]|\\.)*")+)\s*\}\}', table):
    join = lambda s: "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', s))
    rows[m.group(1)] = (join(m.group(2)), join(m.group(3)))
used = set()
for f in ("src/report/summary.c", "src/report/result_doc.c", "src/cli/cmd_run.c",
          "src/report/report_html.c"):
    used |= set(re.findall(r'"(summary\.[a-z_]+)"', open(root + "/" + f, encoding="utf-8").read()))
assert len(used) > 40, sorted(used)
missing = sorted(k for k in used if k not in rows)
assert not missing, missing
for k in used:
    en, zh = rows[k]
    assert en and zh, (k, en, zh)
    assert en != zh or not re.search("[A-Za-z]", en), (k, en, zh)
    # a row with words has Chinese ones (separators may be ASCII)
    assert any(ord(c) > 127 for c in zh) or not re.search("[A-Za-z]", en), (k, zh)
unused = sorted(k for k in rows if k not in used)
assert not unused, unused
EOF

finish
