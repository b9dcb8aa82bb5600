/*
 * cadoj_out.h - output that a Clear My Record (gogen) user already knows:
 * the DOJ export copied row by row, with the policy's output columns added.
 *
 *   full         every input row, as read, then the columns; filled on the
 *                row a conviction was made from when the policy's
 *                `columns when` holds for it, empty elsewhere, except the
 *                columns `on every row`, worked out for each row from the
 *                charge it names
 *   convictions  only the rows whose conviction's columns are filled
 *   condensed    every input row, but only the 20 input columns gogen kept
 *                in its condensed file, then the columns
 *
 * The columns and their values are the policy's (`column "Name" = ...`),
 * not Lenity's: a county can add one.  Rows come from the reader's
 * keep_rows (record.h).
 */
#ifndef LENITY_CADOJ_OUT_H
#define LENITY_CADOJ_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "person.h"
#include "program.h"
#include "vm.h"

enum cadoj_out_variant { CADOJ_OUT_FULL, CADOJ_OUT_CONVICTIONS, CADOJ_OUT_CONDENSED };

struct cadoj_out;

/* header: the input's header line as read.  The writer uses vm to compute columns. */
struct cadoj_out *cadoj_out_open(const char *path, enum cadoj_out_variant variant, const struct program *p,
                                 struct vm *vm, const char *header, size_t header_len, char *err, size_t errsize);
/* Writes the person's rows; decisions[i] is conviction i's decision.  false once a write failed. */
bool cadoj_out_person(struct cadoj_out *w, const struct person *person, const struct decision *decisions);
/*
 * The same rows into f, with vm for the columns (lenity run --jobs 2: a
 * worker's own stream and VM).  w is only read, so threads may call it at
 * once, each with its own f and vm.  false once a write to f failed.
 */
bool cadoj_out_person_to(const struct cadoj_out *w, FILE *f, struct vm *vm, const struct person *person,
                         const struct decision *decisions);
/* Bytes made by cadoj_out_person_to, written to the file as they are.  false once a write failed. */
bool cadoj_out_bytes(struct cadoj_out *w, const char *bytes, size_t len);
/* Puts the finished file in place and frees w. */
bool cadoj_out_commit(struct cadoj_out *w, char *err, size_t errsize);
/* Removes the unfinished file and frees w. */
void cadoj_out_abort(struct cadoj_out *w);

#endif
