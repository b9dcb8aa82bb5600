/*
 * doj_offense.c - DOJ offence text to a Lenity citation (see doj_offense.h).
 *
 * The text is scanned once, left to right, with no allocation: the
 * canonical citation ("HS 11357(a)") is assembled in a small buffer and
 * then handed to citation_parse(), which checks the limits every citation
 * obeys and fills the prefix table the matcher uses.
 */
#include "doj_offense.h"

#include <string.h>
#include <strings.h>

#define DOJ_CODE_MIN 2
#define DOJ_CODE_MAX 4
#define DOJ_SUFFIX_MAX 3 /* letters written against a section number: 288A, 273AB */
#define DOJ_SUB_MAX 8    /* characters inside one pair of parentheses, as citation.h */

static const char WHY_BLANK[] = "the offence text is blank";
static const char WHY_BOTH_BLANK[] = "OFFENSE_DESCR and COMMENT_TEXT are both blank";
static const char WHY_SEE_COMMENT_BLANK[] =
    "OFFENSE_DESCR says SEE COMMENT FOR CHARGE but COMMENT_TEXT is blank";
static const char WHY_NO_SECTION[] =
    "the text does not start with a code section number (DOJ writes e.g. "
    "11357(A) HS-POSSESS MARIJUANA)";
static const char WHY_NOTHING_AFTER_PREFIX[] =
    "nothing follows 664/ (attempt) or 182/ (conspiracy); the section attempted or conspired "
    "must come next, as in 664/187 PC";
static const char WHY_NO_CODE[] =
    "no code (HS, PC, VC, BP, WI...) follows the section number";
static const char WHY_BAD_CODE[] =
    "the word after the section number is not a code of 2 to 4 letters, like HS or PC";
static const char WHY_SUB[] =
    "a subsection holds 1 to 8 letters or digits in parentheses, like (A) or (1)";
static const char WHY_SLASH[] =
    "two sections are joined by '/'; only 664/ (attempt) and 182/ (conspiracy) are understood "
    "before a section";
static const char WHY_SUFFIX[] =
    "too many letters after the section number (a section such as 288A or 273AB has at most 3)";
static const char WHY_LONG[] = "the citation is longer than 63 characters";

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_alpha(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_alnum(char c)
{
    return is_digit(c) || is_alpha(c);
}

static bool is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
    return is_blank(c) || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static char upper_ascii(char c)
{
    return (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
}

static char lower_ascii(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len > 0 && is_space((*s)[*len - 1]))
        (*len)--;
}

static size_t skip_blanks(const char *t, size_t i, size_t n)
{
    while (i < n && is_blank(t[i]))
        i++;
    return i;
}

/* The canonical text being assembled; overflow is reported once, at the end. */
struct canon {
    char text[CITATION_MAX_LEN + 1];
    size_t len;
    bool overflow;
};

static void canon_put(struct canon *c, char ch)
{
    if (c->len < CITATION_MAX_LEN)
        c->text[c->len++] = ch;
    else
        c->overflow = true;
}

/* DIGITS {"." DIGITS} at t[i] (a digit); returns the end.  A dot not followed by a digit ends it. */
static size_t scan_number(const char *t, size_t i, size_t n)
{
    while (i < n && is_digit(t[i]))
        i++;
    while (i + 1 < n && t[i] == '.' && is_digit(t[i + 1])) {
        i++;
        while (i < n && is_digit(t[i]))
            i++;
    }
    return i;
}

/*
 * Subsections from t[*i]: { [blanks] "(" 1-8 alnum ")" }.  Blanks are only
 * consumed when a '(' follows them.  Appends "(x)" in lower case to c when c
 * is not NULL.  NULL on success, else the reason.
 */
static const char *scan_subsections(const char *t, size_t *i, size_t n, struct canon *c)
{
    for (;;) {
        size_t j = skip_blanks(t, *i, n);
        if (j == n || t[j] != '(')
            return NULL;
        size_t start = ++j;
        while (j < n && is_alnum(t[j]))
            j++;
        if (j == n || t[j] != ')' || j == start || j - start > DOJ_SUB_MAX)
            return WHY_SUB;
        if (c) {
            canon_put(c, '(');
            for (size_t k = start; k < j; k++)
                canon_put(c, lower_ascii(t[k]));
            canon_put(c, ')');
        }
        *i = j + 1;
    }
}

/* What may follow a code: the end of the text, or a character that cannot continue a citation. */
static bool code_ends_at(const char *t, size_t i, size_t n)
{
    return i == n || !(is_alnum(t[i]) || t[i] == '(' || t[i] == ')');
}

/* The code from t[i] after optional blanks: sets [*cs, *ce).  NULL or the reason. */
static const char *scan_code(const char *t, size_t i, size_t n, size_t *cs, size_t *ce)
{
    i = skip_blanks(t, i, n);
    size_t j = i;
    while (j < n && is_alpha(t[j]))
        j++;
    if (j == i)
        return WHY_NO_CODE;
    if (j - i < DOJ_CODE_MIN || j - i > DOJ_CODE_MAX || !code_ends_at(t, j, n))
        return WHY_BAD_CODE;
    /* "11357 HS/11358 HS" names two offences, not one with a description. */
    size_t k = skip_blanks(t, j, n);
    if (k < n && t[k] == '/' && skip_blanks(t, k + 1, n) < n && is_digit(t[skip_blanks(t, k + 1, n)]))
        return WHY_SLASH;
    *cs = i;
    *ce = j;
    return NULL;
}

/*
 * At t[i] a section number [ns, ne) was read.  If it is a "664/" or "182/"
 * prefix (subsections, blanks and the code PC allowed before the '/'),
 * returns the position after the '/' and sets *flag; returns 0 when it is
 * not a prefix at all, and sets *why when it is a '/' that is not allowed.
 */
static size_t scan_prefix(const char *t, size_t ns, size_t ne, size_t n, uint8_t *flag,
                          const char **why)
{
    size_t j = ne;
    if (scan_subsections(t, &j, n, NULL) != NULL)
        return 0;
    j = skip_blanks(t, j, n);
    if (j + 1 < n && upper_ascii(t[j]) == 'P' && upper_ascii(t[j + 1]) == 'C' &&
        (j + 2 == n || !is_alpha(t[j + 2])))
        j = skip_blanks(t, j + 2, n);
    if (j == n || t[j] != '/')
        return 0;
    size_t len = ne - ns;
    if (len == 3 && memcmp(t + ns, "664", 3) == 0) {
        *flag = CITATION_ATTEMPT;
    } else if (len == 3 && memcmp(t + ns, "182", 3) == 0) {
        *flag = CITATION_CONSPIRACY;
    } else {
        *why = WHY_SLASH;
        return 0;
    }
    return j + 1;
}

/* Builds "CODE SECTION[suffix](subs)" and parses it into *out. */
static const char *finish(const char *t, size_t cs, size_t ce, size_t ns, size_t ne, size_t ls,
                          size_t le, const struct canon *subs, uint8_t flags, struct citation *out)
{
    struct canon c;
    memset(&c, 0, sizeof c);
    for (size_t k = cs; k < ce; k++)
        canon_put(&c, upper_ascii(t[k]));
    canon_put(&c, ' ');
    for (size_t k = ns; k < ne; k++)
        canon_put(&c, t[k]);
    for (size_t k = ls; k < le; k++)
        canon_put(&c, lower_ascii(t[k]));
    for (size_t k = 0; k < subs->len; k++)
        canon_put(&c, subs->text[k]);
    if (c.overflow || subs->overflow)
        return WHY_LONG;
    struct citation cit;
    const char *why = NULL;
    if (!citation_parse(c.text, c.len, &cit, &why))
        return why ? why : WHY_LONG;
    cit.flags = flags;
    if (out)
        *out = cit;
    return NULL;
}

static const char *parse(const char *t, size_t n, struct citation *out)
{
    trim(&t, &n);
    if (n == 0)
        return WHY_BLANK;
    size_t i = 0;

    /* A charge marker, as DOJ comments write it: ":CHRG 11358 HS". */
    if (t[i] == ':')
        i = skip_blanks(t, i + 1, n);
    if (n - i > 4 && strncasecmp(t + i, "CHRG", 4) == 0 && (is_blank(t[i + 4]) || t[i + 4] == ':')) {
        i += 4;
        while (i < n && (is_blank(t[i]) || t[i] == ':'))
            i++;
    }

    uint8_t flags = 0;
    size_t ns, ne;
    for (;;) {
        if (i == n || !is_digit(t[i]))
            return flags ? WHY_NOTHING_AFTER_PREFIX : WHY_NO_SECTION;
        ns = i;
        ne = scan_number(t, i, n);
        uint8_t flag = 0;
        const char *why = NULL;
        size_t after = scan_prefix(t, ns, ne, n, &flag, &why);
        if (why)
            return why;
        if (after == 0)
            break;
        flags |= flag;
        i = skip_blanks(t, after, n);
    }

    /* Letters written against the number: the section's own (288A) or the code (11359HS). */
    size_t ls = ne, le = ne;
    while (le < n && is_alpha(t[le]))
        le++;

    /* First reading: the letters belong to the section, subsections and a code follow. */
    struct canon subs;
    memset(&subs, 0, sizeof subs);
    size_t j = le;
    const char *why = scan_subsections(t, &j, n, &subs);
    size_t cs = 0, ce = 0;
    if (!why) {
        why = scan_code(t, j, n, &cs, &ce);
        if (!why) /* a code follows, so the letters can only be the section's */
            return le - ls > DOJ_SUFFIX_MAX ? WHY_SUFFIX
                                            : finish(t, cs, ce, ns, ne, ls, le, &subs, flags, out);
    }

    /* Second reading, when no code follows them: the letters are the code ("11359HS-INTENT"). */
    if (le > ls && scan_code(t, ls, n, &cs, &ce) == NULL) {
        memset(&subs, 0, sizeof subs);
        return finish(t, cs, ce, ns, ne, ne, ne, &subs, flags, out);
    }
    return why;
}

bool doj_offense_parse(const char *text, size_t len, struct citation *out, const char **why)
{
    if (!text)
        len = 0;
    const char *reason = parse(text ? text : "", len, out);
    if (why)
        *why = reason;
    return reason == NULL;
}

bool doj_offense_refers_to_comment(const char *offense_descr, size_t len)
{
    static const char see[] = "SEE COMMENT FOR CHARGE";
    if (!offense_descr)
        return true;
    trim(&offense_descr, &len);
    return len == 0 || (len == sizeof see - 1 && strncasecmp(offense_descr, see, len) == 0);
}

bool doj_offense_normalise(const char *offense_descr, size_t len, const char *comment_text,
                           size_t clen, struct citation *out, const char **why)
{
    if (!offense_descr)
        len = 0;
    if (!comment_text)
        clen = 0;
    if (!doj_offense_refers_to_comment(offense_descr, len))
        return doj_offense_parse(offense_descr, len, out, why);
    const char *c = comment_text;
    size_t n = clen;
    if (c)
        trim(&c, &n);
    if (n == 0) {
        const char *o = offense_descr;
        size_t m = len;
        if (o)
            trim(&o, &m);
        if (why)
            *why = m == 0 ? WHY_BOTH_BLANK : WHY_SEE_COMMENT_BLANK;
        return false;
    }
    return doj_offense_parse(c, n, out, why);
}
