/* error.c: status names and the caller-owned error record.
 * Messages are truncated, never allocated, so reporting works with no
 * memory left. */
#include "stratlab/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *slab_status_str(slab_status st)
{
    switch (st) {
    case SLAB_OK: return "ok";
    case SLAB_ENOMEM: return "out of memory";
    case SLAB_EINVAL: return "invalid argument";
    case SLAB_EIO: return "i/o error";
    case SLAB_EPARSE: return "parse error";
    case SLAB_EDATA: return "inconsistent data";
    case SLAB_ERANGE: return "out of range";
    case SLAB_ENOTFOUND: return "not found";
    case SLAB_EDB: return "database error";
    case SLAB_ELIMIT: return "limit reached";
    case SLAB_EINTERNAL: return "internal error";
    }
    return "unknown status";
}

slab_status slab_error_set(slab_error *err, slab_status st, const char *where, const char *fmt, ...)
{
    va_list ap;

    if (!err)
        return st;
    err->code = st;
    snprintf(err->where, sizeof err->where, "%s", where ? where : "");
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    return st;
}

void slab_error_clear(slab_error *err)
{
    if (!err)
        return;
    err->code = SLAB_OK;
    err->where[0] = '\0';
    err->msg[0] = '\0';
}

const char *slab_error_text(const slab_error *err, char *buf, size_t n)
{
    if (!err || n == 0)
        return "";
    if (err->where[0])
        snprintf(buf, n, "%s: %s", err->where, err->msg);
    else
        snprintf(buf, n, "%s", err->msg[0] ? err->msg : slab_status_str(err->code));
    return buf;
}
