/* cmd_sweep.c: `stratlab sweep` and `stratlab sweep merge` (docs/sweeps.md).
 * A sweep takes every `run` option (the one table, options.h, read by
 * cmd_run.c's cli_run_read_options) plus the grid: `--param NAME=LIST`
 * with a comma list or a range a:b:step makes an axis, a single value
 * fixes a strategy parameter or sets a run option as its flag would. The
 * sweep library (sweep.h) runs the grid on --jobs threads and hands the
 * JSON lines back in grid order; they go to --out FILE.jsonl (written as
 * FILE.jsonl.part and renamed when complete) or stdout. --rank adds the
 * summary (top lines, deflated Sharpe, PBO, stability), as text or JSON,
 * and --report draws it as HTML. `sweep merge` checks shard files and
 * writes the unsharded lines, byte for byte.
 * Uses only the public headers. */
#include "cli.h"

#include "stratlab/data.h"
#include "stratlab/json.h"
#include "stratlab/options.h"
#include "stratlab/result.h"
#include "stratlab/strategies.h"
#include "stratlab/sweep.h"
#include "stratlab/sweep_report.h"
#include "stratlab/text.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARGS_MAX 512

/* ---- the flags a sweep adds to run's ------------------------------------------ */

/* What the sweep's own flags say. */
typedef struct sweep_args {
    const char *out, *shard, *where, *rank, *summary, *report, *heatmap, *lang, *jobs, *samples,
        *seed, *top, *train, *test, *equity;
    int progress, anchored, json;
    const char *axes[SLAB_GRID_MAX_AXES]; /* "name=LIST" */
    size_t n_axes;
    char *rest[ARGS_MAX]; /* argv for the run options (rest[0] = the command) */
    int n_rest;
    const char *files[ARGS_MAX]; /* merge: the shard files */
    size_t n_files;
} sweep_args;

/* A sweep flag with a value: its name and where its value goes. */
typedef struct vflag {
    const char *flag;
    size_t off;
} vflag;

#define VF(f, m) {f, offsetof(sweep_args, m)}
static const vflag sweep_vflags[] = {
    VF("--out", out),         VF("--shard", shard),     VF("--where", where),
    VF("--rank", rank),       VF("--summary", summary), VF("--report", report),
    VF("--heatmap", heatmap), VF("--lang", lang),       VF("--jobs", jobs),
    VF("--samples", samples), VF("--seed", seed),       VF("--top", top),
    {NULL, 0}};
static const vflag merge_vflags[] = {
    VF("--out", out),       VF("--rank", rank),       VF("--summary", summary),
    VF("--report", report), VF("--heatmap", heatmap), VF("--lang", lang),
    VF("--top", top),       {NULL, 0}};
static const vflag wf_vflags[] = {
    VF("--rank", rank),   VF("--train", train), VF("--test", test),     VF("--jobs", jobs),
    VF("--where", where), VF("--lang", lang),   VF("--equity", equity), VF("--samples", samples),
    VF("--seed", seed),   VF("--out", out),     {NULL, 0}};
#undef VF

/* Splits argv into the sweep's flags and the run options' words. With
 * files != 0 (merge) words that are not flags are shard files. Returns 0 or
 * a usage exit code (printed). */
static int split_args(int argc, char **argv, const vflag *vf, int files, int wf, sweep_args *a)
{
    memset(a, 0, sizeof *a);
    a->rest[a->n_rest++] = argv[0];
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t nl = eq && !strncmp(arg, "--", 2) ? (size_t)(eq - arg) : strlen(arg);
        const char *inl = eq && !strncmp(arg, "--", 2) ? eq + 1 : NULL;
        const vflag *hit = NULL;
        for (const vflag *f = vf; f->flag; f++)
            if (strlen(f->flag) == nl && !strncmp(arg, f->flag, nl))
                hit = f;
        if (!strcmp(arg, "--json")) {
            a->json = 1;
            if (!files)
                a->rest[a->n_rest++] = argv[i]; /* run's own --json row: harmless */
            continue;
        }
        if (!strcmp(arg, "--progress") && !files) {
            a->progress = 1;
            continue;
        }
        if (wf && !strcmp(arg, "--anchored")) {
            a->anchored = 1;
            continue;
        }
        int is_param = !files && nl == 7 && !strncmp(arg, "--param", 7);
        if (hit || is_param) {
            const char *v = inl;
            char flag[32];
            snprintf(flag, sizeof flag, "%.*s", (int)nl, arg);
            if (!v) {
                if (i + 1 >= argc)
                    return cli_error(SLAB_EC_MISSING_VALUE, flag, NULL, "%s needs a value",
                                     flag);
                v = argv[++i];
            }
            if (is_param) {
                const char *e2 = strchr(v, '=');
                if (e2 && slab_grid_is_list(e2 + 1)) {
                    if (a->n_axes >= SLAB_GRID_MAX_AXES)
                        return cli_error(SLAB_EC_BAD_VALUE, "--param", NULL,
                                         "at most %d swept parameters", SLAB_GRID_MAX_AXES);
                    a->axes[a->n_axes++] = v;
                    continue;
                }
                if (a->n_rest + 2 >= ARGS_MAX)
                    return cli_error(SLAB_EC_BAD_VALUE, NULL, NULL, "too many arguments");
                a->rest[a->n_rest++] = "--param";
                a->rest[a->n_rest++] = (char *)v;
                continue;
            }
            const char **slot = (const char **)((char *)a + hit->off);
            if (*slot)
                return cli_error(SLAB_EC_REPEATED_OPTION, flag, "give it once",
                                 "%s given twice", flag);
            *slot = v;
            continue;
        }
        if (files && strncmp(arg, "--", 2)) {
            if (a->n_files < ARGS_MAX)
                a->files[a->n_files++] = arg;
            continue;
        }
        if (files)
            return cli_error(SLAB_EC_UNKNOWN_OPTION, arg,
                             "sweep merge takes shard files and --out, --rank, --top, "
                             "--summary, --report, --heatmap, --lang, --json",
                             "unknown option %s", arg);
        if (a->n_rest + 1 >= ARGS_MAX)
            return cli_error(SLAB_EC_BAD_VALUE, NULL, NULL, "too many arguments");
        a->rest[a->n_rest++] = argv[i];
    }
    a->rest[a->n_rest] = NULL;
    return 0;
}

/* A whole number in [lo, hi] from flag's text. */
static int whole(const char *flag, const char *text, uint64_t lo, uint64_t hi, uint64_t *out)
{
    char *end;
    errno = 0;
    unsigned long long v = text[0] == '-' ? 0 : strtoull(text, &end, 10);
    if (text[0] == '-' || end == text || *end || errno || v < lo || v > hi)
        return cli_error(SLAB_EC_BAD_VALUE, flag, NULL,
                         "%s must be a whole number from %" PRIu64 " to %" PRIu64 ", got '%s'",
                         flag, lo, hi, text);
    *out = v;
    return 0;
}

/* ---- run options as axes (the hooks slab_sweep_options asks for) ------------- */

/* The options every combination starts from (checked). */
typedef struct opt_ctx {
    const slab_run_options *base;
} opt_ctx;

/* The table row an axis or fixed --param may set: a broker or risk setting. */
static const slab_opt_def *sweepable(const char *name)
{
    const slab_opt_def *d = slab_run_options_find(name);
    if (!d || !d->field || (strncmp(d->field, "broker.", 7) && strncmp(d->field, "risk.", 5)))
        return NULL;
    return d;
}

static int opt_known(void *user, const char *name)
{
    (void)user;
    return sweepable(name) != NULL;
}

/* Sets row d from text as its flag would; a FLAG row takes 1/0 (true/false,
 * on/off). err's location is --param NAME. */
static slab_status set_one(slab_run_options *o, const slab_opt_def *d, const char *text,
                           slab_error *err)
{
    char where[96];
    slab_status st;
    snprintf(where, sizeof where, "--param %s", d->name);
    if (d->type == SLAB_OPT_FLAG) {
        int on = !strcmp(text, "1") || !strcmp(text, "true") || !strcmp(text, "on");
        int off = !strcmp(text, "0") || !strcmp(text, "false") || !strcmp(text, "off");
        if (!on && !off)
            return slab_error_fail(err, SLAB_EC_BAD_VALUE, where,
                                   "%s is a switch: give 1 or 0 (true/false), got '%s'", d->name,
                                   text);
        if (off && !d->negation) /* off is the default of a switch without a --no- form */
            return SLAB_OK;
        st = slab_run_options_set(o, d, off, NULL, err);
    } else {
        st = slab_run_options_set(o, d, 0, text, err);
    }
    if (st != SLAB_OK)
        slab_error_at_option(err, where);
    return st;
}

static slab_status opt_apply(void *user, const char *const *names, const char *const *texts,
                             size_t n, slab_broker_config *broker, slab_risk_config *risk,
                             slab_error *err)
{
    const opt_ctx *c = user;
    slab_run_options *o = malloc(sizeof *o);
    slab_status st = SLAB_OK;
    if (!o)
        return slab_error_set(err, SLAB_ENOMEM, NULL, "out of memory");
    memcpy(o, c->base, sizeof *o);
    for (size_t k = 0; k < n && st == SLAB_OK; k++) {
        const slab_opt_def *d = sweepable(names[k]);
        st = d ? set_one(o, d, texts[k], err)
               : slab_error_set(err, SLAB_EINVAL, NULL, "%s is not a run option", names[k]);
    }
    if (st == SLAB_OK && (st = slab_run_options_check(o, err)) != SLAB_OK && n == 1) {
        char where[96];
        snprintf(where, sizeof where, "--param %s", names[0]);
        slab_error_at_option(err, where);
    }
    if (st == SLAB_OK) {
        *broker = o->broker;
        *risk = o->risk;
    }
    free(o);
    return st;
}

/* ---- the shared setup of sweep and walkforward ------------------------------- */

/* Everything a sweep needs, owned. */
typedef struct sweep_setup {
    slab_run_options o;
    json_t *cfg;
    const slab_strategy_def *def;
    const char *fixed[SLAB_RUN_PARAMS_MAX]; /* fixed "name=value" strategy parameters */
    size_t n_fixed;
    slab_bars *bars;                    /* feeds[0] */
    slab_bars *feeds[SLAB_FEEDS_MAX];   /* every --data/--symbol (owned) */
    size_t n_feeds;
    slab_earnings *earnings;            /* skip_earnings' calendar (owned) */
    size_t n_earnings;
    slab_grid *g;
    opt_ctx octx;
    slab_sweep_options hooks;
    slab_sweep_spec spec;
    slab_lang lang;
    int jobs;
} sweep_setup;

static void setup_clear(sweep_setup *s)
{
    json_decref(s->cfg);
    for (size_t k = 0; k < s->n_feeds; k++)
        slab_bars_free(s->feeds[k]);
    slab_free(s->earnings);
    slab_grid_free(s->g);
}

/* A library error about the command line: exit status 2 unless it is
 * memory or I/O. */
static int usage_fail(slab_error *err)
{
    if (err->code != SLAB_ENOMEM && err->code != SLAB_EIO) {
        slab_errcode c = slab_error_code(err);
        if (c == SLAB_EC_INVALID_ARGUMENT || c == SLAB_EC_OUT_OF_RANGE ||
            c == SLAB_EC_PARSE_ERROR || c == SLAB_EC_LIMIT_REACHED || c == SLAB_EC_NOT_FOUND)
            slab_error_set_code(err, c == SLAB_EC_NOT_FOUND ? SLAB_EC_UNKNOWN_PARAM
                                                            : SLAB_EC_BAD_VALUE);
    }
    return cli_fail(err);
}

static int is_strategy_param(const slab_strategy_def *def, const char *name, size_t len)
{
    for (int k = 0; k < def->n_params; k++)
        if (strlen(def->params[k].name) == len && !strncmp(def->params[k].name, name, len))
            return 1;
    return 0;
}

/* The earnings calendar a strategy's skip_earnings reads, loaded as `run`
 * loads it when a combination may turn it on (a fixed skip_earnings other
 * than 0, or an axis of it): the traded symbol's rows. */
static int load_calendar(sweep_setup *s, const sweep_args *a)
{
    int want = 0;
    if (!is_strategy_param(s->def, "skip_earnings", strlen("skip_earnings")))
        return 0;
    for (size_t k = 0; k < s->n_fixed; k++)
        want |= !strncmp(s->fixed[k], "skip_earnings=", 14) && strtod(s->fixed[k] + 14, NULL) != 0;
    for (size_t k = 0; k < a->n_axes; k++)
        want |= !strncmp(a->axes[k], "skip_earnings=", 14);
    return want ? cli_run_load_earnings(&s->o, s->bars->symbol, &s->earnings, &s->n_earnings) : 0;
}

/* Reads the run options, the strategy, the data and the grid. */
static int setup_open(sweep_setup *s, sweep_args *a, const char *cmd)
{
    slab_error err;
    int rc;
    uint64_t v;

    /* a worker per online CPU unless --jobs says otherwise: the lines are
     * the same bytes for any count */
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    s->jobs = cpus < 1 ? 1 : cpus > 64 ? 64 : (int)cpus;
    if (a->lang && slab_lang_parse(a->lang, &s->lang, &err) != SLAB_OK) {
        slab_error_at_option(&err, "--lang");
        return usage_fail(&err);
    }
    if (a->jobs) {
        if ((rc = whole("--jobs", a->jobs, 1, 1024, &v)))
            return rc;
        s->jobs = (int)v;
    }
    if ((rc = cli_run_read_options(a->n_rest, a->rest, &s->o, &s->cfg)))
        return rc;
    /* walkforward's own options are checked after the run options, so an
     * unknown flag is named before a missing --train is */
    const char *need = strcmp(cmd, "walkforward") ? NULL
                       : !a->train                ? "--train"
                       : !a->test                 ? "--test"
                       : !a->rank                 ? "--rank"
                                                  : NULL;
    if (need)
        return cli_error(SLAB_EC_MISSING_OPTION, need,
                         "for example --train 3y --test 1y --rank sharpe_ratio",
                         "walkforward needs --train SPAN, --test SPAN and --rank METRIC");
    const char *other = s->o.spec ? "--spec" : s->o.script ? "--script" : s->o.compare
                            ? "--compare" : s->o.equity ? "--equity" : s->o.schema ? "--schema"
                            : NULL;
    if (other)
        return cli_error(SLAB_EC_CONFLICTING_OPTIONS, other,
                         "sweep a built-in strategy (--strategy NAME); `stratlab run` takes "
                         "specs, scripts and --equity",
                         "%s %s is not supported: it sweeps built-in strategies", cmd, other);
    if (!(s->def = slab_strategy_find(s->o.strategy, &err)))
        return cli_fail(&err);
    /* As in `run`, --param on the command line replaces the parameters a
     * --config file gave: an axis is such a --param. */
    if (a->n_axes && slab_run_options_given(&s->o, slab_run_options_find("params")) == 2)
        s->o.n_params = 0;
    /* A single-valued --param that names a run option (not a strategy
     * parameter) sets that option, as its flag would. */
    for (size_t k = 0; k < s->o.n_params; k++) {
        const char *kv = s->o.params[k], *eq = strchr(kv, '=');
        char name[SLAB_GRID_NAME_MAX];
        const slab_opt_def *d;
        snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - kv) : (int)strlen(kv), kv);
        if (eq && !is_strategy_param(s->def, kv, (size_t)(eq - kv)) && (d = sweepable(name))) {
            if (slab_run_options_given(&s->o, d))
                return cli_error(SLAB_EC_REPEATED_OPTION, d->flag, "give it once",
                                 "%s is given both as %s and as --param %s", name, d->flag, kv);
            if (set_one(&s->o, d, eq + 1, &err) != SLAB_OK ||
                slab_run_options_check(&s->o, &err) != SLAB_OK)
                return cli_fail(&err);
            continue;
        }
        s->fixed[s->n_fixed++] = kv;
    }
    /* Each fixed parameter on its own (together they are checked per
     * combination, with the swept values). */
    for (size_t k = 0; k < s->n_fixed; k++) {
        double pv[64];
        if (s->def->n_params <= 64 &&
            slab_strategy_resolve_params(s->def, &s->fixed[k], 1, pv, &err) != SLAB_OK) {
            const char *eq = strchr(s->fixed[k], '=');
            if (eq && strchr(eq, ':')) /* "fast=1:10": a range without its step */
                slab_error_fix(&err, "a range is three numbers a:b:step (%.*s=1:10:1); a list "
                                     "is comma-separated (%.*s=5,10,20)",
                               (int)(eq - s->fixed[k]), s->fixed[k], (int)(eq - s->fixed[k]),
                               s->fixed[k]);
            return cli_fail(&err);
        }
    }
    if (a->n_axes == 0)
        return cli_error(SLAB_EC_MISSING_OPTION, "--param",
                         "give an axis: --param fast=5,10,20 or --param fast=5:50:5 (a range "
                         "a:b:step)",
                         "%s needs at least one --param NAME=LIST with several values", cmd);
    /* The grid, before the data: its errors are the user's to fix first. */
    if (!(s->g = slab_grid_new()))
        return cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
    for (size_t k = 0; k < a->n_axes; k++) {
        const char *eq = strchr(a->axes[k], '=');
        if (slab_grid_add_axis(s->g, a->axes[k], &err) != SLAB_OK)
            return usage_fail(&err);
        /* a swept run option must not also be given as a flag */
        char name[SLAB_GRID_NAME_MAX];
        const slab_opt_def *d;
        snprintf(name, sizeof name, "%.*s", (int)(eq - a->axes[k]), a->axes[k]);
        if (!is_strategy_param(s->def, name, strlen(name)) && (d = sweepable(name)) &&
            slab_run_options_given(&s->o, d))
            return cli_error(SLAB_EC_CONFLICTING_OPTIONS, d->flag,
                             "leave out the flag, or the axis",
                             "%s is both swept (--param %s) and given (%s)", name, a->axes[k],
                             d->flag);
    }
    if (a->where) {
        const char *names[SLAB_RUN_PARAMS_MAX + 64];
        double vals[SLAB_RUN_PARAMS_MAX + 64];
        size_t n = 0;
        for (int p = 0; p < s->def->n_params && n < 64; p++) {
            const char *pn = s->def->params[p].name;
            if (slab_grid_axis_find(s->g, pn) >= 0)
                continue;
            double x = s->def->params[p].def;
            for (size_t k = 0; k < s->n_fixed; k++) {
                size_t l = strlen(pn);
                if (!strncmp(s->fixed[k], pn, l) && s->fixed[k][l] == '=')
                    x = strtod(s->fixed[k] + l + 1, NULL);
            }
            names[n] = pn;
            vals[n++] = x;
        }
        if (slab_grid_set_where(s->g, a->where, names, vals, n, &err) != SLAB_OK)
            return usage_fail(&err);
    }
    if (a->samples || a->seed) {
        uint64_t n = 0, seed = 0;
        if (!a->samples)
            return cli_error(SLAB_EC_MISSING_OPTION, "--seed", "add --samples N",
                             "--seed draws a random sample: give --samples N with it");
        if ((rc = whole("--samples", a->samples, 1, 1000000000ULL, &n)))
            return rc;
        if (a->seed && (rc = whole("--seed", a->seed, 0, UINT64_MAX, &seed)))
            return rc;
        slab_grid_set_samples(s->g, n, seed);
    }
    if (slab_grid_finish(s->g, &err) != SLAB_OK)
        return usage_fail(&err);
    /* several feeds run as `run` runs them: one clock, the others from
     * days before --from/--date (a market filter's previous session);
     * walk-forward windows slice them the same way (walkforward.c) */
    if ((rc = cli_run_load_feeds(&s->o, s->feeds, &s->n_feeds)))
        return rc;
    s->bars = s->feeds[0];
    if ((rc = load_calendar(s, a)))
        return rc;
    s->octx.base = &s->o;
    s->hooks.known = opt_known;
    s->hooks.apply = opt_apply;
    s->hooks.user = &s->octx;
    memset(&s->spec, 0, sizeof s->spec);
    s->spec.bars = s->bars;
    if (s->n_feeds > 1) {
        s->spec.feeds = (const slab_bars *const *)s->feeds;
        s->spec.n_feeds = s->n_feeds;
        s->spec.preroll_until_ns = cli_run_preroll(&s->o, s->n_feeds);
    }
    s->spec.stamp_end = s->o.stamp_end;
    s->spec.earnings = s->earnings;
    s->spec.n_earnings = s->n_earnings;
    s->spec.strategy = s->def;
    s->spec.params = s->fixed;
    s->spec.n_params = s->n_fixed;
    s->spec.broker = s->o.broker;
    s->spec.risk = s->o.risk;
    s->spec.grid = s->g;
    s->spec.lo = 0;
    s->spec.hi = UINT64_MAX;
    s->spec.jobs = s->jobs;
    s->spec.options = &s->hooks;
    if (slab_sweep_check(&s->spec, &err) != SLAB_OK)
        return usage_fail(&err);
    return 0;
}

/* ---- output --------------------------------------------------------------------- */

/* Where the lines go, and the summary they feed. */
typedef struct sink {
    FILE *f;
    slab_sweep_summary *sum;
    int bad; /* a line the summary could not read */
    slab_error err;
} sink;

static int on_line(void *user, uint64_t pos, const char *line, size_t len)
{
    sink *k = user;
    (void)pos;
    if (k->f && (fwrite(line, 1, len, k->f) != len || putc('\n', k->f) == EOF))
        return 1;
    if (k->sum && !k->bad && slab_sweep_summary_add(k->sum, line, len, &k->err) != SLAB_OK)
        k->bad = 1;
    return 0;
}

/* A count with thousands grouping. */
static const char *count_text(uint64_t n, char *buf, size_t sz)
{
    return slab_fmt_number(SLAB_LANG_EN, (double)n, 0, buf, sz);
}

typedef struct progress_ctx {
    slab_lang lang;
} progress_ctx;

static void on_progress(void *user, uint64_t done, uint64_t total, double elapsed)
{
    const progress_ctx *p = user;
    char a[48], b[48], pct[48], rate[48], left[48], line[256];
    double r = elapsed > 0 ? (double)done / elapsed : 0.0;
    snprintf(pct, sizeof pct, "%.0f", total ? 100.0 * (double)done / (double)total : 100.0);
    snprintf(rate, sizeof rate, "%.0f", r);
    if (r > 0)
        snprintf(left, sizeof left, "%.0f s", (double)(total - done) / r);
    else
        snprintf(left, sizeof left, "?");
    slab_textf(p->lang, "sweep.progress", line, sizeof line, count_text(done, a, sizeof a),
               count_text(total, b, sizeof b), pct, rate, left);
    fprintf(stderr, "\r%s   ", line);
    if (done == total)
        fputc('\n', stderr);
}

/* A number of a summary object as text ("-" when absent). */
/* o's number at key as text: a whole number as it is, a real in fmt
 * (NULL: the shortest text that reads back), "-" when absent. */
static const char *num_text(const json_t *o, const char *key, const char *fmt, char *buf, size_t n)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_integer(v))
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
    else if (json_is_real(v) && fmt)
        snprintf(buf, n, fmt, json_real_value(v));
    else if (json_is_real(v))
        slab_num_format(json_real_value(v), buf, n);
    else
        snprintf(buf, n, "-");
    return buf;
}

static const char *jtext(const json_t *o, const char *key, char *buf, size_t n)
{
    return num_text(o, key, NULL, buf, n);
}

static const char *fixed4(const json_t *o, const char *key, char *buf, size_t n)
{
    const json_t *v = json_object_get(o, key);
    if (json_is_number(v))
        snprintf(buf, n, "%.4f", json_number_value(v));
    else
        snprintf(buf, n, "-");
    return buf;
}

/* A metric for a person: four significant digits (the lines and --json
 * keep every digit). */
static const char *sig4(const json_t *o, const char *key, char *buf, size_t n)
{
    return num_text(o, key, "%.4g", buf, n);
}

/* A statistic that was not computed: its "why" (or note). */
static void not_computed(FILE *f, slab_lang lang, const char *what, const json_t *o)
{
    char line[1024];
    const char *why = json_string_value(json_object_get(o, "why"));
    if (!why)
        why = json_string_value(json_object_get(o, "note"));
    slab_textf(lang, "sweep.not_computed", line, sizeof line, what, why ? why : "-");
    fprintf(f, "  %s\n", line);
}

/* The summary for a person. */
static void print_summary(FILE *f, const json_t *s, slab_lang lang)
{
    char line[1024], a[64], b[64], c[64], d[64];
    const char *metric = json_string_value(json_object_get(s, "rank_by"));
    int max = !strcmp(json_string_value(json_object_get(s, "order")), "max");
    slab_textf(lang, "sweep.ranked", line, sizeof line, metric,
               slab_text(lang, max ? "sweep.higher" : "sweep.lower"),
               jtext(s, "trials", a, sizeof a), jtext(s, "ranked", b, sizeof b));
    fprintf(f, "%s\n", line);
    const json_t *top = json_object_get(s, "top"), *row;
    size_t i;
    json_array_foreach(top, i, row) {
        const json_t *p = json_object_get(row, "params"), *v;
        const char *key;
        fprintf(f, "  %3zu. ", i + 1);
        json_object_foreach((json_t *)p, key, v) {
            if (json_is_string(v))
                fprintf(f, "%s=%s ", key, json_string_value(v));
            else
                fprintf(f, "%s=%s ", key, jtext(p, key, a, sizeof a));
        }
        fprintf(f, " %s %s\n", metric, sig4(json_object_get(row, "metrics"), metric, a, sizeof a));
    }
    const json_t *of = json_object_get(s, "overfitting");
    const json_t *dsr = json_object_get(of, "deflated_sharpe");
    const json_t *pbo = json_object_get(of, "pbo");
    const json_t *st = json_object_get(of, "stability");
    fprintf(f, "%s:\n", slab_text(lang, "sweep.overfitting"));
    if (json_is_number(json_object_get(dsr, "dsr"))) {
        slab_textf(lang, "sweep.dsr", line, sizeof line, fixed4(dsr, "dsr", a, sizeof a),
                   jtext(dsr, "trials", b, sizeof b), fixed4(dsr, "sharpe_annualized", c, sizeof c),
                   fixed4(dsr, "sr0_annualized", d, sizeof d));
        fprintf(f, "  %s\n", line);
    } else {
        not_computed(f, lang, "deflated Sharpe ratio", dsr);
    }
    if (json_is_number(json_object_get(pbo, "pbo"))) {
        double p = json_number_value(json_object_get(pbo, "pbo"));
        double n = json_number_value(json_object_get(pbo, "splits"));
        char cnt[48];
        snprintf(cnt, sizeof cnt, "%.0f", p * n);
        slab_textf(lang, "sweep.pbo", line, sizeof line, fixed4(pbo, "pbo", a, sizeof a), cnt,
                   jtext(pbo, "splits", b, sizeof b), jtext(pbo, "blocks", c, sizeof c));
        fprintf(f, "  %s\n", line);
    } else {
        not_computed(f, lang, "PBO", pbo);
    }
    if (json_is_number(json_object_get(st, "ratio"))) {
        char pct[48];
        slab_fmt_percent(lang, 100.0 * json_number_value(json_object_get(st, "ratio")), 1, 0, pct,
                         sizeof pct);
        slab_textf(lang, "sweep.stability", line, sizeof line,
                   jtext(st, "neighbors", a, sizeof a), pct, metric,
                   sig4(st, "neighbor_min", b, sizeof b));
        fprintf(f, "  %s\n", line);
    } else if (st) {
        not_computed(f, lang, "stability", st);
    }
}

/* Runs the summary's top combinations again for their full result
 * documents (--summary FILE.json), into each top line as "result". */
static int add_documents(json_t *sum, const sweep_setup *s)
{
    json_t *top = json_object_get(sum, "top"), *row;
    size_t i;
    json_array_foreach(top, i, row) {
        json_t *sw = json_object_get(row, "sweep");
        uint64_t pos = (uint64_t)json_integer_value(json_object_get(sw, "index"));
        slab_grid_cursor cur;
        slab_error err;
        double params[SLAB_RUN_PARAMS_MAX + 64];
        slab_broker_config broker;
        slab_risk_config risk;
        if (s->def->n_params > (int)(sizeof params / sizeof params[0]))
            return 0;
        slab_grid_cursor_init(&cur, s->g, pos, pos + 1);
        if (!slab_grid_cursor_next(&cur))
            continue;
        if (slab_sweep_settings(&s->spec, cur.idx, params, &broker, &risk, &err) != SLAB_OK)
            continue; /* the line is an error line */
        json_t *doc = slab_sweep_result_json(&s->spec, cur.idx, s->o.orders, s->o.max_trades,
                                             &err);
        if (!doc)
            return cli_fail(&err);
        json_object_set_new(row, "result", doc);
    }
    return 0;
}

/* The summary, the --summary file and the --report page. stdout_free:
 * the lines did not go to stdout, so the summary may. */
static int finish_summary(slab_sweep_summary *sum, const sweep_args *a, const sweep_setup *s,
                          slab_lang lang, int stdout_free)
{
    slab_error err;
    const char *hx = NULL, *hy = NULL;
    char hbuf[2 * SLAB_GRID_NAME_MAX + 2];
    int rc = 0;
    if (a->heatmap) {
        snprintf(hbuf, sizeof hbuf, "%s", a->heatmap);
        char *comma = strchr(hbuf, ',');
        if (!comma || !comma[1] || comma == hbuf)
            return cli_error(SLAB_EC_BAD_VALUE, "--heatmap", "for example --heatmap fast,slow",
                             "--heatmap takes two axis names X,Y, got '%s'", a->heatmap);
        *comma = '\0';
        hx = hbuf;
        hy = comma + 1;
    }
    json_t *doc = slab_sweep_summary_json(sum, hx, hy, &err);
    if (!doc)
        return usage_fail(&err);
    /* --heatmap names two different axes (the swept names of the lines) */
    const json_t *p0 = json_object_get(json_array_get(json_object_get(doc, "top"), 0), "params");
    if (hx && p0 && (!json_object_get(p0, hx) || !json_object_get(p0, hy) || !strcmp(hx, hy))) {
        char names[512] = "";
        const char *key;
        const json_t *v;
        size_t l = 0;
        json_object_foreach((json_t *)p0, key, v) {
            if (l < sizeof names)
                l += (size_t)snprintf(names + l, sizeof names - l, "%s%s", l ? ", " : "", key);
        }
        json_decref(doc);
        return cli_error(SLAB_EC_BAD_VALUE, "--heatmap", NULL,
                         "--heatmap %s: give two different swept parameters; the swept ones are: "
                         "%s",
                         a->heatmap, names);
    }
    FILE *f = stdout_free ? stdout : stderr;
    if (a->json) {
        if (slab_json_dumpf(doc, f, JSON_INDENT(1)) != 0 || fputc('\n', f) == EOF)
            rc = cli_error(SLAB_EC_WRITE_FAILED, NULL, NULL, "cannot write the summary");
    } else {
        print_summary(f, doc, lang);
    }
    if (!rc && a->report) {
        char *html = NULL;
        size_t len = 0;
        if (slab_sweep_report_html(doc, lang, &html, &len, &err) != SLAB_OK) {
            rc = cli_fail(&err);
        } else {
            FILE *h = fopen(a->report, "w");
            if (!h || fwrite(html, 1, len, h) != len || fclose(h) != 0) {
                if (h)
                    fclose(h);
                rc = cli_error(SLAB_EC_WRITE_FAILED, a->report, NULL,
                               "cannot write the report");
            }
            slab_free(html);
        }
    }
    if (!rc && a->summary) {
        if (s)
            rc = add_documents(doc, s);
        if (!rc && slab_json_dump_file(doc, a->summary, JSON_INDENT(1), &err) != SLAB_OK)
            rc = cli_fail(&err);
    }
    json_decref(doc);
    return rc;
}

/* Opens --out as FILE.part (or stdout). A target that exists and is not a
 * regular file (/dev/null, a FIFO, a terminal) is written directly, part
 * left empty: renaming FILE.part onto it would replace the device with a
 * regular file. */
static int open_out(const char *out, FILE **f, char *part, size_t n)
{
    struct stat st;
    if (!out) {
        *f = stdout;
        return 0;
    }
    if (!*out)
        return cli_error(SLAB_EC_BAD_VALUE, "--out", "leave --out out to write to stdout",
                         "--out needs a file name");
    if (stat(out, &st) == 0 && !S_ISREG(st.st_mode)) {
        part[0] = '\0';
        if (S_ISDIR(st.st_mode) || !(*f = fopen(out, "w")))
            return cli_error(SLAB_EC_WRITE_FAILED, out, "name a file to write the lines to",
                             "cannot write to %s: %s", out,
                             S_ISDIR(st.st_mode) ? "it is a folder" : strerror(errno));
        return 0;
    }
    snprintf(part, n, "%s.part", out);
    if (!(*f = fopen(part, "w")))
        return cli_error(SLAB_EC_WRITE_FAILED, out, "check that the folder exists and is writable",
                         "cannot create %s: %s", part, strerror(errno));
    /* a file nobody reads until it is renamed: written in large pieces
     * (stdio's 4 KiB made a system call for about every line, on the
     * writer thread that shares the cores with the workers) */
    setvbuf(*f, NULL, _IOFBF, (size_t)1 << 20);
    return 0;
}

/* Puts the complete part file in out's place, atomically (out names the
 * old file or the new one at every moment). Where out exists, the two are
 * exchanged and the old one, now under the part's name, is removed:
 * rename() onto an existing file makes ext4 write the new file's data out
 * before it returns (its replace-by-rename safeguard), about 40 ms for a
 * 10,000-line sweep, while the data is as safe either way once the page
 * cache writes it. A file system without the exchange gets rename(). */
static int replace_file(const char *part, const char *out)
{
#ifdef RENAME_EXCHANGE
    if (renameat2(AT_FDCWD, part, AT_FDCWD, out, RENAME_EXCHANGE) == 0) {
        (void)unlink(part); /* the old lines */
        return 0;
    }
#endif
    return rename(part, out);
}

/* Closes the output; renames FILE.part to FILE when ok, else removes it. */
static int close_out(const char *out, FILE *f, const char *part, int ok)
{
    if (!out)
        return ok && fflush(stdout) != 0
                   ? cli_error(SLAB_EC_WRITE_FAILED, NULL, NULL, "cannot write the lines")
                   : 0;
    int bad = fclose(f) != 0;
    if (!part[0]) /* written directly: not a regular file */
        return ok && bad ? cli_error(SLAB_EC_WRITE_FAILED, out, NULL, "cannot write %s", out) : 0;
    if (!ok || bad) {
        remove(part);
        return ok ? cli_error(SLAB_EC_WRITE_FAILED, out, NULL, "cannot write %s", part) : 0;
    }
    if (replace_file(part, out) != 0)
        return cli_error(SLAB_EC_WRITE_FAILED, out, NULL, "cannot rename %s: %s", part,
                         strerror(errno));
    return 0;
}

static slab_sweep_summary *new_summary(const sweep_args *a, int *rc)
{
    char metric[64];
    int desc;
    slab_error err;
    uint64_t top = 10;
    *rc = 0;
    if (a->top && (*rc = whole("--top", a->top, 1, 10000, &top)))
        return NULL;
    if (!a->rank) {
        if (a->top || a->report || a->summary || a->heatmap)
            *rc = cli_error(SLAB_EC_MISSING_OPTION, "--rank",
                            "add --rank METRIC, e.g. --rank sharpe_ratio",
                            "--top, --summary, --report and --heatmap rank the lines: give "
                            "--rank METRIC");
        return NULL;
    }
    if (slab_sweep_rank_parse(a->rank, metric, &desc, &err) != SLAB_OK) {
        slab_error_at_option(&err, "--rank");
        *rc = usage_fail(&err);
        return NULL;
    }
    slab_sweep_summary *s = slab_sweep_summary_new(metric, desc, (size_t)top);
    if (!s)
        *rc = cli_error(SLAB_EC_OUT_OF_MEMORY, NULL, NULL, "out of memory");
    return s;
}

/* ---- help --------------------------------------------------------------------------- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab sweep --strategy NAME (--data FILE | --symbol SYM)\n"
            "                      --param NAME=LIST [--param ...] [options]\n"
            "       stratlab sweep merge FILES... [--out F] [--rank METRIC] [--report F]\n"
            "\n"
            "Runs the strategy once for every combination of the --param axes and writes\n"
            "one JSON line per combination, in grid order (the first --param varies\n"
            "slowest): {\"params\", \"metrics\" (as `run --json`), \"run_id\", \"daily\",\n"
            "\"sweep\"}. The same bytes for any --jobs and any sharding. docs/sweeps.md.\n"
            "\n"
            "The grid:\n"
            "  --param NAME=LIST       an axis: comma list (5,10,20) or range a:b:step\n"
            "                          (5:50:5; b included when the steps land on it; units\n"
            "                          kept: 1%%:3%%:0.5%%). NAME is a strategy parameter or a\n"
            "                          run option by its JSON name (trail, stop_loss, sizer,\n"
            "                          commission, ...). One value fixes it, as in `run`.\n"
            "  --where EXPR            keep combinations where EXPR holds: 'fast < slow'\n"
            "  --samples N             run N distinct combinations drawn at random\n"
            "  --seed S                the draw's seed (default 0)\n"
            "\n"
            "Running and output:\n"
            "  --jobs N                worker threads (default: one per CPU)\n"
            "  --shard i/N             run only shard i of N (1-based), for other machines\n"
            "  --out FILE.jsonl        write the lines there (else stdout)\n"
            "  --progress              progress and time left on stderr\n"
            "\n"
            "Ranking and overfitting (summary on stdout when the lines go to --out, else\n"
            "on stderr; --json: as JSON):\n"
            "  --rank METRIC[:max|:min] rank by a key of metrics (sharpe_ratio, ...)\n"
            "  --top N                 best lines kept (default 10)\n"
            "  --heatmap X,Y           the report's heatmap axes (default the first two)\n"
            "  --summary FILE.json     the summary, each top line with its full result\n"
            "  --report FILE.html      the summary as an HTML page\n"
            "  --lang en|zh            the summary's language\n"
            "\n"
            "sweep merge FILES...: checks that the shard files hold one sweep, every\n"
            "position exactly once, and writes the lines in order: the unsharded output.\n"
            "A missing, repeated or foreign shard fails with exit status 3.\n"
            "\n"
            "Every `run` option applies to every combination:\n");
    cli_run_options_help(out);
    fprintf(out, "\nExit status: 0 ok, 1 no combination could run, 2 usage (fix the command),\n"
                 "3 input data (a file, a shard), 4 system (I/O, memory), 5 internal error.\n");
}

/* ---- sweep merge ------------------------------------------------------------------------ */

static int cmd_merge(int argc, char **argv)
{
    sweep_args a;
    slab_error err;
    slab_lang lang = SLAB_LANG_EN;
    int rc;
    char part[4096];
    FILE *f = NULL;

    cli_command = "sweep merge";
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("sweep merge", usage);
    if ((rc = split_args(argc, argv, merge_vflags, 1, 0, &a)))
        return rc;
    if (!a.n_files)
        return cli_error(SLAB_EC_MISSING_OPTION, NULL,
                         "stratlab sweep merge part-*.jsonl --out all.jsonl",
                         "give the shard files to merge");
    if (a.lang && slab_lang_parse(a.lang, &lang, &err) != SLAB_OK)
        return usage_fail(&err);
    slab_sweep_summary *sum = new_summary(&a, &rc);
    if (rc)
        return rc;
    /* Validation happens before anything is written, so a failed merge
     * leaves no output file. */
    sink k = {NULL, sum, 0, {0}};
    if ((rc = open_out(a.out, &f, part, sizeof part))) {
        slab_sweep_summary_free(sum);
        return rc;
    }
    k.f = f;
    slab_status st = slab_sweep_merge((const char *const *)a.files, a.n_files, on_line, &k, &err);
    if ((rc = close_out(a.out, f, part, st == SLAB_OK)) == 0 && st != SLAB_OK)
        rc = cli_fail(&err);
    if (!rc && k.bad)
        rc = cli_fail(&k.err);
    if (!rc && sum)
        rc = finish_summary(sum, &a, NULL, lang, a.out != NULL);
    slab_sweep_summary_free(sum);
    return rc;
}

/* ---- stratlab sweep ------------------------------------------------------------------------ */

int cmd_sweep(int argc, char **argv)
{
    sweep_args a;
    sweep_setup s;
    slab_error err;
    int rc;
    char part[4096];
    FILE *f = NULL;

    if (argc > 1 && !strcmp(argv[1], "merge"))
        return cmd_merge(argc - 1, argv + 1);
    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("sweep", usage);
    slab_sweep_tune_malloc();
    memset(&s, 0, sizeof s);
    if ((rc = split_args(argc, argv, sweep_vflags, 0, 0, &a)))
        return rc;
    if ((rc = setup_open(&s, &a, "sweep")))
        goto out;
    if (a.shard) {
        uint64_t i, n, lo, hi;
        if (slab_grid_shard_parse(a.shard, &i, &n, &err) != SLAB_OK) {
            slab_error_at_option(&err, "--shard");
            rc = usage_fail(&err);
            goto out;
        }
        slab_grid_shard(slab_grid_count(s.g), i, n, &lo, &hi);
        s.spec.lo = lo;
        s.spec.hi = hi;
    }
    slab_sweep_summary *sum = new_summary(&a, &rc);
    if (rc)
        goto out;
    if (a.heatmap) { /* the names are checked before the sweep runs */
        char hx[2 * SLAB_GRID_NAME_MAX + 2], *hy;
        snprintf(hx, sizeof hx, "%s", a.heatmap);
        hy = strchr(hx, ',');
        if (hy)
            *hy++ = '\0';
        if (!hy || slab_grid_axis_find(s.g, hx) < 0 || slab_grid_axis_find(s.g, hy) < 0 ||
            !strcmp(hx, hy)) {
            rc = cli_error(SLAB_EC_BAD_VALUE, "--heatmap", "for example --heatmap fast,slow",
                           "--heatmap %s: give two different swept parameters X,Y", a.heatmap);
            slab_sweep_summary_free(sum);
            goto out;
        }
    }
    if ((rc = open_out(a.out, &f, part, sizeof part)) == 0) {
        sink k = {f, sum, 0, {0}};
        progress_ctx pc = {s.lang};
        slab_sweep_report rep;
        slab_status st = slab_sweep_run(&s.spec, on_line, &k, a.progress ? on_progress : NULL,
                                        &pc, &rep, &err);
        int ok = st == SLAB_OK && !(rep.lines > 0 && rep.failed == rep.lines);
        if ((rc = close_out(a.out, f, part, ok)) == 0) {
            char line[SLAB_ERR_MSG_MAX + 256], x[48], y[48];
            if (st != SLAB_OK) {
                rc = cli_fail(&err);
            } else if (rep.failed) {
                slab_textf(s.lang, "sweep.failed", line, sizeof line,
                           count_text(rep.failed, x, sizeof x), count_text(rep.lines, y, sizeof y),
                           rep.first_error);
                if (rep.failed == rep.lines) {
                    rc = cli_error(SLAB_EC_RUN_FAILED, NULL,
                                   slab_text(s.lang, "sweep.failed_fix"),
                                   "none of the %s combinations could run; the first: %s", y,
                                   rep.first_error);
                } else if (!cli_json) {
                    fprintf(stderr, "%s\n%s\n", line, slab_text(s.lang, "sweep.failed_fix"));
                }
            }
            if (!rc && k.bad)
                rc = cli_fail(&k.err);
            if (!rc && sum)
                rc = finish_summary(sum, &a, &s, s.lang, a.out != NULL);
        }
    }
    slab_sweep_summary_free(sum);
out:
    setup_clear(&s);
    return rc;
}

static void wf_progress(void *user, uint64_t done, uint64_t total, double elapsed)
{
    const progress_ctx *p = user;
    char a[48], b[48], line[256];
    (void)elapsed;
    slab_textf(p->lang, "wf.progress", line, sizeof line, count_text(done, a, sizeof a),
               count_text(total, b, sizeof b));
    fprintf(stderr, "\r%s   ", line);
    if (done == total)
        fputc('\n', stderr);
}

/* ---- stratlab walkforward ------------------------------------------------------------------ */

static void wf_usage(FILE *out)
{
    fprintf(out,
            "usage: stratlab walkforward --strategy NAME (--data FILE | --symbol SYM)...\n"
            "                            --param NAME=LIST [...] --train SPAN --test SPAN\n"
            "                            --rank METRIC [--anchored] [options]\n"
            "\n"
            "On each train window the grid is swept and the best combination by METRIC\n"
            "runs on the test window that follows; the test runs are stitched into one\n"
            "equity curve and one result document with a \"walkforward\" object listing\n"
            "every window (docs/sweeps.md).\n"
            "\n"
            "Several feeds (--data SYM=FILE or --symbol SYM, repeated; the first traded,\n"
            "the others read, e.g. orb's market_filter) run as `run` runs them: windows\n"
            "are cut on their one clock from --from/--date on, and every window's runs\n"
            "get the other feeds from 10 days before it, as `run --from` would.\n"
            "--stamp end and skip_earnings (the store's calendar) work as in `sweep`.\n"
            "\n"
            "  --train SPAN            3y, 18m, 6w, 90d (calendar, from the first bar) or 500b\n"
            "  --test SPAN             the same forms\n"
            "  --rank METRIC[:max|:min] what the train windows choose by (sharpe_ratio, ...)\n"
            "  --anchored              every train window starts at the first bar (default:\n"
            "                          rolling, the train span before each test window)\n"
            "  --param, --where, --samples, --seed, --jobs   the grid, as in `stratlab sweep`\n"
            "  --json                  print the result document\n"
            "  --out FILE.json         write the result document there\n"
            "  --equity FILE.csv       write the stitched value curve\n"
            "  --lang en|zh            the table's language\n"
            "  --progress              windows done on stderr\n"
            "\n"
            "Every `run` option applies to every run:\n");
    cli_run_options_help(out);
}

static int wf_equity(const char *path, const slab_walkforward_result *r, const slab_bars *b)
{
    FILE *f = fopen(path, "w");
    char ts[40];
    int daily = b->timeframe >= SLAB_TF_DAYS;
    if (!f)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot create the equity file");
    fprintf(f, "datetime,value\n");
    for (size_t i = 0; i < r->n; i++)
        fprintf(f, "%s,%s\n", slab_time_format(r->ts_ns[i], daily, ts, sizeof ts),
                cli_num(r->value[i]));
    if (fclose(f) != 0)
        return cli_error(SLAB_EC_WRITE_FAILED, path, NULL, "cannot write the equity file");
    return 0;
}

/* One window's row cells: its test span, the chosen parameters, the
 * in-sample metric (4 significant digits) and the out-of-sample return. */
typedef struct wf_row {
    char span[96], params[160], in[32], out[48];
} wf_row;

static void wf_row_of(const json_t *w, slab_lang lang, wf_row *r)
{
    const json_t *t = json_object_get(w, "test"), *p = json_object_get(w, "params"), *v;
    const json_t *ins = json_object_get(json_object_get(w, "in_sample"), "metric");
    const json_t *ret = json_object_get(json_object_get(w, "out_of_sample"), "total_return");
    const char *key;
    char a[64];
    size_t l = 0;
    snprintf(r->params, sizeof r->params, "-");
    json_object_foreach((json_t *)p, key, v) {
        if (l >= sizeof r->params)
            break;
        l += (size_t)snprintf(r->params + l, sizeof r->params - l, "%s%s=%s", l ? " " : "", key,
                              json_is_string(v) ? json_string_value(v) : jtext(p, key, a, sizeof a));
    }
    snprintf(r->span, sizeof r->span, "%s .. %s", json_string_value(json_object_get(t, "from")),
             json_string_value(json_object_get(t, "to")));
    for (char *c = r->span; *c; c++) /* "2025-06-12T09:30:00": a space reads better here */
        if (*c == 'T')
            *c = ' ';
    if (json_is_number(ins))
        snprintf(r->in, sizeof r->in, "%.4g", json_number_value(ins));
    else
        snprintf(r->in, sizeof r->in, "-");
    if (json_is_number(ret))
        snprintf(r->out, sizeof r->out, "%s %+.2f%%", slab_text(lang, "wf.return"),
                 json_number_value(ret));
    else
        snprintf(r->out, sizeof r->out, "-");
}

/* Terminal columns of UTF-8 text: a three- or four-byte character (CJK)
 * takes two, any other one. */
static int text_cols(const char *t)
{
    int n = 0;
    for (const unsigned char *p = (const unsigned char *)t; *p; p++)
        n += (*p & 0xC0) == 0x80 ? 0 : *p >= 0xE0 ? 2 : 1;
    return n;
}

/* t then spaces to w columns (left-aligned), or spaces then t (right). */
static void put_cell(const char *t, int w, int right)
{
    int pad = w > text_cols(t) ? w - text_cols(t) : 0;
    printf("%*s%s%*s", right ? pad : 0, "", t, right ? 0 : pad, "");
}

/* The windows for a person (each column as wide as its widest cell; a
 * window without a choice says why), then the stitched result's
 * headline. */
static void wf_print(const json_t *doc, slab_lang lang)
{
    const json_t *wf = json_object_get(doc, "walkforward"), *w;
    const json_t *list = json_object_get(wf, "windows");
    const char *metric = json_string_value(json_object_get(wf, "rank_by"));
    char line[512], n[32];
    size_t i, n_rows = json_array_size(list);
    wf_row *rows = n_rows ? slab_calloc(n_rows, sizeof *rows) : NULL;
    int ww = text_cols(slab_text(lang, "wf.window")), ws = text_cols(slab_text(lang, "wf.test"));
    int wp = text_cols(slab_text(lang, "wf.params")), wi = text_cols(slab_text(lang, "wf.in_sample"));
    ww = ww > 6 ? ww : 6;
    snprintf(n, sizeof n, "%zu", n_rows);
    slab_textf(lang, "wf.title", line, sizeof line, n,
               json_string_value(json_object_get(wf, "train")),
               json_string_value(json_object_get(wf, "test")),
               json_string_value(json_object_get(wf, "mode")));
    printf("%s\n\n", line);
    json_array_foreach(list, i, w) {
        if (!rows)
            break;
        wf_row_of(w, lang, &rows[i]);
        ws = text_cols(rows[i].span) > ws ? text_cols(rows[i].span) : ws;
        wp = text_cols(rows[i].params) > wp ? text_cols(rows[i].params) : wp;
        wi = text_cols(rows[i].in) > wi ? text_cols(rows[i].in) : wi;
    }
    const char *head[4] = {slab_text(lang, "wf.window"), slab_text(lang, "wf.test"),
                           slab_text(lang, "wf.params"), slab_text(lang, "wf.in_sample")};
    const int width[4] = {ww, ws, wp, wi};
    printf(" ");
    for (int c = 0; c < 4; c++) {
        printf(" ");
        put_cell(head[c], width[c], c == 3);
        printf(" ");
    }
    printf(" %s\n", slab_text(lang, "wf.out_of_sample"));
    json_array_foreach(list, i, w) {
        if (!rows)
            break;
        char num[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        const char *cell[4] = {num, rows[i].span, rows[i].params, rows[i].in};
        printf(" ");
        for (int c = 0; c < 4; c++) {
            printf(" ");
            put_cell(cell[c], width[c], c == 3);
            printf(" ");
        }
        printf(" %s\n", rows[i].out);
        const char *note = json_string_value(json_object_get(w, "note"));
        if (note)
            printf("  %*s  %s\n", ww, "", note);
    }
    slab_free(rows);
    printf("\n%s (%s):\n", slab_text(lang, "wf.stitched"), metric);
    const json_t *summary = json_object_get(doc, "summary");
    if (json_is_string(summary))
        printf("%s\n", json_string_value(summary));
}

int cmd_walkforward(int argc, char **argv)
{
    sweep_args a;
    sweep_setup s;
    slab_error err;
    slab_walkforward_spec wf;
    slab_walkforward_result res;
    int rc;

    for (int i = 1; i < argc; i++)
        if (cli_is_help(argv[i]))
            return cli_help("walkforward", wf_usage);
    slab_sweep_tune_malloc();
    memset(&s, 0, sizeof s);
    memset(&res, 0, sizeof res);
    memset(&wf, 0, sizeof wf);
    if ((rc = split_args(argc, argv, wf_vflags, 0, 1, &a)))
        return rc;
    if ((rc = setup_open(&s, &a, "walkforward")))
        goto out;
    if (slab_span_parse(a.train, &wf.train, &err) != SLAB_OK) {
        slab_error_at_option(&err, "--train");
        rc = usage_fail(&err);
        goto out;
    }
    if (slab_span_parse(a.test, &wf.test, &err) != SLAB_OK) {
        slab_error_at_option(&err, "--test");
        rc = usage_fail(&err);
        goto out;
    }
    if (slab_sweep_rank_parse(a.rank, wf.metric, &wf.descending, &err) != SLAB_OK) {
        slab_error_at_option(&err, "--rank");
        rc = usage_fail(&err);
        goto out;
    }
    wf.sweep = s.spec;
    wf.anchored = a.anchored;
    progress_ctx pc = {s.lang};
    if (slab_walkforward_run(&wf, a.progress ? wf_progress : NULL, &pc, &res, &err) != SLAB_OK) {
        rc = err.code == SLAB_ERANGE || err.code == SLAB_EINVAL ? usage_fail(&err)
                                                                 : cli_fail(&err);
        goto out;
    }
    if (a.equity && (rc = wf_equity(a.equity, &res, s.bars)))
        goto out;
    if (a.out && slab_json_dump_file(res.doc, a.out, JSON_INDENT(1), &err) != SLAB_OK) {
        rc = cli_fail(&err);
        goto out;
    }
    if (a.json)
        rc = cli_print_json(res.doc);
    else
        wf_print(res.doc, s.lang);
out:
    slab_walkforward_result_clear(&res);
    setup_clear(&s);
    return rc;
}
