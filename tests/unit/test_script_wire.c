/* test_script_wire.c: the supervisor's check of a several-feed result
 * (src/script/wire.c) on results forged by hand, as a hostile script that
 * controls the runner's memory could send them. Two feeds: A at minutes
 * 1, 2, 4 and B at minutes 2, 3 (ns after an arbitrary epoch day), so the
 * merged clock is 1, 2, 3, 4 (four steps). A well-formed result with that
 * clock is accepted (feeds' symbols and the clock land in the run); a
 * clock that goes back, holds a time no feed has, has more steps than the
 * feeds have bars, or starts before the preroll is refused, and so are a
 * feed count other than the job's, a trade or order on feed 2 (there are
 * two feeds: 0 and 1), and a trade or order bar index past its feed's
 * bars (indexes are the traded feed's own: a feed with bars in a preroll
 * has more bars than the clock has steps, which made run --script --from
 * on several feeds fail as "malformed" before). A text
 * parameter (type SLAB_PARAM_TEXT) and a session_close exit reason are
 * accepted (both were refused before several feeds reached scripts).
 * A session record (the result's `days`, which scripts write since API
 * level 2) on the clock is accepted and lands in the run; one with a
 * decision or order status out of range, a breakout time off the clock, a
 * feed that does not exist, or more records than steps is refused. */
#include "slab_test.h"

#include "script/script_int.h"
#include "stratlab/data.h"

#include <string.h>

#define MIN_NS (60LL * SLAB_NS_PER_SEC)
#define T0 (20000LL * SLAB_NS_PER_DAY) /* a day in 2024; any day works */

static slab_bars *feed(const char *sym, const int *mins, size_t n)
{
    slab_bars *b = slab_bars_new(n);
    slab_error err;
    assert_non_null(b);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(slab_bars_push(b, T0 + mins[k] * MIN_NS, 10, 11, 9, 10, 100, 0, &err),
                         SLAB_OK);
    b->timeframe = SLAB_TF_MINUTES;
    b->compression = 1;
    snprintf(b->symbol, sizeof b->symbol, "%s", sym);
    return b;
}

typedef struct forged {
    slab__res_hdr h;
    slab__res_param p;
    double value[8];
    int64_t clock[8];
    slab_trade t;
    slab_order_event o;
    slab_day_record d; /* sent when h.n_days is 1 */
} forged;

/* Lays out hdr, one parameter, n values, the clock, one trade, one order. */
static size_t pack(const forged *f, int n, int with_clock, unsigned char *out)
{
    size_t off = 0;
    memcpy(out + off, &f->h, sizeof f->h), off += sizeof f->h;
    memcpy(out + off, &f->p, sizeof f->p), off += sizeof f->p;
    memcpy(out + off, f->value, (size_t)n * 8), off += (size_t)n * 8;
    if (with_clock)
        memcpy(out + off, f->clock, (size_t)n * 8), off += (size_t)n * 8;
    memcpy(out + off, &f->t, sizeof f->t), off += sizeof f->t;
    memcpy(out + off, &f->o, sizeof f->o), off += sizeof f->o;
    if (f->h.n_days == 1)
        memcpy(out + off, &f->d, sizeof f->d), off += sizeof f->d;
    return off;
}

typedef struct fixture {
    slab_bars *a, *b;
    const slab_bars *feeds[2];
    slab_broker_config broker;
    slab_script_job job;
    forged f;
} fixture;

static void setup(fixture *x)
{
    static const int am[] = {1, 2, 4}, bm[] = {2, 3};
    memset(x, 0, sizeof *x);
    x->a = feed("AAA", am, 3);
    x->b = feed("BBB", bm, 2);
    x->feeds[0] = x->a;
    x->feeds[1] = x->b;
    x->job.bars = x->a;
    x->job.broker = &x->broker;
    x->job.feeds = x->feeds;
    x->job.n_feeds = 2;
    slab_script_limits_default(&x->job.limits);
    forged *f = &x->f;
    memcpy(f->h.magic, SLAB__RES_MAGIC, 8);
    f->h.kind = SLAB__RES_OK;
    f->h.layout = SLAB__LAYOUT;
    snprintf(f->h.name, sizeof f->h.name, "forged");
    f->h.n_params = 1;
    f->h.timeframe = SLAB_TF_MINUTES;
    f->h.compression = 1;
    f->h.n_bars = 4;
    f->h.n_trades = 1;
    f->h.n_orders = 1;
    f->h.n_feeds = 2;
    snprintf(f->p.name, sizeof f->p.name, "market_filter");
    f->p.type = SLAB_PARAM_TEXT;
    f->p.max = 1;
    f->p.value = 1;
    for (int k = 0; k < 4; k++) {
        f->value[k] = 1000;
        f->clock[k] = T0 + (k + 1) * MIN_NS; /* 1, 2, 3, 4 */
    }
    f->t.ref = 1;
    f->t.is_long = 1;
    f->t.entry_bar = 0; /* B's own bars: minutes 2 and 3 */
    f->t.exit_bar = 1;
    f->t.entry_ts_ns = f->clock[1];
    f->t.exit_ts_ns = f->clock[2];
    f->t.exit_reason = SLAB_EXIT_SESSION_CLOSE;
    f->t.feed = 1;
    f->o.ref = 1;
    f->o.is_buy = 1;
    f->o.status = SLAB_ORDER_COMPLETED;
    f->o.created_bar = 0;
    f->o.exec_bar = 1;
    f->o.created_ts_ns = f->clock[1];
    f->o.exec_ts_ns = f->clock[2];
    f->o.status_ts_ns = f->clock[2];
    f->o.feed = 1;
    f->d.day = 20000;
    f->d.range_high = 11;
    f->d.range_low = 9;
    f->d.breakout_ts_ns = f->clock[1];
    f->d.filter_feed = 1;
    f->d.filter_ts_ns = f->clock[1];
    f->d.decision = SLAB_DAY_TRADED;
    f->d.entry_ref = 1;
    f->d.entry_status = SLAB_ORDER_COMPLETED;
}

static void teardown(fixture *x)
{
    slab_bars_free(x->a);
    slab_bars_free(x->b);
}

/* A fresh fixture (the previous one freed). */
static void again(fixture *x)
{
    teardown(x);
    setup(x);
}

/* Decodes x->f; returns 1 when accepted. ex is freed unless kept. */
static int decode(fixture *x, int n, int with_clock, slab_script_exec **keep)
{
    static unsigned char buf[4096];
    size_t len = pack(&x->f, n, with_clock, buf);
    slab_script_exec *ex = slab_calloc(1, sizeof *ex);
    assert_non_null(ex);
    int ok = slab__result_decode(buf, len, &x->job, ex) && ex->status == SLAB_SCRIPT_OK;
    if (!ok)
        assert_non_null(strstr(ex->detail, "malformed result"));
    if (keep && ok)
        *keep = ex;
    else
        slab_script_exec_free(ex);
    return ok;
}

static void well_formed_is_accepted(void **st)
{
    (void)st;
    fixture x;
    slab_script_exec *ex = NULL;
    setup(&x);
    assert_true(decode(&x, 4, 1, &ex));
    assert_int_equal(ex->run->n_bars, 4);
    assert_int_equal(ex->run->n_feeds, 2);
    assert_string_equal(ex->run->symbols[0], "AAA");
    assert_string_equal(ex->run->symbols[1], "BBB");
    assert_true(ex->run->ts_ns[2] == T0 + 3 * MIN_NS); /* minute 3 comes from B only */
    assert_int_equal(ex->run->trades[0].exit_reason, SLAB_EXIT_SESSION_CLOSE);
    assert_int_equal(ex->def->params[0].type, SLAB_PARAM_TEXT);
    slab_script_exec_free(ex);
    teardown(&x);
}

static void bad_clocks_are_refused(void **st)
{
    (void)st;
    fixture x;
    setup(&x);
    x.f.clock[2] = T0 + 1 * MIN_NS; /* goes back */
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.clock[2] = T0 + 3 * MIN_NS + 1; /* no feed has this time */
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.h.n_bars = 6; /* more steps than the feeds' 5 bars */
    for (int k = 4; k < 6; k++)
        x.f.clock[k] = T0 + (k + 1) * MIN_NS;
    assert_false(decode(&x, 6, 1, NULL));
    again(&x);
    x.job.preroll_until_ns = T0 + 2 * MIN_NS; /* the clock starts before the preroll */
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    assert_false(decode(&x, 4, 0, NULL)); /* no clock at all */
    teardown(&x);
}

static void bad_feeds_are_refused(void **st)
{
    (void)st;
    fixture x;
    setup(&x);
    x.f.h.n_feeds = 1; /* the job has two */
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.t.feed = 2;
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.o.feed = -1;
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.t.entry_bar = 2; /* past feed B's two bars */
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.o.exec_bar = 2; /* likewise */
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.t.feed = 0; /* feed A has three bars: bar 2 is one of them */
    x.f.t.exit_bar = 2;
    assert_true(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.p.type = SLAB_PARAM_TEXT + 1;
    assert_false(decode(&x, 4, 1, NULL));
    again(&x);
    x.f.t.exit_reason = (slab_exit_reason)(SLAB_EXIT_LAST + 1);
    assert_false(decode(&x, 4, 1, NULL));
    teardown(&x);
}

static void session_records(void **st)
{
    (void)st;
    fixture x;
    slab_script_exec *ex = NULL;
    setup(&x);
    x.f.h.n_days = 1;
    assert_true(decode(&x, 4, 1, &ex));
    assert_int_equal(ex->run->n_days, 1);
    assert_int_equal(ex->run->days[0].decision, SLAB_DAY_TRADED);
    assert_true(ex->run->days[0].breakout_ts_ns == T0 + 2 * MIN_NS);
    slab_script_exec_free(ex);
    static const struct {
        int field, value;
    } bad[] = {{0, SLAB_DAY_NO_PRIOR_SESSION + 1}, {1, SLAB_ORDER_REJECTED + 1}, {1, -2},
               {2, 2}, {3, 1}, {4, 2}};
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
        again(&x);
        x.f.h.n_days = 1;
        switch (bad[k].field) {
        case 0: x.f.d.decision = (slab_day_decision)bad[k].value; break;
        case 1: x.f.d.entry_status = bad[k].value; break;
        case 2: x.f.d.filter_feed = bad[k].value; break; /* two feeds: 0 and 1 */
        case 3: x.f.d.breakout_ts_ns += bad[k].value; /* between two steps */ break;
        default: x.f.d.breakout_short = bad[k].value; break;
        }
        assert_false(decode(&x, 4, 1, NULL));
    }
    again(&x);
    x.f.h.n_days = 5; /* more records than the clock's 4 steps */
    assert_false(decode(&x, 4, 1, NULL));
    teardown(&x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(session_records),
        cmocka_unit_test(well_formed_is_accepted),
        cmocka_unit_test(bad_clocks_are_refused),
        cmocka_unit_test(bad_feeds_are_refused),
    };
    return cmocka_run_group_tests_name("script_wire", tests, NULL, NULL);
}
