/* SPDX-License-Identifier: GPL-2.0-or-later */
/* json.c - JSON output helpers (see json.h). */
#include "print/json.h"

void json_str(FILE *f, const char *s)
{
	const unsigned char *p;

	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

void json_name(FILE *f, const struct name *n)
{
	char esc[NAME_ESCAPED_MAX];

	if (!n) {
		fputs("null", f);
		return;
	}
	name_escape(n, esc, sizeof(esc));
	json_str(f, esc);
}

void json_key(FILE *f, const char *key, int first)
{
	if (!first)
		fputc(',', f);
	json_str(f, key);
	fputc(':', f);
}
