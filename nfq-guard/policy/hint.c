// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hint.c - what an admin most likely meant: the cause of a syntax error
 * libconfig reports as bare "syntax error", read from the line it names
 * (and the one before), and the known name nearest to a misspelt one.
 */
#include <ctype.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "policy/internal.h"

/* Expanded line n of the text: where it starts and how long it is (no newline). */
static bool text_line(const struct ctx *c, unsigned int n, const char **p, size_t *len)
{
	const char *end;

	if (n < 1 || n > c->nmap)
		return false;
	*p = c->text + c->map[n - 1].off;
	end = memchr(*p, '\n', c->len - c->map[n - 1].off);
	*len = end ? (size_t)(end - *p) : c->len - c->map[n - 1].off;
	return true;
}

/*
 * Step a string literal's state over p[*i] (an escaped byte skipped with
 * its backslash): true when p[*i] is code, outside any literal and no
 * quote.
 */
static bool outside_string(const char *p, size_t len, size_t *i, bool *in_str)
{
	if (*in_str) {
		if (p[*i] == '\\' && *i + 1 < len)
			(*i)++;
		else if (p[*i] == '"')
			*in_str = false;
		return false;
	}
	if (p[*i] == '"') {
		*in_str = true;
		return false;
	}
	return true;
}

/*
 * The line without its comment (# or //, outside strings): how long what
 * is left is, trailing blanks dropped.
 */
static size_t code_len(const char *p, size_t len)
{
	bool in_str = false;
	size_t i, end = len;

	for (i = 0; i < len; i++) {
		if (!outside_string(p, len, &i, &in_str))
			continue;
		if (p[i] == '#' || (p[i] == '/' && i + 1 < len && p[i + 1] == '/')) {
			end = i;
			break;
		}
	}
	while (end > 0 && isspace((unsigned char)p[end - 1]))
		end--;
	return end;
}

/* The last line before n with code on it, or 0. */
static unsigned int code_line_before(const struct ctx *c, unsigned int n)
{
	const char *p;
	size_t len;

	while (--n >= 1)
		if (text_line(c, n, &p, &len) && code_len(p, len) > 0)
			return n;
	return 0;
}

static bool is_word_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' || ch == '.' || ch == '*';
}

/* A bare word after "=" or ":" that is no number nor boolean: its column, else 0. */
static unsigned int unquoted_value(const char *p, size_t len)
{
	bool in_str = false;

	for (size_t i = 0; i < len; i++) {
		size_t j, w;

		if (!outside_string(p, len, &i, &in_str))
			continue;
		if (p[i] != '=' && p[i] != ':')
			continue;
		for (j = i + 1; j < len && (p[j] == ' ' || p[j] == '\t'); j++)
			;
		for (w = j; w < len && is_word_char(p[w]); w++)
			;
		if (w > j && isalpha((unsigned char)p[j]) &&
		    !((w - j == 4 && !strncasecmp(p + j, "true", 4)) ||
		      (w - j == 5 && !strncasecmp(p + j, "false", 5))))
			return (unsigned int)j + 1;
	}
	return 0;
}

/* A "," before a closing bracket on the line: the bracket's column, else 0. */
static unsigned int comma_before_close(const char *p, size_t len, char *close)
{
	bool in_str = false;
	size_t last_comma = (size_t)-1;

	for (size_t i = 0; i < len; i++) {
		if (!outside_string(p, len, &i, &in_str)) {
			last_comma =
				(size_t)-1; /* a string between: the comma is no trailing one */
		} else if (p[i] == ',') {
			last_comma = i;
		} else if ((p[i] == ')' || p[i] == ']' || p[i] == '}') &&
			   last_comma != (size_t)-1) {
			*close = p[i];
			return (unsigned int)i + 1;
		} else if (!isspace((unsigned char)p[i])) {
			last_comma = (size_t)-1;
		}
	}
	return 0;
}

const char *hint_syntax(const struct ctx *c, unsigned int n, unsigned int *col, char *buf,
			size_t bufsz)
{
	const char *p, *q, *at;
	size_t len, qlen, code;
	unsigned int before, k, first;
	char close = 0;

	*col = 0;
	if (!text_line(c, n, &p, &len))
		return NULL;
	code = code_len(p, len);
	/* an @include that does not begin its line reaches libconfig as is */
	at = memmem(p, code, "@include", 8);
	if (at) {
		*col = (unsigned int)(at - p) + 1;
		return "@include must stand alone on its line";
	}
	k = comma_before_close(p, code, &close);
	if (k) {
		*col = k;
		snprintf(buf, bufsz, "trailing comma before '%c'", close);
		return buf;
	}
	/* the line opens with a closing bracket, the one before ended with a comma */
	for (first = 0; first < code && isspace((unsigned char)p[first]); first++)
		;
	k = first;
	before = code_line_before(c, n);
	if (k < code && strchr(")]}", p[k]) && before && text_line(c, before, &q, &qlen) &&
	    (qlen = code_len(q, qlen)) > 0 && q[qlen - 1] == ',') {
		if (c->map[before - 1].file == c->map[n - 1].file)
			snprintf(buf, bufsz, "trailing comma before '%c' (line %u ends with it)",
				 p[k], c->map[before - 1].line);
		else
			snprintf(buf, bufsz, "trailing comma before '%c' (%s:%u ends with it)",
				 p[k], c->files[c->map[before - 1].file], c->map[before - 1].line);
		return buf;
	}
	k = unquoted_value(p, code);
	if (k) {
		*col = k;
		return "string values need quotes";
	}
	/* a group or list opens the line, another element ended the one before */
	if (first < code && (p[first] == '{' || p[first] == '(') && before &&
	    text_line(c, before, &q, &qlen) && (qlen = code_len(q, qlen)) > 0 &&
	    strchr("})]\"", q[qlen - 1]))
		return "missing comma between list elements";
	/* two groups or lists side by side: a missing comma between list elements */
	for (k = 0; k + 1 < code; k++) {
		size_t j = k + 1;

		if (p[k] != '}' && p[k] != ')' && p[k] != ']' && p[k] != '"')
			continue;
		while (j < code && isspace((unsigned char)p[j]))
			j++;
		if (j < code && (p[j] == '{' || p[j] == '(')) {
			*col = (unsigned int)j + 1;
			return "missing comma between list elements";
		}
	}
	return NULL;
}

/* libconfig's error, with what likely caused a bare "syntax error". */
void hint_config_error(struct ctx *c, const config_t *cfg)
{
	const char *msg = config_error_text(cfg), *why;
	unsigned int n = (unsigned int)config_error_line(cfg), col;
	char buf[PATH_MAX + 96];

	if (strstr(msg, "mismatched element type")) {
		ctx_err_line(c, n,
			     "%s (an array [ ] holds one type: use a list ( ) to mix numbers "
			     "and strings)",
			     msg);
		return;
	}
	why = strcmp(msg, "syntax error") ? NULL : hint_syntax(c, n, &col, buf, sizeof(buf));
	if (why && col)
		ctx_err_line(c, n, "%s: %s (column %u)", msg, why, col);
	else if (why)
		ctx_err_line(c, n, "%s: %s", msg, why);
	else
		ctx_err_line(c, n, "%s", msg);
}

/*
 * Two string literals with only blanks or comments between them: libconfig
 * joins them into one ("a" "b" is "ab"), which in a policy is a comma
 * forgotten between list elements.  True when one was reported.
 */
bool hint_joined_strings(struct ctx *c)
{
	const char *t = c->text ? c->text : "";
	unsigned int line = 1, end_line = 0;
	bool in_str = false, after_str = false, found = false;

	for (size_t i = 0; t[i]; i++) {
		char ch = t[i];

		if (in_str) {
			if (ch == '\\' && t[i + 1])
				i++;
			else if (ch == '"') {
				in_str = false;
				after_str = true;
				end_line = line;
			} else if (ch == '\n')
				line++;
			continue;
		}
		if (ch == '\n') {
			line++;
		} else if (ch == '#' || (ch == '/' && t[i + 1] == '/')) {
			while (t[i + 1] && t[i + 1] != '\n')
				i++;
		} else if (ch == '/' && t[i + 1] == '*') {
			for (i += 2; t[i] && !(t[i] == '*' && t[i + 1] == '/'); i++)
				line += t[i] == '\n';
			if (!t[i])
				break;
			i++;
		} else if (ch == '"') {
			if (after_str && !found) {
				ctx_err_line(c, end_line,
					     "missing comma between list elements (strings side by "
					     "side are joined into one)");
				found = true;
			}
			in_str = true;
		} else if (ch != ' ' && ch != '\t' && ch != '\r') {
			after_str = false;
		}
	}
	return found;
}

/*
 * The edit distance of a and b (optimal string alignment: an insertion, a
 * deletion, a substitution or two letters swapped each count one), or a
 * number past max.
 */
static unsigned int distance(const char *a, const char *b, unsigned int max)
{
	unsigned int d[3][POLICY_NAME_MAX + 1], la = (unsigned int)strlen(a),
						lb = (unsigned int)strlen(b);

	if (la > POLICY_NAME_MAX || lb > POLICY_NAME_MAX || (la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (unsigned int j = 0; j <= lb; j++)
		d[0][j] = j;
	for (unsigned int i = 1; i <= la; i++) {
		unsigned int *cur = d[i % 3], *prev = d[(i - 1) % 3], *prev2 = d[(i + 1) % 3];

		cur[0] = i;
		for (unsigned int j = 1; j <= lb; j++) {
			unsigned int best = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < best)
				best = prev[j] + 1;
			if (cur[j - 1] + 1 < best)
				best = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < best)
				best = prev2[j - 2] + 1;
			cur[j] = best;
		}
	}
	return d[la % 3][lb];
}

const char *hint_near(const char *word, const char *(*name)(const void *arg, size_t i),
		      const void *arg)
{
	unsigned int len = (unsigned int)strlen(word), max = len <= 3 ? 1 : len <= 6 ? 2 : 3;
	unsigned int best = max + 1;
	const char *pick = NULL, *cand;

	for (size_t i = 0; (cand = name(arg, i)); i++) {
		unsigned int d = distance(word, cand, max);

		if (d < best) {
			best = d;
			pick = cand;
		} else if (d == best && pick && strcmp(pick, cand)) {
			pick = NULL; /* two as near: no guess */
		}
	}
	return best <= max ? pick : NULL;
}

const char *hint_device_name(const void *arg, size_t i)
{
	const struct policy *p = arg;

	return i < p->ndevices ? p->devices[i].name : NULL;
}

const char *hint_network_name(const void *arg, size_t i)
{
	const struct policy *p = arg;

	if (i < p->nnetworks)
		return p->networks[i].name;
	i -= p->nnetworks;
	return i == 0 ? "wan" : i == 1 ? "any" : NULL;
}
