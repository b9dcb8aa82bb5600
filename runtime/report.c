/* report.c - the HTML report of a run; see report.h. */
#include "report.h"

#include <inttypes.h>
#include <string.h>

#include "outfile.h"
#include "version.h"

/* Colours a printed page keeps apart; outcomes past the eighth reuse them, and every bar has its numbers too. */
static const char *const report_colours[] = {"#1b7837", "#5aae61", "#c51b7d", "#e08214",
                                            "#2166ac", "#8073ac", "#b35806", "#4d4d4d"};
#define REPORT_NCOLOURS (sizeof report_colours / sizeof report_colours[0])

void report_html_escape(FILE *f, const char *text)
{
    for (const char *c = text; *c; c++) {
        switch (*c) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: putc(*c, f);
        }
    }
}

/* <tr><th>key</th><td>value</td></tr>, the value escaped */
static void report_field(FILE *f, const char *key, const char *value)
{
    fprintf(f, "<tr><th scope=\"row\">%s</th><td>", key);
    report_html_escape(f, value);
    fputs("</td></tr>\n", f);
}

static void report_style(FILE *f)
{
    fputs("<style>\n"
          "body{font-family:Georgia,'Times New Roman',serif;max-width:60em;margin:2em auto;padding:0 1em;"
          "color:#111;line-height:1.4}\n"
          "h1{font-size:1.6em}h2{font-size:1.25em;border-bottom:1px solid #999;margin-top:2em}\n"
          "table{border-collapse:collapse;margin:.5em 0}th,td{border:1px solid #bbb;padding:.2em .5em;"
          "text-align:left;vertical-align:top}\n"
          "td.n{text-align:right;font-variant-numeric:tabular-nums}th[scope=row]{background:#f2f2f2;"
          "font-weight:normal}\n"
          ".hash{font-family:monospace;word-break:break-all}.bad{color:#b00;font-weight:bold}\n"
          ".legend span{display:inline-block;width:.9em;height:.9em;margin:0 .3em 0 1em;vertical-align:middle}\n"
          "svg text{font-family:Georgia,serif;font-size:12px}\n"
          "@media print{h2{break-after:avoid}table,svg{break-inside:avoid}}\n"
          "</style>\n",
          f);
}

/* The outcomes' colours, named once above the charts. */
static void report_legend(FILE *f, const struct program *p)
{
    fputs("<p class=\"legend\">", f);
    for (uint32_t o = 0; o < p->noutcomes; o++) {
        fprintf(f, "<span style=\"background:%s\"></span>", report_colours[o % REPORT_NCOLOURS]);
        report_html_escape(f, program_str(p, p->outcomes[o].name));
    }
    fputs("</p>\n", f);
}

/*
 * A horizontal bar chart: one bar per row, split by outcome, as long as
 * the row's total against the largest; every bar carries its total.
 */
static void report_chart(FILE *f, const struct program *p, const struct summary_row *rows, uint32_t n,
                         const char *title)
{
    if (n == 0)
        return;
    uint64_t most = 1;
    for (uint32_t i = 0; i < n; i++)
        if (rows[i].total > most)
            most = rows[i].total;
    const int label_w = 210, bar_w = 420, row_h = 20;
    int height = (int)n * row_h + 10;
    /* inline in HTML, an <svg> needs no namespace declaration (and the page names no address at all) */
    fprintf(f, "<svg role=\"img\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\">"
               "<title>", label_w + bar_w + 80, height, label_w + bar_w + 80, height);
    report_html_escape(f, title);
    fputs("</title>\n", f);
    for (uint32_t i = 0; i < n; i++) {
        int y = (int)i * row_h + 5;
        fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", label_w - 6, y + 14);
        report_html_escape(f, rows[i].label);
        fputs("</text>", f);
        double x = label_w;
        for (uint32_t o = 0; o < p->noutcomes; o++) {
            uint64_t k = rows[i].per_outcome[o];
            if (!k)
                continue;
            double w = (double)bar_w * (double)k / (double)most;
            fprintf(f, "<rect x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\" fill=\"%s\"><title>", x, y, w,
                    row_h - 4, report_colours[o % REPORT_NCOLOURS]);
            report_html_escape(f, program_str(p, p->outcomes[o].name));
            fprintf(f, ": %" PRIu64 "</title></rect>", k);
            x += w;
        }
        fprintf(f, "<text x=\"%.1f\" y=\"%d\">%" PRIu64 "</text>\n", x + 4, y + 14, rows[i].total);
    }
    fputs("</svg>\n", f);
}

/* A table of counts by outcome, one line per row, then its chart. */
static void report_table(FILE *f, const struct program *p, const struct summary *s, enum summary_by by,
                         const char *heading, const char *column)
{
    /* at most a few hundred rows (summary.h bounds the tables), read once into a bounded array */
    static struct summary_row rows[512];
    uint32_t n = 0;
    while (n < sizeof rows / sizeof rows[0] && summary_row(s, by, n, &rows[n]))
        n++;
    fprintf(f, "<h2>%s</h2>\n", heading);
    if (n == 0) {
        fputs("<p>No convictions were decided.</p>\n", f);
        return;
    }
    fprintf(f, "<table>\n<thead><tr><th scope=\"col\">%s</th>", column);
    for (uint32_t o = 0; o < p->noutcomes; o++) {
        fputs("<th scope=\"col\">", f);
        report_html_escape(f, program_str(p, p->outcomes[o].name));
        fputs("</th>", f);
    }
    fputs("<th scope=\"col\">total</th></tr></thead>\n<tbody>\n", f);
    for (uint32_t i = 0; i < n; i++) {
        fputs("<tr><th scope=\"row\">", f);
        report_html_escape(f, rows[i].label);
        fputs("</th>", f);
        for (uint32_t o = 0; o < p->noutcomes; o++)
            fprintf(f, "<td class=\"n\">%" PRIu64 "</td>", rows[i].per_outcome[o]);
        fprintf(f, "<td class=\"n\">%" PRIu64 "</td></tr>\n", rows[i].total);
    }
    fputs("</tbody></table>\n", f);
    report_chart(f, p, rows, n, heading);
}

static void report_header(FILE *f, const struct provenance *pv)
{
    const struct program *p = pv->p;
    char text[700], date[16];
    fputs("<h2>Policy</h2>\n<table>\n", f);
    report_field(f, "policy", program_str(p, p->name));
    report_field(f, "version", program_str(p, p->version));
    report_field(f, "jurisdiction", program_str(p, p->jurisdiction));
    report_field(f, "authority", p->authority < p->ncitations ? p->citations[p->authority].text : "none given");
    date_format_iso(p->effective, date);
    report_field(f, "effective", date);
    const char *by;
    char day[16];
    if (program_approval(p, &by, day))
        snprintf(text, sizeof text, "by %s on %s", by, day);
    else
        snprintf(text, sizeof text, "none recorded (the policy has no 'approved by' line)");
    report_field(f, "approved", text);
    report_field(f, "policy file", pv->policy_path);
    fputs("<tr><th scope=\"row\">policy SHA-256</th><td class=\"hash\">", f);
    report_html_escape(f, pv->policy_sha256[0] ? pv->policy_sha256 : "not computed: unreadable");
    fputs("</td></tr>\n</table>\n", f);

    fputs("<h2>Parameters used</h2>\n<table>\n<thead><tr><th scope=\"col\">parameter</th><th scope=\"col\">value"
          "</th><th scope=\"col\">the policy's value</th></tr></thead>\n<tbody>\n", f);
    for (uint32_t i = 0; pv->vm && i < p->nparams; i++) {
        char now[256], def[256];
        value_format(&pv->vm->params[i], now, sizeof now);
        value_format(&p->params[i].value, def, sizeof def);
        fputs("<tr><th scope=\"row\">", f);
        report_html_escape(f, program_str(p, p->params[i].name));
        fputs("</th><td>", f);
        report_html_escape(f, now);
        fputs(strcmp(now, def) != 0 ? " <strong>(set for this run)</strong></td><td>" : "</td><td>", f);
        report_html_escape(f, def);
        fputs("</td></tr>\n", f);
    }
    if (p->nparams == 0)
        fputs("<tr><td colspan=\"3\">The policy has no parameters.</td></tr>\n", f);
    fputs("</tbody></table>\n", f);
}

bool report_write(const char *path, const struct summary *s, const struct run_totals *t,
                  const struct provenance *pv, char *err, size_t errsize)
{
    const struct program *p = pv->p;
    struct out_file o;
    if (!out_file_open(&o, path, err, errsize))
        return false;
    FILE *f = o.f;
    fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Lenity report: ", f);
    report_html_escape(f, program_str(p, p->name));
    fputs("</title>\n", f);
    report_style(f);
    fputs("</head>\n<body>\n<h1>Relief decisions: ", f);
    report_html_escape(f, program_str(p, p->name));
    fputs("</h1>\n", f);

    /* what produced this page, first: a reader must be able to trace it */
    char date[16] = "none given";
    if (pv->vm && pv->vm->as_of_known)
        date_format_iso(pv->vm->as_of, date);
    fputs("<h2>This run</h2>\n<table>\n", f);
    report_field(f, "input", strcmp(pv->input, "-") == 0 ? "standard input" : pv->input);
    fputs("<tr><th scope=\"row\">input SHA-256</th><td class=\"hash\" id=\"input-sha256\">", f);
    report_html_escape(f, provenance_input_hash(pv));
    fputs("</td></tr>\n", f);
    report_field(f, "as of (run date)", date);
    report_field(f, "Lenity version", LENITY_VERSION);
    fputs("</table>\n", f);

    uint64_t accounted = t->convictions_decided + t->rows_other + t->rows_rejected;
    fputs("<h2>Rows</h2>\n<table id=\"rows\">\n", f);
    fprintf(f, "<tr><th scope=\"row\">rows read</th><td class=\"n\">%" PRIu64 "</td></tr>\n", t->rows_read);
    fprintf(f, "<tr><th scope=\"row\">convictions decided</th><td class=\"n\">%" PRIu64 "</td></tr>\n",
            t->convictions_decided);
    if (t->rows_other)
        fprintf(f, "<tr><th scope=\"row\">rows that are not convictions</th><td class=\"n\">%" PRIu64 "</td></tr>\n",
                t->rows_other);
    fprintf(f, "<tr><th scope=\"row\">rows rejected</th><td class=\"n\">%" PRIu64 "</td></tr>\n", t->rows_rejected);
    fprintf(f, "<tr><th scope=\"row\">people</th><td class=\"n\">%" PRIu64 "</td></tr>\n</table>\n", t->people);
    if (accounted == t->rows_read && t->rows_other)
        fprintf(f, "<p id=\"accounting\">Every row is accounted for: rows read %" PRIu64 " = %" PRIu64
                   " decided + %" PRIu64 " not convictions + %" PRIu64 " rejected.</p>\n",
                t->rows_read, t->convictions_decided, t->rows_other, t->rows_rejected);
    else if (accounted == t->rows_read)
        fprintf(f, "<p id=\"accounting\">Every row is accounted for: rows read %" PRIu64 " = %" PRIu64
                   " decided + %" PRIu64 " rejected.</p>\n", t->rows_read, t->convictions_decided, t->rows_rejected);
    else
        fprintf(f, "<p class=\"bad\">ACCOUNTING ERROR: %" PRIu64 " rows were read but %" PRIu64
                   " were decided, set aside or rejected. Do not rely on this run's output.</p>\n",
                t->rows_read, accounted);

    fputs("<h2>Outcomes</h2>\n<table id=\"outcomes\">\n<thead><tr><th scope=\"col\">outcome</th><th scope=\"col\">"
          "kind</th><th scope=\"col\">convictions</th><th scope=\"col\">share</th></tr></thead>\n<tbody>\n", f);
    struct summary_row all[PROGRAM_MAX_OUTCOMES + 1];
    for (uint32_t k = 0; k < p->noutcomes; k++) {
        uint64_t n = t->per_outcome[k];
        fputs("<tr><th scope=\"row\">", f);
        report_html_escape(f, program_str(p, p->outcomes[k].name));
        fprintf(f, "</th><td>%s</td><td class=\"n\">%" PRIu64 "</td><td class=\"n\">%.1f%%</td></tr>\n",
                outcome_kind_words((enum outcome_kind)p->outcomes[k].kind), n,
                t->convictions_decided ? 100.0 * (double)n / (double)t->convictions_decided : 0.0);
        /* the chart's rows: one per outcome, all of it that outcome's colour */
        snprintf(all[k].label, sizeof all[k].label, "%s", program_str(p, p->outcomes[k].name));
        all[k].total = n;
    }
    fputs("</tbody></table>\n", f);
    {
        static uint64_t cells[PROGRAM_MAX_OUTCOMES + 1][PROGRAM_MAX_OUTCOMES + 1];
        memset(cells, 0, sizeof cells);
        for (uint32_t k = 0; k < p->noutcomes; k++) {
            cells[k][k] = all[k].total;
            all[k].per_outcome = cells[k];
        }
        report_chart(f, p, all, p->noutcomes, "Convictions by outcome");
    }
    report_legend(f, p);
    report_table(f, p, s, SUMMARY_BY_SECTION, "By offence (code section)", "section");
    report_table(f, p, s, SUMMARY_BY_YEAR, "By year of disposition", "year");
    report_table(f, p, s, SUMMARY_BY_COUNTY, "By county", "county");
    report_header(f, pv);
    fprintf(f, "<p>Written by Lenity %s. Each conviction's decision, reason and statute are in the decisions file; "
               "this page only counts them.</p>\n</body>\n</html>\n", LENITY_VERSION);
    return out_file_commit(&o, err, errsize);
}
