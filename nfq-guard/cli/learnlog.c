/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * learnlog.c - an event-log line into a struct learn_flow (see learnlog.h).
 * json-c parses, strictly and with a depth bound; each field is then held
 * to what the daemon writes (print/event.c), so that a line that is not
 * one of its decisions is malformed, never half-read.
 */
#include <json-c/json_object.h>
#include <json-c/json_tokener.h>
#include <stdlib.h>
#include <string.h>

#include "base/netaddr.h"
#include "base/proto.h"
#include "cli/learnlog.h"
#include "policy/vendors.h"

struct learn_parser {
	struct json_tokener *tok;
	struct json_object *obj; /* the last line's, which *f points into */
};

struct learn_parser *learn_parser_new(void)
{
	struct learn_parser *lp = calloc(1, sizeof(*lp));

	if (!lp)
		return NULL;
	lp->tok = json_tokener_new_ex(LEARN_JSON_DEPTH);
	if (!lp->tok) {
		free(lp);
		return NULL;
	}
	json_tokener_set_flags(lp->tok, JSON_TOKENER_STRICT);
	return lp;
}

void learn_parser_free(struct learn_parser *lp)
{
	if (!lp)
		return;
	json_object_put(lp->obj);
	json_tokener_free(lp->tok);
	free(lp);
}

/* The n digits at s as a number, or -1. */
static long digits(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* Days since 1970-01-01 of a date of the proleptic Gregorian calendar (H. Hinnant's). */
static long days_from_civil(long y, long m, long d)
{
	long era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int learn_parse_time(const char *s, size_t n, uint64_t *us)
{
	static const unsigned char mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	long y, mo, d, h, mi, se, frac = 0, days;
	size_t i, fn = 0;

	if (n < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' ||
	    s[n - 1] != 'Z')
		return -1;
	y = digits(s, 4);
	mo = digits(s + 5, 2);
	d = digits(s + 8, 2);
	h = digits(s + 11, 2);
	mi = digits(s + 14, 2);
	se = digits(s + 17, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > mdays[mo - 1] || h < 0 || h > 23 ||
	    mi < 0 || mi > 59 || se < 0 || se > 60 ||
	    (mo == 2 && d == 29 && (y % 4 || (y % 100 == 0 && y % 400))))
		return -1;
	if (n > 20) {
		if (s[19] != '.' || n - 21 < 1 || n - 21 > 9 || (frac = digits(s + 20, n - 21)) < 0)
			return -1;
		for (fn = n - 21, i = fn; i < 6; i++)
			frac *= 10;
		for (i = 6; i < fn; i++)
			frac /= 10;
	}
	days = days_from_civil(y, mo, d);
	*us = ((uint64_t)days * 86400u + (uint64_t)(h * 3600 + mi * 60 + se)) * 1000000u +
	      (uint64_t)frac;
	return 0;
}

enum want { WANT_STRING, WANT_INT };

/*
 * The member key of o: 1 with *v set, 0 when absent or null, -1 when of
 * another type than w.
 */
static int member(struct json_object *o, const char *key, enum want w, struct json_object **v)
{
	enum json_type t;

	if (!json_object_object_get_ex(o, key, v) || !*v)
		return 0;
	t = json_object_get_type(*v);
	if (t == json_type_null)
		return 0;
	return t == (w == WANT_STRING ? json_type_string : json_type_int) ? 1 : -1;
}

/* A string member as bytes (s NULL when absent or null); -1 for another type. */
static int member_bytes(struct json_object *o, const char *key, struct learn_bytes *b)
{
	struct json_object *v;
	int rc = member(o, key, WANT_STRING, &v);

	b->s = NULL;
	b->len = 0;
	if (rc == 1) {
		b->s = json_object_get_string(v);
		b->len = (size_t)json_object_get_string_len(v);
	}
	return rc < 0 ? -1 : 0;
}

static int parse_action(const struct learn_bytes *b, enum action *a)
{
	static const char *const names[] = { "allow", "drop", "reject", "log" };
	size_t i;

	for (i = 0; i < 4; i++)
		if (b->s && b->len == strlen(names[i]) && !memcmp(b->s, names[i], b->len)) {
			*a = (enum action)i;
			return 0;
		}
	return -1;
}

static int parse_proto(const struct learn_bytes *b, int *proto)
{
	long v;
	int p;

	*proto = LEARN_PROTO_NONE;
	if (!b->s)
		return 0;
	for (p = 0; p < 256; p++) {
		const char *s = proto_str((uint8_t)p);

		if (s && b->len == strlen(s) && !memcmp(b->s, s, b->len)) {
			*proto = p;
			return 0;
		}
	}
	if (b->len < 1 || b->len > 3 || (v = digits(b->s, b->len)) < 0 || v > 255)
		return -1;
	*proto = (int)v;
	return 0;
}

/* An address member (null: family 0); -1 when it is no address. */
static int parse_addr(struct json_object *o, const char *key, uint8_t *family, uint8_t addr[16])
{
	char buf[64];
	struct learn_bytes b;

	*family = 0;
	memset(addr, 0, 16);
	if (member_bytes(o, key, &b))
		return -1;
	if (!b.s)
		return 0;
	if (b.len >= sizeof(buf) || memchr(b.s, '\0', b.len))
		return -1;
	memcpy(buf, b.s, b.len);
	buf[b.len] = '\0';
	return addr_parse(buf, family, addr) ? -1 : 0;
}

static int parse_mac(struct json_object *o, struct learn_flow *f)
{
	char buf[18];
	struct learn_bytes b;

	f->has_mac = false;
	if (member_bytes(o, "mac", &b))
		return -1;
	if (!b.s)
		return 0;
	if (b.len != 17)
		return -1;
	memcpy(buf, b.s, 17);
	buf[17] = '\0';
	if (mac_parse(buf, f->mac))
		return -1;
	f->has_mac = true;
	return 0;
}

/* dport and repeated: integers in their ranges, or absent. */
static int parse_counts(struct json_object *o, struct learn_flow *f, const char **why)
{
	struct json_object *v;
	int64_t n;
	int rc;

	f->dport = LEARN_PORT_NONE;
	if ((rc = member(o, "dport", WANT_INT, &v)) < 0 ||
	    (rc == 1 && ((n = json_object_get_int64(v)) < 0 || n > 65535))) {
		*why = "\"dport\" is no port";
		return -1;
	}
	if (rc == 1)
		f->dport = (int)n;
	f->count = 1;
	if ((rc = member(o, "repeated", WANT_INT, &v)) < 0 ||
	    (rc == 1 && ((n = json_object_get_int64(v)) < 1 || n > UINT32_MAX))) {
		*why = "\"repeated\" is no count";
		return -1;
	}
	if (rc == 1)
		f->count = (uint64_t)n; /* the line is the last of them: N decisions in all */
	return 0;
}

/* The fields of a decision object into *f: 0, or -1 with *why. */
static int parse_decision(struct json_object *o, struct learn_flow *f, const char **why)
{
	struct learn_bytes ts, action, proto;

	memset(f, 0, sizeof(*f));
	if (member_bytes(o, "ts", &ts) || !ts.s || learn_parse_time(ts.s, ts.len, &f->ts_us)) {
		*why = "no \"ts\", or not a time";
		return -1;
	}
	if (member_bytes(o, "action", &action) || parse_action(&action, &f->action)) {
		*why = "no \"action\", or not allow, drop, reject or log";
		return -1;
	}
	if (member_bytes(o, "rule", &f->rule) || member_bytes(o, "device", &f->group) ||
	    member_bytes(o, "label", &f->label) || member_bytes(o, "name", &f->name)) {
		*why = "\"rule\", \"device\", \"label\" or \"name\" is not a string";
		return -1;
	}
	if (parse_mac(o, f)) {
		*why = "\"mac\" is no MAC address";
		return -1;
	}
	if (parse_addr(o, "src", &f->src_family, f->src) ||
	    parse_addr(o, "dst", &f->family, f->dst)) {
		*why = "\"src\" or \"dst\" is no address";
		return -1;
	}
	if (member_bytes(o, "proto", &proto) || parse_proto(&proto, &f->proto)) {
		*why = "\"proto\" is no protocol";
		return -1;
	}
	return parse_counts(o, f, why);
}

enum learn_line learn_parse_line(struct learn_parser *lp, const char *line, size_t len,
				 struct learn_flow *f, const char **why)
{
	struct learn_bytes ev;
	size_t end;

	json_object_put(lp->obj);
	lp->obj = NULL;
	while (len && (line[len - 1] == ' ' || line[len - 1] == '\t' || line[len - 1] == '\r'))
		len--;
	for (end = 0; end < len && (line[end] == ' ' || line[end] == '\t'); end++)
		;
	if (end == len)
		return LEARN_LINE_BLANK;
	if (len > INT32_MAX) {
		*why = "too long";
		return LEARN_LINE_MALFORMED;
	}
	json_tokener_reset(lp->tok);
	lp->obj = json_tokener_parse_ex(lp->tok, line, (int)len);
	if (!lp->obj || json_tokener_get_error(lp->tok) != json_tokener_success ||
	    json_tokener_get_parse_end(lp->tok) != len) {
		*why = json_tokener_get_error(lp->tok) == json_tokener_continue ?
			       "not JSON: cut short" :
		       json_tokener_get_error(lp->tok) == json_tokener_error_depth ?
			       "not JSON: nested too deep" :
			       "not JSON";
		return LEARN_LINE_MALFORMED;
	}
	if (!json_object_is_type(lp->obj, json_type_object)) {
		*why = "not a JSON object";
		return LEARN_LINE_MALFORMED;
	}
	if (member_bytes(lp->obj, "event", &ev) || !ev.s) {
		*why = "no \"event\"";
		return LEARN_LINE_MALFORMED;
	}
	if (ev.len != 8 || memcmp(ev.s, "decision", 8))
		return LEARN_LINE_OTHER;
	return parse_decision(lp->obj, f, why) ? LEARN_LINE_MALFORMED : LEARN_LINE_DECISION;
}
