/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * batch.c - the ruleset (ruleset.c) as one netlink batch of libnftnl
 * messages in a buffer: replace the table, refill it, quiesce it, delete
 * it.  No socket here: nfnl.c sends what this builds.
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
#include <linux/netfilter/xt_NFQUEUE.h>
#include <stdlib.h>
#include <string.h>

#include "base/proto.h"
#include "kernel/internal.h"
#include "kernel/nft.h"

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

/* log group: the whole packet copied to the daemon's nflog socket. */
static int e_log(struct nftnl_rule *r, const struct nft_config *c)
{
	struct nftnl_expr *e = expr(r, "log");

	if (!e)
		return -ENOMEM;
	nftnl_expr_set_u16(e, NFTNL_EXPR_LOG_GROUP, c->log_group);
	return 0;
}

/* The steps that compare the packet, its ct entry or the mark. */
static int build_match(struct nftnl_rule *r, const struct nft_config *c, const struct step *s)
{
	uint32_t mark = nft_mark(c, (enum verdict)s->v), zero = 0;
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
	case S_DPORT:
		b16 = htons((uint16_t)s->v);
		return e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, s->k == S_SPORT ? 0 : 2, 2, NFT_REG_1) ?:
			       e_cmp(r, NFT_REG_1, &b16, 2);
	case S_QUIC_INITIAL: {
		/* big-endian both: cmp compares bytes in order */
		static const uint8_t min_len[2] = { 1208 >> 8, 1208 & 0xff };
		static const uint8_t first[4] = { 0xe0 }, initial = 0xc0;
		uint32_t mask;

		memcpy(&mask, first, sizeof(mask));
		return e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 4, 2, NFT_REG_1)	   ?:
			       e_cmp_op(r, NFT_REG_1, NFT_CMP_GTE, min_len, 2)		   ?:
			       e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, 8, 1, NFT_REG_1) ?:
			       e_bitwise(r, NFT_REG_1, mask, 0)				   ?:
			       e_cmp(r, NFT_REG_1, &initial, 1);
	}
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
	case S_CT_ESTABLISHED:
		return e_ct_get(r, NFT_CT_STATE, NFT_REG_1) ?:
			       e_bitwise(r, NFT_REG_1, NF_CT_STATE_BIT(IP_CT_ESTABLISHED) | NF_CT_STATE_BIT(IP_CT_RELATED), 0) ?:
			       e_cmp_op(r, NFT_REG_1, NFT_CMP_NEQ, &zero, 4);
	case S_CT_UNTRUSTED:
		return e_ct_get(r, NFT_CT_STATE, NFT_REG_1) ?:
			       e_bitwise(r, NFT_REG_1, NF_CT_STATE_INVALID_BIT | NF_CT_STATE_UNTRACKED_BIT, 0) ?:
			       e_cmp_op(r, NFT_REG_1, NFT_CMP_NEQ, &zero, 4);
	case S_MARK_NONE:
		return e_meta(r, NFT_META_MARK, NFT_REG_1)	   ?:
			       e_bitwise(r, NFT_REG_1, c->mask, 0) ?:
								     e_cmp(r, NFT_REG_1, &zero, 4);
	case S_CT_MARK_IS:
		return e_ct_get(r, NFT_CT_MARK, NFT_REG_1)	   ?:
			       e_bitwise(r, NFT_REG_1, c->mask, 0) ?:
								     e_cmp(r, NFT_REG_1, &mark, 4);
	case S_MARK_IS:
		return e_meta(r, NFT_META_MARK, NFT_REG_1)	   ?:
			       e_bitwise(r, NFT_REG_1, c->mask, 0) ?:
								     e_cmp(r, NFT_REG_1, &mark, 4);
	case S_BLOCK_IN:
		return e_block_key(r, s->v) ?: e_lookup(r, NFT_REG32_00, s->s);
	default:
		return -EINVAL; /* not a match: see build_step */
	}
}

/* reject with tcp reset (v: IPPROTO_NUM_TCP), else admin-prohibited in the table family's ICMP. */
static int e_reject(struct nftnl_rule *r, uint32_t v, uint8_t family)
{
	struct nftnl_expr *e = expr(r, "reject");

	NEED(e);
	if (v == IPPROTO_NUM_TCP) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_TCP_RST);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, 0);
	} else if (family == NFPROTO_INET) {
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMPX_UNREACH);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, NFT_REJECT_ICMPX_ADMIN_PROHIBITED);
	} else {
		/* icmpx is inet-only: ICMP 13 / ICMPv6 1, administratively prohibited */
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, NFT_REJECT_ICMP_UNREACH);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, family == NFPROTO_IPV4 ? 13 : 1);
	}
	return 0;
}

/* One step as expressions: a match (build_match) or a statement. */
static int build_step(struct nftnl_rule *r, const struct nft_config *c, const struct step *s,
		      uint8_t family)
{
	uint32_t mark = nft_mark(c, (enum verdict)s->v);
	uint32_t alen = s->v == 6 ? 16 : 4;

	switch (s->k) {
	case S_CT_MARK_SET:
		return e_ct_get(r, NFT_CT_MARK, NFT_REG_1)	       ?:
			       e_bitwise(r, NFT_REG_1, ~c->mask, mark) ?:
									 e_ct_set_mark(r, NFT_REG_1);
	case S_SEEN_UPDATE:
		return e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, s->v == 6 ? 8 : 12, alen, NFT_REG_1) ?:
			       e_dynset_update(r, NFT_REG_1, s->s);
	case S_BLOCK_UPDATE:
		return e_block_key(r, s->v) ?: e_dynset_update(r, NFT_REG32_00, s->s);
	case S_REJECT:
		return e_reject(r, s->v, family);
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
	case S_LOG:
		return e_log(r, c);
	case S_END:
		return 0;
	default:
		return build_match(r, c, s);
	}
}

#define ELEMENTS_PER_MESSAGE 512 /* a message's element list must stay under 64 KiB */

/* Send the set's elements (the ranges' starts, and ends + 1 flagged) in chunks. */
static int build_elements(struct builder *b, const struct policy *p, const struct set_desc *d,
			  uint32_t id)
{
	size_t n, len, i = 0;
	struct range *r = ruleset_ranges(p, d->name, &n, &len);

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

/* MACs into set name (of this table), ELEMENTS_PER_MESSAGE a message; id 0: the set exists. */
static int build_macs(struct builder *b, const char *name, uint32_t id, const uint8_t (*macs)[6],
		      size_t n)
{
	size_t i = 0;

	while (i < n && !b->overflow) {
		struct nftnl_set *s = nftnl_set_alloc();
		struct nlmsghdr *nlh;
		size_t k;

		if (!s)
			return -ENOMEM;
		nftnl_set_set_str(s, NFTNL_SET_TABLE, NFT_TABLE_NAME);
		nftnl_set_set_str(s, NFTNL_SET_NAME, name);
		nftnl_set_set_u32(s, NFTNL_SET_FAMILY, b->family);
		if (id)
			nftnl_set_set_u32(s, NFTNL_SET_ID, id);
		for (k = 0; k < ELEMENTS_PER_MESSAGE && i < n; k++, i++) {
			struct nftnl_set_elem *e = nftnl_set_elem_alloc();

			if (!e) {
				nftnl_set_free(s);
				return -ENOMEM;
			}
			nftnl_set_elem_set(e, NFTNL_SET_ELEM_KEY, macs[i], 6);
			nftnl_set_elem_add(s, e);
		}
		/* without NLM_F_EXCL a MAC already there is no error */
		nlh = msg_begin(b, NFT_MSG_NEWSETELEM, NLM_F_CREATE);
		nftnl_set_elems_nlmsg_build_payload(nlh, s);
		msg_end(b);
		nftnl_set_free(s);
	}
	return 0;
}

/* The policy's elements of a static set (a dynamic one starts empty). */
static int build_set_elements(struct builder *b, const struct policy *p, const struct nft_config *c,
			      const struct set_desc *d, uint32_t id)
{
	if (d->interval)
		return build_elements(b, p, d, id);
	if (d->ifname)
		return build_ifaces(b, p, d, id);
	if (d->found)
		return build_macs(b, d->name, id, c->found, c->nfound);
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
	if (d->found)
		nftnl_set_set_u32(s, NFTNL_SET_DESC_SIZE, c->found_max);
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
	return build_set_elements(b, p, c, d, id);
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

/* Every rule of a table of family fam, in order. */
static void build_rules(struct builder *b, const struct nft_config *c, int fam)
{
	for (size_t i = 0; i < ruleset_nrules && !b->err && !b->overflow; i++)
		if (ruleset_in_table(fam, ruleset_rule_family(&ruleset_rules[i])) &&
		    ruleset_rule_wanted(&ruleset_rules[i], c))
			b->err = build_rule(b, c, &ruleset_rules[i]);
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
	for (i = 0; i < ruleset_nsets && !b->err && !b->overflow; i++)
		if (ruleset_in_table(fam, ruleset_sets[i].fam))
			b->err = build_set(b, p, c, &ruleset_sets[i], (uint32_t)i + 1);
	for (i = 0; i < ruleset_nchains && !b->err && !b->overflow; i++)
		b->err = build_chain(b, &ruleset_chains[i]);
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
 * rules and every set's elements flushed (but the learned device addresses
 * with c->keep_seen), the policy's elements and the
 * rules (with c's generation) added.  The base chains stay registered, so
 * the kernel keeps the packets waiting in the queues (deleting a hook
 * drops every queued packet of the namespace).
 */
static void update_one(struct builder *b, const struct policy *p, const struct nft_config *c,
		       int fam)
{
	size_t i;

	b->family = fam == 4 ? NFPROTO_IPV4 : fam == 6 ? NFPROTO_IPV6 : NFPROTO_INET;
	for (i = 0; i < ruleset_nchains && !b->err && !b->overflow; i++)
		b->err = build_flush(b, ruleset_chains[i].name, NULL);
	for (i = 0; i < ruleset_nsets && !b->err && !b->overflow; i++) {
		const struct set_desc *s = &ruleset_sets[i];

		if (c->keep_seen && s->dynamic && !s->block)
			continue;
		if (ruleset_in_table(fam, s->fam))
			b->err = build_flush(b, NULL, s->name);
	}
	for (i = 0; i < ruleset_nsets && !b->err && !b->overflow; i++)
		if (ruleset_in_table(fam, ruleset_sets[i].fam))
			b->err = build_set_elements(b, p, c, &ruleset_sets[i], (uint32_t)i + 1);
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

	if (mark_shift(c->mask) < 0)
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

long nft_build_found(const struct nft_config *c, const uint8_t (*macs)[6], size_t n, char *buf,
		     size_t size, uint32_t *seq)
{
	struct builder b;
	long len;

	if (!batch_start(&b, buf, size, *seq))
		return -ENOSPC;
	b.family = c->split ? NFPROTO_IPV4 : NFPROTO_INET;
	b.err = build_macs(&b, "dev_found", 0, macs, n);
	if (c->split && !b.err) {
		b.family = NFPROTO_IPV6;
		b.err = build_macs(&b, "dev_found", 0, macs, n);
	}
	len = batch_finish(&b);
	*seq = b.seq;
	return len;
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
