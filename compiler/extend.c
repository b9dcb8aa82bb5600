/*
 * extend.c - `extends`: a county policy is a few lines on top of the
 * state's.  The parent is loaded and merged first; the child's
 * declarations then apply on top of it, in the child's order.
 */
#include "extend.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parse.h"

static int find_named(const struct name_index *ix, const char *name)
{
    return (int)name_index_get(ix, name);
}

static int find_rule(const struct merged_policy *m, const char *name)
{
    return find_named(&m->rule_index, name);
}

/* Appends a declaration to its list and records its place under its name. */
static void push_named(struct arena *a, struct ptrvec *v, struct name_index *ix, const char *name, void *decl)
{
    ptrvec_push(a, v, decl);
    name_index_put(a, ix, name, v->len - 1);
}

/* Inserts a rule at `at`: the rules after it move one place down, so their places are recorded again. */
static void insert_rule(struct merged_policy *m, struct arena *a, size_t at, struct rule_decl *r)
{
    ptrvec_insert(a, &m->rules, at, r);
    for (size_t k = at; k < m->rules.len; k++) {
        const struct rule_decl *moved = m->rules.items[k];
        if (!moved->is_otherwise)
            name_index_put(a, &m->rule_index, moved->name, k);
    }
}

static const char *inherit_hint(struct arena *a, const char *what, const char *name)
{
    char buf[256];
    snprintf(buf, sizeof buf, "write 'override %s %s = ...' to change the value this policy inherits", what, name);
    return arena_strdup(a, buf);
}

static void merge_outcome(struct merged_policy *m, struct outcome_decl *d, struct arena *a, struct diag *diag)
{
    int at = find_named(&m->outcome_index, d->name);
    if (at >= 0) {
        struct outcome_decl *old = m->outcomes.items[at];
        diag_report(diag, DIAG_ERROR, &d->loc, "each outcome is declared once; use the existing one",
                    "the outcome '%s' is already declared (at %s:%d)", d->name, old->loc.src->path, old->loc.line);
        return;
    }
    push_named(a, &m->outcomes, &m->outcome_index, d->name, d);
}

static void merge_param(struct merged_policy *m, struct param_decl *d, bool has_parent, struct arena *a,
                        struct diag *diag)
{
    int at = find_named(&m->param_index, d->name);
    if (d->override) {
        /* Without a parent there is nothing to override, even a parameter declared earlier in this file. */
        if (at < 0 || !has_parent) {
            const char *names[260];
            size_t n = 0;
            for (size_t i = 0; i < m->params.len && n + 1 < 260; i++)
                names[n++] = ((struct param_decl *)m->params.items[i])->name;
            names[n] = NULL;
            const char *best = has_parent ? diag_closest(d->name, names) : NULL;
            char hint[512];
            if (best) {
                snprintf(hint, sizeof hint, "did you mean '%s'? Only a parameter of the policy this one extends "
                         "can be overridden", best);
            } else if (has_parent && n > 0) {
                size_t used = (size_t)snprintf(hint, sizeof hint, "the parameters that can be overridden are:");
                for (size_t i = 0; i < n && used < sizeof hint; i++)
                    used += (size_t)snprintf(hint + used, sizeof hint - used, "%s %s", i ? "," : "", names[i]);
                if (used < sizeof hint)
                    snprintf(hint + used, sizeof hint - used, "; drop 'override' to declare a new one");
            } else {
                snprintf(hint, sizeof hint, "%s",
                         has_parent ? "only a parameter of the policy this one extends can be overridden; "
                                      "drop 'override' to declare a new one"
                                    : "'override' is for a policy that extends another; drop it here");
            }
            diag_report(diag, DIAG_ERROR, &d->loc, hint, "there is no parameter '%s' to override", d->name);
            return;
        }
        struct param_decl *old = m->params.items[at];
        if (old->value->kind != d->value->kind) {
            diag_report(diag, DIAG_ERROR, &d->value->loc, "an override keeps the kind of value the parameter has",
                        "the parameter '%s' holds a different kind of value in %s:%d", d->name,
                        old->loc.src->path, old->loc.line);
            return;
        }
        m->params.items[at] = d;
        return;
    }
    if (at >= 0) {
        struct param_decl *old = m->params.items[at];
        diag_report(diag, DIAG_ERROR, &d->loc, inherit_hint(a, "parameter", d->name),
                    "the parameter '%s' is already declared (at %s:%d)", d->name, old->loc.src->path,
                    old->loc.line);
        return;
    }
    push_named(a, &m->params, &m->param_index, d->name, d);
}

static void merge_set(struct merged_policy *m, struct set_decl *d, bool has_parent, struct arena *a,
                      struct diag *diag)
{
    int at = find_named(&m->set_index, d->name);
    if (d->override) {
        if (at < 0 || !has_parent) {
            diag_report(diag, DIAG_ERROR, &d->loc,
                        has_parent ? "drop 'override' to declare a new set"
                                   : "'override' is for a policy that extends another; drop it here",
                        "there is no set '%s' to override", d->name);
            return;
        }
        m->sets.items[at] = d;
        return;
    }
    if (at >= 0) {
        struct set_decl *old = m->sets.items[at];
        diag_report(diag, DIAG_ERROR, &d->loc, inherit_hint(a, "set", d->name),
                    "the set '%s' is already declared (at %s:%d)", d->name, old->loc.src->path, old->loc.line);
        return;
    }
    push_named(a, &m->sets, &m->set_index, d->name, d);
}

static void merge_rule(struct merged_policy *m, struct rule_decl *r, struct arena *a, struct diag *diag)
{
    size_t n = m->rules.len;
    bool has_otherwise = n > 0 && ((struct rule_decl *)m->rules.items[n - 1])->is_otherwise;
    if (r->is_otherwise) {
        struct rule_decl *old = has_otherwise ? m->rules.items[n - 1] : NULL;
        if (old && old->loc.src == r->loc.src) {
            diag_report(diag, DIAG_ERROR, &r->loc, "a policy has one final rule; remove one of them",
                        "this policy already has an 'otherwise' (at line %d)", old->loc.line);
            return;
        }
        if (has_otherwise)
            m->rules.items[n - 1] = r;
        else
            ptrvec_push(a, &m->rules, r);
        return;
    }
    int existing = find_rule(m, r->name);
    if (r->placement == PLACE_REPLACE) {
        if (existing < 0) {
            diag_report(diag, DIAG_ERROR, &r->loc, "'replace rule' names a rule of the policy this one extends",
                        "there is no rule '%s' to replace", r->name);
            return;
        }
        m->rules.items[existing] = r;
        name_index_put(a, &m->rule_index, r->name, (size_t)existing);
        return;
    }
    if (existing >= 0) {
        struct rule_decl *old = m->rules.items[existing];
        diag_report(diag, DIAG_ERROR, &r->loc,
                    old->loc.src == r->loc.src
                        ? "give one of the two rules another name: each rule has its own name"
                        : "give the rule another name, or write 'replace rule' to change the rule this policy "
                          "inherits",
                    "a rule named '%s' already exists (at %s:%d)", r->name, old->loc.src->path, old->loc.line);
        return;
    }
    if (r->placement == PLACE_BEFORE || r->placement == PLACE_AFTER) {
        int anchor = find_rule(m, r->anchor);
        if (anchor < 0) {
            diag_report(diag, DIAG_ERROR, &r->anchor_loc, NULL, "there is no rule '%s' to place this rule %s",
                        r->anchor, r->placement == PLACE_BEFORE ? "before" : "after");
            return;
        }
        insert_rule(m, a, (size_t)anchor + (r->placement == PLACE_AFTER ? 1 : 0), r);
        return;
    }
    /* A new rule goes after the rules already there, but never after `otherwise`. */
    insert_rule(m, a, has_otherwise ? n - 1 : n, r);
}

static bool file_exists(const char *path)
{
    return access(path, R_OK) == 0;
}

/* Relative to the including file's folder and each folder above it, then to -I folders. */
static bool resolve_extends(const char *from, const char *name, const struct extend_options *opts, char *out,
                            size_t outsize)
{
    if (name[0] == '/') {
        snprintf(out, outsize, "%s", name);
        return file_exists(out);
    }
    char dir[PATH_MAX];
    snprintf(dir, sizeof dir, "%s", from);
    for (;;) {
        char *slash = strrchr(dir, '/');
        if (!slash)
            break;
        *slash = '\0';
        int n = snprintf(out, outsize, "%s/%s", dir[0] ? dir : "/", name);
        if (n > 0 && (size_t)n < outsize && file_exists(out))
            return true;
    }
    snprintf(out, outsize, "%s", name);
    if (file_exists(out))
        return true;
    for (int i = 0; opts && i < opts->ninclude_dirs; i++) {
        int n = snprintf(out, outsize, "%s/%s", opts->include_dirs[i], name);
        if (n > 0 && (size_t)n < outsize && file_exists(out))
            return true;
    }
    return false;
}

static bool extend_load_depth(const char *path, const struct extend_options *opts, struct arena *arena,
                              struct diag *diag, struct compile_sources *sources, struct merged_policy *out,
                              int depth, const struct loc *from_loc, char (*chain)[PATH_MAX],
                              const char *text)
{
    char real[PATH_MAX];
    if (!realpath(path, real))
        snprintf(real, sizeof real, "%s", path);
    for (int i = 0; i < depth; i++) {
        if (strcmp(chain[i], real) == 0) {
            if (i == depth - 1)
                diag_report(diag, DIAG_ERROR, from_loc, "remove this 'extends' line, or name the policy this one "
                            "builds on", "this policy extends itself");
            else
                diag_report(diag, DIAG_ERROR, from_loc,
                            "a policy cannot extend itself, directly or through others: remove one of the 'extends' "
                            "lines",
                            "this 'extends' leads back to a policy that extends this one, so the policies extend "
                            "each other in a circle");
            return false;
        }
    }
    if (depth > EXTEND_MAX_DEPTH || sources->count >= EXTEND_MAX_DEPTH + 1) {
        diag_report(diag, DIAG_ERROR, from_loc, "flatten the chain of policies",
                    "policies extend each other more than %d deep", EXTEND_MAX_DEPTH);
        return false;
    }
    snprintf(chain[depth], PATH_MAX, "%s", real);

    char err[512];
    snprintf(err, sizeof err, "%s: out of memory", path);
    struct source *src = text ? source_from_text(path, text, strlen(text)) : source_load(path, err, sizeof err);
    if (!src) {
        if (from_loc)
            diag_report(diag, DIAG_ERROR, from_loc, NULL, "%s", err);
        else
            diag_plain(diag, "%s", err);
        return false;
    }
    sources->items[sources->count++] = src;
    struct policy *p = parse_policy(src, arena, diag);
    if (!p)
        return false;

    bool has_parent = p->extends != NULL;
    if (has_parent) {
        char parent_path[PATH_MAX];
        if (!resolve_extends(path, p->extends, opts, parent_path, sizeof parent_path)) {
            diag_report(diag, DIAG_ERROR, &p->extends_loc,
                        "check the spelling of the file name; it is looked for in this file's folder, the folders "
                        "above it, and any folder given with -I",
                        "cannot find the policy '%s' that this policy extends", p->extends);
            return false;
        }
        if (!extend_load_depth(parent_path, opts, arena, diag, sources, out, depth + 1, &p->extends_loc, chain, NULL))
            return false;
        out->examples.len = 0; /* the parent's examples test the parent, not this policy */
    }

    struct policy *h = &out->header;
    h->loc = p->loc;
    h->name = p->name;
    if (p->jurisdiction)
        h->jurisdiction = p->jurisdiction;
    if (p->authority) {
        h->authority = p->authority;
        h->authority_loc = p->authority_loc;
    }
    if (p->version)
        h->version = p->version;
    /* an approval is of the file that states it: a parent's does not carry over */
    h->approved_by = p->approved_by;
    h->approved_on = p->approved_on;
    if (p->has_effective) {
        h->effective = p->effective;
        h->has_effective = true;
    }
    if (p->has_month_end) {
        h->month_end = p->month_end;
        h->has_month_end = true;
    }
    out->main_source = src;

    for (size_t i = 0; i < p->decls.len; i++) {
        struct decl *d = p->decls.items[i];
        switch (d->kind) {
        case DECL_OUTCOME:
            merge_outcome(out, d->u.outcome, arena, diag);
            break;
        case DECL_PARAM:
            merge_param(out, d->u.param, has_parent, arena, diag);
            break;
        case DECL_SET:
            merge_set(out, d->u.set, has_parent, arena, diag);
            break;
        case DECL_TABLE: {
            /* like a set: declared once, or overridden by a policy that extends the one declaring it */
            struct table_decl *t = d->u.table;
            int found = find_named(&out->table_index, t->name);
            size_t k = found >= 0 ? (size_t)found : out->tables.len;
            if (k < out->tables.len && t->override)
                out->tables.items[k] = t;
            else if (k < out->tables.len)
                diag_report(diag, DIAG_ERROR, &t->loc, inherit_hint(arena, "table", t->name),
                            "the table '%s' is already declared (at %s:%d)", t->name,
                            ((struct table_decl *)out->tables.items[k])->loc.src->path,
                            ((struct table_decl *)out->tables.items[k])->loc.line);
            else if (t->override)
                diag_report(diag, DIAG_ERROR, &t->loc, "drop 'override' to declare a new table",
                            "there is no table '%s' to override", t->name);
            else
                push_named(arena, &out->tables, &out->table_index, t->name, t);
            break;
        }
        case DECL_RULE:
            if (!has_parent && d->u.rule->placement == PLACE_REPLACE) {
                diag_report(diag, DIAG_ERROR, &d->u.rule->loc, "'replace rule' is for a policy that extends another",
                            "there is no rule '%s' to replace", d->u.rule->name);
                break;
            }
            merge_rule(out, d->u.rule, arena, diag);
            break;
        case DECL_EXAMPLE:
            ptrvec_push(arena, &out->examples, d->u.example);
            break;
        case DECL_COLUMN: {
            /* A column of the same name replaces the inherited one in its place. */
            struct column_decl *c = d->u.column;
            int found = find_named(&out->column_index, c->name);
            size_t k = found >= 0 ? (size_t)found : out->columns.len;
            if (k < out->columns.len) {
                struct column_decl *old = out->columns.items[k];
                if (old->loc.src == c->loc.src)
                    diag_report(diag, DIAG_ERROR, &c->loc, "give each column its own name",
                                "this policy already has a column \"%s\" (at line %d)", c->name, old->loc.line);
                else
                    out->columns.items[k] = c;
            } else {
                push_named(arena, &out->columns, &out->column_index, c->name, c);
            }
            break;
        }
        case DECL_COLUMN_SCOPE:
            out->column_scope = d->u.column_scope;
            break;
        }
    }
    return true;
}

bool extend_load(const char *path, const char *text, const struct extend_options *opts, struct arena *arena,
                 struct diag *diag, struct compile_sources *sources, struct merged_policy *out)
{
    memset(out, 0, sizeof *out);
    char(*chain)[PATH_MAX] = malloc((EXTEND_MAX_DEPTH + 2) * sizeof *chain);
    if (!chain) {
        diag_plain(diag, "out of memory");
        return false;
    }
    int before = diag->errors;
    bool ok = extend_load_depth(path, opts, arena, diag, sources, out, 0, NULL, chain, text);
    free(chain);
    return ok && diag->errors == before;
}

void extend_free_sources(struct compile_sources *sources)
{
    for (int i = 0; i < sources->count; i++)
        source_free(sources->items[i]);
    sources->count = 0;
}
