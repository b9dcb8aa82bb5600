/*
 * parallel.h - deciding every person of the records, in input order, in one
 * thread or two (lenity run --jobs).
 *
 * With two jobs, a DOJ export is split near its middle where a subject
 * begins (cadoj_find_subject_start).  The first part is read and decided
 * here and given to the output as it goes; the second part is read and
 * decided at the same time by a thread of its own, which keeps its persons,
 * their decisions and its rejected rows in a private temporary file.  When
 * the first part is done, the second part's are given to the output and to
 * the reject callback, with row numbers as in the whole file, so the output
 * is the same as with one job.  The split is checked by the first part's
 * reader, which reads from the start of the file up to it: when a subject
 * does not begin exactly there, or the file cannot be split at all (standard
 * input, the conviction CSV, no subject begins after the middle), the run
 * says so on standard error and finishes as one job.
 *
 * The second part's persons reach the output as a writer of decisions sees
 * them: their facts, convictions and decisions.  An output that needs more
 * of a person (its rows, or its charges for the policy's output columns) is
 * made with one job.  Charges are listed only when the policy's code looks
 * at them (an aggregate "of charges"); nothing else reads them.
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
};

/*
 * Decides every person and fills *totals.  RECORD_END when every person was
 * decided and written; RECORD_ERROR when the input could not be read or an
 * output not written, with a message in err (empty when writing failed).
 */
enum record_status run_decide(const struct run_job *job, struct run_totals *totals, char *err,
                              size_t errsize);

#endif
