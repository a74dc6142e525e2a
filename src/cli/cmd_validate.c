/* cmd_validate.c: `stratlab validate SPEC.json [--json]`: checks a strategy
 * spec without running it and lists every problem at once (seed 001 Phase
 * 3): errors must be fixed, warnings may be acceptable. Exit 0 when valid
 * (warnings allowed), 1 when invalid or unreadable, 2 on a usage error. */
#include "cli.h"

#include "stratlab/script.h"
#include "stratlab/spec.h"

#include <stdio.h>
#include <string.h>

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab validate SPEC.json [--json]\n"
            "       stratlab validate SCRIPT.c [--json]\n\n"
            "A C script (FILE.c): compiled in the jail (errors with line:col), then checked\n"
            "for its slab_strategy registration, includes other than <stratlab/strategy.h>,\n"
            "unknown indicator names (with suggestions) and forbidden constructs\n"
            "(constructors, inline asm, system calls, files, processes, network, signals).\n\n"
            "Checks a strategy spec (docs/spec.md) and lists every problem at once:\n"
            "JSON syntax (line:column), fields and types (JSON pointers), unknown\n"
            "indicators and names (with suggestions), parameter ranges, expression\n"
            "errors (with the column), look-ahead, rules that can never fire, exits\n"
            "without entries, warm-up longer than the data period. Unknown fields are\n"
            "warnings. SPEC may be - for standard input.\n\n"
            "  --json   print the ValidationResult document: {\"valid\", \"error_count\",\n"
            "           \"warning_count\", \"items\": [{\"severity\", \"code\", \"pointer\",\n"
            "           \"message\", \"fix\", \"line\", \"column\"}], \"errors\", \"warnings\"}\n\n"
            "Exit status: 0 valid (warnings allowed), 1 invalid or unreadable, 2 usage.\n");
}

/* Reads standard input into a temporary file path the library can load. */
static int load(const char *path, slab_spec **spec, slab_diags *d, slab_error *err)
{
    if (strcmp(path, "-"))
        return slab_spec_load(path, spec, d, err);
    static char buf[SLAB_SPEC_MAX_BYTES + 2];
    size_t n = fread(buf, 1, sizeof buf - 1, stdin);
    return slab_spec_compile(buf, n, spec, d);
}

/* `stratlab validate FILE.c`: the script validator (script.h): the
 * compiler's diagnostics from the jail, then the source checks. */
static int validate_script(const char *path, int json)
{
    slab_error err;
    FILE *f = fopen(path, "rb");
    if (!f)
        return cli_error(SLAB_EC_FILE_NOT_FOUND, path, NULL, "cannot open the script");
    static char buf[SLAB_SCRIPT_SOURCE_MAX + 1];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (n == 0 || n > SLAB_SCRIPT_SOURCE_MAX)
        return cli_error(SLAB_EC_LIMIT_REACHED, path, NULL, "%s",
                         n ? "the script is larger than 1 MiB" : "the script is empty");
    slab_sandbox *sb = NULL;
    slab_script_report *r = NULL;
    if (slab_sandbox_open(NULL, &sb, &err) != SLAB_OK)
        return cli_fail(&err);
    slab_status st = slab_script_validate(sb, buf, n, path, &r, &err);
    slab_sandbox_close(sb);
    if (st != SLAB_OK) {
        slab_error_at_file(&err, path, 0, 0);
        return cli_fail(&err);
    }
    if (json) {
        json_t *doc = slab_script_report_json(r);
        if (!doc) {
            slab_script_report_free(r);
            return cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
        }
        cli_print_json(doc);
        json_decref(doc);
    } else {
        const char *base = strrchr(path, '/');
        base = base ? base + 1 : path;
        for (size_t k = 0; k < r->n; k++) {
            const slab_script_diag *d = &r->items[k];
            if (d->line)
                printf("%s:%d:%d: %s [%s]: %s\n", base, d->line, d->col,
                       d->is_error ? "error" : "warning", d->code, d->msg);
            else
                printf("%s: %s [%s]: %s\n", base, d->is_error ? "error" : "warning", d->code,
                       d->msg);
        }
        printf("%s: %s (%zu error%s, %zu warning%s)\n", base,
               r->n_errors ? "invalid" : "valid", r->n_errors, r->n_errors == 1 ? "" : "s",
               r->n_warnings, r->n_warnings == 1 ? "" : "s");
    }
    int rc = r->n_errors ? 1 : 0;
    slab_script_report_free(r);
    return rc;
}

int cmd_validate(int argc, char **argv)
{
    const char *path = NULL;
    int json = 0;
    for (int i = 1; i < argc; i++) {
        if (cli_is_help(argv[i])) {
            usage(stdout);
            return 0;
        }
        if (!strcmp(argv[i], "--json"))
            json = 1;
        else if (argv[i][0] == '-' && argv[i][1])
            return cli_unknown_option("validate", argv[i], usage);
        else if (path)
            return cli_usage_error("validate", "give one spec file (got '%s' and '%s')", path,
                                   argv[i]);
        else
            path = argv[i];
    }
    if (!path)
        return cli_usage_error("validate", "give the spec file: stratlab validate spec.json");
    /* One command checks both kinds of strategy file: a C script goes to
     * the script validator (issue 12). */
    size_t plen = strlen(path);
    if (plen > 2 && !strcmp(path + plen - 2, ".c"))
        return validate_script(path, json);
    slab_diags d;
    slab_error err;
    slab_spec *spec = NULL;
    slab_diags_init(&d);
    slab_status st = load(path, &spec, &d, &err);
    if (st == SLAB_EIO || st == SLAB_ENOMEM) {
        if (json) {
            json_t *doc = json_pack("{s:b, s:s, s:s, s:s}", "valid", 0, "error", "unreadable",
                                    "message", err.msg, "where", err.where);
            json_dumpf(doc, stdout, JSON_INDENT(1));
            putchar('\n');
            json_decref(doc);
        } else {
            cli_fail(&err);
        }
        slab_diags_clear(&d);
        return 1;
    }
    if (json) {
        json_t *doc = slab_diags_json(&d);
        if (spec) {
            json_object_set_new(doc, "strategy_name", json_string(slab_spec_name(spec)));
            json_object_set_new(doc, "spec_sha256", json_string(slab_spec_sha256(spec)));
        }
        json_dumpf(doc, stdout, JSON_INDENT(1));
        putchar('\n');
        json_decref(doc);
    } else {
        char line[2048];
        const char *file = strcmp(path, "-") ? path : "<stdin>";
        for (size_t k = 0; k < d.n; k++)
            printf("%s\n", slab_diag_format(&d.items[k], file, line, sizeof line));
        if (d.dropped)
            printf("... and %zu more problem(s) not listed\n", d.dropped);
        if (d.n_errors)
            printf("%s: invalid: %zu error(s), %zu warning(s)\n", file, d.n_errors, d.n_warnings);
        else
            printf("%s: valid%s (%zu warning(s)); %s compiles to %zu node(s) and %zu rule(s)\n",
                   file, d.n_warnings ? " with warnings" : "", d.n_warnings, slab_spec_name(spec),
                   slab_spec_program_get(spec)->n_nodes, slab_spec_program_get(spec)->n_rules);
    }
    int rc = d.n_errors ? 1 : 0;
    slab_spec_free(spec);
    slab_diags_clear(&d);
    return rc;
}
