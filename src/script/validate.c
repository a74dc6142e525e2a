/* validate.c: the script validator (seed 001 Phase 3): everything wrong
 * with a C strategy script, without running it. The compiler's own
 * diagnostics (in the jail, when a sandbox is given) and a scan of the
 * source with comments blanked: the registration (`slab_strategy` or
 * SLAB_STRATEGY()), includes other than <stratlab/strategy.h>, indicator
 * names given to slab_indicator() as string literals (checked against the
 * table, with the closest names), and forbidden constructs (constructors
 * and destructors, inline asm, system calls, file, process, network and
 * signal functions). Errors first, then warnings; each with line:col.
 * The scan is textual and conservative: the sandbox, not the validator,
 * is what stops a hostile script. */
#include "script/script_int.h"

#include "stratlab/ind.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Most findings the source scan reports (a file of a million `fork(`
 * would otherwise cost a position count per finding). */
#define SCAN_MAX 100

typedef struct diag_list {
    slab_script_diag *items;
    size_t n, cap;
    int oom;
} diag_list;

static void add(diag_list *l, int is_error, const char *code, int line, int col, const char *fmt,
                ...) __attribute__((format(printf, 6, 7)));
static void add(diag_list *l, int is_error, const char *code, int line, int col, const char *fmt,
                ...)
{
    if (l->oom)
        return;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 16;
        slab_script_diag *p = slab_realloc(l->items, cap * sizeof *p);
        if (!p) {
            l->oom = 1;
            return;
        }
        l->items = p;
        l->cap = cap;
    }
    slab_script_diag *d = &l->items[l->n++];
    memset(d, 0, sizeof *d);
    d->line = line;
    d->col = col;
    d->is_error = is_error;
    snprintf(d->code, sizeof d->code, "%s", code);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(d->msg, sizeof d->msg, fmt, ap);
    va_end(ap);
    slab__text_sanitize(d->msg, strlen(d->msg));
}

/* A copy of src with comments replaced by spaces (newlines kept) and, in
 * code (not strings), nothing else changed: positions stay the same. */
static char *blank_comments(const char *src, size_t n)
{
    char *c = slab_malloc(n + 1);
    if (!c)
        return NULL;
    memcpy(c, src, n);
    c[n] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (c[i] == '"' || c[i] == '\'') {
            char q = c[i];
            for (i++; i < n && c[i] != q && c[i] != '\n'; i++)
                if (c[i] == '\\' && i + 1 < n)
                    i++;
        } else if (c[i] == '/' && i + 1 < n && c[i + 1] == '/') {
            while (i < n && c[i] != '\n')
                c[i++] = ' ';
        } else if (c[i] == '/' && i + 1 < n && c[i + 1] == '*') {
            size_t j = i;
            for (; j < n && !(c[j] == '*' && j + 1 < n && c[j + 1] == '/' && j > i + 1); j++)
                if (c[j] != '\n')
                    c[j] = ' ';
            if (j < n) {
                c[j] = ' ';
                if (j + 1 < n)
                    c[j + 1] = ' ';
            }
            i = j + 1;
        }
    }
    return c;
}

/* Another copy with string and character literals blanked too, for the
 * construct scan ("fopen" inside a message is not a call). */
static void blank_strings(char *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (c[i] != '"' && c[i] != '\'')
            continue;
        char q = c[i];
        for (i++; i < n && c[i] != q && c[i] != '\n'; i++) {
            if (c[i] == '\\' && i + 1 < n)
                c[i++] = ' ';
            c[i] = ' ';
        }
    }
}

static void where(const char *base, const char *p, int *line, int *col)
{
    *line = 1;
    *col = 1;
    for (const char *q = base; q < p; q++) {
        if (*q == '\n') {
            (*line)++;
            *col = 1;
        } else {
            (*col)++;
        }
    }
}

static int ident_char(char c) { return isalnum((unsigned char)c) || c == '_'; }

/* Every whole-word occurrence of word in code, followed (after blanks) by
 * next_char when it is not 0. */
static const char *find_word(const char *code, const char *from, const char *word, char next_char)
{
    size_t wl = strlen(word);
    for (const char *p = strstr(from, word); p; p = strstr(p + 1, word)) {
        if ((p > code && ident_char(p[-1])) || ident_char(p[wl]))
            continue;
        if (next_char) {
            const char *q = p + wl;
            while (*q == ' ' || *q == '\t' || *q == '\n')
                q++;
            if (*q != next_char)
                continue;
        }
        return p;
    }
    return NULL;
}

static void check_includes(diag_list *l, const char *text, const char *code)
{
    static const char *const std_headers[] = {"math.h",   "stdio.h",  "string.h", "stdlib.h",
                                              "stdint.h", "stddef.h", "stdbool.h", "float.h",
                                              "limits.h", "stdarg.h", "assert.h", NULL};
    for (const char *p = code; l->n < SCAN_MAX && (p = strchr(p, '#')); p++) {
        const char *q = text + (p - code) + 1; /* the name is read with its quotes */
        while (*q == ' ' || *q == '\t')
            q++;
        if (strncmp(q, "include", 7) && strncmp(q, "embed", 5))
            continue;
        int is_embed = !strncmp(q, "embed", 5);
        q += is_embed ? 5 : 7;
        while (*q == ' ' || *q == '\t')
            q++;
        char name[128];
        size_t k = 0;
        char close = *q == '<' ? '>' : *q == '"' ? '"' : 0;
        if (close)
            for (q++; *q && *q != close && *q != '\n' && k + 1 < sizeof name; q++)
                name[k++] = *q;
        name[k] = '\0';
        int line, col;
        where(code, p, &line, &col);
        if (!is_embed && !strcmp(name, "stratlab/strategy.h"))
            continue;
        int std = 0;
        for (int s = 0; !is_embed && std_headers[s]; s++)
            std |= !strcmp(name, std_headers[s]);
        if (std)
            add(l, 0, "include", line, col,
                "#include <%s>: a script needs only <stratlab/strategy.h>; standard C headers "
                "compile, but files, processes and the network are refused at run time",
                name);
        else
            add(l, 1, "include", line, col,
                "#%s %s%s%s: a script includes only <stratlab/strategy.h> (the jail cannot "
                "read other files); remove it",
                is_embed ? "embed" : "include", close == '"' ? "\"" : "<", name,
                close == '"' ? "\"" : ">");
    }
}

static void check_registration(diag_list *l, const char *code)
{
    if (find_word(code, code, "SLAB_STRATEGY", '('))
        return;
    for (const char *p = code; (p = find_word(code, p, "slab_strategy", 0)); p++) {
        /* `slab_strategy_def slab_strategy` (a definition, = or ;) */
        const char *d = p;
        while (d > code && (d[-1] == ' ' || d[-1] == '\t' || d[-1] == '\n'))
            d--;
        if (d - code >= 17 && !strncmp(d - 17, "slab_strategy_def", 17))
            return;
    }
    add(l, 1, "registration", 0, 0,
        "no `slab_strategy` definition: add `SLAB_STRATEGY(.name = \"my_strategy\", .next = "
        "my_next, ...);` or `const slab_strategy_def slab_strategy = {SLAB_STRATEGY_ABI, ...};`");
}

static void check_indicators(diag_list *l, const char *text, const char *code)
{
    /* text: comments blanked, strings kept; code: strings blanked too */
    for (const char *p = code; l->n < SCAN_MAX && (p = find_word(code, p, "slab_indicator", '('));
         p++) {
        const char *q = text + (p - code) + strlen("slab_indicator");
        while (*q && *q != '(')
            q++;
        int depth = 0;
        for (q++; *q; q++) { /* skip the first argument */
            if (*q == '(')
                depth++;
            else if (*q == ')' && depth-- == 0)
                break;
            else if (*q == ',' && depth == 0)
                break;
        }
        if (*q != ',')
            continue;
        q++;
        while (*q == ' ' || *q == '\t' || *q == '\n')
            q++;
        if (*q != '"')
            continue; /* a name computed at run time: checked when it runs */
        char name[64];
        size_t k = 0;
        const char *start = q;
        for (q++; *q && *q != '"' && *q != '\n' && k + 1 < sizeof name; q++)
            name[k++] = *q;
        name[k] = '\0';
        slab_error err;
        if (slab_ind_find(name, &err))
            continue;
        int line, col;
        where(text, start, &line, &col);
        if (err.suggest[0])
            add(l, 1, "indicator", line, col,
                "unknown indicator \"%s\": did you mean \"%s\"? (stratlab indicators lists them)",
                name, err.suggest);
        else
            add(l, 1, "indicator", line, col,
                "unknown indicator \"%s\" (stratlab indicators lists them)", name);
    }
}

static void check_constructs(diag_list *l, const char *code)
{
    static const struct {
        const char *word;
        char next;
        const char *why;
    } bad[] = {
        {"constructor", 0, "runs before the sandbox is up; initialise in init()"},
        {"destructor", 0, "runs outside the strategy's lifetime; not allowed"},
        {"asm", 0, "inline assembly is not allowed in a script"},
        {"__asm__", 0, "inline assembly is not allowed in a script"},
        {"__asm", 0, "inline assembly is not allowed in a script"},
        {"syscall", '(', "system calls are refused by the sandbox (forbidden_syscall)"},
        {"system", '(', "starting processes is refused by the sandbox"},
        {"popen", '(', "starting processes is refused by the sandbox"},
        {"fork", '(', "starting processes is refused by the sandbox"},
        {"vfork", '(', "starting processes is refused by the sandbox"},
        {"execve", '(', "starting programs is refused by the sandbox"},
        {"execl", '(', "starting programs is refused by the sandbox"},
        {"execvp", '(', "starting programs is refused by the sandbox"},
        {"fopen", '(', "a script reads no files: its data comes through the API"},
        {"open", '(', "a script reads no files: its data comes through the API"},
        {"openat", '(', "a script reads no files: its data comes through the API"},
        {"socket", '(', "the network is refused by the sandbox"},
        {"connect", '(', "the network is refused by the sandbox"},
        {"signal", '(', "signal handlers are not allowed in a script"},
        {"sigaction", '(', "signal handlers are not allowed in a script"},
        {"kill", '(', "signals to other processes are refused"},
        {"ptrace", '(', "ptrace is refused by the sandbox"},
        {"dlopen", '(', "loading libraries is refused by the sandbox"},
        {"mprotect", '(', "changing memory protection is refused by the sandbox"},
        {"pthread_create", '(', "threads are refused by the sandbox"},
    };
    for (size_t b = 0; b < sizeof bad / sizeof bad[0]; b++)
        for (const char *p = code;
             l->n < SCAN_MAX && (p = find_word(code, p, bad[b].word, bad[b].next)); p++) {
            int line, col;
            where(code, p, &line, &col);
            add(l, 1, "forbidden", line, col, "%s: %s", bad[b].word, bad[b].why);
        }
}

/* A reader called with a positive whole-number literal as its last
 * argument (ago): slab_get(c, SLAB_CLOSE, 1) asks for the next bar, which
 * the engine refuses (NaN, counted in execution.lookahead_attempts). ago
 * counts back, backtrader's way: 0 is this bar, -1 the previous one; a
 * script ported from a library where 1 means "one bar ago" makes this
 * mistake, and its run then trades on NaN without a word. */
static void check_lookahead(diag_list *l, const char *code)
{
    static const char *const readers[] = {"slab_get", "slab_time", "slab_feed_get",
                                          "slab_feed_time"};
    for (size_t r = 0; r < sizeof readers / sizeof readers[0]; r++)
        for (const char *p = code; l->n < SCAN_MAX && (p = find_word(code, p, readers[r], '('));
             p++) {
            const char *q = strchr(p, '('), *last = NULL;
            int depth = 0;
            for (q++; *q; q++) {
                if (*q == '(')
                    depth++;
                else if (*q == ')' && depth-- == 0)
                    break;
                else if (*q == ',' && depth == 0)
                    last = q + 1;
            }
            if (*q != ')' || !last)
                continue;
            while (isspace((unsigned char)*last))
                last++;
            const char *d = last + (*last == '+');
            if (*d < '1' || *d > '9')
                continue;
            const char *e = d, *t;
            while (isdigit((unsigned char)*e))
                e++;
            for (t = e; isspace((unsigned char)*t); t++)
                ;
            if (t != q)
                continue; /* an expression: checked when it runs */
            int line, col;
            where(code, last, &line, &col);
            add(l, 1, "lookahead", line, col,
                "%s(..., %.*s) asks for a future bar: ago counts back (0 is this bar, -1 the "
                "previous one), so this reads NaN; use -%.*s for %.*s bar(s) ago",
                readers[r], (int)(e - last), last, (int)(e - d), d, (int)(e - d), d);
        }
}

static int by_severity(const void *a, const void *b)
{
    const slab_script_diag *x = a, *y = b;
    if (x->is_error != y->is_error)
        return y->is_error - x->is_error;
    if (x->line != y->line)
        return x->line - y->line;
    return x->col - y->col;
}

slab_status slab_script_validate(slab_sandbox *sb, const char *source, size_t source_len,
                                 const char *source_name, slab_script_report **out,
                                 slab_error *err)
{
    diag_list l = {0};
    *out = NULL;
    if (!source || source_len == 0 || source_len > SLAB_SCRIPT_SOURCE_MAX)
        return slab_error_set(err, SLAB_ELIMIT, "script", "the script is %zu bytes; a script "
                              "is 1 .. %d bytes", source_len, SLAB_SCRIPT_SOURCE_MAX);
    if (memchr(source, '\0', source_len))
        return slab_error_set(err, SLAB_EPARSE, "script", "the script holds a NUL byte: not C "
                              "source text");
    slab_script_report *r = slab_calloc(1, sizeof *r);
    char *text = blank_comments(source, source_len);
    char *code = text ? slab_malloc(source_len + 1) : NULL;
    if (!r || !text || !code) {
        slab_free(r);
        slab_free(text);
        slab_free(code);
        return slab_error_set(err, SLAB_ENOMEM, "script", "out of memory validating");
    }
    memcpy(code, text, source_len + 1);
    blank_strings(code, source_len);
    check_registration(&l, code);
    check_includes(&l, text, code);
    check_indicators(&l, text, code);
    check_constructs(&l, code);
    check_lookahead(&l, code);
    slab_free(text);
    slab_free(code);
    if (sb) {
        slab_script_status st;
        char detail[640];
        slab_script_diag *cd = NULL;
        size_t ncd = 0;
        slab_status s = slab_script_compile_only(sb, source, source_len, source_name,
                                                 SLAB_SCRIPT_COMPILE_TIMEOUT_DEFAULT_S, &st,
                                                 detail, &cd, &ncd, err);
        if (s != SLAB_OK) {
            slab_free(l.items);
            slab_free(r);
            return s;
        }
        r->compiled = 1;
        for (size_t k = 0; k < ncd; k++)
            add(&l, cd[k].is_error, cd[k].code[0] ? cd[k].code : "compile", cd[k].line,
                cd[k].col, "%s", cd[k].msg);
        if (st != SLAB_SCRIPT_OK && (ncd == 0 || st != SLAB_SCRIPT_COMPILE_ERROR))
            add(&l, 1, st == SLAB_SCRIPT_REJECTED ? "rejected" : "compile", 0, 0, "%s: %s",
                slab_script_status_name(st), detail);
        slab_free(cd);
    }
    if (l.oom) {
        slab_free(l.items);
        slab_free(r);
        return slab_error_set(err, SLAB_ENOMEM, "script", "out of memory validating");
    }
    if (l.n)
        qsort(l.items, l.n, sizeof *l.items, by_severity);
    r->items = l.items;
    r->n = l.n;
    for (size_t k = 0; k < l.n; k++)
        r->n_errors += l.items[k].is_error != 0;
    r->n_warnings = r->n - r->n_errors;
    *out = r;
    return SLAB_OK;
}

void slab_script_report_free(slab_script_report *r)
{
    if (!r)
        return;
    slab_free(r->items);
    slab_free(r);
}

json_t *slab_script_report_json(const slab_script_report *r)
{
    json_t *items = json_array(), *errs = json_array(), *warns = json_array();
    for (size_t k = 0; r && k < r->n; k++) {
        const slab_script_diag *d = &r->items[k];
        json_t *o = json_pack("{s:s,s:s,s:s,s:i,s:i}", "severity",
                              d->is_error ? "error" : "warning", "code", d->code, "message",
                              d->msg, "line", d->line, "column", d->col);
        json_array_append(d->is_error ? errs : warns, o);
        json_array_append_new(items, o);
    }
    return json_pack("{s:b,s:s,s:i,s:i,s:b,s:o,s:o,s:o}", "valid", r && r->n_errors == 0,
                     "kind", "script", "error_count", r ? (int)r->n_errors : 0,
                     "warning_count", r ? (int)r->n_warnings : 0, "compiled",
                     r ? r->compiled : 0, "items", items, "errors", errs, "warnings", warns);
}
