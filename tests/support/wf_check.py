#!/usr/bin/env python3
# wf_check.py: checks a `stratlab walkforward --json` document window by
# window against separate commands, the expected values coming only from
# them: each train window's choice is the best line of a separate ranked
# `sweep` over its span (params, metric, trials), and each test window's
# out-of-sample metrics are a separate `run` over its span with the chosen
# parameters and the cash the previous separate run ended with; the
# stitched document ends at the last run's value. Spans are given as
# --from/--to dates (calendar windows) or times (bar-count windows).
#
#   wf_check.py CLI DOC RANK MIN_TRADED COMMON... -- GRID...
# COMMON: the options both the walk-forward and the separate commands take
# (--strategy, --data, fixed --param, --stamp ...; not --from/--to/--date);
# RANK: as --rank takes it (total_return, max_drawdown_pct:max, ...);
# GRID: the --param axes. MIN_TRADED: windows whose separate run must trade.
import json
import subprocess
import sys


def out(cmd):
    return json.loads(subprocess.run(cmd, capture_output=True, text=True, check=True).stdout)


def main():
    cli, doc_path, rank, min_traded = sys.argv[1:5]
    rest = sys.argv[5:]
    cut = rest.index("--")
    common, grid = rest[:cut], rest[cut + 1:]
    doc = json.load(open(doc_path))
    wf = doc["walkforward"]
    bars = wf["train"].endswith("b") or wf["test"].endswith("b")

    def span(s):  # a window's span as --from/--to values
        if bars:
            return [s["from"].replace("T", " ")[:19], s["to"].replace("T", " ")[:19]]
        return [s["from"][:10], s["to"][:10]]

    cash, traded, chosen = float(doc["backtest"]["config"]["cash"]), 0, set()
    for k, w in enumerate(wf["windows"]):
        f, t = span(w["train"])
        s = out([cli, "sweep"] + common + grid + ["--from", f, "--to", t, "--rank", rank, "--json",
                                                  "--out", "/dev/null"])
        top = s["top"][0] if s["top"] else None
        assert (top["params"] if top else None) == w["params"], (k, w["params"], top)
        assert s["trials"] == w["in_sample"]["trials"], (k, s["trials"])
        if not top:
            assert w["out_of_sample"] is None, k
            continue
        metric = rank.split(":")[0]
        assert top["metrics"][metric] == w["in_sample"]["metric"], (k, top["metrics"][metric])
        params = []
        for name, v in w["params"].items():
            params += ["--param", "%s=%s" % (name, v if isinstance(v, str) else repr(v))]
        f, t = span(w["test"])
        r = out([cli, "run"] + common + params + ["--from", f, "--to", t, "--cash", repr(cash),
                                                  "--json"])
        if r["metrics"] != w["out_of_sample"]:
            diff = {m: (r["metrics"][m], w["out_of_sample"].get(m)) for m in r["metrics"]
                    if r["metrics"][m] != w["out_of_sample"].get(m)}
            raise AssertionError("window %d (%s): %s" % (k + 1, w["test"], diff))
        assert r["backtest"]["symbols"] == doc["backtest"]["symbols"], r["backtest"]["symbols"]
        cash = r["metrics"]["final_value"]
        traded += r["metrics"]["num_trades"] > 0
        chosen.add(json.dumps(w["params"], sort_keys=True))
    assert doc["metrics"]["final_value"] == cash, (doc["metrics"]["final_value"], cash)
    assert traded >= int(min_traded), (traded, min_traded)
    print("%d windows, %d traded, %d distinct choices" % (len(wf["windows"]), traded, len(chosen)))


main()
