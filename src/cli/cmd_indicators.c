/* cmd_indicators.c: `stratlab indicators`: the indicator table as users
 * see it. `list` (the default) prints every entry with its aliases, inputs,
 * parameters (defaults, ranges), outputs and lookback; `show NAME` one
 * entry; `compute NAME --data FILE` runs it over a CSV and writes a CSV
 * (date, then one column per output). Uses only the public headers. */
#include "cli.h"

#include "stratlab/data.h"
#include "stratlab/ind.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PROBLEMS 16

static void print_usage(void)
{
    printf("usage: stratlab indicators [list] [--json]\n"
           "       stratlab indicators show NAME\n"
           "       stratlab indicators compute NAME --data FILE [--param name=value ...]\n"
           "                [--input name=column ...] [--out FILE]\n\n"
           "Lists the indicators (TA-Lib convention by default; *_BT entries follow\n"
           "backtrader), shows one, or computes one over a CSV of bars (raw prices) and\n"
           "writes CSV: date, then one column per output, NaN before the lookback.\n"
           "Parameters take TA-Lib's names (period is accepted for timeperiod); matype\n"
           "values may be written SMA, EMA, WMA, DEMA, TEMA, TRIMA, KAMA or T3.\n"
           "Inputs read the bar column of the same name; real0/real1 default to high/low\n"
           "and a/b to close/open, or pick one with --input real0=close.\n");
}

/* The parameters' defaults, in table order. */
static void defaults(const slab_ind_def *d, double *p)
{
    for (int k = 0; k < d->n_params; k++)
        p[k] = d->params[k].def;
}

static void print_entry(const slab_ind_def *d, int verbose)
{
    double p[SLAB_IND_MAX_PARAMS];
    defaults(d, p);
    printf("%-20s %s\n", d->name, d->summary);
    if (*d->aliases)
        printf("    aliases   %s\n", d->aliases);
    printf("    inputs   ");
    for (int k = 0; k < d->n_inputs; k++)
        printf(" %s", d->inputs[k]);
    printf("\n    outputs  ");
    for (int k = 0; k < d->n_outputs; k++)
        printf(" %s", d->outputs[k]);
    printf("\n    lookback  %zu (with the defaults)   convention %s\n", d->lookback(p),
           d->convention);
    for (int k = 0; k < d->n_params; k++) {
        const slab_ind_param *q = &d->params[k];
        printf("    param     %-14s %-5s default %-6g range %g..%g", q->name,
               q->is_int ? "int" : "float", q->def, q->min, q->max);
        printf(verbose ? "  %s\n" : "\n", q->help);
    }
}

static int print_json(const slab_ind_def *t, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        double p[SLAB_IND_MAX_PARAMS];
        json_t *o = json_object(), *ins = json_array(), *outs = json_array(), *ps = json_array();
        defaults(&t[i], p);
        json_object_set_new(o, "name", json_string(t[i].name));
        json_object_set_new(o, "aliases", json_string(t[i].aliases));
        json_object_set_new(o, "summary", json_string(t[i].summary));
        json_object_set_new(o, "convention", json_string(t[i].convention));
        for (int k = 0; k < t[i].n_inputs; k++)
            json_array_append_new(ins, json_string(t[i].inputs[k]));
        for (int k = 0; k < t[i].n_outputs; k++)
            json_array_append_new(outs, json_string(t[i].outputs[k]));
        for (int k = 0; k < t[i].n_params; k++) {
            const slab_ind_param *q = &t[i].params[k];
            json_t *j = json_object();
            json_object_set_new(j, "name", json_string(q->name));
            json_object_set_new(j, "type", json_string(q->is_int ? "int" : "float"));
            json_object_set_new(j, "default", json_real(q->def));
            json_object_set_new(j, "min", json_real(q->min));
            json_object_set_new(j, "max", json_real(q->max));
            json_object_set_new(j, "help", json_string(q->help));
            json_array_append_new(ps, j);
        }
        json_object_set_new(o, "inputs", ins);
        json_object_set_new(o, "params", ps);
        json_object_set_new(o, "outputs", outs);
        json_object_set_new(o, "lookback", json_integer((json_int_t)t[i].lookback(p)));
        json_array_append_new(arr, o);
    }
    json_dumpf(arr, stdout, JSON_INDENT(1));
    putchar('\n');
    json_decref(arr);
    return 0;
}

/* Looks a name up; prints "unknown indicator X; did you mean Y?" if none. */
static const slab_ind_def *find(const char *name)
{
    slab_error err;
    const slab_ind_def *d = slab_ind_find(name, &err);
    if (!d)
        fprintf(stderr, "stratlab indicators: %s\n", err.msg);
    return d;
}

/* A parameter value: a number, or an MA type name for a *matype param. */
static int parse_value(const slab_ind_param *q, const char *s, double *v)
{
    static const char *types[] = {"SMA",   "EMA",  "WMA",  "DEMA", "TEMA",
                                  "TRIMA", "KAMA", "MAMA", "T3"};
    char *end;
    if (strstr(q->name, "matype"))
        for (int i = 0; i < 9; i++)
            if (!strcasecmp(s, types[i])) {
                *v = i;
                return 0;
            }
    *v = strtod(s, &end);
    return (end == s || *end) ? -1 : 0;
}

/* Applies --param name=value to p; prints each problem and counts it. */
static int apply_param(const slab_ind_def *d, const char *arg, double *p)
{
    const char *eq = strchr(arg, '=');
    char name[64];
    if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof name) {
        fprintf(stderr, "stratlab indicators: --param wants name=value, got '%s'\n", arg);
        return 1;
    }
    snprintf(name, sizeof name, "%.*s", (int)(eq - arg), arg);
    int k = slab_ind_param_index(d, name);
    if (k < 0) {
        fprintf(stderr, "stratlab indicators: %s has no parameter '%s' (it has:", d->name, name);
        for (int j = 0; j < d->n_params; j++)
            fprintf(stderr, " %s", d->params[j].name);
        fprintf(stderr, "%s)\n", d->n_params ? "" : " none");
        return 1;
    }
    const slab_ind_param *q = &d->params[k];
    double v;
    if (parse_value(q, eq + 1, &v) != 0) {
        fprintf(stderr, "stratlab indicators: %s must be a number, got '%s'\n", q->name, eq + 1);
        return 1;
    }
    if (!(v >= q->min && v <= q->max) || (q->is_int && v != floor(v))) {
        fprintf(stderr, "stratlab indicators: %s=%s is outside the allowed range %g..%g%s\n",
                q->name, eq + 1, q->min, q->max,
                q->is_int && v != floor(v) ? " (whole numbers)" : "");
        return 1;
    }
    p[k] = v;
    return 0;
}

/* The bar column an input reads: its own name, or the --input mapping,
 * or the defaults for the generic input names. NULL if none. */
static const double *bar_column(const slab_bars *b, const char *name)
{
    static const char *alias[][2] = {
        {"real0", "high"}, {"real1", "low"}, {"a", "close"}, {"b", "open"}};
    for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
        if (!strcmp(name, alias[i][0]))
            name = alias[i][1];
    if (!strcmp(name, "open"))
        return b->open;
    if (!strcmp(name, "high"))
        return b->high;
    if (!strcmp(name, "low"))
        return b->low;
    if (!strcmp(name, "close"))
        return b->close;
    if (!strcmp(name, "volume"))
        return b->volume;
    if (!strcmp(name, "oi") || !strcmp(name, "openinterest"))
        return b->oi;
    return NULL;
}

static int write_csv(FILE *f, const slab_ind_def *d, const slab_bars *b, double *const *out)
{
    char date[64];
    fprintf(f, "date");
    for (int k = 0; k < d->n_outputs; k++)
        fprintf(f, ",%s", d->outputs[k]);
    fputc('\n', f);
    for (size_t i = 0; i < b->n; i++) {
        fputs(slab_bars_format_time(b->ts_ns[i], date, sizeof date), f);
        for (int k = 0; k < d->n_outputs; k++) {
            if (isnan(out[k][i]))
                fputs(",NaN", f);
            else
                fprintf(f, ",%.17g", out[k][i]);
        }
        fputc('\n', f);
    }
    return ferror(f) ? -1 : 0;
}

/* Parsed `compute` arguments. */
typedef struct compute_args {
    const char *data, *out;
    const char *input_map[SLAB_IND_MAX_INPUTS]; /* column per input, or NULL */
    double p[SLAB_IND_MAX_PARAMS];
} compute_args;

/* Parses compute's options; prints every problem. Returns problems found. */
static int parse_compute(const slab_ind_def *d, int argc, char **argv, compute_args *a)
{
    int bad = 0;
    defaults(d, a->p);
    for (int i = 0; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc && (!strcmp(opt, "--data") || !strcmp(opt, "--param") ||
                              !strcmp(opt, "--out") || !strcmp(opt, "--input"))) {
            fprintf(stderr, "stratlab indicators: %s needs a value\n", opt);
            return bad + 1;
        }
        if (!strcmp(opt, "--data"))
            a->data = argv[++i];
        else if (!strcmp(opt, "--out"))
            a->out = argv[++i];
        else if (!strcmp(opt, "--param"))
            bad += apply_param(d, argv[++i], a->p);
        else if (!strcmp(opt, "--input")) {
            const char *m = argv[++i], *eq = strchr(m, '=');
            int k = 0;
            while (eq && k < d->n_inputs &&
                   (strlen(d->inputs[k]) != (size_t)(eq - m) ||
                    strncmp(d->inputs[k], m, (size_t)(eq - m))))
                k++;
            if (!eq || k == d->n_inputs) {
                fprintf(stderr,
                        "stratlab indicators: --input wants input=column with one of %s's "
                        "inputs, got '%s'\n",
                        d->name, m);
                bad++;
            } else
                a->input_map[k] = eq + 1;
        } else {
            fprintf(stderr, "stratlab indicators: unknown option '%s'\n", opt);
            bad++;
        }
    }
    if (!a->data) {
        fprintf(stderr, "stratlab indicators: compute needs --data FILE\n");
        bad++;
    }
    return bad;
}

static int cmd_compute(int argc, char **argv)
{
    const slab_ind_def *d;
    compute_args a = {0};
    slab_bars *b = NULL;
    slab_error err;
    const double *in[SLAB_IND_MAX_INPUTS];
    double *out[SLAB_IND_MAX_OUTPUTS] = {0};
    FILE *f = stdout;
    int rc = 1;

    if (argc < 1)
        return cli_usage_error("indicators", "compute needs an indicator name");
    if (!(d = find(argv[0])))
        return 1;
    if (parse_compute(d, argc - 1, argv + 1, &a) != 0)
        return 2;
    if (slab_csv_load(a.data, NULL, &b, NULL, &err) != SLAB_OK)
        return cli_fail(&err);
    for (int k = 0; k < d->n_inputs; k++) {
        const char *col = a.input_map[k] ? a.input_map[k] : d->inputs[k];
        if (!(in[k] = bar_column(b, col))) {
            fprintf(stderr,
                    "stratlab indicators: no bar column '%s' (use open, high, low, close, "
                    "volume or oi)\n",
                    col);
            goto out;
        }
    }
    for (int k = 0; k < d->n_outputs; k++)
        if (!(out[k] = malloc((b->n ? b->n : 1) * sizeof(double)))) {
            fprintf(stderr, "stratlab indicators: out of memory\n");
            goto out;
        }
    if (d->fn(in, b->n, a.p, out, &err) != SLAB_OK) {
        fprintf(stderr, "stratlab indicators: %s: %s\n", d->name, err.msg);
        goto out;
    }
    if (a.out && !(f = fopen(a.out, "w"))) {
        fprintf(stderr, "stratlab indicators: cannot write %s\n", a.out);
        goto out;
    }
    rc = write_csv(f, d, b, out) == 0 ? 0 : 1;
    if (f != stdout && fclose(f) != 0)
        rc = 1;
    if (rc)
        fprintf(stderr, "stratlab indicators: error writing %s\n", a.out ? a.out : "stdout");
out:
    for (int k = 0; k < d->n_outputs; k++)
        free(out[k]);
    slab_bars_free(b);
    return rc;
}

int cmd_indicators(int argc, char **argv)
{
    size_t n;
    const slab_ind_def *t = slab_ind_table(&n);

    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i])) {
            print_usage();
            return 0;
        }
    if (argc >= 2 && !strcmp(argv[1], "show")) {
        if (argc != 3)
            return cli_usage_error("indicators", "show takes one indicator name");
        const slab_ind_def *d = find(argv[2]);
        if (!d)
            return 1;
        print_entry(d, 1);
        return 0;
    }
    if (argc >= 2 && !strcmp(argv[1], "compute"))
        return cmd_compute(argc - 2, argv + 2);
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (strcmp(argv[i], "list") || i != 1)
            return cli_usage_error("indicators", "unknown argument '%s'", argv[i]);
    }
    if (json)
        return print_json(t, n);
    for (size_t i = 0; i < n; i++)
        print_entry(&t[i], 0);
    return 0;
}
