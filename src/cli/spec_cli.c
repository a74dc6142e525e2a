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
    slab_error err;
    (void)run;
    if (slab_spec_result_sections(doc, spec, srun, bars, lang, &err) != SLAB_OK)
        return cli_fail(&err);
    return 0;
}
