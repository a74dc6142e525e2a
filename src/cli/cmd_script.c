/* cmd_script.c: `stratlab script`: the strategy script templates (seed
 * 000's Script Template System).
 *   stratlab script templates [--json]        each template and its typed variables
 *   stratlab script new TEMPLATE [--set var=value]... [-o FILE.c]
 *                                             a C file from a template (stdout without -o)
 * Every variable is checked against its type before anything is written
 * (script.h, slab_template_render); all problems are reported at once,
 * each with the allowed form. */
#include "cli.h"

#include "stratlab/script.h"

#include <stdio.h>
#include <string.h>

#define SETS_MAX 64

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab script templates [--json]\n"
            "       stratlab script new TEMPLATE [--set var=value]... [-o FILE.c] [--json]\n\n"
            "C strategy scripts from templates (run them with stratlab run --script FILE.c):\n"
            "  templates   list each template with its variables (type, default, allowed\n"
            "              form); --json prints them as one array\n"
            "  new         render TEMPLATE with the variables given by --set (the rest take\n"
            "              their defaults; a variable without a default is required);\n"
            "              the file goes to -o FILE.c, or to standard output. Values are\n"
            "              checked before they are written: tickers ^[A-Z0-9.-]{1,12}$,\n"
            "              dates YYYY-MM-DD, times HH:MM, numbers in their ranges, enums.\n\n"
            "example:\n"
            "  stratlab script new orb --set ticker=HOOD --set date=2025-07-31 \\\n"
            "      --set trailing_stop_pct=2 --set market_filter=QQQ -o orb_hood.c\n"
            "  stratlab run --script orb_hood.c --json\n");
}

static int list_templates(int json)
{
    size_t n;
    const slab_template *const *t = slab_template_table(&n);
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++)
        json_array_append_new(arr, slab_template_json(t[k]));
    if (json) {
        int rc = cli_print_json(arr);
        json_decref(arr);
        return rc;
    }
    for (size_t k = 0; k < n; k++) {
        json_t *vars = json_object_get(json_array_get(arr, k), "variables"), *v;
        size_t i;
        printf("%s%s\n    %s\n", k ? "\n" : "", t[k]->name, t[k]->summary);
        json_array_foreach(vars, i, v)
        {
            json_t *def = json_object_get(v, "default");
            printf("    %-22s %-10s %-12s %s\n      %s\n",
                   json_string_value(json_object_get(v, "name")),
                   json_string_value(json_object_get(v, "type")),
                   json_is_string(def) ? json_string_value(def) : "(required)",
                   json_string_value(json_object_get(v, "help")),
                   json_string_value(json_object_get(v, "form")));
        }
    }
    printf("\nstratlab script new NAME --set var=value ... -o FILE.c\n");
    json_decref(arr);
    return 0;
}

static int new_script(int argc, char **argv)
{
    const char *name = NULL, *path = NULL, *sets[SETS_MAX];
    size_t n_sets = 0;
    slab_error err;
    for (int i = 2; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--json"))
            continue;
        if (!strcmp(a, "--set") || !strcmp(a, "-o") || !strcmp(a, "--out")) {
            if (i + 1 >= argc)
                return cli_error(SLAB_EC_MISSING_VALUE, a, "give a value after it",
                                 "%s needs a value", a);
            const char *v = argv[++i];
            if (a[1] == 'o' || !strcmp(a, "--out")) {
                if (path)
                    return cli_error(SLAB_EC_REPEATED_OPTION, a, "give -o once",
                                     "-o is given twice");
                path = v;
            } else if (n_sets == SETS_MAX) {
                return cli_error(SLAB_EC_LIMIT_REACHED, "--set", NULL,
                                 "at most %d --set values", SETS_MAX);
            } else {
                sets[n_sets++] = v;
            }
        } else if (!strncmp(a, "--set=", 6) && n_sets < SETS_MAX) {
            sets[n_sets++] = a + 6;
        } else if (a[0] == '-') {
            return cli_error(SLAB_EC_UNKNOWN_OPTION, a, "see stratlab script --help",
                             "unknown option %s", a);
        } else if (!name) {
            name = a;
        } else {
            return cli_error(SLAB_EC_BAD_VALUE, a, "give one template name",
                             "unexpected argument '%s' (the template is %s)", a, name);
        }
    }
    if (!name)
        return cli_error(SLAB_EC_MISSING_OPTION, "script new",
                         "stratlab script templates lists the templates",
                         "give a template name: stratlab script new TEMPLATE --set var=value");
    const slab_template *t = slab_template_find(name, &err);
    if (!t) {
        slab_error_set_code(&err, SLAB_EC_BAD_VALUE);
        return cli_fail(&err);
    }
    char *text = NULL;
    if (slab_template_render(t, sets, n_sets, path, &text, &err) != SLAB_OK) {
        slab_error_set_code(&err, SLAB_EC_BAD_VALUE);
        return cli_fail(&err);
    }
    if (!path) {
        fputs(text, stdout);
        int bad = fflush(stdout) != 0;
        slab_free(text);
        return bad ? cli_error(SLAB_EC_WRITE_FAILED, "stdout", NULL, "cannot write the script")
                   : 0;
    }
    FILE *f = fopen(path, "w");
    if (!f) {
        slab_free(text);
        return cli_error(SLAB_EC_WRITE_FAILED, path, "check the folder exists and is writable",
                         "cannot create the script file");
    }
    int bad = fputs(text, f) < 0;
    bad |= fclose(f) != 0;
    slab_free(text);
    if (bad)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot write the script file");
    if (cli_json) {
        json_t *o = json_pack("{s:s,s:s}", "template", t->name, "file", path);
        int rc = cli_print_json(o);
        json_decref(o);
        return rc;
    }
    fprintf(stderr, "wrote %s (template %s); run it: stratlab run --script %s\n", path, t->name,
            path);
    return 0;
}

int cmd_script(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("script", usage);
    if (argc < 2)
        return cli_error(SLAB_EC_MISSING_OPTION, "script",
                         "stratlab script templates, or stratlab script new TEMPLATE",
                         "give a subcommand: templates or new");
    if (!strcmp(argv[1], "templates")) {
        for (int i = 2; i < argc; i++)
            if (strcmp(argv[i], "--json"))
                return cli_error(SLAB_EC_UNKNOWN_OPTION, argv[i], "see stratlab script --help",
                                 "unknown option %s", argv[i]);
        return list_templates(cli_json);
    }
    if (!strcmp(argv[1], "new"))
        return new_script(argc, argv);
    return cli_error(SLAB_EC_UNKNOWN_COMMAND, argv[1], "use templates or new",
                     "unknown subcommand 'script %s'", argv[1]);
}
