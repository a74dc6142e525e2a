#!/usr/bin/env python3
"""make_reference.py: backtrader runs of the two universe example specs
(examples/specs/xs_momentum.json, examples/specs/pairs.json), written by hand
from the rules stated in docs/spec.md (Universes), for test_spec_universe.sh.

Data: `stratlab data synth --symbol AAA --symbol BBB --symbol CCC --symbol DDD
--symbol EEE --symbol FFF --from 2016-01-01 --to 2019-12-31 --timeframe 1d
--seed 7 --out DIR` (deterministic), read with backtrader's GenericCSVData.

Usage: PYTHONPATH=<backtrader checkout> python3 make_reference.py DIR OUTDIR
Writes OUTDIR/xs_momentum.json and OUTDIR/pairs.json: final value and cash,
the value after every bar, every closed trade (symbol, open and close
dates, pnl, pnlcomm) and every completed order (symbol, date, size, price,
commission). For the pairs spec the formation period (its
data.pair_selection.formation_end) picks the pair here, by hand: closes
normalised by the first bar's, the smallest sum of squared differences of
the 15 pairs (all listed in pairs.json's formation_ssd); the run trades it.

Settings as ../shared/reference/backtrader: cash 100000, commission 0.001
(percent of value, both legs), cerebro defaults; market orders fill at the
next bar's open. All sizes are computed here, so no sizer is involved.
"""
import itertools
import json
import math
import os
import sys

import backtrader as bt

SYMS = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF"]
CASH = 100000.0
COMM = 0.001


def py_rank(vals, s):
    """cs_rank: (members strictly below + half the ties) / (members - 1)."""
    v = vals[s]
    if v is None or math.isnan(v):
        return float("nan")
    live = [x for x in vals if x is not None and not math.isnan(x)]
    below = 0.0
    for t, x in enumerate(vals):
        if t == s or x is None or math.isnan(x):
            continue
        below += 1.0 if x < v else 0.5 if x == v else 0.0
    return below / (len(live) - 1) if len(live) > 1 else 0.5


class Base(bt.Strategy):
    def __init__(self):
        self.values, self.cashes, self.trades, self.orders = [], [], [], []

    def notify_trade(self, trade):
        if trade.isclosed:
            self.trades.append({
                "symbol": trade.data._name,
                "open": bt.num2date(trade.dtopen).date().isoformat(),
                "close": bt.num2date(trade.dtclose).date().isoformat(),
                "pnl": trade.pnl, "pnlcomm": trade.pnlcomm})

    def notify_order(self, order):
        if order.status == order.Completed:
            self.orders.append({
                "symbol": order.data._name,
                "date": bt.num2date(order.executed.dt).date().isoformat(),
                "size": order.executed.size, "price": order.executed.price,
                "comm": order.executed.comm})
        elif order.status in (order.Margin, order.Rejected):
            self.orders.append({"symbol": order.data._name, "status": order.getstatusname(),
                                "date": self.datas[0].datetime.date(0).isoformat(),
                                "size": order.created.size})

    def market(self, d, is_buy, size):
        (self.buy if is_buy else self.sell)(data=d, size=size, exectype=bt.Order.Market)


class Momentum(Base):
    """xs_momentum.json: mom = close / close[-126] - 1; on the first bar of a
    month (month != month[-1]) the members with cs_rank(mom) > 0.7 get equal
    shares of 90% of the value, the others none. Rebalance: reductions
    first (member order), then additions; differences sized close // price
    as backtrader's order_target_value does (CommInfoBase.getsize)."""
    LB = 126
    PCT = 90.0

    def next(self):
        self.values.append(self.broker.getvalue())
        self.cashes.append(self.broker.getcash())
        i = len(self.datas[0]) - 1
        if i < self.LB:  # warm-up: the engine's first next() is at bar 126
            return
        d0 = self.datas[0]
        if d0.datetime.date(0).month == d0.datetime.date(-1).month:
            return
        mom = [d.close[0] / d.close[-self.LB] - 1 for d in self.datas]
        sel = [py_rank(mom, s) > 0.7 for s in range(len(self.datas))]
        if not any(sel):
            return
        self.rebalance(sel)

    def rebalance(self, sel):
        n_sel = sum(sel)
        equity = self.broker.getvalue()
        for pass_ in (0, 1):
            for s, d in enumerate(self.datas):
                pos = self.getposition(d).size
                close = d.close[0]
                if not sel[s]:
                    if pass_ == 0 and pos != 0:
                        self.market(d, pos < 0, abs(pos))
                    continue
                target = equity * (self.PCT / 100.0) / n_sel
                cur = pos * close
                if target < cur and pass_ == 0:
                    q = (cur - target) // close
                    if q > 0:
                        self.market(d, False, q)
                elif target > cur and pass_ == 1:
                    q = (target - cur) // close
                    if q > 0:
                        self.market(d, True, q)


def rolling_std(xs, per):
    """The STD kernel: exactly rounded window mean, two-pass sum of squares
    in window order, population; a window of equal values gives 0."""
    w = xs[-per:]
    if len(w) < per or any(math.isnan(x) for x in w):
        return float("nan")
    if all(x == w[-1] for x in w):
        return 0.0
    m = math.fsum(w) / per
    ss = 0.0
    for x in w:
        ss += (x - m) * (x - m)
    return math.sqrt(ss / per)


class Pairs(Base):
    """pairs.json on its two members: norm = close / close[-60]; spread =
    norm - cs_mean(norm) (each leg's half of the pair's spread); sd =
    std(spread, 60); from 2017 on (2016 is the formation year), in plan
    order for each member not yet acted on this bar: flat and spread >
    2 sd -> short 45% of the value; flat and spread < -2 sd -> buy 45%;
    short and spread <= 0 -> cover; long and spread >= 0 -> sell."""
    N = 60
    K = 2.0
    PCT = 45.0

    def __init__(self):
        super().__init__()
        self.spreads = [[] for _ in self.datas]

    def next(self):
        self.values.append(self.broker.getvalue())
        self.cashes.append(self.broker.getcash())
        i = len(self.datas[0]) - 1
        nan = float("nan")
        norm = [d.close[0] / d.close[-self.N] if i >= self.N else nan for d in self.datas]
        live = [x for x in norm if not math.isnan(x)]
        # cs_mean: the members' sum in member order, divided by the count
        tot = 0.0
        for x in live:
            tot += x
        mean = tot / len(live) if live else nan
        for s in range(len(self.datas)):
            self.spreads[s].append(norm[s] - mean)
        sd = [rolling_std(self.spreads[s], self.N) for s in range(len(self.datas))]
        if i < 2 * self.N - 1:  # warm-up: the engine's first next() is at bar 119
            return
        year = self.datas[0].datetime.date(0).year
        done = [False] * len(self.datas)
        rules = ("short", "buy", "cover", "sell")
        for rule in rules:
            for s, d in enumerate(self.datas):
                if done[s]:
                    continue
                pos = self.getposition(d).size
                sp, k_sd = self.spreads[s][-1], self.K * sd[s]
                if year < 2017 or math.isnan(sp) or math.isnan(k_sd):
                    continue
                value = self.broker.getvalue()
                size = value / d.close[0] * (self.PCT / 100.0)
                if rule == "short" and pos == 0 and sp > k_sd:
                    self.market(d, False, size)
                elif rule == "buy" and pos == 0 and sp < -k_sd:
                    self.market(d, True, size)
                elif rule == "cover" and pos < 0 and sp <= 0:
                    self.market(d, True, -pos)
                elif rule == "sell" and pos > 0 and sp >= 0:
                    self.market(d, False, pos)
                else:
                    continue
                done[s] = True


def load(cerebro, path, name):
    data = bt.feeds.GenericCSVData(dataname=path, dtformat="%Y-%m-%d", datetime=0, time=-1,
                                   open=1, high=2, low=3, close=4, volume=5, openinterest=6,
                                   timeframe=bt.TimeFrame.Days, compression=1)
    cerebro.adddata(data, name=name)


def run(strategy, dirpath, syms):
    cerebro = bt.Cerebro()
    for s in syms:
        load(cerebro, os.path.join(dirpath, s + ".csv"), s)
    cerebro.broker.setcash(CASH)
    cerebro.broker.setcommission(commission=COMM)
    cerebro.addstrategy(strategy)
    st = cerebro.run()[0]
    return {
        "backtrader": bt.__version__, "symbols": syms,
        "final_value": cerebro.broker.getvalue(), "final_cash": cerebro.broker.getcash(),
        "values": st.values, "trades": st.trades, "orders": st.orders}


def min_distance_pair(dirpath, formation_end="2016-12-31"):
    """The formation period (2016): prices normalised to 1 at the first bar;
    the pair with the smallest sum of squared differences."""
    closes = {}
    for s in SYMS:
        rows = [l.split(",") for l in open(os.path.join(dirpath, s + ".csv")).read().split("\n")[1:] if l]
        closes[s] = [float(r[4]) for r in rows if r[0] <= formation_end]
    ssd = {}
    for a, b in itertools.combinations(SYMS, 2):
        na = [x / closes[a][0] for x in closes[a]]
        nb = [x / closes[b][0] for x in closes[b]]
        ssd[(a, b)] = sum((x - y) ** 2 for x, y in zip(na, nb))
    return min(ssd, key=ssd.get), ssd


def main():
    dirpath, out = sys.argv[1], sys.argv[2]
    os.makedirs(out, exist_ok=True)
    spec = json.load(open(os.path.join(os.path.dirname(__file__), "..", "..", "..",
                                       "examples", "specs", "pairs.json")))
    sel = spec["data"]["pair_selection"]
    assert spec["data"]["symbols"] == SYMS and sel["method"] == "min_distance", spec["data"]
    pair, ssd = min_distance_pair(dirpath, sel["formation_end"])
    docs = {"xs_momentum": run(Momentum, dirpath, SYMS), "pairs": run(Pairs, dirpath, list(pair))}
    import hashlib
    for doc in docs.values():
        doc["data_sha256"] = {s: hashlib.sha256(open(os.path.join(dirpath, s + ".csv"), "rb").read()).hexdigest()
                              for s in doc["symbols"]}
    docs["pairs"]["formation_ssd"] = {"%s-%s" % k: v for k, v in sorted(ssd.items())}
    for name, doc in docs.items():
        doc["command"] = ("stratlab data synth --symbol AAA --symbol BBB --symbol CCC --symbol DDD "
                          "--symbol EEE --symbol FFF --from 2016-01-01 --to 2019-12-31 "
                          "--timeframe 1d --seed 7 --out DIR; PYTHONPATH=<backtrader> python3 "
                          "tests/parity/bt_universe/make_reference.py DIR tests/parity/bt_universe")
        with open(os.path.join(out, name + ".json"), "w") as f:
            json.dump(doc, f, indent=0, sort_keys=True)
            f.write("\n")
        print(name, doc["final_value"], len(doc["trades"]), "trades", len(doc["orders"]), "orders")


if __name__ == "__main__":
    main()
