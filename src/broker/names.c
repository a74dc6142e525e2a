/* names.c: printable names of broker enums and the sizer parser. */
#include "stratlab/broker.h"

#include <stdlib.h>
#include <string.h>

const char *slab_order_status_name(slab_order_status st)
{
    static const char *names[] = {"Created",   "Submitted", "Accepted", "Partial", "Completed",
                                  "Canceled",  "Expired",   "Margin",   "Rejected"};
    return (unsigned)st < sizeof names / sizeof names[0] ? names[st] : "Unknown";
}

const char *slab_order_type_name(slab_order_type t)
{
    static const char *names[] = {"Market", "Close",     "Limit",         "Stop",
                                  "StopLimit", "StopTrail", "StopTrailLimit"};
    return (unsigned)t < sizeof names / sizeof names[0] ? names[t] : "Unknown";
}

const char *slab_comm_scheme_name(slab_comm_scheme s)
{
    static const char *names[] = {"percent", "per_share", "fixed"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "unknown";
}

const char *slab_exit_reason_name(slab_exit_reason r)
{
    static const char *names[] = {"open",         "signal",        "stop_loss", "take_profit",
                                  "trailing_stop", "time_exit",    "end_of_data", "margin",
                                  "session_close"};
    return (unsigned)r < sizeof names / sizeof names[0] ? names[r] : "unknown";
}

slab_status slab_sizer_parse(const char *s, slab_sizer *out, slab_error *err)
{
    static const struct {
        const char *prefix;
        slab_sizer_kind kind;
        double max;
    } kinds[] = {{"percent_int:", SLAB_SIZER_PERCENT_INT, 100.0},
                 {"percent:", SLAB_SIZER_PERCENT, 100.0},
                 {"fixed:", SLAB_SIZER_FIXED, 1e15}};
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t l = strlen(kinds[i].prefix);
        if (strncmp(s, kinds[i].prefix, l) != 0)
            continue;
        char *end;
        double v = strtod(s + l, &end);
        if (end == s + l || *end || !(v > 0.0) || v > kinds[i].max)
            return slab_error_set(err, SLAB_EINVAL, "--sizer",
                                  "bad amount in '%s': expected a number in (0, %g]", s,
                                  kinds[i].max);
        out->kind = kinds[i].kind;
        out->amount = v;
        return SLAB_OK;
    }
    return slab_error_set(err, SLAB_EINVAL, "--sizer",
                          "unknown sizer '%s'; use percent:95, percent_int:95 or fixed:N", s);
}
