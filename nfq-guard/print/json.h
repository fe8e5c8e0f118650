/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * json.h - the few JSON writing helpers nfq-guard's one-object-per-line
 * output needs.  Strings are always valid JSON: names are escaped first
 * (name_escape), then quoted.
 */
#ifndef NFQG_JSON_H
#define NFQG_JSON_H

#include <stdio.h>

#include "base/hostname.h"

/* A quoted JSON string of the NUL-terminated s; NULL prints null. */
void json_str(FILE *f, const char *s);

/* A name, escaped as in text output (\xHH), as a JSON string; NULL: null. */
void json_name(FILE *f, const struct name *n);

/* A key and separator: ,"key": (no comma when first is non-zero). */
void json_key(FILE *f, const char *key, int first);

#endif
