/* cmd_import.c - `stagewise import FILE|DIR…`: load FHIR Bundles, resources
 * and NDJSON files (see src/fhir/import.h for the rules). On a terminal a
 * progress line shows the share done, the rate and the time left; in a log
 * or pipe, one line per file. Rejections are listed as they happen and
 * counted in the summary. */
#include "cli.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "fhir/import.h"
#include "store/store.h"

static const char usage[] =
    "Usage: stagewise import [--db URL] [--practice N] FILE|DIR...\n"
    "\n"
    "Loads FHIR R4 data: transaction, batch and collection Bundles, single\n"
    "resources (.json) and NDJSON files (.ndjson, one resource per line).\n"
    "Directories are searched for .json and .ndjson files. Every resource\n"
    "is validated; rejected ones are listed with the reason and the rest is\n"
    "loaded. Running it again loads nothing twice.\n"
    "\n"
    "  --db URL        the database (default: $STAGEWISE_DB, else sqlite:stagewise.db)\n"
    "  --practice N    the practice to load into (default 1)\n"
    "\n"
    "Exit status: 0 when everything was loaded, 1 when anything was rejected\n"
    "or the import stopped, 2 for a usage error.\n";

struct files {
    char  **paths;
    size_t  n, cap;
    int64_t bytes;
};

static int add_file(struct files *f, const char *path, off_t size)
{
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 64;
        char **p = realloc(f->paths, cap * sizeof *p);
        if (p == NULL)
            return SW_ENOMEM;
        f->paths = p;
        f->cap = cap;
    }
    f->paths[f->n] = strdup(path);
    if (f->paths[f->n] == NULL)
        return SW_ENOMEM;
    f->n++;
    f->bytes += size;
    return SW_OK;
}

static bool loadable(const char *name)
{
    size_t n = strlen(name);
    return (n > 5 && strcmp(name + n - 5, ".json") == 0)
        || (n > 7 && strcmp(name + n - 7, ".ndjson") == 0);
}

static int by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

/* Collects loadable files under path, in name order. */
static int collect(struct files *f, const char *path, bool top)
{
    struct stat sb;
    if (stat(path, &sb) != 0) {
        cli_fail(SW_EUSAGE, "import: %s: %s", path, strerror(errno));
        return SW_EUSAGE;
    }
    if (S_ISREG(sb.st_mode)) {
        if (!top && !loadable(path))
            return SW_OK;
        return add_file(f, path, sb.st_size);
    }
    if (!S_ISDIR(sb.st_mode))
        return SW_OK;
    struct dirent **names;
    int n = scandir(path, &names, NULL, by_name);
    if (n < 0) {
        cli_fail(SW_EIO, "import: cannot read the directory %s: %s", path,
                 strerror(errno));
        return SW_EIO;
    }
    int rc = SW_OK;
    for (int i = 0; i < n; i++) {
        const char *nm = names[i]->d_name;
        if (rc == SW_OK && nm[0] != '.') {
            char *child = malloc(strlen(path) + strlen(nm) + 2);
            if (child == NULL) {
                rc = SW_ENOMEM;
            } else {
                sprintf(child, "%s/%s", path, nm);
                rc = collect(f, child, false);
                free(child);
            }
        }
        free(names[i]);
    }
    free(names);
    return rc;
}

struct view {
    bool    tty;
    bool    bar_shown;
    int64_t start_us;
    int64_t last_us;
    int64_t total_bytes;
};

static void clear_bar(struct view *v)
{
    if (v->tty && v->bar_shown) {
        fputs("\r\033[K", stderr);
        v->bar_shown = false;
    }
}

static void on_progress(void *arg, const fhir_import_stats *s)
{
    struct view *v = arg;
    int64_t now = sw_now_mono_us();
    if (!v->tty || now - v->last_us < 100000)
        return;
    v->last_us = now;
    double secs = (double)(now - v->start_us) / 1e6;
    double rate = secs > 0 ? (double)s->resources / secs : 0;
    double share = v->total_bytes > 0 ? (double)s->bytes / (double)v->total_bytes : 0;
    if (share > 1)
        share = 1;
    int eta = share > 0.01 ? (int)(secs / share - secs) : -1;
    char bar[31];
    int filled = (int)(share * 30);
    for (int i = 0; i < 30; i++)
        bar[i] = i < filled ? '=' : (i == filled ? '>' : ' ');
    bar[30] = '\0';
    fprintf(stderr, "\r\033[K%3d%% [%s] %lld resources  %.0f/s", (int)(share * 100),
            bar, (long long)s->resources, rate);
    if (eta >= 0)
        fprintf(stderr, "  ETA %d:%02d", eta / 60, eta % 60);
    v->bar_shown = true;
}

static void on_reject(void *arg, const char *file, const char *where,
                      const char *why)
{
    struct view *v = arg;
    clear_bar(v);
    fprintf(stderr, "rejected %s (%s): %s\n", file, where, why);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "db", required_argument, NULL, 'd' },
        { "practice", required_argument, NULL, 'p' },
        { 0, 0, 0, 0 },
    };
    const char *db = NULL;
    long practice = 1;
    opterr = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'd': db = optarg; break;
        case 'p':
            if (cli_parse_int(optarg, 1, 0x7fffffffL, &practice) != SW_OK)
                return cli_fail(SW_EUSAGE, "import: --practice must be a practice number");
            break;
        default: return cli_bad_option("import", argc, argv);
        }
    }
    if (optind >= argc)
        return cli_fail(SW_EUSAGE, "import: name the files or directories to load; "
                        "see 'stagewise import --help'");
    struct files files = { 0 };
    for (int i = optind; i < argc; i++) {
        int rc = collect(&files, argv[i], true);
        if (rc != SW_OK)
            return sw_code_exit_status(rc);
    }

    sw_err err;
    sw_store *s;
    int status = cli_open_store(db, 2, &s);
    if (status != 0)
        return status;
    struct view v = {
        .tty = isatty(2), .start_us = sw_now_mono_us(), .total_bytes = files.bytes,
    };
    fhir_import_hooks hooks = { .arg = &v, .progress = on_progress, .reject = on_reject };
    fhir_import *im;
    int rc = fhir_import_begin(s, practice, &hooks, &im);
    for (size_t i = 0; rc == SW_OK && i < files.n; i++) {
        rc = fhir_import_file(im, files.paths[i], &err);
        if (!v.tty) {
            printf("loaded %s\n", files.paths[i]);
            fflush(stdout);
        }
    }
    fhir_import_stats st = { 0 };
    int frc = fhir_import_finish(im, &st);
    if (rc == SW_OK)
        rc = frc;
    fhir_import_free(im);
    store_close(s);
    clear_bar(&v);
    double secs = (double)(sw_now_mono_us() - v.start_us) / 1e6;
    printf("Imported %lld resources from %lld files in %.1f s (%.0f/s): %lld "
           "created, %lld updated, %lld unchanged, %lld rejected.\n",
           (long long)st.resources, (long long)st.files, secs,
           secs > 0 ? (double)st.resources / secs : 0.0, (long long)st.created,
           (long long)st.updated, (long long)st.unchanged, (long long)st.rejected);
    for (size_t i = 0; i < files.n; i++)
        free(files.paths[i]);
    free(files.paths);
    if (rc != SW_OK)
        return cli_fail(rc, "import stopped: %s", sw_err_text(&err));
    if (st.rejected > 0)
        return cli_fail(SW_EINVAL, "%lld resources were rejected; the reasons are "
                        "listed above", (long long)st.rejected);
    return 0;
}

const cli_command cli_import = {
    .name = "import",
    .summary = "load FHIR Bundles, resources and NDJSON files",
    .usage = usage,
    .run = run,
};
