/* spec_cli.c: what the subcommands share about specs: loading one with its
 * problems printed the way `validate` prints them, filling run options
 * from the spec's data section, and adding the spec's sections (rule
 * statistics, SHA-256, diagnosis) to a run's result document. Public
 * headers only. */
#include "cli.h"

#include "stratlab/diagnose.h"
#include "stratlab/spec.h"

#include <stdio.h>
#include <string.h>

int cli_spec_open(const char *path, slab_spec **spec)
{
    slab_diags d;
    slab_error err;
    char line[2048];
    slab_diags_init(&d);
    slab_status st = slab_spec_load(path, spec, &d, &err);
    if (st == SLAB_EIO || st == SLAB_ENOMEM) {
        slab_diags_clear(&d);
        return cli_fail(&err);
    }
    for (size_t k = 0; k < d.n; k++)
        fprintf(stderr, "%s\n", slab_diag_format(&d.items[k], path, line, sizeof line));
    if (d.dropped)
        fprintf(stderr, "... and %zu more problem(s) not listed\n", d.dropped);
    int rc = 0;
    if (d.n_errors) {
        fprintf(stderr, "stratlab: %s: the spec has %zu error(s); nothing was run (stratlab "
                        "validate %s lists them)\n",
                path, d.n_errors, path);
        rc = 1;
    }
    slab_diags_clear(&d);
    return rc;
}

int cli_spec_defaults(const slab_spec *spec, const char **symbol, const char *data,
                      const char **from, const char **to, const char **timeframe)
{
    json_t *dj = json_object_get(slab_spec_json(spec), "data");
    const slab_spec_settings *set = slab_spec_settings_get(spec);
    if (!data && !*symbol) {
        if (set->n_symbols == 0)
            return cli_usage_error("run", "the spec names no data (data.symbols): give --data FILE "
                                          "or --symbol SYM");
        *symbol = set->symbols[0];
    }
    if (!*from && set->has_start)
        *from = json_string_value(json_object_get(dj, "start"));
    if (!*to && set->has_end)
        *to = json_string_value(json_object_get(dj, "end"));
    if (!*timeframe && set->timeframe && !data)
        *timeframe = set->timeframe;
    return 0;
}

int cli_spec_result(json_t *doc, const slab_spec *spec, const slab_spec_run *srun,
                    const slab_bars *bars, const slab_run *run, slab_lang lang)
{
    json_t *bt = json_object_get(doc, "backtest");
    json_t *ex = json_object_get(doc, "execution");
    const char *sha = slab_spec_sha256(spec);
    char seed[128], id[65];
    (void)run;
    json_object_set_new(bt, "spec_sha256", json_string(sha));
    /* The run id also covers the spec's text: two specs with one name
     * never share an id. */
    snprintf(seed, sizeof seed, "%s|%s", json_string_value(json_object_get(bt, "run_id")), sha);
    slab_sha256_mem(seed, strlen(seed), id);
    id[16] = '\0';
    json_object_set_new(bt, "run_id", json_string(id));
    json_object_set_new(ex, "id", json_string(id));
    json_object_set_new(ex, "compile_ms", json_real(slab_spec_compile_ms(spec)));
    json_object_set_new(doc, "spec", slab_spec_run_json(srun, bars));
    if (slab_spec_expected_get(spec)) {
        slab_diag_options opt;
        slab_error err;
        slab_diag_options_default(&opt);
        opt.lang = lang;
        json_t *dg = slab_diagnose_json(doc, spec, &opt, &err);
        if (!dg)
            return cli_fail(&err);
        json_object_set_new(doc, "diagnosis", dg);
    }
    return 0;
}
