/* slab_refs.c: see slab_refs.h. The lists are the contents of ../shared
 * as shared/README.md describes it (17 backtrader runs, 29 fill cases, 78
 * TA-Lib calls on two datasets); they are names, never reference values. */
#include "slab_refs.h"

#include <stdio.h>
#include <string.h>

const char *const slab_refs_bt_runs[SLAB_REFS_N_BT_RUNS] = {
    "bbands_day2006",         "bbands_min5",   "bbands_orcl",       "buyhold_day2006",
    "buyhold_min5",           "buyhold_orcl",  "macdtrail_day2006", "macdtrail_min5",
    "macdtrail_orcl",         "rsi_day2006",   "rsi_min5",          "rsi_orcl",
    "smacross_day2006",       "smacross_min5", "smacross_orcl",     "smacross_orcl_int",
    "smacross_orcl_yahooadj",
};

const char *const slab_refs_fill_cases[SLAB_REFS_N_FILL_CASES] = {
    "market_buy",
    "market_last_bar_never_fills",
    "limit_buy_intrabar",
    "limit_buy_gap_below",
    "limit_buy_not_touched_then_fill",
    "limit_sell_gap_above",
    "limit_sell_intrabar",
    "stop_buy_gap_above",
    "stop_buy_intrabar",
    "stop_sell_gap_below",
    "stop_sell_intrabar",
    "stoplimit_buy_intrabar_O<=C_lim>=stop",
    "stoplimit_buy_intrabar_O>C_lim>=stop",
    "stoplimit_buy_intrabar_O>C_lim<stop_lim>=C",
    "stoplimit_buy_intrabar_O<=C_lim<stop_then_limit",
    "stoplimit_buy_gap_then_limit_same_bar",
    "stoplimit_sell_intrabar_O<=C",
    "stoptrail_sell_amount2",
    "stoptrail_sell_pct5_gap",
    "stoptrail_buy_pct5",
    "stoptraillimit_sell",
    "close_order_type",
    "limit_valid_DAY_expires_untried",
    "limit_valid_2days",
    "coc_market_fills_creation_close",
    "cheat_on_open_next_open",
    "margin_reject_on_gap",
    "margin_reject_at_submit_check",
    "two_orders_fifo_cash",
};

const char *const slab_refs_talib[SLAB_REFS_N_TALIB] = {
    "SMA_20.csv",
    "EMA_20.csv",
    "WMA_20.csv",
    "DEMA_20.csv",
    "TEMA_20.csv",
    "TRIMA_20.csv",
    "KAMA_30.csv",
    "KAMA_10.csv",
    "SMA_5.csv",
    "EMA_5.csv",
    "EMA_50.csv",
    "SMA_200.csv",
    "EMA_200.csv",
    "T3_5_0.7.csv",
    "BBANDS_20_2_2_SMA.csv",
    "SAR_0.02_0.2.csv",
    "MIDPOINT_14.csv",
    "MIDPRICE_14.csv",
    "RSI_14.csv",
    "RSI_2.csv",
    "CMO_14.csv",
    "MACD_12_26_9.csv",
    "MACDFIX_9.csv",
    "MACDEXT_12_EMA_26_EMA_9_EMA.csv",
    "STOCH_14_3_SMA_3_SMA.csv",
    "STOCH_5_3_SMA_3_SMA.csv",
    "STOCHF_14_3_SMA.csv",
    "STOCHRSI_14_5_3_SMA.csv",
    "STOCHRSI_14_14_1_SMA.csv",
    "MOM_10.csv",
    "ROC_10.csv",
    "ROCP_10.csv",
    "ROCR_10.csv",
    "ROCR100_10.csv",
    "MOM_12.csv",
    "ROCP_12.csv",
    "TRIX_30.csv",
    "CCI_20.csv",
    "CCI_14.csv",
    "ADX_14.csv",
    "ADXR_14.csv",
    "DX_14.csv",
    "PLUS_DI_14.csv",
    "MINUS_DI_14.csv",
    "PLUS_DM_14.csv",
    "MINUS_DM_14.csv",
    "WILLR_14.csv",
    "AROON_14.csv",
    "AROONOSC_14.csv",
    "MFI_14.csv",
    "ULTOSC_7_14_28.csv",
    "APO_12_26_SMA.csv",
    "PPO_12_26_SMA.csv",
    "APO_12_26_EMA.csv",
    "PPO_12_26_EMA.csv",
    "BOP.csv",
    "ATR_14.csv",
    "NATR_14.csv",
    "TRANGE.csv",
    "OBV.csv",
    "AD.csv",
    "ADOSC_3_10.csv",
    "STDDEV_20_1.csv",
    "VAR_20_1.csv",
    "LINEARREG_14.csv",
    "LINEARREG_SLOPE_14.csv",
    "LINEARREG_INTERCEPT_14.csv",
    "LINEARREG_ANGLE_14.csv",
    "TSF_14.csv",
    "CORREL_30.csv",
    "BETA_5.csv",
    "SUM_20.csv",
    "MAX_20.csv",
    "MIN_20.csv",
    "AVGPRICE.csv",
    "MEDPRICE.csv",
    "TYPPRICE.csv",
    "WCLPRICE.csv",
};

const char *const slab_refs_talib_sets[SLAB_REFS_N_TALIB_SETS] = {"orcl-1995-2014",
                                                                  "edge_cases_400"};

const char *const slab_refs_data[SLAB_REFS_N_DATA] = {
    "2006-01-02-volume-min-001.txt",
    "2006-day-001.txt",
    "2006-min-005.txt",
    "2006-volume-day-001.txt",
    "nvda-1999-2014.txt",
    "orcl-1995-2014.txt",
    "yhoo-1996-2015.txt",
    "edge_cases_400.csv",
    "synthetic_ohlcv_5000.csv",
};

void slab_refs_each(void (*fn)(const char *rel, void *arg), void *arg)
{
    char rel[256];

    for (size_t i = 0; i < SLAB_REFS_N_DATA; i++) {
        snprintf(rel, sizeof rel, "data/%s", slab_refs_data[i]);
        fn(rel, arg);
    }
    for (size_t i = 0; i < SLAB_REFS_N_BT_RUNS; i++) {
        snprintf(rel, sizeof rel, "reference/backtrader/%s.json", slab_refs_bt_runs[i]);
        fn(rel, arg);
        snprintf(rel, sizeof rel, "reference/backtrader/%s_equity.csv", slab_refs_bt_runs[i]);
        fn(rel, arg);
    }
    fn("reference/backtrader/order_fill_cases.json", arg);
    /* The ORB rules on one feed (test_spec_parity: the orb example spec). */
    fn("reference/orb/acme_1m.csv", arg);
    fn("reference/orb/orb_acme_nofilter.json", arg);
    fn("reference/orb/orb_acme_nofilter_equity.csv", arg);
    /* The ORB on two feeds (test_orb_ref). */
    fn("reference/orb/idx_1m.csv", arg);
    fn("reference/orb/orb_acme_nofilter_days.json", arg);
    fn("reference/orb/orb_acme_filter.json", arg);
    fn("reference/orb/orb_acme_filter_equity.csv", arg);
    fn("reference/orb/orb_acme_filter_days.json", arg);
    fn("reference/backtrader/indicators_orcl.csv", arg);
    for (size_t s = 0; s < SLAB_REFS_N_TALIB_SETS; s++) {
        snprintf(rel, sizeof rel, "reference/indicators/%s/input.csv", slab_refs_talib_sets[s]);
        fn(rel, arg);
        snprintf(rel, sizeof rel, "reference/indicators/%s/talib/manifest.csv",
                 slab_refs_talib_sets[s]);
        fn(rel, arg);
        for (size_t i = 0; i < SLAB_REFS_N_TALIB; i++) {
            snprintf(rel, sizeof rel, "reference/indicators/%s/talib/%s", slab_refs_talib_sets[s],
                     slab_refs_talib[i]);
            fn(rel, arg);
        }
    }
}

int slab_refs_find(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] && name && !strcmp(list[i], name))
            return (int)i;
    return -1;
}
