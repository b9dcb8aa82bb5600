/*
 * disasm.h - lenityc --disasm: a program as an EXPLAIN-style listing, rule
 * by rule with source lines.  The output is golden-tested: keep it stable.
 */
#ifndef LENITY_DISASM_H
#define LENITY_DISASM_H

#include <stdio.h>

#include "program.h"

/*
 * Prints the policy header, outcomes, parameters, sets and rules, then
 * every function's code, one instruction a row:
 *
 *   addr  opcode        a   b   c      comment
 *   -- rule possession (line 12) -> eligible
 *   0000  FACT          0   0   0      push conviction.citation (the conviction being decided)  ; line 12
 *
 * Safe on an unverified program: out-of-range operands print as such.
 */
void disasm_program(FILE *out, const struct program *p);

#endif
