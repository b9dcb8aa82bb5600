/*
 * output.c - the decisions file, the rejects sink and the run summary.
 */
#include "output.h"
#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "summary.h"
#include "value.h"
#include "version.h"


static const char *const fact_words[FACT__COUNT] = {
#define FACT(id, owner, name, type, words) [FACT_##id] = words,
#include "fact_list.h"
#undef FACT
};

/* ---- reasons ---------------------------------------------------------------- */

/*
 * A rule's reason with each {parameter} replaced by the parameter's value in
 * this run, so that "{age_threshold} years or older" says what was applied.
 * Returns the full length (like snprintf); writes at most size - 1 bytes.
 */
static size_t reason_interpolate(const struct program *p, const struct value *params, const char *reason, char *buf,
                                 size_t size)
{
    size_t n = 0;
    for (const char *s = reason; *s; s++) {
        const char *close = *s == '{' ? strchr(s, '}') : NULL;
        if (close) {
            for (uint32_t i = 0; i < p->nparams; i++) {
                const char *name = program_str(p, p->params[i].name);
                size_t len = strlen(name);
                if ((size_t)(close - s - 1) != len || strncmp(s + 1, name, len) != 0)
                    continue;
                const struct value *v = params ? &params[i] : &p->params[i].value;
                char text[512];
                size_t tlen;
                if (v->type == TYPE_TEXT && !v->unknown) {
                    tlen = v->as.text.len;
                    for (size_t k = 0; k < tlen; k++)
                        if (n + k + 1 < size)
                            buf[n + k] = v->as.text.ptr[k];
                } else {
                    tlen = value_format(v, text, sizeof text);
                    if (tlen >= sizeof text)
                        tlen = sizeof text - 1;
                    for (size_t k = 0; k < tlen; k++)
                        if (n + k + 1 < size)
                            buf[n + k] = text[k];
                }
                n += tlen;
                s = close;
                goto next;
            }
        }
        if (n + 1 < size)
            buf[n] = *s;
        n++;
    next:;
    }
    if (size > 0)
        buf[n < size ? n : size - 1] = '\0';
    return n;
}

size_t decision_reason(const struct program *p, const struct decision *d, char *buf, size_t size)
{
    return decision_reason_with(p, NULL, d, buf, size);
}

size_t rule_reason_with(const struct program *p, const struct value *params, uint32_t rule, char *buf, size_t size)
{
    return reason_interpolate(p, params, program_str(p, p->rules[rule].reason), buf, size);
}

size_t decision_reason_with(const struct program *p, const struct value *params, const struct decision *d, char *buf,
                            size_t size)
{
    if (size == 0)
        return 0;
    const char *rule_name = d->rule < p->nrules ? program_str(p, p->rules[d->rule].name) : "";
    int n;
    if (!d->unknown) {
        const char *reason = d->rule < p->nrules ? program_str(p, p->rules[d->rule].reason) : "";
        size_t full = reason_interpolate(p, params, reason, buf, size);
        return full < size ? full : size - 1;
    } else if (d->missing_fact < FACT__COUNT) {
        n = snprintf(buf, size,
                     "Needs review: rule '%s' depends on %s, which the record does not give.",
                     rule_name, fact_words[d->missing_fact]);
    } else if (d->missing_fact == FACT_RUN_DATE) {
        n = snprintf(buf, size,
                     "Needs review: rule '%s' measures time up to the run date, and this run has none "
                     "(give it with --as-of YYYY-MM-DD).",
                     rule_name);
    } else if (d->missing_fact == FACT_NO_PERIOD) {
        n = snprintf(buf, size,
                     "Needs review: rule '%s' depends on a parameter that has no value on the date it is "
                     "read at (the date falls outside every period the policy gives it).",
                     rule_name);
    } else if (d->missing_fact == FACT_NOT_IN_TABLE) {
        n = snprintf(buf, size,
                     "Needs review: rule '%s' looks up a citation that its table does not list.", rule_name);
    } else if (d->missing_fact == FACT_TOO_LONG) {
        n = snprintf(buf, size,
                     "Needs review: rule '%s' asks about the person's other convictions, and working that out "
                     "would take more than %u steps for this person (a very long history, or questions nested "
                     "deep in one another); review it by hand.",
                     rule_name, VM_STEPS_PER_PERSON);
    } else {
        n = snprintf(buf, size,
                     "Needs review: rule '%s' depends on a value the record does not give.",
                     rule_name);
    }
    if (n < 0) {
        buf[0] = '\0';
        return 0;
    }
    return (size_t)n < size ? (size_t)n : size - 1;
}

/* ---- files -------------------------------------------------------------------- */

bool output_is_same_file(const char *out_path, const char *in_path)
{
    if (!out_path || !in_path || strcmp(out_path, "-") == 0 || strcmp(in_path, "-") == 0)
        return false;
    if (strcmp(out_path, in_path) == 0)
        return true;
    struct stat out_st, in_st;
    return stat(out_path, &out_st) == 0 && stat(in_path, &in_st) == 0 &&
           out_st.st_dev == in_st.st_dev && out_st.st_ino == in_st.st_ino;
}

/* One CSV cell, quoted when a reader could otherwise misread it. */
static void out_cell(FILE *f, const char *s, size_t len)
{
    bool quote = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    putc('"', f);
    const char *end = s + len;
    while (s < end) {
        const char *q = memchr(s, '"', (size_t)(end - s));
        size_t n = q ? (size_t)(q - s) + 1 : (size_t)(end - s);
        fwrite(s, 1, n, f);
        if (q)
            putc('"', f);
        s += n;
    }
    putc('"', f);
}

static void out_cell_str(FILE *f, const char *s)
{
    out_cell(f, s, strlen(s));
}

/* A '#' line must stay one line whatever the policy's strings hold. */
static void out_comment(FILE *f, const char *key, const char *value)
{
    fprintf(f, "# %s: ", key);
    for (const char *s = value; *s; s++)
        putc(*s == '\n' || *s == '\r' ? ' ' : *s, f);
    putc('\n', f);
}

/* ---- decisions ---------------------------------------------------------------- */

/*
 * A row is built in memory and written with one call.  What follows the
 * disposition date (outcome, kind, reason, citation, rule) depends only on
 * the rule when the rule decided, so each rule's is built once and copied.
 */
struct decided_tail {
    char *text; /* NULL until the rule first decides */
    size_t len;
};

struct decisions_writer {
    struct out_file out;
    const struct program *p;
    const struct value *params; /* this run's parameter values, for reasons that name them */
    char *reason;        /* room for the longest "Needs review" sentence */
    size_t reason_size;
    char *line;          /* the row being written */
    size_t line_len, line_cap;
    struct decided_tail *tails; /* one per rule */
    bool eligible_column;       /* some rule names an `eligible from` date: one more column */
    const struct provenance *pv; /* the stamp, or NULL */
    enum decisions_format format;
    unsigned col;               /* the column being written */
    long hash_at;               /* where the input hash's placeholder starts; -1: none */
    bool hash_last;             /* the input hash goes on a last line */
    uint64_t rows;              /* written, for out_file_write_back */
};

/* "by NAME on DATE", or that there is none: printed on every output a court may see. */
static void approval_words(const struct program *p, char *buf, size_t size)
{
    const char *by;
    char date[16];
    if (program_approval(p, &by, date))
        snprintf(buf, size, "by %s on %s", by, date);
    else
        snprintf(buf, size, "none recorded (the policy has no 'approved by' line)");
}

static const char *program_authority(const struct program *p)
{
    return p->authority < p->ncitations ? p->citations[p->authority].text : "none given";
}

/* The '#' lines that say what produced the decisions file (its provenance). */
static void decisions_comments(struct decisions_writer *w, const char *in_path, const struct vm *vm)
{
    const struct program *p = w->p;
    const struct provenance *pv = w->pv;
    const struct value *params = vm ? vm->params : NULL;
    FILE *f = w->out.f;
    char date[16];
    date_format_iso(p->effective, date);
    out_comment(f, "policy", program_str(p, p->name));
    out_comment(f, "version", program_str(p, p->version));
    out_comment(f, "jurisdiction", program_str(p, p->jurisdiction));
    out_comment(f, "authority", program_authority(p));
    out_comment(f, "effective", date);
    {
        char approval[600];
        approval_words(p, approval, sizeof approval);
        out_comment(f, "approved", approval);
    }
    if (pv) {
        out_comment(f, "policy file", pv->policy_path);
        out_comment(f, "policy sha256", pv->policy_sha256[0] ? pv->policy_sha256 : "not computed: unreadable");
    }
    out_comment(f, "month end", p->month_end == DATE_ROUND_UP ? "a day the month lacks becomes the 1st of the next"
                                                             : "a day the month lacks becomes its last day");
    /* Every parameter's value in this run, so a list filed with a court shows what produced it. */
    for (uint32_t i = 0; params && i < p->nparams; i++) {
        char now[256], def[256], line[700];
        value_format(&params[i], now, sizeof now);
        value_format(&p->params[i].value, def, sizeof def);
        if (strcmp(now, def) == 0)
            snprintf(line, sizeof line, "%s = %s", program_str(p, p->params[i].name), now);
        else
            snprintf(line, sizeof line, "%s = %s (set for this run; the policy says %s)",
                     program_str(p, p->params[i].name), now, def);
        out_comment(f, "parameter", line);
    }
    if (vm) {
        char as_of[16];
        if (vm->as_of_known)
            date_format_iso(vm->as_of, as_of);
        out_comment(f, "as of", vm->as_of_known ? as_of : "none given");
    }
    out_comment(f, "input", strcmp(in_path, "-") == 0 ? "standard input" : in_path);
    if (pv) {
        if (!pv->hashing) {
            out_comment(f, "input sha256", provenance_input_hash(pv));
        } else if (w->out.seekable) {
            /* known at the end: patched into these spaces by decisions_commit */
            fputs("# input sha256: ", f);
            w->hash_at = ftell(f);
            fprintf(f, "%*s\n", PROVENANCE_HASH_WIDTH, "");
        } else {
            out_comment(f, "input sha256", "on the last line (the output is a stream)");
            w->hash_last = true;
        }
        out_comment(f, "lenity version", LENITY_VERSION);
    }
}

/* JSON Lines begins with the stamp, the input's hash patched in at the end like the '#' line's. */
static void decisions_json_stamp(struct decisions_writer *w)
{
    FILE *f = w->out.f;
    if (!w->pv)
        return;
    fputs("{\"provenance\": ", f);
    long start = ftell(f), at = -1;
    bool placeholder = w->pv->hashing && w->out.seekable;
    provenance_json(f, w->pv, NULL, placeholder, &at);
    fputs("}\n", f);
    if (placeholder && start >= 0 && at >= 0)
        w->hash_at = start + at;
    w->hash_last = w->pv->hashing && !placeholder;
}

struct decisions_writer *decisions_open(const char *out_path, const char *in_path,
                                        const struct program *p, const struct vm *vm,
                                        char *err, size_t errsize)
{
    return decisions_open_stamped(out_path, in_path, p, vm, NULL, DECISIONS_COMMENTED, err, errsize);
}

struct decisions_writer *decisions_open_stamped(const char *out_path, const char *in_path, const struct program *p,
                                                const struct vm *vm, const struct provenance *pv,
                                                enum decisions_format format, char *err, size_t errsize)
{
    const struct value *params = vm ? vm->params : NULL;
    (void)params;
    if (output_is_same_file(out_path, in_path)) {
        snprintf(err, errsize,
                 "%s: refusing to write the decisions over the input records (it is the same "
                 "file); choose a different output file", out_path);
        return NULL;
    }
    struct decisions_writer *w = calloc(1, sizeof *w);
    if (!w) {
        snprintf(err, errsize, "%s: out of memory", out_display(out_path));
        return NULL;
    }
    w->p = p;
    w->params = vm ? vm->params : NULL;
    w->pv = pv;
    w->format = format;
    w->hash_at = -1;
    size_t longest = 0;
    for (uint32_t i = 0; i < p->nrules; i++) {
        size_t n = strlen(program_str(p, p->rules[i].name));
        if (n > longest)
            longest = n;
    }
    size_t words = 0;
    for (int i = 0; i < FACT__COUNT; i++)
        if (strlen(fact_words[i]) > words)
            words = strlen(fact_words[i]);
    w->reason_size = longest + words + 128;
    w->reason = malloc(w->reason_size);
    if (!w->reason) {
        snprintf(err, errsize, "%s: out of memory", out_display(out_path));
        free(w);
        return NULL;
    }
    w->tails = calloc(p->nrules ? p->nrules : 1, sizeof *w->tails);
    if (!w->tails || !out_file_open(&w->out, out_path, err, errsize)) {
        if (!w->tails)
            snprintf(err, errsize, "%s: out of memory", out_display(out_path));
        free(w->tails);
        free(w->reason);
        free(w);
        return NULL;
    }
    FILE *f = w->out.f;
    if (format == DECISIONS_COMMENTED)
        decisions_comments(w, in_path, vm);
    else if (format == DECISIONS_JSONL)
        decisions_json_stamp(w);
    for (uint32_t i = 0; i < p->nrules; i++)
        if (p->rules[i].eligible_from != PROGRAM_NO_CONST)
            w->eligible_column = true;
    if (format != DECISIONS_JSONL)
        fprintf(f, "%s%s", w->eligible_column
                               ? "person_id,row,citation,level,disposition_date,outcome,outcome_kind,reason,citing,"
                                 "rule,eligible_from"
                               : "person_id,row,citation,level,disposition_date,outcome,outcome_kind,reason,citing,"
                                 "rule",
                format == DECISIONS_CSV ? "\r\n" : "\n");
    return w;
}

/* Room for n more bytes in the row; false when out of memory. */
static bool line_room(struct decisions_writer *w, size_t n)
{
    if (w->line_cap - w->line_len >= n)
        return true;
    size_t cap = w->line_cap ? w->line_cap : 512;
    while (cap - w->line_len < n)
        cap *= 2;
    char *grown = realloc(w->line, cap);
    if (!grown)
        return false;
    w->line = grown;
    w->line_cap = cap;
    return true;
}

static bool line_put(struct decisions_writer *w, const char *s, size_t len)
{
    if (!line_room(w, len))
        return false;
    memcpy(w->line + w->line_len, s, len);
    w->line_len += len;
    return true;
}

/* The columns, in order; also the keys of a JSON Lines row. */
static const char *const decisions_columns[] = {"person_id", "row", "citation", "level", "disposition_date",
                                                "outcome", "outcome_kind", "reason", "citing", "rule",
                                                "eligible_from"};
#define DECISIONS_COL_ROW 1u
#define DECISIONS_COL_RULE 9u

/* A JSON string's content (the quotes are the separators' business). */
static bool line_json(struct decisions_writer *w, const char *s, size_t len)
{
    if (!line_room(w, 6 * len)) /* at worst every byte is \u00XX */
        return false;
    char *out = w->line + w->line_len;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *out++ = '\\';
            *out++ = (char)c;
        } else if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            memcpy(out, "\\u00", 4);
            out[4] = hex[c >> 4];
            out[5] = hex[c & 15];
            out += 6;
        } else {
            *out++ = (char)c;
        }
    }
    w->line_len = (size_t)(out - w->line);
    return true;
}

/*
 * Between two columns: a comma in CSV; in JSON Lines the previous string's
 * closing quote, the next key, and the next string's opening quote (the row
 * number is a number), so an empty cell is "" rather than nothing.
 */
static bool line_sep(struct decisions_writer *w)
{
    if (w->format != DECISIONS_JSONL) {
        w->col++;
        return line_put(w, ",", 1);
    }
    char text[64];
    bool was_string = w->col != DECISIONS_COL_ROW;
    w->col++;
    bool is_string = w->col != DECISIONS_COL_ROW;
    int n = snprintf(text, sizeof text, "%s, \"%s\": %s", was_string ? "\"" : "", decisions_columns[w->col],
                     is_string ? "\"" : "");
    return line_put(w, text, (size_t)n);
}

static bool line_start(struct decisions_writer *w)
{
    return w->format != DECISIONS_JSONL || line_put(w, "{\"person_id\": \"", 15);
}

/* RFC 4180 ends --format csv's records with CRLF; the decisions file keeps its plain newlines. */
static bool line_end(struct decisions_writer *w)
{
    return w->format == DECISIONS_JSONL ? line_put(w, "\"}\n", 3)
           : w->format == DECISIONS_CSV ? line_put(w, "\r\n", 2)
                                        : line_put(w, "\n", 1);
}

/* One CSV cell, quoted when a reader could otherwise misread it (as out_cell writes it); JSON-escaped in JSON Lines. */
static bool line_cell(struct decisions_writer *w, const char *s, size_t len)
{
    if (w->format == DECISIONS_JSONL)
        return line_json(w, s, len);
    /* the bytes that make a cell need quotes; looked up for every byte, with no branch to mispredict */
    static const bool needs_quotes[256] = {[','] = true, ['"'] = true, ['\n'] = true, ['\r'] = true};
    bool quote = len > 0 && (s[0] == ' ' || s[0] == '\t' || s[len - 1] == ' ' || s[len - 1] == '\t');
    for (size_t i = 0; i < len; i++)
        quote |= needs_quotes[(unsigned char)s[i]];
    if (!quote)
        return line_put(w, s, len);
    /* at worst every byte is a quote, doubled, and two around */
    if (!line_room(w, 2 * len + 2))
        return false;
    char *out = w->line + w->line_len;
    *out++ = '"';
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            *out++ = '"';
        *out++ = s[i];
    }
    *out++ = '"';
    w->line_len = (size_t)(out - w->line);
    return true;
}

static bool line_cell_str(struct decisions_writer *w, const char *s)
{
    return line_cell(w, s, strlen(s));
}

static bool line_number(struct decisions_writer *w, uint64_t n)
{
    char digits[20];
    size_t k = sizeof digits;
    do {
        digits[--k] = (char)('0' + n % 10);
        n /= 10;
    } while (n > 0);
    return line_put(w, digits + k, sizeof digits - k);
}

/* The row from the outcome on: ",outcome,kind,reason,citing,rule"; the outcome is
 * "vacate and seal" when the rule that decided gives several. */
static bool line_decided(struct decisions_writer *w, const struct decision *d)
{
    const struct program *p = w->p;
    const struct program_rule *rule = d->rule < p->nrules ? &p->rules[d->rule] : NULL;
    bool ok = line_sep(w);
    uint32_t nactions = 0;
    const uint32_t *actions = !d->unknown && rule && d->outcome == rule->outcome
                                  ? program_rule_actions(p, rule, &nactions) : NULL;
    if (d->outcome < p->noutcomes && nactions > 1) {
        /* `then vacate and seal`: "vacate and seal" in the one cell */
        size_t need = program_join_actions(p, actions, nactions, NULL, 0);
        char *text = malloc(need + 1);
        if (!text)
            return false;
        program_join_actions(p, actions, nactions, text, need + 1);
        ok = ok && line_cell(w, text, need);
        free(text);
        ok = ok && line_sep(w) &&
             line_cell_str(w, outcome_kind_words((enum outcome_kind)p->outcomes[d->outcome].kind));
    } else if (d->outcome < p->noutcomes) {
        ok = ok && line_cell_str(w, program_str(p, p->outcomes[d->outcome].name)) && line_sep(w) &&
             line_cell_str(w, outcome_kind_words((enum outcome_kind)p->outcomes[d->outcome].kind));
    } else {
        ok = ok && line_sep(w);
    }
    ok = ok && line_sep(w);
    if (!ok)
        return false;
    if (!d->unknown && rule && !strchr(program_str(p, rule->reason), '{')) {
        /* Written from the program directly: a reason may be longer than any fixed buffer. */
        uint32_t s = rule->reason;
        if (s < p->nstrings && !line_cell(w, p->strings[s].ptr, p->strings[s].len))
            return false;
    } else if (!d->unknown && rule) {
        /* A reason naming parameters: grown once to the longest, then reused. */
        size_t need = reason_interpolate(p, w->params, program_str(p, rule->reason), w->reason, w->reason_size);
        if (need >= w->reason_size) {
            char *grown = realloc(w->reason, need + 1);
            if (!grown)
                return false;
            w->reason = grown;
            w->reason_size = need + 1;
            reason_interpolate(p, w->params, program_str(p, rule->reason), w->reason, w->reason_size);
        }
        if (!line_cell(w, w->reason, need))
            return false;
    } else {
        size_t n = decision_reason(p, d, w->reason, w->reason_size);
        if (!line_cell(w, w->reason, n))
            return false;
    }
    ok = line_sep(w);
    if (rule && rule->citation < p->ncitations)
        ok = ok && line_cell(w, p->citations[rule->citation].text, p->citations[rule->citation].len);
    ok = ok && line_sep(w);
    if (rule)
        ok = ok && line_cell_str(w, program_str(p, rule->name));
    return ok;
}

/* line_decided, copied from the rule's tail when the rule decided, built and kept the first time. */
static bool line_tail(struct decisions_writer *w, const struct decision *d)
{
    const struct program *p = w->p;
    bool by_rule = !d->unknown && d->rule < p->nrules && d->outcome == p->rules[d->rule].outcome;
    if (!by_rule)
        return line_decided(w, d);
    struct decided_tail *t = &w->tails[d->rule];
    if (t->text) {
        w->col = DECISIONS_COL_RULE; /* where the copied tail ends */
        return line_put(w, t->text, t->len);
    }
    size_t start = w->line_len;
    if (!line_decided(w, d))
        return false;
    t->len = w->line_len - start;
    t->text = malloc(t->len);
    if (t->text)
        memcpy(t->text, w->line + start, t->len);
    return true; /* without a copy, the next row builds it again */
}

bool decisions_write(struct decisions_writer *w, const struct person *person, uint32_t index,
                     const struct decision *d)
{
    if (index >= person->count)
        return false;
    const struct conviction *c = &person->convictions[index];
    w->line_len = 0;
    w->col = 0;
    bool ok = line_start(w) && line_cell(w, person_text(person, person->id), person->id.len) && line_sep(w) &&
              line_number(w, c->row) && line_sep(w);
    if (ok && (c->known & (1u << FACT_CITATION)))
        ok = line_cell(w, c->citation.text, c->citation.len);
    ok = ok && line_sep(w);
    if (ok && (c->known & (1u << FACT_LEVEL)))
        ok = line_cell_str(w, level_words((enum level)c->level));
    ok = ok && line_sep(w);
    if (ok && (c->known & (1u << FACT_DISPOSITION_DATE))) {
        char date[16];
        ok = line_put(w, date, date_format_iso(c->disposition_date, date));
    }
    ok = ok && line_tail(w, d);
    if (ok && w->eligible_column) {
        ok = line_sep(w);
        if (ok && d->has_eligible_from) {
            char date[16];
            ok = line_put(w, date, date_format_iso(d->eligible_from, date));
        }
    }
    ok = ok && line_end(w);
    if (!ok)
        return false;
    if ((++w->rows & 4095) == 0)
        out_file_write_back(&w->out);
    FILE *f = w->out.f;
    return fwrite(w->line, 1, w->line_len, f) == w->line_len && !ferror(f);
}

/* Frees what decisions_open allocated besides the file. */
static void decisions_free(struct decisions_writer *w)
{
    for (uint32_t i = 0; i < w->p->nrules; i++)
        free(w->tails[i].text);
    free(w->tails);
    free(w->line);
    free(w->reason);
    free(w);
}

/* The input's hash, now that it is known: into its placeholder, or on a last line. */
static bool decisions_stamp_hash(struct decisions_writer *w)
{
    if (!w->pv)
        return true;
    const char *hash = provenance_input_hash(w->pv);
    if (w->hash_last && w->format == DECISIONS_JSONL) {
        if (w->pv->input_sha256[0])
            return fprintf(w->out.f, "{\"input_sha256\": \"%s\"}\n", hash) > 0;
        fputs("{\"input_sha256\": null, \"input_sha256_note\": ", w->out.f);
        json_string(w->out.f, hash);
        return fputs("}\n", w->out.f) >= 0;
    }
    if (w->hash_last)
        return fprintf(w->out.f, "# input sha256: %s\n", hash) > 0;
    if (w->hash_at < 0)
        return true;
    char field[PROVENANCE_HASH_WIDTH + 1];
    snprintf(field, sizeof field, "%-*.*s", PROVENANCE_HASH_WIDTH, PROVENANCE_HASH_WIDTH, hash);
    return out_file_patch(&w->out, w->hash_at, field, PROVENANCE_HASH_WIDTH);
}

bool decisions_commit(struct decisions_writer *w, char *err, size_t errsize)
{
    if (!decisions_stamp_hash(w)) {
        snprintf(err, errsize, "%s: writing the input's checksum failed (%s); the file was not written",
                 out_display(w->out.path), strerror(errno));
        decisions_abort(w);
        return false;
    }
    bool ok = out_file_commit(&w->out, err, errsize);
    decisions_free(w);
    return ok;
}

void decisions_abort(struct decisions_writer *w)
{
    if (!w)
        return;
    out_file_abort(&w->out);
    decisions_free(w);
}

/* ---- summary ------------------------------------------------------------------- */

void totals_print(FILE *f, const struct program *p, const struct run_totals *t,
                  const char *input_name)
{
    totals_print_hashed(f, p, t, input_name, NULL);
}

void totals_print_hashed(FILE *f, const struct program *p, const struct run_totals *t, const char *input_name,
                         const char *input_hash)
{
    char date[16];
    date_format_iso(p->effective, date);
    fprintf(f, "policy: %s, version %s, %s; authority %s; effective %s\n",
            program_str(p, p->name), program_str(p, p->version),
            program_str(p, p->jurisdiction), program_authority(p), date);
    char approval[600];
    approval_words(p, approval, sizeof approval);
    fprintf(f, "approved: %s\n", approval);
    fprintf(f, "input: %s\n", input_name);
    if (input_hash)
        fprintf(f, "input sha256: %s\n", input_hash);

    uint64_t accounted = t->convictions_decided + t->rows_other + t->rows_rejected;
    if (t->rows_other > 0)
        fprintf(f, "rows read %" PRIu64 " %s %" PRIu64 " decided + %" PRIu64 " not convictions + %" PRIu64
                   " rejected\n",
                t->rows_read, accounted == t->rows_read ? "=" : "!=", t->convictions_decided, t->rows_other,
                t->rows_rejected);
    else
        fprintf(f, "rows read %" PRIu64 " %s %" PRIu64 " decided + %" PRIu64 " rejected\n",
                t->rows_read, accounted == t->rows_read ? "=" : "!=", t->convictions_decided,
                t->rows_rejected);
    if (accounted != t->rows_read) {
        fprintf(f, "ACCOUNTING ERROR: %" PRIu64 " rows were read but %" PRIu64
                   " were decided or rejected; some convictions may be missing from the "
                   "decisions or counted twice. Do not rely on this run's output.\n",
                t->rows_read, accounted);
    }
    fprintf(f, "people: %" PRIu64 "\n", t->people);

    int width = 0;
    for (uint32_t i = 0; i < p->noutcomes && i <= PROGRAM_MAX_OUTCOMES; i++) {
        int n = (int)strlen(program_str(p, p->outcomes[i].name));
        if (n > width)
            width = n > 40 ? 40 : n;
    }
    fputs("outcomes:\n", f);
    uint64_t sum = 0;
    for (uint32_t i = 0; i <= PROGRAM_MAX_OUTCOMES; i++) {
        uint64_t n = t->per_outcome[i];
        sum += n;
        if (i < p->noutcomes) {
            const struct program_outcome *o = &p->outcomes[i];
            fprintf(f, "  %-*s  %-10s %" PRIu64 "\n", width, program_str(p, o->name),
                    outcome_kind_words((enum outcome_kind)o->kind), n);
        } else if (n) {
            fprintf(f, "  (outcome #%u, not declared by the policy)  %" PRIu64 "\n", i, n);
        }
    }
    if (sum != t->convictions_decided) {
        fprintf(f, "ACCOUNTING ERROR: the outcome counts add up to %" PRIu64 ", not the %" PRIu64
                   " convictions decided. Do not rely on this run's output.\n",
                sum, t->convictions_decided);
    }
    fprintf(f, "reviews caused by missing facts: %" PRIu64 "\n", t->unknown_reviews);
    if (t->people_apart)
        fprintf(f, "people whose rows are not together: %" PRIu64 " (each part was judged as if it were the whole "
                   "history; sort the records by person and run again)\n",
                t->people_apart);
    if (t->people_apart_checked_to)
        fprintf(f, "people whose rows are not together: checked among the first %" PRIu64 " people only (past "
                   "3 million people lenity can check only records sorted by person id, and these are not); "
                   "sort the records by person id to have every person checked\n",
                t->people_apart_checked_to);
}

/* ---- rejects -------------------------------------------------------------------- */

struct rejects {
    struct out_file out; /* out.f NULL: report on stderr */
    char *input;
    uint64_t count;
};

struct rejects *rejects_open(const char *path, char *err, size_t errsize)
{
    struct rejects *r = calloc(1, sizeof *r);
    if (!r) {
        snprintf(err, errsize, "out of memory");
        return NULL;
    }
    if (path) {
        if (!out_file_open(&r->out, path, err, errsize)) {
            free(r);
            return NULL;
        }
        fputs("row,reason\n", r->out.f);
    }
    return r;
}

void rejects_set_input(struct rejects *r, const char *name)
{
    char *copy = strdup(name);
    if (!copy)
        return; /* keeps the previous name: a worse message, not a lost rejection */
    free(r->input);
    r->input = copy;
}

void rejects_add(void *ctx, uint64_t row, const char *reason)
{
    struct rejects *r = ctx;
    if (!r)
        return;
    if (r->out.f) {
        fprintf(r->out.f, "%" PRIu64 ",", row);
        out_cell_str(r->out.f, reason);
        putc('\n', r->out.f);
    } else if (r->count < REJECTS_SHOWN) {
        fprintf(stderr, "%s row %" PRIu64 ": %s\n", r->input ? r->input : "input", row, reason);
    }
    r->count++;
}

uint64_t rejects_count(const struct rejects *r)
{
    return r->count;
}

bool rejects_close(struct rejects *r, bool commit, char *err, size_t errsize)
{
    if (!r)
        return true;
    bool ok = true;
    if (r->out.f) {
        if (commit)
            ok = out_file_commit(&r->out, err, errsize);
        else
            out_file_abort(&r->out);
    } else if (r->count > REJECTS_SHOWN) {
        fprintf(stderr,
                "%s: %" PRIu64 " rows rejected in all; the %" PRIu64
                " not shown above can be listed by writing the rejects to a file\n",
                r->input ? r->input : "input", r->count, r->count - REJECTS_SHOWN);
    }
    free(r->input);
    free(r);
    return ok;
}
