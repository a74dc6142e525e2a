/* test_order_fill_cases.c: every case of
 * ../shared/reference/backtrader/order_fill_cases.json (backtrader's fill
 * rules per order type, validity, cheat-on-close, margin) run through the
 * engine with a strategy that places the listed orders on the listed bars.
 * Orders of a side ending in "_open" are placed from next_open (cheat-on-
 * open runs). The notifications, fill prices and sizes, execution dates, final stop and
 * limit, final position and cash must agree exactly. Bars are daily from
 * 2020-01-06 (the cases' exec_bar_date); cash 100000, no commission, a
 * fixed stake of 1 share. The cases run are the fixed list
 * slab_refs_fill_cases: a listed case missing from the JSON fails, and so
 * does a case in the JSON that the list lacks. The JSON is read at test
 * time, never copied. */
#include "slab_refs.h"
#include "slab_test.h"

#include "stratlab/data.h"
#include "stratlab/engine.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY0 INT64_C(18267) /* 2020-01-06, days since the epoch */
#define MAX_EVENTS 32

/* One notification as the strategy saw it. */
typedef struct seen {
    long bar;
    slab_order_note note;
} seen;

/* The case being run (tests run one at a time in this process). */
static struct {
    json_t *c;
    seen ev[MAX_EVENTS];
    int n_ev;
} cur;

static double num(json_t *o, const char *k)
{
    return json_number_value(json_object_get(o, k));
}

/* backtrader's str(timedelta): "0:00:00" or "2 days, 0:00:00" -> ns. */
static int64_t parse_timedelta(const char *s)
{
    int days = 0, h = 0, m = 0, sec = 0;
    const char *comma = strchr(s, ',');
    if (comma) {
        days = atoi(s);
        s = comma + 1;
    }
    sscanf(s, "%d:%d:%d", &h, &m, &sec);
    return ((int64_t)days * 86400 + h * 3600 + m * 60 + sec) * INT64_C(1000000000);
}

static void place(slab_ctx *ctx, const char *side, json_t *p)
{
    slab_order_spec spec = {0};
    json_t *v;
    spec.type = (int)json_integer_value(json_object_get(p, "exectype"));
    spec.size = num(p, "size");
    spec.price = num(p, "price");
    spec.plimit = num(p, "plimit");
    spec.trailamount = num(p, "trailamount");
    spec.trailpercent = num(p, "trailpercent");
    if ((v = json_object_get(p, "valid"))) {
        int64_t ns = parse_timedelta(json_string_value(v));
        spec.valid_kind = ns == 0 ? SLAB_VALID_DAY : SLAB_VALID_FOR_NS;
        spec.valid_value = ns;
    }
    slab_order(ctx, !strcmp(side, "buy"), &spec);
}

/* Places this bar's orders: from next() the plain sides ("buy", "sell"),
 * from next_open() the "_open" ones ("buy_open": cheat-on-open). */
static void place_bar(slab_ctx *ctx, int from_open)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(cur.c, "orders"), i, o)
    {
        const char *side = json_string_value(json_array_get(o, 1));
        if (json_integer_value(json_array_get(o, 0)) == slab_bar(ctx) &&
            (strstr(side, "_open") != NULL) == from_open)
            place(ctx, strncmp(side, "buy", 3) ? "sell" : "buy", json_array_get(o, 2));
    }
}

static void case_next(slab_ctx *ctx, void *st)
{
    (void)st;
    place_bar(ctx, 0);
}

static void case_next_open(slab_ctx *ctx, void *st)
{
    (void)st;
    place_bar(ctx, 1);
}

static void case_notify(slab_ctx *ctx, void *st, const slab_order_note *o)
{
    (void)st;
    if (cur.n_ev < MAX_EVENTS) {
        cur.ev[cur.n_ev].bar = slab_bar(ctx);
        cur.ev[cur.n_ev++].note = *o;
    }
}

static const slab_strategy_def case_strategy = {SLAB_STRATEGY_ABI,
                                                "order_case",
                                                "places the case's orders",
                                                NULL,
                                                0,
                                                0,
                                                NULL,
                                                case_next,
                                                case_notify,
                                                NULL,
                                                case_next_open};

static slab_bars *case_bars(json_t *c)
{
    slab_bars *b = slab_bars_new(8);
    size_t i;
    json_t *r;
    assert_non_null(b);
    json_array_foreach(json_object_get(c, "bars"), i, r)
    {
        double v[4];
        for (int k = 0; k < 4; k++)
            v[k] = json_number_value(json_array_get(r, (size_t)k));
        assert_int_equal(slab_bars_push(b, (DAY0 + (int64_t)i) * SLAB_NS_PER_DAY, v[0], v[1], v[2],
                                        v[3], 0.0, 0.0, NULL),
                         SLAB_OK);
    }
    b->timeframe = SLAB_TF_DAYS;
    b->compression = 1;
    return b;
}

/* Compares one expected event with the k-th notification. */
static int compare_event(const char *name, size_t k, json_t *w, int64_t base, const slab_run *run)
{
    const seen *s = &cur.ev[k];
    const slab_order_event *e = &run->orders[s->note.ref - 1];
    int bad = 0;
    char date[40];
    json_t *v;
    const char *want_status = json_string_value(json_object_get(w, "status"));
    const char *want_type = json_string_value(json_object_get(w, "type"));
    bad |= s->bar != (long)json_integer_value(json_object_get(w, "bar"));
    bad |= s->note.ref != json_integer_value(json_object_get(w, "ref")) - base + 1;
    bad |= strcmp(slab_order_status_name((slab_order_status)s->note.status), want_status) != 0;
    bad |= strcmp(slab_order_type_name((slab_order_type)s->note.type), want_type) != 0;
    if ((v = json_object_get(w, "price")))
        bad |= s->note.price != json_number_value(v);
    if ((v = json_object_get(w, "size")))
        bad |= s->note.size != json_number_value(v);
    if ((v = json_object_get(w, "exec_bar_date")))
        bad |= strcmp(slab_time_format(e->exec_ts_ns, 1, date, sizeof date),
                      json_string_value(v)) != 0;
    if ((v = json_object_get(w, "stop_now")))
        bad |= e->created_price != json_number_value(v);
    if ((v = json_object_get(w, "limit_now")))
        bad |= e->created_plimit != json_number_value(v);
    if (bad)
        print_message("%s: event %zu: got bar %ld ref %lld %s %s price %.17g size %.17g "
                      "stop %.17g limit %.17g; want %s\n",
                      name, k, s->bar, (long long)s->note.ref,
                      slab_order_status_name((slab_order_status)s->note.status),
                      slab_order_type_name((slab_order_type)s->note.type), s->note.price,
                      s->note.size, e->created_price, e->created_plimit,
                      json_dumps(w, JSON_COMPACT));
    return bad;
}

#define CASES_JSON "reference/backtrader/order_fill_cases.json"

/* The reference cases, loaded once (NULL when absent or unreadable). */
static json_t *g_cases;

/* Loads the cases on first use; fails the test when the file is missing
 * or not a JSON array (skips when ../shared is absent). */
static json_t *cases(void)
{
    char path[1024];
    json_error_t jerr;

    slab_test_ref(CASES_JSON, path, sizeof path);
    if (!g_cases && !(g_cases = json_load_file(path, 0, &jerr)))
        fail_msg("%s:%d: %s", path, jerr.line, jerr.text);
    if (!json_is_array(g_cases))
        fail_msg("%s: not a list of cases", path);
    return g_cases;
}

/* The case called name, or a failed test. */
static json_t *find_case(const char *name)
{
    size_t i;
    json_t *c;
    json_array_foreach(cases(), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "case"));
        if (n && !strcmp(n, name))
            return c;
    }
    fail_msg("case %s is in slab_refs_fill_cases but not in %s", name, CASES_JSON);
    return NULL;
}

static void run_case(void **state)
{
    const char *name = *state;
    json_t *c = find_case(name);
    json_t *opts = json_object_get(c, "opts"), *events = json_object_get(c, "events");
    slab_error err;
    slab_run *run = NULL;
    memset(&cur, 0, sizeof cur);
    cur.c = c;
    slab_bars *bars = case_bars(c);
    slab_run_config cfg;
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000.0;
    cfg.broker.coc = json_is_true(json_object_get(opts, "coc"));
    cfg.broker.coo = json_is_true(json_object_get(opts, "cheat_on_open"));
    cfg.strategy = &case_strategy;
    cfg.params = NULL;
    cfg.stop_after_bar = -1;
    /* backtrader has no one-position-per-symbol rule, and cases such as
     * two_orders_fifo_cash send two entries on one bar on purpose. */
    cfg.risk.allow_pyramiding = 1;
    if (slab_engine_run(bars, &cfg, &run, &err) != SLAB_OK)
        fail_msg("%s: run: %s", name, err.msg);

    int bad = 0;
    int64_t base = INT64_MAX;
    size_t k;
    json_t *w;
    json_array_foreach(events, k, w)
    {
        int64_t r = json_integer_value(json_object_get(w, "ref"));
        base = r < base ? r : base;
    }
    if ((size_t)cur.n_ev != json_array_size(events)) {
        print_message("%s: %d notifications, want %zu\n", name, cur.n_ev, json_array_size(events));
        bad++;
    } else {
        json_array_foreach(events, k, w) bad += compare_event(name, k, w, base, run);
    }
    json_t *pos = json_object_get(c, "final_position");
    double want_size = json_number_value(json_array_get(pos, 0));
    double want_price = json_number_value(json_array_get(pos, 1));
    double want_cash = num(c, "final_cash");
    if (run->position_size != want_size || run->position_price != want_price ||
        run->final_cash != want_cash) {
        print_message(
            "%s: final position %.17g @ %.17g cash %.17g; want %.17g @ %.17g cash %.17g\n", name,
            run->position_size, run->position_price, run->final_cash, want_size, want_price,
            want_cash);
        bad++;
    }
    slab_run_free(run);
    slab_bars_free(bars);
    if (bad)
        fail_msg("%s: %d difference(s) from backtrader", name, bad);
}

/* Every case of the JSON is in the fixed list (and so was run above). */
static void no_unlisted_case(void **state)
{
    size_t i;
    json_t *c;
    int bad = 0;
    (void)state;
    json_array_foreach(cases(), i, c)
    {
        const char *n = json_string_value(json_object_get(c, "case"));
        if (slab_refs_find(slab_refs_fill_cases, SLAB_REFS_N_FILL_CASES, n) < 0) {
            print_message("case %s is not in slab_refs_fill_cases (add it there)\n",
                          n ? n : "(unnamed)");
            bad++;
        }
    }
    assert_int_equal(bad, 0);
}

int main(void)
{
    struct CMUnitTest tests[SLAB_REFS_N_FILL_CASES + 1];
    for (size_t i = 0; i < SLAB_REFS_N_FILL_CASES; i++) {
        tests[i] =
            (struct CMUnitTest)cmocka_unit_test_prestate(run_case, (void *)slab_refs_fill_cases[i]);
        tests[i].name = slab_refs_fill_cases[i];
    }
    tests[SLAB_REFS_N_FILL_CASES] = (struct CMUnitTest)cmocka_unit_test(no_unlisted_case);
    int rc =
        _cmocka_run_group_tests("order_fill_cases", tests, SLAB_REFS_N_FILL_CASES + 1, NULL, NULL);
    json_decref(g_cases);
    return rc;
}
