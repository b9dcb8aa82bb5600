/*
 * disasm.c - the EXPLAIN-style listing (SQLite's EXPLAIN, libpcap's
 * bpf_image): each instruction's synopsis from opcode_list.h with its
 * operand replaced by a name a reviewer recognises.
 *
 * It reads programs that may not have been verified (a listing is how a
 * bad one gets debugged), so every table lookup is range-checked here.
 */
#include "disasm.h"

#include <inttypes.h>
#include <string.h>

#include "person.h"

static const char *const fact_names[FACT__COUNT] = {
#define FACT(id, owner, name, type, words) name,
#include "fact_list.h"
#undef FACT
};

static const char *month_end_words(uint8_t rule)
{
    switch (rule) {
    case DATE_ROUND_DOWN:
        return "round down (a day the month lacks becomes its last day)";
    case DATE_ROUND_UP:
        return "round up (a day the month lacks becomes the first of the next month)";
    }
    return "invalid";
}

static const char *kind_heading(uint8_t kind)
{
    switch (kind) {
    case FUNCTION_MAIN:
        return "main";
    case FUNCTION_CONDITION:
        return "condition of any/count";
    case FUNCTION_DATE_OF:
        return "date of latest/earliest";
    case FUNCTION_COLUMN:
        return "output column";
    case FUNCTION_TEXT_OF:
        return "texts of a join";
    case FUNCTION_COLUMN_SCOPE:
        return "which convictions get output columns";
    case FUNCTION_ELIGIBLE_FROM:
        return "the date a rule's decision is eligible from";
    case FUNCTION_ROW_COLUMN:
        return "output column on every row";
    }
    return "unknown kind";
}

static const char *outcome_name(const struct program *p, uint32_t o)
{
    return o < p->noutcomes ? program_str(p, p->outcomes[o].name) : "(no such outcome)";
}

static const char *rule_name(const struct program *p, uint32_t r)
{
    return r < p->nrules ? program_str(p, p->rules[r].name) : "(no such rule)";
}

/* Long texts are cut so that one row stays one line. */
static void format_value(const struct value *v, char *buf, size_t size)
{
    size_t n = value_format(v, buf, size);
    if (n >= size && size > 4)
        memcpy(buf + size - 4, "...", 4);
}

/* The name that replaces %s in the synopsis. */
static void operand_name(const struct program *p, const struct insn *in, enum operand_kind kind, char *buf,
                         size_t size)
{
    switch (kind) {
    case OPERAND_NONE:
        buf[0] = '\0';
        return;
    case OPERAND_CONST:
        if (in->c < p->nconsts)
            format_value(&p->consts[in->c], buf, size);
        else
            snprintf(buf, size, "constant %" PRIu32 " (no such constant)", in->c);
        return;
    case OPERAND_PARAM:
        if (in->c < p->nparams)
            snprintf(buf, size, "%s", program_str(p, p->params[in->c].name));
        else
            snprintf(buf, size, "%" PRIu32 " (no such parameter)", in->c);
        return;
    case OPERAND_FACT:
        if (in->c < FACT__COUNT)
            snprintf(buf, size, "%s", fact_names[in->c]);
        else
            snprintf(buf, size, "fact %" PRIu32 " (no such fact)", in->c);
        return;
    case OPERAND_TYPE:
        snprintf(buf, size, "%s", in->a < TYPE__COUNT ? value_type_words(in->a) : "(no such type)");
        return;
    case OPERAND_SET:
        if (in->c < p->nsets)
            snprintf(buf, size, "%s", program_str(p, p->sets[in->c].name));
        else
            snprintf(buf, size, "%" PRIu32 " (no such set)", in->c);
        return;
    case OPERAND_FUNCTION:
        snprintf(buf, size, "function %" PRIu32 "%s%s%s%s%s", in->c,
                 in->a & AGG_SKIP_DECIDED ? ", leaving out the conviction being decided" : "",
                 in->a & AGG_SAME_CASE ? ", in the same case" : "",
                 in->a & AGG_SAME_CYCLE ? ", in the same arrest cycle" : "",
                 in->a & AGG_CHARGES ? ", over every charge" : "",
                 in->a & AGG_DISTINCT ? ", each text once" : "");
        return;
    case OPERAND_RULE:
    case OPERAND_RULE_JUMP:
        snprintf(buf, size, "%s", rule_name(p, in->b));
        return;
    case OPERAND_JUMP:
        snprintf(buf, size, "%04" PRIu32, in->c);
        return;
    case OPERAND_TABLE:
        if (in->c < p->ntables)
            snprintf(buf, size, "%s", program_str(p, p->tables[in->c].name));
        else
            snprintf(buf, size, "%" PRIu32 " (no such table)", in->c);
        return;
    case OPERAND_OUTCOME:
        if (in->c < p->noutcomes)
            snprintf(buf, size, "%s", program_str(p, p->outcomes[in->c].name));
        else
            snprintf(buf, size, "%" PRIu32 " (no such outcome)", in->c);
        return;
    }
    buf[0] = '\0';
}

/* Copies the synopsis with its one %s replaced; never a printf format. */
static void fill_synopsis(const char *synopsis, const char *name, char *buf, size_t size)
{
    const char *hole = strstr(synopsis, "%s");
    if (hole == NULL) {
        snprintf(buf, size, "%s", synopsis);
        return;
    }
    snprintf(buf, size, "%.*s%s%s", (int)(hole - synopsis), synopsis, name, hole + 2);
}

static void print_insn(FILE *out, const struct program *p, uint32_t pc)
{
    const struct insn *in = &p->code[pc];
    const struct opcode_info *info = opcode_describe(in->op);
    char name[160], comment[512];

    operand_name(p, in, info->operand, name, sizeof name);
    fill_synopsis(info->synopsis, name, comment, sizeof comment);
    fprintf(out, "%04" PRIu32 "  %-14s%-3u %-3u %-6" PRIu32 " %s", pc, info->name, (unsigned)in->a,
            (unsigned)in->b, in->c, comment);
    if (in->op == OP_TEST_RULE)
        fprintf(out, "; else jump to %04" PRIu32, in->c);
    if (p->lines != NULL)
        fprintf(out, "  ; line %" PRIu32, p->lines[pc]);
    fputc('\n', out);
}

static void print_rule_heading(FILE *out, const struct program *p, uint32_t r)
{
    if (r >= p->nrules) {
        fprintf(out, "-- rule %" PRIu32 " (no such rule)\n", r);
        return;
    }
    const struct program_rule *rule = &p->rules[r];
    fprintf(out, "-- rule %s (line %" PRIu32 ") -> %s\n", program_str(p, rule->name), rule->line,
            outcome_name(p, rule->outcome));
}

/*
 * Main's code is the rules in order: each rule's condition followed by its
 * TEST_RULE (the last rule, `otherwise`, by DECIDE).  A rule's heading goes
 * where its code starts: at the start of main, or right after the previous
 * rule's TEST_RULE.
 */
static void print_function(FILE *out, const struct program *p, uint32_t fn)
{
    const struct program_function *f = &p->functions[fn];
    uint32_t start = f->start < p->ncode ? f->start : p->ncode;
    uint32_t end = f->len <= p->ncode - start ? start + f->len : p->ncode;

    fprintf(out, "-- function %" PRIu32 " (%s)\n", fn, kind_heading(f->kind));
    for (uint32_t pc = start; pc < end; pc++) {
        bool rule_starts = f->kind == FUNCTION_MAIN && (pc == start || p->code[pc - 1].op == OP_TEST_RULE);
        if (rule_starts) {
            for (uint32_t k = pc; k < end; k++) {
                if (p->code[k].op == OP_TEST_RULE || p->code[k].op == OP_DECIDE) {
                    print_rule_heading(out, p, p->code[k].b);
                    break;
                }
            }
        }
        print_insn(out, p, pc);
    }
}

/* Column width for a list of names, so the kinds and values line up. */
static int widen(const struct program *p, uint32_t name, int w)
{
    size_t len = strlen(program_str(p, name));
    if (len > 40)
        len = 40;
    return (int)len > w ? (int)len : w;
}

void disasm_program(FILE *out, const struct program *p)
{
    char buf[160];

    fprintf(out, "policy        %s\n", program_str(p, p->name));
    fprintf(out, "version       %s\n", program_str(p, p->version));
    const char *approved_by;
    char approved_on[16];
    if (program_approval(p, &approved_by, approved_on)) {
        fprintf(out, "approved      by %s on %s\n", approved_by, approved_on);
    } else {
        fprintf(out, "approved      none recorded\n");
    }
    fprintf(out, "jurisdiction  %s\n", program_str(p, p->jurisdiction));
    fprintf(out, "authority     %s\n", p->authority < p->ncitations ? p->citations[p->authority].text : "none");
    date_format_iso(p->effective, buf);
    fprintf(out, "effective     %s\n", buf);
    fprintf(out, "month end     %s\n", month_end_words(p->month_end));
    fprintf(out, "source        %s (crc32 0x%08" PRIx32 ")\n", program_str(p, p->source_name), p->source_hash);

    int w = 0;
    for (uint32_t i = 0; i < p->noutcomes; i++)
        w = widen(p, p->outcomes[i].name, w);
    fprintf(out, "\noutcomes\n");
    for (uint32_t i = 0; i < p->noutcomes; i++) {
        const struct program_outcome *o = &p->outcomes[i];
        fprintf(out, "  %-3" PRIu32 " %-*s  %s%s\n", i, w, program_str(p, o->name),
                outcome_kind_words((enum outcome_kind)o->kind),
                i == p->review_outcome ? " (when a condition is unknown)" : "");
    }

    if (p->nparams > 0) {
        w = 0;
        for (uint32_t i = 0; i < p->nparams; i++)
            w = widen(p, p->params[i].name, w);
        fprintf(out, "\nparameters\n");
        for (uint32_t i = 0; i < p->nparams; i++) {
            const struct program_param *pa = &p->params[i];
            format_value(&pa->value, buf, sizeof buf);
            fprintf(out, "  %-3" PRIu32 " %-*s  %s = %s%s\n", i, w, program_str(p, pa->name),
                    pa->value.type < TYPE__COUNT ? value_type_words(pa->value.type) : "(no such type)",
                    pa->nperiods ? "(by date)" : buf, pa->nperiods ? ":" : "");
            for (uint32_t k = 0; k < pa->nperiods && pa->first_period + k < p->nperiods; k++) {
                const struct program_period *per = &p->periods[pa->first_period + k];
                char from[16] = "", until[16] = "";
                if (per->value < p->nconsts)
                    format_value(&p->consts[per->value], buf, sizeof buf);
                else
                    snprintf(buf, sizeof buf, "(no such constant)");
                if (per->from != INT32_MIN)
                    date_format_iso(per->from, from);
                if (per->until != INT32_MAX)
                    date_format_iso(per->until, until);
                char when[48];
                if (*from && *until)
                    snprintf(when, sizeof when, "from %s until %s", from, until);
                else if (*from)
                    snprintf(when, sizeof when, "from %s", from);
                else if (*until)
                    snprintf(when, sizeof when, "until %s", until);
                else
                    snprintf(when, sizeof when, "at every date");
                fprintf(out, "      %*s  %-24s %s\n", w, "", buf, when);
            }
        }
    }

    if (p->nsets > 0) {
        fprintf(out, "\nsets\n");
        for (uint32_t i = 0; i < p->nsets; i++) {
            const struct citation_set *t = &p->sets[i].table;
            fprintf(out, "  %-3" PRIu32 " %s (%" PRIu32 " %s)\n", i, program_str(p, p->sets[i].name), t->count,
                    t->count == 1 ? "entry" : "entries");
            for (uint32_t k = 0; k < t->count; k++) {
                const struct citation *c = &t->entries[k];
                fprintf(out, "        %s%s%s\n", c->text, c->flags & CITATION_ATTEMPT ? " (attempt)" : "",
                        c->flags & CITATION_CONSPIRACY ? " (conspiracy)" : "");
            }
        }
    }

    if (p->nrules > 0) {
        w = 0;
        for (uint32_t i = 0; i < p->nrules; i++)
            w = widen(p, p->rules[i].name, w);
        fprintf(out, "\nrules\n");
        for (uint32_t i = 0; i < p->nrules; i++) {
            const struct program_rule *r = &p->rules[i];
            fprintf(out, "  %-3" PRIu32 " %-*s  line %-5" PRIu32 " -> %s", i, w, program_str(p, r->name), r->line,
                    outcome_name(p, r->outcome));
            uint32_t nactions;
            const uint32_t *actions = program_rule_actions(p, r, &nactions);
            for (uint32_t k = 1; k < nactions; k++)
                fprintf(out, " and %s", outcome_name(p, actions[k]));
            if (r->citation < p->ncitations)
                fprintf(out, "  (%s)", p->citations[r->citation].text);
            if (r->eligible_from != PROGRAM_NO_CONST)
                fprintf(out, "  eligible from: function %" PRIu32, r->eligible_from);
            fputc('\n', out);
        }
    }

    fprintf(out, "\naddr  opcode        a   b   c      comment\n");
    for (uint32_t fn = 0; fn < p->nfunctions; fn++)
        print_function(out, p, fn);
}
