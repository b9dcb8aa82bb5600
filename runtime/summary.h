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

/* s as a JSON string, quotes and all: '"' and '\\' escaped, control characters as \\u00XX. */
void json_string(FILE *f, const char *s);

#endif
