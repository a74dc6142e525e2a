/* fuzz_spec.c: libFuzzer harness for strategy specs (src/spec/): the
 * input is spec text for slab_spec_compile(), the one entry point for
 * untrusted spec bytes (JSON pre-scan, schema checks, expression compiler,
 * DAG). Beyond ASan+UBSan it checks the contract in spec.h: a compiled spec
 * has no error and a refused one at least one; every diagnostic has a
 * code, a message and a JSON pointer ("" or starting with '/'); the
 * ValidationResult document reads back (slab_diags_from_json) to an equal
 * one. A spec that compiles also runs through the engine on 300 sample
 * bars, which must end with SLAB_OK or a reported error. Seeds:
 * fuzz/corpus/spec and examples/specs. Run: scripts/fuzz.sh spec SECONDS. */
#include "stratlab/broker.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/spec.h"

#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void check_diags(const slab_diags *d)
{
    for (size_t i = 0; i < d->n; i++) {
        const slab_diag *g = &d->items[i];
        if (!g->code[0] || !g->message[0] || (g->pointer[0] && g->pointer[0] != '/')) {
            fprintf(stderr, "bad diagnostic: code '%s' pointer '%s' message '%s'\n", g->code,
                    g->pointer, g->message);
            abort();
        }
    }
    json_t *doc = slab_diags_json(d), *again;
    slab_diags back;
    slab_error err;
    if (!doc)
        abort();
    slab_diags_init(&back);
    if (slab_diags_from_json(doc, &back, &err) != SLAB_OK || !(again = slab_diags_json(&back)) ||
        !json_equal(doc, again)) {
        fprintf(stderr, "the ValidationResult does not read back\n");
        abort();
    }
    json_decref(again);
    json_decref(doc);
    slab_diags_clear(&back);
}

/* Runs a compiled spec over sample bars with the reference broker. */
static void run_spec(const slab_spec *s)
{
    static slab_bars *bars;
    slab_error err;
    slab_spec_run *r;
    slab_run *run = NULL;
    slab_run_config cfg;

    if (!bars && slab_sample_generate(7, 300, SLAB_TF_DAYS, 1, 13000, &bars, &err) != SLAB_OK)
        abort();
    if (slab_spec_run_new(s, &r, &err) != SLAB_OK)
        return; /* reported */
    memset(&cfg, 0, sizeof cfg);
    slab_broker_config_default(&cfg.broker);
    cfg.broker.cash = 100000.0;
    cfg.broker.commission = 0.001;
    cfg.broker.sizer.kind = SLAB_SIZER_PERCENT;
    cfg.broker.sizer.amount = 95.0;
    cfg.stop_after_bar = -1;
    slab_spec_run_setup(r, &cfg);
    slab_status st = slab_engine_run(bars, &cfg, &run, &err);
    if (st != SLAB_OK && !err.msg[0]) {
        fprintf(stderr, "the run failed (status %d) without a message\n", st);
        abort();
    }
    if (st == SLAB_OK) {
        json_t *j = slab_spec_run_json(r, bars);
        json_decref(j);
    }
    slab_run_free(run);
    slab_spec_run_free(r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slab_diags d;
    slab_spec *s = (slab_spec *)&d; /* must be reset */
    slab_diags_init(&d);
    slab_status st = slab_spec_compile((const char *)data, size, &s, &d);
    if (st == SLAB_OK) {
        if (!s || d.n_errors)
            abort();
    } else if (st == SLAB_EINVAL) {
        if (s || !d.n_errors)
            abort();
    } else if (st != SLAB_ENOMEM) {
        abort();
    }
    check_diags(&d);
    if (st == SLAB_OK)
        run_spec(s);
    slab_spec_free(s);
    slab_diags_clear(&d);
    return 0;
}
