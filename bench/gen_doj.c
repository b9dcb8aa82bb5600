/*
 * gen_doj.c - synthetic California DOJ criminal-history exports for `make bench`.
 *
 *   gen_doj [--rows N] [--seed S] [-o FILE] [--stats]        a 95-column DOJ export
 *   gen_doj --simple [--rows N] [--seed S] [-o FILE]        the same people and convictions
 *                                                           in Lenity's simple CSV
 *   gen_doj --policy RULES SETSIZE [-o FILE]                a generated policy
 *   gen_doj --version                                       the generator version (cache key)
 *
 * Nothing here is real: subjects are "SUBJECT,TEST0000001", identifiers are
 * counters, social security numbers start with 000 (never issued).  The model:
 * a subject has one to a dozen arrest cycles from 1970 on; each cycle has an
 * arrest step with one row per count and usually a court step with one row per
 * count and a disposition (CONVICTED-... or DISMISSED...); a conviction may
 * have sentence continuation rows (the same CNT_ORDER, another sentence).
 * About 7% of rows charge HS 11357-11360, some of them as "SEE COMMENT FOR
 * CHARGE" with the charge in COMMENT_TEXT; a few percent are super strikes
 * (187, 664/187, 288 PC) or PC 290 registrable offences.  Rows of one subject
 * are adjacent.  Rows average about 450 bytes, like the real exports.
 *
 * The output depends only on --rows, --seed and GEN_VERSION: change the
 * version whenever the model or the format changes, because `make bench`
 * caches generated files under that key.
 *
 * --simple writes, for the same rows, one line per conviction the way gogen
 * reads the export: the first CONVICTED row of a CNT_ORDER is the conviction,
 * later CONVICTED rows of it add their sentence; the citation comes from
 * OFFENSE_DESCR (or COMMENT_TEXT); the date is STP_EVENT_DATE.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define GEN_VERSION 2

/* ---- deterministic random numbers (splitmix64) ---------------------------- */

static uint64_t rng_state;

static uint64_t rng_next(void)
{
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A number in [0, n). */
static uint32_t below(uint32_t n)
{
    return (uint32_t)(((rng_next() >> 32) * (uint64_t)n) >> 32);
}

/* True with probability per_mille / 1000. */
static bool chance(uint32_t per_mille)
{
    return below(1000) < per_mille;
}

/* ---- buffered output ------------------------------------------------------- */

#define OUT_CAP (1u << 20)

static struct {
    int fd;
    size_t len;
    uint64_t total;
    char buf[OUT_CAP + 4096];
} out;

static void out_flush(void)
{
    size_t done = 0;
    while (done < out.len) {
        ssize_t n = write(out.fd, out.buf + done, out.len - done);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("gen_doj: write");
            exit(1);
        }
        done += (size_t)n;
    }
    out.total += out.len;
    out.len = 0;
}

/* Rows are far shorter than the slack after OUT_CAP, so one check per row suffices. */
static void out_row_done(void)
{
    if (out.len >= OUT_CAP)
        out_flush();
}

static void put(const char *s, size_t n)
{
    memcpy(out.buf + out.len, s, n);
    out.len += n;
}

#define PUTL(lit) put(lit, sizeof lit - 1)

static void puts0(const char *s)
{
    put(s, strlen(s));
}

static void putc1(char c)
{
    out.buf[out.len++] = c;
}

static void comma(void)
{
    out.buf[out.len++] = ',';
}

/* Unsigned number, zero-padded to at least width digits. */
static void put_uint(uint64_t v, int width)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (n < width)
        tmp[n++] = '0';
    while (n)
        out.buf[out.len++] = tmp[--n];
}

/* ---- calendar --------------------------------------------------------------- */

/* Days since 1970-01-01 to year, month, day (proleptic Gregorian). */
static void civil(int32_t days, int *y, int *m, int *d)
{
    int32_t z = days + 719468;
    int32_t era = (z >= 0 ? z : z - 146096) / 146097;
    uint32_t doe = (uint32_t)(z - era * 146097);
    uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int32_t yy = (int32_t)yoe + era * 400;
    uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    uint32_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = (int)(yy + (*m <= 2));
}

static int32_t days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    int32_t era = (y >= 0 ? y : y - 399) / 400;
    uint32_t yoe = (uint32_t)(y - era * 400);
    uint32_t doy = (153u * (uint32_t)(m > 2 ? m - 3 : m + 9) + 2) / 5 + (uint32_t)d - 1;
    uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int32_t)doe - 719468;
}

static void put_yyyymmdd(int32_t days)
{
    int y, m, d;
    civil(days, &y, &m, &d);
    put_uint((uint64_t)y, 4);
    put_uint((uint64_t)m, 2);
    put_uint((uint64_t)d, 2);
}

static void put_iso(int32_t days)
{
    int y, m, d;
    civil(days, &y, &m, &d);
    put_uint((uint64_t)y, 4);
    putc1('-');
    put_uint((uint64_t)m, 2);
    putc1('-');
    put_uint((uint64_t)d, 2);
}

/* ---- the tables of the model ---------------------------------------------- */

enum kind { K_OTHER, K_PROP64, K_SUPERSTRIKE, K_REGISTRABLE };

struct offence {
    const char *section; /* as DOJ writes it: "11357(B)", "664/187" */
    const char *code;    /* "HS", "PC", "VC" */
    const char *text;    /* the description after the dash */
    char toc;            /* F, M or I */
    uint8_t kind;
    uint16_t weight;     /* relative frequency within its kind */
};

static const struct offence offences[] = {
    /* HS 11357-11360, the Proposition 64 sections */
    {"11357", "HS", "POSSESS MARIJUANA", 'M', K_PROP64, 20},
    {"11357(A)", "HS", "POSSESS CONCENTRATED CANNABIS", 'F', K_PROP64, 10},
    {"11357(B)", "HS", "POSSESS MARIJUANA 28.5 GRAMS OR LESS", 'M', K_PROP64, 40},
    {"11357(C)", "HS", "POSSESS MARIJUANA OVER 28.5 GRAMS", 'M', K_PROP64, 15},
    {"11358", "HS", "CULTIVATE MARIJUANA", 'F', K_PROP64, 20},
    {"11359", "HS", "POSSESS MARIJUANA FOR SALE", 'F', K_PROP64, 30},
    {"11360(A)", "HS", "TRANSPORT/SELL/ETC MARIJUANA", 'F', K_PROP64, 15},
    {"11360(B)", "HS", "GIVE/TRANSPORT/ETC 28.5 GRAMS MARIJUANA, OR LESS", 'M', K_PROP64, 8},
    /* super strikes, PC 667(e)(2)(C)(iv) */
    {"187", "PC", "MURDER", 'F', K_SUPERSTRIKE, 30},
    {"664/187", "PC", "ATTEMPTED MURDER", 'F', K_SUPERSTRIKE, 30},
    {"288(A)", "PC", "LEWD OR LASCIVIOUS ACTS WITH CHILD UNDER 14", 'F', K_SUPERSTRIKE, 25},
    {"288", "PC", "LEWD ACTS WITH A CHILD", 'F', K_SUPERSTRIKE, 15},
    /* registrable under PC 290 */
    {"261(A)(2)", "PC", "RAPE BY FORCE/FEAR/ETC", 'F', K_REGISTRABLE, 20},
    {"314(1)", "PC", "INDECENT EXPOSURE", 'M', K_REGISTRABLE, 30},
    {"647.6(A)", "PC", "ANNOY/MOLEST CHILD UNDER 18", 'M', K_REGISTRABLE, 20},
    {"311.11(A)", "PC", "POSSESS/ETC MATTER OF SEX CONDUCT W/MINOR", 'F', K_REGISTRABLE, 15},
    /* everything else */
    {"459", "PC", "BURGLARY", 'F', K_OTHER, 60},
    {"484(A)", "PC", "THEFT OF PERSONAL PROPERTY", 'M', K_OTHER, 70},
    {"487(A)", "PC", "GRAND THEFT:MONEY/LABOR/PROPERTY", 'F', K_OTHER, 30},
    {"488", "PC", "PETTY THEFT", 'M', K_OTHER, 50},
    {"496(A)", "PC", "RECEIVE/ETC KNOWN STOLEN PROPERTY", 'F', K_OTHER, 30},
    {"666", "PC", "PETTY THEFT WITH PRIOR JAIL:SPECIFIED OFFENSES", 'F', K_OTHER, 15},
    {"211", "PC", "ROBBERY", 'F', K_OTHER, 20},
    {"242", "PC", "BATTERY", 'M', K_OTHER, 40},
    {"243(E)(1)", "PC", "BATTERY AGAINST SPOUSE/EX SPOUSE/DATE/ETC", 'M', K_OTHER, 30},
    {"245(A)(1)", "PC", "ASSAULT WITH DEADLY WEAPON OTHER THAN FIREARM", 'F', K_OTHER, 30},
    {"273.5(A)", "PC", "INFLICT CORPORAL INJURY ON SPOUSE/COHABITANT", 'F', K_OTHER, 30},
    {"148(A)(1)", "PC", "OBSTRUCT/RESIST/ETC PUBLIC/PEACE OFFICER/EMERGENCY MEDICAL TECHNICIAN", 'M', K_OTHER, 40},
    {"415", "PC", "FIGHT/NOISE/OFFENSIVE WORDS", 'M', K_OTHER, 20},
    {"594(A)", "PC", "VANDALISM", 'M', K_OTHER, 30},
    {"647(F)", "PC", "DISORDERLY CONDUCT:INTOXICATED DRUG/ALCOHOL", 'M', K_OTHER, 50},
    {"12020(A)", "PC", "MANUFACTURE/SELL/POSSESS/ETC DANGEROUS WEAPON", 'F', K_OTHER, 10},
    {"1203.2", "PC", "PROBATION VIOLATION:REARREST/REVOKE", 'M', K_OTHER, 30},
    {"3056", "PC", "VIOLATION OF PAROLE:FELONY", 'F', K_OTHER, 20},
    {"11350(A)", "HS", "POSSESS NARCOTIC CONTROLLED SUBSTANCE", 'F', K_OTHER, 60},
    {"11351", "HS", "POSSESS/PURCHASE FOR SALE NARCOTIC/CONTROLLED SUBSTANCE", 'F', K_OTHER, 20},
    {"11377(A)", "HS", "POSSESS CONTROLLED SUBSTANCE", 'M', K_OTHER, 60},
    {"11378", "HS", "POSSESS CONTROLLED SUBSTANCE FOR SALE", 'F', K_OTHER, 20},
    {"11364", "HS", "POSSESS CONTROLLED SUBSTANCE PARAPHERNALIA", 'M', K_OTHER, 30},
    {"11550(A)", "HS", "USE/UNDER INFLUENCE OF CONTROLLED SUBSTANCE", 'M', K_OTHER, 40},
    {"23152(A)", "VC", "DUI ALCOHOL/DRUGS", 'M', K_OTHER, 80},
    {"23152(B)", "VC", "DUI ALCOHOL 0.08 PERCENT", 'M', K_OTHER, 60},
    {"10851(A)", "VC", "TAKE VEHICLE W/O OWNER'S CONSENT/VEHICLE THEFT", 'F', K_OTHER, 25},
    {"12500(A)", "VC", "DRIVE WITHOUT LICENSE", 'M', K_OTHER, 40},
    {"14601.1(A)", "VC", "DRIVE WHILE LICENSE SUSPENDED/ETC", 'M', K_OTHER, 40},
    {"20002(A)", "VC", "HIT AND RUN:PROPERTY DAMAGE", 'M', K_OTHER, 15},
    {"4000(A)", "VC", "NO EVIDENCE OF CURRENT REGISTRATION", 'I', K_OTHER, 20},
    {"22350", "VC", "UNSAFE SPEED", 'I', K_OTHER, 15},
};
#define NOFFENCES (sizeof offences / sizeof offences[0])

/* The row share of each kind, per ten thousand counts. */
#define PM_PROP64 720
#define PM_SUPERSTRIKE 150
#define PM_REGISTRABLE 150

static uint32_t kind_weight[4];

static uint16_t pick_offence(void)
{
    uint32_t u = below(10000);
    enum kind k = u < PM_PROP64 ? K_PROP64
                  : u < PM_PROP64 + PM_SUPERSTRIKE ? K_SUPERSTRIKE
                  : u < PM_PROP64 + PM_SUPERSTRIKE + PM_REGISTRABLE ? K_REGISTRABLE
                                                                    : K_OTHER;
    uint32_t w = below(kind_weight[k]);
    for (uint16_t i = 0; i < NOFFENCES; i++) {
        if (offences[i].kind != k)
            continue;
        if (w < offences[i].weight)
            return i;
        w -= offences[i].weight;
    }
    return 0; /* not reached */
}

struct county {
    const char *name;
    const char *code; /* the state's county number */
    uint16_t weight;
};

static const struct county counties[] = {
    {"LOS ANGELES", "19", 260}, {"SAN DIEGO", "37", 80}, {"ORANGE", "30", 80},
    {"RIVERSIDE", "33", 60},    {"SAN BERNARDINO", "36", 60}, {"SANTA CLARA", "43", 50},
    {"ALAMEDA", "01", 45},      {"SACRAMENTO", "34", 40}, {"CONTRA COSTA", "07", 30},
    {"FRESNO", "10", 30},       {"KERN", "15", 25},        {"SAN FRANCISCO", "38", 25},
    {"VENTURA", "56", 20},      {"SAN JOAQUIN", "39", 20}, {"SAN MATEO", "41", 20},
    {"STANISLAUS", "50", 15},   {"SONOMA", "49", 12},      {"TULARE", "54", 12},
    {"SANTA BARBARA", "42", 12}, {"MONTEREY", "27", 10},   {"HUMBOLDT", "12", 8},
    {"MENDOCINO", "23", 6},     {"YOLO", "57", 6},         {"SHASTA", "45", 6},
};
#define NCOUNTIES (sizeof counties / sizeof counties[0])
static uint32_t county_total;

static uint8_t pick_county(void)
{
    uint32_t w = below(county_total);
    for (uint8_t i = 0; i < NCOUNTIES; i++) {
        if (w < counties[i].weight)
            return i;
        w -= counties[i].weight;
    }
    return 0;
}

static const char *const races[][2] = {
    {"W", "WHITE"}, {"H", "HISPANIC"}, {"B", "BLACK"}, {"A", "OTHER ASIAN"},
    {"F", "FILIPINO"}, {"O", "OTHER"}, {"I", "AMERICAN INDIAN"},
};
static const char *const eyes[][2] = {
    {"BRO", "BROWN"}, {"BLU", "BLUE"}, {"GRN", "GREEN"}, {"HAZ", "HAZEL"}, {"BLK", "BLACK"},
};
static const char *const hairs[][2] = {
    {"BLK", "BLACK"}, {"BRO", "BROWN"}, {"BLN", "BLOND"}, {"GRY", "GRAY"}, {"RED", "RED"}, {"BAL", "BALD"},
};
static const char *const births[][3] = {
    {"CA", "CALIFORNIA", "S"}, {"CA", "CALIFORNIA", "S"}, {"CA", "CALIFORNIA", "S"},
    {"TX", "TEXAS", "S"}, {"NY", "NEW YORK", "S"}, {"MX", "MEXICO", "C"}, {"AZ", "ARIZONA", "S"},
};
#define N_OF(a) (sizeof a / sizeof a[0])

/* Dispositions of a court row; the first ones are convictions. */
static const char *const convicted[] = {
    "CONVICTED-JAIL", "CONVICTED-PROBATION", "CONVICTED-PROBATION/JAIL", "CONVICTED-PRISON",
    "CONVICTED-FINE",
};
static const char *const dismissed[] = {
    "DISMISSED/FURTHERANCE OF JUSTICE", "DISMISSED/CHARGE DROPPED", "DISMISSED/IN INTEREST OF JUSTICE",
    "DISMISSED-DIVERSION SUCCESSFULLY COMPLETED",
};
static const char *const released[] = {
    "REL/TOT OTHER JURIS/AUTH", "RELEASED/DETENTION ONLY", "PROSECUTION REJECTED-INSUFFICIENT EVIDENCE",
};

/* Sentence places: code, description, unit, shortest, longest. */
static const struct sentence {
    const char *code, *descr;
    char unit;
    uint16_t lo, hi;
} sentences[] = {
    {"J", "JAIL", 'D', 1, 365}, {"PR", "PROBATION", 'M', 6, 60}, {"P", "PRISON", 'Y', 1, 8},
    {"F", "FINE", 'D', 0, 0},   {"CS", "COMMUNITY SERVICE", 'D', 5, 90},
};

/* ---- the model ---------------------------------------------------------------- */

enum step_type { T_ARREST, T_COURT, T_REGISTRATION, T_DECEASED };

struct row {
    uint16_t cyc, stp, cnt;
    uint8_t type;
    uint8_t county;
    uint16_t off;
    bool see_comment;
    bool cont;            /* a sentence continuation row */
    char level;           /* F, M, I, or 0 when CONV_STAT_DESCR is blank */
    const char *disp;     /* DISP_DESCR, or NULL */
    int8_t sent;          /* index into sentences, or -1 */
    uint16_t sent_len;
    int32_t day, cyc_day, disp_day;
    int32_t ofn;          /* 0 blank, -1 "NULL", else a number */
    uint32_t crt_case;    /* 0 none */
    uint32_t booking;     /* 0 none */
    uint8_t age;
};

struct subject {
    uint32_t no;
    int32_t dob;
    char gender;
    uint8_t race, eye, hair, pob;
    uint16_t height, weight;
    uint8_t home;
};

#define MAX_ROWS 512
static struct row rows[MAX_ROWS];
static uint32_t nrows;
static uint32_t booking_seq = 100000, case_seq = 100000, ofn_seq = 100000;

static const int32_t DAY_1970 = 0;
static int32_t day_end; /* 2023-12-31: nothing later */

static uint8_t age_at(int32_t dob, int32_t day)
{
    int y1, m1, d1, y2, m2, d2;
    civil(dob, &y1, &m1, &d1);
    civil(day, &y2, &m2, &d2);
    int a = y2 - y1 - (m2 < m1 || (m2 == m1 && d2 < d1));
    return (uint8_t)(a < 0 ? 0 : a > 120 ? 120 : a);
}

static struct row *new_row(void)
{
    struct row *r = &rows[nrows++];
    memset(r, 0, sizeof *r);
    r->sent = -1;
    return r;
}

/* Builds one subject's rows in rows[]. */
static void make_subject(struct subject *s, uint32_t no)
{
    memset(s, 0, sizeof *s);
    s->no = no;
    s->dob = days_from_civil(1935 + (int)below(66), 1 + (int)below(12), 1 + (int)below(28));
    s->gender = chance(820) ? 'M' : 'F';
    s->race = (uint8_t)below(N_OF(races));
    s->eye = (uint8_t)below(N_OF(eyes));
    s->hair = (uint8_t)below(N_OF(hairs));
    s->pob = (uint8_t)below(N_OF(births));
    s->height = (uint16_t)((4 + below(3)) * 100 + below(12));
    s->weight = (uint16_t)(110 + below(170));
    s->home = pick_county();
    nrows = 0;

    uint32_t ncycles = 1 + below(5) + (chance(250) ? below(8) : 0);
    int32_t day = s->dob + 365 * 18 + (int32_t)below(365 * 22);
    if (day < DAY_1970)
        day = DAY_1970 + (int32_t)below(365 * 3);
    for (uint32_t c = 1; c <= ncycles && day <= day_end; c++) {
        uint8_t county = chance(800) ? s->home : pick_county();
        uint32_t ncounts = 1 + (chance(350) ? 1 + below(3) : 0);
        uint16_t off[4];
        bool see[4];
        for (uint32_t k = 0; k < ncounts; k++) {
            off[k] = pick_offence();
            see[k] = chance(offences[off[k]].kind == K_PROP64 ? 90 : 15);
        }
        uint8_t age = age_at(s->dob, day);
        bool court = chance(800);
        uint32_t booking = ++booking_seq;
        for (uint32_t k = 0; k < ncounts && nrows < MAX_ROWS - 16; k++) {
            struct row *r = new_row();
            r->cyc = (uint16_t)c, r->stp = 1, r->cnt = (uint16_t)(k + 1);
            r->type = T_ARREST;
            r->county = county;
            r->off = off[k];
            r->see_comment = see[k];
            r->level = chance(900) ? offences[off[k]].toc : 0;
            r->disp = court ? NULL : released[below(N_OF(released))];
            r->day = r->cyc_day = day;
            r->disp_day = court ? 0 : day;
            r->ofn = chance(100) ? -1 : (int32_t)++ofn_seq;
            r->booking = booking;
            r->age = age;
        }
        if (court) {
            int32_t cday = day + 1 + (int32_t)below(180);
            uint32_t crt_case = ++case_seq;
            int32_t ofn = chance(850) ? (int32_t)++ofn_seq : 0;
            bool registered = false;
            for (uint32_t k = 0; k < ncounts && nrows < MAX_ROWS - 16; k++) {
                bool conv = k == 0 ? chance(750) : chance(450);
                const struct offence *o = &offences[off[k]];
                char level = o->toc;
                if (conv && level == 'F' && chance(250))
                    level = 'M'; /* reduced at sentencing (a wobbler) */
                uint32_t parts = conv ? 1 + (chance(180) ? 1 + (chance(200) ? 1 : 0) : 0) : 1;
                const char *cdisp = conv ? convicted[below(N_OF(convicted))] : dismissed[below(N_OF(dismissed))];
                for (uint32_t p = 0; p < parts; p++) {
                    struct row *r = new_row();
                    r->cyc = (uint16_t)c, r->stp = 2, r->cnt = (uint16_t)(k + 1);
                    r->type = T_COURT;
                    r->county = county;
                    r->off = off[k];
                    r->see_comment = see[k];
                    r->cont = p > 0;
                    r->level = conv || chance(900) ? level : 0;
                    r->disp = p == 0 ? cdisp : convicted[below(N_OF(convicted))];
                    r->day = cday;
                    r->cyc_day = day;
                    r->disp_day = cday + (chance(800) ? 0 : (int32_t)below(30));
                    r->ofn = ofn;
                    r->crt_case = crt_case;
                    r->age = age;
                    if (conv) {
                        r->sent = (int8_t)below(N_OF(sentences));
                        const struct sentence *st = &sentences[r->sent];
                        r->sent_len = (uint16_t)(st->lo + (st->hi > st->lo ? below((uint32_t)(st->hi - st->lo + 1)) : 0));
                    }
                }
                if (conv && o->kind == K_REGISTRABLE)
                    registered = true;
            }
            if (registered && nrows < MAX_ROWS - 16) {
                struct row *r = new_row();
                r->cyc = (uint16_t)c, r->stp = 3, r->cnt = 1;
                r->type = T_REGISTRATION;
                r->county = county;
                r->off = UINT16_MAX; /* 290 PC */
                r->level = 'F';
                r->day = r->disp_day = cday + 10 + (int32_t)below(60);
                r->cyc_day = day;
                r->age = age;
            }
        }
        day += 60 + (int32_t)below(chance(300) ? 6000 : 1500);
    }
    if (chance(4) && nrows < MAX_ROWS) {
        struct row *r = new_row();
        uint16_t c = nrows > 1 ? (uint16_t)(rows[nrows - 2].cyc + 1) : 1;
        r->cyc = c, r->stp = 1, r->cnt = 1;
        r->type = T_DECEASED;
        r->county = s->home;
        r->off = UINT16_MAX - 1; /* no offence */
        r->day = r->cyc_day = day < day_end ? day : day_end;
        r->age = age_at(s->dob, r->day);
    }
}

/* ---- the DOJ export ----------------------------------------------------------- */

static const char DOJ_HEADER[] =
    "RECORD_ID,SUBJECT_STATUS,SUBJECT_ID,REQ_SEG_SEP,REQ_CII_NUMBER,REQ_NAME,REQ_GENDER,REQ_DOB,REQ_CDL,"
    "REQ_SSN,PII_SEG_SEP,CII_NUMBER,PRI_NAME,GENDER,PRI_DOB,PRI_SSN,PRI_CDL,PRI_IDN,PRI_INN,FBI_NUMBER,"
    "PDR_SEG_SEP,RACE_CODE,RACE_DESCR,EYE_COLOR_CODE,EYE_COLOR_DESCR,HAIR_COLOR_CODE,HAIR_COLOR_DESCR,"
    "HEIGHT,WEIGHT,SINGLE_SOURCE,MULTI_SOURCE,POB_CODE,POB_NAME,POB_TYPE,CITIZENSHIP_LIST,CYC_SEG_SEP,"
    "CYC_ORDER,CYC_DATE,STP_SEG_SEP,STP_ORDER,STP_EVENT_DATE,STP_TYPE_CODE,STP_TYPE_DESCR,STP_ORI_TYPE,"
    "STP_ORI_TYPE_DESCR,STP_ORI_CODE,STP_ORI_DESCR,STP_ORI_CNTY_CODE,STP_ORI_CNTY_NAME,CNT_SEG_SEP,"
    "CNT_ORDER,DISP_DATE,OFN,OFFENSE_CODE,OFFENSE_DESCR,OFFENSE_TOC,OFFENSE_QUAL_LST,DISP_OFFENSE_CODE,"
    "DISP_OFFENSE_DESCR,DISP_OFFENSE_TOC,DISP_OFFENSE_QUAL_LST,CONV_OFFENSE_ORDER,CONV_OFFENSE_CODE,"
    "CONV_OFFENSE_DESCR,CONV_OFFENSE_TOC,CONV_OFFENSE_QUAL_LST,FE_NUM_ORDER,FE_NUM_ARR_AGY,"
    "FE_NUM_BNCH_WARR,FE_NUM_CITE,FE_NUM_DOCKET,FE_NUM_INCIDENT,FE_NUM_BOOKING,FE_NUM_NUMBER,"
    "FE_NUM_REMAND,FE_NUM_OOS_INN,FE_NUM_CRT_CASE,FE_NUM_WARRANT,DISP_ORDER,DISP_CODE,DISP_DESCR,"
    "CONV_STAT_CODE,CONV_STAT_DESCR,SENT_SEG_SEP,SENT_ORDER,SENT_LOC_CODE,SENT_LOC_DESCR,SENT_LENGTH,"
    "SENT_TIME_CODE,SENT_TIME_DESCR,CYC_AGE,CII_TYPE,CII_TYPE_ALPHA,COMMENT_TEXT,END_OF_REC\n";

static uint64_t record_id;
static uint64_t stat_prop64_conv_rows; /* rows bench/prop64.awk counts */
static uint64_t stat_prop64_rows;
static uint64_t stat_convictions;      /* counts with a CONVICTED court row: what lenity decides */

static void put_name(const struct subject *s)
{
    PUTL("\"SUBJECT,TEST");
    put_uint(s->no, 7);
    putc1('"');
}

/* "11357(B) HS-POSSESS MARIJUANA" */
static void put_offence_descr(uint16_t off)
{
    if (off == UINT16_MAX) {
        PUTL("290 PC-REGISTRATION OF SEX OFFENDER");
        return;
    }
    const struct offence *o = &offences[off];
    bool quote = strchr(o->text, ',') != NULL;
    if (quote)
        putc1('"');
    puts0(o->section);
    putc1(' ');
    puts0(o->code);
    putc1('-');
    puts0(o->text);
    if (quote)
        putc1('"');
}

static void put_offence_code(uint16_t off)
{
    put_uint(off == UINT16_MAX ? 29000u : 10000u + off * 37u, 5);
}

static const char *level_word(char level)
{
    return level == 'F' ? "FELONY" : level == 'M' ? "MISDEMEANOR" : level == 'I' ? "INFRACTION" : "";
}

static void put_doj_row(const struct subject *s, const struct row *r)
{
    const struct county *cty = &counties[r->county];
    bool has_off = r->off != UINT16_MAX - 1;
    bool conv = r->disp && strncmp(r->disp, "CONVICTED", 9) == 0;

    put_uint(++record_id, 1); comma();                   /* RECORD_ID */
    PUTL("A,");                                            /* SUBJECT_STATUS */
    put_uint(11000000u + s->no, 8); comma();               /* SUBJECT_ID */
    PUTL("#,");                                            /* REQ_SEG_SEP */
    comma();                                               /* REQ_CII_NUMBER */
    comma();                                               /* REQ_NAME */
    comma();                                               /* REQ_GENDER */
    comma();                                               /* REQ_DOB */
    comma();                                               /* REQ_CDL */
    comma();                                               /* REQ_SSN */
    PUTL("#,");                                            /* PII_SEG_SEP */
    put_uint(2000000000u + s->no * 7u, 10); comma();       /* CII_NUMBER */
    put_name(s); comma();                                  /* PRI_NAME */
    putc1(s->gender); comma();                             /* GENDER */
    put_yyyymmdd(s->dob); comma();                         /* PRI_DOB */
    PUTL("000"); put_uint(s->no % 1000000u, 6); comma();   /* PRI_SSN: area 000 is never issued */
    comma();                                               /* PRI_CDL */
    comma();                                               /* PRI_IDN */
    comma();                                               /* PRI_INN */
    put_uint(s->no % 1000000u, 6); PUTL("TE"); putc1((char)('0' + s->no % 10)); comma(); /* FBI_NUMBER */
    PUTL("#,");                                            /* PDR_SEG_SEP */
    puts0(races[s->race][0]); comma();
    puts0(races[s->race][1]); comma();
    puts0(eyes[s->eye][0]); comma();
    puts0(eyes[s->eye][1]); comma();
    puts0(hairs[s->hair][0]); comma();
    puts0(hairs[s->hair][1]); comma();
    put_uint(s->height, 3); comma();                       /* HEIGHT */
    put_uint(s->weight, 3); comma();                       /* WEIGHT */
    PUTL("Y,N,");                                          /* SINGLE_SOURCE, MULTI_SOURCE */
    puts0(births[s->pob][0]); comma();
    puts0(births[s->pob][1]); comma();
    puts0(births[s->pob][2]); comma();
    PUTL("US,");                                           /* CITIZENSHIP_LIST */
    PUTL("#,");                                            /* CYC_SEG_SEP */
    put_uint(r->cyc, 3); comma();                          /* CYC_ORDER */
    put_yyyymmdd(r->cyc_day); comma();                     /* CYC_DATE */
    PUTL("#,");                                            /* STP_SEG_SEP */
    put_uint(r->stp, 3); comma();                          /* STP_ORDER */
    put_yyyymmdd(r->day); comma();                         /* STP_EVENT_DATE */
    switch (r->type) {                                     /* STP_TYPE_CODE .. STP_ORI_DESCR */
    case T_ARREST:
        PUTL("ARR,ARREST/DETAINED/CITED,SO,,CA0");
        puts0(cty->code); PUTL("0000,"); puts0(cty->name); PUTL(" SO,");
        break;
    case T_COURT:
        PUTL("CRT,COURT ACTION,CRT,,CA0");
        puts0(cty->code); PUTL("0J00,"); puts0(cty->name); PUTL(" SC,");
        break;
    case T_REGISTRATION:
        PUTL("REG,REGISTRATION,PD,,CA0");
        puts0(cty->code); PUTL("0100,"); puts0(cty->name); PUTL(" PD,");
        break;
    default:
        PUTL("DEC,DECEASED,COR,,CA0");
        puts0(cty->code); PUTL("0C00,"); puts0(cty->name); PUTL(" CO CORONER,");
        break;
    }
    puts0(cty->code); comma();                             /* STP_ORI_CNTY_CODE */
    puts0(cty->name); comma();                             /* STP_ORI_CNTY_NAME */
    PUTL("#,");                                            /* CNT_SEG_SEP */
    put_uint(r->cyc, 3); put_uint(r->stp, 3); put_uint(r->cnt, 3); comma(); /* CNT_ORDER */
    if (r->disp_day)                                       /* DISP_DATE */
        put_yyyymmdd(r->disp_day);
    comma();
    if (r->ofn > 0)                                        /* OFN */
        put_uint((uint64_t)r->ofn, 6);
    else if (r->ofn < 0)
        PUTL("NULL  ");
    comma();
    if (has_off) {                                         /* OFFENSE_CODE, _DESCR, _TOC, _QUAL_LST */
        put_offence_code(r->off); comma();
        if (r->see_comment)
            PUTL("SEE COMMENT FOR CHARGE");
        else
            put_offence_descr(r->off);
        comma();
        putc1(r->off == UINT16_MAX ? 'F' : offences[r->off].toc); comma();
        PUTL("              ,");
    } else {
        PUTL(",,,,");
    }
    if (conv && !r->cont) {                                /* DISP_OFFENSE_* (blank), CONV_OFFENSE_* */
        PUTL(",,,,001,");
        put_offence_code(r->off); comma();
        put_offence_descr(r->off); comma();
        putc1(r->level ? r->level : 'M'); comma();
        PUTL("              ,");
    } else {
        PUTL(",,,,,,,,,");
    }
    PUTL("001,");                                          /* FE_NUM_ORDER */
    if (r->type == T_ARREST) {                             /* FE_NUM_ARR_AGY .. FE_NUM_WARRANT */
        PUTL("CA0"); puts0(cty->code); PUTL("0000,,,,");
        put_uint(r->booking, 8); comma();                  /* FE_NUM_INCIDENT */
        put_uint(r->booking, 9); comma();                  /* FE_NUM_BOOKING */
        PUTL(",,,,,");
    } else if (r->type == T_COURT) {
        PUTL(",,,");
        put_uint(r->crt_case, 7); comma();                 /* FE_NUM_DOCKET */
        PUTL(",,,,,");
        PUTL("BA"); put_uint(r->crt_case, 6); comma();     /* FE_NUM_CRT_CASE */
        comma();
    } else {
        PUTL(",,,,,,,,,,,");
    }
    if (r->disp) {                                         /* DISP_ORDER, DISP_CODE, DISP_DESCR */
        PUTL("001,");
        putc1(conv ? 'C' : 'D'); comma();
        puts0(r->disp); comma();
    } else {
        PUTL(",,,");
    }
    if (r->level) {                                        /* CONV_STAT_CODE, CONV_STAT_DESCR */
        putc1(r->level); comma();
        puts0(level_word(r->level)); comma();
    } else {
        PUTL(",,");
    }
    PUTL("#,");                                            /* SENT_SEG_SEP */
    if (r->sent >= 0) {                                    /* SENT_ORDER .. SENT_TIME_DESCR */
        const struct sentence *st = &sentences[r->sent];
        put_uint(r->cont ? 2 : 1, 3); comma();
        puts0(st->code); comma();
        puts0(st->descr); comma();
        if (st->hi > 0) {
            put_uint(r->sent_len, 1); comma();
            putc1(st->unit); comma();
            if (st->unit == 'D')
                PUTL("DAYS      ,");
            else if (st->unit == 'M')
                PUTL("MONTHS    ,");
            else
                PUTL("YEARS     ,");
        } else {
            PUTL(",,,");
        }
    } else {
        PUTL(",,,,,,");
    }
    put_uint(r->age, 2); comma();                          /* CYC_AGE */
    PUTL("A,,");                                           /* CII_TYPE, CII_TYPE_ALPHA */
    if (r->see_comment)                                    /* COMMENT_TEXT */
        put_offence_descr(r->off);
    else if (r->type == T_COURT && r->crt_case % 7 == 0)
        PUTL("SENTENCE CONCURRENT WITH ANY PRIOR INCOMPLETE SENTENCE");
    comma();
    PUTL("#\n");                                           /* END_OF_REC */

    if (conv && !r->cont && r->type == T_COURT)
        stat_convictions++;
    if (has_off && r->off < NOFFENCES && offences[r->off].kind == K_PROP64) {
        stat_prop64_rows++;
        if (conv && !r->see_comment)
            stat_prop64_conv_rows++;
    }
}

/* ---- the simple Lenity CSV ------------------------------------------------------ */

/* One conviction: the first CONVICTED row of a count, with its continuation rows. */
static void put_simple_conviction(const struct subject *s, const struct row *first, uint32_t nparts)
{
    put_uint(11000000u + s->no, 8); comma();
    put_iso(s->dob); comma();
    const struct offence *o = &offences[first->off];
    puts0(o->code); putc1(' ');
    for (const char *p = o->section; *p; p++)             /* lenity's citations read sub-sections in any case */
        putc1(*p);
    comma();
    puts0(first->level == 'F' ? "felony" : first->level == 'M' ? "misdemeanor" : first->level == 'I' ? "infraction" : "");
    comma();
    put_iso(first->day); comma();
    puts0(counties[first->county].name); comma();
    uint32_t years = 0, months = 0, days = 0;
    for (uint32_t p = 0; p < nparts; p++) {
        const struct row *r = first + p;
        if (r->sent < 0 || sentences[r->sent].hi == 0)
            continue;
        char unit = sentences[r->sent].unit;
        if (unit == 'Y')
            years += r->sent_len;
        else if (unit == 'M')
            months += r->sent_len;
        else
            days += r->sent_len;
    }
    bool any = false;
    if (years) {
        put_uint(years, 1); puts0(years == 1 ? " year" : " years");
        any = true;
    }
    if (months) {
        if (any) putc1(' ');
        put_uint(months, 1); puts0(months == 1 ? " month" : " months");
        any = true;
    }
    if (days) {
        if (any) putc1(' ');
        put_uint(days, 1); puts0(days == 1 ? " day" : " days");
    }
    comma();
    PUTL("BA"); put_uint(first->crt_case, 6);
    putc1('\n');
    stat_convictions++;
}

static void put_simple_subject(const struct subject *s, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        const struct row *r = &rows[i];
        if (r->type != T_COURT || r->cont || !r->disp || strncmp(r->disp, "CONVICTED", 9) != 0)
            continue;
        uint32_t parts = 1;
        while (i + parts < n && rows[i + parts].cont)
            parts++;
        put_simple_conviction(s, r, parts);
        out_row_done();
    }
}

/* ---- a generated policy ---------------------------------------------------------- */

static const char *const real_listed[] = {"HS 11357", "HS 11358", "HS 11359", "HS 11360", "PC 187"};
static const char *const real_priors[] = {"PC 187", "PC 664/187", "PC 288", "PC 261", "PC 314"};

static void put_set(const char *name, const char *const *real, uint32_t size, uint32_t fill_base)
{
    PUTL("set "); puts0(name); PUTL(" = {");
    for (uint32_t i = 0; i < size; i++) {
        puts0(i % 8 == 0 ? "\n    " : " ");
        if (i < 5) {
            puts0(real[i]);
        } else {
            PUTL("ZZ "); /* a code no record uses: the entries fill the table, never match */
            put_uint(fill_base + i, 1);
        }
        if (i + 1 < size)
            comma();
        out_row_done();
    }
    PUTL("\n}\n\n");
}

static void write_policy(uint32_t nrules, uint32_t setsize)
{
    PUTL("# Generated by bench/gen_doj.c (generator version ");
    put_uint(GEN_VERSION, 1);
    PUTL(") for `make bench`: ");
    put_uint(nrules, 1); PUTL(" rules, two citation sets of "); put_uint(setsize, 1);
    PUTL(" entries.\n# Not a real policy: its rules exist to be compiled and evaluated.\n\n");
    PUTL("policy \"Generated benchmark policy\"\n"
         "  jurisdiction \"Nowhere (synthetic)\"\n"
         "  authority HS 11361.8\n"
         "  effective 2016-11-09\n"
         "  version \"gen-");
    put_uint(nrules, 1); putc1('x'); put_uint(setsize, 1);
    PUTL("\"\n\n"
         "outcome dismiss is relief\n"
         "outcome reduce is relief\n"
         "outcome not_eligible is no relief\n"
         "outcome needs_review is review\n\n"
         "parameter cutoff = 2016-11-09\n\n");
    put_set("listed", real_listed, setsize, 100000);
    put_set("priors", real_priors, setsize, 200000);
    /* Most convictions are in neither set, so they fall through every rule and
     * each rule costs one set lookup and a comparison or two (one rule in eight
     * also works out the age at conviction): the run time is mostly lookups. */
    for (uint32_t i = 0; i < nrules; i++) {
        PUTL("rule r");
        put_uint(i + 1, 5);
        PUTL("\n  when ");
        switch (i % 8) {
        case 0:
        case 4:
            puts0(i % 8 == 0 ? "citation in listed and level is felony and disposition_date is before "
                            : "citation in listed and level is misdemeanor and disposition_date is before ");
            put_iso(days_from_civil(1970 + (int)(i / 8 % 40), 1 + (int)(i % 12), 1));
            PUTL("\n  then not_eligible\n");
            break;
        case 1:
            PUTL("citation in priors and disposition_date is on or after cutoff\n  then not_eligible\n");
            break;
        case 2:
            PUTL("citation in listed and disposition_date is on or after cutoff\n  then not_eligible\n");
            break;
        case 3:
            PUTL("citation in priors and level is felony\n  then needs_review\n");
            break;
        case 5:
            PUTL("citation in priors and level is misdemeanor and disposition_date is before ");
            put_iso(days_from_civil(1975 + (int)(i / 8 % 40), 1 + (int)(i % 12), 1));
            PUTL("\n  then needs_review\n");
            break;
        case 6:
            PUTL("citation in listed and level is infraction\n  then dismiss\n");
            break;
        default:
            PUTL("citation in listed and level is misdemeanor and age_at_conviction is less than ");
            put_uint(21 + i % 30, 1);
            PUTL("\n  then reduce\n");
            break;
        }
        PUTL("  because \"Generated rule ");
        put_uint(i + 1, 1);
        PUTL(".\"\n  citing HS 11361.8\n\n");
        out_row_done();
    }
    PUTL("otherwise needs_review\n"
         "  because \"No generated rule decided this conviction.\"\n"
         "  citing HS 11361.8\n");
}

/* ---- main ------------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: gen_doj [--rows N] [--seed S] [--simple] [--stats] [-o FILE]\n"
          "       gen_doj --policy RULES SETSIZE [-o FILE]\n"
          "       gen_doj --version\n"
          "\n"
          "Writes a synthetic CA DOJ criminal-history export of N rows (default 1000000)\n"
          "plus a header, 95 columns; --simple writes the same convictions in Lenity's\n"
          "simple CSV; --policy writes a policy of RULES rules and two citation sets of\n"
          "SETSIZE entries; --stats prints counts to standard error.\n",
          f);
}

static bool parse_u64(const char *s, uint64_t *out_v)
{
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || end == s || *end || s[0] == '-')
        return false;
    *out_v = v;
    return true;
}

int main(int argc, char **argv)
{
    uint64_t nrows_wanted = 1000000, seed = 1, prules = 0, pset = 0;
    bool simple = false, stats = false, policy = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        bool more = i + 1 < argc;
        if ((strcmp(a, "--rows") == 0 || strcmp(a, "-n") == 0) && more) {
            if (!parse_u64(argv[++i], &nrows_wanted))
                goto bad;
        } else if (strcmp(a, "--seed") == 0 && more) {
            if (!parse_u64(argv[++i], &seed))
                goto bad;
        } else if (strcmp(a, "-o") == 0 && more) {
            path = argv[++i];
        } else if (strcmp(a, "--simple") == 0) {
            simple = true;
        } else if (strcmp(a, "--stats") == 0) {
            stats = true;
        } else if (strcmp(a, "--policy") == 0 && i + 2 < argc) {
            policy = true;
            if (!parse_u64(argv[++i], &prules) || !parse_u64(argv[++i], &pset) || prules > 65000 ||
                pset > 500000)
                goto bad;
        } else if (strcmp(a, "--version") == 0) {
            printf("%d\n", GEN_VERSION);
            return 0;
        } else if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else {
            goto bad;
        }
    }

    out.fd = STDOUT_FILENO;
    if (path && strcmp(path, "-") != 0) {
        out.fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (out.fd < 0) {
            perror(path);
            return 1;
        }
    }

    if (policy) {
        write_policy((uint32_t)prules, (uint32_t)pset);
    } else {
        rng_state = seed * 0x2545F4914F6CDD1DULL + 1;
        day_end = days_from_civil(2023, 12, 31);
        for (size_t i = 0; i < NOFFENCES; i++)
            kind_weight[offences[i].kind] += offences[i].weight;
        for (size_t i = 0; i < NCOUNTIES; i++)
            county_total += counties[i].weight;
        if (simple)
            PUTL("person_id,date_of_birth,citation,level,disposition_date,county,sentence,case_id\n");
        else
            put(DOJ_HEADER, sizeof DOJ_HEADER - 1);
        uint64_t written = 0, subjects = 0;
        struct subject s;
        while (written < nrows_wanted) {
            make_subject(&s, (uint32_t)++subjects);
            uint32_t n = nrows;
            if (n == 0) {
                subjects--;
                continue;
            }
            if (written + n > nrows_wanted)
                n = (uint32_t)(nrows_wanted - written);
            if (simple) {
                put_simple_subject(&s, n);
            } else {
                for (uint32_t i = 0; i < n; i++) {
                    put_doj_row(&s, &rows[i]);
                    out_row_done();
                }
            }
            written += n;
        }
        out_flush();
        if (stats) {
            if (simple)
                fprintf(stderr, "rows %llu subjects %llu convictions %llu bytes %llu\n",
                        (unsigned long long)written, (unsigned long long)subjects,
                        (unsigned long long)stat_convictions, (unsigned long long)out.total);
            else
                fprintf(stderr, "rows %llu subjects %llu convictions %llu bytes %llu bytes_per_row %.1f "
                                "prop64_rows %llu prop64_convicted_rows %llu\n",
                        (unsigned long long)written, (unsigned long long)subjects,
                        (unsigned long long)stat_convictions, (unsigned long long)out.total,
                        written ? (double)out.total / (double)written : 0.0,
                        (unsigned long long)stat_prop64_rows, (unsigned long long)stat_prop64_conv_rows);
        }
    }
    out_flush();
    if (out.fd != STDOUT_FILENO && close(out.fd) != 0) {
        perror(path);
        return 1;
    }
    return 0;

bad:
    usage(stderr);
    return 2;
}
