/* compile.c: a script to a checked shared object. The cache key is the
 * SHA-256 of the compiler's identity, the fixed flags, the strategy
 * header and the source; a hit skips the compiler (its diagnostics are
 * cached beside the object). A miss compiles in a fresh job folder
 * through `stratlab-runner compile` (the jail: own process group, net
 * namespace, dropped uid, rlimits, no new privileges, Landlock), then the
 * ELF check, then the cache (written whole or not at all: O_TMPFILE +
 * linkat). Diagnostics keep only what concerns the script itself: a
 * message located in any other file is reported without its text, so an
 * #include of a secret file cannot echo its content. */
#include "script/script_int.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define SO_MAX (64u << 20)      /* largest compiled file accepted */
#define DIAG_KEEP (64u << 10)   /* compiler messages kept */
#define DIAG_CAP (16u << 20)    /* compiler messages before the jail is killed */
#define DIAGS_MAX 50
#define COMPILE_CPU_S 20
#define COMPILE_MEM_MB 1024 /* a strategy file needs < 100 MiB */

const char *const slab__cc_flags[] = {
    "-std=gnu11", "-O2", "-pipe", "-fPIC", "-shared", "-nostartfiles",
    "-ffp-contract=off", "-fno-fast-math", "-fno-plt",
    "-fdiagnostics-plain-output", "-fmax-errors=30", "-Wall",
    "-Werror=implicit-function-declaration", "-Werror=implicit-int",
    "-Werror=incompatible-pointer-types", "-Werror=int-conversion", "-Werror=return-type",
    "-Wl,-z,now", "-Wl,-z,noexecstack", "-Wl,-z,relro",
    "-I", "include", "-o", "strategy.so", "strategy.c", NULL};

/* ---- cache ---------------------------------------------------------------- */

static void cache_key(const slab__sandbox_view *v, const char *src, size_t len, char hex[65])
{
    size_t n = strlen(v->cc_stamp) + slab__embed_strategy_h_len + len + 1024;
    char *buf = slab_malloc(n);
    size_t o = 0;
    if (!buf) { /* without memory there is no cache either: a key nobody has */
        snprintf(hex, 65, "%064d", 0);
        return;
    }
    o += (size_t)snprintf(buf + o, n - o, "%s|", v->cc_stamp);
    for (int k = 0; slab__cc_flags[k]; k++)
        o += (size_t)snprintf(buf + o, n - o, "%s ", slab__cc_flags[k]);
    memcpy(buf + o, slab__embed_strategy_h, slab__embed_strategy_h_len);
    o += slab__embed_strategy_h_len;
    memcpy(buf + o, src, len);
    o += len;
    slab_sha256_mem(buf, o, hex);
    slab_free(buf);
}

/* Reads a whole regular file (at most cap bytes) at dirfd/name. */
static unsigned char *read_file_at(int dirfd, const char *name, size_t cap, size_t *n)
{
    struct stat st;
    int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    unsigned char *buf = NULL;
    if (fd < 0)
        return NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size > cap)
        goto out;
    buf = slab_malloc((size_t)st.st_size + 1);
    size_t got = 0;
    while (buf && got < (size_t)st.st_size) {
        ssize_t r = read(fd, buf + got, (size_t)st.st_size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            slab_free(buf);
            buf = NULL;
            break;
        }
        got += (size_t)r;
    }
    if (buf) {
        buf[got] = '\0';
        *n = got;
    }
out:
    close(fd);
    return buf;
}

/* Writes data as dir/name atomically (an unnamed file linked in when
 * complete); an existing entry is left alone (same key, same content). */
static void cache_put(const char *dir, const char *name, const void *data, size_t n)
{
    char path[1300], proc[64];
    int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
    const char *p = data;
    if (fd < 0)
        return;
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            return;
        }
        p += w;
        n -= (size_t)w;
    }
    snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
    snprintf(path, sizeof path, "%s/%s", dir, name);
    (void)!linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW);
    close(fd);
}

/* ---- diagnostics ------------------------------------------------------------ */

typedef struct diag_list {
    slab_script_diag *d;
    size_t n, cap;
} diag_list;

static slab_script_diag *diag_add(diag_list *l)
{
    if (l->n == DIAGS_MAX)
        return NULL;
    if (l->n == l->cap) {
        size_t nc = l->cap ? l->cap * 2 : 8;
        void *p = slab_realloc(l->d, nc * sizeof *l->d);
        if (!p)
            return NULL;
        l->d = p;
        l->cap = nc;
    }
    slab_script_diag *d = &l->d[l->n++];
    memset(d, 0, sizeof *d);
    return d;
}

/* "file:L:C: kind: msg" -> its parts; 0 when the line is not one. */
static int split_diag(char *line, char **file, int *l, int *c, char **kind, char **msg)
{
    char *p = strstr(line, ": ");
    while (p) { /* the file part may hold ':'; find "N:N: " before ": " */
        char *q = p;
        while (q > line && q[-1] >= '0' && q[-1] <= '9')
            q--;
        char *r = q > line && q[-1] == ':' ? q - 1 : NULL;
        char *s = r;
        while (s && s > line && s[-1] >= '0' && s[-1] <= '9')
            s--;
        if (r && s && s < r && s > line && s[-1] == ':') {
            s[-1] = '\0';
            *file = line;
            *l = atoi(s);
            *c = atoi(q);
            *kind = p + 2;
            char *e = strstr(*kind, ": ");
            if (!e)
                return 0;
            *e = '\0';
            *msg = e + 2;
            return 1;
        }
        p = strstr(p + 2, ": ");
    }
    return 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* An assembler message (inline asm, .incbin, .include). Its text may
 * quote what an included file holds, so only the "cannot open" forms,
 * which name just the path the script wrote, are shown. */
static void asm_diag(const char *line, const char *shown, diag_list *out)
{
    const char *e = strstr(line, "Error: "), *w = strstr(line, "Warning: ");
    slab_script_diag *d;
    if ((!e && !w) || !(d = diag_add(out)))
        return;
    const char *msg = e ? e + 7 : w + 9;
    d->is_error = e != NULL;
    snprintf(d->code, sizeof d->code, "asm");
    if (!strncmp(msg, "can't open ", 11) || !strncmp(msg, "file not found: ", 16))
        snprintf(d->msg, sizeof d->msg, "%s: assembler %s: %s", shown, e ? "error" : "warning",
                 msg);
    else
        snprintf(d->msg, sizeof d->msg, "%s: assembler %s in inline asm (text not shown)", shown,
                 e ? "error" : "warning");
}

/* Turns the compiler's stderr into diagnostics about the script. */
static void parse_diags(char *text, const char *shown, diag_list *out)
{
    slab_script_diag *last = NULL;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *file, *kind, *msg;
        int l, c;
        if (!strncmp(line, "{standard input}:", 17)) {
            asm_diag(line, shown, out);
            continue;
        }
        if (!split_diag(line, &file, &l, &c, &kind, &msg)) {
            const char *ld = strstr(line, "ld: ");
            if (ld && strncmp(line, "collect2", 8) && (last = diag_add(out))) {
                last->is_error = 1;
                snprintf(last->code, sizeof last->code, "link");
                snprintf(last->msg, sizeof last->msg, "%s", ld);
            }
            continue;
        }
        int is_note = !strcmp(kind, "note");
        int is_err = !strcmp(kind, "error") || !strcmp(kind, "fatal error");
        if (!is_note && !is_err && strcmp(kind, "warning"))
            continue;
        if (is_note) {
            if (last && !strcmp(file, "strategy.c")) {
                size_t used = strlen(last->msg);
                snprintf(last->msg + used, sizeof last->msg - used, " (note %d:%d: %s)", l, c, msg);
            }
            continue;
        }
        if (!(last = diag_add(out)))
            break;
        last->is_error = is_err;
        snprintf(last->code, sizeof last->code, "compile");
        if (!strcmp(file, "strategy.c")) {
            last->line = l;
            last->col = c;
            snprintf(last->msg, sizeof last->msg, "%s:%d:%d: %s: %s", shown, l, c, kind, msg);
        } else if (!strcmp(file, "include/stratlab/strategy.h")) {
            snprintf(last->msg, sizeof last->msg, "<stratlab/strategy.h>:%d:%d: %s: %s (from a "
                     "use of the API in %s)", l, c, kind, msg, shown);
        } else {
            /* Not the script: name the file, never quote what it holds. */
            snprintf(last->msg, sizeof last->msg, "%s in included file '%s' line %d (a script "
                     "may include only <stratlab/strategy.h>)", kind, base_name(file), l);
        }
    }
}

/* ---- the jail ------------------------------------------------------------------ */

/* Writes the job folder's files; -1 on failure. */
static int write_job(int dfd, const char *src, size_t len, int chown_to, long uid, long gid)
{
    static const char *const dirs[] = {"include", "include/stratlab"};
    struct {
        const char *name;
        const void *data;
        size_t n;
    } files[] = {{"strategy.c", src, len},
                 {"include/stratlab/strategy.h", slab__embed_strategy_h,
                  slab__embed_strategy_h_len}};
    for (int k = 0; k < 2; k++)
        if (mkdirat(dfd, dirs[k], 0755) != 0)
            return -1;
    for (int k = 0; k < 2; k++) {
        int fd = openat(dfd, files[k].name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0)
            return -1;
        ssize_t w = write(fd, files[k].data, files[k].n);
        close(fd);
        if (w != (ssize_t)files[k].n)
            return -1;
    }
    if (chown_to && (fchown(dfd, (uid_t)uid, (gid_t)gid) != 0 ||
                     fchownat(dfd, "include", (uid_t)uid, (gid_t)gid, 0) != 0 ||
                     fchownat(dfd, "include/stratlab", (uid_t)uid, (gid_t)gid, 0) != 0))
        return -1;
    return 0;
}

/* Runs the jailed compiler in folder dfd; fills w. */
static int run_jail(const slab__sandbox_view *v, int dfd, double timeout_s, slab__watch *w,
                    slab__stream *diag, slab_error *err)
{
    char uid[24], gid[24], ppid[24], cpu[24], mem[24];
    int pipefd[2], null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0 || pipe2(pipefd, O_CLOEXEC) != 0) {
        if (null >= 0)
            close(null);
        return slab_error_set(err, SLAB_EIO, "sandbox", "cannot make pipes: %s", strerror(errno)),
               -1;
    }
    snprintf(uid, sizeof uid, "%ld", v->is_root ? v->uid : -1L);
    snprintf(gid, sizeof gid, "%ld", v->is_root ? v->gid : -1L);
    snprintf(ppid, sizeof ppid, "%ld", (long)getpid());
    snprintf(cpu, sizeof cpu, "%d", COMPILE_CPU_S);
    snprintf(mem, sizeof mem, "%d", COMPILE_MEM_MB);
    char *argv[] = {"stratlab-runner", "compile", (char *)v->cc, uid, gid, ppid, cpu, mem, NULL};
    char *envp[] = {NULL};
    int fds[3] = {null, null, pipefd[1]};
    long pid = slab__spawn(v->runner, argv, envp, fds, 3, dfd);
    int e = errno;
    close(pipefd[1]);
    close(null);
    if (pid < 0) {
        close(pipefd[0]);
        return slab_error_set(err, SLAB_EIO, "sandbox", "cannot start %s: %s", v->runner,
                              strerror(e)),
               -1;
    }
    memset(diag, 0, sizeof *diag);
    diag->fd = pipefd[0];
    diag->keep_max = DIAG_KEEP;
    memset(w, 0, sizeof *w);
    w->pid = pid;
    w->deadline_ns = slab_clock_ns() + (int64_t)(timeout_s * 1e9);
    w->s = diag;
    w->n_s = 1;
    w->n_log = 1;
    w->log_cap = DIAG_CAP;
    w->result_idx = -1;
    slab__watch_run(w);
    return 0;
}

/* Did the compiler run out of a resource (its words or its signal)? */
static const char *resource_hit(const slab__watch *w, const char *text)
{
    static const char *const words[] = {"out of memory", "virtual memory exhausted",
                                        "memory exhausted", "cannot allocate memory",
                                        "CPU time limit exceeded", "File size limit exceeded",
                                        "Killed signal terminated", "signal terminated program"};
    if (WIFSIGNALED(w->status) &&
        (WTERMSIG(w->status) == SIGXCPU || WTERMSIG(w->status) == SIGKILL ||
         WTERMSIG(w->status) == SIGXFSZ))
        return "the compiler was stopped by its CPU or file-size limit";
    for (size_t k = 0; k < sizeof words / sizeof words[0]; k++)
        if (strstr(text, words[k]))
            return words[k];
    if (w->killed == SLAB__KILLED_LOG)
        return "the compiler's messages passed 16 MiB";
    return NULL;
}

/* Classifies a finished compile; on success loads the checked object. */
static slab_script_status judge(const slab__sandbox_view *v, int dfd, slab__watch *w,
                                slab__stream *diag, const char *shown, double timeout_s,
                                unsigned char **so, size_t *so_len, char *detail,
                                diag_list *dl)
{
    char *text = (char *)(diag->buf ? diag->buf : (unsigned char *)"");
    const char *res;
    (void)v;
    if (w->killed == SLAB__KILLED_TIMEOUT) {
        snprintf(detail, 640, "the compiler ran past its %g s wall-clock limit (a preprocessor "
                 "or template bomb?)", timeout_s);
        return SLAB_SCRIPT_COMPILE_TIMEOUT;
    }
    if (WIFEXITED(w->status) && (WEXITSTATUS(w->status) == SLAB__EXIT_SETUP ||
                                 WEXITSTATUS(w->status) == SLAB__EXIT_USAGE)) {
        slab__text_sanitize(text, strlen(text));
        snprintf(detail, 640, "refused to compile (fail closed): %.560s", text);
        return SLAB_SCRIPT_REJECTED;
    }
    if ((res = resource_hit(w, text))) {
        snprintf(detail, 640, "the compiler hit its resource limits (%d s CPU, %d MiB memory, "
                 "64 MiB files): %s", COMPILE_CPU_S, COMPILE_MEM_MB, res);
        return SLAB_SCRIPT_COMPILE_RESOURCE_LIMIT;
    }
    parse_diags(text, shown, dl);
    if (!WIFEXITED(w->status) || WEXITSTATUS(w->status) != 0) {
        size_t errors = 0;
        const slab_script_diag *first = NULL;
        for (size_t k = 0; k < dl->n; k++)
            if (dl->d[k].is_error && errors++ == 0)
                first = &dl->d[k];
        if (first)
            snprintf(detail, 640, "%.560s%s", first->msg,
                     errors > 1 ? " (and more errors)" : "");
        else
            snprintf(detail, 640, "the compiler failed (status %d) without a message about "
                     "the script", WIFEXITED(w->status) ? WEXITSTATUS(w->status) : -1);
        return SLAB_SCRIPT_COMPILE_ERROR;
    }
    *so = read_file_at(dfd, "strategy.so", SO_MAX, so_len);
    if (!*so) {
        snprintf(detail, 640, "the compiler produced no usable strategy.so (larger than 64 MiB?)");
        return SLAB_SCRIPT_COMPILE_RESOURCE_LIMIT;
    }
    return SLAB_SCRIPT_OK;
}

/* Cached diagnostics: one line per diag, "E|W line col code msg". */
static char *diags_text(const diag_list *dl, size_t *n)
{
    size_t cap = dl->n * 512 + 1, o = 0;
    char *t = slab_malloc(cap);
    if (!t)
        return NULL;
    for (size_t k = 0; k < dl->n; k++)
        o += (size_t)snprintf(t + o, cap - o, "%c\t%d\t%d\t%s\t%s\n", dl->d[k].is_error ? 'E' : 'W',
                              dl->d[k].line, dl->d[k].col, dl->d[k].code, dl->d[k].msg);
    t[o] = '\0';
    *n = o;
    return t;
}

static void diags_from_text(char *t, diag_list *dl)
{
    char *save = NULL;
    for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char *f[5];
        int k = 0;
        for (char *p = line; k < 5; k++) {
            f[k] = p;
            if (k == 4)
                break;
            p = strchr(p, '\t');
            if (!p)
                break;
            *p++ = '\0';
        }
        slab_script_diag *d = k == 4 ? diag_add(dl) : NULL;
        if (!d)
            continue;
        d->is_error = f[0][0] == 'E';
        d->line = atoi(f[1]);
        d->col = atoi(f[2]);
        snprintf(d->code, sizeof d->code, "%s", f[3]);
        snprintf(d->msg, sizeof d->msg, "%s", f[4]);
    }
}

/* Looks key up in the cache; returns the checked object or NULL. */
static unsigned char *cache_get(const slab__sandbox_view *v, const char *key, size_t *n,
                                diag_list *dl)
{
    char name[80], why[256];
    int dfd = open(v->cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd < 0)
        return NULL;
    snprintf(name, sizeof name, "%s.so", key);
    unsigned char *so = read_file_at(dfd, name, SO_MAX, n);
    if (so && !slab__elf_check(so, *n, why, sizeof why)) {
        unlinkat(dfd, name, 0); /* damaged or tampered with: compile again */
        slab_free(so);
        so = NULL;
    }
    if (so) {
        size_t tn = 0;
        snprintf(name, sizeof name, "%s.txt", key);
        char *t = (char *)read_file_at(dfd, name, 1u << 20, &tn);
        if (t)
            diags_from_text(t, dl);
        slab_free(t);
    }
    close(dfd);
    return so;
}

slab_script_status slab__compile(slab_sandbox *sb, const char *source, size_t len,
                                 const char *source_name, double timeout_s, unsigned char **so,
                                 size_t *so_len, int *cached, char detail[640],
                                 slab_script_diag **diags, size_t *n_diags, slab_error *err)
{
    const slab__sandbox_view *v = slab__sandbox_view_of(sb);
    char key[65], dir[1200] = "", name[80], why[300];
    diag_list dl = {0};
    slab_script_status st = SLAB_SCRIPT_REJECTED;
    const char *shown = base_name(source_name && *source_name ? source_name : "strategy.c");
    slab__stream diag = {-1, NULL, 0, 0, 0, 0};
    slab__watch w;
    int dfd = -1;

    *so = NULL;
    *cached = 0;
    detail[0] = '\0';
    cache_key(v, source, len, key);
    if ((*so = cache_get(v, key, so_len, &dl))) {
        *cached = 1;
        st = SLAB_SCRIPT_OK;
        goto out;
    }
    dl.n = 0;
    snprintf(dir, sizeof dir, "%s/job-XXXXXX", v->jobs_dir);
    if (!mkdtemp(dir)) {
        slab_error_set(err, SLAB_EIO, v->jobs_dir, "cannot make a job folder: %s", strerror(errno));
        st = SLAB__SCRIPT_FAILED;
        goto out;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || flock(dfd, LOCK_EX) != 0 ||
        write_job(dfd, source, len, v->is_root, v->uid, v->gid) != 0) {
        slab_error_set(err, SLAB_EIO, dir, "cannot prepare the job folder: %s", strerror(errno));
        st = SLAB__SCRIPT_FAILED;
        goto out;
    }
    if (run_jail(v, dfd, timeout_s, &w, &diag, err) != 0) {
        st = SLAB__SCRIPT_FAILED;
        goto out;
    }
    st = judge(v, dfd, &w, &diag, shown, timeout_s, so, so_len, detail, &dl);
    if (st == SLAB_SCRIPT_OK && !slab__elf_check(*so, *so_len, why, sizeof why)) {
        snprintf(detail, 640, "the compiled script was refused: %s", why);
        slab_free(*so);
        *so = NULL;
        st = SLAB_SCRIPT_REJECTED;
    }
    if (st == SLAB_SCRIPT_OK) {
        size_t tn = 0;
        char *t = diags_text(&dl, &tn);
        snprintf(name, sizeof name, "%s.txt", key);
        if (t)
            cache_put(v->cache_dir, name, t, tn);
        slab_free(t);
        snprintf(name, sizeof name, "%s.so", key);
        cache_put(v->cache_dir, name, *so, *so_len);
    }
out:
    slab_free(diag.buf);
    if (dfd >= 0) {
        char *slash = strrchr(dir, '/');
        int jobs = open(v->jobs_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (jobs >= 0 && slash)
            slab__rmtree_at(jobs, slash + 1);
        if (jobs >= 0)
            close(jobs);
        close(dfd); /* releases the lock after the folder is gone */
    } else if (dir[0] && st == SLAB__SCRIPT_FAILED) {
        rmdir(dir);
    }
    *diags = dl.d;
    *n_diags = dl.n;
    return st;
}
