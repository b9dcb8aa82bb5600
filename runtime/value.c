/*
 * value.c - the words for types, levels and outcome kinds, and the one
 * function that turns a value into text for messages and the disassembler.
 */
#include "value.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

const char *value_type_words(enum value_type t)
{
    switch (t) {
#define X(name, num, words) \
    case TYPE_##name:       \
        return words;
        TYPE_LIST(X)
#undef X
    case TYPE__COUNT:
        break;
    }
    return "invalid type";
}

const char *level_words(enum level l)
{
    switch (l) {
    case LEVEL_FELONY:
        return "felony";
    case LEVEL_MISDEMEANOR:
        return "misdemeanor";
    case LEVEL_INFRACTION:
        return "infraction";
    }
    return "invalid level";
}

const char *outcome_kind_words(enum outcome_kind k)
{
    switch (k) {
    case OUTCOME_RELIEF:
        return "relief";
    case OUTCOME_NO_RELIEF:
        return "no relief";
    case OUTCOME_REVIEW:
        return "review";
    }
    return "invalid outcome kind";
}

/* Counts every byte offered, stores what fits: snprintf's contract. */
struct out {
    char *buf;
    size_t size;
    size_t len;
};

static void put(struct out *o, const char *s, size_t n)
{
    if (o->len < o->size) {
        size_t room = o->size - 1 - o->len;
        size_t copy = n < room ? n : room;
        memcpy(o->buf + o->len, s, copy);
        o->buf[o->len + copy] = '\0';
    }
    o->len += n;
}

static void put_str(struct out *o, const char *s)
{
    put(o, s, strlen(s));
}

/* Quoted so that "" and a text holding spaces stay visible in a listing. */
static void put_quoted(struct out *o, const char *s, uint32_t len)
{
    put(o, "\"", 1);
    for (uint32_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(o, esc, 2);
        } else if (c == '\n') {
            put(o, "\\n", 2);
        } else if (c == '\t') {
            put(o, "\\t", 2);
        } else if (c < 0x20 || c == 0x7f) {
            snprintf(esc, sizeof esc, "\\x%02x", c);
            put(o, esc, 4);
        } else {
            put(o, (const char *)&c, 1);
        }
    }
    put(o, "\"", 1);
}

size_t value_format(const struct value *v, char *buf, size_t size)
{
    struct out o = {buf, size, 0};
    char tmp[64];

    if (buf != NULL && size > 0)
        buf[0] = '\0';
    else
        o.size = 0;
    if (v == NULL || v->unknown) {
        put_str(&o, "unknown");
        return o.len;
    }
    switch ((enum value_type)v->type) {
    case TYPE_BOOL:
        put_str(&o, v->as.number ? "true" : "false");
        break;
    case TYPE_NUMBER:
        snprintf(tmp, sizeof tmp, "%" PRId64, v->as.number);
        put_str(&o, tmp);
        break;
    case TYPE_TEXT:
        put_quoted(&o, v->as.text.ptr ? v->as.text.ptr : "", v->as.text.ptr ? v->as.text.len : 0);
        break;
    case TYPE_DATE:
        date_format_iso(v->as.date, tmp);
        put_str(&o, tmp);
        break;
    case TYPE_DURATION:
        duration_format(v->as.duration, tmp, sizeof tmp);
        put_str(&o, tmp);
        break;
    case TYPE_CITATION:
        if (v->as.citation == NULL) {
            put_str(&o, "(no citation)");
        } else {
            const struct citation *c = v->as.citation;
            size_t n = strnlen(c->text, sizeof c->text);
            put(&o, c->text, n);
        }
        break;
    case TYPE_QUANTITY:
        quantity_format(v->as.quantity, tmp, sizeof tmp);
        put_str(&o, tmp);
        break;
    case TYPE_LEVEL:
        if (v->as.number >= LEVEL_FELONY && v->as.number <= LEVEL_INFRACTION) {
            put_str(&o, level_words((enum level)v->as.number));
        } else {
            snprintf(tmp, sizeof tmp, "level %" PRId64, v->as.number);
            put_str(&o, tmp);
        }
        break;
    case TYPE_OUTCOME:
        snprintf(tmp, sizeof tmp, "outcome %" PRId64, v->as.number);
        put_str(&o, tmp);
        break;
    case TYPE_SET:
        snprintf(tmp, sizeof tmp, "set %" PRIu32, v->as.set);
        put_str(&o, tmp);
        break;
    case TYPE_NONE:
        put_str(&o, "nothing");
        break;
    case TYPE__COUNT:
    default:
        snprintf(tmp, sizeof tmp, "(invalid type %u)", (unsigned)v->type);
        put_str(&o, tmp);
        break;
    }
    return o.len;
}
