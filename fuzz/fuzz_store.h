/* fuzz_store.h: what the service harnesses (fuzz_http.c, fuzz_mcp.c)
 * share: a temporary store holding one sample series, removed at exit, and
 * a search for its folder's name in what the service answered. Included by
 * one harness per program (its functions are static). */
#ifndef FUZZ_STORE_H
#define FUZZ_STORE_H

#include "stratlab/data.h"
#include "stratlab/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fuzz_dir[256], fuzz_db[300];

static void fuzz_die(const char *what)
{
    fprintf(stderr, "fuzz setup: %s\n", what);
    exit(2);
}

static void fuzz_store_remove(void)
{
    char path[400];
    static const char *const names[] = {"store.db", "store.db-wal", "store.db-shm"};
    for (size_t k = 0; k < sizeof names / sizeof *names; k++) {
        snprintf(path, sizeof path, "%s/%s", fuzz_dir, names[k]);
        unlink(path);
    }
    rmdir(fuzz_dir);
}

/* Makes fuzz_db in a fresh folder (in /dev/shm when it can, so SQLite's
 * syncs cost nothing) holding SMPL: 300 sample daily bars, seed 7. */
static void fuzz_store_make(const char *name)
{
    const char *tmp = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
    slab_bars *bars = NULL;
    slab_store *s = NULL;
    slab_error err;
    snprintf(fuzz_dir, sizeof fuzz_dir, "%s/%s.XXXXXX", tmp, name);
    if (!mkdtemp(fuzz_dir))
        fuzz_die("mkdtemp");
    snprintf(fuzz_db, sizeof fuzz_db, "%s/store.db", fuzz_dir);
    if (slab_sample_generate(7, 300, SLAB_TF_DAYS, 1, 16000, &bars, &err) != SLAB_OK ||
        slab_store_open(fuzz_db, &s, &err) != SLAB_OK ||
        slab_store_import(s, bars, "SMPL", NULL, NULL, NULL, &err) != SLAB_OK)
        fuzz_die(err.msg);
    slab_store_close(s);
    slab_bars_free(bars);
    atexit(fuzz_store_remove);
}

/* 1 when text[0..n) contains the store's folder. A plain loop, kept out
 * of the fuzzer's comparison tracing (strstr/memmem are traced: the fuzzer
 * would learn the folder's name and send it; a request's own text comes
 * back in the execution log, which is no leak). */
__attribute__((no_sanitize("coverage"))) static int fuzz_names_dir(const char *text, size_t n)
{
    size_t dl = strlen(fuzz_dir);
    for (size_t i = 0; i + dl <= n; i++) {
        size_t k = 0;
        while (k < dl && text[i + k] == fuzz_dir[k])
            k++;
        if (k == dl)
            return 1;
    }
    return 0;
}

#endif
