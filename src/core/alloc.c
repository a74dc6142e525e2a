/* alloc.c: the one place the library allocates, so tests can make any
 * allocation fail (slab_alloc_fail_after) and check the error paths. */
#include "stratlab/core.h"

#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

/* Atomic: a sweep's threads allocate side by side, and a count two of
 * them took down at once could skip the k-th call or fail two. */
static long fail_countdown; /* 0 = never fail; k = fail the k-th call */
static int fail_fired;      /* the armed failure has happened */

static int should_fail(void)
{
    if (__atomic_load_n(&fail_countdown, __ATOMIC_RELAXED) <= 0)
        return 0;
    if (__atomic_sub_fetch(&fail_countdown, 1, __ATOMIC_RELAXED) != 0)
        return 0;
    __atomic_store_n(&fail_fired, 1, __ATOMIC_RELAXED);
    return 1;
}

void slab_alloc_fail_after(long k)
{
    __atomic_store_n(&fail_countdown, k, __ATOMIC_RELAXED);
    __atomic_store_n(&fail_fired, 0, __ATOMIC_RELAXED);
}

int slab_alloc_fail_fired(void)
{
    return __atomic_load_n(&fail_fired, __ATOMIC_RELAXED);
}

void *slab_malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n ? n : 1);
}

void *slab_calloc(size_t count, size_t size)
{
    return should_fail() ? NULL : calloc(count ? count : 1, size ? size : 1);
}

void *slab_realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}

void *slab_malloc_aligned(size_t align, size_t n)
{
    void *p = NULL;
    if (should_fail() || posix_memalign(&p, align, n ? n : 1) != 0)
        return NULL;
    return p;
}

void slab_free(void *p)
{
    free(p);
}

void slab_prefault(void *p, size_t n)
{
#ifdef MADV_POPULATE_WRITE
    long page = sysconf(_SC_PAGESIZE);
    if (!p || page <= 0)
        return;
    uintptr_t a = ((uintptr_t)p + (uintptr_t)page - 1) & ~((uintptr_t)page - 1);
    uintptr_t z = ((uintptr_t)p + n) & ~((uintptr_t)page - 1);
    if (z > a) /* an older kernel refuses it: the pages then fault as usual */
        (void)madvise((void *)a, z - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)n;
#endif
}

int slab_grow(void **arr, size_t *cap, size_t need, size_t sz)
{
    if (need <= *cap)
        return 0;
    if (sz == 0 || need > SIZE_MAX / sz)
        return -1;
    size_t nc = *cap ? *cap : 16;
    while (nc < need)
        nc = nc <= SIZE_MAX / 2 / sz ? nc * 2 : need;
    void *p = slab_realloc(*arr, nc * sz);
    if (!p)
        return -1;
    *arr = p;
    *cap = nc;
    return 0;
}
