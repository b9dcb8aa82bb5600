/*
 * program.c - creating and releasing a struct program.
 *
 * program_free() must work on whatever the loader or the compiler had
 * built when it stopped, so every count covers exactly the elements that
 * were completed, and everything past a count is never touched.
 */
#include "program.h"

#include <stdlib.h>
#include <string.h>

/*
 * Everything is zero except `authority`: a zero there would name citation 0,
 * which a policy without an authority does not have.
 */
void program_init(struct program *p)
{
    memset(p, 0, sizeof *p);
    p->authority = PROGRAM_NO_CONST;
    p->column_scope = PROGRAM_NO_CONST;
    p->approved_by = PROGRAM_NO_STRING;
}

void program_free(struct program *p)
{
    if (p == NULL)
        return;
    if (p->strings != NULL) {
        for (uint32_t i = 0; i < p->nstrings; i++)
            free((char *)p->strings[i].ptr);
    }
    if (p->sets != NULL) {
        for (uint32_t i = 0; i < p->nsets; i++)
            citation_set_free(&p->sets[i].table);
    }
    free(p->strings);
    free(p->citations);
    free(p->consts);
    free(p->sets);
    free(p->params);
    free(p->outcomes);
    free(p->rules);
    free(p->actions);
    free(p->functions);
    free(p->code);
    free(p->lines);
    free(p->examples);
    free(p->columns);
    for (uint32_t i = 0; p->tables && i < p->ntables; i++) {
        citation_set_free(&p->tables[i].keys);
        free(p->tables[i].values);
    }
    free(p->tables);
    free(p->periods);
    free(p->notes);
    free(p->example_convictions);
    program_init(p);
}

static const uint32_t *action_list(const struct program *p, uint32_t first, uint32_t count, const uint32_t *one,
                                   uint32_t *n)
{
    if (count > 0 && p->actions && count <= p->nactions && first <= p->nactions - count) {
        *n = count;
        return &p->actions[first];
    }
    *n = 1;
    return one;
}

const uint32_t *program_rule_actions(const struct program *p, const struct program_rule *r, uint32_t *n)
{
    return action_list(p, r->first_action, r->nactions, &r->outcome, n);
}

const uint32_t *program_expected_actions(const struct program *p, const struct program_example_conviction *c,
                                         uint32_t *n)
{
    return action_list(p, c->expect_first_action, c->expect_nactions, &c->expect_outcome, n);
}

size_t program_join_actions(const struct program *p, const uint32_t *list, uint32_t n, char *out, size_t size)
{
    size_t len = 0;
    for (uint32_t i = 0; i < n; i++) {
        const char *name = list[i] < p->noutcomes ? program_str(p, p->outcomes[list[i]].name) : "?";
        const char *parts[2] = {i > 0 ? " and " : "", name};
        for (int k = 0; k < 2; k++) {
            size_t m = strlen(parts[k]);
            if (len < size) {
                size_t room = size - len - 1 < m ? size - len - 1 : m;
                memcpy(out + len, parts[k], room);
                out[len + room] = '\0';
            }
            len += m;
        }
    }
    if (size > 0 && n == 0)
        out[0] = '\0';
    return len;
}

bool program_approval(const struct program *p, const char **by, char on[16])
{
    if (p->approved_by == PROGRAM_NO_STRING || p->approved_by >= p->nstrings)
        return false;
    *by = program_str(p, p->approved_by);
    date_format_iso(p->approved_on, on);
    return true;
}
