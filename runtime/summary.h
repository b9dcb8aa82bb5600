/*
 * summary.h - the statistics a prosecutor's office reports from a run, as
 * JSON (lenity run --summary FILE.json): outcomes overall and by offence
 * section, reasons for relief, people with some relief, people whose every
 * felony or every conviction gets relief, and the row accounting.  Measured
 * at the run date, never at the wall clock, so a run can be repeated.
 */
#ifndef LENITY_SUMMARY_H
#define LENITY_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "output.h"
#include "person.h"
#include "program.h"
#include "provenance.h"
#include "vm.h"

struct summary;

struct summary *summary_new(const struct program *p);
void summary_free(struct summary *s);
/* One person's decisions (decisions[i] for conviction i); `vm` tells which are in the columns' scope. */
void summary_person(struct summary *s, struct vm *vm, const struct person *person, const struct decision *decisions);
/* Writes the JSON file (mode 0600, temp + rename); false with a message in err. */
bool summary_write(const struct summary *s, const char *path, const struct run_totals *totals, const char *input,
                   const struct vm *vm, const struct provenance *pv, char *err, size_t errsize);

/*
 * Every decided conviction counted by outcome, three ways, for the HTML
 * report (report.h): by offence section, by year of disposition and by
 * county.  Each table has a fixed size chosen when the summary is made, so
 * counting allocates nothing; what does not fit goes to an "other" row.
 */
enum summary_by { SUMMARY_BY_SECTION, SUMMARY_BY_YEAR, SUMMARY_BY_COUNTY };
#define SUMMARY_LABEL 72
struct summary_row {
    char label[SUMMARY_LABEL];      /* "HS 11357", "2014", "Los Angeles", or "(not given)", "(other ...)" */
    const uint64_t *per_outcome;    /* [outcome] */
    uint64_t total;
};
/* Row i of a table, in order (sections and counties as first met, years ascending); false past the end. */
bool summary_row(const struct summary *s, enum summary_by by, uint32_t i, struct summary_row *out);

/* s as a JSON string, quotes and all: '"' and '\\' escaped, control characters as \\u00XX. */
void json_string(FILE *f, const char *s);

#endif
