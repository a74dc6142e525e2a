/* store.h: the SQLite store for imported bars (one file, embedded). A
 * symbol can be stored in several timeframes ("1d", "5m"); each
 * symbol+timeframe keeps the record of its last import (source path,
 * SHA-256, bar count, range). Sits on data; the CLI, engine runs and the
 * server read bars from here.
 * Invariant: an import replaces a symbol+timeframe's bars in one
 * transaction, so the store holds either the old bars or the new ones,
 * never a mix, and never duplicates. */
#ifndef STRATLAB_STORE_H
#define STRATLAB_STORE_H

#include "stratlab/data.h"

/* The schema this build creates and reads (PRAGMA user_version). */
#define SLAB_STORE_SCHEMA_VERSION 3
/* How long a writer waits for another process's lock, in ms. */
#define SLAB_STORE_BUSY_MS 5000

/* An open store; opaque. */
typedef struct slab_store slab_store;

/* Opens (creating when absent) the store at path, with the schema, WAL
 * journaling and a busy timeout. Returns an owned handle in *out; close it
 * with slab_store_close(). SLAB_EDB when path is not a usable database or
 * holds a newer schema. */
slab_status slab_store_open(const char *path, slab_store **out, slab_error *err);
/* Opens an existing store to read it: never creates a file (a mistyped
 * path is SLAB_ENOTFOUND, with a message that says how a store is made),
 * and reads a store this process may not write (a read-only file or
 * folder) without changing it. A writable store is opened as by
 * slab_store_open(), which may upgrade its schema. Close with
 * slab_store_close(). */
slab_status slab_store_open_read(const char *path, slab_store **out, slab_error *err);
/* Opens an existing store read-only (SQLite mode=ro) whatever the file's
 * permissions: a handle that cannot write, for runs inside a server that
 * writes through another handle. The schema must be this build's. Close
 * with slab_store_close(). */
slab_status slab_store_open_readonly(const char *path, slab_store **out, slab_error *err);
/* Closes s; NULL is a no-op. */
void slab_store_close(slab_store *s);

/* Where imported bars came from, recorded with them. */
typedef struct slab_import_info {
    const char *source;    /* file path or "sample:..."; NULL takes bars->source */
    const char *sha256;    /* SHA-256 of the file; NULL takes bars->sha256 */
    const char *loaded_as; /* how the file was read ("yahoo adjusted",
                              "btcsv"); NULL = "" */
} slab_import_info;

/* Replaces symbol+timeframe's bars with bars, in one transaction: the old
 * bars are deleted, the new ones inserted and the import recorded, or, on
 * any failure, nothing changes. symbol NULL takes bars->symbol; timeframe
 * NULL takes bars->timeframe/compression (a given one is normalized: "60m"
 * is stored as "1h"); info may be NULL. The bars must pass
 * slab_bars_check(). *n_replaced (may be NULL) gets the number of bars the
 * import replaced. */
slab_status slab_store_import(slab_store *s, const slab_bars *bars, const char *symbol,
                              const char *timeframe, const slab_import_info *info,
                              size_t *n_replaced, slab_error *err);

/* Loads symbol's bars with from_ns <= ts_ns <= to_ns (INT64_MIN/INT64_MAX
 * for an open end) into a new owned series (free with slab_bars_free()),
 * with symbol, timeframe/compression, source and sha256 filled from the
 * import record. timeframe NULL means the only one stored for symbol (an
 * error lists them when there are several). SLAB_ENOTFOUND for an unknown
 * symbol or timeframe (the message lists what is stored); SLAB_ERANGE
 * when no bar falls in the range. */
slab_status slab_store_load(slab_store *s, const char *symbol, const char *timeframe,
                            int64_t from_ns, int64_t to_ns, slab_bars **out, slab_error *err);
/* As slab_store_load, but when timeframe is not stored for symbol and the
 * bars stored are intraday and finer (their period divides the asked one,
 * or the asked one is 1d), loads those and resamples them inside each
 * session (slab_bars_resample with stamp_end: 1 when the bars are stamped
 * at their end): what `stratlab run --timeframe` and the service run on.
 * *resampled (may be NULL) is set to 1 then. The error when neither is
 * slab_store_load's (SLAB_ENOTFOUND listing what is stored). */
slab_status slab_store_load_resampled(slab_store *s, const char *symbol, const char *timeframe,
                                      int64_t from_ns, int64_t to_ns, int stamp_end,
                                      slab_bars **out, int *resampled, slab_error *err);

/* One stored symbol+timeframe, as recorded by its last import. */
typedef struct slab_store_entry {
    char symbol[32];     /* "ORCL" */
    char timeframe[16];  /* "1d", "5m" */
    size_t n_bars;       /* bars stored */
    int64_t first_ts_ns; /* first bar's time */
    int64_t last_ts_ns;  /* last bar's time */
    char sha256[65];     /* SHA-256 of the imported file, or "" */
    char source[512];    /* the imported file's path, or "sample:..." */
    char loaded_as[64];  /* how it was read ("yahoo adjusted"), or "" */
    int64_t imported_at; /* when, in seconds since 1970 (UTC) */
} slab_store_entry;

/* Lists what is stored, ordered by symbol then timeframe. Returns an owned
 * array of *n entries in *out (NULL when empty); free it with slab_free(). */
slab_status slab_store_list(slab_store *s, slab_store_entry **out, size_t *n, slab_error *err);

/* ---- earnings calendar (a table made by the first import) ------------- */

/* Replaces the calendar rows of every symbol in rows[0..n) with rows, in
 * one transaction. *n_replaced (may be NULL) gets the rows removed. */
slab_status slab_store_import_earnings(slab_store *s, const slab_earnings *rows, size_t n,
                                       size_t *n_replaced, slab_error *err);
/* symbol's releases, by day, as an owned array of *n (NULL when none or
 * no calendar was ever imported); free with slab_free(). */
slab_status slab_store_load_earnings(slab_store *s, const char *symbol, slab_earnings **out,
                                     size_t *n, slab_error *err);

/* ---- script execution log (seed 000's ScriptExecutionLog) ---------------- */

/* One logged execution of a strategy script. When logging, the text
 * pointers are borrowed (NULL reads as ""); when listed, they are owned
 * by the array (see slab_execution_records_free()). */
typedef struct slab_execution_record {
    char id[40];            /* "exec_..." */
    int64_t created_at_ms;  /* ms since 1970 (UTC) */
    char template_name[32]; /* the template the script came from, or "" */
    char *parameters;       /* JSON text: template variables, --param values, data */
    int success;            /* 1 when status is "ok" */
    char status[32];        /* "ok", "compile_error", ... */
    double execution_ms;    /* the whole execution (executionTime) */
    double compile_ms, run_ms, cpu_ms;
    int64_t max_rss_kb;
    int cached;             /* 1: the compiled file came from the cache */
    char *stdout_text;      /* the first bytes the script printed */
    char *stderr_text;
    char *error;            /* the detail when it failed, else "" */
    char script[256];       /* the script's file name */
    char source_sha256[65];
    char strategy[64];      /* the script's strategy name, or "" */
} slab_execution_record;

struct slab_script_exec;
/* Fills r from a finished sandbox execution (script.h), the same for every
 * way in: id, status, times, limits' figures, output, error ("" when it
 * succeeded), source hash and strategy; script is the file name to show
 * (a path's last part is kept). template_name and parameters are the
 * caller's (left empty). r borrows ex's texts: log it before freeing ex. */
void slab_execution_record_from_exec(slab_execution_record *r, const struct slab_script_exec *ex,
                                     const char *script, int64_t created_at_ms);
/* Adds r to the log. */
slab_status slab_store_log_execution(slab_store *s, const slab_execution_record *r,
                                     slab_error *err);
/* Lists logged executions, newest first: all (id NULL) or the one with
 * that id, at most limit (0 = no limit). Returns an owned array of *n
 * records in *out (NULL when empty); free with
 * slab_execution_records_free(). */
slab_status slab_store_list_executions(slab_store *s, const char *id, size_t limit,
                                       slab_execution_record **out, size_t *n, slab_error *err);
void slab_execution_records_free(slab_execution_record *r, size_t n);
/* Rewrites the logged execution r->id with r's fields (a job logged as
 * "running" when it started, finished now). SLAB_ENOTFOUND when no row has
 * that id. */
slab_status slab_store_update_execution(slab_store *s, const slab_execution_record *r,
                                        slab_error *err);
/* Marks every execution still "running" as "interrupted" (a server that
 * stopped without finishing them: killed, crashed, cut at the shutdown
 * grace); *n (may be NULL) gets how many. Called when a server starts. */
slab_status slab_store_interrupt_executions(slab_store *s, size_t *n, slab_error *err);

/* ---- the service's records (schema 3): backtests, saved strategies, keys -- */

/* A number that changes whenever another connection (another process, or
 * another handle in this one) commits to the store: SQLite's PRAGMA
 * data_version. A cache of bars read through s stays valid while it does
 * not change (s's own writes do not change it). */
slab_status slab_store_data_version(slab_store *s, int64_t *v, slab_error *err);

/* One stored backtest: the result document exactly as the service served
 * it. When saving, document is borrowed; when read, owned by the record
 * (free with slab_backtest_records_free()). Listing leaves document NULL. */
typedef struct slab_backtest_record {
    char id[40];           /* "bt_" + 16 hex digits */
    int64_t created_at_ms; /* ms since 1970 (UTC) */
    char strategy[64];     /* the strategy's name ("sma_cross") */
    char source[16];       /* "builtin", "spec", "script" */
    char saved_id[40];     /* the saved strategy it ran, or "" */
    int saved_version;     /* that strategy's version, 0 when none */
    char *document;        /* the document's text, byte for byte */
} slab_backtest_record;

/* Adds r (its id must be new). */
slab_status slab_store_save_backtest(slab_store *s, const slab_backtest_record *r,
                                     slab_error *err);
/* Reads the backtest with this id into *out (its document owned: free it
 * with slab_free(out->document)).
 * SLAB_ENOTFOUND (code not_found) when there is none. */
slab_status slab_store_get_backtest(slab_store *s, const char *id, slab_backtest_record *out,
                                    slab_error *err);
/* Lists backtests newest first, all or those of strategy (NULL = all), at
 * most limit (0 = no limit), without their documents. Returns an owned
 * array of *n records in *out (NULL when empty); free with
 * slab_backtest_records_free(). */
slab_status slab_store_list_backtests(slab_store *s, const char *strategy, size_t limit,
                                      slab_backtest_record **out, size_t *n, slab_error *err);
/* Frees a listed array (NULL is a no-op). */
void slab_backtest_records_free(slab_backtest_record *r, size_t n);

/* One version of a saved strategy (seed 000's migration path: a script or
 * template that proved useful becomes a saved strategy). Versions of one id
 * count 1, 2, ...; a run records the version it used. */
typedef struct slab_saved_strategy {
    char id[40];           /* "st_" + 16 hex digits */
    int version;           /* 1, 2, ... */
    char name[64];         /* what the caller named it */
    char kind[16];         /* "builtin", "spec" or "script" */
    char *body;            /* its JSON text (what the caller saved); borrowed when saving,
                              owned when read */
    int64_t created_at_ms; /* when this version was saved */
} slab_saved_strategy;

/* Saves a new version of r->id (the first when the id is not stored yet,
 * unless must_exist, then SLAB_ENOTFOUND): r->version gets the number the
 * store gave it. A deleted id cannot be saved again (SLAB_ENOTFOUND). */
slab_status slab_store_put_strategy(slab_store *s, slab_saved_strategy *r, int must_exist,
                                    slab_error *err);
/* Reads version (0 = the latest) of id into *out (body owned: slab_free()).
 * SLAB_ENOTFOUND when there is no such strategy or version, or it was
 * deleted. */
slab_status slab_store_get_strategy(slab_store *s, const char *id, int version,
                                    slab_saved_strategy *out, slab_error *err);
/* Lists the latest version of every strategy not deleted, newest first.
 * Owned array (bodies included); free with slab_saved_strategies_free(). */
slab_status slab_store_list_strategies(slab_store *s, slab_saved_strategy **out, size_t *n,
                                       slab_error *err);
/* Marks id deleted (its versions stay, for the runs that name them).
 * SLAB_ENOTFOUND when there is no such strategy. */
slab_status slab_store_delete_strategy(slab_store *s, const char *id, slab_error *err);
void slab_saved_strategies_free(slab_saved_strategy *r, size_t n);

/* An API key: only its SHA-256 is stored. */
typedef struct slab_api_key {
    char id[40];           /* "key_" + 8 hex digits: names it in logs, not secret */
    char name[64];         /* the caller it is for ("agent1"), unique */
    char sha256[65];       /* SHA-256 of the whole token, hex */
    int64_t created_at_ms;
} slab_api_key;

/* Adds k; SLAB_EINVAL (code bad_value) when its name is taken. */
slab_status slab_store_add_key(slab_store *s, const slab_api_key *k, slab_error *err);
/* Lists every key (owned array; slab_free()). */
slab_status slab_store_list_keys(slab_store *s, slab_api_key **out, size_t *n, slab_error *err);
/* Deletes the key named name; SLAB_ENOTFOUND when none. */
slab_status slab_store_revoke_key(slab_store *s, const char *name, slab_error *err);

#endif
