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
