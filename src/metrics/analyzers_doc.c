/* analyzers_doc.c: the "analyzers" object as the result document shows
 * it. slab_analyzers_json reproduces backtrader's structures exactly (the
 * parity tests compare it with backtrader's output); a document adds what
 * a reader needs and drops backtrader's sentinel: "conventions" gives the
 * unit of every analyzer's numbers, and an unused minimum of trade lengths,
 * backtrader's sys.maxsize (9223372036854775807), reads as null. */
#include "stratlab/result.h"

#include <stdint.h>

/* Every analyzer's units, in the order slab_analyzers_json writes them. */
static const char *const conventions[][2] = {
    {"tradeanalyzer",
     "backtrader TradeAnalyzer: counts of trades; pnl in cash units (gross: before commission, "
     "net: after); len in bars; a min with no trade of its kind is null (backtrader: "
     "sys.maxsize)"},
    {"sharperatio",
     "backtrader SharpeRatio default: yearly returns (fractions), rf 1% per year converted per "
     "period, population sd, not annualized; null with fewer than 2 years or sd 0"},
    {"drawdown",
     "backtrader DrawDown: drawdown in percent of the running peak value, moneydown in cash "
     "units, len in bars; max: the largest"},
    {"returns",
     "backtrader Returns: rtot = ln(final/start value); ravg = rtot per period of the data's "
     "timeframe (days for daily data); rnorm = expm1(ravg * 252 for days, 52 weeks, 12 months, "
     "1 otherwise: intraday bars are not annualized), a fraction; rnorm100 = rnorm in percent"},
    {"sqn", "System Quality Number: sqrt(n)*mean/sd of closed trades' pnlcomm (no unit); the "
            "int 0 with fewer than 2 trades; trades: closed trades"},
    {"annualreturn",
     "backtrader AnnualReturn: per calendar year, the value at its last bar over the value at "
     "the previous year's end (the first bar's for the first year) minus 1: a fraction "
     "(0.05 = 5%), not percent"},
    {"sharpe_a_days",
     "backtrader SharpeRatio_A(timeframe=Days): daily returns (fractions), rf 1.01^(1/252)-1 per "
     "day, population sd, times sqrt(252)"},
    {"sharpe_days_sample_annualized",
     "SharpeRatio_A(timeframe=Days, riskfreerate=0, stddev_sample=True): daily returns, rf 0, "
     "sample sd (n-1), times sqrt(252)"},
    {"sharpe_months",
     "backtrader SharpeRatio(timeframe=Months): monthly returns (fractions), rf 1% per year "
     "converted per month, population sd, not annualized"},
    {"vwr", "backtrader VWR: variability-weighted return over the data's timeframe, in percent "
            "(tau 0.2, sdev_max 2.0, as backtrader's code runs them)"},
    {"calmar",
     "backtrader Calmar(timeframe=Months, period 36): ln(final value / the value 36 months "
     "back) / 36, a mean monthly log return (fraction), over the largest drawdown of the "
     "months' first-bar values in percent (0 without a drawdown); null with fewer than 34 "
     "months; n_periods: months seen; last_key: the last month"},
    {"timereturn_years",
     "backtrader TimeReturn(timeframe=Years): per year (keyed by its last day), the value's "
     "change over the year, a fraction"},
    {"periodstats",
     "backtrader PeriodStats(timeframe=Years): average, stddev (population), best and worst of "
     "the yearly returns, fractions; positive, negative, nochange: counts of years"},
};

/* Replaces every integer equal to backtrader's sys.maxsize under o. */
static void drop_sentinels(json_t *o)
{
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v)
    {
        if (json_is_object(v))
            drop_sentinels(v);
        else if (json_is_integer(v) && json_integer_value(v) == INT64_MAX)
            json_object_set_new(o, key, json_null()); /* replacing keeps the key's place */
    }
}

int slab_analyzers_document(json_t *an)
{
    json_t *c = json_object();
    if (!c)
        return -1;
    for (size_t k = 0; k < sizeof conventions / sizeof conventions[0]; k++)
        if (json_object_get(an, conventions[k][0]) &&
            json_object_set_new(c, conventions[k][0], json_string(conventions[k][1]))) {
            json_decref(c);
            return -1;
        }
    drop_sentinels(json_object_get(an, "tradeanalyzer"));
    return json_object_set_new(an, "conventions", c) ? -1 : 0;
}
