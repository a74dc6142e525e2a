/* hash.c: SHA-256 of files and buffers through OpenSSL's libcrypto, used to
 * fingerprint imported data (data_sha256 in every result). */
#include "stratlab/core.h"

#include <errno.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static void to_hex(const unsigned char *md, unsigned len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < len && i < 32; i++) {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

/* SHA-256 fetched from the default provider once: EVP_sha256() makes
 * EVP_Digest fetch it again on every call (a lock and a table lookup, a
 * fifth of hashing a sweep's run id). NULL when the fetch failed: then
 * each call fetches as before. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

void slab_sha256_mem(const void *data, size_t n, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;

    pthread_once(&sha256_once, sha256_fetch);
    EVP_Digest(data, n, md, &len, sha256_md ? sha256_md : EVP_sha256(), NULL);
    to_hex(md, len, hex);
}

/* The streaming state is OpenSSL's digest context under our own name. */
struct slab_sha256 {
    EVP_MD_CTX *ctx; /* initialised for SHA-256 */
};

slab_sha256 *slab_sha256_new(void)
{
    slab_sha256 *h = slab_malloc(sizeof *h);
    if (!h)
        return NULL;
    if (!(h->ctx = EVP_MD_CTX_new()) || !EVP_DigestInit_ex(h->ctx, EVP_sha256(), NULL)) {
        slab_sha256_free(h);
        return NULL;
    }
    return h;
}

void slab_sha256_update(slab_sha256 *h, const void *data, size_t n)
{
    EVP_DigestUpdate(h->ctx, data, n);
}

void slab_sha256_final(slab_sha256 *h, char hex[65])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    EVP_DigestFinal_ex(h->ctx, md, &len);
    to_hex(md, len, hex);
}

void slab_sha256_free(slab_sha256 *h)
{
    if (!h)
        return;
    EVP_MD_CTX_free(h->ctx);
    slab_free(h);
}

slab_status slab_sha256_file(const char *path, char hex[65], slab_error *err)
{
    unsigned char buf[65536], md[EVP_MAX_MD_SIZE];
    unsigned len = 0;
    size_t got;
    slab_status st = SLAB_OK;
    FILE *f = fopen(path, "rb");
    EVP_MD_CTX *ctx = NULL;

    if (!f)
        return slab_error_set(err, SLAB_EIO, path, "cannot open: %s", strerror(errno));
    ctx = EVP_MD_CTX_new();
    if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
        st = slab_error_set(err, SLAB_ENOMEM, path, "cannot start SHA-256");
        goto out;
    }
    while ((got = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(ctx, buf, got);
    if (ferror(f)) {
        st = slab_error_set(err, SLAB_EIO, path, "read failed: %s", strerror(errno));
        goto out;
    }
    EVP_DigestFinal_ex(ctx, md, &len);
    to_hex(md, len, hex);
out:
    EVP_MD_CTX_free(ctx);
    fclose(f);
    return st;
}
