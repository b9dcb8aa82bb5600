/*
 * lenity.c - runs compiled policies over records: run, test, explain.
 * It is the one runtime file that uses the compiler, because `run` and
 * `test` also accept a policy's source and compile it on the fly.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bc_load.h"
#include "bc_write.h"
#include "compile.h"
#include "cadoj.h"
#include "cadoj_out.h"
#include "csv.h"
#include "examples.h"
#include "outfile.h"
#include "output.h"
#include "parallel.h"
#include "people_seen.h"
#include "provenance.h"
#include "report.h"
#include "summary.h"
#include "verify.h"
#include "version.h"
#include "vm.h"

#define MAX_SETS 64

enum exit_code {
    EXIT_OK = 0,          /* every row decided */
    EXIT_POLICY = 1,      /* the policy has errors, or its examples fail */
    EXIT_USAGE = 2,       /* the command line is wrong */
    EXIT_INPUT = 3,       /* a file cannot be read or written, or a bytecode file is refused */
    EXIT_REJECTED = 4,    /* the run completed, but some rows were rejected (see the rejects) */
    EXIT_INTERNAL = 70
};

/* The overview: `lenity --help`.  Each command's options are in its own help (lenity run --help). */
static void usage(FILE *f)
{
    fputs("usage: lenity run POLICY --input RECORDS.csv [--output DECISIONS.csv] [options]\n"
          "       lenity test POLICY...\n"
          "       lenity explain POLICY --input RECORDS.csv --person ID [--format text|json]\n"
          "       lenity diff OLD [NEW] --input RECORDS.csv [--set-old NAME=VALUE] [--set-new NAME=VALUE]\n"
          "       lenity --version\n"
          "\n"
          "POLICY is a compiled .lbc file or a .policy source, compiled on the fly.\n"
          "\n"
          "  run      decide every conviction in the records: one row per conviction with the\n"
          "           outcome, the reason and the statute, then a summary on standard error\n"
          "           (--output - or no --output writes the decisions to standard output)\n"
          "  test     run the examples written inside each policy; prints N passed, N failed\n"
          "  explain  show, for one person, which rules were tried and which one decided\n"
          "  diff     how many convictions and people change outcome between two policies, or\n"
          "           one policy with different parameters, by transition, with examples\n"
          "\n"
          "'lenity COMMAND --help' lists a command's options.  The most used, with run:\n"
          "  --format F        decisions (default), csv, jsonl, cadoj, cadoj-convictions, cadoj-condensed\n"
          "  --set NAME=VALUE  override a parameter of the policy for this run\n"
          "  --as-of DATE      the run date (YYYY-MM-DD); default: today\n"
          "  --jobs N          1 to 8 (default: as many as the CPUs, up to 8)\n"
          "  --rejects FILE    write rejected rows (row number and reason) to FILE\n"
          "  --quiet, -q       no progress line\n"
          "  --summary FILE    the run's statistics as JSON\n"
          "  --report FILE     a self-contained HTML report of the run\n"
          "  --input-format F  csv, cadoj or auto (default)\n"
          "  --version         print the version\n"
          "\n"
          "exit codes: 0 success; 1 the policy has errors or its examples fail; 2 usage error;\n"
          "            3 a file cannot be read or written, or a bytecode file is refused;\n"
          "            4 the run finished but some rows were rejected; 70 internal error\n",
          f);
}

static void usage_run(FILE *f)
{
    fputs("usage: lenity run POLICY --input RECORDS.csv [--output DECISIONS.csv] [options]\n"
          "\n"
          "Decides every conviction in the records with POLICY (a .lbc file or a .policy source):\n"
          "one row per conviction with the outcome, the reason and the statute, then a summary on\n"
          "standard error.  Every output says what produced it: Lenity's version, the policy's file\n"
          "and SHA-256, its approval, the parameters, the run date, and the input's name and SHA-256\n"
          "(the stamp of a DOJ copy or of --format csv is written beside it, to FILE.provenance.json).\n"
          "\n"
          "  --input FILE, -i FILE   the records (- for standard input)\n"
          "  --output FILE, -o FILE  where the decisions go (standard output when absent or -)\n"
          "  --format F        decisions (default): CSV after '#' lines that say what produced it;\n"
          "                    csv: the same rows, plain RFC 4180 (CRLF), no '#' lines (the stamp goes\n"
          "                    to FILE.provenance.json);\n"
          "                    jsonl: one JSON object per conviction with the same fields, after a\n"
          "                    {\"provenance\": ...} line;\n"          "                    cadoj: the DOJ export, every row, with the policy's output columns;\n"
          "                    cadoj-convictions: only the rows with a decision shown;\n"
          "                    cadoj-condensed: gogen's 20 condensed input columns, then the policy's\n"
          "  --set NAME=VALUE  override a parameter of the policy for this run\n"
          "  --as-of DATE      the run date (YYYY-MM-DD) that ages and \"years since\" are measured to;\n"
          "                    default: today\n"
          "  --jobs N          1 to 8 (default: as many as the CPUs, up to 8): with 2 or more, a DOJ\n"
          "                    export is read and decided in pieces, N at a time, each ending where a\n"
          "                    subject begins; the output is the same as with 1\n"
          "  --rejects FILE    write rejected rows (row number and reason) to FILE, its stamp beside it\n"
          "                    (FILE.provenance.json)\n"
          "  --stamp FILE      write the output's stamp to FILE (JSON) instead of OUTPUT.provenance.json:\n"
          "                    the only way to keep the stamp of a DOJ copy or --format csv written to\n"
          "                    standard output\n"
          "  --quiet, -q       no progress line (it is shown only when standard error is a terminal,\n"
          "                    with an estimate of the time left when the input is a file)\n"
          "  --no-input-hash   do not compute the input's SHA-256; the stamp says so.  For trial runs\n"
          "                    on a machine with few CPUs, where the hash takes one of them: keep the\n"
          "                    hash in a run whose results are filed\n"
          "  --summary FILE    write the run's statistics as JSON: outcomes by section, people with\n"
          "                    relief, people whose every felony or conviction gets relief\n"
          "  --report FILE     write a self-contained HTML report (no scripts, nothing fetched): counts by\n"
          "                    outcome, offence, year and county as tables and charts, the policy, the\n"
          "                    parameters, the row accounting and the input's SHA-256\n"
          "  --input-format F  csv (one row per conviction, see spec/records.md), cadoj (the California\n"
          "                    DOJ bulk export), or auto (default: recognised from the header)\n"
          "  -I DIR            a folder to look in for the policies a source policy extends\n"
          "  --help, -h        this help\n"
          "\n"
          "exit codes: 0 every row decided; 1 the policy has errors; 2 usage error; 3 a file cannot\n"
          "            be read or written; 4 the run finished but some rows were rejected\n",
          f);
}

static void usage_test(FILE *f)
{
    fputs("usage: lenity test [-I DIR] POLICY...\n"
          "\n"
          "Runs the examples written inside each policy and prints, per policy and in all,\n"
          "N passed, N failed.  Exits 1 when an example fails or a policy cannot be loaded.\n"
          "\n"
          "  -I DIR      a folder to look in for the policies a source policy extends\n"
          "  --help, -h  this help\n",
          f);
}

static void usage_explain(FILE *f)
{
    fputs("usage: lenity explain POLICY --input RECORDS.csv --person ID [options]\n"
          "\n"
          "Shows, for each conviction of one person, the rules tried in order with the values each\n"
          "test saw, the rule that decided, the outcome, the reason, the citation and the statute\n"
          "text.  It decides as 'lenity run' does.\n"
          "\n"
          "  --input FILE, -i FILE  the records\n"
          "  --person ID       the person's id, as in the records\n"
          "  --format F        text (default) or json\n"
          "  --as-of DATE      the run date (YYYY-MM-DD); default: today\n"
          "  --set NAME=VALUE  override a parameter of the policy\n"
          "  --input-format F  csv, cadoj or auto (default)\n"
          "  -I DIR            a folder to look in for the policies a source policy extends\n"
          "  --help, -h        this help\n",
          f);
}

static void usage_diff(FILE *f)
{
    fputs("usage: lenity diff OLD [NEW] --input RECORDS.csv [options]\n"
          "\n"
          "Runs the records through two policies (or one policy with different parameters on each\n"
          "side) and prints how many convictions and people change outcome, by transition, with\n"
          "the first few people of each.\n"
          "\n"
          "  --input FILE, -i FILE  the records\n"
          "  --set-old NAME=VALUE   override a parameter on the old side\n"
          "  --set-new NAME=VALUE   override a parameter on the new side\n"
          "  --set NAME=VALUE       override a parameter on both sides\n"
          "  --as-of DATE           the run date (YYYY-MM-DD); default: today\n"
          "  --input-format F       csv, cadoj or auto (default)\n"
          "  -I DIR                 a folder to look in for the policies a source policy extends\n"
          "  --help, -h             this help\n",
          f);
}

/* --help or -h anywhere among a command's arguments. */
static bool wants_help(int argc, char **argv)
{
    for (int i = 0; i < argc; i++)
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
            return true;
    return false;
}

/*
 * Bytecode by its name or its first byte: a damaged .lbc must reach the
 * loader and be refused as damaged, not be read as a policy's source.
 */
static bool is_bytecode(const char *path)
{
    size_t n = strlen(path);
    if (n > 4 && strcmp(path + n - 4, ".lbc") == 0)
        return true;
    FILE *f = fopen(path, "rb");
    if (!f)
        return false;
    int first = fgetc(f);
    fclose(f);
    return first == 0x89;
}

/*
 * A source policy takes the same road as a compiled one: it is encoded,
 * loaded and verified, so a run never trusts anything a file could not.
 */
static int load_policy(const char *path, const struct compile_options *opts, struct program *out)
{
    char err[1024];
    program_init(out);
    if (is_bytecode(path)) {
        if (!bc_load_file(path, out, err, sizeof err)) {
            fprintf(stderr, "lenity: %s\n", err);
            return EXIT_INPUT;
        }
    } else {
        struct diag diag;
        diag_init(&diag, stderr);
        struct program compiled;
        program_init(&compiled);
        if (!compile_policy(path, opts, &diag, &compiled)) {
            if (diag.errors > 0)
                fprintf(stderr, "%s: %d error%s\n", path, diag.errors, diag.errors == 1 ? "" : "s");
            return EXIT_POLICY;
        }
        unsigned char *bytes = NULL;
        size_t len = 0;
        bool ok = bc_write_memory(&compiled, &bytes, &len);
        program_free(&compiled);
        if (!ok || !bc_load_memory(bytes, len, path, out, err, sizeof err)) {
            fprintf(stderr, "lenity: %s: internal error: %s\n", path, ok ? err : "out of memory");
            free(bytes);
            return EXIT_INTERNAL;
        }
        free(bytes);
    }
    if (!verify_program(out, err, sizeof err)) {
        fprintf(stderr, "lenity: %s: refused: the bytecode is not safe to run: %s\n", path, err);
        program_free(out);
        return EXIT_INPUT;
    }
    return EXIT_OK;
}

struct run_args {
    const char *policy, *input, *output, *rejects, *person, *as_of, *input_format, *format, *summary, *report;
    const char *stamp; /* lenity run --stamp FILE */
    int jobs; /* --jobs; 0 when not given (default_jobs) */
    bool quiet; /* --quiet: no progress line */
    bool no_input_hash; /* --no-input-hash: the stamp says the input was not hashed */
    const char *sets[MAX_SETS];
    int nsets;
    struct compile_options copts;
};

static int parse_args(int argc, char **argv, struct run_args *a, bool want_person)
{
    memset(a, 0, sizeof *a);
    for (int i = 0; i < argc; i++) {
        const char *s = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if ((strcmp(s, "--input") == 0 || strcmp(s, "-i") == 0) && next) {
            a->input = argv[++i];
        } else if ((strcmp(s, "--output") == 0 || strcmp(s, "-o") == 0) && next) {
            a->output = argv[++i];
        } else if (strcmp(s, "--input-format") == 0 && next) {
            a->input_format = argv[++i];
            if (strcmp(a->input_format, "auto") != 0 && strcmp(a->input_format, "csv") != 0 &&
                strcmp(a->input_format, "cadoj") != 0) {
                fprintf(stderr, "lenity: --input-format is auto, csv or cadoj, not '%s'\n", a->input_format);
                return EXIT_USAGE;
            }
        } else if (strcmp(s, "--summary") == 0 && next) {
            a->summary = argv[++i];
        } else if (strcmp(s, "--stamp") == 0 && next && !want_person) {
            a->stamp = argv[++i];
        } else if (strcmp(s, "--report") == 0 && next && !want_person) {
            a->report = argv[++i];
        } else if (strcmp(s, "--quiet") == 0 || strcmp(s, "-q") == 0) {
            a->quiet = true;
        } else if (strcmp(s, "--no-input-hash") == 0 && !want_person) {
            a->no_input_hash = true;
        } else if (strcmp(s, "--format") == 0 && next) {
            a->format = argv[++i];
            if (want_person) {
                /* lenity explain: text (the default) or json */
                if (strcmp(a->format, "text") != 0 && strcmp(a->format, "json") != 0) {
                    fprintf(stderr, "lenity explain: --format is text or json, not '%s'\n", a->format);
                    return EXIT_USAGE;
                }
            } else if (strcmp(a->format, "decisions") != 0 && strcmp(a->format, "csv") != 0 &&
                       strcmp(a->format, "jsonl") != 0 && strcmp(a->format, "cadoj") != 0 &&
                       strcmp(a->format, "cadoj-condensed") != 0 && strcmp(a->format, "cadoj-convictions") != 0) {
                fprintf(stderr, "lenity: --format is decisions, csv, jsonl, cadoj, cadoj-condensed or "
                                "cadoj-convictions, not '%s'\n", a->format);
                return EXIT_USAGE;
            }
        } else if (strcmp(s, "--as-of") == 0 && next) {
            a->as_of = argv[++i];
        } else if (strcmp(s, "--jobs") == 0 && next) {
            const char *n = argv[++i];
            _Static_assert(RUN_MAX_JOBS <= 9, "--jobs is read as one digit");
            if (strlen(n) != 1 || n[0] < '1' || n[0] > '0' + RUN_MAX_JOBS) {
                fprintf(stderr, "lenity: --jobs is a number from 1 to %d, not '%s'\n", RUN_MAX_JOBS, n);
                return EXIT_USAGE;
            }
            a->jobs = n[0] - '0';
        } else if (strcmp(s, "--rejects") == 0 && next) {
            a->rejects = argv[++i];
        } else if (strcmp(s, "--person") == 0 && next && want_person) {
            a->person = argv[++i];
        } else if (strcmp(s, "--set") == 0 && next) {
            if (a->nsets >= MAX_SETS) {
                fprintf(stderr, "lenity: at most %d --set options\n", MAX_SETS);
                return EXIT_USAGE;
            }
            a->sets[a->nsets++] = argv[++i];
        } else if (strcmp(s, "-I") == 0 && next) {
            if (a->copts.extend.ninclude_dirs >= EXTEND_MAX_INCLUDE_DIRS) {
                fprintf(stderr, "lenity: at most %d -I folders\n", EXTEND_MAX_INCLUDE_DIRS);
                return EXIT_USAGE;
            }
            a->copts.extend.include_dirs[a->copts.extend.ninclude_dirs++] = argv[++i];
        } else if (s[0] == '-' && s[1] != '\0') {
            fprintf(stderr, "lenity: unknown option '%s' (or it needs a value)\n", s);
            return EXIT_USAGE;
        } else if (!a->policy) {
            a->policy = s;
        } else {
            fprintf(stderr, "lenity: unexpected argument '%s'\n", s);
            return EXIT_USAGE;
        }
    }
    if (!a->policy || !a->input || (want_person && !a->person)) {
        fprintf(stderr, "lenity: %s\n", !a->policy ? "name a policy to run"
                                         : !a->input ? "name the records with --input FILE"
                                                     : "name the person with --person ID");
        usage(stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

/* The run date: --as-of, else today.  Ages and "years since" are measured to it. */
static int apply_as_of(struct vm *vm, const struct run_args *a)
{
    if (a->as_of) {
        if (!date_parse_iso(a->as_of, strlen(a->as_of), &vm->as_of)) {
            fprintf(stderr, "lenity: --as-of needs a date written YYYY-MM-DD, e.g. 2019-11-11 (got '%s')\n", a->as_of);
            return EXIT_USAGE;
        }
    } else {
        time_t now = time(NULL);
        struct tm tm;
        localtime_r(&now, &tm);
        if (!date_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &vm->as_of))
            return EXIT_INTERNAL;
    }
    vm->as_of_known = true;
    return EXIT_OK;
}

/*
 * The records' format: as asked, or recognised from the first bytes (a DOJ
 * export's header starts with RECORD_ID).  Standard input cannot be peeked
 * at, so it is read as the conviction CSV unless --input-format says otherwise.
 */
static struct record_reader *open_records(const struct run_args *a, record_reject_fn fn, void *ctx, char *err,
                                          size_t errsize)
{
    const char *fmt = a->input_format ? a->input_format : "auto";
    if (strcmp(fmt, "auto") == 0) {
        fmt = "csv";
        char head[64];
        size_t n = 0;
        if (strcmp(a->input, "-") != 0) {
            FILE *f = fopen(a->input, "rb");
            if (f) {
                n = fread(head, 1, sizeof head, f);
                fclose(f);
            }
        } else {
            /* a file given as standard input (< FILE) can be peeked at without moving its offset; a pipe cannot */
            struct stat st;
            off_t at = lseek(STDIN_FILENO, 0, SEEK_CUR);
            ssize_t got = at >= 0 && fstat(STDIN_FILENO, &st) == 0 && S_ISREG(st.st_mode)
                              ? pread(STDIN_FILENO, head, sizeof head, at)
                              : -1;
            n = got > 0 ? (size_t)got : 0;
        }
        if (cadoj_looks_like(head, n))
            fmt = "cadoj";
    }
    return strcmp(fmt, "cadoj") == 0 ? cadoj_reader_open(a->input, fn, ctx, err, errsize)
                                     : csv_reader_open(a->input, fn, ctx, err, errsize);
}

static int apply_sets(struct vm *vm, const struct run_args *a)
{
    int rc = apply_as_of(vm, a);
    if (rc != EXIT_OK)
        return rc;
    for (int i = 0; i < a->nsets; i++) {
        char name[256];
        const char *eq = strchr(a->sets[i], '=');
        if (!eq || eq == a->sets[i] || (size_t)(eq - a->sets[i]) >= sizeof name) {
            fprintf(stderr, "lenity: --set needs NAME=VALUE, e.g. --set cutoff=2017-01-01 (got '%s')\n", a->sets[i]);
            return EXIT_USAGE;
        }
        snprintf(name, sizeof name, "%.*s", (int)(eq - a->sets[i]), a->sets[i]);
        char err[1024];
        if (!vm_set_param(vm, name, eq + 1, err, sizeof err)) {
            fprintf(stderr, "lenity: --set %s: %s\n", a->sets[i], err);
            return EXIT_USAGE;
        }
    }
    return EXIT_OK;
}

static void print_overrides(FILE *f, const struct run_args *a, const struct vm *vm)
{
    char date[16];
    date_format_iso(vm->as_of, date);
    fprintf(f, "as of: %s%s\n", date, a->as_of ? "" : " (today; give --as-of to fix the run date)");
    for (int i = 0; i < a->nsets; i++)
        fprintf(f, "parameter override: %s\n", a->sets[i]);
}

/*
 * Where a run's decisions go: the decisions file, or a copy of the DOJ
 * export with the policy's columns, which needs a person's decisions all
 * together (one row may show several convictions' counts).
 */
/*
 * A progress line on standard error, only when it is a terminal and not
 * --quiet: rows read, rows a second, time so far, and, when the input is a
 * regular file, an estimate of the time left.  Looked at every 4096 people
 * and redrawn at most twice a second, so it costs nothing measurable.
 */
struct progress {
    bool on, shown;
    struct record_reader *reader;
    double start, last;
    uint64_t people;
    /* for the estimate: the input file, and a descriptor on it that is not a reader's (the hash's) */
    bool sized;
    int64_t size;
    dev_t dev;
    ino_t ino;
    int skip_fd;
    /* the run's totals: with two jobs, the rows and bytes given to the output so far */
    const struct run_totals *totals;
};

static double progress_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * How far the readers are through the input, from 0 to 1, or -1 when it
 * cannot be told.  The readers' own file positions are read from
 * /proc/self/fdinfo (Linux), so the readers need not count their bytes.
 * With two jobs, the pieces given to the output so far are counted as they
 * go (the readers are ahead of them, by a few pieces).
 */
static double progress_fraction(const struct progress *pg)
{
    if (!pg->sized || pg->size <= 0)
        return -1;
    if (pg->totals && pg->totals->bytes_given > 0)
        return pg->totals->bytes_given >= (uint64_t)pg->size ? 1.0
                                                             : (double)pg->totals->bytes_given / (double)pg->size;
    DIR *dir = opendir("/proc/self/fd");
    if (!dir)
        return -1;
    int64_t lowest = -1;
    int found = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        struct stat st;
        if (*end || end == e->d_name || fd == dirfd(dir) || fd == pg->skip_fd || fstat((int)fd, &st) != 0 ||
            st.st_dev != pg->dev || st.st_ino != pg->ino)
            continue;
        char path[64], line[128];
        snprintf(path, sizeof path, "/proc/self/fdinfo/%ld", fd);
        FILE *f = fopen(path, "r");
        long long pos = -1;
        while (f && fgets(line, sizeof line, f))
            if (sscanf(line, "pos: %lld", &pos) == 1)
                break;
        if (f)
            fclose(f);
        if (pos < 0)
            continue;
        found++;
        if (lowest < 0 || pos < lowest)
            lowest = pos;
    }
    closedir(dir);
    if (found == 0)
        return -1;
    double f = (double)lowest / (double)pg->size;
    return f > 1 ? 1 : f;
}

static void progress_tick(struct progress *pg)
{
    if (!pg->on || (++pg->people & 4095) != 0)
        return;
    double now = progress_now();
    if (now - pg->last < 0.5)
        return;
    pg->last = now;
    double elapsed = now - pg->start;
    uint64_t rows = pg->reader->rows_read; /* one job; with two, the pieces count */
    if (pg->totals && pg->totals->rows_read > rows)
        rows = pg->totals->rows_read;
    fprintf(stderr, "\r\033[K%llu rows, %.0f rows/s, %.0f s", (unsigned long long)rows,
            elapsed > 0 ? (double)rows / elapsed : 0.0, elapsed);
    double done = progress_fraction(pg);
    if (done >= 0.01 && done < 1) {
        double left = elapsed * (1 - done) / done;
        if (left < 90)
            fprintf(stderr, ", about %.0f s left (%.0f%%)", left < 1 ? 1 : left, 100 * done);
        else
            fprintf(stderr, ", about %.0f min left (%.0f%%)", left / 60, 100 * done);
    }
    pg->shown = true;
}

static void progress_done(struct progress *pg)
{
    if (pg->shown)
        fputs("\r\033[K", stderr); /* the summary follows on a clean line */
    pg->shown = false;
}

struct sink {
    struct progress progress;
    struct people_seen seen;   /* whose rows are not together (people_seen.h) */
    uint64_t people_apart;     /* people met again after other people's rows */
    int write_errno;           /* why the output could not be written, when it could not */
    const char *input;
    struct decisions_writer *decisions;
    struct cadoj_out *cadoj;
    struct summary *summary;    /* --summary: statistics over each person's decisions */
    const struct provenance *pv;
    struct vm *vm;
    struct decision *held;      /* the current person's decisions, for cadoj */
    uint32_t held_cap;
};

static bool sink_open(struct sink *s, const struct run_args *a, const char *output, const struct program *p,
                      struct vm *vm, struct record_reader *reader, const struct provenance *pv, char *err,
                      size_t errsize)
{
    memset(s, 0, sizeof *s);
    people_seen_init(&s->seen, 0);
    s->vm = vm;
    s->pv = pv;
    s->input = a->input;
    s->progress.on = !a->quiet && isatty(STDERR_FILENO) && reader != NULL;
    s->progress.reader = reader;
    s->progress.start = s->progress.last = progress_now();
    s->progress.skip_fd = pv && pv->fd >= 0 && pv->fd != STDIN_FILENO ? pv->fd : -1;
    struct stat st;
    if (s->progress.on && (strcmp(a->input, "-") == 0 ? fstat(STDIN_FILENO, &st) : stat(a->input, &st)) == 0 &&
        S_ISREG(st.st_mode)) {
        s->progress.sized = true;
        s->progress.size = (int64_t)st.st_size;
        s->progress.dev = st.st_dev;
        s->progress.ino = st.st_ino;
    }
    if (a->summary || a->report) {
        s->summary = summary_new(p);
        if (!s->summary) {
            snprintf(err, errsize, "out of memory");
            return false;
        }
    }
    const char *format = a->format ? a->format : "decisions";
    if (strcmp(format, "decisions") == 0 || strcmp(format, "csv") == 0 || strcmp(format, "jsonl") == 0) {
        enum decisions_format f = format[0] == 'd' ? DECISIONS_COMMENTED
                                  : format[0] == 'c' ? DECISIONS_CSV
                                                     : DECISIONS_JSONL;
        s->decisions = decisions_open_stamped(output, a->input, p, vm, pv, f, err, errsize);
        return s->decisions != NULL;
    }
    if (p->ncolumns == 0) {
        snprintf(err, errsize, "--format %s adds the policy's output columns, and this policy declares none "
                               "(see 'column' in spec/language.md)", format);
        return false;
    }
    if (!reader->header) {
        snprintf(err, errsize, "--format %s copies a DOJ export row by row; %s is read as the conviction CSV "
                               "(give --input-format cadoj if it is an export)", format, a->input);
        return false;
    }
    reader->keep_rows = true;
    size_t hlen = 0;
    const char *header = reader->header(reader, &hlen);
    enum cadoj_out_variant v = strcmp(format, "cadoj") == 0            ? CADOJ_OUT_FULL
                               : strcmp(format, "cadoj-condensed") == 0 ? CADOJ_OUT_CONDENSED
                                                                        : CADOJ_OUT_CONVICTIONS;
    s->cadoj = cadoj_out_open(output, v, p, vm, header ? header : "", hlen, err, errsize);
    return s->cadoj != NULL;
}

static bool sink_decision(struct sink *s, const struct person *person, uint32_t i, const struct decision *d)
{
    if (s->decisions && !decisions_write(s->decisions, person, i, d))
        return false;
    if (!s->cadoj && !s->summary)
        return true;
    if (i >= s->held_cap) {
        uint32_t cap = s->held_cap ? s->held_cap * 2 : 64;
        while (cap <= i)
            cap *= 2;
        struct decision *grown = realloc(s->held, cap * sizeof *grown);
        if (!grown)
            return false;
        s->held = grown;
        s->held_cap = cap;
    }
    s->held[i] = *d;
    return true;
}

static bool sink_person_done(struct sink *s, const struct person *person)
{
    progress_tick(&s->progress);
    if (people_seen_add(&s->seen, person_text(person, person->id), person->id.len) == PEOPLE_AGAIN) {
        if (s->people_apart++ < 5) {
            char first[32] = "";
            if (person->count > 0)
                snprintf(first, sizeof first, " at row %llu", (unsigned long long)person->convictions[0].row);
            fprintf(stderr, "%s: person '%s' appears again%s, after other people's rows: these rows are judged "
                            "as a separate person, without the history before them; sort the records by person\n",
                    s->input ? s->input : "input", person_text(person, person->id), first);
        }
    }
    if (s->summary)
        summary_person(s->summary, s->vm, person, s->held);
    return s->cadoj ? cadoj_out_person(s->cadoj, person, s->held) : true;
}

static bool sink_commit(struct sink *s, char *err, size_t errsize)
{
    bool ok = s->decisions ? decisions_commit(s->decisions, err, errsize) : cadoj_out_commit(s->cadoj, err, errsize);
    s->decisions = NULL;
    s->cadoj = NULL;
    free(s->held);
    s->held = NULL;
    people_seen_free(&s->seen);
    memset(s, 0, sizeof *s);
    return ok;
}

static void sink_abort(struct sink *s)
{
    if (s->decisions)
        decisions_abort(s->decisions);
    if (s->cadoj)
        cadoj_out_abort(s->cadoj);
    summary_free(s->summary);
    free(s->held);
    people_seen_free(&s->seen);
    memset(s, 0, sizeof *s);
}

/* The sink, as run_decide gives it each person's decisions. */
/*
 * The first write that failed, for the message: errno as the failing call
 * left it (the callers clear it first, so a failure that set none is not
 * blamed on an older one).
 */
static bool sink_wrote(struct sink *s, bool ok)
{
    if (!ok && !s->write_errno)
        s->write_errno = errno ? errno : EIO;
    return ok;
}

static bool run_decision(void *sink, const struct person *person, uint32_t i, const struct decision *d)
{
    errno = 0;
    return sink_wrote(sink, sink_decision(sink, person, i, d));
}

static bool run_person_done(void *sink, const struct person *person)
{
    errno = 0;
    return sink_wrote(sink, sink_person_done(sink, person));
}

/* With two jobs, a worker's copy of a person's rows into its piece (parallel.h). */
static bool run_rows(void *sink, FILE *f, struct vm *vm, const struct person *person, const struct decision *d)
{
    return cadoj_out_person_to(((struct sink *)sink)->cadoj, f, vm, person, d);
}

static bool run_copy(void *sink, const char *bytes, size_t len)
{
    errno = 0;
    return sink_wrote(sink, cadoj_out_bytes(((struct sink *)sink)->cadoj, bytes, len));
}

/* Without --jobs: a job a CPU, up to RUN_MAX_JOBS (the output is the same however many). */
static int default_jobs(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    return cpus < 1 ? 1 : cpus > RUN_MAX_JOBS ? RUN_MAX_JOBS : (int)cpus;
}

/* The outputs that cannot carry '#' lines (plain CSV, DOJ copies): their stamp goes in a file of its own. */
static bool stamp_beside(const struct run_args *a)
{
    return a->format && (strcmp(a->format, "csv") == 0 || strncmp(a->format, "cadoj", 5) == 0);
}

static int cmd_run(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        usage_run(stdout);
        return EXIT_OK;
    }
    struct run_args a;
    int rc = parse_args(argc, argv, &a, false);
    if (rc != EXIT_OK)
        return rc;
    const char *output = a.output ? a.output : "-";
    if (strcmp(output, "-") != 0 && output_is_same_file(output, a.input)) {
        fprintf(stderr, "lenity: refusing to write the decisions over the input file '%s'\n", a.input);
        return EXIT_USAGE;
    }
    /* the report, the summary, the stamp and the rejects are written over nothing else the run reads or writes */
    const char *extra[4] = {a.report, a.summary, a.stamp, a.rejects};
    static const char *const extra_name[4] = {"report", "summary", "stamp", "rejects"};
    for (int k = 0; k < 4; k++) {
        if (extra[k] && k < 3 && (output_is_same_file(extra[k], a.input) ||
                                  (strcmp(output, "-") != 0 && output_is_same_file(extra[k], output)))) {
            fprintf(stderr, "lenity: the %s file '%s' would overwrite the input or the decisions\n",
                    extra_name[k], extra[k]);
            return EXIT_USAGE;
        }
        for (int j = 0; j < k; j++)
            if (extra[k] && extra[j] && output_is_same_file(extra[k], extra[j])) {
                fprintf(stderr, "lenity: --%s and --%s name the same file '%s'; give each its own\n",
                        extra_name[j], extra_name[k], extra[k]);
                return EXIT_USAGE;
            }
    }
    if (a.rejects && (output_is_same_file(a.rejects, a.input) ||
                      (strcmp(output, "-") != 0 && output_is_same_file(a.rejects, output)))) {
        fprintf(stderr, "lenity: the rejects file '%s' would overwrite the input or the decisions\n", a.rejects);
        return EXIT_USAGE;
    }
    struct program program;
    rc = load_policy(a.policy, &a.copts, &program);
    if (rc != EXIT_OK)
        return rc;
    struct vm vm;
    if (!vm_init(&vm, &program)) {
        program_free(&program);
        return EXIT_INTERNAL;
    }
    rc = apply_sets(&vm, &a);
    char err[1024];
    struct rejects *rejects = NULL;
    struct record_reader *reader = NULL;
    struct sink sink;
    memset(&sink, 0, sizeof sink);
    if (rc == EXIT_OK) {
        rejects = rejects_open(a.rejects, err, sizeof err);
        if (!rejects) {
            fprintf(stderr, "lenity: %s\n", err);
            rc = EXIT_INPUT;
        } else {
            rejects_set_input(rejects, a.input);
        }
    }
    /* the input is hashed from here on, beside the run (provenance.h) */
    struct provenance pv;
    if (rc == EXIT_OK)
        provenance_start(&pv, &program, a.policy, &vm, a.sets, a.nsets, a.as_of != NULL, a.input,
                         !a.no_input_hash);
    bool pv_started = rc == EXIT_OK;
    if (rc == EXIT_OK) {
        reader = open_records(&a, rejects_add, rejects, err, sizeof err);
        if (!reader) {
            fprintf(stderr, "lenity: %s\n", err);
            rc = EXIT_INPUT;
        }
    }
    if (rc == EXIT_OK) {
        fflush(stdout);
        if (!sink_open(&sink, &a, output, &program, &vm, reader, &pv, err, sizeof err)) {
            fprintf(stderr, "lenity: %s\n", err);
            rc = a.format && !sink.decisions && !sink.cadoj && program.ncolumns == 0 ? EXIT_USAGE : EXIT_INPUT;
        }
    }
    struct run_totals totals;
    memset(&totals, 0, sizeof totals);
    if (rc == EXIT_OK) {
        /* every person decided, in input order, with one job or more (parallel.h) */
        struct run_output out = {run_decision, run_person_done, &sink, sink.summary != NULL,
                                 sink.cadoj ? run_rows : NULL, sink.cadoj ? run_copy : NULL};
        struct run_job job = {a.input, reader, &vm, out, a.jobs ? a.jobs : default_jobs(), 0, a.jobs == 0};
        sink.progress.totals = &totals;
        char why[1024];
        enum record_status st = run_decide(&job, &totals, why, sizeof why);
        totals.people_apart = sink.people_apart;
        totals.people_apart_checked_to = people_seen_checked_to(&sink.seen);
        progress_done(&sink.progress);
        provenance_finish(&pv, st == RECORD_ERROR);
        if (st == RECORD_ERROR) {
            if (why[0])
                fprintf(stderr, "lenity: %s; no decisions were written\n", why);
            else
                fprintf(stderr, "lenity: %s: writing failed (%s); %s\n", out_display(output),
                        strerror(sink.write_errno ? sink.write_errno : EIO), out_lost(output));
            sink_abort(&sink);
            rejects_close(rejects, false, err, sizeof err);
            rejects = NULL;
            rc = EXIT_INPUT;
        } else {
            struct summary *summary = sink.summary;
            /* the copies of the DOJ export and plain CSV cannot carry '#' lines: their stamp goes beside them */
            bool sidecar = stamp_beside(&a);
            if (!sink_commit(&sink, err, sizeof err)) {
                fprintf(stderr, "lenity: %s\n", err);
                rc = EXIT_INPUT;
            } else if (a.stamp ? !provenance_write_stamp(&pv, out_display(output), a.stamp, err, sizeof err)
                               : sidecar && !provenance_write_sidecar(&pv, output, err, sizeof err)) {
                fprintf(stderr, "lenity: %s\n", err);
                rc = EXIT_INPUT;
            } else if (a.summary && !summary_write(summary, a.summary, &totals, a.input, &vm, &pv, err, sizeof err)) {
                fprintf(stderr, "lenity: %s\n", err);
                rc = EXIT_INPUT;
            } else if (a.report && !report_write(a.report, summary, &totals, &pv, err, sizeof err)) {
                fprintf(stderr, "lenity: %s\n", err);
                rc = EXIT_INPUT;
            }
            summary_free(summary);
        }
    }
    bool rejects_file = rejects && a.rejects;
    if (rejects && !rejects_close(rejects, rc == EXIT_OK, err, sizeof err)) {
        fprintf(stderr, "lenity: %s\n", err);
        if (rc == EXIT_OK)
            rc = EXIT_INPUT;
    } else if (rejects_file && rc == EXIT_OK && !provenance_write_sidecar(&pv, a.rejects, err, sizeof err)) {
        /* the rejects file is plain CSV too: its stamp goes beside it */
        fprintf(stderr, "lenity: %s\n", err);
        rc = EXIT_INPUT;
    }
    if (pv_started)
        provenance_finish(&pv, true);
    if (reader)
        reader->close(reader);
    if (rc == EXIT_OK) {
        print_overrides(stderr, &a, &vm);
        if (!a.stamp && stamp_beside(&a) && strcmp(output, "-") == 0)
            fputs("lenity: note: this output went to standard output, where it has no place for its stamp (what "
                  "produced it, and the input's SHA-256); give --stamp FILE to keep the stamp in FILE\n",
                  stderr);
        totals_print_hashed(stderr, &program, &totals, a.input, provenance_input_hash(&pv));
        if (totals.rows_rejected > 0)
            rc = EXIT_REJECTED;
    }
    vm_free(&vm);
    program_free(&program);
    return rc;
}

static int cmd_test(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        usage_test(stdout);
        return EXIT_OK;
    }
    struct compile_options opts;
    memset(&opts, 0, sizeof opts);
    const char *policies[256];
    int npolicies = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "-I") == 0 && i + 1 < argc) {
            if (opts.extend.ninclude_dirs >= EXTEND_MAX_INCLUDE_DIRS) {
                fprintf(stderr, "lenity test: at most %d -I folders\n", EXTEND_MAX_INCLUDE_DIRS);
                return EXIT_USAGE;
            }
            opts.extend.include_dirs[opts.extend.ninclude_dirs++] = argv[++i];
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "lenity test: unknown option '%s'\n", argv[i]);
            return EXIT_USAGE;
        } else if (npolicies < 256) {
            policies[npolicies++] = argv[i];
        } else {
            fprintf(stderr, "lenity test: at most 256 policies at once; run the rest in another call\n");
            return EXIT_USAGE;
        }
    }
    if (npolicies == 0) {
        fprintf(stderr, "lenity test: name at least one policy\n");
        return EXIT_USAGE;
    }
    uint32_t passed = 0, failed = 0;
    int rc = EXIT_OK;
    for (int i = 0; i < npolicies; i++) {
        struct program program;
        int lrc = load_policy(policies[i], &opts, &program);
        if (lrc != EXIT_OK) {
            fprintf(stderr, "%s: could not be loaded; its examples did not run\n", policies[i]);
            failed++;
            rc = lrc;
            continue;
        }
        struct examples_result r;
        if (!examples_run(&program, stdout, &r)) {
            fprintf(stderr, "lenity: out of memory running examples\n");
            program_free(&program);
            return EXIT_INTERNAL;
        }
        if (program.nexamples == 0)
            printf("%s: warning: the policy has no examples\n", policies[i]);
        printf("%s: %u passed, %u failed\n", policies[i], r.passed, r.failed);
        passed += r.passed;
        failed += r.failed;
        program_free(&program);
    }
    printf("%u passed, %u failed\n", passed, failed);
    if (failed > 0 && rc == EXIT_OK)
        rc = EXIT_POLICY;
    return rc;
}

struct explain_ctx {
    const struct program *p;
    FILE *out;
    bool json;              /* --format json: one JSON document; the same tests, as strings */
    bool first_rule;
    char tests[16384];      /* the current rule's tests, printed under its verdict */
    size_t used;
};

/* "value" of a test's side, unless it is just the literal written there. */
static void explain_side(char *buf, size_t size, const char *text, const struct value *v)
{
    char value[256];
    if (!v) {
        snprintf(buf, size, "%s", text);
        return;
    }
    if (v->unknown)
        snprintf(value, sizeof value, "unknown");
    else if (v->type == TYPE_TEXT)
        snprintf(value, sizeof value, "\"%.*s\"", (int)(v->as.text.len < 200 ? v->as.text.len : 200), v->as.text.ptr);
    else
        value_format(v, value, sizeof value);
    if (strcmp(value, text) == 0 || (v->type == TYPE_TEXT && text[0] == '"'))
        snprintf(buf, size, "%s", text);
    else
        snprintf(buf, size, "%s %s", text, value);
}

static void explain_note(void *ctx, uint32_t note, const struct value *left, const struct value *right,
                         const struct value *result)
{
    struct explain_ctx *e = ctx;
    char text[512];
    snprintf(text, sizeof text, "%s", program_str(e->p, note));
    char *words = strchr(text, '\001');
    char *rtext = words ? strchr(words + 1, '\001') : NULL;
    if (!words || !rtext)
        return;
    *words++ = '\0';
    *rtext++ = '\0';
    char l[400], r[400], res[64];
    explain_side(l, sizeof l, text, left);
    explain_side(r, sizeof r, rtext, right);
    if (result->type == TYPE_BOOL)
        snprintf(res, sizeof res, "%s", result->unknown ? "unknown" : result->as.number ? "yes" : "no");
    else
        value_format(result, res, sizeof res);
    if (e->used < sizeof e->tests)
        e->used += (size_t)snprintf(e->tests + e->used, sizeof e->tests - e->used, "        %s%s%s%s%s: %s\n", l,
                                    *words ? " " : "", words, *r ? " " : "", r, res);
    if (e->used > sizeof e->tests)
        e->used = sizeof e->tests;
}

static void explain_trace(void *ctx, uint32_t rule, const struct value *cond)
{
    struct explain_ctx *e = ctx;
    const struct program_rule *r = &e->p->rules[rule];
    const char *verdict = !cond ? "decides (otherwise)"
                          : cond->unknown ? "cannot tell (a fact is missing)"
                          : cond->as.number ? "applies"
                                            : "does not apply";
    if (!e->json) {
        fprintf(e->out, "    rule %-28s (line %u): %s\n", program_str(e->p, r->name), r->line, verdict);
        fwrite(e->tests, 1, e->used, e->out);
        e->used = 0;
        return;
    }
    fprintf(e->out, "%s\n        {\"rule\": ", e->first_rule ? "" : ",");
    e->first_rule = false;
    json_string(e->out, program_str(e->p, r->name));
    fprintf(e->out, ", \"line\": %u, \"verdict\": ", r->line);
    json_string(e->out, verdict);
    fputs(", \"tests\": [", e->out);
    /* the tests as the text output writes them, one string each */
    e->tests[e->used < sizeof e->tests ? e->used : sizeof e->tests - 1] = '\0';
    bool first = true;
    for (char *line = e->tests; *line;) {
        char *nl = strchr(line, '\n');
        if (nl)
            *nl = '\0';
        while (*line == ' ')
            line++;
        if (*line) {
            fputs(first ? "" : ", ", e->out);
            json_string(e->out, line);
            first = false;
        }
        if (!nl)
            break;
        line = nl + 1;
    }
    fputs("]}", e->out);
    e->used = 0;
}

/* lenity explain --format json: the text output's content, one JSON document per person found. */
static void explain_json_person(struct explain_ctx *e, struct vm *vm, const struct person *person,
                                const struct run_args *a)
{
    const struct program *p = e->p;
    FILE *f = e->out;
    fputs("{\"person\": ", f);
    json_string(f, a->person);
    fputs(", \"policy\": ", f);
    json_string(f, program_str(p, p->name));
    fputs(", \"version\": ", f);
    json_string(f, program_str(p, p->version));
    fputs(", \"convictions\": [", f);
    for (uint32_t i = 0; i < person->count; i++) {
        const struct conviction *c = &person->convictions[i];
        fprintf(f, "%s\n  {\"row\": %llu, \"citation\": ", i ? "," : "", (unsigned long long)c->row);
        json_string(f, (c->known & (1u << FACT_CITATION)) ? c->citation.text : "");
        fputs(", \"rules\": [", f);
        e->first_rule = true;
        struct decision d;
        vm_decide(vm, person, i, &d);
        char reason[1024];
        decision_reason_with(p, vm->params, &d, reason, sizeof reason);
        const struct program_rule *r = &p->rules[d.rule];
        uint32_t nactions = 1;
        const uint32_t *actions = d.unknown ? &d.outcome : program_rule_actions(p, r, &nactions);
        fputs("],\n    \"outcome\": ", f);
        json_string(f, program_str(p, p->outcomes[d.outcome].name));
        fputs(", \"actions\": [", f);
        for (uint32_t k = 0; k < nactions; k++) {
            fputs(k ? ", " : "", f);
            json_string(f, program_str(p, p->outcomes[actions[k]].name));
        }
        fputs("], \"outcome_kind\": ", f);
        json_string(f, outcome_kind_words((enum outcome_kind)p->outcomes[d.outcome].kind));
        fputs(", \"rule\": ", f);
        json_string(f, program_str(p, r->name));
        fputs(", \"reason\": ", f);
        json_string(f, reason);
        fputs(", \"citing\": ", f);
        if (r->citation != PROGRAM_NO_CONST)
            json_string(f, p->citations[r->citation].text);
        else
            fputs("null", f);
        fputs(", \"eligible_from\": ", f);
        if (d.has_eligible_from) {
            char day[16];
            date_format_iso(d.eligible_from, day);
            json_string(f, day);
        } else {
            fputs("null", f);
        }
        fputs(", \"statute_text\": ", f);
        if (r->quote != PROGRAM_NO_STRING)
            json_string(f, program_str(p, r->quote));
        else
            fputs("null", f);
        fputs("}", f);
    }
    fputs("\n]}\n", f);
}

static int cmd_explain(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        usage_explain(stdout);
        return EXIT_OK;
    }
    struct run_args a;
    int rc = parse_args(argc, argv, &a, true);
    if (rc != EXIT_OK)
        return rc;
    struct program program;
    rc = load_policy(a.policy, &a.copts, &program);
    if (rc != EXIT_OK)
        return rc;
    struct vm vm;
    if (!vm_init(&vm, &program)) {
        program_free(&program);
        return EXIT_INTERNAL;
    }
    rc = apply_sets(&vm, &a);
    char err[1024];
    struct rejects *rejects = rc == EXIT_OK ? rejects_open("/dev/null", err, sizeof err) : NULL;
    struct record_reader *reader = rejects ? open_records(&a, rejects_add, rejects, err, sizeof err) : NULL;
    if (rc == EXIT_OK && !reader) {
        fprintf(stderr, "lenity: %s\n", err);
        rc = EXIT_INPUT;
    }
    bool found = false;
    if (rc == EXIT_OK) {
        static struct explain_ctx ctx;
        ctx.p = &program;
        ctx.out = stdout;
        ctx.used = 0;
        ctx.json = a.format && strcmp(a.format, "json") == 0;
        vm.trace = explain_trace;
        vm.trace_ctx = &ctx;
        vm.note = explain_note;
        vm.note_ctx = &ctx;
        struct person person;
        person_init(&person);
        while (reader->next(reader, &person) == RECORD_PERSON) {
            if (strcmp(person_text(&person, person.id), a.person) != 0)
                continue;
            found = true;
            if (ctx.json) {
                explain_json_person(&ctx, &vm, &person, &a);
                continue;
            }
            printf("person %s: %u conviction%s under %s (version %s)\n", a.person, person.count,
                   person.count == 1 ? "" : "s", program_str(&program, program.name),
                   program_str(&program, program.version));
            for (uint32_t i = 0; i < person.count; i++) {
                const struct conviction *c = &person.convictions[i];
                printf("\nconviction %u (row %llu): %s\n", i + 1, (unsigned long long)c->row, c->citation.text);
                struct decision d;
                vm_decide(&vm, &person, i, &d);
                char reason[1024];
                decision_reason_with(&program, vm.params, &d, reason, sizeof reason);
                const struct program_rule *r = &program.rules[d.rule];
                uint32_t nactions = 1;
                const uint32_t *actions = d.unknown ? &d.outcome : program_rule_actions(&program, r, &nactions);
                char outcome[512];
                size_t need = program_join_actions(&program, actions, nactions, outcome, sizeof outcome);
                printf("  outcome: %s%s\n  reason:  %s\n", outcome, need >= sizeof outcome ? "..." : "", reason);
                if (r->citation != PROGRAM_NO_CONST)
                    printf("  citing:  %s\n", program.citations[r->citation].text);
                if (d.has_eligible_from) {
                    char day[16];
                    date_format_iso(d.eligible_from, day);
                    printf("  eligible from: %s\n", day);
                } else if (!d.unknown && r->eligible_from != PROGRAM_NO_CONST) {
                    printf("  eligible from: unknown (the rule's date depends on a fact the record does not give)\n");
                }
                if (r->quote != PROGRAM_NO_STRING) {
                    printf("  statute text:\n");
                    for (const char *q = program_str(&program, r->quote); *q;) {
                        const char *nl = strchr(q, '\n');
                        int n = nl ? (int)(nl - q) : (int)strlen(q);
                        printf("    %.*s\n", n, q);
                        q += n + (nl ? 1 : 0);
                    }
                }
            }
        }
        person_free(&person);
        if (!found) {
            fprintf(stderr, "lenity: no person with id '%s' in %s\n", a.person, a.input);
            rc = EXIT_INPUT;
        }
    }
    if (reader)
        reader->close(reader);
    if (rejects)
        rejects_close(rejects, false, err, sizeof err);
    vm_free(&vm);
    program_free(&program);
    return rc;
}

/*
 * lenity diff: the same records through two policies (or one policy with
 * different --set values on each side), one reader and two VMs, so it costs
 * no more than two runs.  Counts the convictions and people whose outcome
 * changes, by transition, with the first few people of each.
 */
#define DIFF_MAX_TRANSITIONS 4096
#define DIFF_EXAMPLES 5

struct transition {
    char from[64], to[64];
    uint64_t count;
    char examples[DIFF_EXAMPLES][64];
    unsigned nexamples;
};

static struct transition *find_transition(struct transition *t, unsigned *n, const char *from, const char *to)
{
    for (unsigned i = 0; i < *n; i++)
        if (strcmp(t[i].from, from) == 0 && strcmp(t[i].to, to) == 0)
            return &t[i];
    if (*n >= DIFF_MAX_TRANSITIONS)
        return NULL;
    struct transition *x = &t[(*n)++];
    memset(x, 0, sizeof *x);
    snprintf(x->from, sizeof x->from, "%s", from);
    snprintf(x->to, sizeof x->to, "%s", to);
    return x;
}

static int cmd_diff(int argc, char **argv)
{
    if (wants_help(argc, argv)) {
        usage_diff(stdout);
        return EXIT_OK;
    }
    /* --set-old / --set-new go to one side; the rest are run's options */
    const char *old_sets[MAX_SETS], *new_sets[MAX_SETS];
    int nold = 0, nnew = 0;
    char *rest[256];
    int nrest = 0;
    const char *policies[2] = {NULL, NULL};
    for (int i = 0; i < argc; i++) {
        bool old_side = strcmp(argv[i], "--set-old") == 0, new_side = strcmp(argv[i], "--set-new") == 0;
        if ((old_side || new_side) && i + 1 < argc) {
            if ((old_side ? nold : nnew) >= MAX_SETS)
                return EXIT_USAGE;
            if (old_side)
                old_sets[nold++] = argv[++i];
            else
                new_sets[nnew++] = argv[++i];
        } else if (argv[i][0] != '-' && !policies[1] && (i == 0 || argv[i - 1][0] != '-' ||
                                                          strcmp(argv[i - 1], "-") == 0)) {
            if (!policies[0])
                policies[0] = argv[i];
            else
                policies[1] = argv[i];
        } else if (nrest < 250) {
            rest[nrest++] = argv[i];
        }
    }
    if (!policies[0]) {
        fprintf(stderr, "usage: lenity diff OLD [NEW] --input RECORDS [--set-old N=V] [--set-new N=V] "
                        "[--as-of DATE]\n");
        return EXIT_USAGE;
    }
    if (!policies[1])
        policies[1] = policies[0];
    rest[nrest++] = (char *)policies[0];
    struct run_args a;
    int rc = parse_args(nrest, rest, &a, false);
    if (rc != EXIT_OK)
        return rc;
    struct program prog[2];
    struct vm vm[2];
    rc = load_policy(policies[0], &a.copts, &prog[0]);
    if (rc != EXIT_OK)
        return rc;
    rc = load_policy(policies[1], &a.copts, &prog[1]);
    if (rc != EXIT_OK) {
        program_free(&prog[0]);
        return rc;
    }
    bool vm_ok[2] = {vm_init(&vm[0], &prog[0]), vm_init(&vm[1], &prog[1])};
    if (!vm_ok[0] || !vm_ok[1])
        rc = EXIT_INTERNAL;
    for (int side = 0; side < 2 && rc == EXIT_OK; side++) {
        struct run_args one = a;
        const char **sets = side ? new_sets : old_sets;
        int nsets = side ? nnew : nold;
        for (int k = 0; k < nsets && one.nsets < MAX_SETS; k++)
            one.sets[one.nsets++] = sets[k];
        rc = apply_sets(&vm[side], &one);
    }
    char err[1024];
    struct rejects *rejects = rc == EXIT_OK ? rejects_open("/dev/null", err, sizeof err) : NULL;
    struct record_reader *reader = rejects ? open_records(&a, rejects_add, rejects, err, sizeof err) : NULL;
    if (rc == EXIT_OK && !reader) {
        fprintf(stderr, "lenity: %s\n", err);
        rc = EXIT_INPUT;
    }
    struct transition *t = calloc(DIFF_MAX_TRANSITIONS, sizeof *t);
    if (rc == EXIT_OK && !t)
        rc = EXIT_INTERNAL;
    if (rc == EXIT_OK) {
        unsigned nt = 0;
        uint64_t convictions = 0, changed = 0, people = 0, people_changed = 0;
        struct person person;
        person_init(&person);
        while (reader->next(reader, &person) == RECORD_PERSON) {
            people++;
            bool person_changed = false;
            for (uint32_t i = 0; i < person.count; i++) {
                struct decision d0, d1;
                vm_decide(&vm[0], &person, i, &d0);
                vm_decide(&vm[1], &person, i, &d1);
                convictions++;
                const char *from = program_str(&prog[0], prog[0].outcomes[d0.outcome].name);
                const char *to = program_str(&prog[1], prog[1].outcomes[d1.outcome].name);
                if (strcmp(from, to) == 0)
                    continue;
                changed++;
                struct transition *x = find_transition(t, &nt, from, to);
                if (!x)
                    continue;
                x->count++;
                const char *id = person_text(&person, person.id);
                if (x->nexamples < DIFF_EXAMPLES &&
                    (x->nexamples == 0 || strcmp(x->examples[x->nexamples - 1], id) != 0))
                    snprintf(x->examples[x->nexamples++], sizeof x->examples[0], "%s", id);
                person_changed = true;
            }
            people_changed += person_changed;
        }
        person_free(&person);
        char date[16];
        date_format_iso(vm[0].as_of, date);
        printf("old: %s (version %s)%s\n", program_str(&prog[0], prog[0].name), program_str(&prog[0], prog[0].version),
               nold ? " with --set-old overrides" : "");
        printf("new: %s (version %s)%s\n", program_str(&prog[1], prog[1].name), program_str(&prog[1], prog[1].version),
               nnew ? " with --set-new overrides" : "");
        printf("input: %s; as of %s\n", a.input, date);
        printf("convictions: %llu compared, %llu change outcome\n", (unsigned long long)convictions,
               (unsigned long long)changed);
        printf("people: %llu compared, %llu with a conviction whose outcome changes\n", (unsigned long long)people,
               (unsigned long long)people_changed);
        if (nt > 0)
            printf("transitions:\n");
        for (unsigned i = 0; i < nt; i++) {
            printf("  %s -> %s: %llu (e.g.", t[i].from, t[i].to, (unsigned long long)t[i].count);
            for (unsigned k = 0; k < t[i].nexamples; k++)
                printf("%s %s", k ? "," : "", t[i].examples[k]);
            printf(")\n");
        }
        if (nt >= DIFF_MAX_TRANSITIONS)
            printf("(more than %d kinds of transition; the rest are counted in the total only)\n",
                   DIFF_MAX_TRANSITIONS);
    }
    free(t);
    if (reader)
        reader->close(reader);
    if (rejects)
        rejects_close(rejects, false, err, sizeof err);
    for (int side = 0; side < 2; side++) {
        if (vm_ok[side])
            vm_free(&vm[side]);
        program_free(&prog[side]);
    }
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0)
        return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "test") == 0)
        return cmd_test(argc - 2, argv + 2);
    if (strcmp(cmd, "explain") == 0)
        return cmd_explain(argc - 2, argv + 2);
    if (strcmp(cmd, "diff") == 0)
        return cmd_diff(argc - 2, argv + 2);
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        usage(stdout);
        return EXIT_OK;
    }
    if (strcmp(cmd, "--version") == 0) {
        printf("lenity %s\n", LENITY_VERSION);
        return EXIT_OK;
    }
    fprintf(stderr, "lenity: unknown command '%s'\n", cmd);
    usage(stderr);
    return EXIT_USAGE;
}
