/*
 * parallel.h - deciding every person of the records, in input order, in one
 * thread or with worker threads (lenity run --jobs).
 *
 * With two jobs or more, a DOJ export is cut into pieces of up to about 2 MB,
 * each ending where a subject begins (cadoj_reader_find_subject_start).  One
 * worker thread a job reads and decides a piece at a time and keeps what it
 * found in memory; the calling thread gives the pieces to the output and to
 * the reject callback in file order, with row numbers as in the whole file,
 * so the output is the same as with one job.  A few pieces are in memory at
 * once, so memory stays flat however long the file, and nothing is written
 * to a temporary file.
 *
 * Where a piece was to end is checked by its own reader, which started
 * where a subject is known to begin (the first data row, or where the piece
 * before it stopped): when a quoted value with line breaks hides the planned
 * end, the reader stops at the next subject it truly finds, the pieces
 * planned after it are thrown away, and the plan goes on from there.  Input
 * that cannot be cut (standard input, the conviction CSV) is read as one
 * job, and the run says so on standard error.
 *
 * The pieces' persons reach the output as a writer of decisions sees them:
 * their facts, convictions and decisions, and their charges too for an
 * output that runs the policy over each person (a summary).  A DOJ copy's
 * rows are written by the workers (run_output.rows), each piece into
 * memory, and reach the file in order.  Charges are listed only when the
 * policy's code looks at them (an aggregate "of charges", a column on every
 * row).
 */
#ifndef LENITY_PARALLEL_H
#define LENITY_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "output.h"
#include "record.h"
#include "vm.h"

/* Workers at most (lenity run --jobs). */
#define RUN_MAX_JOBS 8

/* Where decisions go, in input order: each decision of a person, then that the person is done. */
struct run_output {
    bool (*decision)(void *ctx, const struct person *person, uint32_t index, const struct decision *d);
    bool (*person_done)(void *ctx, const struct person *person);
    void *ctx;
    /* The output runs the policy's code over each person as person_done is given it (a
     * summary's scopes), so it needs more of a person than its facts and convictions. */
    bool whole_persons;
    /*
     * An output that copies each person's rows (a DOJ copy), or NULL.  With two
     * jobs a worker writes a person's rows with rows(), into its piece's own
     * stream, with a VM of its own; each piece's bytes then reach copy() in
     * order, before its persons reach person_done without their rows.
     */
    bool (*rows)(void *ctx, FILE *f, struct vm *vm, const struct person *person, const struct decision *decisions);
    bool (*copy)(void *ctx, const char *bytes, size_t len);
};

struct run_job {
    const char *input;            /* the records' path ("-": standard input) */
    struct record_reader *reader; /* open on input; keep_rows set as the output needs */
    struct vm *vm;                /* parameters and run date set */
    struct run_output output;
    int jobs;                     /* 1 .. RUN_MAX_JOBS */
    uint64_t piece_bytes;         /* two jobs: about how long a piece is; 0: chosen from the file's size */
    bool jobs_chosen;             /* jobs is the default, not asked for: input that cannot be cut is read
                                   * as one job without a word */
};

/*
 * Decides every person and fills *totals.  RECORD_END when every person was
 * decided and written; RECORD_ERROR when the input could not be read or an
 * output not written, with a message in err (empty when writing failed).
 */
enum record_status run_decide(const struct run_job *job, struct run_totals *totals, char *err,
                              size_t errsize);

#endif
