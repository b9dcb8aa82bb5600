/*
 * doj_offense.h - reading a statute citation out of the offence text of a
 * California DOJ criminal-history export.
 *
 * DOJ writes the offence as the section, its subsections, the code and a
 * description: "11357(A) HS-POSSESS MARIJUANA", "11358 HS-CULTIVATE",
 * " 148 PC - RESISTING A PEACE OFFICER", and sometimes without spaces:
 * "11357(C)HS-POSSESS MARIJUANA", "11359HS-INTENT SELL CANNABIS".  This
 * turns it into a Lenity citation ("HS 11357(a)") and drops the description.
 *
 * The grammar read, after leading and trailing blanks are dropped:
 *
 *   [":"] ["CHRG" blank]                    a charge marker, as in ":CHRG 11358 HS"
 *   { PREFIX ["PC"] "/" }                   664/ = attempt, 182/ = conspiracy
 *   DIGITS {"." DIGITS} [LETTERS]           the section: 11360.5, 288A, 653F
 *   { [blanks] "(" 1-8 letters/digits ")" } subsections: (A), (B)(4), (C)(1)
 *   [blanks] CODE                           2 to 4 letters: HS, PC, VC, BP, WI...
 *   [anything not a letter, digit or parenthesis, then anything]   the description
 *
 * Decisions:
 * - Letters written against the section number belong to the section when
 *   a code follows them: "288A PC" is PC 288a (oral copulation, a section of
 *   its own, not subsection (a) of PC 288) and "653F PC" is PC 653f.  When
 *   no code follows, the letters are the code: "11359HS-..." is HS 11359.
 * - "664/187 PC" is PC 187 with CITATION_ATTEMPT; "182/11359 HS" (or
 *   "182(A)(1)/...") is HS 11359 with CITATION_CONSPIRACY.  Any other pair
 *   of sections joined by '/' is refused: it names two offences.  PC 182 or
 *   PC 664 alone ("182(A)(1) PC-CONSPIRACY") is that section, with no flag.
 * - The case of letters does not matter ("11357(b)HS" is HS 11357(b)).
 * - Anything else is not a citation: the function returns false and a
 *   plain-English reason, so a caller can keep the conviction with its
 *   citation unknown rather than guess.
 */
#ifndef LENITY_DOJ_OFFENSE_H
#define LENITY_DOJ_OFFENSE_H

#include <stdbool.h>
#include <stddef.h>

#include "citation.h"

/*
 * The citation of one DOJ row.  offense_descr is OFFENSE_DESCR; when it is
 * blank or says "SEE COMMENT FOR CHARGE" (any case), comment_text
 * (COMMENT_TEXT) is read instead, as gogen does.  Either text may be NULL
 * (taken as blank).  On success fills *out (flags included); on failure
 * leaves *out alone and, if why is not NULL, points it at a reason.
 */
bool doj_offense_normalise(const char *offense_descr, size_t len, const char *comment_text,
                           size_t clen, struct citation *out, const char **why);

/* True when OFFENSE_DESCR sends the reader to COMMENT_TEXT: blank, or "SEE COMMENT FOR CHARGE". */
bool doj_offense_refers_to_comment(const char *offense_descr, size_t len);

/* One text alone, with no comment fallback (used by doj_offense_normalise). */
bool doj_offense_parse(const char *text, size_t len, struct citation *out, const char **why);

#endif
