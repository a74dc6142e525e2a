/* data_int.h: helpers shared by the data module's files (bars.c, csv.c,
 * sample.c); not part of the public interface. One place defines what makes
 * a bar inconsistent, so the loader and slab_bars_check() say the same. */
#ifndef SLAB_DATA_INT_H
#define SLAB_DATA_INT_H

#include "stratlab/data.h"

#include <stdint.h>
#include <stdio.h>

/* Which value of a bar a problem is about (0 = none). */
typedef enum slab__bar_field {
    SLAB__BF_NONE = 0,
    SLAB__BF_OPEN,
    SLAB__BF_HIGH,
    SLAB__BF_LOW,
    SLAB__BF_CLOSE,
    SLAB__BF_VOLUME
} slab__bar_field;

/* Checks one bar's values: finite prices > 0, high >= low,
 * low <= min(open, close), high >= max(open, close), finite volume >= 0.
 * Returns SLAB__BF_NONE when consistent, else the field at fault, with a
 * message like "high 9.5 is below low 10" written into msg[n]. */
slab__bar_field slab__bar_problem(double open, double high, double low, double close, double volume,
                                  char *msg, size_t n);

/* Writes the shortest decimal text that strtod() reads back as exactly x
 * ("100.25", "1e-05", "3599"); returns buf. n should be at least 32. */
const char *slab__num_format(double x, char *buf, size_t n);

/* slab_csv_load() over an open stream f, which stays open; path names it
 * in messages and in bars->source. The fuzz harness feeds it fmemopen()
 * buffers. */
slab_status slab__csv_load_stream(FILE *f, const char *path, const slab_csv_options *opt,
                                  slab_bars **out, slab_load_report *rep, slab_error *err);

/* Grows every column of b to hold at least want bars (doubling, as
 * slab_bars_push does). */
slab_status slab__bars_grow(slab_bars *b, size_t want, slab_error *err);
/* Grows every column of b to exactly want bars (at most SLAB_BARS_MAX)
 * when it holds fewer: the loader's first guess from the file size. */
slab_status slab__bars_reserve(slab_bars *b, size_t want, slab_error *err);

/* Tests: 1 sends every CSV row through the loader's general path (the one
 * that words every error), 0 (default) tries the fast row scanner first. */
extern int slab__csv_fast_off;

/* ---- the data module's random numbers (sample.c, synth.c): the same
 * seed gives the same numbers on every machine. */
/* xoshiro256** state (Blackman and Vigna, 2018). */
typedef struct rng {
    uint64_t s[4]; /* never all zero: seeded through splitmix64 */
} rng;

/* splitmix64 (Steele, Lea and Flood): expands one seed into many words. */
static inline uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Rotates x left by k bits. */
static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* Next 64 random bits (xoshiro256**). */
static inline uint64_t next_u64(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1) with 53 random bits (exact: a multiple of 2^-53). */
static inline double uniform(rng *r)
{
    return (double)(next_u64(r) >> 11) * 0x1.0p-53;
}

/* Approximately standard normal: the sum of 12 uniforms minus 6
 * (Irwin-Hall: mean 0, variance 1, bounded to +-6). */
static inline double normalish(rng *r)
{
    double z = -6.0;
    for (int i = 0; i < 12; i++)
        z += uniform(r);
    return z;
}


#endif
