/*
 * value.h - the types of the Lenity language and the VM's stack slot.
 *
 * Every type has an unknown value: records are incomplete, and a missing
 * fact must travel through the computation instead of turning into a
 * default.  An unknown value remembers which fact was missing (`fact`),
 * so that a rule that cannot decide can say what the record lacks.
 */
#ifndef LENITY_VALUE_H
#define LENITY_VALUE_H

#include <stddef.h>
#include <stdint.h>

#include "citation.h"
#include "date.h"
#include "quantity.h"

/* Value types; the numbers are part of the bytecode format. */
#define TYPE_LIST(X)                                   \
    X(NONE, 0, "nothing")                              \
    X(BOOL, 1, "true/false")                           \
    X(NUMBER, 2, "whole number")                       \
    X(TEXT, 3, "text")                                 \
    X(DATE, 4, "date")                                 \
    X(DURATION, 5, "duration")                         \
    X(CITATION, 6, "citation")                         \
    X(LEVEL, 7, "offence level")                       \
    X(OUTCOME, 8, "outcome")                           \
    X(SET, 9, "set of citations")                      \
    X(QUANTITY, 10, "quantity")

enum value_type {
#define X(name, num, words) TYPE_##name = num,
    TYPE_LIST(X)
#undef X
    TYPE__COUNT
};

/* Offence levels; the numbers are part of the bytecode format. */
enum level {
    LEVEL_FELONY = 1,
    LEVEL_MISDEMEANOR = 2,
    LEVEL_INFRACTION = 3
};

/* What an outcome means for summaries and comparisons. */
enum outcome_kind {
    OUTCOME_RELIEF = 1,
    OUTCOME_NO_RELIEF = 2,
    OUTCOME_REVIEW = 3
};

/* fact id for "unknown, but not because of a missing record fact" */
#define FACT_NONE 0xffff
/* fact id for "unknown because the run has no run date" (lenity run --as-of) */
#define FACT_RUN_DATE 0xfffe
/* fact id for "unknown because a dated parameter has no value on that date" */
#define FACT_NO_PERIOD 0xfffd
/* fact id for "unknown because a table does not list the citation" */
#define FACT_NOT_IN_TABLE 0xfffc
/* fact id for "unknown because the person's history is too long to look through" (vm.h, VM_STEPS_PER_PERSON) */
#define FACT_TOO_LONG 0xfffb

struct value {
    uint8_t type;     /* enum value_type */
    uint8_t unknown;  /* 1: the value is unknown */
    uint16_t fact;    /* when unknown: the fact that was missing (enum fact_id) or FACT_NONE */
    union {
        int64_t number;               /* NUMBER; BOOL (0/1); LEVEL; OUTCOME index */
        int32_t date;                 /* DATE */
        struct duration duration;     /* DURATION */
        struct {
            const char *ptr;
            uint32_t len;
        } text;                       /* TEXT */
        const struct citation *citation; /* CITATION */
        uint32_t set;                 /* SET: index into the program's set tables */
        struct quantity quantity;     /* QUANTITY */
    } as;
};

const char *value_type_words(enum value_type t);
const char *level_words(enum level l);
const char *outcome_kind_words(enum outcome_kind k);

/*
 * Writes v as a policy reader would write it: "unknown", 2016-11-09,
 * "10 years", HS 11357(a), "Los Angeles" (quoted; \" and \\ escaped),
 * true/false, felony, 42.  Always NUL-terminates when size > 0 and never
 * writes past size.  Returns the length of the whole text, like
 * snprintf: a result >= size means the text was cut.
 */
size_t value_format(const struct value *v, char *buf, size_t size);

#endif
