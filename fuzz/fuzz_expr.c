/* fuzz_expr.c: libFuzzer harness for the spec expression compiler alone
 * (slab_spec_check_expr: tokenizer, parser, name resolution, DAG
 * building), with backtrader conventions. Checks beyond ASan+UBSan: SLAB_OK
 * exactly when no error was found; every diagnostic has a code and a
 * message, and a column inside the expression (0 = none) no further than
 * one past its end. Run: scripts/fuzz.sh expr SECONDS. */
#include "stratlab/spec.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    slab_diags d;
    slab_diags_init(&d);
    slab_status st = slab_spec_check_expr((const char *)data, size, &d);
    if ((st == SLAB_OK) != (d.n_errors == 0) || (st != SLAB_OK && st != SLAB_EINVAL))
        abort();
    for (size_t i = 0; i < d.n; i++) {
        const slab_diag *g = &d.items[i];
        if (!g->code[0] || !g->message[0] || g->expr_column < 0 ||
            (size_t)g->expr_column > size + 1) {
            fprintf(stderr, "bad diagnostic: code '%s' column %d (of %zu) '%s'\n", g->code,
                    g->expr_column, size, g->message);
            abort();
        }
    }
    slab_diags_clear(&d);
    return 0;
}
