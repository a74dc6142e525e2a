/* text.h: every human-facing string of stratlab in English and Chinese,
 * from one table (src/report/text.c), and numbers formatted for the
 * language. The summary, the report, compare and the diagnosis all take
 * their words from here, so a sentence is translated once.
 * Invariant: each row has both languages, and both carry the same printf
 * conversions in the same order (positional %1$s allowed), which the
 * tests check row by row; a key missing from the table shows as itself.
 * Every row is a printf format: a literal percent sign is written %% and
 * such a row is read with slab_textf(), like any row with arguments. */
#ifndef STRATLAB_TEXT_H
#define STRATLAB_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "stratlab/core.h"

/* The languages of the table, in its column order. */
typedef enum slab_lang {
    SLAB_LANG_EN = 0, /* English (the default) */
    SLAB_LANG_ZH,     /* Simplified Chinese */
    SLAB_LANG_COUNT
} slab_lang;

/* Parses "en" or "zh" (also "zh-CN", "zh_CN", "cn", "english", "chinese",
 * any case). SLAB_EINVAL with the accepted names otherwise. */
slab_status slab_lang_parse(const char *s, slab_lang *out, slab_error *err);
/* "en" or "zh" (BCP 47, for <html lang>). */
const char *slab_lang_code(slab_lang lang);

/* The text of key in lang (borrowed, static). A key that is not in the
 * table returns the key itself, so a forgotten row is visible, never a
 * crash. Keys are dotted: "stats.sharpe_ratio", "report.title". */
const char *slab_text(slab_lang lang, const char *key);
/* 1 when key is a row of the table. */
int slab_text_has(const char *key);
/* Formats the row's text as a printf format with the arguments into buf
 * (n bytes, truncated, always terminated); returns buf. */
char *slab_textf(slab_lang lang, const char *key, char *buf, size_t n, ...);

/* One row of the table, for tests and for listing. */
typedef struct slab_text_row {
    const char *key;
    const char *text[SLAB_LANG_COUNT]; /* indexed by slab_lang */
} slab_text_row;
/* The whole table (borrowed) and its row count in *n. */
const slab_text_row *slab_text_table(size_t *n);

/* ---- numbers for people ------------------------------------------------
 * All return buf (n >= 48). NaN and infinities print as the table's
 * "num.none" text ("n/a", "无"), never as "nan". */

/* x with `decimals` decimals (0..12), rounded half away from zero as
 * printf does, digits grouped by thousands: en 1,234,567.89; zh the same
 * grouping (seed 001's Phase 6 table prints amounts with {:,}). */
char *slab_fmt_number(slab_lang lang, double x, int decimals, char *buf, size_t n);
/* A percent value (12.345 means 12.345%) as "12.35%"; with sign = 1 a
 * leading "+" on positive values. */
char *slab_fmt_percent(slab_lang lang, double pct, int decimals, int sign, char *buf, size_t n);
/* A duration in days: "182 days", "1 day", "0.25 days"; zh "182 天".
 * Whole numbers print without decimals, others with two. */
char *slab_fmt_days(slab_lang lang, double days, char *buf, size_t n);
/* A count of bars: "12 bars" / "12 根K线". */
char *slab_fmt_bars(slab_lang lang, double bars, char *buf, size_t n);

#endif
