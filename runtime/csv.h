/*
 * csv.h - the "general conviction CSV" record reader.
 *
 * RFC 4180 CSV with a header row naming the columns (any order, any case):
 * person_id and citation are required; level, disposition_date,
 * date_of_birth, county, sentence and case_id are optional; any other
 * column is ignored.  One data row is one conviction; a person's rows are
 * adjacent.  An empty cell is an unknown fact, never a zero.
 */
#ifndef LENITY_CSV_H
#define LENITY_CSV_H

#include <stddef.h>

#include "record.h"

/* The longest cell a row may hold; a longer one gets the row rejected. */
#define CSV_MAX_FIELD (1u << 20)
/* Convictions kept for one person; further rows of that person are rejected. */
#define CSV_MAX_CONVICTIONS 100000u

/*
 * Opens `path` ("-" = standard input) and reads its header.  Rejected rows
 * are reported through reject(ctx, row, reason).  On failure returns NULL
 * with a message naming the file in err.  Close with r->close(r).
 */
struct record_reader *csv_reader_open(const char *path, record_reject_fn reject, void *ctx,
                                      char *err, size_t errsize);
/* Reads every later row the slow and careful way, for tests that both ways read the same. */
void csv_reader_scan_carefully(struct record_reader *r);

#endif
