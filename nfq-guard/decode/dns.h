/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dns.h - a bounded DNS message reader: the header, the questions, and
 * every record that maps names to addresses: A, AAAA, CNAME, SRV, SVCB
 * and HTTPS of the answer section, and the A and AAAA of the additional
 * section (the addresses of SRV and SVCB targets).  No record is dropped
 * for want of room: the message is kept whole and its records are indexed
 * by offset, so a message of any size has all of them.  What they teach
 * is the caller's to decide (names.c follows them from the question).
 */
#ifndef NFQG_DNS_H
#define NFQG_DNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hostname.h"

#define DNS_MSG_MAX 65535 /* the largest message: a TCP length prefix's */
#define DNS_HEADER_LEN 12
#define DNS_RR_MIN 11 /* the smallest record: a root owner and the fixed fields */
/* more records than any message can hold: none is ever left out */
#define DNS_MAX_RECORDS ((DNS_MSG_MAX - DNS_HEADER_LEN) / DNS_RR_MIN + 1)
#define DNS_MAX_QUESTIONS 4
#define DNS_MAX_POINTER_HOPS 32 /* compression pointers followed per name */

#define DNS_TYPE_A 1
#define DNS_TYPE_CNAME 5
#define DNS_TYPE_AAAA 28
#define DNS_TYPE_SRV 33
#define DNS_TYPE_SVCB 64
#define DNS_TYPE_HTTPS 65
#define DNS_CLASS_IN 1

#define DNS_SECTION_ANSWER 0
#define DNS_SECTION_AUTHORITY 1 /* read over: nothing of it is kept */
#define DNS_SECTION_ADDITIONAL 2

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

/* One record, as dns_record() decodes it from the message. */
struct dns_rr {
	struct name name; /* the owner */
	uint16_t type;	  /* one of the DNS_TYPE_ values above */
	uint16_t class;
	uint32_t ttl;
	uint8_t section;    /* DNS_SECTION_ANSWER or DNS_SECTION_ADDITIONAL */
	uint8_t addr[16];   /* A: first 4 bytes; AAAA: all 16 */
	struct name target; /* CNAME, SRV, SVCB, HTTPS: where it leads; len 0: nowhere */
	uint16_t priority;  /* SRV, SVCB, HTTPS (0: an SVCB alias) */
	uint16_t port;	    /* SRV */
	/* SVCB, HTTPS: ipv4hint and ipv6hint values in the message (len 0: none) */
	uint16_t hint4_off, hint4_len, hint6_off, hint6_len;
};

/* Where a record kept is. */
struct dns_ref {
	uint16_t off;  /* its first byte in wire */
	uint16_t type; /* as in struct dns_rr */
	uint8_t section;
};

struct dns_msg {
	uint16_t id;
	bool qr; /* a response */
	bool tc; /* truncated by the server (TC bit) */
	uint8_t opcode;
	uint8_t rcode;
	uint16_t qdcount, ancount, nscount, arcount; /* as the header says */
	unsigned int nquestions;		     /* kept in q[] (at most DNS_MAX_QUESTIONS) */
	struct dns_question q[DNS_MAX_QUESTIONS];
	unsigned int nrecords; /* records kept in rec[], answers first */
	unsigned int nanswers; /* of them, the answer section's */
	struct dns_ref rec[DNS_MAX_RECORDS];
	unsigned int skipped; /* records of other types, classes or sections */
	bool tail_bad;	      /* the authority or additional section did not read */
	size_t len;	      /* the message, copied: records are read from it */
	uint8_t wire[DNS_MSG_MAX];
};

/*
 * dns_parse - read the DNS message of len bytes at msg (a UDP payload) into
 * *out.  Returns DNS_OK, DNS_TRUNCATED or DNS_MALFORMED.  *out is valid
 * only with DNS_OK (it is written while parsing): it then holds every
 * question that fits (DNS_MAX_QUESTIONS) and indexes every record listed
 * above; the others are counted in skipped, and so is an SRV, SVCB or
 * HTTPS record whose data does not read (RFC 9460 2.4.3: a client drops
 * that record, and keeps the rest).  The header, the questions and
 * the answer section must read; an authority or additional section that
 * does not read ends the reading there with tail_bad set, the answers kept
 * (a stub resolver reads no further than the answers either).  Names are
 * lower-cased, without the trailing dot; the root name is an empty name.
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

/* dns_record - decode record i (< m->nrecords) of a message dns_parse() read. */
void dns_record(const struct dns_msg *m, unsigned int i, struct dns_rr *rr);

/*
 * dns_rr_naddrs, dns_rr_addr - the addresses a record gives: one for A and
 * AAAA, each hint of an SVCB or HTTPS record (they are the target's);
 * dns_rr_addr writes address i into out and returns its family (4 or 6).
 */
unsigned int dns_rr_naddrs(const struct dns_rr *rr);
uint8_t dns_rr_addr(const struct dns_msg *m, const struct dns_rr *rr, unsigned int i,
		    uint8_t out[16]);

const char *dns_status_str(enum dns_status st);
const char *dns_type_str(uint16_t type); /* "A", "AAAA", "CNAME", ... or NULL */

#endif
