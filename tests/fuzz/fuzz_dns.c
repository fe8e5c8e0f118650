/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_dns.c - libFuzzer harness for dns_parse() and dns_parse_tcp(): any
 * input must give a status without a crash or an over-read, and an OK
 * message must keep every bound dns.h promises.  Seeds: corpus/dns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode/dns.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where the sums go, so the reads are not optimised away. */
static volatile unsigned int sink;

/* Read every byte of n, so ASan/MSan see a use of anything left unset. */
static unsigned int name_touch(const struct name *n)
{
	unsigned int sum = 0;
	size_t i;

	if (n->len > NAME_MAX_LEN || n->s[n->len] != '\0')
		abort();
	for (i = 0; i < n->len; i++) {
		uint8_t b = (uint8_t)n->s[i];

		/* lower-cased; dots only between non-empty labels */
		if (b >= 'A' && b <= 'Z')
			abort();
		if (b == '.' && (i == 0 || i + 1 == n->len || n->s[i - 1] == '.'))
			abort();
		sum += b;
	}
	return sum;
}

static unsigned int msg_check(const struct dns_msg *m)
{
	unsigned int sum = 0, i;

	if (m->nquestions > DNS_MAX_QUESTIONS || m->nquestions > m->qdcount)
		abort();
	if (m->nanswers > DNS_MAX_ANSWERS || m->nanswers + m->skipped != m->ancount)
		abort();
	if (m->opcode > 15 || m->rcode > 15)
		abort();
	for (i = 0; i < m->nquestions; i++)
		sum += name_touch(&m->q[i].name) + m->q[i].type + m->q[i].class;
	for (i = 0; i < m->nanswers; i++) {
		const struct dns_rr *rr = &m->an[i];
		size_t k;

		if (rr->class != DNS_CLASS_IN || !dns_type_str(rr->type) || rr->ttl > 0x7fffffffu)
			abort();
		sum += name_touch(&rr->name) + rr->ttl;
		if (rr->type == DNS_TYPE_CNAME) {
			sum += name_touch(&rr->target);
		} else {
			for (k = 0; k < (rr->type == DNS_TYPE_A ? 4u : 16u); k++)
				sum += rr->addr[k];
		}
	}
	return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg msg;
	enum dns_status st;
	size_t used = 0;

	st = dns_parse(data, size, &msg);
	if (st == DNS_OK)
		sink += msg_check(&msg);
	else if (st != DNS_TRUNCATED && st != DNS_MALFORMED)
		abort();
	if (!dns_status_str(st))
		abort();

	st = dns_parse_tcp(data, size, &msg, &used);
	if (st == DNS_NEED_MORE)
		return 0;
	if (used < 2 || used > size)
		abort();
	if (st == DNS_OK)
		sink += msg_check(&msg);
	return 0;
}
