/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ruleset.c - nfq-guard's table as data: its chains, its rules as lists of
 * steps, its sets, and the device sets' elements from the policy; printed
 * by render.c and built into a batch by batch.c.
 */
#include <linux/netfilter.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "kernel/internal.h"
#include "kernel/nft.h"

/* nft's datatype numbers (for set key types, so `nft list` shows them). */
#define TYPE_IPADDR 7
#define TYPE_IP6ADDR 8
#define TYPE_ETHERADDR 9
#define TYPE_INETPROTO 12
#define TYPE_INETSERVICE 13
#define TYPE_IFNAME 41
#define TYPE_BITS 6

void nft_config_default(struct nft_config *c)
{
	memset(c, 0, sizeof(*c));
	c->mask = NFT_MARK_MASK_DEFAULT;
	c->queue_total = 1;
	c->bypass = true;
	c->queue = NFT_QUEUE_NATIVE;
	c->seen_timeout = 3600;
	c->block_timeout = 600;
	c->found_max = 4096;
}

const struct chain_desc ruleset_chains[] = {
	{ "prerouting", NF_INET_PRE_ROUTING, -150 },
	{ "forward", NF_INET_FORWARD, -5 },
	{ "forward_act", NF_INET_FORWARD, 10 },
	{ "input", NF_INET_LOCAL_IN, -5 },
	{ "input_act", NF_INET_LOCAL_IN, 10 },
	{ "output", NF_INET_LOCAL_OUT, -5 },
	{ "to_queue", -1, 0 },
};

#define S(kind, val, str)            \
	{                            \
		(kind), (val), (str) \
	}
#define END                    \
	{                      \
		S_END, 0, NULL \
	}

/*
 * A device's packets (by MAC, address or interface) that `first` matches,
 * to what follows: those conntrack follows in their original direction
 * mark their flow pending and go to the queue; those it does not follow
 * (invalid, untracked) would slip past every rule that reads the ct, so
 * they go to the queue on their own, each decided by the engine.
 */
#define DEVICE_RULES(chain, first, ...)                                                            \
	{ chain, { S(first, 0, NULL), S(S_ETHER_SADDR_IN, 0, "dev_mac"), __VA_ARGS__, END } },     \
		{ chain,                                                                           \
		  { S(first, 0, NULL), S(S_ETHER_SADDR_IN, 0, "dev_found"), __VA_ARGS__, END } },  \
		{ chain,                                                                           \
		  { S(first, 0, NULL), S(S_NFPROTO, 4, NULL), S(S_SADDR_IN, 4, "dev_ip4"),         \
		    __VA_ARGS__, END } },                                                          \
		{ chain, { S(first, 0, NULL), S(S_IIFNAME_IN, 0, "dev_iif"), __VA_ARGS__, END } }, \
	{                                                                                          \
		chain,                                                                             \
		{                                                                                  \
			S(first, 0, NULL), S(S_NFPROTO, 6, NULL), S(S_SADDR_IN, 6, "dev_ip6"),     \
				__VA_ARGS__, END                                                   \
		}                                                                                  \
	}

/*
 * The rules of the device-facing chains (forward and input): a device's DNS
 * queries and the answers to devices are queued before the fast path, so
 * that every answer is snooped and matched to the query it answers; so is
 * a device's datagram that may be a QUIC client's Initial (1200 bytes at
 * least, a v1 or v2 Initial's first byte), which may open another
 * connection on a decided 4-tuple: its flow is pending again until the
 * engine says; decided flows pass in the kernel; blocked addresses die
 * here; a pending flow's packets, both ways, and the rest of a device's
 * traffic go to the queue.
 */
#define GUARD_RULES(chain)                                                                         \
	{ chain,                                                                                   \
	  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_DPORT, 53, NULL),      \
	    S(S_SADDR_IN, 4, "dev_seen4"), S(S_JUMP, 0, "to_queue"), END } },                      \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 6, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL),                    \
		    S(S_DPORT, 53, NULL), S(S_SADDR_IN, 6, "dev_seen6"), S(S_JUMP, 0, "to_queue"), \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL),                    \
		    S(S_SPORT, 53, NULL), S(S_DADDR_IN, 4, "dev_seen4"), S(S_JUMP, 0, "to_queue"), \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_TCP, NULL),                    \
		    S(S_SPORT, 53, NULL), S(S_DADDR_IN, 4, "dev_seen4"), S(S_JUMP, 0, "to_queue"), \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 6, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL),                    \
		    S(S_SPORT, 53, NULL), S(S_DADDR_IN, 6, "dev_seen6"), S(S_JUMP, 0, "to_queue"), \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 6, NULL), S(S_L4PROTO, IPPROTO_NUM_TCP, NULL),                    \
		    S(S_SPORT, 53, NULL), S(S_DADDR_IN, 6, "dev_seen6"), S(S_JUMP, 0, "to_queue"), \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL),                    \
		    S(S_QUIC_INITIAL, 0, NULL), S(S_SADDR_IN, 4, "dev_seen4"),                     \
		    S(S_CT_ORIGINAL, 0, NULL), S(S_CT_MARK_SET, VERDICT_PENDING, NULL),            \
		    S(S_JUMP, 0, "to_queue"), END } },                                             \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 6, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL),                    \
		    S(S_QUIC_INITIAL, 0, NULL), S(S_SADDR_IN, 6, "dev_seen6"),                     \
		    S(S_CT_ORIGINAL, 0, NULL), S(S_CT_MARK_SET, VERDICT_PENDING, NULL),            \
		    S(S_JUMP, 0, "to_queue"), END } },                                             \
		{ chain, { S(S_CT_MARK_IS, VERDICT_OTHER, NULL), S(S_ACCEPT, 0, NULL), END } },    \
		{ chain, { S(S_CT_MARK_IS, VERDICT_ALLOW, NULL), S(S_ACCEPT, 0, NULL), END } },    \
		{ chain, { S(S_CT_MARK_IS, VERDICT_DROP, NULL), S(S_DROP, 0, NULL), END } },       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 4, NULL), S(S_BLOCK_IN, 4, "block4"), S(S_DROP, 0, NULL),         \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_NFPROTO, 6, NULL), S(S_BLOCK_IN, 6, "block6"), S(S_DROP, 0, NULL),         \
		    END } },                                                                       \
		{ chain,                                                                           \
		  { S(S_CT_MARK_IS, VERDICT_PENDING, NULL), S(S_JUMP, 0, "to_queue"), END } },     \
		DEVICE_RULES(chain, S_CT_UNTRUSTED, S(S_JUMP, 0, "to_queue")),                     \
		DEVICE_RULES(chain, S_CT_ORIGINAL, S(S_CT_MARK_SET, VERDICT_PENDING, NULL),        \
			     S(S_JUMP, 0, "to_queue")),                                            \
	/* no device's flow: its later packets take the fast path above */                         \
	{                                                                                          \
		chain,                                                                             \
		{                                                                                  \
			S(S_CT_ORIGINAL, 0, NULL), S(S_CT_MARK_SET, VERDICT_OTHER, NULL), END      \
		}                                                                                  \
	}

/*
 * After the queue: the verdict mark becomes a ct mark, a drop, a block or a
 * reject.  A packet conntrack does not follow has no ct mark to read: every
 * rule that sets one stops at it, so its drop and reject come first.
 */
#define ACT_RULES(chain)                                                                          \
	{ chain, { S(S_MARK_NONE, 0, NULL), S(S_ACCEPT, 0, NULL), END } },                        \
		{ chain,                                                                          \
		  { S(S_CT_UNTRUSTED, 0, NULL), S(S_MARK_IS, VERDICT_DROP, NULL),                 \
		    S(S_COUNTER, 0, NULL), S(S_DROP, 0, NULL), END } },                           \
		{ chain,                                                                          \
		  { S(S_CT_UNTRUSTED, 0, NULL), S(S_MARK_IS, VERDICT_REJECT, NULL),               \
		    S(S_L4PROTO, IPPROTO_NUM_TCP, NULL), S(S_COUNTER, 0, NULL),                   \
		    S(S_REJECT, IPPROTO_NUM_TCP, NULL), END } },                                  \
		{ chain,                                                                          \
		  { S(S_CT_UNTRUSTED, 0, NULL), S(S_MARK_IS, VERDICT_REJECT, NULL),               \
		    S(S_COUNTER, 0, NULL), S(S_REJECT, 0, NULL), END } },                         \
		{ chain,                                                                          \
		  { S(S_MARK_IS, VERDICT_ALLOW, NULL), S(S_CT_MARK_SET, VERDICT_ALLOW, NULL),     \
		    END } },                                                                      \
		{ chain,                                                                          \
		  { S(S_MARK_IS, VERDICT_DROP, NULL), S(S_CT_MARK_SET, VERDICT_DROP, NULL),       \
		    S(S_COUNTER, 0, NULL), S(S_DROP, 0, NULL), END } },                           \
		{ chain,                                                                          \
		  { S(S_MARK_IS, VERDICT_BLOCK, NULL), S(S_NFPROTO, 4, NULL),                     \
		    S(S_BLOCK_UPDATE, 4, "block4"), S(S_COUNTER, 0, NULL), S(S_DROP, 0, NULL),    \
		    END } },                                                                      \
		{ chain,                                                                          \
		  { S(S_MARK_IS, VERDICT_BLOCK, NULL), S(S_NFPROTO, 6, NULL),                     \
		    S(S_BLOCK_UPDATE, 6, "block6"), S(S_COUNTER, 0, NULL), S(S_DROP, 0, NULL),    \
		    END } },                                                                      \
		{ chain,                                                                          \
		  { S(S_MARK_IS, VERDICT_REJECT, NULL), S(S_CT_MARK_SET, VERDICT_DROP, NULL),     \
		    S(S_L4PROTO, IPPROTO_NUM_TCP, NULL), S(S_COUNTER, 0, NULL),                   \
		    S(S_REJECT, IPPROTO_NUM_TCP, NULL), END } },                                  \
	{                                                                                         \
		chain,                                                                            \
		{                                                                                 \
			S(S_MARK_IS, VERDICT_REJECT, NULL), S(S_CT_MARK_SET, VERDICT_DROP, NULL), \
				S(S_COUNTER, 0, NULL), S(S_REJECT, 0, NULL), END                  \
		}                                                                                 \
	}

/* A copy of the UDP datagrams to or from port (either way) for the daemon to read. */
#define IDENTIFY_PORT(port)                                                                        \
	{ "prerouting",                                                                            \
	  { S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_DPORT, port, NULL), S(S_LOG, 0, NULL), END }, \
	  IDENTIFY_DISCOVERY },                                                                    \
	{                                                                                          \
		"prerouting",                                                                      \
			{ S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_SPORT, port, NULL),             \
			  S(S_LOG, 0, NULL), END },                                                \
			IDENTIFY_DISCOVERY                                                         \
	}

const struct rule_desc ruleset_rules[] = {
	/*
	 * What identifies a device by its behaviour, copied to the daemon
	 * before anything else (the packet goes on): discovery announcements
	 * and answers (multicast reaches prerouting only), DHCP requests, DNS
	 * queries.  Only the signals the policy's identify list names.
	 */
	IDENTIFY_PORT(37020), /* SADP */
	IDENTIFY_PORT(37810), /* DHIP */
	IDENTIFY_PORT(3702),  /* WS-Discovery */
	{ "prerouting",
	  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_SPORT, 68, NULL),
	    S(S_DPORT, 67, NULL), S(S_LOG, 0, NULL), END },
	  IDENTIFY_DHCP },
	{ "prerouting",
	  { S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_DPORT, 53, NULL), S(S_LOG, 0, NULL), END },
	  IDENTIFY_DNS },
	/* learn device addresses from their own packets, in the kernel: a new flow's do */
	{ "prerouting", { S(S_CT_ESTABLISHED, 0, NULL), S(S_ACCEPT, 0, NULL), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 4, NULL), S(S_ETHER_SADDR_IN, 0, "dev_mac"),
	    S(S_SEEN_UPDATE, 4, "dev_seen4"), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 6, NULL), S(S_ETHER_SADDR_IN, 0, "dev_mac"),
	    S(S_SEEN_UPDATE, 6, "dev_seen6"), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 4, NULL), S(S_ETHER_SADDR_IN, 0, "dev_found"),
	    S(S_SEEN_UPDATE, 4, "dev_seen4"), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 6, NULL), S(S_ETHER_SADDR_IN, 0, "dev_found"),
	    S(S_SEEN_UPDATE, 6, "dev_seen6"), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 4, NULL), S(S_SADDR_IN, 4, "dev_ip4"), S(S_SEEN_UPDATE, 4, "dev_seen4"),
	    END } },
	{ "prerouting",
	  { S(S_NFPROTO, 6, NULL), S(S_SADDR_IN, 6, "dev_ip6"), S(S_SEEN_UPDATE, 6, "dev_seen6"),
	    END } },
	{ "prerouting",
	  { S(S_NFPROTO, 4, NULL), S(S_IIFNAME_IN, 0, "dev_iif"), S(S_SEEN_UPDATE, 4, "dev_seen4"),
	    END } },
	{ "prerouting",
	  { S(S_NFPROTO, 6, NULL), S(S_IIFNAME_IN, 0, "dev_iif"), S(S_SEEN_UPDATE, 6, "dev_seen6"),
	    END } },
	GUARD_RULES("forward"),
	ACT_RULES("forward_act"),
	GUARD_RULES("input"),
	ACT_RULES("input_act"),
	/* the router's own resolver answering devices */
	{ "output",
	  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_SPORT, 53, NULL),
	    S(S_DADDR_IN, 4, "dev_seen4"), S(S_JUMP, 0, "to_queue"), END } },
	{ "output",
	  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_TCP, NULL), S(S_SPORT, 53, NULL),
	    S(S_DADDR_IN, 4, "dev_seen4"), S(S_JUMP, 0, "to_queue"), END } },
	{ "output",
	  { S(S_NFPROTO, 6, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_SPORT, 53, NULL),
	    S(S_DADDR_IN, 6, "dev_seen6"), S(S_JUMP, 0, "to_queue"), END } },
	{ "output",
	  { S(S_NFPROTO, 6, NULL), S(S_L4PROTO, IPPROTO_NUM_TCP, NULL), S(S_SPORT, 53, NULL),
	    S(S_DADDR_IN, 6, "dev_seen6"), S(S_JUMP, 0, "to_queue"), END } },
	{ "to_queue", { S(S_QUEUE, 0, NULL), END } },
};

const size_t ruleset_nchains = sizeof(ruleset_chains) / sizeof(ruleset_chains[0]);
const size_t ruleset_nrules = sizeof(ruleset_rules) / sizeof(ruleset_rules[0]);

const struct set_desc ruleset_sets[] = {
	{ "dev_mac", 0, "ether_addr", TYPE_ETHERADDR, 6, true, false, false },
	{ "dev_ip4", 4, "ipv4_addr", TYPE_IPADDR, 4, true, false, false },
	{ "dev_ip6", 6, "ipv6_addr", TYPE_IP6ADDR, 16, true, false, false },
	{ "dev_iif", 0, "ifname", TYPE_IFNAME, IFNAME_LEN, false, false, false, true },
	{ "dev_found", 0, "ether_addr", TYPE_ETHERADDR, 6, false, false, false, false, true },
	{ "dev_seen4", 4, "ipv4_addr", TYPE_IPADDR, 4, false, true, false },
	{ "dev_seen6", 6, "ipv6_addr", TYPE_IP6ADDR, 16, false, true, false },
	{ "block4", 4, "ipv4_addr . inet_proto . inet_service . ipv4_addr",
	  ((TYPE_IPADDR << TYPE_BITS | TYPE_INETPROTO) << TYPE_BITS | TYPE_INETSERVICE)
			  << TYPE_BITS |
		  TYPE_IPADDR,
	  16, false, true, true },
	{ "block6", 6, "ipv6_addr . inet_proto . inet_service . ipv6_addr",
	  ((TYPE_IP6ADDR << TYPE_BITS | TYPE_INETPROTO) << TYPE_BITS | TYPE_INETSERVICE)
			  << TYPE_BITS |
		  TYPE_IP6ADDR,
	  40, false, true, true },
};

const size_t ruleset_nsets = sizeof(ruleset_sets) / sizeof(ruleset_sets[0]);

int ruleset_rule_family(const struct rule_desc *d)
{
	const struct step *s;

	for (s = d->steps; s->k != S_END; s++)
		if (s->k == S_NFPROTO)
			return (int)s->v;
	return 0;
}

bool ruleset_in_table(int fam, int f)
{
	return !fam || !f || f == fam;
}

bool ruleset_rule_wanted(const struct rule_desc *d, const struct nft_config *c)
{
	return !d->identify || (d->identify & c->identify);
}

/* --- device sets from the policy ------------------------------------------- */

/* qsort_r's comparator: by the ranges' starts, *(size_t *)len bytes long. */
static int range_cmp(const void *a, const void *b, void *len)
{
	const struct range *x = a, *y = b;

	return memcmp(x->lo, y->lo, *(size_t *)len);
}

/* hi + 1 <= next lo: adjacent or overlapping, so one interval (len bytes, big endian). */
static bool range_touches(const uint8_t *hi, const uint8_t *lo, size_t len)
{
	uint8_t next[16];
	size_t k;
	int carry = 1;

	memcpy(next, hi, len);
	for (k = len; k-- > 0 && carry;) {
		next[k]++;
		carry = next[k] == 0;
	}
	return carry || memcmp(lo, next, len) <= 0;
}

/*
 * The blocks of the set's kind (MAC: every group's prefixes; IPv4 or IPv6:
 * every group's address prefixes) as sorted, merged intervals.
 */
struct range *ruleset_ranges(const struct policy *p, const char *set, size_t *n, size_t *len)
{
	uint8_t fam = !strcmp(set, "dev_ip4") ? 4 : !strcmp(set, "dev_ip6") ? 6 : 0;
	size_t i, j, k = 0, total = 0, bits, alen = fam == 4 ? 4 : fam == 6 ? 16 : 6;
	struct range *r;

	for (i = 0; i < p->ndevices; i++)
		total += fam ? p->devices[i].nips : p->devices[i].nprefixes;
	r = calloc(total ? total : 1, sizeof(*r));
	if (!r)
		return NULL;
	for (i = 0; i < p->ndevices; i++) {
		size_t m = fam ? p->devices[i].nips : p->devices[i].nprefixes;

		for (j = 0; j < m; j++) {
			const uint8_t *addr;

			if (fam) {
				const struct cidr *c = &p->devices[i].ips[j];

				if (c->family != fam)
					continue;
				addr = c->addr;
				bits = c->len;
			} else {
				addr = p->devices[i].prefixes[j].prefix.addr;
				bits = p->devices[i].prefixes[j].prefix.bits;
			}
			memcpy(r[k].lo, addr, alen);
			memcpy(r[k].hi, addr, alen);
			for (; bits < alen * 8; bits++)
				r[k].hi[bits / 8] |= (uint8_t)(0x80 >> (bits % 8));
			k++;
		}
	}
	qsort_r(r, k, sizeof(*r), range_cmp, &alen);
	for (i = 0, j = 0; i < k; i++) {
		if (j > 0 && range_touches(r[j - 1].hi, r[i].lo, alen)) {
			if (memcmp(r[i].hi, r[j - 1].hi, alen) > 0)
				memcpy(r[j - 1].hi, r[i].hi, alen);
		} else {
			r[j++] = r[i];
		}
	}
	*n = j;
	*len = alen;
	return r;
}
