/*
 * opcode.h - the instruction encoding, expanded from opcode_list.h.
 *
 *   byte  0      1      2..3        4..7
 *        +------+------+-----------+-----------------------+
 *        |  op  |  a   |     b     |           c           |   little-endian
 *        +------+------+-----------+-----------------------+
 *
 *   OPERAND_CONST     c = constant index
 *   OPERAND_PARAM     c = parameter index
 *   OPERAND_FACT      c = enum fact_id
 *   OPERAND_TYPE      a = enum value_type of the operands
 *   OPERAND_SET       c = citation-set index
 *   OPERAND_FUNCTION  c = function index (always greater than the caller's:
 *                     no recursion), a = AGG_* flags
 *   OPERAND_RULE      b = rule index
 *   OPERAND_RULE_JUMP b = rule index, c = jump target (an instruction index
 *                     after this one, inside the same function)
 *   OPERAND_JUMP      c = jump target (as above; only in output-column functions)
 *   OPERAND_OUTCOME   c = outcome index
 *   OPERAND_TABLE     c = table index
 * Unused operand fields must be zero.
 */
#ifndef LENITY_OPCODE_H
#define LENITY_OPCODE_H

#include <stdint.h>

enum operand_kind {
    OPERAND_NONE,
    OPERAND_CONST,
    OPERAND_PARAM,
    OPERAND_FACT,
    OPERAND_TYPE,
    OPERAND_SET,
    OPERAND_FUNCTION,
    OPERAND_RULE,
    OPERAND_RULE_JUMP,
    OPERAND_JUMP,
    OPERAND_OUTCOME,
    OPERAND_TABLE
};

enum opcode {
#define OP(name, operand, pops, pushes, synopsis) OP_##name,
#include "opcode_list.h"
#undef OP
    OP__COUNT
};

/* Aggregate flags (operand a of ANY, COUNT, LATEST, EARLIEST). */
#define AGG_SKIP_DECIDED 1 /* "other": leave out the conviction being decided */
#define AGG_SAME_CASE 2    /* "in the same case": only convictions whose case_id is the decided one's */
#define AGG_SAME_CYCLE 4   /* "in the same cycle": only convictions whose cycle_id is the decided one's */
#define AGG_CHARGES 8      /* over every charge the record lists, not only the convictions */
#define AGG_DISTINCT 16    /* JOIN: each text once, in the order first met */
#define AGG_FLAGS (AGG_SKIP_DECIDED | AGG_SAME_CASE | AGG_SAME_CYCLE | AGG_CHARGES | AGG_DISTINCT)

struct insn {
    uint8_t op;
    uint8_t a;
    uint16_t b;
    uint32_t c;
};

struct opcode_info {
    const char *name;
    enum operand_kind operand;
    uint8_t pops;
    uint8_t pushes;
    const char *synopsis;
};

/* Never NULL: an unknown opcode gets an entry named "INVALID". */
const struct opcode_info *opcode_describe(unsigned op);

#endif
