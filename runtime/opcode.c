/*
 * opcode.c - the opcode table, expanded from opcode_list.h.
 *
 * The emitter, the verifier, the VM and the disassembler all read an
 * opcode's operand kind and stack effect from here, so the list in
 * opcode_list.h stays the only place an opcode is declared.
 */
#include "opcode.h"

#include <stddef.h>

/* Opcodes travel as one byte in every instruction. */
_Static_assert(OP__COUNT <= 256, "more than 256 opcodes do not fit the op byte");

static const struct opcode_info opcode_table[OP__COUNT] = {
#define OP(name, operand, pops, pushes, synopsis) {#name, operand, pops, pushes, synopsis},
#include "opcode_list.h"
#undef OP
};

/* Returned for a byte that is no opcode, so a disassembler of a damaged
 * program can print it instead of crashing. */
static const struct opcode_info opcode_invalid = {"INVALID", OPERAND_NONE, 0, 0, "invalid opcode"};

const struct opcode_info *opcode_describe(unsigned op)
{
    if (op < OP__COUNT)
        return &opcode_table[op];
    return &opcode_invalid;
}
