/* options.h: the run-option table. One row per setting of a run (name,
 * flag, type, default, range, unit, help, the field it sets); from it come
 * the flags of `stratlab run` and their --help, the checking of a JSON
 * request's run settings (HTTP, MCP, a spec's "run" object, --config FILE)
 * with JSON-pointer locations, and the JSON Schema of those settings. The
 * reference-run defaults (cash 100000, commission 0.001, sizer percent:95)
 * live in the table's rows, nowhere else.
 *
 * Sits above engine (it fills slab_broker_config, slab_risk_config and
 * slab_csv_options) and below strategies, so the spec compiler, the CLI
 * and the server can all use it.
 *
 * Lifecycle: slab_run_options_init() (defaults), then any mix of
 * slab_run_options_parse_args() / slab_run_options_apply_json() /
 * slab_run_options_set(), then slab_run_options_check() (the rules between
 * options, and the derived settings). Text values are BORROWED from argv
 * or from the json_t given (keep it alive while the options are used),
 * except values that had to be turned into text (a JSON number for a
 * text-form option, a JSON object's "name=value" pairs), which the struct
 * keeps in its own fixed buffer. The struct holds no heap memory: there is
 * nothing to free.
 *
 * Adding an option (other modules do this): 1. a field in slab_run_options
 * (in the group it belongs to, with its unit in the comment); 2. a row in
 * the table in src/options/options.c (copy a row of the same type; a FORM
 * row names a set function there, next to the others); 3. if it must agree
 * with other options, a rule in check_rules() there. The flag, --help, the
 * JSON key and the schema follow from the row. A repeatable option has a
 * `const char *x[N]` array, a `size_t n_x` count and max_count (how many a
 * run accepts now; 1 means a second one is a clear error). */
#ifndef STRATLAB_OPTIONS_H
#define STRATLAB_OPTIONS_H

#include <jansson.h>

#include "stratlab/broker.h"
#include "stratlab/core.h"
#include "stratlab/data.h"
#include "stratlab/risk.h"

#define SLAB_RUN_DATA_MAX 64      /* --data / --symbol entries a struct can hold */
#define SLAB_RUN_PARAMS_MAX 32    /* --param entries */
#define SLAB_RUN_FEEDS_MAX 16     /* feeds one run reads (engine.h SLAB_FEEDS_MAX) */
#define SLAB_RUN_TEXT_MAX 4096    /* bytes of text the struct keeps itself */
#define SLAB_RUN_OPTIONS_ROWS 128 /* most rows the table may grow to */

/* Everything a run is asked to do, as the table's rows set it. */
typedef struct slab_run_options {
    /* what runs */
    const char *strategy;                    /* built-in name, NULL until given */
    const char *spec;                        /* a strategy spec file (CLI only); its data,
                                                cash and commission apply unless given */
    const char *params[SLAB_RUN_PARAMS_MAX]; /* "name=value" strategy parameters */
    size_t n_params;
    /* data */
    const char *data[SLAB_RUN_DATA_MAX];     /* CSV files */
    size_t n_data;
    const char *symbols[SLAB_RUN_DATA_MAX];  /* stored symbols */
    size_t n_symbols;
    const char *db;                          /* store path (CLI only), NULL = default */
    const char *timeframe;                   /* "5m" as given, NULL = inferred */
    slab_timeframe tf;                       /* parsed timeframe (0 when not given) */
    int tf_compression;                      /* parsed compression */
    slab_csv_options csv;                    /* format, yahoo_adjust, column names */
    int stamp_end;                           /* 1: intraday bars stamped at their end */
    const char *date;                        /* --date: one session, as given */
    const char *from, *to;                   /* the range as given, NULL = open */
    int64_t from_ns, to_ns;                  /* the range, ns, INT64_MIN/INT64_MAX when open;
                                                to_ns is the end of the day/month/year given */
    /* costs, fills and sizing */
    slab_broker_config broker;               /* cash (cash units), commission, sizer, ...;
                                                the slip_* switches not given are derived
                                                by check() (backtrader's defaults) */
    /* risk */
    slab_risk_config risk;                   /* protective exits, time exits, sizes */
    /* C strategy scripts (run --script; the limits' defaults and ranges are
       the script module's: slab_script_limits_default/_check) */
    const char *script;                      /* FILE.c (CLI only) */
    double script_timeout_s;                 /* wall-clock limit of the run, s */
    double script_cpu_s;                     /* CPU-time limit, s */
    double script_memory_mb;                 /* memory beyond the runner's own, MiB */
    double script_output_bytes;              /* most bytes of output sent back */
    double script_compile_timeout_s;         /* wall-clock limit of the compiler, s */
    const char *compare;                     /* NAME=V1,V2: one run per value (CLI only) */
    /* output */
    int json;                                /* print the result document (CLI only) */
    int orders;                              /* include the order log */
    long max_trades;                         /* trades listed, -1 = all */
    const char *out;                         /* write the document here (CLI only) */
    const char *equity;                      /* write the value curve here (CLI only) */
    int series;                              /* include the per-bar series */
    const char *report;                      /* write the report here (CLI only) */
    int lang;                                /* slab_lang of the report and diagnosis:
                                                0 en, 1 zh (CLI only) */
    const char *config;                      /* JSON file of options (CLI only) */
    int schema;                              /* print the options' JSON Schema (CLI only) */
    /* bookkeeping (read with slab_run_options_given()) */
    unsigned char given[SLAB_RUN_OPTIONS_ROWS]; /* per row: 0 default, 1 flag, 2 JSON */
    char json_prefix[128];                   /* pointer prefix of the last JSON applied */
    char text[SLAB_RUN_TEXT_MAX];            /* text this struct keeps itself */
    size_t text_used;
} slab_run_options;

/* What a row's value is. */
typedef enum slab_opt_type {
    SLAB_OPT_FLAG = 0, /* no value: sets an int to 1 (its negation, if any, to 0); JSON bool */
    SLAB_OPT_NUMBER,   /* a finite double in [min, max]; JSON number */
    SLAB_OPT_INT,      /* a whole number in [min, max], stored in a long; JSON integer */
    SLAB_OPT_TEXT,     /* any text (a path, a name); JSON string */
    SLAB_OPT_CHOICE,   /* one word of choices, stored as its index (an enum); JSON string */
    SLAB_OPT_FORM,     /* text of a form the row's set function checks (2%, percent:95,
                          a date); JSON string, or a number where json_number is 1 */
    SLAB_OPT_PAIR      /* NAME=VALUE; JSON object {NAME: VALUE} (or ["NAME=VALUE"]) */
} slab_opt_type;

/* Row flags. */
#define SLAB_OPT_CLI_ONLY 1u /* command line only: refused in a JSON request */
#define SLAB_OPT_JSON_NUMBER 2u /* FORM: a JSON number is accepted too (as its text) */

typedef struct slab_opt_def slab_opt_def;

/* A FORM row's (or any row's special) setter: parses text and stores it
 * into o. Returns SLAB_OK, or a status with err saying what forms are
 * accepted (the caller sets the location). */
typedef slab_status (*slab_opt_set_fn)(slab_run_options *o, const slab_opt_def *d,
                                       const char *text, slab_error *err);

/* One run option. */
struct slab_opt_def {
    const char *name;     /* JSON key and canonical name: "commission_min" */
    const char *flag;     /* command-line flag: "--commission-min" */
    const char *negation; /* FLAG rows that can be turned off: "--no-slip-open", else NULL */
    slab_opt_type type;
    const char *metavar;  /* the value in --help: "X", "FILE" (NULL for FLAG) */
    const char *def;      /* default as text ("100000"), applied by init; NULL = none */
    double min, max;      /* NUMBER/INT bounds */
    int min_excl, max_excl; /* 1: the bound itself is not allowed */
    const char *choices;  /* CHOICE: "auto|yahoo|btcsv|generic" (index = stored value) */
    const char *unit;     /* "cash", "fraction (0.001 = 0.1%)", "bars" ... or NULL */
    const char *group;    /* --help section: "Data", "Costs and fills", ... */
    const char *help;     /* what it does, one or more sentences */
    const char *field;    /* the field it sets, as text: "broker.commission" */
    size_t offset;        /* offsetof(slab_run_options, that field) */
    size_t count_offset;  /* repeatable rows: offsetof the count; 0 otherwise */
    int max_count;        /* how many values a run takes now (1 = not repeatable) */
    const char *repeat_fix; /* repeatable rows: the fix when more than max_count come */
    int capacity;         /* how many the field can hold (>= max_count) */
    unsigned flags;       /* SLAB_OPT_CLI_ONLY, SLAB_OPT_JSON_NUMBER */
    slab_opt_set_fn set;  /* FORM rows (and special ones); NULL = generic store */
};

/* The table, in --help order; *n gets the row count. */
const slab_opt_def *slab_run_options_table(size_t *n);
/* The row with this JSON name ("commission_min") or flag ("--commission-min",
 * "--no-slip-open"); NULL when none. */
const slab_opt_def *slab_run_options_find(const char *name_or_flag);

/* Fills o with every row's default (nothing marked as given). */
void slab_run_options_init(slab_run_options *o);

/* Sets one option from its text, as the command line gives it: d is the
 * row, negated = 1 for its --no- flag, text NULL for a FLAG. Checks the
 * type, range and count; err's location is the flag. */
slab_status slab_run_options_set(slab_run_options *o, const slab_opt_def *d, int negated,
                                 const char *text, slab_error *err);

/* Parses argv[1..argc-1] ("--flag value", "--flag=value", flags alone).
 * Words that are not options are refused. Stops at the first problem:
 * unknown_option (with "did you mean"), missing_value, bad_value,
 * repeated_option, each located at the flag. */
slab_status slab_run_options_parse_args(slab_run_options *o, int argc, char **argv,
                                        slab_error *err);

/* Applies a JSON object of options ({"cash": 50000, "sizer": "fixed:10",
 * "params": {"fast": 5}, "stop_loss": "2%"}) to o. Keys are the rows'
 * names; command-line-only rows are refused. prefix is the JSON pointer of
 * obj inside its document ("" for a whole request, "/run" for a spec's run
 * settings); errors are located at prefix + "/key" (+ "/index" inside
 * arrays, "/name" inside params). Every problem is collected: the first
 * gives err's code and location, and the message lists them all. */
slab_status slab_run_options_apply_json(slab_run_options *o, const json_t *obj,
                                        const char *prefix, slab_error *err);

/* Checks the rules between options (a strategy is named, exactly one of
 * data/symbol, --from before --to, commission < 1 for the percent scheme,
 * the slippage switches need a slippage, ...) and derives the settings
 * that depend on several (the slip_* defaults). Locations name the flag
 * or the JSON pointer, whichever way the option came. */
slab_status slab_run_options_check(slab_run_options *o, slab_error *err);

/* How row d's value came: 0 default, 1 a flag, 2 JSON. */
int slab_run_options_given(const slab_run_options *o, const slab_opt_def *d);

/* The JSON Schema (draft 2020-12) of a JSON request's run options: every
 * row that is not command-line only, with its type, default, bounds,
 * choices, unit and help. Returns a new object (owned; json_decref()). */
json_t *slab_run_options_schema(void);

#endif
