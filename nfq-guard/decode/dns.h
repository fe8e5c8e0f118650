/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns.h - a bounded DNS message reader: header, questions, and the A, AAAA
 * and CNAME records of the answer section (all that is needed to map names
 * to addresses).  Authority and additional sections are never read: they
 * are where cache-poisoning lives.
 */
#ifndef NFQG_DNS_H
#define NFQG_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"

#define DNS_MAX_QUESTIONS 4
#define DNS_MAX_ANSWERS 32
#define DNS_MAX_POINTER_HOPS 32 /* compression pointers followed per name */

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28
#define DNS_CLASS_IN 1

enum dns_status {
	DNS_OK = 0,
	DNS_NEED_MORE, /* TCP: the length-prefixed message is not complete yet */
	DNS_TRUNCATED, /* the message ends before what its header announces */
	DNS_MALFORMED, /* bad name, pointer loop, bad lengths, ... */
};

struct dns_question {
	struct name name;
	uint16_t type;
	uint16_t class;
};

struct dns_rr {
	struct name name;
	uint16_t type; /* DNS_TYPE_A, DNS_TYPE_AAAA or DNS_TYPE_CNAME */
	uint16_t class;
	uint32_t ttl;
	uint8_t addr[16];   /* A: first 4 bytes; AAAA: all 16 */
	struct name target; /* CNAME only */
};

struct dns_msg {
	uint16_t id;
	bool qr; /* a response */
	bool tc; /* truncated by the server (TC bit) */
	uint8_t opcode;
	uint8_t rcode;
	uint16_t qdcount, ancount; /* as the header says */
	unsigned int nquestions;   /* kept in q[] (at most DNS_MAX_QUESTIONS) */
	struct dns_question q[DNS_MAX_QUESTIONS];
	unsigned int nanswers; /* A/AAAA/CNAME records kept in an[] */
	struct dns_rr an[DNS_MAX_ANSWERS];
	unsigned int skipped; /* answers of other types, or past the bound */
};

/*
 * dns_parse - read the DNS message of len bytes at msg (a UDP payload) into
 * *out.  Returns DNS_OK, DNS_TRUNCATED or DNS_MALFORMED.  *out is valid
 * only with DNS_OK (it is written while parsing): it then holds every
 * question and A/AAAA/CNAME answer that fits; the rest are counted in
 * skipped.  Names are lower-cased, without the trailing dot; the root name
 * is kept as an empty name (len 0).
 */
enum dns_status dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);

/*
 * dns_parse_tcp - the same for a DNS-over-TCP byte stream starting at a
 * message's 2-byte length prefix.  Returns DNS_NEED_MORE while the first
 * message is incomplete, DNS_MALFORMED for a zero length; otherwise as
 * dns_parse().  Unless DNS_NEED_MORE is returned, *used (if not NULL)
 * receives the bytes the message took, prefix included.
 */
enum dns_status dns_parse_tcp(const uint8_t *stream, size_t len, struct dns_msg *out, size_t *used);

const char *dns_status_str(enum dns_status st);
const char *dns_type_str(uint16_t type); /* "A", "AAAA", "CNAME" or NULL */

#endif
