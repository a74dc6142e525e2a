/* test_text.c: the string table (every row in both languages, with the
 * same printf conversions, keys unique) and the number formatting for
 * people, against rows worked out by hand. */
#include "slab_test.h"
#include "stratlab/text.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* The conversions of a printf format as a canonical string: for each
 * argument position (positional %N$ or sequential), its conversion
 * letter, so "%2$s %1$d" gives "ds". "%%" is not a conversion. Returns -1
 * on a malformed format. */
static int conversions(const char *f, char *out, size_t n)
{
    char by_pos[16] = {0};
    int seq = 0, max = 0;
    for (const char *p = f; *p; p++) {
        if (*p != '%')
            continue;
        p++;
        if (*p == '%')
            continue;
        int pos = 0;
        const char *q = p;
        while (*q >= '0' && *q <= '9')
            pos = pos * 10 + (*q++ - '0');
        if (*q == '$')
            p = q + 1;
        else
            pos = ++seq;
        while (*p && strchr("-+ #0123456789.lhzjt", *p))
            p++;
        if (!*p || pos < 1 || pos > 15)
            return -1;
        by_pos[pos] = *p;
        if (pos > max)
            max = pos;
    }
    if ((size_t)max + 1 > n)
        return -1;
    for (int i = 1; i <= max; i++)
        out[i - 1] = by_pos[i] ? by_pos[i] : '?';
    out[max] = '\0';
    return 0;
}

static void every_row_in_both_languages(void **state)
{
    (void)state;
    size_t n;
    const slab_text_row *rows = slab_text_table(&n);
    assert_true(n > 50);
    for (size_t i = 0; i < n; i++) {
        char c0[20], c1[20];
        for (int l = 0; l < SLAB_LANG_COUNT; l++)
            if (!rows[i].text[l] || !rows[i].text[l][0])
                fail_msg("row %s: language %d is empty", rows[i].key, l);
        if (conversions(rows[i].text[0], c0, sizeof c0) ||
            conversions(rows[i].text[1], c1, sizeof c1) || strcmp(c0, c1))
            fail_msg("row %s: conversions differ: en '%s' zh '%s'", rows[i].key, rows[i].text[0],
                     rows[i].text[1]);
        for (size_t j = 0; j < i; j++)
            if (!strcmp(rows[i].key, rows[j].key))
                fail_msg("key %s appears twice", rows[i].key);
    }
}

static void lookup_and_fallbacks(void **state)
{
    (void)state;
    char buf[128];
    assert_string_equal(slab_text(SLAB_LANG_EN, "stats.sharpe_ratio"), "Sharpe ratio");
    /* seed 001 Phase 6 names the Sharpe ratio 夏普比率 and the match 匹配. */
    assert_string_equal(slab_text(SLAB_LANG_ZH, "stats.sharpe_ratio"), "夏普比率");
    assert_string_equal(slab_text(SLAB_LANG_ZH, "diag.match"), "匹配");
    assert_string_equal(slab_text(SLAB_LANG_ZH, "diag.partial_match"), "部分匹配");
    assert_string_equal(slab_text(SLAB_LANG_ZH, "diag.mismatch"), "不匹配");
    /* An unknown key shows as itself. */
    assert_string_equal(slab_text(SLAB_LANG_ZH, "no.such.key"), "no.such.key");
    assert_int_equal(slab_text_has("no.such.key"), 0);
    assert_int_equal(slab_text_has("report.title"), 1);
    /* Positional arguments swap places in Chinese. */
    slab_textf(SLAB_LANG_EN, "report.trades_capped", buf, sizeof buf, "100", "523");
    assert_non_null(strstr(buf, "Showing 100 of 523 trades"));
    slab_textf(SLAB_LANG_ZH, "report.trades_capped", buf, sizeof buf, "100", "523");
    assert_non_null(strstr(buf, "显示 523 笔交易中的 100 笔"));
}

static void lang_names(void **state)
{
    (void)state;
    slab_lang l = SLAB_LANG_COUNT;
    slab_error err;
    static const struct {
        const char *s;
        slab_lang want;
    } ok[] = {{"en", SLAB_LANG_EN}, {"EN", SLAB_LANG_EN}, {"zh", SLAB_LANG_ZH},
              {"zh-CN", SLAB_LANG_ZH}, {"zh_CN", SLAB_LANG_ZH}, {"chinese", SLAB_LANG_ZH}};
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        assert_int_equal(slab_lang_parse(ok[i].s, &l, &err), SLAB_OK);
        assert_int_equal(l, ok[i].want);
    }
    assert_int_equal(slab_lang_parse("fr", &l, &err), SLAB_EINVAL);
    assert_string_equal(err.msg, "unknown language 'fr'; use en (English) or zh (Chinese)");
    assert_string_equal(slab_lang_code(SLAB_LANG_ZH), "zh");
}

static void numbers(void **state)
{
    (void)state;
    char buf[96];
    /* {value, decimals, en, zh}: grouping by thousands, printf rounding
     * (1002.675 is 1002.67499999999995... in binary, so it rounds down). */
    static const struct {
        double x;
        int dec;
        const char *en, *zh;
    } rows[] = {
        {1234567.891, 2, "1,234,567.89", "1,234,567.89"},
        {100000.0, 0, "100,000", "100,000"},
        {999.0, 0, "999", "999"},
        {1000.0, 0, "1,000", "1,000"},
        {-1234.5, 1, "-1,234.5", "-1,234.5"},
        {1002.675, 2, "1,002.67", "1,002.67"},
        {-0.001, 2, "0.00", "0.00"}, /* rounds to zero: no minus sign */
        {0.5, 0, "0", "0"},          /* printf rounds half to even here: 0 */
        {NAN, 2, "n/a", "无"},
        {INFINITY, 2, "n/a", "无"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_string_equal(slab_fmt_number(SLAB_LANG_EN, rows[i].x, rows[i].dec, buf, sizeof buf),
                            rows[i].en);
        assert_string_equal(slab_fmt_number(SLAB_LANG_ZH, rows[i].x, rows[i].dec, buf, sizeof buf),
                            rows[i].zh);
    }
    assert_string_equal(slab_fmt_percent(SLAB_LANG_EN, 12.345, 2, 1, buf, sizeof buf), "+12.35%");
    assert_string_equal(slab_fmt_percent(SLAB_LANG_EN, -3.5, 1, 1, buf, sizeof buf), "-3.5%");
    assert_string_equal(slab_fmt_percent(SLAB_LANG_ZH, 1500.0, 0, 0, buf, sizeof buf), "1,500%");
    assert_string_equal(slab_fmt_days(SLAB_LANG_EN, 1.0, buf, sizeof buf), "1 day");
    assert_string_equal(slab_fmt_days(SLAB_LANG_EN, 1461.0, buf, sizeof buf), "1,461 days");
    assert_string_equal(slab_fmt_days(SLAB_LANG_EN, 0.25, buf, sizeof buf), "0.25 days");
    assert_string_equal(slab_fmt_days(SLAB_LANG_ZH, 182.0, buf, sizeof buf), "182 天");
    assert_string_equal(slab_fmt_bars(SLAB_LANG_ZH, 12.0, buf, sizeof buf), "12 根K线");
    assert_string_equal(slab_fmt_bars(SLAB_LANG_EN, 12.0, buf, sizeof buf), "12 bars");
}

/* The run summary's sentences (src/report/summary.c and the statistics
 * line of result_doc.c; test_summary_lang_cli.sh checks this list against
 * the keys the code uses): each a row, in both languages, the Chinese one
 * in Chinese words wherever the English has words, and the table has no
 * summary row the summary does not use. */
static void summary_rows_in_both_languages(void **state)
{
    (void)state;
    static const char *const keys[] = {
        "summary.above", "summary.below", "summary.best_worst",
        "summary.breakout", "summary.cause", "summary.cause_check",
        "summary.cause_percent", "summary.close_paren", "summary.coc",
        "summary.coo", "summary.end", "summary.entry",
        "summary.exit", "summary.exit_count", "summary.exits",
        "summary.filter_move", "summary.fix", "summary.fix_coc",
        "summary.fix_fixed", "summary.fix_percent", "summary.headline",
        "summary.highest", "summary.intraday", "summary.kept",
        "summary.list_sep", "summary.long", "summary.lookahead", "summary.lowest",
        "summary.market", "summary.next", "summary.next_filter",
        "summary.no_prior", "summary.no_reason", "summary.no_symbol",
        "summary.no_trades", "summary.no_trades_refused", "summary.no_trades_sessions",
        "summary.notes", "summary.open", "summary.per_period",
        "summary.reached", "summary.reason_sep", "summary.refused",
        "summary.refused_all", "summary.refused_some", "summary.rejected",
        "summary.sessions", "summary.sharpe", "summary.sharpe_bars",
        "summary.sharpe_daily", "summary.sharpe_undefined", "summary.short",
        "summary.some_refused", "summary.still_open", "summary.synthetic",
        "summary.trades", "summary.why_last_bar", "summary.why_never",
        "summary.why_order_last", "summary.why_sizer", "summary.why_warmup",
    };
    size_t nk = sizeof keys / sizeof keys[0], n, in_table = 0;
    const slab_text_row *rows = slab_text_table(&n);
    for (size_t i = 0; i < nk; i++) {
        if (!slab_text_has(keys[i]))
            fail_msg("summary key %s is not in the table", keys[i]);
        const char *en = slab_text(SLAB_LANG_EN, keys[i]), *zh = slab_text(SLAB_LANG_ZH, keys[i]);
        int letters = 0, chinese = 0;
        for (const char *p = en; *p; p++)
            letters |= (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z');
        for (const char *p = zh; *p; p++)
            chinese |= (unsigned char)*p >= 0x80;
        if (!en[0] || !zh[0] || (letters && (!chinese || !strcmp(en, zh))))
            fail_msg("summary key %s: en '%s' zh '%s'", keys[i], en, zh);
    }
    for (size_t i = 0; i < n; i++)
        in_table += !strncmp(rows[i].key, "summary.", 8);
    assert_int_equal(in_table, nk);
    /* two rows by hand: the headline's words, and the Sharpe row's fixed 1% */
    char buf[512];
    slab_textf(SLAB_LANG_ZH, "summary.headline", buf, sizeof buf, "sma_cross", "ORCL", "1d",
               "2000-01-03", "2000-12-29", (size_t)252, 101234.5, 100000.0, 1.2345);
    assert_string_equal(buf, "sma_cross 于 ORCL(1d,2000-01-03 至 2000-12-29,共 252 根K线):"
                             "最终资产 101234.50,初始资金 100000.00(+1.23%)。");
    slab_textf(SLAB_LANG_EN, "summary.headline", buf, sizeof buf, "sma_cross", "ORCL", "1d",
               "2000-01-03", "2000-12-29", (size_t)252, 101234.5, 100000.0, 1.2345);
    assert_string_equal(buf, "sma_cross on ORCL (1d, 2000-01-03 to 2000-12-29, 252 bars): final "
                             "value 101234.50 from 100000.00 (+1.23%).");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_row_in_both_languages),
        cmocka_unit_test(lookup_and_fallbacks),
        cmocka_unit_test(lang_names),
        cmocka_unit_test(numbers),
        cmocka_unit_test(summary_rows_in_both_languages),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
