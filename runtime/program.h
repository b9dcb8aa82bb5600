/*
 * program.h - a policy in memory, as the compiler builds it and as the
 * loader rebuilds it from a .lbc file.  The VM only reads it.
 *
 * Ownership: a struct program owns every array below; program_free()
 * releases them.  Strings are referred to by index into `strings`;
 * PROGRAM_NO_STRING / PROGRAM_NO_CONST mark an absent optional field.
 */
#ifndef LENITY_PROGRAM_H
#define LENITY_PROGRAM_H

#include <stdbool.h>
#include <stdint.h>

#include "citation.h"
#include "person.h"
#include "date.h"
#include "opcode.h"
#include "value.h"

#define PROGRAM_NO_STRING UINT32_MAX
#define PROGRAM_NO_CONST UINT32_MAX

/* Limits the loader enforces before allocating (untrusted counts). */
#define PROGRAM_MAX_STRINGS 1000000u
#define PROGRAM_MAX_STRING_LEN (1u << 20)
#define PROGRAM_MAX_CONSTS 1000000u
#define PROGRAM_MAX_SETS 65535u
#define PROGRAM_MAX_SET_ENTRIES 1000000u
#define PROGRAM_MAX_TABLES 65535u
#define PROGRAM_MAX_PARAMS 65535u
#define PROGRAM_MAX_OUTCOMES 255u
#define PROGRAM_MAX_RULES 65535u
#define PROGRAM_MAX_FUNCTIONS 1000000u
#define PROGRAM_MAX_CODE 4000000u
#define PROGRAM_MAX_EXAMPLES 100000u
#define PROGRAM_MAX_COLUMNS 1000u
#define PROGRAM_MAX_ACTIONS 20000000u /* entries of `actions`: the rules' and the examples' lists */
#define PROGRAM_MAX_STACK 256u  /* the VM's fixed stack; the verifier proves each function fits */

struct program_string {
    const char *ptr; /* NUL-terminated; owned by the program */
    uint32_t len;
};

struct program_param {
    uint32_t first_period;  /* dated parameters: their periods in program.periods */
    uint32_t nperiods;      /* 0: one value for every date */
    uint32_t name;          /* string */
    struct value value;     /* the default; type fixed; TEXT points at a program string,
                               CITATION at an entry of `citations` */
};

/* One value of a dated parameter: it holds from `from` to `until`, both included. */
struct program_period {
    uint32_t param;         /* parameter index; periods are sorted by it */
    int32_t from, until;    /* INT32_MIN / INT32_MAX: open */
    uint32_t value;         /* constant index */
};

struct program_outcome {
    uint32_t name;          /* string */
    uint8_t kind;           /* enum outcome_kind */
};

struct program_rule {
    uint32_t name;          /* string */
    uint32_t outcome;       /* index into outcomes */
    uint32_t reason;        /* string */
    uint32_t citation;      /* index into citations, or PROGRAM_NO_CONST */
    uint32_t line;          /* source line of the rule */
    uint32_t quote;         /* string: statute text quoted beside the rule, or PROGRAM_NO_STRING */
    uint32_t eligible_from; /* FUNCTION_ELIGIBLE_FROM giving the date the decision names, or PROGRAM_NO_CONST */
    /* `then vacate and seal`: actions[first_action .. +nactions] are its outcomes, the first being `outcome`.
     * A rule with one outcome has nactions 0 (and first_action 0); never 1. */
    uint32_t first_action;
    uint32_t nactions;
};

enum function_kind {
    FUNCTION_MAIN = 0,      /* the rules: every path ends in DECIDE */
    FUNCTION_CONDITION = 1, /* an aggregate's body: ends in RETURN with one bool */
    FUNCTION_DATE_OF = 2,   /* latest/earliest body: ends in RETURN with bool then date */
    FUNCTION_COLUMN = 3,    /* an output column's value: ends in RETURN with one text */
    FUNCTION_TEXT_OF = 4,   /* a join's body: ends in RETURN with bool then text */
    FUNCTION_COLUMN_SCOPE = 5, /* which decided convictions get columns: ends in RETURN with one bool */
    FUNCTION_ELIGIBLE_FROM = 6, /* a rule's `eligible from DATE`: ends in RETURN with one date */
    /* An output column `on every row`: sees the row's charge in place of a conviction, and no decision
     * (most rows have none); ends in RETURN with one text. */
    FUNCTION_ROW_COLUMN = 7
};

/* An output column the policy declares (lenity run --format cadoj...). */
struct program_column {
    uint32_t name;          /* string: the column's header */
    uint32_t function;      /* FUNCTION_COLUMN computing its value for a decided conviction, or
                               FUNCTION_ROW_COLUMN computing it for every row of the export */
};

struct program_function {
    uint32_t start;         /* first instruction */
    uint32_t len;           /* instructions */
    uint8_t kind;           /* enum function_kind */
    uint16_t max_stack;     /* proven by the verifier */
};

struct program_set {
    uint32_t name;          /* string */
    struct citation_set table;
};

/* A table: the value each listed citation, and every subsection under it, maps to. */
struct program_table {
    uint32_t name;          /* string */
    uint8_t type;           /* the values' type */
    struct citation_set keys; /* in the order written: keys.entries[i] maps to consts[values[i]] */
    uint32_t *values;       /* constant index per key */
};

/* The record's text facts an example conviction can give, in the bytecode's order. */
#define PROGRAM_RECORD_TEXTS 7
static const unsigned program_record_text_facts[PROGRAM_RECORD_TEXTS] = {
    FACT_OFFENSE_SECTION, FACT_COMMENT_TEXT, FACT_OFN, FACT_STEP_TYPE, FACT_CLASS, FACT_SUBSTANCE, FACT_CUSTODY_STATUS,
};

/* One conviction of an example person; fields not given are unknown. */
struct program_example_conviction {
    uint32_t line;
    uint32_t known;         /* bits (1u << FACT_x) */
    struct citation citation;
    uint8_t level;
    int32_t disposition_date;
    struct duration sentence;
    uint32_t county;        /* string */
    uint32_t case_id;       /* string */
    uint32_t cycle_id;      /* string */
    uint32_t offense_text;  /* string */
    uint32_t record_text[PROGRAM_RECORD_TEXTS]; /* strings, in program_record_text_facts order */
    int32_t offense_date;
    struct quantity quantity;
    struct quantity plant_count;
    bool is_charge;         /* a charge only (not a conviction): nothing is expected of it */
    int32_t sentence_end;
    bool expect_has_from;   /* the example expects `eligible from expect_from` */
    int32_t expect_from;
    uint32_t expect_outcome;/* index into outcomes */
    uint32_t expect_first_action; /* `expect vacate and seal`: the list in actions, as a rule's (nactions 0: */
    uint32_t expect_nactions;     /* the deciding rule gives expect_outcome alone) */
    uint32_t expect_rule;   /* index into rules, or PROGRAM_NO_CONST for "any rule" */
};

struct program_example {
    uint32_t name;          /* string */
    uint32_t line;
    uint32_t known;         /* bits of the person's facts given */
    int32_t date_of_birth;
    bool deceased;
    bool sex_offender_registration;
    int32_t sex_offender_registration_date;
    bool has_as_of;         /* the example gives the run date */
    int32_t as_of;
    uint32_t first;         /* index into example_convictions */
    uint32_t count;
};

struct program {
    /* header: carried into every output */
    uint32_t name;          /* string: policy name */
    uint32_t jurisdiction;  /* string */
    uint32_t authority;     /* index into citations, or PROGRAM_NO_CONST */
    uint32_t version;       /* string */
    uint32_t approved_by;   /* string: who approved the policy, or PROGRAM_NO_STRING */
    int32_t approved_on;    /* the date of the approval, when approved_by is given */
    int32_t effective;      /* date */
    uint8_t month_end;      /* enum date_month_end */
    uint32_t source_name;   /* string: the policy file it was compiled from */
    uint32_t source_hash;   /* CRC-32 of the policy source text */

    struct program_string *strings;
    uint32_t nstrings;
    struct citation *citations;     /* citation constants */
    uint32_t ncitations;
    struct value *consts;   /* TEXT -> strings, CITATION -> citations */
    uint32_t nconsts;
    struct program_set *sets;
    uint32_t nsets;
    struct program_period *periods;
    uint32_t nperiods;
    struct program_table *tables;
    uint32_t ntables;
    struct program_param *params;
    uint32_t nparams;
    struct program_outcome *outcomes;
    uint32_t noutcomes;
    uint32_t review_outcome;        /* the outcome an unknown condition leads to */
    struct program_rule *rules;
    uint32_t nrules;
    uint32_t *actions;      /* outcome indexes: the lists of rules and examples with several outcomes */
    uint32_t nactions;
    struct program_function *functions; /* functions[0] is FUNCTION_MAIN */
    uint32_t nfunctions;
    struct insn *code;
    uint32_t *lines;        /* source line of each instruction */
    uint32_t *notes;        /* explain: per instruction, "left\001words\001right" source text of the test it
                               makes (a string), or PROGRAM_NO_STRING; NULL when the program has none */
    uint32_t ncode;
    struct program_example *examples;
    uint32_t nexamples;
    struct program_example_conviction *example_convictions;
    uint32_t nexample_convictions;

    struct program_column *columns;
    uint32_t ncolumns;
    uint32_t column_scope;  /* FUNCTION_COLUMN_SCOPE: which convictions get column values; PROGRAM_NO_CONST: all */

    uint16_t max_stack;     /* max over functions, set by the verifier */
};

void program_init(struct program *p);
void program_free(struct program *p);

/*
 * The outcomes a rule gives, as a list: its actions when it has several,
 * else its one outcome.  Out-of-range lists (an unverified program) give
 * the one outcome.
 */
const uint32_t *program_rule_actions(const struct program *p, const struct program_rule *r, uint32_t *n);
/* The same for what an example conviction expects. */
const uint32_t *program_expected_actions(const struct program *p, const struct program_example_conviction *c,
                                         uint32_t *n);
/* "vacate and seal": the outcomes' names joined by " and ", as snprintf (returns the length it needs). */
size_t program_join_actions(const struct program *p, const uint32_t *list, uint32_t n, char *out, size_t size);
static inline const char *program_str(const struct program *p, uint32_t s)
{
    return s < p->nstrings ? p->strings[s].ptr : "";
}

/* The policy's approval: true with who approved it and the date (YYYY-MM-DD), false when it records none. */
bool program_approval(const struct program *p, const char **by, char on[16]);

#endif
