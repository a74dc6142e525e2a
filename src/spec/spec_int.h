/* spec_int.h: the spec compiler's private structures, shared by the files
 * of src/spec/ (jscan.c JSON pre-scan and locator, diag.c problem lists,
 * expr.c expression parser, parse.c schema, compile.c DAG, checks.c
 * semantic checks, eval.c array kernels, runtime.c the strategy).
 * Pipeline: text -> jscan (limits, syntax with line:col) -> jansson tree ->
 * parse (schema, pointers) -> expr ASTs -> compile (names, indicators,
 * types, shared DAG) -> checks -> program. Everything a spec owns lives in
 * its arena or its growable node array, both capped. */
#ifndef SLAB_SPEC_INT_H
#define SLAB_SPEC_INT_H

#include "stratlab/spec.h"

#include <stdarg.h>

/* JSON pointers the compiler builds (the same size as slab_diag.pointer). */
#define PTR_MAX 256

/* ---- arena: bump allocation in blocks, freed all at once, capped ---- */
#define SPEC_ARENA_CAP ((size_t)32 << 20)
typedef struct spec_block spec_block;
typedef struct spec_arena {
    spec_block *head;
    size_t used_total; /* bytes handed out, for the cap */
} spec_arena;
/* Zeroed memory of n bytes, or NULL (out of memory or over the cap). */
void *slab__arena_alloc(spec_arena *a, size_t n);
char *slab__arena_strndup(spec_arena *a, const char *s, size_t n);
void slab__arena_free(spec_arena *a);

/* ---- diagnostics ---- */
/* Adds a problem; fix may be NULL or "". Keeps the counts past the cap. */
void slab__diag(slab_diags *d, slab_diag_severity sev, const char *code, const char *pointer,
                int expr_column, const char *fix, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));
void slab__vdiag(slab_diags *d, slab_diag_severity sev, const char *code, const char *pointer,
                 int expr_column, const char *fix, const char *fmt, va_list ap);

/* ---- JSON pre-scan and locator (jscan.c) ---- */
/* Checks that text is one JSON value within the spec limits (depth, items,
 * string length, numbers that fit a double, UTF-8). On a problem adds one
 * error with its line and column and returns -1; else 0. */
int slab__jscan_check(const char *text, size_t len, slab_diags *d);
/* Finds the value at pointer in valid JSON text: 1-based line and column
 * of its first character (the opening quote of a string), and in *raw the
 * offset of that character. Returns 0 when found, -1 when not. */
int slab__jscan_locate(const char *text, size_t len, const char *pointer, int *line, int *col,
                       size_t *raw);
/* Line and column (1-based, columns in characters) of byte offset off. */
void slab__jscan_linecol(const char *text, size_t off, int *line, int *col);

/* ---- small helpers (diag.c) ---- */
/* The closest of names[0..n-1] to s within distance max(2, len/3), or NULL. */
const char *slab__closest(const char *s, const char *const *names, size_t n);
/* 1 when s[0..len) is an identifier [A-Za-z_][A-Za-z0-9_]*. */
int slab__is_ident(const char *s, size_t len);

/* ---- expressions (expr.c) ---- */
typedef enum ast_kind {
    AST_NUM = 0, /* num */
    AST_BOOL,    /* num = 1 or 0 */
    AST_NAME,    /* name */
    AST_CALL,    /* name(args) */
    AST_FIELD,   /* a.name */
    AST_LAG,     /* a[lag] (lag as written, <= 0 is the past) */
    AST_UNARY,   /* op a: '-', '+', '!' */
    AST_BINARY   /* a op b */
} ast_kind;

/* Binary/unary operators. */
enum { OP_ADD = 1, OP_SUB, OP_MUL, OP_DIV, OP_POW, OP_LT, OP_LE, OP_GT, OP_GE, OP_EQ, OP_NE,
       OP_AND, OP_OR, OP_NOT, OP_NEG, OP_PLUS };

typedef struct ast ast;
struct ast {
    ast_kind kind;
    int op;            /* OP_* for unary/binary */
    int col, end;      /* 1-based column of the first character, and one past the last */
    double num;        /* AST_NUM, AST_BOOL; AST_LAG: the offset */
    const char *name;  /* AST_NAME, AST_CALL, AST_FIELD (NUL-terminated, in the arena) */
    ast *a, *b;        /* operands; AST_FIELD/AST_LAG: a */
    ast **args;        /* AST_CALL: n_args arguments */
    const char **arg_names; /* AST_CALL: name of each argument, NULL if positional */
    int n_args;
    int is_time;       /* AST_NUM written as a clock time (09:35) */
};

/* Parses expression text (len bytes) into an AST in the arena. On a syntax
 * problem adds an error (pointer, column inside the expression) and
 * returns NULL; also NULL (with an error) when out of memory or over the
 * limits. */
ast *slab__expr_parse(spec_arena *a, const char *text, size_t len, const char *pointer,
                      slab_diags *d);

/* ---- the parsed spec (parse.c) ---- */
/* An expression as it appears in the spec. */
typedef struct spec_site {
    char pointer[PTR_MAX]; /* "/indicators/2/formula" */
    const char *text;   /* NUL-terminated, borrowed from the JSON tree */
    size_t len;
    ast *tree;          /* NULL until parsed, or when it did not parse */
} spec_site;

/* A name the expressions can use: an indicator or a pipeline output. */
typedef struct spec_def {
    const char *name;
    char name_pointer[PTR_MAX]; /* "/indicators/0/name" */
    char base[PTR_MAX];    /* "/indicators/0" */
    spec_site site;        /* the formula or expression */
    json_t *parameters;    /* indicators: the parameters object, or NULL */
    int is_indicator;
    int state;             /* compile: 0 not yet, 1 in progress, 2 done, 3 failed */
    int node;              /* compile: the node id of its value */
    int used;              /* referenced by something the rules reach */
} spec_def;

typedef struct spec_rule_src {
    spec_site trigger;
    char base[PTR_MAX];    /* "/execution_plan/0" */
    int action;            /* slab_spec_action, or -1 when unknown */
    slab_spec_sizing sizing;
} spec_rule_src;

typedef struct spec_risk_item {
    char key[32];          /* risk.h key: stop_loss, trail, ... */
    char value[64];        /* its text form */
    char pointer[PTR_MAX];
} spec_risk_item;

#define SPEC_MAX_SYMBOLS SLAB_SPEC_MAX_ITEMS

struct slab_spec {
    spec_arena arena;
    json_t *root;
    char sha256[65];
    const char *name;
    int talib;                      /* conventions: 0 backtrader, 1 talib */
    slab_spec_settings settings;
    const char **symbols;
    int has_expected;
    slab_spec_expected expected;
    spec_def *defs;
    size_t n_defs;
    int *def_hash;                  /* open addressing over defs by name, -1 empty */
    size_t def_hash_cap;            /* a power of two, > 2 x the definitions possible */
    int full;                       /* the node cap was reached (reported once) */
    spec_rule_src *rules;
    size_t n_rules;
    spec_risk_item *risk;
    size_t n_risk;
    /* compiled */
    slab_spec_node *nodes;
    size_t n_nodes, cap_nodes;
    int *hash;                      /* open addressing over nodes, -1 empty */
    size_t hash_cap;
    slab_spec_rule *prog_rules;
    slab_spec_program program;
    int64_t compile_ns;             /* time slab_spec_compile took */
};

/* The definition named name, or NULL (a hash lookup). */
spec_def *slab__find_def(const slab_spec *s, const char *name);

/* Reads the JSON tree into s (schema checks: types, required and unknown
 * fields, values), adding problems to d. */
void slab__spec_parse(slab_spec *s, slab_diags *d);

/* ---- compiling (compile.c) ---- */
/* Compiles every definition and rule of s into s->nodes and s->program. */
void slab__spec_compile(slab_spec *s, slab_diags *d);
/* Adds (or finds) a node equal to n; returns its id, or -1 (too many
 * nodes or out of memory, with an error in d). */
int slab__node_add(slab_spec *s, const slab_spec_node *n, slab_diags *d, const char *pointer);

/* Compiles one expression on its own (no definitions); returns its node
 * id or -1. */
int slab__compile_single(slab_spec *s, spec_site *site, slab_diags *d);

/* Semantic checks after compiling (checks.c): triggers that can never
 * fire, exits without entries, warm-up longer than the data period,
 * unused definitions. */
void slab__spec_checks(slab_spec *s, slab_diags *d);

/* ---- evaluation (eval.c) ---- */
/* The arrays of one evaluation: values[id] points at n doubles (NULL for
 * dynamic nodes); IND nodes' outputs are in outs[id][k]. */
typedef struct spec_values {
    size_t n;
    double **values;
    double **outs;      /* IND nodes: n_outputs arrays each, consecutive */
    double *storage;    /* one block for every array */
} spec_values;
/* Evaluates every static node of prog over n bars (columns cols[SLAB_OPEN
 * .. SLAB_OI], times ts). Returns SLAB_OK, SLAB_ENOMEM or an indicator's
 * error, in err. */
slab_status slab__spec_eval(const slab_spec_program *prog, const double *const *cols,
                            const int64_t *ts, size_t n, spec_values *out, slab_error *err);
/* The same for k members of a universe over one clock: member s's columns
 * are cols[s], its values go to out[s]; cross-sectional nodes (XSECT)
 * combine the members at each bar. */
slab_status slab__spec_eval_multi(const slab_spec_program *prog, const double *const *const *cols,
                                  const int64_t *ts, size_t n, size_t k, spec_values *out,
                                  slab_error *err);
void slab__spec_values_free(spec_values *v);
/* Value of a node from its operands' values at one bar (dynamic nodes;
 * the scalar form of the array kernels). vals[k] holds node k's value at
 * this bar for every k < id. */
double slab__spec_eval_scalar(const slab_spec_node *node, const double *vals);

#endif
