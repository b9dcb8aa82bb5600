/*
 * parser.y - the Lenity grammar.  It builds the AST (ast.h) and nothing
 * else: names, types and meaning are the checker's business.
 * Pure, with locations; %expect 0: conflicts are resolved by precedence,
 * never tolerated.
 */
%code requires {
#include <stdint.h>
#include "ast.h"
#include "source.h"
#include "opcode.h"
#include "value.h"
struct parse_state;
typedef void *yyscan_t;

/* A rule's location runs from its first symbol's start to its last one's end. */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
    do {                                                                \
        if (N) {                                                        \
            (Cur) = YYRHSLOC(Rhs, 1);                                   \
            (Cur).end_line = YYRHSLOC(Rhs, N).end_line;                 \
            (Cur).end_col = YYRHSLOC(Rhs, N).end_col;                   \
        } else {                                                        \
            (Cur) = YYRHSLOC(Rhs, 0);                                   \
            (Cur).line = (Cur).end_line;                                \
            (Cur).col = (Cur).end_col;                                  \
        }                                                               \
    } while (0)
}

%code top {
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
}

%code {
#include "lexer.h"
#include "parse.h"

static struct expr *node(struct parse_state *ps, enum expr_kind kind, const struct loc *loc);
static struct expr *binary(struct parse_state *ps, enum expr_kind kind, struct expr *l, struct expr *r,
                           const struct loc *loc);
static struct expr *compare(struct parse_state *ps, enum compare_op op, struct expr *l, struct expr *r,
                            const struct loc *loc);
static struct expr *aggregate(struct parse_state *ps, enum aggregate_op op, bool other,
                              struct expr *where, const struct loc *loc);
static void add_decl(struct parse_state *ps, enum decl_kind kind, void *d);
static bool nest(struct parse_state *ps, const struct loc *loc);
static struct column_decl *column_place(struct parse_state *ps, struct column_decl *c, enum rule_placement where,
                                        const char *anchor, const struct loc *loc);
static void ps_begin_fields(struct parse_state *ps);
static void ps_add_field(struct parse_state *ps, const struct loc *loc, const char *name, struct expr *value);
static struct example_conviction *ps_take_conviction(struct parse_state *ps, const struct loc *loc,
                                                     struct citation *citation, const struct loc *expect_loc,
                                                     const char *expect, const struct loc *rule_loc,
                                                     const char *rule);
static void lenity_yyerror(const struct loc *loc, yyscan_t scanner, struct parse_state *ps, const char *msg);
#define NEW(T) ((T *)arena_alloc(ps->arena, sizeof(T)))
}

%define api.pure full
%define api.location.type {struct loc}
%define api.prefix {lenity_yy}
%define parse.error custom
%locations
%expect 0
%param {yyscan_t scanner}
%parse-param {struct parse_state *ps}

%union {
    int64_t number;
    int32_t date;
    struct duration duration;
    struct quantity quantity;
    struct citation *citation;
    const char *string;
    struct expr *expr;
    struct ptrvec *vec;
    struct rule_decl *rule;
    struct example_decl *example;
    struct example_conviction *conviction;
    struct column_arm *column_arm;
    struct column_decl *column;
    struct table_decl *table;
    struct param_decl *param;
    struct param_period *period;
    int kind;
}

%token <number> NUMBER "number"
%token <date> DATE "date"
%token <duration> DURATION "duration"
%token <quantity> QUANTITY "quantity"
%token <citation> CITATION "citation"
%token <string> IDENT "name"
%token <string> STRING "quoted text"
%token <string> TEXT_BLOCK "quoted statute text"

%token POLICY "'policy'" JURISDICTION "'jurisdiction'" AUTHORITY "'authority'"
%token EFFECTIVE "'effective'" VERSION "'version'" MISSING "'missing'" DAY "'day'"
%token ROUNDS "'rounds'" DOWN "'down'" UP "'up'" EXTENDS "'extends'" APPROVED "'approved'"
%token OUTCOME "'outcome'" IS "'is'" RELIEF "'relief'" NO "'no'" REVIEW "'review'"
%token PARAMETER "'parameter'" OVERRIDE "'override'" SET "'set'"
%token RULE "'rule'" REPLACE "'replace'" BEFORE "'before'" AFTER "'after'"
%token WHEN "'when'" UNLESS "'unless'" THEN "'then'" BECAUSE "'because'" CITING "'citing'"
%token QUOTE "'quote'" OTHERWISE "'otherwise'"
%token EXAMPLE "'example'" PERSON "'person'" BORN "'born'" CONVICTION "'conviction'"
%token CONVICTIONS "'convictions'" EXPECT "'expect'" BY "'by'" ON "'on'"
%token AND "'and'" OR "'or'" NOT "'not'" IN "'in'" KNOWN "'known'" UNKNOWN "'unknown'"
%token TRUE "'true'" FALSE "'false'"
%token FELONY "'felony'" MISDEMEANOR "'misdemeanor'" INFRACTION "'infraction'"
%token YEARS "'years'" BETWEEN "'between'" AGE "'age'" AT "'at'"
%token ANY "'any'" OTHER "'other'" WHERE "'where'" COUNT "'count'" OF "'of'"
%token LATEST "'latest'" EARLIEST "'earliest'"
%token LESS "'less'" MORE "'more'" THAN "'than'" LEAST "'least'" MOST "'most'"
%token AS "'as'" THE "'the'" SAME "'same'" CASE "'case'" CYCLE "'cycle'"
%token STARTS "'starts'" WITH "'with'" CONTAINS "'contains'"
%token CHARGE "'charge'" CHARGES "'charges'"
%token COLUMN "'column'" COLUMNS "'columns'" WRITTEN "'written'" DECIMAL "'decimal'" JOINED "'joined'"
%token DISTINCT "'distinct'" EVERY "'every'" TABLE "'table'" ARROW "'->'"
%token FROM "'from'" UNTIL "'until'" ELIGIBLE "'eligible'"

/* WHERE is lowest: an aggregate's condition runs as far to the right as it can. */
%precedence WHERE
%left OR
%left AND
%precedence NOT
%precedence IS IN STARTS CONTAINS
%precedence '+' '-'

%type <expr> expr comparison sum primary literal level aggregate where_opt as_of_opt
%type <vec> citation_list
%type <rule> rule_body
%type <string> quote_opt text
%type <citation> citing
%type <example> example_head
%type <column_arm> column_value
%type <column> column_arms column_head
%type <table> table_entries
%type <param> periods
%type <period> period period_bounded
%type <conviction> example_conviction
%type <kind> outcome_kind scope one many
%type <expr> unless_opt eligible_opt
%type <vec> and_outcomes

%%

policy_file:
    header declarations
    ;

header:
    POLICY STRING { ps->policy->name = $2; ps->policy->loc = @1; } header_items
    ;

header_items:
    %empty
  | header_items header_item
    ;

header_item:
    JURISDICTION STRING          { ps->policy->jurisdiction = $2; }
  | AUTHORITY CITATION           { ps->policy->authority = $2; ps->policy->authority_loc = @2; }
  | EFFECTIVE DATE               { ps->policy->effective = $2; ps->policy->has_effective = true; }
  | VERSION STRING               { ps->policy->version = $2; }
  | MISSING DAY ROUNDS DOWN      { ps->policy->month_end = DATE_ROUND_DOWN; ps->policy->has_month_end = true; }
  | MISSING DAY ROUNDS UP        { ps->policy->month_end = DATE_ROUND_UP; ps->policy->has_month_end = true; }
  | EXTENDS STRING               { ps->policy->extends = $2; ps->policy->extends_loc = @2; }
  | APPROVED BY STRING ON DATE   { ps->policy->approved_by = $3; ps->policy->approved_on = $5; }
    ;

declarations:
    %empty
  | declarations declaration
    ;

declaration:
    OUTCOME IDENT IS outcome_kind {
        struct outcome_decl *d = NEW(struct outcome_decl);
        d->loc = @2; d->name = $2; d->kind = $4;
        add_decl(ps, DECL_OUTCOME, d);
    }
  | PARAMETER IDENT '=' literal {
        struct param_decl *d = NEW(struct param_decl);
        d->loc = @2; d->name = $2; d->value = $4;
        add_decl(ps, DECL_PARAM, d);
    }
  | PARAMETER IDENT '=' periods {
        $4->loc = @2; $4->name = $2; $4->value = ((struct param_period *)$4->periods.items[0])->value;
        add_decl(ps, DECL_PARAM, $4);
    }
  | OVERRIDE PARAMETER IDENT '=' literal {
        struct param_decl *d = NEW(struct param_decl);
        d->loc = @3; d->name = $3; d->value = $5; d->override = true;
        add_decl(ps, DECL_PARAM, d);
    }
  | OVERRIDE PARAMETER IDENT '=' periods {
        $5->loc = @3; $5->name = $3; $5->override = true;
        $5->value = ((struct param_period *)$5->periods.items[0])->value;
        add_decl(ps, DECL_PARAM, $5);
    }
  | SET IDENT '=' '{' citation_list '}' {
        struct set_decl *d = NEW(struct set_decl);
        d->loc = @2; d->name = $2; d->items = *$5;
        add_decl(ps, DECL_SET, d);
    }
  | OVERRIDE SET IDENT '=' '{' citation_list '}' {
        struct set_decl *d = NEW(struct set_decl);
        d->loc = @3; d->name = $3; d->items = *$6; d->override = true;
        add_decl(ps, DECL_SET, d);
    }
  | TABLE IDENT '=' '{' table_entries '}' {
        $5->loc = @2; $5->name = $2;
        add_decl(ps, DECL_TABLE, $5);
    }
  | OVERRIDE TABLE IDENT '=' '{' table_entries '}' {
        $6->loc = @3; $6->name = $3; $6->override = true;
        add_decl(ps, DECL_TABLE, $6);
    }
  | RULE IDENT rule_body {
        $3->loc = @2; $3->name = $2;
        add_decl(ps, DECL_RULE, $3);
    }
  | RULE IDENT BEFORE IDENT rule_body {
        $5->loc = @2; $5->name = $2; $5->placement = PLACE_BEFORE; $5->anchor = $4; $5->anchor_loc = @4;
        add_decl(ps, DECL_RULE, $5);
    }
  | RULE IDENT AFTER IDENT rule_body {
        $5->loc = @2; $5->name = $2; $5->placement = PLACE_AFTER; $5->anchor = $4; $5->anchor_loc = @4;
        add_decl(ps, DECL_RULE, $5);
    }
  | REPLACE RULE IDENT rule_body {
        $4->loc = @3; $4->name = $3; $4->placement = PLACE_REPLACE; $4->anchor = $3; $4->anchor_loc = @3;
        add_decl(ps, DECL_RULE, $4);
    }
  | OTHERWISE quote_opt IDENT and_outcomes BECAUSE STRING citing {
        struct rule_decl *r = NEW(struct rule_decl);
        r->loc = @1; r->name = "otherwise"; r->is_otherwise = true; r->quote = $2;
        r->outcome = $3; r->outcome_loc = @3; if ($4) r->more_outcomes = *$4;
        r->reason = $6; r->citing = $7; r->citing_loc = @7;
        add_decl(ps, DECL_RULE, r);
    }
  | example_head
  | column_head '=' column_value {
        ptrvec_push(ps->arena, &$1->arms, $3);
        add_decl(ps, DECL_COLUMN, $1);
    }
  | column_head '=' column_arms {
        $1->arms = $3->arms;
        add_decl(ps, DECL_COLUMN, $1);
    }
  | COLUMNS WHEN expr {
        add_decl(ps, DECL_COLUMN_SCOPE, $3);
    }
  | error
    ;

/* 1 ounce until 2021-06-30, 2 ounces from 2021-07-01: at least one bound, so that it is dated. */
periods:
    period_bounded                  { $$ = NEW(struct param_decl); ptrvec_push(ps->arena, &$$->periods, $1); }
  | literal ',' period              { $$ = NEW(struct param_decl);
                                      struct param_period *first = NEW(struct param_period);
                                      first->value = $1; first->loc = @1;
                                      ptrvec_push(ps->arena, &$$->periods, first);
                                      ptrvec_push(ps->arena, &$$->periods, $3); }
  | periods ',' period              { $$ = $1; ptrvec_push(ps->arena, &$$->periods, $3); }
    ;

period:
    literal                         { $$ = NEW(struct param_period); $$->value = $1; $$->loc = @1; }
  | period_bounded
    ;

period_bounded:
    literal UNTIL DATE              { $$ = NEW(struct param_period); $$->value = $1; $$->loc = @$;
                                      $$->has_until = true; $$->until = $3; }
  | literal FROM DATE               { $$ = NEW(struct param_period); $$->value = $1; $$->loc = @$;
                                      $$->has_from = true; $$->from = $3; }
  | literal FROM DATE UNTIL DATE    { $$ = NEW(struct param_period); $$->value = $1; $$->loc = @$;
                                      $$->has_from = true; $$->from = $3; $$->has_until = true; $$->until = $5; }
    ;

/* HS 11357(b) -> infraction, ... */
table_entries:
    CITATION ARROW literal {
        $$ = NEW(struct table_decl);
        struct expr *k = node(ps, EXPR_CITATION, &@1); k->u.citation = $1;
        ptrvec_push(ps->arena, &$$->keys, k);
        ptrvec_push(ps->arena, &$$->values, $3);
    }
  | table_entries ',' CITATION ARROW literal {
        $$ = $1;
        struct expr *k = node(ps, EXPR_CITATION, &@3); k->u.citation = $3;
        ptrvec_push(ps->arena, &$$->keys, k);
        ptrvec_push(ps->arena, &$$->values, $5);
    }
    ;

/*
 * column "NAME" [before "OTHER" | after "OTHER"] [on every row]: where the
 * column goes among the inherited ones, and whether it is worked out for
 * every row of the export rather than for decided convictions.  "row" is
 * read as a name, so that it stays free as a word everywhere else.
 */
column_head:
    COLUMN STRING {
        $$ = NEW(struct column_decl); $$->loc = @2; $$->name = $2;
    }
  | column_head BEFORE STRING       { $$ = column_place(ps, $1, PLACE_BEFORE, $3, &@3); }
  | column_head AFTER STRING        { $$ = column_place(ps, $1, PLACE_AFTER, $3, &@3); }
  | column_head ON EVERY IDENT {
        $$ = $1;
        if (strcmp($4, "row") != 0)
            diag_report(ps->diag, DIAG_ERROR, &@4, "write: column \"NAME\" on every row = ...",
                        "after 'on every' comes 'row', not '%s'", $4);
        $$->every_row = true;
    }
    ;

/* An output column's value: an expression, a date `written as "MM/DD/YYYY"`. */
column_value:
    expr {
        $$ = NEW(struct column_arm); $$->value = $1;
    }
  | expr WRITTEN AS STRING {
        $$ = NEW(struct column_arm); $$->value = $1; $$->pattern = $4; $$->pattern_loc = @4;
    }
    ;

/* when C then V ... otherwise V: the first true condition's value. */
column_arms:
    WHEN expr THEN column_value column_arms {
        $$ = $5; $4->cond = $2;
        ptrvec_insert(ps->arena, &$$->arms, 0, $4);
    }
  | WHEN expr THEN column_value OTHERWISE column_value {
        $$ = NEW(struct column_decl); $4->cond = $2;
        ptrvec_push(ps->arena, &$$->arms, $4);
        ptrvec_push(ps->arena, &$$->arms, $6);
    }
    ;

outcome_kind:
    RELIEF      { $$ = AST_RELIEF; }
  | NO RELIEF   { $$ = AST_NO_RELIEF; }
  | REVIEW      { $$ = AST_REVIEW; }
    ;

citation_list:
    CITATION {
        $$ = NEW(struct ptrvec);
        struct expr *e = node(ps, EXPR_CITATION, &@1); e->u.citation = $1;
        ptrvec_push(ps->arena, $$, e);
    }
  | citation_list ',' CITATION {
        $$ = $1;
        struct expr *e = node(ps, EXPR_CITATION, &@3); e->u.citation = $3;
        ptrvec_push(ps->arena, $$, e);
    }
    ;

rule_body:
    quote_opt WHEN expr unless_opt THEN IDENT and_outcomes eligible_opt BECAUSE STRING citing {
        $$ = NEW(struct rule_decl);
        $$->quote = $1; $$->when = $3; $$->unless = $4;
        $$->outcome = $6; $$->outcome_loc = @6; if ($7) $$->more_outcomes = *$7;
        $$->eligible_from = $8;
        $$->reason = $10; $$->citing = $11; $$->citing_loc = @11;
    }
    ;

/* then vacate and seal: the outcomes after the first, NULL when there are none */
and_outcomes:
    %empty                  { $$ = NULL; }
  | and_outcomes AND IDENT  {
        $$ = $1 ? $1 : NEW(struct ptrvec);
        struct outcome_ref *o = NEW(struct outcome_ref);
        o->loc = @3; o->name = $3;
        ptrvec_push(ps->arena, $$, o);
    }
    ;

/* then wait eligible from sentence_end + 5 years: the date the decision names */
eligible_opt:
    %empty                  { $$ = NULL; }
  | ELIGIBLE FROM expr      { $$ = $3; }
    ;

quote_opt:
    %empty      { $$ = NULL; }
  | QUOTE text  { $$ = $2; }
    ;

text:
    STRING
  | TEXT_BLOCK
    ;

unless_opt:
    %empty          { $$ = NULL; }
  | UNLESS expr     { $$ = $2; }
    ;

citing:
    CITING CITATION { $$ = $2; }
    ;

example_head:
    EXAMPLE STRING as_of_opt PERSON person_fields {
        $$ = NEW(struct example_decl);
        $$->loc = @2; $$->name = $2;
        if ($3) { $$->has_as_of = true; $$->as_of = $3->u.date; }
        $$->person_fields = ps->pending_person;
        for (size_t i = 0; i < $$->person_fields.len; i++) {
            struct example_field *f = $$->person_fields.items[i];
            if (strcmp(f->name, "date_of_birth") == 0 && f->value->kind == EXPR_DATE) {
                $$->has_birth = true;
                $$->date_of_birth = f->value->u.date;
            }
        }
        ps->pending_person.items = NULL;
        ps->pending_person.len = ps->pending_person.cap = 0;
        add_decl(ps, DECL_EXAMPLE, $$);
    }
  | example_head example_conviction {
        $$ = $1;
        ptrvec_push(ps->arena, &$$->convictions, $2);
    }
  | example_head CHARGE CITATION example_fields {
        $$ = $1;
        struct example_conviction *c = ps_take_conviction(ps, &@2, $3, &@3, NULL, NULL, NULL);
        c->is_charge = true;
        ptrvec_push(ps->arena, &$$->convictions, c);
    }
    ;

as_of_opt:
    %empty          { $$ = NULL; }
  | AS OF DATE      { $$ = node(ps, EXPR_DATE, &@3); $$->u.date = $3; }
    ;

person_fields:
    %empty
  | person_fields BORN DATE {
        struct example_field *f = NEW(struct example_field);
        f->loc = @2; f->name = "date_of_birth";
        f->value = node(ps, EXPR_DATE, &@3); f->value->u.date = $3;
        ptrvec_push(ps->arena, &ps->pending_person, f);
    }
  | person_fields IDENT literal {
        struct example_field *f = NEW(struct example_field);
        f->loc = @2; f->name = $2; f->value = $3;
        ptrvec_push(ps->arena, &ps->pending_person, f);
    }
    ;

example_conviction:
    CONVICTION CITATION example_fields EXPECT IDENT and_outcomes {
        $$ = ps_take_conviction(ps, &@1, $2, &@5, $5, NULL, NULL);
        if ($6) $$->expect_more = *$6;
    }
  | CONVICTION CITATION example_fields EXPECT IDENT and_outcomes BY RULE IDENT {
        $$ = ps_take_conviction(ps, &@1, $2, &@5, $5, &@9, $9);
        if ($6) $$->expect_more = *$6;
    }
  | CONVICTION CITATION example_fields EXPECT IDENT and_outcomes ELIGIBLE FROM DATE {
        $$ = ps_take_conviction(ps, &@1, $2, &@5, $5, NULL, NULL);
        if ($6) $$->expect_more = *$6;
        $$->has_expect_from = true; $$->expect_from = $9;
    }
  | CONVICTION CITATION example_fields EXPECT IDENT and_outcomes ELIGIBLE FROM DATE BY RULE IDENT {
        $$ = ps_take_conviction(ps, &@1, $2, &@5, $5, &@12, $12);
        if ($6) $$->expect_more = *$6;
        $$->has_expect_from = true; $$->expect_from = $9;
    }
  | CONVICTION CITATION example_fields EXPECT IDENT and_outcomes BY RULE OTHERWISE {
        $$ = ps_take_conviction(ps, &@1, $2, &@5, $5, &@9, "otherwise");
        if ($6) $$->expect_more = *$6;
    }
  | CONVICTION CITATION example_fields EXPECT OTHERWISE {
        $$ = ps_take_conviction(ps, &@1, $2, &@5, NULL, &@5, "otherwise");
    }
    ;

example_fields:
    %empty      { ps_begin_fields(ps); }
  | example_fields example_field
    ;

example_field:
    level               { ps_add_field(ps, &@1, "level", $1); }
  | ON DATE             { struct expr *e = node(ps, EXPR_DATE, &@2); e->u.date = $2;
                          ps_add_field(ps, &@1, "disposition_date", e); }
  | IDENT literal       { ps_add_field(ps, &@1, $1, $2); }
    ;

expr:
    expr OR expr        { $$ = binary(ps, EXPR_OR, $1, $3, &@$); }
  | expr AND expr       { $$ = binary(ps, EXPR_AND, $1, $3, &@$); }
  | NOT expr            { $$ = node(ps, EXPR_NOT, &@$); $$->u.operand = $2; }
  | comparison
  | sum %prec WHERE     /* "where level is felony": the comparison stays inside the condition */
    ;

comparison:
    sum IS sum %prec IS                 { $$ = compare(ps, CMP_IS, $1, $3, &@$); }
  | sum IS NOT sum %prec IS             { $$ = compare(ps, CMP_IS_NOT, $1, $4, &@$); }
  | sum IS BEFORE sum %prec IS          { $$ = compare(ps, CMP_BEFORE, $1, $4, &@$); }
  | sum IS AFTER sum %prec IS           { $$ = compare(ps, CMP_AFTER, $1, $4, &@$); }
  | sum IS ON OR BEFORE sum %prec IS    { $$ = compare(ps, CMP_ON_OR_BEFORE, $1, $6, &@$); }
  | sum IS ON OR AFTER sum %prec IS     { $$ = compare(ps, CMP_ON_OR_AFTER, $1, $6, &@$); }
  | sum IS LESS THAN sum %prec IS       { $$ = compare(ps, CMP_LESS, $1, $5, &@$); }
  | sum IS MORE THAN sum %prec IS       { $$ = compare(ps, CMP_MORE, $1, $5, &@$); }
  | sum IS AT LEAST sum %prec IS        { $$ = compare(ps, CMP_AT_LEAST, $1, $5, &@$); }
  | sum IS AT MOST sum %prec IS         { $$ = compare(ps, CMP_AT_MOST, $1, $5, &@$); }
  | sum IS KNOWN %prec IS               { $$ = node(ps, EXPR_IS_KNOWN, &@$); $$->u.operand = $1; }
  | sum IS UNKNOWN %prec IS             { $$ = node(ps, EXPR_IS_UNKNOWN, &@$); $$->u.operand = $1; }
  | sum STARTS WITH sum %prec IS         { $$ = compare(ps, CMP_STARTS_WITH, $1, $4, &@$); }
  | sum CONTAINS sum %prec IS           { $$ = compare(ps, CMP_CONTAINS, $1, $3, &@$); }
  | sum IN sum %prec IS                 { $$ = binary(ps, EXPR_IN, $1, $3, &@$); }
  | sum NOT IN sum %prec IS             { $$ = binary(ps, EXPR_IN, $1, $4, &@$); $$->u.bin.negated = true; }
    ;

sum:
    sum '+' primary     { $$ = binary(ps, EXPR_ADD, $1, $3, &@$); }
  | sum '-' primary     { $$ = binary(ps, EXPR_SUB, $1, $3, &@$); }
  | primary
    ;

primary:
    literal
  | IDENT                       { $$ = node(ps, EXPR_NAME, &@$); $$->u.name = $1; }
  | CONVICTION '.' IDENT        { $$ = node(ps, EXPR_CONVICTION_FACT, &@$); $$->u.name = $3; }
  | PERSON '.' IDENT            { $$ = node(ps, EXPR_PERSON_FACT, &@$); $$->u.name = $3; }
  | '{' citation_list '}'       { $$ = node(ps, EXPR_SET_LITERAL, &@$); $$->u.items = *$2; }
  | '(' { if (!nest(ps, &@1)) YYABORT; } expr ')' { ps->nesting--; $$ = $3; }
  | YEARS BETWEEN sum AND sum   { $$ = binary(ps, EXPR_YEARS_BETWEEN, $3, $5, &@$); }
  | AGE AT primary              { $$ = node(ps, EXPR_AGE_AT, &@$); $$->u.operand = $3; }
  | OUTCOME                     { $$ = node(ps, EXPR_OUTCOME, &@$); }
  | IDENT AT primary            { $$ = node(ps, EXPR_PARAM_AT, &@$); $$->u.bin.left = node(ps, EXPR_NAME, &@1);
                                  $$->u.bin.left->u.name = $1; $$->u.bin.right = $3; }
  | IDENT OF primary            { $$ = node(ps, EXPR_TABLE, &@$); $$->u.bin.left = node(ps, EXPR_NAME, &@1);
                                  $$->u.bin.left->u.name = $1; $$->u.bin.right = $3; }
  | DECIMAL YEARS BETWEEN sum AND sum { $$ = binary(ps, EXPR_DECIMAL_YEARS, $4, $6, &@$); }
  | JOINED STRING IDENT OF many scope where_opt {
        $$ = aggregate(ps, AGG_OP_JOIN, false, $7, &@$); $$->kind = EXPR_JOIN; $$->u.agg.scope = $5 | $6;
        $$->u.agg.separator = $2; $$->u.agg.value_name = $3; $$->u.agg.value_loc = @3; }
  | JOINED STRING DISTINCT IDENT OF many scope where_opt {
        $$ = aggregate(ps, AGG_OP_JOIN, false, $8, &@$); $$->kind = EXPR_JOIN; $$->u.agg.scope = $6 | $7;
        $$->u.agg.separator = $2; $$->u.agg.distinct = true; $$->u.agg.value_name = $4; $$->u.agg.value_loc = @4; }
  | aggregate
    ;

aggregate:
    ANY one scope WHERE expr                { $$ = aggregate(ps, AGG_OP_ANY, false, $5, &@$); $$->u.agg.scope = $2 | $3; }
  | ANY OTHER one scope WHERE expr          { $$ = aggregate(ps, AGG_OP_ANY, true, $6, &@$); $$->u.agg.scope = $3 | $4; }
  | EVERY one scope WHERE expr              { $$ = aggregate(ps, AGG_OP_EVERY, false, $5, &@$); $$->u.agg.scope = $2 | $3; }
  | EVERY OTHER one scope WHERE expr        { $$ = aggregate(ps, AGG_OP_EVERY, true, $6, &@$); $$->u.agg.scope = $3 | $4; }
  | NO one scope WHERE expr                 { $$ = aggregate(ps, AGG_OP_NO, false, $5, &@$); $$->u.agg.scope = $2 | $3; }
  | NO OTHER one scope WHERE expr           { $$ = aggregate(ps, AGG_OP_NO, true, $6, &@$); $$->u.agg.scope = $3 | $4; }
  | COUNT OF many scope where_opt           { $$ = aggregate(ps, AGG_OP_COUNT, false, $5, &@$); $$->u.agg.scope = $3 | $4; }
  | COUNT OF OTHER many scope where_opt     { $$ = aggregate(ps, AGG_OP_COUNT, true, $6, &@$); $$->u.agg.scope = $4 | $5; }
  | LATEST IDENT OF many scope where_opt {
        $$ = aggregate(ps, AGG_OP_LATEST, false, $6, &@$); $$->u.agg.scope = $4 | $5;
        $$->u.agg.value_name = $2; $$->u.agg.value_loc = @2; }
  | LATEST IDENT OF OTHER many scope where_opt {
        $$ = aggregate(ps, AGG_OP_LATEST, true, $7, &@$); $$->u.agg.scope = $5 | $6;
        $$->u.agg.value_name = $2; $$->u.agg.value_loc = @2; }
  | EARLIEST IDENT OF many scope where_opt {
        $$ = aggregate(ps, AGG_OP_EARLIEST, false, $6, &@$); $$->u.agg.scope = $4 | $5;
        $$->u.agg.value_name = $2; $$->u.agg.value_loc = @2; }
  | EARLIEST IDENT OF OTHER many scope where_opt {
        $$ = aggregate(ps, AGG_OP_EARLIEST, true, $7, &@$); $$->u.agg.scope = $5 | $6;
        $$->u.agg.value_name = $2; $$->u.agg.value_loc = @2; }
    ;

/* What an aggregate runs over: the convictions, or every charge the record lists. */
one:
    CONVICTION      { $$ = 0; }
  | CHARGE          { $$ = AGG_CHARGES; }
    ;

many:
    CONVICTIONS     { $$ = 0; }
  | CHARGES         { $$ = AGG_CHARGES; }
    ;

/* "latest ... of convictions in the same case": 'in' here opens the scope, never a set test. */
scope:
    %empty %prec WHERE      { $$ = 0; }
  | IN THE SAME CASE        { $$ = AGG_SAME_CASE; }
  | IN THE SAME CYCLE       { $$ = AGG_SAME_CYCLE; }
    ;

where_opt:
    %empty %prec WHERE  { $$ = NULL; }
  | WHERE expr          { $$ = $2; }
    ;

literal:
    NUMBER      { $$ = node(ps, EXPR_NUMBER, &@$); $$->u.number = $1; }
  | STRING      { $$ = node(ps, EXPR_TEXT, &@$); $$->u.text.ptr = $1; $$->u.text.len = (uint32_t)strlen($1); }
  | DATE        { $$ = node(ps, EXPR_DATE, &@$); $$->u.date = $1; }
  | DURATION    { $$ = node(ps, EXPR_DURATION, &@$); $$->u.duration = $1; }
  | QUANTITY    { $$ = node(ps, EXPR_QUANTITY, &@$); $$->u.quantity = $1; }
  | CITATION    { $$ = node(ps, EXPR_CITATION, &@$); $$->u.citation = $1; }
  | TRUE        { $$ = node(ps, EXPR_BOOL, &@$); $$->u.boolean = true; }
  | FALSE       { $$ = node(ps, EXPR_BOOL, &@$); $$->u.boolean = false; }
  | level
    ;

level:
    FELONY      { $$ = node(ps, EXPR_LEVEL, &@$); $$->u.level = LEVEL_FELONY; }
  | MISDEMEANOR { $$ = node(ps, EXPR_LEVEL, &@$); $$->u.level = LEVEL_MISDEMEANOR; }
  | INFRACTION  { $$ = node(ps, EXPR_LEVEL, &@$); $$->u.level = LEVEL_INFRACTION; }
    ;

%%

static struct expr *node(struct parse_state *ps, enum expr_kind kind, const struct loc *loc)
{
    struct expr *e = NEW(struct expr);
    e->kind = kind;
    e->loc = *loc;
    return e;
}

static struct expr *binary(struct parse_state *ps, enum expr_kind kind, struct expr *l, struct expr *r,
                           const struct loc *loc)
{
    struct expr *e = node(ps, kind, loc);
    e->u.bin.left = l;
    e->u.bin.right = r;
    return e;
}

static struct expr *compare(struct parse_state *ps, enum compare_op op, struct expr *l, struct expr *r,
                            const struct loc *loc)
{
    struct expr *e = binary(ps, EXPR_COMPARE, l, r, loc);
    e->u.bin.op = op;
    return e;
}

static struct expr *aggregate(struct parse_state *ps, enum aggregate_op op, bool other,
                              struct expr *where, const struct loc *loc)
{
    struct expr *e = node(ps, EXPR_AGGREGATE, loc);
    e->u.agg.op = op;
    e->u.agg.other = other;
    e->u.agg.where = where;
    return e;
}

static void add_decl(struct parse_state *ps, enum decl_kind kind, void *d)
{
    struct decl *decl = NEW(struct decl);
    decl->kind = kind;
    switch (kind) {
    case DECL_OUTCOME: decl->u.outcome = d; break;
    case DECL_PARAM: decl->u.param = d; break;
    case DECL_SET: decl->u.set = d; break;
    case DECL_TABLE: decl->u.table = d; break;
    case DECL_RULE: decl->u.rule = d; break;
    case DECL_EXAMPLE: decl->u.example = d; break;
    case DECL_COLUMN: decl->u.column = d; break;
    case DECL_COLUMN_SCOPE: decl->u.column_scope = d; break;
    }
    ptrvec_push(ps->arena, &ps->policy->decls, decl);
}

/* `before "OTHER"` or `after "OTHER"` on a column: one place only. */
static struct column_decl *column_place(struct parse_state *ps, struct column_decl *c, enum rule_placement where,
                                        const char *anchor, const struct loc *loc)
{
    if (c->placement != PLACE_NONE)
        diag_report(ps->diag, DIAG_ERROR, loc, "keep one 'before' or 'after'",
                    "the column \"%s\" is already placed %s \"%s\"", c->name,
                    c->placement == PLACE_BEFORE ? "before" : "after", c->anchor);
    c->placement = where;
    c->anchor = anchor;
    c->anchor_loc = *loc;
    return c;
}

static bool nest(struct parse_state *ps, const struct loc *loc)
{
    if (++ps->nesting > PARSE_MAX_NESTING) {
        diag_report(ps->diag, DIAG_ERROR, loc, "split the condition into named rules or simpler parts",
                    "parentheses are nested more than %d deep", PARSE_MAX_NESTING);
        return false;
    }
    return true;
}

static void ps_begin_fields(struct parse_state *ps)
{
    ps->pending_fields.items = NULL;
    ps->pending_fields.len = ps->pending_fields.cap = 0;
}

static void ps_add_field(struct parse_state *ps, const struct loc *loc, const char *name, struct expr *value)
{
    struct example_field *f = NEW(struct example_field);
    f->loc = *loc;
    f->name = name;
    f->value = value;
    ptrvec_push(ps->arena, &ps->pending_fields, f);
}

static struct example_conviction *ps_take_conviction(struct parse_state *ps, const struct loc *loc,
                                                     struct citation *citation, const struct loc *expect_loc,
                                                     const char *expect, const struct loc *rule_loc,
                                                     const char *rule)
{
    struct example_conviction *c = NEW(struct example_conviction);
    c->loc = *loc;
    c->citation = citation;
    c->fields = ps->pending_fields;
    ps_begin_fields(ps);
    c->expect = expect;
    c->expect_loc = *expect_loc;
    c->expect_rule = rule;
    if (rule_loc)
        c->expect_rule_loc = *rule_loc;
    return c;
}

/* How a message names a kind of token: keywords keep their quotes, the others get an article. */
static const char *symbol_words(yysymbol_kind_t s)
{
    switch (s) {
    case YYSYMBOL_YYEOF: return "the end of the policy";
    case YYSYMBOL_NUMBER: return "a number";
    case YYSYMBOL_DATE: return "a date";
    case YYSYMBOL_DURATION: return "a duration";
    case YYSYMBOL_CITATION: return "a citation";
    case YYSYMBOL_IDENT: return "a name";
    case YYSYMBOL_STRING: return "quoted text";
    case YYSYMBOL_TEXT_BLOCK: return "quoted statute text";
    default: return yysymbol_name(s);
    }
}

/* The token as the policy writer typed it, in quotes, when it fits on its line; else its kind. */
static void token_words(const struct loc *loc, yysymbol_kind_t s, char *out, size_t outsize)
{
    size_t len = 0;
    const char *line = loc->src && s != YYSYMBOL_STRING && s != YYSYMBOL_TEXT_BLOCK && s != YYSYMBOL_YYEOF
                           ? source_line(loc->src, loc->line, &len)
                           : NULL;
    int width = loc->end_col - loc->col;
    if (line && loc->end_line == loc->line && width > 0 && width <= 40 && (size_t)(loc->end_col - 1) <= len)
        snprintf(out, outsize, "'%.*s'", width, line + loc->col - 1);
    else
        snprintf(out, outsize, "%s", symbol_words(s));
}

/*
 * Where the text before `loc` ends, past blank lines and comments: a word
 * left out at the end of a line is missing there, not where the next
 * declaration begins.
 */
static bool end_of_previous(const struct loc *loc, struct loc *out)
{
    for (int line = loc->line; loc->src && line >= 1; line--) {
        size_t len = 0;
        const char *text = source_line(loc->src, line, &len);
        if (!text)
            continue;
        if (line == loc->line && (size_t)(loc->col - 1) < len)
            len = (size_t)(loc->col - 1);
        bool quoted = false;
        for (size_t i = 0; i < len; i++) {
            if (text[i] == '"') {
                quoted = !quoted;
            } else if (text[i] == '#' && !quoted) {
                len = i;
                break;
            }
        }
        while (len > 0 && (text[len - 1] == ' ' || text[len - 1] == '\t' || text[len - 1] == '\r'))
            len--;
        if (len > 0) {
            *out = (struct loc){loc->src, line, (int)len + 1, line, (int)len + 2};
            return true;
        }
    }
    return false;
}

/* The word just before `loc` on its line ("" when there is none). */
static void previous_word(const struct loc *loc, char *out, size_t outsize)
{
    out[0] = '\0';
    size_t len = 0;
    const char *line = loc->src ? source_line(loc->src, loc->line, &len) : NULL;
    if (!line || loc->col < 2 || (size_t)(loc->col - 1) > len)
        return;
    int i = loc->col - 2;
    while (i >= 0 && (line[i] == ' ' || line[i] == '\t'))
        i--;
    int end = i;
    while (i >= 0 && ((line[i] >= 'a' && line[i] <= 'z') || line[i] == '_'))
        i--;
    if (end > i && (i < 0 || line[i] == ' ' || line[i] == '\t'))
        snprintf(out, outsize, "%.*s", end - i, line + i + 1);
}

/* Tokens that begin a declaration: when one comes where something else was due, the something is missing. */
static bool starts_declaration(yysymbol_kind_t s)
{
    return s == YYSYMBOL_RULE || s == YYSYMBOL_OTHERWISE || s == YYSYMBOL_EXAMPLE || s == YYSYMBOL_OUTCOME ||
           s == YYSYMBOL_PARAMETER || s == YYSYMBOL_SET || s == YYSYMBOL_OVERRIDE || s == YYSYMBOL_REPLACE ||
           s == YYSYMBOL_CONVICTION;
}

/* Hints for the places where policy writers most often go wrong. */
static const char *syntax_hint(const yysymbol_kind_t *expected, int n, yysymbol_kind_t unexpected,
                               const struct loc *loc, char *buf, size_t bufsize)
{
    if (strcmp(yysymbol_name(unexpected), "'='") == 0)
        return "to compare two values write 'is', e.g. level is felony; '=' only gives a parameter or a set its value";
    char before[16];
    previous_word(loc, before, sizeof before);
    static const char *const short_words[] = {"is", "in", "at", "by", "of", "or", "on", "no", "up", "and", "not",
                                              "age", "any", "day", "set", "down", "rule", "born", "less", "more",
                                              "most", "than", "when", "then", "days", "year", NULL};
    bool code_typed_small = unexpected == YYSYMBOL_NUMBER && strlen(before) >= 2 && strlen(before) <= 4;
    for (int i = 0; code_typed_small && short_words[i]; i++)
        if (strcmp(before, short_words[i]) == 0)
            code_typed_small = false;
    if (code_typed_small)
        return "a citation's code is written in capitals, followed by the section: HS 11357";
    if (strcmp(before, "equal") == 0 || strcmp(before, "equals") == 0)
        return "to compare two values write just 'is' (or 'is not'), e.g. level is felony";
    if (unexpected == YYSYMBOL_THAN)
        return "comparisons are written 'is less than', 'is more than', 'is at least', 'is at most' (numbers) "
               "or 'is before', 'is after' (dates)";
    for (int i = 0; i < n; i++) {
        switch (expected[i]) {
        case YYSYMBOL_BECAUSE:
            return "every rule gives its reason in words: then <outcome> because \"...\" citing <citation>";
        case YYSYMBOL_CITING:
            return "every rule names the law it rests on: because \"...\" citing HS 11361.8";
        case YYSYMBOL_THEN:
            if (unexpected == YYSYMBOL_IDENT || unexpected == YYSYMBOL_YYEOF || starts_declaration(unexpected))
                return "after the condition, say the outcome with 'then', e.g. then dismiss";
            break;
        case YYSYMBOL_WHEN:
            return "a rule's condition starts with 'when': rule <name> when <condition> then <outcome> ...";
        case YYSYMBOL_EXPECT:
            return "an example conviction ends with the outcome it should get: expect dismiss";
        case YYSYMBOL_POLICY:
            return "a policy file starts with: policy \"Name of the policy\"";
        case YYSYMBOL_IDENT: {
            const char *word = yysymbol_name(unexpected);
            if (word[0] == '\'' && word[1] >= 'a' && word[1] <= 'z') {
                snprintf(buf, bufsize, "%s is one of Lenity's own words and cannot be used as a name; "
                         "choose another, e.g. adult_age or cutoff_date", word);
                return buf;
            }
            break;
        }
        case YYSYMBOL_RELIEF:
        case YYSYMBOL_REVIEW:
            return "an outcome is of one of three kinds: relief, no relief or review, e.g. outcome dismiss is relief";
        default:
            if (unexpected == YYSYMBOL_CITATION && strcmp(yysymbol_name(expected[i]), "','") == 0)
                return "separate the citations of a set with commas: { HS 11357, HS 11358 }";
            break;
        }
    }
    if (unexpected == YYSYMBOL_IS)
        return "a comparison cannot be compared again; join conditions with 'and' or 'or'";
    return NULL;
}

static int yyreport_syntax_error(const yypcontext_t *ctx, yyscan_t scanner, struct parse_state *ps)
{
    (void)scanner;
    enum { MAX_EXPECTED = 8 };
    yysymbol_kind_t expected[MAX_EXPECTED];
    int n = yypcontext_expected_tokens(ctx, expected, MAX_EXPECTED);
    if (n < 0)
        n = 0;
    yysymbol_kind_t got = yypcontext_token(ctx);
    const struct loc *loc = yypcontext_location(ctx);
    struct loc start = {ps->src, 1, 1, 1, 2};
    if (!loc->src) {
        /* Nothing was read at all: the file is empty. */
        if (got == YYSYMBOL_YYEOF) {
            diag_report(ps->diag, DIAG_ERROR, &start, "a policy file starts with: policy \"Name of the policy\"",
                        "the policy file is empty");
            return 0;
        }
        loc = &start;
    }
    char wanted[400];
    size_t used = 0;
    wanted[0] = '\0';
    for (int i = 0; i < n && used < sizeof wanted; i++)
        used += (size_t)snprintf(wanted + used, sizeof wanted - used, "%s%s",
                                 i == 0 ? "" : (i == n - 1 ? " or " : ", "), symbol_words(expected[i]));
    char hint[512];
    char special_buf[256];
    const char *special = syntax_hint(expected, n, got, loc, special_buf, sizeof special_buf);
    if (special)
        snprintf(hint, sizeof hint, "%s", special);
    else if (n > 1)
        snprintf(hint, sizeof hint, "expected %s", wanted);
    else
        hint[0] = '\0';
    char found[64];
    token_words(loc, got, found, sizeof found);
    struct loc before;
    if (got == YYSYMBOL_YYEOF) {
        if (n > 0)
            diag_report(ps->diag, DIAG_ERROR, loc, hint[0] ? hint : NULL, "the policy ends too early: expected %s",
                        wanted);
        else
            diag_report(ps->diag, DIAG_ERROR, loc, hint[0] ? hint : NULL, "the policy ends too early");
    } else if (n > 0 && starts_declaration(got) && end_of_previous(loc, &before) && before.line < loc->line) {
        diag_report(ps->diag, DIAG_ERROR, &before, hint[0] ? hint : NULL, "expected %s here, before %s on line %d",
                    wanted, found, loc->line);
    } else if (n == 1) {
        diag_report(ps->diag, DIAG_ERROR, loc, hint[0] ? hint : NULL, "expected %s but found %s", wanted, found);
    } else {
        diag_report(ps->diag, DIAG_ERROR, loc, hint[0] ? hint : NULL, "did not expect %s here", found);
    }
    return 0;
}

/* Only bison's own failures come here ("memory exhausted"); syntax errors go to yyreport_syntax_error. */
static void lenity_yyerror(const struct loc *loc, yyscan_t scanner, struct parse_state *ps, const char *msg)
{
    (void)scanner;
    diag_report(ps->diag, DIAG_ERROR, loc, "split the policy's conditions into simpler rules",
                "the policy is too deeply nested to read (%s)", msg);
}

void parse_error_at(struct parse_state *ps, int line, int col, int width, const char *hint,
                    const char *fmt, ...)
{
    struct loc loc = {ps->src, line, col, line, col + (width > 0 ? width : 1)};
    va_list ap;
    va_start(ap, fmt);
    diag_vreport(ps->diag, DIAG_ERROR, &loc, hint, fmt, ap);
    va_end(ap);
}

struct policy *parse_policy(const struct source *src, struct arena *arena, struct diag *diag)
{
    struct parse_state ps = {0};
    ps.arena = arena;
    ps.diag = diag;
    ps.src = src;
    ps.line = 1;
    ps.col = 1;
    ps.policy = arena_alloc(arena, sizeof *ps.policy);
    int errors_before = diag->errors;
    yyscan_t scanner;
    if (lenity_yylex_init_extra(&ps, &scanner) != 0) {
        diag_plain(diag, "%s: out of memory", src->path);
        return NULL;
    }
    YY_BUFFER_STATE buf = lenity_yy_scan_bytes(src->text, (int)src->len, scanner);
    int rc = lenity_yyparse(scanner, &ps);
    lenity_yy_delete_buffer(buf, scanner);
    lenity_yylex_destroy(scanner);
    if (rc != 0 || diag->errors > errors_before)
        return NULL;
    return ps.policy;
}
