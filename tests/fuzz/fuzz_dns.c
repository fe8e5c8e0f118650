/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fuzz_dns.c - libFuzzer harness for dns_parse() and dns_parse_tcp(): any
 * input must give a status without a crash or an over-read, and an OK
 * message must keep every bound dns.h promises; names_learn() follows its
 * links and learns its addresses without a crash, within the table's
 * bound.  Seeds: corpus/dns.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "decode/dns.h"
#include "engine/names.h"

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
	static struct dns_rr rr;
	unsigned int sum = 0, i, j, all = m->ancount + m->nscount + m->arcount;
	uint8_t addr[16];

	if (m->nquestions > DNS_MAX_QUESTIONS || m->nquestions > m->qdcount)
		abort();
	if (m->nanswers > m->nrecords || m->nanswers > m->ancount ||
	    m->nrecords + m->skipped > all || (!m->tail_bad && m->nrecords + m->skipped != all))
		abort();
	if (m->opcode > 15 || m->rcode > 15)
		abort();
	for (i = 0; i < m->nquestions; i++)
		sum += name_touch(&m->q[i].name) + m->q[i].type + m->q[i].class;
	for (i = 0; i < m->nrecords; i++) {
		dns_record(m, i, &rr);
		if (rr.class != DNS_CLASS_IN || !dns_type_str(rr.type) || rr.ttl > 0x7fffffffu ||
		    rr.type != m->rec[i].type || rr.section != m->rec[i].section ||
		    (i < m->nanswers) != (rr.section == DNS_SECTION_ANSWER))
			abort();
		if (rr.section == DNS_SECTION_AUTHORITY)
			abort();
		sum += name_touch(&rr.name) + name_touch(&rr.target) + rr.ttl + rr.port;
		for (j = 0; j < dns_rr_naddrs(&rr); j++) {
			uint8_t fam = dns_rr_addr(m, &rr, j, addr);

			if (fam != 4 && fam != 6)
				abort();
			for (size_t k = 0; k < 16; k++)
				sum += addr[k];
		}
	}
	return sum;
}

/* The names a rule would keep, in this harness: every other by length. */
static bool keep_odd(const struct name *nm, const void *arg)
{
	(void)arg;
	return nm->len & 1;
}

/* Learn the message, as a MAC device and as an address one, into a small table. */
static void learn(const struct dns_msg *m)
{
	static struct names n;
	static bool ready;
	struct names_dev dev;
	const struct name *out[NAMES_PER_ADDR];
	uint8_t addr[16];

	if (!ready) {
		if (names_init(&n, 64, 60))
			abort();
		names_set_keep(&n, keep_odd, NULL);
		ready = true;
	}
	names_dev_mac(&dev, (const uint8_t *)"\x44\x47\xcc\x00\x00\x01");
	sink += (unsigned int)names_learn(&n, &dev, m, 1000);
	names_dev_addr(&dev, 4, (const uint8_t *)"\xc0\xa8\x01\x40");
	sink += (unsigned int)names_learn(&n, &dev, m, 1000);
	/* what was learned for the first address reads back */
	for (unsigned int i = 0; i < m->nrecords; i++) {
		static struct dns_rr rr;

		dns_record(m, i, &rr);
		if (!dns_rr_naddrs(&rr))
			continue;
		uint8_t fam = dns_rr_addr(m, &rr, 0, addr);
		size_t got = names_lookup(&n, &dev, fam, addr, 1000, out, NAMES_PER_ADDR);

		for (size_t k = 0; k < got; k++)
			sink += name_touch(out[k]);
		break;
	}
	if (n.st.entries > 64)
		abort();
	names_flush(&n);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct dns_msg msg;
	enum dns_status st;
	size_t used = 0;

	st = dns_parse(data, size, &msg);
	if (st == DNS_OK) {
		sink += msg_check(&msg);
		learn(&msg);
	} else if (st != DNS_TRUNCATED && st != DNS_MALFORMED)
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
