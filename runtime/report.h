/*
 * report.h - lenity run --report FILE.html: one self-contained page a policy
 * officer can hand on: counts by outcome, by offence section, by year of
 * disposition and by county, as tables and inline SVG bar charts, with the
 * policy's header, the parameters used, the row accounting and the stamp
 * (provenance.h).  No script, no font, no link to anything outside the file:
 * it opens the same on a machine with no network.
 */
#ifndef LENITY_REPORT_H
#define LENITY_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "output.h"
#include "provenance.h"
#include "summary.h"

/* Writes the page (mode 0600, temporary file renamed into place); false with a message in err. */
bool report_write(const char *path, const struct summary *s, const struct run_totals *totals,
                  const struct provenance *pv, char *err, size_t errsize);

/* text with & < > " ' as entities (every text from the policy or the records goes through it) */
void report_html_escape(FILE *f, const char *text);

#endif
