/*
 * person.h - the model a policy sees: one person and their convictions.
 *
 * A record reader fills a struct person for each person in turn and reuses
 * it for the next, so memory stays flat however long the input is: the
 * arrays grow to the largest history seen and are never freed until the
 * end.  Text fields point into the person's own string buffer.
 */
#ifndef LENITY_PERSON_H
#define LENITY_PERSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "citation.h"
#include "date.h"
#include "quantity.h"

enum fact_id {
#define FACT(id, owner, name, type, words) FACT_##id,
#include "fact_list.h"
#undef FACT
    FACT__COUNT
};
_Static_assert(FACT__COUNT <= 32, "a fact's known bit must fit in 32 bits");

struct text_ref {
    uint32_t offset; /* into person.strings */
    uint32_t len;
};

/* One input row exactly as read (without its line ending), kept for writers that copy the input. */
struct raw_row {
    struct text_ref text;        /* as read, without its line end (a DOJ row: without an empty cell
                                  * after END_OF_REC) */
    uint64_t row;                /* 1-based data row number */
    uint32_t conviction;         /* index of the conviction made from this row, or UINT32_MAX */
};

/* A text_ref added to a conviction goes in conviction_texts() below too. */
struct conviction {
    uint32_t known;              /* bit (1u << FACT_x) set when the fact is known */
    struct citation citation;
    uint8_t level;               /* enum level */
    int32_t disposition_date;
    struct duration sentence;
    struct text_ref county;
    struct text_ref case_id;
    struct text_ref cycle_id;
    /* Text the record gives as written, for output columns (FACT_OFFENSE_SECTION ... FACT_STEP_TYPE). */
    struct text_ref offense_section;
    struct text_ref comment_text;
    struct text_ref ofn;
    struct text_ref step_type;
    /* The general format's words for the offence and its sentence (FACT_CLASS ... FACT_CUSTODY_STATUS). */
    struct text_ref offense_class;
    struct text_ref substance;
    struct text_ref custody_status;
    int32_t sentence_end;
    int32_t offense_date;
    struct quantity quantity;    /* a weight */
    struct quantity plant_count; /* plants */
    uint64_t row;                /* input row number (1 = first data row) */
    struct text_ref key;         /* the row's own key fields, echoed in the output */
};

/* Every text of a conviction, for code that moves a person's texts elsewhere (parallel.c). */
#define CONVICTION_TEXTS 11
static inline void conviction_texts(struct conviction *c, struct text_ref *out[CONVICTION_TEXTS])
{
    struct text_ref *all[CONVICTION_TEXTS] = {&c->county, &c->case_id, &c->cycle_id, &c->offense_section,
                                              &c->comment_text, &c->ofn, &c->step_type, &c->offense_class,
                                              &c->substance, &c->custody_status, &c->key};
    for (int k = 0; k < CONVICTION_TEXTS; k++)
        out[k] = all[k];
}

/* The record's words for a text fact of the conviction; NULL for a fact that is not one. */
static inline const struct text_ref *conviction_record_text(const struct conviction *c, unsigned fact)
{
    switch (fact) {
    case FACT_OFFENSE_SECTION: return &c->offense_section;
    case FACT_COMMENT_TEXT: return &c->comment_text;
    case FACT_OFN: return &c->ofn;
    case FACT_STEP_TYPE: return &c->step_type;
    case FACT_CLASS: return &c->offense_class;
    case FACT_SUBSTANCE: return &c->substance;
    case FACT_CUSTODY_STATUS: return &c->custody_status;
    default: return NULL;
    }
}

struct person {
    uint32_t known;              /* FACT_ID, FACT_DATE_OF_BIRTH bits */
    struct text_ref id;
    int32_t date_of_birth;
    bool deceased;
    bool sex_offender_registration;
    int32_t sex_offender_registration_date;
    struct conviction *convictions;
    uint32_t count;
    uint32_t capacity;
    /*
     * Every charge the record lists, convicted or not (arrests, dismissed
     * counts), for "any charge in the same cycle where ...".  A format that
     * lists only convictions leaves it empty, and charges then means the
     * convictions (has_charges false).
     */
    struct conviction *charges;
    uint32_t ncharges;
    uint32_t charges_capacity;
    bool has_charges;
    /* Every input row of the person, in input order, when the reader was asked to keep them. */
    struct raw_row *rows;
    uint32_t nrows;
    uint32_t rows_capacity;
    char *strings;               /* backing store of every text_ref */
    size_t strings_len;
    size_t strings_cap;
};

void person_init(struct person *p);
void person_free(struct person *p);
/* Forget the previous person, keeping the buffers. */
void person_clear(struct person *p);
/* Appends a zeroed conviction; NULL when out of memory or past `limit`. */
struct conviction *person_add_conviction(struct person *p, uint32_t limit);
/* Appends a zeroed charge; NULL when out of memory or past `limit`.  Sets has_charges. */
struct conviction *person_add_charge(struct person *p, uint32_t limit);
/* Keeps an input row's exact text; false when out of memory. */
bool person_add_raw_row(struct person *p, const char *text, size_t len, uint64_t row, uint32_t conviction);
/* Copies text into the person's string buffer; false when out of memory. */
bool person_add_text(struct person *p, const char *text, size_t len, struct text_ref *out);
static inline const char *person_text(const struct person *p, struct text_ref r)
{
    return p->strings + r.offset;
}

#endif
