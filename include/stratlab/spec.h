/* spec.h: strategy specs, seed 001's spec.json (docs/spec.md): parse and
 * check a spec, collecting every problem at once (each with a severity, a
 * JSON pointer, a message and a fix), compile its expressions into an
 * indicator DAG plus a rule program (spec_program.h), and run it through
 * the engine like any other strategy.
 * Sits in the strategies layer: it uses the indicator table, the risk
 * settings and the engine; the report layer (diagnose.h) reads its run
 * statistics. Hostile input is bounded: text, nesting, arrays, strings,
 * expressions and nodes all have caps (below), checked before they cost
 * memory. Nothing here prints or exits. */
#ifndef STRATLAB_SPEC_H
#define STRATLAB_SPEC_H

#include <jansson.h>

#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/engine.h"
#include "stratlab/spec_program.h"

/* ---- limits ------------------------------------------------------------ */
#define SLAB_SPEC_MAX_BYTES (1 << 20) /* spec text; real specs are a few KB */
#define SLAB_SPEC_MAX_DEPTH 16        /* JSON nesting */
#define SLAB_SPEC_MAX_ITEMS 4096      /* elements of one array, members of one object */
#define SLAB_SPEC_MAX_STRING 65536    /* bytes of one string */
#define SLAB_SPEC_MAX_EXPR 4096       /* bytes of one expression */
#define SLAB_SPEC_MAX_EXPR_DEPTH 48   /* nesting inside one expression */
#define SLAB_SPEC_MAX_NODES 4096      /* DAG nodes after sharing */
#define SLAB_SPEC_MAX_DIAGS 100       /* problems kept (the count goes on) */

/* ---- diagnostics (seed 001's ValidationResult items) -------------------- */
typedef enum slab_diag_severity { SLAB_DIAG_ERROR = 0, SLAB_DIAG_WARNING = 1 } slab_diag_severity;

typedef struct slab_diag {
    slab_diag_severity severity;
    char code[32];     /* stable id: "json_syntax", "unknown_field", "unknown_name" ... */
    char pointer[256]; /* JSON pointer of the value: "/indicators/2/formula"; "" = document */
    int line, column;  /* 1-based position in the spec text of that value (or of the
                          syntax error); 0 when unknown */
    int expr_column;   /* 1-based column inside the expression string, 0 if none */
    char message[512]; /* what is wrong */
    char fix[384];     /* what to do about it */
} slab_diag;

/* A list of problems in the order found. Caller's storage: init, use,
 * clear. At most SLAB_SPEC_MAX_DIAGS are kept; `dropped` counts the rest. */
typedef struct slab_diags {
    slab_diag *items;
    size_t n, cap;
    size_t n_errors, n_warnings; /* every problem found, kept or dropped */
    size_t dropped;
} slab_diags;

void slab_diags_init(slab_diags *d);
void slab_diags_clear(slab_diags *d);
/* Formats one item as "FILE:LINE:COL: error: POINTER: MESSAGE\n  fix: FIX"
 * (parts that are unknown are left out; file may be NULL). Returns buf. */
const char *slab_diag_format(const slab_diag *g, const char *file, char *buf, size_t n);
/* The ValidationResult document: {"valid", "error_count", "warning_count",
 * "items": [...], "errors": [...], "warnings": [...]} where each item is
 * {"severity", "code", "pointer", "message", "fix"} plus "line", "column",
 * "expr_column" when known. Returns a new object (owned; json_decref()). */
json_t *slab_diags_json(const slab_diags *d);
/* Reads a ValidationResult written by slab_diags_json back into d (which
 * must be initialised); writing it again gives an equal document. */
slab_status slab_diags_from_json(json_t *doc, slab_diags *d, slab_error *err);

/* ---- specs -------------------------------------------------------------- */
typedef struct slab_spec slab_spec;

/* Parses, checks and compiles spec text (len bytes, need not end in NUL;
 * never modified or kept). Every problem found goes to diags (initialised
 * by the caller). Returns SLAB_OK with *out (owned; slab_spec_free()) when
 * there is no error (warnings allowed); SLAB_EINVAL with *out = NULL when
 * there is; SLAB_ENOMEM. This is the one entry point for untrusted bytes. */
slab_status slab_spec_compile(const char *text, size_t len, slab_spec **out, slab_diags *diags);
/* The same from a file; SLAB_EIO in err when it cannot be read (diags then
 * untouched). A file above SLAB_SPEC_MAX_BYTES is refused before reading. */
slab_status slab_spec_load(const char *path, slab_spec **out, slab_diags *diags, slab_error *err);
/* Frees a spec; NULL is a no-op. */
void slab_spec_free(slab_spec *s);

/* Checks one expression on its own, against the names every spec knows
 * (bar columns, functions, indicators), with backtrader conventions;
 * problems go to diags with pointer "". Returns SLAB_OK, SLAB_EINVAL or
 * SLAB_ENOMEM. For fuzzing the expression compiler. */
slab_status slab_spec_check_expr(const char *expr, size_t len, slab_diags *diags);

/* What the spec says (borrowed from s). */
const char *slab_spec_name(const slab_spec *s);
const char *slab_spec_sha256(const slab_spec *s);  /* of the spec text, 64 hex */
const slab_spec_program *slab_spec_program_get(const slab_spec *s);
/* How long slab_spec_compile took, milliseconds. */
double slab_spec_compile_ms(const slab_spec *s);
/* The spec as parsed (borrowed). */
json_t *slab_spec_json(const slab_spec *s);

/* Run settings a spec may carry (`data`, `cash`, `commission`). */
typedef struct slab_spec_settings {
    int has_cash, has_commission;
    double cash;                /* starting cash */
    double commission;          /* fraction of traded value per leg */
    const char *const *symbols; /* data.symbols (n_symbols), first = traded */
    size_t n_symbols;
    const char *timeframe;      /* data.timeframe ("1d") or NULL */
    int has_start, has_end;
    int64_t start_ns, end_ns;   /* data.start (00:00) and data.end (end of day) */
    const char *conventions;    /* "backtrader" or "talib" */
    int pair_selection;         /* data.pair_selection: 1 = min_distance (the universe's
                                   pair whose normalised closes are closest over the
                                   formation period runs; docs/spec.md, Universes) */
    int64_t formation_end_ns;   /* its formation_end (end of that day) */
} slab_spec_settings;
const slab_spec_settings *slab_spec_settings_get(const slab_spec *s);

/* expected_performance, fractions (0.15 = 15%); has_* say which were given.
 * Thresholds: from the spec's expected_performance.thresholds, else the
 * defaults (seed 001 Phase 5): Sharpe and returns relative 0.20, max
 * drawdown 0.10 absolute (10 percentage points). */
typedef struct slab_spec_expected {
    int has_sharpe, has_annual_return, has_max_drawdown, has_total_return;
    double sharpe, annual_return, max_drawdown, total_return;
    int has_thresholds[4];      /* sharpe, annual_return, max_drawdown, total_return */
    double thresholds[4];
} slab_spec_expected;
/* Returns NULL when the spec has no expected_performance. */
const slab_spec_expected *slab_spec_expected_get(const slab_spec *s);

/* ---- running --------------------------------------------------------------
 * A spec run: the strategy definition the engine runs, plus what the run
 * saw of each rule (how often each trigger and each condition in it held,
 * how close the ones that never held came), for diagnosis. */
typedef struct slab_spec_run slab_spec_run;

/* Prepares a run of s: *out (owned; slab_spec_run_free()). s must outlive
 * it. Run with slab_engine_run (one symbol) or slab_engine_run_feeds: with
 * several feeds the spec runs over a universe, every feed a member on
 * feed 0's calendar (spec_program.h, Universes). */
slab_status slab_spec_run_new(const slab_spec *s, slab_spec_run **out, slab_error *err);
void slab_spec_run_free(slab_spec_run *r);
/* Points cfg at the spec's strategy (cfg->strategy, cfg->params = NULL,
 * cfg->strategy_arg = r); the caller fills the broker and risk parts. The
 * run's default sizer is taken from cfg->broker at slab_engine_run time. */
void slab_spec_run_setup(slab_spec_run *r, slab_run_config *cfg);
/* After slab_engine_run: the "spec" section of the result document: name,
 * sha256, conventions, warm-up, and per rule {pointer, trigger, action,
 * bars_evaluated, bars_true, orders, blocked, sized_zero, conditions: [...]}
 * where each condition has its text, bars_true and, for comparisons and
 * crosses that never held, the closest approach. New object (owned). */
json_t *slab_spec_run_json(const slab_spec_run *r, const slab_bars *bars);

/* Applies the spec's run settings to cfg where the caller has not set them
 * (given[0]: cash was given, given[1]: commission was given). */
void slab_spec_apply_settings(const slab_spec *s, slab_broker_config *broker, const int given[2]);

/* ---- codegen ----------------------------------------------------------------
 * Writes s as one readable C strategy script (includes only
 * <stratlab/strategy.h>; `stratlab run --script`) that gives the spec run's
 * numbers: a header naming the spec and its SHA-256, one function per
 * expression node and one if per rule, each with a comment quoting the spec
 * text and its JSON pointer. Spec text appears only escaped, in comments and
 * string literals. Returns SLAB_OK with *out (owned; free()), or SLAB_EINVAL
 * with a one-line reason in err for what codegen does not support yet
 * (universes, indicators over computed series, ...). */
slab_status slab_spec_codegen(const slab_spec *s, char **out, slab_error *err);

/* ---- examples ------------------------------------------------------------ */
/* The documented examples of examples/specs/ built into the library:
 * names[i] and the spec text. *n gets the count. */
const char *const *slab_spec_example_names(size_t *n);
/* The text of example `name` (NUL-terminated, static), or NULL. */
const char *slab_spec_example(const char *name);

#endif
