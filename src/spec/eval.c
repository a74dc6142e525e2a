/* eval.c: evaluates a compiled spec's static nodes over whole arrays, once
 * per run, in topological order (spec_program.h gives the semantics), and
 * the scalar form of the same operations for dynamic nodes and constant
 * folding. Every kernel is causal: value i reads inputs 0..i only (the
 * indicator kernels promise the same), which the truncation test checks.
 * One allocation holds every array of a run. */
#include "spec/spec_int.h"

#include <math.h>
#include <string.h>

/* Kleene logic on 1/0/NaN. */
static double k_and(double a, double b)
{
    if (a == 0.0 || b == 0.0)
        return 0.0;
    return isnan(a) || isnan(b) ? NAN : 1.0;
}

static double k_or(double a, double b)
{
    if (a == 1.0 || b == 1.0)
        return 1.0;
    return isnan(a) || isnan(b) ? NAN : 0.0;
}

static double cmp(int op, double a, double b)
{
    if (isnan(a) || isnan(b))
        return NAN;
    switch (op) {
    case SLAB_SPEC_LT: return a < b;
    case SLAB_SPEC_LE: return a <= b;
    case SLAB_SPEC_GT: return a > b;
    case SLAB_SPEC_GE: return a >= b;
    case SLAB_SPEC_EQ: return a == b;
    default: return a != b;
    }
}

static double func(int kind, double a, double b)
{
    switch (kind) {
    case SLAB_SPEC_FN_ABS: return fabs(a);
    case SLAB_SPEC_FN_LOG: return log(a);
    case SLAB_SPEC_FN_EXP: return exp(a);
    case SLAB_SPEC_FN_SQRT: return sqrt(a);
    case SLAB_SPEC_FN_SIGN: return isnan(a) ? NAN : (a > 0.0) - (a < 0.0);
    case SLAB_SPEC_FN_LEAST: return isnan(a) || isnan(b) ? NAN : (b < a ? b : a);
    default: return isnan(a) || isnan(b) ? NAN : (b > a ? b : a);
    }
}

double slab__spec_eval_scalar(const slab_spec_node *n, const double *v)
{
    double a = n->n_args > 0 ? v[n->arg[0]] : 0.0, b = n->n_args > 1 ? v[n->arg[1]] : 0.0;
    switch (n->op) {
    case SLAB_SPEC_CONST: return n->value;
    case SLAB_SPEC_NEG: return -a;
    case SLAB_SPEC_ADD: return a + b;
    case SLAB_SPEC_SUB: return a - b;
    case SLAB_SPEC_MUL: return a * b;
    case SLAB_SPEC_DIV: return a / b;
    case SLAB_SPEC_POW: return pow(a, b);
    case SLAB_SPEC_LT:
    case SLAB_SPEC_LE:
    case SLAB_SPEC_GT:
    case SLAB_SPEC_GE:
    case SLAB_SPEC_EQ:
    case SLAB_SPEC_NE: return cmp(n->op, a, b);
    case SLAB_SPEC_AND: return k_and(a, b);
    case SLAB_SPEC_OR: return k_or(a, b);
    case SLAB_SPEC_NOT: return isnan(a) ? NAN : a == 0.0;
    case SLAB_SPEC_IF: return isnan(a) ? NAN : a != 0.0 ? b : v[n->arg[2]];
    case SLAB_SPEC_FUNC: return func(n->kind, a, b);
    default: return NAN;
    }
}

/* ---- array kernels ------------------------------------------------------------- */

static void elementwise(const slab_spec_node *node, double *const *val, size_t n, double *out)
{
    const double *a = node->n_args > 0 ? val[node->arg[0]] : NULL;
    const double *b = node->n_args > 1 ? val[node->arg[1]] : NULL;
    switch (node->op) {
    case SLAB_SPEC_NEG:
        for (size_t i = 0; i < n; i++)
            out[i] = -a[i];
        return;
    case SLAB_SPEC_ADD:
        for (size_t i = 0; i < n; i++)
            out[i] = a[i] + b[i];
        return;
    case SLAB_SPEC_SUB:
        for (size_t i = 0; i < n; i++)
            out[i] = a[i] - b[i];
        return;
    case SLAB_SPEC_MUL:
        for (size_t i = 0; i < n; i++)
            out[i] = a[i] * b[i];
        return;
    case SLAB_SPEC_DIV:
        for (size_t i = 0; i < n; i++)
            out[i] = a[i] / b[i];
        return;
    case SLAB_SPEC_AND:
        for (size_t i = 0; i < n; i++)
            out[i] = k_and(a[i], b[i]);
        return;
    case SLAB_SPEC_OR:
        for (size_t i = 0; i < n; i++)
            out[i] = k_or(a[i], b[i]);
        return;
    case SLAB_SPEC_IF: {
        const double *e = val[node->arg[2]];
        for (size_t i = 0; i < n; i++)
            out[i] = isnan(a[i]) ? NAN : a[i] != 0.0 ? b[i] : e[i];
        return;
    }
    default: break;
    }
    if (node->op >= SLAB_SPEC_LT && node->op <= SLAB_SPEC_NE) {
        for (size_t i = 0; i < n; i++)
            out[i] = cmp(node->op, a[i], b[i]);
        return;
    }
    for (size_t i = 0; i < n; i++) /* POW, NOT, FUNC */
        out[i] = node->op == SLAB_SPEC_POW   ? pow(a[i], b[i])
                 : node->op == SLAB_SPEC_NOT ? (isnan(a[i]) ? NAN : a[i] == 0.0)
                                             : func(node->kind, a[i], b ? b[i] : 0.0);
}

static void clock_values(int kind, const int64_t *ts, size_t n, double *out)
{
    for (size_t i = 0; i < n; i++) {
        int64_t day = slab_ts_day(ts[i]);
        int y, m, d;
        switch (kind) {
        case SLAB_SPEC_CLOCK_TIME:
            out[i] = (double)(ts[i] - day * SLAB_NS_PER_DAY) / (60.0 * SLAB_NS_PER_SEC);
            break;
        case SLAB_SPEC_CLOCK_DAY: out[i] = (double)day; break;
        case SLAB_SPEC_CLOCK_WEEKDAY: out[i] = slab_weekday(day); break;
        default:
            slab_civil_from_days(day, &y, &m, &d);
            out[i] = kind == SLAB_SPEC_CLOCK_MONTH ? m : y;
            break;
        }
    }
}

/* Running per-day aggregates: the day of bar i is slab_ts_day(ts[i]). */
static void session_values(int kind, const double *x, const double *cond, const int64_t *ts,
                           size_t n, double *out)
{
    int64_t day = INT64_MIN;
    double acc = NAN, prev_last = NAN, last = NAN, first = NAN;
    for (size_t i = 0; i < n; i++) {
        int64_t d = slab_ts_day(ts[i]);
        if (d != day) {
            if (day != INT64_MIN)
                prev_last = last;
            day = d;
            acc = kind == SLAB_SPEC_SESS_COUNT ? 0.0 : NAN;
            first = x[i];
        }
        last = x[i];
        int on = cond[i] == 1.0;
        switch (kind) {
        case SLAB_SPEC_SESS_MAX:
            if (on && !isnan(x[i]) && !(x[i] <= acc))
                acc = x[i];
            out[i] = acc;
            break;
        case SLAB_SPEC_SESS_MIN:
            if (on && !isnan(x[i]) && !(x[i] >= acc))
                acc = x[i];
            out[i] = acc;
            break;
        case SLAB_SPEC_SESS_COUNT:
            acc += on;
            out[i] = acc;
            break;
        case SLAB_SPEC_SESS_FIRST: out[i] = first; break;
        default: out[i] = prev_last; break;
        }
    }
}

/* Cross-sectional kernels over k members: member s's series is x[s]. */
static void xsect_values(int kind, const double *const *x, size_t k, size_t n, double *const *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t m = 0;
        double sum = 0.0;
        for (size_t s = 0; s < k; s++)
            if (!isnan(x[s][i])) {
                m++;
                sum += x[s][i];
            }
        double mean = m ? sum / (double)m : NAN, ss = 0.0;
        if (kind == SLAB_SPEC_XS_ZSCORE)
            for (size_t s = 0; s < k; s++)
                if (!isnan(x[s][i]))
                    ss += (x[s][i] - mean) * (x[s][i] - mean);
        double sd = m ? sqrt(ss / (double)m) : NAN;
        for (size_t s = 0; s < k; s++) {
            double v = x[s][i];
            if (isnan(v)) {
                out[s][i] = NAN;
                continue;
            }
            if (kind == SLAB_SPEC_XS_MEAN) {
                out[s][i] = mean;
                continue;
            }
            if (kind == SLAB_SPEC_XS_ZSCORE) {
                out[s][i] = sd > 0.0 ? (v - mean) / sd : 0.0;
                continue;
            }
            double below = 0.0;
            for (size_t t = 0; t < k; t++)
                if (t != s && !isnan(x[t][i]))
                    below += x[t][i] < v ? 1.0 : x[t][i] == v ? 0.5 : 0.0;
            out[s][i] = m > 1 ? below / (double)(m - 1) : 0.5;
        }
    }
}

void slab__spec_values_free(spec_values *v)
{
    if (!v)
        return;
    slab_free(v->values);
    slab_free(v->outs);
    slab_free(v->storage);
    memset(v, 0, sizeof *v);
}

/* How many arrays node needs of its own. */
static size_t own_arrays(const slab_spec_node *node)
{
    if (node->dynamic || !node->used)
        return 0;
    switch (node->op) {
    case SLAB_SPEC_COLUMN:
    case SLAB_SPEC_FIELD: return 0;
    case SLAB_SPEC_IND: return (size_t)node->ind->n_outputs;
    case SLAB_SPEC_LAG:
    default: return 1;
    }
}

/* Allocates out's arrays for prog over n bars (values filled later). */
static slab_status alloc_values(const slab_spec_program *prog, size_t n, spec_values *out,
                                slab_error *err)
{
    size_t m = prog->n_nodes, total = 0;
    memset(out, 0, sizeof *out);
    out->n = n;
    for (size_t id = 0; id < m; id++)
        total += own_arrays(&prog->nodes[id]);
    out->values = slab_calloc(m ? m : 1, sizeof *out->values);
    out->outs = slab_calloc(m ? m : 1, sizeof *out->outs);
    if (total && n > SIZE_MAX / sizeof(double) / total)
        return slab_error_set(err, SLAB_ELIMIT, NULL, "the spec's arrays do not fit in memory");
    out->storage = slab_malloc((total ? total : 1) * (n ? n : 1) * sizeof(double));
    if (!out->values || !out->outs || !out->storage) {
        slab__spec_values_free(out);
        return slab_error_set(err, SLAB_ENOMEM, NULL,
                              "out of memory for the spec's %zu arrays of %zu bars", total, n);
    }
    return SLAB_OK;
}

/* Evaluates node id of one member (its own arrays at mine); XSECT nodes
 * are done by the caller across every member. */
static slab_status eval_node(const slab_spec_program *prog, size_t id, const double *const *cols,
                             const int64_t *ts, size_t n, spec_values *out, double *mine,
                             slab_error *err)
{
    const slab_spec_node *node = &prog->nodes[id];
    switch (node->op) {
    case SLAB_SPEC_CONST:
        for (size_t i = 0; i < n; i++)
            mine[i] = node->value;
        out->values[id] = mine;
        break;
    case SLAB_SPEC_COLUMN: out->values[id] = (double *)cols[node->kind]; break;
    case SLAB_SPEC_CLOCK:
        clock_values(node->kind, ts, n, mine);
        out->values[id] = mine;
        break;
    case SLAB_SPEC_FIELD: out->values[id] = out->outs[node->arg[0]] + (size_t)node->kind * n; break;
    case SLAB_SPEC_IND: {
        const double *in[SLAB_IND_MAX_INPUTS];
        double *o[SLAB_IND_MAX_OUTPUTS];
        for (int k = 0; k < node->n_args; k++)
            in[k] = out->values[node->arg[k]];
        for (int k = 0; k < node->ind->n_outputs; k++)
            o[k] = mine + (size_t)k * n;
        out->outs[id] = mine;
        out->values[id] = mine; /* the first output (the only one, mostly) */
        slab_status st = node->ind->fn(in, n, node->params, o, err);
        if (st != SLAB_OK)
            return st;
        break;
    }
    case SLAB_SPEC_LAG: {
        const double *x = out->values[node->arg[0]];
        size_t k = (size_t)node->kind;
        for (size_t i = 0; i < n; i++)
            mine[i] = i >= k ? x[i - k] : NAN;
        out->values[id] = mine;
        break;
    }
    case SLAB_SPEC_SESSION:
        session_values(node->kind, out->values[node->arg[0]], out->values[node->arg[1]], ts, n,
                       mine);
        out->values[id] = mine;
        break;
    case SLAB_SPEC_XSECT: out->values[id] = mine; break;
    default:
        elementwise(node, out->values, n, mine);
        out->values[id] = mine;
        break;
    }
    return SLAB_OK;
}

slab_status slab__spec_eval_multi(const slab_spec_program *prog, const double *const *const *cols,
                                  const int64_t *ts, size_t n, size_t k, spec_values *out,
                                  slab_error *err)
{
    size_t m = prog->n_nodes;
    slab_status st;
    double **next = slab_calloc(k ? k : 1, sizeof *next);
    const double **xs = slab_calloc(k ? k : 1, sizeof *xs);
    double **os = slab_calloc(k ? k : 1, sizeof *os);
    for (size_t s = 0; s < k; s++)
        memset(&out[s], 0, sizeof out[s]);
    if (!next || !xs || !os) {
        st = slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory for the spec's universe");
        goto done;
    }
    for (size_t s = 0; s < k; s++) {
        if ((st = alloc_values(prog, n, &out[s], err)) != SLAB_OK)
            goto done;
        next[s] = out[s].storage;
    }
    for (size_t id = 0; id < m; id++) {
        const slab_spec_node *node = &prog->nodes[id];
        size_t own = own_arrays(node);
        for (size_t s = 0; s < k; s++) {
            double *mine = next[s];
            next[s] += own * n;
            if (node->dynamic || !node->used)
                continue;
            if ((st = eval_node(prog, id, cols[s], ts, n, &out[s], mine, err)) != SLAB_OK)
                goto done;
        }
        if (node->op == SLAB_SPEC_XSECT && !node->dynamic && node->used) {
            for (size_t s = 0; s < k; s++) {
                xs[s] = out[s].values[node->arg[0]];
                os[s] = out[s].values[id];
            }
            xsect_values(node->kind, xs, k, n, os);
        }
    }
    st = SLAB_OK;
done:
    if (st != SLAB_OK)
        for (size_t s = 0; s < k; s++)
            slab__spec_values_free(&out[s]);
    slab_free(next);
    slab_free(xs);
    slab_free(os);
    return st;
}

slab_status slab__spec_eval(const slab_spec_program *prog, const double *const *cols,
                            const int64_t *ts, size_t n, spec_values *out, slab_error *err)
{
    const double *const *one[1] = {cols};
    return slab__spec_eval_multi(prog, one, ts, n, 1, out, err);
}
