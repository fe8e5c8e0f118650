/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns.c - a bounded DNS message reader (see dns.h): the header, the
 * questions and every record, every byte through the cursor; the records
 * that map names to addresses are indexed by offset in a copy of the
 * message and decoded again on demand (dns_record).
 *
 * Message (RFC 1035 4.1), integers big-endian:
 *
 *   0      2       4        6        8        10       12
 *   +------+-------+--------+--------+--------+--------+-----------+---------+- - - - - - -
 *   |  id  | flags |qdcount |ancount |nscount |arcount | questions | answers | authority,
 *   +------+-------+--------+--------+--------+--------+-----------+---------+ additional
 *                                                                         (authority: read over)
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
#include <string.h>

#include "base/cursor.h"
#include "decode/dns.h"

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

/* The offset in msg of c's next byte; c is msg or a cursor inside it. */
static size_t dns_at(const struct cursor *msg, const struct cursor *c)
{
	return (size_t)(cur_ptr(c) - cur_ptr(msg));
}

static enum dns_status dns_question_read(const struct cursor *msg, struct cursor *c,
					 struct dns_question *q)
{
	enum dns_status st;

	st = dns_name_read(msg, c, dns_at(msg, c), &q->name);
	if (st != DNS_OK)
		return st;
	if (!cur_u16be(c, &q->type) || !cur_u16be(c, &q->class))
		return DNS_TRUNCATED;
	return DNS_OK;
}

/* A name that must end exactly where the rdata does (CNAME, SRV). */
static enum dns_status dns_rdata_name(const struct cursor *msg, struct cursor *rd, struct name *n)
{
	if (dns_name_read(msg, rd, dns_at(msg, rd), n) != DNS_OK || cur_left(rd) != 0)
		return DNS_MALFORMED;
	return DNS_OK;
}

#define SVCB_KEY_IPV4HINT 4
#define SVCB_KEY_IPV6HINT 6

/*
 * SVCB and HTTPS rdata (RFC 9460 2.2): | priority:16 | target | params |,
 * each param | key:16 | length:16 | value |, keys strictly increasing.
 * A target "." is the owner itself in service mode, nowhere in alias mode
 * (priority 0), whose params are ignored unread.  Hints are lists of
 * addresses.
 */
static enum dns_status dns_svcb_read(const struct cursor *msg, struct cursor *rd, struct dns_rr *rr)
{
	uint32_t last = 0x10000; /* no key yet */

	if (!cur_u16be(rd, &rr->priority) ||
	    dns_name_read(msg, rd, dns_at(msg, rd), &rr->target) != DNS_OK)
		return DNS_MALFORMED;
	if (rr->priority == 0)
		return DNS_OK; /* alias mode: its params are to be ignored, unread */
	if (rr->target.len == 0)
		rr->target = rr->name;
	while (cur_left(rd) > 0) {
		uint16_t key, vlen, voff;

		if (!cur_u16be(rd, &key) || !cur_u16be(rd, &vlen))
			return DNS_MALFORMED;
		if (last != 0x10000 && key <= last)
			return DNS_MALFORMED;
		last = key;
		voff = (uint16_t)dns_at(msg, rd);
		if (!cur_skip(rd, vlen))
			return DNS_MALFORMED;
		if (key == SVCB_KEY_IPV4HINT) {
			if (vlen == 0 || vlen % 4)
				return DNS_MALFORMED;
			rr->hint4_off = voff;
			rr->hint4_len = vlen;
		} else if (key == SVCB_KEY_IPV6HINT) {
			if (vlen == 0 || vlen % 16)
				return DNS_MALFORMED;
			rr->hint6_off = voff;
			rr->hint6_len = vlen;
		}
	}
	return DNS_OK;
}

/* Is a record of this type, class and section one dns_msg keeps? */
static bool dns_rr_ours(const struct dns_rr *rr, uint8_t section)
{
	if (rr->class != DNS_CLASS_IN || section == DNS_SECTION_AUTHORITY)
		return false;
	switch (rr->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		return true;
	case DNS_TYPE_CNAME:
	case DNS_TYPE_SRV:
	case DNS_TYPE_SVCB:
	case DNS_TYPE_HTTPS:
		return section == DNS_SECTION_ANSWER;
	default:
		return false;
	}
}

/*
 * dns_rr_read - read one record at *c into *rr.  *keep tells whether it is
 * one dns_msg keeps; those have their rdata checked and decoded.
 */
static enum dns_status dns_rr_read(const struct cursor *msg, struct cursor *c, uint8_t section,
				   struct dns_rr *rr, bool *keep)
{
	struct cursor rdata;
	uint16_t rdlength, skip;
	enum dns_status st;

	*keep = false;
	memset(&rr->target, 0, sizeof(rr->target));
	rr->priority = rr->port = 0;
	rr->hint4_off = rr->hint4_len = rr->hint6_off = rr->hint6_len = 0;
	rr->section = section;
	st = dns_name_read(msg, c, dns_at(msg, c), &rr->name);
	if (st != DNS_OK)
		return st;
	if (!cur_u16be(c, &rr->type) || !cur_u16be(c, &rr->class) || !cur_u32be(c, &rr->ttl) ||
	    !cur_u16be(c, &rdlength))
		return DNS_TRUNCATED;
	if (!cur_sub(c, rdlength, &rdata))
		return DNS_TRUNCATED;
	if (rr->ttl & DNS_TTL_NEGATIVE)
		rr->ttl = 0;
	if (!dns_rr_ours(rr, section))
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
		st = dns_rdata_name(msg, &rdata, &rr->target);
		break;
	case DNS_TYPE_SRV:
		/* | priority | weight | port | target |; a target "." is no service */
		st = cur_u16be(&rdata, &rr->priority) && cur_u16be(&rdata, &skip) &&
				     cur_u16be(&rdata, &rr->port) ?
			     dns_rdata_name(msg, &rdata, &rr->target) :
			     DNS_MALFORMED;
		/* a record a client drops: skipped, the message read on */
		*keep = st == DNS_OK;
		return DNS_OK;
	default: /* SVCB, HTTPS: the same */
		*keep = dns_svcb_read(msg, &rdata, rr) == DNS_OK;
		return DNS_OK;
	}
	if (st != DNS_OK)
		return DNS_MALFORMED;
	*keep = true;
	return DNS_OK;
}

/*
 * Read count records of a section, indexing those kept.  rr is scratch
 * (large, so the caller's).
 */
static enum dns_status dns_section_read(const struct cursor *msg, struct cursor *c, uint8_t section,
					unsigned int count, struct dns_msg *out, struct dns_rr *rr)
{
	for (unsigned int i = 0; i < count; i++) {
		size_t off = dns_at(msg, c);
		enum dns_status st;
		bool keep;

		st = dns_rr_read(msg, c, section, rr, &keep);
		if (st != DNS_OK)
			return st;
		/* each record kept takes DNS_RR_MIN bytes at least: rec[] has room */
		if (!keep || out->nrecords >= DNS_MAX_RECORDS) {
			out->skipped++;
			continue;
		}
		out->rec[out->nrecords++] = (struct dns_ref){ .off = (uint16_t)off,
							      .type = rr->type,
							      .section = section };
	}
	return DNS_OK;
}

/*
 * *out is written while parsing: it is valid only when DNS_OK is returned,
 * and holds garbage otherwise.  Questions past the bound are read into a
 * scratch entry, so they are validated like the others.
 */
enum dns_status dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out)
{
	struct cursor whole, c;
	struct dns_question qscratch;
	struct dns_rr rr;
	uint16_t flags;
	unsigned int i;
	enum dns_status st;

	if (len > DNS_MSG_MAX)
		return DNS_MALFORMED;
	if (len)
		memcpy(out->wire, msg, len);
	out->len = len;
	cur_init(&whole, out->wire, len);
	c = whole;
	out->nquestions = 0;
	out->nrecords = out->nanswers = 0;
	out->skipped = 0;
	out->tail_bad = false;
	if (!cur_u16be(&c, &out->id) || !cur_u16be(&c, &flags) || !cur_u16be(&c, &out->qdcount) ||
	    !cur_u16be(&c, &out->ancount) || !cur_u16be(&c, &out->nscount) ||
	    !cur_u16be(&c, &out->arcount))
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
	st = dns_section_read(&whole, &c, DNS_SECTION_ANSWER, out->ancount, out, &rr);
	if (st != DNS_OK)
		return st;
	out->nanswers = out->nrecords;
	/* the authority section: read over, nothing kept */
	if (dns_section_read(&whole, &c, DNS_SECTION_AUTHORITY, out->nscount, out, &rr) != DNS_OK ||
	    dns_section_read(&whole, &c, DNS_SECTION_ADDITIONAL, out->arcount, out, &rr) != DNS_OK)
		out->tail_bad = true;
	return DNS_OK;
}

void dns_record(const struct dns_msg *m, unsigned int i, struct dns_rr *rr)
{
	struct cursor whole, c;
	bool keep;

	cur_init(&whole, m->wire, m->len);
	c = whole;
	/* read once by dns_parse(): it reads the same again */
	if (!cur_skip(&c, m->rec[i].off) ||
	    dns_rr_read(&whole, &c, m->rec[i].section, rr, &keep) != DNS_OK || !keep)
		memset(rr, 0, sizeof(*rr));
}

unsigned int dns_rr_naddrs(const struct dns_rr *rr)
{
	switch (rr->type) {
	case DNS_TYPE_A:
	case DNS_TYPE_AAAA:
		return 1;
	case DNS_TYPE_SVCB:
	case DNS_TYPE_HTTPS:
		return rr->hint4_len / 4u + rr->hint6_len / 16u;
	default:
		return 0;
	}
}

uint8_t dns_rr_addr(const struct dns_msg *m, const struct dns_rr *rr, unsigned int i,
		    uint8_t out[16])
{
	memset(out, 0, 16);
	if (rr->type == DNS_TYPE_A || rr->type == DNS_TYPE_AAAA) {
		memcpy(out, rr->addr, rr->type == DNS_TYPE_A ? 4 : 16);
		return rr->type == DNS_TYPE_A ? 4 : 6;
	}
	if (i < rr->hint4_len / 4u) {
		memcpy(out, m->wire + rr->hint4_off + 4 * i, 4);
		return 4;
	}
	i -= rr->hint4_len / 4u;
	memcpy(out, m->wire + rr->hint6_off + 16 * i, 16);
	return 6;
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
	case DNS_TYPE_SRV:
		return "SRV";
	case DNS_TYPE_SVCB:
		return "SVCB";
	case DNS_TYPE_HTTPS:
		return "HTTPS";
	default:
		return NULL;
	}
}
