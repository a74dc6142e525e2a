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
            json_object_set_new(o, "default", json_real(p->def));
            json_object_set_new(o, "min", json_real(p->min));
            json_object_set_new(o, "max", json_real(p->max));
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
            printf("    %-12s %-5s default %-8s range %s..%s  %s\n", p->name, type_name(p->type),
                   cli_num(p->def), cli_num(p->min), cli_num(p->max), p->help);
        }
    }
    return 0;
}
