/*
 * output.h - what a run leaves behind: the decisions file, the rejected
 * rows, and the summary a lawyer reads.
 *
 * Files are written to a private temporary file (mode 0600: they hold
 * criminal-history data) beside the destination and renamed into place
 * only when complete, so a failed run never leaves a half-written file
 * under the expected name.
 */
#ifndef LENITY_OUTPUT_H
#define LENITY_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "person.h"
#include "program.h"
#include "provenance.h"
#include "record.h"
#include "vm.h"

/*
 * The reason to print for a decision: the rule's reason, or, when the rule
 * could not decide for lack of a fact, a sentence naming that fact.
 * Always NUL-terminates (when size > 0); returns the length written.
 */
size_t decision_reason(const struct program *p, const struct decision *d, char *buf, size_t size);
/* The same with this run's parameter values (NULL: the policy's) for reasons that name {a_parameter}. */
size_t decision_reason_with(const struct program *p, const struct value *params, const struct decision *d, char *buf,
                            size_t size);
/* Rule `rule`'s reason with this run's parameter values (NULL: the policy's), as decisions give it. */
size_t rule_reason_with(const struct program *p, const struct value *params, uint32_t rule, char *buf, size_t size);

/*
 * True when writing to out_path would overwrite in_path (same path, or the
 * same file through another name).  "-" is never the same as anything.
 */
bool output_is_same_file(const char *out_path, const char *in_path);

struct decisions_writer;

/*
 * Starts a decisions file at out_path ("-" = standard output), writing the
 * provenance preamble and the column header.  Refuses when out_path is the
 * input file.  NULL with a message in err on failure.
 */
struct decisions_writer *decisions_open(const char *out_path, const char *in_path,
                                        const struct program *p, const struct vm *vm,
                                        char *err, size_t errsize);
/*
 * The same, stamped with pv (provenance.h): Lenity's version, the policy's
 * file and SHA-256, and the input's SHA-256, which is known only when the
 * run ends: it is patched into the header when the output can be rewritten
 * in place, else written on a last line.  Call provenance_finish before
 * decisions_commit.  pv is kept until then.
 */
enum decisions_format {
    DECISIONS_COMMENTED, /* --format decisions: CSV after the '#' lines */
    DECISIONS_CSV,       /* --format csv: the same rows, plain RFC 4180, no '#' lines */
    DECISIONS_JSONL,     /* --format jsonl: a {"provenance": ...} line, then one object per conviction */
};
struct decisions_writer *decisions_open_stamped(const char *out_path, const char *in_path, const struct program *p,
                                                const struct vm *vm, const struct provenance *pv,
                                                enum decisions_format format, char *err, size_t errsize);
/* One row for conviction `index` of `person`; false once a write has failed. */
bool decisions_write(struct decisions_writer *w, const struct person *person, uint32_t index,
                     const struct decision *d);
/* Flushes, syncs and renames into place; frees w whether or not it succeeds. */
bool decisions_commit(struct decisions_writer *w, char *err, size_t errsize);
/* Discards the output (removes the temporary file) and frees w. */
void decisions_abort(struct decisions_writer *w);

struct run_totals {
    uint64_t rows_read, rows_rejected, convictions_decided, people;
    uint64_t rows_other;        /* rows read that are not convictions (DOJ arrests, court steps...) */
    uint64_t per_outcome[PROGRAM_MAX_OUTCOMES + 1];
    uint64_t unknown_reviews;   /* decisions with d->unknown set */
    uint64_t people_apart;      /* people whose rows are not together: each part was judged alone */
    uint64_t people_apart_checked_to; /* nonzero: only the first this many people were checked */
    /* With two jobs (not printed): the pieces decided beside the output (0 with one job), how
     * many of them were decided again from a truer start, and the input's bytes given to the
     * output so far (for the progress line, while the run goes on). */
    uint64_t pieces, pieces_redone, bytes_given;
};

/* The run summary: policy, input, row accounting, outcome counts. */
void totals_print(FILE *f, const struct program *p, const struct run_totals *t,
                  const char *input_name);
/* The same with the input's SHA-256 (or why there is none) under its name; NULL: no such line. */
void totals_print_hashed(FILE *f, const struct program *p, const struct run_totals *t, const char *input_name,
                         const char *input_hash);

struct rejects;

/*
 * path NULL: each rejection goes to stderr ("records.csv row 7: reason"),
 * the first REJECTS_SHOWN of them, then only counted.  Otherwise a CSV file
 * "row,reason", committed by rejects_close(r, true, ...).
 */
#define REJECTS_SHOWN 20u
struct rejects *rejects_open(const char *path, char *err, size_t errsize);
/* The input's name in messages on stderr (default "input"); copied. */
void rejects_set_input(struct rejects *r, const char *name);
/* A record_reject_fn: pass the struct rejects as ctx. */
void rejects_add(void *ctx, uint64_t row, const char *reason);
uint64_t rejects_count(const struct rejects *r);
/*
 * Ends the sink and frees r.  With a file: commit renames it into place,
 * otherwise it is removed.  On stderr, says how many were not shown.
 * False with a message in err when the file could not be completed.
 */
bool rejects_close(struct rejects *r, bool commit, char *err, size_t errsize);

#endif
