/* cmd_spec.c: `stratlab spec new --example NAME` prints a documented
 * example spec to start from (examples/specs/, built in); `stratlab spec
 * examples` lists them with their one-line descriptions; `stratlab spec
 * codegen SPEC.json [-o FILE.c]` writes the spec as one C strategy script
 * (slab_spec_codegen). */
#include "cli.h"

#include "stratlab/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *out)
{
    size_t n;
    const char *const *names = slab_spec_example_names(&n);
    fprintf(out, "usage: stratlab spec new --example NAME [-o FILE]\n"
                 "       stratlab spec examples [--json]\n"
                 "       stratlab spec codegen SPEC.json [-o FILE.c]   (also: stratlab codegen)\n\n"
                 "new prints a documented example spec (docs/spec.md explains every field).\n"
                 "codegen writes the spec as one readable C strategy script for\n"
                 "`stratlab run --script` that gives the spec run's numbers, universes and\n"
                 "pair selection included (what it cannot write is refused with the reason,\n"
                 "exit 2).\n"
                 "Examples:");
    for (size_t k = 0; k < n; k++)
        fprintf(out, " %s", names[k]);
    fprintf(out, "\n");
}

/* The example's "description" (or ""), borrowed from doc. */
static const char *describe(json_t *doc)
{
    const char *d = json_string_value(json_object_get(doc, "description"));
    return d ? d : "";
}

static int list(int as_json)
{
    size_t n;
    const char *const *names = slab_spec_example_names(&n);
    json_t *arr = json_array();
    for (size_t k = 0; k < n; k++) {
        json_t *doc = json_loads(slab_spec_example(names[k]), 0, NULL);
        const char *title = json_string_value(json_object_get(doc, "strategy_name"));
        if (as_json) {
            json_t *o = json_object();
            json_object_set_new(o, "name", json_string(names[k]));
            json_object_set_new(o, "strategy_name", json_string(title ? title : ""));
            json_object_set_new(o, "description", json_string(describe(doc)));
            json_array_append_new(arr, o);
        } else {
            printf("%-22s %s\n", names[k], title ? title : "");
        }
        json_decref(doc);
    }
    if (as_json) {
        json_dumpf(arr, stdout, JSON_INDENT(1));
        putchar('\n');
    }
    json_decref(arr);
    return 0;
}

/* stratlab spec codegen SPEC.json [-o FILE.c] (cmd is "spec", the
 * arguments from argv[2]) or stratlab codegen SPEC.json [-o FILE.c] (cmd
 * "codegen", from argv[1]): 0 written, 1 the spec has errors or the file
 * cannot be written, 2 usage or not supported. */
static int codegen(int argc, char **argv, const char *cmd)
{
    const char *path = NULL, *out = NULL;
    for (int i = strcmp(cmd, "spec") ? 1 : 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out")) {
            if (i + 1 >= argc)
                return cli_usage_error(cmd, "%s needs a value", argv[i]);
            out = argv[++i];
        } else if (argv[i][0] == '-' && argv[i][1]) {
            return cli_unknown_option(cmd, argv[i], usage);
        } else if (path) {
            return cli_usage_error(cmd, "codegen takes one spec file");
        } else {
            path = argv[i];
        }
    }
    if (!path)
        return cli_usage_error(cmd, "give the spec: stratlab %scodegen SPEC.json [-o FILE.c]",
                               strcmp(cmd, "spec") ? "" : "spec ");
    slab_spec *spec = NULL;
    int rc = cli_spec_open(path, &spec);
    if (rc != 0 || !spec)
        return rc ? rc : 1;
    char *text = NULL;
    slab_error err;
    slab_status st = slab_spec_codegen(spec, &text, &err);
    slab_spec_free(spec);
    if (st == SLAB_EINVAL) {
        fprintf(stderr, "stratlab %scodegen: %s: %s\n", strcmp(cmd, "spec") ? "" : "spec ", path,
                err.msg);
        return 2;
    }
    if (st != SLAB_OK)
        return cli_fail(&err);
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        free(text);
        return 1;
    }
    fputs(text, f);
    free(text);
    if (out && fclose(f) != 0) {
        perror(out);
        return 1;
    }
    return 0;
}

/* stratlab codegen SPEC.json [-o FILE.c]: `spec codegen` by the name issue
 * 12 gives it. */
int cmd_codegen(int argc, char **argv) { return codegen(argc, argv, "codegen"); }

int cmd_spec(int argc, char **argv)
{
    if (argc < 2 || cli_is_help(argv[1])) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "examples"))
        return list(argc > 2 && !strcmp(argv[2], "--json"));
    if (!strcmp(argv[1], "codegen"))
        return codegen(argc, argv, "spec");
    if (strcmp(argv[1], "new"))
        return cli_error(SLAB_EC_UNKNOWN_COMMAND, argv[1],
                         "the spec subcommands are new, examples and codegen",
                         "unknown subcommand '%s'", argv[1]);
    const char *name = NULL, *out = NULL;
    for (int i = 2; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        }
        if (i + 1 >= argc)
            return cli_usage_error("spec", "%s needs a value", argv[i]);
        if (!strcmp(argv[i], "--example"))
            name = argv[++i];
        else if (!strcmp(argv[i], "-o") || !strcmp(argv[i], "--out"))
            out = argv[++i];
        else
            return cli_unknown_option("spec", argv[i], usage);
    }
    if (!name)
        return cli_usage_error("spec", "give --example NAME (stratlab spec examples lists them)");
    const char *text = slab_spec_example(name);
    if (!text) {
        size_t n;
        const char *const *names = slab_spec_example_names(&n);
        char all[512] = "";
        for (size_t k = 0; k < n; k++)
            snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", k ? ", " : "", names[k]);
        fprintf(stderr, "stratlab spec: unknown example '%s'; examples: %s\n", name, all);
        return 1;
    }
    FILE *f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror(out);
        return 1;
    }
    fputs(text, f);
    if (out && fclose(f) != 0) {
        perror(out);
        return 1;
    }
    return 0;
}
