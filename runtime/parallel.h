/*
 * parallel.h - deciding every person of the records, in input order, in one
 * thread or with worker threads (lenity run --jobs).
 *
 * With two jobs, a DOJ export is cut into pieces of a few megabytes, each
 * ending where a subject begins (cadoj_reader_find_subject_start).  Two
 * worker threads read and decide a piece each at a time and keep what they
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
 * their facts, convictions and decisions.  An output that needs more of a
 * person (its rows, or its charges for the policy's output columns) is made
 * with one job.  Charges are listed only when the policy's code looks at
 * them (an aggregate "of charges"); nothing else reads them.
 */
#ifndef LENITY_PARALLEL_H
#define LENITY_PARALLEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "record.h"
#include "vm.h"

#define RUN_MAX_JOBS 2

/* Where decisions go, in input order: each decision of a person, then that the person is done. */
struct run_output {
    bool (*decision)(void *ctx, const struct person *person, uint32_t index, const struct decision *d);
    bool (*person_done)(void *ctx, const struct person *person);
    void *ctx;
    /* The output reads more of a person than its facts and convictions: it runs the policy's
     * code over the person (output columns, summary scopes) or copies its rows. */
    bool whole_persons;
};

struct run_job {
    const char *input;            /* the records' path ("-": standard input) */
    struct record_reader *reader; /* open on input; keep_rows set as the output needs */
    struct vm *vm;                /* parameters and run date set */
    struct run_output output;
    int jobs;                     /* 1 .. RUN_MAX_JOBS */
    uint64_t piece_bytes;         /* two jobs: about how long a piece is; 0: chosen from the file's size */
};

/*
 * Decides every person and fills *totals.  RECORD_END when every person was
 * decided and written; RECORD_ERROR when the input could not be read or an
 * output not written, with a message in err (empty when writing failed).
 */
enum record_status run_decide(const struct run_job *job, struct run_totals *totals, char *err,
                              size_t errsize);

#endif
