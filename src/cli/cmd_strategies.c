/* cmd_strategies.c: `stratlab strategies`: every built-in with its
 * parameters, types, defaults and allowed ranges (text or --json). */
#include "cli.h"

#include "stratlab/strategies.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

static const char *type_name(slab_param_type t)
{
    return t == SLAB_PARAM_INT     ? "int"
           : t == SLAB_PARAM_FLOAT ? "float"
           : t == SLAB_PARAM_TIME  ? "time"
           : t == SLAB_PARAM_TEXT  ? "text"
                                   : "bool";
}

/* A TIME or TEXT parameter's value as text ("15:55", "" for text); NULL
 * for the numeric types. */
static const char *value_text(const slab_param_def *p, double v, char *buf, size_t n)
{
    if (p->type == SLAB_PARAM_TEXT)
        return "";
    if (p->type != SLAB_PARAM_TIME)
        return NULL;
    snprintf(buf, n, "%02d:%02d", (int)v / 60, (int)v % 60);
    return buf;
}

/* A parameter's default, min or max for the JSON listing. */
static json_t *value_json(const slab_param_def *p, double v)
{
    char buf[16];
    const char *t = value_text(p, v, buf, sizeof buf);
    return t ? json_string(t) : json_real(v);
}

static int print_json(const slab_strategy_def *const *tab, size_t n)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_object(), *ps = json_array();
        json_object_set_new(s, "name", json_string(tab[i]->name));
        json_object_set_new(s, "summary", json_string(tab[i]->summary));
        for (int k = 0; k < tab[i]->n_params; k++) {
            const slab_param_def *p = &tab[i]->params[k];
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(p->name));
            json_object_set_new(o, "type", json_string(type_name(p->type)));
            json_object_set_new(o, "default", value_json(p, p->def));
            if (p->type != SLAB_PARAM_TEXT) {
                json_object_set_new(o, "min", value_json(p, p->min));
                json_object_set_new(o, "max", value_json(p, p->max));
            }
            json_object_set_new(o, "help", json_string(p->help));
            json_array_append_new(ps, o);
        }
        json_object_set_new(s, "params", ps);
        json_array_append_new(arr, s);
    }
    int rc = cli_print_json(arr);
    json_decref(arr);
    return rc;
}

static void usage(FILE *out)
{
    fprintf(out, "usage: stratlab strategies [--json]\n\n"
                 "Lists the built-in strategies with their parameters: type, default and\n"
                 "allowed range. Pass parameters to a run with --param name=value.\n");
}

int cmd_strategies(int argc, char **argv)
{
    size_t n;
    const slab_strategy_def *const *tab = slab_strategy_table(&n);
    int json = 0;

    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i]))
            return cli_help("strategies", usage);
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else
            return cli_error(SLAB_EC_UNKNOWN_OPTION, argv[i],
                             "`stratlab strategies` takes only --json (and --help)",
                             "unknown option '%s'", argv[i]);
    }
    if (json)
        return print_json(tab, n);
    for (size_t i = 0; i < n; i++) {
        printf("%-18s %s\n", tab[i]->name, tab[i]->summary);
        for (int k = 0; k < tab[i]->n_params; k++) {
            const slab_param_def *p = &tab[i]->params[k];
            char d[16], lo[16], hi[16];
            if (p->type == SLAB_PARAM_TEXT)
                printf("    %-12s %-5s default %-8s  %s\n", p->name, type_name(p->type), "\"\"",
                       p->help);
            else if (p->type == SLAB_PARAM_TIME)
                printf("    %-12s %-5s default %-8s range %s..%s  %s\n", p->name,
                       type_name(p->type), value_text(p, p->def, d, sizeof d),
                       value_text(p, p->min, lo, sizeof lo), value_text(p, p->max, hi, sizeof hi),
                       p->help);
            else
                printf("    %-12s %-5s default %-8s range %s..%s  %s\n", p->name,
                       type_name(p->type), cli_num(p->def), cli_num(p->min), cli_num(p->max),
                       p->help);
        }
    }
    return 0;
}
