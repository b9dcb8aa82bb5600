/*
 * quantity.h - amounts with units: weights (grams, ounces, pounds...) and
 * plant counts, converted exactly.
 *
 * A weight is held in picograms, an integer: one ounce is 28.349523125
 * grams exactly, so any weight written with up to three decimals of an
 * ounce (or nine of a gram) is held without rounding, and "1 ounce" is
 * "28.349523125 grams" to the last digit.  Plants are a count.  The two
 * never compare: the checker refuses "quantity is more than 6 plants".
 */
#ifndef LENITY_QUANTITY_H
#define LENITY_QUANTITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum quantity_dim { QUANTITY_MASS = 1, QUANTITY_PLANTS = 2 };

struct quantity {
    int64_t amount;     /* picograms, or plants */
    uint8_t dim;        /* enum quantity_dim */
};

/*
 * "28.5 grams", "1 ounce", "2.5 ounces", "1 pound", "500 milligrams",
 * "2 kilograms", "6 plants": a number (decimals allowed for weights, as many
 * as the unit allows exactly), spaces, a unit (singular or plural,
 * any letter case).  false with a reason in *why.
 */
bool quantity_parse(const char *text, size_t len, struct quantity *out, const char **why);
/* "28.5 grams", "6 plants", "1 plant"; returns the length (like snprintf). */
size_t quantity_format(struct quantity q, char *buf, size_t size);
int quantity_compare(struct quantity a, struct quantity b);

#endif
