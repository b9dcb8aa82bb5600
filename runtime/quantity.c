/* quantity.c - weights and plant counts, exactly; see quantity.h. */
#include "quantity.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#define PICO 1000000000000LL /* picograms in a gram */

static const struct unit {
    const char *singular, *plural;
    enum quantity_dim dim;
    int64_t per;        /* picograms (or plants) in one of the unit */
} units[] = {
    {"milligram", "milligrams", QUANTITY_MASS, PICO / 1000},
    {"gram", "grams", QUANTITY_MASS, PICO},
    {"kilogram", "kilograms", QUANTITY_MASS, PICO * 1000},
    {"ounce", "ounces", QUANTITY_MASS, 28349523125000LL},   /* 28.349523125 g, by definition */
    {"pound", "pounds", QUANTITY_MASS, 453592370000000LL},  /* 453.59237 g, by definition */
    {"plant", "plants", QUANTITY_PLANTS, 1},
};

bool quantity_parse(const char *text, size_t len, struct quantity *out, const char **why)
{
    const char *reason = "write an amount and a unit, e.g. 28.5 grams, 1 ounce or 6 plants";
    size_t i = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t'))
        i++;
    int64_t whole = 0, frac = 0, scale = 1;
    size_t digits = 0;
    while (i < len && isdigit((unsigned char)text[i])) {
        if (whole > 100000000000LL)
            goto too_big;
        whole = whole * 10 + (text[i++] - '0');
        digits++;
    }
    if (digits == 0)
        goto fail;
    if (i < len && text[i] == '.') {
        i++;
        size_t fdigits = 0;
        while (i < len && isdigit((unsigned char)text[i])) {
            if (fdigits >= 12) {
                reason = "too many decimals to hold exactly";
                goto fail;
            }
            frac = frac * 10 + (text[i++] - '0');
            scale *= 10;
            fdigits++;
        }
        if (fdigits == 0)
            goto fail;
    }
    size_t spaces = 0;
    while (i < len && (text[i] == ' ' || text[i] == '\t')) {
        i++;
        spaces++;
    }
    size_t end = len;
    while (end > i && (text[end - 1] == ' ' || text[end - 1] == '\t'))
        end--;
    if (spaces == 0 || end == i)
        goto fail;
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        const struct unit *un = &units[u];
        size_t n = end - i;
        if (!((strlen(un->singular) == n && strncasecmp(text + i, un->singular, n) == 0) ||
              (strlen(un->plural) == n && strncasecmp(text + i, un->plural, n) == 0)))
            continue;
        if (un->dim == QUANTITY_PLANTS && scale != 1) {
            reason = "plants are counted in whole numbers";
            goto fail;
        }
        int64_t amount;
        if (__builtin_mul_overflow(whole, un->per, &amount))
            goto too_big;
        /* the fraction must come out whole in picograms, or the amount is not held exactly */
        __int128 f = (__int128)frac * un->per;
        if (f % scale != 0) {
            reason = "more decimals than can be held exactly (a weight is held to the picogram, a millionth of a microgram); write fewer decimals";
            goto fail;
        }
        if (__builtin_add_overflow(amount, (int64_t)(f / scale), &amount))
            goto too_big;
        out->amount = amount;
        out->dim = (uint8_t)un->dim;
        if (why)
            *why = NULL;
        return true;
    }
    reason = "the unit is not one Lenity knows: milligrams, grams, kilograms, ounces, pounds or plants";
fail:
    if (why)
        *why = reason;
    return false;
too_big:
    if (why)
        *why = "the amount is too large";
    return false;
}

size_t quantity_format(struct quantity q, char *buf, size_t size)
{
    if (q.dim == QUANTITY_PLANTS)
        return (size_t)snprintf(buf, size, "%lld %s", (long long)q.amount, q.amount == 1 ? "plant" : "plants");
    int64_t whole = q.amount / PICO, frac = q.amount % PICO;
    if (frac < 0)
        frac = -frac;
    char decimals[16] = "";
    if (frac != 0) {
        snprintf(decimals, sizeof decimals, ".%012lld", (long long)frac);
        size_t n = strlen(decimals);
        while (n > 1 && decimals[n - 1] == '0')
            decimals[--n] = '\0';
    }
    bool one = whole == 1 && frac == 0;
    return (size_t)snprintf(buf, size, "%lld%s %s", (long long)whole, decimals, one ? "gram" : "grams");
}

int quantity_compare(struct quantity a, struct quantity b)
{
    return (a.amount > b.amount) - (a.amount < b.amount);
}
