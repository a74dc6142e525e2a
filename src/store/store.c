/* store.c: the SQLite store (see store.h); the only file that calls
 * sqlite3_*. Bars live in one WITHOUT ROWID table keyed by (symbol,
 * timeframe, ts_ns), imports in one row per symbol+timeframe.
 * Invariant: every statement binds its parameters (no user text is ever
 * formatted into SQL), and an import is one IMMEDIATE transaction that
 * either commits whole or is rolled back. */
#include "stratlab/store.h"

#include "stratlab/script.h"

#include <errno.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LIST_MSG_MAX 400 /* room for "what is stored" in a message */

/* An open store. */
struct slab_store {
    sqlite3 *db;    /* the connection */
    char path[512]; /* the file, for error locations */
};

/* Version 1: bars and the import records. */
static const char schema_v1[] =
    "CREATE TABLE IF NOT EXISTS bars("
    " symbol TEXT NOT NULL, timeframe TEXT NOT NULL, ts_ns INTEGER NOT NULL,"
    " open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,"
    " volume REAL NOT NULL, oi REAL NOT NULL DEFAULT 0,"
    " PRIMARY KEY(symbol, timeframe, ts_ns)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS imports("
    " symbol TEXT NOT NULL, timeframe TEXT NOT NULL, source TEXT NOT NULL,"
    " sha256 TEXT NOT NULL, loaded_as TEXT NOT NULL, n_bars INTEGER NOT NULL,"
    " first_ts INTEGER NOT NULL,"
    " last_ts INTEGER NOT NULL, imported_at INTEGER NOT NULL,"
    " PRIMARY KEY(symbol, timeframe));"
    "PRAGMA user_version = 1;";

/* Version 2: the script execution log (seed 000's ScriptExecutionLog). */
static const char schema_v2[] =
    "CREATE TABLE IF NOT EXISTS executions("
    " id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, template TEXT NOT NULL,"
    " parameters TEXT NOT NULL, success INTEGER NOT NULL, status TEXT NOT NULL,"
    " execution_ms REAL NOT NULL, compile_ms REAL NOT NULL, run_ms REAL NOT NULL,"
    " cpu_ms REAL NOT NULL, max_rss_kb INTEGER NOT NULL, cached INTEGER NOT NULL,"
    " stdout TEXT NOT NULL, stderr TEXT NOT NULL, error TEXT NOT NULL, script TEXT NOT NULL,"
    " source_sha256 TEXT NOT NULL, strategy TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS executions_by_time ON executions(created_at_ms);"
    "PRAGMA user_version = 2;";

/* Version 3: the service's records. backtests keeps each result document
 * as the text served (GET returns it byte for byte); strategies keeps
 * every version of a saved strategy (a deleted one keeps its versions for
 * the runs that name them); api_keys keeps only each key's SHA-256. */
static const char schema_v3[] =
    "CREATE TABLE IF NOT EXISTS backtests("
    " id TEXT PRIMARY KEY, created_at_ms INTEGER NOT NULL, strategy TEXT NOT NULL,"
    " source TEXT NOT NULL, saved_id TEXT NOT NULL, saved_version INTEGER NOT NULL,"
    " document TEXT NOT NULL);"
    "CREATE INDEX IF NOT EXISTS backtests_by_strategy ON backtests(strategy, created_at_ms);"
    "CREATE TABLE IF NOT EXISTS strategies("
    " id TEXT NOT NULL, version INTEGER NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL,"
    " body TEXT NOT NULL, created_at_ms INTEGER NOT NULL, deleted_at_ms INTEGER NOT NULL,"
    " PRIMARY KEY(id, version));"
    "CREATE TABLE IF NOT EXISTS api_keys("
    " id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, sha256 TEXT NOT NULL,"
    " created_at_ms INTEGER NOT NULL);"
    "PRAGMA user_version = 3;";

/* migrations[k] takes the schema from version k to k + 1. */
static const char *const migrations[] = {schema_v1, schema_v2, schema_v3};

/* Records an SQLite failure: where = the store's path, msg = what we were
 * doing and SQLite's own words; SLAB_ENOMEM when SQLite ran out of memory
 * (a NULL connection is one SQLite could not allocate), else SLAB_EDB. */
static slab_status db_fail(const slab_store *s, slab_error *err, const char *what)
{
    int nomem = (sqlite3_errcode(s->db) & 0xFF) == SQLITE_NOMEM;
    return slab_error_set(err, nomem ? SLAB_ENOMEM : SLAB_EDB, s->path, "%s: %s", what,
                          sqlite3_errmsg(s->db));
}

/* Prepares sql; on failure records it as doing `what`. */
static slab_status prepare(slab_store *s, const char *sql, sqlite3_stmt **st, const char *what,
                           slab_error *err)
{
    if (sqlite3_prepare_v2(s->db, sql, -1, st, NULL) != SQLITE_OK) {
        *st = NULL;
        return db_fail(s, err, what);
    }
    return SLAB_OK;
}

/* Rolls back the open transaction, if any (after a failure). */
static void rollback(slab_store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Reads PRAGMA user_version into *v. */
static slab_status schema_version(slab_store *s, int *v, slab_error *err)
{
    sqlite3_stmt *st;
    slab_status rc = prepare(s, "PRAGMA user_version", &st, "cannot read the schema version", err);
    if (rc != SLAB_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int(st, 0);
    else
        rc = db_fail(s, err, "cannot read the schema version");
    sqlite3_finalize(st);
    return rc;
}

/* Creates the schema when the file is new; refuses a newer one. */
static slab_status ensure_schema(slab_store *s, slab_error *err)
{
    int v = 0;
    slab_status rc = schema_version(s, &v, err);
    if (rc != SLAB_OK)
        return rc;
    if (v > SLAB_STORE_SCHEMA_VERSION)
        return slab_error_set(err, SLAB_EDB, s->path,
                              "the store has schema version %d, newer than this stratlab reads "
                              "(%d): upgrade stratlab",
                              v, SLAB_STORE_SCHEMA_VERSION);
    if (v == SLAB_STORE_SCHEMA_VERSION)
        return SLAB_OK;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, "cannot create the schema");
    /* Another process may have migrated meanwhile: read the version again
     * inside the write lock. */
    if ((rc = schema_version(s, &v, err)) != SLAB_OK) {
        rollback(s);
        return rc;
    }
    for (; v < SLAB_STORE_SCHEMA_VERSION; v++)
        if (sqlite3_exec(s->db, migrations[v], NULL, NULL, NULL) != SQLITE_OK) {
            rc = db_fail(s, err, "cannot create the schema");
            rollback(s);
            return rc;
        }
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, "cannot create the schema");
        rollback(s);
    }
    return rc;
}

/* ---- SQLite's memory through slab_malloc ------------------------------------
 * So that slab_alloc_fail_after() reaches SQLite too and the store's
 * allocation-failure tests exercise its out-of-memory paths (an import
 * that fails on any allocation leaves the old bars). Each block carries its
 * size in a 16-byte header (SQLite asks for it; 16 keeps the alignment). */
#define MEM_HEAD 16

static void *mem_malloc(int n)
{
    char *p = slab_malloc((size_t)n + MEM_HEAD);
    if (!p)
        return NULL;
    memcpy(p, &n, sizeof n);
    return p + MEM_HEAD;
}

static void mem_free(void *p)
{
    if (p)
        slab_free((char *)p - MEM_HEAD);
}

static void *mem_realloc(void *p, int n)
{
    char *q = slab_realloc((char *)p - MEM_HEAD, (size_t)n + MEM_HEAD);
    if (!q)
        return NULL;
    memcpy(q, &n, sizeof n);
    return q + MEM_HEAD;
}

static int mem_size(void *p)
{
    int n = 0;
    if (p)
        memcpy(&n, (char *)p - MEM_HEAD, sizeof n);
    return n;
}

static int mem_roundup(int n)
{
    return (n + 7) & ~7;
}

static int mem_init(void *unused)
{
    (void)unused;
    return SQLITE_OK;
}

static void mem_shutdown(void *unused)
{
    (void)unused;
}

static void use_slab_memory(void)
{
    static const sqlite3_mem_methods m = {mem_malloc,  mem_free, mem_realloc, mem_size,
                                          mem_roundup, mem_init, mem_shutdown, NULL};
    /* Fails (harmlessly: SQLite keeps its own allocator) when SQLite was
     * already initialized by someone else in this process. */
    sqlite3_config(SQLITE_CONFIG_MALLOC, &m);
}

static void memory_once(void)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, use_slab_memory);
}

slab_status slab_store_open(const char *path, slab_store **out, slab_error *err)
{
    memory_once();
    slab_store *s = slab_calloc(1, sizeof *s);
    slab_status rc = SLAB_OK;

    *out = NULL;
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, path, "out of memory opening the store");
    snprintf(s->path, sizeof s->path, "%s", path);
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = db_fail(s, err, "cannot open the store");
        goto out;
    }
    sqlite3_busy_timeout(s->db, SLAB_STORE_BUSY_MS);
    /* WAL lets readers run beside one writer; NORMAL sync is safe with it. */
    if (sqlite3_exec(s->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL", NULL, NULL,
                     NULL) != SQLITE_OK) {
        rc = db_fail(s, err, "cannot open the store");
        goto out;
    }
    rc = ensure_schema(s, err);
out:
    if (rc != SLAB_OK) {
        slab_store_close(s);
        return rc;
    }
    *out = s;
    return SLAB_OK;
}

/* 1 when path's folder lets this process create files (the -wal and -shm
 * files SQLite's WAL mode keeps beside the store). */
static int dir_writable(const char *path)
{
    char dir[512];
    const char *slash = strrchr(path, '/');
    if (!slash)
        return access(".", W_OK) == 0;
    snprintf(dir, sizeof dir, "%.*s", (int)(slash - path) + (slash == path), path);
    return access(dir, W_OK) == 0;
}

/* Writes path as an SQLite URI (file:...?mode=ro[&immutable=1]), escaping
 * the characters a URI gives a meaning. Returns 0, or -1 when it does not
 * fit. */
static int ro_uri(const char *path, int immutable, char *buf, size_t n)
{
    size_t k = (size_t)snprintf(buf, n, "file:");
    for (const unsigned char *p = (const unsigned char *)path; *p && k + 4 < n; p++) {
        if (*p == '%' || *p == '?' || *p == '#' || *p < 0x21 || *p >= 0x7F)
            k += (size_t)snprintf(buf + k, n - k, "%%%02X", *p);
        else
            buf[k++] = (char)*p;
    }
    int w = snprintf(buf + k, n - k, "?mode=ro%s", immutable ? "&immutable=1" : "");
    return w < 0 || (size_t)w >= n - k ? -1 : 0;
}

/* Opens s->path read-only. In a folder this process cannot write, a store
 * closed cleanly (no -wal file) is opened immutable: WAL mode needs to
 * create its -shm file otherwise. Checks the schema version. */
static slab_status open_read_only(slab_store *s, slab_error *err)
{
    char uri[1600], wal[600];
    struct stat st;
    int v = 0;

    snprintf(wal, sizeof wal, "%s-wal", s->path);
    int immutable = !dir_writable(s->path) && stat(wal, &st) != 0;
    if (ro_uri(s->path, immutable, uri, sizeof uri) != 0)
        return slab_error_set(err, SLAB_EINVAL, s->path, "store path too long");
    if (sqlite3_open_v2(uri, &s->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI, NULL) != SQLITE_OK)
        return db_fail(s, err, "cannot open the store to read");
    sqlite3_busy_timeout(s->db, SLAB_STORE_BUSY_MS);
    slab_status rc = schema_version(s, &v, err);
    if (rc != SLAB_OK)
        return rc;
    if (v != SLAB_STORE_SCHEMA_VERSION)
        return slab_error_set(err, SLAB_EDB, s->path,
                              "the store has schema version %d and this stratlab reads %d; it "
                              "cannot be changed from here (no write access): %s",
                              v, SLAB_STORE_SCHEMA_VERSION,
                              v > SLAB_STORE_SCHEMA_VERSION
                                  ? "upgrade stratlab"
                                  : "run a command that writes it (data import) where it is "
                                    "writable, or copy it to a writable folder");
    return SLAB_OK;
}

slab_status slab_store_open_read(const char *path, slab_store **out, slab_error *err)
{
    struct stat st;

    *out = NULL;
    if (stat(path, &st) != 0) {
        if (errno == ENOENT)
            return slab_error_fail(err, SLAB_EC_NO_STORE, path,
                                  "no store here (nothing has been imported to this path): check "
                                  "--db or $STRATLAB_DB, or create it with: stratlab data import "
                                  "FILE --symbol SYM");
        return slab_error_set(err, SLAB_EIO, path, "cannot open the store: %s", strerror(errno));
    }
    if (!S_ISREG(st.st_mode))
        return slab_error_set(err, SLAB_EIO, path,
                              "not a store: expected an SQLite file made by stratlab");
    if (access(path, W_OK) == 0 && dir_writable(path))
        return slab_store_open(path, out, err); /* may upgrade its schema */
    memory_once();
    slab_store *s = slab_calloc(1, sizeof *s);
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, path, "out of memory opening the store");
    snprintf(s->path, sizeof s->path, "%s", path);
    slab_status rc = open_read_only(s, err);
    if (rc != SLAB_OK) {
        slab_store_close(s);
        return rc;
    }
    *out = s;
    return SLAB_OK;
}

slab_status slab_store_open_readonly(const char *path, slab_store **out, slab_error *err)
{
    *out = NULL;
    memory_once();
    slab_store *s = slab_calloc(1, sizeof *s);
    if (!s)
        return slab_error_set(err, SLAB_ENOMEM, path, "out of memory opening the store");
    snprintf(s->path, sizeof s->path, "%s", path);
    slab_status rc = open_read_only(s, err);
    if (rc != SLAB_OK) {
        slab_store_close(s);
        return rc;
    }
    *out = s;
    return SLAB_OK;
}

void slab_store_close(slab_store *s)
{
    if (!s)
        return;
    sqlite3_close(s->db); /* every statement is finalized by its user */
    slab_free(s);
}

/* ---- names -------------------------------------------------------------- */

/* A symbol is 1-31 printable characters without spaces, commas or quotes. */
static slab_status check_symbol(const char *symbol, slab_error *err)
{
    size_t n = symbol ? strlen(symbol) : 0;
    if (n == 0 || n >= sizeof((slab_bars *)0)->symbol)
        return slab_error_set(err, SLAB_EINVAL, NULL,
                              "bad symbol '%.40s': expected 1 to 31 characters",
                              symbol ? symbol : "");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)symbol[i];
        if (c <= ' ' || c >= 127 || c == ',' || c == '\'' || c == '"')
            return slab_error_set(err, SLAB_EINVAL, NULL,
                                  "bad symbol '%.40s': use letters, digits and punctuation "
                                  "such as . - ^ = (no spaces, commas or quotes)",
                                  symbol);
    }
    return SLAB_OK;
}

/* Normalizes a timeframe string ("60m" -> "1h") into buf. */
static slab_status norm_timeframe(const char *tf, char *buf, size_t n, slab_timeframe *unit,
                                  int *comp, slab_error *err)
{
    slab_timeframe u;
    int c;
    slab_status rc = slab_timeframe_parse(tf, &u, &c, err);
    if (rc != SLAB_OK)
        return rc;
    slab_timeframe_format(u, c, buf, n);
    if (unit)
        *unit = u;
    if (comp)
        *comp = c;
    return SLAB_OK;
}

/* ---- import ---------------------------------------------------------------- */

/* Counts, then deletes, the bars stored for symbol+timeframe. */
static slab_status delete_old(slab_store *s, const char *sym, const char *tf, size_t *n_old,
                              slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc;

    if ((rc = prepare(s, "SELECT count(*) FROM bars WHERE symbol = ?1 AND timeframe = ?2", &st,
                      "cannot count the stored bars", err)) != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, sym, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_ROW) {
        rc = db_fail(s, err, "cannot count the stored bars");
        goto out;
    }
    *n_old = (size_t)sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if ((rc = prepare(s, "DELETE FROM bars WHERE symbol = ?1 AND timeframe = ?2", &st,
                      "cannot delete the old bars", err)) != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, sym, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, "cannot delete the old bars");
out:
    sqlite3_finalize(st);
    return rc;
}

/* Inserts every bar with one prepared statement. */
static slab_status insert_bars(slab_store *s, const slab_bars *b, const char *sym, const char *tf,
                               slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc;

    if ((rc = prepare(s,
                      "INSERT INTO bars(symbol, timeframe, ts_ns, open, high, low, close, volume,"
                      " oi) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                      &st, "cannot insert bars", err)) != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, sym, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
    for (size_t i = 0; i < b->n; i++) {
        sqlite3_bind_int64(st, 3, b->ts_ns[i]);
        sqlite3_bind_double(st, 4, b->open[i]);
        sqlite3_bind_double(st, 5, b->high[i]);
        sqlite3_bind_double(st, 6, b->low[i]);
        sqlite3_bind_double(st, 7, b->close[i]);
        sqlite3_bind_double(st, 8, b->volume[i]);
        sqlite3_bind_double(st, 9, b->oi[i]);
        if (sqlite3_step(st) != SQLITE_DONE) {
            char what[64];
            snprintf(what, sizeof what, "cannot insert bar %zu", i);
            rc = db_fail(s, err, what);
            break;
        }
        sqlite3_reset(st);
    }
    sqlite3_finalize(st);
    return rc;
}

/* Records the import of b as symbol+timeframe. */
static slab_status record_import(slab_store *s, const slab_bars *b, const char *sym, const char *tf,
                                 const slab_import_info *info, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc;

    if ((rc = prepare(s,
                      "INSERT OR REPLACE INTO imports(symbol, timeframe, source, sha256, n_bars,"
                      " first_ts, last_ts, imported_at, loaded_as)"
                      " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                      &st, "cannot record the import", err)) != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, sym, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, info && info->source ? info->source : b->source, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, info && info->sha256 ? info->sha256 : b->sha256, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)b->n);
    sqlite3_bind_int64(st, 6, b->ts_ns[0]);
    sqlite3_bind_int64(st, 7, b->ts_ns[b->n - 1]);
    sqlite3_bind_int64(st, 8, (sqlite3_int64)time(NULL));
    sqlite3_bind_text(st, 9, info && info->loaded_as ? info->loaded_as : "", -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, "cannot record the import");
    sqlite3_finalize(st);
    return rc;
}

slab_status slab_store_import(slab_store *s, const slab_bars *bars, const char *symbol,
                              const char *timeframe, const slab_import_info *info,
                              size_t *n_replaced, slab_error *err)
{
    char tf[16];
    size_t n_old = 0;
    slab_status rc;

    if (!symbol)
        symbol = bars->symbol;
    if ((rc = check_symbol(symbol, err)) != SLAB_OK)
        return rc;
    if (timeframe)
        rc = norm_timeframe(timeframe, tf, sizeof tf, NULL, NULL, err);
    else
        slab_timeframe_format(bars->timeframe, bars->compression, tf, sizeof tf);
    if (rc != SLAB_OK)
        return rc;
    if (bars->n == 0)
        return slab_error_set(err, SLAB_EINVAL, NULL, "nothing to import: the series is empty");
    if ((rc = slab_bars_check(bars, err)) != SLAB_OK)
        return rc;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, "cannot start the import");
    if ((rc = delete_old(s, symbol, tf, &n_old, err)) != SLAB_OK ||
        (rc = insert_bars(s, bars, symbol, tf, err)) != SLAB_OK ||
        (rc = record_import(s, bars, symbol, tf, info, err)) != SLAB_OK)
        goto out;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(s, err, "cannot commit the import");
out:
    if (rc != SLAB_OK)
        rollback(s);
    else if (n_replaced)
        *n_replaced = n_old;
    return rc;
}

/* ---- listing --------------------------------------------------------------- */

/* Copies column i of a row as text into buf ("" for NULL). */
static void col_text(sqlite3_stmt *st, int i, char *buf, size_t n)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    snprintf(buf, n, "%s", t ? (const char *)t : "");
}

/* Appends one entry to a growing array. */
static slab_status push_entry(slab_store_entry **arr, size_t *n, size_t *cap,
                              const slab_store_entry *e, slab_error *err)
{
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 16;
        slab_store_entry *p = slab_realloc(*arr, nc * sizeof *p);
        if (!p)
            return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory listing the store");
        *arr = p;
        *cap = nc;
    }
    (*arr)[(*n)++] = *e;
    return SLAB_OK;
}

slab_status slab_store_list(slab_store *s, slab_store_entry **out, size_t *n, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_store_entry *arr = NULL, e;
    size_t cnt = 0, cap = 0;
    slab_status rc;
    int step;

    *out = NULL;
    *n = 0;
    if ((rc = prepare(s,
                      "SELECT symbol, timeframe, n_bars, first_ts, last_ts, sha256, source,"
                      " imported_at, loaded_as FROM imports ORDER BY symbol, timeframe",
                      &st, "cannot list the store", err)) != SLAB_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        memset(&e, 0, sizeof e);
        col_text(st, 0, e.symbol, sizeof e.symbol);
        col_text(st, 1, e.timeframe, sizeof e.timeframe);
        e.n_bars = (size_t)sqlite3_column_int64(st, 2);
        e.first_ts_ns = sqlite3_column_int64(st, 3);
        e.last_ts_ns = sqlite3_column_int64(st, 4);
        col_text(st, 5, e.sha256, sizeof e.sha256);
        col_text(st, 6, e.source, sizeof e.source);
        e.imported_at = sqlite3_column_int64(st, 7);
        col_text(st, 8, e.loaded_as, sizeof e.loaded_as);
        if ((rc = push_entry(&arr, &cnt, &cap, &e, err)) != SLAB_OK)
            goto out;
    }
    if (step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot list the store");
out:
    sqlite3_finalize(st);
    if (rc != SLAB_OK) {
        slab_free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return SLAB_OK;
}

/* ---- earnings calendar -------------------------------------------------------- */

/* The calendar table: made by the first import, so stores made before it
 * keep their schema version; a store without it has no releases. */
static const char earnings_table[] =
    "CREATE TABLE IF NOT EXISTS earnings("
    " symbol TEXT NOT NULL, day INTEGER NOT NULL, after_close INTEGER NOT NULL,"
    " PRIMARY KEY(symbol, day))";

/* Deletes rows[k]'s symbol's releases once (the first time it is seen). */
static slab_status delete_symbol(slab_store *s, const slab_earnings *rows, size_t k,
                                 size_t *removed, slab_error *err)
{
    for (size_t j = 0; j < k; j++)
        if (!strcmp(rows[j].symbol, rows[k].symbol))
            return SLAB_OK;
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s, "DELETE FROM earnings WHERE symbol = ?1", &st,
                             "cannot replace the earnings calendar", err);
    if (rc != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, rows[k].symbol, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, "cannot replace the earnings calendar");
    *removed += (size_t)sqlite3_changes(s->db);
    sqlite3_finalize(st);
    return rc;
}

slab_status slab_store_import_earnings(slab_store *s, const slab_earnings *rows, size_t n,
                                       size_t *n_replaced, slab_error *err)
{
    sqlite3_stmt *ins = NULL;
    size_t removed = 0;
    slab_status rc;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK ||
        sqlite3_exec(s->db, earnings_table, NULL, NULL, NULL) != SQLITE_OK) {
        rc = db_fail(s, err, "cannot write the earnings calendar");
        goto out;
    }
    if ((rc = prepare(s, "INSERT OR REPLACE INTO earnings(symbol, day, after_close)"
                         " VALUES(?1, ?2, ?3)",
                      &ins, "cannot write the earnings calendar", err)) != SLAB_OK)
        goto out;
    for (size_t k = 0; k < n && rc == SLAB_OK; k++) {
        if ((rc = delete_symbol(s, rows, k, &removed, err)) != SLAB_OK)
            break;
        sqlite3_reset(ins);
        sqlite3_bind_text(ins, 1, rows[k].symbol, -1, SQLITE_STATIC);
        sqlite3_bind_int64(ins, 2, rows[k].day);
        sqlite3_bind_int(ins, 3, rows[k].after_close != 0);
        if (sqlite3_step(ins) != SQLITE_DONE)
            rc = db_fail(s, err, "cannot write the earnings calendar");
    }
    if (rc == SLAB_OK && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(s, err, "cannot write the earnings calendar");
out:
    sqlite3_finalize(ins);
    if (rc != SLAB_OK)
        rollback(s);
    else if (n_replaced)
        *n_replaced = removed;
    return rc;
}

slab_status slab_store_load_earnings(slab_store *s, const char *symbol, slab_earnings **out,
                                     size_t *n, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_earnings *arr = NULL;
    size_t cnt = 0, cap = 0;
    slab_status rc = SLAB_OK;
    int step;
    *out = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(s->db, "SELECT day, after_close FROM earnings WHERE symbol = ?1"
                                  " ORDER BY day",
                           -1, &st, NULL) != SQLITE_OK) {
        sqlite3_finalize(st);
        return SLAB_OK; /* no calendar imported yet */
    }
    sqlite3_bind_text(st, 1, symbol, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t c = cap ? 2 * cap : 16;
            slab_earnings *a = slab_realloc(arr, c * sizeof *a);
            if (!a) {
                rc = slab_error_set(err, SLAB_ENOMEM, s->path, "out of memory for the calendar");
                break;
            }
            arr = a, cap = c;
        }
        memset(&arr[cnt], 0, sizeof arr[cnt]);
        snprintf(arr[cnt].symbol, sizeof arr[cnt].symbol, "%s", symbol);
        arr[cnt].day = sqlite3_column_int64(st, 0);
        arr[cnt].after_close = sqlite3_column_int(st, 1);
        cnt++;
    }
    if (rc == SLAB_OK && step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot read the earnings calendar");
    sqlite3_finalize(st);
    if (rc != SLAB_OK) {
        slab_free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return SLAB_OK;
}

/* ---- loading ----------------------------------------------------------------- */

/* Writes "NVDA (1d), ORCL (1d, 5m)" (or, with only_symbol, "1d, 5m") into
 * buf; *n_found counts the entries listed, and *case_match gets a stored
 * symbol equal to want but for case. */
static slab_status describe(slab_store *s, const char *only_symbol, const char *want, char *buf,
                            size_t n, size_t *n_found, char case_match[32], slab_error *err)
{
    slab_store_entry *e;
    size_t cnt, k = 0;
    slab_status rc = slab_store_list(s, &e, &cnt, err);

    buf[0] = '\0';
    *n_found = 0;
    case_match[0] = '\0';
    if (rc != SLAB_OK)
        return rc;
    for (size_t i = 0; i < cnt && k + 1 < n; i++) {
        int w;
        if (want && !case_match[0] && !strcasecmp(e[i].symbol, want))
            snprintf(case_match, 32, "%s", e[i].symbol);
        if (only_symbol && strcmp(e[i].symbol, only_symbol) != 0)
            continue;
        if (only_symbol)
            w = snprintf(buf + k, n - k, "%s%s", *n_found ? ", " : "", e[i].timeframe);
        else if (i > 0 && !strcmp(e[i - 1].symbol, e[i].symbol))
            w = snprintf(buf + k - 1, n - k + 1, ", %s)", e[i].timeframe) - 1;
        else
            w = snprintf(buf + k, n - k, "%s%s (%s)", *n_found ? ", " : "", e[i].symbol,
                         e[i].timeframe);
        (*n_found)++;
        k += w > 0 ? (size_t)w : 0;
        if (k >= n)
            k = n - 1;
    }
    slab_free(e);
    return SLAB_OK;
}

/* The error for a symbol (or symbol+timeframe) that is not stored. */
static slab_status not_found(slab_store *s, const char *symbol, const char *tf, slab_error *err)
{
    char list[LIST_MSG_MAX], hint[64] = "", cm[32];
    size_t found;
    slab_status rc;

    if (tf) {
        if ((rc = describe(s, symbol, NULL, list, sizeof list, &found, cm, err)) != SLAB_OK)
            return rc;
        if (found)
            return slab_error_fail(err, SLAB_EC_UNKNOWN_SYMBOL, s->path,
                                   "no %s bars for %s; stored for %s: %s", tf, symbol, symbol,
                                   list);
    }
    if ((rc = describe(s, NULL, symbol, list, sizeof list, &found, cm, err)) != SLAB_OK)
        return rc;
    if (cm[0])
        snprintf(hint, sizeof hint, " (did you mean %s?)", cm);
    if (!found)
        return slab_error_fail(err, SLAB_EC_UNKNOWN_SYMBOL, s->path,
                               "unknown symbol '%s': the store is empty; import data first",
                               symbol);
    slab_error_fail(err, SLAB_EC_UNKNOWN_SYMBOL, s->path, "unknown symbol '%s'%s; stored: %s",
                    symbol, hint, list);
    if (cm[0] && err)
        snprintf(err->suggest, sizeof err->suggest, "%s", cm);
    return SLAB_ENOTFOUND;
}

/* Finds symbol's import record: its timeframe (when tf_in is NULL, the
 * only one stored) into tf, its source and sha256 into meta. */
static slab_status find_import(slab_store *s, const char *symbol, const char *tf_in, char tf[16],
                               slab_bars *meta, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc;
    int rows = 0, step;

    if (tf_in && (rc = norm_timeframe(tf_in, tf, 16, NULL, NULL, err)) != SLAB_OK)
        return rc;
    if ((rc = prepare(s,
                      "SELECT timeframe, source, sha256 FROM imports WHERE symbol = ?1"
                      " AND (?2 IS NULL OR timeframe = ?2) ORDER BY timeframe",
                      &st, "cannot read the import record", err)) != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, symbol, -1, SQLITE_STATIC);
    if (tf_in)
        sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && rows++ == 0) {
        col_text(st, 0, tf, 16);
        col_text(st, 1, meta->source, sizeof meta->source);
        col_text(st, 2, meta->sha256, sizeof meta->sha256);
    }
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        rc = db_fail(s, err, "cannot read the import record");
    sqlite3_finalize(st);
    if (rc != SLAB_OK)
        return rc;
    if (rows == 0)
        return not_found(s, symbol, tf_in ? tf : NULL, err);
    if (rows > 1) {
        char list[LIST_MSG_MAX], cm[32];
        size_t found;
        if ((rc = describe(s, symbol, NULL, list, sizeof list, &found, cm, err)) != SLAB_OK)
            return rc;
        return slab_error_set(err, SLAB_EINVAL, s->path,
                              "%s is stored in several timeframes (%s): name one", symbol, list);
    }
    return SLAB_OK;
}

/* Reads the bars of symbol+tf within [from_ns, to_ns] into b. */
static slab_status read_bars(slab_store *s, const char *symbol, const char *tf, int64_t from_ns,
                             int64_t to_ns, slab_bars *b, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc;
    int step;

    if ((rc = prepare(s,
                      "SELECT ts_ns, open, high, low, close, volume, oi FROM bars WHERE symbol = ?1"
                      " AND timeframe = ?2 AND ts_ns BETWEEN ?3 AND ?4 ORDER BY ts_ns",
                      &st, "cannot read bars", err)) != SLAB_OK)
        return rc;
    sqlite3_bind_text(st, 1, symbol, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, tf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, from_ns);
    sqlite3_bind_int64(st, 4, to_ns);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        if ((rc = slab_bars_push(b, sqlite3_column_int64(st, 0), sqlite3_column_double(st, 1),
                                 sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
                                 sqlite3_column_double(st, 4), sqlite3_column_double(st, 5),
                                 sqlite3_column_double(st, 6), err)) != SLAB_OK)
            break;
    if (rc == SLAB_OK && step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot read bars");
    sqlite3_finalize(st);
    return rc;
}

/* The error for a range that holds no stored bar. */
static slab_status empty_range(slab_store *s, const char *symbol, const char *tf, int64_t from_ns,
                               int64_t to_ns, slab_error *err)
{
    slab_store_entry *e;
    size_t cnt;
    char t1[40], t2[40], t3[40] = "?", t4[40] = "?";
    slab_status rc = slab_store_list(s, &e, &cnt, err);

    if (rc != SLAB_OK)
        return rc;
    for (size_t i = 0; i < cnt; i++)
        if (!strcmp(e[i].symbol, symbol) && !strcmp(e[i].timeframe, tf)) {
            slab_bars_format_time(e[i].first_ts_ns, t3, sizeof t3);
            slab_bars_format_time(e[i].last_ts_ns, t4, sizeof t4);
        }
    slab_free(e);
    slab_error_set(
        err, SLAB_ERANGE, s->path, "no %s %s bars between %s and %s; stored: %s .. %s", symbol, tf,
        from_ns == INT64_MIN ? "the start" : slab_bars_format_time(from_ns, t1, sizeof t1),
        to_ns == INT64_MAX ? "the end" : slab_bars_format_time(to_ns, t2, sizeof t2), t3, t4);
    slab_error_set_code(err, SLAB_EC_NO_BARS);
    return SLAB_ERANGE;
}

slab_status slab_store_load(slab_store *s, const char *symbol, const char *timeframe,
                            int64_t from_ns, int64_t to_ns, slab_bars **out, slab_error *err)
{
    slab_bars *b = NULL;
    char tf[16];
    slab_status rc;

    *out = NULL;
    if ((rc = check_symbol(symbol, err)) != SLAB_OK)
        return rc;
    if (!(b = slab_bars_new(0)))
        return slab_error_set(err, SLAB_ENOMEM, s->path, "out of memory loading %s", symbol);
    if ((rc = find_import(s, symbol, timeframe, tf, b, err)) != SLAB_OK ||
        (rc = read_bars(s, symbol, tf, from_ns, to_ns, b, err)) != SLAB_OK)
        goto out;
    if (b->n == 0) {
        rc = empty_range(s, symbol, tf, from_ns, to_ns, err);
        goto out;
    }
    snprintf(b->symbol, sizeof b->symbol, "%s", symbol);
    rc = norm_timeframe(tf, tf, sizeof tf, &b->timeframe, &b->compression, err);
out:
    if (rc != SLAB_OK) {
        slab_bars_free(b);
        return rc;
    }
    *out = b;
    return SLAB_OK;
}

/* ---- script execution log ------------------------------------------------------ */

/* Binds text (NULL as "") to parameter i. */
static int bind_text(sqlite3_stmt *st, int i, const char *t)
{
    return sqlite3_bind_text(st, i, t ? t : "", -1, SQLITE_TRANSIENT);
}

/* Binds r's fields from template to strategy to parameters k, k+1, ...,
 * k+15, the order both the insert and the update name them in. 1 when
 * every bind succeeded. */
static int bind_execution_fields(sqlite3_stmt *st, int k, const slab_execution_record *r)
{
    return bind_text(st, k, r->template_name) == SQLITE_OK &&
           bind_text(st, k + 1, r->parameters && *r->parameters ? r->parameters : "{}") ==
               SQLITE_OK &&
           sqlite3_bind_int(st, k + 2, r->success != 0) == SQLITE_OK &&
           bind_text(st, k + 3, r->status) == SQLITE_OK &&
           sqlite3_bind_double(st, k + 4, r->execution_ms) == SQLITE_OK &&
           sqlite3_bind_double(st, k + 5, r->compile_ms) == SQLITE_OK &&
           sqlite3_bind_double(st, k + 6, r->run_ms) == SQLITE_OK &&
           sqlite3_bind_double(st, k + 7, r->cpu_ms) == SQLITE_OK &&
           sqlite3_bind_int64(st, k + 8, r->max_rss_kb) == SQLITE_OK &&
           sqlite3_bind_int(st, k + 9, r->cached != 0) == SQLITE_OK &&
           bind_text(st, k + 10, r->stdout_text) == SQLITE_OK &&
           bind_text(st, k + 11, r->stderr_text) == SQLITE_OK &&
           bind_text(st, k + 12, r->error) == SQLITE_OK &&
           bind_text(st, k + 13, r->script) == SQLITE_OK &&
           bind_text(st, k + 14, r->source_sha256) == SQLITE_OK &&
           bind_text(st, k + 15, r->strategy) == SQLITE_OK;
}

slab_status slab_store_log_execution(slab_store *s, const slab_execution_record *r, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s,
                             "INSERT INTO executions(id, created_at_ms, template, parameters,"
                             " success, status, execution_ms, compile_ms, run_ms, cpu_ms,"
                             " max_rss_kb, cached, stdout, stderr, error, script, source_sha256,"
                             " strategy) VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                             &st, "cannot log the execution", err);
    if (rc != SLAB_OK)
        return rc;
    int ok = bind_text(st, 1, r->id) == SQLITE_OK &&
             sqlite3_bind_int64(st, 2, r->created_at_ms) == SQLITE_OK &&
             bind_execution_fields(st, 3, r);
    if (!ok || sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, "cannot log the execution");
    sqlite3_finalize(st);
    return rc;
}

slab_status slab_store_update_execution(slab_store *s, const slab_execution_record *r,
                                        slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s,
                             "UPDATE executions SET template = ?2, parameters = ?3, success = ?4,"
                             " status = ?5, execution_ms = ?6, compile_ms = ?7, run_ms = ?8,"
                             " cpu_ms = ?9, max_rss_kb = ?10, cached = ?11, stdout = ?12,"
                             " stderr = ?13, error = ?14, script = ?15, source_sha256 = ?16,"
                             " strategy = ?17 WHERE id = ?1",
                             &st, "cannot update the execution", err);
    if (rc != SLAB_OK)
        return rc;
    int ok = bind_text(st, 1, r->id) == SQLITE_OK && bind_execution_fields(st, 2, r);
    if (!ok || sqlite3_step(st) != SQLITE_DONE)
        rc = db_fail(s, err, "cannot update the execution");
    sqlite3_finalize(st);
    if (rc == SLAB_OK && sqlite3_changes(s->db) == 0)
        rc = slab_error_fail(err, SLAB_EC_NOT_FOUND, NULL, "no execution with id '%.40s'", r->id);
    return rc;
}

slab_status slab_store_interrupt_executions(slab_store *s, size_t *n, slab_error *err)
{
    if (n)
        *n = 0;
    if (sqlite3_exec(s->db,
                     "UPDATE executions SET status = 'interrupted', success = 0, error = 'the "
                     "server stopped before the job finished (killed, crashed or cut at the "
                     "shutdown grace); run it again' WHERE status = 'running'",
                     NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, "cannot mark interrupted executions");
    if (n)
        *n = (size_t)sqlite3_changes(s->db);
    return SLAB_OK;
}

/* An owned copy of column i as text ("" for NULL); NULL when out of memory. */
static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    size_t n = t ? strlen((const char *)t) : 0;
    char *c = slab_malloc(n + 1);
    if (c) {
        memcpy(c, t ? (const char *)t : "", n);
        c[n] = '\0';
    }
    return c;
}

static int read_execution(sqlite3_stmt *st, slab_execution_record *r)
{
    memset(r, 0, sizeof *r);
    col_text(st, 0, r->id, sizeof r->id);
    r->created_at_ms = sqlite3_column_int64(st, 1);
    col_text(st, 2, r->template_name, sizeof r->template_name);
    r->success = sqlite3_column_int(st, 4);
    col_text(st, 5, r->status, sizeof r->status);
    r->execution_ms = sqlite3_column_double(st, 6);
    r->compile_ms = sqlite3_column_double(st, 7);
    r->run_ms = sqlite3_column_double(st, 8);
    r->cpu_ms = sqlite3_column_double(st, 9);
    r->max_rss_kb = sqlite3_column_int64(st, 10);
    r->cached = sqlite3_column_int(st, 11);
    col_text(st, 15, r->script, sizeof r->script);
    col_text(st, 16, r->source_sha256, sizeof r->source_sha256);
    col_text(st, 17, r->strategy, sizeof r->strategy);
    r->parameters = col_dup(st, 3);
    r->stdout_text = col_dup(st, 12);
    r->stderr_text = col_dup(st, 13);
    r->error = col_dup(st, 14);
    return r->parameters && r->stdout_text && r->stderr_text && r->error;
}

void slab_execution_records_free(slab_execution_record *r, size_t n)
{
    for (size_t k = 0; r && k < n; k++) {
        slab_free(r[k].parameters);
        slab_free(r[k].stdout_text);
        slab_free(r[k].stderr_text);
        slab_free(r[k].error);
    }
    slab_free(r);
}

void slab_execution_record_from_exec(slab_execution_record *r, const slab_script_exec *ex,
                                     const char *script, int64_t created_at_ms)
{
    static char none[1] = "";
    const char *base = strrchr(script, '/');
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", ex->id);
    r->created_at_ms = created_at_ms;
    r->success = ex->status == SLAB_SCRIPT_OK;
    snprintf(r->status, sizeof r->status, "%s", slab_script_status_name(ex->status));
    r->execution_ms = ex->wall_ms;
    r->compile_ms = ex->compile_ms;
    r->run_ms = ex->run_ms;
    r->cpu_ms = ex->cpu_ms;
    r->max_rss_kb = ex->max_rss_kb;
    r->cached = ex->cached;
    r->stdout_text = ex->out_text;
    r->stderr_text = ex->err_text;
    r->error = r->success ? none : (char *)ex->detail;
    snprintf(r->script, sizeof r->script, "%s", base ? base + 1 : script);
    snprintf(r->source_sha256, sizeof r->source_sha256, "%s", ex->source_sha256);
    snprintf(r->strategy, sizeof r->strategy, "%s", ex->strategy);
}

slab_status slab_store_list_executions(slab_store *s, const char *id, size_t limit,
                                       slab_execution_record **out, size_t *n, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_execution_record *arr = NULL;
    size_t cnt = 0, cap = 0;
    int step;
    *out = NULL;
    *n = 0;
    slab_status rc = prepare(s,
                             "SELECT id, created_at_ms, template, parameters, success, status,"
                             " execution_ms, compile_ms, run_ms, cpu_ms, max_rss_kb, cached,"
                             " stdout, stderr, error, script, source_sha256, strategy"
                             " FROM executions WHERE (?1 IS NULL OR id = ?1)"
                             " ORDER BY created_at_ms DESC, rowid DESC LIMIT ?2",
                             &st, "cannot list the executions", err);
    if (rc != SLAB_OK)
        return rc;
    if ((id ? bind_text(st, 1, id) : sqlite3_bind_null(st, 1)) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1) != SQLITE_OK) {
        rc = db_fail(s, err, "cannot list the executions");
        goto out;
    }
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (cnt == cap) {
            size_t nc = cap ? cap * 2 : 16;
            slab_execution_record *p = slab_realloc(arr, nc * sizeof *p);
            if (!p) {
                rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory listing executions");
                goto out;
            }
            arr = p;
            cap = nc;
        }
        if (!read_execution(st, &arr[cnt++])) {
            rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory listing executions");
            goto out;
        }
    }
    if (step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot list the executions");
out:
    sqlite3_finalize(st);
    if (rc != SLAB_OK) {
        slab_execution_records_free(arr, cnt);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return SLAB_OK;
}

/* ---- the service's records: backtests, saved strategies, API keys -------- */

/* Runs a one-row statement with text binds; SLAB_OK when it is done. */
static slab_status step_done(slab_store *s, sqlite3_stmt *st, const char *what, slab_error *err)
{
    slab_status rc = sqlite3_step(st) == SQLITE_DONE ? SLAB_OK : db_fail(s, err, what);
    sqlite3_finalize(st);
    return rc;
}

slab_status slab_store_save_backtest(slab_store *s, const slab_backtest_record *r, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s,
                             "INSERT INTO backtests(id, created_at_ms, strategy, source,"
                             " saved_id, saved_version, document) VALUES(?,?,?,?,?,?,?)",
                             &st, "cannot store the backtest", err);
    if (rc != SLAB_OK)
        return rc;
    if (bind_text(st, 1, r->id) != SQLITE_OK ||
        sqlite3_bind_int64(st, 2, r->created_at_ms) != SQLITE_OK ||
        bind_text(st, 3, r->strategy) != SQLITE_OK || bind_text(st, 4, r->source) != SQLITE_OK ||
        bind_text(st, 5, r->saved_id) != SQLITE_OK ||
        sqlite3_bind_int(st, 6, r->saved_version) != SQLITE_OK ||
        bind_text(st, 7, r->document) != SQLITE_OK) {
        sqlite3_finalize(st);
        return db_fail(s, err, "cannot store the backtest");
    }
    return step_done(s, st, "cannot store the backtest", err);
}

/* Reads the listed columns of a backtest row (id .. saved_version). */
static void read_backtest(sqlite3_stmt *st, slab_backtest_record *r)
{
    memset(r, 0, sizeof *r);
    col_text(st, 0, r->id, sizeof r->id);
    r->created_at_ms = sqlite3_column_int64(st, 1);
    col_text(st, 2, r->strategy, sizeof r->strategy);
    col_text(st, 3, r->source, sizeof r->source);
    col_text(st, 4, r->saved_id, sizeof r->saved_id);
    r->saved_version = sqlite3_column_int(st, 5);
}

slab_status slab_store_get_backtest(slab_store *s, const char *id, slab_backtest_record *out,
                                    slab_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;
    memset(out, 0, sizeof *out);
    slab_status rc = prepare(s,
                             "SELECT id, created_at_ms, strategy, source, saved_id, saved_version,"
                             " document FROM backtests WHERE id = ?1",
                             &st, "cannot read the backtest", err);
    if (rc != SLAB_OK)
        return rc;
    bind_text(st, 1, id);
    if ((step = sqlite3_step(st)) == SQLITE_ROW) {
        read_backtest(st, out);
        if (!(out->document = col_dup(st, 6)))
            rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading a backtest");
    } else if (step == SQLITE_DONE) {
        rc = slab_error_fail(err, SLAB_EC_NOT_FOUND, NULL, "no backtest with id '%.60s'", id);
        slab_error_fix(err, "list the stored ones: GET /api/backtests");
    } else {
        rc = db_fail(s, err, "cannot read the backtest");
    }
    sqlite3_finalize(st);
    return rc;
}

/* Grows *arr (elements of size sz) to hold one more; 0 or -1 (no memory). */
static int grow(void **arr, size_t sz, size_t n, size_t *cap)
{
    if (n < *cap)
        return 0;
    size_t nc = *cap ? *cap * 2 : 16;
    void *p = slab_realloc(*arr, nc * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}

void slab_backtest_records_free(slab_backtest_record *r, size_t n)
{
    for (size_t k = 0; r && k < n; k++)
        slab_free(r[k].document);
    slab_free(r);
}

slab_status slab_store_list_backtests(slab_store *s, const char *strategy, size_t limit,
                                      slab_backtest_record **out, size_t *n, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_backtest_record *arr = NULL;
    size_t cnt = 0, cap = 0;
    int step;
    *out = NULL;
    *n = 0;
    slab_status rc = prepare(s,
                             "SELECT id, created_at_ms, strategy, source, saved_id, saved_version"
                             " FROM backtests WHERE (?1 IS NULL OR strategy = ?1)"
                             " ORDER BY created_at_ms DESC, rowid DESC LIMIT ?2",
                             &st, "cannot list the backtests", err);
    if (rc != SLAB_OK)
        return rc;
    if (strategy)
        bind_text(st, 1, strategy);
    sqlite3_bind_int64(st, 2, limit ? (sqlite3_int64)limit : -1);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&arr, sizeof *arr, cnt, &cap)) {
            rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory listing backtests");
            break;
        }
        read_backtest(st, &arr[cnt++]);
    }
    if (rc == SLAB_OK && step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot list the backtests");
    sqlite3_finalize(st);
    if (rc != SLAB_OK) {
        slab_backtest_records_free(arr, cnt);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return SLAB_OK;
}

/* ---- saved strategies ---- */

static slab_status no_strategy(slab_error *err, const char *id)
{
    slab_status rc =
        slab_error_fail(err, SLAB_EC_NOT_FOUND, NULL, "no saved strategy with id '%.60s'", id);
    slab_error_fix(err, "list the saved ones: GET /api/strategies");
    return rc;
}

/* *latest gets id's highest version (0 when none), *deleted whether it is
 * deleted. */
static slab_status strategy_head(slab_store *s, const char *id, int *latest, int *deleted,
                                 slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s,
                             "SELECT coalesce(max(version), 0), coalesce(max(deleted_at_ms), 0)"
                             " FROM strategies WHERE id = ?1",
                             &st, "cannot read the saved strategies", err);
    if (rc != SLAB_OK)
        return rc;
    bind_text(st, 1, id);
    if (sqlite3_step(st) == SQLITE_ROW) {
        *latest = sqlite3_column_int(st, 0);
        *deleted = sqlite3_column_int64(st, 1) != 0;
    } else {
        rc = db_fail(s, err, "cannot read the saved strategies");
    }
    sqlite3_finalize(st);
    return rc;
}

slab_status slab_store_put_strategy(slab_store *s, slab_saved_strategy *r, int must_exist,
                                    slab_error *err)
{
    sqlite3_stmt *st = NULL;
    int latest = 0, deleted = 0;
    slab_status rc;
    if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
        return db_fail(s, err, "cannot save the strategy");
    if ((rc = strategy_head(s, r->id, &latest, &deleted, err)) != SLAB_OK)
        goto out;
    if (deleted || (must_exist && latest == 0)) {
        rc = no_strategy(err, r->id);
        goto out;
    }
    if ((rc = prepare(s,
                      "INSERT INTO strategies(id, version, name, kind, body, created_at_ms,"
                      " deleted_at_ms) VALUES(?,?,?,?,?,?,0)",
                      &st, "cannot save the strategy", err)) != SLAB_OK)
        goto out;
    r->version = latest + 1;
    bind_text(st, 1, r->id);
    sqlite3_bind_int(st, 2, r->version);
    bind_text(st, 3, r->name);
    bind_text(st, 4, r->kind);
    bind_text(st, 5, r->body);
    sqlite3_bind_int64(st, 6, r->created_at_ms);
    if ((rc = step_done(s, st, "cannot save the strategy", err)) != SLAB_OK)
        goto out;
    if (sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = db_fail(s, err, "cannot save the strategy");
out:
    if (rc != SLAB_OK)
        rollback(s);
    return rc;
}

static int read_strategy(sqlite3_stmt *st, slab_saved_strategy *r)
{
    memset(r, 0, sizeof *r);
    col_text(st, 0, r->id, sizeof r->id);
    r->version = sqlite3_column_int(st, 1);
    col_text(st, 2, r->name, sizeof r->name);
    col_text(st, 3, r->kind, sizeof r->kind);
    r->created_at_ms = sqlite3_column_int64(st, 5);
    return (r->body = col_dup(st, 4)) != NULL;
}

slab_status slab_store_get_strategy(slab_store *s, const char *id, int version,
                                    slab_saved_strategy *out, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    int step;
    memset(out, 0, sizeof *out);
    slab_status rc = prepare(s,
                             "SELECT id, version, name, kind, body, created_at_ms FROM strategies"
                             " WHERE id = ?1 AND (?2 = 0 OR version = ?2) AND NOT EXISTS"
                             " (SELECT 1 FROM strategies d WHERE d.id = ?1 AND d.deleted_at_ms)"
                             " ORDER BY version DESC LIMIT 1",
                             &st, "cannot read the saved strategy", err);
    if (rc != SLAB_OK)
        return rc;
    bind_text(st, 1, id);
    sqlite3_bind_int(st, 2, version);
    if ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (!read_strategy(st, out))
            rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory reading a strategy");
    } else if (step == SQLITE_DONE) {
        rc = no_strategy(err, id);
    } else {
        rc = db_fail(s, err, "cannot read the saved strategy");
    }
    sqlite3_finalize(st);
    return rc;
}

void slab_saved_strategies_free(slab_saved_strategy *r, size_t n)
{
    for (size_t k = 0; r && k < n; k++)
        slab_free(r[k].body);
    slab_free(r);
}

slab_status slab_store_list_strategies(slab_store *s, slab_saved_strategy **out, size_t *n,
                                       slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_saved_strategy *arr = NULL;
    size_t cnt = 0, cap = 0;
    int step;
    *out = NULL;
    *n = 0;
    slab_status rc = prepare(s,
                             "SELECT id, version, name, kind, body, created_at_ms FROM strategies s"
                             " WHERE version = (SELECT max(version) FROM strategies t"
                             " WHERE t.id = s.id) AND NOT EXISTS (SELECT 1 FROM strategies d"
                             " WHERE d.id = s.id AND d.deleted_at_ms)"
                             " ORDER BY created_at_ms DESC, rowid DESC",
                             &st, "cannot list the saved strategies", err);
    if (rc != SLAB_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&arr, sizeof *arr, cnt, &cap) || !read_strategy(st, &arr[cnt++])) {
            rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory listing strategies");
            break;
        }
    }
    if (rc == SLAB_OK && step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot list the saved strategies");
    sqlite3_finalize(st);
    if (rc != SLAB_OK) {
        slab_saved_strategies_free(arr, cnt);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return SLAB_OK;
}

slab_status slab_store_delete_strategy(slab_store *s, const char *id, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s,
                             "UPDATE strategies SET deleted_at_ms = ?2 WHERE id = ?1"
                             " AND deleted_at_ms = 0",
                             &st, "cannot delete the strategy", err);
    if (rc != SLAB_OK)
        return rc;
    bind_text(st, 1, id);
    sqlite3_bind_int64(st, 2, (sqlite3_int64)time(NULL) * 1000);
    if ((rc = step_done(s, st, "cannot delete the strategy", err)) != SLAB_OK)
        return rc;
    return sqlite3_changes(s->db) ? SLAB_OK : no_strategy(err, id);
}

/* ---- API keys ---- */

slab_status slab_store_add_key(slab_store *s, const slab_api_key *k, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s,
                             "INSERT INTO api_keys(id, name, sha256, created_at_ms)"
                             " VALUES(?,?,?,?)",
                             &st, "cannot store the key", err);
    if (rc != SLAB_OK)
        return rc;
    bind_text(st, 1, k->id);
    bind_text(st, 2, k->name);
    bind_text(st, 3, k->sha256);
    sqlite3_bind_int64(st, 4, k->created_at_ms);
    int step = sqlite3_step(st);
    sqlite3_finalize(st);
    if (step == SQLITE_CONSTRAINT || (sqlite3_extended_errcode(s->db) & 0xFF) == SQLITE_CONSTRAINT)
        return slab_error_fail(err, SLAB_EC_BAD_VALUE, NULL,
                               "there is already a key named '%.60s': pick another name or "
                               "revoke it first",
                               k->name);
    return step == SQLITE_DONE ? SLAB_OK : db_fail(s, err, "cannot store the key");
}

slab_status slab_store_list_keys(slab_store *s, slab_api_key **out, size_t *n, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_api_key *arr = NULL;
    size_t cnt = 0, cap = 0;
    int step;
    *out = NULL;
    *n = 0;
    slab_status rc = prepare(s, "SELECT id, name, sha256, created_at_ms FROM api_keys ORDER BY name",
                             &st, "cannot list the keys", err);
    if (rc != SLAB_OK)
        return rc;
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (grow((void **)&arr, sizeof *arr, cnt, &cap)) {
            rc = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory listing keys");
            break;
        }
        slab_api_key *k = &arr[cnt++];
        memset(k, 0, sizeof *k);
        col_text(st, 0, k->id, sizeof k->id);
        col_text(st, 1, k->name, sizeof k->name);
        col_text(st, 2, k->sha256, sizeof k->sha256);
        k->created_at_ms = sqlite3_column_int64(st, 3);
    }
    if (rc == SLAB_OK && step != SQLITE_DONE)
        rc = db_fail(s, err, "cannot list the keys");
    sqlite3_finalize(st);
    if (rc != SLAB_OK) {
        slab_free(arr);
        return rc;
    }
    *out = arr;
    *n = cnt;
    return SLAB_OK;
}

slab_status slab_store_revoke_key(slab_store *s, const char *name, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s, "DELETE FROM api_keys WHERE name = ?1", &st,
                             "cannot revoke the key", err);
    if (rc != SLAB_OK)
        return rc;
    bind_text(st, 1, name);
    if ((rc = step_done(s, st, "cannot revoke the key", err)) != SLAB_OK)
        return rc;
    if (sqlite3_changes(s->db))
        return SLAB_OK;
    return slab_error_fail(err, SLAB_EC_NOT_FOUND, NULL, "no key named '%.60s'", name);
}

slab_status slab_store_data_version(slab_store *s, int64_t *v, slab_error *err)
{
    sqlite3_stmt *st = NULL;
    slab_status rc = prepare(s, "PRAGMA data_version", &st, "cannot read the data version", err);
    if (rc != SLAB_OK)
        return rc;
    if (sqlite3_step(st) == SQLITE_ROW)
        *v = sqlite3_column_int64(st, 0);
    else
        rc = db_fail(s, err, "cannot read the data version");
    sqlite3_finalize(st);
    return rc;
}

/* 1 when b is intraday and (tf, compression) is a longer period that is a
 * multiple of it, or 1d: what slab_bars_resample makes. */
static int store_coarser(const slab_bars *b, slab_timeframe tf, int compression)
{
    int64_t unit = b->timeframe == SLAB_TF_MINUTES ? 60 : b->timeframe == SLAB_TF_SECONDS ? 1 : 0;
    int64_t src = unit * b->compression;
    int64_t dst = tf == SLAB_TF_MINUTES ? 60LL * compression
                  : tf == SLAB_TF_SECONDS ? compression
                                          : 0;
    if (!src)
        return 0;
    if (tf == SLAB_TF_DAYS && compression == 1)
        return 1;
    return dst > src && dst % src == 0;
}

slab_status slab_store_load_resampled(slab_store *s, const char *symbol, const char *timeframe,
                                      int64_t from_ns, int64_t to_ns, int stamp_end,
                                      slab_bars **out, int *resampled, slab_error *err)
{
    slab_bars *b = NULL, *r = NULL;
    slab_timeframe tf;
    int comp;
    slab_error e2;
    if (resampled)
        *resampled = 0;
    slab_status st = slab_store_load(s, symbol, timeframe, from_ns, to_ns, out, err);
    if (st != SLAB_ENOTFOUND || !timeframe ||
        slab_timeframe_parse(timeframe, &tf, &comp, &e2) != SLAB_OK)
        return st;
    /* the asked timeframe is not stored: the stored bars, if finer */
    if (slab_store_load(s, symbol, NULL, from_ns, to_ns, &b, &e2) != SLAB_OK)
        return st;
    if (!store_coarser(b, tf, comp)) {
        slab_bars_free(b);
        return st;
    }
    st = slab_bars_resample(b, stamp_end, tf, comp, &r, err);
    slab_bars_free(b);
    if (st != SLAB_OK)
        return st;
    *out = r;
    if (resampled)
        *resampled = 1;
    return SLAB_OK;
}
