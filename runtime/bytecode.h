/*
 * bytecode.h - the .lbc file format, version 1.1: what lenityc writes
 * (bc_write.c) and lenity loads (bc_load.c).
 *
 * Every integer is fixed-width little-endian, signed ones two's
 * complement, whatever the machine; nothing is padded or aligned.
 *
 *   byte 0        8       10      12              16              20
 *        +--------+-------+-------+---------------+---------------+-------
 *        | magic  | major | minor | body length   | CRC-32 of body| body
 *        | 8 B    | u16   | u16   | u32           | u32           | ...
 *        +--------+-------+-------+---------------+---------------+-------
 *
 *   magic   89 4C 42 43 0D 0A 1A 0A  ("\x89LBC\r\n\x1a\n", as PNG): the high
 *           byte catches 7-bit transfers, CR LF and LF catch newline
 *           translation either way, 1A stops a DOS `type`.
 *   major   a reader refuses a major it does not know;
 *   minor   and a minor newer than its own (older minors stay readable).
 *   length  bytes after the checksum field: the file is exactly 20 + length.
 *   CRC-32  checksum_crc32 of those `length` bytes.
 *
 * The body is the sections below, each present once, in this order:
 *
 *        +----------+----------+------------------------+
 *        | id  u32  | len u32  | payload (len bytes)    |
 *        +----------+----------+------------------------+
 *
 * A payload must be consumed exactly; nothing may follow the last section.
 * Field notation: str = u32 index into the string table; cit = u32 index
 * into the citation table; NONE = 0xFFFFFFFF (PROGRAM_NO_STRING /
 * PROGRAM_NO_CONST) where the field is optional; date = i32 days since
 * 1970-01-01, between DATE_MIN_YEAR-01-01 and DATE_MAX_YEAR-12-31.
 *
 *   1 HEADER     str name, str jurisdiction, cit|NONE authority, str version,
 *                date effective, u8 month_end (0 round down, 1 round up),
 *                str source_name, u32 source_hash (CRC-32 of the policy text)
 *   2 STRINGS    u32 n; n x { u32 len; len bytes, no NUL byte }
 *   3 CITATIONS  u32 n; n x citation, where
 *                  citation = u8 len (1..63); len bytes of canonical text,
 *                             re-parsed with citation_parse on load;
 *                             u8 flags (CITATION_ATTEMPT | CITATION_CONSPIRACY)
 *                Holds the citation constants and every set entry.
 *   4 CONSTANTS  u32 n; n x value, where
 *                  value = u8 type, u8 unknown (0/1), then when known:
 *                    BOOL u8 0/1          NUMBER i64        TEXT str
 *                    DATE date            DURATION i32 months, i32 days
 *                    CITATION cit         LEVEL u8 1..3
 *                  (NONE, OUTCOME and SET are not constant types)
 *   5 SETS       u32 n; n x { str name; u32 count; count x cit }
 *   6 PARAMS     u32 n; n x { str name; value default }
 *   7 OUTCOMES   u32 n (at least 1); n x { str name; u8 kind 1..3 };
 *                u32 review_outcome (an outcome of kind OUTCOME_REVIEW)
 *   8 RULES      u32 n; n x { str name; u32 outcome; str reason;
 *                  cit|NONE citation; u32 line; str|NONE quote;
 *                  u32|NONE eligible_from (a function); u32 first_action;
 *                  u32 nactions (0 for a rule with one outcome, else >= 2:
 *                  a range of the ACTIONS list, the first being `outcome`) }
 *   9 FUNCTIONS  u32 n; n x { u32 start; u32 len; u8 kind 0..7 }
 *                (start + len within the code; the verifier checks the rest)
 *  10 CODE       u32 n; n x { u8 op; u8 a; u16 b; u32 c }  (see opcode.h)
 *  11 LINES      u32 n (= the code's n); n x u32 source line
 *  12 EXAMPLES   u32 n; n x { str name; u32 line; u32 known (person fact
 *                  bits); date date_of_birth (checked when known);
 *                  u32 first; u32 count (a range of example convictions) }
 *  13 EXAMPLE_CONVICTIONS
 *                u32 n; n x { u32 line; u32 known (conviction fact bits);
 *                  citation, or u8 0 then u8 0 when the citation is unknown;
 *                  u8 level 0..3 (1..3 when known); date disposition_date
 *                  (checked when known); i32 sentence months; i32 sentence
 *                  days; str|NONE county; str|NONE case_id; ...;
 *                  u32 expect_outcome; u32 expect_first_action;
 *                  u32 expect_nactions (as a rule's); u32|NONE expect_rule }
 *  14 COLUMNS .. 17 PERIODS  (see bc_write.c)
 *  18 ACTIONS    u32 n; n x u32 outcome: the outcome lists of rules and
 *                example convictions (`then vacate and seal`); every
 *                range the rules and example convictions name is checked
 *                against n here, the kinds by the verifier
 *
 * Not stored: max_stack (the verifier computes it after every load).
 * The loader checks this format and every index in it; it does not check
 * the code, which is the verifier's job (verify.h).
 */
#ifndef LENITY_BYTECODE_H
#define LENITY_BYTECODE_H

#include "program.h"

#define BC_MAGIC "\x89LBC\r\n\x1a\n"
#define BC_MAGIC_LEN 8u
#define BC_FORMAT_MAJOR 1u
#define BC_FORMAT_MINOR 2u /* 1.1: the AND_SKIP and OR_SKIP opcodes; 1.2: WHEN_AND_SKIP */

#define BC_OFFSET_MAJOR 8u
#define BC_OFFSET_MINOR 10u
#define BC_OFFSET_LENGTH 12u
#define BC_OFFSET_CHECKSUM 16u
#define BC_HEADER_SIZE 20u         /* the body, and the checksum's coverage, start here */
#define BC_SECTION_HEADER_SIZE 8u  /* id + length */
#define BC_INSN_SIZE 8u

enum bc_section {
    BC_SECTION_HEADER = 1,
    BC_SECTION_STRINGS = 2,
    BC_SECTION_CITATIONS = 3,
    BC_SECTION_CONSTANTS = 4,
    BC_SECTION_SETS = 5,
    BC_SECTION_PARAMS = 6,
    BC_SECTION_OUTCOMES = 7,
    BC_SECTION_RULES = 8,
    BC_SECTION_FUNCTIONS = 9,
    BC_SECTION_CODE = 10,
    BC_SECTION_LINES = 11,
    BC_SECTION_EXAMPLES = 12,
    BC_SECTION_EXAMPLE_CONVICTIONS = 13,
    BC_SECTION_COLUMNS = 14,
    BC_SECTION_NOTES = 15,
    BC_SECTION_TABLES = 16,
    BC_SECTION_PERIODS = 17,
    BC_SECTION_ACTIONS = 18,
    BC_SECTION__END = 19
};

/* Limits of this format beyond program.h's PROGRAM_MAX_*. */
/* Every citation constant, set entry, parameter default and the authority. */
#define BC_MAX_CITATIONS (PROGRAM_MAX_CONSTS + PROGRAM_MAX_SET_ENTRIES + PROGRAM_MAX_PARAMS + 1u)
#define BC_MAX_EXAMPLE_CONVICTIONS 1000000u
/* bc_load_file reads the whole file into memory; refuse anything absurd first. */
#define BC_MAX_FILE_SIZE (1u << 30)

#endif
