/*
 * opcode_list.h - THE list of Lenity VM opcodes.  No include guard: define
 * OP(name, operand, pops, pushes, synopsis) and include it.  This one list
 * drives the opcode enum, the emitter's checks, the verifier's stack and
 * operand rules, the VM's dispatch table and the disassembler's comments.
 *
 * Every instruction is 8 bytes: op (u8), a (u8), b (u16), c (u32); see
 * opcode.h.  `operand` names which of a, b, c the instruction uses and
 * what they index (enum operand_kind).  `synopsis` is the disassembler's
 * comment; %s in it is filled with the operand's name.
 *
 * Every value may be unknown; each opcode's three-valued rule is stated in
 * vm.c beside its body and in spec/language.md.
 */
/*  name           operand          pops pushes synopsis */
OP(CONST,         OPERAND_CONST,     0, 1, "push %s")
OP(PARAM,         OPERAND_PARAM,     0, 1, "push parameter %s")
OP(PARAM_AT,      OPERAND_PARAM,     1, 1, "push parameter %s as it was on the date")
OP(FACT,          OPERAND_FACT,      0, 1, "push conviction.%s (the conviction being decided)")
OP(EACH_FACT,     OPERAND_FACT,      0, 1, "push %s of the conviction being examined")
OP(PERSON_FACT,   OPERAND_FACT,      0, 1, "push person.%s")
OP(NOT,           OPERAND_NONE,      1, 1, "not")
OP(AND,           OPERAND_NONE,      2, 1, "and")
OP(OR,            OPERAND_NONE,      2, 1, "or")
OP(EQ,            OPERAND_TYPE,      2, 1, "%s is equal")
OP(NE,            OPERAND_TYPE,      2, 1, "%s is not equal")
OP(LT,            OPERAND_TYPE,      2, 1, "%s is less than / before")
OP(LE,            OPERAND_TYPE,      2, 1, "%s is at most / on or before")
OP(GT,            OPERAND_TYPE,      2, 1, "%s is more than / after")
OP(GE,            OPERAND_TYPE,      2, 1, "%s is at least / on or after")
OP(IS_KNOWN,      OPERAND_TYPE,      1, 1, "%s is known")
OP(IS_UNKNOWN,    OPERAND_TYPE,      1, 1, "%s is unknown")
OP(STARTS_WITH,   OPERAND_NONE,      2, 1, "text starts with text, exactly as written")
OP(CONTAINS,      OPERAND_NONE,      2, 1, "text contains text, exactly as written")
OP(IN_SET,        OPERAND_SET,       1, 1, "citation in set %s")
OP(TABLE,         OPERAND_TABLE,     1, 1, "look the citation up in table %s")
OP(IN_CITATION,   OPERAND_NONE,      2, 1, "citation is covered by citation")
OP(ADD,           OPERAND_NONE,      2, 1, "number + number")
OP(SUB,           OPERAND_NONE,      2, 1, "number - number")
OP(DATE_ADD,      OPERAND_NONE,      2, 1, "date + duration")
OP(DATE_SUB,      OPERAND_NONE,      2, 1, "date - duration")
OP(YEARS_BETWEEN, OPERAND_NONE,      2, 1, "whole years from date to date")
OP(AGE_AT,        OPERAND_NONE,      1, 1, "person's age in whole years at date")
OP(RUN_DATE,      OPERAND_NONE,      0, 1, "push the run date (--as-of)")
OP(ANY,           OPERAND_FUNCTION,  0, 1, "any conviction where %s")
OP(COUNT,         OPERAND_FUNCTION,  0, 1, "count of convictions where %s")
OP(LATEST,        OPERAND_FUNCTION,  0, 1, "latest date of convictions where %s")
OP(EARLIEST,      OPERAND_FUNCTION,  0, 1, "earliest date of convictions where %s")
OP(JOIN,          OPERAND_FUNCTION,  1, 1, "texts of convictions where %s, joined by the separator")
OP(OUTCOME_IS,    OPERAND_OUTCOME,   0, 1, "the decision's outcome is %s")
OP(REASON,        OPERAND_NONE,      0, 1, "push the decision's reason")
OP(TO_TEXT,       OPERAND_TYPE,      1, 1, "%s as text")
OP(FORMAT_DATE,   OPERAND_CONST,     1, 1, "date written as %s")
OP(DECIMAL_YEARS, OPERAND_NONE,      2, 1, "years from date to date, to one decimal, as text")
OP(JUMP,          OPERAND_JUMP,      0, 0, "jump to %s")
OP(JUMP_IF_FALSE, OPERAND_JUMP,      1, 0, "unless true, jump to %s")
OP(TEST_RULE,     OPERAND_RULE_JUMP, 1, 0, "rule %s applies: true decides, false jumps, unknown reviews")
OP(DECIDE,        OPERAND_RULE,      0, 0, "decide by rule %s")
OP(RETURN,        OPERAND_NONE,      0, 0, "return from condition")
/* `A and B`, `A or B`: once A alone gives the answer (a known false, a known true), B is not worked out */
OP(AND_SKIP,      OPERAND_JUMP,      1, 1, "and: if false, the answer is false: jump to %s")
OP(OR_SKIP,       OPERAND_JUMP,      1, 1, "or: if true, the answer is true: jump to %s")
/* `A and B` in a column's `when`, which takes its arm only on a known true: once A is not one, neither is `A and B` */
OP(WHEN_AND_SKIP, OPERAND_JUMP,      1, 1, "and, in a when: if not true, the and is not true either: jump to %s")
