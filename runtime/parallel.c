/*
 * parallel.c - the decision loop of lenity run, in one thread or two (see
 * parallel.h).
 *
 * The second part's thread keeps what it found in a spill, in input order:
 * each rejected row (row number, reason) and each person as an output of
 * decisions sees it (facts, convictions, their decisions, and the text they
 * point into; not its charges, which only the policy's code reads, nor its
 * kept rows).  Row numbers in the spill count from the part's first row; the
 * first part's row count is added when they are given out.
 */
#include "parallel.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cadoj.h"
#include "opcode.h"

#define SPILL_BUFFER (128u << 10) /* written in pieces of this size: see OUT_BUFFER in outfile.h */
#define SPILL_MEMORY (16u << 20) /* with the seen-people check (at most 32 MiB), two jobs stay under 64 MB */
/*
 * Where the split is looked for, in percent of the file.  The first thread
 * also gives out the second part's persons once its own are done (about an
 * eighth of the time deciding them took, as measured with the decisions
 * file), so its part is made a little smaller for the two to finish together.
 */
#define FIRST_PART_PERCENT 47

/* ---- one part, read and decided in order ------------------------------------------- */

static void count_decision(struct run_totals *t, const struct decision *d)
{
    t->convictions_decided++;
    t->per_outcome[d->outcome]++;
    if (d->unknown)
        t->unknown_reviews++;
}

/* Decides the persons of reader up to its end (or its stop), giving each to out. */
static enum record_status decide_part(struct record_reader *reader, struct vm *vm,
                                      const struct run_output *out, struct run_totals *t,
                                      bool *write_failed)
{
    struct person person;
    person_init(&person);
    enum record_status st;
    while ((st = reader->next(reader, &person)) == RECORD_PERSON) {
        t->people++;
        bool ok = true;
        for (uint32_t i = 0; i < person.count && ok; i++) {
            struct decision d;
            vm_decide(vm, &person, i, &d);
            count_decision(t, &d);
            ok = out->decision(out->ctx, &person, i, &d);
        }
        if (!ok || !out->person_done(out->ctx, &person)) {
            *write_failed = true;
            st = RECORD_ERROR;
            break;
        }
    }
    person_free(&person);
    return st;
}

/* True when some instruction looks at the charges (an aggregate or join "of charges"), or a column
 * `on every row` reads each row's charge. */
static bool policy_reads_charges(const struct program *p)
{
    for (uint32_t i = 0; i < p->ncode; i++)
        if (opcode_describe(p->code[i].op)->operand == OPERAND_FUNCTION && (p->code[i].a & AGG_CHARGES))
            return true;
    for (uint32_t i = 0; i < p->ncolumns; i++)
        if (p->functions[p->columns[i].function].kind == FUNCTION_ROW_COLUMN)
            return true;
    return false;
}

/* ---- the spill ----------------------------------------------------------------------- */

enum spill_tag { SPILL_REJECT = 'R', SPILL_PERSON = 'P' };

/*
 * Written by the second part's thread, then read back in order by the
 * first: the first SPILL_MEMORY bytes in memory, the rest in a private
 * temporary file (removed as soon as it is made), so memory stays flat
 * however long the file.
 */
struct spill {
    char *mem;
    size_t mem_len, mem_cap, mem_taken; /* reading: mem[mem_taken, mem_len) not taken yet */
    int fd;                             /* -1 until the memory is full */
    char *buf;                          /* the file's buffer */
    size_t len, pos;  /* writing: buf[0, len) is not written yet; reading: buf[pos, len) not taken */
    char why[256];    /* what went wrong, or empty */
};

static void spill_init(struct spill *s)
{
    memset(s, 0, sizeof *s);
    s->fd = -1;
}

static void spill_close(struct spill *s)
{
    if (s->fd >= 0)
        close(s->fd);
    free(s->mem);
    free(s->buf);
    spill_init(s);
}

/* The temporary file, for what does not fit in memory. */
static bool spill_open_file(struct spill *s)
{
    const char *dir = getenv("TMPDIR");
    if (!dir || !*dir)
        dir = "/tmp";
    char path[4096];
    if ((size_t)snprintf(path, sizeof path, "%s/lenity-part-XXXXXX", dir) >= sizeof path) {
        snprintf(s->why, sizeof s->why, "the temporary folder's name (TMPDIR) is too long");
        return false;
    }
    s->buf = malloc(SPILL_BUFFER);
    s->fd = s->buf ? mkstemp(path) : -1;
    if (s->fd < 0) {
        snprintf(s->why, sizeof s->why, "cannot make a temporary file in %s: %s", dir,
                 s->buf ? strerror(errno) : "out of memory");
        return false;
    }
    unlink(path); /* criminal-history data: nobody else gets to open it, and it goes with the run */
    return true;
}

static bool spill_flush(struct spill *s)
{
    size_t done = 0;
    while (done < s->len) {
        ssize_t n = write(s->fd, s->buf + done, s->len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            snprintf(s->why, sizeof s->why, "cannot write a temporary file: %s",
                     n < 0 ? strerror(errno) : "nothing written");
            return false;
        }
        done += (size_t)n;
    }
    s->len = 0;
    return true;
}

static bool spill_put(struct spill *s, const void *data, size_t n)
{
    const char *p = data;
    while (n > 0) {
        if (s->fd < 0 && s->mem_len < SPILL_MEMORY) {
            if (s->mem_len == s->mem_cap) {
                size_t cap = s->mem_cap ? s->mem_cap * 2 : SPILL_BUFFER;
                char *grown = realloc(s->mem, cap < SPILL_MEMORY ? cap : SPILL_MEMORY);
                if (!grown) {
                    snprintf(s->why, sizeof s->why, "out of memory");
                    return false;
                }
                s->mem = grown;
                s->mem_cap = cap < SPILL_MEMORY ? cap : SPILL_MEMORY;
            }
            size_t k = s->mem_cap - s->mem_len < n ? s->mem_cap - s->mem_len : n;
            memcpy(s->mem + s->mem_len, p, k);
            s->mem_len += k;
            p += k;
            n -= k;
            continue;
        }
        if (s->fd < 0 && !spill_open_file(s))
            return false;
        if (s->len == SPILL_BUFFER && !spill_flush(s))
            return false;
        size_t k = SPILL_BUFFER - s->len < n ? SPILL_BUFFER - s->len : n;
        memcpy(s->buf + s->len, p, k);
        s->len += k;
        p += k;
        n -= k;
    }
    return true;
}

/* From writing to reading, at the start. */
static bool spill_rewind(struct spill *s)
{
    if (s->fd < 0)
        return true;
    if (!spill_flush(s))
        return false;
    if (lseek(s->fd, 0, SEEK_SET) != 0) {
        snprintf(s->why, sizeof s->why, "cannot read back a temporary file: %s", strerror(errno));
        return false;
    }
    s->len = s->pos = 0;
    return true;
}

/* The next n bytes; *eof (when given) says the spill ended cleanly before the first. */
static bool spill_get(struct spill *s, void *data, size_t n, bool *eof)
{
    char *p = data;
    bool first = true;
    while (n > 0) {
        if (s->mem_taken < s->mem_len) {
            size_t k = s->mem_len - s->mem_taken < n ? s->mem_len - s->mem_taken : n;
            memcpy(p, s->mem + s->mem_taken, k);
            s->mem_taken += k;
            p += k;
            n -= k;
            first = false;
            continue;
        }
        if (s->pos == s->len) {
            ssize_t got = s->fd < 0 ? 0 : read(s->fd, s->buf, SPILL_BUFFER);
            if (got < 0 && errno == EINTR)
                continue;
            if (got <= 0) {
                if (got == 0 && first && eof) {
                    *eof = true;
                    return false;
                }
                snprintf(s->why, sizeof s->why, "cannot read back a temporary file: %s",
                         got < 0 ? strerror(errno) : "it is shorter than was written");
                return false;
            }
            s->len = (size_t)got;
            s->pos = 0;
        }
        size_t k = s->len - s->pos < n ? s->len - s->pos : n;
        memcpy(p, s->buf + s->pos, k);
        s->pos += k;
        p += k;
        n -= k;
        first = false;
    }
    return true;
}

/*
 * A region of memory without its words of zero (convictions are mostly
 * empty: unknown facts, short citations): for each 64 words, a mask of the
 * words that are not zero, then those words; the bytes after the last whole
 * word as they are.
 */
static bool spill_put_sparse(struct spill *s, const void *data, size_t n)
{
    const unsigned char *p = data;
    size_t words = n / 8;
    for (size_t i = 0; i < words; i += 64) {
        uint64_t kept[64], mask = 0;
        unsigned k = 0;
        for (size_t j = 0; j < 64 && i + j < words; j++) {
            uint64_t w;
            memcpy(&w, p + 8 * (i + j), 8);
            if (w) {
                mask |= (uint64_t)1 << j;
                kept[k++] = w;
            }
        }
        if (!spill_put(s, &mask, sizeof mask) || !spill_put(s, kept, 8 * (size_t)k))
            return false;
    }
    return spill_put(s, p + 8 * words, n % 8);
}

static bool spill_get_sparse(struct spill *s, void *data, size_t n)
{
    unsigned char *p = data;
    size_t words = n / 8;
    for (size_t i = 0; i < words; i += 64) {
        uint64_t kept[64], mask;
        if (!spill_get(s, &mask, sizeof mask, NULL) ||
            !spill_get(s, kept, 8 * (size_t)__builtin_popcountll(mask), NULL))
            return false;
        unsigned k = 0;
        for (size_t j = 0; j < 64 && i + j < words; j++) {
            uint64_t w = mask >> j & 1 ? kept[k++] : 0;
            memcpy(p + 8 * (i + j), &w, 8);
        }
    }
    return spill_get(s, p + 8 * words, n % 8, NULL);
}

struct spilled_reject {
    uint64_t row;
    uint32_t len;
};

/* A person's facts, and how many convictions and bytes of text follow it in the spill. */
struct spilled_person {
    uint32_t known;
    struct text_ref id;
    int32_t date_of_birth;
    int32_t sex_offender_registration_date;
    bool deceased, sex_offender_registration;
    uint32_t count;
    uint64_t strings_len;
};

/* A person as an output of its decisions sees it: its facts, convictions and their decisions, its texts. */
static bool spill_person(struct spill *s, const struct person *p, const struct decision *decisions)
{
    struct spilled_person h;
    memset(&h, 0, sizeof h);
    h.known = p->known;
    h.id = p->id;
    h.date_of_birth = p->date_of_birth;
    h.sex_offender_registration_date = p->sex_offender_registration_date;
    h.deceased = p->deceased;
    h.sex_offender_registration = p->sex_offender_registration;
    h.count = p->count;
    h.strings_len = p->strings_len;
    char tag = SPILL_PERSON;
    return spill_put(s, &tag, 1) && spill_put(s, &h, sizeof h) &&
           spill_put_sparse(s, p->convictions, (size_t)p->count * sizeof *p->convictions) &&
           spill_put(s, decisions, (size_t)p->count * sizeof *decisions) &&
           spill_put(s, p->strings, p->strings_len);
}

/* What replaying a spill needs between records: a person, its decisions, and room for text. */
struct replay {
    struct person person;
    struct decision *decisions;
    uint32_t decisions_cap;
    char *text;
    size_t text_cap;
};

static bool replay_room(struct replay *rp, size_t text, uint32_t decisions)
{
    if (text > rp->text_cap) {
        char *grown = realloc(rp->text, text);
        if (!grown)
            return false;
        rp->text = grown;
        rp->text_cap = text;
    }
    if (decisions > rp->decisions_cap) {
        struct decision *grown = realloc(rp->decisions, (size_t)decisions * sizeof *grown);
        if (!grown)
            return false;
        rp->decisions = grown;
        rp->decisions_cap = decisions;
    }
    return true;
}

/* Reads back a spilled person into rp, its rows numbered from row_offset + 1 on. */
static bool unspill_person(struct spill *s, struct replay *rp, uint64_t row_offset)
{
    struct spilled_person h;
    if (!spill_get(s, &h, sizeof h, NULL))
        return false;
    struct person *p = &rp->person;
    person_clear(p);
    bool ok = h.strings_len < SIZE_MAX / 2 && replay_room(rp, (size_t)h.strings_len, h.count);
    /* the convictions, in place: added (zeroed) one by one, then read over as one region */
    for (uint32_t i = 0; ok && i < h.count; i++)
        ok = person_add_conviction(p, UINT32_MAX) != NULL;
    if (!ok) {
        snprintf(s->why, sizeof s->why, "out of memory reading back the second part");
        return false;
    }
    if (!spill_get_sparse(s, p->convictions, (size_t)h.count * sizeof *p->convictions) ||
        !spill_get(s, rp->decisions, (size_t)h.count * sizeof *rp->decisions, NULL) ||
        !spill_get(s, rp->text, (size_t)h.strings_len, NULL))
        return false;
    for (uint32_t i = 0; i < h.count; i++)
        p->convictions[i].row += row_offset;
    /* The person's text, as one piece: every text in it ends with a NUL, the last one too. */
    struct text_ref all;
    if (h.strings_len > 0 && (rp->text[h.strings_len - 1] != '\0' ||
                              !person_add_text(p, rp->text, (size_t)h.strings_len - 1, &all))) {
        snprintf(s->why, sizeof s->why, "out of memory reading back the second part");
        return false;
    }
    p->known = h.known;
    p->id = h.id;
    p->date_of_birth = h.date_of_birth;
    p->sex_offender_registration_date = h.sex_offender_registration_date;
    p->deceased = h.deceased;
    p->sex_offender_registration = h.sex_offender_registration;
    return true;
}

/* ---- the second part's thread -------------------------------------------------------- */

struct part {
    /* given before the thread starts */
    const char *input;
    uint64_t start;              /* the byte offset where its first row begins */
    const struct vm *vm;         /* copied: parameters and run date */
    bool list_charges;
    /* the thread's */
    struct spill spill;
    atomic_bool cancel;          /* set by the main thread: stop reading */
    enum record_status status;   /* RECORD_END: every person of the part is in the spill */
    char err[1024];
    uint64_t rows_read, rows_rejected, rows_other;
};

static void part_reject(void *ctx, uint64_t row, const char *reason)
{
    struct part *part = ctx;
    struct spilled_reject h = {row, (uint32_t)strlen(reason)};
    char tag = SPILL_REJECT;
    /* a failure is found when the part ends (spill.why) */
    if (!part->spill.why[0])
        (void)(spill_put(&part->spill, &tag, 1) && spill_put(&part->spill, &h, sizeof h) &&
               spill_put(&part->spill, reason, h.len));
}

/* Reads and decides the persons of the part into the spill, then rewinds it for reading. */
static void *part_run(void *arg)
{
    struct part *part = arg;
    part->status = RECORD_ERROR;
    struct record_reader *reader =
        cadoj_reader_open_at(part->input, part->start, part_reject, part, part->err, sizeof part->err);
    struct vm vm;
    bool vm_ready = false;
    if (reader) {
        cadoj_reader_list_charges(reader, part->list_charges);
        vm_ready = vm_init(&vm, part->vm->program);
        if (!vm_ready)
            snprintf(part->err, sizeof part->err, "out of memory");
    }
    if (vm_ready) {
        memcpy(vm.params, part->vm->params, (size_t)part->vm->program->nparams * sizeof *vm.params);
        vm.as_of = part->vm->as_of;
        vm.as_of_known = part->vm->as_of_known;
        struct person person;
        person_init(&person);
        struct decision *decisions = NULL;
        uint32_t cap = 0;
        enum record_status st = RECORD_END;
        while (!atomic_load(&part->cancel) && (st = reader->next(reader, &person)) == RECORD_PERSON) {
            if (person.count > cap) {
                struct decision *grown = realloc(decisions, (size_t)person.count * sizeof *grown);
                if (!grown) {
                    snprintf(part->err, sizeof part->err, "out of memory");
                    break;
                }
                decisions = grown;
                cap = person.count;
            }
            for (uint32_t i = 0; i < person.count; i++)
                vm_decide(&vm, &person, i, &decisions[i]);
            if (part->spill.why[0] || !spill_person(&part->spill, &person, decisions))
                break;
        }
        if (!atomic_load(&part->cancel) && !part->err[0] && !part->spill.why[0]) {
            if (st == RECORD_END && spill_rewind(&part->spill))
                part->status = RECORD_END;
            else if (st == RECORD_ERROR)
                snprintf(part->err, sizeof part->err, "%s", reader->error(reader));
        }
        person_free(&person);
        free(decisions);
        vm_free(&vm);
    }
    if (reader) {
        part->rows_read = reader->rows_read;
        part->rows_rejected = reader->rows_rejected;
        part->rows_other = reader->rows_other;
        reader->close(reader);
    }
    return NULL;
}

/*
 * Gives out the second part, in order: its rejected rows through the first
 * reader's reject callback, its persons to the output.  false with a
 * message in err (empty when writing failed).
 */
static bool replay_part(struct part *part, const struct run_job *job, uint64_t row_offset,
                        struct run_totals *t, char *err, size_t errsize)
{
    struct replay rp;
    memset(&rp, 0, sizeof rp);
    person_init(&rp.person);
    struct record_reader *reader = job->reader;
    const struct run_output *out = &job->output;
    bool ok = true, write_failed = false;
    for (;;) {
        char tag;
        bool eof = false;
        if (!spill_get(&part->spill, &tag, 1, &eof)) {
            ok = eof;
            break;
        }
        if (tag == SPILL_REJECT) {
            struct spilled_reject h;
            ok = spill_get(&part->spill, &h, sizeof h, NULL) && replay_room(&rp, (size_t)h.len + 1, 0) &&
                 spill_get(&part->spill, rp.text, h.len, NULL);
            if (!ok)
                break;
            rp.text[h.len] = '\0';
            if (reader->reject)
                reader->reject(reader->reject_ctx, h.row + row_offset, rp.text);
            continue;
        }
        if (tag != SPILL_PERSON || !unspill_person(&part->spill, &rp, row_offset)) {
            ok = false;
            break;
        }
        t->people++;
        for (uint32_t i = 0; ok && i < rp.person.count; i++) {
            count_decision(t, &rp.decisions[i]);
            ok = out->decision(out->ctx, &rp.person, i, &rp.decisions[i]);
        }
        if (!ok || !out->person_done(out->ctx, &rp.person)) {
            ok = false;
            write_failed = true;
            break;
        }
    }
    if (!ok && !write_failed)
        snprintf(err, errsize, "reading back the second part of %s: %s", job->input,
                 part->spill.why[0] ? part->spill.why : "it is damaged");
    person_free(&rp.person);
    free(rp.decisions);
    free(rp.text);
    return ok;
}

/* ---- the run ------------------------------------------------------------------------- */

/* Where the second part starts: the first subject to begin after FIRST_PART_PERCENT of the file. */
static bool find_split(const struct run_job *job, uint64_t *at, char *why, size_t whysize)
{
    if (job->output.whole_persons && (job->reader->keep_rows || policy_reads_charges(job->vm->program))) {
        snprintf(why, whysize, "this output needs each person's %s, which two jobs would have to pass "
                               "between them", job->reader->keep_rows ? "rows" : "charges");
        return false;
    }
    struct cadoj_counts k;
    if (!cadoj_reader_counts(job->reader, &k)) {
        snprintf(why, whysize, "only a California DOJ export is split, and %s is read as the conviction CSV",
                 job->input);
        return false;
    }
    struct stat st;
    if (strcmp(job->input, "-") == 0 || stat(job->input, &st) != 0 || !S_ISREG(st.st_mode)) {
        snprintf(why, whysize, "%s cannot be split: it is not a file that can be read from the middle",
                 strcmp(job->input, "-") == 0 ? "standard input" : job->input);
        return false;
    }
    uint64_t near = (uint64_t)st.st_size / 100 * FIRST_PART_PERCENT;
    return cadoj_find_subject_start(job->input, near, at, why, whysize);
}

enum record_status run_decide(const struct run_job *job, struct run_totals *totals, char *err,
                              size_t errsize)
{
    struct record_reader *reader = job->reader;
    memset(totals, 0, sizeof *totals);
    err[0] = '\0';
    cadoj_reader_list_charges(reader, policy_reads_charges(job->vm->program));

    /* Two jobs: the second part's thread starts now, on the first subject after the split. */
    char why[1024] = "";
    struct part *part = NULL;
    pthread_t thread;
    uint64_t split = 0;
    if (job->jobs > 1 && find_split(job, &split, why, sizeof why)) {
        part = calloc(1, sizeof *part);
        if (!part) {
            snprintf(why, sizeof why, "out of memory");
        } else {
            spill_init(&part->spill);
            part->input = job->input;
            part->start = split;
            part->vm = job->vm;
            part->list_charges = policy_reads_charges(job->vm->program);
            atomic_init(&part->cancel, false);
            int e = pthread_create(&thread, NULL, part_run, part);
            if (e != 0)
                snprintf(why, sizeof why, "cannot start a thread: %s", strerror(e));
        }
        if (why[0]) {
            if (part)
                spill_close(&part->spill);
            free(part);
            part = NULL;
        } else {
            cadoj_reader_stop_at(reader, split);
        }
    }
    if (job->jobs > 1 && !part)
        fprintf(stderr, "lenity: --jobs %d: %s; reading it as one job\n", job->jobs, why);

    bool write_failed = false;
    enum record_status st = decide_part(reader, job->vm, &job->output, totals, &write_failed);

    if (part) {
        uint64_t stopped_at = 0;
        bool split_here = st == RECORD_END && cadoj_reader_stopped(reader, &stopped_at) && stopped_at == split;
        if (!split_here)
            atomic_store(&part->cancel, true);
        pthread_join(thread, NULL);
        if (split_here && part->status == RECORD_END) {
            uint64_t first_rows = reader->rows_read;
            if (!replay_part(part, job, first_rows, totals, err, errsize))
                st = RECORD_ERROR;
            totals->rows_read = first_rows + part->rows_read;
            totals->rows_rejected = reader->rows_rejected + part->rows_rejected;
            totals->rows_other = reader->rows_other + part->rows_other;
            spill_close(&part->spill);
            free(part);
            return st;
        }
        if (st == RECORD_END) {
            /* The first part goes on to the end of the file by itself. */
            if (!split_here)
                snprintf(why, sizeof why, "no subject begins where %s was to be split (a quoted value "
                                          "with line breaks near its middle?)", job->input);
            else
                snprintf(why, sizeof why, "%s", part->err[0] ? part->err : part->spill.why);
            fprintf(stderr, "lenity: --jobs %d: %s; reading the rest as one job\n", job->jobs, why);
            cadoj_reader_resume(reader);
            st = decide_part(reader, job->vm, &job->output, totals, &write_failed);
        }
        spill_close(&part->spill);
        free(part);
    }
    totals->rows_read = reader->rows_read;
    totals->rows_rejected = reader->rows_rejected;
    totals->rows_other = reader->rows_other;
    if (st == RECORD_ERROR && !write_failed) {
        const char *e = reader->error(reader);
        snprintf(err, errsize, "%s", e ? e : "");
    }
    return st;
}
