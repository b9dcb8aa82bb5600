/*
 * cadoj.h - the California DOJ bulk criminal-history export, as a record reader.
 *
 * The export is RFC 4180 CSV with 95 columns (RECORD_ID ... END_OF_REC) and
 * one row per (subject, arrest cycle, step, count, sentence part).  Rows of
 * one subject (SUBJECT_ID) are adjacent.  A header row naming the columns is
 * required: its first cell is RECORD_ID and its names must be the DOJ's, in
 * the DOJ's order.  A header ending in one extra empty cell (a trailing
 * comma, 96 fields) is accepted, and so is a data row ending that way.  A
 * header that stops short of END_OF_REC is accepted too (the columns are
 * still where the DOJ puts them), but every data row must still have the 95
 * fields, so a file cut short is rejected row by row, each with its number.
 * A header with named columns after END_OF_REC (a gogen results file, a
 * spreadsheet with added columns) is refused when the file is opened.
 *
 * What one subject becomes (struct person):
 *   id             SUBJECT_ID (CII_NUMBER is not used for grouping, as in gogen)
 *   date_of_birth  PRI_DOB, YYYYMMDD, from the first row that gives a valid
 *                  date; blank or invalid is unknown, and so is a subject
 *                  whose rows give two different dates (no guess is made)
 * A conviction is made from the FIRST row of each CNT_ORDER whose
 * DISP_DESCR starts with CONVICTED (any step type: gogen does not check it):
 *   citation       OFFENSE_DESCR, or COMMENT_TEXT when OFFENSE_DESCR is
 *                  blank or SEE COMMENT FOR CHARGE (doj_offense.h); text that
 *                  is not a citation leaves the citation UNKNOWN (the
 *                  conviction is still handed out, so the policy sends it
 *                  to review) and the text is kept in `key`
 *   key            the offence text the citation was read from, trimmed
 *   level          CONV_STAT_DESCR FELONY / MISDEMEANOR / INFRACTION, else
 *                  OFFENSE_TOC F / M / I, else unknown
 *   disposition_date  STP_EVENT_DATE (not DISP_DATE, as in gogen); blank or
 *                  invalid is unknown
 *   county         STP_ORI_CNTY_NAME; blank is unknown
 *   case_id        the first 6 characters of CNT_ORDER (3 of cycle, 3 of
 *                  step: the court case); a shorter CNT_ORDER whole
 *   sentence       SENT_LENGTH with SENT_TIME_CODE D (days), M (months) or
 *                  Y (years), summed over the conviction row and its
 *                  continuation rows: later CONVICTED rows with the SAME
 *                  CNT_ORDER, wherever they are among the subject's rows
 *                  (gogen adds them to the most recently added conviction
 *                  instead; see the conformance README, section 6.4).  No
 *                  sentence on any of those rows is unknown, not zero; a
 *                  length or unit that cannot be read (e.g. unit N) makes
 *                  the whole sentence unknown.
 *   row            the 1-based data row number of the conviction row
 * A CONVICTED row with a blank CNT_ORDER is a conviction of its own.
 *
 * Row accounting.  Every data row is exactly one of:
 *   rejected      a row that cannot be read: wrong number of fields, a
 *                 quote not closed, text after a closing quote, a NUL byte,
 *                 a cell over CADOJ_MAX_FIELD, a blank SUBJECT_ID, or a
 *                 conviction past CADOJ_MAX_CONVICTIONS for one subject;
 *                 reported through the reject callback with its row number
 *   conviction    the row a conviction was made from (one per conviction
 *                 handed out)
 *   other         any other row of a subject that was handed out: arrests,
 *                 dismissals, registrations, deaths, and continuation rows
 *                 (whose sentence went into their count's conviction)
 * Every subject with at least one readable row is handed out, even one with
 * no conviction (person->count == 0), so that all its rows are accounted:
 *   rows_read == rows_conviction + rows_other + rows_rejected
 * once next() has returned RECORD_END (between calls, the first row of the
 * next subject has been read but not yet counted in either).  The record
 * interface knows only rows_read and rows_rejected; cadoj_reader_counts()
 * gives the rest.
 *
 * Memory is flat in the size of the file: the read buffer settles at two
 * blocks (a row over 64 KiB is read keeping only its kept cells, so the
 * buffer grows to the longest row's kept cells plus one block at most), the
 * person's arrays grow to the largest subject, and nothing is allocated per
 * row once those are reached.  Rows of one subject that are NOT adjacent are
 * not merged: the subject is handed out once per run of adjacent rows
 * (detecting it would need memory that grows with the file).
 *
 * Kept rows (record.h, keep_rows): each data row handed out with a subject is
 * kept in person->rows exactly as read (quotes and all, without its line
 * end), with its row number and the index of the conviction made from it
 * (UINT32_MAX for arrests, court steps, continuation rows...); rejected rows
 * are not kept.  header() gives the header line as read, without a UTF-8
 * byte-order mark or the line end.
 */
#ifndef LENITY_CADOJ_H
#define LENITY_CADOJ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"

#define CADOJ_COLUMNS 95
/* The longest cell a row may hold; a longer one gets the row rejected. */
#define CADOJ_MAX_FIELD (1u << 20)
/* Convictions kept for one subject; further conviction rows of that subject are rejected. */
#define CADOJ_MAX_CONVICTIONS 100000u
/* Charges (rows naming an offence) kept for one subject; past it, rows are rejected. */
#define CADOJ_MAX_CHARGES 400000u
/* Bytes read from the file at a time. */
#define CADOJ_BLOCK (1u << 20)

/* The DOJ column names, in order (CADOJ_COLUMNS entries). */
extern const char *const cadoj_column_names[CADOJ_COLUMNS];

struct cadoj_counts {
    uint64_t rows_read;          /* data rows seen (== base.rows_read) */
    uint64_t rows_rejected;      /* == base.rows_rejected */
    uint64_t rows_conviction;    /* rows a conviction was made from == convictions handed out */
    uint64_t rows_other;         /* other rows of subjects handed out, continuations included */
    uint64_t rows_continuation;  /* of rows_other: later CONVICTED rows of a count already held */
    uint64_t subjects;           /* persons handed out */
    uint64_t subjects_without_conviction;
    uint64_t citations_unknown;  /* convictions whose offence text is not a citation */
};

/*
 * Opens `path` ("-" = standard input) and reads its header.  Rejected rows
 * are reported through reject(ctx, row, reason).  On failure returns NULL
 * with a message naming the file in err.  Close with r->close(r).
 */
struct record_reader *cadoj_reader_open(const char *path, record_reject_fn reject, void *ctx,
                                        char *err, size_t errsize);

/* The same, reading `block` bytes at a time (at least 1): for tests of rows that straddle reads. */
struct record_reader *cadoj_reader_open_block(const char *path, size_t block,
                                              record_reject_fn reject, void *ctx, char *err,
                                              size_t errsize);

/*
 * True when the start of a file looks like a DOJ export with its header:
 * an optional UTF-8 byte-order mark, then RECORD_ID (any case, optionally
 * in double quotes) as the whole first cell.  first_line need not be
 * NUL-terminated nor a whole line.
 */
bool cadoj_looks_like(const char *first_line, size_t len);

/* The row accounting above; false (and *out zeroed) when r is not a DOJ reader. */
bool cadoj_reader_counts(const struct record_reader *r, struct cadoj_counts *out);

/* Bytes the reader itself holds (buffers and tables), for tests that memory stays flat. */
size_t cadoj_reader_footprint(const struct record_reader *r);

/*
 * list false: the subject's charges are not listed (person->charges stays
 * empty, has_charges false), for a caller whose policy never looks at
 * charges; rows are still rejected past CADOJ_MAX_CHARGES charges of one
 * subject, as when they are listed.  Listed by default.
 */
void cadoj_reader_list_charges(struct record_reader *r, bool list);

/* Reads every row the slow and careful way, for tests that both ways read the same. */
void cadoj_reader_scan_carefully(struct record_reader *r);

/*
 * The builds of the quick scanner, for tests that every build reads the
 * same: a reader uses the fastest this processor runs well.  Choosing one
 * the processor cannot run returns false and changes nothing.
 */
enum cadoj_scanner {
    CADOJ_SCANNER_PORTABLE, /* SSE2 on x86-64, one byte at a time elsewhere */
    CADOJ_SCANNER_AVX2,     /* AVX2: notes every comma */
    CADOJ_SCANNER_BMI2      /* AVX2 and the bit deposit instruction: notes only the commas needed */
};
bool cadoj_reader_choose_scanner(struct record_reader *r, enum cadoj_scanner which);

/*
 * One export read in pieces (lenity run --jobs).
 *
 * cadoj_reader_restart_at: the reader reads on from byte `offset`, which
 * must be where a row starts (0, or any offset in the header: the first data
 * row), as if opened there: its rows counted from 1 again, no stop, nothing
 * pending.  It keeps its buffers and header, so reading piece after piece
 * costs no allocation and no second read of the header.  Not on standard
 * input.
 *
 * cadoj_reader_find_subject_start: the byte offset of the first row after
 * `near` that starts a subject (its SUBJECT_ID differs from the row before
 * it), as found by reading from `near` on with reader (restarted there;
 * scratch holds what it reads).  A guess when `near` falls inside a quoted
 * value that spans lines, so a caller checks it with a reader that read up
 * to it from a row known to start one (cadoj_reader_stop_at).  false, with
 * a message in err, when no subject starts after `near`.
 *
 * cadoj_reader_stop_at: the reader stops (next() gives RECORD_END) at the
 * first readable row at or after byte `offset` that would start a subject;
 * the subject before it is handed out first.  That row is not counted as
 * read.  cadoj_reader_stopped gives where the row it stopped at starts:
 * when that is `offset`, the file splits there exactly as one reader would
 * see it, and a reader restarted at `offset` reads the rest.
 */
bool cadoj_reader_restart_at(struct record_reader *r, uint64_t offset, char *err, size_t errsize);
bool cadoj_reader_find_subject_start(struct record_reader *r, uint64_t near, struct person *scratch,
                                     uint64_t *offset, char *err, size_t errsize);
void cadoj_reader_stop_at(struct record_reader *r, uint64_t offset);
bool cadoj_reader_stopped(const struct record_reader *r, uint64_t *offset);

#endif
