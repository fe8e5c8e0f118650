/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nft.c - nfq-guard's nftables table (see nft.h).
 *
 * Each rule is described once, as a short list of steps; the same list is
 * printed in nft syntax and built into libnftnl expressions, so `nfq-guard
 * rules` shows exactly what is installed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <net/if_arp.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

#include "base/proto.h"
#include "kernel/nft.h"

/* nft's datatype numbers (for set key types, so `nft list` shows them). */
#define TYPE_IPADDR 7
#define TYPE_IP6ADDR 8
#define TYPE_ETHERADDR 9
#define TYPE_INETPROTO 12
#define TYPE_INETSERVICE 13
#define TYPE_IFNAME 41
#define IFNAME_LEN 16 /* IFNAMSIZ: names are compared zero-padded */
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
}

static int mask_shift(uint32_t mask)
{
	int s = 0;

	if (!mask)
		return -1;
	while (!(mask & 1)) {
		mask >>= 1;
		s++;
	}
	/* contiguous, and room for the verdict and the generation bit */
	if (mask & (mask + 1) || mask < 0xff)
		return -1;
	return s;
}

uint32_t nft_mark(const struct nft_config *c, enum verdict v)
{
	int s = mask_shift(c->mask);

	return s < 0 || v == VERDICT_NONE ?
		       0 :
		       ((uint32_t)v | (c->gen & NFT_GEN_MAX) << NFT_GEN_SHIFT) << s;
}

/* --- the ruleset, described once ------------------------------------------ */

enum step_kind {
	S_NFPROTO,	  /* meta nfproto ipv4|ipv6 (v: 4 or 6) */
	S_L4PROTO,	  /* meta l4proto v */
	S_SPORT,	  /* th sport v */
	S_ETHER_SADDR_IN, /* ether saddr @s (with meta iiftype ether) */
	S_SADDR_IN,	  /* ip[6] saddr @s (v: family) */
	S_IIFNAME_IN,	  /* iifname @s */
	S_DADDR_IN,	  /* ip[6] daddr @s */
	S_CT_ORIGINAL,	  /* ct direction original */
	S_CT_ESTABLISHED, /* ct state established,related */
	S_MARK_NONE,	  /* meta mark & mask == 0: no verdict on this packet */
	S_CT_MARK_IS,	  /* ct mark & mask == mark(v) */
	S_MARK_IS,	  /* meta mark & mask == mark(v) */
	S_CT_MARK_SET,	  /* ct mark set ct mark & ~mask | mark(v) */
	S_SEEN_UPDATE,	  /* update @s { ip[6] saddr } (v: family) */
	S_BLOCK_IN,	  /* ip saddr . l4proto . th dport . ip daddr @s (v: family) */
	S_BLOCK_UPDATE,	  /* update @s { the same } */
	S_REJECT,	  /* reject with tcp reset (v: 6) or icmpx admin-prohibited */
	S_COUNTER,
	S_ACCEPT,
	S_DROP,
	S_JUMP, /* jump s */
	S_QUEUE,
	S_END,
};

struct step {
	enum step_kind k;
	uint32_t v;
	const char *s;
};

#define STEPS_MAX 8

struct rule_desc {
	const char *chain;
	struct step steps[STEPS_MAX];
};

struct chain_desc {
	const char *name;
	int hook; /* -1: a regular chain */
	int prio;
};

static const struct chain_desc chains[] = {
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
 * The rules of the device-facing chains (forward and input): answers to
 * devices are queued before the fast path so every one is snooped; decided
 * flows pass in the kernel; blocked addresses die here; the rest of a
 * device's original-direction traffic goes to the queue.
 */
#define GUARD_RULES(chain)                                                                         \
	{ chain,                                                                                   \
	  { S(S_NFPROTO, 4, NULL), S(S_L4PROTO, IPPROTO_NUM_UDP, NULL), S(S_SPORT, 53, NULL),      \
	    S(S_DADDR_IN, 4, "dev_seen4"), S(S_JUMP, 0, "to_queue"), END } },                      \
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
		  { S(S_CT_ORIGINAL, 0, NULL), S(S_ETHER_SADDR_IN, 0, "dev_mac"),                  \
		    S(S_JUMP, 0, "to_queue"), END } },                                             \
		{ chain,                                                                           \
		  { S(S_CT_ORIGINAL, 0, NULL), S(S_NFPROTO, 4, NULL), S(S_SADDR_IN, 4, "dev_ip4"), \
		    S(S_JUMP, 0, "to_queue"), END } },                                             \
		{ chain,                                                                           \
		  { S(S_CT_ORIGINAL, 0, NULL), S(S_IIFNAME_IN, 0, "dev_iif"),                      \
		    S(S_JUMP, 0, "to_queue"), END } },                                             \
		{ chain,                                                                           \
		  { S(S_CT_ORIGINAL, 0, NULL), S(S_NFPROTO, 6, NULL), S(S_SADDR_IN, 6, "dev_ip6"), \
		    S(S_JUMP, 0, "to_queue"), END } },                                             \
	/* no device's flow: its later packets take the fast path above */                         \
	{                                                                                          \
		chain,                                                                             \
		{                                                                                  \
			S(S_CT_ORIGINAL, 0, NULL), S(S_CT_MARK_SET, VERDICT_OTHER, NULL), END      \
		}                                                                                  \
	}

/* After the queue: the verdict mark becomes a ct mark, a drop, a block or a reject. */
#define ACT_RULES(chain)                                                                          \
	{ chain, { S(S_MARK_NONE, 0, NULL), S(S_ACCEPT, 0, NULL), END } },                        \
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

static const struct rule_desc rules[] = {
	/* learn device addresses from their own packets, in the kernel: a new flow's do */
	{ "prerouting", { S(S_CT_ESTABLISHED, 0, NULL), S(S_ACCEPT, 0, NULL), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 4, NULL), S(S_ETHER_SADDR_IN, 0, "dev_mac"),
	    S(S_SEEN_UPDATE, 4, "dev_seen4"), END } },
	{ "prerouting",
	  { S(S_NFPROTO, 6, NULL), S(S_ETHER_SADDR_IN, 0, "dev_mac"),
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

#define NRULES (sizeof(rules) / sizeof(rules[0]))
#define NCHAINS (sizeof(chains) / sizeof(chains[0]))

/* --- device sets from the policy ------------------------------------------- */

/* An interval of addresses (MAC, IPv4 or IPv6), both ends included. */
struct range {
	uint8_t lo[16], hi[16];
};

static int range_cmp_len(const struct range *x, const struct range *y, size_t len)
{
	return memcmp(x->lo, y->lo, len);
}

static size_t range_len; /* for qsort's comparator: set just before the call */

static int range_cmp(const void *a, const void *b)
{
	return range_cmp_len(a, b, range_len);
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
 * every group's address prefixes) as sorted, merged intervals: an interval
 * set refuses overlapping elements.  *len receives the address length.
 */
static struct range *set_ranges(const struct policy *p, const char *set, size_t *n, size_t *len)
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
	range_len = alen;
	qsort(r, k, sizeof(*r), range_cmp);
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

/* --- printing -------------------------------------------------------------- */

static void print_step(FILE *f, const struct nft_config *c, const struct step *s)
{
	const char *ip = s->v == 6 ? "ip6" : "ip";

	switch (s->k) {
	case S_NFPROTO:
		fprintf(f, "meta nfproto %s", s->v == 6 ? "ipv6" : "ipv4");
		break;
	case S_L4PROTO:
		fprintf(f, "meta l4proto %s", s->v == IPPROTO_NUM_TCP ? "tcp" : "udp");
		break;
	case S_SPORT:
		fprintf(f, "th sport %u", s->v);
		break;
	case S_ETHER_SADDR_IN:
		fprintf(f, "ether saddr @%s", s->s);
		break;
	case S_SADDR_IN:
		fprintf(f, "%s saddr @%s", ip, s->s);
		break;
	case S_IIFNAME_IN:
		fprintf(f, "iifname @%s", s->s);
		break;
	case S_DADDR_IN:
		fprintf(f, "%s daddr @%s", ip, s->s);
		break;
	case S_CT_ORIGINAL:
		fputs("ct direction original", f);
		break;
	case S_CT_ESTABLISHED:
		fputs("ct state established,related", f);
		break;
	case S_MARK_NONE:
		fprintf(f, "meta mark & 0x%08x == 0x00000000", c->mask);
		break;
	case S_CT_MARK_IS:
		fprintf(f, "ct mark & 0x%08x == 0x%08x", c->mask, nft_mark(c, s->v));
		break;
	case S_MARK_IS:
		fprintf(f, "meta mark & 0x%08x == 0x%08x", c->mask, nft_mark(c, s->v));
		break;
	case S_CT_MARK_SET:
		fprintf(f, "ct mark set ct mark & 0x%08x | 0x%08x", ~c->mask, nft_mark(c, s->v));
		break;
	case S_SEEN_UPDATE:
		fprintf(f, "update @%s { %s saddr }", s->s, ip);
		break;
	case S_BLOCK_IN:
		fprintf(f, "%s saddr . meta l4proto . th dport . %s daddr @%s", ip, ip, s->s);
		break;
	case S_BLOCK_UPDATE:
		fprintf(f, "update @%s { %s saddr . meta l4proto . th dport . %s daddr }", s->s, ip,
			ip);
		break;
	case S_REJECT:
		fputs(s->v == IPPROTO_NUM_TCP ? "reject with tcp reset" :
						"reject with icmpx admin-prohibited",
		      f);
		break;
	case S_COUNTER:
		fputs("counter", f);
		break;
	case S_ACCEPT:
		fputs("accept", f);
		break;
	case S_DROP:
		fputs("drop", f);
		break;
	case S_JUMP:
		fprintf(f, "jump %s", s->s);
		break;
	case S_QUEUE:
		/* several queues: the kernel hashes each flow to one of them */
		if (c->queue_total > 1)
			fprintf(f, "queue %snum %u-%u", c->bypass ? "flags bypass " : "",
				c->queue_num, c->queue_num + c->queue_total - 1);
		else
			fprintf(f, "queue %snum %u", c->bypass ? "flags bypass " : "",
				c->queue_num);
		if (c->queue == NFT_QUEUE_COMPAT)
			fputs("  # xtables NFQUEUE target, revision 3", f);
		break;
	case S_END:
		break;
	}
}

static void print_addr(FILE *f, const uint8_t *a, size_t len)
{
	char buf[INET6_ADDRSTRLEN];

	if (len == 6)
		fprintf(f, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3], a[4], a[5]);
	else
		fputs(inet_ntop(len == 4 ? AF_INET : AF_INET6, a, buf, sizeof(buf)), f);
}

/* The devices' interface names: nothing when no device is known by one. */
static void print_ifaces(FILE *f, const struct policy *p)
{
	size_t i, j, n = 0;

	for (i = 0; i < p->ndevices; i++)
		for (j = 0; j < p->devices[i].nifaces; j++)
			fprintf(f, "%s\"%s\"", n++ ? ", " : "\t\telements = { ",
				p->devices[i].ifaces[j]);
	if (n)
		fputs(" }\n", f);
}

static void print_elements(FILE *f, const struct policy *p, const char *set)
{
	size_t n, len, i;
	struct range *r = set_ranges(p, set, &n, &len);

	if (!r || n == 0) {
		free(r);
		return;
	}
	fputs("\t\telements = { ", f);
	for (i = 0; i < n; i++) {
		fputs(i ? ",\n\t\t\t     " : "", f);
		print_addr(f, r[i].lo, len);
		if (memcmp(r[i].lo, r[i].hi, len)) {
			fputc('-', f);
			print_addr(f, r[i].hi, len);
		}
	}
	fputs(" }\n", f);
	free(r);
}

struct set_desc {
	const char *name;
	uint8_t fam;	  /* 4 or 6 for the split tables; 0: both */
	const char *type; /* as nft prints it */
	uint32_t key_type, key_len;
	bool interval, dynamic, block;
	bool ifname; /* the devices' interfaces (exact names) */
};

static const struct set_desc sets[] = {
	{ "dev_mac", 0, "ether_addr", TYPE_ETHERADDR, 6, true, false, false },
	{ "dev_ip4", 4, "ipv4_addr", TYPE_IPADDR, 4, true, false, false },
	{ "dev_ip6", 6, "ipv6_addr", TYPE_IP6ADDR, 16, true, false, false },
	{ "dev_iif", 0, "ifname", TYPE_IFNAME, IFNAME_LEN, false, false, false, true },
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

#define NSETS (sizeof(sets) / sizeof(sets[0]))
#define SET_SIZE 65536

/* 4 or 6 when a rule is about one IP family, 0 when about both. */
static int rule_family(const struct rule_desc *d)
{
	const struct step *s;

	for (s = d->steps; s->k != S_END; s++)
		if (s->k == S_NFPROTO)
			return (int)s->v;
	return 0;
}

/* One table: inet (fam 0), or the ip (4) or ip6 (6) half of a split ruleset. */
static void render_table(const struct policy *p, const struct nft_config *c, int fam, FILE *f)
{
	size_t i, j;

	fprintf(f, "table %s %s {\n", fam == 4 ? "ip" : fam == 6 ? "ip6" : "inet", NFT_TABLE_NAME);
	for (i = 0; i < NSETS; i++) {
		const struct set_desc *s = &sets[i];

		if (fam && s->fam && s->fam != fam)
			continue;
		fprintf(f, "\tset %s {\n\t\ttype %s\n", s->name, s->type);
		if (s->interval)
			fputs("\t\tflags interval\n", f);
		if (s->dynamic)
			fprintf(f, "\t\tsize %u\n\t\tflags dynamic,timeout\n\t\ttimeout %us\n",
				SET_SIZE, s->block ? c->block_timeout : c->seen_timeout);
		if (s->interval)
			print_elements(f, p, s->name);
		if (s->ifname)
			print_ifaces(f, p);
		fputs("\t}\n\n", f);
	}
	for (i = 0; i < NCHAINS; i++) {
		fprintf(f, "\tchain %s {\n", chains[i].name);
		if (chains[i].hook >= 0)
			fprintf(f, "\t\ttype filter hook %s priority %d; policy accept;\n",
				chains[i].hook == NF_INET_PRE_ROUTING ? "prerouting" :
				chains[i].hook == NF_INET_FORWARD     ? "forward" :
				chains[i].hook == NF_INET_LOCAL_IN    ? "input" :
									"output",
				chains[i].prio);
		for (j = 0; j < NRULES; j++) {
			const struct step *s;
			bool first = true;

			if (strcmp(rules[j].chain, chains[i].name) ||
			    (fam && rule_family(&rules[j]) && rule_family(&rules[j]) != fam))
				continue;
			fputs("\t\t", f);
			for (s = rules[j].steps; s->k != S_END; s++) {
				if (fam && s->k == S_NFPROTO)
					continue;
				if (!first)
					fputc(' ', f);
				first = false;
				if (fam && s->k == S_REJECT && s->v != IPPROTO_NUM_TCP)
					fputs(fam == 4 ? "reject with icmp admin-prohibited" :
							 "reject with icmpv6 admin-prohibited",
					      f);
				else
					print_step(f, c, s);
			}
			fputc('\n', f);
		}
		fprintf(f, "\t}\n%s", i + 1 < NCHAINS ? "\n" : "");
	}
	fputs("}\n", f);
}

int nft_render(const struct policy *p, const struct nft_config *c, FILE *f)
{
	if (mask_shift(c->mask) < 0)
		return -EINVAL;
	if (!c->split) {
		render_table(p, c, 0, f);
	} else {
		render_table(p, c, 4, f);
		fputc('\n', f);
		render_table(p, c, 6, f);
	}
	return 0;
}

/* --- building the batch ------------------------------------------------------ */

struct builder {
	struct mnl_nlmsg_batch *batch;
	uint8_t family; /* NFPROTO_INET, or NFPROTO_IPV4/IPV6 for split tables */
	uint32_t seq;
	bool overflow;
	int err;
};

static struct nlmsghdr *msg_begin(struct builder *b, uint16_t type, uint16_t flags)
{
	return nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b->batch), type, b->family,
				     flags | NLM_F_ACK, b->seq++);
}

static void msg_end(struct builder *b)
{
	if (!mnl_nlmsg_batch_next(b->batch))
		b->overflow = true;
}

static struct nftnl_expr *expr(struct nftnl_rule *r, const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (e)
		nftnl_rule_add_expr(r, e);
	return e;
}

#define NEED(e)                         \
	do {                            \
		if (!(e))               \
			return -ENOMEM; \
	} while (0)

static int e_meta(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr(r, "meta");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	return 0;
}

static int e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = expr(r, "payload");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	return 0;
}

static int e_cmp_op(struct nftnl_rule *r, uint32_t sreg, uint32_t op, const void *data,
		    uint32_t len)
{
	struct nftnl_expr *e = expr(r, "cmp");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return 0;
}

static int e_cmp(struct nftnl_rule *r, uint32_t sreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = expr(r, "cmp");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return 0;
}

static int e_lookup(struct nftnl_rule *r, uint32_t sreg, const char *set)
{
	struct nftnl_expr *e = expr(r, "lookup");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, sreg);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	return 0;
}

static int e_bitwise(struct nftnl_rule *r, uint32_t reg, uint32_t mask, uint32_t xor)
{
	struct nftnl_expr *e = expr(r, "bitwise");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, sizeof(uint32_t));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, &mask, sizeof(mask));
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, &xor, sizeof(xor));
	return 0;
}

static int e_ct_get(struct nftnl_rule *r, uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = expr(r, "ct");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	return 0;
}

static int e_ct_set_mark(struct nftnl_rule *r, uint32_t sreg)
{
	struct nftnl_expr *e = expr(r, "ct");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, NFT_CT_MARK);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, sreg);
	return 0;
}

static int e_verdict(struct nftnl_rule *r, int verdict, const char *chain)
{
	struct nftnl_expr *e = expr(r, "immediate");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)verdict);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	return 0;
}

/* Load ip[6] saddr . meta l4proto . th dport . ip[6] daddr into NFT_REG32_00 onwards. */
static int e_block_key(struct nftnl_rule *r, uint32_t family)
{
	uint32_t alen = family == 6 ? 16 : 4, soff = family == 6 ? 8 : 12;
	uint32_t doff = family == 6 ? 24 : 16, reg = NFT_REG32_00;

	if (e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, soff, alen, reg))
		return -ENOMEM;
	reg += alen / 4;
	if (e_meta(r, NFT_META_L4PROTO, reg++))
		return -ENOMEM;
	if (e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, reg++))
		return -ENOMEM;
	return e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, doff, alen, reg);
}

static int e_dynset_update(struct nftnl_rule *r, uint32_t sreg, const char *set)
{
	struct nftnl_expr *e = expr(r, "dynset");

	NEED(e);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_UPDATE);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, set);
	return 0;
}

static int e_queue(struct nftnl_rule *r, const struct nft_config *c)
{
	struct nftnl_expr *e;

	if (c->queue == NFT_QUEUE_COMPAT) {
		struct xt_NFQ_info_v3 *info = calloc(1, sizeof(*info));

		e = expr(r, "target");
		if (!e || !info) {
			free(info);
			return -ENOMEM;
		}
		info->queuenum = c->queue_num;
		info->queues_total = c->queue_total ? c->queue_total : 1;
		info->flags = (c->bypass ? NFQ_FLAG_BYPASS : 0);
		nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "NFQUEUE");
		nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 3);
		/* libnftnl takes the buffer and frees it with the expression */
		nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, sizeof(*info));
		return 0;
	}
	e = expr(r, "queue");
	NEED(e);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_NUM, c->queue_num);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_TOTAL, c->queue_total ? c->queue_total : 1);
	nftnl_expr_set_u16(e, NFTNL_EXPR_QUEUE_FLAGS, c->bypass ? NFT_QUEUE_FLAG_BYPASS : 0);
	return 0;
}

static int build_step(struct nftnl_rule *r, const struct nft_config *c, const struct step *s,
		      uint8_t family)
{
	uint32_t mark = nft_mark(c, (enum verdict)s->v);
	uint32_t alen = s->v == 6 ? 16 : 4;
	uint8_t b8;
	uint16_t b16;

	switch (s->k) {
	case S_NFPROTO:
		b8 = s->v == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
		return e_meta(r, NFT_META_NFPROTO, NFT_REG_1) ?: e_cmp(r, NFT_REG_1, &b8, 1);
	case S_L4PROTO:
		b8 = (uint8_t)s->v;
		return e_meta(r, NFT_META_L4PROTO, NFT_REG_1) ?: e_cmp(r, NFT_REG_1, &b8, 1);
	case S_SPORT:
		b16 = htons((uint16_t)s->v);
		return e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1) ?:
			       e_cmp(r, NFT_REG_1, &b16, 2);
	case S_ETHER_SADDR_IN:
		b16 = ARPHRD_ETHER;
		return e_meta(r, NFT_META_IIFTYPE, NFT_REG_1)			    ?:
			       e_cmp(r, NFT_REG_1, &b16, 2)			    ?:
			       e_payload(r, NFT_PAYLOAD_LL_HEADER, 6, 6, NFT_REG_1) ?:
			       e_lookup(r, NFT_REG_1, s->s);
	case S_SADDR_IN:
		return e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, s->v == 6 ? 8 : 12, alen, NFT_REG_1) ?:
			       e_lookup(r, NFT_REG_1, s->s);
	case S_IIFNAME_IN:
		return e_meta(r, NFT_META_IIFNAME, NFT_REG_1) ?: e_lookup(r, NFT_REG_1, s->s);
	case S_DADDR_IN:
		return e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, s->v == 6 ? 24 : 16, alen, NFT_REG_1) ?:
			       e_lookup(r, NFT_REG_1, s->s);
	case S_CT_ORIGINAL:
		b8 = 0; /* IP_CT_DIR_ORIGINAL */
		return e_ct_get(r, NFT_CT_DIRECTION, NFT_REG_1) ?: e_cmp(r, NFT_REG_1, &b8, 1);
	case S_CT_ESTABLISHED: {
		uint32_t zero = 0;

		return e_ct_get(r, NFT_CT_STATE, NFT_REG_1) ?:
			       e_bitwise(r, NFT_REG_1, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED), 0) ?:
			       e_cmp_op(r, NFT_REG_1, NFT_CMP_NEQ, &zero, 4);
	}
	case S_MARK_NONE: {
		uint32_t zero = 0;

		return e_meta(r, NFT_META_MARK, NFT_REG_1)	   ?:
			       e_bitwise(r, NFT_REG_1, c->mask, 0) ?:
								     e_cmp(r, NFT_REG_1, &zero, 4);
	}
	case S_CT_MARK_IS:
		return e_ct_get(r, NFT_CT_MARK, NFT_REG_1)	   ?:
			       e_bitwise(r, NFT_REG_1, c->mask, 0) ?:
								     e_cmp(r, NFT_REG_1, &mark, 4);
	case S_MARK_IS:
		return e_meta(r, NFT_META_MARK, NFT_REG_1)	   ?:
			       e_bitwise(r, NFT_REG_1, c->mask, 0) ?:
								     e_cmp(r, NFT_REG_1, &mark, 4);
	case S_CT_MARK_SET:
		return e_ct_get(r, NFT_CT_MARK, NFT_REG_1)	       ?:
			       e_bitwise(r, NFT_REG_1, ~c->mask, mark) ?:
									 e_ct_set_mark(r, NFT_REG_1);
	case S_SEEN_UPDATE:
		return e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, s->v == 6 ? 8 : 12, alen, NFT_REG_1) ?:
			       e_dynset_update(r, NFT_REG_1, s->s);
	case S_BLOCK_IN:
		return e_block_key(r, s->v) ?: e_lookup(r, NFT_REG32_00, s->s);
	case S_BLOCK_UPDATE:
		return e_block_key(r, s->v) ?: e_dynset_update(r, NFT_REG32_00, s->s);
	case S_REJECT: {
		struct nftnl_expr *e = expr(r, "reject");

		NEED(e);
		if (s->v == IPPROTO_NUM_TCP) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, 0);
		} else if (family == NFPROTO_INET) {
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
					  NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
		} else {
			/* icmpx is inet-only: ICMP 13 / ICMPv6 1, administratively prohibited */
			nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
			nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE,
					  family == NFPROTO_IPV4 ? 13 : 1);
		}
		return 0;
	}
	case S_COUNTER:
		return expr(r, "counter") ? 0 : -ENOMEM;
	case S_ACCEPT:
		return e_verdict(r, NF_ACCEPT, NULL);
	case S_DROP:
		return e_verdict(r, NF_DROP, NULL);
	case S_JUMP:
		return e_verdict(r, NFT_JUMP, s->s);
	case S_QUEUE:
		return e_queue(r, c);
	case S_END:
		break;
	}
	return 0;
}

#define ELEMENTS_PER_MESSAGE 512 /* a message's element list must stay under 64 KiB */

/* Send the set's elements (the ranges' starts, and ends + 1 flagged) in chunks. */
static int build_elements(struct builder *b, const struct policy *p, const struct set_desc *d,
			  uint32_t id)
{
	size_t n, len, i = 0;
	struct range *r = set_ranges(p, d->name, &n, &len);

	if (!r)
		return -ENOMEM;
	while (i < n && !b->overflow) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct nlmsghdr *nlh;
		size_t k;

		if (!s) {
			free(r);
			return -ENOMEM;
		}
		nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
		nftnl_set_set_str(s, NFTNL_SET_NAME, d->name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, b->family);
		nftnl_set_set_u32(s, NFTNL_SET_ID, id);
		for (k = 0; k < ELEMENTS_PER_MESSAGE && i < n; k++, i++) {
			struct nftnl_set_elem *lo = nftnl_set_elem_alloc();
			struct nftnl_set_elem *hi = nftnl_set_elem_alloc();
			uint8_t end[16];
			size_t j;
			int carry = 1;

			if (!lo || !hi) {
				nftnl_set_elem_free(lo);
				nftnl_set_elem_free(hi);
				nftnl_set_free(s);
				free(r);
				return -ENOMEM;
			}
			nftnl_set_elem_set(lo, NFTNL_SET_ELEM_KEY, r[i].lo, len);
			nftnl_set_elem_add(s, lo);
			/* an interval is [lo, hi + 1): its end is flagged */
			memcpy(end, r[i].hi, len);
			for (j = len; j-- > 0 && carry;) {
				end[j]++;
				carry = end[j] == 0;
			}
			if (carry) {
				nftnl_set_elem_free(hi); /* up to the last address: no end */
				continue;
			}
			nftnl_set_elem_set(hi, NFTNL_SET_ELEM_KEY, end, len);
			nftnl_set_elem_set_u32(hi, NFTNL_SET_ELEM_FLAGS, NFT_SET_ELEM_INTERVAL_END);
			nftnl_set_elem_add(s, hi);
		}
		nlh = msg_begin(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		msg_end(b);
		nftnl_set_free(s);
	}
	free(r);
	return 0;
}

/* The devices' interface names, zero-padded, in one message (the same name twice is one element). */
static int build_ifaces(struct builder *b, const struct policy *p, const struct set_desc *d,
			uint32_t id)
{
	struct nftnl_set *s;
	struct nlmsghdr *nlh;
	size_t i, j, n = 0;

	for (i = 0; i < p->ndevices; i++)
		n += p->devices[i].nifaces;
	if (!n)
		return 0;
	s = nftnl_set_alloc();
	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, d->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, b->family);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	for (i = 0; i < p->ndevices; i++) {
		for (j = 0; j < p->devices[i].nifaces; j++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();
			char key[IFNAME_LEN] = { 0 };

			if (!e) {
				nftnl_set_free(s);
				return -ENOMEM;
			}
			strncpy(key, p->devices[i].ifaces[j], IFNAME_LEN - 1);
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, key, IFNAME_LEN);
			nftnl_set_elem_add(s, e);
		}
	}
	/* without NLM_F_EXCL a name listed twice is no error */
	nlh = msg_begin(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	msg_end(b);
	nftnl_set_free(s);
	return 0;
}

/* The policy's elements of a static set (a dynamic one starts empty). */
static int build_set_elements(struct builder *b, const struct policy *p, const struct set_desc *d,
			      uint32_t id)
{
	if (d->interval)
		return build_elements(b, p, d, id);
	if (d->ifname)
		return build_ifaces(b, p, d, id);
	return 0;
}

static int build_set(struct builder *b, const struct policy *p, const struct nft_config *c,
		     const struct set_desc *d, uint32_t id)
{
	struct nftnl_set *s = nftnl_set_alloc();
	struct nlmsghdr *nlh;
	uint32_t flags = 0;

	if (!s)
		return -ENOMEM;
	nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
	nftnl_set_set_str(s, NFTNL_SET_NAME, d->name);
	nftnl_set_set_u32(s, NFTNL_SET_FAMILY, b->family);
	nftnl_set_set_u32(s, NFTNL_SET_ID, id);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_TYPE, d->key_type);
	nftnl_set_set_u32(s, NFTNL_SET_KEY_LEN, d->key_len);
	if (d->interval)
		flags |= NFT_SET_INTERVAL;
	if (d->dynamic) {
		flags |= NFT_SET_TIMEOUT | NFT_SET_EVAL;
		nftnl_set_set_u64(s, NFTNL_SET_TIMEOUT,
				  (uint64_t)(d->block ? c->block_timeout : c->seen_timeout) * 1000);
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, SET_SIZE);
	}
	nftnl_set_set_u32(s, NFTNL_SET_FLAGS, flags);
	if (d->ifname) {
		/* nft(8) reads names in host byte order only when told so */
		struct nftnl_udata_buf *u = nftnl_udata_buf_alloc(16);

		if (!u || !nftnl_udata_put_u32(u, NFTNL_UDATA_SET_KEYBYTEORDER, 1)) {
			nftnl_udata_buf_free(u);
			nftnl_set_free(s);
			return -ENOMEM;
		}
		nftnl_set_set_data(s, NFTNL_SET_USERDATA, nftnl_udata_buf_data(u),
				   nftnl_udata_buf_len(u));
		nftnl_udata_buf_free(u);
	}
	nlh = msg_begin(b, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, s);
	msg_end(b);
	nftnl_set_free(s);
	return build_set_elements(b, p, d, id);
}

static int build_chain(struct builder *b, const struct chain_desc *d)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	struct nlmsghdr *nlh;

	if (!ch)
		return -ENOMEM;
	nftnl_chain_set_str(ch, NFTNL_CHAIN_TABLE, NFT_TABLE_NAME);
	nftnl_chain_set_str(ch, NFTNL_CHAIN_NAME, d->name);
	nftnl_chain_set_u32(ch, NFTNL_CHAIN_FAMILY, b->family);
	if (d->hook >= 0) {
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_HOOKNUM, (uint32_t)d->hook);
		nftnl_chain_set_s32(ch, NFTNL_CHAIN_PRIO, d->prio);
		nftnl_chain_set_str(ch, NFTNL_CHAIN_TYPE, "filter");
		nftnl_chain_set_u32(ch, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	}
	nlh = msg_begin(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE);
	nftnl_chain_nlmsg_build_payload(nlh, ch);
	msg_end(b);
	nftnl_chain_free(ch);
	return 0;
}

static int build_rule(struct builder *b, const struct nft_config *c, const struct rule_desc *d)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	const struct step *s;
	struct nlmsghdr *nlh;
	int err = 0;

	if (!r)
		return -ENOMEM;
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE_NAME);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, d->chain);
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, b->family);
	for (s = d->steps; s->k != S_END && !err; s++) {
		/* in an ip or ip6 table the family is implied */
		if (s->k == S_NFPROTO && b->family != NFPROTO_INET)
			continue;
		err = build_step(r, c, s, b->family);
	}
	if (!err) {
		nlh = msg_begin(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		msg_end(b);
	}
	nftnl_rule_free(r);
	return err;
}

#ifndef NFT_TABLE_F_PERSIST
#define NFT_TABLE_F_PERSIST 0x4 /* kernel 6.9+: the table outlives its owner */
#endif

static void build_table(struct builder *b, uint16_t type, uint16_t flags, bool persist)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	if (!t) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE_NAME);
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, b->family);
	if (persist)
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST);
	nlh = msg_begin(b, type, flags);
	nftnl_table_nlmsg_build_payload(nlh, t);
	msg_end(b);
	nftnl_table_free(t);
}

static long batch_finish(struct builder *b)
{
	long len;

	nftnl_batch_end(mnl_nlmsg_batch_current(b->batch), b->seq++);
	if (!mnl_nlmsg_batch_next(b->batch))
		b->overflow = true;
	len = (long)mnl_nlmsg_batch_size(b->batch);
	mnl_nlmsg_batch_stop(b->batch);
	if (b->err)
		return b->err;
	return b->overflow ? -ENOSPC : len;
}

static bool batch_start(struct builder *b, char *buf, size_t size, uint32_t seq)
{
	memset(b, 0, sizeof(*b));
	b->seq = seq;
	/* libmnl notices a full batch after writing past its limit: keep half */
	b->batch = mnl_nlmsg_batch_start(buf, size / 2);
	if (!b->batch)
		return false;
	nftnl_batch_begin(mnl_nlmsg_batch_current(b->batch), b->seq++);
	return mnl_nlmsg_batch_next(b->batch);
}

/* Does a set or rule of family f (0: both) belong in a table of family fam (0: inet)? */
static bool in_table(int fam, int f)
{
	return !fam || !f || f == fam;
}

/* Every rule of a table of family fam, in order. */
static void build_rules(struct builder *b, const struct nft_config *c, int fam)
{
	for (size_t i = 0; i < NRULES && !b->err && !b->overflow; i++)
		if (in_table(fam, rule_family(&rules[i])))
			b->err = build_rule(b, c, &rules[i]);
}

/* The messages that replace one table (inet, or the ip or ip6 half). */
static void build_one(struct builder *b, const struct policy *p, const struct nft_config *c,
		      int fam)
{
	size_t i;

	b->family = fam == 4 ? NFPROTO_IPV4 : fam == 6 ? NFPROTO_IPV6 : NFPROTO_INET;
	/* create it if absent, delete it, create it: a replace in one transaction */
	build_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, c->persist);
	build_table(b, NFT_MSG_DELTABLE, 0, false);
	build_table(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, c->persist);
	for (i = 0; i < NSETS && !b->err && !b->overflow; i++)
		if (in_table(fam, sets[i].fam))
			b->err = build_set(b, p, c, &sets[i], (uint32_t)i + 1);
	for (i = 0; i < NCHAINS && !b->err && !b->overflow; i++)
		b->err = build_chain(b, &chains[i]);
	build_rules(b, c, fam);
}

/* A chain's rules, or a set's elements, all removed (nft flush chain / set). */
static int build_flush(struct builder *b, const char *chain, const char *set)
{
	struct nlmsghdr *nlh;

	if (chain) {
		struct nftnl_rule *r = nftnl_rule_alloc();

		if (!r)
			return -ENOMEM;
		nftnl_rule_set_str(r, NFTNL_RULE_TABLE, NFT_TABLE_NAME);
		nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
		nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, b->family);
		nlh = msg_begin(b, NFT_MSG_DELRULE, 0);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		msg_end(b);
		nftnl_rule_free(r);
	} else {
		struct nftnl_set *st = nftnl_set_alloc();

		if (!st)
			return -ENOMEM;
		nftnl_set_set_str(st, NFTNL_SET_TABLE, NFT_TABLE_NAME);
		nftnl_set_set_str(st, NFTNL_SET_NAME, set);
		nftnl_set_set_u32(st, NFTNL_SET_FAMILY, b->family);
		nlh = msg_begin(b, NFT_MSG_DELSETELEM, 0);
		nftnl_set_elems_nlmsg_build_payload(nlh, st);
		msg_end(b);
		nftnl_set_free(st);
	}
	return 0;
}

/*
 * The messages that refill one existing table in place: every chain's
 * rules and every set's elements flushed, the policy's elements and the
 * rules (with c's generation) added.  The base chains stay registered, so
 * the kernel keeps the packets waiting in the queues (deleting a hook
 * drops every queued packet of the namespace).
 */
static void update_one(struct builder *b, const struct policy *p, const struct nft_config *c,
		       int fam)
{
	size_t i;

	b->family = fam == 4 ? NFPROTO_IPV4 : fam == 6 ? NFPROTO_IPV6 : NFPROTO_INET;
	for (i = 0; i < NCHAINS && !b->err && !b->overflow; i++)
		b->err = build_flush(b, chains[i].name, NULL);
	for (i = 0; i < NSETS && !b->err && !b->overflow; i++)
		if (in_table(fam, sets[i].fam))
			b->err = build_flush(b, NULL, sets[i].name);
	for (i = 0; i < NSETS && !b->err && !b->overflow; i++)
		if (in_table(fam, sets[i].fam))
			b->err = build_set_elements(b, p, &sets[i], (uint32_t)i + 1);
	build_rules(b, c, fam);
}

typedef void (*table_fn)(struct builder *b, const struct policy *p, const struct nft_config *c,
			 int fam);

/* A batch of one table's messages from one(), or of its ip and ip6 halves when split. */
static long build_batch(const struct policy *p, const struct nft_config *c, char *buf, size_t size,
			uint32_t *seq, table_fn one)
{
	struct builder b;
	long len;

	if (mask_shift(c->mask) < 0)
		return -EINVAL;
	if (!batch_start(&b, buf, size, *seq))
		return -ENOSPC;
	if (!c->split) {
		one(&b, p, c, 0);
	} else {
		one(&b, p, c, 4);
		one(&b, p, c, 6);
	}
	len = batch_finish(&b);
	*seq = b.seq;
	return len;
}

long nft_build_update(const struct policy *p, const struct nft_config *c, char *buf, size_t size,
		      uint32_t *seq)
{
	return build_batch(p, c, buf, size, seq, update_one);
}

long nft_build_quiesce(const struct nft_config *c, char *buf, size_t size, uint32_t *seq)
{
	struct builder b;
	long len;

	if (!batch_start(&b, buf, size, *seq))
		return -ENOSPC;
	b.family = c->split ? NFPROTO_IPV4 : NFPROTO_INET;
	b.err = build_flush(&b, "to_queue", NULL);
	if (c->split && !b.err) {
		b.family = NFPROTO_IPV6;
		b.err = build_flush(&b, "to_queue", NULL);
	}
	len = batch_finish(&b);
	*seq = b.seq;
	return len;
}

long nft_build(const struct policy *p, const struct nft_config *c, char *buf, size_t size,
	       uint32_t *seq)
{
	return build_batch(p, c, buf, size, seq, build_one);
}

long nft_build_delete(const struct nft_config *c, char *buf, size_t size, uint32_t *seq)
{
	static const uint8_t families[] = { NFPROTO_INET, NFPROTO_IPV4, NFPROTO_IPV6 };
	struct builder b;
	size_t i;
	long len;

	if (!batch_start(&b, buf, size, *seq))
		return -ENOSPC;
	for (i = 0; i < sizeof(families); i++) {
		if ((families[i] == NFPROTO_INET) == c->split)
			continue;
		b.family = families[i];
		/* create it if absent, so that deleting it cannot fail */
		build_table(&b, NFT_MSG_NEWTABLE, NLM_F_CREATE, c->persist);
		build_table(&b, NFT_MSG_DELTABLE, 0, false);
	}
	len = batch_finish(&b);
	*seq = b.seq;
	return len;
}

/* --- sending ----------------------------------------------------------------- */

static const char *msg_name(uint16_t type)
{
	switch (type & 0xff) {
	case NFT_MSG_NEWTABLE:
		return "new table";
	case NFT_MSG_DELTABLE:
		return "delete table";
	case NFT_MSG_NEWCHAIN:
		return "new chain";
	case NFT_MSG_NEWRULE:
		return "new rule";
	case NFT_MSG_NEWSET:
		return "new set";
	case NFT_MSG_NEWSETELEM:
		return "new set elements";
	}
	return "message";
}

/* The type of the batch message numbered seq, to name a failure. */
static uint16_t type_of(const char *buf, size_t len, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int rem = (int)len;

	for (; mnl_nlmsg_ok(nlh, rem); nlh = mnl_nlmsg_next(nlh, &rem))
		if (nlh->nlmsg_seq == seq)
			return nlh->nlmsg_type;
	return 0;
}

struct mnl_socket *nft_owner_open(void)
{
	struct mnl_socket *nl = mnl_socket_open2(NETLINK_NETFILTER, SOCK_CLOEXEC);

	if (nl && mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	return nl;
}

void nft_owner_close(struct mnl_socket *nl)
{
	if (nl)
		mnl_socket_close(nl);
}

int nft_send(const char *buf, size_t len, uint32_t first_seq, uint32_t last_seq, FILE *err)
{
	struct mnl_socket *nl = nft_owner_open();
	int ret;

	if (!nl)
		return -errno;
	ret = nft_send_owned(nl, buf, len, first_seq, last_seq, err);
	mnl_socket_close(nl);
	return ret;
}

int nft_send_owned(struct mnl_socket *nl, const char *buf, size_t len, uint32_t first_seq,
		   uint32_t last_seq, FILE *err)
{
	static char rbuf[1 << 17];
	uint32_t portid = mnl_socket_get_portid(nl);
	int fd = mnl_socket_get_fd(nl), ret = 0, one = 1, size = (int)len + 65536;
	bool last_acked = false;
	ssize_t n;

	/* one send for the whole batch: the socket must take it */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	/* errors without the failing message copied back: they stay small */
	setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if (mnl_socket_sendto(nl, buf, len) < 0)
		return -errno;
	/*
	 * nfnetlink handles the whole batch inside sendto, so every ACK and
	 * error is queued by now; an aborted batch acknowledges no more.
	 * Success needs the last message's ACK and no error.
	 */
	for (;;) {
		const struct nlmsghdr *nlh;
		int rem;

		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT | MSG_TRUNC);
		if (n < 0) {
			if (errno != EAGAIN && errno != EWOULDBLOCK && !ret)
				ret = -errno;
			break;
		}
		if ((size_t)n > sizeof(rbuf)) {
			if (!ret)
				ret = -EMSGSIZE;
			continue; /* a reply too large to read: its ACK is lost, so fail */
		}
		rem = (int)n;
		for (nlh = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, rem);
		     nlh = mnl_nlmsg_next(nlh, &rem)) {
			const struct nlmsgerr *e;

			if (nlh->nlmsg_type != NLMSG_ERROR || nlh->nlmsg_pid != portid)
				continue;
			e = mnl_nlmsg_get_payload(nlh);
			if (e->error) {
				if (!ret)
					ret = e->error;
				fprintf(err, "nfq-guard: nftables: %s (message %u): %s\n",
					msg_name(type_of(buf, len, nlh->nlmsg_seq)),
					nlh->nlmsg_seq - first_seq, strerror(-e->error));
			} else if (nlh->nlmsg_seq == last_seq - 2) {
				last_acked = true;
			}
		}
	}
	if (!ret && !last_acked) {
		fprintf(err, "nfq-guard: nftables: the batch was not acknowledged\n");
		ret = -EIO;
	}
	return ret;
}

int nft_table_exists(const struct nft_config *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL), portid;
	int ret, n;

	if (!t)
		return -ENOMEM;
	nl = nft_owner_open();
	if (!nl) {
		ret = -errno;
		goto out;
	}
	portid = mnl_socket_get_portid(nl);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, c->split ? NFPROTO_IPV4 : NFPROTO_INET,
				    NLM_F_ACK, seq);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, NFT_TABLE_NAME);
	nftnl_table_nlmsg_build_payload(nlh, t);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		ret = -errno;
		goto out;
	}
	ret = 1;
	while ((n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		n = mnl_cb_run(buf, (size_t)n, seq, portid, NULL, NULL);
		if (n < 0) {
			ret = errno == ENOENT ? 0 : -errno;
			break;
		}
		if (n == MNL_CB_STOP)
			break;
	}
out:
	if (nl)
		mnl_socket_close(nl);
	nftnl_table_free(t);
	return ret;
}

int nft_flowtables(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	uint32_t seq = (uint32_t)time(NULL);
	int count = 0, n;

	nl = nft_owner_open();
	if (!nl)
		return -errno;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETFLOWTABLE, NFPROTO_UNSPEC, NLM_F_DUMP, seq);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		count = -errno;
		goto out;
	}
	while ((n = (int)mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		const struct nlmsghdr *m = (const struct nlmsghdr *)buf;
		int rem = n;
		bool done = false;

		for (; mnl_nlmsg_ok(m, rem); m = mnl_nlmsg_next(m, &rem)) {
			if (m->nlmsg_type == NLMSG_DONE || m->nlmsg_type == NLMSG_ERROR)
				done = true;
			else if ((m->nlmsg_type & 0xff) == NFT_MSG_NEWFLOWTABLE)
				count++;
		}
		if (done)
			break;
	}
out:
	mnl_socket_close(nl);
	return count;
}
