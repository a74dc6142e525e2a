/* test_spec_hostile.c: malformed and hostile specs are refused quickly
 * with a clear error and bounded memory: a 10 MB string, 1 MB of nesting,
 * huge arrays and objects, NaN and Infinity literals, over-long and
 * over-deep expressions, a spec compiling to too many nodes; then a
 * deterministic mutation fuzz of every example spec and of expressions
 * (the ASan build runs it too). Each case prints its time; the memory the
 * process gained over all cases (peak RSS, measured after the inputs were
 * built) must stay under a generous bound. Timing never fails a test. */
#include "slab_test.h"

#include "stratlab/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct hostile {
    const char *name;
    char *text;
    size_t len;
    const char *code; /* the first error's code */
} hostile;

static long peak_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static char *repeat(const char *head, const char *unit, size_t times, const char *tail,
                    size_t *len)
{
    size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail);
    char *s = malloc(hl + ul * times + tl + 1);
    memcpy(s, head, hl);
    for (size_t i = 0; i < times; i++)
        memcpy(s + hl + i * ul, unit, ul);
    memcpy(s + hl + ul * times, tail, tl + 1);
    *len = hl + ul * times + tl;
    return s;
}

static void hostile_inputs(void **state)
{
    (void)state;
    hostile cases[16];
    size_t n = 0;
    const char *tail = "\", \"execution_plan\": [{\"trigger\": \"true\", \"action\": \"buy\"}]}";
#define ADD(nm, code_, expr)                                                                       \
    do {                                                                                           \
        cases[n].name = nm;                                                                        \
        cases[n].code = code_;                                                                     \
        cases[n].text = expr;                                                                      \
        n++;                                                                                       \
    } while (0)
    ADD("10 MB string", "spec_too_large",
        repeat("{\"strategy_name\": \"", "A", 10u << 20, tail, &cases[n].len));
    ADD("900 KB string", "json_limit", repeat("{\"strategy_name\": \"", "A", 900u << 10, tail,
                                              &cases[n].len));
    ADD("1 MB of nesting", "json_limit", repeat("", "[", 1u << 20, "", &cases[n].len));
    ADD("nested objects", "json_limit", repeat("", "{\"a\":", 200000, "1", &cases[n].len));
    ADD("200k-element array", "json_limit",
        repeat("{\"data\": {\"symbols\": [\"A\"", ",\"A\"", 200000, "]}}", &cases[n].len));
    ADD("50k-member object", "json_duplicate_key",
        repeat("{\"strategy_name\": \"t\"", ",\"k\": 1", 50000, "}", &cases[n].len));
    ADD("NaN literal", "json_number",
        repeat("{\"cash\": ", "", 0, "NaN, \"strategy_name\": \"t\"}", &cases[n].len));
    ADD("Infinity literal", "json_number",
        repeat("{\"expected_performance\": {\"sharpe\": ", "", 0, "Infinity}}", &cases[n].len));
    ADD("NUL byte", "json_syntax", repeat("{\"strategy_name\": \"t", "\0", 0, "\"}", &cases[n].len));
    cases[n - 1].text[20] = '\0'; /* a NUL inside the string */
    ADD("8 KB expression", "expr_limit",
        repeat("{\"strategy_name\": \"t\", \"execution_plan\": [{\"action\": \"buy\", "
               "\"trigger\": \"close",
               " + close", 1000, " > 0\"}]}", &cases[n].len));
    ADD("expression nested 2000 deep", "expr_syntax",
        repeat("{\"strategy_name\": \"t\", \"execution_plan\": [{\"action\": \"buy\", "
               "\"trigger\": \"",
               "(", 2000, "close > 0\"}]}", &cases[n].len));
    /* 4096 indicators with distinct periods: more nodes than the cap. */
    {
        size_t cap = 4096 * 80 + 256, l = 0;
        char *s = malloc(cap);
        l += (size_t)snprintf(s + l, cap - l, "{\"strategy_name\": \"t\", \"indicators\": [");
        for (int k = 0; k < 4096; k++)
            l += (size_t)snprintf(s + l, cap - l, "%s{\"name\": \"i%d\", \"formula\": \"SMA(close, %d)\"}",
                                  k ? "," : "", k, k + 2);
        l += (size_t)snprintf(s + l, cap - l,
                              "], \"execution_plan\": [{\"trigger\": \"i0 > 1\", \"action\": "
                              "\"buy\"}]}");
        ADD("4096 indicators", "spec_limit", s);
        cases[n - 1].len = l;
    }
    long before = peak_kb();
    for (size_t k = 0; k < n; k++) {
        slab_diags d;
        slab_spec *spec = NULL;
        slab_diags_init(&d);
        int64_t t0 = slab_clock_ns();
        slab_status st = slab_spec_compile(cases[k].text, cases[k].len, &spec, &d);
        double ms = (double)(slab_clock_ns() - t0) / 1e6;
        if (st != SLAB_EINVAL || d.n == 0)
            fail_msg("%s: accepted (status %d)", cases[k].name, st);
        size_t first = 0;
        while (first < d.n && d.items[first].severity != SLAB_DIAG_ERROR)
            first++;
        if (first == d.n || strcmp(d.items[first].code, cases[k].code))
            fail_msg("%s: first error is %s (%s), want %s", cases[k].name,
                     first < d.n ? d.items[first].code : "none",
                     first < d.n ? d.items[first].message : "", cases[k].code);
        print_message("%-28s %9zu bytes  %7.2f ms  %s: %s\n", cases[k].name, cases[k].len, ms,
                      d.items[first].code, d.items[first].message);
        slab_diags_clear(&d);
        slab_spec_free(spec);
    }
    long grown = peak_kb() - before;
    print_message("peak memory grew by %ld KB over all hostile cases\n", grown);
    assert_true(grown < 64 * 1024);
    for (size_t k = 0; k < n; k++)
        free(cases[k].text);
}

/* xorshift64*: the same mutations on every machine. */
static uint64_t rng = 88172645463325252ULL;
static uint64_t next_rand(void)
{
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 2685821657736338717ULL;
}

static void mutation_fuzz(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]\":,.-+*/()<>=!&|^%01239eE aAzZ_\\\n\tnNtfl";
    size_t n_ex, runs = 0, accepted = 0;
    const char *const *names = slab_spec_example_names(&n_ex);
    for (size_t e = 0; e < n_ex; e++) {
        const char *base = slab_spec_example(names[e]);
        size_t len = strlen(base);
        char *buf = malloc(len + 64);
        for (int it = 0; it < 1500; it++) {
            memcpy(buf, base, len);
            size_t l = len;
            int edits = 1 + (int)(next_rand() % 4);
            for (int k = 0; k < edits; k++) {
                size_t at = next_rand() % l;
                switch (next_rand() % 3) {
                case 0: buf[at] = alphabet[next_rand() % (sizeof alphabet - 1)]; break;
                case 1: memmove(buf + at, buf + at + 1, l - at - 1), l--; break;
                default:
                    memmove(buf + at + 1, buf + at, l - at);
                    buf[at] = alphabet[next_rand() % (sizeof alphabet - 1)];
                    l++;
                }
            }
            slab_diags d;
            slab_spec *spec = NULL;
            slab_diags_init(&d);
            slab_status st = slab_spec_compile(buf, l, &spec, &d);
            assert_true(st == SLAB_OK || st == SLAB_EINVAL);
            assert_true(st == SLAB_OK ? spec != NULL : spec == NULL && d.n_errors > 0);
            accepted += st == SLAB_OK;
            runs++;
            slab_spec_free(spec);
            slab_diags_clear(&d);
        }
        free(buf);
    }
    /* Random expressions from the language's own tokens. */
    static const char *const toks[] = {"close", "open", "rsi", "RSI(", "SMA(", "BBANDS(", ")",
                                       "(", ",", "14", "2.5", "9:35", "+", "-", "*", "/", "^",
                                       ">", "<=", "==", "and", "or", "not", "[-1]", "[2]", ".mid",
                                       ".signal", "crossover(", "session_max(", "if(", "period=",
                                       "true", "position", "mean(", "max(", "cs_rank("};
    for (int it = 0; it < 20000; it++) {
        char e[512] = "";
        int parts = 1 + (int)(next_rand() % 12);
        for (int k = 0; k < parts; k++)
            snprintf(e + strlen(e), sizeof e - strlen(e), "%s ",
                     toks[next_rand() % (sizeof toks / sizeof toks[0])]);
        slab_diags d;
        slab_diags_init(&d);
        slab_status st = slab_spec_check_expr(e, strlen(e), &d);
        assert_true(st == SLAB_OK || (st == SLAB_EINVAL && d.n_errors > 0));
        slab_diags_clear(&d);
        runs++;
    }
    print_message("%zu mutated specs and random expressions, %zu specs still valid, no crash\n",
                  runs, accepted);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hostile_inputs),
        cmocka_unit_test(mutation_fuzz),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
