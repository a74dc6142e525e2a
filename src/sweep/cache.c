/* cache.c: the indicator outputs a sweep shares between its runs (the
 * engine's slab_ind_share). An output is keyed by its definition, input
 * arrays, length and parameters; computed once, handed to every run that
 * declares it, and kept while the cache stays under its byte cap (least
 * recently used entries no run holds are dropped first; past the cap a run
 * computes its own). On a miss whose parameter equals the value of a swept
 * axis in the running combination, the same indicator is computed for every
 * value of that axis in one slab_ind_run_multi call (the lane kernels).
 * The grid's first axis varies slowest, so the entries of its values die
 * row by row: once every worker is past a value's row (slab__cache_retire)
 * its entry is dropped and its arrays kept for the next entry, whose pages
 * are then already the process's (a fresh 1.6 MB array costs 400 page
 * faults, a tenth of a large sweep's time in the kernel).
 * Invariant: an entry's arrays are exactly def->fn's output (the
 * multi-series form is bit for bit the single one) and never change while
 * any run holds them; dropping one only costs its computation again. */
#include "sweep/sweep_int.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

#define MAX_ENTRIES 4096 /* entries kept at most, whatever their size */
#define MAX_PREFETCH 64  /* series a miss reserves */
#define ROW_PREFETCH 16  /* on the first axis, whose values die row by row */
#define MAX_SPARE 64     /* dropped arrays kept for reuse */
#define CHUNK 16         /* of them, computed in one multi-series call */

typedef struct entry {
    const slab_ind_def *def;
    const double *in[SLAB_IND_MAX_INPUTS];
    size_t n;
    double p[SLAB_IND_MAX_PARAMS];
    double *out[SLAB_IND_MAX_OUTPUTS]; /* owned */
    int ready;          /* 1: computed; 0: to be computed; -1: failed */
    int claimed;        /* ready 0: a worker is computing it */
    uint64_t group;     /* the miss that reserved it, */
    size_t order;       /* and its place in that miss's list */
    size_t row;         /* the index of its value on the grid's first axis when
                           no other axis has that value, else SIZE_MAX */
    size_t last_row;    /* the highest first-axis index a run asked from
                           (SIZE_MAX: none yet) */
    long refs;          /* runs holding it */
    uint64_t used;      /* LRU tick */
    size_t bytes;
} entry;

struct slab__cache {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    entry *e;
    size_t n, cap_bytes, bytes;
    uint64_t tick, groups;
    double *spare[MAX_SPARE]; /* arrays of dropped entries, spare_bytes each */
    size_t n_spare, spare_bytes;
    size_t floor; /* the first axis's rows below it are retired */
    uint64_t hits, misses, computed; /* statistics */
};

slab__cache *slab__cache_new(size_t cap_bytes)
{
    slab__cache *c = slab_calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->e = slab_calloc(MAX_ENTRIES, sizeof *c->e);
    if (!c->e) {
        slab_free(c);
        return NULL;
    }
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    c->cap_bytes = cap_bytes;
    return c;
}

void slab__cache_free(slab__cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++)
            slab_free(c->e[i].out[k]);
    for (size_t k = 0; k < c->n_spare; k++)
        slab_free(c->spare[k]);
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    slab_free(c->e);
    slab_free(c);
}

void slab__cache_stats(const slab__cache *c, uint64_t *hits, uint64_t *misses,
                       uint64_t *computed)
{
    *hits = c->hits;
    *misses = c->misses;
    *computed = c->computed;
}

static int same_key(const entry *e, const slab_ind_def *def, const double *const *in, size_t n,
                    const double *p)
{
    if (e->def != def || e->n != n)
        return 0;
    for (int k = 0; k < def->n_inputs; k++)
        if (e->in[k] != in[k])
            return 0;
    for (int k = 0; k < def->n_params; k++)
        if (memcmp(&e->p[k], &p[k], sizeof p[k]))
            return 0;
    return 1;
}

static entry *find(slab__cache *c, const slab_ind_def *def, const double *const *in, size_t n,
                   const double *p)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].ready >= 0 && same_key(&c->e[i], def, in, n, p))
            return &c->e[i];
    return NULL;
}

/* An output array of bytes: a spare one when there is one of that size.
 * Aligned to a cache line, so that a block of 64 bars (the sweep's
 * crossing scan reads an SMA's bars a block at a time, where ranges meet)
 * is eight whole lines, not parts of nine. */
static double *array_new(slab__cache *c, size_t bytes)
{
    if (c->n_spare && c->spare_bytes == bytes)
        return c->spare[--c->n_spare];
    return slab_malloc_aligned(64, bytes);
}

/* Drops entry i (lock held, no run holding it): its arrays kept as
 * spares while there is room, else freed. */
static void drop(slab__cache *c, size_t i)
{
    entry *e = &c->e[i];
    size_t bytes = e->n * sizeof(double);
    for (int k = 0; k < SLAB_IND_MAX_OUTPUTS; k++) {
        if (!e->out[k])
            continue;
        if (c->n_spare && c->spare_bytes != bytes) { /* another length: start over */
            while (c->n_spare)
                slab_free(c->spare[--c->n_spare]);
        }
        if (c->n_spare < MAX_SPARE) {
            c->spare_bytes = bytes;
            c->spare[c->n_spare++] = e->out[k];
        } else {
            slab_free(e->out[k]);
        }
    }
    c->bytes -= e->bytes;
    c->e[i] = c->e[--c->n];
}

/* Drops the least recently used unheld entries until need more bytes fit;
 * returns 1 when they do. Called with the lock held. */
static int make_room(slab__cache *c, size_t need)
{
    while (c->bytes + need > c->cap_bytes || c->n == MAX_ENTRIES) {
        size_t victim = SIZE_MAX;
        for (size_t i = 0; i < c->n; i++)
            if (c->e[i].refs == 0 && c->e[i].ready != 0 &&
                (victim == SIZE_MAX || c->e[i].used < c->e[victim].used))
                victim = i;
        if (victim == SIZE_MAX)
            return 0;
        drop(c, victim);
    }
    return 1;
}

/* A new entry being computed (lock held); NULL when there is no room. */
static entry *reserve(slab__cache *c, const slab_ind_def *def, const double *const *in, size_t n,
                      const double *p)
{
    size_t bytes = (size_t)def->n_outputs * n * sizeof(double);
    if (!make_room(c, bytes))
        return NULL;
    entry *e = &c->e[c->n];
    memset(e, 0, sizeof *e);
    for (int k = 0; k < def->n_outputs; k++)
        if (!(e->out[k] = array_new(c, n * sizeof(double)))) {
            for (int j = 0; j < k; j++)
                slab_free(e->out[j]);
            return NULL;
        }
    e->row = e->last_row = SIZE_MAX;
    c->n++;
    e->def = def;
    memcpy(e->in, in, (size_t)def->n_inputs * sizeof *in);
    e->n = n;
    memcpy(e->p, p, (size_t)def->n_params * sizeof *p);
    e->bytes = bytes;
    c->bytes += bytes;
    return e;
}

/* Parameter sets for a multi-series call: p with parameter j set to the
 * values of the axis the combination's value came from that the cache
 * holds no entry for yet, nearest that value first (valid values only, p
 * itself first). Nearest first: a worker working at the other end of the
 * axis (or after another's call took the first values) still gets a whole
 * call's worth, not p alone. Returns how many were written to sets. */
static size_t siblings(slab__cache *c, const slab_ind_def *def, const double *const *in, size_t n,
                       const double *p, const slab_grid *g, const size_t *idx,
                       double sets[][SLAB_IND_MAX_PARAMS])
{
    size_t m = 0;
    memcpy(sets[m++], p, sizeof sets[0]);
    for (int j = 0; j < def->n_params && g && idx; j++)
        for (size_t a = 0; a < slab_grid_n_axes(g); a++) {
            const slab_grid_axis *ax = slab_grid_axis_at(g, a);
            if (!ax->values[idx[a]].is_num || ax->values[idx[a]].num != p[j])
                continue;
            const slab_ind_param *d = &def->params[j];
            size_t most = a == 0 ? ROW_PREFETCH : MAX_PREFETCH;
            for (size_t dist = 1; dist < ax->n && m < most; dist++)
                for (int side = 0; side < 2 && m < most; side++) {
                    if (side ? dist > idx[a] : idx[a] + dist >= ax->n)
                        continue;
                    size_t v = side ? idx[a] - dist : idx[a] + dist;
                    double x = ax->values[v].num;
                    if (a == 0 && v < c->floor)
                        continue; /* a retired row's */
                    if (!ax->values[v].is_num || !(x >= d->min && x <= d->max) ||
                        (d->is_int && x != floor(x)))
                        continue;
                    memcpy(sets[m], p, sizeof sets[0]);
                    sets[m][j] = x;
                    if (!find(c, def, in, n, sets[m]))
                        m++;
                }
            return m; /* the first parameter tied to an axis decides */
        }
    return m;
}

/* The index on g's first axis of a value of p, when p's values are on no
 * other axis (the entry then dies with that row); else SIZE_MAX. */
static size_t row_of(const slab_ind_def *def, const double *p, const slab_grid *g)
{
    size_t row = SIZE_MAX;
    for (size_t a = 0; g && a < slab_grid_n_axes(g); a++) {
        const slab_grid_axis *ax = slab_grid_axis_at(g, a);
        for (size_t v = 0; v < ax->n; v++)
            for (int j = 0; j < def->n_params; j++)
                if (ax->values[v].is_num && ax->values[v].num == p[j]) {
                    if (a > 0)
                        return SIZE_MAX; /* needed whatever the row */
                    row = v;
                }
    }
    return row;
}

void slab__cache_retire(slab__cache *c, size_t floor)
{
    pthread_mutex_lock(&c->mu);
    if (floor > c->floor)
        c->floor = floor;
    for (size_t i = 0; i < c->n;) {
        const entry *e = &c->e[i];
        /* asked for by its own row only (or not yet): a run of another
         * row asking means another parameter takes the same value (a
         * fixed slow = 30 among fast = 10..50), and it is kept */
        if (e->ready == 1 && e->refs == 0 && e->row < floor &&
            (e->last_row == SIZE_MAX || e->last_row <= e->row))
            drop(c, i);
        else
            i++;
    }
    pthread_mutex_unlock(&c->mu);
}

/* Computes the entries of a group (a miss's reservation) not yet
 * claimed, from its place `from` in the group's order on, CHUNK at most,
 * in one multi-series call (the lock is held on entry and exit, released
 * while computing). A miss reserves up to MAX_PREFETCH series and computes
 * them a chunk at a time from the start; a worker that needs one still
 * waiting takes the chunk from that one on rather than waiting for the
 * whole reservation: at a sweep's start, when every worker misses, they
 * compute side by side. Returns how many (0: none left unclaimed). */
static size_t compute_chunk(slab__cache *c, uint64_t group, size_t from)
{
    const double *ins[CHUNK * SLAB_IND_MAX_INPUTS];
    double ps[CHUNK * SLAB_IND_MAX_PARAMS];
    double *outs[CHUNK * SLAB_IND_MAX_OUTPUTS];
    const slab_ind_def *def = NULL;
    size_t ni = 0, np = 0, no = 0, n = 0, k = 0;
    while (k < CHUNK) { /* the group's unclaimed entries in order */
        entry *e = NULL;
        for (size_t i = 0; i < c->n; i++)
            if (c->e[i].group == group && c->e[i].ready == 0 && !c->e[i].claimed &&
                c->e[i].order >= from && (!e || c->e[i].order < e->order))
                e = &c->e[i];
        if (!e)
            break;
        if (!def) { /* a group is one definition on one input */
            def = e->def;
            ni = (size_t)def->n_inputs;
            np = (size_t)def->n_params;
            no = (size_t)def->n_outputs;
            n = e->n;
        }
        e->claimed = 1;
        from = e->order + 1;
        memcpy(&ins[k * ni], e->in, ni * sizeof *ins);
        memcpy(&ps[k * np], e->p, np * sizeof *ps);
        memcpy(&outs[k * no], e->out, no * sizeof *outs);
        k++;
    }
    if (k == 0)
        return 0;
    pthread_mutex_unlock(&c->mu);
    /* a new array's pages taken at once, outside the lock (a spare one's
     * are the process's already: the call then only walks them) */
    for (size_t j = 0; j < k * no; j++)
        slab_prefault(outs[j], n * sizeof(double));
    slab_error err;
    slab_status st = slab_ind_run_multi(def, k, ins, n, ps, outs, &err);
    pthread_mutex_lock(&c->mu);
    c->computed += k;
    /* found again by their arrays: entries move when others are dropped */
    for (size_t s = 0; s < k; s++)
        for (size_t i = 0; i < c->n; i++)
            if (c->e[i].ready == 0 && c->e[i].out[0] == outs[s * no]) {
                c->e[i].ready = st == SLAB_OK ? 1 : -1;
                c->e[i].claimed = 0;
                c->e[i].used = ++c->tick;
            }
    /* a failed computation is dropped; the run then computes (and reports) */
    for (size_t i = 0; i < c->n;) {
        if (c->e[i].ready == -1 && c->e[i].refs == 0) {
            drop(c, i);
        } else {
            i++;
        }
    }
    pthread_cond_broadcast(&c->cv);
    return k;
}

/* Computes a chunk of any group that no worker has claimed yet (lock
 * held); 0 when there is none. */
static size_t compute_any(slab__cache *c)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].ready == 0 && !c->e[i].claimed)
            return compute_chunk(c, c->e[i].group, c->e[i].order);
    return 0;
}

/* The ready entry for the key, waiting for (or computing) one reserved;
 * NULL when there is none. Lock held. While another worker computes it,
 * this one computes what nobody has taken yet (any group's), and waits
 * only when nothing is left: at a sweep's start a wait for a chunk (16
 * series, tens of milliseconds) left a core idle. */
static entry *ready_entry(slab__cache *c, const slab_ind_def *def, const double *const *in,
                          size_t n, const double *p)
{
    entry *e = find(c, def, in, n, p);
    while (e && e->ready == 0) {
        if (!e->claimed)
            compute_chunk(c, e->group, e->order);
        else if (!compute_any(c))
            pthread_cond_wait(&c->cv, &c->mu);
        e = find(c, def, in, n, p);
    }
    return e;
}

int slab__cache_get(slab__cache *c, const slab_grid *g, const size_t *idx,
                    const slab_ind_def *def, const double *const *in, size_t n, const double *p,
                    const double **out)
{
    double sets[MAX_PREFETCH][SLAB_IND_MAX_PARAMS];
    size_t no = (size_t)def->n_outputs;
    pthread_mutex_lock(&c->mu);
    size_t row = g && idx ? idx[0] : SIZE_MAX; /* the asking run's */
    entry *e = ready_entry(c, def, in, n, p);
    if (e) {
        e->refs++;
        e->used = ++c->tick;
        if (e->last_row == SIZE_MAX || row > e->last_row)
            e->last_row = row;
        c->hits++;
        memcpy(out, e->out, no * sizeof *out);
        pthread_mutex_unlock(&c->mu);
        return 1;
    }
    c->misses++;
    /* Reserve this one and the siblings nobody has yet, in the order
     * siblings() gives (this one first), then compute them a chunk at a
     * time (others may take chunks meanwhile). */
    size_t m = siblings(c, def, in, n, p, g, idx, sets), k = 0;
    uint64_t group = ++c->groups;
    for (size_t s = 0; s < m; s++) {
        if (s > 0 && find(c, def, in, n, sets[s]))
            continue;
        entry *r = reserve(c, def, in, n, sets[s]);
        if (!r) {
            if (s == 0) {
                pthread_mutex_unlock(&c->mu);
                return 0; /* full: the run computes its own */
            }
            break;
        }
        r->group = group;
        r->order = k++;
        r->row = row_of(def, sets[s], g);
        r->last_row = s == 0 ? row : SIZE_MAX;
    }
    int held = 0;
    while (compute_chunk(c, group, 0)) { /* the group's chunks this worker takes */
        /* this one is in the first chunk: held at once, so that no
         * other worker's miss drops it while the rest are computed */
        if (!held && (e = find(c, def, in, n, p)) && e->ready == 1) {
            e->refs++;
            e->used = ++c->tick;
            memcpy(out, e->out, no * sizeof *out);
            held = 1;
        }
    }
    pthread_mutex_unlock(&c->mu);
    return held; /* 0: its computation failed (the run then reports it) */
}

void slab__cache_put(slab__cache *c, const slab_ind_def *def, const double *const *out)
{
    pthread_mutex_lock(&c->mu);
    for (size_t i = 0; i < c->n; i++)
        if (c->e[i].def == def && c->e[i].out[0] == out[0]) {
            c->e[i].refs--;
            break;
        }
    pthread_mutex_unlock(&c->mu);
}
