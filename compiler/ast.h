/*
 * ast.h - the tree the grammar builds, and that every later pass reads.
 *
 * The parser only builds this tree; names are resolved and types checked
 * by check.c, which fills the `type` and `ref` fields in place.  Nodes live
 * in the compilation's arena (arena.h).
 */
#ifndef LENITY_AST_H
#define LENITY_AST_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "citation.h"
#include "date.h"
#include "quantity.h"
#include "source.h"

enum expr_kind {
    EXPR_BOOL,        /* true, false */
    EXPR_NUMBER,
    EXPR_TEXT,
    EXPR_DATE,
    EXPR_DURATION,
    EXPR_CITATION,
    EXPR_LEVEL,       /* felony, misdemeanor, infraction */
    EXPR_QUANTITY,    /* 28.5 grams, 1 ounce, 6 plants */
    EXPR_NAME,        /* a bare name: a parameter, a set, or a fact of the conviction in view */
    EXPR_CONVICTION_FACT, /* conviction.<name>: the conviction being decided */
    EXPR_PERSON_FACT,     /* person.<name> */
    EXPR_SET_LITERAL, /* { HS 11357, HS 11358 } */
    EXPR_NOT,
    EXPR_AND,
    EXPR_OR,
    EXPR_COMPARE,     /* op in `compare` */
    EXPR_IN,          /* left in right; `negated` for "not in" */
    EXPR_IS_KNOWN,
    EXPR_IS_UNKNOWN,
    EXPR_ADD,
    EXPR_SUB,
    EXPR_YEARS_BETWEEN,
    EXPR_AGE_AT,
    EXPR_AGGREGATE,
    EXPR_OUTCOME,       /* output columns: the decision's outcome */
    EXPR_DECIMAL_YEARS, /* output columns: years between two dates, to one decimal, as text */
    EXPR_JOIN,          /* output columns: joined "sep" [distinct] TEXTFACT of convictions|charges ... */
    EXPR_TABLE,         /* TABLE of CITATION: the value a table gives a citation */
    EXPR_PARAM_AT       /* PARAMETER at DATE: a dated parameter's value on that day */
};

enum compare_op {
    CMP_IS, CMP_IS_NOT,
    CMP_BEFORE, CMP_AFTER, CMP_ON_OR_BEFORE, CMP_ON_OR_AFTER,
    CMP_LESS, CMP_MORE, CMP_AT_LEAST, CMP_AT_MOST,
    CMP_STARTS_WITH, CMP_CONTAINS
};

enum aggregate_op { AGG_OP_ANY, AGG_OP_NO, AGG_OP_COUNT, AGG_OP_LATEST, AGG_OP_EARLIEST, AGG_OP_JOIN, AGG_OP_EVERY };

/* What a name resolved to (filled by check.c). */
enum ref_kind {
    REF_NONE, REF_PARAM, REF_SET, REF_FACT_DECIDED, REF_FACT_EACH, REF_FACT_PERSON, REF_RUN_DATE,
    REF_OUTCOME, /* an outcome's name, compared with `outcome` in an output column */
    REF_REASON,  /* `reason` in an output column */
    REF_TABLE    /* a table's name, before `of` */
};

struct expr {
    enum expr_kind kind;
    struct loc loc;
    uint8_t type;               /* enum value_type, set by check.c */
    union {
        bool boolean;
        int64_t number;
        struct { const char *ptr; uint32_t len; } text;
        int32_t date;
        struct duration duration;
        struct quantity quantity;
        struct citation *citation;
        uint8_t level;
        const char *name;       /* EXPR_NAME, EXPR_*_FACT */
        struct ptrvec items;    /* EXPR_SET_LITERAL: struct expr * (citations) */
        struct expr *operand;   /* EXPR_NOT, IS_KNOWN, IS_UNKNOWN, AGE_AT */
        struct {
            struct expr *left, *right;
            enum compare_op op;     /* EXPR_COMPARE */
            bool negated;           /* EXPR_IN */
        } bin;
        struct {
            enum aggregate_op op;
            bool other;             /* leave out the conviction being decided */
            uint8_t scope;          /* AGG_SAME_CASE / AGG_SAME_CYCLE bits, or 0 for the whole history */
            const char *value_name; /* LATEST/EARLIEST/JOIN: the fact */
            const char *separator;  /* JOIN */
            bool distinct;          /* JOIN: each text once */
            struct loc value_loc;
            struct expr *where;     /* may be NULL for LATEST/EARLIEST */
        } agg;
    } u;
    /* resolution */
    enum ref_kind ref;
    uint32_t ref_index;         /* param/set index in the merged policy, or fact id */
};

enum outcome_kind_ast { AST_RELIEF = 1, AST_NO_RELIEF = 2, AST_REVIEW = 3 };

struct outcome_decl {
    struct loc loc;
    const char *name;
    int kind;                   /* enum outcome_kind */
};

/* One value of a parameter that changes over time: `2 ounces from 2021-07-01`. */
struct param_period {
    struct expr *value;         /* a literal */
    bool has_from, has_until;
    int32_t from, until;        /* inclusive */
    struct loc loc;
};

struct param_decl {
    struct loc loc;
    const char *name;
    bool override;
    struct expr *value;         /* a literal: the value, or the first period's */
    struct ptrvec periods;      /* struct param_period *: empty for a plain parameter */
};

struct set_decl {
    struct loc loc;
    const char *name;
    bool override;
    struct ptrvec items;        /* struct expr * of kind EXPR_CITATION */
};

/* table NAME = { CITATION -> VALUE, ... }: what each listed section (and the subsections under it) maps to. */
struct table_decl {
    struct loc loc;
    const char *name;
    bool override;
    struct ptrvec keys;         /* struct expr * of kind EXPR_CITATION */
    struct ptrvec values;       /* struct expr *, literals, one per key */
    uint8_t type;               /* the values' type, set by check.c */
};

enum rule_placement { PLACE_NONE, PLACE_BEFORE, PLACE_AFTER, PLACE_REPLACE };

/* An outcome named after the first in `then vacate and seal` or `expect vacate and seal`. */
struct outcome_ref {
    struct loc loc;
    const char *name;
};

struct rule_decl {
    struct loc loc;
    const char *name;           /* "otherwise" for the final rule */
    bool is_otherwise;
    enum rule_placement placement;
    const char *anchor;         /* rule named by before/after/replace */
    struct loc anchor_loc;
    const char *quote;          /* statute text, may be NULL */
    struct expr *when;          /* NULL for otherwise */
    struct expr *unless;        /* may be NULL */
    const char *outcome;        /* the first (primary) outcome */
    struct loc outcome_loc;
    struct ptrvec more_outcomes; /* struct outcome_ref *: the rest of `then vacate and seal`; empty for one */
    const char *reason;
    struct citation *citing;
    struct loc citing_loc;
    struct expr *eligible_from; /* `then OUTCOME eligible from DATE`: may be NULL */
};

/* `<field> <value>` of an example conviction, e.g. county "Los Angeles". */
struct example_field {
    struct loc loc;
    const char *name;
    struct expr *value;
};

struct example_conviction {
    struct loc loc;
    bool is_charge;             /* a charge that ended without conviction: no outcome expected */
    struct citation *citation;
    struct ptrvec fields;       /* struct example_field * */
    const char *expect;
    struct loc expect_loc;
    struct ptrvec expect_more;  /* struct outcome_ref *: the rest of `expect vacate and seal` */
    const char *expect_rule;    /* may be NULL */
    struct loc expect_rule_loc;
    bool has_expect_from;       /* expect OUTCOME eligible from DATE */
    int32_t expect_from;
};

struct example_decl {
    struct loc loc;
    const char *name;
    bool has_as_of;
    int32_t as_of;              /* the run date the example is decided at */
    bool has_birth;
    int32_t date_of_birth;
    struct ptrvec person_fields; /* struct example_field *: deceased true, ... */
    struct ptrvec convictions;  /* struct example_conviction * */
};

/* One arm of an output column: `when cond then value`, or the final value (cond NULL). */
struct column_arm {
    struct expr *cond;
    struct expr *value;
    const char *pattern;        /* `written as "MM/DD/YYYY"`, for dates; NULL otherwise */
    struct loc pattern_loc;
    /* Set by optimize.c: facts of the conviction in view (a bit per fact id) without which cond
     * cannot be true; the arm is passed over at once when one is unknown.  0: no such test. */
    uint32_t known_first;
};

struct column_decl {
    struct loc loc;
    const char *name;           /* the column's header */
    struct ptrvec arms;         /* struct column_arm *; the last has no cond */
    bool every_row;             /* `on every row`: worked out from each row's charge, with no decision */
    enum rule_placement placement; /* `before "NAME"` / `after "NAME"`: PLACE_BEFORE / PLACE_AFTER, or PLACE_NONE */
    const char *anchor;         /* the column it is placed beside */
    struct loc anchor_loc;
};

enum decl_kind {
    DECL_OUTCOME, DECL_PARAM, DECL_SET, DECL_RULE, DECL_EXAMPLE, DECL_COLUMN, DECL_COLUMN_SCOPE, DECL_TABLE
};

struct decl {
    enum decl_kind kind;
    union {
        struct outcome_decl *outcome;
        struct param_decl *param;
        struct set_decl *set;
        struct table_decl *table;
        struct rule_decl *rule;
        struct example_decl *example;
        struct column_decl *column;
        struct expr *column_scope;
    } u;
};

struct policy {
    struct loc loc;
    const char *name;
    const char *jurisdiction;   /* NULL when not given */
    struct citation *authority; /* NULL when not given */
    struct loc authority_loc;
    const char *version;
    bool has_effective;
    const char *approved_by;    /* `approved by "..." on DATE`: this file's own, never inherited; may be NULL */
    int32_t approved_on;
    int32_t effective;
    bool has_month_end;
    uint8_t month_end;          /* enum date_month_end */
    const char *extends;        /* path, NULL when not given */
    struct loc extends_loc;
    struct ptrvec decls;        /* struct decl *, in source order */
};

#endif
