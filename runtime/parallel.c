/*
 * parallel.c - the decision loop of lenity run: in the calling thread, or in
 * pieces decided by worker threads and given to the output in file order
 * (see parallel.h).
 *
 * A worker keeps what it found in a piece in memory, in input order: each
 * rejected row (row number, reason) and each person as an output of
 * decisions sees it (facts, convictions, their decisions, and the text they
 * point into; its charges only for an output that runs the policy over the
 * person; never its rows, which a DOJ copy has had written by the worker).
 * Row numbers in a piece count from its first row; the rows of the pieces
 * before it are added when it is given out.
 *
 * The workers and the thread that gives the pieces out share one lock:
 * under it a worker takes a free slot and plans its piece's end (a short
 * read where the next subject begins), and hands the piece over when done;
 * the thread that gives out waits for the next piece in file order.  A
 * piece being decided or given out is its owner's alone.
 */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cadoj.h"
#include "opcode.h"

/*
 * Pieces: the file is cut into at least PIECES_PER_FILE of them, each
 * between PIECE_MIN and PIECE_MAX bytes (then to where the next subject
 * begins), or PIECE_MAX_COPY for a DOJ copy.  One piece a worker and
 * PIECE_SPARE more are in memory at once (being decided, waiting, being
 * written): a piece's persons take about a quarter of its bytes, and a DOJ
 * copy of it a little more than its bytes (in a buffer that grows by
 * doubling), so with two workers that stays near 10 MB and 20 MB.  A worker reads its pieces in blocks of PIECE_READ_BLOCK, so it
 * reads little past a piece's end.
 */
#define PIECES_PER_FILE 64
#define PIECE_MIN (64u << 10)
#define PIECE_MAX (2u << 20)
#define PIECE_MAX_COPY (1u << 20)
#define PIECE_SPARE 4
#define PIECE_SLOTS (RUN_MAX_JOBS + PIECE_SPARE)
#define PIECE_READ_BLOCK (256u << 10)
#define PIECE_TO_END UINT64_MAX

/* ---- one reader, decided in order ------------------------------------------- */

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

/* ---- what a piece found, in memory -------------------------------------------------------- */

/*
 * Records one after another, each at a multiple of 8 bytes: a rejected row
 * (struct held_reject, then its reason and a NUL), or a person (struct
 * held_person, then its convictions, its charges when the output needs them,
 * their decisions, and its text).  A person is given to the output where it
 * lies, without a copy.
 */
enum held_tag { HELD_REJECT = 1, HELD_PERSON = 2 };

struct held_reject {
    uint32_t tag;
    uint32_t len;
    uint64_t row;
};

struct held_person {
    uint32_t tag;
    uint32_t count;
    uint64_t strings_len;
    uint32_t known;
    struct text_ref id;
    int32_t date_of_birth;
    int32_t sex_offender_registration_date;
    bool deceased, sex_offender_registration, has_charges;
    uint32_t ncharges;
};

struct held {
    char *data;
    size_t len, cap;
    bool out_of_memory;
};

static size_t held_round(size_t n)
{
    return (n + 7) & ~(size_t)7;
}

/* Room for a record of n bytes at the end (not zeroed: a record's padding is never read); NULL (and
 * out_of_memory) when there is none. */
static char *held_add(struct held *h, size_t n)
{
    size_t need = held_round(n);
    if (h->out_of_memory || need < n || need > SIZE_MAX / 2 - h->len) {
        h->out_of_memory = true;
        return NULL;
    }
    if (h->len + need > h->cap) {
        size_t cap = h->cap ? h->cap : (size_t)64 << 10;
        while (cap < h->len + need)
            cap *= 2;
        char *grown = realloc(h->data, cap);
        if (!grown) {
            h->out_of_memory = true;
            return NULL;
        }
        h->data = grown;
        h->cap = cap;
    }
    char *at = h->data + h->len;
    h->len += need;
    return at;
}

/* Where a held person's parts lie, from the start of its record. */
struct held_layout {
    size_t convictions, charges, decisions, strings, size;
};

static struct held_layout held_layout(uint32_t count, uint32_t ncharges, uint64_t strings_len)
{
    struct held_layout l;
    l.convictions = held_round(sizeof(struct held_person));
    l.charges = l.convictions + (size_t)count * sizeof(struct conviction);
    l.decisions = l.charges + (size_t)ncharges * sizeof(struct conviction);
    l.strings = held_round(l.decisions + (size_t)count * sizeof(struct decision));
    l.size = l.strings + (size_t)strings_len;
    return l;
}

/* The bytes of the texts n convictions (or charges) point to, each with its NUL. */
static size_t held_text_size(const struct conviction *c, uint32_t n)
{
    size_t size = 0;
    for (uint32_t i = 0; i < n; i++) {
        struct text_ref *texts[CONVICTION_TEXTS];
        conviction_texts((struct conviction *)&c[i], texts);
        for (int k = 0; k < CONVICTION_TEXTS; k++)
            size += (size_t)texts[k]->len + 1;
    }
    return size;
}

/* Copies the text r points to in p to dst + at, with a NUL, and points r there; the next free byte. */
static size_t held_move_text(char *dst, size_t at, const struct person *p, struct text_ref *r)
{
    if (r->len)
        memcpy(dst + at, person_text(p, *r), r->len);
    dst[at + r->len] = '\0';
    r->offset = (uint32_t)at;
    return at + r->len + 1;
}

/* The texts of n held convictions (or charges), from p's to dst + at; the next free byte. */
static size_t held_move_texts(char *dst, size_t at, const struct person *p, struct conviction *held, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        struct text_ref *texts[CONVICTION_TEXTS];
        conviction_texts(&held[i], texts);
        for (int k = 0; k < CONVICTION_TEXTS; k++)
            at = held_move_text(dst, at, p, texts[k]);
    }
    return at;
}

/*
 * A person and its decisions, at the end of h; its charges too when
 * with_charges (an output that runs the policy over the person).  When the
 * reader kept the person's rows (a DOJ copy, which the worker has written
 * already), their text is most of the person's: then only the texts its
 * facts, convictions and charges point to are held, moved together.
 */
static bool held_put_person(struct held *h, const struct person *p, const struct decision *decisions,
                            bool with_charges)
{
    uint32_t ncharges = with_charges ? p->ncharges : 0;
    bool compact = p->nrows > 0;
    size_t strings_len = compact ? (size_t)p->id.len + 1 + held_text_size(p->convictions, p->count) +
                                       held_text_size(p->charges, ncharges)
                                 : p->strings_len;
    struct held_layout l = held_layout(p->count, ncharges, strings_len);
    char *at = held_add(h, l.size);
    if (!at)
        return false;
    struct held_person hp;
    memset(&hp, 0, sizeof hp);
    hp.tag = HELD_PERSON;
    hp.count = p->count;
    hp.strings_len = strings_len;
    hp.known = p->known;
    hp.id = p->id;
    hp.date_of_birth = p->date_of_birth;
    hp.sex_offender_registration_date = p->sex_offender_registration_date;
    hp.deceased = p->deceased;
    hp.sex_offender_registration = p->sex_offender_registration;
    hp.has_charges = with_charges && p->has_charges;
    hp.ncharges = ncharges;
    /* a person without convictions or charges may have no array yet */
    if (p->count) {
        memcpy(at + l.convictions, p->convictions, (size_t)p->count * sizeof *p->convictions);
        memcpy(at + l.decisions, decisions, (size_t)p->count * sizeof *decisions);
    }
    if (ncharges)
        memcpy(at + l.charges, p->charges, (size_t)ncharges * sizeof *p->charges);
    if (compact) {
        char *text = at + l.strings;
        size_t used = held_move_text(text, 0, p, &hp.id);
        used = held_move_texts(text, used, p, (struct conviction *)(void *)(at + l.convictions), p->count);
        held_move_texts(text, used, p, (struct conviction *)(void *)(at + l.charges), ncharges);
    } else if (p->strings_len) {
        memcpy(at + l.strings, p->strings, p->strings_len);
    }
    memcpy(at, &hp, sizeof hp);
    return true;
}

static void held_put_reject(struct held *h, uint64_t row, const char *reason)
{
    size_t len = strlen(reason);
    if (len > UINT32_MAX - 1)
        len = UINT32_MAX - 1;
    char *at = held_add(h, sizeof(struct held_reject) + len + 1);
    if (!at)
        return; /* found when the piece ends (out_of_memory) */
    struct held_reject hr = {HELD_REJECT, (uint32_t)len, row};
    memcpy(at, &hr, sizeof hr);
    memcpy(at + sizeof hr, reason, len);
    at[sizeof hr + len] = '\0';
}

/* ---- pieces and the workers that decide them -------------------------------------------------- */

enum piece_state { PIECE_FREE, PIECE_WORKING, PIECE_READY };

struct piece {
    enum piece_state state;      /* under the lock */
    uint64_t seq;                /* its place in the file: 0, 1, 2 ... */
    uint64_t start, end;         /* from the row at byte start to the subject that begins at end
                                  * (PIECE_TO_END: the end of the file) */
    atomic_bool cancelled;       /* an earlier piece ended elsewhere than planned: this one is void */
    struct held held;
    FILE *copy;                  /* a DOJ copy's rows of the piece (run_output.rows), or NULL */
    char *copy_data;             /* copy's bytes (open_memstream), copy_len of them this time */
    size_t copy_size, copy_len;
    /* how it went, set by its worker */
    enum record_status status;   /* RECORD_END: the whole piece is in held */
    bool stopped;                /* its reader stopped where a subject begins, at stopped_at */
    uint64_t stopped_at;
    uint64_t rows_read, rows_rejected, rows_other;
    char err[1024];
};

struct pieces {
    pthread_mutex_t lock;
    pthread_cond_t ready;        /* a piece is ready: for the thread that writes */
    pthread_cond_t room;         /* a slot is free, or the plan changed, or the run is over: for workers */
    /* the plan, under the lock */
    uint64_t next_seq, next_start;
    bool planned_to_end;         /* the last piece is handed out */
    bool finished;               /* the workers stop */
    struct record_reader *planner; /* finds where subjects begin (under the lock) */
    struct person planner_scratch;
    struct piece slot[PIECE_SLOTS];
    int nslots;                  /* used: one a worker and PIECE_SPARE */
    /* given before the workers start */
    const char *input;
    uint64_t piece_bytes;
    const struct run_output *out;
};

struct worker {
    struct pieces *pieces;
    struct record_reader *reader;
    struct vm vm;
    bool vm_ready;
    struct person person;
    struct decision *decisions;
    uint32_t decisions_cap;
    pthread_t thread;
    bool started;
};

static void piece_reject(void *ctx, uint64_t row, const char *reason)
{
    struct piece *pc = ctx;
    held_put_reject(&pc->held, row, reason);
}

/* Where the piece that starts at `start` ends: the first subject to begin PIECE bytes on. */
static uint64_t piece_plan_end(struct pieces *ps, uint64_t start)
{
    char why[256];
    uint64_t at;
    if (start > UINT64_MAX - ps->piece_bytes ||
        !cadoj_reader_find_subject_start(ps->planner, start + ps->piece_bytes, &ps->planner_scratch, &at, why,
                                         sizeof why))
        return PIECE_TO_END; /* none: this piece goes to the end (a read error shows when it is read) */
    return at;
}

/* Reads and decides one piece into its held records. */
static void piece_decide(struct worker *w, struct piece *pc)
{
    struct record_reader *reader = w->reader;
    pc->held.len = 0;
    pc->held.out_of_memory = false;
    pc->stopped = false;
    pc->err[0] = '\0';
    pc->status = RECORD_ERROR;
    pc->rows_read = pc->rows_rejected = pc->rows_other = 0;
    if (!cadoj_reader_restart_at(reader, pc->start, pc->err, sizeof pc->err))
        return;
    reader->reject_ctx = pc;
    if (pc->end != PIECE_TO_END)
        cadoj_reader_stop_at(reader, pc->end);
    const struct run_output *out = w->pieces->out;
    bool copy_ok = !pc->copy || fseeko(pc->copy, 0, SEEK_SET) == 0;
    enum record_status st = RECORD_END;
    while (!atomic_load(&pc->cancelled) && (st = reader->next(reader, &w->person)) == RECORD_PERSON) {
        struct person *p = &w->person;
        if (p->count > w->decisions_cap) {
            struct decision *grown = realloc(w->decisions, (size_t)p->count * sizeof *grown);
            if (!grown) {
                pc->held.out_of_memory = true;
                break;
            }
            w->decisions = grown;
            w->decisions_cap = p->count;
        }
        for (uint32_t i = 0; i < p->count; i++)
            vm_decide(&w->vm, p, i, &w->decisions[i]);
        if (pc->copy && !(copy_ok = out->rows(out->ctx, pc->copy, &w->vm, p, w->decisions)))
            break;
        if (!held_put_person(&pc->held, p, w->decisions, out->whole_persons))
            break;
    }
    if (pc->copy) {
        off_t len = copy_ok && fflush(pc->copy) == 0 ? ftello(pc->copy) : -1;
        copy_ok = len >= 0;
        pc->copy_len = copy_ok ? (size_t)len : 0;
    }
    if (pc->held.out_of_memory || !copy_ok)
        snprintf(pc->err, sizeof pc->err, "out of memory");
    else if (st == RECORD_ERROR)
        snprintf(pc->err, sizeof pc->err, "%s", reader->error(reader));
    else
        pc->status = RECORD_END;
    pc->stopped = cadoj_reader_stopped(reader, &pc->stopped_at);
    pc->rows_read = reader->rows_read;
    pc->rows_rejected = reader->rows_rejected;
    pc->rows_other = reader->rows_other;
    reader->reject_ctx = NULL;
}

static struct piece *piece_in_state(struct pieces *ps, enum piece_state state, uint64_t seq, bool any_seq)
{
    for (int k = 0; k < ps->nslots; k++)
        if (ps->slot[k].state == state && (any_seq || ps->slot[k].seq == seq))
            return &ps->slot[k];
    return NULL;
}

/* A worker: takes the next piece of the plan, decides it, and hands it over, until the run is over. */
static void *piece_worker(void *arg)
{
    struct worker *w = arg;
    struct pieces *ps = w->pieces;
    pthread_mutex_lock(&ps->lock);
    for (;;) {
        struct piece *pc = NULL;
        while (!ps->finished && (ps->planned_to_end || !(pc = piece_in_state(ps, PIECE_FREE, 0, true))))
            pthread_cond_wait(&ps->room, &ps->lock);
        if (ps->finished)
            break;
        pc->seq = ps->next_seq++;
        pc->start = ps->next_start;
        pc->end = piece_plan_end(ps, pc->start);
        ps->next_start = pc->end;
        ps->planned_to_end = pc->end == PIECE_TO_END;
        pc->state = PIECE_WORKING;
        atomic_store(&pc->cancelled, false);
        pthread_mutex_unlock(&ps->lock);

        piece_decide(w, pc);

        pthread_mutex_lock(&ps->lock);
        if (atomic_load(&pc->cancelled)) {
            pc->state = PIECE_FREE;
            pthread_cond_broadcast(&ps->room);
        } else {
            pc->state = PIECE_READY;
            pthread_cond_signal(&ps->ready);
        }
    }
    pthread_mutex_unlock(&ps->lock);
    return NULL;
}

/*
 * Gives out a piece, in order: its rejected rows through the run's reject
 * callback, its persons to the output, row numbers counted on from
 * row_offset.  false when writing failed.
 */
static bool piece_give_out(struct piece *pc, const struct run_job *job, uint64_t row_offset, struct run_totals *t)
{
    struct record_reader *reader = job->reader;
    const struct run_output *out = &job->output;
    if (pc->copy_len && !out->copy(out->ctx, pc->copy_data, pc->copy_len))
        return false;
    size_t at = 0;
    while (at < pc->held.len) {
        char *rec = pc->held.data + at;
        uint32_t tag;
        memcpy(&tag, rec, sizeof tag);
        if (tag == HELD_REJECT) {
            struct held_reject hr;
            memcpy(&hr, rec, sizeof hr);
            if (reader->reject)
                reader->reject(reader->reject_ctx, hr.row + row_offset, rec + sizeof hr);
            at += held_round(sizeof hr + hr.len + 1);
            continue;
        }
        struct held_person hp;
        memcpy(&hp, rec, sizeof hp);
        struct held_layout l = held_layout(hp.count, hp.ncharges, hp.strings_len);
        /* the person where it lies: read only, never grown or freed; its rows are in the copy */
        struct person p;
        person_init(&p);
        p.known = hp.known;
        p.id = hp.id;
        p.date_of_birth = hp.date_of_birth;
        p.sex_offender_registration_date = hp.sex_offender_registration_date;
        p.deceased = hp.deceased;
        p.sex_offender_registration = hp.sex_offender_registration;
        p.convictions = (struct conviction *)(void *)(rec + l.convictions);
        p.count = p.capacity = hp.count;
        p.charges = (struct conviction *)(void *)(rec + l.charges);
        p.ncharges = p.charges_capacity = hp.ncharges;
        p.has_charges = hp.has_charges;
        p.strings = rec + l.strings;
        p.strings_len = p.strings_cap = (size_t)hp.strings_len;
        const struct decision *decisions = (const struct decision *)(void *)(rec + l.decisions);
        t->people++;
        for (uint32_t i = 0; i < p.ncharges; i++)
            p.charges[i].row += row_offset; /* as the convictions': the policy matches them by row */
        bool ok = true;
        for (uint32_t i = 0; i < p.count && ok; i++) {
            p.convictions[i].row += row_offset;
            count_decision(t, &decisions[i]);
            ok = out->decision(out->ctx, &p, i, &decisions[i]);
        }
        if (!ok || !out->person_done(out->ctx, &p))
            return false;
        at += held_round(l.size);
    }
    return true;
}

/* Voids every piece after seq: they were planned from where piece seq was to end, and it did not. */
static void pieces_replan(struct pieces *ps, uint64_t seq, const struct piece *pc, struct run_totals *t)
{
    pthread_mutex_lock(&ps->lock);
    for (int k = 0; k < ps->nslots; k++) {
        struct piece *other = &ps->slot[k];
        if (other->state == PIECE_FREE || other->seq <= seq)
            continue;
        if (other->state == PIECE_READY)
            other->state = PIECE_FREE;
        else
            atomic_store(&other->cancelled, true); /* its worker frees it */
        t->pieces_redone++;
    }
    ps->next_seq = seq + 1;
    ps->next_start = pc->stopped ? pc->stopped_at : PIECE_TO_END;
    ps->planned_to_end = !pc->stopped;
    pthread_cond_broadcast(&ps->room);
    pthread_mutex_unlock(&ps->lock);
}

/* Gives out every piece in order as the workers finish them. */
static enum record_status pieces_give_out(struct pieces *ps, const struct run_job *job, struct run_totals *t,
                                          char *err, size_t errsize)
{
    uint64_t row_offset = 0;
    for (uint64_t seq = 0;; seq++) {
        pthread_mutex_lock(&ps->lock);
        struct piece *pc;
        while (!(pc = piece_in_state(ps, PIECE_READY, seq, false)))
            pthread_cond_wait(&ps->ready, &ps->lock);
        pthread_mutex_unlock(&ps->lock);

        /* what was read before a failure is given out first, as one job would */
        if (!piece_give_out(pc, job, row_offset, t))
            return RECORD_ERROR; /* writing failed: err stays empty */
        t->pieces++;
        t->rows_read += pc->rows_read;
        t->rows_rejected += pc->rows_rejected;
        t->rows_other += pc->rows_other;
        row_offset += pc->rows_read;
        if (pc->status == RECORD_ERROR) {
            snprintf(err, errsize, "%s", pc->err);
            return RECORD_ERROR;
        }
        bool last = pc->end == PIECE_TO_END || !pc->stopped;
        if (!last && pc->stopped_at != pc->end)
            pieces_replan(ps, seq, pc, t); /* a quoted value with line breaks ran past the planned end */
        t->bytes_given = last ? UINT64_MAX : pc->stopped_at;

        pthread_mutex_lock(&ps->lock);
        pc->state = PIECE_FREE;
        pthread_cond_broadcast(&ps->room);
        pthread_mutex_unlock(&ps->lock);
        if (last)
            return RECORD_END;
    }
}

/* The pieces, their planner and workers, made before any thread starts so a failure is a notice. */
static bool pieces_start(struct pieces *ps, struct worker *w, int nworkers, const struct run_job *job,
                         uint64_t size, bool charges, char *why, size_t whysize)
{
    memset(ps, 0, sizeof *ps);
    ps->nslots = nworkers + PIECE_SPARE;
    ps->input = job->input;
    uint64_t bytes = job->piece_bytes;
    if (!bytes) {
        bytes = size / PIECES_PER_FILE;
        uint64_t most = job->output.rows ? PIECE_MAX_COPY : PIECE_MAX;
        bytes = bytes < PIECE_MIN ? PIECE_MIN : bytes > most ? most : bytes;
    }
    ps->piece_bytes = bytes;
    ps->out = &job->output;
    person_init(&ps->planner_scratch);
    for (int k = 0; k < ps->nslots; k++) {
        struct piece *pc = &ps->slot[k];
        atomic_init(&pc->cancelled, false);
        if (job->output.rows && !(pc->copy = open_memstream(&pc->copy_data, &pc->copy_size))) {
            snprintf(why, whysize, "out of memory");
            return false;
        }
    }
    ps->planner = cadoj_reader_open_block(job->input, 64u << 10, NULL, NULL, why, whysize);
    if (!ps->planner)
        return false;
    cadoj_reader_list_charges(ps->planner, false);
    for (int k = 0; k < nworkers; k++) {
        memset(&w[k], 0, sizeof w[k]);
        w[k].pieces = ps;
        person_init(&w[k].person);
        w[k].reader = cadoj_reader_open_block(job->input, PIECE_READ_BLOCK, piece_reject, NULL, why, whysize);
        if (!w[k].reader)
            return false;
        cadoj_reader_list_charges(w[k].reader, charges);
        w[k].reader->keep_rows = job->reader->keep_rows;
        w[k].vm_ready = vm_init(&w[k].vm, job->vm->program);
        if (!w[k].vm_ready) {
            snprintf(why, whysize, "out of memory");
            return false;
        }
        memcpy(w[k].vm.params, job->vm->params, (size_t)job->vm->program->nparams * sizeof *w[k].vm.params);
        w[k].vm.as_of = job->vm->as_of;
        w[k].vm.as_of_known = job->vm->as_of_known;
    }
    pthread_mutex_init(&ps->lock, NULL);
    pthread_cond_init(&ps->ready, NULL);
    pthread_cond_init(&ps->room, NULL);
    for (int k = 0; k < nworkers; k++) {
        int e = pthread_create(&w[k].thread, NULL, piece_worker, &w[k]);
        if (e != 0) {
            snprintf(why, whysize, "cannot start a thread: %s", strerror(e));
            break;
        }
        w[k].started = true;
    }
    if (!w[0].started) {
        pthread_mutex_destroy(&ps->lock);
        pthread_cond_destroy(&ps->ready);
        pthread_cond_destroy(&ps->room);
        return false;
    }
    return true; /* a second worker that did not start leaves the first to do the pieces */
}

/* Stops the workers (whatever they are doing) and frees everything pieces_start made. */
static void pieces_stop(struct pieces *ps, struct worker *w, int nworkers, bool threads)
{
    if (threads) {
        pthread_mutex_lock(&ps->lock);
        ps->finished = true;
        for (int k = 0; k < ps->nslots; k++)
            atomic_store(&ps->slot[k].cancelled, true);
        pthread_cond_broadcast(&ps->room);
        pthread_mutex_unlock(&ps->lock);
        for (int k = 0; k < nworkers; k++)
            if (w[k].started)
                pthread_join(w[k].thread, NULL);
        pthread_mutex_destroy(&ps->lock);
        pthread_cond_destroy(&ps->ready);
        pthread_cond_destroy(&ps->room);
    }
    for (int k = 0; k < nworkers; k++) {
        if (w[k].reader)
            w[k].reader->close(w[k].reader);
        if (w[k].vm_ready)
            vm_free(&w[k].vm);
        person_free(&w[k].person);
        free(w[k].decisions);
    }
    for (int k = 0; k < ps->nslots; k++) {
        free(ps->slot[k].held.data);
        if (ps->slot[k].copy)
            fclose(ps->slot[k].copy);
        free(ps->slot[k].copy_data);
    }
    if (ps->planner)
        ps->planner->close(ps->planner);
    person_free(&ps->planner_scratch);
}

/* ---- the run ------------------------------------------------------------------------- */

/* Whether the input can be cut into pieces, and its size; false with the reason in why. */
static bool can_cut(const struct run_job *job, uint64_t *size, char *why, size_t whysize)
{
    if (job->reader->keep_rows && !job->output.rows) {
        snprintf(why, whysize, "this output needs each person's rows, which two jobs would have to pass "
                               "between them");
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
    *size = (uint64_t)st.st_size;
    return true;
}

enum record_status run_decide(const struct run_job *job, struct run_totals *totals, char *err,
                              size_t errsize)
{
    struct record_reader *reader = job->reader;
    memset(totals, 0, sizeof *totals);
    err[0] = '\0';
    bool charges = policy_reads_charges(job->vm->program);
    cadoj_reader_list_charges(reader, charges);

    char why[1024] = "";
    uint64_t size = 0;
    if (job->jobs > 1 && can_cut(job, &size, why, sizeof why)) {
        struct pieces *ps = malloc(sizeof *ps);
        struct worker w[RUN_MAX_JOBS];
        int n = job->jobs < RUN_MAX_JOBS ? job->jobs : RUN_MAX_JOBS;
        memset(w, 0, sizeof w);
        if (!ps) {
            snprintf(why, sizeof why, "out of memory");
        } else if (!pieces_start(ps, w, n, job, size, charges, why, sizeof why)) {
            pieces_stop(ps, w, n, false);
        } else {
            enum record_status st = pieces_give_out(ps, job, totals, err, errsize);
            pieces_stop(ps, w, n, true);
            free(ps);
            return st;
        }
        free(ps);
    }
    if (job->jobs > 1 && !job->jobs_chosen)
        fprintf(stderr, "lenity: --jobs %d: %s; reading it as one job\n", job->jobs, why);

    bool write_failed = false;
    enum record_status st = decide_part(reader, job->vm, &job->output, totals, &write_failed);
    totals->rows_read = reader->rows_read;
    totals->rows_rejected = reader->rows_rejected;
    totals->rows_other = reader->rows_other;
    if (st == RECORD_ERROR && !write_failed) {
        const char *e = reader->error(reader);
        snprintf(err, errsize, "%s", e ? e : "");
    }
    return st;
}
