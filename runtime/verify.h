/*
 * verify.h - the bytecode verifier.  Runs after bc_load_memory/bc_load_file
 * (and in lenityc after code generation) and before the VM: proves that the
 * program reads only operands that exist, jumps only forward inside its
 * function, always ends in a decision or return, gives every instruction
 * operands of the right types, and fits the VM's stack.  The full contract
 * is at the top of verify.c.
 */
#ifndef LENITY_VERIFY_H
#define LENITY_VERIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "program.h"

/*
 * True when p is safe to run.  Writes only the proven stack depths:
 * each function's max_stack (its own slots plus those of the functions it
 * calls) and p->max_stack (the largest).  On failure returns false with
 * one line in err, e.g. "verify: function 0, instruction 12: jump target
 * 40 is past the end of the function".  Instruction numbers are indexes
 * into p->code, as the disassembler prints them.  After a failure the
 * max_stack fields mean nothing.
 */
bool verify_program(struct program *p, char *err, size_t errsize);

#endif
