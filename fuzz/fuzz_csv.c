/* fuzz_csv.c: libFuzzer harness for the CSV loader (src/data/csv.c).
 * Input: one byte of options (format, skip_bad_rows, yahoo_adjust, a
 * column mapping, write-back), then the file's bytes. Beyond "no crash, no
 * leak, no undefined behaviour" (ASan+UBSan), it checks the loader's
 * contract: a loaded series passes slab_bars_check() and its counts add
 * up; a failure leaves *out NULL and a message with no raw control byte
 * (outside text is escaped); a loaded series written with slab_csv_write()
 * reads back bit for bit. Run: scripts/fuzz.sh csv SECONDS. */
#include "data/data_int.h"
#include "stratlab/data.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A printable message: no byte below 0x20 and no DEL (UTF-8 is fine). */
static void check_text(const char *what, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7F) {
            fprintf(stderr, "%s has raw byte 0x%02X: %s\n", what, *p, s);
            abort();
        }
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

/* Writes b to a scratch file and loads it back: the same bars exactly. */
static void write_back(const slab_bars *b)
{
    static char path[64];
    slab_bars *c;
    slab_error err;
    if (!path[0])
        snprintf(path, sizeof path, "/tmp/fuzz_csv_%ld.csv", (long)getpid());
    if (slab_csv_write(b, path, &err) != SLAB_OK)
        return; /* a full disk is not the loader's fault */
    if (slab_csv_load(path, NULL, &c, NULL, &err) != SLAB_OK) {
        fprintf(stderr, "written bars do not load back: %s: %s\n", err.where, err.msg);
        abort();
    }
    if (c->n != b->n)
        abort();
    for (size_t i = 0; i < b->n; i++)
        if (c->ts_ns[i] != b->ts_ns[i] || !same_bits(c->open[i], b->open[i]) ||
            !same_bits(c->high[i], b->high[i]) || !same_bits(c->low[i], b->low[i]) ||
            !same_bits(c->close[i], b->close[i]) || !same_bits(c->volume[i], b->volume[i]) ||
            !same_bits(c->oi[i], b->oi[i])) {
            fprintf(stderr, "bar %zu differs after write and load\n", i);
            abort();
        }
    slab_bars_free(c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slab_csv_options opt;
    slab_load_report rep;
    slab_bars *b = (slab_bars *)&opt; /* must come back NULL on failure */
    slab_error err;

    if (size < 1)
        return 0;
    memset(&opt, 0, sizeof opt);
    uint8_t flags = data[0];
    opt.format = (slab_csv_format)(flags & 3);
    opt.skip_bad_rows = (flags >> 2) & 1;
    opt.yahoo_adjust = (flags >> 3) & 1;
    if ((flags >> 4) & 1) { /* a user mapping, as `data import --col` gives */
        opt.col_date = "when";
        opt.col_close = "px";
    }
    FILE *f = fmemopen((void *)(data + 1), size - 1, "rb"); /* glibc >= 2.22: size 0 is ok */
    if (!f)
        return 0;
    slab_status st = slab__csv_load_stream(f, "fuzz.csv", &opt, &b, &rep, &err);
    fclose(f);
    if (st != SLAB_OK) {
        if (b != NULL || !err.msg[0])
            abort();
        check_text("message", err.msg);
        check_text("location", err.where);
        return 0;
    }
    if (slab_bars_check(b, &err) != SLAB_OK) {
        fprintf(stderr, "loaded bars fail the check: %s: %s\n", err.where, err.msg);
        abort();
    }
    if (b->n != rep.rows_loaded ||
        rep.rows_loaded + rep.rows_skipped + rep.rows_null != rep.rows_read ||
        strlen(b->sha256) != 64)
        abort();
    if (rep.rows_skipped)
        check_text("first skip", rep.first_skip);
    if ((flags >> 7) & 1)
        write_back(b);
    slab_bars_free(b);
    return 0;
}
