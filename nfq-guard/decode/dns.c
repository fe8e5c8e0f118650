/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns.c - a bounded DNS message reader (see dns.h): the header, the
 * questions and the A/AAAA/CNAME answers, every byte through the cursor.
 *
 * Message (RFC 1035 4.1), integers big-endian:
 *
 *   0      2       4        6        8        10       12
 *   +------+-------+--------+--------+--------+--------+-----------+---------+- - - - - - -
 *   |  id  | flags |qdcount |ancount |nscount |arcount | questions | answers | authority,
 *   +------+-------+--------+--------+--------+--------+-----------+---------+ additional
 *                                                                               (never read)
 *   flags:  |QR| opcode:4 |AA|TC|RD|RA| Z|AD|CD| rcode:4 |
 *
 * Question:     | name | type:16 | class:16 |
 * Resource rec: | name | type:16 | class:16 | ttl:32 | rdlength:16 | rdata |
 *
 * Name: labels, each a length byte (00xxxxxx, 1-63) and that many bytes,
 * ended by a zero byte or by a compression pointer to another name:
 *
 *   +---+---------+---+------+---+      +--+--+--------------+
 *   | 3 | w w w   | 7 | ...  | 0 |  or  |1 |1 | offset:14    |  (0x40, 0x80: reserved)
 *   +---+---------+---+------+---+      +--+--+--------------+
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/cursor.h"
#include "decode/dns.h"

#define DNS_HEADER_LEN 12
#define DNS_WIRE_NAME_MAX 255 /* RFC 1035 3.1: length bytes and labels, root included */
#define DNS_LABEL_MAX 63

#define DNS_LABEL_MASK 0xc0
#define DNS_LABEL_NORMAL 0x00
#define DNS_LABEL_POINTER 0xc0

#define DNS_FLAG_QR 0x8000
#define DNS_FLAG_TC 0x0200
#define DNS_OPCODE(flags) (((flags) >> 11) & 0xf)
#define DNS_RCODE(flags) ((flags)&0xf)

/* RFC 2181 8: a TTL with the top bit set is to be treated as zero. */
#define DNS_TTL_NEGATIVE 0x80000000u

/*
 * dns_name_read - read the name at *c, which is at offset start of the
 * message msg, into *n; *c is left after the name's own bytes (its final
 * zero byte or its first pointer).  c may be a sub-cursor (an RR's rdata):
 * running out of it is DNS_TRUNCATED, and the caller decides what that
 * means there.  Pointers are read from msg.
 *
 * A pointer must point before the start of the labels being read (the
 * name's start, then the previous pointer's target), so the targets
 * strictly decrease: no loop, no forward reference, whatever the bytes
 * are.  DNS_MAX_POINTER_HOPS bounds the work per name on top of that.
 *
 * The root name (a lone zero byte) is stored as an empty name (len 0):
 * name_set() refuses empty names, yet the root is a valid owner or
 * question, e.g. in a query for the root servers.  No rule matches it.
 */
static enum dns_status dns_name_read(const struct cursor *msg, struct cursor *c, size_t start,
				     struct name *n)
{
	uint8_t buf[DNS_WIRE_NAME_MAX];
	struct cursor jump, *rd = c;
	size_t limit = start, wire = 0, len = 0;
	unsigned int hops = 0;

	for (;;) {
		uint8_t b, lab, i;

		if (!cur_u8(rd, &b))
			return DNS_TRUNCATED;
		switch (b & DNS_LABEL_MASK) {
		case DNS_LABEL_NORMAL:
			break;
		case DNS_LABEL_POINTER: {
			uint8_t lo;
			size_t target;

			if (!cur_u8(rd, &lo))
				return DNS_TRUNCATED;
			target = (size_t)(b & 0x3f) << 8 | lo;
			if (target >= limit || ++hops > DNS_MAX_POINTER_HOPS)
				return DNS_MALFORMED;
			/* target < limit <= start <= the message length: cannot fail */
			jump = *msg;
			if (!cur_skip(&jump, target))
				return DNS_MALFORMED;
			rd = &jump;
			limit = target;
			continue;
		}
		default:
			/* 0x40 (extended label, RFC 6891) and 0x80: unsupported */
			return DNS_MALFORMED;
		}

		lab = b;
		if (lab == 0)
			break;
		/* this label, its length byte and the final root byte must fit */
		if (wire + 1 + lab + 1 > DNS_WIRE_NAME_MAX)
			return DNS_MALFORMED;
		wire += 1 + lab;
		if (len > 0)
			buf[len++] = '.';
		for (i = 0; i < lab; i++) {
			if (!cur_u8(rd, &b))
				return DNS_TRUNCATED;
			/* "a.b" as one label would read as two: refuse it */
			if (b == '.')
				return DNS_MALFORMED;
			buf[len++] = b;
		}
	}

	if (len == 0) {
		n->len = 0;
		n->s[0] = '\0';
		return DNS_OK;
	}
	/* wire <= 254 leaves at most 253 text bytes: name_set() cannot fail */
	return name_set(n, buf, len) == 0 ? DNS_OK : DNS_MALFORMED;
}

/* The offset of c's next byte in msg; c must reach to the message's end. */
static size_t dns_offset(const struct cursor *msg, const struct cursor *c)
{
	return cur_left(msg) - cur_left(c);
}

static enum dns_status dns_question_read(const struct cursor *msg, struct cursor *c,
					 struct dns_question *q)
{
	enum dns_status st;

	st = dns_name_read(msg, c, dns_offset(msg, c), &q->name);
	if (st != DNS_OK)
		return st;
	if (!cur_u16be(c, &q->type) || !cur_u16be(c, &q->class))
		return DNS_TRUNCATED;
	return DNS_OK;
}

/*
 * dns_rr_read - read one answer record at *c into *rr.  *keep tells whether
 * it is one of ours (an A, AAAA or CNAME of class IN); those have their
 * rdata checked even when they will not be kept, so that a message is OK
 * or not whatever the bounds.
 */
static enum dns_status dns_rr_read(const struct cursor *msg, struct cursor *c, struct dns_rr *rr,
				   bool *keep)
{
	struct cursor rdata;
	uint16_t rdlength;
	size_t rdstart;
	enum dns_status st;

	*keep = false;
	st = dns_name_read(msg, c, dns_offset(msg, c), &rr->name);
	if (st != DNS_OK)
		return st;
	if (!cur_u16be(c, &rr->type) || !cur_u16be(c, &rr->class) || !cur_u32be(c, &rr->ttl) ||
	    !cur_u16be(c, &rdlength))
		return DNS_TRUNCATED;
	rdstart = dns_offset(msg, c);
	if (!cur_sub(c, rdlength, &rdata))
		return DNS_TRUNCATED;
	if (rr->ttl & DNS_TTL_NEGATIVE)
		rr->ttl = 0;
	if (rr->class != DNS_CLASS_IN)
		return DNS_OK;

	switch (rr->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA: {
		size_t i, alen = rr->type == DNS_TYPE_A ? 4 : 16;

		if (rdlength != alen)
			return DNS_MALFORMED;
		for (i = 0; i < alen; i++)
			if (!cur_u8(&rdata, &rr->addr[i]))
				return DNS_MALFORMED;
		break;
	}
	case DNS_TYPE_CNAME:
		/* the target must end exactly where rdlength says */
		st = dns_name_read(msg, &rdata, rdstart, &rr->target);
		if (st != DNS_OK)
			return DNS_MALFORMED;
		if (cur_left(&rdata) != 0)
			return DNS_MALFORMED;
		break;
	default:
		return DNS_OK;
	}
	*keep = true;
	return DNS_OK;
}

/*
 * *out is written while parsing: it is valid only when DNS_OK is returned,
 * and holds garbage otherwise.  Questions and answers past the bounds are
 * read into a scratch entry, so they are validated like the others.
 */
enum dns_status dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	struct cursor whole, c;
	struct dns_question qscratch;
	struct dns_rr rrscratch;
	uint16_t flags;
	unsigned int i;
	enum dns_status st;

	cur_init(&whole, msg, len);
	c = whole;
	out->nquestions = 0;
	out->nanswers = 0;
	out->skipped = 0;
	/* nscount and arcount: the sections are never read */
	if (!cur_u16be(&c, &out->id) || !cur_u16be(&c, &flags) || !cur_u16be(&c, &out->qdcount) ||
	    !cur_u16be(&c, &out->ancount) || !cur_skip(&c, 4))
		return DNS_TRUNCATED;
	out->qr = (flags & DNS_FLAG_QR) != 0;
	out->tc = (flags & DNS_FLAG_TC) != 0;
	out->opcode = (uint8_t)DNS_OPCODE(flags);
	out->rcode = (uint8_t)DNS_RCODE(flags);

	for (i = 0; i < out->qdcount; i++) {
		bool keep = out->nquestions < DNS_MAX_QUESTIONS;

		st = dns_question_read(&whole, &c, keep ? &out->q[out->nquestions] : &qscratch);
		if (st != DNS_OK)
			return st;
		if (keep)
			out->nquestions++;
	}

	for (i = 0; i < out->ancount; i++) {
		bool room = out->nanswers < DNS_MAX_ANSWERS, ours;

		st = dns_rr_read(&whole, &c, room ? &out->an[out->nanswers] : &rrscratch, &ours);
		if (st != DNS_OK)
			return st;
		if (room && ours)
			out->nanswers++;
		else
			out->skipped++;
	}
	return DNS_OK;
}

enum dns_status dns_parse_tcp(const uint8_t *stream, size_t len, struct dns_msg *out, size_t *used)
{
	struct cursor c, body;
	uint16_t msglen;

	cur_init(&c, stream, len);
	if (!cur_u16be(&c, &msglen))
		return DNS_NEED_MORE;
	/* No more bytes can make an empty message whole: refuse it now. */
	if (msglen == 0) {
		if (used)
			*used = 2;
		return DNS_MALFORMED;
	}
	if (!cur_sub(&c, msglen, &body))
		return DNS_NEED_MORE;
	if (used)
		*used = 2 + (size_t)msglen;
	return dns_parse(cur_ptr(&body), cur_left(&body), out);
}

const char *dns_status_str(enum dns_status st)
{
	static const char *const str[] = {
		[DNS_OK] = "ok",
		[DNS_NEED_MORE] = "need more",
		[DNS_TRUNCATED] = "truncated",
		[DNS_MALFORMED] = "malformed",
	};

	if ((unsigned int)st < sizeof(str) / sizeof(str[0]) && str[st])
		return str[st];
	return "unknown";
}

const char *dns_type_str(uint16_t type)
{
	switch (type) {
	case DNS_TYPE_A:
		return "A";
	case DNS_TYPE_AAAA:
		return "AAAA";
	case DNS_TYPE_CNAME:
		return "CNAME";
	default:
		return NULL;
	}
}
